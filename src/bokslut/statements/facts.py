"""The ledger, aggregated once, for every statement of one report.

One pass over the store's transactions (grouped by fiscal year, account, object
list and whether the row falls inside the report period) gives everything the
statements need: net movements, gross debit and credit flows (for the cash-flow
statement), movements per verksamhet and projekt, and the budget. Amounts stay
integer öre here; kronor appear only when a table is built.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from typing import Any

import duckdb
import numpy as np

from bokslut.ledger.sums import SumsDims, covers, is_month_end, key_sql, month_of
from bokslut.sie.model import split_objects
from bokslut.statements.flows import Flow, Flows

__all__ = [
    "Facts",
    "Flow",
    "Flows",
    "Gross",
    "ObjectRows",
    "YearData",
    "group_sums",
    "load_facts",
    "merge_budget",
    "object_of",
]


Gross = tuple[int, int]  # (debit, credit) in öre, as a Flow's


@dataclass(frozen=True)
class YearData:
    """One fiscal year as the report sees it: opening balances, movements, budget."""

    year: int
    start: dt.date
    end: dt.date
    cut: dt.date  # last day counted as "the period" (year end for an annual report)
    has_transactions: bool
    ib: Mapping[str, int]  # account -> opening balance
    declared_ub: Mapping[str, int]  # #UB as written in the files
    declared_res: Mapping[str, int]  # #RES as written
    # account -> object key -> flow, for transactions dated inside the period.
    period: Mapping[str, Mapping[str, Flow]]
    # account -> net of transactions after the cut (zero for an annual report).
    after_cut: Mapping[str, int]
    budget: Mapping[str, Mapping[str, int]]  # account -> object key -> full-year #PBUDGET
    # account -> period (YYYYMM) -> #PSALDO without objects: a result account's movement in
    # that month, which gives "the same period last year" when that year has no vouchers.
    psaldo: Mapping[str, Mapping[int, int]] = field(default_factory=dict)
    _flows: dict[str, Flow] = field(default_factory=dict, compare=False, repr=False)
    _by_object: dict[int, Mapping[str, Mapping[str | None, Gross]]] = field(
        default_factory=dict, compare=False, repr=False
    )
    _object_rows: dict[int, ObjectRows] = field(default_factory=dict, compare=False, repr=False)

    def accounts(self) -> set[str]:
        return set(self.ib) | set(self.period) | set(self.after_cut) | set(self.declared_res)

    def flow(self, account: str) -> Flow:
        """Gross movement of ``account`` in the period (all objects)."""
        if isinstance(self.period, Flows):
            return self.period.total(account)
        cached = self._flows.get(account)
        if cached is None:
            cached = Flow()
            for f in self.period.get(account, {}).values():
                cached = cached + f
            self._flows[account] = cached
        return cached

    def net(self, account: str) -> int:
        return self.flow(account).net

    def by_object(self, dim: int) -> Mapping[str, Mapping[str | None, Gross]]:
        """account -> object of dimension ``dim`` (None: the rows have none) -> (debit, credit)
        in the period. Made once per dimension: the drift and investment tables and the checks
        all ask (pairs of ints, not :class:`Flow`: making a million objects would cost half a
        second). A table over all of a region's objects reads :meth:`object_rows` instead."""
        made = self._by_object.get(dim)
        if made is None:
            made = _by_object(self.object_rows(dim))
            self._by_object[dim] = made
        return made

    def object_rows(self, dim: int) -> ObjectRows:
        """The period's movements with the object of dimension ``dim`` on each row, as columns;
        made once per dimension (a region's year has hundreds of thousands of object keys)."""
        made = self._object_rows.get(dim)
        if made is None:
            made = _object_rows(self.period, dim)
            self._object_rows[dim] = made
        return made

    def columns(self, account: str) -> tuple[list[str], list[int], list[int]]:
        """The account's object keys in the period, with their debits and credits."""
        if isinstance(self.period, Flows):
            return self.period.columns(account)
        flows = self.period.get(account, {})
        return list(flows), [f.debit for f in flows.values()], [f.credit for f in flows.values()]

    def balance_at_cut(self, account: str) -> int:
        return self.ib.get(account, 0) + self.net(account)

    def opening(self, account: str) -> int:
        return self.ib.get(account, 0)


@dataclass(frozen=True)
class Facts:
    """The years a report needs, keyed by fiscal year (report year, the year before, …)."""

    years: Mapping[int, YearData]
    objects: Mapping[tuple[int, str], str]  # (dim, obj) -> name
    account_names: Mapping[str, str]
    files: Mapping[int, str]  # fiscal year -> ledger file (relative path)

    def get(self, year: int) -> YearData | None:
        return self.years.get(year)


def object_of(key: str, dim: int) -> str | None:
    """The object of dimension ``dim`` in a canonical object key, if any."""
    if not key:
        return None
    if "\\" in key:
        for d, o in _split(key):
            if d == dim:
                return o
        return None
    # Nothing escaped: the pair is "dim:object" at the start or after a "|".
    tag = f"{dim}:"
    if key.startswith(tag):
        start = len(tag)
    else:
        at = key.find("|" + tag)
        if at < 0:
            return None
        start = at + 1 + len(tag)
    end = key.find("|", start)
    return key[start:] if end < 0 else key[start:end]


@dataclass(frozen=True)
class ObjectRows:
    """A year's movements in the period as columns, one row per (account, object key), with the
    object of one dimension on each row: rows grouped by account (``starts``: where each of
    ``accounts`` begins, and the end), ``obj`` indexing ``objects`` (None: no object of the
    dimension). An account's object repeats when its keys differ in other dimensions."""

    accounts: list[str]
    starts: np.ndarray
    objects: list[str | None]
    obj: np.ndarray
    debit: np.ndarray  # öre
    credit: np.ndarray
    _index: dict[str, int] = field(init=False, repr=False, compare=False)
    numbers: dict[str, int] = field(init=False, repr=False, compare=False)  # object -> its number
    none: int = field(init=False, repr=False, compare=False)  # the number of "no object" (-1: none)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {a: i for i, a in enumerate(self.accounts)})
        object.__setattr__(self, "numbers", {o: i for i, o in enumerate(self.objects) if o is not None})
        object.__setattr__(self, "none", next((i for i, o in enumerate(self.objects) if o is None), -1))

    def account(self) -> np.ndarray:
        """The index in ``accounts`` of each row."""
        return np.repeat(np.arange(len(self.accounts)), np.diff(self.starts))

    def span(self, account: str) -> tuple[int, int]:
        """Where ``account``'s rows are (an empty span when it has none)."""
        i = self._index.get(account)
        return (0, 0) if i is None else (int(self.starts[i]), int(self.starts[i + 1]))


def group_sums(index: np.ndarray, values: np.ndarray, groups: int) -> list[int]:
    """Exact sums of ``values`` per group (``index``: the group of each value), as Python ints."""
    if len(values) and int(np.abs(values).max()) * len(values) >= 1 << 62:
        values = values.astype(object)  # int64 could overflow: sum Python ints
    out = np.zeros(groups, dtype=values.dtype)
    np.add.at(out, index, values)
    return [int(x) for x in out.tolist()]


def _object_rows(period: Mapping[str, Mapping[str, Flow]], dim: int) -> ObjectRows:
    if isinstance(period, Flows):
        accounts, starts, key_column, debit, credit = period.arrays()
        keys = key_column.tolist()
    else:
        accounts = list(period)
        keys, debits, credits, sizes = [], [], [], []
        for a in accounts:
            keys += period[a]
            debits += [f.debit for f in period[a].values()]
            credits += [f.credit for f in period[a].values()]
            sizes.append(len(period[a]))
        starts = np.concatenate([[0], np.cumsum(sizes, dtype=np.int64)]).astype(np.int64)
        debit, credit = np.array(debits, dtype=object), np.array(credits, dtype=object)
    # Each distinct key parsed once: a region's year repeats 100 000 keys over 900 000 rows.
    numbers: dict[str | None, int] = {}
    of_key: dict[str, int] = dict.fromkeys(keys, 0)
    for k in of_key:
        of_key[k] = numbers.setdefault(object_of(k, dim), len(numbers))
    obj = np.fromiter(map(of_key.__getitem__, keys), dtype=np.int64, count=len(keys))
    return ObjectRows(accounts, starts, list(numbers), obj, debit, credit)


def _by_object(rows: ObjectRows) -> dict[str, dict[str | None, Gross]]:
    objects = rows.objects
    codes = [objects[i] for i in rows.obj.tolist()]
    debits, credits = rows.debit.tolist(), rows.credit.tolist()
    bounds = rows.starts.tolist()
    return {
        a: _per_object(codes[lo:hi], debits[lo:hi], credits[lo:hi])
        for a, (lo, hi) in zip(rows.accounts, pairwise(bounds), strict=True)
    }


def _per_object(codes: list[str | None], debits: list[int], credits: list[int]) -> dict[str | None, Gross]:
    out: dict[str | None, Gross] = dict(zip(codes, zip(debits, credits, strict=True), strict=True))
    if len(out) == len(codes):
        return out  # each object under one key (the usual case: the facts keep few dimensions)
    out = {}
    for code, d, c in zip(codes, debits, credits, strict=True):
        was = out.get(code)
        out[code] = (d, c) if was is None else (was[0] + d, was[1] + c)
    return out


@lru_cache(maxsize=65_536)
def _split(key: str) -> tuple[tuple[int, str], ...]:
    # Escaped keys are rare and repeat across a year's statements; parse each once.
    return split_objects(key)


def _shift_year(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February in a year without one
        return d.replace(year=d.year + years, day=28)


def _grouped(
    con: duckdb.DuckDBPyConnection, cuts: Mapping[int, dt.date], dims: SumsDims
) -> dict[str, np.ndarray]:
    """(fy, account, inside, objects, debit, credit) of the counted rows, sorted in that order:
    inside the period per account and object key, after it per account (key ''). From the
    files' year sums when every cut is at or after its file's year end, else from their monthly
    sums when every cut is a month's end (:mod:`bokslut.ledger.sums`), else from every row."""
    values = ", ".join(f"({y}, DATE '{c.isoformat()}', {month_of(c)})" for y, c in cuts.items())
    files = con.execute(
        "SELECT file_id, fiscal_year, year_end FROM source_file "
        "WHERE list_contains(?::INTEGER[], fiscal_year)",
        [list(cuts)],
    ).fetchall()
    ids = [int(f) for f, _, _ in files]
    # The files of the years asked for, by their id: DuckDB reads only the footers of the other
    # years' files and skips their rows by the file_id statistics.
    listed = ", ".join(map(str, ids)) or "NULL"
    month_ends = all(is_month_end(c) for c in cuts.values())
    whole_years = all(end is not None and month_of(cuts[fy]) >= month_of(end) for _, fy, end in files)
    if month_ends and whole_years and covers(con, ids, dims, whole_year=True):
        source = "ledger_year_sums"
    elif month_ends and covers(con, ids, dims):
        source = "ledger_sums"
    else:
        source = None
    if source == "ledger_year_sums":
        in_order = _in_file_order(con, files, cuts)
        if in_order is not None:
            return in_order
    if source is not None:
        sql = f"""
            WITH cuts(fy, cut, cut_month) AS (VALUES {values})
            SELECT f.fiscal_year AS fy, s.account, s.month <= c.cut_month AS inside,
                   CASE WHEN s.month <= c.cut_month THEN s.objects ELSE '' END AS objects,
                   SUM(s.debit)::BIGINT AS debit, SUM(s.credit)::BIGINT AS credit
            FROM {source} s
            JOIN source_file f ON f.file_id = s.file_id
            JOIN cuts c ON c.fy = f.fiscal_year
            WHERE s.file_id IN ({listed})
            GROUP BY ALL
            ORDER BY ALL
            """
    else:
        sql = f"""
            WITH cuts(fy, cut, cut_month) AS (VALUES {values}),
            rows AS (
                SELECT f.fiscal_year AS fy, t.account, t.objects, t.date <= c.cut AS inside,
                       SUM(CASE WHEN t.amount > 0 THEN t.amount ELSE 0 END) AS debit,
                       SUM(CASE WHEN t.amount < 0 THEN t.amount ELSE 0 END) AS credit
                FROM "transaction" t
                JOIN source_file f ON f.file_id = t.file_id
                JOIN cuts c ON c.fy = f.fiscal_year
                WHERE t.kind = 'TRANS' AND t.file_id IN ({listed})
                GROUP BY ALL
            ),
            -- reduce each distinct object list once, not once per row
            keys AS (
                SELECT objects, {key_sql(dims.result)} AS result_key,
                       {key_sql(dims.balance)} AS balance_key
                FROM (SELECT DISTINCT objects FROM rows)
            )
            SELECT fy, account, inside,
                   CASE WHEN NOT inside THEN ''
                        WHEN left(account, 1) IN ('1', '2') THEN balance_key ELSE result_key END
                   AS objects,
                   SUM(debit)::BIGINT AS debit, SUM(credit)::BIGINT AS credit
            FROM rows JOIN keys USING (objects)
            GROUP BY ALL
            ORDER BY ALL
            """
    # Columns, not a tuple per row (numpy only: see statements.flows).
    return {k: np.asarray(v) for k, v in con.execute(sql).fetchnumpy().items()}


def _in_file_order(
    con: duckdb.DuckDBPyConnection, files: Sequence[tuple[Any, Any, Any]], cuts: Mapping[int, dt.date]
) -> dict[str, np.ndarray] | None:
    """:func:`_grouped`'s columns read from the year sums in the order they were written, when
    that order is all it needs, else None: one file a year, every row of it in the period (its
    months folded into one, at or before the cut), so each (account, key) is one row, and each
    account's rows together. Sorting a region's 2.7 million rows by their strings was half of
    the query's second; the accounts come as ranges of rows, not a string per row."""
    year_of = {int(f): int(fy) for f, fy, _ in files}
    if len(set(year_of.values())) != len(year_of):
        return None
    listed = ", ".join(map(str, year_of))
    ranges = con.execute(
        f"""
        SELECT file_id, account, min(file_row_number), max(file_row_number), count(*),
               min(month), max(month)
        FROM ledger_year_sums WHERE file_id IN ({listed}) GROUP BY ALL
        """
    ).fetchall()
    sizes: dict[int, int] = dict.fromkeys(year_of, 0)
    months: dict[int, set[int]] = {f: set() for f in year_of}
    for f, _, lo, hi, n, first, last in ranges:
        if hi - lo + 1 != n:
            return None  # an account's rows apart: the file is not in account order
        sizes[f] += n
        months[f] |= {first, last}
    if any(len(m) > 1 or max(m) > month_of(cuts[year_of[f]]) for f, m in months.items() if m):
        return None
    order_of_files = sorted(year_of, key=year_of.__getitem__)
    base: dict[int, int] = {}  # where each file's rows begin, the years in order
    total = 0
    for f in order_of_files:
        base[f] = total
        total += sizes[f]
    got = con.execute(
        f"""
        SELECT file_id, file_row_number, objects, debit, credit
        FROM ledger_year_sums WHERE file_id IN ({listed})
        """
    ).fetchnumpy()
    file_ids = np.asarray(got["file_id"], dtype=np.int64)
    offset = np.zeros(max(year_of) + 1, dtype=np.int64)
    for f in year_of:
        offset[f] = base[f]
    at = offset[file_ids] + np.asarray(got["file_row_number"], dtype=np.int64)
    if len(at) != total or (total and (at.min() < 0 or at.max() >= total or np.bincount(at).max() != 1)):
        return None  # not each row of the files once
    order = np.empty(total, dtype=np.int64)
    order[at] = np.arange(total)
    spans = sorted((base[f] + int(lo), str(a), int(n)) for f, a, lo, _, n, _, _ in ranges)
    return {
        "fy": np.repeat(
            np.array([year_of[f] for f in order_of_files], dtype=np.int64),
            [sizes[f] for f in order_of_files],
        ),
        "account": np.repeat(np.array([a for _, a, _ in spans], dtype=object), [n for _, _, n in spans]),
        "inside": np.ones(total, dtype=bool),
        "objects": np.asarray(got["objects"])[order],
        "debit": np.asarray(got["debit"], dtype=np.int64)[order],
        "credit": np.asarray(got["credit"], dtype=np.int64)[order],
    }


def _by_year(
    columns: Mapping[str, np.ndarray],
) -> tuple[set[int], dict[int, Flows], dict[int, dict[str, int]]]:
    """The years with counted rows, each year's flows inside the period, and after it per account."""
    with_tx: set[int] = set()
    period: dict[int, Flows] = {}
    after: dict[int, dict[str, int]] = {}
    fy = np.asarray(columns["fy"], dtype=np.int64)
    inside = np.asarray(columns["inside"], dtype=bool)
    debit = np.asarray(columns["debit"], dtype=np.int64)
    credit = np.asarray(columns["credit"], dtype=np.int64)
    account = columns["account"]
    objects = columns["objects"]
    # The rows come sorted by year: each year is a slice (a view, not a copy of a region's
    # million rows), and so is its period when no row falls after the cut (an annual report).
    bounds = [0, *(np.flatnonzero(fy[1:] != fy[:-1]) + 1).tolist(), len(fy)]
    for lo, hi in pairwise(bounds):
        if lo == hi:
            continue
        y = int(fy[lo])
        with_tx.add(y)
        if inside[lo:hi].all():
            period[y] = Flows(account[lo:hi], objects[lo:hi], debit[lo:hi], credit[lo:hi])
            continue
        ins = np.flatnonzero(inside[lo:hi]) + lo
        period[y] = Flows(account[ins], objects[ins], debit[ins], credit[ins])
        out = np.flatnonzero(~inside[lo:hi]) + lo
        nets = (debit[out].astype(object) + credit[out].astype(object)).tolist()
        after[y] = dict(zip((str(a) for a in account[out].tolist()), nets, strict=True))
    return with_tx, period, after


def load_facts(
    con: duckdb.DuckDBPyConnection,
    report_year: int,
    cut: dt.date | None,
    years_back: int = 2,
    result_dims: Sequence[int] = (),
    balance_dims: Sequence[int] = (),
) -> Facts:
    """Aggregate the store for ``report_year`` and the ``years_back`` years before it.

    ``cut`` is the report's closing date; the same day of the earlier years cuts
    them for the "same period last year" columns. None means whole years.
    Movements are kept per object only of the dimensions the statements look at:
    ``result_dims`` for result accounts (verksamhet, motpart), ``balance_dims`` for
    balance accounts (projekt, motpart). A ledger whose rows carry tens of thousands
    of object combinations so still aggregates to a few thousand groups.
    """
    fy_rows = con.execute(
        "SELECT DISTINCT fiscal_year, year_start, year_end FROM fiscal_year ORDER BY fiscal_year"
    ).fetchall()
    spans: dict[int, tuple[dt.date, dt.date]] = {int(y): (s, e) for y, s, e in fy_rows}
    wanted = [report_year - k for k in range(years_back + 1)]
    cuts: dict[int, dt.date] = {}
    for y in wanted:
        if y not in spans:
            continue
        start, end = spans[y]
        cuts[y] = end if cut is None else min(end, _shift_year(cut, y - report_year))
    if not cuts:
        return Facts({}, {}, {}, {})

    with_tx, period, after = _by_year(_grouped(con, cuts, SumsDims.of(result_dims, balance_dims)))

    # Balances: a file's own year (index 0) wins over an older year restated in a newer file.
    bal_rows = con.execute(
        """
        SELECT fiscal_year, kind, account, amount FROM (
            SELECT fiscal_year, kind, account, amount,
                   row_number() OVER (PARTITION BY fiscal_year, kind, account
                                      ORDER BY year_index DESC, file_id DESC) AS rn
            FROM balance WHERE objects = '' AND kind IN ('IB', 'UB', 'RES')
        ) WHERE rn = 1
        """
    ).fetchall()
    ib: dict[int, dict[str, int]] = defaultdict(dict)
    ub: dict[int, dict[str, int]] = defaultdict(dict)
    res: dict[int, dict[str, int]] = defaultdict(dict)
    for fy, kind, account, amount in bal_rows:
        {"IB": ib, "UB": ub, "RES": res}[kind][fy][account] = int(amount)

    budget: dict[int, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for fy, account, objects, amount in con.execute(
        """
        SELECT fiscal_year, account, objects, SUM(amount)::BIGINT FROM period_balance
        WHERE kind = 'PBUDGET' GROUP BY ALL
        """
    ).fetchall():
        budget[fy][account][objects] = int(amount)

    psaldo: dict[int, dict[str, dict[int, int]]] = defaultdict(lambda: defaultdict(dict))
    for fy, account, period_no, amount in con.execute(
        """
        SELECT fiscal_year, account, period, amount FROM (
            SELECT fiscal_year, account, period, amount,
                   row_number() OVER (PARTITION BY fiscal_year, account, period
                                      ORDER BY year_index DESC, file_id DESC) AS rn
            FROM period_balance WHERE kind = 'PSALDO' AND objects = ''
        ) WHERE rn = 1
        """
    ).fetchall():
        psaldo[fy][account][int(period_no)] = int(amount)

    years: dict[int, YearData] = {}
    for y, c in cuts.items():
        if y not in with_tx and not (ib.get(y) or ub.get(y) or res.get(y)):
            continue  # a year only named by #RAR, with nothing said about it
        start, end = spans[y]
        opening = dict(ib.get(y, {}))
        if not opening and (y - 1) in ub:
            opening = dict(ub[y - 1])
        if y in with_tx:
            per: Mapping[str, Mapping[str, Flow]] = period[y]
        else:
            # No vouchers for this year: its result accounts come from #RES and its
            # balance accounts from #UB − #IB, as the files state them.
            synth: dict[str, dict[str, Flow]] = {}
            for a, amount in res.get(y, {}).items():
                synth[a] = {"": Flow(max(amount, 0), min(amount, 0))}
            for a, amount in ub.get(y, {}).items():
                change = amount - opening.get(a, 0)
                synth[a] = {"": Flow(max(change, 0), min(change, 0))}
            per = synth
        years[y] = YearData(
            year=y,
            start=start,
            end=end,
            cut=c,
            has_transactions=y in with_tx,
            ib=opening,
            declared_ub=dict(ub.get(y, {})),
            declared_res=dict(res.get(y, {})),
            period=per,
            after_cut=dict(after.get(y, {})),
            budget={a: dict(o) for a, o in budget.get(y, {}).items()},
            psaldo={a: dict(p) for a, p in psaldo.get(y, {}).items()},
        )

    objects = {
        (int(d), str(o)): str(n or "")
        for d, o, n in con.execute("SELECT dim, obj, name FROM object").fetchall()
    }
    names = {str(a): str(n or "") for a, n in con.execute("SELECT account, name FROM account").fetchall()}
    files = {
        int(y): str(p)
        for y, p in con.execute(
            "SELECT fiscal_year, max(path) FROM source_file WHERE fiscal_year IS NOT NULL GROUP BY 1"
        ).fetchall()
    }
    return Facts(years, objects, names, files)


def merge_budget(
    base: Mapping[str, Mapping[str, int]], extra: Iterable[tuple[str, str, int]]
) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {a: dict(o) for a, o in base.items()}
    for account, objects, amount in extra:
        out.setdefault(account, {})
        out[account][objects] = out[account].get(objects, 0) + amount
    return out
