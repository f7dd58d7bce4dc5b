"""`baton decision compare`: conversations with known outcomes replayed through scoring once and the decision twice;
the expected cost of each policy, the interval of the difference, the conversations where they differ, and the
verdict (advice: nothing is promoted)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from baton import cli
from baton.decision import compare
from baton.decision.params import DecisionParams, load_default
from baton.scoring.fakes import fake_models
from baton.scoring.scorer import Scorer

ASKS = [
    {"role": "customer", "text": "My export keeps failing"},
    {"role": "bot", "text": "Try again in a minute.", "bot": {"confidence": 0.4}},
    {"role": "customer", "text": "Can I speak to a real person please?"},
]
CALM = [
    {"role": "customer", "text": "Hi, where can I download my invoices?"},
    {"role": "bot", "text": "Under Settings > Billing.", "bot": {"confidence": 0.9}},
    {"role": "customer", "text": "thanks, found it"},
]


def line(conversation_id: str, messages: list[dict[str, Any]], outcome: dict[str, Any] | None) -> str:
    data: dict[str, Any] = {"conversation_id": conversation_id, "messages": messages}
    if outcome is not None:
        data["outcome"] = outcome
    return json.dumps(data)


@pytest.fixture(scope="module")
def scorer() -> Scorer:
    return Scorer(fake_models())


@pytest.fixture(scope="module")
def deaf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A challenger that never hears a request for a person and never escalates on risk."""
    document = json.loads(load_default().to_json())
    document["version"] = "challenger-deaf-1"
    document["guardrails"] = {**document["guardrails"], "human_request": False}
    document["thresholds"] = {
        **document["thresholds"],
        "escalate": 0.999,
        "monitor_escalate": 0.999,
        "monitor": 0.999,
    }
    path = tmp_path_factory.mktemp("params") / "deaf.json"
    path.write_text(DecisionParams.model_validate(document).to_json())
    return path


def test_the_report_names_the_costs_the_difference_the_disagreements_and_the_verdict(
    tmp_path: Path, scorer: Scorer, deaf: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outcomes = tmp_path / "outcomes.jsonl"
    outcomes.write_text(
        "\n".join(
            [
                line("asks-1", ASKS, {"label": "missed_escalation"}),
                line("calm-1", CALM, {"label": "contained", "resolved_by": "bot", "csat": 5}),
                line("calm-2", CALM, {"label": "unknown", "resolved_by": "bot", "csat": 4}),
                line("unsure", CALM, {"label": "unknown", "resolved_by": "agent", "csat": 3}),
                line("no-outcome", CALM, None),
                line("broken", CALM, {"label": "contained", "csat": 7}),
                "not json",
            ]
        )
        + "\n"
    )
    assert compare.main(outcomes, deaf, scorer=scorer) == 0
    captured = capsys.readouterr()
    out = captured.out
    assert "3 conversations with a known outcome (1 needed a human)" in out
    assert "skipped: no label and no low CSAT, reopen or bot resolution with a high CSAT 1" in out
    assert "unreadable lines: 3" in out
    err = captured.err
    assert "outcomes.jsonl:5: outcome: an object is required" in err
    assert "outcomes.jsonl:6: outcome.csat" in err and "outcomes.jsonl:7: not valid JSON" in err
    # The champion hears the request for a person, the challenger does not: one missed escalation, cost 5 / 3.
    assert "expected cost / conversation  0.0000" in out and "1.6667" in out
    assert (
        "asks-1  needed (label missed_escalation); champion escalates at message 3 (human_requested); " in out
    )
    assert "challenger never escalates (ends: resolve); champion right" in out
    assert "verdict: KEEP the champion" in out and "[ ] expected cost at least 5% lower" in out


def test_json_output_and_fail_on_worse_for_ci(
    tmp_path: Path, scorer: Scorer, deaf: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outcomes = tmp_path / "outcomes.jsonl"
    lines = [line(f"asks-{i}", ASKS, {"label": "true_escalation"}) for i in range(12)]
    lines += [line(f"calm-{i}", CALM, {"label": "contained"}) for i in range(30)]
    outcomes.write_text("\n".join(lines) + "\n")

    assert compare.main(outcomes, deaf, scorer=scorer, as_json=True, bootstrap=500) == 0  # advice only
    report = json.loads(capsys.readouterr().out)
    assert report["verdict"] == "worse" and report["interval"][0] > 0
    assert report["champion"]["missed"] == 0 and report["challenger"]["missed"] == 12
    assert report["champion"]["parameters"] == load_default().version
    assert report["challenger"]["parameters"] == "challenger-deaf-1"
    assert report["disagreement_kinds"] == {
        "new_miss": 12,
        "caught_miss": 0,
        "new_false": 0,
        "dropped_false": 0,
    }
    assert {d["conversation_id"] for d in report["disagreements"]} == {f"asks-{i}" for i in range(12)}
    assert report["difference"] == pytest.approx(12 * 5 / 42)

    assert compare.main(outcomes, deaf, scorer=scorer, fail_on_worse=True, bootstrap=500) == 1
    assert "verdict: WORSE" in capsys.readouterr().out
    # The champion against itself: no disagreement, nothing to promote, nothing worse.
    same = tmp_path / "same.json"
    same.write_text(load_default().to_json())
    assert compare.main(outcomes, same, scorer=scorer, fail_on_worse=True, as_json=True, bootstrap=500) == 0
    itself = json.loads(capsys.readouterr().out)
    assert (itself["verdict"], itself["difference"], itself["disagreements"]) == ("keep", 0.0, [])


def test_a_policy_that_escalates_after_the_real_system_did_is_counted_as_missing_it(
    tmp_path: Path, scorer: Scorer, capsys: pytest.CaptureFixture[str]
) -> None:
    # The real system escalated at the first message: what followed went to a person, and is not replayed.
    outcomes = tmp_path / "outcomes.jsonl"
    outcomes.write_text(line("asks", ASKS, {"label": "true_escalation", "escalated_at_index": 0}) + "\n")
    same = tmp_path / "same.json"
    same.write_text(load_default().to_json())
    assert compare.main(outcomes, same, scorer=scorer, as_json=True, bootstrap=100) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["champion"]["missed"] == 1  # it would have escalated at message 3: too late


def test_bad_input_exits_2(
    tmp_path: Path, scorer: Scorer, deaf: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "missing.jsonl"
    assert compare.main(missing, deaf, scorer=scorer) == 2
    nothing = tmp_path / "unlabelled.jsonl"
    nothing.write_text(line("c", CALM, {"label": "unknown"}) + "\n")
    assert compare.main(nothing, deaf, scorer=scorer) == 2
    assert "no conversation with a known outcome" in capsys.readouterr().err
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"version": "x"}))
    labelled = tmp_path / "labelled.jsonl"
    labelled.write_text(line("c", CALM, {"label": "contained"}) + "\n")
    assert compare.main(labelled, broken, scorer=scorer) == 2
    assert "broken.json" in capsys.readouterr().err


def test_the_command_line_runs_the_shipped_models(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    outcomes = tmp_path / "outcomes.jsonl"
    outcomes.write_text(
        line("asks", ASKS, {"label": "true_escalation"})
        + "\n"
        + line("calm", CALM, {"label": "contained"})
        + "\n"
    )
    champion = tmp_path / "champion.json"
    champion.write_text(load_default().to_json())
    code = cli.main(
        [
            "decision", "compare", "--outcomes", str(outcomes), "--champion", str(champion),
            "--challenger", str(champion), "--cost-missed", "10", "--cost-false", "2", "--seed", "3",
            "--bootstrap", "100", "--json",
        ]
    )  # fmt: skip
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["cost_missed"], report["cost_false"], report["seed"], report["bootstrap"]) == (
        10,
        2,
        3,
        100,
    )
    assert report["conversations"] == 2 and report["verdict"] == "keep" and report["disagreements"] == []
