"""Excel output: one sheet per table, numbers as numbers in the unit's format.

The cells hold the numbers exactly as the report shows them (rounded into the
table's unit, so sums add up on the sheet as in the report). Excel stores every
number as a binary float; that conversion happens here, at the very edge, and
only for already rounded display values.

Every sheet is also meant to be printed: long texts wrap in columns sized from
their content, each sheet fits the page width (landscape when the table is
wide), its header rows repeat, and the page header and footer name the table,
the organisation and the page. Tables the report does not place are kept as
data, listed apart on the index sheet and marked on their own sheet.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from bokslut.document import DRAFT_MARK, Document
from bokslut.render.numbers import format_number
from bokslut.render.reproducible import normalize_zip
from bokslut.render.tables import row_unit, table_view
from bokslut.table import ColumnKind, Rounded, Row, RowKind, Table, column_decimals

_BAD = re.compile(r"[\[\]:*?/\\]")

INDEX_INTRO = "Tabellerna i rapporten, en per blad."
EXTRA_HEADING = "Underlag som inte visas i rapporten"
EXTRA_INTRO = "Tabeller som har beräknats ur underlaget men inte är placerade i rapportens text."
EXTRA_MARK = "Underlag – tabellen visas inte i rapporten."
PAGE_NUMBER = "Sida &P av &N"

# Widths in Excel's character units. An A4 page with half-inch side margins holds
# about 95 units upright and 140 lying down at 100 %; wider sheets are scaled to fit.
PORTRAIT_WIDTH = 95
LABEL_WIDTH = (22, 45)  # the label column: at least, at most (longer labels wrap)
TEXT_WIDTH = (6, 32)  # other text columns
NUMBER_WIDTH = 9
INDENT_WIDTH = 2  # what one indent level takes from the label column
CHARS_PER_UNIT = 1.12  # running text is narrower than the digit Excel measures by
LINE_HEIGHT = {11: 15.0, 14: 19.0}  # points per line of wrapped text
HEADER_TITLE_MAX = 80


def _sheet_name(title: str, used: set[str]) -> str:
    base = _BAD.sub(" ", title).strip()[:31] or "Tabell"
    name, n = base, 2
    while name.lower() in used:
        suffix = f" ({n})"
        name = base[: 31 - len(suffix)] + suffix
        n += 1
    used.add(name.lower())
    return name


def _unit_suffix(unit: str) -> str:
    return f'" {unit.replace(chr(34), "")}"' if unit else ""


def _number_format(decimals: int, percent: bool, unit: str = "") -> str:
    """Swedish Excel shows the grouping and the decimal comma from these codes.

    A percentage has a space before "%" as in the report ("3,1 %"); a row whose
    unit no column states carries it in the format ("10 st").
    """
    frac = "." + "0" * decimals if decimals else ""
    if percent:
        return f"0{frac} %"
    suffix = _unit_suffix(unit)
    return f"#,##0{frac}{suffix};-#,##0{frac}{suffix}"


def _header_text(text: str, limit: int = HEADER_TITLE_MAX) -> str:
    """Text for a print header or footer: "&" escaped, long titles shortened."""
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text.replace("&", "&&")


@dataclass(frozen=True, slots=True)
class _Entry:
    title: str
    rounded: Rounded
    sheet: str
    placed: bool


def _entries(doc: Document) -> list[_Entry]:
    """Placed tables first, in reading order (with their note titles), then the rest by id."""
    used: set[str] = {"innehåll"}
    out: list[_Entry] = []
    seen: set[str] = set()
    for p in doc.placements():
        if p.table_id not in seen:
            seen.add(p.table_id)
            out.append(_Entry(p.title, p.rounded, _sheet_name(p.title, used), True))
    for tid in sorted(doc.tables):
        if tid not in seen:
            title = doc.tables[tid].table.title
            out.append(_Entry(title, doc.tables[tid], _sheet_name(title, used), False))
    return out


def _lines(text: str, width: float, font_size: int = 11, bold: bool = False, indent: int = 0) -> int:
    """How many lines ``text`` wraps to in a cell ``width`` units wide (greedy, by words).

    An estimate on the safe side: Excel and LibreOffice do not fit row heights to
    wrapped text on opening a file, so every wrapped row gets its height from here.
    """
    per_unit = CHARS_PER_UNIT * (0.95 if bold else 1.0) * 11 / font_size
    room = max(1.0, (width - 1 - indent * INDENT_WIDTH) * per_unit)
    lines = 0
    for paragraph in text.split("\n"):
        used = 0.0
        lines += 1
        for word in paragraph.split():
            need = len(word) if used == 0 else used + 1 + len(word)
            if need <= room:
                used = need
                continue
            if used:
                lines += 1
            lines += math.ceil(len(word) / room) - 1
            used = len(word) % room or room
    return max(1, lines)


def _longest_word(text: str) -> int:
    return max((len(w) for w in text.split()), default=0)


def _shown_number(value: Decimal, decimals: int, percent: bool, unit: str) -> str:
    text = format_number(value, decimals)
    if percent:
        return text + " %"
    return f"{text} {unit}" if unit else text


def _header_need(label: str) -> int:
    """A short header stays on one line; a long one may wrap to two, never inside a word."""
    if len(label) <= 14:
        return len(label) + 1
    return max(_longest_word(label), math.ceil(len(label) / 2)) + 1


def _column_widths(
    table: Table, rounded: Rounded, has_notes: bool, aligns: Sequence[tuple[str, int]]
) -> list[float]:
    """Widths from the content: labels and texts wide (and wrapped), figures narrow and even."""
    label_need = max(
        [len(r.label) + INDENT_WIDTH * r.level for r in table.rows] + [_longest_word(table.label_header)],
        default=0,
    )
    widths = [float(min(LABEL_WIDTH[1], max(LABEL_WIDTH[0], label_need + 1)))]
    if has_notes:
        widths.append(7.0)
    figures = NUMBER_WIDTH
    for col in table.columns:
        if col.kind is ColumnKind.TEXT:
            continue
        figures = max(figures, _header_need(col.label))
        for r in table.rows:
            value = rounded.get(r.id, col.id)
            if isinstance(value, Decimal):
                percent = (r.column_kind or col.kind) is ColumnKind.PERCENT
                shown = _shown_number(value, column_decimals(table, col, r), percent, row_unit(table, r))
                figures = max(figures, len(shown) + 2)
            elif isinstance(value, str):
                figures = max(figures, min(len(value), TEXT_WIDTH[1]) + 1)
    for col, (_, indent) in zip(table.columns, aligns, strict=True):
        if col.kind is not ColumnKind.TEXT:
            widths.append(float(figures))
            continue
        texts = [v for r in table.rows if isinstance(v := rounded.get(r.id, col.id), str)]
        need = max([len(t) for t in texts] + [0]) + 1
        longest_word = max([_longest_word(t) for t in texts] + [0]) + 1
        width = max(TEXT_WIDTH[0], _header_need(col.label), longest_word, min(need, TEXT_WIDTH[1]))
        widths.append(float(width + INDENT_WIDTH * indent))
    return widths


def _alignments(table: Table, rounded: Rounded) -> list[tuple[str, int]]:
    """Alignment and indent per value column: figures right, texts left, symbols centred.

    A text column right after a figure column is indented one step, so "90 %" and
    "minst 90 %" do not run together.
    """
    out: list[tuple[str, int]] = []
    previous_numeric = False
    for col in table.columns:
        if col.kind is not ColumnKind.TEXT:
            out.append(("right", 0))
            previous_numeric = True
            continue
        texts = [v for r in table.rows if isinstance(v := rounded.get(r.id, col.id), str) and v]
        if texts and all(len(t) == 1 for t in texts):
            out.append(("center", 0))
        else:
            out.append(("left", int(previous_numeric)))
        previous_numeric = False
    return out


class _Book:
    def __init__(self, wb: xlsxwriter.Workbook, doc: Document, entries: Sequence[_Entry]) -> None:
        self.wb = wb
        self.doc = doc
        self.note_numbers = {n.note_id: n.number for n in doc.notes}
        self.note_sheets = {e.rounded.table.id: e.sheet for e in entries}
        self.draft = doc.draft
        # Only a draft's workbook has the format, so a clean build's bytes do not depend on it.
        self.mark = (
            wb.add_format({"bold": True, "font_color": "#8A1010", "bg_color": "#FDE8E8"})
            if self.draft
            else None
        )
        self._formats: dict[tuple[tuple[str, object], ...], Format] = {}

    def style(self, **spec: object) -> Format:
        """One shared format per distinct look (Excel caps the number of formats)."""
        key = tuple(sorted((k, v) for k, v in spec.items() if v not in (None, False, 0, "")))
        if key not in self._formats:
            self._formats[key] = self.wb.add_format(dict(key))
        return self._formats[key]

    @property
    def title(self) -> Format:
        return self.style(bold=True, font_size=14, font_color="#1F4E79", text_wrap=True, valign="top")

    @property
    def muted(self) -> Format:
        return self.style(italic=True, font_color="#4A4A4A", text_wrap=True, valign="top")

    def mark_draft(self, ws: Worksheet) -> int:
        """In a draft, the first row says so; returns the rows used."""
        if not self.draft:
            return 0
        ws.write(0, 0, DRAFT_MARK, self.mark)
        return 1

    def print_setup(self, ws: Worksheet, title: str, width: float, repeat: tuple[int, int] | None) -> None:
        """A4 at page width; the header names the table and organisation, the footer the page."""
        tp = self.doc.title_page
        ws.set_paper(9)
        if width > PORTRAIT_WIDTH:
            ws.set_landscape()
        else:
            ws.set_portrait()
        ws.fit_to_pages(1, 0)
        ws.set_margins(left=0.5, right=0.5, top=0.9, bottom=0.8)
        if repeat is not None:
            ws.repeat_rows(*repeat)
        centre = f"&C&B{DRAFT_MARK}&B" if self.draft else ""
        ws.set_header(f"&L{_header_text(title)}{centre}&R{_header_text(tp.organisation, 60)}", margin=0.35)
        ws.set_footer(f"&L{_header_text(tp.title, 60)}&R{PAGE_NUMBER}", margin=0.35)

    def wrapped_row(
        self, ws: Worksheet, row: int, text: str, fmt: Format, widths: Sequence[float], size: int = 11
    ) -> None:
        """A line of text over the whole table's width, wrapped, with a height that shows all of it."""
        last = len(widths) - 1
        if last > 0:
            ws.merge_range(row, 0, row, last, text, fmt)
        else:
            ws.write_string(row, 0, text, fmt)
        ws.set_row(row, _lines(text, sum(widths), size) * LINE_HEIGHT[size])

    def index(self, ws: Worksheet, entries: Sequence[_Entry]) -> None:
        tp = self.doc.title_page
        width = 90.0
        ws.set_column(0, 0, width)
        top = self.mark_draft(ws)
        self.wrapped_row(ws, top, f"{tp.title} – {tp.organisation}", self.title, [width], 14)
        ws.write_string(top + 1, 0, INDEX_INTRO, self.muted)
        link = self.style(font_color="#0B57A4", underline=1, text_wrap=True, valign="top")

        def links(r: int, listed: Sequence[_Entry]) -> int:
            for entry in listed:
                ws.write_url(r, 0, f"internal:'{entry.sheet}'!A1", link, entry.title)
                lines = _lines(entry.title, width)
                if lines > 1:
                    ws.set_row(r, lines * LINE_HEIGHT[11])
                r += 1
            return r

        r = links(top + 3, [e for e in entries if e.placed])
        extra = [e for e in entries if not e.placed]
        if extra:
            heading = self.style(bold=True, font_size=12, font_color="#1F4E79")
            ws.write_string(r + 1, 0, EXTRA_HEADING, heading)
            ws.write_string(r + 2, 0, EXTRA_INTRO, self.muted)
            links(r + 4, extra)
        self.print_setup(ws, "Innehåll", width, None)

    def sheet(self, ws: Worksheet, entry: _Entry) -> None:
        rounded = entry.rounded
        table: Table = rounded.table
        view = table_view(rounded, self.note_numbers)
        has_notes = view.has_notes
        first = 1 + int(has_notes)
        aligns = _alignments(table, rounded)
        widths = _column_widths(table, rounded, has_notes, aligns)
        for j, w in enumerate(widths):
            ws.set_column(j, j, w)

        r = self.mark_draft(ws)
        self.wrapped_row(ws, r, entry.title, self.title, widths, 14)
        # The header is always on the sheet's fourth row (below a draft mark): the unit
        # and, for a table the report does not show, a mark of it in between.
        head_row = r + 3
        repeat_from = head_row
        if not entry.placed:
            ws.write_string(r + 2, 0, EXTRA_MARK, self.style(italic=True, bold=True, font_color="#7A4A00"))
            ws.set_tab_color("#A6A6A6")
            repeat_from = r + 2
        if view.unit_text:
            ws.write_string(r + 1, 0, view.unit_text, self.muted)
            repeat_from = r + 1
        head: dict[str, object] = {"bold": True, "bottom": 2, "text_wrap": True, "valign": "bottom"}
        ws.write_string(head_row, 0, table.label_header or "Post", self.style(**head, align="left"))
        if has_notes:
            ws.write_string(head_row, 1, "Not", self.style(**head, align="left"))
        lines = _lines(table.label_header or "Post", widths[0], bold=True)
        for j, col in enumerate(table.columns):
            align, indent = aligns[j]
            ws.write_string(head_row, first + j, col.label, self.style(**head, align=align, indent=indent))
            lines = max(lines, _lines(col.label, widths[first + j], bold=True, indent=indent))
        ws.set_row(head_row, lines * LINE_HEIGHT[11])
        ws.freeze_panes(head_row + 1, 1)

        for i, row in enumerate(table.rows):
            note = view.rows[i].note_number
            self.table_row(ws, head_row + 1 + i, rounded, row, note, has_notes, widths, aligns)

        notes_row = head_row + 2 + len(table.rows)
        for k, line in enumerate(view.footnotes):
            self.wrapped_row(ws, notes_row + k, line, self.muted, widths)
        self.print_setup(ws, entry.title, sum(widths), (repeat_from, head_row))

    def table_row(
        self,
        ws: Worksheet,
        r: int,
        rounded: Rounded,
        row: Row,
        note: int | None,
        has_notes: bool,
        widths: Sequence[float],
        aligns: Sequence[tuple[str, int]],
    ) -> None:
        table = rounded.table
        first = 1 + int(has_notes)
        bold = row.kind in (RowKind.SUBTOTAL, RowKind.TOTAL, RowKind.HEADING)
        top = 2 if row.kind is RowKind.TOTAL else (1 if row.kind is RowKind.SUBTOTAL else 0)
        look: dict[str, object] = {"bold": bold, "top": top, "valign": "top"}
        label = self.style(**look, text_wrap=True, align="left", indent=row.level)
        ws.write_string(r, 0, row.label, label)
        lines = _lines(row.label, widths[0], bold=bold, indent=row.level)
        if has_notes:
            if note is None:
                ws.write_blank(r, 1, None, self.style(**look))
            elif row.note in self.note_sheets:
                link = self.style(**look, font_color="#0B57A4", underline=1)
                ws.write_url(r, 1, f"internal:'{self.note_sheets[row.note]}'!A1", link, f"Not {note}")
            else:
                ws.write_string(r, 1, f"Not {note}", self.style(**look))
        unit = row_unit(table, row)
        for j, col in enumerate(table.columns):
            value = rounded.get(row.id, col.id)
            kind = row.column_kind or col.kind
            align, indent = aligns[j]
            c = first + j
            if isinstance(value, Decimal):
                percent = kind is ColumnKind.PERCENT
                number_format = _number_format(column_decimals(table, col, row), percent, unit)
                shown = value / 100 if percent else value
                ws.write_number(r, c, float(shown), self.style(**look, num_format=number_format))
            elif isinstance(value, str) and value:
                text = self.style(**look, text_wrap=True, align=align, indent=indent)
                ws.write_string(r, c, value, text)
                lines = max(lines, _lines(value, widths[c], bold=bold, indent=indent))
            elif col.id in row.values and row.values[col.id] is None:
                # A figure that is missing or withheld: the report shows "–" and its footnote says why.
                ws.write_string(r, c, "–", self.style(**look, align=align, indent=indent))
            else:
                ws.write_blank(r, c, None, self.style(**look))
        if lines > 1:
            ws.set_row(r, lines * LINE_HEIGHT[11])


def render_xlsx(doc: Document) -> bytes:
    buf = io.BytesIO()
    tp = doc.title_page
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    stamp = dt.datetime.combine(tp.closing_date, dt.time(12))
    wb.set_properties(
        {"title": f"{tp.title} – {tp.organisation}", "author": tp.organisation, "created": stamp}
    )
    entries = _entries(doc)
    book = _Book(wb, doc, entries)
    book.index(wb.add_worksheet("Innehåll"), entries)
    for entry in entries:
        book.sheet(wb.add_worksheet(entry.sheet), entry)
    wb.close()
    return normalize_zip(buf.getvalue(), tp.closing_date)
