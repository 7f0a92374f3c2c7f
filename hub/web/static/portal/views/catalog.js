// The catalog: each product with the dealer's price, what is available in its
// warehouse and the promotions in force; a quantity and "add to cart" each.
import { announce, h, replace } from "/web/shared/dom.js";
import { t } from "/web/shared/i18n.js";
import { addToCart } from "/web/portal/cart-store.js";
import { loadingNote, promotionText, showFailure, unitPrice, viewTitle } from "/web/portal/format.js";
import { catalogItems } from "/web/portal/products.js";

const safeId = (sku) => sku.replace(/[^A-Za-z0-9_-]/g, "_");

function productCard(item) {
  const qtyId = `qty-${safeId(item.sku)}`;
  const add = (event) => {
    event.preventDefault();
    const qty = event.target.elements.qty.value;
    addToCart(item, qty);
    announce(t("catalog.added", { qty: qty.trim(), name: item.name }), "ok");
  };
  return h(
    "li",
    { class: "product card", dataset: { sku: item.sku } },
    h("h3", {}, item.name),
    h("p", { class: "muted" }, t("catalog.sku", { sku: item.sku, unit: item.unit, pack: item.pack_size })),
    h(
      "p",
      { class: "price" },
      h("span", { class: "visually-hidden" }, t("catalog.price")),
      `${item.currency} ${unitPrice(item.unit_price)}`,
      h("span", { class: "muted" }, ` / ${item.unit}`),
    ),
    h(
      "p",
      { class: item.available > 0 ? "ok" : "danger" },
      item.available > 0 ? t("catalog.available", { n: item.available }) : t("catalog.out"),
    ),
    item.licence_kind ? h("p", { class: "warn" }, t("catalog.licence", { kind: item.licence_kind })) : null,
    item.promotions.length
      ? h("ul", { class: "promotions", "aria-label": t("catalog.promotions") }, item.promotions.map((p) => h("li", {}, promotionText(p))))
      : null,
    h(
      "form",
      { class: "add-form", novalidate: true, onsubmit: add },
      h("label", { for: qtyId }, t("catalog.qty"), h("span", { class: "visually-hidden" }, ` ${item.name}`)),
      h(
        "div",
        { class: "inline" },
        h("input", { id: qtyId, name: "qty", inputmode: "numeric", value: String(item.pack_size), size: "6", autocomplete: "off" }),
        h("button", { type: "submit", "aria-label": t("catalog.addNamed", { name: item.name }) }, t("catalog.add")),
      ),
    ),
  );
}

export function render(container) {
  const list = loadingNote();
  replace(container, viewTitle(t("catalog.title")), list);
  catalogItems({ fresh: true })
    .then((items) => {
      if (!items.length) replace(list, t("catalog.empty"));
      else list.replaceWith(h("ul", { class: "grid products" }, items.map(productCard)));
    })
    .catch((err) => showFailure(list, err));
}
