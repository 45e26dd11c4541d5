import dataclasses
import io
import re
import zipfile

import docx
import pytest
from docx.oxml.ns import qn

from bokslut.render.docx import TEXT_WIDTH, render_docx
from bokslut.render.docx_columns import text_twips


@pytest.fixture(scope="module")
def docx_bytes(doc):
    return render_docx(doc)


@pytest.fixture(scope="module")
def word(docx_bytes):
    return docx.Document(io.BytesIO(docx_bytes))


@pytest.fixture(scope="module")
def parts(docx_bytes):
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as z:
        return {name: z.read(name) for name in z.namelist()}


def rr_table(word):
    return next(t for t in word.tables if t.rows[1].cells[0].text == "Verksamhetens intäkter")


def widths(table):
    return [int(c.get(qn("w:w"))) for c in table._tbl.tblGrid.findall(qn("w:gridCol"))]


def test_headings_use_word_heading_styles(word):
    headings = [(p.style.name, p.text) for p in word.paragraphs if p.style.name.startswith("Heading")]
    assert ("Heading 1", "Förvaltningsberättelse") in headings
    assert ("Heading 2", "Driftredovisning") in headings
    assert ("Heading 3", "Måluppfyllelse") in headings
    assert any(p.style.name == "Title" and p.text == "Årsredovisning 2023" for p in word.paragraphs)
    # A chapter starts on a new page.
    assert word.styles["Heading 1"].paragraph_format.page_break_before


def test_tables_are_real_word_tables(word):
    assert len(word.tables) > 10
    rr = rr_table(word)
    header = [c.text for c in rr.rows[0].cells]
    assert header == ["Post", "Not", "2023", "2022"]
    last = [c.text for c in rr.rows[-1].cells]
    assert last == ["Årets resultat", "", "1\u00a0376", "1\u00a0441"]
    assert rr.rows[-1].cells[2].paragraphs[0].runs[0].bold


def test_columns_are_as_wide_as_their_content_and_fill_the_line(word):
    rr = rr_table(word)
    label, note, y2023, y2022 = widths(rr)
    assert label + note + y2023 + y2022 == TEXT_WIDTH
    assert label > 3 * y2023 and y2023 == y2022
    # The widest figure fits on one line in its column, and no label word is wider than its column.
    assert y2023 >= text_twips("1\u00a0376", 9.5)
    for table in word.tables:
        grid = widths(table)
        assert sum(grid) == TEXT_WIDTH
        for row in table.rows:
            for cell, width in zip(row.cells, grid, strict=True):
                for w in cell.text.split():
                    assert text_twips(w, 7.5) < width, (w, width)
    # Figures are right-aligned, labels left.
    assert rr.rows[1].cells[2].paragraphs[0].alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.RIGHT
    assert rr.rows[1].cells[0].paragraphs[0].alignment is None


def test_tables_have_a_style_a_repeated_header_and_rows_that_do_not_split(word, parts):
    styles = parts["word/styles.xml"].decode()
    assert 'w:styleId="Rapporttabell"' in styles
    for table in word.tables:
        tbl_pr = table._tbl.tblPr
        assert tbl_pr.find(qn("w:tblStyle")).get(qn("w:val")) == "Rapporttabell"
        assert tbl_pr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
        rows = table._tbl.findall(qn("w:tr"))
        assert rows[0].find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None
        assert all(r.find(f"{qn('w:trPr')}/{qn('w:cantSplit')}") is not None for r in rows)
        assert all(r.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is None for r in rows[1:])


def test_contents_is_written_out_with_page_numbers_inside_a_toc_field(word):
    body = word.element.body.xml
    assert 'TOC \\o "1-2" \\h \\z \\u' in body
    entries = [p for p in word.paragraphs if p.style.name in ("toc 1", "toc 2")]
    headings = [p.text for p in word.paragraphs if p.style.name in ("Heading 1", "Heading 2")]
    # Each entry: the heading, a tab, its (estimated) page; Word updates them on opening.
    assert [re.sub(r"\t\d+$", "", p.text) for p in entries] == headings
    pages = [int(p.text.rsplit("\t", 1)[1]) for p in entries]
    assert pages[0] >= 3 and pages == sorted(pages)
    assert all("PAGEREF _Toc" in p._p.xml for p in entries)
    bookmarks = {b.get(qn("w:name")) for b in word.element.body.iter(qn("w:bookmarkStart"))}
    assert len(bookmarks) == len(entries)


def test_swedish_everywhere_and_no_template_leftovers(parts, word):
    styles = parts["word/styles.xml"].decode()
    defaults = re.search(r"<w:docDefaults>.*</w:docDefaults>", styles).group(0)
    assert 'w:lang w:val="sv-SE"' in defaults
    assert "en-US" not in styles
    settings = parts["word/settings.xml"].decode()
    assert '<w:themeFontLang w:val="sv-SE"' in settings
    assert '<w:decimalSymbol w:val=","/>' in settings
    assert '<w:updateFields w:val="true"/>' in settings
    assert settings.index("updateFields") < settings.index("<w:compat>")
    app = parts["docProps/app.xml"].decode()
    assert "<Application>bokslut</Application>" in app
    assert "<Company>Kommunalförbundet Lystkom</Company>" in app
    assert not any(b"Macintosh" in data for data in parts.values())
    assert not [n for n in parts if "thumbnail" in n or n.startswith("customXml") or "WithEffects" in n]
    props = word.core_properties
    assert props.title == "Årsredovisning 2023 – Kommunalförbundet Lystkom"
    assert props.author == "Kommunalförbundet Lystkom" and props.language == "sv-SE"
    assert props.created.year == 2023 and props.modified.date().isoformat() == "2023-12-31"


def test_page_numbers_in_the_footer_not_on_the_cover(word):
    section = word.sections[0]
    footer = section.footer.paragraphs[0]
    assert footer.text.startswith("Sida ") and " av " in footer.text
    assert " PAGE " in footer._p.xml and " NUMPAGES " in footer._p.xml
    assert section.different_first_page_header_footer
    assert section.first_page_footer.paragraphs[0].text == ""
    assert section.header.paragraphs[0].text == "Kommunalförbundet Lystkom – Årsredovisning 2023"


def test_charts_are_images_with_alt_text(word):
    shapes = word.inline_shapes
    assert len(shapes) == 3
    alts = [s._inline.docPr.get("descr") for s in shapes]
    assert alts[0].startswith("Stapeldiagram: Resultat mot budget per verksamhet")


def test_docx_is_reproducible(doc, docx_bytes):
    assert render_docx(doc) == docx_bytes
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as z:
        assert all(info.date_time[:3] == (2023, 12, 31) for info in z.infolist())


def test_the_cover_shows_the_decision_line_when_the_title_page_has_one(doc):
    # The title page's decision line comes from bokslut.toml ([titelsida] beslut).
    tp = doc.title_page
    adopted = dataclasses.replace(tp, decision="Beslutad av direktionen 2024-03-01 § 2")
    word = docx.Document(io.BytesIO(render_docx(dataclasses.replace(doc, title_page=adopted))))
    cover = [p.text for p in word.paragraphs[:6]]
    assert cover[1:4] == ["Årsredovisning 2023", tp.subtitle, "Beslutad av direktionen 2024-03-01 § 2"]
