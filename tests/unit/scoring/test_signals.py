"""Plain-language signals: asking for a human and negative feedback, phrased the ways customers do."""

from __future__ import annotations

import pytest

from baton.scoring.fakes import snapshot
from baton.scoring.signals import asks_for_human, bot_confidence, negative_feedback


@pytest.mark.parametrize(
    "text",
    [
        "Can I talk to a human?",
        "I want to speak to someone",
        "please connect me with an agent",
        "Is there a real person I can chat with",
        "get me a representative",
        "Agent!",
        "human please",
        "transfer me to your billing team",
        "can I speak with our account manager",
        "I'm tired of this bot",
        "I don't want to talk to a bot",
        "please escalate this",
        "the agent said yesterday it was fixed. I want to talk to a manager",
        "CAN I TALK TO SOMEONE",
        "Je voudrais parler à un conseiller",
        "quiero hablar con una persona",
        "Ich möchte mit einem Mitarbeiter sprechen",
        "posso falar com um atendente?",
        "vorrei parlare con un operatore",
    ],
)
def test_asking_for_a_human(text: str) -> None:
    assert asks_for_human(text)


@pytest.mark.parametrize(
    "text",
    [
        "no need for an agent, thanks",
        "I don't need to talk to a human, the article was enough",
        "How do I add agent seats?",
        "I need a manager role for Dana",
        "The agent was great yesterday",
        "How do I transfer ownership to another user?",
        "Can you connect me to Salesforce?",
        "forward this to my manager",
        "The issue escalated after the update",
        "I need someone on my team to get admin rights",
        "we have 50 employees",
    ],
)
def test_mentioning_people_without_asking_for_one(text: str) -> None:
    assert not asks_for_human(text)


@pytest.mark.parametrize(
    "text",
    [
        "That didn't help",
        "That didn\u2019t help",  # a typographic apostrophe, as phones type it
        "this does not answer my question",
        "not what I asked",
        "That's not what I asked for",
        "useless",
        "you already said that",
        "I already tried that",
        "Did that.",
        "No, that's not it",
        "you're not listening",
        "same answer again?",
        "your answer doesn't help at all",
        "stop sending me the same article",
        # Saying it again because it was not heard, and a suggestion tried to no effect.
        "I AM the admin. I just said that.",
        "I'm on Chrome. As I said.",
        "like i've already explained, it's the Pro plan",
        "I've already given you my order number",
        "did you even read my message?",
        "That's what you said last week.",
        "you keep sending me the same link",
        "oh great, same answer. very helpful",
        "we're going round in circles here",
        "done. still happens",
        "tried that, same error",
        "restarted, no change",
    ],
)
def test_negative_feedback(text: str) -> None:
    assert negative_feedback(text)


@pytest.mark.parametrize(
    "text",
    [
        "thanks, that helped!",
        "That worked, perfect",
        "My SSO login doesn't work since Monday",
        "The export is not working",
        "Did that help the other customers?",
        "I was charged twice",
        "ok did that",
        "still waiting for the refund",
        "I said I'd pay on Monday",
        "the same invoice was sent twice",
        "is it the same price as last year?",
        "ok thanks, I will come back if it still fails",
    ],
)
def test_not_negative_feedback(text: str) -> None:
    assert not negative_feedback(text)


def test_bot_confidence_is_the_bots_own_when_sent() -> None:
    assert bot_confidence(snapshot(2, "bot", "Here is the article", confidence=0.42)) == 0.42
    assert bot_confidence(snapshot(2, "bot", "Here is the article")) is None
