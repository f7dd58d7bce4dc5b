"""The routing capability's state item (`RoutingState`) in DynamoDB and in memory: one item per conversation,
`pk=CONV#<id> sk=ROUTING`, in the conversation's own partition (`baton.adapters.state_item`)."""

from __future__ import annotations

from typing import Any

from baton.adapters.memory import MemoryStateStore
from baton.adapters.state_item import DynamoStateStore
from baton.events import HandoffPrepared
from baton.routing.service import RoutingState

ROUTING = "ROUTING"


class DynamoRoutingStore(DynamoStateStore[RoutingState, HandoffPrepared]):
    def __init__(self, table_name: str, client: Any, ttl_days: int = 400) -> None:
        super().__init__(
            table_name,
            sk=ROUTING,
            state_type=RoutingState,
            event_type=HandoffPrepared,
            client=client,
            ttl_days=ttl_days,
            what="the routing state",
        )


class MemoryRoutingStore(MemoryStateStore[RoutingState, HandoffPrepared]):
    def __init__(self, conversations: Any = None) -> None:
        super().__init__(conversations, what="the routing state")
