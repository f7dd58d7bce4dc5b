"""Webhook notifications processed once, on DynamoDB Local (the engine `baton local` runs, AWS's own): Powertools
idempotency's conditional writes on the idempotency table of `baton.tables`, as `baton.wiring` builds it."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import uuid
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from baton import wiring
from baton.adapters.memory import StaticSecrets
from baton.errors import NotificationInProgress
from baton.events import BusEvent
from baton.ingestion.connectors.webhooks import WebhookResult, process_webhook
from baton.ingestion.service import IngestionService
from baton.ingestion.store import DynamoConversationStore
from baton.local.dynamodb_local import DynamoDBLocal
from baton.settings import Settings

pytestmark = pytest.mark.integration

REPLIED = Path(__file__).resolve().parents[2] / "events" / "helpdesk" / "intercom" / "v2_user_replied.json"
SECRET = "intercom-secret"


class Recording:
    """Records what is published; `hold()` makes the next publish wait until `release` is set."""

    def __init__(self) -> None:
        self.events: list[BusEvent] = []
        self.publishing, self.release = threading.Event(), threading.Event()
        self.release.set()

    def hold(self) -> None:
        self.release.clear()

    def publish(self, events: Sequence[BusEvent]) -> None:
        self.publishing.set()
        assert self.release.wait(10), "never released"
        self.events.extend(events)


@pytest.fixture
def local(dynamodb_local: DynamoDBLocal, conversations_table: str, idempotency_table: str) -> Any:
    """The idempotency layer and conversation store `baton local` builds, on the session's DynamoDB Local."""
    wiring.reset()
    settings = Settings(
        dynamodb_endpoint=dynamodb_local.endpoint,
        conversations_table=conversations_table,
        idempotency_table=idempotency_table,
    )
    yield wiring.idempotency_store(settings), wiring.conversation_store(settings)
    wiring.reset()


def notification() -> tuple[bytes, str]:
    """A fresh Intercom reply notification (its own notification and conversation ids), and its conversation."""
    payload = json.loads(REPLIED.read_text())
    payload["id"] = f"notif_{uuid.uuid4()}"
    payload["data"]["item"]["id"] = conversation = str(uuid.uuid4().int)[:15]
    return json.dumps(payload).encode(), f"intercom:{conversation}"


def deliver(
    raw: bytes, idempotency: Any, store: DynamoConversationStore, publisher: Recording
) -> WebhookResult:
    signature = "sha1=" + hmac.new(SECRET.encode(), raw, hashlib.sha1).hexdigest()
    return process_webhook(
        "intercom",
        {"X-Hub-Signature": signature},
        raw,
        secrets=StaticSecrets({"intercom": SECRET}),
        service=IngestionService(store, publisher),
        idempotency=idempotency,
        now=datetime.now(UTC),
    )


def test_a_redelivered_notification_is_stored_and_published_once(local: Any) -> None:
    idempotency, store = local
    raw, conversation = notification()
    publisher = Recording()

    first, again = deliver(raw, idempotency, store, publisher), deliver(raw, idempotency, store, publisher)

    assert (first.duplicate, again.duplicate, again.messages) == (False, True, first.messages)
    assert [e.DETAIL_TYPE for e in publisher.events] == ["MessageReceived"]
    assert store.get_conversation(conversation).message_count == 1


def test_a_concurrent_duplicate_finds_the_notification_in_progress(local: Any) -> None:
    idempotency, store = local
    raw, conversation = notification()
    publisher = Recording()
    publisher.hold()

    with ThreadPoolExecutor(max_workers=1) as pool:
        first = pool.submit(deliver, raw, idempotency, store, publisher)
        assert publisher.publishing.wait(10), "the first delivery never reached its publish"
        with pytest.raises(NotificationInProgress):
            deliver(raw, idempotency, store, Recording())
        publisher.release.set()
        assert first.result(timeout=10).duplicate is False

    assert deliver(raw, idempotency, store, publisher).duplicate is True
    assert [e.DETAIL_TYPE for e in publisher.events] == ["MessageReceived"]
    assert store.get_conversation(conversation).message_count == 1
