"""The conversation store in memory (`baton.ports.ConversationStore`, `baton.ordered.MessageLedger`), with the
semantics of the DynamoDB one (`baton.ingestion.store`): tests, benches and the backtest."""

from __future__ import annotations

import threading
import uuid
from datetime import datetime, timedelta

from baton.errors import BatonError, CustomerRequired, MessageConflict
from baton.models import Conversation, ConversationStatus, MessageIn, Outcome, Source, StoredMessage, View
from baton.ports import PUBLISH_LEASE_S, AppendResult, PublishClaim


class MemoryConversationStore:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._conversations: dict[str, Conversation] = {}
        self._messages: dict[str, dict[str, StoredMessage]] = {}
        self._published: set[tuple[str, str]] = set()
        self._claims: dict[tuple[str, str], tuple[str, datetime]] = {}
        """(conversation, message id) -> the publish claim's token and expiry."""
        self.publish_lease_s = PUBLISH_LEASE_S
        # Redactions of messages not stored (yet): (conversation, message id) -> when.
        self._tombstones: dict[tuple[str, str], datetime] = {}
        self._views: dict[str, dict[str, View]] = {}

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
            known = self._conversations.get(conversation_id)
            customer = message.customer or (known.customer if known is not None else None)
            if customer is None:
                raise CustomerRequired(conversation_id)
            conv = known or Conversation(
                conversation_id=conversation_id,
                source=source,
                customer=customer,
                created_at=received_at,
                updated_at=received_at,
            )
            stored = StoredMessage(
                conversation_id=conversation_id,
                seq=conv.message_count + 1,
                received_at=received_at,
                source=source,
                fingerprint=fingerprint,
                **{**message.model_dump(), "customer": customer},
            )
            redacted_at = self._tombstones.pop((conversation_id, message.message_id), None)
            if redacted_at is not None:
                stored = stored.redacted(redacted_at)
            by_id[message.message_id] = stored
            # A customer's own message names the conversation's customer; other roles only fill it when unknown.
            if message.role != "customer" and conv.customer is not None:
                customer = conv.customer
            self._conversations[conversation_id] = conv.model_copy(
                update={"message_count": stored.seq, "updated_at": received_at, "customer": customer}
            )
            claim = uuid.uuid4().hex
            until = received_at + timedelta(seconds=self.publish_lease_s)
            self._claims[(conversation_id, message.message_id)] = (claim, until)
            return AppendResult(message=stored, created=True, published=False, claim=claim)

    def claim_publish(
        self, conversation_id: str, message_id: str, *, token: str, now: datetime, lease_s: float
    ) -> PublishClaim:
        key = (conversation_id, message_id)
        with self._lock:
            if message_id not in self._messages.get(conversation_id, {}):
                raise BatonError(f"message {message_id!r} is not stored in {conversation_id!r}")
            if key in self._published:
                return "published"
            held = self._claims.get(key)
            if held is not None and held[1] >= now:
                return "busy"
            self._claims[key] = (token, now + timedelta(seconds=lease_s))
            return "claimed"

    def release_publish(self, conversation_id: str, message_id: str, *, token: str) -> None:
        key = (conversation_id, message_id)
        with self._lock:
            held = self._claims.get(key)
            if held is not None and held[0] == token:
                del self._claims[key]

    def mark_published(self, conversation_id: str, message_id: str) -> None:
        with self._lock:
            self._published.add((conversation_id, message_id))
            self._claims.pop((conversation_id, message_id), None)

    def get_conversation(self, conversation_id: str) -> Conversation | None:
        with self._lock:
            conv = self._conversations.get(conversation_id)
            if conv is None:
                return None
            messages = sorted(self._messages.get(conversation_id, {}).values(), key=lambda m: m.seq)
            views = list(self._views.get(conversation_id, {}).values())
        return conv.model_copy(update={"messages": messages}).with_views(views)

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

    def show(self, conversation_id: str, view: View) -> None:
        """What a capability shows on the conversation (the DynamoDB store reads each state item's `view`)."""
        with self._lock:
            self._views.setdefault(conversation_id, {})[view.capability] = view

    def message_id_at(self, conversation_id: str, seq: int) -> str | None:
        """`baton.ordered.MessageLedger`: the id of the conversation's message `seq`."""
        with self._lock:
            for message in self._messages.get(conversation_id, {}).values():
                if message.seq == seq:
                    return message.message_id
            return None
