"""A deployed stage's dead letters: `baton dlq list | show | replay --stage STAGE`.

**Finding the queues.** Each capability stack has one output per consumer, `Consumer<Name>` (`ConsumerScore`,
`ConsumerHelpdeskEvents`), whose value is a JSON object: the consumer's queue, its dead-letter queue (records
that failed `max_receive_count` times), its target DLQ (events EventBridge could not put on the queue), with the
URL and ARN of each, its function and the function's log group (`CONSUMER_FIELDS`; infra/stacks/capability.py
writes it, tests/infra pins the two). The stacks are found by name, `<Stage>-*` in the region
(`DescribeStacks`), so what is listed is what is deployed, not what this checkout declares.

**Peeking without consuming.** A dead letter is read with `ReceiveMessage` and put back at once: received with a
short visibility timeout (`PEEK_HOLD_S`), every message received is made visible again
(`ChangeMessageVisibilityBatch` to 0) before the command returns, and even if it dies midway, SQS makes them
visible again after `PEEK_HOLD_S`. Receiving with a visibility timeout of 0 instead would hand the same
messages back again and again, so a DLQ of more than a few messages could not be enumerated. Receives use a
1-second long poll, which asks every SQS server (a short poll samples some, and can answer empty while messages
are there). Peeking raises a message's `ApproximateReceiveCount`; a DLQ has no redrive policy, so that changes
nothing. A DLQ with a redrive running (a message move task) is not peeked: a hidden message would be skipped by
the move.

**The error.** For the target DLQ, EventBridge's own (`ERROR_CODE`, `ERROR_MESSAGE` attributes). For the consumer
DLQ: a record whose body breaks its contract was sent there by the function itself on its first receive, with
the reason in its attributes (`baton.adapters.sqs`); any other record was moved there by the queue's redrive
policy after `max_receive_count` failures, and its error is the last line the consumer's function logged for that
SQS message (`sqs_message_id`, which a message keeps when SQS moves it; `baton.consumer.ConsumerProcessor` logs
the reason and the offending field), found with `FilterLogEvents` from the message's first send. No line means
none is left (the log group keeps 30 days, the DLQ 14) or the function died without logging (a timeout: see the
`ErrorsAlarm` runbook).

**Replaying.** The consumer DLQ is redriven by an SQS message move task (`StartMessageMoveTask`, from the DLQ to
the consumer's queue; `ListMessageMoveTasks` reports its progress): SQS moves every message, in the background,
at the rate given or as fast as it can. A move task only takes a DLQ whose source is an SQS queue, so the target
DLQ's events are replayed by the command itself: each is sent to the consumer's queue (as EventBridge would have
delivered it) and then deleted from the target DLQ. A dead-lettered schedule tick (`aws.events`) is left there:
the next tick does its work. The consumers are idempotent on a business id, so a record already applied is not
applied twice.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from typing import Any, Literal

from baton.adapters.sqs import REASON, SOURCE_MESSAGE_ID
from baton.operations import OperationError, stack_prefix

CONSUMER_OUTPUT_PREFIX = "Consumer"
"""The output key of a consumer's queues: `Consumer` + its name in PascalCase."""
PEEK_HOLD_S = 30
"""How long a peeked message is hidden at most (it is released at once; this bounds a command that dies)."""
PEEK_POLL_S = 1
MAX_PEEK = 1000
"""The most dead letters read from one DLQ by one command."""
LOG_PATTERN_MAX = 1024
"""CloudWatch Logs' limit on a filter pattern's length."""
MAX_LOG_PAGES = 50
"""FilterLogEvents pages read per lookup: a bound on a lookup over a busy log group."""
SCHEDULE_SOURCE = "aws.events"
MOVE_RATE_MAX = 500
"""StartMessageMoveTask's largest MaxNumberOfMessagesPerSecond."""

Which = Literal["dlq", "target"]
WHICH: tuple[Which, ...] = ("dlq", "target")


@dataclass(frozen=True)
class ConsumerQueues:
    """One deployed consumer's queues, function and log group (the stack output `Consumer<Name>`)."""

    consumer: str
    queue_url: str
    queue_arn: str
    dlq_url: str
    dlq_arn: str
    target_dlq_url: str
    target_dlq_arn: str
    function: str
    log_group: str
    stack: str = ""

    @classmethod
    def from_output(cls, stack: str, key: str, value: str) -> ConsumerQueues:
        try:
            data = json.loads(value)
        except json.JSONDecodeError:
            data = None
        missing = (
            [f.name for f in fields(cls) if f.name != "stack" and not isinstance(data.get(f.name), str)]
            if isinstance(data, dict)
            else ["(not a JSON object)"]
        )
        if missing:
            raise OperationError(
                f"stack {stack}: output {key} is not a consumer's queues ({', '.join(missing)} missing): "
                "deploy the stack with this version of Baton"
            )
        return cls(**{f.name: data[f.name] for f in fields(cls) if f.name != "stack"}, stack=stack)

    def url(self, which: Which) -> str:
        return self.dlq_url if which == "dlq" else self.target_dlq_url


CONSUMER_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(ConsumerQueues) if f.name != "stack")
"""The keys of a `Consumer<Name>` output's JSON value."""


@dataclass
class DeadLetter:
    """One message in a deployed DLQ, with its event and why it failed (when that can be found)."""

    id: str
    consumer: str
    dlq: Which
    sent_at: str | None
    receive_count: int
    body: str
    event: dict[str, Any] | None
    error: str | None = None
    log: dict[str, Any] | None = None
    attributes: dict[str, str] = field(default_factory=dict)

    @property
    def detail_type(self) -> str:
        return str((self.event or {}).get("detail-type") or "-")

    @property
    def source(self) -> str:
        return str((self.event or {}).get("source") or "-")

    @property
    def detail(self) -> dict[str, Any]:
        detail = (self.event or {}).get("detail")
        return detail if isinstance(detail, dict) else {}

    @property
    def logged_as(self) -> str:
        """The SQS message id the consumer's function logged this record under (`sqs_message_id`)."""
        return self.attributes.get(SOURCE_MESSAGE_ID) or self.id

    @property
    def conversation_id(self) -> str:
        return str(self.detail.get("conversation_id") or "-")

    @property
    def seq(self) -> str:
        seq = self.detail.get("seq")
        return "-" if seq is None else str(seq)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("body")
        if self.event is None:
            data["body"] = self.body  # not JSON: shown as it is
        return data


@dataclass(frozen=True)
class MoveTask:
    """A message move task (redrive) of a DLQ, as ListMessageMoveTasks reports it."""

    status: str
    moved: int
    to_move: int | None
    started_at: str | None
    failure: str | None = None
    handle: str | None = None
    rate: int | None = None

    @classmethod
    def from_api(cls, item: dict[str, Any]) -> MoveTask:
        started = item.get("StartedTimestamp")
        return cls(
            status=str(item.get("Status", "?")),
            moved=int(item.get("ApproximateNumberOfMessagesMoved", 0)),
            to_move=item.get("ApproximateNumberOfMessagesToMove"),
            started_at=_iso(started) if started is not None else None,
            failure=item.get("FailureReason"),
            handle=item.get("TaskHandle"),
            rate=item.get("MaxNumberOfMessagesPerSecond"),
        )

    @property
    def running(self) -> bool:
        return self.status in ("RUNNING", "CANCELLING")

    def describe(self) -> str:
        of = f"/{self.to_move}" if self.to_move is not None else ""
        failure = f": {self.failure}" if self.failure else ""
        since = f" (started {self.started_at})" if self.started_at else ""
        return f"{self.status} {self.moved}{of} moved{since}{failure}"


@dataclass(frozen=True)
class QueueState:
    consumer: ConsumerQueues
    which: Which
    messages: int
    in_flight: int
    redrive: MoveTask | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "consumer": self.consumer.consumer,
            "dlq": self.which,
            "url": self.consumer.url(self.which),
            "messages": self.messages,
            "in_flight": self.in_flight,
            "redrive": asdict(self.redrive) if self.redrive else None,
        }


@dataclass(frozen=True)
class Replayed:
    """What `replay` did for one consumer."""

    consumer: str
    task_handle: str | None = None
    dlq_messages: int = 0
    target_sent: int = 0
    target_left: int = 0
    target_failed: tuple[str, ...] = ()


class DeployedDlq:
    """The dead letters of a stage's consumers, through the operator's AWS clients (CloudFormation, SQS, Logs)."""

    def __init__(
        self,
        stage: str,
        *,
        cloudformation: Any,
        sqs: Any,
        logs: Any,
        poll_s: int | None = None,
    ) -> None:
        """`poll_s`: each receive's long poll (default `PEEK_POLL_S`; 0, a short poll, only for an emulator that
        answers every receive)."""
        self.stage = stage
        self.poll_s = PEEK_POLL_S if poll_s is None else poll_s
        self.prefix = stack_prefix(stage) + "-"
        self._cfn = cloudformation
        self._sqs = sqs
        self._logs = logs
        self._consumers: list[ConsumerQueues] | None = None

    # -- finding the queues ----------------------------------------------------------------------

    def consumers(self, names: Sequence[str] = ()) -> list[ConsumerQueues]:
        """The stage's consumers (those named, each of which must exist), in stack then output order."""
        if self._consumers is None:
            found: list[ConsumerQueues] = []
            stacks = 0
            for stack in _pages(self._cfn.describe_stacks, "Stacks"):
                name = stack.get("StackName", "")
                if not name.startswith(self.prefix):
                    continue
                stacks += 1
                for output in stack.get("Outputs") or []:
                    key = output.get("OutputKey", "")
                    if (
                        key.startswith(CONSUMER_OUTPUT_PREFIX)
                        and key[len(CONSUMER_OUTPUT_PREFIX) :][:1].isupper()
                    ):
                        found.append(ConsumerQueues.from_output(name, key, output.get("OutputValue", "")))
            if not stacks:
                raise OperationError(
                    f"no stack named {self.prefix}* in this region: check --stage {self.stage!r} and the region "
                    "(--region, AWS_REGION)"
                )
            if not found:
                raise OperationError(
                    f"the {self.prefix}* stacks have no Consumer* outputs: deploy them with this version of Baton "
                    "(`npx cdk deploy --all`)"
                )
            self._consumers = found
        if not names:
            return list(self._consumers)
        known = {c.consumer: c for c in self._consumers}
        unknown = [n for n in names if n not in known]
        if unknown:
            raise OperationError(
                f"no consumer {', '.join(map(repr, unknown))} on stage {self.stage!r} "
                f"(deployed: {', '.join(sorted(known))})"
            )
        return [known[n] for n in dict.fromkeys(names)]

    # -- state -------------------------------------------------------------------------------------

    def state(self, consumer: ConsumerQueues, which: Which) -> QueueState:
        attributes = self._sqs.get_queue_attributes(
            QueueUrl=consumer.url(which),
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return QueueState(
            consumer=consumer,
            which=which,
            messages=int(attributes.get("ApproximateNumberOfMessages", 0)),
            in_flight=int(attributes.get("ApproximateNumberOfMessagesNotVisible", 0)),
            redrive=self.last_move(consumer) if which == "dlq" else None,
        )

    def last_move(self, consumer: ConsumerQueues) -> MoveTask | None:
        """The DLQ's most recent redrive (SQS keeps the tasks of the last 14 days)."""
        results = (
            self._sqs.list_message_move_tasks(SourceArn=consumer.dlq_arn, MaxResults=1).get("Results") or []
        )
        return MoveTask.from_api(results[0]) if results else None

    # -- peeking -----------------------------------------------------------------------------------

    def peek(
        self, consumer: ConsumerQueues, which: Which, *, limit: int, errors: bool = True
    ) -> list[DeadLetter]:
        """Up to `limit` dead letters of one DLQ, left in it (see the module docstring), oldest sent first, each
        with its error when `errors`."""
        if which == "dlq":
            task = self.last_move(consumer)
            if task is not None and task.running:
                raise OperationError(
                    f"{consumer.consumer}: a redrive of its DLQ is running ({task.describe()}); its messages are not "
                    "read meanwhile (a hidden message would be skipped by the move)"
                )
        url = consumer.url(which)
        received: dict[str, dict[str, Any]] = {}
        handles: list[str] = []
        try:
            while len(received) < min(limit, MAX_PEEK):
                messages = self._sqs.receive_message(
                    QueueUrl=url,
                    MaxNumberOfMessages=min(10, limit - len(received)),
                    VisibilityTimeout=PEEK_HOLD_S,
                    WaitTimeSeconds=self.poll_s,
                    MessageSystemAttributeNames=["All"],
                    MessageAttributeNames=["All"],
                ).get("Messages", [])
                handles += [m["ReceiptHandle"] for m in messages]
                new = [m for m in messages if m["MessageId"] not in received]
                if not new:
                    break
                received.update((m["MessageId"], m) for m in new)
        finally:
            self._release(url, handles)
        letters = [_letter(consumer, which, m) for m in received.values()]
        letters.sort(key=lambda letter: (letter.sent_at or "", letter.id))
        if errors and which == "dlq":
            self._explain(consumer, letters)
        return letters

    def _release(self, url: str, handles: Sequence[str]) -> None:
        """Make received messages visible again now (a failure here only delays them by PEEK_HOLD_S)."""
        for start in range(0, len(handles), 10):
            chunk = handles[start : start + 10]
            self._sqs.change_message_visibility_batch(
                QueueUrl=url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": handle, "VisibilityTimeout": 0}
                    for i, handle in enumerate(chunk)
                ],
            )

    def _explain(self, consumer: ConsumerQueues, letters: Sequence[DeadLetter]) -> None:
        """Each consumer-DLQ letter's error: the last line its function logged for that SQS message."""
        letters = [letter for letter in letters if letter.error is None]  # the function gave its reason
        if not letters:
            return
        try:
            lines = self._log_lines(consumer.log_group, letters)
        except Exception as exc:  # a log lookup that fails must not hide the dead letters
            reason = _aws_error(exc)
            for letter in letters:
                letter.error = f"(the log lookup failed: {reason})"
            return
        for letter in letters:
            line = lines.get(letter.logged_as)
            letter.log = line
            letter.error = (
                _reason(line)
                if line
                else (
                    "(no log line for this message: older than the log group's 30 days, or the function died without "
                    "logging, e.g. a timeout)"
                )
            )

    def _log_lines(self, log_group: str, letters: Sequence[DeadLetter]) -> dict[str, dict[str, Any]]:
        """sqs_message_id -> the last (ERROR first) JSON line the function logged for it."""
        found: dict[str, tuple[tuple[int, int], dict[str, Any]]] = {}
        ids = list(dict.fromkeys(letter.logged_as for letter in letters))
        starts = [letter.sent_at for letter in letters if letter.sent_at]
        start_ms = int(datetime.fromisoformat(min(starts)).timestamp() * 1000) - 60_000 if starts else None
        for chunk in _pattern_chunks(ids):
            pattern = "{ " + " || ".join(f'($.sqs_message_id = "{i}")' for i in chunk) + " }"
            wanted = set(chunk)
            request: dict[str, Any] = {"logGroupName": log_group, "filterPattern": pattern}
            if start_ms is not None:
                request["startTime"] = start_ms
            for page, response in enumerate(_token_pages(self._logs.filter_log_events, request)):
                for event in response.get("events", []):
                    line = _json_line(event.get("message", ""))
                    message_id = line.get("sqs_message_id") if line else None
                    if line is None or message_id not in wanted:
                        continue  # the pattern narrows; this decides
                    rank = (
                        1 if str(line.get("level", "")).upper() == "ERROR" else 0,
                        int(event.get("timestamp", 0)),
                    )
                    if message_id not in found or rank >= found[message_id][0]:
                        found[message_id] = (rank, line)
                if page + 1 >= MAX_LOG_PAGES:
                    break
        return {message_id: line for message_id, (_, line) in found.items()}

    def find(self, consumers: Sequence[ConsumerQueues], message_id: str) -> DeadLetter:
        """The dead letter whose id is `message_id` (or starts with it), in any DLQ of `consumers`."""
        matches: list[DeadLetter] = []
        moving: list[str] = []
        for consumer in consumers:
            for which in WHICH:
                try:
                    letters = self.peek(consumer, which, limit=MAX_PEEK, errors=False)
                except OperationError:  # its DLQ is being redriven: not read meanwhile
                    moving.append(consumer.consumer)
                    continue
                matches += [letter for letter in letters if letter.id.startswith(message_id)]
        exact = [letter for letter in matches if letter.id == message_id]
        if exact:
            matches = exact
        if not matches:
            unread = f"; not read, a redrive running: {', '.join(moving)}" if moving else ""
            raise OperationError(
                f"no dead letter {message_id!r} in the DLQs of {', '.join(c.consumer for c in consumers)} "
                f"(`baton dlq list --stage ...` lists them){unread}"
            )
        if len(matches) > 1:
            raise OperationError(
                f"{message_id!r} names {len(matches)} dead letters ({', '.join(m.id for m in matches[:5])}): give more "
                "of the id"
            )
        letter = matches[0]
        if letter.dlq == "dlq":
            owner = next(c for c in consumers if c.consumer == letter.consumer)
            self._explain(owner, [letter])
        return letter

    # -- replaying ---------------------------------------------------------------------------------

    def replay(self, consumer: ConsumerQueues, *, rate: int | None = None) -> Replayed:
        """Start the DLQ's redrive to the consumer's queue (if it holds messages), and put the target DLQ's events
        on the queue. Refused while a redrive of that DLQ runs (SQS runs one at a time)."""
        dlq = self.state(consumer, "dlq")
        if dlq.redrive is not None and dlq.redrive.running:
            raise OperationError(
                f"{consumer.consumer}: a redrive of its DLQ is already running ({dlq.redrive.describe()})"
            )
        handle: str | None = None
        if dlq.messages or dlq.in_flight:
            request: dict[str, Any] = {"SourceArn": consumer.dlq_arn, "DestinationArn": consumer.queue_arn}
            if rate is not None:
                request["MaxNumberOfMessagesPerSecond"] = rate
            handle = self._sqs.start_message_move_task(**request)["TaskHandle"]
        sent, left, failed = self._replay_target(consumer)
        return Replayed(
            consumer=consumer.consumer,
            task_handle=handle,
            dlq_messages=dlq.messages + dlq.in_flight,
            target_sent=sent,
            target_left=left,
            target_failed=tuple(failed),
        )

    def _replay_target(self, consumer: ConsumerQueues) -> tuple[int, int, list[str]]:
        """(sent, left, failures) for the target DLQ: each event sent to the consumer's queue, then deleted from
        the target DLQ. What is not sent (a schedule tick, a body that is not an event, a failed send) is left."""
        url = consumer.target_dlq_url
        sent = 0
        kept: dict[str, str] = {}  # message id -> receipt handle, released at the end
        failures: list[str] = []
        seen: set[str] = set()
        try:
            while True:
                messages = self._sqs.receive_message(
                    QueueUrl=url,
                    MaxNumberOfMessages=10,
                    VisibilityTimeout=PEEK_HOLD_S * 2,
                    WaitTimeSeconds=self.poll_s,
                ).get("Messages", [])
                new = [m for m in messages if m["MessageId"] not in seen]
                if not new:
                    break
                seen.update(m["MessageId"] for m in new)
                replayable = []
                for message in new:
                    event = _json_line(message.get("Body", ""))
                    if event is None or event.get("source") == SCHEDULE_SOURCE:
                        kept[message["MessageId"]] = message["ReceiptHandle"]
                    else:
                        replayable.append(message)
                if not replayable:
                    continue
                result = self._sqs.send_message_batch(
                    QueueUrl=consumer.queue_url,
                    Entries=[{"Id": str(i), "MessageBody": m["Body"]} for i, m in enumerate(replayable)],
                )
                for entry in result.get("Failed", []):
                    message = replayable[int(entry["Id"])]
                    failures.append(f"{message['MessageId']}: {entry.get('Code')}: {entry.get('Message')}")
                    kept[message["MessageId"]] = message["ReceiptHandle"]
                delivered = [replayable[int(entry["Id"])] for entry in result.get("Successful", [])]
                if delivered:
                    self._sqs.delete_message_batch(
                        QueueUrl=url,
                        Entries=[
                            {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                            for i, m in enumerate(delivered)
                        ],
                    )
                sent += len(delivered)
        finally:
            self._release(url, list(kept.values()))
        return sent, len(kept), failures

    def wait(
        self,
        consumer: ConsumerQueues,
        *,
        poll_s: float = 5.0,
        sleep: Callable[[float], None] | None = None,
        progress: Callable[[MoveTask], None] = lambda task: None,
        timeout_s: float = 3600.0,
    ) -> MoveTask | None:
        """Poll the DLQ's latest redrive until it is no longer running (or `timeout_s` passes); its last state."""
        waited = 0.0
        while True:
            task = self.last_move(consumer)
            if task is None or not task.running or waited >= timeout_s:
                return task
            progress(task)
            (sleep or time.sleep)(poll_s)
            waited += poll_s


# -- helpers ----------------------------------------------------------------------------------------


def _letter(consumer: ConsumerQueues, which: Which, message: dict[str, Any]) -> DeadLetter:
    attributes = dict(message.get("Attributes") or {})
    sent = attributes.get("SentTimestamp")
    body = message.get("Body", "")
    letter = DeadLetter(
        id=message["MessageId"],
        consumer=consumer.consumer,
        dlq=which,
        sent_at=_iso(int(sent)) if sent else None,
        receive_count=int(attributes.get("ApproximateReceiveCount", 0)),
        body=body,
        event=_json_line(body),
        attributes={k: v for k, v in attributes.items() if k == "DeadLetterQueueSourceArn"},
    )
    values = {
        name: str(value.get("StringValue", ""))
        for name, value in (message.get("MessageAttributes") or {}).items()
    }
    letter.attributes.update(values)
    if which == "target":
        code, text = values.get("ERROR_CODE"), values.get("ERROR_MESSAGE")
        letter.error = (
            ": ".join(part for part in (code, text) if part) or "(EventBridge gave no error attributes)"
        )
    elif values.get(REASON):
        letter.error = values[REASON]  # sent by the function itself: the body breaks its contract
    return letter


def _reason(line: dict[str, Any]) -> str:
    parts = [str(line.get("reason") or line.get("message") or "")]
    if line.get("field"):
        parts.insert(0, f"{line['field']}:")
    return " ".join(p for p in parts if p) or json.dumps(line)[:200]


def _json_line(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except (json.JSONDecodeError, TypeError):
        return None
    return value if isinstance(value, dict) else None


def _iso(epoch_ms: int) -> str:
    return datetime.fromtimestamp(epoch_ms / 1000, UTC).isoformat(timespec="seconds")


def _pattern_chunks(ids: Sequence[str]) -> Iterator[list[str]]:
    """Message ids in groups whose OR-ed filter pattern fits CloudWatch Logs' 1,024 characters."""
    chunk: list[str] = []
    size = 4
    for message_id in ids:
        clause = len(f'($.sqs_message_id = "{message_id}")') + 4
        if chunk and size + clause > LOG_PATTERN_MAX:
            yield chunk
            chunk, size = [], 4
        chunk.append(message_id)
        size += clause
    if chunk:
        yield chunk


def _pages(call: Callable[..., dict[str, Any]], key: str, **request: Any) -> Iterable[dict[str, Any]]:
    token: str | None = None
    while True:
        response = call(**request, **({"NextToken": token} if token else {}))
        yield from response.get(key) or []
        token = response.get("NextToken")
        if not token:
            return


def _token_pages(call: Callable[..., dict[str, Any]], request: dict[str, Any]) -> Iterator[dict[str, Any]]:
    token: str | None = None
    while True:
        response = call(**request, **({"nextToken": token} if token else {}))
        yield response
        token = response.get("nextToken")
        if not token:
            return


def _aws_error(exc: Exception) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        error = response.get("Error", {})
        return f"{error.get('Code')}: {error.get('Message')}"
    return f"{type(exc).__name__}: {exc}"
