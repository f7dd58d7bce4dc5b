"""Outcome labels: what each conversation turned out to be, from its events alone (pure, versioned rules).

The facts (`Facts`) are what the events say, each timestamped by its own event: when the decision first
escalated, when routing assigned an agent, the agents' messages, and every outcome (resolved, closed,
reopened, rated, with who resolved and the CSAT). The label is a pure function of the facts and the rules
(`LabelRules`), so a replay or a backfill of the same events gives the same labels, in any order:

- `false_escalation`: escalated, then resolved by an agent within `false_escalation_minutes` of the escalation
  (default 5), with at most `max_agent_messages` agent messages (default 1) and no CSAT <= `low_csat` (2);
- `missed_escalation`: never escalated, and a CSAT <= 2, or a reopen within `reopen_hours` (72) of a resolution;
- `true_escalation`: escalated, with an outcome, and not false;
- `contained`: resolved by the bot, and nothing negative since (a later low CSAT or reopen relabels it);
- `unknown`: otherwise, with the reason (no outcome yet; resolved by an agent without an escalation...).

Each label names the rule that fired (`Label.rule`, e.g. `false_escalation.quick_agent_resolution`) and the
rules' version.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, Field

from baton.models import UtcDatetime

LabelName = Literal["false_escalation", "missed_escalation", "true_escalation", "contained", "unknown"]


class LabelRules(BaseModel):
    version: str = "labels-1"
    false_escalation_minutes: float = 5.0
    max_agent_messages: int = 1
    low_csat: int = 2
    reopen_hours: float = 72.0


class OutcomeFact(BaseModel):
    event_id: str
    kind: Literal["resolved", "closed", "reopened", "rated"]
    at: UtcDatetime
    resolved_by: Literal["bot", "agent", "unknown"] = "unknown"
    csat: int | None = None


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
