"""Property tests of the ingestion API: whatever arrives, the answer is never a 5xx, and every 4xx is
an `ErrorBody` naming a field.

(a) arbitrary JSON values, bytes, text, ids, methods and headers;
(b) bodies generated from the OpenAPI document's request schema (a small JSON Schema -> hypothesis
    translator below: hypothesis-jsonschema does not work with current hypothesis), then mutated: a required field dropped, a wrong type, an oversized or exotic string, an extra field,
    a null. A body pydantic accepts must be answered 202 (so the generator also checks the document
    matches the contract), any other a 4xx.
"""

from __future__ import annotations

import base64
import itertools
import json
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from api_client import ApiClient, ApiResponse, api_event
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from baton.events import EventDetail
from baton.ingestion import api as api_module
from baton.ingestion.api import ApiDeps, strict_json_loads
from baton.ingestion.service import IngestionService
from baton.models import MAX_BODY_BYTES, ErrorBody, MessageIn

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish")

FUZZ = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

_ids = itertools.count()


class WirePublisher:
    """Serialises every event as the EventBridge adapter does: what cannot go on the wire fails here."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def publish(self, events: Sequence[EventDetail]) -> None:
        for event in events:
            entry = event.entry("baton")
            entry["Detail"].encode("utf-8")
            self.events.append(json.loads(entry["Detail"]))


@pytest.fixture
def fuzz_api(api: ApiClient, api_deps: ApiDeps, store: Any) -> Iterator[ApiClient]:
    from functions.ingest_api import handler

    handler.set_deps(
        ApiDeps(
            service=IngestionService(store, WirePublisher()),
            secrets=api_deps.secrets,
            idempotency=api_deps.idempotency,
            settings=api_deps.settings,
        )
    )
    yield api


def assert_well_behaved(response: ApiResponse) -> None:
    assert response.status < 500, response.text
    if response.status >= 400:
        error = ErrorBody.model_validate_json(response.text)
        assert error.errors, response.text
        assert error.errors[0].field, response.text


def fresh_conversation() -> str:
    return f"fuzz-{next(_ids)}"


# -- (a) arbitrary input -------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=20), children, max_size=5)
    ),
    max_leaves=25,
)
header_names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz-", min_size=1, max_size=30)
header_values = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=80)
content_types = (
    st.sampled_from(
        [
            "application/json",
            "application/json; charset=utf-8",
            "text/plain",
            "application/x-www-form-urlencoded",
            "",
        ]
    )
    | header_values
)


@FUZZ
@given(value=json_values, content_type=content_types)
def test_any_json_value_as_body(fuzz_api: ApiClient, value: Any, content_type: str) -> None:
    response = fuzz_api.post_message(fresh_conversation(), value, headers={"content-type": content_type})
    assert_well_behaved(response)


@FUZZ
@given(data=st.binary(max_size=2048))
def test_any_bytes_as_body(fuzz_api: ApiClient, data: bytes) -> None:
    assert_well_behaved(fuzz_api.post_message(fresh_conversation(), raw=data))


@FUZZ
@given(text=st.text(max_size=2048))
def test_any_text_as_body(fuzz_api: ApiClient, text: str) -> None:
    assert_well_behaved(fuzz_api.post_message(fresh_conversation(), raw=text))


@FUZZ
@given(
    conversation_id=st.text(max_size=200), method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH"])
)
def test_any_conversation_id(fuzz_api: ApiClient, conversation_id: str, method: str) -> None:
    body = {"message_id": "m1", "role": "customer", "text": "hi", "customer": {"id": "c", "account_id": "a"}}
    for path in (f"/v1/conversations/{conversation_id}/messages", f"/v1/conversations/{conversation_id}"):
        response = (
            fuzz_api.request(method, path, body=body) if method != "GET" else fuzz_api.request(method, path)
        )
        assert_well_behaved(response)


@FUZZ
@given(
    path=st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=0x2FF), max_size=60).map(
        lambda p: "/" + p
    ),
    method=st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=8),
)
def test_any_path_and_method(fuzz_api: ApiClient, path: str, method: str) -> None:
    assert_well_behaved(fuzz_api.request(method, path, raw="{}"))


@FUZZ
@given(headers=st.dictionaries(header_names, header_values, max_size=8))
def test_any_headers(fuzz_api: ApiClient, headers: dict[str, str]) -> None:
    body = {"message_id": "m1", "role": "bot", "text": "hi", "customer": {"id": "c", "account_id": "a"}}
    response = fuzz_api.post_message(fresh_conversation(), body, headers=headers)
    assert_well_behaved(response)
    if "content-type" not in headers:
        assert response.status == 202


# -- (b) bodies from the OpenAPI request schema, then mutated ---------------------------------------


def _request_schema() -> tuple[dict[str, Any], dict[str, Any]]:
    """The POST body schema as served at /v1/openapi.json, and the components it refers to."""
    doc = json.loads(api_module.openapi_json(api_module.create_app(lambda: None)))
    body = doc["paths"]["/v1/conversations/{conversation_id}/messages"]["post"]["requestBody"]
    return body["content"]["application/json"]["schema"], doc["components"]["schemas"]


_OFFSETS = st.sampled_from(
    [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-8)), None]
)


def from_schema(schema: dict[str, Any], defs: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values valid for the JSON Schema subset pydantic emits for these models."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return st.deferred(lambda: from_schema(defs[name], defs))
    if "anyOf" in schema:
        return st.one_of([from_schema(option, defs) for option in schema["anyOf"]])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if kind == "null":
        return st.none()
    if kind == "boolean":
        return st.booleans()
    if kind == "integer":
        return st.integers(min_value=schema.get("minimum"), max_value=schema.get("maximum"))
    if kind == "number":
        return st.floats(
            min_value=schema.get("minimum"),
            max_value=schema.get("maximum"),
            allow_nan=False,
            allow_infinity=False,
        )
    if kind == "string":
        return _string_from_schema(schema)
    if kind == "array":
        return st.lists(
            from_schema(schema.get("items", {}), defs), max_size=min(schema.get("maxItems", 5), 5)
        )
    if kind == "object":
        return _object_from_schema(schema, defs)
    return json_values


def _string_from_schema(schema: dict[str, Any]) -> st.SearchStrategy[str]:
    if schema.get("format") == "date-time":
        return st.builds(
            lambda moment, tz: moment.replace(tzinfo=tz).isoformat(),
            st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
            _OFFSETS,
        )
    if "pattern" in schema:
        return st.from_regex(schema["pattern"], fullmatch=True)
    return st.text(min_size=schema.get("minLength", 0), max_size=min(schema.get("maxLength", 200), 200))


def _object_from_schema(schema: dict[str, Any], defs: dict[str, Any]) -> st.SearchStrategy[Any]:
    properties = schema.get("properties", {})
    if properties:
        required = set(schema.get("required", []))
        return st.fixed_dictionaries(
            {k: from_schema(v, defs) for k, v in properties.items() if k in required},
            optional={k: from_schema(v, defs) for k, v in properties.items() if k not in required},
        )
    if "patternProperties" in schema:
        [(pattern, values)] = schema["patternProperties"].items()
        return st.dictionaries(st.from_regex(pattern, fullmatch=True), from_schema(values, defs), max_size=5)
    return st.dictionaries(st.text(max_size=10), json_values, max_size=3)


valid_bodies = from_schema(*_request_schema())  # text may be empty: a message with only an attachment

wrong_types = st.sampled_from([None, True, 0, -1, 1.5, "", "x", [], [1], {}, {"a": 1}])
exotic_strings = st.sampled_from(
    [
        "x" * 129,
        "x" * 2049,
        "x" * 16_385,
        "€" * 5_462,
        "\u0000",
        "\u200b",
        "e\u0301",
        "\u202eevil",
        "😀" * 100,
        "'; DROP TABLE conversations; --",
        "{{7*7}}",
        "../../etc/passwd",
        "\ud7ff\ue000\ufffd",
    ]
) | st.text(max_size=300)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


def _parent(body: Any, path: tuple[Any, ...]) -> Any:
    for key in path[:-1]:
        body = body[key]
    return body


@st.composite
def mutated_bodies(draw: st.DrawFn) -> tuple[str, Any]:
    body = draw(valid_bodies)
    kind = draw(st.sampled_from(["none", "drop", "wrong_type", "string", "extra", "null"]))
    paths = _paths(body)
    if kind == "none" or not paths:
        return kind, body
    path = draw(st.sampled_from(paths))
    parent = _parent(body, path)
    key = path[-1]
    if kind == "drop":
        if isinstance(parent, dict):
            del parent[key]
        else:
            parent.pop(key)
    elif kind == "wrong_type":
        parent[key] = draw(wrong_types)
    elif kind == "string":
        parent[key] = draw(exotic_strings)
    elif kind == "null":
        parent[key] = None
    elif kind == "extra":
        target = parent if isinstance(parent, dict) else body
        target[draw(st.text(min_size=1, max_size=20))] = draw(wrong_types)
    return kind, body


@FUZZ
@given(case=mutated_bodies())
def test_bodies_from_the_openapi_schema_mutated(fuzz_api: ApiClient, case: tuple[str, Any]) -> None:
    _, body = case
    raw = json.dumps(body)
    conversation_id = fresh_conversation()

    response = fuzz_api.post_message(conversation_id, raw=raw)

    assert_well_behaved(response)
    try:
        message = MessageIn.model_validate(strict_json_loads(raw))  # the contract itself is the oracle
        # ... and the conversation's state: a fresh one has no customer yet, so its first message must name one
        # (a bot's or an agent's may omit `customer` only once the conversation has one).
        valid = message.customer is not None
    except (ValidationError, ValueError):
        valid = False
    if len(raw.encode()) > MAX_BODY_BYTES:
        assert response.status == 413
    elif valid:
        assert response.status == 202, response.text
        assert response.json == {"conversation_id": conversation_id, "message_id": body["message_id"]}
        stored = fuzz_api.get_conversation(conversation_id)
        assert stored.status == 200, stored.text
        assert stored.json["messages"][0]["text"] == body["text"]
    else:
        assert 400 <= response.status < 500


@FUZZ
@given(case=mutated_bodies(), encode=st.booleans())
def test_mutated_bodies_as_base64(fuzz_api: ApiClient, case: tuple[str, Any], encode: bool) -> None:
    _, body = case
    raw = json.dumps(body, ensure_ascii=not encode)
    event = api_event("post_message.json")
    event["rawPath"] = event["requestContext"]["http"]["path"] = (
        f"/v1/conversations/{fresh_conversation()}/messages"
    )
    event["body"], event["isBase64Encoded"] = base64.b64encode(raw.encode()).decode(), True
    assert_well_behaved(fuzz_api.send(event))
