"""The console's other views: connectors' health, alerts to acknowledge and
resolve, the phone layout, and a role the console is not for."""

from __future__ import annotations

import uuid
from typing import Any

from playwright.sync_api import Page, expect

from simulators.generic_erp.remote import RemoteControl
from tests.web.a11y import audit
from tests.web.conftest import ADMIN, DemoHub, HubApi, log_in, screenshot
from tests.web.console_helpers import api_as, eventually, json_of, place_order


def test_connectors_show_last_success_lag_and_errors(page: Page, demo_hub: DemoHub) -> None:
    log_in(page, demo_hub, "integrator", "integrator-demo-1", path="/console/")
    expect(page.get_by_role("link", name="Connectors")).to_have_attribute("aria-current", "page")
    erp = page.locator('[data-connector="erp"]')
    expect(erp).to_contain_text("receives orders")
    # The demo pulls within seconds of starting: the order events stream has run.
    events = erp.locator("tbody tr", has_text="order_events")
    expect(events).to_be_visible(timeout=20_000)
    with api_as(demo_hub, "integrator") as integrator:
        states = {c["name"]: c for c in json_of(integrator.get("/api/v1/connectors"))}
    [state] = [e for e in states["erp"]["entities"] if e["entity"] == "order_events"]
    expect(events.locator("td").nth(5)).to_have_text(str(state["errors_total"]))
    expect(page.locator('[data-connector="wms"]')).to_be_visible()
    assert audit(page) == []
    screenshot(page, "console-connectors")


def alert_about(demo_hub: DemoHub, order_no: str) -> dict[str, Any] | None:
    with api_as(demo_hub, "admin") as admin:
        page = json_of(admin.get("/api/v1/alerts", params={"kind": "sync_failure"}))
    return next((a for a in page["items"] if a["subject"] == f"order:{order_no}"), None)


def test_an_alert_is_acknowledged_then_resolved(page: Page, demo_hub: DemoHub) -> None:
    # The ERP says no to the next order (the refusal is used up by it): an alert.
    with RemoteControl(demo_hub.erp_url) as erp:
        erp.reject_next_order("CREDIT_HOLD", "customer on credit hold")
    order_no = place_order(demo_hub, "dealer-d001")
    alert = eventually(f"an alert about {order_no}", lambda: alert_about(demo_hub, order_no))

    log_in(page, demo_hub, "integrator", "integrator-demo-1", path="/console/#/alerts")
    page.get_by_label("Kind").select_option("sync_failure")
    card = page.locator(f'[data-alert="{alert["id"]}"]')
    expect(card).to_contain_text("customer on credit hold")
    expect(card).to_contain_text("D001")
    assert audit(page) == []
    screenshot(page, "console-alerts")

    card.get_by_role("button", name="Acknowledge").click()
    status = card.locator("[data-status]")
    expect(status).to_have_attribute("data-status", "acknowledged")
    expect(status).to_contain_text("Acknowledged by integrator")
    expect(card.get_by_role("button", name="Acknowledge")).to_have_count(0)
    assert json_of_alert(demo_hub, order_no)["acknowledged_by"] == "integrator"

    card.get_by_role("button", name="Resolve").click()
    expect(status).to_have_attribute("data-status", "resolved")
    expect(page.locator("#status")).to_have_text(f"Alert {alert['id']} resolved")
    assert json_of_alert(demo_hub, order_no)["status"] == "resolved"


def json_of_alert(demo_hub: DemoHub, order_no: str) -> dict[str, Any]:
    found = alert_about(demo_hub, order_no)
    assert found is not None
    return found


def test_a_dealer_is_told_the_console_is_not_for_their_role(page: Page, demo_hub: DemoHub) -> None:
    log_in(page, demo_hub, "dealer-d002", "dealer-demo-2", path="/console/#/dead-letters")
    refusal = page.locator('[data-refusal="role"]')
    expect(refusal.get_by_role("heading")).to_have_text("Not for your role")
    expect(refusal).to_contain_text("your role (dealer) cannot use this page")
    expect(page.locator("#nav")).to_be_hidden()
    assert audit(page) == []
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_label("User name")).to_be_visible()
    expect(page.locator('[data-refusal="role"]')).to_have_count(0)


def test_the_console_on_a_phone_in_chinese(phone_page: Page, demo_hub: DemoHub) -> None:
    page = phone_page
    log_in(page, demo_hub, "admin", "admin-demo-1", path="/console/#/dead-letters")
    expect(page.get_by_role("heading", name="死信")).to_be_visible()
    expect(page.get_by_role("link", name="审计日志")).to_be_visible()
    expect(page.get_by_label("状态")).to_have_value("open")
    assert audit(page) == []
    screenshot(page, "console-dead-letters-phone-zh")
    page.get_by_role("link", name="连接器").click()
    expect(page.get_by_role("heading", name="连接器")).to_be_focused()
    assert audit(page) == []
    screenshot(page, "console-connectors-phone-zh")


def test_the_audit_log_is_refused_to_an_integrator_in_words(page: Page, demo_hub: DemoHub) -> None:
    log_in(page, demo_hub, "integrator", "integrator-demo-1", path="/console/#/audit")
    refusal = page.locator('[data-refusal="role"]')
    expect(refusal.get_by_role("heading")).to_have_text("Not for your role")
    expect(refusal).to_contain_text("your role (integrator) cannot use this page")
    # The rest of the console is still theirs.
    page.get_by_role("link", name="Mapping tester").click()
    expect(page.get_by_label("Mapping file")).to_be_visible()


def test_the_audit_log_loads_more_until_every_entry_is_shown(
    page: Page, demo_hub: DemoHub, admin_api: HubApi
) -> None:
    # 55 changes of one warehouse: one page of the API's 50, then the rest.
    code = f"WH-AUDIT-{uuid.uuid4().hex[:6].upper()}"
    for i in range(55):
        body = {"name": f"Audit warehouse {i}", "kind": "regional", "region": "east"}
        assert admin_api.client.put(f"/api/v1/warehouses/{code}", json=body).status_code in (
            200,
            201,
        )
    log_in(page, demo_hub, *ADMIN, path=f"/console/#/audit?key={code}")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(50)
    more = page.get_by_role("button", name="Load more")
    more.click()
    expect(rows).to_have_count(55)
    expect(more).to_be_hidden()
    expect(rows.last).to_contain_text(code)
