// The dealer's alerts (GET /alerts answers only the caller's own), read again
// every little while the page stays open: the alert rules run on a schedule.
import { get } from "/web/shared/api.js";
import { h, replace } from "/web/shared/dom.js";
import { t } from "/web/shared/i18n.js";
import { alertKindLabel, at, codeLabel, dataTable, loadingNote, showFailure, viewTitle } from "/web/portal/format.js";

const FILTERS = ["open", "acknowledged", "resolved"];
const REFRESH_MS = 15000;
const COLUMNS = [["col.kind"], ["col.severity"], ["col.message"], ["col.status"], ["col.opened"], ["col.occurrences", "num"]];

function alertRow(a) {
  return h(
    "tr",
    { dataset: { alert: String(a.id), kind: a.kind } },
    h("th", { scope: "row" }, alertKindLabel(a.kind)),
    h("td", { class: a.severity === "critical" ? "danger" : "warn" }, codeLabel("severity", a.severity)),
    h("td", {}, a.message),
    h("td", {}, codeLabel("alertstatus", a.status)),
    h("td", {}, at(a.opened_at)),
    h("td", { class: "num" }, String(a.occurrences)),
  );
}

export function render(container) {
  const filter = h(
    "select",
    { id: "alerts-status" },
    h("option", { value: "" }, t("alerts.all")),
    FILTERS.map((s) => h("option", { value: s }, codeLabel("alertstatus", s))),
  );
  const list = loadingNote();

  let timer = null;
  async function load() {
    clearTimeout(timer);
    const params = new URLSearchParams({ limit: "100" });
    if (filter.value) params.set("status", filter.value);
    try {
      const page = await get(`/api/v1/alerts?${params}`);
      list.className = page.items.length ? "" : "muted";
      replace(
        list,
        page.items.length
          ? dataTable({ id: "alerts", caption: t("alerts.title"), columns: COLUMNS, rows: page.items.map(alertRow) })
          : t("alerts.empty"),
      );
    } catch (err) {
      showFailure(list, err);
    } finally {
      if (container.isConnected) timer = setTimeout(load, REFRESH_MS);
    }
  }
  filter.addEventListener("change", load);
  replace(
    container,
    viewTitle(t("alerts.title")),
    h("div", { class: "filters" }, h("label", { for: "alerts-status" }, t("alerts.filter")), filter),
    list,
  );
  load();
}
