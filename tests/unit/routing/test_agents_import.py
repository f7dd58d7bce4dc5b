"""`baton agents import | list | status`: the agents Baton routes to, checked row by row against the Agent
model and the intent taxonomy, stored through the agent directory (their load kept)."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pytest_mock import MockerFixture

from baton.bus import Subscription
from baton.cli import main
from baton.handoff import Agent
from baton.local.bus import LocalBus
from baton.local.runtime import bus_path
from baton.routing.directory import AgentRecord, MemoryAgentDirectory
from baton.routing.importer import AgentImportError, Taxonomy, import_agents, taxonomy

ROOT = Path(__file__).resolve().parents[3]
DEMO = ROOT / "events" / "demo"
MODELS = ROOT / "layers" / "models"
NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
KNOWN = Taxonomy(
    areas=frozenset({"account", "billing", "technical"}),
    skills=frozenset({"billing", "identity", "technical"}),
)
HEADER = "id,name,email,languages,product_areas,skills,capacity,status,helpdesk_id,team\n"
GOOD = "a-1,Ann Lee,ann@example.com,en;de,billing;account,billing,3,online,zd-1,billing\n"


def write(tmp_path: Path, text: str, name: str = "agents.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def record(directory: MemoryAgentDirectory, agent_id: str) -> AgentRecord:
    found = directory.agent(agent_id)
    assert found is not None, agent_id
    return found


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse errors
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


# -- the file ---------------------------------------------------------------------------------------


def test_a_csv_roster_is_stored_with_its_lists_and_empty_cells_as_no_value(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + GOOD + "b-2,Bo Kim,,ko, , ,0,away,,\n")
    directory = MemoryAgentDirectory()
    report = import_agents(path, directory, at=NOW, known=KNOWN)
    assert report.describe() == "agents: 2 stored, 0 rows rejected"
    ann, bo = (record.agent for record in directory.agents())
    assert ann == Agent(
        id="a-1",
        name="Ann Lee",
        email="ann@example.com",
        languages=["en", "de"],
        product_areas=["billing", "account"],
        skills=["billing"],
        capacity=3,
        status="online",
        helpdesk_id="zd-1",
        team="billing",
    )
    assert (bo.email, bo.product_areas, bo.skills, bo.helpdesk_id, bo.team) == (None, [], [], None, None)
    assert (bo.capacity, bo.status) == (0, "away")


def test_a_jsonl_roster_takes_json_arrays_or_semicolon_strings(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '{"id": "a-1", "name": "Ann", "languages": ["en", "pt-BR"], "skills": "billing; identity", '
        '"capacity": 2}\n'
        "\n"
        '{"id": "a-2", "name": "Bo", "languages": "en", "capacity": "4", "email": "", "team": null}\n',
        "agents.jsonl",
    )
    directory = MemoryAgentDirectory()
    report = import_agents(path, directory, at=NOW, known=KNOWN)
    assert (report.stored, report.problems) == (2, [])
    ann, bo = (record.agent for record in directory.agents())
    assert (ann.languages, ann.skills, ann.status) == (["en", "pt-BR"], ["billing", "identity"], "offline")
    assert (bo.languages, bo.capacity, bo.email, bo.team) == (["en"], 4, None, None)


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ("a-2,Bo,,en,,,2,busy,,", "agents.csv:3: status: 'busy' is not a status: online, away or offline"),
        (
            "a-2,Bo,,en,,,-1,online,,",
            "agents.csv:3: capacity: must be a whole number from 0 to 100 (conversations at once), not '-1'",
        ),
        (
            "a-2,Bo,,en,,,two,online,,",
            "agents.csv:3: capacity: must be a whole number from 0 to 100 (conversations at once), not 'two'",
        ),
        (
            "a-2,Bo,,en,billing;shipping,,2,online,,",
            "agents.csv:3: product_areas: unknown product area 'shipping' "
            "(the taxonomy's: account, billing, technical)",
        ),
        (
            "a-2,Bo,,en,,billing;Identity;sales,2,online,,",
            "agents.csv:3: skills: unknown skills 'Identity', 'sales' "
            "(the taxonomy's: billing, identity, technical)",
        ),
        ("a-1,Ann again,,en,,,2,online,,", "agents.csv:3: id: a-1 is already on line 2: one row per agent"),
        (
            "a-2,Bo,bo.example.com,en,,,2,online,,",
            "agents.csv:3: email: 'bo.example.com' is not an email address",
        ),
        (
            "a-2,Bo,,english,,,2,online,,",
            "agents.csv:3: languages: 'english' is not a language tag (BCP 47, e.g. en, pt-BR)",
        ),
        ("a-2,,,en,,,2,online,,", "agents.csv:3: name: is required"),
        ("a-2,Bo,,,,,2,online,,", "agents.csv:3: languages: is required"),
        ("a-2,Bo,,en,,,,online,,", "agents.csv:3: capacity: is required"),
        ("a-2,Bo,,en,,,2,online,,,extra", "agents.csv:3: 1 more cells than the header has columns"),
    ],
)
def test_a_bad_row_is_rejected_naming_its_line_and_field_and_the_good_ones_are_stored(
    tmp_path: Path, row: str, problem: str
) -> None:
    path = write(tmp_path, HEADER + GOOD + row + "\n")
    directory = MemoryAgentDirectory()
    report = import_agents(path, directory, at=NOW, known=KNOWN)
    assert report.problems == [problem]
    assert report.describe().splitlines()[0] == "agents: 1 stored, 1 row rejected"
    assert [r.agent.id for r in directory.agents()] == ["a-1"]
    if "is already on line" in problem:
        assert record(directory, "a-1").agent.name == "Ann Lee"  # the first row won


def test_every_problem_of_a_row_is_reported_one_line_each_in_column_order(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "a-1,,nope,en,billing;sales,,-3,busy,,\n")
    report = import_agents(path, MemoryAgentDirectory(), at=NOW, known=KNOWN)
    assert [p.split(": ")[1] for p in report.problems] == [
        "name",
        "email",
        "product_areas",
        "capacity",
        "status",
    ]
    assert report.rejected == 1


def test_unknown_columns_make_the_file_unusable_and_nothing_is_stored(tmp_path: Path) -> None:
    directory = MemoryAgentDirectory()
    csv_path = write(
        tmp_path, HEADER.replace("skills", "skils").rstrip() + ",tier\n" + GOOD.rstrip() + ",2\n"
    )
    with pytest.raises(
        AgentImportError, match=r"agents.csv:1: unknown columns skils \(did you mean skills\?\), tier"
    ):
        import_agents(csv_path, directory, at=NOW, known=KNOWN)
    jsonl = write(
        tmp_path,
        '{"id": "a-1", "name": "Ann", "languages": ["en"], "capacity": 1}\n'
        '{"agent_id": "a-2", "name": "Bo", "languages": ["en"], "capacity": 1, "tier": 2}\n',
        "agents.jsonl",
    )
    with pytest.raises(AgentImportError) as raised:
        import_agents(jsonl, directory, at=NOW, known=KNOWN)
    assert "unknown columns agent_id (line 2; did you mean id?), tier (line 2)" in str(raised.value)
    assert directory.agents() == []


def test_a_missing_required_column_or_an_unreadable_file_stores_nothing(tmp_path: Path) -> None:
    directory = MemoryAgentDirectory()
    path = write(tmp_path, "id,name,capacity\na-1,Ann,2\n")
    with pytest.raises(AgentImportError, match=r"agents\.csv:1: missing required column languages"):
        import_agents(path, directory, at=NOW)
    with pytest.raises(AgentImportError, match="no such file"):
        import_agents(tmp_path / "missing.jsonl", directory, at=NOW)
    with pytest.raises(AgentImportError, match="no header row"):
        import_agents(write(tmp_path, ""), directory, at=NOW)
    with pytest.raises(AgentImportError, match=r"cannot tell the format from '\.txt'"):
        import_agents(write(tmp_path, HEADER + GOOD, "agents.txt"), directory, at=NOW)
    assert directory.agents() == []
    assert import_agents(tmp_path / "agents.txt", directory, at=NOW, fmt="csv", known=KNOWN).stored == 1


def test_a_dry_run_checks_everything_and_stores_nothing(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + GOOD + "a-2,Bo,,en,,,2,busy,,\n")
    directory = MemoryAgentDirectory()
    report = import_agents(path, directory, at=NOW, dry_run=True, known=KNOWN)
    assert report.describe().splitlines()[0] == "agents: 1 valid (dry run: nothing stored), 1 row rejected"
    assert directory.agents() == []


def test_a_reimport_keeps_the_load_and_a_status_left_out_keeps_the_current_one(tmp_path: Path) -> None:
    directory = MemoryAgentDirectory()
    import_agents(write(tmp_path, HEADER + GOOD), directory, at=NOW, known=KNOWN)
    assert directory.assign("conv-1", "a-1", 3, at=NOW, customer_id=None)
    directory.set_status("a-1", "away", at=NOW)
    roster = "id,name,languages,capacity\na-1,Ann Lee-Park,en,5\nb-2,Bo,en,1\n"
    import_agents(write(tmp_path, roster), directory, at=NOW, known=KNOWN)
    ann, bo = directory.agents()
    assert (ann.agent.name, ann.agent.capacity, ann.load, ann.status) == ("Ann Lee-Park", 5, 1, "away")
    assert bo.status == "offline"  # new, no status given
    import_agents(write(tmp_path, HEADER + GOOD), directory, at=NOW, known=KNOWN)
    assert (record(directory, "a-1").load, record(directory, "a-1").status) == (1, "online")


def test_without_a_taxonomy_areas_and_skills_are_not_checked_and_the_report_says_so(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + GOOD.replace("billing;account", "warehouse"))
    report = import_agents(path, MemoryAgentDirectory(), at=NOW, known=taxonomy(tmp_path))
    assert report.stored == 1
    assert report.describe().splitlines()[-1].startswith("product_areas and skills not checked")


# -- the demo agents --------------------------------------------------------------------------------

DEMO_INTENTS = {
    # What the shipped intent model predicts for the demo conversations' customer messages.
    "demo-billing-calm": "seat_count",
    "demo-angry-renewal": "error_bug",
    "demo-cancellation-policy": "cancel_subscription",
    "demo-export-first-contact": "data_export",
    "demo-export-repeat": "data_export",
    "demo-first-week-confused": "sso",
    "demo-wants-human": "human_agent",
    "demo-threat-cancel-refund": "unexpected_charge",
    "demo-threat-chargeback": "double_charge",
    "demo-threat-competitor": "complaint",
    "demo-threat-public": "complaint",
    "demo-threat-data-loss": "data_missing",
    "demo-threat-compromise": "login_problem",
    "demo-threat-team-blocked": "outage",
    "demo-threat-third-time": "invoice",
}


def test_the_demo_agents_import_cleanly_against_the_shipped_taxonomy_in_both_formats() -> None:
    known = taxonomy(MODELS)
    assert known is not None
    from_jsonl, from_csv = MemoryAgentDirectory(), MemoryAgentDirectory()
    report = import_agents(DEMO / "agents.jsonl", from_jsonl, at=NOW, known=known)
    assert (report.stored, report.rejected, report.problems, report.unchecked) == (6, 0, [], None)
    assert import_agents(DEMO / "agents.csv", from_csv, at=NOW, known=known).problems == []
    assert from_csv.agents() == from_jsonl.agents()  # the CSV sample is the same six people


def test_the_demo_agents_can_take_every_demo_conversation() -> None:
    tax = json.loads((MODELS / "intent" / "taxonomy.json").read_text())
    directory = MemoryAgentDirectory()
    import_agents(DEMO / "agents.jsonl", directory, at=NOW, known=taxonomy(MODELS))
    agents = [r.agent for r in directory.agents()]
    online = [a for a in agents if a.status == "online"]
    conversations = [json.loads(line) for line in (DEMO / "conversations.jsonl").read_text().splitlines()]
    assert {c["conversation_id"] for c in conversations} == set(DEMO_INTENTS)
    for conversation in conversations:
        info = tax[DEMO_INTENTS[conversation["conversation_id"]]]
        language = conversation["customer"]["language"]
        fits = [
            a
            for a in online
            if info["product_area"] in a.product_areas
            and info["skill"] in a.skills
            and language in a.languages
        ]
        assert fits, (conversation["conversation_id"], info, language)
    assert any(set(a.languages) - {"en"} for a in agents)
    assert any(a.status != "online" for a in agents)


# -- the command ------------------------------------------------------------------------------------


@pytest.fixture
def directory(mocker: MockerFixture) -> MemoryAgentDirectory:
    """The directory every `baton agents` command works on (--table: no running local)."""
    memory = MemoryAgentDirectory()
    mocker.patch("baton.cli._agent_directory", return_value=(memory, "table t", None))
    return memory


def test_the_command_reports_and_exits_1_when_a_row_is_rejected(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, directory: MemoryAgentDirectory
) -> None:
    path = write(tmp_path, HEADER + GOOD + "a-2,Bo,,en,,,2,busy,,\n")
    code, out, _ = run(capsys, "agents", "import", str(path), "--table", "t")
    assert code == 1
    assert out.splitlines() == [
        "agents: 1 stored, 1 row rejected",
        "  agents.csv:3: status: 'busy' is not a status: online, away or offline",
    ]
    assert [r.agent.id for r in directory.agents()] == ["a-1"]
    code, out, _ = run(capsys, "agents", "import", str(DEMO / "agents.jsonl"), "--table", "t")
    assert (code, out) == (0, "agents: 6 stored, 0 rows rejected\n")


def test_the_command_checks_the_file_before_it_needs_a_running_local(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    nothing = str(tmp_path / "nothing")
    code, out, _ = run(
        capsys, "agents", "import", str(DEMO / "agents.jsonl"), "--dry-run", "--data-dir", nothing
    )
    assert (code, out) == (0, "agents: 6 valid (dry run: nothing stored), 0 rows rejected\n")
    bad = write(tmp_path, "id,name,languages,capacity,tier\n")
    code, _, err = run(capsys, "agents", "import", str(bad), "--data-dir", nothing)
    assert code == 1 and "unknown column tier" in err and "nothing was stored" in err
    code, _, err = run(capsys, "agents", "import", str(DEMO / "agents.jsonl"), "--data-dir", nothing)
    assert code == 2 and "no `baton local` is running" in err and "--table" in err
    code, _, err = run(capsys, "agents", "list", "--data-dir", nothing, "--table", "t")
    assert code == 2 and "not allowed with argument" in err


def test_list_shows_status_load_and_open_assignments_sorted_by_id(
    capsys: pytest.CaptureFixture[str], directory: MemoryAgentDirectory
) -> None:
    assert run(capsys, "agents", "list", "--table", "t")[1] == (
        "No agents in table t: `baton agents import FILE` adds them.\n"
    )
    import_agents(DEMO / "agents.jsonl", directory, at=NOW)
    assert directory.assign("conv-1", "agent-jonas", 2, at=NOW, customer_id=None)
    code, out, _ = run(capsys, "agents", "list", "--table", "t")
    lines = out.splitlines()
    assert code == 0
    assert lines[0].split() == ["ID", "NAME", "STATUS", "LOAD", "LANGUAGES", "AREAS", "SKILLS", "OPEN"]
    ids = [line.split()[0] for line in lines[1:7]]
    assert ids == sorted(ids) and len(ids) == 6
    jonas = next(line for line in lines if line.startswith("agent-jonas"))
    assert jonas.split()[3:] == ["online", "1/3", "en,de", "technical", "technical,integrations,data", "1"]
    assert lines[-1] == "6 agents (5 online, 1 away, 0 offline); 1 open assignment; 0 escalations waiting"
    code, out, _ = run(capsys, "agents", "list", "--table", "t", "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in rows] == ids
    assert (
        rows[ids.index("agent-jonas")] | {"load": 1, "open_assignments": 1} == rows[ids.index("agent-jonas")]
    )
    assert rows[ids.index("agent-sofia")]["name"] == "Sofía Ramírez"


def test_status_with_a_table_writes_it_and_says_what_changed(
    capsys: pytest.CaptureFixture[str], directory: MemoryAgentDirectory
) -> None:
    import_agents(DEMO / "agents.jsonl", directory, at=NOW)
    code, out, _ = run(capsys, "agents", "status", "agent-liam", "online", "--table", "t")
    assert (code, out) == (0, "agent-liam (Liam O'Brien): away -> online\n")
    assert record(directory, "agent-liam").status == "online"
    code, out, _ = run(capsys, "agents", "status", "agent-liam", "online", "--table", "t")
    assert (code, out) == (0, "agent-liam (Liam O'Brien) is already online: nothing changed\n")
    code, _, err = run(capsys, "agents", "status", "agent-nobody", "away", "--table", "t")
    assert code == 2 and "no agent 'agent-nobody' in table t" in err
    assert run(capsys, "agents", "status", "agent-liam", "busy", "--table", "t")[0] == 2


CAPACITY = Subscription(
    name="capacity-test",
    capability="Routing",
    handler="functions.route_capacity.handler",
    pattern={"source": ["baton.agents"], "detail-type": ["AgentStatusChanged"]},
)


@pytest.mark.parametrize("subscribed", [True, False])
def test_status_with_a_running_local_publishes_the_event_or_writes_when_no_consumer_takes_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, mocker: MockerFixture, subscribed: bool
) -> None:
    memory = MemoryAgentDirectory()
    import_agents(DEMO / "agents.jsonl", memory, at=NOW)
    running = {"pid": os.getpid(), "tables": {"routing": "baton-routing"}}
    mocker.patch("baton.cli._agent_directory", return_value=(memory, "the local", running))
    mocker.patch("baton.local.bus.active_subscriptions", return_value=(CAPACITY,) if subscribed else ())
    code, out, _ = run(capsys, "agents", "status", "agent-maya", "away", "--data-dir", str(tmp_path))
    assert code == 0
    with LocalBus(bus_path(tmp_path), subscriptions=(CAPACITY,)) as bus:
        archived = bus.archived_events()
        queued = bus.receive("capacity-test", 10, 60)
    if subscribed:  # the consumer applies it: writing it too would apply it twice
        assert "agent-maya (Maya Chen): online -> away, published as AgentStatusChanged" in out
        assert "capacity-test consumer applies it" in out
        (message,) = queued
        detail = json.loads(message.body)["detail"]
        assert (detail["agent_id"], detail["status"]) == ("agent-maya", "away")
        assert record(memory, "agent-maya").status == "online"
    else:
        assert out == "agent-maya (Maya Chen): online -> away\n"
        assert archived == [] and queued == []
        assert record(memory, "agent-maya").status == "away"


def test_a_local_that_predates_the_routing_table_is_asked_to_restart(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    info = {"pid": os.getpid(), "dynamodb_endpoint": "http://127.0.0.1:1", "tables": {"context": "c"}}
    (tmp_path / "runtime.json").write_text(json.dumps(info))
    code, _, err = run(capsys, "agents", "list", "--data-dir", str(tmp_path))
    assert code == 2 and "has no routing table" in err and "restart it" in err
