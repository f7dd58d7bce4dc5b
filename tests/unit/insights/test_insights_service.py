"""The insights consumer's logic on memory fakes: a conversation's events -> its summary, listed and counted in
the KPI buckets; the segment and repeat-contact lookups; replays write nothing; a lost race is retried; the clock's
figures. What the summary and the KPIs say is pinned in A1's tests (facts, buckets, kpis): here, that the service
stores them whole and keeps the buckets equal to the sum of the summaries."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from baton.context.models import Account
from baton.context.store import MemoryContextStore
from baton.errors import ConcurrentUpdate
from baton.events import (
    Arc,
    EscalationDecided,
    MessageReceived,
    MessageScored,
    MessageSnapshot,
    OutcomeLabeled,
    OutcomeRecorded,
    Scores,
    event_id_for,
)
from baton.insights.buckets import contribution
from baton.insights.service import InsightsService
from baton.insights.store import MemoryInsightsStore
from baton.models import Customer

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
DAY = T0.date()


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def snapshot(
    conversation: str, seq: int, when: datetime, role: str = "customer", customer: str = "cus-1"
) -> MessageSnapshot:
    return MessageSnapshot(
        message_id=f"m{seq}",
        seq=seq,
        role=role,  # type: ignore[arg-type]
        text="hello",
        source="api",
        sent_at=when,
        received_at=when,
        customer=Customer(id=customer, account_id="acct-1"),
    )


def received(conversation: str, seq: int, when: datetime, **kwargs: Any) -> MessageReceived:
    return MessageReceived(
        event_id=event_id_for("MessageReceived", conversation, f"m{seq}"),
        conversation_id=conversation,
        seq=seq,
        message=snapshot(conversation, seq, when, **kwargs),
    )


def scored(
    conversation: str, seq: int, when: datetime, intent: str = "billing.refund", customer: str = "cus-1"
) -> MessageScored:
    return MessageScored(
        event_id=event_id_for("MessageScored", conversation, f"m{seq}"),
        conversation_id=conversation,
        seq=seq,
        message_id=f"m{seq}",
        role="customer",
        scores=Scores(intent=intent, intent_confidence=0.9, out_of_scope=False, product_area="billing"),
        arc=Arc(),
        message=snapshot(conversation, seq, when, customer=customer),
    )


def escalated(conversation: str, seq: int, when: datetime) -> EscalationDecided:
    return EscalationDecided(
        event_id=event_id_for("EscalationDecided", conversation, f"m{seq}"),
        conversation_id=conversation,
        seq=seq,
        message_id=f"m{seq}",
        action="escalate",
        risk=0.9,
        model_version="t",
        decided_at=when,
        sent_at=when,
    )


def resolved(conversation: str, when: datetime) -> OutcomeRecorded:
    return OutcomeRecorded(
        event_id=event_id_for("OutcomeRecorded", conversation, "resolved", when.isoformat()),
        occurred_at=when,
        conversation_id=conversation,
        source="api",
        kind="resolved",
        resolved_by="agent",
    )


def labeled(conversation: str, label: str, when: datetime) -> OutcomeLabeled:
    return OutcomeLabeled(
        event_id=event_id_for("OutcomeLabeled", conversation, label),
        occurred_at=when,
        conversation_id=conversation,
        label=label,  # type: ignore[arg-type]
        rule=f"{label}.rule",
        reason="test",
        rules_version="1",
        at=when,
    )


def conversation_events(conversation: str) -> list[Any]:
    return [
        received(conversation, 1, at(0)),
        scored(conversation, 1, at(0)),
        received(conversation, 2, at(1)),
        escalated(conversation, 2, at(1)),
        resolved(conversation, at(5)),
        labeled(conversation, "false_escalation", at(5)),
        labeled(conversation, "true_escalation", at(6)),
    ]


@pytest.fixture
def store() -> MemoryInsightsStore:
    return MemoryInsightsStore()


@pytest.fixture
def context() -> MemoryContextStore:
    context = MemoryContextStore()
    context.put_account(Account(id="acct-1", plan="pro", segment="enterprise"), at=T0)
    return context


def bucket_sums(store: MemoryInsightsStore) -> dict[tuple[str, str], dict[str, float]]:
    return {
        (b.dimension, b.value): b.counters
        for b in store.buckets(DAY - timedelta(days=1), DAY + timedelta(days=1))
    }


def expected_sums(store: MemoryInsightsStore) -> dict[tuple[str, str], dict[str, float]]:
    """The sum of the stored summaries' contributions, computed from the summaries the list shows."""
    total: dict[tuple[str, str], dict[str, float]] = {}
    for summary in store.list_conversations(limit=100).conversations:
        for (_, dimension, value), counters in contribution(summary).items():
            sums = total.setdefault((dimension, value), {})
            for name, number in counters.items():
                sums[name] = round(sums.get(name, 0.0) + number, 6)
    return {key: {k: v for k, v in counters.items() if v} for key, counters in total.items()}


def test_a_conversations_events_make_its_summary_and_its_buckets(
    store: MemoryInsightsStore, context: MemoryContextStore
) -> None:
    service = InsightsService(store, context)
    for event in conversation_events("c1"):
        service.handle(event)

    [summary] = store.list_conversations().conversations
    assert (summary.conversation_id, summary.status, summary.segment) == ("c1", "resolved", "enterprise")
    assert (summary.intent, summary.label, summary.escalated_at) == (
        "billing.refund",
        "true_escalation",
        at(1),
    )
    sums = bucket_sums(store)
    assert sums == expected_sums(store)
    assert sums[("all", "all")]["conversations"] == 1 and sums[("all", "all")]["label_true_escalation"] == 1
    assert "label_false_escalation" not in {k for k, v in sums[("all", "all")].items() if v}


def test_any_order_and_any_repeat_give_the_same_summary_and_buckets(context: MemoryContextStore) -> None:
    events = conversation_events("c1")
    results = []
    for order in [events, events[::-1], [*events[3:], *events, *events[:4]]]:
        store = MemoryInsightsStore()
        service = InsightsService(store, context)
        for event in order:
            service.handle(event)
        results.append((store.list_conversations().conversations, bucket_sums(store)))
    assert results[0] == results[1] == results[2]


def test_an_event_that_changes_nothing_writes_nothing(
    store: MemoryInsightsStore, context: MemoryContextStore
) -> None:
    service = InsightsService(store, context)
    events = conversation_events("c1")
    for event in events:
        service.handle(event)
    saves = store.saves

    assert [service.handle(event) for event in events] == [None] * len(events)
    assert store.saves == saves


def test_the_segment_is_looked_up_once_and_falls_back_to_the_plan(store: MemoryInsightsStore) -> None:
    lookups: list[str | None] = []

    class Counting(MemoryContextStore):
        def context(self, account_id: str | None, customer_id: str | None, *, now: datetime) -> Any:
            lookups.append(account_id)
            return super().context(account_id, customer_id, now=now)

    context = Counting()
    context.put_account(Account(id="acct-1", plan="pro"), at=T0)
    service = InsightsService(store, context)
    for event in conversation_events("c1"):
        service.handle(event)

    assert lookups == ["acct-1"]
    assert store.list_conversations().conversations[0].segment == "pro"


def test_a_customer_back_on_the_same_intent_within_7_days_is_a_repeat_contact(
    store: MemoryInsightsStore,
) -> None:
    service = InsightsService(store)
    store.add_contact("cus-1", "billing.refund", at(0) - timedelta(days=3), "earlier")
    for event in [received("c1", 1, at(0)), scored("c1", 1, at(0))]:
        service.handle(event)
    # Another customer, and the same customer on another intent: no repeat.
    for event in [received("c2", 1, at(0), customer="cus-2"), scored("c2", 1, at(0), customer="cus-2")]:
        service.handle(event)
    for event in [received("c3", 1, at(0)), scored("c3", 1, at(0), intent="account.login")]:
        service.handle(event)

    repeats = {s.conversation_id: s.repeat_contact for s in store.list_conversations().conversations}
    assert repeats == {"c1": True, "c2": False, "c3": False}
    assert bucket_sums(store)[("all", "all")]["repeat_contacts"] == 1


def test_a_contact_record_written_after_the_first_events_still_makes_a_repeat(
    store: MemoryInsightsStore,
) -> None:
    service = InsightsService(store)
    service.handle(received("c1", 1, at(0)))
    service.handle(scored("c1", 1, at(0)))
    assert not store.list_conversations().conversations[0].repeat_contact

    store.add_contact(
        "cus-1", "billing.refund", at(0) - timedelta(days=1), "earlier"
    )  # the feedback consumer, late
    service.handle(received("c1", 2, at(1)))

    assert store.list_conversations().conversations[0].repeat_contact


def test_a_lost_race_is_applied_again_on_the_new_version(store: MemoryInsightsStore) -> None:
    service = InsightsService(store)
    service.handle(received("c1", 1, at(0)))
    real_save = store.save
    calls = itertools.count()

    def racing_save(*args: Any, **kwargs: Any) -> int:
        if next(calls) == 0:  # another event lands between this one's read and its write
            InsightsService(store).handle(escalated("c1", 2, at(1)))
        return real_save(*args, **kwargs)

    store.save = racing_save  # type: ignore[method-assign]
    service.handle(resolved("c1", at(5)))

    [summary] = store.list_conversations().conversations
    assert (summary.status, summary.escalated_at) == ("resolved", at(1))
    assert bucket_sums(store) == expected_sums(store)


def test_a_summary_that_keeps_changing_fails_the_record_for_a_retry(store: MemoryInsightsStore) -> None:
    service = InsightsService(store)

    def always_stale(*args: Any, **kwargs: Any) -> int:
        raise ConcurrentUpdate("stale")

    store.save = always_stale  # type: ignore[method-assign]
    with pytest.raises(ConcurrentUpdate, match="kept changing"):
        service.handle(received("c1", 1, at(0)))


def test_buckets_equal_the_sum_of_summaries_across_many_conversations_and_relabels(
    store: MemoryInsightsStore, context: MemoryContextStore
) -> None:
    service = InsightsService(store, context)
    for n in range(30):
        events = conversation_events(f"c{n}")
        if n % 2:
            events = events[:3]  # never escalated
        for event in events:
            service.handle(event)

    assert bucket_sums(store) == expected_sums(store)
    assert bucket_sums(store)[("all", "all")]["conversations"] == 30


def test_the_clock_measures_the_last_weeks_escalation_rate_and_its_drift(store: MemoryInsightsStore) -> None:
    now = datetime(2026, 11, 16, 12, 0, tzinfo=UTC)
    service = InsightsService(store, clock=lambda: now)
    for n in range(40):
        last_week = n < 20
        start = now - timedelta(days=10 if last_week else 2, minutes=n)
        events = [received(f"c{n}", 1, start)]
        if (last_week and n < 2) or (not last_week and n < 30):  # 10 % then 50 % escalated
            events.append(escalated(f"c{n}", 1, start))
        for event in events:
            service.handle(event)

    tick = service.tick()

    assert tick.metrics() == {"EscalationRate": 50.0, "EscalationRateDriftPts": 40.0}
    assert tick.kpis.totals.conversations == 40


def test_the_clock_reports_no_drift_on_too_few_conversations_and_nothing_on_none(
    store: MemoryInsightsStore,
) -> None:
    now = datetime(2026, 11, 16, 12, 0, tzinfo=UTC)
    service = InsightsService(store, clock=lambda: now)
    assert service.tick().metrics() == {}

    service.handle(received("c1", 1, now - timedelta(days=1)))
    service.handle(escalated("c1", 1, now - timedelta(days=1)))
    service.handle(received("c2", 1, now - timedelta(days=9)))
    assert service.tick().metrics() == {"EscalationRate": 100.0}
