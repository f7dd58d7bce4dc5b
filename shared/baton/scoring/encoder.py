"""The sentence encoder at serving time: int8 ONNX all-MiniLM-L6-v2 behind `load(path) -> OnnxEncoder`.

The model directory (`layers/models/encoder/`, or `<dir>/encoder/` written by `baton train encoder`) holds
`model.onnx` (token ids and attention mask in, the mean-pooled, L2-normalised sentence embedding out: pooling
and normalisation live inside the graph, so no caller can get them wrong), `tokenizer.json` (the upstream
WordPiece tokenizer, truncation set to `max_length`) and `manifest.json`.

Texts are tokenised here, sorted by length and run in batches padded to the longest text of the batch.
`baton train encoder` measures the model through this very class, so the figures in the card are the
serving path's figures. onnxruntime, numpy and tokenizers are imported on first use (cold start).

`encode` also returns, per text, the hidden states after layer `hidden_layer` of the manifest (the graph's
second output `hidden_states`, when the export has it): the sentiment model's fine-tuned branch continues from
them, so the layers below are computed once per message.

Rephrase detection: two customer messages whose embeddings have a cosine >= the manifest's
`rephrase_threshold` say the same thing (see `OnnxEncoder.rephrase_of`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from baton.scoring.contracts import Encoded

if TYPE_CHECKING:
    import numpy as np

DEFAULT_BATCH_SIZE = 64
EMBEDDING_OUTPUT = "sentence_embedding"
HIDDEN_OUTPUT = "hidden_states"


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
        hidden_layer: int | None = None,
        sha256: str | None = None,
        threads: int = 1,
    ) -> None:
        from tokenizers import Tokenizer

        from baton.scoring.sessions import session

        self._session = session(model_path, threads=threads)
        self._tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self._tokenizer.enable_truncation(max_length)
        self._tokenizer.no_padding()
        self.version = version
        self.dim = dim
        self.max_length = max_length
        self.rephrase_threshold = rephrase_threshold
        self.sha256 = sha256
        """sha256 of model.onnx as the manifest records it: models trained on this encoder's outputs check it."""
        outputs = {o.name for o in self._session.get_outputs()}
        # A manifest may only promise hidden states the graph really has (an older export has none).
        self.hidden_layer = hidden_layer if HIDDEN_OUTPUT in outputs else None
        self._outputs = (
            [EMBEDDING_OUTPUT, HIDDEN_OUTPUT] if self.hidden_layer is not None else [EMBEDDING_OUTPUT]
        )

    def tokenize(self, texts: Sequence[str]) -> list[list[int]]:
        """WordPiece ids with [CLS] and [SEP], truncated to `max_length` (no padding)."""
        if len(texts) == 1:
            return [self._tokenizer.encode(texts[0]).ids]
        return [enc.ids for enc in self._tokenizer.encode_batch(list(texts))]

    @staticmethod
    def _feeds(ids: Sequence[Sequence[int]]) -> dict[str, np.ndarray]:
        import numpy as np

        width = max(len(row) for row in ids)
        input_ids = np.zeros((len(ids), width), dtype=np.int64)
        mask = np.zeros((len(ids), width), dtype=np.int64)
        for i, row in enumerate(ids):
            input_ids[i, : len(row)] = row
            mask[i, : len(row)] = 1
        return {"input_ids": input_ids, "attention_mask": mask}

    def run(self, ids: Sequence[Sequence[int]]) -> np.ndarray:
        """One forward pass over a batch of token id lists, padded here to the longest; no sorting."""
        out: np.ndarray
        (out,) = self._session.run([EMBEDDING_OUTPUT], self._feeds(ids))
        return out

    def encode(self, texts: Sequence[str]) -> Encoded:
        """Embeddings and, when the graph exposes them, each text's hidden states after layer `hidden_layer`
        (float32, tokens x dim, [CLS] and [SEP] included). One text per forward pass, as the scoring function
        runs it: int8 activations are quantized per batch, so a batch would change a text's outputs slightly,
        and the models fine-tuned on these states were trained on texts run alone."""
        import numpy as np

        embeddings = np.zeros((len(texts), self.dim), dtype=np.float32)
        hidden: list[np.ndarray] = []
        for i, ids in enumerate(self.tokenize(texts) if texts else []):
            outs = self._session.run(self._outputs, self._feeds([ids]))
            embeddings[i] = outs[0][0]
            if self.hidden_layer is not None:
                hidden.append(outs[1][0])
        return Encoded(
            embeddings=embeddings,
            hidden=hidden if self.hidden_layer is not None else None,
            encoder_version=self.version,
        )

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
    manifest: dict[str, Any] = json.loads((Path(path) / "manifest.json").read_text())
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
        hidden_layer=manifest.get("hidden_layer"),
        sha256=manifest.get("sha256", {}).get(files["model"]),
        threads=threads,
    )
