"""Each ledger file's counted rows, summed once: what reports read instead of every row.

A report groups a year's #TRANS rows by account, by the objects of a few dimensions and by
whether they fall before its closing date; ``saldon`` by account alone. Reading a region's
50 million rows for that costs seconds every time, so when a file is indexed its rows are
summed per account × object key × month into a small Parquet file beside its rows files
(``file-N-<sha>.sums-<tag>.parquet``, written by :mod:`bokslut.ledger.sums_writer`), checked
and collected like them (see :mod:`bokslut.ledger.rowfiles`): a generation that uses it keeps
it, re-importing one year writes only that year's.

The object key is the one :mod:`bokslut.statements.facts` groups by: a balance account's
objects reduced to the dimensions configured for balance accounts (projekt, motpart), a
result account's to those for result accounts (verksamhet, ansvar, motpart). Those come
from bokslut.toml, so the file's name carries them (the tag); when the settings change,
the next writer sums the files again, and until then a query reads the rows. Money stays
exact: sums of int64 öre, never float; a file whose sums could overflow int64 is not
summed (its queries read the rows, where DuckDB sums in HUGEINT).

Beside the monthly sums, each file has its **year sums** (``….sums-<tag>-year.parquet``): the
same columns, with every month up to the end of the file's fiscal year folded into that last
month (the months after it, rows dated after the year, stay as they are). A query whose cut
is at or after a file's year end (an annual report, ``saldon``) reads them: about 12 times
fewer rows than the monthly ones, which a closing date inside the year still needs. They are
made from the monthly sums, so a store written before them gets them without reading its rows
again, and until then queries read the monthly sums.

A query asks :func:`covers` whether the files it needs have sums; if not it reads the rows,
which is always right, only slower. Drill-down to vouchers and rows always reads the rows.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import duckdb

from bokslut.ledger.rowfiles import rows_dir
from bokslut.workspace.layout import Layout

if TYPE_CHECKING:
    from bokslut.workspace.config import Dimensioner

_NAME = re.compile(r"file-([0-9]+)-[0-9a-f]{1,16}\.sums-(r[0-9.]*_b[0-9.]*)\.parquet")
_YEAR_NAME = re.compile(r"file-([0-9]+)-[0-9a-f]{1,16}\.sums-(r[0-9.]*_b[0-9.]*)-year\.parquet")
YEAR_SUFFIX = "-year"  # what a year sums file's "what" (rowfiles.rows_file) adds to the monthly one's


@dataclass(frozen=True, slots=True)
class SumsDims:
    """The dimensions an object key keeps: for result accounts and for balance accounts."""

    result: tuple[int, ...] = ()
    balance: tuple[int, ...] = ()

    @staticmethod
    def of(result: Iterable[int], balance: Iterable[int]) -> SumsDims:
        return SumsDims(tuple(sorted(set(result))), tuple(sorted(set(balance))))

    @property
    def tag(self) -> str:
        return "r" + ".".join(map(str, self.result)) + "_b" + ".".join(map(str, self.balance))

    def keeps(self, account: str, dim: int) -> bool:
        """Whether a sums key of ``account`` still tells its object of dimension ``dim``."""
        return dim in (self.balance if is_balance_account(account) else self.result)


def is_balance_account(account: str) -> bool:
    """As the statements class accounts: 1xxx and 2xxx are balance accounts."""
    return account[:1] in ("1", "2")


def key_sql(dims: Sequence[int], column: str = "objects") -> str:
    """SQL for the canonical object key in ``column`` reduced to ``dims`` (still canonical, or '')."""
    if not dims:
        return "''"
    parts = []
    for d in sorted(set(dims)):
        # The object of dimension d: up to the next unescaped "|" (ids escape \ | :).
        obj = rf"regexp_extract({column}, '(?:^|\|){d}:((?:[^|\\]|\\.)*)', 1)"
        parts.append(f"CASE WHEN {obj} <> '' THEN '{d}:' || {obj} END")
    return f"coalesce(concat_ws('|', {', '.join(parts)}), '')"


def report_dims(layout: Layout) -> SumsDims:
    """The dimensions the workspace's reports group by, as bokslut.toml sets them (none when
    it cannot be read: the sums then serve ``saldon`` and reports without dimensions)."""
    from bokslut.workspace.config import load_config

    try:
        return dims_of(load_config(layout.config).dimensioner)
    except Exception:  # a broken config is the report's to tell, not the store's
        return SumsDims()


def dims_of(d: Dimensioner) -> SumsDims:
    """What the statements group result and balance accounts by (statements.build)."""
    return SumsDims.of(
        [x for x in (d.verksamhet, d.ansvar, d.motpart) if x is not None],
        [x for x in (d.projekt, d.motpart) if x is not None],
    )


# ---------------------------------------------------------------- reading


def summed(con: duckdb.DuckDBPyConnection, tag: str | None, *, whole_year: bool = False) -> dict[int, str]:
    """File id → sums file name, for the files summed with ``tag`` (any tag when None): their
    monthly sums, or their year sums when ``whole_year``."""
    pattern = _YEAR_NAME if whole_year else _NAME
    out: dict[int, str] = {}
    for (name,) in con.execute("SELECT name FROM rows_check WHERE name LIKE '%.sums-%'").fetchall():
        m = pattern.fullmatch(str(name))
        if m is not None and (tag is None or m.group(2) == tag):
            out[int(m.group(1))] = str(name)
    return out


_EMPTY = (
    "SELECT NULL::INTEGER AS file_id, NULL::VARCHAR AS account, NULL::VARCHAR AS objects, "
    "NULL::INTEGER AS month, NULL::BIGINT AS debit, NULL::BIGINT AS credit, NULL::BIGINT AS rows, "
    "NULL::DATE AS last_date, NULL::BIGINT AS file_row_number WHERE FALSE"
)


def _union(layout: Layout, names: Iterable[str]) -> str:
    sql = _EMPTY
    paths = [rows_dir(layout) / n for n in names]
    if paths:
        listed = ", ".join("'" + str(p.resolve()).replace("'", "''") + "'" for p in paths)
        # file_row_number: a file's rows in the order they were written (by account and key),
        # which a report can read instead of sorting them (statements.facts).
        sql += f" UNION ALL BY NAME SELECT * FROM read_parquet([{listed}], file_row_number = true)"
    return sql


def view_sql(con: duckdb.DuckDBPyConnection, layout: Layout, *, whole_year: bool = False) -> str:
    """The query behind the view "ledger_sums" (every indexed file's monthly sums) or, when
    ``whole_year``, "ledger_year_sums" (their year sums)."""
    names = summed(con, None, whole_year=whole_year)
    return _union(layout, (names[f] for f in sorted(names)))


def covers(
    con: duckdb.DuckDBPyConnection,
    file_ids: Iterable[int],
    dims: SumsDims | None,
    *,
    whole_year: bool = False,
) -> bool:
    """Whether the sums answer for ``file_ids``: each has sums for ``dims`` (or any, when None:
    queries that group by account only), monthly or, when ``whole_year``, year sums. Else read
    the monthly sums or the rows."""
    names = summed(con, None if dims is None else dims.tag, whole_year=whole_year)
    return all(f in names for f in file_ids)


def complete(con: duckdb.DuckDBPyConnection, dims: SumsDims) -> bool:
    """Whether every indexed file has its sums for ``dims``: monthly, and year sums where the
    file has a fiscal year (else the next writer adds them, see sums_writer.ensure_sums)."""
    return covers(con, file_ids(con, "TRUE"), dims) and covers(
        con, file_ids(con, "year_end IS NOT NULL"), dims, whole_year=True
    )


def month_of(day: dt.date) -> int:
    return day.year * 100 + day.month


def is_month_end(day: dt.date) -> bool:
    return (day + dt.timedelta(days=1)).day == 1


def file_ids(con: duckdb.DuckDBPyConnection, where: str, params: Sequence[object] = ()) -> list[int]:
    """The ids of the indexed files that ``where`` (SQL over source_file) selects."""
    rows = con.execute(f"SELECT file_id FROM source_file WHERE {where}", list(params)).fetchall()
    return [int(r[0]) for r in rows]
