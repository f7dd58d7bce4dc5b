"""The deployed shape in one process: the ingestion Lambda handler, built by `baton.wiring` from
environment settings, on DynamoDB tables created from `baton.tables`, an EventBridge bus whose rule
feeds an SQS queue, and a webhook secret in Secrets Manager (all moto)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities import parameters
from moto import mock_aws
from moto_bus import bus_with_queue
from pytest_mock import MockerFixture

from baton import wiring
from baton.local.dynamodb_local import ensure_tables
from baton.tables import TABLES

pytestmark = [
    pytest.mark.integration,
    pytest.mark.usefixtures("aws_env"),
    pytest.mark.filterwarnings("ignore:No application metrics to publish"),
]

EVENTS = Path(__file__).resolve().parents[2] / "events" / "api"
TABLES_BY_LOGICAL = {table.logical_name: f"moto-{table.logical_name}" for table in TABLES}
CONV = "conv-20250314-0042"


def event(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / name).read_text())


class Context:
    function_name = "ingest-api"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:ingest-api"
    aws_request_id = "5c0b2f0e-0000-4000-8000-000000000002"


class Deployed:
    def __init__(self, handler: Any, sqs: Any, queue_url: str, dynamodb: Any) -> None:
        self.handler, self.sqs, self.queue_url, self.dynamodb = handler, sqs, queue_url, dynamodb

    def call(self, ev: dict[str, Any]) -> tuple[int, Any]:
        response = self.handler.lambda_handler(ev, Context())
        return response["statusCode"], json.loads(response["body"])

    def bus_events(self) -> list[dict[str, Any]]:
        received: list[dict[str, Any]] = []
        while messages := self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10).get(
            "Messages"
        ):
            for message in messages:
                received.append(json.loads(message["Body"]))
                self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
        return received


@pytest.fixture
def deployed(monkeypatch: pytest.MonkeyPatch) -> Iterator[Deployed]:
    with mock_aws():
        dynamodb = boto3.client("dynamodb")
        ensure_tables(dynamodb, TABLES_BY_LOGICAL)
        events, sqs = boto3.client("events"), boto3.client("sqs")
        queue_url = bus_with_queue(
            events,
            sqs,
            bus="baton-moto",
            queue="all-ingestion-events",
            pattern={"source": ["baton.ingestion"]},
        )
        boto3.client("secretsmanager").create_secret(
            Name="baton/intercom-webhook", SecretString="baton-test-intercom-secret"
        )
        for logical, name in TABLES_BY_LOGICAL.items():
            monkeypatch.setenv(f"BATON_{logical.upper()}_TABLE", name)
        monkeypatch.setenv("BATON_EVENT_BUS_NAME", "baton-moto")
        monkeypatch.setenv("BATON_INTERCOM_SECRET_NAME", "baton/intercom-webhook")
        for unset in ("BATON_DYNAMODB_ENDPOINT", "BATON_LOCAL_BUS_PATH", "BATON_INTERCOM_WEBHOOK_SECRET"):
            monkeypatch.delenv(unset, raising=False)
        parameters.clear_caches()

        from functions.ingest_api import handler

        handler.set_deps(None)  # the real factory: Settings.from_env() -> baton.wiring
        yield Deployed(handler, sqs, queue_url, dynamodb)
        handler.set_deps(None)
        parameters.clear_caches()
        wiring.reset()


def test_post_duplicate_and_get_in_order(deployed: Deployed) -> None:
    first = deployed.call(event("post_message.json"))
    duplicate = deployed.call(event("post_message.json"))
    second = event("post_message.json")
    body = json.loads(second["body"]) | {
        "message_id": "msg-0002",
        "role": "bot",
        "text": "Let me check that.",
    }
    second["body"] = json.dumps(body)
    deployed.call(second)

    assert first == duplicate == (202, {"conversation_id": CONV, "message_id": "msg-0001"})
    status, conversation = deployed.call(event("get_conversation.json"))
    assert status == 200
    assert [(m["seq"], m["message_id"]) for m in conversation["messages"]] == [
        (1, "msg-0001"),
        (2, "msg-0002"),
    ]
    assert conversation["customer"]["id"] == "cus_8842"

    on_bus = deployed.bus_events()
    assert sorted((e["detail-type"], e["source"], e["detail"]["seq"]) for e in on_bus) == [
        ("MessageReceived", "baton.ingestion", 1),
        ("MessageReceived", "baton.ingestion", 2),
    ]
    assert {e["detail"]["conversation_id"] for e in on_bus} == {CONV}


def test_the_stored_items_follow_the_table_layout(deployed: Deployed) -> None:
    deployed.call(event("post_message.json"))

    items = deployed.dynamodb.query(
        TableName=TABLES_BY_LOGICAL["conversations"],
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": f"CONV#{CONV}"}},
    )["Items"]

    assert sorted(i["sk"]["S"] for i in items) == ["META", "MID#msg-0001", "MSG#0000000001"]
    assert all("expires_at" in i for i in items)
    mid = next(i for i in items if i["sk"]["S"].startswith("MID#"))
    assert mid["published"] == {"BOOL": True}


def test_a_conflict_is_409_and_leaves_the_first_message(deployed: Deployed) -> None:
    deployed.call(event("post_message.json"))
    changed = event("post_message.json")
    changed["body"] = json.dumps(json.loads(changed["body"]) | {"text": "something else"})

    status, body = deployed.call(changed)

    assert (status, body["errors"][0]["field"]) == (409, "message_id")
    assert len(deployed.bus_events()) == 1


def test_an_unknown_conversation_is_404(deployed: Deployed) -> None:
    status, body = deployed.call(event("get_conversation.json"))
    assert (status, body["error"], body["errors"][0]["field"]) == (404, "not_found", "conversation_id")


def test_a_signed_intercom_webhook_is_verified_with_the_secret_from_secrets_manager(
    deployed: Deployed,
) -> None:
    status, body = deployed.call(event("webhook_intercom.json"))

    assert status == 200, body
    assert (body["source"], body["topic"]) == ("intercom", "conversation.user.created")
    assert (
        len([e for e in deployed.bus_events() if e["detail-type"] == "MessageReceived"]) == body["messages"]
    )


def test_a_tampered_intercom_webhook_is_401_and_changes_nothing(deployed: Deployed) -> None:
    tampered = event("webhook_intercom.json")
    tampered["body"] = tampered["body"].replace("conversation.user.created", "conversation.user.replied")

    status, body = deployed.call(tampered)

    assert (status, body["error"], body["errors"][0]["field"]) == (
        401,
        "invalid_signature",
        "x-hub-signature",
    )
    assert deployed.bus_events() == []


def test_health_needs_no_aws(deployed: Deployed, mocker: MockerFixture) -> None:
    wiring.reset()
    client = mocker.patch.object(
        boto3, "client", side_effect=AssertionError("health must not build a client")
    )

    assert deployed.call(event("health.json"))[0] == 200
    client.assert_not_called()


def test_a_redelivered_webhook_is_stored_once_and_remembered_in_the_idempotency_table(
    deployed: Deployed,
) -> None:
    first = deployed.call(event("webhook_intercom.json"))
    again = deployed.call(event("webhook_intercom.json"))

    assert (first[0], first[1]["duplicate"], again[0], again[1]["duplicate"]) == (200, False, 200, True)
    assert len(deployed.bus_events()) == first[1]["messages"]
    (record,) = deployed.dynamodb.scan(TableName=TABLES_BY_LOGICAL["idempotency"])["Items"]
    assert record["id"]["S"].startswith("webhook#") and record["status"]["S"] == "COMPLETED"
    # Nothing of the webhook lands in the conversations table but the conversation itself.
    pks = {
        i["pk"]["S"] for i in deployed.dynamodb.scan(TableName=TABLES_BY_LOGICAL["conversations"])["Items"]
    }
    assert all(pk.startswith("CONV#") for pk in pks)


class CallRecorder:
    """Every DynamoDB call (a transaction's items one by one, as IAM authorises them) by logical table, and
    every event put on the bus, as the real clients send them."""

    _TRANSACT = {
        "Put": "PutItem",
        "Update": "UpdateItem",
        "Delete": "DeleteItem",
        "ConditionCheck": "ConditionCheckItem",
    }

    def __init__(self) -> None:
        self.tables = {name: logical for logical, name in TABLES_BY_LOGICAL.items()}
        self.calls: set[tuple[str, str]] = set()
        self.published: set[tuple[str, str]] = set()

    def dynamodb(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        if model.name == "TransactWriteItems":
            for item in params["TransactItems"]:
                ((kind, request),) = item.items()
                self.calls.add((self.tables[request["TableName"]], self._TRANSACT[kind]))
        else:
            self.calls.add((self.tables[params["TableName"]], model.name))

    def events(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        assert model.name == "PutEvents"
        self.published |= {(entry["Source"], entry["DetailType"]) for entry in params["Entries"]}


def test_the_ingest_api_calls_only_what_its_declaration_grants(deployed: Deployed) -> None:
    """What the stacks grant the API (baton.bus.INGEST_API) is what its code calls: every route and the
    webhooks' idempotency, on the real clients."""
    from baton.bus import INGEST_API

    recorder = CallRecorder()
    wiring.dynamodb_client(None).meta.events.register("before-parameter-build.dynamodb", recorder.dynamodb)
    wiring.events_client().meta.events.register("before-parameter-build.events", recorder.events)
    changed = event("post_message.json")
    changed["body"] = json.dumps(json.loads(changed["body"]) | {"text": "something else"})
    answers = [
        deployed.call(ev)[0]
        for ev in (
            event("post_message.json"),
            event("post_message.json"),
            event("get_conversation.json"),
            changed,
            event("webhook_intercom.json"),
            event("webhook_intercom.json"),
        )
    ]

    assert answers == [202, 202, 200, 409, 200, 200]

    granted = {(table, call) for table, calls in INGEST_API.table_calls().items() for call in calls}
    assert recorder.calls <= granted, recorder.calls - granted
    # Every declared write is exercised here (the reads include Query, which the idempotency table never needs).
    writes = {(w.table, call) for w in INGEST_API.writes for call in w.calls}
    assert writes - recorder.calls == {("idempotency", "DeleteItem")}  # only when a webhook's work fails
    declared = {(source, t) for source, types in INGEST_API.published().items() for t in types}
    assert recorder.published <= declared
