"""The U8 side of the staging tables, in SQL through pyodbc: what an ERP team
writes from docs/connectors/yonyou.md.

``settle()`` does one round of U8's polling: it claims new sales orders, books
each (SO_SOMain, SO_SODetails) or rejects it (an unknown customer or
inventory code, or a rejection a test asked for), then claims cancel
requests and cancels an order that has not shipped. The other methods are U8
users at work: shipping (all or part of an order), invoicing, credit notes,
receipts and stock counts, each written to the hub's staging tables.
"""

from __future__ import annotations

import itertools
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.schema import CreateTable

from simulators.yonyou.u8_tables import metadata as u8_metadata
from staging_tables.claims import StagingQueue, clip
from staging_tables.db import Options, StagingDb
from staging_tables.ddl import create_all, existing_tables
from staging_tables.sql import Sql

ORDER_COLUMNS = ("order_no", "erp_customer_code", "warehouse_code", "order_date", "remark")
CANCEL_COLUMNS = ("order_no",)
CNY = "人民币"


@dataclass(frozen=True)
class Rejection:
    code: str
    message: str
    after_id: int  # for the first order written after the request


class U8Erp:
    def __init__(self, target: str) -> None:
        self.db = StagingDb(target, Options(statement_timeout=30, application_name="u8"))
        self.sql = self.db.sql
        self.now = Sql(self.db.dialect).now
        self._orders = StagingQueue(self.db, "dms_out_sales_order", ORDER_COLUMNS)
        self._cancels = StagingQueue(self.db, "dms_out_order_cancel", CANCEL_COLUMNS)
        self._lock = threading.Lock()
        self._rejections: list[Rejection] = []
        self._numbers = itertools.count(1)
        self._prefix = uuid.uuid4().hex[:4].upper()
        self.duplicates = 0  # the next writes are attempted twice (a writer retrying)

    def close(self) -> None:
        self.db.dispose()

    # -- set-up ------------------------------------------------------------------------

    def install(self, customers: Mapping[str, str], inventory: Mapping[str, str]) -> None:
        """Staging tables, U8's own tables, and master data (code -> name)."""
        create_all(self.db)
        present = {name.lower() for name in existing_tables(self.db)}
        dialect = self.db.ddl_dialect()

        def work(cur: Any) -> None:
            for table in u8_metadata.sorted_tables:
                if table.name.lower() not in present:
                    cur.execute(
                        str(CreateTable(table, if_not_exists=True).compile(dialect=dialect))
                    )

        self.db.run(work)
        self.add_master_data(customers, inventory)

    def add_master_data(self, customers: Mapping[str, str], inventory: Mapping[str, str]) -> None:
        def work(cur: Any) -> None:
            for table, key, rows in (
                ("Customer", "cCusCode", customers),
                ("Inventory", "cInvCode", inventory),
            ):
                name_column = "cCusName" if table == "Customer" else "cInvName"
                for code, name in rows.items():
                    cur.execute(self.sql(f"SELECT 1 FROM {table} WHERE {key} = ?"), (code,))
                    if cur.fetchone() is None:
                        cur.execute(
                            self.sql(f"INSERT INTO {table} ({key}, {name_column}) VALUES (?, ?)"),
                            (code, name),
                        )

        self.db.run(work)

    def number(self, kind: str) -> str:
        """A U8 document number: cSOCode, cDLCode, cSBVCode, cVouchID..."""
        with self._lock:
            return f"{kind}{self._prefix}{next(self._numbers):08d}"

    # -- orders ------------------------------------------------------------------------

    def reject_next_order(self, code: str, message: str) -> None:
        [(last,)] = self._select("SELECT COALESCE(MAX(id), 0) FROM dms_out_sales_order")
        with self._lock:
            self._rejections.append(Rejection(code, message, int(last)))

    def settle(self) -> None:
        """One polling round: every new order, then every cancel request."""
        while True:
            batch = self._orders.claim(100)
            for row in batch.rows:
                self._book(batch.batch_id, int(row[0]), row[2:])
            if not batch.rows:
                break
        while True:
            batch = self._cancels.claim(100)
            for row in batch.rows:
                self._cancel(batch.batch_id, int(row[0]), str(row[2]))
            if not batch.rows:
                break

    def _finish_order(
        self, cur: Any, row_id: int, batch_id: str, doc_no: str | None, error: str | None
    ) -> bool:
        status = 2 if error is None else 3
        cur.execute(
            self.sql(
                f"UPDATE dms_out_sales_order SET status = ?, erp_doc_no = ?, error_msg = ?, "
                f"processed_at = {self.now} WHERE id = ? AND batch_id = ? AND status = 1"
            ),
            (status, doc_no, None if error is None else clip(error), row_id, batch_id),
        )
        return bool(cur.rowcount == 1)

    def _book(self, batch_id: str, row_id: int, values: tuple[Any, ...]) -> None:
        order_no, customer, warehouse, order_date, remark = values
        with self._lock:
            rejection = None
            if self._rejections and row_id > self._rejections[0].after_id:
                rejection = self._rejections.pop(0)

        def work(cur: Any) -> None:
            cur.execute(
                self.sql(
                    "SELECT line_no, erp_material_code, qty, unit_price, amount, tax_rate "
                    "FROM dms_out_sales_order_line WHERE order_no = ? ORDER BY line_no"
                ),
                (order_no,),
            )
            lines = cur.fetchall()
            error = self._check(cur, customer, lines, rejection)
            if error is not None:
                self._finish_order(cur, row_id, batch_id, None, error)
                return
            doc_no = self.number("SO")
            cur.execute(
                self.sql(
                    "INSERT INTO SO_SOMain (cSOCode, dDate, cCusCode, cWhCode, cMemo, cDefine1, "
                    "iStatus) VALUES (?, ?, ?, ?, ?, ?, 0)"
                ),
                (doc_no, order_date, customer, warehouse, remark, order_no),
            )
            cur.execute(self.sql("SELECT ID FROM SO_SOMain WHERE cSOCode = ?"), (doc_no,))
            so_id = int(cur.fetchone()[0])
            cur.executemany(
                self.sql(
                    "INSERT INTO SO_SODetails (ID, cSOCode, iRowNo, cInvCode, iQuantity, "
                    "iTaxUnitPrice, iSum, iTaxRate, iFHQuantity, iKPQuantity) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, 0)"
                ),
                [(so_id, doc_no, ln[0], ln[1], ln[2], ln[3], ln[4], ln[5]) for ln in lines],
            )
            if not self._finish_order(cur, row_id, batch_id, doc_no, None):
                # Our lease ran out and another U8 poller owns the row: book nothing.
                cur.connection.rollback()

        self.db.run(work)

    def _check(
        self, cur: Any, customer: str, lines: list[Any], rejection: Rejection | None
    ) -> str | None:
        if rejection is not None:
            return f"{rejection.code}: {rejection.message}"
        cur.execute(self.sql("SELECT 1 FROM Customer WHERE cCusCode = ?"), (customer,))
        if cur.fetchone() is None:
            return f"UNKNOWN_CUSTOMER: erp_customer_code {customer!r} is not a U8 customer"
        if not lines:
            return "NO_LINES: dms_out_sales_order_line has no rows for this order"
        for line in lines:
            cur.execute(self.sql("SELECT 1 FROM Inventory WHERE cInvCode = ?"), (line[1],))
            if cur.fetchone() is None:
                return (
                    f"UNKNOWN_SKU: erp_material_code {line[1]!r} (line {line[0]}) "
                    "is not a U8 inventory code"
                )
        return None

    def _cancel(self, batch_id: str, row_id: int, order_no: str) -> None:
        def work(cur: Any) -> None:
            cur.execute(
                self.sql("SELECT ID, iStatus FROM SO_SOMain WHERE cDefine1 = ?"), (order_no,)
            )
            found = cur.fetchone()
            error = None
            if found is None:
                error = f"UNKNOWN_ORDER: no U8 sales order carries {order_no!r}"
            else:
                cur.execute(
                    self.sql("SELECT COALESCE(SUM(iFHQuantity), 0) FROM SO_SODetails WHERE ID = ?"),
                    (found[0],),
                )
                if Decimal(cur.fetchone()[0]) > 0:
                    error = "ALREADY_SHIPPED: U8 has dispatched goods of this order"
                else:
                    cur.execute(
                        self.sql("UPDATE SO_SOMain SET iStatus = 1 WHERE ID = ?"), (found[0],)
                    )
            cur.execute(
                self.sql(
                    f"UPDATE dms_out_order_cancel SET status = ?, error_msg = ?, "
                    f"processed_at = {self.now} WHERE id = ? AND batch_id = ? AND status = 1"
                ),
                (2 if error is None else 3, error, row_id, batch_id),
            )

        self.db.run(work)

    def documents(self, order_no: str) -> list[str]:
        """The staging rows that carry the order number (the hub's reference until
        U8 books it), as the connector names them."""
        rows = self._select(
            "SELECT id FROM dms_out_sales_order WHERE order_no = ? ORDER BY id", (order_no,)
        )
        return [f"staging:{row[0]}" for row in rows]

    def sales_orders(self, order_no: str) -> list[str]:
        """U8's own sales orders (cSOCode) for the hub order."""
        rows = self._select("SELECT cSOCode FROM SO_SOMain WHERE cDefine1 = ?", (order_no,))
        return [str(row[0]) for row in rows]

    def _select(self, statement: str, params: tuple[Any, ...] = ()) -> list[Any]:
        def work(cur: Any) -> list[Any]:
            cur.execute(self.sql(statement), params)
            return list(cur.fetchall())

        return self.db.run(work)  # type: ignore[no-any-return]

    def _insert(self, cur: Any, table: str, values: Mapping[str, Any]) -> None:
        """Insert a staging row; ``duplicates`` makes U8 write it twice, as a writer
        retrying after a lost acknowledgement would: the UNIQUE key refuses the copy."""
        columns = ", ".join(values)
        marks = ", ".join("?" * len(values))
        statement = self.sql(f"INSERT INTO {table} ({columns}) VALUES ({marks})")
        cur.execute(statement, tuple(values.values()))
        if self.duplicates and table in (
            "dms_in_stock",
            "dms_in_shipment",
            "dms_in_invoice",
            "dms_in_order_event",
        ):
            self.duplicates -= 1
            cur.execute("SAVEPOINT duplicate")
            try:
                cur.execute(statement, tuple(values.values()))
            except Exception:  # the driver's integrity error: the key held
                cur.execute("ROLLBACK TO SAVEPOINT duplicate")
            else:
                raise AssertionError(f"{table} took a duplicate business key")

    # -- what U8 users do ---------------------------------------------------------------

    def ship(self, order_no: str, lines: Mapping[int, int] | None = None) -> str:
        """Dispatch {iRowNo: qty} of the order, or all that is left; the cDLCode."""
        shipment_no = self.number("DL")

        def work(cur: Any) -> None:
            cur.execute(
                self.sql(
                    "SELECT m.ID, m.cSOCode, m.cWhCode, d.AutoID, d.iRowNo, d.cInvCode, "
                    "d.iQuantity - d.iFHQuantity FROM SO_SOMain m JOIN SO_SODetails d "
                    "ON d.ID = m.ID WHERE m.cDefine1 = ? ORDER BY d.iRowNo"
                ),
                (order_no,),
            )
            rows = cur.fetchall()
            if not rows:
                raise LookupError(f"U8 has no sales order for {order_no}")
            shipped = []
            for _id, _doc, _wh, auto_id, row_no, inv, left in rows:
                qty = Decimal(left) if lines is None else Decimal(lines.get(int(row_no), 0))
                if qty > 0:
                    shipped.append((auto_id, row_no, inv, qty))
            for n, (auto_id, _row_no, inv, qty) in enumerate(shipped, start=1):
                cur.execute(
                    self.sql(
                        "UPDATE SO_SODetails SET iFHQuantity = iFHQuantity + ? WHERE AutoID = ?"
                    ),
                    (qty, auto_id),
                )
                self._insert(
                    cur,
                    "dms_in_shipment_line",
                    {"shipment_no": shipment_no, "line_no": n, "sku": inv, "qty": qty},
                )
            self._insert(
                cur,
                "dms_in_shipment",
                {
                    "shipment_no": shipment_no,
                    "order_no": order_no,
                    "erp_doc_no": rows[0][1],
                    "warehouse_code": rows[0][2],
                    "tracking_no": f"SF{uuid.uuid4().int % 10**12:012d}",
                    "carrier": "顺丰",
                    "shipped_at": _now_param(),
                },
            )

        self.db.run(work)
        return shipment_no

    def invoice(self, order_no: str) -> str:
        invoice_no = self.number("SBV")

        def work(cur: Any) -> None:
            cur.execute(
                self.sql(
                    "SELECT m.cCusCode, SUM(d.iSum), SUM(d.iSum * d.iTaxRate / (100 + d.iTaxRate)) "
                    "FROM SO_SOMain m JOIN SO_SODetails d ON d.ID = m.ID "
                    "WHERE m.cDefine1 = ? GROUP BY m.cCusCode"
                ),
                (order_no,),
            )
            found = cur.fetchone()
            if found is None:
                raise LookupError(f"U8 has no sales order for {order_no}")
            today = _now_param().date()
            self._insert(
                cur,
                "dms_in_invoice",
                {
                    "invoice_no": invoice_no,
                    "order_no": order_no,
                    "dealer_code": found[0],
                    "invoice_date": today,
                    "due_date": today + timedelta(days=30),
                    "amount": Decimal(found[1]).quantize(Decimal("0.01")),
                    "tax_amount": Decimal(found[2]).quantize(Decimal("0.01")),
                    "currency": CNY,
                },
            )

        self.db.run(work)
        return invoice_no

    def credit_note(
        self, customer: str, amount: Decimal, invoice_no: str | None, reason: str
    ) -> str:
        number = self.number("CN")
        self.db.run(
            lambda cur: self._insert(
                cur,
                "dms_in_credit_note",
                {
                    "credit_note_no": number,
                    "invoice_no": invoice_no,
                    "dealer_code": customer,
                    "issued_at": _now_param(),
                    "amount": amount,
                    "reason": reason,
                },
            )
        )
        return number

    def payment(self, customer: str, amount: Decimal, invoice_no: str | None) -> str:
        number = self.number("RV")
        self.db.run(
            lambda cur: self._insert(
                cur,
                "dms_in_payment",
                {
                    "payment_no": number,
                    "dealer_code": customer,
                    "paid_at": _now_param(),
                    "amount": amount,
                    "currency": "CNY",
                    "invoice_no": invoice_no,
                },
            )
        )
        return number

    def set_stock(self, warehouse: str, inventory: str, qty: Decimal | int) -> str:
        """Count stock in CurrentStock and write the snapshot; its key as the connector says it."""

        def work(cur: Any) -> None:
            cur.execute(
                self.sql(
                    "UPDATE CurrentStock SET iQuantity = ? WHERE cWhCode = ? AND cInvCode = ?"
                ),
                (Decimal(qty), warehouse, inventory),
            )
            if cur.rowcount == 0:
                cur.execute(
                    self.sql(
                        "INSERT INTO CurrentStock (cWhCode, cInvCode, iQuantity) VALUES (?, ?, ?)"
                    ),
                    (warehouse, inventory, Decimal(qty)),
                )
            cur.execute(
                self.sql(
                    "INSERT INTO dms_in_stock (warehouse_code, sku, qty_on_hand, as_of) "
                    f"SELECT cWhCode, cInvCode, iQuantity, {self.now} FROM CurrentStock "
                    "WHERE cWhCode = ? AND cInvCode = ?"
                ),
                (warehouse, inventory),
            )

        self.db.run(work)
        return f"{warehouse}/{inventory}"

    def add_event(
        self, order_no: str, event: str, doc_no: str | None = None, reason: str | None = None
    ) -> None:
        self.db.run(
            lambda cur: self._insert(
                cur,
                "dms_in_order_event",
                {
                    "order_no": order_no,
                    "event": event,
                    "erp_doc_no": doc_no,
                    "reason": reason,
                    "event_at": _now_param(),
                },
            )
        )


def _now_param() -> datetime:
    """Now in UTC without zone, as the staging tables keep times."""
    return datetime.now(UTC).replace(tzinfo=None)
