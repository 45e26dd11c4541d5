"""Yearly key figures (data/kpi/nyckeltal.*): NKI, NMI, recycled units and the like.

Columns: id (identifier, e.g. nki_kundtjanst), benamning (label), ar, varde,
and optionally enhet and tabell (rows with the same `tabell` form one table).
Values are kept exactly as written (Decimal), with the decimals written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from bokslut.diagnostics import Finding, error
from bokslut.tabular import ColumnSpec, read_table, text
from bokslut.workspace.config import Kpi

YEARLY_COLUMNS = (
    ColumnSpec("id"),
    ColumnSpec("benamning"),
    ColumnSpec("ar"),
    ColumnSpec("varde"),
    ColumnSpec("enhet", required=False),
    ColumnSpec("tabell", required=False),
)

IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True, slots=True)
class YearlyFigure:
    id: str
    label: str
    year: int
    value: Decimal
    unit: str
    table: str
    line: int


def read_yearly(path: Path, display: str, settings: Kpi) -> tuple[list[YearlyFigure], list[Finding]]:
    raw, findings = read_table(path, display, YEARLY_COLUMNS, settings.kolumner.nyckeltal)
    if raw is None:
        return [], findings
    cols = {c.name: text(raw, c.name) for c in YEARLY_COLUMNS}
    out: list[YearlyFigure] = []
    seen: dict[tuple[str, int], int] = {}

    def bad(line: int, column: str, message: str) -> None:
        findings.append(
            error(
                message,
                file=display,
                line=line,
                where=f"kolumn {raw.column_headers.get(column, column)}",
            )
        )

    for i in range(raw.rows):
        line = raw.first_row + i
        ident = str(cols["id"][i])
        if not IDENTIFIER.match(ident):
            bad(
                line,
                "id",
                f"'{ident}' är inget giltigt id (små bokstäver a–z, siffror och _, börjar med en bokstav)",
            )
            continue
        try:
            year = int(str(cols["ar"][i]))
        except ValueError:
            bad(line, "ar", f"'{cols['ar'][i]}' är inget årtal")
            continue
        raw_value = str(cols["varde"][i]).replace(" ", "").replace("\u00a0", "").replace(",", ".")
        try:
            value = Decimal(raw_value)
            if not value.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            bad(line, "varde", f"'{cols['varde'][i]}' är inget tal")
            continue
        if (ident, year) in seen:
            bad(line, "id", f"{ident} för {year} finns redan på rad {seen[(ident, year)]}")
            continue
        seen[(ident, year)] = line
        out.append(
            YearlyFigure(
                id=ident,
                label=str(cols["benamning"][i]) or ident,
                year=year,
                value=value,
                unit=str(cols["enhet"][i]),
                table=str(cols["tabell"][i]),
                line=line,
            )
        )
    return out, findings
