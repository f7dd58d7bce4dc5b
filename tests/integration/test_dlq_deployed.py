"""`baton dlq list | show | replay --stage`: a deployed stage's dead letters, under moto (SQS, CloudWatch Logs).

The stage's stacks are answered by botocore's Stubber (moto's CloudFormation needs packages the suite does not
install), with the `Consumer<Name>` output infra/stacks/capability.py writes (tests/infra pins that output). moto
5.2.6 has no SQS message move tasks: `MoveTasks` answers StartMessageMoveTask and ListMessageMoveTasks as SQS
does, moving the DLQ's messages to the destination at once (tests/unit/test_dlq_deployed_stubbed.py pins the
exact requests with the Stubber).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from baton import cli
from baton.adapters.sqs import SqsDeadLetterQueue
from baton.operations import dlq as dlq_module

pytestmark = pytest.mark.integration

LOG_GROUP = "Dev-Scoring-ScoreHandlerLogs-ABC"
MAX_RECEIVES = 2


def event(conversation: str, seq: int, *, source: str = "baton.ingestion") -> str:
    return json.dumps(
        {
            "version": "0",
            "id": f"evt-{conversation}-{seq}",
            "detail-type": "MessageReceived",
            "source": source,
            "account": "123456789012",
            "time": "2026-05-01T10:00:00Z",
            "region": "eu-west-1",
            "resources": [],
            "detail": {"event_id": f"e-{seq}", "conversation_id": conversation, "seq": seq},
        }
    )


class MoveTasks:
    """The moto SQS client, with SQS message move tasks (which moto lacks): a task moves every message of its
    source to its destination when it starts, and is then listed as COMPLETED (or as `status`, to test a task
    still running)."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.started: list[dict[str, Any]] = []
        self.tasks: dict[str, list[dict[str, Any]]] = {}
        self.status = "COMPLETED"

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def start_message_move_task(self, **request: Any) -> dict[str, Any]:
        self.started.append(request)
        source = self._client.get_queue_url(QueueName=request["SourceArn"].rsplit(":", 1)[1])["QueueUrl"]
        target = self._client.get_queue_url(QueueName=request["DestinationArn"].rsplit(":", 1)[1])["QueueUrl"]
        moved = 0
        while messages := self._client.receive_message(QueueUrl=source, MaxNumberOfMessages=10).get(
            "Messages"
        ):
            for message in messages:
                self._client.send_message(QueueUrl=target, MessageBody=message["Body"])
                self._client.delete_message(QueueUrl=source, ReceiptHandle=message["ReceiptHandle"])
                moved += 1
        handle = f"task-{len(self.started)}"
        self.tasks.setdefault(request["SourceArn"], []).insert(
            0,
            {
                "TaskHandle": handle,
                "Status": self.status,
                "SourceArn": request["SourceArn"],
                "DestinationArn": request["DestinationArn"],
                "ApproximateNumberOfMessagesMoved": moved,
                "ApproximateNumberOfMessagesToMove": moved,
                "StartedTimestamp": int(time.time() * 1000),
            },
        )
        return {"TaskHandle": handle}

    def list_message_move_tasks(self, SourceArn: str, MaxResults: int = 1) -> dict[str, Any]:
        return {"Results": self.tasks.get(SourceArn, [])[:MaxResults]}


class Stage:
    """A deployed `dev` stage with one consumer, `score`: its queue (redrive to its DLQ after MAX_RECEIVES), DLQ,
    target DLQ and log group, in moto."""

    def __init__(self) -> None:
        self.sqs = MoveTasks(boto3.client("sqs"))
        self.logs = boto3.client("logs")
        self.dlq_url = self.sqs.create_queue(QueueName="Dev-Scoring-ScoreDlq")["QueueUrl"]
        self.target_url = self.sqs.create_queue(QueueName="Dev-Scoring-ScoreTargetDlq")["QueueUrl"]
        self.dlq_arn = self.arn(self.dlq_url)
        self.queue_url = self.sqs.create_queue(
            QueueName="Dev-Scoring-ScoreQueue",
            Attributes={
                "RedrivePolicy": json.dumps(
                    {"deadLetterTargetArn": self.dlq_arn, "maxReceiveCount": MAX_RECEIVES}
                )
            },
        )["QueueUrl"]
        self.logs.create_log_group(logGroupName=LOG_GROUP)
        self.logs.create_log_stream(logGroupName=LOG_GROUP, logStreamName="2026/05/01/[$LATEST]abc")
        self.output = {
            "consumer": "score",
            "queue_url": self.queue_url,
            "queue_arn": self.arn(self.queue_url),
            "dlq_url": self.dlq_url,
            "dlq_arn": self.dlq_arn,
            "target_dlq_url": self.target_url,
            "target_dlq_arn": self.arn(self.target_url),
            "function": "Dev-Scoring-ScoreHandlerFunction-XYZ",
            "log_group": LOG_GROUP,
        }

    def arn(self, url: str) -> str:
        return self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]

    def fail(self, body: str) -> str:
        """A record the function fails every time: sent to the queue, received MAX_RECEIVES times, then moved to
        the DLQ by the redrive policy (on the next receive, in moto). Returns its SQS message id."""
        message_id = self.sqs.send_message(QueueUrl=self.queue_url, MessageBody=body)["MessageId"]
        for _ in range(MAX_RECEIVES + 1):
            self.sqs.receive_message(QueueUrl=self.queue_url, VisibilityTimeout=0)
        return message_id

    def log(self, **line: Any) -> None:
        self.logs.put_log_events(
            logGroupName=LOG_GROUP,
            logStreamName="2026/05/01/[$LATEST]abc",
            logEvents=[{"timestamp": int(time.time() * 1000), "message": json.dumps(line)}],
        )

    def counts(self, url: str) -> tuple[int, int]:
        attributes = self.sqs.get_queue_attributes(
            QueueUrl=url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"]), int(
            attributes["ApproximateNumberOfMessagesNotVisible"]
        )

    def stacks(self) -> dict[str, Any]:
        """DescribeStacks as CloudFormation answers it for the region: this stage's stacks and another stage's."""
        consumer = {"OutputKey": "ConsumerScore", "OutputValue": json.dumps(self.output)}
        return {
            "Stacks": [
                self._stack("Dev-Core", [{"OutputKey": "EventBusName", "OutputValue": "bus"}]),
                self._stack("Dev-Scoring", [consumer]),
                self._stack(
                    "Prod-Scoring",
                    [{**consumer, "OutputValue": json.dumps({**self.output, "consumer": "x"})}],
                ),
            ]
        }

    @staticmethod
    def _stack(name: str, outputs: list[dict[str, str]]) -> dict[str, Any]:
        return {
            "StackName": name,
            "StackId": f"arn:aws:cloudformation:eu-west-1:123456789012:stack/{name}/1",
            "CreationTime": "2026-05-01T00:00:00Z",
            "StackStatus": "UPDATE_COMPLETE",
            "Outputs": outputs,
        }


class Session:
    """boto3.Session as `baton dlq --stage` uses it: the moto clients, and CloudFormation through the Stubber."""

    def __init__(self, stage: Stage, cloudformation: Any) -> None:
        self.region_name = "eu-west-1"
        self._clients = {"sqs": stage.sqs, "logs": stage.logs, "cloudformation": cloudformation}

    def client(self, name: str, **_: Any) -> Any:
        return self._clients[name]


@pytest.fixture
def stage(aws_env: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[Stage]:
    monkeypatch.setattr(dlq_module, "PEEK_POLL_S", 0)  # moto answers every receive: no long poll needed
    with mock_aws():
        deployed = Stage()
        cloudformation = boto3.client("cloudformation")
        stubber = Stubber(cloudformation)
        for _ in range(5):  # one DescribeStacks per command
            stubber.add_response("describe_stacks", deployed.stacks(), {})
        with stubber:
            monkeypatch.setattr(cli, "_stage_session", lambda args: Session(deployed, cloudformation))
            yield deployed


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = cli.main(list(argv))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


def dead_letters(stage: Stage) -> tuple[str, str]:
    """Three dead letters of `score` and two of its target DLQ; (the failed record's id, the malformed one's)."""
    failed = stage.fail(event("zendesk:1", 3))
    stage.log(level="INFO", message="processing", sqs_message_id=failed)
    stage.log(
        level="ERROR",
        message="record failed; retried, then the DLQ",
        sqs_message_id=failed,
        conversation_id="zendesk:1",
        seq=3,
        reason="ClientError: ProvisionedThroughputExceededException",
    )
    stage.log(level="ERROR", message="record failed", sqs_message_id="someone-else", reason="not this one")
    silent = stage.fail(event("zendesk:2", 1))  # e.g. a timeout: nothing logged
    # A body that breaks its contract: the function sends it to its DLQ itself, with the reason (baton.consumer).
    record = {
        "messageId": "source-message-1",
        "body": event("zendesk:3", 1),
        "eventSourceARN": stage.output["queue_arn"],
        "attributes": {"ApproximateReceiveCount": "1"},
    }
    SqsDeadLetterQueue(stage.dlq_url, client=stage.sqs).send(
        record, "detail.seq: Input should be greater than 0"
    )
    malformed = next(
        m["MessageId"]
        for m in stage.sqs.receive_message(
            QueueUrl=stage.dlq_url, MaxNumberOfMessages=10, VisibilityTimeout=0
        )["Messages"]
        if m["MessageId"] not in (failed, silent)
    )
    errors = {
        "ERROR_CODE": {"DataType": "String", "StringValue": "SQS.AccessDenied"},
        "ERROR_MESSAGE": {
            "DataType": "String",
            "StringValue": "the queue policy denies events.amazonaws.com",
        },
    }
    stage.sqs.send_message(
        QueueUrl=stage.target_url, MessageBody=event("zendesk:4", 2), MessageAttributes=errors
    )
    tick = json.loads(event("tick", 0, source="aws.events"))
    stage.sqs.send_message(QueueUrl=stage.target_url, MessageBody=json.dumps(tick), MessageAttributes=errors)
    return failed, malformed


def test_list_shows_each_dead_letter_with_its_event_and_error_and_leaves_them_there(
    stage: Stage, capsys
) -> None:
    failed, malformed = dead_letters(stage)
    before = (stage.counts(stage.dlq_url), stage.counts(stage.target_url))

    code, out, err = run(capsys, "dlq", "list", "--stage", "dev", "--json")
    assert code == 0, err
    queues = {q["dlq"]: q for q in map(json.loads, out.splitlines())}
    assert queues["dlq"]["consumer"] == "score" and queues["dlq"]["messages"] == 3
    letters = {letter["id"]: letter for letter in queues["dlq"]["letters"]}
    assert len(letters) == 3
    # Moved by the redrive policy: the reason its function logged for that SQS message (the ERROR line).
    assert letters[failed]["error"] == "ClientError: ProvisionedThroughputExceededException"
    assert letters[failed]["event"]["detail"]["conversation_id"] == "zendesk:1"
    assert letters[failed]["receive_count"] >= MAX_RECEIVES
    # Sent by the function itself: the reason rides on the message.
    assert letters[malformed]["error"] == "detail.seq: Input should be greater than 0"
    assert letters[malformed]["attributes"]["source_message_id"] == "source-message-1"
    # Nothing logged (a timeout): said so, not guessed.
    (silent,) = set(letters) - {failed, malformed}
    assert letters[silent]["error"].startswith("(no log line for this message")
    target = {letter["event"]["source"]: letter for letter in queues["target"]["letters"]}
    assert (
        target["baton.ingestion"]["error"] == "SQS.AccessDenied: the queue policy denies events.amazonaws.com"
    )

    # Peeked, not consumed: every message is still there, and visible now (not in flight for PEEK_HOLD_S).
    assert (stage.counts(stage.dlq_url), stage.counts(stage.target_url)) == before == ((3, 0), (2, 0))

    code, out, _ = run(capsys, "dlq", "list", "--stage", "dev")
    assert code == 0
    assert "Dead letters on stage dev (eu-west-1), in 2 of the 2 DLQs of 1 consumer(s)" in out
    assert "ProvisionedThroughputExceededException" in out and "zendesk:1" in out and "MessageReceived" in out


def test_show_finds_a_dead_letter_by_a_prefix_of_its_id(stage: Stage, capsys) -> None:
    failed, _ = dead_letters(stage)
    code, out, err = run(capsys, "dlq", "show", failed[:8], "--stage", "dev", "--consumer", "score")
    assert code == 0, err
    shown = json.loads(out)
    assert (shown["id"], shown["dlq"], shown["consumer"]) == (failed, "dlq", "score")
    assert shown["log"]["reason"] == "ClientError: ProvisionedThroughputExceededException"

    code, _, err = run(capsys, "dlq", "show", "no-such-id", "--stage", "dev")
    assert code == 1 and "no dead letter 'no-such-id'" in err


def test_an_empty_stage_says_so(stage: Stage, capsys) -> None:
    code, out, _ = run(capsys, "dlq", "list", "--stage", "dev")
    assert code == 0
    assert out.strip() == "No dead letters on stage dev (eu-west-1): the 2 DLQs of 1 consumer(s) are empty."


def test_replay_redrives_the_dlq_by_a_move_task_and_puts_the_target_dlq_events_on_the_queue(
    stage: Stage, capsys
) -> None:
    dead_letters(stage)
    code, out, err = run(capsys, "dlq", "replay", "--stage", "dev", "--all", "--rate", "10")
    assert code == 0, err
    assert stage.sqs.started == [
        {
            "SourceArn": stage.dlq_arn,
            "DestinationArn": stage.output["queue_arn"],
            "MaxNumberOfMessagesPerSecond": 10,
        }
    ]
    assert (
        "score: redrive started, about 3 message(s) from its DLQ back to its queue (move task task-1)" in out
    )
    assert "score: 1 event(s) of its target DLQ put on its queue" in out
    assert "1 message(s) left in its target DLQ (schedule ticks" in out
    # The DLQ's three and the target DLQ's event are on the queue; the schedule tick stays where it was.
    assert stage.counts(stage.queue_url) == (4, 0)
    assert stage.counts(stage.dlq_url) == (0, 0)
    assert stage.counts(stage.target_url) == (1, 0)
    bodies = [
        json.loads(m["Body"])
        for m in stage.sqs.receive_message(QueueUrl=stage.queue_url, MaxNumberOfMessages=10)["Messages"]
    ]
    assert {b["detail"]["conversation_id"] for b in bodies} == {
        "zendesk:1",
        "zendesk:2",
        "zendesk:3",
        "zendesk:4",
    }

    code, out, _ = run(capsys, "dlq", "list", "--stage", "dev", "--json")
    (dlq,) = [q for q in map(json.loads, out.splitlines()) if q["dlq"] == "dlq"]
    assert dlq["redrive"]["status"] == "COMPLETED" and dlq["redrive"]["moved"] == 3


def test_replay_is_refused_while_a_redrive_runs_and_list_does_not_peek_meanwhile(
    stage: Stage, capsys
) -> None:
    dead_letters(stage)
    stage.sqs.status = "RUNNING"
    assert run(capsys, "dlq", "replay", "--stage", "dev", "--consumer", "score")[0] == 0
    stage.fail(event("zendesk:9", 1))
    code, _, err = run(capsys, "dlq", "replay", "--stage", "dev", "--consumer", "score")
    assert code == 1 and "a redrive of its DLQ is already running (RUNNING 3/3 moved" in err
    code, out, _ = run(capsys, "dlq", "list", "--stage", "dev")
    assert code == 0 and "RUNNING 3/3 moved" in out
    assert "zendesk:9" not in out  # its DLQ is not read during the move
    code, _, err = run(capsys, "dlq", "show", "abc", "--stage", "dev")
    assert code == 1 and "not read, a redrive running: score" in err
    assert stage.counts(stage.dlq_url) == (1, 0)


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["dlq", "list", "--stage", "qa"], 1, "no stack named Qa-* in this region"),
        (
            ["dlq", "list", "--stage", "dev", "--consumer", "nope"],
            1,
            "no consumer 'nope' on stage 'dev' (deployed: score)",
        ),
        (["dlq", "replay", "--stage", "dev"], 2, "give --consumer NAME (repeatable) or --all"),
        (["dlq", "replay", "--stage", "dev", "abc"], 2, "takes no message ids"),
        (["dlq", "replay", "--stage", "dev", "--all", "--rate", "501"], 2, "at most 500 messages a second"),
        (["dlq", "list", "--stage", "dev", "--data-dir", "/tmp/x"], 2, "give one of them"),
        (["dlq", "list", "--stage", "Dev_1"], 2, "lowercase letters"),
        (["dlq", "list", "--consumer", "score"], 2, "--consumer is for a deployed stage's DLQs: add --stage"),
        (["dlq", "replay", "--all", "--wait"], 2, "--wait is for a deployed stage's DLQs"),
    ],
)
def test_bad_requests_are_named(stage: Stage, capsys, argv: list[str], code: int, message: str) -> None:
    got, _, err = run(capsys, *argv)
    assert (got, message in err) == (code, True), err


def test_an_output_from_another_baton_version_is_named() -> None:
    with pytest.raises(dlq_module.OperationError, match="output ConsumerScore is not a consumer's queues"):
        dlq_module.ConsumerQueues.from_output(
            "Dev-Scoring", "ConsumerScore", json.dumps({"consumer": "score"})
        )
