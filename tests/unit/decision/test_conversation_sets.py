"""The labelled support conversations, decided by the shipped models and parameters (`baton eval conversations`).

Floors, not targets: each development set keeps what it reaches today (in time, and `resolve` conversations left
alone), so a change that loses an escalation or escalates a calm conversation on them fails here and has to say
why. The held-out sets (`HELD_OUT_SETS`, written blind, never trained on) have their floors at what their
measurement at the end of their round gave and the 80%-in-time target (docs/decision.md, "Quality on support traffic"); the lists
of sets are `baton.decision.evaluation`'s."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from baton.decision.evaluation import DEVELOPMENT_SETS, HELD_OUT_SETS, evaluate_file
from baton.decision.params import load_default

LABELLED = Path(__file__).resolve().parents[3] / "events" / "labelled"

FLOORS = {
    # file: (escalate in time at least, resolve escalated at most), clear cases; since the long calm dialogues' round
    # (the handover model trained with long calm task dialogues as negatives, at 0.91: docs/decision.md, "Long calm
    # dialogues") what each set gives with that model
    "support_conversations.jsonl": (
        35,
        3,
    ),  # resolve 3 since the handover model's retrain (2026-12-07)
    "support_conversations_test2.jsonl": (39, 5),
    "support_conversations_test3.jsonl": (38, 5),
    "support_conversations_test4.jsonl": (41, 5),
    "support_conversations_test5.jsonl": (32, 2),
    "support_conversations_test6.jsonl": (37, 1),  # 37 since the 61st and 63rd sets' round
    "support_conversations_test7.jsonl": (39, 1),
    "support_conversations_test8.jsonl": (40, 1),
    # (the forty-first set's round: 43 -> 42 with the handover model retrained with the forty-first set, as left out
    # of its training both before and after)
    "support_conversations_test9.jsonl": (43, 0),
    "support_conversations_test10.jsonl": (38, 3),
    "support_conversations_test11.jsonl": (40, 3),
    "support_conversations_test12.jsonl": (39, 2),  # 39 since the 55th and 57th sets' round
    "support_conversations_test13.jsonl": (40, 2),
    "support_conversations_test14.jsonl": (41, 1),
    "support_conversations_test15.jsonl": (40, 3),
    "support_conversations_test16.jsonl": (39, 0),
    "support_conversations_test17.jsonl": (40, 6),
    "support_conversations_test20.jsonl": (38, 3),
    # read since the eighteenth set's round (held out before: 31 of 42 in time at the first session's start; 33 at
    # the start of the round that read it)
    "support_conversations_test18.jsonl": (38, 5),
    # held out: 40 of 42 in time with the code of the session's start (resolve 5 of 53); 39 before the long calm
    # dialogues' round, 37 since, 38 since its second round
    "support_conversations_test19.jsonl": (38, 5),
    # held out, written with the nineteenth and twentieth sets: 35 of 43 / 40 of 47 in time with the code of the
    # session's start (resolve 3 of 52 / 6 of 49); the twenty-second 41 since the eighteenth set's round; since the
    # long calm dialogues' round 34 of 43 (36 before) and 41 of 47 with 4 resolve escalated (6 before); the
    # twenty-first 35 since the thirty-seventh set's round
    "support_conversations_test21.jsonl": (36, 3),
    "support_conversations_test22.jsonl": (41, 4),
    # held out, written during the eighteenth set's round: 35 of 43 in time with the code of the session's start
    # (resolve 7 of 52; 5 since the long calm dialogues' round, 6 since its second round)
    "support_conversations_test24.jsonl": (36, 5),  # 36 since the 51st and 53rd sets' round
    # read since the twenty-third set's round (held out before: 27 of 43 in time at the session's start and after the
    # eighteenth set's round)
    "support_conversations_test23.jsonl": (36, 3),
    # read since the twenty-fifth set's round (held out before: 28 of 43 in time at the twenty-third set's round's
    # start and end)
    "support_conversations_test25.jsonl": (35, 6),
    # read since the twenty-sixth set's round (held out before: 29 of 43 in time at the twenty-third and twenty-fifth
    # sets' rounds' starts and ends)
    "support_conversations_test26.jsonl": (33, 3),
    # held out, written during the twenty-fifth set's round: 28 of 43 / 33 of 43 in time with the code of the
    # session's start (resolve 4 of 52 / 3 of 52); 29 / 33 at the round's end; 28 / 31 (resolve 2 / 3) since the long
    # calm dialogues' round; the twenty-eighth 33 since its second round, 32 since the thirtieth set's round
    "support_conversations_test27.jsonl": (29, 2),  # 29 since the forty-first set's round
    "support_conversations_test28.jsonl": (32, 3),
    # held out, written during the long calm dialogues' second round: long conversations with an LLM agent, 14 of 23
    # in time with the code of the session's start and at the round's end (resolve 6 of 33 both times); 13 (resolve
    # 5) since the thirtieth set's round, 14 since the thirty-fourth's
    "support_conversations_test29.jsonl": (15, 4),  # 15 since the forty-fifth set's round
    # read since the thirtieth set's round (long conversations with an LLM agent; held out before: 16 of 23 in time at
    # the session's start and at the long calm dialogues' second round's end, resolve 8 / 10 of 33)
    "support_conversations_test30.jsonl": (19, 7),
    # held out, written with the thirtieth: 17 of 23 in time with the code of the session's start and at the long calm
    # dialogues' second round's end (resolve 6 of 33); 18 since the thirtieth set's round
    "support_conversations_test31.jsonl": (
        20,
        7,
    ),  # 20, resolve 7 since the 47th and 49th sets' round
    # read since the thirty-second set's round (long conversations with an LLM agent; held out before: 15 of 23 in
    # time at the session's start, resolve 7 of 34); 20 since the thirty-fifth's
    "support_conversations_test32.jsonl": (20, 4),
    # held out, written with the thirty-second: 17 of 22 in time with the code of the session's start and at the
    # thirty-second set's families' end (resolve 4 of 34); 18 since the thirty-fourth set's round; resolve 5 since the
    # handover model's retrain with the forty-first set
    "support_conversations_test33.jsonl": (18, 5),
    # read since the thirty-fourth set's round (long conversations with an LLM agent; held out before: 18 of 23 in
    # time with the session's starting code and at the thirty-second set's round's end, resolve 6 of 33)
    "support_conversations_test34.jsonl": (
        23,
        5,
    ),  # resolve 5 since the handover model's retrain (2026-12-07)
    # read since the thirty-fifth set's round (long conversations with an LLM agent; held out before: 19 of 22 in
    # time with the session's starting code and after the thirty-fourth set's round, resolve 4 of 34)
    "support_conversations_test35.jsonl": (22, 2),
    # held out, written with the thirty-fifth: 16 of 22 in time with the code of the session's start and at the
    # thirty-fifth set's round's start (resolve 8 of 34 both), 17 at its end
    "support_conversations_test36.jsonl": (17, 8),
    # read since the thirty-seventh set's round (long conversations with an LLM agent; 18 of 22 in time when it
    # arrived, resolve 6 of 34)
    "support_conversations_test37.jsonl": (21, 6),
    # held out, written with the thirty-seventh: 21 of 24 in time with the code of the session's start and at the
    # thirty-seventh set's round's end (resolve 4 of 32 both)
    "support_conversations_test38.jsonl": (22, 4),  # 22 since the forty-first set's round
    # read since the thirty-ninth set's round (long conversations with an LLM agent; 19 of 23 in time when it
    # arrived, resolve 3 of 33)
    "support_conversations_test39.jsonl": (22, 2),
    # held out, written with the thirty-ninth: 19 of 23 in time with the code of the session's start and at the
    # thirty-ninth set's round's end (resolve 3 of 33 both)
    "support_conversations_test40.jsonl": (19, 3),
    # read since the forty-first and forty-third sets' round (short conversations; 30 of 43 in time when it arrived,
    # resolve 7 of 52)
    "support_conversations_test41.jsonl": (40, 7),
    # held out, written with the forty-first: 34 of 43 in time with the code of the session's start and at the
    # forty-first and forty-third sets' round's end (resolve 2 of 52 both)
    "support_conversations_test42.jsonl": (
        35,
        2,
    ),  # 35, resolve 2 since the 47th and 49th sets' round
    # read since the forty-first and forty-third sets' round (long conversations with an LLM agent; 17 of 21 in time
    # when it arrived, resolve 2 of 35)
    "support_conversations_test43.jsonl": (20, 2),
    # held out, written with the forty-third: 19 of 21 in time with the code of the session's start and at the
    # forty-first and forty-third sets' round's end (resolve 6 of 35 both)
    # (20 in time since the 51st and 53rd sets' round, resolve 5 since the 61st and 63rd sets')
    "support_conversations_test44.jsonl": (20, 5),
    # read since the forty-fifth set's round (short conversations; 35 of 43 in time when it arrived, resolve 1 of 52)
    "support_conversations_test45.jsonl": (40, 1),
    # held out, written with the forty-fifth: 34 of 43 in time with the code of the session's start and at the
    # forty-fifth set's round's end (resolve 6 of 52 both)
    "support_conversations_test46.jsonl": (36, 6),  # 36 since the 47th and 49th sets' round
    # read since the forty-seventh and forty-ninth sets' round (long conversations with an LLM agent; 21 of 23 in time
    # when it arrived, resolve 8 of 33)
    "support_conversations_test47.jsonl": (23, 7),
    # held out, written with the forty-seventh: 21 of 23 in time with the code of the session's start and at the
    # forty-seventh and forty-ninth sets' round's end (resolve 7 of 33 both)
    "support_conversations_test48.jsonl": (21, 7),
    # read since the forty-seventh and forty-ninth sets' round (short conversations; 35 of 43 in time when it arrived,
    # resolve 1 of 52)
    "support_conversations_test49.jsonl": (38, 0),
    # held out, written with the forty-ninth: 28 of 43 in time with the code of the session's start and at the
    # forty-seventh and forty-ninth sets' round's end (resolve 4 of 52 both)
    "support_conversations_test50.jsonl": (28, 4),
    # read since the fifty-first and fifty-third sets' round (short conversations; 35 of 43 in time when it arrived,
    # resolve 8 of 52); not yet training data of the handover model
    "support_conversations_test51.jsonl": (39, 5),
    # held out, written with the fifty-first: 33 of 43 in time with the code of the session's start, 32 after the
    # forty-seventh and forty-ninth sets' round and at the fifty-first and fifty-third sets' round's end (resolve 4)
    "support_conversations_test52.jsonl": (32, 3),  # resolve 3 since the 61st and 63rd sets' round
    # read since the fifty-first and fifty-third sets' round (long conversations with an LLM agent; 20 of 23 in time
    # when it arrived, resolve 5 of 33)
    "support_conversations_test53.jsonl": (22, 5),
    # held out, written with the fifty-third: 19 of 22 in time with the code of the session's start, after the
    # forty-seventh and forty-ninth sets' round and at the fifty-first and fifty-third sets' round's end (resolve 5,
    # 6, 5 of 34)
    "support_conversations_test54.jsonl": (19, 5),
    # read since the fifty-fifth and fifty-seventh sets' round (short conversations; 31 of 43 in time with the
    # session's starting code, 32 when it arrived, resolve 1 of 52); not yet training data of the handover model
    "support_conversations_test55.jsonl": (37, 1),
    # held out, written with the fifty-fifth: 35 of 43 in time with the code of the session's start, at its arrival
    # and at the fifty-fifth and fifty-seventh sets' round's end (resolve 1 of 52 each time)
    "support_conversations_test56.jsonl": (35, 1),
    # read since the fifty-fifth and fifty-seventh sets' round (long conversations with an LLM agent; 17 of 22 in
    # time when it arrived, resolve 9 of 34)
    "support_conversations_test57.jsonl": (19, 8),
    # held out, written with the fifty-seventh: 17 of 22 in time with the code of the session's start, 18 at its
    # arrival and at the fifty-fifth and fifty-seventh sets' round's end (resolve 4 of 34 each time)
    "support_conversations_test58.jsonl": (18, 3),  # resolve 3 since the 61st and 63rd sets' round
    # read since the fifty-ninth set's round (short conversations; 33 of 43 in time with the session's starting code,
    # 34 when it arrived, resolve 2 of 52); not yet training data of the handover model
    "support_conversations_test59.jsonl": (39, 2),
    # held out, written with the fifty-ninth: 30 of 43 in time with the code of the session's start, 33 at its arrival
    # and at the fifty-ninth set's round's end (resolve 3 of 52 each time)
    "support_conversations_test60.jsonl": (33, 3),
    # read since the sixty-first and sixty-third sets' round (short conversations; 35 of 43 in time with the session's
    # starting code and when it arrived, resolve 2 of 52); not yet training data of the handover model
    "support_conversations_test61.jsonl": (39, 1),
    # held out, written with the sixty-first: 37 of 43 in time with the code of the session's start (its arrival) and
    # at the sixty-first and sixty-third sets' round's end (resolve 4 of 52 both)
    "support_conversations_test62.jsonl": (37, 4),
    # read since the sixty-first and sixty-third sets' round (long conversations with an LLM agent; 17 of 21 in time
    # when it arrived, resolve 4 of 35)
    "support_conversations_test63.jsonl": (19, 3),
    # held out, written with the sixty-third: 22 of 22 in time with the code of the session's start (its arrival) and
    # at the sixty-first and sixty-third sets' round's end (resolve 7 of 34 both)
    "support_conversations_test64.jsonl": (22, 7),
    # read since the sixty-fifth and sixty-seventh sets' round (short conversations; 31 of 43 in time with the
    # session's starting code and when it arrived, resolve 2 of 52); not yet training data of the handover model
    "support_conversations_test65.jsonl": (38, 2),
    # held out, written with the sixty-fifth: 30 of 43 in time with the code of the session's start, on arrival and
    # at the sixty-fifth and sixty-seventh sets' round's end (resolve 4 of 52 each time)
    "support_conversations_test66.jsonl": (30, 4),
    # read since the sixty-fifth and sixty-seventh sets' round (long conversations with an LLM agent; 20 of 22 in time
    # when it arrived, resolve 10 of 34)
    "support_conversations_test67.jsonl": (22, 8),
    # held out, written with the sixty-seventh: 18 of 22 in time with the code of the session's start, on arrival and
    # at the sixty-fifth and sixty-seventh sets' round's end (resolve 8 of 34 each time); on an x86 CPU without VNNI
    # (AVX2 only: the eighteenth session's machine), with int8 products exact, 9: one calm conversation sits on the
    # threshold, and the float kernels of the two CPUs round differently (every other set gives the same figures)
    "support_conversations_test68.jsonl": (18, 9),
    # read since the sixty-ninth and seventy-first sets' round (short conversations; 32 of 43 in time with the
    # session's starting code and when it arrived, resolve 1 of 52); not yet training data of the handover model
    "support_conversations_test69.jsonl": (38, 1),
    # held out, written with the sixty-ninth: 32 of 43 in time with the code of the session's start, on arrival and
    # at the sixty-ninth and seventy-first sets' round's end (resolve 7 of 52 each time)
    "support_conversations_test70.jsonl": (32, 7),
    # read since the sixty-ninth and seventy-first sets' round (long conversations with an LLM agent; 19 of 22 in
    # time when it arrived, resolve 4 of 34)
    "support_conversations_test71.jsonl": (19, 4),
    # held out, written with the seventy-first: 17 of 23 in time with the code of the session's start, on arrival
    # and at the sixty-ninth and seventy-first sets' round's end (resolve 7 of 33 each time)
    "support_conversations_test72.jsonl": (17, 7),
    # read since the seventy-third and seventy-fifth sets' round (short conversations; 33 of 43 in time with the
    # session's starting code and when it arrived, resolve 9 of 52); not yet training data of the handover model
    "support_conversations_test73.jsonl": (36, 7),
    # held out, written with the seventy-third: 28 of 43 in time with the code of the session's start, on arrival and
    # at the seventy-third and seventy-fifth sets' round's end (resolve 3 of 52 each time)
    "support_conversations_test74.jsonl": (28, 3),
    # read since the seventy-third and seventy-fifth sets' round (long conversations with an LLM agent; 18 of 21 in
    # time when it arrived, resolve 6 of 35)
    "support_conversations_test75.jsonl": (19, 3),
    # held out, written with the seventy-fifth: 20 of 22 in time with the code of the session's start, on arrival and
    # at the seventy-third and seventy-fifth sets' round's end (resolve 4 of 34 each time)
    "support_conversations_test76.jsonl": (20, 4),
}

IN_TIME_MISSED = {
    "support_conversations_test27.jsonl": "29 of 43 in time (67%) since the forty-first set's round (28 at the "
    "twenty-fifth set's round's start and since the long calm dialogues' round, 29 at the twenty-fifth's end)",
    "support_conversations_test28.jsonl": "32 of 43 in time (74%) since the thirtieth set's round (33 since the long "
    "calm dialogues' second round, 31 in its first, 33 at the twenty-fifth set's round's start and end)",
    "support_conversations_test29.jsonl": "15 of 23 in time (65%) since the forty-fifth set's round (14 since the "
    "thirty-fourth's, 13 since the thirtieth's): long conversations with an LLM agent, escalated late more than never",
    "support_conversations_test36.jsonl": "17 of 22 in time (77%) at the thirty-fifth set's round's end (16 at the "
    "session's start): long conversations with an LLM agent",
    "support_conversations_test50.jsonl": "28 of 43 in time (65%) with the session's starting code and at the "
    "forty-seventh and forty-ninth sets' round's end",
    "support_conversations_test52.jsonl": "32 of 43 in time (74%) at the fifty-first and fifty-third sets' round's end "
    "(33 with the session's starting code)",
    "support_conversations_test60.jsonl": "33 of 43 in time (77%) on arrival and at the fifty-ninth set's round's end "
    "(30 with the session's starting code)",
    "support_conversations_test66.jsonl": "30 of 43 in time (70%) with the session's starting code, on arrival and at "
    "the sixty-fifth and sixty-seventh sets' round's end",
    "support_conversations_test70.jsonl": "32 of 43 in time (74%) with the session's starting code, on arrival and at "
    "the sixty-ninth and seventy-first sets' round's end",
    "support_conversations_test72.jsonl": "17 of 23 in time (74%) with the session's starting code, on arrival and at "
    "the sixty-ninth and seventy-first sets' round's end: long conversations with an LLM agent",
    "support_conversations_test74.jsonl": "28 of 43 in time (65%) with the session's starting code, on arrival and at "
    "the seventy-third and seventy-fifth sets' round's end",
}
"""Held-out sets under the 80%-in-time target, as measured (docs/decision.md, "Quality on support traffic")."""

RESOLVE_MISSED = {
    "support_conversations_test36.jsonl": "8 of 34 resolve escalated (24%) with the session's starting code and at the "
    "thirty-fifth set's round's end: long conversations with an LLM agent",
    "support_conversations_test31.jsonl": "7 of 33 resolve escalated (21%) since the forty-seventh and forty-ninth "
    "sets' round (6 before): long conversations with an AI assistant",
    "support_conversations_test48.jsonl": "7 of 33 resolve escalated (21%) with the session's starting code and at the "
    "forty-seventh and forty-ninth sets' round's end: long conversations with an LLM agent",
    "support_conversations_test64.jsonl": "7 of 34 resolve escalated (21%) on arrival and at the sixty-first and "
    "sixty-third sets' round's end: long conversations with an LLM agent",
    "support_conversations_test68.jsonl": "8 of 34 resolve escalated (24%) with the session's starting code, on arrival "
    "and at the sixty-fifth and sixty-seventh sets' round's end: long conversations with an LLM agent",
    "support_conversations_test72.jsonl": "7 of 33 resolve escalated (21%) with the session's starting code, on arrival "
    "and at the sixty-ninth and seventy-first sets' round's end: long conversations with an LLM agent",
}
"""Held-out sets over the 20% bound for calm conversations escalated, as measured."""


def test_every_set_read_so_far_has_a_floor_and_the_held_out_one_is_apart() -> None:
    assert set(FLOORS) == {*DEVELOPMENT_SETS, *HELD_OUT_SETS} and not set(HELD_OUT_SETS) & set(
        DEVELOPMENT_SETS
    )
    assert all((LABELLED / name).is_file() for name in FLOORS)


@pytest.fixture(scope="module")
def summaries() -> dict[str, dict[str, Any]]:
    from baton.scoring import loader
    from baton.scoring.scorer import Scorer

    try:
        scorer = Scorer(loader.load_models(loader.models_dir()))
    except loader.ModelsNotFound as missing:  # a checkout before the models are trained
        pytest.skip(f"layers/models holds no complete model set: {missing}")
    params = load_default()
    return {name: evaluate_file(LABELLED / name, scorer, params).summary() for name in FLOORS}


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_each_set_keeps_its_escalations_in_time_and_its_calm_conversations_alone(
    name: str, summaries: dict[str, dict[str, Any]]
) -> None:
    in_time, resolve_escalated = FLOORS[name]
    summary = summaries[name]
    assert summary["escalate"]["in_time"] >= in_time
    assert summary["resolve"]["escalated"] <= resolve_escalated


def held_out_sets(missed: dict[str, str]) -> list[Any]:
    """The held-out sets as test parameters, those that miss a target (`missed`: set -> measured) strict xfails."""
    return [
        pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=missed[name]))
        if name in missed
        else name
        for name in HELD_OUT_SETS
    ]


@pytest.mark.parametrize("name", held_out_sets(IN_TIME_MISSED))
def test_the_held_out_sets_meet_the_in_time_target(name: str, summaries: dict[str, dict[str, Any]]) -> None:
    assert summaries[name]["escalate"]["in_time_share"] >= 0.8


@pytest.mark.parametrize("name", held_out_sets(RESOLVE_MISSED))
def test_the_held_out_sets_escalate_few_calm_conversations(
    name: str, summaries: dict[str, dict[str, Any]]
) -> None:
    assert summaries[name]["resolve"]["escalated_share"] <= 0.2
