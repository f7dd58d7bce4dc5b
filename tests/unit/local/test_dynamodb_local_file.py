"""DynamoDB Local's database file in a data dir (`baton.local.dynamodb_local.use_write_ahead_log`): put in SQLite's
write-ahead-log mode before DynamoDB Local opens it (one sync a write rather than four), its owner's only, and an
existing file keeps its data. The engine itself on such a file: tests/integration/test_dynamodb_local_disk.py."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

from baton.local.dynamodb_local import DB_FILE, use_write_ahead_log


def journal_mode(path: Path) -> str:
    db = sqlite3.connect(path)
    try:
        return str(db.execute("PRAGMA journal_mode").fetchone()[0])
    finally:
        db.close()


def test_a_new_data_dir_gets_a_write_ahead_log_file_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / DB_FILE
    use_write_ahead_log(path)
    assert journal_mode(path) == "wal"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_an_existing_database_is_converted_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / DB_FILE
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT)")
    db.execute("INSERT INTO t VALUES ('conversation', 'kept')")
    db.commit()
    db.close()
    assert journal_mode(path) == "delete"
    use_write_ahead_log(path)
    use_write_ahead_log(path)  # every start: nothing more to do
    assert journal_mode(path) == "wal"
    db = sqlite3.connect(path)
    assert db.execute("SELECT v FROM t").fetchall() == [("kept",)]
    db.close()


def test_a_file_that_is_not_a_database_is_left_to_dynamodb_local(tmp_path: Path) -> None:
    path = tmp_path / DB_FILE
    path.write_bytes(b"not a database, and no SQLite header either" * 100)
    use_write_ahead_log(path)  # DynamoDB Local then reports what is wrong with it
    assert path.read_bytes().startswith(b"not a database")
