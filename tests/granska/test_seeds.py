"""The two seed reports, worked through by hand first; granska must find what an auditor finds.

Lystkom årsredovisning 2023 (Markdown with tab-separated tables):
- the text says the result is 1 367 000 kr, every table says 1 376 tkr;
- "Övriga kostnader minskade med 990 000 kr", but Lystkom IT's övriga kostnader went from
  −11 516 (budget) to −12 506 (utfall): 990 tkr more cost;
- the balance sheet's equity and liabilities (6 413 + 25 651 = 32 064) do not add up to its
  assets (32 063);
- note 5: opening accumulated depreciation 2023 is −37 093, last year's closing −37 094.
Sydnärke IT delårsbokslut 2020:
- "ett överskott på 1564 tkr" where the table and the other sentences say 1 579 tkr to 31 July;
- "ett överskott på 420 kr för helåret" where the forecast is 420 tkr.
The many 1 tkr differences in Lystkom's driftredovisning are rounding notes, not errors.
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from bokslut.cli import app
from bokslut.diagnostics import Level
from bokslut.granska.model import Discrepancy
from bokslut.granska.run import granska


def _errors(path: Path) -> list[Discrepancy]:
    return [d for d in granska([path]).discrepancies if d.level is Level.ERROR]


def test_lystkom_errors_are_exactly_the_three_an_auditor_finds(seeds: Path) -> None:
    found = _errors(seeds / "lystkom-arsredovisning-2023.md")
    assert [(d.code, d.place.line) for d in found] == [
        ("granska.belopp", 131),
        ("granska.riktning", 303),
        ("granska.ingaende", 480),
    ]
    result, direction, opening = found
    assert result.message == (
        "Texten skriver 1 367 000 kr, men Resultaträkning (tkr) visar 1 376 tkr för Årets resultat (2023); "
        "det ena av beloppen är fel"
    )
    assert result.quote.startswith("Lystkom redovisar ett positivt resultat på 1 367 000 kr")
    assert direction.row == "Övriga kostnader" and '"minskade"' in direction.message
    assert "en ökning med 990" in direction.message
    assert opening.values == ("-37 093", "-37 094")


def test_lystkom_balance_sheet_sides_differ_by_one_tkr(seeds: Path) -> None:
    found = granska([seeds / "lystkom-arsredovisning-2023.md"]).discrepancies
    sides = [d for d in found if d.code == "granska.balans"]
    assert len(sides) == 1 and sides[0].level is Level.WARNING
    assert sides[0].column == "2023"
    assert "SUMMA TILLGÅNGAR är 32 063" in sides[0].message and "blir 32 064 (skillnad 1)" in sides[0].message


def test_lystkom_rounding_differences_are_notes_not_errors(seeds: Path) -> None:
    found = granska([seeds / "lystkom-arsredovisning-2023.md"]).discrepancies
    personal = next(
        d for d in found if d.row == "Personalkostnader" and d.place.line == 315 and "339" in d.message
    )
    assert personal.level is Level.NOTICE and personal.code == "granska.avrundning"
    assert "Budget 2023 − Utfall 2023 ger −339" in personal.message


def test_lystkom_driftredovisning_depreciation_is_one_tkr_off_the_resultatrakning_a_rounding_note(
    seeds: Path,
) -> None:
    found = granska([seeds / "lystkom-arsredovisning-2023.md"]).discrepancies
    depreciation = [d for d in found if d.message.startswith("Avskrivningarna i")]
    assert [(d.level, d.code, d.column, d.place.line) for d in depreciation] == [
        (Level.NOTICE, "granska.avrundning", "Utfall 2023", 317)
    ]
    assert depreciation[0].values == ("Driftredovisning (tkr): −11 303", "Resultaträkning (tkr): -11 304")


def test_sydnarke_period_and_unit(seeds: Path) -> None:
    found = _errors(seeds / "sydnarke-it-delarsbokslut-2020.md")
    assert [(d.code, d.place.line) for d in found] == [("granska.belopp", 88), ("granska.enhet", 100)]
    period, unit = found
    assert (
        "1564 tkr" in period.message and "-1 579 tkr" in period.message and period.column == "Utfall 200731"
    )
    assert "420 kr" in unit.message and "-420 tkr" in unit.message and unit.column == "Årsprognos"
    assert unit.quote == "SYD-IT prognostiserar ett överskott på 420 kr för helåret."


def test_the_command_prints_the_summary_first_and_exits_1(seeds: Path) -> None:
    result = CliRunner().invoke(app, ["granska", str(seeds / "sydnarke-it-delarsbokslut-2020.md")])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "Granskning av en fil"
    assert lines[2] == "2 fel, 0 varningar, 0 notiser (avrundningsskillnader och annat att känna till)."
    assert lines[4].startswith("fel: ") and "rad 88" in lines[4]


def test_json_and_html_quote_each_place(seeds: Path, tmp_path: Path) -> None:
    out = tmp_path / "granskning.html"
    result = CliRunner().invoke(
        app, ["granska", str(seeds / "sydnarke-it-delarsbokslut-2020.md"), "--json", "--html", str(out)]
    )
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["format"] == "bokslut-granska/1"
    assert data["summary"] == {"errors": 2, "warnings": 0, "notices": 0, "exit_code": 1}
    unit = data["findings"][1]
    assert unit["code"] == "granska.enhet" and unit["line"] == 100 and unit["page"] is None
    assert (
        unit["table"] == "Ekonomiskt resultat" and unit["row"] == "Summa" and unit["column"] == "Årsprognos"
    )
    assert unit["values"][0] == "420 kr"
    page = out.read_text(encoding="utf-8")
    assert "<blockquote>SYD-IT prognostiserar ett överskott på 420 kr för helåret.</blockquote>" in page
    assert page.index("<h2>Fel (2)</h2>") < page.index("rad 100")
