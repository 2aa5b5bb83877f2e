"""Engines for the store: SQLite (WAL, busy timeout, foreign keys) by default, PostgreSQL by URL."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError

from ossimpact.store.errors import StoreConfigError

# A write transaction asks for this execution option so SQLite takes its write lock at BEGIN
# (BEGIN IMMEDIATE): two processes racing for the refresh lock then queue on busy_timeout instead
# of failing with "database is locked" when a read transaction tries to upgrade.
WRITE_OPTION = "ossimpact_write"
BUSY_TIMEOUT_MS = 30_000


def create_store_engine(url: str, *, read_only: bool = False) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError as error:
        raise StoreConfigError(f"not a database URL: {redacted(url)!r} ({error})") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(parsed.database, read_only=read_only)
    if backend == "postgresql":
        connect_args: dict[str, Any] = {}
        if read_only:
            connect_args["options"] = "-c default_transaction_read_only=on"
        return create_engine(parsed, connect_args=connect_args, pool_pre_ping=True)
    raise StoreConfigError(
        f"unsupported database {backend!r} in {redacted(url)!r}: use sqlite:/// or postgresql://"
    )


def _sqlite_engine(database: str | None, *, read_only: bool) -> Engine:
    if not database or database == ":memory:" or database.startswith("file:"):
        raise StoreConfigError(
            "the store needs a SQLite file path (sqlite:///path/to/ossimpact.db); "
            "in-memory databases cannot be shared between connections"
        )
    path = Path(database).expanduser().resolve()
    if read_only:
        if not path.exists():
            raise StoreConfigError(f"no SQLite database at {path} to open read-only")
        options = "mode=ro&immutable=1" if _needs_immutable(path) else "mode=ro"
        engine = create_engine(
            f"sqlite:///file:{quote(str(path))}?{options}&uri=true",
            connect_args={"timeout": BUSY_TIMEOUT_MS / 1000},
        )
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            f"sqlite:///{path}", connect_args={"timeout": BUSY_TIMEOUT_MS / 1000}
        )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's BEGIN below be the only transaction control (pysqlite's own is lazy).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if not read_only:
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        write = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write and not read_only else "BEGIN")

    return engine


def _needs_immutable(path: Path) -> bool:
    """True when a read-only open fails because SQLite cannot make the WAL index (-shm) beside
    the file: a read-only mount or directory. Nobody can be writing there, so reading the file
    as immutable is safe, and the dashboard can serve a store copied onto read-only media."""
    try:
        _read_schema(path, "mode=ro")
    except sqlite3.OperationalError:
        try:
            _read_schema(path, "mode=ro&immutable=1")
        except sqlite3.Error:
            return False  # not a read-only-place problem: let the normal open report it
        return True
    except sqlite3.Error:
        return False
    return False


def _read_schema(path: Path, options: str) -> None:
    """Open the file with these URI options and read its schema table; raises what SQLite does."""
    connection = sqlite3.connect(f"file:{quote(str(path))}?{options}", uri=True)
    try:
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    finally:
        connection.close()


def redacted(url: str) -> str:
    """The URL without its password, for error messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable URL>"
