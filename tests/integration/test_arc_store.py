"""The DynamoDB arc store against DynamoDB Local: optimistic locking, and the conversation showing the
latest scores and arc; then the whole scoring service on it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from baton.adapters.memory import MemoryPublisher
from baton.errors import ConcurrentUpdate, OutOfOrder
from baton.ingestion.service import IngestionService
from baton.ingestion.store import DynamoConversationStore
from baton.models import MessageIn
from baton.scoring.arc import ArcState
from baton.scoring.fakes import conversation, fake_models, received
from baton.scoring.scorer import Scorer
from baton.scoring.service import scoring_consumer
from baton.scoring.store import DynamoArcStore

pytestmark = pytest.mark.integration

T0 = datetime.now(UTC).replace(microsecond=0)  # recent: DynamoDB Local applies TTL


@pytest.fixture
def arcs(ddb_client: Any, conversations_table: str) -> DynamoArcStore:
    return DynamoArcStore(conversations_table, client=ddb_client, ttl_days=30)


@pytest.fixture
def store(ddb_client: Any, conversations_table: str) -> DynamoConversationStore:
    return DynamoConversationStore(conversations_table, client=ddb_client, ttl_days=30)


def scored_events(conversation_id: str) -> list[Any]:
    scorer = Scorer(fake_models())
    state = ArcState()
    events = []
    for message in conversation(
        ("customer", "I was charged twice for my plan"),
        ("bot", "Invoices are under Settings.", 0.3),
    ):
        scores, state = scorer.score(message, state)
        events.append((state, _event(conversation_id, message, scores, state)))
    return events


def _event(conversation_id: str, message: Any, scores: Any, state: ArcState) -> Any:
    from baton.events import MessageScored

    return MessageScored(
        event_id=f"e{message.seq}",
        conversation_id=conversation_id,
        seq=message.seq,
        message_id=message.message_id,
        role=message.role,
        scores=scores,
        arc=state.public(),
    )


def test_save_and_load_with_optimistic_locking(arcs: DynamoArcStore, conversation_id: str) -> None:
    assert arcs.load(conversation_id) is None
    (state1, event1), (state2, event2) = scored_events(conversation_id)
    assert arcs.save(conversation_id, state1, event1, expected_version=0, at=T0) == 1
    with pytest.raises(ConcurrentUpdate):
        arcs.save(conversation_id, state1, event1, expected_version=0, at=T0)  # it exists now
    assert arcs.save(conversation_id, state2, event2, expected_version=1, at=T0) == 2
    with pytest.raises(ConcurrentUpdate):
        arcs.save(conversation_id, state2, event2, expected_version=1, at=T0)  # version moved on
    loaded = arcs.load(conversation_id)
    assert loaded is not None
    assert loaded.version == 2 and loaded.state == state2 and loaded.event == event2


def test_the_conversation_shows_the_latest_customer_scores_and_arc(
    arcs: DynamoArcStore, store: DynamoConversationStore, conversation_id: str
) -> None:
    publisher = MemoryPublisher()
    ingestion = IngestionService(store, publisher)
    for body in (
        {"message_id": "m1", "role": "customer", "text": "I was charged twice for my plan"},
        {
            "message_id": "m2",
            "role": "bot",
            "text": "Invoices are under Settings.",
            "bot": {"confidence": 0.3},
        },
    ):
        ingestion.receive(
            conversation_id,
            MessageIn.model_validate({**body, "customer": {"id": "cus_1", "account_id": "acct_1"}}),
        )
    assert store.get_conversation(conversation_id).scores is None
    scoring = scoring_consumer(Scorer(fake_models()), arcs, MemoryPublisher())
    for event in publisher.of_type("MessageReceived"):
        scoring.handle(event)
    shown = store.get_conversation(conversation_id)
    assert shown is not None
    assert shown.scores["message_id"] == "m1" and shown.scores["intent"] == "duplicate_charge"
    assert "bot_confidence" not in shown.scores  # the bot's answer did not replace the customer's scores
    assert shown.arc["bot_turns"] == 1 and shown.arc["bot_failures"] == 1
    assert [m.message_id for m in shown.messages] == ["m1", "m2"]  # the ARC item is not a message


def test_the_scoring_service_on_dynamodb_applies_in_order_and_once(
    arcs: DynamoArcStore, conversation_id: str
) -> None:
    publisher = MemoryPublisher()
    scoring = scoring_consumer(Scorer(fake_models()), arcs, publisher)
    first, second, third = (
        received(m, conversation_id)
        for m in conversation(
            ("customer", "I was charged twice for my plan"),
            ("bot", "Invoices are under Settings.", 0.8),
            ("customer", "Why did you bill me two times?"),
        )
    )
    scoring.handle(first)
    with pytest.raises(OutOfOrder):
        scoring.handle(third)
    scoring.handle(second)
    scoring.handle(third)
    assert scoring.handle(third).outcome == "duplicate"
    seqs = [e.seq for e in publisher.of_type("MessageScored")]
    assert seqs == [1, 2, 3, 3]
    assert publisher.events[-1] == publisher.events[-2]
    stored = arcs.load(conversation_id)
    assert stored is not None and stored.version == 3
    assert stored.event.scores.rephrase_of == "m1"


def test_a_redaction_reaches_the_arc_on_dynamodb(
    arcs: DynamoArcStore, store: DynamoConversationStore, conversation_id: str
) -> None:
    """Ingestion forgets the text and announces it; the scoring service applies the announcement to the ARC
    item, which then holds neither the text nor its fingerprint; the conversation still shows its scores."""
    publisher = MemoryPublisher()
    ingestion = IngestionService(store, publisher)
    secret = "my card 4111 1111 1111 1111 was charged twice"
    ingestion.receive(
        conversation_id,
        MessageIn.model_validate(
            {
                "message_id": "m1",
                "role": "customer",
                "text": secret,
                "customer": {"id": "cus_1", "account_id": "acct_1"},
            }
        ),
    )
    scoring = scoring_consumer(Scorer(fake_models()), arcs, MemoryPublisher())
    scoring.handle(publisher.of_type("MessageReceived")[0])
    raw = raw_item(arcs, conversation_id)
    assert "4111" in raw["event"] and "m1" in raw["state"]

    ingestion.redact(conversation_id, "m1")
    (announced,) = publisher.of_type("MessageRedacted")
    assert scoring.redact(announced) is True

    raw = raw_item(arcs, conversation_id)
    assert "4111" not in raw["event"] and "charged" not in raw["event"]
    stored = arcs.load(conversation_id)
    assert stored.state.recent == [] and list(stored.state.redacted) == ["m1"]
    shown = store.get_conversation(conversation_id)
    assert shown.messages[0].text == "" and shown.scores["message_id"] == "m1"


def test_a_redaction_before_any_scoring_keeps_only_the_id(arcs: DynamoArcStore, conversation_id: str) -> None:
    from baton.events import MessageRedacted

    scoring = scoring_consumer(Scorer(fake_models()), arcs, MemoryPublisher())
    redaction = MessageRedacted(
        event_id="r1", conversation_id=conversation_id, message_id="m1", redacted_at=T0
    )
    assert scoring.redact(redaction) is True
    stored = arcs.load(conversation_id)
    assert stored.event is None and stored.state.last_seq == 0 and list(stored.state.redacted) == ["m1"]
    assert scoring.redact(redaction) is False


def raw_item(store: Any, conversation_id: str) -> dict[str, Any]:
    """The capability's item as DynamoDB holds it (every attribute, as stored)."""
    from boto3.dynamodb.types import TypeDeserializer

    item = store.client.get_item(
        TableName=store.table_name,
        Key={"pk": {"S": f"CONV#{conversation_id}"}, "sk": {"S": store.sk}},
        ConsistentRead=True,
    )["Item"]
    return {k: TypeDeserializer().deserialize(v) for k, v in item.items()}
