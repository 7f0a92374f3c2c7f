"""The warehouse leg end to end: an order placed over HTTP goes to the generic
ERP simulator, and once confirmed to the FLUX WMS simulator; the warehouse
ships it (in parts), pushes its signed confirmations to the hub's endpoint
(or is polled), and the hub shows the order shipped with its tracking numbers
while stock and reservations add up. Real database, sockets, worker threads,
and a second hub server whose settings name the WMS."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from connectors.wms.signing import flux_time, sign
from hub.bootstrap import Container
from hub.db.schema import inbound_messages, outbox
from hub.jobs.runtime import Runtime
from simulators.flux_wms import RunningSimulator as RunningWms
from simulators.flux_wms import WmsCredentials
from simulators.flux_wms import running_simulator as running_wms
from simulators.generic_erp.server import RunningSimulator, running_simulator
from tests.conftest import LiveServer, serving
from tests.e2e.erp_engine import Shop, drain, open_shop, quiet_outbox, running_engine
from tests.factories import ok, stock_of

ERP, WMS = "erp", "wms"
CREDENTIALS = WmsCredentials(app_secret="e2e-flux-secret-0123456789")


@pytest.fixture(scope="module")
def erp() -> Iterator[RunningSimulator]:
    with running_simulator(hang_seconds=2.0) as simulator:
        yield simulator


@pytest.fixture(scope="module")
def wms() -> Iterator[RunningWms]:
    with running_wms(credentials=CREDENTIALS, hang_seconds=2.0, push_attempts=4) as simulator:
        simulator.control.pusher.first_pause = 0.05
        yield simulator


def wms_settings(sim: RunningWms) -> dict[str, Any]:
    return {
        "system": "wms",
        "base_url": sim.url,
        "app_key": sim.credentials.app_key,
        "app_secret": sim.credentials.app_secret,
        "app_token": sim.credentials.app_token,
        "client_customerid": sim.credentials.customer_id,
        "timeout_seconds": 1.0,
    }


@dataclass
class Hub:
    runtime: Runtime
    server: LiveServer  # the API of the runtime's container: it knows the WMS connector

    def run(self) -> None:
        """Relay and run jobs until no outbox row is left waiting (a job may write one)."""
        for _ in range(5):
            drain(self.runtime)
            with self.runtime.db.read() as conn:
                waiting = conn.scalar(
                    select(func.count()).where(outbox.c.status.in_(("pending", "dispatched")))
                )
            if not waiting:
                return
        raise AssertionError("the outbox does not drain")


@pytest.fixture(scope="module")
def hub(live_server: LiveServer, erp: RunningSimulator, wms: RunningWms) -> Iterator[Hub]:
    with running_engine(
        live_server,
        erp,
        connector=ERP,
        order_erp=ERP,
        more_connectors={WMS: wms_settings(wms)},
        order_wms=WMS,
    ) as runtime:
        container: Container = runtime.container
        with serving(container) as server:
            wms.control.set_push_url(f"{server.url}/api/v1/wms/{WMS}/confirmations")
            yield Hub(runtime, server)
            wms.control.set_push_url(None)


@pytest.fixture(autouse=True)
def _quiet(hub: Hub, wms: RunningWms) -> None:
    quiet_outbox(hub.runtime.db)
    wms.control.clear_faults()
    wms.control.set_shipping(None)


@pytest.fixture
def shop(
    live_server: LiveServer, admin: httpx.Client, erp: RunningSimulator, wms: RunningWms
) -> Shop:
    shop = open_shop(live_server, admin, erp, ERP)
    wms.control.add_sku(shop.sku)
    wms.control.set_stock(shop.warehouse, shop.sku, 100)
    return shop


def order(admin: httpx.Client, order_no: str) -> dict[str, Any]:
    return dict(ok(admin.get(f"/api/v1/orders/{order_no}")))


def eventually(check: Callable[[], bool], what: str, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"still not {what} after {seconds} s")
        time.sleep(0.05)


def confirmed_in_both(hub: Hub, shop: Shop, admin: httpx.Client, qty: int) -> str:
    order_no = shop.place(qty)
    hub.run()
    detail = order(admin, order_no)
    assert detail["status"] == "confirmed"
    return order_no


def test_an_order_goes_to_the_erp_then_the_warehouse_and_comes_back_shipped(
    hub: Hub, shop: Shop, admin: httpx.Client, erp: RunningSimulator, wms: RunningWms
) -> None:
    order_no = confirmed_in_both(hub, shop, admin, 5)
    [erp_doc] = erp.control.documents(order_no)
    [wms_doc] = wms.control.documents(order_no)
    with hub.runtime.db.read() as conn:
        kept = conn.execute(select(outbox.c.topic).where(outbox.c.key == order_no)).scalars()
        assert sorted(kept) == ["order.confirmed", "order.placed"]
    # Delivered again (a lost message re-sent): still one outbound order.
    hub.runtime.actors.push_to_wms.send(order_no)
    hub.run()
    assert wms.control.documents(order_no) == [wms_doc]
    assert order(admin, order_no)["erp_ref"] == erp_doc
    assert order(admin, order_no)["wms_ref"] == wms_doc
    assert stock_of(admin, shop.warehouse, shop.sku) == {
        "on_hand": 100,
        "reserved": 5,
        "available": 95,
    }

    first = wms.control.ship(order_no, {1: 2})
    eventually(lambda: order(admin, order_no)["status"] == "partially_shipped", "partly shipped")
    assert stock_of(admin, shop.warehouse, shop.sku) == {
        "on_hand": 98,
        "reserved": 3,
        "available": 95,
    }
    second = wms.control.ship(order_no)
    eventually(lambda: order(admin, order_no)["status"] == "shipped", "shipped")

    detail = order(admin, order_no)
    shipped = {s["shipment_no"]: s for s in detail["shipments"]}
    assert set(shipped) == {first, second}
    assert all(s["tracking_no"] and s["tracking_no"] in s["shipment_no"] for s in shipped.values())
    assert shipped[first]["lines"] == [{"sku": shop.sku, "qty": 2}]
    assert stock_of(admin, shop.warehouse, shop.sku) == {
        "on_hand": 95,
        "reserved": 0,
        "available": 95,
    }
    # The warehouse's own books agree: 95 on hand, nothing allocated.
    assert wms.control.stock(shop.warehouse, shop.sku) == (95, 0)
    # Polling the same shipments afterwards changes nothing.
    hub.runtime.pull(WMS, "shipments")
    assert stock_of(admin, shop.warehouse, shop.sku)["on_hand"] == 95


def test_the_warehouse_ships_on_its_own_in_parts(
    hub: Hub, shop: Shop, admin: httpx.Client, wms: RunningWms
) -> None:
    wms.control.set_shipping(0.1, split=True)
    order_no = confirmed_in_both(hub, shop, admin, 4)
    eventually(lambda: order(admin, order_no)["status"] == "shipped", "shipped")
    assert len(order(admin, order_no)["shipments"]) == 2
    assert stock_of(admin, shop.warehouse, shop.sku) == {
        "on_hand": 96,
        "reserved": 0,
        "available": 96,
    }


def test_forged_stale_and_repeated_confirmations_change_nothing(
    hub: Hub, shop: Shop, admin: httpx.Client, wms: RunningWms
) -> None:
    order_no = confirmed_in_both(hub, shop, admin, 3)
    pushes_before = len(wms.control.pushes())
    wms.control.inject_fault("bad_signature")
    wms.control.inject_fault("stale_timestamp")
    wms.control.inject_fault("duplicate_confirmation")
    wms.control.ship(order_no)
    eventually(wms.control.pushes_idle, "done pushing")
    eventually(lambda: order(admin, order_no)["status"] == "shipped", "shipped")

    attempts = wms.control.pushes()[pushes_before:]
    [message_id] = {p.message_id for p in attempts}
    # Refused twice (bad sign, stale timestamp), then taken, then the copy answered as before.
    assert [(p.status, p.flag) for p in attempts] == [
        (401, "0"),
        (401, "0"),
        (200, "1"),
        (200, "1"),
    ]
    with hub.runtime.db.read() as conn:
        rows = conn.execute(
            select(inbound_messages.c.status, inbound_messages.c.reason)
            .where(inbound_messages.c.message_id == message_id)
            .order_by(inbound_messages.c.id)
        ).all()
    assert [r.status for r in rows] == ["refused", "refused", "accepted"]
    assert "sign" in (rows[0].reason or "")
    assert "timestamp" in (rows[1].reason or "")
    assert stock_of(admin, shop.warehouse, shop.sku) == {
        "on_hand": 97,
        "reserved": 0,
        "available": 97,
    }


def test_a_cancel_after_the_warehouse_took_it_is_asked_of_both(
    hub: Hub, shop: Shop, admin: httpx.Client, erp: RunningSimulator, wms: RunningWms
) -> None:
    order_no = confirmed_in_both(hub, shop, admin, 2)
    ok(admin.post(f"/api/v1/orders/{order_no}/cancel", json={"reason": "changed plans"}), 202)
    hub.run()
    assert order(admin, order_no)["status"] == "cancelled"
    assert wms.control.status(order_no) == "90"
    assert stock_of(admin, shop.warehouse, shop.sku)["reserved"] == 0
    assert wms.control.stock(shop.warehouse, shop.sku) == (100, 0)


def test_a_cancel_the_warehouse_refuses_keeps_the_order_and_polling_finds_the_shipment(
    hub: Hub, shop: Shop, admin: httpx.Client, erp: RunningSimulator, wms: RunningWms
) -> None:
    order_no = confirmed_in_both(hub, shop, admin, 2)
    wms.control.set_push_url(None)  # a warehouse that cannot push: the hub polls
    try:
        wms.control.ship(order_no)
        ok(admin.post(f"/api/v1/orders/{order_no}/cancel"), 202)
        hub.run()
        detail = order(admin, order_no)
        assert detail["status"] == "confirmed"
        assert "S007" in (detail["timeline"][-1]["note"] or "")
        assert erp.control.documents(order_no)  # the ERP was not asked to cancel
        hub.runtime.pull(WMS, "shipments")
    finally:
        wms.control.set_push_url(f"{hub.server.url}/api/v1/wms/{WMS}/confirmations")
    assert order(admin, order_no)["status"] == "shipped"
    assert stock_of(admin, shop.warehouse, shop.sku) == {
        "on_hand": 98,
        "reserved": 0,
        "available": 98,
    }


def test_an_unsigned_or_unknown_push_is_refused(hub: Hub) -> None:
    with httpx.Client(base_url=hub.server.url) as client:
        unsigned = client.post(f"/api/v1/wms/{WMS}/confirmations", data={"data": "{}"})
        nowhere = client.post(
            "/api/v1/wms/nope/confirmations",
            params={"sign": "x", "appkey": "k", "messageid": "m", "timestamp": "t"},
        )
    assert unsigned.status_code == 401
    assert unsigned.headers["content-type"].startswith("application/problem+json")
    assert nowhere.status_code == 404


def test_copies_of_one_confirmation_at_once_apply_it_once(
    hub: Hub, shop: Shop, admin: httpx.Client, wms: RunningWms
) -> None:
    order_no = confirmed_in_both(hub, shop, admin, 4)
    wms.control.set_push_url(None)  # this test delivers the message itself
    try:
        header = wms.control.warehouse.ship(order_no).header
    finally:
        wms.control.set_push_url(f"{hub.server.url}/api/v1/wms/{WMS}/confirmations")
    data = json.dumps({"xmldata": {"header": [header]}}, ensure_ascii=False)
    message_id = f"CONCURRENT-{order_no}"
    params = {
        "method": "confirmSOData",
        "client_customerid": CREDENTIALS.customer_id,
        "client_db": CREDENTIALS.client_db,
        "messageid": message_id,
        "apptoken": CREDENTIALS.app_token,
        "appkey": CREDENTIALS.app_key,
        "timestamp": flux_time(datetime.now(UTC)),
        "format": "json",
        "sign": sign(CREDENTIALS.app_secret, data),
    }

    def deliver(_: int) -> tuple[int, Any]:
        with httpx.Client(base_url=hub.server.url, timeout=30) as client:
            answer = client.post(
                f"/api/v1/wms/{WMS}/confirmations", params=params, data={"data": data}
            )
        return answer.status_code, answer.json()

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(deliver, range(4)))

    assert {status for status, _ in answers} == {200}
    assert all(body == answers[0][1] for _, body in answers)
    assert answers[0][1]["Response"]["return"]["returnFlag"] == "1"
    with hub.runtime.db.read() as conn:
        taken = conn.scalar(
            select(func.count()).where(
                inbound_messages.c.message_id == message_id,
                inbound_messages.c.status == "accepted",
            )
        )
    assert taken == 1
    assert order(admin, order_no)["status"] == "shipped"
    assert stock_of(admin, shop.warehouse, shop.sku) == {
        "on_hand": 96,
        "reserved": 0,
        "available": 96,
    }


def test_an_order_the_erp_cancels_on_its_own_is_cancelled_in_the_warehouse(
    hub: Hub, shop: Shop, admin: httpx.Client, erp: RunningSimulator, wms: RunningWms
) -> None:
    order_no = confirmed_in_both(hub, shop, admin, 3)
    erp_ref = order(admin, order_no)["erp_ref"]
    with httpx.Client(base_url=erp.url, headers={"X-API-Key": erp.api_key}) as client:
        ok(client.post(f"/orders/{erp_ref}/cancel", json={"reason": "credit hold"}))
    hub.runtime.pull(ERP, "order_events")
    hub.run()  # the rest of the events' pages, then the warehouse's cancel
    assert order(admin, order_no)["status"] == "cancelled"
    assert wms.control.status(order_no) == "90"
    assert stock_of(admin, shop.warehouse, shop.sku)["reserved"] == 0
    assert wms.control.stock(shop.warehouse, shop.sku) == (100, 0)
