"""The packet's entities against a hand-labelled set: `events/labelled/handoff_entities.jsonl`.

75 support conversations (customer, bot and some agent turns; English, German, French, Spanish, Portuguese,
Dutch, Italian), each with the entities a human expects from the customer's messages up to the escalating one
(kind, value as typed, the message's seq). 1-60 were written before the extractor; 61-75 after its first version,
aimed at formats it might miss (it found 79% of them at first). It is a development set, not a held-out one:
the extractor was fixed on the misses of both, so this test guards against regressions rather than measuring
recall on unseen text. Values follow the packet's conventions: ids without a leading `#` or the word before
them, amounts with their currency as typed, dates as typed (relative ones such as "yesterday" are not
entities), products as the team's list names them.

Recall of what the customer typed before or at the escalation must be at least 95% overall, precision at least
85%; the failure message gives both per kind, with what was missed and what was extra.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from baton.context.models import Context
from baton.events import EscalationDecided
from baton.handoff import HandoffPacket
from baton.models import BotInfo, Conversation, Customer, Reason, Role, StoredMessage
from baton.routing.packet import build_packet

ROOT = Path(__file__).resolve().parents[3]
LABELLED = ROOT / "events" / "labelled" / "handoff_entities.jsonl"
NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
MIN_RECALL = 0.95
MIN_PRECISION = 0.85

Key = tuple[str, str, int]


def _cases() -> list[dict[str, Any]]:
    return [json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines() if line.strip()]


def _normal(value: str) -> str:
    return " ".join(value.casefold().lstrip("#").split())


def _packet(case: dict[str, Any]) -> HandoffPacket:
    """The case as Baton would hold it: stored messages, a plain trail, an escalation at its escalating seq."""
    cid = case["id"]
    customer = Customer(id="cust", account_id="acct")
    messages = [
        StoredMessage(
            conversation_id=cid,
            message_id=f"{cid}-m{m['seq']}",
            seq=m["seq"],
            role=Role(m["role"]),
            text=m["text"],
            sent_at=NOW - timedelta(minutes=100 - m["seq"]),
            received_at=NOW - timedelta(minutes=100 - m["seq"]),
            customer=customer,
            bot=BotInfo(confidence=0.6) if m["role"] == "bot" else None,
        )
        for m in case["messages"]
    ]
    trail = [
        {
            "seq": m.seq,
            "message_id": m.message_id,
            "sentiment": -0.1 * i,
            "frustration": min(1.0, 0.2 * i),
            "intent": None,
            "signals": [],
        }
        for i, m in enumerate(m for m in messages if m.role == Role.customer)
    ]
    seq = case["escalated_seq"]
    conversation = Conversation(
        conversation_id=cid, customer=customer, created_at=NOW, updated_at=NOW, messages=messages, trail=trail
    )
    escalation = EscalationDecided(
        event_id=f"{cid}-e",
        conversation_id=cid,
        seq=seq,
        message_id=f"{cid}-m{seq}",
        action="escalate",
        risk=0.9,
        reasons=[Reason(code="frustration", label="Frustration", contribution=1.0, evidence="0.9")],
        model_version="test",
        decided_at=NOW,
    )
    return build_packet(conversation, escalation, Context(now=NOW), now=NOW, products=case["products"])


@pytest.fixture(scope="module")
def scored() -> tuple[set[tuple[str, Key]], set[tuple[str, Key]], list[HandoffPacket]]:
    """(expected, found) as (case id, (kind, normal value, seq)), and the packets."""
    expected, found, packets = set(), set(), []
    for case in _cases():
        packet = _packet(case)
        packets.append(packet)
        expected |= {(case["id"], (e["kind"], _normal(e["value"]), e["seq"])) for e in case["entities"]}
        found |= {(case["id"], (e.kind, _normal(e.value), e.seq)) for e in packet.entities}
    return expected, found, packets


def _report(expected: set[tuple[str, Key]], found: set[tuple[str, Key]]) -> str:
    kinds = sorted({k for _, (k, _, _) in expected | found})
    want, got = Counter(k for _, (k, _, _) in expected), Counter(k for _, (k, _, _) in found)
    hit = Counter(k for _, (k, _, _) in expected & found)
    rows = [f"{'kind':<11} {'recall':>14} {'precision':>14}"]
    for kind in kinds:
        recall = f"{hit[kind]}/{want[kind]}" + (f" {hit[kind] / want[kind]:.0%}" if want[kind] else "")
        precision = f"{hit[kind]}/{got[kind]}" + (f" {hit[kind] / got[kind]:.0%}" if got[kind] else "")
        rows.append(f"{kind:<11} {recall:>14} {precision:>14}")
    missed = sorted(expected - found)
    extra = sorted(found - expected)
    rows.append(f"missed: {missed[:25]}")
    rows.append(f"extra: {extra[:25]}")
    return "\n".join(rows)


def test_the_labelled_set_is_large_and_varied_enough_to_mean_something() -> None:
    cases = _cases()
    kinds = Counter(e["kind"] for case in cases for e in case["entities"])
    assert len(cases) >= 50
    assert {
        "order_id",
        "invoice_id",
        "ticket_id",
        "amount",
        "date",
        "error_code",
        "product",
        "email",
        "phone",
    } <= set(kinds)
    assert sum(kinds.values()) >= 120


def test_recall_of_what_the_customer_typed_before_the_escalation(scored: Any) -> None:
    expected, found, _ = scored
    recall = len(expected & found) / len(expected)
    assert recall >= MIN_RECALL, f"recall {recall:.1%} < {MIN_RECALL:.0%}\n{_report(expected, found)}"


def test_precision_of_the_entities_found(scored: Any) -> None:
    expected, found, _ = scored
    precision = len(expected & found) / len(found)
    assert precision >= MIN_PRECISION, (
        f"precision {precision:.1%} < {MIN_PRECISION:.0%}\n{_report(expected, found)}"
    )


def test_nothing_is_read_from_bot_or_agent_turns_or_after_the_escalation(scored: Any) -> None:
    _, _, packets = scored
    for case, packet in zip(_cases(), packets, strict=True):
        customer_seqs = {m["seq"] for m in case["messages"] if m["role"] == "customer"}
        for entity in packet.entities:
            assert entity.seq in customer_seqs and entity.seq <= case["escalated_seq"], (case["id"], entity)


def test_each_entity_is_reported_once_at_its_first_mention(scored: Any) -> None:
    _, _, packets = scored
    for packet in packets:
        keys = [(e.kind, _normal(e.value)) for e in packet.entities]
        assert len(keys) == len(set(keys)), packet.conversation_id
        assert [e.seq for e in packet.entities] == sorted(e.seq for e in packet.entities)


HELD_OUT = ROOT / "events" / "labelled" / "handoff_entities_test.jsonl"
"""Written by an author who never saw the extractor or the development set; never tuned on."""


def _held_out_scores() -> tuple[float, float, str]:
    cases = [json.loads(line) for line in HELD_OUT.read_text(encoding="utf-8").splitlines() if line.strip()]
    expected: set[tuple[str, Key]] = set()
    found: set[tuple[str, Key]] = set()
    for case in cases:
        packet = _packet(case)
        expected |= {(case["id"], (e["kind"], _normal(e["value"]), e["seq"])) for e in case["entities"]}
        found |= {(case["id"], (e.kind, _normal(e.value), e.seq)) for e in packet.entities}
    hit = expected & found
    return len(hit) / len(expected), len(hit) / len(found), _report(expected, found)


def test_the_held_out_set_keeps_its_measured_recall_and_precision() -> None:
    """Measured 2026-12-06: recall 199/212 (93.9%), precision 199/205 (97.1%). A regression floor."""
    recall, precision, report = _held_out_scores()
    assert recall >= 0.93 and precision >= 0.95, report


@pytest.mark.xfail(
    strict=True,
    reason="held-out recall 0.939 < 0.95: amounts with a space or apostrophe as "
    "thousands separator, codes like `SIP 503`, `SQLSTATE 23505`, ids like `KC-10045`",
)
def test_the_held_out_recall_meets_the_target() -> None:
    recall, _, report = _held_out_scores()
    assert recall >= MIN_RECALL, report
