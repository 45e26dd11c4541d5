"""A placed table leaves out the rows and columns that are empty for the organisation."""

from __future__ import annotations

from decimal import Decimal

from bokslut.compose.empty import without_empty
from bokslut.rounding import round_table
from bokslut.table import Column, ColumnKind, Row, RowKind, Table, Unit, with_sums

D = Decimal


def cash_flow() -> Table:
    cols = (Column("ar_2023", "2023"), Column("ar_2022", "2022"))
    rows = (
        Row("bidrag", "Erhållna bidrag", values={"ar_2023": D(120_000), "ar_2022": D(80_000)}),
        Row("infra", "Bidrag till infrastruktur", values={"ar_2023": D(0), "ar_2022": D(0)}),
        Row("ovrigt", "Övrigt", values={"ar_2023": D(400), "ar_2022": D(0)}),  # shown as 0 tkr
        Row("summa", "Summa", RowKind.TOTAL, parts=("bidrag", "infra", "ovrigt")),
    )
    return with_sums(Table("kassaflode", "Kassaflödesanalys", cols, rows, unit=Unit.TKR))


def test_a_row_zero_in_every_column_goes_and_the_sum_stays() -> None:
    rounded = round_table(cash_flow())
    shown = without_empty(rounded)
    assert [r.label for r in shown.table.rows] == ["Erhållna bidrag", "Övrigt", "Summa"]
    # 400 kr is shown as 0 tkr but is not nothing: the row stays, and the sum is the same.
    assert shown.get("summa", "ar_2023") == rounded.get("summa", "ar_2023") == D(120)


def test_a_row_with_a_withheld_figure_stays() -> None:
    cols = (Column("ar_2023", "2023", ColumnKind.PERCENT, decimals=1),)
    rows = (
        Row("unga", "29 år eller yngre", values={"ar_2023": None}),
        Row("alla", "Totalt", values={"ar_2023": D("2.9")}),
    )
    shown = without_empty(round_table(Table("sjuk", "Sjukfrånvaro", cols, rows, unit=None)))
    assert [r.label for r in shown.table.rows] == ["29 år eller yngre", "Totalt"]


def test_an_all_empty_text_column_goes() -> None:
    cols = (
        Column("diarienummer", "Diarienummer", ColumnKind.TEXT),
        Column("datum", "Datum", ColumnKind.TEXT),
        Column("status", "Status", ColumnKind.TEXT),
    )
    rows = (
        Row("b1", "Uppdrag om e-arkiv", values={"diarienummer": "SIT 2019/12", "status": "Pågår"}),
        Row("b2", "Ny växel", values={"diarienummer": "SIT 2020/3", "datum": "", "status": "Klar"}),
    )
    shown = without_empty(round_table(Table("beslut", "Beslut", cols, rows, unit=None)))
    assert [c.label for c in shown.table.columns] == ["Diarienummer", "Status"]
    assert [r.label for r in shown.table.rows] == ["Uppdrag om e-arkiv", "Ny växel"]


def test_a_heading_with_no_rows_goes_but_one_over_a_sub_heading_stays() -> None:
    cols = (Column("utfall", "2023"),)
    rows = (
        Row("h_tillgangar", "TILLGÅNGAR", RowKind.HEADING),
        Row("h_anl", "Anläggningstillgångar", RowKind.HEADING),
        Row("inventarier", "Inventarier", values={"utfall": D(5_000)}),
        Row("h_infrastruktur", "Bidrag till infrastruktur", RowKind.HEADING),
        Row("summa", "Summa", RowKind.TOTAL, parts=("inventarier",)),
    )
    table = with_sums(Table("t", "T", cols, rows, unit=Unit.TKR))
    shown = without_empty(round_table(table))
    assert [r.label for r in shown.table.rows] == [
        "TILLGÅNGAR",
        "Anläggningstillgångar",
        "Inventarier",
        "Summa",
    ]
