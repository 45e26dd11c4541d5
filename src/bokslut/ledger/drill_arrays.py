"""A fiscal year's #TRANS rows as arrays sorted by account, for voucher pages without a scan.

A voucher page of an account needs the account's rows in the selection: their sum, their
count and their vouchers in date order, and the rows of one page of them. On a large
ledger DuckDB answers that in three queries of a few milliseconds each, whatever it reads.
Here the same rows lie as NumPy arrays, sorted by account, date, voucher and row: an
account is a slice found by its offsets, the selection a mask over the slice (dates,
objects by their code per dimension, debit or credit), and a page's texts and voucher
heads are read at the positions it shows. The arrays are memory-mapped, so every server
process shares the operating system's cache of them and an open costs nothing.

They are written beside the drill-down index (``.bokslut/drill/year-…``), named by the
year's ledger files and digests, atomically, by :func:`bokslut.ledger.drilldown.prepare`.
A year whose object lists cannot be split back into pairs exactly as the SQL conditions
match them (an escaped ``|`` or ``:`` in an object id, two objects of one dimension on a
row) gets no arrays: its pages read the index as before.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa

from bokslut.ledger.rowfiles import rows_file
from bokslut.ledger.store import Store

_EPOCH = dt.date(1970, 1, 1).toordinal()
_BATCH = 500_000
I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Strings:
    """Texts as one UTF-8 buffer and the offsets of each (Arrow's layout)."""

    offsets: I64
    data: npt.NDArray[np.uint8]

    def __getitem__(self, i: int) -> str:
        start, end = self.offsets[i : i + 2].tolist()
        return self.data[start:end].tobytes().decode()


@dataclass(frozen=True, slots=True)
class YearArrays:
    """The year's #TRANS rows in (account, date, voucher, row) order, and its vouchers by id."""

    accounts: dict[str, tuple[int, int]]  # account → its rows' [start, end)
    tokens: dict[str, tuple[int, int]]  # object pair "dim:id" → (dimension, code)
    date: I32  # days since 1970-01-01
    voucher: I32  # index into the v_ arrays
    row_no: I32
    amount: I64  # öre, ledger sign
    line: I64
    file_id: I32
    dims: dict[int, I32]  # dimension → the row's object code there, -1 for none
    text: Strings
    objects: Strings
    v_id: I64
    v_date: I32
    v_line: I64
    v_file_id: I32
    v_series: Strings
    v_number: Strings
    v_text: Strings

    def day(self, days: int) -> dt.date:
        return dt.date.fromordinal(_EPOCH + days)


def files_of(store: Store, year: int) -> list[tuple[int, str]]:
    return [
        (int(f), str(h))
        for f, h in store.con.execute(
            "SELECT file_id, sha256 FROM source_file WHERE fiscal_year = ? ORDER BY file_id", [year]
        ).fetchall()
    ]


def folder_name(year: int, files: Sequence[tuple[int, str]]) -> str:
    key = ";".join(f"{f}:{h}" for f, h in files)
    return f"year-{year}-{hashlib.sha256(key.encode()).hexdigest()[:16]}"


def current_names(store: Store) -> set[str]:
    """The array folders of the years this store holds now."""
    by_year: dict[int, list[tuple[int, str]]] = {}
    for y, f, h in store.con.execute(
        "SELECT fiscal_year, file_id, sha256 FROM source_file ORDER BY file_id"
    ).fetchall():
        by_year.setdefault(int(y), []).append((int(f), str(h)))
    return {folder_name(y, files) for y, files in by_year.items()}


# --------------------------------------------------------------------- reading


def load(folder: Path, year: int, files: Sequence[tuple[int, str]]) -> YearArrays | None:
    """The year's arrays, memory-mapped, or None when they are not (yet) written."""
    path = folder / folder_name(year, files)
    try:
        meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))

        def a(name: str) -> Any:
            # A plain array over the mapping: np.memmap's own indexing costs microseconds a call.
            return np.load(path / f"{name}.npy", mmap_mode="r").view(np.ndarray)

        def s(name: str) -> Strings:
            size = (path / f"{name}.bin").stat().st_size
            data = (
                np.memmap(path / f"{name}.bin", np.uint8, "r").view(np.ndarray)
                if size
                else np.zeros(0, np.uint8)
            )
            return Strings(a(f"{name}.off"), data)

        return YearArrays(
            {k: (int(lo), int(hi)) for k, (lo, hi) in meta["accounts"].items()},
            {k: (int(d), int(c)) for k, (d, c) in meta["tokens"].items()},
            a("date"),
            a("voucher"),
            a("row_no"),
            a("amount"),
            a("line"),
            a("file_id"),
            {int(d): a(f"dim-{int(d)}") for d in meta["dims"]},
            s("text"),
            s("objects"),
            a("v_id"),
            a("v_date"),
            a("v_line"),
            a("v_file_id"),
            s("v_series"),
            s("v_number"),
            s("v_text"),
        )
    except (OSError, ValueError, KeyError):
        return None


# --------------------------------------------------------------------- writing


class _Unindexable(Exception):
    """The year's object lists cannot be matched pair by pair as the SQL conditions do."""


def _pairs(objects: str) -> dict[int, str]:
    """The object list's pairs by dimension, exactly as the SQL conditions split it."""
    if not objects:
        return {}
    if "\\" in objects:
        raise _Unindexable(objects)
    out: dict[int, str] = {}
    for token in objects.split("|"):
        dim, sep, _ = token.partition(":")
        if not sep or not dim.isdigit() or int(dim) in out:
            raise _Unindexable(objects)
        out[int(dim)] = token
    return out


class _StringsWriter:
    def __init__(self, path: Path, name: str, n: int) -> None:
        self.offsets = np.lib.format.open_memmap(path / f"{name}.off.npy", "w+", np.int64, (n + 1,))
        self.offsets[0] = 0
        self.out = (path / f"{name}.bin").open("wb")
        self.at = 0  # rows written
        self.size = 0  # bytes written

    def add(self, column: pa.Array | pa.ChunkedArray) -> None:
        chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
        for chunk in chunks:
            arr = chunk.cast(pa.large_string())
            n = len(arr)
            if n == 0:
                continue
            offs = np.frombuffer(arr.buffers()[1], np.int64)[arr.offset : arr.offset + n + 1]
            data = arr.buffers()[2]
            start, end = int(offs[0]), int(offs[-1])
            if end > start and data is not None:
                self.out.write(memoryview(data)[start:end])
            self.offsets[self.at + 1 : self.at + n + 1] = offs[1:] - start + self.size
            self.at += n
            self.size += end - start

    def close(self) -> None:
        self.out.close()
        self.offsets.flush()


def _quoted_list(paths: Sequence[Path]) -> str:
    return "[" + ", ".join("'" + str(p.resolve()).replace("'", "''") + "'" for p in paths) + "]"


def write(store: Store, folder: Path, year: int, files: Sequence[tuple[int, str]]) -> bool:
    """Write the year's arrays if they are missing; False if they cannot be (or need not be)."""
    if not files:
        return False
    final = folder / folder_name(year, files)
    if (final / "meta.json").is_file():
        return True
    tmp = folder / f".{final.name}.{os.getpid()}-{threading.get_ident()}.tmp"
    rows = _quoted_list([rows_file(store.layout, f, h, "rows") for f, h in files])
    vouchers = _quoted_list([rows_file(store.layout, f, h, "vouchers") for f, h in files])
    try:
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        with duckdb.connect() as con:
            con.execute("SET memory_limit = '768MB'")
            con.execute(f"SET temp_directory = '{str(tmp.resolve()).replace(chr(39), chr(39) * 2)}/spill'")
            _write(con, tmp, rows, vouchers)
        shutil.rmtree(tmp / "spill", ignore_errors=True)
        try:
            tmp.rename(final)
        except OSError:  # another thread or process wrote it meanwhile
            shutil.rmtree(tmp, ignore_errors=True)
            return (final / "meta.json").is_file()
    except (OSError, duckdb.Error, _Unindexable):
        shutil.rmtree(tmp, ignore_errors=True)
        return False
    return True


def _write(con: duckdb.DuckDBPyConnection, path: Path, rows: str, vouchers: str) -> None:
    trans = f"(SELECT * FROM read_parquet({rows}) WHERE kind = 'TRANS')"
    # The vouchers, by id: a row names its voucher by position here.
    heads = con.sql(
        f"SELECT voucher_id, file_id, series, number, date, coalesce(text, '') AS text, line "
        f"FROM read_parquet({vouchers}) ORDER BY voucher_id"
    ).to_arrow_table()
    assert heads is not None
    v_id = heads.column("voucher_id").to_numpy().astype(np.int64)
    np.save(path / "v_id.npy", v_id)
    np.save(path / "v_date.npy", heads.column("date").cast(pa.int32()).to_numpy())
    np.save(path / "v_line.npy", heads.column("line").to_numpy().astype(np.int64))
    np.save(path / "v_file_id.npy", heads.column("file_id").to_numpy().astype(np.int32))
    for name in ("series", "number", "text"):
        w = _StringsWriter(path, f"v_{name}", len(v_id))
        w.add(heads.column(name))
        w.close()
    del heads
    # Every object pair of the year, coded per dimension.
    tokens: dict[str, tuple[int, int]] = {}
    per_dim: dict[int, int] = {}
    for (objects,) in con.execute(f"SELECT DISTINCT objects FROM {trans} WHERE objects <> ''").fetchall():
        for dim, token in _pairs(str(objects)).items():
            if token not in tokens:
                tokens[token] = (dim, per_dim.get(dim, 0))
                per_dim[dim] = per_dim.get(dim, 0) + 1
    accounts: dict[str, tuple[int, int]] = {}
    n = 0
    for account, count in con.execute(
        f"SELECT account, count(*) FROM {trans} GROUP BY account ORDER BY account"
    ).fetchall():
        accounts[str(account)] = (n, n + int(count))
        n += int(count)

    def out(name: str, dtype: type) -> Any:
        return np.lib.format.open_memmap(path / f"{name}.npy", "w+", dtype, (n,))

    date, voucher, row_no = out("date", np.int32), out("voucher", np.int32), out("row_no", np.int32)
    amount, line, file_id = out("amount", np.int64), out("line", np.int64), out("file_id", np.int32)
    dims = {d: out(f"dim-{d}", np.int32) for d in sorted(per_dim)}
    text, objs = _StringsWriter(path, "text", n), _StringsWriter(path, "objects", n)
    reader = con.sql(
        f"SELECT account, date, voucher_id, row_no, amount, line, file_id, coalesce(objects, '') AS objects, "
        f"coalesce(text, '') AS text FROM {trans} ORDER BY account, date, voucher_id, row_no"
    ).to_arrow_reader(_BATCH)
    assert reader is not None
    at = 0
    for batch in reader:
        k = batch.num_rows
        if k == 0:
            continue
        part = slice(at, at + k)
        date[part] = batch.column("date").cast(pa.int32()).to_numpy()
        ids = batch.column("voucher_id").to_numpy()
        found = np.searchsorted(v_id, ids)
        if len(v_id) == 0 or not np.array_equal(v_id[np.minimum(found, len(v_id) - 1)], ids):
            raise _Unindexable("a row without its voucher")  # the index's LEFT JOIN shows it
        voucher[part] = found
        row_no[part] = batch.column("row_no").to_numpy()
        amount[part] = batch.column("amount").to_numpy()
        line[part] = batch.column("line").to_numpy()
        file_id[part] = batch.column("file_id").to_numpy()
        encoded = batch.column("objects").dictionary_encode()
        index = encoded.indices.to_numpy(zero_copy_only=False)
        uniques = [_pairs(str(o)) for o in encoded.dictionary.to_pylist()]
        for d, arr in dims.items():
            codes = np.array([tokens[p[d]][1] if d in p else -1 for p in uniques], np.int32)
            arr[part] = codes[index]
        text.add(batch.column("text"))
        objs.add(batch.column("objects"))
        at += k
    if at != n:
        raise OSError(f"rows changed while written: {at} of {n}")
    for w in (text, objs):
        w.close()
    for arr in (date, voucher, row_no, amount, line, file_id, *dims.values()):
        arr.flush()
    meta = {"accounts": accounts, "tokens": tokens, "dims": sorted(dims), "rows": n}
    (path / "meta.json").write_text(json.dumps(meta), encoding="utf-8")


def remove_stale(folder: Path, keep: set[str]) -> None:
    for p in folder.iterdir() if folder.is_dir() else ():
        if p.name.startswith("year-") and p.name not in keep:
            with contextlib.suppress(OSError):
                shutil.rmtree(p)
