"""#KSUMMA: CRC-32 over the records between the opening and closing #KSUMMA (spec §10).

Each record contributes its label and the *content* of its fields: no separators,
no line breaks, no enclosing quotes, no braces, ``\\"`` as a bare quote; bytes are
the CP437 codes of the characters (so a UTF-8 file verifies after re-encoding).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable


def record_bytes(label: str, contents: Iterable[str]) -> bytes:
    text = label + "".join(contents)
    return text.encode("cp437", errors="replace")


def update(crc: int, label: str, contents: Iterable[str]) -> int:
    return zlib.crc32(record_bytes(label, contents), crc)


def matches(declared: int, computed: int) -> bool:
    """True when the declared value is the computed CRC, written unsigned or as signed int32."""
    return declared % 2**32 == computed
