"""The distinct values of a string column with the first line each occurs on, in one pass.

The checks ask "which accounts and objects do the rows use, and where first?" of
millions of rows whose object keys are nearly all distinct (two dimensions with
100 000 objects make as many keys as rows). Hashing whole keys in Arrow, or
splitting them into Python objects, costs seconds per million rows; this compiled
pass hashes the bytes in place (FNV-1a, open addressing) and keeps, per distinct
value, its bytes and the smallest line. With ``split`` a value is a canonical object
key ("1:A1|6:P7", :func:`bokslut.sie.model.canonical_objects`) and each of its
pairs counts on its own.

A streamed import encodes each piece's grouped columns once (:func:`encoded`): the
checks, the sums and the rows file all read the same dictionary, and a column given
as a dictionary is hashed per distinct value here, not per row.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bokslut.sie.kernel import kernel

_PIPE = 124
_BACKSLASH = 92


# Columns of the hash table: a row per slot.
_HASH, _W0, _W1, _SLOT_INDEX, _BEST = 0, 1, 2, 3, 4


@kernel
def _fill(offsets, data, lines, split, row, at_byte, table, spans, count):
    """Hash values from (row, at_byte) on until ``spans`` is full; returns (row, at_byte, count).

    A table row holds the hash, the first 16 bytes of the value, its index + 1 (0 when
    free; shifted left 24 bits over the length) and its first line: one row read per
    lookup, since on millions of distinct keys memory latency, not hashing, is the cost.
    Values longer than 16 bytes are compared in ``data`` through ``spans`` (start, stop).
    The arrays are parameters, never reassigned here: growing them inside the loop would
    cost reference counting on every access.
    """
    mask = table.shape[0] - 1
    limit = min(spans.shape[0], table.shape[0] // 2)
    r = row
    i = at_byte
    n = offsets.shape[0] - 1
    while r < n:
        e = offsets[r + 1]
        if i < 0:
            i = offsets[r]
        while i < e or (not split and i == e and i == offsets[r]):
            if count >= limit:
                return r, i, count
            j = e
            if split:
                j = i
                while j < e and data[j] != _PIPE:
                    if data[j] == _BACKSLASH:
                        j += 1  # an escaped "|" belongs to the id
                    j += 1
                if j > e:
                    j = e
            h = np.uint64(14695981039346656037)
            w0 = np.uint64(0)
            w1 = np.uint64(0)
            for k in range(i, j):
                c = np.uint64(data[k])
                h = (h ^ c) * np.uint64(1099511628211)
                d = k - i
                if d < 8:
                    w0 |= c << np.uint64(8 * d)
                elif d < 16:
                    w1 |= c << np.uint64(8 * (d - 8))
            # FNV's low bits alone cluster on ids that differ in their last digits: mix them in.
            h ^= h >> np.uint64(29)
            h *= np.uint64(0xBF58476D1CE4E5B9)
            h ^= h >> np.uint64(32)
            length = j - i
            slot = np.int64(h & np.uint64(mask))
            while True:
                tag = table[slot, _SLOT_INDEX]
                if tag == 0:
                    spans[count, 0] = i
                    spans[count, 1] = j
                    table[slot, _HASH] = h
                    table[slot, _W0] = w0
                    table[slot, _W1] = w1
                    table[slot, _SLOT_INDEX] = (np.uint64(count + 1) << np.uint64(24)) | np.uint64(
                        min(length, 0xFFFFFF)
                    )
                    table[slot, _BEST] = np.uint64(lines[r])
                    count += 1
                    break
                if (
                    table[slot, _HASH] == h
                    and table[slot, _W0] == w0
                    and table[slot, _W1] == w1
                    and np.int64(tag & np.uint64(0xFFFFFF)) == min(length, 0xFFFFFF)
                ):
                    same = True
                    if length > 16:
                        m = np.int64(tag >> np.uint64(24)) - 1
                        a0 = spans[m, 0]
                        same = spans[m, 1] - a0 == length
                        if same:
                            for k in range(16, length):
                                if data[a0 + k] != data[i + k]:
                                    same = False
                                    break
                    if same:
                        if np.uint64(lines[r]) < table[slot, _BEST]:
                            table[slot, _BEST] = np.uint64(lines[r])
                        break
                slot = (slot + 1) & mask
            i = j + 1
        r += 1
        i = -1
    return r, i, count


@kernel
def _rehash(old, table):
    mask = table.shape[0] - 1
    for s in range(old.shape[0]):
        if old[s, _SLOT_INDEX] != 0:
            slot = np.int64(old[s, _HASH] & np.uint64(mask))
            while table[slot, _SLOT_INDEX] != 0:
                slot = (slot + 1) & mask
            table[slot, :] = old[s, :]


@kernel
def _bests(table, count):
    out = np.empty(count, np.int64)
    for s in range(table.shape[0]):
        tag = table[s, _SLOT_INDEX]
        if tag != 0:
            out[np.int64(tag >> np.uint64(24)) - 1] = np.int64(table[s, _BEST])
    return out


def _first_uses(
    offsets: np.ndarray, data: np.ndarray, lines: np.ndarray, split: bool
) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
    """(count, starts, stops, first lines) of the distinct values (pairs, with ``split``)."""
    cap = 4096
    table = np.zeros((2 * cap, 5), np.uint64)
    spans = np.empty((cap, 2), np.int64)
    row, at_byte, count = 0, -1, 0
    while True:
        row, at_byte, count = _fill(offsets, data, lines, split, row, at_byte, table, spans, count)
        if row >= offsets.shape[0] - 1:
            return count, spans[:count, 0].copy(), spans[:count, 1].copy(), _bests(table, count)
        cap *= 2
        grown = np.empty((cap, 2), np.int64)
        grown[:count] = spans[:count]
        spans = grown
        old, table = table, np.zeros((2 * cap, 5), np.uint64)
        _rehash(old, table)


@kernel
def _gather(data, starts, stops, out_offsets, out):
    pos = 0
    for m in range(starts.shape[0]):
        out_offsets[m] = pos
        for k in range(starts[m], stops[m]):
            out[pos] = data[k]
            pos += 1
    out_offsets[starts.shape[0]] = pos


def _chunk(values: pa.Array, lines: np.ndarray, split: bool) -> pa.Table:
    n = len(values)
    offsets = np.frombuffer(values.buffers()[1], np.int32)[values.offset : values.offset + n + 1]
    raw = values.buffers()[2]
    data = np.frombuffer(raw, np.uint8) if raw is not None else np.zeros(0, np.uint8)
    count, starts, stops, best = _first_uses(offsets.astype(np.int64), data, lines, split)
    out_offsets = np.empty(count + 1, np.int32)
    out = np.empty(int((stops - starts).sum()), np.uint8)
    _gather(data, starts, stops, out_offsets, out)
    strings = pa.Array.from_buffers(pa.string(), count, [None, pa.py_buffer(out_offsets), pa.py_buffer(out)])
    return pa.table({"value": strings, "line": pa.array(best)})


_UNUSED = np.iinfo(np.int64).max


@kernel
def _first_per_code(codes, lines, size):
    """The smallest line of each dictionary code (``_UNUSED`` for a code no row has)."""
    out = np.full(size, _UNUSED, np.int64)
    for i in range(codes.shape[0]):
        c = codes[i]
        if lines[i] < out[c]:
            out[c] = lines[i]
    return out


def _encoded_chunk(values: pa.DictionaryArray, lines: np.ndarray, split: bool) -> pa.Table:
    """:func:`_chunk` over the dictionary's values, each with the first line of its rows."""
    codes = values.indices.to_numpy(zero_copy_only=False).astype(np.int64, copy=False)
    firsts = _first_per_code(codes, lines, len(values.dictionary))
    used = firsts != _UNUSED
    dictionary = values.dictionary
    if not used.all():
        dictionary, firsts = dictionary.filter(pa.array(used)), firsts[used]
    return _chunk(dictionary, firsts, split)


def first_lines(values: pa.ChunkedArray, lines: pa.ChunkedArray, *, split: bool = False) -> pa.Table:
    """Each distinct value of ``values`` (or pair of its object keys) with its smallest line.

    ``values`` is a string column without nulls (or its dictionary encoding), ``lines`` the
    rows' line numbers. Returns a table ``value``, ``line`` in no particular order.
    """
    all_lines = lines.to_numpy().astype(np.int64, copy=False)
    parts = []
    start = 0
    for chunk in values.chunks:
        if len(chunk):
            at = all_lines[start : start + len(chunk)]
            encoded = isinstance(chunk, pa.DictionaryArray)
            parts.append(_encoded_chunk(chunk, at, split) if encoded else _chunk(chunk, at, split))
        start += len(chunk)
    if not parts:
        return pa.table({"value": pa.array([], pa.string()), "line": pa.array([], pa.int64())})
    if len(parts) == 1:
        return parts[0]
    merged = pa.concat_tables(parts).group_by("value").aggregate([("line", "min")])
    return pa.table({"value": merged["value"], "line": merged["line_min"]})


def as_dict(table: pa.Table) -> dict[str, int]:
    return dict(zip(table["value"].to_pylist(), table["line"].to_pylist(), strict=True))


# The columns of a piece's rows that the checks, the sums and the rows file group by.
ENCODED = ("kind", "account", "objects")


def dictionary(column: pa.ChunkedArray | pa.Array) -> pa.DictionaryArray:
    """``column`` (strings without nulls, or already a dictionary) as one dictionary array."""
    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if isinstance(arr, pa.DictionaryArray):
        return arr
    one = _one_value(arr)
    if one is not None:
        return one
    out = pc.dictionary_encode(arr)
    assert isinstance(out, pa.DictionaryArray)
    return out


def _one_value(arr: pa.Array) -> pa.DictionaryArray | None:
    """``arr`` as a dictionary of its one value, when every row holds the same (the kind
    "TRANS" on nearly every file): compared as bytes, cheaper than hashing each row."""
    n = len(arr)
    if n == 0 or arr.null_count or not pa.types.is_string(arr.type):
        return None
    offsets = np.frombuffer(arr.buffers()[1], np.int32)[arr.offset : arr.offset + n + 1]
    width = int(offsets[1] - offsets[0])
    if int(offsets[-1] - offsets[0]) != width * n:
        return None
    raw = arr.buffers()[2]
    data = np.zeros(0, np.uint8) if raw is None else np.frombuffer(raw, np.uint8)
    data = data[offsets[0] : offsets[-1]]
    # The first rows first: a column of many values is told from them in a moment.
    for rows in (slice(0, 64), slice(None)):
        if not (np.diff(offsets[rows]) == width).all():
            return None
        if width and not (data.reshape(n, width)[rows] == data[:width]).all():
            return None
    value = bytes(data[:width]).decode("utf-8")
    return pa.DictionaryArray.from_arrays(pa.array(np.zeros(n, np.int32)), pa.array([value], pa.string()))


def encoded(rows: pa.Table) -> pa.Table:
    """``rows`` with its :data:`ENCODED` columns as dictionaries, each encoded once for all
    that read them (a column already encoded is kept as it is)."""
    for name in ENCODED:
        at = rows.schema.get_field_index(name)
        if at >= 0 and not pa.types.is_dictionary(rows.schema.field(at).type):
            rows = rows.set_column(at, name, dictionary(rows.column(at)))
    return rows


def equal_to(column: pa.ChunkedArray | pa.Array, value: str) -> pa.Array | None:
    """Which rows of ``column`` (strings or a dictionary) hold ``value``; None when all do."""
    if pa.types.is_dictionary(column.type):
        arr = dictionary(column)
        hits = pc.equal(arr.dictionary, value)
        if pc.all(hits).as_py() is not False:
            return None  # every code stands for the value (or there are no rows)
        return hits.take(arr.indices)
    mask = pc.equal(column, value)
    if pc.all(mask).as_py() is not False:
        return None
    return mask.combine_chunks() if isinstance(mask, pa.ChunkedArray) else mask


@kernel
def _sums_by_key(key, amount, day, bound):
    """Per distinct ``key`` (in order of first use): the key, the sums of the positive and of
    the negative amounts, the rows and the last day. ``bound`` limits how many keys there
    can be (the table is sized by it)."""
    n = key.shape[0]
    cap = min(n, bound)
    size = 8192  # few probes per row even where keys crowd (the table stays within L2)
    while size < 2 * cap:
        size *= 2
    mask = size - 1
    slots = np.full(size, -1, np.int64)
    keys = np.empty(cap, np.int64)
    debit = np.zeros(cap, np.int64)
    credit = np.zeros(cap, np.int64)
    rows = np.zeros(cap, np.int64)
    last = np.empty(cap, np.int32)
    count = 0
    for i in range(n):
        k = key[i]
        # MurmurHash3's finalizer: codes made one number differ in few bits.
        h = np.uint64(k)
        h ^= h >> np.uint64(33)
        h *= np.uint64(0xFF51AFD7ED558CCD)
        h ^= h >> np.uint64(33)
        h *= np.uint64(0xC4CEB9FE1A85EC53)
        h ^= h >> np.uint64(33)
        s = np.int64(h & np.uint64(mask))
        while True:
            g = slots[s]
            if g < 0:
                g = count
                slots[s] = g
                keys[g] = k
                last[g] = day[i]
                count += 1
                break
            if keys[g] == k:
                break
            s = (s + 1) & mask
        a = amount[i]
        if a > 0:
            debit[g] += a
        elif a < 0:
            credit[g] += a
        rows[g] += 1
        if day[i] > last[g]:
            last[g] = day[i]
    return keys[:count], debit[:count], credit[:count], rows[:count], last[:count]


def sums_by_key(
    key: np.ndarray, amount: np.ndarray, day: np.ndarray, bound: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Rows grouped by an integer key made of dictionary codes (at most ``bound`` distinct):
    each key with the sums of its positive and of its negative amounts (exact int64, wrapping
    as Arrow's sums do), its rows and its last day. One pass, no string hashed; for the
    pieces a streamed import sums per account, objects and month or per account and date."""
    return _sums_by_key(
        key.astype(np.int64, copy=False),
        amount.astype(np.int64, copy=False),
        day.astype(np.int32, copy=False),
        max(1, bound),
    )
