"""Balansräkning (LKBR 6 kap. 2 §) at the closing date and at the previous year-end.

Assets are shown with the ledger's sign, equity and liabilities negated. The
equity block depends on the fiscal year: until 2023 "Årets resultat /
Resultatutjämningsreserv / Övrigt eget kapital", from 2024 the form of
SFS 2023:643 with "Eget kapital vid årets början … varav resultatreserv".
"""

from __future__ import annotations

from bokslut.statements.context import Context, LineSum, is_balance_account
from bokslut.statements.engine import Cell, build_table, money_cell
from bokslut.statements.facts import YearData
from bokslut.statements.specs import (
    BR_ASSET_LINES,
    BR_ASSETS,
    BR_EQUITY_NEW,
    BR_EQUITY_OLD,
    BR_LIABILITIES,
    BR_LIABILITY_LINES,
)
from bokslut.table import Column, Table, Unit


def br_columns(ctx: Context) -> list[tuple[str, YearData, bool]]:
    """(column id, year, at cut?): the closing date, and the previous year-end."""
    out: list[tuple[str, YearData, bool]] = []
    yd = ctx.yd(0)
    if yd is not None:
        out.append(("utfall", yd, True))
    prev = ctx.yd(1)
    if prev is not None:
        out.append(("utfall_fg", prev, False))
    return out


def closing(yd: YearData, account: str, at_cut: bool) -> int:
    if at_cut:
        return yd.balance_at_cut(account)
    return yd.balance_at_cut(account) + yd.after_cut.get(account, 0)


def equity_parts(ctx: Context, yd: YearData, at_cut: bool) -> dict[str, LineSum]:
    """Equity split for the block: reserves, the rest, the opening equity (öre, report sign)."""
    rer: set[str] = set()
    rur: set[str] = set()
    other: set[str] = set()
    for a in yd.accounts():
        if ctx.chart.rad.get(a) != "eget_kapital":
            continue
        if a in ctx.chart.resultatreserv:
            rer.add(a)
        elif a in ctx.chart.resultatutjamningsreserv:
            rur.add(a)
        else:
            other.add(a)

    def tot(accts: set[str], opening: bool) -> LineSum:
        amount = sum(yd.opening(a) if opening else closing(yd, a, at_cut) for a in accts)
        return LineSum(-amount, frozenset(accts))

    return {
        "rer_ib": tot(rer, True),
        "rur_ib": tot(rur, True),
        "other_ib": tot(other, True),
        "rer_ub": tot(rer, False),
        "rur_ub": tot(rur, False),
        "other_ub": tot(other, False),
    }


def year_result_to(ctx: Context, yd: YearData, at_cut: bool) -> tuple[int, frozenset[str]]:
    accounts = frozenset(a for a in yd.accounts() if not is_balance_account(a))
    total = -sum(closing(yd, a, at_cut) - yd.opening(a) for a in accounts)
    return total, accounts


def balansrakning(ctx: Context, unit: Unit) -> Table:
    columns: list[Column] = []
    cells: dict[str, dict[str, Cell]] = {}
    new_block = ctx.year >= 2024
    for cid, yd, at_cut in br_columns(ctx):
        label = f"{yd.cut:%Y-%m-%d}" if ctx.interim else str(yd.year)
        if not at_cut or not ctx.interim:
            label = f"{yd.end:%Y-%m-%d}" if ctx.interim else str(yd.year)
        columns.append(Column(cid, label))
        date = yd.cut if at_cut else yd.end
        flt_base = {"balance_at": date.isoformat()}
        sums: dict[str, tuple[int, set[str]]] = {}
        for a in yd.accounts():
            if not is_balance_account(a):
                continue
            line = ctx.chart.rad.get(a)
            if line is None:
                continue
            amount, accts = sums.get(line, (0, set()))
            sums[line] = (amount + closing(yd, a, at_cut), accts | {a})
        for line in BR_ASSET_LINES:
            amount, accts = sums.get(line, (0, set()))
            cells.setdefault(line, {})[cid] = money_cell(
                amount, {**flt_base, "accounts": sorted(accts), "sign": 1}
            )
        for line in BR_LIABILITY_LINES:
            amount, accts = sums.get(line, (0, set()))
            cells.setdefault(line, {})[cid] = money_cell(
                -amount, {**flt_base, "accounts": sorted(accts), "sign": -1}
            )
        eq = equity_parts(ctx, yd, at_cut)
        result, result_accounts = year_result_to(ctx, yd, at_cut)
        result_flt = {
            "accounts": sorted(result_accounts),
            "from": yd.start.isoformat(),
            "to": date.isoformat(),
            "sign": -1,
        }

        def put(row: str, s: LineSum, cid: str = cid, flt_base: dict[str, str] = flt_base) -> None:
            cells.setdefault(row, {})[cid] = money_cell(
                s.ore, {**flt_base, "accounts": sorted(s.accounts), "sign": -1}
            )

        cells.setdefault("ek_arets_resultat", {})[cid] = money_cell(result, result_flt)
        if new_block:
            opening = LineSum(
                eq["rer_ib"].ore + eq["rur_ib"].ore + eq["other_ib"].ore,
                eq["rer_ib"].accounts | eq["rur_ib"].accounts | eq["other_ib"].accounts,
            )
            put("ek_ingaende", opening)
            if ctx.chart.resultatreserv.prefixes:
                put("ek_ingaende_resultatreserv", eq["rer_ib"])
                put("ek_utgaende_resultatreserv", eq["rer_ub"])
            put("ek_ingaende_rur", eq["rur_ib"])
            put("ek_utgaende_rur", eq["rur_ub"])
            # Movements on equity accounts during the year (other than the result) are
            # not part of "vid årets början"; they are flagged by the checks.
        else:
            put("ek_resultatutjamningsreserv", eq["rur_ub"])
            put(
                "ek_ovrigt",
                LineSum(
                    eq["other_ub"].ore + eq["rer_ub"].ore,
                    eq["other_ub"].accounts | eq["rer_ub"].accounts,
                ),
            )
    lines = BR_ASSETS + (BR_EQUITY_NEW if new_block else BR_EQUITY_OLD) + BR_LIABILITIES
    return build_table(
        id="balansrakning",
        title="Balansräkning",
        columns=columns,
        lines=lines,
        cells=cells,
        unit=unit,
        caption="Balansräkning enligt 6 kap. 2 § LKBR.",
    )
