"""Yearly key figures (data/kpi/nyckeltal.*): NKI, NMI, recycled units and the like.

Columns: id (identifier, e.g. nki_kundtjanst), benamning (label), ar, varde,
and optionally enhet and tabell (rows with the same `tabell` form one table).
Values are kept exactly as written (Decimal), with the decimals written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from bokslut.diagnostics import Finding, error
from bokslut.tabular import DEFAULT_MAX_BYTES, ColumnSpec, read_table, shown, text
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
# ASCII digits only: "٢٠٢٣" and "²" are not a year, "1e400" not a key figure.
YEAR = re.compile(r"^(19[0-9]{2}|2[01][0-9]{2}|2200)$")
NUMBER = re.compile(r"^[+-]?[0-9]+([.,][0-9]+)?$")
MAX_VALUE = Decimal(10) ** 15


@dataclass(frozen=True, slots=True)
class YearlyFigure:
    id: str
    label: str
    year: int
    value: Decimal
    unit: str
    table: str
    line: int


def read_yearly(
    path: Path,
    display: str,
    settings: Kpi,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    root: Path | None = None,
) -> tuple[list[YearlyFigure], list[Finding]]:
    raw, findings = read_table(
        path, display, YEARLY_COLUMNS, settings.kolumner.nyckeltal, max_bytes, root=root
    )
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
        line = raw.line(i)
        ident = str(cols["id"][i])
        if not IDENTIFIER.match(ident):
            bad(
                line,
                "id",
                f"'{shown(ident)}' är inget giltigt id "
                "(små bokstäver a–z, siffror och _, börjar med en bokstav)",
            )
            continue
        year_text = str(cols["ar"][i])
        if not YEAR.match(year_text):
            bad(line, "ar", f"'{shown(year_text)}' är inget årtal (ÅÅÅÅ, 1900–2200)")
            continue
        year = int(year_text)
        raw_value = str(cols["varde"][i]).replace(" ", "").replace("\u00a0", "").replace("\u2212", "-")
        if not NUMBER.match(raw_value):
            bad(line, "varde", f"'{shown(cols['varde'][i])}' är inget tal (siffrorna 0–9, decimalkomma)")
            continue
        value = Decimal(raw_value.replace(",", "."))
        if abs(value) >= MAX_VALUE:
            bad(
                line,
                "varde",
                f"'{shown(cols['varde'][i])}' är för stort (högst 15 siffror före decimaltecknet)",
            )
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
