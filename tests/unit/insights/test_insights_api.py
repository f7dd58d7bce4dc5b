"""`GET /v1/conversations` and `GET /v1/kpis` through the ingest Lambda handler, on the memory insights store:
the console's pages, the KPI range, and a 4xx naming the field for every bad parameter."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from api_client import ApiClient, ApiResponse, api_event

from baton.ingestion import api as api_module
from baton.ingestion.api import ApiDeps
from baton.insights.facts import InsightsState
from baton.insights.models import ConversationSummary
from baton.insights.store import MemoryInsightsStore

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish")

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def insights() -> MemoryInsightsStore:
    store = MemoryInsightsStore()
    for n, status in enumerate(["escalated", "open", "queued", "escalated", "closed"]):
        s = ConversationSummary(
            conversation_id=f"c{n}",
            status=status,
            last_activity_at=T0 + timedelta(minutes=n),
            intent="billing",
        )
        store.save(
            s.conversation_id, InsightsState(), s, expected_version=0, contribution={}, differences={}, at=T0
        )
    return store


@pytest.fixture
def client(api_deps: ApiDeps, insights: MemoryInsightsStore) -> Iterator[ApiClient]:
    from functions.ingest_api import handler

    handler.set_deps(dataclasses.replace(api_deps, insights=lambda: insights))
    yield ApiClient(handler)
    handler.set_deps(None)


def get(client: ApiClient, path: str, **query: Any) -> ApiResponse:
    event = api_event("post_message.json")
    event["rawQueryString"] = urlencode(query)
    event["queryStringParameters"] = {k: str(v) for k, v in query.items()}
    return client.request("GET", path, event=event)


def ids(response: ApiResponse) -> list[str]:
    return [c["conversation_id"] for c in response.json["conversations"]]


def test_both_routes_need_the_bearer_token() -> None:
    for route in [("GET", "/v1/conversations"), ("GET", "/v1/kpis")]:
        assert route in api_module.ROUTES and route not in api_module.PUBLIC_ROUTES


def test_conversations_are_listed_newest_first_by_status_page_by_page(client: ApiClient) -> None:
    everything = get(client, "/v1/conversations")
    assert everything.status == 200
    assert ids(everything) == ["c4", "c3", "c2", "c1", "c0"] and everything.json["next_cursor"] is None
    assert everything.json["conversations"][0]["status"] == "closed"

    first = get(client, "/v1/conversations", status="escalated,queued", limit=2)
    assert ids(first) == ["c3", "c2"]
    second = get(
        client, "/v1/conversations", status="escalated,queued", limit=2, cursor=first.json["next_cursor"]
    )
    assert ids(second) == ["c0"] and second.json["next_cursor"] is None

    since = get(client, "/v1/conversations", **{"from": (T0 + timedelta(minutes=3)).isoformat()})
    assert ids(since) == ["c4", "c3"]


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ({"status": "escalated,lost"}, 422, "status"),
        ({"from": "yesterday"}, 422, "from"),
        ({"from": "2026-11-02T25:00:00Z"}, 422, "from"),
        ({"limit": "0"}, 422, "limit"),
        ({"limit": "101"}, 422, "limit"),
        ({"limit": "ten"}, 422, "limit"),
        ({"cursor": "bm90LWEtY3Vyc29y"}, 400, "cursor"),
    ],
)
def test_a_bad_list_parameter_is_refused_naming_it(
    client: ApiClient, query: dict[str, str], status: int, field: str
) -> None:
    response = get(client, "/v1/conversations", **query)

    assert (response.status, response.field) == (status, field), response.text


def test_kpis_default_to_the_last_28_days_with_from_and_to_keys(client: ApiClient) -> None:
    response = get(client, "/v1/kpis")

    assert response.status == 200, response.text
    today = datetime.now(UTC).date()
    assert response.json["to"] == today.isoformat()
    assert response.json["from"] == (today - timedelta(days=27)).isoformat()
    assert "totals" in response.json and "start" not in response.json


def test_kpis_of_a_range(client: ApiClient) -> None:
    response = get(client, "/v1/kpis", **{"from": "2026-01-01", "to": "2026-12-31"})

    assert response.status == 200, response.text
    assert (response.json["from"], response.json["to"]) == ("2026-01-01", "2026-12-31")
    assert json.dumps(response.json)  # plain JSON all the way down


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"from": "2026-02-30"}, "from", ""),
        ({"to": "soon"}, "to", ""),
        ({"from": "2026-03-02", "to": "2026-03-01"}, "to", "before"),
        ({"from": "2025-01-01", "to": "2026-01-02"}, "to", "at most 366"),
        ({"from": date.today().isoformat() + "x"}, "from", ""),
    ],
)
def test_a_bad_kpi_range_is_refused_naming_the_field(
    client: ApiClient, query: dict[str, str], field: str, message: str
) -> None:
    response = get(client, "/v1/kpis", **query)

    assert (response.status, response.field) == (422, field), response.text
    assert message in response.json["errors"][0]["message"]


def test_the_openapi_document_describes_both_routes(client: ApiClient) -> None:
    doc = client.request("GET", "/v1/openapi.json").json
    listing = doc["paths"]["/v1/conversations"]["get"]
    assert {p["name"] for p in listing["parameters"]} == {"status", "from", "limit", "cursor"}
    assert listing["security"] == [{"bearerAuth": []}]
    kpis = doc["paths"]["/v1/kpis"]["get"]
    assert {p["name"] for p in kpis["parameters"]} == {"from", "to"}
    assert "Kpis" in json.dumps(kpis["responses"]["200"])
