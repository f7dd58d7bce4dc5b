"""What the per-conversation consumers (scoring, decision) share to honour a helpdesk redaction.

Ingestion forgets a redacted message's text and publishes `MessageRedacted`. Each consumer then forgets what
its own state keeps of that message, and remembers the id with the redaction time (the newest `REMEMBERED`
per conversation): the redaction may overtake the message on the bus (the message's `MessageReceived` or
`MessageScored` was published before it, with the text), and a message whose id is remembered is processed
as the store now holds it, redacted, so nothing downstream ever sees the text again.

Both consumers keep one conditionally written item per conversation (`version`). A redaction and a message
of the same conversation may be applied at the same moment by two invocations:
- the redaction loses the race: it reads the item again and re-applies itself (`redact_stored`);
- the message loses it, to a redaction only (the item's `last_seq` did not move): what it computed, and
  has already published, is committed anyway, with the redactions it missed applied to it (the consumers'
  commit loops), rather than failing the message for a retry minutes later that would compute another
  result under the same event id.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from baton.errors import ConcurrentUpdate
from baton.events import MessageRedacted, MessageSnapshot

REMEMBERED = 100
"""Redacted ids remembered per conversation; a redaction older than the 100 newest ones has long been applied."""

ATTEMPTS = 3
"""Writes tried against a conversation's item that keeps changing, before failing the record for a retry."""

Forgetting = Callable[[Any, Any, Mapping[str, datetime]], tuple[Any, Any]]
"""(state, latest event or None, {message id: redacted at}) -> the state and event without those messages."""


def remember(redacted: dict[str, datetime], message_id: str, at: datetime) -> dict[str, datetime]:
    """`redacted` with `message_id` added (a repeated redaction keeps the first time), the newest kept."""
    if message_id in redacted:
        return redacted
    return dict([*redacted.items(), (message_id, at)][-REMEMBERED:])


def as_stored(message: MessageSnapshot, redacted: Mapping[str, datetime]) -> MessageSnapshot:
    """The message as the store holds it: redacted when its id was announced as redacted."""
    at = redacted.get(message.message_id)
    return message if at is None else message.redacted(at)


def redact_stored(
    redaction: MessageRedacted,
    *,
    load: Callable[[], Any],
    save: Callable[[Any, Any, int], Any],
    forgetting: Forgetting,
    empty: Callable[[], Any],
    what: str,
) -> bool:
    """Apply `redaction` to a consumer's stored item: `load()` -> the stored item (`state`, `event`,
    `version`) or None; `forgetting` computes the state and event without the message; `save(state, event or
    None when it did not change, expected version)`. True when the item changed (a repeated redaction does
    not); a concurrent write makes it read again, `ATTEMPTS` times, then ConcurrentUpdate (the record is
    retried)."""
    redacted = {redaction.message_id: redaction.redacted_at}
    for _ in range(ATTEMPTS):
        stored = load()
        state = stored.state if stored is not None else empty()
        event = stored.event if stored is not None else None
        new_state, new_event = forgetting(state, event, redacted)
        changed_event = new_event if new_event != event else None
        if new_state == state and changed_event is None:
            return False
        try:
            save(new_state, changed_event, stored.version if stored is not None else 0)
            return True
        except ConcurrentUpdate:
            continue
    raise ConcurrentUpdate(f"{what} kept changing while redacting {redaction.message_id!r}; retried later")


def commit_result(
    state: Any,
    event: Any,
    version: int,
    *,
    save: Callable[[Any, Any, int], Any],
    load: Callable[[], Any],
    forgetting: Forgetting,
    seq: int,
    last_seq: int,
) -> bool:
    """Store what an ordered consumer computed (and published) for message `seq` from its item at `version`
    (then at `last_seq`): `save(state, event, expected version)`. False when another delivery of the same
    message committed first (a duplicate: nothing to do); True when stored. A concurrent write by a
    redaction alone (`last_seq` unchanged) is absorbed: the result is stored with the redactions applied.
    Anything else that moved the item on raises ConcurrentUpdate (the record is retried)."""
    for attempt in range(ATTEMPTS):
        try:
            save(state, event, version)
            return True
        except ConcurrentUpdate:
            again = load()
            if again is not None and again.state.last_seq >= seq:
                return False
            if again is None or again.state.last_seq != last_seq or attempt == ATTEMPTS - 1:
                raise
            state, event = forgetting(state, event, again.state.redacted)
            version = again.version
    raise AssertionError("unreachable: the last attempt returns or raises")
