"""Monthly statements (对账单): issuing them (on demand and on schedule) and reading them.

The rules of what a statement carries are in dms_domain/statements.py. Here:
a statement is issued for a month that has ended in the business time zone,
once (issuing it again answers the issued one), in month order (missing
months in between are issued first), and never changes afterwards except its
status. Every step is written to the audit log (entity ``statement``, key
``<dealer>/<yyyy-mm>``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, func, insert, select, union, update

from dms_domain.errors import NotFound, Refused
from dms_domain.receivables import business_date
from dms_domain.statements import (
    LedgerDocument,
    LineKind,
    Month,
    StatementStatus,
    balance,
    figures,
    opening_register,
    register_after,
    statement_lines,
)
from hub.auth.principal import Principal, Role
from hub.db.schema import (
    audit_log,
    credit_notes,
    dealers,
    invoices,
    payments,
    statement_disputes,
    statement_register,
    statements,
)
from hub.db.schema import (
    statement_lines as lines_table,
)
from hub.pagination import Page, keyset_page
from hub.services import audit
from hub.services.ledger import lock_dealer
from hub.services.scope import dealer_visible

ENTITY = "statement"
# Who issues statements on schedule (the audit log names it).
SCHEDULER = Principal(name="scheduler", role=Role.ADMIN, via="job")


def audit_key(dealer_code: str, month: Month | str) -> str:
    return f"{dealer_code}/{month}"


def _start_of(day: date, tz: str) -> datetime:
    return datetime.combine(day, time(0), ZoneInfo(tz))


def ledger_documents(
    conn: Connection, dealer_code: str, *, before: date, tz: str
) -> list[LedgerDocument]:
    """The dealer's documents dated before ``before`` (business time zone)."""
    cutoff = _start_of(before, tz)
    docs = [
        LedgerDocument(
            LineKind.INVOICE, r.invoice_no, r.invoice_date, r.amount, r.order_no, r.due_date
        )
        for r in conn.execute(
            select(invoices).where(
                invoices.c.dealer_code == dealer_code, invoices.c.invoice_date < before
            )
        )
    ]
    docs += [
        LedgerDocument(
            LineKind.CREDIT_NOTE,
            r.credit_note_no,
            business_date(r.issued_at, tz),
            r.amount,
            r.invoice_no,
        )
        for r in conn.execute(
            select(credit_notes).where(
                credit_notes.c.dealer_code == dealer_code, credit_notes.c.issued_at < cutoff
            )
        )
    ]
    docs += [
        LedgerDocument(
            LineKind.PAYMENT, r.payment_no, business_date(r.paid_at, tz), r.amount, r.invoice_no
        )
        for r in conn.execute(
            select(payments).where(
                payments.c.dealer_code == dealer_code, payments.c.paid_at < cutoff
            )
        )
    ]
    return docs


def _register(conn: Connection, dealer_code: str) -> dict[tuple[LineKind, str], Decimal]:
    return {
        (LineKind(r.kind), r.doc_no): r.amount
        for r in conn.execute(
            select(statement_register).where(statement_register.c.dealer_code == dealer_code)
        )
    }


def _save_register(
    conn: Connection,
    dealer_code: str,
    before: Mapping[tuple[LineKind, str], Decimal],
    after: Mapping[tuple[LineKind, str], Decimal],
) -> None:
    for (kind, number), amount in after.items():
        if (kind, number) not in before:
            conn.execute(
                insert(statement_register).values(
                    dealer_code=dealer_code, kind=kind.value, doc_no=number, amount=amount
                )
            )
        elif before[(kind, number)] != amount:
            conn.execute(
                update(statement_register)
                .where(
                    statement_register.c.dealer_code == dealer_code,
                    statement_register.c.kind == kind.value,
                    statement_register.c.doc_no == number,
                )
                .values(amount=amount)
            )


def _latest(conn: Connection, dealer_code: str) -> Any:
    return conn.execute(
        select(statements)
        .where(statements.c.dealer_code == dealer_code)
        .order_by(statements.c.month.desc())
        .limit(1)
    ).first()


def issue_statement(
    conn: Connection,
    dealer_code: str,
    month: Month,
    *,
    actor: Principal,
    now: datetime,
    tz: str,
) -> tuple[int, bool]:
    """Issue ``month``'s statement of the dealer (and any missing months before
    it); returns (its id, whether it was issued now)."""
    if conn.scalar(select(dealers.c.code).where(dealers.c.code == dealer_code)) is None:
        raise NotFound(f"no dealer {dealer_code!r}")
    today = business_date(now, tz)
    if month.end > today:
        raise Refused(
            f"{month} has not ended yet in the business time zone ({tz}, today {today}): "
            "a statement is issued once its month is over",
            code="period_open",
            month=str(month),
        )
    lock_dealer(conn, dealer_code)
    existing = conn.scalar(
        select(statements.c.id).where(
            statements.c.dealer_code == dealer_code, statements.c.month == str(month)
        )
    )
    if existing is not None:
        return int(existing), False
    latest = _latest(conn, dealer_code)
    if latest is not None and Month.parse(latest.month) > month:
        raise Refused(
            f"statements are issued in month order: {dealer_code} already has {latest.month}",
            code="statement_order",
            latest=latest.month,
        )
    pending = [month]
    if latest is not None:
        pending = []
        step = Month.parse(latest.month).next()
        while step <= month:
            pending.append(step)
            step = step.next()
    statement_id = 0
    for step in pending:
        statement_id = _issue_one(conn, dealer_code, step, actor=actor, now=now, tz=tz)
    return statement_id, True


def _issue_one(
    conn: Connection, dealer_code: str, month: Month, *, actor: Principal, now: datetime, tz: str
) -> int:
    docs = ledger_documents(conn, dealer_code, before=month.end, tz=tz)
    previous = _latest(conn, dealer_code)
    if previous is None:
        stated = opening_register(docs, month)
        opening = balance(d for d in docs if d.doc_date < month.start)
        _save_register(conn, dealer_code, {}, stated)
    else:
        stated = _register(conn, dealer_code)
        opening = previous.closing_balance
    lines = statement_lines(docs, stated, month=month)
    result = figures(opening, lines)
    currency = conn.scalar(
        select(invoices.c.currency)
        .where(invoices.c.dealer_code == dealer_code)
        .group_by(invoices.c.currency)
        .order_by(func.count().desc(), invoices.c.currency)
        .limit(1)
    )
    statement_id = int(
        conn.execute(
            insert(statements)
            .values(
                dealer_code=dealer_code,
                month=str(month),
                period_start=month.start,
                period_end=month.end,
                currency=currency or "CNY",
                opening_balance=result.opening,
                invoices_total=result.invoices,
                credit_notes_total=result.credit_notes,
                payments_total=result.payments,
                closing_balance=result.closing,
                status=StatementStatus.ISSUED.value,
                issued_at=now,
                issued_by=actor.name,
                updated_at=now,
            )
            .returning(statements.c.id)
        ).scalar_one()
    )
    if lines:
        conn.execute(
            insert(lines_table),
            [
                {
                    "statement_id": statement_id,
                    "line_no": line.line_no,
                    "kind": line.kind.value,
                    "doc_no": line.number,
                    "doc_date": line.doc_date,
                    "amount": line.amount,
                    "revision": line.revision,
                    "reference": line.reference,
                    "due_date": line.due_date,
                }
                for line in lines
            ],
        )
    _save_register(conn, dealer_code, stated, register_after(stated, lines))
    audit.record(
        conn,
        actor=actor,
        action="issue",
        entity=ENTITY,
        key=audit_key(dealer_code, month),
        before=None,
        after=audit.snapshot(
            {
                "opening_balance": result.opening,
                "invoices": result.invoices,
                "credit_notes": result.credit_notes,
                "payments": result.payments,
                "closing_balance": result.closing,
                "lines": len(lines),
            }
        ),
        at=now,
    )
    return statement_id


def dealers_due_a_statement(conn: Connection, month: Month, tz: str) -> list[str]:
    """Dealers with ledger documents dated before the end of ``month`` and no
    statement for it yet."""
    cutoff = _start_of(month.end, tz)
    active = union(
        select(invoices.c.dealer_code.label("code")).where(invoices.c.invoice_date < month.end),
        select(payments.c.dealer_code).where(payments.c.paid_at < cutoff),
        select(credit_notes.c.dealer_code).where(credit_notes.c.issued_at < cutoff),
    ).subquery()
    done = select(statements.c.dealer_code).where(statements.c.month == str(month))
    return list(
        conn.scalars(
            select(active.c.code).where(active.c.code.not_in(done)).order_by(active.c.code)
        )
    )


# -- reading ---------------------------------------------------------------------


def find_statement(
    conn: Connection, dealer_code: str, month: Month, principal: Principal, *, lock: bool = False
) -> dict[str, Any]:
    query = (
        select(statements, dealers.c.name.label("dealer_name"))
        .join(dealers, dealers.c.code == statements.c.dealer_code)
        .where(
            statements.c.dealer_code == dealer_code,
            statements.c.month == str(month),
            dealer_visible(principal, statements.c.dealer_code),
        )
    )
    if lock:
        query = query.with_for_update(of=statements)
    row = conn.execute(query).first()
    if row is None:
        raise NotFound(f"no statement of {dealer_code!r} for {month}")
    return dict(row._mapping)


def statement_detail(conn: Connection, statement: dict[str, Any]) -> dict[str, Any]:
    detail = dict(statement)
    running = statement["opening_balance"]
    rendered = []
    for row in conn.execute(
        select(lines_table)
        .where(lines_table.c.statement_id == statement["id"])
        .order_by(lines_table.c.line_no)
    ):
        line = dict(row._mapping)
        kind = LineKind(line["kind"])
        debit = line["amount"] if kind is LineKind.INVOICE else Decimal("0.00")
        credit = Decimal("0.00") if kind is LineKind.INVOICE else line["amount"]
        running += debit - credit
        line.update(document_no=line.pop("doc_no"), date=line.pop("doc_date"))
        line.update(debit=debit, credit=credit, balance=running)
        rendered.append(line)
    detail["lines"] = rendered
    detail["disputes"] = [
        dict(r._mapping)
        for r in conn.execute(
            select(statement_disputes)
            .where(statement_disputes.c.statement_id == statement["id"])
            .order_by(statement_disputes.c.id)
        )
    ]
    detail["history"] = [
        {
            "at": r.at,
            "actor": r.actor,
            "actor_role": r.actor_role,
            "action": r.action,
            "details": r.after,
        }
        for r in conn.execute(
            select(audit_log)
            .where(
                audit_log.c.entity == ENTITY,
                audit_log.c.entity_key == audit_key(statement["dealer_code"], statement["month"]),
            )
            .order_by(audit_log.c.id)
        )
    ]
    return detail


def list_statements(
    conn: Connection,
    principal: Principal,
    *,
    dealer_code: str | None,
    month: str | None,
    status: str | None,
    cursor: str | None,
    limit: int,
) -> Page[dict[str, Any]]:
    query = select(statements).where(dealer_visible(principal, statements.c.dealer_code))
    if dealer_code:
        query = query.where(statements.c.dealer_code == dealer_code)
    if month:
        query = query.where(statements.c.month == month)
    if status:
        query = query.where(statements.c.status == status)
    return keyset_page(
        conn, query, (statements.c.month, statements.c.dealer_code), cursor, limit, descending=True
    )
