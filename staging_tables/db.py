"""Reaching the staging database: from a SQLAlchemy URL or an ODBC connection string.

Either way the staging code talks DBAPI (cursor, execute, executemany) over a
pooled connection, because one SQL text must run through psycopg, PyMySQL and
pyodbc alike: SQLAlchemy has no ``postgresql+pyodbc`` dialect, so an ODBC
PostgreSQL is reached with pyodbc directly. SQLAlchemy still supplies the
pool, the DDL and, for URLs, the driver.

    postgresql+psycopg://user@host/db               native PostgreSQL
    mysql+pymysql://root@host/db                    native MySQL / MariaDB
    mariadb+pyodbc:///?odbc_connect=DRIVER%3D...    MariaDB through ODBC, via SQLAlchemy
    DRIVER={PostgreSQL Unicode};SERVER=...;         PostgreSQL through ODBC, pyodbc itself
    DRIVER={ODBC Driver 18 for SQL Server};...      SQL Server (DDL and SQL only; untested)

Session settings every connection gets: UTC, READ COMMITTED on MySQL (no gap
locks between the two sides' writers), an optional statement timeout (a
blocked claim fails instead of hanging) and an application name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pyodbc
from sqlalchemy import create_engine, event
from sqlalchemy.dialects import mssql, mysql, postgresql
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.pool import QueuePool

from dms_domain.errors import ConfigurationError
from staging_tables.errors import is_deadlock

DIALECTS = ("postgresql", "mysql", "mssql")
DEADLOCK_RETRIES = 5
_ODBC_DRIVERS = (
    (re.compile(r"postgres", re.IGNORECASE), "postgresql"),
    (re.compile(r"maria|mysql", re.IGNORECASE), "mysql"),
    (re.compile(r"sql server|freetds|tds", re.IGNORECASE), "mssql"),
)


def sqlalchemy_dialect(name: str) -> Dialect:
    """The SQLAlchemy dialect that compiles DDL for ``postgresql``, ``mysql`` or ``mssql``."""
    if name == "postgresql":
        return postgresql.dialect()  # type: ignore[no-untyped-call]
    if name in ("mysql", "mariadb"):
        return mysql.dialect()
    if name == "mssql":
        return mssql.dialect()  # type: ignore[no-untyped-call]
    raise ConfigurationError(f"unknown SQL dialect {name!r}: use one of {', '.join(DIALECTS)}")


def odbc_dialect(connection_string: str) -> str:
    driver = re.search(r"DRIVER\s*=\s*\{?([^};]+)", connection_string, re.IGNORECASE)
    if driver is None:
        raise ConfigurationError("the ODBC connection string names no DRIVER={...}")
    for pattern, dialect in _ODBC_DRIVERS:
        if pattern.search(driver.group(1)):
            return dialect
    raise ConfigurationError(
        f"ODBC driver {driver.group(1)!r} is not one for PostgreSQL, MariaDB/MySQL or SQL Server"
    )


def is_url(target: str) -> bool:
    return "://" in target.split(";", 1)[0]


@dataclass(frozen=True)
class Options:
    statement_timeout: float | None = None  # seconds; None: the server's default
    application_name: str = "dms-hub"
    pool_size: int = 4


class StagingDb:
    """A pool of DBAPI connections to the staging tables, and what to say to them."""

    def __init__(self, target: str, options: Options | None = None) -> None:
        self.options = options or Options()
        self.target = target
        self._engine: Engine | None = None
        if is_url(target):
            engine = create_engine(
                target, pool_size=self.options.pool_size, max_overflow=8, pool_pre_ping=False
            )
            name = engine.dialect.name
            self.dialect = "mysql" if name == "mariadb" else name
            if self.dialect not in DIALECTS:
                engine.dispose()
                raise ConfigurationError(f"{target!r}: staging tables need one of {DIALECTS}")
            self.paramstyle = str(engine.dialect.dbapi.paramstyle)  # type: ignore[union-attr]
            self.driver = str(engine.dialect.driver)
            event.listen(engine, "connect", self._on_connect)
            self._engine = engine
            self._pool: QueuePool | None = None
        else:
            self.dialect = odbc_dialect(target)
            self.paramstyle = "qmark"
            self.driver = "pyodbc"
            self._pool = QueuePool(
                self._odbc_connect, pool_size=self.options.pool_size, max_overflow=8
            )

    # -- connections -----------------------------------------------------------------

    def _odbc_connect(self) -> Any:
        conn = pyodbc.connect(self.target, autocommit=False)
        self._on_connect(conn, None)
        return conn

    def _on_connect(self, dbapi_conn: Any, _record: Any) -> None:
        statements = self.session_statements()
        if not statements:
            return
        cursor = dbapi_conn.cursor()
        try:
            for statement in statements:
                cursor.execute(statement)
        finally:
            cursor.close()
        dbapi_conn.commit()

    def session_statements(self) -> list[str]:
        timeout = self.options.statement_timeout
        app = re.sub(r"[^A-Za-z0-9_.:-]", "_", self.options.application_name)[:60]
        if self.dialect == "postgresql":
            found = ["SET TIME ZONE 'UTC'", f"SET application_name = '{app}'"]
            if timeout:
                found.append(f"SET statement_timeout = {int(timeout * 1000)}")
            return found
        if self.dialect == "mysql":
            found = [
                "SET time_zone = '+00:00'",
                "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED",
            ]
            if timeout:
                found.append(f"SET SESSION innodb_lock_wait_timeout = {max(1, round(timeout))}")
            return found
        return ["SET LOCK_TIMEOUT " + str(int(timeout * 1000))] if timeout else []

    @contextmanager
    def connect(self) -> Iterator[Any]:
        """A pooled DBAPI connection; rolled back and returned on exit. A connection
        that failed is dropped from the pool (it may be broken)."""
        conn = self._engine.raw_connection() if self._engine is not None else self._checkout()
        try:
            yield conn
        except BaseException:
            # A refused statement leaves a usable connection; a broken one cannot
            # even roll back, and is dropped from the pool.
            try:
                conn.rollback()
            except Exception:  # the driver's own class: the connection is gone
                conn.invalidate()
            raise
        finally:
            conn.close()

    def run(self, work: Callable[[Any], Any]) -> Any:
        """``work(cursor)`` in one transaction on a pooled connection, committed.
        A transaction the database picked as a deadlock victim is run again: claims
        and finishes of one table by several readers can cross (MySQL above all)."""
        for attempt in range(DEADLOCK_RETRIES):
            try:
                return self._run_once(work)
            except Exception as exc:
                if attempt == DEADLOCK_RETRIES - 1 or not is_deadlock(exc):
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _run_once(self, work: Callable[[Any], Any]) -> Any:
        with self.connect() as conn:
            cursor = conn.cursor()
            try:
                result = work(cursor)
            finally:
                cursor.close()
            conn.commit()
            return result

    def _checkout(self) -> Any:
        assert self._pool is not None
        return self._pool.connect()

    def sql(self, statement: str) -> str:
        """A statement written with ``?`` placeholders, in this driver's style."""
        return statement if self.paramstyle == "qmark" else statement.replace("?", "%s")

    def ddl_dialect(self) -> Dialect:
        return sqlalchemy_dialect(self.dialect)

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
        if self._pool is not None:
            self._pool.dispose()
