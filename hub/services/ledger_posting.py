"""Integrators (and admins) posting invoices, credit notes and payments by API.

A posted document goes through the same apply functions as one pulled from an
ERP (hub/sync/inbound.py, source ``api``), so orders move to ``invoiced`` and
the dealer's ledger is settled the same way. Documents are immutable by
number: posting the same document again answers it again (200), posting a
different one under a known number is refused (409 ``document_exists``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import Column, Connection, Table, select

from dms_domain.errors import InvalidInput, Refused
from dms_domain.exchange import CreditNoteIn, InvoiceIn, PaymentIn
from dms_domain.receivables import due_date_for
from hub.auth.principal import Principal
from hub.db.schema import credit_notes, dealers, invoices, orders, payments
from hub.services import audit
from hub.sync import inbound

API_SOURCE = "api"


@dataclass(frozen=True, slots=True)
class InvoiceInput:
    invoice_no: str
    dealer_code: str
    invoice_date: date
    amount: Decimal
    tax_amount: Decimal
    currency: str
    order_no: str | None = None
    due_date: date | None = None


def _existing(conn: Connection, table: Table, key_column: Any, key: str) -> dict[str, Any] | None:
    row = conn.execute(select(table).where(key_column == key)).first()
    return dict(row._mapping) if row else None


def _same_or_refuse(
    existing: Mapping[str, Any], wanted: Mapping[str, Any], what: str, key: str
) -> None:
    differing = sorted(k for k, v in wanted.items() if existing.get(k) != v)
    if differing:
        raise Refused(
            f"{what} {key} exists with other values ({', '.join(differing)}); "
            "documents are immutable: post a credit note or a new document instead",
            code="document_exists",
            differing=differing,
        )


def _dealer_terms(conn: Connection, dealer_code: str) -> int:
    terms = conn.scalar(select(dealers.c.payment_terms_days).where(dealers.c.code == dealer_code))
    if terms is None:
        raise InvalidInput.field("dealer_code", f"{dealer_code!r} is not a dealer of the hub")
    return int(terms)


def _invoice_of_dealer(conn: Connection, invoice_no: str | None, dealer_code: str) -> None:
    if invoice_no is None:
        return
    owner = conn.scalar(select(invoices.c.dealer_code).where(invoices.c.invoice_no == invoice_no))
    if owner != dealer_code:
        raise InvalidInput.field(
            "invoice_no", f"{invoice_no!r} is not an invoice of dealer {dealer_code}"
        )


def post_invoice(
    conn: Connection, data: InvoiceInput, *, actor: Principal, now: datetime
) -> tuple[dict[str, Any], bool]:
    terms = _dealer_terms(conn, data.dealer_code)
    if data.order_no is not None:
        owner = conn.scalar(select(orders.c.dealer_code).where(orders.c.order_no == data.order_no))
        if owner != data.dealer_code:
            raise InvalidInput.field(
                "order_no", f"{data.order_no!r} is not an order of dealer {data.dealer_code}"
            )
    due = data.due_date or due_date_for(data.invoice_date, terms)
    if due < data.invoice_date:
        raise InvalidInput.field("due_date", f"{due} is before the invoice date")
    record = InvoiceIn(
        API_SOURCE,
        data.invoice_no,
        "1",
        invoice_no=data.invoice_no,
        dealer_code=data.dealer_code,
        invoice_date=data.invoice_date,
        due_date=due,
        amount=data.amount,
        tax_amount=data.tax_amount,
        currency=data.currency,
        order_no=data.order_no,
    )
    return _post(conn, record, invoices.c.invoice_no, inbound.apply_invoice, actor, now)


def post_credit_note(
    conn: Connection, record: CreditNoteIn, *, actor: Principal, now: datetime
) -> tuple[dict[str, Any], bool]:
    """``record``'s source, key and version are set here (``api``, its number, 1)."""
    _dealer_terms(conn, record.dealer_code)
    _invoice_of_dealer(conn, record.invoice_no, record.dealer_code)
    record = replace(record, source=API_SOURCE, key=record.credit_note_no, version="1")
    column = credit_notes.c.credit_note_no
    return _post(conn, record, column, inbound.apply_credit_note, actor, now)


def post_payment(
    conn: Connection, record: PaymentIn, *, actor: Principal, now: datetime
) -> tuple[dict[str, Any], bool]:
    """``record``'s source, key and version are set here (``api``, its number, 1)."""
    _dealer_terms(conn, record.dealer_code)
    _invoice_of_dealer(conn, record.invoice_no, record.dealer_code)
    record = replace(record, source=API_SOURCE, key=record.payment_no, version="1")
    return _post(conn, record, payments.c.payment_no, inbound.apply_payment, actor, now)


R = TypeVar("R", InvoiceIn, CreditNoteIn, PaymentIn)


def _post(
    conn: Connection,
    record: R,
    key_column: Column[str],
    apply: Callable[[Connection, R, datetime], str],
    actor: Principal,
    now: datetime,
) -> tuple[dict[str, Any], bool]:
    """Answer the stored document when it is the same, refuse another one under
    its number, else apply it as an inbound record would be."""
    table = key_column.table
    assert isinstance(table, Table)
    number = record.key
    wanted = {
        k: v
        for k, v in asdict(record).items()
        if k not in ("source", "key", "version", key_column.key)
    }
    existing = _existing(conn, table, key_column, number)
    if existing is not None:
        _same_or_refuse(existing, wanted, table.name.rstrip("s").replace("_", " "), number)
        return existing, False
    apply(conn, record, now)
    return _created(conn, table, key_column, number, actor, now), True


def _created(
    conn: Connection, table: Table, key_column: Any, key: str, actor: Principal, now: datetime
) -> dict[str, Any]:
    row = _existing(conn, table, key_column, key)
    assert row is not None  # just written in this transaction
    audit.record(
        conn,
        actor=actor,
        action="create",
        entity=table.name.rstrip("s"),
        key=key,
        before=None,
        after=audit.snapshot({k: v for k, v in row.items() if k != "recorded_at"}),
        at=now,
    )
    return row
