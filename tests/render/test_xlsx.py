import io
import zipfile

import openpyxl
import pytest

from bokslut.render.xlsx import render_xlsx


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
    assert cell.number_format == "0.0%" and abs(cell.value - 0.2) < 1e-12


def test_xlsx_is_reproducible(doc, xlsx_bytes):
    assert render_xlsx(doc) == xlsx_bytes
    with zipfile.ZipFile(io.BytesIO(xlsx_bytes)) as z:
        assert all(info.date_time[:3] == (2023, 12, 31) for info in z.infolist())
