"""Contracts of the routing capability that others read: agents, assignments and the handoff packet.

The packet (`HandoffPacket`, versioned, JSON Schema in `events/schemas/`) is what an agent needs so the
customer never repeats a word: why Baton escalated, the problem in the customer's own words, the intent and
product area, the entities the customer typed, every bot attempt and how the customer took it, how the
conversation felt, the account, matched incidents and earlier contacts, a suggested first step, a summary of at
most 100 words and a Markdown note of at most 1,700 characters (what a helpdesk shows). It is built
deterministically from what Baton already holds (`baton.routing.packet.build_packet`).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from baton.models import Id, Reason, UtcDatetime

AgentStatus = Literal["online", "away", "offline"]

Language = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$")]
Tag = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{1,64}$")]

SUMMARY_MAX_WORDS = 100
NOTE_MAX_CHARS = 1700
PACKET_VERSION: Literal["1"] = "1"


class Agent(BaseModel):
    """A human agent Baton routes to (`baton agents import`, or `AgentUpdated` from an integration)."""

    model_config = ConfigDict(extra="forbid")

    id: Id
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    email: Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+$", max_length=320)] | None = None
    languages: list[Language] = Field(min_length=1, description="BCP 47 tags, e.g. `en`, `pt-BR`")
    product_areas: list[Tag] = Field(default_factory=list, description="The taxonomy's product areas")
    skills: list[Tag] = Field(default_factory=list, description="The taxonomy's skills")
    capacity: int = Field(ge=0, le=100, description="Concurrent conversations")
    status: AgentStatus = "offline"
    helpdesk_id: Annotated[str, StringConstraints(max_length=128)] | None = Field(
        default=None, description="The agent's user id in the helpdesk (Zendesk user, Intercom admin)"
    )
    team: Annotated[str, StringConstraints(max_length=128)] | None = Field(
        default=None, description="The helpdesk group or team, used when no agent is set"
    )


class Assignment(BaseModel):
    """Who took the escalation, when, and why this agent (`reasons`: matched language, area and skill, the
    relaxation step, the load)."""

    agent_id: Id
    agent_name: str
    assigned_at: UtcDatetime
    reasons: list[str] = Field(default_factory=list)
    step: int = Field(
        default=0, ge=0, description="0: every preference held; 1, 2...: relaxed that many times"
    )
    helpdesk_id: str | None = None
    team: str | None = None


# ------------------------------------------------------------------------------------------------ packet


class Quote(BaseModel):
    seq: int
    text: str
    sent_at: UtcDatetime | None = None


class Why(BaseModel):
    escalated_seq: int
    risk: float
    guardrail: str | None = None
    reasons: list[Reason] = Field(default_factory=list, description="With their evidence, highest first")


class Problem(BaseModel):
    first_request: Quote | None = Field(default=None, description="The customer's first substantive message")
    latest: Quote | None = Field(default=None, description="The customer's latest message")


class Classification(BaseModel):
    intent: str | None = None
    intent_confidence: float | None = None
    product_area: str | None = None
    skill: str | None = None


EntityKind = Literal[
    "order_id", "invoice_id", "ticket_id", "amount", "date", "error_code", "product", "email", "phone", "url"
]


class Entity(BaseModel):
    kind: EntityKind
    value: str
    seq: int = Field(description="The customer message it was typed in")


class BotAttempt(BaseModel):
    seq: int
    text: str
    attempt: str | None = Field(
        default=None, description="What the bot tried (article, flow, action), as the bot reported it"
    )
    confidence: float | None = None
    reaction: Literal["positive", "neutral", "negative", "rephrased", "repeated", "asked_for_human", "none"]
    """How the customer's next message took it (`none`: no customer message after it)."""
    failed_because: str | None = Field(
        default=None, description="Why it counts as failed; None when it stood"
    )


class FeelingPoint(BaseModel):
    seq: int
    sentiment: float | None = None
    frustration: float | None = None


class Feeling(BaseModel):
    start: FeelingPoint | None = None
    peak: FeelingPoint | None = Field(default=None, description="The most frustrated customer message")
    last: FeelingPoint | None = None
    frustration_began: Quote | None = Field(
        default=None, description="The first customer message whose frustration crossed the threshold"
    )


class AccountSummary(BaseModel):
    id: str | None = None
    plan: str | None = None
    annual_value: float | None = None
    renewal_date: date | None = None
    health: str | None = Field(default=None, description="`at_risk`, `new` (first 30 days), `healthy`...")


class IncidentRef(BaseModel):
    id: str
    title: str
    eta: str | None = None
    eta_passed: bool = Field(
        default=False, description="The ETA is a timestamp already past: do not promise it to the customer"
    )


class ContactRef(BaseModel):
    conversation_id: str
    intent: str | None = None
    closed_at: UtcDatetime | None = None
    outcome: str | None = None


class HandoffPacket(BaseModel):
    """What an agent reads so the customer never repeats a word: why Baton escalated, the problem in the
    customer's own words, the intent and product area, the entities the customer typed, each bot attempt and how
    the customer took it, how the conversation felt, the account, matched incidents and earlier contacts, a
    suggested first step, a summary (at most 100 words) and a Markdown note (at most 1,700 characters). Built by
    `baton.routing.packet.build_packet`; quotes of messages redacted since are emptied (`redact_packet`)."""

    version: Literal["1"] = PACKET_VERSION
    conversation_id: Id
    built_at: UtcDatetime
    language: str | None = None
    why: Why
    problem: Problem
    classification: Classification
    entities: list[Entity] = Field(default_factory=list)
    bot_attempts: list[BotAttempt] = Field(default_factory=list)
    feeling: Feeling
    account: AccountSummary | None = None
    incidents: list[IncidentRef] = Field(default_factory=list)
    history: list[ContactRef] = Field(default_factory=list)
    next_step: str
    summary: str = Field(description=f"At most {SUMMARY_MAX_WORDS} words")
    note: str = Field(max_length=NOTE_MAX_CHARS, description="Markdown, what a helpdesk shows")
    message_seqs: dict[str, int] = Field(
        default_factory=dict,
        description="The seq of every message the packet read (quotes, entities, bot attempts), by message id: "
        "how a later redaction finds what to forget (`baton.routing.packet.redact_packet`)",
    )
