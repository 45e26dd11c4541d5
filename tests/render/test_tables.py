"""The shared table view: what each cell of a placed table reads."""

from decimal import Decimal

from bokslut.render.tables import table_view
from bokslut.rounding import round_table
from bokslut.table import Column, ColumnKind, Row, Table, Unit


def test_a_withheld_value_reads_as_a_dash_and_an_absent_one_stays_empty():
    cols = (
        Column("ar_2023", "2023", ColumnKind.PERCENT, decimals=1),
        Column("ar_2022", "2022", ColumnKind.PERCENT),
    )
    rows = (
        Row("unga", "29 år eller yngre", values={"ar_2023": None, "ar_2022": None}),
        Row("aldre", "50 år eller äldre", values={"ar_2023": Decimal("3.3")}),
    )
    view = table_view(round_table(Table("sjuk", "Sjukfrånvaro", cols, rows, unit=None)))
    assert [c.text for c in view.rows[0].cells] == ["–", "–"]
    assert [c.text for c in view.rows[1].cells] == ["3,3", ""]


def test_a_percentage_carries_its_sign_unless_the_whole_table_is_percentages():
    money = (Column("utfall", "2023"),)
    number = (Column("resultat", "Resultat", ColumnKind.NUMBER),)
    row = Row("andel", "Andel", values={"utfall": Decimal("3.1")}, column_kind=ColumnKind.PERCENT)
    in_money = table_view(round_table(Table("t", "T", money, (row,), unit=Unit.TKR)))
    assert in_money.rows[0].cells[0].text == "3,1\u00a0%"
    row = Row("andel", "Andel", values={"resultat": Decimal("91.6")}, column_kind=ColumnKind.PERCENT)
    in_number = table_view(round_table(Table("t", "T", number, (row,), unit=None)))
    assert in_number.rows[0].cells[0].text == "91,6\u00a0%"  # Mätvärden: counts beside shares
    share = (Column("andel", "2023", ColumnKind.PERCENT, decimals=1),)
    row = Row("andel", "Andel", values={"andel": Decimal("91.6")})
    only_percent = table_view(round_table(Table("t", "T", share, (row,), unit=None)))
    assert only_percent.rows[0].cells[0].text == "91,6" and only_percent.unit_text == "Procent"
