"""Champion against challenger on labelled outcomes: expected cost, a paired bootstrap interval of the
difference, and the promotion rule. Pure (no models, no files, no numpy): `baton decision compare` gives it one
`(needed, champion_escalated, challenger_escalated)` triple per conversation; the seeded simulations
(`Scenario`, tests/unit/decision/test_promotion.py, bench/shadow_compare.py) give it triples drawn from a
generative model.

**Cost** of a conversation under a policy: `cost_missed` when it needed a human and the policy never escalated
it, `cost_false` when it did not need one and the policy escalated it, else 0. The difference is challenger
minus champion (negative: the challenger is cheaper).

**The interval** resamples conversations with their two costs together (paired). Two policies differ on a
conversation in one of four ways (`KINDS`): the challenger misses one the champion escalated (+cost_missed),
catches one the champion missed (-cost_missed), escalates one nobody needed that the champion left alone
(+cost_false), or leaves alone one the champion escalated for nothing (-cost_false); on every other conversation
they cost the same. So a resample is the five counts drawn from a multinomial (by conditional binomials): the
same distribution as drawing conversation indices, in O(replicates) rather than O(replicates x n).

Each kind of disagreement gets **half a pseudo-conversation** (`PSEUDO_COUNT`, Agresti and Min's add-1/2 for
matched pairs) before resampling. Without it the interval trusts that a costly disagreement the sample never
shows cannot happen: in the seeded simulations an equal-cost challenger that trades a few caught misses for
more false escalations was flagged worse in 11.5% of 200 runs, and one that trades fewer false escalations for
a couple of new misses was promoted in 18.0%; with it, both stay at or under 2.5% (bench/shadow_compare.py).

**The promotion rule** (docs/decision.md, "Shadow challenger and promotion"): promote only when the
challenger's expected cost is at least 5% lower, the 95% interval of the difference lies below 0, and its
missed-escalation rate is at most 1 point higher than the champion's. The challenger is **worse** when the
interval lies above 0. Nothing is promoted automatically: the verdict is advice.
"""

from __future__ import annotations

import bisect
import math
import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

Triple = tuple[bool, bool, bool]
"""(needed a human, champion escalated, challenger escalated)."""

Verdict = Literal["promote", "keep", "worse"]
VERDICTS: tuple[Verdict, ...] = ("promote", "keep", "worse")

Kind = Literal["new_miss", "caught_miss", "new_false", "dropped_false"]
KINDS: tuple[Kind, ...] = ("new_miss", "caught_miss", "new_false", "dropped_false")
"""How the challenger differs from the champion on a conversation, seen from the challenger."""

PSEUDO_COUNT = 0.5
"""Pseudo-conversations added to each kind of disagreement before resampling (see the module docstring)."""


@dataclass(frozen=True)
class PromotionRule:
    min_cost_reduction: float = 0.05
    """The challenger's expected cost must be at least this share lower than the champion's."""
    confidence: float = 0.95
    """The interval of the difference (challenger - champion) that must lie below 0."""
    max_missed_increase: float = 0.01
    """The most the missed-escalation rate may rise (0.01: one percentage point)."""


PROMOTION_RULE = PromotionRule()


@dataclass(frozen=True)
class PolicyFigures:
    """One policy over the compared conversations."""

    cost: float
    """Expected cost per conversation."""
    escalated: int
    missed: int
    """Conversations that needed a human and were never escalated."""
    false: int
    """Conversations that did not need a human and were escalated."""
    missed_rate: float
    """missed / conversations that needed a human (0 when none did)."""
    false_rate: float
    """false / conversations that did not need a human (0 when all did)."""


@dataclass(frozen=True)
class Comparison:
    conversations: int
    needed: int
    champion: PolicyFigures
    challenger: PolicyFigures
    difference: float
    """Expected cost per conversation, challenger minus champion."""
    interval: tuple[float, float]
    """The bootstrap interval of `difference` at `rule.confidence`."""
    disagreements: Mapping[Kind, int]
    verdict: Verdict
    checks: tuple[tuple[str, bool], ...]
    """The promotion rule's conditions, each with whether it holds."""
    cost_missed: float
    cost_false: float
    bootstrap: int
    seed: int
    rule: PromotionRule

    @property
    def relative(self) -> float | None:
        """The difference as a share of the champion's cost (None when the champion costs nothing)."""
        return self.difference / self.champion.cost if self.champion.cost > 0 else None

    @property
    def missed_rate_change(self) -> float:
        return self.challenger.missed_rate - self.champion.missed_rate


def cost(needed: bool, escalated: bool, *, cost_missed: float, cost_false: float) -> float:
    if needed and not escalated:
        return cost_missed
    if escalated and not needed:
        return cost_false
    return 0.0


def figures(pairs: Sequence[tuple[bool, bool]], *, cost_missed: float, cost_false: float) -> PolicyFigures:
    """A policy's figures from (needed, escalated) per conversation."""
    needed = sum(1 for n, _ in pairs if n)
    missed = sum(1 for n, e in pairs if n and not e)
    false = sum(1 for n, e in pairs if e and not n)
    return PolicyFigures(
        cost=(missed * cost_missed + false * cost_false) / len(pairs) if pairs else 0.0,
        escalated=sum(1 for _, e in pairs if e),
        missed=missed,
        false=false,
        missed_rate=missed / needed if needed else 0.0,
        false_rate=false / (len(pairs) - needed) if len(pairs) > needed else 0.0,
    )


def kind_of(needed: bool, champion: bool, challenger: bool) -> Kind | None:
    """How the challenger differs from the champion on one conversation (None: they agree)."""
    if champion == challenger:
        return None
    if needed:
        return "new_miss" if champion else "caught_miss"
    return "dropped_false" if champion else "new_false"


def compare(
    triples: Sequence[Triple],
    *,
    cost_missed: float = 5.0,
    cost_false: float = 1.0,
    seed: int = 0,
    bootstrap: int = 2000,
    rule: PromotionRule = PROMOTION_RULE,
    pseudo: float = PSEUDO_COUNT,
) -> Comparison:
    """Champion against challenger on `triples`, one per conversation (see the module docstring)."""
    if not triples:
        raise ValueError("no conversation to compare")
    if bootstrap < 1:
        raise ValueError("the bootstrap needs at least one replicate")
    if cost_missed <= 0 or cost_false <= 0:
        raise ValueError("costs must be positive")
    prices = {"cost_missed": cost_missed, "cost_false": cost_false}
    champion = figures([(n, a) for n, a, _ in triples], **prices)
    challenger = figures([(n, b) for n, _, b in triples], **prices)
    found = Counter(kind for t in triples if (kind := kind_of(*t)) is not None)
    disagreements: dict[Kind, int] = {kind: found[kind] for kind in KINDS}
    interval = bootstrap_interval(
        disagreements,
        len(triples),
        values=kind_values(cost_missed, cost_false),
        replicates=bootstrap,
        seed=seed,
        confidence=rule.confidence,
        pseudo=pseudo,
    )
    verdict, checks = judge(champion, challenger, interval, rule)
    return Comparison(
        conversations=len(triples),
        needed=sum(1 for n, _, _ in triples if n),
        champion=champion,
        challenger=challenger,
        difference=challenger.cost - champion.cost,
        interval=interval,
        disagreements=disagreements,
        verdict=verdict,
        checks=checks,
        cost_missed=cost_missed,
        cost_false=cost_false,
        bootstrap=bootstrap,
        seed=seed,
        rule=rule,
    )


def kind_values(cost_missed: float, cost_false: float) -> dict[Kind, float]:
    """Each kind of disagreement's cost difference, challenger minus champion."""
    return {
        "new_miss": cost_missed,
        "caught_miss": -cost_missed,
        "new_false": cost_false,
        "dropped_false": -cost_false,
    }


def judge(
    champion: PolicyFigures, challenger: PolicyFigures, interval: tuple[float, float], rule: PromotionRule
) -> tuple[Verdict, tuple[tuple[str, bool], ...]]:
    """The verdict and the rule's conditions: `promote` when all hold, `worse` when the interval of the
    difference lies above 0, else `keep`."""
    low, high = interval
    reduction = (champion.cost - challenger.cost) / champion.cost if champion.cost > 0 else 0.0
    checks = (
        (f"expected cost at least {rule.min_cost_reduction:.0%} lower", reduction >= rule.min_cost_reduction),
        (f"the {rule.confidence:.0%} interval of the difference below 0", high < 0),
        (
            f"missed-escalation rate at most {100 * rule.max_missed_increase:g} point higher",
            challenger.missed_rate - champion.missed_rate <= rule.max_missed_increase + 1e-12,
        ),
    )
    if all(holds for _, holds in checks):
        return "promote", checks
    return ("worse" if low > 0 else "keep"), checks


def bootstrap_interval(
    disagreements: Mapping[Kind, int],
    conversations: int,
    *,
    values: Mapping[Kind, float],
    replicates: int,
    seed: int,
    confidence: float = 0.95,
    pseudo: float = PSEUDO_COUNT,
) -> tuple[float, float]:
    """The percentile interval of the mean cost difference over `replicates` resamples of `conversations`
    conversations, `disagreements[kind]` of which differ that way (the rest cost the same under both), each
    kind weighted up by `pseudo` conversations; seeded."""
    total = conversations + pseudo * len(KINDS)
    shares = [(disagreements.get(kind, 0) + pseudo) / total for kind in KINDS]
    # A multinomial draw as conditional binomials: kind i among the conversations the kinds before it left.
    steps, rest = [], 1.0
    for kind, share in zip(KINDS, shares, strict=True):
        steps.append((min(1.0, share / rest) if rest > 0 else 0.0, values[kind]))
        rest -= share
    # Each binomial by inverting a cached table of its distribution function: a bootstrap draws from a few
    # (n, p) pairs thousands of times, so one uniform and a bisection each (random.binomialvariate costs
    # several times more).
    tables: dict[tuple[int, float], tuple[int, list[float], int]] = {}
    uniform = random.Random(seed).random
    means = []
    for _ in range(replicates):
        left, sum_ = conversations, 0.0
        for p, value in steps:
            table = tables.get((left, p))
            if table is None:
                table = tables[(left, p)] = _distribution(left, p)
            first, cumulative, last = table
            k = first + min(bisect.bisect_right(cumulative, uniform()), last)
            sum_ += k * value
            left -= k
        means.append(sum_ / conversations)  # the conversations left cost the same under both
    means.sort()
    tail = (1 - confidence) / 2
    return _quantile(means, tail), _quantile(means, 1 - tail)


def _distribution(n: int, p: float) -> tuple[int, list[float], int]:
    """Binomial(n, p) as (first k, P(X <= k) for k from it, the last index), over the mean +- 15 standard
    deviations (what is left out weighs less than 1e-40), normalised over that span."""
    if n == 0 or p <= 0.0:
        return 0, [1.0], 0
    if p >= 1.0:
        return n, [1.0], 0
    mean, spread = n * p, 15 * math.sqrt(n * p * (1 - p)) + 5
    first, last = max(0, math.floor(mean - spread)), min(n, math.ceil(mean + spread))
    base, log_p, log_q = math.lgamma(n + 1), math.log(p), math.log1p(-p)
    masses = [
        math.exp(base - math.lgamma(k + 1) - math.lgamma(n - k + 1) + k * log_p + (n - k) * log_q)
        for k in range(first, last + 1)
    ]
    total = math.fsum(masses)
    cumulative, running = [], 0.0
    for mass in masses:
        running += mass
        cumulative.append(running / total)
    return first, cumulative, len(cumulative) - 1


def _quantile(ordered: Sequence[float], q: float) -> float:
    """Linear interpolation between order statistics (numpy's default)."""
    position = q * (len(ordered) - 1)
    below = math.floor(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


# ------------------------------------------------------------------------------------------------- simulation


FlipRate = Literal["drop_true", "catch_missed", "drop_false", "add_false"]


@dataclass(frozen=True)
class Scenario:
    """A generative model of labelled conversations under two policies. A conversation needs a human with
    `base_rate`; the champion misses a needed one with `champion_miss` and escalates an unneeded one with
    `champion_false`; the challenger takes the champion's decision and changes it, per cell: `drop_true` of
    the champion's right escalations, `catch_missed` of its misses, `drop_false` of its false escalations,
    `add_false` of its right non-escalations (a stricter challenger drops, a looser one adds)."""

    name: str
    base_rate: float = 0.2
    champion_miss: float = 0.25
    champion_false: float = 0.2
    drop_true: float = 0.0
    catch_missed: float = 0.0
    drop_false: float = 0.0
    add_false: float = 0.0

    def expected_costs(self, *, cost_missed: float = 5.0, cost_false: float = 1.0) -> tuple[float, float]:
        """(champion, challenger) expected cost per conversation under the model."""
        need, miss, false = self.base_rate, self.champion_miss, self.champion_false
        champion = need * miss * cost_missed + (1 - need) * false * cost_false
        missed = miss * (1 - self.catch_missed) + (1 - miss) * self.drop_true
        escalated = false * (1 - self.drop_false) + (1 - false) * self.add_false
        return champion, need * missed * cost_missed + (1 - need) * escalated * cost_false

    def with_cost_ratio(
        self, rate: FlipRate, ratio: float, *, cost_missed: float = 5.0, cost_false: float = 1.0
    ) -> Scenario:
        """This scenario with the flip rate `rate` set so that the challenger's expected cost is `ratio`
        times the champion's (the other flip rates kept)."""
        low, high = 0.0, 1.0
        raises = rate in ("drop_true", "add_false")  # the challenger's cost is monotone in each flip rate
        for _ in range(60):
            middle = (low + high) / 2
            champion, challenger = self._with(rate, middle).expected_costs(
                cost_missed=cost_missed, cost_false=cost_false
            )
            if (challenger < ratio * champion) == raises:
                low = middle
            else:
                high = middle
        chosen = self._with(rate, (low + high) / 2)
        champion, challenger = chosen.expected_costs(cost_missed=cost_missed, cost_false=cost_false)
        if not math.isclose(challenger, ratio * champion, rel_tol=1e-6):
            raise ValueError(f"{self.name}: no {rate} in [0, 1] makes the challenger cost {ratio:g}x")
        return chosen

    def _with(self, rate: FlipRate, value: float) -> Scenario:
        changes: dict[str, Any] = {rate: value}
        return replace(self, **changes)

    def draw(self, rng: random.Random, n: int) -> list[Triple]:
        out: list[Triple] = []
        for _ in range(n):
            needed = rng.random() < self.base_rate
            if needed:
                champion = rng.random() >= self.champion_miss
                flip = self.drop_true if champion else self.catch_missed
            else:
                champion = rng.random() < self.champion_false
                flip = self.drop_false if champion else self.add_false
            out.append((needed, champion, champion != (rng.random() < flip)))
        return out


def verdict_rates(
    scenario: Scenario,
    *,
    seeds: int,
    conversations: int,
    bootstrap: int = 2000,
    cost_missed: float = 5.0,
    cost_false: float = 1.0,
    pseudo: float = PSEUDO_COUNT,
) -> dict[Verdict, float]:
    """The share of `seeds` simulations (seed s draws `conversations` triples with random.Random(s) and
    bootstraps with seed s) that end in each verdict."""
    verdicts: Counter[Verdict] = Counter()
    for seed in range(seeds):
        triples = scenario.draw(random.Random(seed), conversations)
        comparison = compare(
            triples,
            cost_missed=cost_missed,
            cost_false=cost_false,
            seed=seed,
            bootstrap=bootstrap,
            pseudo=pseudo,
        )
        verdicts[comparison.verdict] += 1
    return {verdict: verdicts[verdict] / seeds for verdict in VERDICTS}


CHAMPIONS: dict[str, tuple[float, float]] = {
    "measured": (0.11, 0.07),
    "early": (0.25, 0.20),
}
"""Champions of the simulations, (miss rate, false-escalation rate): `measured`, the shipped decision on Baton's
labelled support conversations (docs/decision.md: 4 of 37 missed, 3 of 41 escalated for nothing); `early`, a
decision before any refit on outcomes."""


def scenarios(champion: str, *, base_rate: float = 0.2, worse: float = 1.10) -> list[Scenario]:
    """The simulations' challengers against a champion of `CHAMPIONS`: equal in expected cost (identical, or
    trading one kind of error for another) and `worse` times as costly (through false escalations, through
    missed ones, a looser and a stricter mix)."""
    miss, false = CHAMPIONS[champion]
    base = Scenario(f"{champion}", base_rate=base_rate, champion_miss=miss, champion_false=false)

    def named(name: str, **rates: float) -> Scenario:
        return replace(base, name=f"{champion}: {name}", **rates)

    pct = f"{worse - 1:.0%} costlier"
    return [
        named("equal, identical"),
        named("equal, catches 20% of misses, more false escalations", catch_missed=0.2).with_cost_ratio(
            "add_false", 1.0
        ),
        named("equal, 30% fewer false escalations, more misses", drop_false=0.3).with_cost_ratio(
            "drop_true", 1.0
        ),
        named("equal, catches 20% of misses, misses others", catch_missed=0.2).with_cost_ratio(
            "drop_true", 1.0
        ),
        named(f"{pct}, more false escalations").with_cost_ratio("add_false", worse),
        named(f"{pct}, more misses").with_cost_ratio("drop_true", worse),
        named(f"{pct}, looser: catches 10% of misses", catch_missed=0.1).with_cost_ratio("add_false", worse),
        named(f"{pct}, stricter: 30% fewer false escalations", drop_false=0.3).with_cost_ratio(
            "drop_true", worse
        ),
    ]
