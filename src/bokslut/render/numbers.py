"""Swedish number formatting: "1 376", "−1 269", "3,1 %".

Thousands are grouped with a no-break space (U+00A0) so a figure never breaks
across lines; negative numbers take the real minus sign (U+2212), which screen
readers announce and which aligns with the digits. Every function takes an
already rounded ``Decimal``: rounding is the table model's job, never ours.
"""

from __future__ import annotations

from decimal import Decimal

from bokslut.money import round_half_up
from bokslut.table import UNIT_DECIMALS, UNIT_SCALE, Unit

NBSP = "\u00a0"
MINUS = "\u2212"

UNIT_LABEL = {Unit.KR: "kr", Unit.TKR: "tkr", Unit.MKR: "mkr"}
# Excel number formats per unit; the unit goes in the header, not in every cell.
EXCEL_FORMAT = {0: "#,##0;[Red]-#,##0", 1: "#,##0.0;[Red]-#,##0.0", 2: "#,##0.00;[Red]-#,##0.00"}


def format_number(value: Decimal, decimals: int = 0) -> str:
    """A rounded number in Swedish: grouped thousands, decimal comma, real minus."""
    q = round_half_up(value, decimals)
    if q == 0:
        q = abs(q)  # never show "−0"
    sign = MINUS if q < 0 else ""
    text = f"{abs(q):,.{decimals}f}"
    whole, _, frac = text.partition(".")
    whole = whole.replace(",", NBSP)
    return f"{sign}{whole},{frac}" if frac else f"{sign}{whole}"


def format_amount(kronor: Decimal, unit: Unit, with_unit: bool = True) -> str:
    """Exact kronor shown in ``unit`` (1 375 823 kr → "1 376 tkr")."""
    shown = round_half_up(kronor / UNIT_SCALE[unit], UNIT_DECIMALS[unit])
    return format_shown(shown, unit, with_unit)


def format_shown(shown: Decimal, unit: Unit, with_unit: bool = True) -> str:
    """A number already expressed (and rounded) in ``unit``."""
    text = format_number(shown, UNIT_DECIMALS[unit])
    return f"{text}{NBSP}{UNIT_LABEL[unit]}" if with_unit else text


def format_percent(value: Decimal, decimals: int = 1, with_unit: bool = True) -> str:
    """A percentage given as 12.5 for 12,5 % (Swedish puts a space before %)."""
    text = format_number(value, decimals)
    return f"{text}{NBSP}%" if with_unit else text


def plain_digits(text: str) -> str:
    """Undo the typography (for tests and machine readers): "−1 376" → "-1376"."""
    return text.replace(NBSP, "").replace("\u202f", "").replace(MINUS, "-").replace(",", ".")
