"""Keeping a dealer's receivables settled: open amounts and allocations.

Whenever a dealer's invoices, credit notes or payments change (inbound from an
ERP or posted by API), ``settle_dealer`` recomputes how payments and credit
notes settle its invoices over its whole ledger (dms_domain.receivables:
named invoice first, then the oldest due first) and writes what changed, in
the transaction of the change. The dealer's row is locked first, so two
changes to one ledger are settled one after the other.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import ColumnElement, Connection, and_, delete, insert, select, update

from dms_domain.receivables import OpenInvoice, Settlement, SettlementKind, allocate
from hub.db.schema import allocations, credit_notes, dealers, invoices, payments

AllocationKey = tuple[str, str, str]  # (kind, document number, invoice number)


def lock_dealer(conn: Connection, dealer_code: str) -> None:
    """Serialise ledger changes of one dealer (FOR NO KEY UPDATE: orders of the
    dealer may still reference the row meanwhile)."""
    conn.execute(
        select(dealers.c.code).where(dealers.c.code == dealer_code).with_for_update(key_share=True)
    )


def settle_dealer(conn: Connection, dealer_code: str) -> None:
    lock_dealer(conn, dealer_code)
    rows = conn.execute(
        select(
            invoices.c.invoice_no,
            invoices.c.invoice_date,
            invoices.c.due_date,
            invoices.c.amount,
            invoices.c.open_amount,
        ).where(invoices.c.dealer_code == dealer_code)
    ).all()
    settlements = [
        Settlement(SettlementKind.PAYMENT, r.payment_no, r.paid_at, r.amount, r.invoice_no)
        for r in conn.execute(
            select(
                payments.c.payment_no, payments.c.paid_at, payments.c.amount, payments.c.invoice_no
            ).where(payments.c.dealer_code == dealer_code)
        )
    ]
    settlements += [
        Settlement(
            SettlementKind.CREDIT_NOTE, r.credit_note_no, r.issued_at, r.amount, r.invoice_no
        )
        for r in conn.execute(
            select(
                credit_notes.c.credit_note_no,
                credit_notes.c.issued_at,
                credit_notes.c.amount,
                credit_notes.c.invoice_no,
            ).where(credit_notes.c.dealer_code == dealer_code)
        )
    ]
    result = allocate(
        [OpenInvoice(r.invoice_no, r.invoice_date, r.due_date, r.amount) for r in rows],
        settlements,
    )
    for row in rows:
        new_open = result.open_amounts[row.invoice_no]
        if new_open != row.open_amount:
            conn.execute(
                update(invoices)
                .where(invoices.c.invoice_no == row.invoice_no)
                .values(open_amount=new_open)
            )
    wanted: dict[AllocationKey, Decimal] = {}
    for (kind, number), parts in result.applied.items():
        for invoice_no, amount in parts:
            wanted[(kind.value, number, invoice_no)] = amount
    _write_allocations(conn, dealer_code, wanted)


def _write_allocations(
    conn: Connection, dealer_code: str, wanted: dict[AllocationKey, Decimal]
) -> None:
    """Write only the differences: most changes move little of a long ledger."""
    current: dict[AllocationKey, Decimal] = {
        (r.kind, r.doc_no, r.invoice_no): r.amount
        for r in conn.execute(
            select(
                allocations.c.kind,
                allocations.c.doc_no,
                allocations.c.invoice_no,
                allocations.c.amount,
            ).where(allocations.c.dealer_code == dealer_code)
        )
    }
    for key in current.keys() - wanted.keys():
        conn.execute(delete(allocations).where(_match(key)))
    for key, amount in wanted.items():
        if key not in current:
            kind, doc_no, invoice_no = key
            conn.execute(
                insert(allocations).values(
                    kind=kind,
                    doc_no=doc_no,
                    invoice_no=invoice_no,
                    dealer_code=dealer_code,
                    amount=amount,
                )
            )
        elif current[key] != amount:
            conn.execute(update(allocations).where(_match(key)).values(amount=amount))


def _match(key: AllocationKey) -> ColumnElement[bool]:
    kind, doc_no, invoice_no = key
    return and_(
        allocations.c.kind == kind,
        allocations.c.doc_no == doc_no,
        allocations.c.invoice_no == invoice_no,
    )
