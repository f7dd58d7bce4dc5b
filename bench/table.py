"""What every benchmark script shares: percentiles and the printed table."""

from __future__ import annotations

import os
import sys


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank percentile (p in 0..100) of a non-empty list."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))]


def print_table(rows: list[tuple[str, str, str]], footnote: str = "") -> None:
    width = max(len(r[0]) for r in rows)
    vwidth = max(len(r[1]) for r in rows)
    print(f"\n{'benchmark':<{width}}  {'measured':<{vwidth}}  target")
    print(f"{'-' * width}  {'-' * vwidth}  ------")
    for name, value, target in rows:
        print(f"{name:<{width}}  {value:<{vwidth}}  {target}")
    print(f"\n{os.cpu_count()} CPUs, Python {sys.version.split()[0]}{footnote}")
