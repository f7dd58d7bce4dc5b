"""A reason shown to people never names an intent the model is unsure of: it names the product area in words."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from decision_params import risk_is_frustration

from baton.context.models import Context
from baton.decision.engine import DecisionState, decide
from baton.decision.params import DecisionParams
from baton.events import Arc, Scores

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def params() -> DecisionParams:
    """Risk from the intent's uncertainty and the complexity alone, so both are reasons."""
    return risk_is_frustration(
        version="decision-test-intent",
        features={
            "intent_uncertainty": {"mean": 0.0, "scale": 0.2, "weight": 1.0},
            "complexity": {"mean": 0.0, "scale": 0.2, "weight": 1.0},
        },
    )


def evidence(scores: Scores) -> dict[str, str]:
    decision, _ = decide(scores, Arc(customer_turns=1), Context(now=NOW), DecisionState(), params())
    return {r.code: f"{r.label}: {r.evidence}" for r in decision.reasons}


@pytest.mark.parametrize(
    ("area", "words"),
    [
        ("billing", "a billing question"),
        ("account", "an account question"),
        ("technical", "a technical problem"),
        ("cancellation", "a cancellation request"),
        ("security", "a security question"),  # a team's own product area
    ],
)
def test_an_unsure_intent_is_named_by_its_product_area(area: str, words: str) -> None:
    shown = evidence(
        Scores(intent="lost_or_stolen_phone", intent_confidence=0.19, product_area=area, complexity=0.7)
    )
    assert shown["intent_unclear"] == f"Request unclear: looks like {words}"
    assert shown["complex_request"] == f"Complex request: complexity 0.70 ({words})"
    assert not any("lost_or_stolen_phone" in text for text in shown.values())


def test_an_out_of_scope_message_has_no_clear_topic() -> None:
    shown = evidence(
        Scores(
            intent="data_export", intent_confidence=0.2, out_of_scope=True, product_area=None, complexity=0.6
        )
    )
    assert shown["intent_unclear"] == "Request unclear: no clear topic"
    assert shown["complex_request"] == "Complex request: complexity 0.60 (no clear topic)"
