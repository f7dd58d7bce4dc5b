"""The shadow challenger: a second parameters document decides every decided message too, from its own state in
the same item, and its decision rides on the champion's as `shadow`. It never acts; it survives redeliveries,
the message order, redactions and hand-backs; a challenger that cannot decide never breaks the champion."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from baton.adapters.memory import MemoryPublisher
from baton.context.store import MemoryContextStore
from baton.decision.engine import handed_back
from baton.decision.params import DecisionParams, InvalidParams, load_default
from baton.decision.service import REDACTED_EVIDENCE, decision_consumer
from baton.decision.store import MemoryDecisionStore
from baton.errors import OutOfOrder
from baton.events import EscalationDecided, MessageRedacted, MessageScored
from baton.models import DecisionView
from baton.scoring.fakes import T0, conversation, fake_models, received
from baton.scoring.scorer import Scorer
from baton.scoring.service import scoring_consumer
from baton.scoring.store import MemoryArcStore

TURNS = (
    ("customer", "Hi, where can I download my invoices?"),
    ("bot", "Under Settings > Billing.", 0.9),
    ("customer", "Can I speak to a real person please?"),
    ("bot", "Connecting you.", 0.9),
    ("customer", "thanks"),
)


def scored(*turns: tuple[Any, ...]) -> list[MessageScored]:
    publisher = MemoryPublisher()
    scoring = scoring_consumer(Scorer(fake_models()), MemoryArcStore(), publisher, clock=lambda: T0)
    for message in conversation(*turns):
        scoring.handle(received(message))
    return [e for e in publisher.events if isinstance(e, MessageScored)]


def variant(version: str, **changes: Any) -> DecisionParams:
    """The shipped parameters with some blocks changed (a challenger), under another version."""
    document = json.loads(load_default().to_json())
    for block, values in changes.items():
        document[block] = {**document[block], **values} if isinstance(values, dict) else values
    return DecisionParams.model_validate({**document, "version": version})


# Never escalates on its own: no human-request guardrail, thresholds nobody reaches.
DEAF = variant(
    "challenger-deaf-1",
    guardrails={"human_request": False},
    thresholds={"escalate": 0.999, "monitor_escalate": 0.999, "monitor": 0.999},
)
# Escalates whatever the risk: every threshold at its floor, the first message included.
EAGER = variant(
    "challenger-eager-1",
    thresholds={
        "escalate": 0.001,
        "monitor_escalate": 0.001,
        "monitor": 0.001,
        "exit": 0.001,
        "first_message_escalates": True,
    },
)


def consumer(store: MemoryDecisionStore, publisher: MemoryPublisher, challenger: Any = None) -> Any:
    return decision_consumer(
        load_default,
        MemoryContextStore(),
        store,
        publisher,
        clock=lambda: T0,
        sleep=lambda s: None,
        challenger=challenger,
    )


def decided(publisher: MemoryPublisher) -> list[EscalationDecided]:
    return [e for e in publisher.events if isinstance(e, EscalationDecided)]


def run(challenger: Any = None, turns: tuple[tuple[Any, ...], ...] = TURNS) -> tuple[Any, MemoryPublisher]:
    store, publisher = MemoryDecisionStore(), MemoryPublisher()
    service = consumer(store, publisher, challenger)
    for event in scored(*turns):
        service.handle(event)
    return service, publisher


def test_the_challengers_decision_rides_on_every_decision_and_the_conversation_shows_it() -> None:
    service, publisher = run(lambda: DEAF)
    events = decided(publisher)
    assert [(e.seq, e.action) for e in events] == [(1, "resolve"), (3, "escalate"), (5, "escalate")]
    assert [(e.shadow.action, e.shadow.guardrail) for e in events] == [
        ("resolve", None),
        ("resolve", None),  # the challenger does not hear the request for a person
        ("resolve", None),
    ]
    assert {e.shadow.model_version for e in events} == {"challenger-deaf-1"}
    assert events[1].guardrail == "human_requested"  # the champion's, published as ever

    stored = service.store.load("conv-1")
    view = service.logic.view(stored.state, stored.event)
    shown = DecisionView.model_validate(view.fields["decision"])
    assert shown.action == "escalate" and shown.shadow is not None and shown.shadow.action == "resolve"
    assert view.status.value == "escalated"  # the status follows the champion alone
    assert stored.state.shadow_state is not None and stored.state.shadow_state.shadow_state is None
    assert stored.state.shadow_state.mode == "resolve" and stored.state.mode == "escalate"


def test_the_shadow_never_changes_what_is_published_or_stored_for_the_champion() -> None:
    for challenger in (DEAF, EAGER):
        alone, without = run()
        shadowed, with_shadow = run(lambda c=challenger: c)
        same = {"shadow", "occurred_at"}  # occurred_at: when the event object was made
        plain = [e.model_dump(exclude=same) for e in decided(without)]
        assert plain == [e.model_dump(exclude=same) for e in decided(with_shadow)]
        assert all(e.shadow is None for e in decided(without))
        assert [e.event_id for e in decided(with_shadow)] == [e.event_id for e in decided(without)]
        champion_state = shadowed.store.load("conv-1").state.model_copy(update={"shadow_state": None})
        assert champion_state == alone.store.load("conv-1").state
    eager = [e.shadow.action for e in decided(with_shadow)]
    assert eager == ["escalate", "escalate", "escalate"]  # it would have escalated the first message


def test_a_redelivery_republishes_the_decision_with_the_same_shadow_and_order_holds_for_both() -> None:
    store, publisher = MemoryDecisionStore(), MemoryPublisher()
    service = consumer(store, publisher, lambda: EAGER)
    first, _, third, *_ = scored(*TURNS)
    with pytest.raises(OutOfOrder):
        service.handle(third)  # ahead of its predecessor: neither state moved
    assert store.load("conv-1") is None
    handled = service.handle(first)
    again = service.handle(first)
    assert again.outcome == "duplicate" and again.event == handled.event
    assert again.event.shadow is not None and again.event.shadow.action == "escalate"
    # The predecessor (the bot's message) never comes: both go on without it, the shadow decides seq 3 too.
    late = service.handle(third, stop_waiting=True)
    assert late.skipped == 1 and late.event.shadow is not None
    state = store.load("conv-1").state
    assert (state.last_seq, state.shadow_state.last_seq) == (3, 3)


def test_a_challenger_that_cannot_decide_never_breaks_the_champion(caplog) -> None:
    store, publisher = MemoryDecisionStore(), MemoryPublisher()
    documents: list[Any] = [DEAF, "broken", DEAF]

    def challenger() -> DecisionParams:
        document = documents.pop(0)
        if document == "broken":  # as the parameter store reader raises for a document that does not validate
            raise InvalidParams("invalid decision parameters (1 problem): thresholds.escalate: too high")
        return document

    service = consumer(store, publisher, challenger)
    first, second, third, fourth, fifth = scored(*TURNS)
    assert service.handle(first).metrics["ShadowDecisions"] == 1
    service.handle(second)
    kept = store.load("conv-1").state.shadow_state

    with caplog.at_level(logging.ERROR, logger="baton.decision.service"):
        handled = service.handle(third)
    assert handled.outcome == "applied" and handled.event.action == "escalate"  # the champion decided
    assert handled.event.shadow is None and "shadow" not in handled.log
    assert handled.metrics["ShadowFailures"] == 1 and "ShadowDecisions" not in handled.metrics
    (record,) = [r for r in caplog.records if "shadow challenger could not decide" in r.getMessage()]
    assert record.error_type == "InvalidParams" and "thresholds.escalate" in record.error
    assert store.load("conv-1").state.shadow_state == kept  # left as it was: it skips this message

    service.handle(fourth)
    back = service.handle(fifth)
    assert back.event.shadow is not None and back.metrics["ShadowDecisions"] == 1
    assert store.load("conv-1").state.shadow_state.last_seq == 5


def test_whatever_breaks_in_the_shadow_is_contained() -> None:
    def unreachable() -> DecisionParams:
        raise ConnectionError("parameter store unreachable")

    _, publisher = run(unreachable)
    assert [e.action for e in decided(publisher)] == ["resolve", "escalate", "escalate"]
    assert all(e.shadow is None for e in decided(publisher))


def test_disagreements_are_counted_and_logged() -> None:
    store, publisher = MemoryDecisionStore(), MemoryPublisher()
    service = consumer(store, publisher, lambda: DEAF)
    first, second, third, *_ = scored(*TURNS)
    assert "ShadowDisagreements" not in service.handle(first).metrics
    service.handle(second)
    handled = service.handle(third)
    assert handled.metrics["ShadowDisagreements"] == 1
    assert handled.log["shadow"] == {
        "action": "resolve",
        "risk": handled.event.shadow.risk,
        "model_version": "challenger-deaf-1",
        "guardrail": None,
    }


def test_a_challenger_configured_mid_conversation_starts_where_the_champion_stands() -> None:
    store, publisher = MemoryDecisionStore(), MemoryPublisher()
    events = scored(*TURNS)
    before = consumer(store, publisher)  # no challenger yet
    for event in events[:3]:
        before.handle(event)
    assert store.load("conv-1").state.shadow_state is None
    after = consumer(store, publisher, lambda: DEAF)  # deployed with one
    for event in events[3:]:
        after.handle(event)
    last = decided(publisher)[-1]
    # It inherits the escalation standing from message 3 (an escalation is kept for the conversation).
    assert last.shadow is not None and last.shadow.action == "escalate"
    # And when the challenger goes away, so does its state.
    removed = consumer(store, publisher)
    extra = scored(*TURNS, ("customer", "are you there?"))[-1]
    removed.handle(extra)
    assert store.load("conv-1").state.shadow_state is None and decided(publisher)[-1].shadow is None


def test_a_redaction_scrubs_the_quote_from_the_shadow_state_too() -> None:
    turns = (("customer", "I'm filing a chargeback with my bank today"),)
    store, publisher = MemoryDecisionStore(), MemoryPublisher()
    service = consumer(store, publisher, lambda: EAGER)
    (event,) = scored(*turns)
    decision = service.handle(event).event
    assert decision.guardrail == "payment_dispute" and decision.shadow.guardrail == "payment_dispute"
    state = store.load("conv-1").state
    assert "chargeback" in json.dumps(state.shadow_state.model_dump(mode="json"))

    service.redact(
        MessageRedacted(event_id="r-m1", conversation_id="conv-1", message_id="m1", redacted_at=T0)
    )
    stored = store.load("conv-1")
    everything = json.dumps(stored.state.model_dump(mode="json")) + stored.event.model_dump_json()
    assert "chargeback" not in everything
    shadow = stored.state.shadow_state
    assert shadow.escalated_reasons[0].evidence == REDACTED_EVIDENCE
    assert shadow.redacted == {}  # the ids are remembered once, in the champion's state


def test_a_hand_back_hands_the_shadow_back_too() -> None:
    store, publisher = MemoryDecisionStore(), MemoryPublisher()
    service = consumer(store, publisher, lambda: EAGER)
    first, second, third, *_ = scored(*TURNS)
    for event in (first, second):
        service.handle(event)
    assert store.load("conv-1").state.shadow_state.mode == "escalate"
    assert service.amend("conv-1", lambda s, latest: (handed_back(s), latest), why="handing back")
    state = store.load("conv-1").state
    assert (state.shadow_state.mode, state.shadow_state.handed_back_seq) == ("monitor", 2)
    assert state.shadow_state.escalated_seq is None
    assert not service.amend("conv-1", lambda s, latest: (handed_back(s), latest), why="again")
    # After the hand-back the eager challenger escalates again only on a new trigger (the request for a person).
    assert service.handle(third).event.shadow.guardrail == "human_requested"


def test_the_decide_function_publishes_the_champions_decision_and_counts_the_broken_shadow(
    sample_event, capsys
) -> None:
    from sqs_helpers import FakeContext, envelope, failed, sqs_event

    from functions.decide.handler import lambda_handler

    def broken() -> DecisionParams:
        raise InvalidParams("invalid decision parameters (1 problem): version: field required")

    store, publisher = MemoryDecisionStore(), MemoryPublisher()
    bodies = [
        envelope(json.loads(e.model_dump_json()), detail_type="MessageScored", source="baton.scoring")
        for e in scored(*TURNS)
    ]
    sample = sample_event("sqs/score_message_received.json")
    response = lambda_handler(
        sqs_event(sample, *bodies), FakeContext(), consumer=consumer(store, publisher, broken)
    )
    assert failed(response) == []
    assert [(e.seq, e.action, e.shadow) for e in decided(publisher)] == [
        (1, "resolve", None),
        (3, "escalate", None),
        (5, "escalate", None),
    ]
    out = capsys.readouterr().out  # the metrics, as CloudWatch embedded metric format
    assert '"ShadowFailures":[1.0,1.0,1.0]' in out and '"Decisions":[1.0,1.0,1.0]' in out
