"""The `context-events` consumer's logic: integrations' events -> the context table the decision enriches from.

- AccountUpdated, IncidentOpened, IncidentResolved (CRM and bug-tracker integrations): stored; writes are
  idempotent and newer-wins on the event's time (`baton.context.store`), so a redelivered or late event never
  undoes a later one and no ordering is needed.
- OutcomeRecorded (resolved or closed): the conversation becomes a contact in its customer's history, with
  the intent the scoring saw last, so a later conversation on the same intent is recognised as a repeat.
"""

from __future__ import annotations

import logging
from typing import Any

from baton.context.models import HistoryItem
from baton.events import AccountUpdated, BusEvent, IncidentOpened, IncidentResolved, OutcomeRecorded

logger = logging.getLogger(__name__)

EVENTS: tuple[type[BusEvent], ...] = (AccountUpdated, IncidentOpened, IncidentResolved, OutcomeRecorded)
CLOSING = frozenset({"resolved", "closed"})


class ContextService:
    def __init__(self, store: Any, conversations: Any) -> None:
        """`store`: `baton.context.store.DynamoContextStore` (or the memory one); `conversations`: a
        `baton.ports.ConversationStore`, whose customer and latest intent an outcome closes."""
        self.store = store
        self.conversations = conversations

    def handle(self, event: BusEvent) -> str:
        """Apply one event; returns its detail-type (what the caller counts)."""
        at = event.occurred_at
        if isinstance(event, AccountUpdated):
            self.store.put_account(event.account, at=at)
            logger.info("account stored", extra={"account_id": event.account.id})
        elif isinstance(event, IncidentOpened):
            self.store.put_incident(event.incident, at=at)
            logger.info(
                "incident stored", extra={"incident_id": event.incident.id, "status": event.incident.status}
            )
        elif isinstance(event, IncidentResolved):
            found = self.store.resolve_incident(event.incident_id, at=event.resolved_at)
            logger.info("incident resolved", extra={"incident_id": event.incident_id, "was_known": found})
        elif isinstance(event, OutcomeRecorded):
            self.remember_contact(event)
        return event.DETAIL_TYPE

    def remember_contact(self, event: OutcomeRecorded) -> None:
        """A resolved or closed conversation becomes a contact in its customer's history, with the intent the
        scoring saw last (none when it was out of scope or never scored)."""
        if event.kind not in CLOSING:
            return
        conversation = self.conversations.get_conversation(event.conversation_id)
        if conversation is None or conversation.customer is None:
            logger.info(
                "outcome of a conversation Baton never saw; no contact kept",
                extra={"conversation_id": event.conversation_id},
            )
            return
        scores = conversation.scores or {}
        intent = None if scores.get("out_of_scope") else scores.get("intent")
        outcome = f"{event.kind} by {event.resolved_by}" if event.resolved_by != "unknown" else event.kind
        item = HistoryItem(
            conversation_id=event.conversation_id, intent=intent, closed_at=event.occurred_at, outcome=outcome
        )
        customer = conversation.customer
        self.store.put_contact(customer.account_id, customer.id, item, at=event.occurred_at)
        logger.info("contact kept", extra={"conversation_id": event.conversation_id, "intent": intent})
