// The dealer's catalog, read once per page load: names for SKUs in the cart
// and on orders, which carry only the SKU.
import { getAll } from "/web/shared/api.js";

let loading = null;

// fresh: read it again (the catalog view shows availability as it is now).
export function catalogItems({ fresh = false } = {}) {
  if (fresh || !loading) loading = getAll("/api/v1/catalog");
  loading.catch(() => {
    loading = null; // a failed read is tried again next time
  });
  return loading;
}

export async function productNames() {
  try {
    return new Map((await catalogItems()).map((p) => [p.sku, p.name]));
  } catch {
    return new Map();
  }
}

export function forgetCatalog() {
  loading = null;
}
