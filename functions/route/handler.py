"""SQS consumer of the `route` subscription (baton.bus): EscalationDecided (escalate) -> the conversation
routed to an agent or queued, the bot paused; MessageRedacted -> routing forgets the message. Order,
once-only, redaction and failures: `baton.ordered` and `baton.consumer`."""

from __future__ import annotations

from baton.consumer import OrderedFunction
from baton.events import EscalationDecided
from baton.routing.service import RoutingConsumer
from baton.settings import Settings


def build(settings: Settings) -> RoutingConsumer:
    from baton import wiring

    return wiring.routing_consumer(settings)


function = OrderedFunction("route", EscalationDecided, build=build, module=__name__)
logger, metrics, batch = function.logger, function.metrics, function.batch
lambda_handler = function.lambda_handler
