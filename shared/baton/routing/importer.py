"""`baton agents import FILE`: the agents Baton routes to, from CSV or JSONL, into the agent directory.

Columns (CSV header or JSONL keys), the `baton.handoff.Agent` fields:
  id, name, languages, capacity                             required
  email, product_areas, skills, status, helpdesk_id, team   optional: an empty cell (JSON null or "") is none
- `languages`, `product_areas`, `skills`: lists, `;`-separated in a CSV cell; in JSONL a JSON array or the
  same `;`-separated string.
- `product_areas` and `skills` are the intent taxonomy's (`<models dir>/intent/taxonomy.json`, `taxonomy`):
  routing matches them against what the intent model predicts, so any other value could never match.
- `status` is online|away|offline. Without one, an agent already in the directory keeps its status
  (re-importing a roster does not sign everyone out) and a new agent starts offline.
- `capacity`: how many conversations the agent takes at once, a whole number from 0 to 100.

Every row is checked before anything is written. A bad row is rejected and reported once per problem, with
its line and field; the good rows are stored anyway (like `baton context import`); a later row repeating an
earlier row's id is rejected. What makes the whole file unusable (unreadable, no header, a column missing or
unknown) raises `AgentImportError` and nothing is stored. Writes go through `AgentDirectory.put_agent`, which
keeps each agent's load (its open assignments).
"""

from __future__ import annotations

import csv
import difflib
import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from baton.errors import BatonError
from baton.handoff import Agent
from baton.routing.directory import AgentDirectory

COLUMNS = (
    "id",
    "name",
    "email",
    "languages",
    "product_areas",
    "skills",
    "capacity",
    "status",
    "helpdesk_id",
    "team",
)
REQUIRED = ("id", "name", "languages", "capacity")
LIST_COLUMNS = frozenset({"languages", "product_areas", "skills"})
ROW = "row"
"""The `column` of a problem with the whole row (not valid JSON, too many cells)."""
FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".json": "jsonl", ".ndjson": "jsonl"}


class AgentImportError(BatonError):
    """The file cannot be imported at all (unreadable, no header, a column missing or unknown): nothing was
    stored."""


@dataclass(frozen=True)
class Taxonomy:
    """The product areas and skills the intent model's taxonomy maps its intents to."""

    areas: frozenset[str]
    skills: frozenset[str]


def taxonomy(models_dir: Path) -> Taxonomy | None:
    """The areas and skills of `models_dir/intent/taxonomy.json`; None when there is no readable taxonomy
    there (nothing to check against)."""
    try:
        data = json.loads((models_dir / "intent" / "taxonomy.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    infos = [info for info in data.values() if isinstance(info, dict)]
    return Taxonomy(
        areas=frozenset(str(i["product_area"]) for i in infos if i.get("product_area")),
        skills=frozenset(str(i["skill"]) for i in infos if i.get("skill")),
    )


@dataclass
class Report:
    stored: int = 0
    """Agents stored (in a dry run: the valid rows)."""
    rejected: int = 0
    problems: list[str] = field(default_factory=list)
    """One line per problem: `file:line: field: what`."""
    dry_run: bool = False
    unchecked: str | None = None
    """Why product areas and skills were not checked (no taxonomy)."""

    def describe(self) -> str:
        verb = "valid (dry run: nothing stored)" if self.dry_run else "stored"
        rows = "row" if self.rejected == 1 else "rows"
        lines = [f"agents: {self.stored} {verb}, {self.rejected} {rows} rejected"]
        lines += [f"  {p}" for p in self.problems]
        if self.unchecked:
            lines.append(self.unchecked)
        return "\n".join(lines)


@dataclass(frozen=True)
class _Row:
    line: int
    agent: Agent
    status_given: bool


@dataclass
class Checked:
    """A file's valid agents (not stored yet) and its report (`check_file`)."""

    rows: list[_Row]
    report: Report

    def store(self, directory: AgentDirectory, *, at: datetime) -> Report:
        """Put the valid agents into `directory` (their load kept); the report."""
        for row in self.rows:
            directory.put_agent(_keeping_status(row, directory), at=at)
        self.report.stored, self.report.dry_run = len(self.rows), False
        return self.report


def check_file(path: Path, *, fmt: str | None = None, known: Taxonomy | None = None) -> Checked:
    """Check every row of `path`, storing nothing: AgentImportError when the file is unusable.

    `known`: the taxonomy's areas and skills; None checks neither (the report says so)."""
    fmt = _format(path, fmt)
    text = _read(path)
    rows = _csv_rows(path, text) if fmt == "csv" else _jsonl_rows(path, text)
    report = Report(dry_run=True)
    if known is None:
        report.unchecked = "product_areas and skills not checked: no intent taxonomy (intent/taxonomy.json)"
    valid: list[_Row] = []
    first_line: dict[str, int] = {}
    for line, row in rows:
        agent, problems = _check(row, known, first_line, line)
        if agent is not None:
            valid.append(_Row(line, agent, status_given=isinstance(row, dict) and "status" in row))
        else:
            report.rejected += 1
            report.problems += [
                f"{path.name}:{line}: {what}" if column == ROW else f"{path.name}:{line}: {column}: {what}"
                for column, what in problems
            ]
    report.stored = len(valid)
    return Checked(valid, report)


def import_agents(
    path: Path,
    directory: AgentDirectory,
    *,
    at: datetime,
    fmt: str | None = None,
    dry_run: bool = False,
    known: Taxonomy | None = None,
) -> Report:
    """Check every row of `path`, then put the valid agents into `directory` (unless `dry_run`)."""
    checked = check_file(path, fmt=fmt, known=known)
    return checked.report if dry_run else checked.store(directory, at=at)


def _keeping_status(row: _Row, directory: AgentDirectory) -> Agent:
    if row.status_given:
        return row.agent
    current = directory.agent(row.agent.id)
    return row.agent.model_copy(update={"status": current.status}) if current else row.agent


def _check(
    row: dict[str, Any] | str, known: Taxonomy | None, first_line: dict[str, int], line: int
) -> tuple[Agent | None, list[tuple[str, str]]]:
    """The row's agent, or the (column, what) of every problem it has."""
    if isinstance(row, str):
        return None, [(ROW, row)]
    ident = row.get("id")
    if isinstance(ident, str):
        if ident in first_line:
            return None, [("id", f"{ident} is already on line {first_line[ident]}: one row per agent")]
        first_line[ident] = line
    problems = _outside_taxonomy(row, known)
    try:
        agent = Agent.model_validate(row)
    except ValidationError as exc:
        flagged = {column for column, _ in problems}
        problems += [(column, what) for column, what in _describe(exc) if column not in flagged]
        return None, sorted(problems, key=lambda p: COLUMNS.index(p[0]) if p[0] in COLUMNS else -1)
    return (None, problems) if problems else (agent, [])


def _outside_taxonomy(row: Mapping[str, Any], known: Taxonomy | None) -> list[tuple[str, str]]:
    """Areas and skills the taxonomy does not have: routing could never match them."""
    if known is None:
        return []
    problems = []
    for column, valid, what in (
        ("product_areas", known.areas, "product area"),
        ("skills", known.skills, "skill"),
    ):
        values = row.get(column)
        unknown = (
            [v for v in values if isinstance(v, str) and v not in valid] if isinstance(values, list) else []
        )
        if unknown:
            names = ", ".join(repr(v) for v in unknown)
            plural = "s" if len(unknown) > 1 else ""
            problems.append(
                (column, f"unknown {what}{plural} {names} (the taxonomy's: {', '.join(sorted(valid))})")
            )
    return problems


# -- reading ------------------------------------------------------------------------------------------


def _format(path: Path, fmt: str | None) -> str:
    suffix = path.suffix.lower()
    fmt = fmt or FORMATS.get(suffix)
    if fmt is None:
        raise AgentImportError(
            f"{path}: cannot tell the format from {suffix or 'no extension'!r}: name it .csv or .jsonl, "
            "or pass --format csv|jsonl"
        )
    if fmt not in ("csv", "jsonl"):
        raise AgentImportError(f"--format must be csv or jsonl, not {fmt!r}")
    return fmt


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise AgentImportError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise AgentImportError(f"{path}: cannot be read as UTF-8 text ({exc})") from None


def _check_columns(path: Path, columns: Mapping[str, list[int]], *, header: bool) -> None:
    """Unknown columns (and, in a CSV header, missing required ones) make the file unusable."""
    unknown = [c for c in columns if c not in COLUMNS]
    if unknown:
        where = [_where(c, None if header else columns[c]) for c in unknown]
        raise AgentImportError(
            f"{path}{':1' if header else ''}: unknown column{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(where)}: the columns are {', '.join(COLUMNS)}; nothing was stored"
        )
    missing = [c for c in REQUIRED if c not in columns] if header else []
    if missing:
        raise AgentImportError(
            f"{path}:1: missing required column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
            f"(required: {', '.join(REQUIRED)}); nothing was stored"
        )


_RENAMED = {"agent_id": "id"}
"""Columns of the first demo format."""


def _where(column: str, lines: list[int] | None) -> str:
    """`column (line 3 and 2 more; did you mean x?)`."""
    notes = []
    if lines:
        notes.append(f"line {lines[0]}" + (f" and {len(lines) - 1} more" if len(lines) > 1 else ""))
    close = _RENAMED.get(column) or next(iter(difflib.get_close_matches(column.lower(), COLUMNS, n=1)), None)
    if close:
        notes.append(f"did you mean {close}?")
    return f"{column} ({'; '.join(notes)})" if notes else column


def _cell(column: str, value: Any) -> Any:
    """A cell as the model takes it; None for an empty one."""
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None
        if column in LIST_COLUMNS:
            return [part.strip() for part in value.split(";") if part.strip()]
        return value
    if column in LIST_COLUMNS and isinstance(value, list):
        return [
            v.strip() if isinstance(v, str) else v
            for v in value
            if not (isinstance(v, str) and not v.strip())
        ]
    return value


def _clean(row: Mapping[str, Any]) -> dict[str, Any]:
    cells = {column: _cell(column, value) for column, value in row.items()}
    return {column: value for column, value in cells.items() if value is not None}


def _jsonl_rows(path: Path, text: str) -> list[tuple[int, dict[str, Any] | str]]:
    rows: list[tuple[int, dict[str, Any] | str]] = []
    columns: dict[str, list[int]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            rows.append((number, f"not valid JSON ({exc.msg} at column {exc.colno})"))
            continue
        if not isinstance(row, dict):
            rows.append((number, f"expected a JSON object, got {type(row).__name__}"))
            continue
        for key in row:
            columns.setdefault(key, []).append(number)
        rows.append((number, _clean(row)))
    _check_columns(path, columns, header=False)
    return rows


def _csv_rows(path: Path, text: str) -> list[tuple[int, dict[str, Any] | str]]:
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames:
        raise AgentImportError(f"{path}: no header row; the columns are {', '.join(COLUMNS)}")
    header = [name.strip() for name in reader.fieldnames]
    _check_columns(path, {name: [1] for name in header if name}, header=True)
    reader.fieldnames = header
    return list(_csv_records(reader))


def _csv_records(reader: csv.DictReader[str]) -> Iterator[tuple[int, dict[str, Any] | str]]:
    for row in reader:
        number = reader.line_num
        if None in row:
            yield number, f"{len(row[None])} more cells than the header has columns"
            continue
        yield number, _clean({k: v for k, v in row.items() if k})


# -- messages -----------------------------------------------------------------------------------------

_FRIENDLY = {
    "id": "{value!r} is not an id (letters, digits and . _ : -, at most 128)",
    "email": "{value!r} is not an email address",
    "languages": "{value!r} is not a language tag (BCP 47, e.g. en, pt-BR)",
    "product_areas": "{value!r} is not a product area name (lowercase letters, digits and _)",
    "skills": "{value!r} is not a skill name (lowercase letters, digits and _)",
    "capacity": "must be a whole number from 0 to 100 (conversations at once), not {value!r}",
}
_CAPACITY_ERRORS = frozenset(
    {"int_parsing", "int_type", "int_from_float", "greater_than_equal", "less_than_equal"}
)


def _describe(exc: ValidationError) -> list[tuple[str, str]]:
    """(column, what) for each column at fault (its first error)."""
    seen: dict[str, str] = {}
    for error in exc.errors():
        loc = error.get("loc", ())
        column = str(loc[0]) if loc else ROW
        if column in seen:
            continue
        kind = error.get("type", "")
        value = error.get("input")
        if kind == "missing":
            message = "is required"
        elif kind == "extra_forbidden":
            message = "unknown column"
        elif kind == "too_short" and column == "languages":
            message = "at least one language is required"
        elif kind == "string_pattern_mismatch" and column in _FRIENDLY:
            message = _FRIENDLY[column].format(value=value)
        elif kind == "literal_error" and column == "status":
            message = f"{value!r} is not a status: online, away or offline"
        elif column == "capacity" and kind in _CAPACITY_ERRORS:
            message = _FRIENDLY["capacity"].format(value=value)
        else:
            message = error.get("msg", "invalid")
        seen[column] = message
    return list(seen.items())
