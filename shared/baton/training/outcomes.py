"""`baton train decision --outcomes FILE [--prior PARAMS] [--cost-missed C --cost-false C] --out DIR`: refit the
decision parameters on a team's real outcomes.

    baton train decision --outcomes outcomes.jsonl --out refit/            # prior: the shipped parameters

Writes `OUT/decision/params.json` (a complete `DecisionParams` document: a new `version`, provenance in `fit`),
`OUT/decision/outcomes_report.json` and `outcomes_report.md` (also printed).

1. **Data**: the outcome file (`baton.decision.outcomes`: the backtest format plus `outcome`), every line
   validated (a bad line names its line and field and nothing is written); a line without ground truth is
   skipped and counted. Each conversation is decided up to the message the real system escalated at (the time
   target) and scored by the shipped models (`--models DIR` replaces them kind by kind, as for `baton
   backtest`).
2. **Split**: by conversation, seeded (`--seed`): `--holdout` (default 0.3) of the conversations are held out
   and never seen by the fit; what ships is fitted on the rest, and the held-out figures describe exactly it.
3. **Features** per customer message: what `baton.decision.engine.decide` computes (the same functions, the
   business context of the line included), the message's own risk inputs and the business sensitivity; the
   prior is replayed through `decide` itself and the refit's policy simulation must reproduce its every
   decision, else the refit stops (the mirror of the engine is out of date).
4. **Candidates**, each a risk model and thresholds, compared by 5-fold cross-validation on the training part
   (by conversation, seeded), on the team's expected cost (`cost_missed` per conversation that needed a human
   and was never escalated in time, `cost_false` per needless escalation):
   The likelihood's label is the conversation's need, on every decided message, each conversation weighing 1.
   - `recalibrated`: the prior's weights and decisions; only the intercept is refitted (maximum likelihood) and
     the thresholds move with it, so the risk reads as this team's probability and every decision stays;
   - `thresholds`: the intercept refitted, and the thresholds (escalate, monitor, monitor_escalate, exit,
     exit_turns) searched on the training fit's grid (`baton.training.decision.policy_grid`, reaching lower
     risk quantiles), each simulated by its `simulate` with the messages' own risk and sensitivity;
   - `weights (L2 x toward the prior)`: every feature weight refitted too, with an L2 penalty pulling it
     towards the prior's weight (features on the prior's scale; the signs the first fit constrains stay), then
     the thresholds searched.
   The cheapest ships (a tie goes to the simpler). Guardrails, business sensitivity, windows and reasons are
   the prior's: outcomes do not teach them.
5. **Report** on the held-out part, prior and refit both replayed through `decide`: used and skipped counts,
   expected cost per conversation, missed and false-escalation rates, the confusion at the operating point,
   the promotion rule's verdict (`baton.decision.promotion`), and calibration (the risk at the last decided
   message against whether the conversation needed a human; bins and ECE) overall and per segment: plan and
   segment from the line's `account`, product area from the scores.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
import time
import zlib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from baton.decision.outcomes import (
    DEFAULT_COST_FALSE,
    DEFAULT_COST_MISSED,
    OutcomeLine,
    read_outcome_file,
)
from baton.training.decision import (
    UNSIGNED,
    Matrix,
    Policy,
    RiskModel,
    policy_grid,
    simulate,
    simulate_first,
)

if TYPE_CHECKING:
    from baton.context.models import Context
    from baton.decision.engine import Decision
    from baton.decision.params import DecisionParams
    from baton.events import Arc, MessageSnapshot, Scores

HOLDOUT = 0.3
FOLDS = 5
L2_TOWARD_PRIOR = (30.0, 10.0, 3.0)
"""Penalties tried for the weights' pull towards the prior (in units of conversations: each conversation's
turns weigh 1 together), strongest first."""
GRID_LEVELS = (0.2, 0.5, 12)
"""Below the training fit's grid (quantile 0.5 up): a team whose misses cost more escalates more."""
CALIBRATION_BINS = 10
SEGMENTS = ("plan", "segment", "product_area")
NONE = "(none)"


def _progress(message: str) -> None:
    print(f"train decision --outcomes: {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Labelled:
    """One conversation with its ground truth, scored up to its horizon (the messages a replay decides)."""

    conversation_id: str
    needed: bool
    messages: Sequence[MessageSnapshot]
    scored: Sequence[tuple[Scores, Arc]]
    """Per message (every role): its scores and the arc after it."""
    context: Context
    now: datetime | None = None
    """The line's `now` (default: each message's `sent_at`), as `baton backtest` takes it."""
    segments: Mapping[str, str] = field(default_factory=dict)


def segments_of(context: Context, scored: Sequence[tuple[Scores, Arc]]) -> dict[str, str]:
    """The conversation's plan and segment (its account), and product area (the most frequent of its customer
    messages' scores)."""
    account = context.account
    areas = Counter(s.product_area for s, _ in scored if s.product_area)
    return {
        "plan": (account.plan if account and account.plan else NONE),
        "segment": (account.segment if account and account.segment else NONE),
        "product_area": areas.most_common(1)[0][0] if areas else NONE,
    }


def score_lines(lines: Sequence[OutcomeLine], scorer: Any, batch: int = 32) -> list[Labelled]:
    """Score each usable line's messages up to its horizon with `scorer` (`baton.scoring.scorer.Scorer`)."""
    from baton.scoring.arc import ArcState

    out: list[Labelled] = []
    started = time.monotonic()
    for start in range(0, len(lines), batch):
        chunk = lines[start : start + batch]
        messages = [list(line.conversation.messages[: line.decided_messages]) for line in chunk]
        results = scorer.score_batch([(ArcState(), m) for m in messages])
        for line, kept, result in zip(chunk, messages, results, strict=True):
            scored = [(scores, state.public()) for scores, state in result]
            context = line.conversation.context
            assert line.truth.needed is not None
            out.append(
                Labelled(
                    conversation_id=line.conversation_id,
                    needed=line.truth.needed,
                    messages=kept,
                    scored=scored,
                    context=context,
                    now=line.conversation.now,
                    segments=segments_of(context, scored),
                )
            )
        _progress(f"scored {len(out)}/{len(lines)} conversations ({time.monotonic() - started:.0f} s)")
    return out


# ---------------------------------------------------------------------------------------------- replay


def decided(message: MessageSnapshot) -> bool:
    """Whether `decide` runs on the message (a customer's, not redacted, with text: as `baton backtest`)."""
    from baton.models import Role

    return message.role == Role.customer and message.redacted_at is None and bool(message.text.strip())


def _message_context(conversation: Labelled, message: MessageSnapshot) -> Context:
    from baton.decision.service import with_page

    now = conversation.now or message.sent_at
    return with_page(conversation.context.model_copy(update={"now": now}), message)


def replay(conversation: Labelled, params: DecisionParams) -> list[Decision]:
    """The decisions `decide` takes on the conversation's decided messages, in order (what `baton backtest`
    runs)."""
    from baton.decision.engine import DecisionState, decide

    state = DecisionState()
    out = []
    for message, (scores, arc) in zip(conversation.messages, conversation.scored, strict=True):
        if not decided(message):
            continue
        decision, state = decide(
            scores,
            arc,
            _message_context(conversation, message),
            state,
            params,
            text=message.text,
            seq=message.seq,
        )
        out.append(decision)
    return out


@dataclass
class Turns:
    """Per decided customer message of some conversations: what the policy simulation needs."""

    matrix: Matrix
    """Raw features (`x`, NaN: not observed), guardrail hits, conversation bounds, the need as `first_need`."""
    own: Any
    """Raw features of each message on its own (`baton.decision.engine.own_features`)."""
    scale: Any
    """Each message's business sensitivity (the threshold multiplier)."""
    weight: Any
    """Each message's weight in the likelihood: 1 / its conversation's decided messages."""
    needed: Any
    """Per conversation."""
    prior_first: list[int | None]
    """Per conversation, the message (among decided ones) at which the prior escalated, by `decide`."""
    prior_risk: Any

    def take(self, conversations: Sequence[int]) -> Turns:
        import numpy as np

        from baton.training.decision import subset

        bounds = [*self.matrix.starts, len(self.matrix.x)]
        idx = np.concatenate([np.arange(bounds[d], bounds[d + 1]) for d in conversations]).astype(int)
        return Turns(
            matrix=subset(self.matrix, conversations),
            own=self.own[idx],
            scale=self.scale[idx],
            weight=self.weight[idx],
            needed=self.needed[list(conversations)],
            prior_first=[self.prior_first[d] for d in conversations],
            prior_risk=self.prior_risk[idx],
        )

    @property
    def conversations(self) -> int:
        return len(self.matrix.starts)


def build(conversations: Sequence[Labelled], prior: DecisionParams) -> Turns:
    """The turns of `conversations`: features as `decide` computes them (`observe`, `business_facts`,
    `features`, `sensitivity_of`), the guardrail and the prior's decision from `decide` itself."""
    import numpy as np

    from baton.context.models import business_facts
    from baton.decision.engine import (
        FEATURES,
        DecisionState,
        decide,
        features,
        observe,
        own_features,
        sensitivity_of,
    )

    names = list(FEATURES)
    b = prior.business
    rows: list[list[float]] = []
    own_rows: list[list[float]] = []
    guard: list[bool] = []
    scale: list[float] = []
    weight: list[float] = []
    risks: list[float] = []
    starts: list[int] = []
    prior_first: list[int | None] = []
    for conversation in conversations:
        starts.append(len(rows))
        state = DecisionState()
        first: int | None = None
        turn = 0
        for message, (scores, arc) in zip(conversation.messages, conversation.scored, strict=True):
            if not decided(message):
                continue
            context = _message_context(conversation, message)
            observed = observe(state, scores)
            facts = business_facts(
                context,
                text=message.text,
                intents=observed.intents,
                product_area=scores.product_area,
                high_value_annual=b.high_value_annual,
                renewal_days=b.renewal_days,
                new_customer_days=b.new_customer_days,
                repeat_contact_days=b.repeat_contact_days,
                recent_error_minutes=b.recent_error_minutes,
                earlier_incidents=state.incidents,
            )
            x = features(scores, arc, observed, facts)
            alone = own_features(scores, arc)
            rows.append([math.nan if (v := x[n]) is None else v for n in names])
            own_rows.append([math.nan if (v := alone[n]) is None else v for n in names])
            scale.append(sensitivity_of(facts, prior)[0])
            decision, state = decide(scores, arc, context, state, prior, text=message.text, seq=message.seq)
            guard.append(decision.guardrail is not None)
            risks.append(decision.risk)
            if first is None and decision.action == "escalate":
                first = turn
            turn += 1
        prior_first.append(first)
        weight += [1.0 / max(turn, 1)] * turn
    needed = np.asarray([c.needed for c in conversations], dtype=bool)
    label = np.repeat(needed, np.diff([*starts, len(rows)]))
    matrix = Matrix(
        names=names,
        x=np.asarray(rows, dtype=float).reshape(len(rows), len(names)),
        turn_label=label,
        onset_label=label,
        dialogue_label=label,
        guard=np.asarray(guard, dtype=bool),
        vader=np.zeros(len(rows)),
        keyword=np.zeros(len(rows), dtype=bool),
        starts=starts,
        first_need=[0 if n else None for n in needed],
    )
    return Turns(
        matrix=matrix,
        own=np.asarray(own_rows, dtype=float).reshape(len(own_rows), len(names)),
        scale=np.asarray(scale, dtype=float),
        weight=np.asarray(weight, dtype=float),
        needed=needed,
        prior_first=prior_first,
        prior_risk=np.asarray(risks, dtype=float),
    )


# ---------------------------------------------------------------------------------------------- fitting


def risk_model(params: DecisionParams) -> RiskModel:
    return RiskModel(
        intercept=params.intercept,
        features={name: fw.model_dump() for name, fw in params.features.items()},
    )


def risks(model: RiskModel, turns: Turns) -> tuple[Any, Any]:
    """(each message's risk, each message's own risk) under `model`."""
    from baton.training.decision import _sigmoid

    return (
        _sigmoid(model.logits(turns.matrix)),
        _sigmoid(model.logits(replace(turns.matrix, x=turns.own))),
    )


def first_escalations(model: RiskModel, policy: Policy, turns: Turns) -> list[int | None]:
    risk, own = risks(model, turns)
    m = turns.matrix
    return simulate(risk, m.guard, m.starts, policy, own=own, scale=turns.scale)


def policy_of(params: DecisionParams) -> Policy:
    t = params.thresholds
    return Policy(t.escalate, t.monitor, t.monitor_escalate, t.exit, t.exit_turns, t.first_message_escalates)


class MirrorMismatch(RuntimeError):
    """The refit's policy simulation no longer reproduces `decide` (the engine changed): refit nothing."""


def check_mirror(turns: Turns, prior: DecisionParams, ids: Sequence[str]) -> None:
    """The simulation's risks and first escalations under the prior equal `decide`'s on every conversation."""
    import numpy as np

    model = risk_model(prior)
    risk, _ = risks(model, turns)
    gap = float(np.max(np.abs(risk - turns.prior_risk))) if len(risk) else 0.0
    if gap > 1e-3:
        raise MirrorMismatch(f"the simulated risk differs from decide's by up to {gap:.4f}")
    simulated = first_escalations(model, policy_of(prior), turns)
    for conversation_id, mine, engine in zip(ids, simulated, turns.prior_first, strict=True):
        if mine != engine:
            raise MirrorMismatch(
                f"conversation {conversation_id}: decide escalates at decided message {engine}, the simulation "
                f"at {mine} (baton.training.outcomes mirrors engine.own_risk and next_action: update it)"
            )


def _standardised(model: RiskModel, x: Any) -> tuple[list[str], Any]:
    import numpy as np

    from baton.decision.engine import FEATURES

    names = list(FEATURES)
    cols = []
    for j, name in enumerate(names):
        fw = model.features[name]
        col = x[:, j]
        cols.append(np.where(np.isnan(col), 0.0, (col - fw["mean"]) / fw["scale"]))
    return names, np.stack(cols, axis=1) if cols else np.zeros((len(x), 0))


def complete(prior: RiskModel, turns: Turns) -> RiskModel:
    """The prior with every engine feature listed: one the prior's document leaves out (weight 0) gets the
    training messages' mean and scale, so a weight fitted on it has the usual meaning."""
    import numpy as np

    from baton.decision.engine import FEATURES

    specs = dict(prior.features)
    for j, name in enumerate(FEATURES):
        if name in specs:
            continue
        col = turns.matrix.x[:, j]
        seen = col[~np.isnan(col)]
        std = float(seen.std()) if len(seen) else 0.0
        specs[name] = {
            "mean": float(seen.mean()) if len(seen) else 0.0,
            "scale": std if std > 1e-6 else 1.0,
            "weight": 0.0,
            "fitted": False,
        }
    return RiskModel(intercept=prior.intercept, features=specs)


def fit_toward(prior: RiskModel, turns: Turns, l2: float | None) -> RiskModel:
    """Maximum likelihood on the turns (label: the conversation needed a human; each conversation weighs 1),
    the features on the prior's scale. `l2` None: the intercept only (the prior's weights kept); else every
    weight too, penalised by `l2 / 2 * (weight - prior weight)^2`, the weights the training fit keeps >= 0
    kept so."""
    import numpy as np
    from scipy.optimize import minimize

    prior = complete(prior, turns)
    names, z = _standardised(prior, turns.matrix.x)
    y = turns.matrix.dialogue_label.astype(float)
    w0 = np.asarray([prior.features[n]["weight"] for n in names])
    omega = turns.weight
    seen = np.abs(z).sum(axis=0) > 0

    def objective(theta: Any) -> tuple[float, Any]:
        w, b = (theta[:-1], theta[-1]) if l2 is not None else (w0, theta[0])
        logit = z @ w + b
        loss = float(np.sum(omega * (np.logaddexp(0.0, logit) - y * logit)))
        residual = omega * (1.0 / (1.0 + np.exp(-logit)) - y)
        if l2 is None:
            return loss, np.asarray([residual.sum()])
        loss += 0.5 * l2 * float((w - w0) @ (w - w0))
        return loss, np.concatenate([z.T @ residual + l2 * (w - w0), [residual.sum()]])

    bounds: list[tuple[float | None, float | None]] = [(None, None)]
    if l2 is None:
        start = np.asarray([prior.intercept])
    else:
        start = np.concatenate([w0, [prior.intercept]])
        lower = [None if name in UNSIGNED else min(0.0, float(w0[j])) for j, name in enumerate(names)]
        bounds = [(low, None) for low in lower] + bounds
    result = minimize(objective, start, jac=True, method="L-BFGS-B", bounds=bounds, options={"maxiter": 500})
    if l2 is None:
        return RiskModel(intercept=float(result.x[0]), features=prior.features)
    specs = {
        name: {
            **prior.features[name],
            "weight": float(result.x[j]),
            "fitted": bool(seen[j]) or bool(prior.features[name].get("fitted", True)),
        }
        for j, name in enumerate(names)
    }
    return RiskModel(intercept=float(result.x[-1]), features=specs)


def shifted(policy: Policy, shift: float) -> Policy:
    """The thresholds moved by `shift` in logit: with the intercept moved as much, every decision stays."""
    from baton.training.decision import _shifted

    return Policy(
        _shifted(policy.escalate, shift),
        _shifted(policy.monitor, shift),
        _shifted(policy.monitor_escalate, shift),
        _shifted(policy.exit, shift),
        policy.exit_turns,
        policy.first_message_escalates,
    )


@dataclass(frozen=True)
class Costs:
    missed: float = DEFAULT_COST_MISSED
    false: float = DEFAULT_COST_FALSE

    def of(self, needed: Sequence[bool], first: Sequence[int | None]) -> float:
        """Total cost of the first escalations `first` (None: never)."""
        missed = sum(1 for n, f in zip(needed, first, strict=True) if n and f is None)
        false = sum(1 for n, f in zip(needed, first, strict=True) if not n and f is not None)
        return self.missed * missed + self.false * false


def search(model: RiskModel, turns: Turns, costs: Costs) -> Policy:
    """The cheapest thresholds of the training fit's grid (`policy_grid` with a monitoring band, reaching lower
    quantiles too) on these turns; ties: fewer escalations, then the higher escalate threshold."""
    import numpy as np

    from baton.training.decision import GRID_LEVELS as TRAINING_LEVELS

    risk, own = risks(model, turns)
    m = turns.matrix
    levels = np.concatenate(
        [
            np.linspace(GRID_LEVELS[0], GRID_LEVELS[1], GRID_LEVELS[2], endpoint=False),
            np.linspace(*TRAINING_LEVELS),
            np.linspace(0.95, 0.9995, 24),
        ]
    )
    policies = policy_grid(risk, m, monitor_band=True, levels=levels)
    if not policies:
        raise ValueError("no threshold setting has a monitoring band above the calm conversations' risk")
    needed = turns.needed
    best: tuple[float, int, float, bool] | None = None
    chosen = policies[0]
    # Each setting with and without the first message's watch (`thresholds.first_message_escalates`): a team
    # whose angry openers do need a person teaches it here.
    both = [
        v for g in policies for v in (g, replace(g, first_message_escalates=not g.first_message_escalates))
    ]
    for p in both:
        escalated = simulate_first(risk, m.guard, m.starts, p, own=own, scale=turns.scale) >= 0
        cost = costs.missed * int(np.sum(needed & ~escalated)) + costs.false * int(
            np.sum(escalated & ~needed)
        )
        key = (cost, int(escalated.sum()), -p.escalate, p.first_message_escalates)
        if best is None or key < best:
            best, chosen = key, p
    return _clipped(chosen)


def _clipped(p: Policy) -> Policy:
    def c(v: float) -> float:
        return min(max(float(v), 1e-4), 1 - 1e-4)

    return Policy(
        c(p.escalate), c(p.monitor), c(p.monitor_escalate), c(p.exit), p.exit_turns, p.first_message_escalates
    )


@dataclass(frozen=True)
class Candidate:
    name: str
    l2: float | None
    """None: the intercept only."""
    search: bool
    """Search the thresholds; else the prior's, moved with the intercept."""

    def fit(self, prior: DecisionParams, turns: Turns, costs: Costs) -> tuple[RiskModel, Policy]:
        base = risk_model(prior)
        model = fit_toward(base, turns, self.l2)
        if not self.search:
            return model, shifted(policy_of(prior), model.intercept - base.intercept)
        return model, search(model, turns, costs)


CANDIDATES = (
    Candidate("recalibrated", None, False),
    Candidate("thresholds", None, True),
    *(Candidate(f"weights (L2 {l2:g} toward the prior)", l2, True) for l2 in L2_TOWARD_PRIOR),
)


def folds_of(ids: Sequence[str], seed: int, k: int = FOLDS) -> list[int]:
    return [zlib.crc32(f"{seed}:fold:{i}".encode()) % k for i in ids]


def cross_validate(
    prior: DecisionParams,
    turns: Turns,
    ids: Sequence[str],
    costs: Costs,
    seed: int,
    candidates: Sequence[Candidate] = CANDIDATES,
) -> list[dict[str, Any]]:
    """Each candidate's (and the prior's) cost per conversation over `FOLDS` folds of these conversations."""
    fold = folds_of(ids, seed)
    totals: dict[str, float] = {c.name: 0.0 for c in candidates}
    prior_total = 0.0
    used_folds = 0
    for k in range(FOLDS):
        train = [i for i, f in enumerate(fold) if f != k]
        valid = [i for i, f in enumerate(fold) if f == k]
        tr, va = turns.take(train), turns.take(valid)
        if not valid or not tr.needed.any() or tr.needed.all():
            continue
        used_folds += 1
        needed = list(va.needed)
        prior_total += costs.of(needed, va.prior_first)
        for candidate in candidates:
            model, policy = candidate.fit(prior, tr, costs)
            totals[candidate.name] += costs.of(needed, first_escalations(model, policy, va))
    n = max(turns.conversations, 1)
    rows = [{"candidate": "prior (unchanged)", "cost": round(prior_total / n, 4)}]
    rows += [{"candidate": c.name, "cost": round(totals[c.name] / n, 4)} for c in candidates]
    if not used_folds:
        raise ValueError("too few conversations to cross-validate (every fold lacks one kind)")
    return rows


@dataclass
class Fitted:
    params: DecisionParams
    chosen: str
    cross_validation: list[dict[str, Any]]
    train_figures: dict[str, Any]


def refit(
    train: Sequence[Labelled],
    prior: DecisionParams,
    costs: Costs,
    *,
    seed: int = 0,
    fit: Mapping[str, Any] | None = None,
    candidates: Sequence[Candidate] = CANDIDATES,
) -> Fitted:
    """The refitted parameters on `train` (see the module docstring), provenance `fit` added; the cheapest of
    `candidates` in cross-validation."""
    from baton.decision.params import DecisionParams, fingerprint

    needed = sum(c.needed for c in train)
    if needed == 0 or needed == len(train):
        kind = "needed a human" if needed == 0 else "did not need one"
        raise ValueError(f"cannot refit: no training conversation {kind} ({len(train)} conversations)")
    _progress(f"building the features of {len(train)} training conversations")
    turns = build(train, prior)
    ids = [c.conversation_id for c in train]
    check_mirror(turns, prior, ids)
    _progress(f"cross-validating {len(candidates)} candidate(s) ({FOLDS} folds)")
    cv = cross_validate(prior, turns, ids, costs, seed, candidates)
    by_name = {row["candidate"]: row["cost"] for row in cv}
    chosen = min(candidates, key=lambda c: by_name[c.name])  # min keeps the first (simplest) of equals
    model, policy = chosen.fit(prior, turns, costs)
    first = first_escalations(model, policy, turns)
    train_figures = {
        "prior": figures_of(list(turns.needed), [f is not None for f in turns.prior_first], costs),
        "refit": figures_of(list(turns.needed), [f is not None for f in first], costs),
    }
    features = {
        name: {
            "mean": round(spec["mean"], 6),
            "scale": round(spec["scale"], 6),
            "weight": round(spec["weight"], 6),
            "fitted": bool(spec.get("fitted", True)),
        }
        for name, spec in model.features.items()
        if name in prior.features or spec["weight"] != 0.0
    }
    document = prior.model_dump(mode="json")
    document.update(
        {
            "version": f"decision-outcomes-{datetime.now(UTC):%Y%m%d}",
            "intercept": round(model.intercept, 6),
            "features": features,
            "thresholds": policy.to_json(),
            "fit": {
                "source": "outcomes",
                "label": "dialogue",
                "prior": prior.version,
                "refit": chosen.name,
                "l2_toward_prior": chosen.l2,
                "cross_validation": cv,
                "train": train_figures,
                **(fit or {}),
            },
        }
    )
    params = DecisionParams.model_validate(document)
    # The date, then the fingerprint of everything the engine reads (`restamp` after a hand edit replaces the
    # fingerprint and keeps the date; applied to a version without one, it would take the date for it).
    params = params.model_copy(update={"version": f"{params.version}-{fingerprint(params)}"})
    return Fitted(params=params, chosen=chosen.name, cross_validation=cv, train_figures=train_figures)


# ---------------------------------------------------------------------------------------------- evaluation


def figures_of(needed: Sequence[bool], escalated: Sequence[bool], costs: Costs) -> dict[str, Any]:
    """Expected cost per conversation, rates and the confusion at the operating point."""
    from baton.decision.promotion import figures

    f = figures(list(zip(needed, escalated, strict=True)), cost_missed=costs.missed, cost_false=costs.false)
    n = len(needed)
    tp = f.escalated - f.false
    return {
        "conversations": n,
        "cost": round(f.cost, 4),
        "escalated": f.escalated,
        "missed_rate": round(f.missed_rate, 4),
        "false_rate": round(f.false_rate, 4),
        "confusion": {
            "escalated_needed": tp,
            "missed": f.missed,
            "false_escalation": f.false,
            "left_alone_not_needed": n - tp - f.missed - f.false,
        },
    }


def calibration(pairs: Sequence[tuple[float, bool]], bins: int = CALIBRATION_BINS) -> dict[str, Any]:
    """Bins of predicted risk (equal width) against the observed need rate, and the expected calibration
    error (the bins' |mean risk - need rate| weighted by their share)."""
    n = len(pairs)
    table = []
    ece = 0.0
    for b in range(bins):
        low, high = b / bins, (b + 1) / bins
        inside = [(p, y) for p, y in pairs if low <= p < high or (b == bins - 1 and p == 1.0)]
        if not inside:
            continue
        mean = sum(p for p, _ in inside) / len(inside)
        rate = sum(y for _, y in inside) / len(inside)
        ece += len(inside) / n * abs(mean - rate)
        table.append(
            {
                "bin": f"{low:.1f}-{high:.1f}",
                "n": len(inside),
                "mean_risk": round(mean, 4),
                "need_rate": round(rate, 4),
            }
        )
    return {
        "n": n,
        "mean_risk": round(sum(p for p, _ in pairs) / n, 4) if n else None,
        "need_rate": round(sum(y for _, y in pairs) / n, 4) if n else None,
        "ece": round(ece, 4) if n else None,
        "bins": table,
    }


def calibration_by_segment(
    conversations: Sequence[Labelled], risk: Sequence[float]
) -> dict[str, dict[str, Any]]:
    """`calibration` overall (`all`) and per value of each segment that has more than one value."""
    pairs = [(r, c.needed) for r, c in zip(risk, conversations, strict=True)]
    out: dict[str, dict[str, Any]] = {"all": {"all": calibration(pairs)}}
    for segment in SEGMENTS:
        values = sorted({c.segments.get(segment, NONE) for c in conversations})
        if len(values) < 2:
            continue
        out[segment] = {
            value: calibration(
                [
                    pair
                    for pair, c in zip(pairs, conversations, strict=True)
                    if c.segments.get(segment, NONE) == value
                ]
            )
            for value in values
        }
    return out


def evaluate(
    conversations: Sequence[Labelled],
    prior: DecisionParams,
    params: DecisionParams,
    costs: Costs,
    *,
    seed: int = 0,
) -> dict[str, Any]:
    """Prior and refit replayed through `decide` on `conversations`: figures, promotion verdict, calibration."""
    from baton.decision.promotion import compare

    needed = [c.needed for c in conversations]
    out: dict[str, Any] = {"conversations": len(conversations), "needed": sum(needed)}
    escalated: dict[str, list[bool]] = {}
    last_risk: dict[str, list[float]] = {}
    for name, p in (("prior", prior), ("refit", params)):
        decisions = [replay(c, p) for c in conversations]
        escalated[name] = [any(d.action == "escalate" for d in ds) for ds in decisions]
        last_risk[name] = [ds[-1].risk if ds else 0.0 for ds in decisions]
        out[name] = figures_of(needed, escalated[name], costs)
    before, after = out["prior"]["cost"], out["refit"]["cost"]
    out["relative_change"] = round((after - before) / before, 4) if before > 0 else None
    comparison = compare(
        list(zip(needed, escalated["prior"], escalated["refit"], strict=True)),
        cost_missed=costs.missed,
        cost_false=costs.false,
        seed=seed,
    )
    out["promotion"] = {
        "verdict": comparison.verdict,
        "interval": [round(v, 4) for v in comparison.interval],
        "checks": [{"check": c, "holds": ok} for c, ok in comparison.checks],
    }
    out["calibration"] = {name: calibration_by_segment(conversations, last_risk[name]) for name in last_risk}
    return out


# ---------------------------------------------------------------------------------------------- the run


def split(
    conversations: Sequence[Labelled], holdout: float, seed: int
) -> tuple[list[Labelled], list[Labelled]]:
    """(train, held out) by conversation id, seeded: the same conversation lands on the same side whatever the
    file's order."""
    train: list[Labelled] = []
    held: list[Labelled] = []
    for c in conversations:
        u = zlib.crc32(f"{seed}:holdout:{c.conversation_id}".encode()) / 2**32
        (held if u < holdout else train).append(c)
    return train, held


def run(
    conversations: Sequence[Labelled],
    prior: DecisionParams,
    costs: Costs,
    *,
    holdout: float = HOLDOUT,
    seed: int = 0,
    fit: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Split, refit on the training part, evaluate on the held-out part (or in-sample when `holdout` is 0)."""
    train, held = split(conversations, holdout, seed)
    if holdout > 0 and not held:
        raise ValueError(f"no conversation fell in the held-out {holdout:.0%}: too few conversations")
    provenance = {
        **(fit or {}),
        "costs": {"missed": costs.missed, "false": costs.false},
        "split": {
            "by": "conversation",
            "held_out_share": holdout,
            "seed": seed,
            "train": len(train),
            "held_out": len(held),
        },
    }
    fitted = refit(train, prior, costs, seed=seed, fit=provenance)
    evaluation_set = held if held else train
    _progress(f"replaying prior and refit through decide on {len(evaluation_set)} conversations")
    evaluation = evaluate(evaluation_set, prior, fitted.params, costs, seed=seed)
    summary = {k: evaluation[k] for k in ("conversations", "needed", "prior", "refit", "relative_change")}
    params = fitted.params.model_copy(
        update={"fit": {**fitted.params.fit, "held_out" if held else "in_sample": summary}}
    )
    return {
        "params": params,
        "prior": prior.version,
        "refit": fitted.params.version,
        "chosen": fitted.chosen,
        "costs": {"missed": costs.missed, "false": costs.false},
        "counts": {
            **dict((fit or {}).get("outcomes", {})),
            "train": {"conversations": len(train), "needed": sum(c.needed for c in train)},
            "held_out": {"conversations": len(held), "needed": sum(c.needed for c in held)},
        },
        "evaluated_on": "held_out" if held else "in_sample (no held-out part: --holdout 0)",
        "cross_validation": fitted.cross_validation,
        "train": fitted.train_figures,
        "evaluation": evaluation,
        "parameters": _changes(prior, params),
    }


def _changes(prior: DecisionParams, params: DecisionParams) -> dict[str, Any]:
    weights = {
        name: {
            "prior": prior.features[name].weight if name in prior.features else 0.0,
            "refit": params.features[name].weight if name in params.features else 0.0,
        }
        for name in sorted(set(prior.features) | set(params.features))
    }
    return {
        "intercept": {"prior": prior.intercept, "refit": params.intercept},
        "thresholds": {"prior": prior.thresholds.model_dump(), "refit": params.thresholds.model_dump()},
        "weights": {k: v for k, v in weights.items() if v["prior"] != 0.0 or v["refit"] != 0.0},
    }


# ---------------------------------------------------------------------------------------------- report


def markdown(report: Mapping[str, Any]) -> str:
    """The readable report (`outcomes_report.md`, also printed)."""
    counts = report["counts"]
    ev = report["evaluation"]
    where = "held-out" if report["evaluated_on"] == "held_out" else "in-sample (no held-out part)"
    lines = [
        f"# Refit on outcomes: `{report['refit']}` from `{report['prior']}`",
        "",
        f"Costs: {report['costs']['missed']:g} per missed escalation, {report['costs']['false']:g} per false "
        "escalation (per conversation).",
        "",
        "## Data",
        "",
    ]
    if "lines" in counts:
        skipped = counts.get("skipped", {})
        lines.append(
            f"{counts['lines']} lines: {counts['used']} used ({counts['needed']} needed a human), "
            f"{sum(skipped.values())} skipped" + (":" if skipped else ".")
        )
        lines += [f"- {n} {reason}" for reason, n in skipped.items()]
        if counts.get("by_rule"):
            lines += [
                "",
                "Ground truth by rule: " + ", ".join(f"{r} {n}" for r, n in counts["by_rule"].items()) + ".",
            ]
    lines += [
        "",
        f"Split by conversation: {counts['train']['conversations']} to fit ({counts['train']['needed']} needed a "
        f"human), {counts['held_out']['conversations']} held out ({counts['held_out']['needed']}).",
        "",
        "## Candidates (5-fold cross-validation on the training part, cost per conversation)",
        "",
        "| candidate | cost |",
        "|---|---|",
        *(
            f"| {row['candidate']}{' (**chosen**)' if row['candidate'] == report['chosen'] else ''} | {row['cost']:.4f} |"
            for row in report["cross_validation"]
        ),
        "",
        f"## Prior against refit, {where} ({ev['conversations']} conversations, {ev['needed']} needed a human)",
        "",
        "| | cost / conversation | missed rate | false-escalation rate | escalated | escalated & needed | missed "
        "| false escalations | left alone & not needed |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name in ("prior", "refit"):
        f = ev[name]
        c = f["confusion"]
        lines.append(
            f"| {name} | {f['cost']:.4f} | {f['missed_rate']:.1%} | {f['false_rate']:.1%} | {f['escalated']} | "
            f"{c['escalated_needed']} | {c['missed']} | {c['false_escalation']} | {c['left_alone_not_needed']} |"
        )
    change = ev["relative_change"]
    promotion = ev["promotion"]
    lines += [
        "",
        f"Change in expected cost: {'n/a' if change is None else f'{change:+.1%}'}. The promotion rule "
        f"(`baton.decision.promotion`) says **{promotion['verdict']}** (95% interval of the difference "
        f"{promotion['interval'][0]:+.4f} to {promotion['interval'][1]:+.4f} per conversation).",
        "",
        "## Calibration (risk at the last decided message against the need rate)",
        "",
        "| segment | value | n | need rate | prior: mean risk | prior: ECE | refit: mean risk | refit: ECE |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for segment, values in ev["calibration"]["refit"].items():
        for value, cal in values.items():
            p = ev["calibration"]["prior"][segment][value]
            lines.append(
                f"| {segment} | {value} | {cal['n']} | {cal['need_rate']:.3f} | {p['mean_risk']:.3f} | {p['ece']:.3f} | "
                f"{cal['mean_risk']:.3f} | {cal['ece']:.3f} |"
            )
    lines += [
        "",
        "Bins, all conversations (refit): "
        + "; ".join(
            f"{b['bin']}: {b['n']} at {b['mean_risk']:.2f} vs {b['need_rate']:.2f}"
            for b in ev["calibration"]["refit"]["all"]["all"]["bins"]
        )
        + ".",
    ]
    ch = report["parameters"]
    lines += [
        "",
        "## What changed",
        "",
        f"Intercept {ch['intercept']['prior']:+.3f} -> {ch['intercept']['refit']:+.3f}.",
        "",
        "| threshold | prior | refit |",
        "|---|---|---|",
        *(
            f"| {k} | {ch['thresholds']['prior'][k]:g} | {ch['thresholds']['refit'][k]:g} |"
            for k in ("escalate", "monitor", "monitor_escalate", "exit", "exit_turns")
        ),
        "",
        "| feature | prior weight | refit weight |",
        "|---|---|---|",
        *(f"| {k} | {v['prior']:+.3f} | {v['refit']:+.3f} |" for k, v in ch["weights"].items()),
        "",
        "Guardrails, business sensitivity and windows are the prior's (outcomes do not teach them).",
        "",
    ]
    return "\n".join(lines)


def write(report: Mapping[str, Any], out: Path) -> Path:
    directory = out / "decision"
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "params.json").write_text(report["params"].to_json(), encoding="utf-8")
    (directory / "outcomes_report.json").write_text(
        json.dumps({k: v for k, v in report.items() if k != "params"}, indent=2) + "\n", encoding="utf-8"
    )
    (directory / "outcomes_report.md").write_text(markdown(report), encoding="utf-8")
    return directory


# ---------------------------------------------------------------------------------------------- command


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("refit on outcomes (--outcomes)")
    group.add_argument(
        "--outcomes",
        type=Path,
        metavar="FILE",
        help="refit on a team's outcomes instead (`baton outcomes export`: the backtest format plus `outcome`)",
    )
    group.add_argument(
        "--prior",
        type=Path,
        metavar="PARAMS",
        help="the parameters to start from and compare against (default: the shipped ones)",
    )
    group.add_argument(
        "--cost-missed",
        type=_positive,
        default=DEFAULT_COST_MISSED,
        metavar="C",
        help=f"cost of a conversation that needed a human and was not escalated in time (default {DEFAULT_COST_MISSED:g})",
    )
    group.add_argument(
        "--cost-false",
        type=_positive,
        default=DEFAULT_COST_FALSE,
        metavar="C",
        help=f"cost of an escalation that was not needed (default {DEFAULT_COST_FALSE:g})",
    )
    group.add_argument(
        "--holdout",
        type=_holdout,
        default=HOLDOUT,
        metavar="SHARE",
        help=f"share of the conversations held out of the fit and reported on (default {HOLDOUT}; 0: fit on all, "
        "report in-sample)",
    )
    group.add_argument(
        "--seed", type=int, default=0, help="seed of the held-out split and the folds (default 0)"
    )
    group.add_argument(
        "--models",
        type=Path,
        metavar="DIR",
        help="scoring models replacing the shipped ones, kind by kind (as for `baton backtest --models`)",
    )


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0 or math.isinf(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive cost")
    return value


def _holdout(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a share in [0, 1)")
    return value


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main(args: argparse.Namespace) -> int:
    """`baton train decision --outcomes ...` (the arguments of `add_arguments` and `--out`)."""
    from baton.decision.params import load, load_default
    from baton.errors import BatonError

    def fail(message: str, code: int = 2) -> int:
        print(f"baton train decision: {message}", file=sys.stderr)
        return code

    started = time.monotonic()
    try:
        read = read_outcome_file(args.outcomes)
    except OSError as exc:
        return fail(f"cannot read {args.outcomes}: {exc.strerror or exc}")
    for warning in read.warnings:
        print(f"baton train decision: {warning}", file=sys.stderr)
    if read.bad:
        for bad in read.bad:
            print(f"baton train decision: {bad}", file=sys.stderr)
        return fail(f"{len(read.bad)} bad line(s) in {args.outcomes}: nothing written", 1)
    if not read.usable:
        return fail(
            f"{args.outcomes}: no usable conversation ({read.lines} lines, skipped {dict(read.skipped)})"
        )
    try:
        prior = load(args.prior) if args.prior else load_default()
        scorer = _scorer(args.models)
    except BatonError as exc:  # InvalidParams names the field; ModelsNotFound names BATON_MODELS_DIR
        return fail(str(exc))
    labelled = score_lines(read.usable, scorer)
    provenance = {
        "command": "baton train decision " + " ".join(getattr(args, "argv", [])),
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "outcomes": {
            "file": str(args.outcomes),
            "sha256": _sha256(args.outcomes),
            "lines": read.lines,
            "used": len(read.usable),
            "needed": read.needed,
            "skipped": dict(read.skipped),
            "by_rule": dict(sorted(read.rules().items())),
        },
        "scored_by": scorer.models.versions() if hasattr(scorer.models, "versions") else None,
    }
    try:
        report = run(
            labelled,
            prior,
            Costs(args.cost_missed, args.cost_false),
            holdout=args.holdout,
            seed=args.seed,
            fit=provenance,
        )
    except (ValueError, MirrorMismatch) as exc:
        return fail(str(exc))
    report["seconds"] = round(time.monotonic() - started, 1)
    directory = write(report, args.out)
    print(markdown(report))
    _progress(f"wrote {directory}/params.json, outcomes_report.json, outcomes_report.md ({report['refit']})")
    return 0


def _scorer(override: Path | None) -> Any:
    from baton.scoring.loader import load_models, models_dir
    from baton.scoring.scorer import Scorer
    from baton.settings import Settings

    return Scorer(load_models(models_dir(Settings.from_env().models_dir), override=override))
