"""Ports: what the domain needs from the outside world. Each has a DynamoDB/EventBridge adapter and
an in-memory fake (baton.adapters.memory) that honours the same semantics."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol

from baton.events import BusEvent
from baton.models import Conversation, ConversationStatus, MessageIn, Outcome, Source, StoredMessage

if TYPE_CHECKING:
    from baton.context.models import Context


@dataclass(frozen=True)
class AppendResult:
    message: StoredMessage
    created: bool
    """False when the same message (same id, same body) was already stored."""
    published: bool
    """Whether MessageReceived is known to be on the bus (a retry republishes when it is not)."""
    claim: str | None = None
    """Set when this call created the message: the token of its publish claim (`claim_publish`), held until
    `lease_s` after `received_at`. Only the holder of the claim publishes, so concurrent duplicates of a new
    message put one event on the bus, not one each."""


PublishClaim = Literal["claimed", "published", "busy"]

PUBLISH_LEASE_S = 10.0
"""How long a publish claim holds (the creator's, or a retry's): a request that dies after claiming holds up its
duplicates' publish this long at most, then one of them claims and publishes."""


class ConversationStore(Protocol):
    def append_message(
        self, conversation_id: str, message: MessageIn, *, source: Source, received_at: datetime
    ) -> AppendResult:
        """Store a message once, at the next `seq` of its conversation (created on first message).

        Concurrent appends to one conversation all land, each with its own seq (conditional
        writes). The same id with the same fingerprint returns the stored message with
        `created=False`; with another fingerprint raises `MessageConflict`. An id that was
        redacted (see `redact_message`) is never stored with its content. A message without
        `customer` (a bot's or an agent's) is stored with the conversation's, read in the same
        consistent step as its seq; `CustomerRequired` when the conversation has none yet.
        """
        ...

    def mark_published(self, conversation_id: str, message_id: str) -> None:
        """MessageReceived of this message is on the bus (its publish claim, if any, is released)."""
        ...

    def claim_publish(
        self, conversation_id: str, message_id: str, *, token: str, now: datetime, lease_s: float
    ) -> PublishClaim:
        """Take the right to publish a stored, unpublished message for `lease_s`: `claimed` (publish it, then
        `mark_published`), `published` (nothing to do), or `busy` (another request holds an unexpired claim)."""
        ...

    def release_publish(self, conversation_id: str, message_id: str, *, token: str) -> None:
        """Give up a claim whose publish failed, so a retry claims at once (no-op when `token` no longer holds it)."""
        ...

    def message_id_at(self, conversation_id: str, seq: int) -> str | None:
        """The id of the conversation's message `seq`, or None (`baton.ordered.MessageLedger`)."""
        ...

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


class DeadLetterQueue(Protocol):
    """A bus consumer's DLQ, for a record that can never succeed (its body breaks its contract): sent there on its
    first receive, with the reason, instead of being retried until the queue's redrive moves it
    (`baton.consumer`). The SQS adapter is `baton.adapters.sqs`; `baton local`'s is its bus's dead letters."""

    def send(self, record: Mapping[str, Any], reason: str) -> None:
        """Send the SQS record (as Lambda delivered it: `messageId`, `receiptHandle`, `body`, `eventSourceARN`,
        `attributes`) to the DLQ with `reason`; raises if it was not sent (the record is then retried)."""
        ...


class SecretSource(Protocol):
    def get(self, name: str) -> str | None:
        """The secret's current value, or None when it is not configured."""
        ...


class ContextSource(Protocol):
    """`baton.context.store`: everything known about a customer, as of `now` (at most two DynamoDB
    round trips)."""

    def context(self, account_id: str | None, customer_id: str | None, *, now: datetime) -> Context: ...
