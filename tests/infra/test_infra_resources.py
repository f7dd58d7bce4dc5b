"""The core stack's data, the functions, IAM and the API, read from the synthesized templates."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk.assertions import Match
from infra_synth import PARTNER_SOURCE, Synth

from baton.tables import TABLES
from infra.constructs import backtest as backtest_construct

pytestmark = pytest.mark.infra

CORE = "Dev-Core"
INGESTION = "Dev-Ingestion"
# Actions AWS only grants on Resource "*" (no resource-level permissions): the only place "*" may appear (X-Ray,
# for a function with tracing). Nothing else, ever: the backtest state machine has no CloudWatch Logs execution log
# for that reason (its log delivery would need logs:*LogDelivery* on "*").
STAR_RESOURCE_ACTIONS = frozenset({"xray:PutTraceSegments", "xray:PutTelemetryRecords"})


def _listify(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _strings(value: Any) -> list[str]:
    """Every literal string inside a (possibly intrinsic) resource value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    return []


def test_tables_match_baton_tables_with_pitr_ttl_and_customer_managed_kms(synth: Synth) -> None:
    assert len(list(synth.resources("AWS::DynamoDB::Table"))) == len(TABLES)
    template = synth.template(CORE)
    for spec in TABLES:
        keys = [{"AttributeName": spec.partition_key, "KeyType": "HASH"}]
        if spec.sort_key:
            keys.append({"AttributeName": spec.sort_key, "KeyType": "RANGE"})
        expected: dict[str, Any] = {
            "KeySchema": keys,
            "BillingMode": "PAY_PER_REQUEST",
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
            "TimeToLiveSpecification": {"AttributeName": spec.ttl_attribute, "Enabled": True},
            "SSESpecification": {"SSEEnabled": True, "SSEType": "KMS", "KMSMasterKeyId": Match.any_value()},
        }
        if spec.indexes:
            expected["GlobalSecondaryIndexes"] = [
                Match.object_like({"IndexName": ix.name, "Projection": {"ProjectionType": "ALL"}})
                for ix in spec.indexes
            ]
        template.has_resource_properties("AWS::DynamoDB::Table", expected)


def test_dev_stage_tables_are_destroyed_with_the_stack(synth: Synth) -> None:
    for _, _, table in synth.resources("AWS::DynamoDB::Table"):
        assert table["DeletionPolicy"] == "Delete"


def test_keys_rotate(synth: Synth) -> None:
    keys = list(synth.resources("AWS::KMS::Key"))
    assert keys
    assert all(key["Properties"]["EnableKeyRotation"] is True for _, _, key in keys)


def test_the_bus_is_archived_for_30_days(synth: Synth) -> None:
    (bus_id, _), *rest = [(lid, res) for _, lid, res in synth.resources("AWS::Events::EventBus")]
    assert not rest
    synth.template(CORE).has_resource_properties(
        "AWS::Events::Archive",
        {
            "SourceArn": {"Fn::GetAtt": [bus_id, "Arn"]},
            "RetentionDays": 30,
            "EventPattern": {"account": [{"Ref": "AWS::AccountId"}]},
        },
    )


def test_secrets_are_kms_encrypted_and_generated(synth: Synth) -> None:
    """The webhook signing secrets and the helpdesks' API credentials: a random placeholder until an admin stores
    the real value; the API credentials in the JSON shape the write-back reads."""
    secrets = {lid: secret["Properties"] for _, lid, secret in synth.resources("AWS::SecretsManager::Secret")}
    assert {_secret_id(lid) for lid in secrets} == {
        "ZendeskWebhookSecret",
        "IntercomWebhookSecret",
        "ZendeskApiSecret",
        "IntercomApiSecret",
    }
    for props in secrets.values():
        assert props["KmsKeyId"]
        assert props["GenerateSecretString"]["PasswordLength"] >= 32
    generated = {
        _secret_id(lid): (
            json.loads(props["GenerateSecretString"].get("SecretStringTemplate", "{}")),
            props["GenerateSecretString"].get("GenerateStringKey"),
        )
        for lid, props in secrets.items()
    }
    assert generated["ZendeskApiSecret"] == ({"subdomain": "", "email": ""}, "api_token")
    assert generated["IntercomApiSecret"] == ({"admin_id": ""}, "access_token")


SECRET_IDS = ("ZendeskWebhookSecret", "IntercomWebhookSecret", "ZendeskApiSecret", "IntercomApiSecret")


def _secret_id(text: str) -> str | None:
    """Which core secret a logical id, or a cross-stack reference to one, names."""
    return next((sid for sid in SECRET_IDS if sid in text), None)


def test_alarm_topic_is_encrypted_and_mails_the_operator(synth: Synth) -> None:
    template = synth.template(CORE)
    template.has_resource_properties("AWS::SNS::Topic", {"KmsMasterKeyId": Match.any_value()})
    # The topic's own policy (SSL only) replaces SNS's default: CloudWatch must be allowed to publish, or no
    # alarm ever notifies anyone.
    (policy,) = template.find_resources("AWS::SNS::TopicPolicy").values()
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    (allow,) = [s for s in statements if s["Effect"] == "Allow"]
    assert allow["Principal"] == {"Service": "cloudwatch.amazonaws.com"} and allow["Action"] == "sns:Publish"
    assert "aws:SourceAccount" in allow["Condition"]["StringEquals"]
    template.has_resource_properties(
        "AWS::SNS::Subscription", {"Protocol": "email", "Endpoint": "ops@example.com"}
    )


def test_partner_events_are_forwarded_to_the_baton_bus(synth: Synth) -> None:
    bus_id = next(lid for _, lid, _ in synth.resources("AWS::Events::EventBus"))
    synth.template(CORE).has_resource_properties(
        "AWS::Events::Rule",
        {
            "EventBusName": PARTNER_SOURCE,
            "EventPattern": {
                "source": [{"prefix": "aws.partner/zendesk.com"}],
                "detail-type": [{"prefix": "Support Ticket: "}],
            },
            "Targets": [Match.object_like({"Arn": {"Fn::GetAtt": [bus_id, "Arn"]}})],
        },
    )


def test_functions_are_python313_arm64_with_json_logs_to_their_own_log_group(synth: Synth) -> None:
    functions = list(synth.resources("AWS::Lambda::Function"))
    assert len(functions) >= 2
    for stack, logical_id, function in functions:
        props = function["Properties"]
        assert props["Runtime"] == "python3.13", logical_id
        assert props["Architectures"] == ["arm64"], logical_id
        assert props["LoggingConfig"]["LogFormat"] == "JSON"
        assert props["LoggingConfig"]["ApplicationLogLevel"]
        log_group = synth.resource(stack, Synth.ref_id(props["LoggingConfig"]["LogGroup"]))
        assert log_group["Properties"]["RetentionInDays"] > 0
        assert props.get("TracingConfig", {"Mode": "PassThrough"})["Mode"] == "PassThrough"
        assert props["Handler"].startswith("functions.") and props["Handler"].endswith(
            ".handler.lambda_handler"
        )
        env = props["Environment"]["Variables"]
        assert env["POWERTOOLS_METRICS_NAMESPACE"] == "Baton"
        assert env["BATON_STAGE"] == "dev"
        for key in (
            "POWERTOOLS_SERVICE_NAME",
            "BATON_EVENT_BUS_NAME",
            *(f"BATON_{t.logical_name.upper()}_TABLE" for t in TABLES),
        ):
            assert env[key], f"{logical_id}: {key}"
        assert len(props["Layers"]) >= 2


def test_each_function_has_its_own_role_without_managed_policies(synth: Synth) -> None:
    roles = [Synth.ref_id(f["Properties"]["Role"]) for _, _, f in synth.resources("AWS::Lambda::Function")]
    assert len(roles) == len(set(roles))
    for _, _, role in synth.resources("AWS::IAM::Role"):
        assert not role["Properties"].get("ManagedPolicyArns")


def test_iam_policies_name_specific_actions_and_resources(synth: Synth) -> None:
    statements = [
        (stack, lid, st)
        for stack, lid, policy in synth.resources("AWS::IAM::Policy")
        for st in policy["Properties"]["PolicyDocument"]["Statement"]
    ]
    assert statements
    for stack, logical_id, statement in statements:
        where = f"{stack}/{logical_id}: {json.dumps(statement)[:300]}"
        assert statement["Effect"] == "Allow", where
        actions = _listify(statement["Action"])
        assert all(a != "*" and not a.endswith(":*") for a in actions), where
        for resource in _listify(statement["Resource"]):
            if resource == "*":
                assert set(actions) <= STAR_RESOURCE_ACTIONS, where
                continue
            prefix = _lake_object_prefix(synth, stack, resource)
            if prefix is not None:
                assert set(actions) <= LAKE_OBJECT_ACTIONS[prefix], where
                continue
            if _backtest_map_children(resource):
                assert set(actions) <= BACKTEST_CHILD_ACTIONS, where
                continue
            assert not any("*" in s for s in _strings(resource)), where


# S3 object ARNs name a prefix, not an object: the events lake's Firehose role may put the objects it names itself
# under events/ and errors/ of the lake bucket (infra/constructs/lake.py); the deployed backtest's function may read
# its runs' inputs under backtest/in/ and write their outputs under backtest/out/, where its state machine also
# writes the runs' summaries (infra/constructs/backtest.py); and nothing else under a wildcard.
_FIREHOSE_WRITES = frozenset({"s3:PutObject", "s3:AbortMultipartUpload"})
LAKE_OBJECT_ACTIONS: dict[str, frozenset[str]] = {
    "/events/*": _FIREHOSE_WRITES,
    "/errors/*": _FIREHOSE_WRITES,
    "/backtest/in/*": frozenset({"s3:GetObject"}),
    "/backtest/out/*": frozenset(
        {"s3:PutObject", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:AbortMultipartUpload"}
    ),
}
# The backtest state machine follows, stops and redrives its own map's child executions (`<name>/Chunks:<id>`).
BACKTEST_CHILD_ACTIONS = frozenset(
    {"states:DescribeExecution", "states:StopExecution", "states:RedriveExecution"}
)


def _lake_object_prefix(synth: Synth, stack: str, resource: Any) -> str | None:
    """`/events/*` for `<the lake bucket's ARN>/events/*`, and so on for each of LAKE_OBJECT_ACTIONS; else None."""
    parts = resource.get("Fn::Join", [None, []])[1] if isinstance(resource, dict) else []
    if len(parts) != 2 or parts[1] not in LAKE_OBJECT_ACTIONS:
        return None
    bucket_id = Synth.ref_id(parts[0])
    lake = (
        bucket_id is not None
        and bucket_id.startswith("EventsLakeBucket")
        and synth.resource(stack, bucket_id)["Type"] == "AWS::S3::Bucket"
    )
    return str(parts[1]) if lake else None


def _backtest_map_children(resource: Any) -> bool:
    """`arn:...:states:<region>:<account>:execution:<the backtest machine's name>/Chunks:*`."""
    parts = resource.get("Fn::Join", [None, []])[1] if isinstance(resource, dict) else []
    text = json.dumps(parts)
    return (
        bool(parts)
        and parts[-1] == f"/{backtest_construct.MAP_LABEL}:*"
        and ":execution:" in text
        and '"Ref": "BacktestStateMachine' in text
        and not any("*" in s for s in _strings(parts[:-1]))
    )


def test_each_secret_is_read_by_the_function_that_declares_it_alone(synth: Synth) -> None:
    """The webhook secrets by the ingest API; the helpdesks' API credentials by the consumers whose subscription
    declares them (`extra["secrets"]`: the write-back), which find them in the setting's env var."""
    from baton import bus
    from infra.stacks.core import pascal

    handlers = {
        (stack, Synth.ref_id(f["Properties"]["Role"])): f["Properties"]["Handler"].removesuffix(
            ".lambda_handler"
        )
        for stack, _, f in synth.resources("AWS::Lambda::Function")
    }
    readers: dict[str, set[str | None]] = {}
    for stack, _, policy in synth.resources("AWS::IAM::Policy"):
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if not any(a.startswith("secretsmanager:") for a in _listify(statement["Action"])):
                continue
            assert set(_listify(statement["Action"])) == {
                "secretsmanager:GetSecretValue",
                "secretsmanager:DescribeSecret",
            }
            for role in policy["Properties"]["Roles"]:
                handler = handlers[(stack, Synth.ref_id(role))]
                for resource in _listify(statement["Resource"]):
                    readers.setdefault(handler, set()).add(_secret_id(json.dumps(resource)))
    declared = {
        sub.handler: {pascal(setting.removesuffix("_name")) for setting in sub.extra["secrets"]}
        for sub in bus.active_subscriptions()
        if sub.extra.get("secrets")
    }
    assert declared == {"functions.helpdesk_writeback.handler": {"ZendeskApiSecret", "IntercomApiSecret"}}
    assert readers == {
        "functions.ingest_api.handler": {"ZendeskWebhookSecret", "IntercomWebhookSecret"},
        **declared,
    }

    settings = {sub.handler: sub.extra.get("secrets", ()) for sub in bus.active_subscriptions()}
    for _, _, function in synth.resources("AWS::Lambda::Function"):
        handler = function["Properties"]["Handler"].removesuffix(".lambda_handler")
        if handler == "functions.ingest_api.handler":
            continue  # its webhook secrets: test_ingest_api_function_knows_where_the_webhook_secrets_are
        env = function["Properties"]["Environment"]["Variables"]
        found = {
            name: _secret_id(json.dumps(value))
            for name, value in env.items()
            if _secret_id(json.dumps(value))
        }
        assert found == {
            f"BATON_{setting.upper()}": pascal(setting.removesuffix("_name"))
            for setting in settings.get(handler, ())
        }, handler


def _routes(synth: Synth) -> dict[str, dict[str, Any]]:
    return {
        res["Properties"]["RouteKey"]: res["Properties"]
        for _, _, res in synth.resources("AWS::ApiGatewayV2::Route")
    }


def test_public_routes_have_no_gateway_authorizer(synth: Synth) -> None:
    routes = _routes(synth)
    for key in (
        "GET /v1/health",
        "GET /v1/openapi.json",
        "POST /v1/webhooks/zendesk",
        "POST /v1/webhooks/intercom",
    ):
        assert routes[key]["AuthorizationType"] == "NONE", key
        assert "AuthorizerId" not in routes[key]


def test_conversation_routes_require_a_jwt_with_the_right_scope(synth: Synth) -> None:
    routes = _routes(synth)
    expected = {
        "POST /v1/conversations/{conversation_id}/messages": ["baton/conversations.write"],
        "GET /v1/conversations/{conversation_id}": ["baton/conversations.read"],
        "POST /v1/conversations/{conversation_id}/handback": ["baton/conversations.write"],
        "GET /v1/conversations/{conversation_id}/bot": ["baton/conversations.read"],
        "POST /v1/conversations/{conversation_id}/outcome": ["baton/conversations.write"],
        # The console's list and KPIs: read scope, which the console's Cognito client is allowed.
        "GET /v1/conversations": ["baton/conversations.read"],
        "GET /v1/kpis": ["baton/conversations.read"],
    }
    assert set(routes) == set(expected) | {
        "GET /v1/health",
        "GET /v1/openapi.json",
        "POST /v1/webhooks/zendesk",
        "POST /v1/webhooks/intercom",
    }
    for key, scopes in expected.items():
        assert routes[key]["AuthorizationType"] == "JWT", key
        assert routes[key]["AuthorizationScopes"] == scopes
        authorizer = synth.resource(INGESTION, Synth.ref_id(routes[key]["AuthorizerId"]))
        assert authorizer["Properties"]["AuthorizerType"] == "JWT"


def test_machine_clients_get_tokens_by_client_credentials(synth: Synth) -> None:
    template = synth.template(INGESTION)
    template.has_resource_properties(
        "AWS::Cognito::UserPoolClient",
        {"AllowedOAuthFlows": ["client_credentials"], "GenerateSecret": True},
    )
    template.has_resource_properties(
        "AWS::Cognito::UserPool", {"AdminCreateUserConfig": {"AllowAdminCreateUserOnly": True}}
    )
    # Named as the README names them (no construct path or hash), and never the client secret. (`PublishOutput...`
    # are CDK's: the names other stacks read through weak cross-stack references.)
    outputs = {name for name in synth.templates[INGESTION]["Outputs"] if not name.startswith("PublishOutput")}
    assert outputs == {
        "ConsumerHelpdeskEvents",  # `baton dlq --stage`: the helpdesk-events consumer's queues
        "ApiUrl",
        "UserPoolId",
        "TokenUrl",
        "ClientId",
        "ConsoleClientId",
        "AuthDomainUrl",
        "ConsoleConfig",
    }


def test_default_stage_is_throttled_and_access_logged_as_json(synth: Synth) -> None:
    (_, _, stage), *rest = list(synth.resources("AWS::ApiGatewayV2::Stage"))
    assert not rest
    props = stage["Properties"]
    assert props["StageName"] == "$default"
    assert props["AutoDeploy"] is True
    assert props["DefaultRouteSettings"]["ThrottlingRateLimit"] > 0
    assert props["DefaultRouteSettings"]["ThrottlingBurstLimit"] > 0
    log_format = json.loads(props["AccessLogSettings"]["Format"])
    assert log_format["requestId"] == "$context.requestId"
    assert props["AccessLogSettings"]["DestinationArn"]


def test_ingest_api_function_knows_where_the_webhook_secrets_are(synth: Synth) -> None:
    api = next(
        f["Properties"]
        for _, _, f in synth.resources("AWS::Lambda::Function")
        if f["Properties"]["Handler"] == "functions.ingest_api.handler.lambda_handler"
    )
    env = api["Environment"]["Variables"]
    assert env["BATON_ZENDESK_SECRET_NAME"] and env["BATON_INTERCOM_SECRET_NAME"]
    assert "BATON_ZENDESK_WEBHOOK_SECRET" not in env and "BATON_INTERCOM_WEBHOOK_SECRET" not in env


def test_gateway_protects_exactly_the_routes_the_api_and_baton_local_protect(synth: Synth) -> None:
    from baton.ingestion.api import PUBLIC_ROUTES, ROUTES

    routes = _routes(synth)
    assert set(routes) == {f"{method} {path}" for method, path in ROUTES}
    public = {key for key, props in routes.items() if props["AuthorizationType"] == "NONE"}
    assert public == {f"{method} {path}" for method, path in PUBLIC_ROUTES}


def test_a_webhook_in_progress_is_retried_once_the_delivery_holding_it_has_timed_out(synth: Synth) -> None:
    """`Retry-After` of a 503 (a notification being processed) is no shorter than the function's timeout, by
    which the delivery holding the notification has answered or its in-progress lock has expired."""
    from baton.ingestion.api import WEBHOOK_RETRY_AFTER_S
    from baton.ingestion.connectors.webhooks import IN_PROGRESS_FALLBACK_MS

    (timeout,) = [
        f["Properties"]["Timeout"]
        for _, _, f in synth.resources("AWS::Lambda::Function")
        if f["Properties"]["Handler"] == "functions.ingest_api.handler.lambda_handler"
    ]
    assert timeout <= WEBHOOK_RETRY_AFTER_S
    assert timeout * 1000 == IN_PROGRESS_FALLBACK_MS


def test_a_consumer_may_declare_only_the_secrets_the_core_stack_keeps_for_consumers(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """The webhook signing secrets are the API's: a subscription naming one (or any other setting) fails synth."""
    import dataclasses

    from infra_synth import synthesize

    from baton import bus

    writeback = bus.by_name("helpdesk-writeback")
    for setting in ("zendesk_secret_name", "no_such_setting"):
        wrong = dataclasses.replace(writeback, extra={"secrets": (setting,)})
        with pytest.raises(ValueError, match=rf"'helpdesk-writeback': extra\['secrets'\] names '{setting}'"):
            synthesize(tmp_path_factory.mktemp("cdk.out"), subscriptions=(wrong,))
