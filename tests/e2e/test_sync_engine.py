"""The sync engine end to end: an order placed over HTTP reaches the generic ERP
simulator (over HTTP) through the outbox, a Dramatiq worker and the connector,
and the ERP's answers come back. Real database, real sockets, real worker
threads on Dramatiq's stub broker (the in-process mode of the embedded default).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from connectors.registry import build_connector
from hub.bootstrap import connector_context
from hub.db.schema import alerts, dead_letters, outbox
from hub.jobs.runtime import Runtime
from hub.sync.dead_letters import request_replay
from simulators.generic_erp.server import RunningSimulator, running_simulator
from tests.conftest import LiveServer
from tests.e2e.erp_engine import Shop, drain, open_shop, quiet_outbox, running_engine
from tests.factories import ok, stock_of

CONNECTOR = "erp"


@pytest.fixture(scope="module")
def erp() -> Iterator[RunningSimulator]:
    with running_simulator(hang_seconds=2.0) as simulator:
        yield simulator


@dataclass
class Engine:
    runtime: Runtime

    def run(self) -> None:
        drain(self.runtime)

    def pull(self, entity: str) -> None:
        self.runtime.pull(CONNECTOR, entity)


@pytest.fixture(scope="module")
def engine(live_server: LiveServer, erp: RunningSimulator) -> Iterator[Engine]:
    with running_engine(live_server, erp, connector=CONNECTOR, order_erp=CONNECTOR) as runtime:
        yield Engine(runtime)


@pytest.fixture(autouse=True)
def _quiet_outbox(engine: Engine) -> None:
    quiet_outbox(engine.runtime.db)


@pytest.fixture
def shop(live_server: LiveServer, admin: httpx.Client, erp: RunningSimulator) -> Shop:
    return open_shop(live_server, admin, erp, CONNECTOR)


def order(admin: httpx.Client, order_no: str) -> dict[str, Any]:
    return dict(ok(admin.get(f"/api/v1/orders/{order_no}")))


def test_an_order_reaches_the_erp_once_and_comes_back_confirmed(
    engine: Engine, shop: Shop, admin: httpx.Client, erp: RunningSimulator
) -> None:
    order_no = shop.place(3)
    engine.run()
    detail = order(admin, order_no)
    assert detail["status"] == "confirmed"
    assert erp.control.documents(order_no) == [detail["erp_ref"]]
    with engine.runtime.db.read() as conn:
        # Its order.placed row; the order.confirmed event it wrote waits for the next relay.
        states = set(
            conn.scalars(
                select(outbox.c.status).where(
                    outbox.c.key == order_no, outbox.c.topic == "order.placed"
                )
            )
        )
    assert states == {"done"}
    # Delivered again (a lost message re-sent): still one document.
    engine.runtime.actors.push_order.send(order_no)
    engine.run()
    assert erp.control.documents(order_no) == [detail["erp_ref"]]


def test_transient_faults_are_retried(
    engine: Engine, shop: Shop, admin: httpx.Client, erp: RunningSimulator
) -> None:
    erp.control.inject_fault("server_error", times=2)
    order_no = shop.place(1)
    engine.run()
    assert order(admin, order_no)["status"] == "confirmed"
    assert len(erp.control.documents(order_no)) == 1


def test_a_lost_answer_after_the_create_makes_no_second_document(
    engine: Engine, shop: Shop, admin: httpx.Client, erp: RunningSimulator
) -> None:
    erp.control.inject_fault("lose_answer", times=1)
    order_no = shop.place(1)
    engine.run()
    detail = order(admin, order_no)
    assert detail["status"] == "confirmed"
    assert erp.control.documents(order_no) == [detail["erp_ref"]]


def test_a_business_rejection_rejects_the_order_and_frees_the_stock(
    engine: Engine, shop: Shop, admin: httpx.Client, erp: RunningSimulator
) -> None:
    erp.control.reject_next_order("CREDIT_BLOCK", "客户信用冻结")
    order_no = shop.place(4)
    engine.run()
    detail = order(admin, order_no)
    assert detail["status"] == "rejected"
    assert "客户信用冻结" in (detail["reject_reason"] or "")
    assert stock_of(admin, shop.warehouse, shop.sku)["reserved"] == 0
    with engine.runtime.db.read() as conn:
        assert (
            conn.scalar(
                select(func.count()).where(
                    alerts.c.subject == f"order:{order_no}", alerts.c.status == "open"
                )
            )
            == 1
        )


def test_exhausted_retries_land_in_the_dead_letters_and_replay_works(
    engine: Engine, shop: Shop, admin: httpx.Client, erp: RunningSimulator
) -> None:
    erp.control.inject_fault("unavailable", times=50)
    order_no = shop.place(1)
    engine.run()
    assert order(admin, order_no)["status"] == "submitted"
    with engine.runtime.db.read() as conn:
        letters = conn.execute(select(dead_letters).where(dead_letters.c.status == "open")).all()
        backlog = conn.scalar(select(outbox.c.status).where(outbox.c.key == order_no))
    letter = next((row for row in letters if row.args and row.args[0] == order_no), None)
    assert letter is not None
    assert letter.error_class == "TransientError"
    assert backlog == "failed"  # not re-sent by the relay until someone replays it
    erp.control.clear_faults()
    with engine.runtime.db.transaction() as conn:
        request_replay(conn, letter.id, by="test", now=engine.runtime.container.clock.now())
    engine.run()
    assert order(admin, order_no)["status"] == "confirmed"
    assert len(erp.control.documents(order_no)) == 1


def test_shipments_and_invoices_come_back_by_pulling(
    engine: Engine, shop: Shop, admin: httpx.Client, erp: RunningSimulator
) -> None:
    order_no = shop.place(5)
    engine.run()
    erp.control.ship(order_no)
    engine.pull("shipments")
    detail = order(admin, order_no)
    assert detail["status"] == "shipped"
    assert detail["shipments"][0]["lines"] == [{"sku": shop.sku, "qty": 5}]
    assert stock_of(admin, shop.warehouse, shop.sku) == {
        "on_hand": 95,
        "reserved": 0,
        "available": 95,
    }
    # The ERP closes a fully shipped order; its event moves the hub's on.
    engine.pull("order_events")
    assert order(admin, order_no)["status"] == "closed"
    # Pulling again changes nothing.
    engine.pull("shipments")
    assert stock_of(admin, shop.warehouse, shop.sku)["on_hand"] == 95


def test_a_cancel_after_acceptance_is_asked_of_the_erp(
    engine: Engine, shop: Shop, admin: httpx.Client, erp: RunningSimulator
) -> None:
    order_no = shop.place(2)
    engine.run()
    assert order(admin, order_no)["status"] == "confirmed"
    asked = admin.post(f"/api/v1/orders/{order_no}/cancel", json={"reason": "dealer changed mind"})
    assert asked.status_code == 202
    assert stock_of(admin, shop.warehouse, shop.sku)["reserved"] == 2
    engine.run()
    detail = order(admin, order_no)
    assert detail["status"] == "cancelled"
    assert stock_of(admin, shop.warehouse, shop.sku)["reserved"] == 0
    assert [t["to_status"] for t in detail["timeline"] if t["applied"]][-2:] == [
        "cancel_requested",
        "cancelled",
    ]


def test_a_cancel_the_erp_refuses_returns_the_order_to_confirmed(
    engine: Engine, shop: Shop, admin: httpx.Client, erp: RunningSimulator
) -> None:
    order_no = shop.place(2)
    engine.run()
    erp.control.ship(order_no)  # the hub has not pulled the shipment yet
    ok(admin.post(f"/api/v1/orders/{order_no}/cancel"), 202)
    engine.run()
    detail = order(admin, order_no)
    assert detail["status"] == "confirmed"
    assert "ALREADY_SHIPPED" in (detail["timeline"][-1]["note"] or "")
    assert stock_of(admin, shop.warehouse, shop.sku)["reserved"] == 2


def test_an_order_cancelled_before_it_was_sent_never_stays_in_the_erp(
    engine: Engine, shop: Shop, admin: httpx.Client, erp: RunningSimulator
) -> None:
    order_no = shop.place(1)
    ok(admin.post(f"/api/v1/orders/{order_no}/cancel"), 200)
    engine.run()
    assert order(admin, order_no)["status"] == "cancelled"
    assert erp.control.documents(order_no) == []


def test_connector_check_says_what_is_wrong(
    live_server: LiveServer,
    erp: RunningSimulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from hub.cli import main as cli  # noqa: PLC0415

    monkeypatch.setenv("DMS_DATABASE_URL", live_server.container.settings.database_url)
    monkeypatch.setenv("DMS_CONNECTORS__ERP__SYSTEM", "generic")
    monkeypatch.setenv("DMS_CONNECTORS__ERP__BASE_URL", erp.url)
    monkeypatch.setenv("DMS_CONNECTORS__ERP__API_KEY", erp.api_key)
    assert cli(["connector", "check", "erp"]) == 0
    assert "erp: ok" in capsys.readouterr().out
    monkeypatch.setenv("DMS_CONNECTORS__ERP__API_KEY", "wrong-key")
    assert cli(["connector", "check", "erp"]) == 1
    assert "erp:" in capsys.readouterr().out
    assert cli(["connector", "check", "nope"]) == 1
    assert "no connector 'nope'" in capsys.readouterr().err


def test_one_pull_job_reads_a_backlog_page_after_page(
    engine: Engine,
    shop: Shop,
    admin: httpx.Client,
    erp: RunningSimulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    orders = [shop.place(1) for _ in range(3)]
    engine.run()
    for order_no in orders:
        erp.control.ship(order_no)
    runtime = engine.runtime
    paged = build_connector(
        CONNECTOR,
        {"system": "generic", "base_url": erp.url, "api_key": erp.api_key, "page_size": 1},
        connector_context(runtime.container, CONNECTOR),
    )
    sent: list[tuple[Any, ...]] = []
    monkeypatch.setitem(runtime.connectors, CONNECTOR, paged)
    monkeypatch.setattr(runtime.actors.pull, "send", lambda *args: sent.append(args))
    try:
        engine.pull("shipments")  # one job
    finally:
        paged.close()
    # Three pages (and more if earlier tests left some), all in that one job:
    # no follow-up job, and every order shipped when it returns.
    assert sent == []
    assert [order(admin, no)["status"] for no in orders] == ["shipped"] * 3
