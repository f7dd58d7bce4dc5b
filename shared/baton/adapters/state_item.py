"""One capability's per-conversation state item in DynamoDB, written with optimistic locking.

The scoring arc (`ARC`) and the decision state (`DECISION`) are each one item in the conversation's own
partition of the conversations table (`baton.tables`), so `GET /v1/conversations/{id}` reads them with the
messages. Both are read strongly consistent and written by one conditional UpdateItem (`version = :read`, or no
item yet): a capability applies a conversation's messages in order and once, and of two concurrent writers of
the same message exactly one lands (the other gets `ConcurrentUpdate`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from baton.errors import ConcurrentUpdate
from baton.ingestion.store import conversation_pk

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


class StateItem:
    def __init__(
        self, client: Any, table_name: str, *, sk: str, kind: str, ttl: timedelta, what: str
    ) -> None:
        self.client = client
        self.table_name = table_name
        self.sk = sk
        self.kind = kind
        self.ttl = ttl
        self.what = what
        """What the item is, for error messages (`the arc`, `the decision state`)."""

    def read(self, conversation_id: str, *attributes: str) -> dict[str, Any] | None:
        """`version` and the named attributes of the item (strongly consistent), or None when there is none."""
        names = {f"#a{i}": name for i, name in enumerate(attributes)}
        response = self.client.get_item(
            TableName=self.table_name,
            Key=_marshal({"pk": conversation_pk(conversation_id), "sk": self.sk}),
            ConsistentRead=True,
            ProjectionExpression=", ".join(["version", *names]),
            **({"ExpressionAttributeNames": names} if names else {}),
        )
        raw = response.get("Item")
        if not raw:
            return None
        return {k: _deserializer.deserialize(v) for k, v in raw.items()}

    def write(
        self, conversation_id: str, attributes: dict[str, Any], *, expected_version: int, at: datetime
    ) -> int:
        """Set `attributes` (and kind, version, updated_at, expires_at) if the stored version is still
        `expected_version` (0: no item yet), else raise `ConcurrentUpdate`. Returns the new version."""
        version = expected_version + 1
        fields = {
            "kind": self.kind,
            "conversation_id": conversation_id,
            "version": version,
            "updated_at": at.isoformat(),
            "expires_at": int((at + self.ttl).timestamp()),
            **attributes,
        }
        names = {f"#a{i}": name for i, name in enumerate(fields)}
        values = {f":a{i}": value for i, value in enumerate(fields.values())}
        if expected_version == 0:
            condition = "attribute_not_exists(pk)"
        else:
            condition = "version = :expected"
            values[":expected"] = expected_version
        try:
            self.client.update_item(
                TableName=self.table_name,
                Key=_marshal({"pk": conversation_pk(conversation_id), "sk": self.sk}),
                UpdateExpression="SET " + ", ".join(f"#a{i} = :a{i}" for i in range(len(fields))),
                ConditionExpression=condition,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=_marshal(values),
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                raise ConcurrentUpdate(
                    f"{self.what} of {conversation_id!r} is no longer at version {expected_version}"
                ) from error
            raise
        return version


def _marshal(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _serializer.serialize(v) for k, v in item.items() if v is not None}
