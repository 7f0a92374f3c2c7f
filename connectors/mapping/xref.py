"""Cross-reference tables: hub codes to a system's codes and back.

The engine only asks ``lookup(table, key)``. The hub's database-backed
implementation (later) answers from ``product_erp_codes`` and ``dealers``,
built for one system; this module ships the in-memory one that tests, the CLI
and golden samples use. Table names used by the shipped mappings:

    erp_material       hub SKU         -> the system's material code
    erp_material_sku   material code   -> hub SKU
    erp_customer       hub dealer code -> the system's customer code
    erp_customer_dealer customer code  -> hub dealer code
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

from dms_domain.errors import InvalidInput


class CrossReference(Protocol):
    """Answers ``None`` when the table has no entry for the key."""

    def lookup(self, table: str, key: str) -> str | None: ...


class InMemoryCrossReference:
    """Tables held in dicts: ``{"erp_material": {"SKU-1": "M-0001"}, ...}``."""

    def __init__(self, tables: Mapping[str, Mapping[str, str]] | None = None) -> None:
        self._tables: dict[str, dict[str, str]] = {
            name: dict(entries) for name, entries in (tables or {}).items()
        }

    def lookup(self, table: str, key: str) -> str | None:
        entries = self._tables.get(table)
        return None if entries is None else entries.get(key)

    def add(self, table: str, key: str, code: str) -> None:
        self._tables.setdefault(table, {})[key] = code

    @classmethod
    def from_json_file(cls, path: Path) -> InMemoryCrossReference:
        """Read tables from JSON; a malformed file is ``InvalidInput`` naming it."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InvalidInput(f"{path}: cannot read cross-reference tables: {exc}") from exc
        if not isinstance(data, dict) or not all(
            isinstance(entries, dict)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in entries.items())
            for entries in data.values()
        ):
            raise InvalidInput(
                f'{path}: cross-reference tables must look like {{"table": {{"key": "code"}}}}'
            )
        return cls(data)
