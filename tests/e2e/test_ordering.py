"""Dealer ordering over a live server: pricing, stock, credit, idempotency, cancel."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from hub.auth.principal import Role
from hub.db.schema import idempotency_keys, orders, outbox
from tests.conftest import LiveServer, unique
from tests.factories import Shop, ok, order_body, product, shop, stock_of


def key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


@pytest.fixture
def dealer_client(live_server: LiveServer) -> Any:
    def make(code: str) -> httpx.Client:
        return live_server.client(live_server.token_for(Role.DEALER, dealer_code=code))

    return make


def fields(response: httpx.Response) -> list[str]:
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    return [e["field"] for e in response.json()["errors"]]


def promotion(admin: httpx.Client, **body: Any) -> str:
    code = unique("PR")
    now = datetime.now(UTC)
    ok(
        admin.post(
            "/api/v1/promotions",
            json={
                "code": code,
                "starts_at": (now - timedelta(hours=1)).isoformat(),
                "ends_at": (now + timedelta(hours=1)).isoformat(),
                **body,
            },
        ),
        201,
    )
    return code


class TestPlacing:
    def test_an_order_is_priced_reserved_and_readable(
        self, admin: httpx.Client, dealer_client: Any
    ) -> None:
        s = shop(admin, products=[("10.0000", 100), ("2.5000", 50)])
        with dealer_client(s.dealer) as client:
            response = client.post(
                "/api/v1/orders",
                json=order_body(
                    (s.skus[0], 3),
                    (s.skus[1], 4),
                    customer_po="PO-1",
                    ship_to={"name": "张三", "phone": "13800000000", "address": "上海"},
                ),
                headers=key(),
            )
            assert response.status_code == 201, response.text
            order = response.json()
            assert order["status"] == "submitted"
            assert order["dealer_code"] == s.dealer
            assert order["warehouse"] == s.warehouse
            assert [(line["sku"], line["amount"]) for line in order["lines"]] == [
                (s.skus[0], "30.00"),
                (s.skus[1], "10.00"),
            ]
            assert order["total"] == "40.00"
            assert order["currency"] == "CNY"
            assert order["lines"][0]["price_trace"][0] == {
                "rule": "tier_price",
                "tier": "core",
                "unit_price": "10.0000",
            }
            detail = ok(client.get(f"/api/v1/orders/{order['order_no']}"))
            assert detail["customer_po"] == "PO-1"
            assert detail["ship_to"]["name"] == "张三"
            assert [t["to_status"] for t in detail["timeline"]] == ["submitted"]
            assert detail["shipments"] == []
            listed = ok(client.get("/api/v1/orders"))["items"]
            assert [o["order_no"] for o in listed] == [order["order_no"]]
        assert stock_of(admin, s.warehouse, s.skus[0]) == {
            "on_hand": 100,
            "reserved": 3,
            "available": 97,
        }
        dealer = ok(admin.get(f"/api/v1/dealers/{s.dealer}"))
        assert dealer["exposure"] == "40.00"

    def test_the_order_and_its_outbox_row_are_written_together(
        self, live_server: LiveServer, admin: httpx.Client, dealer_client: Any
    ) -> None:
        s = shop(admin, products=[("1.0000", 5)])
        with dealer_client(s.dealer) as client:
            order = ok(
                client.post(
                    "/api/v1/orders", json=order_body((s.skus[0], 1), urgent=True), headers=key()
                )
            )
        with live_server.container.db.transaction() as conn:
            row = conn.execute(select(outbox).where(outbox.c.key == order["order_no"])).one()
        assert (row.topic, row.status, row.priority) == ("order.placed", "pending", 10)

    def test_promotions_stack_and_gifts_reserve_stock(
        self, admin: httpx.Client, dealer_client: Any
    ) -> None:
        s = shop(admin, products=[("100.0000", 100), ("50.0000", 100)])
        gift = product(admin)
        ok(admin.put(f"/api/v1/stock/{s.warehouse}/{gift}", json={"on_hand": 1}))
        promotion(admin, kind="percent_off", percent="10", skus=[s.skus[0]])
        promotion(
            admin,
            kind="threshold_discount",
            threshold_amount="250.00",
            discount_amount="30.00",
            skus=s.skus,
        )
        promotion(admin, kind="gift", gift_sku=gift, gift_qty=1, skus=[s.skus[1]])
        with dealer_client(s.dealer) as client:
            first = ok(
                client.post(
                    "/api/v1/orders",
                    json=order_body((s.skus[0], 2), (s.skus[1], 1)),
                    headers=key(),
                )
            )
            # 200 - 20 (10%) = 180 and 50: the 30.00 threshold discount splits 23.48 / 6.52.
            amounts = {line["sku"]: line["amount"] for line in first["lines"]}
            assert amounts == {s.skus[0]: "156.52", s.skus[1]: "43.48", gift: "0.00"}
            assert first["total"] == "200.00"
            assert [d["kind"] for d in first["discounts"]] == [
                "percent_off",
                "threshold_discount",
                "gift",
            ]
            gift_line = next(line for line in first["lines"] if line["is_gift"])
            assert gift_line["qty"] == 1
            assert first["warnings"] == []
            second = ok(
                client.post("/api/v1/orders", json=order_body((s.skus[1], 1)), headers=key())
            )
        assert [line["sku"] for line in second["lines"]] == [s.skus[1]]
        assert second["warnings"][0]["code"] == "gift_out_of_stock"
        assert second["warnings"][0]["sku"] == gift
        assert stock_of(admin, s.warehouse, gift)["reserved"] == 1

    def test_shortages_are_all_named_and_nothing_is_reserved(
        self, admin: httpx.Client, dealer_client: Any
    ) -> None:
        s = shop(admin, products=[("1.0000", 2), ("1.0000", 0), ("1.0000", 10)])
        with dealer_client(s.dealer) as client:
            response = client.post(
                "/api/v1/orders",
                json=order_body((s.skus[0], 3), (s.skus[1], 1), (s.skus[2], 5)),
                headers=key(),
            )
            assert response.status_code == 409
            body = response.json()
            assert body["code"] == "insufficient_stock"
            assert body["shortages"] == [
                {"sku": s.skus[0], "requested": 3, "available": 2},
                {"sku": s.skus[1], "requested": 1, "available": 0},
            ]
            assert ok(client.get("/api/v1/orders"))["items"] == []
        assert stock_of(admin, s.warehouse, s.skus[2])["reserved"] == 0

    def test_credit_limit_counts_exposure_before_this_order(
        self, admin: httpx.Client, dealer_client: Any
    ) -> None:
        s = shop(admin, products=[("100.0000", 100)], credit_limit="250.00")
        with dealer_client(s.dealer) as client:
            ok(client.post("/api/v1/orders", json=order_body((s.skus[0], 2)), headers=key()))
            refused = client.post("/api/v1/orders", json=order_body((s.skus[0], 1)), headers=key())
        assert refused.status_code == 409
        body = refused.json()
        assert body["code"] == "credit_limit_exceeded"
        assert (body["credit_limit"], body["exposure"], body["order_total"]) == (
            "250.00",
            "200.00",
            "100.00",
        )

    def test_licence_gated_products(self, admin: httpx.Client, dealer_client: Any) -> None:
        s = shop(admin, products=[("5.0000", 10)], product_fields={"licence_kind": "pesticide"})
        with dealer_client(s.dealer) as client:
            refused = client.post("/api/v1/orders", json=order_body((s.skus[0], 1)), headers=key())
            assert refused.status_code == 403
            assert refused.json()["code"] == "licence_required"
            yesterday = (datetime.now(UTC) - timedelta(days=2)).date().isoformat()
            ok(
                admin.put(
                    f"/api/v1/dealers/{s.dealer}/licences/L-1",
                    json={"kind": "pesticide", "expires_on": yesterday},
                )
            )
            expired = client.post("/api/v1/orders", json=order_body((s.skus[0], 1)), headers=key())
            assert expired.status_code == 403
            next_year = (datetime.now(UTC) + timedelta(days=365)).date().isoformat()
            ok(
                admin.put(
                    f"/api/v1/dealers/{s.dealer}/licences/L-1",
                    json={"kind": "pesticide", "expires_on": next_year},
                )
            )
            ok(client.post("/api/v1/orders", json=order_body((s.skus[0], 1)), headers=key()))
            licences = ok(client.get(f"/api/v1/dealers/{s.dealer}/licences"))
            assert [lic["number"] for lic in licences] == ["L-1"]

    def test_only_active_dealers_order(self, admin: httpx.Client, dealer_client: Any) -> None:
        s = shop(admin, products=[("5.0000", 10)])
        ok(
            admin.put(
                f"/api/v1/dealers/{s.dealer}",
                json={
                    "name": "x",
                    "tier": "core",
                    "regions": ["east"],
                    "credit_limit": None,
                    "payment_terms_days": 30,
                    "status": "suspended",
                    "default_warehouse": s.warehouse,
                },
            )
        )
        with dealer_client(s.dealer) as client:
            refused = client.post("/api/v1/orders", json=order_body((s.skus[0], 1)), headers=key())
        assert refused.status_code == 403
        assert refused.json()["code"] == "dealer_not_active"

    def test_managers_and_admins_order_for_a_dealer_in_scope(
        self, live_server: LiveServer, admin: httpx.Client
    ) -> None:
        region = unique("R")
        s = shop(admin, products=[("5.0000", 10)], regions=[region])
        manager = live_server.token_for(Role.MANAGER, regions=[region])
        stranger = live_server.token_for(Role.MANAGER, regions=[unique("R")])
        with live_server.client(manager) as client:
            missing = client.post("/api/v1/orders", json=order_body((s.skus[0], 1)), headers=key())
            assert fields(missing) == ["dealer_code"]
            placed = client.post(
                "/api/v1/orders",
                json=order_body((s.skus[0], 1), dealer_code=s.dealer),
                headers=key(),
            )
            assert placed.status_code == 201
        with live_server.client(stranger) as client:
            out_of_scope = client.post(
                "/api/v1/orders",
                json=order_body((s.skus[0], 1), dealer_code=s.dealer),
                headers=key(),
            )
            assert fields(out_of_scope) == ["dealer_code"]
            assert client.get(f"/api/v1/orders/{placed.json()['order_no']}").status_code == 404


class TestBadInput:
    def test_every_bad_line_is_named(self, admin: httpx.Client, dealer_client: Any) -> None:
        s = shop(admin, products=[("5.0000", 10)])
        with dealer_client(s.dealer) as client:
            response = client.post(
                "/api/v1/orders",
                json=order_body((s.skus[0], 1), ("NO-SUCH-SKU", 1), (s.skus[0], 0)),
                headers=key(),
            )
            assert response.status_code == 422
            assert sorted(fields(response)) == ["lines[1].sku", "lines[2].qty", "lines[2].sku"]
            assert "NO-SUCH-SKU" in response.text
            empty = client.post("/api/v1/orders", json=order_body(), headers=key())
            assert fields(empty) == ["lines"]
            typed = client.post(
                "/api/v1/orders",
                json={"lines": [{"sku": s.skus[0], "qty": "2"}], "colour": "red"},
                headers=key(),
            )
            assert sorted(fields(typed)) == ["colour", "lines[0].qty"]
            negative = client.post(
                "/api/v1/orders", json=order_body((s.skus[0], -1)), headers=key()
            )
            assert fields(negative) == ["lines[0].qty"]

    def test_a_dealer_may_not_name_a_dealer(self, admin: httpx.Client, dealer_client: Any) -> None:
        s = shop(admin, products=[("5.0000", 10)])
        with dealer_client(s.dealer) as client:
            response = client.post(
                "/api/v1/orders",
                json=order_body((s.skus[0], 1), dealer_code=s.dealer),
                headers=key(),
            )
        assert fields(response) == ["dealer_code"]

    def test_the_idempotency_key_is_required(self, admin: httpx.Client, dealer_client: Any) -> None:
        s = shop(admin, products=[("5.0000", 10)])
        with dealer_client(s.dealer) as client:
            response = client.post("/api/v1/orders", json=order_body((s.skus[0], 1)))
        assert fields(response) == ["Idempotency-Key"]


class TestIdempotency:
    def test_same_key_same_body_replays_and_another_body_is_refused(
        self, live_server: LiveServer, admin: httpx.Client, dealer_client: Any
    ) -> None:
        s = shop(admin, products=[("5.0000", 10)])
        headers = key()
        with dealer_client(s.dealer) as client:
            first = client.post("/api/v1/orders", json=order_body((s.skus[0], 2)), headers=headers)
            # The same JSON with other key order and spacing is the same request.
            same = client.post(
                "/api/v1/orders",
                content=b'{ "lines" : [ {"qty": 2, "sku": "%s"} ] }' % s.skus[0].encode(),
                headers={**headers, "content-type": "application/json"},
            )
            other = client.post("/api/v1/orders", json=order_body((s.skus[0], 3)), headers=headers)
        assert first.status_code == same.status_code == 201
        assert first.json() == same.json()
        assert same.headers["idempotent-replayed"] == "true"
        assert other.status_code == 409
        assert other.json()["code"] == "idempotency_key_reused"
        assert stock_of(admin, s.warehouse, s.skus[0])["reserved"] == 2
        with live_server.container.db.transaction() as conn:
            expires = conn.execute(
                select(idempotency_keys.c.created_at, idempotency_keys.c.expires_at).where(
                    idempotency_keys.c.key == headers["Idempotency-Key"]
                )
            ).one()
        assert expires.expires_at - expires.created_at >= timedelta(hours=24)

    def test_a_refusal_is_replayed_too(self, admin: httpx.Client, dealer_client: Any) -> None:
        s = shop(admin, products=[("5.0000", 1)])
        headers = key()
        with dealer_client(s.dealer) as client:
            first = client.post("/api/v1/orders", json=order_body((s.skus[0], 2)), headers=headers)
            ok(admin.put(f"/api/v1/stock/{s.warehouse}/{s.skus[0]}", json={"on_hand": 50}))
            again = client.post("/api/v1/orders", json=order_body((s.skus[0], 2)), headers=headers)
            fresh = client.post("/api/v1/orders", json=order_body((s.skus[0], 2)), headers=key())
        assert first.status_code == again.status_code == 409
        assert first.json() == again.json()
        assert again.headers["content-type"].startswith("application/problem+json")
        assert fresh.status_code == 201

    def test_keys_are_scoped_to_the_dealer(self, admin: httpx.Client, dealer_client: Any) -> None:
        a = shop(admin, products=[("5.0000", 10)])
        b = shop(admin, products=[("5.0000", 10)])
        headers = key()
        with dealer_client(a.dealer) as ca, dealer_client(b.dealer) as cb:
            first = ok(ca.post("/api/v1/orders", json=order_body((a.skus[0], 1)), headers=headers))
            second = ok(cb.post("/api/v1/orders", json=order_body((b.skus[0], 1)), headers=headers))
        assert first["order_no"] != second["order_no"]


class TestQuoteAndCatalog:
    def test_a_quote_reserves_nothing_and_shows_shortages_and_credit(
        self, admin: httpx.Client, dealer_client: Any
    ) -> None:
        s = shop(admin, products=[("100.0000", 1)], credit_limit="150.00")
        with dealer_client(s.dealer) as client:
            quote = ok(client.post("/api/v1/orders/quote", json=order_body((s.skus[0], 2))))
        assert quote["total"] == "200.00"
        assert quote["shortages"] == [{"sku": s.skus[0], "requested": 2, "available": 1}]
        assert quote["credit"] == {
            "credit_limit": "150.00",
            "exposure": "0.00",
            "order_total": "200.00",
            "headroom_after": "-50.00",
            "within_limit": False,
        }
        assert stock_of(admin, s.warehouse, s.skus[0])["reserved"] == 0

    def test_catalog_shows_tier_price_availability_and_promotions(
        self, admin: httpx.Client, dealer_client: Any
    ) -> None:
        s = shop(admin, products=[("7.1234", 9)], tier="strategic")
        code = promotion(admin, kind="percent_off", percent="5", skus=[s.skus[0]])
        with dealer_client(s.dealer) as client:
            items: list[dict[str, Any]] = []
            cursor = None
            while True:
                page = ok(
                    client.get(
                        "/api/v1/catalog",
                        params={"limit": 500, **({"cursor": cursor} if cursor else {})},
                    )
                )
                items += page["items"]
                cursor = page["next_cursor"]
                if not cursor:
                    break
        mine = next(i for i in items if i["sku"] == s.skus[0])
        assert mine["unit_price"] == "7.1234"
        assert mine["available"] == 9
        assert [p["code"] for p in mine["promotions"]] == [code]


class TestCancel:
    def place(self, client: httpx.Client, s: Shop, qty: int = 2) -> str:
        order = ok(client.post("/api/v1/orders", json=order_body((s.skus[0], qty)), headers=key()))
        return str(order["order_no"])

    def test_before_erp_acceptance_it_cancels_at_once(
        self, live_server: LiveServer, admin: httpx.Client, dealer_client: Any
    ) -> None:
        s = shop(admin, products=[("5.0000", 10)])
        with dealer_client(s.dealer) as client:
            order_no = self.place(client, s)
            assert stock_of(admin, s.warehouse, s.skus[0])["reserved"] == 2
            cancelled = client.post(f"/api/v1/orders/{order_no}/cancel", json={"reason": "dup"})
            assert cancelled.status_code == 200
            assert cancelled.json()["status"] == "cancelled"
            again = client.post(f"/api/v1/orders/{order_no}/cancel")
            assert again.status_code == 200
            assert again.json()["timeline"][-1]["reason"] == "duplicate"
        assert stock_of(admin, s.warehouse, s.skus[0])["reserved"] == 0
        assert ok(admin.get(f"/api/v1/dealers/{s.dealer}"))["exposure"] == "0.00"
        with live_server.container.db.transaction() as conn:
            topics = conn.scalars(select(outbox.c.topic).where(outbox.c.key == order_no)).all()
        assert sorted(topics) == ["order.cancel", "order.placed"]

    def test_after_erp_acceptance_the_erp_is_asked(
        self, live_server: LiveServer, admin: httpx.Client, dealer_client: Any
    ) -> None:
        s = shop(admin, products=[("5.0000", 10)])
        with dealer_client(s.dealer) as client:
            order_no = self.place(client, s)
            set_status(live_server, order_no, "confirmed")
            asked = client.post(f"/api/v1/orders/{order_no}/cancel")
            assert asked.status_code == 202
            assert asked.json()["status"] == "cancel_requested"
        # The reservation stays until the ERP says yes.
        assert stock_of(admin, s.warehouse, s.skus[0])["reserved"] == 2

    def test_shipped_orders_are_not_cancellable(
        self, live_server: LiveServer, admin: httpx.Client, dealer_client: Any
    ) -> None:
        s = shop(admin, products=[("5.0000", 10)])
        with dealer_client(s.dealer) as client:
            order_no = self.place(client, s)
            set_status(live_server, order_no, "partially_shipped")
            refused = client.post(f"/api/v1/orders/{order_no}/cancel")
        assert refused.status_code == 409
        assert refused.json()["code"] == "not_cancellable"

    def test_another_dealers_order_is_not_found(
        self, admin: httpx.Client, dealer_client: Any
    ) -> None:
        a = shop(admin, products=[("5.0000", 10)])
        b = shop(admin, products=[("5.0000", 10)])
        with dealer_client(a.dealer) as ca, dealer_client(b.dealer) as cb:
            order_no = self.place(ca, a)
            assert cb.post(f"/api/v1/orders/{order_no}/cancel").status_code == 404
            assert cb.get(f"/api/v1/orders/{order_no}").status_code == 404
            assert ok(cb.get("/api/v1/orders"))["items"] == []


def set_status(live_server: LiveServer, order_no: str, status: str) -> None:
    """Stand-in for the ERP's answer until the sync engine lands (issue 5)."""
    with live_server.container.db.transaction() as conn:
        conn.execute(update(orders).where(orders.c.order_no == order_no).values(status=status))


def test_money_in_orders_is_exact_to_the_cent(admin: httpx.Client, dealer_client: Any) -> None:
    s = shop(admin, products=[("0.3333", 1000)])
    with dealer_client(s.dealer) as client:
        order = ok(client.post("/api/v1/orders", json=order_body((s.skus[0], 3)), headers=key()))
    assert order["lines"][0]["amount"] == "1.00"
    assert Decimal(order["total"]) == Decimal("1.00")
