"""Hub -> U8 orders through the staging tables: writing an order (lines first,
one transaction, once per ``order_no``), reading its state, asking to cancel.

Every function takes a DBAPI cursor inside the caller's transaction; ``sql``
turns ``?`` into the driver's placeholder.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

HEADER = (
    "order_no",
    "dealer_code",
    "erp_customer_code",
    "order_date",
    "warehouse_code",
    "currency",
    "total_amount",
    "tax_amount",
    "urgent",
    "customer_po",
    "requested_date",
    "ship_to_name",
    "ship_to_phone",
    "ship_to_address",
    "remark",
)
LINE = (
    "order_no",
    "line_no",
    "sku",
    "erp_material_code",
    "qty",
    "unit_price",
    "amount",
    "tax_rate",
    "is_gift",
)
_CODE = re.compile(r"^([A-Z][A-Z0-9_]{1,40}):\s*(.*)$", re.DOTALL)
Sql = Callable[[str], str]


@dataclass(frozen=True)
class Row:
    """A staging header's state: id, status (0 new ... 3 error) and what U8 wrote back."""

    id: int
    status: int
    erp_doc_no: str | None
    error_msg: str | None


def staging_ref(row_id: int) -> str:
    """The order's reference while U8 has not booked it: its staging row."""
    return f"staging:{row_id}"


def split_reason(error_msg: str | None, default_code: str) -> tuple[str, str]:
    """("UNKNOWN_CUSTOMER", "...") from "UNKNOWN_CUSTOMER: ..."; the whole text otherwise."""
    text = (error_msg or "").strip()
    found = _CODE.match(text)
    if found:
        return found.group(1), found.group(2) or found.group(1)
    return default_code, text or default_code


def find(cur: Any, sql: Sql, table: str, order_no: str) -> Row | None:
    columns = (
        "id, status, erp_doc_no, error_msg"
        if table == "dms_out_sales_order"
        else ("id, status, NULL, error_msg")
    )
    cur.execute(sql(f"SELECT {columns} FROM {table} WHERE order_no = ?"), (order_no,))
    found = cur.fetchone()
    if found is None:
        return None
    return Row(int(found[0]), int(found[1]), found[2], found[3])


def write(cur: Any, sql: Sql, header: dict[str, Any], lines: Sequence[dict[str, Any]]) -> Row:
    """The order's lines, then its header (a reader that sees the header finds its
    lines); a duplicate ``order_no`` raises the driver's integrity error."""
    cur.executemany(
        sql(
            f"INSERT INTO dms_out_sales_order_line ({', '.join(LINE)}) "
            f"VALUES ({', '.join('?' * len(LINE))})"
        ),
        [tuple(line[column] for column in LINE) for line in lines],
    )
    cur.execute(
        sql(
            f"INSERT INTO dms_out_sales_order ({', '.join(HEADER)}) "
            f"VALUES ({', '.join('?' * len(HEADER))})"
        ),
        tuple(header[column] for column in HEADER),
    )
    row = find(cur, sql, "dms_out_sales_order", str(header["order_no"]))
    assert row is not None  # just written in this transaction
    return row


def request_cancel(cur: Any, sql: Sql, order_no: str, reason: str | None) -> None:
    cur.execute(
        sql("INSERT INTO dms_out_order_cancel (order_no, reason) VALUES (?, ?)"),
        (order_no, (reason or "")[:400] or None),
    )


def shipped(cur: Any, sql: Sql, order_no: str) -> str | None:
    """A shipment U8 reported for the order, if any: past that, U8 cannot cancel."""
    cur.execute(
        sql("SELECT shipment_no FROM dms_in_shipment WHERE order_no = ? ORDER BY id"), (order_no,)
    )
    found = cur.fetchone()
    return None if found is None else str(found[0])
