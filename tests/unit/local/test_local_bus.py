"""The local bus: EventBridge-shaped events, routed by rule into SQS-like queues with retries and dead letters."""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aws_lambda_powertools import Logger
from pytest_mock import MockerFixture

from baton.adapters.sqs import DeadLetterNotSent
from baton.bus import Subscription, by_name
from baton.events import MessageReceived, MessageSnapshot
from baton.local.bus import (
    DeadLetterNotFound,
    InvalidEvent,
    LocalBus,
    LocalBusPublisher,
    LocalDeadLetters,
    LocalLambdaContext,
    Worker,
    sqs_event,
)
from baton.models import Customer, Role, Source

# The Powertools logger of the consumer functions defined in this module (as a handler module has one).
consumer_logger = Logger(service="test-escalations-consumer")

ESCALATIONS = Subscription(
    name="escalations",
    capability="Test",
    handler="tests.fake.escalations",
    pattern={"source": ["baton.decision"], "detail": {"action": ["escalate"]}},
    batch_size=3,
    max_receive_count=3,
    timeout_s=10,
)
EVERYTHING_BATON = Subscription(
    name="audit",
    capability="Test",
    handler="tests.fake.audit",
    pattern={"source": [{"prefix": "baton."}]},
)


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def bus(tmp_path: Path, clock: Clock) -> LocalBus:
    with LocalBus(tmp_path / "bus.sqlite3", [ESCALATIONS, EVERYTHING_BATON], clock=clock) as local_bus:
        yield local_bus


def decided(action: str = "escalate", conversation_id: str = "c1") -> dict[str, Any]:
    return {
        "Source": "baton.decision",
        "DetailType": "EscalationDecided",
        "Detail": json.dumps({"conversation_id": conversation_id, "action": action}),
        "EventBusName": "baton",
    }


class FakeHandler:
    """Records every invocation; fails the records whose detail says so."""

    def __init__(self, fail: set[str] | None = None, raises: bool = False, answer: Any = None) -> None:
        self.fail = fail or set()
        self.raises = raises
        self.answer = answer
        self.calls: list[tuple[dict[str, Any], Any]] = []

    def __call__(self, event: dict[str, Any], context: Any) -> Any:
        self.calls.append((event, context))
        if self.raises:
            raise RuntimeError("database is on fire")
        if self.answer is not None:
            return self.answer
        failures = [
            {"itemIdentifier": r["messageId"]}
            for r in event["Records"]
            if json.loads(r["body"])["detail"]["conversation_id"] in self.fail
        ]
        return {"batchItemFailures": failures}


# -- putting events ---------------------------------------------------------------------------------


def test_a_putevents_entry_becomes_a_full_eventbridge_envelope(bus: LocalBus) -> None:
    (result,) = bus.put_events([decided()])
    (archived,) = bus.archived_events()
    event = archived.envelope
    assert event["version"] == "0"
    assert event["id"] == result.event_id
    assert event["source"] == "baton.decision"
    assert event["detail-type"] == "EscalationDecided"
    assert event["detail"] == {"conversation_id": "c1", "action": "escalate"}
    assert event["account"] == "000000000000"
    assert event["region"] == "local"
    assert event["resources"] == []
    assert event["time"].endswith("Z")


def test_each_event_goes_to_every_rule_it_matches_and_all_are_archived(bus: LocalBus) -> None:
    results = bus.put_events([decided("escalate"), decided("monitor"), {**decided(), "Source": "other.app"}])
    assert [set(r.rules) for r in results] == [{"escalations", "audit"}, {"audit"}, set()]
    assert bus.depth("escalations") == 1
    assert bus.depth("audit") == 2
    assert len(bus.archived_events()) == 3
    assert bus.archived_events(limit=1)[0].source == "other.app"  # newest first


def test_a_ready_envelope_keeps_its_id_time_and_account(bus: LocalBus) -> None:
    envelope = {
        "version": "0",
        "id": "ecd26460-0ca3-433b-b908-d891a0aa6fb4",
        "detail-type": "EscalationDecided",
        "source": "baton.decision",
        "account": "123456789012",
        "time": "2019-05-25T01:23:48Z",
        "region": "us-east-1",
        "resources": ["Support Ticket"],
        "detail": {"conversation_id": "c9", "action": "escalate"},
    }
    (result,) = bus.put_events([envelope])
    assert result.event_id == envelope["id"]
    assert bus.archived_events()[0].envelope == envelope
    (message,) = bus.receive("escalations", 10, 30)
    assert json.loads(message.body) == envelope


@pytest.mark.parametrize(
    ("entry", "field"),
    [
        ({"DetailType": "X", "Detail": "{}"}, "Source"),
        ({"Source": "s", "Detail": "{}"}, "DetailType"),
        ({"Source": "s", "DetailType": "X"}, "Detail"),
        ({"Source": "s", "DetailType": "X", "Detail": "{not json"}, "Detail"),
        ({"Source": "s", "DetailType": "X", "Detail": "[1, 2]"}, "Detail"),
        ({"Source": "", "DetailType": "X", "Detail": "{}"}, "Source"),
        ({"Source": "s", "DetailType": "X", "Detail": "{}", "Resources": "arn"}, "Resources"),
        ({"source": "s", "detail": {}}, "detail-type"),
        ({"detail-type": "X", "detail": {}}, "source"),
        ({"source": "s", "detail-type": "X"}, "detail"),
        ({"source": "s", "detail-type": "X", "detail": "text"}, "detail"),
        ({"source": "s", "detail-type": "X", "detail": {}, "time": "yesterday"}, "time"),
        ({"hello": "world"}, "event"),
        ({"Source": "s", "DetailType": "X", "Detail": json.dumps({"x": "y" * 300_000})}, "Detail"),
    ],
)
def test_a_bad_event_is_refused_naming_the_field(bus: LocalBus, entry: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidEvent) as err:
        bus.put_events([entry])
    assert err.value.field == field
    assert bus.archived_events() == []


def test_one_bad_entry_refuses_the_whole_put_and_names_its_position(bus: LocalBus) -> None:
    with pytest.raises(InvalidEvent) as err:
        bus.put_events([decided(), {"Source": "s", "DetailType": "X"}])
    assert err.value.field == "[1].Detail"
    assert bus.archived_events() == []


def test_at_most_ten_entries_per_put(bus: LocalBus) -> None:
    with pytest.raises(InvalidEvent, match="at most 10"):
        bus.put_events([decided()] * 11)


def test_the_publisher_puts_contract_events_on_the_bus(tmp_path: Path) -> None:
    audit = Subscription(
        name="received", capability="T", handler="x", pattern={"detail-type": ["MessageReceived"]}
    )
    bus = LocalBus(tmp_path / "bus.sqlite3", [audit])
    publisher = LocalBusPublisher(tmp_path / "bus.sqlite3", "baton", bus=bus)
    events = [_message_received(f"m{i}") for i in range(12)]  # more than one PutEvents call
    publisher.publish(events)
    received = bus.receive("received", 20, 30)
    assert sorted(json.loads(m.body)["detail"]["message"]["message_id"] for m in received) == sorted(
        f"m{i}" for i in range(12)
    )
    assert json.loads(received[0].body)["source"] == "baton.ingestion"


def _message_received(message_id: str) -> MessageReceived:
    from datetime import UTC, datetime

    now = datetime(2026, 11, 27, tzinfo=UTC)
    return MessageReceived(
        event_id=message_id,
        conversation_id="c1",
        seq=1,
        message=MessageSnapshot(
            message_id=message_id,
            seq=1,
            role=Role.customer,
            text="hello",
            sent_at=now,
            received_at=now,
            source=Source.api,
            customer=Customer(id="u1", account_id="a1"),
        ),
    )


# -- queues -----------------------------------------------------------------------------------------


def test_a_received_message_is_hidden_until_its_visibility_timeout(bus: LocalBus, clock: Clock) -> None:
    bus.put_events([decided()])
    (first,) = bus.receive("escalations", 10, visibility_timeout_s=60)
    assert first.receive_count == 1
    assert bus.receive("escalations", 10, 60) == []
    clock.advance(61)
    (again,) = bus.receive("escalations", 10, 60)
    assert again.message_id == first.message_id
    assert again.receive_count == 2
    assert again.first_receive_at_ms == first.first_receive_at_ms
    assert again.receipt_handle != first.receipt_handle


def test_a_deleted_message_is_gone_and_a_stale_receipt_deletes_nothing(bus: LocalBus, clock: Clock) -> None:
    bus.put_events([decided()])
    (first,) = bus.receive("escalations", 10, 60)
    clock.advance(61)
    (second,) = bus.receive("escalations", 10, 60)
    assert bus.delete("escalations", first.receipt_handle) is False
    assert bus.delete("escalations", second.receipt_handle) is True
    clock.advance(120)
    assert bus.receive("escalations", 10, 60) == []


def test_receive_returns_at_most_the_batch_size_oldest_first(bus: LocalBus) -> None:
    bus.put_events([decided(conversation_id=f"c{i}") for i in range(5)])
    batch = bus.receive("escalations", 3, 60)
    assert [json.loads(m.body)["detail"]["conversation_id"] for m in batch] == ["c0", "c1", "c2"]


def test_messages_survive_a_restart(tmp_path: Path, clock: Clock) -> None:
    path = tmp_path / "bus.sqlite3"
    with LocalBus(path, [ESCALATIONS], clock=clock) as bus:
        bus.put_events([decided()])
    with LocalBus(path, [ESCALATIONS], clock=clock) as reopened:
        (message,) = reopened.receive("escalations", 10, 60)
        assert json.loads(message.body)["detail"]["action"] == "escalate"
        assert len(reopened.archived_events()) == 1


def test_release_inflight_makes_messages_of_a_dead_consumer_visible(tmp_path: Path, clock: Clock) -> None:
    path = tmp_path / "bus.sqlite3"
    with LocalBus(path, [ESCALATIONS], clock=clock) as bus:
        bus.put_events([decided()])
        assert len(bus.receive("escalations", 10, 600)) == 1
    with LocalBus(path, [ESCALATIONS], clock=clock) as restarted:
        assert restarted.receive("escalations", 10, 60) == []
        assert restarted.release_inflight() == 1
        assert len(restarted.receive("escalations", 10, 60)) == 1


def test_two_consumers_never_get_the_same_message(tmp_path: Path) -> None:
    path = tmp_path / "bus.sqlite3"
    with LocalBus(path, [ESCALATIONS]) as producer:
        for start in range(0, 200, 10):
            producer.put_events([decided(conversation_id=f"c{i}") for i in range(start, start + 10)])
    seen: list[list[str]] = [[], []]
    barrier = threading.Barrier(2)

    def consume(slot: int) -> None:
        with LocalBus(path, [ESCALATIONS]) as own:  # its own connection, as another process has
            barrier.wait()
            while batch := own.receive("escalations", 3, 600):
                for message in batch:
                    seen[slot].append(message.message_id)
                    own.delete("escalations", message.receipt_handle)

    threads = [threading.Thread(target=consume, args=(slot,)) for slot in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen[0]) + len(seen[1]) == 200
    assert not set(seen[0]) & set(seen[1])


# -- retries and dead letters -----------------------------------------------------------------------


def test_a_failed_message_is_retried_with_a_doubling_delay(bus: LocalBus, clock: Clock) -> None:
    bus.put_events([decided()])
    (message,) = bus.receive("escalations", 10, 60)
    assert (
        bus.fail("escalations", message.receipt_handle, "boom", retry_delay_s=1, max_receive_count=5)
        == "retry"
    )
    assert bus.receive("escalations", 10, 60) == []
    clock.advance(1.01)
    (second,) = bus.receive("escalations", 10, 60)
    assert second.receive_count == 2
    bus.fail("escalations", second.receipt_handle, "boom", retry_delay_s=1, max_receive_count=5)
    clock.advance(1.5)
    assert bus.receive("escalations", 10, 60) == []  # 2 s after the second failure
    clock.advance(0.6)
    assert bus.receive("escalations", 10, 60)[0].receive_count == 3


def test_after_max_receives_a_message_moves_to_the_dead_letters_with_its_last_error(
    bus: LocalBus, clock: Clock
) -> None:
    bus.put_events([decided()])
    for attempt in range(1, 4):
        (message,) = bus.receive("escalations", 10, 60)
        assert message.receive_count == attempt
        outcome = bus.fail(
            "escalations", message.receipt_handle, f"error {attempt}", retry_delay_s=1, max_receive_count=3
        )
        clock.advance(10)
    assert outcome == "dead"
    assert bus.depth("escalations") == 0
    (letter,) = bus.dead_letters()
    assert letter.queue == "escalations"
    assert letter.receive_count == 3
    assert letter.last_error == "error 3"
    assert (letter.source, letter.detail_type) == ("baton.decision", "EscalationDecided")
    assert json.loads(letter.body)["detail"]["action"] == "escalate"
    assert bus.dead_letter(letter.message_id[:8]) == letter


def _dead_letter(bus: LocalBus, clock: Clock, conversation_id: str = "c1") -> str:
    bus.put_events([decided(conversation_id=conversation_id)])
    while True:
        batch = bus.receive("escalations", 10, 60)
        for message in batch:
            if (
                bus.fail("escalations", message.receipt_handle, "boom", retry_delay_s=1, max_receive_count=3)
                == "dead"
            ):
                return message.message_id
        clock.advance(10)


def test_replay_puts_a_dead_letter_back_with_a_fresh_receive_count(bus: LocalBus, clock: Clock) -> None:
    ident = _dead_letter(bus, clock)
    (replayed,) = bus.replay([ident])
    assert replayed.message_id == ident
    assert bus.dead_letters() == []
    (message,) = bus.receive("escalations", 10, 60)
    assert message.receive_count == 1
    assert json.loads(message.body)["detail"]["conversation_id"] == "c1"


def test_replay_all_and_purge(bus: LocalBus, clock: Clock) -> None:
    first, second = _dead_letter(bus, clock, "c1"), _dead_letter(bus, clock, "c2")
    assert {letter.message_id for letter in bus.replay()} == {first, second}
    assert bus.depth("escalations") == 2
    for message in bus.receive("escalations", 10, 60):
        bus.delete("escalations", message.receipt_handle)
    third, fourth = _dead_letter(bus, clock, "c3"), _dead_letter(bus, clock, "c4")
    assert bus.purge_dead_letters([third]) == 1
    assert [letter.message_id for letter in bus.dead_letters()] == [fourth]
    assert bus.purge_dead_letters() == 1
    assert bus.dead_letters() == []


def test_an_unknown_dead_letter_id_is_an_error(bus: LocalBus) -> None:
    with pytest.raises(DeadLetterNotFound):
        bus.dead_letter("nope")
    with pytest.raises(DeadLetterNotFound):
        bus.replay(["nope"])


def test_dead_letters_can_be_replayed_from_another_bus_instance(tmp_path: Path, clock: Clock) -> None:
    path = tmp_path / "bus.sqlite3"
    with LocalBus(path, [ESCALATIONS], clock=clock) as bus:
        ident = _dead_letter(bus, clock)
    with LocalBus(path, [ESCALATIONS], clock=clock) as cli:
        cli.replay([ident])
    with LocalBus(path, [ESCALATIONS], clock=clock) as bus:
        assert len(bus.receive("escalations", 10, 60)) == 1


# -- workers: the event source mapping --------------------------------------------------------------


def test_the_worker_hands_the_handler_a_real_shaped_sqs_event(bus: LocalBus) -> None:
    handler = FakeHandler()
    bus.put_events([decided(conversation_id="c1"), decided(conversation_id="c2")])
    worker = Worker(bus, ESCALATIONS, invoke=handler)
    assert worker.run_once() is True
    ((event, context),) = handler.calls
    records = event["Records"]
    assert len(records) == 2
    record = records[0]
    assert set(record) == {
        "messageId", "receiptHandle", "body", "attributes", "messageAttributes", "md5OfBody",
        "eventSource", "eventSourceARN", "awsRegion",
    }  # fmt: skip
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == "arn:aws:sqs:local:000000000000:escalations"
    assert record["awsRegion"] == "local"
    assert record["messageAttributes"] == {}
    assert record["md5OfBody"] == hashlib.md5(record["body"].encode()).hexdigest()
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert record["attributes"]["SentTimestamp"].isdigit()
    assert record["attributes"]["ApproximateFirstReceiveTimestamp"].isdigit()
    assert json.loads(record["body"])["detail-type"] == "EscalationDecided"
    assert isinstance(context, LocalLambdaContext)
    assert context.function_name == "baton-local-escalations"
    assert context.invoked_function_arn.endswith(":function:baton-local-escalations")
    assert context.memory_limit_in_mb == ESCALATIONS.memory_mb
    assert 0 < context.get_remaining_time_in_millis() <= 10_000
    assert context.aws_request_id
    assert bus.depth("escalations") == 0  # a successful batch is deleted
    assert worker.run_once() is False


def test_the_records_are_parsed_by_powertools_like_lambda_events(bus: LocalBus) -> None:
    from aws_lambda_powertools.utilities.parser import parse
    from aws_lambda_powertools.utilities.parser.models import SqsModel

    handler = FakeHandler()
    bus.put_events([decided()])
    Worker(bus, ESCALATIONS, invoke=handler).run_once()
    parsed = parse(event=handler.calls[0][0], model=SqsModel)
    assert parsed.Records[0].attributes.ApproximateReceiveCount == "1"


def test_only_the_reported_failures_are_retried(bus: LocalBus, clock: Clock) -> None:
    handler = FakeHandler(fail={"c2"})
    bus.put_events([decided(conversation_id=c) for c in ("c1", "c2", "c3")])
    worker = Worker(bus, ESCALATIONS, invoke=handler, retry_delay_s=1)
    worker.run_once()
    clock.advance(1.01)
    worker.run_once()
    retried = handler.calls[1][0]["Records"]
    assert [json.loads(r["body"])["detail"]["conversation_id"] for r in retried] == ["c2"]
    assert retried[0]["attributes"]["ApproximateReceiveCount"] == "2"


def test_a_handler_that_raises_fails_the_whole_batch_into_the_dead_letters(
    bus: LocalBus, clock: Clock
) -> None:
    handler = FakeHandler(raises=True)
    bus.put_events([decided(conversation_id="c1"), decided(conversation_id="c2")])
    worker = Worker(bus, ESCALATIONS, invoke=handler, retry_delay_s=1)
    for _ in range(ESCALATIONS.max_receive_count):
        assert worker.run_once() is True
        clock.advance(60)
    assert worker.run_once() is False
    assert len(handler.calls) == ESCALATIONS.max_receive_count
    letters = bus.dead_letters()
    assert len(letters) == 2
    assert all("RuntimeError: database is on fire" in letter.last_error for letter in letters)
    assert all(letter.receive_count == 3 for letter in letters)


def test_an_answer_naming_a_record_not_in_the_batch_fails_the_whole_batch(
    bus: LocalBus, clock: Clock
) -> None:
    handler = FakeHandler(answer={"batchItemFailures": [{"itemIdentifier": "not-in-batch"}]})
    bus.put_events([decided(conversation_id="c1"), decided(conversation_id="c2")])
    worker = Worker(bus, ESCALATIONS, invoke=handler, retry_delay_s=1)
    worker.run_once()
    clock.advance(2)
    worker.run_once()
    assert len(handler.calls[1][0]["Records"]) == 2


def test_a_handler_answer_without_failures_deletes_the_batch(bus: LocalBus, clock: Clock) -> None:
    handler = FakeHandler(answer={"statusCode": 200})
    bus.put_events([decided()])
    worker = Worker(bus, ESCALATIONS, invoke=handler)
    worker.run_once()
    clock.advance(600)
    assert worker.run_once() is False


def test_a_running_worker_delivers_new_and_replayed_messages(tmp_path: Path) -> None:
    path = tmp_path / "bus.sqlite3"
    delivered = threading.Event()
    calls: list[str] = []
    fail_first = {"armed": True}

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        ids = [json.loads(r["body"])["detail"]["conversation_id"] for r in event["Records"]]
        calls.extend(ids)
        if fail_first["armed"]:
            raise RuntimeError("not yet")
        delivered.set()
        return {"batchItemFailures": []}

    quick = Subscription(
        name="escalations", capability="T", handler="x", pattern=ESCALATIONS.pattern, max_receive_count=1
    )
    bus = LocalBus(path, [quick])
    worker = Worker(bus, quick, invoke=handler, retry_delay_s=0.01, poll_interval_s=0.05)
    worker.start()
    try:
        with LocalBus(path, [quick]) as other_process:
            other_process.put_events([decided()])
            for _ in range(500):  # the worker dead-letters it within a few polls
                if other_process.dead_letters():
                    break
                threading.Event().wait(0.02)
            assert other_process.dead_letters()
            fail_first["armed"] = False
            other_process.replay()
        assert delivered.wait(10)
    finally:
        worker.stop()
        worker.join(5)
        bus.close()
    assert calls == ["c1", "c1"]


def test_the_sqs_body_is_the_envelope_even_for_non_ascii_detail(bus: LocalBus) -> None:
    text = "Olá — ça va? 你好"
    bus.put_events(
        [{**decided(), "Detail": json.dumps({"conversation_id": "c1", "action": "escalate", "text": text})}]
    )
    (message,) = bus.receive("escalations", 1, 60)
    assert json.loads(message.body)["detail"]["text"] == text


# -- why a reported failure failed ------------------------------------------------------------------


def _until_dead(worker: Worker, bus: LocalBus, clock: Clock) -> list[Any]:
    for _ in range(worker.subscription.max_receive_count):
        worker.run_once()
        clock.advance(600)
    return bus.dead_letters()


def test_a_reported_failure_keeps_what_the_handler_logged_about_that_record(
    bus: LocalBus, clock: Clock
) -> None:
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        failures = []
        for record in event["Records"]:
            detail = json.loads(record["body"])["detail"]
            if detail["conversation_id"] == "bad":
                consumer_logger.error(
                    "escalation rejected",
                    extra={
                        "sqs_message_id": record["messageId"],
                        "field": "detail.action",
                        "reason": "unknown",
                    },
                )
                failures.append({"itemIdentifier": record["messageId"]})
            else:
                consumer_logger.warning("slow store", extra={"sqs_message_id": record["messageId"]})
        return {"batchItemFailures": failures}

    bus.put_events([decided(conversation_id="bad"), decided(conversation_id="good")])
    (letter,) = _until_dead(Worker(bus, ESCALATIONS, invoke=handler, retry_delay_s=1), bus, clock)
    assert letter.last_error == (
        "detail.action: unknown (escalation rejected); reported in batchItemFailures by the handler"
    )


def test_a_reported_failure_without_a_log_says_so(bus: LocalBus, clock: Clock) -> None:
    bus.put_events([decided(conversation_id="c1")])
    (letter,) = _until_dead(Worker(bus, ESCALATIONS, invoke=FakeHandler(fail={"c1"})), bus, clock)
    assert letter.last_error == "reported in batchItemFailures by the handler (see its log)"


def test_what_other_threads_log_meanwhile_is_not_taken_for_the_reason(bus: LocalBus, clock: Clock) -> None:
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        # The API and the other consumers log from their own threads while this one runs.
        other = threading.Thread(
            target=lambda: logging.getLogger("baton.elsewhere").error("unrelated", extra={"field": "x"})
        )
        other.start()
        other.join()
        consumer_logger.info("not a warning")
        return {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in event["Records"]]}

    bus.put_events([decided()])
    (letter,) = _until_dead(Worker(bus, ESCALATIONS, invoke=handler), bus, clock)
    assert letter.last_error == "reported in batchItemFailures by the handler (see its log)"


@pytest.fixture
def local_wiring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The handlers' wiring pointed at a local bus file, as `baton local` sets it."""
    from baton import wiring
    from baton.local.bus import install_publisher

    path = tmp_path / "bus.sqlite3"
    monkeypatch.setenv("BATON_LOCAL_BUS_PATH", str(path))
    install_publisher()
    yield path
    wiring.use_local_bus(None)
    wiring.use_local_dead_letters(None)


def test_a_poison_partner_event_is_dead_lettered_on_its_first_receive_naming_the_field(
    local_wiring: Path, clock: Clock, service: Any, mocker: MockerFixture, caplog: pytest.LogCaptureFixture
) -> None:
    from functions.helpdesk_events import handler as helpdesk_events

    mocker.patch.object(helpdesk_events.function, "build_service", return_value=service)
    sub = by_name("helpdesk-events")
    with LocalBus(local_wiring, [sub], clock=clock) as local_bus:
        local_bus.put_events(
            [
                {
                    "source": "aws.partner/zendesk.com/31874402/default",
                    "detail-type": "Support Ticket: Comment Created",
                    "detail": {"ticket_event": "this is not an object"},
                }
            ]
        )
        worker = Worker(local_bus, sub, invoke=helpdesk_events.lambda_handler, retry_delay_s=1)
        assert worker.run_once()
        (letter,) = local_bus.dead_letters()
        assert local_bus.depth(worker.queue) == 0
    assert letter.receive_count == 1  # not retried: the body can never parse
    assert letter.last_error.startswith("detail.ticket_event: expected an object, got str (it can never")
    # One ERROR line for it (the consumer's), not one per receive, and none from the worker.
    (error,) = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert error.field == "detail.ticket_event"


def test_a_consumers_dlq_send_moves_its_message_at_once_and_it_replays_like_any_dead_letter(
    bus: LocalBus, clock: Clock
) -> None:
    bus.put_events([decided(conversation_id="poison")])
    (message,) = bus.receive("escalations", 10, 60)
    (record,) = sqs_event([message])["Records"]
    LocalDeadLetters(bus).send(record, "detail.action: unknown")
    (letter,) = bus.dead_letters("escalations")
    assert (letter.message_id, letter.receive_count, letter.detail_type) == (
        message.message_id,
        1,
        "EscalationDecided",
    )
    assert letter.last_error.startswith("detail.action: unknown (it can never succeed")
    # The handler then reports it handled: the worker's delete finds nothing more to delete.
    assert bus.delete("escalations", message.receipt_handle) is False
    # Sent again with the same (now stale) receipt: refused, so the consumer fails the record instead.
    with pytest.raises(DeadLetterNotSent):
        LocalDeadLetters(bus).send(record, "detail.action: unknown")
    bus.replay([letter.message_id])
    (again,) = bus.receive("escalations", 10, 60)
    assert (again.message_id, again.receive_count) == (message.message_id, 1)


def test_the_archive_keeps_events_30_days_as_deployed(bus: LocalBus, clock: Clock) -> None:
    bus.put_events([decided(conversation_id="old")])
    clock.advance(29 * 86_400)
    bus.put_events([decided(conversation_id="recent")])
    assert len(bus.archived_events()) == 2

    clock.advance(2 * 86_400)  # the first event is now 31 days old; the next put prunes (at most hourly)
    bus.put_events([decided(conversation_id="new")])

    kept = [e.envelope["detail"]["conversation_id"] for e in bus.archived_events()]
    assert kept == ["new", "recent"]


def test_the_bus_file_holding_message_text_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "bus.sqlite3"
    path.write_bytes(b"")
    path.chmod(0o644)  # a file from an older Baton
    with LocalBus(path, [EVERYTHING_BATON]) as local_bus:
        local_bus.put_events([decided()])
        for file in tmp_path.iterdir():  # the database and SQLite's -wal / -shm beside it
            assert file.stat().st_mode & 0o777 == 0o600, file.name
