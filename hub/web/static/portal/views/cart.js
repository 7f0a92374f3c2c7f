// The cart: quantities editable, the live quote (POST /orders/quote, debounced)
// with each line's price, amount, price trace and any shortage, then one
// idempotent submission (cart-store.js keeps its Idempotency-Key).
import { ApiError, idempotencyKey, post } from "/web/shared/api.js";
import { announce, h, money, replace } from "/web/shared/dom.js";
import { clearFieldError, showFieldError, showFieldErrors } from "/web/shared/fields.js";
import { t } from "/web/shared/i18n.js";
import { clearCart, loadCart, orderBody, saveCart } from "/web/portal/cart-store.js";
import { amount, dataTable, problemText, traceList, unitPrice, viewTitle } from "/web/portal/format.js";
import { go, href } from "/web/portal/router.js";

const QUOTE_DELAY_MS = 300;

// A refusal the hub has answered for sure (it keeps that answer under the
// key): a new attempt needs a new key. A network failure, a 5xx or a 429 may
// or may not have reached it: the key is kept so a retry cannot order twice.
// idempotency_conflict: another request with this key is still being worked on.
const definite = (err) =>
  err instanceof ApiError &&
  err.status >= 400 &&
  err.status < 500 &&
  ![408, 429].includes(err.status) &&
  err.code !== "idempotency_conflict";

// Refusals that name SKUs rather than fields: each message goes under that
// SKU's quantity.
function skuMessages(err) {
  if (!(err instanceof ApiError)) return [];
  if (err.code === "insufficient_stock") {
    return (err.problem.shortages || []).map((s) => ({
      sku: s.sku,
      message: t("cart.shortage", { requested: s.requested, available: s.available }),
    }));
  }
  if (err.code === "licence_required") {
    return (err.problem.missing || []).map((m) => ({ sku: m.sku, message: t("cart.licence", { kind: m.licence_kind }) }));
  }
  return [];
}

function lineRow(line, index, ui) {
  const inputId = `cart-qty-${index}`;
  const input = h("input", {
    id: inputId,
    inputmode: "numeric",
    value: line.qty,
    size: "6",
    autocomplete: "off",
    oninput: (event) => {
      const cart = loadCart();
      cart.lines[index].qty = event.target.value;
      saveCart(cart);
      ui.scheduleQuote();
    },
  });
  const remove = h(
    "button",
    {
      type: "button",
      class: "secondary",
      "aria-label": t("cart.removeNamed", { name: line.name }),
      onclick: () => {
        const cart = loadCart();
        cart.lines.splice(index, 1);
        saveCart(cart);
        announce(t("cart.removed", { name: line.name }));
        ui.rerender();
      },
    },
    t("cart.remove"),
  );
  const cells = {
    unitPrice: h("td", { class: "num", "data-col": "unit-price", "data-label": t("col.unitPrice") }),
    amount: h("td", { class: "num", "data-col": "amount", "data-label": t("col.amount") }),
    trace: h("td", { "data-col": "trace", "data-label": t("col.trace") }),
    shortage: h("p", { class: "warn", id: `cart-short-${index}` }),
  };
  const row = h(
    "tr",
    { dataset: { sku: line.sku } },
    h("th", { scope: "row" }, line.name, h("br"), h("span", { class: "muted" }, line.sku)),
    h(
      "td",
      { "data-label": t("col.qty") },
      h("label", { for: inputId, class: "visually-hidden" }, t("cart.qtyOf", { name: line.name })),
      h("div", { "data-field-group": true }, input),
      cells.shortage,
    ),
    cells.unitPrice,
    cells.amount,
    cells.trace,
    h("td", {}, remove),
  );
  return { row, input, cells, line };
}

function fieldInput(rows, extra) {
  return (field) => {
    const match = /^lines\[(\d+)\]\.(qty|sku)$/.exec(field);
    if (match) return rows[Number(match[1])]?.input || null;
    return extra[field] || null;
  };
}

export function render(container) {
  const cart = loadCart();
  const heading = viewTitle(t("cart.title"));
  if (!cart.lines.length) {
    replace(container, heading, h("p", {}, t("cart.empty"), " ", h("a", { href: href("catalog") }, t("cart.toCatalog"))));
    return;
  }
  const ui = {
    scheduleQuote: () => {},
    rerender: () => render(container),
  };
  const rows = cart.lines.map((line, index) => lineRow(line, index, ui));
  // The order's other fields, kept in the cart as they are typed.
  const kept = (tag, id, field, attrs = {}) => {
    const input = h(tag, {
      id,
      ...attrs,
      oninput: (e) => {
        const c = loadCart();
        c[field] = e.target.value;
        saveCart(c);
        ui.scheduleQuote();
      },
    });
    input.value = cart[field];
    return input;
  };
  const poInput = kept("input", "cart-po", "customerPo", { autocomplete: "off" });
  const remarkInput = kept("textarea", "cart-remark", "remark", { rows: "2" });
  const extra = { customer_po: poInput, remark: remarkInput };
  const inputFor = fieldInput(rows, extra);
  const allInputs = [...rows.map((r) => r.input), poInput, remarkInput];

  const quoteState = h("p", { class: "muted", id: "quote-state" });
  const quoteError = h("p", { class: "field-error", id: "quote-error" });
  const summary = h("div", { class: "quote-summary", id: "quote-summary" });
  const submitError = h("p", { class: "field-error", id: "submit-error", role: "alert" });
  const pendingNote = h("p", { class: "warn", id: "submit-pending" });
  const submit = h("button", { type: "button", id: "place-order" }, t("cart.submit"));

  function showPending() {
    pendingNote.textContent = loadCart().submissionKey ? t("cart.pending") : "";
  }

  function showSkuMessages(err) {
    for (const { sku, message } of skuMessages(err)) {
      const r = rows.find((x) => x.line.sku === sku);
      if (r) showFieldError(r.input, message);
    }
  }

  function clearErrors() {
    for (const input of allInputs) clearFieldError(input);
    quoteError.textContent = "";
  }

  function showQuote(quote) {
    const priced = new Map(quote.lines.filter((l) => !l.is_gift).map((l) => [l.sku, l]));
    const short = new Map(quote.shortages.map((s) => [s.sku, s]));
    for (const { line, cells } of rows) {
      const p = priced.get(line.sku);
      cells.unitPrice.textContent = p ? unitPrice(p.unit_price) : "";
      replace(
        cells.amount,
        p && p.list_amount !== p.amount ? h("s", { class: "muted" }, money(p.list_amount)) : null,
        p && p.list_amount !== p.amount ? h("br") : null,
        p ? money(p.amount) : "",
      );
      replace(cells.trace, p ? traceList(p.price_trace) : null);
      const s = short.get(line.sku);
      cells.shortage.textContent = s ? t("cart.shortage", { requested: s.requested, available: s.available }) : "";
    }
    const gifts = quote.lines.filter((l) => l.is_gift);
    const credit = quote.credit;
    replace(
      summary,
      gifts.length
        ? h("div", {}, h("h3", {}, t("cart.gifts")), h("ul", {}, gifts.map((g) => h("li", {}, `${g.sku} × ${g.qty}`, traceList(g.price_trace)))))
        : null,
      quote.discounts.length
        ? h("div", {}, h("h3", {}, t("cart.discounts")), h("ul", {}, quote.discounts.map((d) => h("li", {}, `${d.code}: -${amount(d.amount, quote.currency)}`))))
        : null,
      quote.warnings.length
        ? h("ul", { class: "warn" }, quote.warnings.map((w) => h("li", {}, w.message || w.code || JSON.stringify(w))))
        : null,
      h(
        "dl",
        { class: "figures" },
        h("dt", {}, t("cart.total")),
        h("dd", { id: "quote-total" }, amount(quote.total, quote.currency)),
        h("dt", {}, t("cart.tax")),
        h("dd", {}, amount(quote.tax_total, quote.currency)),
        h("dt", {}, t("cart.warehouse")),
        h("dd", {}, quote.warehouse),
        credit.credit_limit !== null ? h("dt", {}, t("cart.headroomAfter")) : null,
        credit.credit_limit !== null
          ? h("dd", { class: credit.within_limit ? "" : "danger" }, amount(credit.headroom_after, quote.currency))
          : null,
      ),
      quote.shortages.length ? h("p", { class: "warn" }, t("cart.shortWarning")) : null,
      credit.within_limit ? null : h("p", { class: "danger" }, t("cart.overLimit")),
    );
  }

  let timer = null;
  let inFlight = null;
  async function refreshQuote() {
    if (inFlight) inFlight.abort();
    const controller = new AbortController();
    inFlight = controller;
    quoteState.textContent = t("cart.quoting");
    try {
      const quote = await post("/api/v1/orders/quote", orderBody(loadCart()), { signal: controller.signal });
      clearErrors();
      showQuote(quote);
      quoteState.textContent = t("cart.quoted");
    } catch (err) {
      if (err.name === "AbortError") return;
      clearErrors();
      replace(summary);
      for (const r of rows) {
        r.cells.unitPrice.textContent = "";
        replace(r.cells.amount);
        replace(r.cells.trace);
        r.cells.shortage.textContent = "";
      }
      showSkuMessages(err);
      const unplaced = err instanceof ApiError ? showFieldErrors(err, inputFor) : [];
      quoteError.textContent = err instanceof ApiError && err.fields.length ? unplaced.join(" ") : problemText(err);
      quoteState.textContent = t("cart.quoteFailed");
    } finally {
      if (inFlight === controller) inFlight = null;
    }
  }
  ui.scheduleQuote = () => {
    clearTimeout(timer);
    quoteState.textContent = t("cart.quoting");
    timer = setTimeout(() => container.isConnected && refreshQuote(), QUOTE_DELAY_MS);
  };

  async function placeOrder() {
    const current = loadCart();
    if (!current.lines.length) return;
    if (!current.submissionKey) {
      current.submissionKey = idempotencyKey();
      saveCart(current);
    }
    submit.disabled = true;
    submitError.textContent = "";
    announce(t("cart.submitting"));
    try {
      const order = await post("/api/v1/orders", orderBody(current), { idempotencyKey: current.submissionKey });
      clearCart();
      announce(t("cart.placed", { no: order.order_no }), "ok");
      go("orders", order.order_no);
      return;
    } catch (err) {
      // Another click's request already placed the order and left this view.
      if (!container.isConnected) return;
      if (definite(err)) {
        const after = loadCart();
        after.submissionKey = null;
        saveCart(after);
      }
      clearErrors();
      showSkuMessages(err);
      const unplaced = err instanceof ApiError ? showFieldErrors(err, inputFor) : [];
      const reused = err instanceof ApiError && err.code === "idempotency_key_reused";
      replace(
        submitError,
        [problemText(err), ...unplaced].join(" "),
        definite(err) ? "" : ` ${t("cart.retrySafe")}`,
        reused ? h("span", {}, " ", h("a", { href: href("orders") }, t("cart.checkOrders"))) : null,
      );
      announce(problemText(err), "error");
    } finally {
      if (container.isConnected) {
        submit.disabled = false;
        showPending();
      }
    }
  }
  submit.addEventListener("click", placeOrder);

  const table = dataTable({
    id: "cart-lines",
    className: "cart-lines",
    caption: t("cart.lines"),
    columns: [["col.product"], ["col.qty"], ["col.unitPrice", "num"], ["col.amount", "num"], ["col.trace"], ["col.actions", "hidden"]],
    rows: rows.map((r) => r.row),
  });
  replace(
    container,
    heading,
    table,
    quoteState,
    quoteError,
    summary,
    h(
      "div",
      { class: "order-extras" },
      h("label", { for: "cart-po" }, t("cart.po")),
      h("div", { "data-field-group": true }, poInput),
      h("label", { for: "cart-remark" }, t("cart.remark")),
      h("div", { "data-field-group": true }, remarkInput),
    ),
    pendingNote,
    h("div", { class: "actions" }, submit),
    submitError,
  );
  showPending();
  refreshQuote();
}
