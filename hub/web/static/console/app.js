// The operations console (admins, integrators): after login, one view per
// hash route (#/connectors, #/dead-letters, #/mappings, #/alerts, #/audit).
import { $, h, replace } from "/web/shared/dom.js";
import { t } from "/web/shared/i18n.js";
import { startShell } from "/web/shared/shell.js";
import { strings } from "/web/console/strings.js";
import * as alerts from "/web/console/views/alerts.js";
import * as audit from "/web/console/views/audit.js";
import * as connectors from "/web/console/views/connectors.js";
import * as deadLetters from "/web/console/views/dead-letters.js";
import * as mappings from "/web/console/views/mappings.js";

const VIEWS = {
  connectors,
  "dead-letters": deadLetters,
  mappings,
  alerts,
  audit,
};
// The audit log is the admins' (api-contract.md): others do not get the link.
const NAV = {
  admin: ["connectors", "dead-letters", "mappings", "alerts", "audit"],
  integrator: ["connectors", "dead-letters", "mappings", "alerts"],
};
const state = { session: null, view: null, route: null };

function route() {
  const [path, query = ""] = location.hash.replace(/^#\/?/, "").split("?");
  return { name: path in VIEWS ? path : "connectors", params: new URLSearchParams(query) };
}

function renderNav(current) {
  const nav = $("#nav");
  const names = NAV[state.session.role] || [];
  nav.hidden = !names.length;
  replace(
    nav,
    h(
      "ul",
      {},
      names.map((name) =>
        h("li", {}, h("a", { href: `#/${name}`, "aria-current": name === current ? "page" : null }, t(`nav.${name}`))),
      ),
    ),
  );
}

function renderRoute(focus) {
  if (!state.session || !state.view) return;
  const { name, params } = route();
  // A filter changed within the same view: give the focus back to that
  // filter; a new view: to its heading, so a screen reader says where it is.
  const active = document.activeElement;
  const keep = name === state.route && active && active.id && state.view.contains(active) ? active.id : null;
  state.route = name;
  renderNav(name);
  document.title = `${t(`nav.${name}`)} · ${t("console.title")}`;
  const shown = VIEWS[name].render(state.view, state.session, params);
  if (!focus) return;
  Promise.resolve(shown).then(() => {
    const target = (keep && document.getElementById(keep)) || state.view.querySelector(".view-title");
    target?.focus();
  });
}

window.addEventListener("hashchange", () => renderRoute(true));

startShell({
  strings,
  render(session, view) {
    state.session = session;
    state.view = view;
    renderRoute(false);
  },
});
