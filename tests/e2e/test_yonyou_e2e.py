"""Yonyou U8 end to end: an order placed over HTTP goes through the outbox, a
worker and the U8 connector into the staging tables; the U8 simulator (its own
side in SQL through pyodbc) books it, ships it in two parts, invoices it and
books a receipt; the hub's pulls bring back U8's document number, the
shipments, the invoice and the payment."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from connectors.registry import ConnectorContext
from connectors.yonyou import create
from hub.auth.principal import Role
from hub.bootstrap import bootstrap
from hub.db.schema import invoices, payments
from hub.jobs.metrics import MeteredConnector
from hub.jobs.runtime import Runtime, build_runtime, install, start_worker
from hub.services.xref import DatabaseCrossReference
from simulators.yonyou import RunningU8, running_u8
from staging_tables.scratch import Scratch, scratch_database, target_for
from tests.conftest import LiveServer, make_settings, unique
from tests.e2e.erp_engine import drain, quiet_outbox
from tests.factories import dealer, ok, order_body, product

U8 = "u8"


@pytest.fixture(scope="module")
def staging() -> Iterator[Scratch]:
    with scratch_database("pg-native", "u8e2e") as found:
        yield found


@pytest.fixture(scope="module")
def u8(staging: Scratch) -> Iterator[RunningU8]:
    with running_u8(
        target_for("pg-odbc", staging.database), ("127.0.0.1", 5432), {}, {}
    ) as running:
        yield running


@pytest.fixture(scope="module")
def runtime(live_server: LiveServer, u8: RunningU8, staging: Scratch) -> Iterator[Runtime]:
    settings = make_settings(
        live_server.container.settings.database_url,
        order_erp=U8,
        job_min_backoff_ms=20,
        job_max_backoff_ms=200,
        job_max_retries=3,
    )
    container = bootstrap(settings)
    runtime = build_runtime(container)
    # Built from its factory (the entry point is registered on the next install).
    connector = create(
        U8,
        {"system": "yonyou", "target": staging.target, "timeout_seconds": 5.0},
        ConnectorContext(
            mappings_root=settings.mappings_path,
            xref_for=lambda _kind: DatabaseCrossReference(container.db, U8),
        ),
    )
    runtime.connectors[U8] = MeteredConnector(connector, runtime.metrics)
    worker = start_worker(runtime, 2)
    try:
        yield runtime
    finally:
        worker.stop(timeout=5_000)
        runtime.close()
        container.close()
        install(None)


def test_a_hub_order_gets_its_u8_number_ships_in_two_parts_is_invoiced_and_paid(
    live_server: LiveServer, admin: httpx.Client, runtime: Runtime, u8: RunningU8
) -> None:
    quiet_outbox(runtime.db)
    warehouse = unique("WH").upper()
    ok(
        admin.put(
            f"/api/v1/warehouses/{warehouse}",
            json={"name": warehouse, "kind": "regional", "region": "east"},
        )
    )
    customer, inventory = unique("C"), unique("I")
    code = dealer(admin, default_warehouse=warehouse, erp={"system": U8, "customer_code": customer})
    sku = product(admin, erp_codes={U8: inventory})
    ok(admin.put("/api/v1/prices", json=[{"tier": "core", "sku": sku, "unit_price": "10.0000"}]))
    ok(admin.put(f"/api/v1/stock/{warehouse}/{sku}", json={"on_hand": 100}))
    u8.erp.add_master_data({customer: "上海经销商"}, {inventory: "机油"})
    token = live_server.token_for(Role.DEALER, dealer_code=code)
    with live_server.client(token) as client:
        placed = ok(
            client.post(
                "/api/v1/orders",
                json=order_body((sku, 5)),
                headers={"Idempotency-Key": str(uuid.uuid4())},
            ),
            201,
        )
    order_no = str(placed["order_no"])

    def order() -> dict[str, Any]:
        return dict(ok(admin.get(f"/api/v1/orders/{order_no}")))

    def pull(entity: str) -> None:
        runtime.pull(U8, entity)
        runtime.pull(U8, entity)  # the next pull acknowledges the page the first applied

    drain(runtime)
    assert order()["status"] == "submitted"
    assert order()["erp_ref"] == u8.control.documents(order_no)[0]  # the staging row, for now

    u8.control.settle()
    pull("order_events")
    [doc_no] = u8.erp.sales_orders(order_no)
    assert (order()["status"], order()["erp_ref"]) == ("confirmed", doc_no)

    u8.control.ship(order_no, {1: 2})
    pull("shipments")
    assert order()["status"] == "partially_shipped"
    u8.control.ship(order_no)
    pull("shipments")
    assert order()["status"] == "shipped"

    invoice_no = u8.control.invoice(order_no)
    pull("invoices")
    payment_no = u8.erp.payment(customer, Decimal(placed["total"]), invoice_no)
    pull("payments")
    with runtime.db.read() as conn:
        invoice = conn.execute(select(invoices).where(invoices.c.invoice_no == invoice_no)).one()
        paid = conn.execute(select(payments).where(payments.c.payment_no == payment_no)).one()
    assert (invoice.order_no, invoice.dealer_code, invoice.amount) == (
        order_no,
        code,
        Decimal(placed["total"]),
    )
    assert (paid.dealer_code, paid.invoice_no, paid.amount) == (
        code,
        invoice_no,
        Decimal(placed["total"]),
    )
    staged = u8.erp._select(
        "SELECT status FROM dms_in_shipment WHERE order_no = ? UNION ALL "
        "SELECT status FROM dms_in_invoice WHERE order_no = ?",
        (order_no, order_no),
    )
    assert [row[0] for row in staged] == [2, 2, 2]


def test_a_row_the_hub_cannot_apply_goes_to_error_naming_the_value(
    live_server: LiveServer, admin: httpx.Client, runtime: Runtime, u8: RunningU8
) -> None:
    """The staging contract: a row the hub cannot apply (an unknown order) is
    status 3 with an error_msg naming the column and the value, not done."""
    inventory = unique("I")
    product(admin, erp_codes={U8: inventory})  # the line maps; only the order is unknown
    first, second = unique("DL"), unique("DL")
    unknown_order = unique("SO-NOT-HERE")

    def staged(cur: Any) -> None:
        for number, order_no in ((first, unknown_order), (second, unknown_order)):
            cur.execute(
                u8.erp.sql(
                    "INSERT INTO dms_in_shipment (shipment_no, order_no, shipped_at) "  # noqa: S608 - the database's clock, no input
                    f"VALUES (?, ?, {u8.erp.now})"
                ),
                (number, order_no),
            )
            cur.execute(
                u8.erp.sql(
                    "INSERT INTO dms_in_shipment_line (shipment_no, line_no, sku, qty) "
                    "VALUES (?, 1, ?, 1)"
                ),
                (number, inventory),
            )

    u8.erp.db.run(staged)
    runtime.pull(U8, "shipments")
    runtime.pull(U8, "shipments")  # finishes what the first pull's page left claimed

    rows = u8.erp._select(
        "SELECT shipment_no, status, error_msg FROM dms_in_shipment WHERE shipment_no IN (?, ?)",
        (first, second),
    )
    found = {row[0]: (row[1], row[2]) for row in rows}
    for number in (first, second):
        status, error = found[number]
        assert status == 3, found
        assert "order_no" in error
        assert unknown_order in error
