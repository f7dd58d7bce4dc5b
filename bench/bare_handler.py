"""The baseline for the cold-start benchmarks: a bare Powertools HTTP API handler that parses a JSON
body and answers 202 (and answers a health check), with the same Logger and Metrics decorators as the ingest
function."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.logging import correlation_paths

logger = Logger(service="bare")
metrics = Metrics(namespace="BatonBench", service="bare")
app = APIGatewayHttpResolver()


@app.post("/v1/conversations/<conversation_id>/messages")
def post_message(conversation_id: str) -> tuple[dict[str, Any], int]:
    body = app.current_event.json_body
    return {"conversation_id": conversation_id, "message_id": body["message_id"]}, 202


@app.get("/v1/health")
def health() -> dict[str, str]:
    return {"status": "ok", "version": "0"}


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
