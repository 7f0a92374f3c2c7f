"""What the portal and the console share: logging in and out, the language,
and keeping the token out of reach of scripts."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.web.a11y import audit
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


def test_the_login_pages_pass_the_accessibility_audit(page: Page, demo_hub: DemoHub) -> None:
    for path in ("/", "/console/"):
        page.goto(demo_hub.url + path)
        expect(page.get_by_label("User name")).to_be_visible()
        assert audit(page) == [], path


def test_the_audit_finds_what_it_is_meant_to_find(page: Page, demo_hub: DemoHub) -> None:
    # The audit itself could pass everything; show it catches each kind.
    page.goto(demo_hub.url + "/")
    expect(page.get_by_label("User name")).to_be_visible()
    page.evaluate(
        """() => {
          const main = document.getElementById('main');
          const bare = document.createElement('input'); bare.id = 'bare'; main.append(bare);
          const pale = document.createElement('p'); pale.id = 'pale'; pale.textContent = 'pale';
          pale.style.color = '#bbbbbb'; main.append(pale);
          const img = document.createElement('img'); img.src = '/web/none.png';
          img.width = 10; img.height = 10; main.append(img);
          const hidden = document.createElement('button'); hidden.id = 'no-ring';
          hidden.textContent = 'x'; hidden.style.outline = 'none'; main.append(hidden);
        }"""
    )
    problems = "\n".join(audit(page))
    assert "no accessible name: input#bare" in problems
    assert 'contrast 1.76 < 4.5: p#pale "pale"' in problems  # #bbb on the page's #f3f5f8
    assert "image without alt" in problems
    assert 'focus not visible on button#no-ring "x"' in problems
