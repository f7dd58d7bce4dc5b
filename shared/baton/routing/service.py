"""The routing capability's logic for the ordered consumer (`baton.ordered`): an escalation in, the
conversation queued for an agent and the bot paused.

Routing sees only escalations (`order="latest"`: the decision's messages are not contiguous here). Every
decision after an escalation is an escalation too (it carries `escalated_because`): one escalation is routed
once, keyed on the escalating message's seq; a later one (after a hand-back, a new trigger) is routed again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, ClassVar, Literal

from pydantic import BaseModel

from baton.events import EscalationDecided, HandoffPrepared
from baton.models import ConversationStatus, UtcDatetime, View, utcnow
from baton.ordered import Applied, MessageLedger, OrderedConsumer, OrderedState, StateStore, remember

ROUTING_RANK = 20
"""Routing's status (`queued`, `assigned`) wins over the decision's (`escalated`)."""


class BotState(BaseModel):
    paused: bool = False
    since: UtcDatetime | None = None
    reason: str | None = None


class RoutingState(OrderedState):
    escalation_seq: int | None = None
    """The escalating message of the escalation being routed (None: nothing to route)."""
    queued_since: UtcDatetime | None = None
    bot: BotState = BotState()


class RoutingLogic:
    name: ClassVar[str] = "the routing state"
    order: ClassVar[Literal["every", "latest"]] = "latest"
    skipped_metric: ClassVar[str] = "UnroutedMessages"

    def empty(self) -> RoutingState:
        return RoutingState()

    def apply(
        self, state: RoutingState, event: EscalationDecided, *, now: datetime
    ) -> Applied[RoutingState, HandoffPrepared]:
        escalating = event.escalated_because.seq if event.escalated_because is not None else event.seq
        if event.action != "escalate" or state.escalation_seq == escalating:
            return Applied(state)  # not an escalation, or this one is already routed
        reason = event.guardrail or "risk"
        routed = state.model_copy(
            update={
                "escalation_seq": escalating,
                "queued_since": now,
                "bot": BotState(paused=True, since=now, reason=f"escalated: {reason}"),
            }
        )
        return Applied(routed, metrics={"EscalationsQueued": 1}, log={"escalation_seq": escalating})

    def forget(
        self, state: RoutingState, latest: HandoffPrepared | None, redacted: Mapping[str, datetime]
    ) -> tuple[RoutingState, HandoffPrepared | None]:
        remembered = dict(state.redacted)
        for message_id, at in redacted.items():
            remembered = remember(remembered, message_id, at)
        return state.model_copy(update={"redacted": remembered}), latest

    def view(self, state: RoutingState, latest: HandoffPrepared | None) -> View | None:
        if state.escalation_seq is None:
            return None
        shown = state.model_dump(mode="json", include={"queued_since", "bot"})
        fields: dict[str, Any] = {
            "assignment": {"state": "queued", "since": shown["queued_since"]},
            "bot": shown["bot"],
        }
        return View(capability="routing", fields=fields, status=ConversationStatus.queued, rank=ROUTING_RANK)


type RoutingConsumer = OrderedConsumer[RoutingState, EscalationDecided, HandoffPrepared]


def routing_consumer(
    store: StateStore[RoutingState, HandoffPrepared],
    publisher: Any,
    ledger: MessageLedger | None = None,
    *,
    clock: Callable[[], datetime] = utcnow,
) -> RoutingConsumer:
    return OrderedConsumer(RoutingLogic(), store, publisher, ledger, clock=clock)
