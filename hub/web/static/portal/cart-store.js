// The cart, kept in sessionStorage per user so a reload keeps it (its
// contents are not secrets; the session token is never stored here). It also
// keeps the Idempotency-Key of a submission in flight: created when the
// dealer presses submit, dropped only once the hub answered for sure, so a
// double click, a retry or a reload-and-resubmit gives the same order.

let owner = "anonymous";

export function useCartOf(username) {
  owner = username;
}

const storageKey = () => `dms_portal_cart:${owner}`;

function empty() {
  return { lines: [], customerPo: "", remark: "", submissionKey: null };
}

// {lines: [{sku, name, qty: "as typed"}], customerPo, remark, submissionKey}
export function loadCart() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(storageKey()) || "null");
    return saved && Array.isArray(saved.lines) ? { ...empty(), ...saved } : empty();
  } catch {
    return empty();
  }
}

export function saveCart(cart) {
  sessionStorage.setItem(storageKey(), JSON.stringify(cart));
  document.dispatchEvent(new CustomEvent("cartchange"));
}

export function clearCart() {
  saveCart(empty());
}

const isCount = (text) => /^\d+$/.test(String(text).trim());

// Adds qty of a product; a product already in the cart gets the quantities added.
export function addToCart({ sku, name }, qty) {
  const cart = loadCart();
  const line = cart.lines.find((l) => l.sku === sku);
  if (!line) cart.lines.push({ sku, name, qty: String(qty).trim() });
  else if (isCount(line.qty) && isCount(qty)) line.qty = String(Number(line.qty) + Number(qty));
  else line.qty = String(qty).trim();
  saveCart(cart);
  return cart;
}

export const cartCount = () => loadCart().lines.length;

// The body of a quote or an order. A quantity that is not a whole number is
// sent as typed: the hub refuses it and names the line, and the page shows its
// message next to the input.
export function orderBody(cart) {
  const body = {
    lines: cart.lines.map((l) => ({ sku: l.sku, qty: isCount(l.qty) ? Number(l.qty) : l.qty })),
  };
  if (cart.customerPo.trim()) body.customer_po = cart.customerPo.trim();
  if (cart.remark.trim()) body.remark = cart.remark.trim();
  return body;
}
