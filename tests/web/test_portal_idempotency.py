"""Submitting a cart is idempotent: the page sends one Idempotency-Key per
submission and keeps it until the hub has surely answered, so a double
click, a retry after a lost answer or a reload-and-resubmit make one order."""

from __future__ import annotations

import re

from playwright.sync_api import Page, Request, Route, expect

from tests.web.conftest import DemoHub, HubApi
from tests.web.portal import ORDER_PATH, add_to_cart, log_in_dealer, open_cart

OIL = "润滑油 5W-30 4L"
ORDER_URL = re.compile(r"#/orders/(SO\w+)$")


def _order_posts(page: Page) -> list[Request]:
    posts: list[Request] = []
    page.on(
        "request",
        lambda r: posts.append(r) if r.method == "POST" and ORDER_PATH.search(r.url) else None,
    )
    return posts


def _cart_with_oil(page: Page, hub: DemoHub) -> None:
    log_in_dealer(page, hub)
    add_to_cart(page, OIL, 6)
    open_cart(page)


def _placed_order(page: Page) -> str:
    expect(page).to_have_url(ORDER_URL)
    match = ORDER_URL.search(page.url)
    assert match
    return match.group(1)


def test_a_double_click_places_one_order(page: Page, demo_hub: DemoHub, admin_api: HubApi) -> None:
    before = admin_api.order_numbers("D001")
    _cart_with_oil(page, demo_hub)
    posts = _order_posts(page)
    page.get_by_role("button", name="Place order").dblclick()
    order_no = _placed_order(page)
    assert admin_api.order_numbers("D001") - before == {order_no}
    assert posts
    assert len({r.headers["idempotency-key"] for r in posts}) == 1


def test_two_submissions_in_flight_carry_one_key_and_make_one_order(
    page: Page, demo_hub: DemoHub, admin_api: HubApi
) -> None:
    """The button is disabled while the order is sent, but the key is what
    protects: a second click that gets through anyway (the button re-enabled
    before it) sends the same key, and the hub makes one order."""
    before = admin_api.order_numbers("D001")
    _cart_with_oil(page, demo_hub)
    posts = _order_posts(page)
    page.locator("#place-order").evaluate("b => { b.click(); b.disabled = false; b.click(); }")
    order_no = _placed_order(page)
    expect(page.get_by_role("heading", name=f"Order {order_no}")).to_be_visible()
    assert len(posts) == 2
    assert posts[0].headers["idempotency-key"] == posts[1].headers["idempotency-key"]
    assert admin_api.order_numbers("D001") - before == {order_no}


def test_a_retry_after_the_answer_was_lost_gives_the_same_order_even_after_a_reload(
    page: Page, demo_hub: DemoHub, admin_api: HubApi
) -> None:
    before = admin_api.order_numbers("D001")
    _cart_with_oil(page, demo_hub)
    created: list[str] = []

    def lose_the_answer(route: Route) -> None:
        if route.request.method != "POST":
            route.fallback()
            return
        answer = route.fetch()  # the hub receives the order and places it...
        created.append(answer.json()["order_no"])
        route.abort("connectionreset")  # ...but the page never hears back

    page.route(ORDER_PATH, lose_the_answer, times=1)
    posts = _order_posts(page)
    page.get_by_role("button", name="Place order").click()
    expect(page.locator("#submit-error")).to_contain_text("The network failed")
    expect(page.locator("#submit-error")).to_contain_text("will not order twice")
    expect(page.locator("#submit-pending")).to_contain_text("safe")
    assert len(created) == 1

    page.reload()  # the cart and its key survive a reload
    expect(page.locator("#quote-total")).not_to_be_empty(timeout=10_000)
    expect(page.get_by_label(f"Quantity of {OIL}")).to_have_value("6")
    page.get_by_role("button", name="Place order").click()
    assert _placed_order(page) == created[0]
    assert len(posts) == 2
    assert posts[0].headers["idempotency-key"] == posts[1].headers["idempotency-key"]
    assert admin_api.order_numbers("D001") - before == {created[0]}


def test_a_retry_after_a_request_that_never_arrived_places_the_order_once(
    page: Page, demo_hub: DemoHub, admin_api: HubApi
) -> None:
    before = admin_api.order_numbers("D001")
    _cart_with_oil(page, demo_hub)
    page.route(
        ORDER_PATH,
        lambda route: (
            route.abort("internetdisconnected")
            if route.request.method == "POST"
            else route.fallback()
        ),
        times=1,
    )
    posts = _order_posts(page)
    page.get_by_role("button", name="Place order").click()
    expect(page.locator("#submit-error")).to_contain_text("The network failed")
    assert admin_api.order_numbers("D001") == before
    page.get_by_role("button", name="Place order").click()
    order_no = _placed_order(page)
    assert admin_api.order_numbers("D001") - before == {order_no}
    assert len({r.headers["idempotency-key"] for r in posts}) == 1
