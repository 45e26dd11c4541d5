"""Driftredovisning per nämnd (LKBR 10:1, RKR R14): netto per unit of data/organisation.

Rows at the level ``[driftredovisning] niva`` chooses, each higher level the sum of
the one below, so the nämnder add up to the total. Only the accounts of
verksamhetens nettokostnader (the RR's verksamhetens intäkter, kostnader and
avskrivningar) count; internal items stay in, as in every driftredovisning, so
the total is the RR's verksamhetens nettokostnader exactly when the internal
items cancel out (`bokslut check` says when they do not). Outcome on ansvar the
organisation does not name, or on no ansvar at all, is an "Ej fördelat" row and
a warning naming the objects and the sum. An annual report shows budget, utfall
and avvikelse for this year and last; a delårsrapport budget, utfall to the
closing date, the full-year prognos (entered per ansvar, rolled up) and avvikelse
prognos mot budget. A ram (kommunbidrag) per nämnd is the budget of a nämnd row
when no budget per ansvar is given.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

import numpy as np

from bokslut.diagnostics import Finding, notice, warning
from bokslut.money import kronor
from bokslut.statements.context import Context, is_balance_account
from bokslut.statements.drift import NO_OBJECT, is_investment_plan
from bokslut.statements.engine import Cell, Line, build_table
from bokslut.statements.facts import YearData, group_sums, object_of
from bokslut.statements.organisation import LEVELS, KeyedAmount, Organisation, OrgInputs
from bokslut.statements.organisation import kr_text as _kr
from bokslut.statements.plan import PlanRow
from bokslut.statements.specs import RESULTATRAKNING
from bokslut.table import CellRef, Column, Identity, RowKind, Table, Unit

TABLE_ID = "driftredovisning_namnd"
UNASSIGNED = "ej_fordelat"
VNK = "verksamhetens_nettokostnader"
VNK_LINES = next(line.parts for line in RESULTATRAKNING if line.id == VNK)


def ansvar_dimension(ctx: Context) -> int | None:
    d = ctx.config.dimensioner
    return d.ansvar if d.ansvar is not None else d.verksamhet


@dataclass
class _Sums:
    """Report-sign öre per leaf row, and what went into it (for drill-down and findings)."""

    ore: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    accounts: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    codes: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    seen: set[str] = field(default_factory=set)  # leaves with any input, zero included

    def add(self, leaf: str, ore: int, code: str, account: str | None = None) -> None:
        self.ore[leaf] += ore
        self.codes[leaf].add(code)
        self.seen.add(leaf)
        if account is not None:
            self.accounts[leaf].add(account)


def _leaf_of(org: Organisation, niva: str, code: str) -> str:
    aid = org.ansvar.get(code)
    return UNASSIGNED if aid is None else org.ancestor(aid, niva)


def _actuals(
    ctx: Context, yd: YearData, org: Organisation, niva: str, dim: int, leaves: dict[str, str]
) -> tuple[_Sums, dict[str, int]]:
    """Outcome per leaf, and per code that has no place in the organisation. ``leaves`` (code ->
    leaf) is shared by the years. Over columns: a region's year has 900 000 (account, ansvar)
    pairs, each visited once by numpy rather than by Python."""
    rows = yd.object_rows(dim)
    counted = np.array(
        [not is_balance_account(a) and ctx.chart.rad.get(a) in VNK_LINES for a in rows.accounts], dtype=bool
    )
    account = rows.account()
    picked = np.flatnonzero(counted[account])
    account, obj = account[picked], rows.obj[picked]
    codes = [o or NO_OBJECT for o in rows.objects]
    for code in codes:
        if code not in leaves:
            leaves[code] = _leaf_of(org, niva, code)
    names = list(dict.fromkeys(leaves[c] for c in codes))
    number = {leaf: i for i, leaf in enumerate(names)}
    leaf_of_obj = np.array([number[leaves[c]] for c in codes], dtype=np.int64)
    leaf = leaf_of_obj[obj]
    net = rows.debit[picked] + rows.credit[picked]
    sums = _Sums()
    ore = group_sums(leaf, net, len(names))
    for i in _present(leaf, len(names)):
        sums.ore[names[i]] = -ore[i]
        sums.seen.add(names[i])
    for o in _present(obj, len(codes)):
        sums.codes[leaves[codes[o]]].add(codes[o])
    n = len(rows.accounts)
    for pair in _present(leaf * n + account, len(names) * n):
        sums.accounts[names[pair // n]].add(rows.accounts[pair % n])
    lost: dict[str, int] = {}
    if UNASSIGNED in number:
        mine = leaf == number[UNASSIGNED]
        per_obj = group_sums(obj[mine], net[mine], len(codes))
        for o in _present(obj[mine], len(codes)):  # an object "" and none are both NO_OBJECT
            lost[codes[o]] = lost.get(codes[o], 0) - per_obj[o]
    return sums, lost


def _present(values: np.ndarray, below: int) -> list[int]:
    """The distinct values of ``values`` (each in ``range(below)``), in order."""
    if below <= 4 * len(values) + 1024:  # counting is linear; sorting only when the range is wide
        counted: list[int] = np.flatnonzero(np.bincount(values, minlength=below)).tolist()
        return counted
    distinct: list[int] = np.unique(values).tolist()
    return distinct


def plan_ansvar(ctx: Context, r: PlanRow, dim: int) -> str | None:
    """The ansvar a budget or prognos row counts for in the table per nämnd (NO_OBJECT: none
    named), or None when the row is not in the table (investments, lines outside VNK)."""
    if is_investment_plan(ctx, r.account, r.kostnadsslag, r.projekt):
        return None
    if r.account is not None:
        if ctx.chart.rad.get(r.account) not in VNK_LINES:
            return None
        return object_of(r.objects, dim) or NO_OBJECT
    if r.verksamhet is not None and dim == ctx.config.dimensioner.verksamhet:
        return r.verksamhet
    return None


def _plan(
    ctx: Context,
    rows: Iterable[Any],
    keyed: Iterable[KeyedAmount],
    year: int,
    org: Organisation,
    niva: str,
    dim: int,
) -> tuple[_Sums, list[KeyedAmount]]:
    """Budget or prognos per leaf: plan rows naming an ansvar object, and the per-ansvar file."""
    sums = _Sums()
    unknown: list[KeyedAmount] = []
    for r in rows:
        if r.year != year:
            continue
        code = plan_ansvar(ctx, r, dim)
        if code is None:
            continue
        sums.add(_leaf_of(org, niva, code), -r.amount, code)
    for k in keyed:
        if k.year != year:
            continue
        leaf = _leaf_of(org, niva, k.key)
        if leaf == UNASSIGNED:
            unknown.append(k)
        sums.add(leaf, k.ore, k.key)
    return sums, unknown


def _lines(org: Organisation, niva: str) -> list[Line]:
    depth_of = {lvl: i for i, lvl in enumerate(reversed(LEVELS))}  # namnd 0 … ansvar 3
    out: list[Line] = []

    def emit(unit_id: str) -> None:
        unit = org.units[unit_id]
        depth = depth_of[unit.level]
        show = "always" if unit.level == "namnd" else "nonzero"
        if unit.level == niva:
            out.append(Line(unit.id, unit.name, level=depth, show=show))
            return
        below = LEVELS[LEVELS.index(unit.level) - 1]
        kids = [c.id for c in org.children(unit.id, below)]
        for kid in kids:
            emit(kid)
        out.append(Line(unit.id, unit.name, RowKind.SUBTOTAL, parts=tuple(kids), level=depth, show=show))

    for n in org.children(None, "namnd"):
        emit(n.id)
    return out


def driftredovisning_namnd(ctx: Context, unit: Unit, inputs: OrgInputs) -> Table | None:
    org = inputs.organisation
    dim = ansvar_dimension(ctx)
    if org is None:
        return None
    if dim is None:
        ctx.findings.append(
            warning(
                "data/organisation finns men ingen dimension för ansvar: ange [dimensioner] ansvar "
                "(eller verksamhet) i bokslut.toml; driftredovisningen per nämnd visas inte",
                file="bokslut.toml",
                code="organisation-dimension",
            )
        )
        return None
    niva = ctx.config.driftredovisning.niva
    budget_first = ctx.config.driftredovisning.avvikelse == "budget-utfall"
    namnd_by_name = {u.name.casefold(): u.id for u in org.units.values() if u.level == "namnd"}
    columns: list[Column] = []
    cells: dict[str, dict[str, Cell]] = defaultdict(dict)
    offsets = (0,) if ctx.interim else (0, 1)
    leaves: dict[str, str] = {}
    for off in offsets:
        yd = ctx.yd(off)
        if yd is None:
            continue
        year = ctx.year - off
        s = "" if off == 0 else "_fg"
        b, u, a = f"budget{s}", f"utfall{s}", f"avvikelse{s}"
        actual, lost = _actuals(ctx, yd, org, niva, dim, leaves)
        budget, unknown_budget = _plan(ctx, ctx.budget, inputs.budget, year, org, niva, dim)
        _ram(ctx, inputs.ram, year, org, niva, namnd_by_name, budget)
        label_u = f"Utfall {yd.cut:%y%m%d}" if ctx.interim else f"Utfall {year}"
        columns += [Column(b, f"Budget {year}"), Column(u, label_u)]
        if ctx.interim:
            prognos, unknown_prognos = _plan(ctx, ctx.prognos, inputs.prognos, year, org, niva, dim)
            columns.append(Column("prognos", f"Prognos {year}"))
            derived = (b, "-", "prognos") if budget_first else ("prognos", "-", b)
            columns.append(Column("avvikelse", "Avvikelse", derived=derived))
            _put(cells, "prognos", prognos, {"prognos": True, "year": year, "dimension": dim})
            if not prognos.seen:
                ctx.findings.append(
                    notice(
                        "delårsrapporten saknar prognos per ansvar (data/prognos-ansvar.csv eller "
                        "prognosrader med ansvarsobjekt); prognoskolumnen per nämnd visar 0",
                        file="data",
                        code="organisation-prognos-saknas",
                    )
                )
            unknown_budget += unknown_prognos
        else:
            columns.append(Column(a, "Avvikelse", derived=(b, "-", u) if budget_first else (u, "-", b)))
        for leaf, ore in actual.ore.items():
            cells[leaf][u] = Cell(
                kronor(ore),
                {
                    **ctx.period_filter(yd, actual.accounts[leaf], -1),
                    "objects": sorted(f"{dim}:{c}" for c in actual.codes[leaf] if c != NO_OBJECT),
                },
            )
        _put(cells, b, budget, {"budget": True, "year": year, "dimension": dim})
        ctx.findings += _unassigned_findings(lost, year, dim, org.file, unknown_budget)
    if not columns:
        return None
    for row_cells in cells.values():
        for c in columns:
            if c.derived is None:
                row_cells.setdefault(c.id, Cell(Decimal(0)))
    lines = _lines(org, niva)
    namnder = [n.id for n in org.children(None, "namnd")]
    lines.append(Line(UNASSIGNED, "Ej fördelat", level=0))
    lines.append(Line("totalt", "Summa nämnder", RowKind.TOTAL, parts=(*namnder, UNASSIGNED), show="always"))
    rule = next(c for c in columns if c.derived is not None).derived
    assert rule is not None
    table = build_table(
        id=TABLE_ID,
        title="Driftredovisning per nämnd",
        columns=columns,
        lines=lines,
        cells=cells,
        unit=unit,
        label_header="Nämnd",
        caption="Driftredovisning per nämnd: nettokostnad med budget, utfall och avvikelse"
        + (", helårsprognos" if ctx.interim else "")
        + ".",
        sign_convention="Intäkter positiva, kostnader negativa (nettokostnad negativ); avvikelse = "
        + f"{_word(rule[0])} − {_word(rule[2])}.",
    )
    idents = tuple(
        Identity(
            CellRef(TABLE_ID, "totalt", c),
            ((1, CellRef("resultatrakning", VNK, c)),),
            "nämndernas nettokostnad är verksamhetens nettokostnader",
        )
        for c in ("utfall", "utfall_fg")
        if any(col.id == c for col in columns)
    )
    return replace(table, identities=idents)


def _word(col: str) -> str:
    return {"budget": "budget", "utfall": "utfall", "prognos": "prognos"}.get(col.removesuffix("_fg"), col)


def _put(cells: dict[str, dict[str, Cell]], col: str, sums: _Sums, base: Mapping[str, Any]) -> None:
    for leaf in sums.seen:
        ansvar = sorted(c for c in sums.codes[leaf] if not c.startswith("ram:"))
        ram = sorted(c.removeprefix("ram:") for c in sums.codes[leaf] if c.startswith("ram:"))
        flt = {**base, "ansvar": ansvar, **({"ram": ram} if ram else {})}
        described = f"ram (kommunbidrag) enligt {', '.join(ram)}" if ram else ""
        cells[leaf][col] = Cell(kronor(sums.ore[leaf]), flt, described)


def _ram(
    ctx: Context,
    ram: Iterable[KeyedAmount],
    year: int,
    org: Organisation,
    niva: str,
    namnd_by_name: Mapping[str, str],
    budget: _Sums,
) -> None:
    """The ram per nämnd: the budget of a nämnd row without a budget per ansvar."""
    rolled: dict[str, int] = defaultdict(int)
    with_budget: set[str] = set()
    for leaf in budget.seen:
        if leaf != UNASSIGNED:
            n = org.ancestor(leaf, "namnd")
            rolled[n] += budget.ore[leaf]
            with_budget.add(n)
    for k in ram:
        if k.year != year:
            continue
        nid = namnd_by_name.get(k.key.casefold())
        if nid is None:
            ctx.findings.append(
                warning(
                    f"nämnden '{k.key}' finns inte i {org.file}; ramen {_kr(k.ore)} kr visas inte",
                    file=k.file,
                    line=k.line,
                    code="ram-okand-namnd",
                )
            )
            continue
        name = org.units[nid].name
        if nid in with_budget:
            if rolled[nid] != k.ore:
                ctx.findings.append(
                    warning(
                        f"ramen för {name} {year} ({_kr(k.ore)} kr) skiljer sig från summan av "
                        f"budgeten per ansvar ({_kr(rolled[nid])} kr, skillnad "
                        f"{_kr(k.ore - rolled[nid])} kr); tabellen visar budgeten per ansvar",
                        file=k.file,
                        line=k.line,
                        code="ram-budget",
                    )
                )
        elif niva == "namnd":
            budget.seen.add(nid)
            budget.ore[nid] += k.ore
            budget.codes[nid].add(f"ram:{k.file}")
        else:
            ctx.findings.append(
                warning(
                    f"ramen för {name} {year} ({_kr(k.ore)} kr) är inte fördelad per ansvar och "
                    'visas bara med [driftredovisning] niva = "namnd"',
                    file=k.file,
                    line=k.line,
                    code="ram-ej-fordelad",
                )
            )


def _unassigned_findings(
    lost: Mapping[str, int], year: int, dim: int, org_file: str, unknown: Iterable[KeyedAmount]
) -> list[Finding]:
    out: list[Finding] = []
    if lost:
        listed = sorted(lost.items(), key=lambda kv: (kv[0] == NO_OBJECT, kv[0]))
        names = ", ".join(
            f"{'utan ansvar' if code == NO_OBJECT else f'{dim}:{code}'} ({_kr(ore)} kr)"
            for code, ore in listed[:20]
        )
        more = f" och {len(listed) - 20} till" if len(listed) > 20 else ""
        out.append(
            warning(
                f"utfall {year} på ansvar som saknar nämnd i {org_file}: {names}{more}; summan "
                f"{_kr(sum(lost.values()))} kr visas som 'Ej fördelat'",
                file=org_file,
                code="organisation-ej-fordelat",
            )
        )
    for k in unknown:
        out.append(
            warning(
                f"ansvar '{k.key}' finns inte i {org_file}; beloppet {_kr(k.ore)} kr visas som 'Ej fördelat'",
                file=k.file,
                line=k.line,
                code="organisation-ej-fordelat",
            )
        )
    return out


def namnd_values(table: Table | None) -> dict[str, Decimal]:
    """Named values: each nämnd's budget, utfall, prognos and avvikelse, and the total."""
    out: dict[str, Decimal] = {}
    if table is None:
        return out
    for r in table.rows:
        if not (r.id.startswith("namnd.") or r.id == "totalt"):
            continue
        name = "namnder" if r.id == "totalt" else "namnd_" + r.id.removeprefix("namnd.")
        for col, v in r.values.items():
            if isinstance(v, Decimal):
                out[f"{name}_{col}"] = v
    return out
