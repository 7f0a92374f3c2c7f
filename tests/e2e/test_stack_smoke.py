"""The production shape of the stack without Docker: `dms-hub db upgrade`, the
API as `dms-hub up --workers 2` (two uvicorn processes sharing a multiprocess
metrics folder), two `dms-hub worker` processes with their own /metrics, and
`dms-hub scheduler`, on PostgreSQL and a Redis of this module's own, with the
generic ERP simulator as a process. Orders placed over HTTP reach the ERP and
come back confirmed; one scrape of every process accounts for all of them; the
processes log JSON lines carrying the order's correlation id.

PostgreSQL only, as in production (SQLite is the embedded single-process mode).
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select

from bench.sync.processes import (
    REPO,
    JobProcesses,
    PrivateRedis,
    Proc,
    free_port,
    hub_env,
    spawn,
    start_simulator,
    wait_until,
)
from hub.auth.principal import Role
from hub.bootstrap import bootstrap
from hub.db.schema import orders
from simulators.generic_erp.remote import RemoteControl
from simulators.generic_erp.server import DEFAULT_API_KEY
from tests.conftest import TEST_SECRET, LiveServer, make_settings, unique
from tests.e2e.processes import broker, database, logs
from tests.factories import dealer, ok, order_body, product, warehouse

__all__ = ["broker", "database", "logs"]  # fixtures used by name

CONNECTOR = "erp"
ORDERS = 12


class Stack:
    def __init__(self, api: LiveServer, worker_ports: list[int], processes: list[Proc]) -> None:
        self.api = api
        self.worker_ports = worker_ports
        self.processes = processes

    def scrape(self, url: str) -> dict[str, list[Any]]:
        text = httpx.get(url, timeout=5).text
        return {f.name: f.samples for f in text_string_to_metric_families(text)}

    def json_lines(self) -> list[dict[str, Any]]:
        lines = []
        for proc in self.processes:
            for line in proc.output().splitlines():
                if line.startswith("{"):
                    lines.append({**json.loads(line), "process": proc.name})
        return lines


@pytest.fixture(scope="module")
def erp(logs: Path) -> Iterator[RemoteControl]:
    proc, url = start_simulator(logs, api_key=DEFAULT_API_KEY)
    control = RemoteControl(url)
    control.url = url  # type: ignore[attr-defined]
    try:
        yield control
    finally:
        control.close()
        proc.stop()


@pytest.fixture(scope="module")
def stack(database: str, broker: PrivateRedis, erp: RemoteControl, logs: Path) -> Iterator[Stack]:
    env = hub_env(
        database_url=database,
        broker_url=broker.url,
        erp_url=erp.url,  # type: ignore[attr-defined]
        api_key=DEFAULT_API_KEY,
        secret_key=TEST_SECRET,
        connector=CONNECTOR,
        extra={"DMS_ENV": "production", "DMS_OUTBOX_REDISPATCH_SECONDS": "5"},
    )
    migrate = subprocess.run(
        [sys.executable, "-m", "hub.cli", "db", "upgrade"],
        cwd=REPO,
        env={**env, "PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert migrate.returncode == 0, migrate.stderr
    metrics_dir = logs / "api-metrics"
    metrics_dir.mkdir()
    api_port = free_port()
    api = spawn(
        "api",
        [sys.executable, "-m", "hub.cli", "up", "--port", str(api_port), "--workers", "2"],
        logs,
        {**env, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)},
    )
    jobs = JobProcesses(env, logs)
    container = bootstrap(make_settings(database))
    try:
        url = f"http://127.0.0.1:{api_port}"

        def api_ready() -> bool:
            if not api.alive():
                raise RuntimeError(f"the API exited:\n{api.output()[-3000:]}")
            try:
                return httpx.get(f"{url}/readyz", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(api_ready, 60, "the API answering")
        ports = [free_port(), free_port()]
        for port in ports:
            jobs.start_worker(threads=4, metrics_port=port)
        jobs.start_scheduler()
        yield Stack(
            LiveServer(url, container),
            ports,
            [api, *jobs.workers, *([jobs.scheduler] if jobs.scheduler else [])],
        )
    finally:
        jobs.stop_all()
        api.stop()
        container.close()


def test_orders_flow_through_every_process_and_every_process_is_scraped(
    stack: Stack, erp: RemoteControl
) -> None:
    api = stack.api
    with api.client(api.token_for(Role.ADMIN)) as admin:
        wh = warehouse(admin)
        customer, material = unique("C"), unique("M")
        code = dealer(
            admin, default_warehouse=wh, erp={"system": CONNECTOR, "customer_code": customer}
        )
        sku = product(admin, erp_codes={CONNECTOR: material})
        ok(admin.put("/api/v1/prices", json=[{"tier": "core", "sku": sku, "unit_price": "10"}]))
        ok(admin.put(f"/api/v1/stock/{wh}/{sku}", json={"on_hand": 1000}))
    erp.add_customer(customer, "customer")
    erp.add_material(material, "material")

    traces = {}
    token = api.token_for(Role.DEALER, dealer_code=code)
    for _ in range(ORDERS):
        trace = f"smoke-{uuid.uuid4().hex[:10]}"
        # A new connection each time: the kernel spreads them over both API processes.
        with api.client(token) as client:
            answer = client.post(
                "/api/v1/orders",
                json=order_body((sku, 1)),
                headers={"Idempotency-Key": str(uuid.uuid4()), "X-Correlation-ID": trace},
            )
        traces[ok(answer, 201)["order_no"]] = trace

    def all_confirmed() -> bool:
        with api.container.db.read() as conn:
            confirmed = conn.scalar(
                select(func.count()).where(
                    orders.c.order_no.in_(traces), orders.c.status == "confirmed"
                )
            )
        return confirmed == ORDERS

    wait_until(all_confirmed, 60, "every order confirmed")
    for order_no in traces:
        assert len(erp.documents(order_no)) == 1

    # The API: both uvicorn processes' requests in one scrape, plus the database gauges.
    api_metrics = stack.scrape(f"{api.url}/metrics")
    placed = sum(
        s.value
        for s in api_metrics["dms_http_requests"]
        if s.name == "dms_http_requests_total"
        and s.labels == {"method": "POST", "route": "/api/v1/orders", "status": "201"}
    )
    assert placed == ORDERS
    assert any(
        s.labels == {"status": "confirmed"} and s.value >= ORDERS for s in api_metrics["dms_orders"]
    )
    # Each worker serves its own jobs; together they ran every push.
    pushes = 0.0
    for port in stack.worker_ports:
        worker_metrics = stack.scrape(f"http://127.0.0.1:{port}/metrics")
        pushes += sum(
            s.value
            for s in worker_metrics["dms_job_runs"]
            if s.name == "dms_job_runs_total"
            and s.labels.get("actor") == "push_order"
            and s.labels.get("outcome") == "ok"
        )
        assert "dms_connector_call_duration_seconds" in worker_metrics
    assert pushes >= ORDERS

    # JSON logs: the worker's lines about an order carry the id its request came with.
    lines = stack.json_lines()
    assert lines, "production processes log JSON lines"
    assert not [line for line in lines if line["logger"].startswith("httpx")]
    order_no, trace = next(iter(traces.items()))
    about = [line for line in lines if order_no in line["msg"] and line["logger"].startswith("hub")]
    assert any(line["process"].startswith("worker") for line in about), about
    assert {line.get("correlation_id") for line in about} == {trace}, about
