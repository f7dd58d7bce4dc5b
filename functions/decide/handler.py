"""SQS consumer of the `decide` subscription (baton.bus): MessageScored -> context, decision,
EscalationDecided; MessageRedacted -> the decision forgets a guardrail's quote of the message; HandedBack ->
no longer escalated, and only a new trigger escalates again. Order,
once-only, redaction and failures: `baton.ordered` and `baton.consumer`. The parameters are read through
Powertools parameters on every message, cached (`baton.wiring.decision_params`)."""

from __future__ import annotations

from baton.consumer import OrderedFunction
from baton.decision.engine import handed_back
from baton.decision.service import DecisionConsumer
from baton.events import HandedBack, MessageScored
from baton.settings import Settings


def build(settings: Settings) -> DecisionConsumer:
    from baton import wiring

    return wiring.decision_consumer(settings)


def hand_back(consumer: DecisionConsumer, event: HandedBack) -> bool:
    return consumer.amend(
        event.conversation_id, lambda s, latest: (handed_back(s), latest), why="handing back"
    )


function = OrderedFunction(
    "decide", MessageScored, build=build, module=__name__, amendments={HandedBack: hand_back}
)
logger, metrics, batch = function.logger, function.metrics, function.batch
lambda_handler = function.lambda_handler
