"""Zendesk webhook event subscriptions and the CSAT trigger body -> canonical messages and outcomes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from translations import only_message

from baton.errors import PayloadError
from baton.ingestion.connectors import zendesk
from baton.ingestion.connectors.base import apply
from baton.models import ConversationStatus, Role

NOW = datetime(2026, 2, 4, 9, 0, tzinfo=UTC)
TICKET = "zendesk:48213"
REQUESTER = "zendesk:16093322714529"
ORG = "zendesk-org:16093322690017"


@pytest.fixture
def load(sample_event):
    return lambda name: sample_event(f"helpdesk/zendesk/{name}.json")


def test_ticket_created_turns_the_description_into_the_first_customer_message(load) -> None:
    translation = zendesk.translate(load("ticket_created"), now=NOW)
    conversation_id, message = only_message(translation, "zendesk")
    assert conversation_id == TICKET
    assert message.message_id == "zendesk:48213:description"
    assert message.role == Role.customer
    assert message.text.startswith('Hi, since this morning every CSV export fails with "Error 502".')
    assert message.sent_at == datetime(2026, 2, 3, 9, 14, 7, tzinfo=UTC)
    assert (message.customer.id, message.customer.account_id) == (REQUESTER, ORG)
    assert message.channel == "web"
    assert message.metadata["subject"] == "CSV export fails with Error 502"
    assert translation.dedup_key == "zendesk:01JK3V8T4M0Q7Z2B6N5C9D1E3F"


def test_a_ticket_opened_by_an_agent_for_the_requester_starts_with_an_agent_message(load) -> None:
    payload = load("ticket_created")
    payload["detail"]["submitter_id"] = "16093322700011"
    _, message = only_message(zendesk.translate(payload, now=NOW), "zendesk")
    assert message.role == Role.agent
    assert message.customer.id == REQUESTER


def test_a_ticket_without_a_description_is_acknowledged(load) -> None:
    payload = load("ticket_created")
    payload["detail"]["description"] = None
    translation = zendesk.translate(payload, now=NOW)
    assert translation.messages == [] and translation.ignored == "ticket created without a description"


def test_an_organisation_less_requester_is_their_own_account(load) -> None:
    payload = load("comment_added_customer")
    payload["detail"]["organization_id"] = None
    _, message = only_message(zendesk.translate(payload, now=NOW), "zendesk")
    assert message.customer.account_id == REQUESTER


def test_the_requesters_public_comment_is_a_customer_message_in_plain_text(load) -> None:
    conversation_id, message = only_message(
        zendesk.translate(load("comment_added_customer"), now=NOW), "zendesk"
    )
    assert conversation_id == TICKET
    assert message.message_id == "zendesk:16100000000003"
    assert message.role == Role.customer
    # Plain text with `<` and `&` is kept as written, not parsed as HTML.
    assert (
        message.text
        == "It's been 20 minutes & still failing. If x < 5 exports work per hour we miss the deadline."
    )
    assert message.sent_at == datetime(2026, 2, 3, 9, 52, 12, 733001, tzinfo=UTC)
    assert message.customer.name == "Lena Vogt"


def test_a_staff_comment_is_an_agent_message_on_the_requesters_conversation(load) -> None:
    _, message = only_message(zendesk.translate(load("comment_added_agent"), now=NOW), "zendesk")
    assert message.role == Role.agent
    assert message.customer.id == REQUESTER
    assert message.text.startswith("Hi Lena,\n\nthanks for the report.")
    assert message.metadata["zendesk_author_id"] == "16093322700011"


def test_an_html_comment_becomes_plain_text(load) -> None:
    _, message = only_message(zendesk.translate(load("comment_added_html"), now=NOW), "zendesk")
    assert message.text == (
        "Good news: the fix is deployed.\n- Exports work again\n- No data was lost\n"
        "Sorry for the trouble & good luck with the meeting!"
    )


def test_a_comment_from_another_end_user_is_on_the_customer_side(load) -> None:
    payload = load("comment_added_customer")
    payload["event"]["comment"]["author"] = {
        "id": "16093399990000",
        "is_staff": False,
        "name": "Lena's colleague",
    }
    _, message = only_message(zendesk.translate(payload, now=NOW), "zendesk")
    assert message.role == Role.customer
    assert message.customer.id == REQUESTER


def test_a_private_comment_is_never_a_message(load) -> None:
    translation = zendesk.translate(load("comment_added_private"), now=NOW)
    assert translation.messages == []
    assert "internal note" in translation.ignored


def test_the_first_comment_and_ticket_created_store_the_description_once(load, service) -> None:
    apply(zendesk.translate(load("comment_added_first_comment"), now=NOW), service)
    apply(zendesk.translate(load("ticket_created"), now=NOW), service)
    conversation = service.conversation(TICKET)
    assert [m.message_id for m in conversation.messages] == ["zendesk:48213:description"]


# --------------------------------------------------------------------------------------- redaction

DESCRIPTION = "zendesk:48213:description"


def test_a_redacted_comment_becomes_a_redaction_of_its_message(load) -> None:
    translation = zendesk.translate(load("comment_redacted"), now=NOW)
    # A later comment of the requester, not the description: the opening message is kept.
    assert translation.redactions == [(TICKET, "zendesk:16100000000003")]
    assert translation.messages == [] and translation.outcomes == []
    assert (translation.topic, translation.ignored, translation.unknown_topic) == (
        "zen:event-type:ticket.comment_redacted",
        None,
        False,
    )
    assert translation.dedup_key == "zendesk:01JK3Y7R2K4M6P8S0U2W4Y6A8C"


def test_a_comment_made_private_is_treated_as_redacted(load) -> None:
    translation = zendesk.translate(load("comment_made_private"), now=NOW)
    assert translation.redactions == [(TICKET, "zendesk:16100000000002")]
    assert translation.topic == "zen:event-type:ticket.comment_made_private"


def test_redacting_the_first_comment_also_redacts_the_opening_message(load) -> None:
    translation = zendesk.translate(load("comment_redacted_first_comment"), now=NOW)
    assert translation.redactions == [(TICKET, "zendesk:16100000000001"), (TICKET, DESCRIPTION)]


@pytest.mark.parametrize(
    ("body", "opening"),
    [
        # Zendesk's description may already show the redaction, or still the original text.
        ('Hi, since this morning every CSV export fails with "Error 502". We need the report for a '
         "▇▇▇▇▇ ▇▇▇▇▇▇▇ at 2pm!", True),
        ("▇" * 40, True),  # all of it redacted: nothing left to tell it apart
        ("Hi, since this morning every CSV export fails with ▇▇▇. We need the report tomorrow!", False),
        ("Thanks, that worked!", False),
    ],
)  # fmt: skip
def test_the_opening_message_is_redacted_only_when_the_text_could_be_it(load, body, opening) -> None:
    payload = load("comment_redacted")
    payload["event"]["comment"]["body"] = body
    ids = [m for _, m in zendesk.translate(payload, now=NOW).redactions]
    assert (DESCRIPTION in ids) is opening
    assert ids[0] == "zendesk:16100000000003"


def test_a_comment_by_someone_who_did_not_open_the_ticket_is_never_the_opening_message(load) -> None:
    payload = load("comment_redacted_first_comment")
    payload["event"]["comment"]["author"] = {"id": "16093322700011", "is_staff": True}
    assert zendesk.translate(payload, now=NOW).redactions == [(TICKET, "zendesk:16100000000001")]


@pytest.mark.parametrize("missing", ["body", "author"])
def test_without_text_or_author_to_compare_the_opening_message_is_redacted_too(load, missing) -> None:
    payload = load("comment_redacted_first_comment")
    payload["event"]["comment"].pop(missing)
    assert [m for _, m in zendesk.translate(payload, now=NOW).redactions] == [
        "zendesk:16100000000001",
        DESCRIPTION,
    ]


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda p: p["event"].pop("comment"), "event.comment"),
        (lambda p: p["event"]["comment"].pop("id"), "event.comment.id"),
        (lambda p: p["detail"].pop("id"), "detail.id"),
        (lambda p: p.pop("id"), "id"),
    ],
)
def test_a_redaction_missing_what_locates_the_message_names_the_field(load, mutate, field) -> None:
    payload = load("comment_redacted")
    mutate(payload)
    with pytest.raises(PayloadError) as caught:
        zendesk.translate(payload, now=NOW)
    assert caught.value.field == field


def test_a_redaction_applied_blanks_the_stored_comment_and_keeps_the_ticket(load, service) -> None:
    for name in (
        "ticket_created",
        "comment_added_first_comment",
        "comment_added_agent",
        "comment_added_customer",
    ):
        apply(zendesk.translate(load(name), now=NOW), service)

    apply(zendesk.translate(load("comment_redacted"), now=NOW), service)
    apply(zendesk.translate(load("comment_made_private"), now=NOW), service)

    conversation = service.conversation(TICKET)
    assert [(m.message_id, m.text == "", m.redacted_at is not None) for m in conversation.messages] == [
        (DESCRIPTION, False, False),
        ("zendesk:16100000000002", True, True),
        ("zendesk:16100000000003", True, True),
    ]
    assert conversation.message_count == 3


@pytest.mark.parametrize(
    ("fixture", "kind", "status"),
    [
        ("status_changed_solved", "resolved", ConversationStatus.resolved),
        ("status_changed_closed", "closed", ConversationStatus.closed),
        ("status_changed_reopened", "reopened", ConversationStatus.open),
    ],
)
def test_status_changes_become_outcomes(load, service, fixture, kind, status) -> None:
    translation = zendesk.translate(load(fixture), now=NOW)
    assert translation.messages == [] and len(translation.outcomes) == 1
    outcome = translation.outcomes[0]
    assert (outcome.conversation_id, outcome.kind, outcome.source) == (TICKET, kind, "zendesk")
    apply(translation, service)
    assert service.conversation(TICKET).status == status


def test_a_solve_records_who_and_how_long(load) -> None:
    outcome = zendesk.translate(load("status_changed_solved"), now=NOW).outcomes[0]
    assert outcome.resolved_by == "agent"
    assert outcome.time_to_resolve_s == pytest.approx(3114.551302)
    assert outcome.occurred_at == datetime(2026, 2, 3, 10, 6, 1, 551302, tzinfo=UTC)


def test_a_retried_status_change_is_the_same_event(load) -> None:
    first = zendesk.translate(load("status_changed_solved"), now=NOW).outcomes[0]
    again = zendesk.translate(load("status_changed_solved"), now=NOW).outcomes[0]
    assert first.event_id == again.event_id


def test_an_open_to_pending_change_is_not_an_outcome(load) -> None:
    translation = zendesk.translate(load("status_changed_pending"), now=NOW)
    assert translation.outcomes == []
    assert translation.ignored == "status change open -> pending is not an outcome"


@pytest.mark.parametrize(
    ("score", "csat"),
    [
        ("Good, I'm satisfied", 5),
        ("Bad, I'm unsatisfied", 1),
        ("good", 5),
        ("BAD", 1),
        ("2", 2),
        (4, 4),
        ("5.0", 5),
    ],
)
def test_the_csat_trigger_body_is_a_rating_on_a_1_to_5_scale(load, score, csat) -> None:
    payload = load("csat_good")
    payload["score"] = score
    translation = zendesk.translate(payload, now=NOW)
    (outcome,) = translation.outcomes
    assert (outcome.conversation_id, outcome.kind, outcome.csat) == (TICKET, "rated", csat)


def test_a_csat_rating_keeps_the_comment_and_the_rating_time(load) -> None:
    (outcome,) = zendesk.translate(load("csat_good"), now=NOW).outcomes
    assert outcome.csat_comment == "Tom was great, fixed within the hour."
    assert outcome.occurred_at == datetime(2026, 2, 4, 8, 12, 30, tzinfo=UTC)


def test_a_csat_body_without_a_rendered_time_is_dated_on_arrival(load) -> None:
    payload = load("csat_numeric")
    payload["rated_at"] = "{{ticket.updated_at_with_timestamp}}"
    (outcome,) = zendesk.translate(payload, now=NOW).outcomes
    assert outcome.occurred_at == NOW and outcome.csat_comment is None


def test_a_rating_after_a_solve_keeps_the_resolution_and_adds_the_score(load, service) -> None:
    apply(zendesk.translate(load("status_changed_solved"), now=NOW), service)
    apply(zendesk.translate(load("csat_good"), now=NOW), service)
    conversation = service.conversation(TICKET)
    assert conversation.status == ConversationStatus.resolved
    assert (conversation.outcome.kind, conversation.outcome.csat) == ("resolved", 5)


def test_an_offered_but_unanswered_survey_is_acknowledged(load) -> None:
    translation = zendesk.translate(load("csat_offered"), now=NOW)
    assert translation.outcomes == [] and translation.ignored == "satisfaction offered but not rated yet"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"score": "7"}, "score"),
        ({"score": "meh"}, "score"),
        ({"score": True}, "score"),
        ({"ticket_id": "{{ticket.id}}"}, "ticket_id"),
        ({"ticket_id": None}, "ticket_id"),
    ],
)
def test_a_bad_csat_body_names_the_field(load, change, field) -> None:
    payload = {**load("csat_good"), **change}
    with pytest.raises(PayloadError) as caught:
        zendesk.translate(payload, now=NOW)
    assert caught.value.field == field


def test_an_unknown_event_type_is_acknowledged_not_an_error(load) -> None:
    translation = zendesk.translate(load("priority_changed"), now=NOW)
    assert translation.unknown_topic is True
    assert translation.ignored == "unknown topic zen:event-type:ticket.priority_changed"
    assert translation.messages == [] and translation.outcomes == []


@pytest.mark.parametrize(
    ("fixture", "mutate", "field"),
    [
        ("comment_added_customer", lambda p: p.pop("type"), "type"),
        ("comment_added_customer", lambda p: p["detail"].pop("id"), "detail.id"),
        ("comment_added_customer", lambda p: p["event"].pop("comment"), "event.comment"),
        (
            "comment_added_customer",
            lambda p: p["event"]["comment"].pop("is_public"),
            "event.comment.is_public",
        ),
        (
            "comment_added_customer",
            lambda p: p["event"]["comment"]["author"].pop("id"),
            "event.comment.author.id",
        ),
        ("comment_added_customer", lambda p: p["detail"].update(requester_id=None), "detail.requester_id"),
        ("comment_added_customer", lambda p: p.update(time="not a time"), "time"),
        ("comment_added_customer", lambda p: p.pop("id"), "id"),
        ("status_changed_solved", lambda p: p["event"].pop("current"), "event.current"),
        ("status_changed_solved", lambda p: p.update(detail=[]), "detail"),
    ],
)
def test_a_payload_missing_a_promised_field_names_it(load, fixture, mutate, field) -> None:
    payload = load(fixture)
    mutate(payload)
    with pytest.raises(PayloadError) as caught:
        zendesk.translate(payload, now=NOW)
    assert caught.value.field == field


def test_a_huge_comment_is_cut_to_the_message_limit(load) -> None:
    payload = load("comment_added_customer")
    payload["event"]["comment"]["body"] = "é" * 20000
    _, message = only_message(zendesk.translate(payload, now=NOW), "zendesk")
    assert len(message.text.encode()) <= 16 * 1024
    assert message.text.endswith("[truncated]") and message.metadata["truncated"] is True


def test_the_csat_trigger_body_is_documented_with_its_placeholders() -> None:
    # The README quotes this docstring: the body an admin pastes must be in it.
    for needle in ('"type": "baton:csat"', '"ticket_id": "{{ticket.id}}"', "{{satisfaction.current_rating}}"):
        assert needle in zendesk.__doc__
