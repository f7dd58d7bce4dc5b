"""How well one USS rater predicts the others (`baton.training.rater_agreement`), and how the decision card
reports it next to the model's own figures."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from baton.training.decision import Dialogue, Turn, _ceiling_lines, _target_sentence, read_uss_file
from baton.training.rater_agreement import rater_ceiling


def _dialogue(index: int, turns: list[tuple[int, ...]]) -> Dialogue:
    out: list[Turn] = []
    for ratings in turns:
        out.append(Turn("customer", "text", sum(r <= 2 for r in ratings) * 2 > len(ratings), ratings))
        out.append(Turn("bot", "answer"))
    return Dialogue("T", index, out)


def test_ratings_are_kept_in_the_files_rater_order(tmp_path: Path) -> None:
    path = tmp_path / "T.txt"
    path.write_text(
        "USER\tfind me a train\tINFORM\t3,1,4,2\nSYSTEM\tthere is none\t\t\nUSER\tOVERALL\t\t1,1,1\n",
        encoding="utf-8",
    )
    (dialogue,) = read_uss_file(path)
    assert [t.ratings for t in dialogue.turns] == [(3, 1, 4, 2), ()]


def test_raters_who_always_agree_predict_each_other_perfectly() -> None:
    # Half the dialogues turn sour on their third turn, in every rater's eyes.
    dialogues = [
        _dialogue(i, [(4, 4, 4, 4), (3, 3, 3, 3)] + ([(1, 2, 1, 2)] if i % 2 else [(3, 4, 3, 4)]))
        for i in range(40)
    ]
    c = rater_ceiling(dialogues)
    assert c is not None
    assert c["dialogues"] == 40 and c["need_share"] == 0.5
    assert c["rater_auroc"] == 1.0
    assert c["rater_policy_cost_ratio"] == 0.0 and c["rater_policy_timeliness"] == 1.0
    assert c["rater_best_cost_ratio"] == 0.0


def test_a_rater_unrelated_to_the_others_predicts_them_no_better_than_chance() -> None:
    rng = random.Random(7)
    dialogues = [
        _dialogue(i, [tuple(rng.choice((1, 2, 3, 4, 5)) for _ in range(4)) for _ in range(6)])
        for i in range(400)
    ]
    c = rater_ceiling(dialogues)
    assert c is not None
    assert abs(c["rater_auroc"] - 0.5) < 0.08
    # Hindsight picks the cheapest cut, but there is nothing to cut on: no better than a trivial policy.
    assert c["rater_best_cost_ratio"] > 0.9
    assert c["rater_policy_cost_ratio"] > 0.9


def test_dialogues_with_too_few_raters_on_a_turn_are_left_out() -> None:
    agreeing = [_dialogue(i, [(4, 4, 4, 4), (1, 1, 1, 1) if i % 2 else (4, 4, 4, 4)]) for i in range(30)]
    three_raters = [_dialogue(100 + i, [(4, 4, 4, 4), (1, 1, 1)]) for i in range(30)]
    c = rater_ceiling(agreeing + three_raters)
    assert c is not None and c["dialogues"] == 30
    assert rater_ceiling(three_raters) is None  # none qualifies
    assert rater_ceiling(agreeing[:10]) is None  # too few to say anything


def _row(cost_ratio: float, timeliness: float, auroc: float) -> dict[str, object]:
    point = {"cost_ratio": cost_ratio, "timeliness": timeliness}
    return {"valid": point, "valid_cost_optimal": point, "valid_dialogue_auroc": auroc}


@pytest.mark.parametrize(
    ("ratio", "timeliness", "met"), [(0.85, 0.7, True), (0.95, 0.7, False), (0.85, 0.4, False)]
)
def test_the_card_says_whether_the_targets_are_met(ratio: float, timeliness: float, met: bool) -> None:
    sentence = _target_sentence([_row(ratio, timeliness, 0.7), _row(0.8, 0.9, 0.8)])
    assert sentence.startswith("**Both targets are met") is met
    assert ("Neither operating point" in sentence) is not met


def test_the_card_sets_the_rater_ceiling_against_the_model() -> None:
    ceiling = {
        "MWOZ": {
            "dialogues": 425,
            "raters_held_out": 4,
            "need_share": 0.45,
            "rater_auroc": 0.671,
            "rater_policy_cost_ratio": 1.067,
            "rater_policy_timeliness": 0.622,
            "rater_best_cost_ratio": 0.939,
        },
        "CCPE": None,  # too few dialogues with enough raters: not shown
    }
    text = "\n".join(_ceiling_lines(ceiling, [_row(0.956, 0.84, 0.597), _row(0.96, 0.61, 0.62)]))
    assert "| MWOZ | 425 | 45% | 0.671 | 1.067 / 62.2% | 0.939 |" in text
    assert "CCPE" not in text
    assert "dialogue AUROC 0.597-0.620, cost ratio at the cost-optimal point 0.956-0.960" in text
    assert "No held-out rater reaches the cost target (0.9)" in text
    ceiling["MWOZ"]["rater_best_cost_ratio"] = 0.8  # type: ignore[index]
    assert "No held-out rater reaches" not in "\n".join(_ceiling_lines(ceiling, [_row(0.95, 0.8, 0.6)]))
    assert _ceiling_lines({"MWOZ": None}, []) == []
