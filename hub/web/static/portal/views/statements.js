// The dealer's monthly statements, newest first.
import { getAll } from "/web/shared/api.js";
import { h, replace } from "/web/shared/dom.js";
import { t } from "/web/shared/i18n.js";
import { amount, dataTable, loadingNote, showFailure, statementStatusLabel, statusBadge, viewTitle } from "/web/portal/format.js";
import { href } from "/web/portal/router.js";

const COLUMNS = [["col.month"], ["col.opening", "num"], ["col.invoiced", "num"], ["col.paid", "num"], ["col.closing", "num"], ["col.status"]];

function statementRow(s) {
  return h(
    "tr",
    { dataset: { month: s.month } },
    h("th", { scope: "row" }, h("a", { href: href("statements", s.month) }, s.month)),
    h("td", { class: "num" }, amount(s.opening_balance, s.currency)),
    h("td", { class: "num" }, amount(s.invoices_total, s.currency)),
    h("td", { class: "num" }, amount(s.payments_total, s.currency)),
    h("td", { class: "num" }, amount(s.closing_balance, s.currency)),
    h("td", {}, statusBadge(s.status, statementStatusLabel)),
  );
}

export function render(container) {
  const list = loadingNote();
  replace(container, viewTitle(t("statements.title")), list);
  getAll("/api/v1/statements")
    .then((items) => {
      list.className = items.length ? "" : "muted";
      replace(
        list,
        items.length
          ? dataTable({ id: "statements", caption: t("statements.title"), columns: COLUMNS, rows: items.map(statementRow) })
          : t("statements.empty"),
      );
    })
    .catch((err) => showFailure(list, err));
}
