"""Balanskrav over the years: negative balanskravsresultat by year of origin, their
återställande, and the reserve rules (KL 11 kap. 12–14 §§, LKBR 11 kap. 10–11 §§).

The register runs from the earliest year data/balanskrav.yaml names to the report
year; the years the ledger has take their balanskravsresultat from the
balanskravsutredning. A deficit is återställt by the positive balanskravsresultat of
later years, oldest deficit first, within the three following years (KL 11 kap.
12 §), unless fullmäktige decided not to for synnerliga skäl (KL 11 kap. 13 §).
The reserve's balance follows its opening balance and each year's decisions; the
reservation limit, the 5 % ceiling of the resultatreserv and use beyond the reserve
are checked for the years the ledger has (regler.md §3).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from bokslut.diagnostics import Finding, error, notice, warning
from bokslut.money import kronor
from bokslut.statements.balanskrav import ReserveYear, reserve_year
from bokslut.statements.balanskrav_history import FIRST_RESULTATRESERV_YEAR, History
from bokslut.statements.context import Context, is_balance_account
from bokslut.statements.engine import Cell, Line, build_table
from bokslut.table import CellRef, Column, ColumnKind, Identity, RowKind, Table, Unit, Value

TABLE = "balanskrav_aterstallande"
DEADLINE_YEARS = 3  # KL 11 kap. 12 §: within the three following years
CEILING = Decimal("0.05")  # the resultatreserv at most 5 % of skatteintäkter and statsbidrag


def _kr(v: Decimal) -> str:
    text = f"{v:,.2f}".replace(",", "\u00a0").replace(".", ",")
    return text.replace("-", "\u2212")


@dataclass
class Deficit:
    origin: int
    amount: Decimal  # positive
    source: dict[str, Any]
    exempt: Decimal = Decimal(0)
    restored: dict[int, Decimal] = field(default_factory=dict)

    @property
    def deadline(self) -> int:
        return self.origin + DEADLINE_YEARS

    def restored_until(self, year: int) -> Decimal:
        return sum((v for y, v in self.restored.items() if y <= year), Decimal(0))

    def remaining(self, year: int) -> Decimal:
        return self.amount - self.exempt - self.restored_until(year)


@dataclass(frozen=True)
class Register:
    """The deficits, the year's reserve movements and what the chapters may say of them."""

    year: int
    deficits: tuple[Deficit, ...]
    table: Table | None
    values: dict[str, Value | int]
    findings: tuple[Finding, ...]


def _where(origin: int, column: str) -> str:
    return f"{TABLE}/ar_{origin}/{column}"


def balanskrav_register(
    ctx: Context,
    bk: Table,
    history: History,
    unit: Unit,
    commitments: Mapping[int, Decimal] | None = None,
) -> Register:
    """``commitments``: the pension ansvarsförbindelse per year from the pension file, which
    decides the 1 % or 2 % reservation limit before any figure typed into the history."""
    year = ctx.year
    findings: list[Finding] = []
    results: dict[int, tuple[Decimal, dict[str, Any]]] = {}
    ledger_years: list[int] = []
    for col in bk.columns:
        y = int(col.id.removeprefix("ar_"))
        v = bk.number("bk_balanskravsresultat", col.id)
        if v is None:
            continue
        ledger_years.append(y)
        results[y] = (
            v,
            {"tabell": "balanskravsutredning", "rad": "bk_balanskravsresultat", "kolumn": col.id},
        )
        hy = history.year(y)
        if hy is not None and hy.result is not None and hy.result != v:
            findings.append(
                error(
                    f"balanskravsresultatet för {y} är {_kr(hy.result)} kr i {history.file} men "
                    f"{_kr(v)} kr enligt huvudboken; huvudbokens belopp används – ta bort eller rätta raden",
                    file=history.file,
                    line=hy.result_line,
                    code="balanskrav-indata",
                )
            )
    for y, hy in history.years.items():
        if y in results or y > year or hy.result is None:
            continue
        results[y] = (hy.result, {"file": history.file, "line": hy.result_line})
    if results:
        first = min(results)
        gaps = [y for y in range(first, year + 1) if y not in results]
        if gaps:
            findings.append(
                warning(
                    f"balanskravsresultatet saknas för {', '.join(map(str, gaps))}: huvudboken har inte "
                    f"året och {history.file} anger det inte; registret räknar året som noll",
                    file=history.file,
                    code="balanskrav-ar-saknas",
                )
            )
    deficits = _deficits(results, history, year, findings)
    _check_deadlines(deficits, history, year, findings)
    values: dict[str, Value | int] = {}
    reserve_values, reserve_findings = _reserves(ctx, bk, history, ledger_years, results, commitments or {})
    values.update(reserve_values)
    findings += reserve_findings
    table = _table(deficits, history, year, unit)
    if table is not None:
        values.update(_register_values(table, deficits, history, year))
    return Register(year, tuple(deficits), table, values, tuple(findings))


def _deficits(
    results: dict[int, tuple[Decimal, dict[str, Any]]], history: History, year: int, findings: list[Finding]
) -> list[Deficit]:
    deficits: list[Deficit] = []
    by_origin: dict[int, Deficit] = {}
    for y in sorted(results):
        v, source = results[y]
        if v < 0:
            deficits.append(Deficit(y, -v, source))
            by_origin[y] = deficits[-1]
    for ex in history.exemptions:
        d = by_origin.get(ex.origin)
        if d is None:
            findings.append(
                error(
                    f"synnerliga skäl anges för underskottet {ex.origin}, men balanskravsresultatet "
                    f"{ex.origin} är inte negativt (eller okänt)",
                    file=history.file,
                    line=ex.line,
                    code="balanskrav-indata",
                )
            )
            continue
        if d.exempt + ex.amount > d.amount:
            findings.append(
                error(
                    f"synnerliga skäl för underskottet {ex.origin} ({_kr(d.exempt + ex.amount)} kr) är "
                    f"mer än underskottet ({_kr(d.amount)} kr); bara underskottet räknas",
                    file=history.file,
                    line=ex.line,
                    code="balanskrav-indata",
                )
            )
        d.exempt = min(d.amount, d.exempt + ex.amount)
    for y in sorted(results):
        v, _ = results[y]
        hy = history.year(y)
        stated = hy.restored if hy is not None and y not in _ledger(results) else None
        if stated is not None and hy is not None and stated > max(v, Decimal(0)):
            findings.append(
                error(
                    f"återställt {y} ({_kr(stated)} kr) är mer än årets positiva balanskravsresultat "
                    f"({_kr(max(v, Decimal(0)))} kr)",
                    file=history.file,
                    line=hy.restored_line,
                    code="balanskrav-indata",
                )
            )
            stated = max(v, Decimal(0))
        available = stated if stated is not None else max(v, Decimal(0))
        for d in deficits:
            if available <= 0 or d.origin >= y:
                continue
            take = min(available, d.remaining(y - 1))
            if take > 0:
                d.restored[y] = take
                available -= take
        if stated is not None and available > 0 and hy is not None:
            findings.append(
                error(
                    f"återställt {y} ({_kr(stated)} kr) är mer än som återstod av tidigare underskott",
                    file=history.file,
                    line=hy.restored_line,
                    code="balanskrav-indata",
                )
            )
    return deficits


def _ledger(results: dict[int, tuple[Decimal, dict[str, Any]]]) -> set[int]:
    return {y for y, (_, src) in results.items() if "tabell" in src}


def _place(d: Deficit, history: History, column: str) -> dict[str, Any]:
    if "file" in d.source:
        return {"file": history.file, "line": d.source.get("line")}
    return {"file": history.file, "where": _where(d.origin, column)}


def _check_deadlines(
    deficits: Sequence[Deficit], history: History, year: int, findings: list[Finding]
) -> None:
    for d in deficits:
        if d.origin > year:
            continue
        left = d.remaining(year)
        if left <= 0:
            continue
        if year >= d.deadline:
            findings.append(
                error(
                    f"underskottet från {d.origin} skulle ha återställts senast {d.deadline} "
                    f"(11 kap. 12 § KL), men {_kr(left)} kr återstår: återställ det eller ange "
                    f"fullmäktiges beslut om synnerliga skäl (11 kap. 13 § KL) under synnerliga_skal "
                    f"i {history.file}",
                    code="balanskrav-ej-aterstallt",
                    **_place(d, history, "kvar"),
                )
            )
        elif year == d.deadline - 1:
            findings.append(
                warning(
                    f"underskottet från {d.origin} ska vara återställt senast {d.deadline}: "
                    f"{_kr(left)} kr återstår att återställa nästa år",
                    code="balanskrav-aterstalls-nasta-ar",
                    **_place(d, history, "kvar"),
                )
            )
        hy = history.year(d.origin)
        if not (hy is not None and hy.plan):
            findings.append(
                warning(
                    f"underskottet från {d.origin} ({_kr(left)} kr kvar) har ingen åtgärdsplan: "
                    f"fullmäktige ska besluta om en (11 kap. 12 § KL) och förvaltningsberättelsen "
                    f"säga när och hur underskottet återställs (11 kap. 11 § LKBR) – skriv den som "
                    f"ar.{d.origin}.atgardsplan i {history.file}",
                    file=history.file,
                    line=hy.line if hy is not None else None,
                    code="balanskrav-atgardsplan-saknas",
                )
            )


def _shown(deficits: Sequence[Deficit], year: int) -> list[Deficit]:
    """Deficits still open when the year began, and the year's own."""
    return [d for d in deficits if d.origin == year or (d.origin < year and d.remaining(year - 1) > 0)]


def _table(deficits: Sequence[Deficit], history: History, year: int, unit: Unit) -> Table | None:
    shown = _shown(deficits, year)
    if not shown:
        return None
    exempt = any(d.exempt for d in shown)
    columns = [Column("underskott", "Ursprungligt underskott")]
    if exempt:
        columns.append(Column("synnerliga_skal", "Synnerliga skäl"))
    columns += [
        Column("aterstallt_tidigare", "Återställt tidigare år"),
        Column("aterstallt_i_ar", f"Återställt {year}"),
        Column("kvar", "Kvar att återställa"),
        Column("senast", "Återställs senast", kind=ColumnKind.TEXT),
    ]
    lines: list[Line] = []
    cells: dict[str, dict[str, Cell]] = {}
    identities: list[Identity] = []
    for d in shown:
        rid = f"ar_{d.origin}"
        lines.append(Line(rid, str(d.origin), show="always"))
        src = d.source
        restored_src = {"tabell": "balanskravsutredning", "rad": "bk_balanskravsresultat"}
        cells[rid] = {
            "underskott": Cell(d.amount, src),
            "aterstallt_tidigare": Cell(d.restored_until(year - 1), restored_src),
            "aterstallt_i_ar": Cell(d.restored.get(year, Decimal(0)), restored_src),
            "kvar": Cell(d.remaining(year), {}),
            "senast": Cell(str(d.deadline)),
        }
        terms: list[tuple[int, CellRef]] = [(1, CellRef(TABLE, rid, "underskott"))]
        if exempt:
            cells[rid]["synnerliga_skal"] = Cell(d.exempt, {"file": history.file})
            terms.append((-1, CellRef(TABLE, rid, "synnerliga_skal")))
        terms += [
            (-1, CellRef(TABLE, rid, "aterstallt_tidigare")),
            (-1, CellRef(TABLE, rid, "aterstallt_i_ar")),
        ]
        identities.append(
            Identity(
                CellRef(TABLE, rid, "kvar"),
                tuple(terms),
                "kvar att återställa är underskottet minus det som återställts eller undantagits",
            )
        )
    lines.append(
        Line(
            "summa",
            "Summa",
            RowKind.TOTAL,
            parts=tuple(f"ar_{d.origin}" for d in shown),
            quantity="balanskrav_kvar_att_aterstalla",
            show="always",
        )
    )
    table = build_table(
        id=TABLE,
        title="Återställande av negativa balanskravsresultat",
        columns=columns,
        lines=lines,
        cells=cells,
        unit=unit,
        caption=(
            "Negativa balanskravsresultat per år de uppstod: vad som har återställts, vad som "
            "återstår och senast vilket år det ska vara återställt (11 kap. 12 § KL, 11 kap. 11 § LKBR)."
        ),
        sign_convention="Underskott och återställda belopp visas som positiva tal.",
        label_header="Underskottets år",
    )
    return replace(table, identities=tuple(identities))


def _register_values(
    table: Table, deficits: Sequence[Deficit], history: History, year: int
) -> dict[str, Value | int]:
    out: dict[str, Value | int] = {}
    for name, col in (
        ("balanskrav_kvar_att_aterstalla", "kvar"),
        ("balanskrav_aterstallt_i_ar", "aterstallt_i_ar"),
        ("balanskrav_synnerliga_skal", "synnerliga_skal"),
    ):
        v = table.number("summa", col)
        if v is not None and not (col == "synnerliga_skal" and v == 0):
            out[name] = v
    shown = _shown(deficits, year)
    own = next((d for d in shown if d.origin == year), None)
    if own is not None:
        out["balanskrav_arets_underskott"] = own.amount
    open_ = [d for d in shown if d.remaining(year) > 0]
    if open_:
        out["balanskrav_senast_ar"] = str(min(d.deadline for d in open_))
    plans = [hy.plan for d in open_ if (hy := history.year(d.origin)) is not None and hy.plan]
    if plans:
        out["balanskrav_atgardsplan"] = " ".join(plans)
    origins = {d.origin for d in shown}
    exemptions = [e for e in history.exemptions if e.origin in origins]
    if exemptions:
        out["balanskrav_synnerliga_skal_beslut"] = "; ".join(
            f"{e.decision} (underskottet {e.origin})" for e in exemptions
        )
        out["balanskrav_synnerliga_skal_motivering"] = " ".join(e.reason for e in exemptions)
    return out


# ---------------------------------------------------------------------------
# The reserve


def _base_and_equity(ctx: Context, year: int) -> tuple[Decimal, Decimal] | None:
    """Skatteintäkter + generella statsbidrag och utjämning, and eget kapital at year end (kronor)."""
    yd = ctx.facts.get(year)
    if yd is None:
        return None
    lines = ctx.period_lines(yd, ctx.chart.rad, accept=lambda a: not is_balance_account(a))
    base = -sum((lines[k].ore for k in ("skatteintakter", "generella_statsbidrag") if k in lines), 0)
    equity = -sum(
        yd.balance_at_cut(a)
        for a in yd.accounts()
        if is_balance_account(a) and ctx.chart.rad.get(a) == "eget_kapital"
    )
    return kronor(base), kronor(equity + ctx.year_result(yd))


def _opening(ctx: Context, history: History, first: int) -> tuple[int | None, Decimal, Decimal]:
    """(year, resultatutjämningsreserv, resultatreserv) the balance starts from."""
    if history.reserve_year is not None:
        return history.reserve_year, history.opening_rur, history.opening_rer
    yd = ctx.facts.get(first)
    chart = ctx.chart
    if yd is None or not (chart.resultatreserv.prefixes or chart.resultatutjamningsreserv.prefixes):
        return None, Decimal(0), Decimal(0)
    rur = -sum(yd.opening(a) for a in yd.accounts() if a in chart.resultatutjamningsreserv)
    rer = -sum(yd.opening(a) for a in yd.accounts() if a in chart.resultatreserv)
    return first, kronor(rur), kronor(rer)


def _reserves(
    ctx: Context,
    bk: Table,
    history: History,
    ledger_years: Sequence[int],
    results: dict[int, tuple[Decimal, dict[str, Any]]],
    commitments: Mapping[int, Decimal],
) -> tuple[dict[str, Value | int], list[Finding]]:
    findings: list[Finding] = []
    values: dict[str, Value | int] = {}
    year = ctx.year
    years = sorted(set(results) | {y for y in history.years if y <= year} | set(ledger_years))
    if not years:
        return values, findings
    start, rur, rer = _opening(ctx, history, min(ledger_years) if ledger_years else years[0])
    # The resultatreserv began empty in 2024; an old resultatutjämningsreserv needs its balance.
    known = start is not None
    movements: dict[int, ReserveYear] = {}
    for y in years:
        if y in ledger_years:
            ry, _ = reserve_year(ctx, history, y)  # its findings came with the table
        else:
            ry, f = reserve_year(ctx, history, y)
            findings += f
        movements[y] = ry
    for y in years:
        ry = movements[y]
        if start is not None and y < start:
            continue
        a = ry.amounts
        in_rer, out_rer = a.get("bk_reservering", Decimal(0)), a.get("bk_anvandning", Decimal(0))
        in_rur, out_rur = a.get("bk_rur_reservering", Decimal(0)), a.get("bk_rur_anvandning", Decimal(0))
        for reserve, used, balance, line, balance_known in (
            ("resultatutjämningsreserven", out_rur, rur, "bk_rur_anvandning", known),
            ("resultatreserven", out_rer, rer, "bk_anvandning", True),
        ):
            if used > balance and balance_known:
                findings.append(
                    error(
                        f"användningen {y} av {reserve} ({_kr(used)} kr) är större än reserven "
                        f"({_kr(balance)} kr)",
                        code="balanskrav-anvandning-over-reserven",
                        **_source_place(ry, line, history, y),
                    )
                )
            elif used > 0 and not balance_known:
                findings.append(
                    notice(
                        f"{reserve} används {y} ({_kr(used)} kr), men reservens saldo är okänt: ange "
                        f"det under reserv i {history.file} (eller reservens konton under [kontoplan])",
                        file=history.file,
                        code="balanskrav-reserv-okand",
                    )
                )
        rur += in_rur - out_rur
        rer += in_rer - out_rer
        if y in ledger_years:
            findings += _ledger_year_checks(ctx, bk, history, ry, rer, commitments.get(y))
        if y == year:
            values.update(_reserve_values(ry, rur, rer, known, year))
    return values, findings


def _source_place(ry: ReserveYear, line: str, history: History, year: int) -> dict[str, Any]:
    src = ry.sources.get(line, {})
    if src.get("file") == "bokslut.toml":
        return {"file": "bokslut.toml", "where": f"balanskravsutredning/{line}/ar_{year}"}
    return {"file": history.file, "line": src.get("line")}


def _ledger_year_checks(
    ctx: Context,
    bk: Table,
    history: History,
    ry: ReserveYear,
    rer_after: Decimal,
    commitment: Decimal | None,
) -> list[Finding]:
    """The reservation limit, the ceiling and the conditions for use (KL 11 kap. 14 §)."""
    out: list[Finding] = []
    y = ry.year
    cid = f"ar_{y}"
    result = bk.number("bk_arets_resultat", cid) or Decimal(0)
    adjusted = bk.number("bk_efter_justeringar", cid) or Decimal(0)
    be = _base_and_equity(ctx, y)
    base, equity = be if be is not None else (Decimal(0), Decimal(0))
    old = y < FIRST_RESULTATRESERV_YEAR
    reserve = "resultatutjämningsreserven" if old else "resultatreserven"
    line_in = "bk_rur_reservering" if old else "bk_reservering"
    reservation = ry.amounts.get(line_in, Decimal(0))
    if reservation > 0:
        if base <= 0:
            out.append(
                notice(
                    f"reserveringen {y} till {reserve} ({_kr(reservation)} kr) kan inte prövas mot "
                    "gränsen i 11 kap. 14 § KL: den räknas på skatteintäkter och generella statsbidrag, "
                    "som resultaträkningen inte har – pröva den mot fullmäktiges riktlinjer",
                    code="balanskrav-reservering-ej-provad",
                    **_source_place(ry, line_in, history, y),
                )
            )
        else:
            hy = history.year(y)
            af = commitment if commitment is not None else hy.ansvarsforbindelse if hy is not None else None
            if af is None:
                pct = Decimal("0.01")
                out.append(
                    notice(
                        f"ansvarsförbindelsen för pensioner {y} är inte angiven: reserveringen till "
                        f"{reserve} prövas mot 1 % av skatteintäkter och generella statsbidrag; är eget "
                        "kapital inklusive ansvarsförbindelsen negativt gäller 2 % – ange "
                        f"ar.{y}.ansvarsforbindelse i {history.file} eller lägg pensionsförvaltarens "
                        "uppgifter i data/pension",
                        file=history.file,
                        code="balanskrav-ansvarsforbindelse-saknas",
                    )
                )
            else:
                pct = Decimal("0.02") if equity - af < 0 else Decimal("0.01")
            limit = max(Decimal(0), min(result, adjusted) - pct * base)
            if reservation > limit:
                out.append(
                    error(
                        f"reserveringen {y} till {reserve} ({_kr(reservation)} kr) är större än gränsen "
                        f"{_kr(limit)} kr: högst den del av årets resultat ({_kr(min(result, adjusted))} kr, "
                        f"det lägsta av årets resultat och resultatet efter balanskravsjusteringar) som "
                        f"överstiger {pct * 100:.0f} % av skatteintäkter och generella statsbidrag "
                        f"({_kr(base)} kr) får reserveras (11 kap. 14 § KL)",
                        code="balanskrav-reservering-over-gransen",
                        **_source_place(ry, line_in, history, y),
                    )
                )
    if not old and base > 0 and rer_after > CEILING * base:
        out.append(
            error(
                f"resultatreserven är efter {y} års reservering {_kr(rer_after)} kr, mer än taket 5 % av "
                f"skatteintäkter och generella statsbidrag ({_kr(CEILING * base)} kr, 11 kap. 14 § KL)",
                code="balanskrav-reserv-over-taket",
                **_source_place(ry, "bk_reservering", history, y),
            )
        )
    for line, name, strict in (
        ("bk_rur_anvandning", "resultatutjämningsreserven", True),
        ("bk_anvandning", "resultatreserven", False),
    ):
        used = ry.amounts.get(line, Decimal(0))
        if used <= 0:
            continue
        place = _source_place(ry, line, history, y)
        make = error if strict else warning
        if adjusted >= 0:
            out.append(
                make(
                    f"{name} används {y} ({_kr(used)} kr) fast resultatet efter balanskravsjusteringar "
                    f"inte är negativt ({_kr(adjusted)} kr); medlen får användas för att täcka ett "
                    "underskott" + ("" if strict else " enligt fullmäktiges riktlinjer"),
                    code="balanskrav-anvandning-utan-underskott",
                    **place,
                )
            )
        elif used > -adjusted:
            out.append(
                make(
                    f"{name} används {y} med {_kr(used)} kr, mer än underskottet efter "
                    f"balanskravsjusteringar ({_kr(-adjusted)} kr)",
                    code="balanskrav-anvandning-over-underskottet",
                    **place,
                )
            )
        m = ry.movements.get(line)
        if m is None or not m.purpose:
            out.append(
                warning(
                    f"{name} används {y}: förvaltningsberättelsen ska säga vad medlen använts till och "
                    f"varför (11 kap. 10 § LKBR) – skriv det som ar.{y}.anvandning.andamal i {history.file}",
                    code="balanskrav-anvandning-andamal-saknas",
                    **place,
                )
            )
    return out


def _reserve_values(
    ry: ReserveYear, rur: Decimal, rer: Decimal, known: bool, year: int
) -> dict[str, Value | int]:
    out: dict[str, Value | int] = {}
    old = year < FIRST_RESULTATRESERV_YEAR
    out["balanskrav_reserv"] = "resultatutjämningsreserven" if old else "resultatreserven"
    if ry.reservation > 0:
        out["balanskrav_reservering"] = ry.reservation
    if ry.use > 0:
        out["balanskrav_anvandning"] = ry.use
    purposes = [m.purpose for m in ry.movements.values() if m.purpose]
    if purposes:
        out["balanskrav_anvandning_andamal"] = " ".join(purposes)
    decisions = [m.decision for m in ry.movements.values() if m.decision]
    if decisions:
        out["balanskrav_reserv_beslut"] = "; ".join(dict.fromkeys(decisions))
    if not old:
        out["balanskrav_reserv_saldo"] = rer
    if known and old:
        out["balanskrav_reserv_saldo"] = rur
    elif known and rur > 0:  # an old reserve kept beside the resultatreserv (SFS 2023:643)
        out["balanskrav_resultatutjamningsreserv_saldo"] = rur
    return out
