"""The helpdesk-events SQS consumer: Zendesk partner events in, canonical conversations out; a
record it cannot read is reported as a batch item failure (then the DLQ), never dropped."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from baton.bus import by_name
from baton.local.patterns import matches
from baton.models import ConversationStatus, Role
from baton.settings import Settings
from functions.helpdesk_events.handler import function, lambda_handler


@dataclass
class FakeContext:
    function_name: str = "baton-helpdesk-events"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:eu-west-1:123456789012:function:baton-helpdesk-events"
    aws_request_id: str = "0b0c0d0e-1111-2222-3333-444455556666"


def sqs_event(*bodies: str) -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": f"msg-{i}",
                "receiptHandle": f"handle-{i}",
                "body": body,
                "attributes": {
                    "ApproximateReceiveCount": "1",
                    "SentTimestamp": "1773151331000",
                    "SenderId": "AIDAIENQZJOLO23YVJ4VO",
                    "ApproximateFirstReceiveTimestamp": "1773151331010",
                },
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:eu-west-1:123456789012:helpdesk-events",
                "awsRegion": "eu-west-1",
            }
            for i, body in enumerate(bodies)
        ]
    }


@pytest.fixture
def deps(service):
    return service


@pytest.fixture
def partner(sample_event):
    return lambda name: json.dumps(sample_event(f"helpdesk/zendesk-partner/{name}.json"))


def failed(response: dict[str, Any]) -> list[str]:
    return [item["itemIdentifier"] for item in response["batchItemFailures"]]


def test_partner_events_become_a_canonical_conversation(deps, partner, service, publisher) -> None:
    event = sqs_event(
        partner("ticket_created"),
        partner("comment_created_customer"),
        partner("comment_created_private"),
        partner("comment_created_agent"),
        partner("status_changed_solved"),
    )
    response = lambda_handler(event, FakeContext(), service=deps)
    assert failed(response) == []
    conversation = service.conversation("zendesk:52210")
    assert [m.role for m in conversation.messages] == [Role.customer, Role.agent]
    assert conversation.status == ConversationStatus.resolved
    assert len(publisher.of_type("MessageReceived")) == 2
    assert [e.kind for e in publisher.of_type("OutcomeRecorded")] == ["resolved"]


@pytest.mark.parametrize(
    "poison",
    [
        "this is not json",
        "[1, 2, 3]",
        # A Baton event: not from the Zendesk partner source.
        json.dumps({"source": "baton.ingestion", "detail-type": "MessageReceived", "id": "e1", "detail": {}}),
        # The partner source, but no ticket in the ticket event.
        json.dumps({
            "id": "e2", "source": "aws.partner/zendesk.com/31874402/default",
            "detail-type": "Support Ticket: Comment Created", "detail": {"ticket_event": {"type": "Comment Created"}},
        }),
    ],
)  # fmt: skip
def test_an_unreadable_record_fails_alone(deps, partner, service, poison) -> None:
    event = sqs_event(partner("comment_created_customer"), poison, partner("comment_created_agent"))
    response = lambda_handler(event, FakeContext(), service=deps)
    assert failed(response) == ["msg-1"]
    assert len(service.conversation("zendesk:52210").messages) == 2


def test_a_poison_record_is_logged_with_the_offending_field(deps, caplog, capsys) -> None:
    bad = json.dumps(
        {"id": "e3", "source": "aws.partner/zendesk.com/1/default", "detail-type": "Support Ticket: X"}
    )
    assert failed(lambda_handler(sqs_event(bad), FakeContext(), service=deps)) == ["msg-0"]
    (record,) = [r for r in caplog.records if r.levelname == "ERROR"]
    assert (record.sqs_message_id, record.field) == ("msg-0", "detail")
    assert "MalformedEvents" in capsys.readouterr().out


def test_an_unknown_event_type_is_acknowledged_and_counted(deps, partner, publisher, capsys) -> None:
    response = lambda_handler(sqs_event(partner("unknown_event_type")), FakeContext(), service=deps)
    assert failed(response) == []
    assert publisher.events == []
    out = capsys.readouterr().out
    metrics = [json.loads(line) for line in out.splitlines() if line.startswith("{") and '"_aws"' in line]
    (counted,) = [m for m in metrics if "UnknownTopics" in m]
    assert counted["UnknownTopics"] in ([1.0], 1.0)
    assert counted["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "Baton"
    assert counted["service"] == "helpdesk-events"


def test_a_redelivered_record_changes_nothing(deps, partner, service, publisher) -> None:
    event = sqs_event(partner("comment_created_customer"), partner("status_changed_solved"))
    lambda_handler(event, FakeContext(), service=deps)
    lambda_handler(event, FakeContext(), service=deps)
    assert len(service.conversation("zendesk:52210").messages) == 1
    assert len(publisher.of_type("MessageReceived")) == 1
    outcomes = publisher.of_type("OutcomeRecorded")
    # A redelivered outcome is republished under the same event id: consumers de-duplicate on it.
    assert len({e.event_id for e in outcomes}) == 1


def test_a_redacted_comment_is_blanked_and_counted(deps, partner, service, publisher, capsys) -> None:
    lambda_handler(sqs_event(partner("comment_created_customer")), FakeContext(), service=deps)
    capsys.readouterr()

    response = lambda_handler(sqs_event(partner("comment_redacted")), FakeContext(), service=deps)

    assert failed(response) == []
    (message,) = service.conversation("zendesk:52210").messages
    assert (message.message_id, message.text) == ("zendesk:16200000000101", "")
    assert message.redacted_at is not None
    assert len(publisher.of_type("MessageReceived")) == 1
    # The stored copy is announced as redacted, for the capabilities that keep something of it (the arc, the
    # decision) to forget it; the opening-message id it might also have had was never stored: not announced.
    (redacted,) = publisher.of_type("MessageRedacted")
    assert (redacted.conversation_id, redacted.message_id) == ("zendesk:52210", "zendesk:16200000000101")
    out = capsys.readouterr().out
    metrics = [json.loads(line) for line in out.splitlines() if line.startswith("{") and '"_aws"' in line]
    (counted,) = [m for m in metrics if "HelpdeskRedactions" in m]
    # The comment and the opening message it may have been stored as (see zendesk_partner).
    assert counted["HelpdeskRedactions"] in ([2.0], 2.0)


def test_a_failed_publish_fails_the_record_for_a_retry(deps, partner, publisher) -> None:
    publisher.fail_next = 1
    response = lambda_handler(sqs_event(partner("comment_created_customer")), FakeContext(), service=deps)
    assert failed(response) == ["msg-0"]
    assert (
        failed(lambda_handler(sqs_event(partner("comment_created_customer")), FakeContext(), service=deps))
        == []
    )
    assert len(publisher.of_type("MessageReceived")) == 1


def test_the_samples_match_the_subscription_rule(sample_event) -> None:
    # What the consumer is written for is what the bus routes to it.
    pattern = by_name("helpdesk-events").pattern
    for name in (
        "comment_created_customer",
        "status_changed_solved",
        "comment_redacted",
        "unknown_event_type",
    ):
        assert matches(pattern, sample_event(f"helpdesk/zendesk-partner/{name}.json"))


# botocore's first import makes urllib3 probe for IPv6 with a socket it never connects.
@pytest.mark.filterwarnings("ignore:A test tried to use socket.socket")
def test_dependencies_are_built_once_per_container() -> None:
    function.build_service.cache_clear()
    settings = Settings(conversations_table="t", event_bus_name="b")
    try:
        first = function.build_service(settings)
        assert function.build_service(Settings(conversations_table="t", event_bus_name="b")) is first
    finally:
        function.build_service.cache_clear()
