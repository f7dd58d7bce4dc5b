"""The decision fit's choice of thresholds (`baton.training.decision`): the shipped operating point caps the
share of calm conversations that get escalated; the cost-optimal one is still computed and reported."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from pytest_mock import MockerFixture

from baton.decision.metrics import Report
from baton.training.decision import (
    MAX_FALSE_RATE,
    Matrix,
    Policy,
    build_parser,
    choose_policy,
    false_rate,
    outcomes,
    pick_policy,
    simulate,
)

CALM_PEAKS = (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65)
NEEDING_PEAKS = (0.3, 0.5, 0.6, 0.62, 0.7, 0.8)


def _matrix() -> tuple[np.ndarray, Matrix]:
    """16 dialogues of 3 customer turns: the risk peaks on turn 1; the needing ones are dissatisfied on turn 1.
    Escalating every dialogue costs 10 (the calm ones); the cheapest threshold (0.5) escalates 4 calm ones."""
    risk, starts, first_need = [], [], []
    for peak, need in [(p, None) for p in CALM_PEAKS] + [(p, 1) for p in NEEDING_PEAKS]:
        starts.append(len(risk))
        risk += [0.05, peak, 0.05]
        first_need.append(need)
    n = len(risk)
    empty = np.zeros(n, dtype=bool)
    m = Matrix(
        names=[],
        x=np.zeros((n, 0)),
        turn_label=empty,
        onset_label=empty,
        dialogue_label=empty,
        guard=empty,
        vader=np.zeros(n),
        keyword=empty,
        starts=starts,
        first_need=first_need,
    )
    return np.asarray(risk), m


def test_cost_optimal_point_escalates_more_calm_dialogues_than_the_cap_allows() -> None:
    risk, m = _matrix()
    _, optimal = choose_policy(risk, m)
    assert optimal.cost_ratio == pytest.approx(0.7)
    assert false_rate(optimal) == pytest.approx(0.4)


@pytest.mark.parametrize("cap", [0.1, 0.2, 0.3])
def test_capped_point_escalates_at_most_the_cap_of_calm_dialogues(cap: float) -> None:
    risk, m = _matrix()
    policy, report = choose_policy(risk, m, max_false_rate=cap)
    assert false_rate(report) <= cap
    assert report.cost_ratio > 0.7  # the cap costs something here: the cheapest point escalates 40 %
    # The reported outcome is the policy's, not a stale one.
    again = outcomes(m.first_need, simulate(risk, m.guard, m.starts, policy))
    assert again.false_escalations == report.false_escalations
    assert again.missed == report.missed


def test_a_cap_of_one_is_the_cost_optimal_point() -> None:
    risk, m = _matrix()
    assert choose_policy(risk, m, max_false_rate=1.0) == choose_policy(risk, m)


def _report(false: int, missed: int, calm: int = 10, needing: int = 6) -> Report:
    cost = 3 * missed + false
    return Report(
        dialogues=calm + needing,
        needing=needing,
        escalated=false + needing - missed,
        missed=missed,
        false_escalations=false,
        cost=cost,
        trivial_cost=calm,
        trivial_policy="escalate all",
        cost_ratio=cost / calm,
        timely=needing - missed,
        timeliness=(needing - missed) / needing,
    )


def test_when_no_setting_keeps_under_the_cap_the_fewest_false_escalations_win() -> None:
    low, high = Policy(0.3, 0.3, 0.3, 0.3, 1), Policy(0.9, 0.9, 0.9, 0.9, 1)
    tried = [(low, _report(false=8, missed=0)), (high, _report(false=3, missed=5))]
    assert pick_policy(tried, 0.1)[0] == high
    assert pick_policy(tried, None)[0] == low


@pytest.mark.parametrize("value", ["0", "1.5", "-0.2", "lots"])
def test_cli_rejects_a_cap_that_is_not_a_share(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(["--out", "x", "--max-false-rate", value])
    assert exit_info.value.code == 2
    assert repr(value) in capsys.readouterr().err


def test_cli_default_cap() -> None:
    args = build_parser().parse_args(["--out", "x"])
    assert args.max_false_rate == MAX_FALSE_RATE


def test_held_out_sentiment_models_can_be_trained_in_the_shipped_branch_family(
    tmp_path: Path, mocker: MockerFixture
) -> None:
    from baton.training import decision as fit
    from baton.training import sentiment

    def fake_main(argv: list[str]) -> int:
        out = Path(argv[argv.index("--out") + 1]) / "sentiment"
        out.mkdir(parents=True)
        (out / "manifest.json").write_text("{}")
        return 0

    main = mocker.patch.object(sentiment, "main", side_effect=fake_main)
    uss = tmp_path / "uss"
    uss.mkdir()
    (uss / "SGD.txt").write_text("USER\thi\t\t3,3,3\n")
    branch = ["--encoder", "layers/models/encoder", "--torch-python", "/venv/bin/python", "--threads", "1"]
    ngram_dir = fit.holdout_sentiment(uss, "MWOZ", ["SGD"], tmp_path / "cache")
    branch_dir = fit.holdout_sentiment(uss, "MWOZ", ["SGD"], tmp_path / "cache", branch)
    assert ngram_dir != branch_dir  # cached apart: one family's scores never stand in for the other's
    ngram_argv, branch_argv = (c.args[0] for c in main.call_args_list)
    assert "--torch-python" not in ngram_argv
    assert branch_argv[-len(branch) :] == branch
    assert fit.holdout_sentiment(uss, "MWOZ", ["SGD"], tmp_path / "cache", branch) == branch_dir
    assert main.call_count == 2  # the second time, from the cache
