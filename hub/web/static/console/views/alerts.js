// Alerts: the open ones first; acknowledge (someone is on it) or resolve.
import { ApiError, post } from "/web/shared/api.js";
import { announce, h, replace, when } from "/web/shared/dom.js";
import { language, t } from "/web/shared/i18n.js";
import { heading, pagedList, select, showFailure } from "/web/console/common.js";

const STATUSES = ["open", "acknowledged", "resolved", ""];
const KINDS = ["", "low_stock", "purchase_drop", "cross_region_sales", "credit_overdue", "licence_expiring", "sync_failure"];

function who(at, by) {
  return at ? `${by || ""} ${when(at, language())}`.trim() : "";
}

function alertCard(alert) {
  const error = h("p", { class: "field-error", role: "alert", id: `alert-${alert.id}-error` });
  const status = h("dd", { "data-status": alert.status });
  const buttons = h("p", { class: "actions" });

  function show() {
    replace(status, t(`alert.status.${alert.status}`));
    status.dataset.status = alert.status;
    const acked = who(alert.acknowledged_at, alert.acknowledged_by);
    const resolved = who(alert.resolved_at, alert.resolved_by);
    if (acked) status.append(h("br"), t("alert.acked_by", { who: acked }));
    if (resolved) status.append(h("br"), t("alert.resolved_by", { who: resolved }));
    const actions = [];
    if (alert.status === "open") actions.push(["ack", t("alert.ack"), ""]);
    if (alert.status !== "resolved") actions.push(["resolve", t("alert.resolve"), "secondary"]);
    replace(
      buttons,
      actions.map(([action, label, cls]) => {
        const button = h("button", { type: "button", class: cls || null, "aria-describedby": error.id }, label);
        button.addEventListener("click", () => act(action, button));
        return button;
      }),
    );
  }

  async function act(action, button) {
    error.textContent = "";
    button.disabled = true;
    try {
      Object.assign(alert, await post(`/api/v1/alerts/${alert.id}/${action}`));
      show();
      announce(t(`alert.${action}.done`, { id: alert.id }), "ok");
      (buttons.querySelector("button") || status).focus?.();
    } catch (err) {
      error.textContent = err instanceof ApiError ? err.message : String(err);
      button.disabled = false;
      button.focus();
    }
  }

  show();
  return h(
    "article",
    { class: `card alert severity-${alert.severity}`, "data-alert": String(alert.id), "aria-labelledby": `alert-${alert.id}-title` },
    h("h3", { id: `alert-${alert.id}-title` }, `${t(`alert.kind.${alert.kind}`)}: ${alert.subject}`),
    h("p", {}, alert.message),
    h(
      "dl",
      { class: "facts" },
      h("dt", {}, t("alert.severity")),
      h("dd", {}, t(`alert.severity.${alert.severity}`)),
      alert.dealer_code ? [h("dt", {}, t("alert.dealer")), h("dd", {}, alert.dealer_code)] : null,
      h("dt", {}, t("alert.opened")),
      h("dd", {}, when(alert.opened_at, language())),
      h("dt", {}, t("alert.occurrences")),
      h("dd", {}, String(alert.occurrences)),
      h("dt", {}, t("alert.status")),
      status,
    ),
    buttons,
    error,
  );
}

export async function render(view, session, params) {
  const status = STATUSES.includes(params.get("status") ?? "open") ? params.get("status") ?? "open" : "open";
  const kind = KINDS.includes(params.get("kind") ?? "") ? params.get("kind") ?? "" : "";
  const [statusLabel, statusSelect] = select(
    "alert-status",
    "alert.status",
    STATUSES.map((s) => [s, t(s ? `alert.status.${s}` : "filter.all")]),
    status,
  );
  const [kindLabel, kindSelect] = select(
    "alert-kind",
    "alert.kind",
    KINDS.map((k) => [k, t(k ? `alert.kind.${k}` : "filter.all")]),
    kind,
  );
  function go() {
    location.hash = `#/alerts?status=${statusSelect.value}&kind=${kindSelect.value}`;
  }
  statusSelect.addEventListener("change", go);
  kindSelect.addEventListener("change", go);
  const list = h("div", { class: "alerts" });
  const holder = h("div");
  replace(
    view,
    heading("nav.alerts"),
    h("div", { class: "filters" }, h("div", {}, statusLabel, statusSelect), h("div", {}, kindLabel, kindSelect)),
    list,
    holder,
  );
  const query = new URLSearchParams();
  if (status) query.set("status", status);
  if (kind) query.set("kind", kind);
  try {
    const first = await pagedList(`/api/v1/alerts?${query}`, holder, (items) => list.append(...items.map(alertCard)))();
    if (!first.length) list.append(h("p", {}, t("alert.none")));
  } catch (err) {
    showFailure(view, err, session);
  }
}
