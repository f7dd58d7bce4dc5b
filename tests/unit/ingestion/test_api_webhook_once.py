"""A helpdesk notification through the API is processed once: a redelivery gets the first answer, and a
delivery that arrives while the first is still being processed gets a 503 the helpdesk retries."""

from __future__ import annotations

import hashlib
import hmac
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from api_client import API_EVENTS, ApiClient

from baton.adapters.memory import StaticSecrets
from baton.events import BusEvent
from baton.ingestion import api as api_module
from baton.ingestion.connectors.webhooks import process_webhook
from baton.ingestion.service import IngestionService
from baton.models import utcnow

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish")

REPLIED = API_EVENTS.parent / "helpdesk" / "intercom" / "v2_user_replied.json"
CONVERSATION = "intercom:184467201338812"


def _signed(raw: bytes) -> dict[str, str]:
    return {"x-hub-signature": "sha1=" + hmac.new(b"intercom-secret", raw, hashlib.sha1).hexdigest()}


def _deliver(api: ApiClient, raw: bytes) -> Any:
    return api.request("POST", "/v1/webhooks/intercom", raw=raw, headers=_signed(raw))


class _HeldPublisher:
    """Publishes through `inner` once released: a first delivery caught in the middle of its work."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.publishing, self.release = threading.Event(), threading.Event()

    def publish(self, events: Sequence[BusEvent]) -> None:
        self.publishing.set()
        assert self.release.wait(5), "never released"
        self.inner.publish(events)


def test_a_redelivered_notification_is_stored_once_and_answered_as_a_duplicate(
    api: ApiClient, publisher: Any
) -> None:
    raw = REPLIED.read_bytes()

    first, again = _deliver(api, raw), _deliver(api, raw)

    assert (first.status, first.json["duplicate"], first.json["messages"]) == (200, False, 1)
    assert (again.status, again.json["duplicate"], again.json["messages"]) == (200, True, 1)
    assert len(publisher.of_type("MessageReceived")) == 1
    assert api.get_conversation(CONVERSATION).json["message_count"] == 1


def test_a_duplicate_of_a_notification_in_progress_is_503_with_retry_after_and_changes_nothing(
    api: ApiClient, service: IngestionService, publisher: Any, idempotency: Any
) -> None:
    raw = REPLIED.read_bytes()
    held = _HeldPublisher(publisher)
    first_delivery = IngestionService(service.store, held)

    def deliver_first() -> Any:
        return process_webhook(
            "intercom",
            _signed(raw),
            raw,
            secrets=StaticSecrets({"intercom": "intercom-secret"}),
            service=first_delivery,
            idempotency=idempotency(),
            now=utcnow(),
        )

    with ThreadPoolExecutor(max_workers=1) as pool:
        first = pool.submit(deliver_first)
        assert held.publishing.wait(5), "the first delivery never reached its publish"

        duplicate = _deliver(api, raw)

        assert duplicate.status == 503
        assert duplicate.headers["Retry-After"] == str(api_module.WEBHOOK_RETRY_AFTER_S)
        assert (duplicate.json["error"], duplicate.field) == ("in_progress", "id")
        assert publisher.events == []
        held.release.set()
        assert first.result(timeout=5).messages == 1

    retried = _deliver(api, raw)  # the helpdesk's retry, after Retry-After
    assert (retried.status, retried.json["duplicate"]) == (200, True)
    assert len(publisher.of_type("MessageReceived")) == 1
    assert api.get_conversation(CONVERSATION).json["message_count"] == 1


def test_the_openapi_document_says_a_webhook_may_be_503(api: ApiClient) -> None:
    doc = api.request("GET", "/v1/openapi.json").json
    for path in api_module.WEBHOOK_PATHS.values():
        responses = doc["paths"][path]["post"]["responses"]
        assert "503" in responses and "Retry-After" in responses["503"]["description"]


def test_retry_after_is_short_enough_for_zendesk_to_retry() -> None:
    # Zendesk retries a 503 only when its Retry-After is under 60 s.
    assert 0 < api_module.WEBHOOK_RETRY_AFTER_S < 60
