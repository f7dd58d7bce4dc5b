"""Ports: what the domain needs from the outside world. Each has a DynamoDB/EventBridge adapter and
an in-memory fake (baton.adapters.memory) that honours the same semantics."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from baton.events import BusEvent, EscalationDecided, MessageScored
from baton.models import Conversation, ConversationStatus, MessageIn, Outcome, Source, StoredMessage

if TYPE_CHECKING:
    from baton.context.models import Context
    from baton.scoring.arc import ArcState


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
        `created=False`; with another fingerprint raises `MessageConflict`. An id that was
        redacted (see `redact_message`) is never stored with its content.
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

    def redact_message(self, conversation_id: str, message_id: str, *, at: datetime) -> bool:
        """Forget what a stored message said (`StoredMessage.redacted`): its text becomes "", its
        page, metadata and bot attempt are dropped, `redacted_at` is set; id, seq, role and sent_at
        stay, so order and counts are intact. Idempotent: the first redaction time stands.

        True when Baton held a copy (now redacted, or redacted before); False when it never stored
        the message, which is fine: nothing to redact. Either way the id stays redacted: a later
        `append_message` of it (a helpdesk re-delivering the original, even a first delivery that
        arrives after the redaction) never stores its content again. It returns the redacted copy
        as a duplicate (or, for a first delivery, stores the message already redacted) and never
        raises `MessageConflict`: Baton no longer knows the body it would compare with.
        """
        ...


class EventPublisher(Protocol):
    def publish(self, events: Sequence[BusEvent]) -> None:
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


@dataclass(frozen=True)
class StoredArc:
    state: ArcState
    version: int
    """Optimistic lock: a write names the version it read."""
    event: MessageScored | None
    """The MessageScored of `state.last_seq` (re-published when its message is delivered again)."""


class ArcStore(Protocol):
    """The scoring capability's per-conversation arc (`baton.scoring.arc`), written once per message."""

    def load(self, conversation_id: str) -> StoredArc | None: ...

    def save(
        self,
        conversation_id: str,
        state: ArcState,
        event: MessageScored | None,
        *,
        expected_version: int,
        at: datetime,
    ) -> int:
        """Store the arc after `event`'s message if the stored version is still `expected_version` (0: no arc
        yet), else raise `ConcurrentUpdate`. Returns the new version. The conversation then shows the arc and,
        for a scored customer message, its scores (`GET /v1/conversations/{id}`). Without an event (a
        redaction that found no scored message) only the state changes; the stored event stays."""
        ...


class ContextSource(Protocol):
    """`baton.context.store`: everything known about a customer, as of `now` (at most two DynamoDB
    round trips)."""

    def context(self, account_id: str | None, customer_id: str | None, *, now: datetime) -> Context: ...


class DecisionStore(Protocol):
    """`baton.decision.store`: the decision capability's per-conversation state (`DecisionState`),
    written once per message with optimistic locking; the conversation then shows the decision."""

    def load(self, conversation_id: str) -> Any:
        """`StoredDecision(state, version, event)` or None."""
        ...

    def save(
        self,
        conversation_id: str,
        state: Any,
        event: EscalationDecided | None,
        *,
        expected_version: int,
        at: datetime,
        view: dict[str, Any] | None = None,
    ) -> int: ...
