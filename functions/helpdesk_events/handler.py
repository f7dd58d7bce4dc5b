"""SQS consumer of the `helpdesk-events` subscription (baton.bus): helpdesk partner events (Zendesk Events
Connector) -> canonical messages, outcomes and redactions (`baton.ingestion.helpdesk_events`). Failures, with
their cause: `baton.consumer`."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit

from baton.consumer import AnyEventRecord, BatchFunction
from baton.ingestion.helpdesk_events import apply_partner_event
from baton.ingestion.service import IngestionService
from baton.settings import Settings


def build(settings: Settings) -> IngestionService:
    from baton import wiring

    return wiring.ingestion_service(settings)


def handle(service: IngestionService, partner_event: dict[str, Any], metrics: Metrics) -> None:
    metrics.add_metric(name="HelpdeskEvents", unit=MetricUnit.Count, value=1)
    report = apply_partner_event(partner_event, service)
    for name, value in report.counts().items():
        if value:
            metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)


function = BatchFunction("helpdesk-events", build=build, handle=handle, module=__name__, model=AnyEventRecord)
logger, metrics = function.logger, function.metrics
lambda_handler = function.lambda_handler
