"""The distinct values of a string column with the first line each occurs on, in one pass.

The checks ask "which accounts and objects do the rows use, and where first?" of
millions of rows whose object keys are nearly all distinct (two dimensions with
100 000 objects make as many keys as rows). Hashing whole keys in Arrow, or
splitting them into Python objects, costs seconds per million rows; this compiled
pass hashes the bytes in place (FNV-1a, open addressing) and keeps, per distinct
value, its bytes and the smallest line. With ``split`` a value is a canonical object
key ("1:A1|6:P7", :func:`bokslut.sie.model.canonical_objects`) and each of its
pairs counts on its own.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

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


def first_lines(values: pa.ChunkedArray, lines: pa.ChunkedArray, *, split: bool = False) -> pa.Table:
    """Each distinct value of ``values`` (or pair of its object keys) with its smallest line.

    ``values`` is a string column without nulls, ``lines`` the rows' line numbers. Returns a
    table ``value``, ``line`` in no particular order.
    """
    all_lines = lines.to_numpy().astype(np.int64, copy=False)
    parts = []
    start = 0
    for chunk in values.chunks:
        if len(chunk):
            parts.append(_chunk(chunk, all_lines[start : start + len(chunk)], split))
        start += len(chunk)
    if not parts:
        return pa.table({"value": pa.array([], pa.string()), "line": pa.array([], pa.int64())})
    if len(parts) == 1:
        return parts[0]
    merged = pa.concat_tables(parts).group_by("value").aggregate([("line", "min")])
    return pa.table({"value": merged["value"], "line": merged["line_min"]})


def as_dict(table: pa.Table) -> dict[str, int]:
    return dict(zip(table["value"].to_pylist(), table["line"].to_pylist(), strict=True))
