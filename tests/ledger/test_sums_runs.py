"""A file's sums past the groups a Summer holds (bokslut.ledger.sums_runs): spilled to sorted
runs and written from them, the same rows in the same order, byte for byte, as summed in
memory; the year sums of a large monthly file made row group by row group the same as at once;
nothing left behind when anything fails."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from tests.ledger.test_importer import _ledger
from tests.ledger.test_sums import _drop_sums

import bokslut.ledger.indexer as indexer
import bokslut.ledger.sums_runs as sums_runs
import bokslut.ledger.sums_writer as sums_writer
from bokslut.diagnostics import BokslutError
from bokslut.ledger import sums
from bokslut.ledger.importer import import_files
from bokslut.ledger.rowfiles import rows_dir
from bokslut.ledger.store import open_store
from bokslut.ledger.sums_writer import Summer
from bokslut.workspace.config import OrgTyp
from bokslut.workspace.new import create_workspace

# Keys whose bytes order differently from their letters, or from a collation: the runs are
# sorted by DuckDB, the sums in memory by Arrow, bytewise.
_ODD = ["1:Ö", "1:é", "1:Z", "1:a", "1:A", "1:Å|6:ä", "1:ß", "1:€", "1:\U0001f600", "1:a b", "1:a\\|b"]


def _rows(n: int) -> pa.Table:
    accounts = ["1510", "2440", "3010", "5010", "7910", "1930", "Ö1"]
    return pa.table(
        {
            "kind": ["TRANS" if i % 11 else "RTRANS" for i in range(n)],
            "account": [accounts[i % 7] for i in range(n)],
            "objects": [
                "" if i % 13 == 0 else _ODD[i % 11] if i % 3 == 0 else f"1:A{i * 7 % 5003}|6:P{i % 89}"
                for i in range(n)
            ],
            "amount": pa.array([(i * 7919 % 2001 - 1000) * 100 for i in range(n)], pa.int64()),
            "date": pa.array(
                [dt.date(2022, 11, 1) + dt.timedelta(days=i * 13 % 430) for i in range(n)], pa.date32()
            ),
        }
    )


def _fed(summer: Summer, rows: pa.Table, piece: int = 3_000) -> Summer:
    for n, start in enumerate(range(0, rows.num_rows, piece)):
        part = rows.slice(start, piece)
        if n % 2:  # a piece's keys come encoded or as strings
            part = part.set_column(2, "objects", part["objects"].dictionary_encode())
        summer.add(part)
    return summer


@pytest.mark.parametrize(
    ("dims", "groups", "keys"),
    [
        (sums.SumsDims.of([1, 9], [6]), 1_000, 10**9),
        (sums.SumsDims.of([1], []), 10**9, 300),  # past the keys, not the groups
        (sums.SumsDims.of([1], [6]), 1, 10**9),  # a run of every piece
    ],
)
def test_sums_spilled_to_runs_are_the_bytes_summed_in_memory(tmp_path, monkeypatch, dims, groups, keys):
    rows = _rows(24_000)
    in_memory = _fed(Summer(dims), rows)
    want = in_memory.table(7)
    assert want is not None and want.num_rows > 4_000
    assert in_memory.write(7, tmp_path / "minne.parquet")
    monkeypatch.setattr(sums_runs, "SPILL_GROUPS", groups)
    monkeypatch.setattr(sums_runs, "SPILL_KEYS", keys)
    runs = []
    write_run = sums_runs.write_run
    monkeypatch.setattr(sums_runs, "write_run", lambda *a: runs.append(write_run(*a)) or runs[-1])
    spill = tmp_path / "spill"
    spilled = _fed(Summer(dims, spill), rows)
    assert spilled.spilled
    with pytest.raises(RuntimeError):
        spilled.table(7)
    assert spilled.write(7, tmp_path / "runs.parquet")
    assert len(runs) >= 3
    got = pq.read_table(tmp_path / "runs.parquet")
    assert got.schema == sums_writer.SUMS_SCHEMA
    assert got.to_pylist() == want.to_pylist()
    assert (tmp_path / "runs.parquet").read_bytes() == (tmp_path / "minne.parquet").read_bytes()
    assert not spill.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["minne.parquet", "runs.parquet"]


def test_spilled_sums_in_several_row_groups_are_the_bytes_of_the_whole_table_written(tmp_path, monkeypatch):
    monkeypatch.setattr(sums_writer, "_GROUP_ROWS", 1_000)
    monkeypatch.setattr(sums_runs, "SPILL_GROUPS", 700)
    dims = sums.SumsDims.of([1, 9], [6])
    rows = _rows(12_000)
    want = _fed(Summer(dims), rows).table(3)
    assert want is not None and want.num_rows > 3_000
    spilled = _fed(Summer(dims, tmp_path / "spill"), rows)
    assert spilled.write(3, tmp_path / "runs.parquet")
    # write_table's row groups (1_000 here) from sorted pieces of other sizes.
    whole = tmp_path / "hel-grupper.parquet"
    pq.write_table(want, whole, **sums_writer.WRITER_OPTIONS, row_group_size=1_000)
    assert pq.ParquetFile(tmp_path / "runs.parquet").num_row_groups == -(-want.num_rows // 1_000)
    assert (tmp_path / "runs.parquet").read_bytes() == whole.read_bytes()


def test_sums_that_could_overflow_int64_are_not_written_from_runs_either(tmp_path, monkeypatch):
    monkeypatch.setattr(sums_runs, "SPILL_GROUPS", 10)
    rows = _rows(2_000)
    rows = rows.set_column(3, "amount", pa.array([2**62 if i == 5 else 1 for i in range(2_000)], pa.int64()))
    spill = tmp_path / "spill"
    summer = _fed(Summer(sums.SumsDims.of([1], [6]), spill), rows, 500)
    assert summer.spilled and summer.overflows
    assert not summer.write(1, tmp_path / "summor.parquet")
    assert list(tmp_path.iterdir()) == []


def test_a_failure_while_the_runs_are_merged_leaves_no_file_and_no_runs(tmp_path, monkeypatch):
    monkeypatch.setattr(sums_runs, "SPILL_GROUPS", 500)
    monkeypatch.setattr(sums_writer, "_GROUP_ROWS", 1_000)
    spill = tmp_path / "spill"
    summer = _fed(Summer(sums.SumsDims.of([1], [6]), spill), _rows(12_000))
    sorted_rows = sums_runs.sorted_rows

    def failing(*args):
        for n, piece in enumerate(sorted_rows(*args)):
            if n == 1:
                raise OSError(28, "No space left on device")
            yield piece

    monkeypatch.setattr(sums_runs, "_BATCH_ROWS", 2_048)
    monkeypatch.setattr(sums_runs, "sorted_rows", failing)
    with pytest.raises(OSError):
        summer.write(1, tmp_path / "summor.parquet")
    assert list(tmp_path.iterdir()) == []


def _monthly(tmp_path: Path, rows: pa.Table, group_rows: int) -> tuple[Path, pa.Table]:
    table = _fed(Summer(sums.SumsDims.of([1, 9], [6])), rows).table(4)
    assert table is not None
    path = tmp_path / "manad.parquet"
    pq.write_table(table, path, **sums_writer.WRITER_OPTIONS, row_group_size=group_rows)
    return path, table


@pytest.mark.parametrize("through", [202211, 202306, 202312, 202401])
def test_year_sums_of_a_large_monthly_file_made_row_group_by_row_group_are_those_made_at_once(
    tmp_path, monkeypatch, through
):
    path, table = _monthly(tmp_path, _rows(24_000), 700)  # a key's months across row groups
    want = tmp_path / "hel.parquet"
    sums_writer._write_year_sums(path, table, through, want)
    monkeypatch.setattr(sums_runs, "SPILL_GROUPS", 1_000)
    got = tmp_path / "grupper.parquet"
    sums_writer._write_year_sums(path, None, through, got)
    assert pq.read_table(got).to_pylist() == pq.read_table(want).to_pylist()
    assert got.read_bytes() == want.read_bytes()


def test_year_sums_of_a_monthly_file_not_sorted_are_refused_not_written_wrong(tmp_path, monkeypatch):
    path, table = _monthly(tmp_path, _rows(6_000), 500)
    pq.write_table(pa.concat_tables([table.slice(1_000), table.slice(0, 1_000)]), path, row_group_size=500)
    monkeypatch.setattr(sums_runs, "SPILL_GROUPS", 100)
    with pytest.raises(ValueError, match="not sorted"):
        sums_writer._write_year_sums(path, None, 202312, tmp_path / "ar.parquet")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["manad.parquet"]


_VOUCHERS = [
    (
        n,
        n * 37 % 380 - 5,
        [(("3010", "4010", "5010")[n % 3], f'1 "{n * 13 % 97} Å" 7 "P{n % 11}"', n * 1001 % 90_000)],
    )
    for n in range(1, 400)
]


def _workspaces(tmp_path: Path, names: tuple[str, ...]) -> list:
    out = []
    for name in names:
        layout = create_workspace(tmp_path / name, "T", OrgTyp.KOMMUN, 2023)
        with layout.config.open("a", encoding="utf-8") as f:
            f.write("\n[dimensioner]\nverksamhet = 1\nprojekt = 7\n")
        out.append(layout)
    return out


def _sums_files(layout) -> dict[str, bytes]:
    return {p.name.split(".", 1)[1]: p.read_bytes() for p in sorted(rows_dir(layout).glob("*.sums-*"))}


def test_a_streamed_import_past_the_groups_held_gives_the_sums_files_of_one_within_them(
    tmp_path, monkeypatch
):
    import bokslut.sie.fastscan as fastscan
    import bokslut.sie.reader as reader

    path = tmp_path / "bok.se"
    path.write_bytes(_ledger(_VOUCHERS))
    held, spilled = _workspaces(tmp_path, ("minne", "runs"))
    monkeypatch.setattr(reader, "FAST_PATH_MIN_BYTES", 1)
    monkeypatch.setattr(fastscan, "PIECE_MAX_BYTES", 4_000)
    import_files(held, [path])
    runs = []
    write_run = sums_runs.write_run
    monkeypatch.setattr(sums_runs, "write_run", lambda *a: runs.append(a[1]) or write_run(*a))
    monkeypatch.setattr(sums_runs, "SPILL_GROUPS", 40)
    monkeypatch.setattr(sums_writer, "_GROUP_ROWS", 100)  # the year sums of the monthly file too
    import_files(spilled, [path])
    assert len(runs) > 3 and all("staging" in folder.parts for folder in runs)
    want, got = _sums_files(held), _sums_files(spilled)
    assert len(want) == 2 and got.keys() == want.keys()
    for name in want:
        assert (
            pq.read_table(spilled_path(spilled, name)).to_pylist()
            == pq.read_table(spilled_path(held, name)).to_pylist()
        )
    assert not any((spilled.cache / "staging").glob("*/*"))
    with open_store(spilled, verify="full") as store:
        assert store.con.execute("SELECT sum(rows) FROM ledger_year_sums").fetchone() == (2 * 399,)


def spilled_path(layout, name: str) -> Path:
    (path,) = rows_dir(layout).glob(f"*.{name}")
    return path


def test_a_failure_while_a_streamed_imports_runs_are_merged_leaves_the_workspace_as_it_was(
    tmp_path, monkeypatch
):
    from tests.ledger.test_importer import small, tree_digest

    import bokslut.sie.fastscan as fastscan
    import bokslut.sie.reader as reader

    (ws,) = _workspaces(tmp_path, ("ws",))
    first = tmp_path / "2022.se"
    first.write_bytes(small(2022).encode("cp437"))
    import_files(ws, [first])
    before, rows_before = tree_digest(ws.root), sorted(p.name for p in rows_dir(ws).iterdir())
    path = tmp_path / "bok.se"
    path.write_bytes(_ledger(_VOUCHERS))
    monkeypatch.setattr(reader, "FAST_PATH_MIN_BYTES", 1)
    monkeypatch.setattr(fastscan, "PIECE_MAX_BYTES", 4_000)
    monkeypatch.setattr(sums_runs, "SPILL_GROUPS", 40)

    def no_space(*args):
        raise OSError(28, "No space left on device")
        yield

    monkeypatch.setattr(sums_runs, "sorted_rows", no_space)
    with pytest.raises(BokslutError, match=r"arbetsytan är oförändrad"):
        import_files(ws, [path])
    assert tree_digest(ws.root) == before
    assert sorted(p.name for p in rows_dir(ws).iterdir()) == rows_before
    assert not any((ws.cache / "staging").glob("*/*"))


def test_a_store_summing_its_rows_file_again_past_the_groups_held_gives_the_same_sums(tmp_path, monkeypatch):
    """After the dimension settings change, the store sums each rows file again: spilled to
    runs in its staging area, then removed."""
    (ws,) = _workspaces(tmp_path, ("ws",))
    path = tmp_path / "bok.se"
    path.write_bytes(_ledger(_VOUCHERS))
    with monkeypatch.context() as m:
        m.setattr(indexer, "ROW_GROUP_ROWS", 100)  # a run of each row group summed again
        import_files(ws, [path])
    want = {name: pq.read_table(spilled_path(ws, name)).to_pylist() for name in _sums_files(ws)}
    _drop_sums(ws)  # as an earlier version wrote the store: the next writer sums its rows file
    monkeypatch.setattr(sums_runs, "SPILL_GROUPS", 40)
    monkeypatch.setattr(sums_writer, "_GROUP_ROWS", 100)
    runs = []
    write_run = sums_runs.write_run
    monkeypatch.setattr(sums_runs, "write_run", lambda *a: runs.append(a[1]) or write_run(*a))
    with open_store(ws) as store:
        assert store.con.execute("SELECT sum(rows) FROM ledger_year_sums").fetchone() == (2 * 399,)
    assert len(runs) > 3
    assert {name: pq.read_table(spilled_path(ws, name)).to_pylist() for name in _sums_files(ws)} == want
    assert not any((ws.cache / "staging").glob("*/*"))
