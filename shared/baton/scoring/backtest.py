"""`baton backtest INPUT.jsonl [--models DIR] [-o OUTPUT.jsonl]`: score your own transcripts offline.

Each input line is one conversation:

    {"conversation_id": "c-1", "messages": [{"role": "customer", "text": "...", ...}, ...], ...}

A message takes any optional field of the API's message body (`message_id`, `sent_at`, `customer`,
`channel`, `page`, `bot` with the bot's `confidence`, `metadata`); missing ids and times are filled in
(`<conversation_id>-<index>`, one minute apart), and a line-level `customer` applies to every message.
Other keys (of the line or of a message: a team's own labels, say) are ignored. `BATON_MODELS_DIR` is
honoured as by the scoring function.

One output line per message, in input order:

    {"conversation_id", "index", "message_id", "role", "scores": {...}, "arc": {...}}

`scores` and `arc` are exactly what `MessageScored` carries: the same `Scorer` runs in-process, no AWS.
`--models DIR` takes a `baton train ... --out DIR` directory: the models it holds replace the shipped ones,
kind by kind. Progress goes to stderr. A line that cannot be read is reported with its line number and
skipped; the exit code is then 1 (0 when every line was scored, 2 for bad arguments or missing models).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="baton backtest",
        description="Score conversations from a JSONL file with the same code as the scoring function, "
        "in-process (no AWS). One output line per message: scores and the arc after it.",
    )
    parser.add_argument("input", metavar="INPUT.jsonl", help="one conversation per line; `-` reads stdin")
    parser.add_argument(
        "--models",
        type=Path,
        metavar="DIR",
        help="a `baton train ... --out DIR` directory: its models replace the shipped ones, kind by kind",
    )
    parser.add_argument("-o", "--output", metavar="OUTPUT.jsonl", help="where to write (default: stdout)")
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
    try:
        scorer = Scorer(load_models(models_dir(Settings.from_env().models_dir), override=args.models))
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
            stats = run(scorer, source, sink, name=args.input)
    finally:
        if sink is not sys.stdout:
            sink.close()
    if stats.bad_lines:
        _err(f"{stats.bad_lines} line(s) skipped (see above)")
        return 1
    return 0


@dataclass
class Stats:
    conversations: int = 0
    messages: int = 0
    bad_lines: int = 0


def run(scorer: Any, source: IO[str], sink: IO[str], *, name: str = "input") -> Stats:
    """Score every conversation of `source` into `sink`; bad lines are reported on stderr and skipped."""
    stats = Stats()
    progress = _Progress()
    batch: list[Conversation] = []
    pending = 0
    for conversation in _read(source, name, stats):
        batch.append(conversation)
        pending += len(conversation.messages)
        if pending >= BATCH_MESSAGES:
            _flush(scorer, batch, sink, stats, progress)
            pending = 0
    _flush(scorer, batch, sink, stats, progress)
    progress.done(stats)
    return stats


def _read(source: IO[str], name: str, stats: Stats) -> Iterator[Conversation]:
    for number, line in enumerate(source, start=1):
        if not line.strip():
            continue
        try:
            yield parse_line(line, number)
        except BadLine as exc:
            stats.bad_lines += 1
            _err(f"{name}:{number}: {exc.message}; line skipped")


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
    return Conversation(line=number, conversation_id=conversation_id, messages=snapshots)


def _id(conversation_id: str) -> str:
    # Message ids follow the API's id rules; a free-form conversation id still yields valid ones.
    clean = "".join(c if c.isalnum() or c in "._:-" else "_" for c in conversation_id)
    return clean[:100] or "c"


def _flush(scorer: Any, batch: list[Conversation], sink: IO[str], stats: Stats, progress: _Progress) -> None:
    if not batch:
        return
    from baton.scoring.arc import ArcState

    results = scorer.score_batch([(ArcState(), c.messages) for c in batch])
    for conversation, scored in zip(batch, results, strict=True):
        for index, (message, (scores, state)) in enumerate(zip(conversation.messages, scored, strict=True)):
            row = {
                "conversation_id": conversation.conversation_id,
                "index": index,
                "message_id": message.message_id,
                "role": message.role.value,
                "scores": scores.model_dump(mode="json"),
                "arc": state.public().model_dump(mode="json"),
            }
            sink.write(json.dumps(row, ensure_ascii=False) + "\n")
        stats.conversations += 1
        stats.messages += len(conversation.messages)
    batch.clear()
    progress.update(stats)


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
