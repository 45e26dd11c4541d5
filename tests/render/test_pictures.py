"""Pictures in chapters and the logo on the cover, as they appear in the PDF and in Word.

The pages are drawn to pixels (poppler; Word's file through LibreOffice first) and the
picture's red is looked for where the report shows it.
"""

from __future__ import annotations

import importlib.util
import io
import shutil
import subprocess
import zipfile
from dataclasses import replace
from pathlib import Path

import pikepdf
import pytest

from bokslut.compose.chapters import compose
from bokslut.document import Logo
from bokslut.render.docx import TEXT_WIDTH_EMU, render_docx
from bokslut.render.pdf import render_pdf
from bokslut.report_data import ReportData

_path = Path(__file__).resolve().parent / "sample_report.py"
_spec = importlib.util.spec_from_file_location("bokslut_sample_report_pictures", _path)
sample = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(sample)
DATA = ReportData.merge(sample.parts())
SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40">'
    b'<rect width="120" height="40" fill="#ff0000"/></svg>'
)


@pytest.fixture
def doc(tmp_path):
    (tmp_path / "bilder").mkdir()
    (tmp_path / "bilder" / "karta.png").write_bytes(sample.png(3000, 600))
    text = "# Inledning\n\nFörbundets område:\n\n![Karta över förbundets kommuner](../bilder/karta.png)\n"
    return compose([("text/01.md", text)], DATA, sample.title_page(), tmp_path)


def red_rows(pdf: bytes, tmp: Path, page: int) -> list[int]:
    """The rows (at 20 dpi) of the page that hold red pixels."""
    if shutil.which("pdftoppm") is None:
        pytest.fail("poppler-utils saknas: kör scripts/setup")
    (tmp / "sidor.pdf").write_bytes(pdf)
    ppm = subprocess.run(
        ["pdftoppm", "-r", "20", "-f", str(page), "-l", str(page), str(tmp / "sidor.pdf")],
        capture_output=True,
        check=True,
    ).stdout
    magic, width, height, _, pixels = ppm.split(maxsplit=4)
    assert magic == b"P6"
    w, h = int(width), int(height)
    return [y for y in range(h) if any(_red(pixels[(y * w + x) * 3 : (y * w + x) * 3 + 3]) for x in range(w))]


def _red(rgb: bytes) -> bool:
    # Colour management may move pure red a little.
    return rgb[0] > 200 and rgb[1] < 70 and rgb[2] < 70


def word_as_pdf(docx: bytes, tmp: Path) -> bytes:
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.fail("LibreOffice saknas: kör scripts/setup test (installerar libreoffice-writer-nogui)")
    (tmp / "rapport.docx").write_bytes(docx)
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={(tmp / 'profil').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp),
            str(tmp / "rapport.docx"),
        ],
        capture_output=True,
        timeout=240,
        check=True,
    )
    return (tmp / "rapport.pdf").read_bytes()


def page_of(pdf: bytes, text: str) -> int:
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    pages = out.decode("utf-8").split("\f")
    return next(i + 1 for i, p in enumerate(pages) if text in p)


def test_the_pdf_draws_the_picture_within_the_text_and_tags_it_with_its_alt_text(doc, tmp_path):
    pdf = render_pdf(doc)
    page = page_of(pdf, "Förbundets område")
    rows = red_rows(pdf, tmp_path, page)
    # 3000 × 600 pixels scaled to the text column (about 16 cm): about 3 cm high, at 20 dpi ≈ 25 rows.
    assert 15 <= len(rows) <= 35
    with pikepdf.open(io.BytesIO(pdf)) as p:
        alts = [str(e.get("/Alt")) for e in _elements(p.Root.StructTreeRoot) if e.get("/S") == "/Figure"]
    assert "Karta över förbundets kommuner" in alts


def _elements(node):
    kids = node.get("/K")
    if kids is None:
        return
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield kid
            yield from _elements(kid)


def test_word_holds_the_picture_at_the_columns_width_with_its_alt_text(doc, tmp_path):
    docx = render_docx(doc)
    xml = zipfile.ZipFile(io.BytesIO(docx)).read("word/document.xml").decode("utf-8")
    assert 'descr="Karta över förbundets kommuner"' in xml
    assert f'<wp:extent cx="{TEXT_WIDTH_EMU}" cy="{TEXT_WIDTH_EMU // 5}"/>' in xml
    pdf = word_as_pdf(docx, tmp_path)
    rows = red_rows(pdf, tmp_path, page_of(pdf, "Förbundets område"))
    assert 15 <= len(rows) <= 35


def test_the_cover_carries_the_logo_tagline_and_decision_in_pdf_and_word(doc, tmp_path):
    cover = replace(
        doc.title_page,
        tagline="för Lekebergs kommun",
        decision="Beslutad av direktionen 2024-03-01 § 2",
        logo=Logo(SVG, "svg", "Kommunalförbundet Lystkoms logotyp"),
    )
    with_cover = replace(doc, title_page=cover)
    for name, pdf in (
        ("pdf", render_pdf(with_cover)),
        ("word", word_as_pdf(render_docx(with_cover), tmp_path)),
    ):
        text = subprocess.run(["pdftotext", "-l", "1", "-", "-"], input=pdf, capture_output=True, check=True)
        first = " ".join(text.stdout.decode("utf-8").split())
        assert "för Lekebergs kommun" in first, name
        assert "Beslutad av direktionen 2024-03-01 § 2" in first, name
        # The logo is 2.4 cm high on the cover: about 19 rows at 20 dpi, above the text.
        rows = red_rows(pdf, tmp_path, 1)
        assert 12 <= len(rows) <= 24, name
    docx = zipfile.ZipFile(io.BytesIO(render_docx(with_cover)))
    assert any(n.endswith(".png") for n in docx.namelist() if n.startswith("word/media/"))
    assert 'descr="Kommunalförbundet Lystkoms logotyp"' in docx.read("word/document.xml").decode("utf-8")
