"""The scoring use case: messages applied in order and once, MessageScored published for each, the
conversation showing its latest scores and arc."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from baton.adapters.memory import MemoryPublisher
from baton.errors import ConcurrentUpdate, OutOfOrder
from baton.events import MessageReceived, MessageScored, event_id_for
from baton.ingestion.memory import MemoryConversationStore
from baton.scoring.fakes import conversation, fake_models, received, snapshot
from baton.scoring.scorer import ARC_VERSION, Scorer
from baton.scoring.service import scoring_consumer
from baton.scoring.store import MemoryArcStore


@pytest.fixture
def arcs(store: MemoryConversationStore) -> MemoryArcStore:
    return MemoryArcStore(conversations=store)


@pytest.fixture
def slept() -> list[float]:
    return []


@pytest.fixture
def scoring(arcs: MemoryArcStore, publisher: MemoryPublisher, slept: list[float]) -> scoring_consumer:
    return scoring_consumer(Scorer(fake_models()), arcs, publisher, sleep=slept.append)


MESSAGES = conversation(
    ("customer", "I was charged twice for my plan"),
    ("bot", "Invoices are under Settings > Billing.", 0.4),
    ("customer", "Why did you bill me two times? I want to talk to a human"),
)


def scored(publisher: MemoryPublisher) -> list[Any]:
    return publisher.of_type("MessageScored")


def test_each_message_is_scored_and_published_in_order(scoring, publisher, arcs) -> None:
    for message in MESSAGES:
        assert scoring.handle(received(message)).outcome == "applied"
    events = scored(publisher)
    assert [e.seq for e in events] == [1, 2, 3]
    last = events[-1]
    assert isinstance(last, MessageScored)
    assert last.event_id == event_id_for("MessageScored", "conv-1", "m3")
    assert last.scores.rephrase_of == "m1" and last.scores.asks_for_human is True
    assert last.arc.customer_turns == 2 and last.arc.bot_failures == 1
    assert last.model_versions == {
        "intent": "fake-intent-1",
        "sentiment": "fake-sentiment-1",
        "encoder": "fake-encoder-1",
        "arc": ARC_VERSION,
    }
    assert arcs.load("conv-1").state.last_seq == 3


def test_a_message_delivered_again_changes_nothing_and_republishes_the_same_event(
    scoring, publisher, arcs
) -> None:
    for message in MESSAGES[:2]:
        scoring.handle(received(message))
    saves = arcs.saves
    again = scoring.handle(received(MESSAGES[1]))
    assert again.outcome == "duplicate"
    assert arcs.saves == saves
    first, second = scored(publisher)[1], scored(publisher)[2]
    assert second == first  # identical: same id, same content, same time
    # An older message delivered again: already applied and published, nothing to do.
    assert scoring.handle(received(MESSAGES[0])).outcome == "duplicate"
    assert len(scored(publisher)) == 3
    assert arcs.load("conv-1").state.customer_turns == 1


def test_a_message_before_its_predecessor_waits(scoring, publisher, arcs, slept) -> None:
    scoring.handle(received(MESSAGES[0]))
    with pytest.raises(OutOfOrder):
        scoring.handle(received(MESSAGES[2]))
    assert slept == []  # not told to wait: the queue brings it back
    assert [e.seq for e in scored(publisher)] == [1]
    assert arcs.load("conv-1").state.last_seq == 1
    # Its predecessor arrives, then it does again: both applied, in order.
    scoring.handle(received(MESSAGES[1]))
    scoring.handle(received(MESSAGES[2]))
    assert [e.seq for e in scored(publisher)] == [1, 2, 3]


def test_a_message_waits_for_a_predecessor_being_scored_elsewhere(scoring, publisher, arcs) -> None:
    """Seconds apart, two messages land in concurrent invocations: the second waits for the first."""
    scoring.handle(received(MESSAGES[0]))
    other_invocation = scoring_consumer(Scorer(fake_models()), arcs, publisher)
    pauses: list[float] = []

    def sleep(seconds: float) -> None:
        pauses.append(seconds)
        if len(pauses) == 3:  # meanwhile, the other invocation scores the predecessor
            other_invocation.handle(received(MESSAGES[1]))

    waiting = scoring_consumer(Scorer(fake_models()), arcs, publisher, sleep=sleep)
    handled = waiting.handle(received(MESSAGES[2]), wait_s=2.0)
    assert handled.outcome == "applied"
    assert [e.seq for e in scored(publisher)] == [1, 2, 3]
    assert pauses == [0.05, 0.1, 0.2] and handled.waited_s == pytest.approx(0.35)


def test_a_predecessor_that_does_not_come_is_waited_for_only_so_long(scoring, slept) -> None:
    scoring.handle(received(MESSAGES[0]))
    with pytest.raises(OutOfOrder):
        scoring.handle(received(MESSAGES[2]), wait_s=1.0)
    assert sum(slept) == pytest.approx(1.0)
    assert slept[:4] == [0.05, 0.1, 0.2, 0.4]


def test_a_message_stops_waiting_when_told_to(scoring, publisher) -> None:
    handled = scoring.handle(received(MESSAGES[2]), stop_waiting=True)
    assert handled.outcome == "applied" and handled.skipped == 2
    assert scored(publisher)[-1].arc.unscored_messages == 2
    # The late predecessor is then an old message: not applied over the newer arc.
    assert scoring.handle(received(MESSAGES[0])).outcome == "duplicate"


def test_a_failed_publish_commits_nothing_and_the_retry_publishes(scoring, publisher, arcs) -> None:
    publisher.fail_next = 1
    with pytest.raises(RuntimeError):
        scoring.handle(received(MESSAGES[0]))
    assert arcs.load("conv-1") is None
    assert scoring.handle(received(MESSAGES[0])).outcome == "applied"
    assert [e.seq for e in scored(publisher)] == [1]


def test_two_deliveries_racing_commit_once(scoring, publisher, arcs) -> None:
    """The other delivery commits between our read and our write: ours is then a duplicate."""
    scoring.handle(received(MESSAGES[0]))
    real_save = arcs.save

    def save_after_the_other_delivery(conversation_id, state, event, *, expected_version, at, view=None):
        real_save(
            conversation_id, state, event, expected_version=expected_version, at=at, view=view
        )  # the other
        return real_save(conversation_id, state, event, expected_version=expected_version, at=at, view=view)

    arcs.save = save_after_the_other_delivery  # type: ignore[method-assign]
    handled = scoring.handle(received(MESSAGES[1]))
    assert handled.outcome == "duplicate"
    assert arcs.load("conv-1").state.last_seq == 2


def test_a_lost_race_on_an_unapplied_message_is_retried(scoring, arcs) -> None:
    def always_conflict(*args, **kwargs):
        raise ConcurrentUpdate("someone else moved the arc")

    arcs.save = always_conflict  # type: ignore[method-assign]
    with pytest.raises(ConcurrentUpdate):
        scoring.handle(received(MESSAGES[0]))


def test_an_event_whose_message_disagrees_on_seq_breaks_the_contract() -> None:
    detail = received(MESSAGES[0]).model_dump(mode="json") | {"seq": 2}
    with pytest.raises(ValidationError, match=r"message\.seq is 1 but the event's seq is 2"):
        MessageReceived.model_validate(detail)


def test_get_conversation_shows_the_latest_scores_and_arc(api, publisher, scoring) -> None:
    """End to end through the API handler: post messages, score what was published, read it back."""
    body = {"customer": {"id": "cus_1", "account_id": "acct_1"}}
    posts = [
        {"message_id": "m1", "role": "customer", "text": "I was charged twice for my plan"},
        {
            "message_id": "m2",
            "role": "bot",
            "text": "Invoices are under Settings.",
            "bot": {"confidence": 0.9},
        },
        {"message_id": "m3", "role": "customer", "text": "That didn't help. Why did you bill me two times?"},
        {
            "message_id": "m4",
            "role": "bot",
            "text": "Let me find someone for you.",
            "bot": {"confidence": 0.3},
        },
    ]
    for post in posts:
        assert api.post_message("conv-9", {**body, **post}).status == 202
    assert api.get_conversation("conv-9").json["scores"] is None
    for event in publisher.of_type("MessageReceived"):
        scoring.handle(event)
    shown = api.get_conversation("conv-9").json
    # The customer's latest scores stay shown while the bot answers; the arc is the latest.
    assert shown["scores"]["message_id"] == "m3" and shown["scores"]["seq"] == 3
    assert shown["scores"]["negative_feedback"] is True
    assert shown["scores"]["rephrase_of"] == "m1"
    assert shown["arc"]["customer_turns"] == 2 and shown["arc"]["bot_turns"] == 2
    assert shown["arc"]["last_bot_confidence"] == 0.3
    assert shown["arc"]["bot_failure_reasons"] == {"negative_feedback": 1, "low_confidence": 1}


def test_a_redacted_message_is_not_scored(scoring, publisher) -> None:
    from datetime import UTC, datetime

    message = snapshot(1, "customer", "", redacted_at=datetime(2025, 3, 14, tzinfo=UTC))
    scoring.handle(received(message))
    (event,) = scored(publisher)
    assert event.scores.model_dump(exclude_none=True) == {}
    assert event.arc.customer_turns == 1
