"""ONNX graphs for linear and one-hidden-layer models over hashed sparse features.

The graph takes the COO batch that `baton.scoring.features.featurize_batch` returns, so serving featurizes
in Python exactly as training did and the graph does the rest:

    inputs   rows  int64 [nnz]   row (message) of each non-zero
             cols  int64 [nnz]   hashed bucket of each non-zero (0 .. n_buckets-1)
             vals  float32 [nnz] its value
             batch int64 [1]     number of messages (rows may not mention the last ones: empty texts)
             dense float32 [batch, d]  only for a model with dense inputs (`w_dense`): e.g. the sentence
                                 encoder's embedding of each message, read by the same first layer
    output   probs float32 [batch, n_classes]   softmax

    bucket  -> row       Gather(bucket_row, cols)          only when the model keeps a subset of buckets
    row     -> weights   Gather(W1, row) * vals            [nnz, width]   (W1 stored fp16 or fp32)
    message -> sum       ScatterND(zeros[batch, width], rows, reduction=add) + b1  (+ dense @ W_dense)
    linear:  probs = Softmax(sum)                          (width = n_classes)
    MLP:     probs = Softmax(act(sum) @ W2 + b2)           (act = relu or tanh)

Pruning: a model trained on the buckets it saw (usually tens of thousands of the 2^18) stores only those rows;
`bucket_row` maps every bucket to its row and unseen buckets to a last all-zero row, so they add nothing,
exactly as in training. That keeps an MLP over 2^18 buckets to a few MB.

Initializer names (what `read` and the tests read back): `bucket_row` (optional; uint16, or int32 beyond
65536 rows), `W1`, `b1`, `W_dense` (optional), and for an MLP `W2`, `b2`. Every weight matrix is stored as `weight_dtype` and cast
to float32 in the graph; biases stay float32.

API: `SparseModel` (the weights; `with_zero_row` prepares pruned ones), `build(model, n_buckets=...) ->
onnx.ModelProto`, `save`, `feeds` (the inputs from `featurize_batch`), `read` (the weights back from a graph)
and `reference_probs`, the numpy forward pass of the same arithmetic (for tests, and to evaluate the exported
weights, fp16 rounding included, without onnxruntime).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

if TYPE_CHECKING:
    import onnx

Activation = Literal["relu", "tanh"]
WeightDtype = Literal["float16", "float32"]

OPSET = 18  # ScatterND with reduction=add needs 16; 18 is supported by every onnxruntime >= 1.14
IR_VERSION = 8  # the oldest IR that carries opset 18, so older runtimes load the file too
INPUTS = ("rows", "cols", "vals", "batch")
OUTPUT = "probs"


@dataclass
class SparseModel:
    """Weights of a linear model (`w2 is None`) or a one-hidden-layer MLP over hashed buckets.

    `w1` has one row per kept bucket: row `bucket_row[b]` holds bucket b's weights. With `bucket_row=None`
    the rows are the buckets themselves (`w1` is [n_buckets, width]).
    """

    w1: np.ndarray
    b1: np.ndarray
    w2: np.ndarray | None = None
    b2: np.ndarray | None = None
    bucket_row: np.ndarray | None = None
    activation: Activation = "relu"
    w_dense: np.ndarray | None = None
    """[d, width]: the first layer's weights of the dense input, when the model has one."""

    @property
    def n_classes(self) -> int:
        return int(self.b1.shape[0] if self.w2 is None else self.b2.shape[0])  # type: ignore[union-attr]

    def validate(self, n_buckets: int) -> None:
        if (self.w2 is None) != (self.b2 is None):
            raise ValueError("w2 and b2 go together")
        if self.w1.ndim != 2 or self.b1.shape != (self.w1.shape[1],):
            raise ValueError(f"w1 {self.w1.shape} and b1 {self.b1.shape} do not match")
        if self.w2 is not None and (
            self.w2.shape[0] != self.w1.shape[1] or self.b2 is None or self.b2.shape != (self.w2.shape[1],)
        ):
            raise ValueError(f"w2 {self.w2.shape} does not follow w1 {self.w1.shape}")
        if self.bucket_row is None:
            if self.w1.shape[0] != n_buckets:
                raise ValueError(f"w1 has {self.w1.shape[0]} rows for {n_buckets} buckets and no bucket_row")
        else:
            if self.bucket_row.shape != (n_buckets,):
                raise ValueError(f"bucket_row has shape {self.bucket_row.shape}, expected ({n_buckets},)")
            if self.bucket_row.min() < 0 or self.bucket_row.max() >= self.w1.shape[0]:
                raise ValueError("bucket_row points outside w1")
        if self.w_dense is not None and (self.w_dense.ndim != 2 or self.w_dense.shape[1] != self.w1.shape[1]):
            raise ValueError(f"w_dense {self.w_dense.shape} does not match w1 {self.w1.shape}")
        if self.activation not in ("relu", "tanh"):
            raise ValueError(f"unknown activation {self.activation!r}")


def with_zero_row(w1: np.ndarray, kept: np.ndarray, n_buckets: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows for the kept buckets plus a last all-zero row, and the bucket -> row map (others -> zero row).

    `w1` holds one row per entry of `kept` (sorted bucket ids), in that order.
    """
    if w1.shape[0] != kept.shape[0]:
        raise ValueError("one row of w1 per kept bucket")
    rows = np.concatenate([w1, np.zeros((1, w1.shape[1]), w1.dtype)])
    bucket_row = np.full(n_buckets, kept.shape[0], np.int32)
    bucket_row[kept] = np.arange(kept.shape[0], dtype=np.int32)
    return rows, bucket_row


def build(
    model: SparseModel,
    *,
    n_buckets: int,
    weight_dtype: WeightDtype = "float16",
    name: str = "baton-sparse",
    metadata: dict[str, str] | None = None,
) -> onnx.ModelProto:
    """The ONNX graph of `model` (see the module docstring for its inputs and output)."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    model.validate(n_buckets)
    wdt = np.float16 if weight_dtype == "float16" else np.float32
    inits: list[onnx.TensorProto] = []
    nodes: list[onnx.NodeProto] = []

    def init(name: str, array: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(array, name))
        return name

    def weight(name: str, array: np.ndarray) -> str:
        init(name, np.ascontiguousarray(array, dtype=wdt))
        if wdt is np.float32:
            return name
        nodes.append(helper.make_node("Cast", [name], [f"{name}_f32"], to=TensorProto.FLOAT))
        return f"{name}_f32"

    width = model.w1.shape[1]
    index = "cols"
    if model.bucket_row is not None:
        # uint16 when the rows fit (half the size of int32: 512 KB for 2^18 buckets), cast for the next Gather.
        small = model.w1.shape[0] <= np.iinfo(np.uint16).max + 1
        init("bucket_row", model.bucket_row.astype(np.uint16 if small else np.int32))
        nodes.append(helper.make_node("Gather", ["bucket_row", "cols"], ["row_ids_raw"], axis=0))
        nodes.append(helper.make_node("Cast", ["row_ids_raw"], ["row_ids"], to=TensorProto.INT64))
        index = "row_ids"
    # Gather the (fp16) rows first and cast only those: casting the whole table would cost a copy per call.
    init("W1", np.ascontiguousarray(model.w1, dtype=wdt))
    nodes.append(helper.make_node("Gather", ["W1", index], ["w1_rows_raw"], axis=0))
    if wdt is np.float32:
        nodes.append(helper.make_node("Identity", ["w1_rows_raw"], ["w1_rows"]))
    else:
        nodes.append(helper.make_node("Cast", ["w1_rows_raw"], ["w1_rows"], to=TensorProto.FLOAT))
    init("axis1", np.array([1], np.int64))
    nodes += [
        helper.make_node("Unsqueeze", ["vals", "axis1"], ["vals_col"]),
        helper.make_node("Mul", ["w1_rows", "vals_col"], ["updates"]),
        helper.make_node("Unsqueeze", ["rows", "axis1"], ["row_index"]),
    ]
    init("width", np.array([width], np.int64))
    init("one_dim", np.array([1], np.int64))
    zero = numpy_helper.from_array(np.array([0.0], np.float32))
    nodes += [
        helper.make_node("Reshape", ["batch", "one_dim"], ["batch_1d"]),
        helper.make_node("Concat", ["batch_1d", "width"], ["sum_shape"], axis=0),
        helper.make_node("ConstantOfShape", ["sum_shape"], ["zeros"], value=zero),
        helper.make_node("ScatterND", ["zeros", "row_index", "updates"], ["summed"], reduction="add"),
    ]
    if model.w_dense is not None:
        w_dense = weight("W_dense", model.w_dense)
        nodes += [
            helper.make_node("MatMul", ["dense", w_dense], ["dense_z"]),
            helper.make_node("Add", ["summed", "dense_z"], ["summed_all"]),
        ]
        summed = "summed_all"
    else:
        summed = "summed"
    init("b1", model.b1.astype(np.float32))
    nodes.append(helper.make_node("Add", [summed, "b1"], ["z1"]))
    if model.w2 is None:
        logits = "z1"
    else:
        act = "Relu" if model.activation == "relu" else "Tanh"
        nodes.append(helper.make_node(act, ["z1"], ["h1"]))
        w2 = weight("W2", model.w2)
        init("b2", model.b2.astype(np.float32))  # type: ignore[union-attr]
        nodes += [
            helper.make_node("MatMul", ["h1", w2], ["z2"]),
            helper.make_node("Add", ["z2", "b2"], ["logits"]),
        ]
        logits = "logits"
    nodes.append(helper.make_node("Softmax", [logits], [OUTPUT], axis=-1))

    graph = helper.make_graph(
        nodes,
        name,
        inputs=[
            helper.make_tensor_value_info("rows", TensorProto.INT64, ["nnz"]),
            helper.make_tensor_value_info("cols", TensorProto.INT64, ["nnz"]),
            helper.make_tensor_value_info("vals", TensorProto.FLOAT, ["nnz"]),
            helper.make_tensor_value_info("batch", TensorProto.INT64, [1]),
            *(
                [helper.make_tensor_value_info("dense", TensorProto.FLOAT, ["batch", model.w_dense.shape[0]])]
                if model.w_dense is not None
                else []
            ),
        ],
        outputs=[helper.make_tensor_value_info(OUTPUT, TensorProto.FLOAT, ["batch", model.n_classes])],
        initializer=inits,
    )
    proto = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="baton", ir_version=IR_VERSION
    )
    for key, value in (metadata or {}).items():
        proto.metadata_props.add(key=key, value=value)
    onnx.checker.check_model(proto)
    return proto


def save(proto: onnx.ModelProto, path: Path) -> int:
    """Write the model; returns its size in bytes."""
    data = proto.SerializeToString()
    path.write_bytes(data)
    return len(data)


def feeds(
    rows: list[int], cols: list[int], vals: list[float], batch: int, dense: np.ndarray | None = None
) -> dict[str, np.ndarray]:
    """The graph's inputs from `featurize_batch` output (and the dense rows, for a model that has them)."""
    out: dict[str, np.ndarray] = {
        "rows": np.asarray(rows, np.int64),
        "cols": np.asarray(cols, np.int64),
        "vals": np.asarray(vals, np.float32),
        "batch": np.array([batch], np.int64),
    }
    if dense is not None:
        out["dense"] = np.ascontiguousarray(dense, dtype=np.float32)
    return out


def reference_probs(
    model: SparseModel,
    rows: np.ndarray,
    cols: np.ndarray,
    vals: np.ndarray,
    batch: int,
    dense: np.ndarray | None = None,
) -> np.ndarray:
    """The graph's arithmetic in numpy (float32 after the weights' cast), for tests and offline evaluation."""
    if (model.w_dense is None) != (dense is None):
        raise ValueError("dense rows go with a model that has w_dense, and only with one")
    w1 = model.w1.astype(np.float32)
    idx = cols if model.bucket_row is None else model.bucket_row[cols].astype(np.int64)
    z = np.zeros((batch, w1.shape[1]), np.float32)
    np.add.at(z, rows, w1[idx] * np.asarray(vals, np.float32)[:, None])
    if dense is not None:
        z += np.asarray(dense, np.float32) @ model.w_dense.astype(np.float32)  # type: ignore[union-attr]
    z += model.b1.astype(np.float32)
    if model.w2 is not None:
        h = np.maximum(z, 0) if model.activation == "relu" else np.tanh(z)
        z = h @ model.w2.astype(np.float32) + model.b2.astype(np.float32)  # type: ignore[union-attr]
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def read(proto_or_path: onnx.ModelProto | Path) -> SparseModel:
    """The weights of a graph written by `build` (fp16 weights come back as fp16)."""
    import onnx
    from onnx import numpy_helper

    proto = onnx.load(str(proto_or_path)) if isinstance(proto_or_path, Path) else proto_or_path
    arrays = {t.name: numpy_helper.to_array(t) for t in proto.graph.initializer}
    ops = {n.op_type for n in proto.graph.node}
    activation: Activation = "tanh" if "Tanh" in ops else "relu"
    return SparseModel(
        w1=arrays["W1"],
        b1=arrays["b1"],
        w2=arrays.get("W2"),
        b2=arrays.get("b2"),
        bucket_row=arrays.get("bucket_row"),
        activation=activation,
        w_dense=arrays.get("W_dense"),
    )
