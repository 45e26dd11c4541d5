"""Make zip-based outputs (DOCX, XLSX) byte-identical for identical inputs.

Office files are zip archives, and zip entries carry a modification time that
the writing libraries take from the clock. We rewrite every entry with the
report's own date (its closing date) and fixed attributes.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile


def normalize_zip(data: bytes, when: dt.date) -> bytes:
    stamp = (when.year, when.month, when.day, 12, 0, 0)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            fixed.create_system = 0
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()
