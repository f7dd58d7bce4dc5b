"""The outcome file (`baton.decision.outcomes`): who needed a human, how far a replay decides, and bad lines named
by line and field."""

from __future__ import annotations

import json
from typing import Any

import pytest

from baton.decision.outcomes import (
    NO_CUSTOMER_MESSAGE,
    Outcome,
    ground_truth,
    horizon,
    parse_outcome_line,
    read_outcomes,
)

MESSAGES = [
    {"role": "customer", "text": "I was charged twice"},
    {"role": "bot", "text": "Let me check that", "bot": {"confidence": 0.4}},
    {"role": "customer", "text": "still wrong, this is useless"},
    {"role": "agent", "text": "Hi, I'm Sam, refunding it now"},
]


def line(outcome: Any = None, conversation_id: str = "c-1", **extra: Any) -> str:
    body: dict[str, Any] = {"conversation_id": conversation_id, "messages": MESSAGES, **extra}
    if outcome is not ...:
        body["outcome"] = {} if outcome is None else outcome
    return json.dumps(body)


@pytest.mark.parametrize(
    ("outcome", "needed"),
    [
        ({"label": "true_escalation"}, True),
        ({"label": "missed_escalation", "csat": 5}, True),  # the label decides, not the CSAT
        ({"label": "contained", "csat": 1}, False),
        ({"label": "false_escalation"}, False),
        ({"label": None, "csat": 2}, True),
        ({"label": "unknown", "reopened": True, "csat": 5, "resolved_by": "bot"}, True),
        ({"label": None, "resolved_by": "bot", "csat": 4}, False),
        ({"label": "unknown", "resolved_by": "agent", "csat": 5}, None),
        ({"label": None, "resolved_by": "bot", "csat": 3}, None),
        ({"resolved_by": "bot"}, None),
        ({}, None),
    ],
)
def test_ground_truth_follows_the_label_then_csat_reopen_and_bot_resolution(
    outcome: dict[str, Any], needed: bool | None
) -> None:
    truth = ground_truth(Outcome.model_validate(outcome))
    assert truth.needed is needed
    assert truth.rule


def test_a_replay_decides_up_to_the_message_the_real_system_escalated_at() -> None:
    assert horizon(Outcome(escalated_at_index=2), 4) == 3
    assert horizon(Outcome(), 4) == 4
    parsed = parse_outcome_line(line({"label": "true_escalation", "escalated_at_index": 0}), 1)
    assert parsed.decided_messages == 1


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("{not json", "not valid JSON"),
        (line(...), "outcome: an object is required"),
        (line({"label": "contained", "csat": 7}), "outcome.csat: Input should be less than or equal to 5"),
        (line({"label": "escalated"}), "outcome.label: Input should be"),
        (
            line({"label": "contained", "escalated_at_idx": 2}),
            "outcome.escalated_at_idx: Extra inputs are not permitted",
        ),
        (line({"escalated_at_index": 4}), "outcome.escalated_at_index: 4 is past the last message (index 3)"),
        (line({"reopened": "maybe"}), "outcome.reopened: Input should be a valid boolean"),
        (
            json.dumps({"conversation_id": "c", "messages": [{"role": "robot", "text": "x"}], "outcome": {}}),
            "messages[0].role:",
        ),
        (
            json.dumps({"messages": MESSAGES, "outcome": {}}),
            "conversation_id: a non-empty string is required",
        ),
    ],
)
def test_a_bad_line_names_its_line_and_field(text: str, names: str) -> None:
    read = read_outcomes(["", line({"label": "contained"}, "ok"), text], "outcomes.jsonl")
    assert len(read.bad) == 1
    assert str(read.bad[0]).startswith("outcomes.jsonl:3: ")
    assert names in str(read.bad[0])
    assert [u.conversation_id for u in read.usable] == ["ok"]


def test_a_conversation_twice_is_a_bad_line_naming_the_first() -> None:
    read = read_outcomes([line({"label": "contained"}), line({"label": "true_escalation"})], "f.jsonl")
    assert [str(b) for b in read.bad] == ["f.jsonl:2: conversation_id: 'c-1' is already on line 1"]


def test_lines_without_ground_truth_are_skipped_and_counted_by_reason() -> None:
    lines = [
        line({"label": "contained"}, "a"),
        line({"label": None, "csat": 3, "resolved_by": "agent"}, "b"),
        line({"label": "unknown"}, "c"),
        line({"label": None, "csat": 1}, "d"),
        json.dumps(
            {
                "conversation_id": "e",
                "messages": [{"role": "bot", "text": "Hi!"}, *MESSAGES],
                "outcome": {"label": "true_escalation", "escalated_at_index": 0},
            }
        ),
    ]
    read = read_outcomes(lines)
    assert read.lines == 5
    assert [u.conversation_id for u in read.usable] == ["a", "d"]
    assert read.needed == 1
    assert sum(read.skipped.values()) == 3
    assert read.skipped[NO_CUSTOMER_MESSAGE] == 1
    assert read.rules() == {"label contained": 1, "no label, CSAT <= 2": 1}
    assert not read.bad
