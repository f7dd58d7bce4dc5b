"""`baton.ports.ArcStore`: the conversation arc in DynamoDB, and its in-memory fake.

DynamoDB: one item per conversation in the conversations table, in the conversation's own partition
(`baton.tables`), so the conversation store's Query reads it with the messages:

  pk=`CONV#<id>` sk=`ARC`   kind=`arc`, version (optimistic lock), last_seq, updated_at, expires_at (TTL),
                            state  (`ArcState` JSON: counters, recent sentiments, remembered messages),
                            event  (the latest `MessageScored` JSON, re-published on a redelivery; its
                                    message redacted when the helpdesk redacts it),
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

from baton.adapters.memory import MemoryConversationStore
from baton.adapters.state_item import StateItem
from baton.errors import ConcurrentUpdate
from baton.events import MessageScored
from baton.ingestion.store import ARC, KIND_ARC
from baton.models import Role
from baton.ports import StoredArc
from baton.scoring.arc import ArcState


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
        self.item = StateItem(
            self.client, table_name, sk=ARC, kind=KIND_ARC, ttl=timedelta(days=ttl_days), what="the arc"
        )

    def load(self, conversation_id: str) -> StoredArc | None:
        item = self.item.read(conversation_id, "state", "event")
        if item is None:
            return None
        return StoredArc(
            state=ArcState.model_validate_json(item["state"]),
            version=int(item["version"]),
            event=MessageScored.model_validate_json(item["event"]) if "event" in item else None,
        )

    def save(
        self,
        conversation_id: str,
        state: ArcState,
        event: MessageScored | None,
        *,
        expected_version: int,
        at: datetime,
    ) -> int:
        attributes: dict[str, Any] = {"last_seq": state.last_seq, "state": state.model_dump_json()}
        if event is not None:
            attributes |= {"event": event.model_dump_json(), "arc": event.arc.model_dump_json()}
            scores = scores_view(event)
            if scores is not None:
                attributes["scores"] = _json(scores)
        return self.item.write(conversation_id, attributes, expected_version=expected_version, at=at)


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
        event: MessageScored | None,
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
            kept = event if event is not None else (current.event if current else None)
            stored = StoredArc(state=state.model_copy(deep=True), version=expected_version + 1, event=kept)
            self._arcs[conversation_id] = stored
            self.saves += 1
        if self.conversations is not None and event is not None:
            self.conversations.show_scores(conversation_id, scores=scores_view(event), arc=arc_view(event))
        return stored.version


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True)
