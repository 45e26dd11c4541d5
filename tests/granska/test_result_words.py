"""What the text calls the result against the sign the resultaträkning and balanskravsutredning show."""

from __future__ import annotations

import pytest

from bokslut.granska.model import Discrepancy
from bokslut.granska.read_text import read_text
from bokslut.granska.run import check_document

STATEMENTS = """### Resultaträkning (tkr)

Post\t2024\t2023
Verksamhetens intäkter\t1 000\t900
Verksamhetens kostnader\t-800\t-950
<b>Årets resultat</b>\t<b>200</b>\t<b>-50</b>

### Balanskravsutredning (tkr)

Post\t2024\t2023\t2022
Årets resultat enligt resultaträkningen\t200\t-50\t30
Samtliga realisationsvinster\t-10\t0\t-40
<b>Årets balanskravsresultat</b>\t<b>190</b>\t<b>-50</b>\t<b>-10</b>

### Sammanställd resultaträkning (tkr)

Post\t2024\t2023
Verksamhetens intäkter\t1 500\t1 400
Verksamhetens kostnader\t-1 700\t-1 300
<b>Årets resultat</b>\t<b>-200</b>\t<b>100</b>
"""


def check(sentence: str) -> list[Discrepancy]:
    return check_document(read_text(f"{STATEMENTS}\n{sentence}\n", "r.md"))


@pytest.mark.parametrize(
    ("sentence", "row", "column", "shown"),
    [
        ("Årets resultat blev ett underskott.", "Årets resultat", "2024", "200"),
        ("Kommunen redovisar ett negativt resultat på 200 tkr för året.", "Årets resultat", "2024", "200"),
        ("Förra året var resultatet ett överskott.", "Årets resultat", "2023", "-50"),
        ("År 2022 var balanskravsresultatet positivt.", "Årets balanskravsresultat", "2022", "-10"),
        ("Koncernens resultat blev ett överskott.", "Årets resultat", "2024", "-200"),
    ],
)
def test_a_result_named_with_the_wrong_sign_is_an_error_that_quotes_the_sentence(
    sentence: str, row: str, column: str, shown: str
) -> None:
    found = check(sentence)
    assert [(d.code, d.level.value, d.row, d.column) for d in found] == [
        ("granska.riktning", "error", row, column)
    ]
    assert found[0].quote == sentence
    assert f"är {shown} i" in found[0].message


@pytest.mark.parametrize(
    "sentence",
    [
        "Årets resultat blev ett överskott.",
        "Kommunen redovisar ett positivt resultat på 200 tkr för året.",
        "Förra året var resultatet ett underskott.",
        "År 2022 var balanskravsresultatet negativt.",
        "Koncernens resultat blev ett underskott.",
        # Not the result: a budget, a target, a negation, a nämnd's deviation.
        "Årets resultat budgeterades som ett underskott.",
        "Målet är att årets resultat ska vara ett underskott under högst ett år.",
        "Årets resultat blev inte något underskott.",
        "Socialnämndens resultat blev ett underskott mot budget.",
    ],
)
def test_a_result_named_rightly_or_another_figure_gives_no_finding(sentence: str) -> None:
    assert check(sentence) == []
