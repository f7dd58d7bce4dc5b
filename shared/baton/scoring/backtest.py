"""`baton backtest INPUT.jsonl [--models DIR] [--params FILE] [-o OUTPUT.jsonl] [--report] [--workers N]`: score
and decide your own transcripts offline. docs/backtest.md is the user's guide (the input and output formats with
examples, the options, the exit codes); this docstring is the developer's summary, and says the same.

Each input line is one conversation:

    {"conversation_id": "c-1", "messages": [{"role": "customer", "text": "...", ...}, ...], ...}

A message takes any optional field of the API's message body (`message_id`, `sent_at`, `customer`,
`channel`, `page`, `bot` with the bot's `confidence`, `metadata`); missing ids and times are filled in
(`<conversation_id>-<index>`, one minute apart), and a line-level `customer` applies to every message that
names none (default: `{"id": "backtest", "account_id": "backtest"}`). A message with empty `text` (an
attachment alone) is kept, with nothing to score, and warned about once. Other keys (of the line or of a
message: a team's own labels, say) are ignored. `BATON_MODELS_DIR` is honoured as by the scoring function.

Inline business context, so a backtest needs no tables (each optional; `baton.context.models` models):
`account` {id, plan, annual_value, renewal_date, signup_date, health, segment}, `history` [{conversation_id,
intent, closed_at, outcome}], `incidents` [{id, title, product_area, intents, keywords, status, eta}],
`activity` {page, recent_actions, errors_seen}, and `now`: the time the backtest pretends it is (default: each
message's `sent_at`).

One output line per message, in input order:

    {"conversation_id", "index", "message_id", "role", "text", "scores": {...}, "arc": {...}, "decision": {...}}

`text` is the message's text as read, so a line shows the decision next to what the customer said.

`scores` and `arc` are exactly what `MessageScored` carries: the same `Scorer` runs in-process, no AWS.
`decision` is what `EscalationDecided` carries for a customer message (`action`, `risk`, `reasons`,
`guardrail`, `incidents`, `model_version`), plus `previous` and `changed`; on a bot or agent message, which is
not decided, the conversation's standing action with `"decided": false`. `--params FILE` takes a decision
parameters document (default: the shipped one). `--report` prints a summary at the end: escalation rate,
decision changes, the reasons by frequency.
`--models DIR` takes a `baton train ... --out DIR` directory: the models it holds replace the shipped ones,
kind by kind. Progress goes to stderr. A line that cannot be read is reported with its line number and
skipped; the exit code is then 1 (0 when every line was scored, 2 for bad arguments or missing models).

`--workers N` scores in N processes (default: the number of cores; 1 scores in this one): this one and N - 1
workers. The output is the same, byte for byte, whatever N: this process reads and checks the lines (so bad
lines and warnings are reported as with one process), cuts them into chunks of about `BATCH_MESSAGES` messages,
the same chunks whatever N, and writes each chunk's lines, scored by a worker or by itself, in input order: it
scores while the workers start, whenever they hold a few chunks each, and, at the end, the chunks they have not
started. Each process loads the models once (a worker when it starts); every onnxruntime session runs one
intra-op thread (the loaders' default), so N processes use N cores and no more. Input and output are streamed: a
few chunks per worker are in flight at a time. The workers end with the command however it ends: done, Ctrl-C
(exit code 130), a closed pipe, or killed.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import functools
import json
import os
import signal
import sys
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from pydantic import ValidationError

from baton.errors import BatonError
from baton.events import MessageSnapshot
from baton.models import MessageIn, Source

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor
    from multiprocessing.process import BaseProcess

    from baton.scoring.scorer import Models

BATCH_MESSAGES = 64
"""Conversations are scored in chunks of about this many messages (one call of each n-gram model per chunk):
the unit of work a worker is sent, whatever the number of workers. Small, so that the workers finish together
(the last chunk, alone, takes about 0.3 s); 32 to 512 measured the same time per message."""
IN_FLIGHT_PER_WORKER = 3
"""Chunks read ahead per worker: enough to keep each one busy, few enough to stream a file of any size."""
READ_AHEAD_HERE = 12
"""With the command scoring too: chunks read ahead of the output at most, while a worker's is awaited (so that the
command goes on scoring while a worker's first chunk, slower as its first, is not back)."""
RELEASE_WAIT_S = 1.0
"""How long closing waits for the process pool's thread to see that its workers are gone (`Workers.close`)."""

_BASE_TIME = datetime(2025, 1, 1, tzinfo=UTC)
_DEFAULT_CUSTOMER = {"id": "backtest", "account_id": "backtest"}


class BadLine(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Conversation:
    line: int
    conversation_id: str
    messages: list[MessageSnapshot]
    context: Any = None
    """`baton.context.models.Context` from the line's inline context."""
    now: datetime | None = None
    misspelt: tuple[tuple[str, str], ...] = ()
    """Top-level keys close to one backtest reads, with it: (`acount`, `account`). A typo would lose the
    context silently; other keys (a team's own labels, a scenario's expectations) are simply not read."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="baton backtest",
        description="Score and decide conversations from a JSONL file with the same code as the scoring and "
        "decision functions, in-process (no AWS). One output line per message: its text, its scores, the arc "
        "after it and the decision. Inline business context per line: account, history, incidents, activity, now.",
        epilog='An input line: {"conversation_id": "c-1", "messages": [{"role": "customer", "text": "..."}, ...]}. '
        "The formats, with examples, and every option: docs/backtest.md.",
    )
    parser.add_argument("input", metavar="INPUT.jsonl", help="one conversation per line; `-` reads stdin")
    parser.add_argument(
        "--models",
        type=Path,
        metavar="DIR",
        help="a `baton train ... --out DIR` directory: its models replace the shipped ones, kind by kind",
    )
    parser.add_argument("-o", "--output", metavar="OUTPUT.jsonl", help="where to write (default: stdout)")
    parser.add_argument(
        "--params", type=Path, metavar="FILE", help="decision parameters document (default: the shipped one)"
    )
    parser.add_argument(
        "--report",
        action="store_true",
        help="print a summary: escalation rate, decision changes, reasons by frequency "
        "(on stdout when -o is given, else on stderr)",
    )
    parser.add_argument(
        "--workers",
        type=_positive,
        default=default_workers(),
        metavar="N",
        help="processes that score in parallel, each loading the models once (default: the number of cores, "
        f"{default_workers()} here; 1 scores in this process). The output is the same whatever N",
    )
    return parser


def default_workers() -> int:
    """The cores this process may use (3.12 has no `os.process_cpu_count`: all the machine's)."""
    count: int | None = getattr(os, "process_cpu_count", os.cpu_count)()
    return count or 1


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {value!r}")
    return number


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from baton.scoring.loader import load_models, model_dirs, models_dir
    from baton.scoring.scorer import Scorer
    from baton.settings import Settings

    try:
        source = sys.stdin if args.input == "-" else open(args.input, encoding="utf-8")  # noqa: SIM115
    except OSError as exc:
        _err(f"cannot read {args.input}: {exc.strerror or exc}")
        return 2
    from baton.decision.params import load, load_default

    workers: Workers | None = None
    try:
        root = models_dir(Settings.from_env().models_dir)
        models = functools.partial(load_models, root, override=args.models)
        # Models first, then parameters: the first error reported is the same whatever the number of workers.
        if args.workers == 1:
            scorer = Scorer(models())
        else:
            model_dirs(root, args.models)
        params = load(args.params) if args.params else load_default()
        if args.workers > 1:
            # N scoring processes: this one and N - 1 workers (this one scores while they start, and whenever
            # they have enough in hand).
            workers = Workers(models, args.workers - 1, params=params)
    except BatonError as exc:
        _err(str(exc))
        return 2
    try:
        to_stdout = args.output in (None, "-")
        sink = sys.stdout if to_stdout else open(args.output, "w", encoding="utf-8")  # noqa: SIM115
    except OSError as exc:
        if workers is not None:
            workers.close()
        _err(f"cannot write {args.output}: {exc.strerror or exc}")
        return 2
    try:
        with source:
            if workers is None:
                stats = run(scorer, source, sink, name=args.input, params=params)
            else:
                with workers:
                    stats = workers.run(source, sink, name=args.input)
    finally:
        if sink is not sys.stdout:
            sink.close()
    if args.report:
        print(stats.report.render(), file=sys.stderr if to_stdout else sys.stdout)
    if stats.bad_lines:
        _err(f"{stats.bad_lines} line(s) skipped (see above)")
        return 1
    return 0


@dataclass
class Report:
    """What `--report` prints: how often and why the decision escalated."""

    conversations: int = 0
    customer_messages: int = 0
    actions: Counter[str] = field(default_factory=Counter)
    """Decisions per action (customer messages)."""
    final: Counter[str] = field(default_factory=Counter)
    """Conversations by their last action."""
    escalated: int = 0
    """Conversations escalated at some point."""
    changes: Counter[str] = field(default_factory=Counter)
    """`previous -> action` transitions; a conversation's first decision that is not `resolve` counts as
    `start -> action` (nothing was decided before it: the bot simply had the conversation)."""
    reasons: Counter[str] = field(default_factory=Counter)
    """Reason codes over all decisions (each counted once per decision)."""
    escalation_reasons: Counter[str] = field(default_factory=Counter)
    """The top reason of each escalation (the decision that escalated)."""
    guardrails: Counter[str] = field(default_factory=Counter)

    def merge(self, other: Report) -> None:
        """Add `other`'s counts (the report of the chunk after this one's): counters keep the order in which
        keys first appeared, so ties in `most_common` come out as they would from one pass over the input."""
        for f in fields(self):
            mine, theirs = getattr(self, f.name), getattr(other, f.name)
            if isinstance(mine, Counter):
                mine.update(theirs)
            else:
                setattr(self, f.name, mine + theirs)

    def add(self, decisions: list[Any]) -> None:
        self.conversations += 1
        escalated = False
        for i, decision in enumerate(decisions):
            self.customer_messages += 1
            self.actions[decision.action] += 1
            for reason in decision.reasons:
                self.reasons[reason.code] += 1
            if decision.changed:
                self.changes[f"{'start' if i == 0 else decision.previous} -> {decision.action}"] += 1
                if decision.action == "escalate":
                    escalated = True
                    if decision.reasons:
                        self.escalation_reasons[decision.reasons[0].code] += 1
                    if decision.guardrail:
                        self.guardrails[decision.guardrail] += 1
        self.escalated += escalated
        self.final[decisions[-1].action if decisions else "resolve"] += 1

    def render(self) -> str:
        n = max(self.conversations, 1)
        lines = [
            f"backtest report: {_counted(self.conversations, 'conversation')}, "
            f"{_counted(self.customer_messages, 'customer message')} decided",
            f"  escalated: {_counted(self.escalated, 'conversation')} ({self.escalated / n:.1%})",
            "  last action: " + ", ".join(f"{a} {self.final[a]}" for a in ("resolve", "monitor", "escalate")),
            "  decisions: " + ", ".join(f"{a} {self.actions[a]}" for a in ("resolve", "monitor", "escalate")),
            "  decision changes: " + (", ".join(f"{k} {v}" for k, v in self.changes.most_common()) or "none"),
        ]
        if self.guardrails:
            lines.append("  guardrails: " + ", ".join(f"{k} {v}" for k, v in self.guardrails.most_common()))
        if self.escalation_reasons:
            lines.append("  top reason of each escalation:")
            lines += [f"    {v:5d}  {k}" for k, v in self.escalation_reasons.most_common()]
        if self.reasons:
            lines.append("  reasons by frequency (all decisions):")
            lines += [f"    {v:5d}  {k}" for k, v in self.reasons.most_common()]
        return "\n".join(lines)


@dataclass
class Stats:
    conversations: int = 0
    messages: int = 0
    bad_lines: int = 0
    report: Report = field(default_factory=Report)

    def merge(self, other: Stats) -> None:
        self.conversations += other.conversations
        self.messages += other.messages
        self.bad_lines += other.bad_lines
        self.report.merge(other.report)


Scored = tuple[str, Stats]
"""A chunk's output lines, joined, and its counts."""


def run(scorer: Any, source: IO[str], sink: IO[str], *, name: str = "input", params: Any = None) -> Stats:
    """Score (and, given decision `params`, decide) every conversation of `source` into `sink`, in this
    process; bad lines are reported on stderr and skipped."""
    return _run(source, sink, name, lambda chunks: (_score(scorer, chunk, params) for chunk in chunks))


def _run(
    source: IO[str],
    sink: IO[str],
    name: str,
    score: Callable[[Iterator[list[Conversation]]], Iterable[Scored]],
) -> Stats:
    stats = Stats()
    progress = _Progress()
    for text, counts in score(_chunks(_read(source, name, stats))):
        sink.write(text)
        stats.merge(counts)
        progress.update(stats)
    progress.done(stats)
    return stats


def _chunks(conversations: Iterable[Conversation]) -> Iterator[list[Conversation]]:
    chunk: list[Conversation] = []
    pending = 0
    for conversation in conversations:
        chunk.append(conversation)
        pending += len(conversation.messages)
        if pending >= BATCH_MESSAGES:
            yield chunk
            chunk, pending = [], 0
    if chunk:
        yield chunk


def score_chunks(scorer: Any, conversations: Iterable[Conversation], params: Any = None) -> Iterator[Scored]:
    """`conversations` cut into chunks as `run` cuts them, each scored (and, given `params`, decided) in this
    process: its output lines and counts, chunk by chunk. The deployed backtest runs this on each object of its
    input (`baton.scoring.backtest_chunk`), so its output is this command's."""
    return (_score(scorer, chunk, params) for chunk in _chunks(conversations))


class Workers:
    """This process and `n` worker processes that score chunks, each with its own scorer: `models()` runs once in
    each, a worker's when it starts.

    The constructor starts the workers, then loads the models here (while they start), raising BatonError (missing or
    broken models) as loading them in one process would; it does not wait for the workers (one whose models fail to
    load raises that error with the first chunk it was sent). `run` is `run` of the module with the scoring shared:
    this process scores every chunk that comes while the workers already hold `IN_FLIGHT_PER_WORKER` each, and, at
    the end, those they have not started: one more scorer, with no start-up to wait for and nothing to send. Leaving a
    `with` block ends the workers at once, whether every chunk is back or not (Ctrl-C, a closed pipe).
    """

    def __init__(self, models: Callable[[], Models], n: int, *, params: Any = None) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # spawn: a fresh interpreter (fork would copy this process's threads and locks).
        context = multiprocessing.get_context("spawn")
        before = set(multiprocessing.active_children())
        self.n = n
        self._pool: ProcessPoolExecutor = ProcessPoolExecutor(
            n, mp_context=context, initializer=_start_worker, initargs=(models, params)
        )
        # The workers ignore Ctrl-C, which a terminal sends to the whole process group: this process stops
        # them. Started with SIGINT ignored, they ignore it from their first instruction (they inherit it).
        in_main_thread = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if in_main_thread else None
        try:
            # A pool starts a process per task submitted while none is idle: n tasks start all n at once.
            probes = [self._pool.submit(_load_error) for _ in range(n)]
        finally:
            if previous is not None:
                signal.signal(signal.SIGINT, previous)
        self._processes: list[BaseProcess] = [p for p in multiprocessing.active_children() if p not in before]
        self._probes = probes
        from baton.scoring.scorer import Scorer

        try:
            self._here = (Scorer(models()), params)
        except BaseException:
            self.close()
            raise

    def run(self, source: IO[str], sink: IO[str], *, name: str = "input") -> Stats:
        return _run(source, sink, name, self.map)

    def map(self, chunks: Iterable[list[Conversation]]) -> Iterator[Scored]:
        """Each chunk scored by a worker or here, in the order of `chunks`, reading only a few chunks ahead."""
        scorer, params = self._here
        # In input order: (a worker's future, its chunk) or (None, the chunk's result scored here).
        ahead: deque[tuple[Future[Scored] | None, Any]] = deque()
        for chunk in chunks:
            # A worker is sent chunks once it has started (its probe is back): until then, this one scores.
            if sum(1 for future, _ in ahead if future is not None and not future.done()) < self._capacity():
                ahead.append((self._pool.submit(_score_in_worker, chunk), chunk))
            else:
                ahead.append((None, _score(scorer, chunk, params)))
            while ahead and (ahead[0][0] is None or ahead[0][0].done()):
                yield _taken(ahead.popleft())
            if len(ahead) >= READ_AHEAD_HERE:  # a worker's chunk holds the output this long: wait for it
                yield _taken(ahead.popleft())
        # The end: rather than wait for the workers' last chunks, this one scores them, the last first (the
        # ones least likely to be started, which are dropped), while the workers finish the first; a chunk
        # both score is taken from here (the lines are the same).
        while ahead:
            future, _ = ahead[0]
            if future is None or future.done():
                yield _taken(ahead.popleft())
                continue
            last = max(i for i, (other, _) in enumerate(ahead) if other is not None and not other.done())
            if last == 0:  # only the first is left, already started: wait for it
                yield _taken(ahead.popleft())
                continue
            other, chunk = ahead[last]
            assert other is not None
            other.cancel()
            ahead[last] = (None, _score(scorer, chunk, params))

    def _capacity(self) -> int:
        """Chunks the workers may hold: `IN_FLIGHT_PER_WORKER` for each one started; raises a worker's load error."""
        started = [probe for probe in self._probes if probe.done()]
        for probe in started:
            error = _result(probe)
            if isinstance(error, BaseException):
                raise error
        return len(started) * IN_FLIGHT_PER_WORKER

    def close(self) -> None:
        """End the workers now, dropping the chunks not yet scored. They hold nothing to flush, and ending them
        is quicker than waiting for their interpreters to exit (0.15 s measured)."""
        thread = getattr(self._pool, "_executor_manager_thread", None)
        results = getattr(self._pool, "_result_queue", None)  # shutdown() forgets it
        self._pool.shutdown(wait=False, cancel_futures=True)
        for process in self._processes:
            process.terminate()
        for process in self._processes:
            process.join()
        _release(thread, getattr(results, "_writer", None))

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def _release(thread: threading.Thread | None, writer: Any) -> None:
    """A worker ended while it was writing a result leaves half a message on the result pipe: the pool's thread
    then waits for the rest forever, and so would the interpreter's exit, which joins that thread (a Ctrl-C that
    never ends the command). The workers are gone, so this process holds the pipe's only write end: closing it ends
    that read (the thread sees a broken pool and ends)."""
    if thread is None or not thread.is_alive():
        return
    thread.join(timeout=RELEASE_WAIT_S)
    if thread.is_alive() and writer is not None:
        with contextlib.suppress(OSError):
            writer.close()
        thread.join(timeout=RELEASE_WAIT_S)


class WorkerDied(BatonError):
    """A worker process ended while scoring (killed, out of memory): the output stops at the last chunk written."""


def _taken(item: tuple[Future[Scored] | None, Any]) -> Scored:
    future, value = item
    return value if future is None else _result(future)


def _result[T](future: Future[T]) -> T:
    from concurrent.futures.process import BrokenProcessPool

    try:
        return future.result()
    except BrokenProcessPool as exc:
        raise WorkerDied(
            "a worker process ended abruptly while scoring (killed, or out of memory?): the output stops at the "
            "last conversation written; try fewer --workers if memory is short"
        ) from exc


_worker: tuple[Any, Any] | BatonError | None = None
"""In a worker process: (its scorer, the decision params), or why the models did not load."""


def _start_worker(models: Callable[[], Models], params: Any) -> None:
    global _worker
    import multiprocessing

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = multiprocessing.parent_process()
    if parent is not None:
        # A worker whose command was killed (SIGTERM, SIGKILL: no clean-up ran) would wait for work forever.
        threading.Thread(target=_exit_with, args=(parent,), name="backtest-parent", daemon=True).start()
    from baton.scoring.scorer import Scorer

    try:
        _worker = (Scorer(models()), params)
    except BatonError as exc:
        _worker = exc


def _exit_with(parent: BaseProcess) -> None:
    parent.join()
    os._exit(1)


def _load_error() -> BatonError | None:
    return _worker if isinstance(_worker, BatonError) else None


def _score_in_worker(chunk: list[Conversation]) -> Scored:
    if not isinstance(_worker, tuple):
        raise _worker or RuntimeError("backtest worker not started")
    scorer, params = _worker
    return _score(scorer, chunk, params)


def _read(source: IO[str], name: str, stats: Stats) -> Iterator[Conversation]:
    reported: set[str] = set()
    for number, line in enumerate(source, start=1):
        if not line.strip():
            continue
        try:
            conversation = parse_line(line, number)
        except BadLine as exc:
            stats.bad_lines += 1
            _err(f"{name}:{number}: {exc.message}; line skipped")
            continue
        for key, meant in conversation.misspelt:
            if key not in reported:
                reported.add(key)
                _err(f"{name}:{number}: key {key!r} is not read: did you mean {meant!r}? (reported once)")
        empty = next((i for i, m in enumerate(conversation.messages) if not m.text.strip()), None)
        if empty is not None and "" not in reported:
            reported.add("")
            _err(
                f"{name}:{number}: messages[{empty}] has no text (an attachment-only message?): kept, as live "
                "traffic keeps it, with nothing to score (reported once)"
            )
        yield conversation


def parse_line(line: str, number: int) -> Conversation:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise BadLine(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(data, dict):
        raise BadLine("expected a JSON object with conversation_id and messages")
    conversation_id = data.get("conversation_id")
    if not isinstance(conversation_id, str) or not conversation_id:
        raise BadLine("conversation_id: a non-empty string is required")
    messages = data.get("messages")
    if not isinstance(messages, list) or not messages:
        raise BadLine("messages: a non-empty list is required")
    customer = data.get("customer") or _DEFAULT_CUSTOMER
    context, now = _context(data)
    snapshots = []
    for index, raw in enumerate(messages):
        if not isinstance(raw, dict):
            raise BadLine(f"messages[{index}]: expected a JSON object")
        body = {
            "message_id": f"{_id(conversation_id)}-{index}",
            "sent_at": (_BASE_TIME + timedelta(minutes=index)).isoformat(),
            # Other keys (a team's own labels, say) are not the message's: ignored.
            **{key: value for key, value in raw.items() if key in MessageIn.model_fields},
        }
        if body.get("customer") is None:
            # The line's customer, as the API gives a bot's or agent's message the conversation's: every scored
            # message names one.
            body["customer"] = customer
        try:
            message = MessageIn.model_validate(body)
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(part) for part in first.get("loc", ()))
            raise BadLine(f"messages[{index}].{field}: {first.get('msg', 'invalid value')}") from None
        snapshots.append(
            MessageSnapshot(
                seq=index + 1,
                received_at=message.sent_at,
                source=Source.api,
                **message.model_dump(),
            )
        )
    return Conversation(
        line=number,
        conversation_id=conversation_id,
        messages=snapshots,
        context=context,
        now=now,
        misspelt=tuple(
            (key, close[0])
            for key in data
            if key not in LINE_KEYS and (close := difflib.get_close_matches(key, LINE_KEYS, n=1, cutoff=0.75))
        ),
    )


CONTEXT_KEYS = ("account", "history", "incidents", "activity", "now")
LINE_KEYS = ("conversation_id", "messages", "customer", *CONTEXT_KEYS)


def _context(data: dict[str, Any]) -> tuple[Any, datetime | None]:
    """The line's inline business context (a `Context`; its `now` is overridden per message unless the line
    sets one) and the line's `now`."""
    from baton.context.models import Context

    given = {key: data[key] for key in CONTEXT_KEYS if data.get(key) is not None}
    try:
        context = Context.model_validate(given)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first.get("loc", ()))
        raise BadLine(f"{field}: {first.get('msg', 'invalid value')}") from None
    return context, (context.now if "now" in given else None)


def _id(conversation_id: str) -> str:
    # Message ids follow the API's id rules; a free-form conversation id still yields valid ones.
    clean = "".join(c if c.isalnum() or c in "._:-" else "_" for c in conversation_id)
    return clean[:100] or "c"


def _score(scorer: Any, batch: list[Conversation], params: Any = None) -> Scored:
    """A chunk's output lines and counts: the same whichever process scores it."""
    from baton.scoring.arc import ArcState

    stats = Stats()
    lines: list[str] = []
    results = scorer.score_batch([(ArcState(), c.messages) for c in batch])
    for conversation, scored in zip(batch, results, strict=True):
        decider = _Decider(conversation, params) if params is not None else None
        for index, (message, (scores, state)) in enumerate(zip(conversation.messages, scored, strict=True)):
            arc = state.public()
            row = {
                "conversation_id": conversation.conversation_id,
                "index": index,
                "message_id": message.message_id,
                "role": message.role.value,
                "text": message.text,
                "scores": scores.model_dump(mode="json"),
                "arc": arc.model_dump(mode="json"),
            }
            if decider is not None:
                row["decision"] = decider.decide(message, scores, arc)
            lines.append(json.dumps(row, ensure_ascii=False) + "\n")
        if decider is not None:
            stats.report.add(decider.decisions)
        stats.conversations += 1
        stats.messages += len(conversation.messages)
    return "".join(lines), stats


class _Decider:
    """The decision function's logic on one conversation, in order, from its inline context."""

    def __init__(self, conversation: Conversation, params: Any) -> None:
        from baton.decision.engine import DecisionState

        self.conversation = conversation
        self.params = params
        self.state = DecisionState()
        self.decisions: list[Any] = []
        self.last: dict[str, Any] | None = None

    def decide(self, message: MessageSnapshot, scores: Any, arc: Any) -> dict[str, Any]:
        from baton.decision.engine import decide
        from baton.models import Role

        if message.role != Role.customer or message.redacted_at is not None or not message.text.strip():
            standing = {
                k: v for k, v in (self.last or {}).items() if k in ("action", "risk", "model_version")
            }
            return {"action": self.state.mode, **standing, "decided": False}
        from baton.decision.page import with_page

        now = self.conversation.now or message.sent_at
        context = with_page(self.conversation.context.model_copy(update={"now": now}), message)
        decision, self.state = decide(
            scores, arc, context, self.state, self.params, text=message.text, seq=message.seq
        )
        self.decisions.append(decision)
        event = decision.event(
            conversation_id=self.conversation.conversation_id, seq=message.seq, message_id=message.message_id
        )
        view = event.model_dump(
            mode="json", include={"action", "risk", "reasons", "guardrail", "model_version", "incidents"}
        )
        self.last = {**view, "previous": decision.previous, "changed": decision.changed, "decided": True}
        return self.last


class _Progress:
    """A progress line on stderr: rewritten in place on a terminal, one line per update otherwise."""

    def __init__(self, every_s: float = 1.0) -> None:
        self.started = self.last = time.monotonic()
        self.every_s = every_s
        self.tty = sys.stderr.isatty()

    def _line(self, stats: Stats) -> str:
        elapsed = max(time.monotonic() - self.started, 1e-9)
        return (
            f"backtest: {_counted(stats.conversations, 'conversation')}, {_counted(stats.messages, 'message')} "
            f"({stats.messages / elapsed:.0f} messages/s)"
        )

    def update(self, stats: Stats) -> None:
        now = time.monotonic()
        if now - self.last < self.every_s:
            return
        self.last = now
        print(("\r" if self.tty else "") + self._line(stats), end="" if self.tty else "\n", file=sys.stderr)

    def done(self, stats: Stats) -> None:
        print(("\r" if self.tty else "") + self._line(stats) + ", done", file=sys.stderr)


def _err(message: str) -> None:
    print(f"baton backtest: {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())


def _counted(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
