"""The scoring capability's logic for the ordered consumer (`baton.ordered`): a MessageReceived in, the
conversation's arc advanced, MessageScored out.

Order, once-only, the predecessor wait, publish-then-commit and redaction are the component's. What is
scoring's: scoring the message (as the store holds it: a redaction that overtook it on the bus means it is
scored redacted), forgetting a redacted message's fingerprints, and what the conversation shows (`scores`
of the latest customer message, and the `arc`).

    consumer = scoring_consumer(scorer, arcs, publisher, ledger)
    consumer.handle(received)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, ClassVar, Literal

from baton.events import MessageReceived, MessageScored, event_id_for
from baton.models import Role, View, utcnow
from baton.ordered import Applied, MessageLedger, OrderedConsumer, StateStore, as_stored
from baton.scoring import arc
from baton.scoring.arc import ArcState
from baton.scoring.scorer import Scorer


class ScoringLogic:
    name: ClassVar[str] = "the arc"
    order: ClassVar[Literal["every", "latest"]] = "every"
    skipped_metric: ClassVar[str] = "UnscoredMessages"

    def __init__(self, scorer: Scorer) -> None:
        self.scorer = scorer
        self.model_versions = scorer.models.versions()

    def empty(self) -> ArcState:
        return ArcState()

    def apply(
        self, state: ArcState, event: MessageReceived, *, now: datetime
    ) -> Applied[ArcState, MessageScored]:
        message = as_stored(event.message, state.redacted)
        scores, new_state = self.scorer.score(message, state)
        scored = MessageScored(
            event_id=event_id_for(MessageScored.DETAIL_TYPE, event.conversation_id, message.message_id),
            occurred_at=now,
            conversation_id=event.conversation_id,
            seq=event.seq,
            message_id=message.message_id,
            role=message.role,
            scores=scores,
            arc=new_state.public(),
            model_versions=self.model_versions,
            message=message,
        )
        shown = _scores_view(scored)
        if shown is not None:
            trail = [*new_state.trail, _trail_point(scored)][-TRAIL:]
            new_state = new_state.model_copy(update={"customer_scores": shown, "trail": trail})
        return Applied(new_state, scored, metrics={"MessagesScored": 1})

    def forget(
        self, state: ArcState, latest: MessageScored | None, redacted: Mapping[str, datetime]
    ) -> tuple[ArcState, MessageScored | None]:
        """The arc without the redacted messages' fingerprints (their ids remembered), and the latest event
        with its message redacted when it is one of them."""
        for message_id, at in redacted.items():
            state = arc.forget(state, message_id, at)
        if latest is not None and latest.message is not None and latest.message_id in redacted:
            latest = latest.model_copy(
                update={"message": latest.message.redacted(redacted[latest.message_id])}
            )
        return state, latest

    def view(self, state: ArcState, latest: MessageScored | None) -> View | None:
        """The arc, and the latest customer message's scores (kept shown while the bot or an agent answers)."""
        if latest is None:
            return None
        fields: dict[str, Any] = {"arc": latest.arc.model_dump(mode="json")}
        if state.customer_scores is not None:
            fields["scores"] = state.customer_scores
        if state.trail:
            fields["trail"] = state.trail
        return View(capability="scoring", fields=fields)


TRAIL = 100
"""Customer messages whose scores the conversation keeps in its trail (the console's chart, the handoff's
feeling)."""

SIGNALS = ("negative_feedback", "asks_for_human")


def _trail_point(event: MessageScored) -> dict[str, Any]:
    """One customer message on the conversation's trail: its sentiment, frustration, intent and the bot-failure
    signals it carries."""
    scores = event.scores
    signals = [name for name in SIGNALS if getattr(scores, name)]
    signals += [name for name, ref in (("rephrase", scores.rephrase_of), ("repeat", scores.repeat_of)) if ref]
    return {
        "seq": event.seq,
        "message_id": event.message_id,
        "sentiment": scores.sentiment,
        "frustration": scores.frustration,
        "intent": None if scores.out_of_scope else scores.intent,
        "product_area": None if scores.out_of_scope else scores.product_area,
        "skill": None if scores.out_of_scope else scores.skill,
        "signals": signals,
    }


def _scores_view(event: MessageScored) -> dict[str, Any] | None:
    if event.role != Role.customer or event.scores.sentiment is None:
        return None
    return {
        "message_id": event.message_id,
        "seq": event.seq,
        **event.scores.model_dump(mode="json", exclude_none=True),
    }


type ScoringConsumer = OrderedConsumer[ArcState, MessageReceived, MessageScored]


def scoring_consumer(
    scorer: Scorer,
    arcs: StateStore[ArcState, MessageScored],
    publisher: Any,
    ledger: MessageLedger | None = None,
    *,
    clock: Callable[[], datetime] = utcnow,
    sleep: Callable[[float], None] | None = None,
) -> ScoringConsumer:
    kwargs: dict[str, Any] = {"clock": clock} | ({"sleep": sleep} if sleep is not None else {})
    return OrderedConsumer(ScoringLogic(scorer), arcs, publisher, ledger, **kwargs)
