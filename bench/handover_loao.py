"""What the handover model adds to the decision on a writer it has never seen: `.venv/bin/python bench/handover_loao.py
[--threshold T] [--data FILE ...] [--calm-dialogues FILE ...]`.

Each labelled conversation set (one author) is decided twice: by the shipped system without what the handover
model decides (`guardrails.needs_person` and `guardrails.someone_first` null), and by the same system OR the
handover model trained on every other author (leave one author out,
`baton.training.handover.leave_one_author_out`): at the shipped threshold, or at `someone_first` for a message
before any answer that asks for someone to act. A guardrail escalates at the message it trips and changes nothing
before it, so the second is exact: the first escalation is the earlier of the two. The table: per set, `escalate`
conversations escalated by the lead's message (in time) and `resolve` conversations escalated, without and with;
and the calm messages (the 1,514 of `bench/calm_guardrails.py`) the shipped model reaches. Development sets only:
the blind sets stay out.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "shared"))
os.environ.setdefault("BATON_MODELS_DIR", str(ROOT / "layers" / "models"))


def main() -> None:
    from baton.training import handover as train

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threshold", type=float, help="default: the shipped guardrails.needs_person")
    parser.add_argument("--data", type=Path, action="append", help="default: the training command's sets")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/baton-handover-embeddings"))
    parser.add_argument(
        "--calm-dialogues",
        type=Path,
        action="append",
        help="long calm dialogues as training negatives, as `baton train handover` takes them",
    )
    parser.add_argument("--calm-dialogue-count", type=int, default=train.CALM_DIALOGUE_COUNT)
    args = parser.parse_args()

    from baton.decision.engine import someone_request
    from baton.decision.evaluation import evaluate_file
    from baton.decision.params import load_default
    from baton.scoring.handover import load
    from baton.scoring.loader import load_models
    from baton.scoring.scorer import Scorer

    params = load_default()
    threshold = args.threshold if args.threshold is not None else params.guardrails.needs_person
    if threshold is None:
        raise SystemExit("the shipped parameters switch needs_person off: pass --threshold")
    someone_first = params.guardrails.someone_first if params.guardrails.human_request else None
    without = params.model_copy(
        update={
            "guardrails": params.guardrails.model_copy(update={"needs_person": None, "someone_first": None})
        }
    )
    paths = args.data or train.default_data()
    features = train.scorer_without_handover()
    encoder = features.models.encoder
    ex, only_train = train.read_training(
        paths, features, args.calm_dialogues or [], args.calm_dialogue_count, train.SEED
    )
    model = load(Path(os.environ["BATON_MODELS_DIR"]) / "handover")
    weight = float(model.manifest["context_weight"])
    x = train.design(train.embed(encoder, ex.texts, args.cache), ex.context, ex.texts, ex.numeric, weight)
    oof = train.leave_one_author_out(x, ex, float(model.manifest["C"]), train.SEED, only_train)
    first: dict[str, int] = {}
    for i, cid in enumerate(ex.conversation):
        asks = (
            someone_first is not None
            and bool(ex.first[i])
            and oof[i] >= someone_first
            and someone_request(ex.texts[i], params) is not None
        )
        if (oof[i] >= threshold or asks) and cid not in first:
            first[cid] = int(ex.index[i])

    scorer = Scorer(load_models())
    rows = []
    totals = [0, 0, 0, 0, 0, 0]
    for path in paths:
        evaluation = evaluate_file(path, scorer, without)
        n_esc = in_before = in_after = n_res = res_before = res_after = 0
        for o in evaluation.rows(borderline=False):
            at = o.escalated_at
            learned = first.get(o.conversation_id)
            both = min((v for v in (at, learned) if v is not None), default=None)
            if o.expected == "escalate":
                by = o.escalate_by
                n_esc += 1
                in_before += at is not None and (by is None or at <= by)
                in_after += both is not None and (by is None or both <= by)
            else:
                n_res += 1
                res_before += at is not None
                res_after += both is not None
        for i, v in enumerate((in_before, in_after, n_esc, res_before, res_after, n_res)):
            totals[i] += v
        rows.append(
            [path.name, f"{in_before} -> {in_after} of {n_esc}", f"{res_before} -> {res_after} of {n_res}"]
        )
    rows.append(
        [
            "all",
            f"{totals[0]} -> {totals[1]} of {totals[2]} ({totals[0] / totals[2]:.1%} -> {totals[1] / totals[2]:.1%})",
            f"{totals[3]} -> {totals[4]} of {totals[5]} ({totals[3] / totals[5]:.1%} -> {totals[4] / totals[5]:.1%})",
        ]
    )
    calm = train.calm_messages()
    calm_e = train.embed(encoder, calm, args.cache)
    calm_numeric = train.calm_examples(calm, features)
    reached = sum(
        model.predict(t, v, [], list(n)) >= threshold
        for t, v, n in zip(calm, calm_e, calm_numeric, strict=True)
    )
    print(f"threshold {threshold}; calm messages the shipped model reaches: {reached} of {len(calm)}")
    print(
        "| set (its author left out) | escalate in time: without -> with | resolve escalated: without -> with |"
    )
    print("|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
