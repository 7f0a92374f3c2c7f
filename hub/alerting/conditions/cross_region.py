"""cross_region_sales (diversion, 窜货): per dealer, units of sell-out in the
period by buyer region, split by whether the region is one of the dealer's;
the rule is ``dms_domain.diversion``. The alert's details are the evidence:
units inside, outside (per region) and unlocated, and the period."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, and_, func, select

from dms_domain.calendar import local_date, period_start
from dms_domain.diversion import is_diversion, outside_share_percent
from hub.alerting.conditions import Context, Thresholds
from hub.alerting.lifecycle import Condition
from hub.db.schema import dealer_regions, sell_out_reports

EVIDENCE_REGIONS = 10


def find(conn: Connection, thresholds: Thresholds, ctx: Context) -> list[Condition]:
    allowed = Decimal(thresholds["max_outside_percent"])
    today = local_date(ctx.now, ctx.tz)
    first = period_start(today, int(thresholds["period_days"]))
    r = sell_out_reports.c
    inside = dealer_regions.c.region.is_not(None).label("inside")
    query = (
        select(r.dealer_code, r.buyer_region, inside, func.sum(r.qty).label("units"))
        .select_from(
            sell_out_reports.outerjoin(
                dealer_regions,
                and_(
                    dealer_regions.c.dealer_code == r.dealer_code,
                    dealer_regions.c.region == r.buyer_region,
                ),
            )
        )
        .where(r.sold_on >= first, r.sold_on <= today)
        .group_by(r.dealer_code, r.buyer_region, inside)
    )
    per_dealer: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"inside": 0, "unlocated": 0, "outside": {}}
    )
    for row in conn.execute(query):
        figures = per_dealer[row.dealer_code]
        units = int(row.units)
        if row.buyer_region is None:
            figures["unlocated"] += units
        elif row.inside:
            figures["inside"] += units
        else:
            figures["outside"][row.buyer_region] = units
    found = []
    for dealer, figures in sorted(per_dealer.items()):
        outside = sum(figures["outside"].values())
        if not is_diversion(figures["inside"], outside, allowed):
            continue
        share = outside_share_percent(figures["inside"], outside)
        top = sorted(figures["outside"].items(), key=lambda kv: (-kv[1], kv[0]))
        found.append(
            Condition(
                subject=f"dealer:{dealer}",
                message=f"{dealer} sold {share}% of its units outside its regions "
                f"from {first} to {today} (contract: at most {allowed}%)",
                details={
                    "period": {"from": first.isoformat(), "to": today.isoformat()},
                    "inside_units": figures["inside"],
                    "outside_units": outside,
                    "unlocated_units": figures["unlocated"],
                    "outside_share_percent": str(share),
                    "max_outside_percent": str(allowed),
                    "outside_regions": dict(top[:EVIDENCE_REGIONS]),
                },
                dealer_code=dealer,
            )
        )
    return found
