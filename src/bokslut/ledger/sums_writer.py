"""Writing each indexed file's sums (see :mod:`bokslut.ledger.sums`): loaded only when the
store writes, like :mod:`bokslut.ledger.indexer`."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import secrets
import shutil
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from bokslut.ledger import sums_runs
from bokslut.ledger.journal import staging_dir
from bokslut.ledger.rowfiles import check_of, rows_file
from bokslut.ledger.sums import YEAR_SUFFIX, SumsDims, is_balance_account, month_of, report_dims, summed
from bokslut.sie import distinct
from bokslut.sie.kernel import decimal_digits, inlined, kernel, mix64
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

# How a sums file is written, by both writers (the same bytes either way): uncompressed, the
# columns of few values as dictionaries: the keys that queries group by, and the file, month
# and last date (with a dimension kept, `header`'s monthly sums were 152 MB, now 117 MB).
WRITER_OPTIONS: dict[str, Any] = {
    "compression": "none",
    "use_dictionary": ["account", "objects", "file_id", "month", "last_date"],
}


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


@inlined
def _reduce_into(data: Any, a: int, e: int, dims: Any, digits: Any, out: Any, pos: int) -> int:
    """The key at ``data[a:e]`` reduced to ``dims`` (ascending) into ``out`` from ``pos``:
    for each dimension the first "d:" at the key's start or after a "|", its id up to the
    next "|" not escaped by a backslash (a backslash takes the next byte with it, but not a
    line break, nor nothing: RE2's ``(?:[^|\\]|\\.)*``), the pairs joined by "|". Returns the
    position after it. Compiled into each kernel that calls it."""
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
    return pos


@kernel
def _reduced(
    offsets: np.ndarray, data: np.ndarray, dims: np.ndarray, out_offsets: np.ndarray, out: np.ndarray
) -> int:
    """Each key's pairs of ``dims`` (see :func:`_reduce_into`). Returns the bytes written to ``out``."""
    digits = np.empty(20, np.uint8)
    pos = 0
    for r in range(offsets.shape[0] - 1):
        out_offsets[r] = pos
        pos = _reduce_into(data, offsets[r], offsets[r + 1], dims, digits, out, pos)
    out_offsets[offsets.shape[0] - 1] = pos
    return pos


@kernel
def _reduced_by_class(
    offsets: np.ndarray,
    data: np.ndarray,
    result: np.ndarray,
    balance: np.ndarray,
    is_balance: np.ndarray,
    out_offsets: np.ndarray,
    out: np.ndarray,
) -> int:
    """Each row's key reduced to the dimensions of its account's class: ``balance`` where
    ``is_balance``, else ``result``. Returns the bytes written to ``out``."""
    digits = np.empty(20, np.uint8)
    pos = 0
    for r in range(offsets.shape[0] - 1):
        out_offsets[r] = pos
        dims = balance if is_balance[r] else result
        pos = _reduce_into(data, offsets[r], offsets[r + 1], dims, digits, out, pos)
    out_offsets[offsets.shape[0] - 1] = pos
    return pos


def _row_keys(keys: pa.Array, dims: SumsDims, is_balance: np.ndarray) -> pa.Array:
    """Each row's object key (strings without nulls) reduced to its account's class's
    dimensions: as :func:`reduce_keys` gives for each class, each key walked once."""
    n = len(keys)
    offsets = np.frombuffer(keys.buffers()[1], np.int32)[keys.offset : keys.offset + n + 1].astype(np.int64)
    raw = keys.buffers()[2]
    data = np.frombuffer(raw, np.uint8) if raw is not None else np.zeros(0, np.uint8)
    widest = max(len(dims.result), len(dims.balance))
    out = np.empty(widest * (int(offsets[-1] - offsets[0]) + n), np.uint8)
    out_offsets = np.empty(n + 1, np.int32)
    used = _reduced_by_class(
        offsets,
        data,
        np.array(dims.result, np.int64),
        np.array(dims.balance, np.int64),
        is_balance,
        out_offsets,
        out,
    )
    return pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(out_offsets), pa.py_buffer(out[:used])])


_KEYS = ["account", "objects", "month"]
_SUMMED = [("debit", "sum"), ("credit", "sum"), ("rows", "sum"), ("last_date", "max")]

# A group's entry in :class:`Summer`'s table: account and key codes (one number), month
# (since 1970-01), the sums of the positive and of the negative amounts, rows, last day.
_AK, _MONTH, _DEBIT, _CREDIT, _ROWS, _LAST = range(6)


@inlined
def _group_hash(ak: int, month: int) -> np.uint64:
    return mix64(np.uint64(ak) ^ (np.uint64(month) * np.uint64(0x9E3779B97F4A7C15)))


# Rows whose slots and entries are read ahead of adding them: their cache misses overlap.
_AHEAD = 32


@kernel
def _accumulate(
    a_idx: np.ndarray,
    a_codes: np.ndarray,
    keys: np.ndarray,
    days: np.ndarray,
    first_day: int,
    month_of_day: np.ndarray,
    amount: np.ndarray,
    row: int,
    slots: np.ndarray,
    entries: np.ndarray,
    state: np.ndarray,
) -> int:
    """Add each row from ``row`` on to its group's entry (account code ``a_codes[a_idx]``,
    key code, month); returns the row it stopped at: the last, or earlier when the table
    must grow. ``state[0]`` is the entries used.

    A region's groups are millions, so nearly every row's slot and entry are read from
    memory: a batch of rows' are read first, one load after the other (the loads overlap),
    and then the rows added, from the caches."""
    mask = slots.shape[0] - 1
    limit = min(entries.shape[0], slots.shape[0] // 2)
    count = state[0]
    n: int = a_idx.shape[0]
    aks = np.empty(_AHEAD, np.int64)
    months = np.empty(_AHEAD, np.int64)
    at = np.empty(_AHEAD, np.int64)
    warm = np.int64(0)
    for first in range(row, n, _AHEAD):
        last = min(first + _AHEAD, n)
        for i in range(first, last):
            b = i - first
            aks[b] = (np.int64(a_codes[a_idx[i]]) << 32) | np.int64(keys[i])
            months[b] = np.int64(month_of_day[days[i] - first_day])
            at[b] = np.int64(_group_hash(aks[b], months[b]) & np.uint64(mask))
        for b in range(last - first):
            g = slots[at[b]]
            if g >= 0:
                warm += entries[g, _ROWS]
        for i in range(first, last):
            b = i - first
            ak = aks[b]
            month = months[b]
            s = at[b]
            while True:
                g = slots[s]
                if g < 0:
                    if count >= limit:
                        state[0] = count
                        return i
                    g = count
                    slots[s] = g
                    entries[g, _AK] = ak
                    entries[g, _MONTH] = month
                    entries[g, _DEBIT] = 0
                    entries[g, _CREDIT] = 0
                    entries[g, _ROWS] = 0
                    entries[g, _LAST] = days[i]
                    count += 1
                    break
                if entries[g, _AK] == ak and entries[g, _MONTH] == month:
                    break
                s = (s + 1) & mask
            a = amount[i]
            if a > 0:
                entries[g, _DEBIT] += a
            elif a < 0:
                entries[g, _CREDIT] += a
            entries[g, _ROWS] += 1
            if days[i] > entries[g, _LAST]:
                entries[g, _LAST] = days[i]
    state[0] = count
    state[1] = warm  # read, so that reading ahead is not left out by the compiler
    return n


@kernel
def _rehash_groups(entries: np.ndarray, count: int, slots: np.ndarray) -> None:
    mask = slots.shape[0] - 1
    for g in range(count):
        s = np.int64(_group_hash(entries[g, _AK], entries[g, _MONTH]) & np.uint64(mask))
        while slots[s] >= 0:
            s = (s + 1) & mask
        slots[s] = g


class Summer:
    """Sums rows piece by piece (a rows file's row groups, or an import's streamed pieces).

    Every row goes straight to its group's entry in one table kept over all the pieces:
    accounts and reduced object keys are given codes that hold for the whole file (the
    keys by :class:`bokslut.sie.distinct.Codes`, each key walked once to its reduction),
    so nothing is merged afterwards and no string is carried until the sums are taken.

    Given a ``spill`` folder, it holds at most about :data:`~bokslut.ledger.sums_runs.SPILL_GROUPS`
    groups: past them it writes a sorted run there and starts again (see
    :mod:`bokslut.ledger.sums_runs`); :meth:`write` then writes the file's sums from the runs.
    """

    def __init__(self, dims: SumsDims, spill: Path | None = None) -> None:
        self.dims = dims
        self._spill = spill
        self._runs: list[Path] = []
        self._keeps = bool(dims.result or dims.balance)
        self._accounts: dict[str, int] = {}
        self._balance: list[bool] = []  # per account code
        self._keys = distinct.Codes()
        if not self._keeps:
            self._keys.codes(pa.array([""], pa.string()))  # code 0: the one key
        # Each slot an entry's index or -1: int32, half the memory read at random per row (a
        # file's groups are fewer than its rows, and its rows far fewer than 2**31).
        self._slots = np.full(8192, -1, np.int32)
        self._entries = np.empty((4096, 6), np.int64)
        self._state = np.zeros(2, np.int64)
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
        n = t.num_rows
        count = int(self._state[0])
        # Before the piece, which may add as many groups and keys as it has rows: the table
        # then never grows past the budget (its entries' memory doubles when it grows).
        if (
            self._spill is not None
            and count
            and (count + n > sums_runs.SPILL_GROUPS or len(self._keys) + n > sums_runs.SPILL_KEYS)
        ):
            self._write_run(self._spill)
        amount = distinct.whole(t["amount"]).to_numpy(zero_copy_only=False).astype(np.int64)
        self._biggest = max(self._biggest, int(amount.max()), -int(amount.min()))
        self._rows += amount.size
        acc = distinct.dictionary(t["account"])
        a_codes = np.array([self._account(a) for a in acc.dictionary.to_pylist()], np.int32)
        a_idx = acc.indices.to_numpy(zero_copy_only=False)
        keys = self._row_keys(t["objects"], a_codes, a_idx)
        days = distinct.whole(t["date"]).cast(pa.int32()).to_numpy(zero_copy_only=False)
        # The months of the piece's days (a piece spans few), each day converted once.
        first_day = int(days.min())
        span = np.arange(first_day, int(days.max()) + 1, dtype=np.int64)
        months = span.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
        row = 0
        while row < a_idx.shape[0]:
            row = _accumulate(
                a_idx,
                a_codes,
                keys,
                days,
                first_day,
                months,
                amount,
                row,
                self._slots,
                self._entries,
                self._state,
            )
            if row < a_idx.shape[0]:
                self._grow()

    @property
    def spilled(self) -> bool:
        """Whether some of the sums are in runs (see :meth:`write`), not all in memory."""
        return bool(self._runs)

    @property
    def overflows(self) -> bool:
        """Whether a sum could overflow int64 (the file's queries then read the rows)."""
        return self._biggest * self._rows > _LIMIT

    def _write_run(self, folder: Path) -> None:
        """The groups held written, sorted, as a run; the table and the keys begun again."""
        self._runs.append(sums_runs.write_run(self._sorted(0), folder, len(self._runs)))
        self._state[0] = 0
        self._slots.fill(-1)
        self._keys = distinct.Codes()
        if not self._keeps:
            self._keys.codes(pa.array([""], pa.string()))

    def write(self, file_id: int, path: Path, year: tuple[Path, int] | None = None) -> bool:
        """Write the file's sums to ``path`` (as :func:`write_table` does); False, writing
        nothing, when a sum could overflow int64. Spilled, from the runs, which are removed.

        ``year`` (a path and the month its fiscal year ends, YYYYMM): the year sums
        (:func:`year_sums`) written there too, made from the sums in memory while the monthly
        ones are written (the Parquet writer lets the GIL go); not when spilled."""
        try:
            if self.overflows:
                return False
            if not self._runs:
                table = self._sorted(file_id)
                if year is None:
                    write_table(table, path)
                    return True
                year_path, through = year
                with ThreadPoolExecutor(max_workers=1, thread_name_prefix="bokslut-year") as pool:
                    made = pool.submit(lambda: write_table(year_sums(table, through), year_path))
                    write_table(table, path)
                    made.result()
                return True
            assert self._spill is not None
            if int(self._state[0]):
                self._write_run(self._spill)
            # What the runs hold is on disk: the table's memory is DuckDB's while it sorts them.
            self._slots = np.full(8192, -1, np.int32)
            self._entries = np.empty((4096, 6), np.int64)
            self._keys = distinct.Codes()
            with _SortedWriter(path, 0) as out:
                for piece in sums_runs.sorted_rows(self._runs, self._spill, file_id, SUMS_SCHEMA):
                    out.add(piece)
            return True
        finally:
            self.discard_runs()

    def discard_runs(self) -> None:
        """Remove the runs written (and the spill folder)."""
        if self._spill is not None and (self._runs or self._spill.exists()):
            shutil.rmtree(self._spill, ignore_errors=True)
        self._runs = []

    def _account(self, account: str) -> int:
        code = self._accounts.get(account)
        if code is None:
            code = self._accounts[account] = len(self._accounts)
            self._balance.append(is_balance_account(account))
        return code

    def _row_keys(self, column: pa.ChunkedArray, a_codes: np.ndarray, a_idx: np.ndarray) -> np.ndarray:
        """Each row's object key's code, reduced for its account's class (the account's code is
        ``a_codes[a_idx]``). With no dimensions kept nothing is read at
        all: a column left as strings (nearly all distinct, see
        :func:`bokslut.sie.distinct.encoded`) is then never hashed. A dictionary's values are
        reduced once each; strings row by row (reducing a key costs less than hashing it whole)."""
        if not self._keeps:
            return np.zeros(len(column), np.int32)
        is_balance = np.array(self._balance, bool)[a_codes][a_idx]
        objects = distinct.whole(column)
        if isinstance(objects, pa.DictionaryArray):
            values = objects.dictionary
            result = self._keys.codes(reduce_keys(values, self.dims.result))
            balance = self._keys.codes(reduce_keys(values, self.dims.balance))
            o_idx = objects.indices.to_numpy(zero_copy_only=False)
            out: np.ndarray = np.where(is_balance, balance[o_idx], result[o_idx])
            return out
        return self._keys.codes(_row_keys(objects, self.dims, is_balance))

    def _grow(self) -> None:
        count = int(self._state[0])
        if count >= self._entries.shape[0]:
            entries = np.empty((2 * self._entries.shape[0], 6), np.int64)
            entries[:count] = self._entries[:count]
            self._entries = entries
        if count >= self._slots.shape[0] // 2:
            self._slots = np.full(2 * self._slots.shape[0], -1, np.int32)
            _rehash_groups(self._entries, count, self._slots)

    def table(self, file_id: int) -> pa.Table | None:
        """The file's sums, or None when a sum could overflow int64 (its queries read the rows).
        Not once spilled (:meth:`write` writes them then)."""
        if self._runs:
            raise RuntimeError("the sums are spilled to runs: write them with Summer.write")
        if self.overflows:
            return None
        return self._sorted(file_id)

    def _sorted(self, file_id: int) -> pa.Table:
        """The sums held, sorted by account, key and month."""
        entries = self._entries[: int(self._state[0])]
        if entries.shape[0] == 0:
            return SUMS_SCHEMA.empty_table()
        accounts = pa.array(list(self._accounts), pa.string())
        keys = self._keys.strings()
        # Sorted by the ranks of the strings (bytewise, as Arrow sorts them): each group's
        # entry is already the one of its account, key and month. The entries are moved
        # with their ranks in place of their codes, so that the strings, sorted, are read
        # in turn too.
        a_offsets, a_data = _string_buffers(accounts.take(pc.sort_indices(accounts)))
        k_offsets, k_data = _string_buffers(keys.take(pc.sort_indices(keys)))
        moved, order, a_bytes, k_bytes = _in_order(
            entries, _ranks(accounts), _ranks(keys), np.diff(a_offsets), np.diff(k_offsets)
        )
        n = order.size
        if max(a_bytes, k_bytes) > _STRING_BYTES:
            raise OverflowError("the sums' strings pass what an Arrow string column holds")
        out = {name: np.empty(n, np.int64) for name in ("debit", "credit", "rows")}
        month_out = np.empty(n, np.int32)
        last = np.empty(n, np.int32)
        acc_offsets, obj_offsets = np.empty(n + 1, np.int32), np.empty(n + 1, np.int32)
        acc_data, obj_data = np.empty(a_bytes, np.uint8), np.empty(k_bytes, np.uint8)
        _sums_columns(
            moved,
            order,
            a_offsets,
            a_data,
            k_offsets,
            k_data,
            acc_offsets,
            acc_data,
            obj_offsets,
            obj_data,
            month_out,
            out["debit"],
            out["credit"],
            out["rows"],
            last,
        )

        def strings(offsets: np.ndarray, data: np.ndarray) -> pa.Array:
            return pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(data)])

        return pa.table(
            {
                "file_id": pa.array(np.full(n, file_id, dtype=np.int32)),
                "account": strings(acc_offsets, acc_data),
                "objects": strings(obj_offsets, obj_data),
                "month": pa.array(month_out),
                **{name: pa.array(values) for name, values in out.items()},
                "last_date": pa.array(last).cast(pa.date32()),
            },
            schema=SUMS_SCHEMA,
        )


# Entries per bucket when they are put in order (:func:`_in_order`): a bucket's entries stay
# in the processor's caches while they are sorted and read.
_BUCKET_ENTRIES = 512
_PACKED_BITS = 63  # what a bucket's rank and entry may take of an int64 (the sign bit left)


def _in_order(
    entries: np.ndarray,
    a_ranks: np.ndarray,
    k_ranks: np.ndarray,
    a_lengths: np.ndarray,
    k_lengths: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, int, int]:
    """The entries moved, with the ranks of their account and key in place of their codes
    (one number, as the codes were), the order to read them in (by account, key and month
    as :func:`_order` gives it), and the bytes of their accounts' and keys' strings.

    A region's millions of entries read in that order are read at random, each from memory:
    so they are first moved, read in turn, to buckets of the ranks' leading bits
    (:func:`_bucket_sort`), and each bucket is ordered on its own, within the caches. The
    numbers are made in one pass (:func:`_ranked`), not as arrays of millions on the way
    (each one memory the operating system maps afresh)."""
    n = entries.shape[0]
    m_first = int(entries[:, _MONTH].min())
    sizes = [a_ranks.size, k_ranks.size, int(entries[:, _MONTH].max()) - m_first + 1]
    span = sizes[0] * sizes[1] * sizes[2]
    index_bits = max(1, (n - 1).bit_length())
    buckets = max(1, n // _BUCKET_ENTRIES)
    shift = max(0, (span - 1).bit_length() - buckets.bit_length())
    combined = np.empty(n, np.int64)
    first = np.empty(n, np.int64)
    a_bytes, k_bytes = _ranked(
        entries, a_ranks, k_ranks, a_lengths, k_lengths, m_first, sizes[1], sizes[2], combined, first
    )
    if span >= 1 << 62 or shift + index_bits > _PACKED_BITS:
        moved = entries.copy()
        moved[:, 0] = first
        codes = [first >> 32, first & 0xFFFFFFFF, entries[:, _MONTH] - m_first]
        return moved, _order(codes), a_bytes, k_bytes
    moved = np.empty_like(entries)
    order = np.empty(n, np.int64)
    _bucket_sort(combined, entries, first, shift, ((span - 1) >> shift) + 1, index_bits, moved, order)
    return moved, order, a_bytes, k_bytes


@kernel
def _ranked(
    entries: np.ndarray,
    a_ranks: np.ndarray,
    k_ranks: np.ndarray,
    a_lengths: np.ndarray,
    k_lengths: np.ndarray,
    m_first: int,
    nk: int,
    nm: int,
    combined: np.ndarray,
    first: np.ndarray,
) -> tuple[int, int]:
    """Each entry's ranks of account, key and month made one number (``combined``, when it
    fits 64 bits) and its account's and key's ranks (``first``); the bytes of the strings."""
    a_bytes = 0
    k_bytes = 0
    for i in range(entries.shape[0]):
        ak = entries[i, _AK]
        ra = a_ranks[ak >> 32]
        rk = k_ranks[ak & 0xFFFFFFFF]
        first[i] = (ra << 32) | rk
        combined[i] = (ra * nk + rk) * nm + (entries[i, _MONTH] - m_first)
        a_bytes += a_lengths[ra]
        k_bytes += k_lengths[rk]
    return a_bytes, k_bytes


@kernel
def _bucket_sort(
    combined: np.ndarray,
    entries: np.ndarray,
    first: np.ndarray,
    shift: int,
    n_buckets: int,
    index_bits: int,
    moved: np.ndarray,
    order: np.ndarray,
) -> None:
    """Entries moved to buckets by ``combined >> shift`` (in their order within a bucket),
    ``first`` in place of their first column, and ``order``: where in ``moved`` each entry
    is, by ``combined`` and then by the entries' order."""
    n = combined.shape[0]
    starts = np.zeros(n_buckets + 1, np.int64)
    for i in range(n):
        starts[(combined[i] >> shift) + 1] += 1
    for b in range(n_buckets):
        starts[b + 1] += starts[b]
    at = starts[:-1].copy()
    packed = np.empty(n, np.int64)
    low = (np.int64(1) << shift) - 1
    for i in range(n):
        b = combined[i] >> shift
        p = at[b]
        at[b] = p + 1
        moved[p, 0] = first[i]
        for c in range(1, entries.shape[1]):
            moved[p, c] = entries[i, c]
        packed[p] = ((combined[i] & low) << index_bits) | (p - starts[b])
    index = (np.int64(1) << index_bits) - 1
    for b in range(n_buckets):
        s = starts[b]
        e = starts[b + 1]
        if e - s > 1:
            packed[s:e].sort()
        for j in range(s, e):
            order[j] = s + (packed[j] & index)


_STRING_BYTES = (1 << 31) - 1  # an Arrow string column's offsets are int32


def _string_buffers(strings: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """The offsets (int64, from 0) and bytes of a string array without nulls."""
    n = len(strings)
    offsets = np.frombuffer(strings.buffers()[1], np.int32)[strings.offset : strings.offset + n + 1]
    raw = strings.buffers()[2]
    data = np.frombuffer(raw, np.uint8) if raw is not None else np.zeros(0, np.uint8)
    return offsets.astype(np.int64) - offsets[0], data[offsets[0] : offsets[-1]]


@kernel
def _sums_columns(
    entries: np.ndarray,
    order: np.ndarray,
    a_offsets: np.ndarray,
    a_data: np.ndarray,
    k_offsets: np.ndarray,
    k_data: np.ndarray,
    acc_offsets: np.ndarray,
    acc_data: np.ndarray,
    obj_offsets: np.ndarray,
    obj_data: np.ndarray,
    month: np.ndarray,
    debit: np.ndarray,
    credit: np.ndarray,
    rows: np.ndarray,
    last: np.ndarray,
) -> None:
    """The sums file's columns in ``order``, each entry read once (column by column, each
    column would read them all again). An entry's first number holds the ranks of its
    account and key among ``a_offsets`` and ``k_offsets``."""
    pa_ = 0
    po = 0
    for i in range(order.shape[0]):
        g = order[i]
        ak = entries[g, _AK]
        a = ak >> 32
        k = ak & 0xFFFFFFFF
        acc_offsets[i] = pa_
        for b in range(a_offsets[a], a_offsets[a + 1]):
            acc_data[pa_] = a_data[b]
            pa_ += 1
        obj_offsets[i] = po
        for b in range(k_offsets[k], k_offsets[k + 1]):
            obj_data[po] = k_data[b]
            po += 1
        m = entries[g, _MONTH]
        month[i] = (m // 12 + 1970) * 100 + m % 12 + 1
        debit[i] = entries[g, _DEBIT]
        credit[i] = entries[g, _CREDIT]
        rows[i] = entries[g, _ROWS]
        last[i] = entries[g, _LAST]
    acc_offsets[order.shape[0]] = pa_
    obj_offsets[order.shape[0]] = po


def _ranks(strings: pa.Array) -> np.ndarray:
    """Each (distinct) string's rank among them, bytewise as Arrow sorts strings."""
    out: np.ndarray = pc.rank(strings, sort_keys="ascending").to_numpy().astype(np.int64) - 1
    return out


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
    """The rows ordered by their ranks, the first column first, rows of the same ranks in
    their order: the ranks made one number and sorted, with the row's index in the low bits
    where they fit (sorting numbers is about twice as fast as sorting indices by them), or
    (never for a real ledger: too many distinct values for 64 bits) sorted rank by rank."""
    sizes = [int(code.max()) + 1 if code.size else 1 for code in codes]
    span = sizes[0] * sizes[1] * sizes[2]
    if span >= 1 << 62:
        return np.lexsort(codes[::-1])
    combined = (codes[0] * sizes[1] + codes[1]) * sizes[2] + codes[2]
    n = combined.size
    index_bits = max(1, (n - 1).bit_length())
    if (span - 1).bit_length() + index_bits > 63:
        return np.argsort(combined, kind="stable")
    packed = (combined.astype(np.int64) << index_bits) | np.arange(n, dtype=np.int64)
    packed.sort()
    out: np.ndarray = packed & ((1 << index_bits) - 1)
    return out


def _sort_order(t: pa.Table) -> np.ndarray:
    """The order of ``t`` by account, key and month, as Arrow sorts them (strings bytewise).

    Each string column is ranked once per distinct value, and the rows sorted by the ranks
    made one number: sorting a region's millions of sums by their strings compared them
    again and again (4 s for 3.3 M rows against 0.3 s)."""
    return _order(_codes(t))


def year_sums(months: pa.Table, through: int) -> pa.Table:
    """A file's year sums from its monthly sums: the months up to ``through`` (YYYYMM, the month
    its fiscal year ends) folded into that month, the months after it as they are.

    A sums file's rows are sorted by account, key and month, and folding the months keeps
    that order: the rows to add up are then next to each other, found by comparing each row
    with the one before it (no string hashed or ranked). Rows not so sorted are grouped."""
    if months.num_rows == 0:
        return months
    out = _folded(months, through)
    if out is None:
        file_id = int(months["file_id"][0].as_py())
        month = distinct.whole(months["month"]).to_numpy(zero_copy_only=False)
        folded = pa.array(np.maximum(month, through).astype(np.int32))
        return _regrouped(months.drop_columns(["file_id"]).set_column(2, "month", folded), file_id)
    return out


def _folded(months: pa.Table, through: int) -> pa.Table | None:
    """:func:`year_sums` of rows sorted by account, key and month (rows of the same ones may
    follow each other: they are added up too); None when they are not so sorted."""
    file_id = int(months["file_id"][0].as_py())
    month = distinct.whole(months["month"]).to_numpy(zero_copy_only=False)
    folded = np.maximum(month, through).astype(np.int32)
    account = distinct.whole(months["account"].cast(pa.string()))
    objects = distinct.whole(months["objects"].cast(pa.string()))
    runs = _runs(account, objects, month, folded)
    if runs is None:
        return None
    n = runs.size
    firsts = pa.array(runs)

    def added(name: str) -> pa.Array:
        values = distinct.whole(months[name]).to_numpy(zero_copy_only=False)
        return pa.array(np.add.reduceat(values, runs))

    last = distinct.whole(months["last_date"]).cast(pa.int32()).to_numpy(zero_copy_only=False)
    return pa.table(
        {
            "file_id": pa.array(np.full(n, file_id, dtype=np.int32)),
            "account": account.take(firsts),
            "objects": objects.take(firsts),
            "month": pa.array(folded[runs]),
            "debit": added("debit"),
            "credit": added("credit"),
            "rows": added("rows"),
            "last_date": pa.array(np.maximum.reduceat(last, runs)).cast(pa.date32()),
        },
        schema=SUMS_SCHEMA,
    )


def _runs(account: pa.Array, objects: pa.Array, month: np.ndarray, folded: np.ndarray) -> np.ndarray | None:
    """Where each run of rows of the same account, key and folded month starts; None when the
    rows are not sorted by account, key and month (each row after or beside the one before it)."""
    if len(account) == 1:
        return np.zeros(1, np.int64)
    head, tail = slice(0, len(account) - 1), slice(1, None)

    def compared(column: pa.Array, op: str) -> np.ndarray:
        out: np.ndarray = pc.call_function(op, [column[tail], column[head]]).to_numpy(zero_copy_only=False)
        return out

    same_account = compared(account, "equal")
    same_key = same_account & compared(objects, "equal")
    later = np.where(
        same_key,
        month[tail] >= month[head],
        np.where(same_account, compared(objects, "greater"), compared(account, "greater")),
    )
    if not later.all():
        return None
    changed = ~same_key | (folded[tail] != folded[head])
    return np.flatnonzero(np.r_[True, changed])


class _SortedWriter:
    """A sums file written from pieces sorted by account, key and month, one after the other,
    the months up to ``through`` folded (:func:`year_sums`) and the rows of the same account,
    key and folded month added up, also across pieces; in row groups as :func:`write_table`
    makes them (the same bytes as the whole table written at once)."""

    def __init__(self, path: Path, through: int) -> None:
        self._path = path
        self._tmp = path.with_suffix(".tmp")
        self._tmp.unlink(missing_ok=True)
        self._through = through
        self._writer = pq.ParquetWriter(self._tmp, SUMS_SCHEMA, **WRITER_OPTIONS)
        self._last: pa.Table | None = None  # the last row: the next piece may add to it
        self._held: list[pa.Table] = []
        self._held_rows = 0

    def __enter__(self) -> _SortedWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is None:
            self.close()
        else:
            with contextlib.suppress(Exception):
                self._writer.close()
            self._tmp.unlink(missing_ok=True)

    def add(self, piece: pa.Table) -> None:
        if piece.num_rows == 0:
            return
        # Folded first, so that the last row (folded) is compared with the piece's folded months.
        month = distinct.whole(piece["month"]).to_numpy(zero_copy_only=False)
        piece = piece.set_column(3, "month", pa.array(np.maximum(month, self._through).astype(np.int32)))
        if self._last is not None:
            piece = pa.concat_tables([self._last, piece])
        out = _folded(piece, self._through)
        if out is None:
            raise ValueError(f"{self._path.name}: the sums to write are not sorted")
        n = out.num_rows
        self._hold(out.slice(0, n - 1))
        self._last = out.slice(n - 1)

    def _hold(self, t: pa.Table) -> None:
        self._held.append(t)
        self._held_rows += t.num_rows
        while self._held_rows >= _GROUP_ROWS:
            self._flush(_GROUP_ROWS)

    def _flush(self, n: int) -> None:
        held = pa.concat_tables(self._held)
        # One chunk, as a whole table written at once gives the writer: its pages are the same.
        self._writer.write_table(held.slice(0, n).combine_chunks(), row_group_size=_GROUP_ROWS)
        rest = held.slice(n)
        self._held, self._held_rows = ([rest] if rest.num_rows else []), rest.num_rows

    def close(self) -> None:
        if self._last is not None:
            self._hold(self._last)
            self._last = None
        if self._held_rows:
            self._flush(self._held_rows)
        self._writer.close()
        with self._tmp.open("rb") as f:
            os.fsync(f.fileno())
        os.replace(self._tmp, self._path)


_GROUP_ROWS = 1 << 20  # the rows of a row group pq.write_table writes


def sum_rows(rows_path: Path, file_id: int, dims: SumsDims) -> pa.Table | None:
    """The sums of one rows file, in memory (None when they could overflow int64)."""
    return _summed(rows_path, dims).table(file_id)


def _summed(rows_path: Path, dims: SumsDims, spill: Path | None = None) -> Summer:
    """A Summer fed one rows file's rows (spilling to ``spill``, if given, see :class:`Summer`)."""
    summer = Summer(dims, spill)
    source = pq.ParquetFile(rows_path, read_dictionary=["account", "objects"])
    try:
        for i in range(source.num_row_groups):
            summer.add(source.read_row_group(i, columns=["kind", "account", "objects", "amount", "date"]))
    except BaseException:
        summer.discard_runs()
        raise
    finally:
        source.close()
    return summer


def write_table(table: pa.Table, path: Path) -> None:
    """Write a file's sums to ``path``, synced, replacing it whole: the same bytes whether the
    sums came from a rows file or from an import's streamed pieces."""
    tmp = path.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    # Statistics on: a query for some years skips the other years' files by their file_id.
    pq.write_table(table, tmp, **WRITER_OPTIONS)
    with tmp.open("rb") as f:
        os.fsync(f.fileno())
    os.replace(tmp, path)


def sums_file(layout: Layout, file_id: int, digest: str, dims: SumsDims, *, whole_year: bool = False) -> Path:
    return rows_file(layout, file_id, digest, f"sums-{dims.tag}{YEAR_SUFFIX if whole_year else ''}")


def _record(con: duckdb.DuckDBPyConnection, path: Path, file_id: int, whole_year: bool) -> None:
    """Record a sums file's check in place of the file's other sums of that kind."""
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
    con: duckdb.DuckDBPyConnection, layout: Layout, file_id: int, digest: str, dims: SumsDims
) -> bool:
    """Sum one indexed file's rows and record the sums files beside its rows files (in the
    caller's transaction): the monthly sums, made from the rows unless the file has them, and
    the year sums, made from the monthly ones. Returns whether they were written (not when the
    sums could overflow)."""
    monthly = sums_file(layout, file_id, digest, dims)
    table: pa.Table | None = None  # the monthly sums, when in memory
    if summed(con, dims.tag).get(file_id) != monthly.name:
        spill = staging_dir(layout) / f"summor-{file_id}-{secrets.token_hex(8)}"
        summer = _summed(rows_file(layout, file_id, digest, "rows"), dims, spill)
        if summer.overflows:
            summer.discard_runs()
            return False
        if summer.spilled:
            summer.write(file_id, monthly)
        else:
            table = summer.table(file_id)
            assert table is not None
            write_table(table, monthly)
        _record(con, monthly, file_id, whole_year=False)
    end = _year_end(con, file_id)
    if end is not None:
        year = sums_file(layout, file_id, digest, dims, whole_year=True)
        _write_year_sums(monthly, table, month_of(end), year)
        _record(con, year, file_id, whole_year=True)
    return True


def _write_year_sums(monthly: Path, table: pa.Table | None, through: int, path: Path) -> None:
    """The year sums of the monthly sums in ``table`` or else in the file ``monthly``: of a
    file of more rows than a Summer holds, row group by row group, each added to the last."""
    if table is None:
        source = pq.ParquetFile(monthly, memory_map=True)
        try:
            if source.metadata.num_rows > sums_runs.SPILL_GROUPS:
                with _SortedWriter(path, through) as out:
                    for i in range(source.num_row_groups):
                        out.add(source.read_row_group(i))
                return
        finally:
            source.close()
        # Checked when the store was opened, like the rows they were made from. Mapped, not
        # read into buffers: a region's monthly sums are 150 MB, read again only for this.
        table = pq.read_table(monthly, memory_map=True)
    write_table(year_sums(table, through), path)


def missing(con: duckdb.DuckDBPyConnection, dims: SumsDims) -> list[tuple[int, str]]:
    """(file id, digest) of the indexed files without sums for ``dims``: monthly, or year sums
    where the file has a fiscal year."""
    have = set(summed(con, dims.tag))
    whole = set(summed(con, dims.tag, whole_year=True))
    rows = con.execute("SELECT file_id, digest, year_end FROM source_file ORDER BY file_id").fetchall()
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
    for file_id, digest in missing(con, dims):
        if (wanted is None or file_id in wanted) and rows_file(layout, file_id, digest, "rows").is_file():
            write_sums(con, layout, file_id, digest, dims)
