"""Ordering under concurrency, over real HTTP on PostgreSQL and SQLite.

Row locks (PostgreSQL) and BEGIN IMMEDIATE (SQLite) must make these exact.
"""

from __future__ import annotations

import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from hub.auth.principal import Role
from tests.conftest import LiveServer
from tests.factories import dealer, ok, order_body, product, shop, stock_of


def post_all(
    server: LiveServer, requests: list[tuple[str, dict[str, Any], str]]
) -> list[httpx.Response]:
    """Fire (token, body, key) requests at once from as many threads."""

    def send(item: tuple[str, dict[str, Any], str]) -> httpx.Response:
        token, body, key = item
        with server.client(token) as client:
            return client.post("/api/v1/orders", json=body, headers={"Idempotency-Key": key})

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(send, requests))


def test_sixty_single_unit_orders_on_ten_units(
    live_server: LiveServer, admin: httpx.Client
) -> None:
    s = shop(admin, products=[("1.0000", 10)])
    tokens = [live_server.token_for(Role.DEALER, dealer_code=s.dealer)]
    for _ in range(5):  # six dealers share the warehouse: stock is the contended row
        code = dealer(admin, default_warehouse=s.warehouse)
        ok(
            admin.put(
                "/api/v1/prices", json=[{"tier": "core", "sku": s.skus[0], "unit_price": "1"}]
            )
        )
        tokens.append(live_server.token_for(Role.DEALER, dealer_code=code))
    requests = [
        (tokens[i % len(tokens)], order_body((s.skus[0], 1)), str(uuid.uuid4())) for i in range(60)
    ]
    responses = post_all(live_server, requests)
    statuses = Counter(r.status_code for r in responses)
    assert statuses == {201: 10, 409: 50}, statuses
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"insufficient_stock"}
    assert stock_of(admin, s.warehouse, s.skus[0]) == {
        "on_hand": 10,
        "reserved": 10,
        "available": 0,
    }


def test_two_orders_that_fit_the_credit_limit_alone_but_not_together(
    live_server: LiveServer, admin: httpx.Client
) -> None:
    for _ in range(3):  # a few rounds: a race that passes once by luck should not hide
        s = shop(admin, products=[("60.0000", 100)], credit_limit="100.00")
        token = live_server.token_for(Role.DEALER, dealer_code=s.dealer)
        body = order_body((s.skus[0], 1))
        responses = post_all(live_server, [(token, body, str(uuid.uuid4())) for _ in range(2)])
        assert sorted(r.status_code for r in responses) == [201, 409]
        refused = next(r for r in responses if r.status_code == 409).json()
        assert refused["code"] == "credit_limit_exceeded"
        assert refused["exposure"] == "60.00"


def test_multi_line_orders_in_opposite_sku_order_do_not_deadlock(
    live_server: LiveServer, admin: httpx.Client
) -> None:
    s = shop(admin, products=[("1.0000", 1000), ("1.0000", 1000)])
    x, y = s.skus
    tokens = [live_server.token_for(Role.DEALER, dealer_code=s.dealer)]
    for _ in range(3):
        code = dealer(admin, default_warehouse=s.warehouse)
        tokens.append(live_server.token_for(Role.DEALER, dealer_code=code))
    requests = [
        (
            tokens[i % len(tokens)],
            order_body((x, 1), (y, 1)) if i % 2 else order_body((y, 1), (x, 1)),
            str(uuid.uuid4()),
        )
        for i in range(40)
    ]
    responses = post_all(live_server, requests)
    assert [r.status_code for r in responses] == [201] * 40, [
        r.text for r in responses if r.status_code != 201
    ][:2]
    assert stock_of(admin, s.warehouse, x)["reserved"] == 40
    assert stock_of(admin, s.warehouse, y)["reserved"] == 40


def test_one_key_sent_many_times_at_once_makes_one_order(
    live_server: LiveServer, admin: httpx.Client
) -> None:
    s = shop(admin, products=[("3.0000", 100)])
    token = live_server.token_for(Role.DEALER, dealer_code=s.dealer)
    key = str(uuid.uuid4())
    responses = post_all(live_server, [(token, order_body((s.skus[0], 2)), key) for _ in range(12)])
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["order_no"] for r in responses}) == 1
    assert stock_of(admin, s.warehouse, s.skus[0])["reserved"] == 2
    with live_server.client(token) as client:
        assert len(ok(client.get("/api/v1/orders"))["items"]) == 1


def test_one_key_at_once_with_a_refusal_gives_everyone_the_refusal(
    live_server: LiveServer, admin: httpx.Client
) -> None:
    s = shop(admin, products=[("3.0000", 1)])
    gift_free = product(admin)  # unused product: the order below is simply short
    del gift_free
    token = live_server.token_for(Role.DEALER, dealer_code=s.dealer)
    key = str(uuid.uuid4())
    responses = post_all(live_server, [(token, order_body((s.skus[0], 5)), key) for _ in range(8)])
    assert {r.status_code for r in responses} == {409}
    assert len({r.text for r in responses}) == 1
