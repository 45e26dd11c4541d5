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
import hashlib
import io
import mmap
import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numba
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bokslut.diagnostics import Level
from bokslut.sie import encoding as enc
from bokslut.sie import limits as lim
from bokslut.sie.kernel import kernel
from bokslut.sie.model import TRANSACTION_SCHEMA, VOUCHER_SCHEMA, SieFile

U8 = numba.types.uint8

# Line kinds
OTHER, BLANK, VER, TRANS, RTRANS, BTRANS, OPEN, CLOSE = 0, 1, 2, 3, 4, 5, 6, 7
_KIND_NAMES = {TRANS: "TRANS", RTRANS: "RTRANS", BTRANS: "BTRANS"}

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

# Bytes that Windows-1252 leaves undefined: the exact reader warns about them.
_CP1252_HOLES = (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")


def _lut(encoding: str) -> tuple[np.ndarray, np.ndarray]:
    """Per input byte: the length and bytes of its UTF-8 form (identity for UTF-8 input)."""
    lengths = np.ones(256, dtype=np.int64)
    table = np.zeros((256, 4), dtype=np.uint8)
    for b in range(256):
        if encoding == enc.UTF8 or b < 128:
            table[b, 0] = b
            continue
        out = bytes([b]).decode(encoding, errors="replace").encode("utf-8")
        lengths[b] = len(out)
        table[b, : len(out)] = list(out)
    return lengths, table


@kernel
def _letter(b: int) -> int:
    """1 for a Swedish letter as CP437 codes it (å ä ö Å Ä Ö é ü), 2 as Windows-1252 does, else 0.

    The same sets as bokslut.sie.encoding, which votes with them in Python.
    """
    if b == 0x86 or b == 0x84 or b == 0x94 or b == 0x8F or b == 0x8E or b == 0x99 or b == 0x82 or b == 0x81:
        return 1
    if b == 0xE5 or b == 0xE4 or b == 0xF6 or b == 0xC5 or b == 0xC4 or b == 0xD6 or b == 0xE9 or b == 0xFC:
        return 2
    return 0


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


@kernel
def _tally(buf: np.ndarray, start: int, stop: int, st: np.ndarray) -> None:
    """Add the encoding facts of buf[start:stop] to st: high bytes, not-UTF-8 (0/1), CP437 and
    Latin-1 letters, and (1) whether these bytes have Latin-1 letters but no CP437 ones.

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
    for i in range(start, stop):
        b = buf[i]
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
def _stats(buf: np.ndarray) -> tuple[int, int, int, int, int]:
    """(lines, high bytes, utf8 valid?, CP437 letter count, Latin-1 letter count)."""
    st = np.zeros(5, np.int64)
    _tally(buf, 0, buf.shape[0], st)
    return _count_breaks(buf) + 1, st[0], 1 - st[1], st[2], st[3]


@kernel
def _skip_space(buf: np.ndarray, i: int, end: int) -> int:
    while i < end and (buf[i] == 32 or buf[i] == 9):
        i += 1
    return i


@kernel
def _token(buf: np.ndarray, i: int, end: int) -> tuple[int, int, int, int, int]:
    """Next token from i: (kind, start, stop, next_i, bad); kind 0 none, 1 bare, 2 quoted, 3 list.

    For quoted tokens start/stop delimit the raw content (escapes unresolved).
    bad = 1 when the line breaks the token rules (the exact reader must judge it).
    """
    i = _skip_space(buf, i, end)
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


@kernel
def _copy(buf, start, stop, quoted, out, slot, pos, lut_len, lut) -> int:
    """Copy a token's content into out[slot] at pos, resolving \\" and transcoding; return new pos.

    The 2-D buffer and its row, not a row's view: a view per token costs reference
    counting (about a tenth of the scanner's time)."""
    j = start
    while j < stop:
        b = buf[j]
        if quoted == 1 and b == 92 and j + 1 < stop and buf[j + 1] == 34:
            out[slot, pos] = 34
            pos += 1
            j += 2
            continue
        if b < 128:
            out[slot, pos] = b
            pos += 1
        else:
            n = lut_len[b]
            for k in range(n):
                out[slot, pos] = lut[b, k]
                pos += 1
        j += 1
    return pos


@kernel
def _parse_amount(buf: np.ndarray, start: int, stop: int) -> tuple[int, int]:
    """(öre, ok) for -?digits(.d{1,2})? — the only shape the fast path accepts."""
    i = start
    neg = False
    if i < stop and buf[i] == 45:
        neg = True
        i += 1
    whole = 0
    digits = 0
    while i < stop and buf[i] >= 48 and buf[i] <= 57:
        whole = whole * 10 + (buf[i] - 48)
        digits += 1
        i += 1
        if digits > 15:
            return 0, 0
    if digits == 0:
        return 0, 0
    frac = 0
    if i < stop:
        if buf[i] != 46:
            return 0, 0
        i += 1
        nd = 0
        while i < stop and buf[i] >= 48 and buf[i] <= 57:
            frac = frac * 10 + (buf[i] - 48)
            nd += 1
            i += 1
        if nd == 0 or nd > 2 or i != stop:
            return 0, 0
        if nd == 1:
            frac *= 10
    value = whole * 100 + frac
    return (-value if neg else value), 1


@kernel
def _days(buf: np.ndarray, start: int, stop: int) -> tuple[int, int]:
    """(days since 1970-01-01, ok) for an 8-digit YYYYMMDD date in the years the reader accepts."""
    if stop - start != 8:
        return 0, 0
    v = 0
    for k in range(8):
        c = buf[start + k]
        if c < 48 or c > 57:
            return 0, 0
        v = v * 10 + (c - 48)
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


@kernel
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


@kernel
def _label(buf: np.ndarray, i: int, end: int) -> int:
    """Kind of the record starting at i (after indentation)."""
    n = end - i
    if n >= 4 and buf[i] == 35 and buf[i + 1] == 86 and buf[i + 2] == 69 and buf[i + 3] == 82:
        if n == 4 or buf[i + 4] == 32 or buf[i + 4] == 9:
            return VER
    if (
        n >= 6
        and buf[i] == 35
        and buf[i + 1] == 84
        and buf[i + 2] == 82
        and buf[i + 3] == 65
        and buf[i + 4] == 78
        and buf[i + 5] == 83
    ):
        if n == 6 or buf[i + 6] == 32 or buf[i + 6] == 9:
            return TRANS
    if (
        n >= 7
        and buf[i] == 35
        and (buf[i + 1] == 82 or buf[i + 1] == 66)
        and buf[i + 2] == 84
        and buf[i + 3] == 82
        and buf[i + 4] == 65
        and buf[i + 5] == 78
        and buf[i + 6] == 83
    ):
        if n == 7 or buf[i + 7] == 32 or buf[i + 7] == 9:
            return RTRANS if buf[i + 1] == 82 else BTRANS
    return OTHER


@kernel
def _scan(
    buf,
    line_base,
    first_chunk,
    check_latin_lines,
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
    o_line,
    o_start,
    o_stop,
    tally,
):
    """Fill the output arrays. Returns (status, vouchers, rows, others, bad line).

    tally: the encoding facts of the lines scanned are added to it (see :func:`_tally`;
    only lines with a high byte are looked at twice), so a caller that assumed UTF-8 can
    decide the encoding without another pass over the file.

    status 0 = done; 1 = the exact reader must read this file (bad line given).
    v_off: (4, nv+1) offsets into v_buf (4, cap) for series, number, text, sign.
    t_off: (5, nt+1) offsets into t_buf (5, cap) for account, objects, text, quantity, sign.
    t_valid: (3, nt) validity of text, quantity, sign.
    """
    n = buf.shape[0]
    nv = 0
    nt = 0
    no = 0
    line_no = line_base
    i = 0
    state = 0  # 0 outside, 1 after #VER (expect "{"), 2 inside block
    row_in_voucher = 0
    first_record = first_chunk
    # pending #RTRANS: index of the row that must be followed by its #TRANS twin
    pending = -1
    dims = np.zeros(64, dtype=np.int64)
    ostart = np.zeros(64, dtype=np.int64)
    ostop = np.zeros(64, dtype=np.int64)
    oq = np.zeros(64, dtype=np.int64)
    order = np.zeros(64, dtype=np.int64)
    vpos = np.zeros(4, dtype=np.int64)
    tpos = np.zeros(5, dtype=np.int64)
    digits_tmp = np.zeros(20, dtype=np.uint8)
    while i < n:
        line_no += 1
        start = i
        seen = 0
        while i < n:
            b = buf[i]
            if b == 10 or b == 13:
                break
            seen |= b
            i += 1
        end = i
        if seen >= 128:
            _tally(buf, start, end, tally)
        if i < n:
            if buf[i] == 13 and i + 1 < n and buf[i + 1] == 10:
                i += 2
            else:
                i += 1
        s = _skip_space(buf, start, end)
        e = end
        while e > s and (buf[e - 1] == 32 or buf[e - 1] == 9):
            e -= 1
        if s >= e:
            continue
        if check_latin_lines:
            cpn = 0
            latn = 0
            for k in range(s, e):
                b = buf[k]
                if _letter(b) == 1:
                    cpn += 1
                elif _letter(b) == 2:
                    latn += 1
            if latn > 0 and cpn == 0:
                return 1, nv, nt, no, line_no
        if e - s == 1 and buf[s] == 123:
            if state != 1:
                return 1, nv, nt, no, line_no
            state = 2
            continue
        if e - s == 1 and buf[s] == 125:
            if state != 2 or pending >= 0:
                return 1, nv, nt, no, line_no
            state = 0
            continue
        kind = _label(buf, s, e)
        if first_record:
            first_record = False
            if kind != OTHER:
                return 1, nv, nt, no, line_no
        if kind == OTHER:
            if state != 0 or buf[s] != 35:
                return 1, nv, nt, no, line_no
            o_line[no] = line_no
            o_start[no] = start
            o_stop[no] = end
            no += 1
            continue
        if kind == VER:
            if state != 0:
                return 1, nv, nt, no, line_no
            p = s + 4
            fields = 0
            date_ok = 0
            while True:
                tk, a, b2, p, bad = _token(buf, p, e)
                if bad == 1 or tk == 3:
                    return 1, nv, nt, no, line_no
                if tk == 0:
                    break
                q = 1 if tk == 2 else 0
                if fields == 0 or fields == 1 or fields == 3 or fields == 5:
                    slot = 0 if fields == 0 else (1 if fields == 1 else (2 if fields == 3 else 3))
                    vpos[slot] = _copy(buf, a, b2, q, v_buf, slot, vpos[slot], lut_len, lut)
                elif fields == 2:
                    d, ok = _days(buf, a, b2)
                    if ok == 0:
                        return 1, nv, nt, no, line_no
                    v_date[nv] = d
                    date_ok = 1
                elif fields == 4:
                    if b2 > a:
                        d, ok = _days(buf, a, b2)
                        if ok == 0:
                            return 1, nv, nt, no, line_no
                        v_regdate[nv] = d
                        v_regvalid[nv] = 1
                else:
                    return 1, nv, nt, no, line_no
                fields += 1
            if date_ok == 0:
                return 1, nv, nt, no, line_no
            for slot in range(4):
                v_off[slot, nv + 1] = vpos[slot]
            v_line[nv] = line_no
            nv += 1
            state = 1
            row_in_voucher = 0
            continue
        # a row
        if state != 2:
            return 1, nv, nt, no, line_no
        p = s + (6 if kind == TRANS else 7)
        fields = 0
        got_amount = 0
        t_date[nt] = v_date[nv - 1]
        while True:
            tk, a, b2, p, bad = _token(buf, p, e)
            if bad == 1:
                return 1, nv, nt, no, line_no
            if tk == 0:
                break
            q = 1 if tk == 2 else 0
            if fields == 1:
                if tk != 3:
                    return 1, nv, nt, no, line_no
                # object list: pairs of (dimension number, object id)
                np_ = 0
                pp = a
                while True:
                    tk2, a2, b3, pp, bad2 = _token(buf, pp, b2)
                    if bad2 == 1 or tk2 == 3:
                        return 1, nv, nt, no, line_no
                    if tk2 == 0:
                        break
                    if np_ >= 128:
                        return 1, nv, nt, no, line_no
                    if np_ % 2 == 0:
                        dv = 0
                        nd = 0
                        for k in range(a2, b3):
                            c = buf[k]
                            if c < 48 or c > 57:
                                return 1, nv, nt, no, line_no
                            dv = dv * 10 + (c - 48)
                            nd += 1
                        if nd == 0 or nd > 9:
                            return 1, nv, nt, no, line_no
                        dims[np_ // 2] = dv
                    else:
                        ostart[np_ // 2] = a2
                        ostop[np_ // 2] = b3
                        oq[np_ // 2] = 1 if tk2 == 2 else 0
                        # characters that the canonical key escapes, and a quote inside a bare
                        # id (the exact tokenizer splits there): leave them to the exact reader
                        for k in range(a2, b3):
                            c = buf[k]
                            if c == 124 or c == 58 or c == 92 or c == 34:
                                return 1, nv, nt, no, line_no
                    np_ += 1
                if np_ % 2 == 1:
                    return 1, nv, nt, no, line_no
                npairs = np_ // 2
                for k in range(npairs):
                    order[k] = k
                # insertion sort by (dimension, object bytes); duplicates of a dimension go to the exact reader
                for k in range(1, npairs):
                    x = order[k]
                    m = k - 1
                    while m >= 0 and dims[order[m]] > dims[x]:
                        order[m + 1] = order[m]
                        m -= 1
                    order[m + 1] = x
                for k in range(1, npairs):
                    if dims[order[k]] == dims[order[k - 1]]:
                        return 1, nv, nt, no, line_no
                pos = tpos[1]
                for k in range(npairs):
                    x = order[k]
                    if k > 0:
                        t_buf[1, pos] = 124
                        pos += 1
                    dv = dims[x]
                    # write the dimension number
                    nd = 0
                    if dv == 0:
                        digits_tmp[0] = 48
                        nd = 1
                    while dv > 0:
                        digits_tmp[nd] = 48 + dv % 10
                        dv //= 10
                        nd += 1
                    for m in range(nd - 1, -1, -1):
                        t_buf[1, pos] = digits_tmp[m]
                        pos += 1
                    t_buf[1, pos] = 58
                    pos += 1
                    pos = _copy(buf, ostart[x], ostop[x], oq[x], t_buf, 1, pos, lut_len, lut)
                tpos[1] = pos
            elif tk == 3:
                return 1, nv, nt, no, line_no
            elif fields == 0:
                if b2 <= a:
                    return 1, nv, nt, no, line_no
                if q == 1:
                    for k in range(a, b2):
                        if buf[k] == 32 or buf[k] == 9:
                            return 1, nv, nt, no, line_no
                tpos[0] = _copy(buf, a, b2, q, t_buf, 0, tpos[0], lut_len, lut)
            elif fields == 2:
                amt, ok = _parse_amount(buf, a, b2)
                if ok == 0 or q == 1:
                    return 1, nv, nt, no, line_no
                t_amount[nt] = amt
                got_amount = 1
            elif fields == 3:
                if b2 > a:
                    d, ok = _days(buf, a, b2)
                    if ok == 0:
                        return 1, nv, nt, no, line_no
                    t_date[nt] = d
            elif fields == 4:
                if b2 > a:
                    tpos[2] = _copy(buf, a, b2, q, t_buf, 2, tpos[2], lut_len, lut)
                    t_valid[0, nt] = 1
            elif fields == 5:
                if b2 > a:
                    qpos = _copy_quantity(buf, a, b2, t_buf, 3, tpos[3])
                    if qpos < 0:
                        return 1, nv, nt, no, line_no
                    tpos[3] = qpos
                    t_valid[1, nt] = 1
            elif fields == 6:
                if b2 > a:
                    tpos[4] = _copy(buf, a, b2, q, t_buf, 4, tpos[4], lut_len, lut)
                    t_valid[2, nt] = 1
            else:
                return 1, nv, nt, no, line_no
            fields += 1
        if got_amount == 0:
            return 1, nv, nt, no, line_no
        for slot in range(5):
            t_off[slot, nt + 1] = tpos[slot]
        # #RTRANS must be followed by its #TRANS twin (same account, objects and amount)
        if pending >= 0:
            if kind != TRANS or t_amount[nt] != t_amount[pending]:
                return 1, nv, nt, no, line_no
            for slot in range(2):
                la = t_off[slot, pending + 1] - t_off[slot, pending]
                lb = t_off[slot, nt + 1] - t_off[slot, nt]
                if la != lb:
                    return 1, nv, nt, no, line_no
                for k in range(la):
                    if t_buf[slot, t_off[slot, pending] + k] != t_buf[slot, t_off[slot, nt] + k]:
                        return 1, nv, nt, no, line_no
            pending = -1
        elif kind == RTRANS:
            pending = nt
        t_voucher[nt] = nv - 1
        t_row[nt] = row_in_voucher
        t_kind[nt] = kind
        t_line[nt] = line_no
        row_in_voucher += 1
        nt += 1
    if state != 0:
        return 1, nv, nt, no, line_no
    return 0, nv, nt, no, 0


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

ExactLines = Callable[[Sequence[tuple[int, bytes]], str, enc.Detected], Any]


def detect(data: Buffer) -> enc.Detected:
    """The same decision as :func:`bokslut.sie.encoding.detect`, in one compiled pass."""
    return detect_with_stats(data)[0]


def detect_with_stats(data: Buffer) -> tuple[enc.Detected, tuple[int, int, int, int, int]]:
    bom = data[:3] == b"\xef\xbb\xbf"
    buf = np.frombuffer(data, dtype=np.uint8, offset=3 if bom else 0)
    if buf.size < PARALLEL_MIN_BYTES:
        stats = _stats(buf)
    else:
        # Two halves at once; the cut is moved to a line start so no character is split.
        cut = data.find(b"\n", buf.size // 2) + 1 - (3 if bom else 0)
        if cut <= 0:
            stats = _stats(buf)
        else:
            with ThreadPoolExecutor(max_workers=2) as pool:
                a, b = pool.map(_stats, (buf[:cut], buf[cut:]))
            stats = (a[0] + b[0] - 1, a[1] + b[1], a[2] & b[2], a[3] + b[3], a[4] + b[4])
    _, high, valid, cp, lat = stats
    return enc.decide(bom, high == 0, valid == 1, cp, lat), stats


@dataclass
class _Chunk:
    """What the scanner found in one part of the file."""

    nv: int
    nt: int
    others: list[tuple[int, bytes]]
    vouchers: dict[str, pa.Array]
    rows: dict[str, pa.Array]
    tally: np.ndarray  # the encoding facts of its lines (see _tally)


_KINDS = pa.array(["", "", "", "TRANS", "RTRANS", "BTRANS"], pa.string())


def _scan_chunk(
    body: memoryview,
    line_base: int,
    first: bool,
    check_latin: bool,
    lut_len: np.ndarray,
    lut: np.ndarray,
    high: int,
) -> _Chunk | None:
    buf = np.frombuffer(body, dtype=np.uint8)
    est = body.nbytes // 2 + 2  # a record line is at least "{" plus a line break
    est = min(est, _count_breaks(buf) + 2)
    # Transcoding can at most triple a high byte (``high`` counts the whole file's).
    cap = body.nbytes + 2 * min(high, body.nbytes) + 16
    v_date = np.zeros(est, np.int32)
    v_regdate = np.zeros(est, np.int32)
    v_regvalid = np.zeros(est, np.uint8)
    v_line = np.zeros(est, np.int64)
    v_off = np.zeros((4, est + 1), np.int32)
    v_buf = np.empty((4, cap), np.uint8)
    t_voucher = np.zeros(est, np.int64)
    t_row = np.zeros(est, np.int32)
    t_kind = np.zeros(est, np.int8)
    t_amount = np.zeros(est, np.int64)
    t_date = np.zeros(est, np.int32)
    t_line = np.zeros(est, np.int64)
    t_off = np.zeros((5, est + 1), np.int32)
    t_buf = np.empty((5, cap), np.uint8)
    t_valid = np.zeros((3, est), np.uint8)
    o_line = np.zeros(est, np.int64)
    o_start = np.zeros(est, np.int64)
    o_stop = np.zeros(est, np.int64)
    tally = np.zeros(5, np.int64)
    status, nv, nt, no, _bad_line = _scan(
        buf,
        line_base,
        first,
        check_latin,
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
        o_line,
        o_start,
        o_stop,
        tally,
    )
    if status != 0:
        return None
    others = [(int(o_line[k]), bytes(body[o_start[k] : o_stop[k]])) for k in range(no)]
    vouchers = {
        "series": _strings(v_off[0], v_buf[0], nv),
        "number": _strings(v_off[1], v_buf[1], nv),
        "date": _dates(v_date, nv),
        "text": _strings(v_off[2], v_buf[2], nv),
        "regdate": _dates(v_regdate, nv, v_regvalid),
        "sign": _sign_strings(v_off[3], v_buf[3], nv),
        "line": pa.array(v_line[:nv]),
    }
    rows = {
        "voucher_idx": pa.array(t_voucher[:nt]),
        "row_no": pa.array(t_row[:nt]),
        "kind": _KINDS.take(pa.array(t_kind[:nt])),
        "account": _strings(t_off[0], t_buf[0], nt),
        "amount": pa.array(t_amount[:nt]),
        "date": _dates(t_date, nt),
        "text": _strings(t_off[2], t_buf[2], nt, t_valid[0]),
        "quantity": _strings(t_off[3], t_buf[3], nt, t_valid[1]),
        "sign": _strings(t_off[4], t_buf[4], nt, t_valid[2]),
        "objects": _strings(t_off[1], t_buf[1], nt),
        "line": pa.array(t_line[:nt]),
    }
    return _Chunk(nv, nt, others, vouchers, rows, tally)


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
    stats: tuple[int, int, int, int, int] | None = None,
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
    if data.find(b"#KSUMMA") >= 0 or data.find(b"\x00") >= 0:
        return None
    if detected is not None and _has_holes(data, detected):
        return None
    bom = data[:3] == enc.BOM
    # A view, not a slice: slicing would copy the whole file.
    body = memoryview(data)[3:] if bom else memoryview(data)
    if detected is None:
        high, check_latin = 0, False  # scanned as UTF-8: no byte grows
        lut_len, lut = _lut(enc.UTF8)
    else:
        _, high, _, _, latin = stats if stats is not None else _stats(np.frombuffer(body, np.uint8))
        lut_len, lut = _lut(detected.encoding)
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
    bases = [0]
    for piece in pieces[:-1]:
        bases.append(bases[-1] + _count_breaks(np.frombuffer(piece, np.uint8)))
    with ThreadPoolExecutor(max_workers=min(len(pieces), SCAN_THREADS)) as pool:
        futures = [
            pool.submit(_scan_chunk, piece, bases[k], k == 0, check_latin, lut_len, lut, high)
            for k, piece in enumerate(pieces)
        ]
        chunks = [f.result() for f in futures]
    if any(c is None for c in chunks):
        return None
    done = [c for c in chunks if c is not None]
    if detected is None:
        detected = _decided(data, bom, done)
        if detected is None:
            return None
    others = [o for c in done for o in c.others]
    reader = read_lines(others, name, detected)
    if any(f.level is Level.ERROR for f in reader.findings):
        return None
    nv = sum(c.nv for c in done)
    nt = sum(c.nt for c in done)
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
    }
    columns["voucher_idx"] = pa.chunked_array(
        [pa.array(c.rows["voucher_idx"].to_numpy() + voucher_base[k]) for k, c in enumerate(done)],
        pa.int64(),
    )
    transactions = pa.table(columns, schema=TRANSACTION_SCHEMA)
    t_kind = pa.chunked_array([c.rows["kind"] for c in done])
    result: SieFile = reader.result(detected, check_total=False)
    counts = dict(result.counts)
    by_kind = t_kind.value_counts().to_pylist() if nt else []
    for item in by_kind:
        counts["#" + item["values"]] = int(item["counts"])
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


def _has_holes(data: Buffer, detected: enc.Detected) -> bool:
    return detected.encoding == enc.CP1252 and any(data.find(hole) >= 0 for hole in _CP1252_HOLES)


def _decided(data: Buffer, bom: bool, chunks: list[_Chunk]) -> enc.Detected | None:
    """The encoding of a file scanned as UTF-8, its text transcoded to it; None when the
    exact reader must read the file (a Windows-1252 line in a CP437 file, an undefined
    Windows-1252 byte)."""
    tally = np.sum([c.tally for c in chunks], axis=0)
    high, invalid, cp, lat = (int(v) for v in tally[:4])
    mixed = any(c.tally[4] for c in chunks)
    detected = enc.decide(bom, high == 0, invalid == 0, cp, lat)
    if (detected.encoding == enc.CP437 and mixed) or _has_holes(data, detected):
        return None
    if detected.encoding != enc.UTF8 and high:
        lut_len, lut = _lut(detected.encoding)
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

    ``voucher_idx`` counts from the file's first voucher; ``others`` are the piece's
    other records (line, raw bytes), which the exact reader reads at the end.
    """

    vouchers: pa.Table
    rows: pa.Table
    others: list[tuple[int, bytes]]


@dataclass(frozen=True, slots=True)
class Streamed:
    """What streaming a file gave besides its pieces: the header records, and the file's digest."""

    sie: SieFile  # header, chart and balances; ``vouchers`` and ``transactions`` empty
    sha256: str
    size: int


def _window_size(piece_max_bytes: int) -> int:
    return max(1, min(STREAM_PIECE_BYTES, piece_max_bytes // 2))


def _pieces(
    f: io.BufferedReader, window: int, limit: int, digest: Any, free: list[bytearray]
) -> Iterator[tuple[bytearray, int] | None]:
    """The file in pieces of about ``window`` bytes, each cut just before a line starting "#VER":
    (buffer, length), the piece being ``buffer[:length]``.

    The buffers come from ``free`` when there are any (the caller gives a buffer back once
    its piece is scanned), so reading a large file reuses a few buffers instead of mapping
    fresh memory for every piece. Every byte goes into ``digest`` (if any) once, in order.
    None (then nothing more) when a stretch without a #VER line is longer than ``limit``:
    the exact reader must read the file.
    """
    carry = b""
    eof = False
    while True:
        n = len(carry)
        want = max(window, n + 1)  # bytes to have before looking for the cut
        buf = free.pop() if free else bytearray(want)
        if len(buf) < want:
            buf = bytearray(want)
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
            grown = bytearray(want)
            grown[:n] = memoryview(buf)[:n]
            buf = grown
        cut = n if eof else at + 1
        if cut > limit:
            yield None
            return
        if digest is not None:
            digest.update(memoryview(buf)[:cut])
        carry = bytes(memoryview(buf)[cut:n])
        if cut:
            yield buf, cut
        elif free is not None:
            free.append(buf)
        if eof and not carry:
            return


_UNWANTED = (b"#KSUMMA", b"\x00")


def _scan_piece(
    buf: bytearray,
    start: int,
    stop: int,
    first: bool,
    check_latin: bool,
    lut_len: np.ndarray,
    lut: np.ndarray,
    high: int,
) -> tuple[_Chunk | None, int, bool]:
    """A piece scanned (in a worker) from line 0, its line breaks, and whether it holds a byte
    that Windows-1252 leaves undefined; no chunk when it holds one that sends the file to the
    exact reader whatever it is (#KSUMMA, NUL)."""
    chunk = _scan_chunk(memoryview(buf)[start:stop], 0, first, check_latin, lut_len, lut, high)
    if chunk is None or any(buf.find(needle, start, stop) >= 0 for needle in _UNWANTED):
        return None, 0, False
    holes = bool(chunk.tally[0]) and any(buf.find(hole, start, stop) >= 0 for hole in _CP1252_HOLES)
    return chunk, _count_breaks(np.frombuffer(buf, np.uint8, stop - start, start)), holes


@dataclass(frozen=True, slots=True)
class _Turned:
    """A piece changed the encoding its predecessors' text was transcoded with."""


@dataclass
class _Pass:
    """What one pass over the file's pieces gathered, besides what it gave the consumer."""

    bom: bool = False
    head: bytes = b""
    nv: int = 0
    total: int = 0
    holes: bool = False
    mixed: bool = False
    others: list[tuple[int, bytes]] = field(default_factory=list)
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
    digest: Any,
    known: tuple[enc.Detected, int, int] | None,
) -> _Pass | _Turned | None:
    """One pass over the file in pieces, two scanned at once, each handed to ``consume`` in order.

    With ``known`` (the decision, the file's high bytes and Latin-1 letters) each piece is
    transcoded while it is scanned. Without it the encoding is decided from what has been
    scanned so far: until the first piece with high bytes the text is scanned as it is (as
    UTF-8), and the pieces scanned before the decision have their string columns
    transcoded before they are consumed; the pieces after it are transcoded while they
    are scanned. Should a later piece change the decision, the pass stops with
    :class:`_Turned`. Without ``consume``
    the pieces' encoding facts are only tallied (no rows are kept).
    """
    out = _Pass()
    check_latin = known is not None and known[0].encoding == enc.CP437 and known[2] > 0
    used: enc.Detected | None = known[0] if known is not None else None
    luts = {code: _lut(code) for code in (enc.UTF8, enc.CP437, enc.CP1252)}
    free: list[bytearray] = []
    with ThreadPoolExecutor(max_workers=SCAN_THREADS) as pool:
        # Each piece with the encoding it was transcoded with while scanned (None: as UTF-8).
        waiting: deque[tuple[Future[Any], bytearray, enc.Detected | None]] = deque()

        def take() -> bool | _Turned:
            nonlocal used
            future, buf, scanned_as = waiting.popleft()
            if consume is None:
                _, high_bytes, valid, cp, latin = future.result()
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
            for item in pc.value_counts(piece.rows["kind"]).to_pylist():
                label = "#" + item["values"]
                out.counts[label] = out.counts.get(label, 0) + int(item["counts"])
            out.others.extend(chunk.others)
            consume(piece)
            return True

        try:
            first = True
            for got in _pieces(f, window, limit, digest, free):
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
                        stats = _stats(np.frombuffer(buf, np.uint8, stop - start, start))
                        if stats[1]:
                            used = enc.decide(out.bom, False, stats[2] == 1, stats[3], stats[4])
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
                        _scan_piece, buf, start, stop, first, check_latin, lut_len, lut, high
                    )
                waiting.append((future, buf, used))
                first = False
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
    lut_len, lut = _lut(detected.encoding)
    for table in (chunk.vouchers, chunk.rows):
        for col, arr in table.items():
            if arr.type == pa.string() and col != "kind":
                table[col] = _transcoded(arr, lut_len, lut)


def _offset_lines(chunk: _Chunk, base: int) -> None:
    """A chunk scanned from line 0 (in a worker, before the lines above it were counted), moved to ``base``."""
    if base:
        chunk.vouchers["line"] = pa.array(chunk.vouchers["line"].to_numpy() + base)
        chunk.rows["line"] = pa.array(chunk.rows["line"].to_numpy() + base)
        chunk.others = [(line + base, raw) for line, raw in chunk.others]


def _reuse_freed_memory() -> None:
    """Let the C heap hand the next piece the memory of the last one's output arrays.

    Each scanned piece fills fresh arrays of hundreds of MB; by default glibc maps each
    from the kernel and unmaps it when freed, and every page of the next piece's arrays is
    faulted in and zeroed again. With the thresholds raised, freed arrays stay in the heap
    and are reused; the heap keeps at most what was in flight at once (see
    :data:`STREAM_WAITING`). A worker thread's arena still maps arrays over 64 MB directly
    (docs/scale.md, fourth session)."""
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return  # not glibc: nothing to tune
    mallopt(_M_MMAP_THRESHOLD, 1 << 30)
    mallopt(_M_TRIM_THRESHOLD, 1 << 30)


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
    _reuse_freed_memory()
    origin = f.tell()
    digest = hashlib.sha256()
    scanned = _stream_pass(f, name, consume, sniff, window, piece_max_bytes, digest, None)
    if isinstance(scanned, _Turned):
        if reset is None:
            return None
        reset()
        f.seek(origin)
        tallied = _stream_pass(f, name, None, sniff, window, piece_max_bytes, None, None)
        if not isinstance(tallied, _Pass):
            return None
        known = _decision(tallied.bom, tallied.tally)
        f.seek(origin)
        digest = hashlib.sha256()
        latin = int(tallied.tally[3])
        scanned = _stream_pass(
            f, name, consume, sniff, window, piece_max_bytes, digest, (known, int(tallied.tally[0]), latin)
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
    reader = read_lines(scanned.others, name, detected)
    if any(finding.level is Level.ERROR for finding in reader.findings):
        return None
    if scanned.total + sum(abs(amount) for _, amount in reader.amounts()) > lim.MAX_TOTAL_ORE:
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
        digest.hexdigest(),
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
    columns = {col: chunk.rows[col] for col in TRANSACTION_SCHEMA.names}
    columns["voucher_idx"] = pa.array(chunk.rows["voucher_idx"].to_numpy() + voucher_base)
    return Piece(vouchers, pa.table(columns, schema=TRANSACTION_SCHEMA), chunk.others)
