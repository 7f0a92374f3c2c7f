"""A basic accessibility audit of the page as it is shown: the checks of
issue 13 item 5 (labels, keyboard use, visible focus, contrast), read off the
real rendered page in Chromium. ``audit(page)`` lists what is wrong, each
naming the element, so a test can assert it is empty and a failure says where.

Contrast follows WCAG 2.x: 4.5:1 for text, 3:1 for large text (24px, or
18.66px bold); the background is the first opaque one up the tree."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page

_STATIC_CHECKS = (Path(__file__).parent / "a11y.js").read_text()

_FOCUS_SHOWN = """
() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const outlined = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  const shadowed = style.boxShadow && style.boxShadow !== "none";
  let label = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "");
  const text = (el.textContent || el.getAttribute("aria-label") || "").trim().slice(0, 30);
  if (text) label += ` "${text}"`;
  return {label, shown: outlined || shadowed};
}
"""


def audit(page: Page, *, max_tabs: int = 60) -> list[str]:
    """What is wrong with the page now. Also walks the page with Tab: every
    element the keyboard reaches must show where the focus is."""
    problems: list[str] = list(page.evaluate(_STATIC_CHECKS))
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    first: str | None = None
    for _ in range(max_tabs):
        page.keyboard.press("Tab")
        focused = page.evaluate(_FOCUS_SHOWN)
        if focused is None:
            continue
        if focused["label"] == first:
            break  # round the whole page once
        first = first or focused["label"]
        if not focused["shown"]:
            problems.append(f"focus not visible on {focused['label']}")
    if first is None:
        problems.append("Tab reaches nothing on the page")
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    return problems
