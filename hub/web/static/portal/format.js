// Words for the API's codes and figures, in the reader's language.
import { ApiError } from "/web/shared/api.js";
import { h, money, replace, scrollRegion, when } from "/web/shared/dom.js";
import { language, t } from "/web/shared/i18n.js";

export const at = (iso) => when(iso, language());

// An unknown code shows itself rather than nothing.
export function codeLabel(prefix, code) {
  const key = `${prefix}.${code}`;
  const text = t(key);
  return text === key ? String(code) : text;
}

export const statusLabel = (status) => codeLabel("status", status);
export const alertKindLabel = (kind) => codeLabel("alertkind", kind);
export const statementStatusLabel = (status) => codeLabel("stmtstatus", status);
export const lineKindLabel = (kind) => codeLabel("linekind", kind);

export function statusBadge(status, labeller = statusLabel) {
  return h("span", { class: `badge badge-${status}`, "data-status": status }, labeller(status));
}

// Unit prices keep 4 decimals: "21.1250" -> "21.125", "88.0000" -> "88.00".
export function unitPrice(value) {
  const [whole, fraction = ""] = String(value).split(".");
  const kept = fraction.replace(/0+$/, "");
  return kept.length > 2 ? `${money(whole)}`.replace(/\.00$/, `.${kept}`) : money(value);
}

export const amount = (value, currency = "CNY") =>
  value === null || value === undefined ? t("none") : `${currency} ${money(value)}`;

export function promotionText(p) {
  const until = p.ends_at ? t("promo.until", { date: at(p.ends_at) }) : "";
  let text;
  if (p.kind === "threshold_discount") {
    text = t("promo.threshold", { threshold: money(p.threshold_amount), discount: money(p.discount_amount) });
  } else if (p.kind === "percent_off") {
    text = t("promo.percent", { percent: p.percent });
  } else if (p.kind === "gift") {
    text = t("promo.gift", { qty: p.gift_qty, sku: p.gift_sku, threshold: money(p.threshold_amount || "0") });
  } else {
    text = p.kind;
  }
  return `${p.code}: ${text}${until ? ` (${until})` : ""}`;
}

// One step of a line's price_trace: which rule did what.
export function traceText(step) {
  switch (step.rule) {
    case "tier_price":
      return t("trace.tier", { tier: codeLabel("tier", step.tier), price: unitPrice(step.unit_price) });
    case "percent_off":
      return t("trace.percent", { promotion: step.promotion, amount: money(step.amount) });
    case "threshold_discount":
      return t("trace.threshold", { promotion: step.promotion, amount: money(step.amount) });
    case "gift":
      return t("trace.gift", { promotion: step.promotion, qty: step.qty ?? "" });
    default:
      return [step.rule, step.promotion, step.amount].filter(Boolean).join(" ");
  }
}

export function traceList(trace) {
  return h("ul", { class: "trace" }, (trace || []).map((step) => h("li", {}, traceText(step))));
}

// What to say about a failed call: the hub's refusal in the reader's
// language where the page knows its code (else the hub's own message), or
// that the network failed (the hub may or may not have received it).
export function problemText(err) {
  if (err instanceof ApiError && err.status === 0) return t("error.network");
  // The session cookie expired or was revoked: the shell's login comes back on reload.
  if (err instanceof ApiError && err.status === 401) return `${err.message} ${t("error.session")}`;
  if (err instanceof ApiError) return refusalText(err) ?? err.message;
  return String((err && err.message) || err);
}

// The refusal in words of the page's strings, with its figures, or null.
function refusalText(err) {
  const key = `problem.${err.code}`;
  const p = err.problem;
  const figures = {};
  for (const name of ["credit_limit", "exposure", "order_total"]) {
    if (p[name] !== undefined && p[name] !== null) figures[name] = money(p[name]);
  }
  const text = t(key, figures);
  return text === key ? null : text;
}


// A table with its column headings, in a region that scrolls sideways on a
// narrow screen. columns: [key] or [key, "num"] (right-aligned figures) or
// [key, "hidden"] (heading for screen readers only).
export function dataTable({ id, caption, columns, rows, className }) {
  const heading = ([key, kind]) =>
    h(
      "th",
      { scope: "col", class: kind === "num" ? "num" : null },
      kind === "hidden" ? h("span", { class: "visually-hidden" }, t(key)) : t(key),
    );
  return scrollRegion(
    caption,
    h("table", { id, class: className }, h("thead", {}, h("tr", {}, columns.map(heading))), h("tbody", {}, rows)),
  );
}

export const viewTitle = (text) => h("h2", { id: "view-title", tabindex: "-1" }, text);
export const loadingNote = () => h("div", { class: "muted" }, t("loading"));

// Puts the hub's refusal (or the network failure) where the data would be.
export function showFailure(el, err) {
  el.className = "field-error";
  el.setAttribute("role", "alert");
  replace(el, problemText(err));
}
