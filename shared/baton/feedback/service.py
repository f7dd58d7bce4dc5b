"""The `feedback` consumer's logic: escalations, assignments, agent messages and outcomes -> the facts of a
conversation -> its label (`baton.feedback.labels`), stored in the conversation's partition (`FEEDBACK`, shown as
`outcome_label`) and published as `OutcomeLabeled` when it changes.

Events come in any order and more than once: the facts are a union (`Facts`), and the label a pure function
of them, so a replay labels exactly like live traffic and a late outcome relabels the conversation. Each write
is conditional on the item's version (a concurrent event re-reads and applies again); the label event is
published before the write, with an id derived from the label, so a retry publishes the same event.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

from pydantic import Field

from baton.adapters.memory import MemoryStateStore
from baton.adapters.state_item import DynamoStateStore
from baton.errors import ConcurrentUpdate
from baton.events import (
    BusEvent,
    EscalationDecided,
    HandoffPrepared,
    MessageReceived,
    OutcomeLabeled,
    OutcomeRecorded,
    event_id_for,
)
from baton.feedback.labels import Facts, Label, LabelRules, OutcomeFact, label
from baton.models import View, utcnow
from baton.ordered import OrderedState, StateItem

ATTEMPTS = 5
EVENTS: tuple[type[BusEvent], ...] = (EscalationDecided, HandoffPrepared, MessageReceived, OutcomeRecorded)


class FeedbackState(OrderedState):
    facts: Facts = Field(default_factory=Facts)
    label: Label | None = None


FEEDBACK = StateItem(sk="FEEDBACK", state_type=FeedbackState, event_type=OutcomeLabeled, what="the feedback")


class DynamoFeedbackStore(DynamoStateStore[FeedbackState, OutcomeLabeled]):
    spec = FEEDBACK


class MemoryFeedbackStore(MemoryStateStore[FeedbackState, OutcomeLabeled]):
    spec = FEEDBACK


def with_event(facts: Facts, event: BusEvent) -> Facts:
    """The facts after one event (unchanged by an event that says nothing about the outcome)."""
    if isinstance(event, EscalationDecided):
        if event.action != "escalate":
            return facts
        cause = event.escalated_because
        # The message's time, not the decision's: a replay or a backfill decides later, but labels the same.
        at = event.sent_at or event.decided_at
        return facts.escalated(at, cause.seq if cause is not None else event.seq)
    if isinstance(event, HandoffPrepared):
        return facts.assigned(event.assignment.assigned_at) if event.assignment is not None else facts
    if isinstance(event, MessageReceived):
        message = event.message
        return facts.agent_message(message.message_id, message.sent_at) if message.role == "agent" else facts
    if isinstance(event, OutcomeRecorded):
        return facts.outcome(
            OutcomeFact(
                event_id=event.event_id,
                kind=event.kind,
                at=event.occurred_at,
                resolved_by=event.resolved_by,
                csat=event.csat,
            )
        )
    return facts


class FeedbackService:
    def __init__(
        self,
        store: Any,
        publisher: Any,
        rules: LabelRules | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        """`store`: a `baton.ordered.StateStore` of `FeedbackState` (`DynamoFeedbackStore`, `MemoryFeedbackStore`)."""
        self.store = store
        self.publisher = publisher
        self.rules = rules or LabelRules()
        self.clock = clock

    def handle(self, event: BusEvent) -> Label | None:
        """Apply one event; the conversation's label after it (None when the event says nothing new)."""
        conversation_id = getattr(event, "conversation_id", None)
        if conversation_id is None:
            return None
        for _ in range(ATTEMPTS):
            stored = self.store.load(conversation_id)
            state = stored.state if stored is not None else FeedbackState()
            facts = with_event(state.facts, event)
            new_label = label(facts, self.rules)
            if facts == state.facts and new_label == state.label:
                return state.label
            labeled = None
            if new_label != state.label:
                labeled = _labeled_event(conversation_id, new_label, self.clock())
                self.publisher.publish([labeled])
            new_state = state.model_copy(update={"facts": facts, "label": new_label})
            try:
                self.store.save(
                    conversation_id,
                    new_state,
                    labeled,
                    expected_version=stored.version if stored is not None else 0,
                    at=self.clock(),
                    view=View(
                        capability="feedback", fields={"outcome_label": new_label.model_dump(mode="json")}
                    ),
                )
                return new_label
            except ConcurrentUpdate:
                continue
        raise ConcurrentUpdate(f"the feedback of {conversation_id!r} kept changing; retried later")


def _labeled_event(conversation_id: str, result: Label, now: datetime) -> OutcomeLabeled:
    digest = hashlib.sha256(result.model_dump_json().encode()).hexdigest()[:16]
    return OutcomeLabeled(
        event_id=event_id_for(OutcomeLabeled.DETAIL_TYPE, conversation_id, digest),
        occurred_at=now,
        conversation_id=conversation_id,
        label=result.label,
        rule=result.rule,
        reason=result.reason,
        rules_version=result.rules_version,
        at=result.at,
    )
