"""The insights consumer as Lambda runs it: SQS records of its bus events -> summaries; its clock -> the two
metrics the drift alarm watches; a malformed record fails alone. And its subscription: every event the facts read
reaches it, and its declared access is what its code does."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqs_helpers import FakeContext, envelope, failed, sqs_event
from test_insights_service import escalated, received

from baton.bus import by_name
from baton.events import RoutingClockTicked
from baton.insights.facts import EVENTS
from baton.insights.service import InsightsService
from baton.insights.store import MemoryInsightsStore
from baton.local.patterns import matches
from functions.insights.handler import lambda_handler

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish")

NOW = datetime(2026, 11, 16, 12, 0, tzinfo=UTC)


@pytest.fixture
def store() -> MemoryInsightsStore:
    return MemoryInsightsStore()


@pytest.fixture
def service(store: MemoryInsightsStore) -> InsightsService:
    return InsightsService(store, clock=lambda: NOW)


@pytest.fixture
def sample(sample_event: Any) -> dict[str, Any]:
    return sample_event("sqs/score_message_received.json")


def body(event: Any) -> str:
    return envelope(json.loads(event.model_dump_json()), detail_type=event.DETAIL_TYPE, source=event.SOURCE)


def tick() -> str:
    return body(RoutingClockTicked(event_id="tick-1", occurred_at=NOW))


def test_every_event_the_summary_reads_reaches_the_consumer_and_no_other() -> None:
    pattern = by_name("insights").pattern
    for event_type in EVENTS:
        assert matches(pattern, {"source": event_type.SOURCE, "detail-type": event_type.DETAIL_TYPE}), (
            event_type
        )
    assert not matches(pattern, {"source": "baton.agents", "detail-type": "AgentStatusChanged"})


def test_the_consumer_declares_what_its_code_does() -> None:
    sub = by_name("insights")
    access = sub.access.table_calls()
    # Get the summary, Query the contact records and the buckets; the transaction's Put and Updates; the segment.
    assert access == {
        "conversations": ("GetItem", "Query", "PutItem", "UpdateItem"),
        "context": ("GetItem", "Query"),
    }
    assert sub.schedule_minutes == 60 and not sub.publishes


def test_a_batch_of_events_becomes_summaries(
    sample: dict[str, Any],
    service: InsightsService,
    store: MemoryInsightsStore,
    capsys: pytest.CaptureFixture[str],
) -> None:
    when = NOW - timedelta(hours=1)
    event = sqs_event(
        sample, body(received("c1", 1, when)), body(escalated("c1", 1, when)), body(received("c2", 1, when))
    )

    response = lambda_handler(event, FakeContext(), service=service)

    assert failed(response) == []
    statuses = {s.conversation_id: s.status for s in store.list_conversations().conversations}
    assert statuses == {"c1": "escalated", "c2": "open"}


def test_a_malformed_record_fails_alone(
    sample: dict[str, Any], service: InsightsService, store: MemoryInsightsStore
) -> None:
    broken = json.loads(body(received("c1", 1, NOW)))
    broken["detail"]["seq"] = "first"
    event = sqs_event(sample, json.dumps(broken), body(received("c2", 1, NOW)))

    response = lambda_handler(event, FakeContext(), service=service)

    assert failed(response) == ["msg-0"]
    assert [s.conversation_id for s in store.list_conversations().conversations] == ["c2"]


def test_the_clock_emits_the_escalation_rate_and_its_drift(
    sample: dict[str, Any],
    service: InsightsService,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    for n in range(40):
        start = NOW - timedelta(days=10 if n < 20 else 2, minutes=n)
        service.handle(received(f"c{n}", 1, start))
        if n in (0, 1) or 20 <= n < 30:
            service.handle(escalated(f"c{n}", 1, start))
    capsys.readouterr()

    response = lambda_handler(sqs_event(sample, tick()), FakeContext(), service=service)

    assert failed(response) == []
    blobs = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    emitted = {k: v for blob in blobs for k, v in blob.items() if k.startswith("EscalationRate")}
    assert emitted == {"EscalationRate": [50.0], "EscalationRateDriftPts": [40.0]}
    [blob] = [b for b in blobs if "EscalationRate" in b]
    assert blob["service"] == "insights" and blob["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "Baton"
