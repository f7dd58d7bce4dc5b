"""`missed_escalation.repeat_contact`: a conversation never escalated whose customer came back on the same intent
within 7 days (start to start) is a missed escalation; the rule pinned with event timestamps, and the feedback
service's contact records, in every order of arrival, with repeats."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from baton.adapters.memory import MemoryPublisher
from baton.events import (
    BusEvent,
    EscalationDecided,
    MessageScored,
    MessageSnapshot,
    OutcomeLabeled,
    OutcomeRecorded,
    event_id_for,
)
from baton.feedback.contacts import MemoryContactIndex, contact_sk, customer_pk
from baton.feedback.labels import ContactFact, Facts, LabelRules, label
from baton.feedback.service import FeedbackService, MemoryFeedbackStore, with_event
from baton.ingestion.memory import MemoryConversationStore
from baton.models import Customer, MessageIn

T0 = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)


def days(n: float) -> datetime:
    return T0 + timedelta(days=n)


def scored(
    cid: str,
    seq: int,
    intent: str | None,
    sent: datetime,
    *,
    customer: str = "cus-1",
    out_of_scope: bool = False,
    snapshot: bool = True,
) -> MessageScored:
    message = MessageSnapshot(
        message_id=f"{cid}-m{seq}",
        seq=seq,
        role="customer",
        text="my invoice is wrong",
        sent_at=sent,
        received_at=sent,
        source="api",
        customer=Customer(id=customer, account_id="acct-1"),
    )
    return MessageScored(
        event_id=event_id_for("MessageScored", cid, f"{cid}-m{seq}"),
        conversation_id=cid,
        seq=seq,
        message_id=f"{cid}-m{seq}",
        role="customer",
        scores={"intent": intent, "out_of_scope": out_of_scope},  # type: ignore[arg-type]
        arc={},  # type: ignore[arg-type]
        message=message if snapshot else None,
    )


def outcome(
    cid: str, kind: str, at: datetime, *, by: str = "unknown", csat: int | None = None
) -> OutcomeRecorded:
    return OutcomeRecorded(
        event_id=event_id_for("OutcomeRecorded", cid, kind, at.isoformat()),
        occurred_at=at,
        conversation_id=cid,
        source="api",
        kind=kind,  # type: ignore[arg-type]
        resolved_by=by,  # type: ignore[arg-type]
        csat=csat,
    )


def escalated(cid: str, at: datetime, seq: int = 1) -> EscalationDecided:
    return EscalationDecided(
        event_id=event_id_for("EscalationDecided", cid, f"{cid}-m{seq}"),
        conversation_id=cid,
        seq=seq,
        message_id=f"{cid}-m{seq}",
        action="escalate",
        risk=0.9,
        model_version="t",
        decided_at=at,
        sent_at=at,
    )


def contact(cid: str, intent: str, start: datetime, *, customer: str = "cus-1", seq: int = 1) -> ContactFact:
    return ContactFact(conversation_id=cid, customer_id=customer, intent=intent, started_at=start, seq=seq)


def facts_of(own: ContactFact, *others: ContactFact, events: tuple[BusEvent, ...] = ()) -> Facts:
    facts = Facts().contacted(own)
    for other in others:
        facts = facts.other_contact(other)
    for event in events:
        facts = with_event(facts, event)
    return facts


BOT_RESOLVED = (outcome("e", "resolved", days(0) + timedelta(minutes=5), by="bot"),)


# -- the rule ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("later", "expected", "rule"),
    [
        (contact("l", "billing", days(3)), "missed_escalation", "missed_escalation.repeat_contact"),
        (
            contact("l", "billing", days(7)),
            "missed_escalation",
            "missed_escalation.repeat_contact",
        ),  # 7 d: within
        (contact("l", "billing", days(7) + timedelta(minutes=1)), "contained", "contained.bot_resolved"),
        (contact("l", "account", days(1)), "contained", "contained.bot_resolved"),  # another intent
        (contact("l", "billing", days(1), customer="cus-2"), "contained", "contained.bot_resolved"),
        (
            contact("l", "billing", days(-1)),
            "contained",
            "contained.bot_resolved",
        ),  # an earlier one: not this rule
    ],
)
def test_a_later_contact_on_the_same_intent_within_7_days_is_a_missed_escalation(
    later: ContactFact, expected: str, rule: str
) -> None:
    result = label(facts_of(contact("e", "billing", days(0)), later, events=BOT_RESOLVED))
    assert (result.label, result.rule, result.rules_version) == (expected, rule, "labels-2")
    if expected == "missed_escalation":
        assert result.at == later.started_at
        assert "came back on 'billing'" in result.reason and "conversation l" in result.reason


def test_the_later_conversation_is_not_relabelled_by_the_earlier_one() -> None:
    later = facts_of(contact("l", "billing", days(3)), contact("e", "billing", days(0)))
    assert label(later).rule == "unknown.no_outcome"
    resolved = with_event(later, outcome("l", "resolved", days(3) + timedelta(minutes=5), by="bot"))
    assert label(resolved).rule == "contained.bot_resolved"


def test_no_outcome_yet_but_the_customer_came_back_is_missed() -> None:
    result = label(facts_of(contact("e", "billing", days(0)), contact("l", "billing", days(2))))
    assert (result.label, result.rule) == ("missed_escalation", "missed_escalation.repeat_contact")


def test_an_escalated_earlier_conversation_stays_a_true_or_a_false_escalation() -> None:
    own, later = contact("e", "billing", days(0)), contact("l", "billing", days(1))
    quick = (escalated("e", days(0)), outcome("e", "resolved", days(0) + timedelta(minutes=3), by="agent"))
    assert label(facts_of(own, later, events=quick)).rule == "false_escalation.quick_agent_resolution"
    slow = (escalated("e", days(0)), outcome("e", "resolved", days(0) + timedelta(hours=2), by="agent"))
    assert label(facts_of(own, later, events=slow)).rule == "true_escalation.not_false"


def test_the_missed_rules_apply_in_order_low_csat_reopen_repeat_contact() -> None:
    own, later = contact("e", "billing", days(0)), contact("l", "billing", days(1))
    resolved = outcome("e", "resolved", days(0) + timedelta(minutes=5), by="bot")
    low = outcome("e", "rated", days(0) + timedelta(minutes=6), csat=1)
    reopened = outcome("e", "reopened", days(0) + timedelta(hours=5))
    assert label(facts_of(own, later, events=(resolved, low, reopened))).rule == "missed_escalation.low_csat"
    assert label(facts_of(own, later, events=(resolved, reopened))).rule == "missed_escalation.reopened"
    assert label(facts_of(own, later, events=(resolved,))).rule == "missed_escalation.repeat_contact"


def test_the_first_later_contact_names_the_label_and_the_window_is_configurable() -> None:
    own = contact("e", "billing", days(0))
    facts = facts_of(
        own, contact("l2", "billing", days(5)), contact("l1", "billing", days(2)), events=BOT_RESOLVED
    )
    assert label(facts).at == days(2) and "conversation l1" in label(facts).reason
    narrow = label(facts, LabelRules(version="team-3", repeat_contact_days=1))
    assert (narrow.rule, narrow.rules_version) == ("contained.bot_resolved", "team-3")


def test_a_conversation_s_contact_is_its_lowest_seq_customer_message_with_an_intent() -> None:
    events = [
        scored("e", 3, "billing", days(0) + timedelta(minutes=3)),
        scored("e", 1, None, days(0)),  # no intent: says nothing
        scored("e", 2, "account", days(0) + timedelta(minutes=2)),
        scored("e", 4, "refund", days(0) + timedelta(minutes=4), out_of_scope=True),
        scored("e", 5, "refund", days(0) + timedelta(minutes=5), snapshot=False),  # an older scoring version
    ]
    results = set()
    for order in itertools.permutations(events):
        facts = Facts()
        for event in order:
            facts = with_event(facts, event)
        results.add(facts.contact)
    assert results == {contact("e", "account", days(0) + timedelta(minutes=2), seq=2)}


# -- the service -------------------------------------------------------------------------------------------------


class World:
    """The feedback service on memory stores, and what it published."""

    def __init__(self) -> None:
        self.conversations = MemoryConversationStore()
        for cid in ("e", "l", "f"):
            self.conversations.append_message(
                cid, MessageIn(message_id=f"{cid}-m0", customer=Customer(id="cus-1", account_id="acct-1"),
                               role="customer", text="hi"),
                source="api", received_at=T0,
            )  # fmt: skip
        self.publisher = MemoryPublisher()
        self.store = MemoryFeedbackStore(self.conversations)
        self.contacts = MemoryContactIndex()
        self.service = FeedbackService(self.store, self.publisher, contacts=self.contacts)

    def run(self, events: Any) -> World:
        for event in events:
            self.service.handle(event)
        return self

    def label(self, cid: str) -> tuple[str, str] | None:
        shown = self.conversations.get_conversation(cid).outcome_label
        return (shown["label"], shown["rule"]) if shown else None

    def published(self, cid: str) -> list[str]:
        return [
            e.rule
            for e in self.publisher.events
            if isinstance(e, OutcomeLabeled) and e.conversation_id == cid
        ]

    def records(self) -> set[tuple[str, str]]:
        return set(self.contacts.records)


def test_the_earlier_conversation_is_relabelled_whichever_conversation_arrives_first() -> None:
    events = [
        scored("e", 1, "billing", days(0)),
        outcome("e", "resolved", days(0) + timedelta(minutes=5), by="bot"),
        scored("l", 2, "billing", days(3) + timedelta(minutes=1)),
        scored("l", 1, "billing", days(3)),
        scored("f", 1, "account", days(1)),  # the same customer on another intent
    ]
    finals = set()
    for order in itertools.permutations(events):
        world = World().run(order)
        published = world.published("e")
        world.run(order)  # every event again: nothing changes, nothing is published again
        assert world.published("e") == published and published[-1] == "missed_escalation.repeat_contact"
        assert world.published("l") == world.published("f") == []  # contacts alone: no label
        stored = world.store.load("e")
        assert stored is not None and stored.state.label is not None
        finals.add(
            (world.label("e"), world.label("l"), world.label("f"), stored.state.label.model_dump_json())
        )
        assert world.records() == {
            (customer_pk("cus-1"), contact_sk("billing", days(0), "e")),
            (customer_pk("cus-1"), contact_sk("billing", days(3), "l")),
            (customer_pk("cus-1"), contact_sk("account", days(1), "f")),
        }
    assert len(finals) == 1
    ((e, later, other, _),) = finals
    assert (e, later, other) == (("missed_escalation", "missed_escalation.repeat_contact"), None, None)


def test_a_contact_that_moves_to_another_intent_takes_the_relabel_back_in_any_order() -> None:
    """The later conversation's seq-3 message says billing, its seq-1 message account: its contact is account, so
    the earlier billing conversation stays contained, whatever arrived first; the moved record is deleted."""
    events = [
        scored("e", 1, "billing", days(0)),
        outcome("e", "resolved", days(0) + timedelta(minutes=5), by="bot"),
        scored("l", 3, "billing", days(2) + timedelta(minutes=3)),
        scored("l", 1, "account", days(2)),
    ]
    for order in itertools.permutations(events):
        world = World().run(order).run(order)
        assert world.label("e") == ("contained", "contained.bot_resolved")
        assert world.records() == {
            (customer_pk("cus-1"), contact_sk("billing", days(0), "e")),
            (customer_pk("cus-1"), contact_sk("account", days(2), "l")),
        }
        # Never labelled, or labelled missed and then taken back: the latest published label is the stored one.
        assert world.published("e")[-1] == "contained.bot_resolved"


def test_a_taken_back_relabel_of_a_conversation_without_outcome_shows_no_label_again() -> None:
    world = World().run(
        [scored("e", 1, "billing", days(0)), scored("l", 3, "billing", days(2) + timedelta(minutes=3))]
    )
    assert world.label("e") == ("missed_escalation", "missed_escalation.repeat_contact")
    world.run([scored("l", 1, "account", days(2))])  # the later conversation was about an account after all
    assert world.label("e") is None
    assert world.published("e") == ["missed_escalation.repeat_contact", "unknown.no_outcome"]


def test_scored_messages_without_an_intent_write_nothing() -> None:
    world = World().run(
        [scored("e", 1, None, days(0)), scored("e", 2, "billing", days(0), out_of_scope=True)]
    )
    assert world.store.load("e") is None and world.records() == set()


class Failing(Exception):
    pass


class Crash:
    """Raises at its n-th call: the consumer failing there (before the call, or just after the one before)."""

    def __init__(self, at: int) -> None:
        self.at, self.calls, self.crashed = at, 0, False

    def step(self) -> None:
        self.calls += 1
        if self.calls == self.at + 1:
            self.crashed = True
            raise Failing(f"call {self.at}")


class CrashingContacts(MemoryContactIndex):
    def __init__(self, crash: Crash) -> None:
        super().__init__()
        self.crash = crash

    def put(self, contact: ContactFact, *, at: datetime) -> None:
        self.crash.step()
        super().put(contact, at=at)

    def delete(self, key: tuple[str, str]) -> None:
        self.crash.step()
        super().delete(key)

    def near(self, customer_id: str, intent: str, at: datetime, days: float) -> list[ContactFact]:
        self.crash.step()
        return super().near(customer_id, intent, at, days)


class CrashingPublisher(MemoryPublisher):
    def __init__(self, crash: Crash) -> None:
        super().__init__()
        self.crash = crash

    def publish(self, events: Sequence[BusEvent]) -> None:
        self.crash.step()
        super().publish(events)


def test_a_failure_at_any_step_retried_as_sqs_redelivers_ends_the_same() -> None:
    """Fail the n-th contact-record call or label publish, for every n: the event is delivered again, and the
    labels and the records end as without the failure."""
    events = [
        scored("e", 1, "billing", days(0)),
        outcome("e", "resolved", days(0) + timedelta(minutes=5), by="bot"),
        scored("l", 3, "billing", days(2) + timedelta(minutes=3)),
        scored("f", 1, "billing", days(4)),
        scored("l", 1, "account", days(2)),
    ]

    def outcome_of(world: World) -> tuple[Any, ...]:
        return world.label("e"), world.label("l"), world.label("f"), world.records()

    expected = outcome_of(World().run(events))
    assert expected[0] == ("missed_escalation", "missed_escalation.repeat_contact")  # f came back, not l
    for at in itertools.count():
        crash = Crash(at)
        world = World()
        world.contacts = CrashingContacts(crash)
        world.publisher = CrashingPublisher(crash)
        world.service = FeedbackService(world.store, world.publisher, contacts=world.contacts)
        for event in events:
            try:
                world.service.handle(event)
            except Failing:
                world.service.handle(event)  # redelivered
        assert outcome_of(world) == expected, f"failing at call {at}"
        if not crash.crashed:
            break  # past the last call
    assert at > 10
