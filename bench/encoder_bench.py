"""The sentence encoder's speed: `.venv/bin/python bench/encoder_bench.py [--data CLINC_JSON] [-n N]`.

Rows (figures depend on the machine and on what else runs; the load average is printed with them):
1. load: `baton.scoring.encoder.load` in this process (onnxruntime session + tokenizer), median of 5;
2. one message, one thread: `embed([text])` on real short messages (CLINC150 validation when `--data` is
   given, else built-in support messages), after a warm-up: p50 / p99 / mean, and the tokenizer alone;
3. batched throughput (`embed(texts, batch_size=64)`, length-sorted batches, as `baton backtest` runs it):
   messages/s with 1 and 2 onnxruntime threads.

Targets (issue 3): all models for one customer message p50 <= 8 ms, p99 <= 20 ms on one core; backtest
>= 300 messages/s on this 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "shared")]
os.environ.setdefault(
    "BATON_MODELS_DIR", str(ROOT / "layers" / "models")
)  # the runtime never guesses a checkout

from baton.scoring.encoder import load  # noqa: E402
from baton.training.encoder import REFERENCE_SENTENCES, SUPPORT_PAIRS  # noqa: E402

ENCODER_DIR = ROOT / "layers" / "models" / "encoder"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))]


def messages(data: Path | None, n: int) -> list[str]:
    if data is not None:
        rows = json.loads(data.read_text())["val"]
        texts = [t for t, _ in rows]
    else:
        texts = [t for pair in SUPPORT_PAIRS for t in pair[:2]] + list(REFERENCE_SENTENCES)
    return [texts[i % len(texts)] for i in range(n)]


def timed(encoder: Any, texts: list[str]) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds of `embed([text])` per text. With one onnxruntime thread the session
    runs on the calling thread, so its CPU time is what the call costs on an idle core; on a shared machine
    the wall clock also counts the time other work held the core."""
    wall, cpu = [], []
    for text in texts:
        w0, c0 = time.perf_counter(), time.thread_time()
        encoder.embed([text])
        cpu.append((time.thread_time() - c0) * 1000)
        wall.append((time.perf_counter() - w0) * 1000)
    return wall, cpu


def latency(wall_cpu: tuple[list[float], list[float]]) -> str:
    wall, cpu = wall_cpu
    return (
        f"p50 {percentile(wall, 50):.2f} ms, p99 {percentile(wall, 99):.2f} ms "
        f"(CPU p50 {percentile(cpu, 50):.2f}, p99 {percentile(cpu, 99):.2f})"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, help="CLINC150 train_val.json (messages to embed)")
    parser.add_argument("-n", type=int, default=1000, help="messages for the latency row")
    parser.add_argument("--model", type=Path, default=ENCODER_DIR)
    args = parser.parse_args(argv)

    loads = []
    for _ in range(5):
        started = time.perf_counter()
        encoder = load(args.model, threads=1)
        loads.append((time.perf_counter() - started) * 1000)
    texts = messages(args.data, args.n)
    for text in texts[:50]:
        encoder.embed([text])
    tokenize = []
    for text in texts:
        started = time.perf_counter()
        encoder.tokenize([text])
        tokenize.append((time.perf_counter() - started) * 1000)
    single = timed(encoder, texts)

    # Longer support messages cost more (every MatMul grows with the tokens, attention with their square):
    # 32 and 64 tokens, and the truncation cap, 128 (any longer message costs the same).
    words = " ".join(t for pair in SUPPORT_PAIRS for t in pair[:2]).split()
    longer = {}
    for n_tokens in (32, 64, 128):
        k = max(
            k for k in range(1, len(words) + 1) if len(encoder.tokenize([" ".join(words[:k])])[0]) <= n_tokens
        )
        longer[n_tokens] = timed(encoder, [" ".join(words[:k])] * 200)

    batch_texts = messages(args.data, 4096)
    throughput = {}
    for threads in (1, 2):
        batched = load(args.model, threads=threads)
        batched.embed(batch_texts[:256])
        started = time.perf_counter()
        batched.embed(batch_texts, batch_size=64)
        throughput[threads] = len(batch_texts) / (time.perf_counter() - started)

    tokens = statistics.mean(len(ids) for ids in encoder.tokenize(texts))
    print(f"encoder {encoder.version}, {(args.model / 'model.onnx').stat().st_size / 1e6:.1f} MB")
    print(f"load average {' / '.join(f'{v:.1f}' for v in os.getloadavg())}, {os.cpu_count()} cores")
    print("| row | wall clock (CPU time of the calling thread) |\n|---|---|")
    print(f"| load (session + tokenizer), median of 5 | {statistics.median(loads):.0f} ms |")
    print(
        f"| one message, one thread ({len(texts)} messages, {tokens:.1f} tokens on average) | {latency(single)} |"
    )
    print(f"| of which tokenizer | p50 {percentile(tokenize, 50):.3f} ms |")
    for n_tokens, times in longer.items():
        print(f"| one message of {n_tokens} tokens, one thread (200 runs) | {latency(times)} |")
    for threads, rate in throughput.items():
        plural = "s" if threads > 1 else ""
        print(
            f"| batched (64), {threads} thread{plural}, {len(batch_texts)} messages | {rate:.0f} messages/s |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
