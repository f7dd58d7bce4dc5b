"""The scoring function: the models composed, one message (the function) or many (backtest) at a time.

Per message, by role:

- **customer**: `sentiment` and `frustration` (sentiment model), `intent`, `intent_confidence`,
  `out_of_scope`, `product_area`, `skill` (intent model and its taxonomy), `complexity` (the intent's base
  complexity adjusted by the message), `asks_for_human` and `negative_feedback` (`baton.scoring.signals`;
  negative feedback only once someone has answered), `repeat_of` and `rephrase_of` (an earlier customer
  message said again: near-identical text, or an embedding cosine >= the encoder's `rephrase_threshold`).
- **bot**: `bot_confidence`, the bot's own, when the frontend sent it; the arc judges the answer.
- **agent**: nothing to score; the arc notes that a human answered.
- a message the helpdesk **redacted** (empty text): nothing to score; the arc moves past it.

The sentence encoder (a few milliseconds) runs once per scorable customer message when a model reads its
outputs (the shipped intent model reads the embedding; a sentiment model with a fine-tuned branch reads the
hidden states), else only on customer messages with something to compare for rephrase detection
(`arc.substantive`: at least two words); bot and agent messages never reach it.

`score_batch` runs the n-gram models once over all the messages of many conversations, then folds them into
each conversation's arc in order: `baton backtest` and the scoring function run this same code, the function
with one message at a time. The encoder, though, embeds each text alone, in backtest too: the int8 model
quantizes its activations per batch, so a text's vector depends on its batch mates (cosine with the vector
alone down to 0.956, see the encoder's card), and batched embeddings changed the rephrase decision of 2 of
the 28 customer messages of events/backtest/sample.jsonl; one at a time, backtest gives exactly what the
function gives. It costs no throughput here (short texts: padding to the batch's longest text ate what
batching saved; `baton backtest` ran at ~560 messages/s either way on this 2-core machine).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Protocol

from baton import negation
from baton.events import MessageSnapshot, Scores
from baton.models import Role
from baton.scoring import arc, signals
from baton.scoring.contracts import (
    Encoded,
    Encoder,
    IntentInfo,
    IntentModel,
    IntentPrediction,
    SentimentModel,
    SentimentPrediction,
)


def _canonical(value: object) -> str | None:
    """A stable text for a rule constant (a string, a number, a compiled pattern, or a collection of them);
    None for anything else (functions, classes, compiled helpers built from constants counted elsewhere)."""
    if isinstance(value, re.Pattern):
        return f"re({value.pattern!r},{value.flags})"
    if isinstance(value, (str, int, float, bool)):
        return repr(value)
    if isinstance(value, (tuple, list, frozenset, set)):
        parts = [_canonical(item) for item in value]
        if any(part is None for part in parts):
            return None
        texts = [part for part in parts if part is not None]
        return "(" + ",".join(sorted(texts) if isinstance(value, (frozenset, set)) else texts) + ")"
    if isinstance(value, dict):
        items = [(_canonical(k), _canonical(v)) for k, v in value.items()]
        if any(k is None or v is None for k, v in items):
            return None
        return "{" + ",".join(sorted(f"{k}:{v}" for k, v in items)) + "}"
    return None


def rules_fingerprint(*modules: ModuleType) -> str:
    """The first 8 hex digits of a SHA-256 over every rule constant of the modules (name = stable text), so any
    change to a pattern, a threshold or a word list gives another value, and nothing else does."""
    digest = hashlib.sha256()
    for module in modules:
        for name, value in sorted(vars(module).items()):
            text = None if name.startswith("__") else _canonical(value)
            if text is not None:
                digest.update(f"{module.__name__}.{name}={text}\n".encode())
    return digest.hexdigest()[:8]


ARC_VERSION = f"arc-{rules_fingerprint(arc, signals, negation)}"
"""Version of the arc and signal rules (reported in `MessageScored.model_versions["arc"]`): a fingerprint of
`baton.scoring.arc`'s, `baton.scoring.signals`' and `baton.negation`'s constants and patterns, so it moves with every
change to them (it was a hand-kept "arc-1" until 2026-12-07, which many rule changes had left unchanged)."""

OUT_OF_SCOPE_BASE_COMPLEXITY = 0.5
"""Base complexity of a message no intent fits: unknown ground, neither easy nor known hard (the same
default as `baton.scoring.complexity`)."""


class TriggerModel(Protocol):
    """`baton.scoring.triggers.OnnxTriggerModel`: per text, {trigger: probability} (those >= 0.05)."""

    version: str
    thresholds: dict[str, float]

    def predict(self, texts: Sequence[str], encoded: Encoded | None = None) -> list[dict[str, float]]: ...


class HandoverModel(Protocol):
    """`baton.scoring.handover.OnnxHandoverModel`: the probability that a lead wants a person on it now."""

    version: str
    context_messages: int

    def predict(
        self, text: str, embedding: Any, earlier: Sequence[Any], numeric: Sequence[float]
    ) -> float: ...


class ComplexityFn(Protocol):
    """`baton.scoring.complexity.complexity`: the intent's base complexity adjusted by the message, in [0, 1]."""

    def __call__(
        self,
        base: float,
        text: str,
        *,
        top: Sequence[tuple[str, float]] = (),
        metadata: Mapping[str, Any] | None = None,
        taxonomy: Mapping[str, IntentInfo] | None = None,
    ) -> float: ...


@dataclass(frozen=True)
class Models:
    """The loaded models (`baton.scoring.loader.load_models`, or fakes in tests)."""

    intent: IntentModel
    sentiment: SentimentModel
    encoder: Encoder
    rephrase_threshold: float
    complexity: ComplexityFn
    triggers: TriggerModel | None = None
    """The trigger model (`baton.scoring.triggers`), when the models directory has one."""
    handover: HandoverModel | None = None
    """The handover model (`baton.scoring.handover`), when the models directory has one."""

    def versions(self) -> dict[str, str]:
        versions = {
            "intent": self.intent.version,
            "sentiment": self.sentiment.version,
            "encoder": self.encoder.version,
            "arc": ARC_VERSION,
        }
        if self.triggers is not None:
            versions["triggers"] = self.triggers.version
        if self.handover is not None:
            versions["handover"] = self.handover.version
        return versions


Scored = tuple[Scores, arc.ArcState]
"""A message's scores and the arc after it."""


@dataclass
class _Customer:
    """What the models said about one customer message (computed in batch, folded in order)."""

    sentiment: SentimentPrediction
    intent: IntentPrediction
    triggers: dict[str, float] | None = None
    vector: Any = None
    """The message's sentence embedding (None when no model reads it)."""
    embedding: Any = None
    """The same, kept for rephrase detection: substantive messages only."""
    minhash: Any = None


class Scorer:
    def __init__(self, models: Models) -> None:
        self.models = models

    def score(self, message: MessageSnapshot, state: arc.ArcState) -> Scored:
        """One message folded into its conversation's arc."""
        return self.score_batch([(state, [message])])[0][0]

    def score_batch(
        self, conversations: Sequence[tuple[arc.ArcState, Sequence[MessageSnapshot]]]
    ) -> list[list[Scored]]:
        """Each conversation's messages (in seq order, after its state) scored and folded in order."""
        jobs = [
            (c, m, message)
            for c, (_, messages) in enumerate(conversations)
            for m, message in enumerate(messages)
            if _scorable(message)
        ]
        texts = [message.text for _, _, message in jobs]
        # One encoder pass per message, shared: the models that read embeddings (every scorable message) and
        # rephrase detection (substantive ones). One text per call, in backtest too: see the module docstring.
        triggers = self.models.triggers
        reads = (
            self.models.intent.uses_encoder
            or self.models.sentiment.uses_encoder
            or triggers is not None
            or self.models.handover is not None
        )
        encoded = [
            self.models.encoder.encode([message.text]) if reads or arc.substantive(message.text) else None
            for _, _, message in jobs
        ]
        shared = _stack(encoded) if reads and jobs else None
        sentiments = self.models.sentiment.predict(texts, shared) if texts else []
        intents = self.models.intent.predict(texts, shared) if texts else []
        computed: dict[tuple[int, int], _Customer] = {
            (c, m): _Customer(sentiment=s, intent=i)
            for (c, m, _), s, i in zip(jobs, sentiments, intents, strict=True)
        }
        if triggers is not None and shared is not None:
            for (c, m, _), probs in zip(jobs, triggers.predict(texts, shared), strict=True):
                computed[(c, m)].triggers = probs
        for (c, m, message), one in zip(jobs, encoded, strict=True):
            if one is not None:
                computed[(c, m)].vector = one.embeddings[0]
            if one is not None and arc.substantive(message.text):
                computed[(c, m)].embedding = one.embeddings[0]
                computed[(c, m)].minhash = arc.minhash(message.text)

        results: list[list[Scored]] = []
        for c, (state, messages) in enumerate(conversations):
            state = self._for_encoder(state)
            out: list[Scored] = []
            for m, message in enumerate(messages):
                found = computed.get((c, m))
                if found is None:
                    scores = _other(message)
                    state = arc.advance(state, message, scores)
                else:
                    scores, recent = self._customer(message, state, found)
                    state = arc.advance(state, message, scores, remember=recent)
                out.append((scores, state))
            results.append(out)
        return results

    def _for_encoder(self, state: arc.ArcState) -> arc.ArcState:
        """Embeddings of another encoder (a new model mid-conversation) are not comparable: forget them."""
        version = self.models.encoder.version
        if state.encoder_version == version:
            return state
        recent = [r.model_copy(update={"embedding": None}) for r in state.recent]
        return state.model_copy(update={"encoder_version": version, "recent": recent})

    def _customer(
        self, message: MessageSnapshot, state: arc.ArcState, found: _Customer
    ) -> tuple[Scores, arc.Recent | None]:
        prediction = found.intent
        info = None if prediction.out_of_scope else self.models.intent.taxonomy.get(prediction.intent)
        base = info.base_complexity if info is not None else OUT_OF_SCOPE_BASE_COMPLEXITY
        repeat_of = rephrase_of = None
        recent = None
        if found.minhash is not None:
            repeat_of = _repeat_of(found.minhash, state)
            if repeat_of is None:
                rephrase_of = _rephrase_of(found.embedding, state, self.models.rephrase_threshold)
            recent = arc.Recent(
                message_id=message.message_id,
                seq=message.seq,
                minhash=arc.encode_minhash(found.minhash),
                embedding=arc.encode_embedding(found.embedding),
            )
        scores = Scores(
            sentiment=_unit(found.sentiment.sentiment, -1.0),
            frustration=_unit(found.sentiment.frustration, 0.0),
            intent=prediction.intent,
            intent_confidence=_unit(prediction.confidence, 0.0),
            out_of_scope=prediction.out_of_scope,
            product_area=info.product_area if info else None,
            skill=info.skill if info else None,
            complexity=_unit(
                self.models.complexity(
                    base,
                    message.text,
                    top=prediction.top,
                    metadata=message.metadata,
                    taxonomy=self.models.intent.taxonomy,
                ),
                0.0,
            ),
            asks_for_human=asks_for_human(message.text, found.triggers, self.models.triggers),
            # "That didn't help" is feedback only once someone has answered.
            negative_feedback=state.last_answer_role is not None and signals.negative_feedback(message.text),
            repeat_of=repeat_of,
            rephrase_of=rephrase_of,
            triggers=found.triggers or None,
        )
        if self.models.handover is not None:
            scores.needs_person = self._needs_person(message, state, found, scores)
        return scores, recent

    def _needs_person(
        self, message: MessageSnapshot, state: arc.ArcState, found: _Customer, scores: Scores
    ) -> float | None:
        """The handover model's probability, read with the earlier customer messages the arc remembers (their
        embeddings as stored, the last `context_messages`) and the message's other scores with the arc before it
        (`baton.scoring.handover.numeric_features`); None without the model or an embedding."""
        from baton.scoring.handover import earlier_embeddings, numeric_features

        model = self.models.handover
        if model is None or found.vector is None:
            return None
        earlier = earlier_embeddings(state, message.seq, model.context_messages)
        return round(model.predict(message.text, found.vector, earlier, numeric_features(scores, state)), 4)


def asks_for_human(text: str, triggers: Mapping[str, float] | None, model: TriggerModel | None) -> bool:
    """`Scores.asks_for_human`: the signal's patterns (`signals.asks_for_human`), or the trigger model's reading
    of a request for a person at its cross-validated threshold ("HUMAN. PLEASE.") in a message that names someone
    or some way to reach a person (`signals.may_ask_for_human`: not "Please get me a cab there") and that no
    negation of its key words rules out (`signals.refuses_human`: not "I don't need a person")."""
    if signals.asks_for_human(text):
        return True
    if not triggers or model is None:
        return False
    threshold = model.thresholds.get(signals.MODEL_HUMAN_REQUEST)
    p = triggers.get(signals.MODEL_HUMAN_REQUEST, 0.0)
    return (
        threshold is not None
        and threshold < 1.0
        and p >= threshold
        and signals.may_ask_for_human(text)
        and not signals.refuses_human(text)
    )


def _stack(parts: Sequence[Encoded | None]) -> Encoded:
    """The per-message encoder outputs as one batch (every part is set when a model reads them)."""
    import numpy as np

    done = [p for p in parts if p is not None]
    hidden = [h for p in done for h in p.hidden or ()] if all(p.hidden is not None for p in done) else None
    versions = {p.encoder_version for p in done}
    return Encoded(
        embeddings=np.concatenate([p.embeddings for p in done]),
        hidden=hidden,
        encoder_version=versions.pop() if len(versions) == 1 else None,
    )


def _scorable(message: MessageSnapshot) -> bool:
    return message.role == Role.customer and message.redacted_at is None and bool(message.text.strip())


def _other(message: MessageSnapshot) -> Scores:
    if message.role == Role.bot:
        return Scores(bot_confidence=signals.bot_confidence(message))
    return Scores()


def _repeat_of(signature: Any, state: arc.ArcState) -> str | None:
    best, best_id = 0.0, None
    for recent in state.recent:
        similarity = arc.jaccard(signature, arc.decode_minhash(recent.minhash))
        if similarity >= arc.REPEAT_JACCARD and similarity > best:
            best, best_id = similarity, recent.message_id
    return best_id


def _rephrase_of(embedding: Any, state: arc.ArcState, threshold: float) -> str | None:
    import numpy as np

    earlier = [r for r in state.recent if r.embedding is not None]
    if not earlier:
        return None
    matrix = np.stack([arc.decode_embedding(r.embedding) for r in earlier if r.embedding is not None])
    vector = np.asarray(embedding, dtype=np.float16).astype(np.float32)  # as stored: same rounding both sides
    cosines = matrix @ vector
    best = int(np.argmax(cosines))
    return earlier[best].message_id if float(cosines[best]) >= threshold else None


def _unit(value: float, low: float) -> float:
    """A model output clamped to its contract range ([low, 1]) and rounded for stable JSON."""
    return round(min(1.0, max(low, float(value))), 4)
