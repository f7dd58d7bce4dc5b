"""Monitoring ends once the conversation is calm again, although its peak frustration stays on record."""

from __future__ import annotations

from datetime import UTC, datetime

from baton.decision import Context, DecisionParams, DecisionState, decide
from baton.decision.engine import calm_risk
from baton.events import Arc, Scores

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def params() -> DecisionParams:
    # Risk from the message's frustration and from the conversation's peak (a record that never comes down).
    return DecisionParams.model_validate(
        {
            "version": "t",
            "intercept": -1.0,
            "features": {
                "frustration_trend": {"mean": 0.2, "scale": 0.2, "weight": 1.0},
                "peak_frustration": {"mean": 0.3, "scale": 0.2, "weight": 1.0},
            },
            "thresholds": {
                "escalate": 0.9,
                "monitor": 0.45,
                "monitor_escalate": 0.8,
                "exit": 0.3,
                "exit_turns": 2,
            },
        }
    )


def test_a_calm_conversation_is_released_from_monitoring_despite_its_peak() -> None:
    p, state, actions, risks = params(), DecisionState(), [], []
    frustrations = [0.55, 0.05, 0.05, 0.05]
    for seq, f in enumerate(frustrations, 1):
        arc = Arc(customer_turns=seq, peak_frustration=max(frustrations[:seq]))
        decision, state = decide(Scores(frustration=f), arc, Context(now=NOW), state, p, text="x", seq=seq)
        actions.append(decision.action)
        risks.append(decision.risk)
    assert actions[0] == "monitor"
    # The full risk stays above `exit` (the peak is on record) ...
    assert all(r > p.thresholds.exit for r in risks[2:])
    # ... but the calm messages release the conversation after exit_turns of them.
    assert actions[1:] == ["monitor", "monitor", "resolve"] or actions[1:] == [
        "monitor",
        "resolve",
        "resolve",
    ]
    assert actions[-1] == "resolve"


def test_calm_risk_leaves_out_only_the_record() -> None:
    parts = {"peak_frustration": 1.5, "frustration_trend": 0.5}
    assert calm_risk(0.5, parts) < 0.5
    assert calm_risk(0.5, {"frustration_trend": 0.5}) == 0.5
