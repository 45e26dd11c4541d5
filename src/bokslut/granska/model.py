"""The common document model every reader produces, and the discrepancies the checks return."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum

from bokslut.diagnostics import Finding, Level


@dataclass(frozen=True, slots=True)
class Place:
    """Where something is: a page (PDF) or a line (text, HTML) or a paragraph number (DOCX)."""

    file: str
    page: int | None = None
    line: int | None = None
    line_word: str = "rad"

    def text(self) -> str:
        if self.page is not None:
            return f"sida {self.page}"
        if self.line is not None:
            return f"{self.line_word} {self.line}"
        return ""


@dataclass(frozen=True, slots=True)
class TextBlock:
    text: str
    place: Place
    heading: bool = False


@dataclass(frozen=True, slots=True)
class Cell:
    """One shown number: its text as printed, its value, and the step it was rounded to."""

    text: str
    value: Decimal | None
    step: Decimal = Decimal(1)
    percent: bool = False
    unit: str | None = None  # a unit written in the cell itself ("1 579 tkr")


def amount(cell: Cell | None) -> Decimal | None:
    """The value a cell shows, or None for an empty cell."""
    return None if cell is None else cell.value


class RowKind(Enum):
    ITEM = "post"
    SUM = "summa"
    HEADING = "rubrik"
    EMPTY = "tom"
    VARAV = "varav"  # "varav" rows, shares and averages: beside the sums, never a part of one


@dataclass(frozen=True, slots=True)
class Row:
    label: str
    cells: tuple[Cell | None, ...]  # one per table column
    kind: RowKind
    place: Place
    note: int | None = None
    bold: bool = False


class Role(Enum):
    VALUE = "värde"
    BUDGET = "budget"
    OUTCOME = "utfall"
    FORECAST = "prognos"
    DEVIATION = "avvikelse"


@dataclass(frozen=True, slots=True)
class Column:
    heading: str
    role: Role
    year: int | None = None


@dataclass(frozen=True, slots=True)
class Table:
    title: str
    unit: str | None  # kr, tkr, mkr, %, st
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    place: Place
    percent: bool = False  # a table of shares or indexes: its "Totalt" is no sum

    def name(self) -> str:
        return self.title or "tabell utan rubrik"


@dataclass(frozen=True, slots=True)
class Document:
    file: str
    kind: str  # PDF, DOCX, HTML, text
    blocks: tuple[TextBlock, ...]
    tables: tuple[Table, ...]
    pages: int | None = None
    lines: int | None = None


@dataclass(frozen=True, slots=True)
class Discrepancy:
    """One contradiction (or rounding note) with the place it is seen and the values in conflict."""

    level: Level
    code: str
    message: str
    place: Place
    table: str | None = None
    row: str | None = None
    column: str | None = None
    quote: str = ""
    values: tuple[str, ...] = field(default_factory=tuple)

    def where(self) -> str:
        parts = [self.place.text()]
        if self.table:
            parts.append(f"tabell {self.table}")
        if self.row:
            parts.append(f"rad {self.row}")
        if self.column:
            parts.append(f"kolumn {self.column}")
        return ", ".join(p for p in parts if p)

    def finding(self) -> Finding:
        return Finding(self.level, self.message, file=self.place.file, where=self.where(), code=self.code)


class ReadError(Exception):
    """A file that cannot be read at all; the message is Swedish and names the file."""
