"""Numbers as Swedish reports print them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bokslut.granska.numbers import figures, parse_number, sentences


@pytest.mark.parametrize(
    ("text", "value", "step"),
    [
        ("1 376", "1376", "1"),
        ("1\u00a0376", "1376", "1"),
        ("1\u202f376", "1376", "1"),
        ("−1 455", "-1455", "1"),
        ("-338", "-338", "1"),
        ("1441*", "1441", "1"),
        ("27,0", "27.0", "0.1"),
        ("(12)", "-12", "1"),
    ],
)
def test_shown_numbers(text: str, value: str, step: str) -> None:
    p = parse_number(text)
    assert p is not None and p.value == Decimal(value) and p.step == Decimal(step)


@pytest.mark.parametrize("text", ["–", "-", "", "Budget", "1 37", "12,3,4"])
def test_nothing_and_words_are_no_numbers(text: str) -> None:
    assert parse_number(text) is None


def test_percent_and_unit_in_a_cell() -> None:
    p = parse_number("91,6 %")
    assert p is not None and p.percent and p.value == Decimal("91.6")
    q = parse_number("1 579 tkr")
    assert q is not None and q.unit == "tkr" and q.value == 1579


def test_amounts_in_a_sentence_with_their_unit() -> None:
    found = figures(
        "Resultatet blev 1 367 000 kr, ca 564 tkr mer, och lånet 2 miljoner kronor; 3,1 % av omsättningen."
    )
    assert [(f.text, f.unit, f.kronor, f.approximate) for f in found] == [
        ("1 367 000 kr", "kr", Decimal(1367000), False),
        ("564 tkr", "tkr", Decimal(564000), True),
        ("2 miljoner kronor", "mkr", Decimal(2000000), False),
        ("3,1 %", "%", None, False),
    ]


def test_a_year_is_not_read_into_the_amount_after_it() -> None:
    assert [f.text for f in figures("Överskottet för 2023 blev 1 376 000 kr.")] == ["1 376 000 kr"]


def test_sentences() -> None:
    assert sentences("Ett. Två 3,1 % av. 2023 var bra.") == ["Ett.", "Två 3,1 % av.", "2023 var bra."]
