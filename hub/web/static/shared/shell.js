// What the portal and the console share around their views: the language
// switch, the login form, who is logged in, logging out. A page calls
// startShell with its strings and a render(session) for the logged-in view.
import { ApiError, currentSession, login, logout } from "/web/shared/api.js";
import { $, announce, replace } from "/web/shared/dom.js";
import { apply, language, register, setLanguage, t } from "/web/shared/i18n.js";
import { strings as shared } from "/web/shared/strings.js";

export async function startShell({ strings, render }) {
  register(shared);
  register(strings);
  const state = { session: null };

  function show() {
    const session = state.session;
    $("#login").hidden = Boolean(session);
    $("#logout").hidden = !session;
    $("#who").textContent = session
      ? `${session.username}${session.dealer_code ? ` (${session.dealer_code})` : ""}`
      : "";
    replace($("#view"));
    // A page's nav (if it has one) is for the logged-in view only.
    const nav = $("#nav");
    if (nav && !session) replace(nav).hidden = true;
    if (session) render(session, $("#view"));
    else $("#username").focus();
  }

  apply();
  $("#lang").value = language();
  $("#lang").addEventListener("change", (e) => setLanguage(e.target.value));
  document.addEventListener("languagechange", () => state.session && show());
  $("#login-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    const error = $("#login-error");
    error.textContent = "";
    try {
      state.session = await login(form.username.value, form.password.value);
      form.password.value = "";
      announce(t("login.welcome", { name: state.session.username }), "ok");
      show();
    } catch (err) {
      error.textContent = err instanceof ApiError ? err.message : String(err);
      form.password.focus();
    }
  });
  $("#logout").addEventListener("click", async () => {
    await logout();
    state.session = null;
    announce(t("logout.done"), "ok");
    show();
  });
  try {
    state.session = await currentSession();
  } catch (err) {
    announce(String(err.message || err), "error");
  }
  show();
}
