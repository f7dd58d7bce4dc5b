"""The trigger model at serving time: one logistic head per trigger over the sentence encoder's embedding and
hashed word n-grams of the text.

`load(path)` reads one model directory written by `baton train triggers` (`layers/models/triggers/`):

    manifest.json   {"kind": "triggers", "version", "codes": [trigger codes, in output order],
                     "thresholds": {code: p}, "encoder": {"version", "dim"},
                     "features": FeatureSpec (optional), "reference": {...}, ...}
    model.onnx      inputs `embedding` [batch, dim] (the encoder's L2-normalised embedding, the one the intent
                    model reads) and, when the manifest has `features`, `ngrams` [batch, n_buckets] (dense
                    `baton.scoring.features.featurize` of the text, computed here), output `probs`
                    [batch, len(codes)]: an independent sigmoid per trigger
    MODEL_CARD.md

A model with `hidden` in its manifest (round 10, `baton train triggers --reader mix`) also reads the encoder's hidden
states after layer `hidden.layer` (`Encoded.hidden`, which the scorer computes anyway for the sentiment branch),
pooled here per text (the mean and the max over the tokens) into a third input `hidden` [batch, 2 x width]: the graph
averages the logistic heads' probabilities with a small MLP's over the embedding and those pooled states.

Besides the embedding the scorer already computed, the model hashes the text's word n-grams with its own small
FeatureSpec (8,192 buckets, word 1-2-grams): featurisation plus the head cost a few tens of microseconds. It works with the guardrails' regular expressions, not instead of them: the decision engine
trips a guardrail when its pattern matches *or* the head's probability reaches the trigger's threshold in the
decision parameters (`guardrails.model_thresholds`; the manifest's `thresholds` are what cross-validation
chose, and the shipped parameters carry the same values). The scorer reports every probability >= `REPORT_MIN`
in `Scores.triggers`.

numpy and onnxruntime are imported when a model is loaded, not when this module is imported.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from baton.scoring.contracts import Encoded
from baton.scoring.features import FeatureSpec, featurize

if TYPE_CHECKING:
    import numpy as np

REPORT_MIN = 0.05
"""Probabilities below this are left out of `Scores.triggers` (events stay small)."""
INPUT = "embedding"
NGRAMS = "ngrams"
HIDDEN = "hidden"
OUTPUT = "probs"


class ModelDirError(ValueError):
    """The directory is not a usable trigger model; the message says which file and why."""


@dataclass
class OnnxTriggerModel:
    """A trigger model loaded from its directory. `predict` is thread-compatible, not thread-safe."""

    version: str
    codes: list[str]
    thresholds: dict[str, float]
    encoder_version: str
    manifest: dict[str, Any] = field(repr=False)
    session: Any = field(repr=False)
    spec: FeatureSpec | None = None
    """The n-gram features' spec (None: a model over the embedding alone)."""
    hidden_layer: int | None = None
    """The encoder layer whose pooled hidden states the model reads (None: it reads none)."""

    uses_encoder = True

    def ngrams(self, texts: Sequence[str]) -> np.ndarray:
        """float32 [n, n_buckets]: `featurize` of each text with the model's spec, dense."""
        import numpy as np

        assert self.spec is not None
        out = np.zeros((len(texts), self.spec.n_buckets), np.float32)
        for i, text in enumerate(texts):
            idx, val = featurize(text, self.spec)
            out[i, idx] = val
        return out

    @staticmethod
    def pooled(hidden: Sequence[Any]) -> np.ndarray:
        """float32 [n, 2 x width]: per text, the mean and the max over its tokens of its hidden states."""
        import numpy as np

        return np.stack(
            [
                np.concatenate(
                    [np.asarray(h, np.float32).mean(axis=0), np.asarray(h, np.float32).max(axis=0)]
                )
                for h in hidden
            ]
        ).astype(np.float32)

    def probabilities(
        self, embeddings: Any, texts: Sequence[str] | None = None, hidden: Sequence[Any] | None = None
    ) -> np.ndarray:
        """float32 [n, len(codes)] for float32 [n, dim] embeddings and, for a model with n-grams, their texts;
        for a model that reads hidden states, each text's (`Encoded.hidden`)."""
        import numpy as np

        x = np.ascontiguousarray(embeddings, dtype=np.float32)
        if x.ndim != 2 or x.shape[0] == 0:
            return np.zeros((0 if x.ndim != 2 else x.shape[0], len(self.codes)), np.float32)
        feeds = {INPUT: x}
        if self.spec is not None:
            if texts is None or len(texts) != x.shape[0]:
                raise ValueError(f"trigger model {self.version} reads the texts too: pass one per embedding")
            feeds[NGRAMS] = self.ngrams(texts)
        if self.hidden_layer is not None:
            if hidden is None or len(hidden) != x.shape[0]:
                raise ValueError(
                    f"trigger model {self.version} reads the encoder's hidden states after layer "
                    f"{self.hidden_layer} too: pass one per embedding (an encoder whose manifest has hidden_layer)"
                )
            feeds[HIDDEN] = self.pooled(hidden)
        probabilities: np.ndarray = self.session.run(None, feeds)[0]
        return probabilities

    def predict(self, texts: Sequence[str], encoded: Encoded | None = None) -> list[dict[str, float]]:
        """Per text, {code: probability} for the probabilities >= REPORT_MIN, rounded to 4 places."""
        if encoded is None:
            raise ValueError(
                f"trigger model {self.version} reads sentence embeddings (encoder {self.encoder_version}): "
                "pass `encoded` (the scorer does)"
            )
        if encoded.encoder_version is not None and encoded.encoder_version != self.encoder_version:
            raise ValueError(
                f"trigger model {self.version} was trained on encoder {self.encoder_version}, "
                f"got embeddings of {encoded.encoder_version}"
            )
        if encoded.embeddings.shape[0] != len(texts):
            raise ValueError(f"{encoded.embeddings.shape[0]} embeddings for {len(texts)} texts")
        probs = self.probabilities(encoded.embeddings, texts, encoded.hidden)
        return [
            {code: round(float(p), 4) for code, p in zip(self.codes, row, strict=True) if p >= REPORT_MIN}
            for row in probs
        ]


def load(path: Path, *, threads: int = 1) -> OnnxTriggerModel:
    """The trigger model in directory `path` (a `triggers/` directory of the model layout)."""
    from baton.scoring.sessions import manifest as read_manifest
    from baton.scoring.sessions import manifest_session

    path = Path(path)
    manifest = read_manifest(path, "triggers", ModelDirError, "trigger")
    try:
        codes = [str(c) for c in manifest["codes"]]
        thresholds = {str(k): float(v) for k, v in manifest.get("thresholds", {}).items()}
        encoder_version = str(manifest["encoder"]["version"])
        spec = FeatureSpec.from_json(manifest["features"]) if manifest.get("features") else None
        hidden_layer = int(manifest["hidden"]["layer"]) if manifest.get("hidden") else None
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelDirError(f"{path / 'manifest.json'}: {exc}") from None
    model_file, session = manifest_session(path, manifest, ModelDirError, threads=threads)
    names = {i.name for i in session.get_inputs()}
    expected = (
        {INPUT}
        | ({NGRAMS} if spec is not None else set())
        | ({HIDDEN} if hidden_layer is not None else set())
    )
    if names != expected:
        raise ModelDirError(f"{model_file}: inputs {sorted(names)} do not match the manifest's features")
    n_out = session.get_outputs()[0].shape[-1]
    if isinstance(n_out, int) and n_out != len(codes):
        raise ModelDirError(f"{model_file}: {n_out} outputs for {len(codes)} codes")
    return OnnxTriggerModel(
        version=str(manifest.get("version", "unknown")),
        codes=codes,
        thresholds=thresholds,
        encoder_version=encoder_version,
        manifest=manifest,
        session=session,
        spec=spec,
        hidden_layer=hidden_layer,
    )
