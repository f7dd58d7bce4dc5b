"""The decision capability's state item (`DecisionState`) in DynamoDB and in memory, and its view.

One item per conversation, `pk=CONV#<id> sk=DECISION`, in the conversation's own partition of the
conversations table (`baton.adapters.state_item`): the state (monitoring, hysteresis counters...), the latest
`EscalationDecided` (re-published on a redelivery) and the view (`decision`, and the status it implies). The
conversation's META item is never written: its `status` follows the views when read, so ingestion's ordered
appends and the decision never contend for one item.
"""

from __future__ import annotations

from typing import Any

from baton.adapters.memory import MemoryStateStore
from baton.adapters.state_item import DynamoStateStore
from baton.decision.engine import DecisionState
from baton.events import EscalationDecided
from baton.models import ConversationStatus
from baton.ordered import StateItem

DECISION = StateItem(
    sk="DECISION", state_type=DecisionState, event_type=EscalationDecided, what="the decision state"
)

STATUS_OF_ACTION = {
    "resolve": ConversationStatus.open,
    "monitor": ConversationStatus.monitoring,
    "escalate": ConversationStatus.escalated,
}
"""The conversation status each action implies (`open`: the bot carries on)."""


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
        "shadow",
    }
)


def decision_view(event: EscalationDecided) -> dict[str, Any]:
    """What the conversation shows as its `decision` (`baton.models.DecisionView`; `incidents`: the active
    incidents the message matched, with their ETA, so the agent acknowledges them instead of troubleshooting)."""
    return {k: v for k, v in event.model_dump(mode="json").items() if k in DECISION_FIELDS}


class DynamoDecisionStore(DynamoStateStore[DecisionState, EscalationDecided]):
    spec = DECISION


class MemoryDecisionStore(MemoryStateStore[DecisionState, EscalationDecided]):
    spec = DECISION
