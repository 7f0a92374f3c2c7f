"""Reconciliation: compare what the hub holds with what a connected system holds,
record the drift (a ``reconciliation_runs`` row, gauges, an alert), and repair
what can be repaired. Repairs go through the same rules as inbound records, so a
second run finds nothing left to change.

Each function is one entity's run for one connector. The remote reads happen
outside any database transaction; every repair is its own short transaction
that re-reads the hub's row under lock, so a pull or a push running meanwhile
is never overwritten with a stale comparison.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import and_, insert, or_, select, update

from connectors.port import Connector
from dms_domain.errors import BadRecord, BusinessRejection
from dms_domain.exchange import Capability, InvoiceIn, Page, PushStatus, StockSnapshotIn
from dms_domain.orders import OrderEvent, OrderStatus
from hub.db.engine import Database
from hub.db.schema import invoices, orders, reconciliation_runs, stock
from hub.services.alerts import SYNC_FAILURE, raise_alert, resolve_alert
from hub.sync.inbound import apply_invoice, order_event, snapshot_on_hand

STOCK = "stock"
ORDERS = "orders"
INVOICES = "invoices"
ORDER_LIMIT = 500  # orders checked per run, oldest first: one run stays bounded
DETAIL_KEYS = 20  # drifted keys kept in a run's details and its alert
MAX_PAGES = 10_000  # a connector that never says "no more" cannot loop forever
OPEN_STATUSES = (
    OrderStatus.SUBMITTED.value,
    OrderStatus.CONFIRMED.value,
    OrderStatus.CANCEL_REQUESTED.value,
)

T = TypeVar("T")


@dataclass
class RunResult:
    connector: str
    entity: str
    started_at: datetime
    checked: int = 0
    drifted: int = 0
    repaired: int = 0
    unmatched: int = 0
    keys: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def drift(self, key: str, repaired: bool) -> None:
        self.drifted += 1
        self.repaired += int(repaired)
        if len(self.keys) < DETAIL_KEYS:
            self.keys.append(key)

    def details(self) -> dict[str, Any]:
        return {"keys": self.keys, **self.extra}


def _all_pages(fetch: Callable[[str | None], Page[T]]) -> Iterator[Page[T]]:
    """Every page from the beginning (cursor None), whatever the pull cursor is."""
    cursor: str | None = None
    for _ in range(MAX_PAGES):
        page = fetch(cursor)
        yield page
        # A page that does not move the cursor would be read again forever.
        if not page.more or page.cursor is None or page.cursor == cursor:
            return
        cursor = page.cursor


def record_run(db: Database, result: RunResult, now: datetime) -> int:
    """Store the run; an alert while drift is found, resolved by a clean run."""
    subject = f"reconcile:{result.connector}:{result.entity}"
    with db.transaction() as conn:
        run_id = conn.execute(
            insert(reconciliation_runs)
            .values(
                connector=result.connector,
                entity=result.entity,
                started_at=result.started_at,
                finished_at=now,
                checked=result.checked,
                drifted=result.drifted,
                repaired=result.repaired,
                unmatched=result.unmatched,
                details=result.details(),
            )
            .returning(reconciliation_runs.c.id)
        ).scalar_one()
        if result.drifted:
            raise_alert(
                conn,
                kind=SYNC_FAILURE,
                subject=subject,
                message=f"{result.connector} {result.entity}: {result.drifted} of "
                f"{result.checked} differ from the hub, {result.repaired} repaired",
                details={
                    "run_id": run_id,
                    "checked": result.checked,
                    "drifted": result.drifted,
                    "repaired": result.repaired,
                    "unmatched": result.unmatched,
                    **result.details(),
                },
                now=now,
            )
        else:
            resolve_alert(conn, kind=SYNC_FAILURE, subject=subject, by="reconciliation", now=now)
    return int(run_id)


# -- stock ------------------------------------------------------------------------


def reconcile_stock(db: Database, connector: Connector, now: datetime) -> RunResult:
    """On-hand per (warehouse, SKU) against the system's full current stock, by
    the snapshot rule (its quantity minus the hub's shipments after its as_of).
    ``reserved`` is the hub's own and is never touched."""
    result = RunResult(connector.name, STOCK, now)
    latest: dict[tuple[str, str], StockSnapshotIn] = {}
    for page in _all_pages(connector.fetch_stock):
        result.unmatched += len(page.rejected)  # records the mapping could not read
        for record in page.items:
            key = (record.warehouse, record.sku)
            known = latest.get(key)
            if known is None or record.as_of >= known.as_of:
                latest[key] = record
    drift_units = 0
    for key in sorted(latest):  # (warehouse, SKU) order, as everywhere stock rows are locked
        record = latest[key]
        with db.transaction() as conn:
            row = conn.execute(
                select(stock.c.on_hand, stock.c.snapshot_as_of)
                .where(stock.c.warehouse_code == record.warehouse, stock.c.sku == record.sku)
                .with_for_update()
            ).first()
            if row is None:
                result.unmatched += 1  # not created: stock rows come from master data
                continue
            result.checked += 1
            implied = snapshot_on_hand(conn, record)
            if row.on_hand == implied:
                continue
            drift_units += abs(row.on_hand - implied)
            # The hub applied a newer snapshot than the system shows now: which is
            # right is for a person to say, not for this job.
            newer_in_hub = row.snapshot_as_of is not None and row.snapshot_as_of > record.as_of
            if not newer_in_hub:
                conn.execute(
                    update(stock)
                    .where(stock.c.warehouse_code == record.warehouse, stock.c.sku == record.sku)
                    .values(
                        on_hand=implied,
                        snapshot_as_of=record.as_of,
                        snapshot_source=record.source,
                        updated_at=now,
                    )
                )
            result.drift(f"{record.warehouse}/{record.sku}", repaired=not newer_in_hub)
    result.extra["drift_units"] = drift_units
    return result


# -- order statuses ----------------------------------------------------------------


def reconcile_orders(
    db: Database,
    connector: Connector,
    now: datetime,
    *,
    default_erp: str | None,
    connectors: Mapping[str, Connector],
    limit: int = ORDER_LIMIT,
) -> RunResult:
    """The hub's open orders routed to this connector against the system's
    documents. Submitted but accepted there: confirmed (the confirmation was
    lost). Confirmed but absent there: an alert on the order, no change."""
    result = RunResult(connector.name, ORDERS, now)
    routed = orders.c.erp_system == connector.name
    if default_erp == connector.name:
        # Routing falls back to the default when the dealer names no configured connector.
        routed = or_(
            routed, orders.c.erp_system.is_(None), orders.c.erp_system.not_in(list(connectors))
        )
    with db.read() as conn:
        candidates = conn.execute(
            select(orders.c.order_no, orders.c.status, orders.c.dealer_code)
            .where(and_(orders.c.status.in_(OPEN_STATUSES), routed))
            .order_by(orders.c.created_at, orders.c.order_no)
            .limit(limit)
        ).all()
    for order in candidates:
        result.checked += 1
        try:
            found = connector.find_order(order.order_no)
        except BusinessRejection as exc:
            # Rejected there while open here: the push or the ERP's event settles
            # a submitted order; anything else needs a person.
            result.drift(order.order_no, repaired=False)
            _order_alert(db, order, f"the ERP rejected it: {exc.detail}", now)
            continue
        status = OrderStatus(order.status)
        if found is None:
            if status is OrderStatus.CONFIRMED:
                result.drift(order.order_no, repaired=False)
                _order_alert(db, order, f"{connector.name} has no document for it", now)
            continue
        if status is OrderStatus.SUBMITTED and found.status is PushStatus.ACCEPTED:
            with db.transaction() as conn:
                # order_event locks the order and moves it only forward: a push that
                # confirmed it meanwhile makes this an ignored repeat.
                outcome = order_event(
                    conn,
                    order.order_no,
                    OrderEvent.CONFIRMED,
                    actor="reconciliation",
                    now=now,
                    note=f"confirmed in {connector.name}, found by reconciliation",
                    erp_ref=found.erp_ref,
                )
            result.drift(order.order_no, repaired=outcome == "applied")
    return result


def _order_alert(db: Database, order: Any, why: str, now: datetime) -> None:
    with db.transaction() as conn:
        raise_alert(
            conn,
            kind=SYNC_FAILURE,
            subject=f"order:{order.order_no}",
            message=f"order {order.order_no} is {order.status} in the hub but {why}",
            details={"order_no": order.order_no, "hub_status": order.status},
            dealer_code=order.dealer_code,
            now=now,
        )


# -- invoices ------------------------------------------------------------------------


def reconcile_invoices(db: Database, connector: Connector, now: datetime) -> RunResult:
    """Invoice totals per dealer against the system's invoices. A missing invoice
    is applied; a different amount is applied when the system's version is newer
    than the one the hub applied, else reported."""
    result = RunResult(connector.name, INVOICES, now)
    listed: dict[str, InvoiceIn] = {}
    for page in _all_pages(connector.fetch_invoices):
        result.unmatched += len(page.rejected)
        for record in page.items:
            listed[record.invoice_no] = record  # a later page holds the later version
    with db.read() as conn:
        hub = {
            row.invoice_no: row
            for row in conn.execute(
                select(invoices.c.invoice_no, invoices.c.dealer_code, invoices.c.amount).where(
                    invoices.c.source == connector.name
                )
            )
        }
    source_totals: dict[str, Decimal] = defaultdict(Decimal)
    hub_totals: dict[str, Decimal] = defaultdict(Decimal)
    for record in listed.values():
        source_totals[record.dealer_code] += record.amount
    for row in hub.values():
        hub_totals[row.dealer_code] += Decimal(row.amount)
    for invoice_no in sorted(listed):
        record = listed[invoice_no]
        result.checked += 1
        known = hub.get(invoice_no)
        if known is not None and Decimal(known.amount) == record.amount:
            continue
        outcome = "failed"
        try:
            with db.transaction() as conn:
                # claim_version inside decides "newer": an older or the same version is stale.
                outcome = apply_invoice(conn, record, now)
        except BadRecord as exc:
            result.extra.setdefault("errors", {})[invoice_no] = exc.detail
        result.drift(invoice_no, repaired=outcome == "applied")
    for invoice_no in sorted(set(hub) - set(listed)):
        result.drift(invoice_no, repaired=False)  # the hub has one the system does not list
    differing = {
        dealer: {"source": str(source_totals[dealer]), "hub": str(hub_totals[dealer])}
        for dealer in sorted(set(source_totals) | set(hub_totals))
        if source_totals[dealer] != hub_totals[dealer]
    }
    if differing:
        result.extra["dealer_totals"] = dict(list(differing.items())[:DETAIL_KEYS])
    return result


# -- one connector ---------------------------------------------------------------------


def reconcile_connector(
    db: Database,
    connectors: Mapping[str, Connector],
    name: str,
    now: datetime,
    *,
    default_erp: str | None,
    order_limit: int = ORDER_LIMIT,
) -> list[RunResult]:
    """Every entity the connector can answer for, each recorded as its own run.
    One entity failing (the system is down) does not stop the others; the first
    error is raised at the end so the job is retried."""
    connector = connectors[name]
    runs: list[Callable[[], RunResult]] = []
    if Capability.STOCK in connector.capabilities:
        runs.append(lambda: reconcile_stock(db, connector, now))
    if Capability.PUSH_ORDER in connector.capabilities:
        runs.append(
            lambda: reconcile_orders(
                db,
                connector,
                now,
                default_erp=default_erp,
                connectors=connectors,
                limit=order_limit,
            )
        )
    if Capability.INVOICES in connector.capabilities:
        runs.append(lambda: reconcile_invoices(db, connector, now))
    done: list[RunResult] = []
    failure: Exception | None = None
    for run in runs:
        try:
            result = run()
        except Exception as exc:  # re-raised below, after the other entities
            failure = failure or exc
            continue
        record_run(db, result, now)
        done.append(result)
    if failure is not None:
        raise failure
    return done
