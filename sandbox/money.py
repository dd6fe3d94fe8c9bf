"""Money: CNY with two decimals, exact.

Amounts live as :class:`~decimal.Decimal` everywhere in the domain. They are rendered as JSON
numbers with two decimals by the JSON encoder (``sandbox.http.responses``), so ``598`` goes out
as ``598.00`` exactly as the reference writes it.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def money(value: object) -> Decimal:
    """Coerce ``value`` (str, int, float or Decimal) to a Decimal rounded to the cent."""
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, float):
        amount = Decimal(repr(value))
    else:
        amount = Decimal(str(value))
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def ceil_yuan(amount: Decimal) -> Decimal:
    """Round up to the whole yuan (the service fee rule), kept with two decimals."""
    return amount.quantize(Decimal(1), rounding=ROUND_CEILING).quantize(CENT)


def percent_of(amount: Decimal, percent: Decimal | int) -> Decimal:
    return money(amount * Decimal(percent) / Decimal(100))
