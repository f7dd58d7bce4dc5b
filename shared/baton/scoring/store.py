"""The scoring capability's state item: the conversation arc (`ArcState`) in DynamoDB and in memory.

One item per conversation, `pk=CONV#<id> sk=ARC`, in the conversation's own partition of the conversations
table (`baton.adapters.state_item`): the state, the latest `MessageScored` (re-published on a redelivery; its
message redacted when the helpdesk redacts it) and the view the conversation shows (`scores`, `arc`).
"""

from __future__ import annotations

from typing import Any

from baton.adapters.memory import MemoryStateStore
from baton.adapters.state_item import DynamoStateStore
from baton.events import MessageScored
from baton.scoring.arc import ArcState

ARC = "ARC"


class DynamoArcStore(DynamoStateStore[ArcState, MessageScored]):
    def __init__(self, table_name: str, client: Any, ttl_days: int = 400) -> None:
        super().__init__(
            table_name,
            sk=ARC,
            state_type=ArcState,
            event_type=MessageScored,
            client=client,
            ttl_days=ttl_days,
            what="the arc",
        )


class MemoryArcStore(MemoryStateStore[ArcState, MessageScored]):
    def __init__(self, conversations: Any = None) -> None:
        super().__init__(conversations, what="the arc")
