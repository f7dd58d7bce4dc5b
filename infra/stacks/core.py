"""`<Stage>-Core`: the stateful stack every capability stack plugs into.

Event bus (+ 30-day archive for replay), the DynamoDB tables of `baton.tables`, the KMS key that encrypts them
and the webhook secrets, the alarm topic, and (optionally) the forwarding rule from the Zendesk partner bus.

It holds no code on purpose: the Lambda layers are built into each capability stack, so a code change never
updates the stateful stack, and `cdk deploy <Stage>-Scoring` ships new `baton` code to Scoring alone. (A
layer exported from here would change its ARN on every code change, and CloudFormation refuses to update an
export that another stack imports.) The values exported from here (names and ARNs of the bus, tables, key,
topic and secrets) only change if the resource is replaced.

The webhook secrets are created with a random placeholder, so signature checks fail closed until an admin
stores the real signing secret (see the `...SecretArn` outputs):
    aws secretsmanager put-secret-value --secret-id <ZendeskWebhookSecretArn> --secret-string '<signing secret>'
So are the helpdesks' API credentials of the write-back (`helpdesk-writeback`), JSON:
    aws secretsmanager put-secret-value --secret-id <ZendeskApiSecretArn> \
        --secret-string '{"subdomain": "acme", "email": "baton@acme.com", "api_token": "..."}'
    aws secretsmanager put-secret-value --secret-id <IntercomApiSecretArn> \
        --secret-string '{"access_token": "...", "admin_id": "814860"}'
"""

from __future__ import annotations

import json
from typing import Any

from aws_cdk import CfnOutput, Duration, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from baton.bus import ZENDESK_PARTNER_SOURCE_PREFIX
from baton.settings import Settings
from baton.tables import TABLES
from baton.tables import Table as TableSpec
from infra.config import BatonConfig
from infra.constructs.alarms import any_message_alarm
from infra.constructs.nag import acknowledge

ARCHIVE_RETENTION = Duration.days(30)
# EventBridge's maximum: a partner event that cannot reach Baton's bus is retried for a day before the DLQ.
MAX_EVENT_AGE = Duration.hours(24)
RETRY_ATTEMPTS = 185
DLQ_RETENTION = Duration.days(14)
PARTNER_DETAIL_TYPE_PREFIX = "Support Ticket: "


def pascal(name: str) -> str:
    return "".join(part.capitalize() for part in name.replace("_", "-").split("-"))


def dead_letter_queue(scope: Construct, construct_id: str) -> sqs.Queue:
    return sqs.Queue(
        scope,
        construct_id,
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        retention_period=DLQ_RETENTION,
    )


class CoreStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, *, config: BatonConfig, **kwargs: Any) -> None:
        super().__init__(
            scope,
            construct_id,
            description="Baton: event bus, archive, tables, keys, secrets, alarms",
            **kwargs,
        )
        self.config = config

        self.key = kms.Key(
            self,
            "DataKey",
            description="Baton: encrypts the conversation tables and the webhook secrets",
            enable_key_rotation=True,
            removal_policy=config.removal_policy,
        )

        self.bus = events.EventBus(self, "Bus", description=f"Baton {config.stage}: every Baton event")
        self.bus.archive(
            "Archive",
            description="Every event on the Baton bus, for replay",
            event_pattern=events.EventPattern(account=[self.account]),
            retention=ARCHIVE_RETENTION,
        )

        self.tables: dict[str, dynamodb.Table] = {spec.logical_name: self._table(spec) for spec in TABLES}

        self.zendesk_secret = self._webhook_secret(
            "ZendeskWebhookSecret",
            "Zendesk webhook signing secret. Replace the generated placeholder with the webhook's signing secret "
            "(Zendesk Admin Center > Apps and integrations > Webhooks > the webhook > Signing secret).",
        )
        self.intercom_secret = self._webhook_secret(
            "IntercomWebhookSecret",
            "Intercom webhook signing secret. Replace the generated placeholder with the Intercom app's client "
            "secret (Developer Hub > the app > Basic information), which signs X-Hub-Signature.",
        )

        self.helpdesk_api_secrets: dict[str, secretsmanager.Secret] = {
            "zendesk_api_secret_name": self._helpdesk_api_secret(
                "ZendeskApiSecret",
                "Zendesk API credentials of the helpdesk write-back, JSON "
                '{"subdomain": "<acme>", "email": "<agent e-mail>", "api_token": "<API token>"} '
                "(Admin Center > Apps and integrations > APIs > Zendesk API > API token). The generated value is a "
                "placeholder: writes fail, and are dead-lettered with the reason, until it is replaced.",
                template={"subdomain": "", "email": ""},
                generated="api_token",
            ),
            "intercom_api_secret_name": self._helpdesk_api_secret(
                "IntercomApiSecret",
                "Intercom API credentials of the helpdesk write-back, JSON "
                '{"access_token": "<access token>", "admin_id": "<the admin notes are written as>"} '
                "(Developer Hub > the app > Authentication). The generated value is a placeholder: writes fail, and "
                "are dead-lettered with the reason, until it is replaced.",
                template={"admin_id": ""},
                generated="access_token",
            ),
        }
        """The secrets a consumer may declare (`extra["secrets"]` of its subscription), by the setting naming them."""

        self.alarm_topic = self._alarm_topic()

        if config.partner_event_source_name:
            self._forward_partner_events(config.partner_event_source_name)

        CfnOutput(self, "EventBusName", value=self.bus.event_bus_name)
        CfnOutput(self, "EventBusArn", value=self.bus.event_bus_arn)
        CfnOutput(self, "ZendeskWebhookSecretArn", value=self.zendesk_secret.secret_arn)
        CfnOutput(self, "IntercomWebhookSecretArn", value=self.intercom_secret.secret_arn)
        CfnOutput(
            self, "ZendeskApiSecretArn", value=self.helpdesk_api_secrets["zendesk_api_secret_name"].secret_arn
        )
        CfnOutput(
            self,
            "IntercomApiSecretArn",
            value=self.helpdesk_api_secrets["intercom_api_secret_name"].secret_arn,
        )
        CfnOutput(self, "AlarmTopicArn", value=self.alarm_topic.topic_arn)
        CfnOutput(
            self,
            "ContextTableName",
            value=self.tables["context"].table_name,
            description="`baton context import ... --table` loads accounts, incidents and activity here",
        )
        CfnOutput(
            self,
            "RoutingTableName",
            value=self.tables["routing"].table_name,
            description="`baton agents import ... --table` loads agents here; `baton agents list --table` reads them",
        )
        CfnOutput(
            self,
            "ConversationsTableName",
            value=self.tables["conversations"].table_name,
            description="`baton kpis --table` reads the KPI buckets here",
        )

    def settings(self, **overrides: Any) -> Settings:
        """The settings a deployed function runs with (physical names resolve to cross-stack references)."""
        names = {f"{logical}_table": table.table_name for logical, table in self.tables.items()}
        return Settings(stage=self.config.stage, event_bus_name=self.bus.event_bus_name, **names, **overrides)

    def _table(self, spec: TableSpec) -> dynamodb.Table:
        table = dynamodb.Table(
            self,
            f"{pascal(spec.logical_name)}Table",
            partition_key=dynamodb.Attribute(name=spec.partition_key, type=dynamodb.AttributeType.STRING),
            sort_key=(
                dynamodb.Attribute(name=spec.sort_key, type=dynamodb.AttributeType.STRING)
                if spec.sort_key
                else None
            ),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            time_to_live_attribute=spec.ttl_attribute,
            encryption=dynamodb.TableEncryption.CUSTOMER_MANAGED,
            encryption_key=self.key,
            removal_policy=self.config.removal_policy,
            deletion_protection=self.config.is_prod,
        )
        for index in spec.indexes:
            table.add_global_secondary_index(
                index_name=index.name,
                partition_key=dynamodb.Attribute(
                    name=index.partition_key, type=dynamodb.AttributeType.STRING
                ),
                sort_key=(
                    dynamodb.Attribute(name=index.sort_key, type=dynamodb.AttributeType.STRING)
                    if index.sort_key
                    else None
                ),
                projection_type=dynamodb.ProjectionType.ALL,
            )
        return table

    def _webhook_secret(self, construct_id: str, description: str) -> secretsmanager.Secret:
        secret = secretsmanager.Secret(
            self,
            construct_id,
            description=description,
            encryption_key=self.key,
            # Random, so an unconfigured deployment rejects every signature instead of accepting a known value.
            generate_secret_string=secretsmanager.SecretStringGenerator(
                password_length=64, exclude_punctuation=True
            ),
            removal_policy=self.config.removal_policy,
        )
        acknowledge(
            secret,
            {
                "AwsSolutions-SMG4": (
                    "the helpdesk issues this signing secret and rotates it on its side; an admin then stores the "
                    "new value here, so there is nothing a Secrets Manager rotation function could rotate"
                )
            },
        )
        return secret

    def _helpdesk_api_secret(
        self, construct_id: str, description: str, *, template: dict[str, str], generated: str
    ) -> secretsmanager.Secret:
        secret = secretsmanager.Secret(
            self,
            construct_id,
            description=description,
            encryption_key=self.key,
            # The JSON shape the write-back reads, with a random credential and empty names: an unconfigured
            # deployment fails its writes loudly (HelpdeskNotConfigured) instead of calling anyone.
            generate_secret_string=secretsmanager.SecretStringGenerator(
                secret_string_template=json.dumps(template),
                generate_string_key=generated,
                password_length=64,
                exclude_punctuation=True,
            ),
            removal_policy=self.config.removal_policy,
        )
        acknowledge(
            secret,
            {
                "AwsSolutions-SMG4": (
                    "the helpdesk issues this API credential and revokes it on its side; an admin then stores the "
                    "new value here, so there is nothing a Secrets Manager rotation function could rotate"
                )
            },
        )
        return secret

    def _alarm_topic(self) -> sns.Topic:
        # A key of its own: CloudWatch must be allowed to use it, and that grant should not reach the data key.
        alarms_key = kms.Key(
            self,
            "AlarmsKey",
            description="Baton: encrypts the alarm topic (CloudWatch alarms publish to it)",
            enable_key_rotation=True,
            removal_policy=self.config.removal_policy,
        )
        alarms_key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CloudWatchAlarmsPublishToEncryptedTopic",
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                resources=["*"],  # in a key policy, "*" is this key
            )
        )
        topic = sns.Topic(
            self, "AlarmTopic", display_name="Baton alarms", master_key=alarms_key, enforce_ssl=True
        )
        # enforce_ssl gives the topic a resource policy (its SSL-only deny), which replaces SNS's default one:
        # without this statement no alarm of this account may publish, and every notification fails.
        topic.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CloudWatchAlarmsPublish",
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["sns:Publish"],
                resources=[topic.topic_arn],
                conditions={"StringEquals": {"aws:SourceAccount": self.account}},
            )
        )
        if self.config.alarm_email:
            email_dlq = dead_letter_queue(self, "AlarmEmailDlq")
            topic.add_subscription(
                subscriptions.EmailSubscription(self.config.alarm_email, dead_letter_queue=email_dlq)
            )
            acknowledge(
                email_dlq,
                {
                    "AwsSolutions-SQS3": "this is the dead-letter queue of the alarm e-mail subscription (alarmed)",
                    "Serverless-SQSRedrivePolicy": "a dead-letter queue has no dead-letter queue of its own",
                },
            )
            any_message_alarm(
                self,
                "AlarmEmailDlqAlarm",
                queue=email_dlq,
                topic=topic,
                description="Alarm e-mails could not be delivered: check the alarmEmail address and its confirmation",
            )
        return topic

    def _forward_partner_events(self, source_name: str) -> None:
        """Zendesk's partner bus -> Baton's bus, where the `helpdesk-events` consumer's rule picks them up."""
        partner_bus = events.EventBus.from_event_bus_name(self, "ZendeskPartnerBus", source_name)
        dlq = dead_letter_queue(self, "PartnerForwardDlq")
        rule = events.Rule(
            self,
            "ZendeskPartnerForward",
            event_bus=partner_bus,
            description="Forward Zendesk 'Support Ticket: *' partner events to the Baton bus",
            event_pattern=events.EventPattern(
                source=events.Match.prefix(ZENDESK_PARTNER_SOURCE_PREFIX),
                detail_type=events.Match.prefix(PARTNER_DETAIL_TYPE_PREFIX),
            ),
            targets=[targets.EventBus(self.bus, dead_letter_queue=dlq)],
        )
        # The EventBus target has no retry-policy prop; set EventBridge's own maximum explicitly.
        rule.node.default_child.add_property_override(  # type: ignore[union-attr]
            "Targets.0.RetryPolicy",
            {
                "MaximumEventAgeInSeconds": int(MAX_EVENT_AGE.to_seconds()),
                "MaximumRetryAttempts": RETRY_ATTEMPTS,
            },
        )
        acknowledge(
            dlq,
            {
                "AwsSolutions-SQS3": "this is the dead-letter queue of the partner-forwarding rule target (alarmed)",
                "Serverless-SQSRedrivePolicy": "a dead-letter queue has no dead-letter queue of its own",
            },
        )
        any_message_alarm(
            self,
            "PartnerForwardDlqAlarm",
            queue=dlq,
            topic=self.alarm_topic,
            description="Zendesk partner events could not be forwarded to the Baton bus (see PartnerForwardDlq)",
        )
