"""The decision engine's parameters: versioned data, not code.

A team changes thresholds or swaps a refitted risk model by publishing a new JSON document (SSM parameter,
AppConfig profile or S3 object, read through Powertools parameters and cached), never by redeploying a
function. The document is validated here, with errors that name the offending field:

    params = DecisionParams.model_validate_json(text)   # raises InvalidParams (a ValueError) naming the field
    params = load_default()                             # the shipped document (layers/models/decision/)

Shape (see layers/models/decision/params.json and its MODEL_CARD.md for the shipped values):

    {
      "version": "decision-20261127-1a2b3c4d",        # reported as `model_version` on every decision
      "intercept": -2.9,                              # the risk logit of an average customer turn
      "features": {"frustration": {"mean": -1.2, "scale": 1.4, "weight": 0.8}, ...},
      "thresholds": {"escalate": 0.45, "monitor": 0.25, "monitor_escalate": 0.35, "exit": 0.15, "exit_turns": 2},
      "sensitivity": {"high_value": 0.8, "renewal_soon": 0.8, ..., "floor": 0.5},
      "business": {"high_value_annual": 50000, "renewal_days": 30, "new_customer_days": 30, ...},
      "guardrails": {"legal_threat": ["\\blawyer\\b", ...], "safety_risk": [...], "security_incident": [...]},
      "reasons": {"min_contribution": 0.05, "max_reasons": 6},
      "fit": {...}                                    # free-form provenance (data, metrics); not read
    }

- `features`: the risk model, a logistic regression on standardised features, `z = (x - mean) / scale`,
  `risk = sigmoid(intercept + sum(weight * z))`. Names must be among `baton.decision.engine.FEATURES`; a
  feature the document does not list weighs 0 (an older document keeps working with a newer engine).
- `thresholds` are probabilities on that risk, before business sensitivity: `monitor <= monitor_escalate
  <= escalate` and `exit <= monitor` (see `baton.decision.engine` for the policy).
- `sensitivity`: multipliers (0 < m <= 1) applied to every threshold when a business fact holds; several
  facts multiply, never below `floor`.
- `guardrails`: regular expressions per guardrail, matched against the normalised message text (lower
  case, accents folded). A pattern that does not compile is a validation error naming it.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from baton.errors import BatonError

PARAMS_FILE = "params.json"
LAMBDA_PARAMS = Path("/opt/models/decision") / PARAMS_FILE
REPO_PARAMS = Path(__file__).resolve().parents[3] / "layers" / "models" / "decision" / PARAMS_FILE

Probability = Annotated[float, Field(gt=0.0, lt=1.0)]
Multiplier = Annotated[float, Field(gt=0.0, le=1.0)]


class InvalidParams(BatonError, ValueError):
    """A parameters document that cannot be used (the message names the field and why)."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FeatureWeight(_Model):
    mean: float = 0.0
    scale: float = Field(default=1.0, gt=0.0, description="Standard deviation on the training turns")
    weight: float = 0.0
    fitted: bool = Field(default=True, description="False for a prior weight the training data could not fit")


class Thresholds(_Model):
    escalate: Probability = Field(description="Escalate at or above this risk (not monitoring)")
    monitor: Probability = Field(description="Monitor at or above this risk")
    monitor_escalate: Probability = Field(description="Escalate at or above this risk while monitoring")
    exit: Probability = Field(description="Monitoring ends after `exit_turns` decisions below this risk")
    exit_turns: int = Field(default=2, ge=1, le=20)

    @model_validator(mode="after")
    def _ordered(self) -> Thresholds:
        if not self.monitor <= self.monitor_escalate <= self.escalate:
            raise ValueError(
                f"need monitor <= monitor_escalate <= escalate, got {self.monitor} / {self.monitor_escalate} / "
                f"{self.escalate}"
            )
        if not self.exit <= self.monitor:
            raise ValueError(
                f"need exit <= monitor (hysteresis), got exit {self.exit} > monitor {self.monitor}"
            )
        return self


class Sensitivity(_Model):
    """Threshold multipliers per business fact (1.0: the fact changes nothing)."""

    high_value: Multiplier = 0.8
    renewal_soon: Multiplier = 0.8
    new_customer: Multiplier = 0.85
    at_risk: Multiplier = 0.8
    churning: Multiplier = 0.75
    known_incident: Multiplier = 0.9
    errors_seen: Multiplier = 0.9
    floor: Multiplier = Field(
        default=0.75,
        description="The combined multiplier never goes below this: business facts tip a borderline "
        "conversation, together they do not make a calm one escalate (calm support messages score near 0.4)",
    )


class Business(_Model):
    high_value_annual: float = Field(
        default=50_000.0, ge=0.0, description="`high_value` from this annual value"
    )
    renewal_days: int = Field(default=30, ge=0, le=366)
    new_customer_days: int = Field(default=30, ge=0, le=366)
    repeat_contact_days: int = Field(default=7, ge=1, le=366)
    recent_error_minutes: int = Field(default=60, ge=1, le=10_080)


DEFAULT_GUARDRAILS: dict[str, tuple[str, ...]] = {
    "legal_threat": (
        r"\b(?:my |a |our )?(?:lawyer|lawyers|attorney|attorneys|solicitor|legal counsel)\b",
        # "sue" is also a first name ("can Sue from finance..."): only the threatening forms.
        r"\b(?:sue|suing) (?:you|your|the company|this company|them)\b",
        r"\b(?:will|going to|gonna|i'll|we'll|plan to|intend to|ready to) sue\b",
        r"\b(?:lawsuit|legal action|legal proceedings|take (?:you|this|it) to court|small claims)\b",
        r"\b(?:gdpr|ccpa) (?:complaint|request|violation|breach)\b",
        r"\b(?:data protection (?:authority|commissioner|officer)|ico complaint|ombudsman|regulator)\b",
        r"\bcomplain(?:t)? to (?:the )?(?:ftc|cfpb|bbb|authorities|regulator)\b",
    ),
    "safety_risk": (
        r"\b(?:kill|hurt|harm) (?:myself|me)\b",
        r"\b(?:suicide|suicidal|self[- ]harm|end (?:my|it all)(?: life)?)\b",
        r"\bdon'?t want to (?:live|be alive)\b",
        r"\b(?:i(?:'ll| will| am going to| gonna)) (?:kill|hurt|find) (?:you|someone|them|him|her)\b",
        r"\b(?:bomb|shoot up|shooting)\b",
    ),
    "security_incident": (
        r"\b(?:account|email|login|password) (?:was |has been |got |is )?(?:hacked|compromised|taken over|stolen)\b",
        r"\b(?:hacked|hijacked)\b",
        r"\b(?:data breach|data leak|breach of (?:my|our) data|leaked (?:my|our|customer) data)\b",
        r"\b(?:unauthori[sz]ed|suspicious|fraudulent) (?:access|login|logins|sign[- ]?in|charges?|transactions?|activity)\b",
        r"\bsomeone (?:else )?(?:logged|logging|got) (?:in ?to|into) (?:my|our)\b",
        r"\b(?:phishing|identity theft|stolen identity)\b",
    ),
}
"""Shipped guardrail patterns (also in layers/models/decision/params.json): precise rather than exhaustive,
since each one forces an escalation; frustration and bot-failure signals catch what the words do not say."""


class Guardrails(_Model):
    human_request: bool = Field(default=True, description="Escalate when scoring says `asks_for_human`")
    patterns: dict[str, tuple[str, ...]] = Field(default_factory=lambda: dict(DEFAULT_GUARDRAILS))

    @field_validator("patterns")
    @classmethod
    def _compile(cls, value: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        for name, patterns in value.items():
            if not re.fullmatch(r"[a-z][a-z0-9_]{0,63}", name):
                raise ValueError(f"guardrail name {name!r}: use snake_case letters, digits and _")
            for i, pattern in enumerate(patterns):
                try:
                    re.compile(pattern)
                except re.error as exc:
                    raise ValueError(
                        f"{name}[{i}] {pattern!r} is not a valid regular expression: {exc}"
                    ) from None
        return value


class ReasonSettings(_Model):
    min_contribution: float = Field(default=0.05, ge=0.0, le=1.0, description="Smaller shares are not listed")
    max_reasons: int = Field(default=6, ge=1, le=20)


class DecisionParams(_Model):
    version: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:-]+$")
    intercept: float
    features: dict[str, FeatureWeight]
    thresholds: Thresholds
    sensitivity: Sensitivity = Field(default_factory=Sensitivity)
    business: Business = Field(default_factory=Business)
    guardrails: Guardrails = Field(default_factory=Guardrails)
    reasons: ReasonSettings = Field(default_factory=ReasonSettings)
    fit: dict[str, Any] = Field(default_factory=dict, description="Provenance: data, metrics, command")

    @field_validator("features")
    @classmethod
    def _known(cls, value: dict[str, FeatureWeight]) -> dict[str, FeatureWeight]:
        from baton.decision.engine import FEATURES  # the engine owns the feature list

        unknown = sorted(set(value) - set(FEATURES))
        if unknown:
            raise ValueError(f"unknown feature(s) {unknown}; known: {sorted(FEATURES)}")
        return value

    @classmethod
    def model_validate_json(cls, json_data: str | bytes | bytearray, **kwargs: Any) -> DecisionParams:  # type: ignore[override]
        """Parse and validate a JSON document; InvalidParams names every offending field."""
        try:
            return super().model_validate_json(json_data, **kwargs)
        except ValidationError as exc:
            raise InvalidParams(_describe(exc)) from None

    @classmethod
    def model_validate(cls, obj: Any, **kwargs: Any) -> DecisionParams:  # type: ignore[override]
        try:
            return super().model_validate(obj, **kwargs)
        except ValidationError as exc:
            raise InvalidParams(_describe(exc)) from None

    def to_json(self) -> str:
        return json.dumps(self.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"


def _describe(exc: ValidationError) -> str:
    problems = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error.get("loc", ())) or "document"
        problems.append(f"{where}: {error.get('msg', 'invalid value')}")
    count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
    return f"invalid decision parameters ({count}): " + "; ".join(problems)


def load(path: Path) -> DecisionParams:
    """A parameters document from a file (InvalidParams names the file and the field)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidParams(f"cannot read decision parameters {path}: {exc.strerror or exc}") from None
    try:
        return DecisionParams.model_validate_json(text)
    except InvalidParams as exc:
        raise InvalidParams(f"{path}: {exc}") from None


SSM_MAX_BYTES = 8192
"""The largest value an SSM parameter holds (advanced tier; standard holds 4096)."""


def deployable(text: str) -> str:
    """The document as it goes into the parameter store: validated (InvalidParams names the field), compact,
    and without its `fit` block (provenance the engine never reads; the version names it, and the card and
    the repo file keep it). A refitted params.json with its validation tables is over the 8 KB an SSM
    parameter holds; this is what `baton decision params FILE` prints for `aws ssm put-parameter`."""
    params = DecisionParams.model_validate_json(text)
    document = params.model_dump(mode="json", exclude={"fit"})
    value = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
    size = len(value.encode())
    if size > SSM_MAX_BYTES:
        raise InvalidParams(
            f"the decision parameters are {size} bytes without their fit block, over the {SSM_MAX_BYTES} an SSM "
            "parameter holds: shorten the guardrail patterns"
        )
    return value


@functools.cache
def load_default() -> DecisionParams:
    """The shipped parameters: the Lambda model layer's (/opt/models/decision) or the checkout's
    (layers/models/decision). Cached per process; a team's own document comes through the parameter store."""
    return load(LAMBDA_PARAMS if LAMBDA_PARAMS.is_file() else REPO_PARAMS)
