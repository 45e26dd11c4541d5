"""Each file's sums (bokslut.ledger.sums): every statement table and the trial balance give the
same öre from the year sums, from the monthly sums and from every row, on generated ledgers; a
store written before sums (or year sums) existed, or with other dimension settings, gets them
on its next open."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bokslut.ledger.queries as queries
import bokslut.ledger.sums_writer as sums_writer
import bokslut.statements.facts as facts
import bokslut.statements.projekt as projekt
from bokslut.ledger import sums
from bokslut.ledger.queries import AccountRange, ledger_files, trial_balance
from bokslut.ledger.rowfiles import rows_dir
from bokslut.ledger.store import open_store
from bokslut.ledger.sums_writer import Summer, reduce_keys
from bokslut.sie.model import Account, Balance, Dimension, FiscalYear, Header, Object, Transaction, Voucher
from bokslut.sie.writer import write_sie
from bokslut.statements.build import compute
from bokslut.workspace.config import load_config
from bokslut.workspace.layout import Layout

RESULT = ["3010", "3510", "4010", "5010", "6410", "7010", "7910"]
BALANCE = ["1110", "1119", "1220", "1510", "1930", "2350", "2440", "2890"]
OBJECTS = {1: ["81141", "81150", "a b"], 6: ["P1", "P2", "x|y"], 9: ["99", "k:1"]}

row = st.tuples(
    st.sampled_from(RESULT + BALANCE),
    st.integers(-5_000_000, 5_000_000),
    st.dictionaries(st.sampled_from(list(OBJECTS)), st.integers(0, 2), max_size=3),
)
voucher = st.tuples(
    st.integers(0, 400),  # day of the year; beyond its end are rows after the year
    st.lists(row, min_size=1, max_size=5),
    st.sampled_from(["", "", "", "correct"]),  # a #BTRANS struck and its #RTRANS re-added
)
year_files = st.lists(st.lists(voucher, max_size=12), min_size=1, max_size=2)  # one or two files
ledgers = st.dictionaries(st.sampled_from([2021, 2022, 2023]), year_files, min_size=1, max_size=3)
settings_ = st.tuples(
    st.sampled_from(
        ["", "verksamhet = 1\n", "verksamhet = 1\nprojekt = 6\n", "verksamhet = 1\nmotpart = 9\n"]
    ),
    st.sampled_from([None, "08-31", "06-15"]),  # a month's end comes from the sums, its middle from rows
)


def _objects(chosen: dict[int, int]) -> tuple[tuple[int, str], ...]:
    return tuple(sorted((d, OBJECTS[d][i % len(OBJECTS[d])]) for d, i in chosen.items()))


def _write_year(path: Path, year: int, vouchers: list) -> None:
    out: list[Voucher] = []
    for n, (day, rows, correction) in enumerate(vouchers, start=1):
        date = dt.date(year, 1, 1) + dt.timedelta(days=day)
        tx = [Transaction(a, amount, _objects(objs), date) for a, amount, objs in rows]
        tx.append(Transaction("1930", -sum(t.amount for t in tx), (), date))
        if correction:
            first = tx[0]
            tx[0] = Transaction("2890", first.amount, first.objects, date)
            tx[:0] = [
                Transaction(first.account, first.amount, first.objects, date, kind="BTRANS"),
                Transaction("2890", first.amount, first.objects, date, kind="RTRANS"),
            ]
        out.append(Voucher("A", str(n), date, f"ver {n}", tuple(tx)))
    header = Header(
        sietyp=4,
        fnamn="Summorna",
        fiscal_years=(FiscalYear(0, dt.date(year, 1, 1), dt.date(year, 12, 31), 0),),
    )
    accounts = [Account(a, f"Konto {a}", 0) for a in sorted({*RESULT, *BALANCE})]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        write_sie(
            f,
            header,
            accounts=accounts,
            dimensions=[
                Dimension(1, "Verksamhet", 0),
                Dimension(6, "Projekt", 0),
                Dimension(9, "Motpart", 0),
            ],
            objects=[Object(d, o, f"Objekt {o}", 0) for d, os in OBJECTS.items() for o in os],
            balances=[Balance("IB", 0, "1930", 1_000_000_00, 0), Balance("IB", 0, "2350", -1_000_000_00, 0)],
            vouchers=out,
        )


def _workspace(root: Path, ledger: dict[int, list[list]], dims: str, cut: str | None) -> Layout:
    report_year = max(ledger)
    kind = f'typ = "delarsrapport"\nbokslutsdatum = {report_year}-{cut}\n' if cut else ""
    (root / "data" / "ledger").mkdir(parents=True, exist_ok=True)
    (root / "bokslut.toml").write_text(
        f'[organisation]\nnamn = "Summorna"\ntyp = "kommun"\n\n[rapport]\nar = {report_year}\n{kind}\n'
        f"[dimensioner]\n{dims}",
        encoding="utf-8",
    )
    for year, files in ledger.items():
        for i, vouchers in enumerate(files):
            _write_year(root / "data" / "ledger" / f"{year}-{i}.se", year, vouchers)
    return Layout(root)


def _everything(layout: Layout) -> tuple[object, ...]:
    """Every statement table with its values, every year's trial balance, the files' last dates."""
    config = load_config(layout.config)
    with open_store(layout) as store:
        s = compute(store.con, layout, config)
        balances = [trial_balance(store, y) for y in store.fiscal_years()]
        ranged = trial_balance(store, None, [AccountRange("3000", "7999")])
        return (
            s.tables,
            s.values,
            tuple(f.message for f in s.findings),
            balances,
            ranged,
            ledger_files(store.con),
        )


def _from_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every query read the rows, as before sums existed."""
    for module in (facts, projekt):
        monkeypatch.setattr(module, "covers", lambda *_, **__: False)
    monkeypatch.setattr(queries.sums, "covers", lambda *_, **__: False)


def _from_months(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every query read the monthly sums (or the rows), as before year sums existed."""
    real = sums.covers

    def months_only(con: object, ids: object, dims: object, *, whole_year: bool = False) -> bool:
        return not whole_year and real(con, ids, dims)  # type: ignore[arg-type]

    for module in (facts, projekt):
        monkeypatch.setattr(module, "covers", months_only)
    monkeypatch.setattr(queries.sums, "covers", months_only)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(ledger=ledgers, choice=settings_)
def test_every_table_and_the_trial_balance_are_the_same_from_the_sums_as_from_the_rows(
    tmp_path_factory, ledger, choice
):
    layout = _workspace(tmp_path_factory.mktemp("ws"), ledger, *choice)
    used: list[tuple[bool, bool]] = []
    real = sums.covers

    def spy(*args: object, whole_year: bool = False) -> bool:
        used.append((whole_year, real(*args, whole_year=whole_year)))  # type: ignore[arg-type]
        return used[-1][1]

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(facts, "covers", spy)
        from_sums = _everything(layout)
    # The year sums answer an annual report; the monthly sums a cut at a month's end; the rows
    # a cut in the middle of a month.
    assert any(found for whole, found in used if whole) == (choice[1] is None)
    assert any(found for _, found in used) == (choice[1] != "06-15")
    with pytest.MonkeyPatch.context() as mp:
        _from_months(mp)
        from_months = _everything(layout)
    with pytest.MonkeyPatch.context() as mp:
        _from_rows(mp)
        from_rows = _everything(layout)
    assert from_sums == from_months == from_rows


def test_sums_hold_each_account_objects_and_month_of_the_counted_rows(tmp_path):
    layout = _workspace(
        tmp_path,
        {2023: [[(0, [("5010", 100_00, {1: 0, 6: 1})], "correct"), (40, [("5010", -30_00, {1: 0})], "")]]},
        "verksamhet = 1\nprojekt = 6\n",
        None,
    )
    with open_store(layout) as store:
        got = store.con.execute(
            "SELECT account, objects, month, debit, credit, rows FROM ledger_sums ORDER BY ALL"
        ).fetchall()
    # 5010 is a result account: its key keeps the verksamhet only; the struck row is not counted.
    assert got == [
        ("1930", "", 202301, 0, -100_00, 1),
        ("1930", "", 202302, 30_00, 0, 1),
        ("2890", "6:P2", 202301, 100_00, 0, 1),
        ("5010", "1:81141", 202302, 0, -30_00, 1),
    ]


def _drop_sums(layout: Layout, ending: str = ".sums-%") -> None:
    """The store as an earlier version wrote it: no sums files whose names have ``ending`` (a
    LIKE pattern: all sums, or only the year sums), none recorded."""
    newest = max(layout.cache.glob("ledger-*.duckdb"), key=lambda p: int(p.stem.split("-")[1]))
    con = duckdb.connect(str(newest))
    con.execute("DELETE FROM rows_check WHERE name LIKE ?", [f"%{ending}"])
    con.close()
    for p in rows_dir(layout).glob("*" + ending.replace("%", "*")):
        p.unlink()


def test_a_store_written_without_sums_gets_them_on_its_next_open_and_shows_the_same(tmp_path):
    layout = _workspace(tmp_path, {2022: [[(3, [("3010", -70_00, {1: 1})], "")]]}, "verksamhet = 1\n", None)
    before = _everything(layout)
    _drop_sums(layout)
    assert not list(rows_dir(layout).glob("*.sums-*"))
    assert _everything(layout) == before
    assert sorted(p.name.split(".")[1] for p in rows_dir(layout).glob("*.sums-*")) == [
        "sums-r1_b",
        "sums-r1_b-year",
    ]


def test_changed_dimension_settings_sum_the_files_again(tmp_path):
    layout = _workspace(tmp_path, {2022: [[(3, [("1220", 70_00, {6: 0})], "")]]}, "verksamhet = 1\n", None)
    with open_store(layout) as store:
        assert store.con.execute("SELECT objects FROM ledger_sums WHERE account = '1220'").fetchall() == [
            ("",)
        ]
    layout.config.write_text(layout.config.read_text(encoding="utf-8") + "projekt = 6\n", encoding="utf-8")
    with open_store(layout) as store:
        assert store.con.execute("SELECT objects FROM ledger_sums WHERE account = '1220'").fetchall() == [
            ("6:P1",)
        ]


def test_a_store_that_cannot_be_written_reads_the_rows_and_shows_the_same(tmp_path, monkeypatch):
    layout = _workspace(tmp_path, {2022: [[(3, [("3010", -70_00, {1: 1})], "")]]}, "verksamhet = 1\n", None)
    before = _everything(layout)
    _drop_sums(layout)
    import bokslut.ledger.store as store_module

    monkeypatch.setattr(store_module, "_with_sums", lambda *_: None)  # the lock busy, or read-only
    assert _everything(layout) == before
    assert not list(rows_dir(layout).glob("*.sums-*"))


def test_reduced_keys_are_those_the_sql_gives():
    keys = ["", "1:81141", "1:81141|6:P1", "6:P1", "1:a\\|b|9:k\\:1", "1:|6:x", "11:z|1:y", "1:a\\\\|6:b"]
    # Not canonical, but the pattern's edges: an escape before a line break or at the end, an
    # escaped "|" the pattern takes for a pair's start.
    keys += ["1:a\\\nb|6:c", "1:a\\", "6:x\\|1:y", "1:\\\n"]
    con = duckdb.connect()
    for dims in ([], [1], [6], [1, 9], [1, 6, 9]):
        want = [
            r[0]
            for r in con.execute(f"SELECT {sums.key_sql(dims, 'k')} FROM unnest(?) t(k)", [keys]).fetchall()
        ]
        assert reduce_keys(pa.array(keys), dims).to_pylist() == want


def test_sums_that_could_overflow_int64_are_not_kept():
    rows = pa.table(
        {
            "kind": ["TRANS", "TRANS"],
            "account": ["1930", "1930"],
            "objects": ["", ""],
            "amount": pa.array([2**62, 2**62], pa.int64()),
            "date": pa.array([dt.date(2023, 1, 1)] * 2, pa.date32()),
        }
    )
    summer = Summer(sums.SumsDims())
    summer.add(rows)
    assert summer.table(1) is None
    small = Summer(sums.SumsDims())
    small.add(rows.set_column(3, "amount", pa.array([5, -2], pa.int64())))
    table = small.table(1)
    assert table is not None and table.select(["debit", "credit", "rows"]).to_pylist() == [
        {"debit": 5, "credit": -2, "rows": 2}
    ]


def test_a_file_without_vouchers_gives_the_years_movement_from_its_balances(tmp_path):
    layout = _workspace(tmp_path, {2023: [[(3, [("3010", -70_00, {})], "")]]}, "", None)
    header = Header(
        sietyp=3,
        fnamn="Summorna",
        fiscal_years=(FiscalYear(0, dt.date(2022, 1, 1), dt.date(2022, 12, 31), 0),),
    )
    with (layout.ledger_dir / "2022.se").open("wb") as f:
        write_sie(
            f,
            header,
            accounts=[Account("1930", "Bank", 0), Account("3010", "Avgifter", 0)],
            balances=[
                Balance("IB", 0, "1930", 100_00, 0),
                Balance("UB", 0, "1930", 250_00, 0),
                Balance("RES", 0, "3010", -150_00, 0),
            ],
        )
    with open_store(layout) as store:
        shown = {r.account: (r.opening, r.movement, r.closing) for r in trial_balance(store, 2022).rows}
        later = {r.account: (r.opening, r.movement, r.closing) for r in trial_balance(store, 2023).rows}
    assert shown == {"1930": (100_00, 150_00, 250_00), "3010": (0, -150_00, -150_00)}
    assert later == {  # vouchers: the rows count
        "1930": (1_000_000_00, 70_00, 1_000_070_00),
        "2350": (-1_000_000_00, 0, -1_000_000_00),
        "3010": (0, -70_00, -70_00),
    }


def test_sums_of_many_pieces_are_those_of_the_rows_summed_at_once():
    n = 60
    rows = pa.table(
        {
            "kind": ["TRANS" if i % 7 else "BTRANS" for i in range(n)],
            "account": [["3010", "1930", "5010"][i % 3] for i in range(n)],
            "objects": [["", "1:81141", "1:81150|6:P1"][i % 5 % 3] for i in range(n)],
            "amount": pa.array([(i * 37 % 11 - 5) * 100 for i in range(n)], pa.int64()),
            "date": pa.array([dt.date(2023, 1 + i % 4, 1 + i % 28) for i in range(n)], pa.date32()),
        }
    )
    dims = sums.SumsDims.of([1], [6])
    whole = Summer(dims)
    whole.add(rows)
    pieces = Summer(dims)
    for start in range(0, n, 3):  # 20 pieces
        pieces.add(rows.slice(start, 3))
    expected = whole.table(7)
    assert expected is not None and expected.num_rows > 12
    assert pieces.table(7) == expected


def test_year_sums_fold_the_months_of_the_fiscal_year_and_keep_the_months_after_it(tmp_path):
    layout = _workspace(
        tmp_path,
        {
            2023: [
                [
                    (0, [("5010", 100_00, {1: 0})], ""),
                    (40, [("5010", -30_00, {1: 0})], ""),
                    (380, [("5010", 7_00, {1: 0})], ""),  # 2024-01-16: after the year
                ]
            ]
        },
        "verksamhet = 1\n",
        None,
    )
    with open_store(layout) as store:
        got = store.con.execute(
            "SELECT account, objects, month, debit, credit, rows, last_date "
            "FROM ledger_year_sums ORDER BY ALL"
        ).fetchall()
        assert sorted(p.name.split(".")[1] for p in rows_dir(layout).glob("*.sums-*")) == [
            "sums-r1_b",
            "sums-r1_b-year",
        ]
    assert got == [
        ("1930", "", 202312, 30_00, -100_00, 2, dt.date(2023, 2, 10)),
        ("1930", "", 202401, 0, -7_00, 1, dt.date(2024, 1, 16)),
        ("5010", "1:81141", 202312, 100_00, -30_00, 2, dt.date(2023, 2, 10)),
        ("5010", "1:81141", 202401, 7_00, 0, 1, dt.date(2024, 1, 16)),
    ]


def _drop_year_sums(layout: Layout) -> None:
    """The store as the version before year sums wrote it: monthly sums only."""
    _drop_sums(layout, "-year.parquet")


def test_a_store_without_year_sums_gets_them_from_its_monthly_sums(tmp_path, monkeypatch):
    layout = _workspace(
        tmp_path,
        {2022: [[(3, [("3010", -70_00, {1: 1})], "")]], 2023: [[(9, [("3510", 5_00, {})], "")]]},
        "verksamhet = 1\n",
        None,
    )
    before = _everything(layout)
    _drop_year_sums(layout)
    import bokslut.ledger.sums_writer as sums_writer

    def no_rows(*_: object) -> None:
        raise AssertionError("the rows were read again")

    monkeypatch.setattr(sums_writer, "sum_rows", no_rows)
    assert _everything(layout) == before
    assert len(list(rows_dir(layout).glob("*-year.parquet"))) == 2


def _sums_asked(monkeypatch) -> list[tuple[bool, bool]]:
    """What the statements ask of the sums, in order: (year sums?, found?) per question."""
    used: list[tuple[bool, bool]] = []
    real = sums.covers

    def spy(*args: object, whole_year: bool = False) -> bool:
        used.append((whole_year, real(*args, whole_year=whole_year)))  # type: ignore[arg-type]
        return used[-1][1]

    monkeypatch.setattr(facts, "covers", spy)
    return used


def test_a_store_without_year_sums_that_cannot_be_written_reads_the_monthly_sums(tmp_path, monkeypatch):
    layout = _workspace(tmp_path, {2022: [[(3, [("3010", -70_00, {1: 1})], "")]]}, "verksamhet = 1\n", None)
    before = _everything(layout)
    _drop_year_sums(layout)
    import bokslut.ledger.store as store_module

    monkeypatch.setattr(store_module, "_with_sums", lambda *_: None)  # the lock busy, or read-only
    used = _sums_asked(monkeypatch)
    assert _everything(layout) == before
    assert used == [(True, False), (False, True)]
    assert not list(rows_dir(layout).glob("*-year.parquet"))


@pytest.mark.parametrize(("cut", "want"), [(None, "year"), ("08-31", "month"), ("06-15", "rows")])
def test_an_annual_report_reads_the_year_sums_an_interim_one_the_monthly_sums_or_rows(
    tmp_path, monkeypatch, cut, want
):
    ledger = {
        2022: [[(3, [("3010", -70_00, {1: 1})], "")]],
        2023: [[(30, [("3010", -20_00, {1: 0})], ""), (250, [("5010", 9_00, {1: 1})], "")]],
    }
    layout = _workspace(tmp_path, ledger, "verksamhet = 1\n", cut)
    used = _sums_asked(monkeypatch)
    shown = _everything(layout)
    answered = {True: "year", False: "month"}
    assert next((answered[whole] for whole, found in used if found), "rows") == want
    _from_rows(monkeypatch)
    assert _everything(layout) == shown


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["1930", "3010", "30100", "9", "10", "3010A"]),
            st.sampled_from(["", "1:A", "1:A|6:P", "1:B", "1:Ä", "1:a", "6:P", "1:A\\|x", "1:é", "1:f"]),
            st.sampled_from([202301, 202302, 202212, 202401]),
        ),
        unique=True,
        max_size=60,
    ),
    st.booleans(),
)
def test_a_files_sums_are_ordered_as_arrow_orders_their_strings(keys, encoded):
    # Ranked per distinct value, then sorted as numbers: the same order as sorting the strings.
    from bokslut.ledger.sums_writer import _sort_order

    t = pa.table(
        {
            "account": pa.array([k[0] for k in keys], pa.string()),
            "objects": pa.array([k[1] for k in keys], pa.string()),
            "month": pa.array([k[2] for k in keys], pa.int32()),
        }
    )
    expected = t.sort_by([("account", "ascending"), ("objects", "ascending"), ("month", "ascending")])
    if encoded:  # as a piece's keys may come
        t = t.set_column(1, "objects", t["objects"].dictionary_encode())
    assert t.take(pa.array(_sort_order(t))).to_pylist() == expected.to_pylist()


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["1930", "3010", "9", "10"]),
            st.sampled_from(["", "1:A", "1:A|6:P", "1:Ä", "1:a"]),
            st.sampled_from([202301, 202302, 202212]),
            st.integers(0, 10**15),
            st.integers(-(10**15), 0),
            st.integers(1, 9),
            st.dates(dt.date(2022, 12, 1), dt.date(2023, 2, 28)),
        ),
        max_size=80,
    )
)
def test_partial_sums_are_merged_as_arrow_groups_them(parts):
    from bokslut.ledger.sums_writer import _grouped

    names = ["account", "objects", "month", "debit", "credit", "rows", "last_date"]
    types = [pa.string(), pa.string(), pa.int32(), pa.int64(), pa.int64(), pa.int64(), pa.date32()]
    t = pa.table({name: pa.array([p[k] for p in parts], types[k]) for k, name in enumerate(names)})
    expected = (
        t.group_by(names[:3])
        .aggregate([("debit", "sum"), ("credit", "sum"), ("rows", "sum"), ("last_date", "max")])
        .sort_by([(name, "ascending") for name in names[:3]])
    )
    got = _grouped(pa.concat_tables([t.slice(0, len(parts) // 2), t.slice(len(parts) // 2)]))
    assert got.column_names == names
    assert [list(r.values()) for r in got.to_pylist()] == [
        [
            r[c]
            for c in ["account", "objects", "month", "debit_sum", "credit_sum", "rows_sum", "last_date_max"]
        ]
        for r in expected.to_pylist()
    ]


# What keys are made of, canonical or not: dimensions, separators, escapes, a line break.
KEY_BITS = ["1", "6", "9", "11", ":", "|", "\\", "a", "é", "\n", "0"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from(KEY_BITS), max_size=14).map("".join), max_size=30),
    st.lists(st.sampled_from([0, 1, 6, 9, 11]), max_size=3),
)
def test_any_key_is_reduced_as_the_sql_reduces_it(keys, dims):
    # Not only canonical keys: escapes at the end, before a line break, empty ids, "|" twice.
    con = duckdb.connect()
    want = [
        r[0] for r in con.execute(f"SELECT {sums.key_sql(dims, 'k')} FROM unnest(?) t(k)", [keys]).fetchall()
    ]
    assert reduce_keys(pa.array(keys, pa.string()), dims).to_pylist() == want
    # A slice of a larger array (a piece's dictionary may be one) reads from its own offset.
    padded = pa.array(["9:x|1:y", *keys], pa.string()).slice(1)
    assert reduce_keys(padded, dims).to_pylist() == want


def test_ranks_too_many_for_one_number_are_sorted_rank_by_rank():
    from bokslut.ledger.sums_writer import _order

    big = 1 << 21  # three columns of 2**21 distinct ranks pass 2**62
    codes = [np.array([big, 0, big, 0]), np.array([0, big, 0, 1]), np.array([5, 1, 2, big])]
    assert _order(codes).tolist() == [3, 1, 2, 0]


def _rows_of(n: int) -> pa.Table:
    """Rows of many accounts, keys and months: more groups and reduced keys than the Summer's
    first tables hold."""
    accounts = ["1510", "2440", "3010", "5010", "7910", "1930"]
    return pa.table(
        {
            "kind": ["TRANS" if i % 11 else "RTRANS" for i in range(n)],
            "account": [accounts[i % 6] for i in range(n)],
            "objects": [
                "" if i % 13 == 0 else f"1:A{i * 7 % 5003}|6:P{i % 89}" + ("|9:k\\|1" if i % 5 == 0 else "")
                for i in range(n)
            ],
            "amount": pa.array([(i * 7919 % 2001 - 1000) * 100 for i in range(n)], pa.int64()),
            "date": pa.array(
                [dt.date(2022, 11, 1) + dt.timedelta(days=i * 13 % 430) for i in range(n)], pa.date32()
            ),
        }
    )


@pytest.mark.parametrize("dims", [sums.SumsDims.of([1, 9], [6]), sums.SumsDims.of([1], []), sums.SumsDims()])
def test_sums_of_many_groups_over_pieces_are_those_the_sql_gives(dims):
    rows = _rows_of(24_000)
    summer = Summer(dims)
    for n, start in enumerate(range(0, rows.num_rows, 5_000)):
        piece = rows.slice(start, 5_000)
        if n % 2:  # a piece's keys come encoded or as strings (nearly all distinct)
            piece = piece.set_column(2, "objects", piece["objects"].dictionary_encode())
        summer.add(piece)
    got = summer.table(7)
    assert got is not None
    con = duckdb.connect()
    con.register("t", rows)
    want = con.execute(
        "SELECT 7, account, CASE WHEN account[1] IN ('1', '2') "
        f"THEN {sums.key_sql(dims.balance)} ELSE {sums.key_sql(dims.result)} END AS k, "
        "(year(date) * 100 + month(date))::INTEGER AS m, coalesce(sum(amount) FILTER (amount > 0), 0), "
        "coalesce(sum(amount) FILTER (amount < 0), 0), count(*), max(date) "
        "FROM t WHERE kind = 'TRANS' GROUP BY ALL ORDER BY account, k, m"
    ).fetchall()
    assert len(want) > 4096 or not dims.result
    assert [tuple(r.values()) for r in got.to_pylist()] == want
    assert got.schema == sums_writer.SUMS_SCHEMA


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from(KEY_BITS), max_size=14).map("".join), max_size=30),
    st.lists(st.sampled_from([1, 6, 9, 11]), max_size=3),
    st.lists(st.sampled_from([1, 6, 9, 11]), max_size=3),
    st.data(),
)
def test_each_rows_key_is_reduced_for_its_accounts_class(keys, result, balance, data):
    dims = sums.SumsDims.of(result, balance)
    is_balance = np.array(data.draw(st.lists(st.booleans(), min_size=len(keys), max_size=len(keys))), bool)
    by_result = reduce_keys(pa.array(keys, pa.string()), dims.result).to_pylist()
    by_balance = reduce_keys(pa.array(keys, pa.string()), dims.balance).to_pylist()
    want = [b if flag else r for r, b, flag in zip(by_result, by_balance, is_balance, strict=True)]
    padded = pa.array(["9:x|1:y", *keys], pa.string()).slice(1)
    assert sums_writer._row_keys(padded, dims, is_balance).to_pylist() == want


_MONTHLY = st.lists(
    st.tuples(
        st.sampled_from(["1930", "3010", "9", "10"]),
        st.sampled_from(["", "1:A", "1:A|6:P", "1:Ä", "1:a"]),
        st.sampled_from([202211, 202301, 202306, 202312, 202401, 202402]),
        st.integers(0, 10**12),
        st.integers(-(10**12), 0),
        st.integers(1, 9),
        st.dates(dt.date(2022, 11, 1), dt.date(2024, 2, 28)),
    ),
    min_size=1,
    max_size=60,
)


@settings(max_examples=150, deadline=None)
@given(_MONTHLY, st.sampled_from([202212, 202306, 202312]), st.randoms(use_true_random=False))
def test_year_sums_of_sorted_monthly_sums_are_those_grouped_again_and_of_shuffled_ones_too(
    parts, through, rnd
):
    names = ["account", "objects", "month", "debit", "credit", "rows", "last_date"]
    types = [pa.string(), pa.string(), pa.int32(), pa.int64(), pa.int64(), pa.int64(), pa.date32()]
    t = pa.table({name: pa.array([p[k] for p in parts], types[k]) for k, name in enumerate(names)})
    monthly = sums_writer._regrouped(t, 3)  # as a sums file holds them: sorted, one row per group
    folded = pc.if_else(
        pc.less_equal(monthly["month"], through), pa.scalar(through, pa.int32()), monthly["month"]
    )
    want = sums_writer._regrouped(monthly.drop_columns(["file_id"]).set_column(2, "month", folded), 3)
    assert sums_writer.year_sums(monthly, through) == want
    # Two chunks, as a file of several row groups is read.
    assert sums_writer.year_sums(pa.concat_tables([monthly.slice(0, 3), monthly.slice(3)]), through) == want
    shuffled = list(range(monthly.num_rows))
    rnd.shuffle(shuffled)
    assert sums_writer.year_sums(monthly.take(pa.array(shuffled, pa.int64())), through) == want


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 300), st.integers(0, 3)), max_size=80))
def test_ranks_made_one_number_are_ordered_as_sorting_them_column_by_column(rows):
    # Ties keep the rows' order, as a stable sort does (the row's index in the number's low bits).
    codes = [np.array([r[k] for r in rows], np.int64) for k in range(3)]
    assert sums_writer._order(codes).tolist() == np.lexsort(codes[::-1]).tolist()


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 5), st.integers(0, 3000), st.integers(0, 13)), min_size=1, max_size=80),
    st.sampled_from([(1, 63), (2, 63), (8, 63), (512, 63), (512, 0)]),
    st.integers(0, 2**32 - 1),
)
def test_entries_put_in_order_by_buckets_are_ordered_by_the_ranks_of_their_codes(rows, limits, seed):
    # Many buckets, or one; or (no bits to pack) sorted whole.
    rng = np.random.default_rng(seed)
    a_ranks, k_ranks = rng.permutation(6).tolist(), rng.permutation(3001).tolist()
    a_lengths, k_lengths = np.arange(1, 7), np.arange(3001) % 7
    entries = np.array([[a << 32 | k, 24_000 + m, i, -i, 1, 9] for i, (a, k, m) in enumerate(rows)], np.int64)
    old = sums_writer._BUCKET_ENTRIES, sums_writer._PACKED_BITS
    sums_writer._BUCKET_ENTRIES, sums_writer._PACKED_BITS = limits
    try:
        moved, order, a_bytes, k_bytes = sums_writer._in_order(
            entries, np.array(a_ranks), np.array(k_ranks), a_lengths, k_lengths
        )
    finally:
        sums_writer._BUCKET_ENTRIES, sums_writer._PACKED_BITS = old
    ranked = sorted(
        ([a_ranks[a] << 32 | k_ranks[k], 24_000 + m, i, -i, 1, 9] for i, (a, k, m) in enumerate(rows)),
        key=lambda e: (e[0] >> 32, e[0] & 0xFFFFFFFF, e[1], e[2]),
    )
    assert moved[order].tolist() == ranked
    assert a_bytes == sum(int(a_lengths[a_ranks[a]]) for a, _, _ in rows)
    assert k_bytes == sum(int(k_lengths[k_ranks[k]]) for _, k, _ in rows)
