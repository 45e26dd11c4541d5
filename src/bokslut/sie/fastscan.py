"""A compiled scanner for the bulk of a large SIE file: #VER, #TRANS/#RTRANS/#BTRANS, braces.

A municipality's year is millions of rows; reading them line by line in
Python costs seconds per million. This scanner (compiled with numba) walks the
raw bytes once, tokenizes voucher and row records exactly as
:mod:`bokslut.sie.tokens` does, parses amounts to öre and dates to days, builds
the canonical object keys and transcodes text to UTF-8 — writing straight into
the Arrow buffers of the SieFile's tables. Every other line (header, chart,
balances) is handed to the exact reader, whose plain header records go by pattern.

The encoding is decided in the same pass: the scanner reads the text as UTF-8 and
tallies, for each line with a high byte, the facts :mod:`bokslut.sie.encoding`
decides from; a file that turns out to be CP437 or Windows-1252 has only its string
columns transcoded afterwards.

It only accepts well-formed input. At the first line it would have to judge —
a quirk, an error, a #KSUMMA, anything the exact reader reports — it stops and
returns None, and the caller reads the whole file with the exact reader. So
both paths always give the same SieFile; tests/sie/test_fastscan.py checks it.
"""

from __future__ import annotations

import ctypes
import io
import mmap
import os
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import pyarrow as pa

from bokslut.diagnostics import Level
from bokslut.sie import encoding as enc
from bokslut.sie import limits as lim
from bokslut.sie.kernel import (
    HIGHS,
    ONES,
    called,
    decimal_digits,
    inlined,
    kernel,
    load8,
    run_before,
    skip_blanks,
    store8,
    unrefcounted,
    zero_bytes,
)
from bokslut.sie.model import TEXT_SPAN, TRANSACTION_SCHEMA, VOUCHER_SCHEMA, SieFile
from bokslut.sie.otherlines import OtherLines, cut

# Line kinds
OTHER, BLANK, VER, TRANS, RTRANS, BTRANS, OPEN, CLOSE = 0, 1, 2, 3, 4, 5, 6, 7

_SPACE = np.uint8(32)
_TAB = np.uint8(9)
_QUOTE = np.uint8(34)
_BACKSLASH = np.uint8(92)
_LBRACE = np.uint8(123)
_RBRACE = np.uint8(125)
_CR = np.uint8(13)
_LF = np.uint8(10)

# Compiled in as constants (numba freezes globals): the tests check the boundaries.
_MIN_YEAR = lim.MIN_YEAR
_MAX_YEAR = lim.MAX_YEAR
_QUANTITY_DIGITS = lim.QUANTITY_DIGITS
_QUANTITY_DECIMALS = lim.QUANTITY_DECIMALS

# The encoding facts :func:`_tally` adds up (the last: a byte Windows-1252 leaves undefined,
# which the exact reader warns about).
_TALLY_SIZE = 6


def _byte_facts() -> np.ndarray:
    """Per byte, the encoding facts the tally counts: 1 a Swedish letter as CP437 codes it
    (å ä ö Å Ä Ö é ü), 2 as Windows-1252 does (the same sets as bokslut.sie.encoding, which
    votes with them in Python), 4 a byte Windows-1252 leaves undefined. Looked up (numba
    compiles the table in), not compared: a chain of comparisons became a jump per high byte."""
    facts = np.zeros(256, np.uint8)
    facts[[0x86, 0x84, 0x94, 0x8F, 0x8E, 0x99, 0x82, 0x81]] |= 1
    facts[[0xE5, 0xE4, 0xF6, 0xC5, 0xC4, 0xD6, 0xE9, 0xFC]] |= 2
    facts[[0x81, 0x8D, 0x8F, 0x90, 0x9D]] |= 4
    return facts


_BYTE_FACTS = _byte_facts()


@inlined
def _letter(b: int) -> int:
    """1 for a Swedish letter as CP437 codes it, 2 as Windows-1252 does, else 0 (see _byte_facts)."""
    return _BYTE_FACTS[b] & 3


@kernel
def _count_breaks(buf: np.ndarray) -> int:
    """Line breaks in buf, counted as the scanner counts them (CRLF once, lone CR too)."""
    n = buf.shape[0]
    count = 0
    for i in range(n):
        b = buf[i]
        if b == 10 or (b == 13 and (i + 1 >= n or buf[i + 1] != 10)):
            count += 1
    return count


@inlined
def _tally(buf: np.ndarray, start: int, stop: int, st: np.ndarray) -> None:
    """Add the encoding facts of buf[start:stop] to st: high bytes, not-UTF-8 (0/1), CP437 and
    Latin-1 letters, (1) whether these bytes have Latin-1 letters but no CP437 ones, and (1)
    whether they hold a byte Windows-1252 leaves undefined (0x81 0x8D 0x8F 0x90 0x9D).

    The letters are counted on every high byte, as :func:`bokslut.sie.encoding.detect` counts
    them. A range ending inside a multi-byte character is not UTF-8; a line break never
    falls inside one, so lines can be tallied one by one.
    """
    high = 0
    cp = 0
    lat = 0
    invalid = st[1]
    expect = 0  # continuation bytes still due
    lo = 0x80
    hi = 0xBF
    i = start
    while i < stop:
        # Eight ASCII bytes at a time where no character is open (most of a file's bytes).
        if expect == 0 and i + 8 <= stop and load8(buf, i) & np.uint64(HIGHS) == 0:
            i += 8
            continue
        b = buf[i]
        i += 1
        if b < 128:
            if expect > 0:
                invalid = 1
                expect = 0
            continue
        high += 1
        letter = _letter(b)
        if letter == 1:
            cp += 1
        elif letter == 2:
            lat += 1
        if b == 0x81 or b == 0x8D or b == 0x8F or b == 0x90 or b == 0x9D:
            st[5] = 1
        if invalid == 1:
            continue
        if expect > 0:
            if b < lo or b > hi:
                invalid = 1
            expect -= 1
            lo = 0x80
            hi = 0xBF
        elif b >= 0xC2 and b <= 0xDF:
            expect = 1
        elif b >= 0xE0 and b <= 0xEF:
            expect = 2
            # no overlong forms, no surrogates
            if b == 0xE0:
                lo = 0xA0
            elif b == 0xED:
                hi = 0x9F
        elif b >= 0xF0 and b <= 0xF4:
            expect = 3
            # nothing above U+10FFFF
            if b == 0xF0:
                lo = 0x90
            elif b == 0xF4:
                hi = 0x8F
        else:
            invalid = 1
    if expect > 0:
        invalid = 1
    st[0] += high
    st[1] = invalid
    st[2] += cp
    st[3] += lat
    if lat > 0 and cp == 0:
        st[4] = 1


@kernel
def _stats_of_bytes(buf: np.ndarray) -> tuple[int, int, int, int]:
    st = np.zeros(_TALLY_SIZE, np.int64)
    _tally(buf, 0, buf.shape[0], st)
    return st[0], 1 - st[1], st[2], st[3]


def _read_only(buf: np.ndarray) -> np.ndarray:
    """A read-only view of ``buf``, whatever the buffer (a file's bytes, a piece's room): the
    kernels that read bytes are compiled (and prebuilt) for one type of input, not once for
    bytes and again for a writable buffer."""
    view = buf.view()
    view.flags.writeable = False
    return view


def _stats(buf: np.ndarray) -> tuple[int, int, int, int]:
    """(high bytes, utf8 valid?, CP437 letter count, Latin-1 letter count) of ``buf`` (uint8)."""
    return _stats_of_bytes(_read_only(buf))


# Bytes from which the encoding facts are tallied in two halves at once.
_STATS_SPLIT_BYTES = 4 * 1024 * 1024


def _stats_of(buf: np.ndarray, pool: Executor) -> tuple[int, int, int, int]:
    """:func:`_stats` of ``buf``, a large one in two halves at once in ``pool``: the first
    piece of a streamed file is tallied so before any piece can be scanned (32 MB, 0.02-0.03 s
    in one thread). The cut is moved to a line start, so that no character is split."""
    half = buf.shape[0] // 2
    if buf.shape[0] < _STATS_SPLIT_BYTES:
        return _stats(buf)
    breaks = np.flatnonzero(buf[half : half + 65536] == 10)
    if not breaks.size:
        return _stats(buf)  # a line of over 64 KB there: tallied whole
    cut = half + int(breaks[0]) + 1
    a, b = pool.map(_stats, (buf[:cut], buf[cut:]))
    return a[0] + b[0], a[1] & b[1], a[2] + b[2], a[3] + b[3]


@inlined
def _token(buf: np.ndarray, i: int, end: int) -> tuple[int, int, int, int, int]:
    """Next token from i: (kind, start, stop, next_i, bad); kind 0 none, 1 bare, 2 quoted, 3 list.

    For quoted tokens start/stop delimit the raw content (escapes unresolved).
    bad = 1 when the line breaks the token rules (the exact reader must judge it).
    """
    i = skip_blanks(buf, i, end)
    if i >= end:
        return 0, i, i, i, 0
    b = buf[i]
    if b == 34:
        j = i + 1
        while j < end:
            c = buf[j]
            if c == 92 and j + 1 < end and buf[j + 1] == 34:
                j += 2
                continue
            if c == 34:
                return 2, i + 1, j, j + 1, 0
            if c < 32 and c != 9:
                return 0, i, i, end, 1
            j += 1
        return 0, i, i, end, 1
    if b == 123:
        j = i + 1
        while j < end and buf[j] != 125:
            if buf[j] == 34:
                # quoted item: skip it whole (it may contain a brace)
                k = j + 1
                while k < end:
                    if buf[k] == 92 and k + 1 < end and buf[k + 1] == 34:
                        k += 2
                        continue
                    if buf[k] == 34:
                        break
                    k += 1
                if k >= end:
                    return 0, i, i, end, 1
                j = k + 1
                continue
            j += 1
        if j >= end:
            return 0, i, i, end, 1
        return 3, i + 1, j, j + 1, 0
    j = i
    while j < end and buf[j] != 32 and buf[j] != 9:
        if buf[j] < 32:
            return 0, i, i, end, 1
        j += 1
    return 1, i, j, j, 0


@inlined
def _yyyymmdd(buf: np.ndarray, start: int) -> tuple[int, int]:
    """(value, ok) of the 8 digits at start."""
    v = 0
    for k in range(8):
        c = buf[start + k]
        if c < 48 or c > 57:
            return 0, 0
        v = v * 10 + (c - 48)
    return v, 1


@inlined
def _civil(v: int) -> tuple[int, int]:
    """(days since 1970-01-01, ok) for a YYYYMMDD value, a date in the years the reader accepts."""
    y = v // 10000
    m = (v // 100) % 100
    d = v % 100
    if m < 1 or m > 12 or d < 1 or y < _MIN_YEAR or y > _MAX_YEAR:
        return 0, 0
    leap = (y % 4 == 0 and y % 100 != 0) or y % 400 == 0
    mdays = 31
    if m == 2:
        mdays = 29 if leap else 28
    elif m == 4 or m == 6 or m == 9 or m == 11:
        mdays = 30
    if d > mdays:
        return 0, 0
    # days from civil (Howard Hinnant's algorithm)
    yy = y - 1 if m <= 2 else y
    era = (yy if yy >= 0 else yy - 399) // 400
    yoe = yy - era * 400
    mp = m + 9 if m <= 2 else m - 3
    doy = (153 * mp + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468, 1


@inlined
def _copy_quantity(buf, start, stop, out, slot, pos):
    """Copy -?d+(.d+)? without leading zeros (as format(Decimal(q), "f") writes it); -1 if not such.

    Also -1 beyond the digits the store keeps (the exact reader then judges it)."""
    i = start
    if i < stop and buf[i] == 45:
        out[slot, pos] = 45
        pos += 1
        i += 1
    first = i
    while i < stop and buf[i] >= 48 and buf[i] <= 57:
        i += 1
    if i == first or i - first > _QUANTITY_DIGITS:
        return -1
    whole_end = i
    if i < stop:
        if buf[i] != 46:
            return -1
        i += 1
        frac = i
        while i < stop and buf[i] >= 48 and buf[i] <= 57:
            i += 1
        if i == frac or i != stop or i - frac > _QUANTITY_DECIMALS:
            return -1
    k = first
    while k < whole_end - 1 and buf[k] == 48:
        k += 1
    for m in range(k, stop):
        out[slot, pos] = buf[m]
        pos += 1
    return pos


@inlined
def _ends_token(b: int) -> bool:
    """Whether b ends a bare token: a space, a tab or a line break."""
    return b == 32 or b == 9 or b == 10 or b == 13


@inlined
def _at_line_end(buf: np.ndarray, i: int, n: int) -> bool:
    return i >= n or buf[i] == 10 or buf[i] == 13


@inlined
def _line_end(buf: np.ndarray, i: int, n: int) -> int:
    while i < n and buf[i] != 10 and buf[i] != 13:
        i += 1
    return i


# The labels as the word a load of them gives (see _WORDS)
_TRANS_WORD = int.from_bytes(b"#TRANS", "little")
_VER_WORD = int.from_bytes(b"#VER", "little")
_RTRANS_WORD = int.from_bytes(b"#RTRANS", "little")
_BTRANS_WORD = int.from_bytes(b"#BTRANS", "little")


@inlined
def _label(buf: np.ndarray, i: int, n: int) -> int:
    """Kind of the record starting at i (after indentation); the line runs to its break or n."""
    if buf[i] != 35:
        return OTHER
    if _WORDS and i + 8 <= n:
        # the label read as one word (its end checked at the byte after it)
        w = load8(buf, i)
        if w & np.uint64(0xFFFFFFFFFFFF) == np.uint64(_TRANS_WORD):
            return TRANS if _ends_token(buf[i + 6]) else OTHER
        if w & np.uint64(0xFFFFFFFF) == np.uint64(_VER_WORD):
            return VER if _ends_token(buf[i + 4]) else OTHER
        w &= np.uint64(0xFFFFFFFFFFFFFF)
        if w == np.uint64(_RTRANS_WORD):
            return RTRANS if _ends_token(buf[i + 7]) else OTHER
        if w == np.uint64(_BTRANS_WORD):
            return BTRANS if _ends_token(buf[i + 7]) else OTHER
        return OTHER
    if i + 4 <= n and buf[i + 1] == 86 and buf[i + 2] == 69 and buf[i + 3] == 82:
        if i + 4 == n or _ends_token(buf[i + 4]):
            return VER
    if (
        i + 6 <= n
        and buf[i + 1] == 84
        and buf[i + 2] == 82
        and buf[i + 3] == 65
        and buf[i + 4] == 78
        and buf[i + 5] == 83
    ):
        if i + 6 == n or _ends_token(buf[i + 6]):
            return TRANS
    if (
        i + 7 <= n
        and (buf[i + 1] == 82 or buf[i + 1] == 66)
        and buf[i + 2] == 84
        and buf[i + 3] == 82
        and buf[i + 4] == 65
        and buf[i + 5] == 78
        and buf[i + 6] == 83
    ):
        if i + 7 == n or _ends_token(buf[i + 7]):
            return RTRANS if buf[i + 1] == 82 else BTRANS
    return OTHER


@inlined
def _high(buf: np.ndarray, j: int, n: int, lt: np.ndarray) -> None:
    """Add the encoding facts of the high byte buf[j] to a line's, as :func:`_tally` counts them.

    lt: high bytes, CP437 letters, Latin-1 letters, not UTF-8 (0/1, for the file so far),
    a byte undefined in Windows-1252 (0/1), continuation bytes still due and already checked.
    A lead byte's continuation bytes are checked at once (they are high bytes too, so the
    token being copied runs on over them): the ASCII bytes between never need a look.
    """
    b = buf[j]
    facts = _BYTE_FACTS[b]
    lt[0] += 1
    lt[1] += facts & 1
    lt[2] += (facts >> 1) & 1
    lt[4] |= facts >> 2
    if lt[5] > 0:
        lt[5] -= 1
        return
    if lt[3] == 1:
        return
    lo = 0x80
    hi = 0xBF
    if b >= 0xC2 and b <= 0xDF:
        k = 1
    elif b >= 0xE0 and b <= 0xEF:
        k = 2
        # no overlong forms, no surrogates
        if b == 0xE0:
            lo = 0xA0
        elif b == 0xED:
            hi = 0x9F
    elif b >= 0xF0 and b <= 0xF4:
        k = 3
        # nothing above U+10FFFF
        if b == 0xF0:
            lo = 0x90
        elif b == 0xF4:
            hi = 0x8F
    else:
        lt[3] = 1
        return
    if j + k >= n:
        lt[3] = 1
        return
    for m in range(1, k + 1):
        c = buf[j + m]
        if c < lo or c > hi:
            lt[3] = 1
            return
        lo = 0x80
        hi = 0xBF
    lt[5] = k


# Eight bytes at a time: a word's bytes in file order from its lowest, as a little-endian
# machine loads them (elsewhere the scanner copies byte by byte).
_WORDS = sys.byteorder == "little"


@inlined
def _plain_run(w):
    """Bytes of the word a quoted text copies as they are, before its first other byte (a
    control character, a tab, a quote, a backslash or a high byte): 0 to 8."""
    stop = (
        ((w - np.uint64(ONES * 32)) & ~w)  # below 32, where no earlier byte stops it
        | zero_bytes(w ^ np.uint64(ONES * 34))
        | zero_bytes(w ^ np.uint64(ONES * 92))
        | w
    ) & np.uint64(HIGHS)
    return run_before(stop)


@inlined
def _bare_run(w):
    """Bytes of the word a bare token copies as they are, before its first other byte (a space,
    a control character or a high byte): 0 to 8."""
    stop = (((w - np.uint64(ONES * 33)) & ~w) | w) & np.uint64(HIGHS)
    return run_before(stop)


@inlined
def _ascii_run(w):
    """Bytes of the word before its first high byte: 0 to 8."""
    stop = w & np.uint64(HIGHS)
    return run_before(stop)


@inlined
def _id_run(w, quoted):
    """Bytes of the word an object id runs on over, before the first byte that ends it or is
    judged (| : \\ " a control character or a tab; in a bare id also a space or "}"): 0 to 8."""
    stop = (
        ((w - np.uint64(ONES * 32)) & ~w)  # below 32, where no earlier byte stops it
        | zero_bytes(w ^ np.uint64(ONES * 124))
        | zero_bytes(w ^ np.uint64(ONES * 58))
        | zero_bytes(w ^ np.uint64(ONES * 92))
        | zero_bytes(w ^ np.uint64(ONES * 34))
    )
    if not quoted:
        stop |= zero_bytes(w ^ np.uint64(ONES * 32)) | zero_bytes(w ^ np.uint64(ONES * 125))
    stop &= np.uint64(HIGHS)
    return run_before(stop)


@inlined
def _copied_word(buf, j, out, slot, pos, quoted):
    """The word at j stored whole at out[slot, pos] (the room past a column's last character
    takes the bytes beyond the run); the bytes of it that a quoted text (``quoted``) or a
    bare token copies as they are, before the next byte to judge: 0 to 8."""
    w = load8(buf, j)
    store8(out, slot, pos, w)
    return _plain_run(w) if quoted else _bare_run(w)


@inlined
def _put(b: int, out: np.ndarray, slot: int, pos: int, lut_len: np.ndarray, lut: np.ndarray) -> int:
    """Write the high byte b transcoded at out[slot, pos]; the new pos. Always three bytes are
    written (no loop over the length): the buffers have room past the last character."""
    out[slot, pos] = lut[b, 0]
    out[slot, pos + 1] = lut[b, 1]
    out[slot, pos + 2] = lut[b, 2]
    return pos + lut_len[b]


@inlined
def _put_high(buf, j, n, out, slot, pos, lut_len, lut, lt):
    """The run of high bytes at j (a UTF-8 character's bytes, or a CP437 or Windows-1252 text's
    letters) tallied into lt and written transcoded at out[slot, pos]: (pos, next). One stop
    for a character, not one per byte."""
    while True:
        _high(buf, j, n, lt)
        pos = _put(buf[j], out, slot, pos, lut_len, lut)
        j += 1
        if j >= n or buf[j] < 128:
            return pos, j


@inlined
def _take_quoted(buf, j, n, out, slot, pos, lut_len, lut, lt):
    """Copy a quoted token's content (j just after its opening quote) into out[slot] at pos while
    finding its closing quote, resolving \\" and transcoding: (next, pos, bad). High bytes
    are tallied into lt (see :func:`_high`).

    bad = 1 for a control character (a line break too: the quote is never closed) or no
    closing quote, as :func:`_token` judges it."""
    while j < n:
        if _WORDS and j + 8 <= n:
            # A run of plain ASCII copied a word at a time, up to the next byte to judge.
            k = _copied_word(buf, j, out, slot, pos, True)
            j += k
            pos += k
            if k == 8:
                continue
        b = buf[j]
        if b >= 128:
            pos, j = _put_high(buf, j, n, out, slot, pos, lut_len, lut, lt)
            continue
        if b == 34:
            return j + 1, pos, 0
        if b == 92 and j + 1 < n and buf[j + 1] == 34:
            out[slot, pos] = 34
            pos += 1
            j += 2
            continue
        if b < 32 and b != 9:
            return j, pos, 1
        out[slot, pos] = b
        pos += 1
        j += 1
    return j, pos, 1


@inlined
def _take_bare(buf, j, n, out, slot, pos, lut_len, lut, lt):
    """Copy a bare token (from its first byte j) into out[slot] at pos while finding its end
    (a space, a tab, a line break), transcoding: (next, pos, bad)."""
    while j < n:
        if _WORDS and j + 8 <= n:
            # As in _take_quoted: the run up to the next byte to judge, a word at a time.
            k = _copied_word(buf, j, out, slot, pos, False)
            j += k
            pos += k
            if k == 8:
                continue
        b = buf[j]
        if b >= 128:
            pos, j = _put_high(buf, j, n, out, slot, pos, lut_len, lut, lt)
            continue
        if b <= 32:
            if _ends_token(b):
                return j, pos, 0
            return j, pos, 1
        out[slot, pos] = b
        pos += 1
        j += 1
    return j, pos, 0


@called
def _passed(buf, j, n, lt):
    """The token at j (not a list) passed over as :func:`_take` would copy it, its high bytes
    tallied into lt, nothing copied: (next, bytes of content, bad). For a streamed row's text,
    which is read from the file where it stands."""
    quoted = buf[j] == 34
    if buf[j] == 123:
        return j, 0, 1
    if quoted:
        j += 1
    content = 0
    while j < n:
        if _WORDS and j + 8 <= n:
            w = load8(buf, j)
            k = _plain_run(w) if quoted else _bare_run(w)
            j += k
            content += k
            if k == 8:
                continue
        b = buf[j]
        if b >= 128:
            _high(buf, j, n, lt)
        elif quoted:
            if b == 34:
                return j + 1, content, 0
            if b == 92 and j + 1 < n and buf[j + 1] == 34:
                j += 1
            elif b < 32 and b != 9:
                return j, content, 1
        elif b <= 32:
            return j, content, 0 if _ends_token(b) else 1
        j += 1
        content += 1
    return j, content, 1 if quoted else 0


@called
def _take(buf, j, n, out, slot, pos, lut_len, lut, lt):
    """The token at j (not a list) copied into out[slot] at pos: (next, pos, bad)."""
    b = buf[j]
    if b == 34:
        return _take_quoted(buf, j + 1, n, out, slot, pos, lut_len, lut, lt)
    if b == 123:
        return j, pos, 1
    return _take_bare(buf, j, n, out, slot, pos, lut_len, lut, lt)


@inlined
def _amount_at(buf: np.ndarray, i: int, n: int) -> tuple[int, int, int]:
    """(öre, next, ok) for a bare amount -?digits(.d{1,2})? at i, ended by a space, tab or line break."""
    neg = False
    if i < n and buf[i] == 45:
        neg = True
        i += 1
    whole = 0
    digits = 0
    while i < n and buf[i] >= 48 and buf[i] <= 57:
        whole = whole * 10 + (buf[i] - 48)
        digits += 1
        i += 1
        if digits > 15:
            return 0, i, 0
    if digits == 0:
        return 0, i, 0
    frac = 0
    if i < n and buf[i] == 46:
        i += 1
        nd = 0
        while i < n and buf[i] >= 48 and buf[i] <= 57:
            frac = frac * 10 + (buf[i] - 48)
            nd += 1
            i += 1
            if nd > 2:
                return 0, i, 0
        if nd == 0:
            return 0, i, 0
        if nd == 1:
            frac *= 10
    if i < n and not _ends_token(buf[i]):
        return 0, i, 0
    value = whole * 100 + frac
    return (-value if neg else value), i, 1


@inlined
def _digits_word(v):
    """The word a load of v's 8 digits (YYYYMMDD, 0 to 99 999 999) gives: the first digit in
    its lowest byte."""
    w = np.uint64(0)
    for k in range(8):
        w |= np.uint64(48 + v % 10) << np.uint64(8 * (7 - k))
        v //= 10
    return w


@inlined
def _date_at(buf: np.ndarray, i: int, n: int) -> tuple[int, int, int, int]:
    """(YYYYMMDD value, next, given, ok) for a date field at i: 8 digits bare or quoted, or ""
    (not given). The caller checks the date (see :func:`_civil`)."""
    if buf[i] == 34:
        if i + 1 < n and buf[i + 1] == 34:
            return 0, i + 2, 0, 1
        if i + 9 < n and buf[i + 9] == 34:
            v, ok = _yyyymmdd(buf, i + 1)
            return v, i + 10, 1, ok
        return 0, i, 0, 0
    if i + 8 > n or (i + 8 < n and not _ends_token(buf[i + 8])):
        return 0, i, 0, 0
    v, ok = _yyyymmdd(buf, i)
    return v, i + 8, 1, ok


@inlined
def _date_field(buf, p, n, last_ymd, last_days, last_ok, last_word):
    """A date field at p read with what the scan remembers of the last date it read (its
    YYYYMMDD, day, validity and digits as a word, to take the same date again with one
    comparison): (next, given, ok, and those four for this date). ok = 0 for a field that
    is no date, or a date that does not exist (see :func:`_civil`)."""
    ymd, p, given, ok = _date_at(buf, p, n)
    if ok == 1 and given == 1:
        if ymd != last_ymd:
            last_ymd = ymd
            last_days, last_ok = _civil(ymd)
            last_word = _digits_word(ymd)
        ok = last_ok
    return p, given, ok, last_ymd, last_days, last_ok, last_word


@inlined
def _objects_at(buf, i, n, out, pos, lut_len, lut, lt, dims, ostart, ostop, order, digits_tmp):
    """An object list at i ("{"): its canonical key written to out[1] at pos (pairs sorted by
    dimension, "dim:id" joined by "|"): (next, pos, bad).

    Walks the list once, judging each item as :func:`_token` would; ids holding a character
    the key escapes (| : \\) or a quote inside a bare id go to the exact reader (bad = 1)."""
    p = i + 1
    np_ = 0
    while True:
        p = skip_blanks(buf, p, n)
        if p >= n:
            return p, pos, 1
        c = buf[p]
        if c == 125:
            p += 1
            break
        if np_ >= 128 or c == 123:
            return p, pos, 1
        q = p + 1 if c == 34 else p
        if np_ % 2 == 0:
            # a dimension number: 1-9 digits, bare or quoted
            dv = 0
            nd = 0
            while q < n and buf[q] >= 48 and buf[q] <= 57:
                dv = dv * 10 + (buf[q] - 48)
                nd += 1
                q += 1
            if nd == 0 or nd > 9 or q >= n:
                return p, pos, 1
            if c == 34:
                if buf[q] != 34:
                    return p, pos, 1
                q += 1
            elif buf[q] != 32 and buf[q] != 9 and buf[q] != 125:
                return p, pos, 1
            dims[np_ // 2] = dv
        else:
            a = q
            while q < n:
                if _WORDS and q + 8 <= n:
                    # the bytes no id ends or is judged at, a word at a time
                    k = _id_run(load8(buf, q), c == 34)
                    q += k
                    if k == 8:
                        continue
                b = buf[q]
                if b == 124 or b == 58 or b == 92:
                    return p, pos, 1
                if c == 34:
                    if b == 34:
                        break
                    if b < 32 and b != 9:
                        return p, pos, 1
                else:
                    if b == 32 or b == 9 or b == 125:
                        break
                    if b < 32 or b == 34:
                        return p, pos, 1
                q += 1
            if q >= n:
                return p, pos, 1
            ostart[np_ // 2] = a
            ostop[np_ // 2] = q
            if c == 34:
                q += 1
        p = q
        np_ += 1
    if np_ % 2 == 1:
        return p, pos, 1
    npairs = np_ // 2
    for k in range(npairs):
        order[k] = k
    # insertion sort by dimension; a dimension twice goes to the exact reader
    for k in range(1, npairs):
        x = order[k]
        m = k - 1
        while m >= 0 and dims[order[m]] > dims[x]:
            order[m + 1] = order[m]
            m -= 1
        order[m + 1] = x
    for k in range(1, npairs):
        if dims[order[k]] == dims[order[k - 1]]:
            return p, pos, 1
    for k in range(npairs):
        x = order[k]
        if k > 0:
            out[1, pos] = 124
            pos += 1
        if dims[x] < 10:
            out[1, pos] = 48 + dims[x]
            pos += 1
        else:
            nd = decimal_digits(dims[x], digits_tmp)
            for m in range(nd - 1, -1, -1):
                out[1, pos] = digits_tmp[m]
                pos += 1
        out[1, pos] = 58
        pos += 1
        j = ostart[x]
        e = ostop[x]
        while j < e:
            if _WORDS and j + 8 <= n:
                # ASCII copied a word at a time (whole: the key's room takes the rest)
                w = load8(buf, j)
                store8(out, 1, pos, w)
                k = min(_ascii_run(w), e - j)
                j += k
                pos += k
                if k == 8 or j == e:
                    continue
            b = buf[j]
            if b < 128:
                out[1, pos] = b
                pos += 1
            else:
                _high(buf, j, n, lt)
                pos = _put(b, out, 1, pos, lut_len, lut)
            j += 1
    return p, pos, 0


@unrefcounted
def _scan(
    buf,
    line_base,
    first_chunk,
    check_latin_lines,
    keep_text,
    lut_len,
    lut,
    v_date,
    v_regdate,
    v_regvalid,
    v_line,
    v_off,
    v_buf,
    t_voucher,
    t_row,
    t_kind,
    t_amount,
    t_date,
    t_line,
    t_off,
    t_buf,
    t_valid,
    t_span,
    o_line,
    o_start,
    o_stop,
    tally,
    work,
):
    """Fill the output arrays. Returns (status, vouchers, rows, others, bad line, line breaks).

    Each byte is walked about once: a voucher or row line is tokenized from its start, each
    field copied (or parsed) while its end is found; a header line is walked to its end.
    tally: the encoding facts of the lines scanned are added to it (see :func:`_tally`; a
    voucher or row line's are taken as its tokens are copied, see :func:`_high`), so a
    caller that assumed UTF-8 can decide the encoding without another pass over the file.

    status 0 = done; 1 = the exact reader must read this file (bad line given): also for a
    NUL anywhere, and a record whose label may be #KSUMMA; 2 = an output array is full
    (the caller sizes them from the line count and scans again). Line breaks are counted
    as :func:`_count_breaks` counts them (CRLF once, a lone CR too).
    v_off: (4, nv+1) offsets into v_buf (4, cap) for series, number, text, sign.
    t_off: (5, nt+1) offsets into t_buf (5, cap) for account, objects, text, quantity, sign.
    t_valid: (3, nt) validity of text, quantity, sign.
    keep_text: 1 to copy each row's text into t_buf; 0 to only find where it is (t_span).
    t_span: (2, nt) where each row's text is in buf as written (quotes and escapes included)
    and how many bytes it takes there (0: no text; its place then the last field's end or the line's start).
    The arrays need not be zeroed: every entry up to the counts returned is written.
    work: zeros, (8, 64) (the scanner's own small arrays: it allocates nothing).
    """
    n = buf.shape[0]
    cap_v = v_date.shape[0]
    cap_t = t_amount.shape[0]
    cap_o = o_line.shape[0]
    nv = 0
    nt = 0
    no = 0
    breaks = 0
    line_no = line_base
    i = 0
    state = 0  # 0 outside, 1 after #VER (expect "{"), 2 inside block
    row_in_voucher = 0
    first_record = first_chunk
    # pending #RTRANS: index of the row that must be followed by its #TRANS twin
    pending = -1
    dims = work[0]
    ostart = work[1]
    ostop = work[2]
    order = work[3]
    vpos = work[4]
    tpos = work[5]
    digits_tmp = work[6]
    # The encoding facts of the line being read (see _high)
    lt = work[7]
    lt[3] = tally[1]
    # The last date read and its day number: a ledger's rows mostly repeat their voucher's date.
    last_ymd = -1
    last_days = 0
    last_ok = 0
    last_word = np.uint64(0)  # its 8 digits as a word (see _digits_word)
    for slot in range(4):
        v_off[slot, 0] = 0
    for slot in range(5):
        t_off[slot, 0] = 0
    while i < n:
        line_no += 1
        start = i
        s = skip_blanks(buf, i, n)
        p = s
        if not _at_line_end(buf, s, n):
            if check_latin_lines:
                cpn = 0
                latn = 0
                for k in range(s, _line_end(buf, s, n)):
                    letter = _letter(buf[k])
                    if letter == 1:
                        cpn += 1
                    elif letter == 2:
                        latn += 1
                if latn > 0 and cpn == 0:
                    return 1, nv, nt, no, line_no, breaks
            c = buf[s]
            if c == 123 or c == 125:
                p = skip_blanks(buf, s + 1, n)
                if not _at_line_end(buf, p, n):
                    return 1, nv, nt, no, line_no, breaks
                if c == 123:
                    if state != 1:
                        return 1, nv, nt, no, line_no, breaks
                    state = 2
                else:
                    if state != 2 or pending >= 0:
                        return 1, nv, nt, no, line_no, breaks
                    state = 0
            else:
                kind = _label(buf, s, n)
                if first_record:
                    first_record = False
                    if kind != OTHER:
                        return 1, nv, nt, no, line_no, breaks
                if kind == OTHER:
                    if state != 0 or c != 35:
                        return 1, nv, nt, no, line_no, breaks
                    # #KSUMMA (in any case; "ſ" is an S to str.upper): the exact reader's
                    if s + 2 < n and (buf[s + 1] == 75 or buf[s + 1] == 107):
                        c2 = buf[s + 2]
                        if c2 == 83 or c2 == 115 or c2 == 0xC5:
                            return 1, nv, nt, no, line_no, breaks
                    seen = 0
                    while p < n:
                        b = buf[p]
                        if b == 10 or b == 13:
                            break
                        if b == 0:
                            return 1, nv, nt, no, line_no, breaks
                        seen |= b
                        p += 1
                    if no >= cap_o:
                        return 2, nv, nt, no, line_no, breaks
                    o_line[no] = line_no
                    o_start[no] = start
                    o_stop[no] = p
                    no += 1
                    if seen >= 128:
                        _tally(buf, start, p, tally)
                        lt[3] = tally[1]
                elif kind == VER:
                    if state != 0:
                        return 1, nv, nt, no, line_no, breaks
                    if nv >= cap_v:
                        return 2, nv, nt, no, line_no, breaks
                    p = skip_blanks(buf, s + 4, n)
                    # series and number
                    for slot in range(2):
                        if _at_line_end(buf, p, n):
                            return 1, nv, nt, no, line_no, breaks
                        p, vpos[slot], bad = _take(buf, p, n, v_buf, slot, vpos[slot], lut_len, lut, lt)
                        if bad == 1:
                            return 1, nv, nt, no, line_no, breaks
                        p = skip_blanks(buf, p, n)
                    if _at_line_end(buf, p, n):
                        return 1, nv, nt, no, line_no, breaks
                    p, given, ok, last_ymd, last_days, last_ok, last_word = _date_field(
                        buf, p, n, last_ymd, last_days, last_ok, last_word
                    )
                    if ok == 0 or given == 0:
                        return 1, nv, nt, no, line_no, breaks
                    v_date[nv] = last_days
                    v_regdate[nv] = 0
                    v_regvalid[nv] = 0
                    p = skip_blanks(buf, p, n)
                    if not _at_line_end(buf, p, n):  # text
                        p, vpos[2], bad = _take(buf, p, n, v_buf, 2, vpos[2], lut_len, lut, lt)
                        if bad == 1:
                            return 1, nv, nt, no, line_no, breaks
                        p = skip_blanks(buf, p, n)
                        if not _at_line_end(buf, p, n):  # registration date
                            p, given, ok, last_ymd, last_days, last_ok, last_word = _date_field(
                                buf, p, n, last_ymd, last_days, last_ok, last_word
                            )
                            if ok == 0:
                                return 1, nv, nt, no, line_no, breaks
                            if given == 1:
                                v_regdate[nv] = last_days
                                v_regvalid[nv] = 1
                            p = skip_blanks(buf, p, n)
                            if not _at_line_end(buf, p, n):  # sign
                                p, vpos[3], bad = _take(buf, p, n, v_buf, 3, vpos[3], lut_len, lut, lt)
                                if bad == 1:
                                    return 1, nv, nt, no, line_no, breaks
                                p = skip_blanks(buf, p, n)
                                if not _at_line_end(buf, p, n):
                                    return 1, nv, nt, no, line_no, breaks
                    for slot in range(4):
                        v_off[slot, nv + 1] = vpos[slot]
                    v_line[nv] = line_no
                    nv += 1
                    state = 1
                    row_in_voucher = 0
                else:
                    # a row
                    if state != 2:
                        return 1, nv, nt, no, line_no, breaks
                    if nt >= cap_t:
                        return 2, nv, nt, no, line_no, breaks
                    t_date[nt] = v_date[nv - 1]
                    t_valid[0, nt] = 0
                    t_valid[1, nt] = 0
                    t_valid[2, nt] = 0
                    t_span[0, nt] = s
                    t_span[1, nt] = 0
                    p = skip_blanks(buf, s + (6 if kind == TRANS else 7), n)
                    # account: not empty, no space in it
                    if _at_line_end(buf, p, n):
                        return 1, nv, nt, no, line_no, breaks
                    was = tpos[0]
                    # The two tokens of every row are copied here (not called): a bare account
                    # and a quoted text, as nearly every file writes them.
                    if buf[p] == 34 or buf[p] == 123:
                        p, tpos[0], bad = _take(buf, p, n, t_buf, 0, was, lut_len, lut, lt)
                        # (a bare token holds no space or tab: it ends at one)
                        for k in range(was, tpos[0]):
                            if t_buf[0, k] == 32 or t_buf[0, k] == 9:
                                return 1, nv, nt, no, line_no, breaks
                    else:
                        p, tpos[0], bad = _take_bare(buf, p, n, t_buf, 0, was, lut_len, lut, lt)
                    if bad == 1 or tpos[0] == was:
                        return 1, nv, nt, no, line_no, breaks
                    p = skip_blanks(buf, p, n)
                    if p >= n or buf[p] != 123:
                        return 1, nv, nt, no, line_no, breaks
                    p, tpos[1], bad = _objects_at(
                        buf, p, n, t_buf, tpos[1], lut_len, lut, lt, dims, ostart, ostop, order, digits_tmp
                    )
                    if bad == 1:
                        return 1, nv, nt, no, line_no, breaks
                    p = skip_blanks(buf, p, n)
                    if _at_line_end(buf, p, n):
                        return 1, nv, nt, no, line_no, breaks
                    amt, p, ok = _amount_at(buf, p, n)
                    if ok == 0:
                        return 1, nv, nt, no, line_no, breaks
                    t_amount[nt] = amt
                    p = skip_blanks(buf, p, n)
                    if not _at_line_end(buf, p, n):  # date
                        if (
                            _WORDS
                            and last_ymd >= 0
                            and p + 8 <= n
                            and load8(buf, p) == last_word
                            and (p + 8 == n or _ends_token(buf[p + 8]))
                        ):
                            # The last date again, bare: one comparison instead of its
                            # digits read (last_ok is 1, or the scan would have stopped).
                            t_date[nt] = last_days
                            p += 8
                        else:
                            p, given, ok, last_ymd, last_days, last_ok, last_word = _date_field(
                                buf, p, n, last_ymd, last_days, last_ok, last_word
                            )
                            if ok == 0:
                                return 1, nv, nt, no, line_no, breaks
                            if given == 1:
                                t_date[nt] = last_days
                        p = skip_blanks(buf, p, n)
                        t_span[0, nt] = p
                        if not _at_line_end(buf, p, n):  # text
                            was = tpos[2]
                            if keep_text == 0:
                                p, content, bad = _passed(buf, p, n, lt)
                            elif buf[p] == 34:
                                p, tpos[2], bad = _take_quoted(buf, p + 1, n, t_buf, 2, was, lut_len, lut, lt)
                                content = tpos[2] - was
                            else:
                                p, tpos[2], bad = _take(buf, p, n, t_buf, 2, was, lut_len, lut, lt)
                                content = tpos[2] - was
                            if bad == 1:
                                return 1, nv, nt, no, line_no, breaks
                            if content > 0:
                                t_valid[0, nt] = 1
                                t_span[1, nt] = p - t_span[0, nt]
                            p = skip_blanks(buf, p, n)
                            if not _at_line_end(buf, p, n):  # quantity
                                tk, a, b2, p, bad = _token(buf, p, _line_end(buf, p, n))
                                if bad == 1 or tk == 3:
                                    return 1, nv, nt, no, line_no, breaks
                                if b2 > a:
                                    qpos = _copy_quantity(buf, a, b2, t_buf, 3, tpos[3])
                                    if qpos < 0:
                                        return 1, nv, nt, no, line_no, breaks
                                    tpos[3] = qpos
                                    t_valid[1, nt] = 1
                                p = skip_blanks(buf, p, n)
                                if not _at_line_end(buf, p, n):  # sign
                                    was = tpos[4]
                                    p, tpos[4], bad = _take(buf, p, n, t_buf, 4, was, lut_len, lut, lt)
                                    if bad == 1:
                                        return 1, nv, nt, no, line_no, breaks
                                    if tpos[4] > was:
                                        t_valid[2, nt] = 1
                                    p = skip_blanks(buf, p, n)
                                    if not _at_line_end(buf, p, n):
                                        return 1, nv, nt, no, line_no, breaks
                    for slot in range(5):
                        t_off[slot, nt + 1] = tpos[slot]
                    # #RTRANS must be followed by its #TRANS twin (same account, objects and amount)
                    if pending >= 0:
                        if kind != TRANS or t_amount[nt] != t_amount[pending]:
                            return 1, nv, nt, no, line_no, breaks
                        for slot in range(2):
                            la = t_off[slot, pending + 1] - t_off[slot, pending]
                            lb = t_off[slot, nt + 1] - t_off[slot, nt]
                            if la != lb:
                                return 1, nv, nt, no, line_no, breaks
                            for k in range(la):
                                if t_buf[slot, t_off[slot, pending] + k] != t_buf[slot, t_off[slot, nt] + k]:
                                    return 1, nv, nt, no, line_no, breaks
                        pending = -1
                    elif kind == RTRANS:
                        pending = nt
                    t_voucher[nt] = nv - 1
                    t_row[nt] = row_in_voucher
                    t_kind[nt] = kind
                    t_line[nt] = line_no
                    row_in_voucher += 1
                    nt += 1
            if lt[0] > 0:
                # the line's high bytes, tallied as its tokens were copied
                tally[0] += lt[0]
                tally[1] = lt[3]
                tally[2] += lt[1]
                tally[3] += lt[2]
                if lt[2] > 0 and lt[1] == 0:
                    tally[4] = 1
                if lt[4] == 1:
                    tally[5] = 1
                lt[0] = 0
                lt[1] = 0
                lt[2] = 0
                lt[4] = 0
                lt[5] = 0
        # p is at the line's break (or the end)
        i = p
        if i < n:
            if buf[i] == 13 and i + 1 < n and buf[i + 1] == 10:
                i += 2
            else:
                i += 1
            breaks += 1
    if state != 0:
        return 1, nv, nt, no, line_no, breaks
    return 0, nv, nt, no, 0, breaks


def _strings(offsets: np.ndarray, data: np.ndarray, count: int, valid: np.ndarray | None = None) -> pa.Array:
    offs = offsets[: count + 1]
    used = int(offs[-1]) if count else 0
    validity = None
    null_count = 0
    if valid is not None:
        mask = valid[:count].astype(bool)
        null_count = int(count - mask.sum())
        if null_count:
            validity = pa.py_buffer(np.packbits(mask, bitorder="little"))
    return pa.Array.from_buffers(
        pa.string(), count, [validity, pa.py_buffer(offs), pa.py_buffer(data[:used])], null_count
    )


def _dates(days: np.ndarray, count: int, valid: np.ndarray | None = None) -> pa.Array:
    mask = None if valid is None else ~valid[:count].astype(bool)
    return pa.array(days[:count], type=pa.int32(), mask=mask).view(pa.date32())


# A whole file in memory: its bytes, or (for large files) a read-only memory map of it.
Buffer = bytes | mmap.mmap


class LineReader(Protocol):
    """The exact reader of the lines the scanner leaves to it (:class:`bokslut.sie.reader.ExactLines`)."""

    def feed(self, lines: Sequence[tuple[int, bytes]], coming: int = 0) -> None: ...

    def finish(self) -> Any: ...


# Starts reading a file's other lines with the encoding decided: (name, detected).
ExactLines = Callable[[str, enc.Detected], LineReader]


def detect(data: Buffer) -> enc.Detected:
    """The same decision as :func:`bokslut.sie.encoding.detect`, in one compiled pass."""
    return detect_with_stats(data)[0]


def detect_with_stats(data: Buffer) -> tuple[enc.Detected, tuple[int, int, int, int]]:
    bom = data[:3] == b"\xef\xbb\xbf"
    buf = np.frombuffer(data, dtype=np.uint8, offset=3 if bom else 0)
    if buf.size < PARALLEL_MIN_BYTES:
        stats = _stats(buf)
    else:
        with ThreadPoolExecutor(max_workers=2) as pool:
            stats = _stats_of(buf, pool)
    high, valid, cp, lat = stats
    return enc.decide(bom, high == 0, valid == 1, cp, lat), stats


@dataclass
class _Chunk:
    """What the scanner found in one part of the file."""

    nv: int
    nt: int
    others: Sequence[tuple[int, bytes]]
    vouchers: dict[str, pa.Array]
    rows: dict[str, pa.Array]
    tally: np.ndarray  # the encoding facts of its lines (see _tally)
    breaks: int  # its line breaks (CRLF once, a lone CR too)
    kinds: dict[str, int]  # rows per kind ("TRANS": …), in the order the kinds first come


_KIND_NAMES = ("", "", "", "TRANS", "RTRANS", "BTRANS")


def _kinds(kinds: np.ndarray) -> tuple[pa.DictionaryArray, dict[str, int]]:
    """The rows' kinds from the scanner's codes: as a dictionary column, the kinds numbered in
    the order they first come (as ``dictionary_encode`` numbers them, so the rows file is
    written as before), and the rows of each kind in that order. Most pieces hold #TRANS rows
    only: one kind, every index 0. Made here, in the worker, the column is neither built as
    strings (Arrow's take cost about 9 ns a row) nor encoded and counted again from them in
    the thread that hands the pieces on (5 ms a piece)."""
    counts = np.bincount(kinds.view(np.uint8), minlength=len(_KIND_NAMES))
    codes = np.flatnonzero(counts).tolist()  # of rows: TRANS, RTRANS, BTRANS only
    if len(codes) > 1:
        codes.sort(key=lambda code: int(np.argmax(kinds == code)))
    rank = np.zeros(len(_KIND_NAMES), np.int32)
    rank[codes] = np.arange(len(codes), dtype=np.int32)
    indices = rank[kinds.view(np.uint8)] if len(codes) > 1 else np.zeros(kinds.size, np.int32)
    names = [_KIND_NAMES[code] for code in codes]
    column = pa.DictionaryArray.from_arrays(pa.array(indices), pa.array(names, pa.string()))
    return column, {name: int(counts[code]) for name, code in zip(names, codes, strict=True)}


def _add_kinds(counts: dict[str, int], kinds: dict[str, int]) -> None:
    """Add a chunk's rows per kind to a file's counts of records ("#TRANS": …)."""
    for kind, rows in kinds.items():
        counts["#" + kind] = counts.get("#" + kind, 0) + rows


def _kind_strings(column: pa.DictionaryArray) -> pa.Array:
    """A kind column as strings (the whole file read at once keeps them so): a column of one
    kind built directly."""
    n = len(column)
    if len(column.dictionary) == 1:
        value = column.dictionary[0].as_py().encode()
        offsets = np.arange(0, len(value) * (n + 1), len(value), dtype=np.int32)
        return pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(value * n)])
    return column.dictionary_decode()


# A piece's rows as streamed: their kinds as a dictionary (the writer and the checks read them so),
# and each row's text by where it stands in the file (``text`` left empty): the file is kept
# byte for byte beside the store, so a text is read from there when shown
# (:mod:`bokslut.ledger.texts`), and a large file's texts are not copied into its rows file.
PIECE_SCHEMA = (
    TRANSACTION_SCHEMA.set(
        TRANSACTION_SCHEMA.get_field_index("kind"), pa.field("kind", pa.dictionary(pa.int32(), pa.string()))
    )
    .append(TEXT_SPAN.field("text_at"))
    .append(TEXT_SPAN.field("text_len"))
)


# The bytes whose line breaks guess how many records a piece holds.
_SAMPLE_BYTES = 1 << 20


def _room_guess(buf: np.ndarray) -> int:
    """Records room for a piece: its line breaks (in the first :data:`_SAMPLE_BYTES`,
    scaled to the whole and a quarter more) plus some."""
    n = buf.shape[0]
    if n <= _SAMPLE_BYTES:
        return int(_count_breaks(buf)) + 2
    sample = int(_count_breaks(buf[:_SAMPLE_BYTES])) + 1
    return sample * (n // _SAMPLE_BYTES + 1) * 5 // 4 + 4096


class _Outputs:
    """The scanner's output arrays for one piece (see :func:`_scan`): room for ``records``
    (vouchers, rows, other records) and ``cap`` text bytes per string column.

    The Arrow arrays of a scanned piece are views of these (no copy), so a set is in use
    until the piece's last view is gone; :class:`_OutputPool` then lends it again. The scanner
    fills a few MB at the start of each column and never touches the guessed room beyond: in
    small pages (see :func:`_tune_memory`) the untouched room costs nothing.
    """

    def __init__(self, records: tuple[int, int, int], cap: int) -> None:
        self.records = (0, 0, 0)
        self.cap = 0
        self.fit(records, cap)

    def fit(self, records: tuple[int, int, int], cap: int) -> None:
        """Make room for at least ``records`` and ``cap``, keeping the arrays that have it."""
        est_v, est_t, est_o = records
        if est_v > self.records[0]:
            self.v_date = np.empty(est_v, np.int32)
            self.v_regdate = np.empty(est_v, np.int32)
            self.v_regvalid = np.empty(est_v, np.uint8)
            self.v_line = np.empty(est_v, np.int64)
            self.v_off = np.empty((4, est_v + 1), np.int32)
        if est_t > self.records[1]:
            self.t_voucher = np.empty(est_t, np.int64)
            self.t_row = np.empty(est_t, np.int32)
            self.t_kind = np.empty(est_t, np.int8)
            self.t_amount = np.empty(est_t, np.int64)
            self.t_date = np.empty(est_t, np.int32)
            self.t_line = np.empty(est_t, np.int64)
            self.t_off = np.empty((5, est_t + 1), np.int32)
            self.t_valid = np.empty((3, est_t), np.uint8)
            self.t_span = np.empty((2, est_t), np.int32)
        if est_o > self.records[2]:
            self.o_line = np.empty(est_o, np.int64)
            self.o_start = np.empty(est_o, np.int64)
            self.o_stop = np.empty(est_o, np.int64)
        if cap > self.cap:
            self.v_buf = np.empty((4, cap), np.uint8)
            self.t_buf = np.empty((5, cap), np.uint8)
            self.cap = cap
        self.records = (max(est_v, self.records[0]), max(est_t, self.records[1]), max(est_o, self.records[2]))
        self._idle = self._references()

    def unreferenced(self) -> bool:
        """Whether nothing but this object refers to its arrays (no view of them is left)."""
        return self._references() == self._idle

    def _references(self) -> list[int]:
        # Counted the same way as when the arrays were new, so the count's own references cancel.
        return [sys.getrefcount(value) for value in vars(self).values() if isinstance(value, np.ndarray)]


class _OutputPool:
    """Output arrays lent to one piece at a time and used again once nothing refers to them.

    Fresh arrays for every piece cost the kernel a zeroed page for every page the scanner
    touches (a worker thread's heap maps anything over 64 MB anew each time). A lent set
    comes back when no view of it is left: every view (numpy's, or Arrow's buffer over one)
    holds a reference to the array it views, so an array only this pool refers to has the
    reference count it had when it was made. Which pieces are still alive (waiting, being
    written) need not be known; at most as many sets exist as pieces were alive at once.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle: list[_Outputs] = []
        self._lent: list[_Outputs] = []

    def take(self, records: tuple[int, int, int], cap: int) -> _Outputs:
        with self._lock:
            free = next((out for out in self._lent if out.unreferenced()), None)
            if free is not None:
                self._lent.remove(free)
            elif self._idle:
                free = self._idle.pop()
        if free is None:
            # A little more than asked: the next piece's guess is rarely exactly the same.
            free = _Outputs(tuple(n + n // 8 for n in records), cap + cap // 8)  # type: ignore[arg-type]
        else:
            free.fit(records, cap)
        return free

    def lend(self, out: _Outputs) -> None:
        """``out`` now holds a scanned piece's data: used again once its views are gone."""
        with self._lock:
            self._lent.append(out)

    def give_back(self, out: _Outputs) -> None:
        """``out`` was not lent (its scan declined the piece): free to use at once."""
        with self._lock:
            self._idle.append(out)


def _scan_chunk(
    body: memoryview,
    line_base: int,
    first: bool,
    check_latin: bool,
    lut_len: np.ndarray,
    lut: np.ndarray,
    high: int,
    pool: _OutputPool | None = None,
    byte_base: int | None = None,
) -> _Chunk | None:
    """The records of ``body`` (its first line numbered ``line_base`` + 1). With ``byte_base``
    (where ``body`` begins in its file) each row's text is given by its place in the file,
    ``text_at`` and ``text_len`` (see :data:`PIECE_SCHEMA`), instead of as a string."""
    buf = _read_only(np.frombuffer(body, dtype=np.uint8))
    # Room for the records: as many as the lines, guessed from the first MiB with a margin
    # (counting every line would be a pass of its own) and never more than could fit (a row
    # is at least 12 bytes, '#TRANS 1 {}1'; a voucher at least 17, '#VER """"20230101', with
    # its "{" and "}" lines). Should the guess fall short, the lines are counted and the piece
    # scanned again. The arrays are not zeroed (the scanner writes every entry it counts).
    # Room far beyond the guess would cost: memory is handed out in huge pages, each zeroed
    # whole when first touched, so every array's used part is rounded up to 2 MiB. With a
    # ``pool`` (a streamed file's pieces) the arrays of pieces already written are used again.
    room = _room_guess(buf)
    sizes = (
        min(body.nbytes // 17 + 2, room),
        min(body.nbytes // 12 + 2, room),
        min(body.nbytes // 2 + 2, room),
    )
    # Transcoding can at most triple a high byte (``high`` counts the whole file's).
    cap = body.nbytes + 2 * min(high, body.nbytes) + 16
    out = pool.take(sizes, cap) if pool is not None else _Outputs(sizes, cap)
    while True:
        tally = np.zeros(_TALLY_SIZE, np.int64)
        status, nv, nt, no, _bad_line, breaks = _scan(
            buf,
            line_base,
            first,
            check_latin,
            1 if byte_base is None else 0,  # a streamed row's text is read where it stands
            lut_len,
            lut,
            out.v_date,
            out.v_regdate,
            out.v_regvalid,
            out.v_line,
            out.v_off,
            out.v_buf,
            out.t_voucher,
            out.t_row,
            out.t_kind,
            out.t_amount,
            out.t_date,
            out.t_line,
            out.t_off,
            out.t_buf,
            out.t_valid,
            out.t_span,
            out.o_line,
            out.o_start,
            out.o_stop,
            tally,
            np.zeros((8, 64), np.int64),
        )
        if status != 2:
            break
        lines = _count_breaks(buf) + 2  # every record is a line of its own
        if min(out.records) >= lines:
            break
        out.fit((lines, lines, lines), cap)
    if status != 0:
        if pool is not None:
            pool.give_back(out)
        return None
    others = cut(body, out.o_line[:no], out.o_start[:no], out.o_stop[:no])
    vouchers = {
        "series": _strings(out.v_off[0], out.v_buf[0], nv),
        "number": _strings(out.v_off[1], out.v_buf[1], nv),
        "date": _dates(out.v_date, nv),
        "text": _strings(out.v_off[2], out.v_buf[2], nv),
        "regdate": _dates(out.v_regdate, nv, out.v_regvalid),
        "sign": _sign_strings(out.v_off[3], out.v_buf[3], nv),
        "line": pa.array(out.v_line[:nv]),
    }
    kind_column, kinds = _kinds(out.t_kind[:nt])
    rows = {
        "voucher_idx": pa.array(out.t_voucher[:nt]),
        "row_no": pa.array(out.t_row[:nt]),
        "kind": kind_column,
        "account": _strings(out.t_off[0], out.t_buf[0], nt),
        "amount": pa.array(out.t_amount[:nt]),
        "date": _dates(out.t_date, nt),
        "text": _strings(out.t_off[2], out.t_buf[2], nt, out.t_valid[0])
        if byte_base is None
        else pa.nulls(nt, pa.string()),
        "quantity": _strings(out.t_off[3], out.t_buf[3], nt, out.t_valid[1]),
        "sign": _strings(out.t_off[4], out.t_buf[4], nt, out.t_valid[2]),
        "objects": _strings(out.t_off[1], out.t_buf[1], nt),
        "line": pa.array(out.t_line[:nt]),
    }
    if byte_base is not None:
        rows["text_at"] = pa.array(out.t_span[0, :nt] + np.int64(byte_base))
        rows["text_len"] = pa.array(out.t_span[1, :nt])
    if pool is not None:
        pool.lend(out)
    return _Chunk(nv, nt, others, vouchers, rows, tally, breaks, kinds)


# Files this large are scanned in two halves at once (the scanner releases the GIL).
PARALLEL_MIN_BYTES = 64 * 1024 * 1024
# The scanner writes a piece's string offsets in 32 bits: a piece of at most this many bytes
# stays under 2 GiB even with every byte transcoded to three. Larger files are cut into
# more pieces (at #VER lines, so no voucher and no CRLF is cut), two scanned at a time.
PIECE_MAX_BYTES = 512 * 1024 * 1024
SCAN_THREADS = 2


def _split_points(data: memoryview, parts: int) -> list[int]:
    """Chunk starts: the first line of each part that begins with #VER (so no voucher is cut)."""
    raw = data.obj  # the whole file (bytes or mmap): searched in place, never copied
    assert isinstance(raw, bytes | mmap.mmap)
    base = len(raw) - data.nbytes
    points = [0]
    for k in range(1, parts):
        at = raw.find(b"\n#VER", base + data.nbytes * k // parts)
        if at < 0 or at - base <= points[-1]:
            break
        points.append(at - base + 1)
    return points


def read_fast(
    data: Buffer,
    name: str,
    detected: enc.Detected | None,
    read_lines: ExactLines,
    stats: tuple[int, int, int, int] | None = None,
    parts: int | None = None,
    piece_max_bytes: int | None = None,
) -> SieFile | None:
    """Read ``data`` with the scanner, or return None when the exact reader must do it.

    ``parts`` (default: two for large files, more for files beyond ``piece_max_bytes``)
    is how many pieces the file is scanned in; ``piece_max_bytes`` defaults to
    :data:`PIECE_MAX_BYTES` as it is when called.

    With ``detected`` None the encoding is decided while scanning, from the same facts as
    :func:`bokslut.sie.encoding.detect` and with the same decision: the text is scanned
    as it is (as UTF-8), and transcoded afterwards when the file turns out not to be.
    """
    if piece_max_bytes is None:
        piece_max_bytes = PIECE_MAX_BYTES
    # A #KSUMMA, a NUL: the scanner declines (see _scan); an undefined Windows-1252 byte: below.
    bom = data[:3] == enc.BOM
    # A view, not a slice: slicing would copy the whole file.
    body = memoryview(data)[3:] if bom else memoryview(data)
    if detected is None:
        high, check_latin = 0, False  # scanned as UTF-8: no byte grows
        lut_len, lut = enc.utf8_forms(enc.UTF8)
    else:
        high, _, _, latin = stats if stats is not None else _stats(np.frombuffer(body, np.uint8))
        lut_len, lut = enc.utf8_forms(detected.encoding)
        # Only a CP437 file that also holds Latin-1 letters can have a mixed line to catch.
        check_latin = detected.encoding == enc.CP437 and latin > 0
    if parts is None:
        parts = 2 if body.nbytes >= PARALLEL_MIN_BYTES else 1
    # Pieces of half the limit: the cut moves on to the next #VER, so each stays within it.
    parts = max(parts, -(-2 * body.nbytes // piece_max_bytes))
    points = _split_points(body, parts)
    bounds = [*points, body.nbytes]
    pieces = [body[bounds[k] : bounds[k + 1]] for k in range(len(points))]
    if any(piece.nbytes > piece_max_bytes for piece in pieces):
        return None  # a stretch without #VER longer than a piece: the exact reader's
    # Each piece scanned from line 0, moved to its place once the lines above it are counted.
    with ThreadPoolExecutor(max_workers=min(len(pieces), SCAN_THREADS)) as pool:
        futures = [
            pool.submit(_scan_chunk, piece, 0, k == 0, check_latin, lut_len, lut, high)
            for k, piece in enumerate(pieces)
        ]
        chunks = [f.result() for f in futures]
    if any(c is None for c in chunks):
        return None
    done = [c for c in chunks if c is not None]
    base = 0
    for chunk in done:
        _offset_lines(chunk, base)
        base += chunk.breaks
    if detected is not None and _has_holes(detected, done):
        return None
    if detected is None:
        detected = _decided(bom, done)
        if detected is None:
            return None
    exact = read_lines(name, detected)
    for c in done:
        exact.feed(c.others)
    reader = exact.finish()
    if any(f.level is Level.ERROR for f in reader.findings):
        return None
    nv = sum(c.nv for c in done)
    voucher_base = np.cumsum([0, *(c.nv for c in done)])
    vouchers = pa.table(
        {
            "voucher_idx": pa.array(np.arange(nv, dtype=np.int64)),
            **{
                col: pa.chunked_array([c.vouchers[col] for c in done], VOUCHER_SCHEMA.field(col).type)
                for col in VOUCHER_SCHEMA.names
                if col != "voucher_idx"
            },
        },
        schema=VOUCHER_SCHEMA,
    )
    columns = {
        col: pa.chunked_array([c.rows[col] for c in done], TRANSACTION_SCHEMA.field(col).type)
        for col in TRANSACTION_SCHEMA.names
        if col != "kind"
    }
    columns["kind"] = pa.chunked_array([_kind_strings(c.rows["kind"]) for c in done], pa.string())
    columns["voucher_idx"] = pa.chunked_array(
        [pa.array(c.rows["voucher_idx"].to_numpy() + voucher_base[k]) for k, c in enumerate(done)],
        pa.int64(),
    )
    transactions = pa.table(columns, schema=TRANSACTION_SCHEMA)
    result: SieFile = reader.result(detected, check_total=False)
    counts = dict(result.counts)
    by_kind: dict[str, int] = {}
    for c in done:
        _add_kinds(by_kind, c.kinds)
    counts.update(by_kind)
    if nv:
        counts["#VER"] = nv
    findings = list(result.findings)
    too_large = lim.total_finding(name, transactions["amount"], transactions["line"], reader.amounts())
    if too_large is not None:
        findings.append(too_large)
    return SieFile(
        name=result.name,
        encoding=result.encoding,
        header=result.header,
        accounts=result.accounts,
        dimensions=result.dimensions,
        objects=result.objects,
        balances=result.balances,
        period_balances=result.period_balances,
        vouchers=vouchers,
        transactions=transactions,
        counts=counts,
        findings=tuple(findings),
    )


def _has_holes(detected: enc.Detected, chunks: list[_Chunk]) -> bool:
    """Whether a Windows-1252 file holds a byte that it leaves undefined (the exact reader warns)."""
    return detected.encoding == enc.CP1252 and any(c.tally[5] for c in chunks)


def _decided(bom: bool, chunks: list[_Chunk]) -> enc.Detected | None:
    """The encoding of a file scanned as UTF-8, its text transcoded to it; None when the
    exact reader must read the file (a Windows-1252 line in a CP437 file, an undefined
    Windows-1252 byte)."""
    tally = np.sum([c.tally for c in chunks], axis=0)
    high, invalid, cp, lat = (int(v) for v in tally[:4])
    mixed = any(c.tally[4] for c in chunks)
    detected = enc.decide(bom, high == 0, invalid == 0, cp, lat)
    if (detected.encoding == enc.CP437 and mixed) or _has_holes(detected, chunks):
        return None
    if detected.encoding != enc.UTF8 and high:
        lut_len, lut = enc.utf8_forms(detected.encoding)
        for c in chunks:
            for table in (c.vouchers, c.rows):
                for col, arr in table.items():
                    if arr.type == pa.string() and col != "kind":
                        table[col] = _transcoded(arr, lut_len, lut)
    return detected


@kernel
def _transcode(offsets: np.ndarray, data: np.ndarray, lut_len: np.ndarray, lut: np.ndarray):
    """The strings data[offsets[k]:offsets[k+1]], each byte through the table: (offsets, data)."""
    count = offsets.shape[0] - 1
    total = 0
    for k in range(offsets[0], offsets[count]):
        total += lut_len[data[k]]
    out = np.empty(total, np.uint8)
    new = np.empty(count + 1, np.int32)
    new[0] = 0
    pos = 0
    for r in range(count):
        for k in range(offsets[r], offsets[r + 1]):
            b = data[k]
            if b < 128:
                out[pos] = b
                pos += 1
            else:
                for m in range(lut_len[b]):
                    out[pos] = lut[b, m]
                    pos += 1
        new[r + 1] = pos
    return new, out


def _transcoded(arr: pa.Array, lut_len: np.ndarray, lut: np.ndarray) -> pa.Array:
    """A string array the scanner built from raw bytes, in UTF-8 from the table's encoding."""
    validity, offsets, data = arr.buffers()
    assert arr.offset == 0 and offsets is not None  # as _strings builds them
    offs = np.frombuffer(offsets, np.int32)[: len(arr) + 1]
    raw = np.frombuffer(data, np.uint8) if data is not None else np.zeros(0, np.uint8)
    if not len(arr) or not (raw[offs[0] : offs[-1]] >= 128).any():
        return arr
    new, out = _transcode(offs, raw, lut_len, lut)
    return pa.Array.from_buffers(
        pa.string(), len(arr), [validity, pa.py_buffer(new), pa.py_buffer(out)], arr.null_count
    )


def _sign_strings(offsets: np.ndarray, data: np.ndarray, count: int) -> pa.Array:
    # The exact reader keeps an empty #VER sign as None; do the same.
    arr = _strings(offsets, data, count)
    lengths = np.diff(offsets[: count + 1])
    return (
        _strings(offsets, data, count, (lengths > 0).astype(np.uint8))
        if count and (lengths == 0).any()
        else arr
    )


# ------------------------------------------------------------------ streaming a file of any size

# A streamed file is read in windows of about this many bytes, each cut back to its last #VER
# line: what is in flight (a few windows and their scanned rows) does not grow with the file.
STREAM_PIECE_BYTES = 32 * 1024 * 1024
# Scanned pieces waiting for the consumer, besides the ones being scanned.
STREAM_WAITING = 1
# The first bytes, judged by :func:`bokslut.sie.reader.sniff` as a whole file would be.
_HEAD_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class Piece:
    """One scanned piece of a streamed file, in file order: whole vouchers with their rows.

    ``voucher_idx`` counts from the file's first voucher; the rows are :data:`PIECE_SCHEMA`'s
    (the kinds as a dictionary); ``others`` are the piece's other records (line, raw bytes),
    which the exact reader reads at the end.
    """

    vouchers: pa.Table
    rows: pa.Table
    others: Sequence[tuple[int, bytes]]


@dataclass(frozen=True, slots=True)
class Streamed:
    """What streaming a file gave besides its pieces: the header records (the file's digest is
    taken by whoever copies it: :class:`bokslut.ledger.filecopy.Copier`)."""

    sie: SieFile  # header, chart and balances; ``vouchers`` and ``transactions`` empty
    size: int


def _window_size(piece_max_bytes: int) -> int:
    return max(1, min(STREAM_PIECE_BYTES, piece_max_bytes // 2))


# A buffer a piece of a streamed file is read into.
Room = bytearray | mmap.mmap


def _room(size: int) -> Room:
    """A buffer of ``size`` bytes: anonymous memory, which the kernel zeroes as it hands each page
    out (a bytearray would be zeroed a second time, by Python, before the file is read into it)."""
    private = getattr(mmap, "MAP_PRIVATE", None)
    if private is None:  # not POSIX
        return bytearray(size)
    return mmap.mmap(-1, size, flags=private)  # shared, it would be shmem


def _pieces(
    f: io.BufferedReader, window: int, limit: int, free: list[Room]
) -> Iterator[tuple[Room, int] | None]:
    """The file in pieces of about ``window`` bytes, each cut just before a line starting "#VER":
    (buffer, length), the piece being ``buffer[:length]``.

    The buffers come from ``free`` when there are any (the caller gives a buffer back once
    its piece is scanned), so reading a large file reuses a few buffers instead of
    mapping fresh memory for every piece.
    None (then nothing more) when a stretch without a #VER line is longer than ``limit``:
    the exact reader must read the file.
    """
    carry = b""
    eof = False
    while True:
        n = len(carry)
        want = max(window, n + 1)  # bytes to have before looking for the cut
        buf = free.pop() if free else _room(want)
        if len(buf) < want:
            buf = _room(want)
        buf[:n] = carry
        while True:
            with memoryview(buf) as view:
                while n < want and not eof:
                    got = f.readinto(view[n:want])
                    if got:
                        n += got
                    else:
                        eof = True
            at = -1 if eof else buf.rfind(b"\n#VER", 0, n)
            if eof or at >= 0:
                break
            if n > limit:
                yield None
                return
            want = n + window
            grown = _room(want)
            grown[:n] = memoryview(buf)[:n]
            buf = grown
        cut = n if eof else at + 1
        if cut > limit:
            yield None
            return
        carry = bytes(memoryview(buf)[cut:n])
        if cut:
            yield buf, cut
        elif free is not None:
            free.append(buf)
        if eof and not carry:
            return


def _scan_piece(
    buf: Room,
    start: int,
    stop: int,
    first: bool,
    check_latin: bool,
    lut_len: np.ndarray,
    lut: np.ndarray,
    high: int,
    pool: _OutputPool | None = None,
    byte_base: int = 0,
) -> tuple[_Chunk | None, int, bool]:
    """A piece scanned (in a worker) from line 0, its line breaks, and whether it holds a byte
    that Windows-1252 leaves undefined; no chunk when it holds one that sends the file to the
    exact reader whatever it is (#KSUMMA, NUL: the scanner declines). ``byte_base``: where
    ``buf`` begins in the file."""
    chunk = _scan_chunk(
        memoryview(buf)[start:stop], 0, first, check_latin, lut_len, lut, high, pool, byte_base + start
    )
    if chunk is None:
        return None, 0, False
    return chunk, chunk.breaks, bool(chunk.tally[5])


@dataclass(frozen=True, slots=True)
class _Turned:
    """A piece changed the encoding its predecessors' text was transcoded with."""


# Lines handed to the exact reader's thread at a time: stopping waits for one batch at most.
_OTHERS_BATCH = 20_000


class _Others:
    """The records the scanner leaves to the exact reader, read in a thread of their own as
    their pieces are taken.

    A region's header (hundreds of thousands of #OBJEKT, #KONTO and #PSALDO lines, all in
    the first piece) is so read while the rest of the file is scanned, not after it: the
    exact reader holds the GIL, the scanner's kernels and Arrow let it go. The lines are read
    with the encoding decided when the first of them came; should a later piece decide
    otherwise, they are all read again, with the file's decision, by :meth:`read`.
    """

    def __init__(self, name: str, read_lines: ExactLines) -> None:
        self.name = name
        self.read_lines = read_lines
        self.parts: list[Sequence[tuple[int, bytes]]] = []
        self._early: LineReader | None = None
        self._early_as: enc.Detected | None = None
        self._stale = False
        self._fed: list[Future[None]] = []
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bokslut-others")

    def add(self, lines: Sequence[tuple[int, bytes]], detected: enc.Detected) -> None:
        """The next piece's lines, with the encoding decided so far."""
        if not lines:
            return
        self.parts.append(lines)
        if self._early is None:
            self._early, self._early_as = self.read_lines(self.name, detected), detected
        self._stale |= detected != self._early_as
        if self._stale:
            return
        early = self._early
        n = len(lines)
        for k in range(0, n, _OTHERS_BATCH):
            # One worker: the batches are read in the order they are submitted. The lines
            # after a batch are told, so that a region's header is swept from its first batch.
            coming = max(0, n - k - _OTHERS_BATCH)
            self._fed.append(self._pool.submit(early.feed, lines[k : k + _OTHERS_BATCH], coming))

    def read(self, detected: enc.Detected) -> Any:
        """The exact reader, finished, of all the lines added (as read with ``detected``)."""
        self._pool.shutdown(wait=True)
        for fed in self._fed:
            fed.result()  # what the thread raised is raised here
        if self._early is not None and not self._stale and detected == self._early_as:
            return self._early.finish()
        exact = self.read_lines(self.name, detected)
        exact.feed([line for part in self.parts for line in part])
        return exact.finish()

    def close(self) -> None:
        """Stop reading (the batch being read is finished); safe to call more than once."""
        self._pool.shutdown(wait=True, cancel_futures=True)


@dataclass
class _Pass:
    """What one pass over the file's pieces gathered, besides what it gave the consumer."""

    bom: bool = False
    head: bytes = b""
    nv: int = 0
    total: int = 0
    holes: bool = False
    mixed: bool = False
    counts: dict[str, int] = field(default_factory=dict)
    lines: int = 0  # line breaks in the pieces taken so far
    tally: np.ndarray = field(default_factory=lambda: np.zeros(5, np.int64))


def _decision(bom: bool, tally: np.ndarray) -> enc.Detected:
    return enc.decide(bom, tally[0] == 0, tally[1] == 0, int(tally[2]), int(tally[3]))


def _stream_pass(
    f: io.BufferedReader,
    name: str,
    consume: Callable[[Piece], None] | None,
    sniff: Callable[[bytes, str], SieFile | None],
    window: int,
    limit: int,
    known: tuple[enc.Detected, int, int] | None,
    others: _Others | None,
) -> _Pass | _Turned | None:
    """One pass over the file in pieces, two scanned at once, each handed to ``consume`` in order.

    With ``known`` (the decision, the file's high bytes and Latin-1 letters) each piece is
    transcoded while it is scanned. Without it the encoding is decided from what has been
    scanned so far: until the first piece with high bytes the text is scanned as it is (as
    UTF-8), and the pieces scanned before the decision have their string columns
    transcoded before they are consumed; the pieces after it are transcoded while they
    are scanned. Should a later piece change the decision, the pass stops with
    :class:`_Turned`. Without ``consume``
    the pieces' encoding facts are only tallied (no rows are kept). The records left to the
    exact reader go to ``others`` as their pieces are taken.
    """
    out = _Pass()
    check_latin = known is not None and known[0].encoding == enc.CP437 and known[2] > 0
    used: enc.Detected | None = known[0] if known is not None else None
    luts = {code: enc.utf8_forms(code) for code in (enc.UTF8, enc.CP437, enc.CP1252)}
    free: list[Room] = []
    outputs = _OutputPool()
    with ThreadPoolExecutor(max_workers=SCAN_THREADS) as pool:
        # Each piece with the encoding it was transcoded with while scanned (None: as UTF-8).
        waiting: deque[tuple[Future[Any], Room, enc.Detected | None]] = deque()

        def take() -> bool | _Turned:
            nonlocal used
            future, buf, scanned_as = waiting.popleft()
            if consume is None:
                high_bytes, valid, cp, latin = future.result()
                free.append(buf)
                out.tally += np.array([high_bytes, 1 - valid, cp, latin, 0], np.int64)
                out.tally[1] = min(out.tally[1], 1)
                return True
            chunk, lines, holes = future.result()
            free.append(buf)
            if chunk is None:
                return False
            base = out.lines
            out.lines += lines
            out.holes |= holes
            out.mixed |= bool(chunk.tally[4])
            out.tally[[0, 2, 3]] += chunk.tally[[0, 2, 3]]
            out.tally[1] |= chunk.tally[1]
            if chunk.tally[0] and known is None:
                decided = _decision(out.bom, out.tally)
                if used is None:
                    used = decided
                elif decided.encoding != used.encoding:
                    return _Turned()
                if scanned_as is None:
                    _transcode_chunk(chunk, decided)
            _offset_lines(chunk, base)
            piece = _piece(chunk, out.nv)
            out.nv += chunk.nv
            out.total += lim.abs_total(piece.rows["amount"].to_numpy())
            _add_kinds(out.counts, chunk.kinds)
            if others is not None:
                others.add(chunk.others, _decision(out.bom, out.tally))
            consume(piece)
            return True

        try:
            first = True
            at = f.tell()  # where the piece begins in the file
            for got in _pieces(f, window, limit, free):
                if got is None:
                    return None
                buf, stop = got
                start = 0
                if first:
                    out.head = bytes(memoryview(buf)[: min(stop, _HEAD_BYTES)])
                    if sniff(out.head, name) is not None:
                        return None  # the exact reader says what is wrong (or finds what the head hides)
                    out.bom = out.head[:3] == enc.BOM
                    start = 3 if out.bom else 0
                    if consume is not None and used is None:
                        # Decided from the first piece, as take() would decide once it is
                        # scanned: so the pieces scanned meanwhile are transcoded in the workers.
                        stats = _stats_of(np.frombuffer(buf, np.uint8, stop - start, start), pool)
                        if stats[0]:
                            used = enc.decide(out.bom, False, stats[1] == 1, stats[2], stats[3])
                future: Future[Any]
                if consume is None:
                    future = pool.submit(_stats, np.frombuffer(buf, np.uint8, stop - start, start))
                else:
                    # Once a decision is taken, later pieces are transcoded while they are scanned
                    # (in the workers); should it turn, the pass stops anyway.
                    lut_len, lut = luts[used.encoding if used is not None else enc.UTF8]
                    # Transcoding can at most triple a byte: room for that.
                    high = 0 if used is None or used.encoding == enc.UTF8 else stop - start
                    future = pool.submit(
                        _scan_piece, buf, start, stop, first, check_latin, lut_len, lut, high, outputs, at
                    )
                waiting.append((future, buf, used))
                first = False
                at += stop
                if len(waiting) > SCAN_THREADS + STREAM_WAITING - 1:
                    taken = take()
                    if taken is not True:
                        return taken or None
            while waiting:
                taken = take()
                if taken is not True:
                    return taken or None
        finally:
            for future, _, _ in waiting:
                future.cancel()
    if not out.head:
        return None  # an empty file: the exact reader says so
    return out


def _transcode_chunk(chunk: _Chunk, detected: enc.Detected) -> None:
    """A chunk scanned as UTF-8, its string columns transcoded from the decided encoding."""
    if detected.encoding == enc.UTF8:
        return
    lut_len, lut = enc.utf8_forms(detected.encoding)
    for table in (chunk.vouchers, chunk.rows):
        for col, arr in table.items():
            if arr.type == pa.string() and col != "kind":
                table[col] = _transcoded(arr, lut_len, lut)


def _offset_lines(chunk: _Chunk, base: int) -> None:
    """A chunk scanned from line 0 (in a worker, before the lines above it were counted), moved to ``base``."""
    if base:
        chunk.vouchers["line"] = pa.array(chunk.vouchers["line"].to_numpy() + base)
        chunk.rows["line"] = pa.array(chunk.rows["line"].to_numpy() + base)
        others = chunk.others
        if isinstance(others, OtherLines):
            chunk.others = others.shifted(base)
        else:
            chunk.others = [(line + base, raw) for line, raw in others]


def _tune_memory() -> None:
    """Let the process reuse the memory it frees, in small pages, while a file is streamed.

    Each scanned piece fills fresh arrays of hundreds of MB; by default glibc maps each
    from the kernel and unmaps it when freed, and every page of the next piece's arrays is
    faulted in and zeroed again. With the thresholds raised, freed arrays stay in the heap
    and are reused; the heap keeps at most what was in flight at once (see
    :data:`STREAM_WAITING`). A worker thread's arena still maps arrays over 64 MB directly
    (docs/scale.md, fourth session).

    Transparent huge pages are turned off for the process (as Redis does), for NumPy's large
    arrays, Arrow's allocator and the buffers the file is read into alike. Where the machine is
    a virtual one whose host takes back the memory its guest frees, a fresh huge page cost
    1.5–7.6 s per GiB first touched, small pages 0.4–0.5 s, and an import touches more than a
    GiB of fresh memory: `present` took 2.3–2.9 s against 2.9–3.7 s, 0.5 s less of system time
    (docs/scale.md, fourteenth session). The pages of a stretch of memory used again are
    fresh only once, whatever their size."""
    try:
        libc = ctypes.CDLL(None)
        mallopt, prctl = libc.mallopt, libc.prctl
    except (OSError, AttributeError):
        return  # not Linux with glibc: nothing to tune
    mallopt(_M_MMAP_THRESHOLD, 1 << 30)
    mallopt(_M_TRIM_THRESHOLD, 1 << 30)
    prctl(_PR_SET_THP_DISABLE, 1, 0, 0, 0)  # a kernel without it refuses: pages as before


_PR_SET_THP_DISABLE = 41
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3


def stream_fast(
    f: io.BufferedReader,
    name: str,
    consume: Callable[[Piece], None],
    read_lines: ExactLines,
    sniff: Callable[[bytes, str], SieFile | None],
    piece_max_bytes: int | None = None,
    reset: Callable[[], None] | None = None,
) -> Streamed | None:
    """Scan the open file ``f`` piece by piece, handing each piece to ``consume`` in file order.

    One pass: the encoding is decided from the pieces scanned so far (see
    :func:`_stream_pass`). Should a later piece change the decision (rare: a file whose
    first letters are valid UTF-8 and a later one is not, or whose letters vote otherwise
    further on), ``reset`` is called — the consumer throws away what it was given — and
    the file is read again, once to decide and once to scan; without ``reset`` None is
    returned instead.

    Returns None when the exact reader must read the file after all (as :func:`read_fast`
    would: a line the scanner cannot judge, a #KSUMMA, a NUL, anything the reader reports
    as an error); pieces already consumed must then be thrown away. At most
    ``SCAN_THREADS + STREAM_WAITING`` pieces are in memory at once, whatever the file's size.
    """
    if piece_max_bytes is None:
        piece_max_bytes = PIECE_MAX_BYTES
    window = _window_size(piece_max_bytes)
    size = os.fstat(f.fileno()).st_size
    _tune_memory()
    origin = f.tell()
    others = _Others(name, read_lines)
    try:
        scanned = _stream_pass(f, name, consume, sniff, window, piece_max_bytes, None, others)
        if isinstance(scanned, _Turned):
            if reset is None:
                return None
            reset()
            others.close()
            others = _Others(name, read_lines)
            f.seek(origin)
            tallied = _stream_pass(f, name, None, sniff, window, piece_max_bytes, None, None)
            if not isinstance(tallied, _Pass):
                return None
            known = _decision(tallied.bom, tallied.tally)
            f.seek(origin)
            latin = int(tallied.tally[3])
            scanned = _stream_pass(
                f,
                name,
                consume,
                sniff,
                window,
                piece_max_bytes,
                (known, int(tallied.tally[0]), latin),
                others,
            )
        if not isinstance(scanned, _Pass):
            return None
        if f.tell() != size:
            return None  # the file changed while it was read: the exact reader reads it as it is now
        detected = _decision(scanned.bom, scanned.tally)
        if (detected.encoding == enc.CP437 and scanned.mixed) or (
            detected.encoding == enc.CP1252 and scanned.holes
        ):
            return None  # a Windows-1252 line in a CP437 file, an undefined Windows-1252 byte
        reader = others.read(detected)
    finally:
        others.close()
    if any(finding.level is Level.ERROR for finding in reader.findings):
        return None
    if scanned.total + lim.abs_total(reader.amounts()[1]) > lim.MAX_TOTAL_ORE:
        return None  # the exact reader finds the line where the total passes the limit
    result: SieFile = reader.result(detected, check_total=False)
    all_counts = dict(result.counts)
    all_counts.update(scanned.counts)
    if scanned.nv:
        all_counts["#VER"] = scanned.nv
    return Streamed(
        SieFile(
            name=result.name,
            encoding=result.encoding,
            header=result.header,
            accounts=result.accounts,
            dimensions=result.dimensions,
            objects=result.objects,
            balances=result.balances,
            period_balances=result.period_balances,
            counts=all_counts,
            findings=result.findings,
        ),
        size,
    )


def _piece(chunk: _Chunk, voucher_base: int) -> Piece:
    vouchers = pa.table(
        {
            "voucher_idx": pa.array(np.arange(voucher_base, voucher_base + chunk.nv, dtype=np.int64)),
            **{col: chunk.vouchers[col] for col in VOUCHER_SCHEMA.names if col != "voucher_idx"},
        },
        schema=VOUCHER_SCHEMA,
    )
    columns = {col: chunk.rows[col] for col in PIECE_SCHEMA.names}
    columns["voucher_idx"] = pa.array(chunk.rows["voucher_idx"].to_numpy() + voucher_base)
    return Piece(vouchers, pa.table(columns, schema=PIECE_SCHEMA), chunk.others)
