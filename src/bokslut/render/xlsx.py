"""Excel output: one sheet per table, numbers as numbers in the unit's format.

The cells hold the numbers exactly as the report shows them (rounded into the
table's unit, so sums add up on the sheet as in the report). Excel stores every
number as a binary float; that conversion happens here, at the very edge, and
only for already rounded display values.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from bokslut.document import DRAFT_MARK, Document
from bokslut.render.numbers import UNIT_LABEL
from bokslut.render.reproducible import normalize_zip
from bokslut.table import ColumnKind, Rounded, RowKind, Table, column_decimals

_BAD = re.compile(r"[\[\]:*?/\\]")


def _sheet_name(title: str, used: set[str]) -> str:
    base = _BAD.sub(" ", title).strip()[:31] or "Tabell"
    name, n = base, 2
    while name.lower() in used:
        suffix = f" ({n})"
        name = base[: 31 - len(suffix)] + suffix
        n += 1
    used.add(name.lower())
    return name


def _number_format(decimals: int, percent: bool) -> str:
    frac = "." + "0" * decimals if decimals else ""
    if percent:
        return f"0{frac}%"
    return f"#,##0{frac};-#,##0{frac}"


def _ordered_tables(doc: Document) -> list[tuple[str, Rounded]]:
    """Placed tables first, in reading order (with their note titles), then the rest by id."""
    out: list[tuple[str, Rounded]] = []
    seen: set[str] = set()
    for p in doc.placements():
        if p.table_id not in seen:
            seen.add(p.table_id)
            out.append((p.title, p.rounded))
    for tid in sorted(doc.tables):
        if tid not in seen:
            out.append((doc.tables[tid].table.title, doc.tables[tid]))
    return out


class _Book:
    def __init__(self, wb: xlsxwriter.Workbook, note_numbers: dict[str, int], draft: bool = False) -> None:
        self.wb = wb
        self.note_numbers = note_numbers
        self.draft = draft
        # Only a draft's workbook has the format, so a clean build's bytes are as before.
        self.mark = (
            wb.add_format({"bold": True, "font_color": "#8A1010", "bg_color": "#FDE8E8"}) if draft else None
        )
        self.title = wb.add_format({"bold": True, "font_size": 14, "font_color": "#1F4E79"})
        self.muted = wb.add_format({"italic": True, "font_color": "#4A4A4A"})
        self.head = wb.add_format({"bold": True, "bottom": 2, "text_wrap": True, "valign": "bottom"})
        self.head_num = wb.add_format(
            {"bold": True, "bottom": 2, "align": "right", "text_wrap": True, "valign": "bottom"}
        )
        self.link = wb.add_format({"font_color": "#0B57A4", "underline": 1})
        self._formats: dict[tuple[str, int, bool, bool, int], Format] = {}

    def fmt(
        self, kind: str, decimals: int = 0, percent: bool = False, bold: bool = False, top: int = 0
    ) -> Format:
        key = (kind, decimals, percent, bold, top)
        if key not in self._formats:
            spec: dict[str, object] = {"bold": bold}
            if top:
                spec["top"] = top
            if kind == "num":
                spec["num_format"] = _number_format(decimals, percent)
            self._formats[key] = self.wb.add_format(spec)
        return self._formats[key]

    def mark_draft(self, ws: Worksheet) -> int:
        """In a draft, the first row and the print header say so; returns the rows used."""
        if not self.draft:
            return 0
        ws.write(0, 0, DRAFT_MARK, self.mark)
        ws.set_header(f"&C&B{DRAFT_MARK}")
        return 1

    def sheet(self, ws: Worksheet, title: str, rounded: Rounded) -> None:
        table: Table = rounded.table
        skip = self.mark_draft(ws)
        ws.write(skip, 0, title, self.title)
        has_money = any(c.kind is ColumnKind.MONEY for c in table.columns)
        if table.unit is not None and has_money:
            ws.write(skip + 1, 0, f"Belopp i {UNIT_LABEL[table.unit]}", self.muted)
        has_notes = any(r.note for r in table.rows)
        first = 1 + int(has_notes)
        ws.write(skip + 3, 0, table.label_header or "Post", self.head)
        if has_notes:
            ws.write(skip + 3, 1, "Not", self.head)
        for j, col in enumerate(table.columns):
            ws.write(
                skip + 3, first + j, col.label, self.head if col.kind is ColumnKind.TEXT else self.head_num
            )
        widest = max((len(r.label) + 2 * r.level for r in table.rows), default=10)
        ws.set_column(0, 0, max(24, min(60, widest + 2)))
        ws.set_column(first, first + len(table.columns) - 1, 13)
        ws.freeze_panes(skip + 4, 1)
        for i, row in enumerate(table.rows):
            r = skip + 4 + i
            bold = row.kind in (RowKind.SUBTOTAL, RowKind.TOTAL, RowKind.HEADING)
            top = 2 if row.kind is RowKind.TOTAL else (1 if row.kind is RowKind.SUBTOTAL else 0)
            text = self.fmt("text", bold=bold, top=top)
            ws.write_string(r, 0, ("  " * row.level) + row.label, text)
            if has_notes:
                number = self.note_numbers.get(row.note or "")
                ws.write_string(r, 1, f"Not {number}" if number else "", text)
            for j, col in enumerate(table.columns):
                value = rounded.get(row.id, col.id)
                kind = row.column_kind or col.kind
                if isinstance(value, Decimal):
                    decimals = column_decimals(table, col, row)
                    percent = kind is ColumnKind.PERCENT
                    number_value = value / 100 if percent else value
                    ws.write_number(
                        r,
                        first + j,
                        float(number_value),
                        self.fmt("num", decimals, percent, bold, top),
                    )
                elif isinstance(value, str):
                    ws.write_string(r, first + j, value, text)
                else:
                    ws.write_blank(r, first + j, None, text)
        notes = [table.sign_convention, *table.footnotes]
        for k, line in enumerate(n for n in notes if n):
            ws.write(skip + 5 + len(table.rows) + k, 0, line, self.muted)


def render_xlsx(doc: Document) -> bytes:
    buf = io.BytesIO()
    tp = doc.title_page
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    stamp = dt.datetime.combine(tp.closing_date, dt.time(12))
    wb.set_properties(
        {"title": f"{tp.title} – {tp.organisation}", "author": tp.organisation, "created": stamp}
    )
    book = _Book(wb, {n.note_id: n.number for n in doc.notes}, doc.draft)
    used: set[str] = {"innehåll"}
    index = wb.add_worksheet("Innehåll")
    top = book.mark_draft(index)
    index.write(top, 0, f"{tp.title} – {tp.organisation}", book.title)
    index.write(top + 1, 0, "Tabellerna i rapporten, en per blad.", book.muted)
    index.set_column(0, 0, 60)
    for n, (title, rounded) in enumerate(_ordered_tables(doc)):
        name = _sheet_name(title, used)
        index.write_url(top + 3 + n, 0, f"internal:'{name}'!A1", book.link, title)
        book.sheet(wb.add_worksheet(name), title, rounded)
    wb.close()
    return normalize_zip(buf.getvalue(), tp.closing_date)
