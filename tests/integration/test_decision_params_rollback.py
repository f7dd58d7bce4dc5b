"""`baton decision params history | rollback --stage S`: undoing a parameters change on a deployed stage (moto SSM).

A rollback writes an earlier version's value as a new version, after validating it, so the history keeps what
happened and the rollback itself can be undone."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from baton import cli
from baton.decision.params import deployable, load_default

pytestmark = pytest.mark.integration

NAME = "/baton/prod/decide/decision_params_name"


def document(version: str, escalate: float) -> str:
    data = json.loads(deployable(load_default().to_json()))
    data["version"] = version
    data["thresholds"]["escalate"] = escalate
    return json.dumps(data, separators=(",", ":"))


class Session:
    region_name = "eu-west-1"

    def __init__(self, ssm: Any) -> None:
        self.ssm = ssm

    def client(self, name: str, **_: Any) -> Any:
        assert name == "ssm"
        return self.ssm


@pytest.fixture
def ssm(aws_env: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("ssm")
        # What the Decision stack creates, then two changes by the team.
        client.put_parameter(
            Name=NAME, Type="String", Value=document("shipped", 0.6), Tier="Intelligent-Tiering"
        )
        client.put_parameter(Name=NAME, Type="String", Value=document("team-1", 0.7), Overwrite=True)
        client.put_parameter(Name=NAME, Type="String", Value=document("team-2", 0.9), Overwrite=True)
        monkeypatch.setattr(cli, "_stage_session", lambda args: Session(client))
        yield client


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = cli.main(list(argv))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


def current(ssm: Any) -> tuple[int, str]:
    parameter = ssm.get_parameter(Name=NAME)["Parameter"]
    return parameter["Version"], json.loads(parameter["Value"])["version"]


def test_history_lists_every_version_with_its_document(ssm: Any, capsys) -> None:
    code, out, err = run(capsys, "decision", "params", "history", "--stage", "prod", "--json")
    assert code == 0, err
    assert [(v["version"], v["document_version"]) for v in map(json.loads, out.splitlines())] == [
        (1, "shipped"),
        (2, "team-1"),
        (3, "team-2"),
    ]
    code, out, _ = run(capsys, "decision", "params", "history", "--stage", "prod")
    assert code == 0 and "3 (current)" in out and "team-2" in out


def test_rollback_undoes_the_last_change_and_a_version_goes_further_back(ssm: Any, capsys) -> None:
    code, out, err = run(capsys, "decision", "params", "rollback", "--stage", "prod")
    assert code == 0, err
    assert current(ssm) == (4, "team-1")
    assert (
        "version 4 is now the value of version 2 (document team-1), replacing version 3 (document team-2)"
        in out
    )
    assert "To undo: baton decision params rollback --stage prod --version 3" in out

    # Further back, by version; and a rollback is a change: the next one undoes it.
    assert run(capsys, "decision", "params", "rollback", "--stage", "prod", "--version", "1")[0] == 0
    assert current(ssm) == (5, "shipped")
    assert run(capsys, "decision", "params", "rollback", "--stage", "prod")[0] == 0
    assert current(ssm) == (6, "team-1")


def test_a_version_this_release_cannot_read_is_not_written(ssm: Any, capsys) -> None:
    broken = json.loads(document("team-3", 0.9))
    broken["thresholds"]["escalate"] = 1.5
    ssm.put_parameter(Name=NAME, Type="String", Value=json.dumps(broken), Overwrite=True)  # version 4
    ssm.put_parameter(Name=NAME, Type="String", Value=document("team-4", 0.8), Overwrite=True)  # version 5
    code, _, err = run(capsys, "decision", "params", "rollback", "--stage", "prod")
    assert code == 1
    assert (
        "version 4 of /baton/prod/decide/decision_params_name is not a document this release can read" in err
    )
    assert "thresholds.escalate" in err
    assert current(ssm) == (5, "team-4")


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["rollback", "--stage", "prod", "--version", "9"], 1, "has no version 9 (SSM keeps versions 1..3)"),
        (["rollback", "--stage", "prod", "--version", "3"], 1, "holds the current value"),
        (
            ["history", "--stage", "prod", "--challenger"],
            1,
            "deployed with a challenger (-c challengerParams=...)",
        ),
        (["history", "--stage", "dev"], 1, "no parameter /baton/dev/decide/decision_params_name"),
        (["rollback"], 2, "decision params rollback needs --stage STAGE"),
        (["history", "--stage", "prod", "--version", "2"], 2, "--version is for `rollback`"),
        (
            ["params.json", "--stage", "prod"],
            2,
            "--stage is for `decision params history|rollback --stage STAGE`",
        ),
    ],
)
def test_bad_requests_are_named(ssm: Any, capsys, argv: list[str], code: int, message: str) -> None:
    got, _, err = run(capsys, "decision", "params", *argv)
    assert (got, message in err) == (code, True), err
