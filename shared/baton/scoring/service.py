"""The scoring use case: a MessageReceived in, its conversation's arc advanced once, MessageScored out.

Messages are applied in order and once, per conversation, against the stored arc (`ArcStore`, optimistic
locking on its `version`):

- `seq <= last_seq`: already applied. Nothing changes; the latest MessageScored is published again when this
  is its message (same deterministic event id, same content: consumers de-duplicate).
- `seq > last_seq + 1`: its predecessor has not been applied yet. It is usually being scored at that very
  moment (two messages typed seconds apart, in two concurrent batches), so the service may re-read the arc
  for up to `wait_s` first; then `OutOfOrder`, and the queue delivers it again later (after the queue's
  visibility timeout: minutes, hence the short wait). When the caller says to stop waiting (the handler
  does on the last receive before the dead-letter queue), the arc goes on without the missing messages
  and counts them (`unscored_messages`): one lost message must not stall the rest of its conversation,
  nor a conversation that began before the scoring capability was deployed.
- otherwise: score, **publish, then commit** the arc (a conditional write). Every applied message has
  therefore been published: a crash between the two is a redelivery that scores the same message from the
  same arc again and publishes the same event id. (Committing first would make a failed publish lose the
  event once later messages moved the arc on, and an ordered consumer downstream would wait for it
  forever.) Two deliveries of one message racing each other both publish the same event; one commit lands.

A `MessageRedacted` is applied at once, out of the message order (`redact`): the arc forgets the message's
fingerprints and the latest event's text when it is that message's, and remembers the id, so a message
whose redaction overtook it is scored as the store holds it, redacted (`baton.redaction`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from baton.errors import OutOfOrder, PayloadError
from baton.events import MessageReceived, MessageRedacted, MessageScored, event_id_for
from baton.models import utcnow
from baton.ordered import load_after_predecessor
from baton.ports import ArcStore, EventPublisher
from baton.redaction import as_stored, commit_result, redact_stored
from baton.scoring import arc
from baton.scoring.arc import ArcState
from baton.scoring.scorer import Scorer

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Handled:
    outcome: Literal["scored", "duplicate"]
    event: MessageScored | None
    """The MessageScored published (for a duplicate: the one re-published, if any)."""
    unscored: int = 0
    """Messages before this one the arc went on without (only when told to stop waiting)."""
    waited_s: float = 0.0
    """How long it waited for its predecessor."""


class ScoringService:
    def __init__(
        self,
        scorer: Scorer,
        arcs: ArcStore,
        publisher: EventPublisher,
        clock: Callable[[], datetime] = utcnow,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.scorer = scorer
        self.arcs = arcs
        self.publisher = publisher
        self.clock = clock
        self.sleep = sleep
        self.model_versions = scorer.models.versions()

    def handle(
        self, received: MessageReceived, *, wait_s: float = 0.0, stop_waiting: bool = False
    ) -> Handled:
        """Apply one message (see the module docstring). `wait_s`: how long to wait for a predecessor being
        scored right now; `stop_waiting`: go on without a predecessor that is still missing after that."""
        conversation_id, seq = received.conversation_id, received.seq
        if received.message.seq != seq:
            raise PayloadError("message.seq", f"is {received.message.seq} but the event's seq is {seq}")
        stored, waited = load_after_predecessor(
            lambda: self.arcs.load(conversation_id),
            lambda found: found.state.last_seq if found else 0,
            seq,
            wait_s,
            self.sleep,
        )
        last_seq = stored.state.last_seq if stored else 0
        if seq <= last_seq:
            return replace(self._already_applied(received, stored.event if stored else None), waited_s=waited)
        if seq > last_seq + 1 and not stop_waiting:
            raise OutOfOrder(
                f"message seq {seq} of {conversation_id!r} arrived before seq {last_seq + 1} was scored"
            )

        state = stored.state if stored else ArcState()
        message = as_stored(received.message, state.redacted)  # a redaction that overtook its message
        scores, state = self.scorer.score(message, state)
        event = MessageScored(
            event_id=event_id_for(MessageScored.DETAIL_TYPE, conversation_id, received.message.message_id),
            occurred_at=self.clock(),
            conversation_id=conversation_id,
            seq=seq,
            message_id=received.message.message_id,
            role=received.message.role,
            scores=scores,
            arc=state.public(),
            model_versions=self.model_versions,
            message=message,
        )
        self.publisher.publish([event])
        stored_now = commit_result(
            state,
            event,
            stored.version if stored else 0,
            save=lambda state, event, version: self.arcs.save(
                conversation_id, state, event, expected_version=version, at=self.clock()
            ),
            load=lambda: self.arcs.load(conversation_id),
            forgetting=forgetting,
            seq=seq,
            last_seq=last_seq,
        )
        if not stored_now:
            # Another delivery of this message committed first, from the same arc: the same event.
            logger.info(
                "message scored concurrently by another delivery",
                extra={"conversation_id": conversation_id, "seq": seq},
            )
            return Handled("duplicate", None)
        return Handled("scored", event, unscored=seq - last_seq - 1, waited_s=waited)

    def redact(self, redaction: MessageRedacted) -> bool:
        """Forget what the arc keeps of a message the helpdesk redacted (its fingerprints; the text of the
        latest scored message, when it is that one) and remember the id, so a delivery of the message still
        to come is scored as redacted. True when the arc changed; a repeated redaction changes nothing."""
        conversation_id = redaction.conversation_id
        return redact_stored(
            redaction,
            load=lambda: self.arcs.load(conversation_id),
            save=lambda state, event, version: self.arcs.save(
                conversation_id, state, event, expected_version=version, at=self.clock()
            ),
            forgetting=forgetting,
            empty=ArcState,
            what=f"the arc of {conversation_id!r}",
        )

    def _already_applied(self, received: MessageReceived, latest: MessageScored | None) -> Handled:
        if (
            latest is not None
            and latest.seq == received.seq
            and latest.message_id == received.message.message_id
        ):
            self.publisher.publish([latest])
            return Handled("duplicate", latest)
        return Handled("duplicate", None)


def forgetting(
    state: ArcState, event: MessageScored | None, redacted: Mapping[str, datetime]
) -> tuple[ArcState, MessageScored | None]:
    """The arc without the redacted messages' fingerprints (their ids remembered), and the event with its
    message redacted when it is one of them."""
    for message_id, at in redacted.items():
        state = arc.forget(state, message_id, at)
    if event is not None and event.message is not None and event.message_id in redacted:
        event = event.model_copy(update={"message": event.message.redacted(redacted[event.message_id])})
    return state, event
