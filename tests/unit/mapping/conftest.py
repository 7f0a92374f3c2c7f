"""Helpers for mapping tests: write a small mapping file and load it."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from connectors.mapping import Mapping, load_mapping

REPO_ROOT = Path(__file__).resolve().parents[3]
SHIPPED = REPO_ROOT / "mappings"


def mapping_text(body: str, *, direction: str = "out", header: str = "") -> str:
    """A complete file: the fixed header, extra top-level settings, then ``body``."""
    top = f"version: 1\nsystem: test\nentity: thing\ndirection: {direction}\n"
    return top + textwrap.dedent(header) + textwrap.dedent(body)


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    def write_file(body: str, *, name: str = "thing.yaml", **options: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(mapping_text(body, **options), encoding="utf-8")
        return path

    return write_file


@pytest.fixture
def make(write: Callable[..., Path]) -> Callable[..., Mapping]:
    def make_mapping(body: str, **options: str) -> Mapping:
        return load_mapping(write(body, **options))

    return make_mapping
