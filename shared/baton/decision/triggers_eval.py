"""Precision and recall of the guardrails on a labelled set: `baton eval triggers FILE [--params P]`.

The decision's full path: a guardrail's pattern OR the trigger model's probability at the parameters'
`guardrails.model_thresholds` (not vetoed by a negation), and the human-request signal OR the model's
`human_request`. The models load as the scoring function loads them (`baton.scoring.loader`: the encoder and
the trigger model of BATON_MODELS_DIR, which `baton` sets to the checkout's layers/models; `--models DIR` for
another); without a trigger model, or with `--patterns-only`, the patterns alone are measured.

A labelled set is JSONL, one customer message a line: `{"text": "...", "triggers": ["payment_dispute"]}`
(an empty list: the message should trip nothing). Codes are guardrail names of the parameters document
and `human_request` (the scoring signal `asks_for_human`). Every guardrail a message trips counts, not only
the one the decision reports, so each trigger is measured on its own. The shipped sets are
events/labelled/triggers-dev.jsonl and triggers-test.jsonl (both tuned on since round 2) and triggers-test2.jsonl
(held out; see docs/decision.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from baton.decision.engine import HUMAN_REQUESTED, guardrail_hits, guardrail_matches
from baton.decision.params import DecisionParams
from baton.errors import BatonError
from baton.events import Scores

HUMAN_REQUEST = "human_request"


class InvalidLabels(BatonError, ValueError):
    """A labelled set that cannot be read (the message names the line)."""


@dataclass
class Count:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def support(self) -> int:
        return self.tp + self.fn

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / self.support if self.support else None


@dataclass
class Report:
    messages: int = 0
    counts: dict[str, Count] = field(default_factory=dict)
    errors: list[tuple[str, list[str], list[str]]] = field(default_factory=list)  # text, expected, predicted

    def table(self) -> str:
        rows = [("trigger", "precision", "recall", "support", "tp", "fp", "fn")]
        for code in sorted(self.counts):
            c = self.counts[code]
            rows.append(
                (code, _pct(c.precision), _pct(c.recall), str(c.support), str(c.tp), str(c.fp), str(c.fn))
            )
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        lines = [
            "  ".join(
                v.ljust(w) if i == 0 else v.rjust(w) for i, (v, w) in enumerate(zip(row, widths, strict=True))
            )
            for row in rows
        ]
        return "\n".join([f"{self.messages} messages", *lines])


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def predict_patterns(text: str, params: DecisionParams) -> set[str]:
    """Every trigger the message trips by the patterns alone: the guardrails' names, and `human_request`."""
    from baton.scoring.signals import asks_for_human

    tripped = {name for name, _ in guardrail_matches(text, params)}
    if params.guardrails.human_request and asks_for_human(text):
        tripped.add(HUMAN_REQUEST)
    return tripped


@dataclass
class TriggerReader:
    """The encoder and the trigger model, as the scorer runs them on one message."""

    encoder: Any
    model: Any

    def scores(self, text: str) -> Scores:
        from baton.scoring.scorer import asks_for_human

        encoded = self.encoder.encode([text])
        triggers = self.model.predict([text], encoded)[0]
        return Scores(asks_for_human=asks_for_human(text, triggers, self.model), triggers=triggers or None)


def predict(text: str, params: DecisionParams, reader: TriggerReader | None = None) -> set[str]:
    """Every trigger the message trips on the decision's path (patterns only without a `reader`)."""
    if reader is None:
        return predict_patterns(text, params)
    hits = guardrail_hits(text, reader.scores(text), params)
    return {HUMAN_REQUEST if name == HUMAN_REQUESTED else name for name, _ in hits}


def load_reader(models: Path | None = None) -> TriggerReader | None:
    """The encoder and trigger model the scoring runtime would load (None when there is no trigger model)."""
    from baton.scoring import encoder as encoder_runtime
    from baton.scoring import triggers as triggers_runtime
    from baton.scoring.loader import ModelLoadError, model_dirs, models_dir
    from baton.settings import Settings

    dirs = model_dirs(models_dir(Settings.from_env().models_dir), models)
    if "triggers" not in dirs:
        return None
    encoder = encoder_runtime.load(dirs["encoder"], threads=1)
    model = triggers_runtime.load(dirs["triggers"])
    if model.encoder_version != encoder.version:
        raise ModelLoadError(
            f"trigger model in {dirs['triggers']} reads encoder {model.encoder_version}, "
            f"but the encoder in {dirs['encoder']} is {encoder.version}"
        )
    return TriggerReader(encoder=encoder, model=model)


def read(path: Path) -> list[tuple[str, set[str]]]:
    rows = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InvalidLabels(f"cannot read {path}: {exc.strerror or exc}") from None
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            text, codes = row["text"], row["triggers"]
            if not isinstance(text, str) or not isinstance(codes, list):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            raise InvalidLabels(f'{path}:{n}: expected {{"text": "...", "triggers": [codes]}}') from None
        rows.append((text, set(codes)))
    return rows


def evaluate(
    rows: list[tuple[str, set[str]]], params: DecisionParams, reader: TriggerReader | None = None
) -> Report:
    codes = {*params.guardrails.patterns, HUMAN_REQUEST}
    report = Report(messages=len(rows))
    for text, expected in rows:
        codes |= expected
        predicted = predict(text, params, reader)
        for code in expected | predicted:
            count = report.counts.setdefault(code, Count())
            if code in expected and code in predicted:
                count.tp += 1
            elif code in predicted:
                count.fp += 1
            else:
                count.fn += 1
        if expected != predicted:
            report.errors.append((text, sorted(expected), sorted(predicted)))
    for code in codes:
        report.counts.setdefault(code, Count())
    return report


def main(
    file: Path,
    params_file: Path | None = None,
    *,
    show_errors: bool = False,
    models: Path | None = None,
    patterns_only: bool = False,
) -> int:
    from baton.decision.params import load, load_default

    params = load(params_file) if params_file else load_default()
    rows = read(file)
    reader = None if patterns_only else load_reader(models)
    report = evaluate(rows, params, reader)
    how = f"patterns OR trigger model {reader.model.version}" if reader else "patterns only"
    print(f"{file} with decision parameters {params.version} ({how})")
    print(report.table())
    if show_errors:
        for text, expected, predicted in report.errors:
            print(f"expected {expected or '-'} got {predicted or '-'}: {text}")
    return 0
