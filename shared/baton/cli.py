"""The `baton` command line.

    baton local [--port N] [--data-dir D] [--demo] [--verbose]        the whole system on this machine
    baton events put FILE.json | list                                   the local bus and its archive
    baton dlq list | show ID | replay [ID ... | --all] | purge [ID ...] the local dead letters
    baton dlq list | show ID | replay --stage S [--region R]            a deployed stage's dead letters (SQS)
    baton demo load                                                     demo data into a running `baton local`
    baton helpdesk calls [--json] [--limit N]                           what the write-back sent the fake helpdesk
    baton outcomes export [--out F] [--from-s3 s3://B/P [--since D]]    outcomes from the local or the deployed events
    baton agents import FILE | list | status AGENT_ID STATUS            the agents Baton routes to
    baton decision params FILE | compare --outcomes F --challenger P    the decision's parameters, a challenger
    baton decision params history | rollback --stage S [--version N]    a deployed stage's parameters, undone
    baton schemas export [--out DIR]                                    JSON Schemas of the contracts
    baton train {intent,sentiment,encoder,decision,triggers,entities} ... train a model (`baton train KIND -h`)
    baton backtest INPUT.jsonl [--models DIR] [-o OUT] [--workers N]    score transcripts offline
    baton backtest [INPUT] --s3 s3://B/backtest/in/RUN/ --stage S       the same on AWS (Step Functions, Lambda)
    baton kpis [--from D] [--to D] [--json] [--table NAME]              the KPIs, as a table (or JSON)
    baton report [--from D --to D | --kpis FILE] [--out report.html]    the KPIs as an HTML report with charts

Every command finds the local data in the same place wherever it runs: --data-dir, else
$BATON_DATA_DIR, else `.baton/` of the Baton checkout it runs from, else `./.baton`.

Subcommands import what they need when they run, so `baton --help` stays fast. Exit codes: 0 done,
1 failed, 2 bad input or a missing prerequisite (the message says what to do).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

TRAIN_KINDS = ("intent", "sentiment", "encoder", "decision", "triggers", "entities", "handover")
DEFAULT_PORT = 8787


class UsageError(Exception):
    """Bad input from the user: printed without a traceback, exit code 2."""


class Failure(Exception):
    """A command that cannot do its work (the message says why and what to do): exit code 1."""


def _print_err(message: str) -> None:
    print(f"baton: {message}", file=sys.stderr, flush=True)


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError("must be greater than 0")
    return value


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError("must be between 1 and 65535")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


CONTEXT_COLUMNS = """columns (CSV header or JSONL keys; CSV lists separated by ';', empty cells absent):
  accounts   id, plan, annual_value, renewal_date, signup_date, health (healthy|at_risk|churning),
             segment, owner
  incidents  id, title, product_area, intents, keywords, status (active|resolved), eta
  activity   account_id, customer_id, page, recent_actions, errors_seen (JSON list of {at, code, message})
  history    account_id, customer_id, conversation_id, intent, closed_at, outcome
Other columns are ignored (and named). Format from the extension (.csv, .jsonl/.json) or --format."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="baton",
        description="Baton: decides when the support bot steps back and a human steps in.",
    )
    parser.add_argument("--version", action="version", version=f"baton {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    data_dir = argparse.ArgumentParser(add_help=False)
    data_dir.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        metavar="D",
        help="where `baton local` keeps its data (default: $BATON_DATA_DIR, else .baton/ in the Baton "
        "checkout, else ./.baton)",
    )

    _add_local(sub, data_dir)
    _add_bus(sub, data_dir)
    _add_helpdesk(sub, data_dir)
    _add_outcomes(sub, data_dir)
    _add_data(sub, data_dir)
    _add_agents(sub)
    _add_eval(sub)
    _add_tools(sub)
    _add_kpis(sub)
    _add_report(sub)
    _add_webhook(sub, data_dir)
    return parser


def _add_webhook(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], data_dir: argparse.ArgumentParser
) -> None:
    """`baton webhook send`: a helpdesk's webhook, signed, to the running `baton local`."""
    webhook = sub.add_parser("webhook", help="helpdesk webhooks for the local Baton").add_subparsers(
        dest="webhook_command", metavar="ACTION", required=True
    )
    send = webhook.add_parser(
        "send",
        parents=[data_dir],
        help="post a Zendesk or Intercom webhook payload to the running `baton local`, signed as the helpdesk signs",
        description="Post FILE (a webhook body as the helpdesk sends it, e.g. events/helpdesk/zendesk/*.json; `-` "
        "reads stdin) to the running `baton local`'s /v1/webhooks/<helpdesk>, signed with its local secret "
        "(Zendesk: HMAC-SHA256 of timestamp + body; Intercom: X-Hub-Signature sha1). Prints the answer.",
    )
    send.add_argument("helpdesk", choices=("zendesk", "intercom"))
    send.add_argument("file", metavar="FILE.json")
    send.set_defaults(func=cmd_webhook_send)


def _add_local(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], data_dir: argparse.ArgumentParser
) -> None:
    """`baton local`."""
    local = sub.add_parser(
        "local",
        parents=[data_dir],
        help="run the API, DynamoDB Local, the bus and its consumers on this machine",
        description="Run Baton on this machine: the API on 127.0.0.1, DynamoDB Local (persisted in the data "
        "dir), the event bus with its queues, retries and dead letters. Ctrl-C stops everything.",
    )
    local.add_argument(
        "--port",
        type=_port,
        default=DEFAULT_PORT,
        metavar="N",
        help=f"API port on 127.0.0.1 (default: {DEFAULT_PORT})",
    )
    local.add_argument("--demo", action="store_true", help="load the demo data once started")
    local.add_argument(
        "--verbose",
        action="store_true",
        help="print the handlers' INFO logs and metrics (EMF) too, not only warnings and the access log",
    )
    local.add_argument(
        "--retry-delay",
        type=_positive_float,
        default=1.0,
        metavar="S",
        help="first retry delay of a failed message in seconds, doubling per retry (default: 1)",
    )
    local.set_defaults(func=cmd_local)
    token = sub.add_parser(
        "token",
        parents=[data_dir],
        help="print the local API token (for `export BATON_API_TOKEN=$(baton token)`)",
        description="Print the API token of the `baton local` running on the data dir (else the one it will use: "
        "BATON_API_TOKEN, else the one kept in the data dir). `baton local` never prints it.",
    )
    token.set_defaults(func=cmd_token)
    console = sub.add_parser(
        "console",
        parents=[data_dir],
        help="print a new one-time link that signs a browser in to the local console",
        description="Ask the running `baton local` for a console link that signs one browser tab in (once, "
        "within an hour), as the banner's. The link holds a one-time code, never the token.",
    )
    console.set_defaults(func=cmd_console)


def _add_bus(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], data_dir: argparse.ArgumentParser
) -> None:
    """`baton events` and `baton dlq`: the local bus and its dead letters."""
    events = sub.add_parser("events", help="the local event bus").add_subparsers(
        dest="events_command", metavar="ACTION", required=True
    )
    put = events.add_parser(
        "put",
        parents=[data_dir],
        help="put an EventBridge event on the local bus, as a partner source would",
        description="Put events on the local bus: FILE holds an event envelope (source, detail-type, "
        "detail), a PutEvents entry (Source, DetailType, Detail) or a JSON list of them; `-` reads stdin.",
    )
    put.add_argument("file", metavar="FILE.json")
    put.set_defaults(func=cmd_events_put)
    listing = events.add_parser("list", parents=[data_dir], help="the newest events on the bus (its archive)")
    listing.add_argument(
        "--limit", type=_positive_int, default=20, metavar="N", help="how many (default: 20)"
    )
    listing.add_argument("--json", action="store_true", help="print the full events as JSON lines")
    listing.add_argument(
        "--conversation", metavar="ID", default=None, help="only the events of this conversation"
    )
    listing.set_defaults(func=cmd_events_list)

    dlq = sub.add_parser(
        "dlq", help="the dead letters: baton local's, or a deployed stage's with --stage"
    ).add_subparsers(dest="dlq_command", metavar="ACTION", required=True)
    stage = _deployed_stage_options()
    dlq_list = dlq.add_parser(
        "list", parents=[data_dir, stage], help="messages that failed all their deliveries"
    )
    dlq_list.add_argument("--json", action="store_true", help="print JSON lines")
    dlq_list.add_argument(
        "--limit",
        type=_positive_int,
        default=None,
        metavar="N",
        help="with --stage: dead letters read per DLQ (default: 20; they stay in the DLQ)",
    )
    dlq_list.set_defaults(func=cmd_dlq_list)
    show = dlq.add_parser(
        "show", parents=[data_dir, stage], help="one dead letter with its event and last error"
    )
    show.add_argument("id", metavar="ID", help="the id (or a unique prefix of it) from `baton dlq list`")
    show.set_defaults(func=cmd_dlq_show)
    replay = dlq.add_parser(
        "replay",
        parents=[data_dir, stage],
        help="put dead letters back into their queues",
        description="Locally: the dead letters named, or --all. With --stage: every dead letter of the consumers "
        "named (--consumer) or of all (--all), by an SQS message move task from each DLQ to its queue, and the "
        "target DLQ's events sent to the queue (docs/operations.md).",
    )
    replay.add_argument("ids", nargs="*", metavar="ID")
    replay.add_argument("--all", action="store_true", help="replay every dead letter")
    replay.add_argument(
        "--rate",
        type=_positive_int,
        default=None,
        metavar="N",
        help="with --stage: at most N messages a second per DLQ (default: as fast as SQS moves them)",
    )
    replay.add_argument(
        "--wait",
        action="store_true",
        help="with --stage: wait for the redrives to finish, with their progress",
    )
    replay.set_defaults(func=cmd_dlq_replay)
    purge = dlq.add_parser("purge", parents=[data_dir], help="delete dead letters (the ones named, or --all)")
    purge.add_argument("ids", nargs="*", metavar="ID")
    purge.add_argument("--all", action="store_true", help="delete every dead letter")
    purge.set_defaults(func=cmd_dlq_purge)


def _add_outcomes(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], data_dir: argparse.ArgumentParser
) -> None:
    """`baton outcomes export`: conversations with their outcomes, for the refit and the comparison."""
    outcomes = sub.add_parser("outcomes", help="conversations' outcomes and labels").add_subparsers(
        dest="outcomes_command", metavar="ACTION", required=True
    )
    export = outcomes.add_parser(
        "export",
        parents=[data_dir],
        help="write every conversation with an outcome, in the format `train decision --outcomes` reads",
        description="From the local bus's event archive, or a deployment's events lake with --from-s3 (events "
        "only: a replay gives the same lines): one JSON line per conversation with an outcome or a label, the "
        "backtest format plus `outcome: {label, csat, resolved_by, reopened, escalated_at_index}`.",
    )
    export.add_argument("--out", type=Path, metavar="FILE", help="write here (default: stdout)")
    export.add_argument(
        "--from-s3",
        metavar="s3://BUCKET/PREFIX",
        help="read a deployment's events lake instead (the Feedback stack's EventsLakeBucketName output; prefix "
        "default events/), with the AWS credentials and region of the environment",
    )
    export.add_argument(
        "--since", type=_day, metavar="YYYY-MM-DD", help="with --from-s3: events from this UTC day on"
    )
    export.add_argument(
        "--until",
        type=_day,
        metavar="YYYY-MM-DD",
        help="with --from-s3: events up to this UTC day (inclusive)",
    )
    export.set_defaults(func=cmd_outcomes_export)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a day (YYYY-MM-DD): {text!r}") from None


def cmd_outcomes_export(args: argparse.Namespace) -> int:
    from baton.feedback.export import export_lines

    if args.from_s3:
        return _outcomes_from_lake(args)
    if args.since or args.until:
        raise UsageError("--since and --until choose the events lake's days: give them with --from-s3")
    with _bus(_data_dir(args)) as bus:
        lines = list(export_lines(bus.archive_envelopes()))
    print(f"outcomes: {_write_outcomes(lines, args.out)}", file=sys.stderr)
    return 0


def _write_outcomes(lines: Sequence[dict[str, Any]], path: Path | None) -> str:
    """Write the lines (to `path`, else stdout); what was written, for the summary."""
    out = path.open("w", encoding="utf-8") if path else sys.stdout
    labels: dict[str | None, int] = {}
    try:
        for line in lines:
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
            label = line["outcome"]["label"]
            labels[label] = labels.get(label, 0) + 1
    finally:
        if path:
            out.close()
    counts = ", ".join(f"{count} {label or 'unlabelled'}" for label, count in sorted(labels.items(), key=str))
    return f"{sum(labels.values())} conversations exported ({counts or 'none'})"


def _outcomes_from_lake(args: argparse.Namespace) -> int:
    """`outcomes export --from-s3`: the same lines from the events lake's objects. Every object is read before
    anything is written, so a failure leaves no partial file."""
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

    from baton.feedback.export import LakeError, LakeRead, export_lines, lake_envelopes, parse_s3_url

    read = LakeRead()
    try:
        bucket, prefix = parse_s3_url(args.from_s3)
        client = boto3.client("s3", config=Config(retries={"mode": "standard", "max_attempts": 5}))
        envelopes = lake_envelopes(client, bucket, prefix, since=args.since, until=args.until, read=read)
        lines = list(export_lines(envelopes))
    except LakeError as exc:
        raise UsageError(str(exc)) from None
    except NoCredentialsError:
        raise Failure("no AWS credentials: set AWS_PROFILE or the AWS_* variables for --from-s3") from None
    except ClientError as exc:
        raise Failure(_s3_refusal(exc, args.from_s3)) from None
    except BotoCoreError as exc:
        raise Failure(f"S3: {exc}") from None
    url = f"s3://{bucket}/{prefix}"
    if not read.objects:
        _print_err(f"no objects under {url} for these days (the lake writes under events/dt=YYYY-MM-DD/)")
    skipped = f", {read.skipped} unreadable lines skipped" if read.skipped else ""
    summary = _write_outcomes(lines, args.out)
    print(
        f"outcomes: {summary} from {read.events} events in {read.objects} objects of {url}{skipped}",
        file=sys.stderr,
    )
    return 0


def _s3_refusal(exc: Any, url: str) -> str:
    error = exc.response.get("Error", {})
    code, message = error.get("Code"), error.get("Message")
    if code in ("NoSuchBucket", "404"):
        return f"no such bucket in {url} ({message}): check the Feedback stack's EventsLakeBucketName output"
    if code in ("AccessDenied", "AccessDeniedException", "403", "KMS.AccessDeniedException"):
        return (
            f"S3 refused {url}: {code}: {message} (reading the lake needs s3:ListBucket and s3:GetObject on it, "
            "and kms:Decrypt on its key)"
        )
    return f"S3 refused {url}: {code}: {message}"


def _add_helpdesk(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], data_dir: argparse.ArgumentParser
) -> None:
    """`baton helpdesk calls`: what `baton local`'s recording fake helpdesk received."""
    helpdesk = sub.add_parser("helpdesk", help="the local fake helpdesk").add_subparsers(
        dest="helpdesk_command", metavar="ACTION", required=True
    )
    calls = helpdesk.add_parser(
        "calls",
        parents=[data_dir],
        help="the requests the write-back sent to the fake helpdesk (Zendesk, Intercom), oldest first",
        description="Under `baton local` the helpdesk write-back calls no real helpdesk: each request it would "
        "have sent (method, URL, headers without the credential, JSON body) is recorded in "
        "<data dir>/helpdesk-calls.jsonl. This lists the newest ones.",
    )
    calls.add_argument("--limit", type=_positive_int, default=20, metavar="N", help="how many (default: 20)")
    calls.add_argument("--json", action="store_true", help="print the recorded requests as JSON lines")
    calls.set_defaults(func=cmd_helpdesk_calls)


def _add_data(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], data_dir: argparse.ArgumentParser
) -> None:
    """`baton demo`, `baton context` and `baton decision`: the data Baton decides with."""
    demo = sub.add_parser("demo", help="demo data").add_subparsers(
        dest="demo_command", metavar="ACTION", required=True
    )
    demo_load = demo.add_parser(
        "load",
        parents=[data_dir],
        help="load events/demo/ into a running `baton local`",
        description="Post the demo conversations through the running local API and write the demo accounts, "
        "agents and incidents to its context table.",
    )
    demo_load.add_argument("--url", help="the API (default: the running `baton local` of the data dir)")
    demo_load.add_argument(
        "--token", help="the API token (default: the running `baton local`'s, else BATON_API_TOKEN)"
    )
    demo_load.add_argument("--dir", type=Path, help="the demo data directory (default: events/demo)")
    demo_load.set_defaults(func=cmd_demo_load)

    context = sub.add_parser("context", help="business context for the decision").add_subparsers(
        dest="context_command", metavar="ACTION", required=True
    )
    context_import = context.add_parser(
        "import",
        parents=[data_dir],
        help="import accounts, incidents, activity or contact history from CSV or JSONL",
        description="Validate every row and store the good ones in the context table: the running `baton "
        "local`'s, or with --table a deployed one (AWS credentials from the environment). Bad rows are "
        "reported by line and field; the good rows are stored anyway; the exit code is 1 when a row was "
        "rejected.",
        epilog=CONTEXT_COLUMNS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    context_import.add_argument("kind", choices=("accounts", "incidents", "activity", "history"))
    context_import.add_argument("file", type=Path, metavar="FILE", help="a .csv or .jsonl file")
    context_import.add_argument("--format", choices=("csv", "jsonl"), help="default: from the extension")
    context_import.add_argument(
        "--table",
        help="a deployed context table (e.g. Dev-Core's ContextTableName output) instead of baton local's",
    )
    context_import.add_argument("--dry-run", action="store_true", help="validate only, store nothing")
    context_import.set_defaults(func=cmd_context_import)

    decision = sub.add_parser("decision", help="the decision engine's parameters").add_subparsers(
        dest="decision_command", metavar="ACTION", required=True
    )
    decision_params = decision.add_parser(
        "params",
        help="print a parameters document as the parameter store takes it",
        description="Validate a decision parameters document (e.g. a refitted layers/models/decision/params.json) "
        "and print it compact, without its fit block, ready for the SSM parameter the decide function reads "
        "(a full params.json is over the 8 KB an SSM parameter holds): aws ssm put-parameter --overwrite "
        "--tier Intelligent-Tiering "
        '--name /baton/<stage>/decide/decision_params_name --value "$(baton decision params FILE)". '
        "A document that does not validate exits 1 with every offending field named. "
        "`history --stage S` lists the versions of a deployed stage's parameter (SSM keeps 100); `rollback --stage S "
        "[--version N]` writes an earlier version's value again, as a new version (default: the last value before "
        "the current one), after validating it (docs/operations.md).",
    )
    decision_params.add_argument(
        "file",
        type=Path,
        metavar="FILE | history | rollback",
        help="a decision parameters JSON document; or `history` / `rollback` with --stage",
    )
    decision_params.add_argument(
        "--stage", type=_stage_name, metavar="STAGE", help="history, rollback: the deployed stage"
    )
    decision_params.add_argument(
        "--region", metavar="R", help="history, rollback: the stage's region (default: AWS_REGION)"
    )
    decision_params.add_argument(
        "--version",
        type=_positive_int,
        dest="to_version",
        metavar="N",
        help="rollback: the SSM version to go back to (default: the last value before the current one)",
    )
    decision_params.add_argument(
        "--challenger",
        action="store_true",
        help="history, rollback: the shadow challenger's parameter instead of the champion's",
    )
    decision_params.add_argument("--json", action="store_true", help="history: print JSON lines")
    decision_params.set_defaults(func=cmd_decision_params)
    compare = decision.add_parser(
        "compare",
        help="champion against challenger on conversations with known outcomes, and the promotion verdict",
        description="Replay conversations with known outcomes (`baton outcomes export`: the backtest input format "
        "plus `outcome` per line) through scoring once and the decision twice, with the champion's and the "
        "challenger's parameters, and compare their expected cost (a missed escalation costs --cost-missed, a false "
        "one --cost-false), with a paired bootstrap interval of the difference, their missed and false escalation "
        "rates, and the conversations where they differ. Prints the verdict of the promotion rule (docs/decision.md, "
        '"Shadow challenger and promotion"); nothing is promoted automatically. Exit 0, or 1 with --fail-on-worse '
        "when the challenger is significantly worse; 2 for bad input.",
    )
    compare.add_argument(
        "--outcomes",
        type=Path,
        required=True,
        metavar="FILE",
        help="conversations with their outcome (JSONL)",
    )
    compare.add_argument(
        "--champion",
        type=Path,
        metavar="PARAMS",
        help="the parameters in use (default: the shipped document)",
    )
    compare.add_argument(
        "--challenger", type=Path, required=True, metavar="PARAMS", help="the candidate parameters"
    )
    compare.add_argument("--cost-missed", type=_positive_float, default=5.0, metavar="C", help="default: 5")
    compare.add_argument("--cost-false", type=_positive_float, default=1.0, metavar="C", help="default: 1")
    compare.add_argument("--seed", type=int, default=0, help="the bootstrap's seed (default: 0)")
    compare.add_argument(
        "--bootstrap",
        type=_positive_int,
        default=2000,
        metavar="N",
        help="bootstrap resamples (default: 2000)",
    )
    compare.add_argument("--models", type=Path, metavar="DIR", help="models replacing the shipped ones")
    compare.add_argument("--json", action="store_true", help="print the figures as JSON")
    compare.add_argument(
        "--fail-on-worse",
        action="store_true",
        help="exit 1 when the challenger is significantly worse (the interval of the difference above 0): for CI",
    )
    compare.set_defaults(func=cmd_decision_compare)


AGENT_COLUMNS = """columns (CSV header or JSONL keys):
  id, name, languages, capacity    required
  email, product_areas, skills, status, helpdesk_id, team   optional (an empty cell is no value)
  languages      BCP 47 tags (en, pt-BR); lists are separated by ';' in CSV, a JSON array or ';' in JSONL
  product_areas  the intent taxonomy's areas; skills: its skills (an unknown one names the valid ones)
  capacity       conversations at once, 0 to 100
  status         online|away|offline; without one an agent keeps its current status (a new one: offline)
Other columns are an error. A later row with an earlier row's id is rejected. Format from the extension
(.csv, .jsonl/.json) or --format. Samples: events/demo/agents.jsonl, events/demo/agents.csv."""


def _local_or_table(parser: argparse.ArgumentParser, table: str, output: str) -> None:
    """--data-dir (the running `baton local`) or --table (a deployed `table` table, named by Dev-Core's `output`),
    not both."""
    target = parser.add_mutually_exclusive_group()
    target.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        metavar="D",
        help="the running `baton local`'s data dir (default: $BATON_DATA_DIR, else .baton/ in the Baton "
        "checkout, else ./.baton)",
    )
    target.add_argument(
        "--table",
        metavar="NAME",
        help=f"a deployed {table} table (e.g. Dev-Core's {output} output) instead of baton local's; "
        "AWS credentials and region from the environment",
    )


def _agents_target(parser: argparse.ArgumentParser) -> None:
    _local_or_table(parser, "routing", "RoutingTableName")


def _add_agents(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`baton agents`: the agents Baton routes to (the routing table's agent directory)."""
    agents = sub.add_parser("agents", help="the agents Baton routes escalations to").add_subparsers(
        dest="agents_command", metavar="ACTION", required=True
    )
    agents_import = agents.add_parser(
        "import",
        help="create or update agents from CSV or JSONL",
        # Raw (the columns' layout): the description carries its own line breaks.
        description="Check every row, then store the valid agents in the routing table: the running\n"
        "`baton local`'s, or with --table a deployed one. A re-imported agent keeps its load (its open\n"
        "assignments). Bad rows are reported with their line and field and the good ones stored anyway;\n"
        "the exit code is 1 when a row was rejected. A file that cannot be used at all (unreadable, a\n"
        "column missing or unknown) stores nothing.",
        epilog=AGENT_COLUMNS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    agents_import.add_argument("file", type=Path, metavar="FILE", help="a .csv or .jsonl file")
    agents_import.add_argument("--format", choices=("csv", "jsonl"), help="default: from the extension")
    agents_import.add_argument(
        "--dry-run", action="store_true", help="check only, store nothing (needs no `baton local`)"
    )
    _agents_target(agents_import)
    agents_import.set_defaults(func=cmd_agents_import)

    listing = agents.add_parser(
        "list",
        help="the agents with their status, load and open assignments",
        description="Every agent, sorted by id: status, load/capacity, languages, product areas, skills and "
        "open assignments (conversations assigned and not yet released).",
    )
    listing.add_argument("--json", action="store_true", help="print one JSON object per agent")
    _agents_target(listing)
    listing.set_defaults(func=cmd_agents_list)

    status = agents.add_parser(
        "status",
        help="set an agent online, away or offline",
        description="Set an agent's status, as a helpdesk presence integration does with an "
        "AgentStatusChanged event. With a running `baton local` whose bus routes AgentStatusChanged to a "
        "consumer, the event is put on the local bus and that consumer applies it (the command writes "
        "nothing itself, so the change is applied once); otherwise, and always with --table, the status is "
        "written to the routing table directly. An unknown agent exits 2.",
    )
    status.add_argument("agent_id", metavar="AGENT_ID")
    status.add_argument("status", choices=("online", "away", "offline"))
    _agents_target(status)
    status.set_defaults(func=cmd_agents_status)


def _add_eval(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`baton eval`: measurements on labelled sets."""
    evaluate = sub.add_parser("eval", help="measure on a labelled set").add_subparsers(
        dest="eval_command", metavar="WHAT", required=True
    )
    eval_triggers = evaluate.add_parser(
        "triggers",
        help="precision and recall of each guardrail trigger on a labelled JSONL set",
        description='Run the guardrails (patterns OR the trigger model) and the human-request signal over {"text", "triggers": [codes]} lines '
        "(e.g. events/labelled/triggers-test.jsonl) and print precision, recall and support per trigger.",
    )
    eval_triggers.add_argument("file", type=Path, metavar="FILE", help="a labelled JSONL set")
    eval_triggers.add_argument("--params", type=Path, metavar="P", help="a decision parameters document")
    eval_triggers.add_argument("--errors", action="store_true", help="also list every message scored wrong")
    eval_triggers.add_argument(
        "--models",
        type=Path,
        metavar="DIR",
        help="models replacing the default ones (a `baton train` output)",
    )
    eval_triggers.add_argument(
        "--patterns-only", action="store_true", help="measure the patterns alone, without the trigger model"
    )
    eval_triggers.set_defaults(func=cmd_eval_triggers)
    eval_conversations = evaluate.add_parser(
        "conversations",
        help="escalation rates and peak-risk AUROC on labelled conversations",
        description="Run `baton backtest` over conversations labelled with `expected` (escalate|resolve), "
        "optionally `escalate_by` (customer message number) and `borderline`, e.g. "
        "events/labelled/support_conversations.jsonl, and print how many of each were escalated (in time) and "
        "how well the peak risk orders them.",
    )
    eval_conversations.add_argument("file", type=Path, metavar="FILE", help="labelled backtest input (JSONL)")
    eval_conversations.add_argument("--params", type=Path, metavar="P", help="a decision parameters document")
    eval_conversations.add_argument(
        "--models", type=Path, metavar="DIR", help="models replacing the shipped ones"
    )
    eval_conversations.add_argument("--json", action="store_true", help="print the figures as JSON")
    eval_conversations.add_argument(
        "--errors",
        action="store_true",
        help="also list every conversation decided against its label: escalated late or never, or escalated "
        "although labelled resolve (ids, where and why; never the text)",
    )
    eval_conversations.set_defaults(func=cmd_eval_conversations)
    eval_sentiment = evaluate.add_parser(
        "sentiment",
        help="frustration on labelled customer messages (calm | frustrated)",
        description='Score {"text", "label": "calm"|"frustrated"} lines (e.g. events/labelled/support_contrast.jsonl) '
        "and print the AUROC of frustration, the mean frustration of each label and, with `kind`, per kind.",
    )
    eval_sentiment.add_argument("file", type=Path, metavar="FILE", help="a labelled JSONL set")
    eval_sentiment.add_argument(
        "--models", type=Path, metavar="DIR", help="models replacing the shipped ones"
    )
    eval_sentiment.set_defaults(func=cmd_eval_sentiment)


def _add_tools(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`baton schemas`, `baton train` and `baton backtest`."""
    schemas = sub.add_parser("schemas", help="JSON Schemas of the event and API contracts").add_subparsers(
        dest="schemas_command", metavar="ACTION", required=True
    )
    export = schemas.add_parser("export", help="write the JSON Schemas")
    export.add_argument(
        "--out",
        type=Path,
        default=Path("events/schemas"),
        metavar="DIR",
        help="output directory (default: events/schemas)",
    )
    export.set_defaults(func=cmd_schemas_export)

    train = sub.add_parser(
        "train",
        help="train a model (ONNX + model card) from your data",
        description="Train a model: `baton train KIND --help` lists KIND's options (data, format, output).",
    )
    train.add_argument("kind", choices=TRAIN_KINDS, help="which model")
    train.add_argument("args", nargs=argparse.REMAINDER, help="the training command's own arguments")
    train.set_defaults(func=cmd_train)
    backtest = sub.add_parser(
        "backtest",
        help="score conversations from a JSONL file, offline (`baton backtest -h`)",
        add_help=False,
        prefix_chars="\0",  # every argument, -h included, goes to the backtest command itself
    )
    backtest.add_argument("args", nargs=argparse.REMAINDER)
    backtest.set_defaults(func=cmd_backtest)


def _add_report(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`baton report`: the KPIs as one HTML file with charts, for a support lead."""
    report = sub.add_parser(
        "report",
        help="write the KPIs as a self-contained HTML report with charts (opens offline)",
        description="Write the KPIs as one HTML file a support lead opens in a browser, offline: the headline "
        "figures, the escalation rate over time, the reasons and intents driving escalations, the outcome mix, "
        "the calibration curve and the week-over-week drift, each chart with a few words on how to read it. "
        "The KPIs are those `baton kpis` shows (the same options), or a saved copy with --kpis. The charts need "
        "matplotlib (pip install 'baton[report]').",
    )
    kpi_source(report)
    report.add_argument(
        "--kpis",
        type=Path,
        metavar="FILE",
        help="the KPIs from a file instead: a saved `GET /v1/kpis` response or `baton kpis --json` output",
    )
    report.add_argument(
        "--out",
        type=Path,
        default=Path("report.html"),
        metavar="FILE",
        help="where to write the report (default: report.html)",
    )
    report.set_defaults(func=cmd_report)


KPI_DEFAULT_DAYS = 28
KPI_MAX_DAYS = 366


def kpi_source(parser: argparse.ArgumentParser) -> None:
    """--from/--to (the days) and where the KPIs come from: --data-dir (the running `baton local`) or --table (a
    deployed conversations table), not both. `load_kpis(args)` reads what these parse."""
    parser.add_argument(
        "--from",
        dest="start",
        type=_day,
        metavar="YYYY-MM-DD",
        help=f"first day (UTC) of the conversations counted (default: the {KPI_DEFAULT_DAYS} days up to --to)",
    )
    parser.add_argument(
        "--to", dest="end", type=_day, metavar="YYYY-MM-DD", help="last day (UTC), inclusive (default: today)"
    )
    _local_or_table(parser, "conversations", "ConversationsTableName")


def _add_kpis(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`baton kpis`: what `GET /v1/kpis` answers, as a table."""
    kpis = sub.add_parser(
        "kpis",
        help="the KPIs: escalation rate, containment, false and missed escalations, timings, CSAT, drivers, drift",
        description="The KPIs of the conversations that started from --from to --to (UTC days, inclusive; at "
        f"most {KPI_MAX_DAYS}): totals, by week, the top intents, pages, incidents and reasons driving "
        "escalations, and the week-over-week drift. Read from the KPI buckets of the running `baton local`, or "
        "of a deployed conversations table with --table (docs/kpis.md).",
    )
    kpi_source(kpis)
    kpis.add_argument("--json", action="store_true", help="print the KPIs as `GET /v1/kpis` answers them")
    kpis.set_defaults(func=cmd_kpis)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("baton")
    except PackageNotFoundError:
        from baton import __version__

        return __version__


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:  # `baton` alone: what it can do, not an error
        parser.print_help()
        return 0
    from baton.checkout import export_models_dir
    from baton.errors import BatonError

    # The runtime code the commands run reads BATON_MODELS_DIR (never a checkout's layout): from a checkout,
    # its layers/models unless the variable says otherwise.
    export_models_dir()

    try:
        return int(args.func(args) or 0)
    except UsageError as exc:
        _print_err(str(exc))
        return 2
    except Failure as exc:
        _print_err(str(exc))
        return 1
    except BatonError as exc:
        _print_err(str(exc))
        return 2 if _is_prerequisite(exc) else 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`baton events list | head`): not an error. Point stdout at devnull so the
        # interpreter's final flush does not raise again on the closed pipe.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _is_prerequisite(exc: Exception) -> bool:
    from baton.local.dynamodb_local import DynamoDBLocalMissing, JavaMissing

    return isinstance(exc, JavaMissing | DynamoDBLocalMissing)


# -- baton local ------------------------------------------------------------------------------------


def cmd_local(args: argparse.Namespace) -> int:
    from baton.local.runtime import LocalAlreadyRunning, LocalConfig, LocalRuntime
    from baton.local.server import PortInUse

    config = LocalConfig.resolve(
        port=args.port,
        data_dir=args.data_dir,
        demo=args.demo,
        retry_delay_s=args.retry_delay,
        verbose=args.verbose,
    )
    runtime = LocalRuntime(config)
    print(f"Starting Baton (data in {config.data_dir}) ...", flush=True)

    def started(rt: LocalRuntime) -> None:
        print(rt.banner(), flush=True)
        if config.demo:
            _load_demo_into(rt)

    try:
        runtime.run(on_started=started)
    except PortInUse as exc:
        _print_err(str(exc))
        return 2
    except LocalAlreadyRunning as exc:
        _print_err(str(exc))
        return 2
    print("Baton stopped.", flush=True)
    return 0


def _load_demo_into(runtime: Any) -> None:
    from baton.local import demo

    try:
        names = runtime.table_names()
        table = demo.context_table(runtime.dynamodb.endpoint, names["context"])
        agents = demo.agent_directory(runtime.dynamodb.endpoint, _routing_table(names))
        summary = demo.load(
            url=runtime.server.url, token=runtime.config.token, context_table=table, agents=agents
        )
    except (demo.DemoError, UsageError) as exc:
        # The system is up: a demo problem is reported, not fatal.
        _print_err(f"demo data not loaded: {exc}")
        return
    print(summary.describe(), flush=True)


# -- baton events -----------------------------------------------------------------------------------


def _data_dir(args: argparse.Namespace) -> Path:
    """The data dir of this command, absolute (every message names it)."""
    from baton.local.runtime import default_data_dir

    return args.data_dir.expanduser().resolve() if args.data_dir else default_data_dir()


def _bus(data_dir: Path, *, create: bool = False) -> Any:
    """The local bus of `data_dir`. Unless `create`, the data must exist: a command that only reads
    (or acts on what is there) never leaves an empty data dir behind."""
    from baton.local.bus import LocalBus
    from baton.local.runtime import bus_path

    if not create and not bus_path(data_dir).is_file():
        raise Failure(f"no local data at {data_dir} (start `baton local` first or pass --data-dir)")
    return LocalBus(bus_path(data_dir))


def _running(data_dir: Path) -> dict[str, Any] | None:
    from baton.local.runtime import read_runtime

    return read_runtime(data_dir)


def _read_events(name: str) -> list[Any]:
    try:
        text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read {name}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise UsageError(f"{name}: not UTF-8 text") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"{name}: not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    entries = data if isinstance(data, list) else [data]
    if not entries:
        raise UsageError(f"{name}: the list holds no events")
    return entries


def cmd_events_put(args: argparse.Namespace) -> int:
    from baton.local.bus import MAX_ENTRIES_PER_PUT, InvalidEvent, to_envelope

    entries = _read_events(args.file)
    many = len(entries) > 1
    try:
        for i, entry in enumerate(entries):  # all or nothing: check every event before putting any
            to_envelope(entry, where=f"[{i}]." if many else "")
    except InvalidEvent as exc:
        raise UsageError(f"{args.file}: {exc.field}: {exc.message}") from None
    results = []
    data_dir = _data_dir(args)
    with _bus(data_dir, create=True) as bus:
        for start in range(0, len(entries), MAX_ENTRIES_PER_PUT):
            results += bus.put_events(entries[start : start + MAX_ENTRIES_PER_PUT])
    for result in results:
        head = f"event {result.event_id} ({result.source} / {result.detail_type})"
        if result.rules:
            print(f"{head} -> " + ", ".join(f"rule {name} -> queue {name}" for name in result.rules))
        else:
            print(f"{head} matched no rule")
    if any(r.rules for r in results):
        running = _running(data_dir)
        if running:
            print(f"The running `baton local` (pid {running['pid']}, data in {data_dir}) delivers it now.")
        else:
            print(f"Queued in {data_dir}: {_local_command(data_dir)} delivers it when it starts.")
    return 0


def _local_command(data_dir: Path) -> str:
    import shlex

    from baton.local.runtime import baton_command, default_data_dir

    where = "" if data_dir == default_data_dir({}) else f" --data-dir {shlex.quote(str(data_dir))}"
    return f"`{baton_command()} local{where}`"


def cmd_events_list(args: argparse.Namespace) -> int:
    with _bus(_data_dir(args)) as bus:
        events = bus.archived_events(args.limit, conversation_id=args.conversation)
    if args.json:
        for event in events:
            print(json.dumps({"rules": list(event.rules), "event": event.envelope}))
        return 0
    if not events:
        print(
            f"No events of {args.conversation!r} on the bus."
            if args.conversation
            else "No events on the bus yet."
        )
        return 0
    rows = [
        (e.time, e.detail_type, *_what(e.envelope), ", ".join(e.rules) or "(no rule)", e.event_id)
        for e in events
    ]
    _table(("TIME", "DETAIL-TYPE", "CONVERSATION", "SEQ", "WHAT", "RULES", "ID"), rows)
    return 0


def _what(envelope: dict[str, Any]) -> tuple[str, str, str]:
    """(conversation, seq, what happened) of an archived event: the action and risk of a decision, the kind of an
    outcome, the label of a label..."""
    found = envelope.get("detail")
    detail: dict[str, Any] = found if isinstance(found, dict) else {}
    seq = detail.get("seq")
    if "action" in detail:
        risk = detail.get("risk")
        what = (
            f"{detail['action']} (risk {risk:.2f})"
            if isinstance(risk, int | float)
            else str(detail["action"])
        )
    elif "label" in detail:
        what = str(detail["label"])
    elif "kind" in detail:
        what = str(detail["kind"]) + (f" csat {detail['csat']}" if detail.get("csat") else "")
    elif isinstance(detail.get("message"), dict):
        what = str(detail["message"].get("role", ""))
    elif isinstance(detail.get("assignment"), dict):
        what = f"assigned to {detail['assignment'].get('agent_id')}"
    else:
        what = "-"
    return str(detail.get("conversation_id") or "-"), "-" if seq is None else str(seq), what


# -- baton dlq --------------------------------------------------------------------------------------


def cmd_dlq_list(args: argparse.Namespace) -> int:
    if args.stage:
        return _stage_dlq_list(args)
    _local_dlq_only(args)
    with _bus(_data_dir(args)) as bus:
        letters = bus.dead_letters()
    if args.json:
        for letter in letters:
            print(json.dumps(letter.as_dict()))
        return 0
    if not letters:
        print("No dead letters.")
        return 0
    rows = []
    for letter in letters:
        info = letter.as_dict()
        error = " ".join(letter.last_error.split())
        rows.append(
            (
                letter.message_id,
                letter.queue,
                str(letter.receive_count),
                info["failed_at"],
                f"{letter.source} / {letter.detail_type}",
                error[:80] + ("..." if len(error) > 80 else ""),
            )
        )
    _table(("ID", "QUEUE", "RECEIVES", "FAILED AT", "EVENT", "LAST ERROR"), rows)
    return 0


def cmd_dlq_show(args: argparse.Namespace) -> int:
    from baton.local.bus import DeadLetterNotFound

    if args.stage:
        return _stage_dlq_show(args)
    _local_dlq_only(args)
    with _bus(_data_dir(args)) as bus:
        try:
            letter = bus.dead_letter(args.id)
        except DeadLetterNotFound as exc:
            raise UsageError(str(exc)) from None
    print(json.dumps(letter.as_dict(), indent=2))
    return 0


def cmd_dlq_replay(args: argparse.Namespace) -> int:
    from baton.local.bus import DeadLetterNotFound

    if args.stage:
        return _stage_dlq_replay(args)
    _local_dlq_only(args)
    if bool(args.ids) == bool(args.all):
        raise UsageError("dlq replay: give dead-letter ids or --all (not both)")
    data_dir = _data_dir(args)
    with _bus(data_dir) as bus:
        try:
            letters = bus.replay(None if args.all else args.ids)
        except DeadLetterNotFound as exc:
            raise UsageError(str(exc)) from None
    if not letters:
        print("No dead letters to replay.")
        return 0
    queues = sorted({letter.queue for letter in letters})
    print(f"Replayed {len(letters)} message(s) into {', '.join(queues)}.")
    running = _running(data_dir)
    print(
        f"The running `baton local` (pid {running['pid']}) delivers them now."
        if running
        else f"{_local_command(data_dir)} delivers them when it starts."
    )
    return 0


def cmd_dlq_purge(args: argparse.Namespace) -> int:
    from baton.local.bus import DeadLetterNotFound

    if bool(args.ids) == bool(args.all):
        raise UsageError(
            "dlq purge: give dead-letter ids or --all (not both); a purged event is gone for good"
        )
    with _bus(_data_dir(args)) as bus:
        try:
            count = bus.purge_dead_letters(None if args.all else args.ids)
        except DeadLetterNotFound as exc:
            raise UsageError(str(exc)) from None
    print(f"Deleted {count} dead letter(s).")
    return 0


# -- baton dlq --stage: a deployed stage's dead letters (baton.operations.dlq) -----------------------


def _stage_name(text: str) -> str:
    from baton.operations import OperationError, check_stage

    try:
        return check_stage(text)
    except OperationError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix("--stage ")) from None


def _deployed_stage_options() -> argparse.ArgumentParser:
    """`--stage`, `--region`, `--consumer`: a deployed stage's DLQs instead of baton local's."""
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument(
        "--stage",
        type=_stage_name,
        metavar="STAGE",
        help="a deployed stage (as `cdk deploy -c stage=STAGE`) instead of baton local, with the AWS credentials "
        "of the environment",
    )
    options.add_argument(
        "--region",
        metavar="R",
        help="with --stage: the stage's region (default: AWS_REGION or the profile's)",
    )
    options.add_argument(
        "--consumer",
        action="append",
        default=[],
        metavar="NAME",
        help="with --stage: only this consumer's DLQs (repeatable; `score`, `decide`, ...)",
    )
    return options


def _local_dlq_only(args: argparse.Namespace) -> None:
    """The options that only mean something for a deployed stage, refused without --stage."""
    for option in ("region", "consumer", "limit", "rate", "wait"):
        if getattr(args, option, None):
            raise UsageError(f"--{option} is for a deployed stage's DLQs: add --stage STAGE")


def _stage_failures(command: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """AWS refusing (no credentials, no region, access denied) and a stage that cannot be read, as messages."""

    @functools.wraps(command)
    def run(args: argparse.Namespace) -> int:
        from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, NoRegionError

        from baton.operations import OperationError

        try:
            return command(args)
        except OperationError as exc:
            raise Failure(str(exc)) from None
        except NoRegionError:
            raise UsageError("no AWS region: pass --region or set AWS_REGION") from None
        except NoCredentialsError:
            raise Failure("no AWS credentials: set AWS_PROFILE or the AWS_* variables") from None
        except ClientError as exc:
            error = exc.response.get("Error", {})
            raise Failure(
                f"AWS refused {exc.operation_name}: {error.get('Code')}: {error.get('Message')} "
                "(the permissions this needs: docs/operations.md, Dead letters)"
            ) from None
        except BotoCoreError as exc:
            raise Failure(f"AWS: {exc}") from None

    return run


def _stage_session(args: argparse.Namespace) -> Any:
    import boto3

    return boto3.Session(region_name=args.region)


def _stage_dlq(args: argparse.Namespace) -> tuple[Any, str]:
    """The stage's DLQs (baton.operations.dlq.DeployedDlq) and `<stage> (<region>)` for messages."""
    from botocore.config import Config

    from baton.operations.dlq import DeployedDlq

    if args.data_dir:
        raise UsageError("--stage reads a deployed stage, --data-dir baton local's data: give one of them")
    session = _stage_session(args)
    config = Config(retries={"mode": "standard", "max_attempts": 5})
    dlq = DeployedDlq(
        args.stage,
        cloudformation=session.client("cloudformation", config=config),
        sqs=session.client("sqs", config=config),
        logs=session.client("logs", config=config),
    )
    return dlq, f"stage {args.stage} ({session.region_name})"


@_stage_failures
def _stage_dlq_list(args: argparse.Namespace) -> int:
    from baton.operations.dlq import WHICH

    dlq, where = _stage_dlq(args)
    consumers = dlq.consumers(args.consumer)
    limit = args.limit or 20
    states = [dlq.state(consumer, which) for consumer in consumers for which in WHICH]
    letters = {
        (s.consumer.consumer, s.which): (
            dlq.peek(s.consumer, s.which, limit=limit)
            if (s.messages or s.in_flight) and not (s.redrive and s.redrive.running)
            else []
        )
        for s in states
    }
    if args.json:
        for s in states:
            found = letters[(s.consumer.consumer, s.which)]
            print(json.dumps({**s.as_dict(), "letters": [letter.as_dict() for letter in found]}))
        return 0
    busy = [s for s in states if s.messages or s.in_flight or (s.redrive and s.redrive.running)]
    if not busy:
        print(
            f"No dead letters on {where}: the {len(states)} DLQs of {len(consumers)} consumer(s) are empty."
        )
        return 0
    print(
        f"Dead letters on {where}, in {len(busy)} of the {len(states)} DLQs of {len(consumers)} consumer(s):"
    )
    _table(
        ("CONSUMER", "DLQ", "MESSAGES", "IN FLIGHT", "LAST REDRIVE"),
        [
            (
                s.consumer.consumer,
                s.which,
                str(s.messages),
                str(s.in_flight),
                s.redrive.describe() if s.redrive else "-",
            )
            for s in busy
        ],
    )
    rows = []
    for s in busy:
        for letter in letters[(s.consumer.consumer, s.which)]:
            error = " ".join((letter.error or "-").split())
            rows.append(
                (
                    letter.id,
                    letter.consumer,
                    letter.dlq,
                    letter.sent_at or "-",
                    str(letter.receive_count),
                    letter.detail_type,
                    letter.conversation_id,
                    letter.seq,
                    error[:80] + ("..." if len(error) > 80 else ""),
                )
            )
    if rows:
        print()
        _table(
            ("ID", "CONSUMER", "DLQ", "SENT AT", "RECEIVES", "EVENT", "CONVERSATION", "SEQ", "ERROR"), rows
        )
    shown = sum(len(found) for found in letters.values())
    total = sum(s.messages + s.in_flight for s in busy)
    if shown < total:
        print(f"\n{shown} of about {total} shown (--limit N per DLQ; a running redrive hides its DLQ's).")
    return 0


@_stage_failures
def _stage_dlq_show(args: argparse.Namespace) -> int:
    dlq, _ = _stage_dlq(args)
    letter = dlq.find(dlq.consumers(args.consumer), args.id)
    print(json.dumps(letter.as_dict(), indent=2))
    return 0


@_stage_failures
def _stage_dlq_replay(args: argparse.Namespace) -> int:
    if args.ids:
        raise UsageError(
            "dlq replay --stage moves whole DLQs (an SQS message move task takes no message ids): name the "
            "consumers with --consumer NAME, or --all"
        )
    if bool(args.consumer) == bool(args.all):
        raise UsageError("dlq replay --stage: give --consumer NAME (repeatable) or --all (not both)")
    from baton.operations.dlq import MOVE_RATE_MAX

    if args.rate is not None and args.rate > MOVE_RATE_MAX:
        raise UsageError(f"--rate: SQS moves at most {MOVE_RATE_MAX} messages a second")
    dlq, where = _stage_dlq(args)
    failed = False
    started = []
    for consumer in dlq.consumers(args.consumer):
        result = dlq.replay(consumer, rate=args.rate)
        failed = _print_replayed(result) or failed
        if result.task_handle:
            started.append(consumer)
    if started and args.wait:
        for consumer in started:
            task = dlq.wait(
                consumer, progress=lambda t, c=consumer: print(f"{c.consumer}: {t.describe()}", flush=True)
            )
            print(f"{consumer.consumer}: {task.describe() if task else 'no redrive found'}")
            failed = failed or task is None or task.status != "COMPLETED"
    elif started:
        print(
            f"Progress on {where}: `baton dlq list --stage {args.stage}` (LAST REDRIVE), or replay with --wait."
        )
    return 1 if failed else 0


def _print_replayed(result: Any) -> bool:
    """What `replay` did for one consumer; True when a target-DLQ event could not be sent."""
    name = result.consumer
    if result.task_handle:
        print(
            f"{name}: redrive started, about {result.dlq_messages} message(s) from its DLQ back to its queue "
            f"(move task {result.task_handle})"
        )
    if result.target_sent:
        print(f"{name}: {result.target_sent} event(s) of its target DLQ put on its queue")
    if result.target_left:
        print(
            f"{name}: {result.target_left} message(s) left in its target DLQ (schedule ticks, which the next tick "
            "replaces, messages that are not events, or failed sends)"
        )
    for failure in result.target_failed:
        _print_err(f"{name}: target DLQ message not sent: {failure}")
    if not (result.task_handle or result.target_sent or result.target_left):
        print(f"{name}: no dead letters")
    return bool(result.target_failed)


# -- baton helpdesk --------------------------------------------------------------------------------


def cmd_helpdesk_calls(args: argparse.Namespace) -> int:
    from baton.local.helpdesk import calls_path, read_calls, summary

    data_dir = _data_dir(args)
    if not data_dir.is_dir():
        raise Failure(f"no local data at {data_dir} (start `baton local` first or pass --data-dir)")
    calls = read_calls(calls_path(data_dir), args.limit)
    if args.json:
        for call in calls:
            print(json.dumps(call, ensure_ascii=False))
        return 0
    if not calls:
        print(f"No helpdesk calls recorded yet ({calls_path(data_dir)}).")
        return 0
    rows = [
        (
            str(call.get("at", "")),
            str(call.get("helpdesk", "")),
            str(call.get("method", "")),
            str(call.get("url", "")),
            summary(call),
        )
        for call in calls
    ]
    _table(("TIME", "HELPDESK", "METHOD", "URL", "WHAT"), rows)
    return 0


# -- baton demo / schemas ---------------------------------------------------------------------------


def cmd_demo_load(args: argparse.Namespace) -> int:
    from baton.local import demo

    data_dir = _data_dir(args)
    running = _running(data_dir)
    if running is None:
        raise UsageError(
            f"no `baton local` is running on {data_dir}: start it (or run `baton local --demo`), "
            "or pass --data-dir"
        )
    url = args.url or running["url"]
    # The running instance's token first: one exported from an earlier run may be stale.
    token = args.token or running.get("token") or os.environ.get("BATON_API_TOKEN")
    if not token:
        raise UsageError("no API token: pass --token or set BATON_API_TOKEN")
    table = demo.context_table(running["dynamodb_endpoint"], running["tables"]["context"])
    agents = demo.agent_directory(running["dynamodb_endpoint"], _routing_table(running["tables"], running))
    summary = demo.load(url=url, token=token, context_table=table, agents=agents, directory=args.dir)
    print(summary.describe())
    return 0


def cmd_context_import(args: argparse.Namespace) -> int:
    from baton.context.importer import import_file
    from baton.context.store import DynamoContextStore, MemoryContextStore
    from baton.models import utcnow

    store: Any
    if args.dry_run:
        store = MemoryContextStore()
    elif args.table:
        store = DynamoContextStore(args.table)
    else:
        data_dir = _data_dir(args)
        running = _running(data_dir)
        if running is None:
            raise UsageError(
                f"no `baton local` is running on {data_dir}: start it, pass --data-dir, "
                "or pass --table for a deployed context table"
            )
        from baton import wiring

        # DynamoDB Local's client: the local region and credentials, whatever this shell's AWS settings are.
        client = wiring.dynamodb_client(running["dynamodb_endpoint"])
        store = DynamoContextStore(running["tables"]["context"], client=client)
    from baton.context.importer import known_intents
    from baton.scoring.loader import models_dir
    from baton.settings import Settings

    intents = known_intents(models_dir(Settings.from_env().models_dir))
    report = import_file(
        args.kind, args.file, store, at=utcnow(), fmt=args.format, dry_run=args.dry_run, intents=intents
    )
    print(report.describe())
    return 1 if report.problems else 0


# -- baton agents -----------------------------------------------------------------------------------


def _routing_table(tables: dict[str, str], running: dict[str, Any] | None = None) -> str:
    """The routing table of a `baton local` (its table names)."""
    name = tables.get("routing")
    if not name:
        pid = f" (pid {running['pid']})" if running and running.get("pid") else ""
        raise UsageError(
            f"the running `baton local`{pid} has no routing table: it predates routing; restart it"
        )
    return name


def _aws_failures(command: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """DynamoDB refusing (no such table, no credentials, access denied, unreachable) as a message, not a
    traceback: exit 1."""

    @functools.wraps(command)
    def run(args: argparse.Namespace) -> int:
        from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

        try:
            return command(args)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            if error.get("Code") == "ResourceNotFoundException":
                table = f"table {args.table!r}" if getattr(args, "table", None) else "the routing table"
                raise Failure(
                    f"{table} does not exist ({error.get('Message')}): check the name and the AWS region "
                    "(AWS_REGION / AWS_DEFAULT_REGION)"
                ) from None
            raise Failure(f"DynamoDB refused: {error.get('Code')}: {error.get('Message')}") from None
        except NoCredentialsError:
            raise Failure("no AWS credentials: set AWS_PROFILE or the AWS_* variables for --table") from None
        except BotoCoreError as exc:
            raise Failure(f"DynamoDB: {exc}") from None

    return run


def _agent_directory(args: argparse.Namespace) -> tuple[Any, str, dict[str, Any] | None]:
    """The agent directory the command works on, how to name it, and the running `baton local` (None with
    --table)."""
    from baton import wiring
    from baton.routing.directory import DynamoAgentDirectory

    if args.table:
        # A deployed table: this shell's AWS credentials and region.
        return DynamoAgentDirectory(args.table, client=wiring.dynamodb_client()), f"table {args.table}", None
    data_dir = _data_dir(args)
    running = _running(data_dir)
    if running is None:
        raise UsageError(
            f"no `baton local` is running on {data_dir}: start it, pass --data-dir, "
            "or pass --table for a deployed routing table"
        )
    # DynamoDB Local's client: the local region and credentials, whatever this shell's AWS settings are.
    client = wiring.dynamodb_client(running["dynamodb_endpoint"])
    table = _routing_table(running["tables"], running)
    return DynamoAgentDirectory(table, client=client), f"the `baton local` on {data_dir}", running


@_aws_failures
def cmd_agents_import(args: argparse.Namespace) -> int:
    from baton.models import utcnow
    from baton.routing.importer import check_file, taxonomy
    from baton.settings import Settings, models_dir

    known = taxonomy(models_dir(Settings.from_env().models_dir))
    # The file first: one that cannot be used says so before anything needs a running `baton local`.
    checked = check_file(args.file, fmt=args.format, known=known)
    report = checked.report if args.dry_run else checked.store(_agent_directory(args)[0], at=utcnow())
    print(report.describe())
    return 1 if report.problems else 0


@_aws_failures
def cmd_agents_list(args: argparse.Namespace) -> int:
    directory, where, _ = _agent_directory(args)
    records = directory.agents()
    open_by_agent: dict[str, int] = {}
    for assignment in directory.open_assignments():
        open_by_agent[assignment.agent_id] = open_by_agent.get(assignment.agent_id, 0) + 1
    if args.json:
        for record in records:
            row = record.agent.model_dump(mode="json")
            row.update(load=record.load, open_assignments=open_by_agent.get(record.agent.id, 0))
            print(json.dumps(row, ensure_ascii=False))
        return 0
    if not records:
        print(f"No agents in {where}: `baton agents import FILE` adds them.")
        return 0
    rows = [
        (
            r.agent.id,
            r.agent.name,
            r.status,
            f"{r.load}/{r.agent.capacity}",
            ",".join(r.agent.languages),
            ",".join(r.agent.product_areas) or "-",
            ",".join(r.agent.skills) or "-",
            str(open_by_agent.get(r.agent.id, 0)),
        )
        for r in records
    ]
    _table(("ID", "NAME", "STATUS", "LOAD", "LANGUAGES", "AREAS", "SKILLS", "OPEN"), rows)
    by_status = {s: sum(1 for r in records if r.status == s) for s in ("online", "away", "offline")}
    waiting = len(directory.waiting())
    print(
        f"{_count(len(records), 'agent')} ({', '.join(f'{n} {s}' for s, n in by_status.items())}); "
        f"{_count(sum(open_by_agent.values()), 'open assignment')}; {_count(waiting, 'escalation')} waiting"
    )
    return 0


@_aws_failures
def cmd_agents_status(args: argparse.Namespace) -> int:
    from baton.models import utcnow

    directory, where, running = _agent_directory(args)
    record = directory.agent(args.agent_id)
    if record is None:
        raise UsageError(f"no agent {args.agent_id!r} in {where}: `baton agents list` shows the agents")
    who = f"{record.agent.id} ({record.agent.name})"
    if record.status == args.status:
        print(f"{who} is already {args.status}: nothing changed")
        return 0
    at = utcnow()
    if running is not None:
        published = _publish_status(_data_dir(args), args.agent_id, args.status, at)
        if published:
            event_id, rules = published
            print(
                f"{who}: {record.status} -> {args.status}, published as AgentStatusChanged "
                f"(event {event_id}) on the local bus: the running `baton local`'s {', '.join(rules)} "
                "consumer applies it"
            )
            return 0
    if not directory.set_status(args.agent_id, args.status, at=at):
        raise UsageError(f"no agent {args.agent_id!r} in {where} (removed meanwhile)")
    print(f"{who}: {record.status} -> {args.status}")
    return 0


def _count(n: int, what: str) -> str:
    return f"{n} {what}{'' if n == 1 else 's'}"


def _publish_status(data_dir: Path, agent_id: str, status: str, at: Any) -> tuple[str, list[str]] | None:
    """Put AgentStatusChanged on the local bus when a consumer subscribes to it: (its bus id, its rules); None
    (nothing put) when none does, and the caller writes the status itself. Never both: that would apply the
    change twice."""
    from baton.events import AgentStatusChanged, event_id_for
    from baton.local.bus import to_envelope
    from baton.settings import Settings

    event = AgentStatusChanged.model_validate(
        {
            "event_id": event_id_for(AgentStatusChanged.DETAIL_TYPE, agent_id, status, at.isoformat()),
            "occurred_at": at,
            "agent_id": agent_id,
            "status": status,
        }
    )
    entry = event.entry(Settings.from_env().event_bus_name)
    with _bus(data_dir, create=True) as bus:  # a running `baton local` has created it
        if not bus.route(to_envelope(entry)):
            return None
        (result,) = bus.put_events([entry])
    return result.event_id, list(result.rules)  # the id `baton events list` shows


def cmd_decision_params(args: argparse.Namespace) -> int:
    from baton.decision.params import InvalidParams, deployable

    action = str(args.file)
    if action in PARAMS_ACTIONS and (args.stage or not args.file.exists()):
        if not args.stage:
            raise UsageError(f"decision params {action} needs --stage STAGE (a file named so: ./{action})")
        return _stage_params(args)
    for option in ("stage", "region", "to_version", "challenger", "json"):
        if getattr(args, option):
            flag = "--version" if option == "to_version" else f"--{option}"
            raise UsageError(
                f"{flag} is for `decision params history|rollback --stage STAGE`, not for a FILE"
            )
    try:
        text = args.file.read_text(encoding="utf-8")
    except OSError as exc:
        raise Failure(f"cannot read {args.file}: {exc.strerror or exc}") from None
    try:
        print(deployable(text))
    except InvalidParams as exc:
        raise Failure(f"{args.file}: {exc}") from None
    return 0


PARAMS_ACTIONS = ("history", "rollback")


@_stage_failures
def _stage_params(args: argparse.Namespace) -> int:
    """`decision params history|rollback --stage S`: a deployed stage's parameter (baton.operations.params)."""
    from baton.operations.params import history, parameter_name, rollback

    ssm = _stage_session(args).client("ssm")
    name = parameter_name(args.stage, challenger=args.challenger)
    if str(args.file) == "history":
        if args.to_version:
            raise UsageError("--version is for `rollback`")
        versions = history(ssm, name)
        if args.json:
            for version in versions:
                print(json.dumps({"name": name, **version.as_dict()}))
            return 0
        print(f"{name}: {len(versions)} version(s), the newest last")
        rows = [
            (
                str(v.version) + (" (current)" if v is versions[-1] else ""),
                v.modified_at,
                v.modified_by,
                ", ".join(v.labels) or "-",
                v.document_version,
                str(len(v.value.encode())),
            )
            for v in versions
        ]
        _table(("VERSION", "MODIFIED AT", "BY", "LABELS", "DOCUMENT VERSION", "BYTES"), rows)
        return 0
    if args.json:
        raise UsageError("--json is for `history`")
    done = rollback(ssm, name, to_version=args.to_version)
    print(
        f"{name}: version {done.new_version} is now the value of version {done.target.version} (document "
        f"{done.target.document_version}), replacing version {done.current.version} (document "
        f"{done.current.document_version}). The decide function reads it within its cache age "
        "(BATON_DECISION_PARAMS_MAX_AGE_S, 60 s)."
    )
    challenger = " --challenger" if args.challenger else ""
    print(
        f"To undo: baton decision params rollback --stage {args.stage}{challenger} --version {done.current.version}"
    )
    return 0


def cmd_decision_compare(args: argparse.Namespace) -> int:
    from baton.decision import compare

    return compare.main(
        args.outcomes,
        args.challenger,
        champion=args.champion,
        models=args.models,
        cost_missed=args.cost_missed,
        cost_false=args.cost_false,
        seed=args.seed,
        bootstrap=args.bootstrap,
        as_json=args.json,
        fail_on_worse=args.fail_on_worse,
    )


def cmd_eval_triggers(args: argparse.Namespace) -> int:
    from baton.decision import triggers_eval

    return triggers_eval.main(
        args.file, args.params, show_errors=args.errors, models=args.models, patterns_only=args.patterns_only
    )


def _file_or_fail(path: Path) -> bool:
    if not path.is_file():
        print(f"baton eval: {path}: no such file", file=sys.stderr)
        return False
    return True


def cmd_eval_conversations(args: argparse.Namespace) -> int:
    if not _file_or_fail(args.file):
        return 2
    from baton.decision.evaluation import evaluate_file
    from baton.decision.params import load, load_default
    from baton.errors import BatonError
    from baton.scoring.loader import load_models, models_dir
    from baton.scoring.scorer import Scorer
    from baton.settings import Settings

    try:
        scorer = Scorer(load_models(models_dir(Settings.from_env().models_dir), override=args.models))
        params = load(args.params) if args.params else load_default()
    except BatonError as exc:
        print(f"baton eval conversations: {exc}", file=sys.stderr)
        return 2
    evaluation = evaluate_file(args.file, scorer, params)
    if args.json:
        print(
            json.dumps(
                {"clear": evaluation.summary(), "borderline": evaluation.summary(borderline=True)}, indent=2
            )
        )
    else:
        print(evaluation.render())
    if args.errors:
        print(evaluation.render_errors())
    return 0


def cmd_eval_sentiment(args: argparse.Namespace) -> int:
    if not _file_or_fail(args.file):
        return 2
    from baton.scoring.evaluation import evaluate_messages

    print(evaluate_messages(args.file, args.models).render())
    return 0


def cmd_schemas_export(args: argparse.Namespace) -> int:
    from baton.schemas import export

    written = export(args.out)
    for path in written or ():
        print(path)
    return 0


# -- baton train / backtest -------------------------------------------------------------------------


def cmd_train(args: argparse.Namespace) -> int:
    import importlib

    try:
        module = importlib.import_module(f"baton.training.{args.kind}")
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("baton"):
            raise UsageError(f"train {args.kind}: this installation has no {args.kind} trainer") from None
        raise UsageError(
            f"train {args.kind} needs {exc.name}: install the training extras (pip install 'baton[train]')"
        ) from None
    return int(module.main(args.args) or 0)


def cmd_backtest(args: argparse.Namespace) -> int:
    if any(arg == "--s3" or arg.startswith("--s3=") for arg in args.args):
        from baton.scoring import backtest_s3  # the same backtest on AWS (Step Functions over S3)

        return backtest_s3.main(args.args)
    from baton.scoring import backtest

    return int(backtest.main(args.args) or 0)


# -- baton report -----------------------------------------------------------------------------------


@_aws_failures
def cmd_report(args: argparse.Namespace) -> int:
    from baton.insights.report import render

    if args.kpis is not None:
        if args.start or args.end or args.data_dir or args.table:
            raise UsageError(
                "--kpis reads the KPIs from the file: --from, --to, --data-dir and --table do not apply"
            )
        kpis = _kpis_file(args.kpis)
    else:
        kpis = load_kpis(args)
    try:
        document = render(kpis)
    except ModuleNotFoundError as exc:
        if (exc.name or "").partition(".")[0] != "matplotlib":
            raise
        raise UsageError("report: the charts need matplotlib: pip install 'baton[report]'") from None
    try:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(document, encoding="utf-8")
    except OSError as exc:
        raise Failure(f"report: cannot write {args.out}: {exc.strerror or exc}") from None
    print(
        f"report: {args.out} ({kpis.totals.conversations} conversations, {kpis.start} to {kpis.end})",
        file=sys.stderr,
    )
    return 0


def _kpis_file(path: Path) -> Any:
    """The `Kpis` of a saved `GET /v1/kpis` response (keys `from`, `to`)."""
    from pydantic import ValidationError

    from baton.insights.models import Kpis

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"--kpis: no such file: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"--kpis: cannot read {path}: {exc}") from None
    try:
        return Kpis.model_validate_json(text)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or 'the file'}: {error['msg']}"
            for error in exc.errors()[:3]
        )
        raise UsageError(
            f"--kpis: {path} is not a KPI report (`GET /v1/kpis` or `baton kpis --json` output): {problems}"
        ) from None


# -- baton kpis -------------------------------------------------------------------------------------


def load_kpis(args: argparse.Namespace) -> Any:
    """The `baton.insights.models.Kpis` that `args` name (parsed by `kpi_source`: `start`, `end`, `data_dir`,
    `table`): the days default to the last 28 up to today (UTC), as `GET /v1/kpis`; from the running `baton local`'s
    DynamoDB Local, or a deployed conversations table. UsageError for a bad range or no `baton local` running."""
    from baton import wiring
    from baton.insights.kpis import compute
    from baton.insights.store import DynamoInsightsStore
    from baton.models import utcnow

    now = utcnow()
    end = getattr(args, "end", None) or now.date()
    start = getattr(args, "start", None) or end - timedelta(days=KPI_DEFAULT_DAYS - 1)
    if end < start:
        raise UsageError(f"--to ({end}) is before --from ({start})")
    if (end - start).days + 1 > KPI_MAX_DAYS:
        raise UsageError(
            f"--from {start} --to {end} is {(end - start).days + 1} days; at most {KPI_MAX_DAYS}"
        )
    table = getattr(args, "table", None)
    if table:
        client = wiring.dynamodb_client()  # this shell's AWS credentials and region
    else:
        data_dir = _data_dir(args)
        running = _running(data_dir)
        if running is None:
            raise UsageError(
                f"no `baton local` is running on {data_dir}: start it, pass --data-dir, "
                "or pass --table for a deployed conversations table"
            )
        client = wiring.dynamodb_client(running["dynamodb_endpoint"])
        table = running["tables"]["conversations"]
    store = DynamoInsightsStore(table, client=client)
    return compute(store.buckets(start, end), start, end, now=now)


@_aws_failures
def cmd_kpis(args: argparse.Namespace) -> int:
    kpis = load_kpis(args)
    if args.json:
        print(kpis.model_dump_json(by_alias=True, indent=2))
        return 0
    for line in describe_kpis(kpis):
        print(line)
    return 0


def describe_kpis(kpis: Any) -> list[str]:
    """`baton kpis`' table: the totals, the weeks, the top drivers and the drift."""
    totals = kpis.totals
    lines = [f"KPIs of the conversations that started {kpis.start} to {kpis.end} (UTC)", ""]
    if not totals.conversations:
        return [*lines, "No conversations started in these days."]
    kinds = ", ".join(
        f"{kind.replace('_', ' ')} {_pct(totals.escalation_rate_by_kind.get(kind))}"
        for kind in ("customer_requested", "guardrail", "model")
    )
    rows = [
        ("Conversations", f"{totals.conversations}"),
        ("Escalated", f"{totals.escalated} ({_pct(totals.escalation_rate)}: {kinds})"),
        ("Contained", f"{totals.contained} ({_pct(totals.containment_rate)})"),
        (
            "False escalations",
            f"{totals.false_escalations} ({_pct(totals.false_escalation_rate)} of labelled)",
        ),
        (
            "Missed escalations",
            f"{totals.missed_escalations} ({_pct(totals.missed_escalation_rate)} of labelled)",
        ),
        ("Time to escalate", _timing(totals.time_to_escalate)),
        ("Time to assign", _timing(totals.time_to_assign)),
        ("Time to first agent reply", _timing(totals.time_to_first_agent_reply)),
        ("Reopened", f"{totals.reopened} ({_pct(totals.reopen_rate)})"),
        ("Repeat contacts", f"{totals.repeat_contacts} ({_pct(totals.repeat_contact_rate)})"),
        (
            "CSAT by path",
            ", ".join(
                f"{path.replace('_', ' ')} {c.mean:.2f} (n={c.n})"
                for path, c in totals.csat.items()
                if c.n and c.mean is not None
            )
            or "-",
        ),
    ]
    width = max(len(name) for name, _ in rows)
    lines += [f"  {name:<{width}}  {value}" for name, value in rows]
    if kpis.by_week:
        lines += ["", "By week"]
        lines += _rows(
            ("WEEK", "CONVERSATIONS", "ESCALATED", "RATE", "CONTAINED", "FALSE", "MISSED"),
            [
                (
                    w.value,
                    str(w.conversations),
                    str(w.escalated),
                    _pct(w.escalation_rate),
                    _pct(w.containment_rate),
                    _pct(w.false_escalation_rate),
                    _pct(w.missed_escalation_rate),
                )
                for w in kpis.by_week
            ],
        )
    for title, drivers in (
        ("Top intents driving escalations", kpis.drivers.intents),
        ("Top pages", kpis.drivers.pages),
        ("Top incidents", kpis.drivers.incidents),
        ("Top reasons", kpis.drivers.reasons),
    ):
        if drivers:
            lines += ["", title]
            lines += _rows(
                ("VALUE", "CONVERSATIONS", "ESCALATED", "RATE", "SHARE"),
                [
                    (
                        d.value,
                        str(d.conversations),
                        str(d.escalated),
                        _pct(d.escalation_rate),
                        _pct(d.share_of_escalations),
                    )
                    for d in drivers
                ],
            )
    drift = kpis.drift
    if drift is not None:
        change = drift.escalation_rate_change_pts
        moved = f"{change:+.1f} pts" if change is not None else "not measurable (no conversations)"
        alert = f"  ALERT: a move of {drift.threshold_pts:g} pts or more" if drift.alert else ""
        lines += ["", f"Drift: escalation rate {drift.this_week} against {drift.last_week}: {moved}{alert}"]
        lines += [
            f"  {item.value}: {_pct(item.last_week)} -> {_pct(item.this_week)} ({item.change_pts:+.1f} pts, "
            f"{item.conversations_this_week} conversations)"
            for item in drift.intents[:5]
            if item.change_pts is not None
        ]
    return lines


def _pct(rate: float | None) -> str:
    return "-" if rate is None else f"{100 * rate:.1f}%"


def _timing(timing: Any) -> str:
    if not timing.n:
        return "-"
    p50 = f"median ~{_duration(timing.p50_s)}, " if timing.p50_s is not None else ""
    return f"{p50}mean {_duration(timing.mean_s)} (n={timing.n})"


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 90:
        return f"{seconds:.0f}s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.1f}min"
    return f"{seconds / 3600:.1f}h"


def _rows(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    return [
        "  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in (headers, *rows)
    ]


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    for row in (headers, *rows):
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


def _local_token(data_dir: Path) -> str:
    """The API token of the `baton local` on `data_dir`: the running one's, else what it would use."""
    from baton.local.runtime import LocalConfig

    running = _running(data_dir)
    if running is not None and running.get("token"):
        return str(running["token"])
    config = LocalConfig.resolve(data_dir=data_dir)
    config.read_secrets()
    if not config.token:
        raise UsageError(
            f"no API token yet for {data_dir}: `baton local` makes one at its first start (or set BATON_API_TOKEN)"
        )
    return config.token


def cmd_token(args: argparse.Namespace) -> int:
    print(_local_token(_data_dir(args)))
    return 0


def cmd_console(args: argparse.Namespace) -> int:
    data_dir = _data_dir(args)
    running = _running_or_fail(data_dir)
    status, body = _post_to_local(
        running, "/console/links", b"", {"Authorization": f"Bearer {_local_token(data_dir)}"}
    )
    if status != 201:
        raise Failure(f"the running `baton local` refused a sign-in link ({status}): {body}")
    print(json.loads(body)["url"])
    return 0


def _running_or_fail(data_dir: Path) -> dict[str, Any]:
    running = _running(data_dir)
    if running is None:
        raise UsageError(f"no `baton local` is running on {data_dir}: start it, or pass --data-dir")
    return running


def _post_to_local(
    running: dict[str, Any], path: str, body: bytes, headers: dict[str, str]
) -> tuple[int, str]:
    """POST to a running `baton local` (`_running`): (status, body), whatever the status."""
    import urllib.error
    import urllib.request

    request = urllib.request.Request(f"{running['url']}{path}", data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")
    except urllib.error.URLError as error:
        raise Failure(f"could not reach {running['url']}: {error.reason}") from None


def cmd_webhook_send(args: argparse.Namespace) -> int:
    from baton.ingestion.connectors.signatures import sign_intercom, sign_zendesk
    from baton.local.runtime import LocalConfig
    from baton.models import utcnow

    try:
        raw = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {args.file}: {exc.strerror or exc}") from None
    try:
        json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise UsageError(f"{args.file}: not a JSON webhook body ({exc})") from None
    data_dir = _data_dir(args)
    running = _running_or_fail(data_dir)
    config = LocalConfig.resolve(data_dir=data_dir)
    config.read_secrets()
    secret = config.webhook_secrets.get(args.helpdesk)
    if not secret:
        raise UsageError(
            f"no {args.helpdesk} webhook secret in {config.secrets_file} or the environment: the running `baton "
            f"local` took it from BATON_{args.helpdesk.upper()}_WEBHOOK_SECRET; set it here too"
        )
    headers = (
        sign_zendesk(raw, secret, utcnow()) if args.helpdesk == "zendesk" else sign_intercom(raw, secret)
    )
    status, body = _post_to_local(
        running, f"/v1/webhooks/{args.helpdesk}", raw, {"Content-Type": "application/json", **headers}
    )
    print(f"{status} {body}")
    if status == 401:
        _print_err(
            "401: the running `baton local` has another secret (was it started with "
            f"BATON_{args.helpdesk.upper()}_WEBHOOK_SECRET set? set it here too)"
        )
    return 0 if 200 <= status < 300 else 1


if __name__ == "__main__":
    sys.exit(main())
