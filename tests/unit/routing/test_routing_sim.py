"""The routing simulator (`bench/routing_sim.py`) on a seeded shift (16 agents, 8 h, at rho 0.6 and 0.8, under a
second each): Baton's router never assigns an escalation to an agent who is offline or away, at capacity, or who
does not speak the customer's language while a speaker is online, and it serves at least as many customers
within 60 s as strict skills-only routing. The full comparison and the targets are the benchmark's
(bench/README.md, "Routing simulation")."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from baton.routing.policy import AgentSlot, Request, choose
from bench.routing_sim import Baton, Policy, Result, RoundRobin, SkillsOnly, simulate


@pytest.fixture(scope="module", params=[0.6, 0.8], ids=lambda rho: f"rho={rho}")
def shift(request: pytest.FixtureRequest) -> dict[str, Result]:
    return {r.policy: r for r in simulate(seed=1, rho=request.param, makers=(SkillsOnly, Baton, RoundRobin))}


def test_baton_never_assigns_unsafely(shift: dict[str, Result]) -> None:
    baton = shift[Baton.name]
    assert baton.assigned > 900
    assert (baton.to_offline, baton.over_capacity, baton.wrong_language) == (0, 0, 0)
    assert baton.reassignments == 0


def test_baton_serves_within_60_s_at_least_as_often_as_strict_skills(shift: dict[str, Result]) -> None:
    assert shift[Baton.name].metrics()["sl60"] >= shift[SkillsOnly.name].metrics()["sl60"]


class FirstAgent(Policy):
    """Always the first agent of the team, whatever their status or load."""

    name = "first agent"

    def pick(self, request: Request, agents: Sequence[AgentSlot], now: float) -> AgentSlot | None:
        return agents[0]


def test_the_safety_counts_catch_unsafe_assignments(shift: dict[str, Result]) -> None:
    assert shift[RoundRobin.name].wrong_language > 0  # round robin ignores languages
    (reckless,) = simulate(seed=1, rho=0.8, makers=(FirstAgent,))
    assert reckless.over_capacity > 0 and reckless.to_offline > 0


def agent(agent_id: str, languages: tuple[str, ...], idle_since: float) -> AgentSlot:
    return AgentSlot(agent_id, agent_id, languages, ("billing",), ("billing",), 3, "online", 0, idle_since)


def test_a_tie_goes_to_the_agent_with_fewer_languages() -> None:
    """The bilingual agent has waited longer, but stays free for the Spanish speakers who can only wait
    for them (before this rule, Spanish-speaking customers' 60 s service level in the simulation at rho 0.6
    was 79%; with it, 88%)."""
    en_only, bilingual = agent("a1", ("en",), idle_since=200.0), agent("a2", ("en", "es"), idle_since=100.0)
    request = Request("c1", queued_at=300.0, language="en", product_area="billing", skill="billing")
    chosen = choose(request, [bilingual, en_only], now=300.0)
    assert chosen is not None and chosen.agent.id == "a1"
    spanish = Request("c2", queued_at=300.0, language="es", product_area="billing", skill="billing")
    chosen = choose(spanish, [bilingual, en_only], now=300.0)
    assert chosen is not None and chosen.agent.id == "a2"
