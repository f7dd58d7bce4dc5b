"""`baton.ports.ContextStore`: accounts, contact history, product activity and known incidents in DynamoDB.

The `context` table (`baton.tables.CONTEXT`, keys `pk`/`sk`), laid out so that enriching one message costs at
most two round trips, one per partition:

  pk=`ACCT#<account_id>`  sk=`PROFILE`                                   the account (CRM fields)
  pk=`ACCT#<account_id>`  sk=`CONTACT#<customer_id>#<closed_at>#<conv>`  one earlier conversation (TTL)
  pk=`ACCT#<account_id>`  sk=`ACTIVITY#<customer_id>`                    the customer's product activity (TTL)
  pk=`INCIDENTS`          sk=`INC#<incident_id>`                         a known incident (TTL once resolved)

1. one Query of the account's partition returns its profile, its contacts and its customers' activity (the
   contacts and activity expire, so the partition stays small: `history_days`, `activity_days`);
2. one Query of the incident partition returns the active incidents; it is cached per container for
   `incident_cache_s` (incidents change in minutes, messages arrive in milliseconds), so most messages cost one
   round trip.

Documents are stored as JSON strings validated by the `baton.context.models` models on the way in and on
the way out: pydantic owns their shape, DynamoDB's number and empty-string rules never meet them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from baton.context.models import Account, Activity, Context, HistoryItem, Incident

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()

INCIDENTS_PK = "INCIDENTS"
PROFILE = "PROFILE"
CONTACT_PREFIX = "CONTACT#"
ACTIVITY_PREFIX = "ACTIVITY#"
INCIDENT_PREFIX = "INC#"
MAX_ITEMS = 200
"""Contacts and incidents a `Context` holds at most (its own limit): beyond it, the most recent contacts."""


def account_pk(account_id: str) -> str:
    return f"ACCT#{account_id}"


class DynamoContextStore:
    def __init__(
        self,
        table_name: str,
        client: Any = None,
        endpoint_url: str | None = None,
        *,
        history_days: int = 90,
        activity_days: int = 30,
        resolved_incident_days: int = 7,
        incident_cache_s: float = 30.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.table_name = table_name
        self.client = client if client is not None else boto3.client("dynamodb", endpoint_url=endpoint_url)
        self.history = timedelta(days=history_days)
        self.activity = timedelta(days=activity_days)
        self.resolved_incident = timedelta(days=resolved_incident_days)
        self.incident_cache_s = incident_cache_s
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._incidents: tuple[float, list[Incident]] | None = None

    # ------------------------------------------------------------------ writes

    def put_account(self, account: Account, *, at: datetime) -> None:
        self._put(account_pk(account.id), PROFILE, "account", account.model_dump_json(), at)

    def put_contact(self, account_id: str, customer_id: str, item: HistoryItem, *, at: datetime) -> None:
        sk = f"{CONTACT_PREFIX}{customer_id}#{item.closed_at.isoformat()}#{item.conversation_id}"
        self._put(
            account_pk(account_id),
            sk,
            "contact",
            item.model_dump_json(),
            at,
            expires=item.closed_at + self.history,
        )

    def put_activity(self, account_id: str, customer_id: str, activity: Activity, *, at: datetime) -> None:
        sk = f"{ACTIVITY_PREFIX}{customer_id}"
        self._put(
            account_pk(account_id), sk, "activity", activity.model_dump_json(), at, expires=at + self.activity
        )

    def put_incident(self, incident: Incident, *, at: datetime) -> None:
        expires = at + self.resolved_incident if incident.status == "resolved" else None
        self._put(
            INCIDENTS_PK,
            INCIDENT_PREFIX + incident.id,
            "incident",
            incident.model_dump_json(),
            at,
            expires=expires,
        )
        self._forget_incidents()

    def resolve_incident(self, incident_id: str, *, at: datetime) -> bool:
        """Mark an incident resolved (it stops matching); False when no such incident was stored, in which
        case a resolved placeholder is kept, so an IncidentOpened delivered late cannot reopen it."""
        response = self.client.get_item(
            TableName=self.table_name,
            Key=_marshal({"pk": INCIDENTS_PK, "sk": INCIDENT_PREFIX + incident_id}),
            ConsistentRead=True,
        )
        found = "Item" in response
        incident = (
            Incident.model_validate_json(_unmarshal(response["Item"])["doc"])
            if found
            else Incident(id=incident_id, title=f"{incident_id} (resolved before it was seen open)")
        )
        self.put_incident(incident.model_copy(update={"status": "resolved"}), at=at)
        return found

    def _put(
        self, pk: str, sk: str, kind: str, doc: str, at: datetime, expires: datetime | None = None
    ) -> bool:
        """Write unless the stored item is newer (`updated_at` later than `at`): an event delivered late
        never overwrites what a later one wrote. False when skipped for that reason."""
        item: dict[str, Any] = {"pk": pk, "sk": sk, "kind": kind, "doc": doc, "updated_at": _stamp(at)}
        if expires is not None:
            item["expires_at"] = int(expires.timestamp())
        try:
            self.client.put_item(
                TableName=self.table_name,
                Item=_marshal(item),
                ConditionExpression="attribute_not_exists(pk) OR updated_at <= :at",
                ExpressionAttributeValues=_marshal({":at": _stamp(at)}),
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise
        return True

    # ------------------------------------------------------------------ reads

    def context(self, account_id: str | None, customer_id: str | None, *, now: datetime) -> Context:
        """Everything known about this customer: at most two Queries (the incidents' is usually cached)."""
        account = None
        history: list[HistoryItem] = []
        activity = None
        if account_id:
            for item in self._query(account_pk(account_id)):
                sk = item["sk"]
                if sk == PROFILE:
                    account = Account.model_validate_json(item["doc"])
                elif (
                    customer_id
                    and sk.startswith(f"{CONTACT_PREFIX}{customer_id}#")
                    and not _expired(item, now)
                ):
                    history.append(HistoryItem.model_validate_json(item["doc"]))
                elif customer_id and sk == f"{ACTIVITY_PREFIX}{customer_id}" and not _expired(item, now):
                    activity = Activity.model_validate_json(item["doc"])
        return Context(
            account=account,
            history=_latest(history),
            incidents=self.active_incidents()[:MAX_ITEMS],
            activity=activity,
            now=now,
        )

    def active_incidents(self) -> list[Incident]:
        with self._lock:
            cached = self._incidents
            if cached is not None and self._monotonic() - cached[0] < self.incident_cache_s:
                return cached[1]
        incidents = [
            incident
            for item in self._query(INCIDENTS_PK)
            if (incident := Incident.model_validate_json(item["doc"])).status == "active"
        ]
        with self._lock:
            self._incidents = (self._monotonic(), incidents)
        return incidents

    def _forget_incidents(self) -> None:
        with self._lock:
            self._incidents = None

    def _query(self, pk: str) -> list[dict[str, Any]]:
        kwargs: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": _marshal({":pk": pk}),
        }
        items: list[dict[str, Any]] = []
        while True:
            page = self.client.query(**kwargs)
            items.extend(_unmarshal(item) for item in page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                return items
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


class MemoryContextStore:
    """In-memory `ContextStore` (tests, benchmarks): the same documents, no expiry of contacts or activity
    beyond what `context` filters by date."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.accounts: dict[str, Account] = {}
        self.contacts: dict[tuple[str, str], list[HistoryItem]] = {}
        self.activity: dict[tuple[str, str], Activity] = {}
        self.incidents: dict[str, Incident] = {}

    def put_account(self, account: Account, *, at: datetime) -> None:
        with self._lock:
            self.accounts[account.id] = account

    def put_contact(self, account_id: str, customer_id: str, item: HistoryItem, *, at: datetime) -> None:
        with self._lock:
            items = self.contacts.setdefault((account_id, customer_id), [])
            items[:] = [i for i in items if i.conversation_id != item.conversation_id] + [item]

    def put_activity(self, account_id: str, customer_id: str, activity: Activity, *, at: datetime) -> None:
        with self._lock:
            self.activity[(account_id, customer_id)] = activity

    def put_incident(self, incident: Incident, *, at: datetime) -> None:
        with self._lock:
            self.incidents[incident.id] = incident

    def resolve_incident(self, incident_id: str, *, at: datetime) -> bool:
        with self._lock:
            incident = self.incidents.get(incident_id)
            placeholder = Incident(id=incident_id, title=f"{incident_id} (resolved before it was seen open)")
            self.incidents[incident_id] = (incident or placeholder).model_copy(update={"status": "resolved"})
            return incident is not None

    def active_incidents(self) -> list[Incident]:
        with self._lock:
            return [i for i in self.incidents.values() if i.status == "active"]

    def context(self, account_id: str | None, customer_id: str | None, *, now: datetime) -> Context:
        with self._lock:
            key = (account_id or "", customer_id or "")
            return Context(
                account=self.accounts.get(account_id) if account_id else None,
                history=_latest(self.contacts.get(key, [])),
                incidents=[i for i in self.incidents.values() if i.status == "active"][:MAX_ITEMS],
                activity=self.activity.get(key),
                now=now,
            )


def _latest(history: list[HistoryItem]) -> list[HistoryItem]:
    # A customer with more contacts in the window than a Context holds: the most recent ones count.
    return sorted(history, key=lambda h: h.closed_at, reverse=True)[:MAX_ITEMS]


def _stamp(at: datetime) -> str:
    # One fixed format (UTC, microseconds) so that string order is time order in the condition.
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _expired(item: dict[str, Any], now: datetime) -> bool:
    # DynamoDB deletes expired items within days, not at once: an expired one must not count meanwhile.
    expires = item.get("expires_at")
    return expires is not None and int(expires) <= now.timestamp()


def _marshal(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _serializer.serialize(v) for k, v in item.items() if v is not None}


def _unmarshal(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _deserializer.deserialize(v) for k, v in item.items()}
