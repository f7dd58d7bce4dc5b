"""Fixtures shared by the test suites: in-memory fakes of the ports and the committed sample events."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from baton.adapters.memory import MemoryConversationStore, MemoryPublisher, MemorySeenStore
from baton.ingestion.service import IngestionService

ROOT = Path(__file__).resolve().parents[1]
EVENTS = ROOT / "events"


@pytest.fixture(autouse=True)
def _no_real_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    # Whatever a test builds, it must never find real credentials or reach the metadata endpoint.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def store() -> MemoryConversationStore:
    return MemoryConversationStore()


@pytest.fixture
def publisher() -> MemoryPublisher:
    return MemoryPublisher()


@pytest.fixture
def service(store: MemoryConversationStore, publisher: MemoryPublisher) -> IngestionService:
    return IngestionService(store, publisher)


@pytest.fixture
def seen() -> MemorySeenStore:
    return MemorySeenStore()


@pytest.fixture
def sample_event() -> Callable[[str], Any]:
    """`sample_event("helpdesk/intercom/v2_user_replied.json")`: a fresh copy of a file under events/."""

    def load(relative: str) -> Any:
        return json.loads((EVENTS / relative).read_text())

    return load
