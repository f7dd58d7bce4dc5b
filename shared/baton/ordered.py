"""What the ordered per-conversation consumers (scoring, decision) share: reading an event out of an SQS
record, taking a batch's records in (conversation, seq) order, waiting briefly for a predecessor that a
concurrent invocation is handling right now.

The services apply a conversation's messages in `seq` order and once, against their own stored state (its
`last_seq`); a message whose predecessor has not been applied yet raises `OutOfOrder` and comes back after the
queue's visibility timeout, unless it is told to stop waiting (its last receive before the DLQ).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from baton.errors import PayloadError
from baton.events import BusEvent

FIRST_WAIT_S = 0.05
"""The first pause while waiting for a predecessor; each next one doubles."""


def event_detail[E: BusEvent](body: str, event_type: type[E]) -> E:
    """The `event_type` detail of an SQS body (a whole EventBridge event), or PayloadError naming the field."""
    try:
        event = json.loads(body)
    except json.JSONDecodeError as exc:
        raise PayloadError("body", f"not valid JSON: {exc}") from None
    if not isinstance(event, dict):
        raise PayloadError("body", f"expected an EventBridge event (JSON object), got {type(event).__name__}")
    if event.get("detail-type") != event_type.DETAIL_TYPE or event.get("source") != event_type.SOURCE:
        raise PayloadError(
            "detail-type",
            f"expected {event_type.DETAIL_TYPE} from {event_type.SOURCE}, "
            f"got {event.get('detail-type')!r} from {event.get('source')!r}",
        )
    detail = event.get("detail")
    if not isinstance(detail, dict):
        raise PayloadError("detail", "must be a JSON object")
    try:
        return event_type.model_validate(detail)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(["detail", *(str(part) for part in first.get("loc", ()))])
        raise PayloadError(field, first.get("msg", "invalid value")) from None


def record_order(record: dict[str, Any]) -> tuple[int, str, int]:
    """Sort key of an SQS record: parseable records by (conversation, seq), the rest after them in their
    original order (the sort is stable)."""
    try:
        detail = json.loads(record["body"])["detail"]
        return (0, str(detail["conversation_id"]), int(detail["seq"]))
    except (KeyError, TypeError, ValueError):
        return (1, "", 0)


class Patience:
    """What is left of an invocation's budget for waiting on predecessors: a record waits only on its first
    receive (SQS would deliver it again only after the visibility timeout, minutes later), at most
    `first_receive_s`, and all the records of an invocation together at most the budget."""

    def __init__(self, budget_s: float, first_receive_s: float = 2.0) -> None:
        self.left_s = budget_s
        self.first_receive_s = first_receive_s

    def grant(self, receives: int) -> float:
        return min(self.first_receive_s, self.left_s) if receives == 1 else 0.0

    def spent(self, seconds: float) -> None:
        self.left_s = max(0.0, self.left_s - seconds)


def load_after_predecessor[S](
    load: Callable[[], S | None],
    last_seq: Callable[[S | None], int],
    seq: int,
    wait_s: float,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[S | None, float]:
    """The stored state, re-read (with doubling pauses, `wait_s` in all) while it is more than one message
    behind `seq`; and how long that took."""
    waited, pause = 0.0, FIRST_WAIT_S
    while True:
        stored = load()
        behind = seq - last_seq(stored) > 1
        if not behind or waited >= wait_s:
            return stored, waited
        step = min(pause, wait_s - waited)
        sleep(step)
        waited += step
        pause *= 2
