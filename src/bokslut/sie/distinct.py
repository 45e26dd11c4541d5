"""The distinct values of a string column with the first line each occurs on, in one pass.

The checks ask "which accounts and objects do the rows use, and where first?" of
millions of rows whose object keys are nearly all distinct (two dimensions with
100 000 objects make as many keys as rows). Hashing whole keys in Arrow, or
splitting them into Python objects, costs seconds per million rows; this compiled
pass hashes the bytes in place and keeps, per distinct value, its bytes and the
smallest line. With ``split`` a value is a canonical object key ("1:A1|6:P7",
:func:`bokslut.sie.model.canonical_objects`) and each of its pairs counts on its own.

A file's pairs are few beside its rows (100 000 objects against millions of rows), so
:class:`FirstLines` keeps one table over all the pieces of a file: after the first
pieces a row's pairs are only looked up, in slots of 24 bytes that hold a pair of up to
16 bytes whole (no second read to compare it).

A streamed import encodes each piece's grouped columns once (:func:`encoded`): the
checks, the sums and the rows file all read the same dictionary, and a column given
as a dictionary is hashed per distinct value here, not per row. A column whose values
are nearly all distinct (object keys of two dimensions) is left as strings: its
dictionary would cost a hash per row and share nothing.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bokslut.sie.kernel import ONES, inlined, kernel, load8, mix64, prefetch, run_before, zero_bytes

_PIPE = 124
_BACKSLASH = 92

# A slot: the value's first 8 bytes, its next 8, then (index + 1) << 32 | min(length, 255) << 24
# | 24 bits of the hash (0 when free).
_WORD, _WORD2, _TAG = 0, 1, 2
_SLOT_WIDTH = 3
# The table's state kept between calls: values, bytes of them stored, the largest line seen.
_COUNT, _USED = 0, 1


@inlined
def _words_hash(w0: Any, w1: Any, rest: Any, length: int) -> Any:
    """The hash of a value packed as FirstLines and Codes pack it: its first 8 bytes (``w0``),
    the next 8 (``w1``), an FNV-style fold of the rest, and its length."""
    return mix64(w0 ^ ((w1 ^ rest) * np.uint64(0x9E3779B97F4A7C15)) ^ np.uint64(length))


@inlined
def _tag(h: Any, length: int) -> Any:
    """A slot's tag: the value's length (up to 255) and 24 bits of its hash."""
    return (np.uint64(min(length, 255)) << np.uint64(24)) | (h >> np.uint64(40))


@inlined
def _probe(slots, h, w0, w1, length, data, at, store, starts, count, used):
    """Where ``data[at:at + length]`` (hashed ``h``, packed ``w0``, ``w1``) is in a table
    of FirstLines' or Codes' slots: (slot, its value's index), or (the free slot it would
    take, -1). Value m's bytes are ``store[starts[m]:]`` up to the next value's start (or
    ``used``, the bytes stored, after the last)."""
    mask = slots.shape[0] - 1
    tag = _tag(h, length)
    slot = np.int64(h & np.uint64(mask))
    while True:
        t = slots[slot, _TAG]
        if t == 0:
            return slot, -1
        if (t & np.uint64(0xFFFFFFFF)) == tag and slots[slot, _WORD] == w0 and slots[slot, _WORD2] == w1:
            m = np.int64(t >> np.uint64(32)) - 1
            same = True
            if length > 16:
                a0 = starts[m]
                same = (starts[m + 1] if m + 1 < count else used) - a0 == length
                if same:
                    for k in range(16, length):
                        if store[a0 + k] != data[at + k]:
                            same = False
                            break
            if same:
                return slot, m
        slot = (slot + 1) & mask


@inlined
def _plain_end(data: Any, i: int, e: int) -> int:
    """Where the pair from ``i`` ends (its "|", or ``e``), eight bytes at a time; -1 when a
    backslash comes first (an escape: :func:`_packed_bytewise` reads the pair)."""
    k = i
    while k < e:
        if k + 8 > data.shape[0]:
            return -1  # the column's last bytes: byte by byte
        w = load8(data, k)
        stops = zero_bytes(w ^ np.uint64(ONES * _PIPE)) | zero_bytes(w ^ np.uint64(ONES * _BACKSLASH))
        run = run_before(stops)
        if k + run >= e:
            return e
        if run < 8:
            return k + run if data[k + run] == _PIPE else -1
        k += 8
    return e


@inlined
def _packed(data: Any, i: int, k: int) -> tuple[Any, Any, Any]:
    """The value ``data[i:k]`` packed for :func:`_words_hash` (``i + 16`` within ``data``): its
    first 8 bytes, the next 8, the rest folded."""
    w0, w1 = _short_words(data, i, min(k - i, 16))
    rest = np.uint64(0)
    for q in range(i + 16, k):
        rest = (rest ^ np.uint64(data[q])) * np.uint64(1099511628211)
    return w0, w1, rest


@inlined
def _packed_bytewise(data: Any, i: int, e: int, split: bool) -> tuple[int, Any, Any, Any]:
    """The value from ``i`` to its unescaped "|" (``split``) or ``e``, packed as :func:`_packed`
    packs it, byte by byte: (its end, the words, the rest)."""
    w0 = np.uint64(0)
    w1 = np.uint64(0)
    rest = np.uint64(0)
    escaped = False
    k = i
    while k < e:
        c = data[k]
        if split and not escaped and c == _PIPE:
            break
        escaped = split and not escaped and c == _BACKSLASH  # an escaped "|" belongs to the id
        d = k - i
        if d < 8:
            w0 |= np.uint64(c) << np.uint64(8 * d)
        elif d < 16:
            w1 |= np.uint64(c) << np.uint64(8 * (d - 8))
        else:
            rest = (rest ^ np.uint64(c)) * np.uint64(1099511628211)
        k += 1
    return k, w0, w1, rest


# Values hashed ahead of their lookups, each one's slot prefetched: the lookups of a batch
# miss the cache together (a region's 200 000 object pairs fill a table of 12 MB).
_BATCH = 64


@kernel
def _fill(offsets, data, lines, split, ordered, row, at_byte, slots, starts, hashes, bests, store, state):
    """Look up (and add) the values from (row, at_byte) on; returns (row, at_byte), stopping
    early (row < rows) when the table, the values' arrays or ``store`` need to grow.

    Values are hashed a batch at a time and then looked up, so that the table's cache misses
    overlap instead of each waiting for the last. ``ordered``: the lines rise and none is
    below a line already seen, so a value found again never has a smaller line (not read).
    The arrays are parameters, never reassigned here: growing them inside the loop would
    cost reference counting on every access.
    """
    mask = np.uint64(slots.shape[0] - 1)
    limit = min(starts.shape[0], slots.shape[0] // 2)
    room = store.shape[0]
    count = state[_COUNT]
    used = state[_USED]
    at_row = np.empty(_BATCH, np.int64)
    begin = np.empty(_BATCH, np.int64)
    end = np.empty(_BATCH, np.int64)
    words = np.empty((_BATCH, 2), np.uint64)
    hashed = np.empty(_BATCH, np.uint64)
    r = row
    i = at_byte
    n = offsets.shape[0] - 1
    while True:
        b = 0
        while b < _BATCH and r < n:
            e = offsets[r + 1]
            if i < 0:
                i = offsets[r]
            if not (i < e or (not split and i == e and i == offsets[r])):
                r += 1
                i = -1
                continue
            k = _plain_end(data, i, e) if split else e
            if k >= 0 and i + 16 <= data.shape[0]:
                w0, w1, rest = _packed(data, i, k)
            else:  # an escape, or the last bytes of the column
                k, w0, w1, rest = _packed_bytewise(data, i, e, split)
            at_row[b] = r
            begin[b] = i
            end[b] = k
            words[b, 0] = w0
            words[b, 1] = w1
            h = _words_hash(w0, w1, rest, k - i)
            hashed[b] = h
            prefetch(slots, np.int64(h & mask), 0)
            b += 1
            i = k + 1
        if b == 0:
            break
        for q in range(b):
            h = hashed[q]
            w0 = words[q, 0]
            w1 = words[q, 1]
            i0 = begin[q]
            length = end[q] - i0
            slot, m = _probe(slots, h, w0, w1, length, data, i0, store, starts, count, used)
            if m < 0:
                if count >= limit or used + length > room:
                    state[_COUNT] = count
                    state[_USED] = used
                    return at_row[q], i0
                starts[count] = used
                for k in range(i0, i0 + length):
                    store[used] = data[k]
                    used += 1
                hashes[count] = h
                bests[count] = lines[at_row[q]]
                count += 1
                slots[slot, _WORD] = w0
                slots[slot, _WORD2] = w1
                slots[slot, _TAG] = (np.uint64(count) << np.uint64(32)) | _tag(h, length)
            elif not ordered:
                line = lines[at_row[q]]
                if line < bests[m]:
                    bests[m] = line
    state[_COUNT] = count
    state[_USED] = used
    return r, i


@kernel
def _rehash(old, slots, hashes):
    mask = slots.shape[0] - 1
    for s in range(old.shape[0]):
        t = old[s, _TAG]
        if t != 0:
            slot = np.int64(hashes[np.int64(t >> np.uint64(32)) - 1] & np.uint64(mask))
            while slots[slot, _TAG] != 0:
                slot = (slot + 1) & mask
            slots[slot, _WORD] = old[s, _WORD]
            slots[slot, _WORD2] = old[s, _WORD2]
            slots[slot, _TAG] = t


def _grown(a: np.ndarray, size: int) -> np.ndarray:
    out = np.empty(size, a.dtype)
    out[: a.shape[0]] = a
    return out


class FirstLines:
    """The distinct values (or pairs, with ``split``) of the pieces added, each with its
    smallest line: one table kept over all the pieces of a file, so a value seen in an
    earlier piece is only looked up (no table per piece, nothing merged afterwards)."""

    def __init__(self, *, split: bool = False, slots: int = 8192) -> None:
        # ``slots`` (a power of two): the table's first size; grown by doubling from the default,
        # a file's 100 000 object pairs were hashed into it six times over (0.04 s).
        self.split = split
        self._slots = np.zeros((slots, _SLOT_WIDTH), np.uint64)
        self._starts = np.empty(slots // 2, np.int64)
        self._hashes = np.empty(slots // 2, np.uint64)
        self._bests = np.empty(slots // 2, np.int64)
        self._store = np.empty(8 * slots, np.uint8)
        self._state = np.zeros(2, np.int64)
        self._last = np.iinfo(np.int64).min  # the largest line added so far

    def add(self, values: pa.ChunkedArray | pa.Array, lines: pa.ChunkedArray | pa.Array | np.ndarray) -> None:
        """Add a string column without nulls (or its dictionary encoding) and its rows' lines."""
        if isinstance(lines, np.ndarray):
            all_lines = lines.astype(np.int64, copy=False)
        else:
            all_lines = lines.to_numpy().astype(np.int64, copy=False)
        chunks = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
        start = 0
        for chunk in chunks:
            if len(chunk):
                at = all_lines[start : start + len(chunk)]
                if isinstance(chunk, pa.DictionaryArray):
                    self._add_encoded(chunk, at)
                else:
                    self._add_strings(chunk, at)
            start += len(chunk)

    def _add_encoded(self, values: pa.DictionaryArray, lines: np.ndarray) -> None:
        """The dictionary's values, each with the first line of its rows."""
        codes = values.indices.to_numpy(zero_copy_only=False).astype(np.int64, copy=False)
        firsts = _first_per_code(codes, lines, len(values.dictionary))
        used = firsts != _UNUSED
        dictionary = values.dictionary
        if not used.all():
            dictionary, firsts = dictionary.filter(pa.array(used)), firsts[used]
        self._add_strings(dictionary, firsts)

    def _add_strings(self, values: pa.Array, lines: np.ndarray) -> None:
        n = len(values)
        if n == 0:
            return
        offsets = np.frombuffer(values.buffers()[1], np.int32)[values.offset : values.offset + n + 1]
        raw = values.buffers()[2]
        data = np.frombuffer(raw, np.uint8) if raw is not None else np.zeros(0, np.uint8)
        ordered = bool(lines[0] >= self._last and (n == 1 or (lines[1:] >= lines[:-1]).all()))
        self._last = max(self._last, int(lines.max()))
        offsets64 = offsets.astype(np.int64)
        row, at_byte = 0, -1
        while True:
            row, at_byte = _fill(
                offsets64,
                data,
                lines,
                self.split,
                ordered,
                row,
                at_byte,
                self._slots,
                self._starts,
                self._hashes,
                self._bests,
                self._store,
                self._state,
            )
            if row >= n:
                return
            self._grow(int(offsets64[row + 1] - max(at_byte, offsets64[row])))

    def _grow(self, needed_bytes: int) -> None:
        count, used = int(self._state[_COUNT]), int(self._state[_USED])
        if used + needed_bytes > self._store.shape[0]:
            self._store = _grown(self._store[:used], max(2 * self._store.shape[0], used + needed_bytes))
        if count >= self._starts.shape[0]:
            size = 2 * self._starts.shape[0]
            self._starts = _grown(self._starts[:count], size)
            self._hashes = _grown(self._hashes[:count], size)
            self._bests = _grown(self._bests[:count], size)
        if count >= self._slots.shape[0] // 2:
            old, self._slots = self._slots, np.zeros((2 * self._slots.shape[0], _SLOT_WIDTH), np.uint64)
            _rehash(old, self._slots, self._hashes)

    def table(self) -> pa.Table:
        """The values with their smallest lines: a table ``value``, ``line`` in no particular order."""
        count, used = int(self._state[_COUNT]), int(self._state[_USED])
        offsets = np.empty(count + 1, np.int32)
        offsets[:count] = self._starts[:count]
        offsets[count] = used
        strings = pa.Array.from_buffers(
            pa.string(), count, [None, pa.py_buffer(offsets), pa.py_buffer(self._store[:used].copy())]
        )
        return pa.table({"value": strings, "line": pa.array(self._bests[:count].copy())})


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


def first_lines(values: pa.ChunkedArray, lines: pa.ChunkedArray, *, split: bool = False) -> pa.Table:
    """Each distinct value of ``values`` (or pair of its object keys) with its smallest line.

    ``values`` is a string column without nulls (or its dictionary encoding), ``lines`` the
    rows' line numbers. Returns a table ``value``, ``line`` in no particular order.
    """
    found = FirstLines(split=split)
    found.add(values, lines)
    return found.table()


def as_dict(table: pa.Table) -> dict[str, int]:
    return dict(zip(table["value"].to_pylist(), table["line"].to_pylist(), strict=True))


# The columns of a piece's rows that the checks, the sums and the rows file group by.
ENCODED = ("kind", "account", "objects")


def dictionary(column: pa.ChunkedArray | pa.Array) -> pa.DictionaryArray:
    """``column`` (strings without nulls, or already a dictionary) as one dictionary array."""
    arr = whole(column)
    if isinstance(arr, pa.DictionaryArray):
        return arr
    one = _one_value(arr)
    return one if one is not None else _hashed(arr)


def whole(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    """``column`` as one array: a piece's single chunk as it is (combining copies it)."""
    if not isinstance(column, pa.ChunkedArray):
        return column
    return column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()


def _hashed(arr: pa.Array, short: ShortValues | None = None) -> pa.DictionaryArray:
    out = (short or ShortValues()).dictionary(arr)
    if out is None:
        out = pc.dictionary_encode(arr)
    assert isinstance(out, pa.DictionaryArray)
    return out


# Values of up to this many bytes (accounts; object keys of one or two short objects) are
# encoded by :func:`_short_codes`, each compared as two words and a length.
_SHORT = 16
# A short table's slot: the value's two words, then (code + 1) << 8 | length (0 when free).
_W0, _W1, _META = 0, 1, 2
_SLOT_WORDS = 3


@inlined
def _short_words(data: Any, a: int, length: int) -> tuple[Any, Any]:
    """The bytes ``data[a:a + length]`` (up to 16) as two little-endian words, zero-padded."""
    if a + 16 <= data.shape[0]:
        w0 = load8(data, a)
        w1 = load8(data, a + 8)
        if length < 8:
            w0 &= (np.uint64(1) << np.uint64(8 * length)) - np.uint64(1)
            w1 = np.uint64(0)
        elif length < 16:
            w1 &= (np.uint64(1) << np.uint64(8 * (length - 8))) - np.uint64(1)
        return w0, w1
    w0 = np.uint64(0)  # near the end of the buffer: byte by byte, never past it
    w1 = np.uint64(0)
    for k in range(length):
        if k < 8:
            w0 |= np.uint64(data[a + k]) << np.uint64(8 * k)
        else:
            w1 |= np.uint64(data[a + k]) << np.uint64(8 * (k - 8))
    return w0, w1


@kernel
def _short_codes(offsets, data, row, count, codes, slots, firsts, where):
    """Each row's code from ``row`` on, the values numbered in order of first use from
    ``count`` (``firsts`` gets each one's first row, ``where`` its slot); returns (row, count).
    Stops early (row < rows) when a new value would fill the table past half or ``firsts``,
    and with row -1 at a value over 16 bytes (no codes for it: the caller encodes otherwise).

    As in :func:`_fill`, a batch of rows is hashed (each slot prefetched) before it is looked up."""
    n = offsets.shape[0] - 1
    mask = slots.shape[0] - 1
    limit = min(firsts.shape[0], slots.shape[0] // 2)
    words = np.empty((_BATCH, 2), np.uint64)
    start = np.empty(_BATCH, np.int64)
    r0 = row
    while r0 < n:
        b = min(_BATCH, n - r0)
        for q in range(b):
            a = offsets[r0 + q]
            length = offsets[r0 + q + 1] - a
            if length > _SHORT:
                return -1, count
            w0, w1 = _short_words(data, a, length)
            words[q, 0] = w0
            words[q, 1] = w1
            s = np.int64(_words_hash(w0, w1, np.uint64(0), length) & np.uint64(mask))
            start[q] = s
            prefetch(slots, s, 0)
        for q in range(b):
            r = r0 + q
            length = offsets[r + 1] - offsets[r]
            w0 = words[q, 0]
            w1 = words[q, 1]
            s = start[q]
            while True:
                meta = slots[s, _META]
                if meta == 0:
                    if count >= limit:
                        return r, count
                    g = count
                    slots[s, _W0] = w0
                    slots[s, _W1] = w1
                    slots[s, _META] = (np.uint64(g + 1) << np.uint64(8)) | np.uint64(length)
                    firsts[g] = r
                    where[g] = s
                    count += 1
                    break
                if slots[s, _W0] == w0 and slots[s, _W1] == w1 and (meta & np.uint64(255)) == length:
                    g = np.int64(meta >> np.uint64(8)) - 1
                    break
                s = (s + 1) & mask
            codes[r] = g
        r0 += b
    return n, count


@kernel
def _short_rehash(old, slots, where):
    mask = slots.shape[0] - 1
    for q in range(old.shape[0]):
        meta = old[q, _META]
        if meta != 0:
            length = int(meta & np.uint64(255))
            s = np.int64(_words_hash(old[q, _W0], old[q, _W1], np.uint64(0), length) & np.uint64(mask))
            while slots[s, _META] != 0:
                s = (s + 1) & mask
            slots[s, _W0] = old[q, _W0]
            slots[s, _W1] = old[q, _W1]
            slots[s, _META] = meta
            where[np.int64(meta >> np.uint64(8)) - 1] = s


@kernel
def _short_clear(slots, where, count):
    for g in range(count):
        slots[where[g], _META] = 0


class ShortValues:
    """Dictionary encoding of columns whose values are short (accounts, short object keys),
    column after column with one table: a value is hashed and compared as two words and a
    length, not as bytes of any length, and the table is cleared after each column (each
    has a dictionary of its own) instead of being made, grown and zeroed again. For one
    thread at a time (a file's pieces, one after another).

    ``slots``: the table's first size (a power of two), for a file whose pieces are known to
    be large: grown four times over from the default, the first piece's tens of thousands of
    object keys were hashed into it five times (0.026 s on `present`)."""

    def __init__(self, slots: int = 1024) -> None:
        self._slots = np.zeros((slots, _SLOT_WORDS), np.uint64)
        self._firsts = np.empty(slots // 2, np.int64)
        self._where = np.empty(slots // 2, np.int64)

    def dictionary(self, arr: pa.Array) -> pa.DictionaryArray | None:
        """``arr`` (strings) dictionary-encoded as ``pyarrow.compute.dictionary_encode`` encodes
        it (the values in order of first use, int32 codes), when it has no nulls and no value
        over 16 bytes; else None."""
        n = len(arr)
        if n == 0 or arr.null_count or not pa.types.is_string(arr.type):
            return None
        offsets = np.frombuffer(arr.buffers()[1], np.int32)[arr.offset : arr.offset + n + 1]
        raw = arr.buffers()[2]
        data = np.frombuffer(raw, np.uint8) if raw is not None else np.zeros(0, np.uint8)
        codes = np.empty(n, np.int32)
        row = count = 0
        try:
            while True:
                row, count = _short_codes(
                    offsets, data, row, count, codes, self._slots, self._firsts, self._where
                )
                if row < 0 or row >= n:
                    break
                self._grow(count)
        finally:
            _short_clear(self._slots, self._where, count)
        if row < 0:
            return None
        return pa.DictionaryArray.from_arrays(pa.array(codes), arr.take(pa.array(self._firsts[:count])))

    def _grow(self, count: int) -> None:
        old, self._slots = self._slots, np.zeros((4 * self._slots.shape[0], _SLOT_WORDS), np.uint64)
        self._firsts = _grown(self._firsts[:count], self._slots.shape[0] // 2)
        self._where = np.empty(self._slots.shape[0] // 2, np.int64)
        _short_rehash(old, self._slots, self._where)


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


# Rows of a column sampled to tell whether its values are nearly all distinct.
SAMPLE_ROWS = 4096


def nearly_distinct(column: pa.ChunkedArray | pa.Array) -> bool:
    """Whether ``column`` (strings) has about as many distinct values as rows, from its first rows.

    The distinct values are estimated from how often those of the first :data:`SAMPLE_ROWS`
    rows occur (Chao's estimator: the values seen once against those seen twice), so that
    one value on many rows (the empty key of the rows without objects) does not hide that
    the others never repeat; a column estimated at more than half as many values as rows
    would gain little from a dictionary. The first rows repeat more than rows drawn at
    random (a voucher's rows share objects), which only errs towards encoding.
    """
    n = len(column)
    if n < SAMPLE_ROWS or pa.types.is_dictionary(column.type):
        return False
    counts = pc.value_counts(column.slice(0, SAMPLE_ROWS)).field("counts").to_numpy()
    once = int((counts == 1).sum())
    twice = int((counts == 2).sum())
    estimate = len(counts) + once * (once - 1) / (2 * (twice + 1))
    return 2 * estimate > n


def encoded(rows: pa.Table, short: ShortValues | None = None) -> pa.Table:
    """``rows`` with its :data:`ENCODED` columns as dictionaries, each encoded once for all
    that read them (a column already encoded is kept as it is). A column of nearly all
    distinct values (:func:`nearly_distinct`: object keys of two dimensions with many
    objects) is left as strings: encoding it costs a hash per row and shares nothing; the
    checks look its values up in their own table, and the sums only when they keep objects.
    ``short``: the table to encode short values with, kept from piece to piece."""
    for name in ENCODED:
        at = rows.schema.get_field_index(name)
        if at >= 0 and not pa.types.is_dictionary(rows.schema.field(at).type):
            arr = whole(rows.column(at))
            one = _one_value(arr)
            if one is None and nearly_distinct(arr):
                continue
            rows = rows.set_column(at, name, one if one is not None else _hashed(arr, short))
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
        h = mix64(np.uint64(k))
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


@kernel
def _code_each(offsets, data, row, out, slots, hashes, starts, store, state):
    """Each string's code into ``out``, from ``row`` on (a string not seen before gets the
    next code); returns the row it stopped at: the last, or earlier when the table, the
    arrays or ``store`` must grow. ``starts[count]`` is always the bytes stored.

    A slot is laid out as :class:`FirstLines`' are: a string of up to 16 bytes (a reduced key
    "1:A54666", or "1:A54666|6:P0333") is told by its slot alone, and packed into words rather
    than hashed byte by byte (a chain of multiplications took most of a lookup)."""
    limit = min(starts.shape[0] - 1, slots.shape[0] // 2)
    room = store.shape[0]
    count = state[_COUNT]
    used = state[_USED]
    n = offsets.shape[0] - 1
    for r in range(row, n):
        a = offsets[r]
        e = offsets[r + 1]
        length = e - a
        if a + 16 <= data.shape[0]:
            w0, w1, rest = _packed(data, a, e)
        else:  # the last bytes of the column
            _, w0, w1, rest = _packed_bytewise(data, a, e, False)
        h = _words_hash(w0, w1, rest, length)
        slot, g = _probe(slots, h, w0, w1, length, data, a, store, starts, count, used)
        if g >= 0:
            out[r] = g
            continue
        if count >= limit or used + length > room:
            state[_COUNT] = count
            state[_USED] = used
            return r
        for k in range(a, e):
            store[used] = data[k]
            used += 1
        hashes[count] = h
        slots[slot, _WORD] = w0
        slots[slot, _WORD2] = w1
        slots[slot, _TAG] = (np.uint64(count + 1) << np.uint64(32)) | _tag(h, length)
        out[r] = count
        count += 1
        starts[count] = used
    state[_COUNT] = count
    state[_USED] = used
    return n


class Codes:
    """Distinct strings numbered 0, 1, … in the order first seen, one table kept over all the
    pieces of a file (as :class:`FirstLines` keeps its values): a string seen in an earlier
    piece is only looked up, and the pieces' codes can be compared and merged as integers.
    For few distinct strings on many rows (an import's object keys reduced to the kept
    dimensions: up to 100 000 on millions of rows)."""

    def __init__(self) -> None:
        self._slots = np.zeros((8192, _SLOT_WIDTH), np.uint64)
        self._hashes = np.empty(4096, np.uint64)
        self._starts = np.zeros(4097, np.int64)
        self._store = np.empty(1 << 16, np.uint8)
        self._state = np.zeros(2, np.int64)

    def __len__(self) -> int:
        return int(self._state[_COUNT])

    def codes(self, values: pa.Array) -> np.ndarray:
        """Each string's code (int32; strings without nulls)."""
        n = len(values)
        out = np.empty(n, np.int32)
        if n == 0:
            return out
        offsets = np.frombuffer(values.buffers()[1], np.int32)[values.offset : values.offset + n + 1]
        raw = values.buffers()[2]
        data = np.frombuffer(raw, np.uint8) if raw is not None else np.zeros(0, np.uint8)
        offsets64 = offsets.astype(np.int64)
        row = 0
        while True:
            row = _code_each(
                offsets64, data, row, out, self._slots, self._hashes, self._starts, self._store, self._state
            )
            if row >= n:
                return out
            self._grow(int(offsets64[row + 1] - offsets64[row]))

    def _grow(self, needed_bytes: int) -> None:
        count, used = len(self), int(self._state[_USED])
        if used + needed_bytes > self._store.shape[0]:
            self._store = _grown(self._store[:used], max(2 * self._store.shape[0], used + needed_bytes))
        if count >= self._hashes.shape[0]:
            size = 2 * self._hashes.shape[0]
            self._starts = _grown(self._starts[: count + 1], size + 1)
            self._hashes = _grown(self._hashes[:count], size)
        if count >= self._slots.shape[0] // 2:
            old, self._slots = self._slots, np.zeros((2 * self._slots.shape[0], _SLOT_WIDTH), np.uint64)
            _rehash(old, self._slots, self._hashes)

    def strings(self) -> pa.Array:
        """The strings, the one of code i at i."""
        count, used = len(self), int(self._state[_USED])
        if used > np.iinfo(np.int32).max:
            raise OverflowError("the strings pass what an Arrow string array holds")
        offsets = self._starts[: count + 1].astype(np.int32)
        return pa.Array.from_buffers(
            pa.string(), count, [None, pa.py_buffer(offsets), pa.py_buffer(self._store[:used].copy())]
        )
