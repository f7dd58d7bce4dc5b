"""`baton outcomes export`: conversations with their outcomes, from events only, whatever their order."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from baton.feedback.export import export_lines

ROOT = Path(__file__).resolve().parents[3]


def envelope(kind: str, detail: dict[str, Any]) -> dict[str, Any]:
    return {
        "detail-type": kind,
        "source": "baton.x",
        "detail": {"event_id": f"{kind}-{random.random()}", **detail},
    }


def message(seq: int, role: str, text: str, **extra: Any) -> dict[str, Any]:
    snapshot = {
        "message_id": f"m{seq}",
        "seq": seq,
        "role": role,
        "text": text,
        "sent_at": f"2026-12-06T09:0{seq}:00Z",
    }
    snapshot |= extra
    return envelope("MessageReceived", {"conversation_id": "c1", "seq": seq, "message": snapshot})


def events() -> list[dict[str, Any]]:
    customer = {"id": "cus-1", "account_id": "acct-1"}
    return [
        message(1, "customer", "my export fails", customer=customer),
        message(2, "bot", "try again later", bot={"confidence": 0.4}),
        message(3, "customer", "get me a human", customer=customer),
        envelope("EscalationDecided", {"conversation_id": "c1", "seq": 1, "action": "resolve"}),
        envelope("EscalationDecided", {"conversation_id": "c1", "seq": 3, "action": "escalate"}),
        envelope("OutcomeRecorded", {"conversation_id": "c1", "kind": "resolved", "resolved_by": "agent",
                                     "occurred_at": "2026-12-06T09:10:00Z"}),
        envelope("OutcomeRecorded", {"conversation_id": "c1", "kind": "rated", "csat": 4,
                                     "occurred_at": "2026-12-06T09:20:00Z"}),
        envelope("OutcomeLabeled", {"conversation_id": "c1", "label": "false_escalation",
                                    "occurred_at": "2026-12-06T09:10:01Z"}),
        envelope("OutcomeLabeled", {"conversation_id": "c1", "label": "true_escalation",
                                    "occurred_at": "2026-12-06T09:20:01Z"}),
        message(1, "customer", "no outcome here", customer=customer) | {"detail": {"conversation_id": "c2", "seq": 1,
            "message": {"message_id": "x", "seq": 1, "role": "customer", "text": "hi"}}},
    ]  # fmt: skip


def test_a_conversation_with_an_outcome_is_exported_in_the_backtest_format_with_its_outcome() -> None:
    (line,) = list(export_lines(events()))
    assert line["conversation_id"] == "c1" and line["customer"] == {"id": "cus-1", "account_id": "acct-1"}
    assert [m["role"] for m in line["messages"]] == ["customer", "bot", "customer"]
    assert line["messages"][1]["bot"] == {"confidence": 0.4}
    assert line["outcome"] == {
        "label": "true_escalation",
        "csat": 4,
        "resolved_by": "agent",
        "reopened": False,
        "escalated_at_index": 2,
    }


def test_the_export_depends_on_the_events_not_their_order_nor_repeats() -> None:
    expected = list(export_lines(events()))
    for seed in range(20):
        shuffled = events() * 2
        random.Random(seed).shuffle(shuffled)
        assert list(export_lines(shuffled)) == expected


def test_an_exported_line_is_valid_backtest_input() -> None:
    from baton.scoring.backtest import parse_line

    (line,) = list(export_lines(events()))
    parse_line(json.dumps(line), 1)


def test_a_redacted_message_keeps_its_place_with_empty_text_whichever_event_comes_first() -> None:
    redaction = envelope("MessageRedacted", {"conversation_id": "c1", "message_id": "m1",
                                             "redacted_at": "2026-12-06T09:30:00Z"})  # fmt: skip
    for seed in range(10):
        shuffled = [*events(), redaction]
        random.Random(seed).shuffle(shuffled)
        (line,) = list(export_lines(shuffled))
        assert [m["text"] for m in line["messages"]] == ["", "try again later", "get me a human"]
        assert line["messages"][0]["message_id"] == "m1" and line["outcome"]["escalated_at_index"] == 2
    # A message published again after its redaction (a helpdesk redelivery) is blank too, in either order.
    again = message(1, "customer", "", redacted_at="2026-12-06T09:30:00Z")
    for extra in ([again], [again, *events()]):
        (line,) = list(export_lines([*events(), *extra]))
        assert line["messages"][0]["text"] == ""
