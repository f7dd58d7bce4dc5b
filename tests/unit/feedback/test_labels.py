"""Every label rule pinned with event timestamps; labels depend on the events only, in any order; a late
outcome relabels."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from baton.adapters.memory import MemoryPublisher
from baton.events import (
    EscalationDecided,
    HandoffPrepared,
    MessageReceived,
    MessageSnapshot,
    OutcomeLabeled,
    OutcomeRecorded,
    event_id_for,
)
from baton.feedback.labels import Facts, LabelRules, label
from baton.feedback.service import FeedbackService, MemoryFeedbackStore, with_event
from baton.ingestion.memory import MemoryConversationStore
from baton.models import Customer, MessageIn

T0 = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
CUSTOMER = Customer(id="cus-1", account_id="acct-1")


def minutes(n: float) -> datetime:
    return T0 + timedelta(minutes=n)


def escalated(at: datetime, seq: int = 2) -> EscalationDecided:
    return EscalationDecided(
        event_id=event_id_for("EscalationDecided", "c1", f"m{seq}"),
        conversation_id="c1",
        seq=seq,
        message_id=f"m{seq}",
        action="escalate",
        risk=0.9,
        model_version="t",
        decided_at=at,
    )


def agent_says(message_id: str, at: datetime, seq: int = 3) -> MessageReceived:
    return MessageReceived(
        event_id=event_id_for("MessageReceived", "c1", message_id),
        conversation_id="c1",
        seq=seq,
        message=MessageSnapshot(
            message_id=message_id,
            seq=seq,
            role="agent",
            text="on it",
            source="api",
            sent_at=at,
            received_at=at,
            customer=CUSTOMER,
        ),
    )


def outcome(kind: str, at: datetime, *, by: str = "unknown", csat: int | None = None) -> OutcomeRecorded:
    return OutcomeRecorded(
        event_id=event_id_for("OutcomeRecorded", "c1", kind, at.isoformat()),
        occurred_at=at,
        conversation_id="c1",
        source="api",
        kind=kind,  # type: ignore[arg-type]
        resolved_by=by,  # type: ignore[arg-type]
        csat=csat,
    )


def facts(*events: Any) -> Facts:
    result = Facts()
    for event in events:
        result = with_event(result, event)
    return result


@pytest.mark.parametrize(
    ("events", "expected", "rule"),
    [
        (
            [
                escalated(minutes(0)),
                agent_says("a1", minutes(1)),
                outcome("resolved", minutes(3), by="agent"),
            ],
            "false_escalation",
            "false_escalation.quick_agent_resolution",
        ),
        (
            [escalated(minutes(0)), outcome("resolved", minutes(12), by="agent")],
            "true_escalation",
            "true_escalation.not_false",
        ),
        (
            [
                escalated(minutes(0)),
                agent_says("a1", minutes(1)),
                agent_says("a2", minutes(2), seq=4),
                outcome("resolved", minutes(4), by="agent"),
            ],
            "true_escalation",
            "true_escalation.not_false",
        ),
        (
            [
                escalated(minutes(0)),
                outcome("resolved", minutes(3), by="agent"),
                outcome("rated", minutes(9), csat=2),
            ],
            "true_escalation",
            "true_escalation.not_false",
        ),
        ([escalated(minutes(0))], "unknown", "unknown.no_outcome"),
        (
            [outcome("resolved", minutes(5), by="bot"), outcome("rated", minutes(6), csat=1)],
            "missed_escalation",
            "missed_escalation.low_csat",
        ),
        (
            [outcome("resolved", minutes(5), by="bot"), outcome("reopened", minutes(5 + 48 * 60))],
            "missed_escalation",
            "missed_escalation.reopened",
        ),
        (
            [outcome("resolved", minutes(5), by="bot"), outcome("reopened", minutes(5 + 100 * 60))],
            "contained",
            "contained.bot_resolved",
        ),
        (
            [outcome("resolved", minutes(5), by="bot"), outcome("rated", minutes(6), csat=5)],
            "contained",
            "contained.bot_resolved",
        ),
        ([outcome("closed", minutes(5), by="agent")], "unknown", "unknown.resolved_by_agent"),
        ([], "unknown", "unknown.no_outcome"),
    ],
)
def test_each_rule(events: list[Any], expected: str, rule: str) -> None:
    result = label(facts(*events))
    assert (result.label, result.rule, result.rules_version) == (expected, rule, "labels-2")


def test_the_label_depends_on_the_events_not_their_order_nor_repeats() -> None:
    events = [
        escalated(minutes(0)),
        escalated(minutes(2), seq=4),  # a later decision of the same escalation
        agent_says("a1", minutes(1)),
        outcome("resolved", minutes(3), by="agent"),
    ]
    labels = {label(facts(*order)).model_dump_json() for order in itertools.permutations(events)}
    labels.add(label(facts(*events, *events)).model_dump_json())
    assert len(labels) == 1


def test_the_rules_are_configurable() -> None:
    events = [escalated(minutes(0)), outcome("resolved", minutes(8), by="agent")]
    assert label(facts(*events)).label == "true_escalation"
    relaxed = label(facts(*events), LabelRules(version="team-2", false_escalation_minutes=10))
    assert (relaxed.label, relaxed.rules_version) == ("false_escalation", "team-2")


def test_the_service_stores_the_label_on_the_conversation_and_relabels_on_a_late_outcome() -> None:
    conversations = MemoryConversationStore()
    conversations.append_message(
        "c1",
        MessageIn(message_id="m1", customer=CUSTOMER, role="customer", text="hi"),
        source="api",
        received_at=T0,
    )
    publisher = MemoryPublisher()
    service = FeedbackService(MemoryFeedbackStore(conversations), publisher)
    for event in (outcome("resolved", minutes(5), by="bot"), outcome("resolved", minutes(5), by="bot")):
        service.handle(event)
    assert conversations.get_conversation("c1").outcome_label["label"] == "contained"
    service.handle(outcome("reopened", minutes(60)))  # late: the customer came back
    shown = conversations.get_conversation("c1").outcome_label
    assert (shown["label"], shown["rule"]) == ("missed_escalation", "missed_escalation.reopened")
    published = [e.label for e in publisher.events if isinstance(e, OutcomeLabeled)]
    assert published == ["contained", "missed_escalation"]  # once per change, none for the duplicate


def test_an_assignment_or_a_customer_message_never_changes_the_label_by_itself() -> None:
    before = facts(escalated(minutes(0)))
    prepared = HandoffPrepared.model_construct(
        conversation_id="c1", assignment=None
    )  # queued: no assignment yet
    assert with_event(before, prepared) == before
