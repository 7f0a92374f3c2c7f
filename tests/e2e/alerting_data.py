"""Months of history written straight into the database (placing two years of
orders through HTTP would take minutes), and the evaluation run at a pinned time."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select

from dms_domain.alert_rules import AlertKind
from hub.alerting.evaluate import evaluate
from hub.alerting.lifecycle import SyncResult
from hub.db.engine import Database
from hub.db.schema import alerts, invoices, orders, payments
from tests.conftest import unique

SHANGHAI = ZoneInfo("Asia/Shanghai")


def add_order(
    db: Database,
    dealer: str,
    warehouse: str,
    total: str,
    at: datetime,
    status: str = "confirmed",
) -> str:
    order_no = unique("SO")[:32]
    with db.transaction() as conn:
        conn.execute(
            insert(orders).values(
                order_no=order_no,
                dealer_code=dealer,
                warehouse_code=warehouse,
                status=status,
                currency="CNY",
                total=Decimal(total),
                tax_total=Decimal(0),
                invoiced_amount=Decimal(0),
                discounts=[],
                warnings=[],
                urgent=False,
                placed_by="test",
                created_at=at,
                updated_at=at,
            )
        )
    return order_no


def add_invoice(db: Database, dealer: str, amount: str, due: date, at: datetime) -> str:
    number = unique("INV")
    with db.transaction() as conn:
        conn.execute(
            insert(invoices).values(
                invoice_no=number,
                dealer_code=dealer,
                invoice_date=due,
                due_date=due,
                amount=Decimal(amount),
                tax_amount=Decimal(0),
                currency="CNY",
                source="test",
                recorded_at=at,
            )
        )
    return number


def add_payment(db: Database, dealer: str, amount: str, at: datetime) -> None:
    with db.transaction() as conn:
        conn.execute(
            insert(payments).values(
                payment_no=unique("PAY"),
                dealer_code=dealer,
                paid_at=at,
                amount=Decimal(amount),
                currency="CNY",
                source="test",
                recorded_at=at,
            )
        )


def run(db: Database, now: datetime, *kinds: AlertKind) -> dict[AlertKind, SyncResult]:
    return evaluate(db, now, SHANGHAI, kinds or None)


def alerts_of(db: Database, kind: AlertKind, subject: str) -> list[dict[str, Any]]:
    """Every alert ever raised of (kind, subject), oldest first."""
    with db.read() as conn:
        rows = conn.execute(
            select(alerts)
            .where(alerts.c.kind == kind.value, alerts.c.subject == subject)
            .order_by(alerts.c.id)
        )
        return [dict(r._mapping) for r in rows]
