"""Helpdesk webhooks: verify, translate to canonical messages/outcomes/redactions, apply.
(Owned by the connectors work.)

Interface the API route calls (do not change the signature without updating baton.ingestion.api):

    process_webhook(source, headers, raw_body, *, secrets, service, idempotency, now, max_skew_s,
                    lambda_context) -> WebhookResult

- raises baton.errors.InvalidSignature (-> 401, nothing stored) and baton.errors.PayloadError (-> 400)
- raises baton.errors.NotificationInProgress (-> 503 with Retry-After) when a concurrent delivery of the
  same notification is being processed
- unknown topics are acknowledged (WebhookResult.ignored says why) and counted, not errors.

Order matters: the signature is checked on the raw bytes before anything is parsed or read from
a store, so an unsigned request costs one HMAC and has no side effect. A notification is then
processed once per vendor id (Intercom's `id`, Zendesk's event `id`): Intercom signs no timestamp,
so without this a captured request could be replayed; and both vendors redeliver on a slow answer.

Once is Powertools idempotency (`idempotent_function`, keyed on the notification id, its records in
the idempotency table through `idempotency`, a `DynamoDBPersistenceLayer`): the first delivery puts
an in-progress record (a conditional write: of two concurrent deliveries exactly one gets it), applies
the notification and stores its answer, which a later duplicate gets back (`duplicate` set) for
DEDUP_TTL_S. If applying fails the record is deleted, so the helpdesk's retry does the work in full
(every step is idempotent on its own ids); if the function dies mid-way (timeout), the lock expires
with the invocation (`lambda_context`'s remaining time). A notification with nothing to apply writes
no record. The utility is imported on the first webhook: the API's other routes never load it.

Redactions (Intercom `conversation_part.redacted`, Zendesk `ticket.comment_redacted` /
`ticket.comment_made_private`) blank Baton's stored copy of the message: `GET` then shows it with
empty text and `redacted_at`, and a re-delivery of the original never brings the text back.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from pydantic import ValidationError

from baton.errors import InvalidSignature, NotificationInProgress, PayloadError
from baton.ingestion.connectors import intercom, zendesk
from baton.ingestion.connectors.base import Translation, apply, validation_to_payload_error
from baton.ingestion.connectors.signatures import verify_intercom, verify_zendesk
from baton.ingestion.service import IngestionService
from baton.ports import SecretSource

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency import BasePersistenceLayer
    from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import DataRecord
    from aws_lambda_powertools.utilities.typing import LambdaContext

SOURCES = ("zendesk", "intercom")
DEDUP_TTL_S = 7 * 24 * 3600
"""How long a processed notification id is remembered: longer than either vendor's retry window."""
IDEMPOTENCY_KEY_PREFIX = "webhook"
"""Records are `webhook#<hash of the notification id>`: stable across deployments (Powertools' default
prefix is the function's name, which CloudFormation may replace)."""
IN_PROGRESS_FALLBACK_MS = 10_000
"""How long a delivery holds its notification when no Lambda context says how long it may run (the ingest
API's timeout): a crashed holder never blocks the helpdesk's retries for longer."""


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
    """The notification id was already processed: nothing was done, the counts are the first delivery's."""
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
    idempotency: BasePersistenceLayer,
    now: datetime,
    max_skew_s: int = 300,
    lambda_context: Any = None,
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

    if translation.dedup_key and (translation.messages or translation.outcomes or translation.redactions):
        return _apply_once(
            source, translation, translation.dedup_key, service, idempotency, lambda_context=lambda_context
        )
    return _apply(source, translation, service)


def _apply(source: str, translation: Translation, service: IngestionService) -> WebhookResult:
    applied = apply(translation, service)
    return WebhookResult(
        source=source,
        topic=translation.topic,
        messages=applied.messages,
        outcomes=applied.outcomes,
        redactions=applied.redactions,
        ignored=translation.ignored,
        unknown_topic=translation.unknown_topic,
    )


def _apply_once(
    source: str,
    translation: Translation,
    key: str,
    service: IngestionService,
    idempotency: BasePersistenceLayer,
    *,
    lambda_context: Any,
) -> WebhookResult:
    """`_apply` once per notification key (Powertools idempotency); a duplicate gets the stored answer."""
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function
    from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyAlreadyInProgressError
    from aws_lambda_powertools.utilities.idempotency.serialization.dataclass import DataclassSerializer

    config = IdempotencyConfig(
        expires_after_seconds=DEDUP_TTL_S, raise_on_no_idempotency_key=True, response_hook=_replayed
    )
    # The in-progress lock lasts as long as this invocation may run, so a delivery killed by its timeout
    # never blocks the helpdesk's retries.
    has_deadline = hasattr(lambda_context, "get_remaining_time_in_millis")
    config.register_lambda_context(cast("LambdaContext", lambda_context if has_deadline else _Budget()))

    @idempotent_function(
        data_keyword_argument="notification",
        persistence_store=idempotency,
        config=config,
        output_serializer=DataclassSerializer(WebhookResult),
        key_prefix=IDEMPOTENCY_KEY_PREFIX,
    )
    def apply_notification(*, notification: str) -> WebhookResult:
        return _apply(source, translation, service)

    try:
        result: WebhookResult = apply_notification(notification=key)
    except IdempotencyAlreadyInProgressError:
        raise NotificationInProgress(key) from None
    return result


def _replayed(response: Any, idempotent_data: DataRecord) -> Any:
    """A duplicate gets the first delivery's answer (a WebhookResult), marked as a duplicate."""
    return replace(response, duplicate=True)


class _Budget:
    """What Powertools reads of a Lambda context, where there is none (tools, tests without one)."""

    def get_remaining_time_in_millis(self) -> int:
        return IN_PROGRESS_FALLBACK_MS


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
