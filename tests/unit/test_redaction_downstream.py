"""A helpdesk redaction reaches what scoring and the decision keep of a message: the arc forgets its
fingerprints and the latest scored message's text, the decision forgets a guardrail's quote; a redaction that
overtakes its message on the bus makes the message processed as redacted. Nothing keeps the text."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from baton.adapters.memory import MemoryPublisher
from baton.context.store import MemoryContextStore
from baton.decision.params import load_default
from baton.decision.service import REDACTED_EVIDENCE, decision_consumer
from baton.decision.store import MemoryDecisionStore
from baton.errors import ConcurrentUpdate
from baton.events import MessageRedacted, MessageScored, event_id_for
from baton.ingestion.memory import MemoryConversationStore
from baton.ingestion.service import IngestionService
from baton.models import MessageIn, Source
from baton.scoring.fakes import CUSTOMER, T0, conversation, fake_models, received
from baton.scoring.scorer import Scorer
from baton.scoring.service import scoring_consumer
from baton.scoring.store import MemoryArcStore

SECRET = "4111 1111 1111 1111"
TURNS = (
    ("customer", f"My card {SECRET} was charged twice for my plan"),
    ("bot", "Invoices are under Settings > Billing.", 0.4),
    ("customer", f"I will call my lawyer about card {SECRET}"),
)
AT = T0 + timedelta(hours=1)


def redaction(message_id: str, conversation_id: str = "conv-1") -> MessageRedacted:
    return MessageRedacted(
        event_id=event_id_for("MessageRedacted", conversation_id, message_id),
        conversation_id=conversation_id,
        message_id=message_id,
        redacted_at=AT,
    )


@pytest.fixture
def arcs() -> MemoryArcStore:
    return MemoryArcStore()


@pytest.fixture
def scoring(arcs: MemoryArcStore, publisher: MemoryPublisher) -> scoring_consumer:
    return scoring_consumer(Scorer(fake_models()), arcs, publisher, clock=lambda: T0)


@pytest.fixture
def decisions() -> MemoryDecisionStore:
    return MemoryDecisionStore()


@pytest.fixture
def deciding(decisions, publisher) -> decision_consumer:
    return decision_consumer(
        load_default, MemoryContextStore(), decisions, publisher, clock=lambda: T0, sleep=lambda s: None
    )


def scored_events(publisher: MemoryPublisher) -> list[MessageScored]:
    return [e for e in publisher.events if isinstance(e, MessageScored)]


def test_the_arc_forgets_a_redacted_message_and_no_longer_recognises_it(scoring, arcs, publisher) -> None:
    messages = conversation(*TURNS)
    for message in messages:
        scoring.handle(received(message))
    before = arcs.load("conv-1")
    assert "m3" in [r.message_id for r in before.state.recent]
    assert SECRET in before.event.model_dump_json()  # the latest scored message, kept for redelivery

    assert scoring.redact(redaction("m3")) is True

    after = arcs.load("conv-1")
    assert [r.message_id for r in after.state.recent] == ["m1"]
    stored = json.dumps([after.state.model_dump(mode="json"), after.event.model_dump(mode="json")])
    assert SECRET not in stored and "lawyer" not in stored
    assert after.event.message.redacted_at == AT and after.event.message.text == ""
    # Counts and scores stay: they say nothing of what was written.
    assert after.state.customer_turns == before.state.customer_turns
    assert after.event.scores == before.event.scores
    # Redelivered, the latest message is re-published as the store now holds it.
    assert scoring.handle(received(messages[2])).outcome == "duplicate"
    assert scored_events(publisher)[-1].message.text == ""
    assert scoring.redact(redaction("m3")) is False  # a repeated redaction changes nothing


def test_a_redaction_that_overtakes_its_message_makes_it_scored_as_redacted(scoring, publisher) -> None:
    messages = conversation(*TURNS)
    scoring.handle(received(messages[0]))
    assert scoring.redact(redaction("m2")) is True  # the bot's answer, not scored yet
    scoring.handle(received(messages[1]))  # its MessageReceived was published before the redaction
    event = scored_events(publisher)[-1]
    assert event.message_id == "m2" and event.message.text == "" and event.message.redacted_at == AT
    assert event.message.bot is not None and event.message.bot.attempt is None


def test_a_redaction_before_anything_was_scored_is_remembered(scoring, arcs, publisher) -> None:
    (first,) = conversation(TURNS[0])
    assert scoring.redact(redaction("m1")) is True
    assert arcs.load("conv-1").event is None
    handled = scoring.handle(received(first))
    assert handled.outcome == "applied"
    assert handled.event.message.text == "" and handled.event.scores.sentiment is None  # nothing to score
    assert SECRET not in arcs.load("conv-1").state.model_dump_json()


def test_a_redaction_retries_a_concurrent_write_and_gives_up_loudly(scoring, arcs) -> None:
    (first,) = conversation(TURNS[0])
    scoring.handle(received(first))
    real_save, calls = arcs.save, []

    def racing_save(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise ConcurrentUpdate("a message was scored meanwhile")
        return real_save(*args, **kwargs)

    arcs.save = racing_save  # type: ignore[method-assign]
    assert scoring.redact(redaction("m1")) is True and len(calls) == 2

    def always_racing(*args, **kwargs):
        raise ConcurrentUpdate("busy")

    arcs.save = always_racing  # type: ignore[method-assign]
    with pytest.raises(ConcurrentUpdate, match="while redacting 'm9'"):
        scoring.redact(redaction("m9"))


def test_the_decision_forgets_a_guardrails_quote_of_a_redacted_message(
    scoring, deciding, decisions, publisher
) -> None:
    for message in conversation(*TURNS):
        scoring.handle(received(message))
    for event in scored_events(publisher):
        deciding.handle(event)
    latest = decisions.load("conv-1").event
    assert latest.guardrail == "legal_threat" and "lawyer" in json.dumps(latest.model_dump(mode="json"))

    assert deciding.redact(redaction("m3")) is True

    stored = decisions.load("conv-1")
    assert "lawyer" not in stored.event.model_dump_json()
    (guardrail,) = [r for r in stored.event.reasons if r.code == "legal_threat"]
    assert guardrail.evidence == REDACTED_EVIDENCE
    assert (stored.event.action, stored.event.risk) == (latest.action, latest.risk)  # the decision stands
    assert stored.state.redacted == {"m3": AT}
    assert deciding.redact(redaction("m3")) is False


def test_a_message_whose_redaction_reached_the_decision_first_is_decided_without_its_text(
    scoring, deciding, publisher
) -> None:
    for message in conversation(*TURNS):
        scoring.handle(received(message))
    events = scored_events(publisher)
    deciding.handle(events[0])
    deciding.handle(events[1])
    deciding.redact(redaction("m3"))  # the scored m3 (with its text) was on the bus already
    handled = deciding.handle(events[2])
    # Decided from its scores (computed before the redaction; they carry no text), never from the text: no
    # text guardrail fires, nothing quotes it.
    assert handled.outcome == "applied"
    assert handled.event.guardrail != "legal_threat"
    assert "lawyer" not in handled.event.model_dump_json() and SECRET not in handled.event.model_dump_json()


def test_a_message_redacted_before_it_was_scored_is_not_decided(scoring, deciding, publisher) -> None:
    messages = conversation(*TURNS)
    scoring.handle(received(messages[0]))
    scoring.redact(redaction("m2"))
    deciding.redact(redaction("m2"))
    scoring.handle(received(messages[1]))
    events = scored_events(publisher)
    deciding.handle(events[0])
    assert deciding.handle(events[1]).outcome == "skipped"  # nothing was scored: nothing to decide from


def test_ingestion_announces_the_redaction_that_the_consumers_apply(
    scoring, deciding, arcs, publisher
) -> None:
    """Ingestion -> MessageRedacted -> scoring and decision, in memory: after it, none of the three holds the
    text anywhere."""
    conversations = MemoryConversationStore()
    ingestion = IngestionService(conversations, publisher, clock=lambda: AT)
    ingestion.receive(
        "conv-1",
        MessageIn(message_id="m1", customer=CUSTOMER, role="customer", text=f"I'll sue you, card {SECRET}"),
        source=Source.api,
    )
    (message,) = [e for e in publisher.events if e.DETAIL_TYPE == "MessageReceived"]
    scoring.handle(message)
    deciding.handle(scored_events(publisher)[-1])
    assert "sue" in deciding.store.load("conv-1").event.model_dump_json()  # the guardrail quotes it

    ingestion.redact("conv-1", "m1")
    (announced,) = [e for e in publisher.events if isinstance(e, MessageRedacted)]
    scoring.redact(announced)
    deciding.redact(announced)

    assert conversations.get_conversation("conv-1").messages[0].text == ""
    assert SECRET not in arcs.load("conv-1").event.model_dump_json()
    assert SECRET not in arcs.load("conv-1").state.model_dump_json()
    decision = deciding.store.load("conv-1")
    assert "sue" not in decision.event.model_dump_json() and SECRET not in decision.state.model_dump_json()


def redaction_lands_first(store: Any, service: Any, message_id: str) -> list[bool]:
    """Make `store` let a redaction of `message_id` commit between the service's read of the conversation
    and its write of the message's result (two invocations at the same moment); the list fills when it did."""
    real_save, raced = store.save, []

    def save(conversation_id, state, event, **kwargs):
        if not raced and event is not None and event.message_id == message_id:
            raced.append(True)
            assert service.redact(redaction(message_id)) is True
        return real_save(conversation_id, state, event, **kwargs)

    store.save = save
    return raced


def test_a_message_scored_while_its_redaction_lands_is_stored_without_it(scoring, arcs, publisher) -> None:
    """Two invocations at the same moment: the redaction commits between the message's read and its write.
    The message's result (already published) is committed at once, without the redacted text; it does not
    fail for a retry minutes later that would hold up the conversation."""
    messages = conversation(*TURNS)
    scoring.handle(received(messages[0]))
    scoring.handle(received(messages[1]))
    raced = redaction_lands_first(arcs, scoring, "m3")
    handled = scoring.handle(received(messages[2]))
    assert raced and handled.outcome == "applied"
    stored = arcs.load("conv-1")
    assert stored.state.last_seq == 3 and list(stored.state.redacted) == ["m3"]
    assert "m3" not in [r.message_id for r in stored.state.recent]
    assert stored.event.message_id == "m3" and stored.event.message.text == ""
    assert SECRET not in stored.event.model_dump_json()


def test_a_decision_taken_while_its_redaction_lands_is_stored_without_the_quote(
    scoring, deciding, decisions, publisher
) -> None:
    for message in conversation(*TURNS):
        scoring.handle(received(message))
    events = scored_events(publisher)
    deciding.handle(events[0])
    deciding.handle(events[1])
    raced = redaction_lands_first(decisions, deciding, "m3")
    handled = deciding.handle(events[2])
    assert raced and handled.outcome == "applied" and handled.event.guardrail == "legal_threat"
    stored = decisions.load("conv-1")
    # The escalation that went out is the one stored (sticky for the next messages), minus the quote.
    assert (stored.state.last_seq, stored.state.mode) == (3, "escalate")
    assert stored.event.action == "escalate" and "lawyer" not in stored.event.model_dump_json()
    assert list(stored.state.redacted) == ["m3"]


def test_saving_without_an_event_keeps_the_stored_one(arcs) -> None:
    from baton.scoring.arc import ArcState

    (first,) = conversation(TURNS[0])
    scoring = scoring_consumer(Scorer(fake_models()), arcs, MemoryPublisher(), clock=lambda: T0)
    scoring.handle(received(first))
    kept = arcs.load("conv-1")
    arcs.save("conv-1", ArcState(last_seq=1), None, expected_version=kept.version, at=T0)
    assert arcs.load("conv-1").event == kept.event
