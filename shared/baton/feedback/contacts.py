"""Contacts: which intent each conversation of a customer was about, and when, so a contact on the same intent
within 7 days can be seen from either conversation (the `missed_escalation.repeat_contact` label rule, and the
KPIs' repeat contacts).

One record per (customer, intent, conversation) in the conversations table, written by the feedback consumer
when a conversation's intent is first known:

  pk=`CUST#<customer id>`  sk=`CONTACT#<intent>#<started_at ISO>#<conversation id>`
      conversation_id, intent, started_at, expires_at (TTL)

A Query on the customer's partition with `sk BETWEEN CONTACT#<intent>#<t - 7 d> AND CONTACT#<intent>#<t + 7 d>`
(strongly consistent: the base table, not an index) finds the neighbours of a contact, whichever was written
first.
"""

from __future__ import annotations

from datetime import UTC, datetime

from baton.events import MessageScored

REPEAT_DAYS = 7


def contact_intent(event: MessageScored) -> str | None:
    """The intent a scored message gives its conversation: a customer message's intent unless it is out of scope.
    A conversation's intent is the one of its lowest-seq customer message that has one."""
    scores = event.scores
    if event.role != "customer" or scores.out_of_scope or not scores.intent:
        return None
    return scores.intent


def customer_pk(customer_id: str) -> str:
    return f"CUST#{customer_id}"


def contact_sk(intent: str, started_at: datetime, conversation_id: str) -> str:
    return f"CONTACT#{intent}#{started_at.astimezone(UTC).isoformat()}#{conversation_id}"
