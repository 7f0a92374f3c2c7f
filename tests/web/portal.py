"""What the portal's browser tests share: the demo's users, filling the cart,
and moving around the page with the keyboard alone."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from tests.web.conftest import DEALER, DemoHub, log_in

OTHER_DEALER = ("dealer-d002", "dealer-demo-2")
# The hub's ERP and WMS simulators take seconds (polling every 5 s, shipping
# ~5 s after the order): the page re-reads the order, the test waits this long.
ERP_AND_WMS_MS = 45_000
ORDER_PATH = re.compile(r"/api/v1/orders$")


def log_in_dealer(page: Page, hub: DemoHub, user: tuple[str, str] = DEALER) -> None:
    log_in(page, hub, *user)
    expect(page.get_by_role("heading", level=2)).to_be_visible()


def product_card(page: Page, name: str) -> Locator:
    return page.locator("li.product").filter(has=page.get_by_role("heading", name=name))


def add_to_cart(page: Page, name: str, qty: int) -> None:
    card = product_card(page, name)
    card.get_by_role("textbox").fill(str(qty))
    card.get_by_role("button").click()
    expect(page.locator("#status")).to_contain_text(name)


def open_cart(page: Page) -> None:
    page.locator("#nav-cart").click()
    expect(page.locator("#quote-total")).not_to_be_empty(timeout=10_000)


def tab_to(page: Page, selector: str, *, backwards: bool = False, max_presses: int = 80) -> None:
    """Press Tab (or Shift+Tab) until the element matching ``selector`` has the
    focus, as a keyboard user would."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(max_presses):
        page.keyboard.press(key)
        if page.evaluate("(s) => document.activeElement?.matches(s) ?? false", selector):
            return
    raise AssertionError(f"{selector} is not reachable with {key}")


def no_horizontal_scroll(page: Page) -> bool:
    return bool(page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"))
