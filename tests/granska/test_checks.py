"""The checks on small reports written for the purpose (Markdown with tab-separated tables)."""

from __future__ import annotations

from bokslut.diagnostics import Level
from bokslut.granska.model import Discrepancy
from bokslut.granska.read_text import read_text
from bokslut.granska.run import check_document


def check(text: str) -> list[Discrepancy]:
    return check_document(read_text(text, "r.md"))


def codes(found: list[Discrepancy]) -> list[tuple[str, str]]:
    return [(d.code, d.level.value) for d in found]


RR = """### Resultaträkning (tkr)

Post\tNot\t2023\t2022
Verksamhetens intäkter\tNot 1\t1 000\t900
Verksamhetens kostnader\t\t-800\t-750
<b>Årets resultat</b>\t\t<b>200</b>\t<b>150</b>
"""


def test_a_consistent_report_has_no_findings() -> None:
    text = (
        RR + "\nResultatet blev 200 000 kr, vilket är 20,0 % av omsättningen. Intäkterna ökade med 100 tkr.\n"
    )
    assert check(text) == []


def test_a_wrong_sum_is_an_error_and_a_rounding_difference_a_notice() -> None:
    wrong = check(RR.replace("<b>200</b>", "<b>300</b>"))
    assert codes(wrong) == [("granska.summa", "error")]
    assert wrong[0].message.startswith("Årets resultat visar 300 men delarna")
    rounded = check(RR.replace("<b>200</b>", "<b>201</b>"))
    assert codes(rounded) == [("granska.avrundning", "notice")]


def test_a_report_that_explains_its_rounding_gets_no_rounding_notes() -> None:
    text = RR.replace("<b>200</b>", "<b>201</b>") + "\nAvrundningsdifferenser kan förekomma i tabellerna.\n"
    assert check(text) == []


def test_deviation_column_rule_is_inferred_and_breaks_reported() -> None:
    table = """### Drift (tkr)

Verksamhet\tBudget 2023\tUtfall 2023\tAvvikelse
Intäkter\t100\t120\t-20
Personal\t-50\t-40\t-10
Övrigt\t-30\t-45\t15
Lokaler\t-10\t-10\t5
"""
    found = check(table)
    assert codes(found) == [("granska.avvikelse", "error")]
    assert found[0].row == "Lokaler" and "Budget 2023 − Utfall 2023, vilket här ger 0" in found[0].message


def test_the_same_result_must_be_the_same_everywhere() -> None:
    text = RR + "\n### Balanskravsutredning (tkr)\n\nPost\t2023\t2022\nÅrets resultat\t210\t150\n"
    found = [d for d in check(text) if d.code == "granska.samma-storhet"]
    assert len(found) == 1 and found[0].level is Level.ERROR
    assert "Årets resultat 2023 är 210 i Balanskravsutredning (tkr) men 200" in found[0].message


def test_text_amount_close_to_a_table_amount_and_wrong_unit() -> None:
    found = check(RR + "\nÅrets resultat blev 201 000 kr. Intäkterna var 1 000 kr.\n")
    assert codes(found) == [("granska.belopp", "error"), ("granska.enhet", "error")]
    assert found[1].values[0] == "1 000 kr"


def test_an_amount_only_in_the_text_is_left_alone() -> None:
    assert check(RR + "\nFörbundet amorterade 2 000 000 kr och har ca 204 tkr i kassan.\n") == []


def test_direction_word_against_the_table() -> None:
    found = check(RR + "\nVerksamhetens kostnader minskade med 50 tkr jämfört med 2022.\n")
    assert codes(found) == [("granska.riktning", "error")]
    assert "en ökning med 50 (kostnaden räknad som belopp)" in found[0].message


def test_stated_ratio_recomputed() -> None:
    found = check(
        RR + "\nÖverskottet motsvarar 25,0 % av omsättningen, målet är minst 2 % av omsättningen.\n"
    )
    assert codes(found) == [("granska.andel", "error")]
    assert found[0].values == ("25,0 % av omsättningen", "20,0 %")


def test_balance_sheet_note_and_opening_balance() -> None:
    text = """### Balansräkning (tkr)

Post\tNot\t2023\t2022
Kassa och bank\tNot 7\t500\t400
<b>SUMMA TILLGÅNGAR</b>\t\t<b>500</b>\t<b>400</b>
Eget kapital\t\t300\t250
Skulder\t\t200\t150
<b>SUMMA EGET KAPITAL OCH SKULDER</b>\t\t<b>500</b>\t<b>400</b>

### Noter (tkr)

\t2023\t2022
<b>7. Kassa och bank</b>\t\t
Ingående kassa\t410\t300
Förändring\t80\t100
<b>Utgående kassa</b>\t<b>490</b>\t<b>400</b>
"""
    found = check(text)
    assert sorted(d.code for d in found if d.level is Level.ERROR) == ["granska.ingaende", "granska.not"]
    note = next(d for d in found if d.code == "granska.not")
    assert note.row == "Kassa och bank" and note.column == "2023" and "notens summa: 490" in note.message


def test_depreciation_in_the_income_statement_against_the_cash_flow() -> None:
    text = """### Resultaträkning (tkr)

Post\t2023
Verksamhetens intäkter\t1 000
Verksamhetens kostnader\t-700
Avskrivningar\t-100
<b>Årets resultat</b>\t<b>200</b>

### Kassaflödesanalys (tkr)

Post\t2023
Årets resultat\t200
Justering för av- och nedskrivningar\t110
"""
    found = [d for d in check(text) if d.level is Level.ERROR]
    assert [(d.code, d.table) for d in found] == [("granska.samma-storhet", "Kassaflödesanalys (tkr)")]
    assert found[0].message.startswith("Avskrivningar 2023 är 110 i Kassaflödesanalys (tkr) men -100")


def test_surplus_beside_a_negative_result() -> None:
    found = check(
        RR.replace("<b>200</b>", "<b>-200</b>").replace("-800", "-1 200")
        + "\nÅret gav ett överskott på 200 tkr.\n"
    )
    assert codes(found) == [("granska.riktning", "error")]
    assert (
        "Årets resultat är -200 (2023)" in found[0].message and "vilket är ett underskott" in found[0].message
    )
