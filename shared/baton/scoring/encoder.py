"""The sentence encoder at serving time: int8 ONNX all-MiniLM-L6-v2 behind `load(path) -> OnnxEncoder`.

The model directory (`layers/models/encoder/`, or `<dir>/encoder/` written by `baton train encoder`) holds
`model.onnx` (token ids and attention mask in, the mean-pooled, L2-normalised sentence embedding out: pooling
and normalisation live inside the graph, so no caller can get them wrong), `tokenizer.json` (the upstream
WordPiece tokenizer, truncation set to `max_length`) and `manifest.json`.

Texts are tokenised here, sorted by length and run in batches padded to the longest text of the batch.
`baton train encoder` measures the model through this very class, so the figures in the card are the
serving path's figures. onnxruntime, numpy and tokenizers are imported on first use (cold start).

Rephrase detection: two customer messages whose embeddings have a cosine >= the manifest's
`rephrase_threshold` say the same thing (see `OnnxEncoder.rephrase_of`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

DEFAULT_BATCH_SIZE = 64


class OnnxEncoder:
    """Implements `baton.scoring.contracts.Encoder`."""

    def __init__(
        self,
        model_path: Path,
        tokenizer_path: Path,
        *,
        version: str,
        dim: int,
        max_length: int,
        rephrase_threshold: float | None = None,
        threads: int = 1,
    ) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self._session = ort.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
        self._tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self._tokenizer.enable_truncation(max_length)
        self._tokenizer.no_padding()
        self.version = version
        self.dim = dim
        self.max_length = max_length
        self.rephrase_threshold = rephrase_threshold

    def tokenize(self, texts: Sequence[str]) -> list[list[int]]:
        """WordPiece ids with [CLS] and [SEP], truncated to `max_length` (no padding)."""
        if len(texts) == 1:
            return [self._tokenizer.encode(texts[0]).ids]
        return [enc.ids for enc in self._tokenizer.encode_batch(list(texts))]

    def run(self, ids: Sequence[Sequence[int]]) -> np.ndarray:
        """One forward pass over a batch of token id lists, padded here to the longest; no sorting."""
        import numpy as np

        width = max(len(row) for row in ids)
        input_ids = np.zeros((len(ids), width), dtype=np.int64)
        mask = np.zeros((len(ids), width), dtype=np.int64)
        for i, row in enumerate(ids):
            input_ids[i, : len(row)] = row
            mask[i, : len(row)] = 1
        (out,) = self._session.run(None, {"input_ids": input_ids, "attention_mask": mask})
        return out

    def embed(self, texts: Sequence[str], batch_size: int = DEFAULT_BATCH_SIZE) -> np.ndarray:
        """float32 (len(texts), dim), rows L2-normalised: the cosine of two texts is the dot product."""
        import numpy as np

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        ids = self.tokenize(texts)
        # Length-sorted batches waste little on padding; stable sort keeps the batching deterministic.
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            out[chunk] = self.run([ids[i] for i in chunk])
        return out

    def similarity(self, a: str, b: str) -> float:
        """Cosine similarity of two texts, -1..1 (in practice about -0.1..1)."""
        va, vb = self.embed([a, b], batch_size=1)
        return float(va @ vb)

    def rephrase_of(self, text: str, earlier: Sequence[str]) -> tuple[int, float] | None:
        """The index of the earlier message `text` rephrases (highest cosine >= the threshold) and that
        cosine, or None. Each text is embedded alone (batch of one), as the scoring function does."""
        if self.rephrase_threshold is None:
            raise ValueError("this encoder's manifest has no rephrase_threshold")
        if not earlier:
            return None
        vectors = [self.embed([t], batch_size=1)[0] for t in [text, *earlier]]
        sims = [float(vectors[0] @ v) for v in vectors[1:]]
        best = max(range(len(sims)), key=sims.__getitem__)
        return (best, sims[best]) if sims[best] >= self.rephrase_threshold else None


def cosine(a: Any, b: Any) -> Any:
    """Cosine similarities between rows of `a` (n, d) and rows of `b` (m, d): (n, m). Rows of
    `OnnxEncoder.embed` are already normalised; this also accepts vectors that are not."""
    import numpy as np

    a = np.atleast_2d(np.asarray(a, dtype=np.float32))
    b = np.atleast_2d(np.asarray(b, dtype=np.float32))
    a = a / np.maximum(np.linalg.norm(a, axis=1, keepdims=True), 1e-12)
    b = b / np.maximum(np.linalg.norm(b, axis=1, keepdims=True), 1e-12)
    return a @ b.T


def read_manifest(path: Path) -> dict[str, Any]:
    manifest = json.loads((Path(path) / "manifest.json").read_text())
    if manifest.get("kind") != "encoder":
        raise ValueError(f"{path}: manifest kind is {manifest.get('kind')!r}, not 'encoder'")
    return manifest


def load(path: Path, *, threads: int = 1) -> OnnxEncoder:
    """The encoder in model directory `path` (reads only that directory)."""
    path = Path(path)
    manifest = read_manifest(path)
    files = manifest["files"]
    return OnnxEncoder(
        path / files["model"],
        path / files["tokenizer"],
        version=manifest["version"],
        dim=int(manifest["dim"]),
        max_length=int(manifest["max_length"]),
        rephrase_threshold=manifest.get("rephrase_threshold"),
        threads=threads,
    )
