"""The decision capability's logic for the ordered consumer (`baton.ordered`): a MessageScored in, enriched and
decided, EscalationDecided out.

Order, once-only, the predecessor wait, publish-then-commit and redaction are the component's. What is the
decision's:

- a customer message: enrich (`ContextSource.context`: at most two DynamoDB round trips, plus what the message
  says about the page the customer is on), decide (`baton.decision.engine.decide`), publish EscalationDecided;
- a bot or agent message (or a redacted or empty customer message): nothing to decide (the next customer
  message's arc carries what it did); the state moves past it so that order holds, and nothing is published;
- a redaction: the latest decision forgets a guardrail's quote of the message (the decision itself stands),
  and so does the escalation's cause carried on every later decision;
- the view: the conversation's `decision`, and the status it implies (`escalated`, `monitoring`, `open`);
  and its `risk_trail`: the last `RISK_TRAIL` decisions' {seq, risk, action}, oldest first (the console's chart
  of risk over time, beside scoring's `trail` of sentiment).

The parameters come from `params()` on every message: the function passes a cached Powertools parameters
lookup (a team's new thresholds apply within its max age, with no redeploy); tests pass a constant.

**The shadow challenger** (`challenger()`, when configured: a second parameters document read the same way)
decides every decided message too, from its own state (`DecisionState.shadow_state`, kept in the same item),
and its decision rides on the champion's as `shadow` {action, risk, model_version, guardrail}. It never acts:
what is published, stored and shown is the champion's decision. Its state starts as a copy of the champion's
(a challenger configured mid-conversation picks up where the champion stands), is handed back with it and
forgets a redacted message's quote with it. A challenger that cannot decide (a document that does not validate,
a parameter store error) is logged and counted (`ShadowFailures`); the champion's decision goes out without a
shadow, and the shadow's state stays as it was.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, ClassVar, Literal

from baton.context.models import Context
from baton.decision.engine import DecisionState, decide
from baton.decision.page import with_page
from baton.decision.params import DecisionParams
from baton.decision.store import STATUS_OF_ACTION, decision_view
from baton.events import EscalationDecided, MessageScored
from baton.models import Reason, RiskPoint, Role, ShadowDecision, View, utcnow
from baton.ordered import Applied, MessageLedger, OrderedConsumer, StateStore, as_stored, remember
from baton.ports import ContextSource

logger = logging.getLogger(__name__)

REDACTED_EVIDENCE = "the message was redacted"
"""A guardrail's evidence after the helpdesk redacted the message it quoted."""

DECISION_RANK = 10
"""The decision's status (`escalated`, `monitoring`) gives way to routing's (`assigned`, `queued`)."""

RISK_TRAIL = 100
"""Decisions whose risk the conversation keeps in its `risk_trail` (like scoring's `TRAIL` of scores)."""


class DecisionLogic:
    name: ClassVar[str] = "the decision state"
    order: ClassVar[Literal["every", "latest"]] = "every"
    skipped_metric: ClassVar[str] = "UndecidedMessages"

    def __init__(
        self,
        params: Callable[[], DecisionParams],
        contexts: ContextSource,
        challenger: Callable[[], DecisionParams] | None = None,
    ) -> None:
        self.params = params
        self.contexts = contexts
        self.challenger = challenger

    def empty(self) -> DecisionState:
        return DecisionState()

    def apply(
        self, state: DecisionState, scored: MessageScored, *, now: datetime
    ) -> Applied[DecisionState, EscalationDecided]:
        # A redaction that overtook the message: decide from what the store holds now, without its text (the
        # scores, computed before the redaction, carry none and still count: "get me a human" stays heard).
        message = as_stored(scored.message, state.redacted) if scored.message is not None else None
        undecidable = message is not None and scored.scores.sentiment is None and not message.text.strip()
        if scored.role != Role.customer or undecidable:
            return Applied(state)
        if message is None:
            logger.warning(
                "MessageScored without its message (an older scoring version): decided without text or context",
                extra={"conversation_id": scored.conversation_id, "seq": scored.seq},
            )
            context = Context(now=now)
        else:
            customer = message.customer
            context = with_page(self.contexts.context(customer.account_id, customer.id, now=now), message)
        text = message.text if message is not None else ""
        decision, new_state = decide(
            scored.scores, scored.arc, context, state, self.params(), text=text, seq=scored.seq
        )
        if decision.action == "escalate" and decision.previous != "escalate":
            new_state = new_state.model_copy(update={"escalated_message_id": scored.message_id})
        shadow, shadow_state, metrics = self._shadow(state, scored, context, text)
        point = RiskPoint(seq=scored.seq, risk=decision.risk, action=decision.action)
        new_state = new_state.model_copy(
            update={"shadow_state": shadow_state, "risk_trail": [*state.risk_trail, point][-RISK_TRAIL:]}
        )
        event = decision.event(
            conversation_id=scored.conversation_id,
            seq=scored.seq,
            message_id=scored.message_id,
            decided_at=now,
            sent_at=message.sent_at if message is not None else None,
            shadow=shadow,
        )
        metrics["Decisions"] = 1
        if decision.changed:
            metrics[f"{decision.action.capitalize()}Decisions"] = 1
        if decision.guardrail:
            metrics["GuardrailEscalations"] = 1
        if shadow is not None and shadow.action != decision.action:
            metrics["ShadowDisagreements"] = 1
        log: dict[str, Any] = {
            "action": decision.action,
            "previous": decision.previous,
            "risk": decision.risk,
            "guardrail": decision.guardrail,
            "reasons": [r.code for r in decision.reasons],
            "model_version": decision.model_version,
        }
        if shadow is not None:
            log["shadow"] = shadow.model_dump()
        return Applied(new_state, event, metrics=metrics, log=log)

    def _shadow(
        self, state: DecisionState, scored: MessageScored, context: Context, text: str
    ) -> tuple[ShadowDecision | None, DecisionState | None, dict[str, float]]:
        """The challenger's decision on the message from its own state, its state after it, and the counts:
        (None, None) without a challenger; (None, the state as it was) when it could not decide."""
        if self.challenger is None:
            return None, None, {}
        # A challenger configured mid-conversation starts from where the champion stands.
        before = state.shadow_state
        if before is None:
            # The risk trail is the champion's alone: shown, never decided from.
            before = state.model_copy(update={"shadow_state": None, "redacted": {}, "risk_trail": []})
        try:
            decision, after = decide(
                scored.scores, scored.arc, context, before, self.challenger(), text=text, seq=scored.seq
            )
        except Exception as exc:  # whatever breaks the shadow must never fail the champion's decision
            logger.error(
                "the shadow challenger could not decide: the decision goes out without its shadow",
                extra={
                    "conversation_id": scored.conversation_id,
                    "seq": scored.seq,
                    "error_type": type(exc).__name__,
                    "error": str(exc)[:1000],
                },
            )
            return None, state.shadow_state, {"ShadowFailures": 1}
        if decision.action == "escalate" and decision.previous != "escalate":
            after = after.model_copy(update={"escalated_message_id": scored.message_id})
        return decision.shadow(), after, {"ShadowDecisions": 1}

    def forget(
        self, state: DecisionState, latest: EscalationDecided | None, redacted: Mapping[str, datetime]
    ) -> tuple[DecisionState, EscalationDecided | None]:
        return forgetting(state, latest, redacted)

    def view(self, state: DecisionState, latest: EscalationDecided | None) -> View | None:
        if latest is None:
            return None
        fields: dict[str, Any] = {"decision": decision_view(latest)}
        if state.risk_trail:
            fields["risk_trail"] = [point.model_dump(mode="json") for point in state.risk_trail]
        status = STATUS_OF_ACTION[latest.action]
        if (
            latest.action == "escalate"
            and state.mode != "escalate"
            and (state.handed_back_seq or 0) >= latest.seq
        ):
            # Handed back to the bot after the escalating decision: watched closely until the next message decides.
            status = STATUS_OF_ACTION["monitor"]
        return View(capability="decision", fields=fields, status=status, rank=DECISION_RANK)


type DecisionConsumer = OrderedConsumer[DecisionState, MessageScored, EscalationDecided]


def decision_consumer(
    params: Callable[[], DecisionParams],
    contexts: ContextSource,
    decisions: StateStore[DecisionState, EscalationDecided],
    publisher: Any,
    ledger: MessageLedger | None = None,
    *,
    clock: Callable[[], datetime] = utcnow,
    sleep: Callable[[float], None] | None = None,
    challenger: Callable[[], DecisionParams] | None = None,
) -> DecisionConsumer:
    """`challenger`: the shadow challenger's parameters (None: no shadow; see the module docstring)."""
    kwargs: dict[str, Any] = {"clock": clock} | ({"sleep": sleep} if sleep is not None else {})
    logic = DecisionLogic(params, contexts, challenger)
    return OrderedConsumer(logic, decisions, publisher, ledger, **kwargs)


def forgetting(
    state: DecisionState, event: EscalationDecided | None, redacted: Mapping[str, datetime]
) -> tuple[DecisionState, EscalationDecided | None]:
    """The state with the redacted ids remembered, and the event without a guardrail's quote of its message
    when it is one of them (the decision itself stands); the shadow challenger's state forgets its quotes too."""
    remembered = state.redacted
    for message_id, at in redacted.items():
        remembered = remember(remembered, message_id, at)
    if remembered != state.redacted:
        state = state.model_copy(update={"redacted": remembered})
    if event is not None and event.message_id in redacted and event.guardrail is not None:
        reasons = _unquoted(event.reasons, event.guardrail)
        if reasons != event.reasons:
            event = event.model_copy(update={"reasons": reasons})
    if state.shadow_state is not None:
        shadow = _cause_unquoted(state.shadow_state, redacted)
        if shadow is not state.shadow_state:
            state = state.model_copy(update={"shadow_state": shadow})
    # The escalation's cause travels on every later decision: forget its quote there too.
    guardrail = state.escalated_by if state.escalated_by not in (None, "risk") else None
    if guardrail is not None and state.escalated_message_id in redacted:
        state = _cause_unquoted(state, redacted)
        cause = event.escalated_because if event is not None else None
        if cause is not None and cause.seq == state.escalated_seq:
            unquoted = _unquoted(cause.reasons, guardrail)
            if unquoted != cause.reasons:
                event = event.model_copy(  # type: ignore[union-attr]
                    update={"escalated_because": cause.model_copy(update={"reasons": unquoted})}
                )
    return state, event


def _cause_unquoted(state: DecisionState, redacted: Mapping[str, datetime]) -> DecisionState:
    """The state without the escalating guardrail's quote when the escalating message is redacted."""
    guardrail = state.escalated_by if state.escalated_by not in (None, "risk") else None
    if guardrail is None or state.escalated_message_id not in redacted:
        return state
    kept = _unquoted(state.escalated_reasons, guardrail)
    return state if kept == state.escalated_reasons else state.model_copy(update={"escalated_reasons": kept})


def _unquoted(reasons: list[Reason], guardrail: str) -> list[Reason]:
    return [
        r.model_copy(update={"evidence": REDACTED_EVIDENCE}) if r.code == guardrail else r for r in reasons
    ]
