"""The six field types and the strict conversions into them.

A conversion either returns a value of its type or raises ``Problem``; it
never guesses. Money is Decimal and a float is accepted only when it is surely
the number its sender wrote (see ``float_to_decimal``); a time without an
offset is accepted only when the mapping declares the zone it is read in.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal
from typing import Any, Final

from connectors.mapping.errors import Problem
from dms_domain.money import parse_decimal

TYPE_NAMES: Final = ("str", "int", "decimal", "date", "datetime", "bool")
# Named formats for dates and times; anything else must be a strftime pattern.
NAMED_FORMATS: Final = ("iso", "epoch", "epoch_ms", "odata")

# A float whose shortest repr has at most 15 significant digits (DBL_DIG) is
# exactly the decimal text it was parsed from; beyond that it may be the
# result of float arithmetic, which money must never silently carry.
_FLOAT_DIGITS = 15
# The hub stores money and quantities as NUMERIC(18, x): refuse what cannot fit
# before it reaches rounding or the database.
MAX_ADJUSTED_EXPONENT = 17
MAX_INT = 10**18
_TRUE_TEXT: Final = frozenset({"true", "t", "yes", "y", "1"})
_FALSE_TEXT: Final = frozenset({"false", "f", "no", "n", "0"})
_ODATA_DATE = re.compile(r"^/Date\((-?\d{1,15})([+-]\d{4})?\)/$")
_INT_TEXT = re.compile(r"^[+-]?\d{1,18}$")

Coercer = Callable[[Any], Any]


# Checked in order: bool before numbers, datetime before date (subclasses).
_LABELS: Final[tuple[tuple[type | tuple[type, ...], str], ...]] = (
    (type(None), "null"),
    (bool, "a boolean"),
    ((int, float, Decimal), "a number"),
    (str, "text"),
    (dict, "an object"),
    ((list, tuple), "a list"),
    (datetime, "a date and time"),
    (date, "a date"),
)


def type_label(value: Any) -> str:
    """How a value's type is named in messages: JSON words, not Python classes."""
    for kinds, label in _LABELS:
        if isinstance(value, kinds):
            return label
    return type(value).__name__


def plain(value: Any) -> Any:
    """A str or int subclass as the plain str or int it stands for, else the value itself.

    Canonical records built from domain objects carry StrEnum and IntEnum
    members (a tier, a status); they convert as their values do.
    """
    if isinstance(value, str) and value.__class__ is not str:
        return str.__str__(value)
    if isinstance(value, int) and value.__class__ not in (int, bool):
        return int(value)
    return value


def _mismatch(expected: str, value: Any) -> Problem:
    return Problem(f"expected {expected}, got {type_label(value)}", value, "type_mismatch")


def _check_range(number: Decimal, original: Any) -> Decimal:
    if not number.is_finite():
        raise Problem("not a finite number", original, "type_mismatch")
    if number and number.adjusted() > MAX_ADJUSTED_EXPONENT:
        raise Problem("number too large (at most 18 integer digits)", original, "out_of_range")
    return number


def float_to_decimal(value: float) -> Decimal:
    """A float from parsed JSON, as the decimal its sender wrote, or ``Problem``."""
    if not math.isfinite(value):
        raise Problem("not a finite number", value, "type_mismatch")
    number = Decimal(repr(value))
    if len(number.as_tuple().digits) > _FLOAT_DIGITS:
        raise Problem(
            "a float with more than 15 significant digits cannot be taken as an exact "
            "decimal; send the number as a string",
            value,
            "inexact_float",
        )
    return _check_range(number, value)


def to_decimal(value: Any) -> Decimal:
    cls = value.__class__
    if cls is Decimal:
        # the common case, checked inline: this runs for every money field
        if value.is_finite() and value.adjusted() <= MAX_ADJUSTED_EXPONENT:
            return value  # type: ignore[no-any-return]
        return _check_range(value, value)
    if cls is int:
        return _check_range(Decimal(value), value)
    if cls is str:
        try:
            number = parse_decimal(value)
        except ValueError:
            raise Problem(
                'expected a decimal number such as "1234.50"', value, "type_mismatch"
            ) from None
        return _check_range(number, value)
    if cls is float:
        return float_to_decimal(value)
    if plain(value) is not value:
        return to_decimal(plain(value))
    raise _mismatch("a decimal number", value)


def _check_int_range(number: int) -> int:
    if abs(number) >= MAX_INT:
        raise Problem("number too large (at most 18 integer digits)", number, "out_of_range")
    return number


def to_int(value: Any) -> int:
    cls = value.__class__
    if cls is int:
        return _check_int_range(int(value))
    if cls is str and _INT_TEXT.match(value):
        return int(value)
    if cls in (str, Decimal, float):
        try:
            number = to_decimal(value)
        except Problem as problem:
            if problem.code != "type_mismatch":
                raise
            number = None
        if number is None or number != number.to_integral_value():
            raise Problem("expected a whole number", value, "type_mismatch")
        return int(number)
    if plain(value) is not value:
        return to_int(plain(value))
    raise _mismatch("a whole number", value)


def to_bool(value: Any) -> bool:
    cls = value.__class__
    if cls is bool:
        return bool(value)
    if (cls is int or (cls is Decimal and value.is_finite())) and value in (0, 1):
        return bool(value)  # (a signalling NaN cannot even be compared)
    if cls is str:
        text = value.strip().lower()
        if text in _TRUE_TEXT:
            return True
        if text in _FALSE_TEXT:
            return False
        raise Problem("expected a boolean (true/false, yes/no, y/n, 1/0)", value, "type_mismatch")
    if plain(value) is not value:
        return to_bool(plain(value))
    raise _mismatch("a boolean", value)


def to_str(value: Any) -> str:
    cls = value.__class__
    if cls is str:
        return str(value)
    if cls is int:
        return str(_check_int_range(value))
    if cls is Decimal:
        return format(_check_range(value, value), "f")
    if cls is float:
        return format(float_to_decimal(value), "f")
    if isinstance(value, date):
        return value.isoformat()
    if cls is bool:
        raise Problem(
            "a boolean has no agreed text form: map it first (for example true: 'Y')",
            value,
            "type_mismatch",
        )
    if plain(value) is not value:
        return to_str(plain(value))
    raise _mismatch("text", value)


# Dates and times -----------------------------------------------------------


def _from_epoch(value: Any, scale: int) -> datetime:
    number = to_decimal(value)
    try:
        return datetime.fromtimestamp(float(number / scale), tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise Problem("timestamp out of range", value, "out_of_range") from None


def _parse_time_text(text: str, fmt: str | None) -> datetime:
    try:
        if fmt is None or fmt == "iso":
            return datetime.fromisoformat(text)
        if fmt == "odata":
            match = _ODATA_DATE.match(text)
            if match is None:
                raise ValueError("not /Date(milliseconds)/")
            # The milliseconds are UTC; the optional offset only says where it was written.
            return _from_epoch(int(match.group(1)), 1000)
        return datetime.strptime(text, fmt)  # the caller attaches the zone
    except ValueError:
        shown = fmt or "ISO 8601"
        raise Problem(f"not a time in the format {shown}", text, "bad_format") from None


def _attach_zone(moment: datetime, zone: tzinfo | None, original: Any) -> datetime:
    if moment.tzinfo is not None and moment.utcoffset() is not None:
        return moment
    if zone is None:
        raise Problem(
            "a time without an offset needs a declared 'timezone' in the mapping",
            original,
            "naive_datetime",
        )
    return moment.replace(tzinfo=zone)


def to_datetime(value: Any, fmt: str | None, zone: tzinfo | None) -> datetime:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        raise Problem("expected a date and time, got a date", value, "type_mismatch")
    elif fmt in ("epoch", "epoch_ms") and not isinstance(value, bool):
        moment = _from_epoch(value, 1000 if fmt == "epoch_ms" else 1)
    elif isinstance(value, str):
        moment = _parse_time_text(value, fmt)
    else:
        raise _mismatch("a date and time", value)
    return _attach_zone(moment, zone, value)


def to_date(value: Any, fmt: str | None, zone: tzinfo | None) -> date:
    """A date; from a time, its date on the declared zone's clock (a naive time as is)."""
    if isinstance(value, datetime):
        return _local(value, zone).date()
    if isinstance(value, date):
        return value
    if fmt in ("epoch", "epoch_ms") and not isinstance(value, bool):
        return _local(_from_epoch(value, 1000 if fmt == "epoch_ms" else 1), zone).date()
    if isinstance(value, str):
        if fmt in (None, "iso"):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass  # perhaps a full ISO time: its date is wanted
        return _local(_parse_time_text(value, fmt), zone).date()
    raise _mismatch("a date", value)


def _local(moment: datetime, zone: tzinfo | None) -> datetime:
    """The moment on the declared zone's clock (aware moments are converted)."""
    if zone is not None and moment.tzinfo is not None:
        return moment.astimezone(zone)
    return moment


def format_time(value: Any, fmt: str, zone: tzinfo | None) -> str:
    """Render a date, a time, or ISO text of one in ``fmt`` (the str type with a format)."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            value = to_datetime(value, "iso", zone)
    if isinstance(value, datetime):
        moment = _local(_attach_zone(value, zone, value), zone)
        if fmt == "iso":
            return moment.isoformat()
        if fmt in ("epoch", "epoch_ms", "odata"):
            millis = int(moment.timestamp() * 1000)
            if fmt == "odata":
                return f"/Date({millis})/"
            return str(millis if fmt == "epoch_ms" else millis // 1000)
        return _strftime(moment, fmt)
    if isinstance(value, date):
        if fmt == "iso":
            return value.isoformat()
        if fmt in ("epoch", "epoch_ms", "odata"):
            raise Problem(f"a date has no {fmt} form: give a time", value, "type_mismatch")
        return _strftime(value, fmt)
    raise _mismatch("a date or time to format", value)


def _strftime(value: date, fmt: str) -> str:
    try:
        return value.strftime(fmt)
    except ValueError:
        raise Problem(f"cannot format with {fmt!r}", value, "bad_format") from None


def check_format(fmt: str) -> None:
    """Refuse at load time a format that could never work (``ValueError``)."""
    if fmt in NAMED_FORMATS:
        return
    if "%" not in fmt:
        raise ValueError(
            f"format {fmt!r} is neither a strftime pattern (with %) "
            f"nor one of {', '.join(NAMED_FORMATS)}"
        )
    sample = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    datetime.strptime(sample.strftime(fmt), fmt)


def make_coercer(type_name: str, fmt: str | None, zone: tzinfo | None) -> Coercer:
    """The conversion for one field, with its format and zone bound once at load."""
    if type_name == "str":
        if fmt is None:
            return to_str
        pattern = fmt
        return lambda value: format_time(value, pattern, zone)
    if type_name == "datetime":
        return lambda value: to_datetime(value, fmt, zone)
    if type_name == "date":
        return lambda value: to_date(value, fmt, zone)
    simple: dict[str, Coercer] = {"int": to_int, "decimal": to_decimal, "bool": to_bool}
    return simple[type_name]


def exact_class(type_name: str, fmt: str | None) -> type | None:
    """The class of values that may skip conversion on the engine's fast path.

    A str or bool is valid as it is; an int or Decimal also needs its range
    (and a Decimal its finiteness) checked, which the fast path does inline
    exactly as ``to_int`` and ``to_decimal`` do. A datetime may be naive and a
    formatted str needs its format, so those always go through conversion.
    """
    if fmt is not None:
        return None
    return {"str": str, "int": int, "bool": bool, "decimal": Decimal}.get(type_name)
