"""The local API: an HTTP server on 127.0.0.1 that plays API Gateway (HTTP API, payload 2.0).

Each request becomes the event API Gateway would send, and the same Lambda handler answers it. As
the deployed API does, a request is matched against the routes first: only a request that matches a
protected route (method and path, `{param}` = one path segment) goes through the authorizer,
emulated with one bearer token (`Authorization: Bearer <token>`, otherwise 401 and the handler is
not called). Every other request reaches the handler, which answers its own 404 or 405 (deployed,
API Gateway answers an unmatched route itself with `{"message": "Not Found"}`).

As API Gateway:
- The path percent-decoded, in `rawPath` and `requestContext.http.path` alike (`gateway_path`): an HTTP API decodes
  the path before routing and invoking, so `/v1/conversations/zendesk%3A35436` reaches the handler as
  `zendesk:35436`, locally as deployed. Live captures of HTTP APIs (hotsock/voker, `vokerhttp/testdata/
  ingress-paths.json`) show the details kept here: it decodes twice (`%253A` is `:` too), a `?` the first decoding
  yields ends the path, and a path whose second decoding meets a `%` without two hex digits after it is refused
  (400). `%2F` becomes a `/`, so it separates segments. The query string is passed as sent (`rawQueryString`).
- Whatever the transport answers itself is JSON with the API's error shape (`baton.models.ErrorBody`:
  `{"error", "message", "errors": [{"field", "message"}]}`), never http.server's HTML pages: a malformed request
  line or version (400, 505), a method API Gateway does not route (501), a header section too large (431), a
  request line too long (414), a body too large (413), a bad `Content-Length` or `Transfer-Encoding` (400), a
  request not received in time (408), a handler that failed (500), a dependency down (503 from `/v1/health`).

Time limits: a connection waits `keep_alive_s` for its next request and is then closed; once a request's first byte
has arrived, its request line, headers and body must all arrive within `request_timeout_s` (10 s; the environment
variable BATON_LOCAL_REQUEST_TIMEOUT_S changes it), otherwise it is answered 408 and closed, which frees its thread:
a `Content-Length` larger than the body sent, or a client that stops sending, never holds a thread for longer.

Concurrency: each connection has its own thread (`ThreadingHTTPServer`), and the transport serialises nothing. The
ingest handler's module is not safe to call from two threads at once (its resolver and cached dependencies are
module state): `HandlerPool` gives each request a copy of its own, as Lambda gives each request a container.
Powertools' resolvers also keep the request they resolve in class attributes (`BaseRouter.current_event`) shared
by every copy in the process (a 202 naming another message was measured under load when they were shared): a pool
keeps them per thread (`baton.local.threads`).

`/v1/health` reports the local dependencies (`watch`): deployed, `GET /v1/health` is answered by the handler alone,
without touching DynamoDB (`baton.ingestion.entry`), and stays so: its cold start does not change. Locally the
transport checks DynamoDB Local (its process and its HTTP port) and the bus file before passing the request on, and
answers 503, naming each dependency that is down, when one is. A monitor thread checks every few seconds, so a
dependency that goes down is logged once at WARNING (and once more when it is back) whether or not anyone asks.

Access log: one line per request, `<UTC time> <client> "<METHOD> <path>" <status> <duration>ms`; the path as the
handler sees it, never the query string (it may hold personal data: `?email=`).

It also serves the support lead's console (`baton/console/`, static files) at `/console/`, with no token: the
page itself calls the API with the token (`docs/console.md`). Deployed, the same files are a static site.

Why the standard library's `http.server` and not a maintained server (werkzeug, uvicorn, waitress): the transport is
not what limits throughput. Measured on 2 cores (16 threaded clients posting messages for 20 s, the consumers
running, other work on the machine): one handler call at a time accepted 13-16 messages/s (8 concurrent copies
reached 43-46/s, but crossed answers, above); the consumers decide about 14 messages/s whatever the API accepts
(bench/README.md, "Load on `baton local`"). A POST spends about 8 ms of CPU here and 80-110 ms waiting on its
three DynamoDB Local calls. What this server must do that those
do not: answer malformed requests with the API's JSON error body (uvicorn's h11 and httptools protocols and
waitress answer them with fixed plain-text bodies; werkzeug's development server is http.server, with its HTML
pages), and bound how long a request may take to arrive (uvicorn has a keep-alive timeout, none for a request's
headers or body). `http.server` has the hooks for both (`send_error`, `handle_one_request`, the handler's
streams), adds no dependency to the tools, and every behaviour above is pinned by
tests/unit/local/test_local_server.py and tests/integration/test_local_faults.py.
"""

from __future__ import annotations

import base64
import hmac
import importlib
import importlib.util
import io
import json
import logging
import mimetypes
import os
import re
import secrets
import socket
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from http.client import HTTPConnection
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, unquote_to_bytes, urlsplit

from baton.local.bus import ACCOUNT, LocalLambdaContext

HOST = "127.0.0.1"  # never another interface: the local server has one shared token and no TLS
MAX_REQUEST_BYTES = 1024 * 1024
# A body over the limit but under this is read and discarded before the 413, so the client, still
# sending, reads the answer instead of a reset connection; a larger one is refused unread, and the
# connection closed.
MAX_DRAIN_BYTES = 8 * 1024 * 1024
# The listen backlog: http.server's default of 5 makes the kernel drop connections as soon as a few
# dozen clients connect at once. The kernel caps it at net.core.somaxconn (4096 on Linux >= 5.4).
REQUEST_QUEUE_SIZE = 128
REQUEST_TIMEOUT_S = 10.0
"""How long a request may take to arrive, from its first byte to the end of its body."""
REQUEST_TIMEOUT_ENV = "BATON_LOCAL_REQUEST_TIMEOUT_S"
KEEP_ALIVE_S = 60.0
"""How long an idle connection is kept for its next request (a load balancer's usual idle timeout)."""
MAX_REQUEST_LINE = 65536  # http.server's own limit (it answers 414 beyond it)
API_INSTANCES = 8
"""How many copies of the ingest handler serve requests at once (`HandlerPool`): as many warm Lambda containers.
Powertools' resolver keeps the request it is serving in class attributes shared by every copy in the process
(`BaseRouter.current_event`): a pool of more than one copy keeps them per thread first
(`baton.local.threads.requests_per_thread`), so that two copies resolving at once never read each other's request."""
HEALTH_PATH = (
    "/v1/health"  # baton.ingestion.entry.HEALTH_PATH (not imported: it would import Powertools here)
)
HEALTH_INTERVAL_S = 5.0
GATEWAY_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
"""The methods an API Gateway HTTP API routes; any other is answered 501 here."""
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+\Z")  # RFC 9110 `token`: what a method name may be
_DIGITS = re.compile(r"[0-9]+\Z")
_BAD_ESCAPE = re.compile(rb"%(?![0-9A-Fa-f]{2})")
_DRAIN_CHUNK = 64 * 1024
_READ_BUFFER = 64 * 1024
LOCAL_CLAIMS = {"sub": "baton-local", "iss": "baton-local", "client_id": "baton-local", "scope": "baton/api"}
# Hop-by-hop or recomputed headers: never copied from a handler's answer.
_SKIP_RESPONSE_HEADERS = {"content-length", "transfer-encoding", "connection"}
CONSOLE_PATH = "/console"
SIGNIN_PATH = CONSOLE_PATH + "/signin"
"""POST `{"code": ...}`: a sign-in link's one-time code for the API token (what the console page does with it)."""
SIGNIN_LINKS_PATH = CONSOLE_PATH + "/links"
"""POST with the API token: a new sign-in link (`baton console`)."""
SIGNIN_TTL_S = 3600.0
"""How long a sign-in link works if nobody opens it."""
# A console file's path below /console/: plain names only (no dot files, no `..`, no encoded characters).
_CONSOLE_FILE = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*\Z")
_CONSOLE_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    "": "text/plain; charset=utf-8",  # LICENSE
}
# The page loads nothing from elsewhere and talks to this server only. Deployed, the site's own headers apply.
CONSOLE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
# The machine-readable `error` of each status the transport answers itself.
_ERROR_CODES = {
    400: "bad_request",
    401: "unauthorized",
    404: "not_found",
    405: "method_not_allowed",
    408: "request_timeout",
    413: "payload_too_large",
    414: "uri_too_long",
    422: "validation_error",
    431: "request_header_fields_too_large",
    500: "internal_error",
    501: "not_implemented",
    503: "unavailable",
    505: "http_version_not_supported",
}

Invoke = Callable[[dict[str, Any], Any], Any]
logger = logging.getLogger("baton.local.server")


class PortInUse(OSError):
    def __init__(self, port: int) -> None:
        super().__init__(
            f"port {port} on {HOST} is already in use (another `baton local`?). "
            f"Stop that process or choose another port with --port."
        )
        self.port = port


class RequestTooLarge(Exception):
    def __init__(self, drained: bool) -> None:
        super().__init__("request body too large")
        self.drained = drained
        """True when the whole body was read: the connection can serve the next request."""


class TransportError(Exception):
    """A request the transport answers itself, with the API's error body."""

    def __init__(
        self,
        status: int,
        field: str,
        message: str,
        *,
        close: bool = True,
        headers: Sequence[tuple[str, str]] = (),
    ) -> None:
        super().__init__(message)
        self.status = status
        self.field = field
        self.message = message
        self.close = close
        """Close the connection after the answer (what is left of the request cannot be trusted)."""
        self.headers = tuple(headers)
        """Headers of the answer besides its Content-Type (`WWW-Authenticate`, `Cache-Control`)."""


def _error_body(error: str, message: str, errors: list[dict[str, str]] | None = None) -> bytes:
    # The shape of baton.models.ErrorBody, which every 4xx of the API has.
    return json.dumps({"error": error, "message": message, "errors": errors or []}).encode()


def _decode_strictly(raw: bytes) -> str:
    if _BAD_ESCAPE.search(raw):
        raise ValueError("a `%` in the path is not followed by two hex digits (write a literal `%` as %25)")
    try:
        return unquote_to_bytes(raw).decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("the path's percent-escapes are not UTF-8") from None


def gateway_path(raw_path: str) -> str:
    """The path an API Gateway HTTP API hands its Lambda for a request path as sent (ValueError when it refuses it):
    percent-decoded, a `?` that decoding yields ending it, then decoded once more (see the module's docstring)."""
    try:  # http.server reads the request line as Latin-1: back to the bytes sent, so unescaped UTF-8 decodes too
        sent = raw_path.encode("latin-1")
    except UnicodeEncodeError:  # a path given as text
        sent = raw_path.encode("utf-8")
    once = _decode_strictly(sent)
    return _decode_strictly(once.partition("?")[0].encode("utf-8"))


def request_target(target: str) -> tuple[str, str]:
    """(path, query string) of a request line's target, as sent (ValueError when it is no path)."""
    if target.startswith("/"):
        path, _, query = target.partition("?")
        return path, query
    if target.lower().startswith(("http://", "https://")):  # absolute-form, which a proxy client may send
        split = urlsplit(target)
        return split.path or "/", split.query
    raise ValueError("the request target must be a path beginning with `/`")


def log_path(path: str) -> str:
    """A path as the access log prints it: printable ASCII only, one field (no spaces), never a query string."""
    return quote(path, safe="/:@!$&'()*+,;=-._~#[]")


def _route_regex(path: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}/]+\})", path)
    return re.compile("".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts) + r"\Z")


class RouteSet:
    """(METHOD, path) pairs; a path may have `{param}` segments (each matches one non-empty segment)."""

    def __init__(self, routes: Iterable[tuple[str, str]]) -> None:
        self._routes = [(method.upper(), _route_regex(path)) for method, path in routes]

    def __contains__(self, item: tuple[str, str]) -> bool:
        method, path = item
        return any(m in (method.upper(), "ANY") and rx.match(path) for m, rx in self._routes)


def protected_routes(routes: Iterable[tuple[str, str]], public: Iterable[tuple[str, str]]) -> RouteSet:
    """The routes the deployed API puts behind its authorizer: every route that is not public."""
    public_set = {(method.upper(), path) for method, path in public}
    return RouteSet((method, path) for method, path in routes if (method.upper(), path) not in public_set)


# -- handler instances ----------------------------------------------------------------------------------


class HandlerPool:
    """A handler module's `lambda_handler` as up to `size` warm Lambda containers: each call takes an idle
    instance, or waits for one, so no instance ever serves two requests at once, and `size` requests run at once.

    The first instance is the module itself (`importlib.import_module`: what the banner reads, and what a test's
    `set_deps` reaches); the others are copies of its file imported under their own names (`<module>__2` ...), each
    with its own module-level state (its resolver, its cached dependencies). All are imported here, at start-up, as
    Lambda imports a module at INIT: an import later would re-run the module's logging set-up in the middle of
    serving. A copy costs little: about 1 MB, and its API is built by its first request (a cold start).
    """

    def __init__(self, module: str, size: int = API_INSTANCES, attribute: str = "lambda_handler") -> None:
        if size < 1:
            raise ValueError("a handler pool needs at least one instance")
        if size > 1:
            from baton.local.threads import requests_per_thread

            requests_per_thread()  # see API_INSTANCES
        first = importlib.import_module(module)
        self.module = module
        self.instances: list[Invoke] = [getattr(first, attribute)]
        origin = getattr(first, "__file__", None)
        if origin is None:
            raise ValueError(f"{module} has no file to import again")
        for index in range(2, size + 1):
            name = f"{module}__{index}"
            spec = importlib.util.spec_from_file_location(name, origin)
            assert spec is not None and spec.loader is not None
            copy = importlib.util.module_from_spec(spec)
            sys.modules[name] = copy  # as an import would: tracebacks and pickling find it
            spec.loader.exec_module(copy)
            self.instances.append(getattr(copy, attribute))
        self._idle = list(reversed(self.instances))
        self._available = threading.Condition()

    def __call__(self, event: dict[str, Any], context: Any) -> Any:
        with self._available:
            while not self._idle:
                self._available.wait()
            instance = self._idle.pop()  # the most recently used: the warmest
        try:
            return instance(event, context)
        finally:
            with self._available:
                self._idle.append(instance)
                self._available.notify()


# -- dependencies and /v1/health ------------------------------------------------------------------------


@dataclass(frozen=True)
class Dependency:
    """Something the local API needs that can go away under it: `check()` says why it is down, or None."""

    name: str
    """How a person calls it (`DynamoDB Local`)."""
    field: str
    """Its key in the 503's `errors[].field` (`dynamodb`)."""
    check: Callable[[], str | None]


def endpoint_check(
    url: str, *, process: Callable[[], Any] | None = None, timeout_s: float = 1.0
) -> Callable[[], str | None]:
    """Down when `process()` (a `subprocess.Popen`, or None once stopped) has exited, or when nothing answers HTTP
    at `url` within `timeout_s` (any answer at all is up: the server is serving)."""
    split = urlsplit(url)
    host, port = split.hostname or HOST, split.port or 80

    def check() -> str | None:
        if process is not None:
            proc = process()
            if proc is None:
                return "it is stopped"
            code = proc.poll()
            if code is not None:
                return f"its process exited with code {code}"
        connection = HTTPConnection(host, port, timeout=timeout_s)
        try:
            connection.request("GET", "/")
            connection.getresponse().read()
        except TimeoutError:
            return f"{url} did not answer within {timeout_s:g} s"
        except OSError as exc:
            return f"{url} does not answer ({exc.strerror or type(exc).__name__})"
        finally:
            connection.close()
        return None

    return check


def file_check(path: Path) -> Callable[[], str | None]:
    """Down when the file is missing, or it or its directory is not writable (SQLite writes beside it)."""

    def check() -> str | None:
        if not path.is_file():
            return f"{path} is missing"
        if not os.access(path, os.R_OK | os.W_OK) or not os.access(path.parent, os.W_OK):
            return f"{path} or its directory is not writable"
        return None

    return check


def local_dependencies(dynamodb: Any, bus_file: Path) -> list[Dependency]:
    """What `baton local`'s API needs: its DynamoDB Local (`baton.local.dynamodb_local.DynamoDBLocal`) and the
    bus file."""
    return [
        Dependency(
            "DynamoDB Local", "dynamodb", endpoint_check(dynamodb.endpoint, process=lambda: dynamodb.process)
        ),
        Dependency("the bus file", "bus", file_check(bus_file)),
    ]


class HealthMonitor:
    """Checks the dependencies (on demand and every `interval_s` from a thread) and logs each change once: a
    dependency that goes down at WARNING, with why; its coming back at WARNING too."""

    def __init__(self, dependencies: Sequence[Dependency], interval_s: float = HEALTH_INTERVAL_S) -> None:
        self.dependencies = list(dependencies)
        self.interval_s = interval_s
        self._down: dict[str, str] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def check(self) -> list[tuple[Dependency, str]]:
        """The dependencies that are down now, each with why."""
        down: list[tuple[Dependency, str]] = []
        for dependency in self.dependencies:
            try:
                why = dependency.check()
            except Exception as exc:  # a check that fails says the dependency is in trouble
                why = f"its check failed: {type(exc).__name__}: {exc}"
            if why:
                down.append((dependency, why))
        self._record(down)
        return down

    def _record(self, down: list[tuple[Dependency, str]]) -> None:
        now_down = {dependency.name: why for dependency, why in down}
        with self._lock:
            went_down = [(name, why) for name, why in now_down.items() if name not in self._down]
            came_back = [name for name in self._down if name not in now_down]
            self._down = now_down
        for name, why in went_down:
            logger.warning(
                "%s is down: %s. /v1/health answers 503 until it is back",
                name,
                why,
                extra={"dependency": name, "reason": why},
            )
        for name in came_back:
            logger.warning("%s is back", name, extra={"dependency": name})

    def start(self) -> None:
        if self._thread is None and self.dependencies:
            self._thread = threading.Thread(target=self._run, name="baton-api-health", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            self.check()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None


# -- the HTTP API event ---------------------------------------------------------------------------------


class _HttpServer(ThreadingHTTPServer):
    request_queue_size = REQUEST_QUEUE_SIZE  # read by server_activate(), in the constructor
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that went away mid-request is not a server fault; anything else is a bug worth its traceback.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def http_api_event(
    *,
    method: str,
    raw_path: str,
    raw_query: str,
    headers: Iterable[tuple[str, str]],
    body: bytes,
    source_ip: str,
    protocol: str = "HTTP/1.1",
    claims: Mapping[str, str] | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The API Gateway HTTP API payload 2.0 event for one request (`raw_path` already decoded: `gateway_path`).

    `pathParameters` is left out: with the `$default` route there are none, and the handler's
    resolver routes on rawPath.
    """
    now = now or datetime.now(UTC)
    merged: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in headers:
        key = name.lower()
        if key == "cookie":
            cookies += [c.strip() for c in value.split(";") if c.strip()]
            continue
        merged[key] = f"{merged[key]},{value}" if key in merged else value
    merged.setdefault("x-forwarded-for", source_ip)
    merged.setdefault("x-forwarded-proto", "http")
    query: dict[str, str] = {}
    for key, value in parse_qsl(raw_query, keep_blank_values=True):
        query[key] = f"{query[key]},{value}" if key in query else value
    domain = merged.get("host", HOST)
    request_context: dict[str, Any] = {
        "accountId": ACCOUNT,
        "apiId": "local",
        "domainName": domain,
        "domainPrefix": domain.split(".")[0].split(":")[0],
        "http": {
            "method": method,
            "path": raw_path,
            "protocol": protocol,
            "sourceIp": source_ip,
            "userAgent": merged.get("user-agent", ""),
        },
        "requestId": base64.b64encode(uuid.uuid4().bytes[:12]).decode(),
        "routeKey": "$default",
        "stage": "$default",
        "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
        "timeEpoch": int(now.timestamp() * 1000),
    }
    if claims is not None:
        request_context["authorizer"] = {"jwt": {"claims": dict(claims), "scopes": None}}
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": raw_path,
        "rawQueryString": raw_query,
        "headers": merged,
        "requestContext": request_context,
        "isBase64Encoded": False,
    }
    if cookies:
        event["cookies"] = cookies
    if query:
        event["queryStringParameters"] = query
    if body:
        try:
            event["body"] = body.decode("utf-8")
        except UnicodeDecodeError:
            event["body"] = base64.b64encode(body).decode()
            event["isBase64Encoded"] = True
    return event


def lambda_response(result: Any) -> tuple[int, list[tuple[str, str]], bytes]:
    """Status, headers and body from a payload 2.0 answer (ValueError when it is malformed)."""
    if not isinstance(result, Mapping) or "statusCode" not in result:
        # API Gateway's inference: a JSON answer without statusCode is a 200 with that JSON as body.
        return 200, [("Content-Type", "application/json")], json.dumps(result).encode()
    status = result["statusCode"]
    if not isinstance(status, int) or not 100 <= status <= 599:
        raise ValueError(f"statusCode {status!r} is not an HTTP status")
    headers = [
        (str(k), str(v))
        for k, v in (result.get("headers") or {}).items()
        if str(k).lower() not in _SKIP_RESPONSE_HEADERS
    ]
    for name, values in (result.get("multiValueHeaders") or {}).items():
        if str(name).lower() not in _SKIP_RESPONSE_HEADERS:
            headers += [(str(name), str(v)) for v in values]
    headers += [("Set-Cookie", str(cookie)) for cookie in result.get("cookies") or []]
    raw = result.get("body")
    if raw is None:
        body = b""
    elif result.get("isBase64Encoded"):
        body = base64.b64decode(raw)
    else:
        body = (raw if isinstance(raw, str) else json.dumps(raw)).encode()
    return status, headers, body


# -- the connection -------------------------------------------------------------------------------------


class _DeadlineReader(io.RawIOBase):
    """The socket's input with a deadline for all reads together (a socket timeout bounds each read alone, so a
    client sending a byte now and then would never time out)."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self.deadline = float("inf")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the request did not arrive in time")
        self._sock.settimeout(min(left, 3600.0))
        return self._sock.recv_into(buffer)


class _Request(BaseHTTPRequestHandler):
    """One connection: requests read with deadlines, answered by `LocalApiServer.handle`, logged once each."""

    protocol_version = "HTTP/1.1"
    server_version = "BatonLocal"
    sys_version = ""
    disable_nagle_algorithm = True  # an answer is written at once; never held back for the client's ACK
    wbufsize = _READ_BUFFER  # headers and body leave in one write (flushed per answer)
    api: LocalApiServer  # set on the subclass each server makes

    status: int | None = None
    """The status answered to the current request (None: nothing answered yet)."""

    def setup(self) -> None:
        super().setup()
        self.reader = _DeadlineReader(self.connection)
        self.input = io.BufferedReader(self.reader, _READ_BUFFER)
        unbounded, self.rfile = self.rfile, self.input
        unbounded.close()

    def handle_one_request(self) -> None:
        self.status = None
        self.raw_requestline = b""
        self.command, self.path, self.request_version = "", "", "HTTP/1.1"
        self.reading = "request line"
        self.close_connection = True
        # Wait for the next request: an idle connection is closed quietly after keep_alive_s.
        self.reader.deadline = time.monotonic() + self.api.keep_alive_s
        try:
            if not self.input.peek(1):
                return
        except OSError:  # TimeoutError included: idle too long, or the client went away
            return
        started = time.monotonic()
        self.reader.deadline = started + self.api.request_timeout_s
        try:
            self._serve()
        except TimeoutError:
            self.close_connection = True
            if self.status is None:
                self.api.send_error(
                    self,
                    TransportError(
                        408,
                        self.reading,
                        f"the request did not arrive within {self.api.request_timeout_s:g} s "
                        "(a Content-Length larger than the body sent?)",
                    ),
                )
        except ConnectionError:
            self.close_connection = True
        finally:
            self.api.log_request(self, started)

    def _serve(self) -> None:
        self.raw_requestline = self.rfile.readline(MAX_REQUEST_LINE + 1)
        if len(self.raw_requestline) > MAX_REQUEST_LINE:
            self.request_version = "HTTP/1.1"
            self.api.send_error(
                self,
                TransportError(414, "request line", f"the request line is over {MAX_REQUEST_LINE} bytes"),
            )
            return
        if not self.raw_requestline:
            return
        self.reading = "headers"
        if not self.parse_request():  # it answered through send_error
            return
        self.reading = "body"
        if self.request_version == "HTTP/0.9":
            self.api.send_error(
                self, TransportError(400, "request line", "HTTP/0.9 is not served: use HTTP/1.1")
            )
            return
        if not _TOKEN.match(self.command):
            self.api.send_error(self, TransportError(400, "request line", "the method is not an HTTP token"))
            return
        if self.command not in GATEWAY_METHODS:
            served = ", ".join(sorted(GATEWAY_METHODS))
            self.api.send_error(
                self,
                TransportError(
                    501, "method", f"{self.command} is not a method an API Gateway HTTP API routes: {served}"
                ),
            )
            return
        self.api.handle(self)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own refusals (parse_request: request line, version, headers), in the API's JSON shape."""
        # Its own messages quote the request line (query string included): the answer says what is wrong instead.
        text = (message or "").lower()
        if code == 431:
            why = "a header line is too long" if "too long" in text else "there are too many headers"
            error = TransportError(431, "headers", f"the request's header section is too large: {why}")
        elif code == 505:
            error = TransportError(505, "request line", "the HTTP version is not served: use HTTP/1.1")
        elif code == 400 and "version" in text:
            error = TransportError(400, "request line", "the request line's HTTP version is malformed")
        elif code == 400:
            error = TransportError(400, "request line", "the request line is not `METHOD /path HTTP/1.1`")
        else:
            error = TransportError(code, "request", _phrase(code))
        self.api.send_error(self, error)

    def handle_expect_100(self) -> bool:
        # A client that asks before sending a body too large gets the 413 instead of a 100, and never sends it.
        if self.api.refuse_before_body(self):
            return False
        super().handle_expect_100()
        self.wfile.flush()
        return True

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass  # LocalApiServer.log_request logs each request once, with its duration

    def log_message(self, format: str, *args: Any) -> None:
        pass  # http.server's own messages would quote the request line, query string included


def _phrase(status: int) -> str:
    return HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else ""


class SignInCodes:
    """One-time codes that sign a browser tab in to the console without the API token ever being printed or
    logged: the banner (and `baton console`) prints a link carrying a code; the page trades it for the token once
    (`POST /console/signin`). A code works once, and for `ttl_s` if unused; a printed, used or expired one is
    worthless to whoever reads the log later."""

    def __init__(self, ttl_s: float = SIGNIN_TTL_S, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl_s = ttl_s
        self.clock = clock
        self._expiry: dict[str, float] = {}
        self._lock = threading.Lock()

    def issue(self) -> str:
        code = secrets.token_urlsafe(18)
        with self._lock:
            now = self.clock()
            self._expiry = {c: t for c, t in self._expiry.items() if t > now}  # forget the expired ones
            self._expiry[code] = now + self.ttl_s
        return code

    def redeem(self, code: str) -> bool:
        """True once per issued code, within its lifetime."""
        with self._lock:
            expires = self._expiry.pop(code, None)
        return expires is not None and expires > self.clock()


class LocalApiServer:
    """Serve `invoke` (a payload 2.0 Lambda handler, or a `HandlerPool` of them) on http://127.0.0.1:<port>."""

    def __init__(
        self,
        invoke: Invoke,
        *,
        token: str,
        protected_routes: Iterable[tuple[str, str]] | RouteSet,
        port: int = 8787,
        function_name: str = "baton-local-ingest-api",
        timeout_s: float = 29,
        memory_mb: int = 512,
        max_request_bytes: int = MAX_REQUEST_BYTES,
        max_drain_bytes: int = MAX_DRAIN_BYTES,
        request_timeout_s: float | None = None,
        keep_alive_s: float = KEEP_ALIVE_S,
        log: Callable[[str], None] | None = None,
        console_dir: Path | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        if not token:
            raise ValueError("an API token is required")
        self.invoke = invoke
        """Called from many threads at once: a handler that is not safe so goes behind a `HandlerPool`."""
        self.console_dir = console_dir.resolve() if console_dir is not None else None
        """The console's static files, served at /console/ (None: no console)."""
        self.token = token
        self.protected_routes = (
            protected_routes if isinstance(protected_routes, RouteSet) else RouteSet(protected_routes)
        )
        self.function_name = function_name
        self.timeout_s = timeout_s
        self.memory_mb = memory_mb
        self.max_request_bytes = max_request_bytes
        self.max_drain_bytes = max(max_drain_bytes, max_request_bytes)
        self.request_timeout_s = (
            request_timeout_s if request_timeout_s is not None else _timeout_from_environment()
        )
        self.keep_alive_s = keep_alive_s
        self.log = log or (lambda line: print(line, file=sys.stderr, flush=True))
        self.clock = clock or (lambda: datetime.now(UTC))
        self.health: HealthMonitor | None = None
        self.health_path = HEALTH_PATH
        self.signin_codes = SignInCodes()
        try:
            self.httpd = _HttpServer((HOST, port), self._request_class())
        except OSError as exc:
            if exc.errno in (98, 48, 10048):  # EADDRINUSE on Linux, macOS, Windows
                raise PortInUse(port) from exc
            raise
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def console_url(self) -> str | None:
        """The console's address (None when this server has no console)."""
        if self.console_dir is None:
            return None
        return f"{self.url}{CONSOLE_PATH}/"

    def signin_url(self) -> str | None:
        """A console link that signs one browser tab in, once (`SignInCodes`); None without a console."""
        url = self.console_url()
        return None if url is None else f"{url}#signin={self.signin_codes.issue()}"

    def watch(self, dependencies: Sequence[Dependency], interval_s: float = HEALTH_INTERVAL_S) -> None:
        """Check `dependencies` for `GET /v1/health` (503 when one is down) and every `interval_s`, logging changes.
        Call before `start()`."""
        self.health = HealthMonitor(dependencies, interval_s)

    def start(self) -> LocalApiServer:
        # A short poll interval: shutdown() waits for the serving loop's next poll.
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="baton-api", daemon=True
        )
        self._thread.start()
        if self.health is not None:
            self.health.start()
        return self

    def stop(self) -> None:
        if self.health is not None:
            self.health.stop()
        if self._thread is not None:
            self.httpd.shutdown()
            self._thread.join(timeout=10)
            self._thread = None
        self.httpd.server_close()

    def needs_token(self, method: str, path: str) -> bool:
        """Whether the request matches a protected route (what the deployed authorizer guards)."""
        return (method, path) in self.protected_routes

    def authorize(self, method: str, path: str, authorization: str | None) -> tuple[bool, str]:
        """(allowed, why not) for one request, as the deployed API decides: route first, then token."""
        if not self.needs_token(method, path):
            return True, ""
        return self._check_bearer(authorization)

    def _check_bearer(self, authorization: str | None) -> tuple[bool, str]:
        if not authorization:
            return False, "missing Authorization header: send `Authorization: Bearer <token>`"
        scheme, _, credentials = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not credentials.strip():
            return False, "the Authorization header must be `Bearer <token>`"
        if not hmac.compare_digest(credentials.strip().encode(), self.token.encode()):
            return False, "the bearer token is not valid"
        return True, ""

    def _request_class(self) -> type[_Request]:
        return type("Request", (_Request,), {"api": self})

    # -- one request

    def handle(self, request: _Request) -> int:
        try:
            return self._handle(request)
        except TransportError as error:
            return self.send_error(request, error)

    def _handle(self, request: _Request) -> int:
        try:
            raw_path, raw_query = request_target(request.path)
        except ValueError as exc:
            raise TransportError(400, "request line", str(exc)) from None
        try:
            body = self._read_body(request)
        except RequestTooLarge as too_large:
            if not too_large.drained:
                request.close_connection = True  # the unread body must not be taken for the next request
            return self._send_too_large(request)
        if self.serves_console(request.command, raw_path):
            return self._send_console_file(request, raw_path, raw_query)
        if self.console_dir is not None and raw_path in (SIGNIN_PATH, SIGNIN_LINKS_PATH):
            return self._sign_in(request, raw_path, body)
        try:
            path = gateway_path(raw_path)
        except ValueError as exc:
            raise TransportError(400, "path", str(exc), close=False) from None
        if self.health is not None and request.command == "GET" and path == self.health_path:
            down = self.health.check()
            if down:
                return self._send_unavailable(request, down)
        allowed, why = self.authorize(request.command, path, request.headers.get("Authorization"))
        if not allowed:
            raise TransportError(
                401, "Authorization", why, close=False, headers=[("WWW-Authenticate", "Bearer")]
            )
        event = http_api_event(
            method=request.command,
            raw_path=path,
            raw_query=raw_query,
            headers=request.headers.items(),
            body=body,
            source_ip=request.client_address[0],
            protocol=request.request_version,
            claims=LOCAL_CLAIMS if self.needs_token(request.command, path) else None,
        )
        context = LocalLambdaContext(self.function_name, self.timeout_s, self.memory_mb)
        try:
            status, headers, payload = lambda_response(self.invoke(event, context))
        except Exception:
            self.log("the handler failed:\n" + traceback.format_exc())
            raise TransportError(
                500, "handler", "the handler failed; see the `baton local` output", close=False
            ) from None
        return self._send(request, status, headers, payload)

    def serves_console(self, method: str, path: str) -> bool:
        """Whether the request is for the console's static files (GET or HEAD under /console)."""
        return (
            self.console_dir is not None
            and method in ("GET", "HEAD")
            and (path == CONSOLE_PATH or path.startswith(CONSOLE_PATH + "/"))
        )

    def _sign_in(self, request: _Request, path: str, body: bytes) -> int:
        """`POST /console/signin` trades a link's code for the token; `POST /console/links` (with the token) makes
        a new link. Answers are never cached and never logged with their body."""
        no_store = [("Cache-Control", "no-store")]
        if request.command != "POST":
            raise TransportError(405, "method", f"{path} takes POST", close=False)
        if path == SIGNIN_LINKS_PATH:
            allowed, why = self._check_bearer(request.headers.get("Authorization"))
            if not allowed:
                raise TransportError(
                    401,
                    "Authorization",
                    why,
                    close=False,
                    headers=[*no_store, ("WWW-Authenticate", "Bearer")],
                )
            answer = json.dumps({"url": self.signin_url()}).encode()
            return self._send(request, 201, [("Content-Type", "application/json"), *no_store], answer)
        try:
            code = json.loads(body or b"null").get("code")
        except (ValueError, AttributeError):
            code = None
        if not isinstance(code, str) or not code:
            why = 'send {"code": "<the code after #signin= in the link>"}'
            raise TransportError(422, "code", why, close=False, headers=no_store)
        if not self.signin_codes.redeem(code):
            why = "this sign-in link was used already or has expired: run `baton console` for a new one"
            raise TransportError(401, "code", why, close=False, headers=no_store)
        answer = json.dumps({"token": self.token}).encode()
        return self._send(request, 200, [("Content-Type", "application/json"), *no_store], answer)

    def console_file(self, path: str) -> Path | None:
        """The file a /console/... path names, or None (no such file, or a name outside the console)."""
        if self.console_dir is None:
            return None
        relative = path.removeprefix(CONSOLE_PATH + "/") or "index.html"
        if not _CONSOLE_FILE.match(relative):
            return None
        file = (self.console_dir / relative).resolve()
        if not file.is_relative_to(self.console_dir) or not file.is_file():
            return None
        return file

    def _send_console_file(self, request: _Request, path: str, query: str) -> int:
        if path == CONSOLE_PATH:
            # Relative asset URLs resolve against /console/; the browser keeps the #token fragment.
            location = CONSOLE_PATH + "/" + (f"?{query}" if query else "")
            return self._send(request, 308, [("Location", location), ("Content-Type", "text/plain")], b"")
        file = self.console_file(path)
        if file is None:
            return self.send_error(
                request, TransportError(404, "path", f"no console file at {log_path(path)}", close=False)
            )
        content_type = _CONSOLE_TYPES.get(file.suffix) or mimetypes.guess_type(file.name)[0]
        headers = [
            ("Content-Type", content_type or "application/octet-stream"),
            ("Cache-Control", "no-cache"),
            ("X-Content-Type-Options", "nosniff"),
            ("Referrer-Policy", "no-referrer"),
        ]
        if file.suffix == ".html":
            headers += [("Content-Security-Policy", CONSOLE_CSP), ("X-Frame-Options", "DENY")]
        return self._send(request, 200, headers, file.read_bytes())

    def _send_unavailable(self, request: _Request, down: list[tuple[Dependency, str]]) -> int:
        message = "; ".join(f"{dependency.name} is down: {why}" for dependency, why in down)
        return self._send(
            request,
            503,
            [("Content-Type", "application/json"), ("Retry-After", str(max(1, round(HEALTH_INTERVAL_S))))],
            _error_body(
                "unavailable",
                message,
                [
                    {"field": dependency.field, "message": f"{dependency.name} is down: {why}"}
                    for dependency, why in down
                ],
            ),
        )

    def refuse_before_body(self, request: _Request) -> bool:
        """Answer 413 (and close) to a request that announces a body over the limit; False otherwise."""
        try:
            length = int(request.headers.get("Content-Length", ""))
        except ValueError:
            return False  # no or a bad Content-Length: the normal path answers it
        if length <= self.max_request_bytes:
            return False
        request.close_connection = True
        self._send_too_large(request)
        return True

    def _send_too_large(self, request: _Request) -> int:
        return self._send(
            request,
            413,
            [("Content-Type", "application/json")],
            _error_body(
                "payload_too_large",
                f"the request body is larger than {self.max_request_bytes} bytes",
                [{"field": "body", "message": f"at most {self.max_request_bytes} bytes"}],
            ),
        )

    def _read_body(self, request: _Request) -> bytes:
        lengths = request.headers.get_all("Content-Length") or []
        encodings = request.headers.get_all("Transfer-Encoding") or []
        if encodings:
            if lengths:  # RFC 9112 6.3: the two disagree on where the body ends; never guess
                raise TransportError(
                    400, "Content-Length", "send Content-Length or Transfer-Encoding, not both"
                )
            codings = [c.strip().lower() for c in ",".join(encodings).split(",") if c.strip()]
            if not codings or codings[-1] != "chunked":
                raise TransportError(400, "Transfer-Encoding", "the last transfer coding must be `chunked`")
            if codings != ["chunked"]:
                raise TransportError(501, "Transfer-Encoding", "only the `chunked` transfer coding is served")
            return self._read_chunked(request)
        if not lengths:
            return b""
        values = {value.strip() for value in ",".join(lengths).split(",")}
        if len(values) != 1 or not _DIGITS.match(next(iter(values))):
            raise TransportError(400, "Content-Length", "Content-Length is not one non-negative number")
        length = int(values.pop())
        if length > self.max_request_bytes:
            raise RequestTooLarge(drained=length <= self.max_drain_bytes and _discard(request, length))
        body = request.rfile.read(length)
        if len(body) < length:
            raise TransportError(400, "body", f"the body ended after {len(body)} of its {length} bytes")
        return body

    def _read_chunked(self, request: _Request) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            line = request.rfile.readline(1024).strip()
            try:
                size = int(line.split(b";")[0], 16)
            except ValueError:
                raise TransportError(400, "body", "malformed chunked body") from None
            if size < 0:
                raise TransportError(400, "body", "malformed chunked body")
            if size == 0:
                while request.rfile.readline(1024).strip():  # trailers
                    pass
                if total > self.max_request_bytes:
                    raise RequestTooLarge(drained=True)
                return b"".join(chunks)
            total += size
            if total > self.max_drain_bytes:
                raise RequestTooLarge(drained=False)
            if total > self.max_request_bytes:
                # Keep reading (up to the drain cap) so the client can finish sending and read the 413.
                chunks.clear()
                if not _discard(request, size):
                    raise RequestTooLarge(drained=False)
            else:
                chunk = request.rfile.read(size)
                if len(chunk) < size:
                    raise TransportError(400, "body", "the chunked body ended in the middle of a chunk")
                chunks.append(chunk)
            request.rfile.readline(1024)

    def send_error(self, request: _Request, error: TransportError) -> int:
        """Answer a request the transport refuses, with the API's error body."""
        if error.close:
            request.close_connection = True
        return self._send(
            request,
            error.status,
            [("Content-Type", "application/json"), *error.headers],
            _error_body(
                _ERROR_CODES.get(error.status, "error"),
                error.message,
                [{"field": error.field, "message": error.message}],
            ),
        )

    def _send(self, request: _Request, status: int, headers: list[tuple[str, str]], body: bytes) -> int:
        request.status = status
        try:
            if request.request_version == "HTTP/0.9":
                request.request_version = (
                    "HTTP/1.0"  # an answer with its status line and headers, whatever was sent
                )
            # The socket's timeout was the read deadline's: a slow reader of the answer gets its own.
            request.connection.settimeout(self.request_timeout_s)
            request.send_response(status, _phrase(status))
            for name, value in headers:
                request.send_header(name, value)
            request.send_header("Content-Length", str(len(body)))
            if request.close_connection:
                request.send_header("Connection", "close")
            request.end_headers()
            if request.command != "HEAD":
                request.wfile.write(body)
            request.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            request.close_connection = True
        return status

    def log_request(self, request: _Request, started: float) -> None:
        """The access-log line of one request: time, client, method and path (never the query string), status and
        duration."""
        method = request.command if _TOKEN.match(request.command or "") else "-"
        path = "-"
        if request.path:
            try:
                path = log_path(gateway_path(request_target(request.path)[0]))
            except ValueError:
                path = log_path(request.path.partition("?")[0].split("%3F")[0].split("%3f")[0])
        at = self.clock().astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        self.log(
            f'{at} {request.client_address[0]} "{method} {path}" {request.status or "-"} '
            f"{(time.monotonic() - started) * 1000:.0f}ms"
        )


def _discard(request: _Request, length: int) -> bool:
    """Read and drop `length` bytes of the body; False when the client stopped sending first."""
    left = length
    while left > 0:
        chunk = request.rfile.read(min(left, _DRAIN_CHUNK))
        if not chunk:
            return False
        left -= len(chunk)
    return True


def _timeout_from_environment() -> float:
    text = os.environ.get(REQUEST_TIMEOUT_ENV, "")
    if not text:
        return REQUEST_TIMEOUT_S
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 0 < value <= 3600:
        raise ValueError(
            f"{REQUEST_TIMEOUT_ENV} must be a number of seconds between 0 and 3600, not {text!r}"
        )
    return value
