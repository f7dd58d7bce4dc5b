"""The routing capability's state item (`RoutingState`) in DynamoDB and in memory: one item per conversation,
`pk=CONV#<id> sk=ROUTING`, in the conversation's own partition (`baton.adapters.state_item`)."""

from __future__ import annotations

from baton.adapters.memory import MemoryStateStore
from baton.adapters.state_item import DynamoStateStore
from baton.events import HandoffPrepared
from baton.ordered import StateItem
from baton.routing.service import RoutingState

ROUTING = StateItem(
    sk="ROUTING", state_type=RoutingState, event_type=HandoffPrepared, what="the routing state"
)


class DynamoRoutingStore(DynamoStateStore[RoutingState, HandoffPrepared]):
    spec = ROUTING


class MemoryRoutingStore(MemoryStateStore[RoutingState, HandoffPrepared]):
    spec = ROUTING
