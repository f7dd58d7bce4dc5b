"""Sentiment and frustration of customer messages at serving time: `load(path) -> OnnxSentiment`.

The model directory (`layers/models/sentiment/`, or `<dir>/sentiment/` written by `baton train sentiment`)
holds `model.onnx`, `lexicon.json` (the VADER lexicon subset the dense features use), `manifest.json` (the
`FeatureSpec` of the hashed n-grams, the dense feature names, metrics) and `MODEL_CARD.md`.

Features (`features`, the same function `baton train sentiment` fits on): hashed word and character n-grams
(`baton.scoring.features`, sparse, COO) and a few dense features (`baton.scoring.lexicon`: lexicon valence,
negation, punctuation, capitals, cues of frustration such as "again", "still", "not working", "cancel").
The graph holds one linear model with two heads over them:

    z = W[cols] * vals summed per row + dense @ D + b        (z: [batch, 2])
    sentiment = 2 * sigmoid(z[:, 0]) - 1 = tanh(z[:, 0] / 2)  in [-1, 1]   (trained on SST-2)
    frustration = sigmoid(z[:, 1])                            in [0, 1]    (trained on USS user turns)

A text with nothing to read (empty, whitespace, punctuation without "!" or "?") gets sentiment 0 and
frustration 0, flagged `extra["empty"]`. onnxruntime and numpy are imported on first use (cold start).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from baton.scoring.contracts import SentimentPrediction
from baton.scoring.features import FeatureSpec, featurize
from baton.scoring.lexicon import DENSE_FEATURES, Lexicon, dense_features, load_lexicon

if TYPE_CHECKING:
    import numpy as np

MODEL_FILE = "model.onnx"
MANIFEST_FILE = "manifest.json"
INPUTS = ("rows", "cols", "vals", "dense")
OUTPUTS = ("sentiment", "frustration")
_CUE_PREFIX = "cue_"
_LENGTH = DENSE_FEATURES.index("length")


@dataclass(frozen=True)
class Features:
    """A batch in the form the graph takes: sparse n-grams as COO plus the dense matrix."""

    rows: np.ndarray
    """int64 [nnz]: the text each n-gram value belongs to."""
    cols: np.ndarray
    """int64 [nnz]: hashed bucket."""
    vals: np.ndarray
    """float32 [nnz]: value (signed, sublinear tf, L2-normalised per text)."""
    dense: np.ndarray
    """float32 [batch, len(DENSE_FEATURES)]."""
    empty: list[bool]
    """Per text: nothing to read (no n-gram, no lexicon word, no cue)."""

    def feeds(self) -> dict[str, np.ndarray]:
        return {"rows": self.rows, "cols": self.cols, "vals": self.vals, "dense": self.dense}


def features(texts: Sequence[str], spec: FeatureSpec, lexicon: Lexicon) -> Features:
    """The model's input for `texts`: the one featurisation of training and serving."""
    import numpy as np

    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    dense: list[list[float]] = []
    empty: list[bool] = []
    for row, text in enumerate(texts):
        idx, val = featurize(text, spec)
        rows.extend([row] * len(idx))
        cols.extend(idx)
        vals.extend(val)
        feats = dense_features(text, lexicon)
        dense.append(feats)
        # Length alone says nothing: "..." or an unknown emoji is as empty as "".
        empty.append(not idx and not any(v for i, v in enumerate(feats) if i != _LENGTH))
    return Features(
        rows=np.asarray(rows, dtype=np.int64),
        cols=np.asarray(cols, dtype=np.int64),
        vals=np.asarray(vals, dtype=np.float32),
        dense=np.asarray(dense, dtype=np.float32).reshape(len(texts), len(DENSE_FEATURES)),
        empty=empty,
    )


class OnnxSentiment:
    """Implements `baton.scoring.contracts.SentimentModel`."""

    def __init__(
        self, model_path: Path, manifest: dict[str, Any], lexicon: Lexicon, *, threads: int = 1
    ) -> None:
        import onnxruntime as ort

        names = tuple(manifest.get("dense_features", ()))
        if names != DENSE_FEATURES:
            raise ValueError(
                f"{model_path.parent / MANIFEST_FILE}: dense_features {list(names)} differ from this code's "
                f"{list(DENSE_FEATURES)}; retrain with `baton train sentiment`"
            )
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
        self.version: str = str(manifest["version"])
        self.spec = FeatureSpec.from_json(manifest["features"])
        self.lexicon = lexicon
        self._cues = [
            (i, name.removeprefix(_CUE_PREFIX))
            for i, name in enumerate(names)
            if name.startswith(_CUE_PREFIX)
        ]

    def features(self, texts: Sequence[str]) -> Features:
        return features(texts, self.spec, self.lexicon)

    def run(self, feats: Features) -> tuple[np.ndarray, np.ndarray]:
        """(sentiment, frustration) float32 arrays of a featurised batch, straight from the graph."""
        sentiment, frustration = self._session.run(list(OUTPUTS), feats.feeds())
        return sentiment, frustration

    def predict(self, texts: Sequence[str]) -> list[SentimentPrediction]:
        if not texts:
            return []
        feats = self.features(texts)
        sentiment, frustration = self.run(feats)
        out: list[SentimentPrediction] = []
        for i, is_empty in enumerate(feats.empty):
            if is_empty:
                out.append(SentimentPrediction(sentiment=0.0, frustration=0.0, extra={"empty": True}))
                continue
            cues = [name for col, name in self._cues if feats.dense[i, col] > 0]
            out.append(
                SentimentPrediction(
                    sentiment=min(1.0, max(-1.0, float(sentiment[i]))),
                    frustration=min(1.0, max(0.0, float(frustration[i]))),
                    extra={"cues": cues} if cues else {},
                )
            )
        return out


def read_manifest(path: Path) -> dict[str, Any]:
    manifest = json.loads((path / MANIFEST_FILE).read_text(encoding="utf-8"))
    if manifest.get("kind") != "sentiment":
        raise ValueError(f"{path / MANIFEST_FILE} is a {manifest.get('kind')!r} model, not 'sentiment'")
    return manifest


def load(path: Path, *, threads: int = 1) -> OnnxSentiment:
    """The sentiment model of a model directory (`<models>/sentiment/`)."""
    manifest = read_manifest(path)
    files = manifest.get("files", {})
    lexicon = load_lexicon(path / files.get("lexicon", "lexicon.json"))
    return OnnxSentiment(path / files.get("model", MODEL_FILE), manifest, lexicon, threads=threads)
