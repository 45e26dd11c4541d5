"""The loan note: långfristiga skulder per långivare, average interest and maturities
(``data/lan.csv|xlsx``, RKR R7 disclosures on financial liabilities).

One row per loan at the balance date: ``langivare``, optional ``lan`` (its number),
optional ``ar`` (the year-end the balance is for; default the report year),
``belopp``/``belopp_tkr``, ``ranta`` (per cent) and ``forfallodag`` (ÅÅÅÅ-MM-DD).

The note replaces the per-account ``not_langfristiga_skulder`` when the file has the
report year: the loans per lender (from the file), the line's other accounts (from the
ledger: those whose note line in the chart is not ``lan``, e.g. förutbetalda
investeringsbidrag 2388/2389), the total that ties to the balance sheet, the
amount-weighted average interest and the maturity structure. A file total that differs
from the ledger's loan accounts is an error naming both.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, localcontext
from pathlib import Path

from bokslut.diagnostics import Finding, error, warning
from bokslut.statements.balansrakning import closing
from bokslut.statements.context import Context, is_balance_account
from bokslut.statements.engine import Cell, Line, build_table, money_cell, with_percent_row
from bokslut.statements.file_amounts import (
    amount_columns,
    amount_specs,
    cell_date,
    cell_ore,
    cell_percent,
    cell_year,
    kr_text,
)
from bokslut.statements.organisation import slug
from bokslut.table import Column, RowKind, Table, Unit
from bokslut.tabular import DEFAULT_MAX_BYTES, ColumnSpec, read_table, text

TABLE_ID = "not_langfristiga_skulder"
LOAN_NOTE_LINE = "lan"  # the chart's note line of loan accounts
BUCKETS = (
    ("forfall_1", "Förfaller inom 1 år", 1),
    ("forfall_3", "Förfaller om 1–3 år", 3),
    ("forfall_5", "Förfaller om 3–5 år", 5),
    ("forfall_over_5", "Förfaller senare än 5 år", None),
)


@dataclass(frozen=True, slots=True)
class Loan:
    year: int
    lender: str
    number: str
    ore: int
    rate: Decimal  # per cent
    maturity: dt.date
    file: str
    line: int


def read_loans(
    path: Path, rel: str, default_year: int, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[list[Loan], list[Finding]]:
    specs = (
        ColumnSpec("ar", required=False),
        ColumnSpec("langivare"),
        ColumnSpec("lan", required=False),
        *amount_specs(("belopp",)),
        ColumnSpec("ranta"),
        ColumnSpec("forfallodag"),
    )
    raw, findings = read_table(path, rel, specs, max_bytes=max_bytes)
    if raw is None:
        return [], findings
    cols, missing = amount_columns(raw, ("belopp",), rel)
    findings += missing
    if missing:
        return [], findings
    years, lenders, numbers = text(raw, "ar"), text(raw, "langivare"), text(raw, "lan")
    amounts, rates, dates = text(raw, cols["belopp"].name), text(raw, "ranta"), text(raw, "forfallodag")
    out: list[Loan] = []
    for i in range(raw.rows):
        line = raw.line(i)
        lender = str(lenders[i])
        if not lender and not str(amounts[i]):
            continue
        if not lender:
            findings.append(
                error("långivare saknas", file=rel, line=line, where="kolumn langivare", code="langivare")
            )
            continue
        before = len(findings)
        year = cell_year(str(years[i]), default_year, rel, line, findings)
        ore = cell_ore(str(amounts[i]), cols["belopp"], rel, line, findings)
        rate = cell_percent(str(rates[i]), "ranta", rel, line, findings)
        maturity = cell_date(str(dates[i]), "forfallodag", rel, line, findings)
        if len(findings) > before or year is None or ore is None or rate is None or maturity is None:
            continue
        if maturity <= dt.date(year, 12, 31):
            findings.append(
                warning(
                    f"lånet förföll {maturity:%Y-%m-%d}, före balansdagen {year}-12-31; det visas "
                    "som förfallande inom 1 år",
                    file=rel,
                    line=line,
                    where="kolumn forfallodag",
                    code="lan-forfallet",
                )
            )
        out.append(Loan(year, lender, str(numbers[i]), ore, rate, maturity, rel, line))
    return out, findings


def _years_later(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def bucket_of(maturity: dt.date, balance_date: dt.date) -> str:
    """The maturity bucket of a loan, counted from the balance date (inclusive upper bounds)."""
    for bucket, _, years in BUCKETS:
        if years is None or maturity <= _years_later(balance_date, years):
            return bucket
    raise AssertionError("the last bucket is open")


def average_rate(loans: list[Loan]) -> Decimal | None:
    """Amount-weighted average interest, per cent; None without an outstanding amount."""
    total = sum(loan.ore for loan in loans)
    if total == 0:
        return None
    with localcontext(prec=40):
        return sum((Decimal(loan.ore) * loan.rate for loan in loans), Decimal(0)) / Decimal(total)


def loan_accounts(ctx: Context, accounts: list[str]) -> tuple[list[str], list[str]]:
    """(loan accounts, other accounts) of the långfristiga skulder line."""
    loans = [a for a in accounts if ctx.chart.noter.get(a) == LOAN_NOTE_LINE]
    return loans, [a for a in accounts if a not in loans]


def not_lan(ctx: Context, loans: list[Loan], file: str, unit: Unit) -> tuple[Table | None, list[Finding]]:
    """The loan note, or None when the file has no loans for the report year."""
    by_year: dict[int, list[Loan]] = {}
    for loan in loans:
        by_year.setdefault(loan.year, []).append(loan)
    if ctx.year not in by_year:
        return None, []
    findings: list[Finding] = []
    cells: dict[str, dict[str, Cell]] = {}
    columns: list[Column] = []
    lenders: dict[str, str] = {}  # row id -> label, first-seen order
    others: dict[str, str] = {}
    for cid, off in (("utfall", 0), ("utfall_fg", 1)):
        year = ctx.year - off
        year_loans = by_year.get(year)
        yd = ctx.yd(off)
        if year_loans is None:
            continue
        columns.append(Column(cid, str(year)))
        for loan in year_loans:
            rid = f"lan.{slug(loan.lender)}"
            lenders.setdefault(rid, loan.lender)
            prev = cells.setdefault(rid, {}).get(cid)
            base = prev.value if prev is not None and isinstance(prev.value, Decimal) else Decimal(0)
            cell = money_cell(loan.ore, {"file": file, "line": loan.line})
            assert isinstance(cell.value, Decimal)
            cells[rid][cid] = Cell(base + cell.value, cell.filter)
        bucket_sums: dict[str, int] = {}
        balance_date = dt.date(year, 12, 31)
        for loan in year_loans:
            b = bucket_of(loan.maturity, balance_date)
            bucket_sums[b] = bucket_sums.get(b, 0) + loan.ore
        for b, _, _ in BUCKETS:
            cells.setdefault(b, {})[cid] = money_cell(
                bucket_sums.get(b, 0), {"file": file}, f"förfallodag räknad från {balance_date}"
            )
        rate = average_rate(year_loans)
        if rate is not None:
            cells.setdefault("snittranta", {})[cid] = Cell(rate, {"file": file}, "beloppsvägt medelvärde")
        if yd is None:
            continue
        accounts = sorted(
            a
            for a in yd.accounts()
            if is_balance_account(a) and ctx.chart.rad.get(a) == "langfristiga_skulder"
        )
        loan_accts, other_accts = loan_accounts(ctx, accounts)
        at_cut = off == 0
        when = (yd.cut if at_cut else yd.end).isoformat()
        for a in other_accts:
            rid = f"konto.{a}"
            others.setdefault(rid, ctx.facts.account_names.get(a) or a)
            cells.setdefault(rid, {})[cid] = money_cell(
                -closing(yd, a, at_cut), {"accounts": [a], "balance_at": when, "sign": -1}
            )
        in_ledger = -sum(closing(yd, a, at_cut) for a in loan_accts)
        in_file = sum(loan.ore for loan in year_loans)
        if in_ledger != in_file:
            named = f"kontona {', '.join(loan_accts)}" if loan_accts else "inga lånekonton"
            findings.append(
                error(
                    f"lånen i {file} för {year} är {kr_text(in_file)} kr, men huvudbokens saldo på "
                    f"lånekontona ({named}) är {kr_text(in_ledger)} kr (skillnad "
                    f"{kr_text(in_file - in_ledger)} kr); noten och balansräkningen visar olika belopp",
                    file=file,
                    line=min(loan.line for loan in year_loans),
                    code="lan-summa",
                )
            )
    lines = [Line(rid, label) for rid, label in lenders.items()]
    if others:
        lines.append(Line("summa_lan", "Summa lån", RowKind.SUBTOTAL, parts=tuple(lenders)))
        lines += [Line(rid, label) for rid, label in others.items()]
        total_parts: tuple[str, ...] = ("summa_lan", *others)
    else:
        total_parts = tuple(lenders)
    lines += [
        Line("summa", "Summa långfristiga skulder", RowKind.TOTAL, parts=total_parts, show="always"),
        Line("snittranta", "Genomsnittlig ränta på lånen, %", show="data"),
        Line("h_forfall", "Lånens förfallostruktur", RowKind.HEADING),
        *(Line(b, label, level=1) for b, label, _ in BUCKETS),
        Line(
            "summa_forfall",
            "Summa lån efter förfallotid",
            RowKind.SUBTOTAL,
            parts=tuple(b for b, _, _ in BUCKETS),
        ),
    ]
    footnotes: list[str] = []
    if len(columns) == 1 and ctx.yd(1) is not None:
        footnotes.append(f"{file} har inga lån för {ctx.year - 1}; jämförelseåret visas inte.")
    table = build_table(
        id=TABLE_ID,
        title="Långfristiga skulder",
        columns=columns,
        lines=lines,
        cells=cells,
        unit=unit,
        caption="Långfristiga skulder per långivare, genomsnittlig ränta och lånens förfallostruktur.",
        footnotes=footnotes,
    )
    return with_percent_row(table, "snittranta", 2), findings
