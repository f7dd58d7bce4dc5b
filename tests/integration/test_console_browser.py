"""The support lead's console in a real headless browser: Chromium from the OS's packages, driven by Playwright, on a
`baton local` started as a user starts it (the `local` fixture of test_local_e2e.py: its own instance here).

What a support lead would notice: the link the banner prints signs the browser in, once (and the code leaves the
address bar; `baton console` prints a new link); a posted conversation appears in the live list within 5 s; opening it shows its reasons and a chart with data
points; the filters narrow the list; the KPIs render as tiles with numbers and a chart. A page that throws a
JavaScript error fails the test that loaded it.

Chromium: $BATON_CHROMIUM, else `chromium` on PATH (`apt-get install chromium`); never a browser Playwright
downloads. Without it (or without Playwright) these tests skip with the reason, unless BATON_REQUIRE_BROWSER=1
(.ci/run sets it), where they fail instead.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from test_local_e2e import LocalProcess, eventually, local

from baton.local.runtime import console_dir

pytestmark = [pytest.mark.integration, pytest.mark.slow]

__all__ = ["local"]  # the fixture: one `baton local` for this module

APPEARS_WITHIN_MS = 5_000
"""The issue's promise: a posted conversation is in the console's list within 5 s."""
UI_TIMEOUT_MS = 10_000
"""Waiting for the page to show what the API already has (it refreshes every 2 s)."""


def find_chromium() -> str | None:
    named = os.environ.get("BATON_CHROMIUM")
    if named:
        return named if os.access(named, os.X_OK) else None
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _unavailable(why: str) -> None:
    if os.environ.get("BATON_REQUIRE_BROWSER") == "1":
        pytest.fail(f"BATON_REQUIRE_BROWSER=1 but the browser tests cannot run: {why}")
    pytest.skip(why)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = find_chromium()
    if executable is None:
        _unavailable("no Chromium: `apt-get install chromium` (or set BATON_CHROMIUM to its executable)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed (`./dev setup` installs it)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh tab (its own session storage); a JavaScript error on it fails the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.set_default_timeout(UI_TIMEOUT_MS)
    yield tab
    context.close()
    assert not errors, f"the console threw: {errors}"


def banner_link(process: LocalProcess) -> str:
    """The console line of the banner, as a user copies it (it signs one tab in, once)."""
    (line,) = [x for x in process.log.read_text().splitlines() if x.strip().startswith("Console ")][-1:]
    return line.split()[-1]


def console_url(process: LocalProcess) -> str:
    """A new sign-in link, as `baton console` prints it."""
    done = process.cli("console")
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def post(process: LocalProcess, conversation_id: str, text: str, message_id: str = "m1") -> None:
    body = {
        "message_id": message_id,
        "role": "customer",
        "text": text,
        "sent_at": now(),
        "customer": {"id": "cust-console", "account_id": "acct-console"},
    }
    assert process.post(conversation_id, body).status_code == 202


def new_id(what: str) -> str:
    return f"console-{what}-{uuid.uuid4().hex[:8]}"


def row(tab: Any, conversation_id: str) -> Any:
    return tab.locator(f'#conversation-list tr[data-conversation="{conversation_id}"]')


def test_the_banners_url_signs_in_and_a_posted_conversation_appears_within_5_s(
    browser: Any, local: LocalProcess, page: Any
) -> None:
    from playwright.sync_api import expect

    url = banner_link(local)
    assert url.startswith(f"{local.url}/console/#signin=") and local.token not in local.log.read_text()
    page.goto(url)
    expect(page.locator("#h-conversations")).to_be_visible()
    assert "signin" not in page.url  # out of the address bar (and its history entry) at once
    assert page.evaluate("sessionStorage.getItem('baton.token')") == local.token

    conversation_id = new_id("live")
    post(local, conversation_id, "Hi, my invoice shows 12 seats but we only have 9")
    expect(row(page, conversation_id)).to_be_visible(timeout=APPEARS_WITHIN_MS)


def test_a_used_sign_in_link_asks_for_a_new_one_and_baton_console_prints_one(
    browser: Any, local: LocalProcess, page: Any
) -> None:
    from playwright.sync_api import expect

    link = console_url(local)
    first = browser.new_context()
    try:
        tab = first.new_page()
        tab.goto(link)
        expect(tab.locator("#h-conversations")).to_be_visible(timeout=UI_TIMEOUT_MS)
    finally:
        first.close()
    page.goto(link)  # the same link again, in another tab: it worked once
    expect(page.locator("#token-form")).to_be_visible()
    expect(page.locator("body")).to_contain_text("used already or has expired")
    assert page.evaluate("sessionStorage.getItem('baton.token')") is None
    page.goto(console_url(local))
    expect(page.locator("#h-conversations")).to_be_visible()


def test_opening_a_conversation_shows_its_reasons_and_its_chart(
    browser: Any, local: LocalProcess, page: Any
) -> None:
    from playwright.sync_api import expect

    conversation_id = new_id("escalated").replace(
        "console-", "console:"
    )  # helpdesk ids look like `zendesk:123`
    post(local, conversation_id, "This is useless. Please put me through to a human agent now")
    decided = eventually(lambda: local.get(conversation_id).json().get("decision"), "the decision")
    page.goto(console_url(local))
    row(page, conversation_id).click()
    expect(page).to_have_url(re.compile(f"#conversation={conversation_id}$"))
    expect(page.locator("#conversation-id")).to_have_text(conversation_id)
    reasons = page.locator("#conversation-reasons table")
    expect(reasons.first).to_contain_text(decided["reasons"][0]["label"])
    expect(reasons.first).to_contain_text(decided["reasons"][0]["evidence"])
    chart = page.locator("#conversation-chart")
    expect(chart.locator("canvas")).to_have_count(1)
    # Risk, sentiment and frustration of the one customer message.
    expect(chart).to_have_attribute("data-points", re.compile(r"^[1-9]\d*$"))
    assert int(chart.get_attribute("data-points")) >= 2
    expect(page.locator("#conversation-messages li")).to_have_count(1)
    expect(page.locator("#conversation-messages")).to_contain_text("put me through to a human agent")


def test_the_closed_filter_shows_the_resolved_conversations_only(
    browser: Any, local: LocalProcess, page: Any
) -> None:
    from playwright.sync_api import expect

    closed, still_open = new_id("closed"), new_id("open")
    post(local, closed, "How do I export my invoices?")
    post(local, still_open, "How do I add a user?")
    outcome = requests.post(
        f"{local.url}/v1/conversations/{closed}/outcome",
        json={"kind": "resolved", "resolved_by": "bot", "at": now()},
        headers={"Authorization": f"Bearer {local.token}"},
        timeout=10,
    )
    assert outcome.status_code == 202
    page.goto(console_url(local))
    expect(row(page, still_open)).to_be_visible()
    page.get_by_label("Closed").check()
    expect(row(page, closed)).to_be_visible()
    expect(row(page, closed)).to_contain_text("resolved")
    expect(row(page, still_open)).to_have_count(0)


def test_the_kpis_render_as_tiles_with_numbers_and_a_chart(
    browser: Any, local: LocalProcess, page: Any
) -> None:
    from playwright.sync_api import expect

    post(local, new_id("kpi"), "I was charged twice this month")
    headers = {"Authorization": f"Bearer {local.token}"}
    eventually(
        lambda: requests.get(f"{local.url}/v1/kpis", headers=headers, timeout=10).json()["totals"][
            "conversations"
        ],
        "a conversation counted in the KPIs",
    )
    page.goto(console_url(local))
    page.get_by_role("link", name="KPIs").click()
    expect(page.locator("#h-kpis")).to_be_visible()
    expect(page.locator('[data-kpi="conversations"] .tile-value')).to_have_text(re.compile(r"^[1-9]\d*$"))
    expect(page.locator('[data-kpi="escalation_rate"] .tile-value')).to_have_text(
        re.compile(r"^\d+(\.\d)?%$")
    )
    expect(page.locator('[data-kpi="containment_rate"] .tile-value')).to_have_text(
        re.compile(r"^(\d+(\.\d)?%|—)$")
    )
    expect(page.locator("#kpi-chart canvas")).to_have_count(1)
    assert int(page.locator("#kpi-chart").get_attribute("data-points")) >= 1


def test_without_a_token_the_console_asks_for_one_and_refuses_a_wrong_one(
    browser: Any, local: LocalProcess, page: Any
) -> None:
    from playwright.sync_api import expect

    page.goto(f"{local.url}/console/")
    panel = page.locator("#sign-in-panel")
    expect(panel).to_contain_text("baton local")
    page.get_by_label("API token").fill("not-the-token")
    page.get_by_role("button", name="Use this token").click()
    expect(panel).to_contain_text("refused")
    page.get_by_label("API token").fill(local.token)
    page.get_by_role("button", name="Use this token").click()
    expect(page.locator("#h-conversations")).to_be_visible()
    expect(page.locator("#conversation-list tbody tr").first).to_be_visible()


# -- deployed: Cognito's hosted UI, authorization code with PKCE ---------------------------------------------------

SITE = "https://console.example.test/console/"
AUTH = "https://auth.example.test"
API = "https://api.example.test"


CONFIG = {
    "apiUrl": API,
    "cognitoDomain": AUTH,
    "clientId": "console-client",
    "redirectUri": SITE,
    "logoutUri": SITE,
    "scopes": "openid email baton/conversations.read",
}


def _query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


class FakeDeployment:
    """The static site (the console's files and a config.json), the hosted UI and the API, answered by
    Playwright's routes inside the browser; it records what Cognito and the API are sent."""

    CORS = {"access-control-allow-origin": "https://console.example.test"}

    def __init__(self) -> None:
        directory = console_dir()
        assert directory is not None
        self.directory = directory
        self.authorize: dict[str, str] = {}
        self.token: dict[str, str] = {}
        self.logout: dict[str, str] = {}
        self.api: list[str | None] = []

    def install(self, context: Any) -> None:
        context.route("**/*", lambda route: route.abort())  # anything else: never to the network
        context.route("https://console.example.test/console/**", self._site)
        context.route(f"{AUTH}/oauth2/authorize**", self._authorize)
        context.route(f"{AUTH}/oauth2/token", self._token)
        context.route(f"{AUTH}/logout**", self._logout)
        context.route(f"{API}/v1/**", self._api)

    def _site(self, route: Any) -> None:
        name = urlsplit(route.request.url).path.removeprefix("/console/") or "index.html"
        if name == "config.json":
            route.fulfill(json=CONFIG)
        elif (self.directory / name).is_file():
            route.fulfill(path=str(self.directory / name))
        else:
            route.fulfill(status=404, body="")

    def _authorize(self, route: Any) -> None:
        self.authorize = _query(route.request.url)
        route.fulfill(
            status=302, headers={"location": f"{SITE}?code=the-code&state={self.authorize['state']}"}
        )

    def _token(self, route: Any) -> None:
        self.token = {k: v[0] for k, v in parse_qs(route.request.post_data or "").items()}
        body = {"access_token": "access-1", "id_token": "id-1", "expires_in": 3600, "token_type": "Bearer"}
        route.fulfill(json=body, headers=self.CORS)

    def _api(self, route: Any) -> None:
        self.api.append(route.request.headers.get("authorization"))
        summary = {"conversation_id": "conv-deployed", "status": "escalated", "risk": 0.91}
        route.fulfill(json={"conversations": [summary], "next_cursor": None}, headers=self.CORS)

    def _logout(self, route: Any) -> None:
        self.logout = _query(route.request.url)
        route.fulfill(body="signed out", content_type="text/plain")


def test_deployed_the_page_signs_in_with_cognito_by_authorization_code_and_pkce(browser: Any) -> None:
    """Nothing leaves this machine: what is checked is what Cognito and the API would see."""
    from playwright.sync_api import expect

    fake = FakeDeployment()
    context = browser.new_context()
    fake.install(context)
    errors: list[str] = []
    tab = context.new_page()
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.set_default_timeout(UI_TIMEOUT_MS)
    try:
        tab.goto(SITE + "#kpis")
        tab.get_by_role("button", name="Sign in").click()
        expect(tab.locator("#h-kpis")).to_be_visible()  # back where the user was, signed in
        asked = fake.authorize
        assert {k: asked[k] for k in ("response_type", "client_id", "redirect_uri", "scope")} == {
            "response_type": "code",
            "client_id": "console-client",
            "redirect_uri": SITE,
            "scope": CONFIG["scopes"],
        }
        assert asked["code_challenge_method"] == "S256"
        exchange = fake.token
        assert (exchange["grant_type"], exchange["code"], exchange["client_id"]) == (
            "authorization_code",
            "the-code",
            "console-client",
        )
        assert exchange["redirect_uri"] == SITE and "client_secret" not in exchange
        # The verifier sent with the code is the one whose SHA-256 was the challenge.
        digest = hashlib.sha256(exchange["code_verifier"].encode()).digest()
        assert base64.urlsafe_b64encode(digest).rstrip(b"=").decode() == asked["code_challenge"]
        assert "code=" not in tab.url  # the code is out of the address bar

        tab.get_by_role("link", name="Conversations").click()
        expect(row(tab, "conv-deployed")).to_be_visible()
        assert set(fake.api) == {"Bearer access-1"}

        tab.get_by_role("button", name="Sign out").click()
        tab.wait_for_url(f"{AUTH}/logout**")
        assert fake.logout == {"client_id": "console-client", "logout_uri": SITE}
    finally:
        context.close()
    assert not errors, f"the console threw: {errors}"
