"""Receivables: due dates, ageing buckets, and how payments and credit notes
settle invoices.

Allocation (api-contract.md is silent beyond "applied to the named invoice,
otherwise to the dealer's oldest due first"): payments and credit notes are
applied in the order they happened (``at``, then kind, then number). Each goes
first to the invoice it names, as far as that invoice is still open, and the
rest to the dealer's open invoices oldest due first (due date, invoice date,
number). What is left over is the dealer's unapplied credit (an overpayment or
prepayment): it stays on the ledger and settles invoices that arrive later,
since allocation is always recomputed over the dealer's whole ledger.

So for any ledger: ``sum(open amounts) - unapplied == invoices - credit notes
- payments`` (the receivables balance that credit exposure counts).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

ZERO = Decimal("0.00")


class Bucket(StrEnum):
    """Ageing buckets, by whole days past the due date in the business time zone."""

    CURRENT = "current"  # not yet due, or due today
    DAYS_1_30 = "1-30"
    DAYS_31_60 = "31-60"
    DAYS_61_90 = "61-90"
    OVER_90 = "over_90"


BUCKETS: tuple[Bucket, ...] = tuple(Bucket)
OVERDUE_BUCKETS: tuple[Bucket, ...] = BUCKETS[1:]
# (bucket, first day overdue, last day overdue); None = open-ended.
_BOUNDS: tuple[tuple[Bucket, int | None, int | None], ...] = (
    (Bucket.CURRENT, None, 0),
    (Bucket.DAYS_1_30, 1, 30),
    (Bucket.DAYS_31_60, 31, 60),
    (Bucket.DAYS_61_90, 61, 90),
    (Bucket.OVER_90, 91, None),
)


def business_date(moment: datetime, tz: str) -> date:
    """The calendar day ``moment`` falls on in the business time zone."""
    return moment.astimezone(ZoneInfo(tz)).date()


def due_date_for(invoice_date: date, payment_terms_days: int) -> date:
    """The due date payment terms give: the invoice date plus the terms in days."""
    if payment_terms_days < 0:
        raise ValueError(f"payment terms {payment_terms_days} must not be negative")
    return invoice_date + timedelta(days=payment_terms_days)


def days_overdue(due_date: date, today: date) -> int:
    """Days past the due date (0 or negative: not overdue)."""
    return (today - due_date).days


def bucket_of(due_date: date, today: date) -> Bucket:
    overdue = days_overdue(due_date, today)
    for bucket, first, last in _BOUNDS:
        if (first is None or overdue >= first) and (last is None or overdue <= last):
            return bucket
    raise AssertionError("the buckets cover every day")  # pragma: no cover


def due_date_ranges(today: date) -> list[tuple[Bucket, date | None, date | None]]:
    """Per bucket, the due dates that fall in it today (inclusive; None = open):
    what a SQL query needs to bucket by due date without per-row arithmetic."""
    ranges = []
    for bucket, first, last in _BOUNDS:
        earliest = None if last is None else today - timedelta(days=last)
        latest = None if first is None else today - timedelta(days=first)
        ranges.append((bucket, earliest, latest))
    return ranges


def age(items: Iterable[tuple[date, Decimal]], today: date) -> dict[Bucket, Decimal]:
    """Open amounts (due date, amount) summed per bucket; every bucket present."""
    totals = dict.fromkeys(BUCKETS, ZERO)
    for due_date, amount in items:
        totals[bucket_of(due_date, today)] += amount
    return totals


class SettlementKind(StrEnum):
    PAYMENT = "payment"
    CREDIT_NOTE = "credit_note"


@dataclass(frozen=True, slots=True)
class OpenInvoice:
    invoice_no: str
    invoice_date: date
    due_date: date
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Settlement:
    """A payment or credit note: money that settles invoices."""

    kind: SettlementKind
    number: str
    at: datetime
    amount: Decimal
    invoice_no: str | None = None  # the invoice it names, if any


@dataclass(frozen=True, slots=True)
class Allocation:
    open_amounts: dict[str, Decimal]  # invoice -> what is still open
    # (kind, number) -> [(invoice, amount applied)], in the order applied
    applied: dict[tuple[SettlementKind, str], list[tuple[str, Decimal]]]
    unapplied: dict[tuple[SettlementKind, str], Decimal] = field(default_factory=dict)

    @property
    def unapplied_total(self) -> Decimal:
        return sum(self.unapplied.values(), ZERO)

    @property
    def open_total(self) -> Decimal:
        return sum(self.open_amounts.values(), ZERO)


def allocate(invoices: Sequence[OpenInvoice], settlements: Sequence[Settlement]) -> Allocation:
    """Apply every settlement to the invoices (module docstring for the rule).

    Amounts must not be negative (ValueError naming the document otherwise).
    """
    for invoice in invoices:
        if invoice.amount < 0:
            raise ValueError(f"invoice {invoice.invoice_no}: amount {invoice.amount} < 0")
    for item in settlements:
        if item.amount < 0:
            raise ValueError(f"{item.kind} {item.number}: amount {item.amount} < 0")
    oldest_due_first = sorted(invoices, key=lambda i: (i.due_date, i.invoice_date, i.invoice_no))
    open_amounts = {i.invoice_no: i.amount for i in oldest_due_first}
    applied: dict[tuple[SettlementKind, str], list[tuple[str, Decimal]]] = {}
    unapplied: dict[tuple[SettlementKind, str], Decimal] = {}
    order = [i.invoice_no for i in oldest_due_first]
    first_open = 0  # open amounts only shrink: everything before this index is settled
    for item in sorted(settlements, key=lambda s: (s.at, s.kind.value, s.number)):
        key = (item.kind, item.number)
        parts = applied.setdefault(key, [])
        left = item.amount
        if item.invoice_no in open_amounts:
            left = _take(open_amounts, item.invoice_no, left, parts)
        while left > 0 and first_open < len(order):
            left = _take(open_amounts, order[first_open], left, parts)
            if open_amounts[order[first_open]] == 0:
                first_open += 1
        if left > 0:
            unapplied[key] = left
    return Allocation(open_amounts, applied, unapplied)


def _take(
    open_amounts: dict[str, Decimal],
    invoice_no: str,
    left: Decimal,
    parts: list[tuple[str, Decimal]],
) -> Decimal:
    take = min(left, open_amounts[invoice_no])
    if take > 0:
        open_amounts[invoice_no] -= take
        parts.append((invoice_no, take))
    return left - take


def receivables_balance(
    invoices: Iterable[Decimal], credit_notes: Iterable[Decimal], payments: Iterable[Decimal]
) -> Decimal:
    """Invoices - credit notes - payments: negative when the dealer paid ahead."""
    return sum(invoices, ZERO) - sum(credit_notes, ZERO) - sum(payments, ZERO)
