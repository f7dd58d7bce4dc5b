"""`baton train sentiment --data DIR --out OUT [--encoder E --torch-python PY]`: sentiment and frustration for
support language, with a neutral class. The shipped default is trained so.

The model has the serving shape of `baton.scoring.sentiment` (an n-gram/lexicon linear graph with two heads,
stacked with a fine-tuned branch of the sentence encoder); this recipe changes what it learns from:

- **sentiment** (three classes, served as one score in [-1, 1]): a logistic head on soft targets, negative 0,
  neutral 0.5, positive 1, so that a neutral text reads near 0 and the probability of "positive" maps to the
  score (`tanh(z / 2) = 2p - 1`). Classes are read back with a symmetric band |score| <= `band`, chosen on the
  validation split of TweetEval (a research set: used to choose the band and to report, never to fit).
- **frustration** (in [0, 1]): a logistic head, a customer upset with the service or the conversation.

Training data, all under licences that allow a shipped model (see `../shared/data/README.md`):
- GoEmotions (Apache-2.0), Reddit comments: sentiment from the emotion groups (`sentiment_dict.json`, with
  remorse and embarrassment read as neutral: "sorry, I meant ..." is an apology, not a complaint); frustration
  = annoyance, anger, disappointment, disapproval or disgust; neutral-only and positive comments are calm.
- NLU++ (CC BY 4.0): banking and hotel requests, denials, "I don't know", thanks: neutral (thanks positive),
  calm.
- Bitext customer-service utterances (CDLA-Sharing-1.0): requests neutral and calm; `complaint` and the
  offensive flag W frustrated and negative.
- MAIA-DQE (CC BY-ND 4.0, training allowed): real support chats, customer sentences (English MT) with an
  emotion: happiness positive, neutral/confusion neutral, disappointment/frustration/anger negative and
  frustrated. 20% of the dialogues are held out for validation.
- CLINC150 and Banking77 (CC BY): plain requests, neutral and calm.
- `events/labelled/support_training*.jsonl` (written for Baton, about 1,770 messages of many domains): calm
  support wording that lexicons call negative (apologies, corrections, negations, invoices and charges asked
  about calmly, problems reported matter-of-factly) and frustration as support customers voice it (waiting,
  repeating themselves, sarcasm, threats, business impact).

Evaluation only (research or non-commercial licences, never fitted on): TweetEval sentiment (3 classes, val
for the band, test reported), SST-2 dev, the complaints corpus, the hand-labelled Amazon-help tweets, and the
support contrast set `events/labelled/support_contrast.jsonl` (written for Baton, kept apart from training).
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from baton.scoring.features import FeatureSpec
from baton.scoring.lexicon import DENSE_FEATURES, LEXICON_FILE

KIND = "sentiment"
REPO = Path(__file__).resolve().parents[3]
LABELLED = REPO / "events" / "labelled"
SUPPLEMENT = LABELLED
"""The hand-written training supplement: every `support_training*.jsonl` of events/labelled/."""
CONTRAST = LABELLED / "support_contrast.jsonl"

NEGATIVE, NEUTRAL, POSITIVE = 0.0, 0.5, 1.0
FRUSTRATED_EMOTIONS = frozenset({"annoyance", "anger", "disappointment", "disapproval", "disgust"})
CALM_NEGATIVE = frozenset({"remorse", "embarrassment"})
"""Negative in GoEmotions' grouping, but in support an apology ("sorry, I meant ...") is neutral."""
MAIA_EMOTIONS = (
    "empathy",
    "happiness",
    "neutral",
    "disappointment",
    "confusion",
    "frustration",
    "anger",
    "anxiety",
)
MAIA_TARGETS: dict[str, tuple[float | None, int | None]] = {
    "empathy": (POSITIVE, 0),
    "happiness": (POSITIVE, 0),
    "neutral": (NEUTRAL, 0),
    "confusion": (NEUTRAL, 0),
    "anxiety": (None, 0),
    "disappointment": (NEGATIVE, 1),
    "frustration": (NEGATIVE, 1),
    "anger": (NEGATIVE, 1),
}
SOURCE_CAPS = {"goemotions": 24000, "bitext": 5000, "clinc150": 2500, "banking77": 2500, "nluplusplus": 3100}
"""At most this many items of a source in the training pool (drawn by seed): GoEmotions would otherwise be
two thirds of it, and 30k Bitext requests would mostly teach that a request is a request."""
SOURCE_WEIGHTS = {
    "goemotions": 1.0,
    "nluplusplus": 1.0,
    "bitext": 1.0,
    "maia": 3.0,
    "clinc150": 0.5,
    "banking77": 0.5,
    "supplement": 4.0,
}
"""Example weight per source: the support sets count more than Reddit; the hand-written supplement is small."""
STACK_CAPS = {"goemotions": 4000, "bitext": 1500, "clinc150": 800, "banking77": 800}
HELD_OUT_CAPS = {"bitext": 1500, "clinc150": 1000, "banking77": 1000}
"""Smaller draws of the big, easy sources for stacking and for the held-out figures (each text costs an encoder
run for the branch)."""
NEAR_DUPLICATE = 0.75
"""A hand-written training text this similar (difflib ratio, lower case) to a contrast-set text is dropped: the
contrast set must stay apart from training, paraphrases included."""
HELD_OUT_SHARE = 0.15
STACK_SHARE = 0.15
C_SENTIMENT = 1.0
C_FRUSTRATION = 0.5
BANDS = tuple(round(0.05 * k, 2) for k in range(1, 16))
REFERENCE_TEXTS = (
    "Thank you so much, that sorted it out.",
    "I have asked three times already and it still does not work!!",
    "Sorry, I meant the March invoice. Could you send that one?",
    "the movie is a charming , funny and touching affair .",
    "WHY IS NOBODY ANSWERING",
    "no, that's not what I asked for",
)


def _progress(message: str) -> None:
    print(f"[train sentiment] {message}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Item:
    text: str
    sentiment: float | None
    """0 negative, 0.5 neutral, 1 positive; None: not a sentiment example."""
    frustrated: int | None
    """1 frustrated, 0 calm; None: not a frustration example."""
    source: str
    group: str = ""
    """Items of one group (a dialogue) stay on one side of a split."""


# -- readers ------------------------------------------------------------------------------------------------


def _clean(text: str) -> str:
    return " ".join(text.replace("\\u2019", "'").split())


def read_goemotions(directory: Path, split: str = "train") -> list[Item]:
    names = (directory / "emotions.txt").read_text(encoding="utf-8").split()
    groups = json.loads((directory / "sentiment_dict.json").read_text(encoding="utf-8"))
    positive = set(groups["positive"])
    negative = set(groups["negative"]) - CALM_NEGATIVE
    items = []
    with (directory / f"{split}.tsv").open(encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 2 or not parts[0].strip():
                continue
            emotions = {names[int(i)] for i in parts[1].split(",") if i.strip()}
            pos, neg = bool(emotions & positive), bool(emotions & negative)
            if pos and neg:
                sentiment: float | None = None
            elif neg:
                sentiment = NEGATIVE
            elif pos:
                sentiment = POSITIVE
            else:
                sentiment = NEUTRAL  # neutral, ambiguous (curiosity, confusion, surprise), remorse
            frustrated = 1 if emotions & FRUSTRATED_EMOTIONS else 0
            items.append(Item(_clean(parts[0]), sentiment, frustrated, "goemotions"))
    return items


def read_nluplusplus(directory: Path) -> list[Item]:
    items = []
    for domain in ("banking", "hotels"):
        for path in sorted((directory / domain).glob("fold*.json")):
            for row in json.loads(path.read_text(encoding="utf-8")):
                intents = set(row.get("intents") or ())
                sentiment = POSITIVE if "thank" in intents else NEUTRAL
                items.append(Item(_clean(row["text"]), sentiment, 0, "nluplusplus"))
    return items


def read_bitext(directory: Path) -> list[Item]:
    items = []
    for path in sorted(directory.glob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as f:
            for row in csv.DictReader(f):
                text = _clean(row.get("utterance") or "")
                if not text:
                    continue
                upset = row.get("intent") == "complaint" or "W" in (row.get("flags") or "")
                items.append(Item(text, NEGATIVE if upset else NEUTRAL, int(upset), "bitext"))
    return items


def read_maia(directory: Path) -> list[Item]:
    items = []
    for path in sorted(directory.glob("*.json")):
        for dialogue in json.loads(path.read_text(encoding="utf-8")):
            for turn in dialogue.get("turns", ()):
                if turn.get("floor") != "inbound":
                    continue
                for text, emotion in zip(turn.get("text_mt") or (), turn.get("Emotion") or (), strict=False):
                    text = _clean(str(text))
                    if not text or (text.startswith("#") and text.endswith("#")):
                        continue  # a bare placeholder (#EMAIL#, #NUMBER#)
                    name = MAIA_EMOTIONS[int(emotion)] if 0 <= int(emotion) < len(MAIA_EMOTIONS) else None
                    if name is None:
                        continue
                    sentiment, frustrated = MAIA_TARGETS[name]
                    items.append(Item(text, sentiment, frustrated, "maia", group=str(dialogue.get("id"))))
    return items


def read_requests(data: Path) -> list[Item]:
    """CLINC150 in-scope and Banking77 requests: plain requests, neutral and calm."""
    items = []
    clinc = json.loads((data / "clinc150" / "train_val.json").read_text(encoding="utf-8"))
    items += [Item(_clean(t), NEUTRAL, 0, "clinc150") for t, _ in clinc["train"]]
    with (data / "banking77" / "train.csv").open(encoding="utf-8", newline="") as f:
        items += [Item(_clean(row["text"]), NEUTRAL, 0, "banking77") for row in csv.DictReader(f)]
    return items


def supplement_files(path: Path) -> list[Path]:
    """The supplement's files: `path` itself, or every support_training*.jsonl in the directory `path`."""
    if path.is_dir():
        return sorted(path.glob("support_training*.jsonl"))
    return [path] if path.is_file() else []


def read_supplement(path: Path) -> list[Item]:
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            sentiment = {"negative": NEGATIVE, "neutral": NEUTRAL, "positive": POSITIVE}[row["sentiment"]]
            items.append(Item(_clean(row["text"]), sentiment, int(bool(row["frustrated"])), "supplement"))
    return items


def read_contrast(path: Path) -> list[tuple[str, int, str]]:
    """The support contrast set: (text, 1 frustrated / 0 calm, kind)."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            out.append((row["text"], int(row["label"] == "frustrated"), row.get("kind", "")))
    return out


def read_tweeteval(directory: Path, split: str) -> list[tuple[str, int]]:
    """(text, 0 negative / 1 neutral / 2 positive)."""
    texts = (directory / f"{split}_text.txt").read_text(encoding="utf-8").splitlines()
    labels = (directory / f"{split}_labels.txt").read_text(encoding="utf-8").split()
    return [(t.strip(), int(y)) for t, y in zip(texts, labels, strict=True)]


def read_complaints(path: Path) -> list[tuple[str, int]]:
    with path.open(encoding="utf-8", newline="") as f:
        return [(row[1], int(row[2])) for row in csv.reader(f) if len(row) >= 3]


def read_amazonhelp(path: Path) -> list[tuple[str, int]]:
    order = {"negative": 0, "neutral": 1, "positive": 2}
    with path.open(encoding="utf-8", newline="") as f:
        return [(row["text"], order[row["label"]]) for row in csv.DictReader(f)]


# -- splits -------------------------------------------------------------------------------------------------


def _bucket(key: str, seed: int) -> float:
    digest = hashlib.sha256(f"{seed}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def split_items(items: Sequence[Item], seed: int) -> tuple[list[Item], list[Item], list[Item]]:
    """(fit, stack, held-out) by a hash of the text (of the dialogue for MAIA): a duplicate text never sits on
    two sides. Held-out: HELD_OUT_SHARE; stacking: STACK_SHARE; the rest fits the heads and the branch."""
    fit: list[Item] = []
    stack: list[Item] = []
    held: list[Item] = []
    for item in items:
        u = _bucket(item.group or item.text.lower(), seed)
        (held if u < HELD_OUT_SHARE else stack if u < HELD_OUT_SHARE + STACK_SHARE else fit).append(item)
    return fit, stack, held


def near_duplicates(items: Sequence[Item], others: Sequence[str]) -> set[str]:
    """Texts of `items` (hand-written sources only) at least NEAR_DUPLICATE similar to one of `others`."""
    from difflib import SequenceMatcher

    found: set[str] = set()
    targets = [o.lower() for o in others]
    for item in items:
        if item.source != "supplement":
            continue
        text = item.text.lower()
        matcher = SequenceMatcher(None, text, autojunk=False)
        for other in targets:
            matcher.set_seq2(other)
            if matcher.real_quick_ratio() >= NEAR_DUPLICATE and matcher.ratio() >= NEAR_DUPLICATE:
                found.add(item.text)
                break
    return found


def cap_sources(items: Sequence[Item], seed: int, caps: dict[str, int] | None = None) -> list[Item]:
    caps = SOURCE_CAPS if caps is None else caps
    by_source: dict[str, list[Item]] = {}
    for item in items:
        by_source.setdefault(item.source, []).append(item)
    out: list[Item] = []
    for source, group in by_source.items():
        cap = caps.get(source)
        if cap is not None and len(group) > cap:
            group = random.Random(f"{seed}:{source}").sample(group, cap)
        out += group
    return out


def dedupe(items: Sequence[Item]) -> list[Item]:
    seen: set[str] = set()
    out = []
    for item in items:
        key = item.text.lower()
        if item.text and key not in seen:
            seen.add(key)
            out.append(item)
    return out


# -- fitting ------------------------------------------------------------------------------------------------


def _targets(items: Sequence[Item], head: str) -> tuple[list[Item], list[float], list[float]]:
    kept = [i for i in items if (i.sentiment if head == "sentiment" else i.frustrated) is not None]
    y = [float(i.sentiment if head == "sentiment" else i.frustrated) for i in kept]  # type: ignore[arg-type]
    w = [SOURCE_WEIGHTS.get(i.source, 1.0) for i in kept]
    return kept, y, w


def fit_heads(feats: Any, items: Sequence[Item]) -> tuple[Any, Any]:
    """The n-gram sentiment and frustration heads (sign-constrained lexicon and cue features)."""
    import numpy as np

    from baton.training.sentiment import dense_signs, fit_logistic

    n = feats.spec.n_buckets
    s_items, s_y, s_w = _targets(items, "sentiment")
    sentiment = fit_logistic(
        feats.matrix([i.text for i in s_items]), s_y, C_SENTIMENT, np.asarray(s_w), dense_signs(n, 0)
    )
    f_items, f_y, f_w = _targets(items, "frustration")
    frustration = fit_logistic(
        feats.matrix([i.text for i in f_items]), f_y, C_FRUSTRATION, np.asarray(f_w), dense_signs(n, 1)
    )
    return sentiment, frustration


def three_class(score: Any, band: float) -> Any:
    import numpy as np

    return np.where(score < -band, 0, np.where(score > band, 2, 1))


def macro_recall(y: Sequence[int], pred: Any) -> float:
    import numpy as np

    y_arr = np.asarray(y)
    recalls = [float(np.mean(pred[y_arr == k] == k)) for k in (0, 1, 2) if np.any(y_arr == k)]
    return round(sum(recalls) / len(recalls), 4)


@dataclass(frozen=True)
class SupportOptions:
    data: Path
    out: Path
    seed: int = 0
    spec: FeatureSpec | None = None
    encoder: Path | None = None
    torch_python: str | None = None
    source: Path | None = None
    epochs: int = 2
    threads: int = 2
    max_branch_examples: int = 24000
    latency: bool = True
    supplement: Path = SUPPLEMENT
    contrast: Path = CONTRAST
    cache: Path | None = None
    """Where the encoder's hidden states of the training texts are kept between runs (None: not kept)."""


def _cached_hidden(encoder: Any, texts: Sequence[str], cache: Path | None) -> dict[str, Any]:
    """text -> hidden states, each text run alone through the served encoder; with `cache`, the states of
    earlier runs (same encoder version) are reused and the new ones added."""
    import pickle

    from baton.training.sentiment_branch import encode_all

    path = cache / f"hidden-{encoder.version}.pkl" if cache is not None else None
    known: dict[str, Any] = {}
    if path is not None and path.is_file():
        with path.open("rb") as f:
            known = pickle.load(f)
        _progress(f"branch: {len(known)} hidden states from {path}")
    missing = [t for t in texts if t not in known]
    if missing:
        known.update(encode_all(encoder, missing, _progress))
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.with_suffix(".tmp").open("wb") as f:
                pickle.dump(known, f, protocol=pickle.HIGHEST_PROTOCOL)
            path.with_suffix(".tmp").replace(path)
    return {t: known[t] for t in texts}


def train_support(opts: SupportOptions, argv: Sequence[str] = ()) -> Path:
    """Fit, measure, write OUT/sentiment/; returns that directory."""
    import numpy as np

    from baton.training.sentiment import Featurizer, auroc, build_graph, fit_logistic, vader_lexicon

    started = time.monotonic()
    spec = opts.spec or FeatureSpec()
    data = opts.data
    _progress(f"reading support data from {data}")
    sources: dict[str, list[Item]] = {
        "goemotions": read_goemotions(data / "goemotions"),
        "nluplusplus": read_nluplusplus(data / "nluplusplus"),
        "bitext": read_bitext(data / "bitext"),
        "maia": read_maia(data / "maia_dqe"),
        "requests": read_requests(data),
    }
    supplements = supplement_files(opts.supplement)
    if supplements:
        sources["supplement"] = [i for path in supplements for i in read_supplement(path)]
    files = sorted(
        p
        for d in ("goemotions", "nluplusplus", "bitext", "maia_dqe", "clinc150", "banking77")
        for p in (data / d).rglob("*")
        if p.is_file() and p.suffix in {".tsv", ".json", ".csv", ".txt"}
    )
    contrast = read_contrast(opts.contrast) if opts.contrast.is_file() else []
    contrast_texts = {t.lower() for t, _, _ in contrast}
    every = [i for items in sources.values() for i in items]
    close = near_duplicates(every, [t for t, _, _ in contrast])
    pool = dedupe([i for i in every if i.text.lower() not in contrast_texts and i.text not in close])
    fit_all, stack_all, held_all = split_items(pool, opts.seed)
    fit_items = cap_sources(fit_all, opts.seed)
    stack_items = cap_sources(stack_all, opts.seed + 1, STACK_CAPS)
    held = cap_sources(held_all, opts.seed + 2, HELD_OUT_CAPS)
    counts = {
        "dropped_as_contrast_set": sum(
            1 for i in every if i.text.lower() in contrast_texts or i.text in close
        ),
        "fit": dict(Counter(i.source for i in fit_items)),
        "stack": dict(Counter(i.source for i in stack_items)),
        "held_out": dict(Counter(i.source for i in held)),
    }
    _progress(f"items: {counts}")

    lexicon, lexicon_source = vader_lexicon()
    feats = Featurizer(spec, lexicon)
    tweeteval = data / "tweeteval" / "sentiment"
    tw_val = read_tweeteval(tweeteval, "val")
    tw_test = read_tweeteval(tweeteval, "test")
    from baton.training.sentiment import detokenize, read_sst2

    sst_dev = [(detokenize(t), y) for t, y in read_sst2(data / "sst2", opts.seed).dev]
    complaints = read_complaints(data / "complaints" / "complaints-data.csv")
    amazon = read_amazonhelp(data / "amazonhelp_twcs" / "amazonhelp_annotations.csv")
    eval_texts = {
        "tweeteval_val": [t for t, _ in tw_val],
        "tweeteval_test": [t for t, _ in tw_test],
        "sst2_dev": [t for t, _ in sst_dev],
        "complaints": [t for t, _ in complaints],
        "amazonhelp": [t for t, _ in amazon],
        "contrast": [t for t, _, _ in contrast],
        "held_out": [i.text for i in held],
    }
    _progress("featurising")
    all_texts = [i.text for i in fit_items + stack_items] + [t for ts in eval_texts.values() for t in ts]
    feats.matrix(all_texts)

    _progress("fitting the n-gram heads")
    s_head, f_head = fit_heads(feats, fit_items)

    def ngram(texts: Sequence[str]) -> Any:
        x = feats.matrix(list(texts))
        return np.column_stack([s_head.logits(x), f_head.logits(x)])

    target = opts.out / KIND
    target.mkdir(parents=True, exist_ok=True)
    branch_file = target / "branch.onnx"
    if branch_file.exists():
        branch_file.unlink()
    branch_info: dict[str, Any] | None = None
    run_branch: Callable[[Sequence[str]], Any] | None = None
    if opts.encoder is not None:
        branch_info, run_branch = _branch(opts, fit_items, all_texts, target)

    # Stacking: on the stacking split, out of sample for both models.
    z_stack = ngram([i.text for i in stack_items])
    b_stack = run_branch([i.text for i in stack_items]) if run_branch else np.zeros((len(stack_items), 2))
    s_rows = [k for k, i in enumerate(stack_items) if i.sentiment is not None]
    f_rows = [k for k, i in enumerate(stack_items) if i.frustrated is not None]
    w_all = np.asarray([SOURCE_WEIGHTS.get(i.source, 1.0) for i in stack_items])
    s_stack = fit_logistic(
        np.column_stack([z_stack[s_rows, 0], b_stack[s_rows, 0]]),
        [i.sentiment for i in stack_items if i.sentiment is not None],
        1.0,
        w_all[s_rows],
        signs={0: 1, 1: 1},
    )
    f_stack = fit_logistic(
        np.column_stack([z_stack[f_rows, 1], b_stack[f_rows, 0], b_stack[f_rows, 1]]),
        [i.frustrated for i in stack_items if i.frustrated is not None],
        1.0,
        w_all[f_rows],
        signs={0: 1, 1: -1, 2: 1},
    )
    stack = {
        "sentiment": {
            "bias": s_stack.intercept,
            "ngram": float(s_stack.coef[0]),
            "branch_sentiment": float(s_stack.coef[1]) if run_branch else 0.0,
        },
        "frustration": {
            "bias": f_stack.intercept,
            "ngram": float(f_stack.coef[0]),
            "branch_sentiment": float(f_stack.coef[1]) if run_branch else 0.0,
            "branch_dissatisfaction": float(f_stack.coef[2]) if run_branch else 0.0,
        },
    }
    _progress(f"stack: {stack}")
    if run_branch is None:
        # Without a branch the serving class reads the n-gram graph alone: fold the stack's calibration into the
        # heads (z' = bias + a * z is the linear head a * w, a * b + bias), so serving is what was measured.
        from baton.training.sentiment import Linear

        s, f = stack["sentiment"], stack["frustration"]
        s_head = Linear(coef=s_head.coef * s["ngram"], intercept=s_head.intercept * s["ngram"] + s["bias"])
        f_head = Linear(coef=f_head.coef * f["ngram"], intercept=f_head.intercept * f["ngram"] + f["bias"])
        stack = {
            "sentiment": {"bias": 0.0, "ngram": 1.0, "branch_sentiment": 0.0},
            "frustration": {
                "bias": 0.0,
                "ngram": 1.0,
                "branch_sentiment": 0.0,
                "branch_dissatisfaction": 0.0,
            },
        }

    def served(texts: Sequence[str]) -> tuple[Any, Any]:
        """(sentiment in [-1, 1], frustration in [0, 1]) as the serving class combines them."""
        z = ngram(texts)
        b = run_branch(texts) if run_branch else np.zeros((len(texts), 2))
        s, f = stack["sentiment"], stack["frustration"]
        zs = s["bias"] + s["ngram"] * z[:, 0] + s["branch_sentiment"] * b[:, 0]
        zf = (
            f["bias"]
            + f["ngram"] * z[:, 1]
            + f["branch_sentiment"] * b[:, 0]
            + f["branch_dissatisfaction"] * b[:, 1]
        )
        return np.tanh(zs / 2), 1 / (1 + np.exp(-zf))

    def ngram_only(texts: Sequence[str]) -> tuple[Any, Any]:
        z = ngram(texts)
        return np.tanh(z[:, 0] / 2), 1 / (1 + np.exp(-z[:, 1]))

    metrics = evaluate(served, held, tw_val, tw_test, sst_dev, complaints, amazon, contrast, auroc=auroc)
    metrics["ngram_alone"] = evaluate(
        ngram_only, held, tw_val, tw_test, sst_dev, complaints, amazon, contrast, auroc=auroc
    )
    metrics["vader"] = vader_eval(tw_val, tw_test, sst_dev, complaints, amazon, contrast, held, auroc=auroc)
    _progress(
        f"served: {json.dumps({k: v for k, v in metrics.items() if k not in ('ngram_alone', 'vader')})}"
    )

    import onnx

    model = build_graph(s_head, f_head, spec.n_buckets)
    model_bytes = model.SerializeToString()
    (target / "model.onnx").write_bytes(model_bytes)
    onnx.checker.check_model(str(target / "model.onnx"))
    (target / LEXICON_FILE).write_text(
        json.dumps({**lexicon.to_json(), "_source": lexicon_source}, ensure_ascii=False, sort_keys=True)
        + "\n",
        encoding="utf-8",
    )
    ref_s, ref_f = served(list(REFERENCE_TEXTS))
    reference = [
        {"text": t, "sentiment": float(s), "frustration": float(f)}
        for t, s, f in zip(REFERENCE_TEXTS, ref_s, ref_f, strict=True)
    ]
    created = datetime.now(UTC).replace(microsecond=0)
    hashes = {"model.onnx": hashlib.sha256(model_bytes).hexdigest()}
    file_names = {"model": "model.onnx", "lexicon": LEXICON_FILE, "card": "MODEL_CARD.md"}
    digest_input = model_bytes
    if branch_info is not None:
        branch_bytes = branch_file.read_bytes()
        hashes["branch.onnx"] = hashlib.sha256(branch_bytes).hexdigest()
        file_names["branch"] = "branch.onnx"
        digest_input += branch_bytes
    name = "sentiment-support-branch" if branch_info is not None else "sentiment-support-ngram"
    manifest: dict[str, Any] = {
        "kind": KIND,
        "version": f"{name}-{created:%Y%m%d}-{hashlib.sha256(digest_input).hexdigest()[:8]}",
        "created_at": created.isoformat(),
        "recipe": "support",
        "files": file_names,
        "sha256": hashes,
        "features": spec.to_json(),
        "dense_features": list(DENSE_FEATURES),
        "inputs": ["rows", "cols", "vals", "dense"],
        "outputs": {
            "sentiment": "tanh(z0 / 2) in [-1, 1]: 2 P(positive) - 1 on soft targets (neutral 0.5)",
            "frustration": "sigmoid(z1) in [0, 1]",
            "z": "the n-gram logits [batch, 2], stacked with the branch's",
        },
        "sentiment_band": metrics["tweeteval"]["band"],
        "training": {
            "command": "baton train sentiment " + " ".join(argv),
            "seed": opts.seed,
            "C": {"sentiment": C_SENTIMENT, "frustration": C_FRUSTRATION},
            "source_weights": SOURCE_WEIGHTS,
            "source_caps": SOURCE_CAPS,
            "items": counts,
            "sha256": {str(p.relative_to(data)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}
            | {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in supplements},
            "lexicon": lexicon_source,
            "seconds": None,
        },
        "metrics": metrics,
        "reference": reference,
        "size_bytes": {"model.onnx": len(model_bytes), LEXICON_FILE: (target / LEXICON_FILE).stat().st_size},
    }
    if branch_info is not None:
        manifest["size_bytes"]["branch.onnx"] = branch_file.stat().st_size
        manifest["branch"] = {**branch_info, "stack": stack}
    if opts.latency:
        from baton.training.sentiment import measure_latency

        (target / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        _progress("measuring latency through the serving class (one thread)")
        sample = [t for t, _ in tw_test[:600]] + [i.text for i in held[:600]]
        metrics["latency"] = measure_latency(target, manifest, sample, opts.encoder)
    manifest["training"]["seconds"] = round(time.monotonic() - started, 1)
    (target / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    (target / "MODEL_CARD.md").write_text(model_card(manifest), encoding="utf-8")
    _progress(f"wrote {target} in {manifest['training']['seconds']} s")
    return target


def _branch(
    opts: SupportOptions, fit_items: Sequence[Item], all_texts: Sequence[str], target: Path
) -> tuple[dict[str, Any], Callable[[Sequence[str]], Any]]:
    """Fine-tune the encoder branch on (a draw of) the fitting split; write target/branch.onnx."""
    import tempfile

    from baton.training.sentiment_branch import (
        BranchConfig,
        Example,
        _runner,
        branch_start,
        export,
        fine_tune,
    )

    assert opts.encoder is not None and opts.torch_python
    encoder, weights, model_config, safetensors_sha = branch_start(opts.encoder, opts.source)
    first_layer = int(encoder.hidden_layer)
    drawn = list(fit_items)
    if len(drawn) > opts.max_branch_examples:
        drawn = random.Random(opts.seed).sample(drawn, opts.max_branch_examples)
    hidden = _cached_hidden(encoder, list(dict.fromkeys([*all_texts, *REFERENCE_TEXTS])), opts.cache)
    examples = [
        Example(
            i.text,
            i.sentiment,
            SOURCE_WEIGHTS.get(i.source, 1.0) if i.sentiment is not None else 0.0,
            None if i.frustrated is None else bool(i.frustrated),
        )
        for i in drawn
    ]
    cfg = BranchConfig(epochs=opts.epochs, seed=opts.seed, threads=opts.threads, uss_pool_per_epoch=0)
    _progress(f"branch: fine-tuning {len(examples)} examples with {opts.torch_python} ({cfg.to_json()})")
    tuned, log = fine_tune(opts.torch_python, examples, hidden, weights, model_config, first_layer, cfg)
    path = target / "branch.onnx"
    with tempfile.TemporaryDirectory(prefix="baton-branch-") as tmp:
        export({**weights, **tuned}, model_config, first_layer, Path(tmp) / "branch.onnx")
        path.write_bytes((Path(tmp) / "branch.onnx").read_bytes())
    info = {
        "file": "branch.onnx",
        "encoder": {
            "version": encoder.version,
            "sha256": encoder.sha256,
            "hidden_layer": encoder.hidden_layer,
            "source_safetensors_sha256": safetensors_sha,
        },
        "layers": list(range(first_layer + 1, int(model_config["num_hidden_layers"]) + 1)),
        "width": int(model_config["hidden_size"]),
        "inputs": ["hidden_states", "attention_mask"],
        "output": "logits [batch, 2]: 0 sentiment (soft 3-class target), 1 frustration",
        "config": cfg.to_json(),
        "fine_tune_examples": len(examples),
        "fine_tune_log": log,
        "quantization": {
            "method": "onnxruntime quantize_dynamic",
            "weight_type": "QInt8",
            "per_channel": True,
        },
    }
    return info, _runner(path, hidden)


# -- evaluation ---------------------------------------------------------------------------------------------


def evaluate(
    score: Callable[[Sequence[str]], tuple[Any, Any]],
    held: Sequence[Item],
    tw_val: Sequence[tuple[str, int]],
    tw_test: Sequence[tuple[str, int]],
    sst_dev: Sequence[tuple[str, int]],
    complaints: Sequence[tuple[str, int]],
    amazon: Sequence[tuple[str, int]],
    contrast: Sequence[tuple[str, int, str]],
    *,
    auroc: Callable[..., float | None],
) -> dict[str, Any]:
    import numpy as np

    out: dict[str, Any] = {}
    s_val, _ = score([t for t, _ in tw_val])
    y_val = [y for _, y in tw_val]
    band = max(BANDS, key=lambda b: macro_recall(y_val, three_class(s_val, b)))
    s_test, f_test = score([t for t, _ in tw_test])
    y_test = [y for _, y in tw_test]
    out["tweeteval"] = {
        "band": band,
        "val_macro_recall": macro_recall(y_val, three_class(s_val, band)),
        "test_macro_recall": macro_recall(y_test, three_class(s_test, band)),
        "test_negative_auroc": auroc([int(y == 0) for y in y_test], -s_test),
        "test_negative_auroc_frustration": auroc([int(y == 0) for y in y_test], f_test),
    }
    s_sst, _ = score([t for t, _ in sst_dev])
    out["sst2_dev"] = {
        "accuracy": round(float(np.mean((s_sst > 0) == np.asarray([y == 1 for _, y in sst_dev]))), 4),
        "negative_auroc": auroc([1 - y for _, y in sst_dev], -s_sst),
    }
    s_c, f_c = score([t for t, _ in complaints])
    out["complaints"] = {
        "complaint_auroc_frustration": auroc([y for _, y in complaints], f_c),
        "complaint_auroc_negative_sentiment": auroc([y for _, y in complaints], -s_c),
    }
    s_a, f_a = score([t for t, _ in amazon])
    y_a = [y for _, y in amazon]
    out["amazonhelp"] = {
        "macro_recall": macro_recall(y_a, three_class(s_a, band)),
        "negative_auroc": auroc([int(y == 0) for y in y_a], -s_a),
        "negative_auroc_frustration": auroc([int(y == 0) for y in y_a], f_a),
    }
    if contrast:
        s_k, f_k = score([t for t, _, _ in contrast])
        y_k = np.asarray([y for _, y, _ in contrast])
        kinds: dict[str, list[int]] = {}
        for k, (_, _, kind) in enumerate(contrast):
            kinds.setdefault(kind, []).append(k)
        out["contrast"] = {
            "messages": len(contrast),
            "frustrated": int(y_k.sum()),
            "frustration_auroc": auroc(list(y_k), f_k),
            "calm_mean_frustration": round(float(np.mean(f_k[y_k == 0])), 3),
            "frustrated_mean_frustration": round(float(np.mean(f_k[y_k == 1])), 3),
            "calm_mean_sentiment": round(float(np.mean(s_k[y_k == 0])), 3),
            "negative_sentiment_auroc": auroc(list(y_k), -s_k),
            "by_kind": {
                kind: {
                    "n": len(rows),
                    "label": "frustrated" if y_k[rows[0]] else "calm",
                    "mean_frustration": round(float(np.mean(f_k[rows])), 3),
                }
                for kind, rows in sorted(kinds.items())
            },
        }
    by_source: dict[str, Any] = {}
    for source in sorted({i.source for i in held}):
        items = [i for i in held if i.source == source]
        s_h, f_h = score([i.text for i in items])
        f_y = [i.frustrated for i in items if i.frustrated is not None]
        f_s = [f for i, f in zip(items, f_h, strict=True) if i.frustrated is not None]
        s_items = [(i.sentiment, s) for i, s in zip(items, s_h, strict=True) if i.sentiment is not None]
        by_source[source] = {
            "items": len(items),
            "frustration_auroc": auroc(f_y, f_s),
            "calm_mean_frustration": round(
                float(np.mean([f for y, f in zip(f_y, f_s, strict=True) if y == 0])), 3
            )
            if 0 in f_y
            else None,
            "sentiment_macro_recall": macro_recall(
                [round(2 * y) for y, _ in s_items],
                three_class(np.asarray([s for _, s in s_items]), band),
            )
            if s_items
            else None,
        }
    out["held_out"] = by_source
    return out


def vader_eval(
    tw_val: Sequence[tuple[str, int]],
    tw_test: Sequence[tuple[str, int]],
    sst_dev: Sequence[tuple[str, int]],
    complaints: Sequence[tuple[str, int]],
    amazon: Sequence[tuple[str, int]],
    contrast: Sequence[tuple[str, int, str]],
    held: Sequence[Item],
    *,
    auroc: Callable[..., float | None],
) -> dict[str, Any]:
    """VADER, the no-training peer, on the same sets: compound as sentiment, -compound as frustration."""
    import numpy as np
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()

    def score(texts: Sequence[str]) -> tuple[Any, Any]:
        c = np.asarray([analyzer.polarity_scores(t)["compound"] for t in texts])
        return c, (1 - c) / 2

    full = evaluate(score, held, tw_val, tw_test, sst_dev, complaints, amazon, contrast, auroc=auroc)
    # VADER's documented band is 0.05; the chosen one is reported too.
    y_test = [y for _, y in tw_test]
    s_test, _ = score([t for t, _ in tw_test])
    full["tweeteval"]["test_macro_recall_band_0.05"] = macro_recall(y_test, three_class(s_test, 0.05))
    return full


# -- card ---------------------------------------------------------------------------------------------------


def _f(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def model_card(manifest: dict[str, Any]) -> str:
    m = manifest["metrics"]
    n, v = m["ngram_alone"], m["vader"]
    t = manifest["training"]
    lat = m.get("latency") or {}
    size = sum(manifest["size_bytes"].values())
    rows = [
        (
            "Support contrast set: frustration AUROC, frustrated vs calm",
            "contrast",
            "frustration_auroc",
            ">= 0.95",
        ),
        (
            "Support contrast set: mean frustration of calm messages",
            "contrast",
            "calm_mean_frustration",
            "<= 0.2",
        ),
        (
            "Support contrast set: mean frustration of frustrated messages",
            "contrast",
            "frustrated_mean_frustration",
            "",
        ),
        ("Support contrast set: mean sentiment of calm messages", "contrast", "calm_mean_sentiment", ""),
        ("TweetEval sentiment test, macro recall (3 classes)", "tweeteval", "test_macro_recall", ">= 0.70"),
        ("TweetEval sentiment test, negative AUROC of -sentiment", "tweeteval", "test_negative_auroc", ""),
        ("SST-2 dev accuracy (sentiment > 0)", "sst2_dev", "accuracy", ">= 0.85"),
        ("SST-2 dev, negative AUROC", "sst2_dev", "negative_auroc", ""),
        (
            "Complaints to company accounts: complaint AUROC of frustration",
            "complaints",
            "complaint_auroc_frustration",
            "",
        ),
        ("Amazon-help tweets (300): macro recall (3 classes)", "amazonhelp", "macro_recall", ""),
        ("Amazon-help tweets: negative AUROC of -sentiment", "amazonhelp", "negative_auroc", ""),
    ]
    table = ["| measure | served | n-gram part alone | VADER | target |", "|---|---|---|---|---|"]
    for label, group, key, goal in rows:
        table.append(
            f"| {label} | {_f(m.get(group, {}).get(key))} | {_f(n.get(group, {}).get(key))} | "
            f"{_f(v.get(group, {}).get(key))} | {goal} |"
        )
    held_rows = [
        "| held-out source | items | frustration AUROC | calm mean frustration | sentiment macro recall |",
        "|---|---|---|---|---|",
    ]
    for source, r in m["held_out"].items():
        held_rows.append(
            f"| {source} | {r['items']} | {_f(r['frustration_auroc'])} | {_f(r['calm_mean_frustration'])} | "
            f"{_f(r['sentiment_macro_recall'])} |"
        )
    kinds = ["| kind | label | n | mean frustration |", "|---|---|---|---|"]
    for kind, r in (m.get("contrast") or {}).get("by_kind", {}).items():
        kinds.append(f"| {kind} | {r['label']} | {r['n']} | {_f(r['mean_frustration'])} |")
    branch = manifest.get("branch")
    stack = branch["stack"] if branch else None
    items = t["items"]
    return f"""# Sentiment and frustration model (`{manifest["version"]}`)

Per customer message: `sentiment` in [-1, 1] (negative .. neutral 0 .. positive) and `frustration` in [0, 1]
(how likely the customer is frustrated with the service). Trained for support language, with a neutral class:
apologies, negations, corrections, thanks and procedural or business wording read neutral or positive; frustration
is frustration. Served by `baton.scoring.sentiment.load(dir)`; written by `baton train sentiment --data DIR`
(module `baton.training.sentiment_support`). Files: {", ".join(f"`{k}` ({b:,} bytes)" for k, b in manifest["size_bytes"].items())}; {size / 1e6:.1f} MB in all.

## Model
- An n-gram/lexicon linear graph (`model.onnx`): hashed word 1-2-grams and character 3-5-grams
  ({manifest["features"]["n_buckets"]:,} buckets) and {len(manifest["dense_features"])} dense features (VADER-style lexicon
  valence, negation, punctuation, capitals, cues of frustration with a service), two heads: sentiment on soft
  targets (negative 0, neutral 0.5, positive 1; C={t["C"]["sentiment"]}), frustration (C={t["C"]["frustration"]}).
  Lexicon and cue features are sign-constrained (a cue of repetition or churn never lowers frustration).
{"- A fine-tuned branch of the sentence encoder (`branch.onnx`, int8): MiniLM's layers " + ", ".join(map(str, branch["layers"])) + " on the served encoder's hidden states, fine-tuned (" + str(branch["config"]["epochs"]) + " epochs, lr " + str(branch["config"]["lr"]) + ", " + str(branch["fine_tune_examples"]) + " examples drawn from the fitting split) with two logits: sentiment (soft 3-class target) and frustration." if branch else "- No encoder branch in this build."}
- Stacked: `sentiment = tanh(({_f(stack["sentiment"]["bias"]) if stack else 0} + {_f(stack["sentiment"]["ngram"]) if stack else 1} z0 + {_f(stack["sentiment"]["branch_sentiment"]) if stack else 0} b0) / 2)`,
  `frustration = sigmoid({_f(stack["frustration"]["bias"]) if stack else 0} + {_f(stack["frustration"]["ngram"]) if stack else 1} z1 + {_f(stack["frustration"]["branch_sentiment"]) if stack else 0} b0 + {_f(stack["frustration"]["branch_dissatisfaction"]) if stack else 0} b1)`,
  weights fitted on a stacking split kept out of both models, not class-balanced: frustration is a probability
  at the training mix's base rate, so a calm message reads low.
- Three classes are read back from the score with a band: |sentiment| <= {manifest["sentiment_band"]} is neutral (chosen on
  TweetEval val).

## Data and licences
Trained only on sets whose licence allows a shipped model:
- GoEmotions (Apache-2.0; Demszky et al. 2020): Reddit comments; sentiment from the emotion groups (remorse and
  embarrassment read neutral: an apology is not a complaint), frustration = annoyance, anger, disappointment,
  disapproval, disgust.
- NLU++ (CC BY 4.0; Casanueva et al. 2022): banking and hotel requests, denials, "I don't know": neutral, calm.
- Bitext customer-service utterances (CDLA-Sharing-1.0): requests neutral and calm; `complaint` and offensive
  (flag W) frustrated.
- MAIA-DQE (CC BY-ND 4.0: training allowed, the data is never published; Mendonça et al. 2023): customer
  sentences of real support chats (English MT) with an emotion; held out by dialogue.
- CLINC150 (CC BY 3.0) and Banking77 (CC BY 4.0): plain requests, neutral and calm (weight 0.5).
- `events/labelled/support_training*.jsonl` (written for Baton, weight {t["source_weights"]["supplement"]}): calm
  support wording lexicons call negative, and frustration as support customers voice it (waiting, repeating
  themselves, sarcasm, threats, business impact), across SaaS, airlines, telecom, retail and banking.
Items (after de-duplication; a text of the contrast set is never trained on): fitting {items["fit"]}, stacking
{items["stack"]}, held out {items["held_out"]}. Source weights {t["source_weights"]}; caps {t["source_caps"]}.
The sha256 of every input file is in the manifest; nothing of the data is committed.

Evaluation only, never fitted on (licences: research use, Twitter terms, no licence, CC BY-NC-SA): TweetEval
sentiment (val chooses the band, test is reported), SST-2 dev, complaints to company accounts (Preotiuc-Pietro
et al. 2019), 300 hand-labelled Amazon-help tweets, and Baton's support contrast set
(`events/labelled/support_contrast.jsonl`, {(m.get("contrast") or {}).get("messages", 0)} messages written for Baton, kept apart from training).

## Validation
{chr(10).join(table)}

Held-out splits of the training sources (never fitted on):

{chr(10).join(held_rows)}

The support contrast set by kind:

{chr(10).join(kinds)}

## Size and latency
{size / 1e6:.1f} MB. One message through the serving class on one thread: p50 {_f(lat.get("p50_ms"))} ms, p99
{_f(lat.get("p99_ms"))} ms for this model{"; with the encoder " + _f(lat.get("encoder_plus_model_p50_ms")) + " / " + _f(lat.get("encoder_plus_model_p99_ms")) + " ms" if lat.get("encoder_plus_model_p50_ms") else ""} (measured by the training command; `bench/scoring.py` measures all models together).

## How to retrain
```bash
.venv/bin/baton train sentiment --data ../shared/data --out DIR \\
    --encoder layers/models/encoder --torch-python PY --encoder-source WHEEL   # PY: an interpreter with torch (CPU)
```
Without `--encoder`, the n-gram part alone is trained (no torch). Command of this build: `{t["command"]}`
({t["seconds"]} s). The earlier recipe (SST-2 and USS, `--sst2 DIR --uss DIR`) stays available; SST-2 is a
research-use set, so a model from it is for comparison, not for shipping.
"""
