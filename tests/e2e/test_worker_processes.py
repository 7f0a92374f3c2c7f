"""Fault tests with real processes: `dms-hub worker` (two processes) and
`dms-hub scheduler` on a Redis broker, the generic ERP simulator as a process
of its own, all over real sockets, and the hub's API serving orders.

PostgreSQL only: SQLite is the embedded single-process mode (jobs on a stub
broker inside the API process), which has no separate workers to kill.

The processes use this module's own database and their own redis-server on a
free port (other people's tests share the machine's Redis, and this module
kills and restarts its broker). Backoffs, the outbox redispatch timeout and the
order lease are short here so recovery fits in seconds; production keeps
minutes (docs/sync.md).

After every fault, what must hold: every accepted order is confirmed in the hub
and has exactly one document in the ERP (the hub's erp_ref), no job of these
orders is in the dead letters, their outbox rows are done, and the reserved
stock is exactly the ordered quantities (nothing lost, nothing twice).
"""

from __future__ import annotations

import socket
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy import func, select

from bench.sync.processes import (
    JobProcesses,
    PrivateRedis,
    Proc,
    hub_env,
    start_simulator,
    wait_until,
)
from connectors.registry import ConnectorContext, build_connector
from hub.api.app import create_app
from hub.auth.principal import Role
from hub.bootstrap import Container, bootstrap
from hub.db.migrate import upgrade
from hub.db.schema import dead_letters, order_lines, orders, outbox
from hub.services.xref import DatabaseCrossReference
from hub.sync.reconcile import reconcile_orders
from simulators.generic_erp.remote import RemoteControl
from simulators.generic_erp.server import DEFAULT_API_KEY
from tests.conftest import (
    TEST_SECRET,
    LiveServer,
    make_settings,
    unique,
)
from tests.e2e.processes import broker, database, logs
from tests.factories import dealer, ok, order_body, product, stock_of, warehouse

__all__ = ["broker", "database", "logs"]  # fixtures used by name

CONNECTOR = "erp"
ON_HAND = 10_000
RECOVERY_SECONDS = 60.0
# Short on purpose (see the module docstring); the client gives up on an ERP
# call after 1 s, the simulator's hangs last 3 s, its slow answers 0.4 s.
JOB_ENV = {
    "DMS_CONNECTORS__ERP__TIMEOUT_SECONDS": "1",
    "DMS_JOB_MIN_BACKOFF_MS": "50",
    "DMS_JOB_MAX_BACKOFF_MS": "500",
    # Enough retries to outlast a killed worker's lease (up to ~50 s of backoff).
    "DMS_JOB_MAX_RETRIES": "100",
    "DMS_OUTBOX_REDISPATCH_SECONDS": "4",
    "DMS_ORDER_LEASE_SECONDS": "4",
}


@pytest.fixture(scope="module")
def hub(database: str) -> Iterator[LiveServer]:
    """The API in this process, on a socket; it runs no jobs (the workers do)."""
    container: Container = bootstrap(make_settings(database))
    upgrade(container.db)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = int(sock.getsockname()[1])
    server = uvicorn.Server(
        uvicorn.Config(create_app(container), log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        wait_until(lambda: server.started, 15, "the hub's API starting", step=0.02)
        yield LiveServer(f"http://127.0.0.1:{port}", container)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        container.close()


class Erp(RemoteControl):
    """The simulator process, driven through its control endpoints."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url


@pytest.fixture(scope="module")
def erp(logs: Path) -> Iterator[Erp]:
    proc, url = start_simulator(logs, api_key=DEFAULT_API_KEY, hang_seconds=3, slow_seconds=0.4)
    control = Erp(url)
    try:
        yield control
    finally:
        control.close()
        proc.stop()


@pytest.fixture(scope="module")
def jobs(database: str, broker: PrivateRedis, erp: Erp, logs: Path) -> Iterator[JobProcesses]:
    env = hub_env(
        database_url=database,
        broker_url=broker.url,
        erp_url=erp.url,
        api_key=DEFAULT_API_KEY,
        secret_key=TEST_SECRET,
        connector=CONNECTOR,
        extra=JOB_ENV,
    )
    processes = JobProcesses(env, logs)
    try:
        processes.start_worker(threads=4)
        processes.start_worker(threads=4)
        processes.start_scheduler()
        yield processes
    finally:
        processes.stop_all()


@dataclass
class Shop:
    warehouse: str
    sku: str
    token: str

    def place(self, hub: LiveServer, qty: int) -> str:
        with hub.client(self.token) as client:
            answer = client.post(
                "/api/v1/orders",
                json=order_body((self.sku, qty)),
                headers={"Idempotency-Key": str(uuid.uuid4())},
            )
        return str(ok(answer, 201)["order_no"])


@pytest.fixture
def shop(hub: LiveServer, erp: Erp) -> Iterator[Shop]:
    """A dealer routed to the ERP, one product with stock, both known to the ERP."""
    with hub.client(hub.token_for(Role.ADMIN)) as admin:
        wh = warehouse(admin)
        customer, material = unique("C"), unique("M")
        code = dealer(
            admin, default_warehouse=wh, erp={"system": CONNECTOR, "customer_code": customer}
        )
        sku = product(admin, erp_codes={CONNECTOR: material})
        ok(admin.put("/api/v1/prices", json=[{"tier": "core", "sku": sku, "unit_price": "10"}]))
        ok(admin.put(f"/api/v1/stock/{wh}/{sku}", json={"on_hand": ON_HAND}))
    erp.add_customer(customer, "customer")
    erp.add_material(material, "material")
    yield Shop(wh, sku, hub.token_for(Role.DEALER, dealer_code=code))
    erp.clear_faults()


def _settled(hub: LiveServer, order_nos: list[str]) -> bool:
    with hub.container.db.read() as conn:
        confirmed = conn.scalar(
            select(func.count()).where(
                orders.c.order_no.in_(order_nos), orders.c.status == "confirmed"
            )
        )
        open_rows = conn.scalar(
            select(func.count()).where(outbox.c.key.in_(order_nos), outbox.c.status != "done")
        )
    return confirmed == len(order_nos) and open_rows == 0


def assert_delivered_once(
    hub: LiveServer, erp: Erp, shop: Shop, order_nos: list[str], jobs: JobProcesses
) -> None:
    try:
        wait_until(lambda: _settled(hub, order_nos), RECOVERY_SECONDS, "every order confirmed")
    except TimeoutError:
        tails = "\n".join(f"--- {p.name}\n{p.output()[-1500:]}" for p in jobs.workers)
        raise AssertionError(f"orders not settled; worker logs:\n{tails}") from None
    with hub.container.db.read() as conn:
        refs = dict(
            conn.execute(
                select(orders.c.order_no, orders.c.erp_ref).where(orders.c.order_no.in_(order_nos))
            ).all()
        )
        statuses = set(
            conn.scalars(select(orders.c.status).where(orders.c.order_no.in_(order_nos)))
        )
        ordered = conn.scalar(
            select(func.sum(order_lines.c.qty)).where(order_lines.c.order_no.in_(order_nos))
        )
        letters = [
            row.args
            for row in conn.execute(select(dead_letters.c.args))
            if row.args and row.args[0] in order_nos
        ]
    assert statuses == {"confirmed"}
    # Exactly one ERP document per order, and it is the one the hub recorded.
    for order_no in order_nos:
        assert erp.documents(order_no) == [refs[order_no]], order_no
    assert letters == []
    # Confirmed orders keep their reservation until shipped: nothing released
    # by mistake, nothing reserved twice.
    assert stock_of_shop(hub, shop) == {
        "on_hand": ON_HAND,
        "reserved": ordered,
        "available": ON_HAND - (ordered or 0),
    }
    assert reconciliation_drift(hub, erp) == 0


def reconciliation_drift(hub: LiveServer, erp: Erp) -> int:
    """Orders drifted between the hub and the ERP, by a reconciliation run."""
    config = {"system": "generic", "base_url": erp.url, "api_key": DEFAULT_API_KEY}
    context = ConnectorContext(
        mappings_root=hub.container.settings.mappings_path,
        xref_for=lambda _kind: DatabaseCrossReference(hub.container.db, CONNECTOR),
    )
    connector = build_connector(CONNECTOR, config, context)
    try:
        run = reconcile_orders(
            hub.container.db,
            connector,
            hub.container.clock.now(),
            default_erp=CONNECTOR,
            connectors={CONNECTOR: connector},
        )
    finally:
        connector.close()
    assert run.checked > 0
    return run.drifted


def stock_of_shop(hub: LiveServer, shop: Shop) -> dict[str, int]:
    with hub.client(hub.token_for(Role.ADMIN)) as admin:
        return stock_of(admin, shop.warehouse, shop.sku)


def leased(hub: LiveServer, order_nos: list[str]) -> list[str]:
    with hub.container.db.read() as conn:
        return list(
            conn.scalars(
                select(orders.c.order_no).where(
                    orders.c.order_no.in_(order_nos), orders.c.lease_holder.is_not(None)
                )
            )
        )


def test_erp_faults_over_http_end_with_one_document_per_order(
    hub: LiveServer, erp: Erp, jobs: JobProcesses, shop: Shop
) -> None:
    # Every kind of failure an ERP call can meet, armed before and during the
    # run: 500s and 503s, hangs past the client's timeout, slow answers, a
    # document created and its answer lost, truncated JSON and an HTML page.
    erp.inject_fault("server_error", times=3)
    erp.inject_fault("timeout", times=2)
    erp.inject_fault("lose_answer", times=3)
    order_nos = [shop.place(hub, 1 + i % 3) for i in range(12)]
    erp.inject_fault("unavailable", times=2)
    erp.inject_fault("slow", times=4)
    erp.inject_fault("malformed_body", times=2)
    erp.inject_fault("wrong_content", times=2)
    order_nos += [shop.place(hub, 1 + i % 3) for i in range(12)]
    assert_delivered_once(hub, erp, shop, order_nos, jobs)
    # The faults were met, not dodged (pulls can take some too, which is fine).
    assert erp.armed_faults() == []


def test_killed_workers_and_a_restarted_redis_lose_nothing(
    hub: LiveServer,
    erp: Erp,
    jobs: JobProcesses,
    broker: PrivateRedis,
    shop: Shop,
) -> None:
    # Slow answers keep jobs inside the ERP call when the workers die.
    erp.inject_fault("slow", times=30)
    first = [shop.place(hub, 2) for _ in range(16)]
    wait_until(lambda: bool(leased(hub, first)), 20, "a job inside an ERP call")
    jobs.kill_workers()
    orphaned = leased(hub, first)
    # Killed mid-job: leases nobody will release and messages nobody will ack.
    assert orphaned
    replacement: Proc = jobs.start_worker(threads=4)
    assert replacement.alive()

    # The broker restarts and keeps nothing: queued messages, delayed retries
    # and the scheduler's ticks in flight are gone. The outbox re-sends them.
    erp.inject_fault("slow", times=10)
    second = [shop.place(hub, 1) for _ in range(10)]
    broker.restart()
    third = [shop.place(hub, 1) for _ in range(6)]
    jobs.start_worker(threads=4)

    assert_delivered_once(hub, erp, shop, first + second + third, jobs)
    with hub.container.db.read() as conn:
        resent = conn.scalar(
            select(func.count()).where(outbox.c.key.in_(orphaned), outbox.c.attempts > 1)
        )
    # The killed jobs' orders went out again through the relay's redispatch.
    assert resent == len(orphaned)
