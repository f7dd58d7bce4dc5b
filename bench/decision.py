"""Decision benchmarks (issue 4 §6): `.venv/bin/python bench/decision.py`. Prints one table.

- `decide()` in process: one customer message with its arc and a full business context (account, contact
  history, three active incidents, activity), over the scenario suite's messages (events/scenarios/);
- enrichment: `DynamoContextStore.context()` against DynamoDB Local (AWS's engine, on this machine): the
  DynamoDB calls one message costs (counted on the client), first with the incident cache cold, then warm,
  and the local latency of each (a network hop to DynamoDB adds a few ms per call in AWS);
- `baton backtest` with decisions against scoring alone, on the same input (events/backtest/sample.jsonl
  repeated), the same loaded models: the decision's share of the run.
"""

from __future__ import annotations

import io
import json
import os
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path[:0] = [str(ROOT), str(ROOT / "shared")]
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")
os.environ.setdefault(
    "BATON_MODELS_DIR", str(ROOT / "layers" / "models")
)  # the runtime never guesses a checkout
os.environ["OMP_NUM_THREADS"] = "1"

NOW = datetime.now(UTC).replace(microsecond=0)


def full_context() -> Any:
    from baton.context.models import Account, Activity, Context, ErrorSeen, HistoryItem, Incident

    return Context(
        account=Account(
            id="acct-1", plan="enterprise", annual_value=180_000, renewal_date=(NOW + timedelta(days=12)).date(),
            signup_date=(NOW - timedelta(days=900)).date(), health="at_risk", segment="enterprise",
        ),
        history=[
            HistoryItem(conversation_id=f"c{i}", intent=intent, closed_at=NOW - timedelta(days=i), outcome="resolved")
            for i, intent in enumerate(["card_arrival", "top_up_failed", "export_data", "refund_request", "x"], start=1)
        ],
        incidents=[
            Incident(id="INC-1", title="Checkout failures", product_area="payments", keywords=["checkout", "payment page"]),
            Incident(id="INC-2", title="Exports time out", product_area="reporting", keywords=["export", "csv"]),
            Incident(id="INC-3", title="SSO loops", product_area="identity", intents=["login_problem"], keywords=["sso"]),
        ],
        activity=Activity(page="/billing", recent_actions=["opened_invoice"], errors_seen=[ErrorSeen(at=NOW, code="E402")]),
        now=NOW,
    )  # fmt: skip


def scored_messages() -> list[tuple[Any, Any, str, int]]:
    """(scores, arc, text, seq) of every customer message of the scenario suite, scored once."""
    from baton.scoring import backtest
    from baton.scoring.arc import ArcState
    from baton.scoring.loader import load_models
    from baton.scoring.scorer import Scorer

    scorer = Scorer(load_models())
    lines = (ROOT / "events" / "scenarios" / "scenarios.jsonl").read_text().splitlines()
    conversations = [backtest.parse_line(line, i) for i, line in enumerate(lines, start=1) if line.strip()]
    out = []
    for conversation, scored in zip(
        conversations, scorer.score_batch([(ArcState(), c.messages) for c in conversations]), strict=True
    ):
        for message, (scores, state) in zip(conversation.messages, scored, strict=True):
            if message.role.value == "customer":
                out.append((scores, state.public(), message.text, message.seq))
    return out


def decide_latency(repeat: int = 400) -> list[float]:
    from baton.decision.engine import DecisionState, decide
    from baton.decision.params import load_default

    params = load_default()
    context = full_context()
    messages = scored_messages()
    times = []
    for _ in range(repeat):
        for scores, arc, text, seq in messages:
            state = DecisionState(last_seq=seq - 1)
            t0 = time.perf_counter()
            decide(scores, arc, context, state, params, text=text, seq=seq)
            times.append((time.perf_counter() - t0) * 1000)
    return times


class CountingClient:
    def __init__(self, client: Any) -> None:
        self.client = client
        self.calls = 0

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.client, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            return method(*args, **kwargs)

        return call


def enrichment(n: int = 200) -> dict[str, Any] | str:
    from baton.context.store import DynamoContextStore
    from baton.local.dynamodb_local import DynamoDBLocal, JavaMissing, find_java

    try:
        find_java()
    except JavaMissing as missing:
        return f"skipped: {missing}"
    context = full_context()
    with DynamoDBLocal() as engine:
        client = engine.client()
        table = f"bench-context-{uuid.uuid4().hex[:6]}"
        client.create_table(
            TableName=table,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": k, "AttributeType": "S"} for k in ("pk", "sk")],
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
        )
        counting = CountingClient(client)
        store = DynamoContextStore(table, client=counting)
        store.put_account(context.account, at=NOW)
        for item in context.history:
            store.put_contact("acct-1", "cus-1", item, at=NOW)
        store.put_activity("acct-1", "cus-1", context.activity, at=NOW)
        for incident in context.incidents:
            store.put_incident(incident, at=NOW)
        cold, warm, cold_calls, warm_calls = [], [], [], []
        for _ in range(n):
            store._forget_incidents()  # a container whose incident cache expired
            counting.calls = 0
            t0 = time.perf_counter()
            store.context("acct-1", "cus-1", now=NOW)
            cold.append((time.perf_counter() - t0) * 1000)
            cold_calls.append(counting.calls)
            counting.calls = 0
            t0 = time.perf_counter()
            store.context("acct-1", "cus-1", now=NOW)
            warm.append((time.perf_counter() - t0) * 1000)
            warm_calls.append(counting.calls)
    return {"cold": cold, "warm": warm, "cold_calls": max(cold_calls), "warm_calls": max(warm_calls)}


def backtest_overhead(repeat: int = 20) -> tuple[int, float, float]:
    from baton.decision.params import load_default
    from baton.scoring import backtest
    from baton.scoring.loader import load_models
    from baton.scoring.scorer import Scorer

    lines = [
        ln for ln in (ROOT / "events" / "backtest" / "sample.jsonl").read_text().splitlines() if ln.strip()
    ]
    rows = []
    for r in range(repeat):
        for ln in lines:
            data = json.loads(ln)
            data["conversation_id"] = f"{data['conversation_id']}-{r}"
            rows.append(json.dumps(data))
    text = "\n".join(rows) + "\n"
    scorer = Scorer(load_models())
    params = load_default()
    stderr = sys.stderr
    sys.stderr = io.StringIO()
    try:
        backtest.run(scorer, io.StringIO(text), io.StringIO())  # warm-up
        best = {}
        for label, p in (("scoring", None), ("decisions", params)) * 2:
            t0 = time.perf_counter()
            stats = backtest.run(scorer, io.StringIO(text), io.StringIO(), params=p)
            elapsed = time.perf_counter() - t0
            best[label] = min(best.get(label, elapsed), elapsed)
    finally:
        sys.stderr = stderr
    return stats.messages, stats.messages / best["scoring"], stats.messages / best["decisions"]


def main() -> None:
    from table import percentile, print_table

    rows: list[tuple[str, str, str]] = []
    times = decide_latency()
    rows.append(
        (
            "decide(), one customer message with full context, p50 / p99",
            f"{percentile(times, 50):.3f} / {percentile(times, 99):.3f} ms (n={len(times)})",
            "p99 <= 1 ms",
        )
    )
    found = enrichment()
    if isinstance(found, str):
        rows.append(("enrichment on DynamoDB Local", found, "<= 2 round trips"))
    else:
        rows.append(
            (
                "enrichment, DynamoDB calls per message (incident cache cold / warm)",
                f"{found['cold_calls']} / {found['warm_calls']}",
                "<= 2 round trips",
            )
        )
        rows.append(
            (
                "enrichment on DynamoDB Local, p50 cold / warm",
                f"{percentile(found['cold'], 50):.2f} / {percentile(found['warm'], 50):.2f} ms",
                "(local engine)",
            )
        )
    n, scoring, deciding = backtest_overhead()
    rows.append(
        (
            f"baton backtest, {n} messages: scoring alone / with decisions",
            f"{scoring:.0f} / {deciding:.0f} msg/s ({scoring / deciding - 1:+.1%} time)",
            "<= +10% time",
        )
    )
    print_table(rows, ", one onnxruntime thread")


if __name__ == "__main__":
    main()
