"""The `insights` capability's contracts: one summary per conversation (what the console lists), the KPI buckets
the summaries add up to, and the KPI report (`GET /v1/kpis`, `baton kpis`, `baton report`, the console).

The flow (`docs/kpis.md`):
- the `insights` consumer folds every event about a conversation into its `ConversationSummary` (order- and
  repeat-independent, like the feedback labels), stored in the conversation's partition (sk `INSIGHTS`) and
  indexed by status and last activity (GSI `by_status`: the console's list, never a Scan);
- each summary *contributes* counters to KPI buckets (`Bucket`: one per day the conversation started, per
  dimension value); a change of the summary applies the difference of its contributions, in the same
  transaction, so the buckets always equal the sum over the stored summaries;
- `Kpis` is computed from the buckets of a date range: a few hundred items whatever the traffic.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from baton.models import UtcDatetime

PathName = Literal["bot_only", "escalated", "direct_to_agent"]
"""How a conversation was served: the bot alone; escalated by Baton; an agent joined without an escalation."""
PATHS: tuple[PathName, ...] = ("bot_only", "escalated", "direct_to_agent")

EscalationKind = Literal["customer_requested", "guardrail", "model"]
"""Why Baton escalated: the customer asked for a person (the `human_requested` guardrail); another guardrail
(legal threat, data loss...); or the model's risk."""
ESCALATION_KINDS: tuple[EscalationKind, ...] = ("customer_requested", "guardrail", "model")

LabelName = Literal["false_escalation", "missed_escalation", "true_escalation", "contained", "unknown"]

Dimension = Literal["all", "intent", "product_area", "segment", "page", "incident", "reason"]
"""KPI bucket dimensions. `all`, `intent`, `product_area` and `segment` carry every counter; `page`, `incident`
and `reason` only the driver counters (`conversations`, `escalated`)."""


class Assignee(BaseModel):
    id: str
    name: str | None = None


class ConversationSummary(BaseModel):
    """One conversation as a support lead sees it in a list, and what its KPIs are computed from."""

    conversation_id: str
    customer_id: str | None = None
    account_id: str | None = None
    language: str | None = None
    segment: str | None = Field(
        default=None, description="The account's segment, else its plan (context store)"
    )
    started_at: UtcDatetime | None = Field(default=None, description="The first message's sent_at")
    last_activity_at: UtcDatetime | None = Field(default=None, description="The latest event's time")
    messages: int = Field(default=0, description="Messages seen (the highest seq)")
    status: str = Field(
        default="open", description="As `GET /v1/conversations/{id}` shows it (ConversationStatus)"
    )
    intent: str | None = Field(default=None, description="The first confidently scored customer intent")
    product_area: str | None = None
    page: str | None = Field(default=None, description="The page's path (no query string: it may hold PII)")
    action: Literal["resolve", "monitor", "escalate"] | None = Field(
        default=None, description="The latest decision's action"
    )
    risk: float | None = Field(default=None, description="The latest decision's risk")
    max_risk: float | None = Field(default=None, description="The highest risk any decision gave")
    latest_reason: str | None = Field(
        default=None,
        description="What a support lead reads first: the escalation's top reason once escalated, else the latest "
        "decision's top reason",
    )
    escalated_at: UtcDatetime | None = Field(default=None, description="The escalating message's sent_at")
    escalation_decided_at: UtcDatetime | None = Field(
        default=None, description="When Baton decided to escalate: the time to assign counts from it"
    )
    escalation_seq: int | None = None
    escalation_kind: EscalationKind | None = None
    escalation_reasons: list[str] = Field(
        default_factory=list, description="The escalating decision's reason codes"
    )
    incidents: list[str] = Field(default_factory=list, description="Incident ids the decisions matched")
    queued_since: UtcDatetime | None = None
    assigned_at: UtcDatetime | None = None
    assignee: Assignee | None = None
    first_agent_reply_at: UtcDatetime | None = None
    resolved_at: UtcDatetime | None = None
    resolved_by: Literal["bot", "agent", "unknown"] | None = None
    csat: int | None = Field(default=None, description="The latest rating, 1-5")
    reopened: int = Field(default=0, description="Reopens seen")
    repeat_contact: bool = Field(
        default=False,
        description="The same customer contacted support on the same intent within 7 days before",
    )
    label: LabelName | None = Field(default=None, description="The outcome label (`baton.feedback`)")
    label_rule: str | None = None

    @property
    def path(self) -> PathName:
        if self.escalated_at is not None:
            return "escalated"
        if self.first_agent_reply_at is not None or self.assigned_at is not None:
            return "direct_to_agent"
        return "bot_only"


class ConversationPage(BaseModel):
    """`GET /v1/conversations`: newest activity first."""

    conversations: list[ConversationSummary]
    next_cursor: str | None = Field(
        default=None, description="Pass as `cursor` for the next page; null at the end"
    )


class Bucket(BaseModel):
    """The counters of the conversations that started on `day` and have `value` on `dimension`."""

    day: date
    dimension: Dimension
    value: str
    counters: dict[str, float] = Field(default_factory=dict)


class Timing(BaseModel):
    n: int = 0
    mean_s: float | None = None
    p50_s: float | None = Field(default=None, description="Approximate (log-spaced histogram buckets)")


class Csat(BaseModel):
    n: int = 0
    mean: float | None = None
    low_rate: float | None = Field(default=None, description="Share of ratings <= 2")


class Metrics(BaseModel):
    """Every KPI of one slice (a week, an intent...). Rates are null when their denominator is 0."""

    conversations: int = 0
    escalated: int = 0
    escalation_rate: float | None = None
    escalated_by_kind: dict[str, int] = Field(
        default_factory=dict, description="customer_requested, guardrail, model"
    )
    escalation_rate_by_kind: dict[str, float | None] = Field(default_factory=dict)
    contained: int = 0
    containment_rate: float | None = Field(default=None, description="contained / conversations")
    false_escalations: int = 0
    false_escalation_rate: float | None = Field(
        default=None, description="false / labelled escalations (true + false)"
    )
    missed_escalations: int = 0
    missed_escalation_rate: float | None = Field(
        default=None, description="missed / labelled conversations never escalated (missed + contained)"
    )
    labels: dict[str, int] = Field(default_factory=dict, description="Outcome mix: label -> conversations")
    time_to_escalate: Timing = Field(
        default_factory=Timing, description="First message -> escalating message"
    )
    time_to_assign: Timing = Field(default_factory=Timing, description="Escalation -> an agent assigned")
    time_to_first_agent_reply: Timing = Field(
        default_factory=Timing, description="Escalation -> first agent message"
    )
    reopened: int = 0
    reopen_rate: float | None = None
    repeat_contacts: int = 0
    repeat_contact_rate: float | None = None
    csat: dict[str, Csat] = Field(
        default_factory=dict, description="By path: bot_only, escalated, direct_to_agent"
    )


class Slice(Metrics):
    value: str = Field(description="The week (`2026-W45`), intent, product area or segment")


class DayPoint(BaseModel):
    day: date
    conversations: int
    escalated: int
    escalation_rate: float | None = None


class Driver(BaseModel):
    value: str
    conversations: int
    escalated: int
    escalation_rate: float | None = None
    share_of_escalations: float | None = None


class Drivers(BaseModel):
    intents: list[Driver] = Field(default_factory=list)
    pages: list[Driver] = Field(default_factory=list)
    incidents: list[Driver] = Field(default_factory=list)
    reasons: list[Driver] = Field(default_factory=list)


class DriftItem(BaseModel):
    value: str
    this_week: float | None
    last_week: float | None
    change_pts: float | None
    conversations_this_week: int = 0


class Drift(BaseModel):
    """Week-over-week: the last 7 days of the range against the 7 before."""

    this_week: str
    last_week: str
    escalation_rate_change_pts: float | None = None
    alert: bool = Field(
        default=False, description="A move of at least `threshold_pts` on enough conversations"
    )
    threshold_pts: float = 10.0
    intents: list[DriftItem] = Field(default_factory=list, description="Largest moves first")


class CalibrationBin(BaseModel):
    """Among labelled conversations whose highest risk fell in [low, high): how often a human was needed
    (`true_escalation` or `missed_escalation`, against `contained` or `false_escalation`)."""

    low: float
    high: float
    conversations: int
    needed_human_rate: float | None = None
    mean_risk: float | None = None


class Kpis(BaseModel):
    start: date = Field(alias="from", description="First day (UTC), inclusive")
    end: date = Field(alias="to", description="Last day (UTC), inclusive")
    generated_at: datetime
    totals: Metrics
    by_day: list[DayPoint] = Field(default_factory=list)
    by_week: list[Slice] = Field(default_factory=list)
    by_intent: list[Slice] = Field(default_factory=list)
    by_product_area: list[Slice] = Field(default_factory=list)
    by_segment: list[Slice] = Field(default_factory=list)
    drivers: Drivers = Field(default_factory=Drivers)
    drift: Drift | None = None
    calibration: list[CalibrationBin] = Field(default_factory=list)

    model_config = {"populate_by_name": True}
