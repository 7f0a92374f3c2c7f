"""Payment reminders before and after due dates, through the webhooks
(``payment.reminder`` events, docs/notifications.md).

The days relative to the due date are a setting (``DMS_REMINDER_OFFSETS_DAYS``,
default -7, -1, 1, 7, 30, 60, 90). Each run looks at invoices still open and
sends, per invoice, the latest reminder its due date has reached, once: if the
hub was down over several reminder days, the dealer hears the latest one only,
not a burst of stale ones. What was sent is kept in ``payment_reminders``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import Connection, func, insert, select

from dms_domain.receivables import bucket_of, business_date, days_overdue
from hub.db.schema import invoices, payment_reminders
from hub.notifications.events import EventKind, notify


def _stage(offset: int) -> str:
    if offset < 0:
        return "before_due"
    return "due" if offset == 0 else "overdue"


def send_reminders(
    conn: Connection, *, now: datetime, tz: str, offsets: Sequence[int], limit: int = 1000
) -> int:
    """Queue the reminders due now; returns how many invoices were reminded."""
    if not offsets:
        return 0
    today = business_date(now, tz)
    ordered = sorted(set(offsets))
    latest_sent = (
        select(func.max(payment_reminders.c.offset_days))
        .where(payment_reminders.c.invoice_no == invoices.c.invoice_no)
        .scalar_subquery()
    )
    candidates = conn.execute(
        select(invoices, latest_sent.label("latest_sent"))
        .where(
            invoices.c.open_amount > 0,
            # A reminder day has been reached, and the last one not long passed.
            invoices.c.due_date <= today - timedelta(days=ordered[0]),
            invoices.c.due_date >= today - timedelta(days=ordered[-1] + 31),
        )
        .order_by(invoices.c.due_date, invoices.c.invoice_no)
        .limit(limit)
    ).all()
    sent = 0
    for row in candidates:
        reached = max(o for o in ordered if row.due_date + timedelta(days=o) <= today)
        if row.latest_sent is not None and row.latest_sent >= reached:
            continue
        conn.execute(
            insert(payment_reminders).values(
                invoice_no=row.invoice_no,
                offset_days=reached,
                sent_at=now,
                open_amount=row.open_amount,
            )
        )
        notify(
            conn,
            EventKind.PAYMENT_REMINDER,
            row.dealer_code,
            f"payment-reminder:{row.invoice_no}:{reached}",
            {
                "invoice_no": row.invoice_no,
                "dealer_code": row.dealer_code,
                "order_no": row.order_no,
                "invoice_date": row.invoice_date,
                "due_date": row.due_date,
                "amount": row.amount,
                "open_amount": row.open_amount,
                "currency": row.currency,
                "stage": _stage(reached),
                "days_overdue": days_overdue(row.due_date, today),
                "bucket": bucket_of(row.due_date, today).value,
            },
            now,
        )
        sent += 1
    return sent
