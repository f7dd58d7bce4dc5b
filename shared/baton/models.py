"""API contracts and the canonical conversation model.

Everything a client sends or reads is defined here, once. Field limits are part of the contract
(they are published in the OpenAPI document) and are enforced by pydantic, so a bad request is a
4xx naming the field, never a 5xx.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)
from pydantic_core import PydanticCustomError

ID_PATTERN = r"^[A-Za-z0-9._:-]{1,128}$"
MAX_ID_CHARS = 128
PATH_SAFE_ID_PATTERN = r"^[A-Za-z0-9._:-]*[A-Za-z0-9_:-][A-Za-z0-9._:-]*$"
"""`ID_PATTERN` less the ids made only of dots, as the OpenAPI document and the JSON Schemas publish it (with
`maxLength` 128). No lookahead: every JSON Schema and regex engine reads it. pydantic checks `ID_PATTERN` and then
`_not_only_dots`, so each refusal says what is wrong in words rather than quoting this pattern."""
MAX_TEXT_BYTES = 16 * 1024
MAX_BODY_BYTES = 64 * 1024
MAX_METADATA_KEYS = 32
MAX_METADATA_BYTES = 4 * 1024

Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
"""Conversation, message, customer, account and agent ids: `[A-Za-z0-9._:-]{1,128}`."""


def _not_only_dots(value: str) -> str:
    # `.` and `..` are path segments: clients, proxies and servers resolve them out of a URL before Baton sees it
    # (`/v1/conversations/..` is `/v1/`), so a conversation so named could never be read back, nor a message
    # addressed. Any id made only of dots is refused alike.
    if not value.strip("."):
        raise ValueError("an id cannot be only dots: `.` and `..` are URL path segments")
    return value


PathSafeId = Annotated[
    str,
    StringConstraints(pattern=ID_PATTERN),
    AfterValidator(_not_only_dots),
    WithJsonSchema({"type": "string", "pattern": PATH_SAFE_ID_PATTERN, "maxLength": MAX_ID_CHARS}),
]
"""An id a client chooses for a conversation or a message: `[A-Za-z0-9._:-]{1,128}`, not only dots. Only what
clients send is checked for dots (`MessageIn`, the path): what Baton stored before it answers as it is."""


def utcnow() -> datetime:
    return datetime.now(UTC)


def _aware(value: datetime) -> datetime:
    # A timestamp without an offset is read as UTC: clients in other zones must say so.
    try:
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except OverflowError:  # e.g. 9999-12-31T23:59-05:00 is in year 10000 in UTC
        raise ValueError("timestamp is out of range once converted to UTC") from None


def _text_limit(value: str) -> str:
    if len(value.encode("utf-8")) > MAX_TEXT_BYTES:
        raise ValueError(f"text is longer than {MAX_TEXT_BYTES} bytes (UTF-8)")
    # Empty text is a message all the same: helpdesks send attachment-only messages with no text. It is stored
    # and counted in the conversation, and scoring has nothing to read in it.
    return value


def _metadata_limit(value: dict[str, Any]) -> dict[str, Any]:
    if len(value) > MAX_METADATA_KEYS:
        raise ValueError(f"metadata has more than {MAX_METADATA_KEYS} keys")
    if len(json.dumps(value, separators=(",", ":"))) > MAX_METADATA_BYTES:
        raise ValueError(f"metadata is larger than {MAX_METADATA_BYTES} bytes as JSON")
    return value


def _iso_string(value: Any) -> Any:
    # pydantic would read 12345 as a Unix time and True as 1: a client sending numbers has a bug to hear about.
    if isinstance(value, int | float):
        raise ValueError("must be an ISO 8601 date-time string, e.g. 2025-03-14T09:26:54Z")
    return value


def _real_number(value: Any) -> Any:
    # pydantic would read true as 1.0 and "0.5" as 0.5: the contract says a number.
    if isinstance(value, bool | str):
        raise ValueError("must be a JSON number")
    return value


UtcDatetime = Annotated[datetime, BeforeValidator(_iso_string), AfterValidator(_aware)]
Probability = Annotated[float, Field(ge=0.0, le=1.0), BeforeValidator(_real_number)]
MessageText = Annotated[str, AfterValidator(_text_limit)]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=256)]
MetadataKey = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")]
MetadataValue = Annotated[str, StringConstraints(max_length=1024)] | int | float | bool | None
Metadata = Annotated[dict[MetadataKey, MetadataValue], AfterValidator(_metadata_limit)]


class Role(StrEnum):
    customer = "customer"
    bot = "bot"
    agent = "agent"


class Source(StrEnum):
    """Where a conversation came from. Helpdesk conversations are id'd `<source>:<native id>`."""

    api = "api"
    zendesk = "zendesk"
    intercom = "intercom"


class ConversationStatus(StrEnum):
    # `open` until a decision or a helpdesk says otherwise; later capabilities move it along.
    open = "open"
    monitoring = "monitoring"
    escalated = "escalated"
    queued = "queued"
    assigned = "assigned"
    snoozed = "snoozed"
    resolved = "resolved"
    closed = "closed"


HELPDESK_STATUSES = frozenset(
    {
        ConversationStatus.assigned,
        ConversationStatus.snoozed,
        ConversationStatus.resolved,
        ConversationStatus.closed,
    }
)
"""Statuses set by the helpdesk (an agent took it, or it ended): no capability's view overrides them."""


class View(BaseModel):
    """What one capability shows on `GET /v1/conversations/{id}`: its top-level fields, and the status it
    implies. A capability's store writes its view with its state; the conversation store assembles the views
    (`Conversation.with_views`) without knowing the capabilities, so a new one edits neither store."""

    capability: str
    fields: dict[str, Any] = Field(default_factory=dict)
    status: ConversationStatus | None = None
    rank: int = 0
    """Of two views that imply a status, the higher rank's wins (routing's `assigned` over decision's
    `escalated`); fields of a higher rank are applied last."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class Customer(Strict):
    id: Id
    account_id: Id
    language: Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$")] | None = (
        Field(default=None, description="BCP 47 language tag, e.g. `en` or `pt-BR`")
    )
    email: Annotated[str, StringConstraints(pattern=r"^[^@\s]{1,64}@[^@\s]{1,255}$")] | None = None
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None


class RecentAction(Strict):
    type: ShortText = Field(description="What the user did, e.g. `clicked_upgrade`, `error_shown`")
    at: UtcDatetime
    detail: Annotated[str, StringConstraints(max_length=1024)] | None = None


class Page(Strict):
    url: Annotated[str, StringConstraints(min_length=1, max_length=2048)]
    title: Annotated[str, StringConstraints(max_length=512)] | None = None
    recent_actions: Annotated[list[RecentAction], Field(max_length=50)] = Field(default_factory=list)


class BotInfo(Strict):
    confidence: Probability | None = Field(
        default=None, description="The bot's own confidence in this answer, 0..1"
    )
    answer_id: Id | None = None
    attempt: Annotated[str, StringConstraints(max_length=4096)] | None = Field(
        default=None, description="What the bot tried (article, flow, action)"
    )


class MessageIn(Strict):
    """Body of `POST /v1/conversations/{conversation_id}/messages`.

    `customer` is required on a customer's message only: a bot's or an agent's takes the conversation's (the
    store fills it in, so the stored message and `MessageReceived` always carry one). The JSON Schema says so with
    `if`/`then`.
    """

    model_config = ConfigDict(
        json_schema_extra={
            "if": {"properties": {"role": {"const": Role.customer.value}}, "required": ["role"]},
            "then": {"required": ["customer"], "properties": {"customer": {"type": "object"}}},
        }
    )

    message_id: PathSafeId = Field(description="Client-chosen id; the idempotency key of this message")
    role: Role
    text: MessageText = Field(
        description=f"At most {MAX_TEXT_BYTES} bytes of UTF-8; may be empty (a message with only an attachment)"
    )
    sent_at: UtcDatetime = Field(default_factory=utcnow, description="ISO 8601; defaults to now")
    customer: Customer | None = Field(
        default=None,
        validate_default=True,
        description="Who the customer is. Required when `role` is `customer`; a bot's or an agent's message may "
        "omit it, and then carries the conversation's customer (its first message must name one)",
    )
    channel: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{1,32}$")] | None = None
    page: Page | None = None
    bot: BotInfo | None = None
    metadata: Metadata = Field(default_factory=dict)

    @field_validator("customer")
    @classmethod
    def _customer_names_the_customer(cls, value: Customer | None, info: ValidationInfo) -> Customer | None:
        # `role` is declared first, so it is in `info.data` once valid (an invalid one is reported on its own).
        if value is None and info.data.get("role") == Role.customer:
            # Typed `missing`, like an absent required field: the 422 names `customer` even when it was left out.
            raise PydanticCustomError(
                "missing", "customer is required on a customer's message (a bot's or an agent's may omit it)"
            )
        return value

    def fingerprint(self) -> str:
        """Digest of everything the client chose: the same id with another body is a conflict.

        `sent_at` counts only when the client sent it (a defaulted `now` differs on every retry).
        """
        body = self.model_dump(mode="json", exclude_unset=True)
        return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


class MessageAccepted(BaseModel):
    conversation_id: Id
    message_id: Id


class StoredMessage(BaseModel):
    """A message as Baton keeps it: the client's message plus its place in the conversation."""

    conversation_id: Id
    message_id: Id
    seq: int = Field(ge=1, description="1-based position in the conversation, in arrival order")
    role: Role
    text: str
    sent_at: UtcDatetime
    received_at: UtcDatetime
    source: Source = Source.api
    customer: Customer
    channel: str | None = None
    page: Page | None = None
    bot: BotInfo | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    redacted_at: UtcDatetime | None = Field(
        default=None,
        description="When the helpdesk redacted this message; its `text` is then empty (see `redacted`)",
    )
    fingerprint: str = Field(exclude=True, default="")

    def redacted(self, at: datetime) -> StoredMessage:
        """This message with its content forgotten: what the helpdesk redacted Baton must not hold.

        `text` becomes "" (not a marker: a marker reads as something the person said, to a scorer as
        to a human; `redacted_at` says why it is empty); `page`, `metadata` and the bot's `attempt`
        (free text that may quote the customer) are dropped, as is the fingerprint (a digest of a
        short text can be reversed by guessing). The id, `seq`, role, times, source, channel,
        customer and the bot's confidence/answer id stay, so order and counts are intact. A message
        that is already redacted is returned as it is: the first redaction time stands.
        """
        if self.redacted_at is not None:
            return self
        return self.model_copy(update={**redaction_update(self.bot, at), "fingerprint": ""})


def redaction_update(bot: BotInfo | None, at: datetime) -> dict[str, Any]:
    """The fields a redaction changes on a message (stored or on the bus): see `StoredMessage.redacted`."""
    return {
        "text": "",
        "page": None,
        "bot": bot.model_copy(update={"attempt": None}) if bot is not None else None,
        "metadata": {},
        "redacted_at": _aware(at),
    }


class Outcome(BaseModel):
    """What the helpdesk last said about how the conversation ended."""

    kind: Literal["resolved", "closed", "reopened", "rated"]
    at: UtcDatetime
    csat: Annotated[int, Field(ge=1, le=5)] | None = None
    resolved_by: Literal["bot", "agent", "unknown"] = "unknown"


class Reason(BaseModel):
    code: str = Field(description="Stable machine code, e.g. `sentiment_declining`")
    label: str = Field(description="What a support lead reads, e.g. `Sentiment declining`")
    contribution: float = Field(description="Share of the risk this signal explains")
    evidence: str = Field(description="The observation behind it, e.g. `-0.6 over 4 turns`")


class EscalationCause(BaseModel):
    """Why the conversation was escalated: the escalating decision's message and reasons, carried by every
    later decision so the cause stays visible after "Already escalated"."""

    seq: int = Field(ge=1, description="The message whose decision escalated")
    guardrail: str | None = Field(default=None, description="The guardrail that forced it, if one did")
    risk: float = Field(ge=0, le=1, description="The risk at that message")
    reasons: list[Reason] = Field(default_factory=list, description="That decision's reasons")


class ShadowDecision(BaseModel):
    """What the shadow challenger (a second decision parameters document, evaluated on every decided message
    with its own state) would have done. It never acts: the published action is the champion's."""

    action: Literal["resolve", "monitor", "escalate"]
    risk: float = Field(ge=0, le=1)
    model_version: str = Field(description="The challenger document's version")
    guardrail: str | None = Field(default=None, description="Set when a guardrail forced its escalation")


class IncidentView(BaseModel):
    id: str
    title: str
    eta: str | None = Field(default=None, description="The incident's public ETA: give it to the customer")
    matched_on: str = Field(description="`keyword`, `intent` or `product_area`")
    detail: str = Field(description="The keyword, intent or product area that matched")
    eta_passed: bool = Field(
        default=False, description="The ETA is a timestamp already past: do not promise it to the customer"
    )


class DecisionView(BaseModel):
    """The conversation's latest decision (the decision capability's `EscalationDecided`)."""

    action: Literal["resolve", "monitor", "escalate"]
    risk: float = Field(ge=0, le=1, description="P(needs a human now), calibrated")
    reasons: list[Reason] = Field(default_factory=list, description="Highest contribution first")
    guardrail: str | None = Field(default=None, description="Set when a guardrail forced the escalation")
    incidents: list[IncidentView] = Field(
        default_factory=list, description="Active incidents the message matched: acknowledge, give the ETA"
    )
    escalated_because: EscalationCause | None = Field(
        default=None, description="On every decision after the escalation: what escalated the conversation"
    )
    model_version: str
    shadow: ShadowDecision | None = Field(
        default=None, description="What the shadow challenger would have done (when one is configured)"
    )
    decided_at: UtcDatetime
    seq: int = Field(ge=1, description="The message decided")
    message_id: Id


class RiskPoint(BaseModel):
    """One decided customer message on the conversation's risk trail (the console's chart)."""

    seq: int = Field(ge=1, description="The message decided")
    risk: float = Field(ge=0, le=1)
    action: Literal["resolve", "monitor", "escalate"]


class Conversation(BaseModel):
    """`GET /v1/conversations/{conversation_id}`. Later capabilities fill the optional parts."""

    conversation_id: Id
    status: ConversationStatus = ConversationStatus.open
    source: Source = Source.api
    customer: Customer | None = None
    created_at: UtcDatetime
    updated_at: UtcDatetime
    message_count: int = 0
    messages: list[StoredMessage] = Field(default_factory=list)
    outcome: Outcome | None = None
    scores: dict[str, Any] | None = None
    arc: dict[str, Any] | None = None
    trail: list[dict[str, Any]] | None = Field(
        default=None,
        description="The customer messages' scores over time, oldest first: seq, message_id, sentiment, "
        "frustration, intent, signals (negative_feedback, asks_for_human, rephrase, repeat)",
    )
    decision: DecisionView | None = None
    risk_trail: list[RiskPoint] | None = Field(
        default=None,
        description="The decisions' risk over time, oldest first (the last 100 decided customer messages): seq, "
        "risk, action",
    )
    assignment: dict[str, Any] | None = None
    handoff: dict[str, Any] | None = None
    bot: dict[str, Any] | None = Field(
        default=None, description="`{paused, since, reason}`: a chat frontend does not answer while paused"
    )
    outcome_label: dict[str, Any] | None = Field(
        default=None,
        description="What the conversation turned out to be: `{label, rule, reason, rules_version, at}`; label one "
        "of false_escalation, missed_escalation, true_escalation, contained, unknown",
    )

    def with_views(self, views: list[View]) -> Conversation:
        """This conversation with what each capability shows: its fields, and the status of the highest-ranked
        view that implies one, unless the helpdesk has moved the conversation on (`HELPDESK_STATUSES`)."""
        update: dict[str, Any] = {}
        status: ConversationStatus | None = None
        for view in sorted(views, key=lambda v: v.rank):
            update.update(view.fields)
            if view.status is not None:
                status = view.status
        if status is not None and self.status not in HELPDESK_STATUSES:
            update["status"] = status
        if not update:
            return self
        # Validated like a stored conversation (a view's `decision` becomes a DecisionView); the messages,
        # already validated, are not dumped and parsed again.
        shown = self.model_validate({**self.model_dump(exclude={"messages"}), **update})
        return shown.model_copy(update={"messages": self.messages})


class FieldError(BaseModel):
    field: str = Field(description="Dotted path of the offending field, e.g. `customer.id` or `body`")
    message: str


class ErrorBody(BaseModel):
    """Every 4xx answer."""

    error: str = Field(description="Machine-readable code, e.g. `validation_error`, `conflict`")
    message: str
    errors: list[FieldError] = Field(default_factory=list)
