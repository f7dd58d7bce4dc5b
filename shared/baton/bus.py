"""Which event goes to which consumer: declared once, read by the CDK stacks and by `baton local`.

Every consumer is `EventBridge rule -> SQS queue (+ DLQ) -> Lambda` with ReportBatchItemFailures.

Ordering: an EventBridge rule can only give an SQS FIFO target a *static* MessageGroupId
(AWS::Events::Rule SqsParameters; aws-cdk#32965), which would serialise every conversation into one
group, and EventBridge does not deliver in order anyway. So order is carried in the events: every
conversation-scoped event has `seq`, and a consumer marked `ordered` applies seq n only after n-1
(a DynamoDB conditional write), reporting an early record as a batch failure so SQS redelivers it
after its predecessor. The queues are standard queues; the guarantee is per conversation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from baton.events import (
    CONTEXT_SOURCE,
    AccountUpdated,
    EscalationDecided,
    HandoffPrepared,
    IncidentOpened,
    IncidentResolved,
    MessageReceived,
    MessageRedacted,
    MessageScored,
    OutcomeRecorded,
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
    extra: dict[str, Any] = field(default_factory=dict)

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
        extra={"tables": ("conversations", "context"), "publishes": False},
        description="Accounts and known incidents from CRM and bug-tracker integrations, and closed "
        "conversations (contact history) -> the context table",
    ),
    Subscription(
        name="decide",
        capability="Decision",
        handler="functions.decide.handler",
        pattern={
            "$or": [
                _on(MessageScored.DETAIL_TYPE, source=MessageScored.SOURCE),
                _on(MessageRedacted.DETAIL_TYPE, source=MessageRedacted.SOURCE),
            ]
        },
        ordered=True,
        memory_mb=512,
        extra={
            "tables": ("conversations", "context"),
            "parameters": {"decision_params_name": "layers/models/decision/params.json"},
        },
        description="Enriches with account context and decides resolve/monitor/escalate; publishes "
        "EscalationDecided. Forgets a guardrail's quote of a redacted message",
    ),
    Subscription(
        name="route",
        capability="Routing",
        handler="functions.route.handler",
        pattern={
            "source": [EscalationDecided.SOURCE],
            "detail-type": [EscalationDecided.DETAIL_TYPE],
            "detail": {"action": ["escalate"]},
        },
        ordered=True,
        implemented=False,
        description="Picks the best available agent and writes the handoff packet; publishes HandoffPrepared",
    ),
    Subscription(
        name="feedback",
        capability="Feedback",
        handler="functions.feedback.handler",
        pattern={
            "source": [OutcomeRecorded.SOURCE, HandoffPrepared.SOURCE, EscalationDecided.SOURCE],
            "detail-type": [
                OutcomeRecorded.DETAIL_TYPE,
                HandoffPrepared.DETAIL_TYPE,
                EscalationDecided.DETAIL_TYPE,
            ],
        },
        implemented=False,
        description="Labels false and missed escalations from outcomes; feeds KPIs and recalibration",
    ),
)


def active_subscriptions() -> tuple[Subscription, ...]:
    return tuple(s for s in SUBSCRIPTIONS if s.implemented)


def by_name(name: str) -> Subscription:
    for sub in SUBSCRIPTIONS:
        if sub.name == name:
            return sub
    raise KeyError(name)
