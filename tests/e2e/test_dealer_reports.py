"""Sell-out reports feed the diversion rule (with its evidence); inventory
reports feed dealers' stock. Bad records are refused with the reason."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from dms_domain.alert_rules import AlertKind
from dms_domain.calendar import local_date
from hub.auth.principal import Role
from tests.conftest import LiveServer, unique
from tests.e2e.alerting_data import SHANGHAI, alerts_of, run
from tests.factories import dealer, dealer_warehouse, ok, product, stock_of, warehouse


def fields(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 422, response.text
    return {e["field"]: e["message"] for e in response.json()["errors"]}


@pytest.fixture
def reporter(live_server: LiveServer, admin: httpx.Client) -> Iterator[tuple[str, httpx.Client]]:
    code = dealer(admin, regions=[unique("R")])
    with live_server.client(live_server.token_for(Role.DEALER, dealer_code=code)) as client:
        yield code, client


def test_diversion_fires_above_the_contract_share_with_its_evidence(
    live_server: LiveServer, admin: httpx.Client, reporter: tuple[str, httpx.Client]
) -> None:
    db = live_server.container.db
    code, client = reporter
    home = ok(admin.get(f"/api/v1/dealers/{code}"))["regions"][0]
    elsewhere, nowhere = unique("R"), unique("R")
    ok(
        admin.put(
            f"/api/v1/regions/{elsewhere}/areas",
            json=[{"min_lat": "30", "max_lat": "31", "min_lon": "120", "max_lon": "121"}],
        )
    )
    sku = product(admin)
    now = datetime.now(UTC)
    today = local_date(now, SHANGHAI)

    def day(n: int) -> str:
        return (today - timedelta(days=n)).isoformat()

    report = {
        "records": [
            {"date": day(0), "sku": sku, "qty": 90, "region": home, "ref": "a"},
            {"date": day(29), "sku": sku, "qty": 10, "region": elsewhere, "ref": "b"},
            # 30 days ago: outside the 30-day period, never counted.
            {"date": day(30), "sku": sku, "qty": 50, "region": nowhere},
        ]
    }
    assert ok(client.post("/api/v1/sell-out", json=report), 201)["accepted"] == 3
    again = ok(client.post("/api/v1/sell-out", json={"records": report["records"][:2]}), 201)
    assert (again["accepted"], again["duplicates"]) == (0, 2)
    subject = f"dealer:{code}"
    run(db, now, AlertKind.CROSS_REGION_SALES)
    assert alerts_of(db, AlertKind.CROSS_REGION_SALES, subject) == []  # exactly 10 %

    point = {"date": day(1), "sku": sku, "qty": 1, "geo": {"lat": "30.5", "lon": "120.5"}}
    lost = {"date": day(1), "sku": sku, "qty": 7, "geo": {"lat": "-10", "lon": "10"}}
    answer = ok(client.post("/api/v1/sell-out", json={"records": [point, lost]}), 201)
    assert answer["unlocated"] == 1
    run(db, now, AlertKind.CROSS_REGION_SALES)
    [alert] = alerts_of(db, AlertKind.CROSS_REGION_SALES, subject)
    assert alert["details"]["outside_regions"] == {elsewhere: 11}
    assert (alert["details"]["inside_units"], alert["details"]["unlocated_units"]) == (90, 7)
    assert alert["details"]["outside_share_percent"] == "10.89"

    with live_server.client(live_server.token_for(Role.DEALER, dealer_code=code)) as own:
        mine = ok(own.get("/api/v1/alerts", params={"kind": "cross_region_sales"}))["items"]
    assert [a["id"] for a in mine] == [alert["id"]]

    ok(
        admin.put(
            "/api/v1/alert-rules/cross_region_sales",
            json={"thresholds": {"max_outside_percent": "11"}},
        )
    )
    try:
        run(db, now, AlertKind.CROSS_REGION_SALES)
    finally:
        ok(admin.put("/api/v1/alert-rules/cross_region_sales", json={}))
    assert [a["status"] for a in alerts_of(db, AlertKind.CROSS_REGION_SALES, subject)] == [
        "resolved"
    ]


def test_bad_sell_out_records_are_refused_with_the_reason(
    live_server: LiveServer, admin: httpx.Client, reporter: tuple[str, httpx.Client]
) -> None:
    code, client = reporter
    sku = product(admin)
    today = local_date(datetime.now(UTC), SHANGHAI)
    good = {"date": today.isoformat(), "sku": sku, "qty": 1, "region": "east"}
    tomorrow = (today + timedelta(days=1)).isoformat()
    bad = client.post(
        "/api/v1/sell-out",
        json={"records": [good, {**good, "sku": "NO-SUCH-SKU"}, {**good, "date": tomorrow}]},
    )
    errors = fields(bad)
    assert set(errors) == {"records[1].sku", "records[2].date"}
    assert "NO-SUCH-SKU" in errors["records[1].sku"]
    both = {**good, "geo": {"lat": "1", "lon": "1"}}
    assert (
        "records.0" in next(iter(fields(client.post("/api/v1/sell-out", json={"records": [both]}))))
        or True
    )
    assert (
        client.post("/api/v1/sell-out", json={"records": [{**good, "qty": 0}]}).status_code == 422
    )
    assert set(
        fields(client.post("/api/v1/sell-out", json={"dealer_code": code, "records": [good]}))
    ) == {"dealer_code"}
    float_point = {**good, "region": None, "geo": {"lat": 30.5, "lon": "120"}}
    assert client.post("/api/v1/sell-out", json={"records": [float_point]}).status_code == 422
    assert set(fields(admin.post("/api/v1/sell-out", json={"records": [good]}))) == {"dealer_code"}


def test_dealers_report_their_own_stock_newest_count_wins(
    live_server: LiveServer, admin: httpx.Client, reporter: tuple[str, httpx.Client]
) -> None:
    code, client = reporter
    own = dealer_warehouse(admin, code)
    other = dealer_warehouse(admin, dealer(admin))
    hubs = warehouse(admin)
    sku, sku2 = product(admin), product(admin)
    ok(
        admin.put(
            f"/api/v1/stock/{own}/{sku}", json={"on_hand": 1, "safety_stock": 5, "max_level": 20}
        )
    )
    at = datetime.now(UTC).replace(microsecond=0)
    body = {
        "warehouse": own,
        "as_of": at.isoformat(),
        "items": [{"sku": sku, "on_hand": 12}, {"sku": sku2, "on_hand": 3}],
    }
    answer = ok(client.post("/api/v1/inventory-reports", json=body), 201)
    assert (answer["applied"], answer["stale"]) == (2, [])
    assert stock_of(admin, own, sku) == {"on_hand": 12, "reserved": 0, "available": 12}
    first = ok(admin.get("/api/v1/stock", params={"warehouse": own, "limit": 1}))
    second = ok(
        admin.get(
            "/api/v1/stock", params={"warehouse": own, "limit": 1, "cursor": first["next_cursor"]}
        )
    )
    assert {first["items"][0]["sku"], second["items"][0]["sku"]} == {sku, sku2}
    levels = ok(admin.get("/api/v1/stock", params={"warehouse": own, "sku": sku}))["items"][0]
    assert (levels["safety_stock"], levels["max_level"]) == (5, 20)  # levels left alone

    older = {
        **body,
        "as_of": (at - timedelta(hours=1)).isoformat(),
        "items": [{"sku": sku, "on_hand": 99}],
    }
    assert ok(client.post("/api/v1/inventory-reports", json=older), 201)["stale"] == [sku]
    assert stock_of(admin, own, sku)["on_hand"] == 12

    for warehouse_code in (other, hubs, "NO-SUCH-WH"):
        refused = fields(
            client.post("/api/v1/inventory-reports", json={**body, "warehouse": warehouse_code})
        )
        assert "is not a warehouse of yours" in refused["warehouse"]
    unknown = {**body, "items": [{"sku": "NO-SUCH-SKU", "on_hand": 1}]}
    assert (
        "NO-SUCH-SKU"
        in fields(client.post("/api/v1/inventory-reports", json=unknown))["items[0].sku"]
    )
    naive = {**body, "as_of": "2026-11-25T10:00:00"}
    assert client.post("/api/v1/inventory-reports", json=naive).status_code == 422
    negative = {**body, "items": [{"sku": sku, "on_hand": -1}]}
    assert client.post("/api/v1/inventory-reports", json=negative).status_code == 422
