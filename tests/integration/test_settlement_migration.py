"""Migration 0007 on a database that already holds a ledger: existing invoices
get their open amounts and allocations by the settlement rule, on both backends."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Column, MetaData, Table, insert, select

from hub.db.engine import Database, make_engine
from hub.db.migrate import upgrade
from hub.db.schema import allocations, dealers, invoices, payments
from tests.conftest import fresh_pg_database

NOW = datetime(2026, 3, 1, tzinfo=UTC)
# invoices as revision 0005 has them: without open_amount.
OLD_INVOICES = Table(
    "invoices",
    MetaData(),
    *(Column(c.name, c.type) for c in invoices.c if c.name != "open_amount"),
)
D = Decimal


@contextmanager
def empty_database(backend: str, tmp_path: Path) -> Iterator[Database]:
    if backend == "sqlite":
        db = Database(make_engine(f"sqlite:///{tmp_path / 'old.db'}"))
        yield db
        db.dispose()
        return
    with fresh_pg_database("dmshub_mig") as url:
        db = Database(make_engine(url))
        yield db
        db.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_existing_ledgers_are_allocated_by_the_migration(backend: str, tmp_path: Path) -> None:
    with empty_database(backend, tmp_path) as db:
        upgrade(db, "0005")
        with db.transaction() as conn:
            conn.execute(
                insert(dealers).values(
                    code="D1",
                    name="d",
                    tier="core",
                    credit_limit=None,
                    payment_terms_days=30,
                    status="active",
                    created_at=NOW,
                    updated_at=NOW,
                )
            )
            for number, day, amount in (("I-OLD", 1, "100.00"), ("I-NEW", 20, "50.00")):
                conn.execute(
                    insert(OLD_INVOICES).values(
                        {
                            OLD_INVOICES.c.invoice_no: number,
                            OLD_INVOICES.c.dealer_code: "D1",
                            OLD_INVOICES.c.invoice_date: date(2026, 1, day),
                            OLD_INVOICES.c.due_date: date(2026, 2, day),
                            OLD_INVOICES.c.amount: D(amount),
                            OLD_INVOICES.c.tax_amount: D("0.00"),
                            OLD_INVOICES.c.currency: "CNY",
                            OLD_INVOICES.c.source: "erp",
                            OLD_INVOICES.c.recorded_at: NOW,
                        }
                    )
                )
            conn.execute(
                insert(payments).values(
                    payment_no="P1",
                    dealer_code="D1",
                    paid_at=NOW,
                    amount=D("120.00"),
                    currency="CNY",
                    invoice_no=None,
                    source="erp",
                    recorded_at=NOW,
                )
            )

        upgrade(db)

        with db.read() as conn:
            open_amounts = dict(
                conn.execute(select(invoices.c.invoice_no, invoices.c.open_amount)).all()
            )
            applied = set(
                conn.execute(
                    select(allocations.c.doc_no, allocations.c.invoice_no, allocations.c.amount)
                ).all()
            )
    assert open_amounts == {"I-OLD": D("0.00"), "I-NEW": D("30.00")}
    assert applied == {("P1", "I-OLD", D("100.00")), ("P1", "I-NEW", D("20.00"))}
