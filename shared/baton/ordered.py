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
from typing import Any, Protocol

from pydantic import ValidationError

from baton.errors import OutOfOrder, PayloadError
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


def event_detail_of(body: str, *event_types: type[BusEvent]) -> BusEvent:
    """The detail of an SQS body whose detail-type is one of `event_types` (a consumer of several events),
    or PayloadError naming the bad field, or the detail-types it takes."""
    try:
        detail_type = json.loads(body).get("detail-type")
    except (json.JSONDecodeError, AttributeError):
        return event_detail(body, event_types[0])  # names what is wrong with the body
    for event_type in event_types:
        if detail_type == event_type.DETAIL_TYPE:
            return event_detail(body, event_type)
    raise PayloadError(
        "detail-type",
        f"expected one of {', '.join(t.DETAIL_TYPE for t in event_types)}, got {detail_type!r}",
    )


def record_order(record: dict[str, Any]) -> tuple[int, str, int]:
    """Sort key of an SQS record: parseable records by (conversation, seq), an event without a `seq` (a
    `MessageRedacted`, applied out of the message order) first in its conversation, so a message redacted in
    the same batch is processed as redacted; the rest after them in their original order (the sort is
    stable)."""
    try:
        detail = json.loads(record["body"])["detail"]
        return (0, str(detail["conversation_id"]), int(detail.get("seq") or 0))
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


# ---------------------------------------------------------------------------------------------- handlers


class _Logger(Protocol):
    def info(self, msg: str, *args: Any, **kwargs: Any) -> Any: ...
    def error(self, msg: str, *args: Any, **kwargs: Any) -> Any: ...


class _Metrics(Protocol):
    def add_metric(self, name: str, unit: Any, value: float) -> Any: ...


class _Record(Protocol):
    @property
    def body(self) -> str: ...
    @property
    def message_id(self) -> str: ...
    @property
    def attributes(self) -> Any: ...


class _Handled(Protocol):
    @property
    def waited_s(self) -> float: ...


def parse_record[T](
    record: _Record, parse: Callable[[str], T], *, logger: _Logger, metrics: _Metrics, what: str
) -> T:
    """`parse(record.body)`; a body that breaks its contract is counted (`MalformedEvents`), logged as an
    error naming the field, and raised again: the record fails alone and reaches the DLQ after its retries,
    never dropped silently. `what` names the event kind in the log line."""
    try:
        return parse(record.body)
    except PayloadError as exc:
        metrics.add_metric(name="MalformedEvents", unit="Count", value=1)
        logger.error(
            f"{what} rejected; it will reach the DLQ after its retries",
            extra={"sqs_message_id": record.message_id, "field": exc.field, "reason": exc.message},
        )
        raise


def apply_in_order[H: _Handled](
    record: _Record,
    handle: Callable[[float, bool], H],
    *,
    patience: Patience | None,
    stop_waiting_at: int,
    logger: _Logger,
    metrics: _Metrics,
    context: dict[str, Any],
) -> tuple[H, int]:
    """`handle(wait_s, stop_waiting)` for a record of an ordered consumer: on its first receive it may wait for
    a predecessor (out of `patience`), from receive `stop_waiting_at` on it stops waiting. A record ahead of its
    predecessor raises `OutOfOrder` again (counted, logged at info: expected) and comes back later. Returns
    what `handle` returned and the record's receive count."""
    receives = int(record.attributes.approximate_receive_count or 1)
    patience = patience or Patience(0.0)
    wait_s = patience.grant(receives)
    try:
        handled = handle(wait_s, receives >= stop_waiting_at)
    except OutOfOrder:
        patience.spent(wait_s)
        metrics.add_metric(name="OutOfOrder", unit="Count", value=1)
        logger.info(
            "message arrived before its predecessor; retried later", extra={**context, "receives": receives}
        )
        raise
    patience.spent(handled.waited_s)
    return handled, receives


def apply_redaction[R: BusEvent](
    redaction: R, redact: Callable[[R], bool], *, logger: _Logger, metrics: _Metrics, what: str
) -> None:
    """A `MessageRedacted` for an ordered consumer: applied at once, out of the message order (the service's
    `redact`), counted (`RedactionsApplied`) and logged with whether `what` (its state) changed."""
    changed = redact(redaction)
    metrics.add_metric(name="RedactionsApplied", unit="Count", value=1)
    logger.info(
        f"redaction applied to {what}",
        extra={
            "conversation_id": getattr(redaction, "conversation_id", None),
            "message_id": getattr(redaction, "message_id", None),
            "changed": changed,
        },
    )
