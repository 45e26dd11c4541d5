"""Delårsrapport (LKBR 13 kap., RKR R17): the interim resultaträkning and the balanskrav prognos.

The interim RR shows, per line, the outcome of the period (the year cut at the
closing date), the same period last year, the budget and the prognos for the whole
year, and avvikelse = prognos − budget (report sign: a positive avvikelse is a
better result than budget). A column the data cannot give — no budget, no prognos,
a previous year with neither vouchers nor #PSALDO — reads "uppgift saknas" in every
row with a footnote for the reader; where the table is placed, `bokslut check`
(checks/interim.py, :func:`missing_inputs`) tells the user which file to add.

The balanskrav prognos is the balanskravsutredning (LKBR 11 kap. 10 §) computed on
the prognosis of the year's result, in place of the annual three-year table.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

from bokslut.diagnostics import Finding, warning
from bokslut.money import kronor
from bokslut.statements.balanskrav import reserve_year
from bokslut.statements.balanskrav_history import History
from bokslut.statements.context import Context, LineSum, is_balance_account
from bokslut.statements.engine import Cell, build_table, money_cell
from bokslut.statements.facts import YearData
from bokslut.statements.plan import PlanRow
from bokslut.statements.resultatrakning import rr_line_sums
from bokslut.statements.specs import BALANSKRAV, RESULTATRAKNING, RR_LEAVES
from bokslut.table import Column, Row, Table, Unit

MISSING = "uppgift saknas"

BUDGET_HINT = (
    "lägg årets budget per konto eller per rad i resultaträkningen i data/budget/ "
    "(kolumnerna ar, konto eller rad, belopp; docs/statements.md) eller som #PBUDGET i huvudboken"
)
PROGNOS_HINT = (
    "lägg helårsprognosen per konto eller per rad i resultaträkningen i data/prognos/ "
    "(kolumnerna ar, konto eller rad, belopp; docs/statements.md)"
)
SAME_PERIOD_HINT = (
    "huvudboken har varken verifikationer eller periodsaldon (#PSALDO) för samma period förra "
    "året; importera förra årets SIE-fil med 'bokslut import'"
)

# What the reader of the report is told under the table (the findings tell the user what to add).
READER_NOTE = {
    "utfall_fg": "bokföringen för samma period förra året finns inte i underlaget",
    "budget": "årets budget finns inte per rad i resultaträkningen",
    "prognos": "ingen helårsprognos per rad i resultaträkningen finns i underlaget",
}

SLAG_BUDGET_HINT = (
    "lägg årets budget per kostnadsslag i data/budget/ (kolumnerna ar, kostnadsslag, belopp; "
    "docs/statements.md) eller per konto"
)
SLAG_PROGNOS_HINT = (
    "lägg helårsprognosen per kostnadsslag i data/prognos/ (kolumnerna ar, kostnadsslag, belopp; "
    "docs/statements.md) eller per konto"
)

# (table, column) -> (the input to add, finding code, what to do).
MISSING_INPUT = {
    ("resultatrakning", "utfall_fg"): ("data/ledger", "delar-samma-period-saknas", SAME_PERIOD_HINT),
    ("resultatrakning", "budget"): ("data/budget", "delar-budget-saknas", BUDGET_HINT),
    ("resultatrakning", "prognos"): ("data/prognos", "delar-prognos-saknas", PROGNOS_HINT),
    ("ekonomiskt_resultat", "budget"): ("data/budget", "delar-budget-saknas", SLAG_BUDGET_HINT),
    ("ekonomiskt_resultat", "prognos"): ("data/prognos", "delar-prognos-saknas", SLAG_PROGNOS_HINT),
}


def missing_inputs(table: Table) -> list[Finding]:
    """A warning per column of ``table`` that reads "uppgift saknas" for want of an input."""
    out: list[Finding] = []
    for col in table.columns:
        spec = MISSING_INPUT.get((table.id, col.id))
        if spec is None or not table.rows or any(r.values.get(col.id) != MISSING for r in table.rows):
            continue
        folder, code, hint = spec
        out.append(
            warning(
                f"kolumnen '{col.label}' i tabellen {table.title} visas som '{MISSING}': {hint}",
                file=folder,
                where=f"{table.id}/{col.id}",
                code=code,
            )
        )
    return out


def plan_rr_lines(ctx: Context, rows: Sequence[PlanRow], year: int) -> dict[str, LineSum]:
    """Budget or prognos rows of ``year`` per RR line: by account (the chart's line) or by `rad`."""
    out: dict[str, list[Any]] = defaultdict(lambda: [0, set()])
    leaves = set(RR_LEAVES)
    for r in rows:
        if r.year != year:
            continue
        if r.rad is not None:
            out[r.rad][0] += r.amount
            continue
        if r.account is None or is_balance_account(r.account) or ctx.is_internal(r.account, r.objects):
            continue
        line = ctx.chart.rad.get(r.account)
        if line is None or line not in leaves:
            continue
        out[line][0] += r.amount
        out[line][1].add(r.account)
    return {k: LineSum(v[0], frozenset(v[1])) for k, v in out.items()}


def _month_end(yd: YearData) -> bool:
    return yd.cut.day == calendar.monthrange(yd.cut.year, yd.cut.month)[1]


def same_period_last_year(ctx: Context) -> tuple[dict[str, LineSum], dict[str, Any]] | None:
    """The previous year's RR leaves cut at the same day, or None when the ledger cannot say.

    Vouchers give it for any closing date. A year known only from a newer file's #RES has
    whole-year figures, which are not the period; its #PSALDO months give the period when
    the closing date is a month's last day.
    """
    prev = ctx.yd(1)
    if prev is None:
        return None
    if prev.has_transactions:
        sums = rr_line_sums(ctx, 1)
        return sums, {"from": prev.start.isoformat(), "to": prev.cut.isoformat()}
    if not prev.psaldo or not _month_end(prev):
        return None
    last = prev.cut.year * 100 + prev.cut.month
    first = prev.start.year * 100 + prev.start.month
    out: dict[str, list[Any]] = defaultdict(lambda: [0, set()])
    for account, months in prev.psaldo.items():
        if is_balance_account(account) or account in ctx.chart.internal_accounts:
            continue
        line = ctx.chart.rad.get(account)
        if line is None:
            continue
        out[line][0] += sum(v for p, v in months.items() if first <= p <= last)
        out[line][1].add(account)
    sums = {k: LineSum(v[0], frozenset(v[1])) for k, v in out.items()}
    return sums, {"psaldo": True, "from": prev.start.isoformat(), "to": prev.cut.isoformat()}


def with_missing(table: Table, missing: Mapping[str, str]) -> Table:
    """Every row of the ``missing`` columns (column -> a note for the reader) reads
    "uppgift saknas", sums and avvikelse too."""
    if not missing:
        return table
    derived = [c.id for c in table.columns if c.derived is not None and set(c.derived) & set(missing)]
    blank = set(missing) | set(derived)
    rows: list[Row] = []
    for r in table.rows:
        values = dict(r.values)
        for cid in blank:
            values[cid] = MISSING
        sources = {k: v for k, v in r.sources.items() if k not in blank}
        rows.append(replace(r, values=values, sources=sources))
    notes = tuple(f"{table.column(cid).label}: {MISSING} – {note}." for cid, note in missing.items())
    return replace(table, rows=tuple(rows), footnotes=table.footnotes + notes)


def interim_resultatrakning(ctx: Context, unit: Unit) -> Table:
    """The RR of a delårsrapport (LKBR 13 kap. 3 §); a column the data cannot fill reads
    "uppgift saknas" (:func:`missing_inputs` turns that into findings where it is shown)."""
    yd = ctx.yd(0)
    assert yd is not None  # compute() returns early without the report year
    year = ctx.year
    columns = [
        Column("utfall", f"{yd.start:%Y-%m-%d}–{yd.cut:%Y-%m-%d}"),
        Column("utfall_fg", _prev_label(ctx, yd)),
        Column("budget", f"Budget {year}"),
        Column("prognos", f"Prognos {year}"),
        Column("avvikelse", "Avvikelse", derived=("prognos", "-", "budget")),
    ]
    cells: dict[str, dict[str, Cell]] = {line: {} for line in RR_LEAVES}
    for line, s in rr_line_sums(ctx, 0).items():
        if line in cells:
            cells[line]["utfall"] = money_cell(-s.ore, ctx.period_filter(yd, s.accounts, -1))
    missing: dict[str, str] = {}
    last_year = same_period_last_year(ctx)
    if last_year is None:
        missing["utfall_fg"] = READER_NOTE["utfall_fg"]
    else:
        sums, period = last_year
        for line, s in sums.items():
            if line in cells:
                flt = {"accounts": sorted(s.accounts), **period, "sign": -1}
                cells[line]["utfall_fg"] = money_cell(-s.ore, flt)
    for cid, rows in (("budget", ctx.budget), ("prognos", ctx.prognos)):
        plan = plan_rr_lines(ctx, rows, year)
        if not plan:
            missing[cid] = READER_NOTE[cid]
            continue
        for line, s in plan.items():
            cells[line][cid] = money_cell(
                -s.ore,
                {cid: True, "year": year, "accounts": sorted(s.accounts), "rad": line, "sign": -1},
            )
    for line_cells in cells.values():
        for c in columns:
            if c.derived is None and c.id not in missing:
                line_cells.setdefault(c.id, Cell(Decimal(0)))
    table = build_table(
        id="resultatrakning",
        title="Resultaträkning",
        columns=columns,
        lines=RESULTATRAKNING,
        cells=cells,
        unit=unit,
        caption=(
            "Resultaträkning för perioden enligt 13 kap. 3 § LKBR: utfall för perioden och samma "
            "period förra året, budget och prognos för hela året; intäkter positiva, kostnader negativa."
        ),
        sign_convention="Avvikelse = prognos − budget; ett positivt tal är ett bättre resultat än budget.",
    )
    return with_missing(table, missing)


def _prev_label(ctx: Context, yd: YearData) -> str:
    """ "2022-01-01–2022-08-31": last year's period, also when the ledger does not have it."""
    prev = ctx.yd(1)
    if prev is not None:
        return f"{prev.start:%Y-%m-%d}–{prev.cut:%Y-%m-%d}"
    start, cut = yd.start.replace(year=yd.start.year - 1), yd.cut
    try:
        cut = cut.replace(year=cut.year - 1)
    except ValueError:  # 29 February
        cut = cut.replace(year=cut.year - 1, day=28)
    return f"{start:%Y-%m-%d}–{cut:%Y-%m-%d}"


# The prognos version of the balanskravsutredning: the same lines, named for the prognos so that
# a figure in the text (v.balanskravsresultat_prognos) finds its cell.
_PROGNOS_QUANTITY = {
    "resultat_efter_balanskravsjusteringar": "resultat_efter_balanskravsjusteringar_prognos",
    "balanskravsresultat": "balanskravsresultat_prognos",
}
BALANSKRAV_PROGNOS = tuple(
    replace(line, quantity=_PROGNOS_QUANTITY.get(line.quantity or "", line.quantity)) for line in BALANSKRAV
)


def balanskrav_prognos(ctx: Context, unit: Unit, rr: Table, history: History | None = None) -> Table:
    """Balanskravsutredning for the whole year on the prognosis (KL 11 kap., LKBR 11 kap. 10 §).

    Årets resultat is the RR's prognos. Realised gains and unrealised changes are the
    prognos file's rows on those accounts when the prognos is made per account, otherwise
    what the ledger has booked so far (a gain realised stays realised). The judgements —
    exceptions and reserve movements — are [balanskrav] (and data/balanskrav.yaml's
    reserve decisions) for the report year.
    """
    yd = ctx.yd(0)
    assert yd is not None
    year = str(ctx.year)
    column = Column("prognos", f"Prognos {year}")
    result = rr.value("arets_resultat", "prognos")
    if not isinstance(result, Decimal):
        table = build_table(
            id="balanskrav_prognos",
            title="Balanskravsutredning, prognos för helåret",
            columns=[column],
            lines=BALANSKRAV_PROGNOS,
            cells={},
            unit=unit,
        )
        return with_missing(table, {"prognos": READER_NOTE["prognos"]})
    prognos_accounts = [r for r in ctx.prognos if r.year == ctx.year and r.account is not None]

    def booked_or_forecast(accounts: set[str], sign: int) -> Cell:
        if prognos_accounts:
            rows = [r for r in prognos_accounts if r.account in accounts]
            total = sum(r.amount for r in rows)
            flt = {"prognos": True, "year": ctx.year, "accounts": sorted({r.account or "" for r in rows})}
            return Cell(kronor(sign * total), {**flt, "sign": sign})
        booked = {a for a in yd.period if a in accounts}
        return Cell(kronor(sign * sum(yd.net(a) for a in booked)), ctx.period_filter(yd, booked, sign))

    results = {a for a in yd.accounts() if not is_balance_account(a)}
    results |= {r.account for r in prognos_accounts if r.account is not None}
    results = {a for a in results if not is_balance_account(a)}
    gains = {a for a in results if a in ctx.chart.realisationsvinster}
    unreal = {
        a for a in results if a in ctx.chart.orealiserade_vinster or a in ctx.chart.orealiserade_forluster
    }
    bk = ctx.config.balanskrav

    def conf(values: dict[str, Decimal], sign: int) -> Cell:
        v = values.get(year)
        return Cell(
            sign * v if v is not None else Decimal(0),
            {"file": "bokslut.toml", "key": f"balanskrav.{year}"} if v is not None else {},
        )

    # The RR's cell, named (the same quantity: rounding shows one number for both).
    rr_cell = {"tabell": "resultatrakning", "rad": "arets_resultat", "kolumn": "prognos"}
    cells: dict[str, dict[str, Cell]] = {
        "bk_arets_resultat": {"prognos": Cell(result, rr_cell)},
        "bk_realisationsvinster": {"prognos": booked_or_forecast(gains, 1)},
        "bk_orealiserade": {"prognos": booked_or_forecast(unreal, 1)},
        "bk_rv_undantag": {"prognos": conf(bk.realisationsvinster_undantag, 1)},
        "bk_rf_undantag": {"prognos": conf(bk.realisationsforluster_undantag, 1)},
        "bk_aterforing": {"prognos": conf(bk.aterforing_orealiserade, 1)},
    }
    reserve, findings = reserve_year(ctx, history if history is not None else History(), ctx.year)
    ctx.findings += findings
    for line, cell in reserve.cells().items():
        cells[line] = {"prognos": cell}
    return build_table(
        id="balanskrav_prognos",
        title="Balanskravsutredning, prognos för helåret",
        columns=[column],
        lines=BALANSKRAV_PROGNOS,
        cells=cells,
        unit=unit,
        caption=("Balanskravsutredning enligt 11 kap. 10 § LKBR beräknad på prognosen för årets resultat."),
    )
