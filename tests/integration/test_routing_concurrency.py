"""Routing on DynamoDB Local under real concurrency: 1,000 escalations routed at once by 32 threads (as
concurrent Lambda invocations would) never put an agent over capacity, never assign a conversation twice, and
every one is either assigned or waiting in the queue."""

from __future__ import annotations

import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest

from baton.handoff import Agent
from baton.routing.directory import DynamoAgentDirectory, Waiting
from baton.routing.service import Router
from baton.tables import ROUTING

pytestmark = pytest.mark.integration

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
LANGUAGES = ("en", "en", "en", "es", "de")
AREAS = ("billing", "technical", "account", "how_to", "cancellation", "feedback")


@pytest.fixture
def directory(ddb_client: Any) -> DynamoAgentDirectory:
    name = f"it-routing-{uuid.uuid4().hex[:8]}"
    ddb_client.create_table(**ROUTING.create_table_kwargs(name))
    return DynamoAgentDirectory(name, client=ddb_client)


def escalation(n: int) -> Waiting:
    return Waiting(
        conversation_id=f"conv-{n}",
        escalation_seq=1,
        message_id="m1",
        queued_at=NOW,
        risk=(n % 10) / 10,
        language=LANGUAGES[n % len(LANGUAGES)],
        product_area=AREAS[n % len(AREAS)],
        customer_id=f"cus-{n % 300}",
    )


def test_a_thousand_concurrent_escalations_never_overfill_an_agent_nor_assign_twice(
    directory: DynamoAgentDirectory,
) -> None:
    for i in range(12):
        directory.put_agent(
            Agent(
                id=f"agent-{i}",
                name=f"Agent {i}",
                languages=["en", "es"] if i % 3 == 0 else (["de", "en"] if i % 4 == 1 else ["en"]),
                product_areas=[AREAS[i % len(AREAS)], AREAS[(i + 1) % len(AREAS)]],
                capacity=2 + i % 3,
                status="offline" if i == 11 else "online",
            ),
            at=NOW,
        )
    router = Router(directory)
    # Each escalation routed twice at once (a redelivery racing the first delivery): still once.
    work = [escalation(n) for n in range(1000)] * 2

    def route(waiting: Waiting) -> str | None:
        assignment = router.try_assign(waiting, NOW)
        if assignment is None:
            directory.enqueue(waiting)
            return None
        return assignment.agent_id

    with ThreadPoolExecutor(max_workers=32) as pool:
        list(pool.map(route, work))

    agents = {r.agent.id: r for r in directory.agents()}
    assignments = directory.open_assignments()
    per_agent = Counter(a.agent_id for a in assignments)
    assert len({a.conversation_id for a in assignments}) == len(assignments)  # never twice
    for agent_id, record in agents.items():
        assert per_agent[agent_id] == record.load <= record.agent.capacity, agent_id
    assert per_agent["agent-11"] == 0  # offline
    total_capacity = sum(r.agent.capacity for r in agents.values() if r.status == "online")
    assert len(assignments) == total_capacity  # every free seat was used
    waiting = {w.conversation_id for w in directory.waiting()}
    assigned = {a.conversation_id for a in assignments}
    assert waiting | assigned == {f"conv-{n}" for n in range(1000)} and not waiting & assigned
