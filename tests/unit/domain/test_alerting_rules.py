"""Alert rules at their boundaries: exactly 50 %, exactly N days, month ends in
the business time zone, exactly the contract share."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dms_domain.alert_rules import AlertKind, as_json, check_thresholds, defaults
from dms_domain.calendar import Month, complete_months_before, local_date, month_window
from dms_domain.deadlines import days_left, licence_alert_horizon, overdue_amount, overdue_cutoff
from dms_domain.diversion import Area, is_diversion, outside_share_percent, region_of
from dms_domain.errors import InvalidInput
from dms_domain.purchase_trend import purchase_drop

D = Decimal
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_defaults_are_the_issue_s() -> None:
    assert defaults(AlertKind.PURCHASE_DROP) == {
        "drop_percent": D(50),
        "months": 3,
        "baseline_months": 6,
    }
    assert defaults(AlertKind.CROSS_REGION_SALES)["max_outside_percent"] == D(10)
    assert as_json(defaults(AlertKind.PURCHASE_DROP))["drop_percent"] == "50"


@pytest.mark.parametrize(
    ("given", "field", "shown"),
    [
        ({"drop_percent": "-5"}, "thresholds.drop_percent", "-5"),
        ({"drop_percent": "0"}, "thresholds.drop_percent", "0"),
        ({"drop_percent": "100.01"}, "thresholds.drop_percent", "100.01"),
        ({"drop_percent": 50}, "thresholds.drop_percent", "50"),
        ({"drop_percent": "1.005"}, "thresholds.drop_percent", "1.005"),
        ({"months": 0}, "thresholds.months", "0"),
        ({"months": True}, "thresholds.months", "True"),
        ({"baseline_months": 25}, "thresholds.baseline_months", "25"),
        ({"nonsense": 1}, "thresholds.nonsense", "unknown"),
    ],
)
def test_a_threshold_out_of_range_is_refused_naming_field_and_value(
    given: dict[str, object], field: str, shown: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_thresholds(AlertKind.PURCHASE_DROP, given)
    [error] = caught.value.errors
    assert error.field == field
    assert shown in error.message


def test_every_bad_threshold_is_named_at_once() -> None:
    with pytest.raises(InvalidInput) as caught:
        check_thresholds(AlertKind.PURCHASE_DROP, {"drop_percent": "-1", "months": 0})
    assert {e.field for e in caught.value.errors} == {
        "thresholds.drop_percent",
        "thresholds.months",
    }


def test_the_range_ends_are_accepted() -> None:
    values = check_thresholds(AlertKind.PURCHASE_DROP, {"drop_percent": "100", "months": 12})
    assert values["drop_percent"] == D(100)
    assert values["months"] == 12
    assert check_thresholds(AlertKind.CREDIT_OVERDUE, {"days": 0})["days"] == 0


def test_a_month_is_the_business_zone_s_month() -> None:
    start, end = month_window(Month(2026, 2), SHANGHAI)
    assert start == datetime(2026, 1, 31, 16, 0, tzinfo=UTC)
    assert end == datetime(2026, 2, 28, 16, 0, tzinfo=UTC)
    # 23:59:59 on 31 January in Shanghai is still January; a second later, February.
    assert local_date(datetime(2026, 1, 31, 15, 59, 59, tzinfo=UTC), SHANGHAI).month == 1
    assert local_date(datetime(2026, 1, 31, 16, 0, tzinfo=UTC), SHANGHAI).month == 2


def test_complete_months_are_before_the_current_business_month() -> None:
    # 1 March 00:30 in Shanghai is still 28 February in UTC.
    now = datetime(2026, 2, 28, 16, 30, tzinfo=UTC)
    assert complete_months_before(now, SHANGHAI, 3) == [
        Month(2025, 12),
        Month(2026, 1),
        Month(2026, 2),
    ]
    assert Month(2026, 1).shift(-1) == Month(2025, 12)
    assert Month(2025, 12).shift(13) == Month(2027, 1)


def drop(monthly: list[int], percent: str = "50", months: int = 3, baseline: int = 6) -> bool:
    finding = purchase_drop(
        [D(m) for m in monthly],
        drop_percent=D(percent),
        months=months,
        baseline_months=baseline,
    )
    return finding is not None


def test_exactly_50_percent_for_exactly_n_months_fires() -> None:
    assert drop([100] * 6 + [50, 50, 50])


def test_one_unit_above_the_drop_in_any_month_does_not_fire() -> None:
    assert not drop([100] * 6 + [50, 51, 50])
    assert not drop([100] * 6 + [51, 50, 50])


def test_n_minus_one_months_do_not_fire() -> None:
    assert not drop([100] * 6 + [100, 50, 50])


def test_no_baseline_means_nothing_to_drop_from() -> None:
    assert not drop([0] * 6 + [0, 0, 0])


def test_the_finding_carries_the_baseline_and_the_least_drop() -> None:
    finding = purchase_drop(
        [D(120)] * 3 + [D(60), D(30)],
        drop_percent=D(50),
        months=2,
        baseline_months=3,
    )
    assert finding is not None
    assert finding.baseline == D(120)
    assert finding.worst_drop_percent == D("50.00")


def test_the_number_of_months_must_match() -> None:
    with pytest.raises(ValueError, match="expected 9 months"):
        drop([100] * 8)


def test_exactly_the_contract_share_is_allowed() -> None:
    assert not is_diversion(inside=90, outside=10, max_outside_percent=D(10))
    assert is_diversion(inside=89, outside=11, max_outside_percent=D(10))
    assert not is_diversion(inside=0, outside=0, max_outside_percent=D(0))
    assert outside_share_percent(89, 11) == D("11.00")
    assert outside_share_percent(0, 0) is None


def test_a_point_lands_in_the_smallest_area_containing_it() -> None:
    province = Area("zhejiang", D(27), D(31), D(118), D(123))
    city = Area("hangzhou", D("30.0"), D("30.5"), D("119.9"), D("120.5"))
    assert region_of(D("30.25"), D("120.2"), [province, city]) == "hangzhou"
    assert region_of(D("28"), D("120"), [city, province]) == "zhejiang"
    assert region_of(D("40"), D("116"), [city, province]) is None
    # On the edge is inside.
    assert region_of(D("30.5"), D("120.5"), [city]) == "hangzhou"


def test_past_due_by_more_than_n_days() -> None:
    today = date(2026, 3, 31)
    cutoff = overdue_cutoff(today, 30)
    assert cutoff == date(2026, 3, 1)
    assert date(2026, 2, 28) < cutoff  # 31 days past due: an alert
    assert not date(2026, 3, 1) < cutoff  # exactly 30 days: not yet
    assert overdue_amount(D("100.00"), D("30.00")) == D("70.00")
    assert overdue_amount(D("100.00"), D("130.00")) == D("0.00")


def test_licence_expiring_within_n_days() -> None:
    today = date(2026, 3, 1)
    horizon = licence_alert_horizon(today, 30)
    assert horizon == date(2026, 3, 31)
    assert days_left(date(2026, 3, 31), today) == 30
    assert days_left(date(2026, 2, 28), today) == -1


@given(
    base=st.lists(st.integers(0, 10_000), min_size=6, max_size=6),
    streak=st.lists(st.integers(0, 10_000), min_size=3, max_size=3),
    percent=st.integers(1, 100),
    factor=st.integers(1, 50),
)
def test_a_drop_is_about_proportions_and_a_lower_month_never_clears_it(
    base: list[int], streak: list[int], percent: int, factor: int
) -> None:
    fired = drop(base + streak, str(percent))
    assert drop([m * factor for m in base + streak], str(percent)) == fired
    if fired:
        lower = [*streak[:-1], streak[-1] // 2]
        assert drop(base + lower, str(percent))
