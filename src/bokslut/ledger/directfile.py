"""A new file written past the page cache, its CRC-32 taken on the way: the staged rows and
vouchers files of a large streamed import (a gigabyte or more,
:data:`bokslut.ledger.streaming.DIRECT_FROM_BYTES`), given to Parquet's writer as its sink.

Written through the page cache, a large file's rows go into ever more fresh page-cache pages,
and the cache's dirty pages slow the writer: in a text-heavy import the kernel's copy into
them was the largest single cost (`longtext`: 0.8 of 5.7 processor-seconds for 950 MB,
docs/scale.md, twenty-third session). Here the writer's bytes are gathered in a buffer of
ours, reused, summed there, and written from it with ``O_DIRECT``, as the kept copy of the
file is (:mod:`bokslut.ledger.filecopy`); the file's last bytes (less than a block), and every
byte where the file system or disk takes no ``O_DIRECT``, go through the cache. Nothing reads
the file back for its CRC-32.

A write past the cache returns only once the disk has the bytes, so it is made in a thread
of its own from one of two buffers while the writer fills the other. Parquet's writer hands
over a page at a time, each a call into Python (a copy of the page as ``bytes``, then ours):
gathering the pages in an Arrow buffer first, for one call per buffer, made a third copy and
`longtext` slower (2.77 s against 2.57 s). The copies are what makes a smaller file faster
through the cache.

The import reads neither file again (its sums are made from the pieces in memory); the
first drill-down after it reads the rows from the disk instead of the cache.
"""

from __future__ import annotations

import contextlib
import mmap
import os
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pyarrow as pa
from isal.isal_zlib import crc32

from bokslut.ledger import filecopy
from bokslut.ledger.filecopy import CHUNK
from bokslut.ledger.rowfiles import Summed


class DirectFile:
    """A new file that Parquet's writer writes into through :attr:`stream` (a forward-only
    output stream; the writer does not close a stream it was given: :meth:`close` does, and
    says what was written). Never opened through a leftover name: one is removed first."""

    def __init__(self, path: Path) -> None:
        path.unlink(missing_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
        self._sink = _Sink(fd)
        self.stream = pa.PythonFile(self._sink, mode="w")

    def close(self) -> Summed:
        """Write what is left, sync and close; the file's inode, size and CRC-32."""
        try:
            return self._sink.finish()
        finally:
            self.discard()

    def discard(self) -> None:
        """Let go of the file and its buffers, written or not (safe to call again)."""
        self._sink.release()


class _Sink:
    """What :class:`DirectFile`'s stream writes into: a Python file object to pyarrow."""

    def __init__(self, fd: int) -> None:
        self._fd: int | None = fd
        # Page-aligned, as O_DIRECT asks: one filled while the other is written.
        self._buffers = (mmap.mmap(-1, CHUNK), mmap.mmap(-1, CHUNK))
        self._buffer = self._buffers[0]
        self._filled = 0  # bytes in the buffer, not yet written
        self._written = 0  # bytes in the file or being written
        self._crc = 0
        self._direct = filecopy.set_direct(fd, True)
        self._io = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bokslut-direct")
        self._pending: Future[None] | None = None

    # The file object's part: what pyarrow calls.
    closed = False

    def write(self, data: bytes) -> int:
        view = memoryview(data).cast("B")
        if self._fd is None:
            # Released after a failure: what the writer still writes (its footer, as it is
            # closed) goes nowhere, as the file is thrown away.
            return len(view)
        self._crc = crc32(view, self._crc)
        at = 0
        while at < len(view):
            n = min(len(view) - at, CHUNK - self._filled)
            self._buffer[self._filled : self._filled + n] = view[at : at + n]
            self._filled += n
            at += n
            if self._filled == CHUNK:
                self._wait()
                self._pending = self._io.submit(self._put, self._buffer, CHUNK, self._written)
                self._written += CHUNK
                self._filled = 0
                self._buffer = self._buffers[1] if self._buffer is self._buffers[0] else self._buffers[0]
        return len(view)

    def tell(self) -> int:
        return self._written + self._filled

    def flush(self) -> None:
        """Nothing: a buffer is written when full, and by :meth:`finish`."""

    def close(self) -> None:
        """Nothing: pyarrow closes its stream when it is collected; :meth:`finish` ends the file."""

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    # The file's end.
    def finish(self) -> Summed:
        assert self._fd is not None
        self._wait()
        self._put(self._buffer, self._filled, self._written)
        self._written += self._filled
        self._filled = 0
        os.fdatasync(self._fd)
        return Summed(os.fstat(self._fd).st_ino, self._written, self._crc)

    def release(self) -> None:
        if self._fd is not None:
            self._io.shutdown(wait=True)
            os.close(self._fd)
            self._fd = None
            for buffer in self._buffers:
                # A view of it may outlive a failed write (in its traceback): then the
                # buffer goes with the last view.
                with contextlib.suppress(BufferError):
                    buffer.close()

    def _wait(self) -> None:
        """Until the buffer being written is written (its error raised here)."""
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def _put(self, buffer: mmap.mmap, n: int, at: int) -> None:
        """Write the first ``n`` bytes of ``buffer`` at offset ``at`` (see :func:`filecopy.write_out`)."""
        assert self._fd is not None
        with memoryview(buffer) as view:
            self._direct = filecopy.write_out(self._fd, view[:n], at, self._direct)
