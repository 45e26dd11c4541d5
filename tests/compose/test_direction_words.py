"""Direction words in chapters: the figure chooses the word, so the sentence cannot say the opposite."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from bokslut.compose.chapters import compose
from bokslut.diagnostics import BokslutError
from bokslut.document import TitlePage, plain_text
from bokslut.parts import ReportPart
from bokslut.report_data import ReportData
from bokslut.table import Column, ColumnKind, Row, Table, Unit


def _data() -> ReportData:
    table = Table(
        "forandring",
        "Förändring",
        (Column("belopp", "Belopp"), Column("andel", "Andel", ColumnKind.PERCENT, decimals=1)),
        (
            Row("upp", "Upp", values={"belopp": Decimal("1200000"), "andel": Decimal("2.34")}),
            Row("ned", "Ned", values={"belopp": Decimal("-800000"), "andel": Decimal("-0.26")}),
            Row("noll", "Noll", values={"belopp": Decimal("400"), "andel": Decimal("0.04")}),
        ),
        unit=Unit.TKR,
    )
    values = {
        "plus": Decimal("1500000"),
        "minus": Decimal("-2500000"),
        "nara_noll": Decimal("400"),  # 0 tkr as shown, +400 kr exact
        "nki_2023": Decimal("7.5"),
        "nki_2022": Decimal("7.46"),
        "antal_2023": 8600,
        "antal_2022": 9500,
    }
    return ReportData.merge([ReportPart(tables=(table,), values=values)])


DATA = _data()
TITLE = TitlePage("Förbundet", "Årsredovisning 2023", "", dt.date(2023, 12, 31), Unit.TKR)


def text(chapter: str) -> str:
    doc = compose([("text/01.md", chapter)], DATA, TITLE)
    return plain_text(doc.chapters[0].blocks[0].runs)


def error(chapter: str) -> str:
    with pytest.raises(BokslutError) as info:
        compose([("text/01.md", chapter)], DATA, TITLE)
    (finding,) = info.value.findings
    return finding.format()


@pytest.mark.parametrize(
    "name, positive, negative, zero",
    [
        ("okade_minskade", "ökade", "minskade", "var oförändrade"),
        ("okat_minskat", "ökat", "minskat", "varit oförändrat"),
        ("okar_minskar", "ökar", "minskar", "är oförändrade"),
        ("okning_minskning", "ökning", "minskning", "oförändrad nivå"),
        ("steg_sjonk", "steg", "sjönk", "var oförändrad"),
        ("hogre_lagre", "högre", "lägre", "lika"),
        ("mer_mindre", "mer", "mindre", "lika mycket"),
        ("overskott_underskott", "överskott", "underskott", "nollresultat"),
        ("battre_samre", "bättre", "sämre", "lika"),
        ("positivt_negativt", "positivt", "negativt", "oförändrat"),
        ("positiv_negativ", "positiv", "negativ", "oförändrad"),
    ],
)
def test_each_helper_gives_its_word_at_positive_negative_and_zero(name, positive, negative, zero):
    assert text(f"{{{{ v.plus | {name} }}}}") == positive
    assert text(f"{{{{ v.minus | {name} }}}}") == negative
    assert text(f'{{{{ cell("forandring", "upp", "belopp") | {name} }}}}') == positive
    assert text(f'{{{{ cell("forandring", "ned", "belopp") | {name} }}}}') == negative
    # 400 kr is shown as 0 tkr in the table: the word follows the shown number.
    assert text(f'{{{{ cell("forandring", "noll", "belopp") | {name} }}}}') == zero
    assert text(f"{{{{ v.plus | {name}(omvant=true) }}}}") == negative


def test_a_sentence_reads_right_whichever_the_sign():
    chapter = (
        'Kostnaderna {{ cell("forandring", "X", "belopp") | okade_minskade }} med '
        '{{ cell("forandring", "X", "belopp") | abs | tkr }}.'
    )
    nbsp = "\u00a0"
    assert text(chapter.replace("X", "upp")) == f"Kostnaderna ökade med 1{nbsp}200{nbsp}tkr."
    assert text(chapter.replace("X", "ned")) == f"Kostnaderna minskade med 800{nbsp}tkr."
    assert text(chapter.replace("X", "noll")) == f"Kostnaderna var oförändrade med 0{nbsp}tkr."


def test_the_shown_unit_decides_what_zero_is():
    # A value in no table may be money or a percentage: the chapter says how it is shown.
    assert text('{{ v.nara_noll | okade_minskade(enhet="tkr") }}') == "var oförändrade"  # 0 tkr
    assert text('{{ v.nara_noll | okade_minskade(enhet="kr") }}') == "ökade"  # 400 kr
    assert text('{{ v.nara_noll | okade_minskade(enhet="tkr", noll="låg kvar") }}') == "låg kvar"
    assert text("{{ v.nara_noll | okade_minskade }}") == "ökade"  # to the öre when nothing is said


def test_percentages_follow_the_shown_decimals():
    assert text('{{ cell("forandring", "ned", "andel") | steg_sjonk }}') == "sjönk"  # −0,3 %
    assert text('{{ cell("forandring", "noll", "andel") | steg_sjonk }}') == "var oförändrad"  # 0,0 %
    assert text('{{ cell("forandring", "noll", "andel") | steg_sjonk(decimaler=2) }}') == "steg"  # 0,04 %


def test_mot_compares_two_shown_numbers():
    assert (
        text("{{ v.nki_2023 | steg_sjonk(mot=v.nki_2022, decimaler=1) }}") == "var oförändrad"
    )  # 7,5 and 7,5
    assert text("{{ v.nki_2023 | steg_sjonk(mot=v.nki_2022, decimaler=2) }}") == "steg"
    assert text("{{ v.nki_2022 | steg_sjonk(mot=v.nki_2023, decimaler=2) }}") == "sjönk"
    assert text('{{ riktning(v.antal_2023, "fler", "färre", mot=v.antal_2022) }} ärenden') == "färre ärenden"


def test_riktning_takes_any_pair_and_a_neutral_word():
    assert text('{{ riktning(v.minus, "under", "över", noll="i nivå med") }} budget') == "över budget"
    assert (
        text('{{ riktning(v.nara_noll, "under", "över", noll="i nivå med", enhet="tkr") }} budget')
        == "i nivå med budget"
    )
    assert text('{{ riktning(v.plus, "steg", "sjönk", omvant=true) }}') == "sjönk"


def test_a_helper_needs_the_sign_and_a_value_from_the_data():
    assert error("{{ v.minus | abs | okade_minskade }}") == (
        "text/01.md:1: fel: 'okade_minskade' väljer ordet efter talets tecken; "
        "ta bort | abs före okade_minskade"
    )
    assert "visar ett värde ur data" in error("{{ 5 | hogre_lagre }}")
    assert 'enhet ska vara "kr", "tkr" eller "mkr"' in error('{{ v.plus | hogre_lagre(enhet="ton") }}')
