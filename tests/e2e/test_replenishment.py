"""VMI proposals (and orders for dealers that opted in) and transfer
suggestions, from dealer stock as reported, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from hub.alerting.vmi import run_vmi
from hub.auth.principal import Role
from tests.conftest import LiveServer, unique
from tests.e2e.alerting_data import SHANGHAI
from tests.factories import dealer, dealer_warehouse, ok, order_body, product, shop


def vmi(live_server: LiveServer) -> None:
    now = datetime.now(UTC)
    run_vmi(live_server.container.db, now, now.astimezone(SHANGHAI).date())


def proposals(client: httpx.Client, dealer_code: str) -> list[dict[str, object]]:
    page = ok(client.get("/api/v1/replenishments", params={"dealer_code": dealer_code}))
    return list(page["items"])


def test_vmi_proposes_up_to_max_in_whole_packs_and_places_when_opted_in(
    live_server: LiveServer, admin: httpx.Client
) -> None:
    s = shop(admin, products=[("10.0000", 1000)], product_fields={"pack_size": 12})
    [sku] = s.skus
    own = dealer_warehouse(admin, s.dealer)
    ok(
        admin.put(
            f"/api/v1/stock/{own}/{sku}", json={"on_hand": 3, "safety_stock": 6, "max_level": 20}
        )
    )
    body = order_body((sku, 2), dealer_code=s.dealer)
    ok(admin.post("/api/v1/orders", json=body, headers={"Idempotency-Key": unique("k")}), 201)

    vmi(live_server)
    vmi(live_server)
    [first] = proposals(admin, s.dealer)
    # Position 3 + 2 on order = 5 < 6: 20 - 5 = 15, rounded up to 2 packs of 12.
    assert (first["status"], first["qty"], first["open_qty"], first["warehouse"]) == (
        "proposed",
        24,
        2,
        own,
    )
    dealer_token = live_server.token_for(Role.DEALER, dealer_code=s.dealer)
    stranger = live_server.token_for(Role.DEALER, dealer_code=dealer(admin))
    with live_server.client(dealer_token) as mine, live_server.client(stranger) as theirs:
        assert [p["id"] for p in proposals(mine, s.dealer)] == [first["id"]]
        assert proposals(theirs, s.dealer) == []

        # A count that brings the position to exactly the safety stock: not needed.
        report = {
            "warehouse": own,
            "as_of": datetime.now(UTC).isoformat(),
            "items": [{"sku": sku, "on_hand": 4}],
        }
        ok(mine.post("/api/v1/inventory-reports", json=report), 201)
        vmi(live_server)
        assert [p["status"] for p in proposals(admin, s.dealer)] == ["withdrawn"]

        ok(
            mine.post(
                "/api/v1/inventory-reports",
                json={
                    **report,
                    "as_of": datetime.now(UTC).isoformat(),
                    "items": [{"sku": sku, "on_hand": 1}],
                },
            ),
            201,
        )
        ok(mine.put(f"/api/v1/dealers/{s.dealer}/vmi", json={"auto_place": True}))
        assert (
            theirs.put(f"/api/v1/dealers/{s.dealer}/vmi", json={"auto_place": True}).status_code
            == 404
        )
    vmi(live_server)
    placed, earlier = proposals(admin, s.dealer)  # newest first
    assert (placed["status"], placed["qty"], earlier["status"]) == ("placed", 24, "withdrawn")
    order = ok(admin.get(f"/api/v1/orders/{placed['order_no']}"))
    assert [(line["sku"], line["qty"]) for line in order["lines"]] == [(sku, 24)]
    assert order["dealer_code"] == s.dealer
    # The placed order is on its way: nothing more to propose.
    vmi(live_server)
    assert len(proposals(admin, s.dealer)) == 2


def test_transfers_move_excess_to_a_neighbour_below_safety_stock(
    live_server: LiveServer, admin: httpx.Client
) -> None:
    region = unique("R")
    sku = product(admin, pack_size=5)
    rich, poor, fine = (dealer(admin, regions=[region]) for _ in range(3))
    levels = {rich: 50, poor: 2, fine: 5}
    warehouses = {}
    for code, on_hand in levels.items():
        warehouses[code] = dealer_warehouse(admin, code, region=region)
        ok(
            admin.put(
                f"/api/v1/stock/{warehouses[code]}/{sku}",
                json={"on_hand": on_hand, "safety_stock": 5, "max_level": 20},
            )
        )
    listed = ok(admin.get("/api/v1/transfer-suggestions", params={"region": region}))
    # 30 too many at the rich one, 18 missing at the poor one: 15 in whole packs of 5.
    assert listed["items"] == [
        {
            "region": region,
            "sku": sku,
            "from_warehouse": warehouses[rich],
            "from_dealer": rich,
            "to_warehouse": warehouses[poor],
            "to_dealer": poor,
            "qty": 15,
        }
    ]
    manager = live_server.token_for(Role.MANAGER, regions=[region])
    other = live_server.token_for(Role.MANAGER, regions=[unique("R")])
    with live_server.client(manager) as mine, live_server.client(other) as theirs:
        assert len(ok(mine.get("/api/v1/transfer-suggestions", params={"sku": sku}))["items"]) == 1
        assert ok(theirs.get("/api/v1/transfer-suggestions", params={"sku": sku}))["items"] == []
    # Exactly at max level: nothing to give.
    ok(
        admin.put(
            f"/api/v1/stock/{warehouses[rich]}/{sku}",
            json={"on_hand": 20, "safety_stock": 5, "max_level": 20},
        )
    )
    assert ok(admin.get("/api/v1/transfer-suggestions", params={"region": region}))["items"] == []
