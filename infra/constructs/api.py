"""The ingestion HTTP API: one Lambda (`functions/ingest_api`) behind every route.

| route                                              | gateway auth | why                                     |
|----------------------------------------------------|--------------|-----------------------------------------|
| GET  /v1/health, GET /v1/openapi.json              | none         | readiness probe; the public contract    |
| POST /v1/webhooks/zendesk, POST /v1/webhooks/intercom | none      | the function verifies the HMAC signature |
| POST /v1/conversations/{conversation_id}/messages  | JWT, scope `baton/conversations.write` |                    |
| GET  /v1/conversations/{conversation_id}           | JWT, scope `baton/conversations.read`  |                    |

JWTs come from the Cognito user pool created here (machine clients: client-credentials grant against the
`TokenUrl` output, with the app client's id and secret), or from an external OIDC issuer given as context
(`jwtIssuer`, `jwtAudience`; no scopes are required then, as scope names differ between issuers).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import jsii
from aws_cdk import Aws, CfnOutput, Duration
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_apigatewayv2_authorizers as authorizers
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from baton.bus import INGEST_API
from baton.ingestion.api import PUBLIC_ROUTES, ROUTES
from infra.assets import FunctionCode
from infra.constructs.alarms import threshold_alarm
from infra.constructs.function import LOG_RETENTION, BatonFunction
from infra.constructs.grants import grant_access
from infra.constructs.nag import acknowledge
from infra.stacks.core import CoreStack

HANDLER_MODULE = "functions.ingest_api.handler"
# Webhooks must answer fast (Intercom pauses endpoints slower than 500 ms); 10 s only bounds a stuck call.
TIMEOUT = Duration.seconds(10)
MEMORY_MB = 512
# Per-stage limits for one support team's traffic (API Gateway's account default is 10,000 rps): enough for
# helpdesk webhook bursts, low enough that a runaway client cannot run up the Lambda and DynamoDB bill.
RATE_LIMIT_RPS = 100
BURST_LIMIT = 200
RESOURCE_SERVER_ID = "baton"
WRITE_SCOPE = "conversations.write"
READ_SCOPE = "conversations.read"
# HTTP API access log fields (JSON, one object per request).
ACCESS_LOG_FORMAT = {
    "requestId": "$context.requestId",
    "requestTime": "$context.requestTime",
    "ip": "$context.identity.sourceIp",
    "httpMethod": "$context.httpMethod",
    "routeKey": "$context.routeKey",
    "path": "$context.path",
    "status": "$context.status",
    "protocol": "$context.protocol",
    "responseLength": "$context.responseLength",
    "responseLatency": "$context.responseLatency",
    "integrationLatency": "$context.integrationLatency",
    "integrationError": "$context.integrationErrorMessage",
    "authorizerError": "$context.authorizer.error",
    "clientId": "$context.authorizer.claims.client_id",
}


@jsii.implements(apigwv2.IAccessLogSettings)
class _AccessLogSettings:
    def __init__(self, log_group: logs.ILogGroup) -> None:
        self._destination = apigwv2.LogGroupLogDestination(log_group)

    @property
    def destination(self) -> apigwv2.IAccessLogDestination:
        return self._destination

    @property
    def format(self) -> apigw.AccessLogFormat:
        return apigw.AccessLogFormat.custom(json.dumps(ACCESS_LOG_FORMAT, separators=(",", ":")))


PUBLIC_ROUTE_REASONS = {
    "/v1/health": "the readiness probe answers load balancers and uptime checks",
    "/v1/openapi.json": "the OpenAPI document is the public contract",
    "/v1/webhooks/zendesk": (
        "authenticated by HMAC signature in the function (X-Zendesk-Webhook-Signature); Zendesk cannot send a JWT"
    ),
    "/v1/webhooks/intercom": (
        "authenticated by HMAC signature in the function (X-Hub-Signature); Intercom cannot send a JWT"
    ),
}
"""Why each public route has no gateway authorizer (the cdk-nag APIG4 acknowledgement)."""


class IngestionApi(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        core: CoreStack,
        code: FunctionCode,
        layers: Sequence[lambda_.ILayerVersion],
    ) -> None:
        super().__init__(scope, construct_id)
        config = core.config
        topic = core.alarm_topic

        self.handler = BatonFunction(
            self,
            "Handler",
            code=code,
            layers=layers,
            settings=core.settings(
                zendesk_secret_name=core.zendesk_secret.secret_arn,
                intercom_secret_name=core.intercom_secret.secret_arn,
            ),
            service="ingest-api",
            description="Baton ingestion API: conversations, helpdesk webhooks, health, OpenAPI",
            timeout=TIMEOUT,
            memory_mb=MEMORY_MB,
            removal_policy=config.removal_policy,
        )
        function = self.handler.function
        role = self.handler.role
        grant_access(self.handler, core, role, INGEST_API)
        for name, secret in (("Zendesk", core.zendesk_secret), ("Intercom", core.intercom_secret)):
            # Granted through a reference: Secret.grant_read on the core stack's secret would also write this
            # role into the core key's policy (a cycle between the stacks). Decrypting needs the core key,
            # granted to this role directly.
            reference = secretsmanager.Secret.from_secret_complete_arn(
                self.handler, f"{name}SecretAccess", secret.secret_arn
            )
            reference.grant_read(role)
        core.key.grant_decrypt(role)
        acknowledge(
            function,
            {
                "Serverless-LambdaDLQ": "invoked synchronously by API Gateway only; the caller gets the error",
            },
        )

        authorizer, write_scopes, read_scopes = self._authorizer(core)

        self.api = apigwv2.HttpApi(
            self,
            "HttpApi",
            description=f"Baton {config.stage} ingestion API",
            create_default_stage=False,
        )
        access_logs = logs.LogGroup(
            self, "AccessLogs", retention=LOG_RETENTION, removal_policy=config.removal_policy
        )
        self.stage = apigwv2.HttpStage(
            self,
            "DefaultStage",
            http_api=self.api,
            auto_deploy=True,
            throttle=apigwv2.ThrottleSettings(rate_limit=RATE_LIMIT_RPS, burst_limit=BURST_LIMIT),
            access_log_settings=_AccessLogSettings(access_logs),
        )

        integration = integrations.HttpLambdaIntegration("IngestApi", function)
        # The route table is the API module's own (baton.ingestion.api.ROUTES / PUBLIC_ROUTES), so the
        # gateway and `baton local` protect exactly the same routes; a new public route needs a reason here.
        for method, path in ROUTES:
            if (method, path) in PUBLIC_ROUTES:
                for route in self.api.add_routes(
                    path=path,
                    methods=[apigwv2.HttpMethod(method)],
                    integration=integration,
                    authorizer=apigwv2.HttpNoneAuthorizer(),
                ):
                    acknowledge(route, {"AwsSolutions-APIG4": PUBLIC_ROUTE_REASONS[path]})
            else:
                self.api.add_routes(
                    path=path,
                    methods=[apigwv2.HttpMethod(method)],
                    integration=integration,
                    authorizer=authorizer,
                    authorization_scopes=write_scopes if method == "POST" else read_scopes,
                )

        threshold_alarm(
            self,
            "ErrorsAlarm",
            metric=function.metric_errors(period=Duration.minutes(5), statistic="Sum"),
            threshold=0,
            topic=topic,
            description="ingest-api: the function raised (callers got a 5xx)",
        )
        threshold_alarm(
            self,
            "ServerErrorsAlarm",
            metric=self.api.metric_server_error(period=Duration.minutes(5), statistic="Sum"),
            threshold=0,
            topic=topic,
            description=(
                "ingest-api: the API answered 5xx (bad input is a 4xx, never a 5xx; a 503 is a webhook notification "
                "redelivered while its first delivery was still running, i.e. slower than the helpdesk waits)"
            ),
        )

        _output(self, "ApiUrl", self.stage.url)

    def _authorizer(self, core: CoreStack) -> tuple[apigwv2.IHttpRouteAuthorizer, list[str], list[str]]:
        config = core.config
        if config.jwt_issuer:
            _output(self, "JwtIssuer", config.jwt_issuer)
            authorizer = authorizers.HttpJwtAuthorizer(
                "JwtAuthorizer", jwt_issuer=config.jwt_issuer, jwt_audience=list(config.jwt_audience)
            )
            return authorizer, [], []

        pool = cognito.UserPool(
            self,
            "UserPool",
            self_sign_up_enabled=False,
            sign_in_aliases=cognito.SignInAliases(username=True),
            password_policy=cognito.PasswordPolicy(
                min_length=14,
                require_digits=True,
                require_lowercase=True,
                require_uppercase=True,
                require_symbols=True,
            ),
            account_recovery=cognito.AccountRecovery.NONE,
            removal_policy=config.removal_policy,
            deletion_protection=config.is_prod,
        )
        no_humans = (
            "the pool has no users and no sign-in: it only issues client-credentials tokens to machine clients, "
            "so MFA and sign-in threat protection have nothing to protect"
        )
        acknowledge(
            pool,
            {"AwsSolutions-COG2": no_humans, "AwsSolutions-COG3": no_humans, "AwsSolutions-COG8": no_humans},
        )
        server = pool.add_resource_server(
            "ResourceServer",
            identifier=RESOURCE_SERVER_ID,
            scopes=[
                cognito.ResourceServerScope(
                    scope_name=WRITE_SCOPE, scope_description="Post conversation messages"
                ),
                cognito.ResourceServerScope(scope_name=READ_SCOPE, scope_description="Read conversations"),
            ],
        )
        domain_prefix = config.auth_domain_prefix or f"baton-{config.stage}-{Aws.ACCOUNT_ID}"
        domain = pool.add_domain(
            "Domain", cognito_domain=cognito.CognitoDomainOptions(domain_prefix=domain_prefix)
        )
        client = pool.add_client(
            "MachineClient",
            generate_secret=True,
            o_auth=cognito.OAuthSettings(
                flows=cognito.OAuthFlows(client_credentials=True),
                scopes=[
                    cognito.OAuthScope.resource_server(
                        server, cognito.ResourceServerScope(scope_name=s, scope_description=s)
                    )
                    for s in (WRITE_SCOPE, READ_SCOPE)
                ],
            ),
            access_token_validity=Duration.hours(1),
            prevent_user_existence_errors=True,
        )
        authorizer = authorizers.HttpUserPoolAuthorizer(
            "UserPoolAuthorizer", pool, user_pool_clients=[client]
        )

        _output(self, "UserPoolId", pool.user_pool_id)
        _output(self, "TokenUrl", f"{domain.base_url()}/oauth2/token")
        _output(self, "ClientId", client.user_pool_client_id)
        return authorizer, [f"{RESOURCE_SERVER_ID}/{WRITE_SCOPE}"], [f"{RESOURCE_SERVER_ID}/{READ_SCOPE}"]


def _output(scope: Construct, name: str, value: str) -> CfnOutput:
    """A stack output named exactly `name` (what the README and `aws cloudformation describe-stacks` show),
    not the construct-path id with a hash CDK would give an output inside a construct."""
    output = CfnOutput(scope, name, value=value)
    output.override_logical_id(name)
    return output
