"""The ingestion use case: store a message once, in order, then announce it on the bus.

Store first, publish second, remember that the publish happened: a retry of a message whose
publish failed publishes it again (at-least-once; the event id is deterministic so consumers
de-duplicate), and a retry of a fully processed message changes nothing.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from baton.errors import NotFound, NotWithAnAgent, PublishInProgress
from baton.events import (
    HandedBack,
    MessageReceived,
    MessageRedacted,
    MessageSnapshot,
    OutcomeRecorded,
    event_id_for,
)
from baton.models import Conversation, ConversationStatus, MessageIn, Outcome, Source, StoredMessage, utcnow
from baton.ports import PUBLISH_LEASE_S, AppendResult, ConversationStore, EventPublisher

OUTCOME_STATUS = {
    "resolved": ConversationStatus.resolved,
    "closed": ConversationStatus.closed,
    "reopened": ConversationStatus.open,
}


PUBLISH_WAIT_S = 2.0
"""How long a duplicate waits for the request that publishes its message before answering 503 (retry later)."""


@dataclass(frozen=True)
class Ingested:
    message: StoredMessage
    duplicate: bool


class IngestionService:
    def __init__(
        self,
        store: ConversationStore,
        publisher: EventPublisher,
        clock: Callable[[], datetime] = utcnow,
        *,
        publish_wait_s: float = PUBLISH_WAIT_S,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.store = store
        self.publisher = publisher
        self.clock = clock
        self.publish_wait_s = publish_wait_s
        self._sleep = sleep

    def receive(self, conversation_id: str, message: MessageIn, *, source: Source = Source.api) -> Ingested:
        """Store the message once and publish `MessageReceived` once: of concurrent duplicates, only the holder of
        the publish claim publishes (the creator, or a retry after a failed publish); the others wait for it
        (`PublishInProgress` after `publish_wait_s`). A bot's or agent's message without `customer` is stored and
        published with the conversation's (`CustomerRequired` when it has none yet)."""
        result = self.store.append_message(conversation_id, message, source=source, received_at=self.clock())
        if not result.published:
            self._publish_once(conversation_id, result)
        return Ingested(message=result.message, duplicate=not result.created)

    def _publish_once(self, conversation_id: str, result: AppendResult) -> None:
        message_id = result.message.message_id
        token = result.claim or self._claim(conversation_id, message_id)
        if token is None:
            return  # published by the claim's holder meanwhile
        try:
            self.publisher.publish([message_received(result.message)])
        except BaseException:
            self.store.release_publish(conversation_id, message_id, token=token)
            raise
        self.store.mark_published(conversation_id, message_id)

    def _claim(self, conversation_id: str, message_id: str) -> str | None:
        """A claim's token, or None once the message is published; waits while another request holds it."""
        token = uuid.uuid4().hex
        deadline = time.monotonic() + self.publish_wait_s
        delay = 0.02
        while True:
            state = self.store.claim_publish(
                conversation_id, message_id, token=token, now=self.clock(), lease_s=PUBLISH_LEASE_S
            )
            if state == "claimed":
                return token
            if state == "published":
                return None
            if time.monotonic() >= deadline:
                raise PublishInProgress(conversation_id, message_id)
            self._sleep(delay)
            delay = min(delay * 2, 0.2)

    def record_outcome(self, event: OutcomeRecorded) -> None:
        """A helpdesk status change or rating: update the conversation, then publish."""
        current = self.store.get_conversation(event.conversation_id)
        status = OUTCOME_STATUS.get(event.kind) or (current.status if current else ConversationStatus.open)
        outcome = Outcome(
            kind=event.kind, at=event.occurred_at, csat=event.csat, resolved_by=event.resolved_by
        )
        if event.kind == "rated" and current and current.outcome and current.outcome.kind != "rated":
            # A rating does not undo "resolved": keep the kind, add the score.
            outcome = current.outcome.model_copy(update={"csat": event.csat})
        self.store.record_outcome(
            event.conversation_id, outcome, status, source=event.source, at=self.clock()
        )
        self.publisher.publish([event])

    def redact(self, conversation_id: str, message_id: str) -> bool:
        """The helpdesk redacted a message: Baton stops holding its text (`ConversationStore.redact_message`),
        then publishes `MessageRedacted` so the capabilities that keep something derived from it forget it
        too (scoring: the arc's fingerprints of recent messages and the latest scored message; decision: a
        guardrail's quote). A consumer that has not processed the message yet processes it as redacted.

        True when a stored copy was (or already had been) redacted; False when Baton never stored
        the message (the id is remembered as redacted all the same, so a late delivery of it is
        stored without its content, and announced redacted). Only a stored copy is announced: a
        message never stored was never published, so no consumer holds anything of it. A `MessageReceived`
        published again for a redacted message (a retried publish) carries the redacted snapshot:
        empty text, `redacted_at` set. Copies Baton cannot edit (the bus archive, messages waiting in
        a queue or DLQ) expire with their retention (README, "Redactions").
        """
        at = self.clock()
        had_copy = self.store.redact_message(conversation_id, message_id, at=at)
        if not had_copy:
            return False
        self.publisher.publish(
            [
                MessageRedacted(
                    event_id=event_id_for(MessageRedacted.DETAIL_TYPE, conversation_id, message_id),
                    occurred_at=at,
                    conversation_id=conversation_id,
                    message_id=message_id,
                    redacted_at=at,
                )
            ]
        )
        return True

    def conversation(self, conversation_id: str) -> Conversation | None:
        return self.store.get_conversation(conversation_id)

    def record_api_outcome(
        self,
        conversation_id: str,
        *,
        kind: Literal["resolved", "closed", "reopened", "rated"],
        resolved_by: Literal["bot", "agent", "unknown"],
        csat: int | None,
        at: datetime,
    ) -> OutcomeRecorded:
        """An outcome from a chat frontend (`POST .../outcome`): one event per (conversation, kind, at), so a retry
        records and publishes the same outcome. NotFound for a conversation Baton never saw."""
        if self.store.get_conversation(conversation_id) is None:
            raise NotFound(conversation_id)
        event = OutcomeRecorded(
            event_id=event_id_for(OutcomeRecorded.DETAIL_TYPE, conversation_id, kind, at.isoformat()),
            occurred_at=at,
            conversation_id=conversation_id,
            source=Source.api,
            kind=kind,
            csat=csat,
            resolved_by=resolved_by,
        )
        self.record_outcome(event)
        return event

    def hand_back(self, conversation_id: str, *, agent_id: str | None, reason: str | None) -> HandedBack:
        """The agent hands the conversation back to the bot: `HandedBack` is published (routing frees the
        agent's capacity and unpauses the bot; the decision escalates again only on a new trigger). NotFound
        when Baton holds no such conversation; NotWithAnAgent when it is neither assigned nor queued. One
        event per assignment (its id derives from it): a repeated hand-back publishes the same event."""
        conversation = self.store.get_conversation(conversation_id)
        if conversation is None:
            raise NotFound(conversation_id)
        assignment = conversation.assignment or {}
        if assignment.get("state") not in ("assigned", "queued"):
            raise NotWithAnAgent(conversation_id)
        since = str(assignment.get("assigned_at") or assignment.get("since") or "")
        event = HandedBack(
            event_id=event_id_for(HandedBack.DETAIL_TYPE, conversation_id, since),
            occurred_at=self.clock(),
            conversation_id=conversation_id,
            agent_id=agent_id or assignment.get("agent_id"),
            reason=reason,
        )
        self.publisher.publish([event])
        return event


def message_received(message: StoredMessage) -> MessageReceived:
    return MessageReceived(
        event_id=event_id_for("MessageReceived", message.conversation_id, message.message_id),
        occurred_at=message.received_at,
        conversation_id=message.conversation_id,
        seq=message.seq,
        message=MessageSnapshot.model_validate(message.model_dump()),
    )
