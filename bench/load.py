"""Load benchmark: Locust users posting customer messages to a fresh `baton local`, end to end (issue 14).

`.venv/bin/python bench/load.py [--users 16] [--warmup 5] [--duration 30] [--rate R] [--drain 60]`. Prints a table.

1. Starts `baton local` on a free loopback port with a data dir of its own (a fresh DynamoDB Local and bus), as a
   user runs it, and waits for `/v1/health`.
2. Runs Locust as a library (headless, `locust.env.Environment`, one local runner): `--users` users, each posting
   as soon as its last answer came (closed loop; `--rate R`: all together at most R messages/s, open loop), to
   conversations of its own (a new one every `--per-conversation` messages) and every `--shared-every`-th
   message to one of `--shared` conversations that all users post to. Nothing is measured during the first
   `--warmup` seconds; then `--duration` seconds are measured, and the users stop.
3. Drains: reads the bus archive (the SQLite file of `baton.local.bus`) until every accepted message has an
   `EscalationDecided`, or no decision came for `--drain` seconds (the pipeline is idle), or `--drain-max` passed.
4. Stops `baton local` (SIGINT to its PID) and prints the table.

Measured: accepted messages/s (202 answers naming the message posted, in the window); decisions/s in the same
window (what the consumers kept up with); errors by status (the whole run); the API latency of accepted posts
(p50/p95, the window); for each message accepted in the window, received (the `received_at` ingestion stamped on
its `MessageReceived`) to decided (its `EscalationDecided` reaching the bus: the archive's `put_at_ms`); lost:
messages accepted at any time (warm-up included) never decided when the drain ended; the CPU each process used
(baton local, DynamoDB Local, this load generator), from /proc.

Locust is imported only by `main()` (it monkey-patches the standard library with gevent): the accounting below
is plain Python, tested on a fake run (tests/unit/test_bench_load.py). Figures: bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BATON = str(Path(sys.executable).parent / "baton")
ACCEPTED = 202
CONNECTION_ERROR = 0
"""The status recorded when no HTTP answer came (connection refused or reset, timeout)."""
WRONG_ANSWER = -1
"""The status recorded for a 202 whose body does not name the message posted (another request's answer)."""
RECEIVED, DECIDED = "MessageReceived", "EscalationDecided"

TEXTS = (
    "I was charged twice for the March invoice and nobody has answered my emails.",
    "Hi, how do I change the billing address on my account?",
    "This is the third time I am asking. Cancel my subscription today or I will dispute the charge.",
    "The export to CSV has been spinning for ten minutes, is something down?",
    "Thanks, that worked!",
    "Can I talk to a real person please",
    "We are evaluating a competitor because the integration keeps breaking after every update.",
    "My password reset link says it expired but I only got it two minutes ago.",
)
"""Customer messages of a few kinds and lengths (scoring's cost grows with a message's length)."""


# -- what the users record -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Post:
    """One POST a user made."""

    conversation_id: str
    message_id: str
    status: int
    """The HTTP status; CONNECTION_ERROR (0) when none came."""
    started_s: float
    """Wall clock (epoch seconds) when the request was sent."""
    latency_ms: float

    @property
    def answered_s(self) -> float:
        return self.started_s + self.latency_ms / 1000

    @property
    def key(self) -> tuple[str, str]:
        return (self.conversation_id, self.message_id)


@dataclass
class Plan:
    """Which conversation a user's i-th message goes to: its own conversations, a new one every
    `per_conversation` messages, and every `shared_every`-th message one of `shared` conversations everyone
    posts to."""

    run: str
    shared: int = 4
    shared_every: int = 4
    per_conversation: int = 10

    def conversation(self, user: int, i: int) -> str:
        if self.shared and self.shared_every and i % self.shared_every == self.shared_every - 1:
            return f"{self.run}-shared-{(user + i) % self.shared}"
        return f"{self.run}-u{user}-c{i // self.per_conversation}"

    def message(self, user: int, i: int) -> tuple[str, str, dict[str, Any]]:
        """(conversation id, message id, POST body) of a user's i-th message."""
        message_id = f"{self.run}-u{user}-m{i}"
        body = {
            "message_id": message_id,
            "role": "customer",
            "text": TEXTS[(user + i) % len(TEXTS)],
            "customer": {"id": f"cust-{user}", "account_id": f"acct-{user % 4}", "language": "en"},
        }
        return self.conversation(user, i), message_id, body


# -- what the bus archive says ---------------------------------------------------------------------------------


@dataclass
class Archive:
    """The `MessageReceived` and `EscalationDecided` events of the bus archive, read incrementally."""

    received_ms: dict[tuple[str, str], int] = field(default_factory=dict)
    """(conversation, message id) -> when ingestion received it (its `received_at`, epoch ms); the first one."""
    decided_ms: dict[tuple[str, str], int] = field(default_factory=dict)
    """(conversation, message id) -> when its first `EscalationDecided` reached the bus (epoch ms)."""
    decision_ids: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    """(conversation, message id) -> the distinct event ids of its decisions (a redelivery re-publishes the same
    id: more than one is a message decided twice)."""
    after_seq: int = 0

    def add(self, detail_type: str, event_id: str, put_at_ms: int, detail: Mapping[str, Any]) -> None:
        if detail_type == RECEIVED:
            message = detail["message"]
            key = (detail["conversation_id"], message["message_id"])
            at = _epoch_ms(message["received_at"])
            self.received_ms[key] = min(at, self.received_ms.get(key, at))
        elif detail_type == DECIDED:
            key = (detail["conversation_id"], detail["message_id"])
            self.decided_ms[key] = min(put_at_ms, self.decided_ms.get(key, put_at_ms))
            self.decision_ids.setdefault(key, set()).add(event_id)

    def read(self, bus_file: Path) -> int:
        """Add the events archived since the last read; how many were read. The file is opened read-only: the
        running `baton local` owns it."""
        db = sqlite3.connect(f"file:{bus_file}?mode=ro", uri=True, timeout=30)
        try:
            rows = db.execute(
                "SELECT seq, event_id, detail_type, put_at_ms, envelope FROM archive"
                " WHERE seq > ? AND detail_type IN (?, ?) ORDER BY seq",
                (self.after_seq, RECEIVED, DECIDED),
            ).fetchall()
        finally:
            db.close()
        for seq, event_id, detail_type, put_at_ms, envelope in rows:
            self.add(detail_type, event_id, put_at_ms, json.loads(envelope)["detail"])
            self.after_seq = seq
        return len(rows)

    def undecided(self, keys: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
        return {key for key in keys if key not in self.decided_ms}


def _epoch_ms(iso: str) -> int:
    return round(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)


# -- the figures -----------------------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank percentile (p in 0..100) of a non-empty list (as bench/table.py)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))]


@dataclass(frozen=True)
class Summary:
    window_s: float
    requests: int
    """Posts answered in the window (any status)."""
    accepted: int
    """Posts answered 202 in the window."""
    errors: dict[int, int]
    """Status -> count of the posts not answered 202, the whole run (warm-up included)."""
    api_ms: tuple[float, float] | None
    """p50, p95 of the accepted posts' latency in the window (None: none accepted)."""
    decided_ms: tuple[float, float, float] | None
    """p50, p95, max from received to decided of the window's accepted messages that were decided."""
    lost: int
    """Messages accepted (the whole run) with no decision when the drain ended."""
    never_received: int
    """Of the lost, those with no `MessageReceived` on the bus either."""
    decided_twice: int
    """Messages with more than one distinct `EscalationDecided` event."""
    accepted_total: int
    decided: int = 0
    """Messages of the run whose (first) decision reached the bus in the window: what the pipeline kept up with."""

    @property
    def rate(self) -> float:
        return self.accepted / self.window_s if self.window_s > 0 else 0.0

    @property
    def decided_rate(self) -> float:
        return self.decided / self.window_s if self.window_s > 0 else 0.0


def summarize(posts: list[Post], archive: Archive, window: tuple[float, float]) -> Summary:
    """The figures of a run: `posts` as the users recorded them, the archive as drained, and the measured
    window (epoch seconds, start and end): a post belongs to it when its answer came within it."""
    start, end = window
    in_window = [p for p in posts if start <= p.answered_s < end]
    accepted = [p for p in in_window if p.status == ACCEPTED]
    all_accepted = {p.key for p in posts if p.status == ACCEPTED}
    errors = Counter(p.status for p in posts if p.status != ACCEPTED)
    latencies = [p.latency_ms for p in accepted]
    to_decision = [
        float(archive.decided_ms[p.key] - archive.received_ms[p.key])
        for p in accepted
        if p.key in archive.decided_ms and p.key in archive.received_ms
    ]
    lost = archive.undecided(all_accepted)
    return Summary(
        window_s=end - start,
        requests=len(in_window),
        accepted=len(accepted),
        errors=dict(sorted(errors.items())),
        api_ms=(percentile(latencies, 50), percentile(latencies, 95)) if latencies else None,
        decided_ms=(
            (percentile(to_decision, 50), percentile(to_decision, 95), max(to_decision))
            if to_decision
            else None
        ),
        lost=len(lost),
        never_received=sum(1 for key in lost if key not in archive.received_ms),
        decided_twice=sum(1 for key in all_accepted if len(archive.decision_ids.get(key, ())) > 1),
        accepted_total=len(all_accepted),
        decided=sum(
            1 for key in all_accepted if start * 1000 <= archive.decided_ms.get(key, -1) < end * 1000
        ),
    )


def rows(summary: Summary, users: int, cpu: Mapping[str, float] | None = None) -> list[tuple[str, str, str]]:
    """The table's rows (bench/table.py's print_table)."""
    errors = ", ".join(f"{_status(s)}: {n}" for s, n in summary.errors.items()) or "none"
    out = [
        (
            f"accepted, {users} clients, {summary.window_s:.0f} s",
            f"{summary.rate:.1f} msg/s ({summary.accepted} of {summary.requests} posts)",
            ">= 100 msg/s",
        ),
        (
            "decided end to end in the same window",
            f"{summary.decided_rate:.1f} msg/s ({summary.decided} decisions)",
            "keeps up",
        ),
        ("errors by status (whole run)", errors, "none"),
        (
            "API latency of accepted posts, p50 / p95",
            "-" if summary.api_ms is None else f"{summary.api_ms[0]:.0f} / {summary.api_ms[1]:.0f} ms",
            "info",
        ),
        (
            "received -> decided, p50 / p95 / max",
            "-" if summary.decided_ms is None else " / ".join(f"{v:.0f}" for v in summary.decided_ms) + " ms",
            "p95 <= 1,000 ms",
        ),
        (
            "lost (accepted, never decided)",
            f"{summary.lost} of {summary.accepted_total}"
            + (f" ({summary.never_received} never on the bus)" if summary.never_received else ""),
            "0",
        ),
        ("decided more than once", str(summary.decided_twice), "0"),
    ]
    if cpu and summary.accepted:
        out.append(
            (
                "CPU per accepted message (window)",
                ", ".join(
                    f"{name} {seconds * 1000 / summary.accepted:.1f} ms" for name, seconds in cpu.items()
                ),
                "info",
            )
        )
    return out


def _status(status: int) -> str:
    if status == WRONG_ANSWER:
        return "202 naming another message"
    return "no answer" if status == CONNECTION_ERROR else str(status)


def answer_status(status: int, body: str | None, conversation_id: str, message_id: str) -> int:
    """The status a post is recorded with: its HTTP status, but WRONG_ANSWER for a 202 whose body is not the
    `MessageAccepted` of the message posted (a server that mixed up two requests' answers)."""
    if status != ACCEPTED:
        return status
    try:
        answer = json.loads(body or "")
    except ValueError:
        return WRONG_ANSWER
    named = (answer.get("conversation_id"), answer.get("message_id")) if isinstance(answer, dict) else None
    return ACCEPTED if named == (conversation_id, message_id) else WRONG_ANSWER


# -- the run ---------------------------------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time a process has used so far (Linux /proc), or None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Local:
    """`baton local` in a subprocess with a data dir of its own (as tests/integration/test_local_e2e.py runs it)."""

    def __init__(self, workdir: Path) -> None:
        self.data_dir = workdir / "data"
        self.log = workdir / "baton-local.log"
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.runtime: dict[str, Any] = {}

    def start(self, timeout_s: float = 120) -> None:
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("BATON_API_TOKEN", "BATON_DATA_DIR") and not k.startswith("POWERTOOLS_")
        }
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [BATON, "local", "--port", str(self.port), "--data-dir", str(self.data_dir)],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"baton local exited with {self.proc.returncode}: see {self.log}")
            runtime_file = self.data_dir / "runtime.json"
            if runtime_file.exists() and _healthy(self.url):
                self.runtime = json.loads(runtime_file.read_text())
                return
            time.sleep(0.2)
        raise RuntimeError(f"baton local did not answer /v1/health within {timeout_s:.0f} s: see {self.log}")

    @property
    def token(self) -> str:
        return str(self.runtime["token"])

    @property
    def bus_file(self) -> Path:
        return Path(self.runtime["bus"])

    def pids(self) -> dict[str, int]:
        pids = {"baton local": self.proc.pid} if self.proc else {}
        if isinstance(self.runtime.get("dynamodb_pid"), int):
            pids["DynamoDB Local"] = self.runtime["dynamodb_pid"]
        return pids

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            pid = self.runtime.get("dynamodb_pid")
            if isinstance(pid, int):
                with contextlib.suppress(OSError):
                    os.killpg(pid, signal.SIGKILL)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _healthy(url: str) -> bool:
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=2)
    try:
        connection.request("GET", "/v1/health")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def load(
    local: Local,
    plan: Plan,
    users: int,
    warmup_s: float,
    duration_s: float,
    on_window_start: Callable[[], None] = lambda: None,
    rate: float | None = None,
) -> tuple[list[Post], float]:
    """Run the Locust users; the posts they made and the wall-clock start of the measured window (when
    `on_window_start` is called). `rate`: messages/s the users together post at most (Locust's
    `constant_throughput`), else each posts as soon as its last answer came (closed loop)."""
    import gevent
    from locust import FastHttpUser, constant, constant_throughput, task
    from locust.env import Environment

    posts: list[Post] = []
    numbers = iter(range(users * 1000))
    headers = {"Authorization": f"Bearer {local.token}", "Content-Type": "application/json"}

    class Poster(FastHttpUser):
        host = local.url
        wait_time = constant(0) if rate is None else constant_throughput(rate / users)
        network_timeout = 30.0
        connection_timeout = 5.0

        def on_start(self) -> None:
            self.number = next(numbers)
            self.sent = 0

        @task
        def post_message(self) -> None:
            conversation_id, message_id, body = plan.message(self.number, self.sent)
            self.sent += 1
            started = time.time()
            t0 = time.perf_counter()
            with self.client.post(
                f"/v1/conversations/{conversation_id}/messages",
                data=json.dumps(body),
                headers=headers,
                name="POST /v1/conversations/{id}/messages",
                catch_response=True,
            ) as response:
                latency = (time.perf_counter() - t0) * 1000
                status = response.status_code or CONNECTION_ERROR
                status = answer_status(status, response.text, conversation_id, message_id)
                if status == ACCEPTED:
                    response.success()
                else:
                    response.failure(f"status {_status(status)}")
            posts.append(Post(conversation_id, message_id, status, started, latency))

    env = Environment(user_classes=[Poster])
    runner = env.create_local_runner()
    runner.start(users, spawn_rate=users)
    gevent.sleep(warmup_s)
    window_start = time.time()
    on_window_start()
    gevent.sleep(duration_s)
    runner.quit()
    return posts, window_start


def drain(archive: Archive, bus_file: Path, posts: list[Post], stall_s: float, max_s: float) -> None:
    """Read the archive until every accepted message is decided, or no decision came for `stall_s` (the pipeline
    is idle: what is left is lost), or `max_s` passed."""
    accepted = [p.key for p in posts if p.status == ACCEPTED]
    t0 = progress_at = time.monotonic()
    decided = -1
    while True:
        archive.read(bus_file)
        now = time.monotonic()
        if not archive.undecided(accepted) or now - t0 > max_s:
            return
        if len(archive.decided_ms) != decided:
            decided, progress_at = len(archive.decided_ms), now
        elif now - progress_at > stall_s:
            return
        time.sleep(0.25)


def main() -> None:
    # Locust first: it monkey-patches the standard library (gevent) and wants to before anything else runs.
    import locust  # noqa: F401

    sys.path.insert(0, str(ROOT / "bench"))
    from table import print_table

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=16, help="concurrent clients (Locust users)")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds of load before measuring")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds measured")
    parser.add_argument(
        "--drain",
        type=float,
        default=60.0,
        help="after the load, give up once no decision came for this long (s)",
    )
    parser.add_argument("--drain-max", type=float, default=900.0, help="and in any case after this long (s)")
    parser.add_argument("--shared", type=int, default=4, help="conversations every user posts to")
    parser.add_argument("--shared-every", type=int, default=4, help="every N-th message goes to a shared one")
    parser.add_argument("--per-conversation", type=int, default=10, help="messages per own conversation")
    parser.add_argument(
        "--rate",
        type=float,
        help="open loop: post at most this many messages/s in all (default: closed loop)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the data dir and the log (printed)")
    args = parser.parse_args()
    if args.users < 1 or args.duration <= 0 or args.warmup < 0 or args.per_conversation < 1:
        parser.error("--users and --per-conversation must be >= 1, --duration > 0, --warmup >= 0")
    if args.rate is not None and args.rate <= 0:
        parser.error("--rate must be > 0")

    workdir = Path(tempfile.mkdtemp(prefix="baton-load-"))
    local = Local(workdir)
    plan = Plan(uuid.uuid4().hex[:6], args.shared, args.shared_every, args.per_conversation)
    print(f"starting baton local ({workdir}) ...", file=sys.stderr)
    try:
        local.start()
        print(
            f"{args.users} users: {args.warmup:.0f} s warm-up, {args.duration:.0f} s measured ...",
            file=sys.stderr,
        )
        pids = {**local.pids(), "load generator": os.getpid()}
        cpu_before: dict[str, float | None] = {}

        def mark() -> None:
            cpu_before.update({name: cpu_seconds(pid) for name, pid in pids.items()})

        posts, window_start = load(local, plan, args.users, args.warmup, args.duration, mark, args.rate)
        window_end = time.time()
        cpu = {
            name: after - before
            for name, pid in pids.items()
            if (before := cpu_before.get(name)) is not None and (after := cpu_seconds(pid)) is not None
        }
        print(f"draining (until {args.drain:.0f} s without a decision) ...", file=sys.stderr)
        archive = Archive()
        drain(archive, local.bus_file, posts, args.drain, args.drain_max)
    finally:
        local.stop()
    summary = summarize(posts, archive, (window_start, window_end))
    table = rows(summary, args.users, cpu)
    last_ms = max((archive.decided_ms.get(p.key, 0) for p in posts if p.status == ACCEPTED), default=0)
    table.append(
        ("last decision, after the load stopped", f"{max(0.0, last_ms / 1000 - window_end):.1f} s", "info")
    )
    print_table(
        table,
        footnote=f"; load {os.getloadavg()[0]:.1f}; "
        + ("closed loop" if args.rate is None else f"open loop at {args.rate:g} msg/s")
        + f"; {args.shared} shared conversations (every "
        f"{args.shared_every}th message), {args.per_conversation} messages per own conversation",
    )
    if args.keep:
        print(f"\ndata dir and log kept in {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
