"""Questions the store answers: the trial balance (saldon) and its filters."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import duckdb

from bokslut.diagnostics import BokslutError
from bokslut.ledger import sums
from bokslut.ledger.rowfiles import rows_file
from bokslut.ledger.store import Store

_SUMS = (("ledger_year_sums", True), ("ledger_sums", False))  # the views, fewest rows first


@dataclass(frozen=True, slots=True)
class AccountRange:
    """An inclusive range of account numbers, compared as numbers of equal length."""

    low: str
    high: str

    @staticmethod
    def parse(text: str) -> list[AccountRange]:
        ranges = []
        for part in text.split(","):
            part = part.strip()
            m = re.fullmatch(r"(\w+)\s*(?:-\s*(\w+))?", part)
            if not m:
                raise BokslutError(
                    f"kontourvalet '{text}' ska vara ett konto (3010), ett intervall (3000-3999) "
                    "eller flera med komma"
                )
            ranges.append(AccountRange(m.group(1), m.group(2) or m.group(1)))
        return ranges

    def sql(self, column: str = "account") -> tuple[str, list[str]]:
        # "3000-3999" also covers 5- and 6-digit sub-accounts such as 30100 or 399999:
        # compare on the leading digits of the account, as municipal charts extend BAS.
        width = max(len(self.low), len(self.high))
        return (
            f"(left({column}, ?::BIGINT) BETWEEN ? AND ?)",
            [str(width), self.low.ljust(width, "0"), self.high.ljust(width, "9")],
        )


@dataclass(frozen=True, slots=True)
class TrialBalanceRow:
    account: str
    name: str
    opening: int  # öre
    movement: int
    closing: int


@dataclass(frozen=True, slots=True)
class TrialBalance:
    fiscal_year: int
    start: str
    end: str
    object_filter: tuple[int, str] | None
    rows: tuple[TrialBalanceRow, ...]

    def totals(self) -> tuple[int, int, int]:
        return (
            sum(r.opening for r in self.rows),
            sum(r.movement for r in self.rows),
            sum(r.closing for r in self.rows),
        )


def parse_object(text: str) -> tuple[int, str]:
    dim, sep, obj = text.partition(":")
    # ASCII digits within what the store holds: "²" passes isdigit() but int() refuses it.
    number = dim.strip()
    if not sep or not obj or not re.fullmatch(r"[0-9]{1,10}", number) or int(number) > 2**31 - 1:
        raise BokslutError(f"objektet '{text}' ska skrivas dimension:objekt, t.ex. 1:81141")
    return int(number), obj


def trial_balance(
    store: Store,
    fiscal_year: int | None = None,
    accounts: list[AccountRange] | None = None,
    obj: tuple[int, str] | None = None,
) -> TrialBalance:
    """IB, the year's movement and UB per account (optionally for one object).

    The movement is the sum of the year's counted rows (#TRANS); IB comes from
    #IB 0 (#OIB for an object). Files without vouchers (SIE 1–3) give the movement
    from their own balances: #UB − #IB for balance accounts, #RES for result accounts.
    """
    con = store.con
    years = store.fiscal_years()
    if not years:
        raise BokslutError("det finns ingen huvudbok i arbetsytan – importera en SIE-fil först")
    year = fiscal_year if fiscal_year is not None else years[-1]
    if year not in years:
        shown = ", ".join(str(y) for y in years)
        raise BokslutError(f"räkenskapsåret {year} finns inte i arbetsytan (finns: {shown})")
    start, end = con.execute(
        "SELECT min(year_start), max(year_end) FROM source_file WHERE fiscal_year = ?", [year]
    ).fetchone() or (None, None)

    clauses: list[str] = []
    acc_params: list[str] = []
    for r in accounts or []:
        clause, p = r.sql("a.account")
        clauses.append(clause)
        acc_params.extend(p)
    account_filter = "(" + " OR ".join(clauses) + ")" if clauses else "TRUE"

    if obj is None:
        opening_sql = (
            "SELECT b.account, sum(b.amount) AS amount FROM balance b JOIN source_file f USING (file_id) "
            "WHERE f.fiscal_year = ? AND b.kind = 'IB' AND b.year_index = 0 AND b.objects = '' "
            "AND f.sietyp <> '4I' GROUP BY b.account"
        )
        opening_params: list[object] = [year]
        ids = sums.file_ids(con, "fiscal_year = ?", [year])
        # Every row of the year's files counts, so the year sums answer (12 times fewer rows).
        source = next((view for view, whole in _SUMS if sums.covers(con, ids, None, whole_year=whole)), None)
        movement_sql = (
            f"SELECT s.account, sum(s.debit + s.credit) AS amount FROM {source} s "
            "JOIN source_file f USING (file_id) WHERE f.fiscal_year = ? GROUP BY s.account"
            if source is not None
            else "SELECT t.account, sum(t.amount) AS amount FROM transaction t "
            "JOIN source_file f USING (file_id) WHERE f.fiscal_year = ? AND t.kind = 'TRANS' "
            "GROUP BY t.account"
        )
        movement_params: list[object] = [year]
        no_voucher_sql = (
            "SELECT b.account, sum(CASE WHEN b.kind = 'IB' THEN -b.amount ELSE b.amount END) AS amount "
            "FROM balance b JOIN source_file f USING (file_id) "
            "WHERE f.fiscal_year = ? AND b.year_index = 0 AND b.objects = '' "
            "AND b.kind IN ('IB', 'UB', 'RES') "
            "AND list_contains(?::INTEGER[], f.file_id) "
            "GROUP BY b.account"
        )
    else:
        dim, name = obj
        if any(c in name for c in "|:\\"):
            raise BokslutError(f"objekt-id med tecknen | : \\ kan inte väljas här: '{name}'")
        pair = f"{dim}:{name}"
        opening_sql = (
            "SELECT b.account, sum(b.amount) AS amount FROM balance b JOIN source_file f USING (file_id) "
            "WHERE f.fiscal_year = ? AND b.kind = 'OIB' AND b.year_index = 0 "
            "AND list_contains(string_split(b.objects, '|'), ?) GROUP BY b.account"
        )
        opening_params = [year, pair]
        # The pair at the start, middle or end of the canonical key, or the whole key:
        # plain string tests that DuckDB runs at memory speed over millions of rows.
        movement_sql = (
            "SELECT t.account, sum(t.amount) AS amount FROM transaction t "
            "JOIN source_file f USING (file_id) "
            "WHERE f.fiscal_year = ? AND t.kind = 'TRANS' AND (t.objects = ? "
            "OR starts_with(t.objects, ? || '|') OR contains(t.objects, '|' || ? || '|') "
            "OR ends_with(t.objects, '|' || ?)) GROUP BY t.account"
        )
        movement_params = [year, pair, pair, pair, pair]
        no_voucher_sql = (
            "SELECT b.account, sum(CASE WHEN b.kind = 'OIB' THEN -b.amount ELSE b.amount END) AS amount "
            "FROM balance b JOIN source_file f USING (file_id) "
            "WHERE f.fiscal_year = ? AND b.year_index = 0 AND b.kind IN ('OIB', 'OUB') "
            "AND list_contains(string_split(b.objects, '|'), ?) "
            "AND list_contains(?::INTEGER[], f.file_id) "
            "GROUP BY b.account"
        )

    sql = f"""
        WITH ib AS ({opening_sql}),
             mv AS ({movement_sql}),
             nv AS ({no_voucher_sql}),
             accounts AS (SELECT account FROM ib UNION SELECT account FROM mv
                          UNION SELECT account FROM nv)
        SELECT a.account, coalesce(n.name, ''), coalesce(ib.amount, 0)::BIGINT,
               (coalesce(mv.amount, 0) + coalesce(nv.amount, 0))::BIGINT
        FROM accounts a
        LEFT JOIN ib ON ib.account = a.account
        LEFT JOIN mv ON mv.account = a.account
        LEFT JOIN nv ON nv.account = a.account
        LEFT JOIN account_latest n ON n.account = a.account
        WHERE {account_filter}
        ORDER BY a.account
    """
    params_all = [
        *opening_params,
        *movement_params,
        year,
        *([f"{obj[0]}:{obj[1]}"] if obj else []),
        _without_vouchers(store, year),
        *acc_params,
    ]
    rows = con.execute(sql, params_all).fetchall()
    out = tuple(
        TrialBalanceRow(str(acc), str(name), int(ib), int(mv), int(ib) + int(mv))
        for acc, name, ib, mv in rows
        if ib or mv
    )
    return TrialBalance(year, str(start), str(end), obj, out)


def _without_vouchers(store: Store, year: int) -> list[int]:
    """The year's files without vouchers (SIE 1–3), from their vouchers files' footers: a
    semi-join over the vouchers of a region's year reads millions of rows."""
    files = store.con.execute(
        "SELECT file_id, digest FROM source_file WHERE fiscal_year = ?", [year]
    ).fetchall()
    if not files:
        return []
    paths = {str(rows_file(store.layout, int(f), str(h), "vouchers").resolve()): int(f) for f, h in files}
    counted = store.con.execute(
        "SELECT file_name, sum(num_rows) FROM parquet_file_metadata(?) GROUP BY file_name", [list(paths)]
    ).fetchall()
    have = {paths[str(name)] for name, n in counted if int(n) > 0}
    return [f for f in paths.values() if f not in have]


@dataclass(frozen=True, slots=True)
class LedgerFile:
    """A ledger file in the store as its header describes it, with its last voucher's date."""

    path: str
    company: str | None  # #FNAMN
    orgnr: str | None  # #ORGNR
    fiscal_year: int | None
    year_start: dt.date | None
    year_end: dt.date | None
    omfattn: dt.date | None  # #OMFATTN
    last_date: dt.date | None  # of its last TRANS row


def ledger_files(con: duckdb.DuckDBPyConnection) -> tuple[LedgerFile, ...]:
    """Every ledger file in the store, by path."""
    # The last date from the year sums where a file has them (they keep each group's last
    # date), else from its monthly sums; the rows only of a file without either.
    by_year = set(sums.summed(con, None, whole_year=True))
    by_month = set(sums.summed(con, None)) - by_year
    last = dict(
        con.execute("SELECT file_id, max(last_date) FROM ledger_year_sums GROUP BY file_id").fetchall()
    )
    if by_month:
        last.update(
            con.execute(
                "SELECT file_id, max(last_date) FROM ledger_sums "
                "WHERE list_contains(?::INTEGER[], file_id) GROUP BY file_id",
                [sorted(by_month)],
            ).fetchall()
        )
    rest = [
        int(r[0])
        for r in con.execute("SELECT file_id FROM source_file").fetchall()
        if int(r[0]) not in by_year | by_month
    ]
    if rest:
        last.update(
            con.execute(
                "SELECT file_id, max(date) FROM \"transaction\" WHERE kind = 'TRANS' "
                "AND list_contains(?::INTEGER[], file_id) GROUP BY file_id",
                [rest],
            ).fetchall()
        )
    rows = [
        (*row[1:], last.get(row[0]))
        for row in con.execute(
            "SELECT file_id, path, company, orgnr, fiscal_year, year_start, year_end, omfattn "
            "FROM source_file ORDER BY path"
        ).fetchall()
    ]
    return tuple(LedgerFile(*row) for row in rows)
