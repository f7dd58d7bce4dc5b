"""The load benchmark's accounting (`bench/load.py`), on a tiny fake run: what it counts as accepted, errors, lost
and decided twice, and the latencies it reads from a real local bus archive. No load and no timing: the figures
themselves are the benchmark's (bench/README.md, "Load")."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from baton.local.bus import LocalBus
from bench.load import (
    ACCEPTED,
    CONNECTION_ERROR,
    WRONG_ANSWER,
    Archive,
    Plan,
    Post,
    answer_status,
    rows,
    summarize,
)

WINDOW = (1_000.0, 1_010.0)
"""The measured window, epoch seconds: 10 s."""


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def bus(tmp_path: Path, clock: Clock) -> Iterator[LocalBus]:
    # No subscriptions: the events are archived and routed nowhere.
    with LocalBus(tmp_path / "bus.sqlite3", subscriptions=(), clock=clock) as bus:
        yield bus


def received(bus: LocalBus, clock: Clock, conversation: str, message: str, at_s: float) -> None:
    clock.now = at_s + 0.005  # put on the bus just after ingestion stamped it
    iso = datetime.fromtimestamp(at_s, UTC).isoformat()
    bus.put_events(
        [
            {
                "source": "baton.ingestion",
                "detail-type": "MessageReceived",
                "detail": {
                    "conversation_id": conversation,
                    "seq": 1,
                    "message": {"message_id": message, "received_at": iso},
                },
            }
        ]
    )


def decided(bus: LocalBus, clock: Clock, conversation: str, message: str, at_s: float, event_id: str) -> None:
    clock.now = at_s
    bus.put_events(
        [
            {
                "id": event_id,
                "source": "baton.decision",
                "detail-type": "EscalationDecided",
                "detail": {"conversation_id": conversation, "message_id": message, "action": "resolve"},
            }
        ]
    )


def post(message: str, status: int, started_s: float, latency_ms: float, conversation: str = "c1") -> Post:
    return Post(conversation, message, status, started_s, latency_ms)


@pytest.fixture
def run(bus: LocalBus, clock: Clock) -> tuple[list[Post], Archive]:
    """Accepted in the window: m1, m2, m3 (decided), m4 (received, never decided) and m5 (decided twice); in the
    warm-up: m0 (decided) and m6 (accepted, never on the bus); after the window: m7; errors: a 503 in the window,
    no answer in the warm-up. The same message id `m1` in another conversation is another message."""
    posts = [
        post("m0", ACCEPTED, 998.0, 100),
        post("m6", ACCEPTED, 999.0, 100),
        post("x", CONNECTION_ERROR, 999.5, 30_000),
        post("m1", ACCEPTED, 1_000.0, 50),
        post("m2", ACCEPTED, 1_001.0, 150),
        post("m3", ACCEPTED, 1_002.0, 250),
        post("m4", ACCEPTED, 1_003.0, 350),
        post("m5", ACCEPTED, 1_004.0, 450),
        post("bad", 503, 1_005.0, 10),
        post("m7", ACCEPTED, 1_009.9, 200),
        post("m1", ACCEPTED, 1_006.0, 40, conversation="c2"),
    ]
    for message, at_s, took_s in [("m0", 998.05, 0.1), ("m1", 1_000.02, 0.2), ("m2", 1_001.1, 0.4)]:
        received(bus, clock, "c1", message, at_s)
        decided(bus, clock, "c1", message, at_s + took_s, f"d-{message}")
    received(bus, clock, "c1", "m3", 1_002.2)
    received(bus, clock, "c1", "m4", 1_003.3)
    received(bus, clock, "c1", "m5", 1_004.4)
    decided(bus, clock, "c1", "m3", 1_002.2 + 0.8, "d-m3")
    decided(bus, clock, "c1", "m5", 1_004.4 + 0.6, "d-m5")
    decided(bus, clock, "c1", "m5", 1_004.4 + 0.6, "d-m5")  # a redelivery re-publishes the same event
    decided(bus, clock, "c1", "m5", 1_004.4 + 1.6, "d-m5-again")  # a second decision: counted
    received(bus, clock, "c2", "m1", 1_006.01)
    decided(bus, clock, "c2", "m1", 1_006.01 + 0.1, "d-c2-m1")
    received(bus, clock, "c1", "m7", 1_010.0)
    decided(bus, clock, "c1", "m7", 1_010.5, "d-m7")
    received(bus, clock, "other", "someone-else", 1_007.0)
    archive = Archive()
    archive.read(bus.path)
    return posts, archive


def test_the_window_counts_accepted_posts_answered_in_it(run: tuple[list[Post], Archive]) -> None:
    summary = summarize(*run, WINDOW)
    # Answered in the window: m1..m5, the 503 and c2's m1 (m7 was answered after it, m0 and m6 before).
    assert (summary.requests, summary.accepted) == (7, 6)
    assert summary.rate == pytest.approx(0.6)
    assert summary.accepted_total == 9
    # Decided in the window: m1, m2, m3, m5 and c2's m1 (m0 before it; m7 after; m4 and m6 never).
    assert (summary.decided, summary.decided_rate) == (5, pytest.approx(0.5))


def test_errors_are_counted_by_status_over_the_whole_run(run: tuple[list[Post], Archive]) -> None:
    summary = summarize(*run, WINDOW)
    assert summary.errors == {CONNECTION_ERROR: 1, 503: 1}
    assert ("errors by status (whole run)", "no answer: 1, 503: 1", "none") in rows(summary, users=16)


def test_lost_is_every_accepted_message_never_decided(run: tuple[list[Post], Archive]) -> None:
    summary = summarize(*run, WINDOW)
    assert (summary.lost, summary.never_received) == (2, 1)  # m4 (received only) and m6 (not even received)
    assert run[1].undecided([("c1", "m4"), ("c1", "m1"), ("c2", "m1")]) == {("c1", "m4")}
    assert ("lost (accepted, never decided)", "2 of 9 (1 never on the bus)", "0") in rows(summary, users=16)


def test_received_to_decided_uses_the_first_decision_of_each_window_message(
    run: tuple[list[Post], Archive],
) -> None:
    summary = summarize(*run, WINDOW)
    # m1 200, m2 400, m3 800, m5 600 (its first decision), c2's m1 100 ms; m4 has none; m0 and m7 are outside.
    assert summary.decided_ms == pytest.approx((400, 800, 800), abs=1)
    assert summary.api_ms == (150, 450)  # nearest rank over 40, 50, 150, 250, 350, 450
    assert summary.decided_twice == 1  # m5: two distinct decisions; its redelivery is the same event


def test_the_archive_is_read_incrementally(bus: LocalBus, clock: Clock) -> None:
    archive = Archive()
    received(bus, clock, "c", "a", 10.0)
    assert archive.read(bus.path) == 1
    assert archive.read(bus.path) == 0
    decided(bus, clock, "c", "a", 10.25, "d-a")
    assert archive.read(bus.path) == 1
    assert archive.decided_ms[("c", "a")] - archive.received_ms[("c", "a")] == 250


def test_an_empty_run_has_no_latencies() -> None:
    summary = summarize([], Archive(), WINDOW)
    assert (summary.accepted, summary.api_ms, summary.decided_ms, summary.lost) == (0, None, None, 0)
    assert rows(summary, users=16)[0][1] == "0.0 msg/s (0 of 0 posts)"


def test_the_plan_mixes_own_and_shared_conversations() -> None:
    plan = Plan("r", shared=4, shared_every=4, per_conversation=3)
    first = [plan.message(user=2, i=i)[0] for i in range(8)]
    assert first == [
        "r-u2-c0",
        "r-u2-c0",
        "r-u2-c0",
        "r-shared-1",
        "r-u2-c1",
        "r-u2-c1",
        "r-u2-c2",
        "r-shared-1",
    ]
    assert {plan.conversation(user, 3) for user in range(8)} == {f"r-shared-{i}" for i in range(4)}
    ids = {plan.message(user, i)[1] for user in range(16) for i in range(50)}
    assert len(ids) == 16 * 50  # every message id is new: no post is a duplicate
    assert Plan("r", shared=0).conversation(0, 3) == "r-u0-c0"


def test_a_202_must_name_the_message_posted() -> None:
    body = '{"conversation_id": "c1", "message_id": "m1"}'
    assert answer_status(202, body, "c1", "m1") == ACCEPTED
    assert answer_status(202, body, "c1", "m2") == WRONG_ANSWER  # another request's answer
    assert answer_status(202, "", "c1", "m1") == WRONG_ANSWER
    assert answer_status(503, "", "c1", "m1") == 503
    summary = summarize([post("m1", WRONG_ANSWER, 1_000.0, 10)], Archive(), WINDOW)
    assert (summary.accepted, summary.errors) == (0, {WRONG_ANSWER: 1})
    assert rows(summary, users=1)[2][1] == "202 naming another message: 1"
