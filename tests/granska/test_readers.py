"""Each reader turns its format into the same document model."""

from __future__ import annotations

from pathlib import Path

import docx
import typst

from bokslut.granska.model import RowKind
from bokslut.granska.read import read_document
from bokslut.granska.read_html import read_html
from bokslut.granska.read_pdf import Word, read_pages

HTML = """<!DOCTYPE html><html><body>
<h2>Resultat</h2>
<p>Årets resultat blev <span>1&nbsp;376&nbsp;000 kr</span>.</p>
<table><caption>Resultaträkning<span>Belopp i tkr</span></caption>
<thead><tr><th>Post</th><th>Not</th><th>2023</th><th>2022</th></tr></thead>
<tbody>
<tr class="item"><th scope="row">Intäkter</th><td><a href="#n1">Not&nbsp;1</a></td>
<td>2&nbsp;000</td><td>1&nbsp;900</td></tr>
<tr class="item"><th scope="row">Kostnader</th><td></td><td>−624</td><td>−459</td></tr>
<tr class="total"><th scope="row">Årets resultat</th><td></td><td>1&nbsp;376</td><td>1&nbsp;441</td></tr>
</tbody></table>
<script>var x = "<p>inte text</p>";</script>
</body></html>"""


def test_html_blocks_lines_caption_unit_and_row_classes() -> None:
    doc = read_html(HTML, "r.html")
    assert [(b.text, b.place.line, b.heading) for b in doc.blocks] == [
        ("Resultat", 2, True),
        ("Årets resultat blev 1 376 000 kr.", 3, False),
    ]
    (t,) = doc.tables
    assert (t.title, t.unit, [c.year for c in t.columns]) == (
        "Resultaträkning Belopp i tkr",
        "tkr",
        [2023, 2022],
    )
    assert [(r.label, r.kind, r.note, r.place.line) for r in t.rows] == [
        ("Intäkter", RowKind.ITEM, 1, 7),
        ("Kostnader", RowKind.ITEM, None, 9),
        ("Årets resultat", RowKind.SUM, None, 10),
    ]


def test_docx_paragraphs_and_tables(tmp_path: Path) -> None:
    d = docx.Document()
    d.add_paragraph("Årets resultat blev 1 376 tkr.")
    d.add_paragraph("Resultaträkning (tkr)")
    table = d.add_table(rows=3, cols=3)
    for i, row in enumerate(
        [["", "2023", "2022"], ["Intäkter", "2 000", "1 900"], ["Summa", "2 000", "1 900"]]
    ):
        for j, text in enumerate(row):
            table.cell(i, j).text = text
    d.save(str(tmp_path / "r.docx"))
    doc = read_document(tmp_path / "r.docx")
    assert doc.kind == "DOCX" and [b.place.text() for b in doc.blocks] == ["stycke 1", "stycke 2"]
    (t,) = doc.tables
    assert t.title == "Resultaträkning (tkr)" and t.unit == "tkr"
    assert [(r.label, r.kind) for r in t.rows] == [("Intäkter", RowKind.ITEM), ("Summa", RowKind.SUM)]


def w(text: str, x0: float, top: float, bold: bool = False) -> Word:
    return Word(text, x0, x0 + 5.0 * len(text), top, 10.0, bold)


def test_pdf_lines_become_a_table_with_heading_lines_and_merged_thousands() -> None:
    words = [
        w("Resultaträkning", 70, 100, bold=True),
        w("Post", 70, 120), w("2023", 300, 120), w("2022", 380, 120),
        # "2 000": the groups stand 2 points apart; the columns 40 points.
        w("Intäkter", 70, 135), w("2", 293, 135), w("000", 302, 135), w("1", 373, 135), w("900", 382, 135),
        w("Kostnader", 70, 150), w("−624", 300, 150), w("−459", 380, 150),
        w("Summa", 70, 165, bold=True), w("1", 293, 165, True), w("376", 302, 165, True),
        w("1", 373, 165, True), w("441", 382, 165, True),
        w("Resultatet", 70, 200), w("blev", 125, 200), w("1", 150, 200), w("376", 157, 200),
        w("tkr.", 175, 200),
    ]  # fmt: skip
    doc = read_pages([(4, words, 595.0)], "r.pdf")
    (t,) = doc.tables
    assert t.place.page == 4 and t.title == "Resultaträkning"
    assert [c.heading for c in t.columns] == ["2023", "2022"]
    assert [(r.label, r.kind, [c.text for c in r.cells if c]) for r in t.rows] == [
        ("Intäkter", RowKind.ITEM, ["2 000", "1 900"]),
        ("Kostnader", RowKind.ITEM, ["−624", "−459"]),
        ("Summa", RowKind.SUM, ["1 376", "1 441"]),
    ]
    assert doc.blocks[-1].text == "Resultatet blev 1 376 tkr." and doc.blocks[-1].place.text() == "sida 4"


def test_a_real_pdf_from_typst(tmp_path: Path) -> None:
    source = """#set text(lang: "sv")
Årets resultat blev 1 376 tkr.

#table(columns: 3, stroke: none, align: (left, right, right),
  [Post], [2023], [2022],
  [Intäkter], [2 000], [1 900],
  [Kostnader], [−624], [−459],
  [*Summa*], [*1 376*], [*1 441*],
)
"""
    path = tmp_path / "r.pdf"
    pdf = typst.compile(source.encode("utf-8"), format="pdf", ignore_system_fonts=True)
    assert isinstance(pdf, bytes)
    path.write_bytes(pdf)
    doc = read_document(path)
    (t,) = doc.tables
    assert [(r.label, r.kind, [c.text for c in r.cells if c]) for r in t.rows][-1] == (
        "Summa",
        RowKind.SUM,
        ["1 376", "1 441"],
    )
