"""The dealer's credit, statements (confirm, dispute) and alerts in the
portal, and the portal on a phone in Chinese. The demo seeds D001 with three
months of invoices and payments, two issued statements and an overdue invoice
(hub/demo_ledger.py)."""

from __future__ import annotations

from decimal import Decimal

from playwright.sync_api import Page, expect

from tests.web.a11y import audit
from tests.web.conftest import DemoHub, HubApi, screenshot
from tests.web.portal import (
    add_to_cart,
    log_in_dealer,
    no_horizontal_scroll,
    open_cart,
)


def _cny(amount: str) -> str:
    """ "3650.00" -> "CNY 3,650.00", as the page shows money."""
    return f"CNY {Decimal(amount):,.2f}"


def _href(page: Page, link: str) -> str:
    href = page.get_by_role("link", name=link).get_attribute("href")
    assert href
    return href


def test_the_account_shows_the_credit_limit_exposure_and_headroom(
    page: Page, demo_hub: DemoHub, dealer_api: HubApi
) -> None:
    log_in_dealer(page, demo_hub)
    page.get_by_role("link", name="Credit").click()
    expect(page.get_by_role("heading", name="Credit and receivables")).to_be_focused()
    expect(page.locator("#credit-limit")).to_have_text("CNY 500,000.00")
    dealer = dealer_api.get("/api/v1/dealers/D001")
    expect(page.locator("#credit-exposure")).to_have_text(_cny(dealer["exposure"]))
    expect(page.locator("#credit-headroom")).to_have_text(_cny(dealer["headroom"]))
    invoices = page.locator("#open-invoices")
    expect(invoices).to_contain_text("INV-DEMO-0001")
    expect(invoices.locator("tr", has_text="INV-DEMO-0001")).to_contain_text("CNY 1,390.00")
    assert audit(page) == []
    screenshot(page, "portal-account-desktop")


def test_a_dealer_disputes_a_statement_line_with_a_reason_and_confirms_another_statement(
    page: Page, demo_hub: DemoHub, dealer_api: HubApi
) -> None:
    statements = dealer_api.get("/api/v1/statements")["items"]
    latest, earlier = statements[0]["month"], statements[1]["month"]
    log_in_dealer(page, demo_hub)
    page.get_by_role("link", name="Statements").click()
    expect(page.locator(f"tr[data-month='{latest}']")).to_contain_text("to confirm")
    assert audit(page) == []
    screenshot(page, "portal-statements-desktop")

    page.get_by_role("link", name=latest).click()
    expect(page.get_by_role("heading", name=f"Statement {latest}")).to_be_visible()
    expect(page.locator("#statement-lines")).to_contain_text("INV-DEMO-0003")
    pdf = page.request.get(demo_hub.url + _href(page, "Download PDF"))
    assert pdf.status == 200
    assert pdf.headers["content-type"] == "application/pdf"
    csv = page.request.get(demo_hub.url + _href(page, "Download CSV"))
    assert "INV-DEMO-0003" in csv.text()
    assert audit(page) == []
    screenshot(page, "portal-statement-detail-desktop")

    # Ticked without a reason: the hub's 422 names lines[0].reason.
    page.get_by_label("Dispute line 1", exact=True).check()
    page.get_by_role("button", name="Send dispute").click()
    reason = page.get_by_label("Reason for disputing line 1")
    expect(page.locator("#reason-1-error")).to_contain_text("at least 1 character")
    expect(reason).to_have_attribute("aria-invalid", "true")
    reason.fill("we were invoiced 2,260.00 but received goods for 2,000.00")
    page.get_by_role("button", name="Send dispute").click()
    expect(page.locator("#statement-status [data-status]")).to_have_attribute(
        "data-status", "disputed"
    )
    expect(page.locator("#disputes")).to_contain_text(
        "Line 1: we were invoiced 2,260.00 but received goods for 2,000.00"
    )
    expect(page.get_by_role("button", name="Confirm statement")).to_be_disabled()
    disputed = dealer_api.get(f"/api/v1/statements/D001/{latest}")
    assert disputed["status"] == "disputed"
    assert [d["line_no"] for d in disputed["disputes"]] == [1]

    page.get_by_role("link", name="All statements").click()
    page.get_by_role("link", name=earlier).click()
    page.get_by_role("button", name="Confirm statement").click()
    expect(page.locator("#statement-status [data-status]")).to_have_attribute(
        "data-status", "confirmed"
    )
    expect(page.locator("#status")).to_have_text("Statement confirmed")
    expect(page.get_by_role("button", name="Send dispute")).to_be_disabled()
    assert dealer_api.get(f"/api/v1/statements/D001/{earlier}")["confirmed_by"] == "dealer-d001"


def test_the_dealer_sees_its_own_alerts(page: Page, demo_hub: DemoHub) -> None:
    log_in_dealer(page, demo_hub)
    page.get_by_role("link", name="Alerts").click()
    # The alert rules run when the hub starts: the overdue demo invoice raises
    # one (the page reads the alerts again every 15 s).
    overdue = page.locator("tr[data-kind='credit_overdue']")
    expect(overdue).to_contain_text("Overdue receivables", timeout=40_000)
    expect(overdue).to_contain_text("D001 has 1390.00 past due")
    expect(page.locator("#alerts tbody tr")).not_to_contain_text(["D002"])
    page.get_by_label("Status").select_option("resolved")
    expect(page.locator("tr[data-kind='credit_overdue']")).to_have_count(0)
    page.get_by_label("Status").select_option("open")
    expect(overdue).to_be_visible()
    assert audit(page) == []
    screenshot(page, "portal-alerts-desktop")


def test_the_portal_works_on_a_phone_in_chinese(phone_page: Page, demo_hub: DemoHub) -> None:
    page = phone_page
    log_in_dealer(page, demo_hub)
    expect(page.get_by_role("heading", name="商品目录")).to_be_visible()
    expect(page.locator("li.product").first).to_contain_text("满 1,000.00 减 50.00")
    assert no_horizontal_scroll(page)
    assert audit(page) == []
    screenshot(page, "portal-catalog-phone-zh")

    add_to_cart(page, "润滑油 5W-30 4L", 12)
    page.locator("#nav-cart").click()
    expect(page.get_by_role("heading", name="购物车")).to_be_visible()
    open_cart(page)
    expect(page.locator("#quote-total")).to_have_text("CNY 1,006.00")
    expect(page.locator("tr[data-sku='P-1001'] [data-col=trace]")).to_contain_text("战略价 88.00")
    assert no_horizontal_scroll(page)
    assert audit(page) == []
    screenshot(page, "portal-cart-quote-phone-zh")

    for section in ("orders", "account", "statements", "alerts"):
        page.goto(f"{demo_hub.url}/#/{section}")
        expect(page.locator(".view h2")).to_be_visible()
        expect(page.locator(".view")).not_to_contain_text("加载中")
        assert no_horizontal_scroll(page), section
