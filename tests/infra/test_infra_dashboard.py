"""What an ops engineer looks at, deployed: the stage's dashboard, the alarms on the metrics Baton's code emits,
and the console's sign-in, read from the synthesized templates.

The alarmed metrics are pinned against the code that emits them (namespace, `service` dimension and name, as
Powertools serializes them for CloudWatch): a renamed metric breaks a test here instead of silencing an alarm.
"""

from __future__ import annotations

import inspect
import json
import re
from datetime import UTC, date, datetime
from typing import Any

import pytest
from infra_synth import ROOT, Synth, synthesize

from baton import bus
from infra.config import DEFAULT_CONSOLE_URL, BatonConfig, ConfigError
from infra.constructs.alarms import (
    DRIFT_THRESHOLD_PTS,
    ESCALATION_RATE,
    ESCALATION_RATE_DRIFT,
    KPI_SERVICE,
    MALFORMED_EVENTS,
    SKIPPED_METRICS,
)
from infra.constructs.dashboard import PANELS

pytestmark = pytest.mark.infra

CORE = "Dev-Core"
INGESTION = "Dev-Ingestion"
OBSERVABILITY = "Dev-Observability"
CONSOLE_ORIGIN = "https://console.example.com"
CUSTOM_CONTEXT = {
    "stage": "qa",
    "consoleCallbackUrls": f"{CONSOLE_ORIGIN}/console/, {DEFAULT_CONSOLE_URL}",
    "consoleLogoutUrls": f"{CONSOLE_ORIGIN}/console/",
    "corsAllowOrigins": CONSOLE_ORIGIN,
}


@pytest.fixture(scope="module")
def custom(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    """Another stage, with the console served from its own origin."""
    return synthesize(tmp_path_factory.mktemp("cdk.out"), CUSTOM_CONTEXT)


# ------------------------------------------------------------------------------------------------ helpers


def _render(value: Any) -> str:
    """A piece of an `Fn::Join`, as text: an intrinsic becomes `@<stack>/<output>` (a weak cross-stack reference),
    `@Ref:<id>` or `@GetAtt:<id>.<attribute>`; none holds a quote, so the joined JSON stays JSON."""
    if isinstance(value, str):
        return value
    if "Fn::GetStackOutput" in value:
        ref = value["Fn::GetStackOutput"]
        return f"@{ref['StackName']}/{ref['OutputName']}"
    if "Ref" in value:
        return f"@Ref:{value['Ref']}"
    if "Fn::GetAtt" in value:
        return f"@GetAtt:{'.'.join(value['Fn::GetAtt'])}"
    raise AssertionError(f"unexpected intrinsic {value}")


def _joined(value: Any) -> str:
    if isinstance(value, str):
        return value
    if "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return separator.join(_render(part) for part in parts)
    return _render(value)


def _resolve(synth: Synth, stack: str, text: str) -> tuple[str, str]:
    """(stack, logical id) of the resource a rendered reference names (through the producer's output)."""
    if text.startswith("@Ref:") or text.startswith("@GetAtt:"):
        return stack, text.split(":", 1)[1].split(".")[0]
    producer, output = text[1:].split("/", 1)
    logical_id = Synth.ref_id(synth.templates[producer]["Outputs"][output]["Value"])
    assert logical_id, text
    return producer, logical_id


def _dashboard(synth: Synth, stack: str = OBSERVABILITY) -> tuple[str, dict[str, Any]]:
    (found,) = [(s, res) for s, _, res in synth.resources("AWS::CloudWatch::Dashboard")]
    assert found[0] == stack
    props = found[1]["Properties"]
    return _joined(props["DashboardName"]), json.loads(_joined(props["DashboardBody"]))


def _widgets(synth: Synth) -> dict[str, dict[str, Any]]:
    """Graph widgets by title."""
    _, body = _dashboard(synth)
    return {w["properties"]["title"]: w["properties"] for w in body["widgets"] if "title" in w["properties"]}


def _lines(widget: dict[str, Any]) -> list[list[Any]]:
    """A graph's metrics, without their rendering options: [namespace, name, dim, value, ...] or [expression]."""
    lines = []
    for metric in widget.get("metrics", []):
        if isinstance(metric[-1], dict) and "expression" in metric[-1]:
            lines.append([metric[-1]["expression"]])
        else:
            lines.append([m for m in metric if not isinstance(m, dict)])
    return lines


def _custom_metrics(synth: Synth) -> set[tuple[str, str]]:
    """(service, metric name) of every `Baton` metric on the dashboard."""
    return {
        (line[3], line[1])
        for widget in _widgets(synth).values()
        for line in _lines(widget)
        if line[0] == "Baton" and line[2] == "service"
    }


def _function_of(synth: Synth, sub: bus.Subscription) -> tuple[str, str]:
    stack = f"Dev-{sub.capability}"
    (logical_id,) = [
        lid
        for s, lid, f in synth.resources("AWS::Lambda::Function")
        if s == stack and f["Properties"]["Handler"] == f"{sub.handler}.lambda_handler"
    ]
    return stack, logical_id


def _queues_of(synth: Synth, sub: bus.Subscription) -> tuple[str, str, str]:
    """The consumer's queue, its DLQ and its rule target's DLQ (logical ids)."""
    stack, function = _function_of(synth, sub)
    (mapping,) = [
        m["Properties"]
        for s, _, m in synth.resources("AWS::Lambda::EventSourceMapping")
        if s == stack and Synth.ref_id(m["Properties"]["FunctionName"]) == function
    ]
    queue = Synth.ref_id(mapping["EventSourceArn"])
    assert queue
    dlq = Synth.ref_id(synth.resource(stack, queue)["Properties"]["RedrivePolicy"]["deadLetterTargetArn"])
    (rule,) = [
        r["Properties"]
        for s, _, r in synth.resources("AWS::Events::Rule")
        if s == stack
        and "ScheduleExpression" not in r["Properties"]
        and Synth.ref_id(r["Properties"]["Targets"][0]["Arn"]) == queue
    ]
    target_dlq = Synth.ref_id(rule["Targets"][0]["DeadLetterConfig"]["Arn"])
    assert dlq and target_dlq
    return queue, dlq, target_dlq


def _alarms(synth: Synth, metric: str) -> list[tuple[str, dict[str, Any]]]:
    return [
        (stack, alarm["Properties"])
        for stack, _, alarm in synth.resources("AWS::CloudWatch::Alarm")
        if alarm["Properties"].get("MetricName") == metric
    ]


def _notifies_the_alarm_topic(synth: Synth, stack: str, props: dict[str, Any]) -> bool:
    (topic,) = [lid for s, lid, _ in synth.resources("AWS::SNS::Topic") if s == CORE]
    for key in ("AlarmActions", "OKActions"):
        (action,) = props[key]
        if _resolve(synth, stack, _render(action)) != (CORE, topic):
            return False
    return True


# ------------------------------------------------------------------------------------------------ dashboard


def test_each_stage_has_one_dashboard_named_after_it(synth: Synth, custom: Synth) -> None:
    name, body = _dashboard(synth)
    assert name == "Baton-dev-@Ref:AWS::Region"
    assert body["widgets"]
    assert _dashboard(custom, "Qa-Observability")[0] == "Baton-qa-@Ref:AWS::Region"
    assert synth.templates[OBSERVABILITY]["Outputs"]["DashboardUrl"]


def test_the_api_row_graphs_requests_errors_and_latency_of_the_http_api(synth: Synth) -> None:
    widgets = _widgets(synth)
    (api_id,) = [lid for s, lid, _ in synth.resources("AWS::ApiGatewayV2::Api")]
    lines = _lines(widgets["API: requests, 4xx, 5xx"]) + _lines(widgets["API: latency (ms)"])
    assert {line[1] for line in lines} == {"Count", "4xx", "5xx", "Latency", "IntegrationLatency"}
    for line in lines:
        assert line[0] == "AWS/ApiGateway" and line[2] == "ApiId"
        assert _resolve(synth, OBSERVABILITY, line[3]) == (INGESTION, api_id)


def test_every_deployed_consumer_has_its_row_of_function_queue_and_dead_letters(synth: Synth) -> None:
    """Invocations, errors, throttles, duration p95, the oldest queued event and the DLQs, from the consumer's own
    resources; the rows follow baton.bus, so a new subscription gets its row the day it is implemented."""
    widgets = _widgets(synth)
    _, body = _dashboard(synth)
    titles = [w["properties"].get("title", "") for w in body["widgets"]]
    rows = [t.split(":")[0] for t in titles if t.endswith(": invocations, errors, throttles")]
    assert rows == [sub.name for sub in bus.active_subscriptions()]
    for sub in bus.active_subscriptions():
        function = _function_of(synth, sub)
        queue, dlq, target_dlq = _queues_of(synth, sub)
        stack = function[0]

        def names(title: str, row: str = sub.name) -> dict[str, list[tuple[str, str]]]:
            """Metric name -> the resources it is about, in the row's widget `title`."""
            found: dict[str, list[tuple[str, str]]] = {}
            for line in _lines(widgets[f"{row}: {title}"]):
                found.setdefault(line[1], []).append(_resolve(synth, OBSERVABILITY, line[3]))
            return found

        assert names("invocations, errors, throttles") == {
            "Invocations": [function],
            "Errors": [function],
            "Throttles": [function],
        }
        durations = widgets[f"{sub.name}: duration (ms)"]["metrics"]
        assert {m[-1]["stat"] for m in durations} == {"p50", "p95"}
        assert names("duration (ms)") == {"Duration": [function, function]}
        assert names("oldest queued event (s)") == {"ApproximateAgeOfOldestMessage": [(stack, queue)]}
        assert names("dead letters") == {
            "ApproximateNumberOfMessagesVisible": [(stack, dlq), (stack, target_dlq)]
        }
        failed = {line[1] for line in _lines(widgets[f"{sub.name}: failed records"])}
        assert {MALFORMED_EVENTS, "OutOfOrder", "UnapplicableEvents", "FailedRecords"} <= failed
        if sub.ordered:
            assert SKIPPED_METRICS[sub.name] in failed


def test_the_bus_row_shows_every_rule_s_failed_deliveries_on_the_baton_bus(synth: Synth) -> None:
    (bus_id,) = [lid for _, lid, _ in synth.resources("AWS::Events::EventBus")]
    (failed, _), *_ = [
        (line[0], widget)
        for widget in _widgets(synth).values()
        for line in _lines(widget)
        if "FailedInvocations" in line[0]
    ]
    match = re.search(r'EventBusName="(@[^"]+)"', failed)
    assert match and "{AWS/Events,EventBusName,RuleName}" in failed
    assert _resolve(synth, OBSERVABILITY, match.group(1)) == (CORE, bus_id)


def test_the_custom_metrics_are_on_the_dashboard(synth: Synth) -> None:
    metrics = _custom_metrics(synth)
    subscriptions = {sub.name for sub in bus.active_subscriptions()}
    expected = {(name, MALFORMED_EVENTS) for name in subscriptions}
    expected |= {(name, SKIPPED_METRICS[name]) for name in subscriptions if bus.by_name(name).ordered}
    expected |= {
        ("score", "MessagesScored"),
        ("decide", "EscalateDecisions"),
        ("decide", "ResolveDecisions"),
        ("decide", "MonitorDecisions"),
        ("feedback", "Label_false_escalation"),
        ("feedback", "Label_missed_escalation"),
        ("helpdesk-writeback", "HelpdeskNotesPosted"),
        ("ingest-api", "MessagesAccepted"),
        ("ingest-api", "InvalidSignatures"),
        (KPI_SERVICE, ESCALATION_RATE),
    }
    assert expected <= metrics, expected - metrics
    # The drift is the alarm's own graph.
    (drift,) = [w for w in _widgets(synth).values() if "annotations" in w and "alarms" in w["annotations"]]
    (alarm,) = drift["annotations"]["alarms"]
    alarm_id = _resolve(synth, OBSERVABILITY, alarm)[1]
    assert synth.resource(OBSERVABILITY, alarm_id)["Properties"]["MetricName"] == ESCALATION_RATE_DRIFT


def test_every_custom_metric_on_the_dashboard_is_one_the_code_emits(synth: Synth) -> None:
    """An empty graph is a lie: each name is in the code that counts it (or made by the f-string that does)."""
    sources = "\n".join(
        path.read_text(encoding="utf-8")
        for folder in (ROOT / "shared" / "baton", ROOT / "functions")
        for path in folder.rglob("*.py")
    )
    generated = {
        r"Label_\w+": 'name=f"Label_{result.label}"',
        r"(Resolve|Monitor|Escalate)Decisions": 'metrics[f"{decision.action.capitalize()}Decisions"]',
        r"\w+Events": 'name=f"{service.handle(event)}Events"',
    }
    for _, name in sorted(_custom_metrics(synth)):
        if f'"{name}"' in sources:
            continue
        makers = [maker for pattern, maker in generated.items() if re.fullmatch(pattern, name)]
        assert makers and any(maker in sources for maker in makers), f"no code emits {name}"


def test_the_panels_name_deployed_consumers_only() -> None:
    services = {sub.name for sub in bus.SUBSCRIPTIONS} | {"ingest-api"}
    for panel in PANELS:
        assert {service for service, _ in panel.metrics} <= services, panel.title


# ------------------------------------------------------------------------------------------------ alarms


def test_every_consumer_alarms_on_its_first_malformed_event(synth: Synth) -> None:
    alarms = _alarms(synth, MALFORMED_EVENTS)
    by_service = {props["Dimensions"][0]["Value"]: (stack, props) for stack, props in alarms}
    assert len(alarms) == len(by_service) == len(bus.active_subscriptions())
    for sub in bus.active_subscriptions():
        stack, props = by_service[sub.name]
        assert stack == f"Dev-{sub.capability}"
        assert props["Namespace"] == "Baton"
        assert props["Dimensions"] == [{"Name": "service", "Value": sub.name}]
        assert props["Statistic"] == "Sum"
        assert (props["ComparisonOperator"], props["Threshold"], props["EvaluationPeriods"]) == (
            "GreaterThanThreshold",
            0,
            1,
        )
        assert props["TreatMissingData"] == "notBreaching"
        assert _notifies_the_alarm_topic(synth, stack, props)


def test_ordered_consumers_alarm_on_a_message_applied_without_its_predecessor(synth: Synth) -> None:
    """Out of order beyond what the ordering absorbs: the message was applied on its last receive without the
    predecessor that never came (`OutOfOrder` itself is retried and expected: graphed, not alarmed)."""
    ordered = [sub for sub in bus.active_subscriptions() if sub.ordered]
    assert {sub.name for sub in ordered} <= set(SKIPPED_METRICS)
    assert not _alarms(synth, "OutOfOrder")
    for sub in ordered:
        ((stack, props),) = _alarms(synth, SKIPPED_METRICS[sub.name])
        assert stack == f"Dev-{sub.capability}"
        assert props["Namespace"] == "Baton"
        assert props["Dimensions"] == [{"Name": "service", "Value": sub.name}]
        assert (props["Statistic"], props["ComparisonOperator"], props["Threshold"]) == (
            "Sum",
            "GreaterThanThreshold",
            0,
        )
        assert _notifies_the_alarm_topic(synth, stack, props)


def test_an_undecided_message_alarms(synth: Synth) -> None:
    ((stack, props),) = _alarms(synth, "UndecidedMessages")
    assert stack == "Dev-Decision"
    assert props["Dimensions"] == [{"Name": "service", "Value": "decide"}]
    assert (props["ComparisonOperator"], props["Threshold"]) == ("GreaterThanThreshold", 0)


def test_kpi_drift_alarms_at_10_points_on_one_hourly_datapoint(synth: Synth) -> None:
    ((stack, props),) = _alarms(synth, ESCALATION_RATE_DRIFT)
    assert stack == OBSERVABILITY
    assert props["Namespace"] == "Baton"
    assert props["Dimensions"] == [{"Name": "service", "Value": KPI_SERVICE}]
    assert props["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert props["Threshold"] == 10
    assert (props["Period"], props["EvaluationPeriods"], props["DatapointsToAlarm"]) == (3600, 1, 1)
    assert props["Statistic"] == "Maximum"
    assert _notifies_the_alarm_topic(synth, stack, props)


# ------------------------------------------------------------------------------------------------ the code's names


def _sqs_record(body: str) -> dict[str, Any]:
    return {
        "messageId": "m-1",
        "receiptHandle": "r",
        "body": body,
        "attributes": {
            "ApproximateReceiveCount": "1",
            "SentTimestamp": "1",
            "SenderId": "s",
            "ApproximateFirstReceiveTimestamp": "1",
        },
        "messageAttributes": {},
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:eu-west-1:123456789012:q",
        "awsRegion": "eu-west-1",
    }


def _emf(metrics: Any) -> dict[str, Any]:
    """What Powertools prints for CloudWatch (EMF): namespace, dimensions and values."""
    emf = metrics.serialize_metric_set()
    metrics.clear_metrics()
    return emf


def test_a_malformed_event_is_counted_under_the_alarmed_name_namespace_and_dimension() -> None:
    from functions.feedback.handler import function

    function.metrics.clear_metrics()
    response = function.batch.process({"Records": [_sqs_record("{not json")]}, None, lambda detail: None)  # type: ignore[arg-type]
    assert response == {"batchItemFailures": [{"itemIdentifier": "m-1"}]}
    emf = _emf(function.metrics)
    (directive,) = emf["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == "Baton"
    assert directive["Dimensions"] == [["service"]]
    assert emf["service"] == "feedback"
    assert [m["Name"] for m in directive["Metrics"]] == [MALFORMED_EVENTS]


def test_the_skipped_metrics_are_the_ordered_logics_own() -> None:
    from baton.decision.service import DecisionLogic
    from baton.routing.service import RoutingLogic
    from baton.scoring.service import ScoringLogic

    emitted = {
        "score": ScoringLogic.skipped_metric,
        "decide": DecisionLogic.skipped_metric,
        "route": RoutingLogic.skipped_metric,
    }
    assert emitted == SKIPPED_METRICS
    assert SKIPPED_METRICS["decide"] == "UndecidedMessages"


def test_the_insights_clock_emits_the_kpis_the_drift_alarm_watches() -> None:
    from baton.events import RoutingClockTicked
    from baton.insights.models import Kpis, Metrics
    from baton.insights.service import InsightsService, Tick
    from functions.insights.handler import function, handle

    kpis = Kpis(
        start=date(2026, 1, 1), end=date(2026, 1, 14), generated_at=datetime.now(UTC), totals=Metrics()
    )

    class Clock:
        def tick(self) -> Tick:
            return Tick(escalation_rate_pct=31.0, drift_pts=12.5, kpis=kpis)

    function.metrics.clear_metrics()
    tick = RoutingClockTicked(event_id="tick-1", occurred_at=datetime.now(UTC))
    handle(Clock(), tick, function.metrics)  # type: ignore[arg-type]
    emf = _emf(function.metrics)
    (directive,) = emf["_aws"]["CloudWatchMetrics"]
    assert (directive["Namespace"], directive["Dimensions"], emf["service"]) == (
        "Baton",
        [["service"]],
        KPI_SERVICE,
    )
    assert {m["Name"] for m in directive["Metrics"]} == {ESCALATION_RATE, ESCALATION_RATE_DRIFT}
    assert emf[ESCALATION_RATE_DRIFT] in (12.5, [12.5])
    # The alarm's threshold is the drift the KPI report flags.
    default = inspect.signature(InsightsService.__init__).parameters["drift_threshold_pts"].default
    assert DRIFT_THRESHOLD_PTS == default == 10.0


# ------------------------------------------------------------------------------------------------ the console


def _console_client(synth: Synth, stack: str = INGESTION) -> tuple[str, dict[str, Any]]:
    (found,) = [
        (lid, c["Properties"])
        for s, lid, c in synth.resources("AWS::Cognito::UserPoolClient")
        if s == stack and "code" in c["Properties"].get("AllowedOAuthFlows", [])
    ]
    return found


def test_the_console_client_is_public_with_the_code_flow_and_read_scope(synth: Synth) -> None:
    _, client = _console_client(synth)
    assert client["AllowedOAuthFlows"] == ["code"]
    assert client["AllowedOAuthFlowsUserPoolClient"] is True
    assert client.get("GenerateSecret", False) is False
    scopes = {_joined(scope) for scope in client["AllowedOAuthScopes"]}
    assert {s.split("/")[-1] for s in scopes} == {"openid", "email", "profile", "conversations.read"}
    (resource_scope,) = [s for s in scopes if "/" in s]
    (server,) = [lid for _, lid, _ in synth.resources("AWS::Cognito::UserPoolResourceServer")]
    assert resource_scope in (f"@Ref:{server}/conversations.read", "baton/conversations.read")
    assert client["SupportedIdentityProviders"] == ["COGNITO"]
    assert client["CallbackURLs"] == [DEFAULT_CONSOLE_URL]
    assert client["LogoutURLs"] == [DEFAULT_CONSOLE_URL]


def test_the_api_accepts_the_tokens_of_both_clients(synth: Synth) -> None:
    console, _ = _console_client(synth)
    (machine,) = [
        lid
        for _, lid, c in synth.resources("AWS::Cognito::UserPoolClient")
        if c["Properties"].get("AllowedOAuthFlows") == ["client_credentials"]
    ]
    (authorizer,) = [a["Properties"] for _, _, a in synth.resources("AWS::ApiGatewayV2::Authorizer")]
    audience = {Synth.ref_id(a) for a in authorizer["JwtConfiguration"]["Audience"]}
    assert audience == {machine, console}


def test_people_sign_in_with_mfa_on_admin_created_accounts(synth: Synth) -> None:
    ((_, _, pool),) = list(synth.resources("AWS::Cognito::UserPool"))
    props = pool["Properties"]
    assert props["MfaConfiguration"] == "ON"
    assert props["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]
    assert props["AdminCreateUserConfig"] == {"AllowAdminCreateUserOnly": True}


def test_the_console_config_output_is_the_page_s_config_json(synth: Synth) -> None:
    outputs = synth.templates[INGESTION]["Outputs"]
    config = json.loads(_joined(outputs["ConsoleConfig"]["Value"]))
    console, _ = _console_client(synth)
    (api,) = [lid for _, lid, _ in synth.resources("AWS::ApiGatewayV2::Api")]
    assert set(config) == {"apiUrl", "cognitoDomain", "clientId", "redirectUri", "logoutUri", "scopes"}
    # The page asks for the scope the API's read routes require, in the access token it sends.
    assert config["scopes"].split() == ["openid", "email", "profile", "baton/conversations.read"]
    assert config["logoutUri"] == DEFAULT_CONSOLE_URL
    assert config["clientId"] == f"@Ref:{console}"
    # The API's endpoint, without the stage URL's trailing slash: the page appends /v1/...
    assert config["apiUrl"] == f"@GetAtt:{api}.ApiEndpoint"
    assert config["cognitoDomain"].startswith("https://@Ref:") and ".auth." in config["cognitoDomain"]
    assert config["redirectUri"] == DEFAULT_CONSOLE_URL
    assert _joined(outputs["AuthDomainUrl"]["Value"]) == config["cognitoDomain"]
    assert Synth.ref_id(outputs["ConsoleClientId"]["Value"]) == console


def test_no_cors_unless_origins_are_configured(synth: Synth) -> None:
    ((_, _, api),) = list(synth.resources("AWS::ApiGatewayV2::Api"))
    assert "CorsConfiguration" not in api["Properties"]


def test_configured_console_urls_and_cors_origins_are_deployed(custom: Synth) -> None:
    assert custom.error is None, custom.error
    _, client = _console_client(custom, "Qa-Ingestion")
    assert client["CallbackURLs"] == [f"{CONSOLE_ORIGIN}/console/", DEFAULT_CONSOLE_URL]
    assert client["LogoutURLs"] == [f"{CONSOLE_ORIGIN}/console/"]
    ((_, _, api),) = list(custom.resources("AWS::ApiGatewayV2::Api"))
    cors = api["Properties"]["CorsConfiguration"]
    assert cors["AllowOrigins"] == [CONSOLE_ORIGIN]
    assert {"authorization", "content-type"} <= {h.lower() for h in cors["AllowHeaders"]}
    assert {"GET", "OPTIONS"} <= set(cors["AllowMethods"])
    assert cors.get("AllowCredentials", False) is False
    config = json.loads(_joined(custom.templates["Qa-Ingestion"]["Outputs"]["ConsoleConfig"]["Value"]))
    assert config["redirectUri"] == config["logoutUri"] == f"{CONSOLE_ORIGIN}/console/"


@pytest.mark.parametrize(
    ("context", "key"),
    [
        ({"consoleCallbackUrls": "http://console.example.com/console/"}, "consoleCallbackUrls"),
        ({"consoleCallbackUrls": "https://console.example.com/#/console"}, "consoleCallbackUrls"),
        ({"consoleLogoutUrls": "ftp://console.example.com/"}, "consoleLogoutUrls"),
        ({"corsAllowOrigins": "*"}, "corsAllowOrigins"),
        ({"corsAllowOrigins": "https://console.example.com/console/"}, "corsAllowOrigins"),
    ],
)
def test_bad_console_urls_and_origins_are_rejected_naming_the_key(context: dict[str, str], key: str) -> None:
    from aws_cdk import App

    with pytest.raises(ConfigError, match=key):
        BatonConfig.from_context(App(context=context).node)


def test_documented_alarms_have_their_runbook_entry() -> None:
    """docs/operations.md names every alarm on a custom metric, with the query to run and what to do."""
    runbook = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    for metric in (MALFORMED_EVENTS, *SKIPPED_METRICS.values(), ESCALATION_RATE_DRIFT):
        assert f"`{metric}`" in runbook, metric


def test_the_console_doc_has_its_deployed_section() -> None:
    doc = (ROOT / "docs" / "console.md").read_text(encoding="utf-8")
    assert "## Deployed" in doc
    for word in ("config.json", "ConsoleConfig", "corsAllowOrigins", "consoleCallbackUrls", "PKCE"):
        assert word in doc, word


def test_an_ordered_consumer_without_its_skipped_metric_fails_synth(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """A new ordered consumer cannot deploy without the alarm on the messages it applies without a predecessor."""
    import dataclasses

    unknown = dataclasses.replace(bus.by_name("feedback"), ordered=True)
    with pytest.raises(ValueError, match=r"'feedback' is ordered: .*SKIPPED_METRICS"):
        synthesize(tmp_path_factory.mktemp("cdk.out"), subscriptions=(unknown,))
