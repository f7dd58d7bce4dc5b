"""Webhook signatures against real vectors.

The expected signatures below were computed once with OpenSSL, independently of Baton's code:

    printf '%s' "$TIMESTAMP$BODY" | openssl dgst -sha256 -hmac "$SECRET" -binary | base64   # Zendesk
    printf '%s' "$BODY" | openssl dgst -sha1 -hmac "$SECRET"                                # Intercom
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from baton.errors import InvalidSignature
from baton.ingestion.connectors.signatures import verify_intercom, verify_zendesk

ZD_SECRET = "zd-signing-secret-0b9c41"
ZD_TIMESTAMP = "2026-02-03T09:14:08Z"
ZD_BODY = b'{"type":"baton:csat","ticket_id":"48213","score":"Good, I\'m satisfied","comment":"Fast fix"}'
ZD_SIGNATURE = "IGxfAWmTV74I/coYyFoep/0+VoMbAWDdlhuwc1yjyK8="
ZD_SIGNED_AT = datetime(2026, 2, 3, 9, 14, 8, tzinfo=UTC)

# Zendesk's documentation example (developer.zendesk.com, "Verifying webhook authenticity").
DOC_SECRET = "HRkRd4BeOAoUkfZr-mhauJT64rvBASlJRoIyPsd3zeA="
DOC_BODY = b'{"say": "hello"}'
DOC_TIMESTAMP = "2021-07-25T10:00:00Z"
DOC_PRINTED_SIGNATURE = "tRDSF7URY8BLCDlaBcQ7FHu051Zk+aAB0NKMP53teMw="  # HMAC over body + timestamp
DOC_TIMESTAMP_FIRST_SIGNATURE = "Rry/4TtIdFyawtXXp8QdI6tlAUUQ/5kL1OTp5qo/ZIk="  # openssl, timestamp + body

IC_SECRET = "intercom-signing-secret-7f3a"
IC_BODY = b'{"type":"notification_event","id":"notif_ab12","topic":"ping","data":{"item":{"type":"ping","message":"hello"}}}'
IC_SIGNATURE = "sha1=04f6d3cd3c75055cb9f93215fc551885db88b3a1"


def zd_headers(signature: str = ZD_SIGNATURE, timestamp: str = ZD_TIMESTAMP) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "X-Zendesk-Webhook-Signature": signature,
        "X-Zendesk-Webhook-Signature-Timestamp": timestamp,
    }


def rejected(call, *args, **kwargs) -> str:
    with pytest.raises(InvalidSignature) as caught:
        call(*args, **kwargs)
    return str(caught.value)


# --------------------------------------------------------------------------------------- Zendesk


def test_zendesk_accepts_a_real_signature() -> None:
    verify_zendesk(zd_headers(), ZD_BODY, ZD_SECRET, ZD_SIGNED_AT + timedelta(seconds=30))


def test_zendesk_signs_the_timestamp_then_the_body_with_the_secret_text() -> None:
    now = datetime(2021, 7, 25, 10, 1, tzinfo=UTC)
    headers = zd_headers(DOC_TIMESTAMP_FIRST_SIGNATURE, DOC_TIMESTAMP)
    verify_zendesk(headers, DOC_BODY, DOC_SECRET, now)
    # The value printed in the docs' example is the HMAC of body + timestamp (the reverse order,
    # from an older revision of that page): it must not verify.
    reason = rejected(
        verify_zendesk, zd_headers(DOC_PRINTED_SIGNATURE, DOC_TIMESTAMP), DOC_BODY, DOC_SECRET, now
    )
    assert reason == "signature mismatch"


def test_zendesk_header_names_are_case_insensitive() -> None:
    headers = {
        "x-zendesk-webhook-signature": ZD_SIGNATURE,
        "X-ZENDESK-WEBHOOK-SIGNATURE-TIMESTAMP": ZD_TIMESTAMP,
    }
    verify_zendesk(headers, ZD_BODY, ZD_SECRET, ZD_SIGNED_AT)


def test_zendesk_rejects_a_wrong_secret() -> None:
    assert (
        rejected(verify_zendesk, zd_headers(), ZD_BODY, "another-secret", ZD_SIGNED_AT)
        == "signature mismatch"
    )


def test_zendesk_rejects_a_tampered_body() -> None:
    tampered = ZD_BODY.replace(b"Good", b"Bad ")
    assert rejected(verify_zendesk, zd_headers(), tampered, ZD_SECRET, ZD_SIGNED_AT) == "signature mismatch"


def test_zendesk_rejects_a_tampered_timestamp() -> None:
    # Replaying a captured body with a fresh timestamp must not work: the timestamp is signed.
    headers = zd_headers(timestamp="2026-02-03T09:14:09Z")
    assert rejected(verify_zendesk, headers, ZD_BODY, ZD_SECRET, ZD_SIGNED_AT) == "signature mismatch"


def test_zendesk_rejects_a_stale_timestamp() -> None:
    reason = rejected(verify_zendesk, zd_headers(), ZD_BODY, ZD_SECRET, ZD_SIGNED_AT + timedelta(seconds=301))
    assert reason.startswith("stale timestamp")


def test_zendesk_rejects_a_timestamp_from_the_future() -> None:
    reason = rejected(verify_zendesk, zd_headers(), ZD_BODY, ZD_SECRET, ZD_SIGNED_AT - timedelta(seconds=301))
    assert "in the future" in reason


def test_zendesk_accepts_the_edges_of_the_skew_window() -> None:
    verify_zendesk(zd_headers(), ZD_BODY, ZD_SECRET, ZD_SIGNED_AT + timedelta(seconds=300))
    verify_zendesk(zd_headers(), ZD_BODY, ZD_SECRET, ZD_SIGNED_AT - timedelta(seconds=300))


def test_zendesk_skew_limit_is_configurable() -> None:
    later = ZD_SIGNED_AT + timedelta(seconds=90)
    verify_zendesk(zd_headers(), ZD_BODY, ZD_SECRET, later, max_skew_s=120)
    assert rejected(verify_zendesk, zd_headers(), ZD_BODY, ZD_SECRET, later, max_skew_s=60).startswith(
        "stale"
    )


@pytest.mark.parametrize(
    ("missing", "reason"),
    [
        ("X-Zendesk-Webhook-Signature", "missing header X-Zendesk-Webhook-Signature"),
        ("X-Zendesk-Webhook-Signature-Timestamp", "missing header X-Zendesk-Webhook-Signature-Timestamp"),
    ],
)
def test_zendesk_rejects_a_missing_header(missing: str, reason: str) -> None:
    headers = zd_headers()
    del headers[missing]
    assert rejected(verify_zendesk, headers, ZD_BODY, ZD_SECRET, ZD_SIGNED_AT) == reason


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        (zd_headers(timestamp="yesterday"), "malformed header X-Zendesk-Webhook-Signature-Timestamp"),
        (zd_headers(signature="not base64!"), "malformed header X-Zendesk-Webhook-Signature"),
        (zd_headers(signature=""), "missing header X-Zendesk-Webhook-Signature"),
    ],
)
def test_zendesk_rejects_malformed_headers(headers: dict[str, str], reason: str) -> None:
    assert rejected(verify_zendesk, headers, ZD_BODY, ZD_SECRET, ZD_SIGNED_AT).startswith(reason)


@pytest.mark.parametrize("secret", [None, ""])
def test_zendesk_fails_closed_without_a_secret(secret: str | None) -> None:
    assert "not configured" in rejected(verify_zendesk, zd_headers(), ZD_BODY, secret, ZD_SIGNED_AT)


# --------------------------------------------------------------------------------------- Intercom


def test_intercom_accepts_a_real_signature() -> None:
    verify_intercom({"X-Hub-Signature": IC_SIGNATURE}, IC_BODY, IC_SECRET)


def test_intercom_header_name_is_case_insensitive_and_hex_case_does_not_matter() -> None:
    verify_intercom({"x-hub-signature": IC_SIGNATURE.upper().replace("SHA1=", "sha1=")}, IC_BODY, IC_SECRET)


def test_intercom_rejects_a_wrong_secret() -> None:
    assert (
        rejected(verify_intercom, {"X-Hub-Signature": IC_SIGNATURE}, IC_BODY, "nope") == "signature mismatch"
    )


def test_intercom_rejects_a_tampered_body() -> None:
    tampered = IC_BODY.replace(b"hello", b"hellO")
    assert (
        rejected(verify_intercom, {"X-Hub-Signature": IC_SIGNATURE}, tampered, IC_SECRET)
        == "signature mismatch"
    )


def test_intercom_rejects_a_missing_header() -> None:
    assert rejected(verify_intercom, {"Content-Type": "application/json"}, IC_BODY, IC_SECRET) == (
        "missing header X-Hub-Signature"
    )


@pytest.mark.parametrize(
    "value",
    [
        "04f6d3cd3c75055cb9f93215fc551885db88b3a1",  # no algorithm
        "sha256=04f6d3cd3c75055cb9f93215fc551885db88b3a1",
        "sha1=",
        "sha1=not-hex-at-all",
    ],
)
def test_intercom_rejects_a_malformed_header(value: str) -> None:
    assert rejected(verify_intercom, {"X-Hub-Signature": value}, IC_BODY, IC_SECRET).startswith(
        "malformed header X-Hub-Signature"
    )


def test_intercom_rejects_a_truncated_signature() -> None:
    truncated = IC_SIGNATURE[:-2]
    assert (
        rejected(verify_intercom, {"X-Hub-Signature": truncated}, IC_BODY, IC_SECRET) == "signature mismatch"
    )


@pytest.mark.parametrize("secret", [None, ""])
def test_intercom_fails_closed_without_a_secret(secret: str | None) -> None:
    assert "not configured" in rejected(verify_intercom, {"X-Hub-Signature": IC_SIGNATURE}, IC_BODY, secret)


@pytest.mark.parametrize(
    ("timestamp", "header"),
    [
        ("", "x-zendesk-webhook-signature-timestamp"),
        ("yesterday", "x-zendesk-webhook-signature-timestamp"),
        ("2026-02-03T08:00:00Z", "x-zendesk-webhook-signature-timestamp"),  # stale
    ],
)
def test_zendesk_timestamp_problems_name_the_timestamp_header(timestamp: str, header: str) -> None:
    with pytest.raises(InvalidSignature) as caught:
        verify_zendesk(zd_headers(timestamp=timestamp), ZD_BODY, ZD_SECRET, ZD_SIGNED_AT)
    assert caught.value.header == header


def test_a_zendesk_signature_mismatch_names_the_signature_header_or_nothing_more_specific() -> None:
    with pytest.raises(InvalidSignature) as caught:
        verify_zendesk(zd_headers(signature="bm90IGl0"), ZD_BODY, ZD_SECRET, ZD_SIGNED_AT)
    assert caught.value.header in (None, "x-zendesk-webhook-signature")
