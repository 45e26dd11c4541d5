"""Operationell leasing as a note table (RKR R5): ``data/leasing.csv|xlsx``.

One row per leasing contract (or one row per year with the totals): optional ``avtal``
(its name), optional ``ar`` (the balance date's year; default the report year) and the
future minimum lease payments by when they fall due, ``inom_1_ar``, ``1_till_5_ar`` and
``senare_an_5_ar`` (kronor, or the same names with ``_tkr``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bokslut.diagnostics import Finding
from bokslut.statements.context import Context
from bokslut.statements.engine import Cell, Line, build_table, money_cell
from bokslut.statements.file_amounts import amount_columns, amount_specs, cell_ore, cell_year
from bokslut.table import Column, RowKind, Table, Unit
from bokslut.tabular import DEFAULT_MAX_BYTES, ColumnSpec, read_table, text

TABLE_ID = "not_leasing"
BUCKETS = (
    ("inom_1_ar", "Inom 1 år"),
    ("1_till_5_ar", "Senare än 1 år men inom 5 år"),
    ("senare_an_5_ar", "Senare än 5 år"),
)


@dataclass(frozen=True, slots=True)
class LeaseRow:
    year: int
    contract: str
    amounts: dict[str, int]  # bucket -> öre
    file: str
    line: int


def read_leasing(
    path: Path, rel: str, default_year: int, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[list[LeaseRow], list[Finding]]:
    names = tuple(b for b, _ in BUCKETS)
    specs = (ColumnSpec("ar", required=False), ColumnSpec("avtal", required=False), *amount_specs(names))
    raw, findings = read_table(path, rel, specs, max_bytes=max_bytes)
    if raw is None:
        return [], findings
    cols, missing = amount_columns(raw, names, rel)
    findings += missing
    if missing:
        return [], findings
    years, contracts = text(raw, "ar"), text(raw, "avtal")
    cells = {b: text(raw, cols[b].name) for b in names}
    out: list[LeaseRow] = []
    for i in range(raw.rows):
        line = raw.line(i)
        if not any(str(cells[b][i]) for b in names):
            continue
        before = len(findings)
        year = cell_year(str(years[i]), default_year, rel, line, findings)
        amounts = {
            b: (cell_ore(str(cells[b][i]), cols[b], rel, line, findings) if str(cells[b][i]) else 0)
            for b in names
        }
        if year is None or len(findings) > before:
            continue
        out.append(LeaseRow(year, str(contracts[i]), {b: a or 0 for b, a in amounts.items()}, rel, line))
    return out, findings


def not_leasing(ctx: Context, rows: list[LeaseRow], file: str, unit: Unit) -> Table | None:
    years = {"utfall": ctx.year, "utfall_fg": ctx.year - 1}
    present = {r.year for r in rows}
    if ctx.year not in present:
        return None
    cells: dict[str, dict[str, Cell]] = {}
    columns: list[Column] = []
    for cid, year in years.items():
        if year not in present:
            continue
        columns.append(Column(cid, str(year)))
        for b, _ in BUCKETS:
            cells.setdefault(b, {})[cid] = money_cell(
                sum(r.amounts[b] for r in rows if r.year == year), {"file": file}
            )
    lines = [
        *(Line(b, label, show="always") for b, label in BUCKETS),
        Line(
            "summa",
            "Summa framtida minimileaseavgifter",
            RowKind.TOTAL,
            parts=tuple(b for b, _ in BUCKETS),
            show="always",
        ),
    ]
    return build_table(
        id=TABLE_ID,
        title="Operationell leasing",
        columns=columns,
        lines=lines,
        cells=cells,
        unit=unit,
        caption="Sammanlagt belopp per balansdagen av framtida minimileaseavgifter för operationella "
        "leasingavtal, efter när de förfaller till betalning.",
    )
