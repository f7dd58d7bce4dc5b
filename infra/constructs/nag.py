"""Acknowledging cdk-nag findings (cdk-nag 3: CDK's native `Validations.of(scope).acknowledge`).

Every acknowledgment names one rule (or one finding, `Rule[Finding]`) and says why it does not apply to this
resource. An acknowledgment on a construct covers the CloudFormation resources under it.
"""

from __future__ import annotations

from aws_cdk import Acknowledgment, Validations
from constructs import IConstruct

LAMBDA_RUNTIME_REASON = "python3.14 is not available to build/test against here; 3.13 is what is tested"


def acknowledge(scope: IConstruct, rules: dict[str, str]) -> None:
    """`rules`: rule id (e.g. `AwsSolutions-SQS3`) -> the reason, specific to this resource."""
    for rule_id, reason in rules.items():
        if len(reason) < 20:
            raise ValueError(f"acknowledging {rule_id} needs a real reason, got {reason!r}")
        Validations.of(scope).acknowledge(Acknowledgment(id=rule_id, reason=reason))
