"""Where the `insights` capability keeps its data: each conversation's summary item and the KPI buckets, in the
conversations table (`baton.tables`), written together so the buckets always equal the sum over the summaries.

  pk=`CONV#<id>`   sk=`INSIGHTS`                  kind, conversation_id, version (optimistic lock), updated_at,
                                                  expires_at (TTL), state (`InsightsState` JSON), summary
                                                  (`ConversationSummary` JSON), contribution (the bucket counters
                                                  this summary added, JSON), gsi2pk=`STATUS#<status>`,
                                                  gsi2sk=`<last_activity_at ISO UTC>#<id>` (GSI `by_status`)
  pk=`KPI#<day>`   sk=`<dimension>#<value>#<shard>` kind, expires_at, one number `c_<name>` per counter (ADD)

- **One transaction per change** (`save`): the summary item's Put, conditional on the version it was read at,
  and one `ADD` per bucket whose counters change, by the difference between the new contribution and the one
  the item recorded. The contribution applied is stored with the summary, so a later change subtracts exactly
  what was added, whatever a later release computes: the buckets never drift from the summaries.
- **Shards.** A day's `all` bucket would be one hot item that every conversation's transaction touches (and
  its few segments and product areas nearly as hot): for those, each conversation adds to one of `SHARDS`
  copies (a stable hash of its id), and a read sums them. The many values of the other dimensions spread the
  writes already: one copy each (shard 0), so a day reads a few hundred items, not four times as many.
- **The console's list** (`list_conversations`): one Query per status on `by_status`, newest activity first,
  merged; the cursor is the last returned index key. **KPIs** (`buckets`): one Query per day. Never a Scan.
- **Repeat contacts** (`earlier_contact`): the contact records of `baton.feedback.contacts` (the feedback
  consumer writes them), one strongly consistent Query of the customer's partition.

`MemoryInsightsStore` has the same interface and semantics (tests, benches).
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import random
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple

from baton.errors import BatonError, ConcurrentUpdate
from baton.feedback.contacts import REPEAT_DAYS, contact_sk, customer_pk
from baton.insights.buckets import BucketKey
from baton.insights.facts import InsightsState
from baton.insights.models import Bucket, ConversationPage, ConversationSummary, Dimension
from baton.models import ConversationStatus
from baton.tables import conversation_pk

SK = "INSIGHTS"
KIND = "insights"
BUCKET_KIND = "kpi"
BUCKET_PREFIX = "KPI#"
STATUS_PREFIX = "STATUS#"
COUNTER_PREFIX = "c_"
INDEX = "by_status"
SHARDS = 4
"""Copies of each bucket of a `SHARDED` dimension; a conversation adds to one of them, a read sums them."""
SHARDED: frozenset[str] = frozenset({"all", "segment", "product_area"})
"""The dimensions with so few values that every concurrent transaction would touch the same bucket items."""
MAX_TRANSACT_ITEMS = 100
"""DynamoDB's limit of actions in one TransactWriteItems: the summary item and at most 99 bucket changes."""
MAX_VALUE_BYTES = 900
"""A dimension value is cut to this many UTF-8 bytes in a bucket's sort key (DynamoDB allows 1024)."""
CONFLICT_ATTEMPTS = 4
"""Tries of a transaction that another transaction on the same items was holding (TransactionConflict)."""
MAX_LIMIT = 100
STATUSES: tuple[str, ...] = tuple(status.value for status in ConversationStatus)
RAW_ITEMS = "BatonRawItems"
"""Where `_keep_raw_items` puts a bucket Query's items, as DynamoDB sent them."""

_raw = threading.local()

type Differences = Mapping[BucketKey, Mapping[str, float]]


class Loaded(NamedTuple):
    """A conversation's stored insights: its state, the version it was read at, and the bucket counters its stored
    summary contributed (what the next save subtracts)."""

    state: InsightsState
    version: int
    contribution: dict[BucketKey, dict[str, float]]


class InvalidCursor(BatonError):
    """A `cursor` that no page of `list_conversations` returned (HTTP 400 naming `cursor`)."""

    field = "cursor"


class TooManyBucketChanges(BatonError):
    """A change of one summary touches more buckets than one transaction can hold: the write stays atomic, so it is
    refused (the contribution of a summary is expected to be a few dozen buckets)."""


def changes(
    old: Mapping[BucketKey, Mapping[str, float]], new: Mapping[BucketKey, Mapping[str, float]]
) -> dict[BucketKey, dict[str, float]]:
    """What to ADD to the buckets so that they hold `new` instead of `old`: new minus old, zero counters dropped."""
    result: dict[BucketKey, dict[str, float]] = {}
    for key in {*old, *new}:
        before, after = old.get(key, {}), new.get(key, {})
        # Rounded like `baton.insights.buckets.difference`: a float residue of a subtraction is not a change.
        delta = {name: round(after.get(name, 0.0) - before.get(name, 0.0), 6) for name in {*before, *after}}
        delta = {name: value for name, value in delta.items() if value != 0}
        if delta:
            result[key] = delta
    return result


def shard_of(conversation_id: str, dimension: str) -> int:
    """The bucket copy a conversation adds to on `dimension`: stable across processes and releases (CRC-32, not
    `hash()`); 0 for a dimension that is not `SHARDED`."""
    if dimension not in SHARDED:
        return 0
    return zlib.crc32(conversation_id.encode("utf-8")) % SHARDS


def activity_key(summary: ConversationSummary, at: datetime) -> str:
    """The summary's `by_status` sort key: its last activity (else `at`), fixed-width ISO UTC, then its id."""
    return f"{_iso(summary.last_activity_at or at)}#{summary.conversation_id}"


def since_key(since: datetime) -> str:
    return _iso(since)


def encode_cursor(key: str) -> str:
    return base64.urlsafe_b64encode(key.encode("utf-8")).decode("ascii").rstrip("=")


def decode_cursor(cursor: str) -> str:
    """The index key a cursor stands for; InvalidCursor for anything `encode_cursor` did not make."""
    try:
        key = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("utf-8")
        stamp, _, conversation_id = key.partition("#")
        datetime.fromisoformat(stamp)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise InvalidCursor(
            "cursor is not one a page of this list returned: start again without it"
        ) from None
    if not conversation_id or _iso(datetime.fromisoformat(stamp)) != stamp:
        raise InvalidCursor("cursor is not one a page of this list returned: start again without it")
    return key


def check_statuses(statuses: Sequence[str] | None) -> tuple[str, ...]:
    """The statuses to list (all when None or empty); ValueError naming an unknown one."""
    if not statuses:
        return STATUSES
    unknown = [s for s in statuses if s not in STATUSES]
    if unknown:
        raise ValueError(f"unknown status {unknown[0]!r}; one of {', '.join(STATUSES)}")
    return tuple(dict.fromkeys(statuses))


def check_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"limit must be between 1 and {MAX_LIMIT}")
    return limit


def page_of(candidates: Iterable[tuple[str, ConversationSummary]], limit: int) -> ConversationPage:
    """The newest `limit` of (index key, summary) pairs, and the cursor after them when more remain."""
    ranked = sorted(candidates, key=lambda pair: pair[0], reverse=True)
    page = ranked[:limit]
    more = len(ranked) > limit
    return ConversationPage(
        conversations=[summary for _, summary in page],
        next_cursor=encode_cursor(page[-1][0]) if more and page else None,
    )


def bucket_sk(dimension: str, value: str, shard: int) -> str:
    cut = value.encode("utf-8")[:MAX_VALUE_BYTES].decode("utf-8", errors="ignore")
    return f"{dimension}#{cut}#{shard}"


def parse_bucket_sk(sk: str) -> tuple[str, str, int]:
    dimension, _, rest = sk.partition("#")
    value, _, shard = rest.rpartition("#")
    return dimension, value, int(shard)


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def _iso(at: datetime) -> str:
    # Fixed width (always microseconds, always +00:00): string order is time order.
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def _contribution_json(contribution: Mapping[BucketKey, Mapping[str, float]]) -> str:
    rows = [
        {"day": day.isoformat(), "dimension": dimension, "value": value, "counters": dict(counters)}
        for (day, dimension, value), counters in sorted(contribution.items())
    ]
    return json.dumps(rows, separators=(",", ":"), sort_keys=True)


def _contribution_from_json(text: str) -> dict[BucketKey, dict[str, float]]:
    result: dict[BucketKey, dict[str, float]] = {}
    for row in json.loads(text):
        dimension: Dimension = row["dimension"]
        result[(date.fromisoformat(row["day"]), dimension, row["value"])] = {
            name: float(value) for name, value in row["counters"].items()
        }
    return result


def _check_size(conversation_id: str, differences: Differences) -> None:
    if len(differences) + 1 > MAX_TRANSACT_ITEMS:
        raise TooManyBucketChanges(
            f"the insights of {conversation_id!r} change {len(differences)} KPI buckets at once; one transaction "
            f"holds the summary and at most {MAX_TRANSACT_ITEMS - 1}"
        )


def _number(value: float) -> str:
    if not math.isfinite(value):
        raise ValueError(f"a KPI counter must be a finite number, not {value}")
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _sum_buckets(rows: Iterable[tuple[date, str, str, Mapping[str, float]]]) -> list[Bucket]:
    summed: dict[tuple[date, str, str], dict[str, float]] = {}
    for day, dimension, value, counters in rows:
        total = summed.setdefault((day, dimension, value), {})
        for name, number in counters.items():
            total[name] = total.get(name, 0.0) + number
    # A bucket a conversation moved out of keeps its counters at 0 (an ADD never deletes): not a bucket to show.
    buckets = []
    for (day, dimension, value), counters in sorted(summed.items()):
        kept = {name: number for name, number in counters.items() if abs(number) > 1e-9}
        if kept:
            buckets.append(
                Bucket.model_validate({"day": day, "dimension": dimension, "value": value, "counters": kept})
            )
    return buckets


class DynamoInsightsStore:
    """The insights items in the conversations table (see the module docstring)."""

    def __init__(
        self,
        table_name: str,
        *,
        client: Any,
        ttl_days: int = 400,
        sleep: Callable[[float], None] = time.sleep,
        workers: int = 8,
    ) -> None:
        """`workers`: Queries run at once by `buckets` (one per day) and `list_conversations` (one per status)."""
        self.table_name = table_name
        self.client = client
        self.ttl = timedelta(days=ttl_days)
        self.sleep = sleep
        self.workers = workers

    # ------------------------------------------------------------------ the summary

    def load(self, conversation_id: str) -> Loaded | None:
        response = self.client.get_item(
            TableName=self.table_name,
            Key={"pk": {"S": conversation_pk(conversation_id)}, "sk": {"S": SK}},
            ConsistentRead=True,
            ProjectionExpression="version, #state, contribution",
            ExpressionAttributeNames={"#state": "state"},
        )
        item = response.get("Item")
        if not item:
            return None
        return Loaded(
            state=InsightsState.model_validate_json(item["state"]["S"]),
            version=int(item["version"]["N"]),
            contribution=_contribution_from_json(item["contribution"]["S"]) if "contribution" in item else {},
        )

    def save(
        self,
        conversation_id: str,
        state: InsightsState,
        summary: ConversationSummary,
        *,
        expected_version: int,
        contribution: Mapping[BucketKey, Mapping[str, float]],
        differences: Differences,
        at: datetime,
    ) -> int:
        """Write the summary (at `expected_version + 1`) and add `differences` to the buckets, all or nothing.
        `contribution`: what the summary contributes in all (stored: the next save's `old`). ConcurrentUpdate
        when the item is no longer at `expected_version`."""
        _check_size(conversation_id, differences)
        version = expected_version + 1
        expires = str(int((at + self.ttl).timestamp()))
        item = self.summary_item(
            conversation_id, state, summary, version=version, contribution=contribution, at=at
        )
        put: dict[str, Any] = {"TableName": self.table_name, "Item": item}
        if expected_version == 0:
            put["ConditionExpression"] = "attribute_not_exists(pk)"
        else:
            put["ConditionExpression"] = "version = :expected"
            put["ExpressionAttributeValues"] = {":expected": {"N": str(expected_version)}}
        actions: list[dict[str, Any]] = [{"Put": put}]
        actions.extend(
            {"Update": update} for update in self._bucket_updates(conversation_id, differences, expires)
        )
        for attempt in range(1, CONFLICT_ATTEMPTS + 1):
            try:
                self.client.transact_write_items(TransactItems=actions)
                return version
            except self.client.exceptions.TransactionCanceledException as error:
                codes = [reason.get("Code") for reason in error.response.get("CancellationReasons", [])]
                if codes and codes[0] == "ConditionalCheckFailed":
                    raise ConcurrentUpdate(
                        f"the insights of {conversation_id!r} are no longer at version {expected_version}"
                    ) from error
                retriable = {"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"}
                if attempt == CONFLICT_ATTEMPTS or not any(code in retriable for code in codes):
                    raise
            # Jittered: the transactions that collided must not collide again in step.
            self.sleep(random.uniform(0.02, 0.08) * attempt)
        raise AssertionError("unreachable")

    def summary_item(
        self,
        conversation_id: str,
        state: InsightsState,
        summary: ConversationSummary,
        *,
        version: int,
        contribution: Mapping[BucketKey, Mapping[str, float]],
        at: datetime,
    ) -> dict[str, Any]:
        """The summary item as `save` writes it (DynamoDB JSON); `bench/kpis.py` seeds with it."""
        return {
            "pk": {"S": conversation_pk(conversation_id)},
            "sk": {"S": SK},
            "kind": {"S": KIND},
            "conversation_id": {"S": conversation_id},
            "version": {"N": str(version)},
            "updated_at": {"S": at.isoformat()},
            "expires_at": {"N": str(int((at + self.ttl).timestamp()))},
            "state": {"S": state.model_dump_json()},
            "summary": {"S": summary.model_dump_json()},
            "contribution": {"S": _contribution_json(contribution)},
            "status": {"S": summary.status},
            "gsi2pk": {"S": STATUS_PREFIX + summary.status},
            "gsi2sk": {"S": activity_key(summary, at)},
        }

    def bucket_item(
        self, key: BucketKey, shard: int, counters: Mapping[str, float], *, at: datetime
    ) -> dict[str, Any]:
        """A bucket item holding `counters` (DynamoDB JSON), as the ADDs of `save` leave it; for seeding."""
        day, dimension, value = key
        return {
            "pk": {"S": BUCKET_PREFIX + day.isoformat()},
            "sk": {"S": bucket_sk(dimension, value, shard)},
            "kind": {"S": BUCKET_KIND},
            "expires_at": {"N": str(int((at + self.ttl).timestamp()))},
            **{COUNTER_PREFIX + name: {"N": _number(number)} for name, number in counters.items()},
        }

    def _bucket_updates(
        self, conversation_id: str, differences: Differences, expires: str
    ) -> list[dict[str, Any]]:
        merged: dict[tuple[str, str], dict[str, float]] = {}
        for (day, dimension, value), counters in differences.items():
            # Two values cut to the same key are one item (a transaction names each item once).
            shard = shard_of(conversation_id, dimension)
            total = merged.setdefault(
                (BUCKET_PREFIX + day.isoformat(), bucket_sk(dimension, value, shard)), {}
            )
            for name, number in counters.items():
                total[name] = total.get(name, 0.0) + number
        updates = []
        for (pk, sk), counters in sorted(merged.items()):
            names = {"#kind": "kind", "#exp": "expires_at"}
            values = {":kind": {"S": BUCKET_KIND}, ":exp": {"N": expires}}
            adds = []
            for i, (name, number) in enumerate(sorted(counters.items())):
                names[f"#c{i}"] = COUNTER_PREFIX + name
                values[f":c{i}"] = {"N": _number(number)}
                adds.append(f"#c{i} :c{i}")
            updates.append(
                {
                    "TableName": self.table_name,
                    "Key": {"pk": {"S": pk}, "sk": {"S": sk}},
                    # The bucket lives as long as the last conversation that changed it.
                    "UpdateExpression": "SET #kind = :kind, #exp = :exp ADD " + ", ".join(adds),
                    "ExpressionAttributeNames": names,
                    "ExpressionAttributeValues": values,
                }
            )
        return updates

    # ------------------------------------------------------------------ the console's list

    def list_conversations(
        self,
        statuses: Sequence[str] | None = None,
        since: datetime | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> ConversationPage:
        """Conversations active since `since` with one of `statuses` (all when None), newest activity first."""
        wanted = check_statuses(statuses)
        check_limit(limit)
        upper = decode_cursor(cursor) if cursor else None
        lower = since_key(since) if since is not None else None
        if lower is not None and upper is not None and lower > upper:
            return ConversationPage(conversations=[])
        candidates: list[tuple[str, ConversationSummary]] = []
        for found in self._map(lambda status: self._newest(status, lower, upper, limit + 1), wanted):
            candidates.extend(found)
        return page_of(candidates, limit)

    def _newest(
        self, status: str, lower: str | None, upper: str | None, wanted: int
    ) -> list[tuple[str, ConversationSummary]]:
        """Up to `wanted` of one status's summaries, newest first, with a key in [lower, upper)."""
        names = {"#pk": "gsi2pk", "#sk": "gsi2sk", "#summary": "summary"}
        values: dict[str, Any] = {":pk": {"S": STATUS_PREFIX + status}}
        condition = "#pk = :pk"
        if lower is not None and upper is not None:
            condition += (
                " AND #sk BETWEEN :lower AND :upper"  # inclusive: the cursor's own item is dropped below
            )
            values.update({":lower": {"S": lower}, ":upper": {"S": upper}})
        elif upper is not None:
            condition += " AND #sk < :upper"
            values[":upper"] = {"S": upper}
        elif lower is not None:
            condition += " AND #sk >= :lower"
            values[":lower"] = {"S": lower}
        kwargs: dict[str, Any] = {
            "TableName": self.table_name,
            "IndexName": INDEX,
            "KeyConditionExpression": condition,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
            "ProjectionExpression": "#sk, #summary",
            "ScanIndexForward": False,
            "Limit": wanted + 1,
        }
        found: list[tuple[str, ConversationSummary]] = []
        while len(found) < wanted:
            page = self.client.query(**kwargs)
            for item in page.get("Items", []):
                key = item["gsi2sk"]["S"]
                if key != upper:
                    found.append((key, ConversationSummary.model_validate_json(item["summary"]["S"])))
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return found[:wanted]

    # ------------------------------------------------------------------ KPI buckets

    def buckets(self, start: date, end: date) -> list[Bucket]:
        """Every bucket of the days from `start` to `end` (inclusive), its shards summed: one Query per day."""
        rows: list[tuple[date, str, str, Mapping[str, float]]] = []
        for found in self._map(self._day, days(start, end)):
            rows.extend(found)
        return _sum_buckets(rows)

    def _day(self, day: date) -> list[tuple[date, str, str, dict[str, float]]]:
        kwargs: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": BUCKET_PREFIX + day.isoformat()}},
        }
        _read_raw_items(self.client)
        rows = []
        while True:
            _raw.active = True
            try:
                page = self.client.query(**kwargs)
            finally:
                _raw.active = False
            for item in page.get(RAW_ITEMS, page.get("Items", [])):
                dimension, value, _ = parse_bucket_sk(item["sk"]["S"])
                counters = {
                    name[len(COUNTER_PREFIX) :]: float(attribute["N"])
                    for name, attribute in item.items()
                    if name.startswith(COUNTER_PREFIX) and "N" in attribute
                }
                rows.append((day, dimension, value, counters))
            if "LastEvaluatedKey" not in page:
                return rows
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    # ------------------------------------------------------------------ repeat contacts

    def earlier_contact(self, customer_id: str, intent: str, started_at: datetime) -> bool:
        """Whether the customer started a conversation on `intent` within `REPEAT_DAYS` before `started_at`
        (`baton.feedback.contacts`: the records are keyed by intent and start, so one Query answers)."""
        response = self.client.query(
            TableName=self.table_name,
            KeyConditionExpression="pk = :pk AND sk BETWEEN :lower AND :upper",
            ExpressionAttributeValues={
                ":pk": {"S": customer_pk(customer_id)},
                # Bounds without a conversation id: the window's first instant is in, this start (and so this
                # conversation's own record) is out.
                ":lower": {"S": contact_sk(intent, started_at - timedelta(days=REPEAT_DAYS), "")},
                ":upper": {"S": contact_sk(intent, started_at, "")},
            },
            ConsistentRead=True,
            Limit=1,
            ProjectionExpression="sk",
        )
        return bool(response.get("Items"))

    def _map[T, R](self, function: Callable[[T], R], items: Sequence[T]) -> list[R]:
        if len(items) <= 1 or self.workers <= 1:
            return [function(item) for item in items]
        with ThreadPoolExecutor(max_workers=min(self.workers, len(items))) as pool:
            return list(pool.map(function, items))


def _read_raw_items(client: Any) -> None:
    """Have the bucket Queries of this client (in the thread that runs them: `_raw.active`) keep their items as
    DynamoDB sent them. botocore's model-driven parser costs about 0.1 ms per attribute, and a day of buckets holds
    thousands of counters: parsed as plain JSON (DynamoDB's own wire format), 90 days read several times faster.
    botocore's `before-parse` event and `customized_response_dict` are its extension point for this. Registered
    once per client; any other call on the client is parsed as usual."""
    client.meta.events.register(
        "before-parse.dynamodb.Query", _keep_raw_items, unique_id="baton-insights-raw-items"
    )


def _keep_raw_items(
    response_dict: dict[str, Any], customized_response_dict: dict[str, Any], **_: Any
) -> None:
    if not getattr(_raw, "active", False) or response_dict.get("status_code") != 200:
        return
    body = json.loads(response_dict["body"])
    customized_response_dict[RAW_ITEMS] = body.pop("Items", [])
    response_dict["body"] = json.dumps(body).encode("utf-8")


class MemoryInsightsStore:
    """`DynamoInsightsStore` in memory: the same versions, pages, cursors and bucket sums (tests, benches)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.items: dict[str, tuple[Loaded, ConversationSummary, str]] = {}
        """conversation id -> (what `load` returns, the summary, its index key)."""
        self.counters: dict[tuple[date, str, str, int], dict[str, float]] = {}
        """(day, dimension, value, shard) -> counters."""
        self.contacts: list[tuple[str, str, datetime, str]] = []
        """(customer id, intent, started at, conversation id): the feedback consumer's contact records."""
        self.saves = 0

    def add_contact(self, customer_id: str, intent: str, started_at: datetime, conversation_id: str) -> None:
        with self._lock:
            self.contacts.append((customer_id, intent, started_at, conversation_id))

    def load(self, conversation_id: str) -> Loaded | None:
        with self._lock:
            stored = self.items.get(conversation_id)
        if stored is None:
            return None
        loaded = stored[0]
        return Loaded(loaded.state.model_copy(deep=True), loaded.version, dict(loaded.contribution))

    def save(
        self,
        conversation_id: str,
        state: InsightsState,
        summary: ConversationSummary,
        *,
        expected_version: int,
        contribution: Mapping[BucketKey, Mapping[str, float]],
        differences: Differences,
        at: datetime,
    ) -> int:
        _check_size(conversation_id, differences)
        for counters in differences.values():
            for number in counters.values():
                _number(number)
        with self._lock:
            current = self.items.get(conversation_id)
            if (current[0].version if current else 0) != expected_version:
                raise ConcurrentUpdate(
                    f"the insights of {conversation_id!r} are no longer at version {expected_version}"
                )
            version = expected_version + 1
            copied = {key: dict(counters) for key, counters in contribution.items()}
            self.items[conversation_id] = (
                Loaded(state.model_copy(deep=True), version, copied),
                summary.model_copy(deep=True),
                activity_key(summary, at),
            )
            for (day, dimension, value), counters in differences.items():
                shard = shard_of(conversation_id, dimension)
                total = self.counters.setdefault((day, dimension, value, shard), {})
                for name, number in counters.items():
                    total[name] = total.get(name, 0.0) + number
            self.saves += 1
            return version

    def list_conversations(
        self,
        statuses: Sequence[str] | None = None,
        since: datetime | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> ConversationPage:
        wanted = set(check_statuses(statuses))
        check_limit(limit)
        upper = decode_cursor(cursor) if cursor else None
        lower = since_key(since) if since is not None else None
        with self._lock:
            candidates = [
                (key, summary.model_copy(deep=True))
                for _, summary, key in self.items.values()
                if summary.status in wanted
                and (lower is None or key >= lower)
                and (upper is None or key < upper)
            ]
        return page_of(candidates, limit)

    def buckets(self, start: date, end: date) -> list[Bucket]:
        with self._lock:
            rows = [
                (day, dimension, value, dict(counters))
                for (day, dimension, value, _), counters in self.counters.items()
                if start <= day <= end
            ]
        return _sum_buckets(rows)

    def earlier_contact(self, customer_id: str, intent: str, started_at: datetime) -> bool:
        window = started_at - timedelta(days=REPEAT_DAYS)
        with self._lock:
            return any(
                c == customer_id and i == intent and window <= t < started_at for c, i, t, _ in self.contacts
            )
