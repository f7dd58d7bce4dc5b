"""Small, deterministic stand-ins for the models (tests and benchmarks of the composition, not of models),
and builders of the messages the scoring function receives.

They honour the contracts in `baton.scoring.contracts` and behave plausibly on the words tests use:

- `FakeSentiment`: valence from a few dozen cue words; frustration from negative valence, "!" and caps.
- `FakeIntent`: keyword rules over a four-intent taxonomy; no rule fires -> out of scope.
- `FakeEncoder`: a bag of *concepts* (synonyms share one: "charged" / "billed" / "bill") and other words,
  hashed into 64 dimensions and L2-normalised, so "I was charged twice" and "why did you bill me two
  times" are close and "how do I export users" is not.
"""

from __future__ import annotations

import math
import re
import zlib
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from baton.events import MessageReceived, MessageSnapshot, event_id_for
from baton.models import BotInfo, Customer, Role, Source
from baton.scoring.contracts import Encoded, IntentInfo, IntentPrediction, SentimentPrediction
from baton.scoring.scorer import Models

_WORD = re.compile(r"[a-z']+")

_VALENCE = {
    "thanks": 0.6, "thank": 0.6, "great": 0.7, "perfect": 0.8, "awesome": 0.8, "love": 0.7, "works": 0.4,
    "helpful": 0.5, "good": 0.4, "appreciate": 0.6, "hi": 0.1, "hello": 0.1,
    "not": -0.3, "didn't": -0.4, "doesn't": -0.4, "still": -0.3, "again": -0.3, "wrong": -0.6,
    "useless": -0.9, "ridiculous": -0.9, "terrible": -0.9, "angry": -0.9, "unacceptable": -0.9,
    "frustrated": -0.8, "annoyed": -0.7, "broken": -0.6, "twice": -0.3, "error": -0.4, "cancel": -0.5,
    "waiting": -0.4, "worst": -1.0, "joke": -0.6, "seriously": -0.5, "already": -0.2, "nothing": -0.3,
}  # fmt: skip

_CONCEPTS = {
    "charged": "charge", "charge": "charge", "billed": "charge", "bill": "charge", "billing": "charge",
    "twice": "double", "two": "double", "double": "double", "duplicate": "double", "times": "double",
    "refund": "refund", "money": "refund", "back": "refund",
    "invoice": "invoice", "invoices": "invoice", "receipt": "invoice",
    "export": "export", "download": "export", "csv": "export",
    "users": "user", "user": "user", "members": "user", "seats": "user",
    "login": "login", "log": "login", "sign": "login", "sso": "login", "password": "login",
    "why": "question", "how": "question", "what": "question",
}  # fmt: skip

_INTENT_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("duplicate_charge", re.compile(r"\b(charged|billed|bill|charge)\b.*\b(twice|two times|double)\b")),
    ("refund_request", re.compile(r"\b(refund|money back)\b")),
    ("export_data", re.compile(r"\b(export|download|csv)\b")),
    ("login_problem", re.compile(r"\b(log ?in|sign ?in|sso|password)\b")),
)

FAKE_TAXONOMY = {
    "duplicate_charge": IntentInfo(product_area="billing", skill="billing", base_complexity=0.4),
    "refund_request": IntentInfo(product_area="billing", skill="billing", base_complexity=0.3),
    "export_data": IntentInfo(product_area="reporting", skill="technical", base_complexity=0.5),
    "login_problem": IntentInfo(product_area="identity", skill="technical", base_complexity=0.6),
}


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("\u2019", "'"))


class FakeSentiment:
    version = "fake-sentiment-1"
    uses_encoder = False

    def __init__(self) -> None:
        self.calls: list[int] = []

    def predict(self, texts: Sequence[str], encoded: Encoded | None = None) -> list[SentimentPrediction]:
        self.calls.append(len(texts))
        out = []
        for text in texts:
            score = sum(_VALENCE.get(w, 0.0) for w in _words(text))
            shouting = text.count("!") * 0.15 + (0.3 if sum(c.isupper() for c in text) > 8 else 0.0)
            sentiment = math.tanh(score - shouting)
            frustration = min(1.0, max(0.0, -sentiment * 0.9 + shouting))
            out.append(SentimentPrediction(sentiment=sentiment, frustration=frustration))
        return out


class FakeIntent:
    version = "fake-intent-1"
    taxonomy = FAKE_TAXONOMY
    uses_encoder = False

    def __init__(self) -> None:
        self.calls: list[int] = []

    def predict(self, texts: Sequence[str], encoded: Encoded | None = None) -> list[IntentPrediction]:
        self.calls.append(len(texts))
        out = []
        for text in texts:
            lower = text.lower()
            hit = next((name for name, rule in _INTENT_RULES if rule.search(lower)), None)
            if hit is None:
                out.append(IntentPrediction("refund_request", 0.2, True, (("refund_request", 0.2),)))
            else:
                out.append(IntentPrediction(hit, 0.9, False, ((hit, 0.9),)))
        return out


class FakeEncoder:
    version = "fake-encoder-1"
    dim = 64
    rephrase_threshold = 0.6

    def __init__(self) -> None:
        self.calls: list[int] = []

    def embed(self, texts: Sequence[str]) -> Any:
        import numpy as np

        self.calls.append(len(texts))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in _words(text):
                concept = _CONCEPTS.get(word)
                if (
                    concept is not None
                ):  # concepts in the first half, other words (weighing less) in the second
                    out[row, zlib.crc32(concept.encode()) % 32] += 1.0
                elif word not in _STOPWORDS:
                    out[row, 32 + zlib.crc32(word.encode()) % 32] += 0.5
            norm = float(np.linalg.norm(out[row]))
            if norm > 0.0:
                out[row] /= norm
        return out

    def encode(self, texts: Sequence[str]) -> Encoded:
        return Encoded(embeddings=self.embed(texts), encoder_version=self.version)


_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "i",
        "we",
        "you",
        "it",
        "is",
        "are",
        "was",
        "were",
        "to",
        "of",
        "for",
        "on",
        "in",
        "at",
        "my",
        "our",
        "your",
        "this",
        "that",
        "me",
        "us",
        "and",
        "or",
        "but",
        "do",
        "did",
        "can",
        "could",
        "please",
        "with",
        "from",
        "have",
        "has",
        "be",
        "been",
        "not",
        "no",
        "just",
        "now",
    ]
)


def fake_complexity(base: float, text: str, **context: Any) -> float:
    """Base complexity, +0.1 per extra question mark or "also", +0.1 for an amount."""
    extra = 0.1 * max(0, text.count("?") - 1) + 0.1 * text.lower().count(" also ")
    extra += 0.1 if re.search(r"[$€£]\s?\d|\d+[.,]\d\d\b", text) else 0.0
    return min(1.0, base + extra)


def fake_models() -> Models:
    return Models(
        intent=FakeIntent(),
        sentiment=FakeSentiment(),
        encoder=FakeEncoder(),
        rephrase_threshold=FakeEncoder.rephrase_threshold,
        complexity=fake_complexity,
    )


def _in_a_worker() -> bool:
    import multiprocessing

    return multiprocessing.parent_process() is not None


def _complexity_slow_in_a_worker(base: float, text: str, **context: Any) -> float:
    if _in_a_worker():
        import time

        time.sleep(0.002)
    return fake_complexity(base, text, **context)


def fake_models_slow_in_workers() -> Models:
    """`fake_models`, 2 ms slower a customer message in a worker process of `baton backtest`'s than here."""
    import dataclasses

    return dataclasses.replace(fake_models(), complexity=_complexity_slow_in_a_worker)


def fake_models_broken_in_workers() -> Models:
    """`fake_models` here; in a worker process, the models fail to load."""
    if _in_a_worker():
        from baton.scoring.loader import ModelLoadError

        raise ModelLoadError("intent model in /models/intent cannot be loaded: a broken file (a test's)")
    return fake_models()


# ------------------------------------------------------------------------------------------ messages

T0 = datetime(2025, 3, 14, 9, 0, tzinfo=UTC)
CUSTOMER = Customer(id="cus_8842", account_id="acct_acme")


def snapshot(
    seq: int,
    role: Role | str,
    text: str,
    *,
    confidence: float | None = None,
    message_id: str | None = None,
    **extra: Any,
) -> MessageSnapshot:
    """Message `seq` of a conversation (id `m<seq>`, a minute after the previous one)."""
    at = T0 + timedelta(minutes=seq)
    return MessageSnapshot(
        message_id=message_id or f"m{seq}",
        seq=seq,
        role=Role(role),
        text=text,
        sent_at=at,
        received_at=at,
        source=Source.api,
        customer=CUSTOMER,
        bot=BotInfo(confidence=confidence) if confidence is not None else None,
        **extra,
    )


def conversation(*turns: tuple[Any, ...]) -> list[MessageSnapshot]:
    """`conversation(("customer", "hi"), ("bot", "hello", 0.9), ...)`: seq 1, 2, ..."""
    return [
        snapshot(i, turn[0], turn[1], confidence=turn[2] if len(turn) > 2 else None)
        for i, turn in enumerate(turns, start=1)
    ]


def received(message: MessageSnapshot, conversation_id: str = "conv-1") -> MessageReceived:
    """The MessageReceived the ingestion publishes for `message`."""
    return MessageReceived(
        event_id=event_id_for(MessageReceived.DETAIL_TYPE, conversation_id, message.message_id),
        occurred_at=message.received_at,
        conversation_id=conversation_id,
        seq=message.seq,
        message=message,
    )
