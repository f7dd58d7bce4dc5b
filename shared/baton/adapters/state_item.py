"""`baton.ordered.StateStore` in DynamoDB: one capability's per-conversation state item, written with
optimistic locking.

Each ordered capability (the scoring arc `ARC`, the decision `DECISION`, routing `ROUTING`...) keeps one item in
the conversation's own partition of the conversations table (`baton.tables`):

  pk=`CONV#<id>` sk=<capability's sk>  kind, conversation_id, version (optimistic lock), last_seq, updated_at,
                                       expires_at (TTL),
                                       state (the capability's state JSON),
                                       event (the latest published event JSON, re-published on a redelivery),
                                       view  (`baton.models.View` JSON: what the conversation shows of it).

`GET /v1/conversations/{id}` reads every item's `view` with the messages in one Query and assembles them
(`baton.ingestion.store`), without knowing which capabilities exist. Items are read strongly consistent and
written by one conditional UpdateItem (`version = :read`, or no item yet): of two concurrent writers of the
same message exactly one lands (the other gets `ConcurrentUpdate`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from baton.errors import ConcurrentUpdate
from baton.events import BusEvent
from baton.models import View
from baton.ordered import OrderedState, StateItem, Stored
from baton.tables import conversation_pk

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


class DynamoStateStore[S: OrderedState, O: BusEvent]:
    """A capability's store: a subclass names its `spec` (`baton.ordered.StateItem`)."""

    spec: StateItem[S, O]

    def __init__(self, table_name: str, *, client: Any, ttl_days: int = 400) -> None:
        self.client = client
        self.table_name = table_name
        self.sk = self.spec.sk
        self.kind = self.spec.sk.lower()
        self.state_type = self.spec.state_type
        self.event_type = self.spec.event_type
        self.ttl = timedelta(days=ttl_days)
        self.what = self.spec.what

    def load(self, conversation_id: str) -> Stored[S, O] | None:
        response = self.client.get_item(
            TableName=self.table_name,
            Key=_marshal({"pk": conversation_pk(conversation_id), "sk": self.sk}),
            ConsistentRead=True,
            ProjectionExpression="version, #state, #event",
            ExpressionAttributeNames={"#state": "state", "#event": "event"},
        )
        raw = response.get("Item")
        if not raw:
            return None
        item = {k: _deserializer.deserialize(v) for k, v in raw.items()}
        return Stored(
            state=self.state_type.model_validate_json(item["state"]),
            version=int(item["version"]),
            event=self.event_type.model_validate_json(item["event"]) if "event" in item else None,
        )

    def save(
        self,
        conversation_id: str,
        state: S,
        event: O | None,
        *,
        expected_version: int,
        at: datetime,
        view: View | None = None,
    ) -> int:
        attributes: dict[str, Any] = {"last_seq": state.last_seq, "state": state.model_dump_json()}
        if event is not None:
            attributes["event"] = event.model_dump_json()
        if view is not None:
            attributes["view"] = view.model_dump_json()
        return self._write(conversation_id, attributes, expected_version=expected_version, at=at)

    def _write(
        self, conversation_id: str, attributes: dict[str, Any], *, expected_version: int, at: datetime
    ) -> int:
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
