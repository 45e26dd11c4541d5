"""Word output: real heading styles, real tables, a table-of-contents field, charts as images.

The file is meant to be edited and restyled by the organisation: everything
uses Word's built-in styles (Title, Heading 1–3, Caption, List Bullet), tables
are Word tables with a repeating header row, and the contents is a TOC field
that Word fills in when the document is opened (``updateFields``).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping

from docx import Document as new_docx
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Cm, Pt, RGBColor
from docx.table import _Cell
from docx.text.paragraph import Paragraph as DocxParagraph

from bokslut.document import (
    DRAFT_MARK,
    Block,
    Chart,
    ChartPlacement,
    Document,
    Figure,
    Heading,
    Inline,
    LineBreak,
    Link,
    ListBlock,
    NoteRef,
    Paragraph,
    Quote,
    Styled,
    TablePlacement,
    Text,
)
from bokslut.render.charts import chart_png
from bokslut.render.reproducible import normalize_zip
from bokslut.render.tables import table_view
from bokslut.table import Rounded, RowKind

ACCENT = RGBColor(0x1F, 0x4E, 0x79)


def _field(paragraph: DocxParagraph, instruction: str, placeholder: str) -> None:
    """A Word field (TOC, PAGE) as begin/instr/separate/result/end runs."""

    def fld(kind: str) -> BaseOxmlElement:
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        if kind == "begin":
            el.set(qn("w:dirty"), "true")
        return el

    run = paragraph.add_run()
    run._r.append(fld("begin"))
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run = paragraph.add_run()
    run._r.append(instr)
    paragraph.add_run()._r.append(fld("separate"))
    paragraph.add_run(placeholder)
    paragraph.add_run()._r.append(fld("end"))


def _border(cell: _Cell, edge: str, size: int) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    borders = tc_pr.find(qn("w:tcBorders"))
    if borders is None:
        borders = OxmlElement("w:tcBorders")
        tc_pr.append(borders)
    el = OxmlElement(f"w:{edge}")
    el.set(qn("w:val"), "single")
    el.set(qn("w:sz"), str(size))
    el.set(qn("w:color"), "000000" if size >= 8 else "808080")
    borders.append(el)


class _Writer:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.word: DocxDocument = new_docx()
        self._style_ids: dict[str, str] = {}
        self._setup()

    def _setup(self) -> None:
        w = self.word
        tp = self.doc.title_page
        styles = w.styles
        normal = styles["Normal"]
        normal.font.name = "Georgia"
        normal.font.size = Pt(10.5)
        rpr = normal.element.get_or_add_rPr()
        lang = OxmlElement("w:lang")
        lang.set(qn("w:val"), "sv-SE")
        rpr.append(lang)
        for level in (1, 2, 3):
            styles[f"Heading {level}"].font.color.rgb = ACCENT
        section = w.sections[0]
        section.page_height, section.page_width = Cm(29.7), Cm(21.0)
        section.left_margin = section.right_margin = Cm(2.4)
        section.different_first_page_header_footer = True
        header = section.header.paragraphs[0]
        header.text = f"{tp.organisation} – {tp.title}"
        header.style = w.styles["Header"]
        if self.doc.draft:
            # Every page: the first page has a header of its own.
            for part in (section.header, section.first_page_header):
                mark = part.paragraphs[0].insert_paragraph_before(DRAFT_MARK)
                mark.alignment = WD_ALIGN_PARAGRAPH.CENTER
                mark.runs[0].bold = True
                mark.runs[0].font.color.rgb = RGBColor(0x8A, 0x10, 0x10)
        footer = section.footer.paragraphs[0]
        footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _field(footer, "PAGE", "1")
        settings = w.settings.element
        update = OxmlElement("w:updateFields")
        update.set(qn("w:val"), "true")
        settings.append(update)
        props = w.core_properties
        stamp = dt.datetime.combine(tp.closing_date, dt.time(12))
        props.title = f"{tp.title} – {tp.organisation}"
        props.author = tp.organisation
        props.last_modified_by = tp.organisation
        props.language = "sv-SE"
        props.created = stamp
        props.modified = stamp
        props.last_printed = stamp
        props.revision = 1
        props.comments = ""

    def paragraph(self, style: str | None = None) -> DocxParagraph:
        """A new paragraph; the style id is set directly (python-docx's name lookup is slow)."""
        para = self.word.add_paragraph()
        if style is not None:
            if style not in self._style_ids:
                self._style_ids[style] = self.word.styles[style].style_id
            para._p.style = self._style_ids[style]
        return para

    def title_page(self) -> None:
        w, tp = self.word, self.doc.title_page
        for _ in range(6):
            w.add_paragraph()
        org = w.add_paragraph(tp.organisation)
        org.runs[0].font.size = Pt(14)
        w.add_paragraph(tp.title, style="Title")
        w.add_paragraph(tp.subtitle, style="Subtitle")
        w.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        w.add_paragraph(
            "Innehåll",
            style="TOC Heading" if "TOC Heading" in [s.name for s in w.styles] else "Heading 1",
        )
        _field(
            w.add_paragraph(),
            'TOC \\o "1-3" \\h \\z \\u',
            "Innehållsförteckningen fylls i när dokumentet öppnas (högerklicka och välj Uppdatera fält).",
        )
        w.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def runs(
        self,
        paragraph: DocxParagraph,
        runs: tuple[Inline, ...],
        bold: bool = False,
        italic: bool = False,
    ) -> None:
        for r in runs:
            if isinstance(r, Text | Figure):
                run = paragraph.add_run(r.text)
                run.bold = bold or None
                run.italic = italic or None
            elif isinstance(r, Styled):
                if r.style == "code":
                    run = paragraph.add_run("".join(x.text for x in r.children if isinstance(x, Text)))
                    run.font.name = "Courier New"
                else:
                    self.runs(
                        paragraph,
                        r.children,
                        bold or r.style == "strong",
                        italic or r.style == "em",
                    )
            elif isinstance(r, Link):
                self.runs(paragraph, r.children, bold, italic)
                paragraph.add_run(f" ({r.href})")
            elif isinstance(r, NoteRef):
                paragraph.add_run(f"not {r.number}")
            elif isinstance(r, LineBreak):
                paragraph.add_run().add_break()

    def blocks(self, blocks: tuple[Block, ...], list_style: str | None = None) -> None:
        for b in blocks:
            self.block(b, list_style)

    def block(self, b: Block, list_style: str | None = None) -> None:
        if isinstance(b, Heading):
            p = self.paragraph(f"Heading {min(b.level, 4)}")
            self.runs(p, b.runs)
        elif isinstance(b, Paragraph):
            self.runs(self.paragraph(list_style), b.runs)
        elif isinstance(b, ListBlock):
            style = "List Number" if b.ordered else "List Bullet"
            for item in b.items:
                for sub in item:
                    self.block(sub, style if isinstance(sub, Paragraph) else None)
        elif isinstance(b, Quote):
            self.blocks(b.blocks, "Quote")
        elif isinstance(b, TablePlacement):
            self.table(b.rounded, b.title, b.note_numbers)
        else:
            assert isinstance(b, ChartPlacement)
            self.chart(b.chart)

    def table(self, rounded: Rounded, title: str, note_numbers: Mapping[str, int] | None) -> None:
        w = self.word
        view = table_view(rounded, note_numbers)
        caption = self.paragraph("Caption")
        caption.add_run(title).bold = True
        if view.unit_text:
            caption.add_run(f"   {view.unit_text}")
        caption.paragraph_format.keep_with_next = True
        ncols = 1 + int(view.has_notes) + len(view.headers)
        table = w.add_table(rows=1, cols=ncols)
        table.alignment = WD_TABLE_ALIGNMENT.LEFT
        header = [view.label_header, *(["Not"] if view.has_notes else []), *view.headers]
        numeric = [False, *([False] if view.has_notes else []), *view.numeric_columns]
        for i, (text, num) in enumerate(zip(header, numeric, strict=True)):
            cell = table.rows[0].cells[i]
            para = cell.paragraphs[0]
            para.add_run(text).bold = True
            if num:
                para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            _border(cell, "bottom", 8)
        tr_pr = table.rows[0]._tr.get_or_add_trPr()
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        tr_pr.append(repeat)
        for r in view.rows:
            cells = table.add_row().cells
            values = [
                r.label,
                *([f"Not\u00a0{r.note_number}" if r.note_number else ""] if view.has_notes else []),
                *(c.text for c in r.cells),
            ]
            for i, (text, num) in enumerate(zip(values, numeric, strict=True)):
                para = cells[i].paragraphs[0]
                run = para.add_run(text)
                run.bold = r.emphasised or None
                if num:
                    para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                if i == 0 and r.level:
                    para.paragraph_format.left_indent = Cm(0.4 * r.level)
                if r.kind is RowKind.TOTAL:
                    _border(cells[i], "top", 8)
                    _border(cells[i], "bottom", 8)
                elif r.kind is RowKind.SUBTOTAL:
                    _border(cells[i], "top", 4)
        for f in view.footnotes:
            w.add_paragraph(f).runs[0].font.size = Pt(8.5)
        w.add_paragraph()

    def chart(self, chart: Chart) -> None:
        w = self.word
        caption = self.paragraph("Caption")
        caption.add_run(chart.title).bold = True
        caption.paragraph_format.keep_with_next = True
        w.add_picture(io.BytesIO(chart_png(chart)), width=Cm(16))
        doc_pr = w.inline_shapes[-1]._inline.docPr
        doc_pr.set("descr", chart.alt)
        doc_pr.set("title", chart.title)
        unit = f" ({chart.unit_label})" if chart.unit_label else ""
        self.table(chart.data, f"Siffrorna i diagrammet{unit}", None)


def render_docx(doc: Document) -> bytes:
    w = _Writer(doc)
    w.title_page()
    for ch in doc.chapters:
        w.blocks(ch.blocks)
    buf = io.BytesIO()
    w.word.save(buf)
    return normalize_zip(buf.getvalue(), doc.title_page.closing_date)
