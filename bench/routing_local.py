"""Routing on `baton local`: `.venv/bin/python bench/routing_local.py [--n 40] [--concurrency 4] [--reps 10]`.

Measures two targets of the routing issue end to end, on a `baton local` started here (its own port and temp
data dir, no demo data; about 2 minutes in all):

1. **The assignment and the packet are in GET within 2 s of the decision (p95).** Six online English agents
   covering every product area (the taxonomy's skills, capacity 20 each) are imported with `baton agents
   import`; N conversations each get one customer message that trips a guardrail ("I want to talk to a human
   agent now ..."), posted by `--concurrency` clients, each polling `GET /v1/conversations/{id}` every
   `--poll` s until it shows `decision.action == escalate`, `assignment.state == assigned` and `handoff`.
   Three figures: `assignment.assigned_at - decision.decided_at` (both server clocks), first seen in GET -
   `decision.decided_at` (the target's own measure: one machine, one clock; includes the poll interval), and
   POST sent -> first seen in GET (scoring, decision and routing together).
2. **A queued escalation is assigned within 5 s of capacity freeing up.** (a) One agent of capacity 1 online:
   conversation A is assigned, B is escalated and waits (`status: queued`), A is handed back
   (`POST .../handback {}`) and the time until B's GET shows `assignment.state == assigned` is measured; B is
   then the next repetition's A; measured from just before the POST. (b) The only agent offline: C is
   escalated and queued, `baton agents status <id> online` publishes AgentStatusChanged on the local bus, and
   the time until C is assigned in GET (polled while the command runs) is measured from the event's
   `occurred_at` (the bus archive), and from the command's start; the agent is then set offline again with the
   same command.

`assignment.assigned_at` is stamped when the route consumer takes the event (the drain, for 2a and 2b), before
it builds the packet and runs the assignment transaction: the server-side rows leave that work out, the "seen
in GET" rows (one machine, one clock; within the poll interval) hold everything.

Everything a target reads is the product's own answer: the HTTP API with the bearer token of `runtime.json`,
and the `baton` CLI. The bench reads the routing table directly only to wait until an agent's status change
has been applied before the next repetition. `baton local` also drains the queue on its routing clock
(every 1 s), so target 2 is met by the clock alone if the capacity events do not drain it: the table says
how many assignments came sooner than that.

The `baton local` log is kept (its path printed) when something fails; error lines, tracebacks and dead
letters are reported either way. Figures depend on the machine; bench/README.md records what was measured.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path[:0] = [str(ROOT)]
PY = sys.executable
BATON = str(Path(PY).parent / "baton")

os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-1")
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"

TEXT = "I want to talk to a human agent now, I was charged twice for INV-2231"
ALL_AREAS = ["billing", "technical", "account", "how_to", "cancellation", "feedback"]
ALL_SKILLS = [
    "billing",
    "technical",
    "integrations",
    "data",
    "account_admin",
    "identity",
    "privacy",
    "retention",
    "customer_care",
    "product",
    "general",
]
POOL = [
    ("pool-billing", ["billing", "account"], ["billing", "account_admin", "identity", "privacy"]),
    ("pool-tech", ["technical"], ["technical", "integrations", "data"]),
    ("pool-account", ["account", "how_to"], ["account_admin", "identity", "privacy", "general", "product"]),
    ("pool-retention", ["cancellation", "feedback"], ["retention", "customer_care", "product", "general"]),
    ("pool-general-1", ALL_AREAS, ALL_SKILLS),
    ("pool-general-2", ALL_AREAS, ALL_SKILLS),
]
SOLO = "solo-handback"  # target 2a: capacity 1
SPARE = "solo-online"  # target 2b: offline, then online


class BenchFailure(Exception):
    """The product did not do what the target needs (reported, not worked around)."""


def agent(agent_id: str, areas: list[str], skills: list[str], capacity: int, status: str) -> dict[str, Any]:
    return {
        "id": agent_id,
        "name": agent_id.replace("-", " ").title(),
        "email": f"{agent_id}@bench.example",
        "languages": ["en"],
        "product_areas": areas,
        "skills": skills,
        "capacity": capacity,
        "status": status,
    }


def parse_time(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


# ---------------------------------------------------------------------------------------------- baton local


class Local:
    """One `baton local` in a subprocess, on a free port and a temp data dir; always stopped by `close()`."""

    def __init__(self, workdir: Path) -> None:
        from baton.local.dynamodb_local import free_port

        self.data_dir = workdir / "data"
        self.log = workdir / "baton-local.log"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.runtime: dict[str, Any] = {}
        # As a user runs it: no token, data dir or Powertools settings exported (it generates its token).
        self.env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("BATON_API_TOKEN", "BATON_DATA_DIR") and not k.startswith("POWERTOOLS_")
        }
        self._directory: Any = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [BATON, "local", "--port", str(self.port), "--data-dir", str(self.data_dir)],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # a Ctrl-C of the bench reaches it through close(), once
            )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchFailure(f"baton local exited with {self.proc.returncode}:\n{self.log_tail()}")
            if "Ctrl-C stops Baton" in self.log.read_text(errors="replace") and self._healthy():
                break
            time.sleep(0.2)
        else:
            raise BenchFailure(f"baton local did not start within 90 s:\n{self.log_tail()}")
        self.runtime = json.loads((self.data_dir / "runtime.json").read_text())

    def _healthy(self) -> bool:
        try:
            with urllib.request.urlopen(self.url + "/v1/health", timeout=1) as resp:
                return bool(resp.status == 200)
        except OSError:
            return False

    def close(self) -> int | None:
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGINT)
        try:
            return self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
            pid = self.runtime.get("dynamodb_pid")
            if isinstance(pid, int):
                with contextlib.suppress(OSError):
                    os.killpg(pid, signal.SIGKILL)
            return None

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    # -- the API

    def request(self, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(
            self.url + path,
            data=data,
            method=method,
            headers={"Authorization": f"Bearer {self.runtime['token']}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return resp.status, json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"null")

    def post_message(self, conversation_id: str, customer_id: str) -> None:
        status, answer = self.request(
            "POST",
            f"/v1/conversations/{conversation_id}/messages",
            {
                "message_id": f"m-{uuid.uuid4().hex[:10]}",
                "role": "customer",
                "text": TEXT,
                "customer": {"id": customer_id, "account_id": f"acct-{customer_id}", "language": "en"},
            },
        )
        if status != 202:
            raise BenchFailure(f"POST message to {conversation_id}: {status} {answer}")

    def get(self, conversation_id: str) -> dict[str, Any]:
        status, answer = self.request("GET", f"/v1/conversations/{conversation_id}")
        if status != 200:
            raise BenchFailure(f"GET {conversation_id}: {status} {answer}")
        return answer  # type: ignore[no-any-return]

    def hand_back(self, conversation_id: str) -> str:
        status, answer = self.request("POST", f"/v1/conversations/{conversation_id}/handback", {})
        if status != 202:
            raise BenchFailure(f"POST handback of {conversation_id}: {status} {answer}")
        return str(answer["event_id"])

    # -- the CLI

    def cli(self, *argv: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [BATON, *argv, "--data-dir", str(self.data_dir)],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        if done.returncode != 0:
            raise BenchFailure(
                f"baton {' '.join(argv)} exited {done.returncode}:\n{done.stdout}{done.stderr}"
            )
        return done

    def cli_start(self, *argv: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [BATON, *argv, "--data-dir", str(self.data_dir)],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def cli_finish(self, command: subprocess.Popen[str]) -> str:
        try:
            out, err = command.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            command.kill()
            out, err = command.communicate()
        if command.returncode != 0:
            raise BenchFailure(f"{command.args!r} exited {command.returncode}:\n{out}{err}")
        return out

    def import_agents(self, path: Path, agents: list[dict[str, Any]]) -> None:
        path.write_text("".join(json.dumps(a) + "\n" for a in agents))
        self.cli("agents", "import", str(path))

    def agent_status(self, agent_id: str) -> str:
        """The stored status (the routing table, read directly: only to wait for a change to apply)."""
        if self._directory is None:
            from baton import wiring
            from baton.routing.directory import DynamoAgentDirectory

            client = wiring.dynamodb_client(self.runtime["dynamodb_endpoint"])
            self._directory = DynamoAgentDirectory(self.runtime["tables"]["routing"], client=client)
        record = self._directory.agent(agent_id)
        if record is None:
            raise BenchFailure(f"agent {agent_id} is not in the routing table")
        return str(record.status)

    def archived(self, detail_type: str) -> list[dict[str, Any]]:
        listed = self.cli("events", "list", "--json", "--limit", "5000")
        envelopes = [json.loads(line)["event"] for line in listed.stdout.splitlines() if line.strip()]
        return [e for e in envelopes if e.get("detail-type") == detail_type]


# --------------------------------------------------------------------------------------------------- probes


def wait_for(
    probe: Callable[[], Any], what: str, local: Local, timeout_s: float, poll_s: float
) -> tuple[Any, float]:
    """Poll until `probe` returns a truthy value: (the value, the wall-clock time it was first seen)."""
    deadline = time.monotonic() + timeout_s
    last: Any = None
    while True:
        last = probe()
        if last and not isinstance(last, Stuck):
            return last, time.time()
        if time.monotonic() > deadline:
            shown = last.conversation if isinstance(last, Stuck) else last
            raise BenchFailure(
                f"timed out after {timeout_s:g} s waiting for {what}; last seen: "
                f"{json.dumps(summary(shown)) if isinstance(shown, dict) else shown}"
            )
        if local.proc is not None and local.proc.poll() is not None:
            raise BenchFailure(f"baton local exited with {local.proc.returncode}:\n{local.log_tail()}")
        time.sleep(poll_s)


@dataclass
class Stuck:
    """A probe's 'not yet', with the conversation last seen (for the timeout message)."""

    conversation: dict[str, Any]

    def __bool__(self) -> bool:
        return False


def summary(conversation: dict[str, Any]) -> dict[str, Any]:
    decision = conversation.get("decision") or {}
    return {
        "status": conversation.get("status"),
        "decision": {k: decision.get(k) for k in ("action", "guardrail", "decided_at")} if decision else None,
        "assignment": conversation.get("assignment"),
        "handoff": bool(conversation.get("handoff")),
        "scores": bool(conversation.get("scores")),
    }


def assigned(local: Local, conversation_id: str) -> Callable[[], dict[str, Any] | Stuck]:
    def probe() -> dict[str, Any] | Stuck:
        c = local.get(conversation_id)
        decision = c.get("decision") or {}
        if decision.get("action") not in (None, "escalate"):
            raise BenchFailure(f"{conversation_id} was not escalated: {json.dumps(summary(c))}")
        if decision and (c.get("assignment") or {}).get("state") == "assigned" and c.get("handoff"):
            return c
        return Stuck(c)

    return probe


def queued(local: Local, conversation_id: str) -> Callable[[], dict[str, Any] | Stuck]:
    def probe() -> dict[str, Any] | Stuck:
        c = local.get(conversation_id)
        state = (c.get("assignment") or {}).get("state")
        if state == "assigned":
            raise BenchFailure(f"{conversation_id} was assigned, expected to wait: {json.dumps(summary(c))}")
        return c if state == "queued" and c.get("status") == "queued" else Stuck(c)

    return probe


def handed_back(local: Local, conversation_id: str) -> Callable[[], dict[str, Any] | Stuck]:
    def probe() -> dict[str, Any] | Stuck:
        c = local.get(conversation_id)
        return c if (c.get("assignment") or {}).get("state") == "handed_back" else Stuck(c)

    return probe


# --------------------------------------------------------------------------------------------------- targets


@dataclass
class Samples:
    values: dict[str, list[float]] = field(default_factory=dict)

    def add(self, name: str, seconds: float) -> None:
        self.values.setdefault(name, []).append(seconds)


def target_1(local: Local, n: int, concurrency: int, poll_s: float, timeout_s: float) -> Samples:
    samples = Samples()
    lock = threading.Lock()
    counter = iter(range(n))

    def one(i: int) -> None:
        conversation_id = f"bench-t1-{i:03d}"
        sent = time.time()
        local.post_message(conversation_id, f"cust-t1-{i:03d}")
        c, seen = wait_for(
            assigned(local, conversation_id),
            f"{conversation_id} assigned with its packet",
            local,
            timeout_s,
            poll_s,
        )
        decided = parse_time(c["decision"]["decided_at"])
        with lock:
            samples.add("assigned_at - decided_at", parse_time(c["assignment"]["assigned_at"]) - decided)
            samples.add("seen in GET - decided_at", seen - decided)
            samples.add("POST -> seen in GET", seen - sent)

    failed = threading.Event()

    def worker() -> None:
        for i in iter(lambda: next(counter, None), None):
            if failed.is_set():
                return  # one client's failure ends the run: the others take no new conversation
            try:
                one(i)
            except BaseException:
                failed.set()
                raise

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for future in [pool.submit(worker) for _ in range(concurrency)]:
            future.result()
    return samples


def target_2a(local: Local, reps: int, poll_s: float, timeout_s: float) -> Samples:
    """Hand-back frees the only seat: the queued escalation takes it."""
    samples = Samples()
    handbacks: dict[str, tuple[float, str]] = {}  # event id -> (client time of the POST, the waiting conv)
    first = "bench-t2a-00"
    local.post_message(first, "cust-t2a-00")
    wait_for(assigned(local, first), f"{first} assigned", local, timeout_s, poll_s)
    holder = first
    for rep in range(1, reps + 1):
        waiting = f"bench-t2a-{rep:02d}"
        local.post_message(waiting, f"cust-t2a-{rep:02d}")
        wait_for(queued(local, waiting), f"{waiting} queued behind {holder}", local, timeout_s, poll_s)
        sent = time.time()
        event_id = local.hand_back(holder)
        c, seen = wait_for(
            assigned(local, waiting),
            f"{waiting} assigned after {holder}'s hand-back",
            local,
            timeout_s,
            poll_s,
        )
        at = parse_time(c["assignment"]["assigned_at"])
        samples.add("POST handback -> seen in GET", seen - sent)
        samples.add("assigned_at - POST handback", at - sent)
        handbacks[event_id] = (at, waiting)
        wait_for(handed_back(local, holder), f"{holder} handed back", local, timeout_s, poll_s)
        holder = waiting
    # HandedBack's occurred_at (the API's clock when it published) from the bus archive.
    for envelope in local.archived("HandedBack"):
        detail = envelope.get("detail") or {}
        if detail.get("event_id") in handbacks:
            at, _ = handbacks[detail["event_id"]]
            samples.add("assigned_at - HandedBack.occurred_at", at - parse_time(detail["occurred_at"]))
    found = len(samples.values.get("assigned_at - HandedBack.occurred_at", []))
    if found != reps:
        raise BenchFailure(f"found {found} of the {reps} HandedBack events in the bus archive")
    return samples


def target_2b(local: Local, reps: int, poll_s: float, timeout_s: float) -> Samples:
    """The only agent comes online (`baton agents status ... online`): the queued escalation is assigned. GET is
    polled while the command runs (it publishes, then prints and exits)."""
    samples = Samples()
    observed: dict[str, tuple[float, float]] = {}  # the command's bus event id -> (assigned_at, seen)
    for rep in range(1, reps + 1):
        waiting = f"bench-t2b-{rep:02d}"
        local.post_message(waiting, f"cust-t2b-{rep:02d}")
        wait_for(queued(local, waiting), f"{waiting} queued (no agent online)", local, timeout_s, poll_s)
        started = time.time()
        command = local.cli_start("agents", "status", SPARE, "online")
        try:
            c, seen = wait_for(
                assigned(local, waiting),
                f"{waiting} assigned after {SPARE} came online",
                local,
                timeout_s,
                poll_s,
            )
        finally:
            out = local.cli_finish(command)
        if "published as AgentStatusChanged" not in out:
            raise BenchFailure(f"`baton agents status` did not publish on the local bus: {out}")
        if c["assignment"]["agent_id"] != SPARE:
            raise BenchFailure(f"{waiting} assigned to {c['assignment']['agent_id']}, expected {SPARE}")
        samples.add("command start -> seen in GET", seen - started)
        event_id = out.split("(event ", 1)[1].split(")", 1)[0]
        observed[event_id] = (parse_time(c["assignment"]["assigned_at"]), seen)
        local.cli("agents", "status", SPARE, "offline")
        wait_for(lambda: local.agent_status(SPARE) == "offline", f"{SPARE} offline", local, timeout_s, poll_s)
    # AgentStatusChanged's occurred_at (the command's clock as it published) from the bus archive.
    for envelope in local.archived("AgentStatusChanged"):
        if envelope.get("id") in observed:
            at, seen = observed[envelope["id"]]
            occurred = parse_time((envelope.get("detail") or {})["occurred_at"])
            samples.add("AgentStatusChanged.occurred_at -> seen in GET", seen - occurred)
            samples.add("assigned_at - AgentStatusChanged.occurred_at", at - occurred)
    found = len(samples.values.get("assigned_at - AgentStatusChanged.occurred_at", []))
    if found != reps:
        raise BenchFailure(f"found {found} of the {reps} AgentStatusChanged events in the bus archive")
    return samples


# ------------------------------------------------------------------------------------------------------ main


def problems_in_log(local: Local) -> list[str]:
    try:
        text = local.log.read_text(errors="replace")
    except OSError:
        return []
    keys = ('"level":"ERROR"', '"level":"WARNING"', "Traceback", "ERROR", "Exception")
    return [line for line in text.splitlines() if any(k in line for k in keys)]


def dead_letters(local: Local) -> list[dict[str, Any]]:
    try:
        listed = local.cli("dlq", "list", "--json")
    except BenchFailure:
        return []
    return [json.loads(line) for line in listed.stdout.splitlines() if line.strip()]


def fmt(values: list[float]) -> str:
    from table import percentile

    if not values:
        return "no samples"
    ms = [v * 1000 for v in values]
    return f"{percentile(ms, 50):.0f} / {percentile(ms, 95):.0f} / {max(ms):.0f} ms (n={len(ms)})"


def verdict(values: list[float], limit_s: float) -> str:
    from table import percentile

    if not values:
        return f"p95 <= {limit_s:.0f} s: **no samples**"
    return f"p95 <= {limit_s:.0f} s: " + ("**PASS**" if percentile(values, 95) <= limit_s else "**MISS**")


@contextlib.contextmanager
def terminated_as_interrupt() -> Iterator[None]:
    """SIGTERM unwinds like Ctrl-C, so `baton local` is stopped either way."""

    def raise_interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, raise_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def run(args: argparse.Namespace, local: Local, workdir: Path) -> list[tuple[str, str, str]]:
    print(f"starting baton local on {local.url} (data in {local.data_dir}) ...", file=sys.stderr)
    t0 = time.monotonic()
    local.start()
    print(f"  up in {time.monotonic() - t0:.1f} s", file=sys.stderr)
    pool = [agent(i, areas, skills, 20, "online") for i, areas, skills in POOL]
    solo = agent(SOLO, ALL_AREAS, ALL_SKILLS, 1, "offline")
    spare = agent(SPARE, ALL_AREAS, ALL_SKILLS, 50, "offline")
    local.import_agents(workdir / "agents-1.jsonl", [*pool, solo, spare])

    rows: list[tuple[str, str, str]] = []
    print(f"target 1: {args.n} escalations, {args.concurrency} clients ...", file=sys.stderr)
    t1 = target_1(local, args.n, args.concurrency, args.poll, args.timeout)
    seen = t1.values["seen in GET - decided_at"]
    rows.append(
        ("1. assignment + packet in GET - decision.decided_at, p50 / p95 / max", fmt(seen), verdict(seen, 2))
    )
    rows.append(
        (
            "   assignment.assigned_at - decision.decided_at (server: stamped as route takes the event)",
            fmt(t1.values["assigned_at - decided_at"]),
            "info",
        )
    )
    rows.append(
        ("   POST message -> assignment + packet in GET", fmt(t1.values["POST -> seen in GET"]), "info")
    )

    # Only the capacity-1 agent online from here on.
    local.import_agents(
        workdir / "agents-2.jsonl",
        [*(dict(a, status="offline") for a in pool), dict(solo, status="online"), spare],
    )
    print(f"target 2a: {args.reps} hand-backs ...", file=sys.stderr)
    t2a = target_2a(local, args.reps, args.poll, args.timeout)
    handback = t2a.values["POST handback -> seen in GET"]
    rows.append(
        (
            "2a. hand-back -> queued escalation assigned in GET, p50 / p95 / max",
            fmt(handback),
            verdict(handback, 5),
        )
    )
    rows.append(
        (
            "   assignment.assigned_at - HandedBack.occurred_at (server)",
            fmt(t2a.values.get("assigned_at - HandedBack.occurred_at", [])),
            "info",
        )
    )

    # Nobody online: the spare agent comes online by `baton agents status`.
    local.import_agents(workdir / "agents-3.jsonl", [dict(solo, status="offline")])
    wait_for(lambda: local.agent_status(SOLO) == "offline", f"{SOLO} offline", local, args.timeout, args.poll)
    print(f"target 2b: {args.reps} agents coming online ...", file=sys.stderr)
    t2b = target_2b(local, args.reps, args.poll, args.timeout)
    online = t2b.values["AgentStatusChanged.occurred_at -> seen in GET"]
    rows.append(
        (
            "2b. agent online (AgentStatusChanged) -> queued escalation assigned in GET, p50 / p95 / max",
            fmt(online),
            verdict(online, 5),
        )
    )
    rows.append(
        (
            "   assignment.assigned_at - AgentStatusChanged.occurred_at (server)",
            fmt(t2b.values["assigned_at - AgentStatusChanged.occurred_at"]),
            "info",
        )
    )
    rows.append(
        (
            "   `baton agents status ... online` started -> assigned in GET",
            fmt(t2b.values["command start -> seen in GET"]),
            "info",
        )
    )
    clock = t2a.values.get("assigned_at - HandedBack.occurred_at", []) + t2b.values.get(
        "assigned_at - AgentStatusChanged.occurred_at", []
    )
    if clock:
        sooner = sum(1 for v in clock if v < 0.5)
        rows.append(
            (
                "   2a + 2b drained < 0.5 s after the event (by the 1 s routing clock alone: ~half)",
                f"{sooner} of {len(clock)}",
                "info",
            )
        )
    return rows


def main() -> int:
    from table import print_table

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=40, help="escalations for target 1 (default 40)")
    parser.add_argument("--concurrency", type=int, default=4, help="clients for target 1 (default 4)")
    parser.add_argument("--reps", type=int, default=10, help="repetitions of each target-2 case (default 10)")
    parser.add_argument("--poll", type=float, default=0.1, help="GET poll interval, s (default 0.1)")
    parser.add_argument("--timeout", type=float, default=30.0, help="per wait, s (default 30)")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (data and log)")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="baton-bench-routing-"))
    local = Local(workdir)
    failed = True
    started = time.monotonic()
    try:
        with terminated_as_interrupt():
            rows = run(args, local, workdir)
            failed = False
    except BenchFailure as exc:
        print(f"\nFAILED: {exc}", file=sys.stderr)
        rows = []
    finally:
        problems = problems_in_log(local)
        letters = dead_letters(local) if local.runtime else []
        code = local.close()
        if code not in (0, None):
            problems.append(f"baton local exited with {code}")
    if rows:
        rows.append(
            ("baton local log: error/warning lines, dead letters", f"{len(problems)}, {len(letters)}", "0, 0")
        )
        print_table(rows, footnote=f"; run took {time.monotonic() - started:.0f} s")
    for line in problems[:30]:
        print(f"  log: {line}", file=sys.stderr)
    for letter in letters[:10]:
        print(f"  dead letter: {letter.get('queue')}: {str(letter.get('last_error'))[:300]}", file=sys.stderr)
    if failed or problems or letters or args.keep:
        print(f"kept: {workdir} (log: {local.log})", file=sys.stderr)
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
