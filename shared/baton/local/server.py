"""The local API: an HTTP server on 127.0.0.1 that plays API Gateway (HTTP API, payload 2.0).

Each request becomes the event API Gateway would send, and the same Lambda handler answers it. As
the deployed API does, a request is matched against the routes first: only a request that matches a
protected route (method and path, `{param}` = one path segment) goes through the authorizer,
emulated with one bearer token (`Authorization: Bearer <token>`, otherwise 401 and the handler is
not called). Every other request reaches the handler, which answers its own 404 or 405 (deployed,
API Gateway answers an unmatched route itself with `{"message": "Not Found"}`).

It also serves the support lead's console (`baton/console/`, static files) at `/console/`, with no token: the
page itself calls the API with the token (`docs/console.md`). Deployed, the same files are a static site.
"""

from __future__ import annotations

import base64
import hmac
import json
import mimetypes
import re
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

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
_DRAIN_CHUNK = 64 * 1024
LOCAL_CLAIMS = {"sub": "baton-local", "iss": "baton-local", "client_id": "baton-local", "scope": "baton/api"}
# Hop-by-hop or recomputed headers: never copied from a handler's answer.
_SKIP_RESPONSE_HEADERS = {"content-length", "transfer-encoding", "connection"}
CONSOLE_PATH = "/console"
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

Invoke = Callable[[dict[str, Any], Any], Any]


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


def _error_body(error: str, message: str, errors: list[dict[str, str]] | None = None) -> bytes:
    # The shape of baton.models.ErrorBody, which every 4xx of the API has.
    return json.dumps({"error": error, "message": message, "errors": errors or []}).encode()


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


class _HttpServer(ThreadingHTTPServer):
    request_queue_size = REQUEST_QUEUE_SIZE  # read by server_activate(), in the constructor
    daemon_threads = True


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
    """The API Gateway HTTP API payload 2.0 event for one request.

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


class LocalApiServer:
    """Serve `invoke` (a payload 2.0 Lambda handler) on http://127.0.0.1:<port>."""

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
        log: Callable[[str], None] | None = None,
        console_dir: Path | None = None,
    ) -> None:
        if not token:
            raise ValueError("an API token is required")
        self.invoke = invoke
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
        self.log = log or (lambda line: print(line, file=sys.stderr, flush=True))
        # One invocation at a time, like one warm Lambda container: Powertools' resolver keeps the
        # current event on a module-level object.
        self.invoke_lock = threading.Lock()
        try:
            self.httpd = _HttpServer((HOST, port), self._handler_class())
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

    def console_url(self, token: str | None = None) -> str | None:
        """The console's address; with `token`, the one that signs a browser in (the page moves the token from
        the address to the tab's session storage). None when this server has no console."""
        if self.console_dir is None:
            return None
        return f"{self.url}{CONSOLE_PATH}/" + (f"#token={token}" if token else "")

    def start(self) -> LocalApiServer:
        # A short poll interval: shutdown() waits for the serving loop's next poll.
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="baton-api", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
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
        if not authorization:
            return False, "missing Authorization header: send `Authorization: Bearer <token>`"
        scheme, _, credentials = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not credentials.strip():
            return False, "the Authorization header must be `Bearer <token>`"
        if not hmac.compare_digest(credentials.strip().encode(), self.token.encode()):
            return False, "the bearer token is not valid"
        return True, ""

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            server_version = "BatonLocal"
            sys_version = ""

            def _any(self) -> None:
                started = time.monotonic()
                status = server.handle(self)
                server.log(
                    f'{self.client_address[0]} "{self.command} {self.path}" {status} '
                    f"{(time.monotonic() - started) * 1000:.0f}ms"
                )

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _any

            def handle_expect_100(self) -> bool:
                # A client that asks before sending a body too large gets the 413 instead of a 100,
                # and never sends it.
                started = time.monotonic()
                status = server.refuse_before_body(self)
                if status is None:
                    return super().handle_expect_100()
                server.log(
                    f'{self.client_address[0]} "{self.command} {self.path}" {status} '
                    f"{(time.monotonic() - started) * 1000:.0f}ms"
                )
                return False

            def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
                pass  # _any logs each request once, with its duration

            def log_message(self, format: str, *args: Any) -> None:
                # Errors from http.server itself (bad request lines); requests are logged by _any.
                server.log(f"{self.client_address[0]} {format % args}")

        return Handler

    # -- one request

    def handle(self, request: BaseHTTPRequestHandler) -> int:
        split = urlsplit(request.path)
        raw_path, raw_query = split.path or "/", split.query
        try:
            body = self._read_body(request)
        except RequestTooLarge as too_large:
            if not too_large.drained:
                request.close_connection = True  # the unread body must not be taken for the next request
            return self._send_too_large(request)
        except ValueError as exc:
            request.close_connection = True
            return self._send(
                request,
                400,
                [("Content-Type", "application/json")],
                _error_body("bad_request", str(exc), [{"field": "Content-Length", "message": str(exc)}]),
            )
        if self.serves_console(request.command, raw_path):
            return self._send_console_file(request, raw_path, raw_query)
        allowed, why = self.authorize(request.command, raw_path, request.headers.get("Authorization"))
        if not allowed:
            return self._send(
                request,
                401,
                [("Content-Type", "application/json"), ("WWW-Authenticate", "Bearer")],
                _error_body("unauthorized", why, [{"field": "Authorization", "message": why}]),
            )
        protected = self.needs_token(request.command, raw_path)
        event = http_api_event(
            method=request.command,
            raw_path=raw_path,
            raw_query=raw_query,
            headers=request.headers.items(),
            body=body,
            source_ip=request.client_address[0],
            protocol=request.request_version,
            claims=LOCAL_CLAIMS if protected else None,
        )
        context = LocalLambdaContext(self.function_name, self.timeout_s, self.memory_mb)
        try:
            with self.invoke_lock:
                result = self.invoke(event, context)
            status, headers, payload = lambda_response(result)
        except Exception:
            self.log("the handler failed:\n" + traceback.format_exc())
            return self._send(
                request,
                500,
                [("Content-Type", "application/json")],
                _error_body("internal_error", "the handler failed; see the `baton local` output"),
            )
        return self._send(request, status, headers, payload)

    def serves_console(self, method: str, path: str) -> bool:
        """Whether the request is for the console's static files (GET or HEAD under /console)."""
        return (
            self.console_dir is not None
            and method in ("GET", "HEAD")
            and (path == CONSOLE_PATH or path.startswith(CONSOLE_PATH + "/"))
        )

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

    def _send_console_file(self, request: BaseHTTPRequestHandler, path: str, query: str) -> int:
        if path == CONSOLE_PATH:
            # Relative asset URLs resolve against /console/; the browser keeps the #token fragment.
            location = CONSOLE_PATH + "/" + (f"?{query}" if query else "")
            return self._send(request, 308, [("Location", location), ("Content-Type", "text/plain")], b"")
        file = self.console_file(path)
        if file is None:
            return self._send(
                request,
                404,
                [("Content-Type", "application/json")],
                _error_body("not_found", f"no console file at {path}"),
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

    def refuse_before_body(self, request: BaseHTTPRequestHandler) -> int | None:
        """Answer 413 (and close) to a request that announces a body over the limit; None otherwise."""
        try:
            length = int(request.headers.get("Content-Length", ""))
        except ValueError:
            return None  # no or a bad Content-Length: the normal path answers it
        if length <= self.max_request_bytes:
            return None
        request.close_connection = True
        return self._send_too_large(request)

    def _send_too_large(self, request: BaseHTTPRequestHandler) -> int:
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

    def _read_body(self, request: BaseHTTPRequestHandler) -> bytes:
        if "chunked" in request.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked(request)
        length_header = request.headers.get("Content-Length")
        if length_header is None:
            return b""
        try:
            length = int(length_header)
        except ValueError:
            raise ValueError("Content-Length is not a number") from None
        if length < 0:
            raise ValueError("Content-Length is negative")
        if length > self.max_request_bytes:
            raise RequestTooLarge(drained=length <= self.max_drain_bytes and _discard(request, length))
        return request.rfile.read(length)

    def _read_chunked(self, request: BaseHTTPRequestHandler) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            line = request.rfile.readline(1024).strip()
            try:
                size = int(line.split(b";")[0], 16)
            except ValueError:
                raise ValueError("malformed chunked body") from None
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
                chunks.append(request.rfile.read(size))
            request.rfile.readline(1024)

    def _send(
        self, request: BaseHTTPRequestHandler, status: int, headers: list[tuple[str, str]], body: bytes
    ) -> int:
        try:
            request.send_response(
                status, HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else ""
            )
            for name, value in headers:
                request.send_header(name, value)
            request.send_header("Content-Length", str(len(body)))
            if request.close_connection:
                request.send_header("Connection", "close")
            request.end_headers()
            if request.command != "HEAD":
                request.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass
        return status


def _discard(request: BaseHTTPRequestHandler, length: int) -> bool:
    """Read and drop `length` bytes of the body; False when the client stopped sending first."""
    left = length
    while left > 0:
        chunk = request.rfile.read(min(left, _DRAIN_CHUNK))
        if not chunk:
            return False
        left -= len(chunk)
    return True
