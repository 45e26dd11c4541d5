"""Driftredovisning (LKBR 10 kap. 1 §, RKR R14) and investeringsredovisning (10 kap. 2 §).

Per verksamhet (the dimension named in [dimensioner]) and kostnadsslag
([driftredovisning]); budget, utfall and avvikelse for this year and last.
Internal items stay in (they are eliminated only in the RR). Amounts in the
report's sign: revenue positive, costs negative.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from bokslut.fieldformat import format_fields
from bokslut.money import kronor
from bokslut.statements.context import Context, is_balance_account
from bokslut.statements.engine import Cell, Line, build_table
from bokslut.statements.facts import Gross, YearData
from bokslut.table import Column, RowKind, Table, Unit

NO_OBJECT = "_utan"
# More verksamheter than a reader can take in one table: the dimension is most likely the
# organisation's ansvar, which belongs under [dimensioner] ansvar with data/organisation.
READABLE_VERKSAMHETER = 500
INVESTMENT_LINES = ("immateriella", "mark_byggnader", "maskiner_inventarier", "ovriga_materiella")


def verksamhet_label(ctx: Context, code: str) -> str:
    if code == NO_OBJECT:
        return "Ej fördelat på verksamhet"
    dim = ctx.config.dimensioner.verksamhet
    name = ctx.config.verksamheter.get(code) or (ctx.facts.objects.get((dim, code), "") if dim else "")
    label = format_fields(ctx.config.driftredovisning.summarubrik, kod=code, namn=name)
    return label.strip() or code


def projekt_label(ctx: Context, code: str) -> str:
    if code == NO_OBJECT:
        return "Övriga investeringar"
    dim = ctx.config.dimensioner.projekt
    return ctx.config.projekt.get(code) or (ctx.facts.objects.get((dim, code), "") if dim else "") or code


def drift_actuals(ctx: Context, yd: YearData) -> dict[tuple[str, str], tuple[int, set[str]]]:
    """(verksamhet, kostnadsslag) -> (öre in ledger sign, accounts), whole period."""
    dim = ctx.config.dimensioner.verksamhet
    out: dict[tuple[str, str], list[Any]] = defaultdict(lambda: [0, set()])
    for account in yd.period:
        if is_balance_account(account):
            continue
        slag = ctx.chart.kostnadsslag.get(account)
        if slag is None:
            continue
        for code, (debit, credit) in _per_object(yd, account, dim):
            v = code or NO_OBJECT
            out[(v, slag)][0] += debit + credit
            out[(v, slag)][1].add(account)
    return {k: (int(v[0]), set(v[1])) for k, v in out.items()}


def _per_object(yd: YearData, account: str, dim: int | None) -> Iterable[tuple[str | None, Gross]]:
    """The account's (debit, credit) per object of ``dim``; without a dimension, its whole flow."""
    if dim is None:
        f = yd.flow(account)
        return [(None, (f.debit, f.credit))]
    return yd.by_object(dim).get(account, {}).items()


def is_investment_plan(
    ctx: Context, account: str | None, kostnadsslag: str | None, projekt: str | None
) -> bool:
    if account is not None:
        return ctx.chart.rad.get(account) in INVESTMENT_LINES
    return kostnadsslag is None and projekt is not None


def drift_budget(ctx: Context, year: int) -> dict[tuple[str, str], int]:
    out: dict[tuple[str, str], int] = defaultdict(int)
    for r in ctx.budget:
        if r.year != year or is_investment_plan(ctx, r.account, r.kostnadsslag, r.projekt):
            continue
        slag = ctx.kostnadsslag_of(r)
        if slag is None:
            continue
        out[(ctx.verksamhet_of(r) or NO_OBJECT, slag)] += r.amount
    return dict(out)


def driftredovisning(ctx: Context, unit: Unit) -> Table | None:
    if ctx.config.dimensioner.verksamhet is None:
        return None
    slag_order = [(k.id, k.rubrik) for k in ctx.config.driftredovisning.kostnadsslag]
    budget_first = ctx.config.driftredovisning.avvikelse == "budget-utfall"
    columns: list[Column] = []
    cells: dict[str, dict[str, Cell]] = {}
    verksamheter: set[str] = set()
    for suffix, off in (("", 0), ("_fg", 1)):
        yd = ctx.yd(off)
        if yd is None:
            continue
        year = ctx.year - off
        actual = drift_actuals(ctx, yd)
        budget = drift_budget(ctx, year)
        b, u, a = f"budget{suffix}", f"utfall{suffix}", f"avvikelse{suffix}"
        if ctx.interim:
            # The period's outcome against the whole year's budget: what is left of the budget,
            # not a deviation; last year's same period beside it, without its budget.
            if off == 0:
                columns += [
                    Column(b, f"Budget {year}"),
                    Column(u, f"Utfall {yd.cut:%y%m%d}"),
                    Column("kvar", "Kvar av budgeten", derived=(b, "-", u)),
                ]
            else:
                columns.append(Column(u, f"Utfall {yd.cut:%y%m%d}"))
        else:
            columns += [
                Column(b, f"Budget {year}"),
                Column(u, f"Utfall {year}"),
                Column(a, "Avvikelse", derived=(b, "-", u) if budget_first else (u, "-", b)),
            ]
        for (v, slag), (amount, accounts) in actual.items():
            verksamheter.add(v)
            cells.setdefault(f"{v}.{slag}", {})[u] = Cell(
                kronor(-amount),
                {
                    **ctx.period_filter(yd, accounts, -1),
                    "objects": [] if v == NO_OBJECT else [f"{ctx.config.dimensioner.verksamhet}:{v}"],
                    "kostnadsslag": slag,
                },
            )
        for (v, slag), amount in budget.items() if not (ctx.interim and off) else ():
            verksamheter.add(v)
            cells.setdefault(f"{v}.{slag}", {})[b] = Cell(
                kronor(-amount),
                {"budget": True, "year": year, "verksamhet": v, "kostnadsslag": slag},
            )
    if not columns:
        return None
    # Rows present in some column get zero in the others (a budget without outcome is news).
    for row_cells in cells.values():
        for c in columns:
            if c.derived is None:
                row_cells.setdefault(c.id, Cell(Decimal(0)))
    lines: list[Line] = []
    sums: list[str] = []
    for v in sorted(verksamheter, key=lambda x: (x == NO_OBJECT, x)):
        ids = [f"{v}.{s}" for s, _ in slag_order]
        lines += [Line(f"{v}.{s}", rubrik, level=1) for s, rubrik in slag_order]
        lines.append(
            Line(
                f"{v}.summa",
                verksamhet_label(ctx, v),
                RowKind.SUBTOTAL,
                parts=tuple(ids),
                show="always",
            )
        )
        sums.append(f"{v}.summa")
    lines.append(Line("totalt", "Totalt", RowKind.TOTAL, parts=tuple(sums), show="always"))
    if len(verksamheter) > READABLE_VERKSAMHETER:
        ctx.findings.append(
            _finding(
                f"driftredovisningen får {len(verksamheter)} verksamheter ur dimension "
                f"{ctx.config.dimensioner.verksamhet} ([dimensioner] verksamhet), {len(lines)} rader: "
                "fler än en läsare kan ta till sig i en tabell. Är dimensionen organisationens "
                "ansvar, ange den som [dimensioner] ansvar med data/organisation, så redovisas "
                "driften per nämnd"
            )
        )
    unknown = {rid.split(".", 1)[1] for rid in cells} - {s for s, _ in slag_order}
    for slag in sorted(unknown):
        ctx.findings.append(
            _finding(
                f"kostnadsslaget '{slag}' används i kontoplanen eller budgeten men saknas i "
                "[driftredovisning] kostnadsslag; det visas inte i driftredovisningen"
            )
        )
    return build_table(
        id="driftredovisning",
        title="Driftredovisning",
        columns=columns,
        lines=lines,
        cells=cells,
        unit=unit,
        label_header="Verksamhet",
        caption=(
            "Driftredovisning per verksamhet: helårsbudget, utfall för perioden och vad som är kvar "
            "av budgeten, med samma period förra året."
            if ctx.interim
            else "Driftredovisning per verksamhet: budget, utfall och avvikelse."
        ),
        sign_convention=(
            "Intäkter positiva, kostnader negativa; kvar av budgeten = budget − utfall för perioden."
            if ctx.interim
            else "Intäkter positiva, kostnader negativa; avvikelse = "
            + ("budget − utfall." if budget_first else "utfall − budget.")
        ),
    )


def _finding(message: str) -> Any:
    from bokslut.diagnostics import warning

    return warning(message, file="bokslut.toml", where="driftredovisning")


def investment_actuals(ctx: Context, yd: YearData) -> dict[str, tuple[int, set[str]]]:
    """projekt -> (gross investment in öre: debits on acquisition-value accounts, accounts)."""
    dim = ctx.config.dimensioner.projekt
    out: dict[str, list[Any]] = defaultdict(lambda: [0, set()])
    for account in yd.period:
        if ctx.chart.rad.get(account) not in INVESTMENT_LINES:
            continue
        if ctx.chart.is_accumulated_depreciation(account) or ctx.chart.is_accumulated_impairment(account):
            continue
        for code, (debit, _) in _per_object(yd, account, dim):
            p = code or NO_OBJECT
            if debit:
                out[p][0] += debit
                out[p][1].add(account)
    return {k: (int(v[0]), set(v[1])) for k, v in out.items()}


def investeringsredovisning(ctx: Context, unit: Unit) -> Table | None:
    yd = ctx.yd(0)
    if yd is None:
        return None
    actual = investment_actuals(ctx, yd)
    budget: dict[str, int] = defaultdict(int)
    prognos: dict[str, int] = defaultdict(int)
    for rows, target in ((ctx.budget, budget), (ctx.prognos, prognos)):
        for r in rows:
            if r.year == ctx.year and is_investment_plan(ctx, r.account, r.kostnadsslag, r.projekt):
                # Investment budgets are outflows; files give them as positive amounts.
                target[ctx.projekt_of(r) or NO_OBJECT] += abs(r.amount)
    if not actual and not budget:
        return None
    projects = sorted(set(actual) | set(budget) | set(prognos), key=lambda x: (x == NO_OBJECT, x))
    cut_label = f"Utfall {yd.cut:%y%m%d}" if ctx.interim else f"Utfall {ctx.year}"
    columns = [Column("budget", f"Budget {ctx.year}"), Column("utfall", cut_label)]
    with_prognos = ctx.interim and bool(prognos)
    if with_prognos:
        columns.append(Column("prognos", "Prognos"))
        columns.append(Column("avvikelse", "Avvikelse", derived=("budget", "-", "prognos")))
    else:
        columns.append(Column("avvikelse", "Avvikelse", derived=("budget", "-", "utfall")))
    cells: dict[str, dict[str, Cell]] = {}
    dim = ctx.config.dimensioner.projekt
    for p in projects:
        amount, accounts = actual.get(p, (0, set()))
        cells[p] = {
            "budget": Cell(kronor(budget.get(p, 0)), {"budget": True, "year": ctx.year, "projekt": p}),
            "utfall": Cell(
                kronor(amount),
                {
                    **ctx.period_filter(yd, accounts, 1),
                    "flows": "debit",
                    "objects": [] if p == NO_OBJECT or dim is None else [f"{dim}:{p}"],
                },
            ),
        }
        if with_prognos:
            cells[p]["prognos"] = Cell(
                kronor(prognos.get(p, 0)), {"prognos": True, "year": ctx.year, "projekt": p}
            )
    lines = [Line(p, projekt_label(ctx, p), show="always") for p in projects]
    lines.append(Line("totalt", "Totalt", RowKind.TOTAL, parts=tuple(projects), show="always"))
    return build_table(
        id="investeringsredovisning",
        title="Investeringsredovisning",
        columns=columns,
        lines=lines,
        cells=cells,
        unit=unit,
        label_header="Projekt",
        sign_convention="Investeringsutgifter som positiva belopp; avvikelse = budget − "
        + ("prognos." if with_prognos else "utfall."),
    )
