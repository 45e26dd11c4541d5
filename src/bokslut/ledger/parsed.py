"""A SIE file as the store receives it: parsed, checked, with its digest."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bokslut.diagnostics import Finding

if TYPE_CHECKING:
    # Only the importer and the indexer handle parsed files; a reading command (saldon)
    # must not pay for pyarrow at start.
    from bokslut.sie.model import SieFile


@dataclass(frozen=True, slots=True)
class Parsed:
    """A file already read and validated (by the importer), so syncing need not read it again."""

    sie: SieFile
    sha256: str
    findings: tuple[Finding, ...] = ()


def fiscal_period(sie: SieFile) -> tuple[int, dt.date, dt.date] | None:
    """The file's own fiscal year: #RAR 0, or for a 4I file the calendar year of its vouchers."""
    fy = sie.header.fiscal_year(0)
    if fy is not None:
        return fy.start.year, fy.start, fy.end
    dates = sie.vouchers["date"]
    if len(dates) == 0:
        return None
    first = min(dates.to_pylist())
    return first.year, dt.date(first.year, 1, 1), dt.date(first.year, 12, 31)
