"""Integration fixtures: DynamoDB Local (AWS's own engine, in memory, one per session) for store
semantics, and moto for the AWS APIs it cannot emulate (EventBridge, SQS).

DynamoDB Local needs Java. Without it these tests skip with the reason, unless
BATON_REQUIRE_DYNAMODB_LOCAL=1 (CI sets it), where a missing engine fails the run instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from baton import wiring
from baton.local.dynamodb_local import DynamoDBLocal, JavaMissing, ensure_tables, find_java
from baton.tables import TABLES

TABLE_NAMES = {table.logical_name: f"it-{table.logical_name}" for table in TABLES}


@pytest.fixture(scope="session")
def dynamodb_local() -> Iterator[DynamoDBLocal]:
    try:
        find_java()
    except JavaMissing as missing:
        if os.environ.get("BATON_REQUIRE_DYNAMODB_LOCAL") == "1":
            pytest.fail(f"BATON_REQUIRE_DYNAMODB_LOCAL=1 but DynamoDB Local cannot run: {missing}")
        pytest.skip(f"DynamoDB Local needs Java: {missing}")
    # Anything else (the npm package missing, the engine not starting) fails loudly.
    with DynamoDBLocal() as engine:
        ensure_tables(engine.client(), TABLE_NAMES)
        yield engine


@pytest.fixture(scope="session")
def conversations_table() -> str:
    return TABLE_NAMES["conversations"]


@pytest.fixture(scope="session")
def context_table() -> str:
    return TABLE_NAMES["context"]


@pytest.fixture(scope="session")
def idempotency_table() -> str:
    return TABLE_NAMES["idempotency"]


@pytest.fixture(scope="session")
def ddb_client(dynamodb_local: DynamoDBLocal) -> Any:
    return dynamodb_local.client()


@pytest.fixture
def conversation_id() -> str:
    """Tables live for the session: every test writes to conversations of its own."""
    return f"it-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Dummy credentials for moto, and no cached real clients leaking between tests."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    # moto answers for one account; botocore must not derive account-based endpoints.
    monkeypatch.setenv("AWS_ACCOUNT_ID_ENDPOINT_MODE", "disabled")
    wiring.reset()
    yield
    wiring.reset()
