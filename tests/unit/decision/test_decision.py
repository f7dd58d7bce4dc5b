"""The decision engine: policy and hysteresis, guardrails, business sensitivity, reasons, parameters."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from decision_params import risk_is_frustration

from baton.context.models import Account, Context, HistoryItem, Incident
from baton.decision.engine import FEATURES, Decision, DecisionState, OutOfOrderDecision, decide
from baton.decision.params import DecisionParams, InvalidParams, load_default
from baton.events import Arc, EscalationDecided, Scores

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def make_params(**overrides: Any) -> DecisionParams:
    """Risk == the message's frustration (one feature, logit in, sigmoid out), round thresholds."""
    return risk_is_frustration(**overrides)


def run(
    risks: list[float],
    params: DecisionParams | None = None,
    context: Context | None = None,
    texts: list[str] | None = None,
) -> list[Decision]:
    params = params or make_params()
    context = context or Context(now=NOW)
    state = DecisionState()
    out = []
    for i, risk in enumerate(risks):
        text = texts[i] if texts else "ok"
        decision, state = decide(
            Scores(frustration=risk), Arc(customer_turns=i + 1), context, state, params, text=text
        )
        out.append(decision)
    return out


def actions(decisions: list[Decision]) -> list[str]:
    return [d.action for d in decisions]


# ---------------------------------------------------------------------------------------------- policy


def test_risk_is_calibrated_probability_of_the_model() -> None:
    (decision,) = run([0.33])
    assert decision.risk == pytest.approx(0.33, abs=1e-4)


def test_resolve_monitor_escalate_by_threshold() -> None:
    assert actions(run([0.1])) == ["resolve"]
    assert actions(run([0.5])) == ["monitor"]
    assert actions(run([0.8])) == ["escalate"]


def test_an_angry_first_message_is_watched_and_escalates_if_the_anger_stands() -> None:
    """An angry opening the bot then answers well was the commonest false escalation in all four labelled
    conversation sets (docs/decision.md): the first message's risk alone only monitors; a guardrail still
    escalates at once, and a team can turn this off."""
    shipped = risk_is_frustration(
        thresholds={"escalate": 0.7, "monitor": 0.4, "monitor_escalate": 0.55, "exit": 0.2, "exit_turns": 2}
    )
    assert shipped.thresholds.first_message_escalates is False  # the default
    assert actions(run([0.8], params=shipped)) == ["monitor"]
    assert actions(run([0.8, 0.8], params=shipped)) == ["monitor", "escalate"]  # the anger stands
    assert actions(run([0.8, 0.1, 0.1], params=shipped)) == ["monitor", "monitor", "resolve"]  # won back
    assert actions(run([0.8], params=shipped, texts=["cancel it and refund me now"])) == [
        "escalate"
    ]  # guardrail
    assert actions(run([0.8])) == ["escalate"]  # first_message_escalates: true


def test_monitoring_lowers_the_escalate_threshold() -> None:
    # 0.6 is under `escalate` (0.7) but over `monitor_escalate` (0.55): it escalates only once monitoring.
    assert actions(run([0.6])) == ["monitor"]
    assert actions(run([0.45, 0.6])) == ["monitor", "escalate"]
    (first, second) = run([0.45, 0.6])
    assert first.thresholds.escalate == pytest.approx(0.7)
    assert second.previous == "monitor"


def test_oscillating_risk_does_not_flap() -> None:
    risks = [0.45, 0.3, 0.45, 0.3, 0.45, 0.3, 0.45, 0.3]  # around `monitor` (0.4), never under `exit` (0.2)
    decisions = run(risks)
    assert actions(decisions) == ["monitor"] * len(risks)
    assert sum(d.changed for d in decisions) == 1


def test_monitoring_ends_after_exit_turns_below_exit() -> None:
    assert actions(run([0.45, 0.1, 0.1, 0.1])) == ["monitor", "monitor", "resolve", "resolve"]
    # A turn back above `exit` restarts the count.
    assert actions(run([0.45, 0.1, 0.3, 0.1, 0.1])) == ["monitor", "monitor", "monitor", "monitor", "resolve"]


def test_escalation_is_sticky_and_says_why() -> None:
    decisions = run([0.9, 0.01, 0.01])
    assert actions(decisions) == ["escalate", "escalate", "escalate"]
    assert decisions[1].reasons[0].code == "escalated_earlier"
    # The evidence names what escalated it, so the cause stays readable on every later decision.
    assert decisions[1].reasons[0].evidence == f"at message 1 ({decisions[0].reasons[0].label.lower()})"
    assert decisions[2].escalated_because is not None and decisions[2].escalated_because.seq == 1


def test_decide_is_pure_and_state_round_trips_as_json() -> None:
    params = make_params()
    state = DecisionState()
    _, after = decide(Scores(frustration=0.5), Arc(customer_turns=1), Context(now=NOW), state, params, seq=3)
    assert state == DecisionState()
    stored = json.loads(json.dumps(after.model_dump(mode="json")))
    restored = DecisionState.model_validate({**stored, "a_future_field": 1})
    assert restored == after
    assert restored.mode == "monitor"
    assert restored.last_seq == 3


def test_out_of_order_message_is_refused() -> None:
    params = make_params()
    _, state = decide(Scores(frustration=0.1), Arc(), Context(now=NOW), DecisionState(), params, seq=5)
    with pytest.raises(OutOfOrderDecision, match="seq 4 is not after the last decided seq 5"):
        decide(Scores(frustration=0.1), Arc(), Context(now=NOW), state, params, seq=4)


# ---------------------------------------------------------------------------------------------- guardrails


@pytest.mark.parametrize(
    ("text", "guardrail"),
    [
        ("If this isn't fixed by Friday my lawyer will be in touch.", "legal_threat"),
        ("I am filing a GDPR complaint about this.", "legal_threat"),
        ("We will sue you for the lost revenue", "legal_threat"),
        ("I think my account was hacked, there are logins from Brazil", "account_compromise"),
        ("Is this a data breach? Our customer list is public", "security_incident"),
        ("honestly I want to kill myself, nothing works", "safety_risk"),
    ],
)
def test_guardrails_escalate_whatever_the_risk_and_are_reported(text: str, guardrail: str) -> None:
    (decision,) = run([0.01], texts=[text])
    assert decision.action == "escalate"
    assert decision.guardrail == guardrail
    assert decision.reasons[0].code == guardrail
    assert decision.reasons[0].contribution == 1.0
    assert decision.reasons[0].evidence.startswith('says "')


def test_asking_for_a_human_is_a_guardrail() -> None:
    params = make_params()
    decision, state = decide(
        Scores(frustration=0.05, asks_for_human=True),
        Arc(customer_turns=1),
        Context(now=NOW),
        DecisionState(),
        params,
    )
    assert (decision.action, decision.guardrail) == ("escalate", "human_requested")
    assert state.escalated_by == "human_requested"


@pytest.mark.parametrize(
    "text",
    [
        "Where can I download the legal terms of the plan?",
        "Can Sue from finance get access to invoices?",
        "How do I reset my password?",
        "Thanks, that fixed it!",
    ],
)
def test_ordinary_messages_trip_no_guardrail(text: str) -> None:
    (decision,) = run([0.05], texts=[text])
    assert (decision.action, decision.guardrail) == ("resolve", None)


def test_guardrail_patterns_are_data() -> None:
    params = make_params(guardrails={"patterns": {"legal_threat": [r"\bmy attorney\b"]}})
    (decision,) = run([0.05], params=params, texts=["My attorney has the file"])
    assert decision.guardrail == "legal_threat"
    (decision,) = run([0.05], params=params, texts=["My lawyer has the file"])  # not in this team's list
    assert decision.guardrail is None


# ---------------------------------------------------------------------------------------------- business context


def valuable(**account: Any) -> Context:
    base = {"id": "acct-1", "annual_value": 120_000, "renewal_date": (NOW + timedelta(days=12)).date()}
    return Context(account=Account.model_validate({**base, **account}), now=NOW)


def test_business_context_changes_sensitivity_not_risk() -> None:
    plain = run([0.6])[0]
    important = run([0.6], context=valuable())[0]
    assert important.risk == plain.risk
    assert plain.action == "monitor"
    assert important.action == "escalate"
    # high value (0.8) x renewal soon (0.8) = 0.64, held at the floor: facts do not compound without limit
    assert important.thresholds.sensitivity == pytest.approx(0.75)
    assert important.thresholds.escalate == pytest.approx(0.7 * 0.75)
    codes = {r.code: r for r in important.reasons}
    assert codes["renewal_soon"].evidence == "renews in 12 days"
    assert codes["high_value"].evidence == "annual value 120,000"


def test_sensitivity_never_goes_below_the_floor() -> None:
    context = valuable(health="churning", signup_date=(NOW - timedelta(days=3)).date())
    (decision,) = run([0.1], context=context)
    assert decision.thresholds.sensitivity == pytest.approx(0.75)
    codes = {r.code: r.evidence for r in decision.reasons}
    assert codes["new_customer"] == "signed up 3 days ago"
    assert codes["account_churning"] == "CRM health: churning"


def test_renewal_long_past_or_far_away_does_not_count() -> None:
    for renewal in (NOW - timedelta(days=2), NOW + timedelta(days=45)):
        context = Context(account=Account(id="a", renewal_date=renewal.date()), now=NOW)
        (decision,) = run([0.6], context=context)
        assert decision.thresholds.sensitivity == 1.0


def test_known_incident_is_reported_for_the_agent() -> None:
    incident = Incident(
        id="INC-42", title="Checkout failures", product_area="billing", keywords=["checkout"], eta="15:00 UTC"
    )
    context = Context(incidents=[incident], now=NOW)
    (decision,) = run([0.3], context=context, texts=["The checkout page keeps failing on my card"])
    assert [(m.id, m.eta, m.matched_on) for m in decision.incidents] == [("INC-42", "15:00 UTC", "keyword")]
    reason = next(r for r in decision.reasons if r.code == "known_incident")
    assert reason.evidence == "INC-42 Checkout failures (ETA 15:00 UTC)"
    event = decision.event(conversation_id="c-1", seq=4, message_id="m-4")
    assert isinstance(event, EscalationDecided)
    assert event.model_dump()["incidents"][0]["id"] == "INC-42"


def test_an_incident_stays_on_the_conversation_while_it_is_active() -> None:
    """The agent reads the latest decision: an incident the first message matched must still be there when
    the customer's next message no longer names it, and go once the incident is resolved."""
    incident = Incident(id="INC-42", title="Checkout failures", keywords=["checkout"], eta="15:00 UTC")
    other = Incident(id="INC-7", title="Slow exports", keywords=["export"])
    texts = [
        "The checkout page keeps failing",
        "Still nothing, what should I do?",
        "and my export is slow too",
    ]
    first, second, third = run(
        [0.3, 0.3, 0.3], context=Context(incidents=[incident, other], now=NOW), texts=texts
    )
    assert [(m.id, m.matched_on) for m in first.incidents] == [("INC-42", "keyword")]
    assert [(m.id, m.matched_on, m.eta) for m in second.incidents] == [
        ("INC-42", "conversation", "15:00 UTC")
    ]
    # Listed for the agent, but only an incident this message matches lowers the thresholds.
    assert second.thresholds.sensitivity == 1.0 and first.thresholds.sensitivity == pytest.approx(0.9)
    assert not any(r.code == "known_incident" for r in second.reasons)
    assert [(m.id, m.matched_on) for m in third.incidents] == [
        ("INC-7", "keyword"),
        ("INC-42", "conversation"),
    ]

    resolved = incident.model_copy(update={"status": "resolved"})
    state = DecisionState()
    for i, (text, incidents) in enumerate([(texts[0], [incident]), (texts[1], [resolved])]):
        decision, state = decide(
            Scores(frustration=0.3),
            Arc(customer_turns=i + 1),
            Context(incidents=incidents, now=NOW),
            state,
            make_params(),
            text=text,
        )
    assert decision.incidents == [] and state.incidents == ["INC-42"]


def test_repeat_contact_on_the_same_intent_raises_the_risk() -> None:
    params = make_params(
        features={
            "frustration": {"mean": 0.0, "scale": 1.0, "weight": 1.0},
            "repeat_contact": {"mean": 0.0, "scale": 1.0, "weight": 1.0},
        }
    )
    recent = HistoryItem(
        conversation_id="old-1", intent="refund", closed_at=NOW - timedelta(days=3), outcome="unresolved"
    )
    stale = HistoryItem(conversation_id="old-0", intent="refund", closed_at=NOW - timedelta(days=40))
    scores = Scores(frustration=0.3, intent="refund", intent_confidence=0.9, out_of_scope=False)
    first, _ = decide(
        scores, Arc(customer_turns=1), Context(history=[stale], now=NOW), DecisionState(), params
    )
    again, _ = decide(
        scores, Arc(customer_turns=1), Context(history=[recent, stale], now=NOW), DecisionState(), params
    )
    assert first.risk == pytest.approx(0.3, abs=1e-4)
    assert again.risk > first.risk
    reason = next(r for r in again.reasons if r.code == "repeat_contact")
    assert reason.evidence == "1 earlier conversation about refund (last 3 days ago, unresolved)"


# ---------------------------------------------------------------------------------------------- reasons


def test_reasons_are_sorted_and_readable() -> None:
    params = make_params(
        features={
            "frustration": {"mean": 0.0, "scale": 1.0, "weight": 0.5},
            "sentiment_decline": {"mean": 0.0, "scale": 0.05, "weight": 1.0},
            "rephrasings": {"mean": 0.0, "scale": 1.0, "weight": 0.8},
        }
    )
    arc = Arc(customer_turns=5, sentiment_slope=-0.15, rephrasings=2)
    scores = Scores(frustration=0.8)
    decision, _ = decide(scores, arc, valuable(), DecisionState(), params)
    contributions = [r.contribution for r in decision.reasons]
    assert contributions == sorted(contributions, reverse=True)
    assert sum(contributions) == pytest.approx(1.0, abs=0.01)
    by_code = {r.code: r for r in decision.reasons}
    assert by_code["sentiment_declining"].evidence == "-0.6 over 4 turns"
    assert by_code["sentiment_declining"].label == "Sentiment declining"
    assert by_code["customer_rephrasing"].evidence == "rephrased a question 2 times"
    assert by_code["frustrated"].evidence == "frustration 0.80 on this message"
    assert decision.reasons[0].code == "sentiment_declining"  # 3 units of logit: the biggest push


def test_a_first_message_is_not_called_sustained_frustration() -> None:
    params = make_params(features={"frustration_trend": {"mean": 0.0, "scale": 1.0, "weight": 1.0}})
    state = DecisionState()
    labels = []
    for turn in (1, 2):
        decision, state = decide(
            Scores(frustration=0.9), Arc(customer_turns=turn), Context(now=NOW), state, params
        )
        (reason,) = [r for r in decision.reasons if r.code == "frustration_sustained"]
        labels.append((reason.label, reason.evidence))
    assert labels == [
        ("Frustrated from the start", "0.90 on the first message"),
        ("Frustration sustained", "averaging 0.90 over recent turns"),
    ]


def test_a_negative_weight_moves_the_risk_but_is_never_a_reason() -> None:
    params = make_params(
        features={
            "frustration": {"mean": 0.0, "scale": 1.0, "weight": 1.0},
            "rephrasings": {"mean": 1.0, "scale": 1.0, "weight": -0.5},
        }
    )
    decision, _ = decide(
        Scores(frustration=0.6),
        Arc(customer_turns=1, rephrasings=0),
        Context(now=NOW),
        DecisionState(),
        params,
    )
    assert (
        decision.risk > 0.6
    )  # "0 rephrasings" is half a unit under the mean: pushed up by the negative weight
    assert [r.code for r in decision.reasons] == ["frustrated"]


def test_a_calm_message_has_no_reasons() -> None:
    (decision,) = run([0.1])
    assert decision.reasons == []


def test_every_feature_has_a_reason_code() -> None:
    assert len({f.code for f in FEATURES.values()}) == len(FEATURES)


# ---------------------------------------------------------------------------------------------- parameters


def test_params_validation_names_the_field() -> None:
    good = make_params().model_dump(mode="json")
    with pytest.raises(InvalidParams, match=r"features: .*unknown feature\(s\) \['anger'\]"):
        DecisionParams.model_validate_json(json.dumps({**good, "features": {"anger": {"weight": 1.0}}}))
    bad_order = {**good, "thresholds": {**good["thresholds"], "monitor": 0.9}}
    with pytest.raises(InvalidParams, match=r"thresholds: .*monitor <= monitor_escalate <= escalate"):
        DecisionParams.model_validate_json(json.dumps(bad_order))
    with pytest.raises(InvalidParams, match=r"thresholds.escalate: Input should be less than 1"):
        DecisionParams.model_validate_json(
            json.dumps({**good, "thresholds": {**good["thresholds"], "escalate": 1.5}})
        )
    with pytest.raises(
        InvalidParams, match=r"legal_threat\[0\] '\(unclosed' is not a valid regular expression"
    ):
        DecisionParams.model_validate_json(
            json.dumps({**good, "guardrails": {"patterns": {"legal_threat": ["(unclosed"]}}})
        )
    with pytest.raises(InvalidParams, match=r"version: Field required"):
        DecisionParams.model_validate_json(json.dumps({k: v for k, v in good.items() if k != "version"}))
    with pytest.raises(
        InvalidParams, match=r"sensitivity.high_value: Input should be less than or equal to 1"
    ):
        DecisionParams.model_validate_json(json.dumps({**good, "sensitivity": {"high_value": 1.5}}))
    with pytest.raises(InvalidParams, match=r"document: Invalid JSON"):
        DecisionParams.model_validate_json("{not json")


def test_shipped_params_load_and_rank_an_angry_turn_above_a_calm_one() -> None:
    params = load_default()
    assert params.version.startswith("decision-")
    assert set(params.features) <= set(FEATURES)
    t = params.thresholds
    assert t.exit <= t.monitor <= t.monitor_escalate <= t.escalate
    calm, _ = decide(
        Scores(sentiment=0.4, frustration=0.05, intent_confidence=0.9, out_of_scope=False, complexity=0.2),
        Arc(sentiment_ewma=0.4, customer_turns=1, turns_since_positive=0, peak_frustration=0.05),
        Context(now=NOW),
        DecisionState(),
        params,
        text="Thanks, that is exactly what I needed.",
    )
    angry, _ = decide(
        Scores(sentiment=-0.8, frustration=0.95, intent_confidence=0.3, out_of_scope=False, complexity=0.6),
        Arc(
            sentiment_ewma=-0.6,
            sentiment_slope=-0.3,
            volatility=0.2,
            customer_turns=5,
            turns_since_positive=4,
            peak_frustration=0.95,
            negative_feedback=2,
            bot_failures=2,
        ),
        Context(now=NOW),
        DecisionState(),
        params,
        text="This is the third time I ask and it still does not work.",
    )
    assert calm.action == "resolve"
    assert angry.risk > calm.risk
    assert angry.action in ("monitor", "escalate")
    assert angry.model_version == params.version


def test_account_dates_accept_crm_timestamps() -> None:
    account = Account.model_validate(
        {"id": "a", "renewal_date": "2026-03-14T00:00:00Z", "annual_value": "5000"}
    )
    assert account.renewal_date == date(2026, 3, 14)
    assert account.annual_value == 5000.0


def test_the_deployable_document_is_the_engines_part_compact_and_fits_a_parameter() -> None:
    from baton.decision.params import SSM_MAX_BYTES, default_path, deployable

    full = default_path().read_text(encoding="utf-8")
    value = deployable(full)
    assert "\n" not in value and "fit" not in json.loads(value)
    assert len(value.encode()) <= SSM_MAX_BYTES
    # Everything the engine reads survives: same decisions, same version.
    assert DecisionParams.model_validate_json(value) == load_default().model_copy(update={"fit": {}})


def test_a_document_too_big_for_a_parameter_is_refused_by_size() -> None:
    from baton.decision.params import default_path, deployable

    document = json.loads(default_path().read_text(encoding="utf-8"))
    document["guardrails"]["patterns"]["legal_threat"] = [rf"\bclause{i:05d}\b" for i in range(800)]
    with pytest.raises(InvalidParams, match=r"bytes without their fit block, over the 8192"):
        deployable(json.dumps(document))
    document = json.loads(default_path().read_text(encoding="utf-8"))
    document["thresholds"]["escalate"] = 2
    with pytest.raises(InvalidParams, match=r"thresholds\.escalate"):
        deployable(json.dumps(document))
