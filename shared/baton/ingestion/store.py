"""The conversation store in DynamoDB (`baton.ports.ConversationStore`).

Layout: the single `conversations` table documented in `baton.tables`:

  META            conversation_id, status, source, customer, created_at, updated_at, last_seq, version,
                  outcome, gsi1pk=`CUST#<customer id>`, gsi1sk=updated_at, expires_at
  MSG#<seq:010d>  one message (scalars for the console, plus `message`: the StoredMessage as JSON)
  MID#<id>        message id -> seq, fingerprint, published (idempotency and 409 on conflict), and the
                  publish claim (`publish_claim` token, `publish_claimed_until` epoch ms) of the one request
                  that publishes it;
                  `redacted_at` once the helpdesk redacted it (then no fingerprint). A MID# with
                  `redacted_at` and no `seq` is a tombstone: the id was redacted before Baton ever
                  stored it, and its first delivery is stored already redacted.
  ARC, DECISION, ROUTING...  each ordered capability's state item (`baton.adapters.state_item`), with
                  its `view`: what the conversation shows of it (`baton.models.View`), assembled here
                  without knowing the capabilities; the status follows the views until the helpdesk
                  moves the conversation on

Nested parts (the message, customer, outcome) are stored as JSON strings, not maps: pydantic owns
their shape (and its evolution), and numbers in client metadata never meet DynamoDB's Decimal and
38-digit rules. Every item carries `expires_at` (epoch seconds) for the table's TTL.

Ordering without a lock: an append reads META (consistently), then writes MID#, MSG#<last_seq + 1>
and META (conditioned on `last_seq` being what it read) in ONE transaction. Of two concurrent
appends exactly one wins a seq; the loser re-reads and takes the next one, so concurrent posts to
one conversation all land, with distinct consecutive seqs.

Redaction rewrites MSG# (the `message` JSON with its content dropped, `redacted_at`) and MID#
(`redacted_at`, no fingerprint) in one transaction, each update conditioned on the item still
being the one it read; no text lives in any other attribute, so nothing else needs rewriting.
"""

from __future__ import annotations

import json
import logging
import random
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from baton.errors import BatonError, ConcurrentUpdate, CustomerRequired, MessageConflict
from baton.models import (
    Conversation,
    ConversationStatus,
    Customer,
    MessageIn,
    Outcome,
    Role,
    Source,
    StoredMessage,
    View,
)
from baton.ports import PUBLISH_LEASE_S, AppendResult, PublishClaim
from baton.tables import conversation_pk

logger = logging.getLogger(__name__)

META = "META"
MSG_PREFIX = "MSG#"
MID_PREFIX = "MID#"
# Every item says what it is (`kind`): reads filter on it, and the console is readable.
KIND_CONVERSATION = "conversation"
KIND_MESSAGE = "message"
KIND_MID = "message_id"

_RETRYABLE_CANCELLATIONS = frozenset(
    {"ConditionalCheckFailed", "TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"}
)

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def msg_sk(seq: int) -> str:
    return f"{MSG_PREFIX}{seq:010d}"


def mid_sk(message_id: str) -> str:
    return f"{MID_PREFIX}{message_id}"


def _marshal(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _serializer.serialize(v) for k, v in item.items() if v is not None}


def _unmarshal(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _deserializer.deserialize(v) for k, v in item.items()}


def _plain(value: Any) -> Any:
    """DynamoDB numbers come back as Decimal: give callers ints and floats."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | set):
        return [_plain(v) for v in value]
    return value


def _json_attr(item: dict[str, Any], name: str) -> Any:
    value = item.get(name)
    if isinstance(value, str):
        return json.loads(value)
    return _plain(value)


def _iso(value: datetime) -> str:
    return value.isoformat()


def _epoch_ms(value: datetime) -> int:
    return int(value.timestamp() * 1000)


def _epoch(value: datetime) -> int:
    return int(value.timestamp())


def _client(client: Any, endpoint_url: str | None) -> Any:
    if client is not None:
        return client
    return boto3.client("dynamodb", endpoint_url=endpoint_url)


def _cancellation_codes(error: ClientError) -> list[dict[str, Any]]:
    return [dict(reason) for reason in error.response.get("CancellationReasons") or []]


class DynamoConversationStore:
    """`baton.ports.ConversationStore` on the single-table layout of `baton.tables.CONVERSATIONS`."""

    def __init__(
        self,
        table_name: str,
        client: Any = None,
        endpoint_url: str | None = None,
        ttl_days: int = 400,
        *,
        max_attempts: int = 25,
        backoff_base_s: float = 0.01,
        backoff_cap_s: float = 0.25,
        sleep: Callable[[float], None] = time.sleep,
        publish_lease_s: float = PUBLISH_LEASE_S,
    ) -> None:
        self.table_name = table_name
        self.publish_lease_s = publish_lease_s
        self.client = _client(client, endpoint_url)
        self.ttl = timedelta(days=ttl_days)
        self.max_attempts = max_attempts
        self.backoff_base_s = backoff_base_s
        self.backoff_cap_s = backoff_cap_s
        self._sleep = sleep

    # ------------------------------------------------------------------ writes

    def append_message(
        self, conversation_id: str, message: MessageIn, *, source: Source, received_at: datetime
    ) -> AppendResult:
        fingerprint = message.fingerprint()
        pk = conversation_pk(conversation_id)
        floor = 0
        tombstone: datetime | None = None  # set once MID# says the id was redacted before delivery
        for attempt in range(1, self.max_attempts + 1):
            meta = self._get(pk, META)
            last_seq = int(meta["last_seq"]) if meta and "last_seq" in meta else 0
            # A bot's or agent's message may leave `customer` out: it takes the one META holds, read in the
            # same step as the seq (the transaction's condition on META guards both).
            customer = message.customer or _meta_customer(meta)
            if customer is None:
                raise CustomerRequired(conversation_id)
            stored = StoredMessage(
                conversation_id=conversation_id,
                seq=max(last_seq, floor) + 1,
                received_at=received_at,
                source=source,
                fingerprint=fingerprint,
                **{**message.model_dump(), "customer": customer},
            )
            if tombstone is not None:
                stored = stored.redacted(tombstone)
            claim = uuid.uuid4().hex
            try:
                self.client.transact_write_items(
                    TransactItems=self._append_items(
                        pk, stored, meta, last_seq, message.role, received_at, claim
                    )
                )
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                    raise
                reasons = _cancellation_codes(error)
                mid = reasons[0] if reasons else {}
                if mid.get("Code") == "ConditionalCheckFailed":
                    existing = _unmarshal(mid["Item"]) if mid.get("Item") else None
                    if existing is not None and "seq" not in existing:
                        # Redacted before its first delivery: store it, but never its content.
                        tombstone = datetime.fromisoformat(str(existing["redacted_at"]))
                        continue
                    if existing is not None:
                        return self._existing(conversation_id, existing, fingerprint)
                    tombstone = None  # the tombstone this write replaced is gone (TTL): a plain append
                if not self._lost_race(reasons):
                    raise
                if len(reasons) > 1 and reasons[1].get("Code") == "ConditionalCheckFailed":
                    # MSG#<seq> is taken. Usually a concurrent writer that also moved META on; but META
                    # can lag its messages (expired by TTL while they await deletion): go past them.
                    floor = self._highest_seq(pk)
                logger.info(
                    "append lost a race (or was throttled); retrying",
                    extra={"conversation_id": conversation_id, "seq": stored.seq, "attempt": attempt},
                )
                self._backoff(attempt)
                continue
            return AppendResult(message=stored, created=True, published=False, claim=claim)
        raise ConcurrentUpdate(
            f"could not append to conversation {conversation_id!r} after {self.max_attempts} attempts"
        )

    def _highest_seq(self, pk: str) -> int:
        response = self.client.query(
            TableName=self.table_name,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :msg)",
            ExpressionAttributeValues=_marshal({":pk": pk, ":msg": MSG_PREFIX}),
            ScanIndexForward=False,
            Limit=1,
            ConsistentRead=True,
        )
        found = response.get("Items") or []
        return int(found[0]["sk"]["S"][len(MSG_PREFIX) :]) if found else 0

    def _append_items(
        self,
        pk: str,
        stored: StoredMessage,
        meta: dict[str, Any] | None,
        last_seq: int,
        role: Role,
        received_at: datetime,
        claim: str,
    ) -> list[dict[str, Any]]:
        now, expires_at = _iso(received_at), _epoch(received_at + self.ttl)
        customer_json = stored.customer.model_dump_json()
        redacted_at = _iso(stored.redacted_at) if stored.redacted_at is not None else None
        mid_item = {
            "pk": pk,
            "sk": mid_sk(stored.message_id),
            "kind": KIND_MID,
            "message_id": stored.message_id,
            "seq": stored.seq,
            "fingerprint": stored.fingerprint or None,
            "published": False,
            # The creator's publish claim (`claim_publish`): concurrent duplicates wait for its publish.
            "publish_claim": claim,
            "publish_claimed_until": _epoch_ms(received_at) + int(self.publish_lease_s * 1000),
            "redacted_at": redacted_at,
            "expires_at": expires_at,
        }
        msg_item = {
            "pk": pk,
            "sk": msg_sk(stored.seq),
            "kind": KIND_MESSAGE,
            "conversation_id": stored.conversation_id,
            "message_id": stored.message_id,
            "seq": stored.seq,
            "role": stored.role.value,
            "sent_at": _iso(stored.sent_at),
            "received_at": now,
            "source": stored.source.value,
            "fingerprint": stored.fingerprint or None,
            "message": stored.model_dump_json(),
            "redacted_at": redacted_at,
            "expires_at": expires_at,
        }
        items: list[dict[str, Any]] = [
            {
                "Put": {
                    "TableName": self.table_name,
                    "Item": _marshal(mid_item),
                    # A redacted message replaces its tombstone (and nothing else); any other, nothing.
                    "ConditionExpression": (
                        "attribute_exists(pk) AND attribute_not_exists(seq)"
                        if redacted_at is not None
                        else "attribute_not_exists(pk)"
                    ),
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                }
            },
            {
                "Put": {
                    "TableName": self.table_name,
                    "Item": _marshal(msg_item),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
        ]
        if meta is None:
            meta_item = {
                "pk": pk,
                "sk": META,
                "kind": KIND_CONVERSATION,
                "conversation_id": stored.conversation_id,
                "status": ConversationStatus.open.value,
                "source": stored.source.value,
                "customer": customer_json,
                "created_at": now,
                "updated_at": now,
                "last_seq": stored.seq,
                "version": 1,
                "gsi1pk": f"CUST#{stored.customer.id}",
                "gsi1sk": now,
                "expires_at": expires_at,
            }
            items.append(
                {
                    "Put": {
                        "TableName": self.table_name,
                        "Item": _marshal(meta_item),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                }
            )
        else:
            # A customer's own message names the conversation's customer; other roles only fill it
            # when it is unknown (a conversation created by an outcome has none).
            # The optimistic lock: META still says what this writer read.
            if "last_seq" in meta:
                condition, prev = "last_seq = :prev", {":prev": last_seq}
            else:
                condition, prev = "attribute_exists(pk) AND attribute_not_exists(last_seq)", {}
            customer_expr = (
                "customer = :customer, gsi1pk = :gsi1pk"
                if role == Role.customer
                else "customer = if_not_exists(customer, :customer), gsi1pk = if_not_exists(gsi1pk, :gsi1pk)"
            )
            items.append(
                {
                    "Update": {
                        "TableName": self.table_name,
                        "Key": _marshal({"pk": pk, "sk": META}),
                        "UpdateExpression": (
                            f"SET last_seq = :seq, updated_at = :now, gsi1sk = :now, expires_at = :exp, {customer_expr}"
                            " ADD version :one"
                        ),
                        "ConditionExpression": condition,
                        "ExpressionAttributeValues": _marshal(
                            {
                                ":seq": stored.seq,
                                **prev,
                                ":now": now,
                                ":exp": expires_at,
                                ":customer": customer_json,
                                ":gsi1pk": f"CUST#{stored.customer.id}",
                                ":one": 1,
                            }
                        ),
                    }
                }
            )
        return items

    @staticmethod
    def _lost_race(reasons: list[dict[str, Any]]) -> bool:
        """True when the transaction failed only for a reason worth retrying: another writer got
        there first, or the partition was throttled (botocore does not retry cancelled transactions)."""
        codes = {r.get("Code") for r in reasons} - {"None"}
        return bool(codes) and codes <= _RETRYABLE_CANCELLATIONS

    def _backoff(self, attempt: int) -> None:
        # Full jitter: concurrent losers spread out instead of colliding again in lockstep.
        self._sleep(random.uniform(0, min(self.backoff_cap_s, self.backoff_base_s * 2 ** (attempt - 1))))

    def _existing(self, conversation_id: str, mid: dict[str, Any], fingerprint: str) -> AppendResult:
        # A redacted message has no fingerprint left to compare: any re-delivery is its duplicate.
        if "redacted_at" not in mid and mid.get("fingerprint") != fingerprint:
            raise MessageConflict(conversation_id, str(mid.get("message_id")))
        item = self._get(conversation_pk(conversation_id), msg_sk(int(mid["seq"])))
        if item is None:  # MID# and MSG# are written in one transaction: this is corruption.
            raise BatonError(f"message {mid.get('message_id')!r} of {conversation_id!r} has no MSG# item")
        return AppendResult(message=_message(item), created=False, published=bool(mid.get("published")))

    def claim_publish(
        self, conversation_id: str, message_id: str, *, token: str, now: datetime, lease_s: float
    ) -> PublishClaim:
        key = _marshal({"pk": conversation_pk(conversation_id), "sk": mid_sk(message_id)})
        try:
            self.client.update_item(
                TableName=self.table_name,
                Key=key,
                UpdateExpression="SET publish_claim = :token, publish_claimed_until = :until",
                ConditionExpression=(
                    "attribute_exists(seq) AND published = :false AND "
                    "(attribute_not_exists(publish_claimed_until) OR publish_claimed_until < :now)"
                ),
                ExpressionAttributeValues=_marshal(
                    {
                        ":token": token,
                        ":until": _epoch_ms(now) + int(lease_s * 1000),
                        ":now": _epoch_ms(now),
                        ":false": False,
                    }
                ),
            )
            return "claimed"
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise
        mid = self._get(conversation_pk(conversation_id), mid_sk(message_id))
        if mid is None or "seq" not in mid:
            raise BatonError(f"message {message_id!r} is not stored in {conversation_id!r}")
        return "published" if mid.get("published") else "busy"

    def release_publish(self, conversation_id: str, message_id: str, *, token: str) -> None:
        try:
            self.client.update_item(
                TableName=self.table_name,
                Key=_marshal({"pk": conversation_pk(conversation_id), "sk": mid_sk(message_id)}),
                UpdateExpression="REMOVE publish_claim, publish_claimed_until",
                ConditionExpression="publish_claim = :token",
                ExpressionAttributeValues=_marshal({":token": token}),
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise

    def mark_published(self, conversation_id: str, message_id: str) -> None:
        try:
            self.client.update_item(
                TableName=self.table_name,
                Key=_marshal({"pk": conversation_pk(conversation_id), "sk": mid_sk(message_id)}),
                UpdateExpression="SET published = :true REMOVE publish_claim, publish_claimed_until",
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeValues=_marshal({":true": True}),
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                raise BatonError(f"message {message_id!r} is not stored in {conversation_id!r}") from error
            raise

    def record_outcome(
        self,
        conversation_id: str,
        outcome: Outcome,
        status: ConversationStatus,
        *,
        source: Source,
        at: datetime,
    ) -> None:
        now = _iso(at)
        self.client.update_item(
            TableName=self.table_name,
            Key=_marshal({"pk": conversation_pk(conversation_id), "sk": META}),
            UpdateExpression=(
                "SET outcome = :outcome, #status = :status, updated_at = :now, gsi1sk = :now, expires_at = :exp,"
                " conversation_id = if_not_exists(conversation_id, :cid), kind = :kind,"
                " created_at = if_not_exists(created_at, :now), #source = if_not_exists(#source, :source),"
                " last_seq = if_not_exists(last_seq, :zero)"
                " ADD version :one"
            ),
            ExpressionAttributeNames={"#status": "status", "#source": "source"},
            ExpressionAttributeValues=_marshal(
                {
                    ":outcome": outcome.model_dump_json(),
                    ":status": status.value,
                    ":now": now,
                    ":exp": _epoch(at + self.ttl),
                    ":cid": conversation_id,
                    ":kind": KIND_CONVERSATION,
                    ":source": source.value,
                    ":zero": 0,
                    ":one": 1,
                }
            ),
        )

    def redact_message(self, conversation_id: str, message_id: str, *, at: datetime) -> bool:
        pk = conversation_pk(conversation_id)
        for attempt in range(1, self.max_attempts + 1):
            try:
                mid = self._get(pk, mid_sk(message_id))
                if mid is None:
                    self._put_tombstone(pk, message_id, at)
                    return False
                if "seq" not in mid:
                    return False  # a tombstone: redacted before Baton ever stored it
                item = self._get(pk, msg_sk(int(mid["seq"])))
                if item is None:
                    # MSG# expired (TTL) ahead of its MID#: no text left, but the id stays redacted.
                    self._redact_mid(pk, mid, at)
                    return False
                if "redacted_at" in item:
                    if "redacted_at" not in mid:
                        self._redact_mid(pk, mid, at)
                    return True
                self._redact_items(pk, mid, _message(item).redacted(at))
                return True
            except ClientError as error:
                if not self._redaction_lost_race(error):
                    raise
                # Someone else wrote first (an append of the same id, another redaction): re-read.
                logger.info(
                    "redaction lost a race (or was throttled); retrying",
                    extra={"conversation_id": conversation_id, "message_id": message_id, "attempt": attempt},
                )
                self._backoff(attempt)
        raise ConcurrentUpdate(
            f"could not redact {message_id!r} of {conversation_id!r} after {self.max_attempts} attempts"
        )

    def _put_tombstone(self, pk: str, message_id: str, at: datetime) -> None:
        self.client.put_item(
            TableName=self.table_name,
            Item=_marshal(
                {
                    "pk": pk,
                    "sk": mid_sk(message_id),
                    "kind": KIND_MID,
                    "message_id": message_id,
                    "redacted_at": _iso(at),
                    "expires_at": _epoch(at + self.ttl),
                }
            ),
            ConditionExpression="attribute_not_exists(pk)",
        )

    def _mid_redaction(self, pk: str, mid: dict[str, Any], at: datetime) -> dict[str, Any]:
        return {
            "TableName": self.table_name,
            "Key": _marshal({"pk": pk, "sk": mid_sk(str(mid["message_id"]))}),
            "UpdateExpression": "SET redacted_at = if_not_exists(redacted_at, :at) REMOVE fingerprint",
            "ConditionExpression": "seq = :seq",
            "ExpressionAttributeValues": _marshal({":at": _iso(at), ":seq": int(mid["seq"])}),
        }

    def _redact_mid(self, pk: str, mid: dict[str, Any], at: datetime) -> None:
        self.client.update_item(**self._mid_redaction(pk, mid, at))

    def _redact_items(self, pk: str, mid: dict[str, Any], redacted: StoredMessage) -> None:
        at = redacted.redacted_at
        assert at is not None  # `StoredMessage.redacted` always sets it
        self.client.transact_write_items(
            TransactItems=[
                {
                    "Update": {
                        "TableName": self.table_name,
                        "Key": _marshal({"pk": pk, "sk": msg_sk(redacted.seq)}),
                        "UpdateExpression": "SET #message = :message, redacted_at = :at REMOVE fingerprint",
                        # Still this message, and not redacted meanwhile (the first redaction time stands).
                        "ConditionExpression": "message_id = :mid AND attribute_not_exists(redacted_at)",
                        "ExpressionAttributeNames": {"#message": "message"},
                        "ExpressionAttributeValues": _marshal(
                            {
                                ":message": redacted.model_dump_json(),
                                ":at": _iso(at),
                                ":mid": redacted.message_id,
                            }
                        ),
                    }
                },
                {"Update": self._mid_redaction(pk, mid, at)},
            ]
        )

    def _redaction_lost_race(self, error: ClientError) -> bool:
        code = error.response.get("Error", {}).get("Code")
        if code == "ConditionalCheckFailedException":
            return True
        return code == "TransactionCanceledException" and self._lost_race(_cancellation_codes(error))

    # ------------------------------------------------------------------ reads

    def get_conversation(self, conversation_id: str) -> Conversation | None:
        meta: dict[str, Any] | None = None
        views: list[View] = []
        messages: list[StoredMessage] = []
        for item in self._query_conversation(conversation_pk(conversation_id)):
            if item["sk"] == META:
                meta = item
            elif item["sk"].startswith(MSG_PREFIX):
                messages.append(_message(item))
            elif "view" in item:  # a capability's state item (`baton.adapters.state_item`)
                views.append(View.model_validate_json(item["view"]))
        if meta is None:
            return None
        messages.sort(key=lambda m: m.seq)
        customer = _json_attr(meta, "customer")
        outcome = _json_attr(meta, "outcome")
        return Conversation(
            conversation_id=conversation_id,
            status=ConversationStatus(meta.get("status", ConversationStatus.open.value)),
            source=meta.get("source", Source.api.value),
            customer=Customer.model_validate(customer) if customer else None,
            created_at=meta["created_at"],
            updated_at=meta["updated_at"],
            message_count=int(meta.get("last_seq", 0)),
            messages=messages,
            outcome=Outcome.model_validate(outcome) if outcome else None,
        ).with_views(views)

    def message_id_at(self, conversation_id: str, seq: int) -> str | None:
        """`baton.ordered.MessageLedger`: the id of the conversation's message `seq` (one consistent GetItem)."""
        response = self.client.get_item(
            TableName=self.table_name,
            Key=_marshal({"pk": conversation_pk(conversation_id), "sk": msg_sk(seq)}),
            ConsistentRead=True,
            ProjectionExpression="message_id",
        )
        item = response.get("Item")
        return _unmarshal(item).get("message_id") if item else None

    def _query_conversation(self, pk: str) -> Iterator[dict[str, Any]]:
        # MID# items sort between META and MSG#, and a filter cannot use the sort key: they are
        # dropped by `kind` (server-side, so they are not transferred), and one consistent Query,
        # paginated past 1 MB, reads the conversation.
        kwargs: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "pk = :pk",
            "FilterExpression": "attribute_not_exists(kind) OR kind <> :mid",
            "ExpressionAttributeValues": _marshal({":pk": pk, ":mid": KIND_MID}),
            "ConsistentRead": True,
        }
        while True:
            page = self.client.query(**kwargs)
            for item in page.get("Items", []):
                yield _unmarshal(item)
            if "LastEvaluatedKey" not in page:
                return
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def _get(self, pk: str, sk: str) -> dict[str, Any] | None:
        response = self.client.get_item(
            TableName=self.table_name, Key=_marshal({"pk": pk, "sk": sk}), ConsistentRead=True
        )
        item = response.get("Item")
        return _unmarshal(item) if item else None


def _meta_customer(meta: dict[str, Any] | None) -> Customer | None:
    customer = _json_attr(meta, "customer") if meta else None
    return Customer.model_validate(customer) if customer else None


def _message(item: dict[str, Any]) -> StoredMessage:
    message = StoredMessage.model_validate_json(item["message"])
    return message.model_copy(update={"fingerprint": item.get("fingerprint", "")})
