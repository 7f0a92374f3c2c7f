"""Monthly statements (对账单): which lines a statement carries and its arithmetic.

closing = opening + invoices - credit notes - payments, to the cent.

Which documents a statement carries (decided here; the contract is silent):
every document of the dealer dated before the end of the month whose current
amount differs from what earlier statements already stated. A document seen
for the first time is stated in full; one whose amount changed after it was
stated (a newer ERP version) is stated again for the difference, as a
``revision`` line of its kind; and a document dated in an earlier month that
arrived after that month's statement was issued lands on the next statement.
So issued statements never change, and the latest closing balance always
equals the ledger's balance up to its month's end.

The first statement of a dealer starts from the balance of everything dated
before its month (its opening balance), and those documents count as stated
(``opening_register``); later ones start from the previous closing balance.
What has been stated per document is kept as a register, so a late or revised
document is caught whatever its date.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

ZERO = Decimal("0.00")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True, slots=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        """``yyyy-mm``; ValueError naming the value otherwise."""
        found = _MONTH.match(text)
        if not found or int(found.group(1)) < 1:
            raise ValueError(f"{text!r} is not a month written yyyy-mm")
        return cls(int(found.group(1)), int(found.group(2)))

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    @property
    def start(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def end(self) -> date:
        """The first day after the month (exclusive end)."""
        return self.next().start

    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> Month:
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def last_closed_month(today: date) -> Month:
    """The latest month that has ended on ``today`` (business time zone)."""
    return Month.of(today).previous()


class LineKind(StrEnum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"
    PAYMENT = "payment"


_KIND_ORDER = {LineKind.INVOICE: 0, LineKind.CREDIT_NOTE: 1, LineKind.PAYMENT: 2}
# How a line moves the balance the dealer owes.
SIGN = {LineKind.INVOICE: 1, LineKind.CREDIT_NOTE: -1, LineKind.PAYMENT: -1}


@dataclass(frozen=True, slots=True)
class LedgerDocument:
    kind: LineKind
    number: str
    doc_date: date  # business time zone
    amount: Decimal  # as the document says now (positive)
    reference: str | None = None  # the order (invoices) or invoice (others) it names
    due_date: date | None = None


@dataclass(frozen=True, slots=True)
class StatementLine:
    line_no: int
    kind: LineKind
    number: str
    doc_date: date
    amount: Decimal  # positive or, for a revision, the signed difference
    revision: bool
    reference: str | None
    due_date: date | None

    @property
    def signed(self) -> Decimal:
        return SIGN[self.kind] * self.amount


@dataclass(frozen=True, slots=True)
class StatementFigures:
    opening: Decimal
    invoices: Decimal
    credit_notes: Decimal
    payments: Decimal

    @property
    def closing(self) -> Decimal:
        return self.opening + self.invoices - self.credit_notes - self.payments


def balance(documents: Iterable[LedgerDocument]) -> Decimal:
    """What the dealer owes after these documents (negative: paid ahead)."""
    return sum((SIGN[d.kind] * d.amount for d in documents), ZERO)


def opening_register(
    documents: Iterable[LedgerDocument], month: Month
) -> dict[tuple[LineKind, str], Decimal]:
    """For a dealer's first statement: the documents dated before its month, which
    its opening balance states (``balance`` of them is that opening balance)."""
    return {(d.kind, d.number): d.amount for d in documents if d.doc_date < month.start}


def statement_lines(
    documents: Iterable[LedgerDocument],
    stated: Mapping[tuple[LineKind, str], Decimal],
    *,
    month: Month,
) -> list[StatementLine]:
    """The lines of ``month``'s statement (module docstring). ``stated`` is what
    earlier statements (and the first opening balance) said per document."""
    due = []
    for doc in documents:
        if doc.doc_date >= month.end:
            continue
        already = stated.get((doc.kind, doc.number))
        if doc.amount != (already or ZERO):
            due.append((doc, doc.amount - (already or ZERO), already is not None))
    due.sort(key=lambda d: (d[0].doc_date, _KIND_ORDER[d[0].kind], d[0].number))
    return [
        StatementLine(
            n, doc.kind, doc.number, doc.doc_date, diff, revision, doc.reference, doc.due_date
        )
        for n, (doc, diff, revision) in enumerate(due, start=1)
    ]


def register_after(
    stated: Mapping[tuple[LineKind, str], Decimal], lines: Iterable[StatementLine]
) -> dict[tuple[LineKind, str], Decimal]:
    """What is stated per document once ``lines`` are issued."""
    result = dict(stated)
    for line in lines:
        key = (line.kind, line.number)
        result[key] = result.get(key, ZERO) + line.amount
    return result


def figures(opening: Decimal, lines: Iterable[StatementLine]) -> StatementFigures:
    totals = dict.fromkeys(LineKind, ZERO)
    for line in lines:
        totals[line.kind] += line.amount
    return StatementFigures(
        opening, totals[LineKind.INVOICE], totals[LineKind.CREDIT_NOTE], totals[LineKind.PAYMENT]
    )


class StatementStatus(StrEnum):
    ISSUED = "issued"  # frozen; waiting for the dealer
    DISPUTED = "disputed"  # at least one dispute is open
    RESOLVED = "resolved"  # every dispute was answered; the dealer may confirm or dispute again
    CONFIRMED = "confirmed"  # the dealer agreed: final


class DisputeStatus(StrEnum):
    OPEN = "open"
    ADJUSTED = "adjusted"  # resolved by an adjustment (a credit note for the dealer)
    REJECTED = "rejected"  # the hub's side stands, with a reason


def can_confirm(status: StatementStatus) -> bool:
    return status in (StatementStatus.ISSUED, StatementStatus.RESOLVED)


def can_dispute(status: StatementStatus) -> bool:
    return status is not StatementStatus.CONFIRMED
