"""The repeat-contact label on DynamoDB Local: the feedback service on its real stores (the `FEEDBACK` item and the
contact records in the conversations table) relabels the earlier conversation when its customer comes back on the
same intent within 7 days, in either order of arrival and with concurrent consumers; a contact that moves deletes
its old record."""

from __future__ import annotations

import random
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from baton.adapters.memory import MemoryPublisher
from baton.errors import ConcurrentUpdate
from baton.events import (
    BusEvent,
    MessageScored,
    MessageSnapshot,
    OutcomeLabeled,
    OutcomeRecorded,
    event_id_for,
)
from baton.feedback.contacts import DynamoContactIndex, contact_sk, customer_pk
from baton.feedback.service import DynamoFeedbackStore, FeedbackService
from baton.models import Customer

pytestmark = pytest.mark.integration

T0 = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


@pytest.fixture
def customer() -> str:
    return f"cus-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def service(ddb_client: Any, conversations_table: str) -> FeedbackService:
    return FeedbackService(
        DynamoFeedbackStore(conversations_table, client=ddb_client, ttl_days=30),
        MemoryPublisher(),
        contacts=DynamoContactIndex(conversations_table, client=ddb_client, ttl_days=30),
    )


def scored(cid: str, customer: str, seq: int, intent: str, sent: datetime) -> MessageScored:
    return MessageScored(
        event_id=event_id_for("MessageScored", cid, f"m{seq}"),
        conversation_id=cid,
        seq=seq,
        message_id=f"m{seq}",
        role="customer",
        scores={"intent": intent},  # type: ignore[arg-type]
        arc={},  # type: ignore[arg-type]
        message=MessageSnapshot(
            message_id=f"m{seq}", seq=seq, role="customer", text="my invoice is wrong", sent_at=sent,
            received_at=sent, source="api", customer=Customer(id=customer, account_id="acct-1"),
        ),
    )  # fmt: skip


def bot_resolved(cid: str, at: datetime) -> OutcomeRecorded:
    return OutcomeRecorded(
        event_id=event_id_for("OutcomeRecorded", cid, "resolved", at.isoformat()),
        occurred_at=at,
        conversation_id=cid,
        source="api",
        kind="resolved",
        resolved_by="bot",
    )


def rule(service: FeedbackService, cid: str) -> str | None:
    stored = service.store.load(cid)
    return stored.state.label.rule if stored is not None and stored.state.label is not None else None


def records(ddb_client: Any, table: str, customer: str) -> set[str]:
    items = ddb_client.query(
        TableName=table,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": customer_pk(customer)}},
        ConsistentRead=True,
    )["Items"]
    return {item["sk"]["S"] for item in items}


@pytest.mark.parametrize("earlier_first", [True, False])
def test_the_earlier_conversation_becomes_missed_in_either_order(
    service: FeedbackService, ddb_client: Any, conversations_table: str, customer: str, earlier_first: bool
) -> None:
    e, later = f"e-{uuid.uuid4().hex[:8]}", f"l-{uuid.uuid4().hex[:8]}"
    earlier_events: list[BusEvent] = [scored(e, customer, 1, "billing", day(0)), bot_resolved(e, day(0.01))]
    later_events: list[BusEvent] = [scored(later, customer, 1, "billing", day(6))]
    for event in (earlier_events + later_events) if earlier_first else (later_events + earlier_events):
        service.handle(event)
        service.handle(event)  # a redelivery changes nothing
    assert rule(service, e) == "missed_escalation.repeat_contact"
    assert rule(service, later) is None  # the later conversation has no outcome: no label yet
    assert records(ddb_client, conversations_table, customer) == {
        contact_sk("billing", day(0), e),
        contact_sk("billing", day(6), later),
    }
    labels = [
        x.rule for x in service.publisher.events if isinstance(x, OutcomeLabeled) and x.conversation_id == e
    ]
    assert labels[-1] == "missed_escalation.repeat_contact" and len(labels) == len(set(labels))


def test_a_contact_that_moves_deletes_its_old_record_and_takes_the_relabel_back(
    service: FeedbackService, ddb_client: Any, conversations_table: str, customer: str
) -> None:
    e, later = f"e-{uuid.uuid4().hex[:8]}", f"l-{uuid.uuid4().hex[:8]}"
    for event in (scored(e, customer, 1, "billing", day(0)), bot_resolved(e, day(0.01))):
        service.handle(event)
    service.handle(scored(later, customer, 3, "billing", day(2)))
    assert rule(service, e) == "missed_escalation.repeat_contact"
    service.handle(scored(later, customer, 1, "account", day(2) - timedelta(minutes=5)))
    assert rule(service, e) == "contained.bot_resolved"
    assert records(ddb_client, conversations_table, customer) == {
        contact_sk("billing", day(0), e),
        contact_sk("account", day(2) - timedelta(minutes=5), later),
    }


def test_concurrent_consumers_converge_on_the_same_labels(
    service: FeedbackService, ddb_client: Any, conversations_table: str, customer: str
) -> None:
    """Six conversations of one customer on one intent, their events handled at once from eight threads in a
    random order; a handler that gives up on contention is retried, as SQS redelivers."""
    starts = {f"c{n}-{uuid.uuid4().hex[:6]}": day(d) for n, d in enumerate((0, 1, 2, 3, 11, 20))}
    events: list[BusEvent] = []
    for cid, start in starts.items():
        events += [scored(cid, customer, 2, "billing", start + timedelta(minutes=1)),
                   scored(cid, customer, 1, "billing", start), bot_resolved(cid, start + timedelta(hours=1))]  # fmt: skip
    random.Random(7).shuffle(events)

    def deliver(event: BusEvent) -> None:
        for _ in range(20):
            try:
                service.handle(event)
                return
            except ConcurrentUpdate:
                continue
        raise AssertionError(f"{event.event_id} never applied")

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(deliver, events))
    expected = ["missed_escalation.repeat_contact"] * 3 + ["contained.bot_resolved"] * 3  # 3 -> 11: 8 days
    assert [rule(service, cid) for cid in starts] == expected
    assert records(ddb_client, conversations_table, customer) == {
        contact_sk("billing", start, cid) for cid, start in starts.items()
    }
