"""SQS consumer of the `decide` subscription (baton.bus): MessageScored -> context, decision, EscalationDecided;
MessageRedacted -> the decision forgets a guardrail's quote of the message (`DecisionService.redact`).

The SQS body is the whole EventBridge event. Per container, once: the context store (its active-incident
cache), the decision store and the publisher; the decision parameters are read through Powertools
parameters on every message and cached `decision_params_max_age_s` (a team's new document applies within
that, with no redeploy; see `baton.wiring.decision_params`).

- A record that is not JSON, not a MessageScored or breaks its contract fails (batch item failure, then the
  DLQ after maxReceiveCount): never dropped silently (`MalformedEvents`, logged as an error).
- Order and idempotency as in the score consumer (`baton.ordered`): records of a batch in (conversation, seq)
  order, a brief wait for a predecessor decided concurrently, `OutOfOrder` retried later, and on the last
  receive before the DLQ the state goes on without a predecessor that never came.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from baton.bus import by_name
from baton.decision.service import DecisionService
from baton.events import MessageRedacted, MessageScored
from baton.ordered import (
    Patience,
    apply_in_order,
    apply_redaction,
    event_detail_of,
    parse_record,
    record_order,
)
from baton.settings import Settings

logger = Logger(service="decide")
metrics = Metrics(namespace="Baton", service="decide")
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
copy_config_to_registered_loggers(source_logger=logger, include={"baton"})

STOP_WAITING_AT = max(1, by_name("decide").max_receive_count - 1)
FIRST_RECEIVE_WAIT_S = 2.0
WAIT_BUDGET_S = 4.0


@dataclass(frozen=True)
class Dependencies:
    service: DecisionService


@functools.cache
def build_dependencies(settings: Settings) -> Dependencies:
    from baton import wiring

    return Dependencies(service=wiring.decision_service(settings))


def decide_event(body: str) -> MessageScored | MessageRedacted:
    """The MessageScored (or MessageRedacted) in an SQS body (an EventBridge event), or PayloadError naming the
    bad field."""
    return event_detail_of(body, MessageScored, MessageRedacted)  # type: ignore[return-value]


def handle_record(record: SQSRecord, deps: Dependencies, patience: Patience | None = None) -> None:
    scored = parse_record(record, decide_event, logger=logger, metrics=metrics, what="event")
    if isinstance(scored, MessageRedacted):
        apply_redaction(scored, deps.service.redact, logger=logger, metrics=metrics, what="the decision")
        return
    context = {"conversation_id": scored.conversation_id, "seq": scored.seq}
    handled, receives = apply_in_order(
        record,
        lambda wait_s, stop: deps.service.handle(scored, wait_s=wait_s, stop_waiting=stop),
        patience=patience,
        stop_waiting_at=STOP_WAITING_AT,
        logger=logger,
        metrics=metrics,
        context=context,
    )
    if handled.skipped_messages:
        metrics.add_metric(name="UndecidedMessages", unit=MetricUnit.Count, value=handled.skipped_messages)
        logger.warning(
            "predecessors never arrived; the decision went on without them",
            extra={**context, "skipped": handled.skipped_messages, "receives": receives},
        )
    if handled.outcome == "duplicate":
        metrics.add_metric(name="DuplicateMessages", unit=MetricUnit.Count, value=1)
        logger.info("message already decided", extra=context)
        return
    if handled.outcome == "skipped" or handled.decision is None:
        return
    decision = handled.decision
    metrics.add_metric(name="Decisions", unit=MetricUnit.Count, value=1)
    if decision.changed:
        metrics.add_metric(name=f"{decision.action.capitalize()}Decisions", unit=MetricUnit.Count, value=1)
    if decision.guardrail:
        metrics.add_metric(name="GuardrailEscalations", unit=MetricUnit.Count, value=1)
    logger.info(
        "decided",
        extra={
            **context,
            "action": decision.action,
            "previous": decision.previous,
            "risk": decision.risk,
            "guardrail": decision.guardrail,
            "reasons": [r.code for r in decision.reasons],
            "model_version": decision.model_version,
        },
    )


@logger.inject_lambda_context
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(
    event: dict[str, Any], context: LambdaContext, deps: Dependencies | None = None
) -> dict[str, Any]:
    deps = deps or build_dependencies(Settings.from_env())
    records = sorted(event.get("Records") or [], key=record_order)
    return process_partial_response(
        event={**event, "Records": records},
        record_handler=functools.partial(
            handle_record, deps=deps, patience=Patience(WAIT_BUDGET_S, FIRST_RECEIVE_WAIT_S)
        ),
        processor=processor,
        context=context,
    )
