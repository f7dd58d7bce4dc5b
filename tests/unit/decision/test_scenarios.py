"""The scenario suite (events/scenarios/scenarios.jsonl): realistic B2B support conversations, each with the
decision a support lead expects and by when, run through `baton backtest` with the shipped models and
decision parameters: the same code as the functions.

`expect` keys: `action` + `by_index` (that action at or before that message index, and it holds, since an
escalation stays), `never` (that action at no message), `final` (the last decision), `first` (the first
customer message's decision), `guardrail` (reported on the escalation), `reason` + `reason_by_index` (or `by_index`: that
reason code on a decision at or before that index), `incident` (the
first decision names that active incident, with its ETA), `escalate_not_before` (no escalation before that
index), `same_risk_as` (the same risk at every message as that scenario: context moves thresholds only)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from baton.decision.params import load_default
from baton.scoring.backtest import run
from baton.scoring.loader import load_models
from baton.scoring.scorer import Scorer

SCENARIOS = Path(__file__).resolve().parents[3] / "events" / "scenarios" / "scenarios.jsonl"
LINES = [json.loads(line) for line in SCENARIOS.read_text().splitlines() if line.strip()]


@pytest.fixture(scope="module")
def outputs() -> dict[str, list[dict[str, Any]]]:
    sink = io.StringIO()
    stats = run(Scorer(load_models()), io.StringIO(SCENARIOS.read_text()), sink, params=load_default())
    assert stats.bad_lines == 0
    rows: dict[str, list[dict[str, Any]]] = {}
    for line in sink.getvalue().splitlines():
        row = json.loads(line)
        rows.setdefault(row["conversation_id"], []).append(row)
    return rows


def _decided(rows: list[dict[str, Any]]) -> list[tuple[int, dict[str, Any]]]:
    return [(r["index"], r["decision"]) for r in rows if r["decision"]["decided"]]


@pytest.mark.parametrize("scenario", LINES, ids=[line["conversation_id"] for line in LINES])
def test_scenario(scenario: dict[str, Any], outputs: dict[str, list[dict[str, Any]]]) -> None:
    expect = scenario["scenario"]["expect"]
    decided = _decided(outputs[scenario["conversation_id"]])
    trail = [(i, d["action"], d["risk"], [r["code"] for r in d["reasons"]][:3]) for i, d in decided]
    if "never" in expect:
        assert all(d["action"] != expect["never"] for _, d in decided), trail
    if "final" in expect:
        assert decided[-1][1]["action"] == expect["final"], trail
    if "first" in expect:
        assert decided[0][1]["action"] == expect["first"], trail
    if "action" in expect:
        hits = [i for i, d in decided if d["action"] == expect["action"]]
        assert hits and hits[0] <= expect["by_index"], trail
        if expect["action"] == "escalate":
            assert all(d["action"] == "escalate" for i, d in decided if i >= hits[0]), trail
    if "guardrail" in expect:
        assert any(d["guardrail"] == expect["guardrail"] for _, d in decided), trail
    if "reason" in expect:
        found = [
            i
            for i, d in decided
            if any(r["code"] == expect["reason"] for r in d["reasons"])
            and i <= expect.get("reason_by_index", expect["by_index"])
        ]
        assert found, trail
    if "escalate_not_before" in expect:
        assert all(d["action"] != "escalate" for i, d in decided if i < expect["escalate_not_before"]), trail
    if "same_risk_as" in expect:
        twin = _decided(outputs[expect["same_risk_as"]])
        assert [d["risk"] for _, d in decided] == [d["risk"] for _, d in twin], trail
    if "incident" in expect:
        first = decided[0][1]
        assert [m["id"] for m in first["incidents"]] == [expect["incident"]], trail
        assert first["incidents"][0]["eta"], "the agent needs the ETA to acknowledge the incident"
