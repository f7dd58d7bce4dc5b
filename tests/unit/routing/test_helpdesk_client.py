"""The helpdesk clients of the write-back (`baton.adapters.helpdesk`): the requests are the vendors' documented
shapes, failures are retried or refused as the vendors ask, and no credential is ever shown.

Shapes, as documented:
- Zendesk Tickets API, Update Ticket: `PUT /api/v2/tickets/{id}.json`, body `{"ticket": {"assignee_id" |
  "group_id", "comment": {"html_body", "public": false}}}`, basic auth `{email}/token:{api_token}`.
- Intercom Conversations API: `POST /conversations/{id}/parts` `{"message_type": "assignment", "type": "admin" |
  "team", "admin_id", "assignee_id"}`; `POST /conversations/{id}/reply` `{"message_type": "note", "type":
  "admin", "admin_id", "body"}`; bearer token and an `Intercom-Version` header.
"""

from __future__ import annotations

import base64
import json
import urllib.error
from email.message import Message
from io import BytesIO

import pytest
from helpdesk_fakes import (
    INTERCOM_CREDENTIALS,
    NOTE,
    SECRETS,
    ZENDESK_CREDENTIALS,
    FakeClock,
    ScriptedTransport,
    answer,
    http,
)

from baton.adapters.helpdesk import (
    ATTEMPT_MAX_S,
    REDACTED,
    HelpdeskNotConfigured,
    HelpdeskRejected,
    HelpdeskUnavailable,
    IntercomDesk,
    UrllibTransport,
    ZendeskDesk,
    intercom_assignment,
    intercom_credentials,
    intercom_note,
    note_html,
    vendor_error,
    zendesk_credentials,
    zendesk_update,
)
from baton.adapters.memory import StaticSecrets


def _basic(email: str, token: str) -> str:
    return "Basic " + base64.b64encode(f"{email}/token:{token}".encode()).decode()


# -- request shapes --------------------------------------------------------------------------------------


def test_zendesk_note_and_assignee_are_one_ticket_update_with_an_internal_comment() -> None:
    transport = ScriptedTransport()
    ZendeskDesk(SECRETS, http(transport)).write_note("123", NOTE, agent="5001", team=None, deadline=None)

    (request,) = transport.requests
    assert (request.method, request.url) == ("PUT", "https://acme.zendesk.com/api/v2/tickets/123.json")
    assert dict(request.headers) == {
        "Authorization": _basic("baton@acme.example", "zd-token-123"),
        "Content-Type": "application/json",
        "Accept": "application/json",
    }
    assert json.loads(request.data()) == {
        "ticket": {"assignee_id": 5001, "comment": {"html_body": note_html(NOTE), "public": False}}
    }
    assert request.purpose == "note+assign"


def test_zendesk_without_an_agent_sets_the_group_and_a_queued_note_sets_neither() -> None:
    credentials = zendesk_credentials(SECRETS)
    by_group = zendesk_update(credentials, "123", note=None, agent=None, group="360001")
    queued = zendesk_update(credentials, "123", note="n", agent=None, group=None)

    assert by_group.body == {"ticket": {"group_id": 360001}} and by_group.purpose == "assign"
    assert queued.body == {"ticket": {"comment": {"html_body": "<p>n</p>", "public": False}}}
    assert queued.purpose == "note"


def test_intercom_assignment_to_an_admin_or_a_team() -> None:
    credentials = intercom_credentials(SECRETS)
    to_admin = intercom_assignment(credentials, "215467", agent="5001")
    to_team = intercom_assignment(credentials, "215467", team="6002", version="2.13")

    assert (to_admin.method, to_admin.url) == ("POST", "https://api.intercom.io/conversations/215467/parts")
    assert to_admin.body == {
        "message_type": "assignment",
        "type": "admin",
        "admin_id": "814860",
        "assignee_id": "5001",
    }
    assert to_team.body == {
        "message_type": "assignment",
        "type": "team",
        "admin_id": "814860",
        "assignee_id": "6002",
    }
    assert dict(to_admin.headers) == {
        "Authorization": "Bearer ic-token-456",
        "Content-Type": "application/json",
        "Accept": "application/json",
        "Intercom-Version": "2.11",
    }
    assert dict(to_team.headers)["Intercom-Version"] == "2.13"


def test_intercom_note_is_an_admin_note_reply_in_html() -> None:
    request = intercom_note(
        intercom_credentials(SECRETS), "215467", NOTE, base_url="https://api.eu.intercom.io/"
    )

    assert (request.method, request.url) == ("POST", "https://api.eu.intercom.io/conversations/215467/reply")
    assert request.body == {
        "message_type": "note",
        "type": "admin",
        "admin_id": "814860",
        "body": note_html(NOTE),
    }


def test_intercom_desk_writes_the_note_alone_and_assigns_separately() -> None:
    transport = ScriptedTransport()
    desk = IntercomDesk(SECRETS, http(transport))
    desk.write_note("215467", NOTE, agent="5001", team=None, deadline=None)
    desk.assign("215467", agent="5001", team=None, deadline=None)

    assert [(r.method, r.path, r.body["message_type"]) for r in transport.requests] == [
        ("POST", "/conversations/215467/reply", "note"),
        ("POST", "/conversations/215467/parts", "assignment"),
    ]
    assert desk.note_carries_assignment is False and ZendeskDesk.note_carries_assignment is True


def test_the_note_is_escaped_html_the_customer_cannot_inject_markup_into() -> None:
    html = note_html(
        "# Problem\n> <img src=x onerror=alert(1)> **now**\n\n- [link](https://ex.com/?a=1&b=2)\n- `x<y`"
    )

    assert html == (
        "<p><strong>Problem</strong></p>"
        "<blockquote>&lt;img src=x onerror=alert(1)&gt; <strong>now</strong></blockquote>"
        '<ul><li><a href="https://ex.com/?a=1&amp;b=2">link</a></li><li><code>x&lt;y</code></li></ul>'
    )
    assert note_html("a\nb\n\nc") == "<p>a<br>b</p><p>c</p>"
    assert note_html("[x](javascript:alert(1))") == "<p>[x](javascript:alert(1))</p>"  # only http(s) links


def test_no_request_shows_its_credential() -> None:
    requests = [
        zendesk_update(zendesk_credentials(SECRETS), "1", note="n"),
        intercom_note(intercom_credentials(SECRETS), "2", "n"),
    ]
    for request in requests:
        shown = json.dumps(request.described()) + repr(request)
        assert "zd-token-123" not in shown and "ic-token-456" not in shown
        assert _basic("baton@acme.example", "zd-token-123") not in shown
        assert request.safe_headers()["Authorization"] == REDACTED
    assert "zd-token-123" not in repr(zendesk_credentials(SECRETS))


# -- credentials -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({}, "no API credentials are configured"),
        ({"zendesk_api": "not json"}, "not a JSON object"),
        ({"zendesk_api": json.dumps({**ZENDESK_CREDENTIALS, "api_token": ""})}, "has no 'api_token'"),
        ({"zendesk_api": json.dumps({**ZENDESK_CREDENTIALS, "subdomain": ""})}, "no valid subdomain"),
        (
            {"zendesk_api": json.dumps({**ZENDESK_CREDENTIALS, "subdomain": "evil.com/x"})},
            "no valid subdomain",
        ),
    ],
)
def test_unusable_zendesk_credentials_are_not_configured(values: dict[str, str], message: str) -> None:
    with pytest.raises(HelpdeskNotConfigured, match=message):
        zendesk_credentials(StaticSecrets(values))


def test_the_subdomain_may_come_from_settings_and_the_admin_must_be_an_id() -> None:
    no_subdomain = {k: v for k, v in ZENDESK_CREDENTIALS.items() if k != "subdomain"}
    assert (
        zendesk_credentials(StaticSecrets({"zendesk_api": json.dumps(no_subdomain)}), "Acme").subdomain
        == "acme"
    )
    with pytest.raises(HelpdeskNotConfigured, match="admin_id is not an id"):
        intercom_credentials(
            StaticSecrets({"intercom_api": json.dumps({**INTERCOM_CREDENTIALS, "admin_id": "x y"})})
        )


# -- retries ---------------------------------------------------------------------------------------------


def _note_request() -> object:
    return zendesk_update(zendesk_credentials(SECRETS), "123", note="n")


def test_a_429_waits_what_retry_after_says_then_succeeds() -> None:
    clock = FakeClock()
    transport = ScriptedTransport(answer(429, {"error": "TooManyRequests"}, retry_after="7"))
    response = http(transport, clock, jitter=0.0).send(_note_request())  # type: ignore[arg-type]

    assert response.status == 200 and len(transport.requests) == 2
    assert clock.sleeps == [7.0]


def test_intercom_429_waits_until_its_rate_limit_resets() -> None:
    from helpdesk_fakes import T0

    clock = FakeClock()
    reset = str(int(T0.timestamp()) + 4)
    transport = ScriptedTransport(answer(429, {"type": "error.list"}, x_ratelimit_reset=reset))
    http(transport, clock, jitter=0.0).send(intercom_note(intercom_credentials(SECRETS), "1", "n"))

    assert clock.sleeps == [4.0]


def test_5xx_and_connection_failures_back_off_exponentially_with_jitter() -> None:
    clock = FakeClock()
    transport = ScriptedTransport(
        answer(503, b"<html>down</html>"), urllib.error.URLError("connection refused")
    )
    http(transport, clock, jitter=0.5).send(_note_request())  # type: ignore[arg-type]

    assert len(transport.requests) == 3
    # Equal jitter: half the backoff plus a random half (0.5 here) of 0.5 s, then of 1 s.
    assert clock.sleeps == [0.375, 0.75]


def test_a_helpdesk_still_failing_after_the_attempts_is_unavailable_naming_why() -> None:
    transport = ScriptedTransport(*(answer(503, {"error": "Maintenance"}) for _ in range(3)))
    with pytest.raises(HelpdeskUnavailable) as caught:
        http(transport).send(_note_request())  # type: ignore[arg-type]

    assert len(transport.requests) == 3
    assert str(caught.value) == (
        "zendesk did not accept PUT /api/v2/tickets/123.json (note) after 3 attempt(s): HTTP 503: Maintenance; "
        "the record is retried later"
    )


def test_a_long_retry_after_or_no_time_left_fails_at_once_for_sqs_to_retry() -> None:
    long_wait = ScriptedTransport(answer(429, b"", retry_after="120"))
    with pytest.raises(HelpdeskUnavailable, match="Retry-After 120 s"):
        http(long_wait).send(_note_request())  # type: ignore[arg-type]
    assert len(long_wait.requests) == 1

    clock = FakeClock()
    late = ScriptedTransport(answer(502, b"bad gateway"))
    with pytest.raises(HelpdeskUnavailable, match="no time left"):
        http(late, clock).send(_note_request(), deadline=clock.now + ATTEMPT_MAX_S)  # type: ignore[arg-type]
    assert len(late.requests) == 1 and clock.sleeps == []


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (400, {"error": "RecordInvalid", "description": "Record validation errors", "details": {"assignee": [{"description": "Assignee is invalid"}]}}, 'RecordInvalid: Record validation errors: {"assignee":[{"description":"Assignee is invalid"}]}'),
        (404, {"error": "RecordNotFound", "description": "Not found"}, "RecordNotFound: Not found"),
        (401, {"error": "Couldn't authenticate you"}, "Couldn't authenticate you"),
        (422, b"Unprocessable", "Unprocessable"),
    ],
)  # fmt: skip
def test_a_4xx_is_permanent_at_once_naming_helpdesk_status_and_error(
    status: int, body: object, error: str
) -> None:
    transport = ScriptedTransport(answer(status, body))
    with pytest.raises(HelpdeskRejected) as caught:
        http(transport).send(_note_request())  # type: ignore[arg-type]

    assert len(transport.requests) == 1
    assert (
        str(caught.value) == f"zendesk rejected PUT /api/v2/tickets/123.json (note): HTTP {status}: {error}"
    )
    assert "zd-token-123" not in str(caught.value)


def test_intercom_errors_are_read_from_its_error_list() -> None:
    body = {
        "type": "error.list",
        "request_id": "r1",
        "errors": [{"code": "not_found", "message": "Resource Not Found"}],
    }
    assert vendor_error(json.dumps(body).encode()) == "not_found: Resource Not Found"
    assert vendor_error(b"") == "(empty body)"


# -- the urllib transport ----------------------------------------------------------------------------------


def test_urllib_transport_returns_an_http_error_as_an_answer_and_refuses_plain_http(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    transport = UrllibTransport()
    headers = Message()
    headers["Retry-After"] = "3"
    sent: list[tuple[str, str, dict[str, str], float]] = []

    def refuse(req: object, timeout: float) -> None:
        sent.append((req.get_method(), req.full_url, dict(req.header_items()), timeout))  # type: ignore[attr-defined]
        raise urllib.error.HTTPError(
            req.full_url, 429, "Too Many", headers, BytesIO(b'{"error":"slow down"}')
        )  # type: ignore[attr-defined]

    monkeypatch.setattr(transport._opener, "open", refuse)
    response = transport.send(_note_request())  # type: ignore[arg-type]

    assert (response.status, response.header("retry-after"), response.body) == (
        429,
        "3",
        b'{"error":"slow down"}',
    )
    method, url, sent_headers, timeout = sent[0]
    assert (method, url, timeout) == ("PUT", "https://acme.zendesk.com/api/v2/tickets/123.json", 3.0)
    assert sent_headers["Content-type"] == "application/json"

    plain = zendesk_update(zendesk_credentials(SECRETS), "1", note="n")
    object.__setattr__(plain, "url", "http://acme.zendesk.com/api/v2/tickets/1.json")
    with pytest.raises(HelpdeskNotConfigured, match="non-HTTPS"):
        transport.send(plain)
