"""The local API: an HTTP server on 127.0.0.1 that plays API Gateway (HTTP API, payload 2.0).

Each request becomes the event API Gateway would send, and the same Lambda handler answers it. The
deployed JWT authorizer is emulated with one bearer token: every route outside the handler's public
routes needs `Authorization: Bearer <token>`, otherwise 401 and the handler is not called.
"""

from __future__ import annotations

import base64
import hmac
import json
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
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from baton.local.bus import ACCOUNT, LocalLambdaContext

HOST = "127.0.0.1"  # never another interface: the local server has one shared token and no TLS
MAX_REQUEST_BYTES = 1024 * 1024
LOCAL_CLAIMS = {"sub": "baton-local", "iss": "baton-local", "client_id": "baton-local", "scope": "baton/api"}
# Hop-by-hop or recomputed headers: never copied from a handler's answer.
_SKIP_RESPONSE_HEADERS = {"content-length", "transfer-encoding", "connection"}

Invoke = Callable[[dict[str, Any], Any], Any]


class PortInUse(OSError):
    def __init__(self, port: int) -> None:
        super().__init__(
            f"port {port} on {HOST} is already in use (another `baton local`?). "
            f"Stop that process or choose another port with --port."
        )
        self.port = port


class RequestTooLarge(Exception):
    pass


def _error_body(error: str, message: str, errors: list[dict[str, str]] | None = None) -> bytes:
    # The shape of baton.models.ErrorBody, which every 4xx of the API has.
    return json.dumps({"error": error, "message": message, "errors": errors or []}).encode()


def _route_regex(path: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}/]+\})", path)
    return re.compile("".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts) + r"\Z")


class RouteSet:
    """(METHOD, path) pairs; a path may have `{param}` segments."""

    def __init__(self, routes: Iterable[tuple[str, str]]) -> None:
        self._routes = [(method.upper(), _route_regex(path)) for method, path in routes]

    def __contains__(self, item: tuple[str, str]) -> bool:
        method, path = item
        return any(m in (method.upper(), "ANY") and rx.match(path) for m, rx in self._routes)


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
        public_routes: Iterable[tuple[str, str]],
        port: int = 8787,
        function_name: str = "baton-local-ingest-api",
        timeout_s: float = 29,
        memory_mb: int = 512,
        max_request_bytes: int = MAX_REQUEST_BYTES,
        log: Callable[[str], None] | None = None,
    ) -> None:
        if not token:
            raise ValueError("an API token is required")
        self.invoke = invoke
        self.token = token
        self.public_routes = RouteSet(public_routes)
        self.function_name = function_name
        self.timeout_s = timeout_s
        self.memory_mb = memory_mb
        self.max_request_bytes = max_request_bytes
        self.log = log or (lambda line: print(line, file=sys.stderr, flush=True))
        # One invocation at a time, like one warm Lambda container: Powertools' resolver keeps the
        # current event on a module-level object.
        self.invoke_lock = threading.Lock()
        try:
            self.httpd = ThreadingHTTPServer((HOST, port), self._handler_class())
        except OSError as exc:
            if exc.errno in (98, 48, 10048):  # EADDRINUSE on Linux, macOS, Windows
                raise PortInUse(port) from exc
            raise
        self.httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

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

    def authorize(self, method: str, path: str, authorization: str | None) -> tuple[bool, str]:
        """(allowed, why not) for one request, as the deployed authorizer decides."""
        if (method, path) in self.public_routes:
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
        except RequestTooLarge:
            request.close_connection = True  # the unread body must not be taken for the next request
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
        except ValueError as exc:
            request.close_connection = True
            return self._send(
                request,
                400,
                [("Content-Type", "application/json")],
                _error_body("bad_request", str(exc), [{"field": "Content-Length", "message": str(exc)}]),
            )
        allowed, why = self.authorize(request.command, raw_path, request.headers.get("Authorization"))
        if not allowed:
            return self._send(
                request,
                401,
                [("Content-Type", "application/json"), ("WWW-Authenticate", "Bearer")],
                _error_body("unauthorized", why, [{"field": "Authorization", "message": why}]),
            )
        public = (request.command, raw_path) in self.public_routes
        event = http_api_event(
            method=request.command,
            raw_path=raw_path,
            raw_query=raw_query,
            headers=request.headers.items(),
            body=body,
            source_ip=request.client_address[0],
            protocol=request.request_version,
            claims=None if public else LOCAL_CLAIMS,
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
            raise RequestTooLarge
        return request.rfile.read(length)

    def _read_chunked(self, request: BaseHTTPRequestHandler) -> bytes:
        chunks, total = [], 0
        while True:
            line = request.rfile.readline(1024).strip()
            try:
                size = int(line.split(b";")[0], 16)
            except ValueError:
                raise ValueError("malformed chunked body") from None
            if size == 0:
                while request.rfile.readline(1024).strip():  # trailers
                    pass
                return b"".join(chunks)
            total += size
            if total > self.max_request_bytes:
                raise RequestTooLarge
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
