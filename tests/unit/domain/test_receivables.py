"""Receivables rules: due dates, ageing buckets, allocation of payments and credit notes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from dms_domain.receivables import (
    Bucket,
    OpenInvoice,
    Settlement,
    SettlementKind,
    age,
    allocate,
    bucket_of,
    business_date,
    due_date_for,
)

D = Decimal
TODAY = date(2026, 11, 25)
T0 = datetime(2026, 11, 1, tzinfo=UTC)
PAY, CREDIT = SettlementKind.PAYMENT, SettlementKind.CREDIT_NOTE


def inv(no: str, due: date, amount: str, issued: date | None = None) -> OpenInvoice:
    return OpenInvoice(no, issued or due - timedelta(days=30), due, D(amount))


@pytest.mark.parametrize(
    ("overdue_days", "bucket"),
    [
        (-5, Bucket.CURRENT),
        (0, Bucket.CURRENT),
        (1, Bucket.DAYS_1_30),
        (30, Bucket.DAYS_1_30),
        (31, Bucket.DAYS_31_60),
        (60, Bucket.DAYS_31_60),
        (61, Bucket.DAYS_61_90),
        (90, Bucket.DAYS_61_90),
        (91, Bucket.OVER_90),
        (400, Bucket.OVER_90),
    ],
)
def test_bucket_edges(overdue_days: int, bucket: Bucket) -> None:
    assert bucket_of(TODAY - timedelta(days=overdue_days), TODAY) is bucket


def test_age_sums_per_bucket_and_lists_every_bucket() -> None:
    totals = age([(TODAY, D("10.00")), (TODAY - timedelta(days=45), D("5.50"))], TODAY)
    assert totals == {
        Bucket.CURRENT: D("10.00"),
        Bucket.DAYS_1_30: D("0.00"),
        Bucket.DAYS_31_60: D("5.50"),
        Bucket.DAYS_61_90: D("0.00"),
        Bucket.OVER_90: D("0.00"),
    }


def test_business_date_uses_the_business_time_zone() -> None:
    late_utc = datetime(2026, 10, 31, 17, 0, tzinfo=UTC)  # 01:00 on 1 November in Shanghai
    assert business_date(late_utc, "Asia/Shanghai") == date(2026, 11, 1)
    assert business_date(late_utc, "UTC") == date(2026, 10, 31)


def test_due_date_from_payment_terms() -> None:
    assert due_date_for(date(2026, 1, 31), 30) == date(2026, 3, 2)
    assert due_date_for(date(2026, 1, 31), 0) == date(2026, 1, 31)
    with pytest.raises(ValueError, match="-1"):
        due_date_for(date(2026, 1, 31), -1)


def test_a_payment_goes_to_the_named_invoice_then_oldest_due_first() -> None:
    invoices = [
        inv("I-NEW", TODAY + timedelta(days=20), "100.00"),
        inv("I-OLD", TODAY - timedelta(days=40), "100.00"),
        inv("I-MID", TODAY - timedelta(days=5), "100.00"),
    ]
    payment = Settlement(PAY, "P1", T0, D("250.00"), invoice_no="I-NEW")

    result = allocate(invoices, [payment])

    assert result.applied[(PAY, "P1")] == [
        ("I-NEW", D("100.00")),
        ("I-OLD", D("100.00")),
        ("I-MID", D("50.00")),
    ]
    assert result.open_amounts == {"I-OLD": D("0"), "I-MID": D("50.00"), "I-NEW": D("0")}
    assert result.unapplied_total == 0


def test_an_overpayment_is_kept_as_unapplied_credit() -> None:
    result = allocate(
        [inv("I1", TODAY, "80.00")],
        [Settlement(PAY, "P1", T0, D("100.00"))],
    )
    assert result.open_total == 0
    assert result.unapplied == {(PAY, "P1"): D("20.00")}


def test_settlements_apply_in_the_order_they_happened_and_credit_notes_name_invoices() -> None:
    invoices = [inv("I1", TODAY - timedelta(days=10), "50.00"), inv("I2", TODAY, "50.00")]
    later_payment = Settlement(PAY, "P1", T0 + timedelta(days=2), D("50.00"))
    return_credit = Settlement(CREDIT, "C1", T0, D("30.00"), invoice_no="I2")

    result = allocate(invoices, [later_payment, return_credit])

    assert result.applied[(CREDIT, "C1")] == [("I2", D("30.00"))]
    assert result.applied[(PAY, "P1")] == [("I1", D("50.00"))]
    assert result.open_amounts == {"I1": D("0.00"), "I2": D("20.00")}


def test_an_unknown_named_invoice_falls_back_to_oldest_due_first() -> None:
    result = allocate(
        [inv("I1", TODAY, "10.00")], [Settlement(PAY, "P1", T0, D("4.00"), invoice_no="NOPE")]
    )
    assert result.open_amounts == {"I1": D("6.00")}


def test_negative_amounts_are_refused_naming_the_document() -> None:
    with pytest.raises(ValueError, match="P9"):
        allocate([], [Settlement(PAY, "P9", T0, D("-1.00"))])
