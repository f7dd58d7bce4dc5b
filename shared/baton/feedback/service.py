"""The `feedback` consumer's logic: escalations, assignments, agent messages, outcomes and the intents of customer
messages -> the facts of a conversation -> its label (`baton.feedback.labels`), stored in the conversation's
partition (`FEEDBACK`, shown as `outcome_label`) and published as `OutcomeLabeled` when it changes.

Events come in any order and more than once: the facts are a union (`Facts`), and the label a pure function
of them, so a replay labels exactly like live traffic and a late outcome relabels the conversation. Each write
is conditional on the item's version (a concurrent event re-reads and applies again); the label event is
published before the write, with an id derived from the label, so a retry publishes the same event.

Repeat contacts (`missed_escalation.repeat_contact`). A customer message's `MessageScored` gives the conversation
its contact (`baton.feedback.contacts`: customer, intent, start). When the contact is new or moved:
1. the state is saved first with the contact and its record's key added to `contact_keys` (a write-ahead: a record
   is only ever put under a key the state names, so a moved contact's old record can always be found and deleted);
2. the record is put, the records of keys the contact moved away from are deleted, and the customer's records on
   the same intent within `repeat_contact_days` are queried (strongly consistent);
3. every conversation found, and every one already known (`Facts.other_contacts`: so a move reaches the old
   neighbours too), is told this contact: its state gets it as a fact, with the version check, and relabels (the
   earlier conversation of a pair becomes `missed_escalation`, published). Its own contact, read from its state
   (the truth: a record may be a moved one's), becomes a fact of this conversation;
4. the state is saved with what was learned and `contact_synced`, conditional on the version read in 2: if anything
   changed meanwhile, this is done again from 2 (from the merge only, when the contact did not move).

Every step is idempotent and each side's facts keep the lowest-seq contact of the other, so both orders of
arrival, concurrent writers and redeliveries end in the same facts. A conversation whose facts are contacts alone
gets no label (no `OutcomeLabeled` for every conversation whose intent is known) unless they make it missed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

from pydantic import Field

from baton.adapters.memory import MemoryStateStore
from baton.adapters.state_item import DynamoStateStore
from baton.errors import ConcurrentUpdate
from baton.events import (
    BusEvent,
    EscalationDecided,
    HandoffPrepared,
    MessageReceived,
    MessageScored,
    OutcomeLabeled,
    OutcomeRecorded,
    event_id_for,
)
from baton.feedback.contacts import ContactIndex, ContactKey, MemoryContactIndex, contact_key, contact_of
from baton.feedback.labels import ContactFact, Facts, Label, LabelRules, OutcomeFact, label
from baton.models import View, utcnow
from baton.ordered import OrderedState, StateItem, StateStore, Stored

ATTEMPTS = 5
EVENTS: tuple[type[BusEvent], ...] = (
    EscalationDecided,
    HandoffPrepared,
    MessageReceived,
    MessageScored,
    OutcomeRecorded,
)


class FeedbackState(OrderedState):
    facts: Facts = Field(default_factory=Facts)
    label: Label | None = None
    contact_keys: list[tuple[str, str]] = Field(default_factory=list)
    """Every contact record key this conversation put or was about to put (saved before the put, never pruned):
    the ones that are not its contact's are deleted."""
    contact_synced: tuple[str, str] | None = None
    """The contact whose record is put and whose neighbours were told (the exchange runs once per contact)."""

    def stale_contact_keys(self) -> list[ContactKey]:
        current = contact_key(self.facts.contact) if self.facts.contact is not None else None
        return [key for key in self.contact_keys if key != current]


FEEDBACK = StateItem(sk="FEEDBACK", state_type=FeedbackState, event_type=OutcomeLabeled, what="the feedback")


class DynamoFeedbackStore(DynamoStateStore[FeedbackState, OutcomeLabeled]):
    spec = FEEDBACK


class MemoryFeedbackStore(MemoryStateStore[FeedbackState, OutcomeLabeled]):
    spec = FEEDBACK


def with_event(facts: Facts, event: BusEvent) -> Facts:
    """The facts after one event (unchanged by an event that says nothing about the outcome)."""
    if isinstance(event, EscalationDecided):
        if event.action != "escalate":
            return facts
        cause = event.escalated_because
        # The message's time, not the decision's: a replay or a backfill decides later, but labels the same.
        at = event.sent_at or event.decided_at
        return facts.escalated(at, cause.seq if cause is not None else event.seq)
    if isinstance(event, HandoffPrepared):
        return facts.assigned(event.assignment.assigned_at) if event.assignment is not None else facts
    if isinstance(event, MessageReceived):
        message = event.message
        return facts.agent_message(message.message_id, message.sent_at) if message.role == "agent" else facts
    if isinstance(event, MessageScored):
        contact = contact_of(event)
        return facts.contacted(contact) if contact is not None else facts
    if isinstance(event, OutcomeRecorded):
        return facts.outcome(
            OutcomeFact(
                event_id=event.event_id,
                kind=event.kind,
                at=event.occurred_at,
                resolved_by=event.resolved_by,
                csat=event.csat,
            )
        )
    return facts


def shown_label(facts: Facts, rules: LabelRules | None = None) -> Label | None:
    """The label stored, shown and published: None while the facts are contacts alone and make no label."""
    result = label(facts, rules)
    if result.rule == "unknown.no_outcome" and facts.contacts_only():
        return None
    return result


class FeedbackService:
    def __init__(
        self,
        store: StateStore[FeedbackState, OutcomeLabeled],
        publisher: Any,
        rules: LabelRules | None = None,
        clock: Callable[[], datetime] = utcnow,
        contacts: ContactIndex | None = None,
    ) -> None:
        """`store`: a `baton.ordered.StateStore` of `FeedbackState` (`DynamoFeedbackStore`, `MemoryFeedbackStore`);
        `contacts`: the contact records (`DynamoContactIndex`; in memory when not given, beside a memory store)."""
        self.store = store
        self.publisher = publisher
        self.rules = rules or LabelRules()
        self.clock = clock
        self.contacts: ContactIndex = contacts if contacts is not None else MemoryContactIndex()

    def handle(self, event: BusEvent) -> Label | None:
        """Apply one event; the conversation's label after it (None while it has none)."""
        conversation_id = getattr(event, "conversation_id", None)
        if conversation_id is None:
            return None
        state = self._update(conversation_id, lambda facts: with_event(facts, event))
        contact = state.facts.contact
        if (
            isinstance(event, MessageScored)
            and contact is not None
            and (state.contact_synced != contact_key(contact) or state.stale_contact_keys())
        ):
            state = self._exchange_contacts(conversation_id)
        return state.label

    def _update(self, conversation_id: str, change: Callable[[Facts], Facts]) -> FeedbackState:
        """The conversation's state after `change` of its facts, saved (with the version check) when it changed."""
        for _ in range(ATTEMPTS):
            stored = self.store.load(conversation_id)
            state = stored.state if stored is not None else FeedbackState()
            new_state = self._with_facts(state, change(state.facts))
            if new_state == state or self._save(conversation_id, stored, state, new_state):
                return new_state
        raise ConcurrentUpdate(f"the feedback of {conversation_id!r} kept changing; retried later")

    def _exchange_contacts(self, conversation_id: str) -> FeedbackState:
        """Steps 2-4 of the module docstring: the record, the neighbours told and learned."""
        told: ContactKey | None = None
        learned: dict[str, ContactFact] = {}
        for _ in range(ATTEMPTS):
            stored = self.store.load(conversation_id)
            state = stored.state if stored is not None else FeedbackState()
            contact = state.facts.contact
            if contact is None:
                return state
            key = contact_key(contact)
            if state.contact_synced == key and not learned:
                # Told before; a record put late by a writer that then failed is deleted again.
                for stale in state.stale_contact_keys():
                    self.contacts.delete(stale)
                return state
            if told != key:
                self.contacts.put(contact, at=self.clock())
                for stale in state.stale_contact_keys():
                    self.contacts.delete(stale)
                days = self.rules.repeat_contact_days
                found = {
                    c.conversation_id: c
                    for c in self.contacts.near(contact.customer_id, contact.intent, contact.started_at, days)
                    if c.conversation_id != conversation_id
                }
                for other_id in sorted({*found, *state.facts.other_contacts, *learned}):
                    known = self._tell(other_id, contact) or found.get(other_id)
                    if known is not None:
                        learned[other_id] = known
                told = key
            facts = state.facts
            for other in learned.values():
                facts = facts.other_contact(other)
            new_state = self._with_facts(state, facts).model_copy(update={"contact_synced": key})
            if new_state == state or self._save(conversation_id, stored, state, new_state):
                return new_state
        raise ConcurrentUpdate(f"the contacts of {conversation_id!r} kept changing; retried later")

    def _tell(self, conversation_id: str, contact: ContactFact) -> ContactFact | None:
        """Give a conversation another's contact as a fact (it may relabel); its own contact, as its state says."""
        return self._update(conversation_id, lambda facts: facts.other_contact(contact)).facts.contact

    def _with_facts(self, state: FeedbackState, facts: Facts) -> FeedbackState:
        keys = state.contact_keys
        if facts.contact is not None and (key := contact_key(facts.contact)) not in keys:
            keys = [*keys, key]  # the write-ahead: saved before the record is put
        return state.model_copy(
            update={"facts": facts, "label": shown_label(facts, self.rules), "contact_keys": keys}
        )

    def _save(
        self,
        conversation_id: str,
        stored: Stored[FeedbackState, OutcomeLabeled] | None,
        old: FeedbackState,
        new: FeedbackState,
    ) -> bool:
        """Publish the label if it changed, then save `new` if the item is still at the version read (False if not)."""
        labeled = None
        if new.label != old.label:
            # A label taken back (contacts alone again) is published as what the rules say: no outcome yet.
            result = new.label if new.label is not None else label(new.facts, self.rules)
            labeled = _labeled_event(conversation_id, result, self.clock())
            self.publisher.publish([labeled])
        shown = new.label.model_dump(mode="json") if new.label is not None else None
        try:
            self.store.save(
                conversation_id,
                new,
                labeled,
                expected_version=stored.version if stored is not None else 0,
                at=self.clock(),
                view=View(capability="feedback", fields={"outcome_label": shown}),
            )
        except ConcurrentUpdate:
            return False
        return True


def _labeled_event(conversation_id: str, result: Label, now: datetime) -> OutcomeLabeled:
    digest = hashlib.sha256(result.model_dump_json().encode()).hexdigest()[:16]
    return OutcomeLabeled(
        event_id=event_id_for(OutcomeLabeled.DETAIL_TYPE, conversation_id, digest),
        occurred_at=now,
        conversation_id=conversation_id,
        label=result.label,
        rule=result.rule,
        reason=result.reason,
        rules_version=result.rules_version,
        at=result.at,
    )
