"""statements.facts: a year's flows per object of one dimension, as the drift, nämnd and
investment tables and the checks read them."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bokslut.sie.model import canonical_objects, split_objects
from bokslut.statements import facts as facts_module
from bokslut.statements.facts import YearData, group_sums, object_of
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


def test_object_rows_number_each_object_once_and_keep_every_key_row():
    yd = _year(_columns(_ROWS))
    rows = yd.object_rows(1)
    assert rows.accounts == ["3010", "5010"]
    assert rows.starts.tolist() == [0, 4, 5]
    assert rows.account().tolist() == [0, 0, 0, 0, 1]
    assert [rows.objects[i] for i in rows.obj.tolist()] == ["A1", "A1", None, None, "A2"]
    assert rows.debit.tolist() == [0, 5_00, 0, 0, 40_00]
    assert yd.object_rows(1) is rows


def test_group_sums_are_exact_past_int64():
    big = (1 << 62) + 1
    values = np.array([big, big, -1, 5], dtype=object)
    assert group_sums(np.array([0, 0, 1, 1]), values, 3) == [2 * big, 4, 0]
    assert group_sums(np.array([1, 0]), np.array([7, -2], dtype=np.int64), 2) == [-2, 7]


def _two_years(ws, *, late: bool = False):
    """2022 and 2023 with objects of dimensions 1 and 6; ``late`` dates a 2023 voucher after the
    year's end (the year sums keep its month apart)."""
    rows_2023 = [
        ("2023-02-01", [("3010", -1000, {1: "A1", 6: "P1"}), ("1930", 1000)]),
        ("2023-03-01", [("3010", -300, {1: "A2"}), ("5010", 200, {1: "A1"}), ("1930", 100)]),
        ("2023-05-01", [("1210", 500, {6: "P1"}), ("1930", -500)]),
        ("2023-06-01", [("3010", -50), ("5010", 50, {1: "A|B"})]),
    ]
    if late:
        rows_2023.append(("2024-01-10", [("5010", 70, {1: "A2"}), ("1930", -70)]))
    ws.config(extra="[dimensioner]\nverksamhet = 1\nprojekt = 6\n")
    ws.year(2022, vouchers=[("2022-04-01", [("3010", -400, {1: "A1"}), ("1930", 400)])])
    ws.year(2023, vouchers=rows_2023)
    return ws


def _load(ws):
    from bokslut.ledger.store import open_store
    from bokslut.statements.facts import load_facts

    with open_store(ws.layout) as store:
        return load_facts(store.con, 2023, None, result_dims=(1,), balance_dims=(6,))


def _seen(facts):
    return {
        y: (
            {a: yd.by_object(1).get(a) for a in sorted(yd.period)},
            {a: yd.by_object(6).get(a) for a in sorted(yd.period)},
            dict(yd.after_cut),
        )
        for y, yd in facts.years.items()
    }


@pytest.mark.parametrize("late", [False, True])
def test_year_sums_read_in_the_order_written_give_what_the_sorted_query_gives(ws, monkeypatch, late):
    _two_years(ws, late=late)
    taken = []
    in_order = facts_module._in_file_order

    def spy(*args):
        got = in_order(*args)
        taken.append(got is not None)
        return got

    monkeypatch.setattr(facts_module, "_in_file_order", spy)
    fast = _seen(_load(ws))
    # A row after the year's end is in its own month of the year sums: the query sums it.
    assert taken == [not late]
    monkeypatch.setattr(facts_module, "_in_file_order", lambda *args: None)
    assert fast == _seen(_load(ws))
    year = fast[2023]
    assert year[0]["3010"] == {"A1": (0, -1000_00), "A2": (0, -300_00), None: (0, -50_00)}
    assert year[0]["5010"] == {"A1": (200_00, 0), "A|B": (50_00, 0)}
    assert year[1]["1210"] == {"P1": (500_00, 0)}
    assert year[2] == ({"1930": -70_00, "5010": 70_00} if late else {})
    assert fast[2022][0]["3010"] == {"A1": (0, -400_00)}
