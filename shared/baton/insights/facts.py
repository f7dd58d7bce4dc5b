"""The facts of one conversation as the `insights` capability keeps them (`InsightsState`), and its summary.

Events come in any order and more than once, like the feedback labels' (`baton.feedback.labels.Facts`): each
event adds what it says to a union keyed by what identifies it (the lowest seq, the earliest escalation, the
latest decision by seq, handoffs and outcomes by event id), so applying an event twice changes nothing and any
order gives the same state. `summarize` is a pure function of the state: the conversation as the console lists
it (`ConversationSummary`), with its status derived the way `GET /v1/conversations/{id}` shows it:

- a helpdesk status wins: the latest of the outcomes `resolved`, `closed` and `reopened` (a reopen reopens);
- else routing's: `assigned` or `queued` (an escalation routed, a reopened escalation queued again), until a
  hand-back or the end of the conversation;
- else the latest decision's (`open`, `monitoring`, `escalated`), except that a hand-back after an escalating
  decision returns the conversation to the bot: `monitoring` (the decision engine's mode after a hand-back);
- else `open`.

Two facts come from outside the events, looked up by the service: the account's segment (`with_segment`, once
`needs_account` names the account) and whether the customer contacted support on the same intent within the 7
days before (`with_repeat_contact`, once `intent_started` knows the intent and the start).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, Field

from baton.decision.engine import HUMAN_REQUESTED
from baton.decision.store import STATUS_OF_ACTION
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
)
from baton.feedback.contacts import contact_intent
from baton.insights.models import Assignee, ConversationSummary, EscalationKind, LabelName
from baton.models import ConversationStatus, Reason, UtcDatetime

EVENTS: tuple[type[BusEvent], ...] = (
    MessageReceived,
    MessageScored,
    MessageRedacted,
    EscalationDecided,
    HandoffPrepared,
    HandedBack,
    OutcomeRecorded,
    OutcomeLabeled,
)
"""The events the summary reads (`MessageRedacted`: a redacted message's page is forgotten)."""

PAGES_KEPT = 5
"""Pages remembered: those of the lowest-seq messages that had one (the summary shows the first not redacted)."""
MAX_INCIDENTS = 10

Action = Literal["resolve", "monitor", "escalate"]


class FirstMessage(BaseModel):
    seq: int
    sent_at: UtcDatetime
    customer_id: str
    account_id: str
    language: str | None = None


class PageSeen(BaseModel):
    seq: int
    path: str


class IntentSeen(BaseModel):
    seq: int
    intent: str
    product_area: str | None = None


class AreaSeen(BaseModel):
    seq: int
    product_area: str


class DecisionSeen(BaseModel):
    seq: int
    decided_at: UtcDatetime
    event_id: str
    action: Action
    risk: float
    top_reason: str | None = None


class EscalationSeen(BaseModel):
    """The escalation, from the escalating decision itself or, until it comes, from a later decision's
    `escalated_because` (`indirect`: then `at` is that later message's time, replaced by the earlier one)."""

    at: UtcDatetime
    seq: int
    decided_at: UtcDatetime | None = None
    """When Baton decided it (processing time): what the time to assign counts from, since routing starts then;
    `at` is the message's time, for a replay that labels like live traffic."""
    indirect: bool = False
    guardrail: str | None = None
    reasons: list[str] = Field(default_factory=list)
    top_reason: str | None = None


class HandoffSeen(BaseModel):
    at: UtcDatetime
    seq: int
    assigned_at: UtcDatetime | None = None
    agent_id: str | None = None
    agent_name: str | None = None
    queued_since: UtcDatetime | None = None


class OutcomeSeen(BaseModel):
    kind: Literal["resolved", "closed", "reopened", "rated"]
    at: UtcDatetime
    resolved_by: Literal["bot", "agent", "unknown"] = "unknown"
    csat: int | None = None


class LabelSeen(BaseModel):
    at: UtcDatetime
    event_id: str
    label: LabelName
    rule: str


class InsightsState(BaseModel):
    """What the events said about one conversation (a union: applying an event twice changes nothing)."""

    first: FirstMessage | None = Field(default=None, description="The lowest-seq message seen")
    max_seq: int = 0
    pages: dict[str, PageSeen] = Field(default_factory=dict, description="Message id -> its page's path")
    redacted: list[str] = Field(default_factory=list, description="Redacted message ids (sorted)")
    intent: IntentSeen | None = Field(
        default=None, description="The lowest-seq customer message with a contact intent"
    )
    area: AreaSeen | None = Field(
        default=None, description="The lowest-seq customer message with a product area"
    )
    latest_decision: DecisionSeen | None = None
    max_risk: float | None = None
    escalation: EscalationSeen | None = Field(default=None, description="The earliest escalation")
    incidents: dict[str, int] = Field(
        default_factory=dict, description="Incident id -> the first seq matching it"
    )
    agent_messages: dict[str, UtcDatetime] = Field(default_factory=dict, description="Message id -> sent at")
    handoffs: dict[str, HandoffSeen] = Field(default_factory=dict, description="By event id and time")
    handbacks: dict[str, UtcDatetime] = Field(default_factory=dict, description="By event id and time")
    outcomes: dict[str, OutcomeSeen] = Field(default_factory=dict, description="By event id")
    label: LabelSeen | None = Field(default=None, description="The latest label published")
    last_activity_at: UtcDatetime | None = None
    segment: str | None = None
    segment_checked: bool = Field(default=False, description="The account's segment was looked up")
    repeat_contact: bool = False


# ------------------------------------------------------------------------------------------------ events


def with_event(state: InsightsState, event: BusEvent) -> InsightsState:
    """The state after one event (the same state when the event says nothing new)."""
    if isinstance(event, MessageReceived):
        return _with_message(state, event.message)
    if isinstance(event, MessageScored):
        return _with_scored(state, event)
    if isinstance(event, MessageRedacted):
        if event.message_id in state.redacted:
            return state
        return _updated(state, redacted=sorted([*state.redacted, event.message_id]))
    if isinstance(event, EscalationDecided):
        return _with_decision(state, event)
    if isinstance(event, HandoffPrepared):
        return _with_handoff(state, event)
    if isinstance(event, HandedBack):
        key = f"{event.event_id}@{event.occurred_at.isoformat()}"
        if key in state.handbacks:
            return state
        return _updated(
            state, handbacks={**state.handbacks, key: event.occurred_at}, activity=event.occurred_at
        )
    if isinstance(event, OutcomeRecorded | OutcomeLabeled):
        return _with_outcome(state, event)
    return state


def _with_outcome(state: InsightsState, event: OutcomeRecorded | OutcomeLabeled) -> InsightsState:
    if isinstance(event, OutcomeLabeled):
        seen = LabelSeen(at=event.occurred_at, event_id=event.event_id, label=event.label, rule=event.rule)
        if state.label is not None and (state.label.at, state.label.event_id) >= (seen.at, seen.event_id):
            return state
        return _updated(state, label=seen)
    if event.event_id in state.outcomes:
        return state
    outcome = OutcomeSeen(
        kind=event.kind, at=event.occurred_at, resolved_by=event.resolved_by, csat=event.csat
    )
    return _updated(state, outcomes={**state.outcomes, event.event_id: outcome}, activity=event.occurred_at)


def with_segment(state: InsightsState, segment: str | None) -> InsightsState:
    """The state with the account's segment looked up (None: the account has none, or is unknown)."""
    if state.segment_checked and state.segment == segment:
        return state
    return state.model_copy(update={"segment": segment, "segment_checked": True})


def with_repeat_contact(state: InsightsState, repeat: bool) -> InsightsState:
    """The state with the service's latest answer to "did this customer contact support on this intent within
    the 7 days before?" (`baton.feedback.contacts`)."""
    if state.repeat_contact == repeat:
        return state
    return state.model_copy(update={"repeat_contact": repeat})


def needs_account(state: InsightsState) -> str | None:
    """The account whose segment the service should look up (None once looked up, or while no message names it)."""
    if state.segment_checked or state.first is None:
        return None
    return state.first.account_id


def intent_started(state: InsightsState) -> tuple[str, datetime] | None:
    """The conversation's intent and start once both are known (the key of its contact record)."""
    if state.intent is None or state.first is None:
        return None
    return state.intent.intent, state.first.sent_at


def page_path(url: str) -> str:
    """The path of a page's URL: no scheme, host, query string or fragment (they may hold PII or tokens)."""
    path = urlsplit(url.strip()).path
    return path or "/"


def _updated(state: InsightsState, *, activity: datetime | None = None, **update: Any) -> InsightsState:
    if activity is not None and (state.last_activity_at is None or activity > state.last_activity_at):
        update["last_activity_at"] = activity
    return state.model_copy(update=update)


def _with_message(state: InsightsState, message: MessageSnapshot) -> InsightsState:
    update: dict[str, Any] = {}
    if message.seq > state.max_seq:
        update["max_seq"] = message.seq
    first = state.first
    if first is None or (message.seq, message.sent_at) < (first.seq, first.sent_at):
        customer = message.customer
        update["first"] = FirstMessage(
            seq=message.seq,
            sent_at=message.sent_at,
            customer_id=customer.id,
            account_id=customer.account_id,
            language=customer.language,
        )
    if message.page is not None and message.message_id not in state.pages:
        pages = {
            **state.pages,
            message.message_id: PageSeen(seq=message.seq, path=page_path(message.page.url)),
        }
        kept = sorted(pages.items(), key=lambda item: (item[1].seq, item[0]))[:PAGES_KEPT]
        if message.message_id in dict(kept):
            update["pages"] = dict(kept)
    if message.role == "agent" and message.message_id not in state.agent_messages:
        update["agent_messages"] = {**state.agent_messages, message.message_id: message.sent_at}
    if state.last_activity_at is None or message.sent_at > state.last_activity_at:
        update["last_activity_at"] = message.sent_at
    return state.model_copy(update=update) if update else state


def _with_scored(state: InsightsState, event: MessageScored) -> InsightsState:
    if event.message is not None:
        state = _with_message(state, event.message)
    elif event.seq > state.max_seq:
        state = state.model_copy(update={"max_seq": event.seq})
    update: dict[str, Any] = {}
    intent = contact_intent(event)
    area = event.scores.product_area
    if intent is not None:
        seen = IntentSeen(seq=event.seq, intent=intent, product_area=area)
        if state.intent is None or (seen.seq, seen.intent) < (state.intent.seq, state.intent.intent):
            update["intent"] = seen
    in_scope = event.role == "customer" and area and not event.scores.out_of_scope
    if (
        in_scope
        and area
        and (state.area is None or (event.seq, area) < (state.area.seq, state.area.product_area))
    ):
        update["area"] = AreaSeen(seq=event.seq, product_area=area)
    return state.model_copy(update=update) if update else state


def _with_decision(state: InsightsState, event: EscalationDecided) -> InsightsState:
    update: dict[str, Any] = {}
    if event.seq > state.max_seq:
        update["max_seq"] = event.seq
    seen = DecisionSeen(
        seq=event.seq,
        decided_at=event.decided_at,
        event_id=event.event_id,
        action=event.action,
        risk=event.risk,
        top_reason=_top(event.reasons),
    )
    latest = state.latest_decision
    if latest is None or (seen.seq, seen.decided_at, seen.event_id) > (
        latest.seq,
        latest.decided_at,
        latest.event_id,
    ):
        update["latest_decision"] = seen
    if state.max_risk is None or event.risk > state.max_risk:
        update["max_risk"] = event.risk
    escalation = _escalation(event)
    if escalation is not None and (
        state.escalation is None or _escalation_key(escalation) < _escalation_key(state.escalation)
    ):
        update["escalation"] = escalation
    incidents = dict(state.incidents)
    for incident_id in _incident_ids(event):
        if incident_id not in incidents or event.seq < incidents[incident_id]:
            incidents[incident_id] = event.seq
    if incidents != state.incidents:
        update["incidents"] = dict(
            sorted(incidents.items(), key=lambda item: (item[1], item[0]))[:MAX_INCIDENTS]
        )
    at = event.sent_at or event.decided_at
    if state.last_activity_at is None or at > state.last_activity_at:
        update["last_activity_at"] = at
    return state.model_copy(update=update) if update else state


def _escalation(event: EscalationDecided) -> EscalationSeen | None:
    if event.action != "escalate":
        return None
    # The message's time, not the decision's: a replay decides later, but summarizes the same.
    at = event.sent_at or event.decided_at
    cause = event.escalated_because
    if cause is not None:
        return EscalationSeen(
            at=at,
            seq=cause.seq,
            decided_at=event.decided_at,
            indirect=True,
            guardrail=cause.guardrail,
            reasons=[r.code for r in cause.reasons],
            top_reason=_top(cause.reasons),
        )
    return EscalationSeen(
        at=at,
        seq=event.seq,
        decided_at=event.decided_at,
        guardrail=event.guardrail,
        reasons=[r.code for r in event.reasons],
        top_reason=_top(event.reasons),
    )


def _escalation_key(escalation: EscalationSeen) -> tuple[datetime, int, bool]:
    return escalation.at, escalation.seq, escalation.indirect


def _top(reasons: list[Reason]) -> str | None:
    return reasons[0].label if reasons else None


def _incident_ids(event: EscalationDecided) -> list[str]:
    """The incidents the decided message matched (an extra field of the event: `Decision.event`)."""
    matched = (event.model_extra or {}).get("incidents") or []
    ids: list[str] = []
    for match in matched:
        incident_id = match.get("id") if isinstance(match, Mapping) else getattr(match, "id", None)
        if isinstance(incident_id, str) and incident_id:
            ids.append(incident_id)
    return ids


def _with_handoff(state: InsightsState, event: HandoffPrepared) -> InsightsState:
    # The same assignment event id comes again when a reopened escalation goes back to the same agent: the
    # time tells the two apart (a retried publish repeats both).
    key = f"{event.event_id}@{event.occurred_at.isoformat()}"
    if key in state.handoffs:
        return state
    assignment = event.assignment
    seen = HandoffSeen(
        at=event.occurred_at,
        seq=event.seq,
        assigned_at=assignment.assigned_at if assignment else None,
        agent_id=assignment.agent_id if assignment else None,
        agent_name=assignment.agent_name if assignment else None,
        queued_since=None if assignment else (event.queued_since or event.occurred_at),
    )
    return _updated(state, handoffs={**state.handoffs, key: seen}, activity=event.occurred_at)


# ------------------------------------------------------------------------------------------------ summary


class _Routing(BaseModel):
    routed: bool = False
    assignee: Assignee | None = None
    queued_since: datetime | None = None

    @property
    def status(self) -> ConversationStatus | None:
        if self.assignee is not None:
            return ConversationStatus.assigned
        if self.queued_since is not None:
            return ConversationStatus.queued
        return None


def _routing(state: InsightsState) -> _Routing:
    """Routing's view after its events in time order: a handoff assigns or queues; a hand-back or the end of the
    conversation frees the agent; a reopen queues an escalation that had been routed (`baton.routing.service.Dispatcher.reopen`)."""
    timeline: list[tuple[datetime, int, str, Any]] = []
    timeline += [(h.at, 0, key, h) for key, h in state.handoffs.items()]
    timeline += [(at, 1, key, None) for key, at in state.handbacks.items()]
    timeline += [(o.at, 2, key, o) for key, o in state.outcomes.items() if o.kind != "rated"]
    routing = _Routing()
    for at, _, _, fact in sorted(timeline, key=lambda t: (t[0], t[1], t[2])):
        if isinstance(fact, HandoffSeen):
            routing.routed = True
            if fact.agent_id is not None:
                routing.assignee, routing.queued_since = (
                    Assignee(id=fact.agent_id, name=fact.agent_name),
                    None,
                )
            else:
                routing.assignee, routing.queued_since = None, fact.queued_since or at
        elif isinstance(fact, OutcomeSeen) and fact.kind == "reopened":
            if routing.routed and routing.assignee is None:
                routing.queued_since = at
        else:  # a hand-back, or the conversation resolved or closed
            routing.assignee, routing.queued_since = None, None
    return routing


def _status(state: InsightsState, routing: _Routing) -> ConversationStatus:
    ended = _latest_outcome(state, ("resolved", "closed", "reopened"))
    if ended is not None and ended.kind != "reopened":
        return ConversationStatus(ended.kind)
    if routing.status is not None:
        return routing.status
    latest = state.latest_decision
    if latest is None:
        return ConversationStatus.open
    if latest.action == "escalate" and any(at >= latest.decided_at for at in state.handbacks.values()):
        return ConversationStatus.monitoring
    return STATUS_OF_ACTION[latest.action]


def escalation_kind(guardrail: str | None) -> EscalationKind:
    """Why Baton escalated: the customer asked for a person, another guardrail, or the model's risk."""
    if guardrail == HUMAN_REQUESTED:
        return "customer_requested"
    return "guardrail" if guardrail else "model"


def _earliest(times: Iterable[datetime], since: datetime | None = None) -> datetime | None:
    return min((t for t in times if since is None or t >= since), default=None)


def _latest_outcome(
    state: InsightsState, kinds: tuple[str, ...], *, rated: bool = False
) -> OutcomeSeen | None:
    """The latest outcome of these kinds (`rated`: that carries a CSAT), by time then event id."""
    found = [
        (o.at, key, o)
        for key, o in state.outcomes.items()
        if o.kind in kinds and (not rated or o.csat is not None)
    ]
    return max(found, key=lambda t: t[:2])[2] if found else None


def summarize(conversation_id: str, state: InsightsState) -> ConversationSummary:
    """The conversation as the console lists it and the KPIs count it (the module docstring)."""
    routing = _routing(state)
    status = _status(state, routing)
    first, escalation, decision = state.first, state.escalation, state.latest_decision
    escalated_at = escalation.at if escalation is not None else None
    assignments = [h for h in state.handoffs.values() if h.assigned_at is not None]
    ended = _latest_outcome(state, ("resolved", "closed", "reopened"))
    rated = _latest_outcome(state, ("resolved", "closed", "reopened", "rated"), rated=True)
    pages = sorted((p.seq, m, p.path) for m, p in state.pages.items() if m not in state.redacted)
    intent = state.intent
    product_area = (intent.product_area if intent else None) or (
        state.area.product_area if state.area else None
    )
    latest_assignment = max(assignments, key=lambda h: (h.at, h.agent_id or ""), default=None)
    return ConversationSummary(
        conversation_id=conversation_id,
        customer_id=first.customer_id if first else None,
        account_id=first.account_id if first else None,
        language=first.language if first else None,
        segment=state.segment,
        started_at=first.sent_at if first else None,
        last_activity_at=state.last_activity_at,
        messages=state.max_seq,
        status=status.value,
        intent=intent.intent if intent else None,
        product_area=product_area,
        page=pages[0][2] if pages else None,
        action=decision.action if decision else None,
        risk=decision.risk if decision else None,
        max_risk=state.max_risk,
        latest_reason=escalation.top_reason if escalation else (decision.top_reason if decision else None),
        escalated_at=escalated_at,
        escalation_decided_at=escalation.decided_at if escalation else None,
        escalation_seq=escalation.seq if escalation else None,
        escalation_kind=escalation_kind(escalation.guardrail) if escalation else None,
        escalation_reasons=list(dict.fromkeys(escalation.reasons)) if escalation else [],
        incidents=list(state.incidents),
        queued_since=routing.queued_since if status == ConversationStatus.queued else None,
        assigned_at=min((h.assigned_at for h in assignments if h.assigned_at), default=None),
        assignee=Assignee(id=latest_assignment.agent_id or "", name=latest_assignment.agent_name)
        if latest_assignment
        else None,
        first_agent_reply_at=_earliest(state.agent_messages.values(), escalated_at),
        resolved_at=ended.at if ended and ended.kind != "reopened" else None,
        resolved_by=ended.resolved_by if ended and ended.kind != "reopened" else None,
        csat=rated.csat if rated else None,
        reopened=sum(1 for o in state.outcomes.values() if o.kind == "reopened"),
        repeat_contact=state.repeat_contact,
        label=state.label.label if state.label else None,
        label_rule=state.label.rule if state.label else None,
    )
