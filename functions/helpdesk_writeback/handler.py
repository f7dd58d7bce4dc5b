"""SQS consumer of the `helpdesk-writeback` subscription (baton.bus): HandoffPrepared -> the conversation's
helpdesk (Zendesk, Intercom) gets the assignee and the handoff note, once per escalation
(`baton.routing.writeback`). Unordered; one event per invocation. A helpdesk that refuses or stays unavailable
fails the record with its reason (`baton.consumer`): SQS retries it, then the DLQ keeps it."""

from __future__ import annotations

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit

from baton.consumer import BatchFunction
from baton.events import HandoffPrepared
from baton.routing.writeback import WritebackService
from baton.settings import Settings


def build(settings: Settings) -> WritebackService:
    from baton import wiring

    return wiring.writeback_service(settings)


def handle(service: WritebackService, event: HandoffPrepared, metrics: Metrics) -> None:
    written = service.handle(event)
    for name, value in written.metrics().items():
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)
    where = {"conversation_id": event.conversation_id, "seq": event.seq, "helpdesk": written.helpdesk}
    if written.skipped is not None:
        logger.info("handoff not written back", extra={**where, "reason": written.skipped})
    elif written.assignment == "unknown":
        logger.warning(
            "the assignee has no helpdesk id: only the note was written",
            extra={**where, "agent_id": event.assignment.agent_id if event.assignment else None},
        )
    else:
        logger.info(
            "handoff written back", extra={**where, "note": written.note, "assignment": written.assignment}
        )


function = BatchFunction("helpdesk-writeback", HandoffPrepared, build=build, handle=handle, module=__name__)
logger, metrics = function.logger, function.metrics
lambda_handler = function.lambda_handler
