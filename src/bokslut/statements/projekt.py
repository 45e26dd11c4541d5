"""Multi-year investment projects (RKR R14): data/investeringsprojekt.csv|xlsx and the ledger.

The file names each project (an object of the projekt dimension) with its
beslutad totalutgift and, optionally, its beräknad totalutgift (the prognos; an
empty cell means unchanged). The ledger gives the accumulated outcome over every
fiscal year in the store up to the report's closing date, and this year's
outcome; the budget files give this year's budget. Avvikelse = beslutad −
beräknad totalutgift. Investment outcome is gross: debits on the acquisition
value accounts of the fixed-asset lines, as in the investeringsredovisning.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from bokslut.diagnostics import Finding, error, warning
from bokslut.ledger.sums import covers, dims_of, is_month_end, month_of
from bokslut.money import kronor
from bokslut.statements.context import Context
from bokslut.statements.drift import INVESTMENT_LINES, investment_actuals, is_investment_plan
from bokslut.statements.engine import Cell, Line, build_table
from bokslut.statements.facts import object_of
from bokslut.statements.organisation import kr_text
from bokslut.statements.plan import MAX_ORE, parse_amount
from bokslut.table import Column, RowKind, Table, Unit
from bokslut.tabular import DEFAULT_MAX_BYTES, ColumnSpec, read_table, shown, text

TABLE_ID = "investeringsprojekt"
COLUMNS = (
    ColumnSpec("projekt"),
    ColumnSpec("namn", required=False),
    ColumnSpec("totalbudget", required=False),
    ColumnSpec("totalbudget_tkr", required=False),
    ColumnSpec("prognos", required=False),
    ColumnSpec("prognos_tkr", required=False),
)


@dataclass(frozen=True, slots=True)
class Project:
    code: str
    name: str
    total_ore: int  # beslutad totalutgift
    prognos_ore: int | None  # beräknad totalutgift; None: as decided
    file: str
    line: int


def read_projects(
    path: Path, rel: str, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[list[Project], list[Finding]]:
    raw, findings = read_table(path, rel, COLUMNS, max_bytes=max_bytes)
    if raw is None:
        return [], findings

    def pick(base: str) -> tuple[str, int] | None:
        if raw.has(base):
            return base, 1
        if raw.has(f"{base}_tkr"):
            return f"{base}_tkr", 1000
        return None

    total_col, prognos_col = pick("totalbudget"), pick("prognos")
    if total_col is None:
        findings.append(
            error(
                "kolumnen 'totalbudget' (eller 'totalbudget_tkr') saknas",
                file=rel,
                line=1,
                code="kolumn-saknas",
            )
        )
        return [], findings
    codes, names = text(raw, "projekt"), text(raw, "namn")
    totals = text(raw, total_col[0])
    prognoses = text(raw, prognos_col[0]) if prognos_col else None
    out: list[Project] = []
    seen: dict[str, int] = {}

    def amount(cell: str, col: tuple[str, int], line: int) -> int | None:
        value = parse_amount(cell)
        ore = None if value is None else value * col[1] * 100
        if ore is None or ore != ore.to_integral_value() or abs(ore) > MAX_ORE:
            findings.append(
                error(
                    f"'{shown(cell)}' är inget belopp i kronor (högst två decimaler)",
                    file=rel,
                    line=line,
                    where=f"kolumn {col[0]}",
                )
            )
            return None
        return int(ore)

    for i in range(raw.rows):
        line = raw.line(i)
        code = str(codes[i])
        if not code:
            if str(totals[i]):
                findings.append(error("projekt saknas", file=rel, line=line, where="kolumn projekt"))
            continue
        if code in seen:
            findings.append(
                error(
                    f"projektet {shown(code)} står två gånger (rad {seen[code]} och rad {line}); "
                    f"bara rad {seen[code]} används",
                    file=rel,
                    line=line,
                    code="projekt-dubblett",
                )
            )
            continue
        total = amount(str(totals[i]), total_col, line)
        if total is None:
            continue
        prognos = None
        if prognoses is not None and prognos_col is not None and str(prognoses[i]):
            prognos = amount(str(prognoses[i]), prognos_col, line)
            if prognos is None:
                continue
        seen[code] = line
        out.append(Project(code, str(names[i]), total, prognos, rel, line))
    return out, findings


def investment_accounts(ctx: Context) -> list[str]:
    """Acquisition-value accounts of the fixed-asset lines (not accumulated depreciation)."""
    known = set(ctx.facts.account_names)
    for yd in ctx.facts.years.values():
        known.update(yd.period)
    return sorted(
        a
        for a in known
        if ctx.chart.rad.get(a) in INVESTMENT_LINES
        and not ctx.chart.is_accumulated_depreciation(a)
        and not ctx.chart.is_accumulated_impairment(a)
    )


def accumulated_outcome(
    con: duckdb.DuckDBPyConnection, ctx: Context, accounts: list[str], dim: int, cut: dt.date
) -> dict[str, int]:
    """Gross investment (debits) per projekt object over every fiscal year up to ``cut``, öre.

    The years the statements already aggregated whole (the report year to its cut, and
    earlier years when the report runs to their year-end) come from the facts; only the
    other years are read from the store, so a report on the years it has costs no scan.
    """
    out: dict[str, int] = defaultdict(int)
    covered: list[int] = []
    for year, yd in ctx.facts.years.items():
        if year > ctx.year or not yd.has_transactions or (year != ctx.year and yd.cut != yd.end):
            continue
        covered.append(year)
        per_object = yd.by_object(dim)
        for account in accounts:
            for p, (debit, _) in per_object.get(account, {}).items():
                if p is not None and debit:
                    out[p] += debit
    files = [
        int(r[0])
        for r in con.execute(
            "SELECT file_id FROM source_file "
            "WHERE fiscal_year <= ? AND NOT list_contains(?::INTEGER[], fiscal_year)",
            [ctx.year, covered],
        ).fetchall()
    ]
    dims = dims_of(ctx.config.dimensioner)
    if accounts and files:
        # The sums keep the projekt of these accounts when the settings group them by it.
        from_sums = (
            is_month_end(cut) and all(dims.keeps(a, dim) for a in accounts) and covers(con, files, dims)
        )
        rows = con.execute(
            """
            SELECT s.objects, SUM(s.debit)::BIGINT FROM ledger_sums s
            WHERE s.month <= ? AND list_contains(?::INTEGER[], s.file_id)
              AND list_contains(?::VARCHAR[], s.account)
            GROUP BY 1
            """
            if from_sums
            else """
            SELECT t.objects, SUM(CASE WHEN t.amount > 0 THEN t.amount ELSE 0 END)::BIGINT
            FROM "transaction" t
            WHERE t.kind = 'TRANS' AND t.date <= ? AND list_contains(?::INTEGER[], t.file_id)
              AND list_contains(?::VARCHAR[], t.account)
            GROUP BY 1
            """,
            [month_of(cut) if from_sums else cut, files, accounts],
        ).fetchall()
        for objects, debit in rows:
            p = object_of(str(objects or ""), dim)
            if p is not None:
                out[p] += int(debit)
    return dict(out)


def investeringsprojekt(
    ctx: Context, unit: Unit, projects: list[Project], accumulated: dict[str, int]
) -> Table | None:
    yd = ctx.yd(0)
    dim = ctx.config.dimensioner.projekt
    if yd is None or not projects:
        return None
    actual = investment_actuals(ctx, yd)
    budget: dict[str, int] = defaultdict(int)
    for r in ctx.budget:
        if r.year == ctx.year and is_investment_plan(ctx, r.account, r.kostnadsslag, r.projekt):
            code = ctx.projekt_of(r)
            if code is not None:
                budget[code] += abs(r.amount)  # investment budgets are outflows, as in drift.py
    cut_label = f"Utfall {yd.cut:%y%m%d}" if ctx.interim else f"Utfall {ctx.year}"
    columns = [
        Column("totalbudget", "Beslutad totalutgift"),
        Column("ackumulerat", f"Ackumulerat utfall t.o.m. {yd.cut:%Y-%m-%d}"),
        Column("budget", f"Budget {ctx.year}"),
        Column("utfall", cut_label),
        Column("prognos", "Beräknad totalutgift"),
        Column("avvikelse", "Avvikelse", derived=("totalbudget", "-", "prognos")),
    ]
    cells: dict[str, dict[str, Cell]] = {}
    objects: list[str] | None = [] if dim is None else None
    for p in projects:
        file_src: dict[str, Any] = {"file": p.file, "line": p.line, "projekt": p.code}
        obj = objects if objects is not None else [f"{dim}:{p.code}"]
        amount, accounts = actual.get(p.code, (0, set()))
        acc = accumulated.get(p.code, 0)
        prognos = p.prognos_ore if p.prognos_ore is not None else p.total_ore
        cells[p.code] = {
            "totalbudget": Cell(kronor(p.total_ore), file_src),
            "ackumulerat": Cell(
                kronor(acc),
                {"accumulated": True, "to": yd.cut.isoformat(), "flows": "debit", "objects": obj},
            ),
            "budget": Cell(
                kronor(budget.get(p.code, 0)), {"budget": True, "year": ctx.year, "projekt": p.code}
            ),
            "utfall": Cell(
                kronor(amount),
                {**ctx.period_filter(yd, accounts, 1), "flows": "debit", "objects": obj},
            ),
            "prognos": Cell(kronor(prognos), file_src),
        }
        if acc > prognos:
            ctx.findings.append(
                warning(
                    f"projektet {p.code} har redan kostat {kr_text(acc)} kr, mer än beräknad "
                    f"totalutgift {kr_text(prognos)} kr",
                    file=p.file,
                    line=p.line,
                    code="projekt-over-prognos",
                )
            )
    lines = [Line(p.code, p.name or p.code, show="always") for p in projects]
    lines.append(
        Line("totalt", "Totalt", RowKind.TOTAL, parts=tuple(p.code for p in projects), show="always")
    )
    table = build_table(
        id=TABLE_ID,
        title="Investeringsprojekt",
        columns=columns,
        lines=lines,
        cells=cells,
        unit=unit,
        label_header="Projekt",
        caption="Fleråriga investeringsprojekt: beslutad och beräknad totalutgift, ackumulerat utfall "
        "och årets budget och utfall.",
        sign_convention="Investeringsutgifter som positiva belopp; "
        "avvikelse = beslutad − beräknad totalutgift.",
    )
    return table
