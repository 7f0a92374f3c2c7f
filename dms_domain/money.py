"""Money and quantities: Decimal only, ROUND_HALF_UP, fixed scales.

Unit prices keep 4 decimals, amounts 2 (api-contract.md "Conventions").
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

AMOUNT_SCALE = 2
UNIT_PRICE_SCALE = 4
CENT = Decimal("0.01")
UNIT_PRICE_QUANTUM = Decimal("0.0001")
DEFAULT_CURRENCY = "CNY"
DEFAULT_TAX_RATE = Decimal("13")

# A plain decimal string: optional sign, digits, optional fraction. No exponent,
# no spaces, no thousands separators: what a client sends is what we store.
_DECIMAL_TEXT = re.compile(r"^-?\d{1,18}(\.\d{1,12})?$")


def parse_decimal(text: str) -> Decimal:
    """Parse a decimal string strictly; raise ValueError naming the value."""
    if not _DECIMAL_TEXT.match(text):
        raise ValueError(f'{text!r} is not a decimal string such as "1234.50"')
    try:
        return Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the regex already guards it
        raise ValueError(f"{text!r} is not a decimal number") from exc


def round_amount(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def round_unit_price(value: Decimal) -> Decimal:
    return value.quantize(UNIT_PRICE_QUANTUM, rounding=ROUND_HALF_UP)


def fits_scale(value: Decimal, scale: int) -> bool:
    """True when ``value`` has no more than ``scale`` decimals (trailing zeros allowed)."""
    exponent = value.normalize().as_tuple().exponent
    return isinstance(exponent, int) and -exponent <= scale


def format_money(value: Decimal, scale: int = AMOUNT_SCALE) -> str:
    quantum = Decimal(1).scaleb(-scale)
    return str(value.quantize(quantum, rounding=ROUND_HALF_UP))
