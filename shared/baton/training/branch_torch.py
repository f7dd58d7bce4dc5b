"""Fine-tunes an encoder branch (the sentiment model's, the trigger model's) with torch: run as a script by an
interpreter that has torch.

    PY branch_torch.py REQUEST.npz RESULT.npz

Never imported by Baton (torch stays out of the runtime, the tests and the project venv):
`baton.training.sentiment_branch` (and `baton.training.trigger_branch`, through its `run_torch`) writes the
request, runs this file with `--torch-python PY` and reads the result. Self-contained on purpose (numpy and torch only), so any venv with torch runs it; see the sentiment
model card for how to get one.

The model is what `baton.training.sentiment_branch.build_branch_graph` exports, layer for layer: the encoder
layers `first..last` of MiniLM (post-LayerNorm BERT, exact GELU, additive -10000 mask), initialised from the
upstream weights, then mean pooling over the attention mask and a linear head with `outputs` logits (config;
default 2, the sentiment branch's: 0 sentiment, 1 dissatisfaction; the trigger branch: one per trigger). Inputs are the hidden states the served int8 encoder produced for each text alone.

Request (npz): `hidden` float32 (total tokens, width), `offsets` int64 (n + 1), `y` float32 (n, outputs) targets
in [0, 1], `w` float32 (n, outputs) per-head example weights (0: the example does not train that head), `pool` int64 (n)
(0: every epoch; 1: part of a pool from which `pool_per_epoch` examples are drawn each epoch), every weight
`encoder.layer.K.*` of the fine-tuned layers, and `config` (a JSON string). Result (npz): the fine-tuned
weights under the same names plus `head.weight` (outputs, width) and `head.bias` (outputs), and `log` (a JSON
string).
"""

from __future__ import annotations

import json
import math
import sys
import time
from typing import Any


def main(request_path: str, result_path: str) -> int:
    import numpy as np
    import torch
    from torch import nn

    request = np.load(request_path)
    config = json.loads(str(request["config"]))
    torch.manual_seed(config["seed"])
    torch.set_num_threads(config["threads"])
    torch.use_deterministic_algorithms(True)
    rng = np.random.default_rng(config["seed"])

    width, heads, eps = config["hidden_size"], config["num_attention_heads"], config["layer_norm_eps"]
    head_size = width // heads
    layers = list(range(config["first_layer"], config["last_layer"] + 1))
    dropout = config["dropout"]

    class Layer(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.query = nn.Linear(width, width)
            self.key = nn.Linear(width, width)
            self.value = nn.Linear(width, width)
            self.attention_output = nn.Linear(width, width)
            self.attention_norm = nn.LayerNorm(width, eps=eps)
            self.intermediate = nn.Linear(width, config["intermediate_size"])
            self.output = nn.Linear(config["intermediate_size"], width)
            self.output_norm = nn.LayerNorm(width, eps=eps)
            self.drop = nn.Dropout(dropout)

        def forward(self, x: Any, mask_bias: Any) -> Any:
            b, t, _ = x.shape

            def split(z: Any) -> Any:
                return z.view(b, t, heads, head_size).transpose(1, 2)

            q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
            scores = q @ k.transpose(-1, -2) / math.sqrt(head_size) + mask_bias
            probs = self.drop(torch.softmax(scores, dim=-1))
            context = (probs @ v).transpose(1, 2).reshape(b, t, width)
            x = self.attention_norm(self.drop(self.attention_output(context)) + x)
            inner = self.intermediate(x)
            inner = 0.5 * inner * (1.0 + torch.erf(inner / math.sqrt(2.0)))
            return self.output_norm(self.drop(self.output(inner)) + x)

    names = {
        "query": "attention.self.query",
        "key": "attention.self.key",
        "value": "attention.self.value",
        "attention_output": "attention.output.dense",
        "attention_norm": "attention.output.LayerNorm",
        "intermediate": "intermediate.dense",
        "output": "output.dense",
        "output_norm": "output.LayerNorm",
    }

    class Branch(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.layers = nn.ModuleList(Layer() for _ in layers)
            self.drop = nn.Dropout(dropout)
            self.head = nn.Linear(width, config.get("outputs", 2))

        def forward(self, x: Any, mask: Any) -> Any:
            mask_bias = ((1.0 - mask) * -10000.0)[:, None, None, :]
            for layer in self.layers:
                x = layer(x, mask_bias)
            pooled = (x * mask[..., None]).sum(1) / mask.sum(1, keepdim=True).clamp(min=1e-9)
            return self.head(self.drop(pooled))

    model = Branch()
    with torch.no_grad():
        for module, index in zip(model.layers, layers, strict=True):
            for attr, name in names.items():
                linear = getattr(module, attr)
                prefix = f"encoder.layer.{index}.{name}"
                linear.weight.copy_(torch.from_numpy(request[prefix + ".weight"]))
                linear.bias.copy_(torch.from_numpy(request[prefix + ".bias"]))
        # A small head: the pooled MiniLM features are already informative, the layers move from there.
        nn.init.normal_(model.head.weight, std=0.02)
        nn.init.zeros_(model.head.bias)

    hidden = torch.from_numpy(request["hidden"])
    offsets = request["offsets"]
    y = torch.from_numpy(request["y"])
    w = torch.from_numpy(request["w"])
    pool = request["pool"]
    always = np.flatnonzero(pool == 0)
    pooled_ids = np.flatnonzero(pool == 1)
    per_epoch = min(len(pooled_ids), config["pool_per_epoch"])
    batch_size = config["batch_size"]
    epochs = config["epochs"]
    steps_per_epoch = math.ceil((len(always) + per_epoch) / batch_size)
    total = steps_per_epoch * epochs
    warmup = max(1, int(total * config["warmup"]))

    decay: list[Any] = []
    no_decay: list[Any] = []
    for name, param in model.named_parameters():
        (no_decay if name.endswith("bias") or "norm" in name else decay).append(param)
    optimizer = torch.optim.AdamW(
        [
            {"params": decay, "weight_decay": config["weight_decay"]},
            {"params": no_decay, "weight_decay": 0.0},
        ],
        lr=config["lr"],
    )
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warmup, max(0.0, (total - s) / max(1, total - warmup)))
    )

    def batch(ids: Any) -> tuple[Any, Any]:
        lengths = [int(offsets[i + 1] - offsets[i]) for i in ids]
        x = torch.zeros((len(ids), max(lengths), width))
        mask = torch.zeros((len(ids), max(lengths)))
        for row, (i, n) in enumerate(zip(ids, lengths, strict=True)):
            x[row, :n] = hidden[offsets[i] : offsets[i] + n]
            mask[row, :n] = 1.0
        return x, mask

    log: dict[str, Any] = {"epochs": [], "steps": total, "torch": torch.__version__}
    started = time.monotonic()
    step = 0
    for epoch in range(epochs):
        model.train()
        ids = (
            np.concatenate([always, rng.choice(pooled_ids, per_epoch, replace=False)])
            if per_epoch
            else always
        )
        ids = ids[rng.permutation(len(ids))]
        # Batches of similar length waste little on padding: sort within chunks of 50 batches, then shuffle.
        chunk = batch_size * 50
        batches = []
        for start in range(0, len(ids), chunk):
            part = sorted(ids[start : start + chunk], key=lambda i: offsets[i + 1] - offsets[i])
            batches += [part[k : k + batch_size] for k in range(0, len(part), batch_size)]
        batches = [batches[k] for k in rng.permutation(len(batches))]
        losses = []
        for b in batches:
            x, mask = batch(b)
            logits = model(x, mask)
            target, weight = y[b], w[b]
            loss = (
                nn.functional.binary_cross_entropy_with_logits(logits, target, reduction="none") * weight
            ).sum() / len(b)
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            losses.append(loss.item())
            step += 1
            if step % 50 == 0 or step == total:
                print(
                    f"[branch] epoch {epoch + 1}/{epochs} step {step}/{total} loss "
                    f"{sum(losses[-50:]) / len(losses[-50:]):.4f} ({time.monotonic() - started:.0f} s)",
                    file=sys.stderr,
                    flush=True,
                )
        log["epochs"].append(
            {"epoch": epoch + 1, "examples": len(ids), "mean_loss": sum(losses) / len(losses)}
        )
    log["seconds"] = round(time.monotonic() - started, 1)

    out: dict[str, Any] = {"log": np.array(json.dumps(log))}
    for module, index in zip(model.layers, layers, strict=True):
        for attr, name in names.items():
            linear = getattr(module, attr)
            prefix = f"encoder.layer.{index}.{name}"
            out[prefix + ".weight"] = linear.weight.detach().numpy().astype(np.float32)
            out[prefix + ".bias"] = linear.bias.detach().numpy().astype(np.float32)
    out["head.weight"] = model.head.weight.detach().numpy().astype(np.float32)
    out["head.bias"] = model.head.bias.detach().numpy().astype(np.float32)
    np.savez(result_path, **out)
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print("usage: branch_torch.py REQUEST.npz RESULT.npz", file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2]))
