"""Rounding adds up in every statement, for any ledger (DESIGN.md §4), property-tested."""

from __future__ import annotations

import tempfile
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bokslut.money import round_half_up
from bokslut.table import ColumnKind, RowKind, round_table, shown_total_matches

from .conftest import load_ledgers

RESULT = ["3010", "3810", "4610", "5010", "5710", "6410", "7910", "8010", "8410", "8520"]
BALANCE = ["1220", "1229", "1510", "1790", "2290", "2310", "2440", "2990"]
amounts = st.integers(min_value=-5_000_000_00, max_value=5_000_000_00).map(lambda o: Decimal(o).scaleb(-2))


@st.composite
def ledgers(draw):
    vouchers = []
    for n in range(draw(st.integers(1, 12))):
        account = draw(st.sampled_from(RESULT + BALANCE))
        amount = draw(amounts)
        month = draw(st.integers(1, 12))
        obj = draw(st.sampled_from(["A", "B", None]))
        row = (account, amount, {1: obj}) if obj and account[0] not in "12" else (account, amount)
        vouchers.append((f"2023-{month:02d}-1{n % 9}", [row, ("1930", -amount)]))
    ib = {a: draw(amounts) for a in draw(st.lists(st.sampled_from(BALANCE), max_size=4, unique=True))}
    ib["1930"] = draw(amounts)
    ib["2010"] = -sum(ib.values())
    return ib, vouchers


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ledgers())
def test_shown_sums_add_up_totals_are_exact_rounded_and_quantities_agree(data):
    ib, vouchers = data
    with tempfile.TemporaryDirectory() as tmp:
        ws = load_ledgers().LedgerWorkspace(Path(tmp)).config(extra="[dimensioner]\nverksamhet = 1\n")
        ws.year(2023, ib=ib, vouchers=vouchers)
        s = ws.compute()
    quantities: dict[str, set[Decimal]] = {}
    for t in s.tables:
        r = round_table(t)
        conflicted = {f"{c.row}/{c.column}" for c in r.conflicts}
        # A derived column (avvikelse) inherits a conflict in one of its operands.
        for c in t.columns:
            if c.derived is not None:
                conflicted |= {
                    f"{x.row}/{c.id}" for x in r.conflicts if x.column in (c.derived[0], c.derived[2])
                }
        # Rendered parts sum to rendered totals, except where the table says it cannot.
        assert set(shown_total_matches(r)) <= conflicted, t.id
        inner = {p.lstrip("-") for row in t.rows for p in row.parts}
        for rid, _cid in r.adjusted:
            # Only a subtotal inside a larger total gives way, never a named quantity.
            assert rid in inner and not t.row(rid).quantity, (t.id, rid)
        for row in t.rows:
            for col in t.columns:
                v = row.values.get(col.id)
                kind = row.column_kind or col.kind
                if not isinstance(v, Decimal) or kind is not ColumnKind.MONEY or col.derived:
                    continue
                if (row.parts or row.quantity or row.kind is RowKind.TOTAL) and (
                    (row.id, col.id) not in r.adjusted
                ):
                    # Every total is its exact value rounded (a subtotal that had to give
                    # way to its grand total is listed in r.adjusted).
                    assert r.get(row.id, col.id) == round_half_up(v / 1000), (t.id, row.id)
                if row.quantity and col.id in ("utfall", "ar_2023"):
                    quantities.setdefault(row.quantity, set()).add(r.get(row.id, col.id))
    # A quantity that appears in several tables shows the same number in all.
    for name, shown in quantities.items():
        assert len(shown) == 1, (name, shown)
