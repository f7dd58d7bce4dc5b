"""A moto EventBridge bus whose rule forwards events to an SQS queue, as the CDK stacks wire them."""

from __future__ import annotations

import json
from typing import Any


def bus_with_queue(events: Any, sqs: Any, *, bus: str, queue: str, pattern: dict[str, Any]) -> str:
    """Create `bus`, a queue and a rule with `pattern` targeting it (inside mock_aws); returns the queue URL."""
    events.create_event_bus(Name=bus)
    queue_url = sqs.create_queue(QueueName=queue)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    events.put_rule(Name=f"{bus}-to-{queue}", EventBusName=bus, EventPattern=json.dumps(pattern))
    events.put_targets(
        Rule=f"{bus}-to-{queue}", EventBusName=bus, Targets=[{"Id": "queue", "Arn": queue_arn}]
    )
    return queue_url
