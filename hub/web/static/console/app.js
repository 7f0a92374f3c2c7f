// The operations console (admins, integrators): after login, one view per hash route.
import { h } from "/web/shared/dom.js";
import { startShell } from "/web/shared/shell.js";
import { strings } from "/web/console/strings.js";

startShell({
  strings,
  render(session, view) {
    view.append(h("p", {}, session.role));
  },
});
