"""Word (DOCX): paragraphs numbered in reading order, tables with the paragraph before them as title."""

from __future__ import annotations

from docx.document import Document as DocxDocument
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph

from bokslut.granska.grid import RawRow, RawTable, understand
from bokslut.granska.model import Document, Place, Table, TextBlock


def _bold(p: Paragraph) -> bool:
    runs = [r for r in p.runs if r.text.strip()]
    return bool(runs) and all(r.bold or (r.style is not None and r.style.font.bold) for r in runs)


def read_docx(doc: DocxDocument, file: str) -> Document:
    blocks: list[TextBlock] = []
    tables: list[Table] = []
    recent: list[str] = []
    n = 0
    for item in doc.iter_inner_content():
        if isinstance(item, Paragraph):
            text = " ".join(item.text.split())
            if not text:
                continue
            n += 1
            style = (item.style.name if item.style is not None else "") or ""
            heading = style.lower().startswith(("heading", "rubrik", "title"))
            blocks.append(TextBlock(text, Place(file, line=n, line_word="stycke"), heading))
            recent.append(text)
        elif isinstance(item, DocxTable):
            raw = _raw(item, file, n)
            raw.title = next((t for t in reversed(recent[-2:]) if len(t) <= 120), "")
            raw.context = recent[-3:]
            if (t := understand(raw)) is not None:
                tables.append(t)
            recent = []
    return Document(file, "DOCX", tuple(blocks), tuple(tables), lines=n)


def _raw(table: DocxTable, file: str, n: int) -> RawTable:
    rows: list[RawRow] = []
    for i, row in enumerate(table.rows):
        cells: list[str] = []
        bold = True
        seen: set[int] = set()
        for cell in row.cells:
            if id(cell._tc) in seen:  # a merged cell appears once per grid column
                cells.append("")
                continue
            seen.add(id(cell._tc))
            text = " ".join(cell.text.split())
            cells.append(text)
            if text and len(cells) > 1 and not all(_bold(p) for p in cell.paragraphs if p.text.strip()):
                bold = False
        header = i == 0 and _is_header_row(row)
        rows.append(
            RawRow(cells, Place(file, line=n, line_word="stycke"), bold and any(cells[1:]), header=header)
        )
    return RawTable(rows, Place(file, line=n, line_word="stycke"))


def _is_header_row(row: object) -> bool:
    tr = getattr(row, "_tr", None)
    pr = getattr(tr, "trPr", None)
    return pr is not None and any(el.tag.endswith("tblHeader") for el in pr)
