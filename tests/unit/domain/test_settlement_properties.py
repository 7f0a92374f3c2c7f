"""Properties of receivables, exposure and statements for any sequence of activity.

Exposure (what ordering checks against the credit limit) must always equal the
sum of its parts: the open amounts of invoices, less unapplied credit, plus the
not-yet-invoiced part of open orders; a partly invoiced order is never counted
twice and a payment lowers exposure by exactly its amount.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dms_domain.credit import OpenOrderAmounts, credit_exposure
from dms_domain.receivables import (
    BUCKETS,
    OpenInvoice,
    Settlement,
    SettlementKind,
    age,
    allocate,
    bucket_of,
    due_date_ranges,
    receivables_balance,
)
from dms_domain.statements import (
    LedgerDocument,
    LineKind,
    Month,
    StatementLine,
    balance,
    figures,
    opening_register,
    register_after,
    statement_lines,
)

ZERO = Decimal("0.00")
T0 = datetime(2026, 1, 1, tzinfo=UTC)
money = st.decimals(min_value="0.01", max_value="5000", places=2, allow_nan=False)


@dataclass
class Order:
    total: Decimal
    invoiced: Decimal = ZERO
    open: bool = True


@dataclass
class Ledger:
    """A dealer's orders and receivables, as ordering and settlement see them."""

    orders: list[Order] = field(default_factory=list)
    invoices: list[OpenInvoice] = field(default_factory=list)
    settlements: list[Settlement] = field(default_factory=list)

    def exposure(self) -> Decimal:
        balance_ = receivables_balance(
            [i.amount for i in self.invoices],
            [s.amount for s in self.settlements if s.kind is SettlementKind.CREDIT_NOTE],
            [s.amount for s in self.settlements if s.kind is SettlementKind.PAYMENT],
        )
        open_orders = [OpenOrderAmounts(o.total, o.invoiced) for o in self.orders if o.open]
        return credit_exposure(balance_, open_orders)

    def parts(self) -> Decimal:
        allocation = allocate(self.invoices, self.settlements)
        uninvoiced = sum((max(o.total - o.invoiced, ZERO) for o in self.orders if o.open), ZERO)
        return allocation.open_total - allocation.unapplied_total + uninvoiced


step = st.one_of(
    st.tuples(st.just("order"), money),
    st.tuples(st.just("invoice"), st.integers(0, 9), st.sampled_from(["part", "rest", "over"])),
    st.tuples(st.just("credit"), money, st.integers(0, 12)),
    st.tuples(st.just("pay"), money, st.integers(0, 12)),
    st.tuples(st.just("cancel"), st.integers(0, 9)),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(step, max_size=40))
def test_exposure_is_always_the_sum_of_its_parts(steps: list[tuple[object, ...]]) -> None:
    ledger = Ledger()
    for n, action in enumerate(steps):
        before = ledger.exposure()
        at = T0 + timedelta(hours=n)
        kind = action[0]
        if kind == "order":
            amount = action[1]
            assert isinstance(amount, Decimal)
            ledger.orders.append(Order(amount))
            assert ledger.exposure() == before + amount
        elif kind == "invoice" and ledger.orders:
            index, how = action[1], action[2]
            assert isinstance(index, int)
            order = ledger.orders[index % len(ledger.orders)]
            rest = order.total - order.invoiced
            amount = {"part": (rest / 3).quantize(Decimal("0.01")), "rest": rest}.get(
                str(how), rest + Decimal("1.00")
            )
            if amount <= 0:
                continue
            due = at.date() + timedelta(days=30)
            ledger.invoices.append(OpenInvoice(f"I{n}", at.date(), due, amount))
            order.invoiced += amount
            if order.open and amount <= rest:
                # Invoicing moves money from "open order" to "receivable": no double count.
                assert ledger.exposure() == before
        elif kind in ("credit", "pay"):
            amount, target = action[1], action[2]
            assert isinstance(amount, Decimal)
            assert isinstance(target, int)
            named = ledger.invoices[target].invoice_no if target < len(ledger.invoices) else None
            settlement_kind = (
                SettlementKind.PAYMENT if kind == "pay" else SettlementKind.CREDIT_NOTE
            )
            ledger.settlements.append(Settlement(settlement_kind, f"S{n}", at, amount, named))
            # A payment (or credit note) restores headroom at once, by exactly its amount.
            assert ledger.exposure() == before - amount
        elif kind == "cancel" and ledger.orders:
            index = action[1]
            assert isinstance(index, int)
            order = ledger.orders[index % len(ledger.orders)]
            if order.open:
                order.open = False
                assert ledger.exposure() == before - max(order.total - order.invoiced, ZERO)
        assert ledger.exposure() == ledger.parts()


@st.composite
def ledgers(draw: st.DrawFn) -> tuple[list[OpenInvoice], list[Settlement]]:
    invoices = [
        OpenInvoice(f"I{n}", T0.date(), T0.date() + timedelta(days=draw(st.integers(0, 90))), a)
        for n, a in enumerate(draw(st.lists(money, max_size=12)))
    ]
    settlements = []
    for n in range(draw(st.integers(0, 12))):
        target = draw(st.integers(0, 15))
        settlements.append(
            Settlement(
                draw(st.sampled_from(list(SettlementKind))),
                f"S{n}",
                T0 + timedelta(hours=draw(st.integers(0, 1000))),
                draw(money),
                invoices[target].invoice_no if target < len(invoices) else None,
            )
        )
    return invoices, settlements


@settings(max_examples=150, deadline=None)
@given(ledgers())
def test_allocation_conserves_money(ledger: tuple[list[OpenInvoice], list[Settlement]]) -> None:
    invoices, settlements = ledger
    result = allocate(invoices, settlements)
    for invoice in invoices:
        assert ZERO <= result.open_amounts[invoice.invoice_no] <= invoice.amount
    for item in settlements:
        applied = sum((a for _, a in result.applied[(item.kind, item.number)]), ZERO)
        assert applied + result.unapplied.get((item.kind, item.number), ZERO) == item.amount
    # Credit is left unapplied only when nothing is open any more.
    assert result.unapplied_total == 0 or result.open_total == 0
    total = sum((i.amount for i in invoices), ZERO) - sum((s.amount for s in settlements), ZERO)
    assert result.open_total - result.unapplied_total == total


@settings(max_examples=200, deadline=None)
@given(st.integers(-400, 400), st.dates(date(2020, 1, 1), date(2030, 12, 31)))
def test_sql_ranges_and_buckets_agree(offset: int, today: date) -> None:
    due = today + timedelta(days=offset)
    matches = [
        bucket
        for bucket, earliest, latest in due_date_ranges(today)
        if (earliest is None or due >= earliest) and (latest is None or due <= latest)
    ]
    assert matches == [bucket_of(due, today)]
    assert sum(age([(due, Decimal("1.00"))], today).values()) == Decimal("1.00")
    assert len(BUCKETS) == 5


documents = st.builds(
    LedgerDocument,
    kind=st.sampled_from(list(LineKind)),
    number=st.sampled_from([f"N{i}" for i in range(15)]),
    doc_date=st.dates(date(2025, 10, 1), date(2026, 6, 30)),
    amount=money,
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 6), documents), max_size=30), st.integers(0, 3))
def test_statements_chain_and_always_add_up(
    arrivals: list[tuple[int, LedgerDocument]], first: int
) -> None:
    """Documents arrive over time (late, or revised to a new amount); statements are
    issued month by month. Each adds up to the cent, each opens where the last
    closed, issued ones never change, and the latest closes at the ledger's
    balance up to its month's end."""
    months = [Month(2025, 12)]
    while len(months) < 7:
        months.append(months[-1].next())
    months = months[first:]
    ledger: dict[tuple[LineKind, str], LedgerDocument] = {}
    stated: dict[tuple[LineKind, str], Decimal] = {}
    issued: list[tuple[Decimal, Decimal, list[StatementLine]]] = []
    for index, month in enumerate(months):
        for when, doc in arrivals:
            if when == index:
                known = ledger.get((doc.kind, doc.number))
                # A revision changes the amount; the document keeps its date.
                ledger[(doc.kind, doc.number)] = LedgerDocument(
                    doc.kind, doc.number, known.doc_date if known else doc.doc_date, doc.amount
                )
        docs = list(ledger.values())
        if issued:
            opening = issued[-1][1]
        else:
            stated = opening_register(docs, month)
            opening = balance(d for d in docs if d.doc_date < month.start)
        lines = statement_lines(docs, stated, month=month)
        result = figures(opening, lines)
        assert result.closing == opening + sum((line.signed for line in lines), ZERO)
        assert all(line.amount != 0 for line in lines)
        stated = register_after(stated, lines)
        issued.append((opening, result.closing, lines))
        assert result.closing == balance(d for d in docs if d.doc_date < month.end)
    for (_, closing, _), (opening, _, _) in pairwise(issued):
        assert opening == closing


def test_a_month_steps() -> None:
    assert str(Month.parse("2026-12").next()) == "2027-01"
    assert str(Month.parse("2026-01").previous()) == "2025-12"
    assert Month.parse("2026-02").end == date(2026, 3, 1)


@pytest.mark.parametrize("bad", ["2026-13", "2026-1", "26-01", "2026-00", "0000-01", "2026-01 "])
def test_a_month_is_parsed_strictly(bad: str) -> None:
    with pytest.raises(ValueError, match=re.escape(repr(bad))):
        Month.parse(bad)
