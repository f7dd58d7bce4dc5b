"""Conversations with their outcomes: the file `baton train decision --outcomes` (the refit) and `baton decision
compare` (champion against challenger) read, who needed a human, and how far a replay decides.

One conversation per line (what `baton outcomes export` writes): the backtest input format
(`baton.scoring.backtest`: `conversation_id`, `messages`, optional `customer` and inline context) plus

    "outcome": {"label": "false_escalation" | "missed_escalation" | "true_escalation" | "contained" | "unknown" | null,
                "csat": 1-5 | null, "resolved_by": "bot" | "agent" | "unknown" | null, "reopened": bool | null,
                "escalated_at_index": int | null}

Every key of `outcome` is optional; a key it does not know is an error (a misspelt `escalated_at_idx` would
otherwise change the time target silently).

**Ground truth** (`ground_truth`): the conversation *needed a human* when its label is `true_escalation` or
`missed_escalation`, did not when it is `contained` or `false_escalation`; without a label (null or `unknown`) it
needed one when the CSAT is <= 2 or it was reopened, did not when the bot resolved it with a CSAT >= 4; anything
else is unusable (skipped and counted, never guessed).

**Time target** (`horizon`): `escalated_at_index` is the index in `messages` of the message at which the real
system escalated. What followed went to a person, so a replay decides the messages up to and including that one
and no later: a policy that would escalate a conversation that needed a human only after the real system did is
counted as missing it ("escalate no later than it").

**Cost** (`baton.decision.promotion.cost`): `cost_missed` per conversation that needed a human and was never
escalated, `cost_false` per conversation escalated that did not need one. Defaults `DEFAULT_COST_MISSED` (5) and
`DEFAULT_COST_FALSE` (1): a support lead's usual view that a customer left alone with a problem costs several
times an agent's few minutes on a conversation the bot could have closed.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from baton.decision.promotion import cost
from baton.feedback.labels import LabelName

if TYPE_CHECKING:
    from baton.scoring.backtest import Conversation

__all__ = [
    "DEFAULT_COST_FALSE",
    "DEFAULT_COST_MISSED",
    "BadOutcomeLine",
    "Outcome",
    "OutcomeFile",
    "OutcomeLine",
    "Truth",
    "cost",
    "ground_truth",
    "horizon",
    "parse_outcome_line",
    "read_outcomes",
]

DEFAULT_COST_MISSED = 5.0
DEFAULT_COST_FALSE = 1.0

NEEDED_LABELS: frozenset[str] = frozenset({"true_escalation", "missed_escalation"})
NOT_NEEDED_LABELS: frozenset[str] = frozenset({"contained", "false_escalation"})
LOW_CSAT = 2
HIGH_CSAT = 4


class Outcome(BaseModel):
    """A conversation's outcome as the file gives it (every key optional)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    label: LabelName | None = None
    csat: Annotated[int, Field(ge=1, le=5)] | None = None
    resolved_by: Literal["bot", "agent", "unknown"] | None = None
    reopened: bool | None = None
    escalated_at_index: Annotated[int, Field(ge=0)] | None = None


@dataclass(frozen=True)
class Truth:
    """Whether the conversation needed a human (None: the outcome cannot tell) and the rule that said so."""

    needed: bool | None
    rule: str


def ground_truth(outcome: Outcome) -> Truth:
    """Needed a human, from the outcome (module docstring)."""
    label = outcome.label
    if label in NEEDED_LABELS:
        return Truth(True, f"label {label}")
    if label in NOT_NEEDED_LABELS:
        return Truth(False, f"label {label}")
    if outcome.csat is not None and outcome.csat <= LOW_CSAT:
        return Truth(True, f"no label, CSAT <= {LOW_CSAT}")
    if outcome.reopened:
        return Truth(True, "no label, reopened")
    if outcome.resolved_by == "bot" and outcome.csat is not None and outcome.csat >= HIGH_CSAT:
        return Truth(False, f"no label, resolved by the bot with CSAT >= {HIGH_CSAT}")
    return Truth(None, "no label and no low CSAT, reopen or bot resolution with a high CSAT")


def horizon(outcome: Outcome, messages: int) -> int:
    """How many of the conversation's `messages` a replay decides: up to and including the one the real system
    escalated at, or all of them."""
    if outcome.escalated_at_index is None:
        return messages
    return min(outcome.escalated_at_index + 1, messages)


class BadOutcomeLine(ValueError):
    """A line that cannot be read: `str()` is `FILE:LINE: field: why`."""

    def __init__(self, number: int, message: str, name: str = "") -> None:
        super().__init__(f"{name}:{number}: {message}" if name else f"line {number}: {message}")
        self.number = number
        self.message = message


@dataclass(frozen=True)
class OutcomeLine:
    line: int
    conversation: Conversation
    """The backtest's view of the line (`baton.scoring.backtest.parse_line`): messages, inline context."""
    outcome: Outcome
    truth: Truth

    @property
    def conversation_id(self) -> str:
        return self.conversation.conversation_id

    @property
    def decided_messages(self) -> int:
        """How many messages a replay decides (`horizon`)."""
        return horizon(self.outcome, len(self.conversation.messages))


def parse_outcome_line(line: str, number: int) -> OutcomeLine:
    """One line of an outcome file; BadOutcomeLine names the field (`outcome.csat: ...`, `messages[2].role: ...`)."""
    from baton.scoring.backtest import BadLine, parse_line

    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise BadOutcomeLine(number, f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(data, dict):
        raise BadOutcomeLine(number, "expected a JSON object with conversation_id, messages and outcome")
    raw = data.get("outcome")
    if not isinstance(raw, dict):
        raise BadOutcomeLine(
            number,
            "outcome: an object is required (label, csat, resolved_by, reopened, escalated_at_index)"
            + ("" if raw is None else f", got {type(raw).__name__}"),
        )
    try:
        outcome = Outcome.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ()))
        raise BadOutcomeLine(number, f"outcome.{where}: {first.get('msg', 'invalid value')}") from None
    try:
        conversation = parse_line(line, number)
    except BadLine as exc:
        raise BadOutcomeLine(number, exc.message) from None
    last = len(conversation.messages) - 1
    if outcome.escalated_at_index is not None and outcome.escalated_at_index > last:
        raise BadOutcomeLine(
            number,
            f"outcome.escalated_at_index: {outcome.escalated_at_index} is past the last message (index {last})",
        )
    return OutcomeLine(number, conversation, outcome, ground_truth(outcome))


@dataclass
class OutcomeFile:
    """An outcome file read whole: the usable lines, what was skipped and why, and the bad lines."""

    usable: list[OutcomeLine] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    """Lines left out, by reason (no ground truth, no customer message before the escalation)."""
    bad: list[BadOutcomeLine] = field(default_factory=list)
    lines: int = 0
    warnings: list[str] = field(default_factory=list)
    """Keys close to one the format reads (`acount`), once each."""

    @property
    def needed(self) -> int:
        return sum(1 for line in self.usable if line.truth.needed)

    def rules(self) -> Counter[str]:
        """Usable conversations by the ground-truth rule that decided them."""
        return Counter(line.truth.rule for line in self.usable)


NO_CUSTOMER_MESSAGE = "no customer message up to the escalation"


def read_outcomes(lines: Iterable[str], name: str = "") -> OutcomeFile:
    """Every line of an outcome file (`lines`: an open file or a list), in order. A conversation id seen twice is
    a bad line (the second one)."""
    from baton.models import Role

    read = OutcomeFile()
    first_seen: dict[str, int] = {}
    reported: set[str] = set()
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        read.lines += 1
        try:
            line = parse_outcome_line(text, number)
            if line.conversation_id in first_seen:
                raise BadOutcomeLine(
                    number,
                    f"conversation_id: {line.conversation_id!r} is already on line {first_seen[line.conversation_id]}",
                )
        except BadOutcomeLine as exc:
            read.bad.append(BadOutcomeLine(exc.number, exc.message, name) if name else exc)
            continue
        first_seen[line.conversation_id] = number
        for key, meant in line.conversation.misspelt:
            if key not in reported and key != "outcome":
                reported.add(key)
                read.warnings.append(
                    f"{name or 'line'}:{number}: key {key!r} is not read: did you mean {meant!r}?"
                )
        if line.truth.needed is None:
            read.skipped[line.truth.rule] += 1
            continue
        decided = line.conversation.messages[: line.decided_messages]
        if not any(m.role == Role.customer and m.text.strip() for m in decided):
            read.skipped[NO_CUSTOMER_MESSAGE] += 1
            continue
        read.usable.append(line)
    return read


def read_outcome_file(path: Path) -> OutcomeFile:
    """`read_outcomes` of a file (OSError when it cannot be opened)."""
    with path.open(encoding="utf-8") as source:
        return read_outcomes(source, str(path))
