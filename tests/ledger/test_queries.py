"""Reading an object on the command line (`saldon --objekt 1:81141`)."""

from __future__ import annotations

import pytest

from bokslut.diagnostics import BokslutError
from bokslut.ledger.queries import parse_object


def test_an_object_is_a_dimension_number_and_an_object_id():
    assert parse_object("1:81141") == (1, "81141")
    assert parse_object(" 6 :P1:a") == (6, "P1:a")  # the id keeps everything after the first colon


@pytest.mark.parametrize(
    "text", ["abc", "1", ":81141", "1:", "²:81141", "٣:81141", "99999999999:1", "2147483648:1"]
)
def test_other_digits_and_numbers_beyond_the_store_are_refused_in_swedish(text):
    with pytest.raises(BokslutError) as info:
        parse_object(text)
    assert info.value.message == f"objektet '{text}' ska skrivas dimension:objekt, t.ex. 1:81141"
