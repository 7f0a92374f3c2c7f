// What the console's views share: a refusal turned into words on the page, a
// table from rows, a "more" button over a paged list, a tidy time span.
import { ApiError, get } from "/web/shared/api.js";
import { announce, h, replace, scrollRegion } from "/web/shared/dom.js";
import { t } from "/web/shared/i18n.js";

// A view's heading; focused after a route change so a screen reader hears it.
export function heading(key) {
  return h("h2", { tabindex: "-1", class: "view-title" }, t(key));
}

// A 403 means this role may not use the view at all: say so plainly, with
// the hub's own words, instead of an empty or broken page.
export function showFailure(view, err, session) {
  if (err instanceof ApiError && err.status === 403) {
    replace(
      view,
      h(
        "section",
        { class: "card", "data-refusal": "role" },
        h("h2", {}, t("role.denied.title")),
        h("p", {}, t("role.denied", { role: t(`role.${session.role}`) })),
        h("p", { class: "muted" }, err.message),
      ),
    );
    announce(t("role.denied.title"), "error");
    return;
  }
  announce(err instanceof ApiError ? err.message : String(err), "error");
}

// columns: [{key, label, num?}], rows: arrays of cells (text or nodes).
export function table(captionKey, columns, rows) {
  return scrollRegion(
    t(captionKey),
    h(
      "table",
      {},
      h("caption", { class: "visually-hidden" }, t(captionKey)),
      h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col", class: c.num ? "num" : null }, t(c.label))))),
      h(
        "tbody",
        {},
        rows.map((cells) => h("tr", {}, cells.map((cell, i) => h("td", { class: columns[i].num ? "num" : null }, cell)))),
      ),
    ),
  );
}

// Loads a list page by page: onPage(items) for each, a "more" button while
// the hub says there is a next cursor.
export function pagedList(path, holder, onPage) {
  const more = h("button", { type: "button", class: "secondary", hidden: true }, t("list.more"));
  let cursor = null;
  async function load() {
    const sep = path.includes("?") ? "&" : "?";
    const page = await get(cursor ? `${path}${sep}cursor=${encodeURIComponent(cursor)}` : path);
    cursor = page.next_cursor;
    more.hidden = !cursor;
    onPage(page.items);
    return page.items;
  }
  more.addEventListener("click", () => load().catch((err) => announce(err.message, "error")));
  holder.append(more);
  return load;
}

// 75 -> "1 min", 7200 -> "2 h": how long since the last success.
export function span(seconds) {
  if (seconds === null || seconds === undefined) return t("lag.never");
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return t("lag.s", { n: s });
  if (s < 3600) return t("lag.min", { n: Math.floor(s / 60) });
  if (s < 86400) return t("lag.h", { n: Math.floor(s / 3600) });
  return t("lag.d", { n: Math.floor(s / 86400) });
}

// A labelled select; options: [[value, labelText], ...].
export function select(id, labelKey, options, value) {
  const el = h(
    "select",
    { id, name: id },
    options.map(([v, text]) => h("option", { value: v, selected: v === value }, text)),
  );
  return [h("label", { for: id }, t(labelKey)), el];
}
