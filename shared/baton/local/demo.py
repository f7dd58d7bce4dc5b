"""Demo data (events/demo/) into a running `baton local`.

Conversations go through the API, message by message, like any client (so they are stored,
published and consumed by the same code). Accounts and incidents go into the context table through
`baton context import`'s code (`baton.context.importer`, the layout of `baton.context.store`); agents into
the routing table through `baton agents import`'s (`baton.routing.importer`, `baton.routing.directory`), so a
reload keeps their load.

Dates are relative to the day the demo is loaded: the files are written around an anchor day (the day of
their latest message), and every timestamp and date in them (messages, page actions, incident ETAs, renewal
and signup dates) moves by whole days so that the latest message lands within the last 24 hours. A renewal
"in 49 days" stays 49 days away and an incident's ETA stays a few hours after the messages. Loading twice
changes nothing: within a day the messages carry the same ids and timestamps (a repeat is a duplicate: same
answer, stored once); a conversation loaded on an earlier day answers 409 and is left as it is.
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from baton.errors import BatonError

if TYPE_CHECKING:
    from baton.routing.directory import AgentDirectory

AGENTS_FILE = "agents.jsonl"
"""Demo agents, loaded by `baton.routing.importer`."""
IMPORTED = {"accounts.jsonl": "accounts", "incidents.jsonl": "incidents"}
"""Demo files loaded by `baton.context.importer` (file -> kind)."""
CONVERSATIONS_FILE = "conversations.jsonl"
# Fields of a demo message that are not part of the API body.
_NOT_API_FIELDS = {"scenario"}
OUTCOME_DELAY_S = 3.0
"""The demo's outcomes are posted this long after its messages, so most conversations are decided first (the
labels do not depend on the order; the routing of an escalation already resolved is skipped)."""


class DemoError(BatonError):
    pass


@dataclass
class DemoSummary:
    context: dict[str, int] = field(default_factory=dict)
    conversations: int = 0
    messages: int = 0
    already_loaded: int = 0
    outcomes: int = 0
    shifted_days: int = 0

    def describe(self) -> str:
        parts = [f"{count} {kind}" for kind, count in self.context.items()]
        parts.append(f"{self.conversations} conversations ({self.messages} messages posted)")
        if self.outcomes:
            parts.append(f"{self.outcomes} outcomes (see each conversation's outcome_label)")
        kept = (
            f"; {self.already_loaded} messages kept from an earlier day's load" if self.already_loaded else ""
        )
        return "Demo data loaded: " + ", ".join(parts) + kept


_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(T.*)?$")
SHIFTED_KEYS = frozenset({"sent_at", "at", "eta", "renewal_date", "signup_date", "closed_at"})
"""The demo's fields that hold a date or timestamp (moved to the load day)."""


def anchor_of(directory: Path) -> datetime:
    """The demo's anchor: its latest message timestamp."""
    latest = max(
        (
            datetime.fromisoformat(str(m["sent_at"]).replace("Z", "+00:00"))
            for c in read_jsonl(directory / CONVERSATIONS_FILE)
            for m in c.get("messages", ())
            if m.get("sent_at")
        ),
        default=None,
    )
    if latest is None:
        raise DemoError(f"{directory / CONVERSATIONS_FILE}: no message has a sent_at")
    return latest


def days_to_shift(anchor: datetime, now: datetime) -> int:
    """Whole days that put the anchor within the 24 hours before `now` (0 when it already is)."""
    return (now - anchor).days


def shift_dates(value: Any, days: int, key: str | None = None) -> Any:
    """`value` with every date or ISO timestamp under a key of SHIFTED_KEYS moved by `days`."""
    if isinstance(value, dict):
        return {k: shift_dates(v, days, k) for k, v in value.items()}
    if isinstance(value, list):
        return [shift_dates(v, days, key) for v in value]
    if days and key in SHIFTED_KEYS and isinstance(value, str):
        found = _DATE.match(value)
        if found:
            day = date.fromisoformat(found.group(1)) + timedelta(days=days)
            return day.isoformat() + (found.group(2) or "")
    return value


def default_demo_dir() -> Path:
    """events/demo of this checkout, else of the current directory."""
    from baton.local.runtime import checkout_root

    for root in (checkout_root(), Path.cwd()):
        if root is not None and (root / "events" / "demo" / CONVERSATIONS_FILE).is_file():
            return root / "events" / "demo"
    raise DemoError("the demo data (events/demo/) was not found: run from the Baton repository")


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    records = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as exc:
            raise DemoError(f"{path}:{number}: not valid JSON ({exc})") from None
        if not isinstance(record, dict):
            raise DemoError(f"{path}:{number}: expected a JSON object")
        records.append(record)
    return records


def demo_messages(directory: Path, days: int = 0) -> list[tuple[str, dict[str, Any]]]:
    """(conversation id, API body) for every demo message, in conversation order, dates moved by `days`."""
    path = directory / CONVERSATIONS_FILE
    bodies = []
    for number, conversation in enumerate(shift_dates(read_jsonl(path), days), start=1):
        conversation_id = conversation.get("conversation_id")
        customer = conversation.get("customer")
        messages = conversation.get("messages")
        if (
            not isinstance(conversation_id, str)
            or not isinstance(customer, dict)
            or not isinstance(messages, list)
        ):
            raise DemoError(f"{path}:{number}: needs conversation_id, customer and messages")
        for message in messages:
            body = {key: value for key, value in message.items() if key not in _NOT_API_FIELDS}
            body.setdefault("customer", customer)
            body.setdefault("channel", conversation.get("channel"))
            bodies.append((conversation_id, {k: v for k, v in body.items() if v is not None}))
    return bodies


def demo_outcomes(directory: Path, days: int = 0) -> list[tuple[str, dict[str, Any]]]:
    """(conversation id, `POST .../outcome` body) for the demo conversations that say how they ended."""
    path = directory / CONVERSATIONS_FILE
    return [
        (conversation["conversation_id"], conversation["outcome"])
        for conversation in shift_dates(read_jsonl(path), days)
        if isinstance(conversation.get("outcome"), dict)
    ]


def post_outcome(
    url: str, token: str, conversation_id: str, body: dict[str, Any], timeout_s: float = 10
) -> None:
    request = urllib.request.Request(
        f"{url.rstrip('/')}/v1/conversations/{quote(conversation_id, safe=':')}/outcome",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout_s):
            return
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode(errors="replace")[:500]
        raise DemoError(f"POST {conversation_id}/outcome answered {exc.code}: {detail}") from None
    except urllib.error.URLError as exc:
        raise DemoError(f"cannot reach the Baton API at {url}: {exc.reason}") from None


def write_context(table: Any, directory: Path, days: int = 0) -> dict[str, int]:
    """Put every account and incident into the context table (a boto3 Table resource), dates moved by `days`;
    counts per kind. A demo row that does not validate is a broken demo: DemoError names it."""
    import tempfile

    import boto3

    from baton.context.importer import import_file
    from baton.context.store import DynamoContextStore
    from baton.models import utcnow

    counts: dict[str, int] = {}
    # A plain client: the resource's own client re-serialises the items the store has already marshalled.
    meta = table.meta.client.meta
    client = boto3.client(
        "dynamodb",
        endpoint_url=meta.endpoint_url,
        region_name=meta.region_name,
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    store = DynamoContextStore(table.name, client=client)
    for file_name, kind in IMPORTED.items():
        with tempfile.TemporaryDirectory(prefix="baton-demo-") as tmp:
            shifted = Path(tmp) / file_name
            rows = shift_dates(read_jsonl(directory / file_name), days)
            shifted.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
            report = import_file(kind, shifted, store, at=utcnow())  # type: ignore[arg-type]
        if report.problems or report.ignored_columns:
            raise DemoError(report.describe().replace(str(shifted), str(directory / file_name)))
        counts[kind] = report.stored
    return counts


def write_agents(agents: AgentDirectory, directory: Path) -> int:
    """Put the demo agents into the agent directory (their load kept); how many. Checked against the loaded
    intent taxonomy's areas and skills: a row that does not validate is a broken demo, DemoError names it."""
    from baton.models import utcnow
    from baton.routing.importer import import_agents, taxonomy
    from baton.settings import models_dir

    try:
        known = taxonomy(models_dir())
    except BatonError:
        known = None  # no model directory: the routing consumer would not run either
    report = import_agents(directory / AGENTS_FILE, agents, at=utcnow(), known=known)
    if report.problems:
        raise DemoError(report.describe())
    return report.stored


class AlreadyLoaded(DemoError):
    """The message id is stored with another body: the demo was loaded on an earlier day."""


def post_message(
    url: str, token: str, conversation_id: str, body: dict[str, Any], timeout_s: float = 10
) -> int:
    request = urllib.request.Request(
        f"{url.rstrip('/')}/v1/conversations/{quote(conversation_id, safe=':')}/messages",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode(errors="replace")[:500]
        if exc.code == 409:
            raise AlreadyLoaded(f"{conversation_id}/{body.get('message_id')}: {detail}") from None
        raise DemoError(
            f"POST {conversation_id}/{body.get('message_id')} answered {exc.code}: {detail}"
        ) from None
    except urllib.error.URLError as exc:
        raise DemoError(f"cannot reach the Baton API at {url}: {exc.reason}") from None


def load(
    *,
    url: str,
    token: str,
    context_table: Any,
    agents: AgentDirectory,
    directory: Path | None = None,
    now: datetime | None = None,
) -> DemoSummary:
    """Load the demo into a running API, its context table and its agent directory, its dates moved to the day
    of `now`."""
    directory = directory or default_demo_dir()
    days = days_to_shift(anchor_of(directory), now or datetime.now(UTC))
    summary = DemoSummary(shifted_days=days)
    counts = write_context(context_table, directory, days)
    counts["agents"] = write_agents(agents, directory)
    summary.context = {kind: counts[kind] for kind in ("accounts", "agents", "incidents") if kind in counts}
    seen: set[str] = set()
    for conversation_id, body in demo_messages(directory, days):
        seen.add(conversation_id)
        try:
            post_message(url, token, conversation_id, body)
        except AlreadyLoaded:
            summary.already_loaded += 1
            continue
        summary.messages += 1
    summary.conversations = len(seen)
    outcomes = demo_outcomes(directory, days)
    if outcomes and summary.messages:
        time.sleep(OUTCOME_DELAY_S)
    for conversation_id, body in outcomes:
        post_outcome(url, token, conversation_id, body)  # idempotent on (kind, at): a reload posts the same
        summary.outcomes += 1
    return summary


def context_table(endpoint: str, table_name: str) -> Any:
    import boto3

    from baton.local.runtime import LOCAL_REGION

    resource = boto3.resource(
        "dynamodb",
        endpoint_url=endpoint,
        region_name=LOCAL_REGION,
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    return resource.Table(table_name)


def agent_directory(endpoint: str, table_name: str) -> AgentDirectory:
    """The agent directory in a running `baton local`'s routing table."""
    from baton import wiring
    from baton.routing.directory import DynamoAgentDirectory

    return DynamoAgentDirectory(table_name, client=wiring.dynamodb_client(endpoint))
