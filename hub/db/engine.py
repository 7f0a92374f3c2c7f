"""Engines for PostgreSQL (psycopg 3) and SQLite, with SQLite made safe for writers.

SQLite needs WAL (readers do not block the writer), a busy timeout (writers
wait instead of failing) and ``BEGIN IMMEDIATE`` (a transaction takes the write
lock up front, so a read-then-write cannot deadlock or lose an update; this is
what stands in for ``SELECT ... FOR UPDATE``, which SQLite ignores).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

SQLITE_BUSY_TIMEOUT_MS = 30_000


def make_engine(url: str, *, pool_size: int = 10, max_overflow: int = 20) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() in ("", "psycopg2"):
        # The contract names psycopg 3; a bare postgresql:// URL would pick psycopg2.
        parsed = parsed.set(drivername="postgresql+psycopg")
    # No pool_pre_ping: it costs a round trip per checkout on the hot path. A
    # connection broken by a server restart fails one statement, SQLAlchemy
    # then invalidates the whole pool, and the caller's retry gets a fresh one.
    return create_engine(parsed, pool_size=pool_size, max_overflow=max_overflow, pool_recycle=1800)


def _sqlite_engine(url: str) -> Engine:
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the sqlite3 module so that the
        # "begin" hook below decides how transactions start.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # Readers take no write lock (WAL lets them run beside the writer).
        read_only = connection.get_execution_options().get("read_only", False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


class Database:
    """The engine plus the one way the application opens a transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection for reads only: no transaction on PostgreSQL (each
        statement on its own, no BEGIN/ROLLBACK round trips), a deferred
        transaction on SQLite."""
        options: dict[str, Any] = {"read_only": True}
        if self.dialect == "postgresql":
            options["isolation_level"] = "AUTOCOMMIT"
        with self.engine.connect().execution_options(**options) as conn:
            yield conn

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")

    def dispose(self) -> None:
        self.engine.dispose()
