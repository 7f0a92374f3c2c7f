"""JSON with exact decimals, as mapped records are sent and golden samples kept."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from connectors.mapping import jsonio


def test_decimals_are_written_as_numbers_digit_for_digit() -> None:
    text = jsonio.dumps({"a": Decimal("12.50"), "b": Decimal("1E+2"), "c": [1, 0.5, None, True]})

    assert text == '{"a": 12.50, "b": 100, "c": [1, 0.5, null, true]}'


def test_times_dates_text_and_layout() -> None:
    value = {"b": datetime(2026, 1, 5, 2, tzinfo=UTC), "a": date(2026, 1, 5), "z": "上海"}

    assert jsonio.dumps(value, indent=2, sort_keys=True) == (
        '{\n  "a": "2026-01-05",\n  "b": "2026-01-05T02:00:00+00:00",\n  "z": "上海"\n}'
    )
    assert jsonio.dumps({"e": {}, "l": []}) == '{"e": {}, "l": []}'


def test_loads_reads_fractions_as_decimal_and_refuses_nan() -> None:
    assert jsonio.loads('{"a": 12.50, "b": 3}') == {"a": Decimal("12.50"), "b": 3}
    assert str(jsonio.loads("12.50")) == "12.50"
    with pytest.raises(ValueError, match="NaN"):
        jsonio.loads('{"a": NaN}')


def test_what_json_cannot_hold_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot be written"):
        jsonio.dumps(Decimal("NaN"))
    with pytest.raises(TypeError):
        jsonio.dumps({"a": object()})
    with pytest.raises(TypeError):
        jsonio.dumps({(1, 2): "tuple key"})
