"""Driftredovisning and investeringsredovisning per dimension object, with budget."""

from __future__ import annotations

from decimal import Decimal

CONFIG = """
[dimensioner]
verksamhet = 1
projekt = 6

[verksamheter]
"100" = "Skola"
"""


def ledger(ws, budget_csv: str | None = None, extra: str = ""):
    ws.config(extra=CONFIG + extra)
    ws.year(
        2023,
        ib={"1930": 1000, "2010": -1000},
        vouchers=[
            ("2023-02-01", [("3010", -500, {1: "100"}), ("3210", -50, {1: "200"}), ("1930", 550)]),
            ("2023-02-02", [("5010", 200, {1: "100"}), ("6410", 80, {1: "200"}), ("1930", -280)]),
            ("2023-03-01", [("7910", 30, {1: "100"}), ("1229", -30)]),
            ("2023-03-02", [("8520", 5), ("1930", -5)]),  # no verksamhet
            ("2023-04-01", [("1220", 120, {6: "P1"}), ("1220", 30), ("1930", -150)]),
        ],
        pbudget=[("3010", -450, {1: "100"}), ("5010", 210, {1: "100"})],
    )
    if budget_csv:
        ws.write("data/budget/budget.csv", budget_csv)
    return ws.compute()


def test_drift_per_verksamhet_and_kostnadsslag(ws):
    s = ledger(ws)
    d = s.table("driftredovisning")
    assert d.value("100.intakter", "utfall") == 500
    assert d.value("100.personalkostnader", "utfall") == -200
    assert d.value("100.avskrivningar", "utfall") == -30
    assert d.value("100.summa", "utfall") == 270
    assert d.row("100.summa").label == "100 Skola"
    assert d.row("200.summa").label == "200 Objekt 200"  # name from the SIE file
    assert d.value("_utan.ovriga_kostnader", "utfall") == -5
    assert d.value("totalt", "utfall") == s.table("resultatrakning").value("arets_resultat", "utfall")
    # Budget from #PBUDGET (ledger sign in the file, report sign in the table).
    assert d.value("100.intakter", "budget") == 450
    assert d.value("100.personalkostnader", "budget") == -210
    # Default avvikelse = utfall − budget.
    assert d.value("100.intakter", "avvikelse") == 50


def test_budget_file_per_verksamhet_and_kostnadsslag(ws):
    s = ledger(
        ws,
        "ar;verksamhet;kostnadsslag;belopp\n2023;200;intakter;60\n2023;200;ovriga_kostnader;-70,50\n",
        extra='[driftredovisning]\navvikelse = "budget-utfall"\n',
    )
    d = s.table("driftredovisning")
    assert d.value("200.intakter", "budget") == 60
    assert d.value("200.ovriga_kostnader", "budget") == Decimal("-70.50")
    assert d.value("200.intakter", "avvikelse") == 10  # budget − utfall


def test_investeringsredovisning_per_projekt(ws):
    s = ledger(ws, "ar;projekt;belopp\n2023;P1;200\n")
    inv = s.table("investeringsredovisning")
    assert inv.value("P1", "utfall") == 120
    assert inv.value("P1", "budget") == 200
    assert inv.value("P1", "avvikelse") == 80
    assert inv.value("_utan", "utfall") == 30
    assert inv.value("totalt", "utfall") == -s.table("kassaflodesanalys").value("kf_inv_materiella", "utfall")


def test_bad_budget_cells_are_findings_with_file_and_place(ws):
    s = ledger(ws, "ar;verksamhet;kostnadsslag;belopp\n2023;100;intakter;tio\n20x3;100;intakter;5\n")
    msgs = [(f.file, f.line, f.message) for f in s.findings if f.file == "data/budget/budget.csv"]
    assert (("data/budget/budget.csv", 2, "'tio' är inget belopp (förväntade ett tal)")) in msgs
    assert any(line == 3 and "årtal" in m for _, line, m in msgs)


def test_xlsx_budget_with_a_bad_cell_names_the_cell(ws):
    from openpyxl import Workbook

    ws.config(extra=CONFIG)
    ws.year(2023, vouchers=[("2023-02-01", [("3010", -5, {1: "100"}), ("1930", 5)])])
    wb = Workbook()
    sheet = wb.active
    sheet.append(["ar", "verksamhet", "kostnadsslag", "belopp"])
    sheet.append([2023, "100", "intakter", 12])
    sheet.append([2023, "100", "intakter", "mycket"])
    path = ws.root / "data" / "budget" / "budget.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    s = ws.compute()
    assert s.table("driftredovisning").value("100.intakter", "budget") == 12
    bad = [f for f in s.findings if f.file == "data/budget/budget.xlsx"]
    assert [(f.where, f.message) for f in bad] == [("D3", "'mycket' är inget belopp (förväntade ett tal)")]


def test_kontoplan_keys_must_be_account_numbers(ws):
    import pytest

    from bokslut.diagnostics import BokslutError
    from bokslut.workspace.config import load_config

    ws.config(extra='[kontoplan.rad]\n"3x" = "verksamhetens_intakter"\n')
    with pytest.raises(BokslutError) as err:
        load_config(ws.layout.config)
    assert "'3x' är inget kontonummer" in err.value.message


def test_summarubrik_takes_only_the_documented_fields(ws):
    s = ledger(ws, extra='\n[driftredovisning]\nsummarubrik = "{namn} ({kod})"\n')
    d = s.table("driftredovisning")
    assert d.row("100.summa").label == "Skola (100)"
    assert d.row("200.summa").label == "Objekt 200 (200)"


def _many_verksamheter(ws, n: int):
    ws.config(extra="[dimensioner]\nverksamhet = 1\n")
    rows = [("5010", 1, {1: f"A{k:04d}"}) for k in range(n)]
    ws.year(2023, ib={"1930": 1000, "2010": -1000}, vouchers=[("2023-02-01", [*rows, ("1930", -n)])])
    return ws.compute()


def test_a_verksamhet_dimension_too_long_to_read_is_a_warning_naming_the_way_out(ws):
    s = _many_verksamheter(ws, 501)
    d = s.table("driftredovisning")
    assert len([r for r in d.rows if r.id.endswith(".summa")]) == 501  # still all shown
    assert d.value("A0500.summa", "utfall") == -1 and d.value("totalt", "utfall") == -501
    (found,) = [f for f in s.findings if "verksamheter ur dimension" in f.message]
    assert found.level.value == "warning" and found.file == "bokslut.toml"
    assert found.message.startswith("driftredovisningen får 501 verksamheter ur dimension 1")
    assert "[dimensioner] ansvar med data/organisation" in found.message


def test_five_hundred_verksamheter_are_a_table_without_warning(ws):
    s = _many_verksamheter(ws, 500)
    assert not [f for f in s.findings if "verksamheter ur dimension" in f.message]
