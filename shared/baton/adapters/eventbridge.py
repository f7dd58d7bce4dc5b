"""EventBridge adapter: `baton.ports.EventPublisher` over PutEvents.

PutEvents is not all-or-nothing: it answers 200 with per-entry errors. Entries that failed for a
transient reason (throttling, internal failure) are re-sent a few times with backoff; anything
still failing raises `PublishFailed` naming each failed entry's error code, so the caller's retry
(the client's or SQS's) republishes it. Nothing is dropped silently.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import boto3

from baton.errors import BatonError
from baton.events import BusEvent

logger = logging.getLogger(__name__)

MAX_ENTRIES_PER_CALL = 10
MAX_BYTES_PER_CALL = 256 * 1024
RETRYABLE_CODES = frozenset({"ThrottlingException", "InternalFailure", "InternalException"})


class PublishFailed(BatonError):
    """Some events were not accepted by EventBridge."""

    def __init__(self, failures: list[dict[str, Any]]) -> None:
        codes = sorted({f.get("ErrorCode") or "Unknown" for f in failures})
        super().__init__(f"{len(failures)} event(s) were not accepted by EventBridge: {', '.join(codes)}")
        self.failures = failures
        """One dict per failed entry: DetailType, event_id, ErrorCode, ErrorMessage."""


class EventTooLarge(BatonError):
    """One event is larger than a PutEvents call allows (256 KB)."""


def entry_size(entry: dict[str, Any]) -> int:
    """The size EventBridge counts for an entry (AWS: "Calculating PutEvents event entry size")."""
    size = 14 if entry.get("Time") is not None else 0
    for key in ("Source", "DetailType", "Detail"):
        if entry.get(key):
            size += len(entry[key].encode("utf-8"))
    size += sum(len(r.encode("utf-8")) for r in entry.get("Resources") or ())
    return size


def chunks(entries: Sequence[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    """Batches of at most 10 entries and 256 KB, in order."""
    batch: list[dict[str, Any]] = []
    batch_bytes = 0
    for entry in entries:
        size = entry_size(entry)
        if size > MAX_BYTES_PER_CALL:
            raise EventTooLarge(
                f"{entry.get('DetailType')} event is {size} bytes; EventBridge accepts 256 KB"
            )
        if batch and (len(batch) == MAX_ENTRIES_PER_CALL or batch_bytes + size > MAX_BYTES_PER_CALL):
            yield batch
            batch, batch_bytes = [], 0
        batch.append(entry)
        batch_bytes += size
    if batch:
        yield batch


class EventBridgePublisher:
    def __init__(
        self,
        bus_name: str,
        client: Any = None,
        *,
        max_attempts: int = 4,
        backoff_base_s: float = 0.05,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.bus_name = bus_name
        # Any PutEvents-shaped client (tests pass fakes); entries are the events' own dicts, not stub TypedDicts.
        self.client: Any = client if client is not None else boto3.client("events")
        self.max_attempts = max_attempts
        self.backoff_base_s = backoff_base_s
        self._sleep = sleep

    def publish(self, events: Sequence[BusEvent]) -> None:
        failures: list[dict[str, Any]] = []
        entries = [(event.entry(self.bus_name), event.event_id) for event in events]
        by_entry = {id(entry): event_id for entry, event_id in entries}
        for batch in chunks([entry for entry, _ in entries]):
            failures += self._put(batch, by_entry)
        if failures:
            logger.error(
                "events not accepted by EventBridge", extra={"bus": self.bus_name, "failures": failures}
            )
            raise PublishFailed(failures)

    def _put(self, batch: list[dict[str, Any]], event_ids: dict[int, str]) -> list[dict[str, Any]]:
        """Send one batch; re-send the transiently failed entries; return what finally failed."""

        def failure(entry: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
            return {
                "DetailType": entry.get("DetailType"),
                "event_id": event_ids.get(id(entry)),
                "ErrorCode": result.get("ErrorCode"),
                "ErrorMessage": result.get("ErrorMessage"),
            }

        failures: list[dict[str, Any]] = []
        pending = batch
        for attempt in range(1, self.max_attempts + 1):
            response = self.client.put_events(Entries=pending)
            if not response.get("FailedEntryCount"):
                return failures
            # The response's Entries are in request order, one per entry.
            failed = [
                (entry, result)
                for entry, result in zip(pending, response["Entries"], strict=True)
                if result.get("ErrorCode")
            ]
            failures += [failure(e, r) for e, r in failed if r["ErrorCode"] not in RETRYABLE_CODES]
            retry = [(e, r) for e, r in failed if r["ErrorCode"] in RETRYABLE_CODES]
            if not retry:
                return failures
            if attempt == self.max_attempts:
                return failures + [failure(e, r) for e, r in retry]
            logger.warning(
                "EventBridge throttled or failed some entries; retrying them",
                extra={"bus": self.bus_name, "failed": len(retry), "attempt": attempt},
            )
            self._sleep(random.uniform(0, self.backoff_base_s * 2 ** (attempt - 1)))
            pending = [e for e, _ in retry]
        return failures  # pragma: no cover - the loop always returns
