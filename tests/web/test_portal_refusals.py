"""What the hub refuses is said next to the field it names, and what the
dealer typed stays; a dealer sees nothing of another dealer's orders."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.web.conftest import DemoHub, HubApi
from tests.web.portal import (
    OTHER_DEALER,
    add_to_cart,
    log_in_dealer,
    open_cart,
)

OIL = "润滑油 5W-30 4L"
BRAKES = "刹车片 前轮"


def test_a_quantity_the_hub_refuses_is_said_next_to_that_line_and_stays_typed(
    page: Page, demo_hub: DemoHub
) -> None:
    log_in_dealer(page, demo_hub)
    add_to_cart(page, OIL, 6)
    add_to_cart(page, BRAKES, 1)
    open_cart(page)
    brakes = page.get_by_label(f"Quantity of {BRAKES}")
    brakes.fill("0")
    # The quote's 422 names lines[1].qty: the message goes under the second line.
    expect(page.locator("#cart-qty-1-error")).to_have_text("must be a positive integer, got 0")
    expect(brakes).to_have_attribute("aria-invalid", "true")
    expect(brakes).to_have_value("0")
    expect(page.get_by_label(f"Quantity of {OIL}")).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator("#quote-state")).to_have_text("No quote: please correct what is marked.")

    page.get_by_role("button", name="Place order").click()
    expect(page.locator("#cart-qty-1-error")).to_have_text("must be a positive integer, got 0")
    expect(page.locator("#submit-error")).to_contain_text("invalid lines")
    expect(brakes).to_have_value("0")

    brakes.fill("2x")
    expect(page.locator("#cart-qty-1-error")).not_to_be_empty()
    expect(brakes).to_have_value("2x")

    page.reload()  # what was typed is kept in the page's session, not lost
    expect(page.get_by_label(f"Quantity of {BRAKES}")).to_have_value("2x")
    expect(page.locator("#cart-qty-1-error")).not_to_be_empty()

    page.get_by_label(f"Quantity of {BRAKES}").fill("2")
    expect(page.locator("#cart-qty-1-error")).to_have_count(0)
    expect(page.locator("#quote-total")).to_have_text("CNY 998.00")
    page.locator("tr[data-sku='P-1003']").get_by_role("button", name=f"Remove {BRAKES}").click()
    page.locator("tr[data-sku='P-1001']").get_by_role("button", name=f"Remove {OIL}").click()
    expect(page.get_by_text("The cart is empty.")).to_be_visible()


def test_more_than_the_stock_is_warned_in_the_quote_and_refused_next_to_the_line(
    page: Page, demo_hub: DemoHub, admin_api: HubApi
) -> None:
    before = admin_api.order_numbers("D001")
    catalog = admin_api.get("/api/v1/catalog?dealer_code=D001")["items"]
    stock = next(i["available"] for i in catalog if i["sku"] == "P-1003")
    asked = stock + 10  # well within D001's credit limit: the stock is what refuses
    log_in_dealer(page, demo_hub)
    add_to_cart(page, BRAKES, asked)
    open_cart(page)
    row = page.locator("tr[data-sku='P-1003']")
    shortage = f"Not enough stock: {asked} asked, {stock} available"
    expect(row.locator("#cart-short-0")).to_have_text(shortage)

    page.get_by_role("button", name="Place order").click()
    # 409 insufficient_stock names the SKU: the line's quantity is marked.
    expect(page.locator("#cart-qty-0-error")).to_have_text(shortage)
    expect(page.locator("#submit-error")).to_contain_text(
        f"not enough stock for P-1003 ({asked} asked, {stock} available)"
    )
    expect(page.get_by_label(f"Quantity of {BRAKES}")).to_have_value(str(asked))
    assert admin_api.order_numbers("D001") == before

    # A refusal is a final answer for that cart: once corrected, it orders.
    page.get_by_label(f"Quantity of {BRAKES}").fill("1")
    expect(page.locator("#cart-short-0")).to_be_empty()
    page.get_by_role("button", name="Place order").click()
    expect(page.get_by_role("heading", name="Order SO", exact=False)).to_be_visible()
    assert len(admin_api.order_numbers("D001") - before) == 1


def test_a_product_whose_licence_the_dealer_lacks_is_refused_next_to_its_line(
    page: Page, demo_hub: DemoHub
) -> None:
    pesticide = "农药 A (需许可证)"
    log_in_dealer(page, demo_hub)
    expect(page.locator("li.product", has_text="P-2001")).to_contain_text(
        "Licence needed: pesticide"
    )
    add_to_cart(page, OIL, 6)
    add_to_cart(page, pesticide, 3)
    page.locator("#nav-cart").click()
    # 403 licence_required names the SKU: the message goes under its line.
    expect(page.locator("#cart-qty-1-error")).to_have_text(
        "You need a valid 'pesticide' licence to order this"
    )
    expect(page.locator("#quote-error")).to_contain_text(
        "dealer D001 has no valid 'pesticide' licence, which P-2001 requires"
    )
    expect(page.get_by_label(f"Quantity of {OIL}")).not_to_have_attribute("aria-invalid", "true")
    page.get_by_role("button", name=f"Remove {pesticide}").click()
    expect(page.locator("#quote-total")).to_have_text("CNY 528.00")
    expect(page.locator("#quote-error")).to_be_empty()


def test_an_order_over_the_credit_limit_is_warned_and_refused_next_to_the_button(
    page: Page, demo_hub: DemoHub, admin_api: HubApi
) -> None:
    before = admin_api.order_numbers("D001")
    log_in_dealer(page, demo_hub)
    add_to_cart(page, BRAKES, 2000)  # 520,000.00: more than D001's limit of 500,000.00
    open_cart(page)
    expect(page.locator("#quote-summary")).to_contain_text(
        "This order would exceed your credit limit."
    )
    page.get_by_role("button", name="Place order").click()
    expect(page.locator("#submit-error")).to_contain_text("exceeds the credit limit 500000.00")
    expect(page.get_by_label(f"Quantity of {BRAKES}")).to_have_value("2000")
    assert admin_api.order_numbers("D001") == before


def test_switching_the_language_keeps_the_cart_as_typed(page: Page, demo_hub: DemoHub) -> None:
    log_in_dealer(page, demo_hub)
    add_to_cart(page, OIL, 6)
    open_cart(page)
    page.get_by_label(f"Quantity of {OIL}").fill("0")
    expect(page.locator("#cart-qty-0-error")).not_to_be_empty()
    page.get_by_label("Language").select_option("zh")
    expect(page.get_by_role("heading", name="购物车")).to_be_visible()
    expect(page.get_by_label(f"{OIL} 的数量")).to_have_value("0")
    expect(page.locator("#cart-qty-0-error")).to_have_text("须大于 0。")  # worded by its type
    expect(page.locator("#nav-cart")).to_have_text("购物车（1）")
    page.get_by_label("语言").select_option("en")


def test_a_dealer_cannot_open_another_dealers_order(
    page: Page, demo_hub: DemoHub, dealer_api: HubApi
) -> None:
    order = dealer_api.place_order([{"sku": "P-1002", "qty": 10}])
    d002 = HubApi(demo_hub, *OTHER_DEALER)
    refusal = d002.client.get(f"/api/v1/orders/{order['order_no']}")
    d002.close()
    assert refusal.status_code == 404

    log_in_dealer(page, demo_hub, OTHER_DEALER)
    page.goto(f"{demo_hub.url}/#/orders/{order['order_no']}")
    expect(page.get_by_role("alert").filter(has_text=refusal.json()["detail"])).to_be_visible()
    expect(page.locator("#order-lines")).to_have_count(0)
    expect(page.locator("#order-summary")).to_have_count(0)
    expect(page.get_by_role("button", name="Cancel order")).to_have_count(0)
    page.get_by_role("link", name="Orders", exact=True).click()
    expect(page.locator(f"tr[data-order='{order['order_no']}']")).to_have_count(0)


def test_the_order_list_pages_through_every_order_of_the_dealer(
    page: Page, demo_hub: DemoHub, admin_api: HubApi, dealer_api: HubApi
) -> None:
    for _ in range(21):  # more than one page of the list (20)
        dealer_api.place_order([{"sku": "P-1003", "qty": 1}])
    everything = admin_api.order_numbers("D001")
    log_in_dealer(page, demo_hub)
    page.get_by_role("link", name="Orders", exact=True).click()
    rows = page.locator("tbody tr[data-order]")
    expect(rows).to_have_count(20)
    more = page.get_by_role("button", name="Show more")
    while more.is_visible():
        shown = rows.count()
        more.click()
        expect(rows).not_to_have_count(shown)
    expect(more).to_be_hidden()
    shown_numbers = set(rows.evaluate_all("rows => rows.map(r => r.dataset.order)"))
    assert shown_numbers == everything


def test_an_ended_session_says_so_and_a_reload_brings_the_login_back(
    page: Page, demo_hub: DemoHub
) -> None:
    log_in_dealer(page, demo_hub)
    page.context.clear_cookies()  # as when the session cookie expires
    page.get_by_role("link", name="Orders", exact=True).click()
    expect(
        page.get_by_role("alert").filter(has_text="reload the page to log in again")
    ).to_be_visible()
    page.reload()
    expect(page.get_by_label("User name")).to_be_visible()


def test_a_refusal_reads_in_chinese_with_its_figures(
    phone_page: Page, demo_hub: DemoHub, admin_api: HubApi
) -> None:
    # The hub's messages are English; the page says the refusals it knows by
    # their code in the reader's language, with the problem's own figures.
    page = phone_page
    before = admin_api.order_numbers("D001")
    log_in_dealer(page, demo_hub)
    add_to_cart(page, BRAKES, 2000)
    open_cart(page)
    page.get_by_role("button", name="提交订单").click()
    refusal = page.locator("#submit-error")
    expect(refusal).to_contain_text("超出信用额度：额度 500,000.00，已占用 ")
    expect(refusal).not_to_contain_text("exceeds the credit limit")
    assert admin_api.order_numbers("D001") == before


def test_a_field_the_hub_refuses_reads_in_chinese_next_to_it(
    phone_page: Page, demo_hub: DemoHub
) -> None:
    # The hub's 422 gives each field's validator type; in Chinese the page
    # words it itself (the hub's message is English).
    page = phone_page
    log_in_dealer(page, demo_hub)
    add_to_cart(page, OIL, 1)
    open_cart(page)
    qty = page.get_by_label(f"{OIL} 的数量")
    qty.fill("2x")  # the request validator's rule (int_parsing)
    expect(page.locator("#cart-qty-0-error")).to_have_text("须为整数。")
    expect(qty).to_have_value("2x")
    qty.fill("0")  # the hub's own rule (greater_than, with its limit)
    expect(page.locator("#cart-qty-0-error")).to_have_text("须大于 0。")
    qty.fill("1")
    expect(page.locator("#cart-qty-0-error")).to_have_count(0)
