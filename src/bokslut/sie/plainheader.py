"""Plain header lines, a batch at a time, in compiled code.

A region's header holds hundreds of thousands of #OBJEKT, #KONTO, #SRU, #IB/#UB/#RES and
#PSALDO/#PBUDGET lines. Read one by one in Python (a pattern match, decodes and a record
each) they cost microseconds a line, all of it holding the GIL while the scanner runs
beside them. :meth:`PlainSweep.sweep` finds, in one compiled pass over a batch of lines and
without the GIL, the lines that :class:`bokslut.sie.reader._PlainRecords` would take, and
gives their fields as columns: numbers, öre, and texts decoded (and stripped where the
handler strips) exactly as Python's ``bytes.decode`` and ``str.strip`` do. The objects and
the period balances go on as Arrow columns, the other balances become records in bulk,
the chart's lines are applied by the plain records one at a time (each depends on the
chart so far). Every other line (any other shape, a byte that is no character, a
quantity) is left to the exact reader's path, which reads it as before.

The shapes are exactly the ``_PLAIN_*`` patterns' in :mod:`bokslut.sie.reader`: the label,
blanks (spaces or tabs), the fields apart by blanks, trailing blanks; a field is quoted (no
quote, backslash or control character inside) or bare (no blank, quote, brace or control
character); amounts ``-?[0-9]{1,15}(.[0-9]{1,2})?``. A balance with a quantity is left to
the patterns.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from bokslut.sie import encoding as enc
from bokslut.sie.kernel import called, inlined, kernel, skip_blanks, unrefcounted
from bokslut.sie.limits import MAX_YEAR, MIN_YEAR
from bokslut.sie.model import OBJECT_SCHEMA, PERIOD_BALANCE_SCHEMA, Balance, canonical_objects, pair_keys
from bokslut.sie.otherlines import OtherLines

# Python's whitespace (str.isspace) lies below U+3001: the Unicode classes it is made of
# (Zs and the bidirectional classes WS, B and S) hold nothing above U+3000.
_SPACES_BELOW = 0x3001


@dataclass(frozen=True)
class _Codec:
    """How the kernel reads one encoding's bytes."""

    single: bool  # one byte a character (CP437, Windows-1252), else UTF-8
    points: np.ndarray  # int32[256]: a byte's code point, -1 for a byte that is no character
    spaces: np.ndarray  # int32: the whitespace code points, sorted


def _codec(encoding: str) -> _Codec:
    spaces = np.array([c for c in range(_SPACES_BELOW) if chr(c).isspace()], np.int32)
    points = np.full(256, -1, np.int32)
    single = encoding != enc.UTF8
    for b in range(256):
        with contextlib.suppress(UnicodeDecodeError):
            points[b] = ord(bytes([b]).decode(encoding))
    return _Codec(single, points, spaces)


@inlined
def _is_space(cp: int, spaces: np.ndarray) -> bool:
    for s in spaces:
        if s == cp:
            return True
        if s > cp:
            return False
    return False


@inlined
def _field(buf: np.ndarray, p: int, e: int) -> tuple[int, int, int]:
    """(content start, content stop, end) of the field at ``p``; end -1 when there is none."""
    if p >= e:
        return 0, 0, -1
    if buf[p] == 34:
        q = p + 1
        while q < e:
            b = buf[q]
            if b == 34:
                return p + 1, q, q + 1
            if b == 92 or b < 32:
                return 0, 0, -1
            q += 1
        return 0, 0, -1
    q = p
    while q < e:
        b = buf[q]
        if b == 32 or b == 9 or b == 34 or b == 123 or b == 125 or b < 32:
            break
        q += 1
    if q == p:
        return 0, 0, -1
    return p, q, q


@inlined
def _last_field(buf: np.ndarray, p: int, e: int) -> tuple[int, int, int]:
    """(content start, content stop, given) of an optional last field after the blanks at
    ``p``: given 0 (and an empty span) when only blanks are left, -1 when the line is not
    one field and blanks to its end."""
    q = skip_blanks(buf, p, e)
    if q == e:
        return 0, 0, 0
    if q == p:
        return 0, 0, -1
    na, nb, r = _field(buf, q, e)
    if r < 0 or skip_blanks(buf, r, e) != e:
        return 0, 0, -1
    return na, nb, 1


@inlined
def _utf8_char(buf: np.ndarray, p: int, e: int) -> tuple[int, int]:
    """(code point, length) of the UTF-8 character at ``p`` as Python's strict decoder reads
    it; length 0 for bytes it refuses (overlong, surrogate, beyond U+10FFFF, cut short)."""
    b0 = int(buf[p])
    if b0 < 0x80:
        return b0, 1
    if 0xC2 <= b0 <= 0xDF:
        b1 = int(buf[p + 1]) if p + 1 < e else 0
        if 0x80 <= b1 <= 0xBF:
            return ((b0 & 0x1F) << 6) | (b1 & 0x3F), 2
        return 0, 0
    if 0xE0 <= b0 <= 0xEF:
        if p + 2 >= e:
            return 0, 0
        b1, b2 = int(buf[p + 1]), int(buf[p + 2])
        low = 0xA0 if b0 == 0xE0 else 0x80
        high = 0x9F if b0 == 0xED else 0xBF
        if not (low <= b1 <= high and 0x80 <= b2 <= 0xBF):
            return 0, 0
        return ((b0 & 0x0F) << 12) | ((b1 & 0x3F) << 6) | (b2 & 0x3F), 3
    if 0xF0 <= b0 <= 0xF4:
        if p + 3 >= e:
            return 0, 0
        b1, b2, b3 = int(buf[p + 1]), int(buf[p + 2]), int(buf[p + 3])
        low = 0x90 if b0 == 0xF0 else 0x80
        high = 0x8F if b0 == 0xF4 else 0xBF
        if not (low <= b1 <= high and 0x80 <= b2 <= 0xBF and 0x80 <= b3 <= 0xBF):
            return 0, 0
        cp = ((b0 & 0x07) << 18) | ((b1 & 0x3F) << 12) | ((b2 & 0x3F) << 6) | (b3 & 0x3F)
        return cp, 4
    return 0, 0


@inlined
def _put_utf8(cp: int, out: np.ndarray, row: int, pos: int) -> int:
    if cp < 0x80:
        out[row, pos] = cp
        return pos + 1
    if cp < 0x800:
        out[row, pos] = 0xC0 | (cp >> 6)
        out[row, pos + 1] = 0x80 | (cp & 0x3F)
        return pos + 2
    if cp < 0x10000:
        out[row, pos] = 0xE0 | (cp >> 12)
        out[row, pos + 1] = 0x80 | ((cp >> 6) & 0x3F)
        out[row, pos + 2] = 0x80 | (cp & 0x3F)
        return pos + 3
    out[row, pos] = 0xF0 | (cp >> 18)
    out[row, pos + 1] = 0x80 | ((cp >> 12) & 0x3F)
    out[row, pos + 2] = 0x80 | ((cp >> 6) & 0x3F)
    out[row, pos + 3] = 0x80 | (cp & 0x3F)
    return pos + 4


@called
def _put_text(
    buf: np.ndarray,
    a: int,
    b: int,
    out: np.ndarray,
    row: int,
    pos: int,
    strip: bool,
    single: bool,
    points: np.ndarray,
    spaces: np.ndarray,
) -> int:
    """``buf[a:b]`` decoded (and stripped), as UTF-8 into row ``row`` of ``out`` at ``pos``; the
    position after it, or -1 when a byte is no character (the exact reader then warns). A row
    and not a view of it: a view made for every field costs its reference counting."""
    if single:
        for q in range(a, b):
            if points[buf[q]] < 0:
                return -1
        while strip and a < b and _is_space(points[buf[a]], spaces):
            a += 1
        while strip and b > a and _is_space(points[buf[b - 1]], spaces):
            b -= 1
        for q in range(a, b):
            pos = _put_utf8(points[buf[q]], out, row, pos)
        return pos
    q = a
    while q < b:
        _, length = _utf8_char(buf, q, b)
        if length == 0:
            return -1
        q += length
    while strip and a < b:
        cp, length = _utf8_char(buf, a, b)
        if not _is_space(cp, spaces):
            break
        a += length
    while strip and b > a:
        start = b - 1
        while buf[start] & 0xC0 == 0x80:
            start -= 1
        cp, _ = _utf8_char(buf, start, b)
        if not _is_space(cp, spaces):
            break
        b = start
    for q in range(a, b):
        out[row, pos + q - a] = buf[q]
    return pos + b - a


# What a line is (Swept.kind); 0: none of the plain shapes.
OBJEKT, KONTO, SRU, IB, UB, RES, PSALDO, PBUDGET = 1, 2, 3, 4, 5, 6, 7, 8
LABELS = ("", "#OBJEKT", "#KONTO", "#SRU", "#IB", "#UB", "#RES", "#PSALDO", "#PBUDGET")
_LABEL_BYTES = np.zeros((len(LABELS), 8), np.uint8)
for _kind, _text in enumerate(LABELS):
    _LABEL_BYTES[_kind, : len(_text)] = np.frombuffer(_text.encode(), np.uint8)
_LABEL_LENGTHS = np.array([len(label) for label in LABELS], np.int64)


@inlined
def _label(buf: np.ndarray, p: int, e: int, labels: np.ndarray, lengths: np.ndarray) -> tuple[int, int]:
    """(kind, position after the label and its blanks) of the line at ``p``; kind 0 for none."""
    for k in range(1, lengths.shape[0]):
        n = lengths[k]
        if e - p <= n:
            continue
        same = True
        for j in range(n):
            if buf[p + j] != labels[k, j]:
                same = False
                break
        if same:
            q = skip_blanks(buf, p + n, e)
            return (k, q) if p + n < q < e else (0, 0)
    return 0, 0


@inlined
def _digits(buf: np.ndarray, p: int, e: int, most: int) -> tuple[int, int]:
    """(value, end) of 1 to ``most`` ASCII digits at ``p``; end -1 for none or more."""
    q = p
    value = 0
    while q < e and 48 <= buf[q] <= 57:
        value = value * 10 + (int(buf[q]) - 48)
        q += 1
    if q == p or q - p > most:
        return 0, -1
    return value, q


@inlined
def _amount(buf: np.ndarray, p: int, e: int) -> tuple[int, int]:
    """(öre, end) of ``-?[0-9]{1,15}(\\.[0-9]{1,2})?`` at ``p``; end -1 for none."""
    negative = p < e and buf[p] == 45
    whole, q = _digits(buf, p + 1 if negative else p, e, 15)
    if q < 0:
        return 0, -1
    ore = whole * 100
    if q < e and buf[q] == 46:
        frac, r = _digits(buf, q + 1, e, 2)
        if r < 0:
            return 0, -1
        ore += frac * 10 if r - q == 2 else frac
        q = r
    return (-ore if negative else ore), q


@inlined
def _after(buf: np.ndarray, p: int, e: int) -> int:
    """The position after the blanks that must follow the field ending at ``p``; -1 for none."""
    q = skip_blanks(buf, p, e)
    return q if q > p and q < e else -1


@unrefcounted
def _sweep(
    buf: np.ndarray,
    starts: np.ndarray,
    stops: np.ndarray,
    labels: np.ndarray,
    lengths: np.ndarray,
    single: bool,
    points: np.ndarray,
    spaces: np.ndarray,
    kind: np.ndarray,
    numbers: np.ndarray,
    text_offsets: np.ndarray,
    text_data: np.ndarray,
    pair_offsets: np.ndarray,
    pair_dims: np.ndarray,
    pair_id_offsets: np.ndarray,
    pos: np.ndarray,
) -> None:
    """Each line's kind, and the records of those of a plain shape: ``numbers[i]`` the
    dimension (#OBJEKT) or year index, period (#PSALDO, #PBUDGET) and öre; text 0 the id or
    account, text 1 the name (#OBJEKT, #KONTO) or code (#SRU), text 2 the ids of each line's
    pairs (#PSALDO, #PBUDGET)."""
    for i in range(starts.shape[0]):
        k = _line(
            buf,
            starts[i],
            stops[i],
            labels,
            lengths,
            single,
            points,
            spaces,
            numbers,
            i,
            text_data,
            pos,
            pair_dims,
            pair_id_offsets,
        )
        kind[i] = k
        text_offsets[0, i + 1] = pos[0]
        text_offsets[1, i + 1] = pos[1]
        pair_offsets[i + 1] = pos[2]


@called
def _line(
    buf: np.ndarray,
    p: int,
    e: int,
    labels: np.ndarray,
    lengths: np.ndarray,
    single: bool,
    points: np.ndarray,
    spaces: np.ndarray,
    numbers: np.ndarray,
    i: int,
    text_data: np.ndarray,
    pos: np.ndarray,
    pair_dims: np.ndarray,
    pair_id_offsets: np.ndarray,
) -> int:
    """One line of :func:`_sweep`: its kind, ``pos`` moved past what it wrote (only when
    it is of a plain shape)."""
    k, p = _label(buf, p, e, labels, lengths)
    if k == 0:
        return 0
    t0, t1, npairs, pid = pos[0], pos[1], pos[2], pos[3]
    if k == OBJEKT:
        dim, q = _digits(buf, p, e, 9)
        if q < 0:
            return 0
        p = _after(buf, q, e)
        if p < 0:
            return 0
        ia, ib, p = _field(buf, p, e)
        if p < 0:
            return 0
        na, nb, given = _last_field(buf, p, e)
        if given < 0:
            return 0
        t0 = _put_text(buf, ia, ib, text_data, 0, t0, True, single, points, spaces)
        if t0 < 0:
            return 0
        t1 = _put_text(buf, na, nb, text_data, 1, t1, True, single, points, spaces)
        if t1 < 0:
            return 0
        numbers[i, 0] = dim
        pos[0], pos[1] = t0, t1
        return int(k)
    if k in (KONTO, SRU):
        ia, ib, p = _field(buf, p, e)
        if p < 0:
            return 0
        na, nb, given = _last_field(buf, p, e)
        if given < 0 or (given == 0 and k == SRU):
            return 0
        t0 = _put_text(buf, ia, ib, text_data, 0, t0, True, single, points, spaces)
        if t0 <= pos[0]:
            return 0  # an empty number, or a byte that is no character
        # An #SRU's code is kept as written (the exact reader's handler does not strip it).
        t1 = _put_text(buf, na, nb, text_data, 1, t1, k == KONTO, single, points, spaces)
        if t1 < 0:
            return 0
        pos[0], pos[1] = t0, t1
        return int(k)
    negative = buf[p] == 45
    index, q = _digits(buf, p + 1 if negative else p, e, 2)
    if q < 0:
        return 0
    numbers[i, 0] = -index if negative else index
    p = _after(buf, q, e)
    if p < 0:
        return 0
    if k >= PSALDO:
        period, q = _digits(buf, p, e, 6)
        if q - p != 6:
            return 0
        month, year = period % 100, period // 100
        if not (1 <= month <= 12 and MIN_YEAR <= year <= MAX_YEAR):
            return 0
        numbers[i, 1] = period
        p = _after(buf, q, e)
        if p < 0:
            return 0
    aa, ab, q = _field(buf, p, e)
    if q < 0:
        return 0
    p = _after(buf, q, e)
    if p < 0:
        return 0
    if k >= PSALDO:
        if buf[p] != 123:
            return 0
        p += 1
        items = 0
        while True:
            p = skip_blanks(buf, p, e)
            if p >= e:
                return 0
            if buf[p] == 125:
                break
            ta, tb, q = _field(buf, p, e)
            if q < 0:
                return 0
            if items % 2 == 0:
                if buf[p] == 34:
                    return 0  # a quoted dimension: the exact reader's
                dim, r = _digits(buf, ta, tb, 9)
                if r != tb:
                    return 0
                pair_dims[npairs] = dim
            else:
                pid = _put_text(buf, ta, tb, text_data, 2, pid, False, single, points, spaces)
                if pid < 0:
                    return 0
                npairs += 1
                pair_id_offsets[npairs] = pid
            items += 1
            p = q
        if items % 2:
            return 0
        p = _after(buf, p + 1, e)
        if p < 0:
            return 0
    ore, q = _amount(buf, p, e)
    if q < 0 or skip_blanks(buf, q, e) != e:
        return 0  # a quantity (or anything else) after the amount: the exact reader's
    t0 = _put_text(buf, aa, ab, text_data, 0, t0, True, single, points, spaces)
    if t0 <= pos[0]:
        return 0  # an empty account, or a byte that is no character
    numbers[i, 2] = ore
    pos[0], pos[2], pos[3] = t0, npairs, pid
    return int(k)


@dataclass(frozen=True)
class Swept:
    """A batch's lines of the plain shapes, and their records."""

    kind: np.ndarray  # int8 per line: 0, OBJEKT, IB, … (LABELS)
    numbers: np.ndarray  # int64 [line, 3]: dimension or year index, period, öre
    lines: np.ndarray  # int64 per line: its number
    texts: tuple[pa.Array, pa.Array]  # string per line: id or account, name
    pair_offsets: np.ndarray  # int32 per line + 1: its pairs
    pair_dims: np.ndarray  # int64 per pair
    pair_ids: pa.Array  # string per pair

    def objects(self, kept: np.ndarray) -> pa.Table:
        """The #OBJEKT records of the lines ``kept``, as OBJECT_SCHEMA."""
        columns = {
            "dim": pa.array(self.numbers[:, 0]),
            "obj": self.texts[0],
            "name": self.texts[1],
            "line": pa.array(self.lines),
        }
        table = pa.table(columns, schema=OBJECT_SCHEMA)
        mask = kept & (self.kind == OBJEKT)
        # A region's batches are mostly #OBJEKT lines and nothing else: then nothing is copied.
        return table if bool(mask.all()) else table.filter(pa.array(mask))

    def accounts(self) -> tuple[list[int], list[str], list[str]]:
        """The #KONTO and #SRU lines: where they are, their numbers, and names or codes."""
        at = np.flatnonzero((self.kind == KONTO) | (self.kind == SRU))
        if not at.size:
            return [], [], []
        indices = pa.array(at)
        return at.tolist(), self.texts[0].take(indices).to_pylist(), self.texts[1].take(indices).to_pylist()

    def balances(self) -> list[Balance]:
        """The #IB, #UB and #RES records, in order."""
        at = np.flatnonzero((self.kind >= IB) & (self.kind <= RES))
        if not at.size:
            return []
        labels = [LABELS[k][1:] for k in self.kind[at].tolist()]
        accounts = self.texts[0].take(pa.array(at)).to_pylist()
        n = self.numbers[at]
        return list(
            map(Balance, labels, n[:, 0].tolist(), accounts, n[:, 2].tolist(), self.lines[at].tolist())
        )

    def period_balances(self, at: np.ndarray) -> pa.Table:
        """The #PSALDO and #PBUDGET records of the lines ``at``, as PERIOD_BALANCE_SCHEMA."""
        starts = self.pair_offsets[at]
        counts = self.pair_offsets[at + 1] - starts
        keys = pair_keys(pa.array(self.pair_dims), self.pair_ids)
        objects = keys.take(pa.array(starts, mask=counts == 0)).fill_null("")
        many = np.flatnonzero(counts > 1)
        if many.size:  # several pairs on a line (seldom seen): their key in canonical order
            listed = objects.to_pylist()
            dims, ids = self.pair_dims.tolist(), self.pair_ids.to_pylist()
            stops = starts + counts
            for i, a, b in zip(many.tolist(), starts[many].tolist(), stops[many].tolist(), strict=True):
                listed[i] = canonical_objects(tuple(zip(dims[a:b], ids[a:b], strict=True)))
            objects = pa.array(listed, pa.string())
        n = self.numbers[at]
        columns = {
            "kind": pa.array(np.array(["PSALDO", "PBUDGET"])[self.kind[at] - PSALDO]),
            "year_index": pa.array(n[:, 0]),
            "period": pa.array(n[:, 1]),
            "account": self.texts[0].take(pa.array(at)),
            "amount": pa.array(n[:, 2]),
            "line": pa.array(self.lines[at]),
            "objects": objects,
            "quantity": pa.nulls(at.size, pa.string()),  # a line with a quantity is not swept
        }
        return pa.table(columns, schema=PERIOD_BALANCE_SCHEMA)


def _strings(count: int, offsets: np.ndarray, data: np.ndarray) -> pa.Array:
    return pa.StringArray.from_buffers(
        count, pa.py_buffer(offsets[: count + 1].copy()), pa.py_buffer(data[: offsets[count]].copy())
    )


_FNV_OFFSET = np.uint64(14695981039346656037)
_FNV_PRIME = np.uint64(1099511628211)


@inlined
def _key_hash(dim: int, data: np.ndarray, a: int, b: int) -> np.uint64:
    """FNV-1a of an object's dimension and id (never 0: 0 marks a free slot)."""
    h = _FNV_OFFSET ^ np.uint64(dim)
    h *= _FNV_PRIME
    for q in range(a, b):
        h ^= np.uint64(data[q])
        h *= _FNV_PRIME
    return h if h != np.uint64(0) else np.uint64(1)


@inlined
def _insert(slots: np.ndarray, h: np.uint64) -> bool:
    """Puts ``h`` in the open-addressed ``slots``; whether it was there already."""
    mask = np.uint64(slots.shape[0] - 1)
    i = h & mask
    while slots[i] != np.uint64(0):
        if slots[i] == h:
            return True
        i = (i + np.uint64(1)) & mask
    slots[i] = h
    return False


@kernel
def _remember(
    kind: np.ndarray, numbers: np.ndarray, offsets: np.ndarray, data: np.ndarray, slots: np.ndarray
) -> int:
    """Puts the batch's objects' keys among ``slots``; returns how many were new, or -1
    when one may have been declared before (the same hash: the same key, or seldom another)."""
    added = 0
    again = False
    for i in range(kind.shape[0]):
        if kind[i] == OBJEKT:
            if _insert(slots, _key_hash(numbers[i, 0], data, offsets[i], offsets[i + 1])):
                again = True
            else:
                added += 1
    return -1 if again else added


@kernel
def _rehash(old: np.ndarray, new: np.ndarray) -> None:
    for h in old:
        if h != np.uint64(0):
            _insert(new, h)


class PlainSweep:
    """Sweeps batches of lines read with one encoding. Knows whether the objects it swept
    may repeat a key: when none can, the reader need not look for repeats at the end."""

    def __init__(self, encoding: str, lines: int = 0) -> None:
        """``lines``: how many lines are known to come; the table of keys is made for as many
        objects at once (grown from its least size, it was rehashed five times for a region's
        300 000, 0.08 s of the header's thread), up to a bound: past it, it grows as they come."""
        self.codec = _codec(encoding)
        self.slots = np.zeros(min(max(1 << 12, 1 << (2 * lines).bit_length()), 1 << 22), np.uint64)
        self.keys = 0
        self.repeated = False

    def sweep(self, lines: Sequence[tuple[int, bytes]]) -> Swept:
        n = len(lines)
        if isinstance(lines, OtherLines):
            # Cut from one copy: swept where they stand (the line breaks between are skipped).
            buf, starts, stops = lines.joined()
            line_numbers = lines.lines
        else:
            numbers_of_lines, raws = zip(*lines, strict=True) if n else ((), ())
            line_numbers = np.array(numbers_of_lines, np.int64)
            lengths = np.fromiter(map(len, raws), np.int64, n)
            stops = np.cumsum(lengths)
            starts = stops - lengths
            buf = np.frombuffer(b"".join(raws), np.uint8)
        size = buf.shape[0]
        room = size * (3 if self.codec.single else 1) + 1  # a byte is at most 3 in UTF-8
        kind = np.zeros(n, np.int8)
        numbers = np.zeros((n, 3), np.int64)
        text_offsets = np.zeros((2, n + 1), np.int32)
        text_data = np.empty((3, room), np.uint8)
        pair_offsets = np.zeros(n + 1, np.int32)
        pair_dims = np.empty(size // 2 + 1, np.int64)
        pair_id_offsets = np.zeros(size // 2 + 2, np.int32)
        c = self.codec
        _sweep(
            buf,
            starts,
            stops,
            _LABEL_BYTES,
            _LABEL_LENGTHS,
            c.single,
            c.points,
            c.spaces,
            kind,
            numbers,
            text_offsets,
            text_data,
            pair_offsets,
            pair_dims,
            pair_id_offsets,
            np.zeros(4, np.int64),  # written so far: text 0, text 1, pairs, pairs' ids
        )
        if not self.repeated:
            self._remember(kind, numbers, text_offsets[0], text_data[0])
        npairs = int(pair_offsets[n])
        return Swept(
            kind,
            numbers,
            line_numbers,
            (_strings(n, text_offsets[0], text_data[0]), _strings(n, text_offsets[1], text_data[1])),
            pair_offsets,
            pair_dims[:npairs].copy(),
            _strings(npairs, pair_id_offsets, text_data[2]),
        )

    def _remember(self, kind: np.ndarray, numbers: np.ndarray, offsets: np.ndarray, data: np.ndarray) -> None:
        # At most half full, so a probe ends soon.
        need = 2 * (self.keys + kind.shape[0])
        if need > self.slots.shape[0]:
            grown = np.zeros(1 << need.bit_length(), np.uint64)
            _rehash(self.slots, grown)
            self.slots = grown
        added = int(_remember(kind, numbers, offsets, data, self.slots))
        if added < 0:
            self.repeated = True
        else:
            self.keys += added
