"""Unit tests run without a network (anything that opens an internet socket fails loudly), and an
`api` client that calls the ingestion Lambda handler with API Gateway HTTP API v2 events."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# The helpers beside this file (api_client, sqs_helpers...) are imported by the tests of every capability
# folder below it.
sys.path.insert(0, str(Path(__file__).resolve().parent))

import pytest
import urllib3  # noqa: F401  (imported before sockets are blocked: it probes for IPv6 with one at import)
from api_client import ApiClient
from pytest_socket import disable_socket, enable_socket

from baton.adapters.memory import StaticSecrets
from baton.ingestion.api import ApiDeps
from baton.ingestion.service import IngestionService
from baton.insights.store import MemoryInsightsStore
from baton.settings import Settings


@pytest.fixture(autouse=True)
def _no_network() -> Iterator[None]:
    # Unix sockets stay allowed (asyncio's self-pipe on some platforms, local tooling).
    disable_socket(allow_unix_socket=True)
    yield
    enable_socket()


@pytest.fixture
def api_deps(service: IngestionService, idempotency: Any) -> ApiDeps:
    return ApiDeps(
        service=service,
        secrets=StaticSecrets({"zendesk": "zendesk-secret", "intercom": "intercom-secret"}),
        idempotency=idempotency,
        settings=Settings(),
        insights=MemoryInsightsStore,
    )


@pytest.fixture
def api(api_deps: ApiDeps) -> Iterator[ApiClient]:
    from functions.ingest_api import handler

    handler.set_deps(api_deps)
    yield ApiClient(handler)
    handler.set_deps(None)
