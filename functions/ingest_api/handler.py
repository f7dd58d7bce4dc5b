"""Ingestion API Lambda (API Gateway HTTP API, payload v2): routes live in baton.ingestion.api.

Cold start is a product feature: importing this module imports what a bare Powertools handler does
(`baton.ingestion.entry`); the API, pydantic and the contracts come with the first request that needs them, and
boto3 with the first that needs AWS.
"""

from __future__ import annotations

import functools
import logging
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers

from baton.ingestion.entry import LazyApi, logger, metrics

if TYPE_CHECKING:
    from baton.ingestion.api import ApiDeps

# The domain and adapters log through stdlib `baton.*` loggers: registering their parent now gives
# every one of them (imported later) this function's JSON format and Lambda context.
logging.getLogger("baton")
copy_config_to_registered_loggers(source_logger=logger, include={"baton"})

_override: ApiDeps | None = None


@functools.cache
def _build_deps() -> ApiDeps:
    from baton import wiring  # boto3 is imported when the first request needs a dependency
    from baton.ingestion.api import ApiDeps
    from baton.settings import Settings

    settings = Settings.from_env()
    return ApiDeps(
        service=wiring.ingestion_service(settings),
        secrets=wiring.secrets(settings),
        # Built (and Powertools idempotency imported) on the first webhook only.
        idempotency=functools.partial(wiring.idempotency_store, settings),
        settings=settings,
        bot_state=wiring.bot_state(settings),
        # Built by the first request that lists conversations or reads KPIs.
        insights=functools.partial(wiring.insights_store, settings),
    )


def get_deps() -> ApiDeps:
    return _override if _override is not None else _build_deps()


def set_deps(deps: ApiDeps | None) -> None:
    """Tests and `baton local` pass their own dependencies; None goes back to the real ones."""
    global _override
    _override = deps
    _build_deps.cache_clear()


app = LazyApi(get_deps)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
