"""`baton backtest INPUT.jsonl [--models DIR] [--params FILE] [-o OUTPUT.jsonl] [--report]`: score and decide
your own transcripts offline.

Each input line is one conversation:

    {"conversation_id": "c-1", "messages": [{"role": "customer", "text": "...", ...}, ...], ...}

A message takes any optional field of the API's message body (`message_id`, `sent_at`, `customer`,
`channel`, `page`, `bot` with the bot's `confidence`, `metadata`); missing ids and times are filled in
(`<conversation_id>-<index>`, one minute apart), and a line-level `customer` applies to every message.
Other keys (of the line or of a message: a team's own labels, say) are ignored. `BATON_MODELS_DIR` is
honoured as by the scoring function.

Inline business context, so a backtest needs no tables (each optional; `baton.context.models` models):
`account` {id, plan, annual_value, renewal_date, signup_date, health, segment}, `history` [{conversation_id,
intent, closed_at, outcome}], `incidents` [{id, title, product_area, intents, keywords, status, eta}],
`activity` {page, recent_actions, errors_seen}, and `now`: the time the backtest pretends it is (default: each
message's `sent_at`).

One output line per message, in input order:

    {"conversation_id", "index", "message_id", "role", "scores": {...}, "arc": {...}, "decision": {...}}

`scores` and `arc` are exactly what `MessageScored` carries: the same `Scorer` runs in-process, no AWS.
`decision` is what `EscalationDecided` carries for a customer message (`action`, `risk`, `reasons`,
`guardrail`, `incidents`, `model_version`), plus `previous` and `changed`; on a bot or agent message, which is
not decided, the conversation's standing action with `"decided": false`. `--params FILE` takes a decision
parameters document (default: the shipped one). `--report` prints a summary at the end: escalation rate,
decision changes, the reasons by frequency.
`--models DIR` takes a `baton train ... --out DIR` directory: the models it holds replace the shipped ones,
kind by kind. Progress goes to stderr. A line that cannot be read is reported with its line number and
skipped; the exit code is then 1 (0 when every line was scored, 2 for bad arguments or missing models).
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

from pydantic import ValidationError

from baton.errors import BatonError
from baton.events import MessageSnapshot
from baton.models import MessageIn, Source

BATCH_MESSAGES = 512
"""Conversations are scored in batches of about this many messages (one call of each n-gram model)."""

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
        "decision functions, in-process (no AWS). One output line per message: its scores, the arc after "
        "it and the decision. Inline business context per line: account, history, incidents, activity, now.",
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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from baton.scoring.loader import load_models, models_dir
    from baton.scoring.scorer import Scorer
    from baton.settings import Settings

    try:
        source = sys.stdin if args.input == "-" else open(args.input, encoding="utf-8")  # noqa: SIM115
    except OSError as exc:
        _err(f"cannot read {args.input}: {exc.strerror or exc}")
        return 2
    from baton.decision.params import load, load_default

    try:
        scorer = Scorer(load_models(models_dir(Settings.from_env().models_dir), override=args.models))
        params = load(args.params) if args.params else load_default()
    except BatonError as exc:
        _err(str(exc))
        return 2
    try:
        to_stdout = args.output in (None, "-")
        sink = sys.stdout if to_stdout else open(args.output, "w", encoding="utf-8")  # noqa: SIM115
    except OSError as exc:
        _err(f"cannot write {args.output}: {exc.strerror or exc}")
        return 2
    try:
        with source:
            stats = run(scorer, source, sink, name=args.input, params=params)
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


def run(scorer: Any, source: IO[str], sink: IO[str], *, name: str = "input", params: Any = None) -> Stats:
    """Score (and, given decision `params`, decide) every conversation of `source` into `sink`; bad lines
    are reported on stderr and skipped."""
    stats = Stats()
    progress = _Progress()
    batch: list[Conversation] = []
    pending = 0
    for conversation in _read(source, name, stats):
        batch.append(conversation)
        pending += len(conversation.messages)
        if pending >= BATCH_MESSAGES:
            _flush(scorer, batch, sink, stats, progress, params)
            pending = 0
    _flush(scorer, batch, sink, stats, progress, params)
    progress.done(stats)
    return stats


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
    customer = data.get("customer", _DEFAULT_CUSTOMER)
    context, now = _context(data)
    snapshots = []
    for index, raw in enumerate(messages):
        if not isinstance(raw, dict):
            raise BadLine(f"messages[{index}]: expected a JSON object")
        body = {
            "message_id": f"{_id(conversation_id)}-{index}",
            "sent_at": (_BASE_TIME + timedelta(minutes=index)).isoformat(),
            "customer": customer,
            # Other keys (a team's own labels, say) are not the message's: ignored.
            **{key: value for key, value in raw.items() if key in MessageIn.model_fields},
        }
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


def _flush(
    scorer: Any,
    batch: list[Conversation],
    sink: IO[str],
    stats: Stats,
    progress: _Progress,
    params: Any = None,
) -> None:
    if not batch:
        return
    from baton.scoring.arc import ArcState

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
                "scores": scores.model_dump(mode="json"),
                "arc": arc.model_dump(mode="json"),
            }
            if decider is not None:
                row["decision"] = decider.decide(message, scores, arc)
            sink.write(json.dumps(row, ensure_ascii=False) + "\n")
        if decider is not None:
            stats.report.add(decider.decisions)
        stats.conversations += 1
        stats.messages += len(conversation.messages)
    batch.clear()
    progress.update(stats)


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
        from baton.decision.service import with_page

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
            f"backtest: {stats.conversations} conversations, {stats.messages} messages "
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
