"""Reading the receivables ledger, scoped by role: invoices with what is still
open, payments and credit notes with the invoices they settled."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, Connection, Table, select

from dms_domain.errors import NotFound
from dms_domain.receivables import ZERO, bucket_of, days_overdue
from hub.auth.principal import Principal
from hub.db.schema import allocations, credit_notes, invoices, payments
from hub.pagination import Page, keyset_page
from hub.services.scope import dealer_visible


def _invoice_view(row: dict[str, Any], today: date) -> dict[str, Any]:
    open_amount: Decimal = row["open_amount"]
    overdue = days_overdue(row["due_date"], today)
    row["status"] = "open" if open_amount > 0 else "paid"
    row["days_overdue"] = max(overdue, 0) if open_amount > 0 else 0
    row["bucket"] = bucket_of(row["due_date"], today).value if open_amount > 0 else None
    return row


def list_invoices(
    conn: Connection,
    principal: Principal,
    *,
    today: date,
    dealer_code: str | None,
    status: str | None,
    overdue: bool | None,
    order_no: str | None,
    cursor: str | None,
    limit: int,
) -> Page[dict[str, Any]]:
    query = select(invoices).where(dealer_visible(principal, invoices.c.dealer_code))
    if dealer_code:
        query = query.where(invoices.c.dealer_code == dealer_code)
    if order_no:
        query = query.where(invoices.c.order_no == order_no)
    if status == "open":
        query = query.where(invoices.c.open_amount > 0)
    elif status == "paid":
        query = query.where(invoices.c.open_amount <= 0)
    if overdue is not None:
        late = (invoices.c.open_amount > 0) & (invoices.c.due_date < today)
        query = query.where(late if overdue else ~late)
    page = keyset_page(
        conn,
        query,
        (invoices.c.invoice_date, invoices.c.invoice_no),
        cursor,
        limit,
        descending=True,
    )
    return Page([_invoice_view(row, today) for row in page.items], page.next_cursor)


def get_invoice(
    conn: Connection, invoice_no: str, principal: Principal, *, today: date
) -> dict[str, Any]:
    row = conn.execute(
        select(invoices).where(
            invoices.c.invoice_no == invoice_no, dealer_visible(principal, invoices.c.dealer_code)
        )
    ).first()
    if row is None:
        raise NotFound(f"no invoice {invoice_no!r}")
    invoice = _invoice_view(dict(row._mapping), today)
    invoice["settled_by"] = [
        {"kind": r.kind, "document_no": r.doc_no, "amount": r.amount}
        for r in conn.execute(
            select(allocations.c.kind, allocations.c.doc_no, allocations.c.amount)
            .where(allocations.c.invoice_no == invoice_no)
            .order_by(allocations.c.kind, allocations.c.doc_no)
        )
    ]
    return invoice


def _applied(conn: Connection, kind: str, numbers: list[str]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    if numbers:
        for r in conn.execute(
            select(allocations.c.doc_no, allocations.c.invoice_no, allocations.c.amount)
            .where(allocations.c.kind == kind, allocations.c.doc_no.in_(numbers))
            .order_by(allocations.c.doc_no, allocations.c.invoice_no)
        ):
            found[r.doc_no].append({"invoice_no": r.invoice_no, "amount": r.amount})
    return found


def _with_allocations(
    conn: Connection, kind: str, key: str, rows: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    applied = _applied(conn, kind, [row[key] for row in rows])
    for row in rows:
        row["applied_to"] = applied.get(row[key], [])
        row["unapplied"] = row["amount"] - sum((a["amount"] for a in row["applied_to"]), ZERO)
    return rows


class _Settling:
    """What differs between payments and credit notes when reading them."""

    def __init__(self, table: Table, kind: str, key: Column[Any], at: Column[Any]) -> None:
        self.table, self.kind, self.key, self.at = table, kind, key, at


PAYMENTS = _Settling(payments, "payment", payments.c.payment_no, payments.c.paid_at)
CREDIT_NOTES = _Settling(
    credit_notes, "credit_note", credit_notes.c.credit_note_no, credit_notes.c.issued_at
)


def list_settling(
    conn: Connection,
    what: _Settling,
    principal: Principal,
    *,
    dealer_code: str | None,
    invoice_no: str | None,
    cursor: str | None,
    limit: int,
) -> Page[dict[str, Any]]:
    table = what.table
    query = select(table).where(dealer_visible(principal, table.c.dealer_code))
    if dealer_code:
        query = query.where(table.c.dealer_code == dealer_code)
    if invoice_no:
        query = query.where(table.c.invoice_no == invoice_no)
    page = keyset_page(conn, query, (what.at, what.key), cursor, limit, descending=True)
    return Page(_with_allocations(conn, what.kind, what.key.key, page.items), page.next_cursor)


def get_settling(
    conn: Connection, what: _Settling, number: str, principal: Principal
) -> dict[str, Any]:
    table = what.table
    row = conn.execute(
        select(table).where(what.key == number, dealer_visible(principal, table.c.dealer_code))
    ).first()
    if row is None:
        raise NotFound(f"no {what.kind.replace('_', ' ')} {number!r}")
    return _with_allocations(conn, what.kind, what.key.key, [dict(row._mapping)])[0]
