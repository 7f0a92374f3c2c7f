"""What the portal and the console share: logging in and out, the language,
and keeping the token out of reach of scripts."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.web.conftest import DemoHub, log_in, screenshot


def test_a_wrong_password_is_said_next_to_the_form_and_the_name_stays(
    page: Page, demo_hub: DemoHub
) -> None:
    page.goto(demo_hub.url + "/")
    page.get_by_label("User name").fill("dealer-d001")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#login-error")).to_contain_text("wrong username or password")
    expect(page.get_by_label("User name")).to_have_value("dealer-d001")
    expect(page.locator("#logout")).to_be_hidden()


def test_the_session_survives_a_reload_and_no_script_can_read_the_token(
    page: Page, demo_hub: DemoHub
) -> None:
    log_in(page, demo_hub, "dealer-d001", "dealer-demo-1")
    expect(page.locator("#who")).to_contain_text("dealer-d001 (D001)")
    page.reload()
    expect(page.locator("#who")).to_contain_text("dealer-d001")
    storage = page.evaluate(
        "() => [document.cookie, JSON.stringify(localStorage), JSON.stringify(sessionStorage)]"
    )
    assert "dms_session" not in storage[0]  # HttpOnly
    assert "eyJ" not in "".join(storage)  # no JWT anywhere a script can reach
    cookies = page.context.cookies()
    session = next(c for c in cookies if c["name"] == "dms_session")
    assert session["httpOnly"] is True
    assert session["sameSite"] == "Strict"

    page.get_by_role("button", name="Log out").click()  # a DELETE: needs the CSRF token
    expect(page.get_by_label("User name")).to_be_visible()
    assert not [c for c in page.context.cookies() if c["name"] == "dms_session"]
    page.reload()
    expect(page.get_by_label("User name")).to_be_visible()


def test_the_language_switch_changes_the_page_and_is_remembered(
    phone_page: Page, demo_hub: DemoHub
) -> None:
    page = phone_page
    page.goto(demo_hub.url + "/")
    expect(page.get_by_role("heading", level=2)).to_have_text("登录")
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    screenshot(page, "portal-login-phone-zh")
    page.get_by_label("语言").select_option("en")
    expect(page.get_by_role("heading", level=2)).to_have_text("Log in")
    page.reload()
    expect(page.get_by_role("heading", level=2)).to_have_text("Log in")
    assert page.evaluate("document.documentElement.lang") == "en"


def test_the_console_has_the_same_login(page: Page, demo_hub: DemoHub) -> None:
    log_in(page, demo_hub, "integrator", "integrator-demo-1", path="/console/")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Operations console"))
    expect(page.locator("#who")).to_contain_text("integrator")
