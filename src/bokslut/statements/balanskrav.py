"""Balanskravsutredning (KL 11 kap., LKBR 11 kap. 10 §), three years.

Realised and unrealised gains and losses come from the accounts named in
[kontoplan]; the judgements the ledger cannot make (which gains fall under the
exception, reserve movements) come from [balanskrav], per year, in kronor.
"""

from __future__ import annotations

from decimal import Decimal

from bokslut.money import kronor
from bokslut.statements.context import Context, is_balance_account
from bokslut.statements.engine import Cell, build_table
from bokslut.statements.specs import BALANSKRAV
from bokslut.table import Column, Table, Unit


def balanskravsutredning(ctx: Context, unit: Unit) -> Table:
    columns: list[Column] = []
    cells: dict[str, dict[str, Cell]] = {}
    bk = ctx.config.balanskrav
    for off in range(3):
        yd = ctx.yd(off)
        if yd is None:
            continue
        y = str(yd.year)
        cid = f"ar_{y}"
        columns.append(Column(cid, y))
        results = [a for a in yd.period if not is_balance_account(a)]
        gains = [a for a in results if a in ctx.chart.realisationsvinster]
        unreal = [
            a for a in results if a in ctx.chart.orealiserade_vinster or a in ctx.chart.orealiserade_forluster
        ]

        def conf(values: dict[str, Decimal], sign: int, y: str = y) -> Cell:
            v = values.get(y)
            return Cell(
                sign * v if v is not None else Decimal(0),
                {"file": "bokslut.toml", "key": f"balanskrav.{y}"} if v is not None else {},
            )

        cells.setdefault("bk_arets_resultat", {})[cid] = Cell(
            kronor(ctx.year_result(yd)), ctx.period_filter(yd, set(results), -1)
        )
        cells.setdefault("bk_realisationsvinster", {})[cid] = Cell(
            kronor(sum(yd.net(a) for a in gains)), ctx.period_filter(yd, set(gains), 1)
        )
        cells.setdefault("bk_orealiserade", {})[cid] = Cell(
            kronor(sum(yd.net(a) for a in unreal)), ctx.period_filter(yd, set(unreal), 1)
        )
        cells.setdefault("bk_rv_undantag", {})[cid] = conf(bk.realisationsvinster_undantag, 1)
        cells.setdefault("bk_rf_undantag", {})[cid] = conf(bk.realisationsforluster_undantag, 1)
        cells.setdefault("bk_aterforing", {})[cid] = conf(bk.aterforing_orealiserade, 1)
        cells.setdefault("bk_reservering", {})[cid] = conf(bk.reservering_resultatreserv, -1)
        cells.setdefault("bk_anvandning", {})[cid] = conf(bk.anvandning_resultatreserv, 1)
        cells.setdefault("bk_rur_anvandning", {})[cid] = conf(bk.anvandning_resultatutjamningsreserv, 1)
    return build_table(
        id="balanskravsutredning",
        title="Balanskravsutredning",
        columns=columns,
        lines=BALANSKRAV,
        cells=cells,
        unit=unit,
        caption="Balanskravsutredning enligt 11 kap. 10 § LKBR.",
    )
