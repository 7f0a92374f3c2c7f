"""The demo dealer D001's receivables: invoices and payments over the last
three months, and the last two months' statements issued, so a newcomer
trying the portal has a statement to confirm or dispute, a credit headroom
below its limit, and (once the alert rules run at start) a ``credit_overdue``
alert for an invoice left partly unpaid.

Dates are relative to today in the business time zone; part of
``seed_demo``'s first run, so it runs once."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from dms_domain.exchange import PaymentIn
from dms_domain.receivables import business_date
from dms_domain.statements import Month
from hub.auth.principal import Principal
from hub.services import ledger_posting, statements

DEMO_LEDGER_DEALER = "D001"
# months back from the current month, day of month, number, amount, tax
INVOICES = (
    (3, 5, "INV-DEMO-0001", "3390.00", "390.00"),
    (2, 12, "INV-DEMO-0002", "1130.00", "130.00"),
    (1, 8, "INV-DEMO-0003", "2260.00", "260.00"),
)
# months back, day of month, number, amount, the invoice it pays
PAYMENTS = (
    (2, 10, "PAY-DEMO-0001", "2000.00", "INV-DEMO-0001"),  # leaves 1,390.00 overdue
    (1, 20, "PAY-DEMO-0002", "1130.00", "INV-DEMO-0002"),
)


def _month_back(today: date, back: int) -> Month:
    month = Month.of(today)
    for _ in range(back):
        month = month.previous()
    return month


def _day(today: date, back: int, day: int) -> date:
    return _month_back(today, back).start.replace(day=day)


def seed_demo_ledger(conn: Connection, *, actor: Principal, now: datetime, tz: str) -> None:
    today = business_date(now, tz)
    for back, day, number, amount, tax in INVOICES:
        ledger_posting.post_invoice(
            conn,
            ledger_posting.InvoiceInput(
                invoice_no=number,
                dealer_code=DEMO_LEDGER_DEALER,
                invoice_date=_day(today, back, day),
                amount=Decimal(amount),
                tax_amount=Decimal(tax),
                currency="CNY",
            ),
            actor=actor,
            now=now,
        )
    for back, day, number, amount, invoice_no in PAYMENTS:
        paid_at = datetime.combine(_day(today, back, day), time(10), ZoneInfo(tz))
        ledger_posting.post_payment(
            conn,
            PaymentIn(
                "api",
                number,
                "1",
                payment_no=number,
                dealer_code=DEMO_LEDGER_DEALER,
                paid_at=paid_at,
                amount=Decimal(amount),
                currency="CNY",
                invoice_no=invoice_no,
            ),
            actor=actor,
            now=now,
        )
    for back in (2, 1):  # in month order, as statements are issued
        statements.issue_statement(
            conn, DEMO_LEDGER_DEALER, _month_back(today, back), actor=actor, now=now, tz=tz
        )
