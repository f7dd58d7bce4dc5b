"""Webhook signature checks. Both fail closed: no secret configured, no header, a malformed or
stale header, or a wrong signature all raise `InvalidSignature` (HTTP 401, nothing stored).

Zendesk: `X-Zendesk-Webhook-Signature` = base64(HMAC-SHA256(secret, timestamp + raw body)), the
timestamp being the `X-Zendesk-Webhook-Signature-Timestamp` header as sent (ISO 8601), no
separator. The secret is used as its text, not base64-decoded. The timestamp is signed, so checking
its age bounds replays.

Intercom: `X-Hub-Signature: sha1=<hex HMAC-SHA1(secret, raw body)>`. Nothing timestamped is signed:
replays are stopped by de-duplicating on the notification id (see `webhooks`).

Always verify the raw bytes as received: re-serialised JSON does not verify.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Mapping
from datetime import UTC, datetime

from baton.errors import InvalidSignature

ZENDESK_SIGNATURE = "X-Zendesk-Webhook-Signature"
ZENDESK_TIMESTAMP = "X-Zendesk-Webhook-Signature-Timestamp"
INTERCOM_SIGNATURE = "X-Hub-Signature"
_SIG = ZENDESK_SIGNATURE.lower()
_STAMP = ZENDESK_TIMESTAMP.lower()


def header(headers: Mapping[str, str], name: str) -> str | None:
    """Case-insensitive lookup (HTTP header names are; API Gateway and local servers differ in case)."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None


def verify_zendesk(
    headers: Mapping[str, str], raw_body: bytes, secret: str | None, now: datetime, max_skew_s: int = 300
) -> None:
    if not secret:
        raise InvalidSignature("zendesk webhook secret is not configured")
    signature = header(headers, ZENDESK_SIGNATURE)
    stamp = header(headers, ZENDESK_TIMESTAMP)
    if not signature:
        raise InvalidSignature(f"missing header {ZENDESK_SIGNATURE}", _SIG)
    if not stamp:
        raise InvalidSignature(f"missing header {ZENDESK_TIMESTAMP}", _STAMP)
    signed_at = _parse_timestamp(stamp)
    if signed_at is None:
        raise InvalidSignature(
            f"malformed header {ZENDESK_TIMESTAMP}: expected an ISO 8601 timestamp", _STAMP
        )
    now = now.replace(tzinfo=UTC) if now.tzinfo is None else now
    skew = (now - signed_at).total_seconds()
    if skew > max_skew_s:
        raise InvalidSignature(f"stale timestamp: signed {int(skew)}s ago (limit {max_skew_s}s)", _STAMP)
    if -skew > max_skew_s:
        raise InvalidSignature(f"timestamp {int(-skew)}s in the future (limit {max_skew_s}s)", _STAMP)
    try:
        given = base64.b64decode(signature.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise InvalidSignature(f"malformed header {ZENDESK_SIGNATURE}: not base64", _SIG) from None
    expected = hmac.new(secret.encode(), stamp.encode() + raw_body, hashlib.sha256).digest()
    if not hmac.compare_digest(given, expected):
        raise InvalidSignature("signature mismatch")


def verify_intercom(headers: Mapping[str, str], raw_body: bytes, secret: str | None) -> None:
    if not secret:
        raise InvalidSignature("intercom webhook secret is not configured")
    signature = header(headers, INTERCOM_SIGNATURE)
    if not signature:
        raise InvalidSignature(f"missing header {INTERCOM_SIGNATURE}")
    algorithm, _, hexdigest = signature.strip().partition("=")
    if algorithm.lower() != "sha1" or not hexdigest:
        raise InvalidSignature(f"malformed header {INTERCOM_SIGNATURE}: expected sha1=<hex>")
    try:
        given = bytes.fromhex(hexdigest)
    except ValueError:
        raise InvalidSignature(f"malformed header {INTERCOM_SIGNATURE}: not hex") from None
    expected = hmac.new(secret.encode(), raw_body, hashlib.sha1).digest()
    if not hmac.compare_digest(given, expected):
        raise InvalidSignature("signature mismatch")


def _parse_timestamp(value: str) -> datetime | None:
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def sign_zendesk(raw_body: bytes, secret: str, at: datetime) -> dict[str, str]:
    """The headers Zendesk sends with `raw_body` (for `baton webhook send` and tests): what `verify_zendesk`
    checks."""
    stamp = at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    digest = hmac.new(secret.encode(), stamp.encode() + raw_body, hashlib.sha256).digest()
    return {ZENDESK_SIGNATURE: base64.b64encode(digest).decode(), ZENDESK_TIMESTAMP: stamp}


def sign_intercom(raw_body: bytes, secret: str) -> dict[str, str]:
    """The header Intercom sends with `raw_body`: what `verify_intercom` checks."""
    return {INTERCOM_SIGNATURE: "sha1=" + hmac.new(secret.encode(), raw_body, hashlib.sha1).hexdigest()}
