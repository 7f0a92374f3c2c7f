// The static checks of tests/web/a11y.py, run in the page (page.evaluate).
() => {
  const problems = [];
  const visible = (el) => {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return box.width > 0 && box.height > 0 && style.visibility !== "hidden" && style.display !== "none";
  };
  const describe = (el) => {
    let text = el.tagName.toLowerCase();
    if (el.id) text += "#" + el.id;
    if (el.name) text += `[name=${el.name}]`;
    const content = (el.textContent || "").trim().slice(0, 30);
    return content ? `${text} "${content}"` : text;
  };
  const name = (el) => {
    const label = el.getAttribute("aria-label") || el.getAttribute("title");
    if (label && label.trim()) return label.trim();
    const by = el.getAttribute("aria-labelledby");
    if (by) {
      const text = by.split(/\s+/).map((id) => document.getElementById(id)?.textContent || "").join(" ").trim();
      if (text) return text;
    }
    if (el.labels && el.labels.length) return [...el.labels].map((l) => l.textContent.trim()).join(" ");
    if (["BUTTON", "A", "SUMMARY"].includes(el.tagName) || el.getAttribute("role") === "button") {
      const text = (el.textContent || "").trim();
      if (text) return text;
      const img = el.querySelector("img[alt]");
      if (img && img.alt.trim()) return img.alt.trim();
    }
    return "";
  };

  if (!document.documentElement.lang) problems.push("html has no lang");
  if (!document.title.trim()) problems.push("the page has no title");

  const controls = document.querySelectorAll(
    "input:not([type=hidden]), select, textarea, button, a[href], [role=button], [tabindex]:not([tabindex='-1'])"
  );
  for (const el of controls) {
    if (!visible(el)) continue;
    if (!name(el)) problems.push(`no accessible name: ${describe(el)}`);
  }
  for (const img of document.querySelectorAll("img")) {
    if (visible(img) && !img.hasAttribute("alt")) problems.push(`image without alt: ${img.src}`);
  }

  const rgba = (text) => {
    const m = text.match(/rgba?\(([^)]+)\)/);
    if (!m) return [0, 0, 0, 0];
    const parts = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
    return [parts[0], parts[1], parts[2], parts.length > 3 ? parts[3] : 1];
  };
  const luminance = ([r, g, b]) => {
    const channel = (c) => {
      const s = c / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  };
  const background = (el) => {
    for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
      const colour = rgba(getComputedStyle(node).backgroundColor);
      if (colour[3] >= 0.99) return colour;
    }
    return [255, 255, 255, 1];
  };
  const seen = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || seen.has(el) || !node.textContent.trim() || !visible(el)) continue;
    if (el.closest("option, .visually-hidden, .skip-link, script, style")) continue;
    seen.add(el);
    const style = getComputedStyle(el);
    const fg = rgba(style.color);
    const bg = background(el);
    // Text drawn half transparent over its background: blend it.
    const alpha = fg[3] * parseFloat(style.opacity || "1");
    const blended = [0, 1, 2].map((i) => fg[i] * alpha + bg[i] * (1 - alpha));
    const [light, dark] = [luminance(blended), luminance(bg)].sort((a, b) => b - a);
    const ratio = (light + 0.05) / (dark + 0.05);
    const size = parseFloat(style.fontSize);
    const bold = parseInt(style.fontWeight, 10) >= 700;
    const needed = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    if (el.closest("button:disabled, input:disabled, select:disabled, textarea:disabled")) continue;
    if (ratio < needed) {
      problems.push(`contrast ${ratio.toFixed(2)} < ${needed}: ${describe(el)}`);
    }
  }
  return problems;
}
