"""The decision use case: a MessageScored in, enriched and decided once, in order; EscalationDecided out.

Messages are applied in order and once, per conversation, against the stored `DecisionState`
(`baton.ports.DecisionStore`, optimistic locking on its `version`), exactly as the scoring service applies
them to the arc:

- `seq <= last_seq`: already applied. Nothing changes; the latest EscalationDecided is published again when
  this is its message (same deterministic event id: consumers de-duplicate).
- `seq > last_seq + 1`: its predecessor has not been decided yet: wait briefly (`wait_s`), then `OutOfOrder`,
  and the queue delivers it again later; told to stop waiting (its last receive before the DLQ), it goes on.
- a customer message: enrich (`ContextSource.context`: at most two DynamoDB round trips), decide
  (`baton.decision.engine.decide`), **publish, then commit** (a redelivery after a crash between the two
  decides the same message from the same state and publishes the same event id).
- a bot or agent message (or a redacted or empty customer message): nothing to decide (the next customer message's arc carries what it did); the
  state moves past it so that order holds, and nothing is published.

A `MessageRedacted` is applied at once, out of the message order (`redact`): the latest decision forgets a
guardrail's quote of that message, and the id is remembered, so a message whose redaction overtook it is
not decided from its text (`baton.redaction`).

The parameters come from `params()` on every message: the function passes a cached Powertools parameters
lookup (a team's new thresholds apply within its max age, with no redeploy); tests pass a constant.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from baton.context.models import Activity, Context, ErrorSeen
from baton.decision.engine import Decision, DecisionState, decide
from baton.decision.params import DecisionParams
from baton.errors import OutOfOrder
from baton.events import EscalationDecided, MessageRedacted, MessageScored, MessageSnapshot
from baton.models import Reason, Role, utcnow
from baton.ordered import load_after_predecessor
from baton.ports import ContextSource, DecisionStore, EventPublisher
from baton.redaction import as_stored, commit_result, redact_stored, remember

logger = logging.getLogger(__name__)

REDACTED_EVIDENCE = "the message was redacted"
"""A guardrail's evidence after the helpdesk redacted the message it quoted."""


@dataclass(frozen=True)
class Handled:
    outcome: Literal["decided", "skipped", "duplicate"]
    event: EscalationDecided | None = None
    decision: Decision | None = None
    waited_s: float = 0.0
    skipped_messages: int = 0
    """Messages before this one the state went on without (only when told to stop waiting)."""


ERROR_ACTION = ("error", "failed", "exception")
"""A `page.recent_actions` entry whose type contains one of these is an error the product showed."""


def with_page(context: Context, message: MessageSnapshot) -> Context:
    """The context with what the message itself says about the customer's product activity: the page they are
    on and their recent actions (errors among them count as errors seen, e.g. `error_shown`), in front of the
    stored activity."""
    page = message.page
    if page is None:
        return context
    stored = context.activity or Activity()
    errors = [
        # The API allows longer action types than an error code: keep the start, never fail the message on it.
        ErrorSeen(at=action.at, code=action.type[:128], message=action.detail)
        for action in page.recent_actions
        if any(word in action.type.lower() for word in ERROR_ACTION)
    ]
    activity = Activity(
        page=page.url[:2048],
        recent_actions=([a.type for a in page.recent_actions] + list(stored.recent_actions))[:50],
        errors_seen=(errors + list(stored.errors_seen))[:50],
    )
    return context.model_copy(update={"activity": activity})


class DecisionService:
    def __init__(
        self,
        params: Callable[[], DecisionParams],
        contexts: ContextSource,
        decisions: DecisionStore,
        publisher: EventPublisher,
        clock: Callable[[], datetime] = utcnow,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.params = params
        self.contexts = contexts
        self.decisions = decisions
        self.publisher = publisher
        self.clock = clock
        self.sleep = sleep

    def handle(self, scored: MessageScored, *, wait_s: float = 0.0, stop_waiting: bool = False) -> Handled:
        conversation_id, seq = scored.conversation_id, scored.seq
        stored, waited = load_after_predecessor(
            lambda: self.decisions.load(conversation_id),
            lambda found: found.state.last_seq if found else 0,
            seq,
            wait_s,
            self.sleep,
        )
        state = stored.state if stored else DecisionState()
        version = stored.version if stored else 0
        if seq <= state.last_seq:
            latest = stored.event if stored else None
            if latest is not None and latest.seq == seq and latest.message_id == scored.message_id:
                self.publisher.publish([latest])
                return Handled("duplicate", latest, waited_s=waited)
            return Handled("duplicate", waited_s=waited)
        if seq > state.last_seq + 1 and not stop_waiting:
            raise OutOfOrder(
                f"message seq {seq} of {conversation_id!r} arrived before seq {state.last_seq + 1} was decided"
            )
        skipped = seq - state.last_seq - 1
        now = self.clock()

        # A redaction that overtook the message: decide from what the store holds now, without its text (the
        # scores, computed before the redaction, carry none and still count: "get me a human" stays heard).
        message = as_stored(scored.message, state.redacted) if scored.message is not None else None
        undecidable = message is not None and scored.scores.sentiment is None and not message.text.strip()
        if scored.role != Role.customer or message is None or undecidable:
            if scored.role == Role.customer and scored.message is None:
                logger.warning(
                    "MessageScored without its message (an older scoring version): decided without text or "
                    "context",
                    extra={"conversation_id": conversation_id, "seq": seq},
                )
            else:
                moved = state.model_copy(update={"last_seq": seq})
                self._commit(conversation_id, moved, None, version, now, seq, state.last_seq)
                return Handled("skipped", waited_s=waited, skipped_messages=skipped)

        context = (
            with_page(
                self.contexts.context(message.customer.account_id, message.customer.id, now=now), message
            )
            if message is not None
            else Context(now=now)
        )
        decision, new_state = decide(
            scored.scores,
            scored.arc,
            context,
            state,
            self.params(),
            text=message.text if message is not None else "",
            seq=seq,
        )
        if decision.action == "escalate" and decision.previous != "escalate":
            new_state = new_state.model_copy(update={"escalated_message_id": scored.message_id})
        event = decision.event(
            conversation_id=conversation_id, seq=seq, message_id=scored.message_id, decided_at=now
        )
        self.publisher.publish([event])
        self._commit(conversation_id, new_state, event, version, now, seq, state.last_seq)
        return Handled("decided", event, decision, waited_s=waited, skipped_messages=skipped)

    def redact(self, redaction: MessageRedacted) -> bool:
        """Forget a guardrail's quote of a message the helpdesk redacted (the latest decision's evidence, when
        it decided that message) and remember the id, so a delivery of the message still to come is decided
        without its text. True when the stored state changed; a repeated redaction changes nothing."""
        conversation_id = redaction.conversation_id
        return redact_stored(
            redaction,
            load=lambda: self.decisions.load(conversation_id),
            save=lambda state, event, version: self.decisions.save(
                conversation_id, state, event, expected_version=version, at=self.clock()
            ),
            forgetting=forgetting,
            empty=DecisionState,
            what=f"the decision state of {conversation_id!r}",
        )

    def _commit(
        self,
        conversation_id: str,
        state: DecisionState,
        event: EscalationDecided | None,
        version: int,
        at: datetime,
        seq: int,
        last_seq: int,
    ) -> None:
        """Store what deciding message `seq` (after `last_seq`) produced, once it is published."""
        stored_now = commit_result(
            state,
            event,
            version,
            save=lambda state, event, version: self.decisions.save(
                conversation_id, state, event, expected_version=version, at=at
            ),
            load=lambda: self.decisions.load(conversation_id),
            forgetting=forgetting,
            seq=seq,
            last_seq=last_seq,
        )
        if not stored_now:
            logger.info(
                "message decided concurrently by another delivery",
                extra={"conversation_id": conversation_id, "seq": seq},
            )


def forgetting(
    state: DecisionState, event: EscalationDecided | None, redacted: Mapping[str, datetime]
) -> tuple[DecisionState, EscalationDecided | None]:
    """The state with the redacted ids remembered, and the event without a guardrail's quote of its message
    when it is one of them (the decision itself stands)."""
    remembered = state.redacted
    for message_id, at in redacted.items():
        remembered = remember(remembered, message_id, at)
    if remembered != state.redacted:
        state = state.model_copy(update={"redacted": remembered})
    if event is not None and event.message_id in redacted and event.guardrail is not None:
        reasons = _unquoted(event.reasons, event.guardrail)
        if reasons != event.reasons:
            event = event.model_copy(update={"reasons": reasons})
    # The escalation's cause travels on every later decision: forget its quote there too.
    guardrail = state.escalated_by if state.escalated_by not in (None, "risk") else None
    if guardrail is not None and state.escalated_message_id in redacted:
        kept = _unquoted(state.escalated_reasons, guardrail)
        if kept != state.escalated_reasons:
            state = state.model_copy(update={"escalated_reasons": kept})
        cause = event.escalated_because if event is not None else None
        if cause is not None and cause.seq == state.escalated_seq:
            unquoted = _unquoted(cause.reasons, guardrail)
            if unquoted != cause.reasons:
                event = event.model_copy(  # type: ignore[union-attr]
                    update={"escalated_because": cause.model_copy(update={"reasons": unquoted})}
                )
    return state, event


def _unquoted(reasons: list[Reason], guardrail: str) -> list[Reason]:
    return [
        r.model_copy(update={"evidence": REDACTED_EVIDENCE}) if r.code == guardrail else r for r in reasons
    ]
