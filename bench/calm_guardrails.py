"""How often calm support messages trip a guardrail: `.venv/bin/python bench/calm_guardrails.py [--models DIR] [-v]`.

The cost side of the triggers (docs/decision.md, "The trigger model's key-word gate"): every guardrail escalates
at once, so a guardrail on a calm message is a false escalation of a customer who never asked for one. The calm
messages are 1,514 customer messages written for Baton and labelled calm: the support contrast set's calm ones,
the calm lines of the sentiment supplement (`support_training*.jsonl`, `frustrated` false), and the support-intent
evaluation file without the intents a support lead escalates anyway (`EXCLUDED_INTENTS`: complaints, cancellations, requests
for a human). Some of them rightly trip one ("none of our team can log into the app", the issue's own examples in
the intent file), so the figure is a ceiling on false escalations, not a count of them.

Measured on the decision's full path (`baton.decision.triggers_eval.predict`: the patterns OR the trigger model,
with the negation veto), with the shipped key-word gate and without it (every `model_gates` entry set to `.`).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

LABELLED = ROOT / "events" / "labelled"


def calm_messages() -> list[str]:
    """The 1,514 calm support messages, in a fixed order: `baton.training.handover.calm_messages` (the handover
    model's calm budget reads the same ones; `EXCLUDED_INTENTS` there are the intents left out)."""
    from baton.training.handover import calm_messages as read

    return read(LABELLED)


def tripped(models: Path | None = None, *, gate: bool = True) -> list[tuple[str, list[str]]]:
    """(text, triggers) for every calm message that trips a guardrail on the decision's path."""
    from baton.decision.params import load_default
    from baton.decision.triggers_eval import load_reader, predict

    params = load_default(models)
    if not gate:
        g = params.guardrails
        params = params.model_copy(
            update={
                "guardrails": g.model_copy(update={"model_gates": dict.fromkeys(g.model_thresholds, ".")})
            }
        )
    reader = load_reader(models)
    found = [(text, sorted(predict(text, params, reader))) for text in calm_messages()]
    return [(text, codes) for text, codes in found if codes]


def main() -> None:
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")
    os.environ.setdefault("BATON_MODELS_DIR", str(ROOT / "layers" / "models"))  # the runtime never guesses
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--models", type=Path, help="a models directory (default: the checkout's layers/models)"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="list the messages that trip one")
    args = parser.parse_args()
    n = len(calm_messages())
    for label, gate in (("with the key-word gate", True), ("without it", False)):
        hits = tripped(args.models, gate=gate)
        print(
            f"calm support messages tripping a guardrail, {label}: {len(hits)} of {n} ({100 * len(hits) / n:.1f}%)"
        )
        if args.verbose and gate:
            for text, codes in hits:
                print(f"  {','.join(codes)}: {text}")


if __name__ == "__main__":
    main()
