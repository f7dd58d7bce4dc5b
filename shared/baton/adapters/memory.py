"""In-memory fakes of the shared ports, with the same semantics as the real adapters (tests, benches, the
backtest): the publisher, secrets, and any capability's state store. The conversation store's is
`baton.ingestion.memory`."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from baton.errors import ConcurrentUpdate
from baton.events import BusEvent
from baton.models import View
from baton.ordered import OrderedState, StateItem, Stored


class MemoryPublisher:
    """Records what was published; `fail_next` makes the next publish raise (to test retries)."""

    def __init__(self) -> None:
        self.events: list[BusEvent] = []
        self.fail_next = 0

    def publish(self, events: Sequence[BusEvent]) -> None:
        if self.fail_next:
            self.fail_next -= 1
            raise RuntimeError("injected publish failure")
        self.events.extend(events)

    def of_type(self, detail_type: str) -> list[BusEvent]:
        return [e for e in self.events if detail_type == e.DETAIL_TYPE]


class StaticSecrets:
    def __init__(self, values: dict[str, str] | None = None) -> None:
        self.values = dict(values or {})

    def get(self, name: str) -> str | None:
        return self.values.get(name)


class MemoryStateStore[S: OrderedState, O: BusEvent]:
    """`baton.ordered.StateStore` in memory; given the memory conversation store, the conversation shows the
    capability's view like the DynamoDB one does."""

    spec: StateItem[S, O]

    def __init__(self, conversations: Any = None) -> None:
        """`conversations`: a `baton.ingestion.memory.MemoryConversationStore` to show views on, or None."""
        self._lock = threading.Lock()
        self._items: dict[str, Stored[S, O]] = {}
        self.conversations = conversations
        self.what = self.spec.what
        self.saves = 0

    def load(self, conversation_id: str) -> Stored[S, O] | None:
        with self._lock:
            return self._items.get(conversation_id)

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
        with self._lock:
            current = self._items.get(conversation_id)
            if (current.version if current else 0) != expected_version:
                raise ConcurrentUpdate(
                    f"{self.what} of {conversation_id!r} is no longer at version {expected_version}"
                )
            kept = event if event is not None else (current.event if current else None)
            stored = Stored(state=state.model_copy(deep=True), version=expected_version + 1, event=kept)
            self._items[conversation_id] = stored
            self.saves += 1
        if self.conversations is not None and view is not None:
            self.conversations.show(conversation_id, view)
        return stored.version
