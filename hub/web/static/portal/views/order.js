// One order: lines, amounts, status, the ERP's number, shipments with their
// tracking numbers and the timeline. Re-read every few seconds while the ERP
// or the warehouse may still move it. Cancel where the hub allows it.
import { ApiError, get, post } from "/web/shared/api.js";
import { announce, h, money, replace } from "/web/shared/dom.js";
import { t } from "/web/shared/i18n.js";
import {
  amount,
  at,
  dataTable,
  loadingNote,
  problemText,
  showFailure,
  statusBadge,
  statusLabel,
  traceList,
  unitPrice,
  viewTitle,
} from "/web/portal/format.js";
import { productNames } from "/web/portal/products.js";
import { href } from "/web/portal/router.js";

const POLL_MS = 2000;
const MOVING = new Set(["submitted", "confirmed", "cancel_requested", "partially_shipped"]);
// Before the ERP accepted it: cancelled at once; after, before shipping: asked.
const CANCELLABLE = new Set(["submitted", "confirmed"]);

const LINE_COLUMNS = [["col.product"], ["col.qty", "num"], ["col.shipped", "num"], ["col.unitPrice", "num"], ["col.amount", "num"], ["col.trace"]];

function lineRow(l, names) {
  return h(
    "tr",
    { dataset: { sku: l.sku } },
    h(
      "th",
      { scope: "row" },
      names.get(l.sku) || l.sku,
      h("br"),
      h("span", { class: "muted" }, l.sku),
      l.is_gift ? h("span", { class: "badge" }, t("order.gift")) : null,
    ),
    h("td", { class: "num" }, String(l.qty)),
    h("td", { class: "num" }, String(l.shipped_qty)),
    h("td", { class: "num" }, unitPrice(l.unit_price)),
    h("td", { class: "num" }, money(l.amount)),
    h("td", {}, traceList(l.price_trace)),
  );
}

const linesTable = (order, names) =>
  dataTable({ id: "order-lines", caption: t("order.lines"), columns: LINE_COLUMNS, rows: order.lines.map((l) => lineRow(l, names)) });

function shipmentsSection(order) {
  if (!order.shipments.length) return h("p", { class: "muted", id: "no-shipments" }, t("order.noShipments"));
  return h(
    "ul",
    { class: "shipments", id: "shipments" },
    order.shipments.map((s) =>
      h(
        "li",
        { class: "card", dataset: { shipment: s.shipment_no } },
        h("p", {}, h("strong", {}, t("order.shipment", { no: s.shipment_no })), " · ", at(s.shipped_at)),
        h("p", {}, t("order.tracking"), " ", h("span", { class: "tracking" }, s.tracking_no || t("none")), s.carrier ? ` (${s.carrier})` : ""),
        h("p", { class: "muted" }, s.lines.map((l) => `${l.sku} × ${l.qty}`).join(", ")),
      ),
    ),
  );
}

function timelineList(order) {
  return h(
    "ol",
    { class: "timeline", id: "timeline" },
    order.timeline.map((e) =>
      h(
        "li",
        { class: e.applied ? "" : "muted" },
        h("time", { datetime: e.at }, at(e.at)),
        " ",
        h("strong", {}, statusLabel(e.to_status)),
        ` · ${e.actor}`,
        e.note ? h("span", { class: "muted" }, ` · ${e.note}`) : null,
        e.applied ? null : h("span", {}, ` (${t("order.ignored")})`),
      ),
    ),
  );
}

function summary(order) {
  return h(
    "dl",
    { class: "figures", id: "order-summary" },
    h("dt", {}, t("col.status")),
    h("dd", { id: "order-status" }, statusBadge(order.status)),
    h("dt", {}, t("col.erpRef")),
    h("dd", { id: "order-erp-ref" }, order.erp_ref || t("order.erpPending")),
    h("dt", {}, t("col.created")),
    h("dd", {}, at(order.created_at)),
    h("dt", {}, t("cart.warehouse")),
    h("dd", {}, order.warehouse),
    order.customer_po ? [h("dt", {}, t("col.customerPo")), h("dd", {}, order.customer_po)] : null,
    order.remark ? [h("dt", {}, t("cart.remark")), h("dd", {}, order.remark)] : null,
    order.discounts.map((d) => [h("dt", {}, d.code), h("dd", {}, `-${amount(d.amount, order.currency)}`)]),
    h("dt", {}, t("cart.total")),
    h("dd", { id: "order-total" }, amount(order.total, order.currency)),
    h("dt", {}, t("cart.tax")),
    h("dd", {}, amount(order.tax_total, order.currency)),
    order.reject_reason ? [h("dt", {}, t("order.rejectReason")), h("dd", { class: "danger" }, order.reject_reason)] : null,
  );
}

export function render(container, { param: orderNo }) {
  const body = loadingNote();
  const cancelArea = h("div", { class: "actions" });
  const cancelError = h("p", { class: "field-error", id: "cancel-error", role: "alert" });
  replace(
    container,
    h("p", {}, h("a", { href: href("orders") }, t("order.back"))),
    viewTitle(t("order.title", { no: orderNo })),
    body,
    cancelArea,
    cancelError,
  );
  let timer = null;

  function show(order, names) {
    replace(
      body,
      summary(order),
      h("h3", {}, t("order.lines")),
      linesTable(order, names),
      h("h3", {}, t("order.shipments")),
      shipmentsSection(order),
      h("h3", {}, t("order.timeline")),
      timelineList(order),
    );
    body.className = "";
    const button = cancelArea.querySelector("button");
    if (CANCELLABLE.has(order.status) && !button) {
      cancelArea.append(h("button", { type: "button", class: "danger", id: "cancel-order", onclick: cancel }, t("order.cancel")));
    } else if (!CANCELLABLE.has(order.status) && button && !button.matches(":focus")) {
      button.remove();
    }
  }

  async function load() {
    try {
      const [order, names] = await Promise.all([get(`/api/v1/orders/${encodeURIComponent(orderNo)}`), productNames()]);
      if (!container.isConnected) return;
      show(order, names);
      if (MOVING.has(order.status)) timer = setTimeout(load, POLL_MS);
    } catch (err) {
      if (!container.isConnected) return;
      if (err instanceof ApiError && err.status >= 400 && err.status < 500) {
        // Nothing of an order the hub would not show (404 outside the dealer's scope).
        showFailure(body, err);
        replace(cancelArea);
      } else {
        // A passing network failure: say so, try again.
        announce(problemText(err), "error");
        timer = setTimeout(load, POLL_MS * 2);
      }
    }
  }

  async function cancel(event) {
    const button = event.currentTarget;
    button.disabled = true;
    cancelError.textContent = "";
    try {
      const order = await post(`/api/v1/orders/${encodeURIComponent(orderNo)}/cancel`, {});
      announce(t(order.status === "cancelled" ? "order.cancelled" : "order.cancelAsked"), "ok");
      clearTimeout(timer);
      button.remove();
      load();
    } catch (err) {
      cancelError.textContent = problemText(err);
      button.disabled = false;
    }
  }

  load();
}
