"""`baton.ports.DecisionStore`: the decision capability's per-conversation state, and its in-memory fake.

DynamoDB: one item per conversation in the conversations table, in the conversation's own partition
(`baton.tables`), so `GET /v1/conversations/{id}` reads it with the messages and the arc:

  pk=`CONV#<id>` sk=`DECISION`  kind=`decision`, version (optimistic lock), last_seq, updated_at,
                                expires_at (TTL),
                                state     (the policy's state JSON: monitoring, hysteresis counters...),
                                event     (the latest `EscalationDecided` JSON, re-published on a redelivery),
                                decision  (what the conversation shows: action, risk, reasons, guardrail,
                                           incident, model_version, decided_at, seq, message_id),
                                status    (the conversation status the decision implies).

Every write is one conditional UpdateItem (`version = :read`, or no item yet): the decision service applies
messages in order and once, and of two concurrent writers of the same message exactly one lands. The
conversation's META item is not written: its `status` follows the decision when read (see
`baton.ingestion.store.DynamoConversationStore.get_conversation`), so ingestion's ordered appends and the
decision never contend for one item.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import boto3
from pydantic import BaseModel

from baton.adapters.memory import MemoryConversationStore
from baton.adapters.state_item import StateItem
from baton.errors import ConcurrentUpdate
from baton.events import EscalationDecided
from baton.ingestion.store import DECISION, KIND_DECISION
from baton.models import ConversationStatus

STATUS_OF_ACTION = {
    "resolve": ConversationStatus.open,
    "monitor": ConversationStatus.monitoring,
    "escalate": ConversationStatus.escalated,
}
"""The conversation status each action implies (`open`: the bot carries on)."""


@dataclass(frozen=True)
class StoredDecision[State: BaseModel]:
    state: State
    version: int
    """Optimistic lock: a write names the version it read."""
    event: EscalationDecided | None
    """The EscalationDecided of the last applied message (re-published when it is delivered again)."""


DECISION_FIELDS = frozenset(
    {
        "action",
        "risk",
        "reasons",
        "guardrail",
        "model_version",
        "decided_at",
        "seq",
        "message_id",
        "incidents",
        "escalated_because",
    }
)


def decision_view(event: EscalationDecided) -> dict[str, Any]:
    """What the conversation shows as its `decision` (`baton.models.DecisionView`; `incidents`: the active
    incidents the message matched, with their ETA, so the agent acknowledges them instead of troubleshooting)."""
    return {k: v for k, v in event.model_dump(mode="json").items() if k in DECISION_FIELDS}


class DynamoDecisionStore[State: BaseModel]:
    def __init__(
        self,
        table_name: str,
        state_type: type[State],
        client: Any = None,
        endpoint_url: str | None = None,
        ttl_days: int = 400,
    ) -> None:
        self.table_name = table_name
        self.state_type = state_type
        self.client = client if client is not None else boto3.client("dynamodb", endpoint_url=endpoint_url)
        self.item = StateItem(
            self.client,
            table_name,
            sk=DECISION,
            kind=KIND_DECISION,
            ttl=timedelta(days=ttl_days),
            what="the decision state",
        )

    def load(self, conversation_id: str) -> StoredDecision[State] | None:
        item = self.item.read(conversation_id, "state", "event")
        if item is None:
            return None
        return StoredDecision(
            state=self.state_type.model_validate_json(item["state"]),
            version=int(item["version"]),
            event=EscalationDecided.model_validate_json(item["event"]) if "event" in item else None,
        )

    def save(
        self,
        conversation_id: str,
        state: State,
        event: EscalationDecided | None,
        *,
        expected_version: int,
        at: datetime,
        view: dict[str, Any] | None = None,
    ) -> int:
        """Store the state (and, when a message was decided, its event and what the conversation shows) if
        the stored version is still `expected_version` (0: none yet), else raise `ConcurrentUpdate`."""
        attributes: dict[str, Any] = {
            "last_seq": getattr(state, "last_seq", 0),
            "state": state.model_dump_json(),
        }
        if event is not None:
            attributes |= {
                "event": event.model_dump_json(),
                "decision": _json(view if view is not None else decision_view(event)),
                "status": STATUS_OF_ACTION[event.action].value,
            }
        return self.item.write(conversation_id, attributes, expected_version=expected_version, at=at)


class MemoryDecisionStore[State: BaseModel]:
    """In-memory `DecisionStore`; given the memory conversation store, the conversation shows the decision and
    its status like the DynamoDB one does."""

    def __init__(self, conversations: MemoryConversationStore | None = None) -> None:
        self._lock = threading.Lock()
        self._items: dict[str, StoredDecision[State]] = {}
        self.conversations = conversations
        self.saves = 0

    def load(self, conversation_id: str) -> StoredDecision[State] | None:
        with self._lock:
            return self._items.get(conversation_id)

    def save(
        self,
        conversation_id: str,
        state: State,
        event: EscalationDecided | None,
        *,
        expected_version: int,
        at: datetime,
        view: dict[str, Any] | None = None,
    ) -> int:
        with self._lock:
            current = self._items.get(conversation_id)
            if (current.version if current else 0) != expected_version:
                raise ConcurrentUpdate(
                    f"the decision state of {conversation_id!r} is no longer at version {expected_version}"
                )
            kept = event if event is not None else (current.event if current else None)
            stored = StoredDecision(
                state=state.model_copy(deep=True), version=expected_version + 1, event=kept
            )
            self._items[conversation_id] = stored
            self.saves += 1
        if self.conversations is not None and event is not None:
            self.conversations.show_decision(
                conversation_id,
                decision=view if view is not None else decision_view(event),
                status=STATUS_OF_ACTION[event.action],
            )
        return stored.version


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True)
