"""The deployed backtest's chunk function: one item of the backtest state machine's Distributed Map (an object
of `backtest/in/<run>/` in the events lake bucket) -> its output object under `backtest/out/<run>/scored/`, by
the code `baton backtest` runs (`baton.scoring.backtest_chunk`). Models load once per container. The result (the
map's summary lists it): where the lines went, and the counts, bad lines included."""

from __future__ import annotations

import functools
import logging
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers
from aws_lambda_powertools.utilities.typing import LambdaContext

from baton.scoring.backtest_chunk import ChunkRequest, ChunkScorer
from baton.settings import Settings

logger = Logger(service="backtest")
# The chunk's warnings (a misspelt key, a message without text) come from the stdlib `baton.*` loggers: in this
# function's JSON format, with its Lambda context.
logging.getLogger("baton")
copy_config_to_registered_loggers(source_logger=logger, include={"baton"})


@functools.cache
def build(settings: Settings) -> ChunkScorer:
    from baton import wiring

    return wiring.backtest_chunks(settings)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext, scorer: ChunkScorer | None = None) -> Any:
    request = ChunkRequest.model_validate(event)
    scorer = scorer or build(Settings.from_env())
    result = scorer.run(request, remaining_s=lambda: context.get_remaining_time_in_millis() / 1000)
    logger.info("chunk scored", extra=result.model_dump())
    return result.model_dump(mode="json")
