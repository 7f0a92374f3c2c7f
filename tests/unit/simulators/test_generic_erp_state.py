"""The generic ERP's rules: a unique external reference, business checks,
cancel and ship rules, and feeds read after a position."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest

from simulators.generic_erp.control import SimulatorControl, stock_key
from simulators.generic_erp.faults import FaultPlan
from simulators.generic_erp.state import BEIJING, ErpRefusal, GenericErp
from simulators.generic_erp.validate import LineRequest, OrderRequest


def fixed_clock() -> datetime:
    return datetime(2026, 1, 5, 10, 30, tzinfo=BEIJING)


def order(ref: str = "SO-1", customer: str = "C-10001", material: str = "M-0001") -> OrderRequest:
    lines = (
        LineRequest(1, material, "SKU-1", 3, Decimal("10"), Decimal("30")),
        LineRequest(2, "M-0002", "SKU-2", 1, Decimal("5"), Decimal("5")),
    )
    return OrderRequest(ref, customer, "WH-SH", "CNY", Decimal("35"), Decimal("4"), lines)


@pytest.fixture
def erp() -> GenericErp:
    return GenericErp(clock=fixed_clock)


def test_a_second_create_with_the_same_external_ref_is_409_with_the_first(
    erp: GenericErp,
) -> None:
    created = erp.create_order(order())

    with pytest.raises(ErpRefusal) as refused:
        erp.create_order(order())

    assert (refused.value.status, refused.value.code) == (409, "DUPLICATE_EXTERNAL_REF")
    assert refused.value.document == created
    assert erp.find_orders("SO-1") == [created]


@pytest.mark.parametrize(
    ("request_", "code"),
    [
        (order(customer="C-404"), "UNKNOWN_CUSTOMER"),
        (order(material="M-404"), "UNKNOWN_MATERIAL"),
    ],
)
def test_unknown_master_data_is_refused_and_nothing_is_kept(
    erp: GenericErp, request_: OrderRequest, code: str
) -> None:
    with pytest.raises(ErpRefusal) as refused:
        erp.create_order(request_)

    assert (refused.value.status, refused.value.code) == (422, code)
    assert erp.find_orders("SO-1") == []
    assert erp.pull("events", 0, 10).items == []


def test_a_created_order_is_confirmed_with_an_event(erp: GenericErp) -> None:
    created = erp.create_order(order())

    [event] = erp.pull("events", 0, 10).items

    assert created["status"] == "CONFIRMED"
    assert event == {
        "seq": 1,
        "type": "CONFIRMED",
        "orderNo": created["orderNo"],
        "externalRef": "SO-1",
        "at": "2026-01-05 10:30:00",
    }


def test_without_auto_confirm_orders_are_checked_later() -> None:
    erp = GenericErp(auto_confirm=False, clock=fixed_clock)
    erp.create_order(order("SO-1"))
    erp.create_order(order("SO-2", customer="C-404"))

    assert [doc["status"] for doc in erp.find_orders("SO-1")] == ["RECEIVED"]
    assert erp.process_pending() == 2

    events = erp.pull("events", 0, 10).items
    assert [(e["externalRef"], e["type"]) for e in events] == [
        ("SO-1", "CONFIRMED"),
        ("SO-2", "REJECTED"),
    ]
    assert events[1]["reason"]["code"] == "UNKNOWN_CUSTOMER"
    assert erp.find_orders("SO-2")[0]["status"] == "REJECTED"


def test_reject_next_refuses_one_order(erp: GenericErp) -> None:
    erp.reject_next("CREDIT_BLOCKED", "blocked")

    with pytest.raises(ErpRefusal, match="CREDIT_BLOCKED"):
        erp.create_order(order("SO-1"))
    assert erp.create_order(order("SO-2"))["status"] == "CONFIRMED"


def test_cancel_is_idempotent_and_refused_once_something_shipped(erp: GenericErp) -> None:
    open_doc = erp.create_order(order("SO-1"))["orderNo"]
    shipped_doc = erp.create_order(order("SO-2"))["orderNo"]
    erp.ship("SO-2", {1: 1})

    assert erp.cancel_order(open_doc, "x")["status"] == "CANCELLED"
    assert erp.cancel_order(open_doc, "x")["status"] == "CANCELLED"
    with pytest.raises(ErpRefusal, match="ALREADY_SHIPPED"):
        erp.cancel_order(shipped_doc, None)
    with pytest.raises(ErpRefusal) as missing:
        erp.cancel_order("SO-999999", None)
    assert missing.value.status == 404


def test_shipping_in_parts_closes_the_order_when_all_is_shipped(erp: GenericErp) -> None:
    erp.create_order(order())

    first = erp.ship("SO-1", {1: 2})
    assert erp.find_orders("SO-1")[0]["status"] == "PARTIALLY_SHIPPED"
    rest = erp.ship("SO-1")

    assert first["lines"] == [{"lineNo": 1, "materialCode": "M-0001", "quantity": "2.000"}]
    assert [line["quantity"] for line in rest["lines"]] == ["1.000", "1.000"]
    assert erp.find_orders("SO-1")[0]["status"] == "SHIPPED"
    assert erp.pull("events", 0, 10).items[-1]["type"] == "CLOSED"
    with pytest.raises(ErpRefusal, match="NOT_SHIPPABLE"):
        erp.ship("SO-1")


@pytest.mark.parametrize("lines", [{1: 4}, {9: 1}, {1: -1}, {1: 0}])
def test_shipping_more_than_is_open_is_refused(erp: GenericErp, lines: dict[int, int]) -> None:
    erp.create_order(order())

    with pytest.raises(ErpRefusal) as refused:
        erp.ship("SO-1", lines)

    assert refused.value.status == 409
    assert erp.pull("shipments", 0, 10).items == []


def test_a_stock_feed_gives_each_changed_line_once_in_its_latest_state(erp: GenericErp) -> None:
    erp.set_stock("WH-SH", "M-0001", 5)
    erp.set_stock("WH-SH", "M-0002", 6)
    erp.set_stock("WH-SH", "M-0001", 7)

    page = erp.pull("stock", 0, 10)
    later = erp.pull("stock", 2, 10)

    assert [(s["item"]["code"], s["quantity"]["onHand"], s["version"]) for s in page.items] == [
        ("M-0002", "6.000", 2),
        ("M-0001", "7.000", 3),
    ]
    assert [s["version"] for s in later.items] == [3]
    assert (page.last, page.more) == (3, False)


def test_feeds_page_after_a_position(erp: GenericErp) -> None:
    for n in range(5):
        erp.create_order(order(f"SO-{n}"))

    first = erp.pull("events", 0, 2)
    second = erp.pull("events", first.last, 2)
    end = erp.pull("events", 5, 2)

    assert ([e["seq"] for e in first.items], first.last, first.more) == ([1, 2], 2, True)
    assert ([e["seq"] for e in second.items], second.last, second.more) == ([3, 4], 4, True)
    assert (end.items, end.last, end.more) == ([], 5, False)


def test_reset_forgets_documents_and_settings() -> None:
    erp = GenericErp(clock=fixed_clock)
    control = SimulatorControl(erp, FaultPlan())
    erp.create_order(order())
    control.set_auto_confirm(False)
    control.inject_fault("timeout")

    control.reset()

    assert erp.find_orders("SO-1") == []
    assert erp.auto_confirm is True
    assert control.faults.armed() == []


KEY_OF: dict[str, Callable[[dict[str, Any]], str]] = {
    "order_events": lambda record: str(record["externalRef"]),
    "shipments": lambda record: str(record["shipmentNo"]),
    "stock": lambda record: stock_key(record["warehouse"]["code"], record["item"]["code"]),
    "invoices": lambda record: str(record["invoiceNo"]),
}


@pytest.mark.parametrize("feed", list(KEY_OF))
def test_an_unmappable_record_lands_in_its_feed_under_the_key_given(feed: str) -> None:
    erp = GenericErp(clock=fixed_clock)
    key = SimulatorControl(erp, FaultPlan()).add_unmappable(feed)

    [record] = erp.pull("events" if feed == "order_events" else feed, 0, 10).items

    assert KEY_OF[feed](record) == key


def test_an_unknown_feed_has_no_unmappable_record() -> None:
    with pytest.raises(ValueError, match="no feed"):
        SimulatorControl(GenericErp(), FaultPlan()).add_unmappable("payments")
