from __future__ import annotations

from decimal import Decimal

import pytest

from dms_domain.credit import OpenOrderAmounts, check_credit, credit_exposure, headroom
from dms_domain.errors import Refused

D = Decimal


def test_exposure_is_receivables_plus_the_uninvoiced_part_of_open_orders() -> None:
    orders = [
        OpenOrderAmounts(D("1000.00")),  # nothing invoiced yet: 1000.00
        OpenOrderAmounts(D("500.00"), invoiced=D("200.00")),  # 300.00 left
        OpenOrderAmounts(D("80.00"), invoiced=D("80.00")),  # all invoiced: 0, it is a receivable
        OpenOrderAmounts(D("50.00"), invoiced=D("60.00")),  # over-invoiced: 0, never negative
    ]

    assert credit_exposure(D("2500.50"), orders) == D("3800.50")
    assert credit_exposure(D("0.00"), []) == D("0.00")


def test_an_order_that_exactly_reaches_the_limit_passes() -> None:
    check_credit(credit_limit=D("1000.00"), exposure=D("600.00"), order_total=D("400.00"))


def test_no_limit_means_no_check() -> None:
    check_credit(credit_limit=None, exposure=D("1e9"), order_total=D("1e9"))


def test_an_order_one_cent_over_the_limit_is_refused_with_the_figures() -> None:
    with pytest.raises(Refused) as caught:
        check_credit(credit_limit=D("1000.00"), exposure=D("600.00"), order_total=D("400.01"))

    refused = caught.value
    assert (refused.code, refused.status) == ("credit_limit_exceeded", 409)
    assert refused.extra == {
        "credit_limit": D("1000.00"),
        "exposure": D("600.00"),
        "order_total": D("400.01"),
    }
    assert all(isinstance(value, Decimal) for value in refused.extra.values())


def test_a_zero_limit_refuses_any_paid_order_but_not_a_free_one() -> None:
    check_credit(credit_limit=D("0.00"), exposure=D("0.00"), order_total=D("0.00"))
    with pytest.raises(Refused):
        check_credit(credit_limit=D("0.00"), exposure=D("0.00"), order_total=D("0.01"))


def test_headroom() -> None:
    assert headroom(D("1000.00"), D("250.00")) == D("750.00")
    assert headroom(D("1000.00"), D("1200.00")) == D("-200.00")
    assert headroom(None, D("1200.00")) is None
