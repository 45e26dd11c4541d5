"""The digest that identifies a file of data/ledger: BLAKE3, 256 bits, as hex.

A ledger file's digest is what the store knows it by: it names the file's cached rows,
tells an unchanged file from a changed one when it is imported again, and is compared with
the file by a full check (``bokslut check``, ``build``). It is taken of every byte of every
file imported, on the import's own processors, beside the scan: SHA-256 (with the
processor's SHA instructions) hashed 1.6-1.7 GB/s on the two-core machine the import is
measured on, BLAKE3 6.6 GB/s, which took 0.2-0.8 s of processor time off importing 5
million rows (docs/scale.md, sixteenth session). Both are cryptographic hashes of 256 bits;
a store whose files were known by SHA-256 (schema version 5) is rebuilt with these, as any
store of an older version is. ``b3sum`` prints the same digest of a file.

The digests of the report's own files (SHA256SUMS of a build) and of the web application's
texts stay SHA-256: they are read by people and other programs, not by this store.
"""

from __future__ import annotations

import mmap
from pathlib import Path

from blake3 import blake3

# Bytes read at a time when a whole file is hashed.
_CHUNK = 8 * 1024 * 1024


def hasher() -> blake3:
    """A new digest, to be fed a file's bytes in order (``update``; it lets the GIL go)."""
    return blake3()


def of_bytes(data: bytes | mmap.mmap | memoryview) -> str:
    """The digest of ``data`` (hex): a file read whole, or mapped."""
    return blake3(data).hexdigest()


def of_file(path: Path) -> str:
    """The digest of the file at ``path`` (hex), read a piece at a time into one buffer."""
    h = blake3()
    buffer = bytearray(_CHUNK)
    view = memoryview(buffer)
    with path.open("rb", buffering=0) as f:
        while n := f.readinto(buffer):
            h.update(view[:n])
    return h.hexdigest()
