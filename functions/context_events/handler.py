"""SQS consumer of the `context-events` subscription (baton.bus): AccountUpdated, IncidentOpened and
IncidentResolved from CRM and bug-tracker integrations -> the context table the decision enriches from; and
OutcomeRecorded (resolved or closed) -> the customer's contact history, so a later conversation on the same
intent is recognised as a repeat contact.

- A record that is not JSON, not one of these events or breaks its contract fails (batch item failure, then
  the DLQ after maxReceiveCount): never dropped silently (`MalformedEvents`, logged as an error).
- Writes are idempotent and newer-wins on the event's `occurred_at` (`baton.context.store`): a
  redelivered or late event never undoes a later one, so no ordering is needed here.
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

from baton.context.models import HistoryItem
from baton.events import AccountUpdated, BusEvent, IncidentOpened, IncidentResolved, OutcomeRecorded
from baton.ordered import event_detail_of, parse_record
from baton.settings import Settings

logger = Logger(service="context-events")
metrics = Metrics(namespace="Baton", service="context-events")
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
copy_config_to_registered_loggers(source_logger=logger, include={"baton"})

EVENTS: tuple[type[BusEvent], ...] = (AccountUpdated, IncidentOpened, IncidentResolved, OutcomeRecorded)
CLOSING = frozenset({"resolved", "closed"})


@dataclass(frozen=True)
class Dependencies:
    store: Any
    """`baton.context.store.DynamoContextStore` (or the memory one in tests)."""
    conversations: Any
    """`baton.ports.ConversationStore`: whose customer and latest intent an outcome closes."""


@functools.cache
def build_dependencies(settings: Settings) -> Dependencies:
    from baton import wiring

    return Dependencies(
        store=wiring.context_store(settings), conversations=wiring.conversation_store(settings)
    )


def context_event(body: str) -> BusEvent:
    """The context event in an SQS body (an EventBridge event), or PayloadError naming the bad field."""
    return event_detail_of(body, *EVENTS)


def handle_record(record: SQSRecord, deps: Dependencies) -> None:
    event = parse_record(record, context_event, logger=logger, metrics=metrics, what="context event")
    at = event.occurred_at
    if isinstance(event, AccountUpdated):
        deps.store.put_account(event.account, at=at)
        logger.info("account stored", extra={"account_id": event.account.id})
    elif isinstance(event, IncidentOpened):
        deps.store.put_incident(event.incident, at=at)
        logger.info(
            "incident stored", extra={"incident_id": event.incident.id, "status": event.incident.status}
        )
    elif isinstance(event, IncidentResolved):
        found = deps.store.resolve_incident(event.incident_id, at=event.resolved_at)
        logger.info("incident resolved", extra={"incident_id": event.incident_id, "was_known": found})
    elif isinstance(event, OutcomeRecorded):
        remember_contact(event, deps)
    metrics.add_metric(name=f"{event.DETAIL_TYPE}Events", unit=MetricUnit.Count, value=1)


def remember_contact(event: OutcomeRecorded, deps: Dependencies) -> None:
    """A resolved or closed conversation becomes a contact in its customer's history, with the intent the
    scoring saw last (none when it was out of scope or never scored)."""
    if event.kind not in CLOSING:
        return
    conversation = deps.conversations.get_conversation(event.conversation_id)
    if conversation is None or conversation.customer is None:
        logger.info(
            "outcome of a conversation Baton never saw; no contact kept",
            extra={"conversation_id": event.conversation_id},
        )
        return
    scores = conversation.scores or {}
    intent = None if scores.get("out_of_scope") else scores.get("intent")
    outcome = f"{event.kind} by {event.resolved_by}" if event.resolved_by != "unknown" else event.kind
    item = HistoryItem(
        conversation_id=event.conversation_id, intent=intent, closed_at=event.occurred_at, outcome=outcome
    )
    customer = conversation.customer
    deps.store.put_contact(customer.account_id, customer.id, item, at=event.occurred_at)
    logger.info("contact kept", extra={"conversation_id": event.conversation_id, "intent": intent})


@logger.inject_lambda_context
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(
    event: dict[str, Any], context: LambdaContext, deps: Dependencies | None = None
) -> dict[str, Any]:
    deps = deps or build_dependencies(Settings.from_env())
    return process_partial_response(
        event=event,
        record_handler=functools.partial(handle_record, deps=deps),
        processor=processor,
        context=context,
    )
