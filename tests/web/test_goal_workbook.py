"""Goal forms over data/mal.xlsx and data/beslut.xlsx: only the edited cells change, the
user's workbook keeps everything else, and `bokslut build` reads the new values."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from openpyxl import load_workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from tests.web.conftest import RR, csrf_of

from bokslut.cli import app
from bokslut.followup import load_beslut, load_goals
from bokslut.followup.model import BeslutFil
from bokslut.followup.xlsx import write_beslut_workbook, write_goal_workbook
from bokslut.workspace.layout import Layout

# Målområde 1, indicator 2: "Kundtjänst – andel samtal …" (id kundtjanst_30s), utfall computed,
# no prognos. Målområde 2, indicator 0: "Medlemskommunerna har undertecknat avtal om e-arkiv"
# (id e_arkiv), utfall "Ja" written by hand, målvärde "Ja".
KUNDTJANST = 2
E_ARKIV = 0


def shown(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def form(client, url: str) -> tuple[str, str]:
    page = client.get(url)
    assert page.status_code == 200, shown(page.text)
    base = re.search(r'name="bas" value="([0-9a-f]{64})"', page.text).group(1)
    return csrf_of(page.text), base


def post(client, url: str, fields: dict[str, str]):
    token, base = form(client, url)
    return client.post(url, data={"csrf": token, "bas": base, **fields}, follow_redirects=False)


def goals_as_workbook(root: Path) -> Path:
    """data/mal.yaml made into data/mal.xlsx (as `bokslut mal mall --fran`), then dressed as a
    person would in Excel: a comment, a wider column, a bold coloured cell, a sheet of notes."""
    goals, _, findings = load_goals(Layout(root))
    assert goals is not None and not findings
    path = root / "data" / "mal.xlsx"
    write_goal_workbook(path, goals)
    (root / "data" / "mal.yaml").unlink()
    wb = load_workbook(path)
    wb["Indikatorer"]["C2"].comment = Comment("Namnet enligt direktionens beslut.", "Controller")
    wb["Utfall"].column_dimensions["C"].width = 31.5
    wb["Målområden"]["B2"].font = Font(bold=True, italic=True)
    wb["Målområden"]["B2"].fill = PatternFill("solid", fgColor="FFFF00")
    notes = wb.create_sheet("Anteckningar")
    notes["A1"] = "Egna anteckningar: utfallen stäms av mot kundtjänstens rapport i januari."
    notes["A2"] = CellRichText("Viktigt: ", TextBlock(InlineFont(b=True), "före den 15 januari"))
    wb.save(path)
    return path


def cells(path: Path) -> dict[str, Any]:
    wb = load_workbook(path)
    out = {
        f"{ws.title}!{c.coordinate}": c.value
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.value is not None
    }
    wb.close()
    return out


def row_of(path: Path, sheet: str, ident: str) -> dict[str, Any]:
    ws = load_workbook(path)[sheet]
    rows = list(ws.iter_rows(values_only=True))
    found = [r for r in rows[1:] if r[0] == ident]
    assert len(found) == 1
    return dict(zip(rows[0], found[0], strict=True))


def test_goals_kept_in_mal_xlsx_are_saved_into_the_workbook_and_bokslut_build_shows_them(site, tmp_path):
    path = goals_as_workbook(site.root)
    before = cells(path)
    ola = site.client("ola")
    page = ola.get("/mal/1")
    assert "data/mal.xlsx · år 2023" in shown(page.text)
    r = post(
        ola,
        "/mal/1",
        {
            f"prognos-{KUNDTJANST}": "92,5",
            f"bedomning-{KUNDTJANST}": "delvis",
            f"motivering-{KUNDTJANST}": "Kön växte under hösten när två handläggare slutade.",
        },
    )
    assert r.status_code == 303 and r.headers["location"] == "/mal/1?sparat=1"
    assert "Målen är sparade i data/mal.xlsx." in shown(ola.get("/mal/1?sparat=1").text)
    r = post(ola, "/mal/2", {f"utfall-{E_ARKIV}": "Nej"})
    assert r.status_code == 303

    after = cells(path)
    changed = {
        k: (before.get(k), after.get(k))
        for k in before.keys() | after.keys()
        if before.get(k) != after.get(k)
    }
    utfall_row = next(k for k, v in before.items() if v == "kundtjanst_30s" and k.startswith("Utfall!"))[8:]
    arkiv_row = next(k for k, v in before.items() if v == "e_arkiv" and k.startswith("Utfall!"))[8:]
    ind_row = next(k for k, v in before.items() if v == "kundtjanst_30s" and k.startswith("Indikatorer!"))[
        13:
    ]
    assert changed == {
        f"Utfall!D{utfall_row}": (None, 92.5),
        f"Utfall!C{arkiv_row}": ("Ja", "Nej"),
        f"Indikatorer!K{ind_row}": (None, "delvis"),
        f"Indikatorer!L{ind_row}": (None, "Kön växte under hösten när två handläggare slutade."),
    }
    # What the person put in the workbook is still there.
    wb = load_workbook(path)
    assert wb["Indikatorer"]["C2"].comment.text == "Namnet enligt direktionens beslut."
    assert wb["Utfall"].column_dimensions["C"].width == 31.5
    assert wb["Målområden"]["B2"].font.bold and wb["Målområden"]["B2"].font.italic
    assert wb["Målområden"]["B2"].fill.fgColor.rgb == "00FFFF00"
    assert wb.sheetnames == [
        "Instruktioner",
        "Inställningar",
        "Målområden",
        "Mål",
        "Indikatorer",
        "Utfall",
        "Anteckningar",
    ]
    assert [str(v.sqref) for v in wb["Indikatorer"].data_validations.dataValidation] == [
        "E2:E1000",
        "K2:K1000",
    ]
    assert wb["Utfall"][f"C{utfall_row}"].value == "=samtal_kundtjanst_andel_inom_30s_2023"
    rich = load_workbook(path, rich_text=True)["Anteckningar"]["A2"].value
    assert isinstance(rich, CellRichText) and rich[1].font.b and str(rich) == "Viktigt: före den 15 januari"

    # Read as build reads it, and built by the command line.
    goals, _, findings = load_goals(Layout(site.root))
    assert goals is not None and not findings
    ind = goals.malomraden[0].mal[1].indikatorer[0]
    assert (ind.prognos, ind.bedomning.varde, ind.utfall) == (
        {2023: 92.5},
        "delvis",
        {2023: "=samtal_kundtjanst_andel_inom_30s_2023"},
    )
    out = tmp_path / "bygge"
    built = CliRunner().invoke(app, ["build", str(site.root), "--format", "json", "--ut", str(out), "-q"])
    assert built.exit_code == 0, built.output
    report = json.loads((out / "arsredovisning-2023.json").read_text(encoding="utf-8"))
    text = json.dumps(report, ensure_ascii=False)
    assert "Kön växte under hösten när två handläggare slutade." in text
    table = next(t for t in _tables(report) if t.get("id") == "mal_malomrade_2")
    row = next(r for r in table["rows"] if "e-arkiv" in json.dumps(r, ensure_ascii=False))
    assert "Nej" in json.dumps(row, ensure_ascii=False) and "Ej uppfyllt" in json.dumps(
        row, ensure_ascii=False
    )

    newest = site.db.history("data/mal.xlsx")[0]
    assert (newest.user, newest.kind) == ("Ola", "spara")
    assert f"{arkiv_row}: indikator: e_arkiv · ar: 2023 · utfall: Nej" in newest.text
    assert "sparad av Ola" in shown(ola.get("/mal/1").text)


def _tables(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        found = [node] if "rows" in node and "id" in node else []
        return found + [t for v in node.values() for t in _tables(v)]
    if isinstance(node, list):
        return [t for v in node for t in _tables(v)]
    return []


def test_a_workbook_changed_in_excel_meanwhile_gets_409_with_both_versions(site):
    path = goals_as_workbook(site.root)
    ola = site.client("ola")
    token, base = form(ola, "/mal/1")
    # Excel saves the workbook while the form is open.
    wb = load_workbook(path)
    ws = wb["Mål"]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == "centrala_funktioner")
    ws.cell(row, 5).value = "Ändrat i Excel av controllern."
    wb.save(path)
    excel = path.read_bytes()
    r = ola.post(
        "/mal/1", data={"csrf": token, "bas": base, f"prognos-{KUNDTJANST}": "70"}, follow_redirects=False
    )
    assert r.status_code == 409
    page = shown(r.text)
    assert "Målen har ändrats sedan du öppnade sidan" in page
    assert "Ditt värde: 70" in page  # the writer's version …
    assert f"{row}: id: centrala_funktioner" in page and "kommentar: Ändrat i Excel av controllern." in page
    assert path.read_bytes() == excel  # … and the saved one, untouched
    assert [s.kind for s in site.db.history("data/mal.xlsx")][:1] == ["utanfor"]
    # From the fresh form the value is saved, into the workbook as Excel left it.
    assert post(ola, "/mal/1", {f"prognos-{KUNDTJANST}": "70"}).status_code == 303
    after = load_workbook(path)
    assert after["Mål"].cell(row, 5).value == "Ändrat i Excel av controllern."
    goals, _, _ = load_goals(Layout(site.root))
    assert goals.malomraden[0].mal[1].indikatorer[0].prognos == {2023: 70}


def test_an_outcome_without_a_row_gets_a_new_row_on_the_utfall_sheet(site):
    path = goals_as_workbook(site.root)
    wb = load_workbook(path)
    ws = wb["Utfall"]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == "e_arkiv")
    ws.delete_rows(row)
    wb.save(path)
    ada = site.client("ada")
    page = shown(ada.get("/mal/2").text)
    assert "Medlemskommunerna har undertecknat avtal om e-arkiv" in page
    assert post(ada, "/mal/2", {f"utfall-{E_ARKIV}": "Ja", f"prognos-{E_ARKIV}": "Ja"}).status_code == 303
    assert row_of(path, "Utfall", "e_arkiv") == {
        "indikator": "e_arkiv",
        "ar": 2023,
        "utfall": "Ja",
        "prognos": "Ja",
    }
    goals, _, findings = load_goals(Layout(site.root))
    assert not findings and goals.malomraden[1].mal[0].indikatorer[0].utfall == {2023: "Ja"}


def test_an_outcome_of_an_indicator_without_id_is_refused_at_its_field(site):
    path = goals_as_workbook(site.root)
    wb = load_workbook(path)
    utfall, indikatorer = wb["Utfall"], wb["Indikatorer"]
    utfall.delete_rows(next(r for r in range(2, utfall.max_row + 1) if utfall.cell(r, 1).value == "e_arkiv"))
    next(c for c in indikatorer["A"] if c.value == "e_arkiv").value = None
    wb.save(path)
    before = path.read_bytes()
    r = post(site.client("ada"), "/mal/2", {f"utfall-{E_ARKIV}": "Ja"})
    assert r.status_code == 422
    assert "indikatorn har inget id på bladet Indikatorer" in shown(r.text)
    assert path.read_bytes() == before


def test_a_number_that_is_not_one_is_refused_and_the_workbook_is_not_touched(site):
    path = goals_as_workbook(site.root)
    before = path.read_bytes()
    r = post(site.client("ola"), "/mal/1", {f"prognos-{KUNDTJANST}": "1.234,5"})
    assert r.status_code == 422 and "'1.234,5' är inget tal" in shown(r.text)
    assert path.read_bytes() == before


def test_assignments_kept_in_beslut_xlsx_get_status_and_comment(site):
    path = site.root / "data" / "beslut.xlsx"
    write_beslut_workbook(
        path,
        BeslutFil.model_validate(
            {
                "beslut": [
                    {
                        "diarienummer": "LK 2023-12",
                        "text": "Utreda gemensam e-tjänsteplattform",
                        "status": "pågår",
                    },
                    {"text": "Ta fram en plan för informationssäkerhet", "status": "ej påbörjad"},
                ]
            }
        ),
    )
    rr = site.root / "text" / f"{RR}.md"
    rr.write_text(rr.read_text(encoding="utf-8") + '\n{{ tabell("politiska_beslut") }}\n', encoding="utf-8")
    sam = site.client("sam")
    page = sam.get("/beslut")
    assert page.status_code == 200 and "data/beslut.xlsx" in shown(page.text)
    r = post(sam, "/beslut", {"status-0": "avslutad", "kommentar-0": "Plattformen driftsattes i november."})
    assert r.status_code == 303
    beslut, _, findings = load_beslut(Layout(site.root))
    assert not findings and beslut is not None
    assert [(b.status, b.kommentar) for b in beslut.beslut] == [
        ("avslutad", "Plattformen driftsattes i november."),
        ("ej påbörjad", ""),
    ]
    assert row_of(path, "Beslut", "LK 2023-12")["status"] == "avslutad"
    assert site.db.history("data/beslut.xlsx")[0].kind == "spara"
