"""What operators read from a synthesized app: the `Consumer<Name>` outputs `baton dlq --stage` finds a stage's
dead letters by, and the summary `./dev synth` ends with (infra/summary.py)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from infra_synth import Synth

from baton import bus
from baton.operations.dlq import CONSUMER_OUTPUT_PREFIX, ConsumerQueues
from infra.stacks.core import pascal
from infra.summary import render, summarize

pytestmark = pytest.mark.infra


def _resolve(value: Any) -> str:
    """An output's value with each reference written as `<Ref:Id>` / `<Arn:Id>` (what CloudFormation fills in)."""
    if isinstance(value, str):
        return value
    if "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return separator.join(_resolve(part) for part in parts)
    if "Ref" in value:
        return f"<Ref:{value['Ref']}>"
    if "Fn::GetAtt" in value:
        logical_id, attribute = value["Fn::GetAtt"]
        return f"<{attribute}:{logical_id}>"
    raise AssertionError(f"unexpected intrinsic in an output: {value}")


def _ref(text: str, kind: str = "Ref") -> str:
    assert text.startswith(f"<{kind}:") and text.endswith(">"), text
    return text[len(kind) + 2 : -1]


def _consumers(synth: Synth) -> dict[str, tuple[str, ConsumerQueues]]:
    found = {}
    for stack, template in synth.templates.items():
        for key, output in template.get("Outputs", {}).items():
            if key.startswith(CONSUMER_OUTPUT_PREFIX):
                queues = ConsumerQueues.from_output(stack, key, _resolve(output["Value"]))
                assert key == CONSUMER_OUTPUT_PREFIX + pascal(queues.consumer)
                found[queues.consumer] = (stack, queues)
    return found


def test_every_consumer_has_an_output_naming_its_queues_function_and_log_group(synth: Synth) -> None:
    consumers = _consumers(synth)
    assert set(consumers) == {sub.name for sub in bus.active_subscriptions() if sub.implemented}
    for name, (stack, queues) in consumers.items():
        resources = synth.templates[stack]["Resources"]
        queue = resources[_ref(queues.queue_url)]
        assert _ref(queues.queue_arn, "Arn") == _ref(queues.queue_url)
        # The DLQ is the queue's redrive target, the one `StartMessageMoveTask` moves back from.
        dlq_id = _ref(queues.dlq_url)
        assert _ref(queues.dlq_arn, "Arn") == dlq_id
        assert Synth.ref_id(queue["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]) == dlq_id
        # The target DLQ is where the consumer's rule puts what it cannot deliver to the queue.
        target_id = _ref(queues.target_dlq_url)
        assert _ref(queues.target_dlq_arn, "Arn") == target_id
        rule_dlqs = {
            Synth.ref_id(target["DeadLetterConfig"]["Arn"])
            for _, _, rule in synth.resources("AWS::Events::Rule")
            for target in rule["Properties"]["Targets"]
            if Synth.ref_id(target["Arn"]) == _ref(queues.queue_url)
        }
        assert rule_dlqs == {target_id}, name
        # The function reads the queue and logs to the log group the CLI searches for a record's error.
        function_id = _ref(queues.function)
        mappings = [
            res["Properties"]
            for _, _, res in synth.resources("AWS::Lambda::EventSourceMapping")
            if Synth.ref_id(res["Properties"]["FunctionName"]) == function_id
        ]
        assert [Synth.ref_id(m["EventSourceArn"]) for m in mappings] == [_ref(queues.queue_url)]
        function = resources[function_id]["Properties"]
        assert Synth.ref_id(function["LoggingConfig"]["LogGroup"]) == _ref(queues.log_group)


def test_the_synth_summary_names_stacks_packs_suppressions_alarms_and_outputs(synth: Synth) -> None:
    summary = summarize(synth.outdir)
    assert [s.name for s in summary.stacks] and {s.name for s in summary.stacks} == set(synth.templates)
    assert summary.packs == ("AwsSolutions", "Serverless")
    assert all(stack.packs == summary.packs for stack in summary.stacks)
    assert summary.findings == [] and summary.findings_by_pack() == {"AwsSolutions": 0, "Serverless": 0}
    # Every acknowledgment in the app, with its reason.
    assert summary.suppressions and all(len(s.reason) >= 20 for s in summary.suppressions)
    (redrive,) = [s for s in summary.suppressions if s.rule == "Serverless-SQSRedrivePolicy"]
    assert {"Dev-Scoring/Score/Dlq", "Dev-Scoring/Score/TargetDlq"} <= set(redrive.paths)
    for stack in summary.stacks:
        alarms = [
            r
            for r in synth.templates[stack.name]["Resources"].values()
            if r["Type"] == "AWS::CloudWatch::Alarm"
        ]
        assert len(stack.alarms) == len(alarms), stack.name
    by_name = {s.name: s for s in summary.stacks}
    assert "Score/DlqAlarm" in by_name["Dev-Scoring"].alarms
    assert (
        "ConsumerScore" in by_name["Dev-Scoring"].outputs and "AlarmTopicArn" in by_name["Dev-Core"].outputs
    )
    assert not any(key.startswith("PublishOutput") for s in summary.stacks for key in s.outputs)

    # A dev stage keeps nothing of its own (a log stream goes with its log group), but CloudFormation deletes the
    # events lake's buckets only once they are empty.
    assert [r for s in summary.stacks for r in s.retained] == [
        "EventsLake/DeliveryLogs/S3Destination (Logs::LogStream)"
    ]
    assert by_name["Dev-Feedback"].buckets == [
        "EventsLake/AccessLogs",
        "EventsLake/Bucket",
        "EventsLake/QueryResults",
    ]

    text = render(summary)
    assert "cdk-nag: AwsSolutions 0 findings, Serverless 0 findings\n" in text
    assert f"Alarms: {sum(len(s.alarms) for s in summary.stacks)}\n" in text
    assert "  Dev-Scoring (6): Score/DlqAlarm, Score/TargetDlqAlarm, Score/ErrorsAlarm" in text
    assert (
        "Serverless-SQSRedrivePolicy (" in text
        and "a dead-letter queue has no dead-letter queue of its own" in text
    )


def test_the_summary_of_a_synth_that_failed_names_its_findings_and_what_destroy_keeps(
    synth: Synth, tmp_path: Path
) -> None:
    outdir = tmp_path / "cdk.out"
    shutil.copytree(synth.outdir, outdir, ignore=shutil.ignore_patterns("asset.*"))
    # As a prod stage synthesizes its tables (infra/config.py: RemovalPolicy.RETAIN).
    core = json.loads((outdir / "Dev-Core.template.json").read_text())
    for resource in core["Resources"].values():
        if resource["Type"] == "AWS::DynamoDB::Table":
            resource["DeletionPolicy"] = resource["UpdateReplacePolicy"] = "Retain"
    (outdir / "Dev-Core.template.json").write_text(json.dumps(core))
    violation = {
        "ruleName": "AwsSolutions-SQS4",
        "description": "The SQS queue does not require requests to use SSL.",
        "severity": "error",
        "violatingConstructs": [{"constructPath": "Dev-Core/PlainQueue/Resource"}],
    }
    report = {
        "pluginReports": [{"pluginName": "AwsSolutions", "conclusion": "failure", "violations": [violation]}]
    }
    (outdir / "validation-report.json").write_text(json.dumps(report))
    text = render(summarize(outdir))
    assert "cdk-nag: AwsSolutions 1 finding, Serverless 0 findings\n" in text
    assert "  error AwsSolutions-SQS4 at Dev-Core/PlainQueue/Resource\n" in text
    assert "Kept by `cdk destroy` (DeletionPolicy Retain): 5\n" in text
    assert "  Dev-Core (4): ConversationsTable (DynamoDB::Table), IdempotencyTable (DynamoDB::Table)" in text
