"""`baton local`'s runtime: what its console shows, the modes of its data files, and what a failed start leaves.

(The whole runtime, on DynamoDB Local, is exercised by tests/integration/test_local_e2e.py.)"""

from __future__ import annotations

import io
import json
import os
import socket
import stat
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit
from pytest_socket import enable_socket, socket_allow_hosts

from baton.cli import main
from baton.events import EscalationDecided, MessageRedacted
from baton.local.dynamodb_local import free_port
from baton.local.runtime import (
    LOCK_FILE,
    SECRETS_FILE,
    Console,
    LocalConfig,
    LocalRuntime,
    owner_only,
)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def loopback() -> Iterator[None]:
    enable_socket()
    socket_allow_hosts(["127.0.0.1"])
    yield


@pytest.fixture
def taken_port() -> Iterator[int]:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield taken.getsockname()[1]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# -- the console ------------------------------------------------------------------------------------

BLOB = '{"_aws":{"Timestamp":1,"CloudWatchMetrics":[]},"service":"score","MessagesScored":[1.0]}'


@pytest.mark.parametrize(
    ("verbose", "shown"), [(False, ["a log line", "another"]), (True, ["a log line", BLOB, "another"])]
)
def test_the_console_prints_metric_blobs_only_when_verbose(verbose: bool, shown: list[str]) -> None:
    out = io.StringIO()
    console = Console(out, show_metrics=verbose)
    print("a log line", file=console)
    print(BLOB, file=console)
    if not verbose:  # json.dumps' default separators, as Powertools prints a full metric set
        print(BLOB.replace(":", ": ").replace(",", ", "), file=console)
    print("another", file=console, flush=True)
    assert out.getvalue().splitlines() == shown


def test_metrics_powertools_prints_while_disabled_stay_off_the_console(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With metrics disabled Powertools still prints a metric set that reaches 100 values (and every
    `single_metric`): `baton local` printed EMF blobs without --verbose after about 100 messages."""
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", Console(out, show_metrics=False))
    metrics = Metrics(namespace="Baton", service="ingest-api")
    for _ in range(100):
        metrics.add_metric(name="MessagesAccepted", unit=MetricUnit.Count, value=1)
    print("after", flush=True)
    metrics.clear_metrics()
    assert out.getvalue() == "after\n"


def test_the_console_writes_whole_lines_from_concurrent_threads() -> None:
    out = io.StringIO()
    console = Console(out, show_metrics=False)

    def talk(name: str) -> None:
        for i in range(200):
            console.write(f"{name} ")
            console.write(f"line {i}\n")

    threads = [threading.Thread(target=talk, args=(n,)) for n in ("api", "score", "decide")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    lines = out.getvalue().splitlines()
    assert len(lines) == 600
    assert all(line.split(" ", 1)[0] in ("api", "score", "decide") and " line " in line for line in lines)


def decided(conversation_id: str, seq: int, action: str, risk: float, event_id: str) -> EscalationDecided:
    return EscalationDecided(
        event_id=event_id,
        conversation_id=conversation_id,
        seq=seq,
        message_id=f"m{seq}",
        action=action,  # type: ignore[arg-type]
        risk=risk,
        model_version="decision-test",
        decided_at=datetime(2026, 11, 27, 10, 0, 1, 250000, tzinfo=UTC),
    )


def test_the_console_shows_one_line_per_decision(tmp_path: Path) -> None:
    lines: list[str] = []
    runtime = LocalRuntime(LocalConfig(data_dir=tmp_path), out=lines.append)
    first = decided("zendesk:35436", 3, "escalate", 0.8712, "e-1")
    redacted = MessageRedacted(
        event_id="r-1", conversation_id="c2", message_id="m1", redacted_at=datetime.now(UTC)
    )
    runtime._show_decisions([first, redacted, decided("c2", 1, "resolve", 0.05, "e-2")])
    runtime._show_decisions([first])  # the same event published again (a retried consumer): not shown twice
    assert lines == [
        "2026-11-27T10:00:01.250Z decided zendesk:35436 #3 -> escalate (risk 0.87)",
        "2026-11-27T10:00:01.250Z decided c2 #1 -> resolve (risk 0.05)",
    ]


# -- the data files ---------------------------------------------------------------------------------


def test_owner_only_makes_the_data_dir_and_every_file_in_it_the_owners(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "dynamodb").mkdir(parents=True, mode=0o755)
    data.chmod(0o755)
    files = [
        data / "helpdesk-calls.jsonl",
        data / "dynamodb" / "shared-local-instance.db",
        data / "runtime.json",
    ]
    for file in files:
        file.write_text("{}")
        file.chmod(0o644)
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("not Baton's")
    elsewhere.chmod(0o644)
    (data / "link").symlink_to(elsewhere)
    owner_only(data)
    assert (mode(data), mode(data / "dynamodb")) == (0o700, 0o700)
    assert [mode(file) for file in files] == [0o600] * 3
    assert mode(elsewhere) == 0o644  # a link is not followed


def test_the_helpdesk_recorder_writes_an_owner_only_file(tmp_path: Path) -> None:
    from baton.adapters.helpdesk import HelpdeskRequest
    from baton.local.helpdesk import RecordingTransport

    older = tmp_path / "helpdesk-calls.jsonl"
    older.write_text("")
    older.chmod(0o644)  # from an older Baton
    request = HelpdeskRequest(
        helpdesk="zendesk",
        purpose="note",
        method="PUT",
        url="https://x.zendesk.com/api/v2/tickets/1.json",
        headers=(("Authorization", "Basic c2VjcmV0"),),
        body={"ticket": {}},
    )
    RecordingTransport(older).send(request)
    RecordingTransport(tmp_path / "new" / "calls.jsonl").send(request)
    assert mode(older) == mode(tmp_path / "new" / "calls.jsonl") == 0o600
    assert mode(tmp_path / "new") == 0o700


# -- a failed start ---------------------------------------------------------------------------------


def test_a_start_on_a_port_in_use_leaves_no_new_data_dir(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, loopback: None, taken_port: int
) -> None:
    umask = os.umask(0o022)
    os.umask(umask)
    code, _, err = run(
        capsys, "local", "--port", str(taken_port), "--data-dir", str(tmp_path / "new" / "data")
    )
    assert code == 2 and f"port {taken_port} on 127.0.0.1 is already in use" in err
    assert list(tmp_path.iterdir()) == []  # nor its parent, created for it
    assert os.umask(umask) == umask  # the process's umask is back
    assert not isinstance(sys.stdout, Console)


def test_a_start_without_java_leaves_no_new_data_dir(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, loopback: None
) -> None:
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    code, _, err = run(capsys, "local", "--port", str(free_port()), "--data-dir", str(tmp_path / "data"))
    assert code == 2 and "Java was not found" in err
    assert list(tmp_path.iterdir()) == []


def test_a_failed_start_on_existing_data_leaves_it_as_it_was(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, loopback: None, taken_port: int
) -> None:
    """What `baton events put` made before any `baton local`: a failed start adds no lock, secrets or database."""
    data = tmp_path / "data"
    code, _, _ = run(capsys, "events", "put", "--data-dir", str(data), _event_file(tmp_path))
    assert code == 0
    before = sorted(p.name for p in data.iterdir())
    code, _, err = run(capsys, "local", "--port", str(taken_port), "--data-dir", str(data))
    assert code == 2 and "already in use" in err
    assert sorted(p.name for p in data.iterdir()) == before
    assert LOCK_FILE not in before and SECRETS_FILE not in before


def test_a_second_local_on_a_running_ones_data_dir_writes_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, loopback: None, taken_port: int
) -> None:
    import fcntl

    data = tmp_path / "data"
    data.mkdir()
    (data / "runtime.json").write_text(json.dumps({"pid": os.getpid(), "url": "http://127.0.0.1:8787"}))
    with (data / LOCK_FILE).open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)  # what the running `baton local` holds
        before = {p.name: p.stat().st_mtime_ns for p in data.iterdir()}
        # Its port is taken too: the running instance is what the user is told about.
        code, _, err = run(capsys, "local", "--port", str(taken_port), "--data-dir", str(data))
        assert code == 2
        assert f"another `baton local` is using {data} (pid {os.getpid()}, http://127.0.0.1:8787)" in err
        assert {p.name: p.stat().st_mtime_ns for p in data.iterdir()} == before


def test_a_stopped_runtime_removes_its_lock_file_and_a_new_one_locks_again(tmp_path: Path) -> None:
    first = LocalRuntime(LocalConfig(data_dir=tmp_path))
    first._lock_data_dir()
    assert (tmp_path / LOCK_FILE).exists()
    first._unlock_data_dir()
    assert not (tmp_path / LOCK_FILE).exists()
    second = LocalRuntime(LocalConfig(data_dir=tmp_path))
    second._lock_data_dir()
    try:
        with pytest.raises(Exception, match="another `baton local` is using"):
            LocalRuntime(LocalConfig(data_dir=tmp_path))._lock_data_dir()
    finally:
        second._unlock_data_dir()


def _event_file(tmp_path: Path) -> str:
    path = tmp_path.parent / f"{tmp_path.name}-event.json"
    path.write_text(json.dumps({"source": "baton.test", "detail-type": "Tested", "detail": {"n": 1}}))
    return str(path)
