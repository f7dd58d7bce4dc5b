"""`baton backtest --workers N` throughput (outcomes issue, item 5): `.venv/bin/python bench/backtest.py`.
Prints one table.

Each run is the real command in a fresh process, `baton backtest INPUT --workers N -o OUT`, timed from start to
exit (interpreter start-up, imports, model loading and, with N > 1, starting the workers included), with
decisions, on:

- one-message conversations: the TweetEval sentiment test tweets (`--data DIR/tweeteval/sentiment`, as the
  README's backtest row) when they are there, and always the customer messages of events/backtest/sample.jsonl
  made into one-message conversations with varied texts;
- the sample's multi-message conversations (customer, bot and agent messages), repeated with varied ids and
  texts.

Workers 1 and N alternate, round after round, so that other work on the machine hits both alike; the table
gives the fastest run of each among the quiet ones (other processes used under 10% of the cores meanwhile,
from /proc/stat less the command's own CPU time), and every run's rate with that share. Every run's output is
compared with the first one's (`identical`): the output must not depend on N. `CPU ms/msg` is the command's
user + system time (its workers' included) per message: what the workers add shows there.

On a shared machine other work takes cores from the workers: before each run the script also waits (up to
`--wait` seconds, 120) for a second in which the cores are less than 15% busy; the footnote says how many runs
started on a busy machine.

Options: `--n N` one-message conversations (3,000), `--multi N` multi-message ones (400), `--rounds R` (2),
`--workers 1,2`, `--data DIR` (../shared/data), `--wait S` (120; 0 does not wait).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
# The runtime never guesses a checkout: the checkout's models, unless BATON_MODELS_DIR says otherwise.
os.environ.setdefault("BATON_MODELS_DIR", str(ROOT / "layers" / "models"))
SAMPLE = ROOT / "events" / "backtest" / "sample.jsonl"
BATON = [str(Path(sys.executable).parent / "baton")]  # the console script a user runs


def sample() -> list[dict]:
    return [json.loads(line) for line in SAMPLE.read_text().splitlines() if line.strip()]


def one_message_lines(n: int, texts: list[str] | None = None) -> list[str]:
    """`n` one-message conversations: `texts` in turn, or the sample's customer messages, each varied (another
    message's first words, or an order number) so that no two texts are the same."""
    given = texts is not None
    pool = texts or [m["text"] for c in sample() for m in c["messages"] if m["role"] == "customer"]
    lines = []
    for i in range(n):
        text = pool[i % len(pool)]
        if not given or i >= len(pool):
            words = pool[(i * 7 + 3) % len(pool)].split()
            text = (
                f"{text} {' '.join(words[: 1 + i % len(words)])}" if i % 3 else f"{text} (order {1000 + i})"
            )
        message = {"role": "customer", "text": text}
        lines.append(json.dumps({"conversation_id": f"one-{i}", "messages": [message]}, ensure_ascii=False))
    return lines


def multi_message_lines(n: int) -> list[str]:
    """`n` conversations of the sample in turn, with new ids and every other customer message varied."""
    conversations = sample()
    lines = []
    for i in range(n):
        conversation = json.loads(json.dumps(conversations[i % len(conversations)]))
        conversation["conversation_id"] = f"{conversation['conversation_id']}-{i}"
        for j, message in enumerate(conversation["messages"]):
            if message["role"] == "customer" and (i + j) % 2:
                message["text"] += f" (ticket {i}-{j})"
        lines.append(json.dumps(conversation, ensure_ascii=False))
    return lines


def tweets(data: Path, n: int) -> list[str] | None:
    path = data / "tweeteval" / "sentiment" / "test_text.txt"
    if not path.is_file():
        return None
    return [t.strip() for t in path.read_text(encoding="utf-8").splitlines() if t.strip()][:n]


BUSY = 0.15
"""A run starts once a second passes with the cores less busy than this (or after --wait seconds)."""
QUIET = 0.10
"""Runs during which other processes used less than this share of the cores are the ones compared."""
busy_starts = 0


def _cpu_times() -> tuple[int, int] | None:
    """(busy, total) jiffies of all cores since boot, or None where there is no /proc/stat."""
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


def wait_until_idle(limit_s: float) -> None:
    """Return once a second passes with the cores less than BUSY busy, or after `limit_s` (counted)."""
    global busy_starts
    deadline = time.monotonic() + limit_s
    while True:
        before = _cpu_times()
        time.sleep(1.0)
        after = _cpu_times()
        if before is None or after is None:
            return
        busy = (after[0] - before[0]) / max(after[1] - before[1], 1)
        if busy < BUSY:
            return
        if time.monotonic() >= deadline:
            busy_starts += 1
            return


@dataclass
class Run:
    wall: float
    cpu: float
    """User + system seconds of the command and its workers."""
    others: float | None
    """The share of the machine's cores that other processes used meanwhile (None: unknown)."""


def run_once(src: Path, out: Path, workers: int) -> Run:
    before, jiffies = resource.getrusage(resource.RUSAGE_CHILDREN), _cpu_times()
    t0 = time.perf_counter()
    subprocess.run(
        [*BATON, "backtest", str(src), "--workers", str(workers), "-o", str(out)],
        check=True,
        stderr=subprocess.DEVNULL,
    )
    wall = time.perf_counter() - t0
    after, jiffies_after = resource.getrusage(resource.RUSAGE_CHILDREN), _cpu_times()
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    others = None
    if jiffies is not None and jiffies_after is not None:
        busy_s = (jiffies_after[0] - jiffies[0]) / os.sysconf("SC_CLK_TCK")
        others = max(busy_s - cpu, 0.0) / (wall * (os.cpu_count() or 1))
    return Run(wall, cpu, others)


def _best(runs: list[Run]) -> Run:
    """The fastest run among those during which other processes used under QUIET of the machine, else the
    fastest."""
    quiet = [r for r in runs if r.others is not None and r.others < QUIET]
    return min(quiet or runs, key=lambda r: r.wall)


def measure(
    name: str, lines: list[str], workers: list[int], rounds: int, tmp: Path, wait_s: float
) -> list[tuple[str, str, str]]:
    src = tmp / "in.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    messages = sum(len(json.loads(line)["messages"]) for line in lines)
    customer = sum(m["role"] == "customer" for line in lines for m in json.loads(line)["messages"])
    runs: dict[int, list[Run]] = {w: [] for w in workers}
    reference: bytes | None = None
    identical = True
    for _ in range(rounds):
        for w in workers:
            out = tmp / f"out-{w}.jsonl"
            wait_until_idle(wait_s)
            runs[w].append(run_once(src, out, w))
            data = out.read_bytes()
            reference = data if reference is None else reference
            identical = identical and data == reference
    rows = []
    base = _best(runs[workers[0]])
    for w in workers:
        best = _best(runs[w])
        every = ", ".join(
            f"{messages / r.wall:.0f}" + ("" if r.others is None else f" ({r.others:.0%})") for r in runs[w]
        )
        rate = f"{messages / best.wall:.0f} msg/s ({customer / best.wall:.0f} customer msg/s)"
        detail = f"CPU {best.cpu / messages * 1000:.2f} ms/msg; every run, msg/s (others' share): {every}"
        target = "baseline"
        if w > 1:
            target = f"speed-up {base.wall / best.wall:.2f}x (>= 1.7x on 2 cores)"
            if customer == messages:
                target += "; >= 300 customer msg/s"
        rows.append((f"{name}, --workers {w}", f"{rate}; {detail}", target))
    rows.append((f"{name}: outputs of every run", "identical" if identical else "DIFFER", "identical"))
    return rows


def main() -> None:
    from table import print_table

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=3000, help="one-message conversations")
    parser.add_argument("--multi", type=int, default=400, help="multi-message conversations")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", default="1,2", help="worker counts, the first is the baseline")
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--wait", type=float, default=120, help="seconds to wait for an idle machine per run")
    args = parser.parse_args()
    workers = [int(w) for w in args.workers.split(",")]
    load = os.getloadavg()
    rows: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        found = tweets(args.data, args.n)
        if found:
            rows += measure(
                f"{len(found)} one-message conversations (tweets)",
                one_message_lines(len(found), found),
                workers,
                args.rounds,
                Path(tmp),
                args.wait,
            )
        rows += measure(
            f"{args.n} one-message conversations (sample texts)",
            one_message_lines(args.n),
            workers,
            args.rounds,
            Path(tmp),
            args.wait,
        )
        lines = multi_message_lines(args.multi)
        rows += measure(
            f"{args.multi} sample conversations, all messages",
            lines,
            workers,
            args.rounds,
            Path(tmp),
            args.wait,
        )
    after = os.getloadavg()
    print_table(
        rows,
        f", end to end (process start to exit), fastest quiet run of {args.rounds}; "
        f"load average {load[0]:.1f} before, {after[0]:.1f} after; "
        f"{busy_starts} run(s) started with the cores more than {BUSY:.0%} busy",
    )


if __name__ == "__main__":
    main()
