"""`baton.ports.ArcStore`: the conversation arc in DynamoDB, and its in-memory fake.

DynamoDB: one item per conversation in the conversations table, in the conversation's own partition
(`baton.tables`), so the conversation store's Query reads it with the messages:

  pk=`CONV#<id>` sk=`ARC`   kind=`arc`, version (optimistic lock), last_seq, updated_at, expires_at (TTL),
                            state  (`ArcState` JSON: counters, recent sentiments, remembered messages),
                            event  (the latest `MessageScored` JSON, re-published on a redelivery),
                            arc    (the public `Arc` JSON, shown on the conversation),
                            scores (the latest scored customer message's scores + its message_id and seq).

Every write is one conditional UpdateItem (`version = :read`, or no item yet): the scoring service applies
messages in order and once, and of two concurrent writers of the same message exactly one lands.
"""

from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta
from typing import Any

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from baton.adapters.dynamodb import ARC, KIND_ARC, conversation_pk
from baton.adapters.memory import MemoryConversationStore
from baton.errors import ConcurrentUpdate
from baton.events import MessageScored
from baton.models import Role
from baton.ports import StoredArc
from baton.scoring.arc import ArcState

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def scores_view(event: MessageScored) -> dict[str, Any] | None:
    """What the conversation shows as its latest `scores`: a scored customer message's, else None (the
    customer's last scores stay shown while the bot or an agent answers)."""
    if event.role != Role.customer or event.scores.sentiment is None:
        return None
    return {
        "message_id": event.message_id,
        "seq": event.seq,
        **event.scores.model_dump(mode="json", exclude_none=True),
    }


def arc_view(event: MessageScored) -> dict[str, Any]:
    return event.arc.model_dump(mode="json")


class DynamoArcStore:
    def __init__(
        self, table_name: str, client: Any = None, endpoint_url: str | None = None, ttl_days: int = 400
    ) -> None:
        self.table_name = table_name
        self.client = client if client is not None else boto3.client("dynamodb", endpoint_url=endpoint_url)
        self.ttl = timedelta(days=ttl_days)

    def load(self, conversation_id: str) -> StoredArc | None:
        response = self.client.get_item(
            TableName=self.table_name,
            Key=_marshal({"pk": conversation_pk(conversation_id), "sk": ARC}),
            ConsistentRead=True,
            ProjectionExpression="version, #state, #event",
            ExpressionAttributeNames={"#state": "state", "#event": "event"},
        )
        raw = response.get("Item")
        if not raw:
            return None
        item = {k: _deserializer.deserialize(v) for k, v in raw.items()}
        return StoredArc(
            state=ArcState.model_validate_json(item["state"]),
            version=int(item["version"]),
            event=MessageScored.model_validate_json(item["event"]) if "event" in item else None,
        )

    def save(
        self,
        conversation_id: str,
        state: ArcState,
        event: MessageScored,
        *,
        expected_version: int,
        at: datetime,
    ) -> int:
        version = expected_version + 1
        values: dict[str, Any] = {
            ":kind": KIND_ARC,
            ":cid": conversation_id,
            ":version": version,
            ":last_seq": state.last_seq,
            ":state": state.model_dump_json(),
            ":event": event.model_dump_json(),
            ":arc": event.arc.model_dump_json(),
            ":now": at.isoformat(),
            ":exp": int((at + self.ttl).timestamp()),
        }
        sets = [
            "kind = :kind",
            "conversation_id = :cid",
            "version = :version",
            "last_seq = :last_seq",
            "#state = :state",
            "#event = :event",
            "arc = :arc",
            "updated_at = :now",
            "expires_at = :exp",
        ]
        scores = scores_view(event)
        if scores is not None:
            values[":scores"] = _json(scores)
            sets.append("scores = :scores")
        if expected_version == 0:
            condition = "attribute_not_exists(pk)"
        else:
            condition = "version = :expected"
            values[":expected"] = expected_version
        try:
            self.client.update_item(
                TableName=self.table_name,
                Key=_marshal({"pk": conversation_pk(conversation_id), "sk": ARC}),
                UpdateExpression="SET " + ", ".join(sets),
                ConditionExpression=condition,
                ExpressionAttributeNames={"#state": "state", "#event": "event"},
                ExpressionAttributeValues=_marshal(values),
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                raise ConcurrentUpdate(
                    f"the arc of {conversation_id!r} is no longer at version {expected_version}"
                ) from error
            raise
        return version


class MemoryArcStore:
    """In-memory `ArcStore`; given the memory conversation store, the conversation shows the scores like
    the DynamoDB one does."""

    def __init__(self, conversations: MemoryConversationStore | None = None) -> None:
        self._lock = threading.Lock()
        self._arcs: dict[str, StoredArc] = {}
        self.conversations = conversations
        self.saves = 0

    def load(self, conversation_id: str) -> StoredArc | None:
        with self._lock:
            return self._arcs.get(conversation_id)

    def save(
        self,
        conversation_id: str,
        state: ArcState,
        event: MessageScored,
        *,
        expected_version: int,
        at: datetime,
    ) -> int:
        with self._lock:
            current = self._arcs.get(conversation_id)
            if (current.version if current else 0) != expected_version:
                raise ConcurrentUpdate(
                    f"the arc of {conversation_id!r} is no longer at version {expected_version}"
                )
            stored = StoredArc(state=state.model_copy(deep=True), version=expected_version + 1, event=event)
            self._arcs[conversation_id] = stored
            self.saves += 1
        if self.conversations is not None:
            self.conversations.show_scores(conversation_id, scores=scores_view(event), arc=arc_view(event))
        return stored.version


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


def _marshal(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _serializer.serialize(v) for k, v in item.items() if v is not None}
