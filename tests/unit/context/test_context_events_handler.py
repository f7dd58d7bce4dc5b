"""The context-events SQS consumer: CRM and bug-tracker events land in the context store; a record it cannot
read fails alone (then the DLQ), never silently."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqs_helpers import FakeContext, envelope, failed, sqs_event

from baton.bus import by_name
from baton.context.service import ContextService
from baton.context.store import MemoryContextStore
from baton.events import CONTEXT_SOURCE
from baton.ingestion.memory import MemoryConversationStore
from baton.local.patterns import matches
from baton.models import MessageIn, View
from baton.scoring.fakes import CUSTOMER, T0
from functions.context_events.handler import lambda_handler


@pytest.fixture
def store() -> MemoryContextStore:
    return MemoryContextStore()


@pytest.fixture
def sample(sample_event) -> dict[str, Any]:
    return sample_event("sqs/score_message_received.json")


def context_envelope(detail_type: str, detail: dict[str, Any]) -> str:
    return envelope(
        {"event_id": f"ev-{detail_type}", **detail}, detail_type=detail_type, source=CONTEXT_SOURCE
    )


def test_accounts_and_incidents_are_stored_and_resolved(store: MemoryContextStore, sample) -> None:
    records = [
        context_envelope(
            "AccountUpdated", {"account": {"id": "acct-1", "plan": "enterprise", "health": "at_risk"}}
        ),
        context_envelope(
            "IncidentOpened",
            {"incident": {"id": "INC-42", "title": "Checkout failures", "keywords": ["checkout"]}},
        ),
        context_envelope("IncidentOpened", {"incident": {"id": "INC-43", "title": "Slow reports"}}),
        context_envelope("IncidentResolved", {"incident_id": "INC-43"}),
    ]
    response = lambda_handler(
        sqs_event(sample, *records),
        FakeContext(),
        service=ContextService(store, MemoryConversationStore()),
    )
    assert failed(response) == []
    assert store.accounts["acct-1"].health == "at_risk"
    assert [i.id for i in store.active_incidents()] == ["INC-42"]


def test_a_record_that_breaks_the_contract_fails_alone_naming_the_field(
    store: MemoryContextStore, sample
) -> None:
    good = context_envelope("AccountUpdated", {"account": {"id": "acct-2"}})
    bad_health = context_envelope("AccountUpdated", {"account": {"id": "acct-3", "health": "fine"}})
    unknown_type = context_envelope("AccountDeleted", {"account_id": "acct-4"})
    not_json = "{not json"
    response = lambda_handler(
        sqs_event(sample, good, bad_health, unknown_type, not_json),
        FakeContext(),
        service=ContextService(store, MemoryConversationStore()),
    )
    assert failed(response) == ["msg-1", "msg-2", "msg-3"]
    assert list(store.accounts) == ["acct-2"]


def test_a_closed_conversation_becomes_a_contact_with_its_last_intent(
    store: MemoryContextStore, sample
) -> None:
    conversations = MemoryConversationStore()
    conversations.append_message(
        "conv-7",
        MessageIn(message_id="m1", customer=CUSTOMER, role="customer", text="the export fails"),
        source="api",
        received_at=T0,
    )
    conversations.show(
        "conv-7",
        View(capability="scoring", fields={"scores": {"intent": "export_failure", "out_of_scope": False}}),
    )
    conversations.append_message(
        "conv-8",
        MessageIn(message_id="m1", customer=CUSTOMER, role="customer", text="hi"),
        source="api",
        received_at=T0,
    )
    conversations.show(
        "conv-8", View(capability="scoring", fields={"scores": {"intent": "greeting", "out_of_scope": True}})
    )
    outcome = {"conversation_id": "conv-7", "source": "zendesk", "kind": "resolved", "resolved_by": "agent"}
    records = [
        envelope({"event_id": "o-1", **outcome}, detail_type="OutcomeRecorded", source="baton.ingestion"),
        envelope(
            {"event_id": "o-2", **outcome, "conversation_id": "conv-8", "kind": "closed"},
            detail_type="OutcomeRecorded",
            source="baton.ingestion",
        ),
        envelope(
            {"event_id": "o-3", **outcome, "conversation_id": "never-seen"},
            detail_type="OutcomeRecorded",
            source="baton.ingestion",
        ),
    ]
    service = ContextService(store, conversations)
    assert failed(lambda_handler(sqs_event(sample, *records), FakeContext(), service=service)) == []
    history = store.contacts[(CUSTOMER.account_id, CUSTOMER.id)]
    assert [(h.conversation_id, h.intent, h.outcome) for h in history] == [
        ("conv-7", "export_failure", "resolved by agent"),
        ("conv-8", None, "closed by agent"),  # out of scope: no intent to match a later contact on
    ]


def test_the_subscription_routes_exactly_the_context_events() -> None:
    pattern = by_name("context-events").pattern
    for detail_type in ("AccountUpdated", "IncidentOpened", "IncidentResolved"):
        assert matches(pattern, json.loads(context_envelope(detail_type, {})))
    closed = {"conversation_id": "c", "kind": "closed"}
    assert matches(
        pattern, json.loads(envelope(closed, detail_type="OutcomeRecorded", source="baton.ingestion"))
    )
    rated = {"conversation_id": "c", "kind": "rated"}
    assert not matches(
        pattern, json.loads(envelope(rated, detail_type="OutcomeRecorded", source="baton.ingestion"))
    )
    assert not matches(pattern, json.loads(envelope({}, detail_type="AccountUpdated", source="crm.example")))
    assert not matches(pattern, json.loads(envelope({}, detail_type="MessageScored", source="baton.scoring")))
