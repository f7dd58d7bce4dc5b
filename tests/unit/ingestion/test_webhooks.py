"""process_webhook end to end on the in-memory fakes (and the idempotency table in moto): verify first,
then parse, translate, and apply once per notification; what a helpdesk admin and a support lead would see."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from unittest.mock import patch

import pytest

from baton.adapters.memory import StaticSecrets
from baton.errors import InvalidSignature, NotificationInProgress, PayloadError
from baton.events import BusEvent
from baton.ingestion.connectors.base import canonical_id
from baton.ingestion.connectors.webhooks import DEDUP_TTL_S, WebhookResult, process_webhook
from baton.ingestion.service import IngestionService
from baton.models import ID_PATTERN, ConversationStatus, Role

ZD_SECRET = "zd-webhook-secret-for-tests"
IC_SECRET = "ic-webhook-secret-for-tests"
NOW = datetime(2026, 2, 4, 9, 0, tzinfo=UTC)
HELPDESK = Path(__file__).resolve().parents[3] / "events" / "helpdesk"


@pytest.fixture
def secrets() -> StaticSecrets:
    return StaticSecrets({"zendesk": ZD_SECRET, "intercom": IC_SECRET})


@pytest.fixture
def deliver(service, secrets, idempotency):
    def send(source: str, payload: dict | bytes, *, now: datetime = NOW, headers: dict | None = None):
        raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        signed = sign(source, raw, now) if headers is None else headers
        return process_webhook(
            source, signed, raw, secrets=secrets, service=service, idempotency=idempotency(), now=now
        )

    return send


class _BlockingPublisher:
    """Publishes through `inner`, after saying so (`publishing`) and waiting for `release`: a delivery held
    in the middle of its work."""

    def __init__(self, inner, publishing: threading.Event, release: threading.Event) -> None:
        self.inner, self.publishing, self.release = inner, publishing, release

    def publish(self, events: Sequence[BusEvent]) -> None:
        self.publishing.set()
        assert self.release.wait(5), "never released"
        self.inner.publish(events)


def sign(source: str, raw: bytes, at: datetime = NOW) -> dict[str, str]:
    if source == "zendesk":
        stamp = at.strftime("%Y-%m-%dT%H:%M:%SZ")
        digest = hmac.new(ZD_SECRET.encode(), stamp.encode() + raw, hashlib.sha256).digest()
        return {
            "X-Zendesk-Webhook-Signature": base64.b64encode(digest).decode(),
            "X-Zendesk-Webhook-Signature-Timestamp": stamp,
        }
    return {"X-Hub-Signature": "sha1=" + hmac.new(IC_SECRET.encode(), raw, hashlib.sha1).hexdigest()}


def load(path: str) -> dict:
    return json.loads((HELPDESK / path).read_text())


# --------------------------------------------------------------------------------------- the happy paths


def test_an_intercom_conversation_reads_like_any_other(deliver, service, publisher) -> None:
    for name in ("v2_user_created", "v2_operator_replied_fin", "v2_user_replied", "v2_admin_noted",
                 "v2_admin_assigned", "v2_admin_replied", "v2_admin_closed_with_reply"):  # fmt: skip
        deliver("intercom", load(f"intercom/{name}.json"))
    conversation = service.conversation("intercom:184467201338812")
    assert [(m.seq, m.role, m.message_id) for m in conversation.messages] == [
        (1, Role.customer, "intercom:src:2877310455"),
        (2, Role.bot, "intercom:40112233001"),
        (3, Role.customer, "intercom:40112233002"),
        (4, Role.agent, "intercom:40112233004"),
        (5, Role.agent, "intercom:40112233009"),
    ]
    assert not any("Enterprise" in m.text for m in conversation.messages)  # the internal note
    assert conversation.source == "intercom"
    assert conversation.customer.id == "intercom:6650b1f3c2a4e10d8f7b9a21"
    assert conversation.status == ConversationStatus.closed
    assert conversation.outcome.kind == "closed" and conversation.outcome.resolved_by == "agent"
    assert len(publisher.of_type("MessageReceived")) == 5
    assert [e.kind for e in publisher.of_type("OutcomeRecorded")] == ["closed"]


def test_a_zendesk_ticket_reads_like_any_other(deliver, service, publisher) -> None:
    for name in ("ticket_created", "comment_added_first_comment", "comment_added_agent", "comment_added_private",
                 "comment_added_customer", "comment_added_html", "status_changed_solved", "csat_good"):  # fmt: skip
        deliver("zendesk", load(f"zendesk/{name}.json"))
    conversation = service.conversation("zendesk:48213")
    assert [(m.role, m.message_id) for m in conversation.messages] == [
        (Role.customer, "zendesk:48213:description"),
        (Role.agent, "zendesk:16100000000002"),
        (Role.customer, "zendesk:16100000000003"),
        (Role.agent, "zendesk:16100000000004"),
    ]
    assert conversation.status == ConversationStatus.resolved
    assert (conversation.outcome.kind, conversation.outcome.csat) == ("resolved", 5)
    assert [e.kind for e in publisher.of_type("OutcomeRecorded")] == ["resolved", "rated"]


def test_the_result_says_what_was_done(deliver) -> None:
    result = deliver("intercom", load("intercom/v2_user_replied.json"))
    assert (
        result.source,
        result.topic,
        result.messages,
        result.outcomes,
        result.duplicate,
        result.ignored,
    ) == (
        "intercom",
        "conversation.user.replied",
        1,
        0,
        False,
        None,
    )
    closed = deliver("intercom", load("intercom/v2_admin_closed_by_fin.json"))
    assert (closed.messages, closed.outcomes) == (0, 1)


# --------------------------------------------------------------------------------------- signatures first


@pytest.mark.parametrize("source", ["zendesk", "intercom"])
def test_a_bad_signature_is_rejected_with_no_side_effect(
    deliver, store, publisher, idempotency, source
) -> None:
    payload = load(
        "zendesk/comment_added_customer.json" if source == "zendesk" else "intercom/v2_user_replied.json"
    )
    raw = json.dumps(payload).encode()
    headers = sign(source, raw)
    tampered = raw.replace(b"still failing", b"all fine now").replace(b"human please", b"bot is great")
    with pytest.raises(InvalidSignature):
        deliver(source, tampered, headers=headers)
    assert store.get_conversation("zendesk:48213") is None
    assert store.get_conversation("intercom:184467201338812") is None
    assert publisher.events == [] and idempotency.records() == {}


@pytest.mark.parametrize("source", ["zendesk", "intercom"])
def test_the_signature_is_checked_before_the_body_is_parsed(deliver, source) -> None:
    with pytest.raises(InvalidSignature):
        deliver(source, b"this is not json", headers={"Content-Type": "application/json"})


@pytest.mark.parametrize("source", ["zendesk", "intercom"])
def test_a_source_without_a_configured_secret_is_rejected(service, idempotency, source) -> None:
    raw = b"{}"
    with pytest.raises(InvalidSignature, match="not configured"):
        process_webhook(
            source,
            sign(source, raw),
            raw,
            secrets=StaticSecrets(),
            service=service,
            idempotency=idempotency,
            now=NOW,
        )


def test_an_unknown_source_is_never_trusted(service, idempotency, secrets) -> None:
    with pytest.raises(InvalidSignature):
        process_webhook(
            "freshdesk", {}, b"{}", secrets=secrets, service=service, idempotency=idempotency, now=NOW
        )


def test_a_replayed_zendesk_request_is_rejected_once_stale(deliver) -> None:
    raw = json.dumps(load("zendesk/comment_added_customer.json")).encode()
    headers = sign("zendesk", raw, NOW)
    with pytest.raises(InvalidSignature, match="stale"):
        deliver("zendesk", raw, headers=headers, now=NOW + timedelta(minutes=6))


def test_signature_headers_may_arrive_in_lower_case(deliver, service) -> None:
    raw = json.dumps(load("zendesk/comment_added_customer.json")).encode()
    headers = {k.lower(): v for k, v in sign("zendesk", raw).items()}
    assert deliver("zendesk", raw, headers=headers).messages == 1


# --------------------------------------------------------------------------------------- de-duplication


@pytest.mark.parametrize(
    ("source", "fixture"),
    [("intercom", "intercom/v2_user_replied.json"), ("zendesk", "zendesk/comment_added_customer.json"),
     ("zendesk", "zendesk/csat_good.json"), ("intercom", "intercom/v2_admin_closed_by_fin.json")],
)  # fmt: skip
def test_a_redelivered_notification_is_processed_once(
    deliver, publisher, idempotency, source, fixture
) -> None:
    payload = load(fixture)
    first = deliver(source, payload)
    again = deliver(source, payload)
    assert first.duplicate is False and again.duplicate is True
    # The duplicate gets the first delivery's answer; nothing is stored or published again.
    assert (again.messages, again.outcomes, again.topic) == (first.messages, first.outcomes, first.topic)
    assert len(publisher.events) == first.messages + first.outcomes
    (record,) = idempotency.records().values()
    assert record["status"] == "COMPLETED"
    assert abs(float(record["expiration"]) - (time.time() + DEDUP_TTL_S)) < 60


def test_a_concurrent_duplicate_is_told_the_notification_is_in_progress(
    service, secrets, idempotency, publisher
) -> None:
    """The first delivery holds the notification (Powertools' in-progress record) until it has applied it: a
    duplicate arriving meanwhile does nothing and raises NotificationInProgress (the API answers 503)."""
    payload = load("intercom/v2_user_replied.json")
    raw = json.dumps(payload).encode()
    publishing, release = threading.Event(), threading.Event()
    blocking = IngestionService(service.store, _BlockingPublisher(publisher, publishing, release))

    def deliver_with(svc: IngestionService) -> WebhookResult:
        return process_webhook(
            "intercom",
            sign("intercom", raw),
            raw,
            secrets=secrets,
            service=svc,
            idempotency=idempotency(),
            now=NOW,
        )

    with ThreadPoolExecutor(max_workers=1) as pool:
        first = pool.submit(deliver_with, blocking)
        assert publishing.wait(5), "the first delivery never reached its publish"
        with pytest.raises(NotificationInProgress) as caught:
            deliver_with(service)
        assert caught.value.key == "intercom:notif_5e3b7c91-2a8d-4c6f-8e1b-9d2f4a6c8e04"
        assert publisher.events == []  # the duplicate did nothing
        release.set()
        assert first.result(timeout=5).messages == 1
    assert deliver_with(service).duplicate is True
    assert len(publisher.of_type("MessageReceived")) == 1
    assert len(service.conversation("intercom:184467201338812").messages) == 1


def test_a_delivery_killed_mid_way_releases_the_notification_when_its_invocation_would_have_timed_out(
    service, secrets, idempotency, publisher
) -> None:
    """An in-progress record whose invocation is over (Lambda killed it at its timeout) no longer holds the
    notification: the helpdesk's retry does the work."""
    payload = load("intercom/v2_user_replied.json")
    raw = json.dumps(payload).encode()
    key = "intercom:notif_5e3b7c91-2a8d-4c6f-8e1b-9d2f4a6c8e04"
    now_ms = int(time.time() * 1000)
    idempotency().client.put_item(
        TableName=idempotency.TABLE,
        Item={
            "id": {"S": idempotency.key(key)},
            "status": {"S": "INPROGRESS"},
            "expiration": {"N": str(int(time.time()) + DEDUP_TTL_S)},
            "in_progress_expiration": {"N": str(now_ms - 1)},
        },
    )
    result = process_webhook(
        "intercom",
        sign("intercom", raw),
        raw,
        secrets=secrets,
        service=service,
        idempotency=idempotency(),
        now=NOW,
    )
    assert (result.duplicate, result.messages) == (False, 1)
    assert idempotency.records()[idempotency.key(key)]["status"] == "COMPLETED"


def test_a_delivery_that_failed_half_way_is_retried_in_full(deliver, service, publisher, idempotency) -> None:
    payload = load("intercom/v2_user_replied.json")
    publisher.fail_next = 1
    with pytest.raises(RuntimeError):
        deliver("intercom", payload)
    assert idempotency.records() == {}  # released: the helpdesk's retry must do the work
    result = deliver("intercom", payload)
    assert result.duplicate is False and result.messages == 1
    assert len(service.conversation("intercom:184467201338812").messages) == 1
    assert len(publisher.of_type("MessageReceived")) == 1


def test_the_same_message_in_another_notification_is_stored_once(deliver, service) -> None:
    payload = load("intercom/v2_user_replied.json")
    deliver("intercom", payload)
    payload["id"] = "notif_another-delivery-id"
    assert deliver("intercom", payload).duplicate is False
    assert len(service.conversation("intercom:184467201338812").messages) == 1


# --------------------------------------------------------------------------------------- acknowledged / bad


def test_an_unknown_topic_is_acknowledged(deliver, publisher) -> None:
    result = deliver("intercom", load("intercom/v2_priority_updated.json"))
    assert result.ignored == "unknown topic conversation.priority.updated"
    assert result.unknown_topic is True and (result.messages, result.outcomes) == (0, 0)
    assert publisher.events == []
    zendesk = deliver("zendesk", load("zendesk/priority_changed.json"))
    assert zendesk.ignored == "unknown topic zen:event-type:ticket.priority_changed"


def test_an_intercom_ping_is_acknowledged(deliver, idempotency) -> None:
    result = deliver(
        "intercom", {"type": "notification_event", "id": "notif_ping_1", "topic": "ping", "data": {}}
    )
    assert result.ignored == "ping"
    assert idempotency.records() == {}  # nothing to apply: no record written


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'"text"', b"\xff\xfe", b""])
def test_a_body_that_is_not_a_json_object_is_a_payload_error(deliver, body) -> None:
    for source in ("zendesk", "intercom"):
        with pytest.raises(PayloadError) as caught:
            deliver(source, body)
        assert caught.value.field == "body"


def test_a_missing_field_is_a_payload_error_naming_it(deliver, store, idempotency) -> None:
    payload = load("intercom/v2_user_replied.json")
    del payload["data"]["item"]["id"]
    with pytest.raises(PayloadError) as caught:
        deliver("intercom", payload)
    assert caught.value.field == "data.item.id"
    assert idempotency.records() == {}


@pytest.mark.parametrize(
    ("source", "fixture"),
    [("zendesk", p.relative_to(HELPDESK).as_posix()) for p in sorted((HELPDESK / "zendesk").glob("*.json"))]
    + [
        ("intercom", p.relative_to(HELPDESK).as_posix())
        for p in sorted((HELPDESK / "intercom").glob("*.json"))
    ],
)
def test_every_sample_notification_is_accepted(deliver, publisher, source, fixture) -> None:
    result = deliver(source, load(fixture))
    # Each one either records something or says why it did not.
    assert (result.messages + result.outcomes + result.redactions > 0) != (result.ignored is not None)
    # A redaction of a message never stored (as here: nothing came before it) announces nothing.
    assert len(publisher.events) == result.messages + result.outcomes


def test_canonical_ids_always_match_the_id_pattern() -> None:
    import re

    for native in ("123", "a b/c", "x" * 300, "ünïcödé", "notif_9108e504-998b"):
        value = canonical_id("intercom", native)
        assert re.match(ID_PATTERN, value), value
    assert canonical_id("intercom", "a b") != canonical_id("intercom", "a_b")
    assert canonical_id("zendesk", "35436") == "zendesk:35436"


def test_a_re_rendered_message_keeps_the_first_copy(deliver, service, caplog) -> None:
    payload = load("intercom/v2_user_replied.json")
    deliver("intercom", payload)
    payload["id"] = "notif_edited-copy"
    payload["data"]["item"]["conversation_parts"]["conversation_parts"][0]["body"] = "<p>edited text</p>"
    result = deliver("intercom", payload)
    assert result.messages == 0 and result.duplicate is False
    (message,) = service.conversation("intercom:184467201338812").messages
    assert "edited" not in message.text
    assert any("keeping the first copy" in r.getMessage() for r in caplog.records)


# --------------------------------------------------------------------------------------- redaction


def test_an_intercom_redaction_blanks_the_stored_message(deliver, service, publisher, idempotency) -> None:
    deliver("intercom", load("intercom/v2_user_created.json"))
    deliver("intercom", load("intercom/v2_user_replied.json"))
    assert "Order #A-7781" in service.conversation("intercom:184467201338812").messages[1].text

    result = deliver("intercom", load("intercom/v2_part_redacted.json"))

    assert (result.redactions, result.messages, result.outcomes, result.ignored) == (1, 0, 0, None)
    conversation = service.conversation("intercom:184467201338812")
    assert [(m.seq, m.message_id, m.text == "") for m in conversation.messages] == [
        (1, "intercom:src:2877310455", False),
        (2, "intercom:40112233002", True),
    ]
    assert conversation.messages[1].redacted_at is not None
    assert "Order #A-7781" not in conversation.model_dump_json()
    assert len(publisher.of_type("MessageReceived")) == 2  # a redaction publishes nothing
    assert idempotency.key("intercom:notif_c0d1e2f3-f0e1-4cd3-9ecf-d0e1f2a3b418") in idempotency.records()


def test_the_original_delivered_again_after_a_redaction_does_not_bring_the_text_back(
    deliver, service, publisher
) -> None:
    original = load("intercom/v2_user_replied.json")
    deliver("intercom", original)
    deliver("intercom", load("intercom/v2_part_redacted.json"))

    original["id"] = "notif_a-later-delivery-of-the-same-reply"
    result = deliver("intercom", original)

    assert result.duplicate is False and result.messages == 1  # accepted: the redacted copy is it
    (message,) = service.conversation("intercom:184467201338812").messages
    assert message.text == "" and message.redacted_at is not None
    assert len(publisher.of_type("MessageReceived")) == 1


def test_a_redaction_that_arrives_before_its_message_still_wins(deliver, service, publisher) -> None:
    deliver("intercom", load("intercom/v2_user_created.json"))
    early = deliver("intercom", load("intercom/v2_part_redacted.json"))
    assert early.redactions == 1

    deliver("intercom", load("intercom/v2_user_replied.json"))  # a delayed retry of the original

    reply = service.conversation("intercom:184467201338812").messages[1]
    assert (reply.message_id, reply.seq, reply.text) == ("intercom:40112233002", 2, "")
    event = publisher.of_type("MessageReceived")[-1]
    assert (event.seq, event.message.text) == (2, "")
    assert "Order #A-7781" not in event.model_dump_json()


def test_a_redelivered_redaction_is_processed_once(deliver, service) -> None:
    payload = load("intercom/v2_part_redacted.json")
    first = deliver("intercom", payload)
    with patch.object(service, "redact", side_effect=AssertionError("redacted twice")):
        again = deliver("intercom", payload)
    assert (first.duplicate, again.duplicate, again.redactions) == (False, True, first.redactions)


@pytest.mark.parametrize(
    ("fixture", "message_id"),
    [("zendesk/comment_redacted.json", "zendesk:16100000000003"),
     ("zendesk/comment_made_private.json", "zendesk:16100000000002")],
)  # fmt: skip
def test_a_zendesk_redaction_or_privacy_change_blanks_the_stored_comment(
    deliver, service, fixture, message_id
) -> None:
    for name in ("ticket_created", "comment_added_agent", "comment_added_customer"):
        deliver("zendesk", load(f"zendesk/{name}.json"))

    result = deliver("zendesk", load(fixture))

    assert result.redactions == 1 and result.ignored is None
    conversation = service.conversation("zendesk:48213")
    blank = {m.message_id for m in conversation.messages if m.text == "" and m.redacted_at is not None}
    assert blank == {message_id}
    assert conversation.message_count == 3


def test_redacting_zendesks_first_comment_blanks_the_opening_message(deliver, service) -> None:
    deliver("zendesk", load("zendesk/ticket_created.json"))
    deliver("zendesk", load("zendesk/comment_added_first_comment.json"))

    result = deliver("zendesk", load("zendesk/comment_redacted_first_comment.json"))

    assert result.redactions == 2  # the comment's own id and the opening message it was stored as
    (opening,) = service.conversation("zendesk:48213").messages
    assert (opening.message_id, opening.text) == ("zendesk:48213:description", "")
    assert opening.redacted_at is not None
