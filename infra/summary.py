"""What `./dev synth` synthesized, in one summary read from the cloud assembly (cdk.out):

    .venv/bin/python -m infra.summary [cdk.out]

- the stacks, in the order the app declares them;
- the cdk-nag packs that validated them (stack metadata `baton:cdk-nag-packs`, infra/app.py) and their findings
  per pack (cdk.out/validation-report.json; 0 is what ships: a finding fails the synth);
- the suppressions: every acknowledged rule with its reason and how many constructs it covers;
- the alarms per stack (their construct paths, which their deployed names start with);
- the outputs per stack (the ones CDK adds for cross-stack references only counted);
- what `cdk destroy` leaves behind: the resources with DeletionPolicy Retain (a prod stage's data, keys, secrets,
  user pool and log groups), and the S3 buckets it deletes only once they are empty (docs/operations.md, Teardown).

It only reads files, so it also runs after a synth that failed on a finding: the summary then names the findings.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

NAG_PACKS_METADATA = "baton:cdk-nag-packs"
"""Stack metadata infra/app.py writes: the names of the cdk-nag packs that validate the stack."""
ACKNOWLEDGED = "aws:cdk:acknowledged-rules"
LOGICAL_ID = "aws:cdk:logicalId"
ALARM = "AWS::CloudWatch::Alarm"
BUCKET = "AWS::S3::Bucket"
RETAINED = ("Retain", "RetainExceptOnCreate", "Snapshot")
CROSS_STACK_OUTPUT_PREFIX = "PublishOutput"
"""Outputs CDK adds to a stack whose names another stack reads (weak cross-stack references)."""


class AssemblyError(Exception):
    """No cloud assembly where asked (the message says what to run)."""


@dataclass(frozen=True)
class Finding:
    pack: str
    rule: str
    severity: str
    path: str


@dataclass(frozen=True)
class Suppression:
    rule: str
    reason: str
    paths: tuple[str, ...]


@dataclass
class StackSummary:
    name: str
    packs: tuple[str, ...] = ()
    alarms: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    cross_stack_outputs: int = 0
    retained: list[str] = field(default_factory=list)
    """`name (Type)` of each resource `cdk destroy` keeps."""
    buckets: list[str] = field(default_factory=list)
    """The S3 buckets `cdk destroy` deletes, which CloudFormation can only do once they are empty."""


@dataclass
class Summary:
    outdir: Path
    stacks: list[StackSummary]
    packs: tuple[str, ...]
    findings: list[Finding]
    suppressions: list[Suppression]

    def findings_by_pack(self) -> dict[str, int]:
        counts = dict.fromkeys(self.packs, 0)
        for finding in self.findings:
            counts[finding.pack] = counts.get(finding.pack, 0) + 1
        return counts


def summarize(outdir: Path) -> Summary:
    """Read the assembly in `outdir`."""
    manifest_path = outdir / "manifest.json"
    if not manifest_path.is_file():
        raise AssemblyError(f"no cloud assembly in {outdir} (run `./dev synth` first)")
    acknowledged: dict[tuple[str, str], list[str]] = {}
    stacks = [
        _stack(outdir, artifact_id, artifact, acknowledged)
        for artifact_id, artifact in _read(manifest_path).get("artifacts", {}).items()
        if artifact.get("type") == "aws:cloudformation:stack"
    ]
    if not stacks:
        raise AssemblyError(f"the cloud assembly in {outdir} holds no stack")
    packs = list(dict.fromkeys(pack for stack in stacks for pack in stack.packs))
    findings = _findings(outdir / "validation-report.json")
    packs += [f.pack for f in findings if f.pack not in packs]
    suppressions = [
        Suppression(rule=rule, reason=reason, paths=tuple(sorted(set(where))))
        for (rule, reason), where in sorted(acknowledged.items())
    ]
    return Summary(
        outdir=outdir, stacks=stacks, packs=tuple(packs), findings=findings, suppressions=suppressions
    )


def _stack(
    outdir: Path, artifact_id: str, artifact: dict[str, Any], acknowledged: dict[tuple[str, str], list[str]]
) -> StackSummary:
    """One stack's summary; its acknowledged rules go into `acknowledged` ((rule, reason) -> construct paths)."""
    name = artifact.get("displayName") or artifact_id
    metadata = dict(artifact.get("metadata") or {})
    extra = artifact.get("additionalMetadataFile")
    if extra and (outdir / extra).is_file():
        metadata.update(_read(outdir / extra))
    stack = StackSummary(name=name)
    paths: dict[str, str] = {}  # logical id -> construct path
    for path, entries in metadata.items():
        for entry in entries:
            kind, data = entry.get("type"), entry.get("data")
            if kind == NAG_PACKS_METADATA:
                stack.packs = tuple(data)
            elif kind == LOGICAL_ID and isinstance(data, str):
                paths[data] = path
            elif kind == ACKNOWLEDGED and isinstance(data, dict):
                for key, reason in data.items():
                    rule = key.split("::", 1)[1] if "::" in key else key
                    acknowledged.setdefault((rule, str(reason)), []).append(path.lstrip("/"))
    _read_template(stack, _read(outdir / artifact["properties"]["templateFile"]), paths)
    return stack


def _read_template(stack: StackSummary, template: dict[str, Any], paths: dict[str, str]) -> None:
    """The stack's alarms, retained resources, buckets and outputs, named by their construct paths."""
    for logical_id, resource in template.get("Resources", {}).items():
        kind = resource.get("Type", "")
        construct = _construct_name(paths.get(logical_id), stack.name, logical_id)
        if kind == ALARM:
            stack.alarms.append(construct)
        if resource.get("DeletionPolicy") in RETAINED:
            stack.retained.append(f"{construct} ({kind.removeprefix('AWS::')})")
        elif kind == BUCKET:
            stack.buckets.append(construct)
    for key in template.get("Outputs", {}):
        if key.startswith(CROSS_STACK_OUTPUT_PREFIX):
            stack.cross_stack_outputs += 1
        else:
            stack.outputs.append(key)


def render(summary: Summary) -> str:
    """The summary as `./dev synth` prints it."""
    lines = [f"Synth summary ({summary.outdir})"]
    names = [s.name for s in summary.stacks]
    lines.append(f"Stacks ({len(names)}): {', '.join(names)}")

    by_pack = summary.findings_by_pack()
    if by_pack:
        counts = ", ".join(f"{pack} {n} finding{'s' if n != 1 else ''}" for pack, n in by_pack.items())
    else:
        counts = "no pack ran (no baton:cdk-nag-packs metadata: is this Baton's app?)"
    unchecked = [s.name for s in summary.stacks if not s.packs]
    lines.append(
        f"cdk-nag: {counts}" + (f"; not validated: {', '.join(unchecked)}" if unchecked and by_pack else "")
    )
    for finding in summary.findings:
        lines.append(f"  {finding.severity} {finding.rule} at {finding.path}")

    covered = sum(len(s.paths) for s in summary.suppressions)
    rules = sorted({s.rule.split("[", 1)[0] for s in summary.suppressions})
    lines.append(
        f"Suppressions: {covered} on {len(rules)} rule{'s' if len(rules) != 1 else ''}, each with its reason"
    )
    for suppression in summary.suppressions:
        lines.append(f"  {suppression.rule} ({len(suppression.paths)}): {suppression.reason}")

    alarms = sum(len(s.alarms) for s in summary.stacks)
    lines.append(f"Alarms: {alarms}")
    for stack in summary.stacks:
        if stack.alarms:
            lines.append(f"  {stack.name} ({len(stack.alarms)}): {', '.join(stack.alarms)}")

    lines.append("Outputs:")
    for stack in summary.stacks:
        cross = (
            f" (+{stack.cross_stack_outputs} for cross-stack references)" if stack.cross_stack_outputs else ""
        )
        listed = ", ".join(stack.outputs) or "none"
        lines.append(f"  {stack.name} ({len(stack.outputs)}): {listed}{cross}")

    retained = sum(len(s.retained) for s in summary.stacks)
    lines.append(f"Kept by `cdk destroy` (DeletionPolicy Retain): {retained or 'nothing'}")
    for stack in summary.stacks:
        if stack.retained:
            lines.append(f"  {stack.name} ({len(stack.retained)}): {', '.join(stack.retained)}")
    buckets = [f"{s.name} {b}" for s in summary.stacks for b in s.buckets]
    if buckets:
        lines.append(f"Buckets `cdk destroy` deletes only once emptied: {', '.join(buckets)}")
    return "\n".join(lines)


def _findings(report_path: Path) -> list[Finding]:
    if not report_path.is_file():
        return []
    report = _read(report_path)
    return [
        Finding(
            pack=str(plugin.get("pluginName", "?")),
            rule=str(violation.get("ruleName", "?")),
            severity=str(violation.get("severity", "?")),
            path=str(construct.get("constructPath", "?")),
        )
        for plugin in report.get("pluginReports", [])
        for violation in plugin.get("violations", [])
        for construct in violation.get("violatingConstructs", [])
    ]


def _construct_name(path: str | None, stack: str, logical_id: str) -> str:
    """`/Dev-Scoring/Score/DlqAlarm/Resource` -> `Score/DlqAlarm` (the logical id when the path is unknown)."""
    if not path:
        return logical_id
    parts = [p for p in path.split("/") if p]
    if parts and parts[0] == stack:
        parts = parts[1:]
    if parts and parts[-1] == "Resource":
        parts = parts[:-1]
    return "/".join(parts) or logical_id


def _read(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    outdir = Path(args[0]) if args else Path("cdk.out")
    try:
        print(render(summarize(outdir)), flush=True)
    except AssemblyError as exc:
        print(f"synth summary: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `... | head`: the reader went away, not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


if __name__ == "__main__":
    sys.exit(main())
