"""Outcome labels: what each conversation turned out to be, from its events alone (pure, versioned rules).

The facts (`Facts`) are what the events say, each timestamped by its own event: when the decision first
escalated, when routing assigned an agent, the agents' messages, and every outcome (resolved, closed,
reopened, rated, with who resolved and the CSAT). The label is a pure function of the facts and the rules
(`LabelRules`), so a replay or a backfill of the same events gives the same labels, in any order:

- `false_escalation`: escalated, then resolved by an agent within `false_escalation_minutes` of the escalation
  (default 5), with at most `max_agent_messages` agent messages (default 1) and no CSAT <= `low_csat` (2);
- `missed_escalation`: never escalated, and a CSAT <= 2, a reopen within `reopen_hours` (72) of a resolution, or
  a contact of the same customer on the same intent that started within `repeat_contact_days` (7) after this one
  started (`missed_escalation.repeat_contact`; checked in that order);
- `true_escalation`: escalated, with an outcome, and not false;
- `contained`: resolved by the bot, and nothing negative since (a later low CSAT, reopen or repeat contact
  relabels it);
- `unknown`: otherwise, with the reason (no outcome yet; resolved by an agent without an escalation...).

Each label names the rule that fired (`Label.rule`, e.g. `false_escalation.quick_agent_resolution`) and the
rules' version.

The repeat contact (`labels-2`). Each conversation's contact is its customer, its intent (the one of its lowest-seq
customer message that has one) and when that message was sent (`ContactFact`); the feedback consumer tells the
customer's other conversations near it on that intent (`baton.feedback.contacts`), so each holds the others'
contacts as facts (`Facts.other_contacts`), and which of a pair came first is decided here, from the facts alone.
The rule measures from start to start, not from this conversation's resolution: both starts are known as soon as
the intents are (a resolution may come late, or never: an abandoned chat gets no status), so the same pair is
related the same way from either side, whatever arrives first; it is what the KPIs count as a repeat contact
(`baton.insights`), and the contact records are keyed by it (a Query by key range finds the neighbours). A
conversation lasts minutes or hours: measured from its resolution, the window would move by that much, little
against 7 days.

A conversation with no outcome yet, never escalated, whose customer came back on the same intent within 7 days is
labelled missed too: the return is the negative outcome, whatever the helpdesk later says about the first
conversation (many chats never get a status at all), and waiting for an outcome would leave exactly these
conversations unknown. An escalated one stays a true or false escalation: Baton did hand it over.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from baton.models import UtcDatetime

LabelName = Literal["false_escalation", "missed_escalation", "true_escalation", "contained", "unknown"]


class LabelRules(BaseModel):
    version: str = "labels-2"
    false_escalation_minutes: float = 5.0
    max_agent_messages: int = 1
    low_csat: int = 2
    reopen_hours: float = 72.0
    repeat_contact_days: float = 7.0


class OutcomeFact(BaseModel):
    event_id: str
    kind: Literal["resolved", "closed", "reopened", "rated"]
    at: UtcDatetime
    resolved_by: Literal["bot", "agent", "unknown"] = "unknown"
    csat: int | None = None


class ContactFact(BaseModel):
    """A conversation's contact: its customer, its intent and when it started (`baton.feedback.contacts`).

    The intent is the one of the conversation's lowest-seq customer message that has one, and `started_at` that
    message's `sent_at`: one message decides both, so a contact changes at most when a lower-seq message with an
    intent arrives after a higher one (events come in any order), and then only towards a lower `seq`: of two
    contacts of one conversation the one with the lower `seq` is the true one, whatever order they came in.
    """

    model_config = ConfigDict(frozen=True)

    conversation_id: str
    customer_id: str
    intent: str
    started_at: UtcDatetime
    seq: int

    def supersedes(self, other: ContactFact | None) -> bool:
        return other is None or self.seq < other.seq


class Facts(BaseModel):
    """What the events said about one conversation (a union: applying an event twice changes nothing)."""

    escalated_at: UtcDatetime | None = None
    """The first escalation (the earliest escalating decision, whatever order the events came in)."""
    escalation_seq: int | None = None
    assigned_at: UtcDatetime | None = None
    agent_messages: dict[str, UtcDatetime] = Field(default_factory=dict)
    """Agent message id -> sent at."""
    outcomes: dict[str, OutcomeFact] = Field(default_factory=dict)
    """By event id."""
    contact: ContactFact | None = None
    """This conversation's contact (the lowest seq wins)."""
    other_contacts: dict[str, ContactFact] = Field(default_factory=dict)
    """The same customer's other conversations that came near this one, by conversation id: their contacts as they
    told them or as this one read them (the lowest seq wins). Earlier and later ones alike: the rule decides."""

    def escalated(self, at: datetime, seq: int) -> Facts:
        if self.escalated_at is not None and self.escalated_at <= at:
            return self
        return self.model_copy(update={"escalated_at": at, "escalation_seq": seq})

    def assigned(self, at: datetime) -> Facts:
        if self.assigned_at is not None and self.assigned_at <= at:
            return self
        return self.model_copy(update={"assigned_at": at})

    def agent_message(self, message_id: str, at: datetime) -> Facts:
        if message_id in self.agent_messages:
            return self
        return self.model_copy(update={"agent_messages": {**self.agent_messages, message_id: at}})

    def outcome(self, fact: OutcomeFact) -> Facts:
        if fact.event_id in self.outcomes:
            return self
        return self.model_copy(update={"outcomes": {**self.outcomes, fact.event_id: fact}})

    def contacted(self, contact: ContactFact) -> Facts:
        if not contact.supersedes(self.contact):
            return self
        return self.model_copy(update={"contact": contact})

    def other_contact(self, contact: ContactFact) -> Facts:
        if not contact.supersedes(self.other_contacts.get(contact.conversation_id)):
            return self
        return self.model_copy(
            update={"other_contacts": {**self.other_contacts, contact.conversation_id: contact}}
        )

    def contacts_only(self) -> bool:
        """Nothing but contacts is known: no escalation, assignment, agent message or outcome."""
        return self.model_copy(update={"contact": None, "other_contacts": {}}) == Facts()


def repeat_contact(facts: Facts, rules: LabelRules | None = None) -> ContactFact | None:
    """The first later contact of the same customer on the same intent within `repeat_contact_days` of this
    conversation's start (start to start; a tie in `started_at` goes by conversation id), or None."""
    own = facts.contact
    if own is None:
        return None
    window = timedelta(days=(rules or LabelRules()).repeat_contact_days)
    later = [
        other
        for other in facts.other_contacts.values()
        if other.conversation_id != own.conversation_id
        and other.customer_id == own.customer_id
        and other.intent == own.intent
        and (other.started_at, other.conversation_id) > (own.started_at, own.conversation_id)
        and other.started_at - own.started_at <= window
    ]
    return min(later, key=lambda c: (c.started_at, c.conversation_id), default=None)


class Label(BaseModel):
    label: LabelName
    rule: str
    reason: str
    rules_version: str
    at: UtcDatetime | None = Field(default=None, description="When the deciding fact happened (event time)")


def label(facts: Facts, rules: LabelRules | None = None) -> Label:
    """The conversation's label (module docstring)."""
    r = rules or LabelRules()
    outcomes = sorted(facts.outcomes.values(), key=lambda o: (o.at, o.event_id))
    low = [o for o in outcomes if o.csat is not None and o.csat <= r.low_csat]
    resolutions = [o for o in outcomes if o.kind in ("resolved", "closed")]

    def made(name: LabelName, rule: str, reason: str, at: datetime | None) -> Label:
        return Label(label=name, rule=rule, reason=reason, rules_version=r.version, at=at)

    if facts.escalated_at is not None:
        escalated = facts.escalated_at
        if not outcomes:
            return made("unknown", "unknown.no_outcome", "escalated; no outcome yet", None)
        by_agent = [o for o in resolutions if o.resolved_by == "agent" and o.at >= escalated]
        quick = [o for o in by_agent if o.at - escalated <= timedelta(minutes=r.false_escalation_minutes)]
        agent_messages = [m for m, at in facts.agent_messages.items() if at >= escalated]
        if quick and not low and len(agent_messages) <= r.max_agent_messages:
            minutes = (quick[0].at - escalated).total_seconds() / 60
            return made(
                "false_escalation",
                "false_escalation.quick_agent_resolution",
                f"an agent resolved it {minutes:.1f} min after the escalation with {len(agent_messages)} "
                f"message(s), no low CSAT",
                quick[0].at,
            )
        why = "low CSAT" if low else ("more agent work" if quick else "not resolved quickly by an agent")
        return made("true_escalation", "true_escalation.not_false", f"escalated; {why}", outcomes[-1].at)

    if low:
        return made(
            "missed_escalation",
            "missed_escalation.low_csat",
            f"never escalated; CSAT {low[0].csat}",
            low[0].at,
        )
    for resolution in resolutions:
        reopen = next(
            (
                o
                for o in outcomes
                if o.kind == "reopened"
                and resolution.at <= o.at <= resolution.at + timedelta(hours=r.reopen_hours)
            ),
            None,
        )
        if reopen is not None:
            hours = (reopen.at - resolution.at).total_seconds() / 3600
            return made(
                "missed_escalation",
                "missed_escalation.reopened",
                f"never escalated; reopened {hours:.1f} h after it was resolved",
                reopen.at,
            )
    repeat = repeat_contact(facts, r)
    if repeat is not None and facts.contact is not None:
        gap = repeat.started_at - facts.contact.started_at
        after = (
            f"{gap.total_seconds() / 3600:.1f} h"
            if gap < timedelta(days=1)
            else f"{gap / timedelta(days=1):.1f} days"
        )
        return made(
            "missed_escalation",
            "missed_escalation.repeat_contact",
            f"never escalated; the customer came back on {repeat.intent!r} {after} later "
            f"(conversation {repeat.conversation_id})",
            repeat.started_at,
        )
    if not outcomes:
        return made("unknown", "unknown.no_outcome", "no outcome yet", None)
    by_bot = [o for o in resolutions if o.resolved_by == "bot"]
    if by_bot:
        return made(
            "contained", "contained.bot_resolved", "resolved by the bot; nothing negative since", by_bot[0].at
        )
    if resolutions:
        who = resolutions[-1].resolved_by
        return made("unknown", f"unknown.resolved_by_{who}", f"resolved by {who} without an escalation", None)
    return made("unknown", "unknown.not_resolved", "rated or reopened, never resolved", None)
