"""Baton's CDK app (cdk.json runs it): `<Stage>-Core` plus one `<Stage>-<Capability>` stack per capability.

    npx cdk synth                                  # builds the layers (pip, arm64 wheels), then synthesizes
    npx cdk deploy --all -c stage=prod -c alarmEmail=ops@example.com
    npx cdk synth -c bundling=placeholder          # no pip: empty layer assets, for template checks only

The capability stacks come from `baton.bus.active_subscriptions()` grouped by `capability`: the routing the
local runtime uses, so the two cannot drift. The Feedback stack also holds the events lake (S3, Athena).
`<Stage>-Observability` comes last: the stage's CloudWatch dashboard over all of them, and the KPI drift alarm.
cdk-nag (AwsSolutions and Serverless packs) runs at synth. Synth needs no network beyond the first layer build, and no credentials: stacks are environment-agnostic
unless the CDK CLI supplies an account and region.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

if __package__ in (None, ""):
    # Run as a script (`python infra/app.py`): Python put infra/ first on sys.path, where infra/constructs would
    # shadow the `constructs` library. Import everything from the repository root instead.
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from aws_cdk import App, CfnRule, CfnRuleAssertion, Environment, Fn, Stack, Validations
from cdk_nag import AwsSolutionsChecks, ServerlessChecks

from baton import bus
from baton.bus import Subscription
from infra.assets import FUNCTIONS_DIR, AssetError, FunctionStager, prepare_layers
from infra.config import BatonConfig
from infra.stacks.capability import API_CAPABILITY, EVENTS_LAKE_CAPABILITY, CapabilityStack
from infra.stacks.core import CoreStack
from infra.stacks.observability import OBSERVABILITY, ObservabilityStack
from infra.summary import NAG_PACKS_METADATA


def capabilities(subscriptions: Sequence[Subscription]) -> dict[str, list[Subscription]]:
    """Capability -> its implemented subscriptions, in declaration order. Ingestion always exists (the API)."""
    grouped: dict[str, list[Subscription]] = {API_CAPABILITY: []}
    for sub in subscriptions:
        if sub.implemented:
            grouped.setdefault(sub.capability, []).append(sub)
    return grouped


def build_app(
    app: App | None = None,
    *,
    subscriptions: Sequence[Subscription] | None = None,
    functions_dir: Path = FUNCTIONS_DIR,
) -> App:
    """Add Baton's stacks to `app` (a new App by default); `subscriptions` defaults to baton.bus's."""
    app = app or App()
    config = BatonConfig.from_context(app.node)
    subs = bus.active_subscriptions() if subscriptions is None else tuple(subscriptions)
    env = Environment(
        account=os.environ.get("CDK_DEFAULT_ACCOUNT"), region=os.environ.get("CDK_DEFAULT_REGION")
    )

    layer_assets = prepare_layers(config.bundling)
    stager = FunctionStager(functions_dir)
    core = CoreStack(app, config.stack_name("Core"), config=config, env=env)
    stacks: list[Stack] = [core]
    for capability, members in capabilities(subs).items():
        stack = CapabilityStack(
            app,
            config.stack_name(capability),
            capability=capability,
            subscriptions=members,
            core=core,
            layer_assets=layer_assets,
            stager=stager,
            with_api=capability == API_CAPABILITY,
            with_events_lake=capability == EVENTS_LAKE_CAPABILITY,
            env=env,
        )
        stacks.append(stack)
    capability_stacks = [s for s in stacks if isinstance(s, CapabilityStack)]
    observability = ObservabilityStack(
        app,
        config.stack_name(OBSERVABILITY),
        core=core,
        capabilities=capability_stacks,
        subscriptions=[sub for sub in subs if sub.implemented],
        env=env,
    )
    stacks.append(observability)
    if layer_assets.placeholder:
        for stack in stacks:
            _refuse_deployment(stack)
    packs = (AwsSolutionsChecks(app), ServerlessChecks(app))
    Validations.of(app).add_plugins(*packs)
    for stack in stacks:
        # The packs that validate each stack, in its assembly metadata: what `./dev synth`'s summary reports
        # (infra/summary.py), since the validation report names only the packs that found something.
        stack.node.add_metadata(NAG_PACKS_METADATA, [pack.name for pack in packs])
    return app


def _refuse_deployment(stack: Stack) -> None:
    """Placeholder assets are for template checks: CloudFormation rejects the template before changing anything."""
    CfnRule(
        stack,
        "PlaceholderAssetsAreNotDeployable",
        assertions=[
            CfnRuleAssertion(
                assert_=Fn.condition_equals("bundling", "placeholder-never-deployable"),
                assert_description="Synthesized with -c bundling=placeholder (empty layers): run `npx cdk deploy` without it",
            )
        ],
    )
    # cfn-lint rightly sees that the assertion can never hold (W8003): that is the point.
    stack.template_options.metadata = {"cfn-lint": {"config": {"ignore_checks": ["W8003"]}}}


def main() -> int:
    try:
        app = build_app()
    except (ValueError, AssetError) as exc:  # ConfigError and bad declarations in baton.bus are ValueErrors
        print(f"baton infra: {exc}", file=sys.stderr)
        return 1
    try:
        app.synth()
    except RuntimeError as exc:  # cdk-nag findings (the report is in cdk.out/validation-report.json)
        print(f"baton infra: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
