"""One correlation id follows an order: the dealer's request, the answer, the
outbox row, the job on the broker, the call to the ERP (over HTTP, seen by the
simulator) and the ERP's answer applied back to the order, in the JSON logs."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from hub.auth.principal import Role
from hub.db.schema import outbox
from hub.jobs.runtime import Runtime
from hub.logs import JsonFormatter
from simulators.generic_erp.server import RunningSimulator, running_simulator
from tests.conftest import LiveServer
from tests.e2e.erp_engine import Shop, drain, open_shop, quiet_outbox, running_engine
from tests.factories import ok, order_body

CONNECTOR = "erp"


class JsonLines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(JsonFormatter())
        self.lines: list[dict[str, Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(self.format(record)))


@pytest.fixture(scope="module")
def erp() -> Iterator[RunningSimulator]:
    with running_simulator() as simulator:
        yield simulator


@pytest.fixture(scope="module")
def runtime(live_server: LiveServer, erp: RunningSimulator) -> Iterator[Runtime]:
    with running_engine(live_server, erp, connector=CONNECTOR, order_erp=CONNECTOR) as runtime:
        yield runtime


@pytest.fixture
def shop(
    live_server: LiveServer, admin: httpx.Client, erp: RunningSimulator, runtime: Runtime
) -> Shop:
    quiet_outbox(runtime.db)
    return open_shop(live_server, admin, erp, CONNECTOR)


@pytest.fixture
def hub_logs() -> Iterator[JsonLines]:
    handler = JsonLines()
    logger = logging.getLogger("hub")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(level)


def place(live_server: LiveServer, shop: Shop, headers: dict[str, str]) -> httpx.Response:
    token = live_server.token_for(Role.DEALER, dealer_code=shop.dealer)
    with live_server.client(token) as client:
        return client.post(
            "/api/v1/orders",
            json=order_body((shop.sku, 2)),
            headers={"Idempotency-Key": str(uuid.uuid4()), **headers},
        )


def test_one_id_from_the_request_to_the_erp_and_back(
    live_server: LiveServer,
    shop: Shop,
    runtime: Runtime,
    erp: RunningSimulator,
    hub_logs: JsonLines,
    admin: httpx.Client,
) -> None:
    trace = f"portal-{uuid.uuid4().hex[:12]}"
    answer = place(live_server, shop, {"X-Correlation-ID": trace})
    order_no = ok(answer, 201)["order_no"]
    assert answer.headers["X-Correlation-ID"] == trace
    with runtime.db.read() as conn:
        assert conn.scalar(select(outbox.c.correlation_id).where(outbox.c.key == order_no)) == trace

    drain(runtime)

    assert ok(admin.get(f"/api/v1/orders/{order_no}"))["status"] == "confirmed"
    assert erp.control.correlation_ids(order_no) == [trace]  # the header the ERP received
    about_order = [line for line in hub_logs.lines if order_no in line["msg"]]
    loggers = {line["logger"] for line in about_order}
    assert {"hub.jobs.runtime", "hub.sync.inbound"} <= loggers, about_order
    assert {line.get("correlation_id") for line in about_order} == {trace}


def test_a_request_without_a_sane_id_gets_a_new_one(
    live_server: LiveServer, shop: Shop, runtime: Runtime, erp: RunningSimulator
) -> None:
    first = place(live_server, shop, {})
    bad = place(live_server, shop, {"X-Correlation-ID": "has spaces and ; semicolons"})
    ids = [first.headers["X-Correlation-ID"], bad.headers["X-Correlation-ID"]]
    assert all(len(i) == 32 and int(i, 16) >= 0 for i in ids)
    assert ids[0] != ids[1]
    drain(runtime)
    order_no = ok(bad, 201)["order_no"]
    assert erp.control.correlation_ids(order_no) == [ids[1]]


def test_problems_carry_the_id_too(live_server: LiveServer) -> None:
    with live_server.client() as client:
        answer = client.get("/api/v1/orders", headers={"X-Correlation-ID": "ops-check-1"})
    assert answer.status_code == 401
    assert answer.headers["X-Correlation-ID"] == "ops-check-1"
