"""Field types of the HTTP contract.

Money is a decimal STRING: a JSON number is refused, because pydantic's lax mode
would turn 0.1 into 0.1000000000000000055511151231257827 without a word.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    AwareDatetime,
    BeforeValidator,
    ConfigDict,
    PlainSerializer,
    StrictBool,
    StrictInt,
    StringConstraints,
    WithJsonSchema,
)
from pydantic import BaseModel as _PydanticModel

from dms_domain.money import fits_scale, format_money, parse_decimal

CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$"

Code = Annotated[str, StringConstraints(pattern=CODE_PATTERN)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=255, strip_whitespace=True)]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=64, strip_whitespace=True)]
Count = Annotated[StrictInt, WithJsonSchema({"type": "integer", "minimum": 0})]
Timestamp = AwareDatetime  # a naive time is refused with 422
Flag = StrictBool
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]


def _decimal_text(scale: int, *, minimum: Decimal | None, maximum: Decimal | None) -> Any:
    def check(value: object) -> Decimal:
        if isinstance(value, Decimal):  # already parsed (defaults, internal calls)
            number = value
        elif isinstance(value, str):
            number = parse_decimal(value)
        else:
            raise ValueError(
                f'must be a decimal string such as "12.50", not a JSON {type(value).__name__}'
            )
        if not fits_scale(number, scale):
            raise ValueError(f"{value} has more than {scale} decimals")
        if minimum is not None and number < minimum:
            raise ValueError(f"{value} is below {minimum}")
        if maximum is not None and number > maximum:
            raise ValueError(f"{value} is above {maximum}")
        return number

    return check


def _decimal_type(
    scale: int, *, minimum: Decimal | None = None, maximum: Decimal | None = None
) -> Any:
    return Annotated[
        Decimal,
        BeforeValidator(_decimal_text(scale, minimum=minimum, maximum=maximum)),
        PlainSerializer(lambda d: format_money(d, scale), return_type=str, when_used="json"),
        WithJsonSchema(
            {
                "type": "string",
                "pattern": r"^-?\d+(\.\d{1," + str(scale) + r"})?$",
                "examples": ["1234." + "5" * scale],
            }
        ),
    ]


ZERO = Decimal(0)
Money = _decimal_type(2)
NonNegativeMoney = _decimal_type(2, minimum=ZERO)
PositiveMoney = _decimal_type(2, minimum=Decimal("0.01"))
UnitPrice = _decimal_type(4, minimum=ZERO)
Percent = _decimal_type(2, minimum=ZERO, maximum=Decimal(100))
# Degrees, as decimal strings like money (a float would move a point across a border).
Latitude = _decimal_type(6, minimum=Decimal(-90), maximum=Decimal(90))
Longitude = _decimal_type(6, minimum=Decimal(-180), maximum=Decimal(180))


class RequestModel(_PydanticModel):
    """A request body: unknown fields are errors that name the field."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class ResponseModel(_PydanticModel):
    model_config = ConfigDict(extra="ignore")
