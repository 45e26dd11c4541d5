"""Voucher pages read from a year's arrays show what the drill-down index shows, page by page."""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path

import pytest

from bokslut.ledger import drill_arrays
from bokslut.ledger.drill_arrays import YearArrays
from bokslut.ledger.drilldown import Selection, VoucherPage, drill_dir, prepare, voucher_page
from bokslut.ledger.store import Store, open_store

CONFIG = '[dimensioner]\nverksamhet = 1\nprojekt = 6\nmotpart = 9\n\n[internt]\nmotparter = ["INT"]\n'


def _ledgers():
    name = "bokslut_test_ledgers"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            name, Path(__file__).parents[1] / "statements" / "ledgers.py"
        )
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def _workspace(tmp_path: Path, school: str = "100"):
    ws = _ledgers().LedgerWorkspace(tmp_path).config(extra='enhet = "kr"\n' + CONFIG)
    ws.year(
        2023,
        vouchers=[
            ("2023-01-05", [("5010", 200, {1: school, 6: "P1"}), ("5010", 15, {1: "200"}), ("1930", -215)]),
            ("2023-01-05", [("5010", -40, {1: school}), ("1930", 40)]),
            ("2023-02-01", [("5010", 70, {1: school, 9: "INT"}), ("2440", -70)]),
            ("2023-03-09", [("5010", 9), ("1930", -9)]),
            ("2023-06-30", [("5010", 33, {6: "P1"}), ("1930", -33)]),
            ("2023-12-31", [("5010", 1, {1: school}), ("1930", -1)]),
        ],
    )
    return ws


def _selections(school: str) -> list[Selection]:
    end, cut = dt.date(2023, 12, 31), dt.date(2023, 6, 30)
    return [
        Selection(2023, end),
        Selection(2023, cut, sign=-1),
        Selection(2023, end, objects=(f"1:{school}",)),
        Selection(2023, end, objects=(f"1:{school}", "6:P1")),
        Selection(2023, end, objects=("1:finns-inte",)),
        Selection(2023, end, no_object_in=1),
        Selection(2023, end, no_object_in=7),  # a dimension no row carries
        Selection(2023, end, flows="debit"),
        Selection(2023, end, flows="credit", sign=-1),
        Selection(2023, end, exclude_objects=("9:INT",)),
        Selection(2023, end, objects=(f"1:{school}",), exclude_objects=("9:INT", "9:ANNAN")),
    ]


def _pages(store: Store, school: str) -> list[object]:
    pages: list[object] = []
    for sel in _selections(school):
        for account in ("5010", "1930", "2440", "9999"):
            for offset, limit in ((0, 50), (0, 2), (2, 2), (1, 1), (5, 50)):
                pages.append(voucher_page(store, sel, account, offset=offset, limit=limit))
    return pages


def test_pages_from_the_arrays_are_the_pages_of_the_index(tmp_path):
    ws = _workspace(tmp_path)
    with open_store(ws.layout) as store:
        store.drill_build = False
        from_views = _pages(store, "100")
    with open_store(ws.layout) as store:
        prepare(store, 2023)
        from_arrays = _pages(store, "100")
        assert isinstance(store.drill_memo[("arrays", 2023)], YearArrays)
        from_memo = _pages(store, "100")  # totals and listings kept between pages
    assert from_arrays == from_views == from_memo
    with open_store(ws.layout) as store:
        first = voucher_page(store, _selections("100")[2], "5010", limit=2)
    # What the page shows: its vouchers with the school's rows and the total of all of them.
    assert [(v.number, v.date.isoformat(), [r.amount for r in v.rows]) for v in first.vouchers] == [
        ("1", "2023-01-05", [20000]),
        ("2", "2023-01-05", [-4000]),
    ]
    assert (first.total, first.row_count, first.voucher_count, first.has_more) == (23100, 4, 4, True)
    assert all(r.place.file == "data/ledger/2023.se" and r.place.line for v in first.vouchers for r in v.rows)


def test_a_year_whose_object_ids_cannot_be_split_back_gets_no_arrays_and_answers_from_the_index(tmp_path):
    ws = _workspace(tmp_path, school="10|0")  # escaped in the store's object key
    with open_store(ws.layout) as store:
        store.drill_build = False
        from_views = _pages(store, "10\\|0")
    with open_store(ws.layout) as store:
        prepare(store, 2023)
        assert not any(p.name.startswith("year-") for p in drill_dir(store).iterdir())
        assert _pages(store, "10\\|0") == from_views
    page = from_views[2 * 4 * 5]  # the school's selection, account 5010, first page
    assert isinstance(page, VoucherPage)
    assert (page.total, [v.number for v in page.vouchers]) == (23100, ["1", "2", "3", "6"])


def test_arrays_of_a_replaced_ledger_file_are_removed_when_the_new_ones_are_written(tmp_path):
    ws = _workspace(tmp_path)
    with open_store(ws.layout) as store:
        prepare(store, 2023)
        (old,) = (p.name for p in drill_dir(store).iterdir() if p.name.startswith("year-"))
        assert drill_arrays.load(drill_dir(store), 2023, drill_arrays.files_of(store, 2023)) is not None
    ws.year(2023, vouchers=[("2023-05-01", [("5010", 7), ("1930", -7)])])
    with open_store(ws.layout) as store:
        prepare(store, 2023)
        (new,) = (p.name for p in drill_dir(store).iterdir() if p.name.startswith("year-"))
        page = voucher_page(store, Selection(2023, dt.date(2023, 12, 31)), "5010")
    assert new != old
    assert [(v.date.isoformat(), v.amount) for v in page.vouchers] == [("2023-05-01", 700)]


@pytest.mark.parametrize("objects", ["", "1:100", "1:100|6:P1"])
def test_an_object_list_splits_into_one_pair_per_dimension(objects):
    assert "|".join(drill_arrays._pairs(objects).values()) == objects
