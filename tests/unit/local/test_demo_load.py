"""`baton local --demo` / `baton demo load`: the demo agents go through `baton agents import`'s code."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from pytest_mock import MockerFixture

from baton.local import demo
from baton.routing.directory import MemoryAgentDirectory

NOW = datetime(2026, 11, 28, 9, tzinfo=UTC)


def test_the_demo_loads_its_agents_into_the_directory_before_the_conversations(mocker: MockerFixture) -> None:
    agents = MemoryAgentDirectory()
    mocker.patch.object(demo, "write_context", return_value={"incidents": 3, "accounts": 8})
    posted: list[int] = []
    mocker.patch.object(demo, "post_message", side_effect=lambda *a, **k: posted.append(len(agents.agents())))
    outcomes = mocker.patch.object(demo, "post_outcome")
    mocker.patch.object(demo.time, "sleep")
    summary = demo.load(url="http://127.0.0.1:1", token="t", context_table=None, agents=agents, now=NOW)
    messages = len(demo.demo_messages(demo.default_demo_dir()))
    assert summary.describe() == (
        f"Demo data loaded: 8 accounts, 6 agents, 3 incidents, 15 conversations ({messages} messages posted), "
        "4 outcomes (see each conversation's outcome_label)"
    )
    posted_outcomes = {call.args[2]: call.args[3] for call in outcomes.call_args_list}
    assert posted_outcomes["demo-wants-human"]["resolved_by"] == "agent"
    # Moved with the messages to the load day: the outcome comes 3 minutes after the customer's "Thanks!".
    (moved,) = [
        body for cid, body in demo.demo_outcomes(demo.default_demo_dir(), 11) if cid == "demo-billing-calm"
    ]
    assert moved["at"] == "2026-12-08T09:06:02Z"
    assert set(posted) == {6}  # every message found the agents there
    assert {r.agent.id for r in agents.agents()} >= {"agent-maya", "agent-sofia", "agent-liam"}


def test_a_reload_keeps_the_agents_load(mocker: MockerFixture) -> None:
    agents = MemoryAgentDirectory()
    directory = demo.default_demo_dir()
    demo.write_agents(agents, directory)
    assert agents.assign("demo-angry-renewal", "agent-jonas", 5, at=NOW, customer_id=None)
    demo.write_agents(agents, directory)
    jonas = agents.agent("agent-jonas")
    assert jonas is not None and jonas.load == 1


def test_a_broken_demo_agent_is_a_demo_error_naming_the_row(tmp_path: Path) -> None:
    (tmp_path / "agents.jsonl").write_text(
        '{"id": "a-1", "name": "Ann", "languages": ["en"], "capacity": -2}\n'
    )
    with pytest.raises(demo.DemoError, match=r"agents\.jsonl:1: capacity"):
        demo.write_agents(MemoryAgentDirectory(), tmp_path)
