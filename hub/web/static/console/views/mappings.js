// The mapping tester: pick a mapping file, paste a sample (or start from a
// golden one), see the mapped record, or each error with the line it is on.
// The pasted text is never touched by an error.
import { ApiError, get, post } from "/web/shared/api.js";
import { announce, h, replace } from "/web/shared/dom.js";
import { t } from "/web/shared/i18n.js";
import { heading, showFailure } from "/web/console/common.js";

// Kept across language switches and route changes: what the user typed.
const draft = { mapping: "", sample: "", xref: "none", golden: null };

function lineRange(text, line) {
  const lines = text.split("\n");
  const start = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
  return [start, start + (lines[line - 1] || "").length];
}

function goTo(textarea, line) {
  const [start, end] = lineRange(textarea.value, line);
  textarea.focus();
  textarea.setSelectionRange(start, end);
  // Scroll the line into view: the textarea's line height times the line.
  const lineHeight = parseFloat(getComputedStyle(textarea).lineHeight) || 20;
  textarea.scrollTop = Math.max(0, (line - 3) * lineHeight);
}

function errorItem(error, textarea) {
  const parts = [];
  if (error.field && error.field !== "sample") parts.push(h("code", {}, error.field), ": ");
  parts.push(error.message);
  if (error.value !== undefined) parts.push(" ", t("map.value", { value: error.value }));
  const where = [];
  if (error.mapping_line) where.push(t("map.mapping_line", { line: error.mapping_line }));
  if (error.line) {
    const at = error.column ? t("map.line_col", { line: error.line, column: error.column }) : t("map.line", { line: error.line });
    const link = h("button", { type: "button", class: "link", "data-line": String(error.line) }, at);
    link.addEventListener("click", () => goTo(textarea, error.line));
    where.push(link);
    const text = textarea.value.split("\n")[error.line - 1] ?? "";
    return h(
      "li",
      { "data-line": String(error.line) },
      where.flatMap((w, i) => (i ? [", ", w] : [w])),
      ": ",
      parts,
      h("pre", { class: "sample-line" }, h("span", { class: "line-no" }, `${error.line} | `), h("mark", {}, text)),
    );
  }
  return h("li", {}, where.length ? [where.join(", "), ": "] : null, parts);
}

export async function render(view, session) {
  let files;
  try {
    files = (await get("/api/v1/mappings")).items;
  } catch (err) {
    showFailure(view, err, session);
    return;
  }
  let connectors = [];
  try {
    connectors = await get("/api/v1/connectors");
  } catch (err) {
    announce(err.message, "error");
  }
  const byName = new Map(files.map((f) => [f.mapping, f]));
  if (!byName.has(draft.mapping)) draft.mapping = files.length ? files[0].mapping : "";

  const folders = [...new Set(files.map((f) => f.folder))];
  const mappingSelect = h(
    "select",
    { id: "map-file", name: "mapping", "aria-describedby": "map-file-error map-file-about" },
    folders.map((folder) =>
      h("optgroup", { label: folder }, files.filter((f) => f.folder === folder).map((f) => h("option", { value: f.mapping }, f.mapping))),
    ),
  );
  mappingSelect.value = draft.mapping;
  const about = h("p", { id: "map-file-about", class: "muted" });
  const fileError = h("p", { id: "map-file-error", class: "field-error", role: "alert" });

  const goldenSelect = h("select", { id: "map-golden", name: "golden" });
  const useGolden = h("button", { type: "button", class: "secondary" }, t("map.use_golden"));
  const goldenRow = h("div", { class: "inline" }, h("label", { for: "map-golden" }, t("map.golden")), goldenSelect, useGolden);

  const xrefSelect = h("select", { id: "map-xref", name: "xref", "aria-describedby": "map-xref-error" });
  const xrefError = h("p", { id: "map-xref-error", class: "field-error", role: "alert" });

  const textarea = h("textarea", { id: "map-sample", name: "sample", rows: "14", spellcheck: "false", "aria-describedby": "map-sample-errors" });
  textarea.value = draft.sample;
  const sampleErrors = h("div", { id: "map-sample-errors", role: "alert", class: "field-error" });
  const tryButton = h("button", { type: "submit" }, t("map.try"));
  const result = h("section", { class: "result", "aria-live": "polite" });

  function fillGoldens() {
    const file = byName.get(mappingSelect.value);
    const samples = file ? file.samples : [];
    replace(goldenSelect, samples.map((s) => h("option", { value: s.name }, s.name)));
    goldenRow.hidden = !samples.length;
    replace(
      about,
      file ? [file.system, file.entity, file.direction].filter(Boolean).join(" / ") : "",
      file && file.description ? ` — ${file.description}` : "",
    );
    replace(fileError, file && file.problems.length ? file.problems.join("; ") : "");
    fillXref();
  }

  function fillXref() {
    const golden = draft.golden && draft.golden.mapping === mappingSelect.value ? draft.golden : null;
    const options = [["none", t("map.xref.none")]];
    if (golden && golden.xref) options.push(["golden", t("map.xref.golden", { name: golden.name })]);
    for (const c of connectors) options.push([`connector:${c.name}`, t("map.xref.connector", { name: c.name })]);
    replace(xrefSelect, options.map(([v, text]) => h("option", { value: v }, text)));
    xrefSelect.value = options.some(([v]) => v === draft.xref) ? draft.xref : "none";
  }

  function clearErrors() {
    for (const el of [fileError, xrefError, sampleErrors]) replace(el);
    textarea.removeAttribute("aria-invalid");
    mappingSelect.removeAttribute("aria-invalid");
    xrefSelect.removeAttribute("aria-invalid");
  }

  mappingSelect.addEventListener("change", () => {
    draft.mapping = mappingSelect.value;
    clearErrors();
    fillGoldens();
  });
  xrefSelect.addEventListener("change", () => (draft.xref = xrefSelect.value));
  textarea.addEventListener("input", () => (draft.sample = textarea.value));
  useGolden.addEventListener("click", () => {
    const file = byName.get(mappingSelect.value);
    const sample = file && file.samples.find((s) => s.name === goldenSelect.value);
    if (!sample) return;
    textarea.value = draft.sample = sample.sample;
    draft.golden = { mapping: file.mapping, name: sample.name, xref: sample.xref };
    draft.xref = sample.xref ? "golden" : "none";
    fillXref();
    clearErrors();
    announce(t("map.golden_used", { name: sample.name }), "ok");
    textarea.focus();
  });

  const form = h(
    "form",
    { class: "card mapping-form", novalidate: true },
    h("label", { for: "map-file" }, t("map.file")),
    mappingSelect,
    about,
    fileError,
    goldenRow,
    h("label", { for: "map-xref" }, t("map.xref")),
    xrefSelect,
    xrefError,
    h("label", { for: "map-sample" }, t("map.sample")),
    textarea,
    sampleErrors,
    h("p", {}, tryButton),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors();
    replace(result);
    const body = { mapping: mappingSelect.value, sample: textarea.value };
    if (xrefSelect.value === "golden" && draft.golden) body.xref = draft.golden.xref;
    else if (xrefSelect.value.startsWith("connector:")) body.connector = xrefSelect.value.slice("connector:".length);
    tryButton.disabled = true;
    try {
      const answer = await post("/api/v1/mappings/test", body);
      replace(result, h("h3", {}, t("map.result")), h("pre", { class: "json", tabindex: "0", "aria-label": t("map.result") }, answer.text));
      announce(t("map.ok"), "ok");
    } catch (err) {
      showRefusal(err);
    } finally {
      tryButton.disabled = false;
    }
  });

  function showRefusal(err) {
    if (!(err instanceof ApiError)) {
      announce(String(err), "error");
      return;
    }
    announce(err.message, "error");
    if (err.status === 403) {
      showFailure(view, err, session);
      return;
    }
    if (err.status === 404) {
      mappingSelect.setAttribute("aria-invalid", "true");
      fileError.textContent = err.message;
      return;
    }
    const connectorMessage = err.messageFor("connector") || err.messageFor("xref");
    if (connectorMessage) {
      xrefSelect.setAttribute("aria-invalid", "true");
      xrefError.textContent = connectorMessage;
    }
    const mappingErrors = err.fields.filter((e) => e.field === "mapping");
    if (mappingErrors.length) fileError.textContent = mappingErrors.map((e) => e.message).join("; ");
    const sampleErrorsList = err.fields.filter((e) => !["connector", "xref", "mapping"].includes(e.field));
    if (sampleErrorsList.length || err.status === 413 || !err.fields.length) {
      textarea.setAttribute("aria-invalid", "true");
      replace(
        sampleErrors,
        h("p", {}, err.message),
        sampleErrorsList.length ? h("ul", { class: "errors" }, sampleErrorsList.map((e) => errorItem(e, textarea))) : null,
      );
    }
  }

  replace(view, heading("nav.mappings"), form, result);
  fillGoldens();
  if (!files.length) replace(about, t("map.none"));
}
