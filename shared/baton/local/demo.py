"""Demo data (events/demo/) into a running `baton local`.

Conversations go through the API, message by message, like any client (so they are stored,
published and consumed by the same code). Accounts and incidents go into the context table through
`baton context import`'s code (`baton.context_import`, the layout of `baton.adapters.context_store`);
agents as provisional items `pk=AGENT#<id>`, `sk=PROFILE` with the record as attributes, until the
routing capability owns their layout. Loading twice changes nothing: the
messages carry fixed ids and timestamps (a repeat is a duplicate: same answer, stored once) and
profiles are overwritten with the same values.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

from baton.errors import BatonError

PROFILE_SK = "PROFILE"
CONTEXT_KINDS = {
    # file -> (key prefix, id field)
    "agents.jsonl": ("AGENT", "agent_id"),
}
IMPORTED = {"accounts.jsonl": "accounts", "incidents.jsonl": "incidents"}
"""Demo files loaded by `baton.context_import` (file -> kind)."""
CONVERSATIONS_FILE = "conversations.jsonl"
# Fields of a demo message that are not part of the API body.
_NOT_API_FIELDS = {"scenario"}


class DemoError(BatonError):
    pass


@dataclass
class DemoSummary:
    context: dict[str, int] = field(default_factory=dict)
    conversations: int = 0
    messages: int = 0

    def describe(self) -> str:
        parts = [f"{count} {kind}" for kind, count in self.context.items()]
        parts.append(f"{self.conversations} conversations ({self.messages} messages posted)")
        return "Demo data loaded: " + ", ".join(parts)


def default_demo_dir() -> Path:
    """events/demo of this checkout, else of the current directory."""
    from baton.local.runtime import repo_root

    for root in (repo_root(), Path.cwd()):
        if (root / "events" / "demo" / CONVERSATIONS_FILE).is_file():
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


def context_items(directory: Path) -> list[tuple[str, dict[str, Any]]]:
    """(kind, DynamoDB item) for every account, agent and incident."""
    items = []
    for file_name, (prefix, id_field) in CONTEXT_KINDS.items():
        path = directory / file_name
        for number, record in enumerate(read_jsonl(path), start=1):
            ident = record.get(id_field)
            if not isinstance(ident, str) or not ident:
                raise DemoError(f"{path}:{number}: `{id_field}` is required")
            item = {key: value for key, value in record.items() if value is not None}
            item.update({"pk": f"{prefix}#{ident}", "sk": PROFILE_SK, "kind": prefix.lower()})
            items.append((prefix.lower(), item))
    return items


def demo_messages(directory: Path) -> list[tuple[str, dict[str, Any]]]:
    """(conversation id, API body) for every demo message, in conversation order."""
    path = directory / CONVERSATIONS_FILE
    bodies = []
    for number, conversation in enumerate(read_jsonl(path), start=1):
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


def _to_dynamodb(value: Any) -> Any:
    # boto3's resource layer refuses floats; numbers go in as Decimal.
    return json.loads(json.dumps(value), parse_float=Decimal)


def write_context(table: Any, directory: Path) -> dict[str, int]:
    """Put every account, incident and agent into the context table (a boto3 Table resource); counts per
    kind. A demo row that does not validate is a broken demo: DemoError names it."""
    import boto3

    from baton.adapters.context_store import DynamoContextStore
    from baton.context_import import import_file
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
        report = import_file(kind, directory / file_name, store, at=utcnow())  # type: ignore[arg-type]
        if report.problems or report.ignored_columns:
            raise DemoError(report.describe())
        counts[kind] = report.stored
    with table.batch_writer() as batch:
        for kind, item in context_items(directory):
            batch.put_item(Item=_to_dynamodb(item))
            counts[kind + "s"] = counts.get(kind + "s", 0) + 1
    return {kind: counts[kind] for kind in ("accounts", "agents", "incidents") if kind in counts}


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
            return response.status
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode(errors="replace")[:500]
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
    directory: Path | None = None,
) -> DemoSummary:
    """Load the demo into a running API and its context table."""
    directory = directory or default_demo_dir()
    summary = DemoSummary()
    summary.context = write_context(context_table, directory)
    seen: set[str] = set()
    for conversation_id, body in demo_messages(directory):
        seen.add(conversation_id)
        post_message(url, token, conversation_id, body)
        summary.messages += 1
    summary.conversations = len(seen)
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
