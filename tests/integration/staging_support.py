"""Fixtures and helpers for the staging-table tests: a fresh database per kind
(PostgreSQL and MariaDB, each natively and through ODBC), tables created."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from staging_tables.db import Options, StagingDb
from staging_tables.ddl import create_all
from staging_tables.scratch import KINDS, Scratch, scratch_database
from staging_tables.sql import Sql
from tests.conftest import service_unavailable

STOCK_COLUMNS = ("warehouse_code", "sku", "qty_on_hand", "as_of")


ODBC_KINDS = ("pg-odbc", "mariadb-odbc")


@pytest.fixture(scope="module", params=KINDS)
def scratch(request: pytest.FixtureRequest) -> Iterator[Scratch]:
    yield from _scratch(request)


@pytest.fixture(scope="module", params=ODBC_KINDS)
def odbc_scratch(request: pytest.FixtureRequest) -> Iterator[Scratch]:
    """Through ODBC only: for the slower tests, where the drivers the contract is
    proven on matter most."""
    yield from _scratch(request)


def _scratch(request: pytest.FixtureRequest) -> Iterator[Scratch]:
    try:
        with scratch_database(str(request.param)) as found:
            yield found
    except (OSError, ConnectionError) as exc:  # pragma: no cover - a laptop without the service
        service_unavailable(str(request.param), exc)
    except Exception as exc:  # pragma: no cover
        if "connect" in str(exc).lower():
            service_unavailable(str(request.param), exc)
        raise


@pytest.fixture(scope="module")
def staging(scratch: Scratch) -> Iterator[StagingDb]:
    yield from _staging(scratch)


@pytest.fixture(scope="module")
def odbc_staging(odbc_scratch: Scratch) -> Iterator[StagingDb]:
    yield from _staging(odbc_scratch)


def _staging(scratch: Scratch) -> Iterator[StagingDb]:
    db = StagingDb(scratch.target, Options(statement_timeout=5, application_name="dms-hub-test"))
    create_all(db)
    yield db
    db.dispose()


def execute(db: StagingDb, statement: str, params: tuple[Any, ...] = ()) -> list[Any]:
    def work(cur: Any) -> list[Any]:
        cur.execute(db.sql(statement), params)
        return list(cur.fetchall()) if cur.description else []

    return db.run(work)  # type: ignore[no-any-return]


def insert_stock(db: StagingDb, n: int, qty: Any = 5) -> list[str]:
    """``n`` new stock rows; their SKUs."""
    token = uuid.uuid4().hex[:8]
    skus = [f"S{token}-{i:05d}" for i in range(n)]
    now = Sql(db.dialect).now
    statement = db.sql(
        "INSERT INTO dms_in_stock (warehouse_code, sku, qty_on_hand, as_of) "
        f"VALUES (?, ?, ?, {now})"
    )
    db.run(lambda cur: cur.executemany(statement, [("WH1", sku, qty) for sku in skus]))
    return skus


def statuses(db: StagingDb, skus: list[str]) -> dict[str, tuple[int, int, str | None]]:
    """sku -> (status, attempts, error_msg)."""
    rows = execute(db, "SELECT sku, status, attempts, error_msg FROM dms_in_stock")
    wanted = set(skus)
    return {r[0]: (int(r[1]), int(r[2]), r[3]) for r in rows if r[0] in wanted}
