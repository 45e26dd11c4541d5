"""The PDF is tagged for accessibility (PDF/UA-1): checked on the produced file with pikepdf."""

import io
from collections import Counter

import pikepdf
import pytest
from pypdf import PdfReader

from bokslut.render.pdf import render_pdf, typst_source


@pytest.fixture(scope="module")
def pdf_bytes(doc):
    return render_pdf(doc)


@pytest.fixture(scope="module")
def pdf(pdf_bytes):
    return pikepdf.open(io.BytesIO(pdf_bytes))


def _tags(pdf):
    found = []

    def walk(node):
        if isinstance(node, pikepdf.Dictionary):
            if "/S" in node:
                found.append((str(node.S), node))
            kids = node.get("/K")
            if isinstance(kids, pikepdf.Array):
                for kid in kids:
                    walk(kid)
            elif isinstance(kids, pikepdf.Dictionary):
                walk(kids)

    walk(pdf.Root.StructTreeRoot)
    return found


def test_language_title_and_ua_identification(pdf):
    assert str(pdf.Root.Lang).startswith("sv")
    assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
    assert str(pdf.docinfo.Title) == "Årsredovisning 2023 – Kommunalförbundet Lystkom"
    assert pdf.Root.MarkInfo.Marked is True
    xmp = pdf.open_metadata()
    assert xmp.get("pdfuaid:part") == "1"


def test_tag_tree_has_headings_tables_and_figures_with_alt(pdf):
    tags = _tags(pdf)
    kinds = Counter(name for name, _ in tags)
    assert kinds["/H1"] >= 2 and kinds["/H2"] >= 3 and kinds["/H3"] >= 1
    assert kinds["/Table"] >= 9 and kinds["/TH"] > 0 and kinds["/TD"] > 100 and kinds["/TR"] > 30
    figures = [node for name, node in tags if name == "/Figure"]
    assert len(figures) == 3
    assert all("Stapeldiagram" in str(f.Alt) or "diagram" in str(f.Alt) for f in figures)
    assert "81141 IT: budget 2023 698, utfall 2023 1" in str(figures[0].Alt)


def test_fonts_are_embedded(pdf):
    fonts = []
    for page in pdf.pages:
        for font in page.Resources.get("/Font", {}).values():
            for desc in font.get("/DescendantFonts", [font]):
                fonts.append(desc.FontDescriptor)
    assert fonts
    assert all(any(k in fd for k in ("/FontFile", "/FontFile2", "/FontFile3")) for fd in fonts)


def test_pages_have_numbers_headers_and_the_figures_read_right(pdf_bytes):
    reader = PdfReader(io.BytesIO(pdf_bytes))
    first = reader.pages[0].extract_text()
    assert "Årsredovisning 2023" in first and "Kommunalförbundet Lystkom" in first
    toc = reader.pages[1].extract_text()
    assert "Innehåll" in toc and "Finansiella rapporter" in toc
    text = "\n".join(p.extract_text() for p in reader.pages[2:])
    assert "1\u00a0376\u00a0tkr" in text or "1 376 tkr" in text
    last = reader.pages[-1].extract_text()
    assert str(len(reader.pages)) in last.split()  # page number in the footer


def test_same_document_gives_the_same_bytes(doc, pdf_bytes):
    assert render_pdf(doc) == pdf_bytes
    assert b"D:20231231" in pdf_bytes  # the closing date, not the clock


def test_user_text_cannot_inject_typst(sample):
    from bokslut.compose.chapters import compose
    from bokslut.report_data import ReportData

    chapters = [
        (
            "text/x.md",
            '# Rubrik #set page(fill: red)\n\nText med #"citat" och \\\\ och $x$ [a] <b> @c',
        )
    ]
    doc = compose(chapters, ReportData.merge(sample.parts()), sample.title_page())
    assert '#"Rubrik #set page(fill: red)"' in typst_source(doc)  # a string literal, not code
    text = PdfReader(io.BytesIO(render_pdf(doc))).pages[2].extract_text()
    assert "#set page(fill: red)" in text and "$x$ [a] <b> @c" in text
