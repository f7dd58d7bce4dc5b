"""Fixtures shared by the test suites: in-memory fakes of the ports, the webhooks' idempotency table (moto) and
the committed sample events."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from baton.adapters.memory import MemoryPublisher
from baton.ingestion.memory import MemoryConversationStore
from baton.ingestion.service import IngestionService

ROOT = Path(__file__).resolve().parents[1]
EVENTS = ROOT / "events"
MODELS = ROOT / "layers" / "models"

# The runtime finds the models and the default decision parameters only through BATON_MODELS_DIR or the Lambda
# model layer, never through the checkout's layout: the tests (and the processes they start) use this checkout's.
os.environ["BATON_MODELS_DIR"] = str(MODELS)


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


class MotoIdempotency:
    """Powertools idempotency's DynamoDB persistence layer on the idempotency table of `baton.tables`, in moto.

    Called, it returns the layer (what `ApiDeps.idempotency` is). moto starts on the first call, so a test that
    sends no webhook never starts it.
    """

    TABLE = "baton-idempotency"

    def __init__(self) -> None:
        self._mock: Any = None
        self._layer: Any = None
        self.client: Any = None

    def __call__(self) -> Any:
        if self._layer is None:
            import boto3
            from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer
            from moto import mock_aws

            from baton.tables import IDEMPOTENCY

            self._mock = mock_aws()
            self._mock.start()
            self.client = boto3.client("dynamodb", region_name="eu-west-1")
            self.client.create_table(**IDEMPOTENCY.create_table_kwargs(self.TABLE))
            self._layer = DynamoDBPersistenceLayer(table_name=self.TABLE, boto3_client=self.client)
        return self._layer

    def records(self) -> dict[str, dict[str, Any]]:
        """The stored records by id (`webhook#<hash>`), attributes plain."""
        if self.client is None:
            return {}
        from boto3.dynamodb.types import TypeDeserializer

        plain = TypeDeserializer()
        items = self.client.scan(TableName=self.TABLE)["Items"]
        return {item["id"]["S"]: {k: plain.deserialize(v) for k, v in item.items()} for item in items}

    @staticmethod
    def key(notification: str) -> str:
        """The record id Powertools gives a notification id (`webhook#` + md5 of its JSON)."""
        import hashlib

        from baton.ingestion.connectors.webhooks import IDEMPOTENCY_KEY_PREFIX

        digest = hashlib.md5(json.dumps(notification, sort_keys=True).encode()).hexdigest()
        return f"{IDEMPOTENCY_KEY_PREFIX}#{digest}"

    def stop(self) -> None:
        if self._mock is not None:
            self._mock.stop()


@pytest.fixture
def idempotency() -> Iterator[MotoIdempotency]:
    table = MotoIdempotency()
    yield table
    table.stop()


@pytest.fixture
def sample_event() -> Callable[[str], Any]:
    """`sample_event("helpdesk/intercom/v2_user_replied.json")`: a fresh copy of a file under events/."""

    def load(relative: str) -> Any:
        return json.loads((EVENTS / relative).read_text())

    return load
