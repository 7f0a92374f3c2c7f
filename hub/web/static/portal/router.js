// The portal's hash routes: #/catalog, #/cart, #/orders, #/orders/NO,
// #/account, #/statements, #/statements/2026-10, #/alerts.

export const SECTIONS = ["catalog", "cart", "orders", "account", "statements", "alerts"];

export function currentRoute() {
  const match = /^#\/([a-z]+)(?:\/(.+))?$/.exec(window.location.hash);
  if (!match || !SECTIONS.includes(match[1])) return { section: "catalog", param: null };
  return { section: match[1], param: match[2] ? decodeURIComponent(match[2]) : null };
}

export const href = (section, param) =>
  param ? `#/${section}/${encodeURIComponent(param)}` : `#/${section}`;

export function go(section, param) {
  window.location.hash = href(section, param);
}
