"""The U8 simulator's test hooks (connectors/testing.py ``ErpControl``): U8 users
at work, and faults between the hub and the staging database.

Faults: the network ones go to the proxy in front of the database (proxy.py);
``timeout`` locks every staging table until a statement of the hub has waited
past its statement timeout (PostgreSQL only); ``duplicate_records`` makes U8
write its next rows twice (the UNIQUE keys refuse the copies); ``stale_read``
has no meaning for one database (reads are never stale) and is accepted.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Mapping
from typing import Any

from simulators.yonyou.erp import U8Erp
from simulators.yonyou.proxy import NETWORK_FAULTS, FaultProxy
from staging_tables.schema import metadata as staging_metadata

LOCKED_TABLES = ", ".join(sorted(staging_metadata.tables))


class U8Control:
    def __init__(self, erp: U8Erp, proxy: FaultProxy, *, hang_seconds: float = 3.0) -> None:
        self.erp = erp
        self.proxy = proxy
        self.hang_seconds = hang_seconds
        self._holders: list[threading.Thread] = []

    # -- faults ------------------------------------------------------------------------

    def inject_fault(self, fault: str, times: int = 1) -> None:
        if fault in NETWORK_FAULTS:
            self.proxy.inject(fault, times)
        elif fault == "timeout":
            for _ in range(times):
                self._hold_locks()
        elif fault == "duplicate_records":
            self.erp.duplicates += times
        elif fault != "stale_read":
            raise ValueError(f"unknown fault {fault!r}")

    def clear_faults(self) -> None:
        self.proxy.clear()
        self.erp.duplicates = 0
        for holder in self._holders:
            holder.join(timeout=self.hang_seconds + 5)
        self._holders.clear()

    def _hold_locks(self) -> None:
        """Lock every staging table; let go once a statement of someone else has
        waited for the lock and given up (its timeout), or after ``hang_seconds``."""
        if self.erp.db.dialect != "postgresql":
            raise NotImplementedError("the timeout fault is simulated on PostgreSQL only")
        locked = threading.Event()

        def hold() -> None:
            with self.erp.db.connect() as conn:
                cur = conn.cursor()
                cur.execute(f"LOCK TABLE {LOCKED_TABLES} IN ACCESS EXCLUSIVE MODE")
                locked.set()
                deadline = time.monotonic() + self.hang_seconds
                first: set[tuple[int, str]] = set()
                while time.monotonic() < deadline:
                    waiting = self._waiters()
                    if not first:
                        first = waiting
                    elif not first & waiting:
                        # The statements that met the lock gave up; a retry that
                        # came meanwhile must find the tables free.
                        break
                    time.sleep(0.01)
                conn.rollback()

        holder = threading.Thread(target=hold, name="u8-lock", daemon=True)
        holder.start()
        self._holders.append(holder)
        locked.wait(timeout=10)

    def _waiters(self) -> set[tuple[int, str]]:
        """The waits for a lock in this database, as (session, since when): a
        retry on the same pooled session is another wait."""

        def work(cur: Any) -> set[tuple[int, str]]:
            # Only this database: other sessions of the server may be waiting on their own.
            # waitstart is briefly null when a wait begins: such a wait is seen next time.
            cur.execute(
                "SELECT pid, waitstart FROM pg_locks WHERE NOT granted AND waitstart IS NOT NULL "
                "AND database = "
                "(SELECT oid FROM pg_database WHERE datname = current_database())"
            )
            return {(int(row[0]), str(row[1])) for row in cur.fetchall()}

        found: set[tuple[int, str]] = self.erp.db.run(work)
        return found

    # -- U8 at work ------------------------------------------------------------------------

    def reject_next_order(self, code: str, message: str) -> None:
        self.erp.reject_next_order(code, message)

    def settle(self) -> None:
        self.erp.settle()

    def documents(self, order_no: str) -> list[str]:
        return self.erp.documents(order_no)

    def ship(self, order_no: str, lines: Mapping[int, int] | None = None) -> str:
        return self.erp.ship(order_no, lines)

    def invoice(self, order_no: str) -> str:
        return self.erp.invoice(order_no)

    def set_stock(self, warehouse: str, material: str, qty: int) -> str:
        return self.erp.set_stock(warehouse, material, qty)

    def add_unmappable(self, feed: str) -> str:
        """A row the mapping files refuse, in the table of that feed; its key."""
        token = uuid.uuid4().hex[:8].upper()
        if feed == "stock":
            return self.erp.set_stock(f"WH{token}", f"NOSUCH{token}", 1)
        if feed == "order_events":
            order_no = f"BAD-{token}"
            self.erp.add_event(order_no, "audited")
            return order_no
        if feed == "invoices":
            number = self.erp.number("SBV")

            def bad_invoice(cur: Any) -> None:
                cur.execute(
                    self.erp.sql(
                        "INSERT INTO dms_in_invoice (invoice_no, dealer_code, invoice_date, "
                        "due_date, amount, tax_amount, currency) VALUES (?, ?, ?, ?, ?, ?, ?)"
                    ),
                    (number, f"NOSUCH{token}", "2026-01-05", "2026-02-04", 1, 0, "CNY"),
                )

            self.erp.db.run(bad_invoice)
            return number
        if feed == "shipments":
            number = self.erp.number("DL")

            def bad_shipment(cur: Any) -> None:
                cur.execute(
                    self.erp.sql(
                        "INSERT INTO dms_in_shipment_line (shipment_no, line_no, sku, qty) "
                        "VALUES (?, 1, ?, 1)"
                    ),
                    (number, f"NOSUCH{token}"),
                )
                cur.execute(
                    self.erp.sql(
                        "INSERT INTO dms_in_shipment (shipment_no, order_no, shipped_at) "
                        f"VALUES (?, ?, {self.erp.now})"
                    ),
                    (number, f"BAD-{token}"),
                )

            self.erp.db.run(bad_shipment)
            return number
        raise ValueError(f"no unmappable record for feed {feed!r}")
