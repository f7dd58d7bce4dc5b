"""Least privilege, declared: every function's role holds exactly what its declaration names (`baton.access`).

The expectations are derived here from the declarations' fields (`reads`, `writes`, `index_queries`,
`publishes`), not from the code that builds the grants, so a new subscription is checked the day it is declared.
Checked on the app as it is, and on one with every subscription implemented plus a made-up one that queries an
index and deletes items (the two grants no current consumer needs).
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from infra_synth import Synth, synthesize

from baton import bus
from baton.access import Access, Writes
from baton.events import MessageRedacted
from baton.tables import TABLES
from infra.assets import FUNCTIONS_DIR
from infra.constructs.api import HANDLER_MODULE as API_HANDLER
from infra.stacks.core import pascal

pytestmark = pytest.mark.infra

CORE = "Dev-Core"
READS = {"dynamodb:GetItem", "dynamodb:Query"}
KEY_READ = {"kms:Decrypt", "kms:DescribeKey"}
KEY_WRITE = KEY_READ | {"kms:Encrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*"}
SECRETS_KEY = {"kms:Decrypt"}
"""The ingest API also decrypts the webhook secrets with the data key, and a consumer the secrets it declares
(`extra["secrets"]`)."""
NEVER_UNLESS_DECLARED = {"dynamodb:Scan", "dynamodb:BatchWriteItem", "dynamodb:DeleteItem"}
# X-Ray has no resource-level permissions: the one place Resource "*" may appear (BatonFunction(tracing=True)).
STAR_RESOURCE_ACTIONS = frozenset({"xray:PutTraceSegments", "xray:PutTelemetryRecords"})

AUDIT = bus.Subscription(
    name="audit",
    capability="Audit",
    handler="functions.audit.handler",
    pattern={"source": [MessageRedacted.SOURCE], "detail-type": [MessageRedacted.DETAIL_TYPE]},
    reads=("conversations",),
    index_queries=("by_customer",),
    writes=(Writes("conversations", "DeleteItem"),),
    description="A made-up consumer: queries the customer index and deletes items",
)


def _listify(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


@dataclass
class Granted:
    """What one role may do, by resource: `table:<logical>`, `index:<logical>/<index>`, `key`, `bus`."""

    actions: dict[str, set[str]] = field(default_factory=dict)
    published: set[tuple[str, str]] = field(default_factory=set)
    """(source, detail-type) pairs PutEvents is allowed for."""
    unconditional_put_events: bool = False

    def on(self, prefix: str) -> dict[str, set[str]]:
        return {name: acts for name, acts in self.actions.items() if name.startswith(prefix)}


def _core_names(synth: Synth) -> dict[str, str]:
    """Core logical id -> what it is (`table:<logical>`, `key`, `bus`)."""
    names: dict[str, str] = {}
    by_pascal = {f"{pascal(t.logical_name)}Table": t.logical_name for t in TABLES}
    for logical_id, resource in synth.templates[CORE]["Resources"].items():
        if resource["Type"] == "AWS::DynamoDB::Table":
            (logical,) = [name for prefix, name in by_pascal.items() if logical_id.startswith(prefix)]
            names[logical_id] = f"table:{logical}"
        elif resource["Type"] == "AWS::KMS::Key" and logical_id.startswith("DataKey"):
            names[logical_id] = "key"
        elif resource["Type"] == "AWS::Events::EventBus":
            names[logical_id] = "bus"
    return names


def _resource_name(resource: Any, core: dict[str, str]) -> str:
    """What a statement's resource is; anything that is not a core table, index, key or bus keeps its JSON."""
    text = json.dumps(resource)
    for logical_id, name in core.items():
        if logical_id in text:
            if name.startswith("table:") and "/index/" in text:
                index = text.split("/index/", 1)[1].split('"', 1)[0]
                return f"index:{name.removeprefix('table:')}/{index}"
            return name
    return text


def _role_grants(synth: Synth) -> Iterator[tuple[str, str, str, Granted]]:
    """(stack, handler module, role logical id, what the role may do) for every Lambda function."""
    core = _core_names(synth)
    for stack, _, function in synth.resources("AWS::Lambda::Function"):
        props = function["Properties"]
        role = Synth.ref_id(props["Role"])
        granted = Granted()
        for _, _, policy in synth.resources("AWS::IAM::Policy"):
            if {"Ref": role} not in policy["Properties"]["Roles"]:
                continue
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
                actions = set(_listify(statement["Action"]))
                for resource in _listify(statement["Resource"]):
                    granted.actions.setdefault(_resource_name(resource, core), set()).update(actions)
                if "events:PutEvents" in actions:
                    equals = statement.get("Condition", {}).get("StringEquals", {})
                    if not {"events:source", "events:detail-type"} <= set(equals):
                        granted.unconditional_put_events = True
                    for source in _listify(equals.get("events:source", [])):
                        for detail_type in _listify(equals.get("events:detail-type", [])):
                            granted.published.add((source, detail_type))
        yield stack, props["Handler"].removesuffix(".lambda_handler"), role, granted


def _expected_tables(access: Access) -> dict[str, set[str]]:
    expected: dict[str, set[str]] = {}
    for table in access.reads:
        expected.setdefault(f"table:{table}", set()).update(READS)
    for writes in access.writes:
        expected.setdefault(f"table:{writes.table}", set()).update(f"dynamodb:{c}" for c in writes.calls)
    for index in access.index_queries:
        (owner,) = [t.logical_name for t in TABLES if index in {ix.name for ix in t.indexes}]
        expected[f"index:{owner}/{index}"] = {"dynamodb:Query"}
    return expected


def _expected_key(access: Access, handler: str) -> set[str]:
    expected = KEY_WRITE if access.writes else KEY_READ if access.reads else set()
    reads_secrets = handler == API_HANDLER or any(
        sub.handler == handler and sub.extra.get("secrets") for sub in bus.SUBSCRIPTIONS
    )
    return expected | (SECRETS_KEY if reads_secrets else set())


def _declarations(subscriptions: tuple[bus.Subscription, ...]) -> dict[str, Access]:
    # The deployed backtest's chunk function (Feedback stack) declares nothing: no table, no event.
    functions = {API_HANDLER: bus.INGEST_API, bus.BACKTEST_CHUNK_HANDLER: bus.BACKTEST_CHUNK}
    return functions | {s.handler: s.access for s in subscriptions if s.implemented}


@pytest.fixture(scope="module")
def every_kind(tmp_path_factory: pytest.TempPathFactory) -> tuple[Synth, tuple[bus.Subscription, ...]]:
    """Every subscription implemented, plus AUDIT; a stub handler for the ones with no code yet."""
    flipped = (*(dataclasses.replace(sub, implemented=True) for sub in bus.SUBSCRIPTIONS), AUDIT)
    functions = tmp_path_factory.mktemp("functions")
    shutil.copytree(FUNCTIONS_DIR, functions, dirs_exist_ok=True)
    for sub in flipped:
        handler = functions / sub.handler.split(".")[1] / "handler.py"
        if not handler.exists():
            handler.parent.mkdir(parents=True, exist_ok=True)
            handler.write_text("def lambda_handler(event, context):\n    return {}\n")
    synth = synthesize(tmp_path_factory.mktemp("cdk.out"), subscriptions=flipped, functions_dir=functions)
    return synth, flipped


@pytest.fixture(params=["as-declared", "every-kind"])
def synthesized(request: pytest.FixtureRequest, synth: Synth) -> tuple[Synth, dict[str, Access]]:
    if request.param == "as-declared":
        return synth, _declarations(bus.SUBSCRIPTIONS)
    flipped_synth, flipped = request.getfixturevalue("every_kind")
    return flipped_synth, _declarations(flipped)


def test_every_function_is_declared_and_every_declaration_has_its_function(
    synthesized: tuple[Synth, dict[str, Access]],
) -> None:
    synth, declared = synthesized
    assert synth.error is None, synth.error  # cdk-nag passes on every kind of grant too
    assert {handler for _, handler, _, _ in _role_grants(synth)} == set(declared)


def test_each_role_has_exactly_the_declared_tables_with_exactly_the_declared_actions(
    synthesized: tuple[Synth, dict[str, Access]],
) -> None:
    synth, declared = synthesized
    for stack, handler, _, granted in _role_grants(synth):
        access = declared[handler]
        tables = granted.on("table:") | granted.on("index:")
        assert tables == _expected_tables(access), (stack, handler)
        assert granted.actions.get("key", set()) == _expected_key(access, handler), (stack, handler)
        dynamodb_elsewhere = {
            name: acts
            for name, acts in granted.actions.items()
            if any(a.startswith("dynamodb:") for a in acts) and not name.startswith(("table:", "index:"))
        }
        assert dynamodb_elsewhere == {}, (stack, handler)


def test_each_role_publishes_exactly_the_declared_events_and_only_on_the_baton_bus(
    synthesized: tuple[Synth, dict[str, Access]],
) -> None:
    synth, declared = synthesized
    for stack, handler, _, granted in _role_grants(synth):
        access = declared[handler]
        assert not granted.unconditional_put_events, (stack, handler)
        assert granted.published == {(e.SOURCE, e.DETAIL_TYPE) for e in access.publishes}, (stack, handler)
        put_events_on = {name for name, acts in granted.actions.items() if "events:PutEvents" in acts}
        assert put_events_on == ({"bus"} if access.publishes else set()), (stack, handler)


def test_each_consumer_may_send_to_its_own_dlq_alone_and_is_given_its_url(
    synthesized: tuple[Synth, dict[str, Access]],
) -> None:
    """A record that can never succeed goes to the consumer's DLQ on its first receive (`baton.consumer`):
    SendMessage on that queue (the one its queue's redrive targets) and nothing else of it; of SQS otherwise only what
    the event source mapping reads its queue with."""
    synth, declared = synthesized
    senders = 0
    for stack, logical_id, function in synth.resources("AWS::Lambda::Function"):
        handler = function["Properties"]["Handler"].removesuffix(".lambda_handler")
        if handler not in declared:
            continue
        role = Synth.ref_id(function["Properties"]["Role"])
        (granted,) = [g for s, _, r, g in _role_grants(synth) if (s, r) == (stack, role)]
        sqs = {
            Synth.ref_id(json.loads(name)): {a for a in acts if a.startswith("sqs:")}
            for name, acts in granted.actions.items()
            if any(a.startswith("sqs:") for a in acts)
        }
        mappings = [
            m["Properties"]
            for s, _, m in synth.resources("AWS::Lambda::EventSourceMapping")
            if s == stack and Synth.ref_id(m["Properties"]["FunctionName"]) == logical_id
        ]
        queues = {Synth.ref_id(m["EventSourceArn"]) for m in mappings}
        assert all("sqs:SendMessage" not in sqs[queue] for queue in queues), (stack, handler)
        sent_to = {queue: acts for queue, acts in sqs.items() if queue not in queues}
        env = function["Properties"].get("Environment", {}).get("Variables", {})
        if not declared[handler].dead_letters:
            assert sent_to == {} and "BATON_DEAD_LETTER_QUEUE_URL" not in env, (stack, handler)
            continue
        senders += 1
        (queue,) = queues
        redrive = synth.resource(stack, queue or "")["Properties"]["RedrivePolicy"]
        dlq = Synth.ref_id(redrive["deadLetterTargetArn"])
        assert sent_to == {dlq: {"sqs:SendMessage"}}, (stack, handler)
        assert env["BATON_DEAD_LETTER_QUEUE_URL"] == {"Ref": dlq}, (stack, handler)
    assert senders == sum(access.dead_letters for access in declared.values()) > 0


def test_no_role_scans_batch_writes_or_deletes_unless_declared(
    synthesized: tuple[Synth, dict[str, Access]],
) -> None:
    synth, declared = synthesized
    deleting = {
        handler for handler, access in declared.items() if any("DeleteItem" in w.calls for w in access.writes)
    }
    for role_stack, logical_id, policy in synth.resources("AWS::IAM::Policy"):
        roles = {Synth.ref_id(r) for r in policy["Properties"]["Roles"]}
        handlers = {h for s, h, r, _ in _role_grants(synth) if s == role_stack and r in roles}
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            forbidden = set(_listify(statement["Action"])) & NEVER_UNLESS_DECLARED
            assert forbidden <= {"dynamodb:DeleteItem"}, (role_stack, logical_id, forbidden)
            if forbidden:
                assert handlers and handlers <= deleting, (role_stack, logical_id, handlers)


def test_no_statement_grants_resource_star(synthesized: tuple[Synth, dict[str, Access]]) -> None:
    synth, _ = synthesized
    for stack, logical_id, policy in synth.resources("AWS::IAM::Policy"):
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if "*" in _listify(statement["Resource"]):
                assert set(_listify(statement["Action"])) <= STAR_RESOURCE_ACTIONS, (stack, logical_id)


def test_the_made_up_consumer_gets_its_index_and_delete_and_nothing_of_the_others(
    every_kind: tuple[Synth, tuple[bus.Subscription, ...]],
) -> None:
    synth, _ = every_kind
    (granted,) = [g for _, handler, _, g in _role_grants(synth) if handler == AUDIT.handler]
    assert granted.on("index:") == {"index:conversations/by_customer": {"dynamodb:Query"}}
    assert granted.on("table:") == {"table:conversations": READS | {"dynamodb:DeleteItem"}}
    assert granted.published == set() and "bus" not in granted.actions
    # Only it and the feedback consumer (a contact record its conversation's contact moved away from) delete
    # conversation items; otherwise only the ingest API deletes (idempotency records) and routing (its queue and
    # assignment items).
    deleters = {
        (handler, table)
        for _, handler, _, g in _role_grants(synth)
        for table, acts in g.actions.items()
        if "dynamodb:DeleteItem" in acts
    }
    assert deleters == {
        (AUDIT.handler, "table:conversations"),
        ("functions.feedback.handler", "table:conversations"),
        (API_HANDLER, "table:idempotency"),
        ("functions.route.handler", "table:routing"),
        ("functions.route_capacity.handler", "table:routing"),
        ("functions.helpdesk_writeback.handler", "table:idempotency"),
    }


def test_a_declaration_naming_an_unknown_table_index_or_call_fails_at_import() -> None:
    base = {"name": "x", "capability": "X", "handler": "functions.x.handler", "pattern": {}}
    with pytest.raises(ValueError, match=r"subscription 'x': unknown tables \['conversation'\]"):
        bus.Subscription(**base, reads=("conversation",))
    with pytest.raises(
        ValueError, match="'by_customer' is queried, but its table 'conversations' is not in reads"
    ):
        bus.Subscription(**base, index_queries=("by_customer",))
    with pytest.raises(ValueError, match="not an index of any Baton table"):
        bus.Subscription(**base, reads=("conversations",), index_queries=("by_account",))
    with pytest.raises(ValueError, match=r"unknown write calls \['Scan'\]"):
        Writes("conversations", "Scan")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="names no write call"):
        Writes("conversations")
