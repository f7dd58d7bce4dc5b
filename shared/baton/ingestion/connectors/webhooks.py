"""Helpdesk webhooks: verify, translate to canonical messages/outcomes/redactions, apply.
(Owned by the connectors work.)

Interface the API route calls (do not change the signature without updating baton.ingestion.api):

    process_webhook(source, headers, raw_body, *, secrets, service, seen, now) -> WebhookResult

- raises baton.errors.InvalidSignature (-> 401, nothing stored) and baton.errors.PayloadError (-> 400)
- unknown topics are acknowledged (WebhookResult.ignored says why) and counted, not errors.

Order matters: the signature is checked on the raw bytes before anything is parsed or read from
a store, so an unsigned request costs one HMAC and has no side effect. A notification is
de-duplicated on its vendor id (Intercom's `id`, Zendesk's event `id`): Intercom signs no
timestamp, so without this a captured request could be replayed; and both vendors redeliver on a
slow answer. The id is remembered only after the messages, outcomes and redactions are applied,
so a delivery that failed half way is retried in full (every step is idempotent on its own ids).

Redactions (Intercom `conversation_part.redacted`, Zendesk `ticket.comment_redacted` /
`ticket.comment_made_private`) blank Baton's stored copy of the message: `GET` then shows it with
empty text and `redacted_at`, and a re-delivery of the original never brings the text back.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from baton.errors import InvalidSignature, PayloadError
from baton.ingestion.connectors import intercom, zendesk
from baton.ingestion.connectors.base import Translation, apply, validation_to_payload_error
from baton.ingestion.connectors.signatures import verify_intercom, verify_zendesk
from baton.ingestion.service import IngestionService
from baton.ports import SecretSource, SeenStore

SOURCES = ("zendesk", "intercom")
DEDUP_TTL_S = 7 * 24 * 3600
"""How long a notification id is remembered: longer than either vendor's retry window."""


@dataclass(frozen=True)
class WebhookResult:
    source: str
    topic: str
    messages: int
    """Canonical messages of this notification now stored (an identical earlier copy counts)."""
    outcomes: int
    redactions: int = 0
    """Messages of this notification the helpdesk redacted: Baton now holds no text for them."""
    duplicate: bool = False
    """The notification id was already processed: nothing was done."""
    ignored: str | None = None
    """Why nothing (or only part) of the notification was recorded; None when all of it was."""
    unknown_topic: bool = False
    """The topic is not one Baton knows (the caller counts it as a metric)."""


def process_webhook(
    source: str,
    headers: Mapping[str, str],
    raw_body: bytes,
    *,
    secrets: SecretSource,
    service: IngestionService,
    seen: SeenStore,
    now: datetime,
    max_skew_s: int = 300,
) -> WebhookResult:
    if source == "zendesk":
        verify_zendesk(headers, raw_body, secrets.get("zendesk"), now, max_skew_s)
    elif source == "intercom":
        verify_intercom(headers, raw_body, secrets.get("intercom"))
    else:
        # Fail closed: a source without a verifier is never trusted.
        raise InvalidSignature(f"no webhook verifier for source {source!r}")

    payload = parse_body(raw_body)
    translation = translate(source, payload, now=now)

    if translation.dedup_key and seen.seen(translation.dedup_key):
        return WebhookResult(source=source, topic=translation.topic, messages=0, outcomes=0, duplicate=True)

    applied = apply(translation, service)
    if translation.dedup_key and (translation.messages or translation.outcomes or translation.redactions):
        seen.remember(translation.dedup_key, DEDUP_TTL_S)
    return WebhookResult(
        source=source,
        topic=translation.topic,
        messages=applied.messages,
        outcomes=applied.outcomes,
        redactions=applied.redactions,
        ignored=translation.ignored,
        unknown_topic=translation.unknown_topic,
    )


def parse_body(raw_body: bytes) -> Mapping[str, Any]:
    try:
        payload = json.loads(raw_body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PayloadError("body", f"not valid JSON: {exc}") from None
    if not isinstance(payload, dict):
        raise PayloadError("body", f"expected a JSON object, got {type(payload).__name__}")
    return payload


_TRANSLATORS: dict[str, Callable[[Mapping[str, Any], datetime], Translation]] = {
    "zendesk": lambda payload, now: zendesk.translate(payload, now=now),
    "intercom": lambda payload, _now: intercom.translate(payload),
}


def translate(source: str, payload: Mapping[str, Any], *, now: datetime) -> Translation:
    """The source's translator; a value the canonical model still rejects becomes a PayloadError."""
    try:
        return _TRANSLATORS[source](payload, now)
    except ValidationError as exc:
        raise validation_to_payload_error(exc) from None
