"""A fine-tuned trigger branch (round 11, issue 9): one encoder layer above the served encoder's hidden states,
fine-tuned with torch on the trigger training sets, mean pooling and an independent sigmoid per trigger.

Round 10 ended on "recall 0.9 on a new writer is not in reach of heads over a frozen six-layer encoder: the next
measure is the fine-tuned branch". The sentiment model's branch (`baton.training.sentiment_branch`) continues the
served int8 encoder from its hidden states after layer `hidden_layer` (3) with MiniLM's upper layers, fine-tuned;
this is the same construction for the triggers, one layer only (the size budget: one int8 layer is ~1.8 MB), its
weights initialised from the upstream MiniLM layer `hidden_layer` (0-based, the first above the served states), so
it reads what the frozen encoder's upper layers would have read, then learns the triggers.

- `token_states`: each text's hidden states (tokens, width), the text encoded alone as the scorer encodes it,
  cached outside the repository by the encoder's version and the text.
- `fine_tune`: the request for `branch_torch.py` (the sentiment branch's torch script, generalised to `outputs`
  heads), run in another interpreter (`--torch-python`); positives weighted like the heads' (`positive_weight`).
- `branch_probs`: the fine-tuned layer, pooling and heads in numpy (float32), for measuring
  (`bench/triggers_loao.py --reader branch|mix+branch`); the serving graph would be the sentiment branch's export.

torch never enters this process.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class TriggerBranchConfig:
    """Fine-tuning settings: the sentiment branch's (common BERT fine-tuning values), a higher rate for a head
    that starts from nothing and one layer, the heads' positive weight; two threads (`bench` and training share
    a small machine)."""

    epochs: int = 3
    lr: float = 1e-4
    batch_size: int = 32
    warmup: float = 0.1
    weight_decay: float = 0.01
    dropout: float = 0.1
    positive_weight: float = 3.0
    seed: int = 0
    threads: int = 2

    def to_json(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def token_states(encoder: Any, texts: Sequence[str], cache: Path | None) -> dict[str, np.ndarray]:
    """text -> float32 (tokens, width): the served encoder's hidden states after `hidden_layer` for each text run
    alone, kept in `cache` (one npz per encoder version) so a rerun encodes only new texts."""
    if getattr(encoder, "hidden_layer", None) is None:
        raise SystemExit("the encoder's graph exposes no hidden states (no hidden_layer in its manifest)")
    file = cache / f"{encoder.version}-states{encoder.hidden_layer}.npz" if cache is not None else None
    store: dict[str, np.ndarray] = {}
    if file is not None and file.is_file():
        with np.load(file) as data:
            store = {k: data[k] for k in data.files}
    out: dict[str, np.ndarray] = {}
    fresh = 0
    for text in dict.fromkeys(texts):
        key = hashlib.sha256(text.encode()).hexdigest()[:24]
        if key not in store:
            store[key] = np.asarray(encoder.encode([text]).hidden[0], np.float32)
            fresh += 1
        out[text] = store[key]
    if file is not None and fresh:
        file.parent.mkdir(parents=True, exist_ok=True)
        np.savez(file, **store)  # type: ignore[arg-type]  # the stub fears a key named allow_pickle
    log(f"token states: {len(out)} texts, {fresh} encoded, the rest cached")
    return out


def fine_tune(
    python: str,
    texts: Sequence[str],
    y: np.ndarray,
    states: dict[str, np.ndarray],
    weights: dict[str, Any],
    model_config: dict[str, Any],
    layer: int,
    cfg: TriggerBranchConfig,
) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """(the fine-tuned layer's weights and `head.*`, the training log): `branch_torch.py` with `python` over the
    texts' states, targets y [n, triggers] (0/1), positives weighted `cfg.positive_weight`."""
    from baton.training.sentiment_branch import layers_request, run_torch

    lengths = np.array([states[t].shape[0] for t in texts], dtype=np.int64)
    target = np.asarray(y, np.float32)
    request: dict[str, Any] = {
        "hidden": np.concatenate([states[t] for t in texts]).astype(np.float32),
        "offsets": np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64),
        "y": target,
        "w": np.where(target > 0, cfg.positive_weight, 1.0).astype(np.float32),
        "pool": np.zeros(len(texts), np.int64),
        **layers_request(
            {**cfg.to_json(), "pool_per_epoch": 0, "outputs": int(target.shape[1])},
            model_config,
            weights,
            layer,
            layer,
        ),
    }
    return run_torch(python, request)


def _norm(x: np.ndarray, w: np.ndarray, b: np.ndarray, eps: float) -> np.ndarray:
    mu = x.mean(axis=-1, keepdims=True)
    var = ((x - mu) ** 2).mean(axis=-1, keepdims=True)
    out: np.ndarray = (x - mu) / np.sqrt(var + eps) * w + b
    return out


def branch_probs(
    weights: dict[str, np.ndarray],
    model_config: dict[str, Any],
    layer: int,
    hidden: Sequence[np.ndarray],
) -> np.ndarray:
    """float64 [n, triggers]: per text's states (tokens, width), the fine-tuned layer (post-LayerNorm BERT, exact
    GELU, no padding: each text alone), the mean over its tokens and the sigmoid heads, in numpy float32."""
    from math import sqrt

    from scipy.special import erf

    heads = int(model_config["num_attention_heads"])
    eps = float(model_config["layer_norm_eps"])
    p = f"encoder.layer.{layer}."

    def lin(x: np.ndarray, name: str) -> np.ndarray:
        out: np.ndarray = x @ weights[p + name + ".weight"].T + weights[p + name + ".bias"]
        return out

    pooled = []
    for h in hidden:
        x = np.asarray(h, np.float32)
        t, width = x.shape
        size = width // heads

        def split(z: np.ndarray, t: int = t, size: int = size) -> np.ndarray:
            return z.reshape(t, heads, size).transpose(1, 0, 2)

        q = split(lin(x, "attention.self.query"))
        k = split(lin(x, "attention.self.key"))
        v = split(lin(x, "attention.self.value"))
        scores = q @ k.transpose(0, 2, 1) / np.float32(sqrt(size))
        scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
        scores /= scores.sum(axis=-1, keepdims=True)
        context = (scores @ v).transpose(1, 0, 2).reshape(t, width)
        x = _norm(
            lin(context, "attention.output.dense") + x,
            weights[p + "attention.output.LayerNorm.weight"],
            weights[p + "attention.output.LayerNorm.bias"],
            eps,
        )
        inner = lin(x, "intermediate.dense")
        inner = 0.5 * inner * (1.0 + erf(inner / np.float32(sqrt(2.0))))
        x = _norm(
            lin(inner, "output.dense") + x,
            weights[p + "output.LayerNorm.weight"],
            weights[p + "output.LayerNorm.bias"],
            eps,
        )
        pooled.append(x.mean(axis=0))
    logits = np.stack(pooled) @ weights["head.weight"].T + weights["head.bias"]
    probs: np.ndarray = 1.0 / (1.0 + np.exp(-logits.astype(np.float64)))
    return probs
