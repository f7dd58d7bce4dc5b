"""The refit on outcomes (`baton train decision --outcomes`, `baton.training.outcomes`): a valid, complete
parameters document no worse than the prior on held-out conversations, skipped and bad lines reported, the
report's calibration per segment and confusion for both; and a smaller run of the simulation target
(bench/outcomes_refit.py)."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from pytest_mock import MockerFixture

from baton.decision.params import DecisionParams, load_default, restamp
from baton.scoring import loader
from baton.scoring.fakes import fake_models
from baton.training import decision as train_decision
from baton.training.outcomes import Costs, build, check_mirror, evaluate, refit
from baton.training.team_simulation import TEAMS, labelled

TOPICS = ("I was charged twice on my invoice", "how do I export users to csv", "I can't log in with sso")
CALM = ("ok let me try that", "great, that works, thanks")
STUCK = ("that didn't work", "it still doesn't work, still waiting")
ANGRY = ("still broken, this is useless!!", "this is ridiculous, I am so frustrated and angry")
KINDS = ((CALM, 0.45, 0.1), (STUCK, 0.25, 0.8), (ANGRY, 0.3, 0.9))
"""(the customer's replies, share, how often such a conversation needs a human): this team's stuck customers,
who stay polite, need a human as often as the angry ones."""


def outcome_lines(n: int, seed: int = 7) -> list[str]:
    """`n` conversations in the outcome format (`KINDS`); a few lines have no label but a CSAT, and one in ten
    cannot tell (skipped)."""
    rng = random.Random(seed)
    lines = []
    for i in range(n):
        replies, _, need_rate = rng.choices(KINDS, weights=[k[1] for k in KINDS])[0]
        needed = rng.random() < need_rate
        customer = [rng.choice(TOPICS), *replies]
        messages: list[dict[str, Any]] = []
        for k, text in enumerate(customer):
            messages.append({"role": "customer", "text": text})
            if k < len(customer) - 1:
                messages.append({"role": "bot", "text": "Here is how.", "bot": {"confidence": 0.8}})
        kind = rng.random()
        if kind < 0.1:
            outcome: dict[str, Any] = {"label": None, "csat": 3, "resolved_by": "agent"}
        elif kind < 0.3:
            outcome = {"label": None, "csat": 1 if needed else 5, "resolved_by": "agent" if needed else "bot"}
        else:
            outcome = {"label": "missed_escalation" if needed else "contained", "reopened": False}
        plan = rng.choice(("starter", "pro", "enterprise"))
        lines.append(
            json.dumps(
                {
                    "conversation_id": f"c-{i}",
                    "account": {
                        "id": f"a-{i}",
                        "plan": plan,
                        "segment": "smb" if plan == "starter" else "mid",
                    },
                    "messages": messages,
                    "outcome": outcome,
                }
            )
        )
    return lines


@pytest.fixture
def fake_loader(mocker: MockerFixture) -> Any:
    return mocker.patch.object(
        loader, "load_models", autospec=True, side_effect=lambda *_, **__: fake_models()
    )


def test_a_refit_on_outcomes_writes_a_valid_document_no_worse_than_the_prior_on_held_out_data(
    tmp_path: Path, fake_loader: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "outcomes.jsonl"
    source.write_text("\n".join(outcome_lines(160)) + "\n", encoding="utf-8")
    # A team that turned the bot-failure guardrails off (the count, the loop and asking for someone): the shipped
    # ones escalate these stuck customers already (they say twice that the answer did not help), so only the
    # refit can learn them here.
    shipped = load_default()
    off = {"bot_failures": None, "bot_loop": False, "someone": ()}
    prior = restamp(shipped.model_copy(update={"guardrails": shipped.guardrails.model_copy(update=off)}))
    prior_path = tmp_path / "prior.json"
    prior_path.write_text(prior.to_json(), encoding="utf-8")
    out = tmp_path / "refit"
    code = train_decision.main(
        ["--outcomes", str(source), "--prior", str(prior_path), "--out", str(out), "--seed", "3"]
    )
    assert code == 0
    params = DecisionParams.model_validate_json((out / "decision" / "params.json").read_text())
    assert params.version != prior.version and params.version.startswith("decision-outcomes-")
    assert params.guardrails == prior.guardrails and params.sensitivity == prior.sensitivity
    fit = params.fit
    assert fit["prior"] == prior.version
    assert fit["outcomes"]["lines"] == 160
    assert fit["outcomes"]["sha256"] and fit["costs"] == {"missed": 5.0, "false": 1.0}
    skipped = sum(fit["outcomes"]["skipped"].values())
    assert skipped > 0 and fit["outcomes"]["used"] + skipped == 160

    report = json.loads((out / "decision" / "outcomes_report.json").read_text())
    assert report["evaluated_on"] == "held_out"
    held = report["evaluation"]
    assert held["conversations"] == report["counts"]["held_out"]["conversations"] > 20
    assert held["refit"]["cost"] <= held["prior"]["cost"]
    # Here strictly cheaper: the prior leaves the polite stuck customers alone, the refit escalates them.
    assert held["refit"]["missed_rate"] < held["prior"]["missed_rate"]
    for who in ("prior", "refit"):
        confusion = held[who]["confusion"]
        assert sum(confusion.values()) == held["conversations"]
        assert set(held["calibration"][who]) >= {"all", "plan", "segment", "product_area"}
        starter = held["calibration"][who]["plan"]["starter"]
        assert starter["n"] > 0 and starter["ece"] is not None and starter["bins"]
    markdown = (out / "decision" / "outcomes_report.md").read_text()
    assert "| prior |" in markdown and "| refit |" in markdown and "| plan | starter |" in markdown
    assert "Calibration" in capsys.readouterr().out


def test_bad_lines_stop_the_refit_naming_line_and_field(
    tmp_path: Path, fake_loader: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = outcome_lines(20)
    broken = json.loads(lines[4])
    broken["outcome"]["csat"] = 9
    lines[4] = json.dumps(broken)
    source = tmp_path / "outcomes.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code = train_decision.main(["--outcomes", str(source), "--out", str(tmp_path / "refit")])
    assert code == 1
    err = capsys.readouterr().err
    assert f"{source}:5: outcome.csat: Input should be less than or equal to 5" in err
    assert "nothing written" in err
    assert not (tmp_path / "refit").exists()


def test_the_policy_simulation_reproduces_decide_for_the_prior_and_a_refit() -> None:
    shipped = load_default()
    train = labelled(TEAMS["low_tolerance"], 120, 1, shipped, prefix="mirror")
    refitted = refit(train, shipped, Costs(), seed=1).params
    for params in (shipped, refitted):
        check_mirror(build(train, params), params, [c.conversation_id for c in train])


def test_the_simulated_team_target_in_small() -> None:
    """bench/outcomes_refit.py in small: a team that needs a human at lower frustration than the shipped
    parameters assume, refitted on 200 labelled conversations, is cheaper on 600 held-out ones than the shipped
    parameters. (The `bot_stuck` team it used before is now mostly served by the shipped `bot_failing`
    guardrail: bench/README.md.)"""
    shipped = load_default()
    team = TEAMS["low_tolerance"]
    train = labelled(team, 200, 0, shipped, prefix="small-train")
    held = labelled(team, 600, 1, shipped, prefix="small-held")
    fitted = refit(train, shipped, Costs(), seed=0)
    result = evaluate(held, shipped, fitted.params, Costs(), seed=0)
    assert result["relative_change"] <= -0.10
    # That team needs its angry openers escalated at once: the refit learns to turn the first message's watch off.
    assert shipped.thresholds.first_message_escalates is False
    assert fitted.params.thresholds.first_message_escalates is True
