"""Long task dialogues: how many calm ones the decision escalates. `.venv/bin/python bench/long_dialogues.py
[--data ../shared/data] [--count 200]`. Prints one table.

The labelled support conversations are two or three customer turns long; conversations recorded from a live bot
are longer, and every turn is another chance to cross a threshold. This reads the rated dialogues beside the
checkout (`--data`, default ../shared/data; nothing here is committed): USS over MultiWOZ and SGD (about 12
customer turns each; a dialogue is dissatisfied when a majority of raters rated a customer turn 2 or lower) and
MAIA-DQE's support chats with human agents (a customer sentence of disappointment, frustration or anger). Per
corpus, a seeded draw of `--count` calm dialogues and of `--count` dissatisfied ones (all of MAIA's), decided by
the shipped models and parameters as `baton eval conversations` decides them: the calm ones escalated (the issue's
bound for conversations a bot solved without a transfer is 20%), the dissatisfied ones escalated and escalated by
their first dissatisfied turn. The MultiWOZ dialogues the shipped handover model is trained on
(`baton train handover --calm-dialogues`, the same seeded draw) are left out of the MultiWOZ rows.

USS's dissatisfaction is mostly about the system's last answer, and its raters disagree as much as methods do
(docs/decision.md): the dissatisfied rows are context, not a target.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "shared"))
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")
os.environ.setdefault("BATON_MODELS_DIR", str(ROOT / "layers" / "models"))
os.environ.setdefault("OMP_NUM_THREADS", "1")

from table import print_table  # noqa: E402


def _rows(dialogues: list, count: int | None, skip: set[str]) -> tuple[list[str], list[str]]:
    from baton.training.handover import dialogue_row

    calm, unhappy = [], []
    for d in dialogues:
        if d.key not in skip:
            (calm if d.first_need is None else unhappy).append(
                json.dumps(dialogue_row(d, d.key), ensure_ascii=False)
            )
    rng = random.Random(5)
    rng.shuffle(calm)
    rng.shuffle(unhappy)
    return calm[:count], unhappy[:count]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--count", type=int, default=200, help="dialogues drawn per corpus and label (200)")
    args = parser.parse_args()

    from baton.decision.evaluation import evaluate_file
    from baton.decision.params import load_default
    from baton.scoring.loader import load_models
    from baton.scoring.scorer import Scorer
    from baton.training.decision import read_maia, read_uss_file
    from baton.training.handover import CALM_DIALOGUE_COUNT, SEED, calm_draw

    uss = args.data / "uss"
    if not uss.is_dir():
        print(f"long dialogues: skipped, no {uss} (the rated dialogues are not committed)")
        return
    corpora = {name: read_uss_file(uss / f"{name}.txt") for name in ("MWOZ", "SGD")}
    trained_on = {d.key for d in calm_draw(corpora["MWOZ"], CALM_DIALOGUE_COUNT, SEED)}  # what training draws
    maia_dir = args.data / "maia_dqe"
    if maia_dir.is_dir():
        corpora.update(read_maia(maia_dir)[0])
    scorer = Scorer(load_models())
    params = load_default()
    rows: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, dialogues in corpora.items():
            count = None if name.startswith("MAIA") else args.count
            calm, unhappy = _rows(dialogues, count, trained_on if name == "MWOZ" else set())
            path = Path(tmp) / f"{name}.jsonl"
            path.write_text("\n".join(calm + unhappy) + "\n", encoding="utf-8")
            summary = evaluate_file(path, scorer, params).summary()
            turns = sum(sum(t.role == "customer" for t in d.turns) for d in dialogues) / len(dialogues)
            r, e = summary["resolve"], summary["escalate"]
            rows += [
                (
                    f"{name} ({turns:.0f} customer turns a dialogue): calm dialogues escalated",
                    f"{r['escalated']}/{r['n']} ({r['escalated_share']:.0%})",
                    "<= 20%",
                ),
                (
                    f"{name}: dissatisfied escalated (by the first dissatisfied turn)",
                    f"{e['escalated']}/{e['n']} ({e['escalated_share']:.0%}; {e['in_time_share']:.0%})",
                    "info",
                ),
            ]
    print_table(rows, f"; decision parameters {params.version}")


if __name__ == "__main__":
    main()
