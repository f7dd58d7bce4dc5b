"""Bus events of whole conversations for the insights tests (`test_insights_facts`, `test_insights_kpis`): a small
builder, and a fixed set of eleven conversations over two ISO weeks whose KPIs the tests pin by hand.

The labels are the feedback capability's own (`baton.feedback.labels`) on the conversation's events, published as
`OutcomeLabeled` events like the feedback consumer does, an interim `unknown` first."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from baton.events import (
    BusEvent,
    EscalationDecided,
    HandedBack,
    HandoffPrepared,
    MessageReceived,
    MessageRedacted,
    MessageScored,
    MessageSnapshot,
    OutcomeLabeled,
    OutcomeRecorded,
    event_id_for,
)
from baton.feedback.labels import Facts, label
from baton.feedback.service import with_event as feedback_event
from baton.handoff import Assignment, Classification, Feeling, HandoffPacket, Problem, Why
from baton.models import Customer, EscalationCause, Page, Reason

Action = Literal["resolve", "monitor", "escalate"]

REASON_LABELS = {
    "human_requested": "Asked for a human",
    "data_loss": "Data loss",
    "cancellation_refund": "Cancellation or refund",
    "sentiment_declining": "Sentiment declining",
    "frustration_rising": "Frustration rising",
    "faq_match": "Answered by an article",
    "escalated_earlier": "Already escalated",
}


def at(day: int, hh: int, mm: int = 0, ss: int = 0) -> datetime:
    """A time in November 2026 (UTC)."""
    return datetime(2026, 11, day, hh, mm, ss, tzinfo=UTC)


def reasons(*codes: str) -> list[Reason]:
    return [
        Reason(code=code, label=REASON_LABELS[code], contribution=round(1 / (i + 1), 2), evidence="seen")
        for i, code in enumerate(codes)
    ]


@dataclass
class Conv:
    """Builds one conversation's events, each with its own time."""

    cid: str
    customer: str = "cus-1"
    account: str = "acct-1"
    events: list[BusEvent] = field(default_factory=list)
    sent: dict[int, datetime] = field(default_factory=dict)

    def msg(self, seq: int, role: str, when: datetime, *, url: str | None = None) -> Conv:
        snapshot = MessageSnapshot(
            message_id=f"{self.cid}-m{seq}",
            seq=seq,
            role=role,  # type: ignore[arg-type]
            text="hello",
            sent_at=when,
            received_at=when,
            source="api",  # type: ignore[arg-type]
            customer=Customer(id=self.customer, account_id=self.account, language="en"),
            page=Page(url=url) if url else None,
        )
        self.sent[seq] = when
        self.events.append(
            MessageReceived(
                event_id=event_id_for("MessageReceived", self.cid, snapshot.message_id),
                occurred_at=when,
                conversation_id=self.cid,
                seq=seq,
                message=snapshot,
            )
        )
        return self

    def scored(
        self,
        seq: int,
        intent: str | None,
        area: str | None,
        *,
        out_of_scope: bool = False,
        role: str = "customer",
    ) -> Conv:
        self.events.append(
            MessageScored(
                event_id=event_id_for("MessageScored", self.cid, f"{self.cid}-m{seq}"),
                occurred_at=self.sent.get(seq, at(1, 0)) + timedelta(seconds=1),
                conversation_id=self.cid,
                seq=seq,
                message_id=f"{self.cid}-m{seq}",
                role=role,  # type: ignore[arg-type]
                scores={"intent": intent, "product_area": area, "out_of_scope": out_of_scope},  # type: ignore[arg-type]
                arc={},  # type: ignore[arg-type]
            )
        )
        return self

    def decided(
        self,
        seq: int,
        action: Action,
        risk: float,
        sent: datetime,
        *codes: str,
        guardrail: str | None = None,
        cause: EscalationCause | None = None,
        incidents: tuple[str, ...] = (),
    ) -> Conv:
        extra: dict[str, Any] = {
            "incidents": [
                {"id": i, "title": i, "matched_on": "keyword", "detail": "outage", "eta": None}
                for i in incidents
            ]
        }
        self.events.append(
            EscalationDecided(
                event_id=event_id_for("EscalationDecided", self.cid, f"{self.cid}-m{seq}", "v1"),
                occurred_at=sent + timedelta(seconds=1),
                conversation_id=self.cid,
                seq=seq,
                message_id=f"{self.cid}-m{seq}",
                action=action,
                risk=risk,
                reasons=reasons(*codes),
                guardrail=guardrail,
                escalated_because=cause,
                model_version="v1",
                decided_at=sent + timedelta(seconds=1),
                sent_at=sent,
                **extra,
            )
        )
        return self

    def handoff(self, seq: int, when: datetime, agent: str | None = None) -> Conv:
        assignment = Assignment(agent_id=agent, agent_name=agent.title(), assigned_at=when) if agent else None
        self.events.append(
            HandoffPrepared(
                event_id=event_id_for("HandoffPrepared", self.cid, str(seq), agent or "queued"),
                occurred_at=when,
                conversation_id=self.cid,
                seq=seq,
                message_id=f"{self.cid}-m{seq}",
                assignment=assignment,
                queued_since=None if agent else when,
                handoff=HandoffPacket(
                    conversation_id=self.cid,
                    built_at=when,
                    why=Why(escalated_seq=seq, risk=0.9),
                    problem=Problem(),
                    classification=Classification(),
                    feeling=Feeling(),
                    next_step="help",
                    summary="help",
                    note="help",
                ),
            )
        )
        return self

    def handed_back(self, when: datetime) -> Conv:
        self.events.append(
            HandedBack(
                event_id=event_id_for("HandedBack", self.cid, when.isoformat()),
                occurred_at=when,
                conversation_id=self.cid,
            )
        )
        return self

    def outcome(self, kind: str, when: datetime, *, by: str = "unknown", csat: int | None = None) -> Conv:
        self.events.append(
            OutcomeRecorded(
                event_id=event_id_for("OutcomeRecorded", self.cid, kind, when.isoformat()),
                occurred_at=when,
                conversation_id=self.cid,
                source="api",  # type: ignore[arg-type]
                kind=kind,  # type: ignore[arg-type]
                resolved_by=by,  # type: ignore[arg-type]
                csat=csat,
            )
        )
        return self

    def redacted(self, seq: int, when: datetime) -> Conv:
        self.events.append(
            MessageRedacted(
                event_id=event_id_for("MessageRedacted", self.cid, f"{self.cid}-m{seq}"),
                occurred_at=when,
                conversation_id=self.cid,
                message_id=f"{self.cid}-m{seq}",
                redacted_at=when,
            )
        )
        return self

    def labeled(self, interim_at: datetime | None = None) -> Conv:
        """The feedback capability's label of the events so far, published an hour after the last of them (and an
        interim `unknown` label at `interim_at`)."""
        facts = Facts()
        for event in self.events:
            facts = feedback_event(facts, event)
        result = label(facts)
        last = max(e.occurred_at for e in self.events)
        published = [(interim_at, "unknown", "unknown.no_outcome")] if interim_at else []
        published.append((last + timedelta(hours=1), result.label, result.rule))
        for when, name, rule in published:
            self.events.append(
                OutcomeLabeled(
                    event_id=event_id_for("OutcomeLabeled", self.cid, name, rule),
                    occurred_at=when,
                    conversation_id=self.cid,
                    label=name,  # type: ignore[arg-type]
                    rule=rule,
                    reason="test",
                    rules_version="labels-1",
                )
            )
        return self


def cause(seq: int, risk: float, *codes: str, guardrail: str | None = None) -> EscalationCause:
    return EscalationCause(seq=seq, guardrail=guardrail, risk=risk, reasons=reasons(*codes))


# The fixed set: range 2026-11-02 (Mon, ISO week 45) .. 2026-11-15 (Sun, week 46). Per conversation: start day,
# intent / product area / segment, what happened; the figures the tests expect are derived in their comments.
SEGMENTS = {
    "c1": "smb",
    "c2": "enterprise",
    "c3": "enterprise",
    "c4": None,
    "c5": "smb",
    "c6": "smb",
    "c7": "smb",
    "c8": "enterprise",
    "c9": "smb",
    "c10": "smb",
    "c11": "enterprise",
}
REPEAT_CONTACTS = {"c5"}


def fixed_set() -> dict[str, list[BusEvent]]:
    convs: list[Conv] = []

    # c1, Mon 11-02: bot only, contained, CSAT 5; page with a query string and a fragment.
    c = Conv("c1").msg(1, "customer", at(2, 9), url="https://app.example.com/billing/invoices?id=42#top")
    c.scored(1, "billing_question", "billing").decided(1, "resolve", 0.12, at(2, 9), "faq_match")
    c.msg(2, "bot", at(2, 9, 0, 30)).outcome("resolved", at(2, 9, 5), by="bot").outcome(
        "rated", at(2, 9, 6), csat=5
    )
    convs.append(c.labeled(interim_at=at(2, 9, 1)))

    # c2, Tue 11-03: the customer asks for a person at 10:01 (tte 60 s), assigned 10:01:30 (tta 30 s), the agent
    # replies 10:02 (ttr 60 s) and resolves at 10:04: a false escalation. Max risk 0.9.
    c = Conv("c2", customer="cus-2", account="acct-2").msg(1, "customer", at(3, 10))
    c.scored(1, "cancel_subscription", "account").decided(1, "resolve", 0.2, at(3, 10), "faq_match")
    c.msg(2, "bot", at(3, 10, 0, 20)).msg(3, "customer", at(3, 10, 1)).scored(3, "talk_to_human", None)
    c.decided(3, "escalate", 0.9, at(3, 10, 1), "human_requested", guardrail="human_requested")
    c.handoff(3, at(3, 10, 1, 30), agent="maya").msg(4, "agent", at(3, 10, 2))
    convs.append(c.outcome("resolved", at(3, 10, 4), by="agent").labeled(interim_at=at(3, 10, 2)))

    # c3, Wed 11-04: data-loss guardrail on message 3 at 14:02 (tte 120 s); queued 14:02:05, assigned 14:12:05
    # (tta 605 s); the agent replies 14:15 (ttr 780 s); a later decision (seq 5) carries the cause. Incident INC-7.
    # Resolved by the agent at 15:00, CSAT 1: a true escalation. Max risk 0.75.
    c = Conv("c3", customer="cus-3", account="acct-3").msg(
        1, "customer", at(4, 14), url="/settings/export?x=1"
    )
    c.scored(1, "data_export", "data").decided(
        1, "monitor", 0.5, at(4, 14), "sentiment_declining", incidents=("INC-7",)
    )
    c.msg(2, "bot", at(4, 14, 0, 10)).msg(3, "customer", at(4, 14, 2)).scored(3, "data_export", "data")
    c.decided(
        3,
        "escalate",
        0.75,
        at(4, 14, 2),
        "data_loss",
        "sentiment_declining",
        guardrail="data_loss",
        incidents=("INC-7",),
    )
    c.handoff(3, at(4, 14, 2, 5)).handoff(3, at(4, 14, 12, 5), agent="sam").msg(4, "agent", at(4, 14, 15))
    c.msg(5, "customer", at(4, 14, 16)).scored(5, "data_export", "data")
    c.decided(
        5,
        "escalate",
        0.6,
        at(4, 14, 16),
        "escalated_earlier",
        cause=cause(3, 0.75, "data_loss", "sentiment_declining", guardrail="data_loss"),
    )
    c.outcome("resolved", at(4, 15), by="agent").outcome("rated", at(4, 15, 5), csat=1)
    convs.append(c.labeled())

    # c4, Thu 11-05: the model escalates message 2 at 11:03 (tte 180 s); queued at 11:03:10, never assigned; no
    # outcome yet (label unknown); no segment.
    c = Conv("c4", customer="cus-4", account="acct-4").msg(1, "customer", at(5, 11))
    c.scored(1, "billing_question", "billing").decided(1, "monitor", 0.55, at(5, 11), "sentiment_declining")
    c.msg(2, "customer", at(5, 11, 3)).scored(2, "billing_question", "billing")
    c.decided(2, "escalate", 0.82, at(5, 11, 3), "frustration_rising")
    convs.append(c.handoff(2, at(5, 11, 3, 10)).labeled())

    # c5, Fri 11-06: never escalated, resolved by the bot, then CSAT 2: a missed escalation; a repeat contact.
    c = Conv("c5", customer="cus-5", account="acct-5").msg(
        1, "customer", at(6, 16), url="https://app.example.com/orders/123?token=abc"
    )
    c.scored(1, "refund_request", "billing").decided(1, "resolve", 0.3, at(6, 16), "faq_match")
    c.msg(2, "bot", at(6, 16, 1)).outcome("resolved", at(6, 16, 10), by="bot").outcome(
        "rated", at(6, 16, 20), csat=2
    )
    convs.append(c.labeled())

    # c6, Sat 11-07: an agent joins without an escalation and resolves it, CSAT 4 (label unknown).
    c = Conv("c6", customer="cus-6", account="acct-6").msg(1, "customer", at(7, 8))
    c.scored(1, "billing_question", "billing").decided(1, "resolve", 0.2, at(7, 8), "faq_match")
    c.msg(2, "agent", at(7, 8, 5)).outcome("resolved", at(7, 8, 30), by="agent").outcome(
        "rated", at(7, 8, 31), csat=4
    )
    convs.append(c.labeled())

    # c7, Mon 11-09: resolved by the bot, reopened 20 min later: a missed escalation, and open again.
    c = Conv("c7", customer="cus-7", account="acct-7").msg(1, "customer", at(9, 9))
    c.scored(1, "data_export", "data").decided(1, "resolve", 0.25, at(9, 9), "faq_match").msg(
        2, "bot", at(9, 9, 1)
    )
    convs.append(c.outcome("resolved", at(9, 9, 10), by="bot").outcome("reopened", at(9, 9, 30)).labeled())

    # c8, Tue 11-10: a cancellation guardrail on the first message (tte 0 s), assigned 25 s later, handed back at
    # 13:10: back with the bot (monitoring). No label yet. Max risk 0.95 (but unlabelled: no calibration).
    c = Conv("c8", customer="cus-8", account="acct-8").msg(1, "customer", at(10, 13))
    c.scored(1, "cancel_subscription", "account")
    c.decided(1, "escalate", 0.95, at(10, 13), "cancellation_refund", guardrail="cancellation_refund")
    convs.append(c.handoff(1, at(10, 13, 0, 25), agent="maya").handed_back(at(10, 13, 10)))

    # c9, Wed 11-11: bot only, contained, CSAT 4. Max risk 0.1.
    c = Conv("c9", customer="cus-9", account="acct-9").msg(1, "customer", at(11, 10))
    c.scored(1, "billing_question", "billing").decided(1, "resolve", 0.1, at(11, 10), "faq_match")
    c.msg(2, "bot", at(11, 10, 1)).outcome("resolved", at(11, 10, 5), by="bot").outcome(
        "rated", at(11, 10, 6), csat=4
    )
    convs.append(c.labeled())

    # c10, Thu 11-12: the first message is out of scope; the intent comes from message 2; monitoring; INC-9.
    c = Conv("c10", customer="cus-10", account="acct-10").msg(1, "customer", at(12, 12))
    c.scored(1, "chitchat", "social", out_of_scope=True).decided(1, "resolve", 0.05, at(12, 12))
    c.msg(2, "customer", at(12, 12, 1)).scored(2, "login_problem", "auth")
    convs.append(c.decided(2, "monitor", 0.6, at(12, 12, 1), "frustration_rising", incidents=("INC-9",)))

    # c11, Fri 11-13: the model escalates message 2 at 15:04 (tte 240 s); assigned 15:04:30 (tta 30 s); agent
    # replies 15:06 (ttr 120 s) and 15:10; resolved by the agent at 15:20, CSAT 3: true escalation. INC-7; page.
    c = Conv("c11", customer="cus-11", account="acct-11").msg(
        1, "customer", at(13, 15), url="/billing/refunds?order=9"
    )
    c.scored(1, "refund_request", "billing").decided(1, "monitor", 0.6, at(13, 15), "sentiment_declining")
    c.msg(2, "customer", at(13, 15, 4)).scored(2, "refund_request", "billing")
    c.decided(
        2, "escalate", 0.88, at(13, 15, 4), "sentiment_declining", "frustration_rising", incidents=("INC-7",)
    )
    c.handoff(2, at(13, 15, 4, 30), agent="sam").msg(3, "agent", at(13, 15, 6)).msg(
        4, "agent", at(13, 15, 10)
    )
    c.outcome("resolved", at(13, 15, 20), by="agent").outcome("rated", at(13, 15, 25), csat=3)
    convs.append(c.labeled())

    return {conv.cid: conv.events for conv in convs}
