"""The route consumer: an escalation queues the conversation for an agent and pauses the bot, once per
escalation; the conversation shows it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from sqs_helpers import FakeContext, envelope, failed, sqs_event

from baton.adapters.memory import MemoryPublisher
from baton.bus import by_name
from baton.context.store import MemoryContextStore
from baton.events import EscalationDecided, event_id_for
from baton.ingestion.memory import MemoryConversationStore
from baton.local.patterns import matches
from baton.models import ConversationStatus, EscalationCause, MessageIn, Reason
from baton.routing.directory import MemoryAgentDirectory
from baton.routing.packet import build_packet
from baton.routing.service import Router, routing_consumer
from baton.routing.store import MemoryRoutingStore
from functions.route.handler import lambda_handler

CUSTOMER = {"id": "cus_1", "account_id": "acct_1"}


@pytest.fixture
def conversations() -> MemoryConversationStore:
    store = MemoryConversationStore()
    for n in range(1, 5):
        store.append_message(
            "conv-1",
            MessageIn(message_id=f"m{n}", customer=CUSTOMER, role="customer", text=f"message {n}"),
            source="api",
            received_at=datetime(2026, 12, 6, 9, n, tzinfo=UTC),
        )
    return store


@pytest.fixture
def consumer(conversations, publisher: MemoryPublisher) -> Any:
    """Nobody to route to: every escalation waits in the queue."""
    return routing_consumer(
        Router(MemoryAgentDirectory()),
        MemoryRoutingStore(conversations),
        publisher,
        conversations,
        MemoryContextStore(),
        lambda conversation, escalation, context, now: build_packet(
            conversation, escalation, context, now=now
        ),
        conversations,
    )


@pytest.fixture
def sample(sample_event) -> dict[str, Any]:
    return sample_event("sqs/score_message_received.json")


def decided(seq: int, action: str = "escalate", escalated_at: int | None = None) -> str:
    cause = (
        EscalationCause(seq=escalated_at, risk=0.9, guardrail="human_requested", reasons=[])
        if escalated_at is not None and escalated_at != seq
        else None
    )
    event = EscalationDecided(
        event_id=event_id_for("EscalationDecided", "conv-1", f"m{seq}"),
        conversation_id="conv-1",
        seq=seq,
        message_id=f"m{seq}",
        action=action,
        risk=0.9,
        reasons=[
            Reason(code="human_requested", label="Asked for a person", contribution=1.0, evidence="a person")
        ],
        guardrail="human_requested",
        escalated_because=cause,
        model_version="test",
    )
    return envelope(
        json.loads(event.model_dump_json()), detail_type="EscalationDecided", source="baton.decision"
    )


def test_the_route_rule_takes_escalations_only() -> None:
    pattern = by_name("route").pattern
    assert matches(pattern, json.loads(decided(1)))
    assert not matches(pattern, json.loads(decided(1, action="monitor")))


def test_an_escalation_queues_the_conversation_and_pauses_the_bot(consumer, conversations, sample) -> None:
    response = lambda_handler(sqs_event(sample, decided(2)), FakeContext(), consumer=consumer)
    assert failed(response) == []
    shown = conversations.get_conversation("conv-1")
    assert shown.status == ConversationStatus.queued
    assert shown.assignment["state"] == "queued" and shown.assignment["since"]
    assert shown.bot == {
        "paused": True,
        "since": shown.assignment["since"],
        "reason": "escalated: human_requested",
    }


def test_later_decisions_of_the_same_escalation_route_nothing_again(consumer, conversations, sample) -> None:
    lambda_handler(sqs_event(sample, decided(2)), FakeContext(), consumer=consumer)
    first = consumer.store.load("conv-1").state
    response = lambda_handler(
        sqs_event(sample, decided(3, escalated_at=2), decided(2)), FakeContext(), consumer=consumer
    )
    assert failed(response) == []
    after = consumer.store.load("conv-1").state
    assert (after.escalation_seq, after.queued_since, after.last_seq) == (2, first.queued_since, 3)


def test_an_escalation_of_a_message_the_conversation_does_not_hold_fails_with_its_reason(
    consumer, sample, caplog
) -> None:
    response = lambda_handler(sqs_event(sample, decided(99)), FakeContext(), consumer=consumer)
    assert failed(response) == ["msg-0"]
    assert any("holds no message seq 99" in getattr(r, "reason", "") for r in caplog.records)
