"""The scoring capability's state item: the conversation arc (`ArcState`) in DynamoDB and in memory.

One item per conversation, `pk=CONV#<id> sk=ARC`, in the conversation's own partition of the conversations
table (`baton.adapters.state_item`): the state, the latest `MessageScored` (re-published on a redelivery; its
message redacted when the helpdesk redacts it) and the view the conversation shows (`scores`, `arc`).
"""

from __future__ import annotations

from baton.adapters.memory import MemoryStateStore
from baton.adapters.state_item import DynamoStateStore
from baton.events import MessageScored
from baton.ordered import StateItem
from baton.scoring.arc import ArcState

ARC = StateItem(sk="ARC", state_type=ArcState, event_type=MessageScored, what="the arc")


class DynamoArcStore(DynamoStateStore[ArcState, MessageScored]):
    spec = ARC


class MemoryArcStore(MemoryStateStore[ArcState, MessageScored]):
    spec = ARC
