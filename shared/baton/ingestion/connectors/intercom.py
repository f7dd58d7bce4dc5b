"""Intercom webhooks (`type: notification_event`) -> canonical messages and outcomes.

Both payload shapes are read: the current one (API 2.x: `data.item` is the conversation with
`source`, `contacts`, `statistics`, `ai_agent`, `conversation_parts`) and the older one
(`user`, `assignee`, `conversation_message`, epoch times as strings).

Topics:

| topic | result |
|---|---|
| conversation.user.created | the opening message (`source` / `conversation_message`), role customer |
| conversation.user.replied | the newest customer part, role customer |
| conversation.admin.single.created | the admin's opening message, role agent |
| conversation.admin.replied | the newest admin part, role agent (bot when `from_ai_agent`/`is_ai_answer`) |
| conversation.operator.replied | the newest bot part (Fin, workflows), role bot |
| conversation.admin.closed | OutcomeRecorded `closed` (+ the closing reply, if the close part has one) |
| conversation.admin.opened | OutcomeRecorded `reopened` when it had been closed before |
| conversation.rating.added | OutcomeRecorded `rated`, csat from `conversation_rating.rating` or `ai_agent.rating` |
| conversation.admin.noted | ignored: internal notes are never conversation messages |
| conversation.admin.assigned / snoozed | acknowledged, nothing to record |
| conversation_part.redacted | a redaction per part (or opening message) marked `redacted: true` |

`resolved_by` of a close is `bot` when Fin resolved it (`ai_agent.resolution_state` confirmed or
assumed) and no teammate replied, else `agent`. HTML bodies become plain text; a part with no text
left (an image, an empty event) is skipped. Ids: conversation `intercom:<conversation id>`, message
`intercom:<part id>` or `intercom:src:<source id>` for the opening message, customer
`intercom:<contact id>` (also the account id: Intercom's webhooks do not carry the company).

Redaction: Intercom sends the conversation with the redacted part marked `redacted: true` (its
body replaced by a placeholder). Every marked part becomes a redaction of `intercom:<part id>`,
and a marked opening message one of `intercom:src:<source id>`: Baton blanks its stored copy (see
`baton.ports.ConversationStore.redact_message`). Parts already redacted earlier are named again,
harmlessly (redaction is idempotent). A notification that marks nothing is acknowledged with the
reason in `ignored`; one whose item is a bare part (no conversation id) cannot be located and is
acknowledged the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from baton.errors import PayloadError
from baton.events import OutcomeRecorded, event_id_for
from baton.ingestion.connectors.base import (
    Translation,
    canonical_id,
    channel,
    clip_text,
    customer,
    items,
    metadata,
    native_id,
    obj,
    opt_obj,
    opt_timestamp,
    parse_time,
    string,
    timestamp,
)
from baton.ingestion.connectors.html import html_to_text
from baton.models import Customer, MessageIn, Page, Role, Source

PREFIX = "intercom"
USER_CREATED = "conversation.user.created"
USER_REPLIED = "conversation.user.replied"
ADMIN_SINGLE_CREATED = "conversation.admin.single.created"
ADMIN_REPLIED = "conversation.admin.replied"
ADMIN_ASSIGNED = "conversation.admin.assigned"
ADMIN_CLOSED = "conversation.admin.closed"
ADMIN_OPENED = "conversation.admin.opened"
ADMIN_NOTED = "conversation.admin.noted"
ADMIN_SNOOZED = "conversation.admin.snoozed"
OPERATOR_REPLIED = "conversation.operator.replied"
RATING_ADDED = "conversation.rating.added"
PART_REDACTED = "conversation_part.redacted"
PING = "ping"

_CUSTOMER_AUTHORS = frozenset({"user", "lead", "contact"})
_AGENT_AUTHORS = frozenset({"admin", "team"})
_NOTE_PARTS = frozenset({"note", "note_and_reopen"})
_AI_RESOLVED = frozenset({"confirmed_resolution", "assumed_resolution"})
_ITEM = "data.item"


def translate(payload: Mapping[str, Any]) -> Translation:
    """Translate one verified Intercom notification."""
    topic = string(payload, "topic")
    dedup_key = f"{PREFIX}:{native_id(payload, 'id')}"
    if topic == PING:
        return Translation(topic=topic, dedup_key=dedup_key, ignored="ping")
    if topic in _ACKNOWLEDGED:
        return Translation(topic=topic, dedup_key=dedup_key, ignored=_ACKNOWLEDGED[topic])
    if topic == PART_REDACTED:
        return _part_redacted(payload, Translation(topic=topic, dedup_key=dedup_key))
    handler = _HANDLERS.get(topic)
    if handler is None:
        return Translation(
            topic=topic, dedup_key=dedup_key, ignored=f"unknown topic {topic}", unknown_topic=True
        )
    conversation = _Conversation.read(payload)
    translation = Translation(topic=topic, dedup_key=dedup_key)
    handler(conversation, translation)
    return translation


# ---------------------------------------------------------------------------------------------
# The conversation in `data.item`, in either shape


@dataclass(frozen=True)
class _Part:
    index: int
    path: str
    id: str
    part_type: str
    body: str | None
    created_at: datetime
    author: Mapping[str, Any]

    @property
    def author_type(self) -> str:
        value = self.author.get("type")
        return value if isinstance(value, str) else ""

    @property
    def role(self) -> Role | None:
        return _role(self.author)


@dataclass(frozen=True)
class _Conversation:
    payload: Mapping[str, Any]
    item: Mapping[str, Any]
    id: str
    parts: tuple[_Part, ...]

    @classmethod
    def read(cls, payload: Mapping[str, Any]) -> _Conversation:
        item = obj(obj(payload, "data"), "item", "data")
        conversation_id = native_id(item, "id", _ITEM)
        return cls(payload=payload, item=item, id=conversation_id, parts=_read_parts(item))

    @property
    def conversation_id(self) -> str:
        return canonical_id(PREFIX, self.id)

    @property
    def statistics(self) -> Mapping[str, Any]:
        stats = self.item.get("statistics")
        return stats if isinstance(stats, Mapping) else {}

    @property
    def ai_agent(self) -> Mapping[str, Any]:
        ai = self.item.get("ai_agent")
        return ai if isinstance(ai, Mapping) else {}

    def opening(self) -> tuple[Mapping[str, Any], str]:
        """The first message: `source` (current shape) or `conversation_message` (older shape)."""
        for key in ("source", "conversation_message"):
            value = self.item.get(key)
            if isinstance(value, Mapping):
                return value, f"{_ITEM}.{key}"
        raise PayloadError(f"{_ITEM}.source", "expected the conversation's opening message, got null")

    def customer(self, *authors: Mapping[str, Any]) -> Customer:
        """The conversation's contact, with an email/name from wherever the payload has them."""
        contact_id: str | None = None
        candidates: list[Mapping[str, Any]] = []
        contacts = self.item.get("contacts")
        if isinstance(contacts, Mapping) and isinstance(contacts.get("contacts"), list):
            for i, contact in enumerate(contacts["contacts"]):
                if isinstance(contact, Mapping):
                    contact_id = native_id(contact, "id", f"{_ITEM}.contacts.contacts[{i}]")
                    candidates.append(contact)
                    break
        user = self.item.get("user")
        if contact_id is None and isinstance(user, Mapping) and user.get("id") not in (None, ""):
            contact_id = native_id(user, "id", f"{_ITEM}.user")
        if isinstance(user, Mapping):
            candidates.append(user)
        source = self.item.get("source") or self.item.get("conversation_message")
        source_author = source.get("author") if isinstance(source, Mapping) else None
        extra = [a for a in (*authors, source_author) if isinstance(a, Mapping) and _role(a) == Role.customer]
        if contact_id is None:
            if not extra:
                raise PayloadError(f"{_ITEM}.contacts", "expected the conversation's contact, found none")
            contact_id = native_id(extra[0], "id", f"{_ITEM}.source.author")
        candidates += [a for a in extra if str(a.get("id")) == contact_id]
        email = next(
            (c.get("email") for c in candidates if isinstance(c.get("email"), str) and c["email"]), None
        )
        name = next((c.get("name") for c in candidates if isinstance(c.get("name"), str) and c["name"]), None)
        return customer(canonical_id(PREFIX, contact_id), email=email, name=name)

    def channel(self) -> str | None:
        source = self.item.get("source")
        if not isinstance(source, Mapping):
            return None
        kind = source.get("type")
        # Intercom calls a Messenger chat a "conversation".
        return "chat" if kind == "conversation" else channel(kind)

    def newest(self, accept: Callable[[_Part], bool]) -> _Part | None:
        """The newest part that `accept`s and still has text once its HTML is stripped."""
        for part in sorted(self.parts, key=lambda p: (p.created_at, p.index), reverse=True):
            if part.part_type not in _NOTE_PARTS and accept(part) and html_to_text(part.body):
                return part
        return None

    def at(self, part: _Part | None) -> datetime:
        """When a status change happened: its part, else the conversation's last update."""
        if part is not None:
            return part.created_at
        for value in (self.item.get("updated_at"), self.payload.get("created_at")):
            parsed = parse_time(value)
            if parsed is not None:
                return parsed
        raise PayloadError(f"{_ITEM}.updated_at", "expected when the conversation changed, got null")


def _read_parts(item: Mapping[str, Any]) -> tuple[_Part, ...]:
    container = opt_obj(item, "conversation_parts", _ITEM)
    if container is None:
        return ()
    base = f"{_ITEM}.conversation_parts.conversation_parts"
    parts: list[_Part] = []
    for i, raw in enumerate(items(container, "conversation_parts", f"{_ITEM}.conversation_parts")):
        path = f"{base}[{i}]"
        if not isinstance(raw, Mapping):
            raise PayloadError(path, f"expected an object, got {type(raw).__name__}")
        body = raw.get("body")
        if body is not None and not isinstance(body, str):
            raise PayloadError(f"{path}.body", f"expected a string, got {type(body).__name__}")
        part_type = raw.get("part_type")
        parts.append(
            _Part(
                index=i,
                path=path,
                id=native_id(raw, "id", path),
                part_type=part_type if isinstance(part_type, str) else "",
                body=body,
                created_at=timestamp(raw, "created_at", path),
                author=obj(raw, "author", path),
            )
        )
    return tuple(parts)


def _role(author: Mapping[str, Any]) -> Role | None:
    kind = author.get("type")
    if kind in _CUSTOMER_AUTHORS:
        return Role.customer
    if author.get("from_ai_agent") is True or author.get("is_ai_answer") is True or kind == "bot":
        return Role.bot
    if kind in _AGENT_AUTHORS:
        return Role.agent
    return None


# ---------------------------------------------------------------------------------------------
# Messages


def _part_message(conv: _Conversation, part: _Part, role: Role) -> MessageIn:
    text, truncated = clip_text(html_to_text(part.body))
    return MessageIn(
        message_id=canonical_id(PREFIX, part.id),
        role=role,
        text=text,
        sent_at=part.created_at,
        customer=conv.customer(part.author),
        channel=conv.channel(),
        metadata=metadata(
            intercom_part_type=part.part_type,
            intercom_author_type=part.author_type,
            intercom_author_id=str(part.author.get("id") or ""),
            ai_answer=True if role == Role.bot and part.author_type != "bot" else None,
            truncated=truncated or None,
        ),
    )


def _opening_message(conv: _Conversation, translation: Translation, default_role: Role) -> None:
    source, path = conv.opening()
    source_id = native_id(source, "id", path)
    body = source.get("body")
    if body is not None and not isinstance(body, str):
        raise PayloadError(f"{path}.body", f"expected a string, got {type(body).__name__}")
    text, truncated = clip_text(html_to_text(body))
    if not text:
        translation.ignored = f"opening message {source_id} has no text"
        return
    raw_author = source.get("author")
    author: Mapping[str, Any] = raw_author if isinstance(raw_author, Mapping) else {}
    url = source.get("url")
    subject = html_to_text(source.get("subject")) if isinstance(source.get("subject"), str) else ""
    message = MessageIn(
        message_id=canonical_id(PREFIX, f"src:{source_id}"),
        role=_role(author) or default_role,
        text=text,
        sent_at=timestamp(conv.item, "created_at", _ITEM),
        customer=conv.customer(author),
        channel=conv.channel(),
        page=Page(url=url) if isinstance(url, str) and 0 < len(url) <= 2048 else None,
        metadata=metadata(
            intercom_author_type=author.get("type") if isinstance(author.get("type"), str) else None,
            intercom_author_id=str(author.get("id") or ""),
            delivered_as=source.get("delivered_as") if isinstance(source.get("delivered_as"), str) else None,
            subject=subject or None,
            truncated=truncated or None,
        ),
    )
    translation.messages.append((conv.conversation_id, message, Source.intercom))


def _newest_message(conv: _Conversation, translation: Translation, roles: frozenset[Role], what: str) -> None:
    part = conv.newest(lambda p: p.role in roles)
    if part is None:
        translation.ignored = f"no {what} part with text in the notification"
        return
    role = part.role
    assert role is not None  # `newest` only accepts parts with a role in `roles`
    translation.messages.append((conv.conversation_id, _part_message(conv, part, role), Source.intercom))


def _user_created(conv: _Conversation, translation: Translation) -> None:
    _opening_message(conv, translation, Role.customer)


def _admin_single_created(conv: _Conversation, translation: Translation) -> None:
    _opening_message(conv, translation, Role.agent)


def _user_replied(conv: _Conversation, translation: Translation) -> None:
    _newest_message(conv, translation, frozenset({Role.customer}), "customer")


def _admin_replied(conv: _Conversation, translation: Translation) -> None:
    _newest_message(conv, translation, frozenset({Role.agent, Role.bot}), "teammate")


def _operator_replied(conv: _Conversation, translation: Translation) -> None:
    _newest_message(conv, translation, frozenset({Role.bot}), "bot")


# ---------------------------------------------------------------------------------------------
# Outcomes


def _closed(conv: _Conversation, translation: Translation) -> None:
    close = conv.newest(lambda p: p.part_type == "close" and p.role in (Role.agent, Role.bot))
    if close is not None:
        role = close.role
        assert role is not None
        translation.messages.append((conv.conversation_id, _part_message(conv, close, role), Source.intercom))
    close_part = close or _newest_of_type(conv, "close")
    at = conv.at(close_part)
    ai_state = conv.ai_agent.get("resolution_state")
    resolved_by: Literal["bot", "agent"] = (
        "bot" if ai_state in _AI_RESOLVED and not _teammate_replied(conv) else "agent"
    )
    created = opt_timestamp(conv.item, "created_at", _ITEM)
    key = close_part.id if close_part else translation.dedup_key or ""
    translation.outcomes.append(
        OutcomeRecorded(
            event_id=event_id_for("OutcomeRecorded", conv.conversation_id, "closed", key),
            occurred_at=at,
            conversation_id=conv.conversation_id,
            source=Source.intercom,
            kind="closed",
            resolved_by=resolved_by,
            time_to_resolve_s=max(0.0, (at - created).total_seconds()) if created else None,
            native=metadata(
                conversation_id=conv.id,
                part_id=close_part.id if close_part else None,
                ai_resolution_state=ai_state if isinstance(ai_state, str) else None,
            ),
        )
    )


def _opened(conv: _Conversation, translation: Translation) -> None:
    stats = conv.statistics
    was_closed = (
        not stats  # the older shape has no statistics: "opened" there only follows a close
        or any(
            stats.get(k)
            for k in ("first_close_at", "last_close_at", "time_to_first_close", "time_to_last_close")
        )
        or (isinstance(stats.get("count_reopens"), int) and stats["count_reopens"] > 0)
    )
    if not was_closed:
        translation.ignored = "opened without a previous close (e.g. unsnoozed): not a reopen"
        return
    part = _newest_of_type(conv, "open")
    key = part.id if part else translation.dedup_key or ""
    translation.outcomes.append(
        OutcomeRecorded(
            event_id=event_id_for("OutcomeRecorded", conv.conversation_id, "reopened", key),
            occurred_at=conv.at(part),
            conversation_id=conv.conversation_id,
            source=Source.intercom,
            kind="reopened",
            native=metadata(conversation_id=conv.id, part_id=part.id if part else None),
        )
    )


def _rating_added(conv: _Conversation, translation: Translation) -> None:
    rating = conv.item.get("conversation_rating")
    path = f"{_ITEM}.conversation_rating"
    field, remark_field, rated_by = "rating", "remark", "conversation"
    if not isinstance(rating, Mapping) or rating.get("rating") is None:
        if conv.ai_agent.get("rating") is None:
            raise PayloadError(
                path, "expected a rating (conversation_rating.rating or ai_agent.rating), got none"
            )
        rating, path = conv.ai_agent, f"{_ITEM}.ai_agent"
        remark_field, rated_by = "rating_remark", "ai_agent"
    score = _score(rating.get(field), f"{path}.{field}")
    remark = rating.get(remark_field)
    at = opt_timestamp(rating, "created_at", path) or conv.at(None)
    teammate = rating.get("teammate")
    translation.outcomes.append(
        OutcomeRecorded(
            event_id=event_id_for("OutcomeRecorded", conv.conversation_id, "rated", rated_by, at.isoformat()),
            occurred_at=at,
            conversation_id=conv.conversation_id,
            source=Source.intercom,
            kind="rated",
            csat=score,
            csat_comment=(html_to_text(remark)[:4096] or None) if isinstance(remark, str) else None,
            resolved_by="bot" if rated_by == "ai_agent" else "unknown",
            native=metadata(
                conversation_id=conv.id,
                rated=rated_by,
                teammate_id=str(teammate.get("id"))
                if isinstance(teammate, Mapping) and teammate.get("id")
                else None,
            ),
        )
    )


def _score(value: Any, field: str) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise PayloadError(field, f"expected a rating 1..5, got {value!r}")
    return value


def _newest_of_type(conv: _Conversation, part_type: str) -> _Part | None:
    """The newest part of a type, with or without text (a close or reopen event)."""
    matching = [p for p in conv.parts if p.part_type == part_type]
    return max(matching, key=lambda p: (p.created_at, p.index)) if matching else None


def _teammate_replied(conv: _Conversation) -> bool:
    stats = conv.statistics
    if stats.get("first_admin_reply_at") or stats.get("last_admin_reply_at"):
        return True
    return any(p.role == Role.agent and p.part_type == "comment" for p in conv.parts)


# ---------------------------------------------------------------------------------------------
# Redactions


def _part_redacted(payload: Mapping[str, Any], translation: Translation) -> Translation:
    """Only ids are read (not authors or times, as `_Conversation.read` does): a redaction must not
    fail on a field it does not need."""
    item = obj(obj(payload, "data"), "item", "data")
    if item.get("type") == "conversation_part":
        part = canonical_id(PREFIX, native_id(item, "id", _ITEM))
        translation.ignored = f"redacted part {part} came without its conversation: Baton cannot locate it"
        return translation
    conversation_id = canonical_id(PREFIX, native_id(item, "id", _ITEM))
    message_ids: list[str] = []
    for key in ("source", "conversation_message"):
        opening = item.get(key)
        if isinstance(opening, Mapping) and opening.get("redacted") is True:
            message_ids.append(canonical_id(PREFIX, f"src:{native_id(opening, 'id', f'{_ITEM}.{key}')}"))
    container = opt_obj(item, "conversation_parts", _ITEM)
    if container is not None:
        base = f"{_ITEM}.conversation_parts.conversation_parts"
        for i, part in enumerate(items(container, "conversation_parts", f"{_ITEM}.conversation_parts")):
            if isinstance(part, Mapping) and part.get("redacted") is True:
                message_ids.append(canonical_id(PREFIX, native_id(part, "id", f"{base}[{i}]")))
    if not message_ids:
        translation.ignored = "no part of the notification is marked redacted: nothing to redact"
    translation.redactions.extend((conversation_id, message_id) for message_id in dict.fromkeys(message_ids))
    return translation


_ACKNOWLEDGED = {
    ADMIN_NOTED: "internal note: not a conversation message",
    ADMIN_ASSIGNED: "assignment: no message or outcome to record",
    ADMIN_SNOOZED: "snoozed: no message or outcome to record",
}

_HANDLERS: dict[str, Callable[[_Conversation, Translation], None]] = {
    USER_CREATED: _user_created,
    USER_REPLIED: _user_replied,
    ADMIN_SINGLE_CREATED: _admin_single_created,
    ADMIN_REPLIED: _admin_replied,
    OPERATOR_REPLIED: _operator_replied,
    ADMIN_CLOSED: _closed,
    ADMIN_OPENED: _opened,
    RATING_ADDED: _rating_added,
}
