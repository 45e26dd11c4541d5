from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from bokslut.render.numbers import (
    MINUS,
    NBSP,
    format_amount,
    format_number,
    format_percent,
    plain_digits,
)
from bokslut.table import Unit


def test_thousands_are_grouped_with_no_break_space_and_minus_is_real():
    assert format_number(Decimal(1376)) == f"1{NBSP}376"
    assert format_number(Decimal(-1269)) == f"{MINUS}1{NBSP}269"
    assert format_number(Decimal("1234567.891"), 2) == f"1{NBSP}234{NBSP}567,89"


def test_zero_is_never_negative():
    assert format_number(Decimal("-0.4")) == "0"


def test_amounts_in_units_round_half_up():
    assert format_amount(Decimal("1375823.45"), Unit.TKR) == f"1{NBSP}376{NBSP}tkr"
    assert format_amount(Decimal("1375500"), Unit.KR) == f"1{NBSP}375{NBSP}500{NBSP}kr"
    assert format_amount(Decimal("1450000"), Unit.MKR) == f"1,5{NBSP}mkr"
    assert format_amount(Decimal("-500"), Unit.TKR, with_unit=False) == f"{MINUS}1"


def test_percent_has_decimal_comma_and_space():
    assert format_percent(Decimal("3.134")) == f"3,1{NBSP}%"


@given(st.decimals(min_value=-(10**12), max_value=10**12, places=2), st.integers(0, 2))
def test_formatting_keeps_the_value(value, decimals):
    rounded = value.quantize(Decimal(1).scaleb(-decimals), rounding="ROUND_HALF_UP")
    assert Decimal(plain_digits(format_number(value, decimals))) == rounded
