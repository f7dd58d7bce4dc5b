"""`baton outcomes export`: conversations with their outcome, from the bus's events, in the format the refit
and the comparison read (`baton train decision --outcomes`, `baton decision compare --outcomes`).

One line per conversation that has an outcome or a label: the backtest input format (`conversation_id`,
`customer`, `messages` with role, text, sent_at and the bot's confidence) plus
`outcome: {label, csat, resolved_by, reopened, escalated_at_index}`:
- `label`: the latest `OutcomeLabeled` (`baton.feedback`), or null;
- `csat`: the latest rating; `resolved_by`: who resolved it last; `reopened`: whether it ever was;
- `escalated_at_index`: the index in `messages` of the message the first escalation decided, or null.

Built from events only (`MessageReceived`, `MessageRedacted`, `EscalationDecided`, `OutcomeRecorded`,
`OutcomeLabeled`), in any order and with repeats, so the local archive and a deployed event export give the same
lines. A redacted message keeps its place with empty text, whichever came first, the message or its redaction.

The deployed events come from the events lake (`infra/constructs/lake.py`): `lake_envelopes` reads its objects
(`<prefix>dt=YYYY-MM-DD/...`, GZIP or plain, one EventBridge envelope per line) through an S3 client the caller
makes, so this module needs no AWS SDK.
"""

from __future__ import annotations

import gzip
import json
import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

ESCALATED = "EscalationDecided"
REDACTED = "MessageRedacted"


@dataclass
class _Conversation:
    customer: dict[str, Any] | None = None
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    redacted: set[str] = field(default_factory=set)
    """Message ids redacted (a `MessageRedacted`, or a message published after its redaction)."""
    escalated_seq: int | None = None
    csat: tuple[str, int] | None = None
    resolved_by: tuple[str, str] | None = None
    reopened: bool = False
    label: tuple[str, str] | None = None
    outcomes: int = 0


def export_lines(envelopes: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """The outcome lines (module docstring) of the conversations these events describe, by conversation id."""
    conversations: dict[str, _Conversation] = {}
    for envelope in envelopes:
        detail = envelope.get("detail")
        kind = envelope.get("detail-type")
        if not isinstance(detail, dict) or not isinstance(detail.get("conversation_id"), str):
            continue
        state = conversations.setdefault(detail["conversation_id"], _Conversation())
        _apply(state, str(kind), detail)
    for conversation_id in sorted(conversations):
        state = conversations[conversation_id]
        if not state.outcomes and state.label is None:
            continue
        seqs = sorted(state.messages)
        index = seqs.index(state.escalated_seq) if state.escalated_seq in state.messages else None
        yield {
            "conversation_id": conversation_id,
            "customer": state.customer,
            "messages": [_redacted(state.messages[s], state.redacted) for s in seqs],
            "outcome": {
                "label": state.label[1] if state.label else None,
                "csat": state.csat[1] if state.csat else None,
                "resolved_by": state.resolved_by[1] if state.resolved_by else None,
                "reopened": state.reopened,
                "escalated_at_index": index,
            },
        }


def _apply(state: _Conversation, kind: str, detail: dict[str, Any]) -> None:
    if kind == "MessageReceived":
        _apply_message(state, detail)
    elif kind == REDACTED and detail.get("message_id"):
        state.redacted.add(str(detail["message_id"]))
    elif kind == ESCALATED and detail.get("action") == "escalate":
        cause = detail.get("escalated_because") or {}
        seq = int(cause.get("seq") or detail.get("seq") or 0)
        state.escalated_seq = seq if state.escalated_seq is None else min(state.escalated_seq, seq)
    elif kind == "OutcomeRecorded":
        at = str(detail.get("occurred_at") or "")
        state.outcomes += 1
        if detail.get("csat") is not None and (state.csat is None or at >= state.csat[0]):
            state.csat = (at, int(detail["csat"]))
        if detail.get("kind") in ("resolved", "closed") and (
            state.resolved_by is None or at >= state.resolved_by[0]
        ):
            state.resolved_by = (at, str(detail.get("resolved_by") or "unknown"))
        if detail.get("kind") == "reopened":
            state.reopened = True
    elif kind == "OutcomeLabeled":
        at = str(detail.get("occurred_at") or "")
        if state.label is None or at >= state.label[0]:
            state.label = (at, str(detail.get("label")))


def _apply_message(state: _Conversation, detail: dict[str, Any]) -> None:
    message = detail.get("message") or {}
    seq = int(detail.get("seq") or message.get("seq") or 0)
    line = {
        "message_id": message.get("message_id"),
        "role": message.get("role"),
        "text": message.get("text", ""),
    }
    if message.get("sent_at"):
        line["sent_at"] = message["sent_at"]
    bot = message.get("bot") or {}
    if bot.get("confidence") is not None:
        line["bot"] = {"confidence": bot["confidence"]}
    state.messages[seq] = line
    if message.get("redacted_at") and message.get("message_id"):
        state.redacted.add(str(message["message_id"]))
    if message.get("role") == "customer" and message.get("customer"):
        state.customer = message["customer"]


def _redacted(line: dict[str, Any], redacted: set[str]) -> dict[str, Any]:
    return {**line, "text": ""} if line.get("message_id") in redacted else line


# -- the events lake ---------------------------------------------------------------------------------

LAKE_EVENTS_PREFIX = "events/"
"""Where the lake's Firehose writes (`events/dt=YYYY-MM-DD/<objects>`), and the prefix an URL without one means."""
_DT = re.compile(r"(?:^|/)dt=(\d{4}-\d{2}-\d{2})/")
_GZIP_MAGIC = b"\x1f\x8b"
ARRIVAL_SLACK = timedelta(days=1)
"""`dt` is the UTC day an event reached Firehose: an event of late evening, buffered or retried, lands in the
next day's partition. A window of days reads one partition more and keeps the events by their own `time`."""


class LakeError(ValueError):
    """The lake's URL or one of its objects is unusable; the message names it."""


@dataclass
class LakeRead:
    """What a read of the lake went through (for the command's summary)."""

    objects: int = 0
    events: int = 0
    skipped: int = 0
    """Lines that are not a JSON object (a truncated write): counted, not fatal."""


def parse_s3_url(url: str) -> tuple[str, str]:
    """`s3://BUCKET/PREFIX` -> (bucket, prefix ending in `/`); no prefix means the lake's `events/`."""
    if not url.startswith("s3://"):
        raise LakeError(f"not an S3 URL: {url!r} (expected s3://BUCKET/PREFIX, e.g. s3://my-lake/events/)")
    bucket, _, prefix = url.removeprefix("s3://").partition("/")
    if not bucket:
        raise LakeError(f"no bucket in {url!r} (expected s3://BUCKET/PREFIX)")
    if not prefix:
        return bucket, LAKE_EVENTS_PREFIX
    return bucket, prefix if prefix.endswith("/") else prefix + "/"


def lake_envelopes(
    client: Any,
    bucket: str,
    prefix: str = LAKE_EVENTS_PREFIX,
    *,
    since: date | None = None,
    until: date | None = None,
    read: LakeRead | None = None,
) -> Iterator[dict[str, Any]]:
    """The envelopes stored under `s3://bucket/prefix`, object by object, line by line.

    `client` is an S3 client (`list_objects_v2` paginator, `get_object`). With `since`/`until` (UTC days,
    inclusive) only the partitions `dt=since .. until + 1 day` are read, and an envelope is kept when the day of
    its `time` is in the window (one without a readable `time`, when its partition is). Order and repeats are
    the lake's (Firehose retries write a record twice): `export_lines` is indifferent to both.
    """
    if since and until and since > until:
        raise LakeError(f"--since {since} is after --until {until}")
    read = read if read is not None else LakeRead()
    for key in _lake_keys(client, bucket, prefix, since, until):
        body = client.get_object(Bucket=bucket, Key=key)["Body"].read()
        read.objects += 1
        partition = _partition_day(key)
        for envelope in _envelopes(_decompressed(body, f"s3://{bucket}/{key}"), read):
            if _in_window(envelope, partition, since, until):
                read.events += 1
                yield envelope


def _lake_keys(
    client: Any, bucket: str, prefix: str, since: date | None, until: date | None
) -> Iterator[str]:
    if since is not None:
        # One listing per day: the window's partitions, and the next day's (ARRIVAL_SLACK).
        last = (until or datetime.now(UTC).date()) + ARRIVAL_SLACK
        prefixes = [f"{prefix}dt={since + timedelta(days=n)}/" for n in range((last - since).days + 1)]
    else:
        prefixes = [prefix]
    paginator = client.get_paginator("list_objects_v2")
    for listed in prefixes:
        for page in paginator.paginate(Bucket=bucket, Prefix=listed):
            for item in page.get("Contents", []):
                key = str(item["Key"])
                day = _partition_day(key)
                if until is not None and day is not None and day > until + ARRIVAL_SLACK:
                    continue
                if not key.endswith("/"):  # a "folder" placeholder made by a console
                    yield key


def _partition_day(key: str) -> date | None:
    match = _DT.search(key)
    try:
        return date.fromisoformat(match.group(1)) if match else None
    except ValueError:
        return None


def _decompressed(body: bytes, where: str) -> str:
    try:
        data = gzip.decompress(body) if body.startswith(_GZIP_MAGIC) else body
        return data.decode("utf-8")
    except (OSError, EOFError, zlib.error) as exc:
        raise LakeError(f"{where}: not a readable GZIP object ({exc})") from None
    except UnicodeDecodeError:
        raise LakeError(f"{where}: not UTF-8 text") from None


def _envelopes(text: str, read: LakeRead) -> Iterator[dict[str, Any]]:
    """One envelope per line; also envelopes written back to back on one line (a stream without the delimiter)."""
    decoder = json.JSONDecoder()
    for line in text.splitlines():
        position, end = 0, len(line)
        while position < end:
            while position < end and line[position].isspace():
                position += 1
            if position == end:
                break
            try:
                value, position = decoder.raw_decode(line, position)
            except ValueError:
                read.skipped += 1
                break
            if isinstance(value, dict):
                yield value
            else:
                read.skipped += 1


def _in_window(
    envelope: dict[str, Any], partition: date | None, since: date | None, until: date | None
) -> bool:
    if since is None and until is None:
        return True
    day = _event_day(envelope.get("time"))
    if day is None:
        day = partition
    if day is None:
        return False
    return (since is None or day >= since) and (until is None or day <= until)


def _event_day(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return (moment.astimezone(UTC) if moment.tzinfo else moment).date()
