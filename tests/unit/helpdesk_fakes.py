"""Fakes for the helpdesk write-back's tests: a scripted transport (answers in order, records every request), a
fake clock whose sleeps advance it, the credentials as the secret source holds them, and HandoffPrepared events."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from baton.adapters.helpdesk import HelpdeskHttp, HelpdeskRequest, HelpdeskResponse, IntercomDesk, ZendeskDesk
from baton.adapters.memory import StaticSecrets
from baton.events import HandoffPrepared

T0 = datetime(2025, 3, 14, 9, 30, tzinfo=UTC)
ZENDESK_CREDENTIALS = {"subdomain": "acme", "email": "baton@acme.example", "api_token": "zd-token-123"}
INTERCOM_CREDENTIALS = {"access_token": "ic-token-456", "admin_id": "814860"}
SECRETS = StaticSecrets(
    {"zendesk_api": json.dumps(ZENDESK_CREDENTIALS), "intercom_api": json.dumps(INTERCOM_CREDENTIALS)}
)
NOTE = (
    "## Why Baton escalated\nRisk **0.91**: the customer asked for a human.\n\n- Order `A-1` charged <twice>"
)


def answer(status: int = 200, body: Any = None, **headers: str) -> HelpdeskResponse:
    data = b"" if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    return HelpdeskResponse(status, {k.replace("_", "-").lower(): v for k, v in headers.items()}, data)


class ScriptedTransport:
    """Answers with `answers` in order (an exception is raised), then 200; records every request."""

    def __init__(self, *answers: HelpdeskResponse | Exception) -> None:
        self.answers = list(answers)
        self.requests: list[HelpdeskRequest] = []

    def send(self, request: HelpdeskRequest) -> HelpdeskResponse:
        self.requests.append(request)
        if not self.answers:
            return answer(200, {})
        next_answer = self.answers.pop(0)
        if isinstance(next_answer, Exception):
            raise next_answer
        return next_answer


class FakeClock:
    """`monotonic` and `sleep` on one clock: sleeping advances it, and the sleeps are kept."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def http(transport: ScriptedTransport, clock: FakeClock | None = None, jitter: float = 0.5) -> HelpdeskHttp:
    clock = clock or FakeClock()
    return HelpdeskHttp(
        transport,
        sleep=clock.sleep,
        monotonic=clock.monotonic,
        wall=lambda: T0.timestamp(),
        jitter=lambda: jitter,
    )


def desks(transport: ScriptedTransport, clock: FakeClock | None = None) -> dict[str, Any]:
    client = http(transport, clock)
    return {"zendesk": ZendeskDesk(SECRETS, client), "intercom": IntercomDesk(SECRETS, client)}


def packet(conversation_id: str, note: str = NOTE) -> dict[str, Any]:
    return {
        "conversation_id": conversation_id,
        "built_at": T0.isoformat(),
        "why": {"escalated_seq": 4, "risk": 0.91},
        "problem": {},
        "classification": {},
        "feeling": {},
        "next_step": "Refund the duplicate charge",
        "summary": "Charged twice, asked for a human.",
        "note": note,
    }


def assignment(
    agent_id: str = "ag-ana", helpdesk_id: str | None = "5001", team: str | None = None
) -> dict[str, Any]:
    return {
        "agent_id": agent_id,
        "agent_name": agent_id.removeprefix("ag-").capitalize(),
        "assigned_at": T0.isoformat(),
        "helpdesk_id": helpdesk_id,
        "team": team,
    }


def handoff_detail(
    conversation_id: str = "zendesk:123", seq: int = 4, assigned: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A HandoffPrepared `detail`: queued unless `assigned`."""
    who = assigned["agent_id"] if assigned else "queued"
    return {
        "event_id": f"handoff-{conversation_id}-{seq}-{who}",
        "conversation_id": conversation_id,
        "seq": seq,
        "message_id": f"m{seq}",
        "assignment": assigned,
        "queued_since": None if assigned else T0.isoformat(),
        "handoff": packet(conversation_id),
    }


def handoff(
    conversation_id: str = "zendesk:123", seq: int = 4, assigned: dict[str, Any] | None = None
) -> HandoffPrepared:
    return HandoffPrepared.model_validate(handoff_detail(conversation_id, seq, assigned))
