"""Handoff packet benchmark: `.venv/bin/python bench/handoff.py [--n N]`. Prints one table.

`build_packet()` in process (pure: no I/O), for a 60-message conversation (30 customer messages of a few
sentences with ids, amounts, dates and contacts, 30 bot answers, a full trail) with a full business context
(account, 8 earlier contacts, 3 active incidents, the taxonomy); then the same conversation with every message
about 2 KB long (the text, then prose: the note and summary must shrink to fit), and once more with every
message packed with ids, amounts and dates (about 600 distinct entities: a worst case, not a target); then
`redact_packet()` of one customer message.
Times are per call, after 20 warm-up calls (the regexes compile once per process, on import). `--against FILE` (another
version of `shared/baton/routing/packet.py`, e.g. `git show HEAD:shared/baton/routing/packet.py > /tmp/old.py`) times
both side by side in this process, calls alternating, so that a busy host weighs on both alike.
`--entities FILE...` (labelled sets, `events/labelled/handoff_entities*.jsonl`) prints instead the entities' recall and
precision on each set, per kind, compared as `tests/unit/routing/test_packet_entities.py` compares them, with what was
missed and what was extra; with `--against`, the other `packet.py`'s figures beside this tree's (a blind set is measured
once: both versions in one run).
The table ends with what the learned reader (`baton.routing.entity_model`) costs: its import and weights' load in a
fresh interpreter, and `build_packet` with and without it. `--loao FILE...` (one labelled set per author) measures it
leave-one-author-out: each set but the development one with the patterns alone and with a reader trained
(`baton.training.entities`) on every other set and the composed lines (`--threshold T...`, `--C`, `--prune`,
`--extend`, `--augment`, `--date-threshold`, `--code-threshold`, `--start-threshold`, `--synthetic N`, `--seed`: the
options tried; the defaults are `baton train entities`'s).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path[:0] = [str(ROOT), str(ROOT / "shared")]

from table import percentile, print_table  # noqa: E402

NOW = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)
PRODUCTS = ["Flowboard", "Flowboard Mobile", "Flowboard API"]
CUSTOMER = [
    "Hi, our Flowboard workspace keeps logging everyone out and the API returns HTTP 502 since {n}:15 this morning.",
    "I was charged €1,2{n}.50 on {d}.03.2026 for invoice INV-2026-00{n}, but we cancelled in February.",
    "Order 123-456-7{n} still shows pending. Please call me on +49 170 12345{n} or write to ops{n}@acme.example.",
    "The export fails with ERR_CONNECTION_RESET and then 0x800700{n} on Windows; ticket #482{n} has the logs.",
    "This is the {n}th time I explain it. Flowboard Mobile also crashes when I open a board with {n} cards.",
    "We pay ${n},800 a year and renew on March {d}th. I need someone who can actually fix this today.",
]
BOT = [
    "Sorry to hear that! Could you try logging out and in again? (answer {n})",
    "Refunds are processed within 5-10 business days. You can check the status of refund R-{n} under Billing.",
    "I have found an article that may help: Troubleshooting exports (article {n}).",
]


FILLER = (
    "To give you the full picture: we rolled this out to the whole team last quarter after a long evaluation, "
    "and until this week everything worked the way the onboarding call promised. Since then people have been "
    "working around it with spreadsheets, which defeats the purpose, and my manager is asking me every morning "
    "whether we should keep paying for it. I have already cleared the cache, tried another browser, asked two "
    "colleagues to reproduce it on their machines and read every article your assistant sent me. "
)


def conversation(long: str = "") -> Any:
    """60 messages; `long`: "prose" (each about 2 KB: the text, then rambling without entities) or "packed"
    (each about 2 KB of the texts' ids, amounts and dates, twenty times over)."""
    from baton.models import BotInfo, Conversation, Customer, Role, StoredMessage

    customer = Customer(id="cust-1", account_id="acct-1", language="en")
    messages, trail = [], []
    for seq in range(1, 61):
        role = Role.customer if seq % 2 else Role.bot
        # Every text differs (numbers vary with the seq): nothing is found twice by luck.
        template = (
            CUSTOMER[(seq // 2) % len(CUSTOMER)] if role == Role.customer else BOT[(seq // 2) % len(BOT)]
        )
        text = template.format(n=10 + seq, d=1 + seq % 28)
        if long == "prose":
            text = (text + " " + FILLER * 5)[:2000]
        elif long == "packed":
            text = " ".join(
                t.format(n=10 + seq + i, d=1 + (seq + i) % 28) for i, t in enumerate([template] * 20)
            )[:2000]
        messages.append(
            StoredMessage(
                conversation_id="conv-bench",
                message_id=f"m{seq}",
                seq=seq,
                role=role,
                text=text,
                sent_at=NOW - timedelta(minutes=61 - seq),
                received_at=NOW - timedelta(minutes=61 - seq),
                customer=customer,
                bot=BotInfo(confidence=0.35 + (seq % 5) / 10, attempt=f"article-{seq}")
                if role == Role.bot
                else None,
            )
        )
        if role == Role.customer:
            trail.append(
                {
                    "seq": seq,
                    "message_id": f"m{seq}",
                    "sentiment": round(0.3 - seq / 60, 3),
                    "frustration": round(min(1.0, seq / 50), 3),
                    "intent": "error_bug" if seq % 3 else "unexpected_charge",
                    "signals": ["rephrase"] if seq % 7 == 0 else (["asks_for_human"] if seq == 59 else []),
                }
            )
    return Conversation(
        conversation_id="conv-bench",
        customer=customer,
        created_at=NOW - timedelta(hours=1),
        updated_at=NOW,
        message_count=60,
        messages=messages,
        trail=trail,
        scores={
            "intent": "error_bug",
            "intent_confidence": 0.82,
            "product_area": "technical",
            "skill": "technical",
        },
    )


def escalation() -> Any:
    from baton.events import EscalationDecided
    from baton.models import Reason

    return EscalationDecided(
        event_id="e-bench",
        conversation_id="conv-bench",
        seq=59,
        message_id="m59",
        action="escalate",
        risk=0.93,
        guardrail="human_requested",
        reasons=[
            Reason(
                code="human_requested", label="Asked for a human", contribution=1.0, evidence='"someone who"'
            ),
            Reason(
                code="frustration",
                label="Frustration",
                contribution=0.4,
                evidence="0.98, rising over 6 turns",
            ),
            Reason(code="bot_failures", label="Bot failures", contribution=0.3, evidence="4 failed answers"),
        ],
        model_version="bench",
        decided_at=NOW,
    )


def context() -> Any:
    from baton.context.models import Account, Activity, Context, ErrorSeen, HistoryItem, Incident

    return Context(
        account=Account(
            id="acct-1", plan="business", annual_value=4_800, renewal_date=date(2026, 3, 31),
            signup_date=date(2024, 1, 10), health="at_risk",
        ),
        history=[
            HistoryItem(conversation_id=f"old-{i}", intent=intent, closed_at=NOW - timedelta(days=i), outcome="resolved")
            for i, intent in enumerate(["error_bug", "invoice", "login_problem", "error_bug"] * 2, start=1)
        ],
        incidents=[
            Incident(id="INC-1", title="API 502 errors in eu-west", product_area="technical", keywords=["502"], eta="16:00 UTC"),
            Incident(id="INC-2", title="Exports time out", keywords=["export"], eta="2026-03-14T10:00:00Z"),
            Incident(id="INC-3", title="SSO loops", intents=["sso"], keywords=["sso"]),
        ],
        activity=Activity(page="/boards", errors_seen=[ErrorSeen(at=NOW, code="E502")]),
        now=NOW,
    )  # fmt: skip


def timed(fn: Any, n: int) -> list[float]:
    for _ in range(20):
        fn()
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300, help="timed calls per row")
    parser.add_argument(
        "--against", type=Path, help="another packet.py to time side by side with this tree's"
    )
    parser.add_argument(
        "--entities", type=Path, nargs="+", help="labelled sets: print the entities' recall and precision"
    )
    parser.add_argument(
        "--loao",
        type=Path,
        nargs="+",
        help="labelled sets, one per author: measure the learned id reader leave-one-author-out",
    )
    parser.add_argument("--augment", action="store_true", help="with --loao: train on shape-only copies too")
    from baton.training.entities import add_model_options

    add_model_options(parser, sweep=True, note="with --loao: ")
    args = parser.parse_args()
    if args.loao:
        leave_one_author_out(
            args.loao,
            args.C,
            args.threshold,
            args.extend,
            args.augment,
            args.prune,
            date_threshold=args.date_threshold,
            code_threshold=args.code_threshold,
            synthetic=args.synthetic,
            start_threshold=args.start_threshold,
            seed=args.seed,
        )
        return
    if args.entities:
        entity_scores(args.entities, args.against)
        return
    if args.against is not None:
        side_by_side(args.against, args.n)
        return

    from baton.routing.packet import build_packet, redact_packet
    from baton.scoring.intent import parse_taxonomy

    taxonomy = parse_taxonomy(
        json.loads((ROOT / "layers" / "models" / "intent" / "taxonomy.json").read_text())
    )
    event, ctx = escalation(), context()
    rows = []
    for label, conv, target in (
        ("60 messages", conversation(), "p99 <= 50 ms"),
        ("60 messages of ~2 KB", conversation("prose"), "p99 <= 50 ms"),
        ("60 messages of ~2 KB packed with entities", conversation("packed"), "info"),
    ):
        packet = build_packet(
            conv, event, ctx, now=NOW, taxonomy=taxonomy, products=PRODUCTS, mask_contacts=True
        )
        times = timed(
            lambda c=conv: build_packet(
                c, event, ctx, now=NOW, taxonomy=taxonomy, products=PRODUCTS, mask_contacts=True
            ),
            args.n,
        )
        rows.append(
            (
                f"build_packet, {label}, p50 / p99",
                f"{percentile(times, 50):.2f} / {percentile(times, 99):.2f} ms",
                target,
            )
        )
        rows.append(
            (
                "  its packet: entities / note chars / summary words",
                f"{len(packet.entities)} / {len(packet.note)} / {len(packet.summary.split())}",
                "<= 1700 / <= 100",
            )
        )
    rows += learned_reader_rows(args.n)
    packet = build_packet(conversation(), event, ctx, now=NOW, taxonomy=taxonomy, products=PRODUCTS)
    times = timed(lambda: redact_packet(packet, {"m3"}), args.n)
    rows.append(
        (
            "redact_packet, one customer message, p50 / p99",
            f"{percentile(times, 50):.2f} / {percentile(times, 99):.2f} ms",
            "info",
        )
    )
    print_table(rows, f", n={args.n} per row")


def learned_reader_rows(n: int) -> list[tuple[str, str, str]]:
    """What the learned id reader (`baton.routing.entity_model`) costs: its import and weights' load in a fresh
    interpreter (the route function's cold start), and `build_packet` of the 60 short messages with it and without
    it, calls alternating."""
    import statistics
    import subprocess

    from baton.routing import entity_model
    from baton.routing.packet import build_packet

    probe = (
        "import time; t = time.perf_counter(); from baton.routing import entity_model; "
        "entity_model.load_model(); print((time.perf_counter() - t) * 1000)"
    )
    env_path = str(ROOT / "shared")
    loads = [
        float(
            subprocess.run(
                [sys.executable, "-c", probe],
                capture_output=True,
                text=True,
                check=True,
                env={"PYTHONPATH": env_path, "PATH": "/usr/bin:/bin"},
            ).stdout
        )
        for _ in range(7)
    ]
    event, ctx, conv = escalation(), context(), conversation()
    shipped = entity_model.load_model
    times: dict[bool, list[float]] = {True: [], False: []}
    try:
        for _ in range(20 + n):
            for learned in (True, False):
                entity_model.load_model = shipped if learned else (lambda *_: None)  # type: ignore[assignment]
                t0 = time.perf_counter()
                build_packet(conv, event, ctx, now=NOW, products=PRODUCTS, mask_contacts=True)
                times[learned].append((time.perf_counter() - t0) * 1000)
    finally:
        entity_model.load_model = shipped
    on, off = times[True][20:], times[False][20:]
    return [
        (
            "learned reader: import + weights load, fresh interpreter, median of 7",
            f"{statistics.median(loads):.1f} ms",
            "info",
        ),
        (
            "build_packet, 60 messages, with / without the learned reader, p50",
            f"{percentile(on, 50):.2f} / {percentile(off, 50):.2f} ms",
            f"p50 {percentile(on, 50) / percentile(off, 50) - 1:+.0%}",
        ),
    ]


def _load(path: Path, name: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def entity_scores(sets: list[Path], other: Path | None) -> None:
    """Recall and precision of the packet's entities on each labelled set (this tree's `packet.py`, and `other`'s)."""
    from collections import Counter

    from baton.routing import packet as this

    labelled = _load(
        ROOT / "tests" / "unit" / "routing" / "test_packet_entities.py", "_handoff_entities_test"
    )
    versions = [("this tree", this)] + (
        [(other.name, _load(other, "baton.routing._against"))] if other else []
    )
    for path in sets:
        lines = path.read_text(encoding="utf-8").splitlines()
        cases = [json.loads(line) for line in lines if line.strip()]
        for name, module in versions:
            labelled.build_packet = module.build_packet  # the test's `_packet` builds with this version
            expected, found = _expected_found(cases, labelled)
            hit = expected & found
            print(
                f"{path.name} ({len(cases)} conversations / {len(expected)} entities), {name}: "
                f"recall {len(hit)}/{len(expected)} {len(hit) / len(expected):.1%}, "
                f"precision {len(hit)}/{len(found)} {len(hit) / max(1, len(found)):.1%}"
            )
            want, got, ok = (Counter(k for _, (k, _, _) in keys) for keys in (expected, found, hit))
            for kind in sorted(want | got):
                print(f"  {kind:<11} recall {ok[kind]}/{want[kind]}  precision {ok[kind]}/{got[kind]}")
            for key in sorted(expected - found):
                print(f"  missed {key}")
            for key in sorted(found - expected):
                print(f"  extra  {key}")
        print()


def _expected_found(
    cases: list[dict[str, Any]], labelled: Any
) -> tuple[set[tuple[str, Any]], set[tuple[str, Any]]]:
    """The labelled entities and the packet's, as (conversation, (kind, value compared, seq)), over `cases`, as the
    test compares them (`_compared`: without a pasted email's contacts its author did not label)."""
    expected: set[tuple[str, Any]] = set()
    found: set[tuple[str, Any]] = set()
    for case in cases:
        want, got = labelled._compared(case, labelled._packet(case))
        expected |= want
        found |= got
    return expected, found


def _set_scores(path: Path, labelled: Any) -> tuple[int, int, int, list[str]]:
    """(hits, expected, found, the misses and extras) of this tree's packet on one labelled set."""
    cases = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    expected, found = _expected_found(cases, labelled)
    hit = expected & found
    diff = [f"missed {k}" for k in sorted(expected - found)] + [
        f"extra  {k}" for k in sorted(found - expected)
    ]
    return len(hit), len(expected), len(found), diff


def leave_one_author_out(
    sets: list[Path],
    c: float,
    thresholds: list[float],
    extend: float = 0.9,
    augment: bool = False,
    prune: float = 0.1,
    date_threshold: float = 1.0,
    code_threshold: float = 1.0,
    synthetic: int = 0,
    start_threshold: float = 1.0,
    seed: int = 11,
) -> None:
    """Each set but the development one (`handoff_entities.jsonl`, always trained on) measured with the patterns
    alone, and with the learned id reader trained on every other set (`baton train entities`) at each threshold."""
    from baton.routing import entity_model
    from baton.training import entities

    labelled = _load(
        ROOT / "tests" / "unit" / "routing" / "test_packet_entities.py", "_handoff_entities_test"
    )
    shipped = entity_model.load_model
    rows = []
    measured = [p for p in sets if p.name != "handoff_entities.jsonl"]
    sums = [[0.0, 0.0] for _ in range(1 + len(thresholds))]
    try:
        for path in measured:
            entity_model.load_model = lambda *_: None  # type: ignore[assignment]
            h, e, f, _ = _set_scores(path, labelled)
            figures = [(h / e, h / max(1, f))]
            model = entities.fitted(
                entities.read_cases([p for p in sets if p != path]),
                c=c,
                augment=augment,
                prune=prune,
                synthetic=synthetic,
                seed=seed,
            )
            entity_model.load_model = lambda *_, m=model: m  # type: ignore[assignment]
            for threshold in thresholds:
                model.threshold = threshold
                model.extend = extend
                model.date_threshold = date_threshold
                model.code_threshold = code_threshold
                model.start_threshold = start_threshold
                h, e, f, diff = _set_scores(path, labelled)
                figures.append((h / e, h / max(1, f)))
                if threshold == thresholds[0]:
                    for line in diff:
                        print(f"  {path.name}: {line}")
            for total, (r, p) in zip(sums, figures, strict=True):
                total[0] += r
                total[1] += p
            rows.append([f"{path.name} ({e} entities)"] + [f"{r:.1%} / {p:.1%}" for r, p in figures])
    finally:
        entity_model.load_model = shipped
    n = len(measured)
    rows.append(["average"] + [f"{r / n:.1%} / {p / n:.1%}" for r, p in sums])
    print()
    print(
        "| left-out set | patterns: recall / precision | "
        + " | ".join(
            f"+ learned (C {c}, prune {prune}, threshold {t}, extend {extend}, date {date_threshold}, "
            f"code {code_threshold}, start {start_threshold}{', augmented' if augment else ''}, synthetic {synthetic} seed {seed})"
            for t in thresholds
        )
        + " |"
    )
    print("|---" * (2 + len(thresholds)) + "|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


def side_by_side(other: Path, n: int) -> None:
    """`build_packet()` of this tree and of `other` on the same three conversations, calls alternating."""
    from baton.routing import packet as this
    from baton.scoring.intent import parse_taxonomy

    spec = importlib.util.spec_from_file_location("baton.routing._against", other)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {other}")
    that = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = that  # dataclasses look their module up
    spec.loader.exec_module(that)
    taxonomy = parse_taxonomy(
        json.loads((ROOT / "layers" / "models" / "intent" / "taxonomy.json").read_text())
    )
    event, ctx = escalation(), context()
    rows = []
    for label, conv in (
        ("60 messages", conversation()),
        ("60 messages of ~2 KB", conversation("prose")),
        ("60 messages of ~2 KB packed with entities", conversation("packed")),
    ):
        times: dict[str, list[float]] = {"this": [], "that": []}
        for _ in range(20 + n):
            for name, module in (("this", this), ("that", that)):
                t0 = time.perf_counter()
                module.build_packet(
                    conv, event, ctx, now=NOW, taxonomy=taxonomy, products=PRODUCTS, mask_contacts=True
                )
                times[name].append((time.perf_counter() - t0) * 1000)
        new, old = times["this"][20:], times["that"][20:]
        rows.append(
            (
                f"build_packet, {label}, p50 / p99: this tree | {other.name}",
                f"{percentile(new, 50):.2f} / {percentile(new, 99):.2f} | "
                f"{percentile(old, 50):.2f} / {percentile(old, 99):.2f} ms",
                f"p50 {percentile(new, 50) / percentile(old, 50) - 1:+.0%}",
            )
        )
    print_table(rows, f", n={n} per row, alternating")


if __name__ == "__main__":
    main()
