"""The helpdesk-writeback SQS consumer, through the handler as Lambda calls it: HandoffPrepared records in, the
helpdesk calls out, a refused or unreachable helpdesk failing its record alone with the reason logged beside the
SQS message id (what `baton dlq show` prints)."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from helpdesk_fakes import ScriptedTransport, answer, assignment, desks, handoff_detail
from sqs_helpers import FakeContext, envelope, failed, sqs_event

from baton.bus import by_name
from baton.events import HandoffPrepared
from baton.local.patterns import matches
from baton.routing.writeback import WritebackService
from functions.helpdesk_writeback.handler import lambda_handler


@pytest.fixture
def sample(sample_event: Any) -> dict[str, Any]:
    return sample_event("sqs/score_message_received.json")


def record(detail: dict[str, Any]) -> str:
    return envelope(detail, detail_type=HandoffPrepared.DETAIL_TYPE, source=HandoffPrepared.SOURCE)


def writeback(transport: ScriptedTransport, idempotency: Any) -> WritebackService:
    return WritebackService(desks(transport, None), idempotency(), budget_s=55, lock_ms=60_000)


def metrics_out(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    """The EMF blobs printed, one per invocation (the cold-start one left out)."""
    blobs = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith('{"_aws"')]
    return [
        b
        for b in blobs
        if [m["Name"] for d in b["_aws"]["CloudWatchMetrics"] for m in d["Metrics"]] != ["ColdStart"]
    ]


def test_the_subscription_takes_every_handoff_and_nothing_else() -> None:
    pattern = by_name("helpdesk-writeback").pattern
    assert matches(pattern, json.loads(record(handoff_detail())))
    assert not matches(
        pattern, json.loads(envelope({}, detail_type="HandoffPrepared", source="baton.ingestion"))
    )
    assert not matches(
        pattern, json.loads(envelope({}, detail_type="EscalationDecided", source="baton.decision"))
    )


def test_handoffs_are_written_once_and_api_conversations_skipped(
    sample: dict[str, Any], idempotency: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    transport = ScriptedTransport()
    service = writeback(transport, idempotency)
    zendesk = record(handoff_detail("zendesk:123", assigned=assignment()))
    api_only = record(handoff_detail("api-conv-7"))

    response = lambda_handler(sqs_event(sample, zendesk, api_only), FakeContext(), service=service)
    redelivered = lambda_handler(sqs_event(sample, zendesk, receives=2), FakeContext(), service=service)

    assert failed(response) == [] and failed(redelivered) == []
    ((method, url),) = [(r.method, r.url) for r in transport.requests]
    assert (method, url) == ("PUT", "https://acme.zendesk.com/api/v2/tickets/123.json")
    out = metrics_out(capsys)
    first, second = [{k: v for k, v in m.items() if k[0].isupper() and k != "ColdStart"} for m in out]
    assert first == {
        "HelpdeskNotesPosted": [1.0],
        "HelpdeskAssignmentsSet": [1.0],
        "HandoffsWithoutHelpdesk": [1.0],
    }
    assert second == {"DuplicateHandoffs": [1.0]}


def test_a_refused_write_fails_its_record_alone_with_the_reason_logged(
    sample: dict[str, Any], idempotency: Any, caplog: pytest.LogCaptureFixture
) -> None:
    transport = ScriptedTransport(answer(404, {"error": "RecordNotFound", "description": "Not found"}))
    service = writeback(transport, idempotency)
    gone = record(handoff_detail("zendesk:404"))
    fine = record(handoff_detail("intercom:215467"))

    response = lambda_handler(sqs_event(sample, gone, fine), FakeContext(), service=service)

    assert failed(response) == ["msg-0"]
    (error,) = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert error.sqs_message_id == "msg-0"
    assert error.reason == (
        "HelpdeskRejected: zendesk rejected PUT /api/v2/tickets/404.json (note): HTTP 404: RecordNotFound: Not found"
    )
    assert "zd-token-123" not in caplog.text and "ic-token-456" not in caplog.text


def test_an_unreachable_helpdesk_fails_the_record_for_sqs_to_retry(
    sample: dict[str, Any], idempotency: Any, caplog: pytest.LogCaptureFixture
) -> None:
    transport = ScriptedTransport(*(answer(503, {"type": "error.list"}) for _ in range(3)))
    service = WritebackService(desks(transport), idempotency(), budget_s=55, lock_ms=60_000)

    response = lambda_handler(
        sqs_event(sample, record(handoff_detail("intercom:215467"))), FakeContext(), service=service
    )

    assert failed(response) == ["msg-0"] and len(transport.requests) == 3
    (error,) = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert error.reason.startswith(
        "HelpdeskUnavailable: intercom did not accept POST /conversations/215467/reply"
    )
    assert idempotency.records() == {}  # nothing remembered: the retry writes the note


def test_an_assignee_without_a_helpdesk_id_is_logged_as_a_warning(
    sample: dict[str, Any], idempotency: Any, caplog: pytest.LogCaptureFixture
) -> None:
    transport = ScriptedTransport()
    detail = handoff_detail("zendesk:123", assigned=assignment(helpdesk_id=None, team=None))

    response = lambda_handler(
        sqs_event(sample, record(detail)), FakeContext(), service=writeback(transport, idempotency)
    )

    assert failed(response) == []
    (warning,) = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert warning.agent_id == "ag-ana" and warning.conversation_id == "zendesk:123"
