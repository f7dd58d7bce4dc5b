"""SQS consumer of the `context-events` subscription (baton.bus): accounts and incidents from CRM and
bug-tracker integrations, and closed conversations (contact history) -> the context table
(`baton.context.service`). Unordered: writes are newer-wins. Failures, with their cause: `baton.consumer`."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit

from baton.consumer import BatchFunction
from baton.context.service import EVENTS, ContextService
from baton.settings import Settings


def build(settings: Settings) -> ContextService:
    from baton import wiring

    return ContextService(wiring.context_store(settings), wiring.conversation_store(settings))


def handle(service: ContextService, event: Any, metrics: Metrics) -> None:
    metrics.add_metric(name=f"{service.handle(event)}Events", unit=MetricUnit.Count, value=1)


function = BatchFunction("context-events", *EVENTS, build=build, handle=handle, module=__name__)
logger, metrics = function.logger, function.metrics
lambda_handler = function.lambda_handler
