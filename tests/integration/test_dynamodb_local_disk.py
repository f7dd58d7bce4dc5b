"""DynamoDB Local on a data dir, as `baton local` runs it: its database file is in SQLite's write-ahead-log mode
(`baton.local.dynamodb_local.use_write_ahead_log`: one sync a write, not four; bench/README.md, "Load") and what
was written before a stop, or before the engine was killed, is there after the next start."""

from __future__ import annotations

import os
import signal
import sqlite3
from pathlib import Path

import pytest

from baton.local.dynamodb_local import DB_FILE, DynamoDBLocal, JavaMissing, find_java

pytestmark = [pytest.mark.integration, pytest.mark.slow]

TABLE = "wal-check"


@pytest.fixture(autouse=True)
def java() -> None:
    try:
        find_java()
    except JavaMissing as missing:
        if os.environ.get("BATON_REQUIRE_DYNAMODB_LOCAL") == "1":
            pytest.fail(f"BATON_REQUIRE_DYNAMODB_LOCAL=1 but DynamoDB Local cannot run: {missing}")
        pytest.skip(f"DynamoDB Local needs Java: {missing}")


def put(engine: DynamoDBLocal, key: str) -> None:
    engine.client().put_item(TableName=TABLE, Item={"pk": {"S": key}, "v": {"S": "kept"}})


def keys(engine: DynamoDBLocal) -> set[str]:
    items = engine.client().scan(TableName=TABLE, ConsistentRead=True)["Items"]
    return {item["pk"]["S"] for item in items}


def test_writes_survive_a_stop_and_a_kill_in_write_ahead_log_mode(tmp_path: Path) -> None:
    data = tmp_path / "dynamodb"
    with DynamoDBLocal(data_dir=data) as engine:
        engine.client().create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        put(engine, "before-stop")
    with DynamoDBLocal(data_dir=data) as engine:
        assert keys(engine) == {"before-stop"}
        put(engine, "before-kill")
        assert engine.process is not None
        os.killpg(engine.process.pid, signal.SIGKILL)  # no shutdown: only what each write synced
        engine.process.wait(timeout=10)
    with DynamoDBLocal(data_dir=data) as engine:
        assert keys(engine) == {"before-stop", "before-kill"}
    db = sqlite3.connect(data / DB_FILE)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()
