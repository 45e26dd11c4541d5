"""`bokslut check` ties out a delårsrapport's tables: RR against the balanskrav prognos and the
BR, the BR's sides, the avvikelse column — exactly and as shown.

Each test breaks one tie-out in a report that checks clean and asserts the check names it.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from bokslut.checks import document
from bokslut.checks.shown import check_rounding
from bokslut.checks.statements import check_statements
from bokslut.diagnostics import Level
from bokslut.pipeline.check import check_workspace
from bokslut.statements.build import Statements
from bokslut.table import Row
from bokslut.workspace.config import load_config


def interim(ws):
    ws.config(rapport="delarsrapport", ar=2023, bokslutsdatum="2023-06-30", extra='enhet = "kr"')
    ws.year(
        2022,
        ib={"1930": 1000, "2010": -1000},
        vouchers=[
            ("2022-05-31", [("3010", -400), ("1930", 400)]),
            ("2022-11-30", [("3010", -100), ("1930", 100)]),  # after the period
        ],
    )
    ws.year(
        2023,
        ib={"1930": 1500, "2010": -1500},
        vouchers=[("2023-06-30", [("3010", -2600), ("5010", 1100), ("1930", 1500)])],
    )
    ws.write("data/budget/b.csv", "rad;belopp\nverksamhetens_intakter;5000\nverksamhetens_kostnader;-3000\n")
    ws.write("data/prognos/p.csv", "konto;belopp\n3010;5400\n5010;-2900\n")
    ws.chapter("resultatrakning", "balansrakning", "balanskrav_prognos")
    checked = check_workspace(ws.layout, load_config(ws.layout.config))
    assert checked.ok, [f.format() for f in checked.findings]
    return checked.report


def _shown_as(report, table_id, changes):
    doc = report.document
    rounded = doc.tables[table_id]
    display = {r: dict(cols) for r, cols in rounded.display.items()}
    for (row, col), value in changes.items():
        display[row][col] = value
    return replace(
        report, document=replace(doc, tables={**doc.tables, table_id: replace(rounded, display=display)})
    )


def only(findings, code):
    found = [f for f in findings if f.code == code]
    assert len(found) == 1, [f.format() for f in findings]
    return found[0]


def test_the_interim_tables_check_clean_and_show_the_hand_computed_figures(ws):
    report = interim(ws)
    rr = report.document.tables["resultatrakning"]
    columns = ("utfall", "utfall_fg", "budget", "prognos", "avvikelse")
    # 2 600 − 1 100; 400 the same period 2022; 5 000 − 3 000; 5 400 − 2 900; 2 500 − 2 000.
    assert [rr.get("arets_resultat", c) for c in columns] == [1500, 400, 2000, 2500, 500]
    assert [rr.get("verksamhetens_intakter", c) for c in columns] == [2600, 400, 5000, 5400, 400]
    bkp = report.document.tables["balanskrav_prognos"]
    assert bkp.get("bk_balanskravsresultat", "prognos") == 2500


def test_a_balanskrav_prognos_that_does_not_start_from_the_rr_prognos(ws):
    interim(ws)
    s = ws.compute()
    assert s.context is not None
    assert not [f for f in check_statements(s.context, s) if f.level is Level.ERROR]
    tables = list(s.tables)
    i = next(k for k, t in enumerate(tables) if t.id == "balanskrav_prognos")
    rows = tuple(
        replace(r, values={**r.values, "prognos": Decimal(9999)}) if r.id == "bk_arets_resultat" else r
        for r in tables[i].rows
    )
    tables[i] = replace(tables[i], rows=rows)
    broken = Statements(tuple(tables), s.values, s.findings, s.context)
    bad = only(check_statements(s.context, broken), "arets-resultat")
    assert bad.level is Level.ERROR and bad.where == "balanskrav_prognos/bk_arets_resultat/prognos"
    text = bad.message.replace("\u00a0", " ")
    assert (
        "balanskravsprognosen (9 999,00 kr) skiljer sig från resultaträkningens prognos (2 500,00 kr)" in text
    )


def test_shown_prognos_result_differing_from_the_balanskrav_prognos(ws):
    report = interim(ws)
    shown = report.document.tables["resultatrakning"].get("arets_resultat", "prognos")
    broken = _shown_as(report, "resultatrakning", {("arets_resultat", "prognos"): shown + 1})
    bad = only([f for f in document.tie_out(broken) if "prognosen" in f.message], "visat-arets-resultat")
    assert bad.where == "balanskrav_prognos/bk_arets_resultat/prognos"
    assert bad.message.startswith("årets resultat enligt prognosen: balanskravsprognosen visar")
    assert not document.tie_out(report)


def test_shown_period_result_differing_from_the_balance_sheet_and_an_unbalanced_br(ws):
    report = interim(ws)
    rr = report.document.tables["resultatrakning"]
    broken = _shown_as(
        report, "resultatrakning", {("arets_resultat", "utfall"): rr.get("arets_resultat", "utfall") + 1}
    )
    bad = only(document.tie_out(broken), "visat-arets-resultat")
    assert bad.where == "balansrakning/ek_arets_resultat/utfall"
    br = report.document.tables["balansrakning"]
    for col in ("utfall", "utfall_fg"):
        unbalanced = _shown_as(
            report, "balansrakning", {("summa_tillgangar", col): br.get("summa_tillgangar", col) + 1}
        )
        off = only(document.tie_out(unbalanced), "visat-br-balanserar")
        assert off.where == f"balansrakning/summa_eget_kapital_och_skulder/{col}"


def test_a_shown_avvikelse_that_is_not_prognos_minus_budget(ws):
    report = interim(ws)
    data = report.data
    assert data is not None and data.rounding is not None
    assert not [f for f in check_rounding(data.tables, data.rounding) if f.level is Level.ERROR]
    rr = data.rounding.rounded["resultatrakning"]
    display = {r: dict(c) for r, c in rr.display.items()}
    display["verksamhetens_intakter"]["avvikelse"] += 1
    rounding = replace(
        data.rounding, rounded={**data.rounding.rounded, "resultatrakning": replace(rr, display=display)}
    )
    bad = only(check_rounding(data.tables, rounding), "visad-avvikelse")
    assert bad.where == "resultatrakning/verksamhetens_intakter/avvikelse"


def test_a_missing_column_is_text_and_never_a_number_to_tie(ws):
    ws.config(rapport="delarsrapport", ar=2023, bokslutsdatum="2023-06-30")
    ws.year(2023, ib={"1930": 10, "2010": -10}, vouchers=[("2023-06-30", [("3010", -2600), ("1930", 2600)])])
    ws.chapter("resultatrakning", "balansrakning", "balanskrav_prognos")
    checked = check_workspace(ws.layout, load_config(ws.layout.config))
    assert checked.ok, [f.format() for f in checked.findings]
    rr = checked.report.document.tables["resultatrakning"]
    row: Row = rr.table.row("arets_resultat")
    assert {row.values[c] for c in ("utfall_fg", "budget", "prognos", "avvikelse")} == {"uppgift saknas"}
    assert rr.table.footnotes[-1] == (
        "Prognos 2023: uppgift saknas – ingen helårsprognos per rad i resultaträkningen finns i underlaget."
    )
    budget = next(f for f in checked.findings if f.code == "delar-budget-saknas")
    assert budget.file == "data/budget" and budget.where == "resultatrakning/budget"
    assert budget.message.startswith(
        "kolumnen 'Budget 2023' i tabellen Resultaträkning visas som 'uppgift saknas': lägg årets "
        "budget per konto eller per rad i resultaträkningen i data/budget/"
    )
    warnings = {f.code for f in checked.findings if f.level is Level.WARNING}
    assert {"delar-budget-saknas", "delar-prognos-saknas", "delar-samma-period-saknas"} <= warnings


def test_a_placed_result_per_kostnadsslag_without_prognos_names_the_folder(ws):
    ws.config(rapport="delarsrapport", ar=2023, bokslutsdatum="2023-06-30")
    ws.year(2023, ib={"1930": 10, "2010": -10}, vouchers=[("2023-06-30", [("3010", -2600), ("1930", 2600)])])
    ws.write("data/budget/b.csv", "kostnadsslag;belopp\nintakter;5000\n")
    ws.chapter("balansrakning", "ekonomiskt_resultat")
    checked = check_workspace(ws.layout, load_config(ws.layout.config))
    (prognos,) = [f for f in checked.findings if f.code == "delar-prognos-saknas"]
    assert prognos.file == "data/prognos" and prognos.where == "ekonomiskt_resultat/prognos"
    assert "lägg helårsprognosen per kostnadsslag i data/prognos/" in prognos.message
    assert "delar-budget-saknas" not in {f.code for f in checked.findings}
