"""Receivables: invoices, credit notes, payments (read by role, posted by
integrators and admins) and the ageing report."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Response
from pydantic import Field, StringConstraints
from sqlalchemy import Connection

from dms_domain import exchange
from dms_domain.receivables import business_date
from hub.api.deps import AnyRole, ContainerDep, Cursor, Limit, MasterDataWriter, allow
from hub.api.types import (
    CODE_PATTERN,
    Code,
    Currency,
    Money,
    NonNegativeMoney,
    PositiveMoney,
    RequestModel,
    ResponseModel,
    Timestamp,
)
from hub.auth.principal import Principal, Role
from hub.bootstrap import Container
from hub.services import ledger_posting, ledger_queries
from hub.services.ageing import ageing_report
from hub.services.ledger_posting import API_SOURCE as API

router = APIRouter(prefix="/api/v1", tags=["receivables"])
DocumentNo = Annotated[str, Path(pattern=CODE_PATTERN)]
AgeingReader = Annotated[Principal, Depends(allow(Role.ADMIN, Role.MANAGER, Role.DEALER))]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=500)]


def business_today(container: Container) -> date:
    return business_date(container.clock.now(), container.settings.business_tz)


class InvoiceIn(RequestModel):
    invoice_no: Code
    dealer_code: Code
    order_no: Code | None = None
    invoice_date: date
    due_date: date | None = Field(
        default=None, description="default: invoice_date + the dealer's payment_terms_days"
    )
    amount: NonNegativeMoney = Field(description="tax-inclusive")
    tax_amount: NonNegativeMoney
    currency: Currency = "CNY"


class Allocated(ResponseModel):
    kind: str
    document_no: str
    amount: Money


class InvoiceOut(ResponseModel):
    invoice_no: str
    dealer_code: str
    order_no: str | None
    invoice_date: date
    due_date: date
    amount: Money
    tax_amount: Money
    currency: str
    open_amount: Money
    status: Literal["open", "paid"]
    days_overdue: int
    bucket: str | None = Field(description="ageing bucket of what is open; null when paid")
    source: str
    recorded_at: Timestamp


class InvoiceDetail(InvoiceOut):
    settled_by: list[Allocated]


class InvoicePage(ResponseModel):
    items: list[InvoiceOut]
    next_cursor: str | None


class AppliedTo(ResponseModel):
    invoice_no: str
    amount: Money


class PaymentIn(RequestModel):
    payment_no: Code
    dealer_code: Code
    paid_at: Timestamp
    amount: PositiveMoney
    currency: Currency = "CNY"
    invoice_no: Code | None = Field(
        default=None, description="applied to it first; the rest to the oldest due invoices"
    )


class PaymentOut(ResponseModel):
    payment_no: str
    dealer_code: str
    paid_at: Timestamp
    amount: Money
    currency: str
    invoice_no: str | None
    applied_to: list[AppliedTo]
    unapplied: Money
    source: str
    recorded_at: Timestamp


class PaymentPage(ResponseModel):
    items: list[PaymentOut]
    next_cursor: str | None


class CreditNoteIn(RequestModel):
    credit_note_no: Code
    dealer_code: Code
    issued_at: Timestamp
    amount: PositiveMoney
    invoice_no: Code | None = None
    reason: Reason | None = None


class CreditNoteOut(ResponseModel):
    credit_note_no: str
    dealer_code: str
    issued_at: Timestamp
    amount: Money
    invoice_no: str | None
    reason: str | None
    applied_to: list[AppliedTo]
    unapplied: Money
    source: str
    recorded_at: Timestamp


class CreditNotePage(ResponseModel):
    items: list[CreditNoteOut]
    next_cursor: str | None


def _posted(
    container: Container,
    response: Response,
    write: Callable[[Connection, datetime], tuple[Any, bool]],
    read: Callable[[Connection], Any],
) -> Any:
    """Post a document and answer it as stored: 201 when new, 200 when known."""
    with container.db.transaction() as conn:
        _, created = write(conn, container.clock.now())
        answer = read(conn)
    response.status_code = 201 if created else 200
    return answer


_CREATED: dict[int | str, dict[str, Any]] = {
    201: {"description": "created"},
    409: {"description": "document_exists"},
}


@router.get("/invoices", response_model=InvoicePage)
def list_invoices(
    principal: AnyRole,
    container: ContainerDep,
    dealer_code: str | None = None,
    status: Literal["open", "paid"] | None = None,
    overdue: bool | None = None,
    order_no: str | None = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Any:
    with container.db.read() as conn:
        return ledger_queries.list_invoices(
            conn,
            principal,
            today=business_today(container),
            dealer_code=dealer_code,
            status=status,
            overdue=overdue,
            order_no=order_no,
            cursor=cursor,
            limit=limit,
        )


@router.get("/invoices/{invoice_no}", response_model=InvoiceDetail)
def get_invoice(invoice_no: DocumentNo, principal: AnyRole, container: ContainerDep) -> Any:
    with container.db.read() as conn:
        return ledger_queries.get_invoice(
            conn, invoice_no, principal, today=business_today(container)
        )


@router.post("/invoices", response_model=InvoiceDetail, status_code=201, responses=_CREATED)
def post_invoice(
    body: InvoiceIn, principal: MasterDataWriter, container: ContainerDep, response: Response
) -> Any:
    data = ledger_posting.InvoiceInput(**body.model_dump())
    return _posted(
        container,
        response,
        lambda conn, now: ledger_posting.post_invoice(conn, data, actor=principal, now=now),
        lambda conn: ledger_queries.get_invoice(
            conn, body.invoice_no, principal, today=business_today(container)
        ),
    )


@router.get("/payments", response_model=PaymentPage)
def list_payments(
    principal: AnyRole,
    container: ContainerDep,
    dealer_code: str | None = None,
    invoice_no: str | None = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Any:
    with container.db.read() as conn:
        return ledger_queries.list_settling(
            conn,
            ledger_queries.PAYMENTS,
            principal,
            dealer_code=dealer_code,
            invoice_no=invoice_no,
            cursor=cursor,
            limit=limit,
        )


@router.get("/payments/{payment_no}", response_model=PaymentOut)
def get_payment(payment_no: DocumentNo, principal: AnyRole, container: ContainerDep) -> Any:
    with container.db.read() as conn:
        return ledger_queries.get_settling(conn, ledger_queries.PAYMENTS, payment_no, principal)


@router.post("/payments", response_model=PaymentOut, status_code=201, responses=_CREATED)
def post_payment(
    body: PaymentIn, principal: MasterDataWriter, container: ContainerDep, response: Response
) -> Any:
    record = exchange.PaymentIn(API, body.payment_no, "1", **body.model_dump())
    return _posted(
        container,
        response,
        lambda conn, now: ledger_posting.post_payment(conn, record, actor=principal, now=now),
        lambda conn: ledger_queries.get_settling(
            conn, ledger_queries.PAYMENTS, body.payment_no, principal
        ),
    )


@router.get("/credit-notes", response_model=CreditNotePage)
def list_credit_notes(
    principal: AnyRole,
    container: ContainerDep,
    dealer_code: str | None = None,
    invoice_no: str | None = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Any:
    with container.db.read() as conn:
        return ledger_queries.list_settling(
            conn,
            ledger_queries.CREDIT_NOTES,
            principal,
            dealer_code=dealer_code,
            invoice_no=invoice_no,
            cursor=cursor,
            limit=limit,
        )


@router.get("/credit-notes/{credit_note_no}", response_model=CreditNoteOut)
def get_credit_note(credit_note_no: DocumentNo, principal: AnyRole, container: ContainerDep) -> Any:
    with container.db.read() as conn:
        return ledger_queries.get_settling(
            conn, ledger_queries.CREDIT_NOTES, credit_note_no, principal
        )


@router.post("/credit-notes", response_model=CreditNoteOut, status_code=201, responses=_CREATED)
def post_credit_note(
    body: CreditNoteIn, principal: MasterDataWriter, container: ContainerDep, response: Response
) -> Any:
    record = exchange.CreditNoteIn(API, body.credit_note_no, "1", **body.model_dump())
    return _posted(
        container,
        response,
        lambda conn, now: ledger_posting.post_credit_note(conn, record, actor=principal, now=now),
        lambda conn: ledger_queries.get_settling(
            conn, ledger_queries.CREDIT_NOTES, body.credit_note_no, principal
        ),
    )


class AgeingFigures(ResponseModel):
    buckets: dict[str, Money] = Field(
        description="open amounts by days past due: current, 1-30, 31-60, 61-90, over_90"
    )
    open: Money
    overdue: Money


class AgeingDealer(AgeingFigures):
    dealer_code: str
    name: str
    credit_limit: Money | None
    exposure: Money
    headroom: Money | None = Field(description="credit_limit - exposure; null: no limit")
    unapplied_credit: Money = Field(description="paid ahead: not yet taken by an open invoice")


class AgeingRegion(AgeingFigures):
    region: str


class AgeingReport(ResponseModel):
    as_of: date = Field(description="today in the business time zone")
    totals: AgeingFigures
    regions: list[AgeingRegion]
    items: list[AgeingDealer]
    next_cursor: str | None


@router.get("/receivables/ageing", response_model=AgeingReport)
def receivables_ageing(
    principal: AgeingReader,
    container: ContainerDep,
    dealer_code: str | None = None,
    region: str | None = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Any:
    """Open receivables by ageing bucket per dealer (paged) and region, with each
    dealer's credit limit, exposure and headroom."""
    with container.db.read() as conn:
        return ageing_report(
            conn,
            principal,
            today=business_today(container),
            dealer_code=dealer_code,
            region=region,
            cursor=cursor,
            limit=limit,
        )
