"""The table model's rounding: shown sums add up, totals never give way, derived columns hold."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bokslut.money import round_half_up
from bokslut.rounding import round_table, shown_total_matches
from bokslut.table import (
    Column,
    ColumnKind,
    Row,
    RowKind,
    Table,
    Unit,
    with_sums,
)

D = Decimal


UTFALL = (Column("utfall", "Utfall"),)


def table(rows, columns=UTFALL, unit=Unit.TKR):
    return with_sums(Table("t", "T", tuple(columns), tuple(rows), unit=unit))


def test_leaves_give_way_to_their_total_by_largest_remainder():
    t = table(
        [
            Row("a", "A", values={"utfall": D("1400")}),
            Row("b", "B", values={"utfall": D("1400")}),
            Row("c", "C", values={"utfall": D("1450")}),
            Row("s", "S", RowKind.TOTAL, parts=("a", "b", "c")),
        ]
    )
    r = round_table(t)
    # 4,25 tkr is shown as 4; the parts round to 1 + 1 + 1 = 3, so the part nearest its
    # next step (c, 1,45) moves up.
    assert [r.get(x, "utfall") for x in "abcs"] == [D(1), D(1), D(2), D(4)]
    assert shown_total_matches(r) == [] and r.adjusted == ()


def test_subtracted_parts_and_quantities_are_pinned_everywhere():
    rows = [
        Row("int", "Intäkter", values={"utfall": D("10400")}),
        Row("kost", "Kostnader", values={"utfall": D("-8400")}, quantity="kostnader"),
        Row("res", "Resultat", RowKind.TOTAL, parts=("int", "kost"), quantity="arets_resultat"),
    ]
    r = round_table(table(rows))
    assert r.get("kost", "utfall") == D(-8) and r.get("res", "utfall") == D(2)
    assert r.get("int", "utfall") == D(10)


def test_a_grand_total_of_subtotals_keeps_its_rounding_and_a_subtotal_gives_way():
    rows = []
    for k in range(3):
        rows += [
            Row(f"a{k}", "a", values={"utfall": D("400")}),
            Row(f"b{k}", "b", values={"utfall": D("400")}),
            Row(f"s{k}", "s", RowKind.SUBTOTAL, parts=(f"a{k}", f"b{k}")),
        ]
    rows.append(Row("t", "Totalt", RowKind.TOTAL, parts=("s0", "s1", "s2")))
    r = round_table(table(rows))
    assert r.get("t", "utfall") == D(2)  # 2,4 tkr
    assert shown_total_matches(r) == [] and r.conflicts == ()
    # three subtotals of 0,8 tkr each show 1; one gives way to 0 so that 0 + 1 + 1 = 2
    assert len(r.adjusted) == 1 and r.adjusted[0][0].startswith("s")


def test_derived_column_is_computed_from_shown_values():
    cols = (
        Column("budget", "Budget"),
        Column("utfall", "Utfall"),
        Column("avv", "Avvikelse", derived=("budget", "-", "utfall")),
    )
    rows = [
        Row("a", "A", values={"budget": D("1499"), "utfall": D("1000")}),
        Row("b", "B", values={"budget": D("1499"), "utfall": D("2000")}),
        Row("s", "S", RowKind.TOTAL, parts=("a", "b")),
    ]
    r = round_table(table(rows, cols))
    for rid in "abs":
        assert r.get(rid, "avv") == r.get(rid, "budget") - r.get(rid, "utfall")


amounts = st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False, allow_infinity=False)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.lists(amounts, min_size=1, max_size=5), min_size=1, max_size=5),
    st.sampled_from(list(Unit)),
)
def test_any_two_level_table_adds_up(groups, unit):
    rows = []
    for g, values in enumerate(groups):
        ids = [f"r{g}_{i}" for i in range(len(values))]
        rows += [Row(rid, rid, values={"utfall": v}) for rid, v in zip(ids, values, strict=True)]
        rows.append(Row(f"s{g}", "s", RowKind.SUBTOTAL, parts=tuple(ids)))
    rows.append(Row("t", "Totalt", RowKind.TOTAL, parts=tuple(f"s{g}" for g in range(len(groups)))))
    t = table(rows, unit=unit)
    r = round_table(t)
    assert shown_total_matches(r) == [] and r.conflicts == ()
    decimals = 1 if unit is Unit.MKR else 0
    scale = {Unit.KR: 1, Unit.TKR: 1000, Unit.MKR: 1_000_000}[unit]
    exact_total = t.row("t").values["utfall"]
    # the total is within one step of its exact value, like every other shown number
    step = Decimal(1).scaleb(-decimals)
    assert abs(r.get("t", "utfall") - exact_total / scale) < step
    for row in t.rows:
        if row.parts and (row.id, "utfall") not in r.adjusted:
            assert r.get(row.id, "utfall") == round_half_up(row.values["utfall"] / scale, decimals)


def test_counts_add_up_in_their_decimals_and_rates_are_left_alone():
    cols = (Column("ar", "2023", ColumnKind.NUMBER, decimals=1), Column("andel", "Andel", ColumnKind.PERCENT))
    rows = [
        Row("kvinnor", "Kvinnor", values={"ar": D("11.14"), "andel": D("3.14")}),
        Row("man", "Män", values={"ar": D("15.94"), "andel": D("2.64")}),
        Row(
            "totalt",
            "Totalt",
            RowKind.TOTAL,
            values={"ar": D("27.08"), "andel": D("2.84")},
            parts=("kvinnor", "man"),
        ),
    ]
    r = round_table(Table("arsarbetare", "Årsarbetare", cols, tuple(rows), unit=None))
    assert r.get("totalt", "ar") == D("27.1")
    assert r.get("kvinnor", "ar") + r.get("man", "ar") == D("27.1")
    # a rate is a rate: the total's share is not the sum of the groups' shares
    assert [r.get(x, "andel") for x in ("kvinnor", "man", "totalt")] == [D("3.1"), D("2.6"), D("2.8")]


def test_rows_and_columns_are_found_by_id_the_first_of_two_alike():
    first, second = Row("a", "Först", values={"x": Decimal(1)}), Row("a", "Sedan")
    t = Table("t", "T", (Column("x", "X"),), (first, Row("b", "B"), second))
    assert t.row("a") is first and t.row("b").label == "B" and t.column("x").label == "X"
    assert t.value("a", "x") == Decimal(1)
    with pytest.raises(KeyError):
        t.row("c")
    with pytest.raises(KeyError):
        t.column("y")
    moved = replace(t, rows=(Row("c", "C"),))
    assert moved.row("c").label == "C" and t == replace(t)
