"""The decision capability on DynamoDB Local: ingestion -> scoring -> decision, each on its real store; the
conversation shows the decision, its status follows it until the helpdesk moves it on, and every message is
decided in order and once."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from baton.adapters.memory import MemoryPublisher
from baton.context.models import Account
from baton.context.store import DynamoContextStore
from baton.decision.engine import DecisionState
from baton.decision.params import load_default
from baton.decision.service import decision_consumer
from baton.decision.store import DynamoDecisionStore
from baton.errors import ConcurrentUpdate
from baton.ingestion.service import IngestionService
from baton.ingestion.store import DynamoConversationStore
from baton.models import ConversationStatus, MessageIn, Outcome, Source
from baton.scoring.fakes import fake_models
from baton.scoring.scorer import Scorer
from baton.scoring.service import scoring_consumer
from baton.scoring.store import DynamoArcStore

pytestmark = pytest.mark.integration

T0 = datetime.now(UTC).replace(microsecond=0)
CUSTOMER = {"id": "cus_1", "account_id": "acct_it_1"}


@pytest.fixture
def store(ddb_client: Any, conversations_table: str) -> DynamoConversationStore:
    return DynamoConversationStore(conversations_table, client=ddb_client, ttl_days=30)


@pytest.fixture
def decisions(ddb_client: Any, conversations_table: str) -> DynamoDecisionStore:
    return DynamoDecisionStore(conversations_table, client=ddb_client, ttl_days=30)


@pytest.fixture
def contexts(ddb_client: Any, context_table: str) -> DynamoContextStore:
    return DynamoContextStore(context_table, client=ddb_client)


def run_pipeline(
    store, decisions, contexts, conversation_id: str, *bodies: dict[str, Any]
) -> MemoryPublisher:
    received, scored, decided = MemoryPublisher(), MemoryPublisher(), MemoryPublisher()
    ingestion = IngestionService(store, received)
    for body in bodies:
        ingestion.receive(conversation_id, MessageIn.model_validate({**body, "customer": CUSTOMER}))
    ddb = store.client
    scoring = scoring_consumer(Scorer(fake_models()), DynamoArcStore(store.table_name, client=ddb), scored)
    for event in received.of_type("MessageReceived"):
        scoring.handle(event)
    deciding = decision_consumer(load_default, contexts, decisions, decided)
    for event in scored.of_type("MessageScored"):
        deciding.handle(event)
        assert deciding.handle(event).outcome == "duplicate"  # a redelivery changes nothing
    return decided


def test_the_conversation_shows_the_decision_and_its_status_follows_it(
    store, decisions, contexts, conversation_id: str
) -> None:
    contexts.put_account(Account(id=CUSTOMER["account_id"], annual_value=500_000), at=T0)
    decided = run_pipeline(
        store,
        decisions,
        contexts,
        conversation_id,
        {"message_id": "m1", "role": "customer", "text": "Hello, where do I find my invoices?"},
        {"message_id": "m2", "role": "bot", "text": "Under Settings > Billing.", "bot": {"confidence": 0.9}},
        {"message_id": "m3", "role": "customer", "text": "I need to talk to a human agent right now"},
    )
    events = decided.of_type("EscalationDecided")
    assert [(e.seq, e.action) for e in events] == [
        (1, "resolve"),
        (1, "resolve"),
        (3, "escalate"),
        (3, "escalate"),
    ]
    shown = store.get_conversation(conversation_id)
    assert shown.status == ConversationStatus.escalated
    assert shown.decision.action == "escalate" and shown.decision.guardrail == "human_requested"
    assert shown.decision.seq == 3 and shown.decision.reasons[0].code == "human_requested"
    assert [m.message_id for m in shown.messages] == ["m1", "m2", "m3"]  # the DECISION item is no message
    assert decisions.load(conversation_id).state.last_seq == 3

    store.record_outcome(
        conversation_id,
        Outcome(kind="resolved", at=T0),
        ConversationStatus.resolved,
        source=Source.api,
        at=T0,
    )
    assert (
        store.get_conversation(conversation_id).status == ConversationStatus.resolved
    )  # the helpdesk's word


def test_save_with_optimistic_locking_and_without_a_new_event(decisions, conversation_id: str) -> None:
    first = DecisionState(last_seq=1)
    assert decisions.save(conversation_id, first, None, expected_version=0, at=T0) == 1
    with pytest.raises(ConcurrentUpdate):
        decisions.save(conversation_id, first, None, expected_version=0, at=T0)
    loaded = decisions.load(conversation_id)
    assert loaded.version == 1 and loaded.state.last_seq == 1 and loaded.event is None


def test_a_redaction_removes_the_guardrails_quote_from_what_the_conversation_shows(
    store, decisions, contexts, conversation_id: str
) -> None:
    from baton.decision.service import REDACTED_EVIDENCE
    from baton.events import MessageRedacted

    run_pipeline(
        store,
        decisions,
        contexts,
        conversation_id,
        {"message_id": "m1", "role": "customer", "text": "My lawyer will hear about account 88-1234"},
    )
    shown = store.get_conversation(conversation_id).decision
    assert shown.guardrail == "legal_threat" and "lawyer" in shown.reasons[0].evidence

    deciding = decision_consumer(load_default, contexts, decisions, MemoryPublisher())
    redaction = MessageRedacted(
        event_id="r1", conversation_id=conversation_id, message_id="m1", redacted_at=T0
    )
    assert deciding.redact(redaction) is True

    shown = store.get_conversation(conversation_id)
    assert shown.decision.reasons[0].evidence == REDACTED_EVIDENCE
    assert (shown.decision.action, shown.status) == ("escalate", ConversationStatus.escalated)
    raw = raw_item(decisions, conversation_id)
    assert all("lawyer" not in raw[name] for name in ("state", "event", "view"))


def raw_item(store: Any, conversation_id: str) -> dict[str, Any]:
    """The capability's item as DynamoDB holds it (every attribute, as stored)."""
    from boto3.dynamodb.types import TypeDeserializer

    item = store.client.get_item(
        TableName=store.table_name,
        Key={"pk": {"S": f"CONV#{conversation_id}"}, "sk": {"S": store.sk}},
        ConsistentRead=True,
    )["Item"]
    return {k: TypeDeserializer().deserialize(v) for k, v in item.items()}
