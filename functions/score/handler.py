"""SQS consumer of the `score` subscription (baton.bus): MessageReceived -> the arc advanced, MessageScored;
MessageRedacted -> the arc forgets the message. Order, once-only, redaction and failures: `baton.ordered` and
`baton.consumer`. Models load once per container, on the first record."""

from __future__ import annotations

from baton.consumer import OrderedFunction
from baton.events import MessageReceived
from baton.scoring.service import ScoringConsumer
from baton.settings import Settings


def build(settings: Settings) -> ScoringConsumer:
    from baton import wiring

    return wiring.scoring_consumer(settings)


function = OrderedFunction("score", MessageReceived, build=build, module=__name__)
logger, metrics, batch = function.logger, function.metrics, function.batch
lambda_handler = function.lambda_handler
