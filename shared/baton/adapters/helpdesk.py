"""Helpdesk REST clients for the write-back (`baton.routing.writeback`): Zendesk and Intercom, over `urllib`.

Each vendor's request is built as a `HelpdeskRequest` (method, URL, headers, JSON body), then sent through a
`Transport`: `UrllibTransport` deployed, the recording fake under `baton local` (`baton.local.helpdesk`), a
scripted fake in tests. The request objects are the same whichever transport sends them.

Requests (checked against the vendors' API references):

- Zendesk, Tickets API "Update Ticket": `PUT https://{subdomain}.zendesk.com/api/v2/tickets/{ticket_id}.json`
  with `{"ticket": {"assignee_id": <user id> | "group_id": <group id>, "comment": {"html_body": ..., "public":
  false}}}`. A comment is created by updating the ticket (the Ticket Comments API has no create endpoint);
  `public: false` makes it an internal note. Basic auth `{email}/token:{api_token}`.
- Intercom, Conversations API (`Intercom-Version` header, bearer access token):
  `POST https://api.intercom.io/conversations/{id}/parts` with `{"message_type": "assignment", "type": "admin" |
  "team", "admin_id": <acting admin>, "assignee_id": <admin or team id>}` ("Manage a conversation"), and
  `POST https://api.intercom.io/conversations/{id}/reply` with `{"message_type": "note", "type": "admin",
  "admin_id": <acting admin>, "body": <HTML>}` ("Reply to a conversation": notes accept some HTML).

Failures (`send`): a 2xx is success; 429 and 5xx, and a connection that fails or times out (connect 3 s, read
10 s), are retried with exponential backoff and jitter, honouring `Retry-After` (Intercom: `X-RateLimit-Reset`),
at most `RetryPolicy.attempts` times and never past the caller's deadline, then `HelpdeskUnavailable`; any
other 4xx is permanent, `HelpdeskRejected` naming the helpdesk, the status and the vendor's error. Neither
carries a credential: the Authorization header is never logged, recorded or put in an error.

Credentials come from the secret source (`baton.wiring.secrets`: Secrets Manager deployed, cached), as JSON:
Zendesk `{"subdomain", "email", "api_token"}` (the subdomain may come from settings instead), Intercom
`{"access_token", "admin_id"}`. A missing or malformed secret is `HelpdeskNotConfigured`.
"""

from __future__ import annotations

import base64
import html
import http.client
import itertools
import json
import random
import re
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any, Literal, Protocol

from baton.errors import BatonError
from baton.ports import SecretSource

HelpdeskName = Literal["zendesk", "intercom"]

CONNECT_TIMEOUT_S = 3.0
READ_TIMEOUT_S = 10.0
ATTEMPT_MAX_S = CONNECT_TIMEOUT_S + READ_TIMEOUT_S
"""The longest one attempt may take (a read timeout is per socket read: a response that trickles in could take
longer, which the function timeout then bounds)."""
REDACTED = "[redacted]"
SECRET_HEADERS = frozenset({"authorization"})
ZENDESK_SECRET = "zendesk_api"
INTERCOM_SECRET = "intercom_api"
"""The logical names of the API credentials in the secret source (`baton.wiring.secrets`)."""
DEFAULT_INTERCOM_URL = "https://api.intercom.io"
DEFAULT_INTERCOM_VERSION = "2.11"
ERROR_TEXT_MAX = 300

_SUBDOMAIN = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_NUMERIC = re.compile(r"^[0-9]{1,20}$")


class HelpdeskError(BatonError):
    """A write to a helpdesk did not happen. The message names the helpdesk and never holds a credential."""

    def __init__(self, helpdesk: str, message: str) -> None:
        super().__init__(message)
        self.helpdesk = helpdesk


class HelpdeskRejected(HelpdeskError):
    """The helpdesk refused the request (a 4xx other than 429): retrying the same request cannot help. The
    record fails and reaches the DLQ after its retries, with this message as its reason."""

    def __init__(self, helpdesk: str, request: HelpdeskRequest, status: int, error: str) -> None:
        super().__init__(
            helpdesk,
            f"{helpdesk} rejected {request.method} {request.path} ({request.purpose}): HTTP {status}: {error}",
        )
        self.status = status
        self.error = error


class HelpdeskUnavailable(HelpdeskError):
    """The helpdesk did not answer with a success after the retries this invocation could afford (429, 5xx, a
    connection failure or timeout): the record fails and SQS retries it later."""


class HelpdeskNotConfigured(HelpdeskError):
    """No usable API credentials for the helpdesk (the secret is missing, not JSON, or lacks a field)."""


# ------------------------------------------------------------------------------------------ requests


@dataclass(frozen=True)
class HelpdeskRequest:
    """One HTTP request to a helpdesk API. `headers` holds the credential: use `safe_headers()` to show it."""

    helpdesk: HelpdeskName
    purpose: Literal["note", "assign", "note+assign"]
    method: Literal["PUT", "POST"]
    url: str
    body: dict[str, Any]
    headers: tuple[tuple[str, str], ...] = field(repr=False)

    @property
    def path(self) -> str:
        """The URL's path (what an error names; the host says nothing the helpdesk name does not)."""
        rest = self.url.split("://", 1)[-1]
        return "/" + rest.split("/", 1)[1] if "/" in rest else "/"

    def data(self) -> bytes:
        return json.dumps(self.body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")

    def safe_headers(self) -> dict[str, str]:
        """The headers with every credential replaced by `[redacted]`."""
        return {name: REDACTED if name.lower() in SECRET_HEADERS else value for name, value in self.headers}

    def described(self) -> dict[str, Any]:
        """What may be shown, logged or recorded of the request: everything but the credential."""
        return {
            "helpdesk": self.helpdesk,
            "purpose": self.purpose,
            "method": self.method,
            "url": self.url,
            "headers": self.safe_headers(),
            "body": self.body,
        }


@dataclass(frozen=True)
class HelpdeskResponse:
    status: int
    headers: Mapping[str, str]
    """Lower-cased names."""
    body: bytes = b""

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


class Transport(Protocol):
    def send(self, request: HelpdeskRequest) -> HelpdeskResponse:
        """Send the request and return the helpdesk's answer, whatever its status. A connection that fails or
        times out raises OSError (urllib's URLError, TimeoutError...)."""
        ...


class _Connection(http.client.HTTPSConnection):
    """Connects within the request's timeout (the connect timeout), then reads with the read timeout."""

    def connect(self) -> None:
        super().connect()
        self.sock.settimeout(READ_TIMEOUT_S)


class _TimeoutsHandler(urllib.request.HTTPSHandler):
    def __init__(self) -> None:
        self._tls = ssl.create_default_context()  # certificate and host name checked
        super().__init__(context=self._tls)

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_Connection, req, context=self._tls)


class UrllibTransport:
    """HTTPS through urllib (no dependency): connect timeout 3 s, read timeout 10 s, no proxy from the
    environment; a non-2xx status is an answer, not an exception."""

    def __init__(self) -> None:
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _TimeoutsHandler())

    def send(self, request: HelpdeskRequest) -> HelpdeskResponse:
        if not request.url.startswith("https://"):
            raise HelpdeskNotConfigured(request.helpdesk, f"{request.helpdesk}: refusing a non-HTTPS API URL")
        req = urllib.request.Request(
            request.url, data=request.data(), headers=dict(request.headers), method=request.method
        )
        try:
            with self._opener.open(req, timeout=CONNECT_TIMEOUT_S) as answer:
                return HelpdeskResponse(answer.status, _lower(answer.headers.items()), answer.read())
        except urllib.error.HTTPError as answer:
            try:
                return HelpdeskResponse(answer.code, _lower(answer.headers.items()), answer.read())
            finally:
                answer.close()


def _lower(items: Any) -> dict[str, str]:
    return {str(name).lower(): str(value) for name, value in items}


# ------------------------------------------------------------------------------------------ retries


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 3
    base_delay_s: float = 0.5
    max_delay_s: float = 8.0
    max_retry_after_s: float = 20.0
    """A `Retry-After` longer than this is not waited for here: the record fails and SQS retries it after the
    queue's visibility timeout, which is longer."""


class HelpdeskHttp:
    """Sends a request with retries (see the module docstring). `sleep`, `monotonic`, `wall` and `jitter` are
    injectable so tests run instantly and deterministically."""

    def __init__(
        self,
        transport: Transport,
        policy: RetryPolicy | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.transport = transport
        self.policy = policy or RetryPolicy()
        self._sleep = sleep
        self._monotonic = monotonic
        self._wall = wall
        self._jitter = jitter

    def send(self, request: HelpdeskRequest, *, deadline: float | None = None) -> HelpdeskResponse:
        """The 2xx answer; else HelpdeskRejected (permanent) or HelpdeskUnavailable (retry later). `deadline`
        (on `monotonic`'s clock): no attempt starts that could not finish before it."""
        policy = self.policy
        why = "not attempted"
        for attempt in range(1, policy.attempts + 1):
            retry_after: float | None = None
            try:
                response = self.transport.send(request)
            except OSError as exc:  # URLError, TimeoutError, ConnectionError
                why = f"{type(exc).__name__}: {_reason_of(exc)}"
            else:
                if 200 <= response.status < 300:
                    return response
                if response.status != 429 and response.status < 500:
                    raise HelpdeskRejected(
                        request.helpdesk, request, response.status, vendor_error(response.body)
                    )
                why = f"HTTP {response.status}: {vendor_error(response.body)}"
                retry_after = self._retry_after(response)
            if attempt == policy.attempts:
                break
            delay = self._delay(attempt, retry_after)
            if retry_after is not None and retry_after > policy.max_retry_after_s:
                why += f" (Retry-After {retry_after:.0f} s: longer than this invocation waits)"
                break
            if deadline is not None and self._monotonic() + delay + ATTEMPT_MAX_S > deadline:
                why += " (no time left in this invocation for another attempt)"
                break
            self._sleep(delay)
        raise HelpdeskUnavailable(
            request.helpdesk,
            f"{request.helpdesk} did not accept {request.method} {request.path} ({request.purpose}) after "
            f"{attempt} attempt(s): {why}; the record is retried later",
        )

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        """Exponential backoff with equal jitter; at least what the helpdesk asked for."""
        policy = self.policy
        backoff = min(policy.max_delay_s, policy.base_delay_s * 2.0 ** (attempt - 1))
        jittered = backoff / 2 + self._jitter() * backoff / 2
        if retry_after is None:
            return jittered
        return retry_after + self._jitter() * policy.base_delay_s

    def _retry_after(self, response: HelpdeskResponse) -> float | None:
        """Seconds the helpdesk asks to wait: `Retry-After` (seconds or an HTTP date), else Intercom's
        `X-RateLimit-Reset` (epoch seconds) on a 429."""
        value = response.header("retry-after")
        if value:
            try:
                return max(0.0, float(value))
            except ValueError:
                try:
                    return max(0.0, parsedate_to_datetime(value).timestamp() - self._wall())
                except (TypeError, ValueError):
                    return None
        reset = response.header("x-ratelimit-reset")
        if response.status == 429 and reset:
            try:
                return max(0.0, float(reset) - self._wall())
            except ValueError:
                return None
        return None


def _reason_of(exc: OSError) -> str:
    reason = getattr(exc, "reason", None)
    return str(reason if reason is not None else exc)


def vendor_error(body: bytes) -> str:
    """The error a helpdesk put in its answer, short: Zendesk `{"error", "description", "details"}`, Intercom
    `{"type": "error.list", "errors": [{"code", "message"}]}`, else the text itself."""
    text = body.decode("utf-8", errors="replace").strip()
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict):
        errors = data.get("errors")
        if isinstance(errors, list) and errors:
            parts = [
                ": ".join(str(e[k]) for k in ("code", "message") if isinstance(e, dict) and e.get(k))
                for e in errors
            ]
            text = "; ".join(p for p in parts if p) or text
        elif data.get("error") is not None:
            error = data["error"]
            if isinstance(error, dict):  # {"title", "message"} on some endpoints
                error = ": ".join(str(error[k]) for k in ("title", "message") if error.get(k))
            parts = [str(error), str(data.get("description") or "")]
            if isinstance(data.get("details"), dict):
                parts.append(json.dumps(data["details"], separators=(",", ":"))[:200])
            text = ": ".join(p for p in parts if p)
    text = " ".join(text.split())
    return (text[:ERROR_TEXT_MAX] + "...") if len(text) > ERROR_TEXT_MAX else (text or "(empty body)")


# ------------------------------------------------------------------------------------------ credentials


@dataclass(frozen=True)
class ZendeskCredentials:
    subdomain: str
    email: str
    api_token: str = field(repr=False)

    def authorization(self) -> str:
        raw = f"{self.email}/token:{self.api_token}".encode()
        return "Basic " + base64.b64encode(raw).decode("ascii")


@dataclass(frozen=True)
class IntercomCredentials:
    access_token: str = field(repr=False)
    admin_id: str = ""
    """The admin the notes and assignments are made as (Intercom requires one)."""


def _secret_json(secrets: SecretSource, name: str, helpdesk: str) -> dict[str, Any]:
    value = secrets.get(name)
    if not value:
        raise HelpdeskNotConfigured(
            helpdesk, f"{helpdesk}: no API credentials are configured ({name} secret)"
        )
    try:
        data = json.loads(value)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise HelpdeskNotConfigured(helpdesk, f"{helpdesk}: the {name} secret is not a JSON object")
    return data


def _field(data: Mapping[str, Any], key: str, helpdesk: str, name: str) -> str:
    value = data.get(key)
    if not isinstance(value, str | int) or not str(value).strip():
        raise HelpdeskNotConfigured(helpdesk, f"{helpdesk}: the {name} secret has no {key!r}")
    return str(value).strip()


def zendesk_credentials(secrets: SecretSource, subdomain: str | None = None) -> ZendeskCredentials:
    """From the `zendesk_api` secret; its `subdomain` wins over the `subdomain` setting."""
    data = _secret_json(secrets, ZENDESK_SECRET, "zendesk")
    chosen = str(data.get("subdomain") or subdomain or "").strip().lower()
    if not _SUBDOMAIN.match(chosen):
        raise HelpdeskNotConfigured(
            "zendesk", "zendesk: no valid subdomain (the secret's `subdomain`, else BATON_ZENDESK_SUBDOMAIN)"
        )
    return ZendeskCredentials(
        subdomain=chosen,
        email=_field(data, "email", "zendesk", ZENDESK_SECRET),
        api_token=_field(data, "api_token", "zendesk", ZENDESK_SECRET),
    )


def intercom_credentials(secrets: SecretSource) -> IntercomCredentials:
    data = _secret_json(secrets, INTERCOM_SECRET, "intercom")
    admin_id = _field(data, "admin_id", "intercom", INTERCOM_SECRET)
    if not _NUMERIC.match(admin_id):
        raise HelpdeskNotConfigured("intercom", "intercom: the intercom_api secret's admin_id is not an id")
    return IntercomCredentials(
        access_token=_field(data, "access_token", "intercom", INTERCOM_SECRET), admin_id=admin_id
    )


# ------------------------------------------------------------------------------------------ vendors


def zendesk_update(
    credentials: ZendeskCredentials,
    ticket_id: str,
    *,
    note: str | None,
    agent: str | None = None,
    group: str | None = None,
) -> HelpdeskRequest:
    """Update Ticket: the assignee (`agent`, a Zendesk user id) or else the group, and the note as an internal
    comment, in one request."""
    ticket: dict[str, Any] = {}
    if agent is not None:
        ticket["assignee_id"] = int(agent)
    elif group is not None:
        ticket["group_id"] = int(group)
    if note is not None:
        ticket["comment"] = {"html_body": note_html(note), "public": False}
    if not ticket:
        raise ValueError("a ticket update needs a note or an assignee")
    purpose: Literal["note", "assign", "note+assign"] = (
        "note+assign" if note is not None and len(ticket) > 1 else "note" if note is not None else "assign"
    )
    return HelpdeskRequest(
        helpdesk="zendesk",
        purpose=purpose,
        method="PUT",
        url=f"https://{credentials.subdomain}.zendesk.com/api/v2/tickets/{int(ticket_id)}.json",
        body={"ticket": ticket},
        headers=(
            ("Authorization", credentials.authorization()),
            ("Content-Type", "application/json"),
            ("Accept", "application/json"),
        ),
    )


def _intercom_headers(credentials: IntercomCredentials, version: str) -> tuple[tuple[str, str], ...]:
    return (
        ("Authorization", f"Bearer {credentials.access_token}"),
        ("Content-Type", "application/json"),
        ("Accept", "application/json"),
        ("Intercom-Version", version),
    )


def intercom_assignment(
    credentials: IntercomCredentials,
    conversation_id: str,
    *,
    agent: str | None = None,
    team: str | None = None,
    base_url: str = DEFAULT_INTERCOM_URL,
    version: str = DEFAULT_INTERCOM_VERSION,
) -> HelpdeskRequest:
    """Manage a conversation, `message_type: assignment`: to the admin `agent`, else to the `team`."""
    if agent is None and team is None:
        raise ValueError("an assignment needs an admin or a team")
    return HelpdeskRequest(
        helpdesk="intercom",
        purpose="assign",
        method="POST",
        url=f"{base_url.rstrip('/')}/conversations/{conversation_id}/parts",
        body={
            "message_type": "assignment",
            "type": "admin" if agent is not None else "team",
            "admin_id": credentials.admin_id,
            "assignee_id": agent if agent is not None else team,
        },
        headers=_intercom_headers(credentials, version),
    )


def intercom_note(
    credentials: IntercomCredentials,
    conversation_id: str,
    note: str,
    *,
    base_url: str = DEFAULT_INTERCOM_URL,
    version: str = DEFAULT_INTERCOM_VERSION,
) -> HelpdeskRequest:
    """Reply to a conversation, `message_type: note`: visible to teammates only."""
    return HelpdeskRequest(
        helpdesk="intercom",
        purpose="note",
        method="POST",
        url=f"{base_url.rstrip('/')}/conversations/{conversation_id}/reply",
        body={
            "message_type": "note",
            "type": "admin",
            "admin_id": credentials.admin_id,
            "body": note_html(note),
        },
        headers=_intercom_headers(credentials, version),
    )


class ZendeskDesk:
    """The write-back's Zendesk (`baton.routing.writeback.Helpdesk`): one ticket update per write."""

    name: HelpdeskName = "zendesk"
    note_carries_assignment = True
    """The note's update sets the assignee too: a direct assignment is one request."""

    def __init__(self, secrets: SecretSource, http: HelpdeskHttp, *, subdomain: str | None = None) -> None:
        self._secrets = secrets
        self._http = http
        self._subdomain = subdomain

    def write_note(
        self, native_id: str, note: str, *, agent: str | None, team: str | None, deadline: float | None
    ) -> None:
        credentials = zendesk_credentials(self._secrets, self._subdomain)
        request = zendesk_update(credentials, native_id, note=note, agent=agent, group=team)
        self._http.send(request, deadline=deadline)

    def assign(self, native_id: str, *, agent: str | None, team: str | None, deadline: float | None) -> None:
        credentials = zendesk_credentials(self._secrets, self._subdomain)
        self._http.send(
            zendesk_update(credentials, native_id, note=None, agent=agent, group=team), deadline=deadline
        )


class IntercomDesk:
    """The write-back's Intercom: the note and the assignment are two requests (two conversation parts)."""

    name: HelpdeskName = "intercom"
    note_carries_assignment = False

    def __init__(
        self,
        secrets: SecretSource,
        http: HelpdeskHttp,
        *,
        base_url: str = DEFAULT_INTERCOM_URL,
        version: str = DEFAULT_INTERCOM_VERSION,
    ) -> None:
        self._secrets = secrets
        self._http = http
        self._base_url = base_url
        self._version = version

    def write_note(
        self, native_id: str, note: str, *, agent: str | None, team: str | None, deadline: float | None
    ) -> None:
        credentials = intercom_credentials(self._secrets)
        request = intercom_note(credentials, native_id, note, base_url=self._base_url, version=self._version)
        self._http.send(request, deadline=deadline)

    def assign(self, native_id: str, *, agent: str | None, team: str | None, deadline: float | None) -> None:
        credentials = intercom_credentials(self._secrets)
        request = intercom_assignment(
            credentials, native_id, agent=agent, team=team, base_url=self._base_url, version=self._version
        )
        self._http.send(request, deadline=deadline)


# ------------------------------------------------------------------------------------------ the note as HTML

_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_ITALIC = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_CODE = re.compile(r"`([^`\n]+)`")
_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^)\s]+)\)")
_HEADING = re.compile(r"^#{1,6}\s+")
_BULLET = re.compile(r"^\s*[-*+]\s+")


def _inline(text: str) -> str:
    """Markdown inline marks of an already escaped line: bold, italic, code, http(s) links."""
    text = _CODE.sub(r"<code>\1</code>", text)
    text = _LINK.sub(lambda m: f'<a href="{m.group(2)}">{m.group(1)}</a>', text)
    text = _BOLD.sub(r"<strong>\1</strong>", text)
    return _ITALIC.sub(r"<em>\1</em>", text)


def _line(raw: str) -> tuple[str, str]:
    """(kind, escaped inline HTML) of one Markdown line: blank, heading, item, quote or text."""
    line = raw.rstrip()
    if not line.strip():
        return "blank", ""
    for kind, mark in (("heading", _HEADING), ("item", _BULLET)):
        if mark.match(line):
            return kind, _inline(html.escape(mark.sub("", line), quote=True))
    if line.startswith(">"):
        return "quote", _inline(html.escape(line[1:].strip(), quote=True))
    return "text", _inline(html.escape(line, quote=True))


_BLOCKS: dict[str, Callable[[list[str]], str]] = {
    "heading": lambda lines: "".join(f"<p><strong>{line}</strong></p>" for line in lines),
    "item": lambda lines: "<ul>" + "".join(f"<li>{line}</li>" for line in lines) + "</ul>",
    "quote": lambda lines: "<blockquote>" + "<br>".join(lines) + "</blockquote>",
    "text": lambda lines: "<p>" + "<br>".join(lines) + "</p>",
    "blank": lambda lines: "",
}


def note_html(markdown: str) -> str:
    """The packet's Markdown note as the simple HTML both helpdesks render in an internal note: paragraphs,
    line breaks, headings (bold), bullet lists, quotes, bold, italic, code and links. Everything is escaped
    first: the note quotes the customer, whose text is never markup. Consecutive lines of a kind are one block
    (a paragraph, a list, a quote)."""
    lines = [_line(raw) for raw in markdown.replace("\r\n", "\n").split("\n")]
    return "".join(
        _BLOCKS[kind]([text for _, text in group])
        for kind, group in itertools.groupby(lines, key=lambda kl: kl[0])
    )
