// Connectors: per connector, every stream it pulls with its last success,
// lag and error counts (GET /api/v1/connectors).
import { get } from "/web/shared/api.js";
import { h, replace, when } from "/web/shared/dom.js";
import { language, t } from "/web/shared/i18n.js";
import { heading, showFailure, span, table } from "/web/console/common.js";

const COLUMNS = [
  { label: "connectors.entity" },
  { label: "connectors.last_success" },
  { label: "connectors.lag" },
  { label: "connectors.records", num: true },
  { label: "connectors.rejected", num: true },
  { label: "connectors.errors", num: true },
  { label: "connectors.last_error" },
];

function entityRow(e) {
  const lang = language();
  return [
    e.entity,
    e.last_success_at ? when(e.last_success_at, lang) : t("lag.never"),
    span(e.lag_seconds),
    String(e.records_total),
    String(e.rejected_total),
    h("span", { class: e.errors_total ? "danger" : null }, String(e.errors_total)),
    e.last_error ? h("span", {}, e.last_error, h("br"), h("span", { class: "muted" }, when(e.last_error_at, lang))) : "",
  ];
}

function card(connector) {
  const tags = [connector.system || t("connectors.no_system")];
  if (connector.receives_orders) tags.push(t("connectors.receives_orders"));
  return h(
    "section",
    { class: "card", "data-connector": connector.name },
    h("h3", {}, connector.name, " ", h("span", { class: "muted" }, `(${tags.join(", ")})`)),
    connector.entities.length
      ? table("connectors.caption", COLUMNS, connector.entities.map(entityRow))
      : h("p", { class: "muted" }, t("connectors.no_runs")),
  );
}

export async function render(view, session) {
  const list = h("div", {}, h("p", { class: "muted" }, t("loading")));
  const refresh = h("button", { type: "button", class: "secondary" }, t("refresh"));
  replace(view, heading("nav.connectors"), h("p", {}, refresh), list);
  async function load() {
    try {
      const connectors = await get("/api/v1/connectors");
      replace(list, connectors.length ? connectors.map(card) : h("p", {}, t("connectors.none")));
    } catch (err) {
      showFailure(view, err, session);
    }
  }
  refresh.addEventListener("click", load);
  await load();
}
