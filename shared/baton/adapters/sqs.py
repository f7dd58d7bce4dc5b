"""SQS adapter: `baton.ports.DeadLetterQueue` over SendMessage to a consumer's own DLQ.

A record whose body breaks its contract can never succeed: `baton.consumer` sends it to the DLQ on its first
receive (the body as it was, and why in message attributes) and reports it handled, instead of failing it until the
queue's redrive policy moves it there after `max_receive_count` receives. The function may send to that one queue
only (`sqs:SendMessage`, granted from `baton.access.Access.dead_letters`; the queue URL in
`BATON_DEAD_LETTER_QUEUE_URL`).

The attributes (`ATTRIBUTES`) say why and where from: a redrive to the source queue names that queue itself
(an SQS message move task with a `DestinationArn`), since SQS records a source only for the messages its redrive
policy moved.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from baton.errors import BatonError

REASON = "reason"
"""`<field>: <what is wrong>`: the offending field first."""
SOURCE_QUEUE = "source_queue_arn"
SOURCE_MESSAGE_ID = "source_message_id"
RECEIVE_COUNT = "receive_count"
ATTRIBUTES = (REASON, SOURCE_QUEUE, SOURCE_MESSAGE_ID, RECEIVE_COUNT)
"""The message attributes of a dead letter Baton sent itself."""
MAX_REASON_CHARS = 1024


class DeadLetterNotSent(BatonError):
    """SendMessage to the DLQ failed: the record is failed instead, and retried."""


class SqsDeadLetterQueue:
    """Sends records to one SQS queue (the consumer's DLQ) by URL."""

    def __init__(self, queue_url: str, *, client: Any) -> None:
        self.queue_url = queue_url
        self.client = client

    def send(self, record: Mapping[str, Any], reason: str) -> None:
        attributes = {
            REASON: ("String", reason[:MAX_REASON_CHARS] or "unknown"),
            SOURCE_QUEUE: ("String", str(record.get("eventSourceARN") or "unknown")),
            SOURCE_MESSAGE_ID: ("String", str(record.get("messageId") or "unknown")),
            RECEIVE_COUNT: (
                "Number",
                str((record.get("attributes") or {}).get("ApproximateReceiveCount") or 1),
            ),
        }
        try:
            self.client.send_message(
                QueueUrl=self.queue_url,
                MessageBody=record["body"],
                MessageAttributes={
                    name: {"DataType": kind, "StringValue": value}
                    for name, (kind, value) in attributes.items()
                },
            )
        except Exception as exc:  # botocore's ClientError and connection errors alike: the record is retried
            raise DeadLetterNotSent(
                f"SendMessage to {self.queue_url} failed: {type(exc).__name__}: {exc}"
            ) from exc
