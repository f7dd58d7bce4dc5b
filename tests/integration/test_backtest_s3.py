"""`baton backtest INPUT --s3 s3://<lake>/backtest/in/RUN/ --stage S` against moto's S3 and Step Functions (and
the Feedback stack's outputs through botocore's Stubber: moto's CloudFormation needs extras not installed): the input uploaded in chunks, the run started with its name; then each chunk scored by the chunk function
as the Distributed Map would call it (real models, S3 through moto), and the chunks' outputs put together are what
`baton backtest INPUT` writes locally, byte for byte. And the refusals: a prefix already used, another bucket, a
stage not deployed, nothing to run."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from contextlib import redirect_stdout
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from baton import cli, wiring
from baton.scoring import backtest, backtest_s3

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "events" / "backtest" / "sample.jsonl"
REGION = "eu-west-1"
LAKE = "dev-feedback-eventslakebucket-1a2b3c"
RUN = "2026-11-refit"


@dataclass
class Context:
    function_name: str = "backtest"
    memory_limit_in_mb: int = 1769
    invoked_function_arn: str = "arn:aws:lambda:eu-west-1:123456789012:function:backtest"
    aws_request_id: str = "0b0c0d0e-1111-2222-3333-444455556666"

    def get_remaining_time_in_millis(self) -> int:
        return 900_000


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """The Feedback stack as `baton backtest --s3` sees it: its outputs, the lake bucket, the state machine."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket=LAKE, CreateBucketConfiguration={"LocationConstraint": REGION})
        sfn = boto3.client("stepfunctions", region_name=REGION)
        machine = sfn.create_state_machine(
            name="BacktestStateMachine",
            definition=json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}),
            roleArn="arn:aws:iam::123456789012:role/backtest",
        )["stateMachineArn"]
        cfn = boto3.client("cloudformation", region_name=REGION)
        with Stubber(cfn) as stubbed:
            for _ in range(3):
                stubbed.add_response(
                    "describe_stacks", {"Stacks": [_stack(machine)]}, {"StackName": "Dev-Feedback"}
                )
            yield {"cloudformation": cfn, "s3": s3, "stepfunctions": sfn, "machine": machine}


def _stack(machine: str) -> dict[str, Any]:
    outputs = {backtest_s3.STATE_MACHINE_OUTPUT: machine, backtest_s3.BUCKET_OUTPUT: LAKE}
    return {
        "StackName": "Dev-Feedback",
        "CreationTime": datetime(2026, 11, 1, tzinfo=UTC),
        "StackStatus": "UPDATE_COMPLETE",
        "Outputs": [{"OutputKey": key, "OutputValue": value} for key, value in outputs.items()],
    }


def _clients(aws: dict[str, Any]) -> dict[str, Any]:
    return {name: aws[name] for name in ("cloudformation", "s3", "stepfunctions")}


def _input(tmp_path: Path) -> Path:
    """The sample five times over (distinct ids: 230 messages), and a truncated line in the middle."""
    lines = []
    for copy in range(5):
        for line in SAMPLE.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            row["conversation_id"] += f"-{copy}"
            lines.append(json.dumps(row, ensure_ascii=False))
    lines.insert(17, '{"conversation_id": "cut-off", "messages": [{"ro')
    path = tmp_path / "outcomes.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _keys(s3: Any, prefix: str) -> list[str]:
    listed = s3.list_objects_v2(Bucket=LAKE, Prefix=prefix)
    return sorted(item["Key"] for item in listed.get("Contents", []))


def _run_the_map(aws: dict[str, Any], run: str, params: str | None) -> list[dict[str, Any]]:
    """What the Distributed Map does: one item per object under the run's prefix, the chunk function on each."""
    from functions.backtest_chunk import handler

    handler.build.cache_clear()
    wiring.reset()
    results = []
    for item in aws["s3"].list_objects_v2(Bucket=LAKE, Prefix=f"backtest/in/{run}/")["Contents"]:
        event = {"bucket": LAKE, "key": item["Key"], "size": item["Size"], "run": run, "params": params}
        results.append(handler.lambda_handler(event, Context()))
    handler.build.cache_clear()
    wiring.reset()
    return results


def test_a_run_uploaded_in_chunks_gives_the_local_output_byte_for_byte(
    aws: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _input(tmp_path)
    url = f"s3://{LAKE}/backtest/in/{RUN}/"

    code = backtest_s3.main(
        [str(source), "--s3", url, "--stage", "dev", "--chunk-messages", "64"], clients=_clients(aws)
    )

    out, err = capsys.readouterr()
    assert code == 0, err
    chunks = _keys(aws["s3"], f"backtest/in/{RUN}/")
    assert chunks == [f"backtest/in/{RUN}/chunk-{n:05d}.jsonl" for n in range(1, len(chunks) + 1)]
    assert len(chunks) >= 3
    # The bad line is reported here with its line number in INPUT, and uploaded for the run to report.
    assert f"{source}:18: not valid JSON" in err
    (execution,) = aws["stepfunctions"].list_executions(stateMachineArn=aws["machine"])["executions"]
    started = aws["stepfunctions"].describe_execution(executionArn=execution["executionArn"])
    assert json.loads(started["input"]) == {"run": RUN, "params": None}
    assert f"started  {execution['executionArn']}" in out
    assert f"output   s3://{LAKE}/backtest/out/{RUN}/scored/" in out
    assert f"({len(chunks)} chunks, 40 conversations, 230 messages, 1 bad lines)" in out

    results = _run_the_map(aws, RUN, None)

    assert sum(r["bad_lines"] for r in results) == 1
    assert sum(r["messages"] for r in results) == 230
    scored_keys = _keys(aws["s3"], f"backtest/out/{RUN}/scored/")
    assert [k.rsplit("/", 1)[1] for k in scored_keys] == [k.rsplit("/", 1)[1] for k in chunks]
    output = "".join(
        aws["s3"].get_object(Bucket=LAKE, Key=key)["Body"].read().decode("utf-8") for key in scored_keys
    )
    errors = [line for line in output.splitlines(keepends=True) if "error" in json.loads(line)]
    scored = "".join(line for line in output.splitlines(keepends=True) if line not in errors)
    local = tmp_path / "local.jsonl"
    assert backtest.main([str(source), "--workers", "1", "-o", str(local)]) == 1  # 1: a line was skipped
    assert scored == local.read_text(encoding="utf-8")
    assert [json.loads(line)["error"].split(" (")[0] for line in errors] == ["not valid JSON"]


def test_a_run_with_params_carries_the_compact_document(aws: dict[str, Any], tmp_path: Path) -> None:
    params = ROOT / "layers" / "models" / "decision" / "params.json"
    url = f"s3://{LAKE}/backtest/in/{RUN}/"

    assert backtest_s3.main([str(SAMPLE), "--s3", url, "--params", str(params)], clients=_clients(aws)) == 0

    (execution,) = aws["stepfunctions"].list_executions(stateMachineArn=aws["machine"])["executions"]
    sent = json.loads(
        aws["stepfunctions"].describe_execution(executionArn=execution["executionArn"])["input"]
    )
    assert sent["run"] == RUN and len(sent["params"].encode()) <= 8192
    assert json.loads(sent["params"])["version"] == json.loads(params.read_text())["version"]


def test_a_prefix_already_used_is_refused_and_nothing_is_started(
    aws: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    aws["s3"].put_object(Bucket=LAKE, Key=f"backtest/in/{RUN}/mine.jsonl", Body=b"{}\n")
    url = f"s3://{LAKE}/backtest/in/{RUN}/"

    assert backtest_s3.main([str(SAMPLE), "--s3", url], clients=_clients(aws)) == 2

    assert "already holds objects" in capsys.readouterr().err
    assert _keys(aws["s3"], f"backtest/in/{RUN}/") == [f"backtest/in/{RUN}/mine.jsonl"]
    assert aws["stepfunctions"].list_executions(stateMachineArn=aws["machine"])["executions"] == []


def test_without_input_it_runs_over_the_objects_already_there(
    aws: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"s3://{LAKE}/backtest/in/{RUN}/"
    assert backtest_s3.main(["--s3", url], clients=_clients(aws)) == 2
    assert f"nothing under {url}" in capsys.readouterr().err

    aws["s3"].put_object(Bucket=LAKE, Key=f"backtest/in/{RUN}/a.jsonl", Body=SAMPLE.read_bytes())
    assert backtest_s3.main(["--s3", url], clients=_clients(aws)) == 0
    assert len(aws["stepfunctions"].list_executions(stateMachineArn=aws["machine"])["executions"]) == 1


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (f"s3://another-bucket/backtest/in/{RUN}/", f"use s3://{LAKE}/backtest/in/{RUN}/"),
        (f"s3://{LAKE}/events/", "--s3 must name a run's input prefix"),
        (f"s3://{LAKE}/backtest/in/a/b/", "--s3 must name a run's input prefix"),
        (f"{LAKE}/backtest/in/{RUN}/", "--s3 takes an S3 URL"),
    ],
)
def test_a_url_that_is_not_a_runs_input_prefix_is_refused(
    aws: dict[str, Any], capsys: pytest.CaptureFixture[str], url: str, expected: str
) -> None:
    assert backtest_s3.main([str(SAMPLE), "--s3", url], clients=_clients(aws)) == 2
    assert expected in capsys.readouterr().err
    assert _keys(aws["s3"], "backtest/") == []


def test_a_stage_not_deployed_is_named_through_the_baton_command(
    aws: dict[str, Any], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    cfn = boto3.client("cloudformation", region_name=REGION)
    stubbed = Stubber(cfn)
    stubbed.add_client_error(
        "describe_stacks",
        service_error_code="ValidationError",
        service_message="Stack with id QaEu-Feedback does not exist",
    )
    stubbed.activate()
    monkeypatch.setattr(backtest_s3, "_clients", lambda region: {**_clients(aws), "cloudformation": cfn})

    with redirect_stdout(io.StringIO()):
        code = cli.main(
            ["backtest", str(SAMPLE), "--s3", f"s3://{LAKE}/backtest/in/{RUN}/", "--stage", "qa-eu"]
        )

    assert code == 1
    assert "no stack QaEu-Feedback in this region" in capsys.readouterr().err


def test_bad_parameters_are_refused_before_anything_is_uploaded(
    aws: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "params.json"
    bad.write_text('{"version": "x"}')

    code = backtest_s3.main(
        [str(SAMPLE), "--s3", f"s3://{LAKE}/backtest/in/{RUN}/", "--params", str(bad)], clients=_clients(aws)
    )

    assert code == 2
    assert "invalid decision parameters" in capsys.readouterr().err
    assert _keys(aws["s3"], "backtest/") == []
