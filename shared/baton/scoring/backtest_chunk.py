"""The deployed backtest's unit of work (`functions/backtest_chunk`): one object of a run's input, scored and
decided by the code `baton backtest` runs, written back as one object of output lines.

    s3://<lake bucket>/backtest/in/<run>/<name>   --(one item of the Step Functions Distributed Map)-->
    s3://<lake bucket>/backtest/out/<run>/scored/<name>
                                                   (the map's summary: backtest/out/<run>/summary/<map run id>/)

A run is the objects under `backtest/in/<run>/`, each in the backtest input format (one conversation per line,
what `baton outcomes export` writes). Each object is a chunk: one Lambda invocation reads it, scores it with
`baton.scoring.backtest.score_chunks` (the function `baton backtest` scores with, cutting its batches the same
way) and writes its output object. So the output object holds exactly the lines `baton backtest <object>`
writes, byte for byte (`infra/constructs/backtest.py` runs the models and parameters of the deployed model
layer; `params` in the request replaces the parameters as `--params` does).

Nothing is dropped silently: a line the local command reports and skips (not JSON, no conversation_id, a bad
message) becomes an error line in the output, `{"input": "s3://...", "line": N, "error": "..."}`, written before
the lines of the batch it was read in; the chunk's result counts them (`bad_lines`). Keys a line has that are
close to one the backtest reads (a typo) and messages without text are logged, as the local command warns.

A chunk must be scored within one invocation (15 minutes): an object over `MAX_CHUNK_BYTES`, or one whose
scoring leaves less than `TIME_MARGIN_S` of the invocation, fails with a message saying to cut it smaller
(`baton backtest INPUT --s3 ...` uploads an input in chunks of `CHUNK_MESSAGES` messages). The object store is a
port (`ObjectStore`): S3 deployed (`baton.adapters.objects`), in memory in tests.
"""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field, model_validator

from baton.errors import BatonError
from baton.scoring.backtest import BadLine, Conversation, Stats, parse_line, score_chunks

logger = logging.getLogger(__name__)

IN_PREFIX = "backtest/in/"
OUT_PREFIX = "backtest/out/"
SCORED = "scored/"
SUMMARY = "summary/"
RUN_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$"
"""A run's name: one path segment, usable in an execution name (letters, digits, `.`, `_`, `-`)."""
CHUNK_MESSAGES = 20_000
"""Messages per chunk `baton backtest --s3` uploads: about 70 s of one core at the rate measured on a development
machine (300 messages/s, scored and decided: the sample conversations 50 times over, one worker), so a Lambda core
several times slower still finishes well inside the invocation's 15 minutes."""
MAX_CHUNK_BYTES = 64 * 1024**2
"""A larger object is refused before it is read: at 150 to 300 bytes per message in the export format, it is far
more than one invocation scores."""
TIME_MARGIN_S = 60.0
"""Stop, and fail the chunk, when less than this is left of the invocation: enough to report why."""


class ChunkError(BatonError):
    """A chunk that cannot be scored (too large, not UTF-8, not under its run's prefix): the item fails with this
    message in the map's summary, and no output object is written."""


class ChunkRequest(BaseModel):
    """One item of the Distributed Map: an input object (the S3 listing's key and size) of run `run`."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    bucket: str = Field(min_length=3)
    key: str = Field(min_length=1)
    run: str = Field(pattern=RUN_PATTERN)
    size: int = Field(default=0, ge=0)
    params: str | None = None
    """A decision parameters document (JSON text, as `baton decision params FILE` prints it); None: the
    shipped one."""

    @model_validator(mode="after")
    def _under_its_run(self) -> ChunkRequest:
        if not self.key.startswith(input_prefix(self.run)):
            raise ValueError(
                f"key {self.key!r} is not under the run's input prefix {input_prefix(self.run)!r}"
            )
        return self

    @property
    def name(self) -> str:
        """The key below the run's input prefix (the output object's name)."""
        return self.key.removeprefix(input_prefix(self.run))

    @property
    def output_key(self) -> str:
        return scored_prefix(self.run) + self.name


class ChunkResult(BaseModel):
    """What an item returns (the map's summary lists it): where its lines went, and its counts."""

    input: str
    output: str | None
    """None for a "folder" key (ends with `/`): nothing to score."""
    conversations: int = 0
    messages: int = 0
    bad_lines: int = 0
    escalated: int = 0
    """Conversations escalated at some point."""


def input_prefix(run: str) -> str:
    return f"{IN_PREFIX}{run}/"


def output_prefix(run: str) -> str:
    return f"{OUT_PREFIX}{run}/"


def scored_prefix(run: str) -> str:
    return output_prefix(run) + SCORED


def summary_prefix(run: str) -> str:
    return output_prefix(run) + SUMMARY


class ObjectStore(Protocol):
    def get(self, bucket: str, key: str) -> bytes: ...

    def put(self, bucket: str, key: str, body: bytes) -> None: ...


def score_lines(
    lines: Iterable[str],
    scorer: Any,
    params: Any,
    *,
    source: str,
    remaining_s: Callable[[], float] | None = None,
) -> tuple[str, Stats]:
    """The output of `baton backtest` on `lines` (with `params`, as with `--params`), plus an error line for each
    line it would skip; and the counts. `remaining_s`, when given, is checked before each conversation is taken:
    ChunkError when less than TIME_MARGIN_S is left and there is still work to do."""
    stats = Stats()
    errors: list[str] = []
    warned: set[str] = set()

    def conversations() -> Iterator[Conversation]:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                conversation = parse_line(line, number)
            except BadLine as exc:
                stats.bad_lines += 1
                errors.append(json.dumps({"input": source, "line": number, "error": exc.message}) + "\n")
                continue
            _warn(conversation, source, warned)
            if remaining_s is not None and remaining_s() < TIME_MARGIN_S:
                raise ChunkError(
                    f"{source}: line {number} reached with {remaining_s():.0f} s of the invocation left "
                    f"({stats.conversations} conversations scored): cut the input into chunks of at most "
                    f"{CHUNK_MESSAGES} messages (`baton backtest INPUT --s3 ...` does)"
                )
            yield conversation

    out: list[str] = []
    for text, counts in score_chunks(scorer, conversations(), params):
        # The bad lines read while this batch was gathered, then the batch's lines.
        out.extend(errors)
        errors.clear()
        out.append(text)
        stats.merge(counts)
    out.extend(errors)
    return "".join(out), stats


def _warn(conversation: Conversation, source: str, warned: set[str]) -> None:
    """What the local command reports once per input on stderr, logged once per chunk."""
    for key, meant in conversation.misspelt:
        if key not in warned:
            warned.add(key)
            logger.warning(
                "key not read", extra={"input": source, "line": conversation.line, "key": key, "meant": meant}
            )
    if "" not in warned and any(not m.text.strip() for m in conversation.messages):
        warned.add("")
        logger.warning("message without text", extra={"input": source, "line": conversation.line})


class ChunkScorer:
    """Scores the chunks of deployed runs: the store, the scorer (models loaded once, by the caller) and the
    default decision parameters."""

    def __init__(self, store: ObjectStore, scorer: Any, default_params: Callable[[], Any]) -> None:
        self.store = store
        self.scorer = scorer
        self.default_params = default_params

    def run(self, request: ChunkRequest, *, remaining_s: Callable[[], float] | None = None) -> ChunkResult:
        source = f"s3://{request.bucket}/{request.key}"
        if request.key.endswith("/"):
            return ChunkResult(input=source, output=None)  # a "folder" placeholder a console made
        if request.size > MAX_CHUNK_BYTES:
            raise ChunkError(
                f"{source} is {request.size} bytes, over the {MAX_CHUNK_BYTES} one invocation reads: cut the input "
                f"into chunks of at most {CHUNK_MESSAGES} messages (`baton backtest INPUT --s3 ...` does)"
            )
        params = self._params(request.params)
        body = self.store.get(request.bucket, request.key)
        try:
            text, stats = score_lines(
                _text_lines(body), self.scorer, params, source=source, remaining_s=remaining_s
            )
        except UnicodeDecodeError as exc:
            raise ChunkError(
                f"{source}: not UTF-8 text (byte {exc.start}): the backtest reads UTF-8 JSONL"
            ) from None
        self.store.put(request.bucket, request.output_key, text.encode("utf-8"))
        return ChunkResult(
            input=source,
            output=f"s3://{request.bucket}/{request.output_key}",
            conversations=stats.conversations,
            messages=stats.messages,
            bad_lines=stats.bad_lines,
            escalated=stats.report.escalated,
        )

    def _params(self, document: str | None) -> Any:
        if document is None:
            return self.default_params()
        return _parse_params(document)


_parsed: dict[str, Any] = {}


def _parse_params(document: str) -> Any:
    """The request's document, validated once per container (InvalidParams names the field)."""
    if document not in _parsed:
        from baton.decision.params import DecisionParams

        _parsed.clear()  # one run at a time, in practice: keep one
        _parsed[document] = DecisionParams.model_validate_json(document)
    return _parsed[document]


def _text_lines(body: bytes) -> Iterator[str]:
    """The object's lines as `baton backtest` reads a file (`open(path, encoding="utf-8")`: universal newlines)."""
    with io.TextIOWrapper(io.BytesIO(body), encoding="utf-8") as text:
        yield from text


def valid_run(run: str) -> bool:
    return re.match(RUN_PATTERN, run) is not None
