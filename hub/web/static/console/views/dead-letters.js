// Dead letters: jobs that failed for good, with why; replay or discard each.
// A refusal (409 not_replayable, ...) is shown in the row it is about.
import { ApiError, post } from "/web/shared/api.js";
import { announce, h, replace, when } from "/web/shared/dom.js";
import { language, t } from "/web/shared/i18n.js";
import { heading, pagedList, select, showFailure } from "/web/console/common.js";

const STATUSES = ["open", "replay_requested", "replayed", "discarded", ""];

function jobText(letter) {
  const args = letter.job_args.length ? JSON.stringify(letter.job_args) : "";
  const kwargs = Object.keys(letter.job_kwargs).length ? JSON.stringify(letter.job_kwargs) : "";
  return [args, kwargs].filter(Boolean).join(" ");
}

function statusText(letter) {
  const text = t(`dl.status.${letter.status}`);
  if (!letter.replayed_by) return text;
  return `${text} (${letter.replayed_by}, ${when(letter.replayed_at, language())})`;
}

function letterCard(letter) {
  const error = h("p", { class: "field-error", role: "alert", id: `dl-${letter.id}-error` });
  const status = h("dd", { "data-status": letter.status }, statusText(letter));
  const buttons = [];
  async function act(action, button) {
    error.textContent = "";
    for (const b of buttons) b.disabled = true;
    try {
      const updated = await post(`/api/v1/dead-letters/${letter.id}/${action}`);
      Object.assign(letter, updated);
      replace(status, statusText(letter));
      status.dataset.status = letter.status;
      for (const b of buttons) b.hidden = true;
      announce(t(`dl.${action}.done`, { id: letter.id }), "ok");
    } catch (err) {
      error.textContent = err instanceof ApiError ? err.message : String(err);
      for (const b of buttons) b.disabled = false;
      button.focus();
    }
  }
  if (letter.status === "open") {
    const replay = h("button", { type: "button", "aria-describedby": error.id }, t("dl.replay"));
    const discard = h("button", { type: "button", class: "secondary", "aria-describedby": error.id }, t("dl.discard"));
    replay.addEventListener("click", () => act("replay", replay));
    discard.addEventListener("click", () => act("discard", discard));
    buttons.push(replay, discard);
  }
  return h(
    "article",
    { class: "card letter", "data-letter": String(letter.id), "aria-labelledby": `dl-${letter.id}-title` },
    h("h3", { id: `dl-${letter.id}-title` }, t("dl.title", { id: letter.id, actor: letter.actor })),
    h(
      "dl",
      { class: "facts" },
      h("dt", {}, t("dl.reason")),
      // The error usually starts with its class already; say it once.
      h("dd", { class: "reason" }, letter.error.startsWith(letter.error_class) ? null : [h("code", {}, letter.error_class), " "], letter.error),
      h("dt", {}, t("dl.job")),
      h("dd", {}, h("code", {}, jobText(letter) || "-")),
      h("dt", {}, t("dl.queue")),
      h("dd", {}, letter.queue),
      h("dt", {}, t("dl.attempts")),
      h("dd", {}, String(letter.attempts)),
      h("dt", {}, t("dl.created")),
      h("dd", {}, when(letter.created_at, language())),
      h("dt", {}, t("dl.status")),
      status,
    ),
    buttons.length ? h("p", { class: "actions" }, buttons) : null,
    error,
  );
}

export async function render(view, session, params) {
  const chosen = STATUSES.includes(params.get("status") ?? "open") ? params.get("status") ?? "open" : "open";
  const [label, filter] = select(
    "dl-status",
    "dl.filter",
    STATUSES.map((s) => [s, t(s ? `dl.status.${s}` : "filter.all")]),
    chosen,
  );
  filter.addEventListener("change", () => {
    location.hash = filter.value ? `#/dead-letters?status=${filter.value}` : "#/dead-letters?status=";
  });
  const list = h("div", { class: "letters" });
  const holder = h("div");
  replace(view, heading("nav.dead-letters"), h("div", { class: "filters" }, h("div", {}, label, filter)), list, holder);
  const path = chosen ? `/api/v1/dead-letters?status=${chosen}` : "/api/v1/dead-letters";
  try {
    const first = await pagedList(path, holder, (items) => list.append(...items.map(letterCard)))();
    if (!first.length) list.append(h("p", {}, t("dl.none")));
  } catch (err) {
    showFailure(view, err, session);
  }
}
