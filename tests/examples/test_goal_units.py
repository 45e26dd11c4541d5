"""The goal hierarchy tables show each indicator's unit, in every format, as the flat table does.

A reader of "4,8" under Nuvärde must see that it is weeks. The flat table has an Enhet
column; the hierarchy tables have no room for one more column on a page (Nivå, Nuvärde,
Prognos, Målvärde, Symbol, Måluppfyllelse and Kommentar beside the label), so their figures
carry the unit in the cell, as a percentage carries its "%". The rows are read the way a
reader meets them: the HTML's cells, the Word table's cells, the Excel sheet's cells and the
PDF's text.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import docx
import openpyxl
import pytest

from bokslut.pipeline.areas import report_parts
from bokslut.pipeline.build import build_report
from bokslut.workspace.config import load_config
from bokslut.workspace.layout import Layout

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NNBSP = "\u202f"  # inside the Målvärde text
NBSP = "\u00a0"  # between a figure and its unit
HEADER = ["Nivå", "Nuvärde", "Prognos", "Målvärde", "Symbol", "Måluppfyllelse"]

# Indicator -> (Nuvärde, Prognos, Målvärde) as shown.
EXEMPELKOMMUN = {
    "Genomsnittlig handläggningstid för bygglov": (f"4,8{NBSP}veckor", "–", "högst 6,0 veckor"),
    "Genomsnittlig väntetid till särskilt boende": (f"74{NBSP}dagar", "–", "högst 60 dagar"),
    "Andel förnybar energi i kommunens fastigheter": (f"88{NBSP}%", "–", f"minst 90{NNBSP}%"),
    "Antal besök på biblioteket per invånare": ("4,2", "–", "minst 4,0"),
}
EXEMPELKOMMUN_DELAR = {
    "Genomsnittlig handläggningstid för bygglov": (
        f"4,6{NBSP}veckor",
        f"5,1{NBSP}veckor",
        "högst 6,0 veckor",
    ),
    "Genomsnittlig väntetid till särskilt boende": (f"78{NBSP}dagar", f"70{NBSP}dagar", "högst 60 dagar"),
}
SYDNARKE = {
    "Nämnderna och styrelsen håller sin budgetram": (f"1{NBSP}579{NBSP}tkr", f"420{NBSP}tkr", "minst 0 tkr"),
    "Minska genomsnittlig ärendehandlingstid": (f"10{NBSP}st", f"10{NBSP}st", "högst 10 st"),
    "Sjukfrånvaro": (f"6,06{NBSP}%", f"4,00{NBSP}%", f"mindre än 5,00{NNBSP}%"),
    "Miljödiplomering av Lekebergs kommun": ("Ja", "Ja", "Ja"),
}


def _build(name: str, tmp: Path) -> Path:
    root = tmp / name
    shutil.copytree(EXAMPLES / name, root, ignore=shutil.ignore_patterns("build", ".bokslut", "__pycache__"))
    layout = Layout(root)
    build_report(layout, load_config(layout.config), [report_parts], formats=("html", "pdf", "docx", "xlsx"))
    return layout.build


@pytest.fixture(scope="module")
def exempelkommun(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build("exempelkommun-2024", tmp_path_factory.mktemp("ex"))


@pytest.fixture(scope="module")
def exempelkommun_delar(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build("exempelkommun-2024-delar", tmp_path_factory.mktemp("ex"))


@pytest.fixture(scope="module")
def sydnarke(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build("sydnarke-2020", tmp_path_factory.mktemp("ex"))


class _Rows(HTMLParser):
    """Every table row of an HTML page as its cells' text."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self.rows:
            self.rows[-1].append(" ".join("".join(self._cell).split(" ")).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def html_rows(folder: Path) -> list[list[str]]:
    parser = _Rows()
    parser.feed(next(folder.glob("*.html")).read_text(encoding="utf-8"))
    return parser.rows


def docx_rows(folder: Path) -> list[list[str]]:
    document = docx.Document(str(next(folder.glob("*.docx"))))
    return [[c.text.strip() for c in row.cells] for t in document.tables for row in t.rows]


def pdf_text(folder: Path) -> str:
    pdf = next(folder.glob("*.pdf"))
    command = ["pdftotext", "-layout", str(pdf), "-"]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def _indicator(rows: list[list[str]], label: str) -> list[str]:
    """The cells after the label of the indicator's row (the row that names it "Indikator")."""
    (row,) = [r for r in rows if r and r[0].startswith(label) and "Indikator" in r]
    return row[row.index("Indikator") + 1 :]


def _header_of(rows: list[list[str]], label: str) -> list[str]:
    at = next(i for i, r in enumerate(rows) if r and r[0].startswith(label) and "Indikator" in r)
    return next(r for r in reversed(rows[:at]) if "Nivå" in r)


@pytest.mark.parametrize(
    ("example", "shown"),
    [("exempelkommun", EXEMPELKOMMUN), ("exempelkommun_delar", EXEMPELKOMMUN_DELAR), ("sydnarke", SYDNARKE)],
)
def test_html_and_word_show_the_unit_with_the_figures(
    example: str, shown: dict[str, tuple[str, str, str]], request: pytest.FixtureRequest
) -> None:
    folder: Path = request.getfixturevalue(example)
    for rows in (html_rows(folder), docx_rows(folder)):
        for label, cells in shown.items():
            assert _header_of(rows, label)[1 : len(HEADER) + 1] == HEADER
            assert _indicator(rows, label)[:3] == list(cells), label


def test_the_pdf_shows_the_unit_with_the_figures(exempelkommun: Path, sydnarke: Path) -> None:
    text = " ".join(pdf_text(exempelkommun).replace(NBSP, " ").split())
    assert "Indikator 4,8 veckor – högst 6,0 " in text
    assert "Indikator 74 dagar – högst 60 dagar" in text
    text = " ".join(pdf_text(sydnarke).replace(NBSP, " ").split())
    # Målvärde is a narrow column in the PDF: "minst 0 tkr" may end on the next line.
    assert re.search(r"Indikator 1 579 tkr 420 tkr minst 0 ", text)
    assert "Indikator 10 st 10 st högst 10 " in text


def test_the_workbook_keeps_the_figure_a_number_and_shows_its_unit(exempelkommun: Path) -> None:
    book = openpyxl.load_workbook(next(exempelkommun.glob("*.xlsx")))
    (row,) = [
        row
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        if str(row[0].value or "").startswith("Genomsnittlig handläggningstid")
    ]
    cell = next(c for c in row if isinstance(c.value, float))  # Nuvärde
    assert cell.value == 4.8
    assert "veckor" in cell.number_format
