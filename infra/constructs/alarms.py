"""CloudWatch alarms that notify the alarm topic (and again when they recover).

Besides the alarms on AWS's metrics (dead-letter queues, errors, backlog), the alarms on the metrics Baton's
code emits (Powertools EMF: namespace `Baton`, dimension `service` = the subscription's name,
`baton.consumer`), each named in docs/operations.md with where to look and what to do:

| alarm                        | metric (service)                          | fires on                                      |
|------------------------------|-------------------------------------------|-----------------------------------------------|
| `MalformedEventsAlarm`       | `MalformedEvents` (every consumer)        | any event that breaks its contract            |
| `<Skipped>Alarm`             | `SKIPPED_METRICS` (each ordered consumer) | any message applied without its predecessor: out of order beyond what waiting and retries absorb |
| `EscalationRateDriftAlarm`   | `EscalationRateDriftPts` (`insights`)     | the week-over-week escalation rate moved >= 10 points |

`OutOfOrder` itself is expected (a message one step ahead is retried until its predecessor is applied): it is on
the dashboard, not alarmed. `UndecidedMessages` is the decide consumer's skipped count: its alarm is the
"undecided messages" alarm.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from baton.bus import Subscription
from baton.insights.models import Drift
from infra.constructs.function import METRICS_NAMESPACE

CUSTOM_METRIC_PERIOD = Duration.minutes(5)
MALFORMED_EVENTS = "MalformedEvents"
"""Counted by every consumer for a record that breaks its event contract (`baton.consumer.ConsumerProcessor`)."""
SKIPPED_METRICS: dict[str, str] = {
    "score": "UnscoredMessages",
    "decide": "UndecidedMessages",
    "route": "UnroutedMessages",
}
"""Ordered subscription -> the count its logic emits when it goes on without a predecessor that never arrived
(`OrderedLogic.skipped_metric`): the ordering gave up waiting. A new ordered subscription needs its entry here
(synth says so); tests/infra pins these against the logic classes."""

KPI_SERVICE = "insights"
"""The subscription whose clock tick emits the KPI metrics (`service` dimension)."""
ESCALATION_RATE = "EscalationRate"
"""Percent of the last 7 days' conversations that were escalated."""
ESCALATION_RATE_DRIFT = "EscalationRateDriftPts"
"""Absolute week-over-week change of the escalation rate, in percentage points."""
DRIFT_THRESHOLD_PTS: float = Drift.model_fields["threshold_pts"].default
"""The move the KPI report flags as drift (`Drift.threshold_pts`): the alarm uses the same figure."""
KPI_PERIOD = Duration.hours(1)
"""The insights consumer emits the KPIs on its hourly clock tick."""


def baton_metric(
    service: str,
    name: str,
    *,
    statistic: str = "Sum",
    period: Duration = CUSTOM_METRIC_PERIOD,
    label: str | None = None,
) -> cloudwatch.Metric:
    """A metric Baton's code emits: Powertools EMF, namespace `Baton`, dimension `service`."""
    return cloudwatch.Metric(
        namespace=METRICS_NAMESPACE,
        metric_name=name,
        dimensions_map={"service": service},
        statistic=statistic,
        period=period,
        label=label,
    )


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
    comparison: cloudwatch.ComparisonOperator = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
) -> cloudwatch.Alarm:
    alarm = metric.create_alarm(
        scope,
        construct_id,
        alarm_description=description,
        threshold=threshold,
        comparison_operator=comparison,
        evaluation_periods=evaluation_periods,
        datapoints_to_alarm=evaluation_periods,
        treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
    )
    return notify(alarm, topic)


def consumer_metric_alarms(
    scope: Construct, sub: Subscription, topic: sns.ITopic
) -> dict[str, cloudwatch.Alarm]:
    """A consumer's alarms on the metrics its code emits, by metric name: an event that breaks its contract, and
    (ordered consumers) a message applied without its predecessor. Both fire on the first occurrence."""
    alarms = {
        MALFORMED_EVENTS: threshold_alarm(
            scope,
            "MalformedEventsAlarm",
            metric=baton_metric(sub.name, MALFORMED_EVENTS),
            threshold=0,
            topic=topic,
            description=(
                f"{sub.name}: an event broke its contract (MalformedEvents); it is retried, then dead-lettered. "
                "Runbook: docs/operations.md, Alarms, MalformedEvents"
            ),
        )
    }
    if sub.ordered:
        skipped = SKIPPED_METRICS.get(sub.name)
        if skipped is None:
            raise ValueError(
                f"subscription {sub.name!r} is ordered: add the metric its logic counts when it goes on without a "
                "predecessor (OrderedLogic.skipped_metric) to SKIPPED_METRICS in infra/constructs/alarms.py"
            )
        alarms[skipped] = threshold_alarm(
            scope,
            f"{skipped}Alarm",
            metric=baton_metric(sub.name, skipped),
            threshold=0,
            topic=topic,
            description=(
                f"{sub.name}: a message was applied without its predecessor ({skipped}): out of order beyond "
                f"what waiting and retries absorb, so its effect on the conversation is missing. "
                f"Runbook: docs/operations.md, Alarms, {skipped}"
            ),
        )
    return alarms


def kpi_drift_alarm(scope: Construct, topic: sns.ITopic) -> cloudwatch.Alarm:
    """The escalation rate moved by the drift threshold or more, week over week (one hourly datapoint)."""
    return threshold_alarm(
        scope,
        "EscalationRateDriftAlarm",
        metric=baton_metric(KPI_SERVICE, ESCALATION_RATE_DRIFT, statistic="Maximum", period=KPI_PERIOD),
        threshold=DRIFT_THRESHOLD_PTS,
        comparison=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        topic=topic,
        description=(
            f"KPI drift: the escalation rate of the last 7 days moved {DRIFT_THRESHOLD_PTS:g} points or more against "
            "the 7 days before (EscalationRateDriftPts): `baton kpis` or GET /v1/kpis shows which intents moved. "
            "Runbook: docs/operations.md, Alarms, EscalationRateDriftPts"
        ),
    )
