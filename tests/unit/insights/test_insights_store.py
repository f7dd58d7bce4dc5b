"""The insights store's semantics, on the memory store (the DynamoDB one is held to the same in
tests/integration/test_insights_dynamodb.py): versions, the console's pages and cursors, the bucket sums."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from baton.errors import ConcurrentUpdate
from baton.insights.facts import InsightsState
from baton.insights.models import ConversationSummary
from baton.insights.store import (
    MAX_TRANSACT_ITEMS,
    InvalidCursor,
    MemoryInsightsStore,
    TooManyBucketChanges,
    changes,
    decode_cursor,
    encode_cursor,
    shard_of,
)

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
DAY = T0.date()


def summary(conversation_id: str, status: str = "open", minutes: int = 0) -> ConversationSummary:
    return ConversationSummary(
        conversation_id=conversation_id, status=status, last_activity_at=T0 + timedelta(minutes=minutes)
    )


def save(store: MemoryInsightsStore, s: ConversationSummary, **kwargs: object) -> int:
    loaded = store.load(s.conversation_id)
    contribution = kwargs.pop("contribution", {})
    return store.save(
        s.conversation_id,
        InsightsState(),
        s,
        expected_version=loaded.version if loaded else 0,
        contribution=contribution,  # type: ignore[arg-type]
        differences=changes(loaded.contribution if loaded else {}, contribution),  # type: ignore[arg-type]
        at=T0,
    )


def test_a_save_is_conditional_on_the_version_it_read() -> None:
    store = MemoryInsightsStore()
    assert save(store, summary("c1")) == 1
    assert store.load("c1").version == 1  # type: ignore[union-attr]

    with pytest.raises(ConcurrentUpdate, match="no longer at version 0"):
        store.save(
            "c1", InsightsState(), summary("c1"), expected_version=0, contribution={}, differences={}, at=T0
        )


def test_the_list_is_newest_first_filtered_by_status_and_paged_with_a_cursor() -> None:
    store = MemoryInsightsStore()
    statuses = ["escalated", "open", "queued", "escalated", "closed", "escalated", "queued"]
    for n, status in enumerate(statuses):
        save(store, summary(f"c{n}", status, minutes=n))

    first = store.list_conversations(["escalated", "queued"], limit=3)
    assert [s.conversation_id for s in first.conversations] == ["c6", "c5", "c3"]
    assert first.next_cursor is not None
    second = store.list_conversations(["escalated", "queued"], limit=3, cursor=first.next_cursor)
    assert [s.conversation_id for s in second.conversations] == ["c2", "c0"]
    assert second.next_cursor is None

    everything = store.list_conversations(limit=100)
    assert [s.conversation_id for s in everything.conversations] == [f"c{n}" for n in range(6, -1, -1)]
    since = store.list_conversations(since=T0 + timedelta(minutes=4), limit=100)
    assert [s.conversation_id for s in since.conversations] == ["c6", "c5", "c4"]


def test_a_page_that_ends_exactly_at_the_last_conversation_has_no_cursor() -> None:
    store = MemoryInsightsStore()
    for n in range(4):
        save(store, summary(f"c{n}", minutes=n))

    assert store.list_conversations(limit=4).next_cursor is None
    assert store.list_conversations(limit=3).next_cursor is not None


def test_a_conversation_that_changes_status_moves_between_lists() -> None:
    store = MemoryInsightsStore()
    save(store, summary("c1", "escalated"))
    save(store, summary("c1", "closed", minutes=5))

    assert store.list_conversations(["escalated"]).conversations == []
    assert [s.status for s in store.list_conversations(["closed"]).conversations] == ["closed"]


@pytest.mark.parametrize(
    "cursor", ["not base64!", encode_cursor("no-time#c1"), encode_cursor(T0.isoformat())]
)
def test_a_cursor_no_page_returned_is_refused(cursor: str) -> None:
    with pytest.raises(InvalidCursor, match="cursor"):
        MemoryInsightsStore().list_conversations(cursor=cursor)


def test_a_cursor_is_the_last_returned_index_key() -> None:
    key = f"{T0.isoformat(timespec='microseconds')}#c1"
    assert decode_cursor(encode_cursor(key)) == key


def test_statuses_and_limits_outside_the_contract_are_refused() -> None:
    store = MemoryInsightsStore()
    with pytest.raises(ValueError, match="unknown status 'lost'"):
        store.list_conversations(["lost"])
    with pytest.raises(ValueError, match="limit"):
        store.list_conversations(limit=101)


def test_buckets_hold_the_sum_of_the_current_contributions_across_shards() -> None:
    store = MemoryInsightsStore()
    ids = [f"conv-{n}" for n in range(12)]
    assert len({shard_of(i, "all") for i in ids}) > 1  # the sums below cross shards
    for conversation_id in ids:
        save(
            store,
            summary(conversation_id),
            contribution={
                (DAY, "all", "all"): {"conversations": 1, "escalated": 1},
                (DAY, "intent", "billing"): {"conversations": 1},
            },
        )
    # Relabel half of them: no longer escalated, now another intent.
    for conversation_id in ids[:6]:
        save(
            store,
            summary(conversation_id, "closed", minutes=1),
            contribution={
                (DAY, "all", "all"): {"conversations": 1},
                (DAY, "intent", "refund"): {"conversations": 1},
            },
        )

    buckets = {(b.dimension, b.value): b.counters for b in store.buckets(DAY, DAY)}
    assert buckets == {
        ("all", "all"): {"conversations": 12, "escalated": 6},
        ("intent", "billing"): {"conversations": 6},
        ("intent", "refund"): {"conversations": 6},
    }
    assert store.buckets(DAY + timedelta(days=1), DAY + timedelta(days=2)) == []


def test_changes_are_new_minus_old_without_zeros() -> None:
    old = {
        (DAY, "all", "all"): {"conversations": 1.0, "escalated": 1.0},
        (DAY, "intent", "a"): {"conversations": 1.0},
    }
    new = {
        (DAY, "all", "all"): {"conversations": 1.0, "contained": 1.0},
        (DAY, "intent", "b"): {"conversations": 1.0},
    }

    assert changes(old, new) == {
        (DAY, "all", "all"): {"escalated": -1.0, "contained": 1.0},
        (DAY, "intent", "a"): {"conversations": -1.0},
        (DAY, "intent", "b"): {"conversations": 1.0},
    }
    assert changes(new, new) == {}


def test_a_change_too_big_for_one_transaction_is_refused_whole() -> None:
    store = MemoryInsightsStore()
    many = {
        (date(2026, 1, 1) + timedelta(days=n), "all", "all"): {"conversations": 1.0}
        for n in range(MAX_TRANSACT_ITEMS)
    }

    with pytest.raises(TooManyBucketChanges, match="at most 99"):
        store.save(
            "c1",
            InsightsState(),
            summary("c1"),
            expected_version=0,
            contribution=many,
            differences=many,
            at=T0,
        )
    assert store.load("c1") is None


def test_an_earlier_contact_on_the_same_intent_within_7_days_is_a_repeat() -> None:
    store = MemoryInsightsStore()
    store.add_contact("cust-1", "billing", T0 - timedelta(days=6), "old")
    store.add_contact("cust-1", "login", T0 - timedelta(days=1), "other-intent")
    store.add_contact("cust-1", "billing", T0, "this-one")

    assert store.earlier_contact("cust-1", "billing", T0)
    assert not store.earlier_contact("cust-1", "billing", T0 - timedelta(days=6))  # its own record only
    assert not store.earlier_contact("cust-1", "billing", T0 + timedelta(days=7, seconds=1))
    assert not store.earlier_contact("cust-2", "billing", T0)


def _stubbed() -> tuple[object, object, list[float]]:
    import boto3
    from botocore.stub import Stubber

    from baton.insights.store import DynamoInsightsStore

    client = boto3.client(
        "dynamodb", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    slept: list[float] = []
    return DynamoInsightsStore("t", client=client, sleep=slept.append), Stubber(client), slept


def _cancelled(stubber: object, *codes: str) -> None:
    stubber.add_client_error(  # type: ignore[attr-defined]
        "transact_write_items",
        service_error_code="TransactionCanceledException",
        modeled_fields={"CancellationReasons": [{"Code": code} for code in codes]},
    )


def test_a_transaction_conflict_is_retried_with_jitter_and_a_version_conflict_is_not() -> None:
    store, stubber, slept = _stubbed()
    change = {(DAY, "all", "all"): {"conversations": 1.0}}
    _cancelled(stubber, "None", "TransactionConflict")
    stubber.add_response("transact_write_items", {})  # type: ignore[attr-defined]
    with stubber:  # type: ignore[attr-defined]
        version = store.save(  # type: ignore[attr-defined]
            "c1",
            InsightsState(),
            summary("c1"),
            expected_version=0,
            contribution=change,
            differences=change,
            at=T0,
        )
    assert version == 1 and len(slept) == 1 and 0 < slept[0] < 0.1

    store, stubber, slept = _stubbed()
    _cancelled(stubber, "ConditionalCheckFailed", "None")
    with stubber, pytest.raises(ConcurrentUpdate):  # type: ignore[attr-defined]
        store.save(  # type: ignore[attr-defined]
            "c1",
            InsightsState(),
            summary("c1"),
            expected_version=3,
            contribution=change,
            differences=change,
            at=T0,
        )
    assert slept == []
