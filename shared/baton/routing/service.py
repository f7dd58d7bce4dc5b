"""The routing capability: an escalation reaches the right agent with a handoff packet, or waits in the queue;
the bot steps back; capacity that frees up is used at once.

Two consumers share it:

- `route` (ordered, `RoutingLogic`): EscalationDecided (escalate) -> the packet (`baton.routing.packet`), the
  agent (`baton.routing.policy.choose`, one conditional transaction in the `AgentDirectory`) or the queue,
  the bot paused, `HandoffPrepared` published. Routing sees only escalations (`order="latest"`); every
  decision after an escalation is an escalation too, and one escalation is routed once (keyed on the
  escalating message's seq). After a hand-back the decision escalates again only on a new trigger, with a
  new seq: it is routed again.
- `route-capacity` (unordered, `Dispatcher`): what frees or adds capacity (an agent online or updated, a
  conversation handed back, resolved or closed, a reopened conversation, the minute tick) -> the queue is
  drained, highest priority first (`baton.routing.policy.priority`), each assignment one transaction, the
  conversation's routing state amended and `HandoffPrepared` published again with the assignment.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, Field

from baton.context.models import Context
from baton.events import (
    AgentStatusChanged,
    AgentUpdated,
    BusEvent,
    EscalationDecided,
    HandedBack,
    HandoffPrepared,
    OutcomeRecorded,
    RoutingClockTicked,
    event_id_for,
)
from baton.handoff import Assignment, HandoffPacket
from baton.models import Conversation, ConversationStatus, UtcDatetime, View, utcnow
from baton.ordered import Applied, MessageLedger, OrderedConsumer, OrderedState, StateStore, remember
from baton.routing.directory import AgentDirectory, AgentRecord, Waiting
from baton.routing.policy import AgentSlot, RelaxationSteps, Request, choose, priority

logger = logging.getLogger(__name__)

ROUTING_RANK = 20
"""Routing's status (`queued`, `assigned`) wins over the decision's (`escalated`)."""

TICK_BUDGET_S = 50.0
"""How long one tick of the routing clock may wait for relaxation steps (the next tick comes a minute later;
the function's timeout is 70 s)."""

ASSIGN_ATTEMPTS = 3
"""Choices tried when the chosen agent's capacity is taken by a concurrent assignment."""

PacketBuilder = Callable[[Conversation, EscalationDecided, Context, datetime], HandoffPacket]


class BotState(BaseModel):
    paused: bool = False
    since: UtcDatetime | None = None
    reason: str | None = None


class RoutingState(OrderedState):
    escalation_seq: int | None = None
    """The escalating message of the escalation routed last (None: never escalated)."""
    escalation_message_id: str | None = None
    queued_since: UtcDatetime | None = None
    """Set while the escalation waits for an agent."""
    assignment: Assignment | None = None
    previous_agent_id: str | None = None
    """The last agent of this conversation (a reopened conversation goes back to them when they can)."""
    handed_back_at: UtcDatetime | None = None
    closed: bool = False
    bot: BotState = Field(default_factory=BotState)


def _slots(records: list[AgentRecord]) -> list[AgentSlot]:
    return [
        AgentSlot(
            id=r.agent.id,
            name=r.agent.name,
            languages=tuple(r.agent.languages),
            product_areas=tuple(r.agent.product_areas),
            skills=tuple(r.agent.skills),
            capacity=r.agent.capacity,
            status=r.agent.status,
            load=r.load,
            idle_since=r.idle_since,
        )
        for r in records
    ]


def _request(waiting: Waiting) -> Request:
    return Request(
        conversation_id=waiting.conversation_id,
        queued_at=waiting.queued_at.timestamp(),
        risk=waiting.risk,
        value=waiting.value,
        language=waiting.language,
        product_area=waiting.product_area,
        skill=waiting.skill,
        previous_agent_id=waiting.previous_agent_id,
        reopened=waiting.reopened,
    )


@dataclass
class Router:
    """Assigns waiting escalations with the policy and the directory (shared by both consumers)."""

    directory: AgentDirectory
    steps: RelaxationSteps = field(default_factory=RelaxationSteps)

    def try_assign(self, waiting: Waiting, now: datetime) -> Assignment | None:
        """An agent for `waiting` now (one transaction), or None: it waits. Idempotent: a conversation that
        already holds an assignment for this escalation gets it back."""
        held = self.directory.assignment(waiting.conversation_id)
        if held is not None and held.escalation_seq == waiting.escalation_seq:
            record = self.directory.agent(held.agent_id)
            return _assignment(record, held.assigned_at, ("assigned earlier",), 0) if record else None
        for _ in range(ASSIGN_ATTEMPTS):
            records = self.directory.agents()
            choice = choose(_request(waiting), _slots(records), now.timestamp(), self.steps)
            if choice is None:
                return None
            if self.directory.assign(
                waiting.conversation_id,
                choice.agent.id,
                waiting.escalation_seq,
                at=now,
                customer_id=waiting.customer_id,
            ):
                record = next(r for r in records if r.agent.id == choice.agent.id)
                return _assignment(record, now, choice.reasons, choice.step)
        return None


def _assignment(record: AgentRecord, at: datetime, reasons: tuple[str, ...], step: int) -> Assignment:
    return Assignment(
        agent_id=record.agent.id,
        agent_name=record.agent.name,
        assigned_at=at,
        reasons=list(reasons),
        step=step,
        helpdesk_id=record.agent.helpdesk_id,
        team=record.agent.team,
    )


class RoutingLogic:
    name: ClassVar[str] = "the routing state"
    order: ClassVar[Literal["every", "latest"]] = "latest"
    skipped_metric: ClassVar[str] = "UnroutedMessages"

    def __init__(
        self,
        router: Router,
        conversations: Any,
        contexts: Any,
        build_packet: PacketBuilder,
    ) -> None:
        """`conversations`: a `baton.ports.ConversationStore`; `contexts`: a `baton.ports.ContextSource`."""
        self.router = router
        self.conversations = conversations
        self.contexts = contexts
        self.build_packet = build_packet

    def empty(self) -> RoutingState:
        return RoutingState()

    def apply(
        self, state: RoutingState, event: EscalationDecided, *, now: datetime
    ) -> Applied[RoutingState, HandoffPrepared]:
        escalating = event.escalated_because.seq if event.escalated_because is not None else event.seq
        if event.action != "escalate" or (
            state.escalation_seq is not None and escalating <= state.escalation_seq
        ):
            return Applied(state)  # not an escalation, or this one is routed already
        conversation = self.conversations.get_conversation(event.conversation_id)
        if conversation is None:
            raise LookupError(f"conversation {event.conversation_id!r} is not stored; retried later")
        if conversation.status in (ConversationStatus.resolved, ConversationStatus.closed):
            # Ended before its escalation was routed: nobody to send, no agent's capacity to take.
            return Applied(state, log={"escalation_seq": escalating, "skipped": "conversation already ended"})
        customer = conversation.customer
        context = (
            self.contexts.context(customer.account_id, customer.id, now=now) if customer else Context(now=now)
        )
        packet = self.build_packet(conversation, event, context, now)
        previous = state.previous_agent_id or (
            self.router.directory.last_agent_of(customer.id) if customer else None
        )
        waiting = Waiting(
            conversation_id=event.conversation_id,
            escalation_seq=escalating,
            message_id=event.message_id,
            queued_at=now,
            risk=event.risk,
            value=context.account.annual_value if context.account else None,
            language=customer.language if customer else None,
            product_area=packet.classification.product_area,
            skill=packet.classification.skill,
            customer_id=customer.id if customer else None,
            previous_agent_id=previous,
        )
        assignment = self.router.try_assign(waiting, now)
        if assignment is None:
            self.router.directory.enqueue(waiting)
        reason = f"escalated: {event.guardrail or 'risk'}"
        routed = state.model_copy(
            update={
                "escalation_seq": escalating,
                "escalation_message_id": event.message_id,
                "queued_since": None if assignment else now,
                "assignment": assignment,
                "previous_agent_id": assignment.agent_id if assignment else state.previous_agent_id,
                "handed_back_at": None,
                "closed": False,
                "bot": BotState(paused=True, since=now, reason=reason),
            }
        )
        prepared = HandoffPrepared(
            event_id=event_id_for(
                HandoffPrepared.DETAIL_TYPE,
                event.conversation_id,
                str(escalating),
                assignment.agent_id if assignment else "queued",
            ),
            occurred_at=now,
            conversation_id=event.conversation_id,
            seq=escalating,
            message_id=event.message_id,
            assignment=assignment,
            queued_since=None if assignment else now,
            handoff=packet,
        )
        metric = "EscalationsAssigned" if assignment else "EscalationsQueued"
        log = {"escalation_seq": escalating, "agent_id": assignment.agent_id if assignment else None}
        return Applied(routed, prepared, metrics={metric: 1}, log=log)

    def forget(
        self, state: RoutingState, latest: HandoffPrepared | None, redacted: Mapping[str, datetime]
    ) -> tuple[RoutingState, HandoffPrepared | None]:
        """Remember the redacted ids, and drop from the packet everything it quoted of those messages (its
        quotes, entities and bot attempts; the summary and the note are rendered again without them)."""
        from baton.routing.packet import redact_packet

        remembered = dict(state.redacted)
        for message_id, at in redacted.items():
            remembered = remember(remembered, message_id, at)
        if latest is not None:
            latest = latest.model_copy(update={"handoff": redact_packet(latest.handoff, set(redacted))})
        return state.model_copy(update={"redacted": remembered}), latest

    def view(self, state: RoutingState, latest: HandoffPrepared | None) -> View | None:
        if state.escalation_seq is None:
            return None
        shown = state.model_dump(mode="json", include={"queued_since", "bot", "assignment"})
        if state.assignment is not None:
            assignment: dict[str, Any] = {"state": "assigned", **shown["assignment"]}
            status = ConversationStatus.assigned
        elif state.queued_since is not None:
            assignment = {"state": "queued", "since": shown["queued_since"]}
            status = ConversationStatus.queued
        else:
            assignment = {"state": "handed_back" if state.handed_back_at else "ended"}
            status = None
        fields: dict[str, Any] = {"assignment": assignment, "bot": shown["bot"]}
        if latest is not None:
            fields["handoff"] = latest.handoff.model_dump(mode="json")
        return View(capability="routing", fields=fields, status=status, rank=ROUTING_RANK)


type RoutingConsumer = OrderedConsumer[RoutingState, EscalationDecided, HandoffPrepared]


def routing_consumer(
    router: Router,
    store: StateStore[RoutingState, HandoffPrepared],
    publisher: Any,
    conversations: Any,
    contexts: Any,
    build_packet: PacketBuilder,
    ledger: MessageLedger | None = None,
    *,
    clock: Callable[[], datetime] = utcnow,
) -> RoutingConsumer:
    logic = RoutingLogic(router, conversations, contexts, build_packet)
    return OrderedConsumer(logic, store, publisher, ledger, clock=clock)


# ------------------------------------------------------------------------------------------ capacity


CAPACITY_EVENTS: tuple[type[BusEvent], ...] = (
    AgentStatusChanged,
    AgentUpdated,
    HandedBack,
    OutcomeRecorded,
)


@dataclass
class Drained:
    assigned: int = 0
    waiting: int = 0


class Dispatcher:
    """The `route-capacity` consumer's logic (module docstring)."""

    def __init__(
        self,
        router: Router,
        routing: RoutingConsumer,
        publisher: Any,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.router = router
        self.directory = router.directory
        self.routing = routing
        self.publisher = publisher
        self.clock = clock

    def handle(self, event: BusEvent) -> Drained:
        now = self.clock()
        if isinstance(event, AgentUpdated):
            self.directory.put_agent(event.agent, at=now)
        elif isinstance(event, AgentStatusChanged):
            if not self.directory.set_status(event.agent_id, event.status, at=now):
                logger.warning("status of an unknown agent ignored", extra={"agent_id": event.agent_id})
        elif isinstance(event, HandedBack):
            self.end(event.conversation_id, handed_back=True, at=now)
        elif isinstance(event, RoutingClockTicked):
            return self.tick()
        elif isinstance(event, OutcomeRecorded):
            if event.kind in ("resolved", "closed"):
                self.end(event.conversation_id, handed_back=False, at=now)
            elif event.kind == "reopened":
                self.reopen(event.conversation_id, at=now)
        return self.drain(now)

    def end(self, conversation_id: str, *, handed_back: bool, at: datetime) -> None:
        """The conversation's agent is free again (handed back to the bot, or the conversation ended)."""
        self.directory.release(conversation_id, at=at)
        self.directory.dequeue(conversation_id)

        def ended(
            state: RoutingState, latest: HandoffPrepared | None
        ) -> tuple[RoutingState, HandoffPrepared | None]:
            if state.escalation_seq is None:
                return state, latest
            update: dict[str, Any] = {"assignment": None, "queued_since": None, "bot": BotState()}
            if handed_back:
                update["handed_back_at"] = at
            else:
                update["closed"] = True
            return state.model_copy(update=update), latest

        self.routing.amend(conversation_id, ended, why="ending the assignment")

    def reopen(self, conversation_id: str, *, at: datetime) -> None:
        """A reopened conversation that had an agent: back to that agent when they are online with capacity,
        else routed like an escalation (it waits in the queue)."""
        stored = self.routing.store.load(conversation_id)
        if stored is None or stored.state.escalation_seq is None or stored.state.assignment is not None:
            return
        state, latest = stored.state, stored.event
        waiting = Waiting(
            conversation_id=conversation_id,
            escalation_seq=state.escalation_seq or 1,
            message_id=state.escalation_message_id or "",
            queued_at=at,
            risk=latest.handoff.why.risk if latest else 0.0,
            language=latest.handoff.language if latest else None,
            product_area=latest.handoff.classification.product_area if latest else None,
            skill=latest.handoff.classification.skill if latest else None,
            previous_agent_id=state.previous_agent_id,
            reopened=True,
        )
        self.directory.enqueue(waiting)
        self.routing.amend(
            conversation_id,
            lambda s, latest: (
                s.model_copy(
                    update={
                        "queued_since": at,
                        "closed": False,
                        "bot": BotState(paused=True, since=at, reason="reopened"),
                    }
                ),
                latest,
            ),
            why="reopening",
        )

    def tick(
        self, *, budget_s: float = TICK_BUDGET_S, sleep: Callable[[float], None] = time.sleep
    ) -> Drained:
        """The routing clock (deployed: once a minute): drain now, then wake at each waiting escalation's next
        relaxation step that falls within `budget_s` and drain again, so a step is never a minute late."""
        start = self.clock()
        total = self.drain(start)
        while True:
            now = self.clock()
            due = [
                d
                for w in self.directory.waiting()
                if (d := self.router.steps.next_step_in((now - w.queued_at).total_seconds())) is not None
            ]
            elapsed = (now - start).total_seconds()
            if not due or elapsed + min(due) > budget_s:
                return total
            sleep(min(due) + 0.01)
            drained = self.drain(self.clock())
            total = Drained(assigned=total.assigned + drained.assigned, waiting=drained.waiting)

    def drain(self, now: datetime) -> Drained:
        """Assign what waits, highest priority first, while agents have capacity.

        Once no agent is online with capacity, nobody waiting can be assigned: the drain stops there rather than
        trying each waiting escalation (two reads each), so a drain with no capacity costs two reads whatever the
        queue's length (`baton local` drains every second; a queue of hundreds made hundreds of reads a second).
        An escalation already assigned while it still waits (a race between two deliveries) is settled by the
        next drain with capacity, as any other."""
        queue = self.directory.waiting()
        if not queue:
            return Drained()
        ranked = sorted(queue, key=lambda w: (-priority(_request(w), now.timestamp()), w.queued_at))
        drained = Drained(waiting=len(queue))
        records = self.directory.agents()
        for waiting in ranked:
            if not any(slot.free for slot in _slots(records)):
                break
            assignment = self.router.try_assign(waiting, now)
            if assignment is None:
                continue
            drained.assigned += 1
            drained.waiting -= 1
            self._assigned(waiting, assignment, now)
            records = self.directory.agents()  # the assignment took capacity
        return drained

    def _assigned(self, waiting: Waiting, assignment: Assignment, now: datetime) -> None:
        published: list[HandoffPrepared] = []

        def assign(
            state: RoutingState, latest: HandoffPrepared | None
        ) -> tuple[RoutingState, HandoffPrepared | None]:
            new_state = state.model_copy(
                update={
                    "assignment": assignment,
                    "queued_since": None,
                    "previous_agent_id": assignment.agent_id,
                    "closed": False,
                }
            )
            if latest is None:
                return new_state, latest
            event = latest.model_copy(
                update={
                    "event_id": event_id_for(
                        HandoffPrepared.DETAIL_TYPE,
                        waiting.conversation_id,
                        str(waiting.escalation_seq),
                        assignment.agent_id,
                    ),
                    "occurred_at": now,
                    "assignment": assignment,
                    "queued_since": None,
                }
            )
            published[:] = [event]
            return new_state, event

        self.routing.amend(waiting.conversation_id, assign, why="assigning from the queue")
        if published:
            self.publisher.publish(published)
