"""The stacks and consumers are exactly what `baton.bus` declares, so infra and `baton local` cannot drift."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App
from aws_cdk.assertions import Template
from infra_synth import Synth, synthesize

from baton import bus
from infra.assets import FUNCTIONS_DIR, AssetError, FunctionStager, LayerAssets
from infra.config import BatonConfig, ConfigError
from infra.stacks.capability import CapabilityStack
from infra.stacks.core import CoreStack

pytestmark = pytest.mark.infra


def _consumers(synth: Synth) -> dict[str, list[dict[str, Any]]]:
    """Stack -> the event patterns of the rules on the Baton bus (the partner-forwarding rule, the schedules and
    the events lake's rule, which archives every event to Firehose rather than feeding a consumer, excluded)."""
    found: dict[str, list[dict[str, Any]]] = {}
    for stack, _, rule in synth.resources("AWS::Events::Rule"):
        if "ScheduleExpression" in rule["Properties"]:
            continue
        resources = synth.templates[stack]["Resources"]
        targets = [resources.get(Synth.ref_id(t["Arn"]) or "", {}) for t in rule["Properties"]["Targets"]]
        if any(t.get("Type") == "AWS::KinesisFirehose::DeliveryStream" for t in targets):
            continue
        if not str(rule["Properties"]["EventBusName"]).startswith("aws.partner/"):
            found.setdefault(stack, []).append(rule["Properties"]["EventPattern"])
    return found


def _declared(subscriptions: tuple[bus.Subscription, ...]) -> dict[str, list[dict[str, Any]]]:
    declared: dict[str, list[dict[str, Any]]] = {}
    for sub in subscriptions:
        if sub.implemented:
            declared.setdefault(f"Dev-{sub.capability}", []).append(sub.pattern)
    return declared


def test_stacks_are_core_plus_one_per_implemented_capability_plus_observability(synth: Synth) -> None:
    capabilities = {sub.capability for sub in bus.active_subscriptions()} | {"Ingestion"}
    assert set(synth.templates) == {"Dev-Core", "Dev-Observability"} | {f"Dev-{c}" for c in capabilities}


def test_each_capability_stack_consumes_exactly_its_subscriptions_patterns(synth: Synth) -> None:
    assert _consumers(synth) == _declared(bus.SUBSCRIPTIONS)


def test_consumer_settings_come_from_the_subscription(synth: Synth) -> None:
    mappings = list(synth.resources("AWS::Lambda::EventSourceMapping"))
    assert len(mappings) == len(bus.active_subscriptions())
    by_handler = {sub.handler: sub for sub in bus.active_subscriptions()}
    for stack, _, mapping in mappings:
        props = mapping["Properties"]
        function = synth.resource(stack, Synth.ref_id(props["FunctionName"]))["Properties"]
        sub = by_handler[function["Handler"].removesuffix(".lambda_handler")]
        assert stack == f"Dev-{sub.capability}"
        assert props["BatchSize"] == sub.batch_size
        assert props["ScalingConfig"]["MaximumConcurrency"] == sub.max_concurrency
        assert function["Timeout"] == sub.timeout_s
        assert function["MemorySize"] == sub.memory_mb
        queue = synth.resource(stack, Synth.ref_id(props["EventSourceArn"]))["Properties"]
        assert queue["VisibilityTimeout"] == sub.visibility_timeout_s
        assert queue["RedrivePolicy"]["maxReceiveCount"] == sub.max_receive_count


@pytest.fixture(scope="module")
def all_implemented(tmp_path_factory: pytest.TempPathFactory) -> tuple[Synth, tuple[bus.Subscription, ...]]:
    """Every subscription flipped to implemented, with a stub handler for the ones not written yet."""
    functions = tmp_path_factory.mktemp("functions")
    shutil.copytree(FUNCTIONS_DIR, functions, dirs_exist_ok=True)
    for sub in bus.SUBSCRIPTIONS:
        handler = functions / sub.handler.split(".")[1] / "handler.py"
        if not handler.exists():
            handler.parent.mkdir(parents=True, exist_ok=True)
            handler.write_text("def lambda_handler(event, context):\n    return {}\n")
    flipped = tuple(dataclasses.replace(sub, implemented=True) for sub in bus.SUBSCRIPTIONS)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(bus, "SUBSCRIPTIONS", flipped)  # what build_app reads through bus.active_subscriptions()
        synth = synthesize(tmp_path_factory.mktemp("cdk.out"), functions_dir=functions)
    return synth, flipped


def test_flipping_subscriptions_to_implemented_adds_their_stacks(
    all_implemented: tuple[Synth, tuple[bus.Subscription, ...]],
) -> None:
    synth, flipped = all_implemented
    assert set(synth.templates) == {
        "Dev-Core",
        "Dev-Observability",
        "Dev-Ingestion",
        "Dev-Scoring",
        "Dev-Context",
        "Dev-Decision",
        "Dev-Routing",
        "Dev-Feedback",
        "Dev-Insights",
    }
    assert _consumers(synth) == _declared(flipped)
    # The new stacks pass the same checks at synth: cdk-nag raised nothing.
    assert synth.error is None, synth.error


def test_only_model_consumers_get_the_model_layer(
    all_implemented: tuple[Synth, tuple[bus.Subscription, ...]],
) -> None:
    synth, flipped = all_implemented
    for sub in flipped:
        stack = f"Dev-{sub.capability}"
        handler = f"{sub.handler}.lambda_handler"
        (function,) = [
            f["Properties"]
            for s, _, f in synth.resources("AWS::Lambda::Function")
            if s == stack and f["Properties"]["Handler"] == handler
        ]
        layers = {Synth.ref_id(layer) for layer in function["Layers"]}
        has_model_layer = any(layer.startswith("ModelLayer") for layer in layers)
        assert has_model_layer == sub.uses_models, sub.name


def test_a_model_consumer_without_a_model_fails_synth_with_a_clear_message(tmp_path: Path) -> None:
    app = App(outdir=str(tmp_path))
    config = BatonConfig()
    core = CoreStack(app, "Dev-Core", config=config)
    empty = tmp_path / "layer"
    (empty / "python").mkdir(parents=True)
    functions = tmp_path / "functions"
    (functions / "score").mkdir(parents=True)
    (functions / "score" / "handler.py").write_text("")
    with pytest.raises(AssetError, match=r"score .*layers/models/"):
        CapabilityStack(
            app,
            "Dev-Scoring",
            capability="Scoring",
            subscriptions=[dataclasses.replace(bus.by_name("score"), implemented=True)],
            core=core,
            layer_assets=LayerAssets(deps=empty, baton=empty, models=None),
            stager=FunctionStager(functions),
        )


def test_a_subscription_without_handler_code_fails_with_the_missing_path(tmp_path: Path) -> None:
    with pytest.raises(AssetError, match=r"functions\.score\.handler .*score/handler\.py"):
        FunctionStager(tmp_path).stage("functions.score.handler")


def test_function_asset_holds_only_its_own_folder() -> None:
    code = FunctionStager().stage("functions.helpdesk_events.handler")
    files = {p.relative_to(code.asset_dir).as_posix() for p in code.asset_dir.rglob("*") if p.is_file()}
    assert "functions/__init__.py" in files
    assert "functions/helpdesk_events/handler.py" in files
    assert all(f == "functions/__init__.py" or f.startswith("functions/helpdesk_events/") for f in files)
    assert not any("__pycache__" in f for f in files)
    assert code.handler == "functions.helpdesk_events.handler.lambda_handler"


@pytest.mark.parametrize(
    ("context", "key"),
    [
        ({"stage": "Prod"}, "stage"),
        ({"partnerEventSourceName": "aws.partner/intercom.com/1/default"}, "partnerEventSourceName"),
        ({"alarmEmail": "not-an-address"}, "alarmEmail"),
        ({"jwtIssuer": "https://issuer.example.com"}, "jwtAudience"),
        ({"jwtIssuer": "http://issuer.example.com", "jwtAudience": "a"}, "jwtIssuer"),
        ({"bundling": "docker"}, "bundling"),
        # Cognito refuses these words in a hosted-UI domain prefix: say so at synth, not mid-deploy.
        ({"stage": "aws-test"}, "'aws'.*'stage'"),
        ({"authDomainPrefix": "acme-cognito-login"}, "'cognito'.*'authDomainPrefix'"),
        ({"eventsLakeRetentionDays": "0"}, "eventsLakeRetentionDays"),
        ({"eventsLakeRetentionDays": "a year"}, "eventsLakeRetentionDays"),
    ],
)
def test_bad_context_is_rejected_naming_the_key(context: dict[str, str], key: str) -> None:
    with pytest.raises(ConfigError, match=key):
        BatonConfig.from_context(App(context=context).node)


def test_stage_names_the_stacks_and_prod_retains_data() -> None:
    config = BatonConfig.from_context(App(context={"stage": "qa-eu"}).node)
    assert config.stack_name("Core") == "QaEu-Core"
    assert not config.is_prod
    prod = BatonConfig.from_context(App(context={"stage": "prod"}).node)
    template = Template.from_stack(CoreStack(App(), prod.stack_name("Core"), config=prod)).to_json()
    retained = {
        res["Type"]
        for res in template["Resources"].values()
        if res.get("DeletionPolicy") == "Retain" and res.get("UpdateReplacePolicy") == "Retain"
    }
    assert {"AWS::DynamoDB::Table", "AWS::KMS::Key", "AWS::SecretsManager::Secret"} <= retained
    tables = [res for res in template["Resources"].values() if res["Type"] == "AWS::DynamoDB::Table"]
    assert all(t["Properties"]["DeletionProtectionEnabled"] is True for t in tables)


def test_a_scheduled_subscription_gets_its_clock_on_its_own_queue(synth: Synth) -> None:
    """The clock: a rule every `schedule_minutes` (the routing capacity's every minute, the insights' hourly) whose
    target input is an EventBridge envelope carrying a RoutingClockTicked, which the consumer parses like any bus
    event."""
    from baton.consumer import envelope
    from baton.events import RoutingClockTicked

    schedules = [
        (stack, rule["Properties"])
        for stack, _, rule in synth.resources("AWS::Events::Rule")
        if "ScheduleExpression" in rule["Properties"]
    ]
    scheduled = [s for s in bus.active_subscriptions() if s.schedule_minutes]
    assert sorted((stack, props["ScheduleExpression"]) for stack, props in schedules) == [
        ("Dev-Insights", "rate(60 minutes)"),
        ("Dev-Routing", "rate(1 minute)"),
    ]
    assert {s.name for s in scheduled} == {"route-capacity", "insights"}
    templates = []
    for _, props in schedules:
        (target,) = props["Targets"]
        assert "DeadLetterConfig" in target and "RetryPolicy" in target
        templates.append(target["InputTransformer"]["InputTemplate"])
    assert len(set(templates)) == 1
    template = templates[0]
    filled = template.replace("<id>", "abc").replace("<time>", "2026-12-06T10:00:00Z")
    filled = filled.replace("<account>", "123456789012").replace("<region>", "eu-west-1")
    record = {
        "messageId": "m", "receiptHandle": "r", "body": filled, "attributes": {
            "ApproximateReceiveCount": "1", "SentTimestamp": "1", "SenderId": "s",
            "ApproximateFirstReceiveTimestamp": "1",
        },
        "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:eu-west-1:123456789012:q", "awsRegion": "eu-west-1",
    }  # fmt: skip
    parsed = envelope(RoutingClockTicked).model_validate(record)
    assert isinstance(parsed.body.detail, RoutingClockTicked)  # type: ignore[attr-defined]
