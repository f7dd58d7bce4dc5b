"""Building SQS events of bus consumers for handler tests: the EventBridge envelope, the SQS batch, the
Lambda context, and reading the batch item failures back."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass
class FakeContext:
    function_name: str = "baton-consumer"
    memory_limit_in_mb: int = 1024
    invoked_function_arn: str = "arn:aws:lambda:eu-west-1:123456789012:function:baton-consumer"
    aws_request_id: str = "0b0c0d0e-1111-2222-3333-444455556666"


def envelope(detail: Any, detail_type: str = "MessageReceived", source: str = "baton.ingestion") -> str:
    return json.dumps(
        {
            "version": "0",
            "id": "e-1",
            "detail-type": detail_type,
            "source": source,
            "account": "123456789012",
            "time": "2025-03-14T09:26:54Z",
            "region": "eu-west-1",
            "resources": [],
            "detail": detail,
        }
    )


def sqs_event(sample: dict[str, Any], *bodies: str, receives: int = 1) -> dict[str, Any]:
    template = sample["Records"][0]
    return {
        "Records": [
            {
                **template,
                "messageId": f"msg-{i}",
                "body": body,
                "attributes": {**template["attributes"], "ApproximateReceiveCount": str(receives)},
            }
            for i, body in enumerate(bodies)
        ]
    }


def failed(response: dict[str, Any]) -> list[str]:
    return [item["itemIdentifier"] for item in response["batchItemFailures"]]
