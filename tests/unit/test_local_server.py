"""The local API server plays API Gateway (HTTP API, payload 2.0) and its JWT authorizer, with a fake handler."""

from __future__ import annotations

import base64
import http.client
import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from pytest_socket import enable_socket, socket_allow_hosts

from baton.local.server import HOST, LocalApiServer, PortInUse

TOKEN = "s3cret-token"
PUBLIC = frozenset({("GET", "/v1/health"), ("POST", "/v1/webhooks/{source}")})


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
    srv = LocalApiServer(handler, token=TOKEN, public_routes=PUBLIC, port=0, log=lambda line: None).start()
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
    srv = LocalApiServer(handler, token=TOKEN, public_routes=PUBLIC, port=0, log=lambda line: None)
    try:
        assert srv.authorize("GET", "/v1/x", f"bearer {TOKEN}") == (True, "")
        assert srv.authorize("GET", "/v1/x", f"Bearer {TOKEN[:-1]}")[0] is False
    finally:
        srv.stop()


def test_public_routes_need_no_token_and_carry_no_claims(
    server: LocalApiServer, handler: FakeHandler
) -> None:
    assert request(server, "GET", "/v1/health", token=None)[0] == 200
    assert request(server, "POST", "/v1/webhooks/zendesk", body=b"{}", token=None)[0] == 200
    assert all("authorizer" not in event["requestContext"] for event in handler.events)
    # The method counts: GET on the webhook path is not public.
    assert request(server, "GET", "/v1/webhooks/zendesk", token=None)[0] == 401


# -- limits and failures ----------------------------------------------------------------------------


def test_a_body_over_one_megabyte_is_413_before_the_handler(
    server: LocalApiServer, handler: FakeHandler
) -> None:
    status, _, body, _ = request(server, "POST", "/v1/x", body=b"x" * (1024 * 1024 + 1))
    assert status == 413
    assert json.loads(body)["errors"][0]["field"] == "body"
    assert handler.events == []
    assert request(server, "POST", "/v1/x", body=b"x" * 1024)[0] == 200


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
            LocalApiServer(handler, token=TOKEN, public_routes=PUBLIC, port=taken.getsockname()[1])
        assert "--port" in str(err.value)
