"""DynamoDB table definitions: one source for the CDK core stack and for `baton local`.

conversations (single table, one partition per conversation):
  pk=`CONV#<conversation_id>`  sk=`META`                  conversation: status, last_seq, version, customer, outcome, ...
  pk=`CONV#<conversation_id>`  sk=`MSG#<seq:010d>`        one message, in arrival order (a Query returns them in order)
  pk=`CONV#<conversation_id>`  sk=`MID#<message_id>`      message id -> seq + fingerprint (idempotency, 409 on conflict)
  GSI `by_customer`: gsi1pk=`CUST#<customer id>` gsi1sk=<updated_at ISO> on META items (contact history).
  pk=`CONV#<conversation_id>`  sk=`INSIGHTS`              the conversation's summary (`baton.insights.store`)
  GSI `by_status`: gsi2pk=`STATUS#<status>` gsi2sk=`<last_activity_at ISO UTC>#<conversation_id>` on INSIGHTS
  items (the console's list, newest first).
  pk=`KPI#<YYYY-MM-DD>`  sk=`<dimension>#<value>#<shard>`  KPI bucket counters (`baton.insights.store`)
idempotency: Powertools idempotency records (pk `id`, TTL `expiration`): the webhook notifications processed,
  `webhook#<hash of the notification id>` (`baton.ingestion.connectors.webhooks`).
context: accounts, agents, incidents, activity (filled by the decision and routing capabilities).
"""

from __future__ import annotations

from dataclasses import dataclass, field


def conversation_pk(conversation_id: str) -> str:
    """The partition of one conversation in the conversations table: its messages and every capability's
    state item."""
    return f"CONV#{conversation_id}"


@dataclass(frozen=True)
class Index:
    name: str
    partition_key: str
    sort_key: str | None = None


@dataclass(frozen=True)
class Table:
    logical_name: str
    """CDK construct id, and the settings field `<logical>_table` that carries the physical name."""
    partition_key: str
    sort_key: str | None = None
    ttl_attribute: str | None = None
    indexes: tuple[Index, ...] = field(default_factory=tuple)

    def create_table_kwargs(self, table_name: str) -> dict:
        """boto3 `create_table` arguments (on-demand), as the CDK stack creates it."""
        attrs = {self.partition_key} | ({self.sort_key} if self.sort_key else set())
        for ix in self.indexes:
            attrs |= {ix.partition_key} | ({ix.sort_key} if ix.sort_key else set())
        kwargs: dict = {
            "TableName": table_name,
            "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": a, "AttributeType": "S"} for a in sorted(attrs)],
            "KeySchema": _keys(self.partition_key, self.sort_key),
        }
        if self.indexes:
            kwargs["GlobalSecondaryIndexes"] = [
                {
                    "IndexName": ix.name,
                    "KeySchema": _keys(ix.partition_key, ix.sort_key),
                    "Projection": {"ProjectionType": "ALL"},
                }
                for ix in self.indexes
            ]
        return kwargs


def _keys(pk: str, sk: str | None) -> list[dict]:
    keys = [{"AttributeName": pk, "KeyType": "HASH"}]
    if sk:
        keys.append({"AttributeName": sk, "KeyType": "RANGE"})
    return keys


CONVERSATIONS = Table(
    logical_name="conversations",
    partition_key="pk",
    sort_key="sk",
    ttl_attribute="expires_at",
    indexes=(Index("by_customer", "gsi1pk", "gsi1sk"), Index("by_status", "gsi2pk", "gsi2sk")),
)
IDEMPOTENCY = Table(logical_name="idempotency", partition_key="id", ttl_attribute="expiration")
CONTEXT = Table(logical_name="context", partition_key="pk", sort_key="sk", ttl_attribute="expires_at")
ROUTING = Table(logical_name="routing", partition_key="pk", sort_key="sk", ttl_attribute="expires_at")
"""Agents (`AGENTS`/<id>: profile, status, load), open assignments (`ASSIGN`/<conversation>), the waiting
escalations (`QUEUE`/<conversation>) and each customer's last agent (`CUSTOMER`/<id>): see
`baton.routing.directory`."""

TABLES: tuple[Table, ...] = (CONVERSATIONS, IDEMPOTENCY, CONTEXT, ROUTING)
