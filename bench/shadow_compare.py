"""Shadow comparison, seeded simulations: `.venv/bin/python bench/shadow_compare.py [--seeds N] [--conversations N]
[--bootstrap N] [--sizes 500,1000,...] [--quick]`.

The target (outcomes issue, item 4): `baton decision compare` flags a challenger whose expected cost is >= 10%
higher in >= 95% of seeded simulations with 500 labelled conversations, and flags an equal one in <= 5%.

Each simulation draws `--conversations` (needed, champion escalated, challenger escalated) triples from a
generative model (`baton.decision.promotion.Scenario`: 20% of conversations need a human; the champion misses
and falsely escalates at fixed rates; the challenger changes the champion's decision on some conversations of
each kind) and runs the comparison's statistics on them, seed s for the draw and the bootstrap alike. Two
champions (`CHAMPIONS`): `measured` (the shipped decision on Baton's labelled support conversations: 11% of
needed conversations missed, 7% of the others escalated; cost 0.166 per conversation with a missed escalation
at 5 and a false one at 1) and `early` (25% and 20%: cost 0.41). Against each, challengers of equal cost and
10% costlier, each way the extra cost can come about.

Printed: the share of simulations in which the comparison says `worse` (flagged) and `promote`, with the
interval as shipped (half a pseudo-conversation per kind of disagreement) and, for reference, the plain paired
bootstrap; then, for the 10% costlier ones, the fewest conversations (of `--sizes`) at which >= 95% are flagged.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "shared") not in sys.path:
    sys.path.insert(0, str(ROOT / "shared"))

from baton.decision.promotion import CHAMPIONS, Scenario, scenarios, verdict_rates  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=200)
    parser.add_argument("--conversations", type=int, default=500)
    parser.add_argument("--bootstrap", type=int, default=2000)
    parser.add_argument("--sizes", default="500,1000,2000,4000,8000")
    parser.add_argument("--quick", action="store_true", help="no plain-bootstrap column, no sizes")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    print(
        f"{args.seeds} seeds x {args.conversations} conversations, {args.bootstrap} bootstrap resamples; "
        "flagged = verdict `worse`\n"
    )
    header = f"{'scenario':<64} {'cost':>13}  {'flagged':>7} {'promoted':>8}"
    if not args.quick:
        header += f"  {'plain: flagged':>14} {'promoted':>8}"
    print(header)
    costlier: list[Scenario] = []
    for champion in CHAMPIONS:
        for scenario in scenarios(champion):
            base, other = scenario.expected_costs()
            rates = verdict_rates(
                scenario, seeds=args.seeds, conversations=args.conversations, bootstrap=args.bootstrap
            )
            row = f"{scenario.name:<64} {base:.3f}->{other:.3f}  {rates['worse']:>7.1%} {rates['promote']:>8.1%}"
            if not args.quick:
                plain = verdict_rates(
                    scenario,
                    seeds=args.seeds,
                    conversations=args.conversations,
                    bootstrap=args.bootstrap,
                    pseudo=0,
                )
                row += f"  {plain['worse']:>14.1%} {plain['promote']:>8.1%}"
            print(row, flush=True)
            if "costlier" in scenario.name:
                costlier.append(scenario)
    if not args.quick:
        sizes = [int(s) for s in args.sizes.split(",")]
        print("\nconversations needed to flag the 10% costlier challengers in >= 95% of simulations:")
        for scenario in costlier:
            found = f"more than {sizes[-1]}"
            trail = []
            for n in sizes:
                flagged = verdict_rates(
                    scenario, seeds=args.seeds, conversations=n, bootstrap=args.bootstrap
                )["worse"]
                trail.append(f"{n}: {flagged:.1%}")
                if flagged >= 0.95:
                    found = str(n)
                    break
            print(f"  {scenario.name:<64} {found:>10}   ({', '.join(trail)})", flush=True)
    print(f"\n{time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
