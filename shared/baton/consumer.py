"""Bus consumers on SQS: every subscription's queue is read through here (`baton.bus`).

The SQS body is a whole EventBridge event. Records are parsed by Powertools' `BatchProcessor` with a parser
model (`envelope`): the detail-type picks the event's contract, and a body that breaks it fails alone. Every
failed record is logged with its cause and the SQS message id (`ConsumerProcessor`), so `baton dlq show` and
CloudWatch name why a record reached the DLQ:

- a malformed body (not JSON, an unexpected detail-type, a field that breaks the contract: the parser's failure,
  or a partner payload's `PayloadError`): it can never succeed, so it is sent to the subscription's DLQ at once,
  with the reason (`baton.ports.DeadLetterQueue`: SQS deployed, the local bus's dead letters under `baton local`),
  and reported handled; one error naming the field, counted `MalformedEvents`. When no DLQ is configured or the
  send fails, it is failed and retried like the rest;
- an event that can never apply (`baton.ordered.Unapplicable`): an error with the reason, `UnapplicableEvents`;
- a message ahead of its predecessor (`OutOfOrder`): expected, logged at info, `OutOfOrder`;
- anything else (a DynamoDB outage...): an error with the exception, `FailedRecords`.

A failed record is retried by SQS and reaches the DLQ after the queue's maxReceiveCount: never dropped.

Metrics: each function's `Metrics` has a metric set of its own (`function_metrics`). Powertools shares one set among
every `Metrics` of a process, which is harmless in Lambda (one function per process) but not under `baton local`,
where every function runs in one process: there each function's metrics must carry its own `service`.

`OrderedBatch` runs an ordered capability's consumer (`baton.ordered.OrderedConsumer`) on a batch: records in
(conversation, seq) order, a redaction first in its conversation, a short shared budget for waiting on a
predecessor applied concurrently, and on the last receive before the DLQ it stops waiting. `Batch` runs an
unordered consumer's per-event function.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union, cast

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.metrics.functions import is_metrics_disabled
from aws_lambda_powertools.metrics.provider.cloudwatch_emf.cloudwatch import AmazonCloudWatchEMFProvider
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel, SqsRecordModel
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import Field, Json, ValidationError, create_model

from baton.bus import Subscription, by_name
from baton.errors import OutOfOrder, PayloadError
from baton.events import BusEvent, MessageRedacted
from baton.ordered import OrderedConsumer, Unapplicable
from baton.settings import Settings

if TYPE_CHECKING:
    from baton.ports import DeadLetterQueue

FIRST_RECEIVE_WAIT_S = 2.0
"""On its first receive a record waits this long for a predecessor applied concurrently (SQS would only deliver
it again after the visibility timeout, minutes later)."""
WAIT_BUDGET_S = 4.0
"""All of an invocation's records together wait at most this long (the functions' timeout is 30 s)."""


_DETAIL_TYPES: set[str] = set()
"""Every detail-type an envelope was built for: the tags of their unions, dropped from error paths."""


def envelope(*event_types: type[BusEvent]) -> type[SqsRecordModel]:
    """The Powertools parser model of an SQS record whose body is an EventBridge event carrying one of
    `event_types` (chosen by its detail-type, checked against its source)."""
    _DETAIL_TYPES.update(t.DETAIL_TYPE for t in event_types)
    envelopes = [
        create_model(
            f"{t.__name__}Envelope",
            __base__=EventBridgeModel,
            detail_type=(cast(Any, Literal[t.DETAIL_TYPE]), Field(alias="detail-type")),
            source=(cast(Any, Literal[t.SOURCE]), ...),
            detail=(t, ...),
        )
        for t in event_types
    ]
    body: Any = envelopes[0]
    if len(envelopes) > 1:
        union: Any = Union[tuple(envelopes)]  # noqa: UP007 (a union built at run time)
        body = Annotated[union, Field(discriminator="detail_type")]
    return create_model(
        "Bus" + "Or".join(t.__name__ for t in event_types) + "Record",
        __base__=SqsRecordModel,
        body=(cast(Any, Json)[body], ...),
    )


class _FunctionMetricsProvider(AmazonCloudWatchEMFProvider):
    """Powertools' EMF provider with a metric set of its own. With metrics disabled (`baton local` without
    `--verbose`), an invocation's metrics are dropped when it ends: kept, they would pile up until Powertools prints
    them anyway (it publishes a set that reaches 100 values whether metrics are disabled or not)."""

    def flush_metrics(self, raise_on_empty_metrics: bool = False) -> None:
        if is_metrics_disabled():
            self.clear_metrics()
            return
        super().flush_metrics(raise_on_empty_metrics=raise_on_empty_metrics)


def function_metrics(service: str, namespace: str = "Baton") -> Metrics:
    """The `Metrics` of one function, named after it (its `service` dimension), with a metric set of its own (see
    the module docstring)."""
    provider = _FunctionMetricsProvider(
        namespace=namespace,
        service=service,
        metric_set={},
        dimension_set={},
        metadata_set={},
        default_dimensions={},
    )
    return Metrics(namespace=namespace, service=service, provider=provider)


def _dead_letter_queue_from_settings() -> DeadLetterQueue | None:
    from baton import wiring

    return wiring.dead_letter_queue(Settings.from_env())


DeadLetters = Callable[[], "DeadLetterQueue | None"]
"""Where a consumer finds its DLQ when a record can never succeed (built only then: nothing at a cold start)."""


class ConsumerProcessor(BatchProcessor):
    """Powertools' BatchProcessor, logging each failed record's cause and sending a record that can never succeed
    straight to the DLQ (see the module docstring)."""

    def __init__(
        self,
        model: type[SqsRecordModel],
        *,
        logger: Logger,
        metrics: Metrics,
        dead_letters: DeadLetters = _dead_letter_queue_from_settings,
    ) -> None:
        super().__init__(event_type=EventType.SQS, model=model, raise_on_entire_batch_failure=False)
        self._log = logger
        self._metrics = metrics
        self._dead_letters = dead_letters

    def failure_handler(self, record: Any, exception: Any) -> Any:
        error = exception[1]
        extra = {"sqs_message_id": _message_id(record), **_where(record)}
        if isinstance(error, OutOfOrder):
            self._metrics.add_metric(name="OutOfOrder", unit=MetricUnit.Count, value=1)
            self._log.info(
                "message arrived before its predecessor; retried later", extra={**extra, "reason": str(error)}
            )
        elif self._never_succeeds(error):
            field, reason = _contract_error(error)
            self._metrics.add_metric(name="MalformedEvents", unit=MetricUnit.Count, value=1)
            not_sent = self._send_to_dead_letters(_message_id(record), f"{field}: {reason}")
            if not_sent is None:
                self._log.error(
                    "event rejected: it breaks its contract; sent to the DLQ without retries",
                    extra={**extra, "field": field, "reason": reason},
                )
                return self.success_handler(record=record, result="sent to the DLQ")
            self._log.error(
                "event rejected: it breaks its contract; it will reach the DLQ after its retries",
                extra={**extra, "field": field, "reason": reason, "dlq": not_sent},
            )
        elif isinstance(error, ValidationError):
            field, reason = _contract_error(error)
            self._metrics.add_metric(name="FailedRecords", unit=MetricUnit.Count, value=1)
            self._log.error(
                "record failed: a model built from it is invalid; retried, then the DLQ",
                extra={**extra, "field": field, "reason": reason},
            )
        elif isinstance(error, Unapplicable):
            self._metrics.add_metric(name="UnapplicableEvents", unit=MetricUnit.Count, value=1)
            self._log.error(
                "event can never apply; it will reach the DLQ after its retries",
                extra={**extra, "reason": str(error)},
            )
        else:
            self._metrics.add_metric(name="FailedRecords", unit=MetricUnit.Count, value=1)
            self._log.error(
                "record failed; retried, then the DLQ",
                extra={**extra, "reason": f"{type(error).__name__}: {error}"},
                exc_info=exception,
            )
        return super().failure_handler(record, exception)

    def _never_succeeds(self, error: BaseException) -> bool:
        """The record's body breaks its contract: the parser's failure on this processor's model, or a partner
        payload that is not the shape its topic promises. Retrying cannot change a body."""
        if isinstance(error, PayloadError):
            return True
        # As Powertools tells a poison record from a handler's failure: the error is the model's own.
        return isinstance(error, ValidationError) and error.title == getattr(self.model, "__name__", None)

    def _send_to_dead_letters(self, message_id: str | None, reason: str) -> str | None:
        """Send the record (as delivered: `self.records`) to the DLQ; None when sent, else why not."""
        raw = next((r for r in self.records if r.get("messageId") == message_id), None)
        if raw is None:
            return "the record is not in the batch"
        try:
            queue = self._dead_letters()
            if queue is None:
                return "no DLQ configured (BATON_DEAD_LETTER_QUEUE_URL)"
            queue.send(raw, reason)
        except Exception as exc:  # an SQS outage: the record fails and is retried, never dropped
            return f"{type(exc).__name__}: {exc}"
        return None


class Patience:
    """What is left of an invocation's budget for waiting on predecessors: a record waits only on its first
    receive, at most `first_receive_s`, and all the records of an invocation together at most the budget."""

    def __init__(
        self, budget_s: float = WAIT_BUDGET_S, first_receive_s: float = FIRST_RECEIVE_WAIT_S
    ) -> None:
        self.left_s = budget_s
        self.first_receive_s = first_receive_s

    def grant(self, receives: int) -> float:
        return min(self.first_receive_s, self.left_s) if receives == 1 else 0.0

    def spent(self, seconds: float) -> None:
        self.left_s = max(0.0, self.left_s - seconds)


def record_order(record: Mapping[str, Any]) -> tuple[int, str, int]:
    """Sort key of a raw SQS record: parseable records by (conversation, seq), an event without a `seq` (a
    `MessageRedacted`) first in its conversation, so a message redacted in the same batch is processed as
    redacted; the rest after them in their original order (the sort is stable)."""
    try:
        detail = json.loads(record["body"])["detail"]
        return (0, str(detail["conversation_id"]), int(detail.get("seq") or 0))
    except (KeyError, TypeError, ValueError):
        return (1, "", 0)


class AnyEventRecord(SqsRecordModel):
    """An SQS record whose body is any EventBridge event, as a JSON object (a partner's: the consumer applies
    the partner's contract)."""

    body: Json[dict[str, Any]]  # type: ignore[assignment]


class Batch:
    """An unordered consumer: `handle(detail)` per record (for `AnyEventRecord`: `handle(the whole event)`)."""

    def __init__(
        self,
        *event_types: type[BusEvent],
        logger: Logger,
        metrics: Metrics,
        model: type[SqsRecordModel] | None = None,
        dead_letters: DeadLetters = _dead_letter_queue_from_settings,
    ) -> None:
        self.logger = logger
        self.metrics = metrics
        self.model = model or envelope(*event_types)
        self.processor = ConsumerProcessor(
            self.model, logger=logger, metrics=metrics, dead_letters=dead_letters
        )
        copy_config_to_registered_loggers(source_logger=logger, include={"baton"})

    def process(
        self, event: Mapping[str, Any], context: LambdaContext, handle: Callable[[Any], None]
    ) -> PartialItemFailureResponse:
        return process_partial_response(
            event=dict(event),
            record_handler=lambda record: handle(
                record.body if self.model is AnyEventRecord else record.body.detail
            ),
            processor=self.processor,
            context=context,
        )


class OrderedBatch(Batch):
    """An ordered capability's consumer on SQS (see the module docstring)."""

    def __init__(
        self,
        subscription: Subscription,
        *event_types: type[BusEvent],
        logger: Logger,
        metrics: Metrics,
        amendments: Mapping[type[BusEvent], Callable[[Any, Any], bool]] | None = None,
        dead_letters: DeadLetters = _dead_letter_queue_from_settings,
    ) -> None:
        """`amendments`: events applied at once, out of the message order, besides redactions:
        `{HandedBack: lambda consumer, event: ...}` (True when the state changed)."""
        self.amendments = dict(amendments or {})
        super().__init__(
            *event_types,
            MessageRedacted,
            *self.amendments,
            logger=logger,
            metrics=metrics,
            dead_letters=dead_letters,
        )
        # From this receive on (the last before the DLQ), a message stops waiting for a predecessor.
        self.stop_waiting_at = max(1, subscription.max_receive_count - 1)

    def process_ordered(
        self, event: Mapping[str, Any], context: LambdaContext, consumer: OrderedConsumer[Any, Any, Any]
    ) -> PartialItemFailureResponse:
        patience = Patience()
        records = sorted(event.get("Records") or [], key=record_order)
        return process_partial_response(
            event={**event, "Records": records},
            record_handler=lambda record: self._apply(record, consumer, patience),
            processor=self.processor,
            context=context,
        )

    def _apply(self, record: Any, consumer: OrderedConsumer[Any, Any, Any], patience: Patience) -> None:
        detail = record.body.detail
        if isinstance(detail, MessageRedacted):
            changed = consumer.redact(detail)
            self.metrics.add_metric(name="RedactionsApplied", unit=MetricUnit.Count, value=1)
            self.logger.info(
                f"redaction applied to {consumer.logic.name}",
                extra={
                    "conversation_id": detail.conversation_id,
                    "message_id": detail.message_id,
                    "changed": changed,
                },
            )
            return
        amend = self.amendments.get(type(detail))
        if amend is not None:
            changed = amend(consumer, detail)
            self.metrics.add_metric(name=f"{detail.DETAIL_TYPE}Applied", unit=MetricUnit.Count, value=1)
            self.logger.info(
                f"{detail.DETAIL_TYPE} applied to {consumer.logic.name}",
                extra={"conversation_id": getattr(detail, "conversation_id", None), "changed": changed},
            )
            return
        receives = int(record.attributes.ApproximateReceiveCount or 1)
        wait_s = patience.grant(receives)
        try:
            handled = consumer.handle(detail, wait_s=wait_s, stop_waiting=receives >= self.stop_waiting_at)
        except OutOfOrder:
            patience.spent(wait_s)
            raise
        patience.spent(handled.waited_s)
        where = {"conversation_id": detail.conversation_id, "seq": detail.seq}
        if handled.skipped:
            self.metrics.add_metric(
                name=consumer.logic.skipped_metric, unit=MetricUnit.Count, value=handled.skipped
            )
            self.logger.warning(
                f"predecessors never arrived; {consumer.logic.name} went on without them",
                extra={**where, "skipped": handled.skipped, "receives": receives},
            )
        if handled.outcome == "duplicate":
            self.metrics.add_metric(name="DuplicateMessages", unit=MetricUnit.Count, value=1)
            self.logger.info(f"message already applied to {consumer.logic.name}", extra=where)
            return
        for name, value in handled.metrics.items():
            self.metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)
        if handled.log is not None:
            self.logger.info(f"applied to {consumer.logic.name}", extra={**where, **handled.log})


def _message_id(record: Any) -> str | None:
    return cast(str | None, getattr(record, "messageId", None) or getattr(record, "message_id", None))


def _where(record: Any) -> dict[str, Any]:
    detail = getattr(getattr(record, "body", None), "detail", None)
    if detail is None:
        return {}
    return {"conversation_id": getattr(detail, "conversation_id", None), "seq": getattr(detail, "seq", None)}


def _contract_error(error: ValidationError | PayloadError) -> tuple[str, str]:
    """The offending field, as a path in the EventBridge event (`detail.seq`), and what is wrong with it."""
    if isinstance(error, PayloadError):
        return error.field, error.message
    first = error.errors()[0]
    loc = [str(part) for part in first.get("loc", ())]
    if first.get("type") in ("union_tag_invalid", "union_tag_not_found"):
        return "detail-type", first.get("msg", "unexpected detail-type")
    if loc[:1] == ["body"]:
        loc = loc[1:]
        # A discriminated union names the detail-type it tried (its tag): the path starts after it.
        if loc and loc[0] in _DETAIL_TYPES:
            loc = loc[1:]
    return ".".join(loc) or "body", first.get("msg", "invalid value")


class OrderedFunction[C: OrderedConsumer[Any, Any, Any]]:
    """The Lambda function of an ordered subscription: its logger and metrics (named after it), its batch, and
    `lambda_handler(event, context, consumer=None)`, which builds the consumer once per container with `build`
    (from `Settings`; tests pass their own consumer).

        function = OrderedFunction("score", MessageReceived, build=build, module=__name__)
        lambda_handler = function.lambda_handler
    """

    def __init__(
        self,
        name: str,
        *event_types: type[BusEvent],
        build: Callable[[Settings], C],
        module: str,
        amendments: Mapping[type[BusEvent], Callable[[Any, Any], bool]] | None = None,
        dead_letters: DeadLetters = _dead_letter_queue_from_settings,
    ) -> None:
        self.logger = Logger(service=name)
        self.metrics = function_metrics(name)
        self.batch = OrderedBatch(
            by_name(name),
            *event_types,
            logger=self.logger,
            metrics=self.metrics,
            amendments=amendments,
            dead_letters=dead_letters,
        )
        self.build_consumer = functools.cache(build)

        @self.logger.inject_lambda_context
        @self.metrics.log_metrics(capture_cold_start_metric=True)
        def lambda_handler(event: dict[str, Any], context: LambdaContext, consumer: C | None = None) -> Any:
            consumer = consumer or self.build_consumer(Settings.from_env())
            return self.batch.process_ordered(event, context, consumer)

        lambda_handler.__module__ = module  # `baton local` finds the function's loggers through its module
        self.lambda_handler = lambda_handler


class BatchFunction[S]:
    """The Lambda function of an unordered subscription: `handle(service, detail)` per record, the service
    built once per container with `build` (tests pass their own)."""

    def __init__(
        self,
        name: str,
        *event_types: type[BusEvent],
        build: Callable[[Settings], S],
        handle: Callable[[S, Any, Metrics], None],
        module: str,
        model: type[SqsRecordModel] | None = None,
        dead_letters: DeadLetters = _dead_letter_queue_from_settings,
    ) -> None:
        self.logger = Logger(service=name)
        self.metrics = function_metrics(name)
        self.batch = Batch(
            *event_types, logger=self.logger, metrics=self.metrics, model=model, dead_letters=dead_letters
        )
        self.build_service = functools.cache(build)

        @self.logger.inject_lambda_context
        @self.metrics.log_metrics(capture_cold_start_metric=True)
        def lambda_handler(event: dict[str, Any], context: LambdaContext, service: S | None = None) -> Any:
            built = service if service is not None else self.build_service(Settings.from_env())
            return self.batch.process(event, context, lambda detail: handle(built, detail, self.metrics))

        lambda_handler.__module__ = module
        self.lambda_handler = lambda_handler
