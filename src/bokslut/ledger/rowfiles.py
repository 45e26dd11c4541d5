"""The Parquet files that hold each ledger file's vouchers and rows: where they are, and
whether they are still what was written.

A rows file is checked on every open of the store, so the check must cost the same for a
file of 5 million rows as for one of ten: its size and modification time, and a digest of
its first and last 64 KiB (the last holds Parquet's footer: the schema and where every
column chunk is). A file deleted, truncated, extended, zeroed or replaced fails the check;
so does damage to its footer, which is what a reader would trip on first.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from bokslut.workspace.layout import Layout

_EDGE = 64 * 1024


@dataclass(frozen=True, slots=True)
class RowsCheck:
    """What a rows file was when it was written."""

    name: str
    size: int
    mtime_ns: int
    digest: str


def rows_dir(layout: Layout) -> Path:
    return layout.cache / "rows"


def rows_file(layout: Layout, file_id: int, sha256: str, what: str) -> Path:
    """Where a ledger file's ``what`` ("vouchers" or "rows") are kept as Parquet."""
    return rows_dir(layout) / f"file-{file_id}-{sha256[:16]}.{what}.parquet"


def _edges_digest(fd: int, size: int) -> str:
    h = hashlib.blake2b(digest_size=16)
    h.update(os.pread(fd, min(size, _EDGE), 0))
    if size > _EDGE:
        start = max(_EDGE, size - _EDGE)
        h.update(os.pread(fd, size - start, start))
    return h.hexdigest()


def check_of(path: Path) -> RowsCheck:
    """The check of a rows file just written (and synced)."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    try:
        st = os.fstat(fd)
        return RowsCheck(path.name, st.st_size, st.st_mtime_ns, _edges_digest(fd, st.st_size))
    finally:
        os.close(fd)


def is_intact(layout: Layout, check: RowsCheck) -> bool:
    """Whether the rows file is still the one ``check`` describes (never raises)."""
    try:
        fd = os.open(rows_dir(layout) / check.name, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return False
    try:
        st = os.fstat(fd)
        if (st.st_size, st.st_mtime_ns) != (check.size, check.mtime_ns):
            return False
        return _edges_digest(fd, st.st_size) == check.digest
    except OSError:
        return False
    finally:
        os.close(fd)
