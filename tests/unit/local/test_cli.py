"""The `baton` command line: argument errors, `events put/list`, `dlq`, and `local`'s early failures."""

from __future__ import annotations

import json
import os
import shlex
import socket
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from unittest.mock import MagicMock

import pytest
from pytest_mock import MockerFixture
from pytest_socket import enable_socket, socket_allow_hosts

from baton.bus import by_name
from baton.cli import main
from baton.local.bus import LocalBus, Worker
from baton.local.dynamodb_local import free_port
from baton.local.runtime import (
    SECRETS_FILE,
    LocalConfig,
    LocalRuntime,
    LocalSecretsUnreadable,
    bus_path,
    default_data_dir,
    handler_environment,
)

ROOT = Path(__file__).resolve().parents[3]
ZENDESK_EVENT = ROOT / "events" / "helpdesk" / "zendesk-partner" / "comment_created_customer.json"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse errors
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


def write(tmp_path: Path, data: object, name: str = "event.json") -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return str(path)


def escalation(action: str = "escalate") -> dict:
    return {"source": "baton.decision", "detail-type": "EscalationDecided", "detail": {"action": action}}


# -- arguments --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["nope"], "invalid choice"),
        (["local", "--port", "abc"], "not a port number"),
        (["local", "--port", "70000"], "between 1 and 65535"),
        (["local", "--retry-delay", "0"], "greater than 0"),
        (["local", "--retry-delay", "soon"], "not a number"),
        (["events"], "required: ACTION"),
        (["events", "put"], "FILE.json"),
        (["events", "list", "--limit", "0"], "at least 1"),
        (["dlq", "show"], "ID"),
        (["dlq", "explode"], "invalid choice"),
    ],
)
def test_bad_arguments_exit_2_with_a_message(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert message in err


def test_help_does_not_import_the_heavy_modules() -> None:
    code = (
        "import sys\n"
        "from baton.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('boto3', 'botocore', 'aws_lambda_powertools', 'pydantic') if m in sys.modules]\n"
        "print('HEAVY:' + ','.join(heavy))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "usage: baton" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "HEAVY:"


# -- baton events -----------------------------------------------------------------------------------


def test_events_put_routes_a_partner_event_to_the_helpdesk_consumer(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = run(capsys, "events", "put", str(ZENDESK_EVENT), "--data-dir", str(tmp_path))
    assert code == 0
    assert "rule helpdesk-events -> queue helpdesk-events" in out
    assert "delivers it when it starts" in out
    with LocalBus(bus_path(tmp_path)) as bus:
        (message,) = bus.receive("helpdesk-events", 10, 60)
    assert json.loads(message.body)["detail"] == json.loads(ZENDESK_EVENT.read_text())["detail"]


def test_events_put_accepts_putevents_entries_and_lists(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    entries = [
        {
            "Source": "aws.partner/zendesk.com/1/default",
            "DetailType": "Support Ticket: Ticket Created",
            "Detail": "{}",
        },
        escalation(),
        escalation("monitor"),
        {"Source": "example.other", "DetailType": "Nothing Baton Reads", "Detail": "{}"},
    ]
    code, out, _ = run(capsys, "events", "put", write(tmp_path, entries), "--data-dir", str(tmp_path))
    assert code == 0
    lines = out.splitlines()
    assert "helpdesk-events" in lines[0]
    assert "-> rule route -> queue route" in lines[1] and "rule feedback -> queue feedback" in lines[1]
    # Only the insights consumer (the console's list) takes a decision to keep monitoring.
    assert lines[2].endswith("-> rule insights -> queue insights")
    assert lines[3].endswith("matched no rule")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[]", "holds no events"),
        (json.dumps({"detail-type": "X", "detail": {}}), "source: is required"),
        (json.dumps({"source": "s", "detail": {}}), "detail-type: is required"),
        (json.dumps({"source": "s", "detail-type": "X", "detail": "text"}), "detail: must be a JSON object"),
        (json.dumps([{"source": "s", "detail-type": "X", "detail": {}}, {"Source": "s"}]), "[1].DetailType"),
        (json.dumps(42), "event: must be a JSON object"),
    ],
)
def test_events_put_refuses_bad_input_naming_the_field(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str, message: str
) -> None:
    code, _, err = run(capsys, "events", "put", write(tmp_path, content), "--data-dir", str(tmp_path))
    assert code == 2
    assert message in err
    assert "Traceback" not in err
    with LocalBus(bus_path(tmp_path)) as bus:
        assert bus.archived_events() == []


def test_events_put_of_a_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "events", "put", str(tmp_path / "missing.json"), "--data-dir", str(tmp_path))
    assert code == 2
    assert "cannot read" in err


def test_events_list_shows_the_archive_newest_first(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    LocalBus(bus_path(tmp_path)).close()
    assert (
        run(capsys, "events", "list", "--data-dir", str(tmp_path))[1].strip() == "No events on the bus yet."
    )
    run(capsys, "events", "put", str(ZENDESK_EVENT), "--data-dir", str(tmp_path))
    unrouted = {"source": "example.other", "detail-type": "Nothing Baton Reads", "detail": {}}
    run(capsys, "events", "put", write(tmp_path, unrouted), "--data-dir", str(tmp_path))
    code, out, _ = run(capsys, "events", "list", "--data-dir", str(tmp_path))
    assert code == 0
    header, newest, oldest = out.splitlines()
    assert header.split()[:5] == ["TIME", "DETAIL-TYPE", "CONVERSATION", "SEQ", "WHAT"]
    assert "Nothing Baton Reads" in newest and "(no rule)" in newest
    assert "Support Ticket: Comment Created" in oldest and "helpdesk-events" in oldest
    code, out, _ = run(capsys, "events", "list", "--limit", "1", "--json", "--data-dir", str(tmp_path))
    (line,) = out.splitlines()
    assert json.loads(line)["event"]["detail-type"] == "Nothing Baton Reads"


def test_events_list_shows_one_conversation_and_what_each_event_says(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    def decided(conversation_id: str, seq: int, action: str, risk: float) -> str:
        detail = {"conversation_id": conversation_id, "seq": seq, "action": action, "risk": risk}
        event = {"source": "baton.decision", "detail-type": "EscalationDecided", "detail": detail}
        return write(tmp_path, event, name=f"{conversation_id}-{seq}.json")

    LocalBus(bus_path(tmp_path)).close()
    for event in (
        decided("conv-a", 1, "resolve", 0.1),
        decided("conv-b", 1, "monitor", 0.4),
        decided("conv-a", 2, "escalate", 0.91),
    ):
        run(capsys, "events", "put", event, "--data-dir", str(tmp_path))

    code, out, _ = run(capsys, "events", "list", "--conversation", "conv-a", "--data-dir", str(tmp_path))
    _, newest, oldest = out.splitlines()
    assert code == 0
    assert newest.split()[2:6] == ["conv-a", "2", "escalate", "(risk"] and "0.91)" in newest
    assert oldest.split()[2:5] == ["conv-a", "1", "resolve"]
    code, out, _ = run(capsys, "events", "list", "--conversation", "nope", "--data-dir", str(tmp_path))
    assert out.strip() == "No events of 'nope' on the bus."


def test_baton_alone_prints_the_help_and_version_prints_the_version(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys)
    assert code == 0 and "usage: baton" in out and "local" in out
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.startswith("baton 0.")


# -- baton dlq --------------------------------------------------------------------------------------


def _poison(tmp_path: Path) -> str:
    """Put an event the helpdesk consumer cannot parse and fail it until it is dead-lettered."""
    sub = by_name("helpdesk-events")
    with LocalBus(bus_path(tmp_path)) as bus:
        bus.put_events(
            [
                {
                    "source": "aws.partner/zendesk.com/1/default",
                    "detail-type": "Support Ticket: X",
                    "detail": {},
                }
            ]
        )

        def always_fails(event: dict, context: object) -> dict:
            return {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in event["Records"]]}

        worker = Worker(bus, sub, invoke=always_fails, retry_delay_s=0.0001)
        for _ in range(10_000):  # each pass is one receive; max_receive_count of them dead-letter it
            if bus.dead_letters():
                break
            worker.run_once()
        return bus.dead_letters()[0].message_id


def test_dlq_list_show_replay_purge(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    data_dir = ("--data-dir", str(tmp_path))
    LocalBus(bus_path(tmp_path)).close()
    assert run(capsys, "dlq", "list", *data_dir)[1].strip() == "No dead letters."
    ident = _poison(tmp_path)

    code, out, _ = run(capsys, "dlq", "list", *data_dir)
    assert code == 0
    header, row = out.splitlines()
    assert header.split()[:4] == ["ID", "QUEUE", "RECEIVES", "FAILED"]
    assert row.startswith(ident)
    assert "helpdesk-events" in row and "batchItemFailures" in row

    code, out, _ = run(capsys, "dlq", "show", ident[:8], *data_dir)
    shown = json.loads(out)
    assert shown["id"] == ident
    assert shown["receive_count"] == by_name("helpdesk-events").max_receive_count
    assert shown["body"]["detail-type"] == "Support Ticket: X"

    assert run(capsys, "dlq", "replay", *data_dir)[0] == 2  # neither ids nor --all
    code, out, _ = run(capsys, "dlq", "replay", ident, *data_dir)
    assert code == 0
    assert "Replayed 1 message(s) into helpdesk-events" in out
    with LocalBus(bus_path(tmp_path)) as bus:
        assert bus.dead_letters() == []
        (replayed,) = bus.receive("helpdesk-events", 10, 60)
        assert replayed.message_id == ident
        assert replayed.receive_count == 1
        bus.delete("helpdesk-events", replayed.receipt_handle)

    _poison(tmp_path)
    # Purging deletes events for good: like replay, it wants the ids or --all, never nothing.
    code, _, err = run(capsys, "dlq", "purge", *data_dir)
    assert code == 2 and "--all" in err
    assert len(json.loads(run(capsys, "dlq", "list", "--json", *data_dir)[1].splitlines()[0])) > 0
    code, out, _ = run(capsys, "dlq", "purge", "--all", *data_dir)
    assert (code, out.strip()) == (0, "Deleted 1 dead letter(s).")
    assert run(capsys, "dlq", "list", "--json", *data_dir)[1] == ""


def test_dlq_unknown_id(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    LocalBus(bus_path(tmp_path)).close()
    for argv in (["dlq", "show", "nope"], ["dlq", "replay", "nope"], ["dlq", "purge", "nope"]):
        code, _, err = run(capsys, *argv, "--data-dir", str(tmp_path))
        assert code == 2
        assert "no dead letter with id 'nope'" in err


# -- baton local / demo: failures before anything starts ---------------------------------------------


@pytest.fixture
def loopback() -> Iterator[None]:
    enable_socket()
    socket_allow_hosts(["127.0.0.1"])
    yield


def test_local_without_java_says_what_to_install(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, loopback: None
) -> None:
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    monkeypatch.setenv("BATON_API_TOKEN", "t")
    code, _, err = run(capsys, "local", "--port", str(free_port()), "--data-dir", str(tmp_path / "data"))
    assert code == 2
    assert "Java was not found" in err
    assert "openjdk" in err
    assert "Traceback" not in err


def test_local_on_a_port_in_use_says_so(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, loopback: None
) -> None:
    monkeypatch.setenv("BATON_API_TOKEN", "t")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, _, err = run(capsys, "local", "--port", str(port), "--data-dir", str(tmp_path))
    assert code == 2
    assert f"port {port} on 127.0.0.1 is already in use" in err


def test_demo_load_needs_a_running_local(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "demo", "load", "--data-dir", str(tmp_path))
    assert code == 2
    assert "no `baton local` is running" in err


# -- demo data, config, schemas ---------------------------------------------------------------------


def test_the_demo_data_is_valid_api_input_and_consistent() -> None:
    from baton.context.importer import import_file
    from baton.context.store import MemoryContextStore
    from baton.local.demo import default_demo_dir, demo_messages, write_agents
    from baton.models import MessageIn, utcnow
    from baton.routing.directory import MemoryAgentDirectory

    directory = default_demo_dir()
    agents = MemoryAgentDirectory()
    assert write_agents(agents, directory) == 6  # through `baton agents import`'s checks, or DemoError
    assert len(agents.agents()) == 6
    store = MemoryContextStore()
    for kind, count in (("accounts", 8), ("incidents", 3)):
        report = import_file(kind, directory / f"{kind}.jsonl", store, at=utcnow())
        assert (report.stored, report.problems, report.ignored_columns) == (count, [], [])
    accounts = store.accounts
    assert {a.health for a in accounts.values()} == {"healthy", "at_risk", "churning"}

    messages = demo_messages(directory)
    conversations = {conversation_id for conversation_id, _ in messages}
    assert len(conversations) == 15
    for conversation_id, body in messages:
        message = MessageIn.model_validate(body)  # what the API will accept, or the demo would 422
        assert message.customer.account_id in accounts, conversation_id
        assert "sent_at" in body  # fixed times: loading twice is a duplicate, not a 409


def test_local_config_takes_the_secrets_from_the_environment_or_generates_and_keeps_them(
    tmp_path: Path,
) -> None:
    given = LocalConfig.resolve(
        data_dir=tmp_path, environ={"BATON_API_TOKEN": "mine", "BATON_ZENDESK_WEBHOOK_SECRET": "zd"}
    )
    given.load_secrets()
    assert given.token == "mine"
    assert given.webhook_secrets["zendesk"] == "zd"
    assert given.origins == {
        "api_token": "env",
        "zendesk_webhook_secret": "env",
        "intercom_webhook_secret": "generated",
    }
    kept = json.loads((tmp_path / SECRETS_FILE).read_text())
    assert kept == {"intercom_webhook_secret": given.webhook_secrets["intercom"]}  # what it generated only

    first = LocalConfig.resolve(data_dir=tmp_path, environ={})
    first.load_secrets()
    assert len(first.token) >= 32
    assert first.webhook_secrets["intercom"] == given.webhook_secrets["intercom"]
    # A restart on the same data dir: the token exported from the last banner still works.
    again = LocalConfig.resolve(data_dir=tmp_path, environ={})
    again.load_secrets()
    assert (again.token, again.webhook_secrets) == (first.token, first.webhook_secrets)
    assert set(again.origins.values()) == {"stored"}
    assert stat.S_IMODE((tmp_path / SECRETS_FILE).stat().st_mode) == 0o600
    # The environment still wins, without replacing what is kept.
    override = LocalConfig.resolve(data_dir=tmp_path, environ={"BATON_API_TOKEN": "explicit"})
    override.load_secrets()
    assert override.token == "explicit"
    assert json.loads((tmp_path / SECRETS_FILE).read_text())["api_token"] == first.token
    # Another data dir, other data: other secrets.
    elsewhere = LocalConfig.resolve(data_dir=tmp_path / "other", environ={})
    (tmp_path / "other").mkdir()
    elsewhere.load_secrets()
    assert elsewhere.token != first.token


def test_a_damaged_secrets_file_is_reported_not_replaced(tmp_path: Path) -> None:
    (tmp_path / SECRETS_FILE).write_text("{not json")
    config = LocalConfig.resolve(data_dir=tmp_path, environ={})
    with pytest.raises(LocalSecretsUnreadable, match="delete it to have new secrets generated"):
        config.load_secrets()
    assert (tmp_path / SECRETS_FILE).read_text() == "{not json"


def test_the_banner_says_where_each_secret_comes_from(tmp_path: Path) -> None:
    runtime = _banner_runtime(tmp_path, {"BATON_API_TOKEN": "mine"})
    banner = runtime.banner()
    assert "(from BATON_API_TOKEN)" in banner
    kept_in = (
        f"zendesk: generated on first start, kept in {tmp_path / SECRETS_FILE}; BATON_ZENDESK_WEBHOOK_SECRET"
    )
    assert kept_in in banner


# -- the banner -------------------------------------------------------------------------------------


def _banner_runtime(data_dir: Path, environ: dict[str, str] | None = None) -> LocalRuntime:
    config = LocalConfig.resolve(data_dir=data_dir, environ=environ or {})
    config.load_secrets()
    runtime = LocalRuntime(config, out=lambda text: None)
    runtime.server = SimpleNamespace(url="http://127.0.0.1:8787")
    runtime.dynamodb = SimpleNamespace(endpoint="http://127.0.0.1:8000")
    return runtime


def _routes_in(banner: str) -> dict[str, str]:
    lines = banner.split("  Routes\n", 1)[1].split("\n\n", 1)[0].splitlines()
    return {" ".join(line.split()[:2]).replace("http://127.0.0.1:8787", ""): line for line in lines}


def test_the_banner_names_how_each_route_is_authenticated(tmp_path: Path) -> None:
    routes = _routes_in(_banner_runtime(tmp_path).banner())
    assert routes["POST /v1/webhooks/zendesk"].endswith("(HMAC signature)")
    assert routes["POST /v1/webhooks/intercom"].endswith("(HMAC signature)")
    assert routes["GET /v1/health"].endswith("(no auth)")
    assert routes["POST /v1/conversations/{conversation_id}/messages"].endswith("/messages")


def test_the_banner_prints_commands_that_paste_as_is(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))  # `baton` is not on PATH outside the venv
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    LocalBus(bus_path(data_dir)).close()
    runtime = _banner_runtime(data_dir)
    in_repo_venv = Path(sys.prefix).resolve() == (ROOT / ".venv").resolve()

    monkeypatch.chdir(ROOT)
    commands = runtime.cli_examples()
    assert commands == [line.strip() for line in runtime.banner().splitlines() if line.strip() in commands]
    expected = ".venv/bin/baton" if in_repo_venv else shlex.quote(str(Path(sys.executable).parent / "baton"))
    assert all(command.startswith(f"{expected} ") for command in commands)
    # Not the default data dir: every command names it, or another terminal would look elsewhere.
    assert all(f"--data-dir {data_dir}" in command for command in commands)
    # Pasted in the repository, each one runs against this instance's data.
    results = [
        subprocess.run(
            shlex.split(command, comments=True), cwd=ROOT, capture_output=True, text=True, timeout=60
        )
        for command in commands
    ]
    put, listed, dead, calls, agents, demo, context = results
    assert (put.returncode, listed.returncode, dead.returncode) == (0, 0, 0), put.stderr + listed.stderr
    assert calls.returncode == 0 and "No helpdesk calls recorded yet" in calls.stdout, calls.stderr
    assert "Support Ticket: Comment Created" in listed.stdout
    assert "no `baton local` is running" in demo.stderr  # this test runs none
    assert "no `baton local` is running" in agents.stderr
    assert "no `baton local` is running" in context.stderr

    monkeypatch.chdir(tmp_path)  # elsewhere, the relative path would not work
    assert runtime.cli_examples()[0].startswith(f"{Path(sys.executable).parent / 'baton'} ")


# -- the data dir -----------------------------------------------------------------------------------


def test_the_default_data_dir_is_the_checkouts_anywhere_in_it_or_baton_homes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BATON_HOME", raising=False)
    monkeypatch.chdir(ROOT / "events" / "demo")
    assert default_data_dir({}) == ROOT / ".baton"  # the nearest directory above holding layers/models
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BATON_HOME", str(ROOT))
    assert default_data_dir({}) == ROOT / ".baton"
    assert default_data_dir({"BATON_DATA_DIR": str(tmp_path / "mine")}) == tmp_path / "mine"
    assert default_data_dir({"BATON_DATA_DIR": "rel"}) == tmp_path / "rel"  # made absolute


def test_outside_a_checkout_the_data_dir_is_the_current_directorys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Wherever the package is installed from: a tool finds a checkout only where it runs, or in BATON_HOME.
    monkeypatch.delenv("BATON_HOME", raising=False)
    monkeypatch.chdir(tmp_path)
    assert default_data_dir({}) == tmp_path / ".baton"
    (tmp_path / "layers" / "models").mkdir(parents=True)
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    assert default_data_dir({}) == tmp_path / ".baton"


@pytest.mark.parametrize(
    "argv",
    [
        ["events", "list"],
        ["dlq", "list"],
        ["dlq", "show", "abc"],
        ["dlq", "replay", "--all"],
        ["dlq", "purge", "--all"],
    ],
)
def test_commands_on_local_data_that_does_not_exist_say_so_and_create_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, argv: list[str]
) -> None:
    missing = tmp_path / "nothing-here"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BATON_DATA_DIR", str(missing))
    code, _, err = run(capsys, *argv)
    assert code == 1
    assert f"no local data at {missing} (start `baton local` first or pass --data-dir)" in err
    assert not missing.exists()
    assert not (tmp_path / ".baton").exists()
    # --data-dir, relative, is reported absolute.
    code, _, err = run(capsys, *argv, "--data-dir", "rel")
    assert (code, f"no local data at {tmp_path / 'rel'} " in err) == (1, True)


def test_events_put_queues_into_the_default_data_dir_and_names_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path / "..")
    monkeypatch.setenv("BATON_DATA_DIR", str(tmp_path / "data"))
    code, out, _ = run(capsys, "events", "put", str(ZENDESK_EVENT))
    assert code == 0
    assert f"Queued in {tmp_path / 'data'}: " in out
    assert f"local --data-dir {tmp_path / 'data'}` delivers it when it starts" in out
    code, out, _ = run(capsys, "events", "list")
    assert code == 0 and "Support Ticket: Comment Created" in out


# -- demo load: which token -------------------------------------------------------------------------


@pytest.fixture
def running_instance(tmp_path: Path, mocker: MockerFixture) -> MagicMock:
    """A runtime.json as a running `baton local` publishes it, and demo.load (a mock) recording what it gets."""
    from baton.local import demo

    info = {
        "pid": os.getpid(),
        "url": "http://127.0.0.1:1",
        "token": "the-running-token",
        "dynamodb_endpoint": "http://127.0.0.1:2",
        "tables": {"context": "baton-context", "routing": "baton-routing"},
    }
    (tmp_path / "runtime.json").write_text(json.dumps(info))
    mocker.patch.object(demo, "context_table", side_effect=lambda endpoint, name: name)
    mocker.patch.object(demo, "agent_directory", side_effect=lambda endpoint, name: name)
    return mocker.patch.object(demo, "load", return_value=demo.DemoSummary())


def test_demo_load_uses_the_running_instances_token_over_a_stale_exported_one(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    running_instance: MagicMock,
) -> None:
    monkeypatch.setenv("BATON_API_TOKEN", "stale-from-an-earlier-run")
    assert run(capsys, "demo", "load", "--data-dir", str(tmp_path))[0] == 0
    assert running_instance.call_args.kwargs["token"] == "the-running-token"
    assert run(capsys, "demo", "load", "--data-dir", str(tmp_path), "--token", "explicit")[0] == 0
    assert running_instance.call_args.kwargs["token"] == "explicit"
    # The agents go into the running instance's routing table.
    assert running_instance.call_args.kwargs["agents"] == "baton-routing"


# -- quiet handlers ---------------------------------------------------------------------------------


def test_handlers_log_warnings_only_and_print_no_metrics_unless_verbose() -> None:
    quiet, verbose = handler_environment(verbose=False), handler_environment(verbose=True)
    assert (quiet["POWERTOOLS_LOG_LEVEL"], quiet["POWERTOOLS_METRICS_DISABLED"]) == ("WARNING", "true")
    assert (verbose["POWERTOOLS_LOG_LEVEL"], verbose["POWERTOOLS_METRICS_DISABLED"]) == ("INFO", "false")


def test_local_verbose_is_an_option() -> None:
    from baton.cli import build_parser

    assert build_parser().parse_args(["local", "--verbose"]).verbose is True
    assert build_parser().parse_args(["local"]).verbose is False


def test_schemas_export_writes_the_schemas(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "schemas", "export", "--out", str(tmp_path / "schemas"))
    assert code == 0
    written = [Path(line) for line in out.splitlines()]
    assert any(path.name.startswith("MessageReceived") for path in written)
    assert all(path.is_file() for path in written)


def test_a_second_local_on_the_same_data_dir_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import fcntl

    monkeypatch.setenv("BATON_API_TOKEN", "t")
    with (tmp_path / "local.lock").open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)  # what a running `baton local` holds
        code, _, err = run(capsys, "local", "--data-dir", str(tmp_path))
    assert code == 2
    assert "another `baton local` is using" in err


def test_decision_params_prints_what_the_parameter_store_takes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    shipped = ROOT / "layers" / "models" / "decision" / "params.json"
    code, out, _ = run(capsys, "decision", "params", str(shipped))
    assert code == 0
    value = json.loads(out)
    assert "fit" not in value and value["version"] == json.loads(shipped.read_text())["version"]
    assert len(out.strip().encode()) <= 8192

    broken = json.loads(shipped.read_text())
    broken["thresholds"]["exit"] = -1
    (tmp_path / "broken.json").write_text(json.dumps(broken))
    code, out, err = run(capsys, "decision", "params", str(tmp_path / "broken.json"))
    assert (code, out) == (1, "")
    assert "broken.json" in err and "thresholds.exit" in err
    code, _, err = run(capsys, "decision", "params", str(tmp_path / "missing.json"))
    assert code == 1 and "cannot read" in err and "missing.json" in err


def test_output_cut_short_by_a_pipe_is_not_a_traceback(tmp_path: Path) -> None:
    """`baton backtest lines.jsonl | head -1`: the reader goes away long before the output (well over a pipe's
    64 KB buffer) is written; baton exits quietly instead of printing a BrokenPipeError traceback."""
    lines = tmp_path / "lines.jsonl"
    lines.write_text(
        "".join(
            json.dumps(
                {
                    "conversation_id": f"c{i}",
                    "messages": [{"role": "customer", "text": "Where is my invoice?"}],
                }
            )
            + "\n"
            for i in range(400)
        )
    )
    err = tmp_path / "stderr.txt"
    script = (
        f"{shlex.quote(sys.executable)} -m baton.cli backtest {shlex.quote(str(lines))} "
        f"2>{shlex.quote(str(err))} | head -1"
    )
    done = subprocess.run(
        ["bash", "-o", "pipefail", "-c", script], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, err.read_text()
    assert done.stdout.startswith("{") and "Traceback" not in err.read_text()
