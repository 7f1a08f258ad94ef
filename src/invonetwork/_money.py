"""Money rules, checked client-side with exact decimal arithmetic before anything is sent.

A money value is a ``str``, ``int``, ``float`` or ``Decimal`` (never a ``bool``) whose text is a
plain positive decimal with at most two places: ``^[0-9]+(\\.[0-9]{1,2})?$``. A float is judged
by its shortest round-trip ``repr``; a ``Decimal`` by its ``str``. Then ``0 < value <= max``.
No float arithmetic is done anywhere here.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation
from typing import Union

from .errors import InvalidInputError

__all__ = [
    "MAX_ACKNOWLEDGED_TOTAL_USD",
    "MAX_ITEM_PRICE",
    "MAX_USD_AMOUNT",
    "Money",
    "check_money",
    "check_total_matches",
    "money_to_wire",
]

Money = Union[str, int, float, Decimal]

# A structural bound only: INVO enforces the real card limits (ABOVE_CARD_MAXIMUM,
# BELOW_CARD_MINIMUM), which are per-environment settings.
MAX_USD_AMOUNT = Decimal("999999.99")
MAX_ACKNOWLEDGED_TOTAL_USD = Decimal("99999999.99")
MAX_ITEM_PRICE = Decimal("999999.99")

# ASCII digits only: ``\d`` would also accept Arabic-Indic and other Unicode digits.
_PLAIN_DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]{1,2})?")
_ONE_CENT = Decimal("0.01")


def _text_of(name: str, value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float, Decimal)):
        raise InvalidInputError(
            f"{name} must be a str, int, float or Decimal amount, got {type(value).__name__}",
            code="INVALID_INPUT",
        )
    if isinstance(value, float):
        return repr(value)  # nan / inf / 1e-05 fail the pattern below
    if isinstance(value, int) and not -(10**18) < value < 10**18:
        # Far outside every limit; str() of a huge int is slow, and past 4300 digits it raises.
        raise InvalidInputError(
            f"{name} is out of range: it must be greater than 0 and at most a few million",
            code="INVALID_INPUT",
        )
    return str(value)


def check_money(name: str, value: object, maximum: Decimal) -> Decimal:
    """Validate one money value and return it as an exact ``Decimal``.

    Raises ``InvalidInputError`` (code ``INVALID_INPUT``) naming the argument and the rule.
    """
    text = _text_of(name, value)
    if _PLAIN_DECIMAL.fullmatch(text) is None:
        hint = ""
        if (isinstance(value, float) and math.isfinite(value) and value > 0
                and abs(value - round(value, 2)) < 1e-9):
            # 0.1 * 3 is 0.30000000000000004: float arithmetic on cents leaves such noise.
            hint = (
                "; a float cannot hold most amounts in cents exactly, so pass a Decimal or a "
                "string instead, e.g. Decimal('0.10') * 3 or '0.30'"
            )
        raise InvalidInputError(
            f"{name} must be a plain positive decimal with at most 2 decimal places "
            f"(like '10' or '9.99'), got {text[:40]!r}{hint}",
            code="INVALID_INPUT",
        )
    try:
        amount = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern already guarantees a number
        raise InvalidInputError(f"{name} is not a number", code="INVALID_INPUT") from None
    if amount <= 0 or amount > maximum:
        raise InvalidInputError(
            f"{name} must be greater than 0 and at most {maximum}, got {text}",
            code="INVALID_INPUT",
        )
    return amount


def check_total_matches(unit_price: Decimal, quantity: int, total_price: Decimal) -> None:
    """``total_price`` must equal ``unit_price * quantity`` within one cent (exact arithmetic)."""
    expected = unit_price * quantity
    if abs(expected - total_price) > _ONE_CENT:
        raise InvalidInputError(
            f"total_price must equal unit_price x item_quantity within 0.01: "
            f"{unit_price} x {quantity} = {expected}, got {total_price}",
            code="INVALID_INPUT",
        )


def money_to_wire(value: Money) -> Union[str, int, float]:
    """The value as it goes on the wire: as given, a ``Decimal`` as its string."""
    return str(value) if isinstance(value, Decimal) else value
