"""The conversation shows its decisions' risk over time (`risk_trail`: the console's chart): one point per decided
customer message, oldest first, the last 100 only; the shadow challenger's state never carries it."""

from __future__ import annotations

from baton.adapters.memory import MemoryPublisher
from baton.context.store import MemoryContextStore
from baton.decision import service as decision_service
from baton.decision.params import load_default
from baton.decision.service import decision_consumer
from baton.decision.store import MemoryDecisionStore
from baton.events import EscalationDecided, MessageScored
from baton.ingestion.memory import MemoryConversationStore
from baton.models import MessageIn
from baton.scoring.fakes import CUSTOMER, T0, conversation, fake_models, received
from baton.scoring.scorer import Scorer
from baton.scoring.service import scoring_consumer
from baton.scoring.store import MemoryArcStore

TURNS = (
    ("customer", "Hi, where can I download my invoices?"),
    ("bot", "Under Settings > Billing.", 0.9),
    ("customer", "That page is empty. It still does not work."),
    ("bot", "Try reloading the page.", 0.3),
    ("customer", "I want to speak to a human agent now"),
)


def scored(turns: tuple[tuple[object, ...], ...]) -> list[MessageScored]:
    publisher = MemoryPublisher()
    scoring = scoring_consumer(Scorer(fake_models()), MemoryArcStore(), publisher, clock=lambda: T0)
    for message in conversation(*turns):
        scoring.handle(received(message, "conv-1"))
    return [e for e in publisher.events if isinstance(e, MessageScored)]


def shown_after(turns: tuple[tuple[object, ...], ...], **kwargs: object) -> tuple[dict, MemoryDecisionStore]:
    conversations = MemoryConversationStore()
    conversations.append_message(
        "conv-1",
        MessageIn(message_id="m1", customer=CUSTOMER, role="customer", text="hi"),
        source="api",
        received_at=T0,
    )
    store = MemoryDecisionStore(conversations)
    publisher = MemoryPublisher()
    consumer = decision_consumer(
        load_default, MemoryContextStore(), store, publisher, clock=lambda: T0, **kwargs
    )
    for event in scored(turns):
        consumer.handle(event)
    decided = [e for e in publisher.events if isinstance(e, EscalationDecided)]
    shown = conversations.get_conversation("conv-1").model_dump(mode="json")
    # Each point is what the decision of that message published.
    published = {e.seq: (e.seq, e.risk, e.action) for e in decided}
    assert [(p["seq"], p["risk"], p["action"]) for p in shown["risk_trail"]] == [
        published[p["seq"]] for p in shown["risk_trail"]
    ]
    return shown, store


def test_every_decided_customer_message_is_a_point_on_the_risk_trail_oldest_first() -> None:
    shown, _ = shown_after(TURNS)
    assert [p["seq"] for p in shown["risk_trail"]] == [1, 3, 5]  # bot messages are not decided
    assert shown["risk_trail"][-1]["action"] == "escalate"
    assert shown["risk_trail"][-1]["risk"] == shown["decision"]["risk"]


def test_the_trail_keeps_the_last_decisions_only(monkeypatch) -> None:
    monkeypatch.setattr(decision_service, "RISK_TRAIL", 2)
    shown, _ = shown_after(TURNS)
    assert [p["seq"] for p in shown["risk_trail"]] == [3, 5]


def test_the_shadow_challengers_state_carries_no_trail_of_its_own() -> None:
    _, store = shown_after(TURNS, challenger=load_default)
    state = store.load("conv-1").state
    assert [p.seq for p in state.risk_trail] == [1, 3, 5]
    assert state.shadow_state is not None and state.shadow_state.risk_trail == []


def test_a_conversation_handed_back_to_the_bot_shows_monitoring_not_escalated() -> None:
    # As the list of conversations (`baton.insights`) shows it: the bot answers again, watched closely.
    from baton.events import HandedBack
    from functions.decide.handler import hand_back

    conversations = MemoryConversationStore()
    conversations.append_message(
        "conv-1",
        MessageIn(message_id="m1", customer=CUSTOMER, role="customer", text="hi"),
        source="api",
        received_at=T0,
    )
    consumer = decision_consumer(
        load_default,
        MemoryContextStore(),
        MemoryDecisionStore(conversations),
        MemoryPublisher(),
        clock=lambda: T0,
    )
    for event in scored(TURNS):
        consumer.handle(event)
    assert conversations.get_conversation("conv-1").status == "escalated"

    hand_back(consumer, HandedBack(event_id="h1", conversation_id="conv-1", agent_id="maya"))

    assert conversations.get_conversation("conv-1").status == "monitoring"
