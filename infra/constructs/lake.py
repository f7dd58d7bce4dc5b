"""The Feedback capability's events lake: every Baton event kept in S3, and queryable in Athena.

    rule on the Baton bus (every `baton.*` source) --(retry 24 h, then target DLQ)--> Amazon Data Firehose
        --(buffered 5 min / 64 MiB, one envelope per line, GZIP)--> s3://<bucket>/events/dt=YYYY-MM-DD/
        (records Firehose gave up on, after its own 24 h of retries: errors/<error type>/dt=YYYY-MM-DD/)

Objects hold the EventBridge envelope as EventBridge delivered it (`id`, `source`, `detail-type`, `time`,
`detail`, ...), one JSON object per line. `dt` is the UTC date the event reached Firehose, which is the date
of the event's `time` except for an event delivered across midnight (or retried into the next day).

Over it: a Glue database and table (`events`, OpenX JSON SerDe, `dt` by partition projection: no crawler, no
`MSCK REPAIR`) and an Athena workgroup that enforces its settings, its results encrypted with the lake's key in
a bucket of their own. `baton outcomes export --from-s3` reads the same objects.

Retention: objects expire after `eventsLakeRetentionDays` (default 400, the conversations' TTL); query results
after 30 days. Redaction does not reach the lake: a redacted message's text stays in the raw objects until
they expire. The table declares no message text, and the export blanks redacted messages.

Least privilege: Firehose's role may write objects under `events/` and `errors/` of this bucket (no read, no
delete), use the lake key through S3 alone and write its own delivery log; EventBridge's role may put records
to this stream alone.
"""

from __future__ import annotations

from aws_cdk import CfnOutput, Duration, Fn, Size, Stack
from aws_cdk import aws_athena as athena
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_events as events
from aws_cdk import aws_glue as glue
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesisfirehose as firehose
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from constructs import Construct

from baton.events import BUS_SOURCE_PREFIX
from infra.constructs.alarms import any_message_alarm, notify, threshold_alarm
from infra.constructs.function import LOG_RETENTION
from infra.constructs.nag import acknowledge
from infra.stacks.core import MAX_EVENT_AGE, RETRY_ATTEMPTS, CoreStack, dead_letter_queue

EVENTS_PREFIX = "events/"
ERRORS_PREFIX = "errors/"
DATA_OUTPUT_PREFIX = EVENTS_PREFIX + "dt=!{timestamp:yyyy-MM-dd}/"
ERROR_OUTPUT_PREFIX = ERRORS_PREFIX + "!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/"
BUFFER_INTERVAL = Duration.minutes(5)
BUFFER_SIZE = Size.mebibytes(64)
RESULTS_RETENTION = Duration.days(30)
# Data freshness is normally at most the buffer interval; three intervals means S3 writes are failing.
MAX_DATA_FRESHNESS = Duration.minutes(15)
# Per query: a query scanning more is cancelled (and has cost about $0.05).
BYTES_SCANNED_CUTOFF = 10 * 1024**3
TABLE_NAME = "events"
ATHENA_ENGINE = "Athena engine version 3"
FIREHOSE_CIDR_MAPPING = "@aws-cdk--aws-kinesisfirehose.CidrBlocks"  # its construct id ("/" becomes "--")

DETAIL_FIELDS: tuple[tuple[str, str], ...] = (
    # every event
    ("event_id", "string"),
    ("event_version", "int"),
    ("occurred_at", "string"),
    # conversation-scoped events
    ("conversation_id", "string"),
    ("seq", "int"),
    ("message_id", "string"),
    # MessageReceived, MessageScored: the message without its text (a KPI needs none, and a redacted message's
    # text should not be one query away) and without the customer's name and e-mail
    (
        "message",
        "struct<message_id:string,seq:int,role:string,sent_at:string,received_at:string,source:string,"
        "channel:string,customer:struct<id:string,account_id:string,language:string>,"
        "bot:struct<confidence:double>>",
    ),
    ("role", "string"),
    (
        "scores",
        "struct<intent:string,product_area:string,skill:string,sentiment:double,frustration:double,"
        "bot_confidence:double,asks_for_human:boolean,out_of_scope:boolean>",
    ),
    # EscalationDecided
    ("action", "string"),
    ("risk", "double"),
    ("guardrail", "string"),
    ("model_version", "string"),
    ("decided_at", "string"),
    ("sent_at", "string"),
    ("escalated_because", "struct<seq:int,guardrail:string,risk:double>"),
    # HandoffPrepared, HandedBack, agents
    ("assignment", "struct<agent_id:string,assigned_at:string,step:int,team:string>"),
    ("queued_since", "string"),
    ("agent_id", "string"),
    ("status", "string"),
    # OutcomeRecorded (`source`: the helpdesk or API it came from)
    ("source", "string"),
    ("kind", "string"),
    ("csat", "int"),
    ("resolved_by", "string"),
    ("time_to_resolve_s", "double"),
    # OutcomeLabeled (`reason` also on HandedBack)
    ("label", "string"),
    ("rule", "string"),
    ("rules_version", "string"),
    ("reason", "string"),
    # MessageRedacted
    ("redacted_at", "string"),
)
"""The `detail` fields the table exposes (a struct): the union of the events' fields a KPI query needs. Fields
not named here are in the objects and simply not projected."""

ENVELOPE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("version", "string"),
    ("id", "string"),
    ("detail_type", "string"),  # `detail-type` in the JSON (SerDe mapping)
    ("source", "string"),
    ("account", "string"),
    ("time", "string"),  # ISO 8601 (`from_iso8601_timestamp("time")`)
    ("region", "string"),
    ("resources", "array<string>"),
    ("detail", "struct<" + ",".join(f"{name}:{kind}" for name, kind in DETAIL_FIELDS) + ">"),
)

ESCALATION_RATE_BY_WEEK = """\
-- Escalation rate by week: conversations with a message that week, and how many were escalated.
WITH conversations AS (
  SELECT detail.conversation_id AS conversation_id,
         date_trunc('week', min(from_iso8601_timestamp("time"))) AS week,
         bool_or(detail_type = 'EscalationDecided' AND detail.action = 'escalate') AS escalated
  FROM events
  WHERE dt >= date_format(current_date - INTERVAL '84' DAY, '%Y-%m-%d')
    AND detail_type IN ('MessageReceived', 'EscalationDecided')
  GROUP BY detail.conversation_id
)
SELECT week,
       count(*) AS conversations,
       count_if(escalated) AS escalated,
       round(100.0 * count_if(escalated) / count(*), 1) AS escalation_rate_pct
FROM conversations
GROUP BY week
ORDER BY week
"""


class EventsLake(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, core: CoreStack) -> None:
        super().__init__(scope, construct_id)
        config = core.config
        retention = Duration.days(config.events_lake_retention_days)
        # CloudFormation does not delete a bucket that still holds objects, whatever the policy: a dev stack's
        # `cdk destroy` fails on the lake's buckets unless they were emptied first (auto_delete_objects would add
        # a custom-resource Lambda outside Baton's function factory and its checks).
        self._removal = config.removal_policy

        self.key = kms.Key(
            self,
            "Key",
            description="Baton: encrypts the events lake and its Athena query results",
            enable_key_rotation=True,
            removal_policy=config.removal_policy,
        )
        access_logs = self._access_log_bucket(retention)
        self.bucket = self._bucket("Bucket", retention, access_logs, "events-bucket/")
        self.results_bucket = self._bucket("QueryResults", RESULTS_RETENTION, access_logs, "query-results/")

        self.stream = self._delivery_stream()
        self.target_dlq = dead_letter_queue(self, "TargetDlq")
        self.rule = self._rule(core)
        self._alarms(core)

        self.database, self.table = self._catalog(config.stage, config.events_lake_retention_days)
        self.work_group = self._work_group(config.stage, config.is_prod)
        athena.CfnNamedQuery(
            self,
            "EscalationRateByWeek",
            name="Escalation rate by week",
            description="Baton events lake: conversations per week and the share escalated (last 12 weeks)",
            database=self.database.ref,
            work_group=self.work_group.ref,
            query_string=ESCALATION_RATE_BY_WEEK,
        )

        _output(
            self,
            "EventsLakeBucketName",
            self.bucket.bucket_name,
            f"`baton outcomes export --from-s3 s3://<this>/{EVENTS_PREFIX}` reads the events from here",
        )
        _output(self, "EventsDatabaseName", self.database.ref, "the Glue database of the events table")
        _output(self, "EventsTableName", self.table.ref, "the Athena table over the events lake")
        _output(
            self,
            "AthenaWorkGroupName",
            self.work_group.ref,
            "run the events lake's queries in this workgroup",
        )

    def _access_log_bucket(self, retention: Duration) -> s3.Bucket:
        # S3 delivers server access logs only to a bucket encrypted with S3-managed keys.
        bucket = s3.Bucket(
            self,
            "AccessLogs",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            lifecycle_rules=[s3.LifecycleRule(id="ExpireAccessLogs", expiration=retention)],
            removal_policy=self._removal,
        )
        acknowledge(
            bucket,
            {
                "AwsSolutions-S1": (
                    "this is the server access log bucket of the events lake and its query results; logging "
                    "its own access would log the log deliveries"
                )
            },
        )
        return bucket

    def _bucket(
        self, construct_id: str, retention: Duration, access_logs: s3.IBucket, log_prefix: str
    ) -> s3.Bucket:
        return s3.Bucket(
            self,
            construct_id,
            encryption=s3.BucketEncryption.KMS,
            encryption_key=self.key,
            bucket_key_enabled=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            server_access_logs_bucket=access_logs,
            server_access_logs_prefix=log_prefix,
            # Written once and never rewritten, so no versions to keep: an expired object is gone.
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="Expire",
                    expiration=retention,
                    abort_incomplete_multipart_upload_after=Duration.days(1),
                )
            ],
            removal_policy=self._removal,
        )

    def _delivery_stream(self) -> firehose.DeliveryStream:
        stack = Stack.of(self)
        self.delivery_role = iam.Role(
            self,
            "DeliveryRole",
            assumed_by=iam.ServicePrincipal(
                "firehose.amazonaws.com", conditions={"StringEquals": {"aws:SourceAccount": stack.account}}
            ),
            description="Baton events lake: Firehose writes events/ and errors/ of the lake bucket, nothing else",
        )
        self.delivery_logs = logs.LogGroup(
            self, "DeliveryLogs", retention=LOG_RETENTION, removal_policy=self._removal
        )
        # The S3 destination grants its role read, write and delete on the whole bucket (Bucket.grant_read_write).
        # It gets a view of the role that ignores grants; the role gets exactly the statements below.
        stream = firehose.DeliveryStream(
            self,
            "Stream",
            encryption=firehose.StreamEncryption.aws_owned_key(),
            destination=firehose.S3Bucket(
                self.bucket,
                role=self.delivery_role.without_policy_updates(),
                data_output_prefix=DATA_OUTPUT_PREFIX,
                error_output_prefix=ERROR_OUTPUT_PREFIX,
                buffering_interval=BUFFER_INTERVAL,
                buffering_size=BUFFER_SIZE,
                compression=firehose.Compression.GZIP,
                # EventBridge sends one envelope per record, without a delimiter: one per line for Athena.
                processors=[firehose.AppendDelimiterToRecordProcessor()],
                logging_config=firehose.EnableLogging(self.delivery_logs),
            ),
        )
        policy = iam.Policy(
            self,
            "DeliveryPolicy",
            roles=[self.delivery_role],
            statements=[
                iam.PolicyStatement(
                    sid="WriteEventsAndErrors",
                    actions=["s3:PutObject", "s3:AbortMultipartUpload"],
                    resources=[
                        self.bucket.arn_for_objects(f"{EVENTS_PREFIX}*"),
                        self.bucket.arn_for_objects(f"{ERRORS_PREFIX}*"),
                    ],
                ),
                iam.PolicyStatement(
                    sid="LocateTheBucket",
                    actions=["s3:GetBucketLocation", "s3:ListBucketMultipartUploads"],
                    resources=[self.bucket.bucket_arn],
                ),
                iam.PolicyStatement(
                    sid="EncryptThroughS3",
                    # Decrypt: S3 needs it to complete a multipart upload of an SSE-KMS object.
                    actions=["kms:GenerateDataKey", "kms:Decrypt"],
                    resources=[self.key.key_arn],
                    conditions={"StringEquals": {"kms:ViaService": f"s3.{stack.region}.amazonaws.com"}},
                ),
                iam.PolicyStatement(
                    sid="LogDeliveryErrors",
                    actions=["logs:PutLogEvents"],
                    resources=[self.delivery_logs.log_group_arn],
                ),
            ],
        )
        acknowledge(
            policy,
            {
                f"AwsSolutions-IAM5[Resource::<{_logical_id(self.bucket)}.Arn>/{EVENTS_PREFIX}*]": (
                    "Firehose names each object itself (date prefix, stream name, timestamp, random suffix): the "
                    "role may put objects under the lake's events/ prefix, and only there"
                ),
                f"AwsSolutions-IAM5[Resource::<{_logical_id(self.bucket)}.Arn>/{ERRORS_PREFIX}*]": (
                    "Firehose writes the records it could not deliver under errors/<error type>/<date>/ with names "
                    "of its own: the role may put objects under that prefix, and only there"
                ),
            },
        )
        # Firehose must not start delivering before its role may write (the role itself is a GetAtt already).
        stream.node.add_dependency(policy)
        # The L2 stream maps Firehose's CIDR blocks by region for `stream.connections` (VPC destinations). Baton
        # never uses them, and in an environment-agnostic template the mapping is referenced by nothing (W7001).
        # (cfn-lint, run on every template by the infra tests, would report the mapping if it came back.)
        stack.node.try_remove_child(FIREHOSE_CIDR_MAPPING)
        return stream

    def _rule(self, core: CoreStack) -> events.CfnRule:
        """As the consumers' rules (L1): the EventBridge target for Firehose takes no DLQ or retry policy."""
        stack = Stack.of(self)
        role = iam.Role(
            self,
            "RuleRole",
            assumed_by=iam.ServicePrincipal(
                "events.amazonaws.com", conditions={"StringEquals": {"aws:SourceAccount": stack.account}}
            ),
            description="Baton events lake: the bus rule puts records to the lake's delivery stream, nothing else",
        )
        policy = iam.Policy(
            self,
            "RulePolicy",
            roles=[role],
            statements=[
                iam.PolicyStatement(
                    actions=["firehose:PutRecord", "firehose:PutRecordBatch"],
                    resources=[self.stream.delivery_stream_arn],
                )
            ],
        )
        rule = events.CfnRule(
            self,
            "Rule",
            description="events lake: every Baton event (source baton.*) -> Firehose -> S3",
            event_bus_name=core.bus.event_bus_name,
            event_pattern={"source": [{"prefix": BUS_SOURCE_PREFIX}]},
            state="ENABLED",
            targets=[
                events.CfnRule.TargetProperty(
                    id="DeliveryStream",
                    arn=self.stream.delivery_stream_arn,
                    role_arn=role.role_arn,
                    dead_letter_config=events.CfnRule.DeadLetterConfigProperty(arn=self.target_dlq.queue_arn),
                    retry_policy=events.CfnRule.RetryPolicyProperty(
                        maximum_event_age_in_seconds=int(MAX_EVENT_AGE.to_seconds()),
                        maximum_retry_attempts=RETRY_ATTEMPTS,
                    ),
                )
            ],
        )
        rule.node.add_dependency(policy)
        self.target_dlq.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowRuleToSend",
                principals=[iam.ServicePrincipal("events.amazonaws.com")],
                actions=["sqs:SendMessage"],
                resources=[self.target_dlq.queue_arn],
                conditions={"ArnEquals": {"aws:SourceArn": rule.attr_arn}},
            )
        )
        acknowledge(
            self.target_dlq,
            {
                "AwsSolutions-SQS3": "this is the dead-letter queue of the events lake rule's target; it is alarmed",
                "Serverless-SQSRedrivePolicy": "a dead-letter queue has no dead-letter queue of its own",
            },
        )
        return rule

    def _alarms(self, core: CoreStack) -> None:
        topic = core.alarm_topic
        any_message_alarm(
            self,
            "TargetDlqAlarm",
            queue=self.target_dlq,
            topic=topic,
            description="events lake: EventBridge could not put events to Firehose for 24 h (see the lake's TargetDlq)",
        )
        threshold_alarm(
            self,
            "DataFreshnessAlarm",
            metric=self.stream.metric(
                "DeliveryToS3.DataFreshness", statistic="Maximum", period=Duration.minutes(5)
            ),
            threshold=MAX_DATA_FRESHNESS.to_seconds(),
            topic=topic,
            description=(
                f"events lake: the oldest record in Firehose is over {MAX_DATA_FRESHNESS.to_minutes()} minutes old "
                "(S3 writes are failing: see the delivery log group); Firehose retries for 24 h, then writes the "
                "records under errors/"
            ),
        )
        success = self.stream.metric("DeliveryToS3.Success", statistic="Minimum", period=Duration.minutes(5))
        failed_writes = success.create_alarm(
            self,
            "DeliverySuccessAlarm",
            alarm_description=(
                "events lake: Firehose failed to write to S3 (access denied, key disabled...: see the delivery log "
                "group); it retries for 24 h, then writes the records under errors/"
            ),
            threshold=1,
            comparison_operator=cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
            evaluation_periods=1,
            # Firehose reports nothing while there is nothing to deliver.
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        notify(failed_writes, topic)

    def _catalog(self, stage: str, retention_days: int) -> tuple[glue.CfnDatabase, glue.CfnTable]:
        account = Stack.of(self).account
        database = glue.CfnDatabase(
            self,
            "Database",
            catalog_id=account,
            database_input=glue.CfnDatabase.DatabaseInputProperty(
                name=f"baton_{stage.replace('-', '_')}",
                description=f"Baton {stage}: the events lake (every Baton event, one row per event)",
            ),
        )
        location = f"s3://{self.bucket.bucket_name}/{EVENTS_PREFIX}"
        table = glue.CfnTable(
            self,
            "EventsTable",
            catalog_id=account,
            database_name=database.ref,
            table_input=glue.CfnTable.TableInputProperty(
                name=TABLE_NAME,
                description="Every Baton event (the EventBridge envelope), partitioned by dt, the UTC arrival date",
                table_type="EXTERNAL_TABLE",
                parameters={
                    "classification": "json",
                    "compressionType": "gzip",
                    "projection.enabled": "true",
                    "projection.dt.type": "date",
                    "projection.dt.format": "yyyy-MM-dd",
                    # The retention's window (and tomorrow: `dt` is the arrival date, in UTC).
                    "projection.dt.range": f"NOW-{retention_days}DAYS,NOW+1DAYS",
                    "projection.dt.interval": "1",
                    "projection.dt.interval.unit": "DAYS",
                    # ${!dt} is Fn::Sub's escape: the template keeps the literal ${dt} Athena fills in.
                    "storage.location.template": Fn.sub(
                        "s3://${Bucket}/" + EVENTS_PREFIX + "dt=${!dt}/", {"Bucket": self.bucket.bucket_name}
                    ),
                },
                partition_keys=[glue.CfnTable.ColumnProperty(name="dt", type="string")],
                storage_descriptor=glue.CfnTable.StorageDescriptorProperty(
                    location=location,
                    input_format="org.apache.hadoop.mapred.TextInputFormat",
                    output_format="org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
                    serde_info=glue.CfnTable.SerdeInfoProperty(
                        serialization_library="org.openx.data.jsonserde.JsonSerDe",
                        parameters={"mapping.detail_type": "detail-type", "ignore.malformed.json": "true"},
                    ),
                    columns=[glue.CfnTable.ColumnProperty(name=n, type=t) for n, t in ENVELOPE_COLUMNS],
                ),
            ),
        )
        return database, table

    def _work_group(self, stage: str, is_prod: bool) -> athena.CfnWorkGroup:
        return athena.CfnWorkGroup(
            self,
            "WorkGroup",
            name=f"baton-{stage}",
            description=f"Baton {stage}: queries over the events lake (results encrypted, kept 30 days)",
            state="ENABLED",
            recursive_delete_option=not is_prod,
            work_group_configuration=athena.CfnWorkGroup.WorkGroupConfigurationProperty(
                enforce_work_group_configuration=True,
                publish_cloud_watch_metrics_enabled=True,
                bytes_scanned_cutoff_per_query=BYTES_SCANNED_CUTOFF,
                engine_version=athena.CfnWorkGroup.EngineVersionProperty(
                    selected_engine_version=ATHENA_ENGINE
                ),
                result_configuration=athena.CfnWorkGroup.ResultConfigurationProperty(
                    output_location=f"s3://{self.results_bucket.bucket_name}/",
                    encryption_configuration=athena.CfnWorkGroup.EncryptionConfigurationProperty(
                        encryption_option="SSE_KMS", kms_key=self.key.key_arn
                    ),
                    expected_bucket_owner=Stack.of(self).account,
                ),
            ),
        )


def _logical_id(bucket: s3.Bucket) -> str:
    """The bucket's logical id as cdk-nag names it in a finding (`<LogicalId.Arn>`)."""
    stack = Stack.of(bucket)
    return str(stack.resolve(stack.get_logical_id(bucket.node.default_child)))  # type: ignore[arg-type]


def _output(scope: Construct, name: str, value: str, description: str) -> CfnOutput:
    """A stack output named exactly `name` (what the docs and `aws cloudformation describe-stacks` show)."""
    output = CfnOutput(scope, name, value=value, description=description)
    output.override_logical_id(name)
    return output
