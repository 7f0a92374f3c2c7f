"""Monthly statements: issue (on demand), read, download, confirm, dispute, resolve."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Response
from pydantic import StringConstraints

from dms_domain.errors import InvalidInput
from dms_domain.statements import DisputeStatus, LineKind, Month, StatementStatus
from hub.api.deps import AnyRole, ContainerDep, Cursor, Limit, MasterDataWriter, allow
from hub.api.types import (
    CODE_PATTERN,
    Count,
    Money,
    PositiveMoney,
    RequestModel,
    ResponseModel,
    Timestamp,
)
from hub.auth.principal import Principal, Role
from hub.services import statement_disputes, statements
from hub.services.statement_export import statement_csv
from hub.services.statement_pdf import statement_pdf

router = APIRouter(prefix="/api/v1", tags=["statements"])
DealerCode = Annotated[str, Path(pattern=CODE_PATTERN)]
MonthText = Annotated[str, Path(description="yyyy-mm, business time zone", examples=["2026-10"])]
DealerSide = Annotated[Principal, Depends(allow(Role.ADMIN, Role.DEALER))]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=500)]


def _month(text: str) -> Month:
    try:
        return Month.parse(text)
    except ValueError as exc:
        raise InvalidInput.field("month", str(exc)) from exc


Day = date  # a field below is named "date"


class LineOut(ResponseModel):
    line_no: int
    kind: LineKind
    document_no: str
    date: Day
    amount: Money
    revision: bool
    reference: str | None
    due_date: Day | None
    debit: Money
    credit: Money
    balance: Money


class DisputeOut(ResponseModel):
    id: int
    line_no: int
    reason: str
    status: DisputeStatus
    opened_by: str
    opened_at: Timestamp
    resolution: str | None
    adjustment_amount: Money | None
    credit_note_no: str | None
    resolved_by: str | None
    resolved_at: Timestamp | None


class HistoryOut(ResponseModel):
    at: Timestamp
    actor: str
    actor_role: str
    action: str
    details: dict[str, Any] | None


class StatementSummary(ResponseModel):
    dealer_code: str
    month: str
    period_start: date
    period_end: date
    currency: str
    opening_balance: Money
    invoices_total: Money
    credit_notes_total: Money
    payments_total: Money
    closing_balance: Money
    status: StatementStatus
    issued_at: Timestamp
    issued_by: str
    confirmed_at: Timestamp | None
    confirmed_by: str | None


class StatementOut(StatementSummary):
    dealer_name: str
    lines: list[LineOut]
    disputes: list[DisputeOut]
    history: list[HistoryOut]


class StatementPage(ResponseModel):
    items: list[StatementSummary]
    next_cursor: str | None


def _detail(container: Any, dealer: str, month: Month, principal: Principal) -> dict[str, Any]:
    with container.db.read() as conn:
        found = statements.find_statement(conn, dealer, month, principal)
        return statements.statement_detail(conn, found)


def _attachment(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"'}


def _render(detail: dict[str, Any]) -> dict[str, Any]:
    detail = dict(detail)
    # period_end is stored exclusive; the answer names the month's last day.
    detail["period_end"] = date.fromordinal(detail["period_end"].toordinal() - 1)
    return detail


@router.get("/statements", response_model=StatementPage)
def list_statements(
    principal: AnyRole,
    container: ContainerDep,
    dealer_code: str | None = None,
    month: str | None = None,
    status: StatementStatus | None = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Any:
    if month is not None:
        month = str(_month(month))
    with container.db.read() as conn:
        page = statements.list_statements(
            conn,
            principal,
            dealer_code=dealer_code,
            month=month,
            status=status,
            cursor=cursor,
            limit=limit,
        )
    return {"items": [_render(i) for i in page.items], "next_cursor": page.next_cursor}


@router.post(
    "/statements/{dealer_code}/{month}",
    response_model=StatementOut,
    status_code=201,
    responses={
        200: {"model": StatementOut, "description": "already issued: the frozen statement"},
        409: {"description": "period_open, statement_order"},
    },
)
def issue_statement(
    dealer_code: DealerCode,
    month: MonthText,
    principal: MasterDataWriter,
    container: ContainerDep,
    response: Response,
) -> Any:
    """Issue the month's statement now (it is also issued on schedule once the month is over)."""
    wanted = _month(month)
    with container.db.transaction() as conn:
        _, created = statements.issue_statement(
            conn,
            dealer_code,
            wanted,
            actor=principal,
            now=container.clock.now(),
            tz=container.settings.business_tz,
        )
    response.status_code = 201 if created else 200
    return _render(_detail(container, dealer_code, wanted, principal))


@router.get("/statements/{dealer_code}/{month}", response_model=StatementOut)
def get_statement(
    dealer_code: DealerCode, month: MonthText, principal: AnyRole, container: ContainerDep
) -> Any:
    return _render(_detail(container, dealer_code, _month(month), principal))


@router.get(
    "/statements/{dealer_code}/{month}/csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
def statement_as_csv(
    dealer_code: DealerCode, month: MonthText, principal: AnyRole, container: ContainerDep
) -> Response:
    detail = _detail(container, dealer_code, _month(month), principal)
    return Response(
        statement_csv(detail),
        media_type="text/csv; charset=utf-8",
        headers=_attachment(f"statement-{dealer_code}-{month}.csv"),
    )


@router.get(
    "/statements/{dealer_code}/{month}/pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
def statement_as_pdf(
    dealer_code: DealerCode, month: MonthText, principal: AnyRole, container: ContainerDep
) -> Response:
    detail = _detail(container, dealer_code, _month(month), principal)
    return Response(
        statement_pdf(detail, font_file=container.settings.statement_font),
        media_type="application/pdf",
        headers=_attachment(f"statement-{dealer_code}-{month}.pdf"),
    )


@router.post("/statements/{dealer_code}/{month}/confirm", response_model=StatementOut)
def confirm_statement(
    dealer_code: DealerCode, month: MonthText, principal: DealerSide, container: ContainerDep
) -> Any:
    wanted = _month(month)
    with container.db.transaction() as conn:
        statement_disputes.confirm(conn, dealer_code, wanted, principal, now=container.clock.now())
    return _render(_detail(container, dealer_code, wanted, principal))


class DisputedLineIn(RequestModel):
    line_no: Count
    reason: Reason


class DisputeIn(RequestModel):
    lines: list[DisputedLineIn]


@router.post("/statements/{dealer_code}/{month}/dispute", response_model=StatementOut)
def dispute_statement(
    dealer_code: DealerCode,
    month: MonthText,
    body: DisputeIn,
    principal: DealerSide,
    container: ContainerDep,
) -> Any:
    """Dispute lines of the statement, each with its reason."""
    wanted = _month(month)
    if not body.lines:
        raise InvalidInput.field("lines", "name at least one line to dispute")
    with container.db.transaction() as conn:
        statement_disputes.dispute(
            conn,
            dealer_code,
            wanted,
            principal,
            [statement_disputes.DisputedLine(x.line_no, x.reason) for x in body.lines],
            now=container.clock.now(),
        )
    return _render(_detail(container, dealer_code, wanted, principal))


class ResolveIn(RequestModel):
    outcome: Literal["adjusted", "rejected"]
    reason: Reason
    amount: PositiveMoney | None = None


@router.post(
    "/statements/{dealer_code}/{month}/disputes/{dispute_id}/resolve",
    response_model=StatementOut,
)
def resolve_dispute(
    dealer_code: DealerCode,
    month: MonthText,
    dispute_id: int,
    body: ResolveIn,
    principal: MasterDataWriter,
    container: ContainerDep,
) -> Any:
    """Resolve a dispute by an adjustment (a credit note of ``amount`` for the
    dealer, on the next statement) or reject it with a reason."""
    wanted = _month(month)
    with container.db.transaction() as conn:
        statement_disputes.resolve(
            conn,
            dealer_code,
            wanted,
            dispute_id,
            principal,
            outcome=DisputeStatus(body.outcome),
            reason=body.reason,
            amount=body.amount,
            now=container.clock.now(),
        )
    return _render(_detail(container, dealer_code, wanted, principal))


class DisputeListed(DisputeOut):
    dealer_code: str
    month: str


class DisputePage(ResponseModel):
    items: list[DisputeListed]
    next_cursor: str | None


@router.get("/statement-disputes", response_model=DisputePage)
def list_disputes(
    principal: AnyRole,
    container: ContainerDep,
    status: DisputeStatus | None = None,
    dealer_code: str | None = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Any:
    """Disputes in the caller's scope, newest first: what is still open is tracked here."""
    with container.db.read() as conn:
        return statement_disputes.list_disputes(
            conn, principal, status=status, dealer_code=dealer_code, cursor=cursor, limit=limit
        )
