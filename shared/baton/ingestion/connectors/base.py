"""What every helpdesk connector shares: the `Translation` of one notification into canonical
messages, outcomes and redactions, `apply` (the one place a translation touches the ingestion use
case), and the small readers that turn a vendor payload into typed values or a `PayloadError`
naming the field.

Translators are pure: payload in, `Translation` out, no I/O. Everything they produce is
deterministic (message ids from native ids, outcome event ids from `event_id_for`), so a retried
delivery is recognisably the same fact and is stored and published once.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from baton.errors import MessageConflict, PayloadError
from baton.events import OutcomeRecorded
from baton.ingestion.service import IngestionService
from baton.models import MAX_TEXT_BYTES, Customer, MessageIn, Source

logger = logging.getLogger(__name__)

_ID_CHARS = re.compile(r"[^A-Za-z0-9._:-]")
_MAX_ID = 128
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}$")
_CHANNEL = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")
_FRACTION = re.compile(r"(\.\d{6})\d+")
TRUNCATION_MARK = " [truncated]"


@dataclass
class Translation:
    """One helpdesk notification, translated. Nothing to do is a valid translation (`ignored` says why)."""

    topic: str
    """The native topic / event type, e.g. `conversation.user.replied` or `zen:event-type:ticket.comment_added`."""
    messages: list[tuple[str, MessageIn, Source]] = field(default_factory=list)
    """(canonical conversation id, message, source), in the order they happened."""
    outcomes: list[OutcomeRecorded] = field(default_factory=list)
    redactions: list[tuple[str, str]] = field(default_factory=list)
    """(canonical conversation id, canonical message id) of messages the helpdesk redacted (or, for
    Zendesk, made private): Baton must stop holding their text. A message Baton never stored is
    fine to name: its id is remembered as redacted, so a late first delivery stores no content."""
    dedup_key: str | None = None
    """The vendor's notification id (prefixed by source): a redelivery with it is processed once."""
    ignored: str | None = None
    """Why nothing (or only part of the payload) was turned into messages/outcomes/redactions."""
    unknown_topic: bool = False
    """True when the topic is not one Baton knows (counted by the callers as a metric)."""


@dataclass(frozen=True)
class Applied:
    messages: int
    """Messages of the translation that are now stored (new or an identical earlier copy)."""
    new_messages: int
    conflicts: int
    """Messages whose native id was already stored with another body (first write wins)."""
    outcomes: int
    redactions: int = 0
    """Redactions applied: Baton holds no text for these message ids (stored or not)."""
    redacted: int = 0
    """Of those, how many blanked a copy Baton had stored."""


def apply(translation: Translation, service: IngestionService) -> Applied:
    """Ingest the messages (store, then publish MessageReceived), record the outcomes, then redact.

    Messages go first so that a "closed" that arrives with the agent's closing reply is recorded
    after that reply. A helpdesk that re-renders a message it already sent us (same native id,
    different text) is not an error worth a retry storm: the first copy wins and it is logged.
    Redactions go last, so a notification that carries a message and its redaction ends redacted.
    """
    stored = new = conflicts = 0
    for conversation_id, message, source in translation.messages:
        try:
            ingested = service.receive(conversation_id, message, source=source)
        except MessageConflict:
            conflicts += 1
            logger.warning(
                "helpdesk message already stored with another body; keeping the first copy",
                extra={
                    "conversation_id": conversation_id,
                    "message_id": message.message_id,
                    "topic": translation.topic,
                },
            )
            continue
        stored += 1
        new += 0 if ingested.duplicate else 1
    for outcome in translation.outcomes:
        service.record_outcome(outcome)
    redacted = 0
    for conversation_id, message_id in translation.redactions:
        had_copy = service.redact(conversation_id, message_id)
        redacted += 1 if had_copy else 0
        logger.info(
            "helpdesk redaction applied",
            extra={
                "conversation_id": conversation_id,
                "message_id": message_id,
                "had_copy": had_copy,
                "topic": translation.topic,
            },
        )
    return Applied(
        messages=stored,
        new_messages=new,
        conflicts=conflicts,
        outcomes=len(translation.outcomes),
        redactions=len(translation.redactions),
        redacted=redacted,
    )


def validation_to_payload_error(exc: ValidationError) -> PayloadError:
    """A canonical model's rejection of a translated value, as the 4xx-able error naming the field."""
    first = exc.errors()[0]
    field = ".".join(str(part) for part in first.get("loc", ())) or "body"
    return PayloadError(field, first.get("msg", "invalid value"))


# ---------------------------------------------------------------------------------------------
# Canonical values


def canonical_id(prefix: str, native: str) -> str:
    """`<prefix>:<native>` made to match `models.ID_PATTERN`.

    Native ids are numbers or hex/uuid strings in practice; anything else is mapped
    deterministically, with a digest of the original so two different native ids never collide.
    """
    raw = f"{prefix}:{native}"
    clean = _ID_CHARS.sub("_", raw)
    if clean == raw and len(raw) <= _MAX_ID:
        return raw
    digest = hashlib.sha256(raw.encode()).hexdigest()[:16]
    return f"{clean[: _MAX_ID - len(digest) - 1]}.{digest}"


def clip_text(text: str) -> tuple[str, bool]:
    """Fit `text` in the API's per-message limit (UTF-8 bytes); True when it had to be cut."""
    data = text.encode("utf-8")
    if len(data) <= MAX_TEXT_BYTES:
        return text, False
    budget = MAX_TEXT_BYTES - len(TRUNCATION_MARK.encode())
    return data[:budget].decode("utf-8", errors="ignore").rstrip() + TRUNCATION_MARK, True


def customer(
    customer_id: str, account_id: str | None = None, *, email: Any = None, name: Any = None
) -> Customer:
    """A canonical customer; optional contact details that would not validate are dropped, not fatal."""
    clean_email = email.strip() if isinstance(email, str) and _EMAIL.match(email.strip()) else None
    clean_name = name.strip()[:200] if isinstance(name, str) and name.strip() else None
    return Customer(id=customer_id, account_id=account_id or customer_id, email=clean_email, name=clean_name)


def channel(value: Any) -> str | None:
    return value if isinstance(value, str) and _CHANNEL.match(value) else None


def metadata(**values: Any) -> dict[str, str | int | float | bool | None]:
    """Message metadata without the empty values (and within the API's value size)."""
    out: dict[str, str | int | float | bool | None] = {}
    for key, value in values.items():
        if value is None or value == "":
            continue
        out[key] = value[:1024] if isinstance(value, str) else value
    return out


# ---------------------------------------------------------------------------------------------
# Readers: each names the full path of the field it rejects


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _type_name(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def obj(parent: Mapping[str, Any], key: str, path: str = "") -> Mapping[str, Any]:
    value = parent.get(key)
    if not isinstance(value, Mapping):
        raise PayloadError(_join(path, key), f"expected an object, got {_type_name(value)}")
    return value


def opt_obj(parent: Mapping[str, Any], key: str, path: str = "") -> Mapping[str, Any] | None:
    value = parent.get(key)
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise PayloadError(_join(path, key), f"expected an object, got {_type_name(value)}")
    return value


def items(parent: Mapping[str, Any], key: str, path: str = "") -> list[Any]:
    value = parent.get(key)
    if not isinstance(value, list):
        raise PayloadError(_join(path, key), f"expected a list, got {_type_name(value)}")
    return value


def string(parent: Mapping[str, Any], key: str, path: str = "") -> str:
    value = parent.get(key)
    if not isinstance(value, str) or not value.strip():
        raise PayloadError(_join(path, key), f"expected a non-empty string, got {_type_name(value)}")
    return value


def opt_string(parent: Mapping[str, Any], key: str, path: str = "") -> str | None:
    value = parent.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise PayloadError(_join(path, key), f"expected a string, got {_type_name(value)}")
    return value


def flag(parent: Mapping[str, Any], key: str, path: str = "") -> bool:
    value = parent.get(key)
    if not isinstance(value, bool):
        raise PayloadError(_join(path, key), f"expected true or false, got {_type_name(value)}")
    return value


def native_id(parent: Mapping[str, Any], key: str, path: str = "") -> str:
    """A vendor id: a non-empty string or an integer (Zendesk and Intercom use both)."""
    value = parent.get(key)
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise PayloadError(_join(path, key), f"expected an id (string or integer), got {_type_name(value)}")
    text = str(value).strip()
    if not text:
        raise PayloadError(_join(path, key), "expected an id, got an empty string")
    return text


def opt_native_id(parent: Mapping[str, Any], key: str, path: str = "") -> str | None:
    value = parent.get(key)
    if value is None or value == "":
        return None
    return native_id(parent, key, path)


def timestamp(parent: Mapping[str, Any], key: str, path: str = "") -> datetime:
    value = parent.get(key)
    parsed = parse_time(value)
    if parsed is None:
        raise PayloadError(
            _join(path, key), f"expected epoch seconds or an ISO 8601 timestamp, got {_type_name(value)}"
        )
    return parsed


def opt_timestamp(parent: Mapping[str, Any], key: str, path: str = "") -> datetime | None:
    if parent.get(key) in (None, ""):
        return None
    return timestamp(parent, key, path)


def parse_time(value: Any) -> datetime | None:
    """Epoch seconds (int, float or digit string: Intercom's older payloads quote them) or ISO 8601."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return _from_epoch(float(value))
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        return _from_epoch(float(text))
    except ValueError:
        pass
    # Zendesk sends nanoseconds; Python 3.12's fromisoformat takes at most microseconds.
    text = _FRACTION.sub(r"\1", text)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _from_epoch(seconds: float) -> datetime | None:
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None
