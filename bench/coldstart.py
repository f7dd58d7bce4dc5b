"""Ingest function cold start against a bare Powertools handler: `./dev bench` (or `.venv/bin/python bench/coldstart.py`).

Each sample is a fresh Python process that imports a handler (Lambda's INIT) and answers one first event: a
`GET /v1/health` or a `POST` message (events/api/). The bare handler is bench/bare_handler.py (Powertools Logger,
Metrics, `APIGatewayHttpResolver`); the ingest function is functions/ingest_api/handler.py with in-memory adapters
(its own cost: a deployed function's first POST also pays boto3, see bench/run.py). Samples of the four kinds are
interleaved, so machine noise hits all alike; the table gives medians and the ratio to the bare handler.

    .venv/bin/python bench/coldstart.py [--n 15]        # the table
    .venv/bin/python bench/coldstart.py --importtime    # what the ingest function imports beyond the bare one

Interpreter start-up is the same for every process and is left out of the main rows (the last rows keep it: the
wall clock of the whole process, from spawn to exit).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import NoReturn

ROOT = Path(__file__).resolve().parents[1]
KINDS = ("bare", "ingest")
EVENTS = {"health": "health.json", "post": "post_message.json"}
TARGET = 1.3


class Context:
    function_name = "bench"
    function_version = "$LATEST"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:bench"
    aws_request_id = "bench-0001"


def child(kind: str, event_name: str) -> None:
    """One cold start in this (fresh) process; prints {init_ms, first_ms}. Imports nothing heavy before timing."""
    sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
    event = json.loads((ROOT / "events" / "api" / EVENTS[event_name]).read_text())
    t0 = time.perf_counter()
    if kind == "bare":
        import bare_handler as handler
    else:
        from functions.ingest_api import handler  # type: ignore[no-redef]
    t1 = time.perf_counter()
    if kind == "ingest" and event_name == "post":
        # In-memory adapters: the function's own cost, without boto3 (part of the first request, as wiring is).
        from baton.adapters.memory import MemoryPublisher, StaticSecrets
        from baton.ingestion.api import ApiDeps
        from baton.ingestion.memory import MemoryConversationStore
        from baton.ingestion.service import IngestionService
        from baton.settings import Settings

        handler.set_deps(
            ApiDeps(
                service=IngestionService(MemoryConversationStore(), MemoryPublisher()),
                secrets=StaticSecrets(),
                idempotency=_no_webhooks,
                settings=Settings(),
            )
        )
    response = handler.lambda_handler(event, Context())
    t2 = time.perf_counter()
    assert response["statusCode"] in (200, 202), response
    print(json.dumps({"init_ms": (t1 - t0) * 1000, "first_ms": (t2 - t1) * 1000}))


def _no_webhooks() -> NoReturn:
    raise RuntimeError("the benchmark posts messages only: no webhook, so no idempotency table")


def _env() -> dict[str, str]:
    import os

    return {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_EC2_METADATA_DISABLED": "true",
        "POWERTOOLS_LOG_LEVEL": "ERROR",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "BATON_MODELS_DIR": str(ROOT / "layers" / "models"),
    }


def sample(kind: str, event_name: str, *flags: str) -> tuple[dict[str, float], str]:
    """One child process: its timings (and the whole process's wall clock), and its stderr."""
    import subprocess

    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, *flags, str(Path(__file__)), "--child", kind, event_name],
        capture_output=True,
        text=True,
        env=_env(),
        cwd=ROOT,
    )
    wall = (time.perf_counter() - start) * 1000
    if proc.returncode != 0:
        raise RuntimeError(f"{kind} {event_name} failed:\n{proc.stderr[-2000:]}")
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith('{"init_ms"')][-1]
    return {**json.loads(line), "wall_ms": wall}, proc.stderr


def table(n: int) -> None:
    import statistics

    from table import print_table  # type: ignore[import-not-found]

    runs: dict[tuple[str, str], list[dict[str, float]]] = {(k, e): [] for k in KINDS for e in EVENTS}
    print(f"cold starts: {n} x {len(runs)} fresh processes ...", file=sys.stderr)
    for _ in range(n):
        for kind, event_name in runs:
            runs[kind, event_name].append(sample(kind, event_name)[0])

    def median(kind: str, event_name: str, *keys: str) -> float:
        return statistics.median(sum(r[k] for k in keys) for r in runs[kind, event_name])

    rows: list[tuple[str, str, str]] = []

    def compare(what: str, bare: float, ingest: float, target: str) -> None:
        rows.append((f"{what}: bare Powertools handler", f"{bare:.0f} ms", "baseline"))
        rows.append((f"{what}: ingest function", f"{ingest:.0f} ms ({ingest / bare:.2f}x)", target))

    goal = f"<= {TARGET}x"
    # INIT alone is the same whatever the first event: both kinds of process import the handler first.
    init = {k: statistics.median(r["init_ms"] for e in EVENTS for r in runs[k, e]) for k in KINDS}
    compare("INIT (import)", init["bare"], init["ingest"], goal)
    for event_name, what in (("health", "INIT + 1st GET /v1/health"), ("post", "INIT + 1st POST message")):
        both = ("init_ms", "first_ms")
        compare(what, median("bare", event_name, *both), median("ingest", event_name, *both), goal)
    compare(
        "whole process, 1st POST",
        median("bare", "post", "wall_ms"),
        median("ingest", "post", "wall_ms"),
        "info",
    )
    print_table(rows, footnote=f"; medians of {n} interleaved fresh processes per row")


def importtime(n: int) -> None:
    """Self time (-X importtime, median of n runs) of the modules the ingest function imports and the bare handler
    does not, by package, for each first event."""
    import collections
    import statistics

    def modules(kind: str, event_name: str) -> dict[str, list[int]]:
        found: dict[str, list[int]] = collections.defaultdict(list)
        for _ in range(n):
            _, stderr = sample(kind, event_name, "-X", "importtime")
            for line in stderr.splitlines():
                if line.startswith("import time:") and "self [us]" not in line:
                    self_us, _, name = line[len("import time:") :].split("|")
                    found[name.strip()].append(int(self_us))
        return found

    def group(name: str) -> str:
        parts = name.split(".")
        depth = 3 if parts[0] in ("aws_lambda_powertools", "baton") else 1
        return ".".join(parts[:depth])

    for event_name in EVENTS:
        bare, ingest = modules("bare", event_name), modules("ingest", event_name)
        extra = {m: statistics.median(t) for m, t in ingest.items() if m not in bare}
        by_group: dict[str, float] = collections.defaultdict(float)
        for name, us in extra.items():
            by_group[group(name)] += us
        total = sum(extra.values()) / 1000
        print(
            f"\nfirst {event_name}: {len(extra)} modules beyond the bare handler's, {total:.1f} ms self time"
        )
        for name, us in sorted(by_group.items(), key=lambda item: -item[1])[:15]:
            print(f"  {us / 1000:7.1f} ms  {name}")


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=15, help="fresh processes per row")
    parser.add_argument("--importtime", action="store_true", help="the import breakdown instead of the table")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "bench"))
    if args.importtime:
        importtime(max(3, args.n // 3))
    else:
        table(args.n)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], sys.argv[3])
    else:
        main()
