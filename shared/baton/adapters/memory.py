"""In-memory fakes of the ports, with the same semantics as the real adapters (tests and benches)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from baton.errors import MessageConflict
from baton.events import BusEvent
from baton.models import Conversation, ConversationStatus, MessageIn, Outcome, Source, StoredMessage
from baton.ports import AppendResult


class MemoryConversationStore:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._conversations: dict[str, Conversation] = {}
        self._messages: dict[str, dict[str, StoredMessage]] = {}
        self._published: set[tuple[str, str]] = set()
        # Redactions of messages not stored (yet): (conversation, message id) -> when.
        self._tombstones: dict[tuple[str, str], datetime] = {}

    def append_message(
        self, conversation_id: str, message: MessageIn, *, source: Source, received_at: datetime
    ) -> AppendResult:
        fingerprint = message.fingerprint()
        with self._lock:
            by_id = self._messages.setdefault(conversation_id, {})
            existing = by_id.get(message.message_id)
            if existing is not None:
                if existing.redacted_at is None and existing.fingerprint != fingerprint:
                    raise MessageConflict(conversation_id, message.message_id)
                published = (conversation_id, message.message_id) in self._published
                return AppendResult(message=existing, created=False, published=published)
            conv = self._conversations.get(conversation_id) or Conversation(
                conversation_id=conversation_id,
                source=source,
                customer=message.customer,
                created_at=received_at,
                updated_at=received_at,
            )
            stored = StoredMessage(
                conversation_id=conversation_id,
                seq=conv.message_count + 1,
                received_at=received_at,
                source=source,
                fingerprint=fingerprint,
                **message.model_dump(),
            )
            redacted_at = self._tombstones.pop((conversation_id, message.message_id), None)
            if redacted_at is not None:
                stored = stored.redacted(redacted_at)
            by_id[message.message_id] = stored
            customer = (
                message.customer if message.role == "customer" or conv.customer is None else conv.customer
            )
            self._conversations[conversation_id] = conv.model_copy(
                update={"message_count": stored.seq, "updated_at": received_at, "customer": customer}
            )
            return AppendResult(message=stored, created=True, published=False)

    def mark_published(self, conversation_id: str, message_id: str) -> None:
        with self._lock:
            self._published.add((conversation_id, message_id))

    def get_conversation(self, conversation_id: str) -> Conversation | None:
        with self._lock:
            conv = self._conversations.get(conversation_id)
            if conv is None:
                return None
            messages = sorted(self._messages.get(conversation_id, {}).values(), key=lambda m: m.seq)
            return conv.model_copy(update={"messages": messages})

    def record_outcome(
        self,
        conversation_id: str,
        outcome: Outcome,
        status: ConversationStatus,
        *,
        source: Source,
        at: datetime,
    ) -> None:
        with self._lock:
            conv = self._conversations.get(conversation_id) or Conversation(
                conversation_id=conversation_id, source=source, created_at=at, updated_at=at
            )
            self._conversations[conversation_id] = conv.model_copy(
                update={"outcome": outcome, "status": status, "updated_at": at}
            )

    def redact_message(self, conversation_id: str, message_id: str, *, at: datetime) -> bool:
        with self._lock:
            by_id = self._messages.get(conversation_id, {})
            existing = by_id.get(message_id)
            if existing is None:
                self._tombstones.setdefault((conversation_id, message_id), at)
                return False
            by_id[message_id] = existing.redacted(at)
            return True

    def show_scores(
        self, conversation_id: str, *, scores: dict[str, Any] | None, arc: dict[str, Any]
    ) -> None:
        """What the scoring capability shows on the conversation (the DynamoDB store reads its ARC item):
        the latest customer message's `scores` (None keeps the ones shown) and the `arc`."""
        with self._lock:
            conv = self._conversations.get(conversation_id)
            if conv is None:
                return
            update: dict[str, Any] = {"arc": arc}
            if scores is not None:
                update["scores"] = scores
            self._conversations[conversation_id] = conv.model_copy(update=update)

    def show_decision(
        self, conversation_id: str, *, decision: dict[str, Any], status: ConversationStatus
    ) -> None:
        """What the decision capability shows on the conversation (the DynamoDB store reads its DECISION
        item): the latest `decision`, and the status it implies unless the helpdesk has moved it on."""
        from baton.ingestion.store import HELPDESK_STATUSES

        with self._lock:
            conv = self._conversations.get(conversation_id)
            if conv is None:
                return
            update: dict[str, Any] = {"decision": decision}
            if conv.status not in HELPDESK_STATUSES:
                update["status"] = status
            self._conversations[conversation_id] = conv.model_copy(update=update)


class MemoryPublisher:
    """Records what was published; `fail_next` makes the next publish raise (to test retries)."""

    def __init__(self) -> None:
        self.events: list[BusEvent] = []
        self.fail_next = 0

    def publish(self, events: Sequence[BusEvent]) -> None:
        if self.fail_next:
            self.fail_next -= 1
            raise RuntimeError("injected publish failure")
        self.events.extend(events)

    def of_type(self, detail_type: str) -> list[BusEvent]:
        return [e for e in self.events if detail_type == e.DETAIL_TYPE]


class StaticSecrets:
    def __init__(self, values: dict[str, str] | None = None) -> None:
        self.values = dict(values or {})

    def get(self, name: str) -> str | None:
        return self.values.get(name)


class MemorySeenStore:
    def __init__(self) -> None:
        self.keys: set[str] = set()

    def seen(self, key: str) -> bool:
        return key in self.keys

    def remember(self, key: str, ttl_s: int) -> None:
        self.keys.add(key)
