"""SQS consumer of the `route-capacity` subscription (baton.bus): agents' status and profiles, hand-backs,
ended and reopened conversations and the routing clock -> capacity freed or added, and the queue drained
(`baton.routing.service.Dispatcher`). Unordered: every assignment is one conditional transaction. Failures,
with their cause: `baton.consumer`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit

from baton.consumer import BatchFunction
from baton.events import RoutingClockTicked
from baton.routing.service import CAPACITY_EVENTS, Dispatcher
from baton.settings import Settings


def build(settings: Settings) -> Dispatcher:
    from baton import wiring

    return wiring.dispatcher(settings)


def handle(dispatcher: Dispatcher, event: Any, metrics: Metrics) -> None:
    drained = dispatcher.handle(event)
    metrics.add_metric(name="QueueAssigned", unit=MetricUnit.Count, value=drained.assigned)
    metrics.add_metric(name="QueueWaiting", unit=MetricUnit.Count, value=drained.waiting)


def local_tick(dispatcher: Dispatcher, now: datetime) -> None:
    """`baton local`'s routing clock (`baton.local.runtime`): the queue looked at again, without the deployed
    tick's wait for the next relaxation step."""
    dispatcher.drain(now)


function = BatchFunction(
    "route-capacity", *CAPACITY_EVENTS, RoutingClockTicked, build=build, handle=handle, module=__name__
)
logger, metrics = function.logger, function.metrics
lambda_handler = function.lambda_handler
