"""Table understanding: a grid of cell texts, as any reader finds it, becomes a :class:`Table`.

The reader knows where a cell is and whether it is bold; this module decides which
rows are headings, which columns hold numbers and what they mean (year, budget,
utfall, prognos, avvikelse), the unit, the note references and which rows are sums.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bokslut.granska.model import Cell, Column, Place, Role, Row, RowKind, Table
from bokslut.granska.numbers import NOTHING, parse_number


@dataclass(slots=True)
class RawRow:
    cells: list[str]
    place: Place
    bold: bool = False
    css: str = ""  # the row's class in HTML ("total", "subtotal", "heading")
    header: bool = False  # the reader knows it is a heading row (<thead>, PDF heading line)


@dataclass(slots=True)
class RawTable:
    rows: list[RawRow]
    place: Place
    title: str = ""
    context: list[str] = field(default_factory=list)  # the text just before the table


_UNIT = re.compile(
    r"(?<![\wåäö])(tkr|mkr|mnkr|kr|tusental kronor|tusen kronor|miljoner kronor|procent|%|st)(?![\wåäö])",
    re.IGNORECASE,
)
_UNIT_NAMES = {
    "tusental kronor": "tkr",
    "tusen kronor": "tkr",
    "miljoner kronor": "mkr",
    "mnkr": "mkr",
    "procent": "%",
}
_PERCENT_TITLE = re.compile(r"procent|andel|index|nki|nmi|frekvens|%|grad", re.IGNORECASE)
_CONTEXT_UNIT = re.compile(
    r"(?:belopp|siffror|tal|redovisas)\s+i\s+(tkr|mkr|kr|tusental kronor|miljoner kronor)|\((tkr|mkr|kr)\)",
    re.IGNORECASE,
)
_EXPLICIT_SUM = re.compile(r"^(summa|s:a|totalt|sammanlagt)(\W|$)|^total$", re.IGNORECASE)
_SUM_LABEL = re.compile(
    r"^(årets resultat|verksamhetens (nettokostnader|resultat)|"
    r"resultat efter|kassaflöde från|årets kassaflöde|medel från verksamheten|utgående)",
    re.IGNORECASE,
)
_SHARE = re.compile(r"%|procent|andel|genomsnitt|medelvärde|index", re.IGNORECASE)
_OWNERSHIP = re.compile(r"\(\s*\d+(?:,\d+)?\s?%[^)]*\)")
_VARAV = re.compile(r"(^|\W)varav(\W|$)", re.IGNORECASE)
_NUMBERED = re.compile(r"^(not\s*)?\d{1,3}[.:)]?\s+\D", re.IGNORECASE)
_NOTE = re.compile(r"^not\s*(\d{1,3})$", re.IGNORECASE)
_YEAR = re.compile(r"(?<!\d)(19[5-9]\d|20\d\d)(?!\d)")
_YYMMDD = re.compile(r"(?<!\d)(\d{2})(0[1-9]|1[0-2])([0-3]\d)(?!\d)")
_ROLE_WORDS = (
    (Role.DEVIATION, re.compile(r"avvikelse|avv\.|differens|diff\b", re.IGNORECASE)),
    (Role.BUDGET, re.compile(r"budget", re.IGNORECASE)),
    (Role.FORECAST, re.compile(r"prognos", re.IGNORECASE)),
    (Role.OUTCOME, re.compile(r"utfall|bokslut|redovisning|nuvärde", re.IGNORECASE)),
)


def unit_in(text: str) -> str | None:
    m = _UNIT.search(text)
    if m is None:
        return None
    u = m.group(1).lower()
    return _UNIT_NAMES.get(u, u)


def _is_number(text: str) -> bool:
    return parse_number(text) is not None or text.strip() in NOTHING


def _is_heading_cell(text: str) -> bool:
    t = text.strip()
    if not t:
        return True
    p = parse_number(t)
    if p is None:
        return True
    return p.step == 1 and 1950 <= p.value <= 2100 and " " not in t and not p.percent


def column_of(heading: str) -> Column:
    role = next((r for r, pattern in _ROLE_WORDS if pattern.search(heading)), Role.VALUE)
    year: int | None = None
    if m := _YEAR.search(heading):
        year = int(m.group(1))
    elif m := _YYMMDD.search(heading):
        year = 2000 + int(m.group(1))
    return Column(" ".join(heading.split()), role, year)


def understand(raw: RawTable) -> Table | None:
    """The table the grid shows, or None for a grid without numbers (a list of names, a layout table)."""
    rows = [r for r in raw.rows if any(c.strip() for c in r.cells)]
    if not rows:
        return None
    width = max(len(r.cells) for r in rows)
    for r in rows:
        r.cells += [""] * (width - len(r.cells))
    # Header rows: marked by the reader, or leading rows whose cells right of the label are words or years.
    n_head = 0
    while n_head < len(rows) and (
        rows[n_head].header
        or (
            n_head < 3
            and all(_is_heading_cell(c) for c in rows[n_head].cells[1:])
            and any(c.strip() for c in rows[n_head].cells[1:])
            and n_head + 1 < len(rows)
        )
    ):
        n_head += 1
    head, body = rows[:n_head], rows[n_head:]
    if not body:
        return None
    numeric = [
        j
        for j in range(1, width)
        if (filled := [r.cells[j] for r in body if r.cells[j].strip()])
        and sum(parse_number(c) is not None for c in filled) >= max(1, (len(filled) + 1) // 2)
        and all(_is_number(c) or _NOTE.match(c.strip()) for c in filled)
    ]
    if not numeric:
        return None
    note_cols = [
        j for j in range(1, width) if j not in numeric and any(_NOTE.match(r.cells[j].strip()) for r in body)
    ]
    label_cols = [j for j in range(width) if j not in numeric and j not in note_cols]
    headings = [" ".join(h.cells[j].strip() for h in head if h.cells[j].strip()) for j in range(width)]
    context = " ".join([raw.title, *(headings[j] for j in label_cols)])
    unit = unit_in(context) or _context_unit(raw.context)
    title = raw.title or next((headings[j] for j in label_cols if headings[j]), "")
    columns = tuple(column_of(headings[j]) for j in numeric)
    out_rows: list[Row] = []
    any_bold = any(r.bold or r.css for r in body)
    for r in body:
        label = " ".join(r.cells[j].strip() for j in label_cols if r.cells[j].strip())
        note: int | None = None
        for j in note_cols:
            if m := _NOTE.match(r.cells[j].strip()):
                note = int(m.group(1))
        cells: list[Cell | None] = []
        for j in numeric:
            text = r.cells[j].strip()
            if m := _NOTE.match(text):
                note = int(m.group(1))
                cells.append(None)
                continue
            p = parse_number(text)
            cells.append(None if p is None else Cell(text, p.value, p.step, p.percent, p.unit))
        out_rows.append(Row(label, tuple(cells), _kind(label, r, cells, any_bold), r.place, note, r.bold))
    percent = unit == "%" or bool(_PERCENT_TITLE.search(context))
    return Table(title, unit, columns, tuple(out_rows), raw.place, percent)


def _kind(label: str, raw: RawRow, cells: list[Cell | None], any_bold: bool) -> RowKind:
    # An owner's share in parentheses names a part ("Energi AB (60 %)"); it is no share row.
    named = _OWNERSHIP.sub("", label)
    if _VARAV.search(label) or (_SHARE.search(named) and any(c is not None for c in cells)):
        # "varav", a share or an average: shown beside the sums, never a part of one.
        return RowKind.VARAV
    if all(c is None for c in cells):
        heading = (
            raw.bold
            or raw.css.startswith("heading")
            or _NUMBERED.match(label)
            or (label.isupper() and len(label) > 3)
        )
        return RowKind.HEADING if heading else RowKind.EMPTY
    if label.lower().startswith("ingående"):
        return RowKind.ITEM
    bare = label.lstrip("-–− ").strip()
    if _EXPLICIT_SUM.match(bare) or raw.css in ("total", "subtotal") or raw.bold:
        return RowKind.SUM
    # "Årets resultat" is a sum in a resultaträkning and a line in a note: typography decides,
    # when the table has any.
    if _SUM_LABEL.match(bare) and not any_bold:
        return RowKind.SUM
    return RowKind.ITEM


def _context_unit(lines: list[str]) -> str | None:
    m = _CONTEXT_UNIT.search(" ".join(lines))
    if m is None:
        return None
    u = (m.group(1) or m.group(2)).lower()
    return _UNIT_NAMES.get(u, u)
