// One statement: its figures and lines; the dealer confirms it, or disputes
// lines, each with a reason. A refusal is shown next to what it names.
import { ApiError, get, post } from "/web/shared/api.js";
import { announce, h, money, replace } from "/web/shared/dom.js";
import { clearFieldError, showFieldErrors } from "/web/shared/fields.js";
import { t } from "/web/shared/i18n.js";
import {
  amount,
  at,
  codeLabel,
  dataTable,
  lineKindLabel,
  loadingNote,
  problemText,
  showFailure,
  statementStatusLabel,
  statusBadge,
  viewTitle,
} from "/web/portal/format.js";
import { href } from "/web/portal/router.js";

const DISPUTABLE = new Set(["issued", "disputed", "resolved"]);
const CONFIRMABLE = new Set(["issued", "resolved"]);
const LINE_COLUMNS = [
  ["col.lineNo", "num"],
  ["col.document"],
  ["col.kind"],
  ["col.date"],
  ["col.debit", "num"],
  ["col.credit", "num"],
  ["col.balance", "num"],
  ["col.dispute"],
];

function figures(s) {
  return h(
    "dl",
    { class: "figures", id: "statement-figures" },
    h("dt", {}, t("col.status")),
    h("dd", { id: "statement-status" }, statusBadge(s.status, statementStatusLabel)),
    h("dt", {}, t("statement.period")),
    h("dd", {}, `${s.period_start} – ${s.period_end}`),
    h("dt", {}, t("col.opening")),
    h("dd", {}, amount(s.opening_balance, s.currency)),
    h("dt", {}, t("col.invoiced")),
    h("dd", {}, amount(s.invoices_total, s.currency)),
    h("dt", {}, t("statement.creditNotes")),
    h("dd", {}, amount(s.credit_notes_total, s.currency)),
    h("dt", {}, t("col.paid")),
    h("dd", {}, amount(s.payments_total, s.currency)),
    h("dt", {}, t("col.closing")),
    h("dd", { id: "statement-closing" }, amount(s.closing_balance, s.currency)),
    s.confirmed_at ? [h("dt", {}, t("statement.confirmedAt")), h("dd", {}, `${at(s.confirmed_at)} · ${s.confirmed_by}`)] : null,
  );
}

function disputesList(s) {
  if (!s.disputes.length) return null;
  return [
    h("h3", {}, t("statement.disputes")),
    h(
      "ul",
      { id: "disputes" },
      s.disputes.map((d) =>
        h(
          "li",
          { dataset: { line: String(d.line_no) } },
          t("statement.disputeOf", { line: d.line_no, reason: d.reason }),
          " · ",
          codeLabel("disputestatus", d.status),
          d.resolution ? ` · ${d.resolution}` : "",
        ),
      ),
    ),
  ];
}

export function render(container, { session, param: month }) {
  const body = loadingNote();
  replace(
    container,
    h("p", {}, h("a", { href: href("statements") }, t("statement.back"))),
    viewTitle(t("statement.title", { month })),
    body,
  );
  // What the dealer typed survives a refusal and the re-render after it.
  const typed = new Map(); // line_no -> {checked, reason}
  const path = `/api/v1/statements/${encodeURIComponent(session.dealer_code)}/${encodeURIComponent(month)}`;

  function show(s) {
    const disputable = DISPUTABLE.has(s.status);
    const rows = s.lines.map((line) => {
      const kept = typed.get(line.line_no) || { checked: false, reason: "" };
      const check = h("input", { type: "checkbox", id: `dispute-${line.line_no}`, checked: kept.checked, disabled: !disputable });
      const reason = h("input", { id: `reason-${line.line_no}`, value: kept.reason, maxlength: "500", disabled: !disputable, autocomplete: "off" });
      const remember = () => typed.set(line.line_no, { checked: check.checked, reason: reason.value });
      check.addEventListener("change", remember);
      reason.addEventListener("input", () => {
        if (reason.value && !check.checked) check.checked = true;
        remember();
      });
      const row = h(
        "tr",
        { dataset: { line: String(line.line_no) } },
        h("td", { class: "num" }, String(line.line_no)),
        h("th", { scope: "row" }, line.document_no, line.reference ? h("span", { class: "muted" }, ` → ${line.reference}`) : null),
        h("td", {}, lineKindLabel(line.kind)),
        h("td", {}, line.date),
        h("td", { class: "num" }, money(line.debit)),
        h("td", { class: "num" }, money(line.credit)),
        h("td", { class: "num" }, money(line.balance)),
        h(
          "td",
          {},
          h("label", { for: check.id, class: "inline-label" }, check, " ", t("statement.disputeLine", { line: line.line_no })),
          h(
            "label",
            { for: reason.id, class: "reason-label" },
            t("statement.reason"),
            h("span", { class: "visually-hidden" }, ` ${t("statement.reasonFor", { line: line.line_no })}`),
          ),
          h("div", { "data-field-group": true }, reason),
        ),
      );
      return { line, row, check, reason };
    });
    const disputeError = h("p", { class: "field-error", id: "dispute-error", role: "alert" });
    const confirmError = h("p", { class: "field-error", id: "confirm-error", role: "alert" });
    const disputeButton = h("button", { type: "button", class: "secondary", id: "send-dispute", disabled: !disputable }, t("statement.dispute"));
    const confirmButton = h("button", { type: "button", id: "confirm-statement", disabled: !CONFIRMABLE.has(s.status) }, t("statement.confirm"));

    disputeButton.addEventListener("click", async () => {
      disputeError.textContent = "";
      for (const r of rows) clearFieldError(r.reason);
      const chosen = rows.filter((r) => r.check.checked);
      if (!chosen.length) {
        disputeError.textContent = t("statement.chooseLines");
        return;
      }
      disputeButton.disabled = true;
      try {
        const after = await post(`${path}/dispute`, {
          lines: chosen.map((r) => ({ line_no: r.line.line_no, reason: r.reason.value })),
        });
        typed.clear();
        announce(t("statement.disputed"), "ok");
        show(after);
      } catch (err) {
        const inputFor = (field) => {
          const m = /^lines\[(\d+)\]\.(reason|line_no)$/.exec(field);
          return m && chosen[Number(m[1])] ? chosen[Number(m[1])].reason : null;
        };
        const unplaced = err instanceof ApiError ? showFieldErrors(err, inputFor) : [];
        disputeError.textContent = problemText(err);
        disputeButton.disabled = false;
      }
    });
    confirmButton.addEventListener("click", async () => {
      confirmError.textContent = "";
      confirmButton.disabled = true;
      try {
        const after = await post(`${path}/confirm`, {});
        announce(t("statement.confirmedNow"), "ok");
        show(after);
      } catch (err) {
        confirmError.textContent = problemText(err);
        confirmButton.disabled = false;
      }
    });

    body.className = "";
    replace(
      body,
      h("p", {}, s.dealer_name),
      figures(s),
      h(
        "p",
        { class: "downloads" },
        h("a", { href: `${path}/pdf`, download: `statement-${s.dealer_code}-${s.month}.pdf` }, t("statement.pdf")),
        " · ",
        h("a", { href: `${path}/csv`, download: `statement-${s.dealer_code}-${s.month}.csv` }, t("statement.csv")),
      ),
      h("h3", {}, t("statement.lines")),
      s.lines.length
        ? dataTable({ id: "statement-lines", caption: t("statement.lines"), columns: LINE_COLUMNS, rows: rows.map((r) => r.row) })
        : h("p", { class: "muted" }, t("statement.noLines")),
      disputesList(s),
      h("div", { class: "actions" }, disputeButton, confirmButton),
      disputeError,
      confirmError,
    );
  }

  get(path)
    .then(show)
    .catch((err) => showFailure(body, err));
}
