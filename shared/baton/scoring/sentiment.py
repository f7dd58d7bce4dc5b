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

With a branch (`branch.onnx` and a `branch` entry in the manifest, written by `baton train sentiment --encoder`),
the model also reads the sentence encoder's hidden states (`Encoded.hidden`, after the encoder layer the
manifest names): the branch runs the upper encoder layers, fine-tuned, mean pooling and a head with two logits
(b0: sentiment, b1: dissatisfaction), and the final scores stack both models' logits:

    sentiment   = tanh((s0 + s1 * z0 + s2 * b0) / 2)
    frustration = sigmoid(f0 + f1 * z1 + f2 * b0 + f3 * b1)

(weights `branch.stack` of the manifest). Such a model has `uses_encoder = True` and needs `encoded` from the
very encoder it was trained on (checked by version); a directory without a branch ignores `encoded`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from baton.scoring.contracts import Encoded, SentimentPrediction
from baton.scoring.features import FeatureSpec, featurize
from baton.scoring.lexicon import DENSE_FEATURES, Lexicon, dense_features, load_lexicon

if TYPE_CHECKING:
    import numpy as np

MODEL_FILE = "model.onnx"
MANIFEST_FILE = "manifest.json"
INPUTS = ("rows", "cols", "vals", "dense")
OUTPUTS = ("sentiment", "frustration")
LOGITS = "z"
"""The n-gram graph's pre-activation output [batch, 2] (graphs written since the branch exist have it)."""
BRANCH_INPUTS = ("hidden_states", "attention_mask")
BRANCH_OUTPUT = "logits"
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


@dataclass(frozen=True)
class Stack:
    """How the final logits combine the n-gram logits (z) with the branch logits (b): see the module doc."""

    sentiment: tuple[float, float, float]
    """s0 (bias), s1 (n-gram sentiment logit), s2 (branch sentiment logit)."""
    frustration: tuple[float, float, float, float]
    """f0 (bias), f1 (n-gram frustration logit), f2 (branch sentiment logit), f3 (branch dissatisfaction logit)."""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Stack:
        s, f = data["sentiment"], data["frustration"]
        return cls(
            sentiment=(float(s["bias"]), float(s["ngram"]), float(s["branch_sentiment"])),
            frustration=(
                float(f["bias"]),
                float(f["ngram"]),
                float(f["branch_sentiment"]),
                float(f["branch_dissatisfaction"]),
            ),
        )

    def combine(self, z: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Final (sentiment, frustration) logits from n-gram logits z [n, 2] and branch logits b [n, 2]."""
        s0, s1, s2 = self.sentiment
        f0, f1, f2, f3 = self.frustration
        return s0 + s1 * z[:, 0] + s2 * b[:, 0], f0 + f1 * z[:, 1] + f2 * b[:, 0] + f3 * b[:, 1]


class OnnxSentiment:
    """Implements `baton.scoring.contracts.SentimentModel`."""

    def __init__(
        self,
        model_path: Path,
        manifest: dict[str, Any],
        lexicon: Lexicon,
        *,
        threads: int = 1,
        branch_path: Path | None = None,
    ) -> None:
        from baton.scoring.sessions import session

        names = tuple(manifest.get("dense_features", ()))
        if names != DENSE_FEATURES:
            raise ValueError(
                f"{model_path.parent / MANIFEST_FILE}: dense_features {list(names)} differ from this code's "
                f"{list(DENSE_FEATURES)}; retrain with `baton train sentiment`"
            )
        self._session = session(model_path, threads=threads)
        self.version: str = str(manifest["version"])
        self.spec = FeatureSpec.from_json(manifest["features"])
        self.lexicon = lexicon
        self._cues = [
            (i, name.removeprefix(_CUE_PREFIX))
            for i, name in enumerate(names)
            if name.startswith(_CUE_PREFIX)
        ]
        branch = manifest.get("branch")
        self.uses_encoder = branch is not None
        """True when the model has a branch: `predict` then needs the encoder's output (`encoded`)."""
        self.encoder_version: str | None = None
        self.encoder_sha256: str | None = None
        self.hidden_layer: int | None = None
        self._branch: Any = None
        self._stack: Stack | None = None
        if branch is not None:
            where = model_path.parent / MANIFEST_FILE
            try:
                encoder = branch["encoder"]
                self.encoder_version = str(encoder["version"])
                self.encoder_sha256 = encoder.get("sha256")
                self.hidden_layer = int(encoder["hidden_layer"])
                self._stack = Stack.from_json(branch["stack"])
                self._width = int(branch["width"])
            except (KeyError, TypeError, ValueError) as exc:
                raise ValueError(f"{where}: incomplete `branch` entry ({exc!r})") from None
            path = branch_path or model_path.parent / branch.get("file", "branch.onnx")
            if not path.is_file():
                raise ValueError(f"{where}: the manifest names a branch but {path} does not exist")
            if LOGITS not in {o.name for o in self._session.get_outputs()}:
                raise ValueError(f"{model_path}: no `{LOGITS}` output, which a model with a branch needs")
            self._branch = session(path, threads=threads)

    def check_encoder(self, encoder: Any) -> None:
        """Raises ValueError unless `encoder` (an OnnxEncoder) is the one the branch was trained on: same
        version, model sha256 and hidden layer. A loader calls this once, at load time; `predict` checks the
        version of every `encoded` it gets. No-op for a model without a branch."""
        if not self.uses_encoder:
            return
        got = (
            getattr(encoder, "version", None),
            getattr(encoder, "sha256", None),
            getattr(encoder, "hidden_layer", None),
        )
        want = (self.encoder_version, self.encoder_sha256 or got[1], self.hidden_layer)
        if got != want:
            raise ValueError(
                f"sentiment model {self.version} was trained on encoder {self.encoder_version} (hidden layer "
                f"{self.hidden_layer}), got encoder {got[0]} (hidden layer {got[2]}, sha256 "
                f"{str(got[1])[:12]}...): use that encoder or retrain with `baton train sentiment --encoder DIR`"
            )

    def features(self, texts: Sequence[str]) -> Features:
        return features(texts, self.spec, self.lexicon)

    def run(self, feats: Features) -> tuple[np.ndarray, np.ndarray]:
        """(sentiment, frustration) float32 arrays of a featurised batch, straight from the n-gram graph (the
        branch-less scores)."""
        sentiment, frustration = self._session.run(list(OUTPUTS), feats.feeds())
        return sentiment, frustration

    def run_branch(self, hidden: Any) -> np.ndarray:
        """The branch's two logits [2] for one text's hidden states (tokens, width), run alone: a batch of one,
        as the branch was measured at training time (int8 activations are quantized per batch)."""
        import numpy as np

        states = np.ascontiguousarray(hidden, dtype=np.float32)[None]
        mask = np.ones(states.shape[:2], dtype=np.int64)
        (logits,) = self._branch.run([BRANCH_OUTPUT], {BRANCH_INPUTS[0]: states, BRANCH_INPUTS[1]: mask})
        first: np.ndarray = logits[0]
        return first

    def _check_encoded(self, texts: Sequence[str], encoded: Encoded | None) -> Sequence[Any]:
        if encoded is None:
            raise ValueError(
                f"sentiment model {self.version} has an encoder branch and needs `encoded` (the output of "
                f"encoder {self.encoder_version}'s encode() for the same texts); got none"
            )
        if encoded.encoder_version != self.encoder_version:
            raise ValueError(
                f"sentiment model {self.version} was trained on the hidden states of encoder "
                f"{self.encoder_version}; `encoded` comes from encoder {encoded.encoder_version}"
            )
        if encoded.hidden is None:
            raise ValueError(
                f"sentiment model {self.version} needs the encoder's hidden states (layer {self.hidden_layer}); "
                "`encoded.hidden` is None"
            )
        if len(encoded.hidden) != len(texts):
            raise ValueError(
                f"`encoded.hidden` has {len(encoded.hidden)} entries for {len(texts)} texts: encode the same texts"
            )
        for i, h in enumerate(encoded.hidden):
            shape: tuple[int, ...] = getattr(h, "shape", ())
            if len(shape) != 2 or shape[1] != self._width or shape[0] < 1:
                raise ValueError(
                    f"`encoded.hidden[{i}]` has shape {tuple(shape)}; expected (tokens, {self._width})"
                )
        return encoded.hidden

    def predict(self, texts: Sequence[str], encoded: Encoded | None = None) -> list[SentimentPrediction]:
        """Scores of each text. `encoded` (the encoder's output for the same texts) is required by a model
        with a branch (`uses_encoder`) and ignored otherwise."""
        import numpy as np

        if not texts:
            return []
        feats = self.features(texts)
        if self.uses_encoder:
            hidden = self._check_encoded(texts, encoded)
            assert self._stack is not None
            (z,) = self._session.run([LOGITS], feats.feeds())
            b = np.zeros((len(texts), 2), dtype=np.float64)
            for i, is_empty in enumerate(feats.empty):
                if not is_empty:
                    b[i] = self.run_branch(hidden[i])
            zs, zf = self._stack.combine(z.astype(np.float64), b)
            sentiment, frustration = np.tanh(zs / 2), 1.0 / (1.0 + np.exp(-zf))
        else:
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
    manifest: dict[str, Any] = json.loads((path / MANIFEST_FILE).read_text(encoding="utf-8"))
    if manifest.get("kind") != "sentiment":
        raise ValueError(f"{path / MANIFEST_FILE} is a {manifest.get('kind')!r} model, not 'sentiment'")
    return manifest


def load(path: Path, *, threads: int = 1) -> OnnxSentiment:
    """The sentiment model of a model directory (`<models>/sentiment/`)."""
    manifest = read_manifest(path)
    files = manifest.get("files", {})
    lexicon = load_lexicon(path / files.get("lexicon", "lexicon.json"))
    return OnnxSentiment(path / files.get("model", MODEL_FILE), manifest, lexicon, threads=threads)
