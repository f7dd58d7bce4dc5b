"""`baton.wiring` and the secret sources: which adapter each setting selects (no AWS call is made)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from baton import wiring
from baton.adapters.eventbridge import EventBridgePublisher
from baton.adapters.secrets import LayeredSecretSource, SecretsManagerSource, StaticSecretSource
from baton.ingestion.store import DynamoConversationStore
from baton.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _fresh_wiring() -> Iterator[None]:
    wiring.reset()
    yield
    wiring.reset()


def test_local_secret_values_are_served_by_source_name() -> None:
    secrets = wiring.secrets(Settings(zendesk_webhook_secret="z-secret"))

    assert secrets.get("zendesk") == "z-secret"
    assert secrets.get("intercom") is None


def test_a_secret_name_reads_secrets_manager_with_the_configured_max_age() -> None:
    calls: list[tuple[str, int]] = []

    def fetch(name: str, max_age: int) -> str:
        calls.append((name, max_age))
        return "from-secrets-manager"

    source = LayeredSecretSource(
        SecretsManagerSource(
            {"intercom": "prod/intercom-webhook", "zendesk": None}, max_age_s=120, fetch=fetch
        ),
        StaticSecretSource({"intercom": "local-value", "zendesk": "local-zendesk"}),
    )

    assert source.get("intercom") == "from-secrets-manager"
    assert source.get("zendesk") == "local-zendesk"
    assert calls == [("prod/intercom-webhook", 120)]


def test_an_empty_secret_counts_as_not_configured() -> None:
    assert SecretsManagerSource({"intercom": "x"}, fetch=lambda *_: "").get("intercom") is None
    assert StaticSecretSource({"intercom": ""}).get("intercom") is None


def test_deployed_settings_select_dynamodb_and_eventbridge() -> None:
    settings = Settings(
        conversations_table="prod-conversations", event_bus_name="prod-bus", conversation_ttl_days=90
    )

    service = wiring.ingestion_service(settings)

    assert isinstance(service.store, DynamoConversationStore)
    assert (service.store.table_name, service.store.ttl.days) == ("prod-conversations", 90)
    assert service.store.client.meta.endpoint_url.startswith("https://dynamodb.")
    assert isinstance(service.publisher, EventBridgePublisher)
    assert service.publisher.bus_name == "prod-bus"


def test_a_dynamodb_endpoint_points_every_store_at_dynamodb_local() -> None:
    settings = Settings(dynamodb_endpoint="http://127.0.0.1:8123")

    store = wiring.conversation_store(settings)
    idempotency = wiring.idempotency_store(settings)

    assert store.client.meta.endpoint_url == idempotency.client.meta.endpoint_url == "http://127.0.0.1:8123"
    assert store.client.meta.region_name == wiring.LOCAL_REGION


def test_the_webhooks_idempotency_records_go_to_the_idempotency_table() -> None:
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    from baton.tables import IDEMPOTENCY

    layer = wiring.idempotency_store(Settings(idempotency_table="prod-idempotency"))

    assert isinstance(layer, DynamoDBPersistenceLayer)
    assert (layer.table_name, layer.key_attr, layer.expiry_attr) == (
        "prod-idempotency",
        IDEMPOTENCY.partition_key,
        IDEMPOTENCY.ttl_attribute,
    )
    assert layer.client is wiring.dynamodb_client(None)


def test_a_local_bus_path_selects_the_local_bus_baton_local_installs(tmp_path: Path) -> None:
    from baton.local.bus import LocalBusPublisher, install_publisher

    settings = Settings(local_bus_path=str(tmp_path / "bus.sqlite3"), event_bus_name="dev")
    install_publisher()
    try:
        publisher = wiring.publisher(settings)
    finally:
        wiring.use_local_bus(None)

    assert isinstance(publisher, LocalBusPublisher)
    assert publisher.event_bus_name == "dev"


def test_a_local_bus_path_without_the_local_runtime_says_so(tmp_path: Path) -> None:
    # The Lambda layer does not ship baton.local: wiring never imports it, whatever the settings say.
    with pytest.raises(wiring.NoLocalBus, match="BATON_LOCAL_BUS_PATH"):
        wiring.publisher(Settings(local_bus_path=str(tmp_path / "bus.sqlite3")))


def test_dependencies_are_built_once_per_settings() -> None:
    settings = Settings()

    assert wiring.ingestion_service(settings) is wiring.ingestion_service(Settings())
    assert wiring.ingestion_service(settings) is not wiring.ingestion_service(
        Settings(event_bus_name="other")
    )


def test_importing_the_ingest_handler_does_not_import_boto3() -> None:
    # Cold start: boto3 is paid for by the first request that needs AWS, not by every container.
    code = "import sys, functions.ingest_api.handler; print('boto3' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_only_a_webhook_imports_the_idempotency_utility() -> None:
    # The message routes build the API's dependencies; only a webhook delivery builds the persistence layer.
    code = (
        "import sys\n"
        "from functions.ingest_api import handler\n"
        "deps = handler.get_deps()\n"
        "print('aws_lambda_powertools.utilities.idempotency' in sys.modules)\n"
        "deps.idempotency()\n"
        "print('aws_lambda_powertools.utilities.idempotency' in sys.modules)\n"
    )
    env = {"AWS_DEFAULT_REGION": "eu-west-1", "AWS_EC2_METADATA_DISABLED": "true", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True, env=env
    )
    assert result.stdout.split() == ["False", "True"]


def test_the_shadow_challenger_is_wired_only_when_its_parameter_is_named() -> None:
    from baton.decision.params import default_path, deployable

    assert wiring.decision_challenger_params(Settings()) is None
    assert wiring.decision_consumer(Settings()).logic.challenger is None
    named = Settings(decision_challenger_params_name="/baton/dev/decide/decision_challenger_params_name")
    assert callable(wiring.decision_consumer(named).logic.challenger)
    # The stack writes the challenger's document as it writes the champion's: validated, compact, no fit block.
    text = default_path().read_text()
    assert wiring.parameter_value("decision_challenger_params_name", text) == deployable(text)
