"""Typed configuration. Only handlers' factories and the CLI read the environment; the domain is
given what it needs."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from baton.errors import ModelsNotFound

ENV_PREFIX = "BATON_"
MODELS_DIR_ENV = ENV_PREFIX + "MODELS_DIR"
LAMBDA_MODELS_DIR = Path("/opt/models")
"""Where the Lambda model layer's `models/` is mounted (layers/build.py ships layers/models/ there)."""


class Settings(BaseModel):
    """Every setting has an env var `BATON_<NAME>` (documented in README "Configuration")."""

    model_config = ConfigDict(frozen=True)

    stage: str = "local"
    conversations_table: str = "baton-conversations"
    idempotency_table: str = "baton-idempotency"
    context_table: str = "baton-context"
    routing_table: str = "baton-routing"
    event_bus_name: str = "baton"
    # Set by `baton local` only: DynamoDB Local's endpoint and the local bus's SQLite file.
    dynamodb_endpoint: str | None = None
    local_bus_path: str | None = None
    # Webhook secrets: deployed, the Secrets Manager secret names; locally the values themselves.
    zendesk_secret_name: str | None = None
    intercom_secret_name: str | None = None
    zendesk_webhook_secret: str | None = Field(default=None, repr=False)
    intercom_webhook_secret: str | None = Field(default=None, repr=False)
    secrets_max_age_s: int = 300
    webhook_max_skew_s: int = 300
    conversation_ttl_days: int = 400
    idempotency_ttl_s: int = 24 * 3600
    # The model directory (`<dir>/intent`, `<dir>/sentiment`, `<dir>/encoder`, `<dir>/decision/params.json`).
    # Unset, the model layer (/opt/models); see `models_dir` below. A checkout's tools export the checkout's
    # layers/models (`./dev`, `baton`, the tests).
    models_dir: str | None = None
    # Decision: the SSM parameter holding the decision parameters document (JSON), read through Powertools
    # parameters and cached for `decision_params_max_age_s`; unset (baton local, backtest), the shipped
    # document (`<models dir>/decision/params.json`).
    decision_params_name: str | None = None
    decision_params_max_age_s: int = 60
    # The shadow challenger (docs/decision.md, "Shadow challenger and promotion"): the SSM parameter holding a
    # second parameters document, read the same way; every decided message is decided with it too, recorded as
    # the decision's `shadow`, never acted on. Unset: no shadow.
    decision_challenger_params_name: str | None = None
    # Helpdesk write-back (`baton.routing.writeback`): the helpdesks' API credentials, JSON (Zendesk
    # {"subdomain", "email", "api_token"}, Intercom {"access_token", "admin_id"}). Deployed, the Secrets Manager
    # secret names; locally the JSON values themselves (`baton local` puts placeholders its recording fake
    # helpdesk never sends anywhere).
    zendesk_api_secret_name: str | None = None
    intercom_api_secret_name: str | None = None
    zendesk_api_credentials: str | None = Field(default=None, repr=False)
    intercom_api_credentials: str | None = Field(default=None, repr=False)
    zendesk_subdomain: str | None = None
    """Used when the Zendesk secret has no `subdomain`."""
    intercom_api_url: str = "https://api.intercom.io"
    """`https://api.eu.intercom.io` or `https://api.au.intercom.io` for a workspace hosted there."""
    intercom_api_version: str = "2.11"
    # Set by `baton local` only: the JSONL file its recording fake helpdesk appends each request to, instead of
    # calling Zendesk or Intercom.
    helpdesk_calls_path: str | None = None
    # A bus consumer's own DLQ (set by its stack): where `baton.consumer` sends a record whose body breaks its
    # contract, on its first receive (`baton.adapters.sqs`). Unset, such a record is retried until the redrive
    # moves it; under `baton local` (`local_bus_path`), the local bus's dead letters take it.
    dead_letter_queue_url: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        values = {
            name: env[ENV_PREFIX + name.upper()]
            for name in cls.model_fields
            if ENV_PREFIX + name.upper() in env and env[ENV_PREFIX + name.upper()] != ""
        }
        return cls.model_validate(values)

    def env(self) -> dict[str, str]:
        """The env vars that reproduce these settings (for CDK and the local runtime)."""
        return {
            ENV_PREFIX + name.upper(): str(value)
            for name, value in self.model_dump().items()
            if value is not None
        }


def models_dir(configured: str | Path | None = None, environ: Mapping[str, str] | None = None) -> Path:
    """The model directory the runtime reads: `configured` (a `Settings.models_dir`), else `BATON_MODELS_DIR`,
    else the Lambda model layer (/opt/models); else ModelsNotFound naming BATON_MODELS_DIR.

    Never the checkout's layout: what runs in Lambda finds nothing the layers do not ship. Tools that run
    from a checkout export its `layers/models` as BATON_MODELS_DIR (`baton.checkout.export_models_dir`).
    """
    if configured:
        return Path(configured)
    env = os.environ if environ is None else environ
    if env.get(MODELS_DIR_ENV):
        return Path(env[MODELS_DIR_ENV])
    if LAMBDA_MODELS_DIR.is_dir():
        return LAMBDA_MODELS_DIR
    raise ModelsNotFound(
        f"no model directory: {MODELS_DIR_ENV} is not set and there is no model layer at {LAMBDA_MODELS_DIR}. "
        f"Set {MODELS_DIR_ENV} to a directory holding intent/, sentiment/, encoder/ and decision/ "
        "(a checkout's layers/models: `./dev` and `baton` export it when run from the checkout)"
    )
