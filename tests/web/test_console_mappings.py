"""The mapping tester: a golden sample maps to its canonical record; text that
is not JSON is refused with its line shown beside the sample, which stays as
typed; a refused record names the mapping's field and the sample's line."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.web.a11y import audit
from tests.web.conftest import DemoHub, log_in, screenshot

INVOICE = "generic/invoice.in.yaml"
BROKEN = '{\n  "invoiceNo": "INV-1",\n  "amount": "12.00",,\n  "currency": "CNY"\n}'


def open_tester(page: Page, demo_hub: DemoHub) -> None:
    log_in(page, demo_hub, "integrator", "integrator-demo-1", path="/console/#/mappings")
    expect(page.get_by_role("heading", name="Mapping tester")).to_be_visible()
    page.get_by_label("Mapping file").select_option(INVOICE)


def test_a_golden_sample_maps_to_the_canonical_record(page: Page, demo_hub: DemoHub) -> None:
    open_tester(page, demo_hub)
    expect(page.locator("#map-file-about")).to_contain_text("generic / invoice / in")
    page.get_by_label("Golden sample").select_option("order")
    page.get_by_role("button", name="Use golden sample").click()
    sample = page.get_by_label("Sample record (JSON)")
    expect(sample).to_be_focused()
    expect(sample).to_have_value(demo_hub_sample := sample.input_value())
    assert '"invoiceNo": "INV-000003"' in demo_hub_sample
    expect(page.get_by_label("Cross-reference tables")).to_have_value("golden")
    page.get_by_role("button", name="Try it").click()
    result = page.get_by_label("Mapped record")
    expect(result).to_contain_text('"dealer_code": "D001"')  # through the sample's xref
    expect(result).to_contain_text('"amount": 1356.00')  # exact, as the connector writes it
    expect(result).to_contain_text('"currency": "CNY"')
    expect(page.locator("#status")).to_have_text("The record maps")
    assert audit(page) == []
    screenshot(page, "console-mapping-tester")


def test_broken_json_shows_its_line_and_keeps_the_text(page: Page, demo_hub: DemoHub) -> None:
    open_tester(page, demo_hub)
    sample = page.get_by_label("Sample record (JSON)")
    sample.fill(BROKEN)
    page.get_by_role("button", name="Try it").click()
    errors = page.locator("#map-sample-errors")
    expect(errors).to_contain_text("the sample is not JSON")
    expect(errors).to_contain_text("sample line 3, column 21")
    expect(errors.locator("mark")).to_have_text('  "amount": "12.00",,')  # the line itself
    expect(sample).to_have_attribute("aria-invalid", "true")
    expect(sample).to_have_value(BROKEN)  # nothing typed is lost
    assert audit(page) == []
    screenshot(page, "console-mapping-tester-error")

    # The line is a link: it selects that line in the sample.
    errors.get_by_role("button", name="sample line 3, column 21").click()
    expect(sample).to_be_focused()
    selected = sample.evaluate("el => el.value.slice(el.selectionStart, el.selectionEnd)")
    assert selected == '  "amount": "12.00",,'

    # Switching language and back keeps what was typed.
    page.get_by_label("Language").select_option("zh")
    expect(page.get_by_label("样例记录（JSON）")).to_have_value(BROKEN)
    page.get_by_label("语言").select_option("en")


def test_a_refused_record_names_the_field_and_the_sample_line(
    page: Page, demo_hub: DemoHub
) -> None:
    open_tester(page, demo_hub)
    page.get_by_label("Golden sample").select_option("bad_values")
    page.get_by_role("button", name="Use golden sample").click()
    page.get_by_role("button", name="Try it").click()
    errors = page.locator("#map-sample-errors")
    expect(errors).to_contain_text("the mapping refuses the record: 3 fields")
    amount = errors.locator("li", has_text="amount:")
    expect(amount).to_contain_text("mapping line 36")
    expect(amount).to_contain_text("sample line 7")
    expect(amount).to_contain_text("(value: '1,356.00')")
    expect(amount.locator("mark")).to_have_text('  "amount": "1,356.00",')


def test_a_connector_s_own_cross_reference_maps_as_the_hub_would(
    page: Page, demo_hub: DemoHub
) -> None:
    open_tester(page, demo_hub)
    page.get_by_label("Golden sample").select_option("order")
    page.get_by_role("button", name="Use golden sample").click()
    sample = page.get_by_label("Sample record (JSON)")
    # The demo's ERP knows dealer D002 as customer C002 (the hub's tables).
    sample.fill(sample.input_value().replace('"C-10001"', '"C002"'))
    page.get_by_label("Cross-reference tables").select_option("connector:erp")
    page.get_by_role("button", name="Try it").click()
    expect(page.get_by_label("Mapped record")).to_contain_text('"dealer_code": "D002"')

    # The golden sample's own tables do not know C002: the field and line are named.
    page.get_by_label("Cross-reference tables").select_option("golden")
    page.get_by_role("button", name="Try it").click()
    dealer = page.locator("#map-sample-errors li", has_text="dealer_code:")
    expect(dealer).to_contain_text("no entry for key 'C002'")
    expect(dealer.locator("mark")).to_have_text('  "customer": {"code": "C002"},')
    expect(page.get_by_label("Mapped record")).to_have_count(0)
