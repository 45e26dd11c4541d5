"""Accounts and objects used but not declared: found in one pass, whatever the ledger's shape."""

from __future__ import annotations

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from bokslut.diagnostics import Level
from bokslut.sie.checks import check_declared, first_uses
from bokslut.sie.model import canonical_objects
from bokslut.sie.reader import read_sie_bytes

HEAD = '#FLAGGA 0\n#SIETYP 4\n#RAR 0 20230101 20231231\n#KONTO 3010 "Intäkter"\n#KONTO 1930 "Bank"\n'

# Ids with the characters the canonical key escapes, and plain ones that share prefixes.
IDS = st.sampled_from(["A1", "A10", "A1|6:B", "x\\", ":", "Å", "P0001", "a:b", ""])
PAIRS = st.lists(st.tuples(st.sampled_from([1, 6, 20]), IDS), max_size=3, unique_by=lambda p: p[0])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(PAIRS, st.integers(1, 50)), max_size=40))
def test_the_compiled_pass_finds_what_arrow_finds(rows):
    t = pa.table(
        {
            "objects": pa.array([canonical_objects(p) for p, _ in rows], pa.string()),
            "account": pa.array([str(3000 + line % 7) for _, line in rows], pa.string()),
            "line": pa.array([line for _, line in rows], pa.int64()),
        }
    )
    expected = {}
    for pairs, line in rows:
        for pair in pairs:
            key = canonical_objects((pair,))
            expected[key] = min(line, expected.get(key, line))
    assert first_uses(t, "objects", split=True, compiled=True) == expected
    assert first_uses(t, "objects", split=True, compiled=False) == expected
    assert first_uses(t, "account", compiled=True) == first_uses(t, "account", compiled=False)


def test_chunked_columns_give_each_value_its_smallest_line():
    t = pa.Table.from_batches(
        [
            pa.record_batch({"objects": ["1:A|6:P", "1:B"], "line": [10, 11]}),
            pa.record_batch({"objects": ["6:P", "1:A"], "line": [3, 12]}),
        ]
    )
    assert first_uses(t, "objects", split=True, compiled=True) == {"1:A": 10, "6:P": 3, "1:B": 11}


def _voucher(rows: list[str], line_text: str = "") -> str:
    body = "\n".join(rows)
    return f'#VER A 1 20230105 "x"\n{{\n{body}\n}}\n{line_text}'


def test_undeclared_objects_are_named_with_the_line_they_are_first_used_on():
    text = (
        HEAD
        + '#OBJEKT 1 "A1" "Ett"\n'
        + _voucher(
            [
                '#TRANS 3010 {1 "A1" 6 "P7"} -5',
                '#TRANS 3010 {1 "A2" 6 "P7"} -5',
                "#TRANS 1930 {} 10",
            ]
        )
    )
    sie = read_sie_bytes(text.encode("cp437"), "f.se", fast=False)
    found = [(f.message, f.line) for f in check_declared(sie) if f.level is Level.WARNING]
    assert found == [
        ("objekt 'A2' i dimension 1 används men deklareras inte med #OBJEKT", 10),
        ("objekt 'P7' i dimension 6 används men deklareras inte med #OBJEKT", 9),
    ]


def test_an_id_with_escaped_characters_is_matched_to_its_declaration():
    text = (
        HEAD
        + '#OBJEKT 1 "a|b:c" "Konstig"\n'
        + _voucher(['#TRANS 3010 {1 "a|b:c"} -5', '#TRANS 3010 {1 "a"} -5', "#TRANS 1930 {} 10"])
    )
    sie = read_sie_bytes(text.encode("cp437"), "f.se", fast=False)
    assert [f.message for f in check_declared(sie)] == [
        "objekt 'a' i dimension 1 används men deklareras inte med #OBJEKT"
    ]


def test_many_distinct_objects_are_checked_without_comparing_each_row_with_each_object():
    # 300 000 rows, each with its own pair of objects, half declared: the compiled pass.
    n = 300_000
    declared = "".join(f'#OBJEKT 1 "A{k}" ""\n' for k in range(0, n, 2))
    rows = "".join(f'#TRANS 3010 {{1 "A{k}" 6 "P{k}"}} -1\n' for k in range(n))
    text = HEAD + declared + f'#VER A 1 20230105 "x"\n{{\n{rows}#TRANS 1930 {{}} {n / 100:.2f}\n}}\n'
    sie = read_sie_bytes(text.encode("cp437"), "f.se")
    messages = [f.message for f in check_declared(sie)]
    assert messages == [
        f"objekt 'A1', 'A3', 'A5', 'A7', 'A9' och {n // 2 - 5} till i dimension 1 används men "
        "deklareras inte med #OBJEKT",
        f"objekt 'P0', 'P1', 'P2', 'P3', 'P4' och {n - 5} till i dimension 6 används men "
        "deklareras inte med #OBJEKT",
    ]


def test_objects_of_balances_are_checked_against_the_declared_ones():
    text = (
        HEAD
        + '#OBJEKT 1 "a|b:c" "Konstig"\n#OBJEKT 6 "P1" "Projekt"\n'
        + '#OIB 0 1930 {1 "a|b:c"} 100.00\n'  # line 8: declared (an id the key escapes)
        + '#OIB 0 1930 {1 "A9"} 50.00\n'  # line 9: first use of A9
        + '#PSALDO 0 202301 3010 {6 "P1"} -5.00\n'  # line 10: declared
        + '#PSALDO 0 202302 3010 {6 "P2"} -5.00\n'  # line 11: first use of P2
        + '#PSALDO 0 202303 3010 {1 "A9"} -5.00\n'  # line 12: A9 again
        + '#PSALDO 0 202304 3010 {6 "P4" 1 "x|y"} -5.00\n'  # line 13: an id the key escapes
        + _voucher(['#TRANS 3010 {6 "P3"} -5', "#TRANS 1930 {} 5"])  # line 16: P3 in a row
    )
    sie = read_sie_bytes(text.encode("cp437"), "f.se", fast=False)
    found = [(f.message, f.line) for f in check_declared(sie) if "#OBJEKT" in f.message]
    assert found == [
        ("objekt 'A9', 'x|y' i dimension 1 används men deklareras inte med #OBJEKT", 9),
        ("objekt 'P2', 'P4', 'P3' i dimension 6 används men deklareras inte med #OBJEKT", 11),
    ]


def test_balances_objects_are_looked_up_with_the_rows_pairs():
    # A9 in a balance (line 9) and a row (line 18): its first use is named, wherever it is;
    # "a|b:c" declared and used by both; B7 only in balances.
    text = (
        HEAD
        + '#OBJEKT 1 "a|b:c" "Konstig"\n#OBJEKT 6 "P1" "Projekt"\n'
        + '#OIB 0 1930 {1 "a|b:c"} 100.00\n'  # line 8
        + '#OIB 0 1930 {1 "A9"} 50.00\n'  # line 9
        + '#PSALDO 0 202301 3010 {6 "P1" 1 "B7"} -5.00\n'  # line 10
        + '#PSALDO 0 202302 3010 {1 "B7"} -5.00\n'  # line 11
        + _voucher(['#TRANS 3010 {1 "a|b:c" 6 "P1"} -5', "#TRANS 1930 {} 5"])  # lines 14-15
        + _voucher(['#TRANS 3010 {1 "A9"} -5', "#TRANS 1930 {} 5"])  # lines 18-19
    )
    sie = read_sie_bytes(text.encode("cp437"), "f.se", fast=False)
    found = [(f.message, f.line) for f in check_declared(sie) if "#OBJEKT" in f.message]
    assert found == [("objekt 'A9', 'B7' i dimension 1 används men deklareras inte med #OBJEKT", 9)]


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(
        st.tuples(st.sampled_from([1, 6, 20, 107]), st.text(alphabet="AB1é:", max_size=4)),
        st.integers(1, 9),
        max_size=40,
    ),
    st.booleans(),
    st.booleans(),
)
def test_undeclared_objects_taken_apart_by_columns_are_those_taken_pair_by_pair(used, escaped, many):
    # Many objects per dimension (more than a finding names), lines shared, some declared;
    # ids with ":" are escaped in their keys and so go pair by pair either way. ``many``:
    # more objects declared than used (the used ones are then hashed, not the declared).
    from bokslut.sie.checks import _undeclared_objects, _undeclared_objects_one_by_one

    declared = [(1, "A"), (6, "B1"), *([(dim, f"{k}é") for dim in (1, 6) for k in range(30)] if many else [])]
    text = HEAD + "".join(f'#OBJEKT {dim} "{obj}" "namn"\n' for dim, obj in declared)
    sie = read_sie_bytes(text.encode("utf-8"), "t.se", fast=False)
    keys = [canonical_objects(((dim, obj),)) for dim, obj in used]
    if escaped:
        keys.append("1:x\\|y")
    pairs = pa.table(
        {"value": pa.array(keys, pa.string()), "line": pa.array([*used.values(), 5][: len(keys)])}
    )
    found = _undeclared_objects(sie, pairs)
    known = {canonical_objects((pair,)) for pair in declared}
    assert found == _undeclared_objects_one_by_one(
        pairs.filter(pa.array([k not in known for k in keys], pa.bool_()))
    )
    assert all(count >= len(items) for items, count in found.values())
