"""What the SAP connector pulls in OData mode: stock and billing documents.

Billing documents carry ``LastChangeDateTime``: they are read in the order of
(change time, number) after the cursor, which is the last one read; the
change time is the record's version.

Stock has no change time in SAP. Each pull reads the whole unrestricted stock
(paged with $top/$skip), sums it per plant and material, and compares a
digest of it with the one in the cursor: unchanged, nothing comes; changed,
a new sweep delivers every line, page by page, with the sweep's start as
version and as-of time. A cursor is ``s:<start>:<digest>:<offset>`` within a
sweep and ``d:<start>:<digest>`` after one.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from connectors.mapping import CrossReference, Mapping, MappingFailure
from connectors.records import Origin
from dms_domain.errors import ConfigurationError, PermanentError, TransientError
from dms_domain.exchange import Rejected

ODATA_TIME = re.compile(r"^/Date\((-?\d+)(?:[+-]\d{4})?\)/$")
STOCK_PATH = "API_MATERIAL_STOCK_SRV/A_MatlStkInAcctMod"
BILLING_PATH = "API_BILLING_DOCUMENT_SRV/A_BillingDocument"
UNRESTRICTED_STOCK = "InventoryStockType eq '01'"
STOCK_LINE_KEY = ("Material", "Plant", "StorageLocation", "Batch", "InventoryStockType")


def millis(value: Any) -> int | None:
    match = ODATA_TIME.match(value) if isinstance(value, str) else None
    return int(match.group(1)) if match else None


def datetimeoffset(ms: int) -> str:
    moment = time.gmtime(ms // 1000)
    return f"datetimeoffset'{time.strftime('%Y-%m-%dT%H:%M:%S', moment)}.{ms % 1000:03d}Z'"


def results(answer: Any, where: str) -> tuple[list[Any], int | None]:
    """``{"d": {"results": [...], "__count": "N"}}``; anything else is a broken answer."""
    d = answer.get("d") if isinstance(answer, dict) else None
    items = d.get("results") if isinstance(d, dict) else None
    if not isinstance(items, list):
        raise TransientError(
            f"{where}: the answer is not an OData V2 collection: {str(answer)[:200]}"
        )
    count = d.get("__count") if isinstance(d, dict) else None
    return items, int(count) if isinstance(count, str) and count.isdigit() else None


def read_mapped(
    mapping: Mapping,
    entity: str,
    origin: Origin,
    raw: dict[str, Any],
    build: Callable[[Origin, dict[str, Any]], Any],
    xref: CrossReference,
) -> Any:
    """The canonical record, or a Rejected naming every bad field."""
    try:
        mapped = mapping.apply(raw, xref)
    except MappingFailure as failure:
        reason = "; ".join(str(issue) for issue in failure.issues)
        return Rejected(origin.source, entity, origin.key, reason, raw)
    try:
        return build(origin, mapped)
    except (KeyError, ValueError, TypeError) as exc:
        raise ConfigurationError(
            f"{mapping.path} does not give a canonical {entity}: {exc!r}"
        ) from exc


# -- stock sweeps ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StockCursor:
    start: int
    digest: str
    offset: int | None  # None: the sweep is over

    def text(self) -> str:
        if self.offset is None:
            return f"d:{self.start}:{self.digest}"
        return f"s:{self.start}:{self.digest}:{self.offset}"

    @classmethod
    def parse(cls, text: str | None, who: str) -> StockCursor | None:
        if text is None:
            return None
        parts = text.split(":")
        try:
            if parts[0] == "d" and len(parts) == 3:
                return cls(int(parts[1]), parts[2], None)
            if parts[0] == "s" and len(parts) == 4:
                return cls(int(parts[1]), parts[2], int(parts[3]))
        except ValueError:
            pass
        raise PermanentError(
            f"{who}: stock cursor {text!r} is not one this connector gave", code="bad_cursor"
        )


def sum_stock(lines: list[Any]) -> list[dict[str, Any]]:
    """Unrestricted stock per plant and material, SAP's field names kept; a line
    repeated by paging counts once; a quantity that is not a decimal is kept as
    written, so the mapping rejects that plant and material."""
    unique: dict[tuple[Any, ...], dict[str, Any]] = {}
    for line in lines:
        if isinstance(line, dict):
            unique[tuple(line.get(k) for k in STOCK_LINE_KEY)] = line
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for line in unique.values():
        plant, material = str(line.get("Plant") or ""), str(line.get("Material") or "")
        group = groups.setdefault(
            (plant, material),
            {
                "Plant": plant,
                "Material": material,
                "MaterialBaseUnit": line.get("MaterialBaseUnit"),
                "MatlWrhsStkQtyInMatlBaseUnit": Decimal(0),
            },
        )
        quantity = line.get("MatlWrhsStkQtyInMatlBaseUnit")
        total = group["MatlWrhsStkQtyInMatlBaseUnit"]
        try:
            if isinstance(total, Decimal) and isinstance(quantity, str):
                group["MatlWrhsStkQtyInMatlBaseUnit"] = total + Decimal(quantity)
                continue
        except InvalidOperation:
            pass
        group["MatlWrhsStkQtyInMatlBaseUnit"] = quantity
    out = []
    for key in sorted(groups):
        group = groups[key]
        quantity = group["MatlWrhsStkQtyInMatlBaseUnit"]
        if isinstance(quantity, Decimal):
            group["MatlWrhsStkQtyInMatlBaseUnit"] = format(quantity, "f")
        out.append(group)
    return out


def digest(groups: list[dict[str, Any]]) -> str:
    text = "\n".join(
        f"{g['Plant']}/{g['Material']}={g['MatlWrhsStkQtyInMatlBaseUnit']}" for g in groups
    )
    return hashlib.sha256(text.encode()).hexdigest()[:20]
