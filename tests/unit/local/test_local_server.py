"""The local API server plays API Gateway (HTTP API, payload 2.0) and its JWT authorizer, with a fake handler."""

from __future__ import annotations

import base64
import http.client
import json
import socket
import struct
import sys
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from pytest_socket import enable_socket, socket_allow_hosts

from baton.local.server import HOST, LocalApiServer, PortInUse

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
