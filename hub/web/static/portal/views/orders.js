// The dealer's orders, newest first, a page at a time (next_cursor).
import { get } from "/web/shared/api.js";
import { h, replace } from "/web/shared/dom.js";
import { t } from "/web/shared/i18n.js";
import { amount, at, dataTable, problemText, statusBadge, statusLabel, viewTitle } from "/web/portal/format.js";
import { href } from "/web/portal/router.js";

const PAGE_SIZE = 20;
const COLUMNS = [["col.orderNo"], ["col.created"], ["col.status"], ["col.total", "num"], ["col.erpRef"], ["col.customerPo"]];
const STATUSES = [
  "submitted",
  "confirmed",
  "rejected",
  "cancel_requested",
  "partially_shipped",
  "shipped",
  "invoiced",
  "closed",
  "cancelled",
];

function orderRow(o) {
  return h(
    "tr",
    { dataset: { order: o.order_no } },
    h("th", { scope: "row" }, h("a", { href: href("orders", o.order_no) }, o.order_no)),
    h("td", {}, at(o.created_at)),
    h("td", {}, statusBadge(o.status)),
    h("td", { class: "num" }, amount(o.total, o.currency)),
    h("td", {}, o.erp_ref || ""),
    h("td", {}, o.customer_po || ""),
  );
}

export function render(container) {
  const filter = h(
    "select",
    { id: "orders-status" },
    h("option", { value: "" }, t("orders.all")),
    STATUSES.map((s) => h("option", { value: s }, statusLabel(s))),
  );
  const table = dataTable({ id: "orders", caption: t("orders.title"), columns: COLUMNS, rows: [] });
  const body = table.querySelector("tbody");
  const error = h("p", { class: "field-error", role: "alert" });
  const more = h("button", { type: "button", class: "secondary", hidden: true }, t("orders.more"));
  const empty = h("p", { class: "muted", hidden: true }, t("orders.empty"));
  let cursor = null;

  async function load(reset) {
    if (reset) {
      cursor = null;
      replace(body);
    }
    error.textContent = "";
    more.disabled = true;
    const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
    if (filter.value) params.set("status", filter.value);
    if (cursor) params.set("cursor", cursor);
    try {
      const page = await get(`/api/v1/orders?${params}`);
      body.append(...page.items.map(orderRow));
      cursor = page.next_cursor;
      more.hidden = !cursor;
      empty.hidden = body.children.length > 0;
    } catch (err) {
      error.textContent = problemText(err);
    } finally {
      more.disabled = false;
    }
  }
  filter.addEventListener("change", () => load(true));
  more.addEventListener("click", () => load(false));

  replace(
    container,
    viewTitle(t("orders.title")),
    h("div", { class: "filters" }, h("label", { for: "orders-status" }, t("orders.filter")), filter),
    table,
    empty,
    error,
    more,
  );
  load(true);
}
