"""Resultaträkning (LKBR 5 kap. 2 §): this year and last year, report sign.

A delårsrapport's RR, with budget and prognos, is statements.interim.

Ledger amounts are debit positive; the RR shows revenue positive and costs
negative, so every line is the negated net movement of its accounts. Internal
items ([internt]) are left out here and kept in the driftredovisning.
"""

from __future__ import annotations

from bokslut.statements.context import Context, LineSum, is_balance_account
from bokslut.statements.engine import Cell, build_table, money_cell
from bokslut.statements.specs import RESULTATRAKNING, RR_LEAVES
from bokslut.table import Column, Table, Unit


def rr_line_sums(ctx: Context, offset: int) -> dict[str, LineSum]:
    yd = ctx.yd(offset)
    if yd is None:
        return {}
    return ctx.period_lines(yd, ctx.chart.rad, accept=lambda a: not is_balance_account(a))


def year_columns(ctx: Context) -> list[tuple[str, int]]:
    """(column id, year offset) of the outcome columns present in the ledger."""
    cols = [("utfall", 0)]
    if ctx.yd(1) is not None:
        cols.append(("utfall_fg", 1))
    return cols


def column_label(ctx: Context, offset: int) -> str:
    yd = ctx.yd(offset)
    if ctx.interim and yd is not None:
        return f"{yd.start:%Y-%m-%d}–{yd.cut:%Y-%m-%d}"
    return str(ctx.year - offset)


def resultatrakning(ctx: Context, unit: Unit) -> Table:
    cols = year_columns(ctx)
    columns = [Column(cid, column_label(ctx, off)) for cid, off in cols]
    cells: dict[str, dict[str, Cell]] = {}
    for cid, off in cols:
        yd = ctx.yd(off)
        assert yd is not None
        sums = rr_line_sums(ctx, off)
        for line in RR_LEAVES:
            s = sums.get(line, LineSum())
            cells.setdefault(line, {})[cid] = money_cell(-s.ore, ctx.period_filter(yd, s.accounts, -1))
    return build_table(
        id="resultatrakning",
        title="Resultaträkning",
        columns=columns,
        lines=RESULTATRAKNING,
        cells=cells,
        unit=unit,
        caption="Resultaträkning enligt 5 kap. 2 § LKBR; intäkter positiva, kostnader negativa.",
    )
