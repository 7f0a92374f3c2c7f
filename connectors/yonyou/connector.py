"""Yonyou U8 through staging tables (中间表): the hub writes orders and cancel
requests for U8 to claim, and claims what U8 writes back (stock, shipments,
order events, invoices, credit notes, payments), under staging-contract.md.

Push is idempotent by ``order_no``: look it up, else write lines and header in
one transaction; the UNIQUE key decides between two pushes that race past the
look-up. Until U8 books the order the push answers PENDING with the staging
row as reference; U8's write-back (status 2 with its cSOCode, or 3 with the
reason) comes back as an order event, and so does the answer to a cancel.

Pulls claim a batch, map each row (a row the mapping refuses goes to status 3
with the column and value in ``error_msg``, and to ``Page.rejected``), and
finish the batch when the next pull hands its cursor back (connectors/yonyou/cursor.py).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

from connectors.base import BaseConnector
from connectors.mapping import CrossReference, MappingFailure, load_mapping
from connectors.records import Origin
from connectors.yonyou import orders
from connectors.yonyou.config import U8StagingConfig
from connectors.yonyou.cursor import EMPTY, Cursor
from connectors.yonyou.feeds import Feed, build_feeds, failure_text, stamp
from connectors.yonyou.read_ahead import ReadAhead
from dms_domain.errors import BusinessRejection, DmsError, PermanentError
from dms_domain.exchange import (
    CancelResult,
    CancelStatus,
    Capability,
    CreditNoteIn,
    InvoiceIn,
    OrderEventIn,
    OrderOut,
    Page,
    PaymentIn,
    PushResult,
    PushStatus,
    Rejected,
    ShipmentIn,
    StockSnapshotIn,
)
from staging_tables.claims import Batch, ClaimPolicy, StagingQueue, WriteBacks
from staging_tables.db import Options, StagingDb
from staging_tables.errors import DuplicateKey, translate

# Batches whose records the hub may still report as not applied (a pull's page
# is applied right after it is fetched; older ones are finished by then).
_REMEMBERED_BATCHES = 64

NEW, CLAIMED, DONE, ERROR = 0, 1, 2, 3
WRITE_BACK = ("order_no", "status", "erp_doc_no", "error_msg", "processed_at")
CANCEL_WRITE_BACK = ("order_no", "status", "error_msg", "processed_at")


class U8StagingConnector(BaseConnector):
    system: ClassVar[str] = "yonyou"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.PUSH_ORDER,
            Capability.CANCEL_ORDER,
            Capability.ORDER_EVENTS,
            Capability.SHIPMENTS,
            Capability.STOCK,
            Capability.INVOICES,
            Capability.CREDIT_NOTES,
            Capability.PAYMENTS,
        }
    )

    def __init__(
        self,
        name: str,
        config: U8StagingConfig,
        *,
        mappings_root: Path,
        xref: CrossReference,
    ) -> None:
        super().__init__(name)
        self.config = config
        self._xref = xref
        folder = mappings_root / self.system
        self._order_out = load_mapping(folder / "sales_order.out.yaml")
        self._feeds = build_feeds(lambda file: load_mapping(folder / file))
        self._db = StagingDb(
            config.target.get_secret_value(),
            Options(
                statement_timeout=config.timeout_seconds,
                application_name=f"dms-hub:{name}",
                pool_size=config.pool_size,
            ),
        )
        policy = ClaimPolicy(config.lease_seconds, config.max_attempts)
        self._queues = {
            key: StagingQueue(self._db, feed.table, feed.columns, policy)
            for key, feed in self._feeds.items()
        }
        # Per claimed batch still open: each delivered record's key -> its row id,
        # so that a record the hub could not apply is failed by its row.
        self._delivered: dict[str, dict[str, int]] = {}
        self._delivered_lock = threading.Lock()
        self._orders_back = WriteBacks(self._db, "dms_out_sales_order", WRITE_BACK)
        self._cancels_back = WriteBacks(self._db, "dms_out_order_cancel", CANCEL_WRITE_BACK)
        self._ahead = ReadAhead(name, config.read_ahead_seconds)

    def close(self) -> None:
        self._ahead.close()
        self._db.dispose()

    def _run(self, what: str, work: Any) -> Any:
        try:
            return self._db.run(work)
        except Exception as exc:
            raise translate(exc, f"{self.name} ({self.system}): {what}") from exc

    # -- orders -----------------------------------------------------------------------

    def push_order(self, order: OrderOut) -> PushResult:
        try:
            rows = self._order_out.apply(order.as_record(), self._xref)
        except MappingFailure as failure:
            raise PermanentError(
                f"{self.name}: order {order.order_no} cannot be written for {self.system}: "
                f"{failure.detail}",
                code="mapping_failed",
                issues=[issue.as_dict() for issue in failure.issues],
            ) from failure
        sql = self._db.sql

        def write(cur: Any) -> orders.Row:
            found = orders.find(cur, sql, "dms_out_sales_order", order.order_no)
            return found or orders.write(cur, sql, rows["header"], rows["lines"])

        try:
            row = self._run(f"writing order {order.order_no}", write)
        except DuplicateKey:
            # Another push of this order won the race past the look-up.
            row = self._find(order.order_no)
            if row is None:
                raise
        return self._push_result(row)

    def find_order(self, order_no: str) -> PushResult | None:
        row = self._find(order_no)
        return None if row is None else self._push_result(row)

    def _find(self, order_no: str) -> orders.Row | None:
        sql = self._db.sql
        found: orders.Row | None = self._run(
            f"reading order {order_no}",
            lambda cur: orders.find(cur, sql, "dms_out_sales_order", order_no),
        )
        return found

    def _push_result(self, row: orders.Row) -> PushResult:
        if row.status == ERROR:
            code, detail = orders.split_reason(row.error_msg, "REJECTED")
            raise BusinessRejection(detail, code=code, erp_ref=orders.staging_ref(row.id))
        if row.status == DONE and row.erp_doc_no:
            return PushResult(PushStatus.ACCEPTED, row.erp_doc_no)
        return PushResult(PushStatus.PENDING, orders.staging_ref(row.id))

    def cancel_order(self, order_no: str, erp_ref: str | None, reason: str | None) -> CancelResult:
        sql = self._db.sql

        def ask(cur: Any) -> CancelResult:
            asked = orders.find(cur, sql, "dms_out_order_cancel", order_no)
            if asked is not None:
                return self._cancel_result(asked, reason)
            order = orders.find(cur, sql, "dms_out_sales_order", order_no)
            if order is None:
                return CancelResult(CancelStatus.CANCELLED, f"{self.system} never got the order")
            if order.status == ERROR:
                return CancelResult(CancelStatus.CANCELLED, f"{self.system} rejected the order")
            shipment = orders.shipped(cur, sql, order_no)
            if shipment is not None:
                return CancelResult(
                    CancelStatus.REFUSED, f"{self.system} has shipped it already ({shipment})"
                )
            orders.request_cancel(cur, sql, order_no, reason)
            return CancelResult(CancelStatus.PENDING, reason)

        try:
            result: CancelResult = self._run(f"cancelling order {order_no}", ask)
        except DuplicateKey:
            return self.cancel_order(order_no, erp_ref, reason)
        return result

    def _cancel_result(self, row: orders.Row, reason: str | None) -> CancelResult:
        if row.status == DONE:
            return CancelResult(CancelStatus.CANCELLED, reason)
        if row.status == ERROR:
            return CancelResult(CancelStatus.REFUSED, row.error_msg or "refused")
        return CancelResult(CancelStatus.PENDING, reason)

    # -- pulls -------------------------------------------------------------------------

    def fetch_order_events(self, cursor: str | None) -> Page[OrderEventIn]:
        return self._pull("order_events", cursor)

    def fetch_shipments(self, cursor: str | None) -> Page[ShipmentIn]:
        return self._pull("shipments", cursor)

    def fetch_stock(self, cursor: str | None) -> Page[StockSnapshotIn]:
        return self._pull("stock", cursor)

    def fetch_invoices(self, cursor: str | None) -> Page[InvoiceIn]:
        return self._pull("invoices", cursor)

    def fetch_credit_notes(self, cursor: str | None) -> Page[CreditNoteIn]:
        return self._pull("credit_notes", cursor)

    def fetch_payments(self, cursor: str | None) -> Page[PaymentIn]:
        return self._pull("payments", cursor)

    def _pull(self, key: str, cursor: str | None) -> Page[Any]:
        feed = self._feeds[key]
        queue = self._queues[key]
        previous = Cursor.parse(cursor, self.name)
        self._acknowledge(previous)
        size = self.config.page_size
        items: list[Any] = []
        rejected: list[Rejected] = []
        seen_orders: list[int] = []
        seen_cancels: list[int] = []
        if key == "order_events":
            seen_orders, seen_cancels = self._write_backs(feed, size, items, rejected)
        batch_id = None
        room = size - len(seen_orders) - len(seen_cancels)
        if room <= 0 and previous.batch_id:
            queue.finish(previous.batch_id)
        if room > 0:
            # Order events share their page with write-backs: no read-ahead.
            read_ahead = key != "order_events" and self.config.read_ahead_seconds > 0
            batch = self._claim(key, queue, room, previous.batch_id, read_ahead)
            if batch.rows:
                batch_id = batch.batch_id
                row_ids: dict[str, int] = {}
                failed = self._read_batch(feed, batch.rows, items, rejected, row_ids)
                queue.fail(batch.batch_id, failed)
                self._remember(batch.batch_id, row_ids)
                room -= len(batch.rows)
        delivered = Cursor(batch_id, tuple(seen_orders), tuple(seen_cancels))
        if delivered == Cursor():
            return Page([], cursor or EMPTY, False)
        return Page(items, delivered.dump(), room <= 0, rejected)

    def _claim(
        self, key: str, queue: StagingQueue, size: int, previous: str | None, read_ahead: bool
    ) -> Batch:
        """A page of ``size`` rows; the page before (``previous``, now applied)
        is finished by then. With a backlog the next page is claimed at once,
        while the hub applies this one (connectors/yonyou/read_ahead.py)."""
        ahead = self._ahead.take(key, previous) if read_ahead else None
        if ahead is None:
            batch = queue.claim(size, finishing=previous)
            unfinished = None
        else:
            batch = ahead.result()  # claimed before ``previous`` was applied
            unfinished = previous
        if read_ahead and len(batch.rows) >= size:
            self._ahead.start(key, batch.batch_id, queue, size, finishing=unfinished)
        elif unfinished is not None:
            queue.finish(unfinished)
        return batch

    def _remember(self, batch_id: str, delivered: dict[str, int]) -> None:
        with self._delivered_lock:
            self._delivered[batch_id] = delivered
            while len(self._delivered) > _REMEMBERED_BATCHES:
                del self._delivered[next(iter(self._delivered))]

    def apply_failed(
        self, entity: str, cursor: str | None, failures: Sequence[tuple[str, str]]
    ) -> int:
        """The page's records the hub could not apply (an unknown order, say):
        their rows go to status 3 with the hub's reason, as the staging contract
        asks, before the next pull finishes the rest of their batch. How many."""
        batch_id = Cursor.parse(cursor, self.name).batch_id
        if batch_id is None or entity not in self._queues:
            return 0
        with self._delivered_lock:
            delivered = self._delivered.pop(batch_id, {})
        failed = {delivered[key]: reason for key, reason in failures if key in delivered}
        return self._queues[entity].fail(batch_id, failed)

    def _acknowledge(self, previous: Cursor) -> None:
        """The write-backs the previous page delivered are seen (its batch is
        finished by the next claim, in the same transaction)."""
        if previous.orders or previous.cancels:

            def seen(cur: Any) -> None:
                self._orders_back.mark_seen(cur, previous.orders)
                self._cancels_back.mark_seen(cur, previous.cancels)

            self._run("acknowledging write-backs", seen)

    def _read_batch(
        self,
        feed: Feed[Any],
        rows: list[tuple[Any, ...]],
        items: list[Any],
        rejected: list[Rejected],
        delivered: dict[str, int],
    ) -> dict[int, str]:
        """Claimed rows into canonical records (``delivered``: key -> row id);
        the rows that cannot be, with why."""
        lines = self._lines(feed, rows) if feed.lines else None
        failed: dict[int, str] = {}
        for row in rows:
            row_id = int(row[0])
            record = feed.record(row[2:])
            if lines is not None:
                record["lines"] = lines.get(str(row[2]), [])
            key = feed.key_of(record)
            try:
                mapped = feed.mapping.apply(record, self._xref)
            except MappingFailure as failure:
                reason = failure_text(failure)
                failed[row_id] = reason
                rejected.append(Rejected(self.name, feed.entity, key, reason, record))
                continue
            origin = Origin(self.name, key, feed.version_of(row_id, record))
            items.append(feed.build(origin, mapped))
            delivered[key] = row_id
        return failed

    def _lines(self, feed: Feed[Any], rows: list[tuple[Any, ...]]) -> dict[str, list[Any]]:
        spec = feed.lines
        assert spec is not None
        keys = [str(row[2]) for row in rows]
        marks = ", ".join("?" * len(keys))
        statement = self._db.sql(
            f"SELECT {spec.parent}, {', '.join(spec.columns)} FROM {spec.table} "
            f"WHERE {spec.parent} IN ({marks}) ORDER BY {spec.parent}, line_no"
        )

        def read(cur: Any) -> list[Any]:
            cur.execute(statement, tuple(keys))
            return list(cur.fetchall())

        found: dict[str, list[Any]] = {}
        for line in self._run(f"reading {spec.table}", read):
            found.setdefault(str(line[0]), []).append(dict(zip(spec.names, line[1:], strict=True)))
        return found

    def _write_backs(
        self, feed: Feed[Any], size: int, items: list[Any], rejected: list[Rejected]
    ) -> tuple[list[int], list[int]]:
        """U8's answers to orders and cancel requests, as order events."""

        def read(cur: Any) -> tuple[list[Any], list[Any]]:
            placed = self._orders_back.pending(cur, size)
            cancels = (
                self._cancels_back.pending(cur, size - len(placed)) if len(placed) < size else []
            )
            return placed, cancels

        placed, cancels = self._run("reading write-backs", read)
        for row in placed:
            _id, order_no, status, doc_no, error, processed_at = row
            event = "confirmed" if status == DONE else "rejected"
            self._event(feed, order_no, event, doc_no, error, processed_at, items, rejected)
        for row in cancels:
            _id, order_no, status, error, processed_at = row
            event = "cancelled" if status == DONE else "cancel_refused"
            self._event(feed, order_no, event, None, error, processed_at, items, rejected)
        return [int(row[0]) for row in placed], [int(row[0]) for row in cancels]

    def _event(
        self,
        feed: Feed[Any],
        order_no: str,
        event: str,
        doc_no: str | None,
        reason: str | None,
        at: Any,
        items: list[Any],
        rejected: list[Rejected],
    ) -> None:
        record = {
            "order_no": order_no,
            "event": event,
            "cSOCode": doc_no,
            "reason": reason,
            "event_at": at,
        }
        try:
            mapped = feed.mapping.apply(record, self._xref)
        except MappingFailure as failure:
            rejected.append(
                Rejected(self.name, feed.entity, order_no, failure_text(failure), record)
            )
            return
        items.append(feed.build(Origin(self.name, order_no, stamp(at)), mapped))

    # -- health --------------------------------------------------------------------------

    def check(self) -> list[str]:
        where = f"the {self.system} staging database"
        setting = f"DMS_CONNECTORS__{self.name.upper()}__TARGET"

        def probe(cur: Any) -> None:
            for feed in (
                "dms_out_sales_order",
                "dms_out_order_cancel",
                *(f.table for f in self._feeds.values()),
            ):
                cur.execute(f"SELECT id FROM {feed} WHERE 1 = 0")
                cur.fetchall()

        try:
            self._run("health check", probe)
        except DmsError as exc:
            if exc.code == "credentials_refused":
                return [f"{where} refuses the credentials: check {setting} ({exc.detail})"]
            if exc.code == "configuration_error":
                return [f"{where} lacks staging tables: run dms-hub staging init ({exc.detail})"]
            return [f"cannot reach {where}: {exc.detail}"]
        return []
