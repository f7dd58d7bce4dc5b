"""SQS consumer of the `insights` subscription (baton.bus): every event about a conversation -> its summary (the
console's list) and its KPI buckets (`baton.insights.service`); and, on its hourly clock (a scheduled
`RoutingClockTicked` on this queue), the metrics `EscalationRate` and `EscalationRateDriftPts` the drift alarm
watches. Unordered: the summary is a pure function of the facts, whatever order they come in. Failures, with their
cause: `baton.consumer`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit

from baton.consumer import BatchFunction
from baton.events import RoutingClockTicked
from baton.insights.facts import EVENTS
from baton.insights.service import InsightsService
from baton.settings import Settings


def build(settings: Settings) -> InsightsService:
    from baton import wiring

    return wiring.insights_service(settings)


def handle(service: InsightsService, event: Any, metrics: Metrics) -> None:
    if isinstance(event, RoutingClockTicked):
        for name, value in service.tick().metrics().items():
            unit = MetricUnit.Percent if name == "EscalationRate" else MetricUnit.NoUnit
            metrics.add_metric(name=name, unit=unit, value=value)
        return
    if service.handle(event) is not None:
        metrics.add_metric(name="SummariesUpdated", unit=MetricUnit.Count, value=1)


def local_tick(service: InsightsService, now: datetime) -> None:
    """`baton local`'s clock (`baton.local.runtime`): the same figures, logged rather than sent to CloudWatch."""
    tick = service.tick(now)
    function.logger.info("insights clock", extra=tick.metrics())


function = BatchFunction("insights", *EVENTS, RoutingClockTicked, build=build, handle=handle, module=__name__)
logger, metrics = function.logger, function.metrics
lambda_handler = function.lambda_handler
