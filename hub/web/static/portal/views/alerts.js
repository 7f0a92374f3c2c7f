// The dealer's alerts (GET /alerts answers only the caller's own).
import { get } from "/web/shared/api.js";
import { h, replace } from "/web/shared/dom.js";
import { t } from "/web/shared/i18n.js";
import { alertKindLabel, at, codeLabel, problemText, tableWrap } from "/web/portal/format.js";

const FILTERS = ["open", "acknowledged", "resolved"];

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
    FILTERS.map((s) => h("option", { value: s }, t(`alertstatus.${s}`))),
  );
  const list = h("div", { class: "muted" }, t("loading"));

  async function load() {
    const params = new URLSearchParams({ limit: "100" });
    if (filter.value) params.set("status", filter.value);
    try {
      const page = await get(`/api/v1/alerts?${params}`);
      if (!page.items.length) {
        list.className = "muted";
        replace(list, t("alerts.empty"));
        return;
      }
      list.className = "";
      replace(
        list,
        tableWrap(
          t("alerts.title"),
          h(
            "table",
            { id: "alerts" },
            h(
              "thead",
              {},
              h(
                "tr",
                {},
                h("th", { scope: "col" }, t("col.kind")),
                h("th", { scope: "col" }, t("col.severity")),
                h("th", { scope: "col" }, t("col.message")),
                h("th", { scope: "col" }, t("col.status")),
                h("th", { scope: "col" }, t("col.opened")),
                h("th", { scope: "col", class: "num" }, t("col.occurrences")),
              ),
            ),
            h("tbody", {}, page.items.map(alertRow)),
          ),
        ),
      );
    } catch (err) {
      list.className = "field-error";
      replace(list, problemText(err));
    }
  }
  filter.addEventListener("change", load);
  replace(
    container,
    h("h2", { id: "view-title", tabindex: "-1" }, t("alerts.title")),
    h("div", { class: "filters" }, h("label", { for: "alerts-status" }, t("alerts.filter")), filter),
    list,
  );
  load();
}
