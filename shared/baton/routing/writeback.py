"""Write-back to the helpdesks: a routed escalation (`HandoffPrepared`) shows where agents work, as the
conversation's assignee and an internal note holding the handoff packet's `note`.

- **Which helpdesk**: the conversation id says (`zendesk:<ticket id>`, `intercom:<conversation id>`: the ids
  ingestion gives helpdesk conversations). Any other conversation came through the API alone and has no
  helpdesk: skipped (`skipped` says why), never an error.
- **Who**: the assignment's `helpdesk_id` (a Zendesk user, an Intercom admin), else its `team` (a Zendesk group,
  an Intercom team); both are numeric ids. An assignment with neither is not written (`assignment="unknown"`):
  the note is, and routing's own view still shows the agent. A queued escalation (no assignment) gets its note.
- **Once per escalation, across retries** (Powertools idempotency on the idempotency table, records
  `writeback#<hash>`, kept `WRITEBACK_TTL_S`). Two units, keyed on business ids, never on the SQS message:
  - the note, `(conversation, escalation seq, "note")`: posted once per escalation, whatever later
    HandoffPrepared events of it say. When the event already names the assignee and the helpdesk sets both in
    one request (Zendesk's ticket update), the note's request assigns too, and the unit remembers who;
  - the assignment, `(conversation, escalation seq, "agent:" + Baton agent id)`: set once per agent, unless
    the note's request already set it. A queued escalation assigned later gets its assignee and no second
    note: both helpdesks show the assignment change themselves (Zendesk's ticket events, Intercom's
    assignment part), so an "assigned to X" note would only repeat it. A reassignment to another agent is
    another unit, written once too.
  A redelivered event gets the stored results back and sends nothing. A unit that fails (a helpdesk error)
  keeps no record, so the retry does it; one whose invocation died holds its lock for the function's timeout
  at most (`lock_ms`), less than the queue's visibility timeout.
- **Failures** are the adapter's (`baton.adapters.helpdesk`): retried in the invocation with backoff, within
  `budget_s` of this event, then raised; the consumer logs the reason with the SQS message id, SQS retries the
  record and the DLQ keeps it (`baton dlq show`).

Known limit: events of one escalation are not ordered here. An assignment to agent A delivered after a later
reassignment to B sets A again (each is written once); routing publishes them minutes apart, so the bus rarely
swaps them.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal, Protocol, cast

from baton.errors import BatonError
from baton.events import HandoffPrepared
from baton.handoff import Assignment

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency import BasePersistenceLayer
    from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import DataRecord
    from aws_lambda_powertools.utilities.typing import LambdaContext

WRITEBACK_TTL_S = 45 * 24 * 3600
"""How long a written note or assignment is remembered: longer than the bus archive keeps events (30 days) and
the DLQs keep records (14 days), so a replay from either never writes twice."""
IDEMPOTENCY_KEY_PREFIX = "writeback"
"""Records are `writeback#<hash of the unit key>` (Powertools' default prefix, the function name, could change
with a redeploy)."""

ZENDESK_PREFIX = "zendesk"
INTERCOM_PREFIX = "intercom"
"""The conversation ids ingestion gives helpdesk conversations (`baton.ingestion.connectors.zendesk.
CONVERSATION_PREFIX`, `...intercom.PREFIX`; a test holds them equal): not imported, as the connectors would cost
this function's cold start more than the two strings are worth."""
_HELPDESK_ID = re.compile(r"^[0-9]{1,20}$")
"""Zendesk user and group ids, Intercom admin and team ids: numbers."""
_ZENDESK_TICKET = re.compile(r"^[0-9]{1,20}$")
_INTERCOM_CONVERSATION = re.compile(r"^[0-9A-Za-z_-]{1,64}$")
"""A canonical id ingestion had to rewrite (`baton.ingestion.connectors.base.canonical_id`: a digest after a
`.`) no longer names the vendor's object: not addressable."""


class WritebackInProgress(BatonError):
    """Another delivery of the same HandoffPrepared is writing this unit right now: the record is retried later
    and then finds the unit done (or failed and released)."""


@dataclass(frozen=True)
class Target:
    helpdesk: Literal["zendesk", "intercom"]
    native_id: str


def target_of(conversation_id: str) -> Target | None:
    """The helpdesk object a conversation is, or None (an API conversation, or an id that names none)."""
    prefix, _, native = conversation_id.partition(":")
    if prefix == ZENDESK_PREFIX and _ZENDESK_TICKET.match(native):
        return Target("zendesk", native)
    if prefix == INTERCOM_PREFIX and _INTERCOM_CONVERSATION.match(native):
        return Target("intercom", native)
    return None


def assignee_of(assignment: Assignment) -> tuple[str | None, str | None]:
    """(agent's helpdesk id, team) as the helpdesk knows them: the agent when they have a numeric id, else the
    team when it is numeric, else (None, None)."""
    if assignment.helpdesk_id and _HELPDESK_ID.match(assignment.helpdesk_id):
        return assignment.helpdesk_id, None
    if assignment.team and _HELPDESK_ID.match(assignment.team):
        return None, assignment.team
    return None, None


class Helpdesk(Protocol):
    """One helpdesk's writes (`baton.adapters.helpdesk.ZendeskDesk`, `IntercomDesk`). `agent` / `team` are
    helpdesk ids; `deadline` is on `time.monotonic`'s clock."""

    @property
    def name(self) -> str: ...

    @property
    def note_carries_assignment(self) -> bool:
        """True when `write_note` also sets the assignee it is given (one request)."""
        ...

    def write_note(
        self, native_id: str, note: str, *, agent: str | None, team: str | None, deadline: float | None
    ) -> None: ...

    def assign(
        self, native_id: str, *, agent: str | None, team: str | None, deadline: float | None
    ) -> None: ...


@dataclass(frozen=True)
class NoteWritten:
    """The note unit's stored result."""

    assigned_agent: str | None = None
    """The Baton agent whose assignment went with the note (a Zendesk ticket update), else None."""
    replayed: bool = False


@dataclass(frozen=True)
class AssignmentWritten:
    agent_id: str
    replayed: bool = False


@dataclass(frozen=True)
class Written:
    """What one HandoffPrepared did to its helpdesk."""

    helpdesk: str | None
    note: Literal["posted", "replayed", "none"] = "none"
    assignment: Literal["set", "replayed", "queued", "unknown", "none"] = "none"
    """`set` now (with the note or alone), `replayed` (set by an earlier delivery), `queued` (no assignment
    yet), `unknown` (the assignee has no helpdesk id)."""
    skipped: str | None = None
    """Why nothing was written (no helpdesk), else None."""

    @property
    def duplicate(self) -> bool:
        return self.skipped is None and self.note != "posted" and self.assignment != "set"

    def metrics(self) -> dict[str, int]:
        counts = {
            "HandoffsWithoutHelpdesk": self.skipped is not None,
            "HelpdeskNotesPosted": self.note == "posted",
            "HelpdeskAssignmentsSet": self.assignment == "set",
            "AssigneesWithoutHelpdeskId": self.assignment == "unknown",
            "DuplicateHandoffs": self.duplicate,
        }
        return {name: 1 for name, counted in counts.items() if counted}


class WritebackService:
    """HandoffPrepared -> its helpdesk (see the module docstring)."""

    def __init__(
        self,
        helpdesks: Mapping[str, Helpdesk],
        idempotency: BasePersistenceLayer,
        *,
        budget_s: float,
        lock_ms: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`budget_s`: how long one event's helpdesk calls and retries may take (the function handles one event
        per invocation: its timeout, less a margin). `lock_ms`: how long a unit's in-progress record holds when
        its invocation dies (the function's timeout)."""
        self.helpdesks = dict(helpdesks)
        self.idempotency = idempotency
        self.budget_s = budget_s
        self.lock_ms = lock_ms
        self._clock = clock

    def handle(self, event: HandoffPrepared) -> Written:
        target = target_of(event.conversation_id)
        if target is None:
            return Written(helpdesk=None, skipped="no helpdesk: the conversation came through the API")
        helpdesk = self.helpdesks.get(target.helpdesk)
        if helpdesk is None:
            return Written(helpdesk=target.helpdesk, skipped=f"no {target.helpdesk} client is configured")
        deadline = self._clock() + self.budget_s
        assignment = event.assignment
        agent, team = assignee_of(assignment) if assignment is not None else (None, None)
        known = assignment is not None and (agent is not None or team is not None)
        together = known and helpdesk.note_carries_assignment

        def write_note() -> NoteWritten:
            helpdesk.write_note(
                target.native_id,
                event.handoff.note,
                agent=agent if together else None,
                team=team if together else None,
                deadline=deadline,
            )
            return NoteWritten(assigned_agent=assignment.agent_id if together and assignment else None)

        base = f"{event.conversation_id}|{event.seq}"
        noted = self._once(f"{base}|note", NoteWritten, write_note)
        written = Written(helpdesk=target.helpdesk, note="replayed" if noted.replayed else "posted")
        if assignment is None:
            return replace(written, assignment="queued")
        if not known:
            return replace(written, assignment="unknown")
        if noted.assigned_agent == assignment.agent_id:
            return replace(written, assignment="replayed" if noted.replayed else "set")

        def assign() -> AssignmentWritten:
            helpdesk.assign(target.native_id, agent=agent, team=team, deadline=deadline)
            return AssignmentWritten(agent_id=assignment.agent_id)

        assigned = self._once(f"{base}|agent:{assignment.agent_id}", AssignmentWritten, assign)
        return replace(written, assignment="replayed" if assigned.replayed else "set")

    def _once[R: (NoteWritten, AssignmentWritten)](
        self, key: str, result: type[R], work: Callable[[], R]
    ) -> R:
        """`work()` once per `key` (Powertools idempotency); a later call gets the stored result, `replayed`."""
        from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function
        from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyAlreadyInProgressError
        from aws_lambda_powertools.utilities.idempotency.serialization.dataclass import DataclassSerializer

        config = IdempotencyConfig(
            expires_after_seconds=WRITEBACK_TTL_S, raise_on_no_idempotency_key=True, response_hook=_replayed
        )
        config.register_lambda_context(cast("LambdaContext", _Lock(self.lock_ms)))

        @idempotent_function(
            data_keyword_argument="unit",
            persistence_store=self.idempotency,
            config=config,
            output_serializer=DataclassSerializer(result),
            key_prefix=IDEMPOTENCY_KEY_PREFIX,
        )
        def run(*, unit: str) -> R:
            return work()

        try:
            return cast(R, run(unit=key))
        except IdempotencyAlreadyInProgressError:
            raise WritebackInProgress(
                f"{key!r} is being written by another delivery of the same event; retried later"
            ) from None


def _replayed(response: Any, idempotent_data: DataRecord) -> Any:
    return replace(response, replayed=True)


class _Lock:
    """What Powertools reads of a Lambda context: how long an in-progress unit holds its record."""

    def __init__(self, remaining_ms: int) -> None:
        self.remaining_ms = remaining_ms

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms
