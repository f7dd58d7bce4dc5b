"""The agent directory: agents with their status and load, open assignments, the waiting escalations, and each
customer's last agent. DynamoDB (the `routing` table, `baton.tables.ROUTING`) and an in-memory twin.

  pk=`AGENTS`    sk=<agent id>         the profile (`Agent` JSON), status, capacity, load, idle_since, version
  pk=`ASSIGN`    sk=<conversation id>  agent_id, escalation_seq, assigned_at: the conversation's open assignment
  pk=`QUEUE`     sk=<conversation id>  the waiting escalation (`Waiting` JSON)
  pk=`CUSTOMER`  sk=<customer id>      agent_id: who handled the customer last

Listing agents or the queue is one Query of one partition (a support team has hundreds of agents, not
millions), never a Scan. **An assignment is one transaction**: the agent's load goes up only while the agent
is online and below capacity, the conversation's `ASSIGN` item is created only if it has none, and its `QUEUE`
item (when it waited) is removed; so under any concurrency no agent goes over capacity and no conversation is
assigned twice. A release (hand-back, resolved, closed) is the reverse transaction, once.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Protocol

from pydantic import BaseModel

from baton.handoff import Agent, AgentStatus
from baton.models import UtcDatetime

AGENTS, ASSIGN, QUEUE, CUSTOMER = "AGENTS", "ASSIGN", "QUEUE", "CUSTOMER"


@dataclass(frozen=True)
class AgentRecord:
    agent: Agent
    load: int
    idle_since: float
    """Epoch seconds of the agent's last assignment, or of coming online."""

    @property
    def status(self) -> AgentStatus:
        return self.agent.status


class Waiting(BaseModel):
    """An escalation waiting for an agent."""

    conversation_id: str
    escalation_seq: int
    message_id: str
    queued_at: UtcDatetime
    risk: float = 0.0
    value: float | None = None
    language: str | None = None
    product_area: str | None = None
    skill: str | None = None
    customer_id: str | None = None
    previous_agent_id: str | None = None
    reopened: bool = False


@dataclass(frozen=True)
class OpenAssignment:
    conversation_id: str
    agent_id: str
    escalation_seq: int
    assigned_at: datetime


class AgentDirectory(Protocol):
    def agents(self) -> list[AgentRecord]: ...

    def agent(self, agent_id: str) -> AgentRecord | None: ...

    def put_agent(self, agent: Agent, *, at: datetime) -> None:
        """Create or update an agent's profile (its load is kept)."""
        ...

    def set_status(self, agent_id: str, status: AgentStatus, *, at: datetime) -> bool:
        """False when the agent is unknown."""
        ...

    def assign(
        self,
        conversation_id: str,
        agent_id: str,
        escalation_seq: int,
        *,
        at: datetime,
        customer_id: str | None,
    ) -> bool:
        """The assignment transaction (module docstring). False when the agent is no longer online with
        capacity, or the conversation already has an assignment (see `assignment`)."""
        ...

    def release(self, conversation_id: str, *, at: datetime) -> OpenAssignment | None:
        """End the conversation's open assignment, freeing its agent's capacity; None when it had none."""
        ...

    def assignment(self, conversation_id: str) -> OpenAssignment | None: ...

    def open_assignments(self) -> list[OpenAssignment]: ...

    def enqueue(self, waiting: Waiting) -> None: ...

    def dequeue(self, conversation_id: str) -> None: ...

    def waiting(self) -> list[Waiting]: ...

    def last_agent_of(self, customer_id: str) -> str | None: ...


# ------------------------------------------------------------------------------------------------ memory


class MemoryAgentDirectory:
    """In memory, with the same semantics (one lock plays the transaction)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._agents: dict[str, AgentRecord] = {}
        self._assigned: dict[str, OpenAssignment] = {}
        self._queue: dict[str, Waiting] = {}
        self._customers: dict[str, str] = {}

    def agents(self) -> list[AgentRecord]:
        with self._lock:
            return sorted(self._agents.values(), key=lambda r: r.agent.id)

    def agent(self, agent_id: str) -> AgentRecord | None:
        with self._lock:
            return self._agents.get(agent_id)

    def put_agent(self, agent: Agent, *, at: datetime) -> None:
        with self._lock:
            old = self._agents.get(agent.id)
            self._agents[agent.id] = AgentRecord(
                agent, old.load if old else 0, old.idle_since if old else at.timestamp()
            )

    def set_status(self, agent_id: str, status: AgentStatus, *, at: datetime) -> bool:
        with self._lock:
            old = self._agents.get(agent_id)
            if old is None:
                return False
            idle = at.timestamp() if status == "online" and old.status != "online" else old.idle_since
            self._agents[agent_id] = replace(
                old, agent=old.agent.model_copy(update={"status": status}), idle_since=idle
            )
            return True

    def assign(
        self,
        conversation_id: str,
        agent_id: str,
        escalation_seq: int,
        *,
        at: datetime,
        customer_id: str | None,
    ) -> bool:
        with self._lock:
            record = self._agents.get(agent_id)
            if record is None or record.status != "online" or record.load >= record.agent.capacity:
                return False
            if conversation_id in self._assigned:
                return False
            self._agents[agent_id] = replace(record, load=record.load + 1, idle_since=at.timestamp())
            self._assigned[conversation_id] = OpenAssignment(conversation_id, agent_id, escalation_seq, at)
            self._queue.pop(conversation_id, None)
            if customer_id:
                self._customers[customer_id] = agent_id
            return True

    def release(self, conversation_id: str, *, at: datetime) -> OpenAssignment | None:
        with self._lock:
            open_ = self._assigned.pop(conversation_id, None)
            if open_ is None:
                return None
            record = self._agents.get(open_.agent_id)
            if record is not None:
                self._agents[open_.agent_id] = replace(record, load=max(0, record.load - 1))
            return open_

    def assignment(self, conversation_id: str) -> OpenAssignment | None:
        with self._lock:
            return self._assigned.get(conversation_id)

    def open_assignments(self) -> list[OpenAssignment]:
        with self._lock:
            return list(self._assigned.values())

    def enqueue(self, waiting: Waiting) -> None:
        with self._lock:
            self._queue.setdefault(waiting.conversation_id, waiting)

    def dequeue(self, conversation_id: str) -> None:
        with self._lock:
            self._queue.pop(conversation_id, None)

    def waiting(self) -> list[Waiting]:
        with self._lock:
            return list(self._queue.values())

    def last_agent_of(self, customer_id: str) -> str | None:
        with self._lock:
            return self._customers.get(customer_id)


# ---------------------------------------------------------------------------------------------- DynamoDB


class DynamoAgentDirectory:
    def __init__(self, table_name: str, *, client: Any) -> None:
        from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

        self.table_name = table_name
        self.client = client
        self._ser = TypeSerializer()
        self._de = TypeDeserializer()

    # -- helpers

    def _key(self, pk: str, sk: str) -> dict[str, Any]:
        return {"pk": {"S": pk}, "sk": {"S": sk}}

    def _values(self, values: dict[str, Any]) -> dict[str, Any]:
        return {k: self._ser.serialize(v) for k, v in values.items()}

    def _item(self, raw: dict[str, Any]) -> dict[str, Any]:
        return {k: self._de.deserialize(v) for k, v in raw.items()}

    def _query(self, pk: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": pk}},
            "ConsistentRead": True,
        }
        while True:
            page = self.client.query(**kwargs)
            items.extend(self._item(i) for i in page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                return items
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def _get(self, pk: str, sk: str) -> dict[str, Any] | None:
        raw = self.client.get_item(TableName=self.table_name, Key=self._key(pk, sk), ConsistentRead=True).get(
            "Item"
        )
        return self._item(raw) if raw else None

    def _record(self, item: dict[str, Any]) -> AgentRecord:
        agent = Agent.model_validate_json(item["profile"]).model_copy(update={"status": item["status"]})
        return AgentRecord(agent, int(item.get("load", 0)), float(item.get("idle_since", 0)))

    # -- agents

    def agents(self) -> list[AgentRecord]:
        return sorted((self._record(i) for i in self._query(AGENTS)), key=lambda r: r.agent.id)

    def agent(self, agent_id: str) -> AgentRecord | None:
        item = self._get(AGENTS, agent_id)
        return self._record(item) if item else None

    def put_agent(self, agent: Agent, *, at: datetime) -> None:
        self.client.update_item(
            TableName=self.table_name,
            Key=self._key(AGENTS, agent.id),
            UpdateExpression=(
                "SET profile = :profile, #status = :status, #capacity = :capacity, updated_at = :at, "
                "#load = if_not_exists(#load, :zero), idle_since = if_not_exists(idle_since, :now)"
            ),
            ExpressionAttributeNames={"#status": "status", "#load": "load", "#capacity": "capacity"},
            ExpressionAttributeValues=self._values(
                {
                    ":profile": agent.model_dump_json(),
                    ":status": agent.status,
                    ":capacity": agent.capacity,
                    ":at": at.isoformat(),
                    ":zero": 0,
                    ":now": _epoch(at),
                }
            ),
        )

    def set_status(self, agent_id: str, status: AgentStatus, *, at: datetime) -> bool:
        from botocore.exceptions import ClientError

        going_online = status == "online"
        try:
            self.client.update_item(
                TableName=self.table_name,
                Key=self._key(AGENTS, agent_id),
                UpdateExpression="SET #status = :status, updated_at = :at"
                + (", idle_since = :now" if going_online else ""),
                ConditionExpression="attribute_exists(pk)"
                + (" AND #status <> :status" if going_online else ""),
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues=self._values(
                    {
                        ":status": status,
                        ":at": at.isoformat(),
                        **({":now": _epoch(at)} if going_online else {}),
                    }
                ),
            )
            return True
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise
            return self.agent(agent_id) is not None  # already online (kept its idle time), or unknown

    # -- assignments

    def assign(
        self,
        conversation_id: str,
        agent_id: str,
        escalation_seq: int,
        *,
        at: datetime,
        customer_id: str | None,
    ) -> bool:
        from botocore.exceptions import ClientError

        items: list[dict[str, Any]] = [
            {
                "Update": {
                    "TableName": self.table_name,
                    "Key": self._key(AGENTS, agent_id),
                    "UpdateExpression": "SET #load = #load + :one, idle_since = :now",
                    "ConditionExpression": "#status = :online AND #load < #capacity",
                    "ExpressionAttributeNames": {
                        "#load": "load",
                        "#status": "status",
                        "#capacity": "capacity",
                    },
                    "ExpressionAttributeValues": self._values(
                        {":one": 1, ":now": _epoch(at), ":online": "online"}
                    ),
                }
            },
            {
                "Put": {
                    "TableName": self.table_name,
                    "Item": self._values(
                        {
                            "pk": ASSIGN,
                            "sk": conversation_id,
                            "agent_id": agent_id,
                            "escalation_seq": escalation_seq,
                            "assigned_at": at.isoformat(),
                        }
                    ),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            {"Delete": {"TableName": self.table_name, "Key": self._key(QUEUE, conversation_id)}},
        ]
        if customer_id:
            items.append(
                {
                    "Put": {
                        "TableName": self.table_name,
                        "Item": self._values({"pk": CUSTOMER, "sk": customer_id, "agent_id": agent_id}),
                    }
                }
            )
        try:
            self.client.transact_write_items(TransactItems=items)
            return True
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in (
                "TransactionCanceledException",
                "ConditionalCheckFailedException",
            ):
                return False
            raise

    def release(self, conversation_id: str, *, at: datetime) -> OpenAssignment | None:
        from botocore.exceptions import ClientError

        open_ = self.assignment(conversation_id)
        if open_ is None:
            return None
        try:
            self.client.transact_write_items(
                TransactItems=[
                    {
                        "Delete": {
                            "TableName": self.table_name,
                            "Key": self._key(ASSIGN, conversation_id),
                            "ConditionExpression": "agent_id = :agent",
                            "ExpressionAttributeValues": self._values({":agent": open_.agent_id}),
                        }
                    },
                    {
                        "Update": {
                            "TableName": self.table_name,
                            "Key": self._key(AGENTS, open_.agent_id),
                            "UpdateExpression": "SET #load = #load - :one, updated_at = :at",
                            "ConditionExpression": "#load > :zero",
                            "ExpressionAttributeNames": {"#load": "load"},
                            "ExpressionAttributeValues": self._values(
                                {":one": 1, ":zero": 0, ":at": at.isoformat()}
                            ),
                        }
                    },
                ]
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                raise
            return None  # released concurrently
        return open_

    def assignment(self, conversation_id: str) -> OpenAssignment | None:
        item = self._get(ASSIGN, conversation_id)
        return _open(item) if item else None

    def open_assignments(self) -> list[OpenAssignment]:
        return [_open(i) for i in self._query(ASSIGN)]

    # -- queue

    def enqueue(self, waiting: Waiting) -> None:
        from botocore.exceptions import ClientError

        try:
            self.client.put_item(
                TableName=self.table_name,
                Item=self._values(
                    {"pk": QUEUE, "sk": waiting.conversation_id, "waiting": waiting.model_dump_json()}
                ),
                ConditionExpression="attribute_not_exists(pk)",  # keeps the first queued_at
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise

    def dequeue(self, conversation_id: str) -> None:
        self.client.delete_item(TableName=self.table_name, Key=self._key(QUEUE, conversation_id))

    def waiting(self) -> list[Waiting]:
        return [Waiting.model_validate_json(i["waiting"]) for i in self._query(QUEUE)]

    def last_agent_of(self, customer_id: str) -> str | None:
        item = self._get(CUSTOMER, customer_id)
        return str(item["agent_id"]) if item else None


def _open(item: dict[str, Any]) -> OpenAssignment:
    return OpenAssignment(
        conversation_id=str(item["sk"]),
        agent_id=str(item["agent_id"]),
        escalation_seq=int(item["escalation_seq"]),
        assigned_at=datetime.fromisoformat(str(item["assigned_at"])),
    )


def _epoch(at: datetime) -> Any:
    from decimal import Decimal

    return Decimal(str(round(at.timestamp(), 3)))
