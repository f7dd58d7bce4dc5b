"""The helpdesk write-back (`baton.routing.writeback`): one note per escalation and one assignment per agent,
whatever the redeliveries; API conversations skipped; a failed write retried in full. Idempotency records in the
idempotency table (moto), as deployed."""

from __future__ import annotations

import json
from typing import Any

import pytest
from helpdesk_fakes import FakeClock, ScriptedTransport, answer, assignment, desks, handoff

from baton.adapters.helpdesk import HelpdeskRejected, HelpdeskUnavailable
from baton.events import HandoffPrepared
from baton.routing.writeback import (
    WRITEBACK_TTL_S,
    WritebackInProgress,
    WritebackService,
    Written,
    target_of,
)


def service(
    transport: ScriptedTransport, idempotency: Any, clock: FakeClock | None = None
) -> WritebackService:
    clock = clock or FakeClock()
    return WritebackService(
        desks(transport, clock), idempotency(), budget_s=55, lock_ms=60_000, clock=clock.monotonic
    )


def bodies(transport: ScriptedTransport) -> list[tuple[str, str, dict[str, Any]]]:
    return [(r.method, r.path, r.body) for r in transport.requests]


def comment(transport: ScriptedTransport) -> list[bool]:
    """Per request: did it carry a note (a Zendesk comment or an Intercom note)?"""
    return [
        "comment" in r.body.get("ticket", {}) or r.body.get("message_type") == "note"
        for r in transport.requests
    ]


def test_a_queued_escalation_gets_its_note_once_whatever_the_redeliveries(idempotency: Any) -> None:
    transport = ScriptedTransport()
    writeback = service(transport, idempotency)
    event = handoff("zendesk:123")

    first = writeback.handle(event)
    again = [writeback.handle(event), writeback.handle(HandoffPrepared.model_validate(event.model_dump()))]

    assert first == Written(helpdesk="zendesk", note="posted", assignment="queued")
    assert again == [Written(helpdesk="zendesk", note="replayed", assignment="queued")] * 2
    assert all(w.duplicate for w in again) and again[0].metrics() == {"DuplicateHandoffs": 1}
    assert first.metrics() == {"HelpdeskNotesPosted": 1}
    assert len(transport.requests) == 1 and comment(transport) == [True]
    (record,) = idempotency.records().values()
    assert record["id"].startswith("writeback#") and record["status"] == "COMPLETED"
    # Kept WRITEBACK_TTL_S; a delivery that died would have held it for the function's timeout (lock_ms) only.
    assert abs(record["expiration"] - record["in_progress_expiration"] // 1000 - (WRITEBACK_TTL_S - 60)) <= 2


def test_a_queued_escalation_assigned_later_gets_the_assignee_and_no_second_note(idempotency: Any) -> None:
    transport = ScriptedTransport()
    writeback = service(transport, idempotency)
    queued, assigned = handoff("zendesk:123"), handoff("zendesk:123", assigned=assignment())

    writeback.handle(queued)
    written = writeback.handle(assigned)
    for event in (assigned, queued, assigned):  # redeliveries, in any order
        assert writeback.handle(event).duplicate

    assert written == Written(helpdesk="zendesk", note="replayed", assignment="set")
    assert written.metrics() == {"HelpdeskAssignmentsSet": 1}
    assert bodies(transport)[1] == ("PUT", "/api/v2/tickets/123.json", {"ticket": {"assignee_id": 5001}})
    assert comment(transport) == [True, False]


def test_zendesk_writes_a_direct_assignment_and_its_note_in_one_update(idempotency: Any) -> None:
    transport = ScriptedTransport()
    writeback = service(transport, idempotency)
    event = handoff("zendesk:123", assigned=assignment())

    written = writeback.handle(event)
    replayed = writeback.handle(event)

    assert written == Written(helpdesk="zendesk", note="posted", assignment="set")
    assert replayed == Written(helpdesk="zendesk", note="replayed", assignment="replayed")
    ((method, path, body),) = bodies(transport)
    assert (method, path) == ("PUT", "/api/v2/tickets/123.json")
    assert body["ticket"]["assignee_id"] == 5001 and body["ticket"]["comment"]["public"] is False
    assert len(idempotency.records()) == 1  # the assignment went with the note: no unit of its own


def test_intercom_writes_the_note_then_the_assignment_each_once(idempotency: Any) -> None:
    transport = ScriptedTransport()
    writeback = service(transport, idempotency)
    event = handoff("intercom:215467", assigned=assignment())

    assert writeback.handle(event) == Written(helpdesk="intercom", note="posted", assignment="set")
    assert writeback.handle(event).duplicate
    assert [(path, body["message_type"]) for _, path, body in bodies(transport)] == [
        ("/conversations/215467/reply", "note"),
        ("/conversations/215467/parts", "assignment"),
    ]
    assert bodies(transport)[1][2]["assignee_id"] == "5001"


def test_a_reassignment_is_written_once_without_another_note(idempotency: Any) -> None:
    transport = ScriptedTransport()
    writeback = service(transport, idempotency)
    ana = handoff("intercom:215467", assigned=assignment())
    bo = handoff("intercom:215467", assigned=assignment("ag-bo", helpdesk_id="5002"))

    writeback.handle(ana)
    written = writeback.handle(bo)
    writeback.handle(bo)

    assert written == Written(helpdesk="intercom", note="replayed", assignment="set")
    assert [body["message_type"] for _, _, body in bodies(transport)] == ["note", "assignment", "assignment"]
    assert bodies(transport)[2][2]["assignee_id"] == "5002"


def test_a_later_escalation_of_the_same_conversation_gets_its_own_note(idempotency: Any) -> None:
    transport = ScriptedTransport()
    writeback = service(transport, idempotency)

    writeback.handle(handoff("zendesk:123", seq=4))
    writeback.handle(handoff("zendesk:123", seq=9))

    assert comment(transport) == [True, True]


def test_without_an_agent_id_the_team_is_assigned_else_only_the_note_is_written(idempotency: Any) -> None:
    transport = ScriptedTransport()
    writeback = service(transport, idempotency)
    by_team = handoff("zendesk:1", assigned=assignment(helpdesk_id=None, team="360001"))
    unknown = handoff("zendesk:2", assigned=assignment(helpdesk_id="ana@acme.example", team="Billing"))

    assert writeback.handle(by_team).assignment == "set"
    written = writeback.handle(unknown)

    assert bodies(transport)[0][2]["ticket"]["group_id"] == 360001
    assert "assignee_id" not in bodies(transport)[0][2]["ticket"]
    assert written == Written(helpdesk="zendesk", note="posted", assignment="unknown")
    assert bodies(transport)[1][2]["ticket"].keys() == {"comment"}
    assert written.metrics() == {"HelpdeskNotesPosted": 1, "AssigneesWithoutHelpdeskId": 1}


@pytest.mark.parametrize(
    "conversation_id", ["api-conv-1", "chat:42", "zendesk:abc", "intercom:a_b.0123456789abcdef"]
)
def test_a_conversation_without_a_helpdesk_is_skipped_and_counted(
    idempotency: Any, conversation_id: str
) -> None:
    transport = ScriptedTransport()
    written = service(transport, idempotency).handle(handoff(conversation_id, assigned=assignment()))

    assert written.skipped is not None and written.helpdesk is None
    assert written.metrics() == {"HandoffsWithoutHelpdesk": 1}
    assert transport.requests == [] and idempotency.records() == {}


def test_the_conversation_id_names_the_helpdesk_object() -> None:
    from baton.ingestion.connectors import intercom, zendesk
    from baton.routing import writeback

    assert (writeback.ZENDESK_PREFIX, writeback.INTERCOM_PREFIX) == (
        zendesk.CONVERSATION_PREFIX,
        intercom.PREFIX,
    )
    assert target_of("zendesk:123") is not None and target_of("zendesk:123").native_id == "123"  # type: ignore[union-attr]
    assert target_of("intercom:215467").helpdesk == "intercom"  # type: ignore[union-attr]
    assert target_of("zendesk-org:123") is None and target_of("zendesk:") is None


def test_a_refused_write_keeps_no_record_so_the_retry_writes_it_once(idempotency: Any) -> None:
    transport = ScriptedTransport(answer(404, {"error": "RecordNotFound", "description": "Not found"}))
    writeback = service(transport, idempotency)
    event = handoff("zendesk:123", assigned=assignment())

    with pytest.raises(HelpdeskRejected, match="HTTP 404: RecordNotFound: Not found"):
        writeback.handle(event)
    assert idempotency.records() == {}

    assert writeback.handle(event).note == "posted"  # the helpdesk accepts the retry
    assert writeback.handle(event).duplicate
    assert len(transport.requests) == 2


def test_a_note_written_before_its_assignment_failed_is_not_written_again(idempotency: Any) -> None:
    transport = ScriptedTransport(answer(200, {}), *(answer(503, {"type": "error.list"}) for _ in range(3)))
    writeback = service(transport, idempotency)
    event = handoff("intercom:215467", assigned=assignment())

    with pytest.raises(HelpdeskUnavailable):
        writeback.handle(event)
    written = writeback.handle(event)

    assert written == Written(helpdesk="intercom", note="replayed", assignment="set")
    assert [body["message_type"] for _, _, body in bodies(transport)] == ["note"] + ["assignment"] * 4


def test_the_event_budget_bounds_the_retries(idempotency: Any) -> None:
    clock = FakeClock()
    transport = ScriptedTransport(*(answer(503, b"down") for _ in range(3)))
    writeback = WritebackService(
        desks(transport, clock), idempotency(), budget_s=10, lock_ms=60_000, clock=clock.monotonic
    )

    with pytest.raises(HelpdeskUnavailable, match="no time left"):
        writeback.handle(handoff("zendesk:123"))
    assert len(transport.requests) == 1 and clock.sleeps == []


class ReentrantTransport(ScriptedTransport):
    """While the first request is in flight, the same event is handled again (a concurrent redelivery)."""

    def __init__(self) -> None:
        super().__init__()
        self.writeback: WritebackService | None = None
        self.event: HandoffPrepared | None = None
        self.concurrent: Exception | None = None

    def send(self, request: Any) -> Any:
        if self.writeback is not None and self.event is not None and self.concurrent is None:
            try:
                self.writeback.handle(self.event)
            except WritebackInProgress as exc:
                self.concurrent = exc
        return super().send(request)


def test_a_concurrent_delivery_of_the_same_event_writes_nothing_and_is_retried(idempotency: Any) -> None:
    transport = ReentrantTransport()
    writeback = service(transport, idempotency)
    transport.writeback, transport.event = writeback, handoff("zendesk:123")

    assert writeback.handle(transport.event).note == "posted"
    assert isinstance(transport.concurrent, WritebackInProgress)
    assert "retried later" in str(transport.concurrent)
    assert len(transport.requests) == 1


def test_results_are_stored_as_json_the_next_container_reads(idempotency: Any) -> None:
    service(ScriptedTransport(), idempotency).handle(handoff("zendesk:123", assigned=assignment()))
    (record,) = idempotency.records().values()
    assert json.loads(record["data"]) == {"assigned_agent": "ag-ana", "replayed": False}
