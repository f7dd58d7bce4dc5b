"""What the ingest function imports when a container starts (Lambda INIT): no more than a bare Powertools handler.

The API itself (`baton.ingestion.api`: Powertools request validation and its OpenAPI layer, pydantic, the
contracts, the routes) is imported and built by the first request that needs it. `GET /v1/health`, which load
balancers and uptime checks send to cold containers, is answered here without it, exactly as the API answers it
(a unit test compares the two). Webhook connectors, secrets, boto3 and the idempotency utility come later still:
with the first request that uses them (`baton.ingestion.api`, `baton.wiring`).

    api = LazyApi(get_deps)
    api.resolve(event, context)     # a Lambda proxy response, as `APIGatewayHttpResolver.resolve`
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

from baton import __version__

if TYPE_CHECKING:
    from baton.ingestion.api import ApiDeps

SERVICE = "ingest-api"
METRICS_NAMESPACE = "Baton"
HEALTH_PATH = "/v1/health"

logger = Logger(service=SERVICE)
metrics = Metrics(namespace=METRICS_NAMESPACE, service=SERVICE)


def health_body() -> dict[str, str]:
    """The body of `GET /v1/health` (`baton.ingestion.api.Health`)."""
    return {"status": "ok", "version": __version__}


def is_health_check(event: Mapping[str, Any]) -> bool:
    """`GET /v1/health` in an HTTP API (payload v2) event, read as the resolver reads it. Anything odd is not one:
    the API answers it."""
    try:
        proxy = APIGatewayProxyEventV2(dict(event))
        return proxy.http_method.upper() == "GET" and proxy.path == HEALTH_PATH
    except Exception:  # a malformed event is the API's to answer (and to log)
        return False


class LazyApi:
    """The ingest API as a Lambda container serves it: health checks by a bare resolver, every other request by
    the API (`baton.ingestion.api.create_app(get_deps)`), created once, by the first request that needs it."""

    def __init__(self, get_deps: Callable[[], ApiDeps]) -> None:
        self._get_deps = get_deps
        self._api: APIGatewayHttpResolver | None = None
        self._lock = threading.Lock()  # `baton local` serves requests from threads
        self.health = APIGatewayHttpResolver()
        self.health.get(HEALTH_PATH)(health_body)

    @property
    def api(self) -> APIGatewayHttpResolver:
        """The API, created on first use."""
        if self._api is None:
            with self._lock:
                if self._api is None:
                    from baton.ingestion.api import create_app

                    self._api = create_app(self._get_deps)
        return self._api

    def resolve(self, event: Mapping[str, Any], context: Any) -> dict[str, Any]:
        if self._api is None and is_health_check(event):
            return self.health.resolve(event, context)
        return self.api.resolve(event, context)
