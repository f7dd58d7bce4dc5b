"""`baton eval conversations`: escalation rates by label, in time, and the peak-risk AUROC."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from decision_params import risk_is_frustration

from baton.decision.evaluation import Evaluation, Outcome, auroc, evaluate_file
from baton.decision.params import DecisionParams
from baton.events import Scores


class RiskScorer:
    """A scorer whose frustration is a number in the message text: the tests choose each risk."""

    def score_batch(self, items: list[tuple[Any, list[Any]]]) -> list[list[tuple[Scores, Any]]]:
        from baton.scoring.arc import ArcState

        out = []
        for _state, messages in items:
            rows = []
            for m in messages:
                value = float(m.text.split()[-1]) if m.role.value == "customer" else None
                rows.append((Scores(frustration=value, asks_for_human="human" in m.text), ArcState()))
            out.append(rows)
        return out


def params() -> DecisionParams:
    return risk_is_frustration()


def conversation(cid: str, risks: list[float], expected: str | None, **labels: Any) -> str:
    messages = []
    for r in risks:
        messages += [{"role": "customer", "text": f"msg {r}"}, {"role": "bot", "text": "answer"}]
    line: dict[str, Any] = {"conversation_id": cid, "messages": messages, **labels}
    if expected:
        line["expected"] = expected
    return json.dumps(line)


def test_rates_in_time_and_auroc(tmp_path: Path) -> None:
    path = tmp_path / "labelled.jsonl"
    path.write_text(
        "\n".join(
            [
                conversation("late", [0.1, 0.5, 0.9], "escalate", escalate_by=2),  # escalates at 3: late
                conversation("early", [0.9], "escalate", escalate_by=1),
                conversation("missed", [0.3, 0.3], "escalate"),
                conversation("calm", [0.1, 0.1], "resolve"),
                conversation("false", [0.8], "resolve"),
                conversation("asked", [0.1, 0.1], "resolve", borderline=True),
                conversation("unlabelled", [0.9], None),
            ]
        )
        + "\n"
    )
    evaluation = evaluate_file(path, RiskScorer(), params())
    clear = evaluation.summary()
    assert clear["conversations"] == 5  # the borderline one and the unlabelled one are apart
    assert clear["escalate"] == {
        "n": 3,
        "escalated": 2,
        "escalated_share": 0.667,
        "in_time": 1,
        "in_time_share": 0.333,
    }
    assert clear["resolve"]["escalated"] == 1
    # peaks: escalate 0.9, 0.9, 0.3 vs resolve 0.1, 0.8 -> 5 of 6 pairs ordered
    assert clear["peak_risk_auroc"] == round(5 / 6, 4)
    assert clear["false_escalation_reasons"] == {"frustrated": 1}
    rendered = evaluation.render()
    assert "clear cases: 5 conversations" in rendered and "borderline: 1 conversation\n" in rendered
    # --errors: what a lead looks at next, by id and message number (never the text).
    assert evaluation.render_errors().splitlines()[1:] == [
        "  late  escalate by 2: escalated at 3; peak risk 0.90; frustrated",
        "  missed  escalate at all: never escalated; peak risk 0.30",
        "  false  resolve: escalated at 1; peak risk 0.80; frustrated",
    ]


def test_a_guardrail_ranks_above_any_risk() -> None:
    rows = [
        Outcome("a", "escalate", False, None, 1, 0.2, "human_requested", "human_requested"),
        Outcome("b", "resolve", False, None, None, 0.6, None, None),
    ]
    s = Evaluation(rows).summary()
    assert s["peak_risk_auroc"] == 1.0 and s["peak_risk_auroc_without_guardrails"] == 0.0
    assert auroc([1, 0], [0.5, 0.5]) == 0.5 and auroc([1, 1], [0.1, 0.2]) is None
