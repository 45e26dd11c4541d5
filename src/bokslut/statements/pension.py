"""Pensions under the blandmodell (LKBR 5 kap. 4 §, 6 kap. 4 §; RKR R10) from the pension
administrator's figures, ``data/pension.csv|xlsx``.

The file is the administrator's pensionsskuldsberäkning (KPA, Skandia) as it is laid
out: one row per post and year, one column for the avsättning (pension earned from
1998, in the balance sheet) and one for the ansvarsförbindelse (earned before 1998,
"inom linjen"). Amounts exclude the särskild löneskatt, which is given on its own row
or computed at 24,26 % of the closing balance. From it: Not Avsättningar för pensioner,
Not Ansvarsförbindelse pensioner, the closing balances the balanskrav needs, and a
finding when the file's closing avsättning is not what the ledger's pension accounts say.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from bokslut.diagnostics import Finding, error, warning
from bokslut.money import kronor
from bokslut.statements.balansrakning import closing
from bokslut.statements.context import Context, is_balance_account
from bokslut.statements.engine import Cell, Line, build_table, money_cell, with_percent_row
from bokslut.statements.file_amounts import (
    amount_columns,
    amount_specs,
    cell_ore,
    cell_percent,
    cell_year,
    kr_text,
    share_of,
)
from bokslut.statements.noter import carried_forward
from bokslut.statements.organisation import slug
from bokslut.table import Column, RowKind, Table, Unit
from bokslut.tabular import DEFAULT_MAX_BYTES, ColumnSpec, read_table, shown, text

# Särskild löneskatt på pensionskostnader (lag 1991:687), per cent.
LONESKATT = Decimal("24.26")

AVSATTNING, ANSVARSFORBINDELSE = "avsattning", "ansvarsforbindelse"
PARTS = (AVSATTNING, ANSVARSFORBINDELSE)

# (id, label in the notes, other names a pension administrator's report uses)
POSTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("ingaende", "Ingående", ("ingående avsättning", "ingående ansvarsförbindelse", "ingående balans")),
    ("nyintjanad", "Nyintjänad pension", ("nyintjänande", "nyintjänad")),
    (
        "index",
        "Ränte- och basbeloppsuppräkning",
        ("ränte- och basbeloppsuppräkning", "ränteuppräkning", "indexering"),
    ),
    (
        "forsakringstekniska_grunder",
        "Ändring av försäkringstekniska grunder",
        ("förändring av försäkringstekniska grunder",),
    ),
    ("diskonteringsranta", "Sänkning av diskonteringsräntan", ("ändring av diskonteringsräntan",)),
    (
        "ovrigt",
        "Övriga aktuariella förändringar",
        ("övrigt", "övrig post", "aktuariella förändringar"),
    ),
    ("utbetalningar", "Pensionsutbetalningar", ("utbetalningar", "årets utbetalningar")),
    ("utgaende", "Utgående", ("utgående avsättning", "utgående ansvarsförbindelse", "utgående balans")),
    ("sarskild_loneskatt", "Särskild löneskatt", ("löneskatt", "särskild löneskatt på utgående")),
    ("aktualiseringsgrad", "Aktualiseringsgrad", ("aktualiseringsgrad %", "aktualiseringsgrad i procent")),
)
MOVEMENTS = (
    "nyintjanad",
    "index",
    "forsakringstekniska_grunder",
    "diskonteringsranta",
    "ovrigt",
    "utbetalningar",
)
POST_LABEL = {pid: label for pid, label, _ in POSTS}
POST_BY_NAME = {slug(name): pid for pid, label, others in POSTS for name in (pid, label, *others)}

COLUMNS = (ColumnSpec("ar", required=False), ColumnSpec("post"), *amount_specs(PARTS))


@dataclass(frozen=True, slots=True)
class PensionBalance:
    """One column (avsättning or ansvarsförbindelse) of one year, öre excluding löneskatt."""

    opening: int
    movements: Mapping[str, int]  # post id -> öre
    closing: int  # opening + movements: what the note shows
    loneskatt_opening: int
    loneskatt_closing: int
    loneskatt_given: bool
    sources: Mapping[str, Mapping[str, Any]]  # post id -> drill-down source (file, line)

    @property
    def closing_total(self) -> int:
        """The closing balance including särskild löneskatt (the BR line, the ansvarsförbindelse)."""
        return self.closing + self.loneskatt_closing

    @property
    def opening_total(self) -> int:
        return self.opening + self.loneskatt_opening


@dataclass(frozen=True, slots=True)
class PensionYear:
    year: int
    avsattning: PensionBalance
    ansvarsforbindelse: PensionBalance
    aktualiseringsgrad: Decimal | None
    closing_line: int  # line of the closing balance (or of the year's first row)

    def part(self, name: str) -> PensionBalance:
        return self.avsattning if name == AVSATTNING else self.ansvarsforbindelse


@dataclass(frozen=True)
class PensionFigures:
    file: str
    years: Mapping[int, PensionYear]


def loneskatt(ore: int) -> int:
    """Särskild löneskatt on ``ore``, to the öre (half-up)."""
    return share_of(ore, LONESKATT, Decimal(100))


def read_pension(
    path: Path, rel: str, default_year: int, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[PensionFigures | None, list[Finding]]:
    """The pension file, or None (with the reason) when it cannot be used at all."""
    raw, findings = read_table(path, rel, COLUMNS, max_bytes=max_bytes)
    if raw is None:
        return None, findings
    amount_cols, missing = amount_columns(raw, PARTS, rel)
    findings += missing
    if missing:
        return None, findings
    years_col, posts_col = text(raw, "ar"), text(raw, "post")
    cells = {p: text(raw, amount_cols[p].name) for p in PARTS}
    # year -> post -> (line, {part: cell})
    by_year: dict[int, dict[str, tuple[int, dict[str, str]]]] = {}
    for i in range(raw.rows):
        line = raw.line(i)
        post = str(posts_col[i])
        values = {p: str(cells[p][i]) for p in PARTS}
        if not post and not any(values.values()):
            continue
        year = cell_year(str(years_col[i]), default_year, rel, line, findings)
        if year is None:
            continue
        pid = POST_BY_NAME.get(slug(post)) if post else None
        if pid is None:
            known = ", ".join(label for _, label, _ in POSTS)
            what = f"posten '{shown(post)}' är okänd" if post else "posten saknas"
            findings.append(
                error(
                    f"{what} och raden läses inte (kända poster: {known})",
                    file=rel,
                    line=line,
                    where="kolumn post",
                    code="pension-okand-post",
                )
            )
            continue
        rows = by_year.setdefault(year, {})
        if pid in rows:
            findings.append(
                error(
                    f"posten '{POST_LABEL[pid]}' för {year} står två gånger (rad {rows[pid][0]} och "
                    f"rad {line}); bara rad {rows[pid][0]} används",
                    file=rel,
                    line=line,
                    code="pension-dubblett",
                )
            )
            continue
        rows[pid] = (line, values)
    years: dict[int, PensionYear] = {}
    for year in sorted(by_year):
        years[year] = _year(year, by_year[year], years.get(year - 1), amount_cols, rel, findings)
    if not years:
        findings.append(error("pensionsfilen har inga rader", file=rel, code="pension-tom"))
        return None, findings
    return PensionFigures(rel, years), findings


def _year(
    year: int,
    rows: dict[str, tuple[int, dict[str, str]]],
    previous: PensionYear | None,
    amount_cols: Mapping[str, Any],
    rel: str,
    findings: list[Finding],
) -> PensionYear:
    grade: Decimal | None = None
    if "aktualiseringsgrad" in rows:
        line, values = rows["aktualiseringsgrad"]
        given = [(p, values[p]) for p in PARTS if values[p]]
        if given:
            grade = cell_percent(given[0][1], amount_cols[given[0][0]].name, rel, line, findings)
    parts: dict[str, PensionBalance] = {}
    for part in PARTS:
        amounts: dict[str, int] = {}
        sources: dict[str, dict[str, Any]] = {}
        for pid, (line, values) in rows.items():
            if pid == "aktualiseringsgrad" or not values[part]:
                continue
            ore = cell_ore(values[part], amount_cols[part], rel, line, findings)
            if ore is not None:
                amounts[pid] = ore
                sources[pid] = {"file": rel, "line": line, "where": f"kolumn {amount_cols[part].name}"}
        prev = previous.part(part) if previous is not None else None
        parts[part] = _balance(year, part, amounts, sources, prev, rows, rel, findings)
    first = min(line for line, _ in rows.values())
    closing_line = rows["utgaende"][0] if "utgaende" in rows else first
    return PensionYear(year, parts[AVSATTNING], parts[ANSVARSFORBINDELSE], grade, closing_line)


def _balance(
    year: int,
    part: str,
    amounts: dict[str, int],
    sources: dict[str, dict[str, Any]],
    prev: PensionBalance | None,
    rows: dict[str, tuple[int, dict[str, str]]],
    rel: str,
    findings: list[Finding],
) -> PensionBalance:
    what = "avsättning" if part == AVSATTNING else "ansvarsförbindelse"
    movements = {m: amounts[m] for m in MOVEMENTS if m in amounts}
    moved = sum(movements.values())
    opening, given_closing = amounts.get("ingaende"), amounts.get("utgaende")
    if opening is None:
        opening = (given_closing - moved) if given_closing is not None else (prev.closing if prev else 0)
        if given_closing is not None:
            sources["ingaende"] = dict(sources["utgaende"])
    closing_ore = opening + moved
    if given_closing is not None and given_closing != closing_ore:
        findings.append(
            error(
                f"utgående {what} {year} ({kr_text(given_closing)} kr) är inte ingående "
                f"({kr_text(opening)} kr) plus årets förändringar ({kr_text(moved)} kr), som ger "
                f"{kr_text(closing_ore)} kr; noten visar det senare",
                file=rel,
                line=rows["utgaende"][0],
                where=f"post {POST_LABEL['utgaende']}",
                code="pension-summa",
            )
        )
    if prev is not None and "ingaende" in amounts and prev.closing != opening:
        findings.append(
            warning(
                f"ingående {what} {year} ({kr_text(opening)} kr) är inte utgående {what} "
                f"{year - 1} ({kr_text(prev.closing)} kr)",
                file=rel,
                line=rows["ingaende"][0],
                code="pension-ingaende",
            )
        )
    given_tax = "sarskild_loneskatt" in amounts
    tax_closing = amounts["sarskild_loneskatt"] if given_tax else loneskatt(closing_ore)
    tax_opening = prev.loneskatt_closing if prev is not None else loneskatt(opening)
    return PensionBalance(opening, movements, closing_ore, tax_opening, tax_closing, given_tax, sources)


# ---------------------------------------------------------------------------
# Notes


def _columns(ctx: Context, figures: PensionFigures) -> list[tuple[str, PensionYear]]:
    out: list[tuple[str, PensionYear]] = []
    for cid, off in (("utfall", 0), ("utfall_fg", 1)):
        py = figures.years.get(ctx.year - off)
        if py is not None:
            out.append((cid, py))
    return out


def pension_note(ctx: Context, figures: PensionFigures, part: str, unit: Unit) -> Table | None:
    """Not Avsättningar för pensioner (``part`` avsättning) or Not Ansvarsförbindelse pensioner."""
    cols = _columns(ctx, figures)
    if not cols or cols[0][0] != "utfall":
        return None
    is_avs = part == AVSATTNING
    noun = "avsättning" if is_avs else "ansvarsförbindelse"
    cells: dict[str, dict[str, Cell]] = {}
    for cid, py in cols:
        b = py.part(part)
        src = b.sources

        fallback = {"file": figures.file, "line": py.closing_line}

        def put(
            row: str,
            ore: int,
            source: Mapping[str, Any] | None,
            description: str = "",
            cid: str = cid,
            fallback: Mapping[str, Any] = fallback,
        ) -> None:
            cells.setdefault(row, {})[cid] = money_cell(ore, dict(source or fallback), description)

        put(
            "ingaende",
            b.opening_total,
            src.get("ingaende"),
            f"inklusive särskild löneskatt {kr_text(b.loneskatt_opening)} kr",
        )
        for m in MOVEMENTS:
            if m in b.movements:
                put(m, b.movements[m], src.get(m))
        put(
            "loneskatt",
            b.loneskatt_closing - b.loneskatt_opening,
            src.get("sarskild_loneskatt") or src.get("utgaende"),
            "särskild löneskatt på utgående minus på ingående balans",
        )
        put(
            "varav_loneskatt",
            b.loneskatt_closing,
            src.get("sarskild_loneskatt") or src.get("utgaende"),
            "enligt pensionsfilen" if b.loneskatt_given else f"{LONESKATT} % av utgående balans",
        )
        if py.aktualiseringsgrad is not None:
            cells.setdefault("aktualiseringsgrad", {})[cid] = Cell(
                py.aktualiseringsgrad, {"file": figures.file, "line": py.closing_line}
            )
    if not is_avs and all(
        v.value == 0 for row, by_col in cells.items() if row != "aktualiseringsgrad" for v in by_col.values()
    ):
        return None
    movement_lines = [Line(m, POST_LABEL[m]) for m in MOVEMENTS]
    lines = [
        Line("ingaende", f"Ingående {noun}", show="always"),
        *movement_lines,
        Line("loneskatt", "Förändring av särskild löneskatt"),
        Line(
            "utgaende",
            f"Utgående {noun}",
            RowKind.TOTAL,
            parts=("ingaende", *MOVEMENTS, "loneskatt"),
            show="always",
        ),
        Line("varav_loneskatt", "varav särskild löneskatt", level=1),
        Line("aktualiseringsgrad", "Aktualiseringsgrad, %", show="data"),
    ]
    table_id = "not_avsattningar_pensioner" if is_avs else "not_ansvarsforbindelse_pensioner"
    title = (
        "Avsättningar för pensioner"
        if is_avs
        else "Ansvarsförbindelse för pensionsförpliktelser intjänade före 1998"
    )
    caption = (
        "Pensionsförpliktelser intjänade från 1998 enligt blandmodellen (6 kap. 4 § LKBR), "
        "inklusive särskild löneskatt."
        if is_avs
        else "Pensionsförpliktelser intjänade före 1998 redovisas som ansvarsförbindelse och "
        "inte bland avsättningarna (6 kap. 4 § LKBR), inklusive särskild löneskatt."
    )
    table = build_table(
        id=table_id,
        title=title,
        columns=[Column(cid, str(py.year)) for cid, py in cols],
        lines=lines,
        cells=cells,
        unit=unit,
        caption=caption,
        footnotes=(f"Källa: pensionsskuldsberäkning ({figures.file}).",),
    )
    table = with_percent_row(table, "aktualiseringsgrad", 0)
    return replace(table, identities=tuple(carried_forward(table, "ingaende", "utgaende")))


def ledger_mismatches(ctx: Context, figures: PensionFigures) -> list[Finding]:
    """The file's closing avsättning (with löneskatt) against the ledger's pension accounts."""
    out: list[Finding] = []
    for off in (0, 1):
        yd = ctx.yd(off)
        py = figures.years.get(ctx.year - off)
        if yd is None or py is None:
            continue
        accounts = sorted(
            a
            for a in yd.accounts()
            if is_balance_account(a) and ctx.chart.rad.get(a) == "avsattningar_pensioner"
        )
        ledger = -sum(closing(yd, a, off == 0) for a in accounts)
        shown_file = py.avsattning.closing_total
        if ledger == shown_file:
            continue
        where = f"kontona {', '.join(accounts)}" if accounts else "inga pensionskonton (221, 222)"
        out.append(
            error(
                f"pensionsfilens utgående avsättning för pensioner {py.year} är "
                f"{kr_text(shown_file)} kr inklusive särskild löneskatt, men huvudbokens saldo på "
                f"pensionskontona ({where}) är {kr_text(ledger)} kr (skillnad "
                f"{kr_text(shown_file - ledger)} kr); noten och balansräkningen visar olika belopp",
                file=figures.file,
                line=py.closing_line,
                code="pension-avsattning",
            )
        )
    return out


def equity_including_commitment(eget_kapital: Decimal, ansvarsforbindelse: Decimal) -> Decimal:
    """Eget kapital minus the pension ansvarsförbindelse (with löneskatt): the measure that sets
    the reservation limit of the resultatreserv at 1 % or 2 % (KL 11 kap. 14 §)."""
    return eget_kapital - ansvarsforbindelse


def closing_values(figures: PensionFigures, year: int) -> dict[str, Decimal]:
    """Named values of the pension figures for ``year`` (kronor, with löneskatt)."""
    py = figures.years.get(year)
    if py is None:
        return {}
    return {
        "ansvarsforbindelse_pensioner_ub": kronor(py.ansvarsforbindelse.closing_total),
        "avsattning_pensioner_ub": kronor(py.avsattning.closing_total),
    }
