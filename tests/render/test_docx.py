import io
import zipfile

import docx
import pytest

from bokslut.render.docx import render_docx


@pytest.fixture(scope="module")
def docx_bytes(doc):
    return render_docx(doc)


@pytest.fixture(scope="module")
def word(docx_bytes):
    return docx.Document(io.BytesIO(docx_bytes))


def test_headings_use_word_heading_styles(word):
    headings = [(p.style.name, p.text) for p in word.paragraphs if p.style.name.startswith("Heading")]
    assert ("Heading 1", "Förvaltningsberättelse") in headings
    assert ("Heading 2", "Driftredovisning") in headings
    assert ("Heading 3", "Måluppfyllelse") in headings
    assert any(p.style.name == "Title" and p.text == "Årsredovisning 2023" for p in word.paragraphs)


def test_tables_are_real_word_tables(word):
    assert len(word.tables) > 10
    rr = next(t for t in word.tables if t.rows[1].cells[0].text == "Verksamhetens intäkter")
    header = [c.text for c in rr.rows[0].cells]
    assert header == ["Post", "Not", "2023", "2022"]
    last = [c.text for c in rr.rows[-1].cells]
    assert last == ["Årets resultat", "", "1\u00a0376", "1\u00a0441"]
    assert rr.rows[-1].cells[2].paragraphs[0].runs[0].bold


def test_toc_field_language_and_properties(word, docx_bytes):
    body = word.element.body.xml
    assert 'TOC \\o "1-3"' in body
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as z:
        styles = z.read("word/styles.xml").decode()
        assert 'w:val="sv-SE"' in styles
        assert all(info.date_time[:3] == (2023, 12, 31) for info in z.infolist())
    props = word.core_properties
    assert props.title == "Årsredovisning 2023 – Kommunalförbundet Lystkom"
    assert props.created.year == 2023 and props.modified.date().isoformat() == "2023-12-31"


def test_charts_are_images_with_alt_text(word):
    shapes = word.inline_shapes
    assert len(shapes) == 3
    alts = [s._inline.docPr.get("descr") for s in shapes]
    assert alts[0].startswith("Stapeldiagram: Resultat mot budget per verksamhet")


def test_docx_is_reproducible(doc, docx_bytes):
    assert render_docx(doc) == docx_bytes
