"""Deadlines that raise alerts: receivables past due, licences about to expire.

Days are business days on the calendar of the business time zone.

- Past due by more than N days: ``today - due_date > N``, i.e. ``due_date <
  overdue_cutoff(today, N)``. At exactly N days it is not yet an alert.
- Which invoices are still unpaid: payments and credit notes settle the oldest
  due first (the settlement rule when a payment names no invoice), so what is
  open of the invoices due before a day is ``max(due before it - everything
  paid and credited, 0)``.
- A licence is valid through ``expires_on``; it is expiring within N days when
  ``expires_on <= today + N`` (an expired one stays in the alert until renewed).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

ZERO = Decimal("0.00")


def overdue_cutoff(today: date, days: int) -> date:
    """Invoices due before this day are past due by more than ``days`` days."""
    return today - timedelta(days=days)


def overdue_amount(invoiced_due_before_cutoff: Decimal, settled: Decimal) -> Decimal:
    """What is still open of those invoices, oldest settled first."""
    return max(invoiced_due_before_cutoff - settled, ZERO)


def licence_alert_horizon(today: date, days: int) -> date:
    """Licences expiring on or before this day are expiring within ``days`` days."""
    return today + timedelta(days=days)


def days_left(expires_on: date, today: date) -> int:
    """Days of validity left after today (0: the last day; negative: expired)."""
    return (expires_on - today).days
