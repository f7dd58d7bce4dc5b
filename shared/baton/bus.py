"""Which event goes to which consumer: declared once, read by the CDK stacks and by `baton local`.

Every consumer is `EventBridge rule -> SQS queue (+ DLQ) -> Lambda` with ReportBatchItemFailures.

Ordering: an EventBridge rule can only give an SQS FIFO target a *static* MessageGroupId
(AWS::Events::Rule SqsParameters; aws-cdk#32965), which would serialise every conversation into one
group, and EventBridge does not deliver in order anyway. So order is carried in the events: every
conversation-scoped event has `seq`, and a consumer marked `ordered` applies seq n only after n-1
(a DynamoDB conditional write), reporting an early record as a batch failure so SQS redelivers it
after its predecessor. The queues are standard queues; the guarantee is per conversation.

Least privilege, declared: each consumer (and `INGEST_API`, the API function at the bus's edge) says which
tables it reads, which it writes with which calls, and which events it publishes (`baton.access`); the
stacks grant exactly that and nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from baton.access import Access, Writes
from baton.events import (
    CONTEXT_SOURCE,
    AccountUpdated,
    AgentStatusChanged,
    AgentUpdated,
    BusEvent,
    EscalationDecided,
    HandedBack,
    HandoffPrepared,
    IncidentOpened,
    IncidentResolved,
    MessageReceived,
    MessageRedacted,
    MessageScored,
    OutcomeLabeled,
    OutcomeRecorded,
    RoutingClockTicked,
)

# Helpdesk partner sources (the legacy Zendesk Events Connector): `aws.partner/zendesk.com/<id>/default`.
ZENDESK_PARTNER_SOURCE_PREFIX = "aws.partner/zendesk.com"


@dataclass(frozen=True)
class Subscription:
    """One consumer of the bus."""

    name: str
    """Consumer id; the CDK construct id and the local queue name derive from it."""
    capability: str
    """The stack that owns it (`<Stage>-<Capability>`): deployable and scalable on its own."""
    handler: str
    """`functions/<folder>/handler.py`'s module, `functions.<folder>.handler`."""
    pattern: dict[str, Any]
    """EventBridge event pattern (the same JSON the rule gets)."""
    ordered: bool = False
    batch_size: int = 10
    max_concurrency: int = 5
    timeout_s: int = 30
    memory_mb: int = 512
    max_receive_count: int = 5
    uses_models: bool = False
    implemented: bool = True
    """False until the capability lands: the contract and route exist, no stack or worker yet."""
    description: str = ""
    reads: tuple[str, ...] = ()
    """Tables it reads (logical names, `baton.tables`): granted GetItem and Query on each."""
    writes: tuple[Writes, ...] = ()
    """Tables it writes, with the write calls its code makes: granted those calls alone."""
    index_queries: tuple[str, ...] = ()
    """Secondary indexes it Queries (by name), on tables it reads."""
    publishes: tuple[type[BusEvent], ...] = ()
    """Events it puts on the bus: PutEvents for their sources and detail types alone."""
    dead_letters: bool = True
    """It sends a record whose body breaks its contract to its own DLQ on the first receive (every consumer built on
    `baton.consumer` does): SendMessage on that queue alone."""
    extra: dict[str, Any] = field(default_factory=dict)
    """`parameters`: SSM parameters the function reads, setting -> the file of its initial value; `challenger`: the
    setting of an SSM parameter created only when the deployment names a file for it (CDK context
    `challengerParams`: the decision's shadow challenger). See infra/constructs/consumer.py."""
    schedule_minutes: int | None = None
    """Also a `RoutingClockTicked` on this queue every N minutes (a scheduled rule; `baton local` ticks every N
    seconds: the routing clock's queue drain, the insights' KPI figures)."""

    def __post_init__(self) -> None:
        try:
            self.access  # noqa: B018 (validates the declaration at import: a typo fails every entry point)
        except ValueError as exc:
            raise ValueError(f"subscription {self.name!r}: {exc}") from None

    @property
    def access(self) -> Access:
        """What the stacks grant this consumer's role (`baton.access`)."""
        return Access(
            reads=self.reads,
            writes=self.writes,
            index_queries=self.index_queries,
            publishes=self.publishes,
            dead_letters=self.dead_letters,
        )

    @property
    def visibility_timeout_s(self) -> int:
        # AWS guidance: at least 6x the function timeout, so a retried batch never overlaps.
        return 6 * self.timeout_s


def _on(*detail_types: str, source: str) -> dict[str, Any]:
    return {"source": [source], "detail-type": list(detail_types)}


SUBSCRIPTIONS: tuple[Subscription, ...] = (
    Subscription(
        name="helpdesk-events",
        capability="Ingestion",
        handler="functions.helpdesk_events.handler",
        pattern={
            "source": [{"prefix": ZENDESK_PARTNER_SOURCE_PREFIX}],
            "detail-type": [{"prefix": "Support Ticket: "}],
        },
        description="Helpdesk partner events (Zendesk Events Connector) -> canonical messages and outcomes",
        reads=("conversations",),
        writes=(Writes("conversations", "PutItem", "UpdateItem"),),
        publishes=(MessageReceived, MessageRedacted, OutcomeRecorded),
    ),
    Subscription(
        name="score",
        capability="Scoring",
        handler="functions.score.handler",
        pattern=_on(MessageReceived.DETAIL_TYPE, MessageRedacted.DETAIL_TYPE, source=MessageReceived.SOURCE),
        ordered=True,
        memory_mb=1024,
        uses_models=True,
        description="Scores each message and updates the conversation arc; publishes MessageScored. Forgets "
        "what the arc keeps of a redacted message",
        reads=("conversations",),
        writes=(Writes("conversations", "UpdateItem"),),
        publishes=(MessageScored,),
    ),
    Subscription(
        name="context-events",
        capability="Context",
        handler="functions.context_events.handler",
        pattern={
            "$or": [
                _on(
                    AccountUpdated.DETAIL_TYPE,
                    IncidentOpened.DETAIL_TYPE,
                    IncidentResolved.DETAIL_TYPE,
                    source=CONTEXT_SOURCE,
                ),
                {
                    **_on(OutcomeRecorded.DETAIL_TYPE, source=OutcomeRecorded.SOURCE),
                    "detail": {"kind": ["resolved", "closed"]},
                },
            ]
        },
        memory_mb=256,
        description="Accounts and known incidents from CRM and bug-tracker integrations, and closed "
        "conversations (contact history) -> the context table",
        reads=("conversations", "context"),
        writes=(Writes("context", "PutItem"),),
    ),
    Subscription(
        name="decide",
        capability="Decision",
        handler="functions.decide.handler",
        pattern={
            "$or": [
                _on(MessageScored.DETAIL_TYPE, source=MessageScored.SOURCE),
                _on(MessageRedacted.DETAIL_TYPE, HandedBack.DETAIL_TYPE, source=MessageRedacted.SOURCE),
            ]
        },
        ordered=True,
        memory_mb=512,
        extra={
            "parameters": {"decision_params_name": "layers/models/decision/params.json"},
            # The shadow challenger's document, when the deployment names one (CDK context `challengerParams`).
            "challenger": "decision_challenger_params_name",
        },
        description="Enriches with account context and decides resolve/monitor/escalate; publishes "
        "EscalationDecided. Forgets a guardrail's quote of a redacted message",
        reads=("conversations", "context"),
        writes=(Writes("conversations", "UpdateItem"),),
        publishes=(EscalationDecided,),
    ),
    Subscription(
        name="route",
        capability="Routing",
        handler="functions.route.handler",
        pattern={
            "$or": [
                {
                    **_on(EscalationDecided.DETAIL_TYPE, source=EscalationDecided.SOURCE),
                    "detail": {"action": ["escalate"]},
                },
                _on(MessageRedacted.DETAIL_TYPE, source=MessageRedacted.SOURCE),
            ]
        },
        ordered=True,
        description="Routes an escalation to the best available agent or the queue, with its handoff packet; "
        "pauses the bot; publishes HandoffPrepared. Forgets what the packet quotes of a redacted message",
        reads=("conversations", "context", "routing"),
        # The state item; the assignment transaction (agent Update, ASSIGN Put, QUEUE Delete, CUSTOMER Put)
        # and the queue (Put, Delete).
        writes=(
            Writes("conversations", "UpdateItem"),
            Writes("routing", "PutItem", "UpdateItem", "DeleteItem"),
        ),
        publishes=(HandoffPrepared,),
    ),
    Subscription(
        name="route-capacity",
        capability="Routing",
        handler="functions.route_capacity.handler",
        pattern={
            "$or": [
                _on(
                    AgentStatusChanged.DETAIL_TYPE, AgentUpdated.DETAIL_TYPE, source=AgentStatusChanged.SOURCE
                ),
                _on(HandedBack.DETAIL_TYPE, source=HandedBack.SOURCE),
                {
                    **_on(OutcomeRecorded.DETAIL_TYPE, source=OutcomeRecorded.SOURCE),
                    "detail": {"kind": ["resolved", "closed", "reopened"]},
                },
                _on(RoutingClockTicked.DETAIL_TYPE, source=RoutingClockTicked.SOURCE),
            ]
        },
        max_concurrency=2,
        timeout_s=70,  # a tick of the routing clock waits up to 50 s for relaxation steps
        description="Agents' status and profiles, hand-backs, ended and reopened conversations, and the "
        "routing clock -> capacity freed or added, the queue drained; publishes HandoffPrepared",
        reads=("conversations", "routing"),
        writes=(
            Writes("conversations", "UpdateItem"),
            Writes("routing", "PutItem", "UpdateItem", "DeleteItem"),
        ),
        publishes=(HandoffPrepared,),
        schedule_minutes=1,
    ),
    Subscription(
        name="helpdesk-writeback",
        capability="Routing",
        handler="functions.helpdesk_writeback.handler",
        pattern=_on(HandoffPrepared.DETAIL_TYPE, source=HandoffPrepared.SOURCE),
        # One escalation per invocation: its helpdesk calls and their retries (backoff, Retry-After) fit the
        # timeout; few concurrent writers, as the helpdesks rate-limit the API per account.
        batch_size=1,
        max_concurrency=2,
        timeout_s=60,
        memory_mb=256,
        description="Writes each routed escalation back to its helpdesk (Zendesk, Intercom): the assignee and the "
        "handoff note as an internal note, once per escalation",
        # Powertools idempotency: a unit is put in progress, updated when written, deleted when the write failed.
        reads=("idempotency",),
        writes=(Writes("idempotency", "PutItem", "UpdateItem", "DeleteItem"),),
        # The helpdesks' API credentials (Secrets Manager): the settings naming them, read by this role alone.
        extra={"secrets": ("zendesk_api_secret_name", "intercom_api_secret_name")},
    ),
    Subscription(
        name="feedback",
        capability="Feedback",
        handler="functions.feedback.handler",
        pattern={
            "$or": [
                {
                    **_on(EscalationDecided.DETAIL_TYPE, source=EscalationDecided.SOURCE),
                    "detail": {"action": ["escalate"]},
                },
                _on(HandoffPrepared.DETAIL_TYPE, source=HandoffPrepared.SOURCE),
                {
                    **_on(MessageReceived.DETAIL_TYPE, source=MessageReceived.SOURCE),
                    "detail": {"message": {"role": ["agent"]}},
                },
                _on(OutcomeRecorded.DETAIL_TYPE, source=OutcomeRecorded.SOURCE),
                # The customer's intents: the contacts behind `missed_escalation.repeat_contact`.
                {
                    **_on(MessageScored.DETAIL_TYPE, source=MessageScored.SOURCE),
                    "detail": {"role": ["customer"]},
                },
            ]
        },
        memory_mb=256,
        description="Escalations, assignments, agent messages, outcomes and customer intents -> each conversation's "
        "outcome label (false, missed, true escalation, contained; a repeat contact on the same intent relabels the "
        "earlier conversation); publishes OutcomeLabeled",
        reads=("conversations",),
        # The state item; the contact records (`baton.feedback.contacts`): put, and deleted when a contact moves.
        writes=(Writes("conversations", "UpdateItem", "PutItem", "DeleteItem"),),
        publishes=(OutcomeLabeled,),
    ),
    Subscription(
        name="insights",
        capability="Insights",
        handler="functions.insights.handler",
        # `baton.insights.facts.EVENTS` (a unit test holds the two together).
        pattern={
            "$or": [
                _on(
                    MessageReceived.DETAIL_TYPE,
                    MessageRedacted.DETAIL_TYPE,
                    HandedBack.DETAIL_TYPE,
                    OutcomeRecorded.DETAIL_TYPE,
                    source=MessageReceived.SOURCE,
                ),
                _on(MessageScored.DETAIL_TYPE, source=MessageScored.SOURCE),
                _on(EscalationDecided.DETAIL_TYPE, source=EscalationDecided.SOURCE),
                _on(HandoffPrepared.DETAIL_TYPE, source=HandoffPrepared.SOURCE),
                _on(OutcomeLabeled.DETAIL_TYPE, source=OutcomeLabeled.SOURCE),
            ]
        },
        memory_mb=256,
        description="Every event about a conversation -> its summary (the console's list, GSI by_status) and its "
        "KPI buckets, in one transaction; hourly, the escalation rate and its week-over-week drift as metrics",
        # The summary item (Put) and the bucket ADDs (Update), in one transaction; the contact records (Query);
        # the account's segment (context table).
        reads=("conversations", "context"),
        writes=(Writes("conversations", "PutItem", "UpdateItem"),),
        # The clock: a `RoutingClockTicked` on this queue, the scheduled rule the routing clock uses.
        schedule_minutes=60,
    ),
)

INGEST_API = Access(
    reads=("conversations", "idempotency"),
    # `GET /v1/conversations` (the insights summaries by status); `GET /v1/kpis` Queries the table itself.
    index_queries=("by_status",),
    writes=(
        Writes("conversations", "PutItem", "UpdateItem"),
        # Powertools idempotency (webhook notifications): a record is put in progress, updated when done, and
        # deleted when the work failed, so the helpdesk's retry does it again.
        Writes("idempotency", "PutItem", "UpdateItem", "DeleteItem"),
    ),
    publishes=(MessageReceived, MessageRedacted, OutcomeRecorded, HandedBack),
)
"""The ingestion API function (`functions/ingest_api`, `baton.ingestion.api`): not a consumer of the bus but its
main producer. Declared here rather than in baton.ingestion.api, whose cold start should not import the event
contracts."""

BACKTEST_CHUNK_HANDLER = "functions.backtest_chunk.handler"
BACKTEST_CHUNK = Access()
"""The deployed backtest's chunk function (`functions/backtest_chunk`, `baton.scoring.backtest_chunk`): no table and
no event. It reads its run's input objects and writes its output objects in the events lake bucket, and nothing
else of it (`infra/constructs/backtest.py` grants those two prefixes)."""


def active_subscriptions() -> tuple[Subscription, ...]:
    return tuple(s for s in SUBSCRIPTIONS if s.implemented)


def by_name(name: str) -> Subscription:
    for sub in SUBSCRIPTIONS:
        if sub.name == name:
            return sub
    raise KeyError(name)
