"""statements.facts: a year's flows per object of one dimension, as the drift, nämnd and
investment tables and the checks read them."""

from __future__ import annotations

import datetime as dt

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from bokslut.sie.model import canonical_objects, split_objects
from bokslut.statements.facts import YearData, object_of
from bokslut.statements.flows import Flow, Flows

_IDS = st.text(alphabet=st.sampled_from("A1Å :|\\"), max_size=5)


@given(st.lists(st.tuples(st.integers(1, 12), _IDS), max_size=4), st.integers(1, 12))
def test_the_object_of_a_dimension_is_the_first_of_its_pairs(pairs, dim):
    key = canonical_objects(tuple(pairs))
    expected = next((o for d, o in split_objects(key) if d == dim), None)
    assert object_of(key, dim) == expected


def test_a_dimension_is_matched_whole_not_as_the_end_of_another():
    assert object_of("11:X|21:Y", 1) is None
    assert object_of("11:X|1:Y", 1) == "Y"
    assert object_of("1:|6:P", 1) == ""
    assert object_of("1:A\\|B|6:P", 6) == "P" and object_of("1:A\\|B|6:P", 1) == "A|B"


def _year(period) -> YearData:
    day = dt.date(2023, 1, 1)
    return YearData(2023, day, day, day, True, {}, {}, {}, period, {}, {})


_ROWS = [
    ("3010", "1:A1|6:P1", 0, -70_00),
    ("3010", "1:A1|6:P2", 5_00, -10_00),
    ("3010", "6:P1", 0, -3_00),
    ("3010", "", 0, -1_00),
    ("5010", "1:A2", 40_00, 0),
]


def _columns(rows):
    accounts, keys, debit, credit = zip(*rows, strict=True)
    return Flows(
        np.array(accounts, dtype=object),
        np.array(keys, dtype=object),
        np.array(debit, dtype=np.int64),
        np.array(credit, dtype=np.int64),
    )


def test_flows_are_summed_per_object_and_rows_without_one_under_none():
    for period in (
        _columns(_ROWS),
        {"3010": {k: Flow(d, c) for a, k, d, c in _ROWS if a == "3010"}, "5010": {"1:A2": Flow(40_00, 0)}},
    ):
        yd = _year(period)
        assert yd.by_object(1) == {
            "3010": {"A1": (5_00, -80_00), None: (0, -4_00)},
            "5010": {"A2": (40_00, 0)},
        }
        assert yd.by_object(6) == {
            "3010": {"P1": (0, -73_00), "P2": (5_00, -10_00), None: (0, -1_00)},
            "5010": {None: (40_00, 0)},
        }
        assert yd.by_object(6) is yd.by_object(6)  # made once
