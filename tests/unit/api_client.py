"""An HTTP client for the ingestion Lambda: builds API Gateway HTTP API v2 events from the samples in
events/api/ and runs them through `functions.ingest_api.handler.lambda_handler`."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

API_EVENTS = Path(__file__).resolve().parents[2] / "events" / "api"
_UNSET: Any = object()


def api_event(name: str) -> dict[str, Any]:
    """A fresh copy of a sample API Gateway HTTP API (v2) event from events/api/."""
    return json.loads((API_EVENTS / name).read_text())


class LambdaContext:
    function_name = "ingest-api"
    function_version = "$LATEST"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:ingest-api"
    aws_request_id = "c0ffee00-0000-4000-8000-000000000001"


@dataclass
class ApiResponse:
    status: int
    headers: dict[str, str]
    text: str

    @property
    def json(self) -> Any:
        return json.loads(self.text)

    @property
    def field(self) -> str:
        """`errors[0].field` of an error answer."""
        return self.json["errors"][0]["field"]


class ApiClient:
    """Builds HTTP API v2 events from the committed samples and runs them through `lambda_handler`."""

    def __init__(self, handler: Any) -> None:
        self.handler = handler

    def request(
        self,
        method: str,
        path: str,
        *,
        body: Any = _UNSET,
        raw: str | bytes | None = None,
        headers: dict[str, str] | None = None,
        base64_body: bool = False,
        event: dict[str, Any] | None = None,
    ) -> ApiResponse:
        ev = event if event is not None else api_event("post_message.json")
        ev["rawPath"] = path
        ev["routeKey"] = ev["requestContext"]["routeKey"] = "$default"
        ev["requestContext"]["http"]["method"] = method
        ev["requestContext"]["http"]["path"] = path
        ev.pop("pathParameters", None)
        ev.pop("body", None)
        if body is not _UNSET:
            raw = json.dumps(body)
        if raw is not None:
            data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
            if base64_body or isinstance(raw, bytes):
                ev["body"], ev["isBase64Encoded"] = base64.b64encode(data).decode(), True
            else:
                ev["body"], ev["isBase64Encoded"] = raw, False
            ev["headers"]["content-length"] = str(len(data))
        else:
            ev["headers"].pop("content-type", None)
            ev["headers"]["content-length"] = "0"
            ev["isBase64Encoded"] = False
        for name, value in (headers or {}).items():
            if value is None:
                ev["headers"].pop(name.lower(), None)
            else:
                ev["headers"][name.lower()] = value
        return self.send(ev)

    def send(self, event: dict[str, Any]) -> ApiResponse:
        result = self.handler.lambda_handler(event, LambdaContext())
        body = result.get("body") or ""
        if result.get("isBase64Encoded"):
            body = base64.b64decode(body).decode()
        return ApiResponse(status=result["statusCode"], headers=result.get("headers") or {}, text=body)

    def post_message(self, conversation_id: str, body: Any = _UNSET, **kwargs: Any) -> ApiResponse:
        return self.request("POST", f"/v1/conversations/{conversation_id}/messages", body=body, **kwargs)

    def get_conversation(self, conversation_id: str) -> ApiResponse:
        return self.request("GET", f"/v1/conversations/{conversation_id}")
