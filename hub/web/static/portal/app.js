// The dealer portal: after login, a nav and one view per hash route
// (router.js); each view is a module of its own under views/.
import { h, replace } from "/web/shared/dom.js";
import { t } from "/web/shared/i18n.js";
import { startShell } from "/web/shared/shell.js";
import { cartCount, useCartOf } from "/web/portal/cart-store.js";
import { forgetCatalog } from "/web/portal/products.js";
import { SECTIONS, currentRoute, href } from "/web/portal/router.js";
import { strings } from "/web/portal/strings.js";
import * as account from "/web/portal/views/account.js";
import * as alerts from "/web/portal/views/alerts.js";
import * as cart from "/web/portal/views/cart.js";
import * as catalog from "/web/portal/views/catalog.js";
import * as order from "/web/portal/views/order.js";
import * as orders from "/web/portal/views/orders.js";
import * as statement from "/web/portal/views/statement.js";
import * as statements from "/web/portal/views/statements.js";

const VIEWS = { catalog, cart, orders, account, statements, alerts };
const DETAIL_VIEWS = { orders: order, statements: statement };

// What is on screen now; null while logged out (the shell empties #view).
let mounted = null;

function navLink(section, current) {
  const text = section === "cart" ? t("nav.cart", { count: cartCount() }) : t(`nav.${section}`);
  return h(
    "li",
    {},
    h("a", { href: href(section), "aria-current": section === current ? "page" : null, id: `nav-${section}` }, text),
  );
}

function renderNav(nav, current) {
  replace(nav, h("ul", {}, SECTIONS.map((section) => navLink(section, current))));
}

function renderRoute({ moveFocus }) {
  if (!mounted || !mounted.outlet.isConnected) return;
  const { section, param } = currentRoute();
  renderNav(mounted.nav, section);
  const view = (param && DETAIL_VIEWS[section]) || VIEWS[section];
  const container = h("section", { class: "view", "aria-labelledby": "view-title" });
  replace(mounted.outlet, container);
  view.render(container, { session: mounted.session, param });
  if (moveFocus) {
    // Keyboard and screen reader users land on the new view's heading.
    const heading = container.querySelector("h2");
    if (heading) heading.focus({ preventScroll: false });
  }
}

window.addEventListener("hashchange", () => renderRoute({ moveFocus: true }));
document.addEventListener("cartchange", () => {
  if (mounted && mounted.outlet.isConnected) renderNav(mounted.nav, currentRoute().section);
});

startShell({
  strings,
  render(session, view) {
    if (!mounted || mounted.session.username !== session.username) forgetCatalog();
    useCartOf(session.username);
    const nav = h("nav", { class: "portal-nav", "aria-label": t("nav.portal") });
    const outlet = h("div", { id: "outlet" });
    view.append(nav, outlet);
    mounted = { session, nav, outlet };
    renderRoute({ moveFocus: false });
  },
});
