"""Intercom notifications (current and older shapes) -> canonical messages and outcomes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from translations import only_message

from baton.errors import PayloadError
from baton.ingestion.connectors import intercom
from baton.ingestion.connectors.base import apply
from baton.ingestion.connectors.html import html_to_text
from baton.models import ConversationStatus, Role

CONVERSATION = "intercom:184467201338812"
CONTACT = "intercom:6650b1f3c2a4e10d8f7b9a21"
T0 = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def load(sample_event):
    return lambda name: sample_event(f"helpdesk/intercom/{name}.json")


# --------------------------------------------------------------------------------------- messages


def test_user_created_is_the_opening_customer_message(load) -> None:
    translation = intercom.translate(load("v2_user_created"))
    conversation_id, message = only_message(translation, "intercom")
    assert conversation_id == CONVERSATION
    assert message.message_id == "intercom:src:2877310455"
    assert message.role == Role.customer
    assert message.text == "Hi, I was charged twice for my January invoice & I can't find a refund option."
    assert message.sent_at == T0
    assert message.customer.id == CONTACT and message.customer.account_id == CONTACT
    assert (message.customer.email, message.customer.name) == (
        "dana.whitfield@northwind.example",
        "Dana Whitfield",
    )
    assert message.page is not None and message.page.url == "https://app.northwind.example/billing/invoices"
    assert message.channel == "chat"
    assert translation.dedup_key == "intercom:notif_2c7a41e0-5b1d-4f0e-9a73-1f4b2d9e8c01"


def test_user_replied_is_the_newest_customer_part_in_plain_text(load) -> None:
    _, message = only_message(intercom.translate(load("v2_user_replied")), "intercom")
    assert message.message_id == "intercom:40112233002"
    assert message.role == Role.customer
    assert (
        message.text
        == "That's not it, both charges settled yesterday.\nI want a human please!!\nOrder #A-7781"
    )
    assert message.sent_at == datetime(2026, 1, 1, 8, 1, 30, tzinfo=UTC)


def test_the_newest_part_of_the_right_author_is_picked(load) -> None:
    payload = load("v2_user_replied")
    parts = payload["data"]["item"]["conversation_parts"]["conversation_parts"]
    older = {
        **parts[0],
        "id": "40112233001",
        "body": "<p>first</p>",
        "created_at": parts[0]["created_at"] - 30,
    }
    admin = {**parts[0], "id": "40112233099", "body": "<p>admin</p>", "created_at": parts[0]["created_at"] + 5,
             "author": {"type": "admin", "id": "7301144"}}  # fmt: skip
    parts[:] = [parts[0], older, admin]
    _, message = only_message(intercom.translate(payload), "intercom")
    assert message.message_id == "intercom:40112233002"


def test_a_part_without_text_is_skipped(load) -> None:
    translation = intercom.translate(load("v2_user_replied_image_only"))
    assert translation.messages == []
    assert translation.ignored == "no customer part with text in the notification"


def test_admin_replied_is_an_agent_message(load) -> None:
    conversation_id, message = only_message(intercom.translate(load("v2_admin_replied")), "intercom")
    assert conversation_id == CONVERSATION
    assert message.role == Role.agent
    assert message.text == (
        "Hi Dana, Priya here from Billing.\nI can see both charges. I've refunded the duplicate: "
        "you'll see it in 2\u20133 days."
    )
    assert message.customer.id == CONTACT


def test_an_ai_answer_posted_as_an_admin_is_a_bot_message(load) -> None:
    _, message = only_message(intercom.translate(load("v2_admin_replied_ai_answer")), "intercom")
    assert message.role == Role.bot
    assert message.metadata["ai_answer"] is True


@pytest.mark.parametrize("fixture", ["v2_operator_replied_fin", "v2_operator_replied_expectation"])
def test_operator_replies_are_bot_messages(load, fixture) -> None:
    _, message = only_message(intercom.translate(load(fixture)), "intercom")
    assert message.role == Role.bot


def test_fins_html_answer_becomes_plain_text(load) -> None:
    _, message = only_message(intercom.translate(load("v2_operator_replied_fin")), "intercom")
    assert message.message_id == "intercom:40112233001"
    assert message.text == (
        "I'm sorry about the double charge! Duplicate charges are usually a pending authorisation "
        "that drops off within 3\u20135 business days.\nYou can check under Billing > Payments."
    )


def test_an_admin_initiated_conversation_starts_with_an_agent_message(load) -> None:
    conversation_id, message = only_message(intercom.translate(load("v2_admin_single_created")), "intercom")
    assert conversation_id == "intercom:184467201340077"
    assert message.message_id == "intercom:src:2877320077"
    assert message.role == Role.agent
    assert message.text.startswith("Hi Dana,\nYour card on file expires this month.")
    assert message.customer.id == CONTACT


def test_an_internal_note_is_never_a_message(load) -> None:
    translation = intercom.translate(load("v2_admin_noted"))
    assert translation.messages == [] and translation.outcomes == []
    assert translation.ignored == "internal note: not a conversation message"


@pytest.mark.parametrize("topic", ["conversation.admin.replied", "conversation.user.replied"])
def test_a_note_part_is_not_picked_even_under_a_reply_topic(load, topic) -> None:
    payload = load("v2_admin_noted")
    payload["topic"] = topic
    assert intercom.translate(payload).messages == []


@pytest.mark.parametrize(
    ("fixture", "reason"),
    [
        ("v2_admin_assigned", "assignment: no message or outcome to record"),
        ("v2_admin_snoozed", "snoozed: no message or outcome to record"),
    ],
)
def test_assignment_and_snooze_are_acknowledged(load, fixture, reason) -> None:
    translation = intercom.translate(load(fixture))
    assert translation.messages == [] and translation.outcomes == [] and translation.ignored == reason
    assert translation.unknown_topic is False


# --------------------------------------------------------------------------------------- redaction


def test_a_redacted_part_becomes_a_redaction_of_its_message(load) -> None:
    translation = intercom.translate(load("v2_part_redacted"))
    assert translation.redactions == [(CONVERSATION, "intercom:40112233002")]
    assert translation.messages == [] and translation.outcomes == []
    assert translation.ignored is None and translation.unknown_topic is False
    assert translation.dedup_key == "intercom:notif_c0d1e2f3-f0e1-4cd3-9ecf-d0e1f2a3b418"


def test_a_redacted_opening_message_becomes_a_redaction_of_its_source_id(load) -> None:
    translation = intercom.translate(load("v2_source_redacted"))
    # The reply in the same payload is not marked: it is not redacted, nor stored from this topic.
    assert translation.redactions == [(CONVERSATION, "intercom:src:2877310455")]
    assert translation.messages == []


def test_every_marked_part_is_redacted_and_unmarked_ones_are_not(load) -> None:
    payload = load("v2_part_redacted")
    parts = payload["data"]["item"]["conversation_parts"]["conversation_parts"]
    parts.append({**parts[0], "id": "40112233009", "redacted": False, "body": "<p>kept</p>"})
    parts.append({**parts[0], "id": "40112233010", "redacted": True})
    assert [m for _, m in intercom.translate(payload).redactions] == [
        "intercom:40112233002",
        "intercom:40112233010",
    ]


def test_the_older_shapes_opening_message_can_be_redacted(load) -> None:
    payload = load("legacy_user_created")
    payload["topic"] = "conversation_part.redacted"
    payload["data"]["item"]["conversation_message"]["redacted"] = True
    assert intercom.translate(payload).redactions == [("intercom:5012884431", "intercom:src:93011277")]


def test_a_redaction_that_marks_nothing_is_acknowledged_saying_so(load) -> None:
    payload = load("v2_part_redacted")
    payload["data"]["item"]["conversation_parts"]["conversation_parts"][0]["redacted"] = False
    translation = intercom.translate(payload)
    assert translation.redactions == []
    assert translation.ignored == "no part of the notification is marked redacted: nothing to redact"


def test_a_redacted_part_without_its_conversation_is_acknowledged_saying_so(load) -> None:
    part = load("v2_part_redacted")["data"]["item"]["conversation_parts"]["conversation_parts"][0]
    payload = {"type": "notification_event", "id": "notif_bare", "topic": "conversation_part.redacted",
               "data": {"item": part}}  # fmt: skip
    translation = intercom.translate(payload)
    assert translation.redactions == []
    assert translation.ignored.startswith("redacted part intercom:40112233002 came without its conversation")


def test_a_redaction_reads_only_the_ids_it_needs(load) -> None:
    payload = load("v2_part_redacted")
    part = payload["data"]["item"]["conversation_parts"]["conversation_parts"][0]
    del part["author"], part["created_at"]  # a message needs them; a redaction does not
    assert intercom.translate(payload).redactions == [(CONVERSATION, "intercom:40112233002")]
    del part["id"]
    with pytest.raises(PayloadError) as caught:
        intercom.translate(payload)
    assert caught.value.field == "data.item.conversation_parts.conversation_parts[0].id"


def test_a_redaction_applied_blanks_the_stored_reply(load, service) -> None:
    apply(intercom.translate(load("v2_user_created")), service)
    apply(intercom.translate(load("v2_user_replied")), service)

    applied = apply(intercom.translate(load("v2_part_redacted")), service)

    assert (applied.redactions, applied.redacted, applied.messages) == (1, 1, 0)
    opening, reply = service.conversation(CONVERSATION).messages
    assert (reply.message_id, reply.text, reply.seq) == ("intercom:40112233002", "", 2)
    assert reply.redacted_at is not None
    assert opening.text.startswith("Hi, I was charged twice") and opening.redacted_at is None


def test_an_unknown_topic_is_acknowledged(load) -> None:
    translation = intercom.translate(load("v2_priority_updated"))
    assert translation.unknown_topic is True
    assert translation.ignored == "unknown topic conversation.priority.updated"


# --------------------------------------------------------------------------------------- older shape


def test_the_older_shape_opening_message_with_string_epochs(load) -> None:
    conversation_id, message = only_message(intercom.translate(load("legacy_user_created")), "intercom")
    assert conversation_id == "intercom:5012884431"
    assert message.message_id == "intercom:src:93011277"
    assert message.role == Role.customer
    assert message.text == "Hello,\nthe export to CSV button does nothing in Firefox."
    assert message.sent_at == datetime(2017, 3, 15, 10, 0, tzinfo=UTC)
    assert message.customer.id == "intercom:5a1c9e0b7f3d2a0012ab34cd"
    assert message.customer.email == "marco@bellini-studio.example"


@pytest.mark.parametrize(
    ("fixture", "role", "message_id", "text"),
    [
        ("legacy_admin_replied", Role.agent, "intercom:122335501",
         "Thanks Marco — we reproduced it. A fix ships on Thursday."),
        ("legacy_user_replied", Role.customer, "intercom:122335502", "Great, thank you!"),
    ],
)  # fmt: skip
def test_the_older_shape_replies(load, fixture, role, message_id, text) -> None:
    conversation_id, message = only_message(intercom.translate(load(fixture)), "intercom")
    assert (conversation_id, message.message_id, message.role, message.text) == (
        "intercom:5012884431",
        message_id,
        role,
        text,
    )
    assert message.customer.id == "intercom:5a1c9e0b7f3d2a0012ab34cd"


def test_the_older_shape_close(load) -> None:
    translation = intercom.translate(load("legacy_admin_closed"))
    (outcome,) = translation.outcomes
    assert (outcome.kind, outcome.resolved_by) == ("closed", "agent")
    assert outcome.occurred_at == datetime(2017, 3, 15, 10, 10, tzinfo=UTC)
    assert translation.messages == []  # the close part has no body


def test_the_older_shape_reopen(load) -> None:
    payload = load("legacy_admin_closed")
    payload["topic"] = "conversation.admin.opened"
    payload["data"]["item"]["conversation_parts"]["conversation_parts"][0]["part_type"] = "open"
    (outcome,) = intercom.translate(payload).outcomes
    assert outcome.kind == "reopened"


# --------------------------------------------------------------------------------------- outcomes


def test_a_close_with_a_reply_stores_the_reply_then_closes(load, service) -> None:
    translation = intercom.translate(load("v2_admin_closed_with_reply"))
    _, message = only_message(translation, "intercom")
    assert message.role == Role.agent
    assert message.text == "Refund issued — closing this for now. Just reply if anything else comes up!"
    (outcome,) = translation.outcomes
    assert (outcome.conversation_id, outcome.kind, outcome.resolved_by) == (CONVERSATION, "closed", "agent")
    assert outcome.time_to_resolve_s == 600
    apply(translation, service)
    conversation = service.conversation(CONVERSATION)
    assert conversation.status == ConversationStatus.closed
    assert [m.message_id for m in conversation.messages] == ["intercom:40112233009"]


def test_a_conversation_fin_resolved_alone_is_resolved_by_the_bot(load) -> None:
    translation = intercom.translate(load("v2_admin_closed_by_fin"))
    (outcome,) = translation.outcomes
    assert (outcome.conversation_id, outcome.kind, outcome.resolved_by) == (
        "intercom:184467201339900",
        "closed",
        "bot",
    )
    assert outcome.native["ai_resolution_state"] == "assumed_resolution"


def test_fins_resolution_does_not_count_when_a_teammate_replied(load) -> None:
    payload = load("v2_admin_closed_by_fin")
    payload["data"]["item"]["statistics"]["first_admin_reply_at"] = "2026-01-01T08:30:00.000Z"
    (outcome,) = intercom.translate(payload).outcomes
    assert outcome.resolved_by == "agent"


def test_a_routed_to_team_close_is_the_agents(load) -> None:
    (outcome,) = intercom.translate(load("v2_admin_closed_with_reply")).outcomes
    assert outcome.native["ai_resolution_state"] == "routed_to_team" and outcome.resolved_by == "agent"


def test_opened_after_a_close_is_a_reopen(load, service) -> None:
    apply(intercom.translate(load("v2_admin_closed_with_reply")), service)
    translation = intercom.translate(load("v2_admin_opened"))
    (outcome,) = translation.outcomes
    assert (outcome.kind, outcome.occurred_at) == ("reopened", datetime(2026, 1, 1, 10, 0, tzinfo=UTC))
    apply(translation, service)
    assert service.conversation(CONVERSATION).status == ConversationStatus.open


def test_opened_from_a_snooze_is_not_a_reopen(load) -> None:
    translation = intercom.translate(load("v2_admin_opened_from_snooze"))
    assert translation.outcomes == []
    assert "not a reopen" in translation.ignored


def test_a_conversation_rating(load) -> None:
    (outcome,) = intercom.translate(load("v2_rating_added")).outcomes
    assert (outcome.conversation_id, outcome.kind, outcome.csat) == (CONVERSATION, "rated", 2)
    assert outcome.csat_comment == "Took way too long to get a human."
    assert outcome.occurred_at == datetime(2026, 1, 1, 8, 11, 40, tzinfo=UTC)
    assert outcome.native["teammate_id"] == "7301144"


def test_an_ai_agent_rating(load) -> None:
    (outcome,) = intercom.translate(load("v2_rating_added_ai_agent")).outcomes
    assert (outcome.kind, outcome.csat, outcome.csat_comment) == ("rated", 5, "Quick and spot on")
    assert outcome.native["rated"] == "ai_agent"


def test_retried_outcomes_are_the_same_events(load) -> None:
    for fixture in (
        "v2_admin_closed_with_reply",
        "v2_admin_opened",
        "v2_rating_added",
        "legacy_admin_closed",
    ):
        first, again = (intercom.translate(load(fixture)).outcomes[0] for _ in range(2))
        assert first.event_id == again.event_id


# --------------------------------------------------------------------------------------- bad payloads


@pytest.mark.parametrize(
    ("fixture", "mutate", "field"),
    [
        ("v2_user_replied", lambda p: p.pop("topic"), "topic"),
        ("v2_user_replied", lambda p: p.pop("id"), "id"),
        ("v2_user_replied", lambda p: p.pop("data"), "data"),
        ("v2_user_replied", lambda p: p["data"].update(item="nope"), "data.item"),
        ("v2_user_replied", lambda p: p["data"]["item"].pop("id"), "data.item.id"),
        ("v2_user_replied", lambda p: p["data"]["item"]["conversation_parts"].update(conversation_parts={}),
         "data.item.conversation_parts.conversation_parts"),
        ("v2_user_replied", lambda p: p["data"]["item"]["conversation_parts"]["conversation_parts"][0].pop("created_at"),
         "data.item.conversation_parts.conversation_parts[0].created_at"),
        ("v2_user_replied", lambda p: p["data"]["item"]["conversation_parts"]["conversation_parts"][0].update(body=7),
         "data.item.conversation_parts.conversation_parts[0].body"),
        ("v2_user_created", lambda p: p["data"]["item"].pop("source"), "data.item.source"),
        ("v2_rating_added", lambda p: p["data"]["item"]["conversation_rating"].update(rating=9),
         "data.item.conversation_rating.rating"),
        ("v2_rating_added", lambda p: p["data"]["item"].update(conversation_rating=None),
         "data.item.conversation_rating"),
    ],
)  # fmt: skip
def test_a_payload_missing_a_promised_field_names_it(load, fixture, mutate, field) -> None:
    payload = load(fixture)
    mutate(payload)
    with pytest.raises(PayloadError) as caught:
        intercom.translate(payload)
    assert caught.value.field == field


def test_a_conversation_without_any_contact_names_the_field(load) -> None:
    payload = load("v2_admin_replied")
    item = payload["data"]["item"]
    item["contacts"]["contacts"] = []
    item["source"]["author"] = {"type": "admin", "id": "7301144"}
    with pytest.raises(PayloadError) as caught:
        intercom.translate(payload)
    assert caught.value.field == "data.item.contacts"


def test_odd_native_ids_are_made_valid_without_collisions(load) -> None:
    payload = load("v2_user_replied")
    payload["data"]["item"]["id"] = "conv/with spaces"
    other = load("v2_user_replied")
    other["data"]["item"]["id"] = "conv_with_spaces"
    first, _ = only_message(intercom.translate(payload), "intercom")
    second, _ = only_message(intercom.translate(other), "intercom")
    assert first != second


# --------------------------------------------------------------------------------------- HTML


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>Hello</p><p>World</p>", "Hello\nWorld"),
        ("one<br>two<br/><br />three", "one\ntwo\n\nthree"),
        ("<p>Fish &amp; chips &lt;3 &#8364;5&nbsp;&nbsp;only</p>", "Fish & chips <3 €5 only"),
        ("<p>Hi<script>alert('x')</script><style>p{color:red}</style> there</p>", "Hi there"),
        ("<ul><li>one</li><li>two</li></ul>", "- one\n- two"),
        ("<div>  lots   of\n\n   space  </div>", "lots of space"),
        ("<p></p><p><img src='x.png'></p><p>&nbsp;</p>", ""),
        ("<p>a</p><p></p><p></p><p>b</p>", "a\nb"),
        ("plain text", "plain text"),
    ],
)
def test_html_to_text(html: str, text: str) -> None:
    assert html_to_text(html) == text
