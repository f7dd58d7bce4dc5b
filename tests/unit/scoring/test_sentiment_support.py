"""The shipped sentiment model on customer-support wording: openly negative support messages read negative and
frustrated, plain requests and thanks do not. A smoke check on messages written for this test (not the
issue's held-out evaluation, which we do not have): it catches a model that stops separating the obvious.
"""

from __future__ import annotations

import numpy as np
import pytest

from baton.scoring.contracts import Encoded
from baton.scoring.loader import load_models

NEGATIVE = [
    "I've been waiting three weeks for my refund and nobody answers my emails.",
    "This is the third time I'm contacting you about the same broken export. Unacceptable.",
    "Your app logged me out again and deleted my draft. Really frustrating.",
    "I was charged twice and your bot keeps sending me the same useless article.",
    "Honestly the worst support experience I've had with any vendor.",
    "Still not fixed. We are losing money every hour this is down.",
    "Why does nobody read what I write? I already sent the screenshots.",
    "We are seriously considering cancelling our contract over this.",
    "Your update broke our integration and now our whole team can't work.",
    "I'm tired of being passed around between departments.",
    "The invoice is wrong again, this is getting ridiculous.",
    "Nothing you suggested works and I've wasted my entire morning.",
    "You promised a callback yesterday and it never happened.",
    "The new pricing is a rip-off and nobody warned us.",
    "I can't believe how slow this dashboard has become, it's unusable.",
]
CALM = [
    "Hi, could you tell me how to add a new user to our workspace?",
    "Thanks, that worked perfectly!",
    "What time zone are the scheduled reports sent in?",
    "Can I change the billing email to finance@example.com?",
    "Great, thanks for the quick help.",
    "Where can I download last month's invoice?",
    "Is there an API endpoint for exporting contacts?",
    "We'd like to upgrade to the annual plan next month.",
    "How do I set up single sign-on with Okta?",
    "Perfect, I'll try that and let you know.",
    "Could you explain how seat proration works?",
    "Hello! Quick question about the mobile app.",
    "Do you offer a discount for nonprofits?",
    "Can I schedule a demo for our new team members?",
    "Appreciate it, have a nice day.",
]


@pytest.fixture(scope="module")
def scored() -> tuple[np.ndarray, np.ndarray]:
    models = load_models()
    texts = NEGATIVE + CALM
    parts = [models.encoder.encode([t]) for t in texts]  # one text per run, as the scorer does
    encoded = Encoded(
        embeddings=np.concatenate([p.embeddings for p in parts]),
        hidden=[h for p in parts for h in p.hidden],
        encoder_version=parts[0].encoder_version,
    )
    predictions = models.sentiment.predict(texts, encoded)
    return np.array([p.sentiment for p in predictions]), np.array([p.frustration for p in predictions])


def _auroc(positive: np.ndarray, negative: np.ndarray) -> float:
    return float(np.mean([(a > b) + 0.5 * (a == b) for a in positive for b in negative]))


def test_negative_support_messages_rank_below_plain_requests(scored) -> None:
    sentiment, frustration = scored
    n = len(NEGATIVE)
    assert _auroc(-sentiment[:n], -sentiment[n:]) >= 0.95
    assert _auroc(frustration[:n], frustration[n:]) >= 0.95


def test_complaints_read_negative_and_plain_requests_near_neutral(scored) -> None:
    sentiment, _ = scored
    n = len(NEGATIVE)
    # Three classes (negative, neutral, positive) on soft targets: a complaint is clearly negative, a neutral
    # text near 0; the scale is less extreme than the binary SST-2 model's was.
    assert (sentiment[:n] < -0.2).all() and float(sentiment[:n].mean()) < -0.5
    assert abs(float(sentiment[n:].mean())) < 0.3  # plain requests and thanks: not negative on average
