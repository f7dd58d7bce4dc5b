"""The deployed backtest (Feedback stack), read from the synthesized template: a Distributed Map over the run's
objects in the events lake, one chunk function per object with the model layer, bounded and retried, its summary
written beside the output, an alarm on failed runs, and roles that reach the backtest prefixes alone."""

from __future__ import annotations

import json
from typing import Any

import pytest
from infra_synth import Synth

from baton.scoring import backtest_s3
from infra.constructs import backtest as construct

pytestmark = pytest.mark.infra

FEEDBACK = "Dev-Feedback"


def _listify(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _only(synth: Synth, resource_type: str, prefix: str = "Backtest") -> tuple[str, dict[str, Any]]:
    found = [
        (lid, res["Properties"])
        for stack, lid, res in synth.resources(resource_type)
        if stack == FEEDBACK and lid.startswith(prefix)
    ]
    assert len(found) == 1, (resource_type, prefix, [lid for lid, _ in found])
    return found[0]


def _definition(machine: dict[str, Any]) -> dict[str, Any]:
    """The state machine's definition, each intrinsic (a Ref, a GetAtt) written as `@<logical id>@`."""
    body = machine["DefinitionString"]
    parts = body["Fn::Join"][1] if isinstance(body, dict) else [body]
    text = "".join(
        part if isinstance(part, str) else f"@{Synth.ref_id(part) or json.dumps(part, sort_keys=True)}@"
        for part in parts
    )
    return json.loads(text)


def _statements(synth: Synth, role_id: str) -> list[dict[str, Any]]:
    return [
        statement
        for stack, _, policy in synth.resources("AWS::IAM::Policy")
        if stack == FEEDBACK and {"Ref": role_id} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def _arn_suffix(resource: Any) -> tuple[str | None, str]:
    """(logical id, suffix) of `<GetAtt X.Arn>/suffix`; (logical id, "") of a plain Ref/GetAtt."""
    if isinstance(resource, dict) and "Fn::Join" in resource:
        parts = resource["Fn::Join"][1]
        return Synth.ref_id(parts[0]), "".join(p for p in parts[1:] if isinstance(p, str))
    return Synth.ref_id(resource), ""


@pytest.fixture(scope="module")
def machine(synth: Synth) -> tuple[str, dict[str, Any]]:
    return _only(synth, "AWS::StepFunctions::StateMachine")


@pytest.fixture(scope="module")
def lake_bucket(synth: Synth) -> str:
    (bucket_id,) = [
        lid
        for stack, lid, _ in synth.resources("AWS::S3::Bucket")
        if stack == FEEDBACK and lid.startswith("EventsLakeBucket")
    ]
    return bucket_id


@pytest.fixture(scope="module")
def function(synth: Synth) -> tuple[str, dict[str, Any]]:
    (found,) = [
        (lid, f["Properties"])
        for stack, lid, f in synth.resources("AWS::Lambda::Function")
        if f["Properties"]["Handler"] == f"{construct.HANDLER_MODULE}.lambda_handler"
    ]
    assert [s for s, lid, _ in synth.resources("AWS::Lambda::Function") if lid == found[0]] == [FEEDBACK]
    return found


def test_one_backtest_state_machine_in_the_feedback_stack(synth: Synth) -> None:
    machines = [stack for stack, _, _ in synth.resources("AWS::StepFunctions::StateMachine")]
    assert machines == [FEEDBACK]


def test_the_map_reads_the_runs_objects_in_the_lake_and_writes_its_summary_beside_the_output(
    machine: tuple[str, dict[str, Any]], lake_bucket: str, function: tuple[str, dict[str, Any]]
) -> None:
    definition = _definition(machine[1])
    chunks = definition["States"]["Chunks"]
    assert chunks["Type"] == "Map"
    assert chunks["ItemProcessor"]["ProcessorConfig"] == {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}
    reader = chunks["ItemReader"]
    assert reader["Resource"].endswith(":states:::s3:listObjectsV2")
    assert reader["Parameters"] == {"Bucket": f"@{lake_bucket}@", "Prefix.$": "$.input_prefix"}
    writer = chunks["ResultWriter"]
    assert writer["Resource"].endswith(":states:::s3:putObject")
    assert writer["Parameters"] == {"Bucket": f"@{lake_bucket}@", "Prefix.$": "$.summary_prefix"}
    # Computed from the run's name by the state before the map.
    prefixes = definition["States"]["Prefixes"]
    assert prefixes["Next"] == "Chunks"
    assert prefixes["Parameters"] == {
        "run.$": "$.run",
        "params.$": "$.params",
        "input_prefix.$": "States.Format('backtest/in/{}/', $.run)",
        "summary_prefix.$": "States.Format('backtest/out/{}/summary', $.run)",
    }
    # One item per object: where it is, its size, the run and the run's parameters document.
    assert chunks["ItemSelector"] == {
        "bucket": f"@{lake_bucket}@",
        "key.$": "$$.Map.Item.Value.Key",
        "size.$": "$$.Map.Item.Value.Size",
        "run.$": "$.run",
        "params.$": "$.params",
    }
    (task,) = chunks["ItemProcessor"]["States"].values()
    assert task["Type"] == "Task" and task["Resource"] == f"@{function[0]}@"


def test_the_map_is_bounded_retries_throttling_and_tolerates_few_failures(
    machine: tuple[str, dict[str, Any]],
) -> None:
    definition = _definition(machine[1])
    chunks = definition["States"]["Chunks"]
    assert chunks["MaxConcurrency"] == construct.MAX_CONCURRENCY == 20
    assert chunks["ToleratedFailurePercentage"] == construct.TOLERATED_FAILURE_PERCENT == 5
    (task,) = chunks["ItemProcessor"]["States"].values()
    retries = {error: retry for retry in task["Retry"] for error in retry["ErrorEquals"]}
    throttled = retries["Lambda.TooManyRequestsException"]
    assert throttled["MaxAttempts"] >= 6 and throttled["BackoffRate"] == 2
    assert throttled["JitterStrategy"] == "FULL"
    assert "Lambda.ServiceException" in retries
    # A chunk's own failure (too large, bad input) would fail the same way again: not retried.
    assert "States.ALL" not in retries and "States.TaskFailed" not in retries
    assert definition["TimeoutSeconds"] == 12 * 3600  # and the whole run is bounded in time


def test_an_execution_without_a_run_name_fails_before_listing_anything(
    machine: tuple[str, dict[str, Any]],
) -> None:
    states = _definition(machine[1])["States"]
    start = states[_definition(machine[1])["StartAt"]]
    assert start["Type"] == "Pass" and "States.JsonMerge" in start["Parameters"]["args.$"]
    choice = states[start["Next"]]
    assert choice["Type"] == "Choice" and choice["Default"] == "BadInput"
    (when,) = choice["Choices"]
    assert when["Next"] == "Prefixes"
    assert {"Variable": "$.run", "IsPresent": True} in when["And"]
    assert states["BadInput"]["Type"] == "Fail"


def test_the_chunk_function_runs_the_models_like_the_score_function(
    synth: Synth, function: tuple[str, dict[str, Any]]
) -> None:
    _, props = function
    assert props["Runtime"] == "python3.13" and props["Architectures"] == ["arm64"]
    assert props["Timeout"] == 900
    assert props["MemorySize"] == construct.FUNCTION_MEMORY_MB
    layers = [Synth.ref_id(layer) or "" for layer in props["Layers"]]
    assert any(layer.startswith("ModelLayer") for layer in layers)
    assert any(layer.startswith("BatonLayer") for layer in layers)
    assert any(layer.startswith("DependenciesLayer") for layer in layers)


def test_the_function_reads_run_inputs_and_writes_run_outputs_and_nothing_else(
    synth: Synth, function: tuple[str, dict[str, Any]], lake_bucket: str
) -> None:
    role = Synth.ref_id(function[1]["Role"])
    assert role
    grants = {
        (action, _arn_suffix(resource))
        for statement in _statements(synth, role)
        for action in _listify(statement["Action"])
        for resource in _listify(statement["Resource"])
        if not action.startswith("logs:")
    }
    (key_id,) = [lid for s, lid, _ in synth.resources("AWS::KMS::Key") if s == FEEDBACK]
    assert grants == {
        ("s3:GetObject", (lake_bucket, "/backtest/in/*")),
        ("s3:PutObject", (lake_bucket, "/backtest/out/*")),
        ("kms:Decrypt", (key_id, "")),
        ("kms:GenerateDataKey", (key_id, "")),
    }
    for statement in _statements(synth, role):
        if any(a.startswith("kms:") for a in _listify(statement["Action"])):
            (via,) = statement["Condition"]["StringEquals"].values()
            assert json.dumps(via).startswith('{"Fn::Join"') and "s3." in json.dumps(via)


def test_the_state_machine_lists_the_inputs_writes_summaries_and_invokes_its_function_only(
    synth: Synth, machine: tuple[str, dict[str, Any]], function: tuple[str, dict[str, Any]], lake_bucket: str
) -> None:
    machine_id, props = machine
    role = Synth.ref_id(props["RoleArn"])
    assert role
    statements = _statements(synth, role)
    s3 = {
        (action, _arn_suffix(resource))
        for statement in statements
        for action in _listify(statement["Action"])
        if action.startswith("s3:")
        for resource in _listify(statement["Resource"])
    }
    assert s3 == {
        ("s3:ListBucket", (lake_bucket, "")),
        *(
            (action, (lake_bucket, "/backtest/out/*"))
            for action in (
                "s3:PutObject",
                "s3:GetObject",
                "s3:ListMultipartUploadParts",
                "s3:AbortMultipartUpload",
            )
        ),
    }
    (listing,) = [s for s in statements if s["Action"] == "s3:ListBucket"]
    assert listing["Condition"] == {"StringLike": {"s3:prefix": ["backtest/in/*"]}}
    (invoke,) = [s for s in statements if "lambda:InvokeFunction" in _listify(s["Action"])]
    assert invoke["Resource"] == {"Fn::GetAtt": [function[0], "Arn"]}
    states = [s for s in statements if any(a.startswith("states:") for a in _listify(s["Action"]))]
    for statement in states:
        assert machine_id in json.dumps(statement["Resource"])  # its own executions, no other machine's
    # Nothing on "*": hence no CloudWatch Logs execution log (its delivery needs logs:*LogDelivery* on "*").
    assert not [s for s in statements if "*" in _listify(s["Resource"])]


def test_there_is_no_execution_log_since_its_delivery_needs_resource_star(
    machine: tuple[str, dict[str, Any]],
) -> None:
    assert "LoggingConfiguration" not in machine[1]


def test_a_failed_or_timed_out_run_notifies_the_alarm_topic(
    synth: Synth, machine: tuple[str, dict[str, Any]]
) -> None:
    _, alarm = _only(synth, "AWS::CloudWatch::Alarm", "BacktestFailedRunsAlarm")
    metrics = {
        m["MetricStat"]["Metric"]["MetricName"]: m["MetricStat"]["Metric"]
        for m in alarm["Metrics"]
        if "MetricStat" in m
    }
    assert set(metrics) == {"ExecutionsFailed", "ExecutionsTimedOut"}
    for metric in metrics.values():
        assert metric["Namespace"] == "AWS/States"
        assert metric["Dimensions"] == [{"Name": "StateMachineArn", "Value": {"Ref": machine[0]}}]
    assert alarm["ComparisonOperator"] == "GreaterThanThreshold" and alarm["Threshold"] == 0
    assert alarm["TreatMissingData"] == "notBreaching"
    assert alarm["AlarmActions"] and alarm["OKActions"]
    assert "AlarmTopic" in json.dumps(alarm["AlarmActions"])  # the core stack's alarm topic (weak reference)


def test_the_stack_outputs_what_baton_backtest_s3_reads(
    synth: Synth, machine: tuple[str, dict[str, Any]]
) -> None:
    outputs = synth.templates[FEEDBACK]["Outputs"]
    assert outputs[backtest_s3.STATE_MACHINE_OUTPUT]["Value"] == {"Ref": machine[0]}
    assert backtest_s3.BUCKET_OUTPUT in outputs
    assert FEEDBACK.split("-", 1)[1] == backtest_s3.FEEDBACK_CAPABILITY
