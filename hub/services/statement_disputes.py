"""A dealer confirms its statement or disputes lines of it; the hub's side
resolves each dispute by an adjustment or rejects it with a reason.

Statuses (dms_domain.statements): ``issued`` -> ``confirmed`` (final), or
``issued`` -> ``disputed`` (a dispute is open) -> ``resolved`` (every dispute
answered) -> ``confirmed`` or ``disputed`` again. An adjustment is a credit
note for the dealer (number ``ADJ-<statement id>-<dispute id>``), dated when
the dispute is resolved, so it appears on the next statement: the disputed
statement itself stays as issued. Every step is in the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from dms_domain.errors import FieldErrors, InvalidInput, NotFound, Refused
from dms_domain.exchange import CreditNoteIn
from dms_domain.statements import (
    DisputeStatus,
    LineKind,
    Month,
    StatementStatus,
    can_confirm,
    can_dispute,
)
from hub.auth.principal import Principal
from hub.db.schema import statement_disputes, statement_lines, statements
from hub.pagination import Page, keyset_page
from hub.services import audit, ledger_posting
from hub.services.scope import dealer_visible
from hub.services.statements import ENTITY, audit_key, find_statement


@dataclass(frozen=True, slots=True)
class DisputedLine:
    line_no: int
    reason: str


def _set_status(
    conn: Connection, statement_id: int, status: StatementStatus, now: datetime, **extra: Any
) -> None:
    conn.execute(
        update(statements)
        .where(statements.c.id == statement_id)
        .values(status=status.value, updated_at=now, **extra)
    )


def _audit(
    conn: Connection,
    statement: dict[str, Any],
    action: str,
    principal: Principal,
    now: datetime,
    after: dict[str, Any],
) -> None:
    audit.record(
        conn,
        actor=principal,
        action=action,
        entity=ENTITY,
        key=audit_key(statement["dealer_code"], statement["month"]),
        before={"status": statement["status"]},
        after=audit.snapshot(after),
        at=now,
    )


def confirm(
    conn: Connection, dealer_code: str, month: Month, principal: Principal, *, now: datetime
) -> None:
    statement = find_statement(conn, dealer_code, month, principal, lock=True)
    status = StatementStatus(statement["status"])
    if status is StatementStatus.CONFIRMED:
        return  # confirming twice changes nothing
    if not can_confirm(status):
        raise Refused(
            f"statement {dealer_code}/{month} has open disputes: they are resolved first",
            code="open_disputes",
        )
    _set_status(
        conn,
        statement["id"],
        StatementStatus.CONFIRMED,
        now,
        confirmed_at=now,
        confirmed_by=principal.name,
    )
    _audit(conn, statement, "confirm", principal, now, {"status": "confirmed"})


def dispute(
    conn: Connection,
    dealer_code: str,
    month: Month,
    principal: Principal,
    lines: list[DisputedLine],
    *,
    now: datetime,
) -> None:
    statement = find_statement(conn, dealer_code, month, principal, lock=True)
    if not can_dispute(StatementStatus(statement["status"])):
        raise Refused(
            f"statement {dealer_code}/{month} was confirmed: it can no longer be disputed",
            code="statement_confirmed",
        )
    known = set(
        conn.scalars(
            select(statement_lines.c.line_no).where(
                statement_lines.c.statement_id == statement["id"]
            )
        )
    )
    open_ = set(
        conn.scalars(
            select(statement_disputes.c.line_no).where(
                statement_disputes.c.statement_id == statement["id"],
                statement_disputes.c.status == DisputeStatus.OPEN.value,
            )
        )
    )
    errors = FieldErrors()
    seen: set[int] = set()
    for index, line in enumerate(lines):
        if line.line_no not in known:
            errors.add(f"lines[{index}].line_no", f"{line.line_no} is not a line of this statement")
        elif line.line_no in seen:
            errors.add(f"lines[{index}].line_no", f"{line.line_no} is named twice")
        seen.add(line.line_no)
    errors.raise_if_any("the dispute names lines this statement does not have")
    already = sorted(seen & open_)
    if already:
        raise Refused(
            f"lines {already} are already under an open dispute",
            code="line_disputed",
            lines=already,
        )
    conn.execute(
        insert(statement_disputes),
        [
            {
                "statement_id": statement["id"],
                "line_no": line.line_no,
                "reason": line.reason,
                "status": DisputeStatus.OPEN.value,
                "opened_by": principal.name,
                "opened_at": now,
            }
            for line in lines
        ],
    )
    _set_status(conn, statement["id"], StatementStatus.DISPUTED, now)
    _audit(
        conn,
        statement,
        "dispute",
        principal,
        now,
        {
            "status": "disputed",
            "lines": [{"line_no": x.line_no, "reason": x.reason} for x in lines],
        },
    )


def resolve(
    conn: Connection,
    dealer_code: str,
    month: Month,
    dispute_id: int,
    principal: Principal,
    *,
    outcome: DisputeStatus,
    reason: str,
    amount: Decimal | None,
    now: datetime,
) -> None:
    statement = find_statement(conn, dealer_code, month, principal, lock=True)
    row = conn.execute(
        select(statement_disputes).where(
            statement_disputes.c.id == dispute_id,
            statement_disputes.c.statement_id == statement["id"],
        )
    ).first()
    if row is None:
        raise NotFound(f"no dispute {dispute_id} on statement {dealer_code}/{month}")
    if row.status != DisputeStatus.OPEN.value:
        raise Refused(f"dispute {dispute_id} was already {row.status}", code="dispute_closed")
    credit_note_no = None
    if outcome is DisputeStatus.ADJUSTED:
        if amount is None:
            raise InvalidInput.field("amount", "an adjustment needs the amount credited")
        line = conn.execute(
            select(statement_lines).where(
                statement_lines.c.statement_id == statement["id"],
                statement_lines.c.line_no == row.line_no,
            )
        ).one()
        credit_note_no = f"ADJ-{statement['id']}-{dispute_id}"
        ledger_posting.post_credit_note(
            conn,
            CreditNoteIn(
                ledger_posting.API_SOURCE,
                credit_note_no,
                "1",
                credit_note_no=credit_note_no,
                dealer_code=dealer_code,
                issued_at=now,
                amount=amount,
                invoice_no=line.doc_no if line.kind == LineKind.INVOICE.value else None,
                reason=f"statement {dealer_code}/{month} line {row.line_no}: {reason}"[:500],
            ),
            actor=principal,
            now=now,
        )
    elif amount is not None:
        raise InvalidInput.field("amount", "only an adjustment carries an amount")
    conn.execute(
        update(statement_disputes)
        .where(statement_disputes.c.id == dispute_id)
        .values(
            status=outcome.value,
            resolution=reason,
            adjustment_amount=amount,
            credit_note_no=credit_note_no,
            resolved_by=principal.name,
            resolved_at=now,
        )
    )
    still_open = conn.scalar(
        select(func.count()).where(
            statement_disputes.c.statement_id == statement["id"],
            statement_disputes.c.status == DisputeStatus.OPEN.value,
        )
    )
    if not still_open:
        _set_status(conn, statement["id"], StatementStatus.RESOLVED, now)
    _audit(
        conn,
        statement,
        "resolve",
        principal,
        now,
        {
            "status": "disputed" if still_open else "resolved",
            "dispute": dispute_id,
            "line_no": row.line_no,
            "outcome": outcome.value,
            "reason": reason,
            "amount": amount,
            "credit_note_no": credit_note_no,
        },
    )


def list_disputes(
    conn: Connection,
    principal: Principal,
    *,
    status: str | None,
    dealer_code: str | None,
    cursor: str | None,
    limit: int,
) -> Page[dict[str, Any]]:
    query = (
        select(statement_disputes, statements.c.dealer_code, statements.c.month)
        .join(statements, statements.c.id == statement_disputes.c.statement_id)
        .where(dealer_visible(principal, statements.c.dealer_code))
    )
    if status:
        query = query.where(statement_disputes.c.status == status)
    if dealer_code:
        query = query.where(statements.c.dealer_code == dealer_code)
    return keyset_page(conn, query, (statement_disputes.c.id,), cursor, limit, descending=True)
