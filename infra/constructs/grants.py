"""A function's declaration (`baton.access.Access`) turned into IAM, and nothing more.

- Each table it reads or writes: exactly the declared DynamoDB calls (`Table.grant`), on the table alone. The
  grant goes through a reference that declares no index, since `grant*` on a table with a GSI also grants
  `<table arn>/index/*`; an index is granted Query, by name, only where a Query on it is declared.
- The data key that encrypts the tables: CDK's key actions for reading a table (Decrypt, DescribeKey), and for
  writing one also Encrypt, ReEncrypt* and GenerateDataKey* (what `Table.grant_write_data` would add).
- The bus: `events:PutEvents` on the Baton bus, with `events:source` and `events:detail-type` conditions naming
  the declared events: a function cannot publish another capability's events.
"""

from __future__ import annotations

from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from constructs import Construct

from baton.access import Access
from infra.constructs.nag import acknowledge
from infra.stacks.core import CoreStack, pascal

KEY_READ_ACTIONS = ("kms:Decrypt", "kms:DescribeKey")
KEY_WRITE_ACTIONS = ("kms:Encrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*")
KMS_WILDCARD_REASON = (
    "kms:GenerateDataKey* and kms:ReEncrypt* are CDK's grant for writing a table encrypted with a customer-managed "
    "key; the resource is the one Baton data key, not '*'"
)


def grant_access(scope: Construct, core: CoreStack, role: iam.IRole, access: Access) -> None:
    """Grant `role` what `access` declares: the tables' calls, their key, the index queries and the events."""
    for logical, calls in access.table_calls().items():
        table = core.tables[logical]
        reference = dynamodb.Table.from_table_attributes(
            scope, f"{pascal(logical)}TableAccess", table_arn=table.table_arn, encryption_key=core.key
        )
        reference.grant(role, *(f"dynamodb:{call}" for call in calls))
    for logical, index, calls in access.index_calls():
        iam.Grant.add_to_principal(
            grantee=role,
            actions=[f"dynamodb:{call}" for call in calls],
            resource_arns=[f"{core.tables[logical].table_arn}/index/{index}"],
        )
    if access.writes:
        core.key.grant(role, *KEY_READ_ACTIONS, *KEY_WRITE_ACTIONS)
        acknowledge(
            role,
            {
                "AwsSolutions-IAM5[Action::kms:GenerateDataKey*]": KMS_WILDCARD_REASON,
                "AwsSolutions-IAM5[Action::kms:ReEncrypt*]": KMS_WILDCARD_REASON,
            },
        )
    elif access.reads:
        core.key.grant(role, *KEY_READ_ACTIONS)
    for source, detail_types in access.published().items():
        iam.Grant.add_to_principal(
            grantee=role,
            actions=["events:PutEvents"],
            resource_arns=[core.bus.event_bus_arn],
            conditions={
                "StringEquals": {"events:source": [source], "events:detail-type": list(detail_types)}
            },
        )
