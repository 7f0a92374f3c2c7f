"""The issue's flow: an order whose push the ERP refused for good becomes a
dead letter; an integrator finds it in the console with its reason, replays
it from the keyboard, and the order is confirmed; an admin sees the replay in
the audit log."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from simulators.generic_erp.remote import RemoteControl
from tests.web.a11y import audit
from tests.web.conftest import DESKTOP, DemoHub, log_in, screenshot
from tests.web.console_helpers import api_as, eventually, json_of, place_order


@pytest.fixture
def erp(demo_hub: DemoHub) -> Iterator[RemoteControl]:
    with RemoteControl(demo_hub.erp_url) as control:
        yield control
        control.clear_faults()  # leave the shared simulator as it was


def dead_letter_of(demo_hub: DemoHub, order_no: str) -> dict[str, Any] | None:
    with api_as(demo_hub, "integrator") as integrator:
        letters = json_of(integrator.get("/api/v1/dead-letters", params={"status": "open"}))
    return next((d for d in letters["items"] if d["job_args"] == [order_no]), None)


def order_status(demo_hub: DemoHub, order_no: str) -> str:
    with api_as(demo_hub, "dealer-d002") as dealer:
        return str(json_of(dealer.get(f"/api/v1/orders/{order_no}"))["status"])


def test_an_integrator_replays_a_dead_letter_and_the_order_is_confirmed(
    page: Page, browser: Browser, demo_hub: DemoHub, erp: RemoteControl
) -> None:
    erp.inject_fault("refuse_write")
    order_no = place_order(demo_hub, "dealer-d002")
    letter = eventually(f"a dead letter for {order_no}", lambda: dead_letter_of(demo_hub, order_no))
    assert "400" in letter["error"]
    assert erp.armed_faults() == []  # the fault was spent on that push: the ERP is fixed
    assert order_status(demo_hub, order_no) == "submitted"

    # A second operator, an admin, has the list open too.
    other = browser.new_context(viewport=DESKTOP, locale="en-GB").new_page()
    log_in(other, demo_hub, "admin", "admin-demo-1", path="/console/#/dead-letters")
    try:
        replay_by_keyboard(page, demo_hub, letter, order_no)
        eventually(
            f"{order_no} confirmed after the replay",
            lambda: (
                order_status(demo_hub, order_no) in ("confirmed", "partially_shipped", "shipped")
            ),
        )
        the_late_replay_is_refused_in_its_row(other, letter)
        the_replay_is_in_the_audit_log(other, demo_hub, letter)
    finally:
        other.context.close()


def replay_by_keyboard(
    page: Page, demo_hub: DemoHub, letter: dict[str, Any], order_no: str
) -> None:
    log_in(page, demo_hub, "integrator", "integrator-demo-1", path="/console/#/dead-letters")
    card = page.locator(f'[data-letter="{letter["id"]}"]')
    expect(card).to_contain_text("BAD_REQUEST")  # the reason, in the ERP's words
    expect(card).to_contain_text(order_no)
    expect(page.get_by_role("link", name="Dead letters")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("link", name="Audit log")).to_have_count(0)  # admins' only
    assert audit(page) == []
    screenshot(page, "console-dead-letters")

    # Tab to the letter's replay button, press Enter.
    replay = card.get_by_role("button", name="Replay")
    page.locator("#main").focus()
    for _ in range(80):
        page.keyboard.press("Tab")
        if replay.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the replay button")
    page.keyboard.press("Enter")
    expect(card.locator("[data-status]")).to_have_attribute("data-status", "replayed")
    expect(card.locator("[data-status]")).to_contain_text("Replayed (integrator")
    expect(page.locator("#status")).to_have_text(f"Dead letter {letter['id']} replayed")
    expect(replay).to_be_hidden()


def the_late_replay_is_refused_in_its_row(other: Page, letter: dict[str, Any]) -> None:
    card = other.locator(f'[data-letter="{letter["id"]}"]')
    card.get_by_role("button", name="Replay").click()
    expect(card.get_by_role("alert")).to_have_text(
        f"dead letter {letter['id']} is replayed, not open"
    )
    expect(card.get_by_role("button", name="Replay")).to_be_enabled()


def the_replay_is_in_the_audit_log(other: Page, demo_hub: DemoHub, letter: dict[str, Any]) -> None:
    other.get_by_role("link", name="Audit log").click()
    expect(other.get_by_role("heading", name="Audit log")).to_be_focused()
    other.get_by_label("Entity").fill("dead_letter")
    other.get_by_label("Key").fill(str(letter["id"]))
    other.get_by_label("Key").press("Enter")
    row = other.locator("tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("integrator (integrator)")
    expect(row).to_contain_text("replay")
    expect(row).to_contain_text("status: open → replayed")
    expect(other.get_by_label("Entity")).to_have_value("dead_letter")  # the filter is kept
    expect(other.get_by_label("Key")).to_be_focused()  # and so is the keyboard's place
    assert audit(other) == []
    screenshot(other, "console-audit")
