"""Word output: Word's own styles, measured tables, a written-out contents, charts as images.

The file is meant to be edited and restyled by the organisation: the text uses
Word's built-in styles (Title, Heading 1–3, Normal, Caption, List Bullet, TOC 1–2)
and tables one table style (``Rapporttabell``), with column widths measured from
their contents (:mod:`bokslut.render.docx_columns`), a header row repeated on
every page and rows that never split. The contents is a TOC field whose entries
we write out with estimated page numbers (:mod:`bokslut.render.docx_pages`), so
it reads right before anyone updates it; Word is asked to update the fields on
opening. Language, properties and settings: :mod:`bokslut.render.docx_package`.
"""

from __future__ import annotations

import datetime as dt
import io
import struct
from collections.abc import Mapping
from dataclasses import dataclass

from docx import Document as new_docx
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shape import InlineShape
from docx.shared import Cm, Emu, Length, Pt, RGBColor
from docx.text.paragraph import Paragraph as DocxParagraph

from bokslut.document import (
    DRAFT_MARK,
    Block,
    Chart,
    ChartPlacement,
    Document,
    Figure,
    Heading,
    Image,
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
    plain_text,
)
from bokslut.render.charts import charts_png
from bokslut.render.docx_columns import LEVEL_INDENT, plan_columns
from bokslut.render.docx_package import (
    TABLE_STYLE,
    add_styles,
    drop_template_leftovers,
    escape,
    tidy_settings,
)
from bokslut.render.docx_pages import LINE, PageTracker
from bokslut.render.raster import svg_as_png
from bokslut.render.reproducible import normalize_zip
from bokslut.render.tables import TableView, table_view
from bokslut.table import Rounded, RowKind

ACCENT = RGBColor(0x1F, 0x4E, 0x79)
MUTED = RGBColor(0x4A, 0x4A, 0x4A)
PAGE_WIDTH, PAGE_HEIGHT = Cm(21.0), Cm(29.7)
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = Cm(2.4), Cm(2.5), Cm(2.2)
TEXT_WIDTH = int((PAGE_WIDTH - 2 * MARGIN_X) / 635)  # twips (EMU / 635)
BODY_HEIGHT = (PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM) / 12700  # points
CHART_WIDTH = Cm(16)
TEXT_WIDTH_EMU = int(PAGE_WIDTH - 2 * MARGIN_X)
LOGO_HEIGHT_CM = 2.4
# A table of at most this many rows and this share of a page is kept on one page
# with its caption; a longer one may break, but neither its first nor its last
# three rows are left alone on a page.
KEEP_ROWS = 15
KEEP_SHARE = 0.5
FIRST_ROWS = 3
TOC_DEPTH = 2
HEADING_SIZES = {1: 20.0, 2: 14.0, 3: 11.5, 4: 10.5}


def _fld(paragraph: DocxParagraph, kind: str) -> None:
    run = OxmlElement("w:r")
    el = OxmlElement("w:fldChar")
    el.set(qn("w:fldCharType"), kind)
    run.append(el)
    paragraph._p.append(run)


def _field(paragraph: DocxParagraph, instruction: str, cached: str) -> None:
    """A Word field (PAGE, NUMPAGES) with the value shown until Word updates it."""
    _fld(paragraph, "begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    paragraph.add_run()._r.append(instr)
    _fld(paragraph, "separate")
    paragraph.add_run(cached)
    _fld(paragraph, "end")


def _t(text: str) -> str:
    return f'<w:t xml:space="preserve">{escape(text)}</w:t>'


def _png_size(png: bytes) -> tuple[int, int]:
    width, height = struct.unpack(">II", png[16:24])
    return int(width), int(height)


@dataclass(frozen=True, slots=True)
class _TocEntry:
    level: int
    text: str
    bookmark: str
    page: int


class _Writer:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.word: DocxDocument = new_docx()
        self._style_ids: dict[str, str] = {}
        self.pages = PageTracker(BODY_HEIGHT, TEXT_WIDTH)
        self._picture_height = 0.0  # points of pictures in the paragraph being written
        self.toc: list[_TocEntry] = []
        self._footer: DocxParagraph | None = None  # its cached page count is set last
        self._toc_end: DocxParagraph | None = None  # the contents' entries go before it
        # Every chart drawn in one Typst run (by object: a chart is placed once).
        charts = doc.charts()
        self._chart_pngs = {id(c): png for c, png in zip(charts, charts_png(charts), strict=True)}
        self._setup()

    # -- document setup -------------------------------------------------------

    def _setup(self) -> None:
        w = self.word
        tp = self.doc.title_page
        add_styles(w, TEXT_WIDTH)
        tidy_settings(w)
        drop_template_leftovers(w, tp.title, tp.organisation)
        styles = w.styles
        normal = styles["Normal"]
        normal.font.size = Pt(10.5)
        normal.paragraph_format.space_after = Pt(6)
        normal.paragraph_format.line_spacing = 1.05
        for level, size in HEADING_SIZES.items():
            style = styles[f"Heading {level}"]
            style.font.color.rgb = ACCENT
            style.font.size = Pt(size)
            fmt = style.paragraph_format
            fmt.space_before = Pt(0 if level == 1 else 14 if level == 2 else 10)
            fmt.space_after = Pt(12 if level == 1 else 4)
        # A chapter starts on a new page, as in the PDF.
        styles["Heading 1"].paragraph_format.page_break_before = True
        caption = styles["Caption"]
        caption.font.color.rgb = ACCENT
        caption.font.size = Pt(10)
        caption.paragraph_format.space_before = Pt(6)
        caption.paragraph_format.space_after = Pt(4)
        caption.paragraph_format.keep_with_next = True
        subtitle = styles["Subtitle"]
        num = subtitle.element.pPr.find(qn("w:numPr")) if subtitle.element.pPr is not None else None
        if num is not None:  # the template numbers its subtitle; a cover should not
            num.getparent().remove(num)
        subtitle.font.italic = False
        subtitle.font.color.rgb = MUTED
        title = styles["Title"]
        title.font.color.rgb = ACCENT
        title.font.size = Pt(32)
        title.font.bold = True
        for style in (title, subtitle):  # the template spreads the letters of both
            spacing = style.element.rPr.find(qn("w:spacing")) if style.element.rPr is not None else None
            if spacing is not None:
                spacing.getparent().remove(spacing)

        section = w.sections[0]
        section.page_height, section.page_width = PAGE_HEIGHT, PAGE_WIDTH
        section.left_margin = section.right_margin = MARGIN_X
        section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
        section.header_distance, section.footer_distance = Cm(1.2), Cm(1.0)
        section.different_first_page_header_footer = True
        header = section.header.paragraphs[0]
        header.style = styles["Header"]
        header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        run = header.add_run(f"{tp.organisation} – {tp.title}")
        run.font.size = Pt(8.5)
        run.font.color.rgb = MUTED
        if self.doc.draft:
            # Every page: the first page has a header of its own.
            for part in (section.header, section.first_page_header):
                mark = part.paragraphs[0].insert_paragraph_before(DRAFT_MARK)
                mark.alignment = WD_ALIGN_PARAGRAPH.CENTER
                mark.runs[0].bold = True
                mark.runs[0].font.color.rgb = RGBColor(0x8A, 0x10, 0x10)
        footer = section.footer.paragraphs[0]
        footer.style = styles["Footer"]
        footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
        footer.add_run("Sida ")
        _field(footer, "PAGE", "2")
        footer.add_run(" av ")
        _field(footer, "NUMPAGES", "2")
        self._footer = footer

        props = w.core_properties
        stamp = dt.datetime.combine(tp.closing_date, dt.time(12))
        props.title = f"{tp.title} – {tp.organisation}"
        props.subject = tp.subtitle
        props.author = tp.organisation
        props.last_modified_by = tp.organisation
        props.language = "sv-SE"
        props.created = stamp
        props.modified = stamp
        props.last_printed = stamp
        props.revision = 1
        props.comments = ""
        props.keywords = ""
        props.category = ""

    def paragraph(self, style: str | None = None) -> DocxParagraph:
        """A new paragraph; the style id is set directly (python-docx's name lookup is slow)."""
        para = self.word.add_paragraph()
        if style is not None:
            if style not in self._style_ids:
                self._style_ids[style] = self.word.styles[style].style_id
            para._p.style = self._style_ids[style]
        return para

    def append(self, element: BaseOxmlElement) -> None:
        body = self.word.element.body
        sect = body.find(qn("w:sectPr"))
        if sect is not None:
            sect.addprevious(element)
        else:
            body.append(element)

    # -- title page and contents ---------------------------------------------

    def title_page(self) -> None:
        tp = self.doc.title_page
        space = 14.0  # cm of free page between the period and the closing date
        if tp.logo is not None:
            data = svg_as_png(tp.logo.data, LOGO_HEIGHT_CM) if tp.logo.format == "svg" else tp.logo.data
            para = self.paragraph()
            para.paragraph_format.space_before = Cm(1.5)
            self.picture(para, data, tp.logo.alt, height=Cm(LOGO_HEIGHT_CM))
            space -= 1.5 + LOGO_HEIGHT_CM
        org = self.paragraph()
        org.paragraph_format.space_before = Cm(5 if tp.logo is None else 2)
        run = org.add_run(tp.organisation)
        run.font.size = Pt(14)
        run.font.color.rgb = MUTED
        if tp.tagline:
            para = self.paragraph()
            para.paragraph_format.space_before = Pt(2)
            run = para.add_run(tp.tagline)
            run.font.size = Pt(12)
            run.font.color.rgb = MUTED
            space -= 0.7
        self.paragraph("Title").add_run(tp.title)
        self.paragraph("Subtitle").add_run(tp.subtitle)
        if tp.decision:
            para = self.paragraph()
            para.paragraph_format.space_before = Cm(1)
            para.add_run(tp.decision)
            space -= 1.4
        stamp = self.paragraph()
        stamp.paragraph_format.space_before = Cm(max(space, 1.0))
        run = stamp.add_run(f"Bokslutsdatum {tp.closing_date.isoformat()}")
        run.font.size = Pt(9)
        run.font.color.rgb = MUTED
        # The contents' heading starts the next page (its style breaks the page).
        self.paragraph("TOC Heading").add_run("Innehåll")
        self._toc_end = self.paragraph()
        entries = len(self.doc.headings(TOC_DEPTH))
        toc_pages = max(1, -(-int(40 + entries * 17) // int(BODY_HEIGHT)))
        self.pages.page = 1 + toc_pages
        self.pages.used = BODY_HEIGHT  # the first chapter starts on a new page

    def contents(self) -> None:
        """The TOC field, its entries written out, before the marker left by ``title_page``."""
        assert self._toc_end is not None and self._footer is not None
        n = len(self.toc)
        for i, e in enumerate(self.toc):
            begin = (
                '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
                f'<w:r><w:instrText xml:space="preserve"> TOC \\o "1-{TOC_DEPTH}" \\h \\z \\u '
                "</w:instrText></w:r>"
                '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
                if i == 0
                else ""
            )
            end = '<w:r><w:fldChar w:fldCharType="end"/></w:r>' if i == n - 1 else ""
            xml = (
                f'<w:p {nsdecls("w")}><w:pPr><w:pStyle w:val="TOC{e.level}"/></w:pPr>{begin}'
                f'<w:hyperlink w:anchor="{e.bookmark}" w:history="1">'
                f"<w:r>{_t(e.text)}</w:r><w:r><w:tab/></w:r>"
                '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
                f'<w:r><w:instrText xml:space="preserve"> PAGEREF {e.bookmark} \\h </w:instrText></w:r>'
                '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
                f"<w:r>{_t(str(e.page))}</w:r>"
                '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
                f"</w:hyperlink>{end}</w:p>"
            )
            self._toc_end._p.addprevious(parse_xml(xml))
        self._toc_end._p.getparent().remove(self._toc_end._p)
        # The footer's cached "Sida X av Y" shows the estimated page count until Word updates it.
        cached = list(self._footer._p.iter(qn("w:t")))
        cached[-1].text = str(self.pages.page)

    # -- running text ---------------------------------------------------------

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
            elif isinstance(r, Image):
                shape = self.picture(paragraph, r.data, r.alt)
                self._picture_height += shape.height / 12700

    def picture(
        self, paragraph: DocxParagraph, data: bytes, alt: str, height: Length | None = None
    ) -> InlineShape:
        """A picture in the paragraph, no wider than the text column, with its alt text."""
        run = paragraph.add_run()
        shape = run.add_picture(io.BytesIO(data), height=height)
        if shape.width > TEXT_WIDTH_EMU:
            # Word shows a picture at the size its file gives; a wide one would run off the page.
            shape.height = Emu(int(shape.height * TEXT_WIDTH_EMU / shape.width))
            shape.width = Emu(TEXT_WIDTH_EMU)
        shape._inline.docPr.set("descr", alt)
        return shape

    def blocks(self, blocks: tuple[Block, ...], list_style: str | None = None) -> None:
        for b in blocks:
            self.block(b, list_style)

    def heading(self, b: Heading) -> None:
        level = min(b.level, 4)
        p = self.paragraph(f"Heading {level}")
        size = HEADING_SIZES[level]
        if level == 1 and self.pages.used > 0:
            self.pages.new_page()
        page = self.pages.heading(size * LINE + (12 if level == 1 else 18 if level == 2 else 12))
        if b.level > TOC_DEPTH:
            self.runs(p, b.runs)
            return
        number = len(self.toc) + 1
        name = f"_Toc{number:08d}"
        start = OxmlElement("w:bookmarkStart")
        start.set(qn("w:id"), str(number))
        start.set(qn("w:name"), name)
        p._p.append(start)
        self.runs(p, b.runs)
        end = OxmlElement("w:bookmarkEnd")
        end.set(qn("w:id"), str(number))
        p._p.append(end)
        self.toc.append(_TocEntry(b.level, plain_text(b.runs), name, page))

    def block(self, b: Block, list_style: str | None = None) -> None:
        if isinstance(b, Heading):
            self.heading(b)
        elif isinstance(b, Paragraph):
            self._picture_height = 0.0
            self.runs(self.paragraph(list_style), b.runs)
            self.pages.paragraph(plain_text(b.runs) + ("    " if list_style else ""))
            if self._picture_height:
                self.pages.block(self._picture_height)
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

    # -- tables -----------------------------------------------------------------

    def table(self, rounded: Rounded, title: str, note_numbers: Mapping[str, int] | None) -> None:
        view = table_view(rounded, note_numbers)
        caption = self.paragraph("Caption")
        caption.add_run(title)
        if view.unit_text:
            run = caption.add_run(f"   {view.unit_text}")
            run.bold = False
            run.font.color.rgb = MUTED
        xml, heights, keep = self._table_xml(view)
        self.append(parse_xml(xml))
        self.pages.rows([10 * LINE + 10 + heights[0], *heights[1:]], keep)
        for f in view.footnotes:
            para = self.paragraph()
            para.paragraph_format.space_before = Pt(3)
            para.paragraph_format.space_after = Pt(0)
            run = para.add_run(f)
            run.font.size = Pt(8.5)
            run.font.color.rgb = MUTED
            self.pages.paragraph(f, 8.5, 0)
        # Two tables need a paragraph between them; it also gives the space after a table.
        spacer = self.paragraph()
        spacer.paragraph_format.space_after = Pt(0)
        spacer.paragraph_format.line_spacing = 1.0
        self.pages.paragraph("", 10.5, 0)

    def _table_xml(self, view: TableView) -> tuple[str, list[float], bool]:
        plan = plan_columns(view, TEXT_WIDTH)
        widths = plan.widths
        size = plan.size_pt
        half_points = round(size * 2)
        line = size * LINE
        numeric = [False, *([False] if view.has_notes else []), *view.numeric_columns]
        header = [view.label_header, *(["Not"] if view.has_notes else []), *view.headers]
        heights: list[float] = []

        def cell(text: str, col: int, bold: bool, indent: int, borders: str, keep_next: bool) -> str:
            ppr = []
            if keep_next:
                ppr.append("<w:keepNext/>")
            ppr.append('<w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>')
            if indent:
                ppr.append(f'<w:ind w:left="{indent}"/>')
            if numeric[col]:
                ppr.append('<w:jc w:val="right"/>')
            weight = "<w:b/><w:bCs/>" if bold else ""
            rpr = f'{weight}<w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/>'
            run = f"<w:r><w:rPr>{rpr}</w:rPr>{_t(text)}</w:r>" if text else ""
            return (
                f'<w:tc><w:tcPr><w:tcW w:w="{widths[col]}" w:type="dxa"/>{borders}</w:tcPr>'
                f"<w:p><w:pPr>{''.join(ppr)}<w:rPr>{rpr}</w:rPr></w:pPr>{run}</w:p></w:tc>"
            )

        def height(texts: list[str], indent: int = 0) -> float:
            lines = max(
                self.pages.lines(t, size, widths[i] - 2 * plan.margin - (indent if i == 0 else 0))
                for i, t in enumerate(texts)
            )
            return lines * line + 2.8

        table_rows = [
            [
                r.label,
                *([f"Not\u00a0{r.note_number}" if r.note_number else ""] if view.has_notes else []),
                *(c.text for c in r.cells),
            ]
            for r in view.rows
        ]
        heights.append(height(header))
        heights += [
            height(values, LEVEL_INDENT * r.level) for values, r in zip(table_rows, view.rows, strict=True)
        ]
        keep = len(view.rows) <= KEEP_ROWS and sum(heights) <= KEEP_SHARE * BODY_HEIGHT
        count = len(view.rows)

        def keep_next(n: int) -> bool:
            """Row ``n`` stays on the page of the row after it."""
            if keep:
                return n < count - 1
            return n < FIRST_ROWS or count - FIRST_ROWS <= n < count - 1

        rows = [
            "<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>"
            + "".join(cell(h, i, True, 0, "", count > 0) for i, h in enumerate(header))
            + "</w:tr>"
        ]
        for n, (values, r) in enumerate(zip(table_rows, view.rows, strict=True)):
            borders = ""
            if r.kind is RowKind.TOTAL:
                borders = (
                    '<w:tcBorders><w:top w:val="single" w:sz="8" w:space="0" w:color="000000"/>'
                    '<w:bottom w:val="single" w:sz="8" w:space="0" w:color="000000"/></w:tcBorders>'
                )
            elif r.kind is RowKind.SUBTOTAL:
                borders = (
                    '<w:tcBorders><w:top w:val="single" w:sz="4" w:space="0" w:color="808080"/></w:tcBorders>'
                )
            indent = LEVEL_INDENT * r.level
            rows.append(
                "<w:tr><w:trPr><w:cantSplit/></w:trPr>"
                + "".join(
                    cell(v, i, r.emphasised, indent if i == 0 else 0, borders, keep_next(n))
                    for i, v in enumerate(values)
                )
                + "</w:tr>"
            )
        grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
        xml = (
            f"<w:tbl {nsdecls('w')}><w:tblPr>"
            f'<w:tblStyle w:val="{TABLE_STYLE}"/>'
            f'<w:tblW w:w="{sum(widths)}" w:type="dxa"/>'
            '<w:tblLayout w:type="fixed"/>'
            # The style has these margins too; LibreOffice reads them only from the table.
            f'<w:tblCellMar><w:left w:w="{plan.margin}" w:type="dxa"/>'
            f'<w:right w:w="{plan.margin}" w:type="dxa"/></w:tblCellMar>'
            '<w:tblLook w:val="0420" w:firstRow="1" w:lastRow="0" w:firstColumn="0" w:lastColumn="0"'
            ' w:noHBand="1" w:noVBand="1"/>'
            f"</w:tblPr><w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>"
        )
        return xml, heights, keep

    # -- charts -----------------------------------------------------------------

    def chart(self, chart: Chart) -> None:
        w = self.word
        caption = self.paragraph("Caption")
        caption.add_run(chart.title)
        png = self._chart_pngs[id(chart)]
        w.add_picture(io.BytesIO(png), width=CHART_WIDTH)
        doc_pr = w.inline_shapes[-1]._inline.docPr
        doc_pr.set("descr", chart.alt)
        doc_pr.set("title", chart.title)
        px_w, px_h = _png_size(png)
        self.pages.block(10 * LINE + 10 + CHART_WIDTH / 12700 * px_h / px_w + 6)
        unit = f" ({chart.unit_label})" if chart.unit_label else ""
        self.table(chart.data, f"Siffrorna i diagrammet{unit}", None)


def render_docx(doc: Document) -> bytes:
    w = _Writer(doc)
    w.title_page()
    for ch in doc.chapters:
        w.blocks(ch.blocks)
    w.contents()
    buf = io.BytesIO()
    w.word.save(buf)
    return normalize_zip(buf.getvalue(), doc.title_page.closing_date)
