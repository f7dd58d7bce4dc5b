"""`POST /v1/conversations/{id}/outcome`: a chat frontend says how a conversation ended; once per (kind, at)."""

from __future__ import annotations

from baton.events import OutcomeRecorded

CUSTOMER = {"id": "cus_1", "account_id": "acct_1"}


def post(api) -> None:
    body = {"message_id": "m1", "role": "customer", "text": "thanks, that fixed it", "customer": CUSTOMER}
    assert api.post_message("c1", body).status == 202


def test_an_outcome_is_recorded_and_published_once_per_kind_and_time(api, publisher) -> None:
    post(api)
    body = {"kind": "resolved", "resolved_by": "bot", "csat": 5, "at": "2026-12-06T09:30:00Z"}
    first = api.request("POST", "/v1/conversations/c1/outcome", body=body)
    again = api.request("POST", "/v1/conversations/c1/outcome", body=body)
    assert (first.status, again.status) == (202, 202) and first.json["event_id"] == again.json["event_id"]
    events = [e for e in publisher.events if isinstance(e, OutcomeRecorded)]
    assert {e.event_id for e in events} == {first.json["event_id"]}
    assert (events[0].kind, events[0].resolved_by, events[0].csat) == ("resolved", "bot", 5)
    shown = api.get_conversation("c1").json
    assert (shown["status"], shown["outcome"]["csat"]) == ("resolved", 5)


def test_an_outcome_of_an_unknown_conversation_or_breaking_the_contract_is_refused(api) -> None:
    assert api.request("POST", "/v1/conversations/nope/outcome", body={"kind": "resolved"}).status == 404
    post(api)
    bad = api.request("POST", "/v1/conversations/c1/outcome", body={"kind": "resolved", "csat": 6})
    assert bad.status == 422 and bad.field.endswith("csat")
    unknown = api.request("POST", "/v1/conversations/c1/outcome", body={"kind": "won"})
    assert unknown.status == 422 and unknown.field.endswith("kind")
