// Building the page from data. Everything from the API goes in as text
// (textContent), never as HTML, so a dealer name or an ERP message cannot run
// as script.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      el.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (name === "dataset") {
      Object.assign(el.dataset, value);
    } else if (value === true) {
      el.setAttribute(name, "");
    } else {
      el.setAttribute(name, String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export const $ = (selector, root = document) => root.querySelector(selector);

// A region that scrolls sideways on a narrow screen (a wide table on a phone),
// named and focusable so the keyboard can scroll it too.
export const scrollRegion = (label, ...children) =>
  h("div", { class: "table-wrap", role: "region", "aria-label": label, tabindex: "0" }, ...children);

// "12345.5" -> "12,345.50": money stays a decimal string end to end (no float).
export function money(value) {
  if (value === null || value === undefined || value === "") return "";
  const text = String(value);
  const negative = text.startsWith("-");
  const [whole, fraction = ""] = text.replace(/^-/, "").split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${negative ? "-" : ""}${grouped}.${(fraction + "00").slice(0, 2)}`;
}

// An ISO time with offset -> the reader's local date and time.
export function when(iso, lang) {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  return date.toLocaleString(lang === "zh" ? "zh-CN" : "en-GB", { dateStyle: "medium", timeStyle: "short" });
}

// Announces a message to screen readers and shows it in the page's status area.
export function announce(text, kind = "info") {
  const region = document.getElementById("status");
  if (!region) return;
  region.dataset.kind = kind;
  region.textContent = text;
}
