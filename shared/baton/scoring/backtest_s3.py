"""`baton backtest [INPUT.jsonl] --s3 s3://BUCKET/backtest/in/RUN/ [--stage S] [--params FILE]`: the backtest on
AWS, for inputs of a team's scale (months of `baton outcomes export`).

The stage's Feedback stack holds the backtest state machine (`infra/constructs/backtest.py`): a Step Functions
Distributed Map over the objects under `backtest/in/<run>/` of the events lake bucket, one Lambda invocation per
object, each writing the lines `baton backtest <object>` writes to `backtest/out/<run>/scored/<object>`
(`baton.scoring.backtest_chunk`), up to `MAX_CONCURRENCY` at once, and the map's summary to
`backtest/out/<run>/summary/`.

With INPUT, this command cuts it into chunks of about `--chunk-messages` messages (default 20,000), each a whole
number of the backtest's batches, so the chunks' outputs put together in key order are byte for byte what
`baton backtest INPUT` writes locally; it uploads them as `chunk-00001.jsonl`, ... under the prefix (which must
hold nothing yet) and starts the run. Without INPUT, it starts a run over the objects already there (cut by
you: each must be scored within one 15-minute invocation). Lines it cannot read are reported here, with their
line numbers, and uploaded all the same: the run reports them in its output.

`--params FILE` decides with that parameters document instead of the deployed model layer's (as `baton
backtest --params`); it travels in the execution's input, compacted as `baton decision params FILE` prints it
(at most 8 KB). Models are the model layer's: `--models` has no deployed equivalent.

It prints the execution, where the output lands and the commands to follow it. Needs credentials allowed
`cloudformation:DescribeStacks` on the stack, `s3:ListBucket` and `s3:PutObject` on the prefix (and the lake key),
and `states:StartExecution`. Exit codes: 0 started, 1 AWS refused or failed, 2 bad arguments or nothing to run.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from baton.operations import OperationError, check_stage, stack_prefix
from baton.scoring.backtest import BATCH_MESSAGES, BadLine, parse_line
from baton.scoring.backtest_chunk import (
    CHUNK_MESSAGES,
    IN_PREFIX,
    RUN_PATTERN,
    input_prefix,
    scored_prefix,
    summary_prefix,
    valid_run,
)

FEEDBACK_CAPABILITY = "Feedback"
STATE_MACHINE_OUTPUT = "BacktestStateMachineArn"
BUCKET_OUTPUT = "EventsLakeBucketName"
CHUNK_NAME = "chunk-{:05d}.jsonl"


class UsageError(Exception):
    """Bad arguments or nothing to run: exit code 2."""


@dataclass
class Uploaded:
    chunks: int = 0
    conversations: int = 0
    messages: int = 0
    bad_lines: int = 0


@dataclass(frozen=True)
class Target:
    """The run's place: the lake bucket of the stage and the run's name."""

    bucket: str
    run: str

    @property
    def url(self) -> str:
        return f"s3://{self.bucket}/{input_prefix(self.run)}"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="baton backtest --s3",
        description="Run the backtest on AWS (the stage's backtest state machine: Step Functions Distributed Map "
        "over S3, one Lambda per chunk): upload INPUT in chunks under s3://BUCKET/backtest/in/RUN/ and start the "
        "run, or start it over the objects already there.",
    )
    parser.add_argument(
        "input", nargs="?", metavar="INPUT.jsonl", help="one conversation per line; `-` is stdin"
    )
    parser.add_argument(
        "--s3",
        required=True,
        metavar="s3://BUCKET/backtest/in/RUN/",
        help="the run's input prefix in the stage's events lake bucket (output: s3://BUCKET/backtest/out/RUN/)",
    )
    parser.add_argument("--stage", default="dev", help="the deployed stage (`-c stage=...`; default: dev)")
    parser.add_argument("--region", help="the stage's region (default: the AWS CLI's, AWS_REGION)")
    parser.add_argument(
        "--params", type=Path, metavar="FILE", help="decision parameters document (default: the deployed one)"
    )
    parser.add_argument(
        "--chunk-messages",
        type=_chunk_messages,
        default=CHUNK_MESSAGES,
        metavar="N",
        help=f"messages per uploaded chunk, one Lambda invocation each (default {CHUNK_MESSAGES})",
    )
    return parser


def _chunk_messages(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < BATCH_MESSAGES:
        raise argparse.ArgumentTypeError(
            f"expected a whole number of at least {BATCH_MESSAGES}, got {value!r}"
        )
    return number


def parse_target(url: str) -> Target:
    """`s3://BUCKET/backtest/in/RUN/` -> its bucket and run, or UsageError saying what a run's prefix is."""
    expected = f"s3://BUCKET/{IN_PREFIX}RUN/"
    if not url.startswith("s3://"):
        raise UsageError(f"--s3 takes an S3 URL, {expected}; got {url!r}")
    bucket, _, key = url.removeprefix("s3://").partition("/")
    run = key.removeprefix(IN_PREFIX).removesuffix("/")
    if not bucket or not key.startswith(IN_PREFIX) or not valid_run(run):
        raise UsageError(
            f"--s3 must name a run's input prefix, {expected} (RUN: letters, digits, '.', '_', '-', one path "
            f"segment of at most 80 characters, matching {RUN_PATTERN}); got {url!r}"
        )
    return Target(bucket=bucket, run=run)


def chunks(source: IO[str], name: str, chunk_messages: int, counts: Uploaded) -> Iterator[str]:
    """The input's lines, cut into chunks of about `chunk_messages` messages, each ending where one of the
    backtest's batches ends (`BATCH_MESSAGES`), so the chunks are scored in the same batches as the whole input.
    Bad lines are reported on stderr and kept (the run reports them too)."""
    lines: list[str] = []
    batch = gathered = 0
    for number, line in enumerate(source, start=1):
        lines.append(line if line.endswith("\n") else line + "\n")
        if not line.strip():
            continue
        try:
            conversation = parse_line(line, number)
        except BadLine as exc:
            counts.bad_lines += 1
            _err(f"{name}:{number}: {exc.message}; uploaded as it is: the run reports it in its output")
            continue
        counts.conversations += 1
        counts.messages += len(conversation.messages)
        batch += len(conversation.messages)
        if batch >= BATCH_MESSAGES:
            gathered, batch = gathered + batch, 0
            if gathered >= chunk_messages:
                yield "".join(lines)
                lines, gathered = [], 0
    if any(line.strip() for line in lines):
        yield "".join(lines)


class Launcher:
    """The stage's backtest: its state machine and bucket (from the Feedback stack's outputs), and the calls that
    upload a run's input and start it. Clients are boto3's (tests pass moto's)."""

    def __init__(self, stage: str, *, cloudformation: Any, s3: Any, stepfunctions: Any) -> None:
        self.stage = check_stage(stage)
        self.stack = f"{stack_prefix(stage)}-{FEEDBACK_CAPABILITY}"
        self._cfn = cloudformation
        self._s3 = s3
        self._sfn = stepfunctions

    def outputs(self) -> tuple[str, str]:
        """(state machine ARN, lake bucket name) of the stage."""
        try:
            (stack,) = self._cfn.describe_stacks(StackName=self.stack)["Stacks"]
        except Exception as exc:
            if _code(exc) == "ValidationError":
                raise OperationError(
                    f"no stack {self.stack} in this region: check --stage {self.stage!r} and the region (--region, "
                    f"AWS_REGION), or deploy it (`npx cdk deploy {self.stack} -c stage={self.stage}`)"
                ) from None
            raise
        outputs = {o.get("OutputKey"): o.get("OutputValue") for o in stack.get("Outputs") or []}
        if not outputs.get(STATE_MACHINE_OUTPUT) or not outputs.get(BUCKET_OUTPUT):
            raise OperationError(
                f"{self.stack} has no {STATE_MACHINE_OUTPUT} output: deploy it with this version of Baton "
                f"(`npx cdk deploy {self.stack} -c stage={self.stage}`)"
            )
        return str(outputs[STATE_MACHINE_OUTPUT]), str(outputs[BUCKET_OUTPUT])

    def holds_objects(self, target: Target) -> bool:
        listed = self._s3.list_objects_v2(Bucket=target.bucket, Prefix=input_prefix(target.run), MaxKeys=1)
        return bool(listed.get("KeyCount", 0))

    def upload(self, target: Target, source: IO[str], name: str, chunk_messages: int) -> Uploaded:
        counts = Uploaded()
        for text in chunks(source, name, chunk_messages, counts):
            counts.chunks += 1
            key = input_prefix(target.run) + CHUNK_NAME.format(counts.chunks)
            self._s3.put_object(
                Bucket=target.bucket, Key=key, Body=text.encode("utf-8"), ContentType="application/x-ndjson"
            )
            print(f"uploaded s3://{target.bucket}/{key}", file=sys.stderr, flush=True)
        return counts

    def start(self, state_machine: str, target: Target, params: str | None) -> str:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        started = self._sfn.start_execution(
            stateMachineArn=state_machine,
            name=f"{target.run}-{stamp}"[-80:],
            input=json.dumps({"run": target.run, "params": params}),
        )
        return str(started["executionArn"])


def main(argv: Sequence[str] | None = None, *, clients: dict[str, Any] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        target = parse_target(args.s3)
        check_stage(args.stage)
        params = _params(args.params)
        source = _open(args.input)
    except (UsageError, OperationError) as exc:
        _err(str(exc))
        return 2
    try:
        launcher = Launcher(args.stage, **(clients or _clients(args.region)))
        return _run(launcher, target, source, args, params)
    except UsageError as exc:
        _err(str(exc))
        return 2
    except OperationError as exc:
        _err(str(exc))
        return 1
    except Exception as exc:  # botocore's: no credentials, no region, a refusal
        if type(exc).__module__.startswith("botocore"):
            _err(_aws_message(exc))
            return 1
        raise
    finally:
        if source is not None and source is not sys.stdin:
            source.close()


def _run(launcher: Launcher, target: Target, source: IO[str] | None, args: Any, params: str | None) -> int:
    state_machine, bucket = launcher.outputs()
    if target.bucket != bucket:
        raise UsageError(
            f"stage {launcher.stage!r} backtests from its events lake bucket: use s3://{bucket}/"
            f"{input_prefix(target.run)} (got {args.s3})"
        )
    counts: Uploaded | None = None
    if source is not None:
        if launcher.holds_objects(target):
            raise UsageError(
                f"{target.url} already holds objects, and a run reads every object under its prefix: choose another "
                f"RUN, or start a run over them without INPUT"
            )
        counts = launcher.upload(target, source, args.input, args.chunk_messages)
        if not counts.chunks:
            raise UsageError(f"{args.input} has no conversation: nothing uploaded, no run started")
    elif not launcher.holds_objects(target):
        raise UsageError(f"nothing under {target.url}: give INPUT.jsonl to upload, or copy your chunks there")
    execution = launcher.start(state_machine, target, params)
    out = f"s3://{bucket}/{scored_prefix(target.run)}"
    what = (
        f" ({counts.chunks} chunks, {counts.conversations} conversations, {counts.messages} messages"
        + (f", {counts.bad_lines} bad lines" if counts.bad_lines else "")
        + ")"
        if counts
        else ""
    )
    print(
        "\n".join(
            (
                f"started  {execution}",
                f"input    {target.url}{what}",
                f"output   {out}  (per input object: the lines `baton backtest` writes for it)",
                f"summary  s3://{bucket}/{summary_prefix(target.run)}  (the map run's results, when it ends)",
                f"status   aws stepfunctions describe-execution --execution-arn {execution} --query status",
                f"fetch    aws s3 cp --recursive {out} {target.run}/ && cat {target.run}/* > {target.run}.jsonl",
            )
        )
    )
    return 0


def _params(path: Path | None) -> str | None:
    if path is None:
        return None
    from baton.decision.params import InvalidParams, deployable

    try:
        return deployable(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    except InvalidParams as exc:
        raise UsageError(f"{path}: {exc}") from None


def _open(path: str | None) -> IO[str] | None:
    if path is None:
        return None
    if path == "-":
        return sys.stdin
    try:
        return open(path, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None


def _clients(region: str | None) -> dict[str, Any]:
    import boto3
    from botocore.config import Config

    session = boto3.session.Session(region_name=region)
    config = Config(retries={"mode": "standard", "max_attempts": 5})
    return {name: session.client(name, config=config) for name in ("cloudformation", "s3", "stepfunctions")}


def _code(exc: Exception) -> str:
    response = getattr(exc, "response", None)
    return str((response or {}).get("Error", {}).get("Code", ""))


def _aws_message(exc: Exception) -> str:
    name = type(exc).__name__
    if name == "NoCredentialsError":
        return "no AWS credentials: set AWS_PROFILE or the AWS_* variables"
    if name == "NoRegionError":
        return "no AWS region: pass --region or set AWS_REGION"
    code = _code(exc)
    if code in ("AccessDenied", "AccessDeniedException", "UnauthorizedOperation"):
        return (
            f"AWS refused: {exc} (a run needs cloudformation:DescribeStacks, s3:ListBucket and s3:PutObject on the "
            "prefix with the lake key, and states:StartExecution)"
        )
    return f"AWS: {exc}"


def _err(message: str) -> None:
    print(f"baton backtest: {message}", file=sys.stderr, flush=True)
