"""Exact money: integer öre in the store, Decimal kronor in computation.

There is exactly one place that turns text into öre (:func:`parse_ore`) and one
that turns öre into kronor (:func:`kronor`). No float ever touches an amount.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

ORE_PER_KRONA = 100

# Largest amount read: 999 999 999 999 999,99 kr. Far more than any municipality
# turns over in a year, and small enough that the sum of any file's
# amounts (bounded separately, see bokslut.sie.reader) fits the store's int64 öre.
MAX_ORE = 10**17 - 1

# SIE §5.9: point as decimal separator, at most two decimals, minus sign only.
# A comma decimal is accepted because some exporters write it; a plus sign too.
# ASCII digits only: Python's \d (and int()) would read Arabic-Indic digits as numbers.
_AMOUNT = re.compile(r"([+-]?)([0-9]*)(?:[.,]([0-9]*))?", re.ASCII)


class AmountTooLarge(ValueError):
    """An amount beyond :data:`MAX_ORE`; the message is Swedish."""


def parse_ore(text: str) -> int:
    """Parse an amount in kronor ("-3142.1", "1000", "-0.00") into öre.

    Raises ValueError with a Swedish reason when the text is not an amount, has
    more than two decimals (which could not be stored exactly) or is larger than
    :data:`MAX_ORE`.
    """
    m = _AMOUNT.fullmatch(text.strip())
    if m is None or (not m.group(2) and not m.group(3)):
        raise ValueError(f"'{text}' är inget belopp")
    sign, whole, frac = m.group(1), m.group(2) or "0", m.group(3) or ""
    if len(frac) > 2:
        if frac[2:].strip("0"):
            raise ValueError(f"'{text}' har fler än två decimaler")
        frac = frac[:2]
    whole = whole.lstrip("0") or "0"
    if len(whole) > 15:
        raise AmountTooLarge(
            f"'{text}' är större än det största belopp som kan lagras ({format_ore(MAX_ORE, group=' ')} kr)"
        )
    ore = int(whole) * ORE_PER_KRONA + int(frac.ljust(2, "0") or "0")
    return -ore if sign == "-" else ore


def kronor(ore: int) -> Decimal:
    """Öre as exact Decimal kronor."""
    return Decimal(ore).scaleb(-2)


def ore(amount: Decimal) -> int:
    """Exact Decimal kronor as öre; raises if the amount has fractions of an öre."""
    scaled = amount.scaleb(2)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{amount} kr är inte ett helt antal öre")
    return int(scaled)


def round_half_up(value: Decimal, decimals: int = 0) -> Decimal:
    """Commercial rounding (half away from zero), as Swedish reports round."""
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def format_ore(ore: int, *, minus: str = "\u2212", group: str = "\u00a0") -> str:
    """Exact öre as Swedish kronor text: "1 234,50" (no-break space, real minus sign)."""
    sign = minus if ore < 0 else ""
    whole, frac = divmod(abs(ore), ORE_PER_KRONA)
    return f"{sign}{whole:,}".replace(",", group) + f",{frac:02d}"
