"""The permission matrix: every endpoint, every role, and a dealer probing others' codes.

A role that may not use an endpoint at all gets 403; an object outside the
caller's scope answers 404, never 403 (api-contract.md "Auth, roles, scope").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import func, select
from starlette.routing import BaseRoute

from hub.api.app import create_app
from hub.auth.principal import Role
from hub.db.schema import alerts
from hub.services.alerts import raise_alert
from tests.conftest import LiveServer, unique
from tests.e2e.settlement_world import (
    STATEMENT_MONTH,
    credit_note_body,
    invoice_body,
    ledger_for,
    payment_body,
)
from tests.factories import ok, product

ADMIN, INTEGRATOR, MANAGER, DEALER = Role.ADMIN, Role.INTEGRATOR, Role.MANAGER, Role.DEALER
ROLES = (ADMIN, INTEGRATOR, MANAGER, DEALER)


@dataclass
class World:
    """Two dealers in two regions; the manager and the dealer user belong to A's side."""

    region_a: str
    region_b: str
    dealer_a: str
    dealer_b: str
    wh_a: str
    wh_b: str
    wh_of_b: str  # dealer B's own warehouse
    sku: str
    promotion: str
    order_a: str
    order_b: str
    tokens: dict[Role, str]
    webhook_a: int  # dealer A's webhook subscription
    webhook_b: int
    new_webhook: Callable[[str], int]  # a fresh subscription for a dealer, to delete
    ledger_a: dict[str, str]  # numbers of dealer A's invoice, payment, credit note
    ledger_b: dict[str, str]
    alert_a: int  # a business alert about dealer A
    alert_b: int


@pytest.fixture(scope="module")
def world(live_server: LiveServer, admin_token: str) -> World:
    with live_server.client(admin_token) as admin:
        region_a, region_b = unique("RA"), unique("RB")
        wh_a, wh_b = unique("WA"), unique("WB")
        for code, region in ((wh_a, region_a), (wh_b, region_b)):
            ok(
                admin.put(
                    f"/api/v1/warehouses/{code}",
                    json={"name": code, "kind": "regional", "region": region},
                )
            )
        dealers = {}
        for key, region, wh in (("a", region_a, wh_a), ("b", region_b, wh_b)):
            dealers[key] = unique("D")
            ok(
                admin.put(
                    f"/api/v1/dealers/{dealers[key]}",
                    json={
                        "name": key,
                        "tier": "core",
                        "regions": [region],
                        "credit_limit": "10.00",
                        "payment_terms_days": 30,
                        "status": "active",
                        "default_warehouse": wh,
                    },
                )
            )
        wh_of_b = unique("WD")
        ok(
            admin.put(
                f"/api/v1/warehouses/{wh_of_b}",
                json={
                    "name": "b's own",
                    "kind": "dealer",
                    "region": region_b,
                    "dealer_code": dealers["b"],
                },
            )
        )
        sku = product(admin)
        for wh in (wh_a, wh_b, wh_of_b):
            ok(admin.put(f"/api/v1/stock/{wh}/{sku}", json={"on_hand": 5}))
        promotion = unique("PR")
        ok(
            admin.post(
                "/api/v1/promotions",
                json={
                    "code": promotion,
                    "kind": "percent_off",
                    "percent": "5",
                    "skus": [sku],  # the database is shared: touch no other test's prices
                    "starts_at": "2026-01-01T00:00:00Z",
                    "ends_at": "2027-01-01T00:00:00Z",
                },
            ),
            201,
        )
        for code in dealers.values():
            ok(
                admin.put(
                    "/api/v1/prices", json=[{"tier": "core", "sku": sku, "unit_price": "1.0000"}]
                )
            )
            ok(
                admin.put(
                    f"/api/v1/dealers/{code}",
                    json={
                        "name": "x",
                        "tier": "core",
                        "regions": [region_a if code == dealers["a"] else region_b],
                        "credit_limit": None,
                        "payment_terms_days": 30,
                        "status": "active",
                        "default_warehouse": wh_a if code == dealers["a"] else wh_b,
                    },
                )
            )
        orders = {}
        for name, code, wh in (("a", dealers["a"], wh_a), ("b", dealers["b"], wh_b)):
            ok(admin.put(f"/api/v1/stock/{wh}/{sku}", json={"on_hand": 50}))
            placed = admin.post(
                "/api/v1/orders",
                headers={"Idempotency-Key": unique("k")},
                json={"dealer_code": code, "lines": [{"sku": sku, "qty": 1}]},
            )
            orders[name] = ok(placed, 201)["order_no"]
        webhooks = {
            name: ok(admin.post("/api/v1/webhook-subscriptions", json=webhook_body(code)), 201)[
                "id"
            ]
            for name, code in (("a", dealers["a"]), ("b", dealers["b"]))
        }
        ledgers = {name: ledger_for(admin, dealers[name]) for name in ("a", "b")}
    alert_ids = {}
    with live_server.container.db.transaction() as conn:
        for name, code in (("a", dealers["a"]), ("b", dealers["b"])):
            now = live_server.container.clock.now()
            raise_alert(
                conn, kind="low_stock", subject=unique("S"), message="m", dealer_code=code, now=now
            )
            alert_ids[name] = conn.scalar(select(func.max(alerts.c.id)))
    tokens = {
        ADMIN: admin_token,
        INTEGRATOR: live_server.token_for(INTEGRATOR),
        MANAGER: live_server.token_for(MANAGER, regions=[region_a]),
        DEALER: live_server.token_for(DEALER, dealer_code=dealers["a"]),
    }
    return World(
        region_a,
        region_b,
        dealers["a"],
        dealers["b"],
        wh_a,
        wh_b,
        wh_of_b,
        sku,
        promotion,
        orders["a"],
        orders["b"],
        tokens,
        webhooks["a"],
        webhooks["b"],
        lambda code: new_webhook(live_server, admin_token, code),
        ledgers["a"],
        ledgers["b"],
        alert_ids["a"],
        alert_ids["b"],
    )


def new_webhook(live_server: LiveServer, admin_token: str, dealer_code: str) -> int:
    with live_server.client(admin_token) as admin:
        created = admin.post("/api/v1/webhook-subscriptions", json=webhook_body(dealer_code))
    return int(ok(created, 201)["id"])


def webhook_body(dealer_code: str | None = None) -> dict[str, Any]:
    """A subscription nobody will notice: port 9 refuses connections (and no
    test sends its reminders: those run at pinned times in 2025)."""
    body: dict[str, Any] = {"url": "http://127.0.0.1:9/hook", "events": ["payment.reminder"]}
    if dealer_code:
        body["dealer_code"] = dealer_code
    return body


@dataclass
class Case:
    method: str
    route: str  # the route template, to check that every route is covered
    path: Callable[[World], str]
    expected: dict[Role, int]
    body: Callable[[World], Any] | None = None


def everyone(status: int = 200) -> dict[Role, int]:
    return dict.fromkeys(ROLES, status)


def only(*roles: Role, ok_status: int = 200) -> dict[Role, int]:
    return {r: (ok_status if r in roles else 403) for r in ROLES}


def dealer_body(w: World) -> dict[str, Any]:
    return {
        "name": "n",
        "tier": "standard",
        "regions": [unique("R")],
        "credit_limit": None,
        "payment_terms_days": 0,
        "status": "prospect",
    }


CASES = [
    Case("GET", "/api/v1/users", lambda w: "/api/v1/users", only(ADMIN)),
    Case("GET", "/api/v1/api-keys", lambda w: "/api/v1/api-keys", only(ADMIN)),
    Case(
        "POST",
        "/api/v1/api-keys",
        lambda w: "/api/v1/api-keys",
        only(ADMIN, ok_status=201),
        lambda w: {"name": "k", "role": "integrator"},
    ),
    Case(
        "DELETE",
        "/api/v1/api-keys/{key_id}",
        lambda w: "/api/v1/api-keys/999999999",
        {ADMIN: 404, INTEGRATOR: 403, MANAGER: 403, DEALER: 403},
    ),
    Case("GET", "/api/v1/audit", lambda w: "/api/v1/audit", only(ADMIN)),
    Case(
        "PUT",
        "/api/v1/dealers/{code}",
        lambda w: f"/api/v1/dealers/{unique('D')}",
        only(ADMIN, INTEGRATOR, ok_status=201),
        dealer_body,
    ),
    Case("GET", "/api/v1/dealers", lambda w: "/api/v1/dealers", everyone()),
    Case("GET", "/api/v1/dealers/{code}", lambda w: f"/api/v1/dealers/{w.dealer_a}", everyone()),
    Case(
        "GET",
        "/api/v1/dealers/{code}",
        lambda w: f"/api/v1/dealers/{w.dealer_b}",
        {ADMIN: 200, INTEGRATOR: 200, MANAGER: 404, DEALER: 404},
    ),
    Case(
        "PUT",
        "/api/v1/warehouses/{code}",
        lambda w: f"/api/v1/warehouses/{unique('W')}",
        only(ADMIN, INTEGRATOR, ok_status=201),
        lambda w: {"name": "w", "kind": "central"},
    ),
    Case("GET", "/api/v1/warehouses", lambda w: "/api/v1/warehouses", everyone()),
    Case(
        "GET",
        "/api/v1/warehouses/{code}",
        lambda w: f"/api/v1/warehouses/{w.wh_a}",
        {ADMIN: 200, INTEGRATOR: 200, MANAGER: 200, DEALER: 404},
    ),
    Case(
        "GET",
        "/api/v1/warehouses/{code}",
        lambda w: f"/api/v1/warehouses/{w.wh_b}",
        {ADMIN: 200, INTEGRATOR: 200, MANAGER: 404, DEALER: 404},
    ),
    Case(
        "GET",
        "/api/v1/warehouses/{code}",
        lambda w: f"/api/v1/warehouses/{w.wh_of_b}",
        {ADMIN: 200, INTEGRATOR: 200, MANAGER: 404, DEALER: 404},
    ),
    Case(
        "PUT",
        "/api/v1/products/{sku}",
        lambda w: f"/api/v1/products/{unique('P')}",
        only(ADMIN, INTEGRATOR, ok_status=201),
        lambda w: {"name": "p", "unit": "pc"},
    ),
    Case("GET", "/api/v1/products", lambda w: "/api/v1/products", only(ADMIN, INTEGRATOR, MANAGER)),
    Case(
        "GET",
        "/api/v1/products/{sku}",
        lambda w: f"/api/v1/products/{w.sku}",
        only(ADMIN, INTEGRATOR, MANAGER),
    ),
    Case(
        "PUT",
        "/api/v1/prices",
        lambda w: "/api/v1/prices",
        only(ADMIN, INTEGRATOR),
        lambda w: [{"tier": "core", "sku": w.sku, "unit_price": "1.0000"}],
    ),
    Case("GET", "/api/v1/prices", lambda w: "/api/v1/prices", only(ADMIN, INTEGRATOR, MANAGER)),
    Case(
        "PUT",
        "/api/v1/stock/{warehouse}/{sku}",
        lambda w: f"/api/v1/stock/{w.wh_a}/{w.sku}",
        only(ADMIN, INTEGRATOR),
        lambda w: {"on_hand": 5},
    ),
    Case("GET", "/api/v1/stock", lambda w: "/api/v1/stock", only(ADMIN, INTEGRATOR, MANAGER)),
    Case(
        "POST",
        "/api/v1/promotions",
        lambda w: "/api/v1/promotions",
        only(ADMIN, INTEGRATOR, ok_status=201),
        lambda w: {
            "code": unique("PR"),
            "kind": "percent_off",
            "percent": "1",
            "starts_at": "2026-01-01T00:00:00Z",
            "ends_at": "2026-02-01T00:00:00Z",
        },
    ),
    Case(
        "GET",
        "/api/v1/promotions",
        lambda w: "/api/v1/promotions",
        only(ADMIN, INTEGRATOR, MANAGER),
    ),
    Case(
        "GET",
        "/api/v1/promotions/{code}",
        lambda w: f"/api/v1/promotions/{w.promotion}",
        only(ADMIN, INTEGRATOR, MANAGER),
    ),
]
ORDERERS = (ADMIN, MANAGER, DEALER)


def order_for(w: World, role: Role) -> dict[str, Any]:
    """An order body for dealer A as each role must send it."""
    body: dict[str, Any] = {"lines": [{"sku": w.sku, "qty": 1}]}
    if role is not DEALER:
        body["dealer_code"] = w.dealer_a
    return body


CASES += [
    Case(
        "PUT",
        "/api/v1/dealers/{code}/licences/{number}",
        lambda w: f"/api/v1/dealers/{w.dealer_a}/licences/{unique('L')}",
        only(ADMIN, INTEGRATOR, ok_status=201),
        lambda w: {"kind": "k", "expires_on": "2030-01-01"},
    ),
    Case(
        "GET",
        "/api/v1/dealers/{code}/licences",
        lambda w: f"/api/v1/dealers/{w.dealer_a}/licences",
        everyone(),
    ),
    Case(
        "GET",
        "/api/v1/dealers/{code}/licences",
        lambda w: f"/api/v1/dealers/{w.dealer_b}/licences",
        {ADMIN: 200, INTEGRATOR: 200, MANAGER: 404, DEALER: 404},
    ),
    Case("GET", "/api/v1/orders", lambda w: "/api/v1/orders", everyone()),
    Case("GET", "/api/v1/orders/{order_no}", lambda w: f"/api/v1/orders/{w.order_a}", everyone()),
    Case(
        "GET",
        "/api/v1/orders/{order_no}",
        lambda w: f"/api/v1/orders/{w.order_b}",
        {ADMIN: 200, INTEGRATOR: 200, MANAGER: 404, DEALER: 404},
    ),
    Case(
        "POST",
        "/api/v1/orders/{order_no}/cancel",
        lambda w: f"/api/v1/orders/{w.order_b}/cancel",
        {ADMIN: 200, INTEGRATOR: 403, MANAGER: 404, DEALER: 404},
    ),
]
CASES += [
    Case("GET", "/api/v1/connectors", lambda w: "/api/v1/connectors", only(ADMIN, INTEGRATOR)),
    Case("GET", "/api/v1/dead-letters", lambda w: "/api/v1/dead-letters", only(ADMIN, INTEGRATOR)),
    Case(
        "POST",
        "/api/v1/dead-letters/{letter_id}/replay",
        lambda w: "/api/v1/dead-letters/999999999/replay",
        {ADMIN: 404, INTEGRATOR: 404, MANAGER: 403, DEALER: 403},
    ),
    Case("GET", "/api/v1/mappings", lambda w: "/api/v1/mappings", only(ADMIN, INTEGRATOR)),
    Case(
        "POST",
        "/api/v1/mappings/test",
        lambda w: "/api/v1/mappings/test",
        only(ADMIN, INTEGRATOR),
        lambda w: {
            "mapping": "generic/stock.in.yaml",
            "sample": '{"warehouse": {"code": "wh"}, "item": {"code": "M-1"}, '
            '"quantity": {"onHand": "1"}, "asOf": "2026-01-05 08:00:00", "version": 1}',
            "xref": {"erp_material_sku": {"M-1": "SKU-1"}},
        },
    ),
    Case(
        "POST",
        "/api/v1/dead-letters/{letter_id}/discard",
        lambda w: "/api/v1/dead-letters/999999999/discard",
        {ADMIN: 404, INTEGRATOR: 404, MANAGER: 403, DEALER: 403},
    ),
]
CASES += [
    # Authenticated by the WMS's own signature, not a login: unsigned is 401 for all.
    Case(
        "POST",
        "/api/v1/wms/{connector}/confirmations",
        lambda w: "/api/v1/wms/wms/confirmations",
        everyone(401),
    ),
]
CASES += [
    Case(
        "POST",
        "/api/v1/webhook-subscriptions",
        lambda w: "/api/v1/webhook-subscriptions",
        # Without dealer_code: hub-wide for admins and integrators, its own for a dealer.
        {ADMIN: 201, INTEGRATOR: 201, MANAGER: 403, DEALER: 201},
        lambda w: webhook_body(),
    ),
    Case(
        "GET",
        "/api/v1/webhook-subscriptions",
        lambda w: "/api/v1/webhook-subscriptions",
        everyone(),
    ),
    Case(
        "DELETE",
        "/api/v1/webhook-subscriptions/{subscription_id}",
        lambda w: "/api/v1/webhook-subscriptions/999999999",
        {ADMIN: 404, INTEGRATOR: 404, MANAGER: 403, DEALER: 404},
    ),
    Case(
        "DELETE",
        "/api/v1/webhook-subscriptions/{subscription_id}",
        lambda w: f"/api/v1/webhook-subscriptions/{w.new_webhook(w.dealer_b)}",
        # Integrators change hub-wide subscriptions only; they see this one: 403.
        {ADMIN: 204, INTEGRATOR: 403, MANAGER: 403, DEALER: 404},
    ),
    Case(
        "GET",
        "/api/v1/webhook-subscriptions/{subscription_id}/deliveries",
        lambda w: f"/api/v1/webhook-subscriptions/{w.webhook_a}/deliveries",
        everyone(),
    ),
    Case(
        "GET",
        "/api/v1/webhook-subscriptions/{subscription_id}/deliveries",
        lambda w: f"/api/v1/webhook-subscriptions/{w.webhook_b}/deliveries",
        {ADMIN: 200, INTEGRATOR: 200, MANAGER: 404, DEALER: 404},
    ),
    Case(
        "POST",
        "/api/v1/webhook-subscriptions/{subscription_id}/test",
        lambda w: f"/api/v1/webhook-subscriptions/{w.webhook_a}/test",
        {ADMIN: 202, INTEGRATOR: 403, MANAGER: 403, DEALER: 202},
    ),
    Case(
        "POST",
        "/api/v1/webhook-subscriptions/{subscription_id}/test",
        lambda w: f"/api/v1/webhook-subscriptions/{w.webhook_b}/test",
        {ADMIN: 202, INTEGRATOR: 403, MANAGER: 403, DEALER: 404},
    ),
]


def ledger_cases(kind: str, route: str, body: Callable[[str], dict[str, Any]]) -> list[Case]:
    """Reading and posting one kind of receivables document."""
    item = route + "/{" + kind + "_no}"
    return [
        Case("GET", route, lambda w: route, everyone()),
        Case("GET", item, lambda w: f"{route}/{w.ledger_a[kind]}", everyone()),
        Case(
            "GET",
            item,
            lambda w: f"{route}/{w.ledger_b[kind]}",
            {ADMIN: 200, INTEGRATOR: 200, MANAGER: 404, DEALER: 404},
        ),
        Case(
            "POST",
            route,
            lambda w: route,
            only(ADMIN, INTEGRATOR, ok_status=201),
            lambda w: body(w.dealer_a),
        ),
    ]


CASES += ledger_cases("invoice", "/api/v1/invoices", invoice_body)
CASES += ledger_cases("payment", "/api/v1/payments", payment_body)
CASES += ledger_cases("credit_note", "/api/v1/credit-notes", credit_note_body)
STATEMENT = "/api/v1/statements/{dealer_code}/{month}"


def statement_of(w: World, which: str, tail: str = "") -> str:
    code = w.dealer_a if which == "a" else w.dealer_b
    return f"/api/v1/statements/{code}/{STATEMENT_MONTH}{tail}"


THEIRS = {ADMIN: 200, INTEGRATOR: 200, MANAGER: 404, DEALER: 404}
CASES += [
    Case("GET", "/api/v1/statements", lambda w: "/api/v1/statements", everyone()),
    Case(
        "POST",
        STATEMENT,
        lambda w: statement_of(w, "a"),  # issued already: answered again
        only(ADMIN, INTEGRATOR),
    ),
    Case("GET", STATEMENT, lambda w: statement_of(w, "a"), everyone()),
    Case("GET", STATEMENT, lambda w: statement_of(w, "b"), THEIRS),
    Case("GET", STATEMENT + "/csv", lambda w: statement_of(w, "a", "/csv"), everyone()),
    Case("GET", STATEMENT + "/csv", lambda w: statement_of(w, "b", "/csv"), THEIRS),
    Case("GET", STATEMENT + "/pdf", lambda w: statement_of(w, "a", "/pdf"), everyone()),
    Case("GET", STATEMENT + "/pdf", lambda w: statement_of(w, "b", "/pdf"), THEIRS),
    Case(
        "POST",
        STATEMENT + "/confirm",
        lambda w: statement_of(w, "a", "/confirm"),  # confirming twice changes nothing
        only(ADMIN, DEALER),
    ),
    Case(
        "POST",
        STATEMENT + "/confirm",
        # A month B has no statement for: nobody confirms it, the admin learns it is not there.
        lambda w: f"/api/v1/statements/{w.dealer_b}/2020-01/confirm",
        {ADMIN: 404, INTEGRATOR: 403, MANAGER: 403, DEALER: 404},
    ),
    Case(
        "POST",
        STATEMENT + "/dispute",
        lambda w: statement_of(w, "b", "/dispute"),
        {ADMIN: 200, INTEGRATOR: 403, MANAGER: 403, DEALER: 404},
        lambda w: {"lines": [{"line_no": 1, "reason": "r"}]},
    ),
    Case(
        "POST",
        STATEMENT + "/disputes/{dispute_id}/resolve",
        lambda w: statement_of(w, "a", "/disputes/999999999/resolve"),
        {ADMIN: 404, INTEGRATOR: 404, MANAGER: 403, DEALER: 403},
        lambda w: {"outcome": "rejected", "reason": "r"},
    ),
    Case("GET", "/api/v1/statement-disputes", lambda w: "/api/v1/statement-disputes", everyone()),
]
CASES += [
    Case(
        "GET",
        "/api/v1/receivables/ageing",
        lambda w: "/api/v1/receivables/ageing",
        only(ADMIN, MANAGER, DEALER),
    ),
]
# Integrators act on sync_failure alerts only; dealers read theirs and act on none.
NOT_THEIRS = {ADMIN: 200, INTEGRATOR: 403, MANAGER: 404, DEALER: 403}
CASES += [
    Case("GET", "/api/v1/alerts", lambda w: "/api/v1/alerts", everyone()),
    Case(
        "POST",
        "/api/v1/alerts/{alert_id}/ack",
        lambda w: f"/api/v1/alerts/{w.alert_a}/ack",
        {ADMIN: 200, INTEGRATOR: 403, MANAGER: 200, DEALER: 403},
    ),
    Case(
        "POST",
        "/api/v1/alerts/{alert_id}/ack",
        lambda w: f"/api/v1/alerts/{w.alert_b}/ack",
        NOT_THEIRS,
    ),
    Case(
        "POST",
        "/api/v1/alerts/{alert_id}/resolve",
        lambda w: f"/api/v1/alerts/{w.alert_b}/resolve",
        NOT_THEIRS,
    ),
    Case(
        "POST",
        "/api/v1/alerts/{alert_id}/resolve",
        lambda w: "/api/v1/alerts/999999999/resolve",
        {ADMIN: 404, INTEGRATOR: 404, MANAGER: 404, DEALER: 403},
    ),
    Case(
        "GET",
        "/api/v1/alert-rules",
        lambda w: "/api/v1/alert-rules",
        only(ADMIN, INTEGRATOR, MANAGER),
    ),
    Case(
        "PUT",
        "/api/v1/alert-rules/{kind}",
        lambda w: "/api/v1/alert-rules/low_stock",
        only(ADMIN),
        lambda w: {"enabled": True},
    ),
]


def sell_out_body(w: World, *, dealer_code: str | None) -> dict[str, Any]:
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    body: dict[str, Any] = {
        "records": [{"date": yesterday, "sku": w.sku, "qty": 1, "region": w.region_a}]
    }
    if dealer_code:
        body["dealer_code"] = dealer_code
    return body


CASES += [
    # A dealer reports for itself, others name the dealer (422 the other way round).
    Case(
        "POST",
        "/api/v1/sell-out",
        lambda w: "/api/v1/sell-out",
        {ADMIN: 201, INTEGRATOR: 201, MANAGER: 403, DEALER: 422},
        lambda w: sell_out_body(w, dealer_code=w.dealer_a),
    ),
    Case(
        "POST",
        "/api/v1/sell-out",
        lambda w: "/api/v1/sell-out",
        {ADMIN: 422, INTEGRATOR: 422, MANAGER: 403, DEALER: 201},
        lambda w: sell_out_body(w, dealer_code=None),
    ),
    Case(
        "POST",
        "/api/v1/inventory-reports",
        lambda w: "/api/v1/inventory-reports",
        # Dealer B's warehouse: not dealer A's to report (refused as if unknown).
        {ADMIN: 201, INTEGRATOR: 201, MANAGER: 403, DEALER: 422},
        lambda w: {
            "warehouse": w.wh_of_b,
            "as_of": datetime.now(UTC).isoformat(),
            "items": [{"sku": w.sku, "on_hand": 5}],
        },
    ),
    Case(
        "PUT",
        "/api/v1/regions/{region}/areas",
        lambda w: f"/api/v1/regions/{unique('R')}/areas",
        only(ADMIN, INTEGRATOR),
        lambda w: [],
    ),
]
CASES += [
    Case("GET", "/api/v1/auth/session", lambda w: "/api/v1/auth/session", everyone()),
    Case(
        "DELETE",
        "/api/v1/auth/session",
        lambda w: "/api/v1/auth/session",
        {ADMIN: 204, INTEGRATOR: 204, MANAGER: 204, DEALER: 204},
    ),
    Case("GET", "/api/v1/replenishments", lambda w: "/api/v1/replenishments", everyone()),
    Case(
        "PUT",
        "/api/v1/dealers/{code}/vmi",
        lambda w: f"/api/v1/dealers/{w.dealer_a}/vmi",
        {ADMIN: 200, INTEGRATOR: 403, MANAGER: 403, DEALER: 200},
        lambda w: {"auto_place": False},
    ),
    Case(
        "PUT",
        "/api/v1/dealers/{code}/vmi",
        lambda w: f"/api/v1/dealers/{w.dealer_b}/vmi",
        {ADMIN: 200, INTEGRATOR: 403, MANAGER: 403, DEALER: 404},
        lambda w: {"auto_place": False},
    ),
    Case(
        "GET",
        "/api/v1/transfer-suggestions",
        lambda w: "/api/v1/transfer-suggestions",
        only(ADMIN, INTEGRATOR, MANAGER),
    ),
]
ROLE_BODY_CASES = [
    # (method, route, path, expected, body by role): the body depends on the role.
    (
        "POST",
        "/api/v1/orders",
        "/api/v1/orders",
        {ADMIN: 201, INTEGRATOR: 403, MANAGER: 201, DEALER: 201},
    ),
    (
        "POST",
        "/api/v1/orders/quote",
        "/api/v1/orders/quote",
        {ADMIN: 200, INTEGRATOR: 403, MANAGER: 200, DEALER: 200},
    ),
    (
        "GET",
        "/api/v1/catalog",
        "/api/v1/catalog",
        {ADMIN: 200, INTEGRATOR: 403, MANAGER: 200, DEALER: 200},
    ),
]
# Logging in, probes, and the web pages' static shells (each page then calls
# the API with the user's own role).
PUBLIC = {
    "/healthz",
    "/readyz",
    "/metrics",
    "/api/v1/auth/token",
    "/",
    "/console",
    "/console/",
}
PUBLIC_METHODS = {("POST", "/api/v1/auth/session")}  # logging in; GET and DELETE are scoped


@pytest.mark.parametrize(
    ("case", "role"),
    [(c, r) for c in CASES for r in ROLES],
    ids=[f"{c.method} {c.route}-{r.value}" for c in CASES for r in ROLES],
)
def test_matrix(live_server: LiveServer, world: World, case: Case, role: Role) -> None:
    with live_server.client(world.tokens[role]) as client:
        body = case.body(world) if case.body else None
        response = client.request(case.method, case.path(world), json=body)
    assert response.status_code == case.expected[role], response.text
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith("application/problem+json")


def _api_routes(routes: Iterable[BaseRoute]) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        # FastAPI 0.165 keeps an included router whole in app.routes.
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _api_routes(inner.routes)


def test_every_route_is_in_the_matrix(live_server: LiveServer) -> None:
    app = create_app(live_server.container)
    every = list(_api_routes(app.routes))
    assert len(every) > 60, "the route walk found too few routes to be the whole API"
    routes = {
        (method, route.path)
        for route in every
        if route.path not in PUBLIC
        for method in route.methods or ()
    }
    covered = {(c.method, c.route) for c in CASES} | {(m, r) for m, r, *_ in ROLE_BODY_CASES}
    covered |= PUBLIC_METHODS
    assert routes - covered == set(), "add these endpoints to the permission matrix"


@pytest.mark.parametrize(
    ("method", "route", "path", "expected"),
    ROLE_BODY_CASES,
    ids=[f"{c[0]} {c[1]}" for c in ROLE_BODY_CASES],
)
@pytest.mark.parametrize("role", ROLES, ids=[r.value for r in ROLES])
def test_ordering_matrix(
    live_server: LiveServer,
    world: World,
    method: str,
    route: str,
    path: str,
    expected: dict[Role, int],
    role: Role,
) -> None:
    with live_server.client(world.tokens[role]) as client:
        if method == "GET":
            params = {} if role is DEALER else {"dealer_code": world.dealer_a}
            response = client.get(path, params=params)
        else:
            response = client.post(
                path, json=order_for(world, role), headers={"Idempotency-Key": unique("k")}
            )
    assert response.status_code == expected[role], response.text


def test_a_dealer_cannot_order_or_browse_for_another_dealer(
    live_server: LiveServer, world: World
) -> None:
    with live_server.client(world.tokens[DEALER]) as client:
        body = {"lines": [{"sku": world.sku, "qty": 1}], "dealer_code": world.dealer_b}
        order = client.post("/api/v1/orders", json=body, headers={"Idempotency-Key": "x"})
        catalog = client.get("/api/v1/catalog", params={"dealer_code": world.dealer_b})
        listed = client.get("/api/v1/orders", params={"dealer_code": world.dealer_b})
    assert order.status_code == catalog.status_code == 422
    assert listed.json()["items"] == []


def test_anonymous_callers_get_401_everywhere(live_server: LiveServer, world: World) -> None:
    with live_server.client() as client:
        for case in CASES:
            body = case.body(world) if case.body else None
            response = client.request(case.method, case.path(world), json=body)
            assert response.status_code == 401, (case.method, case.route)


def test_lists_only_show_what_is_in_scope(live_server: LiveServer, world: World) -> None:
    for role, expected in (
        (MANAGER, {world.dealer_a}),
        (DEALER, {world.dealer_a}),
        (ADMIN, {world.dealer_a, world.dealer_b}),
    ):
        with live_server.client(world.tokens[role]) as client:
            seen = set()
            for region in (world.region_a, world.region_b):
                page = ok(client.get("/api/v1/dealers", params={"region": region}))
                seen |= {d["code"] for d in page["items"]}
        assert seen == expected, role
    with live_server.client(world.tokens[MANAGER]) as client:
        rows = ok(client.get("/api/v1/stock", params={"sku": world.sku}))["items"]
        assert {r["warehouse"] for r in rows} == {world.wh_a}
    with live_server.client(world.tokens[DEALER]) as client:
        names = {
            w["code"] for w in ok(client.get("/api/v1/warehouses", params={"limit": 500}))["items"]
        }
        assert not names & {world.wh_a, world.wh_b, world.wh_of_b}


def test_a_dealer_probing_another_dealers_codes_learns_nothing(
    live_server: LiveServer, world: World
) -> None:
    with live_server.client(world.tokens[DEALER]) as client:
        other = client.get(f"/api/v1/dealers/{world.dealer_b}")
        missing = client.get("/api/v1/dealers/NO-SUCH-DEALER")
    assert other.status_code == missing.status_code == 404
    assert other.json()["code"] == missing.json()["code"] == "not_found"
