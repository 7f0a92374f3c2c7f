"""Reconciliation end to end: the hub against the generic ERP simulator over
HTTP, on the real databases. Drift is found, recorded (run row, gauge, alert),
repaired where it can be, and a second run changes nothing.

The connector has a name of its own, so the shared test database's orders of
other modules are never routed to it and every run counts only this module's
records.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from hub.db.schema import alerts, invoices, orders, reconciliation_runs, stock
from hub.jobs.runtime import Runtime
from hub.metrics_db import DatabaseGauges
from hub.sync.orders_out import canonical_order
from simulators.generic_erp.server import RunningSimulator, running_simulator
from tests.conftest import LiveServer, unique
from tests.e2e.erp_engine import Shop, drain, open_shop, quiet_outbox, running_engine
from tests.factories import ok, stock_of

CONNECTOR = unique("rec")


@pytest.fixture(scope="module")
def erp() -> Iterator[RunningSimulator]:
    with running_simulator(hang_seconds=2.0) as simulator:
        yield simulator


@dataclass
class Engine:
    runtime: Runtime

    def run(self) -> None:
        drain(self.runtime)

    def reconcile(self) -> dict[str, Any]:
        """One reconciliation job; the run row it wrote per entity."""
        self.runtime.reconcile(CONNECTOR)
        with self.runtime.db.read() as conn:
            rows = conn.execute(
                select(reconciliation_runs)
                .where(reconciliation_runs.c.connector == CONNECTOR)
                .order_by(reconciliation_runs.c.id.desc())
                .limit(3)
            ).all()
        return {row.entity: row for row in rows}

    def alert_status(self, subject: str) -> str | None:
        with self.runtime.db.read() as conn:
            return conn.scalar(
                select(alerts.c.status)
                .where(alerts.c.subject == subject)
                .order_by(alerts.c.id.desc())
                .limit(1)
            )


@pytest.fixture(scope="module")
def engine(live_server: LiveServer, erp: RunningSimulator) -> Iterator[Engine]:
    # No default route: only this module's dealers name this connector.
    with running_engine(live_server, erp, connector=CONNECTOR, order_erp=None) as runtime:
        yield Engine(runtime)


@pytest.fixture(autouse=True)
def _quiet_outbox(engine: Engine) -> None:
    quiet_outbox(engine.runtime.db)


@pytest.fixture
def shop(live_server: LiveServer, admin: httpx.Client, erp: RunningSimulator) -> Shop:
    return open_shop(live_server, admin, erp, CONNECTOR)


def order(admin: httpx.Client, order_no: str) -> dict[str, Any]:
    return dict(ok(admin.get(f"/api/v1/orders/{order_no}")))


def gauge(engine: Engine, name: str, labels: dict[str, str]) -> float | None:
    collector = DatabaseGauges(engine.runtime.db, engine.runtime.container.clock)
    for family in collector.collect():
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return float(sample.value)
    return None


def test_stock_drift_is_found_repaired_and_a_second_run_changes_nothing(
    engine: Engine, shop: Shop, admin: httpx.Client, erp: RunningSimulator
) -> None:
    shop.place(3)  # reserved 3: the hub's own, never touched by reconciliation
    erp.control.set_stock(shop.warehouse, shop.material, 80)
    # A line for a warehouse the hub does not have: counted, not created.
    unknown_wh = unique("WH").upper()
    erp.control.set_stock(unknown_wh, shop.material, 5)

    first = engine.reconcile()["stock"]
    assert first.drifted >= 1
    assert first.repaired >= 1
    assert first.unmatched >= 1
    assert f"{shop.warehouse}/{shop.sku}" in first.details["keys"]
    assert first.details["drift_units"] >= 20
    assert stock_of(admin, shop.warehouse, shop.sku) == {
        "on_hand": 80,
        "reserved": 3,
        "available": 77,
    }
    with engine.runtime.db.read() as conn:
        row = conn.execute(
            select(stock.c.snapshot_as_of, stock.c.snapshot_source).where(
                stock.c.warehouse_code == shop.warehouse, stock.c.sku == shop.sku
            )
        ).one()
        created = conn.scalar(select(stock.c.sku).where(stock.c.warehouse_code == unknown_wh))
    assert row.snapshot_as_of is not None
    assert row.snapshot_source == CONNECTOR
    assert created is None
    assert gauge(engine, "dms_stock_drift_units", {"connector": CONNECTOR}) == float(
        first.details["drift_units"]
    )
    assert gauge(
        engine, "dms_reconciliation_drifted", {"connector": CONNECTOR, "entity": "stock"}
    ) == float(first.drifted)
    subject = f"reconcile:{CONNECTOR}:stock"
    assert engine.alert_status(subject) == "open"

    second = engine.reconcile()["stock"]
    assert (second.drifted, second.repaired) == (0, 0)
    assert second.checked == first.checked
    assert stock_of(admin, shop.warehouse, shop.sku)["on_hand"] == 80
    assert engine.alert_status(subject) == "resolved"
    assert gauge(engine, "dms_stock_drift_units", {"connector": CONNECTOR}) == 0.0


def test_an_order_whose_confirmation_was_lost_is_confirmed(
    engine: Engine, shop: Shop, admin: httpx.Client, erp: RunningSimulator
) -> None:
    order_no = shop.place(2)
    # The ERP takes the order but the hub never hears back (no job ran here).
    with engine.runtime.db.read() as conn:
        row = conn.execute(select(orders).where(orders.c.order_no == order_no)).one()
        canonical = canonical_order(conn, row)
    engine.runtime.connectors[CONNECTOR].push_order(canonical)
    assert order(admin, order_no)["status"] == "submitted"

    first = engine.reconcile()["orders"]
    assert order_no in first.details["keys"]
    detail = order(admin, order_no)
    assert detail["status"] == "confirmed"
    assert erp.control.documents(order_no) == [detail["erp_ref"]]

    second = engine.reconcile()["orders"]
    assert second.repaired == 0
    assert order_no not in second.details["keys"]
    assert order(admin, order_no)["status"] == "confirmed"


def test_invoices_missing_in_the_hub_are_applied_once(
    engine: Engine, shop: Shop, admin: httpx.Client, erp: RunningSimulator
) -> None:
    order_no = shop.place(4)
    engine.run()
    assert order(admin, order_no)["status"] == "confirmed"
    invoice_no = erp.control.invoice(order_no)

    first = engine.reconcile()["invoices"]
    assert invoice_no in first.details["keys"]
    assert first.repaired >= 1
    with engine.runtime.db.read() as conn:
        rows = conn.execute(select(invoices).where(invoices.c.order_no == order_no)).all()
    assert [(row.invoice_no, row.source) for row in rows] == [(invoice_no, CONNECTOR)]
    detail = order(admin, order_no)
    assert detail["status"] == "invoiced"

    second = engine.reconcile()["invoices"]
    assert (second.drifted, second.repaired) == (0, 0)
    assert engine.alert_status(f"reconcile:{CONNECTOR}:invoices") == "resolved"
    # The ordinary pull brings the same invoice: already there, counted once.
    engine.runtime.pull(CONNECTOR, "invoices")
    with engine.runtime.db.read() as conn:
        again = conn.execute(select(invoices).where(invoices.c.order_no == order_no)).all()
    assert len(again) == 1
    with engine.runtime.db.read() as conn:
        placed = conn.execute(
            select(orders.c.total, orders.c.invoiced_amount).where(orders.c.order_no == order_no)
        ).one()
    assert placed.invoiced_amount == placed.total == again[0].amount


def test_a_confirmed_order_the_erp_lacks_raises_an_alert_and_is_not_changed(
    engine: Engine, shop: Shop, admin: httpx.Client
) -> None:
    order_no = shop.place(1)
    # The hub believes the ERP confirmed it; the ERP has no such document.
    with engine.runtime.db.transaction() as conn:
        conn.execute(
            update(orders)
            .where(orders.c.order_no == order_no)
            .values(status="confirmed", erp_ref="SO-LOST")
        )

    first = engine.reconcile()["orders"]
    assert order_no in first.details["keys"]
    assert first.drifted >= 1
    assert engine.alert_status(f"order:{order_no}") == "open"
    assert engine.alert_status(f"reconcile:{CONNECTOR}:orders") == "open"
    detail = order(admin, order_no)
    assert (detail["status"], detail["erp_ref"]) == ("confirmed", "SO-LOST")

    engine.reconcile()
    assert order(admin, order_no)["status"] == "confirmed"
    assert engine.alert_status(f"order:{order_no}") == "open"
