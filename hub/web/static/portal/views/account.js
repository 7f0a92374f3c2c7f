// The dealer's account: credit limit, exposure and headroom, and the open
// invoices that make up most of the exposure.
import { get } from "/web/shared/api.js";
import { h, replace } from "/web/shared/dom.js";
import { t } from "/web/shared/i18n.js";
import { amount, codeLabel, problemText, tableWrap } from "/web/portal/format.js";

function creditFigures(dealer) {
  const limited = dealer.credit_limit !== null;
  return h(
    "dl",
    { class: "figures", id: "credit" },
    h("dt", {}, t("account.name")),
    h("dd", {}, `${dealer.name} (${dealer.code})`),
    h("dt", {}, t("account.tier")),
    h("dd", {}, codeLabel("tier", dealer.tier)),
    h("dt", {}, t("account.status")),
    h("dd", {}, codeLabel("dealerstatus", dealer.status)),
    h("dt", {}, t("account.limit")),
    h("dd", { id: "credit-limit" }, limited ? amount(dealer.credit_limit) : t("account.noLimit")),
    h("dt", {}, t("account.exposure")),
    h("dd", { id: "credit-exposure" }, amount(dealer.exposure)),
    h("dt", {}, t("account.headroom")),
    h("dd", { id: "credit-headroom", class: limited && dealer.headroom.startsWith("-") ? "danger" : "" }, limited ? amount(dealer.headroom) : t("account.noLimit")),
    h("dt", {}, t("account.terms")),
    h("dd", {}, t("account.days", { n: dealer.payment_terms_days })),
    h("dt", {}, t("account.warehouse")),
    h("dd", {}, dealer.default_warehouse || t("none")),
  );
}

function invoicesTable(items) {
  if (!items.length) return h("p", { class: "muted" }, t("account.noInvoices"));
  return tableWrap(
    t("account.invoices"),
    h(
      "table",
      { id: "open-invoices" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h("th", { scope: "col" }, t("col.invoiceNo")),
          h("th", { scope: "col" }, t("col.date")),
          h("th", { scope: "col" }, t("col.due")),
          h("th", { scope: "col", class: "num" }, t("col.amount")),
          h("th", { scope: "col", class: "num" }, t("col.open")),
          h("th", { scope: "col", class: "num" }, t("col.overdueDays")),
        ),
      ),
      h(
        "tbody",
        {},
        items.map((i) =>
          h(
            "tr",
            {},
            h("th", { scope: "row" }, i.invoice_no),
            h("td", {}, i.invoice_date),
            h("td", {}, i.due_date),
            h("td", { class: "num" }, amount(i.amount, i.currency)),
            h("td", { class: "num" }, amount(i.open_amount, i.currency)),
            h("td", { class: i.days_overdue > 0 ? "num danger" : "num" }, String(i.days_overdue)),
          ),
        ),
      ),
    ),
  );
}

export function render(container, { session }) {
  const credit = h("div", { class: "muted" }, t("loading"));
  const invoices = h("div", { class: "muted" }, t("loading"));
  replace(
    container,
    h("h2", { id: "view-title", tabindex: "-1" }, t("account.title")),
    credit,
    h("h3", {}, t("account.invoices")),
    invoices,
  );
  const fail = (el) => (err) => {
    el.className = "field-error";
    el.setAttribute("role", "alert");
    replace(el, problemText(err));
  };
  get(`/api/v1/dealers/${encodeURIComponent(session.dealer_code)}`)
    .then((dealer) => credit.replaceWith(creditFigures(dealer)))
    .catch(fail(credit));
  get("/api/v1/invoices?status=open&limit=100")
    .then((page) => invoices.replaceWith(invoicesTable(page.items)))
    .catch(fail(invoices));
}
