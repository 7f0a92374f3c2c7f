"""purchase_drop: monthly purchases per active dealer over the last complete
business months, one GROUP BY with a sum per month; the rule itself is
``dms_domain.purchase_trend``. Purchases are the totals of orders placed in
the month, rejected and cancelled ones left out."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Connection, and_, case, func, select, type_coerce

from dms_domain.calendar import complete_months_before, month_window
from dms_domain.orders import OrderStatus
from dms_domain.purchase_trend import purchase_drop
from hub.alerting.conditions import Context, Thresholds
from hub.alerting.lifecycle import Condition
from hub.db.schema import dealers, orders
from hub.db.types import Money

NOT_PURCHASES = (OrderStatus.REJECTED.value, OrderStatus.CANCELLED.value)


def find(conn: Connection, thresholds: Thresholds, ctx: Context) -> list[Condition]:
    streak = int(thresholds["months"])
    baseline = int(thresholds["baseline_months"])
    percent = Decimal(thresholds["drop_percent"])
    months = complete_months_before(ctx.now, ctx.tz, baseline + streak)
    windows = [month_window(m, ctx.tz) for m in months]
    sums = [
        type_coerce(
            func.sum(
                case(
                    (and_(orders.c.created_at >= start, orders.c.created_at < end), orders.c.total),
                    else_=0,
                )
            ),
            Money(2),
        ).label(f"m{i}")
        for i, (start, end) in enumerate(windows)
    ]
    query = (
        select(orders.c.dealer_code, *sums)
        .join(dealers, dealers.c.code == orders.c.dealer_code)
        .where(
            dealers.c.status == "active",
            orders.c.created_at >= windows[0][0],
            orders.c.created_at < windows[-1][1],
            orders.c.status.not_in(NOT_PURCHASES),
        )
        .group_by(orders.c.dealer_code)
    )
    found = []
    for row in conn.execute(query):
        monthly = [Decimal(row[i + 1] or 0) for i in range(len(months))]
        finding = purchase_drop(
            monthly, drop_percent=percent, months=streak, baseline_months=baseline
        )
        if finding is None:
            continue
        found.append(
            Condition(
                subject=f"dealer:{row.dealer_code}",
                message=f"{row.dealer_code} bought at least {percent}% less than its "
                f"{baseline}-month average ({finding.baseline:.2f}) for {streak} months",
                details={
                    "baseline_average": f"{finding.baseline:.2f}",
                    "baseline_months": [str(m) for m in months[:baseline]],
                    "months": {
                        str(m): f"{v:.2f}"
                        for m, v in zip(months[baseline:], finding.streak, strict=True)
                    },
                    "least_drop_percent": str(finding.worst_drop_percent),
                    "drop_percent": str(percent),
                },
                dealer_code=row.dealer_code,
            )
        )
    return found
