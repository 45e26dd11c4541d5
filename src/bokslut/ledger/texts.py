"""Row texts read from the ledger files they were written in.

A large (streamed) ledger file's rows do not carry their texts: the rows file keeps where
each text stands in the ledger file (``text_at``, ``text_len``, see schema.sql), and the
ledger file itself is kept byte for byte in data/ledger, where the store checks it every
time it opens. Copying a region's texts into its rows file was the largest part of writing
it (docs/scale.md, twenty-fourth session); a text is now read when it is shown.

A text is read as the scanner would have read it: a quoted text without its quotes and with
each ``\\"`` as ``"``, a bare one as it stands, and the bytes transcoded from the file's
encoding to UTF-8 with the scanner's own table (:func:`bokslut.sie.encoding.utf8_forms`).
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from bokslut.diagnostics import BokslutError
from bokslut.sie.encoding import UTF8, utf8_forms

_QUOTE = 34


@dataclass(frozen=True, slots=True)
class LedgerFile:
    """A ledger file as the store indexed it."""

    path: Path
    shown: str  # as messages name it (relative to the workspace)
    size: int
    mtime_ns: int
    encoding: str


def ledger_files(
    con: duckdb.DuckDBPyConnection, root: Path, file_ids: list[int] | None = None
) -> dict[int, LedgerFile]:
    """The store's ledger files by id (``con``: the store's connection)."""
    rows = con.execute("SELECT file_id, path, size, mtime_ns, encoding FROM source_file").fetchall()
    wanted = None if file_ids is None else set(file_ids)
    return {
        int(f): LedgerFile(root / str(p), str(p), int(size), int(mtime), str(e))
        for f, p, size, mtime, e in rows
        if wanted is None or int(f) in wanted
    }


# The bytes [lo, hi) of a ledger file.
Read = Callable[[int, int], bytes]
# Texts are read in stretches of the file of at most about this many bytes (and one text): a
# batch of rows in file order reads its part of the file in a few reads, a page's rows spread
# over a year one read each.
_STRETCH = 1 << 23


@contextmanager
def opened(ledger: LedgerFile) -> Iterator[Read]:
    """Reads of the ledger file, once it is known to be the file the store indexed."""
    try:
        fd = os.open(ledger.path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError as e:
        raise BokslutError(
            f"{ledger.shown}: radernas texter läses ur bokföringsfilen, men den kan inte öppnas "
            f"({e.strerror}). Kör `bokslut import` igen."
        ) from None
    try:
        st = os.fstat(fd)
        if st.st_size != ledger.size or st.st_mtime_ns != ledger.mtime_ns:
            raise BokslutError(
                f"{ledger.shown}: bokföringsfilen har ändrats sedan den lästes in (storlek eller "
                "ändringstid), och radernas texter läses ur den. Kör `bokslut import` igen."
            )

        def read(lo: int, hi: int) -> bytes:
            got = os.pread(fd, hi - lo, lo)
            if len(got) != hi - lo:
                raise _damaged(ledger)
            return got

        yield read
    finally:
        os.close(fd)


def row_texts(
    files: Mapping[int, LedgerFile], rows: Sequence[tuple[int, str | None, int | None, int | None]]
) -> list[str | None]:
    """Each row's text from its file id, ``text``, ``text_at`` and ``text_len`` (as the store's
    "transaction" view gives them): the row's own, or read from its ledger file; None for a
    row without text."""
    shown = [text for _, text, _, _ in rows]
    by_file: dict[int, list[int]] = {}
    for i, (file_id, _, _, length) in enumerate(rows):
        if length:
            by_file.setdefault(file_id, []).append(i)
    for file_id, places in by_file.items():
        places_at = np.array([rows[i][2] for i in places], np.int64)
        lengths = np.array([rows[i][3] for i in places], np.int64)
        with opened(files[file_id]) as read:
            found = decoded(read, places_at, lengths, files[file_id]).to_pylist()
        for i, text in zip(places, found, strict=True):
            shown[i] = text
    return shown


def decoded(
    read: Read, at: npt.NDArray[np.int64], length: npt.NDArray[np.int64], ledger: LedgerFile
) -> pa.ChunkedArray:
    """The texts at ``at``/``length`` of the ledger file that ``read`` reads (null where the
    length is 0), as large strings, a chunk for each stretch of the file read.

    Each stretch is read once, and its texts cut out of it by Arrow: an array over the stretch
    whose values are, in turn, a text and the bytes up to the next one, of which every other
    value is taken. Then the escaped quotes are resolved and the bytes transcoded, each a pass
    over the texts' bytes alone. A stretch at a time: memory this machine hands out fresh
    costs more than these passes (docs/scale.md, twenty-fourth session)."""
    n = len(at)
    valid = length > 0
    start, size = at[valid], length[valid]
    if np.any(size < 0) or np.any(start < 0) or np.any(start + size > ledger.size):
        raise _damaged(ledger)
    inverse = None
    if len(start) > 1 and not np.all(start[1:] >= (start + size)[:-1]):
        # Not in file order (or one text twice): each text once, in file order.
        start, first, inverse = np.unique(start, return_index=True, return_inverse=True)
        size = size[first]
        if np.any(start[1:] < (start + size)[:-1]):
            raise _damaged(ledger)  # two texts that overlap: not what the scanner found
    stretch = (start - start[0]) // _STRETCH if len(start) else start
    cuts = [0, *(np.flatnonzero(np.diff(stretch)) + 1).tolist(), len(start)]
    parts = [_stretch(read, start[lo:hi], size[lo:hi], ledger) for lo, hi in itertools.pairwise(cuts)]
    if inverse is not None:
        index = np.full(n, -1, np.int64)
        index[valid] = inverse
        return pa.chunked_array(parts, pa.large_string()).take(pa.array(index, mask=index < 0))
    if len(start) == n:
        return pa.chunked_array(parts, pa.large_string())
    # Each row without text an empty, null value between its neighbours' texts: a stretch's
    # chunk takes the rows up to its last text (the last one the rest too).
    rows = [0, *np.flatnonzero(valid)[cuts[1:-1]].tolist(), n]
    spread = []
    for part, (lo, hi) in zip(parts, itertools.pairwise(rows), strict=True):
        has = valid[lo:hi]
        data = part.buffers()[2]
        spread.append(
            pa.LargeStringArray.from_buffers(
                hi - lo,
                pa.py_buffer(_offsets(part)[np.concatenate([[0], np.cumsum(has)])]),
                data if data is not None else pa.py_buffer(b""),
                pa.py_buffer(np.packbits(has, bitorder="little")),
                int(hi - lo - np.count_nonzero(has)),
            )
        )
    return pa.chunked_array(spread, pa.large_string())


def _stretch(
    read: Read, start: npt.NDArray[np.int64], size: npt.NDArray[np.int64], ledger: LedgerFile
) -> pa.LargeStringArray:
    """The texts of one stretch of the file (in file order, none overlapping), every one there."""
    if len(start) == 0:
        return pa.array([], pa.large_string())
    first = int(start[0])
    data = np.frombuffer(read(first, int(start[-1] + size[-1])), np.uint8)
    at = start - first
    quoted = data[at] == _QUOTE
    if np.any(size[quoted] < 2) or np.any(data[(at + size - 1)[quoted]] != _QUOTE):
        raise _damaged(ledger)  # a quoted text whose closing quote is not where it was
    bounds = np.empty(2 * len(at), np.int64)
    bounds[0::2], bounds[1::2] = at + quoted, at + size - quoted
    over = pa.LargeBinaryArray.from_buffers(
        pa.large_binary(), len(bounds) - 1, [None, pa.py_buffer(bounds), pa.py_buffer(data)]
    )
    contents = over.take(pa.array(np.arange(0, len(bounds) - 1, 2, dtype=np.int64)))
    if quoted.any():
        unescaped = pc.replace_substring(contents, pattern=b'\\"', replacement=b'"')
        contents = unescaped if quoted.all() else pc.if_else(pa.array(quoted), unescaped, contents)
    if ledger.encoding != UTF8:
        contents = _transcoded(contents, ledger.encoding)
    try:
        return contents.cast(pa.large_string())
    except pa.ArrowInvalid:
        raise _damaged(ledger) from None


def _offsets(array: pa.Array) -> npt.NDArray[np.int64]:
    return np.frombuffer(array.buffers()[1], np.int64)[array.offset : array.offset + len(array) + 1]


def _transcoded(contents: pa.Array, encoding: str) -> pa.Array:
    """Texts in a one-byte encoding as UTF-8: Python's codec over all their bytes at once, and
    their offsets moved by the bytes each high byte grows by (few, in Swedish text)."""
    offsets = _offsets(contents)
    raw = np.frombuffer(contents.buffers()[2], np.uint8)[offsets[0] : offsets[-1]]
    high = np.flatnonzero(raw >= 128)
    if not len(high):
        return contents
    widths, _ = utf8_forms(encoding)
    grown = np.zeros(len(high) + 1, np.int64)
    np.cumsum(widths[raw[high]] - 1, out=grown[1:])
    moved = offsets - offsets[0]
    moved = moved + grown[np.searchsorted(high, moved)]
    utf8 = raw.tobytes().decode(encoding, errors="replace").encode("utf-8")
    return pa.LargeBinaryArray.from_buffers(
        pa.large_binary(), len(contents), [None, pa.py_buffer(moved), pa.py_buffer(utf8)]
    )


def _damaged(ledger: LedgerFile) -> BokslutError:
    return BokslutError(
        f"{ledger.shown}: en rads text står inte där bokföringsfilen hade den när den lästes in. "
        "Kör `bokslut import` igen."
    )
