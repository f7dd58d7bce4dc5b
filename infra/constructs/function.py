"""The one way Baton makes a Lambda function: the settings every function shares, in one place.

python3.13 on arm64, JSON logs at an application log level, an explicit log group with retention, tracing off
unless asked for, the dependency and `baton` layers, env vars from `baton.settings.Settings`, and a role of its
own with no managed policy: callers add exactly what the function touches with `grant_*`.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from baton.settings import Settings
from infra.assets import FunctionCode
from infra.constructs.nag import LAMBDA_RUNTIME_REASON, acknowledge

RUNTIME = lambda_.Runtime.PYTHON_3_13
ARCHITECTURE = lambda_.Architecture.ARM_64
METRICS_NAMESPACE = "Baton"
LOG_RETENTION = logs.RetentionDays.ONE_MONTH


class BatonFunction(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        code: FunctionCode,
        layers: Sequence[lambda_.ILayerVersion],
        settings: Settings,
        service: str,
        description: str,
        timeout: Duration,
        memory_mb: int,
        removal_policy: RemovalPolicy,
        tracing: bool = False,
        log_level: lambda_.ApplicationLogLevel = lambda_.ApplicationLogLevel.INFO,
    ) -> None:
        super().__init__(scope, construct_id)
        self.log_group = logs.LogGroup(self, "Logs", retention=LOG_RETENTION, removal_policy=removal_policy)
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"Baton {service}: only what this function touches",
        )
        # What AWSLambdaBasicExecutionRole would give, scoped to this function's own log group.
        self.log_group.grant_write(self.role)

        environment = settings.env() | {
            "POWERTOOLS_SERVICE_NAME": service,
            "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
        }
        self.function = lambda_.Function(
            self,
            "Function",
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            code=lambda_.Code.from_asset(str(code.asset_dir)),
            handler=code.handler,
            layers=list(layers),
            role=self.role,
            description=description,
            timeout=timeout,
            memory_size=memory_mb,
            environment=environment,
            log_group=self.log_group,
            logging_format=lambda_.LoggingFormat.JSON,
            application_log_level_v2=log_level,
            system_log_level_v2=lambda_.SystemLogLevel.WARN,
            tracing=lambda_.Tracing.ACTIVE if tracing else lambda_.Tracing.DISABLED,
        )
        # Lambda.Function adds an explicit DependsOn on its role (to order the role's policy before the
        # function); the role half of it duplicates the GetAtt, which cfn-lint reports as W3005.
        self.function.node.default_child.add_metadata(  # type: ignore[union-attr]
            "cfn-lint", {"config": {"ignore_checks": ["W3005"]}}
        )
        rules = {
            "AwsSolutions-L1": LAMBDA_RUNTIME_REASON,
            "Serverless-LambdaLatestVersion": LAMBDA_RUNTIME_REASON,
        }
        if not tracing:
            rules["Serverless-LambdaTracing"] = (
                "X-Ray is off by default (cost and cold start: Powertools Tracer is only imported where tracing "
                "is on); BatonFunction(tracing=True) switches it on per function"
            )
        acknowledge(self.function, rules)
