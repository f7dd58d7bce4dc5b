"""Zendesk Events Connector (EventBridge partner source) -> the same canonical messages, outcomes
and redactions as the Zendesk webhooks.

The event: `source: aws.partner/zendesk.com/<account id>/default`, `detail-type: "Support Ticket:
<Event>"`, and `detail.ticket_event` = {`meta` (occurred_at, sequence, actor_id), `type`
(= <Event>), `ticket` (id, requester_id, organization_id, status, via, ...), and per type e.g.
`comment` for Comment Created or `previous`/`current` for the changes}. Zendesk stopped new set-ups
of the connector on 2024-08-12 and ended it on 2025-12-01; existing archives can still be replayed.

| ticket_event.type | result |
|---|---|
| Comment Created | a public comment -> message (customer/agent as for webhooks); private ones ignored |
| Status Changed | solved -> resolved, closed -> closed, solved/closed -> open/pending/hold -> reopened |
| Comment Redacted / Made Private | redaction of `zendesk:<comment id>` (+ the opening message: below) |
| Ticket Created | acknowledged: the ticket's first comment arrives as its own Comment Created |
| other documented types | acknowledged (assignment, tags, priority, ...: nothing to record) |
| anything else | acknowledged and flagged `unknown_topic` (counted) |

A comment redacted or made private is treated as the webhooks treat it (`zendesk.comment_redactions`):
Baton blanks its stored copy. The connector's ticket carries no `description` to compare with, so
a comment whose author opened the ticket also redacts the opening message
`zendesk:<ticket id>:description` (only stored where the webhooks delivered `ticket.created`;
elsewhere the id is merely remembered as redacted).

The connector has no satisfaction event: CSAT comes through the webhook trigger (see `zendesk`).
An event that is not this shape raises `PayloadError` naming the field: the SQS consumer reports
it as a batch item failure, so it ends in the DLQ instead of vanishing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from baton.bus import ZENDESK_PARTNER_SOURCE_PREFIX
from baton.errors import PayloadError
from baton.ingestion.connectors.base import (
    Translation,
    native_id,
    obj,
    opt_obj,
    opt_string,
    parse_time,
    string,
)
from baton.ingestion.connectors.zendesk import Ticket, comment_message, comment_redactions, status_outcome
from baton.models import Source

DETAIL_TYPE_PREFIX = "Support Ticket: "
COMMENT_CREATED = "Comment Created"
STATUS_CHANGED = "Status Changed"
TICKET_CREATED = "Ticket Created"
COMMENT_REDACTED = "Comment Redacted"
COMMENT_MADE_PRIVATE = "Comment Made Private"

_TICKET_EVENT = "detail.ticket_event"

# Documented event types that carry no message or outcome Baton records.
_KNOWN_WITHOUT_EFFECT = {
    TICKET_CREATED: "ticket created: its first comment arrives as a Comment Created event",
    "Attachment Redacted from Comment": "attachment redacted: Baton stores no attachments",
    "Attachment Linked to Comment": "attachment linked: Baton stores no attachments",
    **{
        name: f"{name.lower()}: no message or outcome to record"
        for name in (
            "Agent Assignment Changed",
            "Brand Changed",
            "Custom Field Changed",
            "Description Changed",
            "Email CCs Changed",
            "External ID Changed",
            "Followers Changed",
            "Form Changed",
            "Group Assignment Changed",
            "Organization Changed",
            "Priority Changed",
            "Problem Link Changed",
            "Requester Changed",
            "Subject Changed",
            "Submitter Changed",
            "Tags Changed",
            "Task Due At Changed",
            "Ticket Marked as Spam",
            "Ticket Merged",
            "Ticket Permanently Deleted",
            "Ticket Soft Deleted",
            "Ticket Type Changed",
            "Ticket Undeleted",
        )
    },
}


def is_partner_event(event: Mapping[str, Any]) -> bool:
    source = event.get("source")
    return isinstance(source, str) and source.startswith(ZENDESK_PARTNER_SOURCE_PREFIX)


def translate(event: Mapping[str, Any]) -> Translation:
    """Translate one EventBridge event from the Zendesk partner source."""
    source = string(event, "source")
    if not is_partner_event(event):
        raise PayloadError("source", f"expected {ZENDESK_PARTNER_SOURCE_PREFIX}/<id>/default, got {source!r}")
    detail_type = string(event, "detail-type")
    if not detail_type.startswith(DETAIL_TYPE_PREFIX):
        raise PayloadError("detail-type", f"expected '{DETAIL_TYPE_PREFIX}<Event>', got {detail_type!r}")
    event_id = native_id(event, "id")
    ticket_event = obj(obj(event, "detail"), "ticket_event", "detail")
    kind = string(ticket_event, "type", _TICKET_EVENT)
    ticket = Ticket.read(obj(ticket_event, "ticket", _TICKET_EVENT), f"{_TICKET_EVENT}.ticket")
    translation = Translation(topic=detail_type, dedup_key=f"zendesk-partner:{event_id}")

    if kind == COMMENT_CREATED:
        comment = obj(ticket_event, "comment", _TICKET_EVENT)
        message, why = comment_message(
            ticket, comment, f"{_TICKET_EVENT}.comment", _occurred_at(event, ticket_event)
        )
        if message is None:
            translation.ignored = why
        else:
            translation.messages.append((ticket.conversation_id, message, Source.zendesk))
    elif kind == STATUS_CHANGED:
        outcome, why = status_outcome(
            ticket,
            opt_string(ticket_event, "previous", _TICKET_EVENT),
            string(ticket_event, "current", _TICKET_EVENT),
            at=_occurred_at(event, ticket_event),
            event_key=event_id,
            native={"partner_event_id": event_id},
        )
        if outcome is None:
            translation.ignored = why
        else:
            translation.outcomes.append(outcome)
    elif kind in (COMMENT_REDACTED, COMMENT_MADE_PRIVATE):
        comment = obj(ticket_event, "comment", _TICKET_EVENT)
        translation.redactions.extend(comment_redactions(ticket, comment, f"{_TICKET_EVENT}.comment"))
    elif kind in _KNOWN_WITHOUT_EFFECT:
        translation.ignored = _KNOWN_WITHOUT_EFFECT[kind]
    else:
        translation.ignored = f"unknown topic {kind}"
        translation.unknown_topic = True
    return translation


def _occurred_at(event: Mapping[str, Any], ticket_event: Mapping[str, Any]) -> datetime:
    """`meta.occurred_at` (when it happened in Zendesk), else the EventBridge `time`."""
    meta = opt_obj(ticket_event, "meta", _TICKET_EVENT) or {}
    for value in (meta.get("occurred_at"), event.get("time")):
        parsed = parse_time(value)
        if parsed is not None:
            return parsed
    raise PayloadError(f"{_TICKET_EVENT}.meta.occurred_at", "expected when the event happened, got null")
