"""The fine-tuned trigger branch (round 11): what it asks the torch script for, and how it reads a message."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

from baton.training import sentiment_branch, trigger_branch

WIDTH, HEADS, INNER, LAYER = 8, 2, 16, 3
CONFIG = {
    "hidden_size": WIDTH,
    "num_attention_heads": HEADS,
    "intermediate_size": INNER,
    "layer_norm_eps": 1e-12,
}


def layer_weights(seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    p = f"encoder.layer.{LAYER}."
    shapes = {
        "attention.self.query": (WIDTH, WIDTH),
        "attention.self.key": (WIDTH, WIDTH),
        "attention.self.value": (WIDTH, WIDTH),
        "attention.output.dense": (WIDTH, WIDTH),
        "intermediate.dense": (INNER, WIDTH),
        "output.dense": (WIDTH, INNER),
    }
    out = {}
    for name, shape in shapes.items():
        out[p + name + ".weight"] = rng.standard_normal(shape).astype(np.float32) * 0.3
        out[p + name + ".bias"] = np.zeros(shape[0], np.float32)
    for name in ("attention.output.LayerNorm", "output.LayerNorm"):
        out[p + name + ".weight"] = np.ones(WIDTH, np.float32)
        out[p + name + ".bias"] = np.zeros(WIDTH, np.float32)
    # another layer's weights, which the request must leave out
    out["encoder.layer.4.output.dense.bias"] = np.zeros(WIDTH, np.float32)
    return out


def test_the_request_is_one_layer_and_one_head_per_trigger_with_positives_weighted(monkeypatch) -> None:
    seen: dict[str, Any] = {}

    def run(python: str, request: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        seen.update(request, python=python)
        return {}, {"seconds": 0.0}

    monkeypatch.setattr(sentiment_branch, "run_torch", run)
    texts = ["our whole team is locked out", "thanks, all good"]
    states = {t: np.ones((3 + i, WIDTH), np.float32) for i, t in enumerate(texts)}
    y = np.zeros((2, 9))
    y[0, 8] = 1
    trigger_branch.fine_tune(
        "/torch/python",
        texts,
        y,
        states,
        layer_weights(),
        CONFIG,
        LAYER,
        trigger_branch.TriggerBranchConfig(),
    )
    config = json.loads(str(seen["config"]))
    assert (config["outputs"], config["first_layer"], config["last_layer"]) == (9, LAYER, LAYER)
    assert seen["python"] == "/torch/python"
    assert list(seen["offsets"]) == [0, 3, 7] and seen["hidden"].shape == (7, WIDTH)
    assert seen["w"][0, 8] == 3.0 and seen["w"][1, 8] == 1.0
    assert not any(k.startswith("encoder.layer.4.") for k in seen)


def test_the_branch_reads_each_message_and_gives_a_probability_per_trigger() -> None:
    weights = layer_weights()
    rng = np.random.default_rng(1)
    hidden = [rng.standard_normal((n, WIDTH)).astype(np.float32) for n in (4, 6)]
    weights["head.weight"] = np.zeros((9, WIDTH), np.float32)
    weights["head.bias"] = np.full(9, 2.0, np.float32)
    flat = trigger_branch.branch_probs(weights, CONFIG, LAYER, hidden)
    assert flat.shape == (2, 9)
    assert np.allclose(flat, 1 / (1 + np.exp(-2.0)))
    weights["head.weight"] = rng.standard_normal((9, WIDTH)).astype(np.float32)
    read = trigger_branch.branch_probs(weights, CONFIG, LAYER, hidden)
    assert ((read > 0) & (read < 1)).all()
    assert not np.allclose(read[0], read[1])


def test_a_branch_needs_an_encoder_with_hidden_states() -> None:
    class NoHidden:
        hidden_layer = None

    with pytest.raises(SystemExit, match="no hidden states"):
        trigger_branch.token_states(NoHidden(), ["hi"], None)
