"""The handoff packet: what the agent reads so the customer never repeats a word (`baton.routing.packet`)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from baton.context.models import Account, Context, HistoryItem, Incident
from baton.events import EscalationDecided, HandoffPrepared
from baton.handoff import NOTE_MAX_CHARS, SUMMARY_MAX_WORDS, HandoffPacket
from baton.models import BotInfo, Conversation, Customer, EscalationCause, Reason, Role, StoredMessage
from baton.routing.packet import (
    MAX_BOT_ATTEMPTS,
    MAX_ENTITIES,
    build_packet,
    clip,
    mask_email,
    mask_phone,
    redact_packet,
)
from baton.scoring.intent import parse_taxonomy

ROOT = Path(__file__).resolve().parents[3]
NOW = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)
TAXONOMY = parse_taxonomy(json.loads((ROOT / "layers" / "models" / "intent" / "taxonomy.json").read_text()))
CUSTOMER = Customer(id="cust-1", account_id="acct-1", language="de")

Turn = tuple[str, str] | tuple[str, str, dict[str, Any]]
"""(role, text) or (role, text, {trail point of a customer message / `confidence` of a bot message...})."""


def conversation(turns: Sequence[Turn], *, cid: str = "conv-1", redacted: Sequence[int] = ()) -> Conversation:
    messages, trail = [], []
    for seq, turn in enumerate(turns, start=1):
        role, text = turn[0], turn[1]
        extra: dict[str, Any] = dict(turn[2]) if len(turn) > 2 else {}
        sent = NOW - timedelta(minutes=len(turns) - seq)
        message = StoredMessage(
            conversation_id=cid,
            message_id=f"m{seq}",
            seq=seq,
            role=Role(role),
            text=text,
            sent_at=sent,
            received_at=sent,
            customer=CUSTOMER,
            bot=BotInfo(confidence=extra.pop("confidence", 0.9), attempt=extra.pop("attempt", None))
            if role == "bot"
            else None,
        )
        if seq in redacted:
            message = message.redacted(NOW)
        messages.append(message)
        if role == "customer":
            trail.append(
                {
                    "seq": seq,
                    "message_id": f"m{seq}",
                    "sentiment": extra.get("sentiment", 0.0),
                    "frustration": extra.get("frustration", 0.1),
                    "intent": extra.get("intent"),
                    "signals": extra.get("signals", []),
                }
            )
    return Conversation(
        conversation_id=cid,
        customer=CUSTOMER,
        created_at=NOW - timedelta(hours=1),
        updated_at=NOW,
        message_count=len(messages),
        messages=messages,
        trail=trail,
    )


def escalation(
    seq: int,
    *,
    guardrail: str | None = None,
    reasons: Sequence[Reason] = (),
    because: EscalationCause | None = None,
    risk: float = 0.9,
) -> EscalationDecided:
    return EscalationDecided(
        event_id=f"e{seq}",
        conversation_id="conv-1",
        seq=seq,
        message_id=f"m{seq}",
        action="escalate",
        risk=risk,
        guardrail=guardrail,
        reasons=list(reasons)
        or [Reason(code="frustration", label="Frustration", contribution=0.7, evidence="0.8")],
        escalated_because=because,
        model_version="test",
        decided_at=NOW,
    )


def build(
    conv: Conversation, event: EscalationDecided, context: Context | None = None, **kw: Any
) -> HandoffPacket:
    kw.setdefault("taxonomy", TAXONOMY)
    return build_packet(conv, event, context or Context(now=NOW), now=NOW, **kw)


def everything(packet: HandoffPacket) -> str:
    return packet.model_dump_json()


BILLING = [
    ("customer", "hi"),
    ("bot", "Hi! How can I help?", {"confidence": 0.95}),
    (
        "customer",
        "I was charged twice for invoice INV-2024-0042, €1,234.50 each time",
        {"intent": "double_charge", "sentiment": -0.2, "frustration": 0.3},
    ),
    ("bot", "Duplicate charges reverse within 5-7 business days.", {"confidence": 0.42}),
    (
        "customer",
        "It's been 2 weeks!! The charge went through on 12.03.2026",
        {"intent": "double_charge", "sentiment": -0.6, "frustration": 0.7, "signals": ["negative_feedback"]},
    ),
    (
        "bot",
        "You can view refunds under Settings > Billing.",
        {"confidence": 0.8, "attempt": "article:refunds"},
    ),
    (
        "customer",
        "that is not helpful. I want to talk to a person",
        {"intent": "human_agent", "sentiment": -0.7, "frustration": 0.9, "signals": ["asks_for_human"]},
    ),
]


# ------------------------------------------------------------------------------------------- the contract


def test_the_packet_is_deterministic_and_travels_in_handoff_prepared() -> None:
    context = Context(
        account=Account(id="acct-1", plan="enterprise", annual_value=180_000, renewal_date=date(2026, 4, 1)),
        history=[
            HistoryItem(conversation_id="old-1", intent="double_charge", closed_at=NOW - timedelta(days=2))
        ],
        incidents=[
            Incident(id="INC-1", title="Duplicate charges", keywords=["charged twice"], eta="16:00 UTC")
        ],
        now=NOW,
    )
    first = build(
        conversation(BILLING), escalation(7, guardrail="human_requested"), context, mask_contacts=True
    )
    again = build(
        conversation(BILLING), escalation(7, guardrail="human_requested"), context, mask_contacts=True
    )
    shuffled = conversation(BILLING)
    shuffled = shuffled.model_copy(update={"messages": list(reversed(shuffled.messages))})
    assert first.model_dump_json() == again.model_dump_json()
    assert build(shuffled, escalation(7, guardrail="human_requested"), context, mask_contacts=True) == first
    event = HandoffPrepared(event_id="x", conversation_id="conv-1", seq=7, message_id="m7", handoff=first)
    assert HandoffPrepared.model_validate_json(event.model_dump_json()).handoff == first


def test_why_carries_the_escalating_message_reasons_guardrail_and_risk() -> None:
    reasons = [
        Reason(code="frustration", label="Frustration", contribution=0.3, evidence="0.9"),
        Reason(code="human_requested", label="Asked for a human", contribution=1.0, evidence='"a person"'),
    ]
    packet = build(
        conversation(BILLING), escalation(7, guardrail="human_requested", reasons=reasons, risk=0.93)
    )
    assert (
        packet.why.escalated_seq == 7
        and packet.why.risk == 0.93
        and packet.why.guardrail == "human_requested"
    )
    assert [r.code for r in packet.why.reasons] == ["human_requested", "frustration"]  # highest first
    assert "Asked for a human" in packet.note and '"a person"' in packet.note


def test_a_later_decision_is_read_as_the_escalation_it_carries() -> None:
    turns = [*BILLING, ("bot", "Connecting you"), ("customer", "my other order 99-1234-55 is fine, thanks")]
    cause = EscalationCause(
        seq=5,
        guardrail="payment_dispute",
        risk=0.8,
        reasons=[Reason(code="payment_dispute", label="Chargeback", contribution=1.0, evidence='"dispute"')],
    )
    packet = build(conversation(turns), escalation(9, because=cause, guardrail=None))
    assert (
        packet.why.escalated_seq == 5 and packet.why.guardrail == "payment_dispute" and packet.why.risk == 0.8
    )
    assert packet.problem.latest is not None and packet.problem.latest.seq == 5
    assert all(e.seq <= 5 for e in packet.entities) and "99-1234-55" not in everything(packet)
    assert [a.seq for a in packet.bot_attempts] == [2, 4]
    assert packet.feeling.last is not None and packet.feeling.last.seq == 5


# ------------------------------------------------------------------------------------------ customer's words


def test_the_problem_is_the_first_substantive_message_and_the_latest_in_the_customers_words() -> None:
    turns = [("customer", "Hello there!"), ("customer", "Anyone?"), *BILLING[2:]]
    packet = build(conversation(turns), escalation(7))
    assert packet.problem.first_request is not None and packet.problem.first_request.seq == 3
    assert (
        packet.problem.first_request.text
        == "I was charged twice for invoice INV-2024-0042, €1,234.50 each time"
    )
    assert packet.problem.latest is not None and packet.problem.latest.seq == 7
    assert packet.problem.latest.text == "that is not helpful. I want to talk to a person"


def test_long_messages_are_quoted_up_to_500_characters_ending_on_a_word() -> None:
    long = "The sync between our CRM and the billing module fails whenever " + "we retry the import " * 40
    packet = build(conversation([("customer", long, {"intent": "integration"})]), escalation(1))
    quoted = packet.problem.first_request
    assert quoted is not None and len(quoted.text) <= 500 and quoted.text.endswith("…")
    assert long.startswith(quoted.text[:-1]) and long[len(quoted.text) - 1] == " "


def test_a_redacted_message_is_never_quoted() -> None:
    secret = "my card 4111 1111 1111 1111 was charged €99 on order 77-1234-99, mail me at sam@example.com"
    turns = [
        ("customer", secret, {"intent": "unexpected_charge", "frustration": 0.8}),
        ("bot", "Let me check."),
        ("customer", "Still waiting", {"intent": "unexpected_charge", "frustration": 0.6}),
        ("bot", "Quoting you: " + secret),
        ("customer", "give me a human now, this is a chargeback", {"frustration": 0.95}),
    ]
    reasons = [
        Reason(code="payment_dispute", label="Chargeback", contribution=1.0, evidence='"is a chargeback"')
    ]
    packet = build(
        conversation(turns, redacted=(1, 4, 5)),
        escalation(5, guardrail="payment_dispute", reasons=reasons),
        mask_contacts=True,
    )
    dumped = everything(packet)
    for fragment in ("4111", "€99", "77-1234-99", "sam@", "s***@", "Quoting you", "is a chargeback"):
        assert fragment not in dumped, fragment
    assert packet.problem.first_request is not None and packet.problem.first_request.seq == 3
    assert packet.problem.latest is not None and packet.problem.latest.seq == 3
    assert packet.entities == []
    assert packet.feeling.frustration_began is not None and packet.feeling.frustration_began.seq == 1
    assert packet.feeling.frustration_began.text == ""
    assert packet.bot_attempts[1].text == "" and packet.bot_attempts[0].text == "Let me check."
    assert "redacted" in packet.note and "the message was redacted" in dumped


def test_redacting_a_message_later_removes_what_the_packet_read_from_it() -> None:
    packet = build(conversation(BILLING), escalation(7, guardrail="human_requested"))
    assert any(e.value == "INV-2024-0042" for e in packet.entities)
    redacted = redact_packet(packet, {"m3", "m6", "unknown"})
    dumped = everything(redacted)
    for fragment in ("INV-2024-0042", "1,234.50", "charged twice", "Settings > Billing", "article:refunds"):
        assert fragment not in dumped, fragment
    assert [e.value for e in redacted.entities] == ["12.03.2026"]
    assert redacted.problem.first_request is not None and redacted.problem.first_request.text == ""
    assert len(redacted.note) <= NOTE_MAX_CHARS and len(redacted.summary.split()) <= SUMMARY_MAX_WORDS
    assert redact_packet(packet, {"m99"}) is packet


# ------------------------------------------------------------------------------------------ entities, masking


def test_contacts_are_masked_everywhere_when_asked() -> None:
    turns = [
        (
            "customer",
            "Reach me at jane.doe@example.com or +49 170 1234512, order 123-456-789",
            {"intent": "refund_request"},
        ),
        ("bot", "I will email jane.doe@example.com a label.", {"confidence": 0.9}),
        ("customer", "no, call (555) 201-4477 instead", {"intent": "refund_request"}),
    ]
    plain = build(conversation(turns), escalation(3))
    masked = build(conversation(turns), escalation(3), mask_contacts=True)
    assert [(e.kind, e.value) for e in plain.entities] == [
        ("email", "jane.doe@example.com"),
        ("phone", "+49 170 1234512"),
        ("order_id", "123-456-789"),
        ("phone", "(555) 201-4477"),
    ]
    assert [(e.kind, e.value) for e in masked.entities] == [
        ("email", "j***@example.com"),
        ("phone", "+49 *** *** 12"),
        ("order_id", "123-456-789"),
        ("phone", "*** *** 77"),
    ]
    dumped = everything(masked)
    for raw in ("jane.doe", "1234512", "201-4477", "170 "):
        assert raw not in dumped, raw
    assert masked.problem.first_request is not None
    assert "j***@example.com" in masked.problem.first_request.text
    assert masked.bot_attempts[0].text == "I will email j***@example.com a label."


def test_masks() -> None:
    assert mask_email("jane.doe@example.com") == "j***@example.com"
    assert mask_phone("+49 170 1234512") == "+49 *** *** 12"
    assert mask_phone("0170 1234567") == "*** *** 67"


def test_entities_are_the_customers_own_before_the_escalation_once_each_in_order() -> None:
    turns = [
        ("customer", "Flowboard API returns HTTP 502 and ERR_CONNECTION_RESET on ticket #48213"),
        ("bot", "Our status page says invoice INV-9999 is fine."),
        ("customer", "yesterday it was fine. Ticket 48213 again: flowboard api, HTTP 502. We pay $49"),
        ("customer", "also order ORD-77812"),
    ]
    packet = build(conversation(turns), escalation(3), products=["Flowboard", "Flowboard API"])
    assert [(e.kind, e.value, e.seq) for e in packet.entities] == [
        ("product", "Flowboard API", 1),
        ("error_code", "HTTP 502", 1),
        ("error_code", "ERR_CONNECTION_RESET", 1),
        ("ticket_id", "48213", 1),
        ("amount", "$49", 3),
    ]


def test_products_come_from_the_teams_list_only() -> None:
    turns = [("customer", "Salesforce Sync and Nimbus Drive both broke after the Update")]
    assert build(conversation(turns), escalation(1)).entities == []
    named = build(conversation(turns), escalation(1), products=["Nimbus Drive"]).entities
    assert [(e.kind, e.value) for e in named] == [("product", "Nimbus Drive")]


# ----------------------------------------------------------------------------------- bot attempts, feeling


def test_bot_attempts_carry_the_customers_reaction_and_why_they_failed() -> None:
    turns = [
        ("customer", "how do I export my data?", {"intent": "data_export"}),
        ("bot", "Go to Settings > Export.", {"confidence": 0.9}),
        ("customer", "thanks, that worked great", {"sentiment": 0.7}),
        ("bot", "Anything else?", {"confidence": 0.9}),
        ("customer", "the export file is empty", {"sentiment": 0.0}),
        ("bot", "Try a smaller range.", {"confidence": 0.3}),
        ("customer", "it IS small. the file is empty", {"signals": ["rephrase"]}),
        ("bot", "Try a smaller range.", {"confidence": 0.6}),
        ("customer", "the file is empty", {"signals": ["repeat"]}),
        ("bot", "Exports can take time.", {"confidence": 0.7}),
        ("customer", "useless", {"signals": ["negative_feedback"], "sentiment": -0.2}),
        ("bot", "Sorry!", {"confidence": 0.7}),
        ("customer", "so annoying", {"sentiment": -0.5}),
        ("bot", "Let me find someone.", {"confidence": 0.7}),
        ("customer", "get me a human", {"signals": ["asks_for_human", "negative_feedback"]}),
        ("bot", "Connecting you now.", {"confidence": 0.99}),
    ]
    packet = build(conversation(turns), escalation(15))
    reactions = [(a.seq, a.reaction, a.failed_because) for a in packet.bot_attempts]
    assert reactions == [
        (2, "positive", None),
        (4, "neutral", None),
        (6, "rephrased", "low confidence (0.30); the customer rephrased the question"),
        (8, "repeated", "the customer repeated the question"),
        (10, "negative", "the customer took it badly"),
        (12, "negative", "the customer took it badly"),
        (14, "asked_for_human", "the customer asked for a human"),
    ]  # the bot's answer after the escalating message is not an attempt the escalation was about


def test_a_bot_answer_no_customer_message_followed_has_no_reaction() -> None:
    # The escalating message (3) is not stored yet when the packet is built: the bot's answer stands alone.
    turns = [("customer", "refund please", {"intent": "refund_request"}), ("bot", "Here is our policy.")]
    packet = build(conversation(turns), escalation(3))
    assert [(a.seq, a.reaction, a.failed_because) for a in packet.bot_attempts] == [(2, "none", None)]
    low = build(conversation([turns[0], ("bot", "Maybe this?", {"confidence": 0.2})]), escalation(3))
    assert [(a.reaction, a.failed_because) for a in low.bot_attempts] == [("none", "low confidence (0.20)")]


def test_feeling_has_start_peak_last_and_where_frustration_began() -> None:
    packet = build(conversation(BILLING), escalation(7))
    feeling = packet.feeling
    assert feeling.start is not None and feeling.start.seq == 1
    assert feeling.peak is not None and (feeling.peak.seq, feeling.peak.frustration) == (7, 0.9)
    assert feeling.last is not None and feeling.last.seq == 7
    assert feeling.frustration_began is not None and feeling.frustration_began.seq == 5
    assert feeling.frustration_began.text == "It's been 2 weeks!! The charge went through on 12.03.2026"
    stricter = build(
        conversation(BILLING), escalation(7), frustration_threshold=0.85
    ).feeling.frustration_began
    assert stricter is not None and stricter.seq == 7
    assert (
        build(conversation(BILLING), escalation(7), frustration_threshold=0.95).feeling.frustration_began
        is None
    )


def test_classification_is_the_latest_informative_intent_with_its_area_and_skill() -> None:
    conv = conversation(BILLING).model_copy(
        update={"scores": {"intent": "double_charge", "intent_confidence": 0.87, "out_of_scope": False}}
    )
    packet = build(conv, escalation(7))
    c = packet.classification
    assert (c.intent, c.intent_confidence, c.product_area, c.skill) == (
        "double_charge",
        0.87,
        "billing",
        "billing",
    )
    untaxed = build(conv, escalation(7), taxonomy=None).classification
    assert (untaxed.intent, untaxed.product_area) == ("double_charge", None)
    scored = conv.model_copy(
        update={"scores": {**(conv.scores or {}), "product_area": "billing", "skill": "billing"}}
    )
    assert build(scored, escalation(7), taxonomy=None).classification.skill == "billing"


def test_account_health_history_and_language() -> None:
    history = [
        HistoryItem(
            conversation_id=f"old-{i}",
            intent="invoice",
            closed_at=NOW - timedelta(days=i),
            outcome="resolved",
        )
        for i in (9, 1, 5, 3, 7, 2)
    ] + [HistoryItem(conversation_id="conv-1", intent="invoice", closed_at=NOW - timedelta(hours=1))]
    at_risk = Account(
        id="acct-1", plan="pro", annual_value=1200, health="at_risk", signup_date=date(2026, 3, 1)
    )
    new = Account(id="acct-1", plan="starter", signup_date=date(2026, 3, 1), health="healthy")
    old = Account(id="acct-1", plan="starter", signup_date=date(2024, 3, 1), health="healthy")
    packet = build(conversation(BILLING), escalation(7), Context(account=at_risk, history=history, now=NOW))
    assert packet.account is not None and packet.account.health == "at_risk" and packet.account.plan == "pro"
    assert [h.conversation_id for h in packet.history] == ["old-1", "old-2", "old-3", "old-5", "old-7"]
    for account, health in ((new, "new"), (old, "healthy")):
        built = build(conversation(BILLING), escalation(7), Context(account=account, now=NOW)).account
        assert built is not None and built.health == health
    assert packet.language == "de"


# ----------------------------------------------------------------------------------------------- next step


def _incident(eta: str | None, **kw: Any) -> Incident:
    return Incident(id="INC-42", title="Card payments failing", keywords=["charged twice"], eta=eta, **kw)


def test_a_matched_incident_is_acknowledged_with_its_eta() -> None:
    context = Context(incidents=[_incident("16:00 UTC"), _incident(None, status="resolved").model_copy(
        update={"id": "INC-OLD"})], now=NOW)  # fmt: skip
    packet = build(conversation(BILLING), escalation(7), context)
    assert [(i.id, i.eta, i.eta_passed) for i in packet.incidents] == [("INC-42", "16:00 UTC", False)]
    assert (
        packet.next_step
        == 'Acknowledge the known incident "Card payments failing" (INC-42) and give its ETA: 16:00 UTC.'
    )
    assert "INC-42" in packet.note and "16:00 UTC" in packet.note and "INC-42" in packet.summary

    passed = build(
        conversation(BILLING), escalation(7), Context(incidents=[_incident("2026-03-14T10:00:00Z")], now=NOW)
    )
    assert passed.incidents[0].eta_passed and "has passed" in passed.next_step
    unknown = build(conversation(BILLING), escalation(7), Context(incidents=[_incident(None)], now=NOW))
    assert "no ETA yet" in unknown.next_step


@pytest.mark.parametrize(
    ("guardrail", "expected"),
    [
        ("cancellation_refund", "Apply the refund and retention policy: confirm what is to be cancelled or refunded (invoice INV-2024-0042)"),
        ("payment_dispute", "Review the charge (the amount €1,234.50) against the account's invoices"),
        ("data_loss", "Check backups and restore options for the missing data (invoice INV-2024-0042)"),
        ("account_compromise", "Verify the account owner first"),
        ("human_requested", "Acknowledge the double charge and confirm invoice INV-2024-0042"),
    ],
)  # fmt: skip
def test_the_next_step_follows_the_guardrail(guardrail: str, expected: str) -> None:
    packet = build(conversation(BILLING), escalation(7, guardrail=guardrail))
    assert packet.next_step.startswith(expected), packet.next_step
    assert packet.next_step in packet.note


def test_security_comes_before_an_incident_and_account_area_security_words_count() -> None:
    turns = [
        ("customer", "someone logged into my account and changed my password", {"intent": "login_problem"})
    ]
    packet = build(
        conversation(turns),
        escalation(1),
        Context(incidents=[_incident("soon", intents=["login_problem"])], now=NOW),
    )
    assert packet.classification.product_area == "account" and packet.incidents
    assert packet.next_step.startswith("Verify the account owner first")
    calm = [("customer", "I forgot my password and the reset mail never comes", {"intent": "password_reset"})]
    assert not build(conversation(calm), escalation(1)).next_step.startswith("Verify")


def test_a_repeated_contact_is_acknowledged() -> None:
    history = [
        HistoryItem(conversation_id="old-1", intent="double_charge", closed_at=NOW - timedelta(days=2), outcome="unresolved"),
        HistoryItem(conversation_id="old-2", intent="double_charge", closed_at=NOW - timedelta(days=4)),
    ]  # fmt: skip
    packet = build(conversation(BILLING), escalation(7), Context(history=history, now=NOW))
    assert packet.next_step.startswith("Acknowledge the 2 earlier contacts about the double charge")
    guarded = build(conversation(BILLING), escalation(7, guardrail="repeated_contact"))
    assert guarded.next_step.startswith("Acknowledge the 1 earlier contact about the double charge")


def test_without_anything_to_go_on_the_step_still_reads() -> None:
    packet = build(conversation([("customer", "agent")]), escalation(1))
    assert (
        packet.next_step
        == "Acknowledge the customer's problem and confirm the details from the customer's words below."
    )
    assert packet.problem.first_request is not None and packet.problem.first_request.text == "agent"


# ------------------------------------------------------------------------------------------ summary and note


def test_the_summary_says_problem_what_was_done_status_and_next_step_in_100_words() -> None:
    packet = build(conversation(BILLING), escalation(7, guardrail="human_requested"))
    words = packet.summary.split()
    assert len(words) <= SUMMARY_MAX_WORDS
    for part in (
        "Problem (double charge):",
        "Done: the bot answered 3 times",
        "Status: escalated at message 7",
        "Next:",
    ):
        assert part in packet.summary, part


def pathological() -> tuple[Conversation, EscalationDecided, Context]:
    """60 messages of about 2 KB each, every one full of entities, a long history and incidents with long titles."""
    turns: list[Turn] = []
    for seq in range(1, 61):
        if seq % 2:
            text = " ".join(
                f"Order {seq}-{i:03d}-{seq * 7:03d} for €{seq},{i:03d}.50 on {1 + i % 28}.03.2026 failed with E{1000 + seq * 10 + i}, "
                f"write to user{seq}x{i}@example.com."
                for i in range(20)
            )[:2000]
            turns.append(
                ("customer", text, {"intent": "error_bug", "frustration": seq / 60, "signals": ["rephrase"]})
            )
        else:
            turns.append(
                ("bot", "Please try again. " * 110, {"confidence": 0.2, "attempt": "flow:" + "retry-" * 100})
            )
    long_reason = Reason(
        code="frustration", label="Frustration " * 20, contribution=0.9, evidence="very " * 200
    )
    context = Context(
        account=Account(id="acct-1", plan="Enterprise " * 20, annual_value=9e9, health="churning"),
        history=[HistoryItem(conversation_id=f"h{i}", intent="error_bug", closed_at=NOW - timedelta(days=i)) for i in range(1, 30)],
        incidents=[
            Incident(id=f"INC-{i}", title=("Payments degraded " * 15)[:256], keywords=["failed"], eta="after " * 21)
            for i in range(5)
        ],
        now=NOW,
    )  # fmt: skip
    return conversation(turns), escalation(59, reasons=[long_reason] * 6, guardrail="data_loss"), context


def test_a_pathological_conversation_still_fits_the_note_and_summary() -> None:
    conv, event, context = pathological()
    for mask in (False, True):
        packet = build(conv, event, context, mask_contacts=mask, products=["Flowboard"])
        assert len(packet.note) <= NOTE_MAX_CHARS
        assert len(packet.summary.split()) <= SUMMARY_MAX_WORDS
        assert len(packet.entities) == MAX_ENTITIES and len(packet.bot_attempts) == MAX_BOT_ATTEMPTS
        assert len(packet.model_dump_json()) < 64_000  # an event on the bus is at most 256 KB
        for section in ("**Escalated**", "**Next step:**", "**Customer's words**", "**Entities:**"):
            assert section in packet.note, section
        # cut at a word: what comes before an ellipsis is a whole word
        for line in packet.note.splitlines():
            if "…" in line and line != "…":
                before = line.split("…")[0]
                assert before[-1:].isalnum() or before[-1:] in ")\"'", line
                word = before.split()[-1].strip("\"'(")
                sources = conv.model_dump_json() + event.model_dump_json() + context.model_dump_json()
                assert word in sources or word.isdigit(), word


def test_clip_cuts_at_a_word_and_only_a_single_overlong_token_mid_way() -> None:
    assert clip("one two three four", 12) == "one two…"
    assert clip("short", 12) == "short"
    assert clip("x" * 30, 10) == "xxxxxxxxx…"


def test_the_note_is_markdown_with_every_part_for_an_ordinary_conversation() -> None:
    context = Context(
        account=Account(id="acct-1", plan="business", annual_value=4800, renewal_date=date(2026, 4, 1)),
        history=[HistoryItem(conversation_id="old-1", intent="invoice", closed_at=NOW - timedelta(days=20), outcome="resolved")],
        incidents=[_incident("16:00 UTC")],
        now=NOW,
    )  # fmt: skip
    packet = build(conversation(BILLING), escalation(7, guardrail="human_requested"), context)
    note = packet.note
    assert len(note) <= NOTE_MAX_CHARS
    for part in (
        "**Escalated** at message #7",
        "**Next step:**",
        "> #3: I was charged twice",
        "> #7 (latest): that is not helpful",
        "**Intent:** `double_charge`",
        "invoice `INV-2024-0042` (#3)",
        "**Bot attempts:** 3",
        "(`article:refunds`)",
        "**Feeling**",
        "Frustration began at #5",
        "**Account:**",
        "renews 2026-04-01",
        "INC-42",
        "**Earlier contacts**",
    ):
        assert part in note, part
