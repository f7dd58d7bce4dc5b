"""Monitoring ends once the customer is calm again, although the conversation's frustration peak stays on record;
a calm message never escalates by risk."""

from __future__ import annotations

from datetime import UTC, datetime

from baton.context.models import Context
from baton.decision.engine import DecisionState, decide, own_risk
from baton.decision.params import DecisionParams
from baton.events import Arc, Scores

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def params() -> DecisionParams:
    # Risk from the frustration average and from the conversation's peak (a record that never comes down).
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
                "monitor_escalate": 0.6,
                "exit": 0.3,
                "exit_turns": 2,
            },
        }
    )


def run(frustrations: list[float]) -> list[tuple[str, float]]:
    p, state, out = params(), DecisionState(), []
    for seq, f in enumerate(frustrations, 1):
        arc = Arc(customer_turns=seq, peak_frustration=max(frustrations[:seq]))
        decision, state = decide(Scores(frustration=f), arc, Context(now=NOW), state, p, text="x", seq=seq)
        out.append((decision.action, decision.risk))
    return out


def test_a_calm_customer_is_released_from_monitoring_despite_the_peak() -> None:
    out = run([0.55, 0.05, 0.05])
    assert [a for a, _ in out] == ["monitor", "monitor", "resolve"]
    # The first calm message's full risk is above monitor_escalate (the peak is on record): it does not escalate.
    assert out[1][1] >= params().thresholds.monitor_escalate


def test_a_message_that_is_not_calm_still_escalates_a_watched_conversation() -> None:
    assert [a for a, _ in run([0.55, 0.5])] == ["monitor", "escalate"]


def test_the_own_risk_reads_the_message_alone() -> None:
    p = params()
    calm = own_risk(Scores(frustration=0.05), Arc(customer_turns=5, peak_frustration=0.9), p)
    upset = own_risk(Scores(frustration=0.8), Arc(customer_turns=5, peak_frustration=0.9), p)
    assert calm < p.thresholds.exit < upset
