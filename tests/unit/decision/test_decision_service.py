"""The decision use case end to end in memory: MessageScored (from the scoring service on fake models) in,
context looked up, decided in order and once, EscalationDecided out; the conversation shows the decision
and its status follows it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from baton.adapters.memory import MemoryPublisher
from baton.context.models import Account, Incident
from baton.context.store import MemoryContextStore
from baton.decision.params import load_default
from baton.decision.service import decision_consumer
from baton.decision.store import MemoryDecisionStore
from baton.errors import OutOfOrder
from baton.events import EscalationDecided, MessageScored
from baton.ingestion.memory import MemoryConversationStore
from baton.models import ConversationStatus, MessageIn, Outcome, View
from baton.scoring.fakes import CUSTOMER, T0, conversation, fake_models, received
from baton.scoring.scorer import Scorer
from baton.scoring.service import scoring_consumer
from baton.scoring.store import MemoryArcStore


def scored(*turns: tuple[Any, ...], conversation_id: str = "conv-1") -> list[MessageScored]:
    """What the scoring service publishes for these turns (fake models), in order."""
    publisher = MemoryPublisher()
    scoring = scoring_consumer(Scorer(fake_models()), MemoryArcStore(), publisher, clock=lambda: T0)
    for message in conversation(*turns):
        scoring.handle(received(message, conversation_id))
    return [e for e in publisher.events if isinstance(e, MessageScored)]


@pytest.fixture
def contexts() -> MemoryContextStore:
    return MemoryContextStore()


@pytest.fixture
def decisions() -> MemoryDecisionStore:
    return MemoryDecisionStore()


@pytest.fixture
def service(contexts, decisions, publisher) -> decision_consumer:
    return decision_consumer(
        load_default, contexts, decisions, publisher, clock=lambda: T0, sleep=lambda s: None
    )


def decided(publisher: MemoryPublisher) -> list[EscalationDecided]:
    return [e for e in publisher.events if isinstance(e, EscalationDecided)]


def test_customer_messages_are_decided_and_bot_messages_only_move_the_state_on(
    service, publisher, decisions
) -> None:
    events = scored(
        ("customer", "Hi, where can I download my invoices?"), ("bot", "Under Settings > Billing.", 0.9)
    )
    assert service.handle(events[0]).outcome == "applied"
    assert service.handle(events[1]).outcome == "skipped"
    (event,) = decided(publisher)
    assert (event.seq, event.message_id, event.action) == (1, "m1", "resolve")
    assert event.model_version == load_default().version
    stored = decisions.load("conv-1")
    assert stored.state.last_seq == 2 and stored.event == event


def test_a_message_is_decided_once_and_a_redelivery_republishes_the_same_event(service, publisher) -> None:
    (first,) = scored(("customer", "Can I talk to a real person please?"))
    handled = service.handle(first)
    again = service.handle(first)
    assert again.outcome == "duplicate"
    events = decided(publisher)
    assert len(events) == 2 and events[0] == events[1] == handled.event  # same id: consumers de-duplicate
    assert handled.event.action == "escalate" and handled.event.guardrail == "human_requested"


def test_a_message_ahead_of_its_predecessor_waits_then_goes_on_when_told(service, publisher) -> None:
    events = scored(("customer", "Hello"), ("bot", "Hi!", 0.9), ("customer", "Can I get a refund?"))
    with pytest.raises(OutOfOrder):
        service.handle(events[2])
    handled = service.handle(events[2], stop_waiting=True)
    assert handled.outcome == "applied" and handled.skipped == 2
    assert service.handle(events[0]).outcome == "duplicate"  # too late: the state went on without it


def test_business_context_is_looked_up_for_the_customers_account(service, contexts, publisher) -> None:
    contexts.put_incident(
        Incident(id="INC-42", title="Refunds delayed", keywords=["refund"], eta="16:00 UTC"), at=T0
    )
    contexts.put_account(
        Account(id=CUSTOMER.account_id, annual_value=250_000, renewal_date=(T0 + timedelta(days=12)).date()),
        at=T0,
    )
    (event,) = [service.handle(e).event for e in scored(("customer", "Where is my refund?"))]
    codes = [r.code for r in event.reasons]
    assert "renewal_soon" in codes and "known_incident" in codes
    incident = event.model_dump(mode="json")["incidents"][0]
    assert (incident["id"], incident["eta"]) == ("INC-42", "16:00 UTC")


def test_the_conversation_shows_the_decision_and_its_status_until_the_helpdesk_moves_it_on(
    contexts, publisher
) -> None:
    conversations = MemoryConversationStore()
    conversations.append_message(
        "conv-1",
        MessageIn(message_id="m1", customer=CUSTOMER, role="customer", text="hi"),
        source="api",
        received_at=T0,
    )
    service = decision_consumer(
        load_default, contexts, MemoryDecisionStore(conversations), publisher, clock=lambda: T0
    )
    service.handle(scored(("customer", "I want to speak to a human agent now"))[0])
    shown = conversations.get_conversation("conv-1")
    assert shown.status == ConversationStatus.escalated
    assert shown.decision.action == "escalate" and shown.decision.guardrail == "human_requested"
    assert shown.decision.reasons[0].code == "human_requested"
    conversations.record_outcome(
        "conv-1", Outcome(kind="resolved", at=T0), ConversationStatus.resolved, source="api", at=T0
    )
    conversations.show(
        "conv-1",
        View(
            capability="decision",
            fields={"decision": shown.decision.model_dump(mode="json")},
            status=ConversationStatus.escalated,
            rank=10,
        ),
    )
    assert conversations.get_conversation("conv-1").status == ConversationStatus.resolved


def test_the_page_the_customer_is_on_and_the_errors_it_showed_count_as_activity(contexts, publisher) -> None:
    from baton.decision.service import with_page
    from baton.models import Page, RecentAction
    from baton.scoring.fakes import snapshot

    contexts.put_incident(Incident(id="INC-9", title="Exports time out", keywords=["E504"]), at=T0)
    page = Page(
        url="https://app.example.com/reports/export",
        recent_actions=[
            RecentAction(type="clicked_export", at=T0 - timedelta(minutes=2)),
            RecentAction(type="error_shown", at=T0 - timedelta(minutes=1), detail="E504 gateway timeout"),
        ],
    )
    long_type = Page(url="/x", recent_actions=[RecentAction(type="export_error_" + "x" * 240, at=T0)])
    assert len(with_page(contexts.context(None, None, now=T0), snapshot(1, "customer", "hm", page=long_type))
               .activity.errors_seen[0].code) == 128  # fmt: skip
    message = snapshot(1, "customer", "it does not work", page=page)
    context = with_page(contexts.context("acct", "cus", now=T0), message)
    assert context.activity.page == page.url
    assert context.activity.recent_actions == ["clicked_export", "error_shown"]
    assert [(e.code, e.message) for e in context.activity.errors_seen] == [
        ("error_shown", "E504 gateway timeout")
    ]

    scoring_publisher = MemoryPublisher()
    scoring_consumer(Scorer(fake_models()), MemoryArcStore(), scoring_publisher, clock=lambda: T0).handle(
        received(message)
    )
    (event,) = scoring_publisher.of_type("MessageScored")
    service = decision_consumer(load_default, contexts, MemoryDecisionStore(), publisher, clock=lambda: T0)
    decided_event = service.handle(event).event
    assert [m["id"] for m in decided_event.model_dump(mode="json")["incidents"]] == ["INC-9"]  # via the error


def test_an_incident_whose_eta_has_passed_says_so(contexts, publisher) -> None:
    contexts.put_incident(
        Incident(
            id="INC-5",
            title="Refunds delayed",
            keywords=["refund"],
            eta=(T0 - timedelta(hours=2)).isoformat(),
        ),
        at=T0,
    )
    service = decision_consumer(load_default, contexts, MemoryDecisionStore(), publisher, clock=lambda: T0)
    event = service.handle(scored(("customer", "Where is my refund?"))[0]).event
    (incident,) = event.model_dump(mode="json")["incidents"]
    assert incident["eta_passed"] is True
    (reason,) = [r for r in event.reasons if r.code == "known_incident"]
    assert reason.evidence.endswith(", passed)")
