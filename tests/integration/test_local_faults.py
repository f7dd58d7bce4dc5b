"""`baton local`'s HTTP transport under the faults issue 14 measured, on a real `baton local` subprocess.

Percent-encoded ids, the JSON error body for everything the transport answers itself, requests that never finish
arriving, no query string (nor a canary e-mail in one) in the console log, clients served at once, and `/v1/health`
when its dependencies go away (the last tests: they break this module's instance).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests
from test_local_e2e import ZENDESK_EVENT, LocalProcess, eventually, message

pytestmark = [pytest.mark.integration, pytest.mark.slow]

REQUEST_TIMEOUT_S = 2
CANARY = "canary.person@example.com"
ACCESS_LINE = re.compile(
    r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z 127\.0\.0\.1 "(?P<method>[A-Z-]+) (?P<path>\S+)" (?P<status>\d{3}) '
    r"(?P<ms>\d+)ms$"
)


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalProcess]:
    process = LocalProcess(tmp_path_factory.mktemp("baton-local-faults") / "data")
    process.env["BATON_LOCAL_REQUEST_TIMEOUT_S"] = str(REQUEST_TIMEOUT_S)
    process.start()
    yield process
    process.stop()


def raw(local: LocalProcess, data: bytes) -> tuple[int, dict[str, str], bytes, bytes]:
    """Send raw bytes; (status, headers, body, what came after the answer before the server closed)."""
    with socket.create_connection(("127.0.0.1", local.port), timeout=REQUEST_TIMEOUT_S + 20) as sock:
        sock.sendall(data)
        reader = sock.makefile("rb")
        status = int(reader.readline().split()[1])
        headers = {}
        while (line := reader.readline().strip()) and b":" in line:
            name, _, value = line.decode().partition(":")
            headers[name.strip().lower()] = value.strip()
        body = reader.read(int(headers.get("content-length", 0)))
        return status, headers, body, reader.read()


def error_body(body: bytes, field: str) -> dict[str, Any]:
    answer = json.loads(body)
    assert set(answer) == {"error", "message", "errors"} and answer["errors"][0]["field"] == field
    return answer


def access_lines(local: LocalProcess) -> list[re.Match[str]]:
    return [m for line in local.log.read_text().splitlines() if (m := ACCESS_LINE.match(line))]


def unhealthy(local: LocalProcess) -> bytes | None:
    """The body of a 503 from /v1/health, or None while it answers otherwise."""
    answer = requests.get(f"{local.url}/v1/health", timeout=10)
    return answer.content if answer.status_code == 503 else None


def test_a_percent_encoded_conversation_id_is_the_id(local: LocalProcess) -> None:
    headers = {"Authorization": f"Bearer {local.token}"}
    posted = requests.post(
        f"{local.url}/v1/conversations/enc%2Dconv/messages",
        json=message("p1", "hello"),
        headers=headers,
        timeout=10,
    )
    assert (posted.status_code, posted.json()["conversation_id"]) == (202, "enc-conv")
    assert local.get("enc-conv").json()["messages"][0]["message_id"] == "p1"

    # The case: a helpdesk conversation, as a client that encodes the `:` asks for it.
    ticket = json.loads(ZENDESK_EVENT.read_text())["detail"]["ticket_event"]["ticket"]["id"]
    assert local.cli("events", "put", str(ZENDESK_EVENT)).returncode == 0
    plain = eventually(lambda: (r := local.get(f"zendesk:{ticket}")).status_code == 200 and r, "the ticket")
    encoded = requests.get(f"{local.url}/v1/conversations/zendesk%3A{ticket}", headers=headers, timeout=10)
    assert (encoded.status_code, encoded.json()["conversation_id"]) == (200, f"zendesk:{ticket}")
    assert encoded.json()["messages"] == plain.json()["messages"]


@pytest.mark.parametrize(
    ("data", "status", "field"),
    [
        (b"TRACE /v1/health HTTP/1.1\r\nHost: x\r\n\r\n", 501, "method"),
        (b"GET /v1/health HTTP/1.1 and more\r\n\r\n", 400, "request line"),
        (b"GET /v1/health HTTP/9.1\r\n\r\n", 505, "request line"),
        (b"GET /v1/health HTTP/1.1\r\nX-Big: " + b"a" * 70000 + b"\r\n\r\n", 431, "headers"),
        (b"POST /v1/webhooks/zendesk HTTP/1.1\r\nContent-Length: x\r\n\r\n", 400, "Content-Length"),
        (b"POST /v1/webhooks/zendesk HTTP/1.1\r\nContent-Length: 104857600\r\n\r\n", 413, "body"),
        (b"GET /v1/conversations/%zz HTTP/1.1\r\nConnection: close\r\n\r\n", 400, "path"),
    ],
)
def test_what_the_transport_answers_itself_is_the_json_error_body(
    local: LocalProcess, data: bytes, status: int, field: str
) -> None:
    got, headers, body, _ = raw(local, data)
    assert (got, headers["content-type"]) == (status, "application/json")
    assert not body.startswith(b"<")
    error_body(body, field)


def test_a_request_whose_body_never_arrives_is_408_and_its_connection_closed(local: LocalProcess) -> None:
    status, headers, body, rest = raw(
        local,
        b"POST /v1/conversations/slow/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b'Content-Length: 1000\r\n\r\n{"message_id": ',
    )
    assert (status, headers["connection"], rest) == (
        408,
        "close",
        b"",
    )  # answered, then closed: its thread is free
    assert f"within {REQUEST_TIMEOUT_S} s" in error_body(body, "body")["message"]
    assert local.get("slow").status_code == 404  # nothing reached the handler


def test_the_console_log_has_one_timed_line_per_request_and_never_a_query_string(local: LocalProcess) -> None:
    headers = {"Authorization": f"Bearer {local.token}"}
    assert requests.get(f"{local.url}/v1/health?email={CANARY}", timeout=10).status_code == 200
    posted = requests.post(
        f"{local.url}/v1/conversations/canary-conv/messages?email={CANARY}",
        json=message("c1", "hello"),
        headers=headers,
        timeout=10,
    )
    assert posted.status_code == 202
    assert requests.get(f"{local.url}/v1/conversations?email={CANARY}", headers=headers, timeout=10).ok
    raw(local, f"TRACE /v1/health?email={CANARY} HTTP/1.1\r\n\r\n".encode())
    raw(local, f"GET /v1/health?email={CANARY} HTTP/1.1 x\r\n\r\n".encode())

    def logged() -> list[re.Match[str]] | None:
        lines = [m for m in access_lines(local) if m["status"] in ("400", "501") or "canary" in m["path"]]
        return lines if len(lines) >= 3 else None

    eventually(logged, "the access-log lines")
    paths = [(m["method"], m["path"], m["status"]) for m in access_lines(local)]
    assert ("GET", "/v1/health", "200") in paths
    assert ("POST", "/v1/conversations/canary-conv/messages", "202") in paths
    assert ("TRACE", "/v1/health", "501") in paths
    assert ("-", "-", "400") in paths
    assert "canary.person" not in local.log.read_text()


def test_sixteen_clients_are_served_at_once_and_every_message_is_stored_in_order(local: LocalProcess) -> None:
    def client(index: int) -> list[tuple[int, str]]:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {local.token}"
        answers = [
            session.post(
                f"{local.url}/v1/conversations/many-{index}/messages",
                json=message(f"m{n}", f"message {n} of client {index}"),
                timeout=60,
            )
            for n in range(10)
        ]
        # Each answer names the message it answers (Powertools keeps the current request in a class attribute:
        # two requests resolved at once in one process would read each other's).
        return [
            (a.status_code, "" if a.status_code == 202 and a.json()["message_id"] == f"m{n}" else a.text)
            for n, a in enumerate(answers)
        ]

    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = [answer for client_answers in pool.map(client, range(16)) for answer in client_answers]
    assert [answer for answer in answers if answer != (202, "")] == []
    for index in range(16):
        stored = [(m["message_id"], m["seq"]) for m in local.get(f"many-{index}").json()["messages"]]
        assert stored == [(f"m{n}", n + 1) for n in range(10)]


def test_health_reports_a_missing_bus_file_and_recovers(local: LocalProcess) -> None:
    bus = local.data_dir / "bus.sqlite3"
    moved = bus.with_name("bus.sqlite3.moved")
    shutil.move(bus, moved)
    try:
        down = eventually(lambda: unhealthy(local), "health to report the bus file")
        assert error_body(down, "bus")["errors"][0]["message"] == f"the bus file is down: {bus} is missing"
    finally:
        shutil.move(moved, bus)
    eventually(
        lambda: requests.get(f"{local.url}/v1/health", timeout=10).status_code == 200, "health to be ok"
    )
    eventually(lambda: "the bus file is back" in local.log.read_text(), "the bus file's return to be logged")


def test_health_reports_dynamodb_local_down_and_the_console_says_so_once(local: LocalProcess) -> None:
    """The last test of the module: it kills this instance's DynamoDB Local."""
    dynamodb_pid = json.loads((local.data_dir / "runtime.json").read_text())["dynamodb_pid"]
    os.killpg(dynamodb_pid, signal.SIGKILL)  # its process group: the JVM and anything it started
    down = eventually(lambda: unhealthy(local), "health to report DynamoDB Local")
    answer = error_body(down, "dynamodb")
    assert answer["error"] == "unavailable" and answer["message"].startswith("DynamoDB Local is down: ")
    for _ in range(3):
        assert requests.get(f"{local.url}/v1/health", timeout=10).status_code == 503
    warnings = [line for line in local.log.read_text().splitlines() if "DynamoDB Local is down" in line]
    assert len(warnings) == 1 and "WARNING" in warnings[0]
    assert local.stop(signal.SIGINT) == 0  # and `baton local` still stops cleanly
