"""An escalation keeps its cause visible: every later decision carries `escalated_because`."""

from __future__ import annotations

from datetime import UTC, datetime

from decision_params import risk_is_frustration

from baton.context.models import Context
from baton.decision.engine import DecisionState, decide
from baton.decision.params import DecisionParams
from baton.decision.service import REDACTED_EVIDENCE, forgetting
from baton.events import Arc, Scores

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def params() -> DecisionParams:
    return risk_is_frustration()


def test_later_decisions_carry_the_escalating_seq_and_reasons() -> None:
    p, state, out = params(), DecisionState(), []
    for seq, (frustration, text) in enumerate(
        [(0.1, "hi"), (0.9, "this is useless"), (0.1, "ok"), (0.1, "fine")], 1
    ):
        decision, state = decide(
            Scores(frustration=frustration),
            Arc(customer_turns=seq),
            Context(now=NOW),
            state,
            p,
            text=text,
            seq=seq,
        )
        out.append(decision)
    assert [d.action for d in out] == ["resolve", "escalate", "escalate", "escalate"]
    assert out[1].escalated_because is None  # the escalating decision states its reasons itself
    for later in out[2:]:
        cause = later.escalated_because
        assert cause is not None and cause.seq == 2 and cause.guardrail is None
        assert cause.risk == out[1].risk
        assert [r.code for r in cause.reasons] == [r.code for r in out[1].reasons]
        assert later.reasons[0].code == "escalated_earlier"
        event = later.event(conversation_id="c", seq=3, message_id="m3")
        assert event.escalated_because == cause


def test_a_guardrail_cause_is_named_and_its_quote_forgotten_on_redaction() -> None:
    p, state = params(), DecisionState()
    first, state = decide(
        Scores(frustration=0.1, asks_for_human=True),
        Arc(customer_turns=1),
        Context(now=NOW),
        state,
        p,
        text="get me a human",
        seq=1,
    )
    assert first.action == "escalate" and first.guardrail == "human_requested"
    state = state.model_copy(update={"escalated_message_id": "m1"})
    later, state = decide(
        Scores(frustration=0.1), Arc(customer_turns=2), Context(now=NOW), state, p, text="hello?", seq=2
    )
    assert later.escalated_because is not None and later.escalated_because.guardrail == "human_requested"
    assert "asked for a human" in later.reasons[0].evidence

    legal = DecisionState(
        mode="escalate",
        escalated_seq=1,
        escalated_by="legal_threat",
        escalated_message_id="m1",
        escalated_reasons=[
            {
                "code": "legal_threat",
                "label": "Legal threat",
                "contribution": 1.0,
                "evidence": 'says "my lawyer"',
            }
        ],
    )
    event = decide(
        Scores(frustration=0.1), Arc(customer_turns=2), Context(now=NOW), legal, p, text="hm", seq=2
    )[0].event(conversation_id="c", seq=2, message_id="m2")
    assert "my lawyer" in event.escalated_because.reasons[0].evidence
    scrubbed_state, scrubbed_event = forgetting(legal, event, {"m1": NOW})
    assert scrubbed_state.escalated_reasons[0].evidence == REDACTED_EVIDENCE
    assert scrubbed_event.escalated_because.reasons[0].evidence == REDACTED_EVIDENCE
