// The audit log (admins): who changed what and when, newest first, filtered
// by what the API filters on (entity, key, actor).
import { ApiError } from "/web/shared/api.js";
import { h, replace, when } from "/web/shared/dom.js";
import { language, t } from "/web/shared/i18n.js";
import { heading, pagedList, showFailure, table } from "/web/console/common.js";

const FILTERS = ["entity", "key", "actor"];
const COLUMNS = [
  { label: "audit.at" },
  { label: "audit.actor" },
  { label: "audit.action" },
  { label: "audit.entity" },
  { label: "audit.key" },
  { label: "audit.changes" },
];

function shortValue(value) {
  if (value === undefined) return "-";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

// Only what changed: "status: open -> replayed".
function changes(before, after) {
  const keys = [...new Set([...Object.keys(before || {}), ...Object.keys(after || {})])];
  const changed = keys.filter((k) => JSON.stringify((before || {})[k]) !== JSON.stringify((after || {})[k]));
  return h(
    "ul",
    { class: "changes" },
    changed.map((k) => h("li", {}, h("code", {}, k), `: ${shortValue((before || {})[k])} → ${shortValue((after || {})[k])}`)),
  );
}

function row(entry) {
  return [
    when(entry.at, language()),
    `${entry.actor} (${t(`role.${entry.actor_role}`)})`,
    entry.action,
    entry.entity,
    entry.entity_key,
    changes(entry.before, entry.after),
  ];
}

export async function render(view, session, params) {
  const inputs = {};
  const errors = {};
  const form = h("form", { class: "filters", novalidate: true });
  for (const name of FILTERS) {
    errors[name] = h("p", { class: "field-error", id: `audit-${name}-error`, role: "alert" });
    inputs[name] = h("input", { id: `audit-${name}`, name, value: params.get(name) || "", "aria-describedby": errors[name].id });
    form.append(h("div", {}, h("label", { for: `audit-${name}` }, t(`audit.${name}`)), inputs[name], errors[name]));
  }
  form.append(h("div", { class: "filter-submit" }, h("button", { type: "submit" }, t("filter.apply"))));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const query = new URLSearchParams();
    for (const name of FILTERS) if (inputs[name].value.trim()) query.set(name, inputs[name].value.trim());
    location.hash = `#/audit?${query}`;
  });
  const rowsHolder = h("div");
  const holder = h("div");
  replace(view, heading("nav.audit"), form, rowsHolder, holder);
  const query = new URLSearchParams();
  for (const name of FILTERS) if (params.get(name)) query.set(name, params.get(name));
  const rows = [];
  try {
    await pagedList(`/api/v1/audit?${query}`, holder, (items) => {
      rows.push(...items.map(row));
      replace(rowsHolder, rows.length ? table("audit.caption", COLUMNS, rows) : h("p", {}, t("audit.none")));
    })();
  } catch (err) {
    if (err instanceof ApiError && err.status === 422) {
      for (const name of FILTERS) {
        const message = err.messageFor(name);
        if (message) {
          errors[name].textContent = message;
          inputs[name].setAttribute("aria-invalid", "true");
        }
      }
      return;
    }
    showFailure(view, err, session);
  }
}
