"""Asynchronous safety of every consumer, read from the synthesized templates (no event can be silently lost)."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk.assertions import Match
from infra_synth import Synth

pytestmark = pytest.mark.infra

SQS_SOURCE = "sqs"


def _mappings(synth: Synth) -> list[tuple[str, dict[str, Any]]]:
    return [
        (stack, res["Properties"]) for stack, _, res in synth.resources("AWS::Lambda::EventSourceMapping")
    ]


def _queue_of(synth: Synth, stack: str, mapping: dict[str, Any]) -> dict[str, Any]:
    queue_id = Synth.ref_id(mapping["EventSourceArn"])
    assert queue_id, f"event source {mapping['EventSourceArn']} is not a queue of this stack"
    queue = synth.resource(stack, queue_id)
    assert queue["Type"] == "AWS::SQS::Queue"
    return queue


def _dlq_ids(synth: Synth) -> set[tuple[str, str]]:
    """Every queue used as a dead-letter queue: by a queue's redrive policy or a rule target."""
    dlqs = set()
    for stack, _, queue in synth.resources("AWS::SQS::Queue"):
        redrive = queue["Properties"].get("RedrivePolicy")
        if redrive:
            dlqs.add((stack, Synth.ref_id(redrive["deadLetterTargetArn"])))
    for stack, _, rule in synth.resources("AWS::Events::Rule"):
        for target in rule["Properties"]["Targets"]:
            dlqs.add((stack, Synth.ref_id(target["DeadLetterConfig"]["Arn"])))
    for stack, _, sub in synth.resources("AWS::SNS::Subscription"):
        dlqs.add((stack, Synth.ref_id(sub["Properties"]["RedrivePolicy"]["deadLetterTargetArn"])))
    return dlqs


def _queue_alarms(synth: Synth, stack: str, queue_id: str) -> list[dict[str, Any]]:
    alarms = []
    for alarm_stack, _, alarm in synth.resources("AWS::CloudWatch::Alarm"):
        props = alarm["Properties"]
        dims = props.get("Dimensions", [])
        if alarm_stack == stack and any(
            d["Name"] == "QueueName" and Synth.ref_id(d["Value"]) == queue_id for d in dims
        ):
            alarms.append(props)
    return alarms


def test_there_is_at_least_one_consumer(synth: Synth) -> None:
    assert _mappings(synth), "no event source mapping synthesized: the checks below would pass vacuously"


def test_every_consumer_queue_redrives_to_a_dlq_after_3_to_5_receives(synth: Synth) -> None:
    for stack, mapping in _mappings(synth):
        queue = _queue_of(synth, stack, mapping)
        redrive = queue["Properties"].get("RedrivePolicy")
        assert redrive, f"{stack}: queue {mapping['EventSourceArn']} has no redrive policy"
        assert 3 <= redrive["maxReceiveCount"] <= 5
        dlq = synth.resource(stack, Synth.ref_id(redrive["deadLetterTargetArn"]))
        assert dlq["Type"] == "AWS::SQS::Queue"
        assert dlq["Properties"]["MessageRetentionPeriod"] == 14 * 24 * 3600


def test_every_mapping_reports_batch_item_failures_with_a_concurrency_cap(synth: Synth) -> None:
    for stack, mapping in _mappings(synth):
        assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"], stack
        assert mapping["ScalingConfig"]["MaximumConcurrency"] >= 2, stack
        assert "ReservedConcurrentExecutions" not in synth.resource(
            stack, Synth.ref_id(mapping["FunctionName"])
        )


def test_visibility_timeout_is_at_least_six_times_the_function_timeout(synth: Synth) -> None:
    for stack, mapping in _mappings(synth):
        queue = _queue_of(synth, stack, mapping)
        function = synth.resource(stack, Synth.ref_id(mapping["FunctionName"]))
        assert queue["Properties"]["VisibilityTimeout"] >= 6 * function["Properties"]["Timeout"]


def test_every_rule_target_has_a_dlq_and_an_explicit_retry_policy(synth: Synth) -> None:
    rules = list(synth.resources("AWS::Events::Rule"))
    assert rules
    for stack, logical_id, rule in rules:
        for target in rule["Properties"]["Targets"]:
            assert target["DeadLetterConfig"]["Arn"], f"{stack}/{logical_id}"
            retry = target["RetryPolicy"]
            assert retry["MaximumEventAgeInSeconds"] == 24 * 3600
            assert retry["MaximumRetryAttempts"] == 185


def test_rule_to_queue_delivery_is_allowed_only_for_that_rule(synth: Synth) -> None:
    for stack, logical_id, rule in synth.resources("AWS::Events::Rule"):
        for target in rule["Properties"]["Targets"]:
            for queue_arn in (target["Arn"], target["DeadLetterConfig"]["Arn"]):
                queue_id = Synth.ref_id(queue_arn)
                if synth.resource(stack, queue_id)["Type"] != "AWS::SQS::Queue":
                    continue  # a bus-to-bus target delivers with its role
                synth.template(stack).has_resource_properties(
                    "AWS::SQS::QueuePolicy",
                    {
                        "Queues": Match.array_with([{"Ref": queue_id}]),
                        "PolicyDocument": {
                            "Statement": Match.array_with(
                                [
                                    Match.object_like(
                                        {
                                            "Action": "sqs:SendMessage",
                                            "Effect": "Allow",
                                            "Principal": {"Service": "events.amazonaws.com"},
                                            "Condition": {
                                                "ArnEquals": {
                                                    "aws:SourceArn": {"Fn::GetAtt": [logical_id, "Arn"]}
                                                }
                                            },
                                        }
                                    )
                                ]
                            )
                        },
                    },
                )


def test_every_dlq_alarms_on_its_first_message(synth: Synth) -> None:
    dlqs = _dlq_ids(synth)
    assert len(dlqs) >= 4  # consumer DLQ + target DLQ, partner-forward DLQ, alarm e-mail DLQ
    for stack, dlq_id in dlqs:
        alarms = [
            a
            for a in _queue_alarms(synth, stack, dlq_id)
            if a["MetricName"] == "ApproximateNumberOfMessagesVisible"
            and a["Threshold"] == 0
            and a["ComparisonOperator"] == "GreaterThanThreshold"
        ]
        assert alarms, f"{stack}: dead-letter queue {dlq_id} has no alarm on visible messages"
        assert all(a["AlarmActions"] for a in alarms)


def test_every_queue_is_encrypted_ssl_only_and_alarmed(synth: Synth) -> None:
    for stack, queue_id, queue in synth.resources("AWS::SQS::Queue"):
        assert queue["Properties"].get("SqsManagedSseEnabled") or queue["Properties"].get("KmsMasterKeyId")
        assert _queue_alarms(synth, stack, queue_id), f"{stack}: queue {queue_id} has no alarm"
        synth.template(stack).has_resource_properties(
            "AWS::SQS::QueuePolicy",
            {
                "Queues": Match.array_with([{"Ref": queue_id}]),
                "PolicyDocument": {
                    "Statement": Match.array_with(
                        [
                            Match.object_like(
                                {"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
                            )
                        ]
                    )
                },
            },
        )


def test_consumer_queues_alarm_on_backlog_and_functions_on_errors(synth: Synth) -> None:
    for stack, mapping in _mappings(synth):
        queue_id = Synth.ref_id(mapping["EventSourceArn"])
        metrics = {a["MetricName"] for a in _queue_alarms(synth, stack, queue_id)}
        assert "ApproximateAgeOfOldestMessage" in metrics
        function_id = Synth.ref_id(mapping["FunctionName"])
        synth.template(stack).has_resource_properties(
            "AWS::CloudWatch::Alarm",
            {
                "MetricName": "Errors",
                "Namespace": "AWS/Lambda",
                "Dimensions": [{"Name": "FunctionName", "Value": {"Ref": function_id}}],
                "AlarmActions": Match.any_value(),
            },
        )
