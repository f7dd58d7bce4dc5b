"""The score SQS consumer: MessageReceived in, MessageScored out; a record it cannot read fails alone
(then the DLQ); a record ahead of its predecessor fails quietly and comes back later."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from sqs_helpers import FakeContext, envelope, failed, sqs_event

from baton.adapters.memory import MemoryPublisher
from baton.bus import by_name
from baton.consumer import WAIT_BUDGET_S
from baton.local.patterns import matches
from baton.scoring.fakes import conversation, fake_models, received
from baton.scoring.loader import ModelsNotFound
from baton.scoring.scorer import Scorer
from baton.scoring.service import scoring_consumer
from baton.scoring.store import MemoryArcStore
from baton.settings import Settings
from functions.score.handler import batch, function, lambda_handler


@pytest.fixture
def arcs() -> MemoryArcStore:
    return MemoryArcStore()


@pytest.fixture
def slept() -> list[float]:
    return []


@pytest.fixture
def deps(arcs: MemoryArcStore, publisher: MemoryPublisher, slept: list[float]) -> Any:
    return scoring_consumer(Scorer(fake_models()), arcs, publisher, sleep=slept.append)


@pytest.fixture
def sample(sample_event) -> dict[str, Any]:
    return sample_event("sqs/score_message_received.json")


def bodies(*seqs: int) -> list[str]:
    messages = conversation(
        ("customer", "I was charged twice for my plan"),
        ("bot", "Invoices are under Settings.", 0.7),
        ("customer", "Why did you bill me two times?"),
    )
    return [envelope(json.loads(received(messages[s - 1]).model_dump_json())) for s in seqs]


def metrics_out(capsys) -> list[dict[str, Any]]:
    out = capsys.readouterr().out
    return [json.loads(line) for line in out.splitlines() if line.startswith("{") and '"_aws"' in line]


def test_the_sample_event_is_what_the_score_rule_delivers(sample) -> None:
    event = json.loads(sample["Records"][0]["body"])
    assert matches(by_name("score").pattern, event)


def test_the_sample_message_is_scored_and_published(deps, sample, publisher, arcs, capsys) -> None:
    response = lambda_handler(sample, FakeContext(), consumer=deps)
    assert failed(response) == []
    (event,) = publisher.of_type("MessageScored")
    assert (event.conversation_id, event.seq, event.message_id) == ("conv-20250314-0042", 1, "msg-0001")
    assert event.scores.intent == "duplicate_charge"
    assert arcs.load("conv-20250314-0042").state.last_seq == 1
    (metrics,) = [m for m in metrics_out(capsys) if "MessagesScored" in m]
    assert metrics["MessagesScored"] in ([1.0], 1.0)
    assert metrics["service"] == "score"


def test_a_redelivered_record_changes_nothing(deps, sample, publisher, arcs) -> None:
    lambda_handler(sample, FakeContext(), consumer=deps)
    saves = arcs.saves
    assert failed(lambda_handler(sample, FakeContext(), consumer=deps)) == []
    assert arcs.saves == saves
    first, again = publisher.of_type("MessageScored")
    assert first == again  # the same event again: consumers de-duplicate on its id


@pytest.mark.parametrize(
    "poison",
    [
        "not json",
        "[1, 2]",
        envelope({"conversation_id": "conv-1"}, detail_type="MessageScored", source="baton.scoring"),
        envelope({"event_id": "e", "conversation_id": "conv-1", "seq": 1}),  # no message
        envelope("a string detail"),
    ],
)
def test_a_poison_record_fails_alone(deps, sample, publisher, poison, caplog) -> None:
    first, second = bodies(1, 2)
    response = lambda_handler(sqs_event(sample, first, poison, second), FakeContext(), consumer=deps)
    assert failed(response) == ["msg-1"]
    assert [e.seq for e in publisher.of_type("MessageScored")] == [1, 2]
    (error,) = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert error.sqs_message_id == "msg-1"


def test_a_contract_violation_names_the_field(deps, sample, caplog) -> None:
    detail = json.loads(bodies(1)[0])["detail"]
    detail["message"]["role"] = "robot"
    response = lambda_handler(sqs_event(sample, envelope(detail)), FakeContext(), consumer=deps)
    assert failed(response) == ["msg-0"]
    (error,) = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert error.field == "detail.message.role"


def test_a_record_ahead_of_its_predecessor_fails_quietly(deps, sample, publisher, caplog, capsys) -> None:
    caplog.set_level(logging.INFO)
    first, third = bodies(1, 3)
    response = lambda_handler(sqs_event(sample, first, third), FakeContext(), consumer=deps)
    assert failed(response) == ["msg-1"]
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert any(r.getMessage().startswith("message arrived before its predecessor") for r in caplog.records)
    (metrics,) = [m for m in metrics_out(capsys) if "OutOfOrder" in m]
    assert metrics["OutOfOrder"] in ([1.0], 1.0)
    assert [e.seq for e in publisher.of_type("MessageScored")] == [1]


def test_a_batch_in_reverse_order_is_applied_in_order(deps, sample, publisher, slept) -> None:
    response = lambda_handler(sqs_event(sample, *bodies(3, 2, 1)), FakeContext(), consumer=deps)
    assert failed(response) == []
    assert [e.seq for e in publisher.of_type("MessageScored")] == [1, 2, 3]
    assert slept == []  # sorted: nobody had to wait


def test_waiting_for_predecessors_is_bounded(deps, sample, slept) -> None:
    """First receives wait a little for a predecessor scored elsewhere; the invocation's budget caps it,
    and a record delivered again does not wait (its predecessor was not in flight)."""
    first, third = bodies(1, 3)
    lambda_handler(sqs_event(sample, first), FakeContext(), consumer=deps)
    other = json.loads(third)
    records = []
    for n in range(3):  # three messages of other conversations, each missing its predecessor
        other["detail"]["conversation_id"] = f"conv-{n + 2}"
        records.append(json.dumps(other))
    response = lambda_handler(sqs_event(sample, *records), FakeContext(), consumer=deps)
    assert len(failed(response)) == 3
    assert sum(slept) == pytest.approx(WAIT_BUDGET_S)
    slept.clear()
    response = lambda_handler(sqs_event(sample, third, receives=2), FakeContext(), consumer=deps)
    assert failed(response) == ["msg-0"] and slept == []


def test_a_record_stops_waiting_before_the_dlq(deps, sample, publisher, caplog) -> None:
    (third,) = bodies(3)
    early = lambda_handler(
        sqs_event(sample, third, receives=batch.stop_waiting_at - 1), FakeContext(), consumer=deps
    )
    assert failed(early) == ["msg-0"]
    late = lambda_handler(
        sqs_event(sample, third, receives=batch.stop_waiting_at), FakeContext(), consumer=deps
    )
    assert failed(late) == []
    (event,) = publisher.of_type("MessageScored")
    assert event.seq == 3 and event.arc.unscored_messages == 2
    assert any(r.levelno == logging.WARNING and r.skipped == 2 for r in caplog.records)
    assert by_name("score").max_receive_count > batch.stop_waiting_at


def test_models_missing_is_a_clear_error(tmp_path) -> None:
    function.build_consumer.cache_clear()
    with pytest.raises(ModelsNotFound, match=r"no intent model: .*empty/intent/manifest\.json"):
        function.build_consumer(Settings(models_dir=str(tmp_path / "empty")))


def test_the_score_rule_also_delivers_redactions_from_ingestion() -> None:
    body = envelope({}, detail_type="MessageRedacted", source="baton.ingestion")
    assert matches(by_name("score").pattern, json.loads(body))


def test_a_redaction_makes_the_arc_forget_the_message(deps, arcs, sample) -> None:
    first, *_ = bodies(1)
    redaction = redaction_body("m1")
    assert failed(lambda_handler(sqs_event(sample, first), FakeContext(), consumer=deps)) == []
    assert [r.message_id for r in arcs.load("conv-1").state.recent] == ["m1"]
    assert failed(lambda_handler(sqs_event(sample, redaction), FakeContext(), consumer=deps)) == []
    stored = arcs.load("conv-1")
    assert stored.state.recent == [] and list(stored.state.redacted) == ["m1"]
    assert stored.event.message.text == "" and "charged twice" not in stored.event.model_dump_json()


def test_a_redaction_in_the_same_batch_as_its_message_is_applied_first(deps, arcs, sample, publisher) -> None:
    first, *_ = bodies(1)
    redaction = redaction_body("m1")
    assert failed(lambda_handler(sqs_event(sample, first, redaction), FakeContext(), consumer=deps)) == []
    (event,) = publisher.of_type("MessageScored")
    assert event.message.text == "" and event.scores.sentiment is None  # scored as the store holds it
    assert arcs.load("conv-1").state.recent == []


def redaction_body(message_id: str) -> str:
    detail = {
        "event_id": f"r-{message_id}",
        "conversation_id": "conv-1",
        "message_id": message_id,
        "redacted_at": "2026-03-01T10:00:00Z",
    }
    return envelope(detail, detail_type="MessageRedacted")
