"""The `insights` consumer's logic: every event about a conversation -> its facts (`baton.insights.facts`) -> its
summary and its KPI bucket contribution (`baton.insights.buckets`), stored together (`baton.insights.store`);
and, on the hourly clock, the escalation rate and its week-over-week drift as metrics.

Events come in any order and more than once: the facts are order- and repeat-independent, so a replay or a
redelivery changes nothing and writes nothing. Two lookups complete the facts: the account's segment (its
`segment`, else its `plan`, from the context store), once, when the account is known; and whether the customer
contacted support on the same intent within 7 days before (the contact records of `baton.feedback.contacts`, which
the feedback consumer writes), asked again with each event until the answer is yes, so a record written after this
conversation's first events still counts (the intent or the start changing asks again). Each write is conditional
on the version read (a concurrent event re-reads and applies again), like the feedback consumer's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from baton.context.models import Account
from baton.errors import ConcurrentUpdate
from baton.events import BusEvent
from baton.insights.buckets import contribution
from baton.insights.facts import (
    InsightsState,
    intent_started,
    needs_account,
    summarize,
    with_event,
    with_repeat_contact,
    with_segment,
)
from baton.insights.kpis import DRIFT_MIN_CONVERSATIONS, compute
from baton.insights.models import ConversationSummary, Kpis
from baton.insights.store import changes
from baton.models import utcnow

logger = logging.getLogger(__name__)

ATTEMPTS = 5
"""Saves tried against a summary that keeps changing before the record fails (and is retried by SQS)."""
TICK_DAYS = 14
"""What the clock looks at: this week and the week before (the drift)."""


@dataclass(frozen=True)
class Tick:
    """What the hourly clock measured: `EscalationRate` (percent of the conversations that started in the last 7
    days) and `EscalationRateDriftPts` (its absolute change against the 7 days before, in points); None when there
    were no conversations to measure, and the drift also while either week has fewer than
    `DRIFT_MIN_CONVERSATIONS` (the KPIs' own drift alert holds the same bar: fewer is noise)."""

    escalation_rate_pct: float | None
    drift_pts: float | None
    kpis: Kpis

    def metrics(self) -> dict[str, float]:
        found = {"EscalationRate": self.escalation_rate_pct, "EscalationRateDriftPts": self.drift_pts}
        return {name: value for name, value in found.items() if value is not None}


class InsightsService:
    def __init__(
        self,
        store: Any,
        context: Any = None,
        clock: Callable[[], datetime] = utcnow,
        drift_threshold_pts: float = 10.0,
    ) -> None:
        """`store`: `baton.insights.store.DynamoInsightsStore` or `MemoryInsightsStore`; `context`: the context
        store (`baton.context.store`) for the segment (None: segments stay unknown)."""
        self.store = store
        self.context = context
        self.clock = clock
        self.drift_threshold_pts = drift_threshold_pts

    def handle(self, event: BusEvent) -> ConversationSummary | None:
        """Apply one event; the conversation's summary after it, or None when the event changed nothing."""
        conversation_id = getattr(event, "conversation_id", None)
        if conversation_id is None:
            return None
        lookups = _Lookups(self)
        for _ in range(ATTEMPTS):
            loaded = self.store.load(conversation_id)
            state = loaded.state if loaded is not None else InsightsState()
            new_state = lookups.complete(conversation_id, state, with_event(state, event))
            if new_state == state:
                return None
            summary = summarize(conversation_id, new_state)
            contributed = contribution(summary)
            previous = loaded.contribution if loaded is not None else {}
            try:
                self.store.save(
                    conversation_id,
                    new_state,
                    summary,
                    expected_version=loaded.version if loaded is not None else 0,
                    contribution=contributed,
                    differences=changes(previous, contributed),
                    at=self.clock(),
                )
            except ConcurrentUpdate:
                continue
            return summary
        raise ConcurrentUpdate(f"the insights of {conversation_id!r} kept changing; retried later")

    def tick(self, now: datetime | None = None) -> Tick:
        """The KPIs of the last `TICK_DAYS` days (UTC, today included) and the two figures the alarms watch."""
        now = now or self.clock()
        end = now.date()
        start = end - timedelta(days=TICK_DAYS - 1)
        kpis = compute(
            self.store.buckets(start, end), start, end, now=now, drift_threshold_pts=self.drift_threshold_pts
        )
        this_week = [point for point in kpis.by_day if point.day > end - timedelta(days=7)]
        last_week = [point for point in kpis.by_day if point.day <= end - timedelta(days=7)]
        conversations = sum(point.conversations for point in this_week)
        rate = 100.0 * sum(point.escalated for point in this_week) / conversations if conversations else None
        change = kpis.drift.escalation_rate_change_pts if kpis.drift is not None else None
        enough = (
            min(conversations, sum(point.conversations for point in last_week)) >= DRIFT_MIN_CONVERSATIONS
        )
        drift = abs(change) if change is not None and enough else None
        return Tick(escalation_rate_pct=rate, drift_pts=drift, kpis=kpis)


class _Lookups:
    """The segment and repeat-contact lookups of one event, done at most once each however often its save is
    retried."""

    def __init__(self, service: InsightsService) -> None:
        self.service = service
        self.segments: dict[str, str | None] = {}
        self.repeats: dict[tuple[str, str, datetime], bool] = {}

    def complete(self, conversation_id: str, stored: InsightsState, state: InsightsState) -> InsightsState:
        """`state` (the stored state with the event applied) with what the lookups add to it."""
        account = needs_account(state)
        if account is not None:
            if account not in self.segments:
                self.segments[account] = self._segment(account)
            state = with_segment(state, self.segments[account])
        known = intent_started(state)
        if known is None or (stored.repeat_contact and intent_started(stored) == known):
            return (
                state  # not known yet, or already a repeat for this intent and start: records do not go away
            )
        customer = summarize(conversation_id, state).customer_id
        if customer is None:
            return with_repeat_contact(state, False)
        key = (customer, *known)
        if key not in self.repeats:
            self.repeats[key] = self.service.store.earlier_contact(customer, *known)
        return with_repeat_contact(state, self.repeats[key])

    def _segment(self, account_id: str) -> str | None:
        if self.service.context is None:
            return None
        context = self.service.context.context(account_id, None, now=self.service.clock())
        account: Account | None = context.account
        if account is None:
            return None
        return account.segment or account.plan
