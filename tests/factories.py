"""Master data built through the HTTP API, with unique codes per test."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from tests.conftest import unique


def ok(response: httpx.Response, *statuses: int) -> Any:
    expected = statuses or (200, 201)
    assert response.status_code in expected, (response.status_code, response.text)
    return response.json() if response.content else None


def warehouse(admin: httpx.Client, *, region: str = "east", **fields: Any) -> str:
    code = unique("WH")
    body = {"name": f"Warehouse {code}", "kind": "regional", "region": region, **fields}
    ok(admin.put(f"/api/v1/warehouses/{code}", json=body))
    return code


def dealer(
    admin: httpx.Client,
    *,
    regions: list[str] | None = None,
    tier: str = "core",
    status: str = "active",
    credit_limit: str | None = "100000.00",
    **fields: Any,
) -> str:
    code = unique("D")
    body = {
        "name": f"Dealer {code}",
        "tier": tier,
        "regions": regions if regions is not None else ["east"],
        "credit_limit": credit_limit,
        "payment_terms_days": 30,
        "status": status,
        **fields,
    }
    ok(admin.put(f"/api/v1/dealers/{code}", json=body))
    return code


def product(admin: httpx.Client, **fields: Any) -> str:
    sku = unique("SKU")
    body = {"name": f"Product {sku}", "unit": "piece", **fields}
    ok(admin.put(f"/api/v1/products/{sku}", json=body))
    return sku


@dataclass
class Shop:
    """A dealer with a default warehouse, priced products and stock: ready to order."""

    dealer: str
    warehouse: str
    skus: list[str]
    tier: str


def shop(
    admin: httpx.Client,
    *,
    products: list[tuple[str, int]],  # (unit price for the dealer's tier, on hand)
    tier: str = "core",
    credit_limit: str | None = "1000000.00",
    regions: list[str] | None = None,
    status: str = "active",
    product_fields: dict[str, Any] | None = None,
) -> Shop:
    wh = warehouse(admin, region=(regions or ["east"])[0])
    code = dealer(
        admin,
        tier=tier,
        credit_limit=credit_limit,
        regions=regions,
        status=status,
        default_warehouse=wh,
    )
    skus = []
    for price, on_hand in products:
        sku = product(admin, **(product_fields or {}))
        ok(admin.put("/api/v1/prices", json=[{"tier": tier, "sku": sku, "unit_price": price}]))
        ok(admin.put(f"/api/v1/stock/{wh}/{sku}", json={"on_hand": on_hand}))
        skus.append(sku)
    return Shop(code, wh, skus, tier)


def stock_of(admin: httpx.Client, warehouse: str, sku: str) -> dict[str, int]:
    items = ok(admin.get("/api/v1/stock", params={"warehouse": warehouse, "sku": sku}))["items"]
    assert len(items) == 1
    return {k: items[0][k] for k in ("on_hand", "reserved", "available")}


def order_body(*lines: tuple[str, int], **fields: Any) -> dict[str, Any]:
    return {"lines": [{"sku": sku, "qty": qty} for sku, qty in lines], **fields}


def dealer_warehouse(admin: httpx.Client, dealer_code: str, *, region: str = "east") -> str:
    """A dealer's own warehouse (kind ``dealer``)."""
    code = unique("WD")
    body = {"name": f"{dealer_code}'s own", "kind": "dealer", "region": region}
    ok(admin.put(f"/api/v1/warehouses/{code}", json={**body, "dealer_code": dealer_code}))
    return code
