"""``python -m bench.staging [--rows N] [--page P] [--kinds pg-native,pg-odbc,...]``

Rows/s the U8 connector claims + maps + finishes from ``dms_in_stock``, through
the native driver and through pyodbc, against the baseline: raw executemany of
the same rows into the same table through the same driver (the write a U8
side does to produce them). Each kind runs on a fresh database (dropped after).

For each kind:
  1. baseline: the N rows written with one executemany per page on a raw
     connection (pyodbc with fast_executemany), timed;
  2. the connector pulls every page (claim with SKIP LOCKED, map through
     mappings/yonyou/stock.in.yaml, finish the batch when the next pull hands
     its cursor back, as the sync engine does), timed; every row must come
     back once and end with status 2.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

import psycopg
import pymysql
import pyodbc

from connectors.mapping import InMemoryCrossReference
from connectors.registry import ConnectorContext
from connectors.yonyou import create
from hub.gil import shorten_switch_interval
from staging_tables.db import StagingDb
from staging_tables.ddl import create_all
from staging_tables.scratch import Scratch, scratch_database

MAPPINGS = Path(__file__).resolve().parents[2] / "mappings"
MATERIALS = 200
INSERT = "INSERT INTO dms_in_stock (warehouse_code, sku, qty_on_hand, as_of) VALUES (?, ?, ?, ?)"


def rows(n: int) -> list[tuple[Any, ...]]:
    as_of = datetime.now(UTC).replace(tzinfo=None)
    return [
        (f"WH{i // MATERIALS:05d}", f"INV{i % MATERIALS:05d}", 10 + i % 50, as_of) for i in range(n)
    ]


def raw_connection(scratch: Scratch) -> Any:
    """A plain DBAPI connection of the kind's driver, outside everything we wrote."""
    if scratch.kind == "pg-native":
        return psycopg.connect(f"postgresql://root@127.0.0.1:5432/{scratch.database}")
    if scratch.kind == "mariadb-native":
        return pymysql.connect(host="127.0.0.1", user="root", database=scratch.database)
    odbc = scratch.target
    if odbc.startswith("mariadb+pyodbc"):
        odbc = unquote_plus(odbc.split("odbc_connect=", 1)[1])
    return pyodbc.connect(odbc, autocommit=False)


def fast_executemany_works(conn: Any, statement: str, sample: list[tuple[Any, ...]]) -> bool:
    """pyodbc's fast_executemany where the driver takes it (psqlODBC answers
    MemoryError: its parameter descriptions are unusable), the plain one otherwise."""
    cur = conn.cursor()
    cur.fast_executemany = True
    try:
        cur.executemany(statement, sample)
    except (MemoryError, pyodbc.Error):
        return False
    finally:
        conn.rollback()
    return True


def baseline(scratch: Scratch, data: list[tuple[Any, ...]], page: int) -> float:
    conn = raw_connection(scratch)
    try:
        cur = conn.cursor()
        statement = INSERT if isinstance(conn, pyodbc.Connection) else INSERT.replace("?", "%s")
        if isinstance(conn, pyodbc.Connection):
            cur.fast_executemany = fast_executemany_works(conn, statement, data[:2])
        started = time.perf_counter()
        for i in range(0, len(data), page):
            try:
                cur.executemany(statement, data[i : i + page])
            except MemoryError:
                # The driver's fast path fails on a full page (MariaDB ODBC): the plain one.
                conn.rollback()
                cur.fast_executemany = False
                started = time.perf_counter()
                for j in range(0, len(data), page):
                    cur.executemany(statement, data[j : j + page])
                    conn.commit()
                break
            conn.commit()
        return len(data) / (time.perf_counter() - started)
    finally:
        conn.close()


def pull_all(scratch: Scratch, n: int, page: int) -> float:
    xref = InMemoryCrossReference(
        {"erp_material_sku": {f"INV{i:05d}": f"SKU-{i:05d}" for i in range(MATERIALS)}}
    )
    connector = create(
        "bench",
        {"system": "yonyou", "target": scratch.target, "page_size": page, "timeout_seconds": 60},
        ConnectorContext(mappings_root=MAPPINGS, xref_for=lambda _kind: xref),
    )
    try:
        seen = 0
        cursor = None
        started = time.perf_counter()
        while True:
            result = connector.fetch_stock(cursor)
            seen += len(result.items)
            if result.rejected:
                raise AssertionError(f"rejected: {result.rejected[:3]}")
            cursor = result.cursor
            if not result.items:
                break
        elapsed = time.perf_counter() - started
    finally:
        connector.close()
    if seen != n:
        raise AssertionError(f"pulled {seen} rows of {n}")
    return n / elapsed


def check_done(scratch: Scratch, n: int) -> None:
    db = StagingDb(scratch.target)
    try:

        def count(cur: Any) -> int:
            cur.execute("SELECT COUNT(*) FROM dms_in_stock WHERE status = 2")
            return int(cur.fetchone()[0])

        done = int(db.run(count))
    finally:
        db.dispose()
    if done != n:
        raise AssertionError(f"{done} of {n} rows finished")


def run(kind: str, n: int, page: int, rounds: int) -> tuple[float, float]:
    """Best of ``rounds`` for both, each round on a fresh database."""
    best_base = best_pull = 0.0
    for _ in range(rounds):
        with scratch_database(kind, f"bench_{uuid.uuid4().hex[:4]}") as scratch:
            db = StagingDb(scratch.target)
            create_all(db)
            db.dispose()
            data = rows(n)
            best_base = max(best_base, baseline(scratch, data, page))
            best_pull = max(best_pull, pull_all(scratch, n, page))
            check_done(scratch, n)
    return best_base, best_pull


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.staging")
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--page", type=int, default=1_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--kinds", default="pg-native,pg-odbc,mariadb-native,mariadb-odbc")
    args = parser.parse_args()
    shorten_switch_interval()  # as `dms-hub worker`, where pulls run
    print(
        f"staging pull: {args.rows} dms_in_stock rows, pages of {args.page}, best of "
        f"{args.rounds}; Python {platform.python_version()}, {os.cpu_count()} cores, "
        f"load {os.getloadavg()[0]:.1f}"
    )
    print(
        f"{'driver':<16}{'raw executemany rows/s':>24}{'claim+map+finish rows/s':>26}{'ratio':>8}"
    )
    for kind in args.kinds.split(","):
        base, pulled = run(kind, args.rows, args.page, args.rounds)
        print(f"{kind:<16}{base:>24,.0f}{pulled:>26,.0f}{pulled / base:>8.2f}")


if __name__ == "__main__":
    main()
