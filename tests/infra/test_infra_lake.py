"""The Feedback stack's events lake, read from the synthesized template: every Baton event reaches an encrypted,
private bucket through Firehose (nothing lost silently), Athena can query it without a crawler, and each role
holds exactly what its part needs."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from aws_cdk import App, Stack
from aws_cdk.assertions import Match, Template
from infra_synth import Synth

from baton.events import BUS_SOURCE_PREFIX, BusEvent
from infra.config import BatonConfig
from infra.constructs.lake import DETAIL_FIELDS, ESCALATION_RATE_BY_WEEK, EventsLake
from infra.stacks.core import CoreStack

pytestmark = pytest.mark.infra

FEEDBACK = "Dev-Feedback"


def _one(synth: Synth, resource_type: str, prefix: str = "EventsLake") -> tuple[str, dict[str, Any]]:
    found = [
        (lid, res["Properties"])
        for stack, lid, res in synth.resources(resource_type)
        if stack == FEEDBACK and lid.startswith(prefix)
    ]
    assert len(found) == 1, (resource_type, prefix, [lid for lid, _ in found])
    return found[0]


def _listify(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _statements(synth: Synth, role_id: str) -> list[dict[str, Any]]:
    return [
        statement
        for stack, _, policy in synth.resources("AWS::IAM::Policy")
        if stack == FEEDBACK and {"Ref": role_id} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def _grants(synth: Synth, role_id: str) -> set[tuple[str, str]]:
    """(action, resource as JSON) for every statement of the role's policies."""
    return {
        (action, json.dumps(resource, sort_keys=True))
        for statement in _statements(synth, role_id)
        for action in _listify(statement["Action"])
        for resource in _listify(statement["Resource"])
    }


def _object_arn(bucket_id: str, suffix: str) -> str:
    return json.dumps({"Fn::Join": ["", [{"Fn::GetAtt": [bucket_id, "Arn"]}, suffix]]}, sort_keys=True)


def _arn(logical_id: str) -> str:
    return json.dumps({"Fn::GetAtt": [logical_id, "Arn"]}, sort_keys=True)


def test_the_lake_is_in_the_feedback_stack_and_nowhere_else(synth: Synth) -> None:
    streams = [(stack, lid) for stack, lid, _ in synth.resources("AWS::KinesisFirehose::DeliveryStream")]
    assert [stack for stack, _ in streams] == [FEEDBACK]
    assert {stack for stack, _, _ in synth.resources("AWS::Glue::Table")} == {FEEDBACK}


def test_the_bucket_is_kms_encrypted_private_ssl_only_logged_and_expires_raw_events(synth: Synth) -> None:
    _, bucket = _one(synth, "AWS::S3::Bucket", "EventsLakeBucket")
    key_id, _ = _one(synth, "AWS::KMS::Key")
    (encryption,) = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert encryption["ServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "aws:kms",
        "KMSMasterKeyID": {"Fn::GetAtt": [key_id, "Arn"]},
    }
    assert bucket["PublicAccessBlockConfiguration"] == dict.fromkeys(
        ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"), True
    )
    (rule,) = bucket["LifecycleConfiguration"]["Rules"]
    assert rule["Status"] == "Enabled" and rule["ExpirationInDays"] == 400  # the conversations' TTL
    assert "Prefix" not in rule and "Filter" not in rule  # events/ and errors/ alike
    assert "VersioningConfiguration" not in bucket  # an expired event is gone, not kept as a version
    logs_id = Synth.ref_id(bucket["LoggingConfiguration"]["DestinationBucketName"])
    assert logs_id and synth.resource(FEEDBACK, logs_id)["Type"] == "AWS::S3::Bucket"


def test_every_lake_bucket_is_private_and_refuses_plain_http(synth: Synth) -> None:
    template = synth.template(FEEDBACK)
    buckets = [lid for stack, lid, _ in synth.resources("AWS::S3::Bucket") if stack == FEEDBACK]
    assert len(buckets) == 3  # events, query results, their access logs
    for bucket_id in buckets:
        props = synth.resource(FEEDBACK, bucket_id)["Properties"]
        assert all(props["PublicAccessBlockConfiguration"].values()), bucket_id
        assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"], bucket_id
        assert props["LifecycleConfiguration"]["Rules"][0]["ExpirationInDays"] > 0, bucket_id
        template.has_resource_properties(
            "AWS::S3::BucketPolicy",
            {
                "Bucket": {"Ref": bucket_id},
                "PolicyDocument": {
                    "Statement": Match.array_with(
                        [
                            Match.object_like(
                                {
                                    "Effect": "Deny",
                                    "Action": "s3:*",
                                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                                }
                            )
                        ]
                    )
                },
            },
        )


def test_firehose_writes_gzipped_json_lines_under_a_date_prefix_with_an_error_prefix(synth: Synth) -> None:
    bucket_id, _ = _one(synth, "AWS::S3::Bucket", "EventsLakeBucket")
    _, stream = _one(synth, "AWS::KinesisFirehose::DeliveryStream")
    assert stream["DeliveryStreamType"] == "DirectPut"
    assert stream["DeliveryStreamEncryptionConfigurationInput"]["KeyType"]
    s3 = stream["ExtendedS3DestinationConfiguration"]
    assert s3["BucketARN"] == {"Fn::GetAtt": [bucket_id, "Arn"]}
    assert s3["Prefix"] == "events/dt=!{timestamp:yyyy-MM-dd}/"
    assert s3["ErrorOutputPrefix"].startswith("errors/!{firehose:error-output-type}/")
    assert s3["BufferingHints"] == {"IntervalInSeconds": 300, "SizeInMBs": 64}
    assert s3["CompressionFormat"] == "GZIP"
    # EventBridge puts one envelope per record, with no delimiter: one per line is what Athena and the export read.
    assert [p["Type"] for p in s3["ProcessingConfiguration"]["Processors"]] == ["AppendDelimiterToRecord"]
    assert s3["ProcessingConfiguration"]["Enabled"] is True
    assert s3["CloudWatchLoggingOptions"]["Enabled"] is True


def test_the_rule_sends_every_baton_event_from_the_baton_bus_with_a_dlq_and_retries(synth: Synth) -> None:
    stream_id, _ = _one(synth, "AWS::KinesisFirehose::DeliveryStream")
    _, rule = _one(synth, "AWS::Events::Rule")
    assert rule["EventPattern"] == {"source": [{"prefix": BUS_SOURCE_PREFIX}]}
    # On the Baton bus: the same bus the Feedback consumer's own rule listens on.
    consumer_rules = [
        res["Properties"]
        for stack, lid, res in synth.resources("AWS::Events::Rule")
        if stack == FEEDBACK and not lid.startswith("EventsLake")
    ]
    assert consumer_rules and all(r["EventBusName"] == rule["EventBusName"] for r in consumer_rules)
    (target,) = rule["Targets"]
    assert target["Arn"] == {"Fn::GetAtt": [stream_id, "Arn"]}
    dlq = synth.resource(FEEDBACK, Synth.ref_id(target["DeadLetterConfig"]["Arn"]))
    assert dlq["Type"] == "AWS::SQS::Queue"
    assert target["RetryPolicy"] == {"MaximumEventAgeInSeconds": 24 * 3600, "MaximumRetryAttempts": 185}
    # The rule's role may put records to this stream, and nothing else.
    role_id = Synth.ref_id(target["RoleArn"])
    assert role_id
    assert _grants(synth, role_id) == {
        ("firehose:PutRecord", _arn(stream_id)),
        ("firehose:PutRecordBatch", _arn(stream_id)),
    }


def test_every_event_baton_publishes_matches_the_lake_rule() -> None:
    def subclasses(cls: type[BusEvent]) -> list[type[BusEvent]]:
        return [c for sub in cls.__subclasses__() for c in (sub, *subclasses(sub))]

    sources = {c.SOURCE for c in subclasses(BusEvent) if "SOURCE" in vars(c)}
    assert len(sources) >= 5
    assert all(source.startswith(BUS_SOURCE_PREFIX) for source in sources), sources


def test_firehose_may_only_write_under_the_lakes_prefixes(synth: Synth) -> None:
    bucket_id, _ = _one(synth, "AWS::S3::Bucket", "EventsLakeBucket")
    key_id, _ = _one(synth, "AWS::KMS::Key")
    logs_id, _ = _one(synth, "AWS::Logs::LogGroup", "EventsLakeDeliveryLogs")
    _, stream = _one(synth, "AWS::KinesisFirehose::DeliveryStream")
    role_id = Synth.ref_id(stream["ExtendedS3DestinationConfiguration"]["RoleARN"])
    assert role_id
    role = synth.resource(FEEDBACK, role_id)["Properties"]
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "firehose.amazonaws.com"}
    assert "aws:SourceAccount" in trust["Condition"]["StringEquals"]
    assert not role.get("ManagedPolicyArns") and not role.get("Policies")
    assert _grants(synth, role_id) == {
        ("s3:PutObject", _object_arn(bucket_id, "/events/*")),
        ("s3:PutObject", _object_arn(bucket_id, "/errors/*")),
        ("s3:AbortMultipartUpload", _object_arn(bucket_id, "/events/*")),
        ("s3:AbortMultipartUpload", _object_arn(bucket_id, "/errors/*")),
        ("s3:GetBucketLocation", _arn(bucket_id)),
        ("s3:ListBucketMultipartUploads", _arn(bucket_id)),
        ("kms:GenerateDataKey", _arn(key_id)),
        ("kms:Decrypt", _arn(key_id)),
        ("logs:PutLogEvents", _arn(logs_id)),
    }
    (kms,) = [s for s in _statements(synth, role_id) if "kms:Decrypt" in _listify(s["Action"])]
    assert "kms:ViaService" in kms["Condition"]["StringEquals"]  # the key through S3 only
    # The policy exists before the stream starts delivering.
    stream_resource = next(
        res for s, _, res in synth.resources("AWS::KinesisFirehose::DeliveryStream") if s == FEEDBACK
    )
    policies = [
        lid
        for s, lid, p in synth.resources("AWS::IAM::Policy")
        if {"Ref": role_id} in p["Properties"]["Roles"]
    ]
    assert set(policies) <= set(stream_resource.get("DependsOn", []))


def test_failed_deliveries_are_alarmed(synth: Synth) -> None:
    stream_id, _ = _one(synth, "AWS::KinesisFirehose::DeliveryStream")
    alarms = {
        props["MetricName"]: props
        for stack, _, alarm in synth.resources("AWS::CloudWatch::Alarm")
        if stack == FEEDBACK
        for props in [alarm["Properties"]]
        if props.get("Namespace") == "AWS/Firehose"
    }
    assert set(alarms) == {"DeliveryToS3.DataFreshness", "DeliveryToS3.Success"}
    for props in alarms.values():
        assert props["Dimensions"] == [{"Name": "DeliveryStreamName", "Value": {"Ref": stream_id}}]
        assert props["AlarmActions"] and props["OKActions"]
    assert alarms["DeliveryToS3.DataFreshness"]["ComparisonOperator"] == "GreaterThanThreshold"
    assert alarms["DeliveryToS3.DataFreshness"]["Threshold"] == 900  # three buffer intervals
    assert alarms["DeliveryToS3.Success"]["ComparisonOperator"] == "LessThanThreshold"
    assert alarms["DeliveryToS3.Success"]["Threshold"] == 1


def test_the_glue_table_reads_the_envelopes_by_partition_projection(synth: Synth) -> None:
    bucket_id, _ = _one(synth, "AWS::S3::Bucket", "EventsLakeBucket")
    database_id, _ = _one(synth, "AWS::Glue::Database")
    _, table = _one(synth, "AWS::Glue::Table")
    assert table["DatabaseName"] == {"Ref": database_id}
    assert not list(synth.resources("AWS::Glue::Crawler"))
    table_input = table["TableInput"]
    params = table_input["Parameters"]
    assert params["projection.enabled"] == "true"
    assert params["projection.dt.type"] == "date"
    assert params["projection.dt.format"] == "yyyy-MM-dd"
    assert params["projection.dt.range"] == "NOW-400DAYS,NOW+1DAYS"
    assert params["storage.location.template"] == {
        "Fn::Sub": ["s3://${Bucket}/events/dt=${!dt}/", {"Bucket": {"Ref": bucket_id}}]
    }
    assert table_input["PartitionKeys"] == [{"Name": "dt", "Type": "string"}]
    storage = table_input["StorageDescriptor"]
    assert storage["Location"] == {"Fn::Join": ["", ["s3://", {"Ref": bucket_id}, "/events/"]]}
    serde = storage["SerdeInfo"]
    assert serde["SerializationLibrary"] == "org.openx.data.jsonserde.JsonSerDe"
    assert serde["Parameters"]["mapping.detail_type"] == "detail-type"
    columns = {c["Name"]: c["Type"] for c in storage["Columns"]}
    assert {"id", "source", "detail_type", "time", "detail"} <= set(columns)
    detail = columns["detail"]
    for field in ("conversation_id", "seq", "action", "label", "kind", "csat", "resolved_by", "occurred_at"):
        assert re.search(rf"[<,]{field}:", detail), field
    # No message text, customer name or e-mail: a KPI needs none, and a redacted message's text stays in the raw
    # objects until they expire.
    assert not re.search(r"[<,](text|email|name):", detail)


def test_the_example_query_reads_only_declared_fields() -> None:
    declared = {name for name, _ in DETAIL_FIELDS}
    used = set(re.findall(r"\bdetail\.([a-z_]+)", ESCALATION_RATE_BY_WEEK))
    assert used and used <= declared


def test_the_workgroup_enforces_encrypted_results(synth: Synth) -> None:
    key_id, _ = _one(synth, "AWS::KMS::Key")
    results_id, results = _one(synth, "AWS::S3::Bucket", "EventsLakeQueryResults")
    work_group_id, work_group = _one(synth, "AWS::Athena::WorkGroup")
    config = work_group["WorkGroupConfiguration"]
    assert config["EnforceWorkGroupConfiguration"] is True
    assert config["BytesScannedCutoffPerQuery"] > 0
    result = config["ResultConfiguration"]
    assert result["EncryptionConfiguration"] == {
        "EncryptionOption": "SSE_KMS",
        "KmsKey": {"Fn::GetAtt": [key_id, "Arn"]},
    }
    assert result["OutputLocation"] == {"Fn::Join": ["", ["s3://", {"Ref": results_id}, "/"]]}
    (rule,) = results["LifecycleConfiguration"]["Rules"]
    assert rule["ExpirationInDays"] == 30
    _, query = _one(synth, "AWS::Athena::NamedQuery")
    assert query["WorkGroup"] == {"Ref": work_group_id}


def test_the_lake_outputs_name_what_a_user_types(synth: Synth) -> None:
    outputs = synth.templates[FEEDBACK]["Outputs"]
    assert {"EventsLakeBucketName", "EventsDatabaseName", "EventsTableName", "AthenaWorkGroupName"} <= set(
        outputs
    )
    bucket_id, _ = _one(synth, "AWS::S3::Bucket", "EventsLakeBucket")
    assert outputs["EventsLakeBucketName"]["Value"] == {"Ref": bucket_id}


def test_the_retention_is_configurable_and_prod_keeps_the_lake() -> None:
    app = App()
    config = BatonConfig(stage="prod", events_lake_retention_days=90)
    core = CoreStack(app, "Prod-Core", config=config)
    stack = Stack(app, "Prod-Feedback")
    EventsLake(stack, "EventsLake", core=core)
    template = Template.from_stack(stack).to_json()
    resources = template["Resources"]
    (bucket,) = [
        r
        for lid, r in resources.items()
        if lid.startswith("EventsLakeBucket") and r["Type"] == "AWS::S3::Bucket"
    ]
    assert bucket["Properties"]["LifecycleConfiguration"]["Rules"][0]["ExpirationInDays"] == 90
    assert bucket["DeletionPolicy"] == "Retain"
    (table,) = [r for r in resources.values() if r["Type"] == "AWS::Glue::Table"]
    assert table["Properties"]["TableInput"]["Parameters"]["projection.dt.range"] == "NOW-90DAYS,NOW+1DAYS"
    assert {
        r["Properties"]["DatabaseInput"]["Name"]
        for r in resources.values()
        if r["Type"] == "AWS::Glue::Database"
    } == {"baton_prod"}
    assert all(
        r.get("DeletionPolicy") == "Retain"
        for r in resources.values()
        if r["Type"] in ("AWS::KMS::Key", "AWS::S3::Bucket")
    )
