"""Decision parameters for engine tests: by default the risk is the message's frustration (one feature, logit in,
sigmoid out), with round thresholds, so a test chooses each risk by the frustration it passes (the first message's
risk escalates too, `first_message_escalates`); overrides replace
whole blocks (another feature set, other thresholds)."""

from __future__ import annotations

from typing import Any

from baton.decision.params import DecisionParams


def risk_is_frustration(**overrides: Any) -> DecisionParams:
    doc: dict[str, Any] = {
        "version": "decision-test-1",
        "intercept": 0.0,
        "features": {"frustration": {"mean": 0.0, "scale": 1.0, "weight": 1.0}},
        "thresholds": {
            "escalate": 0.7,
            "monitor": 0.4,
            "monitor_escalate": 0.55,
            "exit": 0.2,
            "exit_turns": 2,
            # The tests choose each message's risk; the first message's watch is tested on its own
            # (test_decision.py), with the shipped default (false).
            "first_message_escalates": True,
        },
    }
    doc.update(overrides)
    return DecisionParams.model_validate(doc)
