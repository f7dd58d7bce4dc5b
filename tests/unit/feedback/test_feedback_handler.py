"""The feedback SQS consumer takes the customers' scored messages too: the bus routes them to it, and a repeat
contact in one batch relabels the earlier conversation."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqs_helpers import FakeContext, envelope, failed, sqs_event
from test_repeat_contact import days, outcome, scored

from baton.adapters.memory import MemoryPublisher
from baton.bus import by_name
from baton.events import BusEvent
from baton.feedback.service import FeedbackService, MemoryFeedbackStore
from baton.local.patterns import matches
from functions.feedback.handler import lambda_handler


@pytest.fixture
def sample(sample_event) -> dict[str, Any]:
    return sample_event("sqs/score_message_received.json")


def body(event: BusEvent) -> str:
    return envelope(json.loads(event.model_dump_json()), detail_type=event.DETAIL_TYPE, source=event.SOURCE)


def test_a_customer_coming_back_on_the_same_intent_relabels_the_earlier_conversation(sample) -> None:
    events = [
        scored("e", 1, "billing", days(0)),
        outcome("e", "resolved", days(0) + timedelta(minutes=5), by="bot"),
        scored("l", 1, "billing", days(2)),
    ]
    bodies = [body(event) for event in events]
    assert all(matches(by_name("feedback").pattern, json.loads(b)) for b in bodies)
    bot_answer = json.loads(bodies[0])
    bot_answer["detail"]["role"] = "bot"
    assert not matches(by_name("feedback").pattern, bot_answer)  # only the customers' messages come

    store, publisher = MemoryFeedbackStore(), MemoryPublisher()
    service = FeedbackService(store, publisher)
    response = lambda_handler(sqs_event(sample, *bodies), FakeContext(), service=service)
    assert failed(response) == []
    stored = store.load("e")
    assert stored is not None and stored.state.label is not None
    assert stored.state.label.rule == "missed_escalation.repeat_contact"
