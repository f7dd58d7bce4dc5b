"""CloudWatch alarms that notify the alarm topic (and again when they recover)."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct


def notify(alarm: cloudwatch.Alarm, topic: sns.ITopic) -> cloudwatch.Alarm:
    action = actions.SnsAction(topic)
    alarm.add_alarm_action(action)
    alarm.add_ok_action(action)
    return alarm


def any_message_alarm(
    scope: Construct, construct_id: str, *, queue: sqs.IQueue, topic: sns.ITopic, description: str
) -> cloudwatch.Alarm:
    """A message in a dead-letter queue is a lost event until someone looks: alarm on the first one."""
    metric = queue.metric_approximate_number_of_messages_visible(
        period=Duration.minutes(1), statistic="Maximum"
    )
    alarm = metric.create_alarm(
        scope,
        construct_id,
        alarm_description=description,
        threshold=0,
        comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluation_periods=1,
        # SQS stops reporting an idle queue's metrics: no data means no message.
        treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
    )
    return notify(alarm, topic)


def threshold_alarm(
    scope: Construct,
    construct_id: str,
    *,
    metric: cloudwatch.IMetric,
    threshold: float,
    topic: sns.ITopic,
    description: str,
    evaluation_periods: int = 1,
) -> cloudwatch.Alarm:
    alarm = metric.create_alarm(
        scope,
        construct_id,
        alarm_description=description,
        threshold=threshold,
        comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluation_periods=evaluation_periods,
        treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
    )
    return notify(alarm, topic)
