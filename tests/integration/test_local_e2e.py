"""`baton local` as a user runs it: a subprocess serving the real handlers on DynamoDB Local and the local bus.

One `baton local` for the module (started once: DynamoDB Local takes a few seconds); the last test
stops it with SIGINT and starts it again on the same data dir. It generates its API token (none is
exported to it), and the CLI runs with a stale BATON_API_TOKEN exported, as after an earlier run.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests

from baton.local.dynamodb_local import free_port

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
BATON = str(Path(sys.executable).parent / "baton")
STALE_TOKEN = "stale-token-from-an-earlier-run"
ZENDESK_EVENT = ROOT / "events" / "helpdesk" / "zendesk-partner" / "comment_created_customer.json"


def eventually[T](probe: Callable[[], T | None], what: str, timeout_s: float = 30.0) -> T:
    """Poll until `probe` returns a truthy value (the asynchronous bus delivers in the background)."""
    deadline = time.monotonic() + timeout_s
    while True:
        result = probe()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


class LocalProcess:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = data_dir.parent / "baton-local.log"
        self.token = ""
        inherited = {
            k: v
            for k, v in os.environ.items()
            if k not in ("BATON_API_TOKEN", "BATON_INTERCOM_WEBHOOK_SECRET", "BATON_DATA_DIR")
            and not k.startswith("POWERTOOLS_")
        }
        # The token and the Intercom secret are generated; the Zendesk secret is given.
        self.env = {**inherited, "BATON_ZENDESK_WEBHOOK_SECRET": "zendesk-secret"}
        self.cli_env = {**inherited, "BATON_API_TOKEN": STALE_TOKEN}

    def start(self) -> dict[str, Any]:
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [
                    BATON,
                    "local",
                    "--port",
                    str(self.port),
                    "--data-dir",
                    str(self.data_dir),
                    "--retry-delay",
                    "0.1",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            eventually(self._healthy, "baton local to answer /v1/health", timeout_s=60)
            # The banner is printed once serving has started: a test reading it must not race it.
            eventually(lambda: "Ctrl-C stops Baton" in self.log.read_text(), "the banner", timeout_s=30)
        except BaseException:
            self.stop()  # never leave a `baton local` (and its DynamoDB Local) behind
            raise
        runtime = json.loads((self.data_dir / "runtime.json").read_text())
        self.token = runtime["token"]
        return runtime

    def _healthy(self) -> bool:
        if self.proc is not None and self.proc.poll() is not None:
            raise AssertionError(
                f"baton local exited with {self.proc.returncode}:\n{self.log.read_text()[-4000:]}"
            )
        try:
            return requests.get(f"{self.url}/v1/health", timeout=1).status_code == 200
        except (requests.ConnectionError, requests.Timeout):  # the port is taken before serving starts
            return False

    def stop(self, sig: int = signal.SIGINT) -> int | None:
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            with contextlib.suppress(OSError, ValueError, KeyError):
                os.kill(
                    json.loads((self.data_dir / "runtime.json").read_text())["dynamodb_pid"], signal.SIGKILL
                )
            raise

    def cli(self, *argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [BATON, *argv, "--data-dir", str(self.data_dir)],
            cwd=ROOT,
            env=self.cli_env,
            capture_output=True,
            text=True,
            timeout=30,
        )

    def post(self, conversation_id: str, body: dict[str, Any], token: str | None = "") -> requests.Response:
        token = self.token if token == "" else token
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return requests.post(
            f"{self.url}/v1/conversations/{conversation_id}/messages", json=body, headers=headers, timeout=10
        )

    def get(self, conversation_id: str, token: str | None = "") -> requests.Response:
        token = self.token if token == "" else token
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return requests.get(f"{self.url}/v1/conversations/{conversation_id}", headers=headers, timeout=10)


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalProcess]:
    process = LocalProcess(tmp_path_factory.mktemp("baton-local") / "data")
    process.start()
    yield process
    process.stop()


def message(message_id: str, text: str) -> dict[str, Any]:
    return {
        "message_id": message_id,
        "role": "customer",
        "text": text,
        "sent_at": "2026-11-27T10:00:00Z",
        "customer": {"id": "cust-1", "account_id": "acct-1"},
    }


def test_post_duplicate_and_get_in_order(local: LocalProcess) -> None:
    first = local.post("e2e-conv", message("m1", "My invoice is wrong"))
    assert first.status_code == 202
    assert first.json() == {"conversation_id": "e2e-conv", "message_id": "m1"}
    again = local.post("e2e-conv", message("m1", "My invoice is wrong"))
    assert (again.status_code, again.json()) == (202, first.json())
    assert [m["message_id"] for m in local.get("e2e-conv").json()["messages"]] == ["m1"]
    assert local.post("e2e-conv", message("m2", "It shows 12 seats, we have 9")).status_code == 202
    conversation = local.get("e2e-conv").json()
    assert [(m["message_id"], m["seq"]) for m in conversation["messages"]] == [("m1", 1), ("m2", 2)]


def test_a_message_flows_through_scoring_the_decision_and_routing_to_the_conversation(
    local: LocalProcess,
) -> None:
    """The whole chain on this machine: API -> bus -> score -> bus -> decide -> bus -> route -> the
    conversation."""
    assert (
        local.post("e2e-decided", message("d1", "Please put me through to a human agent")).status_code == 202
    )
    deadline = time.monotonic() + 60
    conversation: dict[str, Any] = {}
    while time.monotonic() < deadline:
        conversation = local.get("e2e-decided").json()
        if conversation.get("decision") and conversation.get("assignment"):
            break
        time.sleep(0.5)
    assert conversation["scores"]["asks_for_human"] is True
    decision = conversation["decision"]
    assert (decision["action"], decision["guardrail"], decision["seq"]) == ("escalate", "human_requested", 1)
    assert decision["reasons"][0]["code"] == "human_requested"
    assert conversation["assignment"]["state"] == "queued" and conversation["bot"]["paused"] is True
    assert conversation["status"] == "queued"
    # The console says so in one line, whatever the verbosity.
    (line,) = [x for x in local.log.read_text().splitlines() if " decided e2e-decided #1 " in x]
    assert line.endswith(f"decided e2e-decided #1 -> escalate (risk {decision['risk']:.2f})")


def test_outcomes_label_the_conversation_and_a_late_one_relabels_it(local: LocalProcess) -> None:
    """Escalated at 10:00, resolved by an agent 2 minutes later: a false escalation; then a CSAT of 1 arrives
    (late): a true one."""
    assert local.post("e2e-labelled", message("l1", "Get me a human agent right now")).status_code == 202
    headers = {"Authorization": f"Bearer {local.token}"}
    url = f"{local.url}/v1/conversations/e2e-labelled/outcome"

    def label_after(body: dict[str, Any], expected: str) -> dict[str, Any]:
        assert requests.post(url, json=body, headers=headers, timeout=10).status_code == 202
        deadline, shown = time.monotonic() + 30, {}
        while time.monotonic() < deadline:
            shown = local.get("e2e-labelled").json().get("outcome_label") or {}
            if shown.get("label") == expected:
                return shown
            time.sleep(0.3)
        raise AssertionError(f"label {shown} never became {expected}")

    first = label_after(
        {"kind": "resolved", "resolved_by": "agent", "at": "2026-11-27T10:02:00Z"}, "false_escalation"
    )
    assert first["rule"] == "false_escalation.quick_agent_resolution"
    late = label_after({"kind": "rated", "csat": 1, "at": "2026-11-27T11:00:00Z"}, "true_escalation")
    assert late["rules_version"] == "labels-2"
    exported = subprocess.run(
        [BATON, "outcomes", "export", "--data-dir", str(local.data_dir)],
        cwd=ROOT, env=local.cli_env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert exported.returncode == 0, exported.stderr
    (line,) = [json.loads(x) for x in exported.stdout.splitlines() if '"e2e-labelled"' in x]
    assert line["outcome"] == {
        "label": "true_escalation", "csat": 1, "resolved_by": "agent", "reopened": False, "escalated_at_index": 0,
    }  # fmt: skip


def test_context_imported_into_a_running_local_changes_the_next_decision(
    local: LocalProcess, tmp_path: Path
) -> None:
    """`baton context import` from a shell with no AWS settings at all, as a newcomer runs it."""
    incidents = tmp_path / "incidents.jsonl"
    incidents.write_text(
        '{"id": "INC-77", "title": "Webhook deliveries delayed", "keywords": ["webhook"], "eta": "17:00 UTC"}\n'
    )
    bare_env = {k: v for k, v in local.cli_env.items() if not k.startswith("AWS_")}
    imported = subprocess.run(
        [BATON, "context", "import", "incidents", str(incidents), "--data-dir", str(local.data_dir)],
        cwd=ROOT, env=bare_env, capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.startswith("incidents: 1 stored, 0 rows rejected\n")
    assert "apply to messages decided from 30 s on" in imported.stdout
    # The decide consumer caches the active incidents for 30 s: a new one applies to messages after that.
    deadline = time.monotonic() + 90
    decision: dict[str, Any] = {"incidents": []}
    sent = 0
    while time.monotonic() < deadline and not decision["incidents"]:
        sent += 1
        text = f"Our webhook calls stopped arriving this morning ({sent})"
        assert local.post("e2e-incident", message(f"i{sent}", text)).status_code == 202
        for _ in range(40):
            decision = local.get("e2e-incident").json().get("decision") or {"incidents": []}
            if decision.get("message_id") == f"i{sent}":
                break
            time.sleep(0.25)
        if not decision["incidents"]:
            time.sleep(5)
    assert [(i["id"], i["eta"]) for i in decision["incidents"]] == [("INC-77", "17:00 UTC")]


def test_a_missing_or_wrong_token_is_401(local: LocalProcess) -> None:
    for token in (None, "not-the-token"):
        answer = local.post("e2e-conv", message("m9", "hello"), token=token)
        assert answer.status_code == 401
        assert answer.json()["errors"][0]["field"] == "Authorization"
        assert local.get("e2e-conv", token=token).status_code == 401
    assert requests.get(f"{local.url}/v1/health", timeout=5).status_code == 200  # public


def test_routes_are_matched_before_the_token_is_asked_for(local: LocalProcess) -> None:
    assert requests.get(f"{local.url}/v1/nothing", timeout=5).status_code == 404
    assert requests.get(f"{local.url}/v1/webhooks/zendesk", timeout=5).status_code == 405
    assert requests.post(f"{local.url}/v1/openapi.json", timeout=5).status_code == 405
    head = requests.head(f"{local.url}/v1/health", timeout=5)
    assert (head.status_code, head.headers["Allow"]) == (405, "GET")


def test_fifty_concurrent_clients_all_get_an_answer(local: LocalProcess) -> None:
    def health(_: int) -> int | str:
        try:
            return requests.get(f"{local.url}/v1/health", timeout=30).status_code
        except requests.RequestException as exc:
            return type(exc).__name__

    with ThreadPoolExecutor(max_workers=50) as pool:
        assert list(pool.map(health, range(50))) == [200] * 50


def test_the_console_shows_the_access_log_not_every_handlers_log_line_and_metric(local: LocalProcess) -> None:
    # Over 100 messages: Powertools prints a metric set reaching 100 values even with metrics disabled.
    def post(n: int) -> int:
        return local.post(f"e2e-quiet-{n % 8}", message(f"q{n}", f"hello {n}")).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert set(pool.map(post, range(105))) == {202}
    # The server writes its access-log line after the answer has gone out, and a decision comes after the
    # scoring: wait for every decision, then read it all.
    log = eventually(
        lambda: text if (text := local.log.read_text()).count(" decided e2e-quiet-") >= 105 else None,
        "every message's decision",
        timeout_s=120,
    )
    assert '"POST /v1/conversations/e2e-quiet-0/messages" 202' in log
    assert '"_aws"' not in log  # no EMF metric blobs
    assert '"level":"INFO"' not in log
    assert log.count(" decided e2e-quiet-") == 105  # one line per decision


def test_the_data_dir_and_every_file_in_it_are_the_owners_only(local: LocalProcess) -> None:
    found = set()
    for directory, _, files in os.walk(local.data_dir):
        assert stat.S_IMODE(os.stat(directory).st_mode) == 0o700, directory
        for name in files:
            path = Path(directory) / name
            found.add(str(path.relative_to(local.data_dir)))
            assert stat.S_IMODE(path.lstat().st_mode) == 0o600, path
    # DynamoDB Local's database, the bus, the runtime file and the secrets are among them.
    assert {"bus.sqlite3", "runtime.json", "local-secrets.json", "local.lock"} <= found
    assert any(name.startswith("dynamodb/") and name.endswith(".db") for name in found), found


def test_a_second_start_fails_and_leaves_nothing_behind(local: LocalProcess, tmp_path: Path) -> None:
    def start(data_dir: Path, port: int) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [BATON, "local", "--port", str(port), "--data-dir", str(data_dir)],
            cwd=ROOT, env=local.env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip

    listed = {p.name: p.stat().st_ino for p in local.data_dir.iterdir()}
    second = start(local.data_dir, free_port())  # another port, the same data
    assert second.returncode == 2
    assert f"another `baton local` is using {local.data_dir} (pid {local.proc.pid}" in second.stderr
    assert {p.name: p.stat().st_ino for p in local.data_dir.iterdir()} == listed
    third = start(tmp_path / "new-data", local.port)  # other data, the same port
    assert third.returncode == 2 and f"port {local.port} on 127.0.0.1 is already in use" in third.stderr
    assert not (tmp_path / "new-data").exists()
    assert local.get("e2e-conv").status_code == 200  # the running one is untouched


def test_the_banner_describes_the_routes_and_secrets_and_its_commands_paste_as_is(
    local: LocalProcess,
) -> None:
    banner = local.log.read_text()
    assert f"POST   {local.url}/v1/webhooks/zendesk   (HMAC signature)" in banner
    assert f"kept in {local.data_dir / 'local-secrets.json'}" in banner
    assert "zendesk: from BATON_ZENDESK_WEBHOOK_SECRET" in banner
    # Secrets stay out of the console log: the export line reads the token with `baton token` (pasted, it gives the
    # running instance's token, whatever a stale BATON_API_TOKEN says), the console link holds a one-time code.
    assert "zendesk-secret" not in banner and local.token not in banner
    (export,) = [
        line.split("export ", 1)[1] for line in banner.splitlines() if "export BATON_API_TOKEN=" in line
    ]
    command = export.removeprefix("BATON_API_TOKEN=$(").removesuffix(")")
    printed = subprocess.run(
        shlex.split(command), cwd=ROOT, env=local.cli_env, capture_output=True, text=True, timeout=30
    )
    assert printed.returncode == 0 and printed.stdout.strip() == local.token, printed.stderr
    listing = next(line.strip() for line in banner.splitlines() if " events list" in line)
    assert listing.startswith(".venv/bin/baton events list --data-dir ")
    pasted = subprocess.run(
        shlex.split(listing), cwd=ROOT, env=local.cli_env, capture_output=True, text=True, timeout=30
    )
    assert pasted.returncode == 0, pasted.stderr


def test_baton_webhook_send_signs_a_helpdesk_payload_with_the_local_secret(local: LocalProcess) -> None:
    intercom = ROOT / "events" / "helpdesk" / "intercom" / "v2_admin_replied.json"
    sent = local.cli("webhook", "send", "intercom", str(intercom))
    assert sent.returncode == 0, sent.stdout + sent.stderr
    assert sent.stdout.startswith("200 ")
    conversation_id = "intercom:" + json.loads(intercom.read_text())["data"]["item"]["id"]
    eventually(
        lambda: local.get(conversation_id).status_code == 200, "the Intercom conversation to be stored"
    )

    # This instance took its Zendesk secret from the environment: a shell without it signs with another.
    zendesk = ROOT / "events" / "helpdesk" / "zendesk" / "comment_added_customer.json"
    refused = local.cli("webhook", "send", "zendesk", str(zendesk))
    assert refused.returncode == 2 and "BATON_ZENDESK_WEBHOOK_SECRET" in refused.stderr
    with_secret = subprocess.run(
        [BATON, "webhook", "send", "zendesk", str(zendesk), "--data-dir", str(local.data_dir)],
        cwd=ROOT,
        env={**local.cli_env, "BATON_ZENDESK_WEBHOOK_SECRET": "zendesk-secret"},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert with_secret.returncode == 0 and with_secret.stdout.startswith("200 "), with_secret.stdout


def test_a_partner_event_put_on_the_bus_reaches_the_helpdesk_consumer(local: LocalProcess) -> None:
    ticket_id = json.loads(ZENDESK_EVENT.read_text())["detail"]["ticket_event"]["ticket"]["id"]
    put = local.cli("events", "put", str(ZENDESK_EVENT))
    assert put.returncode == 0, put.stderr
    assert "rule helpdesk-events" in put.stdout
    assert "delivers it now" in put.stdout

    conversation = eventually(
        lambda: (r := local.get(f"zendesk:{ticket_id}")).status_code == 200 and r.json(),
        "the helpdesk consumer to store the Zendesk comment",
    )
    assert conversation["source"] == "zendesk"
    assert conversation["messages"][0]["role"] == "customer"
    assert "billed for 12 seats" in conversation["messages"][0]["text"]


def test_a_helpdesk_redaction_reaches_the_decisions_quote(local: LocalProcess, tmp_path: Path) -> None:
    """Partner event -> ingestion -> score -> decide (a legal threat, quoted as the guardrail's evidence); then
    the helpdesk redacts the comment: the stored text goes, and the decide consumer, reached by
    MessageRedacted over the bus, replaces the quote."""
    created = json.loads(ZENDESK_EVENT.read_text())
    ticket = created["detail"]["ticket_event"]["ticket"]
    ticket["id"] = 99871
    comment = created["detail"]["ticket_event"]["comment"]
    comment["id"], comment["body"] = 99871001, "Fix this invoice or my lawyer will be in touch."
    redacted = json.loads((ZENDESK_EVENT.parent / "comment_redacted.json").read_text())
    redacted["detail"]["ticket_event"]["ticket"]["id"] = 99871
    redacted["detail"]["ticket_event"]["comment"]["id"] = 99871001
    for name, event in (("created.json", created), ("redacted.json", redacted)):
        (tmp_path / name).write_text(json.dumps(event))

    assert local.cli("events", "put", str(tmp_path / "created.json")).returncode == 0
    decided = eventually(
        lambda: (r := local.get("zendesk:99871")).status_code == 200 and r.json().get("decision"),
        "the comment to be scored and decided",
        timeout_s=60,
    )
    assert decided["guardrail"] == "legal_threat" and "lawyer" in decided["reasons"][0]["evidence"]

    assert local.cli("events", "put", str(tmp_path / "redacted.json")).returncode == 0
    conversation = eventually(
        lambda: (
            (c := local.get("zendesk:99871").json())["decision"]["reasons"][0]["evidence"]
            == "the message was redacted"
            # Every capability forgets on its own: the routing's handoff packet quoted the message too.
            and "lawyer" not in json.dumps(c)
            and c
        ),
        "the redaction to reach the decision and the handoff packet",
        timeout_s=60,
    )
    assert conversation["messages"][0]["text"] == ""
    assert conversation["decision"]["action"] == "escalate"  # the decision stands; only the quote goes
    assert "lawyer" not in json.dumps(conversation)


def test_a_poison_event_is_dead_lettered_on_its_first_receive_and_can_be_replayed(
    local: LocalProcess, tmp_path: Path
) -> None:
    poison = tmp_path / "poison.json"
    poison.write_text(
        json.dumps(
            {
                "source": "aws.partner/zendesk.com/31874402/default",
                "detail-type": "Support Ticket: Comment Created",
                "detail": {"ticket_event": "this is not an object"},
            }
        )
    )
    assert "rule helpdesk-events" in local.cli("events", "put", str(poison)).stdout

    def dead_letters() -> list[dict[str, Any]]:
        listed = local.cli("dlq", "list", "--json")
        assert listed.returncode == 0, listed.stderr
        return [json.loads(line) for line in listed.stdout.splitlines()]

    (letter,) = eventually(dead_letters, "the poison event to reach the dead letters")
    assert letter["queue"] == "helpdesk-events"
    # Its body can never parse: dead-lettered by the consumer on its first receive, not retried
    # max_receive_count (5) times.
    assert letter["receive_count"] == 1
    assert letter["body"]["detail"] == {"ticket_event": "this is not an object"}
    # Why, not just "see its log": the field that was wrong, first.
    assert letter["last_error"].startswith("detail.ticket_event: expected an object")
    assert "without retries" in letter["last_error"]

    def errors() -> int:
        return sum(
            '"level":"ERROR"' in line and "detail.ticket_event" in line
            for line in local.log.read_text().splitlines()
        )

    eventually(lambda: errors() >= 1, "the consumer's error line")
    assert errors() == 1  # logged once
    shown = local.cli("dlq", "show", letter["id"])
    assert json.loads(shown.stdout)["id"] == letter["id"]

    replayed = local.cli("dlq", "replay", letter["id"])
    assert replayed.returncode == 0, replayed.stderr
    assert "Replayed 1 message(s) into helpdesk-events" in replayed.stdout
    # The running worker takes it again, and it is dead-lettered again at once.
    (again,) = eventually(dead_letters, "the replayed event to be dead-lettered again")
    assert (again["id"], again["receive_count"]) == (letter["id"], 1)
    assert again["failed_at"] >= letter["failed_at"]
    eventually(lambda: errors() >= 2, "the consumer's error line")
    assert errors() == 2
    assert local.cli("dlq", "purge", "--all").stdout.strip() == "Deleted 1 dead letter(s)."


def test_demo_load_posts_the_conversations_through_the_api(local: LocalProcess) -> None:
    loaded = local.cli("demo", "load")
    assert loaded.returncode == 0, loaded.stderr
    assert "8 accounts, 6 agents, 3 incidents, 15 conversations" in loaded.stdout
    angry = local.get("demo-angry-renewal").json()
    assert [m["role"] for m in angry["messages"]] == ["customer", "bot", "customer", "bot", "customer"]
    assert angry["customer"]["account_id"] == "acct-northwind"
    # Loading again changes nothing: the same messages are duplicates.
    assert local.cli("demo", "load").returncode == 0
    assert local.get("demo-angry-renewal").json()["message_count"] == 5


def test_ctrl_c_stops_everything_and_a_restart_keeps_the_data(local: LocalProcess) -> None:
    runtime = json.loads((local.data_dir / "runtime.json").read_text())
    assert runtime["pid"] == local.proc.pid
    dynamodb_pid = runtime["dynamodb_pid"]
    assert alive(dynamodb_pid)

    token = local.token
    assert local.stop(signal.SIGINT) == 0
    assert not alive(local.proc.pid)
    assert not alive(dynamodb_pid)
    assert not (local.data_dir / "runtime.json").exists()
    assert not (local.data_dir / "local.lock").exists()
    log = local.log.read_text()
    assert "Baton stopped." in log
    assert "Traceback" not in log

    local.start()
    # The token generated on the first start is kept with the data: the one exported from its banner works.
    assert local.token == token
    assert local.get("e2e-conv", token=token).status_code == 200
    assert stat.S_IMODE((local.data_dir / "local-secrets.json").stat().st_mode) == 0o600
    conversation = local.get("e2e-conv").json()
    assert [m["message_id"] for m in conversation["messages"]] == ["m1", "m2"]
    # And the consumer's work from before the restart is there too.
    # (the partner-event test's comment, the redaction test's, and the poison event)
    assert local.cli("events", "list", "--limit", "500").stdout.count("Support Ticket: Comment Created") == 3
