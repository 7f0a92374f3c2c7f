// The dealer's monthly statements, newest first.
import { getAll } from "/web/shared/api.js";
import { h, replace } from "/web/shared/dom.js";
import { t } from "/web/shared/i18n.js";
import { amount, problemText, statementStatusLabel, statusBadge, tableWrap } from "/web/portal/format.js";
import { href } from "/web/portal/router.js";

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
  const list = h("div", { class: "muted" }, t("loading"));
  replace(container, h("h2", { id: "view-title", tabindex: "-1" }, t("statements.title")), list);
  getAll("/api/v1/statements")
    .then((items) => {
      if (!items.length) {
        replace(list, t("statements.empty"));
        return;
      }
      list.className = "";
      replace(
        list,
        tableWrap(
          t("statements.title"),
          h(
            "table",
            { id: "statements" },
            h(
              "thead",
              {},
              h(
                "tr",
                {},
                h("th", { scope: "col" }, t("col.month")),
                h("th", { scope: "col", class: "num" }, t("col.opening")),
                h("th", { scope: "col", class: "num" }, t("col.invoiced")),
                h("th", { scope: "col", class: "num" }, t("col.paid")),
                h("th", { scope: "col", class: "num" }, t("col.closing")),
                h("th", { scope: "col" }, t("col.status")),
              ),
            ),
            h("tbody", {}, items.map(statementRow)),
          ),
        ),
      );
    })
    .catch((err) => {
      list.className = "field-error";
      replace(list, problemText(err));
    });
}
