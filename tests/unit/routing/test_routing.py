"""Routing end to end on the in-memory stores: an escalation reaches an eligible agent (or waits), assignments
explain themselves, capacity that frees up is used at once, hand-backs and reopens, and the bot's pause."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from baton.adapters.memory import MemoryPublisher
from baton.context.store import MemoryContextStore
from baton.events import (
    AgentStatusChanged,
    EscalationDecided,
    HandedBack,
    HandoffPrepared,
    OutcomeRecorded,
    event_id_for,
)
from baton.handoff import Agent
from baton.ingestion.memory import MemoryConversationStore
from baton.models import ConversationStatus, Customer, MessageIn, Reason, View
from baton.routing.directory import MemoryAgentDirectory
from baton.routing.packet import build_packet
from baton.routing.service import Dispatcher, Router, routing_consumer
from baton.routing.store import MemoryRoutingStore

T0 = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def conversations() -> MemoryConversationStore:
    return MemoryConversationStore()


@pytest.fixture
def directory() -> MemoryAgentDirectory:
    return MemoryAgentDirectory()


@pytest.fixture
def world(conversations, directory, publisher: MemoryPublisher, clock: Clock) -> Any:
    router = Router(directory)
    routing = routing_consumer(
        router,
        MemoryRoutingStore(conversations),
        publisher,
        conversations,
        MemoryContextStore(),
        lambda conversation, escalation, context, now: build_packet(
            conversation, escalation, context, now=now
        ),
        conversations,
        clock=clock,
    )
    dispatcher = Dispatcher(router, routing, publisher, clock=clock)

    class World:
        pass

    w = World()
    w.routing, w.dispatcher, w.router = routing, dispatcher, router  # type: ignore[attr-defined]
    return w


def agent(agent_id: str, **kw: Any) -> Agent:
    base: dict[str, Any] = {
        "id": agent_id,
        "name": agent_id.title(),
        "languages": ["en"],
        "product_areas": ["billing"],
        "skills": ["billing"],
        "capacity": 2,
        "status": "online",
    }
    return Agent.model_validate(base | kw)


def escalate(
    conversations: MemoryConversationStore,
    conversation_id: str,
    *,
    language: str | None = "en",
    text: str = "I was charged twice for invoice INV-2024-0042, I want a human now",
    at: datetime = T0,
    seq_offset: int = 0,
) -> EscalationDecided:
    """A customer message stored, and the decision that escalates on it."""
    customer = Customer(id=f"cus-{conversation_id}", account_id="acct-1", language=language)
    stored = conversations.append_message(
        conversation_id,
        MessageIn(message_id=f"m{seq_offset + 1}", customer=customer, role="customer", text=text),
        source="api",
        received_at=at,
    ).message
    scores = {"message_id": stored.message_id, "seq": stored.seq, "intent": "double_charge",
              "product_area": "billing", "skill": "billing", "sentiment": -0.6, "frustration": 0.8}  # fmt: skip
    conversations.show(conversation_id, View(capability="scoring", fields={"scores": scores}))
    return EscalationDecided(
        event_id=event_id_for("EscalationDecided", conversation_id, stored.message_id),
        occurred_at=at,
        conversation_id=conversation_id,
        seq=stored.seq,
        message_id=stored.message_id,
        action="escalate",
        risk=0.8,
        reasons=[
            Reason(code="human_requested", label="Asked for a person", contribution=1.0, evidence="a human")
        ],
        guardrail="human_requested",
        model_version="test",
    )


def prepared(publisher: MemoryPublisher) -> list[HandoffPrepared]:
    return [e for e in publisher.events if isinstance(e, HandoffPrepared)]


def test_an_escalation_is_assigned_to_an_eligible_agent_and_explains_why(
    world, conversations, directory, publisher
) -> None:
    directory.put_agent(agent("maya", languages=["en", "es"]), at=T0)
    world.routing.handle(escalate(conversations, "c1"))
    shown = conversations.get_conversation("c1")
    assert shown.status == ConversationStatus.assigned
    assert shown.assignment["state"] == "assigned" and shown.assignment["agent_id"] == "maya"
    assert "speaks en" in shown.assignment["reasons"]
    assert any(r.startswith("load 0/2") for r in shown.assignment["reasons"])
    assert shown.bot["paused"] is True and shown.handoff["why"]["guardrail"] == "human_requested"
    (event,) = prepared(publisher)
    assert event.assignment is not None and event.assignment.agent_id == "maya"
    assert directory.agent("maya").load == 1


def test_a_redelivered_escalation_is_routed_once(world, conversations, directory, publisher) -> None:
    directory.put_agent(agent("maya"), at=T0)
    event = escalate(conversations, "c1")
    world.routing.handle(event)
    world.routing.handle(event)
    assert directory.agent("maya").load == 1 and len(directory.open_assignments()) == 1
    assert len({e.event_id for e in prepared(publisher)}) == 1


def test_nobody_eligible_queues_and_the_agent_coming_online_takes_it(
    world, conversations, directory, publisher, clock
) -> None:
    directory.put_agent(agent("maya", status="offline"), at=T0)
    world.routing.handle(escalate(conversations, "c1"))
    shown = conversations.get_conversation("c1")
    assert (shown.status, shown.assignment["state"]) == (ConversationStatus.queued, "queued")
    assert prepared(publisher)[-1].assignment is None
    clock.advance(5)
    drained = world.dispatcher.handle(AgentStatusChanged(event_id="s1", agent_id="maya", status="online"))
    assert drained.assigned == 1
    shown = conversations.get_conversation("c1")
    assert (shown.status, shown.assignment["agent_id"]) == (ConversationStatus.assigned, "maya")
    assert prepared(publisher)[-1].assignment.agent_id == "maya"


def test_capacity_is_never_exceeded_and_a_hand_back_frees_it_for_the_waiting(
    world, conversations, directory
) -> None:
    directory.put_agent(agent("maya", capacity=1), at=T0)
    world.routing.handle(escalate(conversations, "c1"))
    world.routing.handle(escalate(conversations, "c2"))
    assert conversations.get_conversation("c2").status == ConversationStatus.queued
    assert directory.agent("maya").load == 1
    world.dispatcher.handle(HandedBack(event_id="h1", conversation_id="c1", agent_id="maya"))
    first, second = conversations.get_conversation("c1"), conversations.get_conversation("c2")
    assert first.bot["paused"] is False and first.assignment["state"] == "handed_back"
    assert second.assignment["agent_id"] == "maya" and directory.agent("maya").load == 1


def test_a_resolved_conversation_frees_its_agent(world, conversations, directory) -> None:
    directory.put_agent(agent("maya", capacity=1), at=T0)
    world.routing.handle(escalate(conversations, "c1"))
    world.dispatcher.handle(
        OutcomeRecorded(
            event_id="o1", conversation_id="c1", kind="resolved", resolved_by="agent", source="api"
        )
    )
    assert directory.agent("maya").load == 0


def test_language_is_a_hard_rule_while_a_speaker_is_online(world, conversations, directory) -> None:
    directory.put_agent(agent("lucia", languages=["es"], capacity=1), at=T0)
    directory.put_agent(agent("tom", languages=["en"]), at=T0)
    world.routing.handle(escalate(conversations, "c1", language="es"))
    world.routing.handle(escalate(conversations, "c2", language="es-MX"))
    assert conversations.get_conversation("c1").assignment["agent_id"] == "lucia"
    assert (
        conversations.get_conversation("c2").assignment["state"] == "queued"
    )  # lucia is full; tom speaks no es
    directory.set_status("lucia", "offline", at=T0)
    world.routing.handle(escalate(conversations, "c3", language="es"))
    shown = conversations.get_conversation("c3")
    assert shown.assignment["agent_id"] == "tom"
    assert "no agent online speaks es" in shown.assignment["reasons"]


def test_preferences_relax_after_30_then_60_seconds(world, conversations, directory, clock) -> None:
    # The escalation is about billing; the only free agent covers technical questions.
    directory.put_agent(agent("jonas", product_areas=["technical"], skills=["technical"]), at=T0)
    world.routing.handle(escalate(conversations, "c1"))
    assert conversations.get_conversation("c1").assignment["state"] == "queued"
    world.dispatcher.drain(clock.advance(31))  # area only: jonas does not cover billing
    assert conversations.get_conversation("c1").assignment["state"] == "queued"
    world.dispatcher.drain(clock.advance(30))  # any eligible agent
    shown = conversations.get_conversation("c1")
    assert shown.assignment["agent_id"] == "jonas" and shown.assignment["step"] == 2
    assert any("relaxed after 60 s" in r for r in shown.assignment["reasons"])


def test_ties_go_to_the_longest_idle_agent(world, conversations, directory, clock) -> None:
    directory.put_agent(agent("ann"), at=T0)
    directory.put_agent(agent("bob"), at=T0 - timedelta(minutes=10))  # idle longer
    world.routing.handle(escalate(conversations, "c1"))
    world.routing.handle(escalate(conversations, "c2"))
    assert [conversations.get_conversation(c).assignment["agent_id"] for c in ("c1", "c2")] == ["bob", "ann"]


def test_the_waiting_are_served_by_priority(world, conversations, directory, clock) -> None:
    directory.put_agent(agent("maya", capacity=1, status="offline"), at=T0)
    calm = escalate(conversations, "calm")
    urgent = escalate(conversations, "urgent").model_copy(update={"risk": 0.99})
    world.routing.handle(calm.model_copy(update={"risk": 0.3}))
    world.routing.handle(urgent)
    world.dispatcher.handle(AgentStatusChanged(event_id="s1", agent_id="maya", status="online"))
    assert conversations.get_conversation("urgent").assignment["agent_id"] == "maya"
    assert conversations.get_conversation("calm").assignment["state"] == "queued"


def test_a_drain_with_no_capacity_reads_the_same_whatever_the_queue(
    world, conversations, directory, clock, monkeypatch
) -> None:
    # `baton local` drains every second: with hundreds waiting and nobody free, reading two items per waiting
    # escalation made hundreds of DynamoDB reads a second.
    directory.put_agent(agent("maya", capacity=1), at=T0)
    for i in range(30):
        world.routing.handle(escalate(conversations, f"c{i}"))
    reads: list[str] = []
    for name in ("agents", "agent", "assignment", "waiting"):
        method = getattr(directory, name)
        monkeypatch.setattr(
            directory, name, lambda *a, _m=method, _n=name, **k: reads.append(_n) or _m(*a, **k)
        )
    drained = world.dispatcher.drain(clock.advance(1))
    assert (drained.assigned, drained.waiting) == (0, 29)
    assert sorted(reads) == ["agents", "waiting"]
    world.dispatcher.handle(HandedBack(event_id="h1", conversation_id="c0", agent_id="maya"))
    assert directory.agent("maya").load == 1
    assert (
        sum(conversations.get_conversation(f"c{i}").assignment["state"] == "assigned" for i in range(30)) == 1
    )


def test_a_reopened_conversation_goes_back_to_its_agent_only_when_they_can_take_it(
    world, conversations, directory
) -> None:
    directory.put_agent(agent("maya", capacity=1), at=T0)
    directory.put_agent(agent("ann", capacity=1), at=T0 + timedelta(seconds=1))
    world.routing.handle(escalate(conversations, "c1"))
    assert conversations.get_conversation("c1").assignment["agent_id"] == "maya"
    world.dispatcher.handle(
        OutcomeRecorded(event_id="o1", conversation_id="c1", kind="resolved", source="api")
    )
    world.dispatcher.handle(
        OutcomeRecorded(event_id="o2", conversation_id="c1", kind="reopened", source="api")
    )
    assert conversations.get_conversation("c1").assignment["agent_id"] == "maya"
    # Resolved again; maya takes another conversation (she has been idle longest) and is full when it reopens:
    # it goes to whoever can take it.
    world.dispatcher.handle(
        OutcomeRecorded(event_id="o3", conversation_id="c1", kind="resolved", source="api")
    )
    world.routing.handle(escalate(conversations, "c2"))
    assert conversations.get_conversation("c2").assignment["agent_id"] == "maya"
    world.dispatcher.handle(
        OutcomeRecorded(event_id="o4", conversation_id="c1", kind="reopened", source="api")
    )
    assert conversations.get_conversation("c1").assignment["agent_id"] == "ann"
    assert all(r.load <= r.agent.capacity for r in directory.agents())


def test_an_offline_agent_is_never_assigned(world, conversations, directory) -> None:
    directory.put_agent(agent("maya", status="away"), at=T0)
    directory.put_agent(agent("zoe", status="offline"), at=T0)
    world.routing.handle(escalate(conversations, "c1"))
    assert directory.open_assignments() == []


def test_the_question_s_area_comes_from_the_trail_even_when_the_last_intent_is_a_request_for_a_person(
    world, conversations, directory
) -> None:
    directory.put_agent(agent("tech", product_areas=["technical"], skills=["technical"]), at=T0)
    directory.put_agent(
        agent("bill", product_areas=["billing"], skills=["billing"]), at=T0 + timedelta(seconds=5)
    )
    event = escalate(conversations, "c1")
    trail = [
        {"seq": 1, "message_id": "m1", "sentiment": -0.5, "frustration": 0.7, "intent": "double_charge",
         "product_area": "billing", "skill": "billing", "signals": []},
    ]  # fmt: skip
    human = {
        "message_id": "m1",
        "seq": 1,
        "intent": "human_agent",
        "product_area": "how_to",
        "skill": "general",
    }
    conversations.show("c1", View(capability="scoring", fields={"scores": human, "trail": trail}))
    world.routing.handle(event)
    shown = conversations.get_conversation("c1")
    assert shown.handoff["classification"]["product_area"] == "billing"
    assert shown.assignment["agent_id"] == "bill"  # tech has been idle longer, but does not cover billing


def test_a_tick_of_the_routing_clock_wakes_at_each_relaxation_step(
    world, conversations, directory, clock
) -> None:
    directory.put_agent(agent("jonas", product_areas=["technical"], skills=["technical"]), at=T0)
    world.routing.handle(escalate(conversations, "c1"))
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(round(seconds, 2))
        clock.advance(seconds)

    drained = world.dispatcher.tick(budget_s=50, sleep=sleep)
    # Woken at 30 s (area only: jonas does not cover billing), then at 60 s: 10 s past the budget, so the next
    # tick takes it.
    assert slept == [30.01] and drained.assigned == 0
    drained = world.dispatcher.tick(budget_s=50, sleep=sleep)
    assert drained.assigned == 1 and conversations.get_conversation("c1").assignment["step"] == 2


def test_an_escalation_of_a_conversation_already_resolved_takes_nobody(
    world, conversations, directory
) -> None:
    from baton.models import Outcome

    directory.put_agent(agent("maya"), at=T0)
    event = escalate(conversations, "c1")
    conversations.record_outcome(
        "c1",
        Outcome(kind="resolved", at=T0, resolved_by="agent"),
        ConversationStatus.resolved,
        source="api",
        at=T0,
    )
    world.routing.handle(event)
    assert directory.open_assignments() == [] and conversations.get_conversation("c1").assignment is None
