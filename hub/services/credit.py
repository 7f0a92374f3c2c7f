"""Credit figures of a dealer: exposure against its credit limit.

Exposure = open receivables + the not-yet-invoiced part of open orders
(api-contract.md). Open receivables = invoices - credit notes - payments of
the dealer: a payment restores headroom at once, and a prepayment (a negative
balance) gives headroom too. An order counts ``total - invoiced_amount`` (never
below zero) while it is open; its invoices count as receivables, so a partly
invoiced order is never counted twice.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    ScalarSelect,
    Table,
    bindparam,
    case,
    func,
    select,
    type_coerce,
)

from dms_domain.orders import TERMINAL
from hub.db.schema import credit_notes, invoices, orders, payments
from hub.db.types import Money

ZERO = Decimal("0.00")


def _sum(column: Any, table: Table, dealer_code: Any) -> ScalarSelect[Any]:
    return (
        select(func.coalesce(func.sum(column), 0))
        .where(table.c.dealer_code == dealer_code)
        .scalar_subquery()
    )


def exposure_expression(dealer_code: Any) -> ColumnElement[Decimal]:
    """One SQL expression for a dealer's exposure, usable inside a larger query.

    The arithmetic runs on the stored representation (NUMERIC on PostgreSQL,
    scaled integers on SQLite); ``type_coerce`` turns the result back into money.
    """
    uninvoiced = case(
        (orders.c.total > orders.c.invoiced_amount, orders.c.total - orders.c.invoiced_amount),
        else_=0,
    )
    open_orders = (
        select(func.coalesce(func.sum(uninvoiced), 0))
        .where(
            orders.c.dealer_code == dealer_code,
            orders.c.status.not_in(sorted(s.value for s in TERMINAL)),
        )
        .scalar_subquery()
    )
    total = _balance(dealer_code) + open_orders
    return type_coerce(total, Money(2)).label("exposure")


def _balance(dealer_code: Any) -> Any:
    return (
        _sum(invoices.c.amount, invoices, dealer_code)
        - _sum(credit_notes.c.amount, credit_notes, dealer_code)
        - _sum(payments.c.amount, payments, dealer_code)
    )


def receivables_balance_expression(dealer_code: Any) -> ColumnElement[Decimal]:
    """Invoices - credit notes - payments of a dealer (negative: paid ahead)."""
    return type_coerce(_balance(dealer_code), Money(2)).label("balance")


_EXPOSURE = select(exposure_expression(bindparam("dealer_code")))


def exposure_of(conn: Connection, dealer_code: str) -> Decimal:
    value: Decimal = conn.execute(_EXPOSURE, {"dealer_code": dealer_code}).scalar_one()
    return value
