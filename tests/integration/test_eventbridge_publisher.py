"""The EventBridge publisher: events reach a rule's target (moto), batches respect PutEvents' limits,
and failed entries are retried or reported, never dropped (stubbed client)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws
from moto_bus import bus_with_queue

from baton.adapters.eventbridge import (
    MAX_BYTES_PER_CALL,
    EventBridgePublisher,
    EventTooLarge,
    PublishFailed,
    entry_size,
)
from baton.events import MessageReceived, MessageSnapshot, OutcomeRecorded, event_id_for
from baton.models import MAX_TEXT_BYTES, Customer, Page, RecentAction, Role, Source

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("aws_env")]

T0 = datetime(2025, 3, 14, 9, 30, tzinfo=UTC)


def received(
    conversation_id: str, seq: int, text: str = "hello", page: Page | None = None
) -> MessageReceived:
    message_id = f"m{seq}"
    return MessageReceived(
        event_id=event_id_for("MessageReceived", conversation_id, message_id),
        occurred_at=T0,
        conversation_id=conversation_id,
        seq=seq,
        message=MessageSnapshot(
            message_id=message_id,
            seq=seq,
            role=Role.customer,
            text=text,
            sent_at=T0,
            received_at=T0,
            source=Source.api,
            customer=Customer(id="cus_1", account_id="acct_1"),
            page=page,
        ),
    )


@pytest.fixture
def bus_to_queue() -> Iterator[tuple[Any, Any, str]]:
    """A custom bus whose rule sends Baton ingestion events to an SQS queue (as the CDK stacks do)."""
    with mock_aws():
        events = boto3.client("events")
        sqs = boto3.client("sqs")
        queue_url = bus_with_queue(
            events, sqs, bus="baton-test", queue="ingestion-events", pattern={"source": ["baton.ingestion"]}
        )
        yield events, sqs, queue_url


def drain(sqs: Any, queue_url: str) -> list[dict[str, Any]]:
    bodies: list[dict[str, Any]] = []
    while True:
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
        if not messages:
            return bodies
        for message in messages:
            bodies.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


def test_an_event_reaches_the_rule_target_with_its_contract(bus_to_queue: tuple[Any, Any, str]) -> None:
    events, sqs, queue_url = bus_to_queue
    event = received("c1", 1, "I was charged twice")

    EventBridgePublisher("baton-test", client=events).publish([event])

    [delivered] = drain(sqs, queue_url)
    assert delivered["source"] == "baton.ingestion"
    assert delivered["detail-type"] == "MessageReceived"
    assert MessageReceived.model_validate(delivered["detail"]) == event


class Spy:
    """Records each PutEvents call and passes it on."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.calls: list[list[dict[str, Any]]] = []

    def put_events(self, Entries: list[dict[str, Any]]) -> Any:
        self.calls.append(Entries)
        return self.client.put_events(Entries=Entries)


def test_many_events_go_in_batches_of_ten_and_all_arrive(bus_to_queue: tuple[Any, Any, str]) -> None:
    events, sqs, queue_url = bus_to_queue
    spy = Spy(events)
    batch = [received("c1", seq) for seq in range(1, 24)] + [
        OutcomeRecorded(event_id="o1", conversation_id="c1", source=Source.zendesk, kind="resolved")
    ]

    EventBridgePublisher("baton-test", client=spy).publish(batch)

    assert [len(call) for call in spy.calls] == [10, 10, 4]
    delivered = drain(sqs, queue_url)
    assert sorted(d["detail"]["event_id"] for d in delivered) == sorted(e.event_id for e in batch)


def test_large_events_are_batched_under_256_kb(bus_to_queue: tuple[Any, Any, str]) -> None:
    events, sqs, queue_url = bus_to_queue
    spy = Spy(events)
    # The largest messages the API accepts: 16 KB of text and 50 recent actions with 1 KB details.
    page = Page(
        url="https://app.example.com/billing",
        recent_actions=[RecentAction(type="error_shown", at=T0, detail="é" * 512) for _ in range(50)],
    )
    big = [received("c1", seq, "€" * (MAX_TEXT_BYTES // 3), page) for seq in range(1, 31)]  # ~70 KB each

    EventBridgePublisher("baton-test", client=spy).publish(big)

    assert len(spy.calls) > 3  # the size, not the count, split them
    for call in spy.calls:
        assert len(call) <= 10
        assert sum(entry_size(entry) for entry in call) <= MAX_BYTES_PER_CALL
    assert [entry["Detail"] for call in spy.calls for entry in call] == [e.model_dump_json() for e in big]
    assert len(drain(sqs, queue_url)) == 30


def test_an_event_larger_than_a_call_is_refused_before_sending() -> None:
    class Never:
        def put_events(self, **_: Any) -> Any:
            raise AssertionError("must not be called")

    huge = received("c1", 1, "x" * (MAX_BYTES_PER_CALL + 1))

    with pytest.raises(EventTooLarge):
        EventBridgePublisher("baton-test", client=Never()).publish([huge])


# -- failed entries (stubbed client: exact requests and answers) -----------------------------------------


@pytest.fixture
def stubbed() -> Iterator[tuple[Any, Stubber]]:
    client = boto3.client("events", region_name="eu-west-1")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def _ok(n: int) -> dict[str, Any]:
    return {"FailedEntryCount": 0, "Entries": [{"EventId": f"id-{i}"} for i in range(n)]}


def test_throttled_entries_are_resent_alone_until_accepted(stubbed: tuple[Any, Stubber]) -> None:
    client, stubber = stubbed
    batch = [received("c1", seq) for seq in (1, 2, 3)]
    entries = [e.entry("baton") for e in batch]
    stubber.add_response(
        "put_events",
        {
            "FailedEntryCount": 2,
            "Entries": [
                {"EventId": "id-1"},
                {"ErrorCode": "ThrottlingException", "ErrorMessage": "Rate exceeded"},
                {"ErrorCode": "InternalFailure", "ErrorMessage": "try again"},
            ],
        },
        {"Entries": entries},
    )
    stubber.add_response(
        "put_events",
        {"FailedEntryCount": 1, "Entries": [{"EventId": "id-2"}, {"ErrorCode": "ThrottlingException"}]},
        {"Entries": entries[1:]},
    )
    stubber.add_response("put_events", _ok(1), {"Entries": entries[2:]})
    sleeps: list[float] = []

    EventBridgePublisher("baton", client=client, sleep=sleeps.append).publish(batch)

    assert len(sleeps) == 2  # backed off before each resend


def test_entries_still_throttled_after_the_last_attempt_raise_with_their_codes(
    stubbed: tuple[Any, Stubber],
) -> None:
    client, stubber = stubbed
    event = received("c1", 1)
    for _ in range(3):
        stubber.add_response(
            "put_events",
            {
                "FailedEntryCount": 1,
                "Entries": [{"ErrorCode": "ThrottlingException", "ErrorMessage": "Rate exceeded"}],
            },
            {"Entries": [event.entry("baton")]},
        )

    with pytest.raises(PublishFailed) as failed:
        EventBridgePublisher("baton", client=client, max_attempts=3, sleep=lambda _: None).publish([event])

    assert "ThrottlingException" in str(failed.value)
    assert failed.value.failures == [
        {
            "DetailType": "MessageReceived",
            "event_id": event.event_id,
            "ErrorCode": "ThrottlingException",
            "ErrorMessage": "Rate exceeded",
        }
    ]


def test_a_permanent_error_is_not_retried_but_the_transient_ones_are(stubbed: tuple[Any, Stubber]) -> None:
    client, stubber = stubbed
    batch = [received("c1", 1), received("c1", 2), received("c1", 3)]
    entries = [e.entry("baton") for e in batch]
    stubber.add_response(
        "put_events",
        {
            "FailedEntryCount": 2,
            "Entries": [
                {"ErrorCode": "MalformedDetail", "ErrorMessage": "bad json"},
                {"ErrorCode": "ThrottlingException"},
                {"EventId": "id-3"},
            ],
        },
        {"Entries": entries},
    )
    stubber.add_response("put_events", _ok(1), {"Entries": [entries[1]]})

    with pytest.raises(PublishFailed) as failed:
        EventBridgePublisher("baton", client=client, sleep=lambda _: None).publish(batch)

    assert [(f["event_id"], f["ErrorCode"]) for f in failed.value.failures] == [
        (batch[0].event_id, "MalformedDetail")
    ]


def test_a_failure_in_one_batch_does_not_stop_the_others_and_is_reported(
    stubbed: tuple[Any, Stubber],
) -> None:
    client, stubber = stubbed
    batch = [received("c1", seq) for seq in range(1, 13)]
    entries = [e.entry("baton") for e in batch]
    first = _ok(10)
    first["FailedEntryCount"] = 1
    first["Entries"][4] = {"ErrorCode": "AccessDeniedException", "ErrorMessage": "no"}
    stubber.add_response("put_events", first, {"Entries": entries[:10]})
    stubber.add_response("put_events", _ok(2), {"Entries": entries[10:]})

    with pytest.raises(PublishFailed) as failed:
        EventBridgePublisher("baton", client=client).publish(batch)

    assert [f["event_id"] for f in failed.value.failures] == [batch[4].event_id]
