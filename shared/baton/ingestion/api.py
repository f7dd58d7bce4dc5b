"""The ingestion HTTP API: routes, request limits and the error contract.

`create_app(get_deps)` returns a Powertools `APIGatewayHttpResolver` (validation on); the Lambda
handler (`functions/ingest_api/handler.py`) and `baton local` serve the same app, created by the first
request that needs it (`baton.ingestion.entry.LazyApi`: this module is not imported at INIT). Dependencies
are fetched per request through `get_deps()`, so `/v1/health` and `/v1/openapi.json` never build one.

Error contract: bad input is always a 4xx whose body is `baton.models.ErrorBody`, with
`errors[0].field` the dotted path of the offending field (`customer.id`,
`page.recent_actions.0.at`, `body` for a missing / non-JSON / non-object body, `content-type`,
`conversation_id`). Status codes: 400 malformed JSON or webhook payload, 401 bad webhook signature,
404 unknown conversation or route, 405 wrong method, 409 message id reused with another body,
413 body too large, 415 not JSON, 422 well-formed JSON that breaks the contract (also a conversation or
message id made only of dots, and a write into a helpdesk's id space, `zendesk:...` or `intercom:...`, whose
conversations arrive through the webhooks: the id rule holds for every client, so it is the contract's 422, not
an authorisation's 403). A webhook
notification that a concurrent delivery is processing is 503 with `Retry-After` (see
`_register_error_handlers`). Any other 5xx means a genuine server fault (e.g. DynamoDB unavailable)
and is logged with its traceback.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from http import HTTPStatus
from typing import TYPE_CHECKING, Annotated, Any, Literal, cast

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.middlewares.openapi_validation import (
    OpenAPIRequestValidationMiddleware,
)
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.metrics import MetricUnit, single_metric
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, WithJsonSchema

from baton import __version__
from baton.errors import (
    CustomerRequired,
    InvalidSignature,
    MessageConflict,
    NotFound,
    NotificationInProgress,
    NotWithAnAgent,
    PayloadError,
    PublishInProgress,
)
from baton.ingestion.entry import HEALTH_PATH, METRICS_NAMESPACE, SERVICE, health_body, logger, metrics
from baton.models import (
    MAX_BODY_BYTES,
    MAX_ID_CHARS,
    PATH_SAFE_ID_PATTERN,
    Conversation,
    ConversationStatus,
    ErrorBody,
    FieldError,
    Id,
    MessageAccepted,
    MessageIn,
    PathSafeId,
    Source,
    UtcDatetime,
    utcnow,
)

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
    from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
    from aws_lambda_powertools.utilities.data_classes.common import BaseProxyEvent
    from aws_lambda_powertools.utilities.idempotency import BasePersistenceLayer

    from baton.ingestion.service import IngestionService
    from baton.ports import SecretSource
    from baton.settings import Settings

# Helpdesk payloads carry whole conversations (Intercom sends every part): larger than an API message,
# but still bounded. They are authenticated before anything is parsed.
MAX_WEBHOOK_BYTES = 1024 * 1024
WEBHOOK_RETRY_AFTER_S = 10
PUBLISH_RETRY_AFTER_S = 2
"""`Retry-After` of a notification being processed by a concurrent delivery: the ingest API's timeout, after
which that delivery has answered or its in-progress lock has expired. Under 60 s: Zendesk only retries a 503
whose Retry-After is shorter."""
BEARER_SCHEME = "bearerAuth"
_BEARER: list[dict[str, list[str]]] = [{BEARER_SCHEME: []}]
_MAX_REPORTED_ERRORS = 20

OPENAPI_PATH = "/v1/openapi.json"
MESSAGES_PATH = "/v1/conversations/{conversation_id}/messages"
CONVERSATION_PATH = "/v1/conversations/{conversation_id}"
HANDBACK_PATH = "/v1/conversations/{conversation_id}/handback"
BOT_PATH = "/v1/conversations/{conversation_id}/bot"
OUTCOME_PATH = "/v1/conversations/{conversation_id}/outcome"
CONVERSATIONS_PATH = "/v1/conversations"
KPIS_PATH = "/v1/kpis"
WEBHOOK_PATHS = {Source.zendesk: "/v1/webhooks/zendesk", Source.intercom: "/v1/webhooks/intercom"}

ROUTES: tuple[tuple[str, str], ...] = (
    ("POST", MESSAGES_PATH),
    ("GET", CONVERSATION_PATH),
    ("POST", HANDBACK_PATH),
    ("GET", BOT_PATH),
    ("POST", OUTCOME_PATH),
    ("GET", CONVERSATIONS_PATH),
    ("GET", KPIS_PATH),
    ("GET", HEALTH_PATH),
    ("GET", OPENAPI_PATH),
    *(("POST", path) for path in WEBHOOK_PATHS.values()),
)
"""Every route as (method, path), paths in API Gateway syntax (`{conversation_id}`)."""

PUBLIC_ROUTES: frozenset[tuple[str, str]] = frozenset(
    {("GET", HEALTH_PATH), ("GET", OPENAPI_PATH), *(("POST", path) for path in WEBHOOK_PATHS.values())}
)
"""Routes that need no bearer token (webhooks authenticate by signature). Read by the CDK stack
(no authorizer on these) and by `baton local` (no token check)."""

SIGNATURE_HEADERS = {Source.zendesk: "x-zendesk-webhook-signature", Source.intercom: "x-hub-signature"}


@dataclass(frozen=True)
class ApiDeps:
    service: IngestionService
    secrets: SecretSource
    idempotency: Callable[[], BasePersistenceLayer]
    """The webhooks' Powertools persistence layer (the idempotency table), built on the first webhook: the
    other routes never import the idempotency utility."""
    settings: Settings
    bot_state: Callable[[str], BotView | None] | None = None
    """The bot's state of a conversation in one read (deployed: one GetItem of the routing item); None reads
    it from the conversation."""
    insights: Callable[[], Any] | None = None
    """The conversation summaries and KPI buckets (`baton.insights.store`), built by the first request that reads
    them (`GET /v1/conversations`, `GET /v1/kpis`); None answers those routes 404."""


class BotView(BaseModel):
    """`GET /v1/conversations/{id}/bot`: whether the bot may answer. A chat frontend calls it before each bot
    answer; while `paused`, an agent has (or is about to take) the conversation."""

    paused: bool = False
    since: UtcDatetime | None = None
    reason: str | None = None


class HandBack(BaseModel):
    """`POST /v1/conversations/{id}/handback`."""

    model_config = ConfigDict(extra="forbid")

    agent_id: Id | None = Field(default=None, description="Who hands back (default: the assigned agent)")
    reason: Annotated[str, StringConstraints(max_length=500)] | None = None


class OutcomeIn(BaseModel):
    """`POST /v1/conversations/{id}/outcome`: how the conversation ended, as the chat frontend knows it."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["resolved", "closed", "reopened", "rated"]
    resolved_by: Literal["bot", "agent", "unknown"] = "unknown"
    csat: Annotated[int, Field(ge=1, le=5)] | None = None
    at: UtcDatetime | None = Field(
        default=None, description="When it happened (default: now); the idempotency key"
    )


class OutcomeAccepted(BaseModel):
    conversation_id: str
    event_id: str


class HandedBackAccepted(BaseModel):
    conversation_id: str
    event_id: str


class Health(BaseModel):
    status: Literal["ok"] = "ok"
    version: str


class WebhookAccepted(BaseModel):
    """What a helpdesk gets back: enough to debug a delivery from its logs."""

    source: Source
    topic: str | None = None
    messages: int = 0
    outcomes: int = 0
    redactions: int = 0
    duplicate: bool = False
    ignored: str | None = None


class ApiError(Exception):
    """A 4xx answer decided before or outside pydantic validation."""

    def __init__(self, status: HTTPStatus, error: str, field: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.error = error
        self.field = field
        self.message = message


HELPDESK_SOURCES = tuple(source for source in Source if source is not Source.api)


def _not_a_helpdesk_id(conversation_id: str) -> str:
    """API clients write only in their own id space: a `zendesk:` or `intercom:` conversation is the helpdesk's
    (its webhooks and connectors store its messages and outcomes, and the write-back updates its ticket), and a
    chat frontend posting there would mix its messages into a helpdesk ticket's conversation. Reading is allowed.
    The prefix is matched as the connectors write it (lower case): `Zendesk:1` is no helpdesk's id."""
    for source in HELPDESK_SOURCES:
        if conversation_id.startswith(f"{source.value}:"):
            raise ValueError(
                f"`{source.value}:` ids are {source.value.capitalize()} conversations: they arrive through the "
                f"{source.value.capitalize()} webhook (or events connector), not from API clients; use an id of "
                "your own (reading this conversation is allowed)"
            )
    return conversation_id


_HELPDESK_PREFIXES = "|".join(source.value for source in HELPDESK_SOURCES)
ConversationIdParam = Annotated[
    PathSafeId,
    Path(
        description="Conversation id: `[A-Za-z0-9._:-]{1,128}`, not only dots; helpdesk ones are "
        "`<source>:<id>` (`zendesk:35436`)",
    ),
]
"""The conversation of a route that reads it, or acts on one Baton holds (the hand-back)."""
WritableConversationIdParam = Annotated[
    PathSafeId,
    AfterValidator(_not_a_helpdesk_id),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": PATH_SAFE_ID_PATTERN,
            "maxLength": MAX_ID_CHARS,
            "not": {"pattern": f"^({_HELPDESK_PREFIXES}):"},
        }
    ),
    Path(
        description="Conversation id: `[A-Za-z0-9._:-]{1,128}`, not only dots, and not a helpdesk's "
        f"({', '.join(f'`{s.value}:...`' for s in HELPDESK_SOURCES)}: those arrive through their webhooks; 422)",
    ),
]
"""The conversation of a route that writes into it (a message, an outcome): an API client's own ids only."""
MessageBody = Annotated[MessageIn, Body(description="One message of the conversation")]
DEFAULT_KPI_DAYS = 28
MAX_KPI_DAYS = 366
STATUS_VALUES = ", ".join(status.value for status in ConversationStatus)
INSIGHTS_MODELS = ("ConversationPage", "Kpis")
"""The answers of `GET /v1/conversations` and `GET /v1/kpis` (`baton.insights.models`). Their routes serialise
them and name them in the OpenAPI document by reference (`openapi_json` adds their schemas): building those
pydantic models costs tens of milliseconds, which the first request of every other route must not pay."""


def _insights_doc(model: str, description: str) -> OpenAPIResponse:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{model}"}}},
    }


def _error_response(status: HTTPStatus, error: str, message: str, errors: list[FieldError]) -> Response:
    body = ErrorBody(error=error, message=message, errors=errors)
    return Response(
        status_code=int(status),
        content_type=content_types.APPLICATION_JSON,
        body=body.model_dump(mode="json"),
    )


def _in_progress(message: str, field: str, why: str, retry_after_s: int) -> Response:
    """503 `in_progress` with `Retry-After`: another request is doing this work; the retry gets its result."""
    response = _error_response(
        HTTPStatus.SERVICE_UNAVAILABLE, "in_progress", message, [FieldError(field=field, message=why)]
    )
    response.headers["Retry-After"] = str(retry_after_s)
    return response


def _error_doc(description: str) -> OpenAPIResponse:
    return {"description": description, "content": {"application/json": {"model": ErrorBody}}}


# ----------------------------------------------------------------------------- request body checks


def _strict_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number {text[:32]} is out of range")
    return value


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def strict_json_loads(text: str | bytes) -> Any:
    """JSON as RFC 8259 has it: no NaN / Infinity, no number that overflows a float, and no lone
    surrogate escape (`"\\ud800"`), which no UTF-8 store or JSON encoder downstream could write."""
    value = json.loads(text, parse_constant=_reject_constant, parse_float=_strict_float)
    pending = [value]
    while pending:
        node = pending.pop()
        if isinstance(node, str):
            _check_unicode(node)
        elif isinstance(node, dict):
            for key, item in node.items():
                _check_unicode(key)
                pending.append(item)
        elif isinstance(node, list):
            pending.extend(node)
    return value


def _check_unicode(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("a string contains a lone surrogate escape (\\ud800-\\udfff)") from None


def _header(event: BaseProxyEvent, name: str) -> str | None:
    for key, value in (event.headers or {}).items():
        if key.lower() == name:
            return value
    return None


def raw_body(event: BaseProxyEvent, limit: int) -> bytes:
    """The body exactly as the client sent it, size-checked before anything decodes or parses it."""
    body = event.get("body")
    if not body:
        return b""
    if not isinstance(body, str):
        raise ApiError(
            HTTPStatus.BAD_REQUEST, "malformed_body", "body", "the request body is not text or base64"
        )
    if event.get("isBase64Encoded"):
        # 4 base64 characters carry 3 bytes: reject an obviously oversized body before decoding it.
        if len(body) > (limit // 3 + 1) * 4 + 4:
            raise _too_large(limit)
        try:
            data = base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError) as error:
            raise ApiError(
                HTTPStatus.BAD_REQUEST, "malformed_body", "body", "the body is not valid base64"
            ) from error
    else:
        if len(body) > limit:  # a character is at least one byte
            raise _too_large(limit)
        try:
            data = body.encode("utf-8")
        except UnicodeEncodeError as error:
            raise ApiError(
                HTTPStatus.BAD_REQUEST, "malformed_body", "body", "the body is not valid UTF-8"
            ) from error
    if len(data) > limit:
        raise _too_large(limit)
    return data


def _too_large(limit: int) -> ApiError:
    return ApiError(
        HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
        "payload_too_large",
        "body",
        f"the body is larger than {limit} bytes",
    )


def check_json_request(event: BaseProxyEvent) -> None:
    """Everything about a JSON body that must hold before pydantic sees it."""
    data = raw_body(event, MAX_BODY_BYTES)
    content_type = (_header(event, "content-type") or "").strip()
    media_type = content_type.split(";", 1)[0].strip().lower()
    if data and content_type and media_type != "application/json":
        raise ApiError(
            HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "content-type",
            f"the body must be application/json, not {content_type[:100]}",
        )
    if not data.strip():
        raise ApiError(
            HTTPStatus.UNPROCESSABLE_ENTITY, "validation_error", "body", "a JSON object body is required"
        )
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ApiError(
            HTTPStatus.BAD_REQUEST, "malformed_json", "body", "the body is not valid UTF-8"
        ) from error
    try:
        parsed = event.json_body  # parsed once, with strict_json_loads; the validator reuses it
    except (ValueError, RecursionError) as error:
        detail = str(error) if isinstance(error, ValueError) else "nested too deeply"
        raise ApiError(
            HTTPStatus.BAD_REQUEST, "malformed_json", "body", f"the body is not valid JSON: {detail[:200]}"
        ) from None
    if not isinstance(parsed, dict):
        kind = "null" if parsed is None else type(parsed).__name__
        raise ApiError(
            HTTPStatus.UNPROCESSABLE_ENTITY,
            "validation_error",
            "body",
            f"the body must be a JSON object, not {kind}",
        )


class _GuardedRequestValidation(OpenAPIRequestValidationMiddleware):
    """Powertools' request validation, preceded by the checks that must run before any parsing
    (size, content type, JSON syntax): they would otherwise surface as misleading field errors."""

    def handler(self, app: APIGatewayHttpResolver, next_middleware: NextMiddleware) -> Response:  # type: ignore[override]
        route = app.context.get("_route")
        if route is not None and route.dependant.body_params:
            check_json_request(app.current_event)
        return super().handler(app, next_middleware)

    def _get_body(self, app: APIGatewayHttpResolver) -> Any:  # type: ignore[override]
        # check_json_request accepted the media type (case-insensitively, as RFC 9110 says) and parsed
        # the body: never fall back to form or multipart parsing.
        return app.current_event.json_body


def field_path(loc: tuple[Any, ...] | list[Any], error_type: str, body: Any) -> str:
    """The dotted path a client understands, from a pydantic/Powertools error location.

    Locations carry pydantic's internals after the real path (union member names such as `int` or
    `constrained-str`, `[key]` for dict keys): the path is followed through the submitted body and
    stops where the body does, keeping the name of a missing field.
    """
    if not loc:
        return "body"
    head, rest = loc[0], list(loc[1:])
    if head in ("path", "query", "header", "cookie"):
        return str(rest[0]) if rest else str(head)
    if head != "body":
        rest = list(loc)
    parts: list[str] = []
    node = body
    for segment in rest:
        in_object = isinstance(node, dict) and isinstance(segment, str) and segment in node
        in_array = isinstance(node, list) and isinstance(segment, int) and 0 <= segment < len(node)
        if in_object or in_array:
            node = node[segment]
        else:
            if error_type == "missing" and isinstance(node, dict):
                parts.append(str(segment))
            break
        parts.append(str(segment))
    return ".".join(parts) or "body"


# ----------------------------------------------------------------------------- the app


def create_app(get_deps: Callable[[], ApiDeps]) -> APIGatewayHttpResolver:
    app = APIGatewayHttpResolver(
        enable_validation=True,
        # A response that breaks its own model is our bug: answer 500, never a misleading 422.
        response_validation_error_http_code=HTTPStatus.INTERNAL_SERVER_ERROR,
        json_body_deserializer=strict_json_loads,
    )
    # Powertools runs its request validation before any user middleware, so the raw-body checks
    # take its place (the resolver's own attribute; tests/unit/test_api.py fails if that changes).
    app._request_validation_middleware = _GuardedRequestValidation()
    _register_error_handlers(app)
    openapi_doc: list[str] = []

    @app.get(
        HEALTH_PATH,
        summary="Readiness",
        description="Answers without touching any dependency.",
        tags=["operations"],
        operation_id="getHealth",
    )
    def health() -> Health:
        return Health.model_validate(health_body())  # what `baton.ingestion.entry` answers on a cold start

    @app.get(OPENAPI_PATH, include_in_schema=False)
    def openapi() -> Response[str]:
        if not openapi_doc:
            openapi_doc.append(openapi_json(app))
        return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=openapi_doc[0])

    @app.post(
        MESSAGES_PATH.replace("{conversation_id}", "<conversation_id>"),
        status_code=202,
        summary="Post a message",
        description=(
            "Stores the message once, at the next position of its conversation (created on its first "
            "message), then publishes `MessageReceived`. `message_id` is the idempotency key: the same "
            "message again gets the same answer and is processed once; the same id with another body is 409."
        ),
        response_description="Accepted",
        tags=["conversations"],
        operation_id="postMessage",
        security=_BEARER,
        responses={
            202: {
                "description": "Accepted (also the answer to a repeat of the same message)",
                "content": {"application/json": {"model": MessageAccepted}},
            },
            400: _error_doc("The body is not valid JSON"),
            401: _error_doc("Missing or invalid bearer token"),
            409: _error_doc("The message id is already used in this conversation by another message"),
            413: _error_doc(f"The body is larger than {MAX_BODY_BYTES} bytes"),
            415: _error_doc("The body is not application/json"),
            422: _error_doc(
                "The message breaks the contract (`errors[].field` names the offending fields); also a helpdesk's "
                "conversation id, and a bot's or agent's message without `customer` in a conversation that has none"
            ),
        },
    )
    def post_message(conversation_id: WritableConversationIdParam, message: MessageBody) -> MessageAccepted:
        # A bot's or agent's message without `customer` where there is none to take: CustomerRequired, a 422.
        ingested = get_deps().service.receive(conversation_id, message)
        if ingested.duplicate:
            metrics.add_metric(name="DuplicateMessages", unit=MetricUnit.Count, value=1)
        else:
            metrics.add_metric(name="MessagesAccepted", unit=MetricUnit.Count, value=1)
        logger.info(
            "message accepted",
            extra={
                "conversation_id": conversation_id,
                "message_id": message.message_id,
                "seq": ingested.message.seq,
                "duplicate": ingested.duplicate,
            },
        )
        return MessageAccepted(conversation_id=conversation_id, message_id=message.message_id)

    @app.get(
        CONVERSATION_PATH.replace("{conversation_id}", "<conversation_id>"),
        summary="Read a conversation",
        description="The conversation with its messages in arrival order (`seq`).",
        tags=["conversations"],
        operation_id="getConversation",
        security=_BEARER,
        responses={
            200: {
                "description": "The conversation, messages in `seq` order",
                "content": {"application/json": {"model": Conversation}},
            },
            401: _error_doc("Missing or invalid bearer token"),
            404: _error_doc("No conversation has this id"),
            422: _error_doc("The conversation id is not a valid id"),
        },
    )
    def get_conversation(conversation_id: ConversationIdParam) -> Conversation:
        conversation = get_deps().service.conversation(conversation_id)
        if conversation is None:
            raise ApiError(
                HTTPStatus.NOT_FOUND, "not_found", "conversation_id", "no conversation has this id"
            )
        return conversation

    @app.post(
        HANDBACK_PATH.replace("{conversation_id}", "<conversation_id>"),
        status_code=202,
        summary="Hand a conversation back to the bot",
        description="The agent is done: the bot answers again, the agent's capacity frees up, and Baton escalates "
        "again only on a new trigger.",
        tags=["conversations"],
        operation_id="handBack",
        security=_BEARER,
        responses={
            202: {
                "description": "Handed back",
                "content": {"application/json": {"model": HandedBackAccepted}},
            },
            # What check_json_request answers for every JSON body (found by tests/integration/test_schemathesis.py).
            400: _error_doc("The body is not valid JSON"),
            413: _error_doc(f"The body is larger than {MAX_BODY_BYTES} bytes"),
            415: _error_doc("The body is not application/json"),
            401: _error_doc("Missing or invalid bearer token"),
            404: _error_doc("No conversation has this id"),
            409: _error_doc("The conversation is not with an agent"),
            422: _error_doc("The body breaks the contract"),
        },
    )
    def hand_back(
        conversation_id: ConversationIdParam, request: Annotated[HandBack, Body()]
    ) -> HandedBackAccepted:
        try:
            event = get_deps().service.hand_back(
                conversation_id, agent_id=request.agent_id, reason=request.reason
            )
        except NotFound:
            raise ApiError(
                HTTPStatus.NOT_FOUND, "not_found", "conversation_id", "no conversation has this id"
            ) from None
        except NotWithAnAgent as error:
            raise ApiError(HTTPStatus.CONFLICT, "not_with_an_agent", "conversation_id", str(error)) from None
        return HandedBackAccepted(conversation_id=conversation_id, event_id=event.event_id)

    @app.post(
        OUTCOME_PATH.replace("{conversation_id}", "<conversation_id>"),
        status_code=202,
        summary="Record how a conversation ended",
        description="Resolved, closed, reopened or rated, by whom, and the CSAT. Idempotent on (conversation, kind, "
        "at): the same outcome again is the same event. Feeds the outcome label (`outcome_label`).",
        tags=["conversations"],
        operation_id="recordOutcome",
        security=_BEARER,
        responses={
            202: {"description": "Recorded", "content": {"application/json": {"model": OutcomeAccepted}}},
            400: _error_doc("The body is not valid JSON"),
            413: _error_doc(f"The body is larger than {MAX_BODY_BYTES} bytes"),
            415: _error_doc("The body is not application/json"),
            401: _error_doc("Missing or invalid bearer token"),
            404: _error_doc("No conversation has this id"),
            422: _error_doc(
                "The body breaks the contract, or the id is a helpdesk's (its webhook reports outcomes)"
            ),
        },
    )
    def record_outcome(
        conversation_id: WritableConversationIdParam, outcome: Annotated[OutcomeIn, Body()]
    ) -> OutcomeAccepted:
        try:
            event = get_deps().service.record_api_outcome(
                conversation_id,
                kind=outcome.kind,
                resolved_by=outcome.resolved_by,
                csat=outcome.csat,
                at=outcome.at or utcnow(),
            )
        except NotFound:
            raise ApiError(
                HTTPStatus.NOT_FOUND, "not_found", "conversation_id", "no conversation has this id"
            ) from None
        return OutcomeAccepted(conversation_id=conversation_id, event_id=event.event_id)

    @app.get(
        BOT_PATH.replace("{conversation_id}", "<conversation_id>"),
        summary="May the bot answer?",
        description="One read: `paused` is true from the escalation until an agent hands the conversation back.",
        tags=["conversations"],
        operation_id="getBot",
        security=_BEARER,
        responses={
            200: {"description": "The bot's state", "content": {"application/json": {"model": BotView}}},
            401: _error_doc("Missing or invalid bearer token"),
            422: _error_doc("The conversation id is not a valid id"),
        },
    )
    def get_bot(conversation_id: ConversationIdParam) -> BotView:
        deps = get_deps()
        if deps.bot_state is not None:
            return deps.bot_state(conversation_id) or BotView()
        conversation = deps.service.conversation(conversation_id)
        return BotView.model_validate(conversation.bot) if conversation and conversation.bot else BotView()

    _add_insights_routes(app, get_deps)

    def webhook(source: Source) -> Response[WebhookAccepted]:
        data = raw_body(app.current_event, MAX_WEBHOOK_BYTES)
        # Imported here: only webhook deliveries pay for the connectors.
        from baton.ingestion.connectors.webhooks import process_webhook

        deps = get_deps()
        try:
            result = process_webhook(
                source,
                dict(app.current_event.headers or {}),
                data,
                secrets=deps.secrets,
                service=deps.service,
                idempotency=deps.idempotency(),
                now=utcnow(),
                max_skew_s=deps.settings.webhook_max_skew_s,
                lambda_context=app.lambda_context,
            )
        except InvalidSignature as error:
            metrics.add_metric(name="InvalidSignatures", unit=MetricUnit.Count, value=1)
            logger.warning("webhook signature rejected", extra={"source": source.value, "reason": str(error)})
            raise ApiError(
                HTTPStatus.UNAUTHORIZED,
                "invalid_signature",
                error.header or SIGNATURE_HEADERS[source],
                str(error),
            ) from None
        except PayloadError as error:
            raise ApiError(HTTPStatus.BAD_REQUEST, "invalid_payload", error.field, error.message) from None
        _count_webhook(source, result.topic)
        if result.unknown_topic:
            metrics.add_metric(name="UnknownTopics", unit=MetricUnit.Count, value=1)
        accepted = WebhookAccepted(
            source=source,
            topic=result.topic,
            messages=result.messages,
            outcomes=result.outcomes,
            redactions=result.redactions,
            duplicate=result.duplicate,
            ignored=result.ignored,
        )
        logger.info("webhook processed", extra=accepted.model_dump(mode="json"))
        return Response(
            status_code=200,
            content_type=content_types.APPLICATION_JSON,
            body=cast(Any, accepted.model_dump(mode="json")),
        )

    webhook_responses: dict[int, OpenAPIResponse] = {
        200: {
            "description": "Processed (or acknowledged: see `ignored`)",
            "content": {"application/json": {"model": WebhookAccepted}},
        },
        400: _error_doc("The payload is not the shape its topic promises"),
        401: _error_doc("Missing, stale or wrong signature; nothing was stored"),
        413: _error_doc(f"The body is larger than {MAX_WEBHOOK_BYTES} bytes"),
        503: _error_doc(
            "Another delivery of this notification is being processed; nothing was done. Retry after "
            "`Retry-After` seconds"
        ),
    }

    @app.post(
        WEBHOOK_PATHS[Source.zendesk],
        summary="Zendesk webhook",
        description="Signed with `X-Zendesk-Webhook-Signature` (HMAC-SHA256 of timestamp + raw body).",
        tags=["webhooks"],
        operation_id="zendeskWebhook",
        responses=webhook_responses,
    )
    def zendesk_webhook() -> Response[WebhookAccepted]:
        return webhook(Source.zendesk)

    @app.post(
        WEBHOOK_PATHS[Source.intercom],
        summary="Intercom webhook",
        description="Signed with `X-Hub-Signature` (HMAC-SHA1 of the raw body).",
        tags=["webhooks"],
        operation_id="intercomWebhook",
        responses=webhook_responses,
    )
    def intercom_webhook() -> Response[WebhookAccepted]:
        return webhook(Source.intercom)

    return app


def _add_insights_routes(app: APIGatewayHttpResolver, get_deps: Callable[[], ApiDeps]) -> None:
    """`GET /v1/conversations` and `GET /v1/kpis`: what a support lead's console reads (`baton.insights`)."""

    @app.get(
        CONVERSATIONS_PATH,
        summary="List conversations",
        description="Conversations by status and last activity, newest first: what a support lead's console lists. "
        "Served by the `by_status` index (one Query per status), never a Scan. Pass `next_cursor` as `cursor` "
        "for the next page.",
        tags=["conversations"],
        operation_id="listConversations",
        security=_BEARER,
        responses={
            200: _insights_doc("ConversationPage", "A page of conversation summaries"),
            400: _error_doc("`cursor` is not one a page of this list returned"),
            401: _error_doc("Missing or invalid bearer token"),
            422: _error_doc("A bad `status`, `from` or `limit`; `errors[].field` names it"),
        },
    )
    def list_conversations(
        status: Annotated[
            str | None,
            Query(
                description=f"One status or a comma-separated list ({STATUS_VALUES}); omitted: all",
                max_length=200,
            ),
        ] = None,
        since: Annotated[
            UtcDatetime | None,
            Query(alias="from", description="ISO 8601 time: only conversations active since then"),
        ] = None,
        limit: Annotated[int, Query(ge=1, le=100, description="Conversations per page, 1 to 100")] = 50,
        cursor: Annotated[
            str | None, Query(max_length=1024, description="`next_cursor` of the previous page")
        ] = None,
    ) -> Response[Any]:
        statuses = [part.strip() for part in (status or "").split(",") if part.strip()]
        unknown = [part for part in statuses if part not in {s.value for s in ConversationStatus}]
        if unknown:
            raise ApiError(
                HTTPStatus.UNPROCESSABLE_ENTITY,
                "validation_error",
                "status",
                f"unknown status {unknown[0][:64]!r}; one of {STATUS_VALUES}",
            )
        from baton.insights.store import InvalidCursor

        try:
            page = _insights(get_deps()).list_conversations(statuses or None, since, limit, cursor)
        except InvalidCursor as error:
            raise ApiError(HTTPStatus.BAD_REQUEST, "invalid_cursor", error.field, str(error)) from None
        return Response(
            status_code=200,
            content_type=content_types.APPLICATION_JSON,
            body=cast(Any, page.model_dump(mode="json")),
        )

    @app.get(
        KPIS_PATH,
        summary="KPIs",
        description="Escalation rate (by kind), containment, false and missed escalations, time to escalate, assign "
        "and first agent reply, reopens, repeat contacts and CSAT by path, by day, week, intent, product area and "
        "segment, the top drivers of escalations and the week-over-week drift, for the conversations that started "
        f"from `from` to `to` (UTC days, inclusive; default: the last {DEFAULT_KPI_DAYS} days to today; at most "
        f"{MAX_KPI_DAYS} days). Computed from the KPI buckets: one Query per day, whatever the traffic.",
        tags=["kpis"],
        operation_id="getKpis",
        security=_BEARER,
        responses={
            200: _insights_doc("Kpis", "The KPIs"),
            401: _error_doc("Missing or invalid bearer token"),
            422: _error_doc("A bad `from` or `to`, `to` before `from`, or a range over a year"),
        },
    )
    def get_kpis(
        start: Annotated[date | None, Query(alias="from", description="First day, YYYY-MM-DD (UTC)")] = None,
        end: Annotated[date | None, Query(alias="to", description="Last day, YYYY-MM-DD (UTC)")] = None,
    ) -> Response[Any]:
        now = utcnow()
        last = end or now.date()
        first = start or last - timedelta(days=DEFAULT_KPI_DAYS - 1)
        if last < first:
            raise ApiError(
                HTTPStatus.UNPROCESSABLE_ENTITY,
                "validation_error",
                "to",
                f"`to` ({last}) is before `from` ({first})",
            )
        span = (last - first).days + 1
        if span > MAX_KPI_DAYS:
            raise ApiError(
                HTTPStatus.UNPROCESSABLE_ENTITY,
                "validation_error",
                "to",
                f"the range is {span} days; at most {MAX_KPI_DAYS}",
            )
        from baton.insights.kpis import compute

        kpis = compute(_insights(get_deps()).buckets(first, last), first, last, now=now)
        return Response(
            status_code=200,
            content_type=content_types.APPLICATION_JSON,
            body=cast(Any, kpis.model_dump(mode="json", by_alias=True)),
        )


def _insights(deps: ApiDeps) -> Any:
    if deps.insights is None:
        raise ApiError(
            HTTPStatus.NOT_FOUND, "not_found", "path", "insights are not configured in this deployment"
        )
    return deps.insights()


def openapi_json(app: APIGatewayHttpResolver) -> str:
    """The OpenAPI document, with the error contract this app really has.

    Powertools documents its own default error bodies (`HTTPValidationError` for 422, a response
    validation body for 500); this app answers `ErrorBody` for both, so the document says that.
    """
    # Only this route needs the OpenAPI models: importing them at module level costs every cold start.
    from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer

    doc = json.loads(
        app.get_openapi_json_schema(
            title="Baton API",
            version=__version__,
            description=(
                "Ingestion API of Baton, the support escalation system. Conversation routes need "
                "`Authorization: Bearer <JWT>`; health, this document and the signed webhooks are public. "
                "Every error body is an `ErrorBody`; for a 4xx, `errors[].field` names the offending field "
                "(a dotted path such as `customer.id`, or `body`, `content-type`, `conversation_id`)."
            ),
            security_schemes={
                BEARER_SCHEME: HTTPBearer(
                    bearerFormat="JWT",
                    description="A JWT from the deployment's identity provider (locally: the `BATON_API_TOKEN` value)",
                )
            },
        )
    )
    error_ref = {"$ref": "#/components/schemas/ErrorBody"}
    for operations in doc.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            if "parameters" not in operation and "requestBody" not in operation:
                responses.pop("422", None)  # nothing Powertools validates: no 422 from this route
            for code, response in responses.items():
                if code in ("422", "500"):
                    response["content"] = {"application/json": {"schema": error_ref}}
            if "422" in responses and responses["422"].get("description") == "Validation Error":
                responses["422"]["description"] = (
                    "The request breaks the contract; `errors[].field` names the field"
                )
            responses["500"]["description"] = "A server fault (a dependency is unavailable); retry later"
    schemas = doc.get("components", {}).get("schemas", {})
    from baton.insights import models as insights

    for name in INSIGHTS_MODELS:
        model = getattr(insights, name)
        schema = model.model_json_schema(
            by_alias=True, mode="serialization", ref_template="#/components/schemas/{model}"
        )
        schemas.update(schema.pop("$defs", {}))
        schemas[name] = schema
    for unused in ("HTTPValidationError", "ValidationError", "ResponseValidationError"):
        schemas.pop(unused, None)
    return json.dumps(doc, separators=(",", ":"))


def _count_webhook(source: Source, topic: str | None) -> None:
    # Its own metric set: topic is a dimension here only, so the request's other metrics keep theirs.
    with single_metric(
        name="Webhooks", unit=MetricUnit.Count, value=1, namespace=METRICS_NAMESPACE
    ) as metric:
        metric.add_dimension(name="service", value=SERVICE)
        metric.add_dimension(name="source", value=source.value)
        metric.add_dimension(name="topic", value=(topic or "unknown")[:128])


def _register_error_handlers(app: APIGatewayHttpResolver) -> None:
    def rejected(status: HTTPStatus, error: str, message: str, errors: list[FieldError]) -> Response:
        if status in (
            HTTPStatus.BAD_REQUEST,
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
            HTTPStatus.UNPROCESSABLE_ENTITY,
        ):
            metrics.add_metric(name="ValidationErrors", unit=MetricUnit.Count, value=1)
        logger.info(
            "request rejected",
            extra={"status": int(status), "error": error, "fields": [e.field for e in errors][:5]},
        )
        return _error_response(status, error, message, errors)

    @app.exception_handler(ApiError)
    def api_error(error: ApiError) -> Response:
        return rejected(
            error.status, error.error, error.message, [FieldError(field=error.field, message=error.message)]
        )

    @app.exception_handler(RequestValidationError)
    def validation_error(error: RequestValidationError) -> Response:
        try:
            body = app.current_event.json_body
        except Exception:  # the body was checked before validation; this is only for naming fields
            body = None
        errors: dict[str, FieldError] = {}
        for e in error.errors():
            field = field_path(tuple(e.get("loc", ())), str(e.get("type", "")), body)
            # A union (metadata values) fails once per member: report the field once, first reason.
            errors.setdefault(
                field, FieldError(field=field, message=str(e.get("msg") or e.get("type") or "invalid"))
            )
            if len(errors) == _MAX_REPORTED_ERRORS:
                break
        reported = list(errors.values()) or [FieldError(field="body", message="invalid request")]
        return rejected(
            HTTPStatus.UNPROCESSABLE_ENTITY,
            "validation_error",
            "the request breaks the API contract",
            reported,
        )

    @app.exception_handler(RequestUnsupportedContentType)
    def unsupported_content_type(error: RequestUnsupportedContentType) -> Response:
        message = "the body must be application/json"
        return rejected(
            HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            message,
            [FieldError(field="content-type", message=message)],
        )

    @app.exception_handler(MessageConflict)
    def conflict(error: MessageConflict) -> Response:
        metrics.add_metric(name="Conflicts", unit=MetricUnit.Count, value=1)
        return rejected(
            HTTPStatus.CONFLICT,
            "conflict",
            str(error),
            [
                FieldError(
                    field="message_id", message="already used in this conversation by a different message"
                )
            ],
        )

    @app.exception_handler(CustomerRequired)
    def customer_required(error: CustomerRequired) -> Response:
        # The body is valid on its own; the conversation it goes to has no customer for it to take.
        return rejected(
            HTTPStatus.UNPROCESSABLE_ENTITY,
            "validation_error",
            str(error),
            [FieldError(field="customer", message=str(error))],
        )

    @app.exception_handler(PublishInProgress)
    def publish_in_progress(error: PublishInProgress) -> Response:
        """A duplicate of a message whose first request is still publishing it (or died holding the claim):
        the message is stored, its event not yet on the bus. 503 with `Retry-After`, so the client retries and
        gets 202 once it is published, rather than a 202 that would hide a message whose publish then fails."""
        logger.info(
            "message is being published by another request",
            extra={"conversation_id": error.conversation_id, "message_id": error.message_id},
        )
        return _in_progress(
            str(error),
            "message_id",
            "this message is being published by another request",
            PUBLISH_RETRY_AFTER_S,
        )

    @app.exception_handler(NotificationInProgress)
    def notification_in_progress(error: NotificationInProgress) -> Response:
        """A duplicate of a webhook notification arrived while its first delivery is still being processed.

        Answered 503 with `Retry-After`, a status every helpdesk retries (Zendesk retries a 503 whose Retry-After
        is under a minute, Intercom retries failed deliveries), rather than:
        - 2xx: the helpdesk would count the notification delivered. It usually redelivers because it gave up
          on the first delivery (a timeout), so that delivery's own answer reaches nobody; if it then fails,
          the notification would be lost. After a 503 the retry gets the stored answer, or does the work.
        - 409: clear, but not retried by every helpdesk, and this API's 409 means a client error.
        - 429: Intercom throttles the whole subscription on a 429 (every topic, for minutes to hours).
        The API's 5xx alarm counts it: a notification redelivered before its first delivery answered means the
        webhook was slower than the helpdesk's patience, which is worth a look.
        """
        metrics.add_metric(name="WebhooksInProgress", unit=MetricUnit.Count, value=1)
        logger.info("webhook notification is being processed by another delivery", extra={"key": error.key})
        return _in_progress(
            str(error), "id", "a delivery of this notification is being processed", WEBHOOK_RETRY_AFTER_S
        )

    @app.not_found
    def not_found(_: NotFoundError) -> Response:
        event = app.current_event
        method, path = event.http_method.upper(), event.path
        allowed = sorted({m for m, template in ROUTES if _template_regex(template).match(path)})
        if allowed and method not in allowed:
            response = rejected(
                HTTPStatus.METHOD_NOT_ALLOWED,
                "method_not_allowed",
                f"{method} is not allowed here; use {', '.join(allowed)}",
                [FieldError(field="method", message=f"allowed: {', '.join(allowed)}")],
            )
            response.headers["Allow"] = ", ".join(allowed)
            return response
        if _CONVERSATION_SHAPES.match(path):
            # The route exists but the id segment is not one the router accepts (empty, quotes, ...).
            message = "conversation_id must match [A-Za-z0-9._:-]{1,128}"
            return rejected(
                HTTPStatus.UNPROCESSABLE_ENTITY,
                "validation_error",
                message,
                [FieldError(field="conversation_id", message=message)],
            )
        return rejected(
            HTTPStatus.NOT_FOUND,
            "not_found",
            "no such route",
            [FieldError(field="path", message="no such route")],
        )

    @app.exception_handler(Exception)
    def server_fault(error: Exception) -> Response:
        # Only genuine faults get here (a dependency down, a bug): keep the traceback, hide the details.
        logger.exception("request failed", extra={"error_type": type(error).__name__})
        metrics.add_metric(name="ServerErrors", unit=MetricUnit.Count, value=1)
        return _error_response(
            HTTPStatus.INTERNAL_SERVER_ERROR,
            "internal_error",
            "the request could not be processed; retry later",
            [],
        )


_CONVERSATION_SHAPES = re.compile(r"^/v1/conversations/[^/]*(/messages)?$")
_TEMPLATE_CACHE: dict[str, re.Pattern[str]] = {}


def _template_regex(template: str) -> re.Pattern[str]:
    if template not in _TEMPLATE_CACHE:
        _TEMPLATE_CACHE[template] = re.compile(
            "^" + re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(template)) + "$"
        )
    return _TEMPLATE_CACHE[template]
