"""Concurrent duplicates of a new message put one `MessageReceived` on the bus, not one each: only the holder
of the message's publish claim publishes; a failed publish releases it; a holder that died is taken over once
its lease ends; a duplicate that cannot get the claim in time is told to retry (503), never 202 unpublished."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from baton.errors import PublishInProgress
from baton.events import BusEvent
from baton.ingestion.memory import MemoryConversationStore
from baton.ingestion.service import IngestionService
from baton.models import MessageIn, Source
from baton.ports import PUBLISH_LEASE_S

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def message(message_id: str = "m1") -> MessageIn:
    return MessageIn.model_validate(
        {
            "message_id": message_id,
            "role": "customer",
            "text": "hi",
            "customer": {"id": "c1", "account_id": "a1"},
        }
    )


class SlowPublisher:
    """Publishes after `delay_s`, recording every event; fails the first `failures` calls."""

    def __init__(self, delay_s: float = 0.0, failures: int = 0) -> None:
        self.delay_s = delay_s
        self.failures = failures
        self.events: list[BusEvent] = []
        self._lock = threading.Lock()

    def publish(self, events: Any) -> None:
        threading.Event().wait(self.delay_s)
        with self._lock:
            if self.failures:
                self.failures -= 1
                raise RuntimeError("EventBridge is down")
            self.events.extend(events)


def test_concurrent_duplicates_publish_once() -> None:
    store = MemoryConversationStore()
    publisher = SlowPublisher(delay_s=0.05)
    service = IngestionService(store, publisher)
    barrier = threading.Barrier(20)
    answers: list[bool] = []

    def post() -> None:
        barrier.wait()
        answers.append(service.receive("conv-1", message()).duplicate)

    threads = [threading.Thread(target=post) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert [e.DETAIL_TYPE for e in publisher.events] == ["MessageReceived"]
    assert sorted(answers) == [False] + [True] * 19
    assert store.append_message("conv-1", message(), source=Source.api, received_at=T0).published


def test_a_duplicate_waiting_too_long_is_told_to_retry_and_then_succeeds() -> None:
    store = MemoryConversationStore()
    clock = [T0]
    service = IngestionService(store, SlowPublisher(), clock=lambda: clock[0], publish_wait_s=0.05)
    # The first request stored the message and holds the claim, but has not published yet.
    created = store.append_message("conv-1", message(), source=Source.api, received_at=T0)
    assert created.claim is not None

    with pytest.raises(PublishInProgress, match="being published by another request"):
        service.receive("conv-1", message())

    # The holder died: once its lease is over, a retry takes the claim over and publishes.
    clock[0] = T0 + timedelta(seconds=PUBLISH_LEASE_S + 1)
    publisher = SlowPublisher()
    retry = IngestionService(store, publisher, clock=lambda: clock[0])
    assert retry.receive("conv-1", message()).duplicate is True
    assert [e.DETAIL_TYPE for e in publisher.events] == ["MessageReceived"]


def test_a_failed_publish_releases_the_claim_so_the_retry_publishes_at_once() -> None:
    store = MemoryConversationStore()
    publisher = SlowPublisher(failures=1)
    service = IngestionService(store, publisher, clock=lambda: T0, publish_wait_s=0.05)

    with pytest.raises(RuntimeError, match="EventBridge is down"):
        service.receive("conv-1", message())
    # Same instant (no lease has run out): the released claim is taken at once.
    assert service.receive("conv-1", message()).duplicate is True
    assert [e.DETAIL_TYPE for e in publisher.events] == ["MessageReceived"]
    # And nothing more on further repeats.
    service.receive("conv-1", message())
    assert len(publisher.events) == 1
