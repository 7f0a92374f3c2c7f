"""The issue's end-to-end flow in the dealer portal: log in, fill a cart from
the catalog, see the live quote with the promotion in force, order, and watch
the ERP simulator confirm the order and the WMS simulator ship it."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from simulators.generic_erp.remote import RemoteControl
from tests.web.a11y import audit
from tests.web.conftest import DemoHub, HubApi, screenshot
from tests.web.portal import (
    ERP_AND_WMS_MS,
    add_to_cart,
    log_in_dealer,
    open_cart,
    tab_to,
)

OIL = "润滑油 5W-30 4L"
BRAKES = "刹车片 前轮"
FILTER = "机油滤清器"


def test_a_dealer_orders_from_the_catalog_and_sees_it_confirmed_and_shipped(
    page: Page, demo_hub: DemoHub, admin_api: HubApi
) -> None:
    log_in_dealer(page, demo_hub)
    expect(page.get_by_role("heading", name="Catalog")).to_be_visible()
    oil = page.locator("li.product", has_text="P-1001")
    expect(oil).to_contain_text("CNY 88.00")  # the strategic tier's price
    expect(oil).to_contain_text("available")
    expect(oil).to_contain_text("DEMO-FULL1000: spend 1,000.00, save 50.00")
    assert audit(page) == []
    screenshot(page, "portal-catalog-desktop")

    add_to_cart(page, OIL, 6)  # 6 x 88.00 = 528.00
    add_to_cart(page, BRAKES, 2)  # 2 x 260.00 = 520.00: 1,048.00 reaches the threshold
    expect(page.locator("#nav-cart")).to_have_text("Cart (2)")
    open_cart(page)
    expect(page.locator("#quote-total")).to_have_text("CNY 998.00")  # 1,048.00 - 50.00
    oil_row = page.locator("tr[data-sku='P-1001']")
    expect(oil_row.locator("[data-col=unit-price]")).to_have_text("88.00")
    expect(oil_row.locator("[data-col=trace]")).to_contain_text("strategic price 88.00")
    expect(oil_row.locator("[data-col=trace]")).to_contain_text("DEMO-FULL1000 discount share: -")
    expect(page.locator("#quote-summary")).to_contain_text("DEMO-FULL1000: -CNY 50.00")

    # A change re-prices at once: under the threshold the promotion goes.
    page.get_by_label(f"Quantity of {BRAKES}").fill("1")
    expect(page.locator("#quote-total")).to_have_text("CNY 788.00")
    expect(oil_row.locator("[data-col=trace]")).not_to_contain_text("DEMO-FULL1000")
    page.get_by_label(f"Quantity of {BRAKES}").fill("2")
    expect(page.locator("#quote-total")).to_have_text("CNY 998.00")
    page.get_by_label("Your PO number (optional)").fill("PO-E2E-1")
    assert audit(page) == []
    screenshot(page, "portal-cart-quote-desktop")

    page.get_by_role("button", name="Place order").click()
    expect(page).to_have_url(re.compile(r"#/orders/SO\w+$"))
    order_no = page.url.rsplit("/", 1)[1]
    expect(page.get_by_role("heading", name=f"Order {order_no}")).to_be_visible()
    expect(page.locator("#order-total")).to_have_text("CNY 998.00")
    expect(page.locator("#nav-cart")).to_have_text("Cart (0)")

    # The ERP simulator confirms it and gives its number...
    status = page.locator("#order-status [data-status]")
    expect(status).not_to_have_attribute("data-status", "submitted", timeout=ERP_AND_WMS_MS)
    expect(page.locator("#order-erp-ref")).to_have_text(re.compile(r"^SO-\d+$"))
    expect(page.locator("#timeline")).to_contain_text("confirmed")
    # ...and the WMS simulator ships it in two parcels, with tracking numbers.
    expect(status).to_have_attribute("data-status", "shipped", timeout=ERP_AND_WMS_MS)
    expect(page.locator("#shipments > li")).to_have_count(2)
    order = admin_api.get(f"/api/v1/orders/{order_no}")
    assert order["status"] == "shipped"
    assert order["customer_po"] == "PO-E2E-1"
    assert page.locator("#order-erp-ref").inner_text() == order["erp_ref"]
    for shipment in order["shipments"]:
        assert shipment["tracking_no"]
        expect(page.locator(f"[data-shipment='{shipment['shipment_no']}']")).to_contain_text(
            shipment["tracking_no"]
        )
    expect(page.locator("#cancel-order")).to_have_count(0)  # shipped: not cancellable
    assert audit(page) == []
    screenshot(page, "portal-order-shipped-desktop")

    page.get_by_role("link", name="Orders", exact=True).click()
    expect(page.get_by_role("link", name="Orders", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    expect(page.get_by_role("link", name="Catalog")).not_to_have_attribute("aria-current", "page")
    row = page.locator(f"tr[data-order='{order_no}']")
    expect(row).to_contain_text("shipped")
    expect(row).to_contain_text(order["erp_ref"])
    page.get_by_label("Status").select_option("shipped")
    expect(page.locator("#orders tbody tr [data-status]").first).to_be_visible()
    statuses = page.locator("#orders tbody tr [data-status]").evaluate_all(
        "badges => badges.map(b => b.dataset.status)"
    )
    assert set(statuses) == {"shipped"}
    expect(row).to_be_visible()
    assert audit(page) == []


def test_a_dealer_can_add_to_the_cart_and_order_with_the_keyboard_alone(
    page: Page, demo_hub: DemoHub, admin_api: HubApi
) -> None:
    before = admin_api.order_numbers("D001")
    log_in_dealer(page, demo_hub)
    expect(page.locator("li.product")).not_to_have_count(0)
    tab_to(page, "#qty-P-1002")
    page.keyboard.press("Control+A")
    page.keyboard.type("20")
    page.keyboard.press("Enter")  # the product's form: adds to the cart
    expect(page.locator("#status")).to_contain_text(f"Added 20 × {FILTER}")
    tab_to(page, "#nav-cart", backwards=True)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Cart")).to_be_focused()
    expect(page.locator("#quote-total")).to_have_text("CNY 430.00")
    tab_to(page, "#place-order")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#/orders/SO\w+$"))
    order_no = page.url.rsplit("/", 1)[1]
    assert admin_api.order_numbers("D001") - before == {order_no}
    expect(page.locator("#order-lines")).to_contain_text(FILTER)


@pytest.fixture
def erp(demo_hub: DemoHub) -> Iterator[RemoteControl]:
    """The demo's ERP simulator, put back as it was after the test (other web
    tests share it)."""
    control = RemoteControl(demo_hub.erp_url)
    try:
        yield control
    finally:
        control.set_auto_confirm(True)
        control.close()


def _open_order(page: Page, hub: DemoHub, order_no: str) -> None:
    log_in_dealer(page, hub)
    page.goto(f"{hub.url}/#/orders/{order_no}")
    expect(page.get_by_role("heading", name=f"Order {order_no}")).to_be_visible()


def test_an_order_the_erp_has_not_accepted_yet_is_cancelled_at_once(
    page: Page, demo_hub: DemoHub, admin_api: HubApi, dealer_api: HubApi, erp: RemoteControl
) -> None:
    erp.set_auto_confirm(False)  # the ERP takes orders but checks them later
    order = dealer_api.place_order([{"sku": "P-1002", "qty": 10}])
    _open_order(page, demo_hub, order["order_no"])
    status = page.locator("#order-status [data-status]")
    expect(status).to_have_attribute("data-status", "submitted")
    page.get_by_role("button", name="Cancel order").click()
    expect(status).to_have_attribute("data-status", "cancelled")
    expect(page.locator("#status")).to_have_text("Order cancelled")
    expect(page.locator("#cancel-order")).to_have_count(0)
    expect(page.locator("#timeline")).to_contain_text("cancelled · dealer-d001")
    assert admin_api.get(f"/api/v1/orders/{order['order_no']}")["status"] == "cancelled"


def test_an_order_the_erp_rejects_shows_its_reason(
    page: Page, demo_hub: DemoHub, erp: RemoteControl
) -> None:
    erp.reject_next_order("CREDIT_BLOCK", "customer C001 is on credit hold")
    log_in_dealer(page, demo_hub)
    add_to_cart(page, FILTER, 10)
    open_cart(page)
    page.get_by_role("button", name="Place order").click()
    expect(page).to_have_url(re.compile(r"#/orders/SO\w+$"))
    expect(page.locator("#order-status [data-status]")).to_have_attribute(
        "data-status", "rejected", timeout=ERP_AND_WMS_MS
    )
    expect(page.locator("#order-summary")).to_contain_text("customer C001 is on credit hold")
    expect(page.locator("#cancel-order")).to_have_count(0)


def test_a_refused_cancel_is_said_next_to_the_button(
    page: Page, demo_hub: DemoHub, admin_api: HubApi, dealer_api: HubApi
) -> None:
    order = dealer_api.place_order([{"sku": "P-1001", "qty": 6}])
    _open_order(page, demo_hub, order["order_no"])
    cancel = page.get_by_role("button", name="Cancel order")
    # The dealer has the button in hand while the warehouse ships the order.
    cancel.focus()
    expect(page.locator("#order-status [data-status]")).to_have_attribute(
        "data-status", "shipped", timeout=ERP_AND_WMS_MS
    )
    page.keyboard.press("Enter")
    refusal = admin_api.client.post(f"/api/v1/orders/{order['order_no']}/cancel")
    assert refusal.status_code == 409
    assert refusal.json()["code"] == "not_cancellable"
    expect(page.locator("#cancel-error")).to_have_text(refusal.json()["detail"])
