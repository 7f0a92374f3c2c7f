"""Master data built through the HTTP API, with unique codes per test."""

from __future__ import annotations

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
