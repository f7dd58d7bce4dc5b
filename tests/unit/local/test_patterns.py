"""EventBridge pattern matching as `baton local` routes with it (semantics of aws/event-ruler)."""

from __future__ import annotations

import pytest

from baton.bus import SUBSCRIPTIONS, by_name
from baton.local.patterns import InvalidPattern, matches, validate


def envelope(source: str = "baton.ingestion", detail_type: str = "MessageReceived", **detail: object) -> dict:
    return {
        "version": "0",
        "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
        "detail-type": detail_type,
        "source": source,
        "account": "000000000000",
        "time": "2026-11-27T10:00:00Z",
        "region": "local",
        "resources": ["arn:aws:ec2:local:000000000000:instance/i-1"],
        "detail": detail,
    }


EVENT = envelope(
    action="escalate",
    risk=0.82,
    seq=3,
    plan="Enterprise",
    tags=["vip", "renewal"],
    customer={"language": "pt-BR", "email": "ana@acme.example"},
    reasons=[{"code": "sentiment_declining", "weight": 0.5}, {"code": "asks_for_human", "weight": 0.3}],
    guardrail=None,
    bot_ok=False,
    ip="10.0.3.17",
    empty="",
)

CASES = [
    # exact values, several keys ANDed, several values ORed
    ({"source": ["baton.ingestion"]}, True),
    ({"source": ["baton.scoring"]}, False),
    ({"source": ["baton.scoring", "baton.ingestion"]}, True),
    ({"source": ["baton.ingestion"], "detail-type": ["MessageScored"]}, False),
    ({"detail": {"action": ["escalate"]}}, True),
    ({"detail": {"action": ["resolve", "monitor"]}}, False),
    ({"detail": {"seq": [3]}}, True),
    ({"detail": {"seq": ["3"]}}, False),  # a string never equals a number
    ({"detail": {"bot_ok": [False]}}, True),
    ({"detail": {"bot_ok": [0]}}, False),  # false is not 0
    ({"detail": {"guardrail": [None]}}, True),
    ({"detail": {"empty": [""]}}, True),
    ({"detail": {"missing": ["x"]}}, False),
    # prefix / suffix / equals-ignore-case / wildcard
    ({"source": [{"prefix": "baton."}]}, True),
    ({"source": [{"prefix": "aws.partner/"}]}, False),
    ({"detail": {"plan": [{"prefix": {"equals-ignore-case": "ENTER"}}]}}, True),
    ({"detail": {"customer": {"email": [{"suffix": "@acme.example"}]}}}, True),
    ({"detail": {"customer": {"email": [{"suffix": {"equals-ignore-case": "@ACME.EXAMPLE"}}]}}}, True),
    ({"detail": {"plan": [{"equals-ignore-case": "enterprise"}]}}, True),
    ({"detail": {"plan": [{"equals-ignore-case": "enterprises"}]}}, False),
    ({"detail": {"customer": {"email": [{"wildcard": "*@acme.*"}]}}}, True),
    ({"detail": {"customer": {"email": [{"wildcard": "*@other.*"}]}}}, False),
    ({"detail": {"seq": [{"prefix": "3"}]}}, False),  # string operators need a string
    # anything-but
    ({"detail": {"action": [{"anything-but": "resolve"}]}}, True),
    ({"detail": {"action": [{"anything-but": ["escalate", "monitor"]}]}}, False),
    ({"detail": {"action": [{"anything-but": {"prefix": "esc"}}]}}, False),
    ({"detail": {"action": [{"anything-but": {"prefix": "res"}}]}}, True),
    ({"detail": {"action": [{"anything-but": {"suffix": "late"}}]}}, False),
    ({"detail": {"plan": [{"anything-but": {"equals-ignore-case": ["ENTERPRISE", "PRO"]}}]}}, False),
    ({"detail": {"seq": [{"anything-but": [1, 2]}]}}, True),
    ({"detail": {"missing": [{"anything-but": "x"}]}}, False),  # needs the field
    # exists
    ({"detail": {"action": [{"exists": True}]}}, True),
    ({"detail": {"missing": [{"exists": True}]}}, False),
    ({"detail": {"missing": [{"exists": False}]}}, True),
    ({"detail": {"action": [{"exists": False}]}}, False),
    ({"detail": {"customer": [{"exists": True}]}}, False),  # only leaves exist for patterns
    ({"detail": {"nope": {"deeper": [{"exists": False}]}}}, True),
    # numeric
    ({"detail": {"risk": [{"numeric": [">", 0.7]}]}}, True),
    ({"detail": {"risk": [{"numeric": [">", 0.5, "<=", 0.8]}]}}, False),
    ({"detail": {"risk": [{"numeric": [">=", 0.82, "<", 1]}]}}, True),
    ({"detail": {"seq": [{"numeric": ["=", 3]}]}}, True),
    ({"detail": {"action": [{"numeric": [">", 0]}]}}, False),
    ({"detail": {"bot_ok": [{"numeric": ["<", 1]}]}}, False),  # a boolean is not a number
    # cidr
    ({"detail": {"ip": [{"cidr": "10.0.0.0/16"}]}}, True),
    ({"detail": {"ip": [{"cidr": "192.168.0.0/16"}]}}, False),
    # arrays: any element matches
    ({"detail": {"tags": ["renewal"]}}, True),
    ({"detail": {"tags": ["churn"]}}, False),
    ({"detail": {"tags": [{"prefix": "vi"}]}}, True),
    ({"resources": [{"prefix": "arn:aws:ec2:"}]}, True),
    # arrays of objects: the fields of one nested pattern come from the same element
    ({"detail": {"reasons": {"code": ["asks_for_human"]}}}, True),
    ({"detail": {"reasons": {"code": ["asks_for_human"], "weight": [{"numeric": [">", 0.2]}]}}}, True),
    ({"detail": {"reasons": {"code": ["asks_for_human"], "weight": [0.5]}}}, False),
    # $or
    ({"$or": [{"source": ["nope"]}, {"detail": {"action": ["escalate"]}}]}, True),
    ({"detail": {"$or": [{"action": ["resolve"]}, {"risk": [{"numeric": ["<", 0.1]}]}]}}, False),
    # an empty pattern matches everything
    ({}, True),
]


@pytest.mark.parametrize(("pattern", "expected"), CASES, ids=[str(p) for p, _ in CASES])
def test_pattern_matches_like_eventbridge(pattern: dict, expected: bool) -> None:
    validate(pattern)
    assert matches(pattern, EVENT) is expected


def test_the_rules_of_baton_bus_route_each_event_to_its_consumer() -> None:
    routed = {
        sub.name
        for sub in SUBSCRIPTIONS
        if matches(sub.pattern, envelope("baton.decision", "EscalationDecided", action="escalate"))
    }
    assert routed == {"route", "feedback", "insights"}
    monitor = envelope("baton.decision", "EscalationDecided", action="monitor")
    assert not matches(by_name("route").pattern, monitor)
    zendesk = envelope("aws.partner/zendesk.com/9242270/default", "Support Ticket: Comment Created")
    assert {s.name for s in SUBSCRIPTIONS if matches(s.pattern, zendesk)} == {"helpdesk-events"}
    # A look-alike source that is not the Zendesk partner source matches nothing.
    spoof = envelope("zendesk.com", "Support Ticket: Comment Created")
    assert not any(matches(s.pattern, spoof) for s in SUBSCRIPTIONS)


def test_every_rule_of_baton_bus_is_a_valid_pattern() -> None:
    for sub in SUBSCRIPTIONS:
        validate(sub.pattern)


@pytest.mark.parametrize(
    ("pattern", "path"),
    [
        ({"source": "baton.ingestion"}, "source"),
        ({"source": []}, "source"),
        ({"detail": {"action": [{"startswith": "x"}]}}, "detail.action[0].startswith"),
        ({"detail": {"risk": [{"numeric": [">>", 1]}]}}, "detail.risk[0].numeric[0]"),
        ({"detail": {"risk": [{"numeric": [">", "1"]}]}}, "detail.risk[0].numeric[1]"),
        ({"detail": {"risk": [{"numeric": [">"]}]}}, "detail.risk[0].numeric"),
        ({"detail": {"x": [{"exists": "yes"}]}}, "detail.x[0].exists"),
        ({"detail": {"x": [{"prefix": 3}]}}, "detail.x[0].prefix"),
        ({"detail": {"x": [{"anything-but": {"numeric": [">", 1]}}]}}, "detail.x[0].anything-but"),
        ({"detail": {"x": [{"anything-but": ["a", 1]}]}}, "detail.x[0].anything-but"),
        ({"detail": {"x": [{"cidr": "not-a-net"}]}}, "detail.x[0].cidr"),
        ({"detail": {"x": [{"prefix": "a", "suffix": "b"}]}}, "detail.x[0]"),
        ({"$or": [{"source": ["a"]}]}, "$or"),
        ({"detail": {}}, "detail"),
    ],
)
def test_invalid_patterns_are_rejected_naming_the_key(pattern: dict, path: str) -> None:
    with pytest.raises(InvalidPattern) as err:
        validate(pattern)
    assert err.value.path == path


def test_a_pattern_must_be_an_object() -> None:
    with pytest.raises(InvalidPattern):
        validate(["source"])
