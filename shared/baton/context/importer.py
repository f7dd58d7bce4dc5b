"""`baton context import accounts|incidents|activity|history FILE`: business context into the context table.

Each row is validated against its `baton.context.models` model; a bad row is reported with its line number
and the field at fault, and the good rows are stored anyway (a CRM export with one broken row still loads).
Columns the model does not know (a CRM export has dozens) are ignored, and named once.

Formats (by extension, or `--format`):
- JSONL: one JSON object per line, the model's fields (lists as JSON arrays).
- CSV: a header row with the model's fields; list fields (`intents`, `keywords`, `recent_actions`) are
  separated by `;`; `errors_seen` is a JSON array in its cell; empty cells are absent values.

Rows by kind (the key fields besides the model's own):
- accounts: `Account` (`id`, `plan`, `annual_value`, `renewal_date`, `signup_date`, `health`, `segment`,
  `owner`); a repeated id replaces the account.
- incidents: `Incident` (`id`, `title`, `product_area`, `intents`, `keywords`, `status`, `eta`).
- activity: `account_id`, `customer_id` and `Activity` (`page`, `recent_actions`, `errors_seen`).
- history: `account_id`, `customer_id` and `HistoryItem` (`conversation_id`, `intent`, `closed_at`, `outcome`).

Intents. An incident's `intents` and a history row's `intent` match what the intent model predicts, so a name the
loaded taxonomy (`<models dir>/intent/taxonomy.json`, see `known_intents`) does not know can never match: such a
row is stored, with a warning naming the unknown intents, and the report lists the valid ones once.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, ValidationError

from baton.context.models import Account, Activity, HistoryItem, Incident
from baton.errors import BatonError
from baton.models import Id

Kind = Literal["accounts", "incidents", "activity", "history"]
KINDS: tuple[Kind, ...] = ("accounts", "incidents", "activity", "history")
LIST_FIELDS = frozenset({"intents", "keywords", "recent_actions"})
JSON_FIELDS = frozenset({"errors_seen"})


class ContextImportError(BatonError):
    """The file cannot be imported at all (missing, unreadable, no header): nothing was stored."""


class _Keyed(BaseModel):
    model_config = ConfigDict(extra="forbid")

    account_id: Id
    customer_id: Id


class ActivityRow(_Keyed):
    activity: Activity


class HistoryRow(_Keyed):
    item: HistoryItem


MODELS: dict[Kind, type[BaseModel]] = {
    "accounts": Account,
    "incidents": Incident,
    "activity": Activity,
    "history": HistoryItem,
}


class Sink(Protocol):
    """Where rows go (`baton.context.store`)."""

    def put_account(self, account: Account, *, at: datetime) -> None: ...
    def put_incident(self, incident: Incident, *, at: datetime) -> None: ...
    def put_activity(
        self, account_id: str, customer_id: str, activity: Activity, *, at: datetime
    ) -> None: ...
    def put_contact(self, account_id: str, customer_id: str, item: HistoryItem, *, at: datetime) -> None: ...


@dataclass
class Report:
    kind: Kind
    stored: int = 0
    problems: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    dry_run: bool = False
    warnings: list[str] = field(default_factory=list)
    """Rows stored with something the decision cannot use (an intent the taxonomy does not know)."""
    valid_intents: list[str] = field(default_factory=list)
    """The taxonomy's intents, listed once when a warning names an unknown one."""

    def describe(self) -> str:
        verb = "valid (dry run: nothing stored)" if self.dry_run else "stored"
        rejected = len(self.problems)
        lines = [f"{self.kind}: {self.stored} {verb}, {rejected} row{'' if rejected == 1 else 's'} rejected"]
        if self.kind == "incidents" and self.stored and not self.dry_run:
            # The decision caches the active incidents per container (baton.context.store).
            lines.append("new and changed incidents apply to messages decided from 30 s on")
        if self.ignored_columns:
            lines.append(f"ignored columns: {', '.join(self.ignored_columns)}")
        lines += [f"  {p}" for p in self.problems]
        if self.warnings:
            lines.append(
                f"{len(self.warnings)} warning{'' if len(self.warnings) == 1 else 's'} "
                f"({'the rows would be stored' if self.dry_run else 'rows stored'}):"
            )
            lines += [f"  {w}" for w in self.warnings]
            if self.valid_intents:
                lines.append(f"valid intents ({len(self.valid_intents)}): {', '.join(self.valid_intents)}")
        return "\n".join(lines)


def known_intents(models_dir: Path) -> frozenset[str] | None:
    """The intents of the loaded intent model's taxonomy (`models_dir/intent/taxonomy.json`); None when there is
    no readable taxonomy there (nothing to check against)."""
    try:
        data = json.loads((models_dir / "intent" / "taxonomy.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return frozenset(data) if isinstance(data, dict) else None


def _unknown_intents(kind: Kind, row: dict[str, Any], known: Collection[str]) -> list[str]:
    if kind == "incidents":
        named = row.get("intents") or []
        named = named if isinstance(named, list) else [named]
    elif kind == "history":
        named = [row["intent"]] if row.get("intent") else []
    else:
        return []
    return [str(i) for i in named if isinstance(i, str) and i not in known]


def import_file(
    kind: Kind,
    path: Path,
    sink: Sink,
    *,
    at: datetime,
    fmt: str | None = None,
    dry_run: bool = False,
    intents: Collection[str] | None = None,
) -> Report:
    """Validate every row of `path` and store the good ones in `sink` (unless `dry_run`).

    `intents`: the taxonomy's intents; an incident or history row naming another is stored with a warning."""
    if kind not in KINDS:
        raise ContextImportError(f"unknown kind {kind!r}: expected one of {', '.join(KINDS)}")
    suffix = path.suffix.lower()
    fmt = fmt or {".csv": "csv", ".jsonl": "jsonl", ".json": "jsonl", ".ndjson": "jsonl"}.get(suffix)
    if fmt is None:
        raise ContextImportError(
            f"{path}: cannot tell the format from {suffix or 'no extension'!r}: name it .csv or .jsonl, "
            "or pass --format csv|jsonl"
        )
    if fmt not in ("csv", "jsonl"):
        raise ContextImportError(f"--format must be csv or jsonl, not {fmt!r}")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ContextImportError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ContextImportError(f"{path}: cannot be read as UTF-8 text ({exc})") from None
    report = Report(kind=kind, dry_run=dry_run)
    known = _known_fields(kind)
    ignored: set[str] = set()
    rows = _csv_rows(path, text) if fmt == "csv" else _jsonl_rows(text)
    for line, row in rows:
        if isinstance(row, str):
            report.problems.append(f"{path.name}:{line}: {row}")
            continue
        ignored |= set(row) - known
        unknown = _unknown_intents(kind, row, intents) if intents is not None else []
        try:
            stored = _store(kind, {k: v for k, v in row.items() if k in known}, sink, at=at, dry_run=dry_run)
        except ValidationError as exc:
            report.problems.append(f"{path.name}:{line}: {_describe(exc)}")
            continue
        report.stored += stored
        if unknown:
            field_name = "intents" if kind == "incidents" else "intent"
            report.warnings.append(
                f"{path.name}:{line}: {field_name} {', '.join(unknown)} not in the intent model's taxonomy: "
                "the model never predicts it, so it never matches"
            )
    report.ignored_columns = sorted(ignored)
    if report.warnings and intents is not None:
        report.valid_intents = sorted(intents)
    return report


def _known_fields(kind: Kind) -> set[str]:
    fields = set(MODELS[kind].model_fields)
    if kind in ("activity", "history"):
        fields |= {"account_id", "customer_id"}
    return fields


def _store(kind: Kind, row: dict[str, Any], sink: Sink, *, at: datetime, dry_run: bool) -> int:
    if kind == "accounts":
        account = Account.model_validate(row)
        if not dry_run:
            sink.put_account(account, at=at)
    elif kind == "incidents":
        incident = Incident.model_validate(row)
        if not dry_run:
            sink.put_incident(incident, at=at)
    elif kind == "activity":
        keys = {k: row.pop(k) for k in ("account_id", "customer_id") if k in row}
        parsed = ActivityRow.model_validate({**keys, "activity": row})
        if not dry_run:
            sink.put_activity(parsed.account_id, parsed.customer_id, parsed.activity, at=at)
    else:
        keys = {k: row.pop(k) for k in ("account_id", "customer_id") if k in row}
        history = HistoryRow.model_validate({**keys, "item": row})
        if not dry_run:
            sink.put_contact(history.account_id, history.customer_id, history.item, at=at)
    return 1


def _jsonl_rows(text: str) -> Iterator[tuple[int, dict[str, Any] | str]]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, f"not valid JSON ({exc.msg} at column {exc.colno})"
            continue
        if not isinstance(row, dict):
            yield number, f"expected a JSON object, got {type(row).__name__}"
            continue
        yield number, row


def _csv_rows(path: Path, text: str) -> Iterator[tuple[int, dict[str, Any] | str]]:
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames:
        raise ContextImportError(f"{path}: no header row")
    for row in reader:
        number = reader.line_num
        if None in row:
            yield number, f"{len(row[None])} more cells than the header has columns"
            continue
        parsed: dict[str, Any] = {}
        problem = None
        for key, value in row.items():
            if value is None or value.strip() == "":
                continue
            if key in LIST_FIELDS:
                parsed[key] = [part.strip() for part in value.split(";") if part.strip()]
            elif key in JSON_FIELDS:
                try:
                    parsed[key] = json.loads(value)
                except json.JSONDecodeError:
                    problem = f"{key}: not a JSON array"
            else:
                parsed[key] = value.strip()
        yield number, problem if problem else parsed


def _describe(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors()[:3]:
        loc = [str(p) for p in error.get("loc", ()) if p not in ("activity", "item")]
        where = ".".join(loc) or "row"
        message = error.get("msg", "invalid")
        if error.get("type") == "missing":
            message = "is required"
        parts.append(f"{where}: {message}")
    more = len(exc.errors()) - 3
    return "; ".join(parts) + (f" (and {more} more)" if more > 0 else "")
