"""Chapters with live figures: what a writer types and what the report shows."""

import importlib.util
from decimal import Decimal
from pathlib import Path

import pytest

from bokslut.compose.chapters import compose, read_chapters
from bokslut.diagnostics import BokslutError
from bokslut.document import Figure, Heading, NoteRef, Paragraph, TablePlacement
from bokslut.report_data import ReportData
from bokslut.workspace.layout import Layout

NBSP = "\u00a0"


def _load_sample():
    path = Path(__file__).resolve().parents[1] / "render" / "sample_report.py"
    spec = importlib.util.spec_from_file_location("bokslut_sample_report_ws", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


sample = _load_sample()
DATA = ReportData.merge(sample.parts())


def build(*texts):
    chapters = [(f"text/{i:02d}.md", t) for i, t in enumerate(texts, 1)]
    return compose(chapters, DATA, sample.title_page())


def figures(doc):
    out = []
    for ch in doc.chapters:
        for b in ch.blocks:
            if isinstance(b, Paragraph):
                out += [r for r in b.runs if isinstance(r, Figure)]
    return out


def errors(*texts):
    with pytest.raises(BokslutError) as info:
        build(*texts)
    return [f.format() for f in info.value.findings]


def test_a_figure_shows_the_same_number_as_the_table():
    doc = build("Resultat {{ v.arets_resultat | tkr }}.\n\n{{ tabell('resultatrakning') }}\n\n{{ noter() }}")
    fig = figures(doc)[0]
    assert fig.text == f"1{NBSP}376{NBSP}tkr"
    assert fig.ref == "v.arets_resultat" and fig.exact == Decimal("1375823.45")
    assert fig.shown == doc.tables["resultatrakning"].get("arets_resultat", "ar_2023")


def test_every_cell_in_the_text_equals_the_table_even_when_rounding_moved_it():
    drift = DATA.rounded["driftredovisning"]
    lines = [
        f'{{{{ cell("driftredovisning", "{r.id}", "{c.id}") | tkr }}}}'
        for r in drift.table.rows
        for c in drift.table.columns
    ]
    doc = build("\n".join(lines))
    shown = [f.shown for f in figures(doc)]
    expected = [drift.get(r.id, c.id) for r in drift.table.rows for c in drift.table.columns]
    assert shown == expected


def test_units_and_kinds():
    doc = build(
        '{{ v.arets_resultat | kr }} / {{ v.arets_resultat | kr(avrunda="tkr") }} / '
        "{{ v.arets_resultat | mkr }} / {{ v.soliditet | procent }} / {{ v.antal_anstallda }} / "
        "{{ v.arets_resultat | tkr(enhet=false) }} / {{ v.orgnamn }}"
    )
    texts = [f.text for f in figures(doc)]
    assert texts == [
        f"1{NBSP}375{NBSP}823{NBSP}kr",
        f"1{NBSP}376{NBSP}000{NBSP}kr",
        f"1,4{NBSP}mkr",
        f"20,0{NBSP}%",
        "27",
        f"1{NBSP}376",
    ]
    assert "Kommunalförbundet Lystkom" in doc.chapters[0].blocks[0].runs[-1].text


def test_notes_are_numbered_in_order_of_first_appearance():
    doc = build(
        "{{ tabell('balansrakning') }}\n\n{{ tabell('resultatrakning') }}\n\nSe {{ notnummer('not_3') }}.",
        "# Noter\n\n{{ noter() }}",
    )
    assert [n.note_id for n in doc.notes] == ["not_5", "not_6", "not_1", "not_2", "not_3", "not_4"]
    placed = [b for b in doc.chapters[1].blocks if isinstance(b, TablePlacement)]
    assert [p.title for p in placed][:2] == [
        "Not 1. Maskiner och inventarier",
        "Not 2. Kassa och bank",
    ]
    ref = next(r for r in doc.chapters[0].blocks[2].runs if isinstance(r, NoteRef))
    assert ref.number == 5


def test_headings_get_unique_anchors():
    doc = build("# Drift\n\n## Drift\n\n### Årets resultat\n\n## Not 1")
    anchors = [b.anchor for b in doc.chapters[0].blocks if isinstance(b, Heading)]
    assert anchors == ["drift", "drift-2", "arets-resultat", "avsnitt-not-1"]


def test_unknown_names_are_errors_with_file_and_line_never_empty():
    found = errors(
        "# Rubrik\n\n{# en\nkommentar #}\nResultat {{ v.arets_resultatt | tkr }}",
        "rad 1\n\n{{ tabell('resultatrakningen') }}",
        "{{ cell('driftredovisning', 'it', 'utfall_2024') | tkr }}",
        "{{ cell('driftredovisning', 'itt', 'utfall_2023') | tkr }}",
        "a\nb\n{{ okand_funktion() }}",
    )
    assert found[0].startswith("text/01.md:5: fel: okänt värde 'v.arets_resultatt'")
    assert "kända värden: antal_anstallda, arets_resultat" in found[0]
    assert found[1].startswith("text/02.md:3: fel: okänd tabell 'resultatrakningen'")
    assert found[2].startswith(
        "text/03.md:1: fel: tabellen 'driftredovisning' har ingen kolumn 'utfall_2024'"
    )
    assert "ingen rad 'itt'" in found[3]
    assert found[4].startswith("text/05.md:3: fel: okänt namn: 'okand_funktion' finns inte")


def test_syntax_error_names_the_line():
    found = errors("rad ett\nrad två {{ v.arets_resultat | tkr \n")
    assert found[0].startswith("text/01.md:")
    assert "fel i uttrycket" in found[0]


def test_a_number_must_say_how_it_is_shown_and_typed_numbers_are_refused():
    assert "ange hur v.arets_resultat ska visas" in errors("{{ v.arets_resultat }}")[0]
    assert "filtret 'tkr' visar ett värde ur data" in errors("{{ 1376 | tkr }}")[0]
    assert "är ett belopp; använd | tkr" in errors("{{ v.arets_resultat | procent }}")[0]


def test_tables_must_stand_alone_and_notes_must_be_placed():
    found = errors("Se tabellen {{ tabell('nyckeltal') }} här.")
    assert found[0].startswith("text/01.md:1: fel: tabell(), noter() och diagram() ska stå ensamma")
    found = errors("{{ tabell('resultatrakning') }}")
    assert any("not 1 ('not_1') hänvisas till men placeras aldrig" in f for f in found)


def test_the_sandbox_refuses_python_internals():
    found = errors("{{ v.__class__.__mro__ }}")
    assert found and found[0].startswith("text/01.md:1: fel:")


def test_charts_take_the_tables_shown_numbers():
    doc = build("{{ diagram('resultat_mot_budget') }}")
    chart = doc.charts()[0]
    assert chart.categories == ("81141 IT", "81143 Kundtjänst", "81145 Revision")
    assert [s.name for s in chart.series] == ["Budget 2023", "Utfall 2023"]
    assert "Fordringar" not in chart.alt and "81141 IT: budget 2023 698" in chart.alt
    assert "okänt diagram 'paj'" in errors("{{ diagram('paj') }}")[0]
    assert "behöver kolumn=" in errors("{{ diagram('fordelning', tabell='mal') }}")[0]


def test_read_chapters_in_file_name_order(tmp_path):
    layout = Layout(tmp_path)
    layout.text_dir.mkdir()
    (layout.text_dir / "02-b.md").write_text("# B", encoding="utf-8")
    (layout.text_dir / "01-a.md").write_text("# A", encoding="utf-8")
    (layout.text_dir / "noter.txt").write_text("inte ett kapitel", encoding="utf-8")
    assert [n for n, _ in read_chapters(layout)] == ["text/01-a.md", "text/02-b.md"]
    (layout.text_dir / "03-c.md").write_bytes(b"\xff\xfe")
    with pytest.raises(BokslutError) as info:
        read_chapters(layout)
    assert info.value.findings[0].file == "text/03-c.md"


def test_abs_shows_the_magnitude_of_the_shown_number():
    drift = DATA.rounded["driftredovisning"]
    cost = next(r.id for r in drift.table.rows if (drift.get(r.id, "utfall_2023") or 0) < 0)
    doc = build(f'Kostnaderna blev {{{{ cell("driftredovisning", "{cost}", "utfall_2023") | abs | tkr }}}}.')
    fig = figures(doc)[0]
    assert fig.shown == -drift.get(cost, "utfall_2023") > 0
    assert fig.ref == f"abs(cell:driftredovisning/{cost}/utfall_2023)" and fig.exact > 0
    assert "−" not in fig.text


def test_a_markdown_table_of_facts_becomes_a_captioned_text_table():
    doc = build(
        "| Namn | Uppdrag |\n|---|---|\n| Anna Andersson (S) | Ordförande |\n"
        "| Bo Berg (M) | Ledamot |\n\nTabell: Direktionen 2023\n\nEfter tabellen."
    )
    blocks = doc.chapters[0].blocks
    placed = blocks[0]
    assert isinstance(placed, TablePlacement) and placed.title == "Direktionen 2023"
    table = placed.rounded.table
    assert table.label_header == "Namn" and [c.label for c in table.columns] == ["Uppdrag"]
    assert [(r.label, placed.rounded.get(r.id, "k1")) for r in table.rows] == [
        ("Anna Andersson (S)", "Ordförande"),
        ("Bo Berg (M)", "Ledamot"),
    ]
    assert isinstance(blocks[1], Paragraph) and len(blocks) == 2
    assert "behöver en rubrik" in errors("| A | B |\n|---|---|\n| x | y |\n")[0]


def test_a_distribution_can_count_one_level_over_several_tables():
    doc = build('{{ diagram("fordelning", tabell=["mal", "mal"], kolumn="bedomning", niva=0) }}')
    chart = doc.charts()[0]
    assert chart.categories == ("uppfyllt", "delvis uppfyllt", "ej uppfyllt")
    assert [int(v) for v in chart.series[0].values] == [4, 2, 2]
    assert (
        "niva anges som ett heltal"
        in errors('{{ diagram("fordelning", tabell="mal", kolumn="bedomning", niva="a") }}')[0]
    )


def test_jinja_and_python_mistakes_are_told_in_swedish_with_the_names_they_quote():
    found = errors(
        "{{ v.arets_resultat | tusental }}",
        "{{ v.arets_resultat | tkr(decimaler=2) }}",
        "{% hej %}",
        "{{ 1 / 0 }}",
        "{{ 'a' + 1 }}",
        "{{ v.arets_resultat | tkr }",
    )
    assert found[0] == "text/01.md:1: fel: fel i uttrycket: okänt filter 'tusental'"
    assert found[1].endswith(
        "uttrycket kunde inte beräknas: filtret eller funktionen har ingen parameter 'decimaler'"
    )
    assert found[2] == "text/03.md:1: fel: fel i uttrycket: okänd tagg '{% hej %}'"
    assert found[3].endswith("uttrycket kunde inte beräknas: division med noll")
    assert found[4].endswith("text och tal kan inte läggas ihop med +")
    assert found[5].startswith("text/06.md:1: fel: fel i uttrycket: ")
    # Not one English word from Jinja or Python reaches the writer.
    english = ("got an", "unexpected", "named", "unknown", "division by", "expected", "operand")
    assert not [f for f in found if any(word in f for word in english)]
