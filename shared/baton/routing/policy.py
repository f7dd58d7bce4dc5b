"""Who takes an escalation: the routing policy, pure (no I/O), shared by the route consumer and the routing
simulator (`bench/routing_sim.py`).

- **Eligible**: online, below capacity, and speaking the customer's language. Language is a hard rule
  whenever an agent who speaks it is online (busy or not: the escalation waits for them); when none is
  online, any agent may take it, and the assignment says so. `pt-BR` and `pt` match (primary subtag).
- **Preference with timed relaxation** (`RelaxationSteps`, defaults 30 s then 60 s of waiting):
  - step 0: the customer's earlier agent when they cover the product area, else an agent with the
    escalation's product area and skill;
  - step 1 (from 30 s): an agent with the product area;
  - step 2 (from 60 s): any eligible agent.
  An escalation with no preferred agent free waits in the queue until its next step, or until capacity
  frees up, whichever comes first.
- **Ties**: fewest languages first (a speaker of a rarer language stays free for the customers who can only
  wait for them), then longest idle (since their last assignment), then least loaded (open conversations
  over capacity), then the id (deterministic).
- **Priority among the waiting** (`priority`): risk, business value and time waited, one score, so a long
  wait always wins in the end and no escalation starves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

VALUE_WEIGHT = 0.5
"""Priority of the highest business value, relative to a risk of 1."""
VALUE_FULL = 100_000.0
"""Annual value that earns the full value weight (the weight grows with the log of the value up to it)."""
WAIT_WEIGHT_PER_MIN = 0.2
"""Priority earned per minute waited: 5 minutes of waiting outweigh a risk of 1."""


@dataclass(frozen=True)
class RelaxationSteps:
    seconds: tuple[float, ...] = (30.0, 60.0)
    """When each relaxation starts, in seconds waited: area only, then any agent."""

    def step(self, waited_s: float) -> int:
        return sum(1 for s in self.seconds if waited_s >= s)

    def next_step_in(self, waited_s: float) -> float | None:
        """Seconds until the next relaxation, or None when the last one is reached."""
        later = [s - waited_s for s in self.seconds if s > waited_s]
        return min(later) if later else None


@dataclass(frozen=True)
class AgentSlot:
    """What routing needs of an agent, now."""

    id: str
    name: str
    languages: tuple[str, ...]
    product_areas: tuple[str, ...]
    skills: tuple[str, ...]
    capacity: int
    status: str
    load: int
    idle_since: float
    """Epoch seconds of their last assignment (or of coming online): the longest idle is the smallest."""

    @property
    def free(self) -> bool:
        return self.status == "online" and self.load < self.capacity


@dataclass(frozen=True)
class Request:
    """An escalation waiting for an agent."""

    conversation_id: str
    queued_at: float
    """Epoch seconds."""
    risk: float = 0.0
    value: float | None = None
    language: str | None = None
    product_area: str | None = None
    skill: str | None = None
    previous_agent_id: str | None = None
    reopened: bool = False


@dataclass(frozen=True)
class Choice:
    agent: AgentSlot
    step: int
    reasons: tuple[str, ...]


def primary(language: str | None) -> str | None:
    return language.split("-")[0].lower() if language else None


def speaks(agent: AgentSlot, language: str | None) -> bool:
    want = primary(language)
    return want is None or any(primary(lang) == want for lang in agent.languages)


def language_is_hard(request: Request, agents: Sequence[AgentSlot]) -> bool:
    """True when an online agent speaks the customer's language: then only speakers may take it."""
    return request.language is not None and any(
        a.status == "online" and speaks(a, request.language) for a in agents
    )


def eligible(request: Request, agents: Sequence[AgentSlot]) -> list[AgentSlot]:
    hard = language_is_hard(request, agents)
    return [a for a in agents if a.free and (not hard or speaks(a, request.language))]


def _matches_area(agent: AgentSlot, request: Request) -> bool:
    return request.product_area is None or request.product_area in agent.product_areas


def _matches_skill(agent: AgentSlot, request: Request) -> bool:
    return request.skill is None or request.skill in agent.skills


def preferred(request: Request, candidates: Sequence[AgentSlot], step: int) -> list[AgentSlot]:
    """The candidates allowed at `step` (see the module docstring)."""
    if step >= 2:
        return list(candidates)
    if step == 1:
        return [a for a in candidates if _matches_area(a, request)]
    # The customer's earlier agent first, when they cover the question's product area: continuity is worth
    # a lot, but not an agent who cannot answer it.
    previous = [a for a in candidates if a.id == request.previous_agent_id and _matches_area(a, request)]
    if previous:
        return previous
    return [a for a in candidates if _matches_area(a, request) and _matches_skill(a, request)]


def tie_order(agent: AgentSlot) -> tuple[int, float, float, str]:
    return (
        len({primary(lang) for lang in agent.languages}),
        agent.idle_since,
        agent.load / agent.capacity if agent.capacity else 1.0,
        agent.id,
    )


def choose(
    request: Request, agents: Sequence[AgentSlot], now: float, steps: RelaxationSteps = RelaxationSteps()
) -> Choice | None:
    """The agent to assign now, or None (the request waits). A reopened conversation goes back to its earlier
    agent only when that agent is online with capacity; otherwise it is routed like any escalation."""
    candidates = eligible(request, agents)
    if not candidates:
        return None
    if request.reopened and request.previous_agent_id:
        back = [a for a in candidates if a.id == request.previous_agent_id]
        if back:
            return Choice(back[0], 0, (*_reasons(back[0], request, 0, steps), "reopened: back to its agent"))
    step = steps.step(max(0.0, now - request.queued_at))
    for at_step in range(step + 1):
        allowed = preferred(request, candidates, at_step)
        if allowed:
            agent = min(allowed, key=tie_order)
            return Choice(agent, at_step, _reasons(agent, request, at_step, steps))
    return None


def _reasons(agent: AgentSlot, request: Request, step: int, steps: RelaxationSteps) -> tuple[str, ...]:
    reasons: list[str] = []
    if request.language:
        if speaks(agent, request.language):
            reasons.append(f"speaks {request.language}")
        else:
            reasons.append(f"no agent online speaks {request.language}")
    if agent.id == request.previous_agent_id:
        reasons.append("handled this customer before")
    if request.product_area:
        reasons.append(
            f"covers {request.product_area}"
            if _matches_area(agent, request)
            else f"does not cover {request.product_area}"
        )
    if request.skill:
        reasons.append(
            f"has skill {request.skill}" if _matches_skill(agent, request) else f"lacks skill {request.skill}"
        )
    if step == 0:
        reasons.append("every preference held")
    else:
        what = "product area only" if step == 1 else "any agent"
        reasons.append(f"relaxed after {steps.seconds[step - 1]:g} s waiting: {what}")
    reasons.append(f"load {agent.load}/{agent.capacity} before this one")
    return tuple(reasons)


def priority(request: Request, now: float) -> float:
    """Higher first: risk, business value (log-scaled) and minutes waited, in one score."""
    import math

    value = 0.0
    if request.value and request.value > 0:
        value = VALUE_WEIGHT * min(1.0, math.log1p(request.value) / math.log1p(VALUE_FULL))
    waited_min = max(0.0, now - request.queued_at) / 60.0
    return request.risk + value + WAIT_WEIGHT_PER_MIN * waited_min


def epoch(at: datetime) -> float:
    return at.timestamp()
