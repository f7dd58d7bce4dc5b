"""Ports: what the domain needs from the outside world. Each has a DynamoDB/EventBridge adapter and
an in-memory fake (baton.adapters.memory) that honours the same semantics."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from baton.events import EventDetail
from baton.models import Conversation, ConversationStatus, MessageIn, Outcome, Source, StoredMessage


@dataclass(frozen=True)
class AppendResult:
    message: StoredMessage
    created: bool
    """False when the same message (same id, same body) was already stored."""
    published: bool
    """Whether MessageReceived is known to be on the bus (a retry republishes when it is not)."""


class ConversationStore(Protocol):
    def append_message(
        self, conversation_id: str, message: MessageIn, *, source: Source, received_at: datetime
    ) -> AppendResult:
        """Store a message once, at the next `seq` of its conversation (created on first message).

        Concurrent appends to one conversation all land, each with its own seq (conditional
        writes). The same id with the same fingerprint returns the stored message with
        `created=False`; with another fingerprint raises `MessageConflict`.
        """
        ...

    def mark_published(self, conversation_id: str, message_id: str) -> None: ...

    def get_conversation(self, conversation_id: str) -> Conversation | None:
        """The conversation with its messages in `seq` order, or None."""
        ...

    def record_outcome(
        self,
        conversation_id: str,
        outcome: Outcome,
        status: ConversationStatus,
        *,
        source: Source,
        at: datetime,
    ) -> None:
        """Set the helpdesk's outcome and status (creating the conversation if it is new to Baton)."""
        ...


class EventPublisher(Protocol):
    def publish(self, events: Sequence[EventDetail]) -> None:
        """Put the events on the bus; raises if any entry was not accepted."""
        ...


class SecretSource(Protocol):
    def get(self, name: str) -> str | None:
        """The secret's current value, or None when it is not configured."""
        ...


class SeenStore(Protocol):
    """Remembers processed notification ids (Intercom has no signed timestamp: de-duplicate on id)."""

    def seen(self, key: str) -> bool: ...

    def remember(self, key: str, ttl_s: int) -> None: ...
