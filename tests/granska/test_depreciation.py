"""The driftredovisning's avskrivningar against the resultaträkning's: a small report per case."""

from __future__ import annotations

from bokslut.granska.model import Discrepancy
from bokslut.granska.read_text import read_text
from bokslut.granska.run import check_document

RR = """### Resultaträkning (tkr)

Post\tNot\t2023\t2022
Verksamhetens intäkter\t\t1 000\t900
Verksamhetens kostnader\t\t-700\t-650
Avskrivningar\t\t-100\t-90
<b>Årets resultat</b>\t\t<b>200</b>\t<b>160</b>
"""
DRIFT = """### Driftredovisning (tkr)

Verksamhet\tBudget 2023\tUtfall 2023\tBudget 2022\tUtfall 2022
Intäkter\t500\t500\t450\t450
Kostnader\t-380\t-380\t-350\t-350
Avskrivningar\t-70\t-70\t-60\t-60
<b>Skola</b>\t<b>50</b>\t<b>50</b>\t<b>40</b>\t<b>40</b>
Intäkter\t500\t500\t450\t450
Kostnader\t-320\t-320\t-300\t-300
Avskrivningar\t-30\t-30\t-30\t-30
<b>Teknik</b>\t<b>150</b>\t<b>150</b>\t<b>120</b>\t<b>120</b>
<b>Totalt</b>\t<b>200</b>\t<b>200</b>\t<b>160</b>\t<b>160</b>
"""


def check(*parts: str) -> list[Discrepancy]:
    return check_document(read_text("\n".join(parts), "r.md"))


def about_depreciation(found: list[Discrepancy]) -> list[tuple[str, str, str | None]]:
    return [(d.code, d.level.value, d.column) for d in found if "Avskrivningarna i" in d.message]


def test_avskrivningar_per_verksamhet_that_add_up_to_the_resultatrakning_give_no_finding() -> None:
    assert check(RR, DRIFT) == []


def test_avskrivningar_per_verksamhet_larger_than_the_total_are_an_error() -> None:
    # Teknik's avskrivningar grow by 20 in both years; its other costs shrink, so its sum still holds.
    drift = DRIFT.replace("Kostnader\t-320\t-320\t-300\t-300", "Kostnader\t-300\t-300\t-280\t-280").replace(
        "Avskrivningar\t-30\t-30\t-30\t-30", "Avskrivningar\t-50\t-50\t-50\t-50"
    )
    found = check(RR, drift)
    assert about_depreciation(found) == [
        ("granska.avskrivningar", "error", "Utfall 2023"),
        ("granska.avskrivningar", "error", "Utfall 2022"),
    ]
    assert found[0].message == (
        "Avskrivningarna i Driftredovisning (tkr) (Utfall 2023) blir −120 (2 rader Avskrivningar), "
        "men Resultaträkning (tkr) visar -100; verksamheternas avskrivningar är 20 större än kommunens totala"
    )


def test_avskrivningar_not_shown_per_verksamhet_are_a_warning_unless_the_text_says_where_they_are() -> None:
    # Teknik shows no avskrivningar line: its 30 sit in its kostnader.
    drift = DRIFT.replace("Kostnader\t-320\t-320\t-300\t-300", "Kostnader\t-350\t-350\t-330\t-330").replace(
        "Avskrivningar\t-30\t-30\t-30\t-30\n", ""
    )
    found = check(RR, drift)
    assert about_depreciation(found) == [
        ("granska.avskrivningar", "warning", "Utfall 2023"),
        ("granska.avskrivningar", "warning", "Utfall 2022"),
    ]
    assert "30 redovisas inte per verksamhet och texten säger inte var de finns" in found[0].message
    explained = "Teknikens avskrivningar ingår i dess kostnader och visas inte på egen rad.\n"
    assert check(RR, drift, explained) == []
    assert check(RR, drift, "Av avskrivningarna visas 30 tkr inte per verksamhet.\n") == []
    # A sentence about avskrivningar with another amount explains nothing.
    assert len(check(RR, drift, "Avskrivningarna ökade med 10 tkr.\n")) == 2


def test_a_difference_of_a_unit_per_part_is_rounding() -> None:
    found = check(RR.replace("-100\t-90", "-101\t-90").replace("-700\t-650", "-699\t-650"), DRIFT)
    assert about_depreciation(found) == [("granska.avrundning", "notice", "Utfall 2023")]
    assert found[0].message.endswith("visar -101; skillnaden 1 är avrundning")


def test_the_sammanstallda_rakenskapers_avskrivningar_are_not_the_driftredovisnings() -> None:
    koncern = (
        RR.replace("### Resultaträkning (tkr)", "### Sammanställd resultaträkning (tkr)")
        .replace("-100\t-90", "-180\t-170")
        .replace("-700\t-650", "-620\t-570")
    )
    assert check(RR, koncern, DRIFT) == []
