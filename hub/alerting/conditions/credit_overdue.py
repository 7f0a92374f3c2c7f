"""credit_overdue: receivables past due by more than N days.

Per dealer, the invoices due before the cutoff (``dms_domain.deadlines``)
less everything the dealer paid and was credited, oldest due settled first.
The invoices' own ``due_date`` is used (set when the invoice is recorded).
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Connection, func, select, type_coerce

from dms_domain.calendar import local_date
from dms_domain.deadlines import overdue_amount, overdue_cutoff
from hub.alerting.conditions import Context, Thresholds
from hub.alerting.lifecycle import Condition
from hub.db.schema import credit_notes, invoices, payments
from hub.db.types import Money


def find(conn: Connection, thresholds: Thresholds, ctx: Context) -> list[Condition]:
    days = int(thresholds["days"])
    today = local_date(ctx.now, ctx.tz)
    cutoff = overdue_cutoff(today, days)
    due = (
        select(
            invoices.c.dealer_code,
            type_coerce(func.sum(invoices.c.amount), Money(2)).label("due"),
            func.min(invoices.c.due_date).label("oldest_due"),
            func.count().label("invoices"),
        )
        .where(invoices.c.due_date < cutoff)
        .group_by(invoices.c.dealer_code)
        .subquery()
    )
    paid = (
        select(payments.c.dealer_code, func.sum(payments.c.amount).label("amount"))
        .group_by(payments.c.dealer_code)
        .subquery()
    )
    credited = (
        select(credit_notes.c.dealer_code, func.sum(credit_notes.c.amount).label("amount"))
        .group_by(credit_notes.c.dealer_code)
        .subquery()
    )
    settled = type_coerce(
        func.coalesce(paid.c.amount, 0) + func.coalesce(credited.c.amount, 0), Money(2)
    ).label("settled")
    query = (
        select(due.c.dealer_code, due.c.due, due.c.oldest_due, due.c.invoices, settled)
        .select_from(
            due.outerjoin(paid, paid.c.dealer_code == due.c.dealer_code).outerjoin(
                credited, credited.c.dealer_code == due.c.dealer_code
            )
        )
        .where(due.c.due > settled)
    )
    found = []
    for row in conn.execute(query):
        amount = overdue_amount(Decimal(row.due), Decimal(row.settled))
        found.append(
            Condition(
                subject=f"dealer:{row.dealer_code}",
                message=f"{row.dealer_code} has {amount} past due by more than {days} days",
                details={
                    "overdue_amount": str(amount),
                    "due_before": cutoff.isoformat(),
                    "invoiced_due": str(row.due),
                    "settled": str(row.settled),
                    "oldest_due_date": row.oldest_due.isoformat(),
                    "invoices_due": row.invoices,
                    "days": days,
                },
                dealer_code=row.dealer_code,
            )
        )
    return found
