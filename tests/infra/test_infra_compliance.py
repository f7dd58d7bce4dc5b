"""cdk-nag (AwsSolutions + Serverless, run at synth) and cfn-lint on every synthesized template."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from aws_cdk import App
from aws_cdk import aws_sqs as sqs
from infra_synth import CDK_CONTEXT, Synth

from infra.app import build_app

pytestmark = pytest.mark.infra


def _violations(synth: Synth) -> list[str]:
    return [
        f"{report['pluginName']}: {violation['severity']} {violation['ruleName']} at {construct['constructPath']}"
        for report in synth.report["pluginReports"]
        for violation in report["violations"]
        for construct in violation["violatingConstructs"]
    ]


def test_cdk_nag_reports_nothing_unacknowledged(synth: Synth) -> None:
    # Errors and warnings alike: every remaining finding is acknowledged in code, with its reason.
    assert _violations(synth) == []
    assert synth.error is None, synth.error


def test_cdk_nag_packs_are_registered_and_fail_synth(tmp_path: Path) -> None:
    """The check above is only worth something if the packs run: an unacknowledged queue must fail synth."""
    app = App(outdir=str(tmp_path), context={**CDK_CONTEXT, "bundling": "placeholder"})
    build_app(app)
    core = next(stack for stack in app.node.children if stack.node.id == "Dev-Core")
    sqs.Queue(core, "PlainQueue")  # no DLQ, no SSL enforcement
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    findings = (tmp_path / "validation-report.json").read_text()
    for rule in ("AwsSolutions-SQS3", "AwsSolutions-SQS4", "Serverless-SQSRedrivePolicy"):
        assert rule in findings


def test_cfn_lint_is_clean_on_every_template(synth: Synth) -> None:
    templates = sorted(str(p) for p in synth.outdir.glob("*.template.json"))
    assert len(templates) >= 2
    # The console script installed next to this interpreter (cfnlint has no `python -m` entry point).
    cfn_lint = Path(sys.executable).with_name("cfn-lint")
    assert cfn_lint.is_file(), "cfn-lint is not installed in this environment (pip install -e '.[infra]')"
    proc = subprocess.run(
        [str(cfn_lint), "--format", "parseable", *templates],
        capture_output=True,
        text=True,
        check=False,
    )
    # Exit code 0: no errors, no warnings, no informational findings.
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_placeholder_templates_cannot_be_deployed(synth: Synth) -> None:
    # Empty layers would deploy "successfully" and fail on the first invocation; CloudFormation must refuse first.
    for stack, template in synth.templates.items():
        assert "PlaceholderAssetsAreNotDeployable" in template.get("Rules", {}), stack
