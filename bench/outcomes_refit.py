"""The refit on outcomes against the shipped parameters, on simulated teams (`baton.training.team_simulation`).

    .venv/bin/python bench/outcomes_refit.py [--seeds 5] [--train 500] [--held-out 2000] [--team NAME ...]
                                             [--cost-missed 5] [--cost-false 1]

Per team and seed: `--train` labelled conversations (what the team exports after running Baton with the shipped
parameters) are refitted on (`baton.training.outcomes.refit`, the code `baton train decision --outcomes` runs),
and `--held-out` other conversations of the same team (their own seed) are decided by the shipped and the
refitted parameters through `decide`. The table gives the change in expected cost per conversation (mean and
the worst seed) and the missed and false-escalation rates; the target is a refit at least 15% cheaper than the
shipped parameters for a team whose needs differ from what they assume.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "shared"))
os.environ.setdefault("BATON_MODELS_DIR", str(Path(__file__).resolve().parents[1] / "layers" / "models"))

TARGET = -0.15


def main(argv: list[str] | None = None) -> int:
    from baton.decision.params import load_default
    from baton.training.outcomes import CANDIDATES, Costs, evaluate, refit
    from baton.training.team_simulation import TEAMS, labelled

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--train", type=int, default=500)
    parser.add_argument("--held-out", type=int, default=2000)
    parser.add_argument("--team", action="append", choices=sorted(TEAMS), help="default: every team")
    parser.add_argument("--cost-missed", type=float, default=5.0)
    parser.add_argument("--cost-false", type=float, default=1.0)
    args = parser.parse_args(argv)
    shipped = load_default()
    only_thresholds = next(c for c in CANDIDATES if c.name == "thresholds")
    costs = Costs(args.cost_missed, args.cost_false)
    teams = args.team or list(TEAMS)
    print(
        f"shipped parameters {shipped.version}; costs {costs.missed:g} per missed, {costs.false:g} per false "
        f"escalation; {args.train} labelled conversations to refit on, {args.held_out} held out, seeds 0-{args.seeds - 1}"
    )
    rows = []
    for name in teams:
        team = TEAMS[name]
        changes: list[float] = []
        thresholds_only: list[float] = []
        detail = []
        started = time.monotonic()
        for seed in range(args.seeds):
            train = labelled(team, args.train, seed, shipped, prefix=f"{name}-train-{seed}")
            held = labelled(team, args.held_out, 100_000 + seed, shipped, prefix=f"{name}-held-{seed}")
            fitted = refit(train, shipped, costs, seed=seed)
            ev = evaluate(held, shipped, fitted.params, costs, seed=seed)
            changes.append(ev["relative_change"])
            # Ablation: the operating point alone (intercept and thresholds for the team's costs, no weights).
            alone = refit(train, shipped, costs, seed=seed, candidates=[only_thresholds]).params
            thresholds_only.append(evaluate(held, shipped, alone, costs, seed=seed)["relative_change"])
            cal = ev["calibration"]
            detail.append(
                (
                    seed,
                    fitted.chosen,
                    ev,
                    cal["prior"]["all"]["all"]["ece"],
                    cal["refit"]["all"]["all"]["ece"],
                    sum(c.needed for c in train),
                )
            )
            print(
                f"  {name} seed {seed}: {fitted.chosen}; cost {ev['prior']['cost']:.3f} -> {ev['refit']['cost']:.3f} "
                f"({ev['relative_change']:+.1%}); missed {ev['prior']['missed_rate']:.1%} -> "
                f"{ev['refit']['missed_rate']:.1%}, false {ev['prior']['false_rate']:.1%} -> "
                f"{ev['refit']['false_rate']:.1%}; ECE {detail[-1][3]:.3f} -> {detail[-1][4]:.3f}; promotion "
                f"{ev['promotion']['verdict']}; thresholds alone {thresholds_only[-1]:+.1%}",
                file=sys.stderr,
                flush=True,
            )
        rows.append((team, changes, thresholds_only, detail, time.monotonic() - started))

    print(
        "\n| team | need rate (held out) | cost change, mean | worst seed | thresholds alone, mean | missed rate "
        "shipped -> refit | false rate shipped -> refit | ECE shipped -> refit | refit chosen | target (<= -15%) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for team, changes, alone, detail, _ in rows:
        evs = [d[2] for d in detail]
        need = statistics.mean(e["needed"] / e["conversations"] for e in evs)

        def mean(key: str, who: str, evs: list = evs) -> float:
            return statistics.mean(e[who][key] for e in evs)

        chosen = ", ".join(sorted({d[1] for d in detail}))
        worst = max(changes)
        met = "met" if statistics.mean(changes) <= TARGET else "**missed**"
        met += " on every seed" if worst <= TARGET else ""
        if team.matches_shipped:
            met = "control (n/a)"
        print(
            f"| {team.name} | {need:.1%} | {statistics.mean(changes):+.1%} | {worst:+.1%} | "
            f"{statistics.mean(alone):+.1%} | "
            f"{mean('missed_rate', 'prior'):.1%} -> {mean('missed_rate', 'refit'):.1%} | "
            f"{mean('false_rate', 'prior'):.1%} -> {mean('false_rate', 'refit'):.1%} | "
            f"{statistics.mean(d[3] for d in detail):.3f} -> {statistics.mean(d[4] for d in detail):.3f} | "
            f"{chosen} | {met} |"
        )
    print()
    for team, *_, seconds in rows:
        print(f"- {team.name}: {team.description} ({seconds:.0f} s)")
    print(f"\n{os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
