"""What the scoring runtime needs from each model: small, typed, testable with fakes.

Model directory layout (the shipped models live in `layers/models/`, the model layer; `baton train ... --out DIR`
writes the same layout, and `--models DIR` / BATON_MODELS_DIR make the runtime use it):

    <dir>/intent/     manifest.json  model.onnx  labels.json  taxonomy.json  MODEL_CARD.md
    <dir>/sentiment/  manifest.json  model.onnx  ...                         MODEL_CARD.md
    <dir>/encoder/    manifest.json  model.onnx  tokenizer.json              MODEL_CARD.md

`manifest.json`: {"kind": "intent"|"sentiment"|"encoder", "version": "<name>-<yyyymmdd>-<short hash>",
"created_at": ISO, "files": {...}, "metrics": {...}, plus kind-specific parameters (thresholds, feature settings)}.
Each kind has a `load(path: Path) -> <Model>` function in its module (baton.scoring.intent / sentiment / encoder)
that reads only that directory and imports onnxruntime/numpy/tokenizers lazily.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class IntentPrediction:
    intent: str
    """The top in-scope intent label (still set when out_of_scope, for transparency)."""
    confidence: float
    """Calibrated probability of `intent`, 0..1."""
    out_of_scope: bool
    """True when no intent of the taxonomy fits (explicit OOS class and/or tuned threshold)."""
    top: tuple[tuple[str, float], ...] = ()
    """The best few (intent, probability), highest first."""


@dataclass(frozen=True)
class IntentInfo:
    """The taxonomy entry of an intent, for the decision and routing capabilities."""

    product_area: str
    skill: str
    base_complexity: float


@dataclass(frozen=True)
class Encoded:
    """What the sentence encoder computed for a batch of texts, for the models that read it.

    Models that declare `uses_encoder = True` get this with every `predict` call (the scorer encodes every
    scorable customer message once and shares the result with the rephrase detector)."""

    embeddings: Any
    """numpy float32 (n, dim), rows L2-normalised."""
    hidden: Sequence[Any] | None = None
    """Per text, numpy float32 (tokens, width): the encoder's hidden states after layer `hidden_layer` of its
    manifest (None when the encoder graph does not expose them)."""
    encoder_version: str | None = None
    """The `version` of the encoder that computed this: a model fine-tuned on one encoder's hidden states
    refuses another's."""


class IntentModel(Protocol):
    version: str
    taxonomy: dict[str, IntentInfo]
    uses_encoder: bool

    def predict(self, texts: Sequence[str], encoded: Encoded | None = None) -> list[IntentPrediction]: ...


@dataclass(frozen=True)
class SentimentPrediction:
    sentiment: float
    """-1 (very negative) .. 1 (very positive)."""
    frustration: float
    """0..1: how likely the customer is dissatisfied / frustrated with the service at this turn."""
    extra: dict[str, Any] = field(default_factory=dict)


class SentimentModel(Protocol):
    version: str
    uses_encoder: bool

    def predict(self, texts: Sequence[str], encoded: Encoded | None = None) -> list[SentimentPrediction]: ...


class Encoder(Protocol):
    version: str
    dim: int

    def embed(self, texts: Sequence[str]) -> Any:
        """numpy float32 array (len(texts), dim), rows L2-normalised (cosine = dot product)."""
        ...

    def encode(self, texts: Sequence[str]) -> Encoded:
        """Embeddings and, when the graph exposes them, the hidden states of each text (one text per run:
        int8 activations are quantized per batch, so a text's outputs must not depend on its batch mates)."""
        ...
