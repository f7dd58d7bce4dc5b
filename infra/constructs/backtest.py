"""The deployed backtest (Feedback stack): `baton backtest` over months of exported conversations, run by Step
Functions and Lambda rather than on one laptop.

    start-execution {"run": RUN, "params": null | "<decision parameters document>"}
      -> Arguments (Pass: `params` defaults to null) -> ValidInput? (Choice; else Fail `BadInput`)
      -> Prefixes (Pass: backtest/in/RUN/ and backtest/out/RUN/summary)
      -> Chunks (Distributed Map, child executions STANDARD)
           ItemReader: the objects under s3://<events lake bucket>/backtest/in/RUN/ (ListObjectsV2), one item each
           item: ScoreChunk (Lambda `functions/backtest_chunk`, python3.13 arm64, code + model layers):
                 the object -> s3://<bucket>/backtest/out/RUN/scored/<name> (`baton.scoring.backtest_chunk`)
           at most MAX_CONCURRENCY items at once; Lambda throttling and service errors retried with backoff;
           the run fails when more than TOLERATED_FAILURE_PERCENT of the items failed
           ResultWriter: s3://<bucket>/backtest/out/RUN/summary/<map run id>/ (manifest, SUCCEEDED_n, FAILED_n)
      -> Done

`baton backtest INPUT --s3 s3://<bucket>/backtest/in/RUN/ --stage S` uploads an input in chunks and starts a run
(`baton.scoring.backtest_s3`). The data stays in the events lake bucket (encrypted with the lake's key, logged,
expiring with the lake's retention): exported conversations are the same data as the events they come from.

Least privilege: the function may read objects under `backtest/in/` and write objects under `backtest/out/`,
and use the lake key through S3 for that; the state machine may list the bucket under `backtest/in/` alone,
write its summary under `backtest/out/`, invoke this function, and run its own map's child executions.

Alarm: an execution that fails or times out (a map over its failure tolerance, a bad input, a timeout) notifies
the alarm topic. The execution log (level ALL, without execution data) is the state machine's log group.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import ArnFormat, Duration, Stack, Token
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct

from baton import bus
from baton.scoring.backtest_chunk import IN_PREFIX, OUT_PREFIX, SUMMARY
from infra.assets import FunctionCode
from infra.constructs.alarms import notify
from infra.constructs.function import BatonFunction
from infra.constructs.grants import grant_access
from infra.constructs.lake import EventsLake, _logical_id, _output
from infra.constructs.nag import acknowledge
from infra.stacks.core import CoreStack

MAX_CONCURRENCY = 20
"""Chunks scored at once: 20 Lambda vCPUs, leaving the account's default 1,000 concurrent executions to the live
functions. At the single-core rate measured on a development machine (300 messages/s) that is 6,000 messages/s;
Lambda's own rate is not measured here."""
TOLERATED_FAILURE_PERCENT = 5
"""A run whose failed chunks are at most this share still succeeds; its summary's FAILED_n.json names them."""
FUNCTION_TIMEOUT = Duration.minutes(15)
FUNCTION_MEMORY_MB = 1769
"""One full vCPU: the scorer runs one thread (onnxruntime sessions of one intra-op thread)."""
RUN_TIMEOUT = Duration.hours(12)
THROTTLE_RETRIES = 8
"""Lambda.TooManyRequestsException: retried from 2 s, doubling, with full jitter (about 8 minutes in all)."""
SERVICE_RETRIES = 3
HANDLER_MODULE = bus.BACKTEST_CHUNK_HANDLER
MAP_LABEL = "Chunks"


class DeployedBacktest(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        core: CoreStack,
        lake: EventsLake,
        code: FunctionCode,
        layers: Sequence[lambda_.ILayerVersion],
    ) -> None:
        super().__init__(scope, construct_id)
        self.bucket = lake.bucket
        self.key = lake.key
        self.handler = BatonFunction(
            self,
            "Handler",
            code=code,
            layers=layers,
            settings=core.settings(),
            service="backtest",
            description="Baton backtest: one chunk of a deployed run (backtest/in/RUN/<object> -> backtest/out/RUN/)",
            timeout=FUNCTION_TIMEOUT,
            memory_mb=FUNCTION_MEMORY_MB,
            removal_policy=core.config.removal_policy,
        )
        grant_access(self.handler, core, self.handler.role, bus.BACKTEST_CHUNK)  # no table, no event
        self._function_policy()

        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal(
                "states.amazonaws.com",
                conditions={"StringEquals": {"aws:SourceAccount": Stack.of(self).account}},
            ),
            description="Baton backtest state machine: lists backtest/in/, writes its summary, invokes its function",
        )
        self.state_machine = sfn.StateMachine(
            self,
            "StateMachine",
            definition_body=sfn.DefinitionBody.from_chainable(self._definition()),
            # CDK's own grants for the reader and the writer cover the whole bucket (and ListBucket without a
            # prefix): the role gets exactly the statements of `_state_machine_policy` instead.
            role=self.role.without_policy_updates(),
            timeout=RUN_TIMEOUT,
            comment="Baton backtest: baton backtest over s3://<lake>/backtest/in/RUN/, one Lambda per object",
            tracing_enabled=False,
        )
        # As for functions (BatonFunction): CDK's explicit DependsOn on the role duplicates the GetAtt (cfn-lint W3005).
        self.state_machine.node.default_child.add_metadata(  # type: ignore[union-attr]
            "cfn-lint", {"config": {"ignore_checks": ["W3005"]}}
        )
        # CDK adds a policy for the map's child executions to the role it was given; this role takes no policy
        # updates, so that policy would be attached to nothing: `_state_machine_policy` has its statements.
        self.state_machine.node.try_remove_child("DistributedMapPolicy")
        self._state_machine_policy()
        acknowledge(
            self.state_machine,
            {
                "AwsSolutions-SF2": XRAY_REASON,
                "Serverless-StepFunctionStateMachineXray": XRAY_REASON,
                "AwsSolutions-SF1": NO_EXECUTION_LOG_REASON,
                "Serverless-StepFunctionStateMachineAllLogging": NO_EXECUTION_LOG_REASON,
            },
        )
        acknowledge(
            self.handler.function,
            {
                "Serverless-LambdaDLQ": (
                    "the state machine invokes the chunk function synchronously (a Lambda DLQ only catches "
                    "asynchronous invocations): a failed chunk is retried by the map, then listed in the run's "
                    "summary (FAILED_n.json), and a failed run alarms"
                )
            },
        )
        self.alarm = self._alarm(core)
        _output(
            self,
            "BacktestStateMachineArn",
            self.state_machine.state_machine_arn,
            f"`baton backtest INPUT --s3 s3://<EventsLakeBucketName>/{IN_PREFIX}RUN/` starts a run of this machine",
        )

    def _definition(self) -> sfn.IChainable:
        run = sfn.JsonPath.string_at("$.run")
        arguments = sfn.Pass(
            self,
            "Arguments",
            comment="the execution's input over the defaults: params null (the deployed parameters)",
            parameters={"args.$": "States.JsonMerge(States.StringToJson('{\"params\":null}'), $, false)"},
            output_path="$.args",
        )
        valid = sfn.Condition.and_(
            sfn.Condition.is_present("$.run"),
            sfn.Condition.is_string("$.run"),
            sfn.Condition.or_(sfn.Condition.is_null("$.params"), sfn.Condition.is_string("$.params")),
        )
        bad_input = sfn.Fail(
            self,
            "BadInput",
            error="BadInput",
            cause='start a run with {"run": "<name>", "params": null or a decision parameters document as a '
            "JSON string} (`baton backtest --s3` does)",
        )
        score = tasks.LambdaInvoke(
            self,
            "ScoreChunk",
            lambda_function=self.handler.function,
            payload_response_only=True,
            retry_on_service_exceptions=False,
        )
        score.add_retry(
            errors=["Lambda.TooManyRequestsException"],
            interval=Duration.seconds(2),
            backoff_rate=2,
            max_attempts=THROTTLE_RETRIES,
            jitter_strategy=sfn.JitterType.FULL,
        )
        score.add_retry(
            errors=[
                "Lambda.ServiceException",
                "Lambda.AWSLambdaException",
                "Lambda.SdkClientException",
                "Lambda.ClientExecutionTimeoutException",
            ],
            interval=Duration.seconds(2),
            backoff_rate=2,
            max_attempts=SERVICE_RETRIES,
        )
        chunks = sfn.DistributedMap(
            self,
            "Chunks",
            comment="one item per object of the run's input: scored by the chunk function",
            item_reader=sfn.S3ObjectsItemReader(
                bucket=self.bucket, prefix=sfn.JsonPath.string_at("$.input_prefix")
            ),
            item_selector={
                "bucket": self.bucket.bucket_name,
                "key": sfn.JsonPath.string_at("$$.Map.Item.Value.Key"),
                "size": sfn.JsonPath.number_at("$$.Map.Item.Value.Size"),
                "run": run,
                "params": sfn.JsonPath.string_at("$.params"),
            },
            max_concurrency=MAX_CONCURRENCY,
            tolerated_failure_percentage=TOLERATED_FAILURE_PERCENT,
            label=MAP_LABEL,
            map_execution_type=sfn.StateMachineType.STANDARD,  # an Express child stops at 5 minutes
            result_writer_v2=sfn.ResultWriterV2(
                bucket=self.bucket, prefix=sfn.JsonPath.string_at("$.summary_prefix")
            ),
        )
        chunks.item_processor(score)
        # The run's prefixes, computed in a Pass state (intrinsic functions), read by the map as plain paths.
        prefixes = sfn.Pass(
            self,
            "Prefixes",
            parameters={
                "run": run,
                "params": sfn.JsonPath.string_at("$.params"),
                "input_prefix": sfn.JsonPath.format(IN_PREFIX + "{}/", run),
                "summary_prefix": sfn.JsonPath.format(OUT_PREFIX + "{}/" + SUMMARY.rstrip("/"), run),
            },
        )
        choice = sfn.Choice(self, "ValidInput").when(
            valid, prefixes.next(chunks).next(sfn.Succeed(self, "Done"))
        )
        return arguments.next(choice.otherwise(bad_input))

    def _function_policy(self) -> None:
        stack = Stack.of(self)
        policy = iam.Policy(
            self,
            "HandlerObjects",
            roles=[self.handler.role],
            statements=[
                iam.PolicyStatement(
                    sid="ReadRunInputs",
                    actions=["s3:GetObject"],
                    resources=[self.bucket.arn_for_objects(f"{IN_PREFIX}*")],
                ),
                iam.PolicyStatement(
                    sid="WriteRunOutputs",
                    actions=["s3:PutObject"],
                    resources=[self.bucket.arn_for_objects(f"{OUT_PREFIX}*")],
                ),
                iam.PolicyStatement(
                    sid="LakeKeyThroughS3",
                    actions=["kms:Decrypt", "kms:GenerateDataKey"],
                    resources=[self.key.key_arn],
                    conditions={"StringEquals": {"kms:ViaService": f"s3.{stack.region}.amazonaws.com"}},
                ),
            ],
        )
        bucket = _logical_id(self.bucket)
        acknowledge(
            policy,
            {
                f"AwsSolutions-IAM5[Resource::<{bucket}.Arn>/{IN_PREFIX}*]": (
                    "a run's input is every object under backtest/in/RUN/, named by the team: the chunk function "
                    "may read objects under backtest/in/ of the lake bucket, and nothing else of it"
                ),
                f"AwsSolutions-IAM5[Resource::<{bucket}.Arn>/{OUT_PREFIX}*]": (
                    "the chunk function writes backtest/out/RUN/scored/<the input object's name>: it may put "
                    "objects under backtest/out/ of the lake bucket, and nothing else of it"
                ),
            },
        )

    def _state_machine_policy(self) -> None:
        stack = Stack.of(self)
        machine = self.state_machine
        name = stack.split_arn(machine.state_machine_arn, _COLON).resource_name
        # The map's child executions: arn:...:execution:<machine name>/<map label>:<id>.
        children = stack.format_arn(
            service="states", resource="execution", resource_name=f"{name}/{MAP_LABEL}:*", arn_format=_COLON
        )
        work = iam.Policy(
            self,
            "StateMachinePolicy",
            roles=[self.role],
            statements=[
                iam.PolicyStatement(
                    sid="InvokeTheChunkFunction",
                    actions=["lambda:InvokeFunction"],
                    resources=[self.handler.function.function_arn],
                ),
                iam.PolicyStatement(
                    sid="ListRunInputs",
                    actions=["s3:ListBucket"],
                    resources=[self.bucket.bucket_arn],
                    conditions={"StringLike": {"s3:prefix": [f"{IN_PREFIX}*"]}},
                ),
                iam.PolicyStatement(
                    sid="WriteRunSummaries",
                    # What Step Functions' ResultWriter calls (a multipart upload of the results).
                    actions=[
                        "s3:PutObject",
                        "s3:GetObject",
                        "s3:ListMultipartUploadParts",
                        "s3:AbortMultipartUpload",
                    ],
                    resources=[self.bucket.arn_for_objects(f"{OUT_PREFIX}*")],
                ),
                iam.PolicyStatement(
                    sid="LakeKeyThroughS3",
                    actions=["kms:Decrypt", "kms:GenerateDataKey"],
                    resources=[self.key.key_arn],
                    conditions={"StringEquals": {"kms:ViaService": f"s3.{stack.region}.amazonaws.com"}},
                ),
            ],
        )
        # The machine must not start before its role may do its work (and CloudFormation checks the log delivery
        # permissions when it creates the machine).
        machine.node.add_dependency(work)
        acknowledge(
            work,
            {
                f"AwsSolutions-IAM5[Resource::<{_logical_id(self.bucket)}.Arn>/{OUT_PREFIX}*]": (
                    "Step Functions names the summary's objects (backtest/out/RUN/summary/<map run id>/...): the "
                    "role may write objects under backtest/out/ of the lake bucket, and nothing else of it"
                ),
            },
        )
        # Its own child executions: statements naming the machine, so the machine cannot wait for them (a cycle);
        # they are in place before anyone can start a run of the new machine.
        children_policy = iam.Policy(
            self,
            "ChildExecutionsPolicy",
            roles=[self.role],
            statements=[
                iam.PolicyStatement(
                    sid="RunTheMapsChildExecutions",
                    actions=["states:StartExecution"],
                    resources=[machine.state_machine_arn],
                ),
                iam.PolicyStatement(
                    sid="FollowTheMapsChildExecutions",
                    actions=["states:DescribeExecution", "states:StopExecution", "states:RedriveExecution"],
                    resources=[children],
                ),
            ],
        )
        acknowledge(
            children_policy,
            {
                f"AwsSolutions-IAM5[Resource::{_child_executions_finding(machine)}]": (
                    "the map's child executions are named by Step Functions (<machine>/Chunks:<id>): the role may "
                    "follow, stop and redrive this machine's map's children, and no other execution"
                ),
            },
        )

    def _alarm(self, core: CoreStack) -> cloudwatch.Alarm:
        machine = self.state_machine
        period = Duration.minutes(5)
        failed = cloudwatch.MathExpression(
            expression="failed + timedOut",
            using_metrics={
                "failed": machine.metric_failed(period=period, statistic="Sum"),
                "timedOut": machine.metric_timed_out(period=period, statistic="Sum"),
            },
            period=period,
            label="Backtest runs failed or timed out",
        )
        alarm = failed.create_alarm(
            self,
            "FailedRunsAlarm",
            alarm_description=(
                "backtest: a run failed or timed out (more than "
                f"{TOLERATED_FAILURE_PERCENT}% of its chunks failed, a bad input, or over {RUN_TIMEOUT.to_hours()} h). "
                "The execution's events say which; the failed chunks and their errors are in "
                "backtest/out/RUN/summary/<map run id>/FAILED_n.json. Runbook: docs/feedback.md, Backtests at scale"
            ),
            threshold=0,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluation_periods=1,
            # No run, no datapoint.
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        return notify(alarm, core.alarm_topic)


_COLON = ArnFormat.COLON_RESOURCE_NAME
XRAY_REASON = (
    "X-Ray is off, as for Baton's functions (BatonFunction): a run's progress is its execution events and the map "
    "run's counts, its failures the summary's FAILED_n.json"
)
NO_EXECUTION_LOG_REASON = (
    "no CloudWatch Logs execution log: Step Functions can only deliver one with logs:*LogDelivery* on Resource '*', "
    "and no Baton role is granted anything on '*'. A run's events are in its execution history (90 days), its "
    "failed chunks with their errors in backtest/out/RUN/summary/<map run id>/FAILED_n.json, and a failed or timed "
    "out run raises FailedRunsAlarm"
)


def _child_executions_finding(machine: sfn.StateMachine) -> str:
    """The child executions' ARN as cdk-nag names it in a finding (the machine's name split out of its ARN)."""
    stack = Stack.of(machine)
    logical_id = stack.resolve(stack.get_logical_id(machine.node.default_child))  # type: ignore[arg-type]
    name = '{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"' + str(logical_id) + '"}]}]}'
    # An environment-agnostic stack leaves region and account as pseudo parameters; `./dev synth` (a region set)
    # renders them: name the finding as cdk-nag sees it either way.
    region = "<AWS::Region>" if Token.is_unresolved(stack.region) else stack.region
    account = "<AWS::AccountId>" if Token.is_unresolved(stack.account) else stack.account
    partition = "<AWS::Partition>" if Token.is_unresolved(stack.partition) else stack.partition
    return f"arn:{partition}:states:{region}:{account}:execution:{name}/{MAP_LABEL}:*"
