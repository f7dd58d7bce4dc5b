"""How good a escalation policy is, dialogue by dialogue (issue 4, section 5).

A dialogue *needs a human* when its customer becomes dissatisfied at some turn (in the USS data: more than
half of a user turn's 1-5 ratings are <= 2); it needs one from its first dissatisfied turn on.

- **missed**: a dialogue that needs a human and is never escalated;
- **false escalation**: a dialogue that does not need a human and is escalated at some turn;
- **cost** = `MISS_COST` (3) x missed + `FALSE_COST` (1) x false escalations, reported as a **cost ratio**: the
  cost divided by the cost of the best trivial policy, escalate every dialogue (cost = the dialogues that
  need no human) or none (3 x the dialogues that need one). Below 1, the policy beats not deciding at all.
- **timeliness**: among the dialogues that need a human, the share whose first escalation comes at or before
  their first dissatisfied turn (turns are indexed the same way on both sides, e.g. customer turns; a
  decision taken on turn i has seen turn i).

`evaluate([Outcome(first_need, first_escalation), ...])` computes all of it; tests use hand-made dialogues.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

MISS_COST = 3.0
FALSE_COST = 1.0


@dataclass(frozen=True, slots=True)
class Outcome:
    """One dialogue: its first dissatisfied turn (None: needs no human) and first escalation (None: never)."""

    first_need: int | None
    first_escalation: int | None

    @property
    def needs(self) -> bool:
        return self.first_need is not None

    @property
    def escalated(self) -> bool:
        return self.first_escalation is not None


@dataclass(frozen=True, slots=True)
class Report:
    dialogues: int
    needing: int
    escalated: int
    missed: int
    false_escalations: int
    cost: float
    trivial_cost: float
    trivial_policy: str
    cost_ratio: float
    timely: int
    timeliness: float
    """Share of the needing dialogues escalated at or before their first dissatisfied turn."""

    def to_json(self) -> dict[str, float | int | str]:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in asdict(self).items()}


def evaluate(outcomes: Iterable[Outcome]) -> Report:
    items = list(outcomes)
    needing = sum(o.needs for o in items)
    missed = sum(o.needs and not o.escalated for o in items)
    false = sum(o.escalated and not o.needs for o in items)
    timely = sum(
        o.first_need is not None and o.first_escalation is not None and o.first_escalation <= o.first_need
        for o in items
    )
    cost = MISS_COST * missed + FALSE_COST * false
    escalate_all = FALSE_COST * (len(items) - needing)
    escalate_none = MISS_COST * needing
    trivial, policy = (
        (escalate_all, "escalate all") if escalate_all <= escalate_none else (escalate_none, "none")
    )
    return Report(
        dialogues=len(items),
        needing=needing,
        escalated=sum(o.escalated for o in items),
        missed=missed,
        false_escalations=false,
        cost=cost,
        trivial_cost=trivial,
        trivial_policy=policy,
        cost_ratio=cost / trivial if trivial > 0 else (0.0 if cost == 0 else float("inf")),
        timely=timely,
        timeliness=timely / needing if needing else 0.0,
    )
