"""`baton.ports.SecretSource` implementations.

Callers ask by logical name: the helpdesk source (`zendesk`, `intercom`). Deployed, each name maps
to a Secrets Manager secret read through Powertools parameters (cached for `max_age_s`, so a
rotated secret is picked up without a redeploy); locally the values come from settings.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

SecretFetcher = Callable[[str, int], str]
"""(secret name, max age in seconds) -> current value."""


class StaticSecretSource:
    """Values known up front (local runs: `BATON_ZENDESK_WEBHOOK_SECRET`, ...)."""

    def __init__(self, values: Mapping[str, str | None]) -> None:
        self._values = {name: value for name, value in values.items() if value}

    def get(self, name: str) -> str | None:
        return self._values.get(name)


def _powertools_get_secret(secret_name: str, max_age_s: int) -> str:
    # Imported on first use: it pulls in boto3, which a cold start should not pay for up front.
    from aws_lambda_powertools.utilities import parameters

    value = parameters.get_secret(secret_name, max_age=max_age_s)
    if isinstance(value, bytes):  # a binary secret
        return value.decode("utf-8")
    return str(value)


class SecretsManagerSource:
    """Secrets Manager secrets by logical name; the secret's value is the signing secret itself."""

    def __init__(
        self,
        secret_names: Mapping[str, str | None],
        max_age_s: int = 300,
        fetch: SecretFetcher = _powertools_get_secret,
    ) -> None:
        self._names = {name: secret for name, secret in secret_names.items() if secret}
        self.max_age_s = max_age_s
        self._fetch = fetch

    def get(self, name: str) -> str | None:
        secret_name = self._names.get(name)
        if secret_name is None:
            return None
        return self._fetch(secret_name, self.max_age_s) or None


class LayeredSecretSource:
    """The first source that knows a name wins (Secrets Manager for some, local values for others)."""

    def __init__(self, *sources: StaticSecretSource | SecretsManagerSource) -> None:
        self._sources = sources

    def get(self, name: str) -> str | None:
        for source in self._sources:
            value = source.get(name)
            if value is not None:
                return value
        return None
