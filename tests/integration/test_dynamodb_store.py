"""The DynamoDB conversation store against DynamoDB Local (AWS's own engine)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from baton.errors import ConcurrentUpdate, CustomerRequired, MessageConflict
from baton.ingestion.service import IngestionService
from baton.ingestion.store import DynamoConversationStore, conversation_pk
from baton.models import MAX_TEXT_BYTES, ConversationStatus, MessageIn, Outcome, Source

pytestmark = pytest.mark.integration

# Recent, not fixed: DynamoDB Local applies TTL, and items of a fixed past date would expire mid-test.
T0 = datetime.now(UTC).replace(microsecond=0)


def message(
    message_id: str, text: str = "hello", role: str = "customer", customer: str = "cus_1", **extra: Any
) -> MessageIn:
    return MessageIn.model_validate(
        {
            "message_id": message_id,
            "role": role,
            "text": text,
            "customer": {"id": customer, "account_id": "acct_1"},
        }
        | extra
    )


@pytest.fixture
def store(ddb_client: Any, conversations_table: str) -> DynamoConversationStore:
    return DynamoConversationStore(conversations_table, client=ddb_client, ttl_days=30)


@pytest.fixture
def items(ddb_client: Any, conversations_table: str) -> Any:
    """All items of a conversation's partition, by sort key (MID# included), as DynamoDB has them."""

    def read(conversation_id: str) -> dict[str, dict[str, Any]]:
        response = ddb_client.query(
            TableName=conversations_table,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": conversation_pk(conversation_id)}},
            ConsistentRead=True,
        )
        return {item["sk"]["S"]: item for item in response["Items"]}

    return read


def test_messages_are_returned_in_arrival_order_with_everything_sent(
    store: DynamoConversationStore, conversation_id: str
) -> None:
    rich = message(
        "m1",
        "I was charged twice",
        sent_at="2025-03-14T09:26:53+01:00",
        channel="web-chat",
        page={
            "url": "https://app/billing",
            "recent_actions": [{"type": "clicked_refund", "at": "2025-03-14T09:25:02Z"}],
        },
        bot={"confidence": 0.42, "answer_id": "kb-1"},
        metadata={"plan": "pro", "seats": 12, "ratio": 0.125, "trial": False, "note": None, "big": 10**30},
    )
    store.append_message(conversation_id, rich, source=Source.api, received_at=T0)
    for i, role in enumerate(["bot", "customer", "agent"], start=2):
        store.append_message(
            conversation_id,
            message(f"m{i}", f"turn {i}", role),
            source=Source.api,
            received_at=T0 + timedelta(seconds=i),
        )

    conversation = store.get_conversation(conversation_id)

    assert [(m.seq, m.message_id, m.role.value) for m in conversation.messages] == [
        (1, "m1", "customer"),
        (2, "m2", "bot"),
        (3, "m3", "customer"),
        (4, "m4", "agent"),
    ]
    first = conversation.messages[0]
    assert (
        first.model_dump(exclude={"conversation_id", "seq", "received_at", "source", "redacted_at"})
        == rich.model_dump()
    )
    assert first.redacted_at is None
    assert first.fingerprint == rich.fingerprint()
    assert first.sent_at == datetime(2025, 3, 14, 8, 26, 53, tzinfo=UTC)  # normalised to UTC
    assert first.metadata["big"] == 10**30  # exact: client numbers never pass through a float
    assert (conversation.message_count, conversation.status, conversation.source) == (
        4,
        ConversationStatus.open,
        Source.api,
    )
    assert (conversation.created_at, conversation.updated_at) == (T0, T0 + timedelta(seconds=4))
    assert conversation.customer.id == "cus_1"


def test_an_unknown_conversation_is_none(store: DynamoConversationStore) -> None:
    assert store.get_conversation("it-never-written") is None


def test_a_duplicate_returns_the_stored_message_and_changes_nothing(
    store: DynamoConversationStore, items: Any, conversation_id: str
) -> None:
    first = store.append_message(conversation_id, message("m1"), source=Source.api, received_at=T0)
    before = items(conversation_id)

    again = store.append_message(
        conversation_id, message("m1"), source=Source.api, received_at=T0 + timedelta(hours=1)
    )

    assert (first.created, again.created) == (True, False)
    assert again.message == first.message
    assert again.message.received_at == T0
    assert items(conversation_id) == before


def test_published_is_remembered_per_message(store: DynamoConversationStore, conversation_id: str) -> None:
    store.append_message(conversation_id, message("m1"), source=Source.api, received_at=T0)
    assert (
        store.append_message(conversation_id, message("m1"), source=Source.api, received_at=T0).published
        is False
    )

    store.mark_published(conversation_id, "m1")

    assert (
        store.append_message(conversation_id, message("m1"), source=Source.api, received_at=T0).published
        is True
    )


def test_the_same_id_with_another_body_is_a_conflict_and_stores_nothing(
    store: DynamoConversationStore, items: Any, conversation_id: str
) -> None:
    store.append_message(conversation_id, message("m1", "first"), source=Source.api, received_at=T0)
    before = items(conversation_id)

    with pytest.raises(MessageConflict):
        store.append_message(conversation_id, message("m1", "second"), source=Source.api, received_at=T0)

    assert items(conversation_id) == before


def test_concurrent_appends_to_one_conversation_all_land_with_consecutive_seqs(
    store: DynamoConversationStore, conversation_id: str
) -> None:
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def post(worker: int) -> None:
        start.wait()
        for i in range(10):
            try:
                store.append_message(
                    conversation_id,
                    message(f"w{worker}-{i}"),
                    source=Source.api,
                    received_at=datetime.now(UTC),
                )
            except BaseException as error:
                errors.append(error)

    threads = [threading.Thread(target=post, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    conversation = store.get_conversation(conversation_id)
    assert [m.seq for m in conversation.messages] == list(range(1, 81))
    assert {m.message_id for m in conversation.messages} == {f"w{w}-{i}" for w in range(8) for i in range(10)}
    assert conversation.message_count == 80


def test_concurrent_duplicates_of_one_message_store_it_once(
    store: DynamoConversationStore, conversation_id: str
) -> None:
    results: list[bool] = []
    start = threading.Barrier(6)

    def post() -> None:
        start.wait()
        results.append(
            store.append_message(conversation_id, message("m1"), source=Source.api, received_at=T0).created
        )

    threads = [threading.Thread(target=post) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == [False] * 5 + [True]
    assert [m.seq for m in store.get_conversation(conversation_id).messages] == [1]


def test_losing_every_race_ends_in_concurrent_update(
    ddb_client: Any, conversations_table: str, conversation_id: str
) -> None:
    store = DynamoConversationStore(
        conversations_table, client=ddb_client, max_attempts=3, sleep=lambda _: None
    )
    store.append_message(conversation_id, message("m1"), source=Source.api, received_at=T0)
    # Another writer always gets there first: META's last_seq moves between our read and our write.
    real_get = store._get

    def get_then_race(pk: str, sk: str) -> Any:
        item = real_get(pk, sk)
        ddb_client.update_item(
            TableName=conversations_table,
            Key={"pk": {"S": pk}, "sk": {"S": "META"}},
            UpdateExpression="SET last_seq = last_seq + :one",
            ExpressionAttributeValues={":one": {"N": "1"}},
        )
        return item

    store._get = get_then_race  # type: ignore[method-assign]

    with pytest.raises(ConcurrentUpdate):
        store.append_message(conversation_id, message("m2"), source=Source.api, received_at=T0)


def test_a_conversation_whose_meta_expired_before_its_messages_continues_after_them(
    store: DynamoConversationStore, ddb_client: Any, conversations_table: str, conversation_id: str
) -> None:
    for i in range(3):
        store.append_message(conversation_id, message(f"m{i}"), source=Source.api, received_at=T0)
    # TTL deletes items in no particular order: META can go first.
    ddb_client.delete_item(
        TableName=conversations_table,
        Key={"pk": {"S": conversation_pk(conversation_id)}, "sk": {"S": "META"}},
    )

    result = store.append_message(conversation_id, message("m-new"), source=Source.api, received_at=T0)

    assert result.message.seq == 4
    assert [m.seq for m in store.get_conversation(conversation_id).messages] == [1, 2, 3, 4]


def test_every_item_expires_and_meta_is_indexed_by_customer(
    store: DynamoConversationStore,
    items: Any,
    ddb_client: Any,
    conversations_table: str,
    conversation_id: str,
) -> None:
    store.append_message(conversation_id, message("m1", customer="cus_42"), source=Source.api, received_at=T0)

    stored = items(conversation_id)

    assert set(stored) == {"META", "MSG#0000000001", "MID#m1"}
    expected = int((T0 + timedelta(days=30)).timestamp())
    assert {sk: int(item["expires_at"]["N"]) for sk, item in stored.items()} == dict.fromkeys(
        stored, expected
    )
    meta = stored["META"]
    assert (meta["gsi1pk"]["S"], meta["gsi1sk"]["S"], meta["last_seq"]["N"]) == (
        "CUST#cus_42",
        T0.isoformat(),
        "1",
    )
    by_customer = ddb_client.query(
        TableName=conversations_table,
        IndexName="by_customer",
        KeyConditionExpression="gsi1pk = :c",
        ExpressionAttributeValues={":c": {"S": "CUST#cus_42"}},
    )["Items"]
    assert conversation_pk(conversation_id) in {item["pk"]["S"] for item in by_customer}


def test_the_table_has_ttl_on_expires_at(ddb_client: Any, conversations_table: str) -> None:
    ttl = ddb_client.describe_time_to_live(TableName=conversations_table)["TimeToLiveDescription"]
    assert (ttl["AttributeName"], ttl["TimeToLiveStatus"]) == ("expires_at", "ENABLED")


def test_a_conversation_larger_than_one_query_page_is_read_whole(
    store: DynamoConversationStore, conversation_id: str
) -> None:
    # 80 messages of 16 KB: ~1.3 MB, more than a Query returns in one page.
    text = "x" * MAX_TEXT_BYTES
    for i in range(80):
        store.append_message(conversation_id, message(f"m{i:03d}", text), source=Source.api, received_at=T0)

    conversation = store.get_conversation(conversation_id)

    assert [m.seq for m in conversation.messages] == list(range(1, 81))
    assert all(m.text == text for m in conversation.messages)


def test_the_conversation_customer_follows_the_customers_messages(
    store: DynamoConversationStore, conversation_id: str
) -> None:
    store.append_message(
        conversation_id,
        message("m1", role="bot", customer="cus_seen_by_bot"),
        source=Source.api,
        received_at=T0,
    )
    store.append_message(
        conversation_id,
        message("m2", role="customer", customer="cus_real"),
        source=Source.api,
        received_at=T0,
    )
    store.append_message(
        conversation_id, message("m3", role="agent", customer="cus_other"), source=Source.api, received_at=T0
    )

    assert store.get_conversation(conversation_id).customer.id == "cus_real"


def test_a_bot_or_agent_message_without_customer_is_stored_with_the_conversations(
    store: DynamoConversationStore, conversation_id: str
) -> None:
    store.append_message(
        conversation_id, message("m1", customer="cus_first"), source=Source.api, received_at=T0
    )
    store.append_message(
        conversation_id, message("m2", customer="cus_real"), source=Source.api, received_at=T0
    )
    bare = {"message_id": "m3", "role": "bot", "text": "How can I help?"}
    result = store.append_message(
        conversation_id, MessageIn.model_validate(bare), source=Source.api, received_at=T0
    )

    assert result.message.customer.id == "cus_real"  # what MessageReceived carries
    conversation = store.get_conversation(conversation_id)
    assert [m.customer.id for m in conversation.messages] == ["cus_first", "cus_real", "cus_real"]
    assert conversation.customer.id == "cus_real"
    # The fingerprint is of what the client sent: the same body again is its duplicate, not a conflict.
    again = store.append_message(
        conversation_id, MessageIn.model_validate(bare), source=Source.api, received_at=T0
    )
    assert (again.created, again.message.seq) == (False, 3)


def test_a_message_without_customer_in_a_conversation_without_one_is_refused(
    store: DynamoConversationStore, conversation_id: str
) -> None:
    bare = MessageIn.model_validate({"message_id": "m1", "role": "agent", "text": "Hello"})
    with pytest.raises(CustomerRequired):
        store.append_message(conversation_id, bare, source=Source.api, received_at=T0)
    assert store.get_conversation(conversation_id) is None
    # A conversation an outcome created has no customer either.
    store.record_outcome(
        conversation_id, Outcome(kind="closed", at=T0), ConversationStatus.closed, source=Source.api, at=T0
    )
    with pytest.raises(CustomerRequired):
        store.append_message(conversation_id, bare, source=Source.api, received_at=T0)
    assert store.get_conversation(conversation_id).message_count == 0


def test_an_outcome_creates_an_unknown_conversation_and_later_messages_append_to_it(
    store: DynamoConversationStore, conversation_id: str
) -> None:
    outcome = Outcome(kind="closed", at=T0)
    store.record_outcome(conversation_id, outcome, ConversationStatus.closed, source=Source.zendesk, at=T0)

    created = store.get_conversation(conversation_id)
    assert (created.status, created.source, created.outcome, created.message_count, created.customer) == (
        ConversationStatus.closed,
        Source.zendesk,
        outcome,
        0,
        None,
    )

    store.append_message(conversation_id, message("m1", role="agent"), source=Source.zendesk, received_at=T0)
    conversation = store.get_conversation(conversation_id)
    assert [m.seq for m in conversation.messages] == [1]
    assert conversation.customer.id == "cus_1"  # filled in, as the conversation had none
    assert conversation.status == ConversationStatus.closed  # a message does not reopen it; the helpdesk does


def test_an_outcome_keeps_the_messages(store: DynamoConversationStore, conversation_id: str) -> None:
    store.append_message(conversation_id, message("m1"), source=Source.api, received_at=T0)

    store.record_outcome(
        conversation_id,
        Outcome(kind="resolved", at=T0, csat=5),
        ConversationStatus.resolved,
        source=Source.api,
        at=T0,
    )

    conversation = store.get_conversation(conversation_id)
    assert (conversation.status, conversation.outcome.csat, len(conversation.messages)) == (
        ConversationStatus.resolved,
        5,
        1,
    )
    store.append_message(conversation_id, message("m2"), source=Source.api, received_at=T0)
    assert store.get_conversation(conversation_id).outcome.kind == "resolved"


def test_the_ingestion_service_on_dynamodb(store: DynamoConversationStore, conversation_id: str) -> None:
    published: list[Any] = []

    class Publisher:
        def publish(self, events: Any) -> None:
            published.extend(events)

    service = IngestionService(store, Publisher())

    service.receive(conversation_id, message("m1"))
    service.receive(conversation_id, message("m1"))

    assert len(published) == 1
    assert store.append_message(conversation_id, message("m1"), source=Source.api, received_at=T0).published


# --------------------------------------------------------------------------------------- redaction

SECRET = "my card is 4111 1111 1111 1111"


def sensitive(message_id: str = "m2") -> MessageIn:
    return message(
        message_id,
        SECRET,
        page={
            "url": "https://app/billing?card=4111",
            "recent_actions": [{"type": "typed", "at": T0.isoformat()}],
        },
        bot={"confidence": 0.4, "answer_id": "kb-1", "attempt": "asked for the card 4111"},
        metadata={"card": "4111"},
    )


def test_a_redacted_message_keeps_its_place_and_loses_its_content(
    store: DynamoConversationStore, items: Any, conversation_id: str
) -> None:
    for msg in (message("m1", "hello"), sensitive("m2"), message("m3", "bye")):
        store.append_message(conversation_id, msg, source=Source.intercom, received_at=T0)
    at = T0 + timedelta(minutes=5)

    assert store.redact_message(conversation_id, "m2", at=at) is True

    conversation = store.get_conversation(conversation_id)
    assert [(m.seq, m.message_id, m.text) for m in conversation.messages] == [
        (1, "m1", "hello"),
        (2, "m2", ""),
        (3, "m3", "bye"),
    ]
    redacted = conversation.messages[1]
    assert (redacted.redacted_at, redacted.page, redacted.metadata, redacted.bot.attempt) == (
        at,
        None,
        {},
        None,
    )
    assert (redacted.role.value, redacted.bot.confidence, redacted.customer.id) == ("customer", 0.4, "cus_1")
    assert conversation.message_count == 3
    stored = items(conversation_id)
    assert "4111" not in str(stored)  # in no attribute of any item, not only in what GET shows
    assert "fingerprint" not in stored["MSG#0000000002"] and "fingerprint" not in stored["MID#m2"]
    assert stored["MSG#0000000002"]["redacted_at"] == stored["MID#m2"]["redacted_at"] == {"S": at.isoformat()}


def test_redaction_is_idempotent_and_the_first_time_stands(
    store: DynamoConversationStore, items: Any, conversation_id: str
) -> None:
    store.append_message(conversation_id, sensitive("m1"), source=Source.zendesk, received_at=T0)
    store.redact_message(conversation_id, "m1", at=T0 + timedelta(minutes=1))
    before = items(conversation_id)

    assert store.redact_message(conversation_id, "m1", at=T0 + timedelta(hours=1)) is True

    assert items(conversation_id) == before
    assert store.get_conversation(conversation_id).messages[0].redacted_at == T0 + timedelta(minutes=1)


@pytest.mark.parametrize("text", [SECRET, "an edited re-render"])
def test_the_original_delivered_again_after_a_redaction_stays_redacted(
    store: DynamoConversationStore, items: Any, conversation_id: str, text: str
) -> None:
    store.append_message(conversation_id, sensitive("m1"), source=Source.intercom, received_at=T0)
    store.mark_published(conversation_id, "m1")
    store.redact_message(conversation_id, "m1", at=T0)
    before = items(conversation_id)

    again = store.append_message(conversation_id, sensitive("m1").model_copy(update={"text": text}),
                                 source=Source.intercom, received_at=T0)  # fmt: skip

    assert (again.created, again.published, again.message.text) == (False, True, "")
    assert items(conversation_id) == before


def test_a_message_redacted_before_it_was_stored_arrives_redacted(
    store: DynamoConversationStore, items: Any, conversation_id: str
) -> None:
    store.append_message(conversation_id, message("m1", "hello"), source=Source.zendesk, received_at=T0)

    assert store.redact_message(conversation_id, "m2", at=T0) is False
    assert store.redact_message(conversation_id, "m2", at=T0 + timedelta(hours=1)) is False
    assert [m.message_id for m in store.get_conversation(conversation_id).messages] == ["m1"]

    late = store.append_message(conversation_id, sensitive("m2"), source=Source.zendesk, received_at=T0)

    assert (late.created, late.published, late.message.seq, late.message.text) == (True, False, 2, "")
    assert late.message.redacted_at == T0
    conversation = store.get_conversation(conversation_id)
    assert [(m.seq, m.text) for m in conversation.messages] == [(1, "hello"), (2, "")]
    assert conversation.message_count == 2
    assert "4111" not in str(items(conversation_id))
    again = store.append_message(conversation_id, sensitive("m2"), source=Source.zendesk, received_at=T0)
    assert (again.created, again.message.seq) == (False, 2)


def test_a_redaction_creates_no_conversation(store: DynamoConversationStore, conversation_id: str) -> None:
    assert store.redact_message(conversation_id, "m1", at=T0) is False
    assert store.get_conversation(conversation_id) is None

    first = store.append_message(conversation_id, sensitive("m1"), source=Source.intercom, received_at=T0)

    assert (first.created, first.message.seq, first.message.text) == (True, 1, "")
    assert store.get_conversation(conversation_id).message_count == 1


def test_a_redaction_racing_the_first_delivery_always_ends_redacted(store: DynamoConversationStore) -> None:
    errors: list[BaseException] = []

    def together(*actions: Any) -> None:
        start = threading.Barrier(len(actions))

        def run(action: Any) -> None:
            start.wait()
            try:
                action()
            except BaseException as error:
                errors.append(error)

        threads = [threading.Thread(target=run, args=(action,)) for action in actions]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    for round_ in range(8):
        conversation_id = f"it-race-{round_}-{time.time_ns()}"
        together(
            lambda c=conversation_id: store.append_message(
                c, sensitive("m1"), source=Source.intercom, received_at=T0
            ),
            lambda c=conversation_id: store.redact_message(c, "m1", at=T0),
        )

        assert errors == []
        (stored,) = store.get_conversation(conversation_id).messages
        assert (stored.seq, stored.text, stored.redacted_at) == (1, "", T0)


def test_a_redaction_that_loses_a_transaction_race_is_retried(
    ddb_client: Any, conversations_table: str, conversation_id: str
) -> None:
    client = CancelledOnce(ddb_client, ["None", "TransactionConflict"])
    store = DynamoConversationStore(conversations_table, client=ddb_client, sleep=lambda _: None)
    store.append_message(conversation_id, sensitive("m1"), source=Source.api, received_at=T0)
    store.client = client

    assert store.redact_message(conversation_id, "m1", at=T0) is True

    assert client.cancelled == 1
    assert store.get_conversation(conversation_id).messages[0].text == ""


def test_the_ingestion_service_redacts_on_dynamodb(
    store: DynamoConversationStore, conversation_id: str
) -> None:
    published: list[Any] = []

    class Publisher:
        def publish(self, events: Any) -> None:
            published.extend(events)

    service = IngestionService(store, Publisher())
    service.receive(conversation_id, sensitive("m1"), source=Source.intercom)

    assert service.redact(conversation_id, "m1") is True
    assert service.receive(conversation_id, sensitive("m1"), source=Source.intercom).duplicate is True

    assert store.get_conversation(conversation_id).messages[0].text == ""
    # The message once; the redaction announced once; the redelivery announces nothing again.
    assert [e.DETAIL_TYPE for e in published] == ["MessageReceived", "MessageRedacted"]


class CancelledOnce:
    """The real client, except that the first transaction is cancelled with the given reason codes."""

    def __init__(self, client: Any, codes: list[str]) -> None:
        self.client, self.codes, self.cancelled = client, codes, 0

    def transact_write_items(self, **kwargs: Any) -> Any:
        if not self.cancelled:
            self.cancelled += 1
            raise ClientError(
                {
                    "Error": {"Code": "TransactionCanceledException", "Message": "Transaction cancelled"},
                    "CancellationReasons": [{"Code": code} for code in self.codes],
                },
                "TransactWriteItems",
            )
        return self.client.transact_write_items(**kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)


def test_a_throttled_transaction_is_retried(
    ddb_client: Any, conversations_table: str, conversation_id: str
) -> None:
    client = CancelledOnce(ddb_client, ["None", "ThrottlingError", "None"])
    store = DynamoConversationStore(conversations_table, client=client, sleep=lambda _: None)

    result = store.append_message(conversation_id, message("m1"), source=Source.api, received_at=T0)

    assert (client.cancelled, result.created, result.message.seq) == (1, True, 1)
    assert [m.seq for m in store.get_conversation(conversation_id).messages] == [1]


def test_a_transaction_cancelled_for_another_reason_is_not_retried(
    ddb_client: Any, conversations_table: str, conversation_id: str
) -> None:
    client = CancelledOnce(ddb_client, ["None", "ValidationError", "None"])
    store = DynamoConversationStore(conversations_table, client=client, sleep=lambda _: None)

    with pytest.raises(ClientError):
        store.append_message(conversation_id, message("m1"), source=Source.api, received_at=T0)

    assert store.get_conversation(conversation_id) is None


# --------------------------------------------------------------------------------------- publish once


def test_fifty_concurrent_duplicates_store_one_message_and_publish_one_event(
    store: DynamoConversationStore, conversation_id: str
) -> None:
    published: list[Any] = []
    lock = threading.Lock()

    class Publisher:
        def publish(self, events: Any) -> None:
            time.sleep(0.02)  # as slow as a PutEvents call: the duplicates arrive while it is in flight
            with lock:
                published.extend(events)

    barrier = threading.Barrier(50)
    answers: list[Any] = []
    errors: list[BaseException] = []

    def post() -> None:
        service = IngestionService(store, Publisher())  # one per request, as on separate Lambda instances
        barrier.wait()
        try:
            answers.append(service.receive(conversation_id, message("m1")))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=post) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert not errors
    assert [e.DETAIL_TYPE for e in published] == ["MessageReceived"]
    assert sum(not a.duplicate for a in answers) == 1
    assert len(store.get_conversation(conversation_id).messages) == 1
