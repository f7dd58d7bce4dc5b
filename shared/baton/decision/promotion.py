"""Champion against challenger on labelled outcomes: expected cost, a paired bootstrap interval of the
difference, and the promotion rule. Pure (no models, no files, no numpy): `baton decision compare` feeds it one
`(needed, champion_escalated, challenger_escalated)` triple per conversation, and the seeded simulations
(`simulate`, tests/unit/decision/test_promotion.py, bench/shadow_compare.py) feed it triples drawn from a
generative model.

Cost of a conversation under a policy: `cost_missed` when it needed a human and the policy never escalated it,
`cost_false` when it did not need one and the policy escalated it, else 0. The difference is challenger minus
champion (negative: the challenger is cheaper).

The bootstrap resamples conversations, pairs kept (a conversation's two costs travel together). A
conversation's cost difference takes one of at most five values (-cost_missed, -cost_false, 0, cost_false,
cost_missed), so resampling n conversations is drawing the five counts from a multinomial with the observed
shares: the same distribution as drawing n indices, in O(replicates) rather than O(replicates x n).

The promotion rule (docs/decision.md, "Shadow challenger and promotion"): promote only when the challenger's
expected cost is at least 5% lower, the 95% interval of the difference excludes 0 (below it), and its
missed-escalation rate is at most 1 point higher than the champion's. The challenger is **worse** when the
interval lies above 0. Nothing is promoted automatically: the verdict is advice.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

Triple = tuple[bool, bool, bool]
"""(needed a human, champion escalated, challenger escalated)."""

Verdict = Literal["promote", "keep", "worse"]


@dataclass(frozen=True)
class PromotionRule:
    min_cost_reduction: float = 0.05
    """The challenger's expected cost must be at least this share lower than the champion's."""
    confidence: float = 0.95
    """The interval of the difference (challenger - champion) that must exclude 0."""
    max_missed_increase: float = 0.01
    """The most the missed-escalation rate may rise (0.01: one percentage point)."""


PROMOTION_RULE = PromotionRule()


@dataclass(frozen=True)
class PolicyFigures:
    """One policy's figures over the compared conversations."""

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
    disagreements: int
    """Conversations the two policies escalate differently."""
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


def compare(
    triples: Sequence[Triple],
    *,
    cost_missed: float = 5.0,
    cost_false: float = 1.0,
    seed: int = 0,
    bootstrap: int = 2000,
    rule: PromotionRule = PROMOTION_RULE,
) -> Comparison:
    """Champion against challenger on `triples`, one per conversation (see the module docstring)."""
    if not triples:
        raise ValueError("no conversation to compare")
    if bootstrap < 1:
        raise ValueError("bootstrap needs at least one replicate")
    prices = {"cost_missed": cost_missed, "cost_false": cost_false}
    champion = figures([(n, a) for n, a, _ in triples], **prices)
    challenger = figures([(n, b) for n, _, b in triples], **prices)
    differences = [cost(n, b, **prices) - cost(n, a, **prices) for n, a, b in triples]
    interval = bootstrap_interval(differences, replicates=bootstrap, seed=seed, confidence=rule.confidence)
    difference = challenger.cost - champion.cost
    verdict, checks = decide_promotion(champion, challenger, interval, rule)
    return Comparison(
        conversations=len(triples),
        needed=sum(1 for n, _, _ in triples if n),
        champion=champion,
        challenger=challenger,
        difference=difference,
        interval=interval,
        disagreements=sum(1 for _, a, b in triples if a != b),
        verdict=verdict,
        checks=checks,
        cost_missed=cost_missed,
        cost_false=cost_false,
        bootstrap=bootstrap,
        seed=seed,
        rule=rule,
    )


def decide_promotion(
    champion: PolicyFigures, challenger: PolicyFigures, interval: tuple[float, float], rule: PromotionRule
) -> tuple[Verdict, tuple[tuple[str, bool], ...]]:
    """The verdict and the rule's conditions: `promote` when all hold, `worse` when the interval of the
    difference lies above 0, else `keep`."""
    low, high = interval
    reduction = (champion.cost - challenger.cost) / champion.cost if champion.cost > 0 else 0.0
    level = f"{rule.confidence:.0%}"
    checks = (
        (f"expected cost at least {rule.min_cost_reduction:.0%} lower", reduction >= rule.min_cost_reduction),
        (f"the {level} interval of the difference below 0", high < 0),
        (
            f"missed-escalation rate at most {100 * rule.max_missed_increase:g} point higher",
            challenger.missed_rate - champion.missed_rate <= rule.max_missed_increase + 1e-12,
        ),
    )
    if all(holds for _, holds in checks):
        return "promote", checks
    return ("worse" if low > 0 else "keep"), checks


def bootstrap_interval(
    differences: Sequence[float], *, replicates: int, seed: int, confidence: float = 0.95
) -> tuple[float, float]:
    """The percentile interval of the mean of `differences` over `replicates` resamples of them (with
    replacement, as many as there are), seeded. Each resample is drawn as the counts of the distinct values
    (a multinomial, by conditional binomials): the same distribution as drawing indices, much cheaper when
    the values are few."""
    n = len(differences)
    counted = Counter(differences)
    values = sorted(counted)
    shares = [counted[v] / n for v in values]
    if len(values) == 1:
        return values[0], values[0]
    rng = random.Random(seed)
    means = []
    for _ in range(replicates):
        left, rest, total = n, 1.0, 0.0
        for value, share in zip(values[:-1], shares[:-1], strict=True):
            k = rng.binomialvariate(left, min(1.0, share / rest)) if left and rest > 0 else 0
            total += k * value
            left -= k
            rest -= share
        total += left * values[-1]
        means.append(total / n)
    means.sort()
    tail = (1 - confidence) / 2
    return _quantile(means, tail), _quantile(means, 1 - tail)


def _quantile(ordered: Sequence[float], q: float) -> float:
    """Linear interpolation between order statistics (numpy's default)."""
    position = q * (len(ordered) - 1)
    below = math.floor(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


# ------------------------------------------------------------------------------------------------- simulation


@dataclass(frozen=True)
class Scenario:
    """A generative model of labelled conversations and two policies. Each conversation needs a human with
    `base_rate`; the champion misses a needed one with `champion_miss` and escalates an unneeded one with
    `champion_false`; the challenger takes the champion's decision and changes it, per cell: `drop_true` of the
    champion's right escalations, `catch_missed` of its misses, `drop_false` of its false escalations,
    `add_false` of its right non-escalations. A stricter challenger drops, a looser one adds."""

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


def flag_rates(
    scenario: Scenario,
    *,
    seeds: int,
    conversations: int,
    bootstrap: int = 2000,
    cost_missed: float = 5.0,
    cost_false: float = 1.0,
) -> dict[Verdict, float]:
    """The share of `seeds` simulations (each `conversations` triples drawn with its own seed, bootstrapped
    with the same seed) that end in each verdict."""
    verdicts: Counter[Verdict] = Counter()
    for seed in range(seeds):
        triples = scenario.draw(random.Random(seed), conversations)
        verdicts[
            compare(
                triples, cost_missed=cost_missed, cost_false=cost_false, seed=seed, bootstrap=bootstrap
            ).verdict
        ] += 1
    return {v: verdicts[v] / seeds for v in ("promote", "keep", "worse")}


def scaled(scenario: Scenario, field: str, ratio: float, *, cost_missed: float = 5.0, cost_false: float = 1.0) -> Scenario:
    """The scenario with `field` (a challenger flip rate) set so that the challenger's expected cost is
    `ratio` times the champion's (the flip rates given in the scenario kept)."""
    low, high = 0.0, 1.0
    for _ in range(60):  # bisection: the challenger's cost is monotone in each flip rate
        middle = (low + high) / 2
        champion, challenger = _with(scenario, field, middle).expected_costs(
            cost_missed=cost_missed, cost_false=cost_false
        )
        increasing = field in ("drop_true", "add_false")
        if (challenger < ratio * champion) == increasing:
            low = middle
        else:
            high = middle
    return _with(scenario, field, (low + high) / 2)


def _with(scenario: Scenario, field: str, value: float) -> Scenario:
    from dataclasses import replace

    return replace(scenario, **{field: value})


def iter_triples(rows: Iterable[tuple[bool, bool, bool]]) -> list[Triple]:
    return [(bool(n), bool(a), bool(b)) for n, a, b in rows]
