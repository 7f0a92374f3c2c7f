"""What the portal's browser tests share: the hub's own answers through its
API (to check what the page says against), and moving around the page with
the keyboard alone."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
from playwright.sync_api import Locator, Page, expect

from tests.web.conftest import DemoHub, log_in

DEALER = ("dealer-d001", "dealer-demo-1")
OTHER_DEALER = ("dealer-d002", "dealer-demo-2")
ADMIN = ("admin", "admin-demo-1")
# The hub's ERP and WMS simulators take seconds (polling every 5 s, shipping
# ~5 s after the order): the page re-reads the order, the test waits this long.
ERP_AND_WMS_MS = 45_000
ORDER_PATH = re.compile(r"/api/v1/orders$")


class HubApi:
    """A logged-in API client of the demo hub, as one of the demo users."""

    def __init__(self, hub: DemoHub, username: str, password: str) -> None:
        self.client = httpx.Client(base_url=hub.url, timeout=10)
        answer = self.client.post(
            "/api/v1/auth/token", data={"username": username, "password": password}
        )
        answer.raise_for_status()
        self.client.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"

    def get(self, path: str) -> Any:
        answer = self.client.get(path)
        answer.raise_for_status()
        return answer.json()

    def order_numbers(self, dealer_code: str) -> set[str]:
        numbers: set[str] = set()
        cursor = None
        while True:
            params = {"dealer_code": dealer_code, "limit": "500"}
            if cursor:
                params["cursor"] = cursor
            page = self.client.get("/api/v1/orders", params=params).json()
            numbers |= {item["order_no"] for item in page["items"]}
            cursor = page["next_cursor"]
            if not cursor:
                return numbers

    def place_order(self, lines: list[dict[str, Any]]) -> dict[str, Any]:
        answer = self.client.post(
            "/api/v1/orders",
            json={"lines": lines},
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
        assert answer.status_code == 201, answer.text
        return dict(answer.json())

    def close(self) -> None:
        self.client.close()


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
