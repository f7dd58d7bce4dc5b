"""`baton kpis`: the table a support lead reads, and the errors of a bad range or a missing `baton local`.
`load_kpis` is also what `baton report` reads the KPIs with."""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from test_insights_service import conversation_events, received

from baton import cli
from baton.insights.kpis import compute
from baton.insights.service import InsightsService
from baton.insights.store import MemoryInsightsStore

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def args(**values: object) -> argparse.Namespace:
    return argparse.Namespace(**{"start": None, "end": None, "data_dir": None, "table": None, **values})


def test_the_table_shows_the_totals_the_weeks_the_drivers_and_the_drift() -> None:
    store = MemoryInsightsStore()
    service = InsightsService(store)
    for n in range(4):
        for event in conversation_events(f"c{n}") if n < 3 else [received(f"c{n}", 1, T0)]:
            service.handle(event)
    start, end = date(2026, 10, 20), date(2026, 11, 2)
    kpis = compute(store.buckets(start, end), start, end, now=T0)

    text = "\n".join(cli.describe_kpis(kpis))

    assert "KPIs of the conversations that started 2026-10-20 to 2026-11-02 (UTC)" in text
    assert "Conversations              4" in text
    assert (
        "Escalated                  3 (75.0%: customer requested 0.0%, guardrail 0.0%, model 75.0%)" in text
    )
    assert "By week" in text and "2026-W45" in text
    assert "Top intents driving escalations" in text and "billing.refund" in text
    assert "Drift: escalation rate 2026-10-27/2026-11-02 against 2026-10-20/2026-10-26" in text


def test_no_conversations_says_so() -> None:
    day = date(2026, 11, 2)
    assert cli.describe_kpis(compute([], day, day, now=T0))[-1] == "No conversations started in these days."


def test_a_bad_range_is_refused_before_anything_is_read() -> None:
    with pytest.raises(cli.UsageError, match="before --from"):
        cli.load_kpis(args(start=date(2026, 11, 2), end=date(2026, 11, 1)))
    with pytest.raises(cli.UsageError, match="367 days; at most 366"):
        cli.load_kpis(args(start=date(2025, 11, 1), end=date(2026, 11, 2)))


def test_without_a_running_baton_local_it_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(cli.UsageError, match=r"no `baton local` is running on .*--table"):
        cli.load_kpis(args(data_dir=tmp_path))


def test_the_command_line_parses_the_range_and_the_source(capsys: pytest.CaptureFixture[str]) -> None:
    parsed = cli.build_parser().parse_args(
        ["kpis", "--from", "2026-11-01", "--to", "2026-11-02", "--table", "t"]
    )
    assert (parsed.start, parsed.end, parsed.table, parsed.json) == (
        date(2026, 11, 1),
        date(2026, 11, 2),
        "t",
        False,
    )
    with pytest.raises(SystemExit) as exit_info:
        cli.build_parser().parse_args(["kpis", "--from", "last week"])
    assert exit_info.value.code == 2
    assert "not a day (YYYY-MM-DD)" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["kpis", "--data-dir", "d", "--table", "t"])
    assert "not allowed with argument" in capsys.readouterr().err


def test_the_default_range_is_the_28_days_up_to_today(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    seen: list[tuple[date, date]] = []

    class Store:
        def __init__(self, *_: object, **__: object) -> None: ...

        def buckets(self, start: date, end: date) -> list[object]:
            seen.append((start, end))
            return []

    monkeypatch.setattr("baton.insights.store.DynamoInsightsStore", Store)
    monkeypatch.setattr(
        cli,
        "_running",
        lambda _: {"dynamodb_endpoint": "http://127.0.0.1:9", "tables": {"conversations": "c"}},
    )

    kpis = cli.load_kpis(args(data_dir=tmp_path))

    today = datetime.now(UTC).date()
    assert seen == [(today - timedelta(days=27), today)] and (kpis.start, kpis.end) == seen[0]
