"""A SIE file as the store receives it: parsed, checked, with its digest."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bokslut.diagnostics import Finding
from bokslut.ledger.rowfiles import Summed

if TYPE_CHECKING:
    # Only the importer and the indexer handle parsed files; a reading command (saldon)
    # must not pay for pyarrow at start.
    from bokslut.sie.model import SieFile


@dataclass(frozen=True, slots=True)
class StagedRows:
    """A large file's vouchers and rows, written as Parquet while it was read (streamed).

    The file's ``sie`` then holds no rows; these say what they were.
    """

    file_id: int  # taken before reading: the rows' voucher ids are built from it
    vouchers_path: Path
    rows_path: Path
    fiscal_year: int | None  # as written into the vouchers file
    vouchers: int
    counted: int  # rows that count (#TRANS)
    first_date: dt.date | None  # the earliest voucher date
    # The rows' sums (bokslut.ledger.sums), taken from the pieces as they were written: none
    # when they could overflow int64 (then the store sums the rows file, and finds the same).
    sums_path: Path | None = None
    sums_tag: str = ""  # the dimensions they were summed for (SumsDims.tag)
    # The files' CRC-32s, taken while they were written (rowfiles.Follower, or directfile.DirectFile
    # for a file written past the page cache): not read again.
    summed: tuple[Summed, ...] = ()
    # The year sums (sums_writer.year_sums) made from the sums above while they were in memory,
    # where the file has a fiscal year and the sums were not spilled; else the store makes them.
    year_sums_path: Path | None = None


@dataclass(frozen=True, slots=True)
class Parsed:
    """A file already read and validated (by the importer), so syncing need not read it again."""

    sie: SieFile
    digest: str
    findings: tuple[Finding, ...] = ()
    staged: StagedRows | None = None

    def period(self) -> tuple[int, dt.date, dt.date] | None:
        return fiscal_period(self.sie, self.staged.first_date if self.staged else None)


def fiscal_period(sie: SieFile, first_voucher: dt.date | None = None) -> tuple[int, dt.date, dt.date] | None:
    """The file's own fiscal year: #RAR 0, or for a 4I file the calendar year of its vouchers.

    ``first_voucher``: the earliest voucher date, when ``sie`` holds no rows (a streamed file).
    """
    fy = sie.header.fiscal_year(0)
    if fy is not None:
        return fy.start.year, fy.start, fy.end
    first = first_voucher
    if first is None:
        dates = sie.vouchers["date"]
        if len(dates) == 0:
            return None
        first = min(dates.to_pylist())
    return first.year, dt.date(first.year, 1, 1), dt.date(first.year, 12, 31)
