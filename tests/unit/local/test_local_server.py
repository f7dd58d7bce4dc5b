"""The local API server plays API Gateway (HTTP API, payload 2.0) and its JWT authorizer, with a fake handler: the
event, decoded paths, the JSON error body of everything the transport answers itself, time limits, the access log,
concurrency (the handler pool) and /v1/health's dependencies."""

from __future__ import annotations

import base64
import http.client
import importlib
import json
import logging
import socket
import struct
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from pytest_socket import enable_socket, socket_allow_hosts

from baton.local.server import (
    HOST,
    REQUEST_TIMEOUT_ENV,
    Dependency,
    HandlerPool,
    LocalApiServer,
    PortInUse,
    endpoint_check,
    file_check,
    gateway_path,
)

TOKEN = "s3cret-token"
# What the authorizer guards (the API's routes minus its public ones).
PROTECTED = frozenset(
    {("POST", "/v1/conversations/{conversation_id}/messages"), ("GET", "/v1/conversations/{conversation_id}")}
)


class FakeHandler:
    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.contexts: list[Any] = []
        self.answer: Any = {"statusCode": 200, "headers": {"content-type": "application/json"}, "body": "{}"}
        self.raises = False

    def __call__(self, event: dict[str, Any], context: Any) -> Any:
        self.events.append(event)
        self.contexts.append(context)
        if self.raises:
            raise RuntimeError("boom")
        return self.answer


@pytest.fixture
def loopback() -> Iterator[None]:
    # Unit tests block the network; the server under test is on loopback only.
    enable_socket()
    socket_allow_hosts([HOST])
    yield


@pytest.fixture
def handler() -> FakeHandler:
    return FakeHandler()


@pytest.fixture
def server(loopback: None, handler: FakeHandler) -> Iterator[LocalApiServer]:
    srv = LocalApiServer(
        handler, token=TOKEN, protected_routes=PROTECTED, port=0, log=lambda line: None
    ).start()
    yield srv
    srv.stop()


def request(
    server: LocalApiServer,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    token: str | None = TOKEN,
) -> tuple[int, dict[str, str], bytes, http.client.HTTPResponse]:
    conn = http.client.HTTPConnection(HOST, server.port, timeout=10)
    all_headers = dict(headers or {})
    if token is not None:
        all_headers["Authorization"] = f"Bearer {token}"
    conn.request(method, path, body=body, headers=all_headers)
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, data, response


def test_a_request_becomes_an_http_api_v2_event(server: LocalApiServer, handler: FakeHandler) -> None:
    status, _, _, _ = request(
        server,
        "POST",
        "/v1/conversations/zendesk:42/messages?b=2&a=1&a=3",
        body=json.dumps({"text": "Olá"}).encode(),
        headers={
            "Content-Type": "application/json",
            "X-Custom": "Yes",
            "Cookie": "k1=v1; k2=v2",
            "User-Agent": "t/1",
        },
    )
    assert status == 200
    (event,) = handler.events
    assert event["version"] == "2.0"
    assert event["routeKey"] == "$default"
    assert event["rawPath"] == "/v1/conversations/zendesk:42/messages"
    assert event["rawQueryString"] == "b=2&a=1&a=3"
    assert event["queryStringParameters"] == {"a": "1,3", "b": "2"}
    assert event["cookies"] == ["k1=v1", "k2=v2"]
    assert event["headers"]["x-custom"] == "Yes"
    assert event["headers"]["content-type"] == "application/json"
    assert "cookie" not in event["headers"]
    assert all(name == name.lower() for name in event["headers"])
    assert json.loads(event["body"]) == {"text": "Olá"}
    assert event["isBase64Encoded"] is False
    assert "pathParameters" not in event
    ctx = event["requestContext"]
    assert ctx["apiId"] == "local"
    assert ctx["stage"] == "$default"
    assert ctx["routeKey"] == "$default"
    assert ctx["accountId"] == "000000000000"
    assert ctx["domainName"] == f"{HOST}:{server.port}"
    assert ctx["http"] == {
        "method": "POST",
        "path": "/v1/conversations/zendesk:42/messages",
        "protocol": "HTTP/1.1",
        "sourceIp": "127.0.0.1",
        "userAgent": "t/1",
    }
    assert ctx["requestId"]
    assert isinstance(ctx["timeEpoch"], int)
    assert ctx["time"].endswith("+0000")
    assert ctx["authorizer"]["jwt"]["claims"]["sub"] == "baton-local"
    assert handler.contexts[0].function_name == "baton-local-ingest-api"
    assert handler.contexts[0].get_remaining_time_in_millis() > 0


def test_the_powertools_resolver_reads_the_event(server: LocalApiServer, handler: FakeHandler) -> None:
    from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

    request(server, "GET", "/v1/conversations/c1?x=1")
    event = APIGatewayProxyEventV2(handler.events[0])
    assert event.path == "/v1/conversations/c1"
    assert event.http_method == "GET"
    assert event.query_string_parameters == {"x": "1"}
    assert event.body is None


def test_a_body_that_is_not_utf8_is_passed_base64_encoded(
    server: LocalApiServer, handler: FakeHandler
) -> None:
    raw = b"\xff\xfe\x00binary"
    request(server, "POST", "/v1/x", body=raw, headers={"Content-Type": "application/octet-stream"})
    (event,) = handler.events
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == raw


def test_a_chunked_body_is_read_whole(server: LocalApiServer, handler: FakeHandler) -> None:
    conn = http.client.HTTPConnection(HOST, server.port, timeout=10)
    conn.request(
        "POST",
        "/v1/x",
        body=iter([b'{"a": ', b"1}"]),
        headers={"Authorization": f"Bearer {TOKEN}", "Transfer-Encoding": "chunked"},
        encode_chunked=True,
    )
    assert conn.getresponse().status == 200
    assert json.loads(handler.events[0]["body"]) == {"a": 1}


def test_the_handler_answer_is_written_back(server: LocalApiServer, handler: FakeHandler) -> None:
    handler.answer = {
        "statusCode": 202,
        "headers": {"Content-Type": "application/json", "X-Request-Id": "r1"},
        "cookies": ["a=1; Path=/", "b=2"],
        "body": json.dumps({"conversation_id": "c1", "message_id": "m1"}),
        "isBase64Encoded": False,
    }
    status, headers, body, response = request(server, "POST", "/v1/conversations/c1/messages", body=b"{}")
    assert status == 202
    assert headers["x-request-id"] == "r1"
    assert response.headers.get_all("Set-Cookie") == ["a=1; Path=/", "b=2"]
    assert json.loads(body) == {"conversation_id": "c1", "message_id": "m1"}


def test_a_base64_answer_is_decoded(server: LocalApiServer, handler: FakeHandler) -> None:
    handler.answer = {
        "statusCode": 200,
        "body": base64.b64encode(b"\x00\x01png").decode(),
        "isBase64Encoded": True,
    }
    _, _, body, _ = request(server, "GET", "/v1/x")
    assert body == b"\x00\x01png"


def test_an_answer_without_status_code_is_a_200_json_body(
    server: LocalApiServer, handler: FakeHandler
) -> None:
    handler.answer = {"ok": True}
    status, headers, body, _ = request(server, "GET", "/v1/x")
    assert (status, headers["content-type"], json.loads(body)) == (200, "application/json", {"ok": True})


# -- the authorizer ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("authorization", "reason"),
    [
        (None, "missing Authorization"),
        ("Bearer wrong-token", "not valid"),
        (f"Basic {TOKEN}", "must be `Bearer <token>`"),
        ("Bearer", "must be `Bearer <token>`"),
        (f"Bearer {TOKEN}x", "not valid"),
    ],
)
def test_a_request_without_the_right_token_is_401_and_never_reaches_the_handler(
    server: LocalApiServer, handler: FakeHandler, authorization: str | None, reason: str
) -> None:
    headers = {"Authorization": authorization} if authorization is not None else {}
    status, resp_headers, body, _ = request(
        server, "POST", "/v1/conversations/c1/messages", body=b"{}", headers=headers, token=None
    )
    assert status == 401
    answer = json.loads(body)
    assert answer["error"] == "unauthorized"
    assert reason in answer["message"]
    assert answer["errors"][0]["field"] == "Authorization"
    assert resp_headers["www-authenticate"] == "Bearer"
    assert handler.events == []


def test_the_token_check_uses_a_constant_time_compare(loopback: None, handler: FakeHandler) -> None:
    srv = LocalApiServer(handler, token=TOKEN, protected_routes=PROTECTED, port=0, log=lambda line: None)
    try:
        assert srv.authorize("GET", "/v1/conversations/c1", f"bearer {TOKEN}") == (True, "")
        assert srv.authorize("GET", "/v1/conversations/c1", f"Bearer {TOKEN[:-1]}")[0] is False
    finally:
        srv.stop()


def test_public_routes_need_no_token_and_carry_no_claims(
    server: LocalApiServer, handler: FakeHandler
) -> None:
    assert request(server, "GET", "/v1/health", token=None)[0] == 200
    assert request(server, "POST", "/v1/webhooks/zendesk", body=b"{}", token=None)[0] == 200
    assert all("authorizer" not in event["requestContext"] for event in handler.events)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/webhooks/zendesk"),  # a public path with the wrong method
        ("POST", "/v1/openapi.json"),
        ("GET", "/v1/nothing"),
        ("HEAD", "/v1/health"),
        ("DELETE", "/v1/conversations/c1"),  # a protected path with a method no route has
        ("GET", "/v1/conversations/c1/messages/m1"),  # {conversation_id} is one segment
        ("GET", "/v1/conversations/a/b"),
    ],
)
def test_a_request_that_matches_no_protected_route_reaches_the_handler_without_a_token(
    server: LocalApiServer, handler: FakeHandler, method: str, path: str
) -> None:
    handler.answer = {"statusCode": 404, "headers": {"Content-Type": "application/json"}, "body": "{}"}
    status, _, _, _ = request(server, method, path, token=None)
    assert status == 404  # the handler's own answer, not the authorizer's 401
    (event,) = handler.events
    assert event["requestContext"]["http"]["method"] == method
    assert "authorizer" not in event["requestContext"]


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/v1/conversations/c1"), ("POST", "/v1/conversations/zendesk:42/messages")],
)
def test_every_protected_route_needs_the_token(
    server: LocalApiServer, handler: FakeHandler, method: str, path: str
) -> None:
    assert request(server, method, path, body=b"{}", token=None)[0] == 401
    assert handler.events == []
    assert request(server, method, path, body=b"{}")[0] == 200


@pytest.fixture
def api_server(loopback: None, api_deps: Any) -> Iterator[LocalApiServer]:
    """The real ingestion handler behind the local server, guarded as `baton local` guards it."""
    from baton.ingestion.api import PUBLIC_ROUTES, ROUTES
    from baton.local.server import protected_routes
    from functions.ingest_api import handler as ingest_api

    ingest_api.set_deps(api_deps)
    srv = LocalApiServer(
        ingest_api.lambda_handler,
        token=TOKEN,
        protected_routes=protected_routes(ROUTES, PUBLIC_ROUTES),
        port=0,
        log=lambda line: None,
    ).start()
    yield srv
    srv.stop()
    ingest_api.set_deps(None)


@pytest.mark.parametrize(
    ("method", "path", "status", "error"),
    [
        ("GET", "/v1/webhooks/zendesk", 405, "method_not_allowed"),
        ("POST", "/v1/openapi.json", 405, "method_not_allowed"),
        ("GET", "/v1/nothing", 404, "not_found"),
        ("DELETE", "/v1/conversations/c1", 405, "method_not_allowed"),
    ],
)
def test_the_api_answers_unknown_routes_and_wrong_methods_itself_as_a_deployed_api_routes_first(
    api_server: LocalApiServer, method: str, path: str, status: int, error: str
) -> None:
    got, headers, body, _ = request(api_server, method, path, token=None)
    assert (got, json.loads(body)["error"]) == (status, error)
    assert "www-authenticate" not in headers


def test_head_on_the_health_route_is_405_not_401(api_server: LocalApiServer) -> None:
    status, headers, body, _ = request(api_server, "HEAD", "/v1/health", token=None)
    assert (status, headers["allow"], body) == (405, "GET", b"")


def test_the_real_api_still_needs_the_token_on_its_protected_routes(api_server: LocalApiServer) -> None:
    assert request(api_server, "GET", "/v1/conversations/c1", token=None)[0] == 401
    assert request(api_server, "GET", "/v1/conversations/c1")[0] == 404  # authorized, then not found
    assert request(api_server, "GET", "/v1/health", token=None)[0] == 200


def test_the_api_reads_a_percent_encoded_conversation_id_as_the_id(api_server: LocalApiServer) -> None:
    """The issue's case: `zendesk%3A35436` was a 422 (the handler saw the `%`); deployed, API Gateway decodes it."""
    message = {
        "message_id": "m1",
        "role": "customer",
        "text": "hello",
        "customer": {"id": "cust-1", "account_id": "acct-1"},
    }
    status, _, body, _ = request(
        api_server,
        "POST",
        "/v1/conversations/enc%2Dconv/messages",
        body=json.dumps(message).encode(),
        headers={"Content-Type": "application/json"},
    )
    assert (status, json.loads(body)) == (202, {"conversation_id": "enc-conv", "message_id": "m1"})
    status, _, body, _ = request(api_server, "GET", "/v1/conversations/enc%2dconv")
    assert (status, json.loads(body)["conversation_id"]) == (200, "enc-conv")
    status, _, body, _ = request(api_server, "GET", "/v1/conversations/zendesk%3A35436")
    assert (status, json.loads(body)["error"]) == (404, "not_found")  # no such conversation, not a bad id


# -- concurrency ------------------------------------------------------------------------------------

CLIENTS = 50


def test_fifty_clients_connecting_at_once_all_get_an_answer(server: LocalApiServer) -> None:
    barrier = threading.Barrier(CLIENTS)
    statuses: list[int | str] = []

    def client() -> None:
        barrier.wait()
        try:
            statuses.append(request(server, "GET", "/v1/health", token=None)[0])
        except OSError as exc:
            statuses.append(type(exc).__name__)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * CLIENTS


def test_clients_that_connect_while_the_server_is_not_yet_accepting_are_all_answered(
    loopback: None, handler: FakeHandler
) -> None:
    # Until start(), nothing accepts: every connection waits in the kernel's listen backlog, as they
    # do when a burst arrives faster than the server accepts. A full backlog drops the connection.
    srv = LocalApiServer(handler, token=TOKEN, protected_routes=PROTECTED, port=0, log=lambda line: None)
    clients: list[socket.socket] = []
    try:
        for _ in range(CLIENTS):
            # The timeout only stops a connection the kernel dropped from hanging the test.
            clients.append(socket.create_connection((HOST, srv.port), timeout=10))
        srv.start()
        for sock in clients:
            sock.sendall(b"GET /v1/health HTTP/1.1\r\nHost: baton\r\nConnection: close\r\n\r\n")
        answers = [sock.makefile("rb").readline() for sock in clients]
        assert answers == [b"HTTP/1.1 200 OK\r\n"] * CLIENTS
    finally:
        for sock in clients:
            sock.close()
        srv.stop()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the backlog from Linux's TCP_INFO")
def test_the_kernel_grants_the_whole_listen_backlog(server: LocalApiServer) -> None:
    # For a listening socket Linux reports the backlog in tcpi_sacked: the requested size, capped by
    # net.core.somaxconn. Nothing on the way may cut it back to a handful.
    info = server.httpd.socket.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 104)
    state, backlog = info[0], struct.unpack_from("I", info, 28)[0]
    assert state == 10  # TCP_LISTEN
    assert backlog >= 128


# -- limits and failures ----------------------------------------------------------------------------

ONE_MB = 1024 * 1024


def _raw_exchange(server: LocalApiServer, head: bytes) -> tuple[bytes, dict[str, str]]:
    """Send request headers only (no body) and read the answer's status line and headers."""
    with socket.create_connection((HOST, server.port), timeout=10) as sock:
        sock.sendall(head)
        reader = sock.makefile("rb")
        status = reader.readline()
        headers = {}
        while (line := reader.readline().strip()) and b":" in line:
            name, _, value = line.decode().partition(":")
            headers[name.strip().lower()] = value.strip()
        return status, headers


@pytest.mark.parametrize("size", [ONE_MB + 1, 3 * ONE_MB, 8 * ONE_MB])
def test_a_body_over_one_megabyte_is_413_before_the_handler(
    server: LocalApiServer, handler: FakeHandler, size: int
) -> None:
    # The server reads the whole body before answering, so the client, still sending, always gets
    # to read the 413 (it used to meet a reset connection now and then); the connection stays usable.
    conn = http.client.HTTPConnection(HOST, server.port, timeout=30)
    conn.request("POST", "/v1/x", body=b"x" * size)
    response = conn.getresponse()
    assert response.status == 413
    assert json.loads(response.read())["errors"][0]["field"] == "body"
    assert response.getheader("Connection") != "close"
    conn.request("POST", "/v1/x", body=b"x" * 1024)
    assert conn.getresponse().status == 200
    conn.close()
    assert [len(event["body"]) for event in handler.events] == [1024]


def test_a_chunked_body_over_one_megabyte_is_413_and_read_to_its_end(
    server: LocalApiServer, handler: FakeHandler
) -> None:
    conn = http.client.HTTPConnection(HOST, server.port, timeout=30)
    conn.request("POST", "/v1/x", body=iter([b"x" * ONE_MB, b"y" * ONE_MB]), encode_chunked=True)
    response = conn.getresponse()
    assert response.status == 413
    response.read()
    assert request(server, "POST", "/v1/x", body=b"{}")[0] == 200
    assert len(handler.events) == 1


def test_a_body_beyond_the_drain_cap_is_refused_unread_and_the_connection_closed(
    server: LocalApiServer, handler: FakeHandler
) -> None:
    # Only the headers are sent: the answer comes without the server waiting for 100 MB.
    status, headers = _raw_exchange(
        server, b"POST /v1/x HTTP/1.1\r\nHost: baton\r\nContent-Length: 104857600\r\n\r\n"
    )
    assert status.startswith(b"HTTP/1.1 413")
    assert headers["connection"] == "close"
    assert handler.events == []


def test_expect_100_continue_with_a_body_too_large_gets_the_413_instead_of_a_100(
    server: LocalApiServer, handler: FakeHandler
) -> None:
    status, headers = _raw_exchange(
        server,
        b"POST /v1/x HTTP/1.1\r\nHost: baton\r\nContent-Length: 2097152\r\nExpect: 100-continue\r\n\r\n",
    )
    assert status.startswith(b"HTTP/1.1 413")
    assert headers["connection"] == "close"
    assert handler.events == []


def test_expect_100_continue_within_the_limit_gets_its_100(
    server: LocalApiServer, handler: FakeHandler
) -> None:
    with socket.create_connection((HOST, server.port), timeout=10) as sock:
        sock.sendall(
            b"POST /v1/x HTTP/1.1\r\nHost: baton\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n"
        )
        reader = sock.makefile("rb")
        assert reader.readline().startswith(b"HTTP/1.1 100")
        reader.readline()
        sock.sendall(b"{}")
        assert reader.readline().startswith(b"HTTP/1.1 200")
    assert handler.events[0]["body"] == "{}"


def test_a_handler_crash_is_a_500_and_the_server_stays_up(
    server: LocalApiServer, handler: FakeHandler
) -> None:
    handler.raises = True
    status, _, body, _ = request(server, "GET", "/v1/x")
    assert status == 500
    assert json.loads(body)["error"] == "internal_error"
    handler.raises = False
    assert request(server, "GET", "/v1/x")[0] == 200


def test_a_malformed_answer_is_a_500(server: LocalApiServer, handler: FakeHandler) -> None:
    handler.answer = {"statusCode": "two hundred"}
    assert request(server, "GET", "/v1/x")[0] == 500


def test_it_listens_on_loopback_only(server: LocalApiServer) -> None:
    assert server.httpd.server_address[0] == "127.0.0.1"
    assert server.url == f"http://127.0.0.1:{server.port}"


def test_a_port_in_use_is_a_clear_error(loopback: None, handler: FakeHandler) -> None:
    with socket.socket() as taken:
        taken.bind((HOST, 0))
        taken.listen()
        with pytest.raises(PortInUse, match="already in use") as err:
            LocalApiServer(handler, token=TOKEN, protected_routes=PROTECTED, port=taken.getsockname()[1])
        assert "--port" in str(err.value)


# -- paths as API Gateway hands them over -----------------------------------------------------------


def test_a_percent_encoded_path_reaches_the_handler_decoded_and_the_authorizer_matches_it(
    server: LocalApiServer, handler: FakeHandler
) -> None:
    assert request(server, "GET", "/v1/conversations/zendesk%3A35436", token=None)[0] == 401
    assert handler.events == []
    assert request(server, "GET", "/v1/conversations/zendesk%3A35436?x=%3A")[0] == 200
    (event,) = handler.events
    assert event["rawPath"] == event["requestContext"]["http"]["path"] == "/v1/conversations/zendesk:35436"
    assert event["rawQueryString"] == "x=%3A"  # the query string as sent
    assert event["queryStringParameters"] == {"x": ":"}


# What HTTP APIs did with these paths, captured live (hotsock/voker, vokerhttp/testdata/ingress-paths.json).
@pytest.mark.parametrize(
    ("sent", "handed_over"),
    [
        ("/capture/plain", "/capture/plain"),
        ("/capture/space%20value", "/capture/space value"),
        ("/capture/question%3Fvalue", "/capture/question"),
        ("/capture/hash%23value", "/capture/hash#value"),
        ("/capture/slash%2Fvalue", "/capture/slash/value"),
        ("/capture/unicode-%CE%BB-%E4%B8%96%E7%95%8C", "/capture/unicode-λ-世界"),
        ("/capture/literal%252Fvalue", "/capture/literal/value"),
        ("/capture/literal%253Fvalue", "/capture/literal?value"),
        ("/capture/literal%2525value", "/capture/literal%value"),
    ],
)
def test_paths_are_decoded_as_an_http_api_decodes_them(sent: str, handed_over: str) -> None:
    assert gateway_path(sent) == handed_over


@pytest.mark.parametrize(
    "sent", ["/capture/percent%25done", "/v1/conversations/a%zz", "/v1/conversations/%ff"]
)
def test_a_path_an_http_api_refuses_is_a_400_naming_the_path(
    server: LocalApiServer, handler: FakeHandler, sent: str
) -> None:
    with pytest.raises(ValueError):
        gateway_path(sent)
    status, headers, body, _ = request(server, "GET", sent)
    assert (status, headers["content-type"]) == (400, "application/json")
    assert json.loads(body)["errors"][0]["field"] == "path"
    assert handler.events == []


# -- what the transport answers itself: always the API's JSON error body -----------------------------


def _read_answer(reader: Any) -> tuple[int, dict[str, str], bytes]:
    status = int(reader.readline().split()[1])
    headers = {}
    while (line := reader.readline().strip()) and b":" in line:
        name, _, value = line.decode().partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, reader.read(int(headers.get("content-length", 0)))


def _raw(server: LocalApiServer, data: bytes) -> tuple[int, dict[str, str], bytes, bool]:
    """Send raw bytes and read one answer; (status, headers, body, whether the server then closed the connection:
    it is read to its end, so a connection kept open shows as not closed after a few seconds)."""
    with socket.create_connection((HOST, server.port), timeout=10) as sock:
        sock.sendall(data)
        reader = sock.makefile("rb")
        status, headers, body = _read_answer(reader)
        sock.settimeout(3)
        try:
            closed = reader.read(1) == b""
        except TimeoutError:
            closed = False
        return status, headers, body, closed


def _assert_error_body(body: bytes, error: str, field: str) -> dict[str, Any]:
    assert not body.lstrip().startswith(b"<")  # never http.server's HTML page
    answer = json.loads(body)
    assert set(answer) == {"error", "message", "errors"}
    assert answer["error"] == error and answer["message"]
    assert answer["errors"][0]["field"] == field
    return answer


@pytest.mark.parametrize(
    ("data", "status", "error", "field"),
    [
        (b"TRACE /v1/health HTTP/1.1\r\nHost: x\r\n\r\n", 501, "not_implemented", "method"),
        (b"CONNECT 127.0.0.1:443 HTTP/1.1\r\nHost: x\r\n\r\n", 501, "not_implemented", "method"),
        (b"G(T /v1/health HTTP/1.1\r\nHost: x\r\n\r\n", 400, "bad_request", "request line"),
        (b"GARBAGE\r\n\r\n", 400, "bad_request", "request line"),
        (b"GET /v1/health?email=a@b.c HTTP/1.1 extra\r\n\r\n", 400, "bad_request", "request line"),
        (b"GET /v1/health HTTP/x\r\n\r\n", 400, "bad_request", "request line"),
        (b"GET /v1/health\r\n\r\n", 400, "bad_request", "request line"),  # HTTP/0.9
        (b"GET /v1/health HTTP/2.0\r\n\r\n", 505, "http_version_not_supported", "request line"),
        (b"GET *?x HTTP/1.1\r\nHost: x\r\n\r\n", 400, "bad_request", "request line"),
        (b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n", 414, "uri_too_long", "request line"),
        (
            b"GET / HTTP/1.1\r\nX-Big: " + b"a" * 70000 + b"\r\n\r\n",
            431,
            "request_header_fields_too_large",
            "headers",
        ),
        (
            b"GET / HTTP/1.1\r\n" + b"".join(b"X-%d: 1\r\n" % i for i in range(120)) + b"\r\n",
            431,
            "request_header_fields_too_large",
            "headers",
        ),
        (b"POST /v1/x HTTP/1.1\r\nContent-Length: ten\r\n\r\n", 400, "bad_request", "Content-Length"),
        (
            b"POST /v1/x HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
            400,
            "bad_request",
            "Content-Length",
        ),
        (
            b"POST /v1/x HTTP/1.1\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            400,
            "bad_request",
            "Content-Length",
        ),
        (b"POST /v1/x HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 400, "bad_request", "Transfer-Encoding"),
        (
            b"POST /v1/x HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
            501,
            "not_implemented",
            "Transfer-Encoding",
        ),
        (b"POST /v1/x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400, "bad_request", "body"),
        (b"POST /v1/x HTTP/1.1\r\nContent-Length: 104857600\r\n\r\n", 413, "payload_too_large", "body"),
    ],
)
def test_every_answer_of_the_transport_itself_is_the_apis_json_error_body(
    server: LocalApiServer, handler: FakeHandler, data: bytes, status: int, error: str, field: str
) -> None:
    got, headers, body, closed = _raw(server, data)
    assert (got, headers["content-type"]) == (status, "application/json")
    _assert_error_body(body, error, field)
    assert (
        closed and headers["connection"] == "close"
    )  # what is left of such a request is never read as another
    assert handler.events == []


def test_a_body_shorter_than_its_content_length_because_the_client_closed_is_a_400(
    server: LocalApiServer, handler: FakeHandler
) -> None:
    with socket.create_connection((HOST, server.port), timeout=10) as sock:
        sock.sendall(b"POST /v1/x HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n{}")
        sock.shutdown(socket.SHUT_WR)
        answer = sock.makefile("rb").read()
    assert answer.startswith(b"HTTP/1.1 400 ")
    _assert_error_body(answer.partition(b"\r\n\r\n")[2], "bad_request", "body")
    assert handler.events == []


def test_a_handler_crash_answers_the_error_body_and_the_connection_serves_on(
    server: LocalApiServer, handler: FakeHandler
) -> None:
    handler.raises = True
    conn = http.client.HTTPConnection(HOST, server.port, timeout=10)
    conn.request("GET", "/v1/x", headers={"Authorization": f"Bearer {TOKEN}"})
    response = conn.getresponse()
    assert response.status == 500
    _assert_error_body(response.read(), "internal_error", "handler")
    handler.raises = False
    conn.request("GET", "/v1/x", headers={"Authorization": f"Bearer {TOKEN}"})
    assert conn.getresponse().status == 200
    conn.close()


# -- time limits ------------------------------------------------------------------------------------


@pytest.fixture
def impatient(loopback: None, handler: FakeHandler) -> Iterator[tuple[LocalApiServer, list[str]]]:
    lines: list[str] = []
    srv = LocalApiServer(
        handler,
        token=TOKEN,
        protected_routes=PROTECTED,
        port=0,
        log=lines.append,
        request_timeout_s=0.5,
        keep_alive_s=0.5,
    ).start()
    yield srv, lines
    srv.stop()


def test_a_body_shorter_than_its_content_length_is_408_and_the_connection_closed(
    impatient: tuple[LocalApiServer, list[str]], handler: FakeHandler
) -> None:
    server, lines = impatient
    status, headers, body, closed = _raw(
        server, b"POST /v1/conversations/c1/messages HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{}"
    )
    assert status == 408 and closed and headers["connection"] == "close"
    assert "0.5 s" in _assert_error_body(body, "request_timeout", "body")["message"]
    assert handler.events == []
    assert any('"POST /v1/conversations/c1/messages" 408' in line for line in lines)


def test_a_client_that_sends_its_headers_a_byte_at_a_time_still_times_out(
    impatient: tuple[LocalApiServer, list[str]],
) -> None:
    # Each byte comes well within the time limit; the request as a whole does not.
    server, _ = impatient
    with socket.create_connection((HOST, server.port), timeout=10) as sock:
        sock.sendall(b"GET /v1/health HTTP/1.1\r\n")
        answer = b""
        for byte in b"X-Slow: " + b"a" * 100:
            try:
                sock.sendall(bytes([byte]))
            except OSError:  # the server closed the connection after answering
                break
            threading.Event().wait(0.05)
        answer = sock.makefile("rb").read()
    assert answer.startswith(b"HTTP/1.1 408 ")
    _assert_error_body(answer.partition(b"\r\n\r\n")[2], "request_timeout", "headers")


def test_an_idle_connection_is_closed_quietly(impatient: tuple[LocalApiServer, list[str]]) -> None:
    server, lines = impatient
    with socket.create_connection((HOST, server.port), timeout=10) as sock:
        sock.sendall(b"GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
        reader = sock.makefile("rb")
        assert _read_answer(reader)[0] == 200
        assert reader.read() == b""  # kept open for the next request, then closed without an answer
    assert len(lines) == 1


def test_the_time_limit_comes_from_the_environment(
    loopback: None, handler: FakeHandler, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(REQUEST_TIMEOUT_ENV, "2.5")
    srv = LocalApiServer(handler, token=TOKEN, protected_routes=PROTECTED, port=0)
    assert srv.request_timeout_s == 2.5
    srv.stop()
    monkeypatch.setenv(REQUEST_TIMEOUT_ENV, "soon")
    with pytest.raises(ValueError, match=REQUEST_TIMEOUT_ENV):
        LocalApiServer(handler, token=TOKEN, protected_routes=PROTECTED, port=0)


# -- the access log -----------------------------------------------------------------------------------

CANARY = "canary.person@example.com"


def test_each_request_is_logged_once_with_its_time_and_never_its_query_string(
    loopback: None, handler: FakeHandler
) -> None:
    lines: list[str] = []
    srv = LocalApiServer(
        handler,
        token=TOKEN,
        protected_routes=PROTECTED,
        port=0,
        log=lines.append,
        clock=lambda: datetime(2026, 11, 27, 10, 0, 0, 123000, tzinfo=UTC),
    ).start()

    def logged(count: int) -> None:
        # A line is written once its answer is sent: wait for it, so that the lines come in the requests' order
        # whichever handler thread wrote them (the client may read the answer before the line is written).
        deadline = time.monotonic() + 5
        while len(lines) < count and time.monotonic() < deadline:
            time.sleep(0.005)

    try:
        request(srv, "POST", f"/v1/conversations/c%3A1/messages?email={CANARY}", body=b"{}")
        logged(1)
        request(
            srv, "GET", f"/v1/conversations/c1%3Femail%3D{CANARY}"
        )  # a `?` the decoding yields ends the path
        logged(2)
        _raw(srv, f"GET /v1/health?email={CANARY} HTTP/1.1 extra\r\n\r\n".encode())
        logged(3)
        _raw(srv, f"TRACE /v1/health?email={CANARY} HTTP/1.1\r\n\r\n".encode())
        logged(4)
        _raw(srv, b"GET /v1/x\x1b[31m HTTP/1.1\r\nConnection: close\r\n\r\n")
        logged(5)
    finally:
        srv.stop()
    assert lines[:2] == [
        '2026-11-27T10:00:00.123Z 127.0.0.1 "POST /v1/conversations/c:1/messages" 200 '
        + lines[0].split()[-1],
        '2026-11-27T10:00:00.123Z 127.0.0.1 "GET /v1/conversations/c1" 200 ' + lines[1].split()[-1],
    ]
    assert all(line.split()[-1].removesuffix("ms").isdigit() for line in lines)
    assert [line.split('"')[1:] for line in lines[2:]] == [
        ["- -", " 400 " + lines[2].split()[-1]],
        ["TRACE /v1/health", " 501 " + lines[3].split()[-1]],
        ["GET /v1/x%1B[31m", " 200 " + lines[4].split()[-1]],
    ]
    assert len(lines) == 5
    assert not any("canary" in line for line in lines)


# -- concurrency --------------------------------------------------------------------------------------


@pytest.fixture
def handler_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, Any]:
    """A handler module that fails any request arriving while its instance already serves one, and meets the
    other requests at `shared.barrier` (when one is set)."""
    suffix = uuid.uuid4().hex[:8]
    (tmp_path / f"pool_shared_{suffix}.py").write_text("barrier = None\nserved = []\n")
    (tmp_path / f"pool_handler_{suffix}.py").write_text(
        f"import pool_shared_{suffix} as shared\n"
        "busy = False\n"
        "def lambda_handler(event, context):\n"
        "    global busy\n"
        "    if busy:\n"
        "        raise RuntimeError('this instance is already serving a request')\n"
        "    busy = True\n"
        "    try:\n"
        "        shared.served.append(__name__)\n"
        "        if shared.barrier is not None:\n"
        "            shared.barrier.wait(timeout=10)\n"
        "        return {'statusCode': 200, 'body': __name__}\n"
        "    finally:\n"
        "        busy = False\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    shared = importlib.import_module(f"pool_shared_{suffix}")
    return f"pool_handler_{suffix}", shared


def _serve_pool(pool: HandlerPool) -> LocalApiServer:
    return LocalApiServer(
        pool, token=TOKEN, protected_routes=PROTECTED, port=0, log=lambda line: None
    ).start()


def _at_once(server: LocalApiServer, clients: int) -> list[tuple[int, bytes]]:
    answers: list[tuple[int, bytes]] = []

    def client() -> None:
        status, _, body, _ = request(server, "GET", "/v1/x")
        answers.append((status, body))

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_copies_resolve_at_once_and_each_answers_its_own_request(
    loopback: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Powertools keeps the request being resolved in class attributes (`BaseRouter.current_event`) shared by every
    # copy of a handler in the process: without `baton.local.threads`, requests resolved at once answer with each
    # other's path parameters. Four copies, four requests meeting inside the route, each must echo its own id.
    suffix = uuid.uuid4().hex[:8]
    (tmp_path / f"pt_shared_{suffix}.py").write_text("import threading\nbarrier = threading.Barrier(4)\n")
    (tmp_path / f"pt_handler_{suffix}.py").write_text(
        f"import pt_shared_{suffix} as shared\n"
        "from aws_lambda_powertools.event_handler import APIGatewayHttpResolver\n"
        "app = APIGatewayHttpResolver()\n"
        "@app.get('/v1/echo/<ident>')\n"
        "def echo(ident):\n"
        "    shared.barrier.wait(timeout=10)\n"
        "    return {'ident': ident, 'path': app.current_event.path, 'request': app.lambda_context.aws_request_id}\n"
        "def lambda_handler(event, context):\n"
        "    return app.resolve(event, context)\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    server = _serve_pool(HandlerPool(f"pt_handler_{suffix}", size=4))
    answers: dict[str, Any] = {}

    def client(ident: str) -> None:
        status, _, body, _ = request(server, "GET", f"/v1/echo/{ident}")
        answers[ident] = (status, json.loads(body))

    threads = [threading.Thread(target=client, args=(f"c{n}",)) for n in range(4)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        server.stop()
    # All four met at the barrier: they were resolved at once, not in turn.
    assert {ident: (status, body["ident"], body["path"]) for ident, (status, body) in answers.items()} == {
        f"c{n}": (200, f"c{n}", f"/v1/echo/c{n}") for n in range(4)
    }
    assert len({body["request"] for _, body in answers.values()}) == 4  # each its own Lambda context too


def test_a_pool_never_gives_one_instance_two_requests_at_once(
    loopback: None, handler_module: tuple[str, Any]
) -> None:
    module, shared = handler_module
    server = _serve_pool(HandlerPool(module, size=1))
    try:
        answers = _at_once(server, 8)  # the instance fails a request that arrives while it is busy
    finally:
        server.stop()
    assert [status for status, _ in answers] == [200] * 8
    assert shared.served == [module] * 8


def test_the_server_itself_serialises_nothing(loopback: None) -> None:
    barrier = threading.Barrier(4)

    def meets_the_others(event: dict[str, Any], context: Any) -> dict[str, Any]:
        barrier.wait(timeout=10)
        return {"statusCode": 200, "body": ""}

    server = LocalApiServer(
        meets_the_others, token=TOKEN, protected_routes=PROTECTED, port=0, log=lambda line: None
    ).start()
    try:
        assert [status for status, _ in _at_once(server, 4)] == [200] * 4
    finally:
        server.stop()


# -- /v1/health and the dependencies ------------------------------------------------------------------


def test_health_is_503_naming_each_dependency_down_logged_once_and_200_again_once_it_is_back(
    loopback: None, handler: FakeHandler, caplog: pytest.LogCaptureFixture
) -> None:
    down: dict[str, str | None] = {"dynamodb": None, "bus": None}
    server = LocalApiServer(handler, token=TOKEN, protected_routes=PROTECTED, port=0, log=lambda line: None)
    server.watch(
        [
            Dependency("DynamoDB Local", "dynamodb", lambda: down["dynamodb"]),
            Dependency("the bus file", "bus", lambda: down["bus"]),
        ],
        interval_s=3600,
    )
    server.start()
    caplog.set_level(logging.INFO, logger="baton.local.server")
    try:
        assert request(server, "GET", "/v1/health", token=None)[0] == 200  # the handler's own answer
        down["dynamodb"] = "its process exited with code 137"
        for _ in range(3):
            status, headers, body, _ = request(server, "GET", "/v1/health", token=None)
            assert (status, headers["content-type"]) == (503, "application/json")
            answer = _assert_error_body(body, "unavailable", "dynamodb")
            assert answer["errors"] == [
                {"field": "dynamodb", "message": "DynamoDB Local is down: its process exited with code 137"}
            ]
        assert len(handler.events) == 1  # answered by the transport while a dependency is down
        down["bus"] = "/data/bus.sqlite3 is missing"
        answer = json.loads(request(server, "GET", "/v1/health", token=None)[2])
        assert [e["field"] for e in answer["errors"]] == ["dynamodb", "bus"]
        # Other routes are still the handler's: the API answers what it can.
        assert request(server, "GET", "/v1/conversations/c1")[0] == 200
        down["dynamodb"] = down["bus"] = None
        assert request(server, "GET", "/v1/health", token=None)[0] == 200
    finally:
        server.stop()
    messages = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "baton.local.server"]
    assert messages == [
        (
            "WARNING",
            "DynamoDB Local is down: its process exited with code 137. /v1/health answers 503 until it is back",
        ),
        (
            "WARNING",
            "the bus file is down: /data/bus.sqlite3 is missing. /v1/health answers 503 until it is back",
        ),
        ("WARNING", "DynamoDB Local is back"),
        ("WARNING", "the bus file is back"),
    ]


def test_a_dependency_that_goes_down_is_logged_even_when_nobody_asks(
    loopback: None, handler: FakeHandler, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="baton.local.server")
    gone = threading.Event()
    server = LocalApiServer(handler, token=TOKEN, protected_routes=PROTECTED, port=0, log=lambda line: None)
    server.watch([Dependency("DynamoDB Local", "dynamodb", lambda: "gone" if gone.is_set() else None)], 0.01)
    server.start()
    try:
        gone.set()
        for _ in range(1000):
            if any("DynamoDB Local is down" in r.getMessage() for r in caplog.records):
                break
            threading.Event().wait(0.01)
    finally:
        server.stop()
    assert [r.getMessage() for r in caplog.records if "DynamoDB Local" in r.getMessage()] == [
        "DynamoDB Local is down: gone. /v1/health answers 503 until it is back"
    ]


def test_an_endpoint_is_up_when_it_answers_http_at_all_and_down_when_it_does_not_or_its_process_exited(
    server: LocalApiServer,
) -> None:
    assert endpoint_check(server.url)() is None  # any answer at all (here a 401 or 404) is up
    with socket.socket() as closed:
        closed.bind((HOST, 0))
        port = closed.getsockname()[1]
    assert "does not answer" in (endpoint_check(f"http://{HOST}:{port}")() or "")
    exited = SimpleNamespace(poll=lambda: 137)
    assert endpoint_check(server.url, process=lambda: exited)() == "its process exited with code 137"
    assert endpoint_check(server.url, process=lambda: None)() == "it is stopped"


def test_a_file_is_down_when_it_is_missing(tmp_path: Path) -> None:
    bus = tmp_path / "bus.sqlite3"
    assert file_check(bus)() == f"{bus} is missing"
    bus.write_bytes(b"")
    assert file_check(bus)() is None
