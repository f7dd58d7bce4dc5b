"""What the per-conversation consumers (scoring, decision) share to honour a helpdesk redaction.

Ingestion forgets a redacted message's text and publishes `MessageRedacted`. Each consumer then forgets what
its own state keeps of that message, and remembers the id with the redaction time (the newest `REMEMBERED`
per conversation): the redaction may overtake the message on the bus (the message's `MessageReceived` or
`MessageScored` was published before it, with the text), and a message whose id is remembered is processed
as the store now holds it, redacted, so nothing downstream ever sees the text again.
"""

from __future__ import annotations

from datetime import datetime

from baton.events import MessageSnapshot

REMEMBERED = 100
"""Redacted ids remembered per conversation; a redaction older than the 100 newest ones has long been applied."""


def remember(redacted: dict[str, datetime], message_id: str, at: datetime) -> dict[str, datetime]:
    """`redacted` with `message_id` added (a repeated redaction keeps the first time), the newest kept."""
    if message_id in redacted:
        return redacted
    return dict([*redacted.items(), (message_id, at)][-REMEMBERED:])


def as_stored(message: MessageSnapshot, redacted: dict[str, datetime]) -> MessageSnapshot:
    """The message as the store holds it: redacted when its id was announced as redacted."""
    at = redacted.get(message.message_id)
    return message if at is None else message.redacted(at)
