"""Throwaway staging databases on the local PostgreSQL and MariaDB, for tests and
benchmarks: one fresh database per use, reached natively or through ODBC, and
dropped afterwards, so parallel runs never share rows.

The servers are taken from ``DMS_TEST_PG_DSN`` (default
``postgresql://root@127.0.0.1:5432/postgres``) and ``DMS_TEST_MARIADB``
(default ``root@127.0.0.1:3306``, no password).
"""

from __future__ import annotations

import os
import urllib.parse
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import psycopg
import pymysql

PG_ADMIN_DSN = os.environ.get("DMS_TEST_PG_DSN", "postgresql://root@127.0.0.1:5432/postgres")
MARIADB = os.environ.get("DMS_TEST_MARIADB", "root@127.0.0.1:3306")
KINDS = ("pg-native", "pg-odbc", "mariadb-native", "mariadb-odbc")


@dataclass(frozen=True)
class Scratch:
    kind: str
    database: str
    target: str  # SQLAlchemy URL or ODBC connection string


def _pg_parts() -> tuple[str, str, str]:
    parsed = urllib.parse.urlsplit(PG_ADMIN_DSN)
    return parsed.hostname or "127.0.0.1", str(parsed.port or 5432), parsed.username or "root"


def _maria_parts() -> tuple[str, str, int]:
    user, _, where = MARIADB.rpartition("@")
    host, _, port = where.partition(":")
    return user or "root", host, int(port or 3306)


def target_for(kind: str, database: str) -> str:
    if kind.startswith("pg"):
        host, port, user = _pg_parts()
        if kind == "pg-native":
            return f"postgresql+psycopg://{user}@{host}:{port}/{database}"
        return (
            f"DRIVER={{PostgreSQL Unicode}};SERVER={host};PORT={port};"
            f"DATABASE={database};UID={user};PWD=;"
        )
    user, host, mport = _maria_parts()
    if kind == "mariadb-native":
        return f"mysql+pymysql://{user}@{host}:{mport}/{database}?charset=utf8mb4"
    odbc = (
        f"DRIVER={{MariaDB Unicode}};SERVER={host};PORT={mport};"
        f"DATABASE={database};UID={user};PWD=;"
    )
    return "mariadb+pyodbc:///?odbc_connect=" + urllib.parse.quote_plus(odbc)


@contextmanager
def scratch_database(kind: str, prefix: str = "stg") -> Iterator[Scratch]:
    """A fresh, empty database for ``kind`` (one of KINDS), dropped on exit."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    if kind.startswith("pg"):
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True, connect_timeout=5) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield Scratch(kind, name, target_for(kind, name))
        finally:
            with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        return
    user, host, port = _maria_parts()
    admin_conn = pymysql.connect(host=host, port=port, user=user, connect_timeout=5)
    try:
        with admin_conn.cursor() as cur:
            cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
        yield Scratch(kind, name, target_for(kind, name))
    finally:
        with admin_conn.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
        admin_conn.close()
