"""The ordered, once-only, per-conversation consumer: one component that every conversation capability
(scoring, decision, routing...) configures with its state, its events and its logic.

A capability gives an `OrderedLogic`: its state type (an `OrderedState`), `apply(state, event) -> Applied`
(the new state and the event to publish), `forget(state, latest, redacted)` (what a helpdesk redaction removes
from it) and `view(state, latest)` (what `GET /v1/conversations/{id}` shows of it). The component owns the
rest, the same way for every capability:

- **Order, checked against the stored conversation.** `order="every"`: message `seq` applies after `seq - 1`
  (scoring and decision see every message); `order="latest"`: only an event newer than the last applied one
  applies (routing sees only escalations). Before anything else the event's (seq, message id) is checked
  against the conversation as ingestion stored it (`MessageLedger`): an event whose seq the conversation does
  not hold, or holds for another message, can never apply. It raises `Unapplicable` with the reason (the
  record ends in the DLQ after its retries, with the cause logged) and the state is never touched, so the
  conversation's real messages go on.
- **Predecessor wait** (`every`): a message one step ahead of the stored state re-reads it for up to `wait_s`
  (its predecessor is usually being applied by a concurrent invocation), then raises `OutOfOrder` (retried
  after the visibility timeout). Told to stop waiting (its last receive before the DLQ), it goes on without
  the missing messages (`Handled.skipped`), which the ledger has shown do exist: one message lost on the bus
  never stalls the rest of its conversation.
- **Once.** `seq <= last_seq` (or not newer, for `latest`): nothing changes; the latest published event is
  published again when this is its message (same deterministic event id: consumers de-duplicate).
- **Publish, then commit.** The state is committed with a conditional write after the event is on the bus:
  a crash between the two is a redelivery that applies the same message from the same state and publishes
  the same event id. Committing first would lose the event once later messages moved the state on.
- **Redaction.** A `MessageRedacted` applies at once, out of the message order: the state forgets the message
  and remembers its id (the newest `REMEMBERED`), so a delivery of the message still to come is applied as the
  store holds it, redacted. A message that loses a write race to a redaction alone is committed anyway, with
  the redaction applied to what it computed (it has already published it).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Literal, Protocol

from pydantic import BaseModel, Field

from baton.errors import BatonError, ConcurrentUpdate, OutOfOrder
from baton.events import BusEvent, MessageRedacted, MessageSnapshot
from baton.models import UtcDatetime, View, utcnow

logger = logging.getLogger(__name__)

FIRST_WAIT_S = 0.05
"""The first pause while waiting for a predecessor; each next one doubles."""

REMEMBERED = 100
"""Redacted ids remembered per conversation; a redaction older than the 100 newest ones has long been applied."""

ATTEMPTS = 3
"""Writes tried against a conversation's item that keeps changing, before failing the record for a retry."""


class Unapplicable(BatonError):
    """A well-formed event that can never apply (its seq is not its message's in the stored conversation).
    Retrying cannot help: the record fails until it reaches the DLQ, and the state is never touched."""


class OrderedState(BaseModel):
    """What every ordered consumer's state holds, whatever else its capability keeps."""

    last_seq: int = 0
    """The last message applied (0: none)."""
    redacted: dict[str, UtcDatetime] = Field(default_factory=dict)
    """Messages the helpdesk redacted -> when: forgotten here, and applied as redacted if they come later."""


class OrderedEvent(Protocol):
    """An event an ordered consumer applies: it names its conversation, its message and that message's seq."""

    @property
    def conversation_id(self) -> str: ...
    @property
    def seq(self) -> int: ...
    @property
    def message_id(self) -> str: ...


@dataclass(frozen=True)
class Applied[S: OrderedState, O: BusEvent]:
    """What a capability's `apply` made of one event."""

    state: S
    event: O | None = None
    """Published, then stored as the latest (None: nothing to publish; the state still moves past the seq)."""
    metrics: Mapping[str, float] = field(default_factory=dict)
    """Counts the capability adds for this event (e.g. `Decisions`)."""
    log: Mapping[str, Any] | None = None
    """When set, logged at info as what was applied (with the conversation and seq)."""


@dataclass(frozen=True)
class Handled[O: BusEvent]:
    outcome: Literal["applied", "skipped", "duplicate"]
    """`skipped`: applied, with nothing to publish; `duplicate`: applied before, nothing changed."""
    event: O | None = None
    """The event published (for a duplicate: the one re-published, if any)."""
    skipped: int = 0
    """Messages before this one the state went on without (only when told to stop waiting)."""
    waited_s: float = 0.0
    """How long it waited for its predecessor."""
    metrics: Mapping[str, float] = field(default_factory=dict)
    log: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Stored[S: OrderedState, O: BusEvent]:
    state: S
    version: int
    """Optimistic lock: a write names the version it read."""
    event: O | None
    """The event of the last applied message that published one (re-published on a redelivery)."""


@dataclass(frozen=True)
class StateItem[S: OrderedState, O: BusEvent]:
    """What a capability's per-conversation state item is: its sort key in the conversation's partition, its
    state and event types, and what it is called in errors."""

    sk: str
    state_type: type[S]
    event_type: type[O]
    what: str


class StateStore[S: OrderedState, O: BusEvent](Protocol):
    """A capability's per-conversation state: one item, written with optimistic locking
    (`baton.adapters.state_item.DynamoStateStore`, `baton.adapters.memory.MemoryStateStore`)."""

    def load(self, conversation_id: str) -> Stored[S, O] | None: ...

    def save(
        self,
        conversation_id: str,
        state: S,
        event: O | None,
        *,
        expected_version: int,
        at: datetime,
        view: View | None = None,
    ) -> int:
        """Store `state` (and, when not None, `event` as the latest, else the stored latest stays; and `view` as
        what the conversation shows) if the stored version is still `expected_version` (0: none yet), else raise
        `ConcurrentUpdate`. Returns the new version."""
        ...


class MessageLedger(Protocol):
    """The conversation as ingestion stored it: which message holds a seq."""

    def message_id_at(self, conversation_id: str, seq: int) -> str | None:
        """The id of the conversation's message `seq`, or None when it holds no such message."""
        ...


class OrderedLogic[S: OrderedState, I: OrderedEvent, O: BusEvent](Protocol):
    """What a capability gives the component."""

    name: ClassVar[str]
    """What its state is called in logs and errors (`the arc`, `the decision state`)."""
    order: ClassVar[Literal["every", "latest"]]
    skipped_metric: ClassVar[str]
    """The count of messages the state went on without (`UnscoredMessages`...)."""

    def empty(self) -> S: ...

    def apply(self, state: S, event: I, *, now: datetime) -> Applied[S, O]:
        """The state after `event`, and the event to publish. `state.last_seq` is set by the component."""
        ...

    def forget(self, state: S, latest: O | None, redacted: Mapping[str, datetime]) -> tuple[S, O | None]:
        """The state and the latest event without the redacted messages (their ids remembered in the state)."""
        ...

    def view(self, state: S, latest: O | None) -> View | None:
        """What the conversation shows of this capability, given its state and latest published event (None:
        nothing to show yet)."""
        ...


def remember(redacted: Mapping[str, datetime], message_id: str, at: datetime) -> dict[str, datetime]:
    """`redacted` with `message_id` added (a repeated redaction keeps the first time), the newest kept."""
    if message_id in redacted:
        return dict(redacted)
    return dict([*redacted.items(), (message_id, at)][-REMEMBERED:])


class OrderedConsumer[S: OrderedState, I: OrderedEvent, O: BusEvent]:
    """See the module docstring. `handle` applies one event, `redact` one redaction."""

    def __init__(
        self,
        logic: OrderedLogic[S, I, O],
        store: StateStore[S, O],
        publisher: Any,
        ledger: MessageLedger | None,
        *,
        clock: Callable[[], datetime] = utcnow,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """`publisher`: a `baton.ports.EventPublisher`. `ledger`: the stored conversation every event is
        checked against (None only where the events come from no stored conversation: a capability's own
        unit tests)."""
        self.logic = logic
        self.store = store
        self.publisher = publisher
        self.ledger = ledger
        self.clock = clock
        self.sleep = sleep

    # ------------------------------------------------------------------------------------------ messages

    def handle(self, event: I, *, wait_s: float = 0.0, stop_waiting: bool = False) -> Handled[O]:
        """Apply one event (see the module docstring). `wait_s`: how long to wait for a predecessor being
        applied right now; `stop_waiting`: go on without a predecessor that is still missing after that."""
        conversation_id, seq = event.conversation_id, event.seq
        self._check_ledger(event)
        stored, waited = self._load_after_predecessor(conversation_id, seq, wait_s)
        state = stored.state if stored is not None else self.logic.empty()
        if seq <= state.last_seq:
            latest = stored.event if stored is not None else None
            if latest is not None and _same_message(latest, event):
                self.publisher.publish([latest])
                return Handled("duplicate", latest, waited_s=waited)
            return Handled("duplicate", waited_s=waited)
        every = self.logic.order == "every"
        if every and seq > state.last_seq + 1 and not stop_waiting:
            raise OutOfOrder(
                f"message seq {seq} of {conversation_id!r} arrived before seq {state.last_seq + 1} was "
                f"applied to {self.logic.name}"
            )
        skipped = seq - state.last_seq - 1 if every else 0
        now = self.clock()
        applied = self.logic.apply(state, event, now=now)
        new_state = applied.state.model_copy(update={"last_seq": seq})
        if applied.event is not None:
            self.publisher.publish([applied.event])
        stored_now = self._commit(
            conversation_id,
            new_state,
            applied.event,
            stored.version if stored is not None else 0,
            now,
            seq=seq,
            last_seq=state.last_seq,
            latest=stored.event if stored is not None else None,
        )
        if not stored_now:
            # Another delivery of this message committed first, from the same state: the same event.
            logger.info(
                "message applied concurrently by another delivery",
                extra={"conversation_id": conversation_id, "seq": seq, "state": self.logic.name},
            )
            return Handled("duplicate", waited_s=waited)
        return Handled(
            "applied" if applied.event is not None else "skipped",
            applied.event,
            skipped=skipped,
            waited_s=waited,
            metrics=applied.metrics,
            log=applied.log,
        )

    def _check_ledger(self, event: I) -> None:
        if self.ledger is None:
            return
        held = self.ledger.message_id_at(event.conversation_id, event.seq)
        if held is None:
            raise Unapplicable(
                f"conversation {event.conversation_id!r} holds no message seq {event.seq} "
                f"(event for message {event.message_id!r}): it can never apply"
            )
        if held != event.message_id:
            raise Unapplicable(
                f"seq {event.seq} of {event.conversation_id!r} is message {held!r}, not "
                f"{event.message_id!r}: the event can never apply"
            )

    def _load_after_predecessor(
        self, conversation_id: str, seq: int, wait_s: float
    ) -> tuple[Stored[S, O] | None, float]:
        """The stored state, re-read (doubling pauses, `wait_s` in all) while it is more than one message
        behind `seq` (`every` only); and how long that took."""
        waited, pause = 0.0, FIRST_WAIT_S
        while True:
            stored = self.store.load(conversation_id)
            last_seq = stored.state.last_seq if stored is not None else 0
            behind = self.logic.order == "every" and seq - last_seq > 1
            if not behind or waited >= wait_s:
                return stored, waited
            step = min(pause, wait_s - waited)
            self.sleep(step)
            waited += step
            pause *= 2

    def _commit(
        self,
        conversation_id: str,
        state: S,
        event: O | None,
        version: int,
        at: datetime,
        *,
        seq: int,
        last_seq: int,
        latest: O | None = None,
    ) -> bool:
        """Store what message `seq` produced (already published) from the item at `version` (then at
        `last_seq`). False when another delivery of the same message committed first; True when stored. A
        concurrent write by a redaction alone (`last_seq` unchanged) is absorbed: the result is stored with the
        redactions applied. Anything else that moved the item on raises ConcurrentUpdate (retried)."""
        for attempt in range(ATTEMPTS):
            try:
                self.store.save(
                    conversation_id,
                    state,
                    event,
                    expected_version=version,
                    at=at,
                    view=self.logic.view(state, event if event is not None else latest),
                )
                return True
            except ConcurrentUpdate:
                again = self.store.load(conversation_id)
                if again is not None and again.state.last_seq >= seq:
                    return False
                if again is None or again.state.last_seq != last_seq or attempt == ATTEMPTS - 1:
                    raise
                state, event = self.logic.forget(state, event, again.state.redacted)
                version = again.version
        raise AssertionError("unreachable: the last attempt returns or raises")

    # ---------------------------------------------------------------------------------------- redactions

    def redact(self, redaction: MessageRedacted) -> bool:
        """Forget what the state (and its latest event) keeps of a redacted message and remember its id. True
        when the item changed; a repeated redaction changes nothing."""
        redacted = {redaction.message_id: redaction.redacted_at}
        return self.amend(
            redaction.conversation_id,
            lambda state, latest: self.logic.forget(state, latest, redacted),
            why=f"redacting {redaction.message_id!r}",
        )

    def amend(
        self,
        conversation_id: str,
        change: Callable[[S, O | None], tuple[S, O | None]],
        *,
        why: str,
    ) -> bool:
        """Apply `change(state, latest) -> (state, latest)` at once, out of the message order (a redaction, a
        hand-back, an assignment made when capacity freed up). True when the item changed. A concurrent write
        makes it read again, `ATTEMPTS` times, then ConcurrentUpdate (the record is retried)."""
        for _ in range(ATTEMPTS):
            stored = self.store.load(conversation_id)
            state = stored.state if stored is not None else self.logic.empty()
            latest = stored.event if stored is not None else None
            new_state, new_latest = change(state, latest)
            changed_event = new_latest if new_latest != latest else None
            if new_state == state and changed_event is None:
                return False
            try:
                self.store.save(
                    conversation_id,
                    new_state,
                    changed_event,
                    expected_version=stored.version if stored is not None else 0,
                    at=self.clock(),
                    view=self.logic.view(new_state, new_latest),
                )
                return True
            except ConcurrentUpdate:
                continue
        raise ConcurrentUpdate(
            f"{self.logic.name} of {conversation_id!r} kept changing while {why}; retried later"
        )


def _same_message(latest: BusEvent, event: OrderedEvent) -> bool:
    return (
        getattr(latest, "seq", None) == event.seq and getattr(latest, "message_id", None) == event.message_id
    )


def as_stored(message: MessageSnapshot, redacted: Mapping[str, datetime]) -> MessageSnapshot:
    """The message as the store holds it: redacted when its id was announced as redacted (a redaction that
    overtook its message on the bus)."""
    at = redacted.get(message.message_id)
    return message if at is None else message.redacted(at)
