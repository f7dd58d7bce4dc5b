"""The context store against DynamoDB Local: what `baton context import` writes is what enrichment reads,
in at most two round trips (one with the incidents cached), and expired contacts and resolved incidents
stop counting."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from baton.context.importer import import_file
from baton.context.models import Account, HistoryItem, Incident
from baton.context.store import DynamoContextStore

pytestmark = pytest.mark.integration

NOW = datetime.now(UTC).replace(microsecond=0)


class CountingClient:
    """The DynamoDB client, counting the calls that cross the network."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.client, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls.append(name)
            return method(*args, **kwargs)

        return call


@pytest.fixture
def table(ddb_client: Any) -> str:
    # One table per test: the incident partition is shared by design.
    name = f"it-context-{uuid.uuid4().hex[:8]}"
    ddb_client.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": k, "AttributeType": "S"} for k in ("pk", "sk")],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
    )
    return name


def test_imported_context_is_read_back_for_one_customer_in_two_round_trips(
    ddb_client: Any, table: str, tmp_path: Path
) -> None:
    counting = CountingClient(ddb_client)
    store = DynamoContextStore(table, client=counting)
    accounts = tmp_path / "accounts.csv"
    accounts.write_text(
        "id,plan,annual_value,renewal_date,signup_date,health,segment,owner,crm_notes\n"
        "acct-1,enterprise,180000,2026-12-11,2022-12-11,at_risk,enterprise,Priya,champion left\n"
        "acct-2,team,not-a-number,,,healthy,smb,,\n"
    )
    report = import_file("accounts", accounts, store, at=NOW)
    assert report.stored == 1 and report.ignored_columns == ["crm_notes"]
    assert report.problems == [
        "accounts.csv:3: annual_value: Input should be a valid number, unable to parse string as a number"
    ]
    incidents = tmp_path / "incidents.jsonl"
    incidents.write_text(
        '{"id": "INC-42", "title": "Checkout failures", "product_area": "payments", "keywords": ["checkout"]}\n'
        '{"id": "INC-7", "title": "Old one", "status": "resolved"}\n'
    )
    assert import_file("incidents", incidents, store, at=NOW).stored == 2
    history = tmp_path / "history.csv"
    history.write_text(
        "account_id,customer_id,conversation_id,intent,closed_at,outcome\n"
        f"acct-1,cus-1,conv-a,export_failure,{(NOW - timedelta(days=3)).isoformat()},unresolved\n"
        f"acct-1,cus-2,conv-b,billing,{(NOW - timedelta(days=1)).isoformat()},resolved\n"
    )
    assert import_file("history", history, store, at=NOW).stored == 2
    activity = tmp_path / "activity.jsonl"
    activity.write_text(
        '{"account_id": "acct-1", "customer_id": "cus-1", "page": "/reports/export", "recent_actions": '
        '["clicked_export"], "errors_seen": [{"at": "' + NOW.isoformat() + '", "code": "E504"}]}\n'
    )
    assert import_file("activity", activity, store, at=NOW).stored == 1

    counting.calls.clear()
    context = store.context("acct-1", "cus-1", now=NOW)
    assert counting.calls == ["query", "query"]  # the account's partition, the incidents' partition
    assert context.account == Account(
        id="acct-1", plan="enterprise", annual_value=180000, renewal_date="2026-12-11",
        signup_date="2022-12-11", health="at_risk", segment="enterprise", owner="Priya",
    )  # fmt: skip
    assert [h.conversation_id for h in context.history] == ["conv-a"]  # cus-2's contact is not cus-1's
    assert context.activity is not None and context.activity.page == "/reports/export"
    assert [i.id for i in context.incidents] == ["INC-42"]  # resolved ones never match

    counting.calls.clear()
    store.context("acct-1", "cus-2", now=NOW)
    assert counting.calls == ["query"]  # incidents come from the container's cache


def test_resolving_an_incident_takes_effect_at_once_and_expired_contacts_do_not_count(
    ddb_client: Any, table: str
) -> None:
    store = DynamoContextStore(table, client=ddb_client, history_days=30)
    store.put_incident(Incident(id="INC-1", title="Login loops", keywords=["login"]), at=NOW)
    assert [i.id for i in store.context(None, None, now=NOW).incidents] == ["INC-1"]
    assert store.resolve_incident("INC-1", at=NOW) is True
    assert store.context(None, None, now=NOW).incidents == []  # the cache is dropped on a write
    assert store.resolve_incident("INC-404", at=NOW) is False

    old = HistoryItem(conversation_id="conv-old", intent="billing", closed_at=NOW - timedelta(days=45))
    store.put_contact("acct-9", "cus-9", old, at=NOW)
    assert store.context("acct-9", "cus-9", now=NOW).history == []  # older than history_days
    assert store.context("acct-unknown", "cus-x", now=NOW).account is None


def test_an_event_delivered_late_does_not_undo_a_later_one(ddb_client: Any, table: str) -> None:
    store = DynamoContextStore(table, client=ddb_client, incident_cache_s=0)
    store.resolve_incident("INC-9", at=NOW)  # IncidentResolved overtook its IncidentOpened
    store.put_incident(
        Incident(id="INC-9", title="Exports", keywords=["export"]), at=NOW - timedelta(minutes=5)
    )
    assert store.active_incidents() == []
    store.put_incident(Incident(id="INC-9", title="Exports again"), at=NOW + timedelta(hours=1))  # reopened
    assert [i.title for i in store.active_incidents()] == ["Exports again"]
    store.put_account(Account(id="acct-5", plan="team"), at=NOW)
    store.put_account(Account(id="acct-5", plan="free"), at=NOW - timedelta(days=1))
    assert store.context("acct-5", None, now=NOW).account.plan == "team"
