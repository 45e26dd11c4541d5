"""Writing each indexed file's sums (see :mod:`bokslut.ledger.sums`): loaded only when the
store writes, like :mod:`bokslut.ledger.indexer`."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from bokslut.ledger.rowfiles import check_of, rows_file
from bokslut.ledger.sums import YEAR_SUFFIX, SumsDims, is_balance_account, month_of, report_dims, summed
from bokslut.sie import distinct
from bokslut.sie.kernel import decimal_digits, kernel
from bokslut.workspace.layout import Layout

SUMS_SCHEMA = pa.schema(
    [
        ("file_id", pa.int32()),
        ("account", pa.string()),
        ("objects", pa.string()),  # reduced to the tag's dimensions for the account's class
        ("month", pa.int32()),  # YYYYMM of the row's date
        ("debit", pa.int64()),  # öre: the sum of the positive amounts
        ("credit", pa.int64()),  # öre: the sum of the negative amounts
        ("rows", pa.int64()),
        ("last_date", pa.date32()),
    ]
)

_LIMIT = (1 << 63) - 1


@kernel
def _group_keys(
    a_idx: np.ndarray,
    o_idx: np.ndarray,
    balance: np.ndarray,
    key_index: np.ndarray,
    days: np.ndarray,
    first_day: int,
    month_of_day: np.ndarray,
    nk: int,
    nm: int,
) -> np.ndarray:
    """Each row's account code, reduced key code and month index made one number: the key
    is the balance accounts' reduction (the second half of ``key_index``) or the others'."""
    n_objects = key_index.shape[0] // 2
    out = np.empty(a_idx.shape[0], np.int64)
    for i in range(a_idx.shape[0]):
        a = a_idx[i]
        o = o_idx[i]
        k = key_index[n_objects + o] if balance[a] else key_index[o]
        out[i] = (np.int64(a) * nk + k) * nm + month_of_day[days[i] - first_day]
    return out


def _yyyymm(months: np.ndarray) -> np.ndarray:
    out: np.ndarray = ((months // 12 + 1970) * 100 + months % 12 + 1).astype(np.int32)
    return out


def reduce_keys(keys: pa.Array, dims: Sequence[int]) -> pa.Array:
    """Canonical object keys reduced to ``dims``: what :func:`bokslut.ledger.sums.key_sql` gives
    in SQL (its RE2 pattern walked byte by byte, empty objects dropped, '' when nothing is left).
    Keys without nulls; a piece's keys, nearly all distinct on a region's ledger, are millions."""
    if not dims:
        return pa.repeat(pa.scalar("", pa.string()), len(keys))
    wanted = np.array(sorted(set(dims)), np.int64)
    n = len(keys)
    offsets = np.frombuffer(keys.buffers()[1], np.int32)[keys.offset : keys.offset + n + 1].astype(np.int64)
    raw = keys.buffers()[2]
    data = np.frombuffer(raw, np.uint8) if raw is not None else np.zeros(0, np.uint8)
    # An id may hold an escaped "|" that the pattern takes for a pair's start: the reductions
    # may then overlap, so each dimension may take a key's every byte, and a separator.
    out = np.empty(wanted.size * (int(offsets[-1] - offsets[0]) + n), np.uint8)
    out_offsets = np.empty(n + 1, np.int32)
    used = _reduced(offsets, data, wanted, out_offsets, out)
    return pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(out_offsets), pa.py_buffer(out[:used])])


_PIPE, _COLON, _BACKSLASH, _NEWLINE = 124, 58, 92, 10


@kernel
def _reduced(
    offsets: np.ndarray, data: np.ndarray, dims: np.ndarray, out_offsets: np.ndarray, out: np.ndarray
) -> int:
    """Each key's pairs of ``dims`` (ascending), "d:id" joined by "|": for each dimension the
    first "d:" at the key's start or after a "|", its id up to the next "|" not escaped by a
    backslash (a backslash takes the next byte with it, but not a line break, nor nothing:
    RE2's ``(?:[^|\\]|\\.)*``). Returns the bytes written to ``out``."""
    digits = np.empty(20, np.uint8)
    pos = 0
    for r in range(offsets.shape[0] - 1):
        out_offsets[r] = pos
        a = offsets[r]
        e = offsets[r + 1]
        first = True
        for di in range(dims.shape[0]):
            nd = decimal_digits(dims[di], digits)
            start = -1
            p = a
            while p + nd < e:
                if p == a or data[p - 1] == _PIPE:
                    same = data[p + nd] == _COLON
                    k = 0
                    while same and k < nd:
                        same = data[p + k] == digits[nd - 1 - k]
                        k += 1
                    if same:
                        start = p + nd + 1
                        break
                p += 1
            if start < 0:
                continue
            q = start
            while q < e:
                c = data[q]
                if c == _PIPE:
                    break
                if c == _BACKSLASH:
                    if q + 1 < e and data[q + 1] != _NEWLINE:
                        q += 2
                        continue
                    break
                q += 1
            if q == start:
                continue  # an empty id is dropped
            if not first:
                out[pos] = _PIPE
                pos += 1
            first = False
            for k in range(nd - 1, -1, -1):
                out[pos] = digits[k]
                pos += 1
            out[pos] = _COLON
            pos += 1
            for k in range(start, q):
                out[pos] = data[k]
                pos += 1
    out_offsets[offsets.shape[0] - 1] = pos
    return pos


# Partial sums are merged once those not yet merged hold as many rows as the merged ones
# (and at least this many): what is kept stays within about twice the distinct account ×
# key × month, and each row is merged again only a few times (the merged part doubles).
MERGE_ROWS = 1 << 20
_KEYS = ["account", "objects", "month"]
_SUMMED = [("debit", "sum"), ("credit", "sum"), ("rows", "sum"), ("last_date", "max")]


class Summer:
    """Sums rows piece by piece (a rows file's row groups, or an import's streamed pieces).

    Each piece is grouped by dictionary indices (no string hashing per row), and each distinct
    object key of a piece reduced once (:func:`reduce_keys`).
    """

    def __init__(self, dims: SumsDims) -> None:
        self.dims = dims
        self._parts: list[pa.Table] = []
        self._merged_rows = 0  # rows of the first part, once parts have been merged
        self._fresh_rows = 0  # rows of the parts after it
        self._biggest = 0  # the largest |amount| seen, and how many rows: an int64 overflow bound
        self._rows = 0

    def add(self, t: pa.Table) -> None:
        """Add rows with the store's columns kind, account, objects, amount and date."""
        # Only the columns summed: an import's pieces carry texts too, which a filter would copy.
        t = t.select(["kind", "account", "objects", "amount", "date"])
        kinds = distinct.equal_to(t["kind"], "TRANS")
        if kinds is not None:
            t = t.filter(kinds)
        if t.num_rows == 0:
            return
        amount = distinct.whole(t["amount"]).to_numpy(zero_copy_only=False).astype(np.int64)
        self._biggest = max(self._biggest, int(amount.max()), -int(amount.min()))
        self._rows += amount.size
        acc = distinct.dictionary(t["account"])
        objects, o_idx = self._objects(t["objects"])
        keys = pc.dictionary_encode(
            pa.concat_arrays(
                [reduce_keys(objects, self.dims.result), reduce_keys(objects, self.dims.balance)]
            )
        )
        assert isinstance(keys, pa.DictionaryArray)
        key_index = keys.indices.to_numpy(zero_copy_only=False)
        balance = np.array([is_balance_account(a) for a in acc.dictionary.to_pylist()], dtype=bool)
        a_idx = acc.indices.to_numpy(zero_copy_only=False)
        days = distinct.whole(t["date"]).cast(pa.int32()).to_numpy(zero_copy_only=False)
        # The months of the piece's days (a piece spans few), each day converted once.
        first_day = int(days.min())
        span = np.arange(first_day, int(days.max()) + 1, dtype=np.int64)
        months = span.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
        m_first = int(months[0])
        nm = int(months[-1]) - m_first + 1
        nk = len(keys.dictionary)
        # Grouped by the codes of account, key and month made one number (no string hashed).
        group, debit, credit, rows, last = distinct.sums_by_key(
            _group_keys(a_idx, o_idx, balance, key_index, days, first_day, months - m_first, nk, nm),
            amount,
            days,
            len(acc.dictionary) * nk * nm,
        )
        self._parts.append(
            pa.table(
                {
                    "account": acc.dictionary.take(pa.array(group // (nk * nm))),
                    "objects": keys.dictionary.take(pa.array(group // nm % nk)),
                    "month": pa.array(_yyyymm(group % nm + m_first)),
                    "debit": pa.array(debit),
                    "credit": pa.array(credit),
                    "rows": pa.array(rows),
                    "last_date": pa.array(last).cast(pa.date32()),
                }
            )
        )
        self._fresh_rows += self._parts[-1].num_rows
        if self._fresh_rows >= max(self._merged_rows, MERGE_ROWS):
            self._parts = [self._merged()]
            self._merged_rows, self._fresh_rows = self._parts[0].num_rows, 0

    def _objects(self, column: pa.ChunkedArray) -> tuple[pa.Array, np.ndarray]:
        """The object keys to reduce, and each row's index among them. With no dimensions
        kept nothing is read at all: a column left as strings (nearly all distinct, see
        :func:`bokslut.sie.distinct.encoded`) is then never hashed. Otherwise the keys are
        encoded first, since reducing a key costs more than hashing it."""
        if not self.dims.result and not self.dims.balance:
            return pa.array([""], pa.string()), np.zeros(len(column), np.int32)
        obj = distinct.dictionary(column)
        return obj.dictionary, obj.indices.to_numpy(zero_copy_only=False)

    def _merged(self) -> pa.Table:
        whole = pa.concat_tables(self._parts)
        return whole if len(self._parts) == 1 else _grouped(whole)

    def table(self, file_id: int) -> pa.Table | None:
        """The file's sums, or None when a sum could overflow int64 (its queries read the rows)."""
        if self._biggest * self._rows > _LIMIT:
            return None
        if not self._parts:
            return SUMS_SCHEMA.empty_table()
        # The parts merged and sorted in one pass (grouping by rank sorts as it groups).
        return _regrouped(pa.concat_tables(self._parts), file_id)


def _grouped(t: pa.Table) -> pa.Table:
    """Sums of the same account, key and month added up (columns in the sums file's order),
    in the order :func:`_sort_order` gives.

    Grouped by the rows' ranks (:func:`_codes`), not by the strings: Arrow's grouping by the
    strings hashed a region's millions of partial sums again at every merge."""
    t = t.combine_chunks()
    if t.num_rows == 0:
        return t.select([*_KEYS, *(c for c, _ in _SUMMED)])
    codes = _codes(t)
    order = _order(codes)
    changed = np.zeros(t.num_rows - 1, bool)
    for code in codes:
        ordered = code[order]
        changed |= ordered[1:] != ordered[:-1]
    starts = np.flatnonzero(np.r_[True, changed])
    firsts = t.select(_KEYS).take(pa.array(order[starts]))
    days = t["last_date"].cast(pa.int32()).to_numpy()[order]
    return pa.table(
        {
            **{c: firsts[c] for c in _KEYS},
            # Exact integer sums (a float would round öre): the runs of equal keys added up.
            **{
                c: pa.array(np.add.reduceat(t[c].to_numpy()[order], starts))
                for c in ("debit", "credit", "rows")
            },
            "last_date": pa.array(np.maximum.reduceat(days, starts)).cast(pa.date32()),
        }
    )


def _regrouped(t: pa.Table, file_id: int) -> pa.Table:
    """``t`` (account, objects, month and the sums) as a sums file holds it: one row per account,
    key and month, sorted, with the file's id."""
    t = _grouped(t)
    n = t.num_rows
    columns = {c: t[c].cast(SUMS_SCHEMA.field(c).type) for c in SUMS_SCHEMA.names[1:]}
    return pa.table({"file_id": pa.array(np.full(n, file_id, dtype=np.int32)), **columns}, schema=SUMS_SCHEMA)


def _codes(t: pa.Table) -> list[np.ndarray]:
    """Each row's rank among the distinct accounts, keys and months (strings bytewise, as Arrow
    sorts them)."""
    codes: list[np.ndarray] = []
    for name in ("account", "objects"):
        column = distinct.dictionary(t[name])
        rank = pc.rank(column.dictionary, sort_keys="ascending").to_numpy().astype(np.int64) - 1
        codes.append(rank[column.indices.to_numpy(zero_copy_only=False)])
    codes.append(np.unique(t["month"].to_numpy(), return_inverse=True)[1].astype(np.int64).reshape(-1))
    return codes


def _order(codes: list[np.ndarray]) -> np.ndarray:
    """The rows ordered by their ranks, the first column first: the ranks made one number and
    sorted, or (never for a real ledger: too many distinct values for 64 bits) sorted rank by rank."""
    sizes = [int(code.max()) + 1 if code.size else 1 for code in codes]
    if sizes[0] * sizes[1] * sizes[2] >= 1 << 62:
        return np.lexsort(codes[::-1])
    return np.argsort((codes[0] * sizes[1] + codes[1]) * sizes[2] + codes[2], kind="stable")


def _sort_order(t: pa.Table) -> np.ndarray:
    """The order of ``t`` by account, key and month, as Arrow sorts them (strings bytewise).

    Each string column is ranked once per distinct value, and the rows sorted by the ranks
    made one number: sorting a region's millions of sums by their strings compared them
    again and again (4 s for 3.3 M rows against 0.3 s)."""
    return _order(_codes(t))


def year_sums(months: pa.Table, through: int) -> pa.Table:
    """A file's year sums from its monthly sums: the months up to ``through`` (YYYYMM, the month
    its fiscal year ends) folded into that month, the months after it as they are."""
    if months.num_rows == 0:
        return months
    file_id = int(months["file_id"][0].as_py())
    month = months["month"]
    folded = pc.if_else(pc.less_equal(month, through), pa.scalar(through, pa.int32()), month)
    t = months.drop_columns(["file_id"]).set_column(2, "month", folded)
    return _regrouped(t, file_id)


def sum_rows(rows_path: Path, file_id: int, dims: SumsDims) -> pa.Table | None:
    """The sums of one rows file (None when they could overflow int64)."""
    summer = Summer(dims)
    source = pq.ParquetFile(rows_path, read_dictionary=["account", "objects"])
    try:
        for i in range(source.num_row_groups):
            summer.add(source.read_row_group(i, columns=["kind", "account", "objects", "amount", "date"]))
    finally:
        source.close()
    return summer.table(file_id)


def write_table(table: pa.Table, path: Path) -> None:
    """Write a file's sums to ``path``, synced, replacing it whole: the same bytes whether the
    sums came from a rows file or from an import's streamed pieces."""
    tmp = path.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    # Statistics on: a query for some years skips the other years' files by their file_id.
    pq.write_table(table, tmp, compression="none", use_dictionary=["account", "objects"])
    with tmp.open("rb") as f:
        os.fsync(f.fileno())
    os.replace(tmp, path)


def sums_file(layout: Layout, file_id: int, sha256: str, dims: SumsDims, *, whole_year: bool = False) -> Path:
    return rows_file(layout, file_id, sha256, f"sums-{dims.tag}{YEAR_SUFFIX if whole_year else ''}")


def _write(
    con: duckdb.DuckDBPyConnection, path: Path, table: pa.Table, file_id: int, whole_year: bool
) -> None:
    """Write one sums file and record its check in place of the file's other sums of that kind."""
    write_table(table, path)
    c = check_of(path)
    kind = "LIKE" if whole_year else "NOT LIKE"
    con.execute(
        "DELETE FROM rows_check WHERE file_id = ? AND name LIKE '%.sums-%' "
        f"AND name {kind} '%{YEAR_SUFFIX}.parquet'",
        [file_id],
    )
    con.execute(
        "INSERT INTO rows_check VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [file_id, c.name, c.size, c.mtime_ns, c.ino, c.ctime_ns, c.digest, c.crc32],
    )


def _year_end(con: duckdb.DuckDBPyConnection, file_id: int) -> dt.date | None:
    row = con.execute("SELECT year_end FROM source_file WHERE file_id = ?", [file_id]).fetchone()
    return None if row is None or row[0] is None else row[0]


def write_sums(
    con: duckdb.DuckDBPyConnection, layout: Layout, file_id: int, sha256: str, dims: SumsDims
) -> bool:
    """Sum one indexed file's rows and record the sums files beside its rows files (in the
    caller's transaction): the monthly sums, made from the rows unless the file has them, and
    the year sums, made from the monthly ones. Returns whether they were written (not when the
    sums could overflow)."""
    monthly = sums_file(layout, file_id, sha256, dims)
    if summed(con, dims.tag).get(file_id) == monthly.name:
        # Checked when the store was opened, like the rows they were made from.
        table: pa.Table | None = pq.read_table(monthly)
    else:
        table = sum_rows(rows_file(layout, file_id, sha256, "rows"), file_id, dims)
        if table is None:
            return False
        _write(con, monthly, table, file_id, whole_year=False)
    end = _year_end(con, file_id)
    if end is not None and table is not None:
        _write(
            con,
            sums_file(layout, file_id, sha256, dims, whole_year=True),
            year_sums(table, month_of(end)),
            file_id,
            True,
        )
    return True


def missing(con: duckdb.DuckDBPyConnection, dims: SumsDims) -> list[tuple[int, str]]:
    """(file id, sha256) of the indexed files without sums for ``dims``: monthly, or year sums
    where the file has a fiscal year."""
    have = set(summed(con, dims.tag))
    whole = set(summed(con, dims.tag, whole_year=True))
    rows = con.execute("SELECT file_id, sha256, year_end FROM source_file ORDER BY file_id").fetchall()
    return [
        (int(f), str(h))
        for f, h, end in rows
        if int(f) not in have or (end is not None and int(f) not in whole)
    ]


def ensure_sums(
    con: duckdb.DuckDBPyConnection,
    layout: Layout,
    dims: SumsDims | None = None,
    only: Iterable[int] | None = None,
) -> None:
    """Write the sums each indexed file (or each of ``only``) lacks for the workspace's dimensions.

    Call in the writer's transaction or generation. A store written before sums (or year sums)
    existed, or whose dimension settings changed, is so brought up to date from its rows files
    (or its monthly sums), never from data/ledger again.
    """
    dims = dims if dims is not None else report_dims(layout)
    wanted = None if only is None else set(only)
    for file_id, sha256 in missing(con, dims):
        if (wanted is None or file_id in wanted) and rows_file(layout, file_id, sha256, "rows").is_file():
            write_sums(con, layout, file_id, sha256, dims)
