"""Zendesk webhooks -> canonical messages and outcomes.

Baton reads Zendesk's webhook *event subscriptions* (`type: zen:event-type:ticket.*`, Zendesk
event version 2022-11-06) and one trigger body of its own for satisfaction ratings.

Mapped event types:

- `zen:event-type:ticket.created`: the ticket's `description` becomes the conversation's first
  message (role customer, or agent when an agent opened the ticket for the requester, i.e. the
  submitter is not the requester). Id `zendesk:<ticket id>:description`.
- `zen:event-type:ticket.comment_added`: public comments only. The requester's comments are role
  customer, staff comments role agent (other end users, e.g. CCs, count as the customer side).
  Private comments (internal notes) are never messages. Id `zendesk:<comment id>`. When Zendesk
  also announces the ticket's first comment this way (the requester's or submitter's comment whose
  text is the description), it gets the id and content `ticket.created` gives it, so the opening
  message is stored once whichever of the two arrives first.
- `zen:event-type:ticket.status_changed`: to solved -> OutcomeRecorded `resolved`, to closed ->
  `closed`, from solved/closed back to new/open/pending/hold -> `reopened`; other transitions
  are acknowledged and ignored.
- `zen:event-type:ticket.comment_redacted` and `zen:event-type:ticket.comment_made_private`: a
  redaction of `zendesk:<comment id>` (a comment made private is no longer public, so Baton stops
  holding it too). Zendesk redacts strings inside a comment (each character becomes `▇`); Baton
  cannot tell which of its stored characters those were and blanks the whole message. Only
  `event.comment.id` is required; `author` and `body` help with the opening message (below).
  When the comment may be the ticket's first one, Baton may have stored it as the opening message
  `zendesk:<ticket id>:description`, so that is redacted too: the comment's author opened the
  ticket (the submitter, else the requester) and its text matches the ticket's `description`
  (each run of `▇` standing for any text). When the payload has no text to compare, the opening
  message is redacted as well: a privacy signal errs on the side of forgetting.

Canonical ids: conversation `zendesk:<ticket id>`, customer `zendesk:<requester id>`, account
`zendesk-org:<organization id>` (the customer id when the requester has no organization).

CSAT trigger: Zendesk has no satisfaction event subscription. An admin adds a webhook
(endpoint `POST /v1/webhooks/zendesk`, method POST, format JSON, authentication none; Baton checks
the webhook's signing secret) and a trigger with the condition "Ticket > Satisfaction > Changed"
(or "is Good/Bad") whose action "Notify by > Active webhook" sends this JSON body:

    {
      "type": "baton:csat",
      "ticket_id": "{{ticket.id}}",
      "requester_id": "{{ticket.requester.id}}",
      "organization_id": "{{ticket.organization.id}}",
      "score": "{{satisfaction.current_rating}}",
      "comment": "{{satisfaction.current_comment}}",
      "rated_at": "{{ticket.updated_at_with_timestamp}}"
    }

`type` and `ticket_id` are required; the rest is optional. `score` may be Zendesk's good/bad rating
(any text starting with "good" or "bad", e.g. "Good, I'm satisfied") -> csat 5 / 1, or a number
1..5 (a 1..5 survey, or a hand-written body). "Offered"/"Unoffered"/empty (no rating yet) is
acknowledged and ignored. It becomes OutcomeRecorded `rated` with `csat` (1..5) and
`csat_comment`. A redelivery of the same body is processed once.
"""

from __future__ import annotations

import hashlib
import json
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
    flag,
    metadata,
    native_id,
    obj,
    opt_native_id,
    opt_string,
    opt_timestamp,
    string,
    timestamp,
)
from baton.ingestion.connectors.html import to_text
from baton.models import Customer, MessageIn, Role, Source

TOPIC_PREFIX = "zen:event-type:"
TICKET_CREATED = TOPIC_PREFIX + "ticket.created"
COMMENT_ADDED = TOPIC_PREFIX + "ticket.comment_added"
STATUS_CHANGED = TOPIC_PREFIX + "ticket.status_changed"
COMMENT_REDACTED = TOPIC_PREFIX + "ticket.comment_redacted"
COMMENT_MADE_PRIVATE = TOPIC_PREFIX + "ticket.comment_made_private"
CSAT = "baton:csat"
REDACTION_MARK = "\u2587"
"""What Zendesk puts in place of each redacted character (▇)."""

CONVERSATION_PREFIX = "zendesk"
ORG_PREFIX = "zendesk-org"
_OPEN_STATES = frozenset({"new", "open", "pending", "hold"})
_DONE_STATES = frozenset({"solved", "closed"})
_NO_RATING = frozenset({"", "offered", "unoffered", "not offered", "not_offered"})


@dataclass(frozen=True)
class Ticket:
    """The parts of a Zendesk ticket a message or outcome needs (webhook `detail` or partner `ticket`)."""

    id: str
    requester_id: str | None
    submitter_id: str | None
    organization_id: str | None
    channel: str | None
    created_at: datetime | None
    path: str
    """Where the ticket sits in the payload (`detail`, `detail.ticket_event.ticket`), for errors."""

    @classmethod
    def read(cls, ticket: Mapping[str, Any], path: str) -> Ticket:
        via = ticket.get("via")
        return cls(
            id=native_id(ticket, "id", path),
            requester_id=opt_native_id(ticket, "requester_id", path),
            submitter_id=opt_native_id(ticket, "submitter_id", path),
            organization_id=opt_native_id(ticket, "organization_id", path),
            channel=channel(via.get("channel")) if isinstance(via, Mapping) else None,
            created_at=opt_timestamp(ticket, "created_at", path),
            path=path,
        )

    @property
    def conversation_id(self) -> str:
        return canonical_id(CONVERSATION_PREFIX, self.id)

    def requester(self) -> str:
        if self.requester_id is None:
            raise PayloadError(f"{self.path}.requester_id", "expected the requester's id, got null")
        return self.requester_id

    def customer(self, name: Any = None) -> Customer:
        customer_id = canonical_id(CONVERSATION_PREFIX, self.requester())
        account = canonical_id(ORG_PREFIX, self.organization_id) if self.organization_id else None
        return customer(customer_id, account, name=name)


def translate(payload: Mapping[str, Any], *, now: datetime) -> Translation:
    """Translate one verified Zendesk webhook body. `now` dates a CSAT body that carries no time."""
    topic = string(payload, "type")
    if topic == CSAT:
        return _csat(payload, now)
    handler = _HANDLERS.get(topic)
    if handler is None:
        return Translation(
            topic=topic, dedup_key=_dedup_key(payload), ignored=f"unknown topic {topic}", unknown_topic=True
        )
    return handler(payload)


# ---------------------------------------------------------------------------------------------
# Shared with the partner-event connector (same canonical messages and outcomes for both)


def comment_message(
    ticket: Ticket, comment: Mapping[str, Any], path: str, sent_at: datetime
) -> tuple[MessageIn | None, str | None]:
    """A public comment as a canonical message, or (None, why not)."""
    comment_id = native_id(comment, "id", path)
    if not flag(comment, "is_public", path):
        return None, f"private comment {comment_id} (internal note) is not a conversation message"
    author = obj(comment, "author", path)
    author_id = native_id(author, "id", f"{path}.author")
    is_staff = author.get("is_staff") is True
    requester = ticket.requester()
    if author_id == requester:
        role = Role.customer
    elif is_staff:
        role = Role.agent
    else:
        role = Role.customer  # another end user on the ticket (a CC): the customer side
    text, truncated = clip_text(to_text(_body(comment, path)))
    if not text:
        return None, f"comment {comment_id} has no text"
    message = MessageIn(
        message_id=canonical_id(CONVERSATION_PREFIX, comment_id),
        role=role,
        text=text,
        sent_at=sent_at,
        customer=ticket.customer(name=author.get("name") if author_id == requester else None),
        channel=ticket.channel,
        metadata=metadata(zendesk_author_id=author_id, truncated=truncated or None),
    )
    return message, None


def comment_redactions(
    ticket: Ticket, comment: Mapping[str, Any], path: str, *, description: Any = None
) -> list[tuple[str, str]]:
    """The canonical messages a redacted (or made-private) comment takes away: the comment's own,
    and the ticket's opening message when the comment may be it (see the module docstring)."""
    comment_id = native_id(comment, "id", path)
    hidden = [(ticket.conversation_id, canonical_id(CONVERSATION_PREFIX, comment_id))]
    if _may_be_opening(ticket, comment, description):
        hidden.append((ticket.conversation_id, canonical_id(CONVERSATION_PREFIX, f"{ticket.id}:description")))
    return hidden


def status_outcome(
    ticket: Ticket,
    previous: str | None,
    current: str,
    *,
    at: datetime,
    event_key: str,
    native: dict[str, Any],
) -> tuple[OutcomeRecorded | None, str | None]:
    """Map a status transition to an outcome, or (None, why it is not one)."""
    prev = (previous or "").strip().lower()
    cur = current.strip().lower()
    kind: Literal["resolved", "closed", "reopened"]
    if cur == "solved":
        kind = "resolved"
    elif cur == "closed":
        kind = "closed"
    elif cur in _OPEN_STATES and prev in _DONE_STATES:
        kind = "reopened"
    else:
        return None, f"status change {prev or 'unknown'} -> {cur} is not an outcome"
    ttr = None
    if kind == "resolved" and ticket.created_at is not None:
        ttr = max(0.0, (at - ticket.created_at).total_seconds())
    outcome = OutcomeRecorded(
        event_id=event_id_for("OutcomeRecorded", ticket.conversation_id, kind, event_key),
        occurred_at=at,
        conversation_id=ticket.conversation_id,
        source=Source.zendesk,
        kind=kind,
        # Zendesk tickets are solved by agents (or by their triggers/automations on their behalf).
        resolved_by="agent" if kind in ("resolved", "closed") else "unknown",
        time_to_resolve_s=ttr,
        native={"ticket_id": ticket.id, "previous_status": prev or None, "status": cur, **native},
    )
    return outcome, None


# ---------------------------------------------------------------------------------------------
# Webhook event types


def _ticket_created(payload: Mapping[str, Any]) -> Translation:
    detail = obj(payload, "detail")
    ticket = Ticket.read(detail, "detail")
    translation = Translation(topic=TICKET_CREATED, dedup_key=_dedup_key(payload, required=True))
    message = _opening_message(ticket, detail)
    if message is None:
        translation.ignored = "ticket created without a description"
    else:
        translation.messages.append((ticket.conversation_id, message, Source.zendesk))
    return translation


def _comment_added(payload: Mapping[str, Any]) -> Translation:
    detail = obj(payload, "detail")
    ticket = Ticket.read(detail, "detail")
    comment = obj(obj(payload, "event"), "comment", "event")
    translation = Translation(topic=COMMENT_ADDED, dedup_key=_dedup_key(payload, required=True))
    message, why = comment_message(ticket, comment, "event.comment", timestamp(payload, "time"))
    if message is not None and _is_description(ticket, detail, comment):
        message = _opening_message(ticket, detail)
    if message is None:
        translation.ignored = why
    else:
        translation.messages.append((ticket.conversation_id, message, Source.zendesk))
    return translation


def _status_changed(payload: Mapping[str, Any]) -> Translation:
    detail = obj(payload, "detail")
    ticket = Ticket.read(detail, "detail")
    event = obj(payload, "event")
    event_id = native_id(payload, "id")
    translation = Translation(topic=STATUS_CHANGED, dedup_key=_dedup_key(payload, required=True))
    outcome, why = status_outcome(
        ticket,
        opt_string(event, "previous", "event"),
        string(event, "current", "event"),
        at=timestamp(payload, "time"),
        event_key=event_id,
        native={"event_id": event_id},
    )
    if outcome is None:
        translation.ignored = why
    else:
        translation.outcomes.append(outcome)
    return translation


def _csat(payload: Mapping[str, Any], now: datetime) -> Translation:
    ticket_id = native_id(payload, "ticket_id")
    if not ticket_id.isdigit():
        raise PayloadError(
            "ticket_id", "expected a Zendesk ticket id (digits); is the placeholder {{ticket.id}}?"
        )
    body_key = hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[:32]
    translation = Translation(topic=CSAT, dedup_key=f"zendesk:csat:{body_key}")
    score = _csat_score(payload.get("score"))
    if score is None:
        translation.ignored = "satisfaction offered but not rated yet"
        return translation
    comment = to_text(opt_string(payload, "comment"))[:4096] or None
    rated_at = _placeholder_time(payload, "rated_at") or now
    conversation_id = canonical_id(CONVERSATION_PREFIX, ticket_id)
    translation.outcomes.append(
        OutcomeRecorded(
            event_id=event_id_for("OutcomeRecorded", conversation_id, "rated", body_key),
            occurred_at=rated_at,
            conversation_id=conversation_id,
            source=Source.zendesk,
            kind="rated",
            csat=score,
            csat_comment=comment,
            native=metadata(
                ticket_id=ticket_id,
                score=str(payload.get("score")),
                # Rendered as "" when the requester has no organization.
                requester_id=_rendered(payload.get("requester_id")),
                organization_id=_rendered(payload.get("organization_id")),
            ),
        )
    )
    return translation


def _comment_hidden(payload: Mapping[str, Any]) -> Translation:
    """`ticket.comment_redacted` / `ticket.comment_made_private`: Baton stops holding the comment."""
    detail = obj(payload, "detail")
    ticket = Ticket.read(detail, "detail")
    comment = obj(obj(payload, "event"), "comment", "event")
    translation = Translation(topic=string(payload, "type"), dedup_key=_dedup_key(payload, required=True))
    translation.redactions.extend(
        comment_redactions(ticket, comment, "event.comment", description=detail.get("description"))
    )
    return translation


_HANDLERS: dict[str, Callable[[Mapping[str, Any]], Translation]] = {
    TICKET_CREATED: _ticket_created,
    COMMENT_ADDED: _comment_added,
    STATUS_CHANGED: _status_changed,
    COMMENT_REDACTED: _comment_hidden,
    COMMENT_MADE_PRIVATE: _comment_hidden,
}


# ---------------------------------------------------------------------------------------------
# Helpers


def _body(comment: Mapping[str, Any], path: str) -> str:
    body = comment.get("body")
    if body is None:
        body = comment.get("html_body")
    if body is None:
        return ""
    if not isinstance(body, str):
        raise PayloadError(f"{path}.body", f"expected a string, got {type(body).__name__}")
    return body


def _opening_message(ticket: Ticket, detail: Mapping[str, Any]) -> MessageIn | None:
    """The ticket's description as its first message (one construction for both event types)."""
    description = opt_string(detail, "description", ticket.path)
    text, truncated = clip_text(to_text(description))
    if not text:
        return None
    requester = ticket.requester()
    author = ticket.submitter_id or requester
    return MessageIn(
        message_id=canonical_id(CONVERSATION_PREFIX, f"{ticket.id}:description"),
        role=Role.customer if author == requester else Role.agent,
        text=text,
        sent_at=ticket.created_at or timestamp(detail, "created_at", ticket.path),
        customer=ticket.customer(),
        channel=ticket.channel,
        metadata=metadata(
            zendesk_author_id=author,
            subject=opt_string(detail, "subject", ticket.path),
            truncated=truncated or None,
        ),
    )


def _is_description(ticket: Ticket, detail: Mapping[str, Any], comment: Mapping[str, Any]) -> bool:
    description = detail.get("description")
    if not isinstance(description, str) or ticket.created_at is None:
        return False
    author = comment.get("author")
    author_id = str(author.get("id")) if isinstance(author, Mapping) else None
    if author_id != (ticket.submitter_id or ticket.requester_id):
        return False
    body = comment.get("body") if isinstance(comment.get("body"), str) else ""
    return to_text(body) == to_text(description)


def _may_be_opening(ticket: Ticket, comment: Mapping[str, Any], description: Any) -> bool:
    """Whether a comment may be the ticket's first, i.e. the message stored as its description."""
    opener = ticket.submitter_id or ticket.requester_id
    author = comment.get("author")
    author_id = author.get("id") if isinstance(author, Mapping) else None
    if opener is not None and isinstance(author_id, str | int) and str(author_id).strip() != opener:
        return False
    body = comment.get("body") if isinstance(comment.get("body"), str) else comment.get("html_body")
    if not isinstance(body, str) or not isinstance(description, str):
        return True  # nothing to compare with: forget rather than keep
    text, original = _squash(to_text(body)), _squash(to_text(description))
    if not text or not original:
        return True
    return _matches_but_redactions(text, original) or _matches_but_redactions(original, text)


def _squash(text: str) -> str:
    return " ".join(text.split())


def _matches_but_redactions(redacted: str, original: str) -> bool:
    """`original` is `redacted` with each run of ▇ standing for any text (a linear scan, not a
    regex: the texts come from customers and must not be able to make matching slow)."""
    pieces = [piece.strip() for piece in redacted.split(REDACTION_MARK)]
    if len(pieces) == 1:
        return redacted == original
    first, *middle, last = pieces
    end = len(original) - len(last)
    if not original.startswith(first) or not original.endswith(last) or end < len(first):
        return False
    position = len(first)
    for piece in middle:
        if not piece:
            continue
        found = original.find(piece, position, end)
        if found < 0:
            return False
        position = found + len(piece)
    return True


def _dedup_key(payload: Mapping[str, Any], *, required: bool = False) -> str | None:
    if required:
        return f"zendesk:{native_id(payload, 'id')}"
    event_id = payload.get("id")
    return f"zendesk:{event_id}" if isinstance(event_id, str | int) and str(event_id).strip() else None


def _csat_score(value: Any) -> int | None:
    if isinstance(value, bool):
        raise PayloadError("score", "expected good/bad or a number 1..5, got a boolean")
    if isinstance(value, int | float):
        number = value
    elif isinstance(value, str):
        text = value.strip().lower()
        if text in _NO_RATING:
            return None
        if text.startswith("good"):
            return 5
        if text.startswith("bad"):
            return 1
        try:
            number = float(text)
        except ValueError:
            raise PayloadError("score", f"expected good/bad or a number 1..5, got {value!r}") from None
    elif value is None:
        return None
    else:
        raise PayloadError("score", f"expected good/bad or a number 1..5, got {type(value).__name__}")
    if number != int(number) or not 1 <= number <= 5:
        raise PayloadError("score", f"expected a whole number 1..5, got {value!r}")
    return int(number)


def _rendered(value: Any) -> str | None:
    """A placeholder's value, or None when it is empty or was not rendered."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and value.strip() and "{{" not in value:
        return value.strip()
    return None


def _placeholder_time(payload: Mapping[str, Any], key: str) -> datetime | None:
    value = payload.get(key)
    if isinstance(value, str) and "{{" in value:
        return None  # an unrendered placeholder: fall back to the delivery time
    return opt_timestamp(payload, key)
