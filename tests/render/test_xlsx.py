import io
import zipfile
from dataclasses import replace
from decimal import Decimal

import openpyxl
import pytest

from bokslut.render.xlsx import EXTRA_HEADING, EXTRA_MARK, render_xlsx
from bokslut.table import Column, ColumnKind, Rounded, Row, RowKind, Table


@pytest.fixture(scope="module")
def xlsx_bytes(doc):
    return render_xlsx(doc)


@pytest.fixture(scope="module")
def book(xlsx_bytes):
    return openpyxl.load_workbook(io.BytesIO(xlsx_bytes))


def test_one_sheet_per_table_with_index(book, doc):
    assert book.sheetnames[0] == "Innehåll"
    assert len(book.sheetnames) == 1 + len(doc.tables)
    assert "Resultaträkning" in book.sheetnames and "Not 1. Verksamhetens intäkter" in book.sheetnames


def test_numbers_are_numbers_with_the_units_format(book):
    ws = book["Resultaträkning"]
    assert ws["A2"].value == "Belopp i tkr"
    assert [c.value for c in ws[4]] == ["Post", "Not", "2023", "2022"]
    rows = {r[0].value: r for r in ws.iter_rows(min_row=5)}
    total = rows["Årets resultat"]
    assert total[2].value == 1376 and isinstance(total[2].value, int | float)
    assert total[2].number_format == "#,##0;-#,##0"
    assert total[2].font.b
    assert rows["Verksamhetens intäkter"][1].value == "Not 1"
    # Shown sums add up on the sheet as in the report.
    parts = ["Verksamhetens intäkter", "Verksamhetens kostnader", "Av- och nedskrivningar"]
    assert sum(rows[p][2].value for p in parts) == rows["Verksamhetens nettokostnader"][2].value


def test_percent_columns_use_a_percent_format(book):
    ws = book["Finansiella nyckeltal"]
    cell = ws["B5"]
    assert ws["A5"].value == "Soliditet"
    assert cell.number_format == "0.0 %" and abs(cell.value - 0.2) < 1e-12


def test_xlsx_is_reproducible(doc, xlsx_bytes):
    assert render_xlsx(doc) == xlsx_bytes
    with zipfile.ZipFile(io.BytesIO(xlsx_bytes)) as z:
        assert all(info.date_time[:3] == (2023, 12, 31) for info in z.infolist())


def cells(book):
    for ws in book.worksheets:
        for row in ws.iter_rows():
            yield from row


def test_no_cell_holds_an_empty_string(book):
    assert all(c.value != "" for c in cells(book))
    assert not [c.coordinate for c in cells(book) if isinstance(c.value, str) and not c.value.strip()]


def test_levels_are_cell_indents_not_spaces(book):
    rows = {r[0].value: r for r in book["Balansräkning"].iter_rows(min_row=5)}
    assert rows["Maskiner och inventarier"][0].alignment.indent == 1
    assert rows["Maskiner och inventarier"][0].alignment.horizontal == "left"
    assert rows["Summa tillgångar"][0].alignment.indent == 0 and rows["Summa tillgångar"][0].font.b
    assert rows["Tillgångar"][0].alignment.indent == 0
    assert not any(isinstance(c.value, str) and c.value.startswith(" ") for c in cells(book))


def test_text_wraps_and_figures_stay_narrow(book):
    ws = book["Mål och måluppfyllelse"]
    assert ws["A4"].value == "Post" and ws["B4"].value == "Indikator"
    assert all(ws.cell(r, c).alignment.wrap_text for r in range(5, 9) for c in (1, 2, 3))
    br = book["Balansräkning"]
    label, figure = br.column_dimensions["A"].width, br.column_dimensions["C"].width
    assert label > 2 * figure
    assert len("Summa eget kapital och skulder") < label


def test_every_sheet_prints_one_page_wide_with_its_title_organisation_and_page_number(book, doc):
    org = doc.title_page.organisation
    for ws in book.worksheets:
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        # One page wide (fitToWidth 1 is the default and left out), as many pages long as needed.
        assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0
        assert ws.page_setup.paperSize == 9  # A4
        assert ws.oddHeader.right.text == org
        assert ws.oddFooter.right.text == "Sida &P av &N"
        assert ws.oddFooter.left.text == doc.title_page.title
    rr = book["Resultaträkning"]
    assert rr.oddHeader.left.text == "Resultaträkning"
    assert rr.print_title_rows == "$2:$4"  # "Belopp i tkr" and the column headers on every page
    assert rr.page_setup.orientation == "portrait"
    assert book["Innehåll"].oddHeader.left.text == "Innehåll"


def withheld_doc(doc):
    """The sample report plus a table the report does not place, with a withheld figure."""
    table = Table(
        "franvaro",
        "Sjukfrånvaro & ålder",
        (
            Column("ar_2023", "2023", ColumnKind.PERCENT, decimals=1),
            Column("kommentar", "Kommentar", ColumnKind.TEXT),
        ),
        (
            Row("unga", "29 år eller yngre", values={"ar_2023": None, "kommentar": ""}),
            Row("aldre", "30 år eller äldre", values={"ar_2023": Decimal("3.1")}, level=1),
            Row("totalt", "Totalt", RowKind.TOTAL, values={"ar_2023": Decimal("3.1")}),
        ),
        unit=None,
        footnotes=("– = uppgiften redovisas inte eftersom gruppen är liten.",),
    )
    display = {"unga": {"ar_2023": None, "kommentar": ""}, "aldre": {"ar_2023": Decimal("3.1")}}
    display["totalt"] = {"ar_2023": Decimal("3.1")}
    return replace(doc, tables={**doc.tables, "franvaro": Rounded(table, display)})


@pytest.fixture(scope="module")
def extra_book(doc):
    return openpyxl.load_workbook(io.BytesIO(render_xlsx(withheld_doc(doc))))


def test_a_withheld_figure_shows_the_dash_its_footnote_explains(extra_book):
    ws = extra_book["Sjukfrånvaro & ålder"]
    rows = {r[0].value: r for r in ws.iter_rows(min_row=5)}
    assert rows["29 år eller yngre"][1].value == "–"
    assert rows["29 år eller yngre"][1].alignment.horizontal == "right"
    assert rows["29 år eller yngre"][2].value is None  # an empty comment is an empty cell
    assert rows["30 år eller äldre"][1].value == pytest.approx(0.031)
    assert rows["30 år eller äldre"][1].number_format == "0.0 %"
    assert any(
        c.value == "– = uppgiften redovisas inte eftersom gruppen är liten." for c in cells(extra_book)
    )


def test_tables_the_report_does_not_show_are_listed_apart_and_marked(extra_book, doc):
    index = [c.value for c in extra_book["Innehåll"]["A"]]
    placed = {p.title for p in doc.placements()}
    heading = index.index(EXTRA_HEADING)
    assert "Sjukfrånvaro & ålder" in index[heading:]
    assert not placed & set(index[heading:])
    assert placed <= set(index[:heading])
    ws = extra_book["Sjukfrånvaro & ålder"]
    assert ws["A3"].value == EXTRA_MARK and ws["A4"].value == "Post"
    assert ws.sheet_properties.tabColor is not None
    assert ws.oddHeader.left.text == "Sjukfrånvaro && ålder"  # "&" escaped in the print header
    assert all(extra_book[t[:31]]["A3"].value != EXTRA_MARK for t in placed if t[:31] in extra_book)
