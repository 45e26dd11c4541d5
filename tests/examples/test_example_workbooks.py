"""The examples' Excel workbooks as people see them: opened and printed.

Each workbook is printed to PDF by LibreOffice Calc (headless, its own profile,
so parallel test workers do not share one) and read back with poppler. Calc is
part of the test setup (scripts/setup test installs libreoffice-calc-nogui).
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path

import openpyxl
import pytest

from bokslut.document import DRAFT_MARK, Document
from bokslut.pipeline.areas import report_parts
from bokslut.pipeline.check import compose_report
from bokslut.render.xlsx import EXTRA_HEADING, EXTRA_MARK, render_xlsx
from bokslut.workspace.config import load_config
from bokslut.workspace.layout import Layout

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@dataclass(frozen=True)
class Printed:
    doc: Document
    book: openpyxl.Workbook
    pages: list[str]  # the text of each printed page, laid out as printed
    sizes: list[tuple[float, float]]  # width and height of each page in points


def print_workbook(data: bytes, tmp: Path) -> tuple[list[str], list[tuple[float, float]]]:
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice Calc saknas: `scripts/setup test` installerar libreoffice-calc-nogui"
    xlsx = tmp / "bok.xlsx"
    xlsx.write_bytes(data)
    profile = (tmp / "lo-profil").as_uri()
    command = [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf"]
    subprocess.run([*command, "--outdir", str(tmp), str(xlsx)], check=True, capture_output=True, timeout=300)
    pdf = tmp / "bok.pdf"
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    info = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "9999", str(pdf)], check=True, capture_output=True, text=True
    ).stdout
    sizes = [(float(w), float(h)) for w, h in re.findall(r"Page +\d+ size: +([\d.]+) x ([\d.]+)", info)]
    return text.split("\f")[: len(sizes)], sizes


def composed(name: str, tmp: Path) -> Document:
    root = tmp / name
    shutil.copytree(EXAMPLES / name, root, ignore=shutil.ignore_patterns("build", ".bokslut", "__pycache__"))
    layout = Layout(root)
    report = compose_report(layout, load_config(layout.config), [report_parts])
    assert report.document is not None
    return report.document


def printed(doc: Document, tmp: Path) -> Printed:
    data = render_xlsx(doc)
    pages, sizes = print_workbook(data, tmp)
    return Printed(doc, openpyxl.load_workbook(io.BytesIO(data)), pages, sizes)


@pytest.fixture(scope="module")
def lystkom(tmp_path_factory: pytest.TempPathFactory) -> Printed:
    tmp = tmp_path_factory.mktemp("lystkom")
    return printed(composed("lystkom-2023", tmp), tmp)


@pytest.fixture(scope="module")
def sydnarke(tmp_path_factory: pytest.TempPathFactory) -> Printed:
    tmp = tmp_path_factory.mktemp("sydnarke")
    return printed(composed("sydnarke-2020", tmp), tmp)


@pytest.fixture(scope="module", params=["exempelkommun-2024", "exempelkommun-2024-delar"])
def exempelkommun(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Printed:
    tmp = tmp_path_factory.mktemp("exempelkommun")
    return printed(composed(request.param, tmp), tmp)


def page_of(book: Printed, title: str) -> int:
    """The printed page whose page header names ``title``."""
    found = [i for i, page in enumerate(book.pages) if page.lstrip().startswith(title)]
    assert len(found) == 1, (title, found)
    return found[0]


def words(text: str) -> set[str]:
    return set(text.split())


def test_every_sheet_prints_on_one_page(lystkom: Printed, sydnarke: Printed) -> None:
    # Before: 54 and 14 pages, the balance sheet's last column on a page of its own.
    assert len(lystkom.pages) == len(lystkom.book.sheetnames) == 36
    assert (
        len(sydnarke.pages) == len(sydnarke.book.sheetnames) == 9
    )  # with the balanskrav prognos of a delårsrapport


def test_the_balance_sheet_prints_on_one_page_with_all_its_columns(lystkom: Printed) -> None:
    page = lystkom.pages[page_of(lystkom, "Balansräkning")]
    lines = page.splitlines()
    header = next(line for line in lines if line.lstrip().startswith("Post"))
    assert header.split() == ["Post", "Not", "2023", "2022"]
    for label, figures in (("SUMMA TILLGÅNGAR", "3206331245"), ("Summa skulder", "2565026208")):
        line = next(line for line in lines if line.lstrip().startswith(label))
        assert re.sub(r"\D", "", line[len(line) - len(line.lstrip()) + len(label) :]) == figures
    assert "SUMMA EGET KAPITAL, AVSÄTTNINGAR OCH SKULDER" in page
    assert lystkom.sizes[page_of(lystkom, "Balansräkning")] == pytest.approx((595.3, 841.9), abs=1)


def test_long_goal_texts_are_printed_in_full(sydnarke: Printed, lystkom: Printed) -> None:
    for book, area in ((sydnarke, "Attraktiv kommun"), (lystkom, "Målområde 3. Personal")):
        index = page_of(book, area)
        shown = words(book.pages[index])
        sheet = book.book.worksheets[index]
        texts = [c.value for row in sheet.iter_rows(min_row=5) for c in row if isinstance(c.value, str)]
        assert max(len(t) for t in texts) > 100  # the texts that were cut off before
        for text in texts:
            assert words(text) <= shown, text
        assert book.sizes[index][0] > book.sizes[index][1]  # a wide table lies down


def test_every_page_names_table_organisation_report_and_page(lystkom: Printed, sydnarke: Printed) -> None:
    for book in (lystkom, sydnarke):
        tp = book.doc.title_page
        total = len(book.pages)
        for n, page in enumerate(book.pages, 1):
            lines = [line.strip() for line in page.splitlines() if line.strip()]
            assert lines[0].endswith(tp.organisation)
            assert re.fullmatch(rf"{re.escape(tp.title)}\s+Sida {n} av {total}", lines[-1]), lines[-1]
        assert book.pages[page_of(book, "Innehåll")]


def test_withheld_figures_print_as_the_dash_their_footnote_explains(lystkom: Printed) -> None:
    page = lystkom.pages[page_of(lystkom, "Sjukfrånvaro i procent av ordinarie arbetstid per åldersgrupp")]
    row = next(line for line in page.splitlines() if "29 år eller yngre" in line)
    assert row.split()[-4:] == ["–"] * 4
    assert "– = uppgiften redovisas inte" in page
    sheet = lystkom.book["Mätvärden Lystkom IT"]
    shown = {r[0].value: [c.value for c in r[1:]] for r in sheet.iter_rows(min_row=5)}
    assert shown["Genererade ärenden utifrån besök"] == [200, "–", "–"]


def test_no_cell_in_the_examples_holds_an_empty_string(lystkom: Printed, sydnarke: Printed) -> None:
    for book in (lystkom, sydnarke):
        for ws in book.book.worksheets:
            for row in ws.iter_rows():
                assert not any(isinstance(c.value, str) and not c.value.strip() for c in row), ws.title


def test_sum_rows_stand_out_and_parts_are_indented(lystkom: Printed) -> None:
    rows = {r[0].value: r[0] for r in lystkom.book["Balansräkning"].iter_rows(min_row=5)}
    assert rows["Maskiner och inventarier"].alignment.indent == 2
    assert rows["Kassa och bank"].alignment.indent == 1
    assert rows["Summa omsättningstillgångar"].alignment.indent == 0
    assert rows["Summa omsättningstillgångar"].font.b and rows["SUMMA TILLGÅNGAR"].border.top.style


def test_tables_outside_the_report_are_marked_as_data(sydnarke: Printed) -> None:
    index = [c.value for c in sydnarke.book["Innehåll"]["A"]]
    extra = index[index.index(EXTRA_HEADING) :]
    assert {"Resultaträkning", "Balansräkning", "Finansiella nyckeltal"} <= set(extra)
    page = sydnarke.pages[page_of(sydnarke, "Balansräkning")]
    assert EXTRA_MARK in page


def test_a_draft_prints_its_mark_on_every_page(sydnarke: Printed, tmp_path: Path) -> None:
    draft = printed(replace(sydnarke.doc, draft=True), tmp_path)
    assert len(draft.pages) == len(sydnarke.pages)
    for page in draft.pages:
        header = next(line for line in page.splitlines() if line.strip())
        assert DRAFT_MARK in header


def test_the_newer_examples_print_each_sheet_at_its_full_width(exempelkommun: Printed) -> None:
    # Fitted to the page's width: no column of a wide table (the koncern's eight, the goal
    # hierarchy's) is printed on a page of its own. Each page's header names its sheet; a
    # sheet longer than a page (Driftredovisning) repeats its column headers on the next.
    titles = [re.split(r"\s{2,}", page.strip().splitlines()[0])[0] for page in exempelkommun.pages]
    sheets = [ws for ws in exempelkommun.book.worksheets if ws.title != "Innehåll"]
    for ws in sheets:
        title = str(ws["A1"].value)
        printed = [p for t, p in zip(titles, exempelkommun.pages, strict=True) if t == title]
        assert printed, title
        header = next(str(c.value) for c in ws["A"] if c.row > 1 and c.value and c.font.b)
        assert all(header.split()[0] in page for page in printed), (title, header)
    assert len(exempelkommun.pages) <= len(exempelkommun.book.sheetnames) + 2
    for page in exempelkommun.pages:
        assert re.search(r"Sida \d+ av \d+", page) and "Exempelkommun" in page
