"""`baton local`: DynamoDB Local, the local bus and its consumers, and the API, started and stopped together.

The handlers run unchanged: the runtime sets the environment they read (Settings pointing at
DynamoDB Local and the bus file, dummy AWS credentials and an unroutable default endpoint so nothing
can reach AWS), imports them, and calls them as Lambda would.

The console shows the access log, the handlers' warnings and one line per decision (`decided <conversation>
#<seq> -> <action> (risk 0.87)`); `--verbose` adds the handlers' INFO logs and their EMF metric blobs, which are
otherwise kept off the console whatever printed them (`Console`).

The data dir holds message text and secrets: it is its owner's only (0700, every file in it 0600, whoever created it
and when: fixed at every start, and the runtime's umask is 077 while it runs, DynamoDB Local's files included). A
start that fails (another `baton local` on the data dir, the port in use, Java missing, ...) checks what it can
before writing anything and removes whatever it wrote: a new data dir is not left behind, nor a lock file.
"""

from __future__ import annotations

import collections
import contextlib
import importlib
import io
import json
import logging
import os
import secrets
import shlex
import shutil
import signal
import socket
import stat
import subprocess
import sys
import threading
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from baton import checkout
from baton.errors import BatonError
from baton.settings import ENV_PREFIX, Settings

if TYPE_CHECKING:
    from baton.events import BusEvent

API_HANDLER = "functions.ingest_api.handler"
API_MODULE = "baton.ingestion.api"
DEFAULT_PORT = 8787
DATA_DIR_NAME = ".baton"
DATA_DIR_ENV = "BATON_DATA_DIR"
RUNTIME_FILE = "runtime.json"
SECRETS_FILE = "local-secrets.json"
LOCK_FILE = "local.lock"
LOCAL_TICK_S = 1.0
"""`baton local`'s clock: a subscription scheduled every N minutes deployed (`Subscription.schedule_minutes`) ticks
every N times this (the routing queue every second, the insights' KPI figures every minute)."""
BUS_FILE = "bus.sqlite3"
DEMO_CONVERSATIONS = ("demo-wants-human", "demo-billing-calm", "demo-threat-chargeback", "demo-angry-renewal")
"""Demo conversations worth opening first (events/demo/conversations.jsonl), named by the banner."""
LOCAL_REGION = "us-east-1"  # the region every local DynamoDB client uses (baton.wiring.LOCAL_REGION)
OWNER_ONLY_UMASK = 0o077
DIR_MODE = 0o700
FILE_MODE = 0o600

Out = Callable[[str], None]


class LocalAlreadyRunning(BatonError):
    pass


class LocalSecretsUnreadable(BatonError):
    pass


# What `baton local` generates when the environment does not give it: (name, environment variable).
SECRETS: tuple[tuple[str, str], ...] = (
    ("api_token", f"{ENV_PREFIX}API_TOKEN"),
    ("zendesk_webhook_secret", f"{ENV_PREFIX}ZENDESK_WEBHOOK_SECRET"),
    ("intercom_webhook_secret", f"{ENV_PREFIX}INTERCOM_WEBHOOK_SECRET"),
)


def bus_path(data_dir: Path) -> Path:
    return data_dir / BUS_FILE


def console_dir() -> Path | None:
    """The support lead's console (static files shipped in the `baton` package; not in the Lambda layer), or None
    when this install has none."""
    import baton

    directory = Path(baton.__file__).resolve().parent / "console"
    return directory if (directory / "index.html").is_file() else None


def checkout_root() -> Path | None:
    """The Baton checkout the commands run from (`baton.checkout.find_root`: $BATON_HOME, else the nearest
    directory at or above the current one holding layers/models/), or None."""
    return checkout.find_root()


def default_data_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Where `baton local` and the other commands keep and find the local data, as an absolute path:
    $BATON_DATA_DIR, else `.baton/` of the checkout Baton runs from, else `./.baton`. The same for
    every command anywhere in the checkout (or anywhere with $BATON_HOME), so a second terminal finds the
    running instance."""
    env = os.environ if environ is None else environ
    if env.get(DATA_DIR_ENV):
        return Path(env[DATA_DIR_ENV]).expanduser().resolve()
    root = checkout_root()
    return ((root if root is not None else Path.cwd()) / DATA_DIR_NAME).resolve()


def baton_command() -> str:
    """How to run this `baton` from another terminal, so a printed command can be pasted as is."""
    bin_dir = Path(sys.executable).parent
    script = bin_dir / ("baton.exe" if os.name == "nt" else "baton")
    root = checkout_root()
    in_repo_venv = root is not None and Path(sys.prefix).resolve() == (root / ".venv").resolve()
    if in_repo_venv and root is not None and Path.cwd().resolve() == root.resolve() and script.exists():
        return str(Path(".venv") / bin_dir.name / script.name)
    on_path = shutil.which("baton")
    if on_path and script.exists() and Path(on_path).resolve() == script.resolve():
        return "baton"
    if script.exists():
        return shlex.quote(str(script))
    return f"{shlex.quote(sys.executable)} -m baton.cli"


def handler_environment(verbose: bool) -> dict[str, str]:
    """Powertools settings of the handlers under `baton local`. Quiet by default: the console shows
    the server's access log and warnings; `--verbose` brings back every JSON log line and EMF blob.
    (Each function's metrics carry its own `service` whatever POWERTOOLS_SERVICE_NAME says: `baton.consumer`.)"""
    return {
        "POWERTOOLS_SERVICE_NAME": "baton",
        "POWERTOOLS_LOG_LEVEL": "INFO" if verbose else "WARNING",
        "POWERTOOLS_METRICS_NAMESPACE": "Baton",
        "POWERTOOLS_METRICS_DISABLED": "false" if verbose else "true",
        "POWERTOOLS_TRACE_DISABLED": "true",
    }


def is_metric_blob(line: str) -> bool:
    """An EMF metric blob (what Powertools prints for CloudWatch: a JSON object whose first key is `_aws`)."""
    return line.lstrip().startswith('{"_aws"')


class Console(io.TextIOBase):
    """`baton local`'s stdout: whole lines from every thread (the API and the consumers print at once), and no EMF
    metric blob unless `show_metrics` (`--verbose`).

    Metrics are disabled without `--verbose` (POWERTOOLS_METRICS_DISABLED), but Powertools prints some anyway: a
    `single_metric` (the cold start, the API's webhook counts) and any metric set reaching 100 values. Deployed they
    are CloudWatch's input; locally, noise. A thread's line is written once it is complete (or flushed)."""

    def __init__(self, stream: TextIO, *, show_metrics: bool) -> None:
        super().__init__()
        self.stream = stream
        self.show_metrics = show_metrics
        self._lock = threading.Lock()
        self._pending = threading.local()

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        *lines, rest = (getattr(self._pending, "text", "") + text).split("\n")
        self._pending.text = rest
        kept = [line + "\n" for line in lines if self.show_metrics or not is_metric_blob(line)]
        if kept:
            with self._lock:
                self.stream.write("".join(kept))
                self.stream.flush()
        return len(text)

    def flush(self) -> None:
        rest, self._pending.text = getattr(self._pending, "text", ""), ""
        with self._lock:
            if rest and (self.show_metrics or not is_metric_blob(rest)):
                self.stream.write(rest)
            self.stream.flush()

    def fileno(self) -> int:
        return self.stream.fileno()

    def isatty(self) -> bool:
        return self.stream.isatty()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.stream, "encoding", "utf-8")


def decision_line(event: BusEvent) -> str | None:
    """The console's line for an EscalationDecided (None for any other event): when it was decided (as the access log
    says when a request was answered), then `decided <conversation> #<seq> -> <action> (risk 0.87)`."""
    from baton.events import EscalationDecided

    if not isinstance(event, EscalationDecided):
        return None
    at = event.decided_at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return f"{at} decided {event.conversation_id} #{event.seq} -> {event.action} (risk {event.risk:.2f})"


def owner_only(data_dir: Path) -> None:
    """Make the data dir its owner's only: the dir and those below it 0700, every file 0600 (files from an older Baton,
    or created by DynamoDB Local or another command, included). Symbolic links are left alone."""
    for directory, _dirs, files in os.walk(data_dir):
        for path, mode in ((Path(directory), DIR_MODE), *((Path(directory) / f, FILE_MODE) for f in files)):
            with contextlib.suppress(OSError):  # gone meanwhile, or not ours: nothing to fix
                st = path.lstat()
                if not stat.S_ISLNK(st.st_mode) and stat.S_IMODE(st.st_mode) != mode:
                    os.chmod(path, mode)


def check_port_free(port: int) -> None:
    """Raise PortInUse when the API's port cannot be listened on, before anything is started or written (the server
    takes it for good later)."""
    from baton.local.server import HOST, PortInUse

    if not port:
        return
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # As a server binds: a connection of a previous run in TIME_WAIT is no obstacle, a listener is.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError as exc:
            if exc.errno in (98, 48, 10048):  # EADDRINUSE on Linux, macOS, Windows
                raise PortInUse(port) from exc
            raise


def ensure_functions_importable() -> None:
    """Put the repository root on sys.path so `functions.<name>.handler` imports as in the Lambda asset."""
    for root in (checkout_root(), Path.cwd()):
        if root is not None and (root / "functions" / "__init__.py").is_file():
            if str(root) not in sys.path:
                sys.path.insert(0, str(root))
            return


def read_runtime(data_dir: Path) -> dict[str, Any] | None:
    """What a running `baton local` on this data dir published (URL, token, DynamoDB endpoint), or None."""
    try:
        info = json.loads((data_dir / RUNTIME_FILE).read_text())
    except (OSError, ValueError):
        return None
    return info if isinstance(info, dict) and _alive(info.get("pid")) else None


def _alive(pid: Any) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _is_dynamodb_local(pid: int) -> bool:
    try:
        out = subprocess.run(
            ["ps", "-o", "command=", "-p", str(pid)], capture_output=True, text=True, timeout=5
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return "DynamoDBLocal" in out.stdout


@dataclass
class LocalConfig:
    port: int = DEFAULT_PORT
    data_dir: Path = Path(DATA_DIR_NAME)
    demo: bool = False
    retry_delay_s: float = 1.0
    verbose: bool = False
    token: str = ""
    webhook_secrets: dict[str, str] = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)
    """Per secret name (SECRETS): "env" (its variable), "stored" (the secrets file) or "generated" (now)."""

    @classmethod
    def resolve(
        cls,
        *,
        port: int = DEFAULT_PORT,
        data_dir: Path | None = None,
        demo: bool = False,
        retry_delay_s: float = 1.0,
        verbose: bool = False,
        environ: Mapping[str, str] | None = None,
    ) -> LocalConfig:
        """The settings of one run; secrets from the environment. `load_secrets` adds the others."""
        env = os.environ if environ is None else environ
        config = cls(
            port=port,
            data_dir=(data_dir.expanduser() if data_dir else default_data_dir(env)).resolve(),
            demo=demo,
            retry_delay_s=retry_delay_s,
            verbose=verbose,
        )
        config._set({name: env[var] for name, var in SECRETS if env.get(var)}, "env")
        return config

    @property
    def secrets_file(self) -> Path:
        return self.data_dir / SECRETS_FILE

    def load_secrets(self) -> None:
        """The secrets the environment did not give: the ones `baton local` generated on an earlier start
        (kept in the data dir with the data they protect), else new ones, stored for the next start.
        Call with the data dir locked."""
        missing = [name for name, _ in SECRETS if name not in self.origins]
        if not missing:
            return
        stored = _read_secrets(self.secrets_file)
        self._set({name: stored[name] for name in missing if stored.get(name)}, "stored")
        generated = {name: secrets.token_urlsafe(24) for name in missing if name not in self.origins}
        if generated:
            _write_secrets(self.secrets_file, {**stored, **generated})
            self._set(generated, "generated")

    def read_secrets(self) -> None:
        """The secrets as a running `baton local` of this data dir has them (environment, else its secrets
        file), without generating any: for the commands that talk to it (`baton webhook send`)."""
        stored = _read_secrets(self.secrets_file)
        self._set(
            {name: stored[name] for name, _ in SECRETS if name not in self.origins and stored.get(name)},
            "stored",
        )

    def _set(self, values: Mapping[str, str], origin: str) -> None:
        for name, value in values.items():
            self.origins[name] = origin
            if name == "api_token":
                self.token = value
            else:
                self.webhook_secrets[name.removesuffix("_webhook_secret")] = value

    def describe_origin(self, name: str) -> str:
        """Where a secret came from, for the banner."""
        variable = dict(SECRETS)[name]
        if self.origins.get(name) == "env":
            return f"from {variable}"
        return f"generated on first start, kept in {self.secrets_file}; {variable} overrides it"


def _read_secrets(path: Path) -> dict[str, str]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise LocalSecretsUnreadable(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise LocalSecretsUnreadable(
            f"{path} is not a JSON object of strings: fix it, or delete it to have new secrets generated"
        )
    with contextlib.suppress(OSError):
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)  # it holds the token: its owner's only
    return data


def _write_secrets(path: Path, values: Mapping[str, str]) -> None:
    # Written whole and renamed into place: a crash never leaves half a file (and lost secrets).
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(dict(values), handle, indent=2)
        handle.write("\n")
    os.replace(partial, path)


class LocalRuntime:
    """Start with `start()`, stop with `stop()`; `run()` does both around waiting for SIGINT/SIGTERM."""

    def __init__(self, config: LocalConfig, out: Out | None = None) -> None:
        self.config = config
        self.out = out or (lambda text: print(text, flush=True))
        self.data_dir = config.data_dir
        self.dynamodb: Any = None
        self.server: Any = None
        self.bus: Any = None
        self.workers: list[Any] = []
        self.skipped: dict[str, str] = {}
        self.settings: Settings | None = None
        self._lock_fd: int | None = None
        self._stop = threading.Event()
        self._started = False
        self._stopped = False
        self._wrote_runtime_file = False
        self._umask: int | None = None
        self._stdout: TextIO | None = None
        self._created_dir: Path | None = None
        """The topmost directory this start created (the data dir or an ancestor): removed if the start fails."""
        self._found_in_data_dir: set[str] | None = None
        """What the data dir held before this start wrote anything: a failed start removes the rest."""
        self._decided: collections.OrderedDict[str, None] = collections.OrderedDict()

    # -- lifecycle

    def start(self) -> LocalRuntime:
        """Start everything; on any failure, stop what started and remove what this start wrote, then raise."""
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        self._started = True
        return self

    def _start(self) -> None:
        from baton.local.dynamodb_local import DynamoDBLocal, ensure_tables, find_jar, find_java
        from baton.local.server import HandlerPool, LocalApiServer, local_dependencies

        # Everything this process creates from now on (DynamoDB Local's files too) is its owner's only.
        self._umask = os.umask(OWNER_ONLY_UMASK)
        self._install_console()
        if self.data_dir.is_dir():
            # Another `baton local` on this data dir is the first thing to report, before the port it holds.
            self._found_in_data_dir = set(os.listdir(self.data_dir))
            self._lock_data_dir()
        # The prerequisites, before anything is written.
        check_port_free(self.config.port)
        find_java()
        jar = find_jar()
        if self._lock_fd is None:
            self._created_dir = _topmost_missing(self.data_dir)
            self.data_dir.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
            self._lock_data_dir()
        owner_only(self.data_dir)
        self._stop_orphaned_dynamodb()
        self.config.load_secrets()
        self.server = LocalApiServer(
            self._invoke_api,
            token=self.config.token,
            # Replaced by the API's own routes once it is imported; nothing is served before start().
            protected_routes=(),
            port=self.config.port,
            console_dir=console_dir(),
        )
        # Assigned before starting: a Ctrl-C during the start-up must still find it to stop.
        self.dynamodb = DynamoDBLocal(data_dir=self.data_dir / "dynamodb", jar=jar)
        self.dynamodb.start()
        self.settings = self._configure_environment(self.dynamodb.endpoint)
        _warm_boto3(self.dynamodb.endpoint)
        ensure_tables(self.dynamodb.client(), self.table_names())

        ensure_functions_importable()
        from baton.local.bus import install_publisher

        # Also forgets every dependency built before (baton.wiring.reset); the console shows each decision.
        install_publisher(on_published=self._show_decisions)
        from baton.local.helpdesk import install_recorder

        install_recorder()  # the write-back records its helpdesk requests instead of sending them
        # Several instances of the ingest handler serve requests at once, as warm Lambda containers do.
        self._api_handler = HandlerPool(API_HANDLER)
        api = importlib.import_module(API_MODULE)
        self.server.protected_routes = _protected_routes(api.ROUTES, api.PUBLIC_ROUTES)
        self._start_workers()
        # /v1/health answers 503 while DynamoDB Local or the bus file is down, and the console says so once.
        self.server.watch(local_dependencies(self.dynamodb, bus_path(self.data_dir)))
        self.server.start()
        self._write_runtime_file()

    def stop(self) -> None:
        """Stop everything this runtime started (idempotent). After a failed start, also remove what it wrote."""
        if self._stopped:
            return
        self._stopped = True
        self._stop.set()
        try:
            if self.server is not None:
                self.server.stop()
            for worker in self.workers:
                worker.stop()
            for worker in self.workers:
                worker.join(timeout=10)
            if self.bus is not None:
                self.bus.close()
            if self.dynamodb is not None:
                self.dynamodb.stop()
            if self._wrote_runtime_file:
                with contextlib.suppress(OSError):
                    (self.data_dir / RUNTIME_FILE).unlink()
            if self._lock_fd is not None and not self._started:
                self._remove_what_this_start_wrote()
        finally:
            self._unlock_data_dir()
            if self._umask is not None:
                os.umask(self._umask)
                self._umask = None
            self._restore_console()

    def request_stop(self, *_: Any) -> None:
        self._stop.set()

    def wait(self) -> None:
        while not self._stop.wait(0.5):
            pass

    def run(self, on_started: Callable[[LocalRuntime], None] | None = None) -> None:
        """Start, call `on_started`, serve until SIGINT/SIGTERM, stop. Stops whatever started on any error."""
        # Until the handlers below are installed, Ctrl-C raises KeyboardInterrupt; SIGTERM must too.
        previous_term = signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
        try:
            self.start()
            signal.signal(signal.SIGINT, self.request_stop)
            signal.signal(signal.SIGTERM, self.request_stop)
            if on_started:
                on_started(self)
            self.wait()
        except KeyboardInterrupt:
            pass
        finally:
            # A second Ctrl-C while stopping must not leave DynamoDB Local behind.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            try:
                self.stop()
            finally:
                signal.signal(signal.SIGINT, signal.default_int_handler)
                signal.signal(signal.SIGTERM, previous_term)

    # -- parts

    def table_names(self) -> dict[str, str]:
        settings = self.settings or Settings.from_env()
        return {
            "conversations": settings.conversations_table,
            "idempotency": settings.idempotency_table,
            "context": settings.context_table,
            "routing": settings.routing_table,
        }

    def _configure_environment(self, dynamodb_endpoint: str) -> Settings:
        from baton.local.helpdesk import PLACEHOLDER_CREDENTIALS, calls_path

        checkout.export_models_dir()  # the score and decide handlers read this checkout's models
        base = Settings.from_env()
        settings = base.model_copy(
            update={
                "stage": base.stage or "local",
                "dynamodb_endpoint": dynamodb_endpoint,
                "local_bus_path": str(bus_path(self.data_dir)),
                # Locally the secrets are values, never Secrets Manager names (that would call AWS).
                "zendesk_secret_name": None,
                "intercom_secret_name": None,
                "zendesk_webhook_secret": self.config.webhook_secrets.get("zendesk"),
                "intercom_webhook_secret": self.config.webhook_secrets.get("intercom"),
                # The write-back calls no real helpdesk: its recording fake writes each request down.
                "helpdesk_calls_path": str(calls_path(self.data_dir)),
                "zendesk_api_secret_name": None,
                "intercom_api_secret_name": None,
                **{name: getattr(base, name) or value for name, value in PLACEHOLDER_CREDENTIALS.items()},
            }
        )
        for name in (
            "BATON_ZENDESK_SECRET_NAME",
            "BATON_INTERCOM_SECRET_NAME",
            "BATON_ZENDESK_API_SECRET_NAME",
            "BATON_INTERCOM_API_SECRET_NAME",
            "AWS_PROFILE",
            "AWS_SESSION_TOKEN",
        ):
            os.environ.pop(name, None)
        os.environ.update(settings.env())
        os.environ["BATON_API_TOKEN"] = self.config.token
        os.environ.update(
            {
                "AWS_ACCESS_KEY_ID": "local",
                "AWS_SECRET_ACCESS_KEY": "local",
                "AWS_DEFAULT_REGION": LOCAL_REGION,
                "AWS_REGION": LOCAL_REGION,
                "AWS_EC2_METADATA_DISABLED": "true",
                # Any AWS client built without an explicit endpoint fails fast on the discard port
                # instead of reaching AWS: `baton local` never calls a real AWS endpoint.
                "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
            }
        )
        # Powertools warns on every invocation that adds no metric; locally that is only noise.
        warnings.filterwarnings("ignore", message="No application metrics to publish")
        for key, value in handler_environment(self.config.verbose).items():
            os.environ.setdefault(key, value)  # a value the user exported wins
        _quiet_cold_start_metric()
        return settings

    def _start_workers(self) -> None:
        from baton.bus import active_subscriptions
        from baton.local.bus import LocalBus, Worker, import_handler

        self.bus = LocalBus(bus_path(self.data_dir))
        released = self.bus.release_inflight()
        if released:
            self.out(f"Released {released} message(s) left in flight by a previous run.")
        for sub in active_subscriptions():
            try:
                invoke = import_handler(sub.handler)
            except Exception as exc:  # a consumer that cannot load must not take the others down
                self.skipped[sub.name] = f"{type(exc).__name__}: {exc}"
                continue
            worker = Worker(self.bus, sub, invoke=invoke, retry_delay_s=self.config.retry_delay_s)
            worker.start()
            self.workers.append(worker)
            if sub.schedule_minutes:
                self._start_ticker(sub.name, sub.handler, sub.schedule_minutes * LOCAL_TICK_S)

    def _start_ticker(self, name: str, handler: str, every_s: float) -> None:
        """Deployed, a scheduled rule puts a `RoutingClockTicked` on a scheduled subscription's queue; here its
        handler module's `local_tick(service, now)` is called every `every_s` directly (not through the bus: ticks
        would fill the event archive): the capacity consumer drains the routing queue, so a waiting escalation
        reaches its relaxation steps on time; the insights consumer computes the figures its alarms watch."""
        from baton.models import utcnow
        from baton.settings import Settings

        module = importlib.import_module(handler)
        function, local_tick = module.function, module.local_tick

        def tick() -> None:
            while not self._stop.wait(every_s):
                try:
                    local_tick(function.build_service(Settings.from_env()), utcnow())
                except Exception:  # the next tick tries again; the failure is logged, never fatal
                    logging.getLogger("baton.local").exception("%s tick failed", name)

        thread = threading.Thread(target=tick, name=f"{name}-tick", daemon=True)
        thread.start()

    def _invoke_api(self, event: dict[str, Any], context: Any) -> Any:
        return self._api_handler(event, context)

    def _lock_data_dir(self) -> None:
        try:
            import fcntl
        except ImportError:  # Windows: no advisory locks; one runtime per data dir is on the user
            self._lock_fd = -1
            return
        path = self.data_dir / LOCK_FILE
        while True:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, FILE_MODE)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                info = read_runtime(self.data_dir) or {}
                where = f" (pid {info['pid']}, {info.get('url')})" if info.get("pid") else ""
                raise LocalAlreadyRunning(
                    f"another `baton local` is using {self.data_dir}{where}: stop it, or pass another --data-dir"
                ) from None
            # The runtime that held it removes the lock file when it stops: a lock taken on the file it just removed
            # locks nothing, so take it again on the file that is there now.
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(path))
            except FileNotFoundError:
                same = False
            if same:
                self._lock_fd = fd
                return
            os.close(fd)

    def _unlock_data_dir(self) -> None:
        """Remove the lock file and release it (in that order: see `_lock_data_dir`)."""
        fd, self._lock_fd = self._lock_fd, None
        if fd is None or fd < 0:
            return
        with contextlib.suppress(OSError):
            (self.data_dir / LOCK_FILE).unlink()
        os.close(fd)

    def _remove_what_this_start_wrote(self) -> None:
        """A failed start leaves the data dir as it found it: a directory it created goes, else each entry it added
        (the lock file is removed by `_unlock_data_dir`). Called with the data dir locked: nothing else wrote there."""
        if self._created_dir is not None:
            shutil.rmtree(self._created_dir, ignore_errors=True)
            return
        if self._found_in_data_dir is None:
            return
        for name in set(os.listdir(self.data_dir)) - self._found_in_data_dir - {LOCK_FILE}:
            path = self.data_dir / name
            with contextlib.suppress(OSError):
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path)
                else:
                    path.unlink()

    def _install_console(self) -> None:
        if not isinstance(sys.stdout, Console):
            self._stdout = sys.stdout
            sys.stdout = Console(sys.stdout, show_metrics=self.config.verbose)

    def _restore_console(self) -> None:
        stdout, self._stdout = self._stdout, None
        if stdout is not None and isinstance(sys.stdout, Console):
            sys.stdout.flush()
            sys.stdout = stdout

    def _show_decisions(self, events: Any) -> None:
        """One console line per decision put on the bus, whatever the verbosity; once per event (a decision
        republished with its own event id, as a retried consumer does, is not shown again)."""
        for event in events:
            line = decision_line(event)
            if line is None or event.event_id in self._decided:
                continue
            self._decided[event.event_id] = None
            if len(self._decided) > 10_000:
                self._decided.popitem(last=False)
            self.out(line)

    def _stop_orphaned_dynamodb(self) -> None:
        """A `baton local` killed with SIGKILL leaves its DynamoDB Local running and its runtime file: stop the one,
        remove the other (we hold the lock)."""
        path = self.data_dir / RUNTIME_FILE
        try:
            info = json.loads(path.read_text())
        except (OSError, ValueError):
            info = None
        pid = info.get("dynamodb_pid") if isinstance(info, dict) else None
        if isinstance(pid, int) and _alive(pid) and _is_dynamodb_local(pid):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)
            self.out(f"Stopped DynamoDB Local (pid {pid}) left behind by a previous run.")
        with contextlib.suppress(OSError):
            path.unlink()

    def _write_runtime_file(self) -> None:
        info = {
            "pid": os.getpid(),
            "url": self.server.url,
            "console": self.server.console_url(),
            "token": self.config.token,
            "dynamodb_endpoint": self.dynamodb.endpoint,
            "dynamodb_pid": self.dynamodb.process.pid if self.dynamodb.process else None,
            "bus": str(bus_path(self.data_dir)),
            "tables": self.table_names(),
        }
        path = self.data_dir / RUNTIME_FILE
        # The token is in it: readable by its owner only.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
        with os.fdopen(fd, "w") as handle:
            json.dump(info, handle, indent=2)
        self._wrote_runtime_file = True

    # -- what the user sees

    def banner(self) -> str:
        """What `baton local` prints once it serves: where everything is (absolute paths), and never a secret:
        the token line reads the token from where it is kept (`baton token`), the console link carries a one-time
        sign-in code (`SignInCodes`), and `baton webhook send` signs with the webhook secrets."""
        url = self.server.url
        lines = ["", "Baton is running locally.", ""]
        # A server without a console (an install without its files) prints no console line.
        console = self.server.signin_url() if hasattr(self.server, "signin_url") else None
        if console:
            lines += [
                f"  Console    {console}",
                "             (open it in a browser: it signs that tab in, once; `baton console` prints a new link)",
            ]
        lines += [
            f"  API        {url}   (OpenAPI: {url}/v1/openapi.json)",
            f"  Token      export BATON_API_TOKEN=$({self.token_command()})",
            f"             ({self.config.describe_origin('api_token')})",
            "  Webhooks   signing secrets "
            + "; ".join(
                f"{source}: {self.config.describe_origin(f'{source}_webhook_secret')}"
                for source in ("zendesk", "intercom")
            ),
            "             (`baton webhook send zendesk|intercom FILE` posts a payload signed with them)",
            f"  Data       {self.data_dir} (DynamoDB Local on {self.dynamodb.endpoint}, bus {self.data_dir / BUS_FILE})",
            f"  Helpdesks  not called: the write-back's requests are recorded in {self.data_dir / _calls_file_name()} "
            "(`baton helpdesk calls`)",
        ]
        if self.config.demo:
            lines.append(
                "  Demo       conversations "
                + ", ".join(DEMO_CONVERSATIONS)
                + " and more (loading now: events/demo/)"
            )
        if self.workers:
            lines.append(
                "  Consumers  "
                + ", ".join(f"{w.subscription.name} ({w.subscription.handler})" for w in self.workers)
            )
        for name, why in self.skipped.items():
            lines.append(f"  Consumer {name} NOT started: {why}")
        lines += ["", "  Routes"]
        for method, path, auth in self.routes():
            lines.append(f"    {method:<6} {url}{path}" + (f"   ({auth})" if auth else ""))
        example = DEMO_CONVERSATIONS[0] if self.config.demo else "hello-1"
        lines += [
            "",
            "  Try it (after the export line above):",
            f"    curl -s -X POST {url}/v1/conversations/hello-1/messages \\",
            '      -H "Authorization: Bearer $BATON_API_TOKEN" -H "Content-Type: application/json" \\',
            '      -d \'{"message_id": "m1", "role": "customer", "text": "Hi, I was charged twice", '
            '"customer": {"id": "cust-1", "account_id": "acct-1"}}\'',
            f'    curl -s {url}/v1/conversations/{example} -H "Authorization: Bearer $BATON_API_TOKEN"',
            "",
            "  From another terminal:",
            *(f"    {command}" for command in self.cli_examples()),
            "",
            "  Ctrl-C stops Baton and DynamoDB Local.",
            "",
        ]
        return "\n".join(lines)

    def data_dir_option(self) -> str:
        """` --data-dir DIR` for commands pasted in another terminal (which may not have this one's
        BATON_DATA_DIR), or nothing for the default data dir."""
        return (
            "" if self.data_dir == default_data_dir({}) else f" --data-dir {shlex.quote(str(self.data_dir))}"
        )

    def token_command(self) -> str:
        """The command that prints this instance's API token (`baton token`)."""
        return f"{baton_command()} token{self.data_dir_option()}"

    def cli_examples(self) -> list[str]:
        """`baton` commands for this instance, ready to paste."""
        baton = baton_command()
        data_dir = self.data_dir_option()
        root = checkout_root() or Path.cwd().resolve()
        sample = root / "events" / "helpdesk" / "zendesk-partner" / "comment_created_customer.json"
        if sample.is_file() and Path.cwd().resolve() == root:
            sample = sample.relative_to(root)
        event = shlex.quote(str(sample)) if sample.is_file() else "FILE.json"
        accounts = root / "events" / "demo" / "accounts.jsonl"
        if accounts.is_file() and Path.cwd().resolve() == root:
            accounts = accounts.relative_to(root)
        accounts_file = shlex.quote(str(accounts)) if accounts.is_file() else "FILE.csv"
        return [
            f"{baton} events put {event}{data_dir}   # a Zendesk partner event onto the bus",
            f"{baton} events list{data_dir}",
            f"{baton} dlq list{data_dir}",
            f"{baton} helpdesk calls{data_dir}   # what the write-back would have sent to Zendesk / Intercom",
            f"{baton} agents list{data_dir}   # agents, status, load / capacity",
            f"{baton} demo load{data_dir}",
            f"{baton} context import accounts {accounts_file}{data_dir}   # CSV or JSONL; or incidents, activity, history",
        ]

    def routes(self) -> list[tuple[str, str, str]]:
        """(method, path, how it is authenticated when not by the token) for the API's routes: its
        OpenAPI document plus the public routes."""
        api = importlib.import_module(API_MODULE)
        public = _route_set(api.PUBLIC_ROUTES)
        webhooks = {path for path in getattr(api, "WEBHOOK_PATHS", {}).values()}
        found: set[tuple[str, str]] = set(api.PUBLIC_ROUTES)
        try:
            spec = json.loads(api.openapi_json(importlib.import_module(API_HANDLER).app.api))
            for path, item in spec.get("paths", {}).items():
                found |= {
                    (method.upper(), path)
                    for method in item
                    if method in ("get", "post", "put", "patch", "delete")
                }
        except Exception:  # the banner must not fail because the OpenAPI document cannot be built
            pass
        return [
            (method, path, _auth_note(method, path, public, webhooks))
            for method, path in sorted(found, key=lambda r: (r[1], r[0]))
        ]


def _topmost_missing(path: Path) -> Path:
    """The topmost directory of `path` that does not exist yet (`path` itself when its parent exists)."""
    missing = path
    while not missing.parent.exists() and missing.parent != missing:
        missing = missing.parent
    return missing


def _calls_file_name() -> str:
    from baton.local.helpdesk import CALLS_FILE

    return CALLS_FILE


def _auth_note(method: str, path: str, public: Any, webhooks: set[str]) -> str:
    if (method, path) not in public:
        return ""
    return "HMAC signature" if path in webhooks else "no auth"


def _route_set(routes: Any) -> Any:
    from baton.local.server import RouteSet

    return RouteSet(routes)


def _protected_routes(routes: Any, public: Any) -> Any:
    from baton.local.server import protected_routes

    return protected_routes(routes, public)


def _quiet_cold_start_metric() -> None:
    """Powertools 3 prints the ColdStart metric through `single_metric`, which ignores
    POWERTOOLS_METRICS_DISABLED: when metrics are off, count the cold start as done."""
    from aws_lambda_powertools.metrics.functions import is_metrics_disabled
    from aws_lambda_powertools.metrics.provider import cold_start

    if is_metrics_disabled():
        cold_start.is_cold_start = False


def _warm_boto3(dynamodb_endpoint: str) -> None:
    """Build boto3's default session here, once: the API and the consumers run in threads and may build
    their first clients at the same moment, and creating the default session is not thread-safe."""
    import boto3

    boto3.setup_default_session()
    boto3.client("dynamodb", endpoint_url=dynamodb_endpoint)


def _raise_keyboard_interrupt(*_: Any) -> None:
    raise KeyboardInterrupt
