"""Master data through the HTTP API on a live server, on SQLite and PostgreSQL."""

from __future__ import annotations

import httpx

from tests.conftest import LiveServer, unique
from tests.factories import dealer, ok, product, warehouse


def problem_fields(response: httpx.Response) -> list[str]:
    assert response.headers["content-type"].startswith("application/problem+json")
    return [e["field"] for e in response.json()["errors"]]


def dealer_body(**fields: object) -> dict[str, object]:
    body: dict[str, object] = {
        "name": "经销商",
        "tier": "core",
        "regions": ["east"],
        "credit_limit": "1000.00",
        "payment_terms_days": 30,
        "status": "prospect",
    }
    body.update(fields)
    return body


class TestDealers:
    def test_create_then_read_with_credit_figures(self, admin: httpx.Client) -> None:
        wh = warehouse(admin)
        code = unique("D")
        body = dealer_body(
            default_warehouse=wh,
            regions=["north", "east"],
            erp={"system": "sap", "customer_code": unique("C")},
        )
        created = admin.put(f"/api/v1/dealers/{code}", json=body)
        assert created.status_code == 201
        again = admin.put(f"/api/v1/dealers/{code}", json=body)
        assert again.status_code == 200
        got = ok(admin.get(f"/api/v1/dealers/{code}"))
        assert got["name"] == "经销商"
        assert got["regions"] == ["east", "north"]
        assert got["credit_limit"] == "1000.00"
        assert got["exposure"] == "0.00"
        assert got["headroom"] == "1000.00"
        assert got["created_at"].endswith("Z") or "+" in got["created_at"]

    def test_status_lifecycle_is_enforced(self, admin: httpx.Client) -> None:
        code = unique("D")
        ok(admin.put(f"/api/v1/dealers/{code}", json=dealer_body(status="prospect")))
        refused = admin.put(f"/api/v1/dealers/{code}", json=dealer_body(status="suspended"))
        assert refused.status_code == 409
        assert refused.json()["code"] == "invalid_status_transition"
        for status in ("active", "suspended", "active", "terminated"):
            ok(admin.put(f"/api/v1/dealers/{code}", json=dealer_body(status=status)))
        final = admin.put(f"/api/v1/dealers/{code}", json=dealer_body(status="active"))
        assert final.status_code == 409
        assert ok(admin.get(f"/api/v1/dealers/{code}"))["status"] == "terminated"

    def test_bad_fields_are_each_named_and_nothing_is_written(self, admin: httpx.Client) -> None:
        code = unique("D")
        response = admin.put(
            f"/api/v1/dealers/{code}",
            json=dealer_body(
                credit_limit="-5.00", tier="gold", colour="red", payment_terms_days="30"
            ),
        )
        assert response.status_code == 422
        assert sorted(problem_fields(response)) == [
            "colour",
            "credit_limit",
            "payment_terms_days",
            "tier",
        ]
        messages = {e["field"]: e["message"] for e in response.json()["errors"]}
        assert "-5.00" in messages["credit_limit"]
        assert "gold" in messages["tier"]
        assert messages["colour"] == "unknown field"
        assert admin.get(f"/api/v1/dealers/{code}").status_code == 404

    def test_money_as_a_json_number_is_refused(self, admin: httpx.Client) -> None:
        response = admin.put(
            f"/api/v1/dealers/{unique('D')}", json=dealer_body(credit_limit=1000.5)
        )
        assert response.status_code == 422
        assert problem_fields(response) == ["credit_limit"]
        assert "decimal string" in response.json()["errors"][0]["message"]

    def test_malformed_json_is_a_problem(self, admin: httpx.Client) -> None:
        response = admin.put(
            f"/api/v1/dealers/{unique('D')}",
            content=b'{"name": "x",',
            headers={"content-type": "application/json"},
        )
        assert response.status_code == 422
        assert response.json()["code"] == "validation_failed"
        assert response.headers["content-type"].startswith("application/problem+json")

    def test_unknown_default_warehouse_is_named(self, admin: httpx.Client) -> None:
        response = admin.put(
            f"/api/v1/dealers/{unique('D')}", json=dealer_body(default_warehouse="NOPE-1")
        )
        assert response.status_code == 422
        assert problem_fields(response) == ["default_warehouse"]
        assert "NOPE-1" in response.json()["detail"]

    def test_an_erp_customer_belongs_to_one_dealer(self, admin: httpx.Client) -> None:
        erp = {"system": "sap", "customer_code": unique("C")}
        ok(admin.put(f"/api/v1/dealers/{unique('D')}", json=dealer_body(erp=erp)))
        clash = admin.put(f"/api/v1/dealers/{unique('D')}", json=dealer_body(erp=erp))
        assert clash.status_code == 409
        assert clash.json()["code"] == "erp_customer_taken"

    def test_list_pages_with_a_cursor(self, admin: httpx.Client) -> None:
        region = unique("R")
        codes = sorted(dealer(admin, regions=[region]) for _ in range(5))
        seen: list[str] = []
        cursor = None
        while True:
            params: dict[str, str | int] = {"region": region, "limit": 2}
            if cursor:
                params["cursor"] = cursor
            page = ok(admin.get("/api/v1/dealers", params=params))
            seen += [d["code"] for d in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen == codes
        bad = admin.get("/api/v1/dealers", params={"cursor": "not-a-cursor"})
        assert bad.status_code == 422
        assert problem_fields(bad) == ["cursor"]


class TestWarehousesProductsPrices:
    def test_dealer_warehouse_names_an_existing_owner(self, admin: httpx.Client) -> None:
        code = unique("WH")
        missing_owner = admin.put(
            f"/api/v1/warehouses/{code}", json={"name": "x", "kind": "dealer"}
        )
        assert missing_owner.status_code == 422
        assert problem_fields(missing_owner) == ["dealer_code"]
        unknown = admin.put(
            f"/api/v1/warehouses/{code}",
            json={"name": "x", "kind": "dealer", "dealer_code": "NOBODY-1"},
        )
        assert problem_fields(unknown) == ["dealer_code"]
        owner = dealer(admin)
        created = admin.put(
            f"/api/v1/warehouses/{code}",
            json={"name": "x", "kind": "dealer", "dealer_code": owner},
        )
        assert created.status_code == 201
        assert created.json()["dealer_code"] == owner

    def test_product_defaults_and_erp_codes(self, admin: httpx.Client) -> None:
        sku = unique("SKU")
        material = unique("MAT")
        body = {"name": "刹车片", "unit": "set", "erp_codes": {"sap": material}}
        created = ok(admin.put(f"/api/v1/products/{sku}", json=body), 201)
        assert created["tax_rate"] == "13.00"
        assert created["pack_size"] == 1
        assert created["active"] is True
        assert created["erp_codes"] == {"sap": material}
        clash = admin.put(f"/api/v1/products/{unique('SKU')}", json=body)
        assert clash.status_code == 409
        assert clash.json()["code"] == "erp_code_taken"

    def test_prices_upsert_in_one_transaction(self, admin: httpx.Client) -> None:
        sku = product(admin)
        saved = ok(
            admin.put(
                "/api/v1/prices",
                json=[
                    {"tier": "core", "sku": sku, "unit_price": "12.3456"},
                    {"tier": "strategic", "sku": sku, "unit_price": "11.5"},
                ],
            )
        )
        assert saved == {"received": 2, "changed": 2}
        refused = admin.put(
            "/api/v1/prices",
            json=[
                {"tier": "core", "sku": sku, "unit_price": "99.0000"},
                {"tier": "core", "sku": "NO-SUCH-SKU", "unit_price": "1.00"},
            ],
        )
        assert refused.status_code == 422
        assert problem_fields(refused) == ["[1].sku"]
        prices = ok(admin.get("/api/v1/prices", params={"sku": sku}))["items"]
        assert {p["tier"]: p["unit_price"] for p in prices} == {
            "core": "12.3456",
            "strategic": "11.5000",
        }
        too_precise = admin.put(
            "/api/v1/prices", json=[{"tier": "core", "sku": sku, "unit_price": "1.00001"}]
        )
        assert problem_fields(too_precise) == ["[0].unit_price"]


class TestStock:
    def test_correction_and_availability(self, admin: httpx.Client) -> None:
        wh, sku = warehouse(admin), product(admin)
        row = ok(
            admin.put(
                f"/api/v1/stock/{wh}/{sku}",
                json={"on_hand": 40, "safety_stock": 5, "max_level": 100},
            )
        )
        assert (row["on_hand"], row["reserved"], row["available"]) == (40, 0, 40)
        items = ok(admin.get("/api/v1/stock", params={"warehouse": wh}))["items"]
        assert [(i["sku"], i["available"]) for i in items] == [(sku, 40)]

    def test_unknown_warehouse_is_404_and_bad_levels_are_named(self, admin: httpx.Client) -> None:
        sku = product(admin)
        missing = admin.put("/api/v1/stock/NO-WH-1/" + sku, json={"on_hand": 1})
        assert missing.status_code == 404
        assert missing.json()["code"] == "warehouse_not_found"
        wh = warehouse(admin)
        negative = admin.put(f"/api/v1/stock/{wh}/{sku}", json={"on_hand": -1})
        assert problem_fields(negative) == ["on_hand"]
        crossed = admin.put(
            f"/api/v1/stock/{wh}/{sku}", json={"on_hand": 1, "safety_stock": 10, "max_level": 5}
        )
        assert problem_fields(crossed) == ["max_level"]


class TestPromotions:
    def test_valid_promotion_is_stored(self, admin: httpx.Client) -> None:
        sku, gift = product(admin), product(admin)
        code = unique("PR")
        body = {
            "code": code,
            "kind": "gift",
            "starts_at": "2026-11-01T00:00:00+08:00",
            "ends_at": "2026-12-01T00:00:00+08:00",
            "skus": [sku],
            "tiers": ["core"],
            "gift_sku": gift,
            "gift_qty": 2,
        }
        created = ok(admin.post("/api/v1/promotions", json=body), 201)
        assert created["starts_at"] == "2026-10-31T16:00:00Z"
        assert created["gift_qty"] == 2
        again = admin.post("/api/v1/promotions", json=body)
        assert again.status_code == 409
        assert again.json()["code"] == "promotion_exists"

    def test_naive_times_unknown_kinds_and_kind_mismatches(self, admin: httpx.Client) -> None:
        naive = admin.post(
            "/api/v1/promotions",
            json={
                "code": unique("PR"),
                "kind": "percent_off",
                "starts_at": "2026-11-01T00:00:00",
                "ends_at": "2026-12-01T00:00:00+08:00",
                "percent": "10",
            },
        )
        assert problem_fields(naive) == ["starts_at"]
        unknown_kind = admin.post(
            "/api/v1/promotions",
            json={
                "code": unique("PR"),
                "kind": "buy_one_get_two",
                "starts_at": "2026-11-01T00:00:00Z",
                "ends_at": "2026-12-01T00:00:00Z",
            },
        )
        assert problem_fields(unknown_kind) == ["kind"]
        mismatch = admin.post(
            "/api/v1/promotions",
            json={
                "code": unique("PR"),
                "kind": "percent_off",
                "starts_at": "2026-11-01T00:00:00Z",
                "ends_at": "2026-10-01T00:00:00Z",
                "discount_amount": "5.00",
                "skus": ["NO-SUCH"],
            },
        )
        assert mismatch.status_code == 422
        assert sorted(problem_fields(mismatch)) == ["discount_amount", "ends_at", "percent"]


def test_audit_log_records_who_changed_what(live_server: LiveServer, admin: httpx.Client) -> None:
    code = dealer(admin, credit_limit="500.00")
    body = dealer_body(status="active", credit_limit="900.00")
    ok(admin.put(f"/api/v1/dealers/{code}", json=body))
    ok(admin.put(f"/api/v1/dealers/{code}", json=body))  # no change: no entry
    entries = ok(admin.get("/api/v1/audit", params={"entity": "dealer", "key": code}))["items"]
    assert [e["action"] for e in entries] == ["update", "create"]
    assert entries[0]["before"]["credit_limit"] == "500.00"
    assert entries[0]["after"]["credit_limit"] == "900.00"
    assert entries[0]["actor_role"] == "admin"
    assert entries[0]["at"] >= entries[1]["at"]
