"""`baton train intent`: an intent classifier with out-of-scope detection, from a CSV or CLINC150's JSON.

    baton train intent --data PATH [--format csv|clinc|support] --out DIR [--seed N] [--taxonomy FILE] [--eval FILE]
    python -m baton.training.intent ...                  (the same command)

Writes DIR/intent/ (manifest.json, model.onnx, labels.json, taxonomy.json, MODEL_CARD.md): the layout of
`baton.scoring.contracts`, loaded by `baton.scoring.intent.load`.

Data
- CSV: a header with `text` and `intent` (or `category`, Banking77's header). Rows labelled `oos` (see
  `--oos-label`) are out-of-scope examples. A stratified, seeded `--val-fraction` of the rows is held out.
- CLINC150 JSON: {"train", "val", "oos_train", "oos_val"}: [[text, label], ...], out-of-scope label `oos`;
  trains on train + oos_train, validates on val + oos_val (a `test` split, if present, is never read).
- support: `--data` is the folder of public data sets; the training set of the default support taxonomy is
  built from Bitext, NLU++, CLINC150 and our own examples in `events/labelled/` (`baton.training.support_data`),
  with the committed taxonomy as `--taxonomy` and the separate evaluation file as `--eval` unless given.
Bad rows (missing text or label, wrong shape) are skipped and reported by line number (CSV) or position (JSON).

`--eval FILE` (JSONL of {"text", "intent"}, or a CSV like the training one): a separate evaluation set, never
trained on or tuned on, scored by the exported model and reported in the manifest and the card beside the
validation figures. Its `oos` rows (see `--oos-label`) are out-of-scope examples.

Model (families (a) and (b) of issue 3 in one network: hashed n-grams and the sentence embedding)
- Features: `baton.scoring.features.featurize` with the FeatureSpec recorded in the manifest, the same call
  serving makes. Buckets seen in fewer than `--min-df` training messages are dropped (they map to a zero row),
  and the rarest beyond what fits in `--max-mb` (default 8 MB of model.onnx).
- The sentence encoder's embedding of the message (`--encoder DIR`, default the shipped one; each text embedded
  alone through the serving class `baton.scoring.encoder`, as the scoring function embeds it), appended to the
  n-gram features with the same norm (both are L2-normalised), so one first layer reads both. The manifest
  records the encoder's version and the runtime refuses another encoder. `--no-encoder` trains on n-grams only
  (family (a): self-contained, ~0.2 ms a message, about 1.5 points less accurate: see the model card).
- A one-hidden-layer MLP (features -> `--hidden` ReLU units -> classes), or a linear model with `--hidden 0`,
  fitted by Adam on softmax cross-entropy with input and hidden dropout and a linearly decaying learning rate,
  in numpy (no torch). The softmax temperature is then fitted on the validation split.
- Out of scope: an explicit class when the data has out-of-scope examples, and a threshold on the top in-scope
  probability: the highest threshold that costs at most `--oos-tolerance` of validation in-scope accuracy
  (so with out-of-scope validation examples it is the threshold with the best out-of-scope recall at that
  cost). Tuned on the validation split only; `--oos-threshold` fixes it instead.
- ONNX via `baton.training.onnx_sparse`, weights in float16.

Taxonomy: `--taxonomy FILE` ({intent: {product_area, skill, base_complexity}}); without it, the taxonomy.json
already in DIR/intent/ (so retraining keeps a team's or the shipped taxonomy). Intents missing from it get
`baton.scoring.intent.DEFAULT_INTENT_INFO` (product area and skill `general`, base complexity 0.5).

Exit codes: 0 done, 2 bad input (the message says which file, line or option).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import math
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from baton.scoring.contracts import IntentInfo
from baton.scoring.features import FeatureSpec, featurize
from baton.scoring.intent import DEFAULT_INTENT_INFO, decide, parse_taxonomy

PROG = "baton train intent"
DEFAULT_SPEC = FeatureSpec(n_buckets=1 << 18, word_ngrams=(1, 2), char_ngrams=(3, 5))
CARD_NOTES_MARKER = "<!-- Notes below this line are kept when `baton train intent` rewrites this card. -->"
MAX_REPORTED_PROBLEMS = 20
EMBEDDING_SCALE = 1.0
"""Weight of the embedding against the n-grams at the first layer: both vectors have unit norm, so 1.0 gives
them the same say. Fixed before looking at validation figures (Banking77 held-out: 1.0 92.7%, 2.0 92.4%)."""


class DataError(ValueError):
    """Bad input data or options: reported without a traceback, exit code 2."""


# --- data ---------------------------------------------------------------------------------------------------


@dataclass
class Data:
    train: list[tuple[str, str]]
    val: list[tuple[str, str]] | None
    """None: hold out a stratified split of `train`."""
    problems: list[str] = field(default_factory=list)
    """Skipped rows, each `<where>: <why>`."""
    sha256: str | None = None
    """Fingerprint of the rows when the data is built from several files (support); None: the file's."""
    sources: dict[str, int] | None = None
    """Messages taken from each source, when built from several."""


def load_support(path: Path) -> Data:
    """The support taxonomy's training set, built from the data folder and `events/labelled/`."""
    from baton.training import support_data

    try:
        rows, counts, digest = support_data.build(path)
    except support_data.SupportDataError as exc:
        raise DataError(str(exc)) from None
    return Data(train=rows, val=None, sha256=digest, sources=counts)


def load_eval(path: Path) -> list[tuple[str, str]]:
    """A separate evaluation file: JSONL of {"text", "intent"} or a CSV with `text` and `intent` columns."""
    if path.suffix.lower() == ".csv":
        data = load_csv(path)
        if data.problems:
            raise DataError(f"--eval {data.problems[0]}")
        return data.train
    from baton.training import support_data

    try:
        return support_data.read_jsonl(path)
    except support_data.SupportDataError as exc:
        raise DataError(f"--eval {exc}") from None


def load_csv(path: Path) -> Data:
    """Rows of a CSV with `text` and `intent` (or `category`) columns; bad rows reported by line number."""
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise DataError(f"{path}: {exc.strerror or exc}") from None
    with handle:
        reader = csv.DictReader(handle)
        header = {(name or "").strip().lower(): name for name in reader.fieldnames or []}
        if "text" not in header or not ({"intent", "category"} & header.keys()):
            raise DataError(
                f"{path}: the header needs a `text` column and an `intent` (or `category`) column; "
                f"found {sorted(n for n in header if n) or 'no header'}"
            )
        text_col = header["text"]
        label_col = header["intent"] if "intent" in header else header["category"]
        rows: list[tuple[str, str]] = []
        problems: list[str] = []
        try:
            for record in reader:
                where = f"{path.name} line {reader.line_num}"
                if None in record:
                    problems.append(f"{where}: more fields than the header has")
                    continue
                text, label = record.get(text_col), record.get(label_col)
                if text is None or label is None:
                    problems.append(f"{where}: fewer fields than the header has")
                elif not text.strip():
                    problems.append(f"{where}: empty text")
                elif not label.strip():
                    problems.append(f"{where}: empty {label_col}")
                else:
                    rows.append((text, label.strip()))
        except (csv.Error, UnicodeDecodeError) as exc:
            raise DataError(f"{path} line {reader.line_num}: {exc}") from None
    return Data(train=rows, val=None, problems=problems)


def load_clinc(path: Path, oos_label: str) -> Data:
    """CLINC150's JSON: train + oos_train to train, val + oos_val to validate."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DataError(f"{path}: {exc.strerror or exc}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: not JSON ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("train"), list):
        raise DataError(
            f"{path}: expected an object with a `train` list (CLINC150's train/val/oos_train/oos_val)"
        )
    problems: list[str] = []

    def split(name: str) -> list[tuple[str, str]]:
        items = data.get(name) or []
        if not isinstance(items, list):
            raise DataError(f"{path}: `{name}` must be a list of [text, label]")
        out = []
        for i, item in enumerate(items):
            where = f"{path.name} {name}[{i}]"
            if not (isinstance(item, list) and len(item) == 2 and all(isinstance(x, str) for x in item)):
                problems.append(f"{where}: expected [text, label]")
            elif not item[0].strip() or not item[1].strip():
                problems.append(f"{where}: empty text or label")
            elif name.startswith("oos_") and item[1].strip() != oos_label:
                problems.append(
                    f"{where}: label {item[1]!r} in an out-of-scope split (expected {oos_label!r})"
                )
            else:
                out.append((item[0], item[1].strip()))
        return out

    train = split("train") + split("oos_train")
    val = split("val") + split("oos_val")
    return Data(train=train, val=val or None, problems=problems)


def stratified_split(labels: Sequence[str], fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(train indices, validation indices): `fraction` of each label held out (labels with one example stay)."""
    rng = np.random.default_rng(seed)
    by_label: dict[str, list[int]] = {}
    for i, label in enumerate(labels):
        by_label.setdefault(label, []).append(i)
    val: list[int] = []
    for label in sorted(by_label):
        idx = np.array(by_label[label])
        if len(idx) < 2:
            continue
        rng.shuffle(idx)
        val.extend(idx[: min(len(idx) - 1, max(1, round(len(idx) * fraction)))].tolist())
    val_idx = np.array(sorted(val), dtype=np.int64)
    train_idx = np.setdiff1d(np.arange(len(labels)), val_idx)
    return train_idx, val_idx


# --- progress -----------------------------------------------------------------------------------------------


class Progress:
    """One progress line on stderr, redrawn in place on a terminal, printed once when done otherwise."""

    def __init__(self, label: str, total: int) -> None:
        self.label, self.total, self.done = label, max(total, 1), 0
        self.tty = sys.stderr.isatty()
        self.start = self.last = time.monotonic()

    def update(self, n: int = 1, note: str = "") -> None:
        self.done += n
        now = time.monotonic()
        if self.tty and (now - self.last > 0.2 or self.done >= self.total):
            self.last = now
            self._draw(note, end="")

    def close(self, note: str = "") -> None:
        self._draw(note, end="\n", clear=self.tty)

    def _draw(self, note: str, end: str, clear: bool = True) -> None:
        frac = min(self.done / self.total, 1.0)
        bar = "#" * int(frac * 24)
        line = f"{self.label:<10} [{bar:<24}] {frac:4.0%} {time.monotonic() - self.start:5.1f}s {note}"
        print(
            ("\r" if self.tty else "") + line.ljust(100 if self.tty else 0),
            end=end,
            file=sys.stderr,
            flush=True,
        )


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- features -----------------------------------------------------------------------------------------------


def featurize_all(texts: Sequence[str], spec: FeatureSpec, label: str) -> Any:
    """CSR matrix [len(texts), n_buckets] of `featurize` (the serving call, message by message)."""
    import scipy.sparse as sp

    indptr, indices, values = [0], [], []
    bar = Progress(label, len(texts))
    for i, text in enumerate(texts):
        idx, val = featurize(text, spec)
        indices.extend(idx)
        values.extend(val)
        indptr.append(len(indices))
        if i % 256 == 255:
            bar.update(256)
    bar.done = len(texts)
    bar.close(f"{len(texts)} messages")
    return sp.csr_matrix(
        (np.asarray(values, np.float32), np.asarray(indices, np.int64), np.asarray(indptr, np.int64)),
        shape=(len(texts), spec.n_buckets),
    )


def kept_buckets(x: Any, min_df: int, max_rows: int | None = None) -> np.ndarray:
    """Sorted buckets that occur in at least `min_df` rows of `x`; the `max_rows` most frequent if more."""
    df = np.bincount(x.indices, minlength=x.shape[1])
    kept = np.flatnonzero(df >= max(min_df, 1))
    if max_rows is not None and len(kept) > max_rows:
        order = np.lexsort((kept, -df[kept]))  # most frequent first, ties by bucket id: deterministic
        kept = np.sort(kept[order[:max_rows]])
    return kept


def rows_within(max_bytes: int, n_buckets: int, width: int, n_classes: int) -> int:
    """How many fp16 rows of `width` the first layer may have for the ONNX file to stay under `max_bytes`."""
    overhead = n_buckets * 4 + width * n_classes * 2 + 64 * 1024  # bucket map, last layer, graph and margin
    return max(1, (max_bytes - overhead) // (width * 2))


def compact(x: Any, kept: np.ndarray) -> Any:
    """`x` restricted to the kept buckets, columns renumbered 0..len(kept)-1."""
    return x[:, kept].tocsr()


# --- fitting ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FitConfig:
    hidden: int = 128
    epochs: int = 30
    lr: float = 2e-3
    batch_size: int = 32
    dropout_in: float = 0.3
    dropout_hidden: float = 0.4
    oos_weight: float = 3.0
    """Loss weight of the out-of-scope class (few examples, many ways to be out of scope)."""
    seed: int = 0


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


class _Adam:
    """Adam with lazy row updates for the sparse first layer (only the rows a batch touched move)."""

    def __init__(self, shape: tuple[int, ...], b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8) -> None:
        self.m: np.ndarray = np.zeros(shape, np.float32)
        self.v: np.ndarray = np.zeros(shape, np.float32)
        self.t = np.zeros(shape[0] if len(shape) > 1 else 1, np.float32)
        self.b1, self.b2, self.eps = b1, b2, eps

    def step(self, w: np.ndarray, grad: np.ndarray, lr: float, rows: np.ndarray | None = None) -> None:
        if rows is None:
            self.t += 1
            t = self.t[0]
            self.m = self.b1 * self.m + (1 - self.b1) * grad
            self.v = self.b2 * self.v + (1 - self.b2) * grad * grad
            w -= lr * (self.m / (1 - self.b1**t)) / (np.sqrt(self.v / (1 - self.b2**t)) + self.eps)
            return
        self.t[rows] += 1
        t = self.t[rows][:, None]
        m = self.b1 * self.m[rows] + (1 - self.b1) * grad
        v = self.b2 * self.v[rows] + (1 - self.b2) * grad * grad
        self.m[rows], self.v[rows] = m, v
        w[rows] -= lr * (m / (1 - self.b1**t)) / (np.sqrt(v / (1 - self.b2**t)) + self.eps)


@dataclass
class Params:
    w1: np.ndarray
    b1: np.ndarray
    w2: np.ndarray | None
    b2: np.ndarray | None

    def logits(self, x: Any) -> np.ndarray:
        z: np.ndarray = np.asarray(x @ self.w1) + self.b1
        if self.w2 is None:
            return z
        out: np.ndarray = np.maximum(z, 0) @ self.w2 + self.b2
        return out

    def scaled(self, temperature: float) -> Params:
        """The same model with its logits divided by `temperature` (folded into the last layer)."""
        if self.w2 is None:
            return Params(self.w1 / temperature, self.b1 / temperature, None, None)
        assert self.b2 is not None
        return Params(self.w1, self.b1, self.w2 / temperature, self.b2 / temperature)


def fit(
    x: Any,
    y: np.ndarray,
    n_classes: int,
    config: FitConfig,
    class_weight: np.ndarray | None = None,
    on_epoch: Any = None,
) -> Params:
    """Softmax regression (hidden=0) or a ReLU MLP over sparse rows `x` (CSR float32), by Adam."""
    import scipy.sparse as sp

    rng = np.random.default_rng(config.seed)
    n, d = x.shape
    x = x.tocsr().astype(np.float32)
    width = config.hidden or n_classes
    w2: np.ndarray | None
    b2: np.ndarray | None
    if config.hidden:
        # Inputs are L2-normalised with ~100-200 non-zeros: this scale gives unit-variance hidden pre-activations.
        w1 = (rng.standard_normal((d, width)) * math.sqrt(2.0 / 150)).astype(np.float32)
        w2 = (rng.standard_normal((width, n_classes)) * math.sqrt(1.0 / width)).astype(np.float32)
        b2 = np.zeros(n_classes, np.float32)
    else:
        w1 = np.zeros((d, width), np.float32)
        w2 = b2 = None
    b1 = np.zeros(width, np.float32)
    opt_w1, opt_b1 = _Adam(w1.shape), _Adam(b1.shape)
    opt_w2 = _Adam(w2.shape) if w2 is not None else None
    opt_b2 = _Adam(b2.shape) if b2 is not None else None
    targets = np.eye(n_classes, dtype=np.float32)
    sample_w = np.ones(n, np.float32) if class_weight is None else class_weight[y].astype(np.float32)
    steps = config.epochs * math.ceil(n / config.batch_size)
    step = 0
    for epoch in range(config.epochs):
        perm = rng.permutation(n)
        total = 0.0
        bar = Progress(f"epoch {epoch + 1}/{config.epochs}", n)
        for start in range(0, n, config.batch_size):
            idx = perm[start : start + config.batch_size]
            lr = config.lr * (1 - step / steps)
            step += 1
            xb = x[idx]
            data = xb.data
            if config.dropout_in:
                data = data * ((rng.random(data.shape[0]) >= config.dropout_in) / (1 - config.dropout_in))
            cols, inverse = np.unique(xb.indices, return_inverse=True)
            xs = sp.csr_matrix((data.astype(np.float32), inverse, xb.indptr), shape=(len(idx), len(cols)))
            wc = w1[cols]
            z = np.asarray(xs @ wc) + b1
            weight = (sample_w[idx] / sample_w[idx].sum())[:, None]
            if w2 is not None:
                h = np.maximum(z, 0)
                mask = None
                if config.dropout_hidden:
                    mask = (rng.random(h.shape) >= config.dropout_hidden) / np.float32(
                        1 - config.dropout_hidden
                    )
                    h = h * mask
                p = _softmax(h @ w2 + b2)
                dlogits = ((p - targets[y[idx]]) * weight).astype(np.float32)
                dh = dlogits @ w2.T
                if mask is not None:
                    dh *= mask
                dz = dh * (z > 0)
                assert opt_w2 is not None and opt_b2 is not None and b2 is not None
                opt_w2.step(w2, h.T @ dlogits, lr)
                opt_b2.step(b2, dlogits.sum(axis=0), lr)
            else:
                p = _softmax(z)
                dz = ((p - targets[y[idx]]) * weight).astype(np.float32)
            opt_w1.step(w1, np.asarray(xs.T @ dz, np.float32), lr, rows=cols)
            opt_b1.step(b1, dz.sum(axis=0), lr)
            total += float(-(np.log(p[np.arange(len(idx)), y[idx]] + 1e-9) * weight[:, 0]).sum())
            bar.update(len(idx))
        params = Params(w1, b1, w2, b2)
        note = f"loss {total / math.ceil(n / config.batch_size):.4f}"
        if on_epoch is not None:
            note += " " + on_epoch(params)
        bar.close(note)
    return Params(w1, b1, w2, b2)


def fit_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    """The softmax temperature that minimises the negative log-likelihood of `y` (golden-section, log scale)."""

    def nll(log_t: float) -> float:
        z = logits / math.exp(log_t)
        z = z - z.max(axis=1, keepdims=True)
        return float((np.log(np.exp(z).sum(axis=1)) - z[np.arange(len(y)), y]).mean())

    lo, hi = math.log(0.05), math.log(20.0)
    g = (math.sqrt(5) - 1) / 2
    a, b = hi - g * (hi - lo), lo + g * (hi - lo)
    fa, fb = nll(a), nll(b)
    for _ in range(60):
        if fa < fb:
            hi, b, fb = b, a, fa
            a = hi - g * (hi - lo)
            fa = nll(a)
        else:
            lo, a, fa = a, b, fb
            b = lo + g * (hi - lo)
            fb = nll(b)
    return math.exp((lo + hi) / 2)


# --- out of scope and metrics -------------------------------------------------------------------------------


def evaluate(
    probs: np.ndarray, y: np.ndarray, labels: Sequence[str], oos_label: str | None, threshold: float
) -> dict[str, Any]:
    """Validation metrics under the serving decision rule (`baton.scoring.intent.decide`).

    In-scope accuracy counts an in-scope message as right only when it is kept in scope with the right intent
    (Larson et al. 2019); macro F1 is over every label of the validation split, out-of-scope included.
    """
    oos_idx = labels.index(oos_label) if oos_label is not None and oos_label in labels else -1
    best, _, oos = decide(probs, labels, oos_label, threshold)
    pred = np.where(oos, oos_idx, best)
    is_oos = y == oos_idx if oos_idx >= 0 else np.zeros(len(y), bool)
    ins = ~is_oos
    metrics: dict[str, Any] = {
        "n_in_scope": int(ins.sum()),
        "n_out_of_scope": int(is_oos.sum()),
        "in_scope_accuracy": float((pred[ins] == y[ins]).mean()) if ins.any() else None,
        "in_scope_accuracy_no_rejection": float((best[ins] == y[ins]).mean()) if ins.any() else None,
        "in_scope_rejected": float(oos[ins].mean()) if ins.any() else None,
    }
    if is_oos.any():
        metrics["oos_recall"] = float(oos[is_oos].mean())
        metrics["oos_precision"] = float(is_oos[oos].mean()) if oos.any() else 0.0
    f1s = []
    for c in np.unique(y):
        tp = float(((pred == c) & (y == c)).sum())
        fp = float(((pred == c) & (y != c)).sum())
        fn = float(((pred != c) & (y == c)).sum())
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    metrics["macro_f1"] = float(np.mean(f1s)) if f1s else None
    return metrics


def tune_threshold(
    probs: np.ndarray, y: np.ndarray, labels: Sequence[str], oos_label: str | None, tolerance: float
) -> float:
    """The highest threshold whose validation in-scope accuracy is within `tolerance` of no threshold at all.

    In-scope accuracy can only fall as the threshold rises and out-of-scope recall can only rise, so with
    out-of-scope examples in the split this is also the best recall at that cost in accuracy.
    """
    base = evaluate(probs, y, labels, oos_label, 0.0)["in_scope_accuracy"]
    if base is None:
        return 0.0
    _, conf, _ = decide(probs, labels, oos_label, 0.0)
    candidates = np.unique(np.round(conf, 4))
    best = 0.0
    lo, hi = 0, len(candidates) - 1
    while lo <= hi:  # accuracy is monotone in the threshold: bisect over the candidate values
        mid = (lo + hi) // 2
        t = float(candidates[mid])
        if evaluate(probs, y, labels, oos_label, t)["in_scope_accuracy"] >= base - tolerance - 1e-12:
            best, lo = t, mid + 1
        else:
            hi = mid - 1
    return best


def evaluate_file(
    rows: Sequence[tuple[str, str]],
    path: Path,
    exported: Any,
    spec: FeatureSpec,
    encoder: Any,
    labels: Sequence[str],
    oos_label: str | None,
    oos_name: str,
    threshold: float,
    taxonomy: dict[str, IntentInfo],
) -> dict[str, Any]:
    """Metrics of the exported model on a separate evaluation file (the serving rule), with the share of messages
    whose product area is right (an out-of-scope message is right when it is rejected)."""
    from baton.training import onnx_sparse

    known = set(labels) | {oos_name}
    unknown = sorted({intent for _, intent in rows} - known)
    rows = [(t, intent) for t, intent in rows if intent in known]
    if not rows:
        raise DataError(f"--eval {path}: no rows of intents the model knows")
    texts = [t for t, _ in rows]
    x = featurize_all(texts, spec, "eval")
    dense = embed_all(encoder, texts, "eval emb") if encoder is not None else None
    coo = x.tocoo()
    probs = onnx_sparse.reference_probs(exported, coo.row, coo.col, coo.data, len(texts), dense=dense)
    oos_idx = labels.index(oos_label) if oos_label is not None else -1
    y = np.array([oos_idx if intent == oos_name else labels.index(intent) for _, intent in rows])
    best, _, oos = decide(probs, labels, oos_label, threshold)
    area_right = []
    for i, (_, intent) in enumerate(rows):
        if intent == oos_name:
            area_right.append(bool(oos[i]))
        else:
            predicted = None if oos[i] else taxonomy[labels[best[i]]].product_area
            area_right.append(predicted == taxonomy[intent].product_area)
    return {
        "file": path.name,
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "metrics": evaluate(probs, y, labels, oos_label, threshold),
        "area_accuracy": float(np.mean(area_right)),
        "unknown_intents": unknown,
    }


# --- taxonomy -----------------------------------------------------------------------------------------------


def resolve_taxonomy(
    path: Path | None, existing: Path, labels: Sequence[str]
) -> tuple[dict[str, IntentInfo], str, list[str], list[str]]:
    """(taxonomy for every label, where it came from, labels given the default, taxonomy intents not in labels)."""
    source, given = "default", {}
    for candidate, name in ((path, "--taxonomy"), (existing, "existing")):
        if candidate is None or (name == "existing" and not candidate.exists()):
            continue
        try:
            given = parse_taxonomy(json.loads(candidate.read_text(encoding="utf-8")), where=str(candidate))
        except OSError as exc:
            raise DataError(f"{candidate}: {exc.strerror or exc}") from None
        except json.JSONDecodeError as exc:
            raise DataError(f"{candidate}: not JSON ({exc})") from None
        except ValueError as exc:
            raise DataError(str(exc)) from None
        source = str(candidate)
        break
    defaulted = [label for label in labels if label not in given]
    unused = sorted(set(given) - set(labels))
    return {label: given.get(label, DEFAULT_INTENT_INFO) for label in labels}, source, defaulted, unused


# --- export -------------------------------------------------------------------------------------------------


def measure_latency(model_dir: Path, texts: Sequence[str], encoder: Any = None) -> dict[str, float]:
    """Single-message p50/p99 and batched throughput of `load(model_dir).predict`, one thread, this machine;
    with the encoder's `encode` of each message included when the model reads embeddings."""
    from baton.scoring.intent import load

    model = load(model_dir, threads=1)
    if model.uses_encoder and encoder is None:
        raise ValueError("measure_latency: this model reads embeddings; pass its encoder")

    def predict(batch: Sequence[str]) -> None:
        encoded = None
        if model.uses_encoder:
            from baton.scoring.contracts import Encoded

            vectors = np.concatenate([encoder.embed([t]) for t in batch])
            encoded = Encoded(embeddings=vectors)
        model.predict(batch, encoded)

    sample = list(texts[:400]) or ["hello"]
    predict(sample[:8])  # warm-up
    times = []
    for text in sample:
        t0 = time.perf_counter()
        predict([text])
        times.append(time.perf_counter() - t0)
    batch = (list(texts) * (1 + 2000 // max(len(texts), 1)))[:2000] or ["hello"]
    t0 = time.perf_counter()
    for start in range(0, len(batch), 64):
        predict(batch[start : start + 64])
    elapsed = time.perf_counter() - t0
    ms = np.array(times) * 1000
    return {
        "p50_ms": round(float(np.percentile(ms, 50)), 3),
        "p99_ms": round(float(np.percentile(ms, 99)), 3),
        "batch64_messages_per_s": round(len(batch) / elapsed, 1),
        "includes_encoder": bool(model.uses_encoder),
    }


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.2f}%"


def write_card(path: Path, manifest: dict[str, Any], sweep: list[dict[str, Any]]) -> None:
    """MODEL_CARD.md from the manifest; notes below CARD_NOTES_MARKER in an existing card are kept."""
    notes = ""
    if path.exists():
        old = path.read_text(encoding="utf-8")
        if CARD_NOTES_MARKER in old:
            notes = old.split(CARD_NOTES_MARKER, 1)[1].strip("\n")
    m, tr, oos, mdl = manifest["metrics"], manifest["training"], manifest["oos"], manifest["model"]
    enc = manifest.get("encoder")
    lat = manifest.get("latency", {})
    lines = [
        f"# Intent model `{manifest['version']}`",
        "",
        "Written by `baton train intent`; the sections above the notes marker are regenerated on every run.",
        "",
        "## Training data",
        "",
        f"- File: `{tr['data']}` (format `{tr['format']}`, sha256 `{tr['data_sha256'][:16]}...`)"
        + (
            ": built from " + ", ".join(f"{k} {v}" for k, v in tr["sources"].items()) + " messages."
            if tr.get("sources")
            else "."
        ),
        f"- {tr['n_train']} training and {tr['n_val']} validation messages ({tr['validation']}); "
        f"{manifest['intents']} in-scope intents; {tr['n_skipped_rows']} rows skipped as malformed.",
        f"- Seed {tr['seed']}. Command: `{tr['command']}`",
        "",
        "## Model",
        "",
        f"- Features: hashed word {tuple(manifest['features']['word_ngrams'])} and character "
        f"{tuple(manifest['features']['char_ngrams'])} n-grams into {manifest['features']['n_buckets']} buckets "
        f"(`baton.scoring.features.featurize`, the same call at serving time); {mdl['kept_buckets']} buckets "
        f"seen in >= {mdl['min_df']} training messages are kept"
        + (f" (the most frequent within the {mdl['max_mb']} MB budget)." if mdl["pruned_to_budget"] else "."),
        *(
            [
                f"- Sentence embedding: encoder `{enc['version']}` ({enc['dim']} dimensions, unit norm, each message "
                f"embedded alone as the scoring function does), appended to the n-grams with weight {enc['scale']}; "
                "the runtime refuses a model whose encoder is not the one loaded."
            ]
            if enc
            else ["- No sentence embedding (`--no-encoder`): the model needs nothing but its own files."]
        ),
        f"- {mdl['type'].upper()}: "
        + (f"features -> {mdl['hidden']} ReLU -> classes" if mdl["hidden"] else "features -> classes")
        + f", {mdl['epochs']} epochs of Adam (lr {mdl['lr']}, dropout in/hidden {mdl['dropout_in']}/"
        f"{mdl['dropout_hidden']}), softmax temperature {mdl['temperature']:.3f} fitted on validation; "
        f"weights {mdl['weights']}.",
        f"- Out of scope: {'an explicit `' + oos['label'] + '` class and ' if oos['label'] else ''}"
        f"top in-scope probability < {oos['threshold']:.4f} "
        + (
            f"(tuned on validation: the highest threshold costing at most {oos['tolerance']:.1%} in-scope accuracy)."
            if oos["tuned"]
            else "(fixed by --oos-threshold)."
        ),
        "",
        "## Validation metrics",
        "",
        "| metric | value |",
        "|---|---|",
        f"| in-scope accuracy (out-of-scope rule applied) | {_pct(m['in_scope_accuracy'])} |",
        f"| in-scope accuracy, no rejection | {_pct(m['in_scope_accuracy_no_rejection'])} |",
        f"| in-scope messages rejected as out of scope | {_pct(m['in_scope_rejected'])} |",
        f"| out-of-scope recall | {_pct(m.get('oos_recall'))} |",
        f"| out-of-scope precision | {_pct(m.get('oos_precision'))} |",
        f"| macro F1 | {_pct(m['macro_f1'])} |",
        "",
    ]
    ev = manifest.get("eval")
    if ev:
        em = ev["metrics"]
        lines += [
            f"Separate evaluation file `{ev['file']}` ({em['n_in_scope']} in-scope and {em['n_out_of_scope']} "
            "out-of-scope messages, written before training, never trained or tuned on):",
            "",
            "| metric | value |",
            "|---|---|",
            f"| in-scope accuracy (out-of-scope rule applied) | {_pct(em['in_scope_accuracy'])} |",
            f"| in-scope accuracy, no rejection | {_pct(em['in_scope_accuracy_no_rejection'])} |",
            f"| product area right (out-of-scope rule applied) | {_pct(ev.get('area_accuracy'))} |",
            f"| out-of-scope recall | {_pct(em.get('oos_recall'))} |",
            f"| macro F1 | {_pct(em['macro_f1'])} |",
            "",
        ]
        if ev.get("unknown_intents"):
            lines += [
                f"Rows of intents the model lacks were left out: {', '.join(ev['unknown_intents'])}.",
                "",
            ]
    if sweep:
        lines += [
            "Threshold sweep on the same split (for teams choosing their own `--oos-threshold`):",
            "",
            "| threshold | in-scope accuracy | rejected in-scope | OOS recall | OOS precision |",
            "|---|---|---|---|---|",
        ]
        lines += [
            f"| {s['threshold']:.2f} | {_pct(s['in_scope_accuracy'])} | {_pct(s['in_scope_rejected'])} | "
            f"{_pct(s.get('oos_recall'))} | {_pct(s.get('oos_precision'))} |"
            for s in sweep
        ]
        lines.append("")
    lines += [
        "## Size and latency",
        "",
        f"- `model.onnx`: {manifest['size_bytes']['model.onnx'] / 1e6:.2f} MB.",
    ]
    if lat:
        lines.append(
            "- `load(dir).predict` (featurize + onnxruntime"
            + (", plus the encoder's embedding of each message" if lat.get("includes_encoder") else "")
            + ", one thread, measured on the training machine): "
            f"single message p50 {lat['p50_ms']:.3f} ms, p99 {lat['p99_ms']:.3f} ms; batches of 64: "
            f"{lat['batch64_messages_per_s']:.0f} messages/s."
        )
    lines += [
        "",
        "## How to retrain",
        "",
        f"`{tr['command']}` reproduces this model (same data, same seed). A team's own data: a CSV with `text` "
        "and `intent` columns (rows labelled `oos` are out-of-scope examples), or CLINC150-style JSON "
        "with `--format clinc`; `--format support` builds the default support taxonomy's set from a folder of "
        "public data sets and `events/labelled/`; `--taxonomy FILE` maps each intent to product area, skill and "
        "base complexity; `--eval FILE` reports on a separate evaluation set.",
        "",
        "## Limitations",
        "",
        (
            "- Close intents that share their words (card arrival vs delivery estimate) remain the usual errors; "
            "the embedding helps with paraphrases, but the encoder is not fine-tuned on the intents."
            if enc
            else "- Bag of n-grams: word order beyond bigrams and meaning beyond shared words are invisible, so "
            "close intents (card arrival vs delivery estimate) and paraphrases with new words are the usual errors."
        ),
        "- English only (the training data); other languages fall to out of scope or a wrong intent.",
        "- Validation metrics are on the validation split the temperature and threshold were tuned on; "
        "expect held-out test figures to be somewhat lower.",
        "- Without out-of-scope training examples the threshold is the only out-of-scope signal.",
        "",
        CARD_NOTES_MARKER,
        "",
    ]
    if notes:
        lines += [notes, ""]
    path.write_text("\n".join(lines), encoding="utf-8")


# --- command ------------------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Train the intent model (hashed n-grams -> MLP -> ONNX) with out-of-scope detection; "
        "writes OUT/intent/.",
    )
    parser.add_argument("--data", type=Path, required=True, metavar="PATH", help="CSV or CLINC150 JSON")
    parser.add_argument(
        "--format",
        choices=("csv", "clinc", "support"),
        help="data format (default: clinc for .json, else csv); support: PATH is the folder of public data sets "
        "and the set of the default support taxonomy is built from it and events/labelled/",
    )
    parser.add_argument(
        "--eval",
        type=Path,
        metavar="FILE",
        help="separate evaluation set (JSONL {text, intent} or CSV), reported, never trained on "
        "(default with --format support: events/labelled/support_intents_test.jsonl)",
    )
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="writes DIR/intent/")
    parser.add_argument("--seed", type=int, default=0, help="random seed (split, init, batches); default 0")
    parser.add_argument(
        "--taxonomy", type=Path, metavar="FILE", help="JSON {intent: {product_area, skill, base_complexity}}"
    )
    parser.add_argument("--oos-label", default="oos", help="label of out-of-scope examples (default: oos)")
    parser.add_argument(
        "--val-fraction", type=float, default=0.15, help="CSV: stratified validation hold-out (default 0.15)"
    )
    parser.add_argument(
        "--oos-tolerance", type=float, default=0.01,
        help="in-scope accuracy the out-of-scope threshold may cost on validation (default 0.01)",
    )  # fmt: skip
    parser.add_argument(
        "--oos-threshold", type=float, help="fix the out-of-scope threshold instead of tuning it"
    )
    defaults = FitConfig()
    parser.add_argument(
        "--hidden",
        type=int,
        default=defaults.hidden,
        help=f"hidden units, 0 = linear (default {defaults.hidden})",
    )
    parser.add_argument("--epochs", type=int, default=defaults.epochs, help=f"default {defaults.epochs}")
    parser.add_argument(
        "--oos-weight",
        type=float,
        default=None,
        help=f"loss weight of the out-of-scope class (default {defaults.oos_weight}; 1.0 with --format support, "
        "whose out-of-scope examples are plentiful)",
    )
    parser.add_argument(
        "--min-df", type=int, default=2, help="keep buckets seen in >= N training messages (default 2)"
    )
    parser.add_argument(
        "--max-mb",
        type=float,
        default=8.0,
        help="size budget of model.onnx in MB: rarest buckets dropped (default 8)",
    )
    encoder = parser.add_mutually_exclusive_group()
    encoder.add_argument(
        "--encoder",
        type=Path,
        metavar="DIR",
        help="sentence encoder whose embeddings the model also reads (default: the shipped encoder, "
        "BATON_MODELS_DIR/encoder or layers/models/encoder)",
    )
    encoder.add_argument(
        "--no-encoder", action="store_true", help="n-grams only: no encoder needed at serving time"
    )
    return parser


def _check_options(args: argparse.Namespace) -> None:
    if not 0.05 <= args.val_fraction <= 0.5:
        raise DataError("--val-fraction must be between 0.05 and 0.5")
    if not 0 <= args.oos_tolerance < 1:
        raise DataError("--oos-tolerance must be in [0, 1)")
    if args.oos_threshold is not None and not 0 <= args.oos_threshold <= 1:
        raise DataError("--oos-threshold must be in [0, 1]")
    if args.hidden < 0 or args.epochs < 1 or args.min_df < 1:
        raise DataError("--hidden must be >= 0, --epochs and --min-df >= 1")
    if args.max_mb < 1.5:
        raise DataError("--max-mb must be at least 1.5 (the bucket map alone takes about 1 MB)")


def load_encoder(path: Path | None) -> Any:
    """The serving encoder of `path` (default: the one the scoring runtime would load)."""
    from baton.scoring import encoder as encoder_runtime
    from baton.scoring.loader import models_dir
    from baton.settings import Settings

    where = path if path is not None else models_dir(Settings.from_env().models_dir) / "encoder"
    if not (where / "manifest.json").is_file():
        raise DataError(
            f"--encoder {where}: no encoder manifest there (train one with `baton train encoder`, "
            "or pass --no-encoder for an n-gram-only model)"
        )
    return encoder_runtime.load(where, threads=1)


def embed_all(encoder: Any, texts: Sequence[str], label: str) -> np.ndarray:
    """Each text alone, through the serving class: the vectors the scoring function will feed the model."""
    out = np.zeros((len(texts), encoder.dim), np.float32)
    bar = Progress(label, len(texts))
    for i, text in enumerate(texts):
        out[i] = encoder.embed([text])[0]
        if i % 100 == 99:
            bar.update(100)
    bar.update(len(texts) % 100)
    bar.close()
    return out


def run(args: argparse.Namespace, argv: Sequence[str]) -> Path:
    _check_options(args)
    fmt = args.format or ("clinc" if args.data.suffix.lower() == ".json" else "csv")
    if fmt == "support":
        from baton.training import support_data

        data = load_support(args.data)
        if args.taxonomy is None:
            args.taxonomy = support_data.DEFAULT_TAXONOMY
        if args.eval is None:
            args.eval = support_data.DEFAULT_EVAL
    else:
        data = load_clinc(args.data, args.oos_label) if fmt == "clinc" else load_csv(args.data)
    eval_rows = load_eval(args.eval) if args.eval is not None else None
    for problem in data.problems[:MAX_REPORTED_PROBLEMS]:
        log(f"skipped {problem}")
    if len(data.problems) > MAX_REPORTED_PROBLEMS:
        log(f"... and {len(data.problems) - MAX_REPORTED_PROBLEMS} more skipped rows")
    if data.val is None:
        train_idx, val_idx = stratified_split(
            [label for _, label in data.train], args.val_fraction, args.seed
        )
        validation = f"stratified {args.val_fraction:.0%} hold-out of the file, seed {args.seed}"
        train = [data.train[i] for i in train_idx]
        val = [data.train[i] for i in val_idx]
    else:
        validation = "the file's validation split"
        train, val = data.train, data.val
    classes = sorted({label for _, label in train})
    in_scope = [c for c in classes if c != args.oos_label]
    if len(in_scope) < 2:
        raise DataError(f"{args.data}: need at least two intents to train, found {len(in_scope)}")
    if not val:
        raise DataError(f"{args.data}: no validation examples (need at least two examples of some intent)")
    unseen = sorted({label for _, label in val} - set(classes))
    if unseen:
        log(f"validation examples of intents absent from training are left out: {', '.join(unseen[:10])}")
        val = [(t, label) for t, label in val if label in classes]
    # Labels in output order: in-scope intents sorted, then the out-of-scope class when the data has one.
    labels = in_scope + ([args.oos_label] if args.oos_label in classes else [])
    oos_label = args.oos_label if args.oos_label in classes else None
    index = {label: i for i, label in enumerate(labels)}
    y_train = np.array([index[label] for _, label in train])
    y_val = np.array([index[label] for _, label in val])
    counts = Counter(label for _, label in train)
    log(
        f"{len(train)} training / {len(val)} validation messages, {len(in_scope)} intents"
        + (
            f", {counts[args.oos_label]} out-of-scope training examples"
            if oos_label
            else ", no out-of-scope examples"
        )
    )

    # The taxonomy before the training, so a bad file fails in a second, not after minutes.
    out: Path = args.out / "intent"
    taxonomy, tax_source, defaulted, unused = resolve_taxonomy(args.taxonomy, out / "taxonomy.json", in_scope)
    if defaulted:
        log(
            f"taxonomy ({tax_source}): {len(defaulted)} intents get the default "
            f"{asdict(DEFAULT_INTENT_INFO)}: {', '.join(defaulted[:10])}{' ...' if len(defaulted) > 10 else ''}"
        )
    if unused:
        log(
            f"taxonomy ({tax_source}): {len(unused)} entries name no trained intent and are dropped: {', '.join(unused[:10])}"
        )

    encoder = None if args.no_encoder else load_encoder(args.encoder)
    spec = DEFAULT_SPEC
    x_train = featurize_all([t for t, _ in train], spec, "features")
    x_val = featurize_all([t for t, _ in val], spec, "features")
    e_train = e_val = None
    if encoder is not None:
        e_train = embed_all(encoder, [t for t, _ in train], "embeddings")
        e_val = embed_all(encoder, [t for t, _ in val], "embeddings")
    width = args.hidden or len(labels)
    max_rows = rows_within(int(args.max_mb * 1e6), spec.n_buckets, width, len(labels))
    kept = kept_buckets(x_train, args.min_df, max_rows)
    if len(kept) == max_rows:
        log(f"kept the {max_rows} most frequent buckets: the model must fit in --max-mb {args.max_mb}")
    xt, xv = compact(x_train, kept), compact(x_val, kept)
    if e_train is not None and e_val is not None:
        import scipy.sparse as sp

        # The embedding rides along as extra columns: the same first layer reads n-grams and meaning.
        xt = sp.hstack([xt, sp.csr_matrix(e_train * EMBEDDING_SCALE)], format="csr")
        xv = sp.hstack([xv, sp.csr_matrix(e_val * EMBEDDING_SCALE)], format="csr")
    oos_weight = (
        args.oos_weight
        if args.oos_weight is not None
        else (1.0 if fmt == "support" else FitConfig.oos_weight)
    )
    config = FitConfig(hidden=args.hidden, epochs=args.epochs, seed=args.seed, oos_weight=oos_weight)
    class_weight = np.ones(len(labels), np.float32)
    if oos_label is not None:
        class_weight[index[oos_label]] = config.oos_weight

    def on_epoch(params: Params) -> str:
        acc = (params.logits(xv).argmax(axis=1) == y_val).mean()
        return f"val acc {acc:.4f}"

    params = fit(xt, y_train, len(labels), config, class_weight, on_epoch=on_epoch)
    temperature = fit_temperature(params.logits(xv), y_val)
    params = params.scaled(temperature)

    # Export first, then score validation through the exported ONNX model's arithmetic: the figures are those
    # of the file that ships (fp16 weights included), not of the float32 weights in memory.
    from baton.training import onnx_sparse

    n_kept = len(kept)
    w_dense = params.w1[n_kept:] * EMBEDDING_SCALE if e_val is not None else None
    w1_rows, bucket_row = onnx_sparse.with_zero_row(params.w1[:n_kept], kept, spec.n_buckets)
    sparse = onnx_sparse.SparseModel(
        w1=w1_rows, b1=params.b1, w2=params.w2, b2=params.b2, bucket_row=bucket_row, w_dense=w_dense
    )
    proto = onnx_sparse.build(sparse, n_buckets=spec.n_buckets, weight_dtype="float16", name="baton-intent")
    exported = onnx_sparse.read(proto)
    coo = x_val.tocoo()
    probs = onnx_sparse.reference_probs(exported, coo.row, coo.col, coo.data, len(val), dense=e_val)

    tuned = args.oos_threshold is None
    threshold = (
        tune_threshold(probs, y_val, labels, oos_label, args.oos_tolerance) if tuned else args.oos_threshold
    )
    metrics = evaluate(probs, y_val, labels, oos_label, threshold)
    eval_report = None
    if eval_rows is not None:
        eval_report = evaluate_file(
            eval_rows,
            args.eval,
            exported,
            spec,
            encoder,
            labels,
            oos_label,
            args.oos_label,
            threshold,
            taxonomy,
        )
    sweep = [
        {"threshold": t, **evaluate(probs, y_val, labels, oos_label, t)}
        for t in (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7)
    ]

    out.mkdir(parents=True, exist_ok=True)
    data_sha256 = data.sha256 or hashlib.sha256(args.data.read_bytes()).hexdigest()
    model_bytes = proto.SerializeToString()
    (out / "model.onnx").write_bytes(model_bytes)
    if len(model_bytes) > args.max_mb * 1e6:
        log(f"warning: model.onnx is {len(model_bytes) / 1e6:.2f} MB, over --max-mb {args.max_mb}")
    (out / "labels.json").write_text(json.dumps(labels, indent=1) + "\n", encoding="utf-8")
    (out / "taxonomy.json").write_text(
        json.dumps({k: asdict(v) for k, v in taxonomy.items()}, indent=1) + "\n", encoding="utf-8"
    )
    now = datetime.now(UTC)
    command = "baton train intent " + " ".join(argv)
    manifest: dict[str, Any] = {
        "kind": "intent",
        "version": f"intent-{now:%Y%m%d}-{hashlib.sha256(model_bytes).hexdigest()[:8]}",
        "created_at": now.isoformat(timespec="seconds"),
        "files": {
            "model": "model.onnx",
            "labels": "labels.json",
            "taxonomy": "taxonomy.json",
            "card": "MODEL_CARD.md",
        },
        "inputs": list(onnx_sparse.INPUTS) + (["dense"] if encoder is not None else []),
        "output": onnx_sparse.OUTPUT,
        "features": spec.to_json(),
        "encoder": (
            {"version": encoder.version, "dim": encoder.dim, "scale": EMBEDDING_SCALE}
            if encoder is not None
            else None
        ),
        "oos": {
            "label": oos_label,
            "threshold": round(threshold, 6),
            "tuned": tuned,
            "tolerance": args.oos_tolerance,
        },
        "intents": len(in_scope),
        "metrics": metrics,
        "model": {
            "type": "mlp" if config.hidden else "linear",
            "family": "n-grams + sentence embedding" if encoder is not None else "n-grams",
            "hidden": config.hidden,
            "activation": "relu",
            "weights": "float16",
            "temperature": round(temperature, 6),
            "kept_buckets": len(kept),
            "min_df": args.min_df,
            "max_mb": args.max_mb,
            "pruned_to_budget": bool(len(kept) == max_rows),
            "epochs": config.epochs,
            "lr": config.lr,
            "batch_size": config.batch_size,
            "dropout_in": config.dropout_in,
            "dropout_hidden": config.dropout_hidden,
            "oos_weight": config.oos_weight if oos_label else None,
        },
        "training": {
            "data": args.data.name,
            "data_sha256": data_sha256,
            "sources": data.sources,
            "format": fmt,
            "validation": validation,
            "n_train": len(train),
            "n_val": len(val),
            "n_skipped_rows": len(data.problems),
            "seed": args.seed,
            "command": command,
        },
        "taxonomy": {"source": tax_source, "defaulted": defaulted, "default": asdict(DEFAULT_INTENT_INFO)},
        "size_bytes": {"model.onnx": len(model_bytes)},
    }
    if eval_report is not None:
        manifest["eval"] = eval_report
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    manifest["latency"] = measure_latency(out, [t for t, _ in val], encoder)
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    write_card(out / "MODEL_CARD.md", manifest, sweep)

    print(f"validation ({validation}):")
    print(
        f"  in-scope accuracy   {_pct(metrics['in_scope_accuracy'])}  (no rejection {_pct(metrics['in_scope_accuracy_no_rejection'])})"
    )
    if "oos_recall" in metrics:
        print(
            f"  out-of-scope recall {_pct(metrics['oos_recall'])}  precision {_pct(metrics['oos_precision'])}"
        )
    print(f"  macro F1            {_pct(metrics['macro_f1'])}")
    print(f"  out-of-scope threshold {threshold:.4f}; in-scope rejected {_pct(metrics['in_scope_rejected'])}")
    if eval_report is not None:
        em = eval_report["metrics"]
        print(f"separate evaluation file ({args.eval.name}):")
        print(
            f"  in-scope accuracy   {_pct(em['in_scope_accuracy'])}  (no rejection {_pct(em['in_scope_accuracy_no_rejection'])}); "
            f"product area {_pct(eval_report['area_accuracy'])}"
        )
        if "oos_recall" in em:
            print(f"  out-of-scope recall {_pct(em['oos_recall'])}  precision {_pct(em['oos_precision'])}")
    print(f"wrote {out} ({len(model_bytes) / 1e6:.2f} MB model, version {manifest['version']})")
    return out


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    try:
        run(args, argv)
    except DataError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
