"""One bus consumer, built from its `baton.bus.Subscription` and nothing else:

    rule on the Baton bus (the subscription's pattern) --(retry 24 h, then target DLQ)--> SQS queue
        --(max_receive_count, then DLQ)--> Lambda (ReportBatchItemFailures, max concurrency)

Alarms: a message in either DLQ, function errors, and a backlog (oldest message age) on the main queue.

Access: exactly what the subscription declares (`reads`, `writes`, `index_queries`, `publishes`; see
`baton.access` and `infra.constructs.grants`): a consumer that declares nothing may touch no table and publish
nothing. With `dead_letters` (every consumer built on `baton.consumer`), `sqs:SendMessage` on its own DLQ alone, whose
URL it gets in `BATON_DEAD_LETTER_QUEUE_URL`: a record whose body breaks its contract goes there on its first receive.

Parameters: `extra={"parameters": {"<setting>": "<repo file>"}}` creates one SSM parameter per entry
(`/baton/<stage>/<consumer>/<setting>`), its initial value the file's content, passes its name in the setting's
env var (`BATON_<SETTING>`) and lets the function read it (and nothing else of SSM). A team then changes the
value with `aws ssm put-parameter --overwrite`; the function picks it up within its cache age, no redeploy.
The value is `baton.wiring.parameter_value(setting, file text)` (the decision document: validated, compact,
without its provenance block), refused at synth when over the 8 KB an SSM parameter holds. CloudFormation
writes the value again only when the file itself changes.

`extra={"challenger": "<setting>"}`: one more such parameter, only when the deployment names its file (CDK
context `challengerParams`, a path from the repository root; `infra/config.py`): the decision's shadow
challenger. Deploying without it deletes the parameter and unsets the setting: no shadow.

Secrets: `extra={"secrets": ("<setting>", ...)}` names settings behind which the core stack keeps a secret
(`CoreStack.helpdesk_api_secrets`: the helpdesks' API credentials). The function gets the secret's ARN in the
setting's env var and may read that secret alone (and decrypt it with the data key); no other role may.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from aws_cdk import Duration
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from baton.bus import Subscription
from baton.decision.params import SSM_MAX_BYTES
from baton.settings import ENV_PREFIX, Settings
from baton.wiring import parameter_value
from infra.assets import ROOT, FunctionCode
from infra.constructs.alarms import any_message_alarm, threshold_alarm
from infra.constructs.function import BatonFunction
from infra.constructs.grants import grant_access
from infra.constructs.nag import acknowledge
from infra.stacks.core import MAX_EVENT_AGE, RETRY_ATTEMPTS, CoreStack, dead_letter_queue, pascal

QUEUE_RETENTION = Duration.days(4)
# Baton is real time: an escalation decided five minutes late is a customer who already waited too long.
MAX_BACKLOG_AGE = Duration.minutes(5)


class Consumer(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        subscription: Subscription,
        core: CoreStack,
        code: FunctionCode,
        layers: Sequence[lambda_.ILayerVersion],
    ) -> None:
        super().__init__(scope, construct_id)
        sub = subscription
        if not 1 <= sub.max_receive_count <= 1000:
            raise ValueError(
                f"subscription {sub.name!r}: max_receive_count must be 1..1000, got {sub.max_receive_count}"
            )
        topic = core.alarm_topic

        self.dlq = dead_letter_queue(self, "Dlq")
        self.queue = sqs.Queue(
            self,
            "Queue",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            visibility_timeout=Duration.seconds(sub.visibility_timeout_s),
            retention_period=QUEUE_RETENTION,
            dead_letter_queue=sqs.DeadLetterQueue(queue=self.dlq, max_receive_count=sub.max_receive_count),
        )
        self.target_dlq = dead_letter_queue(self, "TargetDlq")

        self.handler = BatonFunction(
            self,
            "Handler",
            code=code,
            layers=layers,
            settings=core.settings(),
            service=sub.name,
            description=sub.description or f"Baton consumer {sub.name}",
            timeout=Duration.seconds(sub.timeout_s),
            memory_mb=sub.memory_mb,
            removal_policy=core.config.removal_policy,
        )
        function = self.handler.function
        function.add_event_source(
            event_sources.SqsEventSource(
                self.queue,
                batch_size=sub.batch_size,
                report_batch_item_failures=True,
                max_concurrency=sub.max_concurrency,
            )
        )
        grant_access(self.handler, core, self.handler.role, sub.access)
        if sub.access.dead_letters:
            self._grant_dead_letters()
        self.parameters = self._parameters(sub, core)
        self.secrets = self._secrets(sub, core)

        self.rule = self._rule(sub, core)
        self.schedule = self._schedule(sub) if sub.schedule_minutes else None

        acknowledge(
            function,
            {
                "Serverless-LambdaDLQ": (
                    "invoked synchronously by the SQS event source mapping, never asynchronously: a record that "
                    "keeps failing goes to this consumer's queue DLQ (alarmed)"
                ),
                "Serverless-LambdaEventSourceMappingDestination": (
                    "SQS event source mappings take no on-failure destination; the queue's redrive policy sends a "
                    "record to the DLQ after max_receive_count receives"
                ),
            },
        )
        acknowledge(
            self.dlq,
            {"Serverless-SQSRedrivePolicy": "a dead-letter queue has no dead-letter queue of its own"},
        )
        acknowledge(
            self.target_dlq,
            {
                "AwsSolutions-SQS3": "this is the dead-letter queue of the rule target (EventBridge DeadLetterConfig); it is alarmed",
                "Serverless-SQSRedrivePolicy": "a dead-letter queue has no dead-letter queue of its own",
            },
        )

        any_message_alarm(
            self,
            "DlqAlarm",
            queue=self.dlq,
            topic=topic,
            description=(
                f"{sub.name}: records failed {sub.max_receive_count} times, or broke their contract, and were "
                "dead-lettered"
            ),
        )
        any_message_alarm(
            self,
            "TargetDlqAlarm",
            queue=self.target_dlq,
            topic=topic,
            description=f"{sub.name}: EventBridge could not deliver events to the queue for 24 h",
        )
        threshold_alarm(
            self,
            "ErrorsAlarm",
            metric=function.metric_errors(period=Duration.minutes(5), statistic="Sum"),
            threshold=0,
            topic=topic,
            description=f"{sub.name}: the function raised (a whole batch was returned to the queue)",
        )
        threshold_alarm(
            self,
            "BacklogAlarm",
            metric=self.queue.metric_approximate_age_of_oldest_message(
                period=Duration.minutes(1), statistic="Maximum"
            ),
            threshold=MAX_BACKLOG_AGE.to_seconds(),
            evaluation_periods=2,
            topic=topic,
            description=f"{sub.name}: the oldest queued event is older than {MAX_BACKLOG_AGE.to_minutes()} minutes",
        )

    def _grant_dead_letters(self) -> None:
        """SendMessage on this consumer's DLQ, and its URL (`baton.adapters.sqs`). The queue is SQS-encrypted (no key
        to grant); `Queue.grant_send_messages` would add GetQueueAttributes and GetQueueUrl, which the code never calls."""
        iam.Grant.add_to_principal(
            grantee=self.handler.role, actions=["sqs:SendMessage"], resource_arns=[self.dlq.queue_arn]
        )
        self.handler.function.add_environment(ENV_PREFIX + "DEAD_LETTER_QUEUE_URL", self.dlq.queue_url)

    def _parameters(self, sub: Subscription, core: CoreStack) -> dict[str, ssm.StringParameter]:
        created: dict[str, ssm.StringParameter] = {}
        files: dict[str, str] = dict(sub.extra.get("parameters", {}))
        challenger = sub.extra.get("challenger")
        if challenger and core.config.challenger_params:
            files[challenger] = core.config.challenger_params
        for setting, relative in files.items():
            if setting not in Settings.model_fields:
                raise ValueError(
                    f"subscription {sub.name!r}: extra['parameters'] names unknown setting {setting!r}"
                )
            source = ROOT / relative
            if not source.is_file():
                raise ValueError(
                    f"subscription {sub.name!r}: the initial value of {setting} is read from {source}, which is missing"
                )
            try:
                value = parameter_value(setting, source.read_text(encoding="utf-8"))
            except ValueError as exc:
                raise ValueError(f"subscription {sub.name!r}: {source}: {exc}") from None
            if len(value.encode()) > SSM_MAX_BYTES:
                raise ValueError(
                    f"subscription {sub.name!r}: {source} is {len(value.encode())} bytes as a parameter value, "
                    f"over the {SSM_MAX_BYTES} an SSM parameter holds"
                )
            parameter = ssm.StringParameter(
                self,
                pascal(setting),
                parameter_name=f"/baton/{core.config.stage}/{sub.name}/{setting}",
                string_value=value,
                # Standard while the value fits 4 KB, advanced (8 KB) when a team's document needs it: one tier
                # a later deploy can always render (SSM cannot take an advanced parameter back to standard).
                tier=ssm.ParameterTier.INTELLIGENT_TIERING,
                description=f"{sub.name}: {setting} (initial value: {relative})",
            )
            parameter.grant_read(self.handler.role)
            self.handler.function.add_environment(ENV_PREFIX + setting.upper(), parameter.parameter_name)
            created[setting] = parameter
        return created

    def _schedule(self, sub: Subscription) -> events.CfnRule:
        """A scheduled rule (on the default bus: schedules live there) putting a `RoutingClockTicked` on this queue, shaped
        as the Baton bus would deliver it (an EventBridge envelope), so the handler parses it like any event."""
        from baton.events import RoutingClockTicked

        envelope = {
            "version": "0",
            "id": "<id>",
            "detail-type": RoutingClockTicked.DETAIL_TYPE,
            "source": RoutingClockTicked.SOURCE,
            "account": "<account>",
            "time": "<time>",
            "region": "<region>",
            "resources": [],
            "detail": {"event_id": "tick-<id>", "occurred_at": "<time>"},
        }
        minutes = sub.schedule_minutes or 1
        rule = events.CfnRule(
            self,
            "Schedule",
            description=f"{sub.name}: its clock (RoutingClockTicked), every {minutes} minute(s)",
            schedule_expression=f"rate({minutes} minute{'s' if minutes > 1 else ''})",
            state="ENABLED",
            targets=[
                events.CfnRule.TargetProperty(
                    id="Queue",
                    arn=self.queue.queue_arn,
                    input_transformer=events.CfnRule.InputTransformerProperty(
                        input_paths_map={
                            "id": "$.id",
                            "time": "$.time",
                            "account": "$.account",
                            "region": "$.region",
                        },
                        input_template=json.dumps(envelope),
                    ),
                    dead_letter_config=events.CfnRule.DeadLetterConfigProperty(arn=self.target_dlq.queue_arn),
                    retry_policy=events.CfnRule.RetryPolicyProperty(
                        maximum_event_age_in_seconds=int(MAX_EVENT_AGE.to_seconds()),
                        maximum_retry_attempts=RETRY_ATTEMPTS,
                    ),
                )
            ],
        )
        for queue in (self.queue, self.target_dlq):
            queue.add_to_resource_policy(
                iam.PolicyStatement(
                    sid="AllowScheduleToSend",
                    principals=[iam.ServicePrincipal("events.amazonaws.com")],
                    actions=["sqs:SendMessage"],
                    resources=[queue.queue_arn],
                    conditions={"ArnEquals": {"aws:SourceArn": rule.attr_arn}},
                )
            )
        return rule

    def _secrets(self, sub: Subscription, core: CoreStack) -> dict[str, secretsmanager.ISecret]:
        """`extra={"secrets": ("<setting>", ...)}`: each core-stack secret behind a setting (`core.helpdesk_api_secrets`),
        its ARN in the setting's env var, read (GetSecretValue, DescribeSecret) on it alone, and decrypt on the
        key that encrypts it."""
        granted: dict[str, secretsmanager.ISecret] = {}
        for setting in sub.extra.get("secrets", ()):
            secret = core.helpdesk_api_secrets.get(setting)
            if setting not in Settings.model_fields or secret is None:
                raise ValueError(
                    f"subscription {sub.name!r}: extra['secrets'] names {setting!r}, which no core secret is behind "
                    f"(declarable: {sorted(core.helpdesk_api_secrets)})"
                )
            # Through a reference, as the API's webhook secrets: Secret.grant_read on the core stack's secret would
            # write this role into the core key's policy (a cycle between the stacks).
            reference = secretsmanager.Secret.from_secret_complete_arn(
                self.handler, f"{pascal(setting)}Access", secret.secret_arn
            )
            reference.grant_read(self.handler.role)
            self.handler.function.add_environment(ENV_PREFIX + setting.upper(), secret.secret_arn)
            granted[setting] = reference
        if granted:
            core.key.grant_decrypt(self.handler.role)
        return granted

    def _rule(self, sub: Subscription, core: CoreStack) -> events.CfnRule:
        """The rule, as L1: the pattern is the subscription's JSON verbatim (prefix matchers and all)."""
        rule = events.CfnRule(
            self,
            "Rule",
            description=f"{sub.name}: {sub.description}"[:512],
            event_bus_name=core.bus.event_bus_name,
            event_pattern=sub.pattern,
            state="ENABLED",
            targets=[
                events.CfnRule.TargetProperty(
                    id="Queue",
                    arn=self.queue.queue_arn,
                    dead_letter_config=events.CfnRule.DeadLetterConfigProperty(arn=self.target_dlq.queue_arn),
                    retry_policy=events.CfnRule.RetryPolicyProperty(
                        maximum_event_age_in_seconds=int(MAX_EVENT_AGE.to_seconds()),
                        maximum_retry_attempts=RETRY_ATTEMPTS,
                    ),
                )
            ],
        )
        # EventBridge delivers with its service principal, to the queue and (on failure) to the target DLQ;
        # the source-ARN condition limits both to this rule.
        for queue in (self.queue, self.target_dlq):
            queue.add_to_resource_policy(
                iam.PolicyStatement(
                    sid="AllowRuleToSend",
                    principals=[iam.ServicePrincipal("events.amazonaws.com")],
                    actions=["sqs:SendMessage"],
                    resources=[queue.queue_arn],
                    conditions={"ArnEquals": {"aws:SourceArn": rule.attr_arn}},
                )
            )
        return rule
