"""A large file copied byte for byte into the staging area, and its digest taken on the way.

The copy of an imported file is kept for the auditor, not read again by the import, so
nothing is gained by having its bytes in the page cache. In order of preference:

* where the file system shares blocks between files (XFS, Btrfs), the copy is a clone of
  the file's range: no bytes move, and a later change to the original leaves it as it was;
  the file is then read only to be hashed;
* else the bytes are read into one buffer of ours, reused, hashed there, and written past
  the page cache (``O_DIRECT``): a 450 MB file costs 0.09 s of processor time besides the
  hashing, instead of 0.14–0.81 s for the kernel's own copy, which fills fresh page-cache
  pages (costly where a virtual machine's host has taken back the memory they were on)
  and then writes them back beside the import (docs/scale.md);
* else (a file system or disk that takes no ``O_DIRECT``) they are written through the
  page cache from the same buffer.

The digest is taken here rather than from the scanner's buffers, so that it is done by
the thread that copies from the first moment of the import, while the scanner's modules
still load on the other processor.
"""

from __future__ import annotations

import errno
import fcntl
import mmap
import os
import struct
import sys
from typing import Protocol


class Digest(Protocol):
    """What is asked of a digest being taken (:func:`bokslut.ledger.filehash.hasher`, or :mod:`hashlib`'s)."""

    def update(self, data: memoryview, /) -> object: ...


# Bytes read and written at a time: a multiple of any block size O_DIRECT asks to be aligned to.
CHUNK = 8 * 1024 * 1024
# Offsets and lengths written past the page cache are multiples of this (the largest logical
# block size of common disks; a larger one refuses the write, which is then made through the cache).
BLOCK = 4096
# ioctl(FICLONERANGE) with struct file_clone_range {s64 src_fd; u64 src_offset, src_length, dest_offset}.
_FICLONERANGE = 0x4020940D
_CLONE_RANGE = struct.Struct("qQQQ")
# Errors that mean "not this way here", after which the next way is tried.
_NOT_HERE = frozenset((errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.ENOTTY))


class Copier:
    """Copies ranges of the open file ``source`` to the same offsets of the open file ``target``
    (a new, empty file), every byte read also going into ``digest``. Not for several threads
    at once; :meth:`close` lets its buffer go."""

    def __init__(self, source: int, target: int, digest: Digest) -> None:
        self._source = source
        self._target = target
        self._digest = digest
        self._buffer = mmap.mmap(-1, CHUNK)  # page-aligned, as O_DIRECT asks
        self._direct: bool | None = None  # whether the target takes O_DIRECT (None: not asked yet)

    def clone(self, size: int) -> bool:
        """Whether the file system made the target's first ``size`` bytes the source's (no bytes
        copied; :meth:`read` then hashes them); False where it cannot share blocks, and then
        nothing was changed."""
        if sys.platform != "linux":
            return False
        try:
            fcntl.ioctl(self._target, _FICLONERANGE, _CLONE_RANGE.pack(self._source, 0, size, 0))
        except OSError as exc:
            if exc.errno in _NOT_HERE or exc.errno in (errno.EPERM, errno.EBADF, errno.ETXTBSY):
                return False
            raise
        return True

    def read(self, at: int, count: int) -> int:
        """Hash up to ``count`` bytes at offset ``at`` (of a file cloned); returns how many (> 0).
        Raises OSError (EIO) when the source ends before ``at + 1``."""
        with memoryview(self._buffer) as view:
            return self._hashed(view, self._read(view, at, count))

    def copy(self, at: int, count: int) -> int:
        """Copy (and hash) up to ``count`` bytes at offset ``at``; returns how many (> 0).
        Raises OSError (EIO) when the source ends before ``at + 1``."""
        if self._direct is None:
            self._direct = set_direct(self._target, True)
        with memoryview(self._buffer) as view:
            n = self._read(view, at, count)
            self._direct = write_out(self._target, view[:n], at, self._direct)
            return self._hashed(view, n)

    def close(self) -> None:
        self._buffer.close()

    def _read(self, view: memoryview, at: int, count: int) -> int:
        n = os.preadv(self._source, [view[: min(count, CHUNK)]], at)
        if n <= 0:
            raise OSError(errno.EIO, "the file is shorter than it was")
        return n

    def _hashed(self, view: memoryview, n: int) -> int:
        """The buffer's first ``n`` bytes put into the digest (any read past them are read again)."""
        self._digest.update(view[:n])
        return n


def write_out(fd: int, data: memoryview, at: int, direct: bool) -> bool:
    """Write all of ``data`` (page-aligned memory) at offset ``at`` of ``fd``: whole blocks past
    the page cache while ``direct`` (O_DIRECT on for ``fd``) and ``at`` is a block's start; the
    rest (a file's last bytes, less than a block), and everything once a disk refuses, through
    the cache, O_DIRECT then turned off. Whether it is still on."""
    n = len(data)
    done = 0
    whole = n - n % BLOCK if direct and at % BLOCK == 0 else 0
    while done < whole:
        try:
            done += os.pwritev(fd, [data[done:whole]], at + done)
        except OSError as exc:
            if exc.errno != errno.EINVAL:  # EINVAL: this disk's blocks are larger
                raise
            break
    if done < n and direct:
        direct = set_direct(fd, False)
    while done < n:
        done += os.pwrite(fd, data[done:n], at + done)
    return direct


def set_direct(fd: int, on: bool) -> bool:
    """Turn O_DIRECT on or off for ``fd``; whether it is on."""
    direct = getattr(os, "O_DIRECT", 0)
    if not direct:
        return False
    flags = fcntl.fcntl(fd, fcntl.F_GETFL)
    try:
        fcntl.fcntl(fd, fcntl.F_SETFL, flags | direct if on else flags & ~direct)
    except OSError as exc:
        if exc.errno not in _NOT_HERE:
            raise
        return False
    return on
