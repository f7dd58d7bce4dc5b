"""`baton train triggers`: a learned trigger model that works with the guardrails' regular expressions.

    baton train triggers --data events/labelled/triggers-dev.jsonl --data events/labelled/triggers-test.jsonl \\
        --data events/labelled/triggers-train-extra.jsonl --data events/labelled/triggers-train-extra2.jsonl \\
        --data events/labelled/triggers-test3.jsonl --data events/labelled/triggers-train-extra3.jsonl \\
        --data events/labelled/triggers-test4.jsonl --data events/labelled/triggers-train-extra4.jsonl \\
        --data events/labelled/triggers-test5.jsonl --data events/labelled/triggers-train-extra5.jsonl \\
        --data events/labelled/triggers-test6.jsonl --data events/labelled/triggers-train-extra6.jsonl \\
        --data events/labelled/triggers-test7.jsonl --data events/labelled/triggers-train-extra7.jsonl \\
        --data events/labelled/triggers-test8.jsonl \\
        --bitext ../shared/data/bitext --char-ngrams 3-5 --buckets 16384 --positive-weight 3 \\
        --reader mix --repeats 1 \\
        --min-threshold 0.5 --min-threshold-for account_compromise=0.75 \\
        --min-threshold-for cancellation_refund=0.55 --min-threshold-for competitor_switch=0.6 \\
        --min-threshold-for data_loss=0.7 --min-threshold-for human_request=0.7 \\
        --min-threshold-for payment_dispute=0.5 --min-threshold-for public_complaint=0.65 \\
        --min-threshold-for repeated_contact=0.9 --min-threshold-for team_blocked=0.55 \\
        --out DIR [--encoder DIR] [--folds 5]

Writes DIR/triggers/ (manifest.json, model.onnx, MODEL_CARD.md), the layout `baton.scoring.triggers` loads.

- Data: labelled JSONL, one customer message a line, `{"text", "triggers": [codes]}` (the format of
  `baton eval triggers`). One head per trigger code with at least `--min-support` positives (the support lead's
  triggers and `human_request`; `legal_threat`, `safety_risk` and `security_incident` have no labelled set and
  stay pattern-only). `--bitext DIR` adds a seeded draw of the Bitext customer-service sample (`BITEXT_INTENTS`):
  requests for a person, and calm requests in the triggers' words.
- Features: the shipped sentence encoder's embedding of each message, each text encoded alone through the
  serving class (`encoder.encode([text]).embeddings`, what the scorer computes), cached outside the repository
  (`--cache`, keyed by the encoder's version and the text), **beside** hashed word n-grams of the text
  (`baton.scoring.features.featurize` with the trigger model's own FeatureSpec, recorded in the manifest:
  `--buckets` 8192, `--word-ngrams` 1-2, no character n-grams unless `--char-ngrams`; the shipped model: 3-5 and
  16,384 buckets since round 7, which raised the model's recall on the next author's wording by 0.02 to 0.05 at the
  same precision, leave-one-author-out). Both blocks are
  L2-normalised, so one weight vector reads both. The n-grams carry what the embedding blurs: "another vendor",
  "won't renew", "on Reddit" against "another plan", "renew for a year", "a review link".
- Heads: L2-regularised logistic regression per trigger (scikit-learn, liblinear, `--C`), independent
  sigmoids, so a message can trip several; `--positive-weight` weighs each head's positives (the shipped model:
  3 since round 9, which raised the next author's recall leave-one-author-out, `bench/triggers_loao.py`).
- `--reader mix` (the shipped model since round 10): the heads' probabilities averaged with a small MLP's
  (`baton.training.trigger_hidden`: one ReLU layer over the embedding and the encoder's hidden states after layer 3,
  mean- and max-pooled over the tokens, the states the scorer computes for the sentiment branch; `--mlp-hidden`,
  `--mlp-epochs`, `--mlp-decay`, `--mlp-dropout`). Leave-one-author-out at the same calm budget it recalled +0.025
  of a new writer over the heads alone (docs/decision.md, "Round 10"). Its cross-validation fits the MLP per fold
  (about a minute each), hence `--repeats 1` in the command above.
- Thresholds: `--folds`-fold cross-validation over all the data (shuffled, seed `--seed`); per trigger the
  lowest threshold >= `--min-threshold` at which the out-of-fold hits, after what the engine rules out with the
  shipped decision parameters (the negation veto, `baton.negation.Negation.vetoes` over
  `guardrails.model_keywords`, and the key-word gate, `guardrails.model_gates`), reach precision `--precision`
  (default 0.95; the lowest threshold `--min-threshold`, or a trigger's own `--min-threshold-for CODE=T`, chosen
  with the calm messages' budget, `bench/calm_guardrails.py`; since round 9 on the left-out authors,
  `bench/triggers_loao.py --budget`), else `--precision-floor` (0.9, the issue's target; a head whose false hits are as confident as
  its true ones has a flat precision, and the first rule alone would switch it off), out-of-fold probabilities
  averaged over `--repeats` splits (3). A threshold chosen on hits the engine would drop anyway is needlessly
  high. Reported: the model alone, the patterns alone and patterns OR model, all out of fold for the model (the
  patterns were tuned on the development sets, so their figures there are not a held-out estimate).
- Export: one ONNX graph (inputs `embedding` [batch, dim] and `ngrams` [batch, buckets], dense; MatMul + MatMul
  + Add + Sigmoid, float32, about 0.6 MB; with `--reader mix` a third input `hidden` [batch, 2 x width], the pooled
  states, and the MLP's Gemm + Relu + Gemm + Sigmoid, the two probabilities averaged, about 1.8 MB), the encoder version and the FeatureSpec recorded; the runtime refuses
  another encoder and computes the n-grams itself from the text. The manifest records a few reference texts and their probabilities from the training code;
  tests/unit/test_triggers_model.py replays them through the serving class.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from baton.scoring.features import FeatureSpec, featurize_batch

CARD_NOTES_MARKER = "<!-- Notes below this line are kept when `baton train triggers` rewrites this card. -->"
REFERENCE_TEXTS = (
    "Cancel my plan and send the money back to my card.",
    "I'm going to ask my bank to reverse this charge.",
    "We're signing with another vendor next month.",
    "Everyone will hear about this on LinkedIn.",
    "All the notes from last week disappeared.",
    "Someone changed my password and it wasn't me.",
    "None of our staff can get into the app.",
    "This is my third message about the same problem.",
    "Can I please talk to a person?",
    "How do I change the billing address on my invoices?",
    "I don't want to cancel, just fix the invoice.",
    "Thanks, that worked!",
)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------- data


def read_rows(paths: Sequence[Path]) -> list[tuple[str, set[str]]]:
    from baton.decision.triggers_eval import read

    rows: list[tuple[str, set[str]]] = []
    seen: set[str] = set()
    for path in paths:
        for text, codes in read(Path(path)):
            if text in seen:
                continue
            seen.add(text)
            rows.append((text, codes))
    return rows


BITEXT_FILE = "Bitext_Sample_Customer_Service_Training_Dataset.csv"
BITEXT_INTENTS: dict[str, tuple[tuple[str, ...], int]] = {
    "contact_human_agent": (("human_request",), 150),
    "review": ((), 40),
    "check_refund_policy": ((), 40),
    "check_cancellation_fee": ((), 40),
    "track_refund": ((), 40),
    # ordinary requests in the triggers' words: "switch to my other account", "I can't log in", "delete my account"
    **{
        intent: ((), 25)
        for intent in (
            "switch_account",
            "recover_password",
            "registration_problems",
            "delete_account",
            "cancel_order",
            "payment_issue",
            "edit_account",
            "change_order",
            "track_order",
            "place_order",
            "get_invoice",
            "check_invoice",
            "delivery_options",
            "set_up_shipping_address",
            "newsletter_subscription",
        )
    },
}
"""Bitext intents read with `--bitext` (CDLA-Sharing-1.0): intent -> (trigger codes, messages drawn). Requests for a
person in many more words than ours, and calm requests in the triggers' own words (refund policy, cancellation fees,
reviews, switching accounts, lost passwords, deleting an account, payment problems), so the heads learn that an
ordinary request is not a trigger."""


def bitext_rows(directory: Path, seed: int) -> list[tuple[str, set[str]]]:
    """A fixed, seeded draw of `BITEXT_INTENTS` from the Bitext customer-service sample (utterance, intent)."""
    import csv

    path = Path(directory) / BITEXT_FILE
    if not path.is_file():
        raise SystemExit(f"--bitext {directory}: no {BITEXT_FILE} there")
    by_intent: dict[str, list[str]] = {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            if row.get("intent") in BITEXT_INTENTS:
                by_intent.setdefault(row["intent"], []).append(row["utterance"].strip())
    rng = np.random.default_rng(seed)
    rows: list[tuple[str, set[str]]] = []
    for intent, (codes, n) in BITEXT_INTENTS.items():
        texts = sorted(set(by_intent.get(intent, [])))
        for i in rng.permutation(len(texts))[:n]:
            rows.append((texts[i], set(codes)))
    return rows


def cached_per_text(
    texts: Sequence[str],
    compute: Callable[[str], np.ndarray],
    file: Path | None,
    width: int,
) -> tuple[np.ndarray, int]:
    """float32 [len(texts), width] of `compute(text)` per text, kept in the npz `file` by a hash of the text (the
    encoder's version is in the file's name) so a rerun encodes only new texts; and how many were computed."""
    store: dict[str, np.ndarray] = {}
    if file is not None:
        file.parent.mkdir(parents=True, exist_ok=True)
        if file.is_file():
            with np.load(file) as data:
                store = {k: data[k] for k in data.files}
    out = np.zeros((len(texts), width), np.float32)
    fresh = 0
    for i, text in enumerate(texts):
        key = hashlib.sha256(text.encode()).hexdigest()[:24]
        if key not in store:
            store[key] = compute(text)
            fresh += 1
        out[i] = store[key]
    if file is not None and fresh:
        np.savez(file, **store)  # type: ignore[arg-type]  # the stub fears a key named allow_pickle
    return out, fresh


def embed_all(encoder: Any, texts: Sequence[str], cache: Path | None) -> np.ndarray:
    """Each text encoded alone through the serving encoder (the scorer's vectors), cached by version + text."""
    out, fresh = cached_per_text(
        texts,
        lambda text: np.asarray(encoder.encode([text]).embeddings[0], np.float32),
        cache / f"{encoder.version}.npz" if cache is not None else None,
        encoder.dim,
    )
    log(f"embeddings: {len(texts)} texts, {fresh} encoded, the rest cached")
    return out


# ---------------------------------------------------------------------------------------------- model


def ngram_matrix(texts: Sequence[str], spec: FeatureSpec) -> Any:
    """CSR [len(texts), n_buckets] of `featurize` (the serving call, message by message)."""
    import scipy.sparse as sp

    rows, cols, vals = featurize_batch(texts, spec)
    return sp.csr_matrix((vals, (rows, cols)), shape=(len(texts), spec.n_buckets), dtype=np.float64)


def design(embeddings: np.ndarray, texts: Sequence[str], spec: FeatureSpec | None) -> Any:
    """[embedding | n-grams] as one CSR matrix (the embedding alone without a spec)."""
    import scipy.sparse as sp

    dense = sp.csr_matrix(embeddings.astype(np.float64))
    if spec is None:
        return dense
    return sp.hstack([dense, ngram_matrix(texts, spec)]).tocsr()


def fit_heads(
    x: Any, y: np.ndarray, c: float, seed: int, positive_weight: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """(W [dim, k], b [k]) of one logistic regression per column of y; `positive_weight` weighs each head's
    positives against its negatives (a trigger is one message in ten: unweighted, the heads learn to say no)."""
    from sklearn.linear_model import LogisticRegression

    w = np.zeros((x.shape[1], y.shape[1]), np.float64)
    b = np.zeros(y.shape[1], np.float64)
    weight = {0: 1.0, 1: positive_weight} if positive_weight != 1.0 else None
    for k in range(y.shape[1]):
        model = LogisticRegression(
            C=c, solver="liblinear", random_state=seed, max_iter=1000, class_weight=weight
        )
        model.fit(x, y[:, k])
        w[:, k] = model.coef_[0]
        b[k] = model.intercept_[0]
    return w, b


def probs_of(x: Any, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    p: np.ndarray = 1.0 / (1.0 + np.exp(-(np.asarray(x.astype(np.float64) @ w) + b)))
    return p


def folds_of(n: int, k: int, seed: int) -> list[np.ndarray]:
    order = np.random.default_rng(seed).permutation(n)
    return [order[i::k] for i in range(k)]


def out_of_fold(
    x: Any,
    y: np.ndarray,
    k: int,
    c: float,
    seed: int,
    positive_weight: float = 1.0,
    deep: np.ndarray | None = None,
    args: argparse.Namespace | None = None,
) -> np.ndarray:
    """Out-of-fold probabilities of the heads; with `deep` (`--reader mix`), averaged with the MLP's."""
    oof = np.zeros(y.shape, np.float64)
    n = x.shape[0]
    for i, held in enumerate(folds_of(n, k, seed)):
        train = np.setdiff1d(np.arange(n), held)
        w, b = fit_heads(x[train], y[train], c, seed, positive_weight)
        oof[held] = probs_of(x[held], w, b)
        if deep is not None and args is not None:
            from baton.training.trigger_hidden import mlp_probs

            mlp = fit_reader_mlp(deep[train], y[train], args, seed)
            oof[held] = (oof[held] + mlp_probs(deep[held], mlp)) / 2
        log(f"fold {i + 1}/{k}")
    return oof


def reference_probs(
    encoder: Any, spec: FeatureSpec | None, w: np.ndarray, b: np.ndarray, mlp: Any
) -> np.ndarray:
    """`REFERENCE_TEXTS`' probabilities by the training code (the manifest records them; the serving class must
    replay them): the heads, averaged with the MLP's when there is one."""
    encoded = [encoder.encode([t]) for t in REFERENCE_TEXTS]
    e = np.stack([one.embeddings[0] for one in encoded]).astype(np.float32)
    probs = probs_of(design(e, REFERENCE_TEXTS, spec), w, b)
    if mlp is not None:
        from baton.training.trigger_hidden import mlp_probs, pool

        h = np.stack([pool(one.hidden[0]) for one in encoded])
        probs = (probs + mlp_probs(np.hstack([e, h]), mlp)) / 2
    return probs


def fit_reader_mlp(deep: np.ndarray, y: np.ndarray, args: argparse.Namespace, seed: int) -> Any:
    """The MLP of `--reader mix` (`baton.training.trigger_hidden.fit_mlp`) with the command's settings."""
    from baton.training.trigger_hidden import fit_mlp

    return fit_mlp(
        deep,
        y,
        hidden=args.mlp_hidden,
        epochs=args.mlp_epochs,
        weight_decay=args.mlp_decay,
        dropout=args.mlp_dropout,
        positive_weight=args.positive_weight,
        seed=seed,
    )


def ruled_out_matrix(texts: Sequence[str], codes: Sequence[str]) -> np.ndarray:
    """[n, k] True where the engine (shipped parameters) drops a model hit: a negation vetoes it, or the message
    lacks the trigger's gate words (`baton.decision.engine.model_gate`; the scorer reads `human_request` without
    the gate, only the veto)."""
    from baton.context.models import fold
    from baton.decision.engine import MODEL_HUMAN_REQUEST, model_gate, model_veto
    from baton.decision.params import load_default

    params = load_default()
    return np.array(
        [
            [
                model_veto(text, code, params)
                or (code != MODEL_HUMAN_REQUEST and not model_gate(code, params, fold(text)))
                for code in codes
            ]
            for text in texts
        ],
        bool,
    )


def choose_threshold(
    p: np.ndarray, y: np.ndarray, target: float, low: float, floor: float | None = None
) -> float:
    """The lowest threshold >= low at which hits (p >= t) reach precision `target`; else the lowest that reaches
    `floor` (a head whose precision is flat in the threshold, its false hits as confident as its true ones, would
    otherwise land on an arbitrary high threshold or be switched off); 1.0 when none does."""
    for goal in (target, floor) if floor is not None and floor < target else (target,):
        for t in np.round(np.arange(low, 0.995, 0.01), 2):
            hit = p >= t
            if hit.sum() and (hit & y).sum() / hit.sum() >= goal:
                return float(t)
    return 1.0


def pr(hit: np.ndarray, y: np.ndarray) -> dict[str, float | int | None]:
    tp = int((hit & y).sum())
    fp = int((hit & ~y).sum())
    fn = int((~hit & y).sum())
    return {
        "precision": round(tp / (tp + fp), 4) if tp + fp else None,
        "recall": round(tp / (tp + fn), 4) if tp + fn else None,
        "tp": tp,
        "fp": fp,
        "fn": fn,
    }


def regex_hits(texts: Sequence[str], codes: Sequence[str]) -> np.ndarray:
    from baton.decision.params import load_default
    from baton.decision.triggers_eval import predict_patterns

    params = load_default()
    return np.array([[code in predict_patterns(text, params) for code in codes] for text in texts], bool)


# ---------------------------------------------------------------------------------------------- export


def build_onnx(
    w: np.ndarray, b: np.ndarray, dim: int, name: str = "baton-triggers", mlp: Any = None
) -> bytes:
    """Sigmoid(embedding @ W[:dim] + ngrams @ W[dim:] + B); without n-gram rows, embedding only (Gemm). With `mlp`
    (`baton.training.trigger_hidden.Mlp` over [embedding | pooled hidden states]), a third input `hidden` and the
    mean of the two readers' probabilities, the MLP's standardisation folded into its first layer."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    from baton.scoring.triggers import HIDDEN, INPUT, NGRAMS, OUTPUT

    k = w.shape[1]
    n_buckets = w.shape[0] - dim
    inputs = [helper.make_tensor_value_info(INPUT, TensorProto.FLOAT, ["batch", dim])]
    inits = [
        numpy_helper.from_array(w[:dim].astype(np.float32), "W"),
        numpy_helper.from_array(b.astype(np.float32), "B"),
    ]
    if n_buckets:
        inputs.append(helper.make_tensor_value_info(NGRAMS, TensorProto.FLOAT, ["batch", n_buckets]))
        inits.append(numpy_helper.from_array(w[dim:].astype(np.float32), "W_ngrams"))
        nodes = [
            helper.make_node("MatMul", [INPUT, "W"], ["z_embedding"]),
            helper.make_node("MatMul", [NGRAMS, "W_ngrams"], ["z_ngrams"]),
            helper.make_node("Add", ["z_embedding", "z_ngrams"], ["z"]),
            helper.make_node("Add", ["z", "B"], ["logits"]),
        ]
    else:
        nodes = [helper.make_node("Gemm", [INPUT, "W", "B"], ["logits"])]
    if mlp is None:
        nodes.append(helper.make_node("Sigmoid", ["logits"], [OUTPUT]))
    else:
        width = mlp.w1.shape[0] - dim
        w1 = (mlp.w1 / mlp.sd[:, None]).astype(np.float32)
        b1 = (mlp.b1 - (mlp.mu / mlp.sd) @ mlp.w1).astype(np.float32)
        inputs.append(helper.make_tensor_value_info(HIDDEN, TensorProto.FLOAT, ["batch", width]))
        inits += [
            numpy_helper.from_array(w1, "W1"),
            numpy_helper.from_array(b1, "B1"),
            numpy_helper.from_array(mlp.w2.astype(np.float32), "W2"),
            numpy_helper.from_array(mlp.b2.astype(np.float32), "B2"),
            numpy_helper.from_array(np.array(0.5, np.float32), "half"),
        ]
        nodes += [
            helper.make_node("Sigmoid", ["logits"], ["p_logit"]),
            helper.make_node("Concat", [INPUT, HIDDEN], ["x_mlp"], axis=1),
            helper.make_node("Gemm", ["x_mlp", "W1", "B1"], ["h_pre"]),
            helper.make_node("Relu", ["h_pre"], ["h"]),
            helper.make_node("Gemm", ["h", "W2", "B2"], ["mlp_logits"]),
            helper.make_node("Sigmoid", ["mlp_logits"], ["p_mlp"]),
            helper.make_node("Add", ["p_logit", "p_mlp"], ["p_sum"]),
            helper.make_node("Mul", ["p_sum", "half"], [OUTPUT]),
        ]
    graph = helper.make_graph(
        nodes,
        name,
        inputs,
        [helper.make_tensor_value_info(OUTPUT, TensorProto.FLOAT, ["batch", k])],
        initializer=inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="baton")
    model.ir_version = 8
    onnx.checker.check_model(model)
    data: bytes = model.SerializeToString()
    return data


def measure_latency(
    model_dir: Path, texts: Sequence[str], embeddings: np.ndarray, n: int = 2000, encoder: Any = None
) -> dict[str, float]:
    """The serving head per message over an existing embedding, n-gram featurisation of the text included
    (what the scorer adds per message), one thread, timeit over real training messages; for a model that reads
    hidden states, `encoder` computes them (the scorer has them already) and their pooling is included."""
    import timeit

    from baton.scoring.contracts import Encoded
    from baton.scoring.triggers import load

    model = load(model_dir)
    m = min(200, len(texts))
    one = [
        (
            [texts[i]],
            Encoded(
                embeddings=embeddings[i : i + 1],
                hidden=encoder.encode([texts[i]]).hidden if model.hidden_layer is not None else None,
                encoder_version=model.encoder_version,
            ),
        )
        for i in range(m)
    ]
    model.predict(*one[0])
    runs = []
    for i in range(n):
        runs.append(timeit.timeit(functools.partial(model.predict, *one[i % m]), number=1))
    runs.sort()
    return {
        "p50_ms": round(runs[len(runs) // 2] * 1000, 4),
        "p99_ms": round(runs[int(len(runs) * 0.99)] * 1000, 4),
        "mean_ms": round(sum(runs) / len(runs) * 1000, 4),
        "runs": n,
    }


# ---------------------------------------------------------------------------------------------- card


def _f(value: Any) -> str:
    return "-" if value is None else f"{value:.3f}"


def table(rows: dict[str, dict[str, Any]], codes: Sequence[str]) -> list[str]:
    lines = [
        "| trigger | threshold | model P | model R | patterns P | patterns R | patterns OR model P | "
        "patterns OR model R | support |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for code in codes:
        r = rows[code]
        m, p, o = r["model"], r["patterns"], r["combined"]
        lines.append(
            f"| {code} | {r['threshold']:.2f} | {_f(m['precision'])} | {_f(m['recall'])} | {_f(p['precision'])} | "
            f"{_f(p['recall'])} | {_f(o['precision'])} | {_f(o['recall'])} | {r['support']} |"
        )
    return lines


def write_card(path: Path, manifest: dict[str, Any]) -> None:
    notes = ""
    if path.is_file():
        old = path.read_text(encoding="utf-8")
        if CARD_NOTES_MARKER in old:
            notes = old.split(CARD_NOTES_MARKER, 1)[1]
    tr, cv, lat = manifest["training"], manifest["cv"], manifest["latency"]
    lines = [
        f"# Trigger model `{manifest['version']}`",
        "",
        "What a support lead escalates first, read from the meaning of a customer message rather than its exact "
        "words: one logistic head per trigger over the sentence encoder's embedding and hashed word and character "
        "n-grams of the text"
        + (
            ", averaged with a small MLP over the embedding and the encoder's hidden states after layer "
            f"{manifest['hidden']['layer']}, pooled"
            if manifest.get("hidden")
            else ""
        )
        + ". It works **with** the "
        "guardrails' regular expressions (docs/decision.md): a guardrail trips when its pattern matches *or* the "
        "head's probability reaches the trigger's threshold in the decision parameters "
        "(`guardrails.model_thresholds`), unless a negation governs the trigger's key words "
        "(`guardrails.model_keywords`) or the message lacks the words its trigger is about "
        "(`guardrails.model_gates`).",
        "",
        "## Data",
        "",
        f"- {tr['n_rows']} labelled customer messages from {', '.join(f'`{d}`' for d in tr['data'])} "
        f"({tr['n_negative']} that trip nothing). The development sets of the patterns plus hand-written lines "
        "(`triggers-train-extra.jsonl`: paraphrases in other words, and hard negatives: negations, policy "
        "questions, a customer's own customers, resolved events, plan changes; `triggers-train-extra2.jsonl`: "
        "indirect wording of a move to a rival, an account taken over, lost data and a blocked team, across "
        "industries, with calm messages in the same words; `triggers-test3.jsonl`, a third author's set, held out in "
        "round 4 and development since round 5; `triggers-train-extra3.jsonl`: round 5's families, regulators, "
        "courts and posts, earlier contacts, callbacks and specialists, other words for a cancellation with its "
        "money, German, French and Spanish, and calm messages in the same words; `triggers-test4.jsonl`, a fourth "
        "author's set, held out in round 5 and development since round 6; `triggers-train-extra4.jsonl`: round 6's "
        "families, a person in other words, earlier contacts dated and promised, lawyers, representatives and the "
        "press, endings with their money, disputes already with the bank, a few Italian, Portuguese and Dutch "
        "lines, and calm messages in the same words: banks and cards, one permission missing, corrections; "
        "`triggers-test5.jsonl`, a fifth author's set, held out in round 6 and development since round 7; "
        "`triggers-train-extra5.jsonl`: round 7's families, changes and orders the customer disowns, notices to end "
        "with the fees returned, a trial open elsewhere, consumer courts and local papers, reminders and chasing, "
        "calls asked for in other words, German, French, Spanish and Italian lines, and calm messages in the same "
        "words: disputes and cancellations that ended well, losses at another provider, one person affected; "
        "`triggers-test6.jsonl`, a sixth author's set, held out in round 7 and development since round 8; "
        "`triggers-train-extra6.jsonl`: round 8's families, earlier contacts reopened and chased, calls booked "
        "with a team, every site or a crew of any trade stopped, storage come back empty, things in an account "
        "nobody on the team made, rivals weighed, and calm messages in the same words: corrections, trials still "
        "being evaluated, add-ons removed, a login loop for a few users; `triggers-test7.jsonl`, a seventh "
        "author's set, held out in round 8 and development since round 9; `triggers-train-extra7.jsonl`: round 9's "
        "trades no other set had, each trigger told by its consequence, and calm messages in the same words; "
        "`triggers-test8.jsonl`, an eighth author's set, held out in round 9 and development since round 10)"
        + (
            f", and a seeded draw of {sum(tr['bitext'].values())} Bitext customer-service utterances "
            "(CDLA-Sharing-1.0, `--bitext`): requests for a person as `human_request`, calm requests in the triggers' "
            "words (refund policy, cancellation fees, reviews, switching accounts, lost passwords) as negatives."
            if tr.get("bitext")
            else "."
        ),
        "- `events/labelled/triggers-test2.jsonl` and `triggers-test9.jsonl` (each written by someone else, never "
        "read while developing) are the held-out sets; their figures are in the notes below and in "
        "docs/decision.md.",
        "",
        "## Model",
        "",
        f"- Input: the embedding of encoder `{manifest['encoder']['version']}` ({manifest['encoder']['dim']} "
        "dimensions, unit norm), the vector the scorer already computes for every customer message. The runtime "
        "refuses another encoder.",
        *(
            [
                f"- Beside it: hashed word {tuple(manifest['features']['word_ngrams'])} n-grams"
                + (
                    f" and character {tuple(manifest['features']['char_ngrams'])} n-grams"
                    if manifest["features"]["char_ngrams"][0] <= manifest["features"]["char_ngrams"][1]
                    else ""
                )
                + f" into {manifest['features']['n_buckets']} buckets (`baton.scoring.features.featurize` with "
                "the manifest's FeatureSpec; the serving class computes them from the text), L2-normalised like "
                'the embedding. They tell a move to a rival ("another vendor", "won\'t renew") from a calm '
                'plan change ("another plan", "renew for a year"), which the embedding blurs; character n-grams '
                'also read typos and word endings ("cancle", "refunded", "Rücklastschrift").'
            ]
            if manifest.get("features")
            else []
        ),
        f"- Heads: {len(manifest['codes'])} independent logistic regressions (L2, C={tr['C']}"
        + (
            f", positives weighted {tr['positive_weight']:g}x"
            if tr.get("positive_weight", 1.0) != 1.0
            else ""
        )
        + "): "
        f"{', '.join(f'`{c}`' for c in manifest['codes'])}. `legal_threat`, `safety_risk` and `security_incident` "
        "have no labelled set and stay pattern-only.",
        f"- Thresholds: {tr['folds']}-fold cross-validation ({tr.get('repeats', 1)} splits, out-of-fold "
        f"probabilities averaged), per trigger the lowest >= {tr['min_threshold']} where the out-of-fold hits, after "
        f"the negation veto and the key-word gate, reach precision {tr['precision_target']}"
        + (f", else {tr['precision_floor']}" if tr.get("precision_floor") else "")
        + (
            " (a trigger's own lowest: "
            + ", ".join(f"`{c}` {t}" for c, t in sorted(tr["min_threshold_for"].items()))
            + ")"
            if tr.get("min_threshold_for")
            else ""
        )
        + ".",
        *(
            [
                f"- Beside the heads: an MLP (`baton.training.trigger_hidden`) over the embedding and the encoder's "
                f"hidden states after layer {manifest['hidden']['layer']} (the sentiment branch's input, which the "
                "scorer computes anyway), mean- and max-pooled over the tokens by the serving class: inputs "
                f"standardised, one ReLU layer of {manifest['hidden']['mlp_hidden']} units (dropout "
                f"{manifest['hidden']['dropout']:g}, weight decay {manifest['hidden']['weight_decay']:g}, "
                f"{manifest['hidden']['epochs']} epochs of Adam, positives weighted like the heads), a sigmoid per "
                "trigger. The model's probability is the mean of the heads' and the MLP's (`--reader mix`, round 10)."
            ]
            if manifest.get("hidden")
            else []
        ),
        f"- `model.onnx`: {manifest['size_bytes']['model.onnx'] / 1e3:.1f} KB (MatMul + Add + Sigmoid"
        + (", and the MLP's Gemm + Relu + Gemm + Sigmoid" if manifest.get("hidden") else "")
        + ", float32).",
        f"- Latency of the head over an existing embedding, n-gram featurisation included (serving class "
        f"`predict`, one thread, timeit, {lat['runs']} runs over training messages): "
        f"p50 {lat['p50_ms']:.3f} ms, p99 {lat['p99_ms']:.3f} ms. The encoder itself runs anyway for the intent "
        "and sentiment models.",
        "",
        "## Cross-validation on the training data",
        "",
        "Out of fold for the model. The patterns were tuned on `triggers-dev` and `triggers-test` (round 4's also "
        "on `triggers-train-extra2`, round 5's on `triggers-test3`, round 6's on `triggers-test4`, round 7's on "
        "`triggers-test5`, round 8's on `triggers-test6`; round 9 tuned no pattern; round 10 ruled out calm "
        "mentions among `triggers-test8`'s false hits), so their figures "
        "here (and the OR) are "
        "optimistic; the honest estimate is the held-out sets'.",
        "",
        *table(cv, manifest["codes"]),
        "",
        f"Negation veto and key-word gate (out of fold, at the chosen thresholds): they removed "
        f"{manifest['veto']['removed_tp']} true and {manifest['veto']['removed_fp']} false model hits.",
        "",
        "## Retrain",
        "",
        "    baton train triggers --data events/labelled/triggers-dev.jsonl --data events/labelled/triggers-test.jsonl \\",
        "        --data events/labelled/triggers-train-extra.jsonl --data events/labelled/triggers-train-extra2.jsonl \\",
        "        --data events/labelled/triggers-test3.jsonl --data events/labelled/triggers-train-extra3.jsonl \\",
        "        --data events/labelled/triggers-test4.jsonl --data events/labelled/triggers-train-extra4.jsonl \\",
        "        --data events/labelled/triggers-test5.jsonl --data events/labelled/triggers-train-extra5.jsonl \\",
        "        --data events/labelled/triggers-test6.jsonl --data events/labelled/triggers-train-extra6.jsonl \\",
        "        --data events/labelled/triggers-test7.jsonl --data events/labelled/triggers-train-extra7.jsonl \\",
        "        --data events/labelled/triggers-test8.jsonl \\",
        "        --bitext ../shared/data/bitext --char-ngrams 3-5 --buckets 16384 --positive-weight 3 \\",
        "        --reader mix --repeats 1 \\",
        "        --min-threshold 0.5 --min-threshold-for account_compromise=0.75 \\",
        "        --min-threshold-for cancellation_refund=0.55 --min-threshold-for competitor_switch=0.6 \\",
        "        --min-threshold-for data_loss=0.7 --min-threshold-for human_request=0.7 \\",
        "        --min-threshold-for payment_dispute=0.5 --min-threshold-for public_complaint=0.65 \\",
        "        --min-threshold-for repeated_contact=0.9 --min-threshold-for team_blocked=0.55 \\",
        "        --out /tmp/triggers",
        "",
        "then copy `/tmp/triggers/triggers/` to `layers/models/triggers/` and the thresholds into "
        "`DEFAULT_MODEL_THRESHOLDS` (baton/decision/params.py) and `guardrails.model_thresholds` of the shipped "
        "parameters. Measure with `baton eval triggers FILE` (patterns OR model, the decision's path).",
        "",
        CARD_NOTES_MARKER,
    ]
    path.write_text("\n".join(lines) + (notes if notes else "\n"), encoding="utf-8")


# ---------------------------------------------------------------------------------------------- main


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="baton train triggers", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data", type=Path, action="append", required=True, help="labelled JSONL (repeatable)"
    )
    parser.add_argument("--out", type=Path, required=True, help="output directory (writes OUT/triggers/)")
    parser.add_argument("--encoder", type=Path, help="encoder directory (default: the shipped one)")
    parser.add_argument(
        "--bitext",
        type=Path,
        help="the Bitext customer-service sample's directory: adds a seeded draw of BITEXT_INTENTS",
    )
    parser.add_argument("--cache", type=Path, default=Path("/tmp/baton-trigger-embeddings"))
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--C", type=float, default=128.0, help="inverse L2 strength of each head")
    parser.add_argument(
        "--positive-weight",
        type=float,
        default=1.0,
        help="class weight of each head's positives (the shipped model: 2, chosen leave-one-author-out)",
    )
    parser.add_argument("--buckets", type=int, default=8192, help="hashed n-gram buckets (0: embedding only)")
    parser.add_argument("--word-ngrams", default="1-2", help="word n-gram range, LO-HI")
    parser.add_argument("--char-ngrams", default="none", help="character n-gram range, LO-HI, or none")
    parser.add_argument("--precision", type=float, default=0.95, help="precision target of each threshold")
    parser.add_argument(
        "--precision-floor",
        type=float,
        default=0.9,
        help="when no threshold reaches --precision, the lowest reaching this (the issue's target)",
    )
    parser.add_argument(
        "--repeats", type=int, default=3, help="cross-validation runs, each with its own split"
    )
    parser.add_argument("--min-threshold", type=float, default=0.5)
    parser.add_argument(
        "--min-threshold-for",
        action="append",
        default=[],
        metavar="CODE=T",
        help="a trigger's own lowest threshold (repeatable), e.g. team_blocked=0.8: one whose calm false hits "
        "are as confident as its true ones",
    )
    parser.add_argument("--min-support", type=int, default=20, help="positives a trigger needs for a head")
    parser.add_argument(
        "--reader",
        choices=("logit", "mix"),
        default="logit",
        help="logit: the heads alone; mix: their probabilities averaged with an MLP's over the embedding and the "
        "encoder's pooled hidden states (baton.training.trigger_hidden; round 10, leave-one-author-out)",
    )
    parser.add_argument("--mlp-hidden", type=int, default=256, help="the MLP's hidden units (--reader mix)")
    parser.add_argument("--mlp-epochs", type=int, default=40, help="the MLP's epochs (--reader mix)")
    parser.add_argument("--mlp-decay", type=float, default=1e-4, help="the MLP's weight decay (--reader mix)")
    parser.add_argument("--mlp-dropout", type=float, default=0.2, help="the MLP's dropout (--reader mix)")
    return parser


def _range(value: str, option: str) -> tuple[int, int]:
    try:
        lo, hi = (int(v) for v in value.split("-"))
    except ValueError:
        raise SystemExit(f"{option} {value!r}: expected LO-HI, e.g. 1-2") from None
    return lo, hi


def min_thresholds(values: Sequence[str], codes: Sequence[str]) -> dict[str, float]:
    """`--min-threshold-for CODE=T` values as {code: T} (SystemExit naming a bad one or an unknown trigger)."""
    out: dict[str, float] = {}
    for value in values:
        code, _, number = value.partition("=")
        try:
            t = float(number)
        except ValueError:
            raise SystemExit(
                f"--min-threshold-for {value!r}: expected CODE=T, e.g. team_blocked=0.8"
            ) from None
        if code not in codes:
            raise SystemExit(
                f"--min-threshold-for {value!r}: no head for {code!r} (heads: {', '.join(codes)})"
            )
        if not 0.0 < t < 1.0:
            raise SystemExit(f"--min-threshold-for {value!r}: T must be between 0 and 1")
        out[code] = t
    return out


def feature_spec(args: argparse.Namespace) -> FeatureSpec | None:
    """The trigger model's own n-gram spec (None: embedding only). `char_ngrams` (1, 0) means none."""
    if args.buckets <= 0:
        return None
    chars = (1, 0) if args.char_ngrams == "none" else _range(args.char_ngrams, "--char-ngrams")
    return FeatureSpec(
        n_buckets=args.buckets, word_ngrams=_range(args.word_ngrams, "--word-ngrams"), char_ngrams=chars
    )


def run(args: argparse.Namespace) -> Path:
    from baton.training.intent import load_encoder

    started = time.time()
    if args.positive_weight <= 0:
        raise SystemExit(f"--positive-weight {args.positive_weight}: must be above 0 (1: unweighted)")
    rows = read_rows(args.data)
    if args.bitext is not None:
        seen = {t for t, _ in rows}
        extra = [(t, c) for t, c in bitext_rows(args.bitext, args.seed) if t not in seen]
        log(f"bitext: {len(extra)} messages from {args.bitext}")
        rows += extra
    texts = [t for t, _ in rows]
    counts: dict[str, int] = {}
    for _, labels in rows:
        for code in labels:
            counts[code] = counts.get(code, 0) + 1
    codes = sorted(c for c, n in counts.items() if n >= args.min_support)
    y = np.array([[code in labels for code in codes] for _, labels in rows], bool)
    log(f"{len(rows)} messages, heads: {', '.join(f'{c} ({counts[c]})' for c in codes)}")

    spec = feature_spec(args)
    encoder = load_encoder(args.encoder)
    embeddings = embed_all(encoder, texts, args.cache)
    x = design(embeddings, texts, spec)
    deep = None  # [embedding | pooled hidden states], what the MLP of `--reader mix` reads
    if args.reader == "mix":
        from baton.training.trigger_hidden import pooled_hidden

        deep = np.hstack([embeddings, pooled_hidden(encoder, texts, args.cache)])
    # Averaged over several fold splits: one split's out-of-fold precision moves by a few points with the split.
    oof = np.mean(
        [
            out_of_fold(x, y.astype(int), args.folds, args.C, args.seed + r, args.positive_weight, deep, args)
            for r in range(args.repeats)
        ],
        axis=0,
    )
    veto = ruled_out_matrix(texts, codes)
    patterns = regex_hits(texts, codes)

    cv: dict[str, dict[str, Any]] = {}
    thresholds: dict[str, float] = {}
    removed_tp = removed_fp = 0
    lows = min_thresholds(args.min_threshold_for, codes)
    for k, code in enumerate(codes):
        p = np.where(veto[:, k], 0.0, oof[:, k])
        low = lows.get(code, args.min_threshold)
        t = choose_threshold(p, y[:, k], args.precision, low, args.precision_floor)
        thresholds[code] = t
        hit = p >= t
        raw = oof[:, k] >= t
        removed_tp += int((raw & ~hit & y[:, k]).sum())
        removed_fp += int((raw & ~hit & ~y[:, k]).sum())
        cv[code] = {
            "threshold": t,
            "support": int(y[:, k].sum()),
            "model": pr(hit, y[:, k]),
            "model_no_veto": pr(raw, y[:, k]),
            "patterns": pr(patterns[:, k], y[:, k]),
            "combined": pr(hit | patterns[:, k], y[:, k]),
        }
    for line in table(cv, codes):
        log(line)

    w, b = fit_heads(x, y.astype(int), args.C, args.seed, args.positive_weight)
    mlp = fit_reader_mlp(deep, y.astype(int), args, args.seed) if deep is not None else None
    model_bytes = build_onnx(w, b, encoder.dim, mlp=mlp)
    out = Path(args.out) / "triggers"
    out.mkdir(parents=True, exist_ok=True)
    (out / "model.onnx").write_bytes(model_bytes)
    reference = reference_probs(encoder, spec, w, b, mlp)
    digest = hashlib.sha256(model_bytes).hexdigest()[:8]
    manifest: dict[str, Any] = {
        "kind": "triggers",
        "version": f"triggers-logit-{datetime.now(UTC):%Y%m%d}-{digest}",
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "files": {"model": "model.onnx", "card": "MODEL_CARD.md"},
        "input": "embedding",
        "inputs": ["embedding", *(["ngrams"] if spec is not None else []), *(["hidden"] if mlp else [])],
        "output": "probs",
        "codes": codes,
        "thresholds": thresholds,
        "encoder": {"version": encoder.version, "dim": encoder.dim},
        **({"features": spec.to_json()} if spec is not None else {}),
        **(
            {
                "hidden": {
                    "layer": encoder.hidden_layer,
                    "pool": ["mean", "max"],
                    "mlp_hidden": args.mlp_hidden,
                    "epochs": args.mlp_epochs,
                    "weight_decay": args.mlp_decay,
                    "dropout": args.mlp_dropout,
                }
            }
            if mlp is not None
            else {}
        ),
        "training": {
            "data": [str(p) for p in args.data],
            "bitext": {k: v[1] for k, v in BITEXT_INTENTS.items()} if args.bitext is not None else None,
            "n_rows": len(rows),
            "n_negative": int((~y.any(axis=1)).sum()),
            "support": {c: counts[c] for c in codes},
            "C": args.C,
            "positive_weight": args.positive_weight,
            "folds": args.folds,
            "repeats": args.repeats,
            "seed": args.seed,
            "precision_target": args.precision,
            "precision_floor": args.precision_floor,
            "min_threshold": args.min_threshold,
            "min_threshold_for": lows,
            "seconds": round(time.time() - started, 1),
        },
        "cv": cv,
        "veto": {"removed_tp": removed_tp, "removed_fp": removed_fp},
        "reference": {
            "texts": list(REFERENCE_TEXTS),
            "probs": [[round(float(v), 6) for v in row] for row in reference],
        },
        "size_bytes": {"model.onnx": len(model_bytes)},
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    manifest["latency"] = measure_latency(out, texts, embeddings, encoder=encoder)
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    write_card(out / "MODEL_CARD.md", manifest)
    log(f"thresholds: {json.dumps(thresholds)}")
    print(f"wrote {out} ({len(model_bytes) / 1e3:.1f} KB model, version {manifest['version']})")
    return out


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    run(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
