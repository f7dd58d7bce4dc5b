"""`baton local` serves the support lead's console at /console/: its static files with no token (the page calls the
API with one), nothing outside the console's directory, and a banner line with a one-time link that signs a browser in (never the token)."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from pytest_socket import enable_socket, socket_allow_hosts

from baton.local.runtime import LocalConfig, LocalRuntime, console_dir
from baton.local.server import HOST, LocalApiServer, SignInCodes

TOKEN = "s3cret-token"
PROTECTED = frozenset({("GET", "/v1/conversations/{conversation_id}")})


@pytest.fixture
def calls() -> list[str]:
    return []


@pytest.fixture
def loopback() -> None:
    # Unit tests block the network; the server under test is on loopback only.
    enable_socket()
    socket_allow_hosts([HOST])


@pytest.fixture
def server(loopback: None, calls: list[str]) -> Iterator[LocalApiServer]:
    def handler(event: dict, context: object) -> dict:
        calls.append(event["rawPath"])
        return {
            "statusCode": 404,
            "headers": {"content-type": "application/json"},
            "body": '{"error": "not_found"}',
        }

    srv = LocalApiServer(
        handler,
        token=TOKEN,
        protected_routes=PROTECTED,
        port=0,
        log=lambda line: None,
        console_dir=console_dir(),
    ).start()
    yield srv
    srv.stop()


def get(server: LocalApiServer, path: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection(HOST, server.port, timeout=10)
    conn.request(method, path)
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, body


def test_the_console_ships_with_the_package_and_its_chart_library_with_its_licence() -> None:
    directory = console_dir()
    assert directory is not None
    for name in (
        "index.html",
        "console.js",
        "console.css",
        "vendor/uplot/uPlot.iife.min.js",
        "vendor/uplot/LICENSE",
    ):
        assert (directory / name).is_file(), name
    assert "MIT License" in (directory / "vendor" / "uplot" / "LICENSE").read_text()


def test_the_page_and_its_assets_are_served_without_a_token(server: LocalApiServer, calls: list[str]) -> None:
    status, headers, body = get(server, "/console/")
    assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
    assert b'<script src="console.js"' in body
    # Nothing from elsewhere: the page's policy allows this origin only, and no other site may frame it.
    assert "connect-src 'self'" in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["referrer-policy"] == "no-referrer" and headers["x-content-type-options"] == "nosniff"
    for path, content_type in (
        ("/console/console.js", "text/javascript; charset=utf-8"),
        ("/console/console.css", "text/css; charset=utf-8"),
        ("/console/vendor/uplot/uPlot.iife.min.js", "text/javascript; charset=utf-8"),
        ("/console/vendor/uplot/LICENSE", "text/plain; charset=utf-8"),
    ):
        status, headers, body = get(server, path)
        assert (status, headers["content-type"]) == (200, content_type), path
        assert body
    status, headers, body = get(server, "/console/console.js", method="HEAD")
    assert status == 200 and body == b""
    assert calls == []  # the API's handler never saw them


def test_console_without_its_slash_redirects_so_relative_assets_resolve(server: LocalApiServer) -> None:
    status, headers, _ = get(server, "/console")
    assert (status, headers["location"]) == (308, "/console/")


@pytest.mark.parametrize(
    "path",
    [
        "/console/nothing.js",
        "/console/../server.py",
        "/console/%2e%2e/cli.py",
        "/console/vendor/../../cli.py",
        "/console/.hidden",
        "/console/vendor",
        "/console/config.json",  # locally there is none: the page then uses this origin and the token
    ],
)
def test_nothing_outside_the_consoles_files_is_served(server: LocalApiServer, path: str) -> None:
    status, headers, body = get(server, path)
    assert status == 404 and headers["content-type"] == "application/json"
    assert b"def " not in body


def test_the_api_still_needs_the_token(server: LocalApiServer, calls: list[str]) -> None:
    status, _, _ = get(server, "/v1/conversations/c1")
    assert status == 401 and calls == []


def test_a_server_without_a_console_passes_console_paths_to_the_api(loopback: None, calls: list[str]) -> None:
    srv = LocalApiServer(
        lambda event, context: calls.append(event["rawPath"]) or {"statusCode": 404, "body": ""},
        token=TOKEN,
        protected_routes=PROTECTED,
        port=0,
        log=lambda line: None,
    ).start()
    try:
        assert srv.console_url() is None and srv.signin_url() is None
        assert get(srv, "/console/")[0] == 404 and calls == ["/console/"]
    finally:
        srv.stop()


def test_the_banner_prints_a_console_link_that_signs_a_browser_in_once_and_no_token(
    loopback: None, tmp_path: Path
) -> None:
    config = LocalConfig.resolve(data_dir=tmp_path, environ={"BATON_API_TOKEN": "tok-123"})
    config.load_secrets()
    runtime = LocalRuntime(config, out=lambda text: None)
    runtime.server = LocalApiServer(
        lambda e, c: None,
        token="tok-123",
        protected_routes=(),
        port=0,
        console_dir=console_dir(),
        log=lambda _: None,
    ).start()
    runtime.dynamodb = SimpleNamespace(endpoint="http://127.0.0.1:8000")
    try:
        banner = runtime.banner()
        assert "tok-123" not in banner
        (line,) = [line for line in banner.splitlines() if line.strip().startswith("Console")]
        link = line.split()[-1]
        base, _, code = link.partition("#signin=")
        assert base == f"http://127.0.0.1:{runtime.server.port}/console/" and len(code) >= 20
        (token_line,) = [line for line in banner.splitlines() if line.strip().startswith("Token")]
        assert (
            token_line.split("export ", 1)[1].startswith("BATON_API_TOKEN=$(")
            and " token --data-dir " in token_line
        )

        assert signin(runtime.server, code) == (200, {"token": "tok-123"})
        status, body = signin(runtime.server, code)  # once only: the printed code is worthless afterwards
        assert status == 401 and "used already or has expired" in body["message"]
        assert signin(runtime.server, "made-up")[0] == 401
        assert signin(runtime.server, "")[0] == 422
    finally:
        runtime.server.stop()


def signin(server: LocalApiServer, code: str) -> tuple[int, Any]:
    connection = http.client.HTTPConnection(HOST, server.port, timeout=10)
    try:
        connection.request(
            "POST", "/console/signin", json.dumps({"code": code}), {"Content-Type": "application/json"}
        )
        response = connection.getresponse()
        assert response.getheader("Cache-Control") == "no-store"
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def test_a_new_sign_in_link_needs_the_token(server: LocalApiServer) -> None:
    def links(headers: dict[str, str]) -> tuple[int, Any]:
        connection = http.client.HTTPConnection(HOST, server.port, timeout=10)
        try:
            connection.request("POST", "/console/links", b"", headers)
            response = connection.getresponse()
            return response.status, json.loads(response.read())
        finally:
            connection.close()

    assert links({})[0] == 401
    assert links({"Authorization": "Bearer wrong"})[0] == 401
    status, body = links({"Authorization": f"Bearer {TOKEN}"})
    assert status == 201
    code = body["url"].partition("#signin=")[2]
    assert signin(server, code) == (200, {"token": TOKEN})


def test_expired_sign_in_codes_do_not_work() -> None:
    now = [100.0]
    codes = SignInCodes(ttl_s=60, clock=lambda: now[0])
    late, early = codes.issue(), codes.issue()
    assert codes.redeem(early)
    now[0] += 61
    assert not codes.redeem(late)
