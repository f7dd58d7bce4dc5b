"""The bus contracts: every event round-trips, carries its conventions, and its committed schema is current."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from baton import schemas
from baton.events import (
    EVENT_TYPES,
    EscalationDecided,
    EventDetail,
    MessageReceived,
    OutcomeRecorded,
    event_id_for,
    parse_detail,
)
from baton.ingestion.service import message_received
from baton.models import MessageIn, Source, StoredMessage, utcnow

ROOT = Path(__file__).resolve().parents[2]


def _stored() -> StoredMessage:
    msg = MessageIn.model_validate(
        {
            "message_id": "m-1",
            "role": "customer",
            "text": "My invoice is wrong",
            "customer": {"id": "c", "account_id": "a"},
        }
    )
    return StoredMessage(
        conversation_id="conv-1", seq=1, received_at=utcnow(), source=Source.api, **msg.model_dump()
    )


def test_every_event_is_defined_with_a_past_tense_name_and_a_baton_source() -> None:
    assert set(EVENT_TYPES) == {
        "MessageReceived",
        "MessageRedacted",
        "MessageScored",
        "EscalationDecided",
        "HandoffPrepared",
        "HandedBack",
        "OutcomeRecorded",
        "OutcomeLabeled",
        "AgentStatusChanged",
        "AgentUpdated",
        "RoutingClockTicked",
        "AccountUpdated",
        "IncidentOpened",
        "IncidentResolved",
    }
    for name, cls in EVENT_TYPES.items():
        assert name == cls.DETAIL_TYPE
        assert cls.SOURCE.startswith("baton.")
        # Past tense: the verb ends the name, or precedes its particle (`HandedBack`).
        assert re.search(r"[a-z]ed(Back|Up|Out)?$", name), name


def test_message_received_round_trips_through_a_put_events_entry() -> None:
    event = message_received(_stored())
    entry = event.entry("bus")
    assert entry["Source"] == "baton.ingestion" and entry["DetailType"] == "MessageReceived"
    parsed = parse_detail(entry["DetailType"], json.loads(entry["Detail"]))
    assert isinstance(parsed, MessageReceived)
    assert parsed == event
    assert parsed.message.text == "My invoice is wrong" and parsed.seq == 1


def test_event_ids_are_stable_per_business_fact() -> None:
    first, again = message_received(_stored()), message_received(_stored())
    assert first.event_id == again.event_id
    assert event_id_for("a", "b") != event_id_for("ab")


def test_newer_producers_may_add_fields_without_breaking_older_consumers() -> None:
    detail = json.loads(message_received(_stored()).model_dump_json())
    detail["added_in_v1_1"] = {"anything": True}
    assert parse_detail("MessageReceived", detail).conversation_id == "conv-1"


def test_contract_violations_are_rejected_naming_the_field() -> None:
    with pytest.raises(ValidationError) as err:
        EscalationDecided(
            event_id="x",
            conversation_id="c",
            seq=1,
            message_id="m",
            action="panic",
            risk=2.0,
            model_version="v",
        )
    fields = {e["loc"][0] for e in err.value.errors()}
    assert fields == {"action", "risk"}
    with pytest.raises(ValidationError):
        OutcomeRecorded(event_id="x", conversation_id="c", source="zendesk", kind="rated", csat=9)


def test_committed_json_schemas_are_current() -> None:
    stale = schemas.stale(ROOT / "events" / "schemas")
    assert not stale, f"run `baton schemas export` and commit: stale {stale}"


def test_schema_files_name_their_eventbridge_source_and_detail_type() -> None:
    for name, cls in EVENT_TYPES.items():
        doc = json.loads((ROOT / "events" / "schemas" / "events" / f"{name}.v{cls.VERSION}.json").read_text())
        assert doc["x-eventbridge"] == {"source": cls.SOURCE, "detail-type": name, "version": cls.VERSION}
        assert "event_id" in doc["required"]
        # Conversation events carry their conversation; context events (accounts, incidents) have none.
        assert ("conversation_id" in doc["required"]) == issubclass(cls, EventDetail), name
