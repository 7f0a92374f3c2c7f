"""The web pages' static files, read as files: shipped in the package, every
import resolving, and nothing the Content-Security-Policy would block or that
could turn API data into markup."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "hub" / "web" / "static"
FILES = sorted(p for p in STATIC.rglob("*") if p.is_file())
SCRIPTS = [p for p in FILES if p.suffix == ".js"]
PAGES = [p for p in FILES if p.suffix == ".html"]
IMPORT = re.compile(r"""^\s*(?:import|export)\s[^'"]*?from\s+["']([^"']+)["']""", re.M)
SRC = re.compile(r"""(?:src|href)=["']([^"']+)["']""")


def test_there_are_pages_and_scripts() -> None:
    assert {p.parent.name for p in PAGES} >= {"portal", "console"}
    assert len(SCRIPTS) >= 5


def test_every_static_file_is_package_data() -> None:
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"
    ]["hub"]
    shipped = [_glob(p) for p in patterns]
    for path in FILES:
        relative = path.relative_to(ROOT / "hub").as_posix()
        assert any(p.fullmatch(relative) for p in shipped), f"{relative} is not shipped"


def _glob(pattern: str) -> re.Pattern[str]:
    """setuptools' package-data glob (``**`` any folders, ``*`` within one)."""
    parts = re.split(r"(\*\*/|\*)", pattern)
    wild = {"**/": "(?:.*/)?", "*": "[^/]*"}
    return re.compile("".join(wild.get(part, re.escape(part)) for part in parts))


def _target(source: Path, reference: str) -> Path:
    if reference.startswith("/web/"):
        return STATIC / reference.removeprefix("/web/")
    return (source.parent / reference).resolve()


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: str(p.relative_to(STATIC)))
def test_every_import_resolves_and_no_markup_comes_from_data(script: Path) -> None:
    text = script.read_text()
    for reference in IMPORT.findall(text):
        assert _target(script, reference).is_file(), f"{script.name} imports {reference}"
    # API data goes in as text (dom.js h()): markup from strings could run script.
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in text, f"{script.name} uses {sink}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(STATIC)))
def test_pages_load_only_their_own_files_and_nothing_inline(page: Path) -> None:
    text = page.read_text()
    for reference in SRC.findall(text):
        if reference.startswith("#"):
            continue
        assert reference.startswith("/web/"), f"{page.name} loads {reference}"
        assert _target(page, reference).is_file(), f"{page.name} loads {reference}"
    # The CSP admits no inline script, style attribute or handler attribute.
    assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", text), "inline <script>"
    assert not re.search(r"\sstyle=", text), "style attribute"
    assert not re.search(r"\son[a-z]+=", text), "inline event handler"
    assert '<html lang="' in text
    assert '<meta name="viewport"' in text
