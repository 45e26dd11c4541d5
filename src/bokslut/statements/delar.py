"""Delårsrapport (LKBR 13 kap.): the result per kostnadsslag with budget and prognos.

Columns: budget for the year, utfall to the closing date, the same period last
year, prognos for the year (data/prognos), and avvikelse = budget − prognos (or
the reverse, [delarsrapport] avvikelse). The sign is a per-table setting:
many nämnder show revenue negative and costs positive ([delarsrapport] tecken =
"bokforing"); the table states which it uses.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from bokslut.money import kronor
from bokslut.statements.context import Context
from bokslut.statements.drift import drift_actuals, drift_budget, is_investment_plan
from bokslut.statements.engine import Cell, Line, build_table
from bokslut.statements.interim import with_missing
from bokslut.table import Column, RowKind, Table, Unit


def ekonomiskt_resultat(ctx: Context, unit: Unit) -> Table | None:
    yd = ctx.yd(0)
    if yd is None:
        return None
    ledger_sign = ctx.config.delarsrapport.tecken == "bokforing"
    sign = 1 if ledger_sign else -1
    slag_order = [(k.id, k.rubrik) for k in ctx.config.driftredovisning.kostnadsslag]
    first, second = (
        ("budget", "prognos")
        if ctx.config.delarsrapport.avvikelse == "budget-prognos"
        else ("prognos", "budget")
    )
    columns = [
        Column("budget", f"Budget {ctx.year}"),
        Column("utfall", f"Utfall {yd.cut:%y%m%d}"),
    ]
    prev = ctx.yd(1)
    # A year known only from #RES has whole-year figures, which are not the same period.
    if prev is not None and prev.has_transactions:
        columns.append(Column("utfall_fg", f"Utfall {prev.cut:%y%m%d}"))
    columns += [
        Column("prognos", "Årsprognos"),
        Column("avvikelse", "Avvikelse", derived=(first, "-", second)),
    ]
    cells: dict[str, dict[str, Cell]] = defaultdict(dict)

    def actual(col: str, offset: int) -> None:
        y = ctx.yd(offset)
        if y is None:
            return
        per_slag: dict[str, tuple[int, set[str]]] = {}
        for (_, slag), (amount, accounts) in drift_actuals(ctx, y).items():
            total, accts = per_slag.get(slag, (0, set()))
            per_slag[slag] = (total + amount, accts | accounts)
        for slag, (total, accts) in per_slag.items():
            cells[slag][col] = Cell(kronor(sign * total), ctx.period_filter(y, accts, sign))

    actual("utfall", 0)
    if prev is not None and prev.has_transactions:
        actual("utfall_fg", 1)
    budget: dict[str, int] = defaultdict(int)
    for (_, slag), amount in drift_budget(ctx, ctx.year).items():
        budget[slag] += amount
    prognos: dict[str, int] = defaultdict(int)
    for r in ctx.prognos:
        if r.year != ctx.year or is_investment_plan(ctx, r.account, r.kostnadsslag, r.projekt):
            continue
        prognos_slag = ctx.kostnadsslag_of(r)
        if prognos_slag is not None:
            prognos[prognos_slag] += r.amount
    for slag, amount in budget.items():
        cells[slag]["budget"] = Cell(
            kronor(sign * amount), {"budget": True, "year": ctx.year, "kostnadsslag": slag, "sign": sign}
        )
    for slag, amount in prognos.items():
        cells[slag]["prognos"] = Cell(
            kronor(sign * amount), {"prognos": True, "year": ctx.year, "kostnadsslag": slag, "sign": sign}
        )
    for row in cells.values():
        for c in columns:
            if c.derived is None:
                row.setdefault(c.id, Cell(Decimal(0)))
    missing = {
        cid: note
        for cid, plan, note in (
            ("budget", budget, "ingen budget per kostnadsslag finns i underlaget"),
            ("prognos", prognos, "ingen helårsprognos per kostnadsslag finns i underlaget"),
        )
        if not plan
    }
    lines = [Line(s, rubrik) for s, rubrik in slag_order]
    lines.append(Line("summa", "Summa", RowKind.TOTAL, parts=tuple(s for s, _ in slag_order), show="always"))
    table = build_table(
        id="ekonomiskt_resultat",
        title="Ekonomiskt resultat",
        columns=columns,
        lines=lines,
        cells=cells,
        unit=unit,
        sign_convention=(
            "Intäkter negativa och kostnader positiva (bokföringens tecken); ett negativt "
            "resultat är ett överskott."
            if ledger_sign
            else "Intäkter positiva, kostnader negativa."
        )
        + f" Avvikelse = {first} − {second}.",
    )
    return with_missing(table, missing)
