"""Exposure as ordering computes it in SQL, after any sequence of orders,
invoices, credit notes, payments and cancellations applied by the real code,
on PostgreSQL and SQLite: always open receivables (what allocation left open,
less unapplied credit) plus the not-invoiced part of open orders.

Each example runs in one transaction that is rolled back, so it leaves nothing.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Column, ColumnElement, Connection, func, insert, select, type_coerce

from dms_domain.errors import Refused
from dms_domain.exchange import CreditNoteIn, InvoiceIn, PaymentIn
from dms_domain.orders import TERMINAL, OrderEvent
from hub.bootstrap import Container
from hub.db.schema import allocations, credit_notes, dealers, invoices, orders, payments, warehouses
from hub.db.types import Money
from hub.services.credit import exposure_of
from hub.sync import inbound
from tests.conftest import unique

T0 = datetime(2026, 1, 5, tzinfo=UTC)
ZERO = Decimal("0.00")
money = st.decimals(min_value="0.01", max_value="9999", places=2, allow_nan=False)
steps = st.lists(
    st.one_of(
        st.tuples(st.just("order"), money),
        st.tuples(st.just("invoice"), st.integers(0, 5), st.sampled_from(["part", "rest", "over"])),
        st.tuples(st.just("credit_note"), money, st.integers(0, 8)),
        st.tuples(st.just("payment"), money, st.integers(0, 8)),
        st.tuples(st.just("cancel"), st.integers(0, 5)),
    ),
    max_size=12,
)


def _sum(conn: Connection, column: Column[Decimal], where: ColumnElement[bool]) -> Decimal:
    total = type_coerce(func.coalesce(func.sum(column), 0), Money(2))
    value: Decimal = conn.execute(select(total).where(where)).scalar_one()
    return value


def parts(conn: Connection, code: str) -> Decimal:
    open_receivables = _sum(conn, invoices.c.open_amount, invoices.c.dealer_code == code)
    settled = _sum(conn, payments.c.amount, payments.c.dealer_code == code) + _sum(
        conn, credit_notes.c.amount, credit_notes.c.dealer_code == code
    )
    unapplied = settled - _sum(conn, allocations.c.amount, allocations.c.dealer_code == code)
    uninvoiced = ZERO
    for total, invoiced in conn.execute(
        select(orders.c.total, orders.c.invoiced_amount).where(
            orders.c.dealer_code == code,
            orders.c.status.not_in(sorted(s.value for s in TERMINAL)),
        )
    ):
        uninvoiced += max(total - invoiced, ZERO)
    return open_receivables - unapplied + uninvoiced


def _setup(conn: Connection, now: datetime) -> tuple[str, str]:
    code, warehouse = unique("D"), unique("WH")
    conn.execute(
        insert(dealers).values(
            code=code,
            name=code,
            tier="core",
            credit_limit=None,
            payment_terms_days=30,
            status="active",
            created_at=now,
            updated_at=now,
        )
    )
    conn.execute(
        insert(warehouses).values(
            code=warehouse, name=warehouse, kind="central", created_at=now, updated_at=now
        )
    )
    return code, warehouse


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps)
def test_exposure_equals_its_parts_after_any_sequence(
    container: Container, actions: list[tuple[object, ...]]
) -> None:
    with container.db.engine.connect() as conn, conn.begin() as transaction:
        code, warehouse = _setup(conn, T0)
        order_nos: list[str] = []
        invoice_nos: list[str] = []
        for n, action in enumerate(actions):
            now = T0 + timedelta(hours=n)
            before = exposure_of(conn, code)
            kind = action[0]
            if kind == "order":
                order_no = unique("SO")
                conn.execute(
                    insert(orders).values(
                        order_no=order_no,
                        dealer_code=code,
                        warehouse_code=warehouse,
                        status="submitted",
                        currency="CNY",
                        total=action[1],
                        tax_total=ZERO,
                        invoiced_amount=ZERO,
                        discounts=[],
                        warnings=[],
                        urgent=False,
                        placed_by="tests",
                        created_at=now,
                        updated_at=now,
                    )
                )
                order_nos.append(order_no)
            elif kind == "invoice" and order_nos:
                index, how = action[1], action[2]
                assert isinstance(index, int)
                order_no = order_nos[index % len(order_nos)]
                total, invoiced, status = conn.execute(
                    select(orders.c.total, orders.c.invoiced_amount, orders.c.status).where(
                        orders.c.order_no == order_no
                    )
                ).one()
                rest = total - invoiced
                amount = {"part": (rest / 3).quantize(Decimal("0.01")), "rest": rest}.get(
                    str(how), rest + Decimal("1.00")
                )
                if amount <= 0:
                    continue
                number = unique("INV")
                record = InvoiceIn(
                    "tests",
                    number,
                    "1",
                    number,
                    code,
                    now.date(),
                    now.date() + timedelta(days=30),
                    amount,
                    ZERO,
                    "CNY",
                    order_no,
                )
                inbound.apply_invoice(conn, record, now)
                invoice_nos.append(number)
                if status not in {s.value for s in TERMINAL} and amount <= rest:
                    assert exposure_of(conn, code) == before  # never counted twice
            elif kind in ("payment", "credit_note"):
                amount, target = action[1], action[2]
                assert isinstance(amount, Decimal)
                assert isinstance(target, int)
                named = invoice_nos[target] if target < len(invoice_nos) else None
                number = unique("S")
                if kind == "payment":
                    inbound.apply_payment(
                        conn,
                        PaymentIn("tests", number, "1", number, code, now, amount, "CNY", named),
                        now,
                    )
                else:
                    inbound.apply_credit_note(
                        conn,
                        CreditNoteIn("tests", number, "1", number, code, now, amount, named),
                        now,
                    )
                assert exposure_of(conn, code) == before - amount  # headroom back at once
            elif kind == "cancel" and order_nos:
                index = action[1]
                assert isinstance(index, int)
                with suppress(Refused):  # invoiced in full: no longer cancellable
                    inbound.order_event(
                        conn,
                        order_nos[index % len(order_nos)],
                        OrderEvent.CANCEL_REQUESTED,
                        actor="tests",
                        now=now,
                    )
            assert exposure_of(conn, code) == parts(conn, code)
        transaction.rollback()
