"""The records the scanner leaves to the exact reader, cut from one copy of their stretch.

A region's header is hundreds of thousands of lines (#OBJEKT, #KONTO, #PSALDO) in one
stretch of the first piece. As a list of (line, bytes) they cost a bytes object and a tuple
each, and the header sweep (:mod:`bokslut.sie.plainheader`) took them apart and joined them
again: 0.4 s holding the GIL on such a header. :class:`OtherLines` keeps the stretch's copy
and each line's number and bounds as arrays: the sweep reads the copy as it is, and a line
becomes (line, bytes) only when it is read one by one.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import overload

import numpy as np


class OtherLines(Sequence[tuple[int, bytes]]):
    """(line number, raw bytes) of each line, line ``i`` being ``raw[starts[i]:stops[i]]``
    (bounds ascending, lines apart). Slices share ``raw``."""

    __slots__ = ("lines", "raw", "starts", "stops")
    __hash__ = None  # type: ignore[assignment]

    def __init__(self, raw: bytes, lines: np.ndarray, starts: np.ndarray, stops: np.ndarray) -> None:
        self.raw = raw
        self.lines = lines
        self.starts = starts
        self.stops = stops

    def __len__(self) -> int:
        return int(self.lines.shape[0])

    @overload
    def __getitem__(self, index: int) -> tuple[int, bytes]: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[tuple[int, bytes]]: ...
    def __getitem__(self, index: int | slice) -> tuple[int, bytes] | Sequence[tuple[int, bytes]]:
        if isinstance(index, slice):
            if index.step not in (None, 1):
                return list(self)[index]
            return OtherLines(self.raw, self.lines[index], self.starts[index], self.stops[index])
        n = len(self)
        if not -n <= index < n:
            raise IndexError("line index out of range")
        i = index % n
        return int(self.lines[i]), self.raw[int(self.starts[i]) : int(self.stops[i])]

    def __iter__(self) -> Iterator[tuple[int, bytes]]:
        raw = self.raw
        for line, a, b in zip(self.lines.tolist(), self.starts.tolist(), self.stops.tolist(), strict=True):
            yield line, raw[a:b]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence):
            return len(other) == len(self) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    def __repr__(self) -> str:
        return f"OtherLines({list(self)!r})"

    def shifted(self, base: int) -> OtherLines:
        """The same lines numbered ``base`` further on."""
        return OtherLines(self.raw, self.lines + base, self.starts, self.stops)

    def joined(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The bytes from the first line's start to the last one's stop (a view, no copy),
        and each line's start and stop in them."""
        if not len(self):
            return np.zeros(0, np.uint8), self.starts, self.stops
        low = int(self.starts[0])
        buf = np.frombuffer(self.raw, np.uint8, int(self.stops[-1]) - low, low)
        return buf, self.starts - low, self.stops - low


def cut(
    body: memoryview, lines: np.ndarray, starts: np.ndarray, stops: np.ndarray
) -> Sequence[tuple[int, bytes]]:
    """The lines at ``starts``/``stops`` of ``body`` (int64 arrays, ascending, apart), numbered
    ``lines``. The arrays are not kept: the scanner hands in its own, used again for its next piece.

    Many lines that fill most of their stretch (a header) are cut from one copy of it;
    a few, or lines scattered among the vouchers, are copied one by one (so a piece's copy
    is not held for a handful of lines). The arrays stay arrays: made lists and back, a
    region's 400 000 header lines cost 0.1 s of the scanning worker, holding the GIL."""
    if lines.shape[0] > _MANY:
        first, last = int(starts[0]), int(stops[-1])
        if 2 * int((stops - starts).sum()) >= last - first:
            return OtherLines(bytes(body[first:last]), lines.copy(), starts - first, stops - first)
    return [
        (line, bytes(body[a:b]))
        for line, a, b in zip(lines.tolist(), starts.tolist(), stops.tolist(), strict=True)
    ]


# Fewer lines than this are copied one by one: no arrays made for a usual file's header.
_MANY = 1000
