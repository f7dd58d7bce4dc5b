"""`baton local`'s recording fake helpdesk: the write-back's requests are recorded exactly as the real client
would send them (the same request objects, the credential redacted), never sent; `baton helpdesk calls` lists
them."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from helpdesk_fakes import SECRETS, assignment, handoff

from baton import wiring
from baton.adapters.helpdesk import (
    REDACTED,
    HelpdeskHttp,
    HelpdeskRequest,
    HelpdeskResponse,
    UrllibTransport,
    ZendeskDesk,
    zendesk_credentials,
    zendesk_update,
)
from baton.cli import main
from baton.local.helpdesk import (
    PLACEHOLDER_CREDENTIALS,
    RecordingTransport,
    calls_path,
    install_recorder,
    read_calls,
)
from baton.settings import Settings


@pytest.fixture(autouse=True)
def _fresh_wiring() -> Any:
    wiring.reset()
    yield
    wiring.use_local_helpdesk(None)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


class Spy:
    """Keeps the request objects, then passes them to the recorder."""

    def __init__(self, inner: RecordingTransport) -> None:
        self.inner = inner
        self.requests: list[HelpdeskRequest] = []

    def send(self, request: HelpdeskRequest) -> HelpdeskResponse:
        self.requests.append(request)
        return self.inner.send(request)


def test_the_recorder_writes_down_the_request_the_real_client_sends(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = Spy(RecordingTransport(calls_path(tmp_path)))
    ZendeskDesk(SECRETS, HelpdeskHttp(spy)).write_note(
        "123", "**hi**", agent="5001", team=None, deadline=None
    )
    (request,) = spy.requests
    (recorded,) = read_calls(calls_path(tmp_path))

    # What urllib would put on the wire for the same request object.
    wire: list[Any] = []
    real = UrllibTransport()
    monkeypatch.setattr(real._opener, "open", lambda req, timeout: wire.append(req) or _ok())
    real.send(request)
    (sent,) = wire

    assert recorded == {"at": recorded["at"], **request.described()}
    assert (recorded["method"], recorded["url"]) == (sent.get_method(), sent.full_url)
    assert recorded["body"] == json.loads(sent.data)
    sent_headers = {name.lower(): value for name, value in sent.header_items()}
    assert {name.lower(): value for name, value in recorded["headers"].items()} == {
        **sent_headers,
        "authorization": REDACTED,
    }
    assert "zd-token-123" not in calls_path(tmp_path).read_text()


def _ok() -> Any:
    class Answer:
        status = 200
        headers: dict[str, str] = {}

        def read(self) -> bytes:
            return b"{}"

        def __enter__(self) -> Any:
            return self

        def __exit__(self, *exc: object) -> None:
            return None

    return Answer()


def test_baton_local_settings_select_the_recorder_and_the_write_back_records_its_calls(
    tmp_path: Path, idempotency: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    idempotency()  # the idempotency table (moto), where the write-back's records go as under DynamoDB Local
    install_recorder()
    settings = Settings(helpdesk_calls_path=str(calls_path(tmp_path)), **PLACEHOLDER_CREDENTIALS)
    writeback = wiring.writeback_service(settings)

    assert isinstance(wiring.helpdesk_transport(settings), RecordingTransport)
    writeback.handle(handoff("zendesk:123"))
    writeback.handle(handoff("zendesk:123", assigned=assignment()))
    writeback.handle(handoff("intercom:215467", assigned=assignment(helpdesk_id=None, team="6002")))
    writeback.handle(handoff("intercom:215467", assigned=assignment(helpdesk_id=None, team="6002")))

    code, out, _ = run(capsys, "helpdesk", "calls", "--data-dir", str(tmp_path))
    lines = out.splitlines()
    assert code == 0 and lines[0].split() == ["TIME", "HELPDESK", "METHOD", "URL", "WHAT"]
    assert [line.split()[1:4] for line in lines[1:]] == [
        ["zendesk", "PUT", "https://baton-local.zendesk.com/api/v2/tickets/123.json"],
        ["zendesk", "PUT", "https://baton-local.zendesk.com/api/v2/tickets/123.json"],
        ["intercom", "POST", "https://api.intercom.io/conversations/215467/reply"],
        ["intercom", "POST", "https://api.intercom.io/conversations/215467/parts"],
    ]
    assert "internal note (" in lines[1] and lines[2].endswith("assignee 5001")
    assert lines[4].endswith("team 6002 (by admin 1)")

    code, out, _ = run(capsys, "helpdesk", "calls", "--json", "--limit", "1", "--data-dir", str(tmp_path))
    (last,) = [json.loads(line) for line in out.splitlines()]
    assert last["body"] == {
        "message_type": "assignment",
        "type": "team",
        "admin_id": "1",
        "assignee_id": "6002",
    }
    assert last["headers"]["Authorization"] == REDACTED and last["headers"]["Intercom-Version"] == "2.11"


def test_the_calls_command_with_nothing_recorded_or_no_local_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "helpdesk", "calls", "--data-dir", str(tmp_path))
    assert code == 0 and out.startswith("No helpdesk calls recorded yet")

    code, _, err = run(capsys, "helpdesk", "calls", "--data-dir", str(tmp_path / "missing"))
    assert code == 1 and "no local data at" in err


def test_a_recording_path_without_the_recorder_installed_fails_naming_it(tmp_path: Path) -> None:
    with pytest.raises(wiring.NoLocalHelpdesk, match="BATON_HELPDESK_CALLS_PATH"):
        wiring.helpdesk_transport(Settings(helpdesk_calls_path=str(tmp_path / "calls.jsonl")))


def test_deployed_settings_select_urllib_and_local_values_serve_the_credentials() -> None:
    assert isinstance(wiring.helpdesk_transport(Settings()), UrllibTransport)
    settings = Settings(zendesk_api_credentials=PLACEHOLDER_CREDENTIALS["zendesk_api_credentials"])
    assert zendesk_credentials(wiring.secrets(settings)).subdomain == "baton-local"
    assert "local-placeholder" not in repr(settings)
    with pytest.raises(ValueError, match="needs a note or an assignee"):
        zendesk_update(zendesk_credentials(wiring.secrets(settings)), "1", note=None)


def test_baton_local_points_the_write_back_at_the_recorder_and_never_at_secrets_manager(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from baton.local import runtime
    from baton.local.runtime import LocalConfig, LocalRuntime

    monkeypatch.setattr(os, "environ", {**os.environ, "BATON_ZENDESK_API_SECRET_NAME": "prod/zendesk-api"})
    monkeypatch.setattr(runtime, "_quiet_cold_start_metric", lambda: None)
    settings = LocalRuntime(LocalConfig(data_dir=tmp_path))._configure_environment("http://127.0.0.1:1")

    assert settings.helpdesk_calls_path == str(tmp_path / "helpdesk-calls.jsonl")
    assert settings.zendesk_api_secret_name is None and "BATON_ZENDESK_API_SECRET_NAME" not in os.environ
    assert settings.intercom_api_credentials == PLACEHOLDER_CREDENTIALS["intercom_api_credentials"]
    assert os.environ["BATON_HELPDESK_CALLS_PATH"] == settings.helpdesk_calls_path
