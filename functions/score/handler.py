"""SQS consumer of the `score` subscription (baton.bus): MessageReceived -> scores, arc, MessageScored;
MessageRedacted -> the arc forgets the message (`ScoringService.redact`), at once, out of the message order.

The SQS body is the whole EventBridge event. Models load once per container (`build_dependencies`).

- A record that is not JSON, not a MessageReceived or breaks its contract fails (batch item failure, then the
  DLQ after maxReceiveCount): it is never dropped silently (`MalformedEvents`, logged as an error).
- A message whose predecessor is not scored yet: records of a batch are taken in (conversation, seq) order,
  so messages of one conversation arriving together need nothing more. A predecessor in another batch is
  usually being scored at that moment by a concurrent invocation: on its first receive a record waits for
  it briefly (`FIRST_RECEIVE_WAIT_S`, at most `WAIT_BUDGET_S` per invocation), since SQS would only deliver
  it again after the visibility timeout (minutes). Still missing, it fails as a batch item (`OutOfOrder`,
  logged at info: it is expected) and comes back later; on its last receive before the DLQ it stops
  waiting (see `baton.scoring.service`).
- A message delivered again changes nothing (the arc's `last_seq`): idempotent per message.
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
from baton.events import MessageReceived, MessageRedacted
from baton.ordered import (
    Patience,
    apply_in_order,
    apply_redaction,
    event_detail_of,
    parse_record,
    record_order,
)
from baton.scoring.service import ScoringService
from baton.settings import Settings

logger = Logger(service="score")
metrics = Metrics(namespace="Baton", service="score")
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
copy_config_to_registered_loggers(source_logger=logger, include={"baton"})

# From this receive on (the last before the DLQ), a message stops waiting for a predecessor that never came.
STOP_WAITING_AT = max(1, by_name("score").max_receive_count - 1)
# On its first receive a record waits this long for a predecessor scored concurrently; all of an
# invocation's records together at most WAIT_BUDGET_S (the function's timeout is 30 s).
FIRST_RECEIVE_WAIT_S = 2.0
WAIT_BUDGET_S = 4.0


@dataclass(frozen=True)
class Dependencies:
    service: ScoringService


@functools.cache
def build_dependencies(settings: Settings) -> Dependencies:
    """Built once per container: the models (from the model layer, or BATON_MODELS_DIR), the arc store and
    the publisher. Nothing is loaded at import time."""
    from baton import wiring
    from baton.scoring.loader import load_models, models_dir
    from baton.scoring.scorer import Scorer
    from baton.scoring.store import DynamoArcStore

    arcs = DynamoArcStore(
        settings.conversations_table,
        client=wiring.dynamodb_client(settings.dynamodb_endpoint),
        ttl_days=settings.conversation_ttl_days,
    )
    scorer = Scorer(load_models(models_dir(settings.models_dir)))
    return Dependencies(service=ScoringService(scorer, arcs, wiring.publisher(settings)))


def handle_record(record: SQSRecord, deps: Dependencies, patience: Patience | None = None) -> None:
    received = parse_record(record, score_event, logger=logger, metrics=metrics, what="event")
    if isinstance(received, MessageRedacted):
        apply_redaction(received, deps.service.redact, logger=logger, metrics=metrics, what="the arc")
        return
    context = {"conversation_id": received.conversation_id, "seq": received.seq}
    handled, receives = apply_in_order(
        record,
        lambda wait_s, stop: deps.service.handle(received, wait_s=wait_s, stop_waiting=stop),
        patience=patience,
        stop_waiting_at=STOP_WAITING_AT,
        logger=logger,
        metrics=metrics,
        context=context,
    )
    if handled.outcome == "duplicate":
        metrics.add_metric(name="DuplicateMessages", unit=MetricUnit.Count, value=1)
        logger.info("message already scored", extra=context)
        return
    metrics.add_metric(name="MessagesScored", unit=MetricUnit.Count, value=1)
    if handled.unscored:
        metrics.add_metric(name="UnscoredMessages", unit=MetricUnit.Count, value=handled.unscored)
        logger.warning(
            "predecessors never arrived; the arc went on without them",
            extra={**context, "unscored": handled.unscored, "receives": receives},
        )


def score_event(body: str) -> MessageReceived | MessageRedacted:
    """The MessageReceived (or MessageRedacted) in an SQS body (an EventBridge event), or PayloadError naming
    the bad field."""
    return event_detail_of(body, MessageReceived, MessageRedacted)  # type: ignore[return-value]


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
