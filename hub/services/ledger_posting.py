"""Integrators (and admins) posting invoices, credit notes and payments by API.

A posted document goes through the same apply functions as one pulled from an
ERP (hub/sync/inbound.py, source ``api``), so orders move to ``invoiced`` and
the dealer's ledger is settled the same way. Documents are immutable by
number: posting the same document again answers it again (200), posting a
different one under a known number is refused (409 ``document_exists``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Table, select

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


@dataclass(frozen=True, slots=True)
class CreditNoteInput:
    credit_note_no: str
    dealer_code: str
    issued_at: datetime
    amount: Decimal
    invoice_no: str | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class PaymentInput:
    payment_no: str
    dealer_code: str
    paid_at: datetime
    amount: Decimal
    currency: str
    invoice_no: str | None = None


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
    wanted = {
        "dealer_code": data.dealer_code,
        "order_no": data.order_no,
        "invoice_date": data.invoice_date,
        "due_date": due,
        "amount": data.amount,
        "tax_amount": data.tax_amount,
        "currency": data.currency,
    }
    existing = _existing(conn, invoices, invoices.c.invoice_no, data.invoice_no)
    if existing is not None:
        _same_or_refuse(existing, wanted, "invoice", data.invoice_no)
        return existing, False
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
    inbound.apply_invoice(conn, record, now)
    return _created(conn, invoices, invoices.c.invoice_no, data.invoice_no, actor, now), True


def post_credit_note(
    conn: Connection, data: CreditNoteInput, *, actor: Principal, now: datetime
) -> tuple[dict[str, Any], bool]:
    _dealer_terms(conn, data.dealer_code)
    _invoice_of_dealer(conn, data.invoice_no, data.dealer_code)
    wanted = {
        "dealer_code": data.dealer_code,
        "issued_at": data.issued_at,
        "amount": data.amount,
        "invoice_no": data.invoice_no,
        "reason": data.reason,
    }
    existing = _existing(conn, credit_notes, credit_notes.c.credit_note_no, data.credit_note_no)
    if existing is not None:
        _same_or_refuse(existing, wanted, "credit note", data.credit_note_no)
        return existing, False
    record = CreditNoteIn(
        API_SOURCE,
        data.credit_note_no,
        "1",
        credit_note_no=data.credit_note_no,
        dealer_code=data.dealer_code,
        issued_at=data.issued_at,
        amount=data.amount,
        invoice_no=data.invoice_no,
        reason=data.reason,
    )
    inbound.apply_credit_note(conn, record, now)
    key = data.credit_note_no
    return _created(conn, credit_notes, credit_notes.c.credit_note_no, key, actor, now), True


def post_payment(
    conn: Connection, data: PaymentInput, *, actor: Principal, now: datetime
) -> tuple[dict[str, Any], bool]:
    _dealer_terms(conn, data.dealer_code)
    _invoice_of_dealer(conn, data.invoice_no, data.dealer_code)
    wanted = {
        "dealer_code": data.dealer_code,
        "paid_at": data.paid_at,
        "amount": data.amount,
        "currency": data.currency,
        "invoice_no": data.invoice_no,
    }
    existing = _existing(conn, payments, payments.c.payment_no, data.payment_no)
    if existing is not None:
        _same_or_refuse(existing, wanted, "payment", data.payment_no)
        return existing, False
    record = PaymentIn(
        API_SOURCE,
        data.payment_no,
        "1",
        payment_no=data.payment_no,
        dealer_code=data.dealer_code,
        paid_at=data.paid_at,
        amount=data.amount,
        currency=data.currency,
        invoice_no=data.invoice_no,
    )
    inbound.apply_payment(conn, record, now)
    return _created(conn, payments, payments.c.payment_no, data.payment_no, actor, now), True


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
