"""`baton context import`: every row validated, bad rows reported by line with the field at fault, good rows
stored anyway."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from baton.cli import main
from baton.context.importer import ContextImportError, import_file
from baton.context.store import MemoryContextStore

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)


def test_bad_jsonl_rows_are_reported_by_line_and_the_good_ones_kept(tmp_path: Path) -> None:
    path = tmp_path / "incidents.jsonl"
    path.write_text(
        '{"id": "INC-1", "title": "Exports time out", "keywords": ["export"], "status": "active"}\n'
        "\n"
        '{"id": "INC-2", "title": "x", "status": "identified"}\n'
        "not json\n"
        '["a list"]\n'
        '{"title": "no id"}\n'
    )
    store = MemoryContextStore()
    report = import_file("incidents", path, store, at=NOW)
    assert report.stored == 1 and list(store.incidents) == ["INC-1"]
    assert report.problems == [
        "incidents.jsonl:3: status: Input should be 'active' or 'resolved'",
        "incidents.jsonl:4: not valid JSON (Expecting value at column 1)",
        "incidents.jsonl:5: expected a JSON object, got list",
        "incidents.jsonl:6: id: is required",
    ]


def test_csv_lists_and_activity_keys(tmp_path: Path) -> None:
    path = tmp_path / "activity.csv"
    path.write_text(
        "account_id,customer_id,page,recent_actions,errors_seen\n"
        'acct-1,cus-1,/billing,opened_invoice; clicked_pay,"[{""at"": ""2026-11-27T11:58:00Z"", ""code"": ""E402""}]"\n'
        ",cus-2,/home,,\n"
        "acct-3,cus-3,/x,,not json\n"
        "acct-4,cus-4,/y,,,surplus\n"
    )
    store = MemoryContextStore()
    report = import_file("activity", path, store, at=NOW)
    activity = store.activity[("acct-1", "cus-1")]
    assert activity.recent_actions == ["opened_invoice", "clicked_pay"]
    assert activity.errors_seen[0].code == "E402"
    assert report.problems == [
        "activity.csv:3: account_id: is required",
        "activity.csv:4: errors_seen: not a JSON array",
        "activity.csv:5: 1 more cells than the header has columns",
    ]


def test_a_file_that_cannot_be_read_stores_nothing_and_says_why(tmp_path: Path) -> None:
    with pytest.raises(ContextImportError, match="no such file"):
        import_file("accounts", tmp_path / "missing.csv", MemoryContextStore(), at=NOW)
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(ContextImportError, match="no header row"):
        import_file("accounts", tmp_path / "empty.csv", MemoryContextStore(), at=NOW)


def test_a_file_whose_format_cannot_be_told_is_refused_with_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "accounts.txt"
    path.write_text("id,plan\nacct-1,team\n")
    with pytest.raises(ContextImportError, match=r"cannot tell the format from '\.txt'.*--format csv\|jsonl"):
        import_file("accounts", path, MemoryContextStore(), at=NOW)
    assert import_file("accounts", path, MemoryContextStore(), at=NOW, fmt="csv").stored == 1


def test_the_command_validates_without_a_running_local_on_dry_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "accounts.jsonl"
    path.write_text('{"id": "acct-1", "annual_value": 1200, "health": "fine"}\n{"id": "acct-2"}\n')
    code = main(["context", "import", "accounts", str(path), "--dry-run"])
    out = capsys.readouterr().out
    assert code == 1  # a row was rejected: scripts notice
    assert "accounts: 1 valid (dry run: nothing stored), 1 row rejected" in out
    assert "accounts.jsonl:1: health: Input should be 'healthy', 'at_risk' or 'churning'" in out
    code = main(["context", "import", "accounts", str(path), "--data-dir", str(tmp_path / "nothing")])
    assert code == 2 and "no `baton local` is running" in capsys.readouterr().err


def test_a_customer_with_more_contacts_than_a_context_holds_gets_the_most_recent(tmp_path: Path) -> None:
    from datetime import timedelta

    from baton.context.models import HistoryItem

    store = MemoryContextStore()
    for day in range(250):
        item = HistoryItem(conversation_id=f"c{day}", intent="x", closed_at=NOW - timedelta(hours=day))
        store.put_contact("acct", "cus", item, at=NOW)
    history = store.context("acct", "cus", now=NOW).history
    assert (
        len(history) == 200 and history[0].conversation_id == "c0" and history[-1].conversation_id == "c199"
    )


def test_intents_the_taxonomy_does_not_know_are_stored_with_a_warning_listing_the_valid_ones(
    tmp_path: Path,
) -> None:
    incidents = tmp_path / "incidents.jsonl"
    incidents.write_text(
        '{"id": "INC-1", "title": "Exports time out", "intents": ["data_export", "export_failure"], "status": "active"}\n'
        '{"id": "INC-2", "title": "SSO loops", "intents": ["sso"], "status": "active"}\n'
    )
    history = tmp_path / "history.csv"
    history.write_text(
        "account_id,customer_id,conversation_id,intent,closed_at,outcome\n"
        "acct-1,cus-1,c-1,login_problem,2026-11-20T10:00:00Z,resolved\n"
        "acct-1,cus-1,c-2,card_not_working,2026-11-21T10:00:00Z,resolved\n"
    )
    known = {"data_export", "login_problem", "sso"}
    store = MemoryContextStore()
    report = import_file("incidents", incidents, store, at=NOW, intents=known)
    assert report.stored == 2 and not report.problems
    assert report.warnings == [
        "incidents.jsonl:1: intents export_failure not in the intent model's taxonomy: "
        "the model never predicts it, so it never matches"
    ]
    assert "valid intents (3): data_export, login_problem, sso" in report.describe()
    report = import_file("history", history, store, at=NOW, intents=known)
    assert report.stored == 2
    assert [w.split(":")[0:2] for w in report.warnings] == [["history.csv", "3"]]
    assert "intent card_not_working" in report.warnings[0]


def test_the_shipped_taxonomy_knows_every_intent_of_the_demo_incidents() -> None:
    from baton.context.importer import known_intents

    root = Path(__file__).resolve().parents[3]
    known = known_intents(root / "layers" / "models")
    assert known is not None and "sso" in known
    report = import_file(
        "incidents", root / "events" / "demo" / "incidents.jsonl", MemoryContextStore(), at=NOW, intents=known
    )
    assert report.stored == 3 and report.warnings == []
