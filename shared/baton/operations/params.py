"""A deployed stage's decision parameters and their history: `baton decision params history|rollback --stage S`.

The decide function reads its parameters document from the SSM parameter `/baton/<stage>/decide/<setting>`
(`decision_params_name`; the shadow challenger's, when deployed, `decision_challenger_params_name`), cached
`BATON_DECISION_PARAMS_MAX_AGE_S` (60 s). Every `put-parameter --overwrite` makes a new version and SSM keeps the
last 100, so a change is undone by writing an earlier version's value again, as a new version: the history keeps
what happened, and a rollback can itself be rolled back.

`rollback` without a version undoes the last change: it writes the newest earlier version whose value differs
from the current one. A rollback is a change too, so running it again undoes the rollback; `--version N` goes
further back. The value is validated as the decide function of this checkout would read it first
(`baton.decision.params.deployable`): a document this release cannot read is refused, not written. The parameter's tier stays Intelligent-Tiering (what the stack
creates; SSM cannot take an advanced parameter back to standard).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from baton.operations import OperationError, check_stage

CHAMPION = "decision_params_name"
CHALLENGER = "decision_challenger_params_name"
TIER = "Intelligent-Tiering"


def parameter_name(stage: str, *, challenger: bool = False) -> str:
    """The SSM parameter the Decision stack creates for the stage (infra/constructs/consumer.py)."""
    return f"/baton/{check_stage(stage)}/decide/{CHALLENGER if challenger else CHAMPION}"


@dataclass(frozen=True)
class ParameterVersion:
    version: int
    modified_at: str
    modified_by: str
    labels: tuple[str, ...]
    value: str

    @classmethod
    def from_api(cls, item: dict[str, Any]) -> ParameterVersion:
        modified = item.get("LastModifiedDate")
        return cls(
            version=int(item["Version"]),
            modified_at=modified.isoformat(timespec="seconds")
            if isinstance(modified, datetime)
            else str(modified),
            modified_by=str(item.get("LastModifiedUser") or "-"),
            labels=tuple(item.get("Labels") or ()),
            value=str(item.get("Value", "")),
        )

    @property
    def document_version(self) -> str:
        """The document's own `version` (what `model_version` on a decision reports), or what is wrong with it."""
        try:
            document = json.loads(self.value)
        except json.JSONDecodeError:
            return "(not JSON)"
        version = document.get("version") if isinstance(document, dict) else None
        return str(version) if version else "(no version)"

    def as_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "modified_at": self.modified_at,
            "modified_by": self.modified_by,
            "labels": list(self.labels),
            "document_version": self.document_version,
            "bytes": len(self.value.encode()),
        }


@dataclass(frozen=True)
class Rollback:
    name: str
    current: ParameterVersion
    target: ParameterVersion
    new_version: int


def history(ssm: Any, name: str) -> list[ParameterVersion]:
    """Every version SSM keeps of the parameter, oldest first."""
    versions: list[ParameterVersion] = []
    token: str | None = None
    try:
        while True:
            response = ssm.get_parameter_history(
                Name=name, WithDecryption=False, MaxResults=50, **({"NextToken": token} if token else {})
            )
            versions += [ParameterVersion.from_api(item) for item in response.get("Parameters", [])]
            token = response.get("NextToken")
            if not token:
                break
    except Exception as exc:
        if _code(exc) == "ParameterNotFound":
            raise OperationError(
                f"no parameter {name} in this region: check --stage and the region (--region, AWS_REGION)"
                + (
                    ", and that the stage was deployed with a challenger (-c challengerParams=...)"
                    if CHALLENGER in name
                    else ""
                )
            ) from None
        raise
    if not versions:
        raise OperationError(f"{name} has no versions")
    return sorted(versions, key=lambda v: v.version)


def rollback(ssm: Any, name: str, *, to_version: int | None = None) -> Rollback:
    """Write an earlier version's value as the parameter's new version (see the module docstring)."""
    from baton.decision.params import InvalidParams, deployable

    versions = history(ssm, name)
    current = versions[-1]
    if to_version is None:
        earlier = [v for v in versions[:-1] if v.value != current.value]
        if not earlier:
            raise OperationError(
                f"{name} has no earlier value to go back to (version {current.version} is the only one SSM keeps "
                "with another value)"
            )
        target = earlier[-1]
    else:
        matches = [v for v in versions if v.version == to_version]
        if not matches:
            kept = f"{versions[0].version}..{current.version}"
            raise OperationError(f"{name} has no version {to_version} (SSM keeps versions {kept})")
        target = matches[0]
        if target.value == current.value:
            raise OperationError(
                f"version {to_version} of {name} holds the current value (version {current.version}): nothing to "
                "roll back"
            )
    try:
        deployable(target.value)
    except InvalidParams as exc:
        raise OperationError(
            f"version {target.version} of {name} is not a document this release can read, so it is not written: {exc}"
        ) from None
    response = ssm.put_parameter(Name=name, Value=target.value, Type="String", Overwrite=True, Tier=TIER)
    return Rollback(name=name, current=current, target=target, new_version=int(response["Version"]))


def _code(exc: Exception) -> str | None:
    response = getattr(exc, "response", None)
    return response.get("Error", {}).get("Code") if isinstance(response, dict) else None
