"""The deployment's configuration, read once from CDK context (`-c key=value` or cdk.json).

| context key             | default   | meaning                                                                      |
|-------------------------|-----------|------------------------------------------------------------------------------|
| `stage`                 | `dev`     | stack prefix (`Dev-Core`, `Dev-Ingestion`, ...) and BATON_STAGE; `prod` retains data |
| `partnerEventSourceName`| (none)    | `aws.partner/zendesk.com/<id>/default`: forward its `Support Ticket: *` events to Baton's bus |
| `alarmEmail`            | (none)    | subscribe this address to the alarm topic                                    |
| `jwtIssuer` + `jwtAudience` | (none) | use this OIDC issuer (audience: comma-separated) instead of the Cognito pool Baton creates |
| `authDomainPrefix`      | `baton-<stage>-<account id>` | the Cognito hosted domain prefix (globally unique per region) |
| `bundling`              | `real`    | `placeholder`: empty layer assets, no pip (template tests only; never deploy) |
| `eventsLakeRetentionDays` | `400`   | days the events lake keeps raw events (default: the conversations' TTL)       |
| `challengerParams`      | (none)    | a decision parameters document (path from the repository root): the decide function's shadow challenger |
| `consoleCallbackUrls`   | `http://localhost:8080/console/` | where the console's Cognito sign-in returns (comma-separated; https, or http on localhost) |
| `consoleLogoutUrls`     | the callback URLs | where the console's sign-out returns (comma-separated)                   |
| `corsAllowOrigins`      | (none)    | origins whose pages may call the API from a browser (comma-separated, `https://console.example.com`): the console's, when served from another origin than the API |
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from aws_cdk import RemovalPolicy
from constructs import Node

from baton.bus import ZENDESK_PARTNER_SOURCE_PREFIX
from baton.settings import Settings

PROD_STAGE = "prod"
_STAGE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DOMAIN_PREFIX = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$")
_LOCALHOST = re.compile(r"^http://localhost(:[0-9]{1,5})?(/|$)")

Bundling = Literal["real", "placeholder"]

EVENTS_LAKE_RETENTION_DAYS: int = Settings.model_fields["conversation_ttl_days"].default
"""The events lake keeps raw events as long as a conversation is kept (`Settings.conversation_ttl_days`)."""
MAX_EVENTS_LAKE_RETENTION_DAYS = 3650


DEFAULT_CONSOLE_URL = "http://localhost:8080/console/"
"""The console's sign-in callback when none is configured (`baton local`'s console), so synth always works."""

COGNITO_RESERVED = ("aws", "amazon", "cognito")
"""Words Cognito refuses in a hosted-UI domain prefix (the deploy would fail)."""


class ConfigError(ValueError):
    """Bad CDK context; the message names the context key."""


@dataclass(frozen=True)
class BatonConfig:
    stage: str = "dev"
    partner_event_source_name: str | None = None
    alarm_email: str | None = None
    jwt_issuer: str | None = None
    jwt_audience: tuple[str, ...] = ()
    auth_domain_prefix: str | None = None
    bundling: Bundling = "real"
    events_lake_retention_days: int = EVENTS_LAKE_RETENTION_DAYS
    challenger_params: str | None = None
    """The shadow challenger's decision parameters file (docs/decision.md, "Shadow challenger and promotion")."""
    console_callback_urls: tuple[str, ...] = (DEFAULT_CONSOLE_URL,)
    """Where Cognito's hosted UI may send the console back with an authorization code (docs/console.md)."""
    console_logout_urls: tuple[str, ...] = ()
    """Where the hosted UI may send the console after sign-out; empty: the callback URLs."""
    cors_allow_origins: tuple[str, ...] = ()
    """Browser origins allowed to call the API (CORS); empty: no CORS, browsers only call it from its own origin."""

    def __post_init__(self) -> None:
        if not _STAGE.match(self.stage) or len(self.stage) > 20:
            raise ConfigError(
                f"context 'stage' must be lowercase letters, digits and single hyphens (<= 20 chars), got {self.stage!r}"
            )
        source = self.partner_event_source_name
        if source is not None and not (
            source.startswith(ZENDESK_PARTNER_SOURCE_PREFIX + "/") and source.count("/") == 3
        ):
            raise ConfigError(
                "context 'partnerEventSourceName' must look like "
                f"'{ZENDESK_PARTNER_SOURCE_PREFIX}/<id>/default', got {source!r}"
            )
        if self.alarm_email is not None and not _EMAIL.match(self.alarm_email):
            raise ConfigError(f"context 'alarmEmail' is not an email address: {self.alarm_email!r}")
        if bool(self.jwt_issuer) != bool(self.jwt_audience):
            raise ConfigError("context 'jwtIssuer' and 'jwtAudience' must be given together (or neither)")
        if self.jwt_issuer is not None and not self.jwt_issuer.startswith("https://"):
            raise ConfigError(f"context 'jwtIssuer' must be an https:// URL, got {self.jwt_issuer!r}")
        if self.auth_domain_prefix is not None and not _DOMAIN_PREFIX.match(self.auth_domain_prefix):
            raise ConfigError(
                f"context 'authDomainPrefix' must be lowercase letters, digits and hyphens, got {self.auth_domain_prefix!r}"
            )
        # The default prefix is baton-<stage>-<account id> (infra/constructs/api.py); digits add no word.
        prefix = self.auth_domain_prefix or f"baton-{self.stage}-"
        reserved = [word for word in COGNITO_RESERVED if word in prefix]
        if reserved:
            raise ConfigError(
                f"the Cognito domain prefix {prefix!r} contains {reserved[0]!r}, which Cognito refuses in a domain "
                "prefix: choose another 'stage', or set 'authDomainPrefix'"
            )
        if self.bundling not in ("real", "placeholder"):
            raise ConfigError(f"context 'bundling' must be 'real' or 'placeholder', got {self.bundling!r}")
        self._check_console()
        if not 1 <= self.events_lake_retention_days <= MAX_EVENTS_LAKE_RETENTION_DAYS:
            raise ConfigError(
                f"context 'eventsLakeRetentionDays' must be 1..{MAX_EVENTS_LAKE_RETENTION_DAYS} days, "
                f"got {self.events_lake_retention_days}"
            )

    def _check_console(self) -> None:
        """The console's sign-in URLs (Cognito's rules: https, except http on localhost; no fragment) and origins."""
        if not self.console_callback_urls:
            raise ConfigError("context 'consoleCallbackUrls' must name at least one URL")
        for key, urls in (
            ("consoleCallbackUrls", self.console_callback_urls),
            ("consoleLogoutUrls", self.console_logout_urls),
        ):
            for url in urls:
                if not (url.startswith("https://") or _LOCALHOST.match(url)) or "#" in url or " " in url:
                    raise ConfigError(
                        f"context {key!r}: {url!r} must be an https:// URL (http:// only on localhost), without a '#'"
                    )
        for origin in self.cors_allow_origins:
            if not _ORIGIN.match(origin):
                raise ConfigError(
                    f"context 'corsAllowOrigins': {origin!r} must be an origin, scheme and host only "
                    "(`https://console.example.com`, no path, no '*')"
                )

    @classmethod
    def from_context(cls, node: Node) -> BatonConfig:
        def get(key: str) -> str | None:
            value: Any = node.try_get_context(key)
            if value is None or (isinstance(value, str) and not value.strip()):
                return None
            return str(value).strip()

        def listed(key: str) -> tuple[str, ...]:
            value = get(key)
            return tuple(item.strip() for item in value.split(",") if item.strip()) if value else ()

        audience = get("jwtAudience")
        retention = get("eventsLakeRetentionDays")
        try:
            retention_days = int(retention) if retention is not None else EVENTS_LAKE_RETENTION_DAYS
        except ValueError:
            raise ConfigError(
                f"context 'eventsLakeRetentionDays' must be a whole number of days, got {retention!r}"
            ) from None
        return cls(
            stage=get("stage") or cls.stage,
            partner_event_source_name=get("partnerEventSourceName"),
            alarm_email=get("alarmEmail"),
            jwt_issuer=get("jwtIssuer"),
            jwt_audience=tuple(a.strip() for a in audience.split(",") if a.strip()) if audience else (),
            auth_domain_prefix=get("authDomainPrefix"),
            bundling=get("bundling") or cls.bundling,  # type: ignore[arg-type]
            events_lake_retention_days=retention_days,
            challenger_params=get("challengerParams"),
            console_callback_urls=listed("consoleCallbackUrls") or cls.console_callback_urls,
            console_logout_urls=listed("consoleLogoutUrls"),
            cors_allow_origins=listed("corsAllowOrigins"),
        )

    @property
    def is_prod(self) -> bool:
        return self.stage == PROD_STAGE

    @property
    def stack_prefix(self) -> str:
        """`dev` -> `Dev`, `qa-eu` -> `QaEu`: the `<Stage>` of `<Stage>-<Capability>`."""
        return "".join(part.capitalize() for part in self.stage.split("-"))

    def stack_name(self, capability: str) -> str:
        return f"{self.stack_prefix}-{capability}"

    @property
    def console_signed_out_urls(self) -> tuple[str, ...]:
        """Where the hosted UI may send the console after sign-out."""
        return self.console_logout_urls or self.console_callback_urls

    @property
    def removal_policy(self) -> RemovalPolicy:
        """Data outlives a prod stack; dev and test stacks clean up after themselves."""
        return RemovalPolicy.RETAIN if self.is_prod else RemovalPolicy.DESTROY
