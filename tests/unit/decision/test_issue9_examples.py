"""The examples the support-calibration issue quotes, pinned: calm support wording is calm, and what a support
lead escalates first is escalated with its reason. Symptoms, not the evaluation: the models were not tuned on
these sentences (the evaluation sets are events/labelled/, the model cards report them)."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from baton.decision.params import load_default
from baton.scoring.backtest import run
from baton.scoring.loader import load_models
from baton.scoring.scorer import Scorer

ROOT = Path(__file__).resolve().parents[3]
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
KEY_ACCOUNT = {
    "id": "acct-key",
    "plan": "enterprise",
    "annual_value": 250000,
    "renewal_date": (NOW + timedelta(days=12)).date().isoformat(),
    "signup_date": "2022-01-10",
    "health": "at_risk",
    "segment": "enterprise",
}
FRUSTRATION_CODES = {
    "peak_frustration",
    "frustration",
    "frustration_trend",
    "sentiment_level",
    "message_negativity",
}

CALM = [
    "I'm sorry, but I don't remember my user ID at the moment.",
    "Hi! Quick question: our November invoice shows 124 seats but I think we only have 120. Could you explain "
    "the difference?",
    "Sorry, I meant the October invoice, not September. Could you send that one instead?",
    "Can you resend the invoice for October please? Thanks.",
]
THREATS = {
    "I want to cancel my subscription and get a refund now.": "cancellation_refund",
    "I'm going to report you to my bank and dispute the charge.": "payment_dispute",
    "After yesterday's update all our projects from last month are gone.": "data_loss",
    "Two weeks without an answer on my refund. If I don't hear back today I'll post all of this on Twitter.": (
        "public_complaint"
    ),
}


@pytest.fixture(scope="module")
def scorer() -> Scorer:
    return Scorer(load_models())


def backtest(scorer: Scorer, lines: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    sink = io.StringIO()
    stats = run(
        scorer, io.StringIO("".join(json.dumps(x) + "\n" for x in lines)), sink, params=load_default()
    )
    assert stats.bad_lines == 0
    rows: dict[str, list[dict[str, Any]]] = {}
    for line in sink.getvalue().splitlines():
        row = json.loads(line)
        rows.setdefault(row["conversation_id"], []).append(row)
    return rows


def one_message(i: int, text: str, account: dict[str, Any] | None = None) -> dict[str, Any]:
    line: dict[str, Any] = {
        "conversation_id": f"c-{i}",
        "now": NOW.isoformat(),
        "customer": {"id": f"cust-{i}", "account_id": account["id"] if account else f"acct-{i}"},
        "messages": [{"role": "customer", "text": text, "sent_at": (NOW - timedelta(minutes=1)).isoformat()}],
    }
    if account:
        line["account"] = account
    return line


@pytest.mark.parametrize("text", CALM)
def test_calm_support_wording_reads_calm(scorer: Scorer, text: str) -> None:
    (scores,) = [s for s, _ in scorer.score_batch([(scorer_state(), [snapshot(text)])])[0]]
    assert scores.frustration is not None and scores.frustration < 0.35, scores
    assert scores.sentiment is not None and scores.sentiment > -0.35, scores


@pytest.mark.parametrize("account", [None, KEY_ACCOUNT], ids=["plain", "key-account-renewing-at-risk"])
def test_calm_first_messages_are_resolved_without_frustration_reasons(
    scorer: Scorer, account: dict[str, Any] | None
) -> None:
    rows = backtest(scorer, [one_message(i, text, account) for i, text in enumerate(CALM)])
    for i, text in enumerate(CALM):
        (row,) = rows[f"c-{i}"]
        decision = row["decision"]
        assert decision["action"] == "resolve", (text, decision)
        assert not FRUSTRATION_CODES & {r["code"] for r in decision["reasons"]}, (text, decision["reasons"])


@pytest.mark.parametrize("text", list(THREATS))
def test_what_a_support_lead_escalates_first_escalates_with_its_reason(scorer: Scorer, text: str) -> None:
    (row,) = backtest(scorer, [one_message(0, text)])["c-0"]
    decision = row["decision"]
    assert decision["action"] == "escalate", decision
    assert decision["guardrail"] == THREATS[text]
    assert decision["reasons"][0]["code"] == THREATS[text]


def test_the_calm_demo_conversations_end_resolved_without_frustration_reasons(scorer: Scorer) -> None:
    demo = ROOT / "events" / "demo"
    accounts = {a["id"]: a for a in map(json.loads, (demo / "accounts.jsonl").read_text().splitlines()) if a}
    conversations = [
        json.loads(line) for line in (demo / "conversations.jsonl").read_text().splitlines() if line
    ]
    calm = [
        c for c in conversations if c["conversation_id"] in {"demo-billing-calm", "demo-cancellation-policy"}
    ]
    assert len(calm) == 2
    lines = []
    for c in calm:
        line = {k: v for k, v in c.items() if k != "scenario"}
        line["account"] = accounts[c["customer"]["account_id"]]
        lines.append(line)
    rows = backtest(scorer, lines)
    for c in calm:
        decided = [r["decision"] for r in rows[c["conversation_id"]] if r["decision"].get("decided", True)]
        assert decided[-1]["action"] == "resolve", (c["conversation_id"], decided)
        for d in decided:
            assert d["action"] != "escalate"
            assert not FRUSTRATION_CODES & {r["code"] for r in d["reasons"]}, (
                c["conversation_id"],
                d["reasons"],
            )


def scorer_state() -> Any:
    from baton.scoring.arc import ArcState

    return ArcState()


def snapshot(text: str) -> Any:
    from baton.events import MessageSnapshot
    from baton.models import Customer, Role, Source

    return MessageSnapshot(
        message_id="m-1",
        seq=1,
        role=Role.customer,
        text=text,
        sent_at=NOW,
        received_at=NOW,
        source=Source.api,
        customer=Customer(id="c", account_id="a"),
    )


def test_each_threat_of_the_demo_escalates_with_its_reason(scorer: Scorer) -> None:
    demo = ROOT / "events" / "demo"
    accounts = {a["id"]: a for a in map(json.loads, (demo / "accounts.jsonl").read_text().splitlines()) if a}
    conversations = [
        json.loads(line) for line in (demo / "conversations.jsonl").read_text().splitlines() if line
    ]
    threats = [c for c in conversations if c.get("expect", {}).get("guardrail")]
    assert {c["expect"]["guardrail"] for c in threats} == set(THREATS.values()) | {
        "competitor_switch",
        "account_compromise",
        "team_blocked",
        "repeated_contact",
    }
    lines = [
        {"conversation_id": c["conversation_id"], "customer": c["customer"], "messages": c["messages"]}
        | {"account": accounts[c["customer"]["account_id"]]}
        for c in threats
    ]
    rows = backtest(scorer, lines)
    for c in threats:
        decision = rows[c["conversation_id"]][-1]["decision"]
        assert decision["action"] == "escalate", (c["conversation_id"], decision)
        assert decision["guardrail"] == c["expect"]["guardrail"]
        assert decision["reasons"][0]["code"] == c["expect"]["guardrail"]
