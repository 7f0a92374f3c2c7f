"""Shared by the end-to-end sync tests: the sync engine's job runtime wired to
the generic ERP simulator (in-process worker threads on Dramatiq's stub
broker, the real database), and a dealer set up to order through it."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from dramatiq.brokers.stub import StubBroker
from sqlalchemy import update

from hub.auth.principal import Role
from hub.bootstrap import bootstrap
from hub.db.engine import Database
from hub.db.schema import outbox
from hub.jobs.actors import ALL_QUEUES
from hub.jobs.runtime import Runtime, build_runtime, install, start_worker
from simulators.generic_erp.server import RunningSimulator
from tests.conftest import LiveServer, make_settings, unique
from tests.factories import dealer, ok, order_body, product


@contextmanager
def running_engine(
    live_server: LiveServer,
    erp: RunningSimulator,
    *,
    connector: str,
    order_erp: str | None,
    more_connectors: dict[str, dict[str, Any]] | None = None,
    order_wms: str | None = None,
) -> Iterator[Runtime]:
    generic: dict[str, object] = {"system": "generic", "base_url": erp.url, "api_key": erp.api_key}
    connectors = {connector: generic, **(more_connectors or {})}
    with engine_with(live_server, connectors, order_erp=order_erp, order_wms=order_wms) as runtime:
        yield runtime


@contextmanager
def engine_with(
    live_server: LiveServer,
    connectors: dict[str, dict[str, Any]],
    *,
    order_erp: str | None,
    order_wms: str | None = None,
) -> Iterator[Runtime]:
    """The job runtime with these connectors' settings (a 1 s timeout unless given)."""
    settings = make_settings(
        live_server.container.settings.database_url,
        connectors={name: {"timeout_seconds": 1.0, **raw} for name, raw in connectors.items()},
        order_erp=order_erp,
        order_wms=order_wms,
        job_min_backoff_ms=20,
        job_max_backoff_ms=200,
        job_max_retries=3,
    )
    runtime = build_runtime(bootstrap(settings))
    worker = start_worker(runtime, 2)
    try:
        yield runtime
    finally:
        worker.stop(timeout=5_000)
        runtime.close()
        runtime.container.close()
        install(None)


def drain(runtime: Runtime, timeout_ms: int = 20_000) -> None:
    """Relay the outbox, then wait until every queue is empty."""
    runtime.relay_outbox()
    broker = runtime.broker
    assert isinstance(broker, StubBroker)  # no DMS_BROKER_URL: the in-process mode
    for queue in ALL_QUEUES:
        broker.join(queue, timeout=timeout_ms, fail_fast=False)


def quiet_outbox(db: Database) -> None:
    """The test database is shared: orders of earlier test modules still wait in
    the outbox (nothing relayed them) and would be pushed too. Each test starts
    from an outbox with only its own rows."""
    with db.transaction() as conn:
        conn.execute(update(outbox).where(outbox.c.status != "done").values(status="done"))


@dataclass
class Shop:
    dealer: str
    warehouse: str
    sku: str
    material: str
    place: Callable[[int], str]


def open_shop(
    live_server: LiveServer, admin: httpx.Client, erp: RunningSimulator, connector: str
) -> Shop:
    """A dealer coded for ``connector`` with one priced product in stock, known
    to the ERP simulator as its customer and material."""
    # Upper case: the stock mapping upper-cases the system's warehouse codes.
    wh = unique("WH").upper()
    body = {"name": f"Warehouse {wh}", "kind": "regional", "region": "east"}
    ok(admin.put(f"/api/v1/warehouses/{wh}", json=body))
    customer = unique("C")
    code = dealer(admin, default_warehouse=wh, erp={"system": connector, "customer_code": customer})
    material = unique("M")
    sku = product(admin, erp_codes={connector: material})
    ok(admin.put("/api/v1/prices", json=[{"tier": "core", "sku": sku, "unit_price": "10.0000"}]))
    ok(admin.put(f"/api/v1/stock/{wh}/{sku}", json={"on_hand": 100}))
    erp.control.add_customer(customer, "customer")
    erp.control.add_material(material, "material")
    token = live_server.token_for(Role.DEALER, dealer_code=code)

    def place(qty: int) -> str:
        with live_server.client(token) as client:
            answer = client.post(
                "/api/v1/orders",
                json=order_body((sku, qty)),
                headers={"Idempotency-Key": str(uuid.uuid4())},
            )
        return str(ok(answer, 201)["order_no"])

    return Shop(code, wh, sku, material, place)
