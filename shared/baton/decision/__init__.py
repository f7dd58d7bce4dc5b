"""The decision capability: resolve, monitor or escalate a conversation, with reasons.

- `baton.decision.context`: the business context models (`Context`, `Account`, `HistoryItem`, `Incident`,
  `Activity`) and the facts read from them (`business_facts`, `match_incidents`).
- `baton.decision.params`: the versioned parameters document (`DecisionParams`, `load_default`).
- `baton.decision.engine`: `decide(scores, arc, context, state, params, text=..., seq=...)`, pure.
- `baton.decision.metrics`: the dialogue-level cost and timeliness of a policy (issue 4, section 5).

Nothing here imports numpy, boto3 or the scoring models: the decision function's cold start is pydantic.
"""

from __future__ import annotations

import importlib
from typing import Any

# Resolved on first use (PEP 562), not at import: `baton.events` imports `baton.decision.context` for the
# context events' fields, and the engine imports `baton.events`; eager imports here would make that a cycle.
_WHERE = {
    "Account": "context",
    "Activity": "context",
    "Context": "context",
    "HistoryItem": "context",
    "Incident": "context",
    "IncidentMatch": "context",
    "Decision": "engine",
    "DecisionState": "engine",
    "OutOfOrderDecision": "engine",
    "decide": "engine",
    "DecisionParams": "params",
    "InvalidParams": "params",
    "load_default": "params",
}


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)


__all__ = [
    "Account",
    "Activity",
    "Context",
    "Decision",
    "DecisionParams",
    "DecisionState",
    "HistoryItem",
    "Incident",
    "IncidentMatch",
    "InvalidParams",
    "OutOfOrderDecision",
    "decide",
    "load_default",
]
