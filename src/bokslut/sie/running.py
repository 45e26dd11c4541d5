"""The checks of :mod:`bokslut.sie.checks`, over a file that is read piece by piece.

A large file is streamed (:func:`bokslut.sie.fastscan.stream_fast`): its rows are never
all in memory, so each check that looks at whole columns keeps a running state instead,
which every piece adds to and whose size does not grow with the rows:

* voucher balance: summed within the piece (a piece holds whole vouchers);
* sums per account and date of the counted rows (the date for #OMFATTN, known only
  once the header has been read), merged as the pieces come;
* row dates: a count per day of the years a file may hold, and each day's first lines;
* accounts and object pairs used: one table each over the pieces, with their first lines;
* voucher numbers: a 64-bit key per voucher for plain numbers, the rest as strings.

:meth:`RunningChecks.findings` gives the same findings, in the same order, as
:func:`bokslut.sie.checks.validate` on the whole file (tests/sie/test_running.py).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bokslut.diagnostics import Finding
from bokslut.sie import checks, distinct
from bokslut.sie import limits as lim
from bokslut.sie.kernel import kernel
from bokslut.sie.model import SieFile

_EPOCH = dt.date(1970, 1, 1)
_FIRST_DAY = (dt.date(lim.MIN_YEAR, 1, 1) - _EPOCH).days
_DAYS = (dt.date(lim.MAX_YEAR, 12, 31) - dt.date(lim.MIN_YEAR, 1, 1)).days + 1
# Partial results merged once this many have gathered (each is at most the distinct values).
_MERGE_AT = 16
# Voucher series numbered into keys (as checks._surely_unique does): 13 bits above the number's 50.
_MAX_SERIES = 1 << 13
_NUMBER_BITS = 50


@kernel
def _count_days(
    days: np.ndarray, lines: np.ndarray, first_day: int, counts: np.ndarray, firsts: np.ndarray
) -> bool:
    """Count rows per day and keep each day's first lines; False if a day is outside the table."""
    size = counts.shape[0]
    keep = firsts.shape[1]
    for i in range(days.shape[0]):
        d = days[i] - first_day
        if d < 0 or d >= size:
            return False
        c = counts[d]
        if c < keep:
            firsts[d, c] = lines[i]
        counts[d] = c + 1
    return True


@kernel
def _plain_numbers(offsets: np.ndarray, data: np.ndarray, plain: np.ndarray, values: np.ndarray) -> None:
    """Which numbers are plain (checks.PLAIN_NUMBER: "0", or up to 15 digits not led by 0), and
    their values: read from the bytes once, instead of a regex and a cast."""
    for r in range(offsets.shape[0] - 1):
        i = offsets[r]
        e = offsets[r + 1]
        ok = 0 < e - i <= 15 and (e - i == 1 or data[i] != 48)
        v = 0
        k = i
        while ok and k < e:
            c = data[k]
            if c < 48 or c > 57:
                ok = False
            v = v * 10 + (c - 48)
            k += 1
        plain[r] = ok
        values[r] = v if ok else 0


def _plain(number: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(which are plain, their values) of a string column of voucher numbers."""
    n = len(number)
    offsets = np.frombuffer(number.buffers()[1], np.int32)[number.offset : number.offset + n + 1]
    raw = number.buffers()[2]
    plain = np.empty(n, np.bool_)
    values = np.empty(n, np.int64)
    _plain_numbers(
        offsets, np.zeros(0, np.uint8) if raw is None else np.frombuffer(raw, np.uint8), plain, values
    )
    return plain, values


def _merged(parts: list[pa.Table], keys: list[str], column: str, how: str) -> pa.Table:
    table = pa.concat_tables(parts).group_by(keys).aggregate([(column, how)])
    return pa.table({**{key: table[key] for key in keys}, column: table[f"{column}_{how}"]})


class RunningChecks:
    """The checks' state over the pieces of one file, added to with :meth:`add`."""

    def __init__(self, name: str, *, pair_slots: int = 8192) -> None:
        """``pair_slots``: the first size of the table of object pairs used (distinct.FirstLines)."""
        self.name = name
        self.vouchers = 0
        self.rows = 0
        self.counted = 0  # rows that count (#TRANS)
        self.first_date: dt.date | None = None  # the earliest voucher date
        self._unbalanced: list[Finding] = []
        self._moves: list[pa.Table] = []
        self._day_counts = np.zeros(_DAYS, np.int64)
        self._day_lines = np.zeros((_DAYS, checks.SHOWN_DATES), np.int64)
        self._accounts = distinct.FirstLines()
        self._pairs = distinct.FirstLines(split=True, slots=pair_slots)
        self._series: dict[str, int] = {}
        self._keys: list[np.ndarray] = []
        self._key_lines: list[np.ndarray] = []
        self._other_numbers: list[pa.Table] = []

    def add(self, vouchers: pa.Table, rows: pa.Table) -> None:
        """Add one piece: whole vouchers (``voucher_idx`` counting on from the last piece's), their rows."""
        base = self.vouchers
        nv = vouchers.num_rows
        self.vouchers += nv
        self.rows += rows.num_rows
        if nv:
            first = pc.min(vouchers["date"]).as_py()
            if self.first_date is None or first < self.first_date:
                self.first_date = first
        kinds = distinct.equal_to(rows["kind"], "TRANS")
        # Only the columns the sums need: a filter copies what it keeps (texts too).
        counted = rows.select(["voucher_idx", "account", "amount", "date"])
        if kinds is not None:
            counted = counted.filter(kinds)
        self.counted += counted.num_rows
        if nv:
            self._unbalanced += checks.unbalanced(self.name, vouchers, self._sums(counted, base, nv))
        if counted.num_rows:
            self._moves.append(self._moved(counted))
            if len(self._moves) >= _MERGE_AT:
                self._moves = [_merged(self._moves, ["account", "date"], "amount", "sum")]
        if rows.num_rows:
            days = pc.cast(rows["date"], pa.int32()).to_numpy()
            lines = rows["line"].to_numpy().astype(np.int64, copy=False)
            if not _count_days(days, lines, _FIRST_DAY, self._day_counts, self._day_lines):
                # The readers refuse such dates: never reached.
                raise ValueError("a row date outside the years a SIE file may hold")
            self._accounts.add(rows["account"], lines)
            self._pairs.add(rows["objects"], lines)
        self._add_numbers(vouchers)

    @staticmethod
    def _moved(counted: pa.Table) -> pa.Table:
        """The piece's counted amounts summed per account and date (grouped by dictionary code)."""
        account = distinct.dictionary(counted["account"])
        codes = account.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        days = pc.cast(counted["date"], pa.int32()).to_numpy()
        first = int(days.min())
        span = int(days.max()) - first + 1
        key, debit, credit, _, _ = distinct.sums_by_key(
            codes * span + (days - first), counted["amount"].to_numpy(), days, len(account.dictionary) * span
        )
        return pa.table(
            {
                "account": account.dictionary.take(pa.array(key // span)),
                "date": pa.array((key % span + first).astype(np.int32)).cast(pa.date32()),
                "amount": pa.array(debit + credit),
            }
        )

    @staticmethod
    def _sums(counted: pa.Table, base: int, nv: int) -> np.ndarray:
        """Each voucher's counted rows summed exactly (the rows come voucher by voucher)."""
        sums = np.zeros(nv, dtype=np.int64)
        idx = counted["voucher_idx"].to_numpy() - base
        if idx.size:
            amounts = counted["amount"].to_numpy()
            starts = np.flatnonzero(np.r_[True, idx[1:] != idx[:-1]])
            np.add.at(sums, idx[starts], np.add.reduceat(amounts, starts))
        return sums

    def _series_index(self, series: str) -> int:
        index = self._series.get(series)
        if index is None:
            if len(self._series) >= _MAX_SERIES:
                return -1  # never numbered, in any piece: its vouchers are compared as strings
            index = self._series[series] = len(self._series)
        return index

    def _add_numbers(self, vouchers: pa.Table) -> None:
        numbered = vouchers.select(["series", "number", "line"]).filter(pc.not_equal(vouchers["number"], ""))
        if numbered.num_rows == 0:
            return
        series = pc.dictionary_encode(numbered["series"].combine_chunks())
        index = np.array([self._series_index(s) for s in series.dictionary.to_pylist()], np.int64)
        keyed = index[series.indices.to_numpy()]
        plain, values = _plain(numbered["number"].combine_chunks())
        as_key = plain & (keyed >= 0)
        if as_key.any():
            self._keys.append((keyed[as_key] << _NUMBER_BITS) | values[as_key])
            self._key_lines.append(numbered["line"].to_numpy()[as_key])
        if not as_key.all():
            self._other_numbers.append(numbered.filter(pa.array(~as_key)))

    def _movement(self, omfattn: dt.date | None) -> dict[str, int]:
        if not self._moves:
            return {}
        moves = pa.concat_tables(self._moves)
        if omfattn is not None:
            moves = moves.filter(pc.less_equal(moves["date"], pa.scalar(omfattn, pa.date32())))
        grouped = moves.group_by("account").aggregate([("amount", "sum")])
        return dict(zip(grouped["account"].to_pylist(), grouped["amount_sum"].to_pylist(), strict=True))

    def _dates(self, sie: SieFile) -> list[Finding]:
        fy = sie.header.fiscal_year(0)
        if fy is None or self.rows == 0:
            return []
        bins = np.arange(_DAYS)
        lo = (fy.start - _EPOCH).days - _FIRST_DAY
        hi = (fy.end - _EPOCH).days - _FIRST_DAY
        outside = ((bins < lo) | (bins > hi)) & (self._day_counts > 0)
        found: list[tuple[int, int]] = []
        for day in np.flatnonzero(outside).tolist():
            kept = min(int(self._day_counts[day]), checks.SHOWN_DATES)
            found += [(int(line), day) for line in self._day_lines[day, :kept]]
        found.sort()
        shown = [
            (line, _EPOCH + dt.timedelta(days=_FIRST_DAY + day)) for line, day in found[: checks.SHOWN_DATES]
        ]
        return checks.dates_outside(sie.name, fy, shown, int(self._day_counts[outside].sum()))

    def _duplicates(self) -> list[tuple[str, str, list[int]]]:
        groups: list[tuple[str, str, list[int]]] = []
        if self._keys:
            # Only sorted keys first (a file has millions): lines are looked up for repeats only.
            keys = np.concatenate(self._keys)
            ordered = np.sort(keys, kind="stable")  # runs of numbers in order: merged, not sorted again
            repeated = np.unique(ordered[1:][ordered[1:] == ordered[:-1]])
            del ordered
            if repeated.size:
                chosen = np.isin(keys, repeated)
                keys = keys[chosen]
                lines = np.concatenate(self._key_lines)[chosen]
                order = np.argsort(keys, kind="stable")
                keys, lines = keys[order], lines[order]
                starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
                names = list(self._series)
                low = (1 << _NUMBER_BITS) - 1
                for start, stop in zip(starts.tolist(), [*starts[1:].tolist(), keys.size], strict=True):
                    key = int(keys[start])
                    groups.append((names[key >> _NUMBER_BITS], str(key & low), lines[start:stop].tolist()))
        if self._other_numbers:
            others = pa.concat_tables(self._other_numbers)
            grouped = others.group_by(["series", "number"]).aggregate([("line", "count"), ("line", "list")])
            twice = grouped.filter(pc.greater(grouped["line_count"], 1))
            groups += [(r["series"], r["number"], r["line_list"]) for r in twice.to_pylist()]
        return groups

    def findings(self, sie: SieFile) -> list[Finding]:
        """The checks' findings: ``sie`` holds the file's header, chart and balances (no rows)."""
        out = list(self._unbalanced)
        out += checks.check_opening_vs_previous_closing(sie)
        if self.vouchers and sie.header.fiscal_year(0) is not None:
            out += checks.reconciled(sie, self._movement(sie.header.omfattn))
        out += self._dates(sie)
        out += checks.undeclared(sie, distinct.as_dict(self._accounts.table()), self._pairs.table())
        out += checks.fiscal_year_findings(sie, self.first_date)
        out += checks.duplicates(sie.name, self._duplicates())
        return out
