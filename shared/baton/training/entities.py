"""`baton train entities`: the handoff packet's learned reader (`baton.routing.entity_model`).

    baton train entities --data events/labelled/handoff_entities.jsonl \\
        --data events/labelled/handoff_entities_test.jsonl --data events/labelled/handoff_entities_test3.jsonl ... \\
        --out shared/baton/routing/entity_model.json

Writes the weights table (JSON) and, beside it, its card (`ENTITY_MODEL.md`).

- Data: the handoff packet's labelled sets (`events/labelled/handoff_entities*.jsonl`: conversations with the
  entities a human expects, kind, value as typed and seq), and `--synthetic` lines composed by
  `baton.training.entity_synth` (seeded): shapes rather than instances. Every customer message up to the escalating
  one is read; each span `entity_model.candidates` yields is an example, labelled with the kind of the labelled id,
  code or date it equals (`order_id`, `invoice_id`, `ticket_id`, `error_code`, `date`; an error code also when the
  label keeps a word before it, `error 1603`), else `none` (so `DL-55` is a `none` where `DL-55 812` is the
  order's, and so are versions, models, quantities, and amounts, which the patterns read).
- Model: multinomial logistic regression (scikit-learn, L2, `--C`) over `entity_model.features`; weights under
  `--prune` in every kind are dropped (a table of a few thousand features rather than all the n-grams seen).
- The thresholds (`--threshold` for ids, `--code-threshold`, `--date-threshold`) are the model's probability of a
  kind above which the packet adds a span the patterns left; they were chosen leave-one-author-out. Measure an idea leave-one-author-out with `bench/handoff.py --loao`, which
  trains a model with this module on every set but the one it measures.
Deterministic: the same data and options give the same file, byte for byte.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from baton.routing import entity_model
from baton.routing.entity_model import KINDS, EntityModel, candidates, features

LEARNED_KINDS = frozenset(KINDS[1:])


def _normal(value: str) -> str:
    return " ".join(value.casefold().lstrip("#").split())


def examples(cases: Iterable[dict[str, Any]]) -> tuple[list[list[str]], list[str]]:
    """(features, kind) of every candidate span in the customer's messages up to the escalation."""
    xs, ys = [], []
    for case in cases:
        gold: dict[int, dict[str, str]] = {}
        for e in case["entities"]:
            value = _normal(e["value"])
            gold.setdefault(e["seq"], {})[value] = e["kind"]
            # `error 1603`, `kod błędu 30051`: the code after the words is the candidate.
            if e["kind"] == "error_code" and " " in value:
                gold[e["seq"]].setdefault(value.rsplit(" ", 1)[1], "error_code")
        previous = ""
        for m in sorted(case["messages"], key=lambda m: m["seq"]):
            if m["role"] == "customer" and m["seq"] <= case["escalated_seq"]:
                text = m["text"]
                for start, end in candidates(text):
                    kind = gold.get(m["seq"], {}).get(_normal(text[start:end]), "none")
                    xs.append(features(text, start, end, previous))
                    ys.append(kind if kind in LEARNED_KINDS else "none")
            previous = m["text"]
    return xs, ys


def read_cases(paths: Sequence[Path]) -> list[dict[str, Any]]:
    cases = []
    for path in paths:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                case = json.loads(line)
                case["entities"], case["messages"], case["escalated_seq"]  # the keys it needs
            except (ValueError, KeyError, TypeError) as exc:
                raise SystemExit(f"{path}:{n}: not a labelled conversation ({exc})") from None
            cases.append(case)
    return cases


THRESHOLD = 0.3
EXTEND = 0.5
DATE_THRESHOLD = 0.3
CODE_THRESHOLD = 0.6
START_THRESHOLD = 1.0
"""The reader's shipped thresholds (docs/routing.md, the rounds that chose them): `train`'s defaults and `baton train
entities`'s (`add_model_options`), kept in one place (before 2026-12-07 `train` had its own, and they had drifted)."""


def train(
    cases: Sequence[dict[str, Any]],
    c: float = 1.0,
    prune: float = 0.1,
    threshold: float = THRESHOLD,
    extend: float = EXTEND,
    augment: bool = False,
    date_threshold: float = DATE_THRESHOLD,
    code_threshold: float = CODE_THRESHOLD,
    start_threshold: float = START_THRESHOLD,
    synthetic: int = 0,
    seed: int = 11,
) -> dict[str, Any]:
    """The weights table (`entity_model.from_json` reads it) of a model trained on `cases`, and `synthetic`
    composed lines (`baton.training.entity_synth`, seeded by `seed`)."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    from baton.training.entity_synth import synthetic_cases

    xs, ys = examples([*cases, *synthetic_cases(synthetic, seed)])
    if augment:
        # The span alone, as if no word around it were known: what a shape says when a writer's words are new.
        context = ("w-", "w+", "L:", "L1:", "R:", "b:")
        xs += [[f for f in x if not f.startswith(context)] for x in xs]
        ys += ys
    vectorizer = DictVectorizer()
    x = vectorizer.fit_transform([dict.fromkeys(f, 1) for f in xs])
    model = LogisticRegression(C=c, max_iter=3000)
    model.fit(x, ys)
    classes = list(model.classes_)
    order = [classes.index(k) for k in KINDS if k in classes]
    kinds = [classes[i] for i in order]
    if kinds[0] != "none":
        raise SystemExit("train entities: the data holds no candidate that is not an entity")
    weights: dict[str, list[float]] = {"bias": [round(float(model.intercept_[i]), 3) for i in order]}
    for j, name in enumerate(vectorizer.get_feature_names_out()):
        w = [float(model.coef_[i, j]) for i in order]
        if max(abs(v) for v in w) >= prune:
            old = weights.get(name, [0.0] * len(order))
            weights[name] = [round(a + b, 3) for a, b in zip(old, w, strict=True)]
    return {
        "features_version": entity_model.FEATURES_VERSION,
        "kinds": kinds,
        "threshold": threshold,
        "extend": extend,
        "date_threshold": date_threshold,
        "code_threshold": code_threshold,
        "start_threshold": start_threshold,
        "synthetic": synthetic,
        "seed": seed,
        "augment": augment,
        "C": c,
        "prune": prune,
        "examples": len(ys),
        "labels": dict(sorted(Counter(ys).items())),
        "weights": dict(sorted(weights.items())),
    }


def fitted(cases: Sequence[dict[str, Any]], **options: Any) -> EntityModel:
    return entity_model.from_json(train(cases, **options))


CARD = """# The handoff packet's learned reader (`entity_model.json`)

What it does: decides whether a span that the packet's patterns left is an order, invoice or ticket id, an error
code, a date or nothing (`DL-55 812`, `KOI-5582`, `AADSTS50011`, `21-04`), from the span's shape and character
n-grams of the words around it (`baton.routing.entity_model`). The packet adds such a span when its likeliest kind
is an id's with probability >= {threshold} (not with fewer than three digits, an
article, possessive or count just before it, or a standard's prefix: `baton.routing.packet._may_be_learned`; with
nothing before it in its sentence, >= {start_threshold} and only answering a message before it), an
error code's with >= {code_threshold} (not a standard, a version or a model: `_may_be_learned_code`), or a date's
with >= {date_threshold} (only a day and a month, `14/2`, `1.9`, not after a version's word:
`_may_be_learned_date`); it gives a pattern's id its longer form typed in parts at >= {extend}.

- Trained by (`baton.training.entities`; deterministic: the same data and options give the same file):

      baton train entities {data_args} \\
          --out shared/baton/routing/entity_model.json

- Data: {n_sets} labelled sets, {n_cases} conversations, and {synthetic} composed lines (`--synthetic`,
  `baton.training.entity_synth`, seed {seed}: id words of many languages x id shapes x sentence frames, error words
  x code shapes, date words x day-and-month shapes, with hard negatives; measured leave-one-author-out they added
  nothing beyond a seed's noise, so the default is none); {examples} candidate spans ({labels}).
- Model: multinomial logistic regression, L2 (C = {C}), {n_weights} features kept (|weight| >= {prune}),
  features version {features_version}. Pure Python at inference (no numpy), one JSON table.
- Measured leave-one-author-out (`bench/handoff.py --loao`: each set measured by a model trained on all the
  others and the composed lines): see docs/routing.md (test27's round, twenty-six left-out sets: 99.10% recall,
  99.06% precision with the patterns, comparison and thresholds of that round, 98.73% / 98.92% with the patterns of
  the round before under that comparison; the id threshold 0.3 since test22's round (0.25 and 0.35 measured again in
  test25's, test26's and test27's rounds and not taken, 0.4 in test24's): 0.35 before, since test20's round, and 0.4
  before it; the date threshold 0.3 and the extend threshold 0.5 since test24's round: 0.4 since test17's round and
  0.9 before; the code threshold 0.5 and 0.7 and the start threshold 0.9 and 0.8 tried in test24's round and not
  taken, as in test18's). A set it was trained on measures nothing; a blind set is measured once (test27: 84.9% /
  91.4% for the packet, then read by family and trained on in test27's round; test26 before it 90.0% / 97.7%, test25
  96.2% / 98.3%, test24 93.9% / 96.8%); the next author's set is measured when it is added.
- Limits: it reads spans holding a digit only (not `invalid_grant`, amounts or products, nor a date with a month's
  name); it learned the kinds the labelled sets' authors gave, who disagree on some (`RMA`, `WO-`, a claim's number, a
  reference no word names: tickets to some, orders to others); the composed lines carry shapes, not the words a
  writer of another trade will use.
"""


def add_model_options(parser: argparse.ArgumentParser, *, sweep: bool = False, note: str = "") -> None:
    """The learned reader's options and their defaults, for this command and for `bench/handoff.py --loao` (its
    `note` prefixes each help; `sweep`: `--threshold` takes several values)."""
    parser.add_argument("--C", type=float, default=1.0, help=f"{note}inverse L2 strength")
    parser.add_argument(
        "--prune", type=float, default=0.1, help=f"{note}drop features whose weights are all smaller"
    )
    parser.add_argument(
        "--threshold",
        type=float,
        nargs="+" if sweep else None,
        default=[THRESHOLD] if sweep else THRESHOLD,
        help=f"{note}probability above which a span is added" + (" (several: one run each)" if sweep else ""),
    )
    parser.add_argument(
        "--extend",
        type=float,
        default=EXTEND,
        help=f"{note}probability above which a pattern's id gets its longer form",
    )
    parser.add_argument(
        "--date-threshold",
        type=float,
        default=DATE_THRESHOLD,
        help=f"{note}probability above which a day and a month is added",
    )
    parser.add_argument(
        "--code-threshold",
        type=float,
        default=CODE_THRESHOLD,
        help=f"{note}probability above which an error code is added",
    )
    parser.add_argument(
        "--start-threshold",
        type=float,
        default=START_THRESHOLD,
        help=f"{note}probability above which an id nothing precedes in its sentence is added, answering a message",
    )
    parser.add_argument(
        "--synthetic",
        type=int,
        default=0,
        help=f"{note}composed lines (`baton.training.entity_synth`) added to the labelled sets; 0: none",
    )
    parser.add_argument("--seed", type=int, default=11, help=f"{note}the composed lines' seed")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="baton train entities", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data", type=Path, action="append", required=True, help="a labelled set (repeatable)"
    )
    parser.add_argument(
        "--out", type=Path, required=True, help="the weights file (its card is written beside)"
    )
    add_model_options(parser)
    args = parser.parse_args(argv)
    if args.synthetic < 0:
        raise SystemExit("train entities: --synthetic is a count of lines, 0 or more")
    for path in args.data:
        if not path.is_file():
            raise SystemExit(f"train entities: no such file {path}")
    cases = read_cases(args.data)
    table = train(
        cases,
        c=args.C,
        prune=args.prune,
        threshold=args.threshold,
        extend=args.extend,
        date_threshold=args.date_threshold,
        code_threshold=args.code_threshold,
        start_threshold=args.start_threshold,
        synthetic=args.synthetic,
        seed=args.seed,
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(table, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    card = CARD.format(
        threshold=args.threshold,
        extend=args.extend,
        date_threshold=args.date_threshold,
        code_threshold=args.code_threshold,
        start_threshold=args.start_threshold,
        synthetic=args.synthetic,
        seed=args.seed,
        data_args=" \\\n          ".join(f"--data {p.as_posix()}" for p in args.data),
        n_sets=len(args.data),
        n_cases=len(cases),
        examples=table["examples"],
        labels=", ".join(f"{k} {v}" for k, v in table["labels"].items()),
        C=args.C,
        n_weights=len(table["weights"]),
        prune=args.prune,
        features_version=table["features_version"],
    )
    (args.out.parent / "ENTITY_MODEL.md").write_text(card, encoding="utf-8")
    print(f"{args.out}: {len(table['weights'])} features, {table['examples']} examples {table['labels']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
