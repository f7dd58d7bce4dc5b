"""The intent model at serving time: hashed n-gram features -> ONNX -> intent, confidence, out-of-scope.

`load(path)` reads one model directory written by `baton train intent` (see `contracts.py` for the layout):

    manifest.json   {"kind": "intent", "version", "features": FeatureSpec, "oos": {"label", "threshold"},
                     "encoder": {"version", "dim", "scale"} or null, ...}
    model.onnx      inputs rows/cols/vals/batch (COO features) and, when the manifest names an encoder, `dense`
                    (that encoder's embedding of each message); output `probs` [batch, len(labels)]
    labels.json     the output classes in order; the out-of-scope class, when the model has one, among them
    taxonomy.json   {intent: {"product_area", "skill", "base_complexity"}}

The decision rule (the same code scored the validation split during training, see `decide`): the intent is the
most probable in-scope class; the message is out of scope when the explicit out-of-scope class (if any) is more
probable than that intent, or when that intent's probability is below the tuned `threshold`.

numpy and onnxruntime are imported when a model is loaded, not when this module is imported.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from baton.scoring.contracts import Encoded, IntentInfo, IntentPrediction
from baton.scoring.features import FeatureSpec, featurize_batch

if TYPE_CHECKING:
    import numpy as np

DEFAULT_INTENT_INFO = IntentInfo(product_area="general", skill="general", base_complexity=0.5)
"""What an intent missing from the taxonomy gets: no product area or skill, middling complexity."""

TOP_K = 3
MAX_BATCH = 256
"""Messages per onnxruntime call: bounds the memory of the [batch, hidden] intermediate on a large backtest."""


class ModelDirError(ValueError):
    """The directory is not a usable intent model; the message says which file and why."""


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelDirError(f"{path}: missing") from None
    except json.JSONDecodeError as exc:
        raise ModelDirError(f"{path}: not JSON ({exc})") from None


def parse_taxonomy(data: Any, *, where: str = "taxonomy") -> dict[str, IntentInfo]:
    """{intent: {product_area, skill, base_complexity}} -> IntentInfo per intent; errors name the intent."""
    if not isinstance(data, Mapping):
        raise ValueError(f"{where}: expected an object mapping each intent to its entry")
    out: dict[str, IntentInfo] = {}
    for intent, entry in data.items():
        if not isinstance(entry, Mapping):
            raise ValueError(f"{where}: {intent!r}: expected an object")
        area, skill, base = entry.get("product_area"), entry.get("skill"), entry.get("base_complexity")
        if not isinstance(area, str) or not area or not isinstance(skill, str) or not skill:
            raise ValueError(f"{where}: {intent!r}: product_area and skill must be non-empty strings")
        if isinstance(base, bool) or not isinstance(base, int | float) or not 0 <= base <= 1:
            raise ValueError(f"{where}: {intent!r}: base_complexity must be a number in [0, 1]")
        out[str(intent)] = IntentInfo(product_area=area, skill=skill, base_complexity=float(base))
    return out


def decide(
    probs: np.ndarray, labels: Sequence[str], oos_label: str | None, threshold: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(in-scope class index, its probability, out_of_scope) per row of `probs`."""
    import numpy as np

    in_scope = probs
    oos_idx = labels.index(oos_label) if oos_label is not None and oos_label in labels else None
    if oos_idx is not None:
        in_scope = probs.copy()
        in_scope[:, oos_idx] = -1.0
    best = in_scope.argmax(axis=1)
    conf = in_scope[np.arange(len(best)), best]
    oos = conf < threshold
    if oos_idx is not None:
        oos |= probs[:, oos_idx] > conf
    return best, conf, oos


@dataclass
class OnnxIntentModel:
    """An intent model loaded from its directory. `predict` is thread-compatible, not thread-safe."""

    version: str
    taxonomy: dict[str, IntentInfo]
    labels: list[str]
    spec: FeatureSpec
    threshold: float
    oos_label: str | None
    manifest: dict[str, Any] = field(repr=False)
    session: Any = field(repr=False)
    encoder_version: str | None = None
    """The encoder whose embeddings the model reads (None: n-grams only)."""

    @property
    def uses_encoder(self) -> bool:
        return self.encoder_version is not None

    def info(self, intent: str) -> IntentInfo:
        """The taxonomy entry of `intent` (the documented default when the taxonomy lacks it)."""
        return self.taxonomy.get(intent, DEFAULT_INTENT_INFO)

    def probabilities(self, texts: Sequence[str], encoded: Encoded | None = None) -> np.ndarray:
        """Softmax over `labels`, float32 [len(texts), len(labels)]."""
        import numpy as np

        embeddings = self._embeddings(texts, encoded)
        parts = []
        for start in range(0, len(texts), MAX_BATCH):
            chunk = texts[start : start + MAX_BATCH]
            rows, cols, vals = featurize_batch(chunk, self.spec)
            feeds = {
                "rows": np.asarray(rows, np.int64),
                "cols": np.asarray(cols, np.int64),
                "vals": np.asarray(vals, np.float32),
                "batch": np.array([len(chunk)], np.int64),
            }
            if embeddings is not None:
                feeds["dense"] = embeddings[start : start + MAX_BATCH]
            parts.append(self.session.run(None, feeds)[0])
        if not parts:
            return np.zeros((0, len(self.labels)), np.float32)
        return np.concatenate(parts)

    def _embeddings(self, texts: Sequence[str], encoded: Encoded | None) -> np.ndarray | None:
        import numpy as np

        if not self.uses_encoder:
            return None
        if encoded is None:
            raise ValueError(
                f"intent model {self.version} reads sentence embeddings (encoder {self.encoder_version}): "
                "pass `encoded` (the scorer does)"
            )
        embeddings = np.ascontiguousarray(encoded.embeddings, dtype=np.float32)
        if embeddings.shape[0] != len(texts):
            raise ValueError(f"{embeddings.shape[0]} embeddings for {len(texts)} texts")
        return embeddings

    def predict(self, texts: Sequence[str], encoded: Encoded | None = None) -> list[IntentPrediction]:
        import numpy as np

        probs = self.probabilities(texts, encoded)
        best, conf, oos = decide(probs, self.labels, self.oos_label, self.threshold)
        out = []
        for i in range(len(texts)):
            order = np.argsort(-probs[i], kind="stable")
            top = tuple(
                itertools.islice(
                    ((self.labels[j], float(probs[i, j])) for j in order if self.labels[j] != self.oos_label),
                    TOP_K,
                )
            )
            out.append(
                IntentPrediction(
                    intent=self.labels[int(best[i])],
                    confidence=float(conf[i]),
                    # A blank message asks nothing: out of scope, whatever the network makes of no features.
                    out_of_scope=bool(oos[i]) or not texts[i].strip(),
                    top=top,
                )
            )
        return out


def load(path: Path, *, threads: int = 1) -> OnnxIntentModel:
    """The intent model in directory `path` (an `intent/` directory of the model layout)."""
    from baton.scoring.sessions import session as new_session

    path = Path(path)
    manifest = _read_json(path / "manifest.json")
    if not isinstance(manifest, dict) or manifest.get("kind") != "intent":
        raise ModelDirError(f"{path / 'manifest.json'}: not an intent model manifest")
    files = manifest.get("files", {})
    labels = _read_json(path / files.get("labels", "labels.json"))
    if not isinstance(labels, list) or not labels or not all(isinstance(x, str) for x in labels):
        raise ModelDirError(f"{path / 'labels.json'}: expected a non-empty list of labels")
    try:
        spec = FeatureSpec.from_json(manifest["features"])
        oos = manifest.get("oos", {})
        threshold = float(oos.get("threshold", 0.0))
        encoder = manifest.get("encoder")
        encoder_version = str(encoder["version"]) if encoder else None
        oos_label = oos.get("label")
        taxonomy_file = path / files.get("taxonomy", "taxonomy.json")
        taxonomy = (
            parse_taxonomy(_read_json(taxonomy_file), where=str(taxonomy_file))
            if taxonomy_file.exists()
            else {}
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelDirError(f"{path}: {exc}") from None
    model_file = path / files.get("model", "model.onnx")
    if not model_file.exists():
        raise ModelDirError(f"{model_file}: missing")
    session = new_session(model_file, threads=threads)
    n_out = session.get_outputs()[0].shape[-1]
    if isinstance(n_out, int) and n_out != len(labels):
        raise ModelDirError(f"{model_file}: {n_out} outputs for {len(labels)} labels")
    in_scope = [label for label in labels if label != oos_label]
    return OnnxIntentModel(
        version=str(manifest.get("version", "unknown")),
        taxonomy={label: taxonomy.get(label, DEFAULT_INTENT_INFO) for label in in_scope},
        labels=labels,
        spec=spec,
        threshold=threshold,
        oos_label=oos_label,
        manifest=manifest,
        session=session,
        encoder_version=encoder_version,
    )
