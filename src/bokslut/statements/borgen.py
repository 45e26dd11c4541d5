"""Borgensåtaganden and the Kommuninvest solidarisk borgen (RKR R10; LKBR 6 kap. 2 §
"Övriga ansvarsförbindelser"): ``data/borgen.csv|xlsx`` and ``data/kommuninvest.csv|xlsx``.

``data/borgen`` has one row per borgen and year: ``namn`` (the company or association
whose debt is guaranteed), optional ``kategori`` (heading in the note, e.g. "Kommunala
bolag") and ``belopp``/``belopp_tkr``. ``data/kommuninvest`` has one row per year with
Kommuninvest i Sverige AB's ``totala_forpliktelser`` and ``totala_tillgangar`` and the
member's share: ``andel_procent``, or ``andelskapital`` and ``totalt_andelskapital``
(the share of the members' capital, by which the regressavtal divides the liability).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, localcontext
from pathlib import Path
from typing import Any

from bokslut.diagnostics import Finding, error
from bokslut.statements.context import Context
from bokslut.statements.engine import Cell, Line, build_table, money_cell, with_percent_row
from bokslut.statements.file_amounts import (
    amount_columns,
    amount_specs,
    cell_ore,
    cell_percent,
    cell_year,
    share_of,
)
from bokslut.statements.organisation import slug
from bokslut.table import Column, RowKind, Table, Unit
from bokslut.tabular import DEFAULT_MAX_BYTES, ColumnSpec, read_table, text
from bokslut.workspace.config import OrgTyp

TABLE_ID = "not_borgensataganden"


@dataclass(frozen=True, slots=True)
class Borgen:
    year: int
    name: str
    category: str
    ore: int
    file: str
    line: int


def read_borgen(
    path: Path, rel: str, default_year: int, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[list[Borgen], list[Finding]]:
    specs = (
        ColumnSpec("ar", required=False),
        ColumnSpec("namn"),
        ColumnSpec("kategori", required=False),
        *amount_specs(("belopp",)),
    )
    raw, findings = read_table(path, rel, specs, max_bytes=max_bytes)
    if raw is None:
        return [], findings
    cols, missing = amount_columns(raw, ("belopp",), rel)
    findings += missing
    if missing:
        return [], findings
    years, names, categories = text(raw, "ar"), text(raw, "namn"), text(raw, "kategori")
    amounts = text(raw, cols["belopp"].name)
    out: list[Borgen] = []
    for i in range(raw.rows):
        line = raw.line(i)
        name, amount = str(names[i]), str(amounts[i])
        if not name and not amount:
            continue
        if not name:
            findings.append(error("namn saknas", file=rel, line=line, where="kolumn namn", code="namn"))
            continue
        year = cell_year(str(years[i]), default_year, rel, line, findings)
        ore = cell_ore(amount, cols["belopp"], rel, line, findings)
        if year is None or ore is None:
            continue
        out.append(Borgen(year, name, str(categories[i]), ore, rel, line))
    return out, findings


@dataclass(frozen=True, slots=True)
class KommuninvestYear:
    year: int
    obligations: int  # öre, Kommuninvest's total
    assets: int
    share: Decimal  # the member's share, per cent
    file: str
    line: int

    @property
    def share_of_obligations(self) -> int:
        return share_of(self.obligations, self.share, Decimal(100))

    @property
    def share_of_assets(self) -> int:
        return share_of(self.assets, self.share, Decimal(100))


def capital_share(own: int, total: int) -> Decimal:
    """The member's share of the members' capital, per cent (exact to 28 digits)."""
    with localcontext(prec=28):
        return Decimal(own) * 100 / Decimal(total)


def read_kommuninvest(
    path: Path, rel: str, default_year: int, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[list[KommuninvestYear], list[Finding]]:
    money = ("totala_forpliktelser", "totala_tillgangar")
    capital = ("andelskapital", "totalt_andelskapital")
    specs = (
        ColumnSpec("ar", required=False),
        *amount_specs(money),
        *amount_specs(capital),
        ColumnSpec("andel_procent", required=False),
    )
    raw, findings = read_table(path, rel, specs, max_bytes=max_bytes)
    if raw is None:
        return [], findings
    cols, missing = amount_columns(raw, money, rel)
    findings += missing
    if missing:
        return [], findings
    capital_cols, no_capital = amount_columns(raw, capital, rel)
    if not raw.has("andel_procent") and no_capital:
        findings.append(
            error(
                "andelen saknas: ange kolumnen 'andel_procent' eller kolumnerna 'andelskapital' "
                "och 'totalt_andelskapital'",
                file=rel,
                line=1,
                code="kolumn-saknas",
            )
        )
        return [], findings
    years = text(raw, "ar")
    cells = {k: text(raw, c.name) for k, c in {**cols, **capital_cols}.items()}
    percents = text(raw, "andel_procent")
    out: list[KommuninvestYear] = []
    seen: dict[int, int] = {}
    for i in range(raw.rows):
        line = raw.line(i)
        if not any(str(c[i]) for c in cells.values()) and not str(percents[i]):
            continue
        year = cell_year(str(years[i]), default_year, rel, line, findings)
        before = len(findings)
        values = {k: cell_ore(str(cells[k][i]), cols[k], rel, line, findings) for k in money}
        share: Decimal | None = None
        if str(percents[i]):
            share = cell_percent(str(percents[i]), "andel_procent", rel, line, findings)
        elif not no_capital:
            own = cell_ore(str(cells["andelskapital"][i]), capital_cols["andelskapital"], rel, line, findings)
            total_col = capital_cols["totalt_andelskapital"]
            total = cell_ore(str(cells["totalt_andelskapital"][i]), total_col, rel, line, findings)
            if own is not None and total is not None:
                if total <= 0 or not 0 <= own <= total:
                    findings.append(
                        error(
                            "andelskapitalet måste vara mellan 0 och det totala andelskapitalet, "
                            "som måste vara större än 0",
                            file=rel,
                            line=line,
                            where="kolumn totalt_andelskapital",
                            code="kommuninvest-andel",
                        )
                    )
                else:
                    share = capital_share(own, total)
        else:
            findings.append(
                error("andelen saknas på raden", file=rel, line=line, where="kolumn andel_procent")
            )
        if year is None or len(findings) > before or share is None:
            continue
        obligations, assets = values["totala_forpliktelser"], values["totala_tillgangar"]
        assert obligations is not None and assets is not None
        if year in seen:
            findings.append(
                error(
                    f"året {year} står två gånger (rad {seen[year]} och rad {line}); "
                    f"bara rad {seen[year]} används",
                    file=rel,
                    line=line,
                    code="kommuninvest-dubblett",
                )
            )
            continue
        seen[year] = line
        out.append(KommuninvestYear(year, obligations, assets, share, rel, line))
    return out, findings


def _owner(ctx: Context) -> str:
    typ = ctx.config.organisation.typ
    if typ is OrgTyp.REGION:
        return "Regionens"
    if typ is OrgTyp.KOMMUN:
        return "Kommunens"
    return "Förbundets"


def not_borgensataganden(
    ctx: Context, borgen: list[Borgen], kommuninvest: list[KommuninvestYear], unit: Unit
) -> Table | None:
    years = {"utfall": ctx.year, "utfall_fg": ctx.year - 1}
    present = {b.year for b in borgen} | {k.year for k in kommuninvest}
    if ctx.year not in present:
        return None
    columns = [Column(cid, str(y)) for cid, y in years.items() if y in present]
    col_of = {y: cid for cid, y in years.items()}
    cells: dict[str, dict[str, Cell]] = {}
    lines: list[Line] = []
    row_of: dict[tuple[str, str], str] = {}
    items: list[str] = []
    by_category: dict[str, list[str]] = {}
    for b in borgen:
        cid = col_of.get(b.year)
        if cid is None:
            continue
        key = (b.category, b.name)
        if key not in row_of:
            row_of[key] = (
                f"borgen.{slug(b.category)}.{slug(b.name)}" if b.category else f"borgen.{slug(b.name)}"
            )
            by_category.setdefault(b.category, []).append(row_of[key])
        rid = row_of[key]
        prev = cells.setdefault(rid, {}).get(cid)
        base = prev.value if prev is not None and isinstance(prev.value, Decimal) else Decimal(0)
        cell = money_cell(b.ore, {"file": b.file, "line": b.line})
        assert isinstance(cell.value, Decimal)
        cells[rid][cid] = Cell(base + cell.value, cell.filter)
    names = {rid: name for (_, name), rid in row_of.items()}
    for category, rows in by_category.items():
        if category:
            hid = f"rubrik.{slug(category)}"
            lines.append(Line(hid, category, RowKind.HEADING))
        lines += [Line(rid, names[rid], level=1 if category else 0, show="data") for rid in rows]
        items += rows
    if items:
        lines.append(
            Line("summa", "Summa borgensåtaganden", RowKind.TOTAL, parts=tuple(items), show="always")
        )
    owner = _owner(ctx)
    for k in kommuninvest:
        cid = col_of.get(k.year)
        if cid is None:
            continue
        src: dict[str, Any] = {"file": k.file, "line": k.line}
        cells.setdefault("ki_forpliktelser", {})[cid] = money_cell(k.obligations, src)
        cells.setdefault("ki_tillgangar", {})[cid] = money_cell(k.assets, src)
        cells.setdefault("ki_andel", {})[cid] = Cell(k.share, src)
        why = f"{k.share} % av totalen"
        cells.setdefault("ki_andel_forpliktelser", {})[cid] = money_cell(k.share_of_obligations, src, why)
        cells.setdefault("ki_andel_tillgangar", {})[cid] = money_cell(k.share_of_assets, src, why)
    footnotes: list[str] = []
    if kommuninvest:
        lines += [
            Line("ki_rubrik", "Kommuninvest i Sverige AB, solidarisk borgen", RowKind.HEADING),
            Line("ki_forpliktelser", "Kommuninvests totala förpliktelser", level=1, show="data"),
            Line("ki_tillgangar", "Kommuninvests totala tillgångar", level=1, show="data"),
            Line("ki_andel", f"{owner} andel av medlemmarnas andelskapital, %", level=1, show="data"),
            Line(
                "ki_andel_forpliktelser", f"{owner} andel av de totala förpliktelserna", level=1, show="data"
            ),
            Line("ki_andel_tillgangar", f"{owner} andel av de totala tillgångarna", level=1, show="data"),
        ]
        footnotes.append(
            f"{owner[:-1]} har ingått en solidarisk borgen såsom för egen skuld för samtliga "
            "nuvarande och framtida förpliktelser som Kommuninvest i Sverige AB har. Samtliga "
            "medlemmar har ingått likalydande borgensförbindelser. Ett regressavtal fördelar "
            "ansvaret mellan medlemmarna; andelen här är andelen av medlemmarnas andelskapital."
        )
    table = build_table(
        id=TABLE_ID,
        title="Borgensåtaganden",
        columns=columns,
        lines=lines,
        cells=cells,
        unit=unit,
        caption="Borgensåtaganden och andra ansvarsförbindelser som inte redovisas i balansräkningen.",
        footnotes=footnotes,
    )
    return with_percent_row(table, "ki_andel", 4)
