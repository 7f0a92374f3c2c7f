// Chinese and English. A page registers its strings per language; elements
// carry data-i18n="key" (text), data-i18n-placeholder, data-i18n-aria-label or
// data-i18n-title, and apply() fills them in the chosen language. The choice
// (not a secret) is remembered in localStorage.

const catalogs = { zh: {}, en: {} };
let current = pickLanguage();

function pickLanguage() {
  const saved = localStorage.getItem("dms_lang");
  if (saved === "zh" || saved === "en") return saved;
  return (navigator.language || "zh").toLowerCase().startsWith("zh") ? "zh" : "en";
}

export function register(strings) {
  for (const lang of Object.keys(catalogs)) Object.assign(catalogs[lang], strings[lang] || {});
}

export const language = () => current;

// t("cart.total", {amount: "12.00"}) -> "合计 12.00"; an unknown key shows itself.
export function t(key, params = {}) {
  const text = catalogs[current][key] ?? catalogs.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in params ? String(params[name]) : `{${name}}`));
}

export function apply(root = document) {
  document.documentElement.lang = current === "zh" ? "zh-CN" : "en";
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const attr of ["placeholder", "aria-label", "title"]) {
    const data = `data-i18n-${attr}`;
    for (const el of root.querySelectorAll(`[${data}]`)) el.setAttribute(attr, t(el.getAttribute(data)));
  }
}

export function setLanguage(lang) {
  if (!(lang in catalogs)) return;
  current = lang;
  localStorage.setItem("dms_lang", lang);
  apply();
  document.dispatchEvent(new CustomEvent("languagechange", { detail: lang }));
}
