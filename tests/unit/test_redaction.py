"""Redaction with the in-memory fakes: the store forgets what a message said, keeps where it was, and
never takes the text back; the service asks the store, then announces the redaction (`MessageRedacted`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from baton.adapters.memory import MemoryPublisher
from baton.errors import MessageConflict
from baton.events import MessageReceived, MessageRedacted
from baton.ingestion.memory import MemoryConversationStore
from baton.ingestion.service import IngestionService
from baton.models import MessageIn, Source

T0 = datetime(2026, 2, 3, 9, 0, tzinfo=UTC)
T_REDACT = T0 + timedelta(hours=1)


def message(
    message_id: str = "m1", text: str = "My card is 4111 1111 1111 1111", role: str = "customer"
) -> MessageIn:
    return MessageIn.model_validate(
        {
            "message_id": message_id,
            "role": role,
            "text": text,
            "sent_at": (T0 - timedelta(minutes=5)).isoformat(),
            "customer": {"id": "cus_1", "account_id": "acct_1", "email": "lena@example.com"},
            "channel": "web",
            "page": {
                "url": "https://app.example/billing?card=4111",
                "title": "Billing",
                "recent_actions": [{"type": "typed_card", "at": T0.isoformat(), "detail": "4111 1111"}],
            },
            "bot": {"confidence": 0.3, "answer_id": "kb-7", "attempt": "Asked for the card number 4111"},
            "metadata": {"note": "card 4111"},
        }
    )


@pytest.fixture
def clocked(store: MemoryConversationStore, publisher: MemoryPublisher) -> IngestionService:
    ticks = iter(T0 + timedelta(minutes=i) for i in range(10_000))
    return IngestionService(store, publisher, clock=lambda: next(ticks))


# --------------------------------------------------------------------------------------- the store


def test_a_redacted_message_keeps_its_place_but_not_its_content(store: MemoryConversationStore) -> None:
    for i in range(1, 4):
        store.append_message("c1", message(f"m{i}", f"turn {i}"), source=Source.zendesk, received_at=T0)

    assert store.redact_message("c1", "m2", at=T_REDACT) is True

    conversation = store.get_conversation("c1")
    assert [(m.seq, m.message_id) for m in conversation.messages] == [(1, "m1"), (2, "m2"), (3, "m3")]
    assert conversation.message_count == 3
    redacted = conversation.messages[1]
    assert (redacted.text, redacted.page, redacted.metadata, redacted.redacted_at) == ("", None, {}, T_REDACT)
    assert (redacted.bot.attempt, redacted.bot.confidence, redacted.bot.answer_id) == (None, 0.3, "kb-7")
    assert (redacted.role, redacted.sent_at, redacted.source, redacted.channel) == (
        "customer",
        T0 - timedelta(minutes=5),
        Source.zendesk,
        "web",
    )
    assert "4111" not in redacted.model_dump_json()
    assert [m.text for m in conversation.messages if m.message_id != "m2"] == ["turn 1", "turn 3"]
    assert all(m.redacted_at is None for m in conversation.messages if m.message_id != "m2")


def test_redacting_twice_keeps_the_first_redaction(store: MemoryConversationStore) -> None:
    store.append_message("c1", message(), source=Source.intercom, received_at=T0)
    store.redact_message("c1", "m1", at=T_REDACT)

    assert store.redact_message("c1", "m1", at=T_REDACT + timedelta(days=1)) is True

    assert store.get_conversation("c1").messages[0].redacted_at == T_REDACT


@pytest.mark.parametrize("text", ["My card is 4111 1111 1111 1111", "an edited re-render of it"])
def test_a_redelivery_after_the_redaction_does_not_bring_the_text_back(
    store: MemoryConversationStore, text: str
) -> None:
    store.append_message("c1", message(), source=Source.intercom, received_at=T0)
    store.redact_message("c1", "m1", at=T_REDACT)

    again = store.append_message("c1", message(text=text), source=Source.intercom, received_at=T_REDACT)

    assert (again.created, again.message.text, again.message.redacted_at) == (False, "", T_REDACT)
    (stored,) = store.get_conversation("c1").messages
    assert stored.text == "" and stored.redacted_at == T_REDACT


def test_a_message_never_stored_is_not_redacted_but_stays_redacted_when_it_arrives(
    store: MemoryConversationStore,
) -> None:
    store.append_message("c1", message("m1", "hello"), source=Source.zendesk, received_at=T0)

    assert store.redact_message("c1", "m2", at=T_REDACT) is False
    assert [m.message_id for m in store.get_conversation("c1").messages] == ["m1"]
    assert store.get_conversation("c-never") is None
    assert store.redact_message("c-never", "m1", at=T_REDACT) is False
    assert store.get_conversation("c-never") is None  # a redaction creates no conversation

    late = store.append_message("c1", message("m2"), source=Source.zendesk, received_at=T_REDACT)

    assert late.created is True
    assert (late.message.seq, late.message.text, late.message.redacted_at) == (2, "", T_REDACT)
    assert store.get_conversation("c1").messages[1].text == ""


def test_an_unredacted_message_still_conflicts_with_another_body(store: MemoryConversationStore) -> None:
    store.append_message("c1", message(), source=Source.api, received_at=T0)
    store.redact_message("c1", "other", at=T_REDACT)

    with pytest.raises(MessageConflict):
        store.append_message("c1", message(text="something else"), source=Source.api, received_at=T0)


def test_redaction_is_per_conversation(store: MemoryConversationStore) -> None:
    for conversation_id in ("c1", "c2"):
        store.append_message(conversation_id, message(), source=Source.api, received_at=T0)

    store.redact_message("c1", "m1", at=T_REDACT)

    assert store.get_conversation("c2").messages[0].text == "My card is 4111 1111 1111 1111"


# --------------------------------------------------------------------------------------- the service


def test_the_service_redacts_with_its_clock_and_announces_it_without_the_text(
    clocked: IngestionService, publisher: MemoryPublisher
) -> None:
    clocked.receive("c1", message(), source=Source.intercom)  # at T0
    published = list(publisher.events)

    assert clocked.redact("c1", "m1") is True

    (stored,) = clocked.conversation("c1").messages
    assert (stored.text, stored.redacted_at) == ("", T0 + timedelta(minutes=1))
    (announced,) = publisher.events[len(published) :]
    assert isinstance(announced, MessageRedacted)
    assert (announced.conversation_id, announced.message_id) == ("c1", "m1")
    assert announced.redacted_at == stored.redacted_at
    assert "4111" not in announced.model_dump_json()
    # Never stored, so never published: remembered as redacted, nothing to announce.
    assert clocked.redact("c1", "never-stored") is False
    assert publisher.events[-1] is announced


def test_a_redelivery_after_the_redaction_is_a_duplicate_and_not_announced_again(
    clocked: IngestionService, publisher: MemoryPublisher
) -> None:
    clocked.receive("c1", message(), source=Source.intercom)
    clocked.redact("c1", "m1")

    again = clocked.receive("c1", message(), source=Source.intercom)

    assert again.duplicate is True and again.message.text == ""
    assert len(publisher.of_type("MessageReceived")) == 1


def test_a_publish_retried_after_the_redaction_carries_no_text(
    clocked: IngestionService, publisher: MemoryPublisher
) -> None:
    publisher.fail_next = 1
    with pytest.raises(RuntimeError):
        clocked.receive("c1", message(), source=Source.intercom)
    clocked.redact("c1", "m1")

    clocked.receive("c1", message(), source=Source.intercom)  # the helpdesk's retry

    [event] = publisher.of_type("MessageReceived")
    assert isinstance(event, MessageReceived)
    assert (event.message.text, event.message.page, event.message.metadata) == ("", None, {})
    assert event.message.redacted_at == T0 + timedelta(minutes=1)
    assert "4111" not in event.model_dump_json()


def test_a_message_redacted_before_it_arrived_is_stored_and_announced_without_its_text(
    clocked: IngestionService, publisher: MemoryPublisher
) -> None:
    clocked.receive("c1", message("m1", "hello"))
    assert clocked.redact("c1", "m2") is False

    late = clocked.receive("c1", message("m2"))

    # It keeps its seq: ordered consumers wait for seq 2 and must get it, without the text.
    assert (late.duplicate, late.message.seq, late.message.text) == (False, 2, "")
    event = publisher.of_type("MessageReceived")[-1]
    assert (event.seq, event.message.text) == (2, "")
    assert event.message.redacted_at is not None
