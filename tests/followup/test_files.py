from decimal import Decimal
from pathlib import Path

from bokslut import followup
from bokslut.diagnostics import Level
from bokslut.followup import load_goals
from bokslut.followup.xlsx import write_beslut_workbook, write_goal_workbook
from bokslut.workspace.layout import Layout

from .conftest import config

GOALS = """\
ar: 2023
malomraden:
  - namn: Målområde 1. Uppdrag
    mal:
      - id: service
        namn: God service
        indikatorer:
          - namn: Besvarade inom 30 s
            enhet: "%"
            malvarde: 90
            utfall: =samtal_andel_inom_30s_2023
          - namn: NKI ska öka
            strikt: true
            malvarde: =nki_2022
            utfall: =nki_2023
      - id: budget
        namn: Följer budget
        bedomning: {varde: uppfyllt, motivering: Resultatet är bättre än budget.}
"""
KNOWN = {"samtal_andel_inom_30s_2023": 91.6, "nki_2022": 7.4, "nki_2023": 7.5}


def test_flat_goal_table_with_words_and_symbols(workspace):
    known = {k: Decimal(str(v)) for k, v in KNOWN.items()}
    part = followup.build_part(workspace("mal.yaml", GOALS), config(), known)
    assert not part.findings
    (table,) = part.tables
    assert table.id == "mal_malomrade_1"
    assert table.value("service", "maluppfyllelse") == "Uppfyllt"
    assert table.value("service", "symbol") == "●"
    assert table.value("service_indikator_1", "malvarde") == "minst 90\u202f%"
    assert table.value("service_indikator_2", "malvarde") == "mer än 7,4"
    assert "manuellt" in str(table.value("budget", "kommentar"))
    assert any("● uppfyllt" in n for n in table.footnotes)
    assert part.values["mal_sammanfattning"] == "Av totalt två mål bedöms två vara uppfyllda."
    assert part.values["mal_antal_uppfyllda"] == 2


def test_validation_errors_name_the_line(workspace):
    text = GOALS.replace("strikt: true", "strikt: true\n            riktnig: hogre")
    part = followup.build_part(workspace("mal.yaml", text), config(), KNOWN)
    (err,) = part.findings
    assert (err.file, err.line) == ("data/mal.yaml", 14)
    assert "riktnig" in err.message and "ingen känd inställning" in err.message


def test_missing_reference_points_at_file_line_and_key(workspace):
    part = followup.build_part(workspace("mal.yaml", GOALS), config(), {"nki_2022": 1, "nki_2023": 2})
    (err,) = [f for f in part.findings if f.level is Level.ERROR]
    assert (err.file, err.line) == ("data/mal.yaml", 11)
    assert err.where == "malomraden[0].mal[0].indikatorer[0].utfall"
    assert "samtal_andel_inom_30s_2023" in err.message
    # The rest is still assessed: that goal cannot be fully judged, the other is manual.
    assert part.values["mal_antal"] == 2


def test_xlsx_round_trip_gives_the_same_tables(workspace, tmp_path: Path):
    layout = workspace("mal.yaml", GOALS)
    yaml_part = followup.build_part(layout, config(), KNOWN)
    goals, _, _ = load_goals(layout)
    (tmp_path / "data" / "mal.yaml").unlink()
    write_goal_workbook(tmp_path / "data" / "mal.xlsx", goals)
    xlsx_part = followup.build_part(layout, config(), KNOWN)
    assert not xlsx_part.findings

    # The workbook gives indicators ids of their own; what the table shows is the same.
    def shown(part):
        return [[(r.label, r.level, dict(r.values)) for r in t.rows] for t in part.tables]

    assert shown(xlsx_part) == shown(yaml_part)
    # A reference error in the workbook points at the cell.
    bad = followup.build_part(layout, config(), {})
    assert {f.where for f in bad.findings} >= {"Utfall!C2"}


def test_empty_template_is_a_valid_empty_goal_file(tmp_path: Path):
    (tmp_path / "data").mkdir()
    write_goal_workbook(tmp_path / "data" / "mal.xlsx")
    write_beslut_workbook(tmp_path / "data" / "beslut.xlsx")
    part = followup.build_part(Layout(tmp_path), config(), {})
    assert not part.findings
    assert part.values["mal_antal"] == 0 and part.values["beslut_antal"] == 0


def test_both_yaml_and_xlsx_is_an_error(workspace, tmp_path: Path):
    layout = workspace("mal.yaml", GOALS)
    write_goal_workbook(tmp_path / "data" / "mal.xlsx")
    part = followup.build_part(layout, config(), KNOWN)
    assert "både data/mal.yaml och data/mal.xlsx" in part.findings[0].message


def test_political_assignments(workspace):
    text = """\
beslut:
  - diarienummer: SYD-IT 19-49
    text: Uppdrag att inleda en dialog om lokalfrågan.
    datum: 2019-06-12
    status: pågår
    kommentar: Finns uppdrag hos LEBO.
  - text: Uppdrag om digitaliseringsledare.
    status: klar
"""
    part = followup.build_part(workspace("beslut.yaml", text), config(), {})
    (table,) = part.tables
    assert table.id == "politiska_beslut"
    assert table.value("beslut_1", "status") == "Pågår"
    assert table.value("beslut_1", "datum") == "2019-06-12"
    (err,) = part.findings
    assert (err.line, err.where) == (8, "beslut[1].status") and "klar" in err.message
    assert part.values["beslut_antal_pagar"] == 1


BESLUT = """\
beslut:
  - text: Uppdrag att inleda en dialog om lokalfrågan.
    datum: {datum}
    status: pågår
  - text: Uppdrag om digitaliseringsledare.
    datum: 2019-06-12
    status: avslutad
"""


def test_a_decision_date_that_does_not_exist_is_named_with_its_line(workspace):
    part = followup.build_part(workspace("beslut.yaml", BESLUT.format(datum="2019-02-30")), config(), {})
    (err,) = part.findings
    assert (err.file, err.line) == ("data/beslut.yaml", 3)
    assert err.message == "ogiltig YAML: '2019-02-30' är inget datum som finns (ÅÅÅÅ-MM-DD)"


def test_a_quoted_date_that_does_not_exist_is_an_error_and_the_rest_is_shown(workspace):
    part = followup.build_part(workspace("beslut.yaml", BESLUT.format(datum='"2019-02-30"')), config(), {})
    (err,) = part.findings
    assert (err.line, err.where) == (3, "beslut[0].datum")
    assert err.message == "datum '2019-02-30' är inget datum som finns (skrivs ÅÅÅÅ-MM-DD)"
    (table,) = part.tables
    assert table.value("beslut_2", "datum") == "2019-06-12"
    assert table.value("beslut_2", "status") == "Avslutad"


def test_an_indicator_id_used_twice_is_an_error_naming_both_lines(workspace):
    text = GOALS.replace("- namn: NKI ska öka", "- id: nki\n            namn: NKI ska öka")
    text = text.replace("- namn: Besvarade inom 30 s", "- id: nki\n            namn: Besvarade inom 30 s")
    part = followup.build_part(workspace("mal.yaml", text), config(), KNOWN)
    (err,) = [f for f in part.findings if f.code == "dubblett"]
    assert (err.file, err.line) == ("data/mal.yaml", 13)
    assert err.where == "malomraden[0].mal[0].indikatorer[1].id"
    assert err.message == (
        "indikatorn har id 'nki', som redan används (rad 8); ett id får bara förekomma en gång"
    )
    # Everything else is still assessed.
    assert part.values["mal_antal"] == 2


def test_a_goal_workbook_that_is_no_spreadsheet_is_named_in_swedish(workspace, tmp_path: Path):
    layout = workspace("mal.xlsx", "ar;namn\n2023;x\n")
    part = followup.build_part(layout, config(), {})
    (err,) = part.findings
    assert err.file == "data/mal.xlsx"
    assert err.message.startswith("filen är ingen XLSX-fil (den är inte ett zip-arkiv)")
    assert "zip file" not in err.message


def test_an_outcome_year_in_other_digits_is_refused_in_the_workbook(workspace, tmp_path: Path):
    layout = workspace("mal.yaml", GOALS)
    goals, _, _ = load_goals(layout)
    (tmp_path / "data" / "mal.yaml").unlink()
    write_goal_workbook(tmp_path / "data" / "mal.xlsx", goals)
    from openpyxl import load_workbook

    wb = load_workbook(tmp_path / "data" / "mal.xlsx")
    wb["Utfall"]["B2"] = "٢٠٢٣"
    wb.save(tmp_path / "data" / "mal.xlsx")
    part = followup.build_part(layout, config(), KNOWN)
    (err,) = [f for f in part.findings if f.where == "Utfall!B2"]
    assert err.message == "år saknas eller är inget årtal"
