"""The real adapters, built from `Settings` once per container (cached), for every handler.

Nothing here runs at import: boto3 is imported when the first dependency is built, so a cold start
pays for it only on the requests that need AWS (`/v1/health` never does). `baton local` points the
same builders at DynamoDB Local (`dynamodb_endpoint`) and the local bus (`local_bus_path`).

    service = wiring.ingestion_service(Settings.from_env())
"""

from __future__ import annotations

import functools
import threading
from typing import TYPE_CHECKING, Any

from baton.models import Source
from baton.settings import Settings

if TYPE_CHECKING:
    from baton.ingestion.service import IngestionService
    from baton.ports import ConversationStore, EventPublisher, SecretSource, SeenStore

# boto3's default session is not thread-safe, and `baton local` serves requests from threads.
_lock = threading.RLock()

# DynamoDB Local (without -sharedDb) keeps one database per access key and region: every local
# client uses the same pair as `baton.local.dynamodb_local.DynamoDBLocal.client`.
LOCAL_REGION = "us-east-1"
LOCAL_CREDENTIALS = {"aws_access_key_id": "local", "aws_secret_access_key": "local"}


def _boto_config() -> Any:
    from botocore.config import Config

    # Fail fast rather than hold an API request for botocore's 60 s default; standard retries
    # back off on throttling.
    return Config(connect_timeout=2, read_timeout=5, retries={"mode": "standard", "max_attempts": 3})


@functools.cache
def dynamodb_client(endpoint_url: str | None = None) -> Any:
    with _lock:
        import boto3

        if endpoint_url:
            return boto3.client(
                "dynamodb",
                endpoint_url=endpoint_url,
                region_name=LOCAL_REGION,
                config=_boto_config(),
                **LOCAL_CREDENTIALS,
            )
        return boto3.client("dynamodb", config=_boto_config())


@functools.cache
def events_client() -> Any:
    with _lock:
        import boto3

        return boto3.client("events", config=_boto_config())


@functools.cache
def conversation_store(settings: Settings) -> ConversationStore:
    from baton.ingestion.store import DynamoConversationStore

    return DynamoConversationStore(
        settings.conversations_table,
        client=dynamodb_client(settings.dynamodb_endpoint),
        ttl_days=settings.conversation_ttl_days,
    )


@functools.cache
def publisher(settings: Settings) -> EventPublisher:
    if settings.local_bus_path:
        from baton.local.bus import LocalBusPublisher

        return LocalBusPublisher(settings.local_bus_path, event_bus_name=settings.event_bus_name)
    from baton.adapters.eventbridge import EventBridgePublisher

    return EventBridgePublisher(settings.event_bus_name, client=events_client())


@functools.cache
def ingestion_service(settings: Settings) -> IngestionService:
    from baton.ingestion.service import IngestionService

    return IngestionService(store=conversation_store(settings), publisher=publisher(settings))


@functools.cache
def context_store(settings: Settings) -> Any:
    """`baton.context.store.DynamoContextStore` on the context table (one per container: it caches
    the active incidents)."""
    from baton.context.store import DynamoContextStore

    return DynamoContextStore(settings.context_table, client=dynamodb_client(settings.dynamodb_endpoint))


def decision_params(settings: Settings) -> Any:
    """A function returning the current `DecisionParams`: the SSM parameter `decision_params_name` through
    Powertools parameters (cached `decision_params_max_age_s`, so a team's new document applies within it,
    no redeploy), else the shipped document. A document that does not validate raises InvalidParams naming
    the field: the message fails, and is retried, rather than being decided with parameters nobody chose."""
    from baton.decision.params import DecisionParams, load_default

    name = settings.decision_params_name
    if not name:
        return load_default
    from aws_lambda_powertools.utilities import parameters

    parsed: dict[str, DecisionParams] = {}

    def current() -> DecisionParams:
        text = parameters.get_parameter(name, max_age=settings.decision_params_max_age_s)
        if text not in parsed:  # validate each new document once, not on every message
            parsed.clear()
            parsed[text] = DecisionParams.model_validate_json(text)
        return parsed[text]

    return current


def parameter_value(setting: str, text: str) -> str:
    """What the stack writes into the SSM parameter behind `setting` (`extra["parameters"]` of a
    subscription), given its repo file's text: the value the function's reader above accepts."""
    if setting == "decision_params_name":
        from baton.decision.params import deployable

        return deployable(text)
    return text


@functools.cache
def decision_service(settings: Settings) -> Any:
    from baton.decision.engine import DecisionState
    from baton.decision.service import DecisionService
    from baton.decision.store import DynamoDecisionStore

    decisions = DynamoDecisionStore(
        settings.conversations_table,
        DecisionState,
        client=dynamodb_client(settings.dynamodb_endpoint),
        ttl_days=settings.conversation_ttl_days,
    )
    return DecisionService(decision_params(settings), context_store(settings), decisions, publisher(settings))


@functools.cache
def seen_store(settings: Settings) -> SeenStore:
    from baton.ingestion.store import DynamoSeenStore

    return DynamoSeenStore(settings.conversations_table, client=dynamodb_client(settings.dynamodb_endpoint))


@functools.cache
def secrets(settings: Settings) -> SecretSource:
    """Webhook secrets by source name (`zendesk`, `intercom`): Secrets Manager when a secret name is
    configured, else the value from settings (local runs), else None (the webhook answers 401)."""
    from baton.adapters.secrets import LayeredSecretSource, SecretsManagerSource, StaticSecretSource

    return LayeredSecretSource(
        SecretsManagerSource(
            {
                Source.zendesk.value: settings.zendesk_secret_name,
                Source.intercom.value: settings.intercom_secret_name,
            },
            max_age_s=settings.secrets_max_age_s,
        ),
        StaticSecretSource(
            {
                Source.zendesk.value: settings.zendesk_webhook_secret,
                Source.intercom.value: settings.intercom_webhook_secret,
            }
        ),
    )


def reset() -> None:
    """Forget every built dependency (tests, and `baton local` after a settings change)."""
    for builder in (
        dynamodb_client,
        events_client,
        conversation_store,
        publisher,
        ingestion_service,
        seen_store,
        secrets,
    ):
        builder.cache_clear()
