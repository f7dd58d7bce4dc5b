"""How well one human rater predicts the others: the ceiling the USS label sets for any decision model.

A USS dialogue "needs a human" when, on some customer turn, more than half of that turn's raters gave
<= 2. Whether that happens depends on the text and on who rated it. This measures the second part:
on the dialogues whose every customer turn has at least `RATERS` ratings, hold rater position j out
(the ratings of one dialogue come in a fixed rater order), label each dialogue with the majority of
the *other* raters, and treat rater j as the model: a person who read the whole dialogue.

- `rater_auroc`: how well the number of turns rater j rated <= 2 separates the dialogues the others
  say need a human (averaged over j);
- `rater_policy`: escalate at the first turn rater j rates <= 2, scored with the decision fit's cost
  ratio (3 x missed + 1 x false, over the best trivial policy) and timeliness;
- `rater_best_cost_ratio`: the cheapest threshold on rater j's count, picked on the same dialogues
  (hindsight: more than any model gets).

Reported by `baton train decision` in the model card next to the model's own figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from baton.training.decision import Dialogue

RATERS = 4
"""Rater positions held out in turn; a dialogue qualifies when every customer turn has at least this many."""


def rater_ceiling(dialogues: Sequence[Dialogue], raters: int = RATERS) -> dict[str, Any] | None:
    """Leave-one-rater-out agreement on `dialogues` (None when fewer than 20 qualify or one class is empty)."""
    import numpy as np

    from baton.decision.metrics import Outcome, evaluate
    from baton.training.decision import _auroc, dissatisfied

    rated = []
    for d in dialogues:
        turns = [t.ratings for t in d.turns if t.role == "customer"]
        if turns and all(len(r) >= raters for r in turns):
            rated.append(turns)
    if len(rated) < 20:
        return None
    aurocs: list[float | None] = []
    ratios: list[float] = []
    timely: list[float] = []
    best: list[float] = []
    need_share: list[float] = []
    for j in range(raters):
        others = [[dissatisfied(r[:j] + r[j + 1 :]) for r in turns] for turns in rated]
        first_need = [next((i for i, low in enumerate(o) if low), None) for o in others]
        y = np.array([f is not None for f in first_need])
        if y.all() or not y.any():
            return None
        lows = [[r[j] <= 2 for r in turns] for turns in rated]
        count = np.array([sum(low) for low in lows], dtype=float)
        # Ties on the count: the rater's lowest rating breaks them (a 1 is more alarming than a 2).
        score = count + np.array([(5 - min(r[j] for r in turns)) / 10 for turns in rated])
        aurocs.append(_auroc(y, score))
        first_low = [next((i for i, low in enumerate(row) if low), None) for row in lows]
        report = evaluate(Outcome(n, e) for n, e in zip(first_need, first_low, strict=True))
        ratios.append(report.cost_ratio)
        timely.append(report.timeliness)
        best.append(_best_cost_ratio(first_need, score))
        need_share.append(float(y.mean()))
    return {
        "dialogues": len(rated),
        "raters_held_out": raters,
        "need_share": round(float(np.mean(need_share)), 3),
        # A held-out rater whose dialogues all need a human (or none does) has no AUROC.
        "rater_auroc": round(float(np.mean([a for a in aurocs if a is not None])), 3),
        "rater_policy_cost_ratio": round(float(np.mean(ratios)), 3),
        "rater_policy_timeliness": round(float(np.mean(timely)), 3),
        "rater_best_cost_ratio": round(float(np.mean(best)), 3),
    }


def _best_cost_ratio(first_need: Sequence[int | None], score: Any) -> float:
    """The lowest cost ratio over every threshold on `score` (escalate a dialogue when its score >= it)."""
    import numpy as np

    from baton.decision.metrics import Outcome, evaluate

    return min(
        evaluate(Outcome(n, 0 if s >= t else None) for n, s in zip(first_need, score, strict=True)).cost_ratio
        for t in np.append(np.unique(score), np.inf)
    )
