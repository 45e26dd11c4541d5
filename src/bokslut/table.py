"""The table model every computed table is expressed in.

A :class:`Table` is plain data: columns, rows with stable ids, exact values
(``Decimal`` kronor for money, ``Decimal`` for other numbers, ``str`` for text)
and, for each value, the :class:`Source` that drill-down uses. Nothing here
knows about HTML, PDF or the store. Renderers take a table plus a
:class:`Rounded` view, made for the whole report at once by
:func:`bokslut.rounding.round_report` (docs/avrundning.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any, NamedTuple

Value = Decimal | str | None


class RowKind(StrEnum):
    ITEM = "item"
    SUBTOTAL = "subtotal"
    TOTAL = "total"
    HEADING = "heading"


class ColumnKind(StrEnum):
    MONEY = "money"  # exact kronor, shown in the table's unit
    PERCENT = "percent"  # a percentage (12.5 means 12,5 %), shown with `decimals`
    NUMBER = "number"  # a count or measure, shown with `decimals`
    TEXT = "text"


class Unit(StrEnum):
    KR = "kr"
    TKR = "tkr"
    MKR = "mkr"


UNIT_SCALE = {Unit.KR: Decimal(1), Unit.TKR: Decimal(1000), Unit.MKR: Decimal(1_000_000)}
UNIT_DECIMALS = {Unit.KR: 0, Unit.TKR: 0, Unit.MKR: 1}


@dataclass(frozen=True, slots=True)
class Source:
    """Where a value comes from, for drill-down and for the reader of the JSON.

    ``filter`` is JSON-able: e.g. ``{"accounts": ["3000-3999"], "from": "2023-01-01",
    "to": "2023-12-31", "objects": ["1:81141"], "sign": -1}`` or, for values that
    do not come from the ledger, ``{"file": "data/personal/franvaro.csv"}``.
    """

    filter: Mapping[str, Any]
    description: str = ""


@dataclass(frozen=True, slots=True)
class Column:
    id: str
    label: str
    kind: ColumnKind = ColumnKind.MONEY
    decimals: int | None = None  # for PERCENT/NUMBER; money follows the unit
    derived: tuple[str, str, str] | None = None  # (left column, "+" or "-", right column)


@dataclass(frozen=True, slots=True)
class Row:
    id: str
    label: str
    kind: RowKind = RowKind.ITEM
    values: Mapping[str, Value] = field(default_factory=dict)
    parts: tuple[str, ...] = ()  # row ids summed into this row; "-id" subtracts
    note: str | None = None  # id of the note table this row refers to
    quantity: str | None = None  # report-wide name: pinned, shown identically everywhere
    level: int = 0  # indentation in the layout
    sources: Mapping[str, Source] = field(default_factory=dict)
    column_kind: ColumnKind | None = None  # overrides the columns' kind for this row
    decimals: int | None = None


class CellRef(NamedTuple):
    """One cell of the report: table id, row id, column id."""

    table: str
    row: str
    column: str


@dataclass(frozen=True, slots=True)
class Identity:
    """A statement's definition says ``cell`` equals the signed sum of ``terms``.

    One term with sign ±1 makes the two cells the same quantity (Not 5's opening
    balance of a year and the closing balance of the year before); more terms make
    a linear identity (the cash flow's change in fordringar is minus the balance
    sheet's change). Rounding makes the shown values obey it whenever the exact
    values do.
    """

    cell: CellRef
    terms: tuple[tuple[int, CellRef], ...]
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Table:
    id: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    unit: Unit | None = Unit.TKR
    caption: str = ""  # longer description for screen readers and the caption
    sign_convention: str = ""  # stated when it differs from the statutory layout
    footnotes: tuple[str, ...] = ()
    label_header: str = ""  # header of the label column ("Verksamhet", "Mål", …)
    identities: tuple[Identity, ...] = ()  # definitions that tie cells together (see Identity)
    # Rows and columns by id, made once: a table of a dimension can have a row per object
    # (tens of thousands), and rounding, checks and charts look cells up by id.
    _rows: dict[str, Row] = field(init=False, repr=False, compare=False)
    _columns: dict[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # The first of two rows with one id is the one found, as a scan in order would.
        object.__setattr__(self, "_rows", {r.id: r for r in reversed(self.rows)})
        object.__setattr__(self, "_columns", {c.id: c for c in reversed(self.columns)})

    def row(self, row_id: str) -> Row:
        return self._rows[row_id]

    def column(self, column_id: str) -> Column:
        return self._columns[column_id]

    def value(self, row_id: str, column_id: str) -> Value:
        return self.row(row_id).values.get(column_id)

    def number(self, row_id: str, column_id: str) -> Decimal | None:
        """The exact number in a cell, or None when the row, column or number is missing."""
        try:
            v = self.value(row_id, column_id)
        except KeyError:
            return None
        return v if isinstance(v, Decimal) else None


def summed_rows(
    rows: Sequence[Row] | Mapping[str, Row], parts: Iterable[str], column_ids: Iterable[str]
) -> dict[str, Decimal]:
    """Exact sums of ``parts`` per column (helper for building sum rows). ``rows`` may be given
    by id already: a region's driftredovisning has hundreds of sum rows over thousands of rows."""
    by_id = rows if isinstance(rows, Mapping) else {r.id: r for r in rows}
    out: dict[str, Decimal] = {}
    for col in column_ids:
        total = Decimal(0)
        for part in parts:
            sign, rid = split_part(part)
            v = by_id[rid].values.get(col)
            if isinstance(v, Decimal):
                total += sign * v
        out[col] = total
    return out


def with_sums(table: Table) -> Table:
    """Fill each sum row's exact values from its parts (rows in dependency order)."""
    money_cols = [c.id for c in table.columns if c.kind is ColumnKind.MONEY and c.derived is None]
    rows: list[Row] = []
    by_id: dict[str, Row] = {}
    for r in table.rows:
        if r.parts:
            values = dict(r.values)
            values.update(summed_rows(by_id, r.parts, money_cols))
            r = replace(r, values=values)
        rows.append(r)
        by_id[r.id] = r
    return replace(table, rows=tuple(rows))


# ---------------------------------------------------------------------------
# Rounding


@dataclass(frozen=True, slots=True)
class RoundingConflict:
    """A constraint the shown values cannot meet; ``table/row/column`` is its main cell."""

    table: str
    row: str
    column: str
    message: str
    cells: tuple[CellRef, ...] = ()  # every cell of the constraint


@dataclass(frozen=True, slots=True)
class Rounded:
    """The shown numbers of one table in its unit: ``display[row][column]``."""

    table: Table
    display: Mapping[str, Mapping[str, Decimal | str | None]]
    conflicts: tuple[RoundingConflict, ...] = ()
    # (row, column) of sums shown one step off their own half-up rounding so that the
    # report adds up (the closest solution may move a subtotal rather than its parts).
    adjusted: tuple[tuple[str, str], ...] = ()

    def get(self, row_id: str, column_id: str) -> Decimal | str | None:
        return self.display.get(row_id, {}).get(column_id)


def split_part(part: str) -> tuple[int, str]:
    """A sum's part reference: (+1, id) or, for "-id", (-1, id)."""
    return (-1, part[1:]) if part.startswith("-") else (1, part)


def _quantize(value: Decimal, decimals: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def column_decimals(table: Table, column: Column, row: Row | None = None) -> int:
    kind = (row.column_kind if row and row.column_kind else None) or column.kind
    if row is not None and row.decimals is not None:
        return row.decimals
    if kind is ColumnKind.MONEY:
        return UNIT_DECIMALS[table.unit or Unit.KR]
    return column.decimals if column.decimals is not None else (1 if kind is ColumnKind.PERCENT else 0)


def display_plain(table: Table, col: Column, row: Row, value: Value) -> Decimal | str | None:
    """A value shown as computed: half-up in the table's unit (money) or the row's decimals."""
    if value is None or isinstance(value, str):
        return value
    kind = row.column_kind or col.kind
    if kind is ColumnKind.MONEY:
        unit = table.unit or Unit.KR
        return _quantize(value / UNIT_SCALE[unit], UNIT_DECIMALS[unit])
    return _quantize(value, column_decimals(table, col, row))
