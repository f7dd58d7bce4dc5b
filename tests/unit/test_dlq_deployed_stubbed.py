"""`baton dlq replay --stage ... --wait`: the exact SQS conversation of a redrive (botocore's Stubber: moto has no
message move tasks). StartMessageMoveTask from the consumer's DLQ to its queue, then ListMessageMoveTasks until the
task is no longer running, with its progress printed. tests/integration/test_dlq_deployed.py runs the rest under
moto."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from baton import cli
from baton.operations import dlq as dlq_module
from baton.operations import stack_prefix

ACCOUNT = "123456789012"
QUEUE = f"https://sqs.eu-west-1.amazonaws.com/{ACCOUNT}/Prod-Decision-DecideQueue"
DLQ = f"https://sqs.eu-west-1.amazonaws.com/{ACCOUNT}/Prod-Decision-DecideDlq"
TARGET = f"https://sqs.eu-west-1.amazonaws.com/{ACCOUNT}/Prod-Decision-DecideTargetDlq"


def arn(url: str) -> str:
    return f"arn:aws:sqs:eu-west-1:{ACCOUNT}:{url.rsplit('/', 1)[1]}"


OUTPUT = {
    "consumer": "decide",
    "queue_url": QUEUE,
    "queue_arn": arn(QUEUE),
    "dlq_url": DLQ,
    "dlq_arn": arn(DLQ),
    "target_dlq_url": TARGET,
    "target_dlq_arn": arn(TARGET),
    "function": "Prod-Decision-DecideHandlerFunction",
    "log_group": "Prod-Decision-DecideHandlerLogs",
}


def client(name: str) -> Any:
    return boto3.client(
        name, region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x", aws_session_token="x"
    )


def task(status: str, moved: int) -> dict[str, Any]:
    return {
        "TaskHandle": "handle-1",
        "Status": status,
        "SourceArn": arn(DLQ),
        "DestinationArn": arn(QUEUE),
        "ApproximateNumberOfMessagesMoved": moved,
        "ApproximateNumberOfMessagesToMove": 2,
        "StartedTimestamp": 1777636800000,
    }


class Session:
    region_name = "eu-west-1"

    def __init__(self, clients: dict[str, Any]) -> None:
        self.clients = clients

    def client(self, name: str, **_: Any) -> Any:
        return self.clients[name]


def test_replay_starts_a_move_task_to_the_queue_and_waits_for_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cfn, sqs, logs = client("cloudformation"), client("sqs"), client("logs")
    stacks = {
        "Stacks": [
            {
                "StackName": "Prod-Decision",
                "CreationTime": "2026-05-01T00:00:00Z",
                "StackStatus": "CREATE_COMPLETE",
                "Outputs": [{"OutputKey": "ConsumerDecide", "OutputValue": json.dumps(OUTPUT)}],
            }
        ]
    }
    with Stubber(cfn) as cfn_stub, Stubber(sqs) as sqs_stub, Stubber(logs):
        cfn_stub.add_response("describe_stacks", stacks, {})
        sqs_stub.add_response(
            "get_queue_attributes",
            {
                "Attributes": {
                    "ApproximateNumberOfMessages": "2",
                    "ApproximateNumberOfMessagesNotVisible": "0",
                }
            },
            {
                "QueueUrl": DLQ,
                "AttributeNames": ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
            },
        )
        sqs_stub.add_response(
            "list_message_move_tasks", {"Results": []}, {"SourceArn": arn(DLQ), "MaxResults": 1}
        )
        sqs_stub.add_response(
            "start_message_move_task",
            {"TaskHandle": "handle-1"},
            {"SourceArn": arn(DLQ), "DestinationArn": arn(QUEUE), "MaxNumberOfMessagesPerSecond": 50},
        )
        sqs_stub.add_response(
            "receive_message",
            {"Messages": []},
            {"QueueUrl": TARGET, "MaxNumberOfMessages": 10, "VisibilityTimeout": 60, "WaitTimeSeconds": 1},
        )
        for status, moved in (("RUNNING", 1), ("COMPLETED", 2)):
            sqs_stub.add_response(
                "list_message_move_tasks",
                {"Results": [task(status, moved)]},
                {"SourceArn": arn(DLQ), "MaxResults": 1},
            )
        slept: list[float] = []
        monkeypatch.setattr(
            cli, "_stage_session", lambda args: Session({"cloudformation": cfn, "sqs": sqs, "logs": logs})
        )
        monkeypatch.setattr(dlq_module.time, "sleep", slept.append)

        code = cli.main(
            ["dlq", "replay", "--stage", "prod", "--consumer", "decide", "--rate", "50", "--wait"]
        )

        out, err = capsys.readouterr()
        assert code == 0, err
        sqs_stub.assert_no_pending_responses()
    assert out.splitlines() == [
        "decide: redrive started, about 2 message(s) from its DLQ back to its queue (move task handle-1)",
        "decide: RUNNING 1/2 moved (started 2026-05-01T12:00:00+00:00)",
        "decide: COMPLETED 2/2 moved (started 2026-05-01T12:00:00+00:00)",
    ]
    assert slept == [5.0]


def test_the_stack_prefix_is_infras() -> None:
    from infra.config import BatonConfig

    for stage in ("dev", "prod", "qa-eu", "team-2-test"):
        assert stack_prefix(stage) == BatonConfig(stage=stage).stack_prefix
