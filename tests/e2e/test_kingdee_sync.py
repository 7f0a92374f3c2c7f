"""The sync engine with the Kingdee connector, end to end: an order placed over
HTTP is saved, submitted and audited in the K3 Cloud simulator by a worker,
resumed after an answer lost mid-way, and K3's deliveries and receivables
come back by pulling. Real database, real sockets, worker threads."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

import httpx
import pytest

from hub.jobs.runtime import Runtime
from simulators.kingdee import RunningSimulator, running_simulator
from tests.conftest import LiveServer
from tests.e2e.erp_engine import Shop, drain, engine_with, open_shop, quiet_outbox
from tests.factories import ok, stock_of

CONNECTOR = "k3"


@pytest.fixture(scope="module")
def k3() -> Iterator[RunningSimulator]:
    with running_simulator(hang_seconds=2.0) as simulator:
        yield simulator


@pytest.fixture(scope="module")
def engine(live_server: LiveServer, k3: RunningSimulator) -> Iterator[Runtime]:
    account = k3.account
    settings: dict[str, object] = {
        "system": "kingdee",
        "base_url": k3.url,
        "acct_id": account.acct_id,
        "user_name": account.user_name,
        "password": account.password,
    }
    # Built through its entry point, as in production.
    with engine_with(live_server, {CONNECTOR: settings}, order_erp=CONNECTOR) as runtime:
        yield runtime


@pytest.fixture(autouse=True)
def _quiet_outbox(engine: Runtime) -> None:
    quiet_outbox(engine.db)


@pytest.fixture
def shop(live_server: LiveServer, admin: httpx.Client, k3: RunningSimulator) -> Shop:
    # open_shop only adds the customer and material through the control, as ours does.
    return open_shop(live_server, admin, cast(Any, k3), CONNECTOR)


def order(admin: httpx.Client, order_no: str) -> dict[str, Any]:
    return dict(ok(admin.get(f"/api/v1/orders/{order_no}")))


def test_an_order_is_saved_submitted_audited_and_confirmed(
    engine: Runtime, shop: Shop, admin: httpx.Client, k3: RunningSimulator
) -> None:
    order_no = shop.place(3)
    drain(engine)

    detail = order(admin, order_no)
    assert (detail["status"], detail["erp_ref"]) == ("confirmed", order_no)
    assert k3.control.status(order_no) == "C"


@pytest.mark.parametrize("fault", ["lose_answer", "network_control"])
def test_a_push_stopped_mid_way_is_resumed_by_the_retry(
    engine: Runtime, shop: Shop, admin: httpx.Client, k3: RunningSimulator, fault: str
) -> None:
    # lose_answer: the Save is done, its answer lost; the retry finds the bill
    # created (A) and submits and audits it.
    k3.control.inject_fault(fault)
    order_no = shop.place(1)
    drain(engine)

    assert order(admin, order_no)["status"] == "confirmed"
    assert k3.control.documents(order_no) == [order_no]
    assert k3.control.status(order_no) == "C"


def test_deliveries_and_receivables_come_back_and_a_late_cancel_is_refused(
    engine: Runtime, shop: Shop, admin: httpx.Client, k3: RunningSimulator
) -> None:
    order_no = shop.place(4)
    drain(engine)
    k3.control.ship(order_no)
    k3.control.invoice(order_no)
    ok(admin.post(f"/api/v1/orders/{order_no}/cancel"), 202)
    drain(engine)

    detail = order(admin, order_no)
    assert detail["status"] == "confirmed"
    assert "反审核" in (detail["timeline"][-1]["note"] or "")

    engine.pull(CONNECTOR, "shipments")
    engine.pull(CONNECTOR, "invoices")
    detail = order(admin, order_no)
    assert detail["shipments"][0]["lines"] == [{"sku": shop.sku, "qty": 4}]
    assert stock_of(admin, shop.warehouse, shop.sku)["on_hand"] == 96
    assert detail["status"] == "invoiced"
