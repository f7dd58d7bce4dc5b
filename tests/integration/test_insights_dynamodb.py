"""The insights store against DynamoDB Local (AWS's own engine): the summary and its bucket changes in one
transaction, the version condition, the console's pages across statuses through the `by_status` index, and
buckets that equal the sum of the stored contributions after relabels. Each test has a table of its own: the
list and the buckets read whole partitions."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from baton.errors import ConcurrentUpdate
from baton.feedback.contacts import contact_sk, customer_pk
from baton.insights.facts import InsightsState
from baton.insights.models import ConversationSummary
from baton.insights.store import (
    MAX_TRANSACT_ITEMS,
    DynamoInsightsStore,
    InvalidCursor,
    TooManyBucketChanges,
    changes,
    shard_of,
)
from baton.local.dynamodb_local import DynamoDBLocal
from baton.tables import CONVERSATIONS

pytestmark = pytest.mark.integration

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
DAY = T0.date()


@pytest.fixture
def table(dynamodb_local: DynamoDBLocal, ddb_client: Any) -> Iterator[str]:
    name = f"it-insights-{uuid.uuid4().hex[:8]}"
    ddb_client.create_table(**CONVERSATIONS.create_table_kwargs(name))
    yield name
    ddb_client.delete_table(TableName=name)


@pytest.fixture
def store(table: str, ddb_client: Any) -> DynamoInsightsStore:
    return DynamoInsightsStore(table, client=ddb_client)


def summary(conversation_id: str, status: str = "open", minutes: int = 0) -> ConversationSummary:
    return ConversationSummary(
        conversation_id=conversation_id, status=status, last_activity_at=T0 + timedelta(minutes=minutes)
    )


def save(store: DynamoInsightsStore, s: ConversationSummary, contribution: Any = None) -> int:
    contribution = contribution or {}
    loaded = store.load(s.conversation_id)
    return store.save(
        s.conversation_id,
        InsightsState(),
        s,
        expected_version=loaded.version if loaded else 0,
        contribution=contribution,
        differences=changes(loaded.contribution if loaded else {}, contribution),
        at=T0,
    )


def test_the_summary_and_its_bucket_changes_are_written_together(
    store: DynamoInsightsStore, ddb_client: Any, table: str
) -> None:
    contribution = {
        (DAY, "all", "all"): {"conversations": 1.0, "time_to_escalate_s": 12.5},
        (DAY, "page", "/billing/invoices"): {"conversations": 1.0},
    }
    assert save(store, summary("c1", "escalated"), contribution) == 1

    loaded = store.load("c1")
    assert loaded is not None and loaded.version == 1 and loaded.contribution == contribution
    item = ddb_client.get_item(TableName=table, Key={"pk": {"S": "CONV#c1"}, "sk": {"S": "INSIGHTS"}})["Item"]
    assert item["gsi2pk"]["S"] == "STATUS#escalated"
    assert item["gsi2sk"]["S"] == "2026-11-02T09:00:00.000000+00:00#c1"
    assert int(item["expires_at"]["N"]) > T0.timestamp()
    bucket = ddb_client.get_item(
        TableName=table, Key={"pk": {"S": f"KPI#{DAY}"}, "sk": {"S": f"all#all#{shard_of('c1', 'all')}"}}
    )["Item"]
    assert (bucket["c_conversations"]["N"], bucket["c_time_to_escalate_s"]["N"]) == ("1", "12.5")


def test_a_stale_version_writes_nothing_at_all(store: DynamoInsightsStore) -> None:
    save(store, summary("c1"), {(DAY, "all", "all"): {"conversations": 1.0}})

    with pytest.raises(ConcurrentUpdate, match="no longer at version 0"):
        store.save(
            "c1",
            InsightsState(),
            summary("c1", "closed"),
            expected_version=0,
            contribution={},
            differences={(DAY, "all", "all"): {"conversations": 5.0}},
            at=T0,
        )
    [bucket] = store.buckets(DAY, DAY)
    assert bucket.counters == {"conversations": 1.0}  # the bucket ADD was cancelled with the summary's Put
    assert store.list_conversations(["closed"]).conversations == []


def test_a_change_too_big_for_one_transaction_is_refused_before_any_write(store: DynamoInsightsStore) -> None:
    many = {(date(2026, 1, 1) + timedelta(days=n), "all", "all"): {"conversations": 1.0} for n in range(99)}
    save(store, summary("c1"), many)  # the summary and 99 buckets: DynamoDB's 100 actions
    assert len(store.buckets(date(2026, 1, 1), date(2026, 4, 9))) == 99

    too_many = {**many, (date(2026, 5, 1), "all", "all"): {"conversations": 1.0}}
    assert len(too_many) == MAX_TRANSACT_ITEMS
    with pytest.raises(TooManyBucketChanges):
        store.save(
            "c2",
            InsightsState(),
            summary("c2"),
            expected_version=0,
            contribution=too_many,
            differences=too_many,
            at=T0,
        )
    assert store.load("c2") is None


def test_pages_merge_statuses_newest_first_with_a_cursor_and_from(store: DynamoInsightsStore) -> None:
    statuses = [
        "escalated",
        "queued",
        "open",
        "escalated",
        "queued",
        "closed",
        "escalated",
        "queued",
        "escalated",
    ]
    for n, status in enumerate(statuses):
        save(store, summary(f"c{n}", status, minutes=n))
    wanted = [f"c{n}" for n in range(8, -1, -1) if statuses[n] in ("escalated", "queued")]

    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        page = store.list_conversations(["escalated", "queued"], limit=2, cursor=cursor)
        seen += [s.conversation_id for s in page.conversations]
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == wanted and pages == 4  # 7 conversations, 2 a page

    recent = store.list_conversations(["escalated", "queued"], since=T0 + timedelta(minutes=4), limit=2)
    assert [s.conversation_id for s in recent.conversations] == ["c8", "c7"]
    rest = store.list_conversations(
        ["escalated", "queued"], since=T0 + timedelta(minutes=4), limit=2, cursor=recent.next_cursor
    )
    assert [s.conversation_id for s in rest.conversations] == ["c6", "c4"] and rest.next_cursor is None
    everything = store.list_conversations(limit=100)
    assert [s.conversation_id for s in everything.conversations] == [f"c{n}" for n in range(8, -1, -1)]
    assert everything.conversations[0] == summary("c8", "escalated", minutes=8)


def test_a_bad_cursor_is_refused(store: DynamoInsightsStore) -> None:
    with pytest.raises(InvalidCursor):
        store.list_conversations(cursor="%%%")


def test_buckets_equal_the_sum_of_contributions_after_relabels(store: DynamoInsightsStore) -> None:
    def contributed(escalated: bool, label: str, intent: str) -> dict[Any, dict[str, float]]:
        counters = {"conversations": 1.0, "escalated": 1.0 if escalated else 0.0, f"label_{label}": 1.0}
        return {
            (DAY, "all", "all"): {k: v for k, v in counters.items() if v},
            (DAY, "intent", intent): {"conversations": 1.0},
            (DAY + timedelta(days=1), "all", "all"): {"late": 0.5},
        }

    final: dict[str, dict[Any, dict[str, float]]] = {}
    for n in range(10):
        conversation_id = f"conv-{n}"
        for escalated, label, intent in [(True, "unknown", "billing"), (True, "false_escalation", "billing")]:
            final[conversation_id] = contributed(escalated, label, intent)
            save(store, summary(conversation_id), final[conversation_id])
        if n % 3 == 0:  # a late outcome relabels it, and a later message changes its intent
            final[conversation_id] = contributed(False, "contained", "refund")
            save(store, summary(conversation_id, "closed"), final[conversation_id])

    expected: dict[tuple[date, str, str], dict[str, float]] = {}
    for contribution in final.values():
        for (day, dimension, value), counters in contribution.items():
            total = expected.setdefault((day, dimension, value), {})
            for name, number in counters.items():
                total[name] = total.get(name, 0.0) + number
    found = {
        (b.day, b.dimension, b.value): {k: v for k, v in b.counters.items() if v}
        for b in store.buckets(DAY, DAY + timedelta(days=1))
    }
    assert found == expected
    assert found[(DAY, "all", "all")] == {
        "conversations": 10.0,
        "escalated": 6.0,
        "label_false_escalation": 6.0,
        "label_contained": 4.0,
    }


def test_an_earlier_contact_record_of_the_same_intent_is_a_repeat(
    store: DynamoInsightsStore, ddb_client: Any, table: str
) -> None:
    def contact(intent: str, started_at: datetime, conversation_id: str, customer: str = "cust-1") -> None:
        ddb_client.put_item(
            TableName=table,
            Item={
                "pk": {"S": customer_pk(customer)},
                "sk": {"S": contact_sk(intent, started_at, conversation_id)},
                "conversation_id": {"S": conversation_id},
            },
        )

    contact("billing", T0, "this-one")
    contact("login", T0 - timedelta(days=1), "other-intent")
    assert not store.earlier_contact("cust-1", "billing", T0)  # its own record is not an earlier contact
    contact("billing", T0 - timedelta(days=7), "a-week-ago")
    assert store.earlier_contact("cust-1", "billing", T0)  # the window's first instant is in
    contact("billing", T0 - timedelta(days=7), "older", customer="cust-3")
    assert not store.earlier_contact("cust-3", "billing", T0 + timedelta(microseconds=1))  # a week and 1 µs
    assert not store.earlier_contact("cust-2", "billing", T0)


def test_concurrent_conversations_on_the_same_buckets_all_land(store: DynamoInsightsStore) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def run(worker: int) -> None:
        for n in range(6):
            conversation_id = f"w{worker}-{n}"
            save(store, summary(conversation_id), {(DAY, "all", "all"): {"conversations": 1.0}})
            save(
                store,
                summary(conversation_id, "escalated"),
                {(DAY, "all", "all"): {"conversations": 1.0, "escalated": 1.0}},
            )

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(run, range(8)))

    [bucket] = store.buckets(DAY, DAY)
    assert bucket.counters == {"conversations": 48.0, "escalated": 48.0}


def test_a_data_dir_from_an_earlier_release_gets_the_new_index(
    dynamodb_local: DynamoDBLocal, ddb_client: Any
) -> None:
    from dataclasses import replace

    from baton.local.dynamodb_local import ensure_tables

    name = f"it-old-{uuid.uuid4().hex[:8]}"
    old = replace(CONVERSATIONS, indexes=CONVERSATIONS.indexes[:1])  # by_customer only, as before issue 13
    ddb_client.create_table(**old.create_table_kwargs(name))
    try:
        names = {
            "conversations": name,
            "idempotency": "it-idempotency",
            "context": "it-context",
            "routing": "it-routing",
        }
        assert ensure_tables(ddb_client, names) == []  # nothing created: the table is kept, with its data

        indexes = ddb_client.describe_table(TableName=name)["Table"]["GlobalSecondaryIndexes"]
        assert sorted(index["IndexName"] for index in indexes) == ["by_customer", "by_status"]
        store = DynamoInsightsStore(name, client=ddb_client)
        save(store, summary("c1", "escalated"))
        assert [s.conversation_id for s in store.list_conversations(["escalated"]).conversations] == ["c1"]
    finally:
        ddb_client.delete_table(TableName=name)
