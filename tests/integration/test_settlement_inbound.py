"""Invoices, credit notes and payments pulled from an ERP, as settlement sees
them, on PostgreSQL and SQLite: bad amounts are quarantined, not applied; a
newer version of an invoice re-settles the ledger and is stated again, for the
difference, on the next statement."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import Connection, insert, select

from dms_domain.errors import BadRecord
from dms_domain.exchange import CreditNoteIn, InvoiceIn, PaymentIn
from dms_domain.statements import Month
from hub.bootstrap import Container
from hub.db.schema import dealers, invoices, orders, warehouses
from hub.services.statements import SCHEDULER, find_statement, issue_statement, statement_detail
from hub.sync import inbound
from tests.conftest import unique

NOW = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
TZ = "Asia/Shanghai"


def new_dealer(container: Container) -> str:
    code = unique("D")
    with container.db.transaction() as conn:
        conn.execute(
            insert(dealers).values(
                code=code,
                name=code,
                tier="core",
                credit_limit=None,
                payment_terms_days=30,
                status="active",
                created_at=NOW,
                updated_at=NOW,
            )
        )
    return code


def invoice(code: str, number: str, amount: str, version: str = "1", **extra: object) -> InvoiceIn:
    return InvoiceIn(
        "erp",
        number,
        version,
        number,
        code,
        date(2026, 8, 3),
        date(2026, 9, 2),
        Decimal(amount),
        Decimal("0.00"),
        "CNY",
        **extra,  # type: ignore[arg-type]
    )


def test_bad_amounts_and_foreign_orders_are_refused_naming_the_field(container: Container) -> None:
    mine, other = new_dealer(container), new_dealer(container)
    order_no, warehouse = unique("SO"), unique("WH")
    with container.db.transaction() as conn:
        conn.execute(
            insert(warehouses).values(
                code=warehouse, name=warehouse, kind="central", created_at=NOW, updated_at=NOW
            )
        )
        conn.execute(
            insert(orders).values(
                order_no=order_no,
                dealer_code=other,
                warehouse_code=warehouse,
                status="confirmed",
                currency="CNY",
                total=Decimal("10.00"),
                tax_total=Decimal("0.00"),
                invoiced_amount=Decimal("0.00"),
                discounts=[],
                warnings=[],
                urgent=False,
                placed_by="tests",
                created_at=NOW,
                updated_at=NOW,
            )
        )
    cases: list[tuple[Callable[[Connection], str], str]] = [
        (
            lambda conn: inbound.apply_invoice(conn, invoice(mine, unique("I"), "-1.00"), NOW),
            "amount",
        ),
        (
            lambda conn: inbound.apply_invoice(
                conn, invoice(mine, unique("I"), "5.00", order_no=order_no), NOW
            ),
            "order_no",
        ),
        (
            lambda conn: inbound.apply_payment(
                conn,
                PaymentIn("erp", "P", "1", unique("P"), mine, NOW, Decimal("0.00"), "CNY"),
                NOW,
            ),
            "amount",
        ),
        (
            lambda conn: inbound.apply_credit_note(
                conn, CreditNoteIn("erp", "C", "1", unique("C"), mine, NOW, Decimal("-3.00")), NOW
            ),
            "amount",
        ),
    ]
    for apply, field in cases:
        with pytest.raises(BadRecord) as caught, container.db.transaction() as conn:
            apply(conn)
        assert [e.field for e in caught.value.errors] == [field]


def test_a_newer_invoice_version_resettles_and_is_stated_again_for_the_difference(
    container: Container,
) -> None:
    code = new_dealer(container)
    number = unique("INV")
    with container.db.transaction() as conn:
        inbound.apply_invoice(conn, invoice(code, number, "100.00"), NOW)
        payment = PaymentIn(
            "erp",
            unique("P"),
            "1",
            unique("P"),
            code,
            datetime(2026, 8, 10, tzinfo=UTC),
            Decimal("60.00"),
            "CNY",
        )
        inbound.apply_payment(conn, payment, NOW)
        issue_statement(conn, code, Month(2026, 8), actor=SCHEDULER, now=NOW, tz=TZ)
        # The ERP corrects the invoice to 80.00 after August's statement went out.
        assert inbound.apply_invoice(conn, invoice(code, number, "80.00", "2"), NOW) == "applied"
        assert inbound.apply_invoice(conn, invoice(code, number, "999.00", "1"), NOW) == "stale"
        open_amount = conn.scalar(
            select(invoices.c.open_amount).where(invoices.c.invoice_no == number)
        )
        assert open_amount == Decimal("20.00")
        issue_statement(conn, code, Month(2026, 9), actor=SCHEDULER, now=NOW, tz=TZ)
        august = statement_detail(conn, find_statement(conn, code, Month(2026, 8), SCHEDULER))
        september = statement_detail(conn, find_statement(conn, code, Month(2026, 9), SCHEDULER))
    assert (august["invoices_total"], august["closing_balance"]) == (
        Decimal("100.00"),
        Decimal("40.00"),
    )
    assert september["opening_balance"] == Decimal("40.00")
    assert [
        (line["document_no"], line["amount"], line["revision"]) for line in september["lines"]
    ] == [(number, Decimal("-20.00"), True)]
    assert september["closing_balance"] == Decimal("20.00")  # the ledger's balance
