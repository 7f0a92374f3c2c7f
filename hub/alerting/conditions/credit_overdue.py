"""credit_overdue: receivables past due by more than N days.

Per dealer, what is still open (``invoices.open_amount``, kept by settlement:
payments and credit notes settle the invoice they name, then the oldest due)
on the invoices due before the cutoff (``dms_domain.deadlines``).
"""

from __future__ import annotations

from sqlalchemy import Connection, func, select, type_coerce

from dms_domain.calendar import local_date
from dms_domain.deadlines import overdue_cutoff
from hub.alerting.conditions import Context, Thresholds
from hub.alerting.lifecycle import Condition
from hub.db.schema import invoices
from hub.db.types import Money


def find(conn: Connection, thresholds: Thresholds, ctx: Context) -> list[Condition]:
    days = int(thresholds["days"])
    today = local_date(ctx.now, ctx.tz)
    cutoff = overdue_cutoff(today, days)
    query = (
        select(
            invoices.c.dealer_code,
            type_coerce(func.sum(invoices.c.open_amount), Money(2)).label("overdue"),
            func.min(invoices.c.due_date).label("oldest_due"),
            func.count().label("invoices"),
        )
        .where(invoices.c.due_date < cutoff, invoices.c.open_amount > 0)
        .group_by(invoices.c.dealer_code)
    )
    found = []
    for row in conn.execute(query):
        found.append(
            Condition(
                subject=f"dealer:{row.dealer_code}",
                message=f"{row.dealer_code} has {row.overdue} past due by more than {days} days",
                details={
                    "overdue_amount": str(row.overdue),
                    "due_before": cutoff.isoformat(),
                    "oldest_due_date": row.oldest_due.isoformat(),
                    "invoices_due": row.invoices,
                    "days": days,
                },
                dealer_code=row.dealer_code,
            )
        )
    return found
