"""The ingestion API through `lambda_handler`, with API Gateway HTTP API v2 events and memory fakes."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from copy import deepcopy
from typing import Any
from unittest.mock import MagicMock

import pytest
from api_client import API_EVENTS, ApiClient, api_event
from pytest_mock import MockerFixture

from baton import __version__
from baton.adapters.memory import MemoryPublisher
from baton.errors import InvalidSignature, PayloadError
from baton.events import MessageReceived
from baton.ingestion import api as api_module
from baton.ingestion.connectors.webhooks import WebhookResult
from baton.ingestion.memory import MemoryConversationStore
from baton.models import MAX_BODY_BYTES, MAX_TEXT_BYTES

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish")

CONV = "conv-20250314-0042"


def sample_body() -> dict[str, Any]:
    return json.loads(api_event("post_message.json")["body"])


def minimal_body(message_id: str = "msg-min", text: str = "hello") -> dict[str, Any]:
    return {
        "message_id": message_id,
        "role": "customer",
        "text": text,
        "customer": {"id": "cus_1", "account_id": "acct_1"},
    }


# -- posting messages ----------------------------------------------------------------------------------


def test_the_sample_event_is_accepted_stored_and_announced(
    api: ApiClient, store: MemoryConversationStore, publisher: MemoryPublisher
) -> None:
    response = api.send(api_event("post_message.json"))

    assert response.status == 202
    assert response.json == {"conversation_id": CONV, "message_id": "msg-0001"}
    conversation = store.get_conversation(CONV)
    assert conversation is not None
    assert [m.message_id for m in conversation.messages] == ["msg-0001"]
    [event] = publisher.events
    assert isinstance(event, MessageReceived)
    assert (event.conversation_id, event.seq, event.message.text) == (CONV, 1, sample_body()["text"])


def test_the_same_message_again_gets_the_same_answer_and_is_processed_once(
    api: ApiClient, store: MemoryConversationStore, publisher: MemoryPublisher
) -> None:
    first = api.send(api_event("post_message.json"))
    second = api.send(api_event("post_message.json"))

    assert (second.status, second.json) == (first.status, first.json) == (202, first.json)
    assert len(store.get_conversation(CONV).messages) == 1
    assert len(publisher.of_type("MessageReceived")) == 1


def test_a_retry_without_sent_at_is_a_duplicate_not_a_conflict(
    api: ApiClient, store: MemoryConversationStore
) -> None:
    # sent_at defaults to "now", which differs on every retry: it must not make the retry a conflict.
    assert api.post_message("c1", minimal_body()).status == 202
    assert api.post_message("c1", minimal_body()).status == 202
    assert store.get_conversation("c1").message_count == 1


def test_the_same_id_with_another_body_is_a_409_naming_message_id(
    api: ApiClient, store: MemoryConversationStore, publisher: MemoryPublisher
) -> None:
    api.post_message("c1", minimal_body(text="first"))

    response = api.post_message("c1", minimal_body(text="second"))

    assert response.status == 409
    assert response.json["error"] == "conflict"
    assert response.field == "message_id"
    assert [m.text for m in store.get_conversation("c1").messages] == ["first"]
    assert len(publisher.events) == 1


def test_the_same_message_id_in_two_conversations_is_two_messages(
    api: ApiClient, store: MemoryConversationStore
) -> None:
    assert api.post_message("c1", minimal_body()).status == 202
    assert api.post_message("c2", minimal_body(text="other")).status == 202
    assert store.get_conversation("c2").messages[0].text == "other"


def test_a_failed_publish_is_retried_by_the_client_and_published_exactly_once_more(
    api: ApiClient, store: MemoryConversationStore, publisher: MemoryPublisher
) -> None:
    publisher.fail_next = 1

    failed = api.post_message("c1", minimal_body())
    retried = api.post_message("c1", minimal_body())
    again = api.post_message("c1", minimal_body())

    assert failed.status == 500
    assert failed.json["error"] == "internal_error"
    assert "injected" not in failed.text  # no internals leak
    assert (retried.status, again.status) == (202, 202)
    assert len(publisher.of_type("MessageReceived")) == 1
    assert store.get_conversation("c1").message_count == 1


def test_a_store_outage_is_a_500_not_a_4xx(
    api: ApiClient, store: MemoryConversationStore, mocker: MockerFixture
) -> None:
    mocker.patch.object(store, "append_message", side_effect=ConnectionError("dynamodb unreachable"))

    response = api.post_message("c1", minimal_body())

    assert response.status == 500
    assert response.json == {
        "error": "internal_error",
        "message": "the request could not be processed; retry later",
        "errors": [],
    }


@pytest.mark.parametrize(
    "content_type", ["application/json", "application/json; charset=utf-8", "Application/JSON", None]
)
def test_json_bodies_are_accepted_with_or_without_a_json_content_type(
    api: ApiClient, content_type: str | None
) -> None:
    response = api.post_message("c1", minimal_body(), headers={"content-type": content_type})
    assert response.status == 202, response.text


def test_a_base64_encoded_body_is_decoded(api: ApiClient, store: MemoryConversationStore) -> None:
    body = minimal_body(text="¿Dónde está mi reembolso? 🙏")

    response = api.post_message("c1", raw=json.dumps(body, ensure_ascii=False), base64_body=True)

    assert response.status == 202
    assert store.get_conversation("c1").messages[0].text == "¿Dónde está mi reembolso? 🙏"


# -- reading conversations -----------------------------------------------------------------------------


def test_get_returns_the_messages_in_arrival_order(api: ApiClient) -> None:
    for i, role in enumerate(["customer", "bot", "customer", "agent"], start=1):
        body = minimal_body(message_id=f"m{i}", text=f"turn {i}") | {"role": role}
        assert api.post_message("c1", body).status == 202

    response = api.get_conversation("c1")

    assert response.status == 200
    conversation = response.json
    assert conversation["conversation_id"] == "c1"
    assert conversation["status"] == "open"
    assert conversation["message_count"] == 4
    assert [(m["message_id"], m["seq"], m["role"]) for m in conversation["messages"]] == [
        ("m1", 1, "customer"),
        ("m2", 2, "bot"),
        ("m3", 3, "customer"),
        ("m4", 4, "agent"),
    ]
    assert all("fingerprint" not in m for m in conversation["messages"])


def test_get_returns_everything_the_client_sent(api: ApiClient) -> None:
    api.send(api_event("post_message.json"))

    message = api.send(api_event("get_conversation.json")).json["messages"][0]

    sent = sample_body()
    for key in ("message_id", "role", "text", "customer", "channel", "page", "bot", "metadata"):
        assert _without_nulls(message[key]) == sent[key], key
    assert message["sent_at"].startswith("2025-03-14T09:26:53")


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


def test_an_unknown_conversation_is_a_404_naming_conversation_id(api: ApiClient) -> None:
    response = api.get_conversation("never-seen")

    assert response.status == 404
    assert response.json["error"] == "not_found"
    assert response.field == "conversation_id"


# -- operations routes ---------------------------------------------------------------------------------


def test_health_answers_without_building_any_dependency(mocker: MockerFixture) -> None:
    from functions.ingest_api import handler

    get_deps = mocker.patch.object(
        handler, "get_deps", side_effect=AssertionError("health must not touch dependencies")
    )
    app = api_module.create_app(get_deps)
    response = app.resolve(api_event("health.json"), None)

    assert response["statusCode"] == 200
    assert json.loads(response["body"]) == {"status": "ok", "version": __version__}
    get_deps.assert_not_called()


def test_health_through_the_handler(api: ApiClient) -> None:
    response = api.send(api_event("health.json"))
    assert (response.status, response.json) == (200, {"status": "ok", "version": __version__})


def test_the_openapi_document_describes_the_api(api: ApiClient) -> None:
    response = api.send(api_event("openapi.json"))

    assert response.status == 200
    doc = response.json
    assert doc["openapi"].startswith("3.")
    assert doc["info"]["title"] == "Baton API"
    assert doc["info"]["version"] == __version__
    paths = doc["paths"]
    assert set(paths) >= {
        "/v1/conversations/{conversation_id}/messages",
        "/v1/conversations/{conversation_id}",
        "/v1/health",
        "/v1/webhooks/zendesk",
        "/v1/webhooks/intercom",
    }
    scheme = doc["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"], scheme["bearerFormat"]) == ("http", "bearer", "JWT")

    post = paths["/v1/conversations/{conversation_id}/messages"]["post"]
    get = paths["/v1/conversations/{conversation_id}"]["get"]
    assert post["security"] == get["security"] == [{"bearerAuth": []}]
    for public in ("/v1/health", "/v1/webhooks/zendesk", "/v1/webhooks/intercom"):
        for operation in paths[public].values():
            assert not operation.get("security"), public

    assert post["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/MessageIn")
    assert post["responses"]["202"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/MessageAccepted"
    )
    assert get["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/Conversation")
    error_ref = {"$ref": "#/components/schemas/ErrorBody"}
    for code in ("400", "409", "413", "415", "422", "500"):
        assert post["responses"][code]["content"]["application/json"]["schema"] == error_ref, code
    for code in ("404", "422"):
        assert get["responses"][code]["content"]["application/json"]["schema"] == error_ref, code
    schemas = doc["components"]["schemas"]
    assert "HTTPValidationError" not in schemas  # Powertools' default 422 body is not what we answer
    assert schemas["MessageIn"]["additionalProperties"] is False
    assert "message_id" in schemas["MessageIn"]["required"]


def test_public_routes_are_exactly_health_openapi_and_webhooks() -> None:
    assert {
        ("GET", "/v1/health"),
        ("GET", "/v1/openapi.json"),
        ("POST", "/v1/webhooks/zendesk"),
        ("POST", "/v1/webhooks/intercom"),
    } == api_module.PUBLIC_ROUTES
    assert set(api_module.ROUTES) > api_module.PUBLIC_ROUTES


@pytest.mark.usefixtures("process_webhook")
def test_every_declared_route_is_served(api: ApiClient) -> None:
    for method, path in api_module.ROUTES:
        concrete = path.replace("{conversation_id}", "c1")
        body = minimal_body() if path.endswith("/messages") else {}
        response = (
            api.request(method, concrete, body=body) if method == "POST" else api.request(method, concrete)
        )
        assert response.status < 500, (method, path)
        assert response.status not in (404, 405) or response.field not in ("path", "method"), (method, path)


# -- limits --------------------------------------------------------------------------------------------


def test_text_of_exactly_the_limit_is_accepted_one_byte_more_is_not(api: ApiClient) -> None:
    at_limit = "€" * (MAX_TEXT_BYTES // 3) + "x" * (MAX_TEXT_BYTES % 3)  # multi-byte: the limit is in bytes
    assert len(at_limit.encode()) == MAX_TEXT_BYTES

    assert api.post_message("c1", minimal_body("m1", at_limit)).status == 202
    response = api.post_message("c1", minimal_body("m2", at_limit + "x"))
    assert (response.status, response.field) == (422, "text")


def _padded(body: dict[str, Any], size: int) -> str:
    text = json.dumps(body)
    return text[:-1] + " " * (size - len(text.encode())) + "}"


def test_a_body_of_exactly_64_kb_is_accepted_one_byte_more_is_413(api: ApiClient, store) -> None:
    at_limit = _padded(minimal_body("m1"), MAX_BODY_BYTES)
    over = _padded(minimal_body("m2"), MAX_BODY_BYTES + 1)
    assert len(at_limit.encode()) == MAX_BODY_BYTES

    assert api.post_message("c1", raw=at_limit).status == 202
    response = api.post_message("c1", raw=over)
    assert (response.status, response.json["error"], response.field) == (413, "payload_too_large", "body")
    assert store.get_conversation("c1").message_count == 1


def test_an_oversized_body_is_rejected_before_it_is_parsed(api: ApiClient) -> None:
    # Not even JSON: the size is checked first, so the answer is 413, not 400.
    response = api.post_message("c1", raw="{" * (MAX_BODY_BYTES + 10))
    assert (response.status, response.field) == (413, "body")
    response = api.post_message("c1", raw="x" * (MAX_BODY_BYTES + 10), base64_body=True)
    assert (response.status, response.field) == (413, "body")


@pytest.mark.parametrize(
    ("where", "field"),
    [
        ("message_id", "message_id"),
        ("customer.id", "customer.id"),
        ("customer.account_id", "customer.account_id"),
    ],
)
def test_ids_of_128_characters_are_accepted_129_are_not(api: ApiClient, where: str, field: str) -> None:
    def with_id(value: str, message_id: str) -> dict[str, Any]:
        body = minimal_body(message_id)
        if where == "message_id":
            body["message_id"] = value
        else:
            body["customer"][where.split(".")[1]] = value
        return body

    assert api.post_message("c1", with_id("a" * 128, "m-ok")).status == 202
    response = api.post_message("c1", with_id("b" * 129, "m-bad"))
    assert (response.status, response.field) == (422, field)


def test_a_conversation_id_of_128_characters_is_accepted_129_is_not(api: ApiClient) -> None:
    assert api.post_message("a" * 128, minimal_body()).status == 202
    response = api.post_message("a" * 129, minimal_body())
    assert (response.status, response.field) == (422, "conversation_id")
    response = api.get_conversation("a" * 129)
    assert (response.status, response.field) == (422, "conversation_id")


# -- fifty-odd malformed requests, each a 4xx naming its field -------------------------------------------


def _set(path: str, value: Any) -> Any:
    def mutate(body: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = body
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value

    return mutate


def _drop(path: str) -> Any:
    def mutate(body: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = body
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        del node[last]

    return mutate


# (case id, body mutation | raw body | request override, expected status, expected errors[0].field)
BODY_CASES: list[tuple[str, Any, int, str]] = [
    ("missing message_id", _drop("message_id"), 422, "message_id"),
    ("empty message_id", _set("message_id", ""), 422, "message_id"),
    ("message_id with a space", _set("message_id", "msg 1"), 422, "message_id"),
    ("message_id with a slash", _set("message_id", "a/b"), 422, "message_id"),
    ("message_id a number", _set("message_id", 42), 422, "message_id"),
    ("message_id null", _set("message_id", None), 422, "message_id"),
    ("message_id too long", _set("message_id", "m" * 129), 422, "message_id"),
    ("missing role", _drop("role"), 422, "role"),
    ("unknown role", _set("role", "admin"), 422, "role"),
    ("role null", _set("role", None), 422, "role"),
    ("missing text", _drop("text"), 422, "text"),
    ("text a list", _set("text", ["hi"]), 422, "text"),
    ("text over 16 KB", _set("text", "x" * (MAX_TEXT_BYTES + 1)), 422, "text"),
    ("text over 16 KB in bytes only", _set("text", "€" * 6000), 422, "text"),
    ("sent_at not a date", _set("sent_at", "yesterday"), 422, "sent_at"),
    ("sent_at month 13", _set("sent_at", "2025-13-01T00:00:00Z"), 422, "sent_at"),
    ("sent_at an object", _set("sent_at", {"date": "2025-01-01"}), 422, "sent_at"),
    ("sent_at past year 9999 in UTC", _set("sent_at", "9999-12-31T23:59:59-23:59"), 422, "sent_at"),
    ("sent_at a Unix time", _set("sent_at", 12345), 422, "sent_at"),
    ("sent_at a boolean", _set("sent_at", True), 422, "sent_at"),
    (
        "recent action at a number",
        _set("page.recent_actions", [{"type": "click", "at": 5}]),
        422,
        "page.recent_actions.0.at",
    ),
    ("missing customer", _drop("customer"), 422, "customer"),
    ("customer a string", _set("customer", "cus_1"), 422, "customer"),
    ("customer null", _set("customer", None), 422, "customer"),
    ("missing customer.id", _drop("customer.id"), 422, "customer.id"),
    ("customer.id with spaces", _set("customer.id", "cus 1"), 422, "customer.id"),
    ("missing customer.account_id", _drop("customer.account_id"), 422, "customer.account_id"),
    ("customer.language not a tag", _set("customer.language", "english!"), 422, "customer.language"),
    ("customer.email without @", _set("customer.email", "dana.example.com"), 422, "customer.email"),
    ("customer.name empty", _set("customer.name", ""), 422, "customer.name"),
    ("customer extra field", _set("customer.vip", True), 422, "customer.vip"),
    ("channel with a space", _set("channel", "web chat"), 422, "channel"),
    ("page a string", _set("page", "https://x"), 422, "page"),
    ("missing page.url", _drop("page.url"), 422, "page.url"),
    ("page.recent_actions an object", _set("page.recent_actions", {"type": "x"}), 422, "page.recent_actions"),
    ("recent action bad at", _set("page.recent_actions.0.at", "soon"), 422, "page.recent_actions.0.at"),
    ("recent action without type", _drop("page.recent_actions.1.type"), 422, "page.recent_actions.1.type"),
    (
        "recent action before year 1 in UTC",
        _set("page.recent_actions.0.at", "0001-01-01T00:00:00+23:59"),
        422,
        "page.recent_actions.0.at",
    ),
    ("recent action extra field", _set("page.recent_actions.2.by", "x"), 422, "page.recent_actions.2.by"),
    (
        "51 recent actions",
        _set("page.recent_actions", [{"type": "t", "at": "2025-01-01T00:00:00Z"}] * 51),
        422,
        "page.recent_actions",
    ),
    ("bot.confidence above 1", _set("bot.confidence", 1.5), 422, "bot.confidence"),
    ("bot.confidence negative", _set("bot.confidence", -0.1), 422, "bot.confidence"),
    ("bot.confidence a word", _set("bot.confidence", "high"), 422, "bot.confidence"),
    ("bot.confidence a numeric string", _set("bot.confidence", "0.5"), 422, "bot.confidence"),
    ("bot.confidence a boolean", _set("bot.confidence", True), 422, "bot.confidence"),
    ("bot.answer_id invalid", _set("bot.answer_id", "kb article"), 422, "bot.answer_id"),
    ("bot extra field", _set("bot.model", "gpt"), 422, "bot.model"),
    ("metadata a list", _set("metadata", ["a"]), 422, "metadata"),
    ("metadata nested object", _set("metadata.plan", {"tier": "pro"}), 422, "metadata.plan"),
    ("metadata key with a space", _set("metadata", {"bad key": 1}), 422, "metadata.bad key"),
    ("metadata 33 keys", _set("metadata", {f"k{i}": i for i in range(33)}), 422, "metadata"),
    ("metadata over 4 KB", _set("metadata", {f"k{i}": "v" * 1000 for i in range(5)}), 422, "metadata"),
    ("unknown top-level field", _set("priority", "high"), 422, "priority"),
]

RAW_CASES: list[tuple[str, str | bytes, int, str]] = [
    ("empty body", "", 422, "body"),
    ("whitespace body", "   \n", 422, "body"),
    ("null body", "null", 422, "body"),
    ("array body", '[{"message_id": "m1"}]', 422, "body"),
    ("string body", '"hello"', 422, "body"),
    ("number body", "42", 422, "body"),
    ("boolean body", "true", 422, "body"),
    ("truncated JSON", '{"message_id": "m1", ', 400, "body"),
    ("single quotes", "{'message_id': 'm1'}", 400, "body"),
    ("trailing garbage", '{"message_id": "m1"} trailing', 400, "body"),
    ("NaN", '{"bot": {"confidence": NaN}}', 400, "body"),
    ("Infinity", '{"metadata": {"n": Infinity}}', 400, "body"),
    ("float overflow", '{"metadata": {"n": 1e999}}', 400, "body"),
    ("integer too long to parse", '{"metadata": {"n": ' + "9" * 5000 + "}}", 400, "body"),
    ("not UTF-8", b'{"text": "\xff\xfe"}', 400, "body"),
    ("lone surrogate escape", '{"text": "\\ud800"}', 400, "body"),
    ("deeply nested", "[" * 30_000 + "]" * 30_000, 400, "body"),
]


@pytest.mark.parametrize(("case", "mutate", "status", "field"), BODY_CASES, ids=[c[0] for c in BODY_CASES])
def test_malformed_messages_are_4xx_naming_the_field(
    api: ApiClient, store: MemoryConversationStore, case: str, mutate: Any, status: int, field: str
) -> None:
    body = deepcopy(sample_body())
    mutate(body)

    response = api.post_message("c1", body)

    assert 400 <= response.status < 500
    assert (response.status, response.field) == (status, field), response.text
    assert response.json["errors"][0]["message"]
    assert store.get_conversation("c1") is None  # nothing stored


@pytest.mark.parametrize("text", ["", " \n\t "], ids=["empty", "blank"])
def test_a_message_without_text_is_accepted_as_helpdesks_send_attachment_only_messages(
    api: ApiClient, store: MemoryConversationStore, text: str
) -> None:
    # The OpenAPI document allows it, and Zendesk and Intercom send an attachment alone with no text.
    body = deepcopy(sample_body())
    body["text"] = text

    response = api.post_message("c1", body)

    assert response.status == 202, response.text
    stored = store.get_conversation("c1")
    assert stored is not None and [m.text for m in stored.messages] == [text]


@pytest.mark.parametrize(("case", "raw", "status", "field"), RAW_CASES, ids=[c[0] for c in RAW_CASES])
def test_malformed_bodies_are_4xx_naming_body(
    api: ApiClient, store: MemoryConversationStore, case: str, raw: str | bytes, status: int, field: str
) -> None:
    response = api.post_message("c1", raw=raw)

    assert (response.status, response.field) == (status, field), response.text
    assert store.get_conversation("c1") is None


REQUEST_CASES: list[tuple[str, dict[str, Any], int, str]] = [
    (
        "form content type",
        {"headers": {"content-type": "application/x-www-form-urlencoded"}},
        415,
        "content-type",
    ),
    ("text content type", {"headers": {"content-type": "text/plain"}}, 415, "content-type"),
    ("multipart", {"headers": {"content-type": "multipart/form-data; boundary=x"}}, 415, "content-type"),
    ("look-alike content type", {"headers": {"content-type": "application/jsonp"}}, 415, "content-type"),
    ("invalid base64", {"base64_body": "@@not base64@@", "conversation_id": CONV}, 400, "body"),
    ("conversation id with a space", {"conversation_id": "a%20b"}, 422, "conversation_id"),
    ("conversation id with a quote", {"conversation_id": 'a"b'}, 422, "conversation_id"),
    ("conversation id with unicode", {"conversation_id": "caf\u00e9"}, 422, "conversation_id"),
    ("empty conversation id", {"conversation_id": ""}, 422, "conversation_id"),
    ("conversation id too long", {"conversation_id": "c" * 129}, 422, "conversation_id"),
    ("unknown route", {"path": "/v1/conversation/c1/messages"}, 404, "path"),
    ("unversioned route", {"path": "/conversations/c1/messages"}, 404, "path"),
    ("PUT on messages", {"method": "PUT"}, 405, "method"),
    ("GET on messages", {"method": "GET"}, 405, "method"),
    ("DELETE a conversation", {"method": "DELETE", "path": "/v1/conversations/c1"}, 405, "method"),
    ("POST on health", {"method": "POST", "path": "/v1/health"}, 405, "method"),
]


@pytest.mark.parametrize(
    ("case", "request_", "status", "field"), REQUEST_CASES, ids=[c[0] for c in REQUEST_CASES]
)
def test_malformed_requests_are_4xx_naming_the_field(
    api: ApiClient,
    store: MemoryConversationStore,
    case: str,
    request_: dict[str, Any],
    status: int,
    field: str,
) -> None:
    conversation_id = request_.get("conversation_id", "c1")
    path = request_.get("path", f"/v1/conversations/{conversation_id}/messages")
    if "base64_body" in request_:
        event = api_event("post_message.json")  # the sample, with its body replaced as-is
        event["body"], event["isBase64Encoded"] = request_["base64_body"], True
        response = api.send(event)
    else:
        response = api.request(
            request_.get("method", "POST"), path, body=minimal_body(), headers=request_.get("headers")
        )

    assert (response.status, response.field) == (status, field), response.text
    assert store.get_conversation(conversation_id) is None
    if status == 405:
        assert response.headers["Allow"]


def test_there_are_at_least_fifty_malformed_request_kinds() -> None:
    assert len(BODY_CASES) + len(RAW_CASES) + len(REQUEST_CASES) >= 50


def test_the_server_keeps_answering_after_every_malformed_request(api: ApiClient) -> None:
    for _, mutate, _, _ in BODY_CASES:
        body = deepcopy(sample_body())
        mutate(body)
        api.post_message("c1", body)
    for _, raw, _, _ in RAW_CASES:
        api.post_message("c1", raw=raw)

    assert api.post_message("c1", minimal_body()).status == 202
    assert api.get_conversation("c1").json["message_count"] == 1


# -- webhooks ------------------------------------------------------------------------------------------


@pytest.fixture
def process_webhook(mocker: MockerFixture) -> MagicMock:
    """The connectors replaced by a mock of their signature: every delivery is one replied conversation
    (set its `side_effect` to an exception to fail the delivery)."""

    def replied(source: str, *_: Any, **__: Any) -> WebhookResult:
        return WebhookResult(source=source, topic="conversation.user.replied", messages=1, outcomes=0)

    return mocker.patch(
        "baton.ingestion.connectors.webhooks.process_webhook", autospec=True, side_effect=replied
    )


@pytest.mark.parametrize("source", ["zendesk", "intercom"])
def test_a_webhook_gets_the_exact_raw_bytes_and_headers(
    api: ApiClient, process_webhook: MagicMock, source: str
) -> None:
    event = api_event(f"webhook_{source}.json")

    response = api.send(deepcopy(event))

    assert response.status == 200
    assert response.json == {
        "source": source,
        "topic": "conversation.user.replied",
        "messages": 1,
        "outcomes": 0,
        "redactions": 0,
        "duplicate": False,
        "ignored": None,
    }
    process_webhook.assert_called_once()
    (called_source, headers, raw_body), kwargs = process_webhook.call_args
    assert called_source == source
    assert raw_body == event["body"].encode()
    signature_header = "x-zendesk-webhook-signature" if source == "zendesk" else "x-hub-signature"
    assert headers[signature_header] == event["headers"][signature_header]
    assert kwargs["secrets"].get(source) == f"{source}-secret"
    assert kwargs["max_skew_s"] == 300


def test_a_base64_webhook_body_is_passed_decoded_byte_for_byte(
    api: ApiClient, process_webhook: MagicMock
) -> None:
    raw = '{"type":"notification_event","data":{"item":{"body":"<p>caf\u00e9 \U0001f600</p>"}}}  \n'.encode()

    api.request("POST", "/v1/webhooks/intercom", raw=raw)

    (_, _, raw_body), _ = process_webhook.call_args
    assert raw_body == raw


@pytest.mark.parametrize(
    ("source", "header"), [("zendesk", "x-zendesk-webhook-signature"), ("intercom", "x-hub-signature")]
)
def test_a_bad_signature_is_401_and_stores_nothing(
    api: ApiClient,
    process_webhook: MagicMock,
    store: MemoryConversationStore,
    publisher: MemoryPublisher,
    source: str,
    header: str,
) -> None:
    process_webhook.side_effect = InvalidSignature("signature mismatch")

    response = api.send(api_event(f"webhook_{source}.json"))

    assert (response.status, response.json["error"], response.field) == (401, "invalid_signature", header)
    assert publisher.events == []


def test_a_stale_zendesk_timestamp_is_401_naming_the_timestamp_header(
    api: ApiClient, process_webhook: MagicMock
) -> None:
    process_webhook.side_effect = InvalidSignature(
        "stale timestamp: signed 900s ago", "x-zendesk-webhook-signature-timestamp"
    )

    response = api.send(api_event("webhook_zendesk.json"))

    assert (response.status, response.field) == (401, "x-zendesk-webhook-signature-timestamp")


def test_a_bad_payload_is_400_naming_the_field(api: ApiClient, process_webhook: MagicMock) -> None:
    process_webhook.side_effect = PayloadError("data.item.conversation_parts", "expected an object, got null")

    response = api.send(api_event("webhook_intercom.json"))

    assert (response.status, response.field) == (400, "data.item.conversation_parts")
    assert response.json["errors"][0]["message"] == "expected an object, got null"


def test_an_oversized_webhook_is_413_before_verification(api: ApiClient, process_webhook: MagicMock) -> None:
    response = api.request("POST", "/v1/webhooks/zendesk", raw="x" * (api_module.MAX_WEBHOOK_BYTES + 1))

    assert (response.status, response.field) == (413, "body")
    process_webhook.assert_not_called()


def _signed_intercom(api: ApiClient, fixture: str, notification_id: str | None = None) -> Any:
    payload = json.loads((API_EVENTS.parent / "helpdesk" / "intercom" / fixture).read_text())
    if notification_id:
        payload["id"] = notification_id
    raw = json.dumps(payload).encode()
    signature = "sha1=" + hmac.new(b"intercom-secret", raw, hashlib.sha1).hexdigest()
    return api.request("POST", "/v1/webhooks/intercom", raw=raw, headers={"x-hub-signature": signature})


def test_a_redacted_helpdesk_message_reads_with_empty_text_and_redacted_at(
    api: ApiClient, publisher: MemoryPublisher
) -> None:
    conversation_id = "intercom:184467201338812"
    for fixture in ("v2_user_created.json", "v2_user_replied.json"):
        assert _signed_intercom(api, fixture).status == 200

    answer = _signed_intercom(api, "v2_part_redacted.json")
    # The helpdesk retries the original reply later: it must not bring the text back.
    again = _signed_intercom(api, "v2_user_replied.json", notification_id="notif_retry-of-the-reply")

    assert (answer.status, answer.json["redactions"], answer.json["ignored"]) == (200, 1, None)
    assert again.status == 200
    conversation = api.get_conversation(conversation_id).json
    assert conversation["message_count"] == 2
    opening, reply = conversation["messages"]
    assert (reply["message_id"], reply["seq"], reply["role"], reply["text"]) == (
        "intercom:40112233002",
        2,
        "customer",
        "",
    )
    assert reply["redacted_at"] is not None and reply["metadata"] == {}
    assert reply["sent_at"].startswith("2026-01-01T08:01:30")
    assert opening["text"].startswith("Hi, I was charged twice") and opening["redacted_at"] is None
    assert "Order #A-7781" not in json.dumps(conversation)
    assert len(publisher.of_type("MessageReceived")) == 2


# -- observability -------------------------------------------------------------------------------------


def _metrics(stdout: str) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for line in stdout.splitlines():
        if '"_aws"' not in line:
            continue
        record = json.loads(line)
        for directive in record["_aws"]["CloudWatchMetrics"]:
            for metric in directive["Metrics"]:
                values[metric["Name"]] = record[metric["Name"]]
    return values


def test_accepted_duplicate_conflict_and_invalid_requests_are_counted(api: ApiClient, capsys) -> None:
    capsys.readouterr()
    api.post_message("c1", minimal_body())
    assert _metrics(capsys.readouterr().out)["MessagesAccepted"] == [1.0]
    api.post_message("c1", minimal_body())
    assert _metrics(capsys.readouterr().out)["DuplicateMessages"] == [1.0]
    api.post_message("c1", minimal_body(text="changed"))
    assert _metrics(capsys.readouterr().out)["Conflicts"] == [1.0]
    api.post_message("c1", raw="{")
    assert _metrics(capsys.readouterr().out)["ValidationErrors"] == [1.0]


def test_metrics_go_to_the_baton_namespace(api: ApiClient, capsys) -> None:
    api.post_message("c1", minimal_body())
    out = capsys.readouterr().out
    namespaces = {
        d["Namespace"]
        for line in out.splitlines()
        if '"_aws"' in line
        for d in json.loads(line)["_aws"]["CloudWatchMetrics"]
    }
    assert namespaces == {"Baton"}
    assert "MessagesAccepted" in _metrics(out)


def test_rejections_are_logged_without_the_message_text(api: ApiClient, caplog) -> None:
    body = minimal_body(text="my card number is 4111 1111 1111 1111")
    body["role"] = "robot"

    with caplog.at_level("INFO"):
        api.post_message("c1", body)

    # this request's records: the handler runs in this thread (a background thread an earlier integration test left
    # running, e.g. a local runtime's worker, may log its own messages meanwhile)
    mine = [r for r in caplog.records if r.thread == threading.get_ident()]
    [rejected] = [r for r in mine if r.getMessage() == "request rejected"]
    assert (rejected.status, rejected.fields) == (422, ["role"])
    assert not any("4111" in str(vars(record)) for record in mine)


# -- the committed samples -----------------------------------------------------------------------------


def test_the_sample_bodies_are_valid_messages(api: ApiClient) -> None:
    full = json.loads((API_EVENTS / "message_body.json").read_text())
    minimal = json.loads((API_EVENTS / "message_body_minimal.json").read_text())

    assert sample_body() == full  # the sample event carries the sample body
    assert api.post_message("c1", full).status == 202
    assert api.post_message("c1", minimal).status == 202
    assert [m["message_id"] for m in api.get_conversation("c1").json["messages"]] == ["msg-0001", "msg-0002"]


@pytest.mark.parametrize(
    "name", sorted(p.name for p in API_EVENTS.glob("*.json") if not p.name.startswith("message_"))
)
@pytest.mark.usefixtures("process_webhook")
def test_every_sample_event_is_answered_without_a_server_error(api: ApiClient, name: str) -> None:
    event = api_event(name)
    assert event["version"] == "2.0"
    assert (
        event["routeKey"]
        == f"{event['requestContext']['http']['method']} {event['routeKey'].split(' ', 1)[1]}"
    )

    api.send(api_event("post_message.json"))  # so that get_conversation.json finds its conversation

    response = api.send(event)

    assert response.status < 400, response.text
