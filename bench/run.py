"""Baton's benchmarks: `./dev bench` (or `.venv/bin/python bench/run.py`). Prints one table.

1. Ingest function cold start in fresh processes, against a bare Powertools handler in the same run
   (interleaved, median of N): module import (Lambda INIT) + the first request. Two ingest rows:
   with in-memory adapters (the function's own cost) and with the real adapters against DynamoDB
   Local and the local bus (adds boto3 and the first DynamoDB round trips).
2. Warm request latency, in process: POST a new message, p50/p99, with in-memory adapters and with
   DynamoDB Local + the local bus.
3. End-to-end throughput through `baton local` (HTTP server, handler, DynamoDB Local, local bus):
   messages/s from concurrent clients.

Figures depend on the machine; bench/README.md records what was measured here and how.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import io
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
PY = sys.executable
sys.path[:0] = [str(ROOT)]

os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-1")
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
os.environ["POWERTOOLS_LOG_LEVEL"] = "ERROR"
os.environ["POWERTOOLS_METRICS_DISABLED"] = "true"


def cold_starts(kind: str, n: int, env: dict[str, str] | None = None) -> list[float]:
    out = []
    for _ in range(n):
        proc = subprocess.run(
            [PY, str(ROOT / "bench" / "coldstart_child.py"), kind],
            capture_output=True,
            text=True,
            env={**os.environ, **(env or {})},
            check=True,
        )
        line = [ln for ln in proc.stdout.splitlines() if ln.startswith('{"init_ms"')][-1]
        data = json.loads(line)
        out.append(data["init_ms"] + data["first_ms"])
    return out


def body(conversation: str, i: int) -> dict[str, Any]:
    return {
        "message_id": f"m-{i}-{uuid.uuid4().hex[:8]}",
        "role": "customer",
        "text": "I was charged twice for the March invoice and nobody has answered my emails.",
        "customer": {"id": "cust-42", "account_id": "acme", "language": "en"},
        "page": {"url": "https://app.example.com/billing", "title": "Billing"},
    }


def warm_latencies(n: int, deps: Any) -> list[float]:
    from functions.ingest_api import handler

    handler.set_deps(deps)
    template = json.loads((ROOT / "events" / "api" / "post_message.json").read_text())
    template["rawPath"] = "/v1/conversations/bench-warm/messages"

    class Context:
        function_name = "bench"
        memory_limit_in_mb = 512
        invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:bench"
        aws_request_id = "bench"

    out = []
    sink = io.StringIO()  # Powertools prints metrics (EMF) to stdout on every invocation
    for i in range(n + 20):
        event = dict(template, body=json.dumps(body("bench-warm", i)))
        with contextlib.redirect_stdout(sink):
            t0 = time.perf_counter()
            resp = handler.lambda_handler(event, Context())
            elapsed = (time.perf_counter() - t0) * 1000
        sink.seek(0)
        sink.truncate()
        assert resp["statusCode"] == 202, resp
        if i >= 20:  # the first requests warm caches and connection pools
            out.append(elapsed)
    handler.set_deps(None)
    return out


def memory_deps() -> Any:
    from baton.adapters.memory import MemoryPublisher, StaticSecrets
    from baton.ingestion.api import ApiDeps
    from baton.ingestion.memory import MemoryConversationStore
    from baton.ingestion.service import IngestionService
    from baton.settings import Settings

    return ApiDeps(
        service=IngestionService(MemoryConversationStore(), MemoryPublisher()),
        secrets=StaticSecrets(),
        idempotency=_no_webhooks,
        settings=Settings(),
    )


def _no_webhooks() -> Any:
    raise RuntimeError("the benchmarks post messages only: no webhook, so no idempotency table")


def local_env(db_endpoint: str, bus_path: Path) -> dict[str, str]:
    from baton.settings import Settings

    return Settings(dynamodb_endpoint=db_endpoint, local_bus_path=str(bus_path)).env()


def real_deps(env: dict[str, str]) -> Any:
    from baton import wiring
    from baton.ingestion.api import ApiDeps
    from baton.local.bus import install_publisher
    from baton.settings import Settings

    install_publisher()  # BATON_LOCAL_BUS_PATH: the local bus, as `baton local` wires it
    settings = Settings.from_env(env)
    return ApiDeps(
        service=wiring.ingestion_service(settings),
        secrets=wiring.secrets(settings),
        idempotency=functools.partial(wiring.idempotency_store, settings),
        settings=settings,
    )


def free_port() -> int:
    from baton.local.dynamodb_local import free_port as fp

    return fp()


def e2e_throughput(n: int, clients: int) -> tuple[float, float]:
    """Messages/s through `baton local` and the p50 latency seen by clients (ms)."""
    port = free_port()
    token = "bench-token"
    data_dir = Path(tempfile.mkdtemp(prefix="baton-bench-"))
    env = {**os.environ, "BATON_API_TOKEN": token}
    proc = subprocess.Popen(
        [str(Path(PY).parent / "baton"), "local", "--port", str(port), "--data-dir", str(data_dir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
        cwd=ROOT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(url + "/v1/health", timeout=1):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("baton local did not become healthy")
        latencies: list[float] = []
        lock = threading.Lock()

        def client(worker: int) -> None:
            for i in range(n // clients):
                payload = json.dumps(body(f"bench-{worker}", i)).encode()
                req = urllib.request.Request(
                    f"{url}/v1/conversations/bench-{worker}-{i % 20}/messages",
                    data=payload,
                    method="POST",
                    headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
                )
                t0 = time.perf_counter()
                with urllib.request.urlopen(req, timeout=30) as resp:
                    assert resp.status == 202
                with lock:
                    latencies.append((time.perf_counter() - t0) * 1000)

        threads = [threading.Thread(target=client, args=(w,)) for w in range(clients)]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - t0
        return len(latencies) / elapsed, statistics.median(latencies)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def main() -> None:
    from table import percentile, print_table

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cold", type=int, default=15, help="cold starts per handler")
    parser.add_argument("--warm", type=int, default=2000, help="warm requests (in-memory adapters)")
    parser.add_argument("--warm-local", type=int, default=500, help="warm requests (DynamoDB Local)")
    parser.add_argument("--e2e", type=int, default=1000, help="messages through baton local")
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()

    from baton.local.dynamodb_local import DynamoDBLocal, ensure_tables
    from baton.settings import Settings

    rows: list[tuple[str, str, str]] = []
    with DynamoDBLocal() as db, tempfile.TemporaryDirectory() as tmp:
        s = Settings()
        ensure_tables(
            db.client(),
            {
                "conversations": s.conversations_table,
                "idempotency": s.idempotency_table,
                "context": s.context_table,
            },
        )
        env = local_env(db.endpoint, Path(tmp) / "bus.sqlite3")

        print(f"cold starts: {args.cold} x 3 fresh processes ...", file=sys.stderr)
        bare, fakes, real = [], [], []
        for _ in range(args.cold):  # interleaved, so machine noise hits all three alike
            bare += cold_starts("bare", 1)
            fakes += cold_starts("ingest-fakes", 1)
            real += cold_starts("ingest", 1, env)
        b, f, r = statistics.median(bare), statistics.median(fakes), statistics.median(real)
        rows.append(("cold start, bare Powertools handler (import + 1st request)", f"{b:.0f} ms", "baseline"))
        rows.append(
            ("cold start, ingest function, in-memory adapters", f"{f:.0f} ms ({f / b:.2f}x)", "<= 1.3x")
        )
        rows.append(
            ("cold start, ingest function, DynamoDB Local + boto3", f"{r:.0f} ms ({r / b:.2f}x)", "info")
        )

        print("warm requests ...", file=sys.stderr)
        lat = warm_latencies(args.warm, memory_deps())
        rows.append(
            (
                "warm POST, in-memory adapters, p50 / p99",
                f"{percentile(lat, 50):.2f} / {percentile(lat, 99):.2f} ms",
                "info",
            )
        )
        lat = warm_latencies(args.warm_local, real_deps(env))
        rows.append(
            (
                "warm POST, DynamoDB Local + local bus, p50 / p99",
                f"{percentile(lat, 50):.2f} / {percentile(lat, 99):.2f} ms",
                "info",
            )
        )

    print("end to end through baton local ...", file=sys.stderr)
    rate, p50 = e2e_throughput(args.e2e, args.clients)
    rows.append(
        (f"baton local end to end, {args.clients} clients", f"{rate:.0f} msg/s (p50 {p50:.1f} ms)", "info")
    )

    print_table(rows)


if __name__ == "__main__":
    main()
