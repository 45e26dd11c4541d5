"""A file's objects and period balances as columns, read as sequences of records."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bokslut.sie.model import (
    OBJECT_SCHEMA,
    Object,
    Objects,
    PeriodBalance,
    PeriodBalances,
    canonical_objects,
    object_table,
    pair_keys,
    period_balance_table,
    split_objects,
)


def test_objects_are_a_sequence_of_object():
    table = pa.table(
        {"dim": [1, 6], "obj": ["A", "P"], "name": ["Ansvar", ""], "line": np.array([3, 4])},
        schema=OBJECT_SCHEMA,
    )
    objects = Objects(table)
    assert len(objects) == 2
    assert objects[-1] == Object(6, "P", "", 4)
    assert objects[:1] == (Object(1, "A", "Ansvar", 3),)
    assert objects == (Object(1, "A", "Ansvar", 3), Object(6, "P", "", 4)) == Objects(table)
    assert objects != (Object(1, "A", "Ansvar", 3),)
    assert object_table(list(objects)).equals(table)
    with pytest.raises(IndexError):
        objects[2]


def test_period_balances_are_a_sequence_of_period_balance():
    records = (
        PeriodBalance("PSALDO", 0, 202301, "3010", -550, 15),
        PeriodBalance("PSALDO", 0, 202302, "3010", -700, 16, ((1, "A|1"), (6, "P:1")), Decimal("2.50")),
        PeriodBalance("PBUDGET", -1, 202212, "3010", -900, 17, ((1, "A\\b"),)),
    )
    table = period_balance_table(records)
    # The store's columns: object lists as their keys, quantities as their exact text.
    assert table["objects"].to_pylist() == ["", "1:A\\|1|6:P\\:1", "1:A\\\\b"]
    assert table["quantity"].to_pylist() == [None, "2.50", None]
    periods = PeriodBalances(table)
    assert len(periods) == 3
    assert periods[1] == records[1] and periods[1].quantity == Decimal("2.50")
    assert periods[-1] == records[2]
    assert periods[:2] == records[:2]
    assert periods == records == PeriodBalances(table)
    assert periods != records[:2]
    assert period_balance_table(periods) is table
    assert period_balance_table(list(periods)).equals(table)
    with pytest.raises(IndexError):
        periods[3]


def test_pair_keys_are_the_keys_of_one_pair():
    ids = ["A", "a|b", "c:d", "e\\f", ""]
    keys = pair_keys([1, 6, 20, 1, 2], ids)
    assert keys.to_pylist() == ["1:A", "6:a\\|b", "20:c\\:d", "1:e\\\\f", "2:"]
    # Each character to escape found alone, and none (the ids as they are), and in a slice.
    assert pair_keys([5], pa.array(["a|b"])).to_pylist() == ["5:a\\|b"]
    assert pair_keys([5], pa.array(["c:d"])).to_pylist() == ["5:c\\:d"]
    assert pair_keys([5], pa.array(["e\\f"])).to_pylist() == ["5:e\\\\f"]
    assert pair_keys([7, 8], pa.array(["P1", "Q2"])).to_pylist() == ["7:P1", "8:Q2"]
    assert pair_keys([9], pa.array(["x", "a|b"]).slice(0, 1)).to_pylist() == ["9:x"]


_OBJECT_IDS = st.text(alphabet=st.sampled_from("A1ÅZ :|\\-_"), max_size=6)


@given(st.lists(st.tuples(st.integers(1, 20), _OBJECT_IDS), max_size=4))
def test_an_object_key_splits_back_into_its_sorted_pairs(pairs):
    key = canonical_objects(tuple(pairs))
    assert split_objects(key) == tuple(sorted(pairs))


def test_object_keys_with_and_without_escapes():
    assert split_objects("") == ()
    assert split_objects("1:81141|6:P1") == ((1, "81141"), (6, "P1"))
    assert split_objects("1:|6:P1") == ((1, ""), (6, "P1"))
    assert split_objects("1:a\\|b|2:c\\:d\\\\") == ((1, "a|b"), (2, "c:d\\"))
