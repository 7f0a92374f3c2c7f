// The dealer's account: credit limit, exposure and headroom, and the open
// invoices that make up most of the exposure.
import { get } from "/web/shared/api.js";
import { h, replace } from "/web/shared/dom.js";
import { t } from "/web/shared/i18n.js";
import { amount, codeLabel, dataTable, loadingNote, showFailure, viewTitle } from "/web/portal/format.js";

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

const INVOICE_COLUMNS = [["col.invoiceNo"], ["col.date"], ["col.due"], ["col.amount", "num"], ["col.open", "num"], ["col.overdueDays", "num"]];

function invoiceRow(i) {
  return h(
    "tr",
    {},
    h("th", { scope: "row" }, i.invoice_no),
    h("td", {}, i.invoice_date),
    h("td", {}, i.due_date),
    h("td", { class: "num" }, amount(i.amount, i.currency)),
    h("td", { class: "num" }, amount(i.open_amount, i.currency)),
    h("td", { class: i.days_overdue > 0 ? "num danger" : "num" }, String(i.days_overdue)),
  );
}

function invoicesTable(items) {
  if (!items.length) return h("p", { class: "muted" }, t("account.noInvoices"));
  return dataTable({ id: "open-invoices", caption: t("account.invoices"), columns: INVOICE_COLUMNS, rows: items.map(invoiceRow) });
}

export function render(container, { session }) {
  const credit = loadingNote();
  const invoices = loadingNote();
  replace(
    container,
    viewTitle(t("account.title")),
    credit,
    h("h3", {}, t("account.invoices")),
    invoices,
  );
  get(`/api/v1/dealers/${encodeURIComponent(session.dealer_code)}`)
    .then((dealer) => credit.replaceWith(creditFigures(dealer)))
    .catch((err) => showFailure(credit, err));
  get("/api/v1/invoices?status=open&limit=100")
    .then((page) => invoices.replaceWith(invoicesTable(page.items)))
    .catch((err) => showFailure(invoices, err));
}
