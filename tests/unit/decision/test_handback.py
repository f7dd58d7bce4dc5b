"""After an agent hands a conversation back, the bot answers again and only a new trigger escalates: the
standing risk never bounces the customer back to a human."""

from __future__ import annotations

from datetime import UTC, datetime

from decision_params import risk_is_frustration

from baton.context.models import Context
from baton.decision.engine import DecisionState, decide, handed_back
from baton.events import Arc, Scores

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def step(state: DecisionState, seq: int, frustration: float, text: str, **scores: object):
    return decide(
        Scores(frustration=frustration, **scores),  # type: ignore[arg-type]
        Arc(customer_turns=seq),
        Context(now=NOW),
        state,
        risk_is_frustration(),
        text=text,
        seq=seq,
    )


def test_the_standing_risk_does_not_escalate_again_after_a_hand_back() -> None:
    first, state = step(DecisionState(), 1, 0.95, "this is useless, nothing works")
    assert first.action == "escalate"
    state = handed_back(state)
    assert (state.mode, state.escalated_seq, state.handed_back_seq) == ("monitor", None, 1)
    again, state = step(state, 2, 0.95, "still broken")
    assert again.action == "monitor"
    assert again.escalated_because is None and "escalated_earlier" not in [r.code for r in again.reasons]
    assert any(r.code == "handed_back" for r in again.reasons)


def test_a_new_trigger_escalates_again_with_its_own_cause() -> None:
    _, state = step(DecisionState(), 1, 0.95, "this is useless")
    state = handed_back(state)
    _, state = step(state, 2, 0.2, "ok, trying again")
    new, state = step(state, 3, 0.3, "I want to talk to a person", asks_for_human=True)
    assert (new.action, new.guardrail) == ("escalate", "human_requested")
    assert state.escalated_seq == 3  # routing sees a new escalation, and routes it again


def test_the_handover_model_does_not_bounce_a_handed_back_conversation() -> None:
    """The handover model reads the conversation so far, which a person has just handed back: only a trigger the
    message itself trips escalates again."""
    first, state = step(
        DecisionState(), 1, 0.2, "my tenancy runs until August, who can let us in?", needs_person=0.97
    )
    assert (first.action, first.guardrail) == ("escalate", "needs_person")
    state = handed_back(state)
    again, state = step(state, 2, 0.1, "ok thanks, the locksmith is here", needs_person=0.97)
    assert again.action != "escalate" and again.guardrail is None


def test_a_repeated_hand_back_changes_nothing() -> None:
    _, state = step(DecisionState(), 1, 0.95, "useless")
    once = handed_back(state)
    assert handed_back(once) == once
