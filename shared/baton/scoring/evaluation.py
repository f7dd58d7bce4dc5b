"""`baton eval sentiment FILE`: the frustration score on labelled customer messages.

FILE holds one `{"text", "label": "calm" | "frustrated", "kind"?}` per line (the support contrast set,
`events/labelled/support_contrast.jsonl`, or a team's own). Each text is scored alone, as the scorer scores
a first message (encoder, sentiment model and its branch as served). Reported: the AUROC of frustration,
frustrated against calm, the mean frustration and sentiment of each label, and per `kind`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class MessageEvaluation:
    rows: list[tuple[str, int, str, float, float]] = field(default_factory=list)
    """(text, 1 frustrated / 0 calm, kind, frustration, sentiment)."""

    def summary(self) -> dict[str, Any]:
        from baton.decision.evaluation import auroc

        calm = [r for r in self.rows if r[1] == 0]
        upset = [r for r in self.rows if r[1] == 1]
        kinds: dict[str, list[tuple[str, int, str, float, float]]] = {}
        for r in self.rows:
            kinds.setdefault(r[2] or "-", []).append(r)
        return {
            "messages": len(self.rows),
            "frustrated": len(upset),
            "frustration_auroc": auroc([r[1] for r in self.rows], [r[3] for r in self.rows]),
            "calm_mean_frustration": _mean([r[3] for r in calm]),
            "frustrated_mean_frustration": _mean([r[3] for r in upset]),
            "calm_mean_sentiment": _mean([r[4] for r in calm]),
            "frustrated_mean_sentiment": _mean([r[4] for r in upset]),
            "by_kind": {
                k: {
                    "n": len(v),
                    "label": "frustrated" if v[0][1] else "calm",
                    "mean_frustration": _mean([r[3] for r in v]),
                }
                for k, v in sorted(kinds.items())
            },
        }

    def render(self) -> str:
        s = self.summary()
        lines = [
            f"{s['messages']} messages ({s['frustrated']} frustrated): frustration AUROC {_f(s['frustration_auroc'])}",
            f"  mean frustration: calm {_f(s['calm_mean_frustration'])}, frustrated {_f(s['frustrated_mean_frustration'])}",
            f"  mean sentiment:   calm {_f(s['calm_mean_sentiment'])}, frustrated {_f(s['frustrated_mean_sentiment'])}",
            f"  {'kind':18} {'label':10} {'n':>4} {'frustration':>11}",
        ]
        for kind, r in s["by_kind"].items():
            lines.append(f"  {kind:18} {r['label']:10} {r['n']:>4} {_f(r['mean_frustration']):>11}")
        return "\n".join(lines)


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 3) if values else None


def _f(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def read_labelled(path: Path) -> list[tuple[str, int, str]]:
    out = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        label = row.get("label")
        if label not in ("calm", "frustrated") or not isinstance(row.get("text"), str):
            raise ValueError(f"{path}:{number}: needs a text and a label calm|frustrated")
        out.append((row["text"], int(label == "frustrated"), str(row.get("kind") or "")))
    return out


def score_texts(texts: list[str], models: Any) -> list[tuple[float, float]]:
    """(frustration, sentiment) of each text scored alone, as a first customer message."""
    encoded = (
        models.encoder.encode(texts) if models.encoder is not None and models.sentiment.uses_encoder else None
    )
    predictions = models.sentiment.predict(texts, encoded)
    return [(p.frustration, p.sentiment) for p in predictions]


def evaluate_messages(path: Path, models_override: Path | None = None) -> MessageEvaluation:
    from baton.scoring.loader import load_models, models_dir
    from baton.settings import Settings

    rows = read_labelled(path)
    models = load_models(models_dir(Settings.from_env().models_dir), override=models_override)
    scored = score_texts([t for t, _, _ in rows], models)
    return MessageEvaluation([(t, y, k, f, s) for (t, y, k), (f, s) in zip(rows, scored, strict=True)])
