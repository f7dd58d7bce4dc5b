"""SQS consumer of the `helpdesk-events` subscription (baton.bus): Zendesk Events Connector events
-> canonical messages, outcomes and redactions. The SQS body is the whole EventBridge event.

A record that is not JSON or not a Zendesk partner event fails (batch item failure, then the DLQ
after maxReceiveCount): it is never dropped silently. Event types Baton does not know are
acknowledged, logged and counted (`UnknownTopics`). Retries are safe: messages are idempotent on
their Zendesk ids and outcomes carry deterministic event ids.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from baton.errors import PayloadError
from baton.ingestion.connectors import zendesk_partner
from baton.ingestion.connectors.base import Translation, apply, validation_to_payload_error
from baton.ingestion.service import IngestionService
from baton.ordered import parse_record
from baton.settings import Settings

logger = Logger(service="helpdesk-events")
metrics = Metrics(namespace="Baton", service="helpdesk-events")
# Every record is reported on its own, even when all fail: SQS retries exactly the failed ones.
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
# The domain logs through stdlib `baton.*` loggers: give them this function's JSON format.
copy_config_to_registered_loggers(source_logger=logger, include={"baton"})


@dataclass(frozen=True)
class Dependencies:
    service: IngestionService


@functools.cache
def build_dependencies(settings: Settings) -> Dependencies:
    """Built once per container. The adapters (boto3) are imported here, not at import time; the
    same wiring points them at DynamoDB Local and the local bus under `baton local`."""
    from baton import wiring

    return Dependencies(service=wiring.ingestion_service(settings))


def _translate(body: str) -> Translation:
    try:
        return zendesk_partner.translate(_event(body))
    except ValidationError as exc:
        raise validation_to_payload_error(exc) from None


def handle_record(record: SQSRecord, deps: Dependencies) -> None:
    metrics.add_metric(name="HelpdeskEvents", unit=MetricUnit.Count, value=1)
    translation = parse_record(record, _translate, logger=logger, metrics=metrics, what="helpdesk event")

    applied = apply(translation, deps.service)
    context = {"detail_type": translation.topic, "event_key": translation.dedup_key}
    if translation.unknown_topic:
        metrics.add_metric(name="UnknownTopics", unit=MetricUnit.Count, value=1)
        logger.warning(
            "unknown helpdesk event type acknowledged", extra={**context, "reason": translation.ignored}
        )
    elif translation.ignored:
        logger.info("helpdesk event acknowledged", extra={**context, "reason": translation.ignored})
    if applied.messages:
        metrics.add_metric(name="HelpdeskMessages", unit=MetricUnit.Count, value=applied.messages)
    if applied.outcomes:
        metrics.add_metric(name="HelpdeskOutcomes", unit=MetricUnit.Count, value=applied.outcomes)
    if applied.redactions:
        metrics.add_metric(name="HelpdeskRedactions", unit=MetricUnit.Count, value=applied.redactions)
    logger.debug(
        "helpdesk event applied",
        extra={
            **context,
            "messages": applied.messages,
            "outcomes": applied.outcomes,
            "redactions": applied.redactions,
        },
    )


def _event(body: str) -> dict[str, Any]:
    try:
        event = json.loads(body)
    except json.JSONDecodeError as exc:
        raise PayloadError("body", f"not valid JSON: {exc}") from None
    if not isinstance(event, dict):
        raise PayloadError("body", f"expected an EventBridge event (JSON object), got {type(event).__name__}")
    return event


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
