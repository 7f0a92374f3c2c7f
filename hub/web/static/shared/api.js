// The pages' one way to call /api/v1. The session cookie (HttpOnly: no script
// can read the token) authenticates; every change carries the CSRF token the
// login gave; a refusal becomes an ApiError holding the RFC 9457 problem, so a
// page can show its message next to the field it names.

let csrfToken = null;

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.code = problem.code || "error";
    this.problem = problem;
    // [{field: "lines[0].qty", message: "..."}] for a 422; empty otherwise.
    this.fields = Array.isArray(problem.errors) ? problem.errors : [];
  }

  // The message for one field ("lines[0].qty", "idempotency-key"), or null.
  messageFor(field) {
    const hit = this.fields.find((e) => e.field === field);
    return hit ? hit.message : null;
  }
}

function newKey() {
  return crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(16).slice(2)}`;
}

// A fresh Idempotency-Key. Keep it with what the user is submitting and send
// the same key again on a retry or a second click: the hub answers both with
// the same order.
export { newKey as idempotencyKey };

export async function api(method, path, { body, form, idempotencyKey, signal } = {}) {
  // X-Requested-With: opening a session needs it (no cross-site form can send it).
  const headers = { Accept: "application/json", "X-Requested-With": "dms-hub" };
  let payload;
  if (form) {
    payload = new URLSearchParams(form);
  } else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  if (method !== "GET" && csrfToken) headers["X-CSRF-Token"] = csrfToken;
  if (idempotencyKey) headers["Idempotency-Key"] = idempotencyKey;
  let response;
  try {
    response = await fetch(path, { method, headers, body: payload, credentials: "same-origin", signal });
  } catch (err) {
    if (err.name === "AbortError") throw err;
    throw new ApiError(0, { code: "network", detail: String(err.message || err) });
  }
  if (response.status === 204) return null;
  const type = response.headers.get("Content-Type") || "";
  const data = type.includes("json") ? await response.json() : await response.text();
  if (!response.ok) {
    const problem = typeof data === "object" && data ? data : { detail: String(data) };
    throw new ApiError(response.status, problem);
  }
  return data;
}

export const get = (path, options) => api("GET", path, options);
export const post = (path, body, options = {}) => api("POST", path, { ...options, body });

// Follows next_cursor until the list is whole or `max` items are read.
export async function getAll(path, max = 1000) {
  const items = [];
  let cursor = null;
  do {
    const sep = path.includes("?") ? "&" : "?";
    const page = await get(cursor ? `${path}${sep}cursor=${encodeURIComponent(cursor)}` : path);
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor && items.length < max);
  return items;
}

export async function login(username, password) {
  const session = await api("POST", "/api/v1/auth/session", { form: { username, password } });
  csrfToken = session.csrf_token;
  return session;
}

// The logged-in user, or null. A reloaded page calls this to get its CSRF
// token back (it is kept in memory only).
export async function currentSession() {
  try {
    const session = await get("/api/v1/auth/session");
    csrfToken = session.csrf_token;
    return session;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return null;
    throw err;
  }
}

export async function logout() {
  try {
    await api("DELETE", "/api/v1/auth/session");
  } finally {
    csrfToken = null;
  }
}
