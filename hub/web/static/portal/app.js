// The dealer portal: after login, one view per hash route.
import { h } from "/web/shared/dom.js";
import { startShell } from "/web/shared/shell.js";
import { strings } from "/web/portal/strings.js";

startShell({
  strings,
  render(session, view) {
    view.append(h("p", {}, session.dealer_code || ""));
  },
});
