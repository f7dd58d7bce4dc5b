"""The ingestion HTTP API: one Lambda (`functions/ingest_api`) behind every route.

| route                                              | gateway auth | why                                     |
|----------------------------------------------------|--------------|-----------------------------------------|
| GET  /v1/health, GET /v1/openapi.json              | none         | readiness probe; the public contract    |
| POST /v1/webhooks/zendesk, POST /v1/webhooks/intercom | none      | the function verifies the HMAC signature |
| POST /v1/conversations/{conversation_id}/messages  | JWT, scope `baton/conversations.write` |                    |
| GET  /v1/conversations/{conversation_id}           | JWT, scope `baton/conversations.read`  |                    |

JWTs come from the Cognito user pool created here, or from an external OIDC issuer given as context
(`jwtIssuer`, `jwtAudience`; no scopes are required then, as scope names differ between issuers). The pool has
two app clients, both accepted by the authorizer (its audience):
- the machine client: client-credentials grant against the `TokenUrl` output, with its id and secret;
- the console client (`ConsoleClientId`): the support lead's console in a browser, a public client (no secret)
  using the authorization code grant with PKCE against the hosted UI (`AuthDomainUrl`), scopes openid, email,
  profile and `baton/conversations.read`; callback and sign-out URLs from context (`consoleCallbackUrls`,
  `consoleLogoutUrls`). People sign in with accounts an admin creates (no self sign-up), with TOTP MFA.
  `ConsoleConfig` is the console's `config.json` (docs/console.md).

CORS: off unless `corsAllowOrigins` names the origins a browser page may call the API from (the console's, when
it is served from another origin); API Gateway then answers the preflight requests itself.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import jsii
from aws_cdk import Aws, CfnOutput, Duration, Stack
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
# A console sign-in's refresh token lasts a working day; its access token an hour.
CONSOLE_SESSION = Duration.hours(12)
CONSOLE_SCOPES = ("openid", "email", "profile", f"{RESOURCE_SERVER_ID}/{READ_SCOPE}")
"""What the console asks the hosted UI for: who signed in, and reading conversations and KPIs."""
CORS_MAX_AGE = Duration.hours(1)
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

        self.console_client: cognito.UserPoolClient | None = None
        self.auth_domain: cognito.UserPoolDomain | None = None
        authorizer, write_scopes, read_scopes = self._authorizer(core)

        self.api = apigwv2.HttpApi(
            self,
            "HttpApi",
            description=f"Baton {config.stage} ingestion API",
            create_default_stage=False,
            cors_preflight=(
                apigwv2.CorsPreflightOptions(
                    allow_origins=list(config.cors_allow_origins),
                    allow_methods=[
                        apigwv2.CorsHttpMethod.GET,
                        apigwv2.CorsHttpMethod.POST,
                        apigwv2.CorsHttpMethod.OPTIONS,
                    ],
                    allow_headers=["authorization", "content-type"],
                    # Bearer tokens, never cookies: no credentials mode.
                    allow_credentials=False,
                    max_age=CORS_MAX_AGE,
                )
                if config.cors_allow_origins
                else None
            ),
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
        if self.console_client is not None and self.auth_domain is not None:
            _output(
                self,
                "ConsoleConfig",
                Stack.of(self).to_json_string(
                    {
                        # The endpoint has no trailing slash: the console appends /v1/...
                        "apiUrl": self.api.api_endpoint,
                        "cognitoDomain": self.auth_domain.base_url(),
                        "clientId": self.console_client.user_pool_client_id,
                        "redirectUri": config.console_callback_urls[0],
                        "logoutUri": config.console_signed_out_urls[0],
                        # The routes require the read scope in the access token (the page sends that token).
                        "scopes": " ".join(CONSOLE_SCOPES),
                    }
                ),
            )

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
            # People (the console) sign in with an authenticator app; machine clients have no users, no MFA.
            mfa=cognito.Mfa.REQUIRED,
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            account_recovery=cognito.AccountRecovery.NONE,
            removal_policy=config.removal_policy,
            deletion_protection=config.is_prod,
        )
        acknowledge(
            pool,
            {
                "AwsSolutions-COG8": (
                    "people sign in only with accounts an admin creates (no self sign-up), a 14-character password "
                    "and TOTP MFA; the Plus plan's threat protection is a paid option a team can switch on"
                ),
            },
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

        def scope(name: str) -> cognito.OAuthScope:
            return cognito.OAuthScope.resource_server(
                server, cognito.ResourceServerScope(scope_name=name, scope_description=name)
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
                scopes=[scope(s) for s in (WRITE_SCOPE, READ_SCOPE)],
            ),
            access_token_validity=Duration.hours(1),
            prevent_user_existence_errors=True,
        )
        # The console in a browser: a public client (a page keeps no secret), code grant with PKCE, read only.
        console = pool.add_client(
            "ConsoleClient",
            generate_secret=False,
            o_auth=cognito.OAuthSettings(
                flows=cognito.OAuthFlows(authorization_code_grant=True, implicit_code_grant=False),
                scopes=[
                    cognito.OAuthScope.OPENID,
                    cognito.OAuthScope.EMAIL,
                    cognito.OAuthScope.PROFILE,
                    scope(READ_SCOPE),
                ],
                callback_urls=list(config.console_callback_urls),
                logout_urls=list(config.console_signed_out_urls),
            ),
            supported_identity_providers=[cognito.UserPoolClientIdentityProvider.COGNITO],
            access_token_validity=Duration.hours(1),
            id_token_validity=Duration.hours(1),
            refresh_token_validity=CONSOLE_SESSION,
            enable_token_revocation=True,
            prevent_user_existence_errors=True,
        )
        self.console_client = console
        self.auth_domain = domain
        # The audience: tokens of either client.
        authorizer = authorizers.HttpUserPoolAuthorizer(
            "UserPoolAuthorizer", pool, user_pool_clients=[client, console]
        )

        _output(self, "UserPoolId", pool.user_pool_id)
        _output(self, "TokenUrl", f"{domain.base_url()}/oauth2/token")
        _output(self, "ClientId", client.user_pool_client_id)
        _output(self, "ConsoleClientId", console.user_pool_client_id)
        _output(self, "AuthDomainUrl", domain.base_url())
        return authorizer, [f"{RESOURCE_SERVER_ID}/{WRITE_SCOPE}"], [f"{RESOURCE_SERVER_ID}/{READ_SCOPE}"]


def _output(scope: Construct, name: str, value: str) -> CfnOutput:
    """A stack output named exactly `name` (what the README and `aws cloudformation describe-stacks` show),
    not the construct-path id with a hash CDK would give an output inside a construct."""
    output = CfnOutput(scope, name, value=value)
    output.override_logical_id(name)
    return output
