"""Quality on support language: `.venv/bin/python bench/quality.py [--data ../shared/data]`. Prints one table.

The same commands a team runs on its own labelled data (`baton eval sentiment | conversations | triggers`),
on the sets written for Baton and committed in events/labelled/ (never trained on), plus, when the public
data sets are beside the checkout (`--data`, default ../shared/data), the public benchmarks the model card
reports: TweetEval sentiment test (3 classes), SST-2 dev, the Amazon-help support tweets.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")
os.environ.setdefault(
    "BATON_MODELS_DIR", str(ROOT / "layers" / "models")
)  # the runtime never guesses a checkout
os.environ.setdefault("OMP_NUM_THREADS", "1")

from table import print_table  # noqa: E402

LABELLED = ROOT / "events" / "labelled"


def _f(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.0f}%"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args()

    from baton.decision.evaluation import evaluate_file
    from baton.decision.params import load_default
    from baton.decision.triggers_eval import evaluate, read
    from baton.scoring.evaluation import evaluate_messages, score_texts
    from baton.scoring.loader import load_models
    from baton.scoring.scorer import Scorer

    models = load_models()
    params = load_default()
    rows: list[tuple[str, str, str]] = []

    contrast = evaluate_messages(LABELLED / "support_contrast.jsonl").summary()
    contrast2 = evaluate_messages(LABELLED / "support_contrast_test2.jsonl").summary()
    contrast3 = evaluate_messages(LABELLED / "support_contrast_test3.jsonl").summary()
    rows += [
        (
            f"support contrast set ({contrast['messages']}): frustration AUROC",
            _f(contrast["frustration_auroc"]),
            ">= 0.95",
        ),
        ("support contrast set: mean frustration, calm", _f(contrast["calm_mean_frustration"]), "<= 0.2"),
        (
            "support contrast set: mean frustration, frustrated",
            _f(contrast["frustrated_mean_frustration"]),
            "info",
        ),
        (
            f"support contrast set 2, blind ({contrast2['messages']}): frustration AUROC",
            _f(contrast2["frustration_auroc"]),
            ">= 0.95",
        ),
        ("support contrast set 2: mean frustration, calm", _f(contrast2["calm_mean_frustration"]), "<= 0.2"),
        (
            f"support contrast set 3, blind short replies ({contrast3['messages']}): frustration AUROC",
            _f(contrast3["frustration_auroc"]),
            ">= 0.95",
        ),
        ("support contrast set 3: mean frustration, calm", _f(contrast3["calm_mean_frustration"]), "<= 0.2"),
    ]

    # The held-out sets (written blind, never trained on), then the development sets, newest first: the lists
    # of `baton.decision.evaluation` (the handover model trains on the development sets).
    from baton.decision.evaluation import DEVELOPMENT_SETS, HELD_OUT_SETS

    conversation_scorer = Scorer(models)
    conversation_sets = [
        (name, f"support conversations, held-out {name[22:-6]}") for name in HELD_OUT_SETS
    ] + [
        (name, f"support conversations {name[22:-6] or 'first set'} (tuned on)")
        for name in reversed(DEVELOPMENT_SETS)
    ]
    for name, tag in conversation_sets:
        conv = evaluate_file(LABELLED / name, conversation_scorer, params).summary()
        rows += [
            (
                f"{tag} ({conv['conversations']}): 'resolve' escalated",
                f"{conv['resolve']['escalated']}/{conv['resolve']['n']} "
                f"({_pct(conv['resolve']['escalated_share'])})",
                "<= 20-30%",
            ),
            (
                f"{tag}: 'escalate' escalated in time",
                f"{conv['escalate']['in_time']}/{conv['escalate']['n']} "
                f"({_pct(conv['escalate']['in_time_share'])}); at all {_pct(conv['escalate']['escalated_share'])}",
                ">= 80%",
            ),
            (f"{tag}: peak-risk AUROC (guardrail first)", _f(conv["peak_risk_auroc"]), ">= 0.85"),
        ]

    from baton.decision.triggers_eval import load_reader

    reader = load_reader()
    # held out: test2, test13, test14; tuned on: test12 (since round 14), test11 (since round 13), test10 (since round 12), test9
    # (since round 11), test8 (since round 10), test7 (since round 9), test6 (since round 8), test5 (since round 7), test4
    # (since round 6), test3 (since round 5) and test (since round 2)
    held_out = ("triggers-test2.jsonl", "triggers-test13.jsonl", "triggers-test14.jsonl")
    tuned_on = tuple(
        f"triggers-test{n}.jsonl" for n in ("12", "11", "10", "9", "8", "7", "6", "5", "4", "3", "")
    )
    for name in (*held_out, *tuned_on):
        path = LABELLED / name
        if path.is_file():
            report = evaluate(read(path), params, reader)
            counts = {code: c for code, c in report.counts.items() if c.support}
            meet = [
                code for code, c in counts.items() if (c.precision or 0) >= 0.9 and (c.recall or 0) >= 0.9
            ]
            weakest = min(counts, key=lambda k: counts[k].recall or 0.0)
            lowest_p = min(counts, key=lambda k: counts[k].precision or 0.0)
            rows.append(
                (
                    f"triggers, {name} ({report.messages}{', tuned on' if name in tuned_on else ''}): "
                    "meeting P and R >= 0.9",
                    f"{len(meet)} of {len(counts)}; lowest recall {counts[weakest].recall:.3f} ({weakest}), "
                    f"lowest precision {counts[lowest_p].precision:.3f} ({lowest_p})",
                    "all",
                )
            )

    from calm_guardrails import calm_messages, tripped

    calm = len(calm_messages())
    false_guardrails = len(tripped())
    rows.append(
        (
            f"calm support messages ({calm}) tripping a guardrail",
            f"{false_guardrails} ({100 * false_guardrails / calm:.1f}%)",
            "<= 40 (2.6%)",
        )
    )

    if args.data.is_dir():
        import numpy as np

        from baton.training.sentiment_support import (
            macro_recall,
            read_amazonhelp,
            read_tweeteval,
            three_class,
        )

        manifest = json.loads((ROOT / "layers" / "models" / "sentiment" / "manifest.json").read_text())
        band = float(manifest["sentiment_band"])  # chosen on TweetEval val by the training command
        tw = read_tweeteval(args.data / "tweeteval" / "sentiment", "test")
        s = np.asarray([sent for _, sent in score_texts([t for t, _ in tw], models)])
        rows.append(
            (
                f"TweetEval sentiment test ({len(tw)}): macro recall, 3 classes",
                _f(macro_recall([y for _, y in tw], three_class(s, band))),
                ">= 0.70",
            )
        )
        amazon = read_amazonhelp(args.data / "amazonhelp_twcs" / "amazonhelp_annotations.csv")
        s = np.asarray([sent for _, sent in score_texts([t for t, _ in amazon], models)])
        from baton.decision.evaluation import auroc

        rows.append(
            (
                "Amazon-help support tweets (300): negative AUROC of -sentiment",
                _f(auroc([int(y == 0) for _, y in amazon], list(-s))),
                "info",
            )
        )
        from baton.training.sentiment import detokenize, read_sst2

        sst = [(detokenize(t), y) for t, y in read_sst2(args.data / "sst2", 0).dev]
        s = np.asarray([sent for _, sent in score_texts([t for t, _ in sst], models)])
        rows.append(
            (
                f"SST-2 dev ({len(sst)}): accuracy",
                _f(float(np.mean((s > 0) == np.asarray([y == 1 for _, y in sst])))),
                ">= 0.85",
            )
        )
    print_table(
        rows, f"; models {models.sentiment.version}, {models.intent.version}; params {params.version}"
    )


if __name__ == "__main__":
    main()
