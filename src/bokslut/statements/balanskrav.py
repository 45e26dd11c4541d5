"""Balanskravsutredning (KL 11 kap., LKBR 11 kap. 10 §), three years.

Realised and unrealised gains and losses come from the accounts named in
[kontoplan]; the judgements the ledger cannot make (which gains fall under the
exception) come from [balanskrav], per year, in kronor; reservations to and uses of
the reserve from [balanskrav] or data/balanskrav.yaml (with fullmäktige's decision).
The reserve is named by year: the resultatutjämningsreserv until 2023, the
resultatreserv from 2024 (SFS 2023:643), when an old resultatutjämningsreserv can
still be used but no longer added to.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from bokslut.diagnostics import Finding, error
from bokslut.money import kronor
from bokslut.statements.balanskrav_history import FIRST_RESULTATRESERV_YEAR, History, Movement
from bokslut.statements.context import Context, is_balance_account
from bokslut.statements.engine import Cell, build_table
from bokslut.statements.specs import BALANSKRAV
from bokslut.table import Column, Table, Unit

# The reserve lines of the table: (line, sign in the table).
RESERVE_LINES = {
    "bk_reservering": -1,
    "bk_anvandning": 1,
    "bk_rur_reservering": -1,
    "bk_rur_anvandning": 1,
}


@dataclass(frozen=True)
class ReserveYear:
    """One year's reservations and uses (kronor, positive) and what they rest on."""

    year: int
    amounts: dict[str, Decimal]  # line -> amount
    sources: dict[str, dict[str, Any]]  # line -> drill-down filter
    movements: dict[str, Movement]  # line -> the decision in data/balanskrav.yaml, if there

    def cells(self) -> dict[str, Cell]:
        return {
            line: Cell(sign * self.amounts.get(line, Decimal(0)), self.sources.get(line, {}))
            for line, sign in RESERVE_LINES.items()
        }

    @property
    def reservation(self) -> Decimal:
        return self.amounts.get("bk_reservering", Decimal(0)) + self.amounts.get(
            "bk_rur_reservering", Decimal(0)
        )

    @property
    def use(self) -> Decimal:
        return self.amounts.get("bk_anvandning", Decimal(0)) + self.amounts.get(
            "bk_rur_anvandning", Decimal(0)
        )


def reserve_year(ctx: Context, history: History, year: int) -> tuple[ReserveYear, list[Finding]]:
    """The reserve movements of ``year`` from [balanskrav] and data/balanskrav.yaml.

    Until 2023 every reservation and use is the resultatutjämningsreserv's, whatever key
    bokslut.toml names it by (the resultatreserv did not exist). The same movement given
    twice with different amounts is an error; the file's amount (with its decision) wins.
    """
    bk = ctx.config.balanskrav
    y = str(year)
    hy = history.year(year)
    old = year < FIRST_RESULTATRESERV_YEAR

    def toml(values: dict[str, Decimal], key: str) -> tuple[Decimal, dict[str, Any], str] | None:
        v = values.get(y)
        if v is None:
            return None
        return (
            v,
            {"file": "bokslut.toml", "key": f"balanskrav.{key}.{y}"},
            f"bokslut.toml ([balanskrav] {key})",
        )

    def yaml(m: Movement | None, key: str) -> tuple[Decimal, dict[str, Any], str] | None:
        if m is None:
            return None
        return m.amount, {"file": history.file, "line": m.line}, f"{history.file} (ar.{year}.{key})"

    rur_in = [
        toml(bk.reservering_resultatutjamningsreserv, "reservering_resultatutjamningsreserv"),
    ]
    rer_in = [toml(bk.reservering_resultatreserv, "reservering_resultatreserv")]
    rer_out = [toml(bk.anvandning_resultatreserv, "anvandning_resultatreserv")]
    rur_out = [toml(bk.anvandning_resultatutjamningsreserv, "anvandning_resultatutjamningsreserv")]
    file_in = yaml(hy.reservation if hy else None, "reservering")
    file_out = yaml(hy.use if hy else None, "anvandning")
    file_rur_out = yaml(hy.use_rur if hy else None, "anvandning_resultatutjamningsreserv")
    movements: dict[str, Movement] = {}
    if old:
        candidates = {
            "bk_rur_reservering": [file_in, *rur_in, *rer_in],
            "bk_rur_anvandning": [file_out, *rur_out, *rer_out],
        }
        if hy is not None and hy.reservation is not None:
            movements["bk_rur_reservering"] = hy.reservation
        if hy is not None and hy.use is not None:
            movements["bk_rur_anvandning"] = hy.use
    else:
        candidates = {
            "bk_reservering": [file_in, *rer_in],
            "bk_anvandning": [file_out, *rer_out],
            "bk_rur_reservering": list(rur_in),
            "bk_rur_anvandning": [file_rur_out, *rur_out],
        }
        if hy is not None:
            for line, m in (
                ("bk_reservering", hy.reservation),
                ("bk_anvandning", hy.use),
                ("bk_rur_anvandning", hy.use_rur),
            ):
                if m is not None:
                    movements[line] = m
    findings: list[Finding] = []
    amounts: dict[str, Decimal] = {}
    sources: dict[str, dict[str, Any]] = {}
    for line, given in candidates.items():
        present = [g for g in given if g is not None]
        if not present:
            continue
        amount, source, _ = present[0]
        if any(g[0] != amount for g in present[1:]):
            shown = ", ".join(f"{g[2]}: {g[0]} kr" for g in present)
            findings.append(
                error(
                    f"{_label(line)} {year} anges med olika belopp ({shown}); ange beloppet på ett "
                    f"ställe – {present[0][2]} används",
                    file=str(source["file"]),
                    line=source.get("line"),
                    code="balanskrav-indata",
                )
            )
        amounts[line] = amount
        sources[line] = source
    if not old and amounts.get("bk_rur_reservering"):
        findings.append(
            error(
                f"från {FIRST_RESULTATRESERV_YEAR} kan inget reserveras till resultatutjämningsreserven "
                f"(den har ersatts av resultatreserven, SFS 2023:643): reservering_resultatutjamningsreserv "
                f"för {year} räknas inte",
                file="bokslut.toml",
                code="balanskrav-indata",
            )
        )
        amounts.pop("bk_rur_reservering")
        sources.pop("bk_rur_reservering")
    return ReserveYear(year, amounts, sources, movements), findings


def _label(line: str) -> str:
    return next(x.label for x in BALANSKRAV if x.id == line)


def balanskravsutredning(ctx: Context, unit: Unit, history: History | None = None) -> Table:
    history = history if history is not None else History()
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
        reserve, findings = reserve_year(ctx, history, yd.year)
        ctx.findings += findings
        for line, cell in reserve.cells().items():
            cells.setdefault(line, {})[cid] = cell
    return build_table(
        id="balanskravsutredning",
        title="Balanskravsutredning",
        columns=columns,
        lines=BALANSKRAV,
        cells=cells,
        unit=unit,
        caption="Balanskravsutredning enligt 11 kap. 10 § LKBR.",
    )
