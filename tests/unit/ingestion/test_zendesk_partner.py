"""Zendesk Events Connector (EventBridge partner events) -> the same canonical events as the webhooks."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from baton.errors import PayloadError
from baton.ingestion.connectors import zendesk, zendesk_partner
from baton.ingestion.connectors.base import apply
from baton.models import ConversationStatus, Role

TICKET = "zendesk:52210"


@pytest.fixture
def load(sample_event):
    return lambda name: sample_event(f"helpdesk/zendesk-partner/{name}.json")


def test_a_customer_comment_is_a_customer_message(load) -> None:
    translation = zendesk_partner.translate(load("comment_created_customer"))
    ((conversation_id, message, source),) = translation.messages
    assert (conversation_id, source) == (TICKET, "zendesk")
    assert message.message_id == "zendesk:16200000000101"
    assert message.role == Role.customer
    assert (
        message.text
        == "Hello,\n\nI was billed for 12 seats but we only have 9 users. Can you fix the invoice?"
    )
    assert message.sent_at == datetime(2026, 3, 10, 14, 2, 11, 512340, tzinfo=UTC)
    assert (message.customer.id, message.customer.account_id) == (
        "zendesk:16093329900001",
        "zendesk-org:16093322690017",
    )
    assert message.channel == "email"
    assert translation.topic == "Support Ticket: Comment Created"
    assert translation.dedup_key == "zendesk-partner:4d2a8b63-9f1e-4c7b-8a42-3e5d7f9b1c22"


def test_a_staff_comment_is_an_agent_message(load) -> None:
    ((_, message, _),) = zendesk_partner.translate(load("comment_created_agent")).messages
    assert message.role == Role.agent
    assert message.customer.id == "zendesk:16093329900001"


def test_a_private_comment_is_not_a_message(load) -> None:
    translation = zendesk_partner.translate(load("comment_created_private"))
    assert translation.messages == [] and "internal note" in translation.ignored


def test_the_same_comment_maps_to_the_same_message_as_the_webhook(load, sample_event) -> None:
    partner = load("comment_created_customer")
    webhook = sample_event("helpdesk/zendesk/comment_added_customer.json")
    ticket = partner["detail"]["ticket_event"]["ticket"]
    comment = partner["detail"]["ticket_event"]["comment"]
    webhook["detail"].update(
        id=str(ticket["id"]),
        requester_id=str(ticket["requester_id"]),
        organization_id=str(ticket["organization_id"]),
        via=ticket["via"],
    )
    webhook["event"]["comment"] = {**comment, "id": str(comment["id"])}
    webhook["time"] = partner["detail"]["ticket_event"]["meta"]["occurred_at"]
    ((_, from_partner, _),) = zendesk_partner.translate(partner).messages
    ((_, from_webhook, _),) = zendesk.translate(webhook, now=datetime.now(UTC)).messages
    assert from_partner.fingerprint() == from_webhook.fingerprint()


@pytest.mark.parametrize(
    ("fixture", "kind", "resolved_by"),
    [("status_changed_solved", "resolved", "agent"), ("status_changed_reopened", "reopened", "unknown")],
)
def test_status_changes_become_outcomes(load, fixture, kind, resolved_by) -> None:
    (outcome,) = zendesk_partner.translate(load(fixture)).outcomes
    assert (outcome.conversation_id, outcome.kind, outcome.resolved_by, outcome.source) == (
        TICKET,
        kind,
        resolved_by,
        "zendesk",
    )


def test_a_conversation_from_partner_events_reads_like_any_other(load, service) -> None:
    for name in ("ticket_created", "comment_created_customer", "comment_created_private", "comment_created_agent",
                 "status_changed_solved"):  # fmt: skip
        apply(zendesk_partner.translate(load(name)), service)
    conversation = service.conversation(TICKET)
    assert [(m.role, m.message_id) for m in conversation.messages] == [
        (Role.customer, "zendesk:16200000000101"),
        (Role.agent, "zendesk:16200000000102"),
    ]
    assert conversation.status == ConversationStatus.resolved
    assert conversation.source == "zendesk"


def test_a_redacted_comment_becomes_a_redaction_of_its_message_and_the_opening_one(load) -> None:
    translation = zendesk_partner.translate(load("comment_redacted"))
    # No description to compare with, and the author opened the ticket: the opening message goes too.
    assert translation.redactions == [
        (TICKET, "zendesk:16200000000101"),
        (TICKET, "zendesk:52210:description"),
    ]
    assert translation.messages == [] and translation.outcomes == [] and translation.ignored is None
    assert translation.topic == "Support Ticket: Comment Redacted"
    assert translation.dedup_key == "zendesk-partner:8b1f4d27-3c6e-4a90-b5d2-7e9f1a3c5b64"


def test_a_comment_made_private_is_treated_as_redacted(load) -> None:
    translation = zendesk_partner.translate(load("comment_made_private"))
    assert translation.redactions == [(TICKET, "zendesk:16200000000102")]  # an agent's: never the opening
    assert translation.unknown_topic is False


def test_a_redaction_maps_to_the_same_message_ids_as_the_webhook(load, sample_event) -> None:
    partner = load("comment_made_private")
    webhook = sample_event("helpdesk/zendesk/comment_made_private.json")
    ticket = partner["detail"]["ticket_event"]["ticket"]
    webhook["detail"].update(id=str(ticket["id"]), requester_id=str(ticket["requester_id"]))
    webhook["event"]["comment"]["id"] = str(partner["detail"]["ticket_event"]["comment"]["id"])
    assert (
        zendesk_partner.translate(partner).redactions
        == zendesk.translate(webhook, now=datetime.now(UTC)).redactions
    )


def test_a_redaction_without_the_comment_names_the_field(load) -> None:
    event = load("comment_redacted")
    del event["detail"]["ticket_event"]["comment"]["id"]
    with pytest.raises(PayloadError) as caught:
        zendesk_partner.translate(event)
    assert caught.value.field == "detail.ticket_event.comment.id"


def test_partner_redactions_blank_the_stored_comments(load, service) -> None:
    for name in (
        "comment_created_customer",
        "comment_created_agent",
        "comment_redacted",
        "comment_made_private",
    ):
        applied = apply(zendesk_partner.translate(load(name)), service)
    assert (applied.redactions, applied.redacted) == (1, 1)
    conversation = service.conversation(TICKET)
    assert [(m.message_id, m.text, m.redacted_at is not None) for m in conversation.messages] == [
        ("zendesk:16200000000101", "", True),
        ("zendesk:16200000000102", "", True),
    ]


@pytest.mark.parametrize(
    ("fixture", "reason"),
    [
        ("ticket_created", "ticket created: its first comment arrives as a Comment Created event"),
        ("agent_assignment_changed", "agent assignment changed: no message or outcome to record"),
    ],
)
def test_documented_types_without_a_canonical_meaning_are_acknowledged(load, fixture, reason) -> None:
    translation = zendesk_partner.translate(load(fixture))
    assert translation.messages == [] and translation.outcomes == []
    assert translation.ignored == reason and translation.unknown_topic is False


def test_an_unknown_type_is_acknowledged_and_flagged(load) -> None:
    translation = zendesk_partner.translate(load("unknown_event_type"))
    assert translation.unknown_topic is True
    assert translation.ignored == "unknown topic Ticket Escalated To Mars"


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda e: e.update(source="baton.ingestion"), "source"),
        (lambda e: e.pop("source"), "source"),
        (lambda e: e.update({"detail-type": "MessageReceived"}), "detail-type"),
        (lambda e: e.pop("id"), "id"),
        (lambda e: e.update(detail={}), "detail.ticket_event"),
        (lambda e: e["detail"]["ticket_event"].pop("type"), "detail.ticket_event.type"),
        (lambda e: e["detail"]["ticket_event"].pop("ticket"), "detail.ticket_event.ticket"),
        (lambda e: e["detail"]["ticket_event"]["ticket"].pop("id"), "detail.ticket_event.ticket.id"),
        (lambda e: e["detail"]["ticket_event"].pop("comment"), "detail.ticket_event.comment"),
        (lambda e: e["detail"]["ticket_event"]["comment"].update(is_public="yes"),
         "detail.ticket_event.comment.is_public"),
        (lambda e: e["detail"]["ticket_event"]["ticket"].update(requester_id=None),
         "detail.ticket_event.ticket.requester_id"),
    ],
)  # fmt: skip
def test_an_event_that_is_not_the_documented_shape_names_the_field(load, mutate, field) -> None:
    event = load("comment_created_customer")
    mutate(event)
    with pytest.raises(PayloadError) as caught:
        zendesk_partner.translate(event)
    assert caught.value.field == field


def test_the_eventbridge_time_dates_an_event_without_meta(load) -> None:
    event = load("status_changed_solved")
    del event["detail"]["ticket_event"]["meta"]
    (outcome,) = zendesk_partner.translate(event).outcomes
    assert outcome.occurred_at == datetime(2026, 3, 10, 15, 40, 2, tzinfo=UTC)
