"""`direction_findings`: a typed direction word next to a figure whose sign says the opposite."""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from bokslut.checks.words import direction_findings
from bokslut.compose.chapters import compose, read_chapters
from bokslut.document import Paragraph, TitlePage, iter_blocks, plain_text
from bokslut.parts import ReportPart
from bokslut.pipeline.areas import report_parts
from bokslut.pipeline.build import title_page
from bokslut.report_data import ReportData
from bokslut.table import Column, Row, Table, Unit
from bokslut.workspace.config import load_config
from bokslut.workspace.layout import Layout

NBSP = "\u00a0"

# Costs as a note lists them: positive amounts, and the change from last year.
COSTS = Table(
    "not_kostnader",
    "Verksamhetens kostnader",
    (
        Column("ar", "2023"),
        Column("fg", "2022"),
        Column("forandring", "Förändring", derived=("ar", "-", "fg")),
    ),
    (
        Row("personal", "Personalkostnader", values={"ar": Decimal("10430000"), "fg": Decimal("9515000")}),
        Row("ovriga", "Övriga kostnader", values={"ar": Decimal("12506000"), "fg": Decimal("11516000")}),
        Row("lokaler", "Lokalkostnader", values={"ar": Decimal("700000"), "fg": Decimal("900000")}),
    ),
    unit=Unit.TKR,
)
DATA = ReportData.merge([ReportPart(tables=(COSTS,), values={"resultat": Decimal("-269000")})])
TITLE = TitlePage("Förbundet", "Årsredovisning 2023", "", dt.date(2023, 12, 31), Unit.TKR)


def findings(*paragraphs: str):
    doc = compose([("text/02-finansiell-analys.md", "\n\n".join(paragraphs))], DATA, TITLE)
    return direction_findings(doc)


def change(row: str) -> str:
    return f'{{{{ cell("not_kostnader", "{row}", "forandring") | kr(avrunda="tkr") }}}}'


def test_the_seeds_sentence_costs_decreased_where_they_rose_is_found():
    (finding,) = findings(f"Övriga kostnader minskade med {change('ovriga')} jämfört med 2022.")
    assert finding.level.value == "warning"
    assert finding.file == "text/02-finansiell-analys.md"
    assert finding.where == f"Övriga kostnader minskade med 990{NBSP}000{NBSP}kr jämfört med 2022."
    assert finding.message.startswith(
        f"ordet 'minskade' står intill 990{NBSP}000{NBSP}kr (cell:not_kostnader/ovriga/forandring), "
        "som är ett positivt tal"
    )


def test_the_helper_writes_the_same_sentence_right():
    doc = compose(
        [
            (
                "text/01.md",
                'Övriga kostnader {{ cell("not_kostnader", "ovriga", "forandring") | okade_minskade }} '
                f"med {change('ovriga')}.",
            )
        ],
        DATA,
        TITLE,
    )
    assert plain_text(doc.chapters[0].blocks[0].runs) == f"Övriga kostnader ökade med 990{NBSP}000{NBSP}kr."
    assert direction_findings(doc) == []


@pytest.mark.parametrize(
    "sentence, word",
    [
        (f"Lokalkostnaderna ökade med {change('lokaler')}.", "ökade"),
        (f"Personalkostnaderna blev {change('personal')} lägre än året innan.", "lägre"),
        ("Förbundet redovisar ett överskott på {{ v.resultat | kr }}.", "överskott"),
        (f"- Övriga kostnader: en minskning på {change('ovriga')}", "minskning"),
        (f"> Personalkostnaderna **minskade** med {change('personal')}.", "minskade"),
    ],
)
def test_words_next_to_a_figure_of_the_other_sign(sentence, word):
    (finding,) = findings(sentence)
    assert f"ordet '{word}'" in finding.message


@pytest.mark.parametrize(
    "sentence",
    [
        f"Övriga kostnader ökade med {change('ovriga')}.",
        f"Lokalkostnaderna minskade med {change('lokaler')}.",
        # | abs: the figure shows no sign, the word is the only claim.
        'Lokalkostnaderna ökade med {{ cell("not_kostnader", "lokaler", "forandring") | abs | kr }}.',
        # a level, not the change: "en minskning från 900 000 kr"
        'Lokalkostnaderna, en minskning från {{ cell("not_kostnader", "lokaler", "fg") | kr }}.',
        # the word belongs to another sentence, or another clause
        f"Kostnaderna minskade. {change('ovriga')} av dem var övriga kostnader.",
        "Resultatet blev {{ v.resultat | kr }}, högre än väntat.",
        f"Lokalkostnaderna ({change('lokaler')}) ökade inte.",
    ],
)
def test_words_that_agree_or_stand_apart_are_not_findings(sentence):
    assert findings(sentence) == []


EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def compose_example(name: str, tmp_path: Path):
    root = tmp_path / name
    shutil.copytree(EXAMPLES / name, root, ignore=shutil.ignore_patterns("build", ".bokslut", "__pycache__"))
    layout = Layout(root)
    config = load_config(layout.config)
    data = ReportData.merge(report_parts(layout, config))
    return compose(read_chapters(layout), data, title_page(config))


def sentences_with(doc, *parts: str) -> list[str]:
    texts = [plain_text(b.runs) for b in iter_blocks(doc) if isinstance(b, Paragraph)]
    return [t for t in texts if all(p in t for p in parts)]


def test_lystkom_words_follow_its_figures(tmp_path):
    doc = compose_example("lystkom-2023", tmp_path)
    assert direction_findings(doc) == []
    n = NBSP
    assert sentences_with(
        doc,
        f"Lystkom kundtjänst redovisar ett underskott på 269{n}000{n}kr, "
        f"vilket är 372{n}000{n}kr sämre än budget.",
    )
    assert sentences_with(doc, f"Övriga kostnader blev däremot 990{n}000{n}kr högre än budget.")
    assert sentences_with(doc, f"Intäkterna blev 569{n}000{n}kr lägre än beräknat")
    assert sentences_with(
        doc,
        f"Förbundets samlade överskott för 2023 blev 1{n}376{n}000{n}kr, "
        f"vilket är 564{n}000{n}kr bättre än budget.",
    )
    assert sentences_with(doc, f"steg till 20,0{n}% från 16,1{n}%")
    assert sentences_with(
        doc, "Nöjd-kund-index steg något för kundtjänst, till 7,5, men sjönk något för IT, till 6,6."
    )


def test_sydnarke_words_follow_its_figures_in_the_ledgers_sign(tmp_path):
    doc = compose_example("sydnarke-2020", tmp_path)
    assert direction_findings(doc) == []
    n = NBSP
    assert sentences_with(
        doc, f"ett överskott på 1{n}579{n}tkr, mot ett överskott på 87{n}tkr samma period förra året."
    )
    assert sentences_with(doc, f"Licenskostnaderna ökar med 400{n}tkr")
    assert sentences_with(doc, f"Kapitalkostnaderna väntas bli 1{n}017{n}tkr lägre än budget")
    assert sentences_with(doc, f"övrigt tjänsteköp väntas överskrida budget med 1{n}795{n}tkr")
