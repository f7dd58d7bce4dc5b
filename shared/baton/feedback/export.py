"""`baton outcomes export`: conversations with their outcome, from the bus's events, in the format the refit
and the comparison read (`baton train decision --outcomes`, `baton decision compare --outcomes`).

One line per conversation that has an outcome or a label: the backtest input format (`conversation_id`,
`customer`, `messages` with role, text, sent_at and the bot's confidence) plus
`outcome: {label, csat, resolved_by, reopened, escalated_at_index}`:
- `label`: the latest `OutcomeLabeled` (`baton.feedback`), or null;
- `csat`: the latest rating; `resolved_by`: who resolved it last; `reopened`: whether it ever was;
- `escalated_at_index`: the index in `messages` of the message the first escalation decided, or null.

Built from events only (`MessageReceived`, `EscalationDecided`, `OutcomeRecorded`, `OutcomeLabeled`), in any
order and with repeats, so the local archive and a deployed event export give the same lines. A redacted
message keeps its place with empty text.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

ESCALATED = "EscalationDecided"


@dataclass
class _Conversation:
    customer: dict[str, Any] | None = None
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    escalated_seq: int | None = None
    csat: tuple[str, int] | None = None
    resolved_by: tuple[str, str] | None = None
    reopened: bool = False
    label: tuple[str, str] | None = None
    outcomes: int = 0


def export_lines(envelopes: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """The outcome lines (module docstring) of the conversations these events describe, by conversation id."""
    conversations: dict[str, _Conversation] = {}
    for envelope in envelopes:
        detail = envelope.get("detail")
        kind = envelope.get("detail-type")
        if not isinstance(detail, dict) or not isinstance(detail.get("conversation_id"), str):
            continue
        state = conversations.setdefault(detail["conversation_id"], _Conversation())
        _apply(state, str(kind), detail)
    for conversation_id in sorted(conversations):
        state = conversations[conversation_id]
        if not state.outcomes and state.label is None:
            continue
        seqs = sorted(state.messages)
        index = seqs.index(state.escalated_seq) if state.escalated_seq in state.messages else None
        yield {
            "conversation_id": conversation_id,
            "customer": state.customer,
            "messages": [state.messages[s] for s in seqs],
            "outcome": {
                "label": state.label[1] if state.label else None,
                "csat": state.csat[1] if state.csat else None,
                "resolved_by": state.resolved_by[1] if state.resolved_by else None,
                "reopened": state.reopened,
                "escalated_at_index": index,
            },
        }


def _apply(state: _Conversation, kind: str, detail: dict[str, Any]) -> None:
    if kind == "MessageReceived":
        message = detail.get("message") or {}
        seq = int(detail.get("seq") or message.get("seq") or 0)
        line = {"message_id": message.get("message_id"), "role": message.get("role"), "text": message.get("text", "")}
        if message.get("sent_at"):
            line["sent_at"] = message["sent_at"]
        bot = message.get("bot") or {}
        if bot.get("confidence") is not None:
            line["bot"] = {"confidence": bot["confidence"]}
        state.messages[seq] = line
        if message.get("role") == "customer" and message.get("customer"):
            state.customer = message["customer"]
    elif kind == ESCALATED and detail.get("action") == "escalate":
        cause = detail.get("escalated_because") or {}
        seq = int(cause.get("seq") or detail.get("seq") or 0)
        state.escalated_seq = seq if state.escalated_seq is None else min(state.escalated_seq, seq)
    elif kind == "OutcomeRecorded":
        at = str(detail.get("occurred_at") or "")
        state.outcomes += 1
        if detail.get("csat") is not None and (state.csat is None or at >= state.csat[0]):
            state.csat = (at, int(detail["csat"]))
        if detail.get("kind") in ("resolved", "closed") and (state.resolved_by is None or at >= state.resolved_by[0]):
            state.resolved_by = (at, str(detail.get("resolved_by") or "unknown"))
        if detail.get("kind") == "reopened":
            state.reopened = True
    elif kind == "OutcomeLabeled":
        at = str(detail.get("occurred_at") or "")
        if state.label is None or at >= state.label[0]:
            state.label = (at, str(detail.get("label")))
