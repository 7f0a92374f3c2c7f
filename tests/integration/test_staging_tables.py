"""The staging tables and their claim protocol on PostgreSQL and MariaDB, each
through its native driver and through ODBC (pyodbc + unixODBC)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from dms_domain.errors import TransientError
from hub.cli import main
from staging_tables.claims import ClaimPolicy, StagingQueue
from staging_tables.db import Options, StagingDb
from staging_tables.ddl import create_all, ddl_script, existing_tables
from staging_tables.errors import DuplicateKey, translate
from staging_tables.schema import metadata
from staging_tables.scratch import Scratch
from staging_tables.sql import Sql
from tests.integration.staging_support import (
    STOCK_COLUMNS,
    execute,
    insert_stock,
    scratch,
    staging,
    statuses,
)

__all__ = ["scratch", "staging"]  # fixtures used by name


@pytest.fixture(autouse=True)
def empty_stock(staging: StagingDb) -> None:
    execute(staging, "DELETE FROM dms_in_stock")


def test_every_table_of_the_contract_is_created_once(staging: StagingDb) -> None:
    expected = {
        "dms_out_sales_order",
        "dms_out_sales_order_line",
        "dms_out_order_cancel",
        "dms_in_stock",
        "dms_in_shipment",
        "dms_in_shipment_line",
        "dms_in_order_event",
        "dms_in_invoice",
        "dms_in_credit_note",
        "dms_in_payment",
    }
    assert existing_tables(staging) == expected
    assert create_all(staging) == []


def test_the_cli_creates_the_tables(scratch: Scratch, capsys: pytest.CaptureFixture[str]) -> None:
    # The module's tables exist already: the command says so instead of failing.
    assert main(["staging", "init", scratch.target]) == 0
    assert "there already" in capsys.readouterr().out


@pytest.mark.parametrize("dialect", ["postgresql", "mysql", "mssql"])
def test_the_ddl_for_review_follows_the_contract(dialect: str) -> None:
    script = ddl_script(dialect)
    assert script.count("CREATE TABLE") == len(metadata.tables)
    assert "BOOLEAN" not in script.upper()
    assert "status SMALLINT" in script
    assert "NUMERIC(18, 2)" in script
    assert "NUMERIC(18, 4)" in script
    if dialect == "mssql":
        assert "NVARCHAR(40)" in script
        assert "SYSUTCDATETIME()" in script
    if dialect == "mysql":
        assert "CHARSET=utf8mb4" in script
        assert "DATETIME(6)" in script


def test_the_cli_prints_the_ddl(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["staging", "init", "--sql", "mssql"]) == 0
    out = capsys.readouterr().out
    assert "CREATE TABLE dms_out_sales_order (" in out
    assert "GO" in out


def test_a_business_key_cannot_be_written_twice(staging: StagingDb) -> None:
    now = Sql(staging.dialect).now
    statement = (
        "INSERT INTO dms_in_invoice (invoice_no, dealer_code, invoice_date, due_date, amount, "
        f"tax_amount, currency, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, {now})"
    )
    row = (
        "INV-DUP-1",
        "C001",
        "2026-01-05",
        "2026-02-04",
        Decimal("113.00"),
        Decimal("13.00"),
        "CNY",
    )
    execute(staging, statement, row)
    with pytest.raises(Exception) as second:  # noqa: PT011 - each driver has its own class
        execute(staging, statement, row)
    assert isinstance(translate(second.value, "insert"), DuplicateKey)


def test_chinese_text_round_trips(staging: StagingDb) -> None:
    execute(
        staging,
        "INSERT INTO dms_in_credit_note (credit_note_no, dealer_code, issued_at, amount, reason) "
        f"VALUES (?, ?, {Sql(staging.dialect).now}, ?, ?)",
        ("CN-ZH-1", "C001", Decimal("10.00"), "退货：包装破损"),
    )
    [(reason,)] = execute(
        staging, "SELECT reason FROM dms_in_credit_note WHERE credit_note_no = ?", ("CN-ZH-1",)
    )
    assert reason == "退货：包装破损"


def test_a_claim_takes_new_rows_oldest_first_in_database_time(staging: StagingDb) -> None:
    skus = insert_stock(staging, 5)
    queue = StagingQueue(staging, "dms_in_stock", STOCK_COLUMNS)

    batch = queue.claim(3)

    assert [row[3] for row in batch.rows] == skus[:3]
    assert [row[1] for row in batch.rows] == [1, 1, 1]  # attempts
    found = statuses(staging, skus)
    assert [found[s][:2] for s in skus] == [(1, 1)] * 3 + [(0, 0)] * 2
    [(claimed_at, db_now)] = execute(
        staging,
        f"SELECT MIN(claimed_at), {Sql(staging.dialect).now} FROM dms_in_stock WHERE batch_id = ?",
        (batch.batch_id,),
    )
    assert timedelta(0) <= db_now - claimed_at < timedelta(seconds=10)
    # Stored in UTC without zone, whatever the session's zone is.
    assert abs(claimed_at - datetime.now(UTC).replace(tzinfo=None)) < timedelta(minutes=5)


def test_finishing_marks_done_and_failed_rows(staging: StagingDb) -> None:
    skus = insert_stock(staging, 4)
    queue = StagingQueue(staging, "dms_in_stock", STOCK_COLUMNS)
    batch = queue.claim(10)
    bad = batch.ids[1]

    finished = queue.finish(batch.batch_id, failed={bad: "qty_on_hand: 'x' is not a number"})

    assert finished == 4
    found = statuses(staging, skus)
    assert found[skus[1]] == (3, 1, "qty_on_hand: 'x' is not a number")
    assert [found[s][0] for s in skus] == [2, 3, 2, 2]
    assert queue.claim(10).rows == []


def test_a_late_finish_after_the_lease_is_refused(staging: StagingDb) -> None:
    skus = insert_stock(staging, 3)
    queue = StagingQueue(staging, "dms_in_stock", STOCK_COLUMNS, ClaimPolicy(lease_seconds=0.3))
    slow = queue.claim(10)
    time.sleep(0.5)

    taken_over = queue.claim(10)
    late = queue.finish(slow.batch_id, failed={slow.ids[0]: "late"})

    assert sorted(taken_over.ids) == sorted(slow.ids)
    assert [row[1] for row in taken_over.rows] == [2, 2, 2]
    assert late == 0
    assert queue.finish(taken_over.batch_id) == 3
    assert {v[0] for v in statuses(staging, skus).values()} == {2}


def test_a_row_that_keeps_failing_goes_to_error_and_the_rest_go_on(staging: StagingDb) -> None:
    [poison] = insert_stock(staging, 1)
    queue = StagingQueue(
        staging, "dms_in_stock", STOCK_COLUMNS, ClaimPolicy(lease_seconds=0.2, max_attempts=2)
    )
    first = queue.claim(10)
    queue.finish(first.batch_id, retry={first.ids[0]: "hub database unavailable"})
    second = queue.claim(10)  # attempt 2: then its reader dies (never finishes)
    time.sleep(0.3)
    healthy = insert_stock(staging, 2)

    third = queue.claim(10)

    assert second.ids == first.ids
    assert [row[3] for row in third.rows] == healthy
    assert third.gave_up == first.ids
    status, attempts, error = statuses(staging, [poison])[poison]
    assert (status, attempts) == (3, 2)
    assert error is not None
    assert "gave up after 2 attempts" in error
    assert "hub database unavailable" in error


def test_a_retry_after_the_last_attempt_is_an_error(staging: StagingDb) -> None:
    [sku] = insert_stock(staging, 1)
    queue = StagingQueue(staging, "dms_in_stock", STOCK_COLUMNS, ClaimPolicy(max_attempts=1))
    batch = queue.claim(1)
    queue.finish(batch.batch_id, retry={batch.ids[0]: "qty_on_hand: bad"})
    assert statuses(staging, [sku])[sku] == (3, 1, "qty_on_hand: bad")


def test_claims_skip_rows_another_reader_holds(staging: StagingDb) -> None:
    skus = insert_stock(staging, 6)
    queue = StagingQueue(staging, "dms_in_stock", STOCK_COLUMNS)
    select = staging.sql(
        Sql(staging.dialect).select_claimable("dms_in_stock", ("id", "sku"), 2, None)
    )
    with staging.connect() as holder:
        cursor = holder.cursor()
        cursor.execute(select)
        held = [row[1] for row in cursor.fetchall()]

        batch = queue.claim(10)

        holder.rollback()
    assert held == skus[:2]
    assert [row[3] for row in batch.rows] == skus[2:]


def test_a_finish_blocked_past_the_timeout_is_transient(scratch: Scratch) -> None:
    impatient = StagingDb(scratch.target, Options(statement_timeout=1))
    patient = StagingDb(scratch.target)
    try:
        [sku] = insert_stock(patient, 1)
        queue = StagingQueue(impatient, "dms_in_stock", STOCK_COLUMNS)
        batch = queue.claim(1)
        lock = "UPDATE dms_in_stock SET attempts = attempts WHERE sku = ?"
        with patient.connect() as holder:
            holder.cursor().execute(patient.sql(lock), (sku,))
            started = time.monotonic()
            with pytest.raises(TransientError):
                queue.finish(batch.batch_id)
            holder.rollback()
        assert time.monotonic() - started < 4
        assert queue.finish(batch.batch_id) == 1
    finally:
        impatient.dispose()
        patient.dispose()
