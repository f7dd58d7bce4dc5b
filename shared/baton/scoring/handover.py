"""The handover model at serving time: the probability that a support lead would want a person on the
conversation now, from the customer's message read with the conversation so far.

`load(path)` reads the model directory `baton train handover` writes (`layers/models/handover/`):

    manifest.json   {"kind": "handover", "version", "encoder": {"version", "dim"}, "features": FeatureSpec,
                     "context_messages", "threshold", "reference": [...], "evaluation": {...}, ...}
    model.onnx      inputs `embedding` [batch, dim] (the message's sentence embedding, the one the scorer
                    computed), `context` [batch, dim] (`context_vector` of the earlier customer messages),
                    `ngrams` [batch, n_buckets] (`baton.scoring.features.featurize` of the text, computed here) and
                    `numeric` [batch, len(NUMERIC)] (`numeric_features`: what the scorer and the arc already say);
                    output `probs` [batch, 1]
    MODEL_CARD.md

The context is the mean of the embeddings of the last `context_messages` earlier customer messages the arc
remembers (`ArcState.recent`, float16 as stored; zeros for a first message), and `NUMERIC` what the scorer and the
arc already know of the message and the conversation before it (the customer says the answer did not help, says
it again, the bot's failed answers so far): the scorer has them all, so the model costs a featurisation and one
small graph, tens of microseconds. The decision escalates (`needs_person`) when the probability reaches
`guardrails.needs_person` of the decision parameters; the manifest's `threshold` is what leave one author out
chose, and the shipped parameters carry the same value.

numpy and onnxruntime are imported when a model is loaded, not when this module is imported.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from baton.scoring.features import FeatureSpec, featurize

if TYPE_CHECKING:
    import numpy as np

    from baton.events import Scores
    from baton.scoring.arc import ArcState

MODEL_DIR = "handover"
INPUT = "embedding"
CONTEXT = "context"
NGRAMS = "ngrams"
NUMERIC_INPUT = "numeric"
OUTPUT = "probs"
NUMERIC = ("negative_feedback", "rephrase", "repeat", "bot_failures")
"""`numeric_features`, in the model's input order."""
MAX_FAILURES = 3


class ModelDirError(ValueError):
    """The directory is not a usable handover model; the message says which file and why."""


def context_vector(earlier: Sequence[Any], dim: int) -> np.ndarray:
    """float32 [dim]: the mean of the earlier messages' embeddings (float16 or float32), zeros for none."""
    import numpy as np

    if not earlier:
        return np.zeros(dim, np.float32)
    stacked = np.stack([np.asarray(v).astype(np.float32) for v in earlier])
    mean: np.ndarray = stacked.mean(axis=0)
    return mean


def earlier_embeddings(state: ArcState, seq: int, n: int) -> list[np.ndarray]:
    """The stored embeddings (float16, decoded) of the last `n` customer messages before `seq` the arc remembers:
    the context the model reads, the same in the scorer and in `baton train handover`."""
    from baton.scoring.arc import decode_embedding

    kept = [r.embedding for r in state.recent if r.embedding is not None and r.seq < seq]
    return [decode_embedding(e) for e in kept[-n:]] if n > 0 else []


def numeric_features(scores: Scores, state: ArcState) -> list[float]:
    """`NUMERIC` for a customer message, from its scores and the arc before it, each in [0, 1]: it says the
    answer did not help, it says an earlier message again (in other words, or word for word), and the bot's
    failed answers so far (capped at `MAX_FAILURES`). Measured and left out (docs/decision.md, "The handover
    model"): frustration and sentiment (they lift calm messages that sound negative), the turn, and the bot's own
    confidence (a bot that sends none would get another model)."""
    return [
        float(bool(scores.negative_feedback)),
        float(scores.rephrase_of is not None),
        float(scores.repeat_of is not None),
        min(state.bot_failures, MAX_FAILURES) / MAX_FAILURES,
    ]


@dataclass
class OnnxHandoverModel:
    """A handover model loaded from its directory. `predict` is thread-compatible, not thread-safe."""

    version: str
    encoder_version: str
    dim: int
    context_messages: int
    threshold: float
    spec: FeatureSpec
    manifest: dict[str, Any] = field(repr=False)
    session: Any = field(repr=False)

    def predict(self, text: str, embedding: Any, earlier: Sequence[Any], numeric: Sequence[float]) -> float:
        """The probability for one message: its embedding, the embeddings of the earlier customer messages
        (oldest first; the last `context_messages` count) and its `numeric_features`."""
        import numpy as np

        vector = np.asarray(embedding, np.float32).reshape(1, -1)
        if vector.shape[1] != self.dim:
            raise ValueError(
                f"handover model {self.version}: embedding of {vector.shape[1]} dims, not {self.dim}"
            )
        context = context_vector(list(earlier)[-self.context_messages :], self.dim).reshape(1, -1)
        ngrams = np.zeros((1, self.spec.n_buckets), np.float32)
        idx, val = featurize(text, self.spec)
        ngrams[0, idx] = val
        if len(numeric) != len(NUMERIC):
            raise ValueError(
                f"handover model {self.version}: {len(numeric)} numeric features, not {len(NUMERIC)}"
            )
        values = np.asarray(numeric, np.float32).reshape(1, -1)
        out = self.session.run(
            None, {INPUT: vector, CONTEXT: context, NGRAMS: ngrams, NUMERIC_INPUT: values}
        )[0]
        return float(out[0, 0])


def load(path: Path, *, threads: int = 1) -> OnnxHandoverModel:
    """The handover model in directory `path` (a `handover/` directory of the model layout)."""
    from baton.scoring.sessions import manifest as read_manifest
    from baton.scoring.sessions import manifest_session

    path = Path(path)
    manifest = read_manifest(path, "handover", ModelDirError)
    try:
        version = str(manifest["version"])
        encoder_version = str(manifest["encoder"]["version"])
        dim = int(manifest["encoder"]["dim"])
        spec = FeatureSpec.from_json(manifest["features"])
        context_messages = int(manifest["context_messages"])
        threshold = float(manifest["threshold"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelDirError(f"{path / 'manifest.json'}: {exc}") from None
    model_file, session = manifest_session(path, manifest, ModelDirError, threads=threads)
    names = {i.name for i in session.get_inputs()}
    expected = {INPUT, CONTEXT, NGRAMS, NUMERIC_INPUT}
    if names != expected:
        raise ModelDirError(f"{model_file}: inputs {sorted(names)}, expected {sorted(expected)}")
    if manifest.get("numeric") != list(NUMERIC):
        raise ModelDirError(
            f"{path / 'manifest.json'}: numeric features {manifest.get('numeric')}, expected {list(NUMERIC)}"
        )
    return OnnxHandoverModel(
        version=version,
        encoder_version=encoder_version,
        dim=dim,
        context_messages=context_messages,
        threshold=threshold,
        spec=spec,
        manifest=manifest,
        session=session,
    )
