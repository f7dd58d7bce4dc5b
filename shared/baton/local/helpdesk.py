"""`baton local`'s recording fake helpdesk: the write-back's requests to Zendesk and Intercom are written down,
never sent.

The write-back builds the same `HelpdeskRequest` objects as deployed (`baton.adapters.helpdesk`); this transport
appends each to `<data dir>/helpdesk-calls.jsonl` (time, helpdesk, purpose, method, URL, headers with the
credential replaced by `[redacted]`, JSON body; the notes quote customers: the file is its owner's only, 0600) and answers 200, as the helpdesk would. `baton helpdesk calls`
lists them. `baton local` installs it (`install_recorder`) and points `BATON_HELPDESK_CALLS_PATH` at the file;
the credentials it sends are placeholders (`PLACEHOLDER_CREDENTIALS`) unless BATON_ZENDESK_API_CREDENTIALS /
BATON_INTERCOM_API_CREDENTIALS say otherwise, and even then nothing leaves the machine.
"""

from __future__ import annotations

import json
import os
import threading
from collections import deque
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from baton.adapters.helpdesk import HelpdeskRequest, HelpdeskResponse

CALLS_FILE = "helpdesk-calls.jsonl"
PLACEHOLDER_CREDENTIALS = {
    "zendesk_api_credentials": json.dumps(
        {"subdomain": "baton-local", "email": "baton@example.com", "api_token": "local-placeholder"}
    ),
    "intercom_api_credentials": json.dumps({"access_token": "local-placeholder", "admin_id": "1"}),
}
"""Settings `baton local` fills when unset: the write-back then builds its requests as deployed."""


def calls_path(data_dir: Path) -> Path:
    return data_dir / CALLS_FILE


class RecordingTransport:
    """`baton.adapters.helpdesk.Transport` that records instead of sending (thread-safe: the consumers run in
    threads)."""

    def __init__(self, path: Path, clock: Any = None) -> None:
        self.path = path
        self._clock = clock or (lambda: datetime.now(UTC))
        self._lock = threading.Lock()

    def send(self, request: HelpdeskRequest) -> HelpdeskResponse:
        record = {"at": self._clock().isoformat().replace("+00:00", "Z"), **request.described()}
        line = json.dumps(record, ensure_ascii=False) + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            if os.fstat(fd).st_mode & 0o077:  # a file from an older Baton
                os.fchmod(fd, 0o600)
            with os.fdopen(fd, "a", encoding="utf-8") as handle:
                handle.write(line)
        body: dict[str, Any] = {"ticket": {}} if request.helpdesk == "zendesk" else {"type": "conversation"}
        return HelpdeskResponse(200, {"content-type": "application/json"}, json.dumps(body).encode())


def install_recorder() -> None:
    """Make `Settings.helpdesk_calls_path` select a RecordingTransport on that file (`baton.wiring`)."""
    from baton import wiring

    def factory(settings: Any) -> RecordingTransport:
        return RecordingTransport(Path(settings.helpdesk_calls_path))

    wiring.use_local_helpdesk(factory)


def read_calls(path: Path, limit: int | None = None) -> list[dict[str, Any]]:
    """The recorded calls, oldest first (the last `limit` of them); a line that is not a JSON object (a write
    cut short) is skipped."""
    if not path.is_file():
        return []
    kept: deque[dict[str, Any]] = deque(maxlen=limit)
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            try:
                call = json.loads(line)
            except ValueError:
                continue
            if isinstance(call, dict):
                kept.append(call)
    return list(kept)


def summary(call: dict[str, Any]) -> str:
    """One line of what a call does: the assignee and the note's length."""
    body = _obj(call.get("body"))
    ticket = body.get("ticket")
    parts: list[str] = []
    if isinstance(ticket, dict):  # Zendesk
        if "assignee_id" in ticket:
            parts.append(f"assignee {ticket['assignee_id']}")
        if "group_id" in ticket:
            parts.append(f"group {ticket['group_id']}")
        comment = _obj(ticket.get("comment"))
        if comment:
            visibility = "public" if comment.get("public") else "internal"
            parts.append(
                f"{visibility} note ({len(str(comment.get('html_body') or comment.get('body') or ''))} chars)"
            )
    elif body.get("message_type") == "assignment":
        parts.append(f"{body.get('type')} {body.get('assignee_id')} (by admin {body.get('admin_id')})")
    elif body.get("message_type") == "note":
        parts.append(f"note ({len(str(body.get('body') or ''))} chars, by admin {body.get('admin_id')})")
    return ", ".join(parts) or "-"


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
