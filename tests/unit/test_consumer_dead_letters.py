"""A record that can never succeed (its body breaks its contract) goes to the consumer's DLQ on its first receive,
with the reason, and is reported handled: not retried five times, each logged at ERROR. Everything else that fails
is retried as before. And each function's metrics are its own (its `service`), even with every function in one
process as under `baton local`."""

from __future__ import annotations

import json
import logging
from typing import Any

import boto3
import pytest
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from moto import mock_aws
from sqs_helpers import FakeContext, envelope, failed, sqs_event

from baton import wiring
from baton.adapters.sqs import REASON, RECEIVE_COUNT, SOURCE_MESSAGE_ID, SOURCE_QUEUE, SqsDeadLetterQueue
from baton.consumer import Batch, BatchFunction, function_metrics
from baton.events import MessageReceived
from baton.scoring.fakes import conversation, received

QUEUE_ARN = "arn:aws:sqs:eu-west-1:123456789012:score"


class FakeSqs:
    """The SQS client's `send_message`: records each call; `fail` makes it raise as an outage would."""

    def __init__(self, fail: bool = False) -> None:
        self.sent: list[dict[str, Any]] = []
        self.fail = fail

    def send_message(self, **kwargs: Any) -> dict[str, Any]:
        if self.fail:
            raise ConnectionError("SQS is unreachable")
        self.sent.append(kwargs)
        return {"MessageId": f"dlq-{len(self.sent)}"}


def good_body(seq: int = 1) -> str:
    messages = conversation(("customer", "I was charged twice"), ("customer", "Why two invoices?"))
    return envelope(json.loads(received(messages[seq - 1]).model_dump_json()))


def bad_body() -> str:
    detail = json.loads(good_body())["detail"]
    detail["seq"] = "first"
    return envelope(detail)


def event(*bodies: str) -> dict[str, Any]:
    return sqs_event({"Records": [_TEMPLATE]}, *bodies)


_TEMPLATE = {
    "messageId": "m",
    "receiptHandle": "r",
    "body": "",
    "attributes": {
        "ApproximateReceiveCount": "1",
        "SentTimestamp": "1773151331000",
        "SenderId": "AIDAIENQZJOLO23YVJ4VO",
        "ApproximateFirstReceiveTimestamp": "1773151331010",
    },
    "messageAttributes": {},
    "md5OfBody": "",
    "eventSource": "aws:sqs",
    "eventSourceARN": QUEUE_ARN,
    "awsRegion": "eu-west-1",
}


def batch(queue: Any) -> Batch:
    return Batch(
        MessageReceived,
        logger=Logger(service="test-consumer"),
        metrics=function_metrics("test-consumer"),
        dead_letters=lambda: queue,
    )


def errors(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_a_record_that_breaks_its_contract_goes_to_the_dlq_at_once_with_why(
    caplog: pytest.LogCaptureFixture,
) -> None:
    sqs = FakeSqs()
    handled: list[Any] = []
    bad = bad_body()
    response = batch(SqsDeadLetterQueue("https://sqs/dlq", client=sqs)).process(
        event(good_body(), bad), FakeContext(), handled.append
    )
    assert failed(response) == []  # handled: SQS deletes it, nothing is retried
    assert [d.seq for d in handled] == [1]
    (sent,) = sqs.sent
    assert (sent["QueueUrl"], sent["MessageBody"]) == ("https://sqs/dlq", bad)  # the body as it came
    attributes = {name: value["StringValue"] for name, value in sent["MessageAttributes"].items()}
    assert attributes[REASON].startswith("detail.seq: Input should be a valid integer")
    assert attributes[SOURCE_QUEUE] == QUEUE_ARN
    assert (attributes[SOURCE_MESSAGE_ID], attributes[RECEIVE_COUNT]) == ("msg-1", "1")
    # Logged once, at ERROR, naming the field.
    (error,) = errors(caplog)
    assert (error.field, error.sqs_message_id) == ("detail.seq", "msg-1")
    assert "sent to the DLQ without retries" in error.getMessage()


@pytest.mark.parametrize(
    "poison",
    ["not json", "[1, 2]", envelope({}, detail_type="MessageScored", source="baton.scoring")],
)
def test_any_body_the_parser_refuses_goes_to_the_dlq(poison: str, caplog: pytest.LogCaptureFixture) -> None:
    sqs = FakeSqs()
    response = batch(SqsDeadLetterQueue("https://sqs/dlq", client=sqs)).process(
        event(poison), FakeContext(), lambda detail: None
    )
    assert failed(response) == []
    assert [s["MessageBody"] for s in sqs.sent] == [poison]
    assert len(errors(caplog)) == 1


def test_a_transient_failure_is_retried_not_dead_lettered(caplog: pytest.LogCaptureFixture) -> None:
    sqs = FakeSqs()

    def handle(detail: Any) -> None:
        raise TimeoutError("DynamoDB did not answer")

    response = batch(SqsDeadLetterQueue("https://sqs/dlq", client=sqs)).process(
        event(good_body()), FakeContext(), handle
    )
    assert failed(response) == ["msg-0"]
    assert sqs.sent == []
    (error,) = errors(caplog)
    assert "TimeoutError" in error.reason


@pytest.mark.parametrize("queue", [SqsDeadLetterQueue("https://sqs/dlq", client=FakeSqs(fail=True)), None])
def test_without_a_dlq_to_send_to_the_record_is_retried_as_before(
    queue: Any, caplog: pytest.LogCaptureFixture
) -> None:
    response = batch(queue).process(event(bad_body()), FakeContext(), lambda detail: None)
    assert failed(response) == ["msg-0"]  # never dropped: the redrive moves it after its receives
    (error,) = errors(caplog)
    assert error.field == "detail.seq" and "after its retries" in error.getMessage()
    assert ("SQS is unreachable" if queue else "no DLQ configured") in error.dlq


def test_a_partner_payload_that_breaks_its_contract_goes_to_the_dlq(
    service: Any, caplog: pytest.LogCaptureFixture, mocker: Any
) -> None:
    from functions.helpdesk_events.handler import function

    sqs = FakeSqs()
    mocker.patch.object(
        function.batch.processor, "_dead_letters", lambda: SqsDeadLetterQueue("q", client=sqs)
    )
    body = json.dumps(
        {
            "id": "e1",
            "source": "aws.partner/zendesk.com/31874402/default",
            "detail-type": "Support Ticket: Comment Created",
            "detail": {"ticket_event": "this is not an object"},
        }
    )
    response = function.lambda_handler(event(body), FakeContext(), service=service)
    assert failed(response) == []
    (sent,) = sqs.sent
    assert (
        sent["MessageAttributes"][REASON]["StringValue"] == "detail.ticket_event: expected an object, got str"
    )
    (error,) = errors(caplog)
    assert error.field == "detail.ticket_event"


def test_a_deployed_consumer_sends_to_the_queue_its_stack_names(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The default wiring: BATON_DEAD_LETTER_QUEUE_URL (set by infra/constructs/consumer.py) -> SendMessage."""
    with mock_aws():
        sqs = boto3.client("sqs", region_name="eu-west-1")
        url = sqs.create_queue(QueueName="score-dlq")["QueueUrl"]
        monkeypatch.setenv("BATON_DEAD_LETTER_QUEUE_URL", url)
        monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
        wiring.reset()
        try:
            function = BatchFunction(
                "score", MessageReceived, build=lambda s: None, handle=lambda *a: None, module=__name__
            )
            response = function.lambda_handler(event(bad_body()), FakeContext())
        finally:
            wiring.reset()
        assert failed(response) == []
        (message,) = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"])["Messages"]
        assert message["Body"] == bad_body()
        assert message["MessageAttributes"][REASON]["StringValue"].startswith("detail.seq: ")


# -- metrics ----------------------------------------------------------------------------------------


def emf(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines() if line.startswith('{"_aws"')]


def test_each_functions_metrics_carry_its_own_service_in_one_process(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Powertools shares one metric set among every `Metrics` of a process: under `baton local` (every function in
    one process) the score function's blob carried the API's pending metrics, under the API's service."""
    api = Metrics(namespace="Baton", service="ingest-api")
    api.add_metric(
        name="MessagesAccepted", unit=MetricUnit.Count, value=1
    )  # pending: the request is not over
    for name in ("score", "decide"):
        metrics = function_metrics(name)
        metrics.add_metric(name=f"{name}-count", unit=MetricUnit.Count, value=1)
        metrics.flush_metrics()
    api.clear_metrics()
    score, decide = emf(capsys.readouterr().out)
    assert (score["service"], decide["service"]) == ("score", "decide")
    assert [m["Name"] for m in score["_aws"]["CloudWatchMetrics"][0]["Metrics"]] == ["score-count"]
    assert "MessagesAccepted" not in score and "MessagesAccepted" not in decide


def test_with_metrics_disabled_a_functions_metrics_are_dropped_not_piled_up(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Powertools prints a set that reaches 100 values even with metrics disabled: `baton local` without --verbose
    printed EMF blobs after about 100 messages."""
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    metrics = function_metrics("score")

    @metrics.log_metrics
    def handler(event: Any, context: Any) -> None:
        metrics.add_metric(name="MessagesScored", unit=MetricUnit.Count, value=1)

    for _ in range(150):
        handler({}, FakeContext())
    assert emf(capsys.readouterr().out) == []
