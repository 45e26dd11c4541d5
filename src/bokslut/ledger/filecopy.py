"""A large file copied byte for byte into the staging area, at the least cost to the machine.

The copy of an imported file is kept for the auditor, not read again by the import, so
nothing is gained by having its bytes in the page cache. In order of preference:

* where the file system shares blocks between files (XFS, Btrfs), the copy is a clone of
  the file's range: no bytes move, and a later change to the original leaves it as it was;
* else the bytes are read into one buffer of ours, reused, and written past the page cache
  (``O_DIRECT``): a 450 MB file costs 0.09 s of processor time instead of 0.14–0.81 s for
  the kernel's own copy, which fills fresh page-cache pages (costly where a virtual
  machine's host has taken back the memory they were on) and then writes them back beside
  the import (docs/scale.md);
* else (a file system that takes no ``O_DIRECT``, a non-Linux system) the kernel copies
  (``copy_file_range``), or failing that we read and write.
"""

from __future__ import annotations

import errno
import fcntl
import mmap
import os
import struct
import sys

# Bytes read and written at a time: a multiple of any block size O_DIRECT asks to be aligned to.
CHUNK = 8 * 1024 * 1024
# Offsets and lengths written past the page cache are multiples of this (the largest logical
# block size of common disks; a larger one refuses the write, which is then made through the cache).
_BLOCK = 4096
# ioctl(FICLONERANGE) with struct file_clone_range {s64 src_fd; u64 src_offset, src_length, dest_offset}.
_FICLONERANGE = 0x4020940D
_CLONE_RANGE = struct.Struct("qQQQ")
# Errors that mean "not this way here", after which the next way is tried.
_NOT_HERE = frozenset((errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.ENOTTY))


class Copier:
    """Copies ranges of the open file ``source`` to the same offsets of the open file ``target``
    (a new, empty file). Not for several threads at once."""

    def __init__(self, source: int, target: int) -> None:
        self._source = source
        self._target = target
        self._buffer: mmap.mmap | None = None  # set while writing past the page cache
        self._tried = False  # whether the target was asked to take O_DIRECT

    def _begin_direct(self) -> None:
        self._tried = True
        direct = getattr(os, "O_DIRECT", 0)
        if not direct:
            return
        try:
            fcntl.fcntl(self._target, fcntl.F_SETFL, fcntl.fcntl(self._target, fcntl.F_GETFL) | direct)
        except OSError as exc:
            if exc.errno not in _NOT_HERE:
                raise
            return
        self._buffer = mmap.mmap(-1, CHUNK)  # page-aligned, as O_DIRECT asks

    def clone(self, size: int) -> bool:
        """Whether the file system made the target's first ``size`` bytes the source's (no bytes
        copied); False where it cannot share blocks, and then nothing was changed."""
        if sys.platform != "linux":
            return False
        try:
            fcntl.ioctl(self._target, _FICLONERANGE, _CLONE_RANGE.pack(self._source, 0, size, 0))
        except OSError as exc:
            if exc.errno in _NOT_HERE or exc.errno in (errno.EPERM, errno.EBADF, errno.ETXTBSY):
                return False
            raise
        return True

    def copy(self, at: int, count: int) -> int:
        """Copy up to ``count`` bytes at offset ``at``; returns how many were copied (> 0).
        Raises OSError (EIO) when the source ends before ``at + 1``."""
        if not self._tried:
            self._begin_direct()
        if self._buffer is None or at % _BLOCK:
            return _kernel_copy(self._source, self._target, at, count)
        with memoryview(self._buffer) as view:
            n = os.preadv(self._source, [view[: min(count, CHUNK)]], at)
            if n <= 0:
                raise OSError(errno.EIO, "the file is shorter than it was")
            whole = n - n % _BLOCK
            if whole:
                try:
                    return os.pwritev(self._target, [view[:whole]], at)
                except OSError as exc:
                    if exc.errno != errno.EINVAL:  # EINVAL: this disk's blocks are larger
                        raise
            # The file's last bytes (less than a block), or a disk that refused: through the cache.
            self._through_cache()
            written = os.pwrite(self._target, view[:n], at)
        self.close()
        return written

    def _through_cache(self) -> None:
        flags = fcntl.fcntl(self._target, fcntl.F_GETFL)
        fcntl.fcntl(self._target, fcntl.F_SETFL, flags & ~getattr(os, "O_DIRECT", 0))

    def close(self) -> None:
        """Write through the page cache from now on, and let the buffer go."""
        buffer, self._buffer = self._buffer, None
        if buffer is not None:
            self._through_cache()
            buffer.close()


def _kernel_copy(source: int, target: int, at: int, count: int) -> int:
    """Copy ``count`` bytes at offset ``at`` of ``source`` to the same offset of ``target``."""
    n = -1
    copy = getattr(os, "copy_file_range", None)  # Linux only
    if copy is not None:
        try:
            n = copy(source, target, count, at, at)
        except OSError as exc:
            # Not between these file systems, or not on this kernel: read and write instead.
            if exc.errno not in _NOT_HERE:
                raise
    if n < 0:
        data = os.pread(source, min(count, 4 * 1024 * 1024), at)
        n = os.pwrite(target, data, at) if data else 0
    if n <= 0:
        raise OSError(errno.EIO, "the file is shorter than it was")
    return n
