"""The real adapters, built from `Settings` once per container (cached), for every handler.

Nothing here runs at import: boto3 is imported when the first dependency is built, so a cold start
pays for it only on the requests that need AWS (`/v1/health` never does). `baton local` points the
same builders at DynamoDB Local (`dynamodb_endpoint`) and the local bus (`local_bus_path`); the local bus
is a tool the Lambda layer does not ship, so `baton local` installs its publisher here
(`baton.local.bus.install_publisher`) rather than this module importing it.

    service = wiring.ingestion_service(Settings.from_env())
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from baton.errors import BatonError
from baton.models import Source
from baton.settings import Settings

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency import BasePersistenceLayer

    from baton.adapters.helpdesk import Transport
    from baton.decision.params import DecisionParams
    from baton.decision.service import DecisionConsumer
    from baton.feedback.service import FeedbackService
    from baton.ingestion.service import IngestionService
    from baton.insights.service import InsightsService
    from baton.insights.store import DynamoInsightsStore
    from baton.ports import ConversationStore, DeadLetterQueue, EventPublisher, SecretSource
    from baton.routing.service import Dispatcher, Router, RoutingConsumer
    from baton.routing.writeback import WritebackService
    from baton.scoring.backtest_chunk import ChunkScorer
    from baton.scoring.service import ScoringConsumer

# boto3's default session is not thread-safe, and `baton local` serves requests from threads.
_lock = threading.RLock()

_local_bus: Callable[[Settings], EventPublisher] | None = None
_local_helpdesk: Callable[[Settings], Transport] | None = None
_local_dead_letters: Callable[[Settings], DeadLetterQueue] | None = None


class NoLocalBus(BatonError):
    """`local_bus_path` is set in a process where no local bus publisher was installed."""


class NoLocalHelpdesk(BatonError):
    """`helpdesk_calls_path` is set in a process where no recording fake helpdesk was installed."""


def use_local_helpdesk(factory: Callable[[Settings], Transport] | None) -> None:
    """Install the transport that `Settings.helpdesk_calls_path` selects (None removes it): `baton local`'s
    recording fake helpdesk (`baton.local.helpdesk.install_recorder`), which writes down each request instead of
    sending it. Like the local bus, a tool the shipped package never imports."""
    global _local_helpdesk
    _local_helpdesk = factory
    reset()


def use_local_bus(factory: Callable[[Settings], EventPublisher] | None) -> None:
    """Install the publisher that `Settings.local_bus_path` selects (None removes it). `baton local` and the
    benches call this through `baton.local.bus.install_publisher`: the shipped package never imports the local
    runtime, which is a tool (`TOOL_MODULES` in layers/build.py)."""
    global _local_bus
    _local_bus = factory
    reset()


def use_local_dead_letters(factory: Callable[[Settings], DeadLetterQueue] | None) -> None:
    """Install the DLQ that `Settings.local_bus_path` selects (None removes it): the local bus's dead letters
    (`baton.local.bus.install_publisher` installs it with the publisher)."""
    global _local_dead_letters
    _local_dead_letters = factory
    reset()


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
                aws_access_key_id=LOCAL_CREDENTIALS["aws_access_key_id"],
                aws_secret_access_key=LOCAL_CREDENTIALS["aws_secret_access_key"],
            )
        return boto3.client("dynamodb", config=_boto_config())


@functools.cache
def events_client() -> Any:
    with _lock:
        import boto3

        return boto3.client("events", config=_boto_config())


@functools.cache
def sqs_client() -> Any:
    with _lock:
        import boto3

        return boto3.client("sqs", config=_boto_config())


@functools.cache
def dead_letter_queue(settings: Settings) -> DeadLetterQueue | None:
    """A consumer's own DLQ, for the records that can never succeed (`baton.consumer`): `dead_letter_queue_url`
    (SQS), or under `baton local` the local bus's dead letters; None when neither is set (such a record is then
    retried until the redrive moves it)."""
    if settings.local_bus_path:
        if _local_dead_letters is None:
            raise NoLocalBus(
                f"BATON_LOCAL_BUS_PATH is {settings.local_bus_path!r}, but no local bus is installed in this process: "
                "only `baton local` (or baton.local.bus.install_publisher()) provides one"
            )
        return _local_dead_letters(settings)
    if not settings.dead_letter_queue_url:
        return None
    from baton.adapters.sqs import SqsDeadLetterQueue

    return SqsDeadLetterQueue(settings.dead_letter_queue_url, client=sqs_client())


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
        if _local_bus is None:
            raise NoLocalBus(
                f"BATON_LOCAL_BUS_PATH is {settings.local_bus_path!r}, but no local bus publisher is installed in "
                "this process: only `baton local` (or baton.local.bus.install_publisher()) provides one"
            )
        return _local_bus(settings)
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
    no redeploy), else the shipped document (`<models_dir>/decision/params.json`). A document that does not
    validate raises InvalidParams naming the field: the message fails, and is retried, rather than being
    decided with parameters nobody chose."""
    from baton.decision.params import load_default

    name = settings.decision_params_name
    if not name:
        return functools.partial(load_default, settings.models_dir)
    return _parameters_document(name, settings.decision_params_max_age_s)


def decision_challenger_params(settings: Settings) -> Callable[[], DecisionParams] | None:
    """The shadow challenger's `DecisionParams`, read like the champion's from the SSM parameter
    `decision_challenger_params_name` (same cache age); None when no challenger is configured. A document that
    does not validate raises InvalidParams, which the decision logs and counts without failing the message
    (`baton.decision.service`)."""
    name = settings.decision_challenger_params_name
    if not name:
        return None
    return _parameters_document(name, settings.decision_params_max_age_s)


def _parameters_document(name: str, max_age_s: int) -> Callable[[], DecisionParams]:
    from aws_lambda_powertools.utilities import parameters

    from baton.decision.params import DecisionParams, InvalidParams

    parsed: dict[str, DecisionParams | str] = {}

    def current() -> DecisionParams:
        text = parameters.get_parameter(name, max_age=max_age_s)
        if text not in parsed:  # validate each new document once (a broken one too), not on every message
            parsed.clear()
            try:
                parsed[text] = DecisionParams.model_validate_json(text)
            except InvalidParams as exc:
                parsed[text] = str(exc)
        document = parsed[text]
        if isinstance(document, str):
            raise InvalidParams(document)
        return document

    return current


DECISION_DOCUMENTS = frozenset({"decision_params_name", "decision_challenger_params_name"})
"""Settings whose SSM parameter holds a decision parameters document."""


def parameter_value(setting: str, text: str) -> str:
    """What the stack writes into the SSM parameter behind `setting` (`extra["parameters"]` of a
    subscription, or the challenger), given its file's text: the value the function's readers above accept."""
    if setting in DECISION_DOCUMENTS:
        from baton.decision.params import deployable

        return deployable(text)
    return text


@functools.cache
def scoring_consumer(settings: Settings) -> ScoringConsumer:
    """The scoring capability's ordered consumer: the models (from the model layer, or BATON_MODELS_DIR), the
    arc store, the publisher, and the stored conversation every event is checked against."""
    from baton.scoring.loader import load_models, models_dir
    from baton.scoring.scorer import Scorer
    from baton.scoring.service import scoring_consumer as build
    from baton.scoring.store import DynamoArcStore

    arcs = DynamoArcStore(
        settings.conversations_table,
        client=dynamodb_client(settings.dynamodb_endpoint),
        ttl_days=settings.conversation_ttl_days,
    )
    scorer = Scorer(load_models(models_dir(settings.models_dir)))
    return build(scorer, arcs, publisher(settings), conversation_store(settings))


@functools.cache
def decision_consumer(settings: Settings) -> DecisionConsumer:
    from baton.decision.service import decision_consumer as build
    from baton.decision.store import DynamoDecisionStore

    decisions = DynamoDecisionStore(
        settings.conversations_table,
        client=dynamodb_client(settings.dynamodb_endpoint),
        ttl_days=settings.conversation_ttl_days,
    )
    return build(
        decision_params(settings),
        context_store(settings),
        decisions,
        publisher(settings),
        conversation_store(settings),
        challenger=decision_challenger_params(settings),
    )


@functools.cache
def idempotency_store(settings: Settings) -> BasePersistenceLayer:
    """Powertools idempotency's DynamoDB persistence layer on the idempotency table (`baton.tables.IDEMPOTENCY`:
    key `id`, TTL `expiration`, Powertools' defaults), through the same client as every store, so `baton local`
    keeps its records in DynamoDB Local. Imports the idempotency utility: call it on the webhook path only."""
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    from baton.tables import IDEMPOTENCY

    return DynamoDBPersistenceLayer(
        table_name=settings.idempotency_table,
        key_attr=IDEMPOTENCY.partition_key,
        expiry_attr=IDEMPOTENCY.ttl_attribute or "expiration",
        boto3_client=dynamodb_client(settings.dynamodb_endpoint),
    )


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
                ZENDESK_API_SECRET: settings.zendesk_api_secret_name,
                INTERCOM_API_SECRET: settings.intercom_api_secret_name,
            },
            max_age_s=settings.secrets_max_age_s,
        ),
        StaticSecretSource(
            {
                Source.zendesk.value: settings.zendesk_webhook_secret,
                Source.intercom.value: settings.intercom_webhook_secret,
                ZENDESK_API_SECRET: settings.zendesk_api_credentials,
                INTERCOM_API_SECRET: settings.intercom_api_credentials,
            }
        ),
    )


ZENDESK_API_SECRET = "zendesk_api"
INTERCOM_API_SECRET = "intercom_api"
"""The helpdesks' API credentials in `secrets` (`baton.adapters.helpdesk.ZENDESK_SECRET`, `INTERCOM_SECRET`), read
by the write-back alone (the only role granted their secrets)."""


@functools.cache
def helpdesk_transport(settings: Settings) -> Transport:
    """urllib to the real helpdesks; under `baton local` (`helpdesk_calls_path`), its recording fake."""
    if settings.helpdesk_calls_path:
        if _local_helpdesk is None:
            raise NoLocalHelpdesk(
                f"BATON_HELPDESK_CALLS_PATH is {settings.helpdesk_calls_path!r}, but no recording fake helpdesk is "
                "installed in this process: only `baton local` (or baton.local.helpdesk.install_recorder()) "
                "provides one"
            )
        return _local_helpdesk(settings)
    from baton.adapters.helpdesk import UrllibTransport

    return UrllibTransport()


WRITEBACK_SUBSCRIPTION = "helpdesk-writeback"
WRITEBACK_MARGIN_S = 5
"""What an event's helpdesk calls leave of the function's timeout (logging, the idempotency writes)."""


@functools.cache
def writeback_service(settings: Settings) -> WritebackService:
    """The helpdesk write-back: Zendesk and Intercom through `helpdesk_transport`, their credentials through
    `secrets`, once per escalation through the idempotency table; an event's calls fit the function's timeout
    (`baton.bus`: one event per invocation)."""
    from baton.adapters.helpdesk import HelpdeskHttp, IntercomDesk, ZendeskDesk
    from baton.bus import by_name
    from baton.routing.writeback import WritebackService

    http = HelpdeskHttp(helpdesk_transport(settings))
    timeout_s = by_name(WRITEBACK_SUBSCRIPTION).timeout_s
    return WritebackService(
        {
            "zendesk": ZendeskDesk(secrets(settings), http, subdomain=settings.zendesk_subdomain),
            "intercom": IntercomDesk(
                secrets(settings),
                http,
                base_url=settings.intercom_api_url,
                version=settings.intercom_api_version,
            ),
        },
        idempotency_store(settings),
        budget_s=max(1, timeout_s - WRITEBACK_MARGIN_S),
        lock_ms=timeout_s * 1000,
    )


@functools.cache
def router(settings: Settings) -> Router:
    from baton.routing.directory import DynamoAgentDirectory
    from baton.routing.service import Router

    return Router(
        DynamoAgentDirectory(settings.routing_table, client=dynamodb_client(settings.dynamodb_endpoint))
    )


@functools.cache
def routing_consumer(settings: Settings) -> RoutingConsumer:
    from baton.routing.packet import build_packet
    from baton.routing.service import routing_consumer as build
    from baton.routing.store import DynamoRoutingStore

    store = DynamoRoutingStore(
        settings.conversations_table,
        client=dynamodb_client(settings.dynamodb_endpoint),
        ttl_days=settings.conversation_ttl_days,
    )
    return build(
        router(settings),
        store,
        publisher(settings),
        conversation_store(settings),
        context_store(settings),
        lambda conversation, escalation, context, now: build_packet(
            conversation, escalation, context, now=now
        ),
        conversation_store(settings),
    )


@functools.cache
def bot_state(settings: Settings) -> Any:
    """`GET /v1/conversations/{id}/bot` in one GetItem: the routing item's bot state (None: never escalated)."""
    from baton.ingestion.api import BotView
    from baton.routing.store import DynamoRoutingStore

    store = DynamoRoutingStore(
        settings.conversations_table,
        client=dynamodb_client(settings.dynamodb_endpoint),
        ttl_days=settings.conversation_ttl_days,
    )

    def read(conversation_id: str) -> BotView | None:
        stored = store.load(conversation_id)
        return BotView.model_validate(stored.state.bot.model_dump()) if stored is not None else None

    return read


@functools.cache
def feedback_service(settings: Settings) -> FeedbackService:
    from baton.feedback.contacts import DynamoContactIndex
    from baton.feedback.service import DynamoFeedbackStore, FeedbackService

    client = dynamodb_client(settings.dynamodb_endpoint)
    table, ttl_days = settings.conversations_table, settings.conversation_ttl_days
    store = DynamoFeedbackStore(table, client=client, ttl_days=ttl_days)
    contacts = DynamoContactIndex(table, client=client, ttl_days=ttl_days)
    return FeedbackService(store, publisher(settings), contacts=contacts)


@functools.cache
def insights_store(settings: Settings) -> DynamoInsightsStore:
    """The conversation summaries and KPI buckets (`baton.insights.store`): the insights consumer writes them,
    `GET /v1/conversations`, `GET /v1/kpis` and `baton kpis` read them."""
    from baton.insights.store import DynamoInsightsStore

    return DynamoInsightsStore(
        settings.conversations_table,
        client=dynamodb_client(settings.dynamodb_endpoint),
        ttl_days=settings.conversation_ttl_days,
    )


@functools.cache
def insights_service(settings: Settings) -> InsightsService:
    from baton.insights.service import InsightsService

    return InsightsService(insights_store(settings), context_store(settings))


@functools.cache
def dispatcher(settings: Settings) -> Dispatcher:
    from baton.routing.service import Dispatcher

    return Dispatcher(router(settings), routing_consumer(settings), publisher(settings))


@functools.cache
def backtest_chunks(settings: Settings) -> ChunkScorer:
    """The deployed backtest's chunk scorer (`functions/backtest_chunk`): S3, the models of the model layer (or
    BATON_MODELS_DIR), and the shipped decision parameters unless a run brings its own."""
    from baton.adapters.objects import S3ObjectStore
    from baton.decision.params import load_default
    from baton.scoring.backtest_chunk import ChunkScorer
    from baton.scoring.loader import load_models, models_dir
    from baton.scoring.scorer import Scorer

    with _lock:
        import boto3

        client = boto3.client("s3", config=_boto_config())
    scorer = Scorer(load_models(models_dir(settings.models_dir)))
    return ChunkScorer(S3ObjectStore(client), scorer, functools.partial(load_default, settings.models_dir))


def reset() -> None:
    """Forget every built dependency (tests, and `baton local` after a settings change)."""
    for builder in (
        backtest_chunks,
        dynamodb_client,
        events_client,
        conversation_store,
        publisher,
        ingestion_service,
        context_store,
        scoring_consumer,
        decision_consumer,
        routing_consumer,
        router,
        dispatcher,
        feedback_service,
        insights_store,
        insights_service,
        idempotency_store,
        secrets,
        helpdesk_transport,
        writeback_service,
        sqs_client,
        dead_letter_queue,
    ):
        builder.cache_clear()
