"""A fiscal year's ledger rows as memory-mapped arrays: the drill-down's index.

Drill-down reads two orders of the same rows. A voucher page of an account needs the
account's #TRANS rows in the selection (their sum, count and vouchers in date order) and
the rows of one page of them; a voucher needs all its rows. So the rows lie here twice:

* in voucher order (voucher id, row number), every kind of row with all it shows: a
  voucher is the slice between two offsets;
* in account order (account, date, voucher id, row number), the #TRANS rows with what a
  selection tests and counts and a page shows (date, object list, amount, voucher, line)
  and each row's place in the voucher order: an account is a slice found by its offsets,
  the day a cut of it, the other conditions a mask over it, and a page reads its rows
  there (they lie near each other) and only their texts in the voucher order.

Object lists are coded once per distinct list, with each list's object per dimension,
so an object condition is one lookup per row. Vouchers are kept by id, with an order by
series and number for finding one by its name.

The rows files are already in voucher order, so writing reads them once, in pieces, and
sorts only two small keys: the account's rank and the date's rank among the year's
dates, each below 2¹⁶ in practice, which NumPy sorts by radix in linear time (a stable
sort by date, then by account). Memory is the keys and the order, 16 bytes a row; the
columns go to disk as they are read. On 50 M rows that is under a gigabyte and the
ledger's read, where DuckDB's sort of the same rows spilled gigabytes for many minutes.

They are written under ``.bokslut/drill/year-…``, named by the year's ledger files and
digests, atomically, by :func:`bokslut.ledger.drilldown.prepare`. A year whose object lists
cannot be split back into pairs exactly as the SQL conditions match them (an escaped
``|`` or ``:`` in an object id, two objects of one dimension on a row) or whose rows are
not in voucher order gets no arrays: its pages read DuckDB's drill-down index instead.
"""

from __future__ import annotations

import bisect
import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from bokslut.ledger import texts
from bokslut.ledger.rowfiles import rows_file
from bokslut.ledger.store import Store

FORMAT = 3  # in the folder's name: arrays of another layout are never read
_EPOCH = dt.date(1970, 1, 1).toordinal()
_BATCH = 1 << 19
_GATHER = 1 << 22  # rows gathered into the account order at once
_RADIX = 1 << 16  # NumPy's stable sort is a radix sort for keys of 16 bits
I8 = npt.NDArray[np.int8]
I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
# The numeric columns in voucher order (r_*); the account order (a_*) takes some of them.
_ROW_DTYPES: dict[str, type[np.generic]] = {
    "date": np.int32,
    "voucher": np.int32,
    "kind": np.int8,
    "account": np.int32,
    "objects": np.int32,
    "amount": np.int64,
    "line": np.int64,
}
_ROW_COLUMNS = [
    "voucher_id",
    "row_no",
    "kind",
    "account",
    "amount",
    "date",
    "text",
    "objects",
    "line",
    "text_at",
    "text_len",
]


@dataclass(frozen=True, slots=True)
class Strings:
    """Texts as one UTF-8 buffer and the offsets of each (Arrow's layout)."""

    offsets: I64
    data: npt.NDArray[np.uint8]

    def __getitem__(self, i: int) -> str:
        start, end = self.offsets[i : i + 2].tolist()
        return self.data[start:end].tobytes().decode()

    def __len__(self) -> int:
        return len(self.offsets) - 1


@dataclass(frozen=True, slots=True)
class YearArrays:
    """A year's rows in voucher order and its #TRANS rows in account order, and its vouchers."""

    accounts: dict[str, tuple[int, int]]  # account → its #TRANS rows' [start, end) in account order
    tokens: dict[str, tuple[int, int]]  # object pair "dim:id" → (dimension, code)
    account_names: tuple[str, ...]  # a row's account code → the account
    kinds: tuple[str, ...]  # a row's kind code → "TRANS", "RTRANS", "BTRANS"
    object_lists: Strings  # a row's object list code → the list as the store keeps it
    object_dims: dict[int, I32]  # dimension → per object list its object's code there, -1 for none
    # #TRANS rows in account order
    a_row: I64 | I32  # the row's position in voucher order
    a_date: I32  # days since 1970-01-01
    a_voucher: I32  # index into the v_ arrays
    a_amount: I64  # öre, ledger sign
    a_objects: I32
    a_line: I64
    # every row in voucher order
    r_date: I32
    r_voucher: I32
    r_kind: I8
    r_account: I32
    r_objects: I32
    r_amount: I64
    r_line: I64
    r_text: Strings
    # vouchers by id
    v_rows: I64  # voucher i's rows are [v_rows[i], v_rows[i + 1]) in voucher order
    v_id: I64
    v_date: I32
    v_line: I64
    v_file_id: I32
    v_series: Strings
    v_number: Strings
    v_text: Strings
    v_by_name: I32  # voucher indices ordered by series, number and id

    def day(self, days: int) -> dt.date:
        return dt.date.fromordinal(_EPOCH + days)

    def voucher_index(self, voucher_id: int) -> int | None:
        i = int(np.searchsorted(self.v_id, voucher_id))
        return i if i < len(self.v_id) and int(self.v_id[i]) == voucher_id else None

    def find(self, series: str, number: str) -> int | None:
        """The index of the voucher named ``series number`` (the lowest id of several)."""
        names = self.v_by_name

        def name(k: int) -> tuple[str, str]:
            i = int(names[k])
            return self.v_series[i], self.v_number[i]

        k = bisect.bisect_left(range(len(names)), (series, number), key=name)
        return int(names[k]) if k < len(names) and name(k) == (series, number) else None


def files_of(store: Store, year: int) -> list[tuple[int, str]]:
    return [
        (int(f), str(h))
        for f, h in store.con.execute(
            "SELECT file_id, digest FROM source_file WHERE fiscal_year = ? ORDER BY file_id", [year]
        ).fetchall()
    ]


def folder_name(year: int, files: Sequence[tuple[int, str]]) -> str:
    key = f"v{FORMAT};" + ";".join(f"{f}:{h}" for f, h in files)
    return f"year-{year}-{hashlib.sha256(key.encode()).hexdigest()[:16]}"


def current_names(store: Store) -> set[str]:
    """The array folders of the years this store holds now."""
    by_year: dict[int, list[tuple[int, str]]] = {}
    for y, f, h in store.con.execute(
        "SELECT fiscal_year, file_id, digest FROM source_file ORDER BY file_id"
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
            tuple(str(x) for x in meta["account_names"]),
            tuple(str(x) for x in meta["kinds"]),
            s("object_lists"),
            {int(d): a(f"object_dim-{int(d)}") for d in meta["dims"]},
            a("a_row"),
            a("a_date"),
            a("a_voucher"),
            a("a_amount"),
            a("a_objects"),
            a("a_line"),
            a("r_date"),
            a("r_voucher"),
            a("r_kind"),
            a("r_account"),
            a("r_objects"),
            a("r_amount"),
            a("r_line"),
            s("r_text"),
            a("v_rows"),
            a("v_id"),
            a("v_date"),
            a("v_line"),
            a("v_file_id"),
            s("v_series"),
            s("v_number"),
            s("v_text"),
            a("v_by_name"),
        )
    except (OSError, ValueError, KeyError):
        return None


# --------------------------------------------------------------------- writing


class _Unindexable(Exception):
    """The year's rows cannot be kept here exactly as the SQL conditions see them."""


def _split(lists: list[str]) -> tuple[I64, I64, pa.Array]:
    """Object lists split into their pairs exactly as the SQL conditions split them: for each
    pair, the list it is in (its index), its dimension and the pair ("dim:id"); an empty list
    has none."""
    if not lists:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), pa.array([], pa.string())
    column = pa.array(lists, pa.string())
    if pc.any(pc.match_substring(column, "\\")).as_py():
        raise _Unindexable("an escaped character in an object id")
    split = pc.split_pattern(column, "|")
    pairs = split.flatten()
    owner = pc.list_parent_indices(split).to_numpy().astype(np.int64)
    keep = pc.invert(pc.equal(pc.take(column, pa.array(owner)), "")).to_numpy(zero_copy_only=False)
    pairs, owner = pairs.filter(pa.array(keep)), owner[keep]
    dim = pc.extract_regex(pairs, r"^(?P<dim>[0-9]+):")
    if dim.null_count:
        raise _Unindexable("a pair without its dimension")
    dims = pc.cast(dim.field("dim"), pa.int64()).to_numpy()
    order = np.lexsort((dims, owner))
    if np.any((np.diff(owner[order]) == 0) & (np.diff(dims[order]) == 0)):
        raise _Unindexable("two objects of one dimension on a row")
    return owner, dims, pairs


class _Column:
    """A .npy file of ``n`` values written front to back (no mapping: the pages written are
    not kept in the writing process's memory)."""

    def __init__(self, path: Path, dtype: type, n: int) -> None:
        self.dtype = np.dtype(dtype)
        self.out: BinaryIO = path.open("wb")
        header = {"descr": np.lib.format.dtype_to_descr(self.dtype), "fortran_order": False, "shape": (n,)}
        np.lib.format.write_array_header_1_0(self.out, header)
        self.n, self.at = n, 0

    def add(self, values: npt.ArrayLike) -> None:
        arr = np.ascontiguousarray(values, dtype=self.dtype)
        self.out.write(arr.tobytes())
        self.at += len(arr)

    def close(self) -> None:
        self.out.close()
        if self.at != self.n:
            raise OSError(f"rows changed while written: {self.at} of {self.n}")


class _StringsWriter:
    def __init__(self, path: Path, name: str, n: int) -> None:
        self.offsets = _Column(path / f"{name}.off.npy", np.int64, n + 1)
        self.offsets.add([0])
        self.out = (path / f"{name}.bin").open("wb")
        self.size = 0  # bytes written

    def add(self, column: pa.Array | pa.ChunkedArray) -> None:
        chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
        for chunk in chunks:
            arr = pc.fill_null(chunk.cast(pa.large_string()), "")
            n = len(arr)
            if n == 0:
                continue
            offs = np.frombuffer(arr.buffers()[1], np.int64)[arr.offset : arr.offset + n + 1]
            data = arr.buffers()[2]
            start, end = int(offs[0]), int(offs[-1])
            if end > start and data is not None:
                self.out.write(memoryview(data)[start:end])
            self.offsets.add(offs[1:] - start + self.size)
            self.size += end - start

    def close(self) -> None:
        self.out.close()
        self.offsets.close()


class _Codes:
    """Texts coded in the order first met, with whatever else each one needs."""

    def __init__(self) -> None:
        self.code: dict[str, int] = {}
        # The last column's dictionary and its entries' codes. Arrow reads a column written
        # plain (an object list of nearly every row its own) with one dictionary that grows
        # from batch to batch: only the entries a batch adds need looking up, not all again.
        self._seen: pa.Array | None = None
        self._lookup: I32 = np.zeros(0, np.int32)

    def of(self, column: pa.Array) -> I32:
        """The codes of a column's texts (a missing one read as "")."""
        encoded = column if isinstance(column, pa.DictionaryArray) else column.dictionary_encode()
        dictionary, indices = encoded.dictionary, encoded.indices
        seen, done = self._seen, 0
        if seen is not None and len(seen) <= len(dictionary) and dictionary.slice(0, len(seen)).equals(seen):
            done = len(seen)
        self._lookup = np.concatenate(
            [self._lookup[:done], self._codes_of(dictionary.slice(done).to_pylist())]
        )
        self._seen = dictionary
        lookup = self._lookup
        if indices.null_count:
            indices = pc.fill_null(indices, len(dictionary))
            lookup = np.concatenate([lookup, self._codes_of([""])])
        codes: I32 = lookup[indices.to_numpy()]
        return codes

    def _codes_of(self, texts: list[str]) -> I32:
        """The codes of distinct texts (a dictionary's), coding those not coded yet."""
        known = self.code
        new = [s for s in texts if s not in known]
        if new:
            self.add(new)
        return np.fromiter((known[s] for s in texts), np.int32, len(texts))

    def add(self, texts: list[str]) -> None:
        """Code distinct texts not coded yet, in their order."""
        self.code.update(zip(texts, range(len(self.code), len(self.code) + len(texts)), strict=True))


class _ObjectLists(_Codes):
    """Object lists, each split into its pairs, every pair coded per dimension."""

    def __init__(self) -> None:
        super().__init__()
        self.tokens: dict[str, tuple[int, int]] = {}  # pair → (dimension, its code there)
        self.per_dim: dict[int, int] = {}  # dimension → its objects so far
        # dimension → (list codes, their object's code there), a pair of arrays per batch
        self.placed: dict[int, list[tuple[I64, I32]]] = {}

    def add(self, texts: list[str]) -> None:
        first = len(self.code)
        owner, dims, pairs = _split(texts)
        super().add(texts)
        encoded = pairs.dictionary_encode()
        tokens = encoded.dictionary.to_pylist()
        for token in tokens:
            if token not in self.tokens:
                dim = int(token.partition(":")[0])
                self.tokens[token] = (dim, self.per_dim.get(dim, 0))
                self.per_dim[dim] = self.per_dim.get(dim, 0) + 1
        code = np.array([self.tokens[t][1] for t in tokens], np.int32)[encoded.indices.to_numpy()]
        for dim in np.unique(dims).tolist():
            at = dims == dim
            self.placed.setdefault(dim, []).append((owner[at] + first, code[at]))


def _quoted_paths(store: Store, files: Sequence[tuple[int, str]], what: str) -> list[Path]:
    return [rows_file(store.layout, f, h, what) for f, h in files]


def write(store: Store, folder: Path, year: int, files: Sequence[tuple[int, str]]) -> bool:
    """Write the year's arrays if they are missing; False if they cannot be (or need not be)."""
    if not files:
        return False
    final = folder / folder_name(year, files)
    if (final / "meta.json").is_file():
        return True
    tmp = folder / f".{final.name}.{os.getpid()}-{threading.get_ident()}.tmp"
    try:
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        ledgers = texts.ledger_files(store.con, store.layout.root, [f for f, _ in files])
        _write(
            tmp,
            _quoted_paths(store, files, "rows"),
            _quoted_paths(store, files, "vouchers"),
            [ledgers[f] for f, _ in files],
        )
        try:
            tmp.rename(final)
        except OSError:  # another thread or process wrote it meanwhile
            shutil.rmtree(tmp, ignore_errors=True)
            return (final / "meta.json").is_file()
    except (OSError, ValueError, pa.ArrowException, _Unindexable):
        shutil.rmtree(tmp, ignore_errors=True)
        return False
    return True


def _no_nulls(table: pa.Table | pa.RecordBatch, names: Sequence[str]) -> None:
    for name in names:
        if table.column(name).null_count:
            raise _Unindexable(f"{name} missing")


def _write_vouchers(path: Path, vouchers: Sequence[Path]) -> I64:
    """The vouchers by id, read piece by piece (the files hold them in id order); returns their ids."""
    ids = pa.concat_tables([pq.read_table(p, columns=["voucher_id"]) for p in vouchers]).column(0)
    if ids.null_count:
        raise _Unindexable("voucher_id missing")
    v_id: I64 = ids.to_numpy().astype(np.int64)
    if np.any(v_id[1:] <= v_id[:-1]):
        raise _Unindexable("vouchers not in id order")
    n = len(v_id)
    np.save(path / "v_id.npy", v_id)
    cols = {
        name: _Column(path / f"v_{name}.npy", dtype, n)
        for name, dtype in (("date", np.int32), ("line", np.int64), ("file_id", np.int32))
    }
    texts = {name: _StringsWriter(path, f"v_{name}", n) for name in ("series", "number", "text")}
    for p in vouchers:
        for batch in pq.ParquetFile(p, pre_buffer=False).iter_batches(
            batch_size=_BATCH, columns=["file_id", "series", "number", "date", "text", "line"]
        ):
            _no_nulls(batch, ["file_id", "series", "number", "date", "line"])
            cols["date"].add(batch.column("date").cast(pa.int32()).to_numpy())
            cols["line"].add(batch.column("line").to_numpy())
            cols["file_id"].add(batch.column("file_id").to_numpy())
            for name, w in texts.items():
                w.add(batch.column(name))
    for column in cols.values():
        column.close()
    for w in texts.values():
        w.close()
    # Arrow orders texts by their UTF-8 bytes, as Python orders them by code point.
    names = pa.concat_tables([pq.read_table(p, columns=["series", "number"]) for p in vouchers])
    names = names.append_column("voucher_id", pa.array(v_id))
    by_name = pc.sort_indices(
        names, [("series", "ascending"), ("number", "ascending"), ("voucher_id", "ascending")]
    )
    np.save(path / "v_by_name.npy", by_name.to_numpy().astype(np.int32))
    return v_id


def _texts(batch: pa.RecordBatch, read: texts.Read, file: texts.LedgerFile) -> pa.Array | pa.ChunkedArray:
    """The batch's row texts: as the rows carry them, or (a streamed file's rows, which carry
    none) read from their ledger file."""
    length = batch.column("text_len")
    if length.null_count == len(length):
        return batch.column("text")
    at = batch.column("text_at").to_numpy().astype(np.int64)
    return texts.decoded(read, at, length.to_numpy().astype(np.int64), file)


def _batches(
    parts: Sequence[pq.ParquetFile], ledgers: Sequence[texts.LedgerFile]
) -> Iterator[tuple[pa.RecordBatch, pa.Array]]:
    """The rows files' batches in order, each with its rows' texts."""
    for part, ledger in zip(parts, ledgers, strict=True):
        with texts.opened(ledger) as read:
            for batch in part.iter_batches(batch_size=_BATCH, columns=_ROW_COLUMNS):
                if batch.num_rows:
                    yield batch, _texts(batch, read, ledger)


def _write(
    path: Path, rows: Sequence[Path], vouchers: Sequence[Path], ledgers: Sequence[texts.LedgerFile]
) -> None:
    v_id = _write_vouchers(path, vouchers)
    pa.default_memory_pool().release_unused()
    # Without pre-buffering: it keeps every piece read until the file is closed.
    parts = [
        pq.ParquetFile(p, read_dictionary=["kind", "account", "objects"], pre_buffer=False) for p in rows
    ]
    n = sum(p.metadata.num_rows for p in parts)
    cols = {name: _Column(path / f"r_{name}.npy", dtype, n) for name, dtype in _ROW_DTYPES.items()}
    text = _StringsWriter(path, "r_text", n)
    kinds, accounts, objects = _Codes(), _Codes(), _ObjectLists()
    objects.add([""])
    kinds.add(["TRANS"])
    trans = kinds.code["TRANS"]
    # The sort keys of the #TRANS rows, and where they lie in the voucher order.
    t_account, t_date = np.empty(n, np.int32), np.empty(n, np.int32)
    t_row: list[I64] = []  # where the batch's #TRANS rows are, once a row of another kind is met
    v_count = np.zeros(len(v_id) + 1, np.int64)
    at = m = 0
    last = (-1, -1)
    for batch, text_column in _batches(parts, ledgers):
        k = batch.num_rows
        _no_nulls(batch, ["voucher_id", "row_no", "kind", "account", "amount", "date", "line"])
        ids = batch.column("voucher_id").to_numpy()
        vix = np.searchsorted(v_id, ids)
        if len(v_id) == 0 or not np.array_equal(v_id[np.minimum(vix, len(v_id) - 1)], ids):
            raise _Unindexable("a row without its voucher")  # the index's LEFT JOIN shows it
        row_no = batch.column("row_no").to_numpy()
        step = np.diff(vix)
        if (
            (int(vix[0]), int(row_no[0])) <= last
            or np.any(step < 0)
            or np.any((step == 0) & (np.diff(row_no) <= 0))
        ):
            raise _Unindexable("rows not in voucher order")
        last = (int(vix[-1]), int(row_no[-1]))
        kind = kinds.of(batch.column("kind"))
        account = accounts.of(batch.column("account"))
        obj = objects.of(batch.column("objects"))
        date = batch.column("date").cast(pa.int32()).to_numpy()
        amount = batch.column("amount").to_numpy()
        for name, values in (
            ("date", date),
            ("voucher", vix),
            ("kind", kind),
            ("account", account),
            ("objects", obj),
            ("amount", amount),
            ("line", batch.column("line").to_numpy()),
        ):
            cols[name].add(values)
        text.add(text_column)
        counted = np.bincount(vix - vix[0])
        v_count[vix[0] + 1 : vix[0] + 1 + len(counted)] += counted
        is_trans = kind == trans
        t = int(np.count_nonzero(is_trans))
        t_account[m : m + t] = account[is_trans]
        t_date[m : m + t] = date[is_trans]
        if t < k and not t_row:
            t_row.append(np.arange(at, dtype=np.int64))  # every row before this batch's
        if t_row:
            t_row.append(np.flatnonzero(is_trans) + at)
        at += k
        m += t
    for column in cols.values():
        column.close()
    text.close()
    if at != n:
        raise OSError(f"rows changed while written: {at} of {n}")
    np.save(path / "v_rows.npy", np.cumsum(v_count))
    # Each account's rows, in the accounts' order (DuckDB's, by bytes: Python's by code point).
    names = list(accounts.code)
    counts = np.bincount(t_account[:m], minlength=len(names))
    offsets: dict[str, tuple[int, int]] = {}
    start = 0
    for name in sorted(names):
        count = int(counts[accounts.code[name]])
        if count:
            offsets[name] = (start, start + count)
        start += count
    keys = _ranks(t_account[:m], t_date[:m], names)
    del t_account, t_date  # the keys are all the sort needs: half the memory
    order = _stable_order(*keys)
    del keys
    a_row = (np.concatenate(t_row)[order] if t_row else order).astype(
        np.int32 if n < 2**31 else np.int64, copy=False
    )
    del t_row, order
    np.save(path / "a_row.npy", a_row)
    for name in ("date", "voucher", "amount", "objects", "line"):
        source = np.load(path / f"r_{name}.npy", mmap_mode="r")
        out = _Column(path / f"a_{name}.npy", _ROW_DTYPES[name], m)
        for lo in range(0, m, _GATHER):
            out.add(source[a_row[lo : lo + _GATHER]])
        out.close()
        del source
    _write_objects(path, objects)
    meta = {
        "accounts": offsets,
        "tokens": objects.tokens,
        "account_names": names,
        "kinds": list(kinds.code),
        "dims": sorted(objects.per_dim),
        "rows": n,
        "trans": m,
    }
    (path / "meta.json").write_text(json.dumps(meta), encoding="utf-8")


def _ranks(account: I32, date: I32, names: Sequence[str]) -> tuple[npt.NDArray[Any], npt.NDArray[Any]]:
    """Each row's account rank (by name) and date rank among the year's dates: 16-bit when
    the year has at most 65 536 of each, as NumPy sorts them by radix."""
    if len(account) == 0:
        return np.zeros(0, np.uint16), np.zeros(0, np.uint16)
    rank = np.empty(len(names), np.int64)
    rank[np.argsort(np.array(names, dtype=object), kind="stable")] = np.arange(len(names))
    lo, hi = int(date.min()), int(date.max())
    seen = np.zeros(hi - lo + 1, np.bool_)
    seen[date - lo] = True
    date_rank = np.cumsum(seen) - 1
    small = np.uint16 if len(names) <= _RADIX and int(date_rank[-1]) < _RADIX else np.int64
    return rank.astype(small)[account], date_rank.astype(small)[date - lo]


def _stable_order(account: npt.NDArray[Any], date: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """The rows' order by account, then date, then as they come: two stable radix sorts of
    16-bit keys (linear), else a merge sort."""
    index = np.int32 if len(account) < 2**31 else np.int64
    if account.dtype != np.uint16:
        return np.lexsort((date, account)).astype(index)
    order = np.argsort(date, kind="stable").astype(index)
    return order[np.argsort(account[order], kind="stable")]


def _write_objects(path: Path, objects: _ObjectLists) -> None:
    lists = list(objects.code)
    w = _StringsWriter(path, "object_lists", len(lists))
    w.add(pa.array(lists, pa.string()))
    w.close()
    for dim, placed in objects.placed.items():
        codes = np.full(len(lists), -1, np.int32)
        for at, code in placed:
            codes[at] = code
        np.save(path / f"object_dim-{dim}.npy", codes)


def remove_stale(folder: Path, keep: set[str]) -> None:
    for p in folder.iterdir() if folder.is_dir() else ():
        if p.name.startswith("year-") and p.name not in keep:
            with contextlib.suppress(OSError):
                shutil.rmtree(p)
