"""A placed table as rows of display strings: shared by the HTML, PDF and Word renderers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from bokslut.render.numbers import UNIT_LABEL, format_number
from bokslut.table import Column, ColumnKind, Rounded, Row, RowKind, Table, column_decimals


@dataclass(frozen=True, slots=True)
class CellView:
    text: str
    numeric: bool


@dataclass(frozen=True, slots=True)
class RowView:
    id: str
    label: str
    kind: RowKind
    level: int
    note_id: str | None
    note_number: int | None
    cells: tuple[CellView, ...]

    @property
    def emphasised(self) -> bool:
        return self.kind in (RowKind.SUBTOTAL, RowKind.TOTAL, RowKind.HEADING)


@dataclass(frozen=True, slots=True)
class TableView:
    label_header: str
    has_notes: bool
    headers: tuple[str, ...]  # the value columns
    numeric_columns: tuple[bool, ...]
    rows: tuple[RowView, ...]
    unit_text: str  # "Belopp i tkr" or ""
    footnotes: tuple[str, ...]


def cell_text(rounded: Rounded, row_id: str, column_id: str) -> CellView:
    return _cell(rounded, rounded.table.row(row_id), rounded.table.column(column_id))


def _cell(rounded: Rounded, row: Row, col: Column) -> CellView:
    table = rounded.table
    row_id, column_id = row.id, col.id
    value = rounded.get(row_id, column_id)
    kind = row.column_kind or col.kind
    if value is None:
        # A value given as None is a figure that is missing or withheld (a small group,
        # a year without registrations); the table's footnote explains the dash.
        # A cell the row simply does not have stays empty.
        missing = column_id in row.values and row.values[column_id] is None
        return CellView("–" if missing else "", kind is not ColumnKind.TEXT)
    if isinstance(value, str):
        return CellView(value, False)
    decimals = column_decimals(table, col, row)
    text = format_number(Decimal(value), decimals)
    if kind is ColumnKind.PERCENT and not percent_only(table):
        # A percent figure among amounts or counts says so in the cell; a table of
        # percentages only says it once, in the caption ("Procent").
        text += "\u00a0%"
    elif unit := row_unit(table, row):
        text += f"\u00a0{unit}"
    return CellView(text, True)


def row_unit(table: Table, row: Row) -> str:
    """The unit a row's figures carry in their cells, when no column of the table shows it.

    Goal tables keep each indicator's unit in an "enhet" value. The flat layout shows
    it in an Enhet column; the hierarchical one has no room for another column on a
    page, so its Nuvärde and Prognos carry it ("4,8 veckor"), as "%" always is.
    """
    unit = row.values.get("enhet")
    if not isinstance(unit, str) or any(c.id == "enhet" for c in table.columns) or unit == "%":
        return ""
    return unit.strip()


def percent_only(table: Table) -> bool:
    return all(c.kind is ColumnKind.PERCENT for c in table.columns)


def table_view(rounded: Rounded, note_numbers: Mapping[str, int] | None = None) -> TableView:
    table = rounded.table
    notes = note_numbers or {}
    has_notes = any(r.note for r in table.rows)
    rows = tuple(
        RowView(
            r.id,
            r.label,
            r.kind,
            r.level,
            r.note,
            notes.get(r.note) if r.note else None,
            tuple(_cell(rounded, r, c) for c in table.columns),
        )
        for r in table.rows
    )
    unit_text = ""
    if table.unit is not None and any(c.kind is ColumnKind.MONEY for c in table.columns):
        unit_text = f"Belopp i {UNIT_LABEL[table.unit]}"
    elif percent_only(table):
        unit_text = "Procent"
    return TableView(
        table.label_header,
        has_notes,
        tuple(c.label for c in table.columns),
        tuple(c.kind is not ColumnKind.TEXT for c in table.columns),
        rows,
        unit_text,
        (*((table.sign_convention,) if table.sign_convention else ()), *table.footnotes),
    )
