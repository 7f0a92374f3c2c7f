"""Inbound records applied to real orders and stock, on PostgreSQL and SQLite."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from dms_domain.errors import BadRecord
from dms_domain.exchange import (
    ErpOrderEvent,
    InvoiceIn,
    OrderEventIn,
    PaymentIn,
    ShipmentIn,
    ShipmentLineIn,
    StockSnapshotIn,
)
from hub.auth.principal import Role
from hub.db.schema import alerts, orders
from hub.sync import inbound
from tests.conftest import LiveServer, unique
from tests.factories import Shop, ok, order_body, shop, stock_of

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


@pytest.fixture
def place(live_server: LiveServer) -> Callable[..., str]:
    def make(s: Shop, *lines: tuple[str, int]) -> str:
        token = live_server.token_for(Role.DEALER, dealer_code=s.dealer)
        with live_server.client(token) as client:
            order = ok(
                client.post(
                    "/api/v1/orders",
                    json=order_body(*lines),
                    headers={"Idempotency-Key": str(uuid.uuid4())},
                )
            )
        return str(order["order_no"])

    return make


def apply(live_server: LiveServer, fn: Callable[..., str], record: Any) -> str:
    with live_server.container.db.transaction() as conn:
        return fn(conn, record, live_server.container.clock.now())


def status_of(live_server: LiveServer, order_no: str) -> str:
    with live_server.container.db.read() as conn:
        return str(conn.scalar(select(orders.c.status).where(orders.c.order_no == order_no)))


def event(order_no: str, kind: ErpOrderEvent, version: str, **fields: Any) -> OrderEventIn:
    return OrderEventIn(
        source="erp",
        key=f"{order_no}/{kind.value}",
        version=version,
        order_no=order_no,
        event=kind,
        at=T0,
        **fields,
    )


def shipment(
    order_no: str, *lines: tuple[str, int], at: datetime = T0, **fields: Any
) -> ShipmentIn:
    number = fields.pop("shipment_no", unique("SH"))
    return ShipmentIn(
        source="wms",
        key=number,
        version="1",
        shipment_no=number,
        order_no=order_no,
        shipped_at=at,
        lines=tuple(ShipmentLineIn(sku, qty) for sku, qty in lines),
        **fields,
    )


class TestShipments:
    def test_partial_then_full_shipment(
        self, live_server: LiveServer, admin: httpx.Client, place: Callable[..., str]
    ) -> None:
        s = shop(admin, products=[("10.0000", 100), ("5.0000", 100)])
        order_no = place(s, (s.skus[0], 10), (s.skus[1], 4))
        first = shipment(order_no, (s.skus[0], 6), tracking_no="SF100")
        assert apply(live_server, inbound.apply_shipment, first) == "applied"
        assert status_of(live_server, order_no) == "partially_shipped"
        assert stock_of(admin, s.warehouse, s.skus[0]) == {
            "on_hand": 94,
            "reserved": 4,
            "available": 90,
        }
        # The same shipment again (a redelivery) changes nothing.
        again = shipment(order_no, (s.skus[0], 6), shipment_no=first.shipment_no)
        assert apply(live_server, inbound.apply_shipment, again) == "stale"
        rest = shipment(order_no, (s.skus[0], 4), (s.skus[1], 4), tracking_no="SF101")
        assert apply(live_server, inbound.apply_shipment, rest) == "applied"
        assert status_of(live_server, order_no) == "shipped"
        assert stock_of(admin, s.warehouse, s.skus[0]) == {
            "on_hand": 90,
            "reserved": 0,
            "available": 90,
        }
        assert stock_of(admin, s.warehouse, s.skus[1])["reserved"] == 0
        detail = ok(admin.get(f"/api/v1/orders/{order_no}"))
        assert [sh["tracking_no"] for sh in detail["shipments"]] == ["SF100", "SF101"]
        assert [line["shipped_qty"] for line in detail["lines"]] == [10, 4]

    def test_a_shipment_before_the_confirmation_implies_it(
        self, live_server: LiveServer, admin: httpx.Client, place: Callable[..., str]
    ) -> None:
        s = shop(admin, products=[("10.0000", 10)])
        order_no = place(s, (s.skus[0], 2))
        apply(live_server, inbound.apply_shipment, shipment(order_no, (s.skus[0], 2)))
        assert status_of(live_server, order_no) == "shipped"
        late = event(order_no, ErpOrderEvent.CONFIRMED, "1", erp_ref="4500001")
        assert apply(live_server, inbound.apply_order_event, late) == "ignored"
        assert status_of(live_server, order_no) == "shipped"
        timeline = ok(admin.get(f"/api/v1/orders/{order_no}"))["timeline"]
        assert timeline[-1]["applied"] is False
        assert timeline[-1]["reason"] == "backward"

    def test_bad_shipments_name_the_field(
        self, live_server: LiveServer, admin: httpx.Client, place: Callable[..., str]
    ) -> None:
        s = shop(admin, products=[("10.0000", 10)])
        order_no = place(s, (s.skus[0], 2))
        with pytest.raises(BadRecord, match="order_no"):
            apply(live_server, inbound.apply_shipment, shipment("SO-NOPE", (s.skus[0], 1)))
        with pytest.raises(BadRecord, match=r"lines\[0\].sku"):
            apply(live_server, inbound.apply_shipment, shipment(order_no, ("OTHER-SKU", 1)))
        assert stock_of(admin, s.warehouse, s.skus[0])["on_hand"] == 10


class TestStockSnapshots:
    def test_snapshot_subtracts_only_shipments_after_as_of(
        self, live_server: LiveServer, admin: httpx.Client, place: Callable[..., str]
    ) -> None:
        s = shop(admin, products=[("10.0000", 100)])
        sku = s.skus[0]
        order_no = place(s, (sku, 5))
        apply(
            live_server,
            inbound.apply_shipment,
            shipment(order_no, (sku, 5), at=T0 + timedelta(hours=2)),
        )
        assert stock_of(admin, s.warehouse, sku)["on_hand"] == 95
        # Taken at T0+1h, before the shipment: the ERP did not know of it yet.
        early = StockSnapshotIn(
            source="erp",
            key=f"{s.warehouse}/{sku}",
            version="1",
            warehouse=s.warehouse,
            sku=sku,
            qty_on_hand=80,
            as_of=T0 + timedelta(hours=1),
        )
        assert apply(live_server, inbound.apply_stock_snapshot, early) == "applied"
        assert stock_of(admin, s.warehouse, sku)["on_hand"] == 75
        # Taken after the shipment: it already reflects it.
        later = StockSnapshotIn(
            source="erp",
            key=f"{s.warehouse}/{sku}",
            version="2",
            warehouse=s.warehouse,
            sku=sku,
            qty_on_hand=70,
            as_of=T0 + timedelta(hours=3),
        )
        assert apply(live_server, inbound.apply_stock_snapshot, later) == "applied"
        assert stock_of(admin, s.warehouse, sku)["on_hand"] == 70
        # An older snapshot arriving late never undoes a newer one.
        assert apply(live_server, inbound.apply_stock_snapshot, early) == "stale"
        assert stock_of(admin, s.warehouse, sku)["on_hand"] == 70

    def test_unknown_warehouse_or_sku_is_a_bad_record(self, live_server: LiveServer) -> None:
        record = StockSnapshotIn(
            source="erp",
            key="x",
            version="1",
            warehouse="NO-WH",
            sku="NO-SKU",
            qty_on_hand=1,
            as_of=T0,
        )
        with pytest.raises(BadRecord, match="NO-WH/NO-SKU"):
            apply(live_server, inbound.apply_stock_snapshot, record)


class TestOrderEvents:
    def test_confirmation_records_the_erp_reference(
        self, live_server: LiveServer, admin: httpx.Client, place: Callable[..., str]
    ) -> None:
        s = shop(admin, products=[("10.0000", 10)])
        order_no = place(s, (s.skus[0], 1))
        confirmed = event(order_no, ErpOrderEvent.CONFIRMED, "5", erp_ref="4500123")
        assert apply(live_server, inbound.apply_order_event, confirmed) == "applied"
        detail = ok(admin.get(f"/api/v1/orders/{order_no}"))
        assert (detail["status"], detail["erp_ref"]) == ("confirmed", "4500123")
        # An older version of the same event is stale.
        older = event(order_no, ErpOrderEvent.CONFIRMED, "4", erp_ref="4500123")
        assert apply(live_server, inbound.apply_order_event, older) == "stale"

    def test_rejection_releases_the_reservation_and_raises_one_alert(
        self, live_server: LiveServer, admin: httpx.Client, place: Callable[..., str]
    ) -> None:
        s = shop(admin, products=[("10.0000", 10)])
        order_no = place(s, (s.skus[0], 3))
        rejected = event(order_no, ErpOrderEvent.REJECTED, "1", reason="客户冻结")
        assert apply(live_server, inbound.apply_order_event, rejected) == "applied"
        detail = ok(admin.get(f"/api/v1/orders/{order_no}"))
        assert (detail["status"], detail["reject_reason"]) == ("rejected", "客户冻结")
        assert stock_of(admin, s.warehouse, s.skus[0])["reserved"] == 0
        assert ok(admin.get(f"/api/v1/dealers/{s.dealer}"))["exposure"] == "0.00"
        with live_server.container.db.read() as conn:
            found = conn.execute(
                select(alerts.c.kind, alerts.c.status).where(
                    alerts.c.subject == f"order:{order_no}"
                )
            ).all()
        assert [(a.kind, a.status) for a in found] == [("sync_failure", "open")]

    def test_cancel_refused_returns_the_order_to_confirmed(
        self, live_server: LiveServer, admin: httpx.Client, place: Callable[..., str]
    ) -> None:
        s = shop(admin, products=[("10.0000", 10)])
        order_no = place(s, (s.skus[0], 3))
        apply(
            live_server,
            inbound.apply_order_event,
            event(order_no, ErpOrderEvent.CONFIRMED, "1", erp_ref="D1"),
        )
        ok(admin.post(f"/api/v1/orders/{order_no}/cancel"), 202)
        refused = event(order_no, ErpOrderEvent.CANCEL_REFUSED, "2", reason="already picked")
        assert apply(live_server, inbound.apply_order_event, refused) == "applied"
        assert status_of(live_server, order_no) == "confirmed"
        assert stock_of(admin, s.warehouse, s.skus[0])["reserved"] == 3


class TestReceivables:
    def test_invoices_count_once_and_payments_restore_headroom(
        self, live_server: LiveServer, admin: httpx.Client, place: Callable[..., str]
    ) -> None:
        s = shop(admin, products=[("100.0000", 10)], credit_limit="1000.00")
        order_no = place(s, (s.skus[0], 4))
        assert ok(admin.get(f"/api/v1/dealers/{s.dealer}"))["exposure"] == "400.00"

        def invoice(number: str, amount: str, version: str = "1") -> InvoiceIn:
            return InvoiceIn(
                source="erp",
                key=number,
                version=version,
                invoice_no=number,
                dealer_code=s.dealer,
                invoice_date=date(2026, 11, 21),
                due_date=date(2026, 12, 21),
                amount=Decimal(amount),
                tax_amount=Decimal("0.00"),
                currency="CNY",
                order_no=order_no,
            )

        first = unique("INV")
        apply(live_server, inbound.apply_invoice, invoice(first, "250.00"))
        # Partly invoiced: receivable 250 + the uninvoiced 150 of the order.
        assert ok(admin.get(f"/api/v1/dealers/{s.dealer}"))["exposure"] == "400.00"
        assert status_of(live_server, order_no) == "submitted"
        apply(live_server, inbound.apply_invoice, invoice(unique("INV"), "150.00"))
        assert status_of(live_server, order_no) == "invoiced"
        assert ok(admin.get(f"/api/v1/dealers/{s.dealer}"))["exposure"] == "400.00"
        payment = PaymentIn(
            source="erp",
            key="P1" + first,
            version="1",
            payment_no="P1" + first,
            dealer_code=s.dealer,
            paid_at=T0,
            amount=Decimal("300.00"),
            currency="CNY",
        )
        apply(live_server, inbound.apply_payment, payment)
        dealer = ok(admin.get(f"/api/v1/dealers/{s.dealer}"))
        assert (dealer["exposure"], dealer["headroom"]) == ("100.00", "900.00")
        # A newer version of an invoice replaces its amount; an older one is ignored.
        apply(live_server, inbound.apply_invoice, invoice(first, "240.00", version="2"))
        assert apply(live_server, inbound.apply_invoice, invoice(first, "999.00")) == "stale"
        # Receivables 390 - 300 paid, plus the 10.00 of the order no longer invoiced.
        assert ok(admin.get(f"/api/v1/dealers/{s.dealer}"))["exposure"] == "100.00"

    def test_unknown_dealer_is_a_bad_record(self, live_server: LiveServer) -> None:
        record = PaymentIn(
            source="erp",
            key=unique("P"),
            version="1",
            payment_no=unique("P"),
            dealer_code="NO-DEALER",
            paid_at=T0,
            amount=Decimal("1.00"),
            currency="CNY",
        )
        with pytest.raises(BadRecord, match="dealer_code"):
            apply(live_server, inbound.apply_payment, record)
