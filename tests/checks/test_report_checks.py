"""`bokslut check` over the report as published, and `build` refusing what it refuses.

Each test injects one inconsistency into a copy of an example (or a small
workspace) and asserts that the check names it — message and place — and that
the build stops with the previous build left as it was.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from bokslut.checks import document, inputs
from bokslut.compose.report import compose_report
from bokslut.diagnostics import BokslutError, Finding, Level
from bokslut.document import Figure
from bokslut.pipeline.areas import report_parts
from bokslut.pipeline.build import build_report
from bokslut.pipeline.check import check_report, check_workspace, run_checks
from bokslut.workspace.config import load_config
from bokslut.workspace.layout import Layout

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def copy_example(name: str, tmp: Path) -> Path:
    root = tmp / name
    shutil.copytree(EXAMPLES / name, root, ignore=shutil.ignore_patterns("build", ".bokslut", "__pycache__"))
    return root


def check(root: Path) -> list[Finding]:
    layout = Layout(root)
    return run_checks(layout, load_config(layout.config))


def build(root: Path) -> None:
    layout = Layout(root)
    build_report(layout, load_config(layout.config), [report_parts], formats=("json",), quiet=True)


def only(findings: list[Finding], code: str) -> Finding:
    found = [f for f in findings if f.code == code]
    assert len(found) == 1, [f.format() for f in findings]
    return found[0]


def edit(path: Path, old: str, new: str, encoding: str = "cp437") -> None:
    text = path.read_bytes().decode(encoding)
    assert old in text
    path.write_bytes(text.replace(old, new).encode(encoding))


@pytest.fixture
def sydnarke(tmp_path: Path) -> tuple[Path, bytes]:
    """The interim example, built once: (workspace, the previous build's JSON)."""
    root = copy_example("sydnarke-2020", tmp_path)
    build(root)
    return root, (root / "build" / "delarsrapport-2020.json").read_bytes()


def assert_refused(root: Path, previous: bytes, code: str) -> None:
    with pytest.raises(BokslutError) as info:
        build(root)
    assert code in {f.code for f in info.value.findings}
    assert "byggs inte" in info.value.message
    assert (root / "build" / "delarsrapport-2020.json").read_bytes() == previous
    assert sorted(p.name for p in (root / "build").iterdir()) == ["SHA256SUMS", "delarsrapport-2020.json"]


def test_the_examples_pass_check_with_no_errors(tmp_path):
    sydnarke = check(copy_example("sydnarke-2020", tmp_path))
    assert sydnarke == []


def test_lystkom_passes_check_with_no_errors(tmp_path):
    findings = check(copy_example("lystkom-2023", tmp_path))
    assert [f.format() for f in findings if f.level is Level.ERROR] == []


def test_a_balance_sheet_that_does_not_balance(sydnarke):
    root, previous = sydnarke
    edit(root / "data/ledger/2020.se", "#IB 0 1930 3695000.00", "#IB 0 1930 3696000.00")
    findings = check(root)
    bad = only(findings, "br-balanserar-inte")
    assert bad.level is Level.ERROR and bad.where == "balansrakning/summa_tillgangar/utfall"
    assert "balanserar inte" in bad.message and "1\u00a0000,00 kr" in bad.message
    ib = only([f for f in findings if f.level is Level.ERROR], "ib-ub")
    assert ib.file == "data/ledger/2020.se" and "1930" in ib.message
    assert_refused(root, previous, "br-balanserar-inte")


def test_a_ledger_of_another_organisation(sydnarke):
    root, previous = sydnarke
    edit(
        root / "bokslut.toml",
        'typ = "gemensam-namnd"',
        'typ = "gemensam-namnd"\norgnr = "212000-1876"',
        "utf-8",
    )
    edit(root / "data/ledger/2020.se", "#OMFATTN 20200731", "#OMFATTN 20200731\n#ORGNR 556677-8899")
    bad = only(check(root), "fel-organisation")
    assert bad.level is Level.ERROR and bad.file == "data/ledger/2020.se" and bad.where == "#ORGNR"
    assert "556677-8899" in bad.message and "212000-1876" in bad.message
    assert_refused(root, previous, "fel-organisation")


def test_another_name_is_a_warning_and_the_build_goes_on(sydnarke):
    root, _ = sydnarke
    edit(
        root / "data/ledger/2020.se", '#FNAMN "Sydn\x84rkes IT-n\x84mnd"', '#FNAMN "Kumla kommun"', "latin-1"
    )
    bad = only(check(root), "annat-namn")
    assert bad.level is Level.WARNING and bad.file == "data/ledger/2020.se" and bad.where == "#FNAMN"
    assert "'Kumla kommun'" in bad.message and "'Sydnärkes IT-nämnd'" in bad.message
    build(root)


def test_a_january_to_july_ledger_cannot_make_an_arsredovisning(sydnarke):
    root, _ = sydnarke
    edit(
        root / "bokslut.toml",
        'typ = "delarsrapport"\nar = 2020\nbokslutsdatum = 2020-07-31',
        'typ = "arsredovisning"\nar = 2020',
        "utf-8",
    )
    bad = only(check(root), "period-saknas")
    assert bad.level is Level.ERROR and bad.file == "data/ledger/2020.se" and bad.where == "#OMFATTN"
    assert "till 2020-07-31" in bad.message and "årsredovisningen gäller till 2020-12-31" in bad.message


def test_an_interim_closing_date_after_the_data(sydnarke):
    root, previous = sydnarke
    edit(root / "bokslut.toml", "bokslutsdatum = 2020-07-31", "bokslutsdatum = 2020-09-30", "utf-8")
    bad = only(check(root), "period-saknas")
    assert "delårsrapporten gäller till 2020-09-30" in bad.message
    assert_refused(root, previous, "period-saknas")


def test_a_ledger_whose_vouchers_stop_in_september(ws):
    ws.year(2022, ib={"1930": 100, "2010": -100}, vouchers=[("2022-12-31", [("3010", -10), ("1930", 10)])])
    ws.year(2023, ib={"1930": 110, "2010": -110}, vouchers=[("2023-09-30", [("3010", -5), ("1930", 5)])])
    ws.chapter()
    bad = only(ws.checks(), "period-saknas")
    assert bad.file == "data/ledger/2023.se"
    assert "verifikationer bara till 2023-09-30" in bad.message and "2023-12-31" in bad.message


def clean(ws, extra: str = ""):
    ws.config(extra=extra)
    ws.year(
        2022,
        ib={"1930": 100, "2010": -100},
        vouchers=[("2022-12-31", [("3010", -10, {1: "A"}), ("1930", 10)])],
    )
    ws.year(
        2023, ib={"1930": 110, "2010": -110}, vouchers=[("2023-12-31", [("3010", -5, {1: "A"}), ("1930", 5)])]
    )
    tables = ["resultatrakning", "balansrakning", "kassaflodesanalys", "balanskravsutredning"]
    ws.chapter(*tables, *(["driftredovisning"] if "verksamhet" in extra else []))
    return ws


def test_budget_rows_for_a_verksamhet_or_account_that_does_not_exist(ws):
    clean(ws, "[dimensioner]\nverksamhet = 1\n")
    ws.write(
        "data/budget/budget-2023.csv",
        "ar;verksamhet;kostnadsslag;belopp\n2023;A;intakter;10\n2023;Z9;intakter;5\n",
    )
    ws.write("data/budget/konton.csv", "ar;konto;objekt;belopp\n2023;3010;1:A;1\n2023;9999;;2\n")
    findings = ws.checks()
    verksamhet = only(findings, "okand-verksamhet")
    assert verksamhet.level is Level.ERROR
    assert (verksamhet.file, verksamhet.line) == ("data/budget/budget-2023.csv", 3)
    assert "'Z9'" in verksamhet.message
    konto = only(findings, "okant-konto")
    assert (konto.file, konto.line) == ("data/budget/konton.csv", 3) and "9999" in konto.message
    with pytest.raises(BokslutError):
        build_report(ws.layout, load_config(ws.layout.config), [report_parts], formats=("json",), quiet=True)


GOALS = """\
ar: 2023
malomraden:
  - namn: Kvalitet
    mal:
      - id: nojda
        namn: Nöjda kunder
        indikatorer:
          - id: nki
            namn: Nöjd-kund-index
            malvarde: 7
            utfall: 6.96
            decimaler: 1
          - id: svar
            namn: Svarstid
            malvarde: 5
"""


def test_an_assessment_that_contradicts_its_shown_numbers(ws):
    clean(ws)
    ws.write("data/mal.yaml", GOALS)
    ws.write("text/02-mal.md", '# Mål\n\n{{ tabell("mal_malomrade_1") }}\n')
    findings = ws.checks()
    bad = only(findings, "bedomning-motsager-siffror")
    assert bad.level is Level.ERROR and (bad.file, bad.line) == ("data/mal.yaml", 8)
    assert "'Ej uppfyllt'" in bad.message and "'minst 7,0'" in bad.message and "7,0" in bad.message
    missing = only(findings, "indikator-saknar-varde")
    assert missing.level is Level.WARNING and (missing.file, missing.line) == ("data/mal.yaml", 13)
    assert "'Svarstid'" in missing.message
    # A person's assessment with a reason is the answer, not an error.
    ws.write(
        "data/mal.yaml",
        GOALS.replace(
            "            decimaler: 1\n",
            "            decimaler: 1\n            bedomning: {varde: ej uppfyllt, motivering: Under 7.}\n",
        ),
    )
    assert "bedomning-motsager-siffror" not in {f.code for f in ws.checks()}


def test_a_goal_count_in_the_text_that_differs_from_the_tables(ws):
    clean(ws)
    ws.write("data/mal.yaml", GOALS)
    ws.write(
        "text/02-mal.md",
        '# Mål\n\nAv totalt tre mål bedöms två vara uppfyllda.\n\n{{ tabell("mal_malomrade_1") }}\n',
    )
    bad = only(ws.checks(), "mal-antal")
    assert bad.file == "text/02-mal.md"
    assert "Av totalt tre mål bedöms två vara uppfyllda." in bad.message and "har 1 mål" in bad.message
    ws.write("text/02-mal.md", '# Mål\n\n{{ v.mal_sammanfattning }}\n\n{{ tabell("mal_malomrade_1") }}\n')
    assert "mal-antal" not in {f.code for f in ws.checks()}


def _with_figure_shown(checked, shown: Decimal):
    """The checked report with the first figure of the last chapter showing ``shown``."""
    doc = checked.report.document
    chapter = doc.chapters[-1]
    para = chapter.blocks[1]
    fig = next(r for r in para.runs if isinstance(r, Figure))
    wrong = replace(para, runs=tuple(replace(r, shown=shown) if r is fig else r for r in para.runs))
    broken = replace(doc, chapters=(*doc.chapters[:-1], replace(chapter, blocks=(chapter.blocks[0], wrong))))
    return fig, replace(checked.report, document=broken)


def test_a_text_figure_that_differs_from_the_table(ws):
    clean(ws)
    ws.write("text/02-text.md", "# Text\n\nResultatet blev\n{{ v.arets_resultat | tkr }}.\n")
    checked = check_workspace(ws.layout, load_config(ws.layout.config))
    assert checked.ok, [f.format() for f in checked.findings]
    fig, broken = _with_figure_shown(checked, Decimal(1))
    assert (fig.ref, fig.shown, fig.line) == ("v.arets_resultat", Decimal(0), 4)
    findings = document.figures(broken)
    assert len(findings) == 1
    bad = findings[0]
    assert (bad.file, bad.line, bad.where) == ("text/02-text.md", 4, "v.arets_resultat")
    assert "visar inte samma tal som tabellen (resultatrakning/arets_resultat/utfall: 0)" in bad.message


def test_a_text_figure_far_from_its_value(ws):
    clean(ws)
    ws.write("text/02-text.md", "# Text\n\nResultatet blev\n{{ v.arets_resultat | kr }}.\n")
    checked = check_workspace(ws.layout, load_config(ws.layout.config))
    assert checked.ok, [f.format() for f in checked.findings]
    fig, broken = _with_figure_shown(checked, Decimal(6))
    assert fig.shown == Decimal(5)
    (bad,) = document.figures(broken)
    assert bad.line == 4 and "mer än ett steg från sitt exakta värde (5,00 kr)" in bad.message


def test_an_empty_workspace_says_what_is_missing(tmp_path):
    from bokslut.workspace.config import OrgTyp
    from bokslut.workspace.new import create_workspace

    layout = create_workspace(tmp_path / "ny", "Nya kommunen", OrgTyp.KOMMUN, 2023)
    findings = check(layout.root)
    assert only(findings, "huvudbok-saknas").message.startswith(
        "huvudboken saknas: data/ledger har ingen SIE-fil"
    )
    chapter_errors = [f for f in findings if f.file and f.file.startswith("text/") and f.line]
    assert chapter_errors and all(f.level is Level.ERROR for f in chapter_errors)
    for p in layout.text_dir.iterdir():
        p.unlink()
    assert only(check(layout.root), "kapitel-saknas").file == "text"


def test_chapters_that_place_none_of_the_tables(ws):
    clean(ws)
    ws.write("text/01-rapport.md", "# Rapporten\n\nText utan tabeller.\n")
    assert only(ws.checks(), "tabeller-saknas").level is Level.ERROR
    ws.write("text/01-rapport.md", '# Rapporten\n\n{{ tabell("balansrakning") }}\n\n{{ noter() }}\n')
    unplaced = [f for f in ws.checks() if f.code == "tabell-ej-placerad"]
    assert {(f.level, f.message.split(" ")[0]) for f in unplaced} == {
        (Level.ERROR, "resultaträkningen"),
        (Level.ERROR, "kassaflödesanalysen"),
        (Level.WARNING, "balanskravsutredningen"),
    }


def test_a_year_without_absence_data_says_uppgift_saknas(ws):
    clean(ws)
    folder = ws.root / "data" / "personal"
    folder.mkdir(parents=True)
    source = EXAMPLES / "lystkom-2023" / "data" / "personal"
    shutil.copy(source / "anstallda.csv", folder / "anstallda.csv")
    lines = (source / "franvaro.csv").read_text(encoding="utf-8").splitlines()
    kept = [line for line in lines if ";2021-" not in line]
    assert len(kept) < len(lines)
    (folder / "franvaro.csv").write_text("\n".join(kept) + "\n", encoding="utf-8")
    checked = check_workspace(ws.layout, load_config(ws.layout.config))
    assert "personal-uppgift-saknas" not in {f.code for f in checked.findings}
    doc = checked.report.document
    assert doc is not None
    kon = doc.tables["sjukfranvaro_kon"]
    assert [kon.get(r, "ar_2021") for r in ("kvinnor", "man", "totalt")] == ["uppgift saknas"] * 3
    assert isinstance(kon.get("totalt", "ar_2022"), Decimal) and kon.get("totalt", "ar_2022") > 0
    assert "Uppgift saknas: frånvarofilen har inga uppgifter för året." in kon.table.footnotes
    assert doc.tables["sjukfranvaro_langtid"].get("andel", "ar_2021") == "uppgift saknas"
    assert "sjukfranvaro_totalt_2021" not in doc.values and "sjukfranvaro_totalt_2022" in doc.values
    from bokslut.render.html import render_html
    from bokslut.render.pdf import render_pdf

    ws.write("text/03-personal.md", '# Personal\n\n{{ tabell("sjukfranvaro_kon") }}\n')
    placed = check_workspace(ws.layout, load_config(ws.layout.config)).report.document
    assert placed is not None
    html = render_html(placed).decode("utf-8")
    assert html.count("<td>uppgift saknas</td>") == 3
    assert render_pdf(placed).startswith(b"%PDF")
    # What the check guards against: the year shown as a number (0,0 %) all the same.
    display = {r: {**kon.display[r], "ar_2021": Decimal("0.0")} for r in kon.display}
    zero = replace(doc, tables={**doc.tables, "sjukfranvaro_kon": replace(kon, display=display)})
    (bad,) = inputs.personnel(replace(checked.report, document=zero))
    assert bad.level is Level.ERROR and bad.file == "data/personal/franvaro.csv"
    assert bad.where == "sjukfranvaro_kon/kvinnor/ar_2021" and "'uppgift saknas'" in bad.message
    # The check reads the records the tables were made from, not a file edited since.
    shutil.copy(source / "franvaro.csv", folder / "franvaro.csv")
    assert inputs.personnel(replace(checked.report, document=zero)) == [bad]


def _shown_as(report, table_id: str, changes: dict[tuple[str, str], Decimal]):
    """The report with some shown numbers of one table changed (the exact values kept)."""
    doc = report.document
    rounded = doc.tables[table_id]
    display = {r: dict(cols) for r, cols in rounded.display.items()}
    for (row, col), value in changes.items():
        display[row][col] = value
    tables = {**doc.tables, table_id: replace(rounded, display=display)}
    return replace(report, document=replace(doc, tables=tables))


def test_statements_that_agree_exactly_but_not_as_shown(ws):
    clean(ws)
    checked = check_workspace(ws.layout, load_config(ws.layout.config))
    assert checked.ok, [f.format() for f in checked.findings]
    report = checked.report
    br = report.document.tables["balansrakning"]
    assert br.table.number("summa_tillgangar", "utfall") == br.table.number(
        "summa_eget_kapital_och_skulder", "utfall"
    )
    unbalanced = _shown_as(report, "balansrakning", {("summa_tillgangar", "utfall"): Decimal(1)})
    findings = document.tie_out(unbalanced)
    bad = only(findings, "visat-br-balanserar")
    assert bad.level is Level.ERROR and bad.where == "balansrakning/summa_eget_kapital_och_skulder/utfall"
    assert "balansräkningen 2023 balanserar inte som den visas" in bad.message
    assert "samma belopp avrundas till två olika tal" in bad.message
    kf = _shown_as(report, "kassaflodesanalys", {("kf_likvida_borjan", "utfall"): Decimal(1)})
    opening = only(document.tie_out(kf), "visat-ib-ub")
    assert opening.where == "kassaflodesanalys/kf_likvida_borjan/utfall"
    assert "likvida medel vid årets början" in opening.message
    result = _shown_as(report, "kassaflodesanalys", {("kf_arets_resultat", "utfall_fg"): Decimal(1)})
    differs = only(document.tie_out(result), "visat-arets-resultat")
    assert differs.where == "kassaflodesanalys/kf_arets_resultat/utfall_fg"
    assert differs.message.startswith("årets resultat 2022: kassaflödesanalysen visar 1 tkr")


def test_a_check_joins_the_pipeline_in_one_line(ws):
    from bokslut.diagnostics import error
    from bokslut.pipeline.check import CHECKS, on_data, on_document

    def no_notes(data):
        return [error("rapporten har noter", where=t) for t in data.tables if t.startswith("not_")][:1]

    def one_chapter(doc):
        return [] if len(doc.chapters) == 1 else [error("mer än ett kapitel")]

    clean(ws)
    checks = (*CHECKS, on_data(no_notes), on_document(one_chapter))
    checked = check_workspace(ws.layout, load_config(ws.layout.config), [report_parts], checks)
    assert [f.message for f in checked.findings] == ["rapporten har noter"]
    with pytest.raises(BokslutError):
        build_report(ws.layout, load_config(ws.layout.config), [report_parts], quiet=True, checks=checks)
    assert not (ws.root / "build").exists()


def test_the_goal_check_reads_the_goals_as_the_report_did(ws):
    # The report's goal table was made from the file as it was read; a later edit is the next
    # report's, so the check (run over the composed report) does not read the file again.
    clean(ws)
    ws.write("data/mal.yaml", GOALS)
    ws.write("text/02-mal.md", '# Mål\n\n{{ tabell("mal_malomrade_1") }}\n')
    report = compose_report(ws.layout, load_config(ws.layout.config), [report_parts])
    ws.write("data/mal.yaml", "ar: 2023\nmalomraden: []\n")
    bad = only(check_report(report), "bedomning-motsager-siffror")
    assert (bad.file, bad.line) == ("data/mal.yaml", 8)


def test_the_ledger_check_reads_the_ledger_the_statements_were_computed_from(sydnarke):
    root, _ = sydnarke
    layout = Layout(root)
    report = compose_report(layout, load_config(layout.config), [report_parts])
    edit(root / "data/ledger/2020.se", "#OMFATTN 20200731", "#OMFATTN 20200630")
    assert check_report(report) == []
    assert only(check(root), "period-saknas").where == "#OMFATTN"
