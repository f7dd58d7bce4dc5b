"""`baton outcomes export --from-s3`: the deployed events lake gives the lines the local archive gives.

The lake is moto's S3, in process (no socket): objects laid out as the Feedback stack's Firehose writes them
(`events/dt=YYYY-MM-DD/<name>.gz`, one EventBridge envelope per line), with events out of order across objects,
one delivered twice, and one of late evening in the next day's partition.
"""

from __future__ import annotations

import gzip
import json
import random
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws
from pytest_mock import MockerFixture

from baton.cli import main
from baton.feedback.export import LakeRead, export_lines, lake_envelopes, parse_s3_url
from baton.local.bus import LocalBus
from baton.local.runtime import bus_path

BUCKET = "baton-dev-events-lake"
DAY1, DAY2 = "2026-12-06", "2026-12-07"


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_EC2_METADATA_DISABLED": "true",
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def s3(aws_env: None) -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("s3")
        client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        yield client


def entry(detail_type: str, source: str, at: str, /, **detail: Any) -> dict[str, Any]:
    """A PutEvents entry as Baton publishes it, timed `at` (the detail may have a `kind` and a `source` too)."""
    event_id = f"{detail_type}-{detail['conversation_id']}-{at}"
    detail = {"event_version": 1, "event_id": event_id, "occurred_at": at, **detail}
    return {"Source": source, "DetailType": detail_type, "Detail": json.dumps(detail), "Time": at}


def message(conversation: str, seq: int, role: str, text: str, at: str, **extra: Any) -> dict[str, Any]:
    snapshot = {"message_id": f"{conversation}-m{seq}", "seq": seq, "role": role, "text": text, "sent_at": at}
    snapshot |= extra
    return entry(
        "MessageReceived", "baton.ingestion", at, conversation_id=conversation, seq=seq, message=snapshot
    )


def entries() -> list[dict[str, Any]]:
    customer = {"id": "cus-1", "account_id": "acct-1"}
    return [
        # c1: late on day 1, escalated; resolved and labelled on day 2
        message("c1", 1, "customer", "my export fails", f"{DAY1}T23:50:00Z", customer=customer),
        message("c1", 2, "bot", "try again later", f"{DAY1}T23:51:00Z", bot={"confidence": 0.4}),
        message("c1", 3, "customer", "get me a human", f"{DAY1}T23:59:58Z", customer=customer),
        entry("EscalationDecided", "baton.decision", f"{DAY1}T23:59:59Z", conversation_id="c1", seq=3,
              message_id="c1-m3", action="escalate", risk=0.9, model_version="v1"),
        entry("OutcomeRecorded", "baton.ingestion", f"{DAY2}T00:10:00Z", conversation_id="c1", kind="resolved",
              resolved_by="agent", source="zendesk"),
        entry("OutcomeLabeled", "baton.feedback", f"{DAY2}T00:10:01Z", conversation_id="c1",
              label="true_escalation", rule="true_escalation.not_false", reason="r", rules_version="labels-1"),
        # c2: day 2, contained by the bot, one message redacted afterwards
        message("c2", 1, "customer", "my card number is 4111", f"{DAY2}T09:00:00Z", customer=customer),
        message("c2", 2, "bot", "done", f"{DAY2}T09:01:00Z", bot={"confidence": 0.9}),
        entry("OutcomeRecorded", "baton.ingestion", f"{DAY2}T09:05:00Z", conversation_id="c2", kind="rated", csat=5,
              source="intercom"),
        entry("MessageRedacted", "baton.ingestion", f"{DAY2}T09:06:00Z", conversation_id="c2",
              message_id="c2-m1", redacted_at=f"{DAY2}T09:06:00Z"),
        entry("OutcomeLabeled", "baton.feedback", f"{DAY2}T09:05:01Z", conversation_id="c2", label="contained",
              rule="contained.bot_resolved", reason="r", rules_version="labels-1"),
    ]  # fmt: skip


@pytest.fixture
def archived(tmp_path: Path) -> tuple[Path, list[dict[str, Any]]]:
    """A local data dir whose bus archive holds the events, and the envelopes it archived."""
    data_dir = tmp_path / "data"
    with LocalBus(bus_path(data_dir), subscriptions=()) as bus:
        all_entries = entries()
        for start in range(0, len(all_entries), 10):
            bus.put_events(all_entries[start : start + 10])
        return data_dir, list(bus.archive_envelopes())


def write_lake(s3: Any, envelopes: list[dict[str, Any]]) -> None:
    """As Firehose would: by arrival day (the 23:59:58 message and its decision arrive after midnight), several
    GZIP objects per day, envelopes shuffled across them, one delivered twice."""
    by_day: dict[str, list[dict[str, Any]]] = {}
    for envelope in envelopes:
        late = envelope["time"] >= f"{DAY1}T23:59:00Z" and envelope["time"].startswith(DAY1)
        by_day.setdefault(DAY2 if late else envelope["time"][:10], []).append(envelope)
    by_day[DAY2].append(by_day[DAY1][0])  # a Firehose retry: the same record twice
    rng = random.Random(7)
    for day, day_envelopes in by_day.items():
        rng.shuffle(day_envelopes)
        half = len(day_envelopes) // 2
        for n, part in enumerate((day_envelopes[:half], day_envelopes[half:])):
            body = "".join(json.dumps(e, separators=(",", ":")) + "\n" for e in part)
            key = f"events/dt={day}/baton-lake-1-{day}-{n:02d}-abc.gz"
            s3.put_object(Bucket=BUCKET, Key=key, Body=gzip.compress(body.encode()))
    # Firehose's error output is not events, and must not be read.
    s3.put_object(
        Bucket=BUCKET, Key=f"errors/S3Delivery/dt={DAY2}/x.gz", Body=gzip.compress(b'{"rawData": "e30="}\n')
    )


def export(argv: list[str], out: Path) -> tuple[int, list[str]]:
    code = main(["outcomes", "export", *argv, "--out", str(out)])
    return code, out.read_text().splitlines() if out.exists() else []


def test_the_lake_export_equals_the_local_export_of_the_same_events(
    s3: Any, archived: tuple[Path, list[dict[str, Any]]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir, envelopes = archived
    write_lake(s3, envelopes)

    local_code, local = export(["--data-dir", str(data_dir)], tmp_path / "local.jsonl")
    lake_code, lake = export(["--from-s3", f"s3://{BUCKET}/events/"], tmp_path / "lake.jsonl")

    assert (local_code, lake_code) == (0, 0)
    assert lake == local
    lines = [json.loads(line) for line in lake]
    assert [(line["conversation_id"], line["outcome"]["label"]) for line in lines] == [
        ("c1", "true_escalation"),
        ("c2", "contained"),
    ]
    assert lines[0]["outcome"]["escalated_at_index"] == 2
    assert lines[1]["messages"][0]["text"] == ""  # redacted, although the lake keeps the original message
    summary = capsys.readouterr().err.strip().splitlines()[-1]
    assert summary.startswith("outcomes: 2 conversations exported (1 contained, 1 true_escalation) from ")
    assert f"in 4 objects of s3://{BUCKET}/events/" in summary


def test_a_window_of_days_keeps_the_events_of_those_days_by_their_own_time(
    s3: Any, archived: tuple[Path, list[dict[str, Any]]]
) -> None:
    _, envelopes = archived
    write_lake(s3, envelopes)

    def window(since: str, until: str) -> tuple[list[dict[str, Any]], LakeRead]:
        read = LakeRead()
        found = list(
            lake_envelopes(
                s3,
                BUCKET,
                "events/",
                since=date.fromisoformat(since),
                until=date.fromisoformat(until),
                read=read,
            )
        )
        return found, read

    day1, read1 = window(DAY1, DAY1)
    # Day 1's events, including the two that arrived after midnight (read from day 2's partition).
    assert {e["id"] for e in day1} == {e["id"] for e in envelopes if e["time"].startswith(DAY1)}
    assert read1.objects == 4
    day2, _ = window(DAY2, DAY2)
    assert {e["id"] for e in day2} == {e["id"] for e in envelopes if e["time"].startswith(DAY2)}
    assert list(export_lines(day2)) == list(export_lines(e for e in envelopes if e["time"].startswith(DAY2)))
    later, read = window("2026-12-09", "2026-12-10")
    assert later == [] and read.objects == 0


def test_lines_written_back_to_back_or_cut_short_are_read_or_counted() -> None:
    envelope = {"id": "1", "source": "baton.x", "detail-type": "T", "time": f"{DAY1}T10:00:00Z", "detail": {}}
    body = json.dumps(envelope) + json.dumps(envelope | {"id": "2"}) + "\n" + '{"id": "3", "det' + "\n"

    class Client:
        def get_paginator(self, name: str) -> Any:
            assert name == "list_objects_v2"
            return self

        def paginate(self, **kwargs: Any) -> list[dict[str, Any]]:
            return [{"Contents": [{"Key": f"events/dt={DAY1}/plain"}, {"Key": "events/"}]}]

        def get_object(self, **kwargs: Any) -> dict[str, Any]:
            assert kwargs == {"Bucket": BUCKET, "Key": f"events/dt={DAY1}/plain"}

            class Body:
                def read(self) -> bytes:
                    return body.encode()

            return {"Body": Body()}

    read = LakeRead()
    assert [e["id"] for e in lake_envelopes(Client(), BUCKET, read=read)] == ["1", "2"]
    assert (read.objects, read.events, read.skipped) == (1, 2, 1)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (f"s3://{BUCKET}/events/", (BUCKET, "events/")),
        (f"s3://{BUCKET}/events", (BUCKET, "events/")),
        (f"s3://{BUCKET}", (BUCKET, "events/")),
        (f"s3://{BUCKET}/archive/2026/", (BUCKET, "archive/2026/")),
    ],
)
def test_the_url_names_a_bucket_and_a_prefix(url: str, expected: tuple[str, str]) -> None:
    assert parse_s3_url(url) == expected


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["--from-s3", "s3://no-such-lake/events/"], 1, "no such bucket in s3://no-such-lake/events/"),
        (["--from-s3", f"https://{BUCKET}.s3.amazonaws.com/events/"], 2, "not an S3 URL"),
        (["--from-s3", f"s3://{BUCKET}/events/", "--since", DAY2, "--until", DAY1], 2, "is after --until"),
        (["--since", DAY1], 2, "give them with --from-s3"),
    ],
)
def test_a_bad_lake_or_window_is_one_line_and_no_traceback(
    s3: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], code: int, message: str
) -> None:
    out = tmp_path / "out.jsonl"
    assert main(["outcomes", "export", "--data-dir", str(tmp_path), *argv, "--out", str(out)]) == code
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert not out.exists()  # nothing half-written


def test_no_credentials_is_one_line(mocker: MockerFixture, capsys: pytest.CaptureFixture[str]) -> None:
    """No credentials anywhere in the chain (simulated: the chain's answer depends on the machine, and other tests
    leave moto's patched sessions behind): one line naming what to set, no traceback."""
    from botocore.exceptions import NoCredentialsError

    client = mocker.MagicMock()
    client.get_paginator.side_effect = NoCredentialsError()
    client.list_objects_v2.side_effect = NoCredentialsError()
    mocker.patch("boto3.client", return_value=client)
    assert main(["outcomes", "export", "--from-s3", f"s3://{BUCKET}/events/"]) == 1
    err = capsys.readouterr().err
    assert err == "baton: no AWS credentials: set AWS_PROFILE or the AWS_* variables for --from-s3\n"
