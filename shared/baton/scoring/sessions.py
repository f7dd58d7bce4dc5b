"""How every model's onnxruntime session is made: one place for the options, so that the scoring function,
`baton backtest` and the training command that records a model's figures (`baton train sentiment
--encoder`) run the very same graph and so give the same numbers.

- One intra-op and one inter-op thread: Lambda gives a function one or two vCPUs, one message is too
  little work to split, and `baton backtest --workers N` runs N processes rather than N threads.
- Every graph optimisation (`ORT_ENABLE_ALL`) but `SkipLayerNormFusion` (`DISABLED_OPTIMIZERS`). That
  fusion turns each residual `Add` + `LayerNormalization` of the encoder and of the sentiment branch into
  one `SkipLayerNormalization` node, whose CPU kernel (onnxruntime 1.32) took about 80 us on a 25 x 384
  input where the nodes it replaces take about 12 us. Without it the encoder runs a message in 2.6 instead
  of 3.3 ms and the branch in 1.1 instead of 1.4 ms (2-core AMD EPYC; bench/README.md, "Scoring").
  The graphs add and normalise in another order, so the floats differ in their last bits, and the int8
  activations, quantized per call, carry that to a few outputs: over 500 tweets the embedding's cosine
  with the fused graph's is >= 0.994 (median 1.0), and the quality figures of bench/quality.py moved by
  at most 0.0011 (docs/scoring.md, "In short, and measured quality").
- `session.x64quantprecision`: exact int8 products on x86 CPUs without VNNI. The encoder is int8 (dynamic
  quantization: `MatMulInteger` of uint8 activations and int8 weights). With VNNI (AVX-512 VNNI, AVX-VNNI) and
  on ARM (Lambda's arm64) onnxruntime multiplies them exactly; on AVX2 alone its fast kernel adds pairs of
  products in 16 bits, which saturate, so the same message scored differently by CPU: on a 2-core AMD EPYC with
  AVX2 only, the encoder's "Ok" fell from >= 0.97 to 0.965 cosine with its fp32 vector, and 35 tests of the labelled
  conversation sets failed (their figures come from CPUs that multiply exactly). With this option onnxruntime widens
  those products to exact ones where a weight needs it, and 75 of the 76 sets gave their figures again (one
  calm conversation of the sixty-eighth sits on its threshold, where the float kernels' rounding still differs).
  An x64 option: ARM ignores it. What it costs on AVX2 alone: bench/README.md, "Scoring".

`manifest` reads a model directory's `manifest.json` for the loaders of the learned heads (triggers, handover),
with the same errors.

onnxruntime is imported on the first call (cold start: `import baton.scoring` never pulls it in).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DISABLED_OPTIMIZERS = ("SkipLayerNormFusion",)
"""onnxruntime graph optimisers left out of every model's session (see the module docstring)."""


def session(path: Path, *, threads: int = 1) -> Any:
    """An `onnxruntime.InferenceSession` of the model file `path` on the CPU, with Baton's options."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    # Exact int8 products on x86 CPUs without VNNI (AVX2, AVX-512 without it), as with it and on ARM: see the
    # module docstring.
    options.add_session_config_entry("session.x64quantprecision", "1")
    return ort.InferenceSession(
        str(path),
        options,
        providers=["CPUExecutionProvider"],
        disabled_optimizers=list(DISABLED_OPTIMIZERS),
    )


def manifest(path: Path, kind: str, error: type[ValueError], name: str | None = None) -> dict[str, Any]:
    """`path/manifest.json` as a dict whose `kind` is `kind`; else `error` naming the file and what is wrong (the
    model called `name`, default `kind`)."""
    file = path / "manifest.json"
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise error(f"{file}: missing") from None
    except json.JSONDecodeError as exc:
        raise error(f"{file}: not JSON ({exc})") from None
    if not isinstance(data, dict) or data.get("kind") != kind:
        raise error(f"{file}: not a {name or kind} model manifest")
    return data


def manifest_session(
    path: Path, manifest: dict[str, Any], error: type[ValueError], *, threads: int = 1
) -> tuple[Path, Any]:
    """(the model file, its `session`): the file a learned head's manifest names in `path` (`files.model`, default
    `model.onnx`); `error` naming it when it is missing."""
    model_file = path / manifest.get("files", {}).get("model", "model.onnx")
    if not model_file.exists():
        raise error(f"{model_file}: missing")
    return model_file, session(model_file, threads=threads)
