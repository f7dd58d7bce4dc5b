"""Local routing == deployed routing: `baton.local.patterns` against moto's EventBridge.

Two checks: every rule of `baton.bus`, deployed into moto's EventBridge with an SQS target, receives
exactly the events the local bus routes to that consumer; and a table of patterns covering each
operator gives the same answer as moto's pattern engine. Where moto is known to differ from
EventBridge (listed in MOTO_DIFFERS, with the documented behaviour), we follow EventBridge.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from baton.bus import SUBSCRIPTIONS
from baton.local.bus import LocalBus
from baton.local.patterns import matches

pytestmark = pytest.mark.integration


def envelope(source: str, detail_type: str, **detail: Any) -> dict[str, Any]:
    return {
        "version": "0",
        "id": "0d0c9a0e-5bb7-4ba9-9d6a-1d4e3c9f7e11",
        "detail-type": detail_type,
        "source": source,
        "account": "123456789012",
        "time": "2026-11-27T10:00:00Z",
        "region": "eu-west-1",
        "resources": [],
        "detail": detail,
    }


ZENDESK = "aws.partner/zendesk.com/9242270/default"
BUS_EVENTS = [
    envelope("baton.ingestion", "MessageReceived", conversation_id="c1", seq=1),
    envelope("baton.scoring", "MessageScored", conversation_id="c1", seq=1),
    envelope("baton.ingestion", "MessageRedacted", conversation_id="c1", message_id="m1"),
    envelope("baton.scoring", "MessageRedacted", conversation_id="c1", message_id="m1"),
    envelope("baton.decision", "EscalationDecided", conversation_id="c1", action="escalate"),
    envelope("baton.decision", "EscalationDecided", conversation_id="c1", action="monitor"),
    envelope("baton.decision", "EscalationDecided", conversation_id="c1", action="resolve"),
    envelope("baton.routing", "HandoffPrepared", conversation_id="c1"),
    envelope("baton.ingestion", "OutcomeRecorded", conversation_id="c1", kind="resolved"),
    envelope(ZENDESK, "Support Ticket: Comment Created", ticket_event={"type": "Comment Created"}),
    envelope(ZENDESK, "Support Ticket: Status Changed", ticket_event={"type": "Status Changed"}),
    envelope(ZENDESK, "Ticket: Something Else", ticket_event={}),
    envelope("aws.partner/intercom.com/1/default", "Support Ticket: Comment Created"),
    envelope("baton.scoring", "MessageReceived", conversation_id="c1"),
    envelope("custom.app", "MessageReceived", conversation_id="c1"),
]


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_EC2_METADATA_DISABLED": "true",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@pytest.fixture
def deployed(aws_env: None) -> Iterator[tuple[Any, dict[str, str]]]:
    """moto EventBridge with one rule per subscription of baton.bus, each targeting its own queue."""
    import boto3
    from moto import mock_aws

    with mock_aws():
        events = boto3.client("events", region_name="eu-west-1")
        sqs = boto3.client("sqs", region_name="eu-west-1")
        events.create_event_bus(Name="baton")
        queues = {}
        for sub in SUBSCRIPTIONS:
            url = sqs.create_queue(QueueName=f"baton-{sub.name}")["QueueUrl"]
            arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
                "QueueArn"
            ]
            events.put_rule(Name=sub.name, EventBusName="baton", EventPattern=json.dumps(sub.pattern))
            events.put_targets(Rule=sub.name, EventBusName="baton", Targets=[{"Id": "queue", "Arn": arn}])
            queues[sub.name] = url
        yield (events, sqs), queues


def _deployed_routes(clients: tuple[Any, Any], queues: dict[str, str], event: dict[str, Any]) -> set[str]:
    events, sqs = clients
    answer = events.put_events(
        Entries=[
            {
                "Source": event["source"],
                "DetailType": event["detail-type"],
                "Detail": json.dumps(event["detail"]),
                "EventBusName": "baton",
            }
        ]
    )
    assert answer["FailedEntryCount"] == 0
    routed = set()
    for name, url in queues.items():
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        for message in messages:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        if messages:
            routed.add(name)
    return routed


@pytest.mark.parametrize("event", BUS_EVENTS, ids=[f"{e['source']}|{e['detail-type']}" for e in BUS_EVENTS])
def test_every_rule_of_baton_bus_routes_locally_as_deployed(
    deployed: tuple[tuple[Any, Any], dict[str, str]], event: dict[str, Any], tmp_path: Path
) -> None:
    clients, queues = deployed
    with LocalBus(tmp_path / "bus.sqlite3", SUBSCRIPTIONS) as bus:
        (result,) = bus.put_events([event])
    assert set(result.rules) == _deployed_routes(clients, queues, event)


EVENT = envelope(
    "baton.decision",
    "EscalationDecided",
    action="escalate",
    risk=0.82,
    seq=3,
    plan="Enterprise",
    tags=["vip", "renewal"],
    customer={"language": "pt-BR", "email": "ana@acme.example"},
    guardrail=None,
    ip="10.0.3.17",
    empty="",
)

PATTERNS = [
    {"source": ["baton.decision"], "detail-type": ["EscalationDecided"]},
    {"source": ["baton.scoring"]},
    {"detail": {"action": ["escalate", "monitor"]}},
    {"detail": {"seq": [3]}},
    {"detail": {"seq": ["3"]}},
    {"detail": {"guardrail": [None]}},
    {"detail": {"empty": [""]}},
    {"detail": {"missing": ["x"]}},
    {"source": [{"prefix": "baton."}]},
    {"source": [{"prefix": "aws.partner/zendesk.com"}]},
    {"detail": {"plan": [{"prefix": {"equals-ignore-case": "ENTER"}}]}},
    {"detail": {"customer": {"email": [{"suffix": "@acme.example"}]}}},
    {"detail": {"customer": {"email": [{"suffix": {"equals-ignore-case": "@ACME.example"}}]}}},
    {"detail": {"plan": [{"equals-ignore-case": "enterprise"}]}},
    {"detail": {"customer": {"email": [{"wildcard": "*@acme.*"}]}}},
    {"detail": {"action": [{"anything-but": "resolve"}]}},
    {"detail": {"action": [{"anything-but": ["escalate", "monitor"]}]}},
    {"detail": {"action": [{"anything-but": {"prefix": "esc"}}]}},
    {"detail": {"missing": [{"anything-but": "x"}]}},
    {"detail": {"action": [{"exists": True}]}},
    {"detail": {"missing": [{"exists": True}]}},
    {"detail": {"missing": [{"exists": False}]}},
    {"detail": {"action": [{"exists": False}]}},
    {"detail": {"risk": [{"numeric": [">", 0.7]}]}},
    {"detail": {"risk": [{"numeric": [">", 0.5, "<=", 0.8]}]}},
    {"detail": {"seq": [{"numeric": ["=", 3]}]}},
    {"detail": {"action": [{"numeric": [">", 0]}]}},
    {"detail": {"ip": [{"cidr": "10.0.0.0/16"}]}},
    {"detail": {"tags": ["renewal"]}},
    {"detail": {"tags": ["churn"]}},
    {"detail": {"tags": [{"prefix": "vi"}]}},
    {"$or": [{"source": ["nope"]}, {"detail": {"action": ["escalate"]}}]},
    {"detail": {"$or": [{"action": ["resolve"]}, {"risk": [{"numeric": ["<", 0.1]}]}]}},
    *[sub.pattern for sub in SUBSCRIPTIONS],
]

# moto's pattern engine differs from EventBridge here; we follow EventBridge's documented behaviour.
MOTO_DIFFERS = [
    # JSON types are distinct: `false` is not `0` and a boolean is not a number.
    ({"detail": {"flag": [0]}}, {"flag": False}, False),
    ({"detail": {"flag": [{"numeric": ["<", 1]}]}}, {"flag": False}, False),
    # Arrays of objects match when one element matches the nested pattern.
    ({"detail": {"reasons": {"code": ["asks_for_human"]}}}, {"reasons": [{"code": "asks_for_human"}]}, True),
]


@pytest.mark.parametrize("pattern", PATTERNS, ids=[json.dumps(p) for p in PATTERNS])
def test_pattern_answers_like_moto(pattern: dict[str, Any]) -> None:
    from moto.events.models import EventPattern

    assert matches(pattern, EVENT) is EventPattern.load(json.dumps(pattern)).matches_event(EVENT)


@pytest.mark.parametrize(("pattern", "detail", "expected"), MOTO_DIFFERS)
def test_where_moto_differs_we_follow_eventbridge(pattern: dict, detail: dict, expected: bool) -> None:
    assert matches(pattern, envelope("s", "t", **detail)) is expected
