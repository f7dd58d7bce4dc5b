"""Events on the Baton bus: versioned contracts shared by every publisher and consumer.

Conventions (documented in README "Event contracts"):
- `source` is `baton.<capability>` of the producer (`baton.ingestion`, `baton.scoring`, ...).
- `detail-type` is the past-tense class name (`MessageReceived`).
- `detail` is the model below: it always carries `event_version`, `event_id` (deterministic per
  business fact, so a retried publish is recognisably the same event), `occurred_at` and
  `conversation_id`. Conversation-scoped events carry `seq`, the message's position in the
  conversation: consumers that need order apply `seq` n only after n-1 (see `baton.bus`).
- A breaking change bumps `event_version` and keeps publishing the old version until consumers move.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from baton.context.models import Account, Incident
from baton.handoff import Agent, AgentStatus, Assignment, HandoffPacket
from baton.models import (
    BotInfo,
    Customer,
    EscalationCause,
    Id,
    Page,
    Reason,
    Role,
    ShadowDecision,
    Source,
    UtcDatetime,
    redaction_update,
    utcnow,
)

BUS_SOURCE_PREFIX = "baton."


def event_id_for(*parts: str) -> str:
    """A stable id for a business fact (e.g. message X of conversation Y was received)."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


class BusEvent(BaseModel):
    """Base of every `detail`. Subclasses set SOURCE, DETAIL_TYPE and VERSION."""

    model_config = ConfigDict(extra="allow")  # newer minor fields must not break older consumers

    SOURCE: ClassVar[str]
    DETAIL_TYPE: ClassVar[str]
    VERSION: ClassVar[int] = 1

    event_version: int = 1
    event_id: str
    occurred_at: UtcDatetime = Field(default_factory=utcnow)

    def entry(self, bus_name: str) -> dict[str, Any]:
        """The PutEvents entry for this event."""
        return {
            "Source": self.SOURCE,
            "DetailType": self.DETAIL_TYPE,
            "Detail": self.model_dump_json(),
            "EventBusName": bus_name,
        }


class EventDetail(BusEvent):
    """Base of the conversation-scoped events."""

    conversation_id: Id


class MessageSnapshot(BaseModel):
    message_id: Id
    seq: int = Field(ge=1)
    role: Role
    text: str
    sent_at: UtcDatetime
    received_at: UtcDatetime
    source: Source
    customer: Customer
    channel: str | None = None
    page: Page | None = None
    bot: BotInfo | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    redacted_at: UtcDatetime | None = Field(
        default=None,
        description="Set when the helpdesk redacted the message before this event was (re)published: "
        "`text` is empty and there is nothing to score",
    )

    def redacted(self, at: datetime) -> MessageSnapshot:
        """This snapshot as the store now holds the message (`baton.models.StoredMessage.redacted`)."""
        if self.redacted_at is not None:
            return self
        return self.model_copy(update=redaction_update(self.bot, at))


class MessageReceived(EventDetail):
    """A message was stored in a conversation (from the API, a webhook or a partner event)."""

    SOURCE: ClassVar[str] = "baton.ingestion"
    DETAIL_TYPE: ClassVar[str] = "MessageReceived"

    seq: int = Field(ge=1)
    message: MessageSnapshot

    @model_validator(mode="after")
    def _seq_is_the_message_seq(self) -> MessageReceived:
        if self.message.seq != self.seq:
            raise ValueError(f"message.seq is {self.message.seq} but the event's seq is {self.seq}")
        return self

    @property
    def message_id(self) -> str:
        return self.message.message_id


class MessageRedacted(EventDetail):
    """The helpdesk redacted a message: every capability that keeps something of it (the arc's fingerprints
    of recent messages, the latest scored message, a decision quoting it) forgets it, and a message not
    processed yet is processed as redacted. Published by ingestion after the store forgot the text; not
    ordered with the conversation's messages (it may arrive before the message itself)."""

    SOURCE: ClassVar[str] = "baton.ingestion"
    DETAIL_TYPE: ClassVar[str] = "MessageRedacted"

    message_id: Id
    redacted_at: UtcDatetime


class Scores(BaseModel):
    """Per-message scores (filled by the scoring capability)."""

    model_config = ConfigDict(extra="allow")

    sentiment: Annotated[float, Field(ge=-1, le=1)] | None = None
    frustration: Annotated[float, Field(ge=0, le=1)] | None = None
    intent: str | None = None
    intent_confidence: Annotated[float, Field(ge=0, le=1)] | None = None
    out_of_scope: bool | None = None
    complexity: Annotated[float, Field(ge=0, le=1)] | None = None
    bot_confidence: Annotated[float, Field(ge=0, le=1)] | None = None
    rephrase_of: str | None = Field(
        default=None,
        description="The earlier customer message (id) this one says again in other words (semantic similarity)",
    )
    negative_feedback: bool | None = None
    asks_for_human: bool | None = None
    repeat_of: str | None = Field(
        default=None, description="The earlier customer message (id) this one repeats nearly word for word"
    )
    product_area: str | None = Field(default=None, description="The intent's product area (the taxonomy's)")
    skill: str | None = Field(default=None, description="The skill the intent requires (the taxonomy's)")
    triggers: dict[str, Annotated[float, Field(ge=0, le=1)]] | None = Field(
        default=None,
        description="The trigger model's probability per trigger (`cancellation_refund`, `human_request`...), "
        "those >= 0.05 only; the decision's guardrails trip at `guardrails.model_thresholds`",
    )
    needs_person: Annotated[float, Field(ge=0, le=1)] | None = Field(
        default=None,
        description="The handover model's probability that a support lead wants a person on the conversation now "
        "(the message read with the earlier customer messages); the decision escalates (`needs_person`) at "
        "`guardrails.needs_person`",
    )


class Arc(BaseModel):
    """The conversation's trajectory after this message (filled by the scoring capability)."""

    model_config = ConfigDict(extra="allow")

    sentiment_ewma: float | None = Field(
        default=None, description="Exponentially weighted mean of the customer's sentiment (-1..1)"
    )
    sentiment_slope: float | None = Field(
        default=None, description="Least-squares slope of the last customer sentiments, per customer turn"
    )
    volatility: float | None = Field(
        default=None, description="Standard deviation of the turn-to-turn changes of the customer's sentiment"
    )
    peak_frustration: float | None = None
    turns_since_positive: int | None = Field(
        default=None,
        description="Customer turns since the last positive customer message (since the start when none was)",
    )
    repeats: int = 0
    rephrasings: int = 0
    bot_failures: int = Field(
        default=0,
        description="Bot answers that failed: low confidence, or followed by negative feedback, a repeat or "
        "rephrasing of an earlier question, or a request for a human",
    )
    customer_turns: int = 0
    bot_turns: int = 0
    agent_turns: int = 0
    human_requests: int = Field(default=0, description="Customer messages asking for a human")
    negative_feedback: int = Field(default=0, description="Customer messages saying an answer did not help")
    bot_failure_reasons: dict[str, int] = Field(
        default_factory=dict,
        description="`bot_failures` by reason: repeated_answer, low_confidence, negative_feedback, repeat, "
        "rephrase, asked_for_human, overdue (the customer waited longer than the answer's time frame); an "
        "unsure answer the customer then shows failed is counted under the customer's reason",
    )
    last_bot_confidence: float | None = Field(
        default=None, description="The confidence the bot gave its latest answer, when it sent one"
    )
    last_bot_failed: str | None = Field(
        default=None,
        description="Why the bot's latest answer failed (a `bot_failure_reasons` key); null while it stands",
    )
    unscored_messages: int = Field(
        default=0,
        description="Messages never scored because they did not arrive in time (the arc went on without them)",
    )


class MessageScored(EventDetail):
    SOURCE: ClassVar[str] = "baton.scoring"
    DETAIL_TYPE: ClassVar[str] = "MessageScored"

    seq: int = Field(ge=1)
    message_id: Id
    role: Role
    scores: Scores
    arc: Arc
    model_versions: dict[str, str] = Field(default_factory=dict)
    message: MessageSnapshot | None = Field(
        default=None,
        description="The scored message (text, customer and account, page): the decision enriches and checks "
        "guardrails from it without reading the conversation back. Absent from events of scoring versions "
        "before it was added",
    )


class EscalationDecided(EventDetail):
    SOURCE: ClassVar[str] = "baton.decision"
    DETAIL_TYPE: ClassVar[str] = "EscalationDecided"

    seq: int = Field(ge=1)
    message_id: Id
    action: Literal["resolve", "monitor", "escalate"]
    risk: Annotated[float, Field(ge=0, le=1)]
    reasons: list[Reason] = Field(default_factory=list)
    guardrail: str | None = Field(default=None, description="Set when a guardrail forced escalation")
    escalated_because: EscalationCause | None = Field(
        default=None,
        description="On every decision after the escalation: the escalating message's seq, risk, guardrail "
        "and reasons",
    )
    model_version: str
    decided_at: UtcDatetime = Field(default_factory=utcnow)
    sent_at: UtcDatetime | None = Field(
        default=None,
        description="When the decided message was sent: the time labels use, so a replay labels like live traffic",
    )
    shadow: ShadowDecision | None = Field(
        default=None,
        description="What the shadow challenger would have decided (when one is configured); it never acts",
    )


AGENTS_SOURCE = "baton.agents"
"""Where workforce integrations (or `baton agents import`) publish agent events."""


class AgentStatusChanged(BusEvent):
    """An agent went online, away or offline (a helpdesk presence integration)."""

    SOURCE: ClassVar[str] = AGENTS_SOURCE
    DETAIL_TYPE: ClassVar[str] = "AgentStatusChanged"

    agent_id: Id
    status: AgentStatus


class AgentUpdated(BusEvent):
    """An agent's profile was created or changed (languages, areas, skills, capacity, status...)."""

    SOURCE: ClassVar[str] = AGENTS_SOURCE
    DETAIL_TYPE: ClassVar[str] = "AgentUpdated"

    agent: Agent


class HandedBack(EventDetail):
    """The agent handed the conversation back to the bot (`POST /v1/conversations/{id}/handback`, or the
    helpdesk's status): the agent's capacity frees up, and only a new trigger escalates again."""

    SOURCE: ClassVar[str] = "baton.ingestion"
    DETAIL_TYPE: ClassVar[str] = "HandedBack"

    agent_id: Id | None = None
    reason: str | None = None


class RoutingClockTicked(BusEvent):
    """The routing clock: a scheduled rule (deployed: every minute) or `baton local` (every few seconds) makes
    the capacity consumer look at the queue again, so a waiting escalation reaches its next relaxation step
    even when no capacity event comes."""

    SOURCE: ClassVar[str] = "baton.routing"
    DETAIL_TYPE: ClassVar[str] = "RoutingClockTicked"


class HandoffPrepared(EventDetail):
    """An escalation was routed: assigned to an agent, or queued for the next one, with its handoff packet.
    Published once per escalation, and again when a queued escalation is assigned."""

    SOURCE: ClassVar[str] = "baton.routing"
    DETAIL_TYPE: ClassVar[str] = "HandoffPrepared"

    seq: int = Field(ge=1, description="The escalating message")
    message_id: Id
    assignment: Assignment | None = Field(default=None, description="None while queued")
    queued_since: UtcDatetime | None = None
    handoff: HandoffPacket


class OutcomeRecorded(EventDetail):
    """The helpdesk reported how a conversation went (status change or CSAT)."""

    SOURCE: ClassVar[str] = "baton.ingestion"
    DETAIL_TYPE: ClassVar[str] = "OutcomeRecorded"

    source: Source
    kind: Literal["resolved", "closed", "reopened", "rated"]
    csat: Annotated[int, Field(ge=1, le=5)] | None = None
    csat_comment: str | None = None
    resolved_by: Literal["bot", "agent", "unknown"] = "unknown"
    time_to_resolve_s: float | None = None
    native: dict[str, Any] = Field(default_factory=dict, description="Helpdesk ids for traceability")


class OutcomeLabeled(EventDetail):
    """What a conversation turned out to be (`baton.feedback.labels`); published again whenever a later event
    changes the label."""

    SOURCE: ClassVar[str] = "baton.feedback"
    DETAIL_TYPE: ClassVar[str] = "OutcomeLabeled"

    label: Literal["false_escalation", "missed_escalation", "true_escalation", "contained", "unknown"]
    rule: str = Field(description="The rule that fired, e.g. `false_escalation.quick_agent_resolution`")
    reason: str
    rules_version: str
    at: UtcDatetime | None = None


CONTEXT_SOURCE = "baton.context"
"""Source of the context events: what CRM and bug-tracker integrations put on the bus (see README)."""


class AccountUpdated(BusEvent):
    """An account was created or changed in the CRM: the whole account, replacing the stored one."""

    SOURCE: ClassVar[str] = CONTEXT_SOURCE
    DETAIL_TYPE: ClassVar[str] = "AccountUpdated"

    account: Account


class IncidentOpened(BusEvent):
    """A known incident was opened or updated (same id: the stored one is replaced)."""

    SOURCE: ClassVar[str] = CONTEXT_SOURCE
    DETAIL_TYPE: ClassVar[str] = "IncidentOpened"

    incident: Incident


class IncidentResolved(BusEvent):
    """A known incident is over: it stops matching conversations."""

    SOURCE: ClassVar[str] = CONTEXT_SOURCE
    DETAIL_TYPE: ClassVar[str] = "IncidentResolved"

    incident_id: Id
    resolved_at: UtcDatetime = Field(default_factory=utcnow)


EVENT_TYPES: dict[str, type[BusEvent]] = {
    cls.DETAIL_TYPE: cls
    for cls in (
        MessageReceived,
        MessageRedacted,
        MessageScored,
        EscalationDecided,
        HandoffPrepared,
        HandedBack,
        OutcomeRecorded,
        OutcomeLabeled,
        AgentStatusChanged,
        AgentUpdated,
        RoutingClockTicked,
        AccountUpdated,
        IncidentOpened,
        IncidentResolved,
    )
}


def parse_detail(detail_type: str, detail: dict[str, Any]) -> BusEvent:
    """Validate an incoming `detail` against its contract; KeyError for an unknown detail-type."""
    return EVENT_TYPES[detail_type].model_validate(detail)
