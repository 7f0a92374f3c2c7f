"""Receivables ageing per dealer and region, with each dealer's credit figures.

Open amounts are bucketed by whole days past their due date in the business
time zone (dms_domain.receivables). Every dealer in the caller's scope is
listed (paged by code), with nothing open too, so a dealer always sees its own
credit limit, exposure and headroom; totals and regions cover the whole scope.
A dealer in two regions counts in both regions' rows; a manager sees only its
own regions' rows.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Select, and_, case, exists, func, select, type_coerce

from dms_domain.credit import headroom
from dms_domain.receivables import BUCKETS, OVERDUE_BUCKETS, ZERO, Bucket, due_date_ranges
from hub.auth.principal import Principal, Role
from hub.db.schema import dealer_regions, dealers, invoices
from hub.db.types import Money
from hub.pagination import keyset_page
from hub.services.credit import exposure_expression, receivables_balance_expression
from hub.services.scope import dealer_visible


def bucket_expression(today: date) -> Any:
    """A SQL CASE naming the bucket of ``invoices.due_date`` on ``today``."""
    whens = []
    for bucket, earliest, latest in due_date_ranges(today):
        conditions = []
        if earliest is not None:
            conditions.append(invoices.c.due_date >= earliest)
        if latest is not None:
            conditions.append(invoices.c.due_date <= latest)
        whens.append((and_(*conditions), bucket.value))
    return case(*whens).label("bucket")


def open_by_bucket(today: date) -> Select[Any]:
    """(dealer_code, bucket, amount) rows of open invoices; callers add filters."""
    bucket = bucket_expression(today)
    amount = type_coerce(func.sum(invoices.c.open_amount), Money(2)).label("amount")
    return (
        select(invoices.c.dealer_code, bucket, amount)
        .where(invoices.c.open_amount > 0)
        .group_by(invoices.c.dealer_code, bucket)
    )


def _figures(amounts: dict[Bucket, Decimal]) -> dict[str, Any]:
    return {
        "buckets": {b.value: amounts.get(b, ZERO) for b in BUCKETS},
        "open": sum(amounts.values(), ZERO),
        "overdue": sum((amounts.get(b, ZERO) for b in OVERDUE_BUCKETS), ZERO),
    }


def _shows_region(principal: Principal, name: str, wanted: str | None) -> bool:
    own = principal.role is not Role.MANAGER or name in principal.regions
    return own and wanted in (None, name)


def ageing_report(
    conn: Connection,
    principal: Principal,
    *,
    today: date,
    dealer_code: str | None,
    region: str | None,
    cursor: str | None,
    limit: int,
) -> dict[str, Any]:
    def in_scope(column: Any) -> Any:
        conditions = [dealer_visible(principal, column)]
        if dealer_code:
            conditions.append(column == dealer_code)
        if region:
            conditions.append(
                exists(
                    select(dealer_regions.c.dealer_code).where(
                        dealer_regions.c.dealer_code == column, dealer_regions.c.region == region
                    )
                )
            )
        return and_(*conditions)

    per_dealer: dict[str, dict[Bucket, Decimal]] = defaultdict(dict)
    for row in conn.execute(open_by_bucket(today).where(in_scope(invoices.c.dealer_code))):
        per_dealer[row.dealer_code][Bucket(row.bucket)] = row.amount
    regions_of: dict[str, list[str]] = defaultdict(list)
    if per_dealer:
        for code, name in conn.execute(
            select(dealer_regions.c.dealer_code, dealer_regions.c.region)
            .where(dealer_regions.c.dealer_code.in_(sorted(per_dealer)))
            .order_by(dealer_regions.c.region)
        ):
            regions_of[code].append(name)
    totals: dict[Bucket, Decimal] = defaultdict(lambda: ZERO)
    by_region: dict[str, dict[Bucket, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for code, amounts in per_dealer.items():
        for bucket, amount in amounts.items():
            totals[bucket] += amount
            for name in regions_of[code]:
                if _shows_region(principal, name, region):
                    by_region[name][bucket] += amount

    page = keyset_page(
        conn,
        select(
            dealers.c.code,
            dealers.c.name,
            dealers.c.credit_limit,
            exposure_expression(dealers.c.code),
            receivables_balance_expression(dealers.c.code),
        ).where(in_scope(dealers.c.code)),
        (dealers.c.code,),
        cursor,
        limit,
    )
    items = []
    for dealer in page.items:
        figures = _figures(per_dealer.get(dealer["code"], {}))
        items.append(
            {
                "dealer_code": dealer["code"],
                "name": dealer["name"],
                "credit_limit": dealer["credit_limit"],
                "exposure": dealer["exposure"],
                "headroom": headroom(dealer["credit_limit"], dealer["exposure"]),
                # Paid ahead or overpaid: what no open invoice has taken yet.
                "unapplied_credit": figures["open"] - dealer["balance"],
                **figures,
            }
        )
    return {
        "as_of": today,
        "totals": _figures(dict(totals)),
        "regions": [
            {"region": name, **_figures(dict(amounts))}
            for name, amounts in sorted(by_region.items())
        ],
        "items": items,
        "next_cursor": page.next_cursor,
    }
