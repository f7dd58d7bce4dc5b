"""A trigger reader over more of the encoder than its pooled sentence embedding (round 10, issue 9).

Round 9 ended on: "recall 0.9 on a new writer needs a reader that separates a calm mention from a trigger better
than this head does". The shipped head is linear over the mean-pooled, normalised sentence embedding and hashed
n-grams; what the encoder knows about each token after its lower layers is averaged away before the head sees
it. This module reads the encoder's hidden states after layer `hidden_layer` (3, the states the sentiment
branch continues from, `baton.scoring.encoder`: the scorer already computes them for every message), pooled two
ways (the mean over the tokens, and the max, which keeps a single strong token such as "chargeback"), beside the
sentence embedding, into a small MLP (one ReLU layer, an independent sigmoid per trigger).

- `pooled_hidden`: [n, 2 x width] per text, each text encoded alone as the scorer encodes it, cached outside the
  repository by the encoder's version and the text (like the embeddings, `baton.training.triggers.embed_all`).
- `fit_mlp` / `mlp_probs`: numpy only (Adam, a weighted binary cross-entropy, weight decay, a fixed number of
  epochs and a seed), so it trains in the project's environment without torch; the inputs are standardised with
  the training set's mean and deviation, which an export folds into the first layer.

Measured leave-one-author-out before anything is adopted (`bench/triggers_loao.py --reader`).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def pool(hidden: np.ndarray) -> np.ndarray:
    """[2 x width]: the mean and the max over the tokens ([CLS] and [SEP] included) of one text's hidden states."""
    h = np.asarray(hidden, np.float32)
    return np.concatenate([h.mean(axis=0), h.max(axis=0)])


def pooled_hidden(encoder: Any, texts: Sequence[str], cache: Path | None) -> np.ndarray:
    """float32 [len(texts), 2 x width]: `pool` of each text's hidden states through the serving encoder, cached
    by the encoder's version and the text. The encoder must expose them (`hidden_layer` in its manifest)."""
    if getattr(encoder, "hidden_layer", None) is None:
        raise SystemExit("the encoder's graph exposes no hidden states (no hidden_layer in its manifest)")
    from baton.training.triggers import cached_per_text

    out, fresh = cached_per_text(
        texts,
        lambda text: pool(encoder.encode([text]).hidden[0]),
        cache / f"{encoder.version}-hidden{encoder.hidden_layer}.npz" if cache is not None else None,
        2 * encoder.dim,
    )
    log(f"hidden states: {len(texts)} texts, {fresh} encoded, the rest cached")
    return out


@dataclass
class Mlp:
    """Standardisation, one ReLU layer and the sigmoid heads: p = sigmoid(relu(((x - mu) / sd) @ w1 + b1) @ w2 + b2)."""

    mu: np.ndarray
    sd: np.ndarray
    w1: np.ndarray
    b1: np.ndarray
    w2: np.ndarray
    b2: np.ndarray

    def logits(self, x: np.ndarray) -> np.ndarray:
        h = np.maximum(((np.asarray(x, np.float32) - self.mu) / self.sd) @ self.w1 + self.b1, 0.0)
        out: np.ndarray = h @ self.w2 + self.b2
        return out


def mlp_probs(x: np.ndarray, model: Mlp) -> np.ndarray:
    p: np.ndarray = 1.0 / (1.0 + np.exp(-model.logits(x).astype(np.float64)))
    return p


def fit_mlp(
    x: np.ndarray,
    y: np.ndarray,
    *,
    hidden: int = 256,
    epochs: int = 40,
    lr: float = 1e-3,
    weight_decay: float = 1e-4,
    positive_weight: float = 3.0,
    dropout: float = 0.2,
    batch: int = 64,
    seed: int = 0,
) -> Mlp:
    """An `Mlp` fitted by Adam on the binary cross-entropy of every head, positives weighted `positive_weight`
    (a trigger is one message in ten), inverted dropout on the hidden layer, decoupled weight decay."""
    rng = np.random.default_rng(seed)
    x = np.asarray(x, np.float32)
    y = np.asarray(y, np.float32)
    mu = x.mean(axis=0)
    sd = x.std(axis=0) + 1e-4
    z = (x - mu) / sd
    n, d = z.shape
    k = y.shape[1]
    params = [
        (rng.standard_normal((d, hidden)) * np.sqrt(2.0 / d)).astype(np.float32),
        np.zeros(hidden, np.float32),
        (rng.standard_normal((hidden, k)) * np.sqrt(1.0 / hidden)).astype(np.float32),
        np.zeros(k, np.float32),
    ]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    b1, b2, eps, step = 0.9, 0.999, 1e-8, 0
    for _ in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, batch):
            idx = order[start : start + batch]
            xb, yb = z[idx], y[idx]
            pre = xb @ params[0] + params[1]
            h = np.maximum(pre, 0.0)
            if dropout:
                keep = (rng.random(h.shape) >= dropout).astype(np.float32) / (1.0 - dropout)
                h = h * keep
            logit = h @ params[2] + params[3]
            with np.errstate(over="ignore"):  # exp of a very negative logit: inf, p = 0, as it should
                p = 1.0 / (1.0 + np.exp(-logit))
            wgt = np.where(yb > 0, positive_weight, 1.0).astype(np.float32)
            g_logit = wgt * (p - yb) / len(idx)
            g_w2 = h.T @ g_logit
            g_b2 = g_logit.sum(axis=0)
            g_h = g_logit @ params[2].T
            if dropout:
                g_h = g_h * keep
            g_pre = g_h * (pre > 0)
            g_w1 = xb.T @ g_pre
            g_b1 = g_pre.sum(axis=0)
            step += 1
            for i, g in enumerate((g_w1, g_b1, g_w2, g_b2)):
                m[i] = b1 * m[i] + (1 - b1) * g
                v[i] = b2 * v[i] + (1 - b2) * g * g
                mh = m[i] / (1 - b1**step)
                vh = v[i] / (1 - b2**step)
                params[i] -= lr * (
                    mh / (np.sqrt(vh) + eps) + (weight_decay * params[i] if i in (0, 2) else 0)
                )
    return Mlp(mu=mu, sd=sd, w1=params[0], b1=params[1], w2=params[2], b2=params[3])


BRANCH_STATES = "layernormalization_94"
"""The sentiment branch's final token states in its shipped graph (`layers/models/sentiment/branch.onnx`): the
output of its last layer's `output.LayerNorm`, before the mean pooling and the head."""


def branch_pooled(encoder: Any, branch: Path, texts: Sequence[str], cache: Path | None) -> np.ndarray:
    """float32 [len(texts), 2 x width]: `pool` of the sentiment branch's final token states per text (round 11,
    issue 9: the branch is fine-tuned on support language and the scorer runs it on every message). Measured
    with a copy of `branch` that also outputs `BRANCH_STATES` (the shipped file is not changed), each text's
    layer-3 states run alone as the scorer runs them; cached by the encoder's version, the branch file's hash
    and the text."""
    import hashlib
    import tempfile

    import onnx

    from baton.scoring.sessions import session
    from baton.training.triggers import cached_per_text

    if getattr(encoder, "hidden_layer", None) is None:
        raise SystemExit("the encoder's graph exposes no hidden states (no hidden_layer in its manifest)")
    graph = onnx.load(str(branch))
    if not any(BRANCH_STATES in node.output for node in graph.graph.node):
        raise SystemExit(f"{branch}: no node outputs {BRANCH_STATES} (a branch exported otherwise)")
    graph.graph.output.append(onnx.helper.make_tensor_value_info(BRANCH_STATES, onnx.TensorProto.FLOAT, None))
    digest = hashlib.sha256(branch.read_bytes()).hexdigest()[:8]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "branch-states.onnx"
        onnx.save(graph, str(path))
        run = session(path)

    def compute(text: str) -> np.ndarray:
        states = np.ascontiguousarray(encoder.encode([text]).hidden[0], np.float32)[None]
        mask = np.ones(states.shape[:2], np.int64)
        (final,) = run.run([BRANCH_STATES], {"hidden_states": states, "attention_mask": mask})
        return pool(final[0])

    out, fresh = cached_per_text(
        texts,
        compute,
        cache / f"{encoder.version}-branch-{digest}.npz" if cache is not None else None,
        2 * encoder.dim,
    )
    log(f"sentiment branch states: {len(texts)} texts, {fresh} computed, the rest cached")
    return out
