"""licence_expiring: a dealer licence expiring within N days, or expired and
not renewed (terminated dealers left out). Renewing it (a later ``expires_on``
through PUT .../licences/{number}) clears the condition."""

from __future__ import annotations

from sqlalchemy import Connection, select

from dms_domain.calendar import local_date
from dms_domain.deadlines import days_left, licence_alert_horizon
from hub.alerting.conditions import Context, Thresholds
from hub.alerting.lifecycle import Condition
from hub.db.schema import dealer_licences, dealers


def find(conn: Connection, thresholds: Thresholds, ctx: Context) -> list[Condition]:
    today = local_date(ctx.now, ctx.tz)
    horizon = licence_alert_horizon(today, int(thresholds["days"]))
    lic = dealer_licences.c
    query = (
        select(lic.dealer_code, lic.number, lic.kind, lic.expires_on)
        .join(dealers, dealers.c.code == lic.dealer_code)
        .where(lic.expires_on <= horizon, dealers.c.status != "terminated")
    )
    found = []
    for row in conn.execute(query):
        left = days_left(row.expires_on, today)
        when = (
            f"expired on {row.expires_on}"
            if left < 0
            else f"is valid through {row.expires_on} ({left} days left)"
        )
        found.append(
            Condition(
                subject=f"licence:{row.dealer_code}/{row.number}",
                message=f"{row.dealer_code}'s {row.kind} licence {row.number} {when}",
                details={
                    "number": row.number,
                    "licence_kind": row.kind,
                    "expires_on": row.expires_on.isoformat(),
                    "days_left": left,
                },
                dealer_code=row.dealer_code,
                severity="critical" if left < 0 else "warning",
            )
        )
    return found
