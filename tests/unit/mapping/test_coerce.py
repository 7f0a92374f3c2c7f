"""The six field types: strict conversions, floats and time zones."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from enum import IntEnum, StrEnum
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.mapping.coerce import (
    check_format,
    format_time,
    make_coercer,
    to_bool,
    to_date,
    to_datetime,
    to_decimal,
    to_int,
    to_str,
)
from connectors.mapping.errors import Problem

SHANGHAI = ZoneInfo("Asia/Shanghai")


def code_of(convert: Any, *args: Any) -> str:
    with pytest.raises(Problem) as caught:
        convert(*args)
    return str(caught.value.code)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12.50", "12.50"),
        ("-3", "-3"),
        (7, "7"),
        (Decimal("1.005"), "1.005"),
        (0.1, "0.1"),  # a float from parsed JSON: the number its sender wrote
        (113.0, "113.0"),
        (1e-7, "1E-7"),
    ],
)
def test_decimal_accepts_text_ints_decimals_and_exact_floats(value: Any, expected: str) -> None:
    result = to_decimal(value)

    assert isinstance(result, Decimal)
    assert str(result) == expected


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (0.1 + 0.2, "inexact_float"),  # 0.30000000000000004: arithmetic, not a sent number
        (float("nan"), "type_mismatch"),
        (float("inf"), "type_mismatch"),
        (Decimal("NaN"), "type_mismatch"),
        (Decimal("sNaN"), "type_mismatch"),
        ("1e5", "type_mismatch"),
        ("1,234.50", "type_mismatch"),
        (" 12", "type_mismatch"),
        (True, "type_mismatch"),
        (None, "type_mismatch"),
        ([1], "type_mismatch"),
        (10**18, "out_of_range"),
        (Decimal("1E+18"), "out_of_range"),
    ],
)
def test_decimal_refuses(value: Any, code: str) -> None:
    assert code_of(to_decimal, value) == code


def test_int_bool_and_str() -> None:
    assert [to_int(v) for v in (5, "5", "+5", "5.000", Decimal("5.0"), 5.0)] == [5] * 6
    assert code_of(to_int, "5.5") == "type_mismatch"
    assert code_of(to_int, "v7") == "type_mismatch"
    assert code_of(to_int, True) == "type_mismatch"
    assert code_of(to_int, 10**18) == "out_of_range"
    assert [to_bool(v) for v in (True, 1, Decimal(0), "Y", "no", " TRUE ")] == [
        True,
        True,
        False,
        True,
        False,
        True,
    ]
    assert code_of(to_bool, "maybe") == "type_mismatch"
    assert code_of(to_bool, Decimal("sNaN")) == "type_mismatch"
    assert code_of(to_bool, 2) == "type_mismatch"
    assert [to_str(v) for v in ("a", 12, Decimal("1E+2"), date(2026, 1, 5))] == [
        "a",
        "12",
        "100",
        "2026-01-05",
    ]
    assert code_of(to_str, True) == "type_mismatch"
    assert code_of(to_str, {"a": 1}) == "type_mismatch"


def test_enum_members_of_domain_records_convert_as_their_values() -> None:
    class Tier(StrEnum):
        CORE = "core"

    class Level(IntEnum):
        TWO = 2

    assert (to_str(Tier.CORE), type(to_str(Tier.CORE))) == ("core", str)
    assert (to_int(Level.TWO), type(to_int(Level.TWO))) == (2, int)
    assert to_decimal(Level.TWO) == Decimal(2)
    assert to_str(Level.TWO) == "2"
    assert code_of(to_bool, Tier.CORE) == "type_mismatch"


def test_datetime_keeps_an_offset_and_reads_a_naive_time_in_the_declared_zone() -> None:
    aware = to_datetime("2026-01-05T10:00:00+08:00", None, None)
    naive = to_datetime("2026-01-05 10:00:00", "%Y-%m-%d %H:%M:%S", SHANGHAI)

    assert aware.utcoffset() == timedelta(hours=8)
    assert naive == datetime(2026, 1, 5, 2, tzinfo=UTC)
    assert to_datetime("2026-01-05T02:00:00Z", "iso", None) == naive


def test_a_naive_time_without_a_declared_zone_is_refused() -> None:
    assert code_of(to_datetime, "2026-01-05T10:00:00", None, None) == "naive_datetime"
    assert code_of(to_datetime, datetime(2026, 1, 5), None, None) == "naive_datetime"


@pytest.mark.parametrize(
    ("value", "fmt", "expected"),
    [
        (1767578400, "epoch", datetime(2026, 1, 5, 2, tzinfo=UTC)),
        ("1767578400000", "epoch_ms", datetime(2026, 1, 5, 2, tzinfo=UTC)),
        ("/Date(1767578400000)/", "odata", datetime(2026, 1, 5, 2, tzinfo=UTC)),
        ("/Date(1767578400000+0480)/", "odata", datetime(2026, 1, 5, 2, tzinfo=UTC)),
        ("05.01.2026 10:00 +0800", "%d.%m.%Y %H:%M %z", datetime(2026, 1, 5, 2, tzinfo=UTC)),
    ],
)
def test_datetime_formats(value: Any, fmt: str, expected: datetime) -> None:
    assert to_datetime(value, fmt, None) == expected


def test_datetime_refuses() -> None:
    assert code_of(to_datetime, "05/01/2026", None, None) == "bad_format"
    assert code_of(to_datetime, "/Date(x)/", "odata", None) == "bad_format"
    assert code_of(to_datetime, date(2026, 1, 5), None, SHANGHAI) == "type_mismatch"
    assert code_of(to_datetime, 10**17, "epoch", None) == "out_of_range"
    assert code_of(to_datetime, 5, None, SHANGHAI) == "type_mismatch"


def test_date_from_text_and_from_times_on_the_zone_clock() -> None:
    late_utc = datetime(2026, 1, 5, 20, tzinfo=UTC)

    assert to_date("2026-01-05", None, None) == date(2026, 1, 5)
    assert to_date("20260105", "%Y%m%d", None) == date(2026, 1, 5)
    assert to_date("2026-01-05T20:00:00+00:00", None, SHANGHAI) == date(2026, 1, 6)
    assert to_date(late_utc, None, SHANGHAI) == date(2026, 1, 6)
    assert to_date(late_utc, None, None) == date(2026, 1, 5)
    assert to_date(1767578400, "epoch", SHANGHAI) == date(2026, 1, 5)
    assert code_of(to_date, "05/01/2026", None, None) == "bad_format"
    assert code_of(to_date, 20260105, None, None) == "type_mismatch"


def test_formatting_times_as_text() -> None:
    moment = datetime(2026, 1, 5, 2, 30, tzinfo=UTC)

    assert format_time(moment, "%Y-%m-%d %H:%M", SHANGHAI) == "2026-01-05 10:30"
    assert format_time(moment, "iso", SHANGHAI) == "2026-01-05T10:30:00+08:00"
    assert format_time(moment, "epoch", None) == "1767580200"
    assert format_time(moment, "odata", None) == "/Date(1767580200000)/"
    assert format_time("2026-01-20", "%Y%m%d", None) == "20260120"
    assert format_time(date(2026, 1, 20), "%d.%m.%Y", None) == "20.01.2026"
    other = datetime(2026, 1, 5, 2, 30, tzinfo=timezone(timedelta(hours=-5)))
    assert format_time(other, "%H:%M", SHANGHAI) == "15:30"
    assert code_of(format_time, "2026-01-05T10:00:00", "%H", None) == "naive_datetime"
    assert code_of(format_time, "soon", "%H", None) == "bad_format"
    assert code_of(format_time, date(2026, 1, 5), "epoch", None) == "type_mismatch"


def test_formats_are_checked_at_load() -> None:
    check_format("%Y-%m-%d")
    check_format("odata")
    with pytest.raises(ValueError, match="neither a strftime pattern"):
        check_format("YYYY-MM-DD")
    with pytest.raises(ValueError, match="bad directive"):
        check_format("%Q")


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.decimals()
    | st.sampled_from([Decimal("sNaN"), Decimal("-NaN"), Decimal("1E+30"), Decimal("-0")])
    | st.text(max_size=30)
    | st.datetimes(timezones=st.none() | st.just(UTC))
    | st.dates(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=6,
)


@given(
    value=json_values,
    type_name=st.sampled_from(["str", "int", "decimal", "date", "datetime", "bool"]),
)
def test_a_conversion_returns_its_type_or_a_problem(value: Any, type_name: str) -> None:
    for fmt in (None, "%Y%m%d"):
        if fmt is not None and type_name not in ("str", "date", "datetime"):
            continue
        try:
            result = make_coercer(type_name, fmt, SHANGHAI)(value)
        except Problem:
            continue
        expected = {"str": str, "int": int, "decimal": Decimal, "date": date, "bool": bool}
        if type_name == "datetime":
            assert isinstance(result, datetime)
            assert result.utcoffset() is not None
        else:
            assert isinstance(result, expected[type_name])
