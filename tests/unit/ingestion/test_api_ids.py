"""Whose ids a client may use, and what a bot's or agent's message must say (issue 14, item 6 and the newcomer's
`customer` complaint): ids made only of dots are refused, API clients cannot write into the helpdesks' id spaces
(the helpdesks' own deliveries still can, and everyone may read), and only a customer's message must name
`customer`."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

import pytest
from api_client import API_EVENTS, ApiClient

from baton.events import MessageReceived
from baton.ingestion.memory import MemoryConversationStore
from baton.models import PATH_SAFE_ID_PATTERN, utcnow

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish")

HELPDESK = API_EVENTS.parent / "helpdesk"
CUSTOMER = {"id": "cus_1", "account_id": "acct_1", "name": "Dana"}


def message(message_id: str = "m1", role: str = "customer", **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"message_id": message_id, "role": role, "text": "hello", **extra}
    if role == "customer" and "customer" not in extra:
        body["customer"] = CUSTOMER
    return body


# -- 1. ids made only of dots ------------------------------------------------------------------------------


@pytest.mark.parametrize("conversation_id", [".", "..", "...", "." * 128])
def test_a_conversation_id_made_only_of_dots_is_refused_naming_conversation_id(
    api: ApiClient, store: MemoryConversationStore, conversation_id: str
) -> None:
    for response in (
        api.post_message(conversation_id, message()),
        api.get_conversation(conversation_id),
        api.request("POST", f"/v1/conversations/{conversation_id}/outcome", body={"kind": "resolved"}),
        api.request("POST", f"/v1/conversations/{conversation_id}/handback", body={}),
        api.request("GET", f"/v1/conversations/{conversation_id}/bot"),
    ):
        assert (response.status, response.field) == (422, "conversation_id"), response.text
        assert "only dots" in response.json["errors"][0]["message"]
    assert store.get_conversation(conversation_id) is None


@pytest.mark.parametrize("message_id", [".", "..", "...."])
def test_a_message_id_made_only_of_dots_is_refused_naming_message_id(
    api: ApiClient, store: MemoryConversationStore, message_id: str
) -> None:
    response = api.post_message("c1", message(message_id))

    assert (response.status, response.field) == (422, "message_id"), response.text
    assert "only dots" in response.json["errors"][0]["message"]
    assert store.get_conversation("c1") is None


@pytest.mark.parametrize("value", [".a", "a.", "a..b", "..x", "v1.2", "zendesk-like.."])
def test_ids_with_dots_and_something_else_are_accepted(api: ApiClient, value: str) -> None:
    assert api.post_message(value, message(value)).status == 202
    assert api.get_conversation(value).json["messages"][0]["message_id"] == value


def test_the_openapi_document_publishes_the_id_rule_without_lookahead(api: ApiClient) -> None:
    # The rule is in the document (a schema-driven client or fuzzer never sends `..` expecting 202), in a
    # pattern that every JSON Schema and regex engine reads (no lookahead), with the 128-character limit.
    doc = api.request("GET", "/v1/openapi.json").json
    post = doc["paths"]["/v1/conversations/{conversation_id}/messages"]["post"]
    [path_param] = post["parameters"]
    message_id = doc["components"]["schemas"]["MessageIn"]["properties"]["message_id"]
    for schema in (path_param["schema"], message_id):
        assert (schema["pattern"], schema["maxLength"]) == (PATH_SAFE_ID_PATTERN, 128)
        assert "(?" not in schema["pattern"]
    assert "not only dots" in path_param["description"]


# -- 2. the helpdesks' id spaces ---------------------------------------------------------------------------


@pytest.mark.parametrize("conversation_id", ["zendesk:35436", "intercom:184467201338812", "zendesk:"])
def test_an_api_client_cannot_post_a_message_into_a_helpdesk_conversation(
    api: ApiClient, store: MemoryConversationStore, conversation_id: str
) -> None:
    response = api.post_message(conversation_id, message())

    assert (response.status, response.field) == (422, "conversation_id"), response.text
    explanation = response.json["errors"][0]["message"]
    source = conversation_id.split(":")[0]
    assert f"`{source}:`" in explanation and "webhook" in explanation
    assert store.get_conversation(conversation_id) is None


def test_an_api_client_cannot_record_an_outcome_of_a_helpdesk_conversation(api: ApiClient) -> None:
    _deliver_intercom(api)  # the conversation exists: still not the client's to close

    response = api.request("POST", f"/v1/conversations/{INTERCOM}/outcome", body={"kind": "resolved"})

    assert (response.status, response.field) == (422, "conversation_id"), response.text
    assert "webhook" in response.json["errors"][0]["message"]
    assert api.get_conversation(INTERCOM).json["outcome"] is None


@pytest.mark.parametrize("conversation_id", ["Zendesk:1", "zendesk-org:1", "my-zendesk:1", "intercom"])
def test_look_alike_ids_are_the_clients_own(api: ApiClient, conversation_id: str) -> None:
    # Connectors write the prefixes in lower case, followed by a colon: nothing else is theirs.
    assert api.post_message(conversation_id, message()).status == 202


def test_the_openapi_document_says_which_ids_are_the_helpdesks(api: ApiClient) -> None:
    doc = api.request("GET", "/v1/openapi.json").json
    for path in (
        "/v1/conversations/{conversation_id}/messages",
        "/v1/conversations/{conversation_id}/outcome",
    ):
        [param] = doc["paths"][path]["post"]["parameters"]
        assert param["schema"]["not"] == {"pattern": "^(zendesk|intercom):"}, path
        assert "webhooks" in param["description"], path
    [read] = doc["paths"]["/v1/conversations/{conversation_id}"]["get"]["parameters"]
    assert "not" not in read["schema"]


INTERCOM = "intercom:184467201338812"


def _deliver_intercom(api: ApiClient) -> None:
    raw = (HELPDESK / "intercom" / "v2_user_replied.json").read_bytes()
    signature = "sha1=" + hmac.new(b"intercom-secret", raw, hashlib.sha1).hexdigest()
    response = api.request("POST", "/v1/webhooks/intercom", raw=raw, headers={"x-hub-signature": signature})
    assert (response.status, response.json["messages"]) == (200, 1), response.text


def _deliver_zendesk(api: ApiClient, path: Path) -> None:
    raw = path.read_bytes()
    stamp = utcnow().strftime("%Y-%m-%dT%H:%M:%SZ")
    digest = hmac.new(b"zendesk-secret", stamp.encode() + raw, hashlib.sha256).digest()
    headers = {
        "x-zendesk-webhook-signature": base64.b64encode(digest).decode(),
        "x-zendesk-webhook-signature-timestamp": stamp,
    }
    response = api.request("POST", "/v1/webhooks/zendesk", raw=raw, headers=headers)
    assert response.status == 200, response.text


def test_the_helpdesks_own_deliveries_write_their_conversations_and_anyone_reads_them(
    api: ApiClient, publisher: Any
) -> None:
    _deliver_intercom(api)
    for name in (
        "ticket_created",
        "comment_added_first_comment",
        "comment_added_agent",
        "status_changed_solved",
    ):
        _deliver_zendesk(api, HELPDESK / "zendesk" / f"{name}.json")

    intercom, zendesk = api.get_conversation(INTERCOM), api.get_conversation("zendesk:48213")
    assert (intercom.status, intercom.json["source"], intercom.json["message_count"]) == (200, "intercom", 1)
    assert (zendesk.status, zendesk.json["source"], zendesk.json["message_count"]) == (200, "zendesk", 2)
    assert zendesk.json["outcome"]["kind"] == "resolved"  # the helpdesk's outcome, through its webhook
    assert api.request("GET", f"/v1/conversations/{INTERCOM}/bot").status == 200
    assert {e.conversation_id for e in publisher.of_type("MessageReceived")} == {INTERCOM, "zendesk:48213"}


def test_a_hand_back_of_a_helpdesk_conversation_is_not_refused_for_its_id(api: ApiClient) -> None:
    # Routing assigns helpdesk conversations too, and an agent working in the helpdesk hands back through this
    # route: it acts on a conversation Baton holds, it writes nothing into the helpdesk's id space.
    _deliver_intercom(api)

    response = api.request("POST", f"/v1/conversations/{INTERCOM}/handback", body={})

    assert (response.status, response.json["error"]) == (409, "not_with_an_agent")


# -- 3. `customer` on bot and agent messages ---------------------------------------------------------------


@pytest.mark.parametrize("role", ["bot", "agent"])
def test_a_bot_or_agent_message_without_customer_carries_the_conversations(
    api: ApiClient, publisher: Any, role: str
) -> None:
    assert api.post_message("c1", message("m1")).status == 202

    response = api.post_message("c1", message("m2", role))

    assert response.status == 202, response.text
    stored = api.get_conversation("c1").json
    assert [m["customer"] for m in stored["messages"]] == [CUSTOMER | {"email": None, "language": None}] * 2
    received = [e for e in publisher.events if isinstance(e, MessageReceived)]
    assert [e.message.customer.id for e in received] == ["cus_1", "cus_1"]
    assert api.post_message("c1", message("m2", role)).status == 202  # a retry is the same message
    assert api.get_conversation("c1").json["message_count"] == 2


def test_a_bot_message_without_customer_takes_the_latest_customer_messages(api: ApiClient) -> None:
    other = {"id": "cus_2", "account_id": "acct_1"}
    api.post_message("c1", message("m1"))
    api.post_message("c1", message("m2", customer=other))

    assert api.post_message("c1", message("m3", "bot")).status == 202
    assert api.get_conversation("c1").json["messages"][2]["customer"]["id"] == "cus_2"


def test_a_bot_message_may_still_name_the_customer(api: ApiClient) -> None:
    api.post_message("c1", message("m1"))
    assert api.post_message("c1", message("m2", "bot", customer=CUSTOMER)).status == 202


@pytest.mark.parametrize("role", ["bot", "agent"])
def test_the_first_message_of_a_conversation_must_name_the_customer(
    api: ApiClient, store: MemoryConversationStore, role: str
) -> None:
    response = api.post_message("c-new", message("m1", role))

    assert (response.status, response.field) == (422, "customer"), response.text
    assert "first message" in response.json["message"]
    assert store.get_conversation("c-new") is None
    assert api.post_message("c-new", message("m1", role, customer=CUSTOMER)).status == 202


@pytest.mark.parametrize("customer", ["missing", None])
def test_a_customer_message_still_requires_customer(api: ApiClient, customer: Any) -> None:
    api.post_message("c1", message("m1"))
    body = message("m2")
    if customer == "missing":
        del body["customer"]
    else:
        body["customer"] = customer

    response = api.post_message("c1", body)

    assert (response.status, response.field) == (422, "customer"), response.text
    assert "customer's message" in response.json["errors"][0]["message"]


def test_the_published_schemas_say_customer_is_required_of_customer_messages_only(api: ApiClient) -> None:
    doc = api.request("GET", "/v1/openapi.json").json
    schema = doc["components"]["schemas"]["MessageIn"]
    assert "customer" not in schema["required"]
    assert schema["if"] == {"properties": {"role": {"const": "customer"}}, "required": ["role"]}
    assert "customer" in schema["then"]["required"]
    exported = json.loads((API_EVENTS.parent / "schemas" / "api" / "MessageIn.json").read_text())
    assert (exported["if"], exported["then"]) == (schema["if"], schema["then"])


# -- attachment-only messages (this morning's change, still holding) -----------------------------------------


def test_an_attachment_only_message_with_empty_text_is_accepted_as_the_openapi_says(
    api: ApiClient, publisher: Any
) -> None:
    doc = api.request("GET", "/v1/openapi.json").json
    text = doc["components"]["schemas"]["MessageIn"]["properties"]["text"]
    assert "minLength" not in text and "pattern" not in text

    assert api.post_message("c1", message("m1", text="", metadata={"attachments": 1})).status == 202
    assert api.get_conversation("c1").json["messages"][0]["text"] == ""
    assert [e.message.text for e in publisher.events if isinstance(e, MessageReceived)] == [""]
