"""Demo dates are relative to the day the demo is loaded."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from baton.local.demo import (
    anchor_of,
    days_to_shift,
    default_demo_dir,
    demo_messages,
    read_jsonl,
    shift_dates,
)


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def test_the_latest_demo_message_lands_within_the_day_before_loading() -> None:
    directory = default_demo_dir()
    for now in (datetime(2027, 3, 14, 1, 5, tzinfo=UTC), datetime(2031, 8, 2, 23, 59, tzinfo=UTC)):
        days = days_to_shift(anchor_of(directory), now)
        sent = [_at(body["sent_at"]) for _, body in demo_messages(directory, days)]
        assert now - timedelta(days=1) < max(sent) <= now
        assert sorted(sent) != [] and min(sent) > now - timedelta(days=8)


def test_every_date_moves_by_the_same_days_so_intervals_hold() -> None:
    directory = default_demo_dir()
    incidents = read_jsonl(directory / "incidents.jsonl")
    accounts = read_jsonl(directory / "accounts.jsonl")
    moved_incidents = shift_dates(incidents, 10)
    moved_accounts = shift_dates(accounts, 10)
    for before, after in zip(incidents, moved_incidents, strict=True):
        if before.get("eta"):
            assert _at(after["eta"]) - _at(before["eta"]) == timedelta(days=10)
        assert after["id"] == before["id"] and after["title"] == before["title"]
    for before, after in zip(accounts, moved_accounts, strict=True):
        assert date.fromisoformat(after["renewal_date"]) - date.fromisoformat(
            before["renewal_date"]
        ) == timedelta(days=10)


def test_loading_twice_the_same_day_posts_the_same_bodies() -> None:
    directory = default_demo_dir()
    anchor = anchor_of(directory)
    morning, evening = anchor + timedelta(days=40, hours=1), anchor + timedelta(days=40, hours=9)
    assert demo_messages(directory, days_to_shift(anchor, morning)) == demo_messages(
        directory, days_to_shift(anchor, evening)
    )
