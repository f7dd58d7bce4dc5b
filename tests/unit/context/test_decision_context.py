"""Business context: validation, derived facts, incident matching; and the dialogue-level cost metric."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import ValidationError

from baton.context.models import (
    Activity,
    Context,
    ErrorSeen,
    HistoryItem,
    Incident,
    business_facts,
    match_incidents,
)
from baton.decision.metrics import Outcome, evaluate

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)

CHECKOUT = Incident(
    id="INC-42",
    title="Checkout failures",
    product_area="billing",
    intents=["payment_failed"],
    keywords=["checkout", "card declined"],
    eta="15:00 UTC",
)
SSO = Incident(id="INC-7", title="SSO login loop", product_area="auth", keywords=["sso"], status="resolved")


def test_keyword_match_is_word_bounded_and_folded() -> None:
    assert [m.id for m in match_incidents([CHECKOUT], text="CHECKOUTS are broken")] == ["INC-42"]
    assert [m.detail for m in match_incidents([CHECKOUT], text="my Card   declined again")] == [
        "card declined"
    ]
    assert match_incidents([CHECKOUT], text="I want to check out the new plans") == []
    assert (
        match_incidents([Incident(id="I-1", title="Port", keywords=["port"])], text="support is slow") == []
    )


def test_intent_and_product_area_match_when_no_keyword_does() -> None:
    by_intent = match_incidents([CHECKOUT], text="it failed", intents=["payment_failed"])
    assert [(m.matched_on, m.detail) for m in by_intent] == [("intent", "payment_failed")]
    by_area = match_incidents([CHECKOUT], text="invoice question", product_area="Billing")
    assert [(m.matched_on, m.eta) for m in by_area] == [("product_area", "15:00 UTC")]


def test_resolved_incidents_do_not_match() -> None:
    assert match_incidents([SSO], text="sso keeps looping") == []


def test_errors_the_customer_saw_match_incidents_and_count() -> None:
    activity = Activity(
        page="/billing/checkout",
        errors_seen=[
            ErrorSeen(at=NOW - timedelta(minutes=5), code="PAY-502", message="Checkout service unavailable"),
            ErrorSeen(at=NOW - timedelta(days=2), message="old error"),
        ],
    )
    facts = business_facts(Context(incidents=[CHECKOUT], activity=activity, now=NOW), text="help please")
    assert facts.errors_seen == 1
    assert [m.id for m in facts.incidents] == ["INC-42"]


def test_repeat_contact_counts_same_intent_within_the_window() -> None:
    history = [
        HistoryItem(
            conversation_id="c1", intent="refund", closed_at=NOW - timedelta(days=1), outcome="unresolved"
        ),
        HistoryItem(
            conversation_id="c2", intent="Refund", closed_at=NOW - timedelta(days=5), outcome="resolved"
        ),
        HistoryItem(conversation_id="c3", intent="refund", closed_at=NOW - timedelta(days=30)),
        HistoryItem(conversation_id="c4", intent="invoice", closed_at=NOW - timedelta(days=1)),
    ]
    facts = business_facts(Context(history=history, now=NOW), intents=["refund"], repeat_contact_days=7)
    assert (facts.repeat_contacts, facts.last_contact_days, facts.last_outcome) == (2, 1, "unresolved")
    assert business_facts(Context(history=history, now=NOW), intents=["password_reset"]).repeat_contacts == 0


def test_account_facts() -> None:
    context = Context.model_validate(
        {
            "account": {
                "id": "acct-9",
                "plan": "enterprise",
                "annual_value": 80000,
                "renewal_date": "2026-03-20",
                "signup_date": "2026-02-20",
                "health": "at_risk",
                "segment": "mid-market",
                "owner": "dana",
            },
            "now": "2026-03-02T12:00:00Z",
        }
    )
    facts = business_facts(context, high_value_annual=50_000)
    assert facts.high_value and facts.renewal_soon and facts.new_customer
    assert (facts.renewal_in_days, facts.customer_for_days, facts.health) == (18, 10, "at_risk")
    assert not business_facts(context, high_value_annual=100_000).high_value


@pytest.mark.parametrize(
    ("account", "field"),
    [
        ({"id": "a", "health": "sad"}, "account.health"),
        ({"id": "a", "annual_value": True}, "account.annual_value"),
        ({"id": "a", "annual_value": -5}, "account.annual_value"),
        ({"id": "a", "renewal_date": "next week"}, "account.renewal_date"),
        ({"id": "a", "tier": "gold"}, "account.tier"),
        ({"id": "has spaces"}, "account.id"),
    ],
)
def test_bad_context_names_the_field(account: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Context.model_validate({"account": account})
    assert field in {".".join(str(p) for p in e["loc"]) for e in caught.value.errors()}


def test_incident_status_is_checked() -> None:
    with pytest.raises(ValidationError, match="status"):
        Incident.model_validate({"id": "I-1", "title": "x", "status": "investigating"})


def test_naive_timestamps_are_utc() -> None:
    item = HistoryItem.model_validate({"conversation_id": "c", "closed_at": "2026-03-01T10:00:00"})
    assert item.closed_at == datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
    assert Context.model_validate({"now": "2026-03-01T10:00:00+02:00"}).now.hour == 8
    assert date(2026, 3, 1) == item.closed_at.date()


# ---------------------------------------------------------------------------------------------- metrics


def test_cost_metric_on_hand_made_dialogues() -> None:
    outcomes = [
        Outcome(first_need=2, first_escalation=1),  # needs, escalated early: timely
        Outcome(first_need=2, first_escalation=2),  # needs, escalated on the turn: timely
        Outcome(first_need=1, first_escalation=4),  # needs, escalated late: not missed, not timely
        Outcome(first_need=0, first_escalation=None),  # needs, never escalated: missed
        Outcome(first_need=None, first_escalation=3),  # fine, escalated: false escalation
        Outcome(first_need=None, first_escalation=None),
        Outcome(first_need=None, first_escalation=None),
        Outcome(first_need=None, first_escalation=None),
    ]
    report = evaluate(outcomes)
    assert (report.needing, report.missed, report.false_escalations) == (4, 1, 1)
    assert report.cost == 3 * 1 + 1 * 1
    # Escalate all costs 4 (the dialogues that need no human), none costs 12: the best trivial is 4.
    assert (report.trivial_cost, report.trivial_policy) == (4, "escalate all")
    assert report.cost_ratio == pytest.approx(1.0)
    assert report.timeliness == pytest.approx(2 / 4)


def test_trivial_policies_score_one_and_none_is_chosen_when_few_need_help() -> None:
    needs = [Outcome(0, None)] + [Outcome(None, None)] * 9
    assert evaluate(needs).trivial_policy == "none"
    assert evaluate(needs).cost_ratio == pytest.approx(1.0)
    everyone = [Outcome(0, 0)] * 4 + [Outcome(None, 0)] * 6
    assert evaluate(everyone).cost_ratio == pytest.approx(6 / 6)
