"""The ordered consumer component (`baton.ordered`, `baton.consumer`), through the score function as deployed:
a failed record logs its cause, and a well-formed event with a bogus seq never silences its conversation."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from botocore.exceptions import ClientError
from sqs_helpers import FakeContext, envelope, failed, sqs_event

from baton.adapters.memory import MemoryPublisher
from baton.ingestion.memory import MemoryConversationStore
from baton.models import MessageIn
from baton.ordered import Unapplicable
from baton.scoring.fakes import fake_models, received, snapshot
from baton.scoring.scorer import Scorer
from baton.scoring.service import scoring_consumer
from baton.scoring.store import MemoryArcStore
from functions.score.handler import batch, lambda_handler

CUSTOMER = {"id": "cus_1", "account_id": "acct_1"}


@pytest.fixture
def conversations() -> MemoryConversationStore:
    return MemoryConversationStore()


@pytest.fixture
def arcs(conversations: MemoryConversationStore) -> MemoryArcStore:
    return MemoryArcStore(conversations)


@pytest.fixture
def consumer(conversations, arcs, publisher: MemoryPublisher) -> Any:
    """As `baton.wiring` builds it: every event checked against the stored conversation."""
    return scoring_consumer(Scorer(fake_models()), arcs, publisher, conversations, sleep=lambda s: None)


@pytest.fixture
def sample(sample_event) -> dict[str, Any]:
    return sample_event("sqs/score_message_received.json")


def post(conversations: MemoryConversationStore, message_id: str, text: str) -> Any:
    """A message stored by ingestion, and the MessageReceived it published."""
    stored = conversations.append_message(
        "conv-1",
        MessageIn(message_id=message_id, customer=CUSTOMER, role="customer", text=text),
        source="api",
        received_at=snapshot(1, "customer", text).received_at,
    ).message
    return received(snapshot(stored.seq, "customer", text).model_copy(update={"message_id": message_id}))


def body(event: Any) -> str:
    return envelope(json.loads(event.model_dump_json()))


def scored_seqs(publisher: MemoryPublisher) -> list[int]:
    return [e.seq for e in publisher.of_type("MessageScored")]


def test_an_event_with_a_bogus_seq_fails_with_its_reason_and_never_stalls_the_conversation(
    consumer, conversations, publisher, sample, caplog
) -> None:
    first = post(conversations, "m1", "I was charged twice")
    bogus = first.model_copy(update={"seq": 1000, "message": first.message.model_copy(update={"seq": 1000})})
    # Every receive up to the last one before the DLQ: it fails, and says why.
    for receives in range(1, batch.stop_waiting_at + 2):
        response = lambda_handler(
            sqs_event(sample, body(bogus), receives=receives), FakeContext(), consumer=consumer
        )
        assert failed(response) == ["msg-0"]
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert errors and all(r.sqs_message_id == "msg-0" for r in errors)
    assert "holds no message seq 1000" in errors[-1].reason
    # The conversation's real messages are all scored, in order.
    second = post(conversations, "m2", "still charged twice, why?")
    response = lambda_handler(sqs_event(sample, body(first), body(second)), FakeContext(), consumer=consumer)
    assert failed(response) == []
    assert scored_seqs(publisher) == [1, 2]


def test_an_event_naming_another_message_at_its_seq_never_applies(consumer, conversations, publisher) -> None:
    real = post(conversations, "m1", "hello")
    impostor = real.model_copy(update={"message": real.message.model_copy(update={"message_id": "forged"})})
    with pytest.raises(Unapplicable, match="is message 'm1', not 'forged'"):
        consumer.handle(impostor, stop_waiting=True)
    assert consumer.handle(real).outcome == "applied"
    assert scored_seqs(publisher) == [1]


def test_a_message_whose_predecessor_is_lost_goes_on_at_its_last_receive(
    consumer, conversations, publisher
) -> None:
    post(conversations, "m1", "first")  # its MessageReceived is lost on the bus
    second = post(conversations, "m2", "second")
    handled = consumer.handle(second, stop_waiting=True)
    assert (handled.outcome, handled.skipped) == ("applied", 1)
    assert scored_seqs(publisher) == [2]


def test_a_store_outage_logs_the_cause_of_every_failed_record(
    consumer, conversations, arcs, sample, caplog, capsys, mocker
) -> None:
    events = [post(conversations, f"m{n}", f"message {n}") for n in (1, 2)]
    outage = ClientError({"Error": {"Code": "ServiceUnavailable", "Message": "DynamoDB is down"}}, "GetItem")
    mocker.patch.object(arcs, "load", side_effect=outage)
    response = lambda_handler(sqs_event(sample, *map(body, events)), FakeContext(), consumer=consumer)
    assert failed(response) == ["msg-0", "msg-1"]
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert sorted(r.sqs_message_id for r in errors) == ["msg-0", "msg-1"]
    assert all("ServiceUnavailable" in r.reason and r.conversation_id == "conv-1" for r in errors)
    assert '"FailedRecords":[1.0,1.0]' in capsys.readouterr().out


def test_a_record_that_breaks_the_contract_names_the_field(consumer, sample, caplog) -> None:
    detail = json.loads(received(snapshot(1, "customer", "hi")).model_dump_json())
    detail["seq"] = "first"
    response = lambda_handler(sqs_event(sample, envelope(detail)), FakeContext(), consumer=consumer)
    assert failed(response) == ["msg-0"]
    (error,) = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert (error.field, error.sqs_message_id) == ("detail.seq", "msg-0")


def test_an_unexpected_detail_type_is_named(consumer, sample, caplog) -> None:
    response = lambda_handler(
        sqs_event(sample, envelope({}, detail_type="MessageScored", source="baton.scoring")),
        FakeContext(),
        consumer=consumer,
    )
    assert failed(response) == ["msg-0"]
    (error,) = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert error.field == "detail-type" and "MessageScored" in error.reason
