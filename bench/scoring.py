"""Scoring benchmarks (issue 3 §6): `.venv/bin/python bench/scoring.py`. Prints one table.

- all models for one customer message (intent, sentiment/frustration, encoder for rephrasing, complexity,
  arc), in process, one onnxruntime thread, on a conversation with earlier messages to compare with;
- VADER on the same messages, as the usual no-training peer;
- `baton backtest --workers 1` throughput on events/backtest/sample.jsonl repeated (one process; workers:
  bench/backtest.py);
- scoring function cold start in a fresh process: handler import + model load + first message;
- model files on disk, and the score function with its layers unzipped (from `cdk.out` when synthesized).
"""

from __future__ import annotations

import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path[:0] = [str(ROOT)]
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")
os.environ.setdefault(
    "BATON_MODELS_DIR", str(ROOT / "layers" / "models")
)  # the runtime never guesses a checkout
os.environ["OMP_NUM_THREADS"] = "1"

COLD_CHILD = """
import json, sys, time
t0 = time.perf_counter()
sys.path[:0] = [{root!r}]
from functions.score import handler
from baton.scoring.loader import load_models
models = load_models()
t1 = time.perf_counter()
from baton.scoring import arc
from baton.scoring.scorer import Scorer
from baton.events import MessageReceived
event = json.load(open({event!r}))
detail = MessageReceived.model_validate(event["detail"] if "detail" in event else json.loads(event["Records"][0]["body"])["detail"])
Scorer(models).score(detail.message, arc.ArcState())
t2 = time.perf_counter()
print(json.dumps({{"load_ms": (t1 - t0) * 1000, "first_ms": (t2 - t1) * 1000}}))
"""


def conversations() -> list[dict]:
    return [
        json.loads(line)
        for line in (ROOT / "events" / "backtest" / "sample.jsonl").read_text().splitlines()
        if line.strip()
    ]


def per_message_latency() -> tuple[list[float], list[float]]:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    from baton.events import MessageSnapshot
    from baton.models import Customer, Role, Source, utcnow
    from baton.scoring import arc
    from baton.scoring.loader import load_models
    from baton.scoring.scorer import Scorer

    scorer = Scorer(load_models())
    vader = SentimentIntensityAnalyzer()
    ours: list[float] = []
    peer: list[float] = []
    customer = Customer(id="c", account_id="a")
    for _round in range(3):
        for conv in conversations():
            state = arc.ArcState()
            for seq, msg in enumerate(conv["messages"], start=1):
                snap = MessageSnapshot(
                    message_id=f"m{seq}", seq=seq, role=Role(msg["role"]), text=msg["text"], sent_at=utcnow(),
                    received_at=utcnow(), source=Source.api, customer=customer,
                )  # fmt: skip
                t0 = time.perf_counter()
                scored = scorer.score(snap, state)
                elapsed = (time.perf_counter() - t0) * 1000
                state = scored[1]
                if msg["role"] == "customer":
                    ours.append(elapsed)
                    t0 = time.perf_counter()
                    vader.polarity_scores(msg["text"])
                    peer.append((time.perf_counter() - t0) * 1000)
    return ours, peer


def backtest_throughput(repeat: int = 40) -> tuple[int, float]:
    from baton.scoring import backtest

    lines = (ROOT / "events" / "backtest" / "sample.jsonl").read_text().splitlines()
    lines = [ln for ln in lines if ln.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.jsonl"
        rows = []
        for r in range(repeat):
            for ln in lines:
                data = json.loads(ln)
                data["conversation_id"] = f"{data['conversation_id']}-{r}"
                rows.append(json.dumps(data))
        src.write_text("\n".join(rows) + "\n")
        out = Path(tmp) / "out.jsonl"
        stderr = sys.stderr
        sys.stderr = io.StringIO()
        try:
            t0 = time.perf_counter()
            backtest.main([str(src), "-o", str(out), "--workers", "1"])
            elapsed = time.perf_counter() - t0
        finally:
            sys.stderr = stderr
        n = sum(1 for _ in out.open())
    return n, n / elapsed


def cold_starts(n: int = 5) -> list[dict]:
    event = ROOT / "events" / "sqs" / "score_message_received.json"
    code = COLD_CHILD.format(root=str(ROOT), event=str(event))
    out = []
    for _ in range(n):
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        out.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    return out


def dir_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def function_size_mb() -> str:
    """The score function's code + layers unzipped, from the synthesized assets (`./dev synth`)."""
    template = ROOT / "cdk.out" / "Dev-Scoring.template.json"
    if not template.exists():
        return "run ./dev synth first"
    assets = json.loads((ROOT / "cdk.out" / "Dev-Scoring.assets.json").read_text())["files"]
    total = sum(
        dir_mb(ROOT / "cdk.out" / a["source"]["path"])
        for a in assets.values()
        if a["source"]["path"].startswith("asset.")
    )
    return f"{total:.0f} MB"


def main() -> None:
    from table import percentile, print_table

    rows: list[tuple[str, str, str]] = []
    ours, peer = per_message_latency()
    rows.append(
        (
            "all models, one customer message, p50 / p99",
            f"{percentile(ours, 50):.2f} / {percentile(ours, 99):.2f} ms (n={len(ours)})",
            "<= 8 / 20 ms",
        )
    )
    rows.append(
        (
            "VADER, same messages, p50 / p99",
            f"{percentile(peer, 50):.3f} / {percentile(peer, 99):.3f} ms",
            "peer",
        )
    )
    n, rate = backtest_throughput()
    rows.append((f"baton backtest --workers 1, {n} messages", f"{rate:.0f} msg/s", ">= 300 msg/s"))
    cold = cold_starts()
    total = statistics.median(c["load_ms"] + c["first_ms"] for c in cold)
    rows.append(("score function cold start (import + load + 1st message)", f"{total:.0f} ms", "<= 1000 ms"))
    models = ROOT / "layers" / "models"
    sizes = ", ".join(f"{d.name} {dir_mb(d):.1f}" for d in sorted(models.iterdir()) if d.is_dir())
    rows.append(("model files", f"{dir_mb(models):.1f} MB ({sizes})", "<= 40 MB"))
    rows.append(("score function + layers, unzipped", function_size_mb(), "<= 200 MB"))

    print_table(rows, ", one onnxruntime thread")


if __name__ == "__main__":
    main()
