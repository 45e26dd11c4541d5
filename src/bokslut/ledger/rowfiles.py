"""The Parquet files that hold each ledger file's vouchers and rows: where they are, and
whether they are still what was written.

A rows file is checked on every open of the store, so that check must cost the same for
a file of 5 million rows as for one of ten: its size, modification time, inode and
status-change time (ctime), and a digest of its first and last 64 KiB (the last holds
Parquet's footer: the schema and where every column chunk is). A file deleted,
truncated, extended, zeroed or replaced fails it. The kernel sets ctime on every write
and no user can set it back, so a write in the middle that is followed by setting the
modification time back moves it too; so do a chmod or chown (a workspace made read-only
to archive it), which change no byte. When only ctime moved, every byte is read and
compared with the CRC-32 taken at writing: the file is damaged or it is not.

A file copied here from elsewhere (a workspace zipped, shared or copied with its cache)
has another inode: it is never trusted, whatever its recorded digests say, since whoever
made the copy also made the records.

What the kernel does not see (bit rot, a disk's silent error) only a full read finds:
``full=True`` compares the CRC-32 of every file. That costs about 0.2–0.5 s for 5 million
rows from the page cache, so the store asks for it where a report is composed, not on
every open. The CRC finds damage, not a forger: a process that can write the workspace
can as well change data/ledger itself.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import mmap
import os
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Literal

# zlib's CRC-32 (the same value), about four times as fast: the rows files of a large file are
# hundreds of MB, summed while they are written.
from isal.isal_zlib import crc32

from bokslut.workspace.layout import Layout

if TYPE_CHECKING:
    from concurrent.futures import Future

_EDGE = 64 * 1024
_CHUNK = 4 * 1024 * 1024

Verify = Literal["stat", "full"]
"""How much of each rows file an open of the store checks: its status and edges, or every byte."""


@dataclass(frozen=True, slots=True)
class RowsCheck:
    """What a rows file was when it was written."""

    name: str
    size: int
    mtime_ns: int
    ino: int
    ctime_ns: int
    digest: str  # of the first and last 64 KiB
    crc32: int  # of every byte


class State(Enum):
    INTACT = "intact"
    DAMAGED = "damaged"  # missing, or changed since it was written
    ELSEWHERE = "elsewhere"  # the bytes look the same, but the file was not written here


def rows_dir(layout: Layout) -> Path:
    return layout.cache / "rows"


def rows_file(layout: Layout, file_id: int, digest: str, what: str) -> Path:
    """Where a ledger file's ``what`` ("vouchers" or "rows") are kept as Parquet."""
    return rows_dir(layout) / f"file-{file_id}-{digest[:16]}.{what}.parquet"


def _edges_digest(fd: int, size: int) -> str:
    h = hashlib.blake2b(digest_size=16)
    h.update(os.pread(fd, min(size, _EDGE), 0))
    if size > _EDGE:
        start = max(_EDGE, size - _EDGE)
        h.update(os.pread(fd, size - start, start))
    return h.hexdigest()


def _crc32(fd: int) -> int:
    # One buffer read into again and again: no allocation per chunk, and CRC-32 is about
    # three times as fast as blake2b; it is meant to find damage, not an attacker (the
    # stat check above finds a write).
    buffer = bytearray(_CHUNK)
    view = memoryview(buffer)
    crc = 0
    with io.FileIO(fd, closefd=False) as f:
        f.seek(0)
        while n := f.readinto(buffer):
            crc = crc32(view[:n], crc)
    return crc


@dataclass(frozen=True, slots=True)
class Summed:
    """The CRC-32 of every byte of a file, taken while it was written (:class:`Follower`, or
    :class:`bokslut.ledger.directfile.DirectFile`)."""

    ino: int
    size: int
    crc32: int


def check_of(path: Path, summed: Sequence[Summed] = ()) -> RowsCheck:
    """The check of a rows file just written (and synced) and given its final name.

    When ``summed`` holds this very file (same inode and size) its bytes are not read again.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    try:
        st = os.fstat(fd)
        known = [s.crc32 for s in summed if (s.ino, s.size) == (st.st_ino, st.st_size)]
        return RowsCheck(
            path.name,
            st.st_size,
            st.st_mtime_ns,
            st.st_ino,
            st.st_ctime_ns,
            _edges_digest(fd, st.st_size),
            known[0] if known else _crc32(fd),
        )
    finally:
        os.close(fd)


class Follower:
    """Files being written from the first byte to the last and never rewritten (Parquet),
    followed in a thread while they grow: their bytes so far synced to disk and summed.

    The writer's own sync at the end then finds little left to write, and the check of each
    file (:func:`check_of`) need not read it again for its CRC-32. Both are savings only:
    should following fail (a file replaced, an error reading it), :meth:`finish` leaves that
    file out and its check reads it as before.
    """

    def __init__(self, paths: Sequence[Path]) -> None:
        # Here, not above: a command that only reads the store never follows a file.
        from concurrent.futures import ThreadPoolExecutor

        self._paths = tuple(paths)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bokslut-follow")
        self._pending: Future[None] | None = None
        self._fds: dict[Path, int] = {}
        self._sums: dict[Path, tuple[int, int]] = {}  # path → (bytes summed, their CRC-32)
        self._lost: set[Path] = set()

    def kick(self) -> None:
        """Catch up with what was written since the last time, unless that is still going on."""
        if self._pending is None or self._pending.done():
            self._pending = self._pool.submit(self._catch_up, True)

    def finish(self) -> tuple[Summed, ...]:
        """Once the files are closed: the CRC-32 of each one followed to its end."""
        if self._pending is not None:
            self._pending.result()
        self._catch_up(False)
        out: list[Summed] = []
        for path, fd in self._fds.items():
            with contextlib.suppress(OSError):
                st = os.fstat(fd)
                done, crc = self._sums[path]
                if path not in self._lost and done == st.st_size:
                    out.append(Summed(st.st_ino, done, crc))
        self.close()
        return tuple(out)

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        for fd in self._fds.values():
            os.close(fd)
        self._fds.clear()

    def _catch_up(self, sync: bool) -> None:
        for path in self._paths:
            if path in self._lost:
                continue
            fd = self._fds.get(path)
            if fd is None:
                try:
                    fd = self._fds[path] = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
                except FileNotFoundError:
                    continue  # not written to yet
                except OSError:
                    self._lost.add(path)
                    continue
                self._sums[path] = (0, 0)
            try:
                done, crc = self._sums[path]
                size = os.fstat(fd).st_size
                if size > done:
                    self._sums[path] = (size, _crc32_range(fd, done, size, crc))
                if sync:
                    os.fdatasync(fd)
            except OSError:
                self._lost.add(path)


# Bytes of a followed file mapped at a time: a multiple of any allocation granularity, and
# small beside the import's memory (mapped pages count in its resident size while mapped).
_WINDOW = 16 * 1024 * 1024


def _crc32_range(fd: int, start: int, stop: int, crc: int) -> int:
    """``crc`` continued over the bytes from ``start`` to ``stop`` (the file grows meanwhile).

    Summed where the page cache holds them, through a mapping of the file, not copied out by
    reads: for a 1.1 GB file 0.12 s of processor time instead of 0.29 s. Only for a file this
    import writes and only appends to (what :class:`Follower` follows): mapped bytes that a
    file lost meanwhile would stop the process (SIGBUS) where a read comes back short, so a
    file at rest that anyone may have changed is read (:func:`_crc32`)."""
    at = start
    while at < stop:
        base = at - at % mmap.ALLOCATIONGRANULARITY
        length = min(stop, base + _WINDOW) - base
        try:
            mapped = mmap.mmap(fd, length, access=mmap.ACCESS_READ, offset=base)
        except ValueError:  # mmap's word for a file shorter than the mapping asked for
            raise OSError("the file is shorter than it was") from None
        with mapped:
            view = memoryview(mapped)
            try:
                crc = crc32(view[at - base :], crc)
            finally:
                view.release()
        at = base + length
    return crc


def state_of(layout: Layout, check: RowsCheck, *, full: bool = False) -> State:
    """Whether the rows file is still the one ``check`` describes, and if not, why (never raises)."""
    try:
        fd = os.open(rows_dir(layout) / check.name, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return State.DAMAGED
    try:
        st = os.fstat(fd)
        if st.st_size != check.size or _edges_digest(fd, st.st_size) != check.digest:
            return State.DAMAGED
        # Before the modification time: a copy (cp -r, a zip unpacked) rarely keeps it.
        if st.st_ino != check.ino:
            return State.ELSEWHERE
        if st.st_mtime_ns != check.mtime_ns:
            return State.DAMAGED
        if (full or st.st_ctime_ns != check.ctime_ns) and _crc32(fd) != check.crc32:
            return State.DAMAGED
        return State.INTACT
    except OSError:
        return State.DAMAGED
    finally:
        os.close(fd)


def is_intact(layout: Layout, check: RowsCheck, *, full: bool = False) -> bool:
    """Whether the rows file is still the one ``check`` describes (never raises)."""
    return state_of(layout, check, full=full) is State.INTACT
