"""`POST /v1/conversations/{id}/handback` and `GET /v1/conversations/{id}/bot`: the agent gives the conversation
back to the bot, and a chat frontend asks whether the bot may answer."""

from __future__ import annotations

from baton.events import HandedBack
from baton.models import ConversationStatus, View

CUSTOMER = {"id": "cus_1", "account_id": "acct_1"}


def post(api, conversation_id: str = "c1") -> None:
    body = {"message_id": "m1", "role": "customer", "text": "get me a human", "customer": CUSTOMER}
    assert api.post_message(conversation_id, body).status == 202


def with_agent(store, conversation_id: str = "c1") -> None:
    store.show(
        conversation_id,
        View(
            capability="routing",
            fields={
                "assignment": {
                    "state": "assigned",
                    "agent_id": "maya",
                    "assigned_at": "2026-12-06T09:00:00Z",
                },
                "bot": {
                    "paused": True,
                    "since": "2026-12-06T09:00:00Z",
                    "reason": "escalated: human_requested",
                },
            },
            status=ConversationStatus.assigned,
            rank=20,
        ),
    )


def test_the_bot_may_answer_until_an_escalation_pauses_it(api, store) -> None:
    post(api)
    assert api.request("GET", "/v1/conversations/c1/bot").json == {
        "paused": False,
        "since": None,
        "reason": None,
    }
    with_agent(store)
    bot = api.request("GET", "/v1/conversations/c1/bot").json
    assert bot["paused"] is True and bot["reason"] == "escalated: human_requested"


def test_a_hand_back_publishes_one_event_per_assignment(api, store, publisher) -> None:
    post(api)
    with_agent(store)
    first = api.request(
        "POST", "/v1/conversations/c1/handback", body={"reason": "answered the billing question"}
    )
    again = api.request("POST", "/v1/conversations/c1/handback", body={})
    assert (first.status, again.status) == (202, 202)
    assert first.json["event_id"] == again.json["event_id"]
    handed = [e for e in publisher.events if isinstance(e, HandedBack)]
    assert handed[0].agent_id == "maya" and handed[0].reason == "answered the billing question"


def test_a_hand_back_without_an_agent_or_a_conversation_is_refused(api) -> None:
    assert api.request("POST", "/v1/conversations/nope/handback", body={}).status == 404
    post(api)
    refused = api.request("POST", "/v1/conversations/c1/handback", body={})
    assert refused.status == 409 and refused.field == "conversation_id"


def test_a_hand_back_body_breaking_the_contract_names_the_field(api, store) -> None:
    post(api)
    with_agent(store)
    response = api.request("POST", "/v1/conversations/c1/handback", body={"reason": "x" * 501})
    assert response.status == 422 and "reason" in response.field
