"""Drill-down on the Lystkom example: an RR figure down to its vouchers, every level adding up."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

from bokslut.money import kronor
from bokslut.pipeline.drill import open_drill
from bokslut.workspace.config import load_config
from bokslut.workspace.layout import Layout

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_an_rr_cell_down_to_every_voucher_adds_up_to_its_exact_value(tmp_path):
    root = tmp_path / "lystkom-2023"
    shutil.copytree(
        EXAMPLES / "lystkom-2023", root, ignore=shutil.ignore_patterns("build", ".bokslut", "__pycache__")
    )
    layout = Layout(root)
    with open_drill(layout, load_config(layout.config)) as (drill, _):
        b = drill.explain(drill.cell("resultatrakning", "verksamhetens_kostnader", "utfall"))
        assert b.figure.exact == Decimal("-31822400.00") and b.figure.shown == -31822  # tkr, as published
        assert b.total == b.figure.exact and b.difference == 0
        assert kronor(sum(a.amount for a in b.accounts)) == b.figure.exact
        for a in b.accounts:
            page = drill.vouchers(b, a.account, limit=10_000)
            assert page.total == a.amount == page.page_total
            assert drill.count_vouchers(b, a.account) == len(page.vouchers) and not page.has_more
            for v in page.vouchers:
                assert v.place.file == "data/ledger/2023.se" and v.place.line
                assert all(r.account == a.account and r.place.line > v.place.line for r in v.rows)
