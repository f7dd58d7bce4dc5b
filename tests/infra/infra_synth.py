"""Synthesizing Baton's CDK app for the infra tests (placeholder layer assets: no pip, no network, no credentials).

The context is cdk.json's (the same feature flags `npx cdk synth` uses) plus the optional features switched on
(partner-event forwarding, alarm e-mail), so every construct the app can make is checked.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # `infra` and `layers` are imported from the repository root
    sys.path.insert(0, str(ROOT))
# aws-cdk-lib's jsii runtime warns on every start under Node 20; the warning is not what these tests check.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

from aws_cdk import App  # noqa: E402
from aws_cdk.assertions import Template  # noqa: E402

from baton.bus import Subscription  # noqa: E402
from infra.app import build_app  # noqa: E402
from infra.assets import FUNCTIONS_DIR  # noqa: E402

CDK_CONTEXT: dict[str, Any] = json.loads((ROOT / "cdk.json").read_text())["context"]
PARTNER_SOURCE = "aws.partner/zendesk.com/1234567/default"
FULL_CONTEXT = {"partnerEventSourceName": PARTNER_SOURCE, "alarmEmail": "ops@example.com"}


@dataclass
class Synth:
    """A synthesized cloud assembly: templates by stack name, and the policy-validation (cdk-nag) outcome."""

    outdir: Path
    templates: dict[str, dict[str, Any]]
    error: str | None = None
    _asserts: dict[str, Template] = field(default_factory=dict)

    @property
    def report(self) -> dict[str, Any]:
        path = self.outdir / "validation-report.json"
        return json.loads(path.read_text()) if path.is_file() else {"pluginReports": []}

    def template(self, stack: str) -> Template:
        if stack not in self._asserts:
            self._asserts[stack] = Template.from_json(self.templates[stack])
        return self._asserts[stack]

    def resources(self, resource_type: str) -> Iterator[tuple[str, str, dict[str, Any]]]:
        """(stack, logical id, resource) for every resource of that type in every stack."""
        for stack, template in self.templates.items():
            for logical_id, resource in template["Resources"].items():
                if resource["Type"] == resource_type:
                    yield stack, logical_id, resource

    def resource(self, stack: str, logical_id: str) -> dict[str, Any]:
        return self.templates[stack]["Resources"][logical_id]

    @staticmethod
    def ref_id(value: Any) -> str | None:
        """The logical id a `Ref` / `Fn::GetAtt` points at (None for anything else)."""
        if isinstance(value, dict):
            if "Ref" in value:
                return value["Ref"]
            if "Fn::GetAtt" in value:
                return value["Fn::GetAtt"][0]
        return None


def synthesize(
    outdir: Path,
    context: Mapping[str, Any] | None = None,
    *,
    subscriptions: Sequence[Subscription] | None = None,
    functions_dir: Path = FUNCTIONS_DIR,
) -> Synth:
    with pytest.MonkeyPatch.context() as mp:
        # Environment-agnostic templates, whatever the developer's shell has configured.
        mp.delenv("CDK_DEFAULT_ACCOUNT", raising=False)
        mp.delenv("CDK_DEFAULT_REGION", raising=False)
        app = App(outdir=str(outdir), context={**CDK_CONTEXT, "bundling": "placeholder", **(context or {})})
        build_app(app, subscriptions=subscriptions, functions_dir=functions_dir)
        error = None
        try:
            app.synth()
        except RuntimeError as exc:  # jsii raises the validation failure (cdk-nag findings) as RuntimeError
            error = str(exc)
    templates = {
        p.name.removesuffix(".template.json"): json.loads(p.read_text())
        for p in outdir.glob("*.template.json")
    }
    return Synth(outdir=outdir, templates=templates, error=error)
