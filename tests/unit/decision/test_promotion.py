"""The comparison's statistics (`baton.decision.promotion`): expected cost, the paired bootstrap interval of the
difference, the promotion rule; and the seeded simulations behind the target: the comparison flags a challenger
whose expected cost is >= 10% higher in >= 95% of simulations with 500 labelled conversations, and flags (or
promotes) an equal one in <= 5%. bench/shadow_compare.py prints every scenario at full scale."""

from __future__ import annotations

import random
import statistics

import pytest

from baton.decision.promotion import (
    Scenario,
    Triple,
    bootstrap_interval,
    compare,
    kind_values,
    scenarios,
    verdict_rates,
)

SEEDS = 200
CONVERSATIONS = 500


def triples(**counts: int) -> list[Triple]:
    """`needed_both=3, new_miss=2, ...`: that many conversations of each kind (needed, champion, challenger)."""
    cells = {
        "needed_both": (True, True, True),
        "needed_neither": (True, False, False),
        "new_miss": (True, True, False),
        "caught_miss": (True, False, True),
        "calm_neither": (False, False, False),
        "calm_both": (False, True, True),
        "new_false": (False, False, True),
        "dropped_false": (False, True, False),
    }
    return [cells[name] for name, n in counts.items() for _ in range(n)]


def test_costs_rates_and_the_difference() -> None:
    data = triples(
        needed_both=8, needed_neither=2, caught_miss=1, calm_neither=80, calm_both=5, dropped_false=4
    )
    c = compare(data, cost_missed=5, cost_false=1, seed=1, bootstrap=200)
    assert c.conversations == 100 and c.needed == 11
    assert (c.champion.missed, c.champion.false, c.champion.escalated) == (3, 9, 17)
    assert (c.challenger.missed, c.challenger.false, c.challenger.escalated) == (2, 5, 14)
    assert c.champion.cost == pytest.approx((3 * 5 + 9) / 100)
    assert c.challenger.cost == pytest.approx((2 * 5 + 5) / 100)
    assert c.difference == pytest.approx(-0.09) and c.relative == pytest.approx(-0.09 / 0.24)
    assert c.champion.missed_rate == pytest.approx(3 / 11) and c.champion.false_rate == pytest.approx(9 / 89)
    assert c.disagreements == {"new_miss": 0, "caught_miss": 1, "new_false": 0, "dropped_false": 4}
    assert c.interval[0] <= c.difference <= c.interval[1]


def test_the_promotion_rule() -> None:
    better = triples(needed_both=90, needed_neither=10, calm_neither=300, calm_both=40, dropped_false=60)
    c = compare(better, seed=0)
    assert c.verdict == "promote" and all(holds for _, holds in c.checks)

    # Cheaper and significantly so, but 2 more missed escalations of 100 needed: 2 points, over the 1 allowed.
    trades = triples(
        needed_both=88, needed_neither=10, new_miss=2, calm_neither=300, calm_both=40, dropped_false=60
    )
    c = compare(trades, seed=0)
    assert c.difference < 0 and c.interval[1] < 0 and c.missed_rate_change == pytest.approx(0.02)
    assert c.verdict == "keep" and [holds for _, holds in c.checks] == [True, True, False]

    # Under 5% cheaper is not enough.
    slightly = triples(needed_both=100, calm_neither=1000, calm_both=100, dropped_false=4)
    c = compare(slightly, seed=0)
    assert -0.05 < c.relative < 0 and c.verdict == "keep" and not c.checks[0][1]

    worse = triples(needed_both=80, new_miss=20, calm_neither=400)
    c = compare(worse, seed=0)
    assert c.verdict == "worse" and c.interval[0] > 0

    identical = triples(needed_both=80, needed_neither=20, calm_neither=400)
    assert compare(identical, seed=0).verdict == "keep"


def test_the_interval_is_seeded() -> None:
    data = triples(needed_both=50, new_miss=3, caught_miss=2, calm_neither=400, new_false=9, dropped_false=4)
    assert compare(data, seed=7).interval == compare(data, seed=7).interval
    assert compare(data, seed=7).interval != compare(data, seed=8).interval


def test_drawing_the_counts_is_resampling_conversations() -> None:
    # Without the pseudo-counts, the interval is the plain paired bootstrap's: resampling conversation indices.
    counts = {"new_miss": 6, "caught_miss": 3, "new_false": 20, "dropped_false": 9}
    n = 500
    values = kind_values(5.0, 1.0)
    differences = [values[k] for k, c in counts.items() for _ in range(c)] + [0.0] * (
        n - sum(counts.values())
    )
    rng = random.Random(0)
    naive = sorted(statistics.fmean(rng.choices(differences, k=n)) for _ in range(4000))
    low, high = bootstrap_interval(counts, n, values=values, replicates=4000, seed=0, pseudo=0.0)
    assert low == pytest.approx(naive[int(0.025 * 3999)], abs=0.012)
    assert high == pytest.approx(naive[int(0.975 * 3999)], abs=0.012)
    assert bootstrap_interval({}, n, values=values, replicates=100, seed=0, pseudo=0.0) == (0.0, 0.0)


def test_the_scenarios_cost_what_they_say() -> None:
    for champion in ("measured", "early"):
        for scenario in scenarios(champion):
            base, challenger = scenario.expected_costs()
            ratio = 1.0 if ": equal" in scenario.name else 1.10
            assert challenger == pytest.approx(ratio * base), scenario.name
    data = Scenario("x", base_rate=0.3, champion_miss=0.5).draw(random.Random(0), 20_000)
    assert statistics.fmean(n for n, _, _ in data) == pytest.approx(0.3, abs=0.01)
    assert statistics.fmean(not a for n, a, _ in data if n) == pytest.approx(0.5, abs=0.02)


def named(champion: str, words: str) -> Scenario:
    (scenario,) = [s for s in scenarios(champion) if words in s.name]
    return scenario


# The target, 200 seeds of 500 conversations each (a few seconds each).


def test_an_equal_challenger_is_flagged_or_promoted_in_at_most_5_percent() -> None:
    # The hardest equal challengers measured (bench/shadow_compare.py): a costly error that the sample may not
    # show (a caught miss, a new miss) traded against cheap ones, at the measured champion's low error rates.
    trades_misses = verdict_rates(
        named("measured", "equal, catches 20% of misses, more false"),
        seeds=SEEDS,
        conversations=CONVERSATIONS,
    )
    assert trades_misses["worse"] <= 0.05 and trades_misses["promote"] <= 0.05
    trades_false = verdict_rates(
        named("measured", "equal, 30% fewer false escalations"), seeds=SEEDS, conversations=CONVERSATIONS
    )
    assert trades_false["promote"] <= 0.05 and trades_false["worse"] <= 0.05


def test_a_challenger_10_percent_costlier_through_false_escalations_is_flagged_in_95_percent() -> None:
    rates = verdict_rates(
        named("early", "10% costlier, more false escalations"), seeds=SEEDS, conversations=CONVERSATIONS
    )
    assert rates["worse"] >= 0.95 and rates["promote"] == 0


@pytest.mark.xfail(
    strict=True,
    reason="500 conversations are too few when the extra cost is missed escalations: ~4 more misses in 500 "
    "(flagged in 37.5% of runs; 2,000 conversations flag it in 100%, bench/shadow_compare.py)",
)
def test_a_challenger_10_percent_costlier_through_missed_escalations_is_flagged_in_95_percent() -> None:
    rates = verdict_rates(named("early", "10% costlier, more misses"), seeds=100, conversations=CONVERSATIONS)
    assert rates["worse"] >= 0.95
