"""SQS consumer of the `feedback` subscription (baton.bus): escalations, assignments, agent messages, outcomes and
customer intents -> each conversation's outcome label (`baton.feedback.service`), and the contact records that
relabel an earlier conversation when its customer comes back on the same intent. Unordered: the label is a pure
function of the facts, whatever order they come in. Failures, with their cause: `baton.consumer`."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit

from baton.consumer import BatchFunction
from baton.feedback.service import EVENTS, FeedbackService
from baton.settings import Settings


def build(settings: Settings) -> FeedbackService:
    from baton import wiring

    return wiring.feedback_service(settings)


def handle(service: FeedbackService, event: Any, metrics: Metrics) -> None:
    result = service.handle(event)
    if result is not None:
        metrics.add_metric(name=f"Label_{result.label}", unit=MetricUnit.Count, value=1)


function = BatchFunction("feedback", *EVENTS, build=build, handle=handle, module=__name__)
logger, metrics = function.logger, function.metrics
lambda_handler = function.lambda_handler
