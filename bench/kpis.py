"""KPIs and the console's list on 100,000 stored conversations: `.venv/bin/python bench/kpis.py [--n 100000]`.

Seeds DynamoDB Local (AWS's engine, on this machine; on disk, as `baton local` keeps it, unless --in-memory) with N
synthetic conversation summaries started over the last `--days` days, and the KPI buckets they add up to: each
summary's contribution is `baton.insights.buckets.contribution` (the consumer's own), summed per bucket item and
shard as the consumer's transactions would leave them, and written with BatchWriteItem (seeding only: the consumer
writes one transaction per change). The items are the store's own (`DynamoInsightsStore.summary_item`,
`bucket_item`). Then times, through `baton.insights.store.DynamoInsightsStore` (median of `--reps`, after one
warm-up):

- `GET /v1/kpis` as the API computes it: `store.buckets(from, to)` (one Query per day, shards summed) +
  `baton.insights.kpis.compute`, for 28 days (the default) and 90;
- `GET /v1/conversations`: the 50 newest of all statuses (one Query per status on `by_status`, merged), two
  statuses, and the next page through the cursor.

Every DynamoDB call is counted on the client: the table says how many Queries each costs, and that no Scan ran.
Target (issue 13): KPI queries on 100,000 stored conversations within 2 s locally, with no Scan. Figures depend on
the machine; bench/README.md records what was measured.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path[:0] = [str(ROOT), str(ROOT / "shared")]
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"

from table import print_table  # noqa: E402

from baton.insights.buckets import BucketKey, contribution  # noqa: E402
from baton.insights.facts import InsightsState  # noqa: E402
from baton.insights.models import ESCALATION_KINDS, Assignee, ConversationSummary  # noqa: E402
from baton.insights.store import DynamoInsightsStore, shard_of  # noqa: E402

TABLE = "bench-conversations"
TARGET_S = 2.0
AREAS = ("billing", "technical", "account", "how_to", "cancellation", "feedback")
INTENTS = tuple(f"{area}.{topic}" for area in AREAS for topic in ("a", "b", "c", "d"))
SEGMENTS = ("smb", "mid_market", "enterprise", None)
PAGES = tuple(f"/app/{area}/{n}" for area in AREAS for n in range(7))
REASONS = (
    "human_requested", "legal_threat", "data_loss", "frustration_rising", "repeated_question", "bot_failures",
    "negative_sentiment", "vip_account", "renewal_soon", "known_incident", "cancellation_intent", "refund_request",
)  # fmt: skip
STATUSES_ENDED = ("resolved", "closed")
STATUSES_LIVE = ("open", "monitoring", "escalated", "queued", "assigned", "snoozed")


def summaries(n: int, days: int, now: datetime, seed: int = 13) -> Iterator[ConversationSummary]:
    """N conversations that started over the last `days` days: about 18 % escalated (more in the last week, so the
    drift has something to show), timings, labels, CSAT, pages, incidents and reasons."""
    rng = random.Random(seed)
    for i in range(n):
        started = now - timedelta(seconds=rng.uniform(0, days * 86400))
        recent = now - started < timedelta(days=7)
        escalated = rng.random() < (0.24 if recent else 0.17)
        intent = rng.choice(INTENTS)
        escalated_at = started + timedelta(seconds=rng.expovariate(1 / 240)) if escalated else None
        assigned_at = escalated_at + timedelta(seconds=rng.expovariate(1 / 90)) if escalated_at else None
        replied_at = assigned_at + timedelta(seconds=rng.expovariate(1 / 60)) if assigned_at else None
        if escalated:
            label = rng.choices(("true_escalation", "false_escalation", "unknown"), (70, 20, 10))[0]
        else:
            label = rng.choices(("contained", "missed_escalation", "unknown"), (75, 5, 20))[0]
        live = now - started < timedelta(hours=6)
        status = rng.choice(STATUSES_LIVE if live else STATUSES_ENDED)
        yield ConversationSummary(
            conversation_id=f"bench-{i:06d}",
            customer_id=f"cus-{rng.randrange(n // 3 or 1)}",
            account_id=f"acct-{rng.randrange(2000)}",
            language="en",
            segment=rng.choice(SEGMENTS),
            started_at=started,
            last_activity_at=started + timedelta(minutes=rng.uniform(1, 40)),
            messages=rng.randint(1, 14),
            status=status,
            intent=intent,
            product_area=intent.split(".")[0],
            page=rng.choice(PAGES) if rng.random() < 0.7 else None,
            action="escalate" if escalated else rng.choice(("resolve", "monitor")),
            risk=rng.random(),
            max_risk=rng.random(),
            latest_reason=rng.choice(REASONS),
            escalated_at=escalated_at,
            escalation_seq=2 if escalated else None,
            escalation_kind=rng.choice(ESCALATION_KINDS) if escalated else None,
            escalation_reasons=rng.sample(REASONS, 2) if escalated else [],
            incidents=[f"INC-{rng.randrange(6)}"] if rng.random() < 0.05 else [],
            assigned_at=assigned_at,
            assignee=Assignee(id=f"agent-{rng.randrange(40)}") if assigned_at else None,
            first_agent_reply_at=replied_at,
            resolved_at=None if live else started + timedelta(minutes=45),
            resolved_by=None if live else ("agent" if escalated else "bot"),
            csat=rng.randint(1, 5) if rng.random() < 0.3 else None,
            reopened=1 if rng.random() < 0.03 else 0,
            repeat_contact=rng.random() < 0.05,
            label=label,  # type: ignore[arg-type]
            label_rule=f"{label}.bench",
        )


def seed(client: Any, store: DynamoInsightsStore, n: int, days: int, now: datetime) -> tuple[int, int, float]:
    """Write N summaries and their buckets; (summary items, bucket items, seconds)."""
    started = time.perf_counter()
    totals: dict[tuple[BucketKey, int], dict[str, float]] = {}
    items: list[dict[str, Any]] = []
    for summary in summaries(n, days, now):
        contributed = contribution(summary)
        for key, counters in contributed.items():
            sums = totals.setdefault((key, shard_of(summary.conversation_id, key[1])), {})
            for name, number in counters.items():
                sums[name] = sums.get(name, 0.0) + number
        items.append(
            store.summary_item(
                summary.conversation_id,
                InsightsState(),
                summary,
                version=1,
                contribution=contributed,
                at=summary.last_activity_at or now,
            )
        )
    items += [store.bucket_item(key, shard, counters, at=now) for (key, shard), counters in totals.items()]
    batches = [items[i : i + 25] for i in range(0, len(items), 25)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda batch: _write(client, batch), batches))
    return n, len(totals), time.perf_counter() - started


def _write(client: Any, batch: Sequence[dict[str, Any]]) -> None:
    requests: dict[str, Any] = {TABLE: [{"PutRequest": {"Item": item}} for item in batch]}
    while requests:
        response = client.batch_write_item(RequestItems=requests)
        requests = response.get("UnprocessedItems") or {}


class Calls:
    """The DynamoDB operations a client made (botocore's before-call event), by name."""

    def __init__(self, client: Any) -> None:
        self.counts: Counter[str] = Counter()
        client.meta.events.register("before-call.dynamodb", self._count)

    def _count(self, model: Any, **_: Any) -> None:
        self.counts[model.name] += 1

    def since(self, before: Counter[str]) -> Counter[str]:
        return self.counts - before


def timed(function: Callable[[], Any], reps: int) -> tuple[float, float, Any]:
    result = function()  # warm-up: the first call pays for connections and pydantic's first validations
    samples = []
    for _ in range(reps):
        t0 = time.perf_counter()
        result = function()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples), max(samples), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="conversations to seed (default: 100,000)")
    parser.add_argument("--days", type=int, default=90, help="days they started over (default: 90)")
    parser.add_argument("--reps", type=int, default=5, help="timed repetitions per row (default: 5)")
    parser.add_argument(
        "--in-memory", action="store_true", help="DynamoDB Local in memory instead of on disk"
    )
    args = parser.parse_args()

    from baton.insights.kpis import compute
    from baton.local.dynamodb_local import DynamoDBLocal
    from baton.tables import CONVERSATIONS

    now = datetime.now(UTC)
    data_dir = None if args.in_memory else Path(tempfile.mkdtemp(prefix="baton-bench-kpis-"))
    try:
        with DynamoDBLocal(data_dir=data_dir) as engine:
            client = engine.client()
            client.create_table(**CONVERSATIONS.create_table_kwargs(TABLE))
            store = DynamoInsightsStore(TABLE, client=client)
            conversations, buckets, seed_s = seed(client, store, args.n, args.days, now)
            print(
                f"seeded {conversations:,} summaries and {buckets:,} bucket items in {seed_s:.0f} s",
                flush=True,
            )
            calls = Calls(client)
            rows: list[tuple[str, str, str]] = []
            today = now.date()

            def kpis(days: int) -> Any:
                start = today - timedelta(days=days - 1)
                return compute(store.buckets(start, today), start, today, now=now)

            for days in (28, 90):
                before = Counter(calls.counts)
                median, worst, result = timed(lambda days=days: kpis(days), args.reps)
                made = calls.since(before)
                per_request = {name: count // (args.reps + 1) for name, count in made.items()}
                rows.append(
                    (
                        f"GET /v1/kpis, {days} days ({result.totals.conversations:,} conversations)",
                        f"{median * 1000:.0f} ms (max {worst * 1000:.0f})",
                        f"< {TARGET_S:.0f} s",
                    )
                )
                rows.append(
                    (
                        f"  DynamoDB calls per request ({days} days)",
                        ", ".join(f"{count} {name}" for name, count in sorted(per_request.items())),
                        "no Scan",
                    )
                )
            before = Counter(calls.counts)
            median, worst, page = timed(lambda: store.list_conversations(limit=50), args.reps)
            rows.append(
                (
                    "GET /v1/conversations, 50 newest of every status",
                    f"{median * 1000:.0f} ms (max {worst * 1000:.0f})",
                    "-",
                )
            )
            two = ["escalated", "queued"]
            median, worst, first = timed(lambda: store.list_conversations(two, limit=50), args.reps)
            rows.append(("GET /v1/conversations?status=escalated,queued", f"{median * 1000:.0f} ms", "-"))
            median, worst, second = timed(
                lambda: store.list_conversations(limit=50, cursor=page.next_cursor), args.reps
            )
            rows.append(("  the next page (cursor)", f"{median * 1000:.0f} ms", "-"))
            listed = calls.since(before)
            rows.append(
                (
                    "  DynamoDB calls, every list request above",
                    ", ".join(f"{count} {name}" for name, count in sorted(listed.items())),
                    "no Scan",
                )
            )
            assert "Scan" not in calls.counts, calls.counts
            assert len(page.conversations) == 50 and len(second.conversations) == 50
            assert first.conversations and {c.status for c in first.conversations} <= set(two)
    finally:
        if data_dir is not None:
            shutil.rmtree(data_dir, ignore_errors=True)
    where = "in memory" if args.in_memory else "on disk"
    print_table(rows, f"; DynamoDB Local {where}, {args.n:,} conversations over {args.days} days")


if __name__ == "__main__":
    main()
