"""A dealer's catalog: what it can order, at its price, with what is available."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, select

from dms_domain.dealers import Tier
from dms_domain.errors import NotFound
from dms_domain.money import format_money
from hub.auth.principal import Principal
from hub.db.schema import dealers, prices, products, stock
from hub.pagination import keyset_page
from hub.services.promotions import promotions_in_force
from hub.services.scope import dealer_visible


def dealer_catalog(
    conn: Connection,
    dealer_code: str,
    principal: Principal,
    *,
    now: datetime,
    cursor: str | None,
    limit: int,
) -> dict[str, Any]:
    dealer = conn.execute(
        select(dealers.c.code, dealers.c.tier, dealers.c.default_warehouse).where(
            dealers.c.code == dealer_code, dealer_visible(principal, dealers.c.code)
        )
    ).first()
    if dealer is None:
        raise NotFound(f"no dealer {dealer_code!r}")
    tier = Tier(dealer.tier)
    query = (
        select(
            products.c.sku,
            products.c.name,
            products.c.unit,
            products.c.pack_size,
            products.c.tax_rate,
            products.c.licence_kind,
            prices.c.unit_price,
            prices.c.currency,
            (stock.c.on_hand - stock.c.reserved).label("available"),
        )
        .select_from(
            products.join(
                prices, and_(prices.c.sku == products.c.sku, prices.c.tier == tier.value)
            ).outerjoin(
                stock,
                and_(
                    stock.c.sku == products.c.sku,
                    stock.c.warehouse_code == dealer.default_warehouse,
                ),
            )
        )
        .where(products.c.active.is_(True))
    )
    page = keyset_page(conn, query, (products.c.sku,), cursor, limit)
    in_force = [p for p in promotions_in_force(conn, now) if p.applies_to_tier(tier)]
    for item in page.items:
        item["tax_rate"] = format_money(item["tax_rate"])
        item["available"] = max(int(item["available"] or 0), 0)
        item["promotions"] = [
            {
                "code": p.code,
                "kind": p.kind.value,
                "ends_at": p.ends_at,
                "percent": p.percent,
                "threshold_amount": p.threshold_amount,
                "discount_amount": p.discount_amount,
                "gift_sku": p.gift_sku,
                "gift_qty": p.gift_qty,
            }
            for p in sorted(in_force, key=lambda p: p.code)
            if p.applies_to_sku(item["sku"])
        ]
    return {
        "dealer_code": dealer.code,
        "tier": tier.value,
        "warehouse": dealer.default_warehouse,
        "items": page.items,
        "next_cursor": page.next_cursor,
    }
