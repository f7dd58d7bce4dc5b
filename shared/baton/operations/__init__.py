"""Operating a deployed stage from the command line (`baton dlq ... --stage`, `baton decision params history|rollback`).

Tools, never shipped to Lambda (`TOOL_MODULES` in layers/build.py): they read the stage's stacks and call AWS with
the operator's own credentials and region. docs/operations.md is their runbook.
"""

from __future__ import annotations

import re

_STAGE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


class OperationError(Exception):
    """The deployed stage cannot be read or acted on as asked; the message says why and what to do."""


def check_stage(stage: str) -> str:
    """The stage as `cdk deploy -c stage=...` accepts it (infra/config.py), or an error naming it."""
    if not _STAGE.match(stage) or len(stage) > 20:
        raise OperationError(
            f"--stage must be a stage name as deployed (`-c stage=...`: lowercase letters, digits and single "
            f"hyphens), got {stage!r}"
        )
    return stage


def stack_prefix(stage: str) -> str:
    """`dev` -> `Dev`, `qa-eu` -> `QaEu`: the `<Stage>` of the stacks `<Stage>-<Capability>` (infra/config.py's
    `BatonConfig.stack_prefix`; tests/infra pins the two together)."""
    return "".join(part.capitalize() for part in check_stage(stage).split("-"))
