"""The ingestion use case with the in-memory fakes: store once, in order, then announce."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from baton.adapters.memory import MemoryPublisher
from baton.errors import MessageConflict
from baton.events import MessageReceived, OutcomeRecorded, event_id_for
from baton.ingestion.memory import MemoryConversationStore
from baton.ingestion.service import IngestionService, message_received
from baton.models import ConversationStatus, MessageIn, Source

T0 = datetime(2025, 3, 14, 9, 30, tzinfo=UTC)


def message(
    message_id: str = "m1", text: str = "hello", role: str = "customer", customer: str = "cus_1"
) -> MessageIn:
    return MessageIn.model_validate(
        {
            "message_id": message_id,
            "role": role,
            "text": text,
            "customer": {"id": customer, "account_id": "acct_1"},
        }
    )


@pytest.fixture
def clocked(store: MemoryConversationStore, publisher: MemoryPublisher) -> IngestionService:
    ticks = iter(T0 + timedelta(seconds=i) for i in range(10_000))
    return IngestionService(store, publisher, clock=lambda: next(ticks))


def test_a_message_is_stored_then_announced(clocked: IngestionService, publisher: MemoryPublisher) -> None:
    ingested = clocked.receive("c1", message())

    assert not ingested.duplicate
    assert (ingested.message.seq, ingested.message.received_at, ingested.message.source) == (
        1,
        T0,
        Source.api,
    )
    [event] = publisher.events
    assert isinstance(event, MessageReceived)
    assert event.event_id == event_id_for("MessageReceived", "c1", "m1")
    assert (event.conversation_id, event.seq, event.occurred_at) == ("c1", 1, T0)
    assert event.message.text == "hello"
    assert event.message.customer.id == "cus_1"


def test_messages_get_consecutive_seqs_per_conversation(clocked: IngestionService) -> None:
    seqs = [clocked.receive("c1", message(f"m{i}")).message.seq for i in range(3)]
    other = clocked.receive("c2", message("m0")).message.seq

    assert seqs == [1, 2, 3]
    assert other == 1
    assert [m.message_id for m in clocked.conversation("c1").messages] == ["m0", "m1", "m2"]


def test_a_repeat_is_a_duplicate_and_is_not_announced_again(
    clocked: IngestionService, publisher: MemoryPublisher
) -> None:
    first = clocked.receive("c1", message())
    again = clocked.receive("c1", message())

    assert again.duplicate
    assert again.message.seq == first.message.seq
    assert again.message.received_at == first.message.received_at
    assert len(publisher.events) == 1


def test_the_same_id_with_another_text_is_a_conflict(
    clocked: IngestionService, publisher: MemoryPublisher
) -> None:
    clocked.receive("c1", message(text="first"))

    with pytest.raises(MessageConflict) as raised:
        clocked.receive("c1", message(text="second"))

    assert (raised.value.conversation_id, raised.value.message_id) == ("c1", "m1")
    assert len(publisher.events) == 1
    assert clocked.conversation("c1").messages[0].text == "first"


def test_a_failed_publish_is_republished_by_the_retry_and_only_by_it(
    clocked: IngestionService, publisher: MemoryPublisher, store: MemoryConversationStore
) -> None:
    publisher.fail_next = 1

    with pytest.raises(RuntimeError):
        clocked.receive("c1", message())
    retry = clocked.receive("c1", message())
    clocked.receive("c1", message())

    assert retry.duplicate  # stored by the first attempt
    assert len(publisher.events) == 1
    assert store.get_conversation("c1").message_count == 1


def test_the_retried_event_is_the_same_event(clocked: IngestionService, publisher: MemoryPublisher) -> None:
    publisher.fail_next = 1
    with pytest.raises(RuntimeError):
        clocked.receive("c1", message())

    clocked.receive("c1", message())

    # Same event id and occurred_at as the failed attempt would have had: consumers de-duplicate on it.
    [event] = publisher.events
    assert event.event_id == event_id_for("MessageReceived", "c1", "m1")
    assert event.occurred_at == T0


def test_concurrent_messages_to_one_conversation_all_land(
    store: MemoryConversationStore, publisher: MemoryPublisher
) -> None:
    service = IngestionService(store, publisher)

    def post(worker: int) -> None:
        for i in range(20):
            service.receive("c1", message(f"w{worker}-{i}"))

    threads = [threading.Thread(target=post, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    conversation = service.conversation("c1")
    assert [m.seq for m in conversation.messages] == list(range(1, 161))
    assert len({m.message_id for m in conversation.messages}) == 160
    assert sorted(e.seq for e in publisher.events) == list(range(1, 161))


def test_the_conversation_customer_follows_the_customers_messages(clocked: IngestionService) -> None:
    clocked.receive("c1", message("m1", role="bot", customer="cus_bot_view"))
    clocked.receive("c1", message("m2", role="customer", customer="cus_real"))
    clocked.receive("c1", message("m3", role="agent", customer="cus_agent_view"))

    assert clocked.conversation("c1").customer.id == "cus_real"


def test_an_unknown_conversation_is_none(clocked: IngestionService) -> None:
    assert clocked.conversation("nope") is None


def _outcome(kind: str, conversation_id: str = "zendesk:35436", csat: int | None = None) -> OutcomeRecorded:
    return OutcomeRecorded(
        event_id=event_id_for("OutcomeRecorded", conversation_id, kind),
        occurred_at=T0,
        conversation_id=conversation_id,
        source=Source.zendesk,
        kind=kind,
        csat=csat,
    )


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        ("resolved", ConversationStatus.resolved),
        ("closed", ConversationStatus.closed),
        ("reopened", ConversationStatus.open),
    ],
)
def test_an_outcome_sets_the_status_and_is_announced(
    clocked: IngestionService, publisher: MemoryPublisher, kind: str, status: ConversationStatus
) -> None:
    clocked.receive("zendesk:35436", message(), source=Source.zendesk)

    clocked.record_outcome(_outcome(kind))

    conversation = clocked.conversation("zendesk:35436")
    assert conversation.status == status
    assert conversation.outcome.kind == kind
    assert publisher.of_type("OutcomeRecorded")[-1].kind == kind


def test_an_outcome_for_a_conversation_baton_never_saw_creates_it(clocked: IngestionService) -> None:
    clocked.record_outcome(_outcome("closed", conversation_id="zendesk:1"))

    conversation = clocked.conversation("zendesk:1")
    assert (conversation.status, conversation.source, conversation.messages) == (
        ConversationStatus.closed,
        Source.zendesk,
        [],
    )


def test_a_rating_after_resolution_keeps_the_resolution_and_adds_the_score(clocked: IngestionService) -> None:
    clocked.record_outcome(_outcome("resolved"))
    clocked.record_outcome(_outcome("rated", csat=2))

    conversation = clocked.conversation("zendesk:35436")
    assert (conversation.status, conversation.outcome.kind, conversation.outcome.csat) == (
        ConversationStatus.resolved,
        "resolved",
        2,
    )


def test_message_received_snapshots_the_stored_message(clocked: IngestionService) -> None:
    stored = clocked.receive("c1", message()).message

    event = message_received(stored)

    assert event.message.model_dump() == {
        k: v for k, v in stored.model_dump().items() if k not in ("conversation_id", "fingerprint")
    }
