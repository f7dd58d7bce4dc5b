"""The stage's CloudWatch dashboard: what an ops engineer opens first.

Top to bottom:
- the API: requests, 4xx, 5xx, latency, the ingest function, the messages and webhooks it accepted;
- one row per consumer, in `baton.bus` order (never a list of its own): invocations, errors, throttles,
  duration (p50, p95, against the timeout), the age of the oldest queued event (against the backlog alarm),
  the dead letters (queue DLQ, rule-target DLQ), and the records that failed (malformed, unapplicable, out of
  order, other; for an ordered consumer, the messages applied without their predecessor);
- the bus: deliveries that failed for good, by rule;
- what Baton decides (the metrics its code emits, namespace `Baton`, dimension `service`): messages scored,
  decisions and changes of action, escalations routed, outcome labels, helpdesk events and write-backs, context events;
- the KPIs the insights consumer emits hourly: the escalation rate and its week-over-week drift (alarmed).

A panel of custom metrics appears only when the consumer emitting them is deployed. The metric names are the
code's (tests/infra pins each against the code that emits it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import get_args

from aws_cdk import Aws, CfnOutput, Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_events as events
from constructs import Construct

from baton.bus import Subscription
from baton.context.service import EVENTS as CONTEXT_EVENTS
from baton.events import EscalationDecided
from baton.feedback.labels import LabelName
from infra.constructs.alarms import (
    ESCALATION_RATE,
    KPI_PERIOD,
    KPI_SERVICE,
    MALFORMED_EVENTS,
    SKIPPED_METRICS,
    baton_metric,
)
from infra.constructs.api import IngestionApi
from infra.constructs.consumer import MAX_BACKLOG_AGE, Consumer

PERIOD = Duration.minutes(5)
GRAPH_HEIGHT = 6
FULL_WIDTH = 24
API_SERVICE = "ingest-api"
"""The ingest function's `service` dimension (`baton.ingestion.entry.SERVICE`)."""

FAILED_RECORD_METRICS = (MALFORMED_EVENTS, "UnapplicableEvents", "FailedRecords", "OutOfOrder")
"""What `baton.consumer.ConsumerProcessor` counts for a failed record, whatever the consumer."""
API_MESSAGE_METRICS = (
    "MessagesAccepted",
    "DuplicateMessages",
    "Conflicts",
    "ValidationErrors",
    "ServerErrors",
)
API_WEBHOOK_METRICS = ("InvalidSignatures", "UnknownTopics", "WebhooksInProgress")
SUMMARIES_UPDATED = "SummariesUpdated"
"""Counted by the insights consumer for each conversation summary it changed."""
WEBHOOKS_METRIC = "Webhooks"
"""Counted per webhook with the extra dimensions `source` and `topic` (`baton.ingestion.api`)."""


@dataclass(frozen=True)
class Panel:
    """A graph of custom metrics: (service, metric name) pairs, drawn when the service is deployed."""

    title: str
    metrics: tuple[tuple[str, str], ...]


def _of(service: str, *names: str) -> tuple[tuple[str, str], ...]:
    return tuple((service, name) for name in names)


_ACTIONS: tuple[str, ...] = get_args(EscalationDecided.model_fields["action"].annotation)

PANELS: tuple[Panel, ...] = (
    Panel("Messages scored", _of("score", "MessagesScored", SKIPPED_METRICS["score"])),
    Panel(
        "Decisions; changes of action, by the new action",
        _of(
            "decide",
            "Decisions",
            # baton.decision.service counts f"{action.capitalize()}Decisions" when the action changes.
            *(f"{action.capitalize()}Decisions" for action in _ACTIONS),
            "GuardrailEscalations",
            "ShadowDisagreements",
            SKIPPED_METRICS["decide"],
        ),
    ),
    Panel(
        "Escalations routed",
        _of("route", "EscalationsAssigned", "EscalationsQueued")
        + _of("route-capacity", "QueueAssigned", "QueueWaiting"),
    ),
    # functions/feedback counts f"Label_{label}".
    Panel("Outcome labels", _of("feedback", *(f"Label_{label}" for label in get_args(LabelName)))),
    Panel(
        "Helpdesk events",
        _of(
            "helpdesk-events",
            "HelpdeskEvents",
            "HelpdeskMessages",
            "HelpdeskOutcomes",
            "HelpdeskRedactions",
            "UnknownTopics",
        ),
    ),
    Panel(
        "Helpdesk write-back",
        _of(
            "helpdesk-writeback",
            "HelpdeskNotesPosted",
            "HelpdeskAssignmentsSet",
            "AssigneesWithoutHelpdeskId",
            "HandoffsWithoutHelpdesk",
            "DuplicateHandoffs",
        ),
    ),
    # functions/context_events counts f"{detail-type}Events".
    Panel("Context events", _of("context-events", *(f"{e.DETAIL_TYPE}Events" for e in CONTEXT_EVENTS))),
)
"""What Baton decides, from the metrics its code emits."""


class BatonDashboard(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stage: str,
        bus: events.IEventBus,
        consumers: Sequence[tuple[Subscription, Consumer]],
        api: IngestionApi | None,
        drift_alarm: cloudwatch.Alarm | None,
    ) -> None:
        """`consumers`: the deployed subscriptions with their constructs, in `baton.bus` order. `drift_alarm`: the
        KPI drift alarm, when the insights consumer is deployed."""
        super().__init__(scope, construct_id)
        services = {sub.name for sub, _ in consumers}
        # Dashboards are global to the account: the region keeps two regions' stages apart.
        self.dashboard = cloudwatch.Dashboard(
            self,
            "Dashboard",
            dashboard_name=f"Baton-{stage}-{Aws.REGION}",
            default_interval=Duration.hours(6),
        )
        self.dashboard.add_widgets(_header(stage, [sub.name for sub, _ in consumers]))
        if api is not None:
            for row in _api_rows(api):
                self.dashboard.add_widgets(*row)
        for sub, consumer in consumers:
            self.dashboard.add_widgets(*_consumer_row(sub, consumer))
        self.dashboard.add_widgets(*_bus_row(bus))
        panels = [_panel(p, services) for p in PANELS if any(s in services for s, _ in p.metrics)]
        for start in range(0, len(panels), 3):
            self.dashboard.add_widgets(*panels[start : start + 3])
        if KPI_SERVICE in services:
            self.dashboard.add_widgets(*_kpi_row(drift_alarm))

        output = CfnOutput(
            self,
            "DashboardUrl",
            value=(
                f"https://{Aws.REGION}.console.aws.amazon.com/cloudwatch/home?region={Aws.REGION}"
                f"#dashboards/dashboard/{self.dashboard.dashboard_name}"
            ),
            description="The stage's CloudWatch dashboard",
        )
        output.override_logical_id("DashboardUrl")


def _graph(
    title: str,
    left: Sequence[cloudwatch.IMetric],
    *,
    width: int,
    right: Sequence[cloudwatch.IMetric] = (),
    annotations: Sequence[cloudwatch.HorizontalAnnotation] = (),
    left_min: float | None = 0,
) -> cloudwatch.GraphWidget:
    return cloudwatch.GraphWidget(
        title=title,
        left=list(left),
        right=list(right),
        left_annotations=list(annotations) or None,
        left_y_axis=cloudwatch.YAxisProps(min=left_min) if left_min is not None else None,
        width=width,
        height=GRAPH_HEIGHT,
        period=PERIOD,
    )


def _header(stage: str, consumers: Sequence[str]) -> cloudwatch.TextWidget:
    return cloudwatch.TextWidget(
        markdown=(
            f"# Baton {stage}\n"
            "The API; one row per consumer of the bus "
            f"({', '.join(consumers) or 'none'}); the bus; what Baton decides; the KPIs. Alarms notify the "
            "`AlarmTopicArn` output of the core stack; what each means and what to do: `docs/operations.md`."
        ),
        width=FULL_WIDTH,
        height=2,
    )


def _api_rows(api: IngestionApi) -> list[list[cloudwatch.IWidget]]:
    http = api.api
    function = api.handler.function
    webhooks = cloudwatch.MathExpression(
        expression=(
            f'SEARCH(\'{{Baton,service,source,topic}} MetricName="{WEBHOOKS_METRIC}" service="{API_SERVICE}"\', '
            f"'Sum', {int(PERIOD.to_seconds())})"
        ),
        using_metrics={},
        label="webhooks by source and topic",
        period=PERIOD,
    )
    return [
        [
            _graph(
                "API: requests, 4xx, 5xx",
                [
                    http.metric_count(label="requests", period=PERIOD, statistic="Sum"),
                    http.metric_client_error(label="4xx", period=PERIOD, statistic="Sum"),
                    http.metric_server_error(label="5xx", period=PERIOD, statistic="Sum"),
                ],
                width=8,
            ),
            _graph(
                "API: latency (ms)",
                [
                    http.metric_latency(statistic="p50", label="p50", period=PERIOD),
                    http.metric_latency(statistic="p95", label="p95", period=PERIOD),
                    http.metric_latency(statistic="p99", label="p99", period=PERIOD),
                    http.metric_integration_latency(statistic="p95", label="integration p95", period=PERIOD),
                ],
                width=8,
            ),
            _graph(
                f"{API_SERVICE}: invocations, errors, throttles; duration p95 (ms, right)",
                [
                    function.metric_invocations(label="invocations", period=PERIOD, statistic="Sum"),
                    function.metric_errors(label="errors", period=PERIOD, statistic="Sum"),
                    function.metric_throttles(label="throttles", period=PERIOD, statistic="Sum"),
                ],
                right=[function.metric_duration(statistic="p95", label="duration p95", period=PERIOD)],
                width=8,
            ),
        ],
        [
            _graph(
                f"{API_SERVICE}: messages",
                [baton_metric(API_SERVICE, name, label=name) for name in API_MESSAGE_METRICS],
                width=12,
            ),
            _graph(
                f"{API_SERVICE}: webhooks",
                [webhooks, *(baton_metric(API_SERVICE, name, label=name) for name in API_WEBHOOK_METRICS)],
                width=12,
            ),
        ],
    ]


def _consumer_row(sub: Subscription, consumer: Consumer) -> list[cloudwatch.IWidget]:
    function = consumer.handler.function
    failed = [*FAILED_RECORD_METRICS]
    if sub.name in SKIPPED_METRICS:
        failed.append(SKIPPED_METRICS[sub.name])
    return [
        _graph(
            f"{sub.name}: invocations, errors, throttles",
            [
                function.metric_invocations(label="invocations", period=PERIOD, statistic="Sum"),
                function.metric_errors(label="errors", period=PERIOD, statistic="Sum"),
                function.metric_throttles(label="throttles", period=PERIOD, statistic="Sum"),
            ],
            width=5,
        ),
        _graph(
            f"{sub.name}: duration (ms)",
            [
                function.metric_duration(statistic="p50", label="p50", period=PERIOD),
                function.metric_duration(statistic="p95", label="p95", period=PERIOD),
            ],
            annotations=[cloudwatch.HorizontalAnnotation(value=sub.timeout_s * 1000, label="timeout")],
            width=5,
        ),
        _graph(
            f"{sub.name}: oldest queued event (s)",
            [
                consumer.queue.metric_approximate_age_of_oldest_message(
                    statistic="Maximum", label="age of oldest message", period=PERIOD
                )
            ],
            annotations=[
                cloudwatch.HorizontalAnnotation(value=MAX_BACKLOG_AGE.to_seconds(), label="backlog alarm")
            ],
            width=5,
        ),
        _graph(
            f"{sub.name}: dead letters",
            [
                consumer.dlq.metric_approximate_number_of_messages_visible(
                    statistic="Maximum", label="queue DLQ", period=PERIOD
                ),
                consumer.target_dlq.metric_approximate_number_of_messages_visible(
                    statistic="Maximum", label="rule target DLQ", period=PERIOD
                ),
            ],
            width=4,
        ),
        _graph(
            f"{sub.name}: failed records",
            [baton_metric(sub.name, name, label=name) for name in failed],
            width=5,
        ),
    ]


def _bus_row(bus: events.IEventBus) -> list[cloudwatch.IWidget]:
    def by_rule(metric: str, label: str) -> cloudwatch.MathExpression:
        # A custom bus's rule metrics carry both EventBusName and RuleName: every rule on the bus, no list kept.
        return cloudwatch.MathExpression(
            expression=(
                f'SEARCH(\'{{AWS/Events,EventBusName,RuleName}} MetricName="{metric}" '
                f"EventBusName=\"{bus.event_bus_name}\"', 'Sum', {int(PERIOD.to_seconds())})"
            ),
            using_metrics={},
            label=label,
            period=PERIOD,
        )

    return [
        _graph(
            "Bus: deliveries that failed for good, by rule",
            [
                by_rule("FailedInvocations", "failed invocations"),
                by_rule("InvocationsFailedToBeSentToDlq", "failed to reach the rule's DLQ"),
            ],
            width=12,
        ),
        _graph("Bus: deliveries, by rule", [by_rule("Invocations", "invocations")], width=12),
    ]


def _panel(panel: Panel, services: set[str]) -> cloudwatch.GraphWidget:
    several = len({service for service, _ in panel.metrics}) > 1
    return _graph(
        panel.title,
        [
            baton_metric(service, name, label=f"{service}: {name}" if several else name)
            for service, name in panel.metrics
            if service in services
        ],
        width=8,
    )


def _kpi_row(drift_alarm: cloudwatch.Alarm | None) -> list[cloudwatch.IWidget]:
    rate = cloudwatch.GraphWidget(
        title="Escalation rate, last 7 days (%)",
        left=[
            baton_metric(
                KPI_SERVICE, ESCALATION_RATE, statistic="Maximum", period=KPI_PERIOD, label="escalation rate"
            )
        ],
        left_y_axis=cloudwatch.YAxisProps(min=0, max=100),
        width=8,
        height=GRAPH_HEIGHT,
        period=KPI_PERIOD,
    )
    summaries = _graph(
        "Conversation summaries updated",
        [baton_metric(KPI_SERVICE, SUMMARIES_UPDATED, label=SUMMARIES_UPDATED)],
        width=8,
    )
    if drift_alarm is None:
        return [rate, summaries]
    drift = cloudwatch.AlarmWidget(
        title="Escalation rate drift, week over week (points; alarm at the line)",
        alarm=drift_alarm,
        left_y_axis=cloudwatch.YAxisProps(min=0),
        width=8,
        height=GRAPH_HEIGHT,
    )
    return [rate, drift, summaries]
