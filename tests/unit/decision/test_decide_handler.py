"""The decide SQS consumer: MessageScored in, EscalationDecided out; a record it cannot read fails alone (then
the DLQ); a record ahead of its predecessor fails quietly and comes back later."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqs_helpers import FakeContext, envelope, failed, sqs_event

from baton.adapters.memory import MemoryPublisher
from baton.bus import by_name
from baton.context.store import MemoryContextStore
from baton.decision.params import load_default
from baton.decision.service import decision_consumer
from baton.decision.store import MemoryDecisionStore
from baton.events import EscalationDecided, MessageScored
from baton.local.patterns import matches
from baton.scoring.fakes import conversation, fake_models, received
from baton.scoring.scorer import Scorer
from baton.scoring.service import scoring_consumer
from baton.scoring.store import MemoryArcStore
from functions.decide.handler import batch, lambda_handler


@pytest.fixture
def deps(publisher: MemoryPublisher) -> Any:
    service = decision_consumer(
        load_default, MemoryContextStore(), MemoryDecisionStore(), publisher, sleep=lambda s: None
    )
    return service


@pytest.fixture
def sample(sample_event) -> dict[str, Any]:
    return sample_event("sqs/score_message_received.json")


def scored_bodies() -> list[str]:
    publisher = MemoryPublisher()
    scoring = scoring_consumer(Scorer(fake_models()), MemoryArcStore(), publisher)
    for message in conversation(
        ("customer", "I was charged twice for my plan"),
        ("bot", "Invoices are under Settings.", 0.3),
        ("customer", "Can I speak to a person please?"),
    ):
        scoring.handle(received(message))
    return [
        envelope(json.loads(e.model_dump_json()), detail_type="MessageScored", source="baton.scoring")
        for e in publisher.events
        if isinstance(e, MessageScored)
    ]


def decided(publisher: MemoryPublisher) -> list[tuple[int, str]]:
    return [(e.seq, e.action) for e in publisher.events if isinstance(e, EscalationDecided)]


def test_a_batch_in_reverse_order_is_decided_in_order(deps, publisher, sample) -> None:
    response = lambda_handler(sqs_event(sample, *reversed(scored_bodies())), FakeContext(), consumer=deps)
    assert failed(response) == []
    assert decided(publisher) == [(1, "resolve"), (3, "escalate")]  # the bot's answer is not decided


def test_bad_records_fail_alone(deps, publisher, sample) -> None:
    first, *_ = scored_bodies()
    wrong_type = envelope({"conversation_id": "c"}, detail_type="MessageReceived", source="baton.ingestion")
    broken = envelope({"conversation_id": "c", "seq": 0}, detail_type="MessageScored", source="baton.scoring")
    response = lambda_handler(
        sqs_event(sample, first, wrong_type, broken, "nope"), FakeContext(), consumer=deps
    )
    assert sorted(failed(response)) == ["msg-1", "msg-2", "msg-3"]
    assert decided(publisher) == [(1, "resolve")]


def test_a_message_whose_predecessor_never_comes_goes_on_at_its_last_receive(deps, publisher, sample) -> None:
    *_, third = scored_bodies()
    assert failed(lambda_handler(sqs_event(sample, third), FakeContext(), consumer=deps)) == ["msg-0"]
    last = sqs_event(sample, third, receives=batch.stop_waiting_at)
    assert failed(lambda_handler(last, FakeContext(), consumer=deps)) == []
    assert decided(publisher) == [(3, "escalate")]


def test_the_subscription_takes_message_scored_events() -> None:
    pattern = by_name("decide").pattern
    assert matches(pattern, json.loads(envelope({}, detail_type="MessageScored", source="baton.scoring")))
    assert not matches(pattern, json.loads(envelope({}, detail_type="MessageScored", source="someone.else")))


def redacted_body(message_id: str | None) -> str:
    detail = {
        "event_id": f"r-{message_id}",
        "conversation_id": "conv-1",
        "message_id": message_id,
        "redacted_at": "2026-03-01T10:00:00Z",
    }
    return envelope(detail, detail_type="MessageRedacted", source="baton.ingestion")


def test_the_subscription_takes_redactions_from_ingestion() -> None:
    pattern = by_name("decide").pattern
    assert matches(pattern, json.loads(redacted_body("m1")))
    assert not matches(
        pattern, json.loads(envelope({}, detail_type="MessageRedacted", source="baton.scoring"))
    )


def test_a_redaction_in_the_batch_is_applied_and_a_broken_one_fails_alone(
    deps, publisher, sample, capsys
) -> None:
    first, second, third = scored_bodies()
    # The redaction of m3 travels with the scored messages; m3's own MessageScored still carries its text.
    response = lambda_handler(
        sqs_event(sample, first, second, redacted_body("m3"), redacted_body(None), third),
        FakeContext(),
        consumer=deps,
    )
    assert failed(response) == ["msg-3"]  # the redaction without a message id, nothing else
    # m3 asked for a person: redacted after it was scored, it is decided from its scores, never its text.
    assert decided(publisher) == [(1, "resolve"), (3, "escalate")]
    (third,) = [e for e in publisher.events if isinstance(e, EscalationDecided) and e.seq == 3]
    assert third.guardrail == "human_requested" and "speak" not in third.model_dump_json()
    assert deps.store.load("conv-1").state.redacted.keys() == {"m3"}
    out = capsys.readouterr().out
    assert '"RedactionsApplied":[1.0]' in out and '"MalformedEvents":[1.0]' in out
