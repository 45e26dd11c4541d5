"""Voucher pages read from a year's arrays show what the drill-down index shows, page by page."""

from __future__ import annotations

import datetime as dt
import importlib.util
import shutil
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bokslut.ledger import drill_arrays
from bokslut.ledger.drill_arrays import YearArrays
from bokslut.ledger.drilldown import Selection, VoucherEntry, VoucherPage, drill_dir, prepare, voucher_page
from bokslut.ledger.importer import import_files
from bokslut.ledger.store import Store, open_store
from bokslut.sie import reader

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


def test_object_lists_split_into_one_pair_per_dimension():
    owner, dims, pairs = drill_arrays._split(["", "1:100", "1:100|6:P1", "9:INT|01:Å|6:a:b"])
    assert (owner.tolist(), dims.tolist()) == ([1, 2, 2, 3, 3, 3], [1, 1, 6, 9, 1, 6])
    assert pairs.to_pylist() == ["1:100", "1:100", "6:P1", "9:INT", "01:Å", "6:a:b"]


@pytest.mark.parametrize(
    "lists", [["1:a|1:b"], ["1:a|01:b"], ["x"], [":a"], ["1:a||6:b"], ["1:a|"], ["1:a\\|b"]]
)
def test_an_object_list_the_sql_conditions_would_split_otherwise_has_no_arrays(lists):
    with pytest.raises(drill_arrays._Unindexable):
        drill_arrays._split(["1:ok", *lists])


# --------------------------------------------------------------------- random ledgers

_ACCOUNTS = ("1930", "2440", "3010", "5010", "5410")
_OBJECTS = {1: ("100", "200", "Å1"), 6: ("P1", "P2"), 9: ("INT", "X")}

_row = st.tuples(
    st.sampled_from(_ACCOUNTS),
    st.integers(-5_000_00, 5_000_00),
    st.dictionaries(st.sampled_from(sorted(_OBJECTS)), st.sampled_from(("100", "P1", "INT", "Å1", "X"))),
    st.sampled_from(("TRANS", "TRANS", "TRANS", "BTRANS", "RTRANS")),
    st.none() | st.integers(0, 364),  # the row's own date, as a day of the year
    st.sampled_from(("", "hyra", 'ränta "lån"')),
)
_voucher = st.tuples(st.sampled_from("AB"), st.integers(0, 364), st.lists(_row, min_size=0, max_size=5))


def _write_random(tmp_path: Path, vouchers: list[tuple[str, int, list[tuple]]]) -> Path:
    from bokslut.sie.model import Account, Dimension, FiscalYear, Header, Object, Transaction, Voucher
    from bokslut.sie.writer import write_sie

    start = dt.date(2023, 1, 1)
    numbers: dict[str, int] = {}
    vs = []
    for series, day, rows in vouchers:
        numbers[series] = numbers.get(series, 0) + 1
        tx: tuple[Transaction, ...] = ()
        for account, amount, objs, kind, own, text in rows:
            row = Transaction(
                account=account,
                amount=amount,
                objects=tuple(sorted(objs.items())),
                date=None if own is None else start + dt.timedelta(own),
                text=text or None,
                kind=kind,
            )
            # An added row (#RTRANS) is followed by its #TRANS twin, as SIE 4 writes it.
            tx += (row, replace(row, kind="TRANS")) if kind == "RTRANS" else (row,)
        # Balanced by a last row on 1930 (the rows a voucher counts are its #TRANS rows).
        tx += (Transaction("1930", -sum(t.amount for t in tx if t.kind == "TRANS")),)
        vs.append(Voucher(series, str(numbers[series]), start + dt.timedelta(day), f"ver {series}{day}", tx))
    root = tmp_path / "ws"
    (root / "data" / "ledger").mkdir(parents=True)
    (root / "bokslut.toml").write_text(
        '[organisation]\nnamn = "T"\ntyp = "kommun"\n\n[rapport]\ntyp = "arsredovisning"\nar = 2023\n\n'
        + CONFIG,
        encoding="utf-8",
    )
    with (root / "data" / "ledger" / "2023.se").open("wb") as out:
        write_sie(
            out,
            Header(sietyp=4, fnamn="T", fiscal_years=(FiscalYear(0, start, dt.date(2023, 12, 31), 0),)),
            accounts=[Account(a, f"Konto {a}", 0) for a in _ACCOUNTS],
            dimensions=[Dimension(d, f"Dim {d}", 0) for d in _OBJECTS],
            objects=[Object(d, o, o, 0) for d, objs in _OBJECTS.items() for o in objs]
            + [
                Object(d, o, o, 0)
                for d in _OBJECTS
                for o in ("100", "P1", "INT", "Å1", "X")
                if o not in _OBJECTS[d]
            ],
            vouchers=vs,
        )
    return root


def _everything(store: Store, selections: list[Selection], names: list[tuple[str, str]]) -> list[object]:
    from bokslut.ledger.drilldown import count_vouchers, find_voucher, voucher_rows

    out: list[object] = []
    for sel in selections:
        for account in _ACCOUNTS:
            for offset, limit in ((0, 50), (0, 1), (1, 2)):
                out.append(voucher_page(store, sel, account, offset=offset, limit=limit))
            out.append(count_vouchers(store, sel, account))
    for series, number in [*names, ("A", "999"), ("C", "1")]:
        vid = find_voucher(store, 2023, series, number)
        out.append(vid)
        if vid is not None:
            out.append(voucher_rows(store, 2023, vid))
            out += [voucher_rows(store, 2023, vid, sel.with_accounts(("5010", "1930"))) for sel in selections]
    out.append(voucher_rows(store, 2023, 10**9))
    return out


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    vouchers=st.lists(_voucher, min_size=1, max_size=12),
    cut=st.integers(0, 364),
    pairs=st.lists(st.sampled_from(["1:100", "1:Å1", "6:P1", "9:INT", "9:X"]), max_size=2, unique=True),
)
def test_every_query_from_the_arrays_answers_as_the_store_s_views_on_a_random_ledger(
    tmp_path_factory, monkeypatch, vouchers, cut, pairs
):
    root = _write_random(tmp_path_factory.mktemp("random"), vouchers)
    to = dt.date(2023, 1, 1) + dt.timedelta(cut)
    selections = [
        Selection(2023, dt.date(2023, 12, 31)),
        Selection(2023, to, objects=tuple(pairs), sign=-1),
        Selection(2023, to, no_object_in=1, flows="debit"),
        Selection(2023, to, no_object_in=6, flows="credit"),
        Selection(2023, dt.date(2023, 12, 31), objects=tuple(pairs[:1]), exclude_objects=("9:INT",)),
    ]
    from bokslut.workspace.layout import Layout

    layout = Layout(root)
    large = Layout(root.with_name("large"))
    shutil.copytree(root, large.root, ignore=shutil.ignore_patterns("*.se"))
    with open_store(layout) as store:
        store.drill_build = False
        names = [
            (str(s), str(n)) for s, n in store.con.execute("SELECT series, number FROM voucher").fetchall()
        ]
        from_views = _everything(store, selections, names)
        assert not drill_dir(store).exists()
    with open_store(layout) as store:
        prepare(store, 2023)
        from_arrays = _everything(store, selections, names)
        assert isinstance(store.drill_memo[("arrays", 2023)], YearArrays)
        assert not store.drill_tables  # nothing read from DuckDB's index or the views
    assert from_arrays == from_views
    # The same file imported as a large one (streamed): its rows' texts are read where they
    # stand in it, and show as the texts the rows of the file read whole carry.
    with monkeypatch.context() as m:
        m.setattr(reader, "FAST_PATH_MIN_BYTES", 1)
        import_files(large, [root / "data" / "ledger" / "2023.se"])
    with open_store(large) as store:
        store.drill_build = False
        assert store.con.execute("SELECT count(text) FROM transaction").fetchone() == (0,)
        assert _shown(_everything(store, selections, names)) == _shown(from_views)
    with monkeypatch.context() as m:  # DuckDB's index, as a year without arrays has
        m.setattr(drill_arrays, "write", lambda *args: False)
        with open_store(large) as store:
            prepare(store, 2023)
            assert _shown(_everything(store, selections, names)) == _shown(from_views)
            assert store.drill_tables[2023]["rows"].startswith("drill_")
    with open_store(large) as store:
        prepare(store, 2023)
        assert _shown(_everything(store, selections, names)) == _shown(from_views)
        assert isinstance(store.drill_memo[("arrays", 2023)], YearArrays)


def _shown(answers: list[object]) -> list[object]:
    """What the answers show but for the ledger file's name (an imported file is renamed)."""

    def voucher(v: VoucherEntry) -> object:
        return (
            v.series,
            v.number,
            v.date,
            v.text,
            v.amount,
            [(r.account, r.amount, r.text, r.kind) for r in v.rows],
        )

    return [
        [voucher(v) for v in a.vouchers] + [a.total, a.row_count, a.voucher_count]
        if isinstance(a, VoucherPage)
        else voucher(a)
        if isinstance(a, VoucherEntry)
        else a
        for a in answers
    ]


@given(st.lists(st.tuples(st.integers(0, 40), st.integers(0, 400)), max_size=300))
def test_rows_are_ordered_by_account_then_date_then_as_they_come_by_radix_or_merge_sort(rows):
    account = np.array([a for a, _ in rows], np.int32)
    date = np.array([d for _, d in rows], np.int32) + 19_000
    names = [f"{3000 + a}" for a in range(41)]
    expected = sorted(range(len(rows)), key=lambda i: (names[rows[i][0]], rows[i][1]))
    keys = drill_arrays._ranks(account, date, names)
    assert keys[0].dtype == np.uint16
    assert drill_arrays._stable_order(*keys).tolist() == expected
    wide = tuple(k.astype(np.int64) for k in keys)  # a year of more than 65 536 accounts or dates
    assert drill_arrays._stable_order(*wide).tolist() == expected


def test_duckdb_s_index_written_before_the_arrays_is_removed_when_they_are_written(tmp_path):
    from bokslut.ledger.drilldown import ensure_index

    ws = _workspace(tmp_path)
    with open_store(ws.layout) as store:
        ((file_id, sha),) = drill_arrays.files_of(store, 2023)
        assert ensure_index(store, file_id, sha)
        assert [p.suffix for p in drill_dir(store).iterdir()] == [".duckdb"]
        prepare(store, 2023)
        assert [p.name[:10] for p in drill_dir(store).iterdir()] == ["year-2023-"]
