"""The seeds as other programs lay them out: HTML written by foreign.py, and from it Word and PDF
made by LibreOffice (its own table layout: numbers flush left, headings centred, tables broken over
pages with their headings at the foot of one page and rows on the next, bold as a font name). Each
must give the findings the Markdown seed gives, and nothing more.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.granska.foreign import convert, markdown_to_html, soffice

from bokslut.diagnostics import Level
from bokslut.granska.model import Discrepancy
from bokslut.granska.run import granska

STEMS = ("lystkom-arsredovisning-2023", "sydnarke-it-delarsbokslut-2020")
FORMATS = ("html", "docx", "pdf", "docx.pdf")


@pytest.fixture(scope="module")
def foreign(seeds: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    assert soffice(), "LibreOffice saknas: kör scripts/setup test (installerar libreoffice-writer-nogui)"
    out = tmp_path_factory.mktemp("foreign")
    profile = out / "profil"
    htmls = []
    for stem in STEMS:
        html = out / f"{stem}.html"
        html.write_text(
            markdown_to_html((seeds / f"{stem}.md").read_text(encoding="utf-8"), stem), encoding="utf-8"
        )
        htmls.append(html)
    docxs = convert(htmls, "docx", out, profile)
    convert(htmls, "pdf", out, profile)
    # Word's layout printed: the same text through the DOCX LibreOffice wrote.
    via_word = out / "via-word"
    via_word.mkdir()
    for pdf in convert(docxs, "pdf", via_word, profile):
        pdf.rename(out / f"{pdf.stem}.docx.pdf")
    return out


def seen(found: tuple[Discrepancy, ...]) -> list[tuple[str, str, str | None, str | None, tuple[str, ...]]]:
    """What a reader compares across formats: the finding, its row and column, the values."""
    return [(d.code, d.level.value, d.row, d.column, d.values) for d in found if d.level is not Level.NOTICE]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("stem", STEMS)
def test_a_seed_laid_out_by_libreoffice_gives_the_markdown_seeds_findings(
    stem: str, fmt: str, seeds: Path, foreign: Path
) -> None:
    expected = granska([seeds / f"{stem}.md"])
    result = granska([foreign / f"{stem}.{fmt}"])
    assert result.files[0].document is not None, result.files[0].unreadable
    assert seen(result.discrepancies) == seen(expected.discrepancies)
    # The rounding notes too: the tables were read whole, with their sums.
    assert result.count(Level.NOTICE) == expected.count(Level.NOTICE)
    assert result.exit_code() == 1


def test_the_expected_findings_are_the_auditors(seeds: Path) -> None:
    """The comparison above is against what test_seeds pins, not against nothing."""
    codes = [
        d.code for s in STEMS for d in granska([seeds / f"{s}.md"]).discrepancies if d.level is Level.ERROR
    ]
    assert codes == [
        "granska.belopp",
        "granska.riktning",
        "granska.ingaende",
        "granska.belopp",
        "granska.enhet",
    ]


@pytest.mark.parametrize("fmt", ["pdf", "docx.pdf"])
def test_labels_and_headings_are_read_whole_from_libreoffices_pdf(fmt: str, foreign: Path) -> None:
    """A label wrapped around its numbers, a heading over a column, a table over a page break."""
    doc = granska([foreign / f"lystkom-arsredovisning-2023.{fmt}"]).files[0].document
    assert doc is not None
    tables = {t.title: t for t in doc.tables}
    flows = tables["Kassaflödesanalys (tkr)"]
    row = next(r for r in flows.rows if r.label.startswith("Medel från verksamheten"))
    assert row.label == "Medel från verksamheten före förändring av rörelsekapital"
    assert [c.text for c in row.cells if c is not None] == ["12 680", "12 526"]
    drift = tables["Driftredovisning (tkr)"]
    assert [c.heading for c in drift.columns] == [
        "Budget 2023",
        "Utfall 2023",
        "Avvikelse",
        "Budget 2022",
        "Utfall 2022",
        "Avvikelse",
    ]
    assert drift.rows[-1].label == "TOTALT" and drift.rows[-1].cells[1] is not None
    assert drift.rows[-1].cells[1].text == "1 376"
