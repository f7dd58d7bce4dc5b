"""The local event bus: EventBridge rules -> SQS queues (+ dead letters) -> Lambda handlers, in SQLite.

One SQLite file (WAL mode) holds the event archive, every consumer's queue and the dead letters, so
`baton events put` and `baton dlq replay` work from another process, whether `baton local` runs or
not, and nothing is lost across restarts. Routing uses the subscriptions of `baton.bus` and the same
pattern semantics as EventBridge (`baton.local.patterns`); queue semantics follow SQS: a received
message is invisible until deleted or failed, a failed one comes back after a delay, and after the
subscription's `max_receive_count` receives it moves to the dead letters with its last error. A consumer sends a
record that can never succeed there at once (`LocalDeadLetters`, as deployed it sends it to its DLQ).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib
import json
import logging
import os
import sqlite3
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aws_lambda_powertools import Logger

from baton.adapters.sqs import DeadLetterNotSent
from baton.bus import Subscription, active_subscriptions
from baton.errors import BatonError
from baton.events import BusEvent
from baton.local import patterns
from baton.settings import Settings

logger = Logger(service="baton-local")

ACCOUNT = "000000000000"
REGION = "local"
MAX_ENTRIES_PER_PUT = 10  # PutEvents accepts at most 10 entries per call
MAX_EVENT_BYTES = 256 * 1024  # EventBridge's limit for one event
MAX_RETRY_DELAY_S = 300.0
SENDER_ID = "AROALOCALEVENTBRIDGE00:events"
SCHEMA_VERSION = 1
ARCHIVE_RETENTION_DAYS = 30
"""How long the archive keeps an event, as the deployed bus archive does (`infra`: 30 days): it holds message
text, so it must not grow and keep it forever."""
PRUNE_EVERY_S = 3600.0

Invoke = Callable[[dict[str, Any], Any], Any]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS archive (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL,
    time TEXT NOT NULL,
    source TEXT NOT NULL,
    detail_type TEXT NOT NULL,
    rules TEXT NOT NULL,
    envelope TEXT NOT NULL,
    put_at_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS messages (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id TEXT NOT NULL UNIQUE,
    queue TEXT NOT NULL,
    body TEXT NOT NULL,
    event_id TEXT,
    sent_at_ms INTEGER NOT NULL,
    visible_at_ms INTEGER NOT NULL,
    receive_count INTEGER NOT NULL DEFAULT 0,
    first_receive_at_ms INTEGER,
    receipt_handle TEXT,
    last_error TEXT
);
CREATE INDEX IF NOT EXISTS messages_visible ON messages (queue, visible_at_ms, seq);
CREATE INDEX IF NOT EXISTS archive_put_at ON archive (put_at_ms);
CREATE TABLE IF NOT EXISTS dead_letters (
    message_id TEXT PRIMARY KEY,
    queue TEXT NOT NULL,
    body TEXT NOT NULL,
    event_id TEXT,
    source TEXT,
    detail_type TEXT,
    receive_count INTEGER NOT NULL,
    sent_at_ms INTEGER NOT NULL,
    failed_at_ms INTEGER NOT NULL,
    last_error TEXT NOT NULL
);
"""


class InvalidEvent(BatonError):
    """An event that EventBridge would refuse; `field` names the offending field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class DeadLetterNotFound(BatonError):
    pass


def queue_name(subscription: Subscription) -> str:
    return subscription.name


def queue_arn(queue: str) -> str:
    return f"arn:aws:sqs:{REGION}:{ACCOUNT}:{queue}"


def _now_ms(clock: Callable[[], float]) -> int:
    return int(clock() * 1000)


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class PutResult:
    event_id: str
    source: str
    detail_type: str
    rules: tuple[str, ...]
    """The subscriptions (rule and queue) the event was routed to; empty when it matched no rule."""


@dataclass(frozen=True)
class Message:
    message_id: str
    queue: str
    body: str
    receipt_handle: str
    receive_count: int
    sent_at_ms: int
    first_receive_at_ms: int


@dataclass(frozen=True)
class DeadLetter:
    message_id: str
    queue: str
    body: str
    event_id: str | None
    source: str | None
    detail_type: str | None
    receive_count: int
    sent_at_ms: int
    failed_at_ms: int
    last_error: str

    def as_dict(self) -> dict[str, Any]:
        try:
            body: Any = json.loads(self.body)
        except ValueError:
            body = self.body
        return {
            "id": self.message_id,
            "queue": self.queue,
            "event_id": self.event_id,
            "source": self.source,
            "detail_type": self.detail_type,
            "receive_count": self.receive_count,
            "sent_at": _iso(self.sent_at_ms),
            "failed_at": _iso(self.failed_at_ms),
            "last_error": self.last_error,
            "body": body,
        }


@dataclass(frozen=True)
class ArchivedEvent:
    seq: int
    event_id: str
    time: str
    source: str
    detail_type: str
    rules: tuple[str, ...]
    envelope: dict[str, Any]


# -- entries -> envelopes ---------------------------------------------------------------------------


def _required_string(entry: Mapping[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if value is None:
        raise InvalidEvent(f"{where}{key}", "is required")
    if not isinstance(value, str) or not value.strip():
        raise InvalidEvent(f"{where}{key}", "must be a non-empty string")
    return value


def _time_string(value: Any, field: str, clock: Callable[[], float]) -> str:
    if value is None:
        return _iso(_now_ms(clock))
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, str):
        try:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError as exc:
            raise InvalidEvent(field, "must be an ISO 8601 timestamp") from exc
        return value
    raise InvalidEvent(field, "must be an ISO 8601 timestamp")


def _resources(value: Any, field: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InvalidEvent(field, "must be a list of strings")
    return list(value)


def to_envelope(
    entry: Mapping[str, Any], *, where: str = "", clock: Callable[[], float] = time.time
) -> dict[str, Any]:
    """A PutEvents entry ({Source, DetailType, Detail, ...}) or an event envelope -> the envelope rules see.

    `where` prefixes the field names in errors (e.g. `[2].`).
    """
    if not isinstance(entry, Mapping):
        raise InvalidEvent(where.rstrip(".") or "event", "must be a JSON object")
    if {"Source", "DetailType", "Detail"} & entry.keys():
        source = _required_string(entry, "Source", where)
        detail_type = _required_string(entry, "DetailType", where)
        raw = entry.get("Detail")
        if raw is None:
            raise InvalidEvent(f"{where}Detail", "is required")
        if isinstance(raw, str):
            try:
                detail = json.loads(raw)
            except ValueError as exc:
                raise InvalidEvent(f"{where}Detail", f"is not valid JSON ({exc})") from exc
        else:
            detail = raw
        event_id = str(uuid.uuid4())
        event_time = _time_string(entry.get("Time"), f"{where}Time", clock)
        resources = _resources(entry.get("Resources"), f"{where}Resources")
        account, region = ACCOUNT, REGION
        detail_field = f"{where}Detail"
    elif {"source", "detail-type", "detail"} & entry.keys():
        source = _required_string(entry, "source", where)
        detail_type = _required_string(entry, "detail-type", where)
        if "detail" not in entry:
            raise InvalidEvent(f"{where}detail", "is required")
        detail = entry["detail"]
        event_id = entry.get("id") or str(uuid.uuid4())
        if not isinstance(event_id, str):
            raise InvalidEvent(f"{where}id", "must be a string")
        event_time = _time_string(entry.get("time"), f"{where}time", clock)
        resources = _resources(entry.get("resources"), f"{where}resources")
        account = entry["account"] if isinstance(entry.get("account"), str) else ACCOUNT
        region = entry["region"] if isinstance(entry.get("region"), str) else REGION
        detail_field = f"{where}detail"
    else:
        raise InvalidEvent(
            where.rstrip(".") or "event",
            "is neither an event envelope (source, detail-type, detail) nor a PutEvents entry "
            "(Source, DetailType, Detail)",
        )
    if not isinstance(detail, dict):
        raise InvalidEvent(detail_field, "must be a JSON object")
    envelope = {
        "version": "0",
        "id": event_id,
        "detail-type": detail_type,
        "source": source,
        "account": account,
        "time": event_time,
        "region": region,
        "resources": resources,
        "detail": detail,
    }
    if len(json.dumps(envelope).encode()) > MAX_EVENT_BYTES:
        raise InvalidEvent(detail_field, f"the event is larger than {MAX_EVENT_BYTES // 1024} KB")
    return envelope


# -- the bus ----------------------------------------------------------------------------------------

_WAKE: dict[str, threading.Condition] = {}
_WAKE_LOCK = threading.Lock()


def _wake_condition(path: Path) -> threading.Condition:
    key = str(path)
    with _WAKE_LOCK:
        return _WAKE.setdefault(key, threading.Condition())


class LocalBus:
    """The bus, its queues, archive and dead letters in one SQLite file. Safe across threads and processes."""

    def __init__(
        self,
        path: str | Path,
        subscriptions: Sequence[Subscription] | None = None,
        *,
        clock: Callable[[], float] = time.time,
        archive_retention_days: float = ARCHIVE_RETENTION_DAYS,
    ) -> None:
        self.path = Path(path).resolve()
        self.subscriptions = tuple(active_subscriptions() if subscriptions is None else subscriptions)
        self.clock = clock
        self.archive_retention_days = archive_retention_days
        self._pruned_at = 0.0
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)  # a new data dir: its owner's only
        # Events hold message text: the file (and SQLite's -wal and -shm, which take its mode) is the owner's only.
        # Never open and close the file itself once it exists: closing any descriptor of it drops this process's
        # POSIX locks on it, SQLite's included (another LocalBus of this process may hold them).
        if not self.path.exists():
            with contextlib.suppress(FileExistsError):
                os.close(os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        for file in (self.path, *(self.path.with_name(self.path.name + s) for s in ("-wal", "-shm"))):
            with contextlib.suppress(FileNotFoundError):
                if file.stat().st_mode & 0o077:
                    os.chmod(file, 0o600)
        self._lock = threading.RLock()
        # One connection, serialised by a lock: SQLite serialises writers anyway, and the WAL lets
        # other processes read while we write.
        self._db = sqlite3.connect(self.path, timeout=30.0, isolation_level=None, check_same_thread=False)
        self._db.row_factory = sqlite3.Row
        with self._lock:
            self._db.execute("PRAGMA busy_timeout=30000")
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            with self._transaction() as db:
                for statement in filter(str.strip, _SCHEMA.split(";")):
                    db.execute(statement)
                db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        self.prune_archive()
        self.wake = _wake_condition(self.path)

    def prune_archive(self) -> int:
        """Delete archived events older than the retention; how many went. Called at start and, from
        `put_events`, at most once an hour."""
        self._pruned_at = self.clock()
        cutoff = _now_ms(self.clock) - int(self.archive_retention_days * 86_400_000)
        with self._transaction() as db:
            return db.execute("DELETE FROM archive WHERE put_at_ms < ?", (cutoff,)).rowcount

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            # IMMEDIATE takes the write lock up front, so two consumers never read the same visible rows.
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> LocalBus:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- publishing

    def route(self, envelope: Mapping[str, Any]) -> tuple[Subscription, ...]:
        return tuple(sub for sub in self.subscriptions if patterns.matches(sub.pattern, envelope))

    def put_events(self, entries: Sequence[Mapping[str, Any]]) -> list[PutResult]:
        """Put PutEvents entries or envelopes on the bus: archive each, enqueue it for every matching rule.

        Validates every entry before storing any (InvalidEvent names the field); at most 10 per call.
        """
        if not entries:
            raise InvalidEvent("entries", "at least one event is required")
        if len(entries) > MAX_ENTRIES_PER_PUT:
            raise InvalidEvent(
                "entries", f"at most {MAX_ENTRIES_PER_PUT} events per call (got {len(entries)})"
            )
        where = (lambda i: f"[{i}].") if len(entries) > 1 else (lambda i: "")
        envelopes = [to_envelope(entry, where=where(i), clock=self.clock) for i, entry in enumerate(entries)]
        results = []
        now = _now_ms(self.clock)
        with self._transaction() as db:
            for envelope in envelopes:
                rules = self.route(envelope)
                names = tuple(queue_name(sub) for sub in rules)
                body = json.dumps(envelope, separators=(",", ":"))
                db.execute(
                    "INSERT INTO archive (event_id, time, source, detail_type, rules, envelope, put_at_ms)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        envelope["id"],
                        envelope["time"],
                        envelope["source"],
                        envelope["detail-type"],
                        json.dumps(names),
                        body,
                        now,
                    ),
                )
                for name in names:
                    db.execute(
                        "INSERT INTO messages (message_id, queue, body, event_id, sent_at_ms, visible_at_ms)"
                        " VALUES (?, ?, ?, ?, ?, ?)",
                        (str(uuid.uuid4()), name, body, envelope["id"], now, now),
                    )
                results.append(PutResult(envelope["id"], envelope["source"], envelope["detail-type"], names))
        if self.clock() - self._pruned_at >= PRUNE_EVERY_S:
            self.prune_archive()
        self.notify()
        return results

    def notify(self) -> None:
        """Wake this process's workers now instead of at their next poll."""
        with self.wake:
            self.wake.notify_all()

    # -- consuming

    def receive(self, queue: str, max_messages: int, visibility_timeout_s: float) -> list[Message]:
        """Up to `max_messages` visible messages, oldest first, hidden for `visibility_timeout_s`."""
        now = _now_ms(self.clock)
        hidden_until = now + int(visibility_timeout_s * 1000)
        received = []
        with self._transaction() as db:
            rows = db.execute(
                "SELECT * FROM messages WHERE queue = ? AND visible_at_ms <= ? ORDER BY seq LIMIT ?",
                (queue, now, max_messages),
            ).fetchall()
            for row in rows:
                handle = uuid.uuid4().hex
                first = row["first_receive_at_ms"] or now
                db.execute(
                    "UPDATE messages SET receive_count = receive_count + 1, receipt_handle = ?,"
                    " visible_at_ms = ?, first_receive_at_ms = ? WHERE seq = ?",
                    (handle, hidden_until, first, row["seq"]),
                )
                received.append(
                    Message(
                        row["message_id"],
                        queue,
                        row["body"],
                        handle,
                        row["receive_count"] + 1,
                        row["sent_at_ms"],
                        first,
                    )
                )
        return received

    def delete(self, queue: str, receipt_handle: str) -> bool:
        with self._transaction() as db:
            cur = db.execute(
                "DELETE FROM messages WHERE queue = ? AND receipt_handle = ?", (queue, receipt_handle)
            )
            return cur.rowcount > 0

    def fail(
        self,
        queue: str,
        receipt_handle: str,
        error: str,
        *,
        retry_delay_s: float,
        max_receive_count: int,
    ) -> str:
        """A failed delivery: retry after `retry_delay_s * 2**(receives-1)`, or dead-letter it after
        `max_receive_count` receives. Returns "retry", "dead" or "gone" (stale receipt handle)."""
        now = _now_ms(self.clock)
        with self._transaction() as db:
            row = db.execute(
                "SELECT * FROM messages WHERE queue = ? AND receipt_handle = ?", (queue, receipt_handle)
            ).fetchone()
            if row is None:
                return "gone"
            if row["receive_count"] >= max_receive_count:
                _move_to_dead_letters(db, row, error, now)
                return "dead"
            delay = min(retry_delay_s * 2 ** (row["receive_count"] - 1), MAX_RETRY_DELAY_S)
            db.execute(
                "UPDATE messages SET visible_at_ms = ?, last_error = ?, receipt_handle = NULL WHERE seq = ?",
                (now + int(delay * 1000), error, row["seq"]),
            )
            return "retry"

    def send_to_dead_letters(self, queue: str, receipt_handle: str, error: str) -> bool:
        """A consumer's SendMessage to its DLQ, for a received message that can never succeed: it moves to the dead
        letters now, whatever its receive count, with `error` as its last error (`baton dlq` shows and replays it
        like any other). False when the receipt handle is stale (the message went back to the queue)."""
        with self._transaction() as db:
            row = db.execute(
                "SELECT * FROM messages WHERE queue = ? AND receipt_handle = ?", (queue, receipt_handle)
            ).fetchone()
            if row is None:
                return False
            _move_to_dead_letters(db, row, error, _now_ms(self.clock))
            return True

    def release_inflight(self) -> int:
        """Make messages hidden by a consumer that is gone (a killed `baton local`) visible again."""
        now = _now_ms(self.clock)
        with self._transaction() as db:
            cur = db.execute(
                "UPDATE messages SET visible_at_ms = ?, receipt_handle = NULL WHERE receipt_handle IS NOT NULL",
                (now,),
            )
            return cur.rowcount

    def depth(self, queue: str) -> int:
        with self._lock:
            (count,) = self._db.execute("SELECT COUNT(*) FROM messages WHERE queue = ?", (queue,)).fetchone()
            return int(count)

    # -- dead letters

    def dead_letters(self, queue: str | None = None) -> list[DeadLetter]:
        sql = "SELECT * FROM dead_letters"
        args: tuple[Any, ...] = ()
        if queue:
            sql, args = sql + " WHERE queue = ?", (queue,)
        with self._lock:
            rows = self._db.execute(sql + " ORDER BY failed_at_ms, message_id", args).fetchall()
        return [_dead_letter(row) for row in rows]

    def dead_letter(self, ident: str) -> DeadLetter:
        """The dead letter with this id, or the only one whose id starts with it."""
        with self._lock:
            rows = self._db.execute(
                "SELECT * FROM dead_letters WHERE message_id = ? OR substr(message_id, 1, ?) = ?"
                " ORDER BY message_id = ? DESC",
                (ident, len(ident), ident, ident),
            ).fetchall()
        if not rows:
            raise DeadLetterNotFound(f"no dead letter with id {ident!r}")
        if len(rows) > 1 and rows[0]["message_id"] != ident:
            raise DeadLetterNotFound(f"{ident!r} matches {len(rows)} dead letters; give more of the id")
        return _dead_letter(rows[0])

    def replay(self, idents: Sequence[str] | None = None) -> list[DeadLetter]:
        """Move dead letters (all when `idents` is None) back into their queues with a receive count of 0."""
        letters = self.dead_letters() if idents is None else [self.dead_letter(i) for i in idents]
        now = _now_ms(self.clock)
        with self._transaction() as db:
            for letter in letters:
                db.execute(
                    "INSERT INTO messages (message_id, queue, body, event_id, sent_at_ms, visible_at_ms)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (letter.message_id, letter.queue, letter.body, letter.event_id, now, now),
                )
                db.execute("DELETE FROM dead_letters WHERE message_id = ?", (letter.message_id,))
        if letters:
            self.notify()
        return letters

    def purge_dead_letters(self, idents: Sequence[str] | None = None) -> int:
        letters = self.dead_letters() if idents is None else [self.dead_letter(i) for i in idents]
        with self._transaction() as db:
            for letter in letters:
                db.execute("DELETE FROM dead_letters WHERE message_id = ?", (letter.message_id,))
        return len(letters)

    # -- archive

    def archive_envelopes(self, batch: int = 500) -> Iterator[dict[str, Any]]:
        """Every archived event's envelope, oldest first, read in batches (the archive may be large)."""
        after = 0
        while True:
            with self._lock:
                rows = self._db.execute(
                    "SELECT seq, envelope FROM archive WHERE seq > ? ORDER BY seq LIMIT ?", (after, batch)
                ).fetchall()
            if not rows:
                return
            for row in rows:
                yield json.loads(row["envelope"])
            after = rows[-1]["seq"]

    def archived_events(self, limit: int = 20, conversation_id: str | None = None) -> list[ArchivedEvent]:
        """The newest `limit` events put on the bus (of one conversation, when given), newest first."""
        with self._lock:
            if conversation_id is None:
                rows = self._db.execute(
                    "SELECT * FROM archive ORDER BY seq DESC LIMIT ?", (limit,)
                ).fetchall()
            else:
                rows = self._db.execute(
                    "SELECT * FROM archive WHERE json_extract(envelope, '$.detail.conversation_id') = ?"
                    " ORDER BY seq DESC LIMIT ?",
                    (conversation_id, limit),
                ).fetchall()
        return [
            ArchivedEvent(
                row["seq"],
                row["event_id"],
                row["time"],
                row["source"],
                row["detail_type"],
                tuple(json.loads(row["rules"])),
                json.loads(row["envelope"]),
            )
            for row in rows
        ]


def _describe(body: str) -> tuple[str | None, str | None]:
    try:
        envelope = json.loads(body)
        return envelope.get("source"), envelope.get("detail-type")
    except (ValueError, AttributeError):
        return None, None


def _move_to_dead_letters(db: sqlite3.Connection, row: sqlite3.Row, error: str, now: int) -> None:
    """Move a queued message (its `messages` row) to the dead letters, keeping its id (a replay puts it back
    under it)."""
    source, detail_type = _describe(row["body"])
    db.execute(
        "INSERT OR REPLACE INTO dead_letters (message_id, queue, body, event_id, source, detail_type,"
        " receive_count, sent_at_ms, failed_at_ms, last_error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            row["message_id"],
            row["queue"],
            row["body"],
            row["event_id"],
            source,
            detail_type,
            row["receive_count"],
            row["sent_at_ms"],
            now,
            error,
        ),
    )
    db.execute("DELETE FROM messages WHERE seq = ?", (row["seq"],))


def _dead_letter(row: sqlite3.Row) -> DeadLetter:
    return DeadLetter(
        row["message_id"],
        row["queue"],
        row["body"],
        row["event_id"],
        row["source"],
        row["detail_type"],
        row["receive_count"],
        row["sent_at_ms"],
        row["failed_at_ms"],
        row["last_error"],
    )


OnPublished = Callable[[Sequence[BusEvent]], None]


class LocalBusPublisher:
    """baton.ports.EventPublisher on the local bus (what `baton local` wires instead of EventBridge).

    `on_published` is told every batch of events once they are on the bus (`baton local` prints its decisions)."""

    def __init__(
        self,
        path: str | Path,
        event_bus_name: str = "baton",
        bus: LocalBus | None = None,
        on_published: OnPublished | None = None,
    ) -> None:
        self.event_bus_name = event_bus_name
        self.bus = bus or LocalBus(path)
        self.on_published = on_published

    def publish(self, events: Sequence[BusEvent]) -> None:
        entries = [event.entry(self.event_bus_name) for event in events]
        for start in range(0, len(entries), MAX_ENTRIES_PER_PUT):
            self.bus.put_events(entries[start : start + MAX_ENTRIES_PER_PUT])
        if self.on_published is not None and events:
            try:
                self.on_published(events)
            except Exception:  # what the console shows must never fail a handler's publish
                logger.exception("on_published failed")


PERMANENT_FAILURE = "it can never succeed: sent to the dead letters on its first failure, without retries"


class LocalDeadLetters:
    """baton.ports.DeadLetterQueue on the local bus: a consumer's SendMessage to its DLQ moves the record's message
    (named by its receipt handle, in the queue its eventSourceARN names) to the dead letters, with the reason."""

    def __init__(self, bus: LocalBus) -> None:
        self.bus = bus

    def send(self, record: Mapping[str, Any], reason: str) -> None:
        queue = str(record.get("eventSourceARN") or "").rsplit(":", 1)[-1]
        handle = str(record.get("receiptHandle") or "")
        if not self.bus.send_to_dead_letters(queue, handle, f"{reason} ({PERMANENT_FAILURE})"):
            raise DeadLetterNotSent(
                f"message {record.get('messageId')!r} is no longer in flight on {queue!r}"
            )


def _publisher_for(settings: Settings, on_published: OnPublished | None = None) -> LocalBusPublisher:
    if not settings.local_bus_path:
        raise ValueError("the local bus publisher needs settings.local_bus_path")
    return LocalBusPublisher(
        settings.local_bus_path, event_bus_name=settings.event_bus_name, on_published=on_published
    )


def _dead_letters_for(settings: Settings) -> LocalDeadLetters:
    if not settings.local_bus_path:
        raise ValueError("the local dead letters need settings.local_bus_path")
    return LocalDeadLetters(LocalBus(settings.local_bus_path))


def install_publisher(on_published: OnPublished | None = None) -> None:
    """Make `baton.wiring.publisher` (and `dead_letter_queue`) answer `Settings.local_bus_path` with this bus.
    `baton local` (and the benches that run handlers against the local bus) call it: the shipped package never
    imports this module. `on_published`: see `LocalBusPublisher`."""
    from baton import wiring

    wiring.use_local_bus(functools.partial(_publisher_for, on_published=on_published))
    wiring.use_local_dead_letters(_dead_letters_for)


# -- Lambda emulation -------------------------------------------------------------------------------


class LocalLambdaContext:
    """The parts of the Lambda context object that handlers and Powertools read."""

    def __init__(self, function_name: str, timeout_s: float = 30, memory_mb: int = 512) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{function_name}"
        self.memory_limit_in_mb = memory_mb
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = f"local/{self.aws_request_id}"
        self.identity = None
        self.client_context = None
        self._deadline = time.monotonic() + timeout_s

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def sqs_event(messages: Sequence[Message]) -> dict[str, Any]:
    """The event Lambda's SQS event source mapping hands the function."""
    return {
        "Records": [
            {
                "messageId": m.message_id,
                "receiptHandle": m.receipt_handle,
                "body": m.body,
                "attributes": {
                    "ApproximateReceiveCount": str(m.receive_count),
                    "SentTimestamp": str(m.sent_at_ms),
                    "SenderId": SENDER_ID,
                    "ApproximateFirstReceiveTimestamp": str(m.first_receive_at_ms),
                },
                "messageAttributes": {},
                "md5OfBody": hashlib.md5(m.body.encode()).hexdigest(),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn(m.queue),
                "awsRegion": REGION,
            }
            for m in messages
        ]
    }


def import_handler(module: str) -> Invoke:
    handler: Invoke = importlib.import_module(module).lambda_handler
    return handler


REPORTED_FAILURE = "reported in batchItemFailures by the handler"
# The LogRecord attributes every record has; the others are the `extra` keys of the log call.
_STANDARD_RECORD_KEYS = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


def failed_ids(result: Any, batch: Sequence[Message]) -> tuple[set[str], str]:
    """The message ids a handler's answer reports as failed, and why.

    As Lambda does: no `batchItemFailures` means success; an identifier that is empty or not in the
    batch fails the whole batch.
    """
    ids = {m.message_id for m in batch}
    if not isinstance(result, Mapping) or result.get("batchItemFailures") is None:
        return set(), ""
    items = result["batchItemFailures"]
    if not isinstance(items, list):
        return ids, "invalid response: batchItemFailures is not a list (whole batch failed)"
    failed = set()
    for item in items:
        ident = item.get("itemIdentifier") if isinstance(item, Mapping) else None
        if not isinstance(ident, str) or ident not in ids:
            return ids, f"invalid response: itemIdentifier {ident!r} is not in the batch (whole batch failed)"
        failed.add(ident)
    return failed, f"{REPORTED_FAILURE} (see its log)"


class InvocationLog(logging.Handler):
    """The warnings and errors one invocation logs, from the invoking thread only (the API and the
    other consumers run in threads of the same process).

    A batch handler reports a failed record by its id alone (`batchItemFailures`); why it failed is in
    what it logged (Powertools' BatchProcessor keeps the exception to itself). Installed on the root,
    the `baton` and the handler's own loggers for the length of one invocation.
    """

    def __init__(self, loggers: Sequence[logging.Logger]) -> None:
        super().__init__(logging.WARNING)
        self.loggers = loggers
        self.records: list[logging.LogRecord] = []
        self._thread = threading.get_ident()

    def emit(self, record: logging.LogRecord) -> None:
        # A record can reach several of the loggers (one propagating to another): keep it once.
        if record.thread == self._thread and not any(record is seen for seen in self.records):
            self.records.append(record)

    def __enter__(self) -> InvocationLog:
        for log in self.loggers:
            log.addHandler(self)
        return self

    def __exit__(self, *exc: object) -> None:
        for log in self.loggers:
            log.removeHandler(self)

    def reason(self, message_id: str) -> str | None:
        """What the handler last logged about this message (a record whose extras name its id), else
        the last warning or error of the invocation; None when it logged none."""
        about = [r for r in self.records if message_id in _extras(r).values()]
        chosen = (about or self.records)[-1:]
        return _describe_record(chosen[0]) if chosen else None


def _extras(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in vars(record).items() if k not in _STANDARD_RECORD_KEYS}


def _describe_record(record: logging.LogRecord) -> str:
    """`<field>: <reason> (<message>)`: the offending field first, as `baton dlq list` cuts long lines."""
    extras = _extras(record)
    field = extras.get("field")
    reason = extras.get("reason") or extras.get("error")
    if not reason and record.exc_info and record.exc_info[1] is not None:
        reason = "".join(traceback.format_exception_only(record.exc_info[1])).strip()
    head = ": ".join(str(part) for part in (field, reason) if part not in (None, ""))
    return f"{head} ({record.getMessage()})" if head else record.getMessage()


def handler_loggers(invoke: Invoke) -> list[logging.Logger]:
    """The loggers a handler logs through: the root, `baton` (the domain's, not propagating once a
    handler copies its config to it) and the Powertools loggers of the handler's module."""
    loggers = [logging.getLogger(), logging.getLogger("baton")]
    module = sys.modules.get(getattr(invoke, "__module__", None) or "")
    if module is not None:
        for value in list(vars(module).values()):
            if isinstance(value, Logger):
                loggers.append(logging.getLogger(value.name))
            elif isinstance(value, logging.Logger):
                loggers.append(value)
    unique: list[logging.Logger] = []
    for log in loggers:
        if all(log is not seen for seen in unique):
            unique.append(log)
    return unique


class Worker(threading.Thread):
    """The event source mapping of one subscription: poll its queue, invoke its handler, settle the batch.

    The function timeout is reported by the context (`get_remaining_time_in_millis`) but not enforced:
    a thread cannot be killed. A batch still running after the visibility timeout is delivered again.
    """

    def __init__(
        self,
        bus: LocalBus,
        subscription: Subscription,
        *,
        invoke: Invoke | None = None,
        retry_delay_s: float = 1.0,
        poll_interval_s: float = 0.25,
        invoke_lock: threading.Lock | None = None,
    ) -> None:
        super().__init__(name=f"baton-worker-{subscription.name}", daemon=True)
        self.bus = bus
        self.subscription = subscription
        self.queue = queue_name(subscription)
        self.invoke = invoke or import_handler(subscription.handler)
        self.retry_delay_s = retry_delay_s
        self.poll_interval_s = poll_interval_s
        # One invocation at a time per function, like one warm Lambda container: Powertools' resolvers
        # and loggers keep per-invocation state on module-level objects.
        self.invoke_lock = invoke_lock or threading.Lock()
        self.loggers = handler_loggers(self.invoke)
        self._stopping = threading.Event()

    def stop(self) -> None:
        self._stopping.set()
        with self.bus.wake:
            self.bus.wake.notify_all()

    def run(self) -> None:
        while not self._stopping.is_set():
            try:
                worked = self.run_once()
            except Exception:
                logger.exception("worker error", extra={"queue": self.queue})
                worked = False
            if not worked and not self._stopping.is_set():
                with self.bus.wake:
                    self.bus.wake.wait(self.poll_interval_s)

    def run_once(self) -> bool:
        """Receive and process one batch; False when the queue had nothing visible."""
        sub = self.subscription
        batch = self.bus.receive(self.queue, sub.batch_size, sub.visibility_timeout_s)
        if not batch:
            return False
        context = LocalLambdaContext(f"baton-local-{sub.name}", sub.timeout_s, sub.memory_mb)
        log = InvocationLog(self.loggers)
        reported = False
        try:
            with self.invoke_lock, log:
                result = self.invoke(sqs_event(batch), context)
        except Exception as exc:
            failed = {m.message_id for m in batch}
            why = "".join(traceback.format_exception_only(exc)).strip()
            error = f"the handler raised (whole batch failed): {why}"
            logger.exception("handler raised", extra={"queue": self.queue, "batch_size": len(batch)})
        else:
            failed, error = failed_ids(result, batch)
            reported = error.startswith(REPORTED_FAILURE)
        for message in batch:
            if message.message_id not in failed:
                self.bus.delete(self.queue, message.receipt_handle)
                continue
            reason = log.reason(message.message_id) if reported else None
            error_for_message = f"{reason}; {REPORTED_FAILURE}" if reason else error
            outcome = self.bus.fail(
                self.queue,
                message.receipt_handle,
                error_for_message,
                retry_delay_s=self.retry_delay_s,
                max_receive_count=sub.max_receive_count,
            )
            emit = logger.error if outcome == "dead" else logger.warning
            emit(
                "message moved to the dead letters" if outcome == "dead" else "message failed; will retry",
                extra={
                    "queue": self.queue,
                    "message_id": message.message_id,
                    "receive_count": message.receive_count,
                    "error": error_for_message,
                },
            )
        return True
