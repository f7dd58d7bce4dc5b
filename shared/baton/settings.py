"""Typed configuration. Only handlers' factories and the CLI read the environment; the domain is
given what it needs."""

from __future__ import annotations

import os
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field

ENV_PREFIX = "BATON_"


class Settings(BaseModel):
    """Every setting has an env var `BATON_<NAME>` (documented in README "Configuration")."""

    model_config = ConfigDict(frozen=True)

    stage: str = "local"
    conversations_table: str = "baton-conversations"
    idempotency_table: str = "baton-idempotency"
    context_table: str = "baton-context"
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
    # Scoring: the model directory (`<dir>/intent`, `<dir>/sentiment`, `<dir>/encoder`). Unset, the scoring
    # function uses the model layer (/opt/models), else the repository's layers/models (baton.scoring.loader).
    models_dir: str | None = None
    # Decision: the SSM parameter holding the decision parameters document (JSON), read through Powertools
    # parameters and cached for `decision_params_max_age_s`; unset (baton local, backtest), the shipped
    # document (layers/models/decision/params.json).
    decision_params_name: str | None = None
    decision_params_max_age_s: int = 60

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
