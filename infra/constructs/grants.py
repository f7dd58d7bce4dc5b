"""Table grants that stay specific: no `<table>/index/*` wildcard.

`Table.grant_read_write_data` on a table with a GSI also grants `<table arn>/index/*`. We grant read/write on the
table through a reference that declares no index, then Query on each declared index by name, so every resource
in the policy is one named table or index.
"""

from __future__ import annotations

from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from constructs import Construct

from baton.tables import TABLES
from infra.constructs.nag import acknowledge
from infra.stacks.core import CoreStack, pascal

_SPECS = {spec.logical_name: spec for spec in TABLES}
KMS_WILDCARD_REASON = (
    "kms:GenerateDataKey* and kms:ReEncrypt* are CDK's grant for a table encrypted with a customer-managed key; "
    "the resource is the one Baton data key, not '*'"
)


def grant_table_read_write(scope: Construct, core: CoreStack, logical_name: str, role: iam.Role) -> None:
    table = core.tables[logical_name]
    reference = dynamodb.Table.from_table_attributes(
        scope, f"{pascal(logical_name)}TableAccess", table_arn=table.table_arn, encryption_key=core.key
    )
    reference.grant_read_write_data(role)
    indexes = _SPECS[logical_name].indexes
    if indexes:
        iam.Grant.add_to_principal(
            grantee=role,
            actions=["dynamodb:Query"],
            resource_arns=[f"{table.table_arn}/index/{index.name}" for index in indexes],
        )
    acknowledge(
        role,
        {
            "AwsSolutions-IAM5[Action::kms:GenerateDataKey*]": KMS_WILDCARD_REASON,
            "AwsSolutions-IAM5[Action::kms:ReEncrypt*]": KMS_WILDCARD_REASON,
        },
    )
