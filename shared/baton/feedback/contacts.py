"""Contacts: which intent each conversation of a customer was about, and when, so a contact on the same intent
within 7 days can be seen from either conversation (the `missed_escalation.repeat_contact` label rule, and the
KPIs' repeat contacts).

One record per (customer, intent, conversation) in the conversations table, written by the feedback consumer
when a conversation's intent is known:

  pk=`CUST#<customer id>`  sk=`CONTACT#<intent>#<started_at ISO>#<conversation id>`
      kind (`contact`), conversation_id, customer_id, intent, started_at, seq, expires_at (TTL)

A conversation's contact (`baton.feedback.labels.ContactFact`) is decided by one message: its lowest-seq customer
message whose scores give an intent (`contact_intent`); `started_at` is that message's `sent_at` and `seq` its
seq. Events come in any order, so a higher-seq message may be known first: when a lower-seq one with an intent
arrives, the conversation's record moves (the new one is put, the old one deleted). A record is found and read,
never trusted: the conversation's own feedback state says what its contact is.

A Query on the customer's partition with `sk BETWEEN CONTACT#<intent>#<t - 7 d> AND CONTACT#<intent>#<t + 7 d>`
(strongly consistent: the base table, not an index) finds the neighbours of a contact, whichever was written
first: each writer puts its record before it queries, so of two concurrent writers at least one sees the other.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from baton.events import MessageScored
from baton.feedback.labels import ContactFact

REPEAT_DAYS = 7

type ContactKey = tuple[str, str]
"""A contact record's (pk, sk)."""


def contact_intent(event: MessageScored) -> str | None:
    """The intent a scored message gives its conversation: a customer message's intent unless it is out of scope.
    A conversation's intent is the one of its lowest-seq customer message that has one."""
    scores = event.scores
    if event.role != "customer" or scores.out_of_scope or not scores.intent:
        return None
    return scores.intent


def contact_of(event: MessageScored) -> ContactFact | None:
    """The contact this scored message would give its conversation (None without an intent, or from a scoring
    version that sent no message snapshot: no customer, no `sent_at`)."""
    intent = contact_intent(event)
    if intent is None or event.message is None:
        return None
    return ContactFact(
        conversation_id=event.conversation_id,
        customer_id=event.message.customer.id,
        intent=intent,
        started_at=event.message.sent_at,
        seq=event.seq,
    )


def customer_pk(customer_id: str) -> str:
    return f"CUST#{customer_id}"


def contact_sk(intent: str, started_at: datetime, conversation_id: str) -> str:
    return f"CONTACT#{intent}#{started_at.astimezone(UTC).isoformat()}#{conversation_id}"


def contact_key(contact: ContactFact) -> ContactKey:
    return customer_pk(contact.customer_id), contact_sk(
        contact.intent, contact.started_at, contact.conversation_id
    )


def _window(intent: str, at: datetime, days: float) -> tuple[str, str]:
    """The sk range of the contacts on `intent` that started within `days` of `at` (both ends included)."""
    span = timedelta(days=days)
    low = f"CONTACT#{intent}#{(at - span).astimezone(UTC).isoformat()}"
    # Every sk of a contact at exactly `at + span` is `<prefix>#<conversation id>`: above the prefix alone.
    high = f"CONTACT#{intent}#{(at + span).astimezone(UTC).isoformat()}#\uffff"
    return low, high


def _near(contact: ContactFact, at: datetime, intent: str, days: float) -> bool:
    return contact.intent == intent and abs(contact.started_at - at) <= timedelta(days=days)


class ContactIndex(Protocol):
    """The contact records (module docstring)."""

    def put(self, contact: ContactFact, *, at: datetime) -> None:
        """Write the contact's record (idempotent: the same key, the same attributes)."""
        ...

    def delete(self, key: ContactKey) -> None:
        """Remove a record the conversation's contact moved away from (none there is fine)."""
        ...

    def near(self, customer_id: str, intent: str, at: datetime, days: float) -> list[ContactFact]:
        """The customer's contacts on `intent` that started within `days` of `at` (strongly consistent)."""
        ...


class DynamoContactIndex:
    """`ContactIndex` on the conversations table: PutItem, DeleteItem and a Query on the base table."""

    def __init__(self, table_name: str, *, client: Any, ttl_days: int = 400) -> None:
        self.table_name = table_name
        self.client = client
        self.ttl = timedelta(days=ttl_days)

    def put(self, contact: ContactFact, *, at: datetime) -> None:
        pk, sk = contact_key(contact)
        self.client.put_item(
            TableName=self.table_name,
            Item={
                "pk": {"S": pk},
                "sk": {"S": sk},
                "kind": {"S": "contact"},
                "conversation_id": {"S": contact.conversation_id},
                "customer_id": {"S": contact.customer_id},
                "intent": {"S": contact.intent},
                "started_at": {"S": contact.started_at.astimezone(UTC).isoformat()},
                "seq": {"N": str(contact.seq)},
                "expires_at": {"N": str(int((at + self.ttl).timestamp()))},
            },
        )

    def delete(self, key: ContactKey) -> None:
        pk, sk = key
        self.client.delete_item(TableName=self.table_name, Key={"pk": {"S": pk}, "sk": {"S": sk}})

    def near(self, customer_id: str, intent: str, at: datetime, days: float) -> list[ContactFact]:
        low, high = _window(intent, at, days)
        request: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "pk = :pk AND sk BETWEEN :low AND :high",
            "ExpressionAttributeValues": {
                ":pk": {"S": customer_pk(customer_id)},
                ":low": {"S": low},
                ":high": {"S": high},
            },
            "ConsistentRead": True,
        }
        found: list[ContactFact] = []
        while True:
            response = self.client.query(**request)
            for item in response.get("Items", []):
                contact = ContactFact(
                    conversation_id=item["conversation_id"]["S"],
                    customer_id=item["customer_id"]["S"],
                    intent=item["intent"]["S"],
                    started_at=datetime.fromisoformat(item["started_at"]["S"]),
                    seq=int(item["seq"]["N"]),
                )
                if _near(contact, at, intent, days):  # an intent with a `#` could share the key's prefix
                    found.append(contact)
            if "LastEvaluatedKey" not in response:
                return found
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


class MemoryContactIndex:
    """`ContactIndex` in memory (unit tests, and wherever the feedback store is `MemoryFeedbackStore`)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.records: dict[ContactKey, ContactFact] = {}

    def put(self, contact: ContactFact, *, at: datetime) -> None:
        with self._lock:
            self.records[contact_key(contact)] = contact

    def delete(self, key: ContactKey) -> None:
        with self._lock:
            self.records.pop(key, None)

    def near(self, customer_id: str, intent: str, at: datetime, days: float) -> list[ContactFact]:
        pk = customer_pk(customer_id)
        with self._lock:
            return sorted(
                (c for (p, _), c in self.records.items() if p == pk and _near(c, at, intent, days)),
                key=contact_key,
            )
