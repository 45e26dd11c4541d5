"""Budget and prognos files: ASCII numbers in the store's range, Swedish file errors, known projects."""

from __future__ import annotations

from decimal import Decimal

from bokslut.diagnostics import Level

CONFIG = """
[dimensioner]
verksamhet = 1
projekt = 6

[projekt]
P2 = "Ny skola"
"""


def compute(ws, budget_csv: str | None = None, name: str = "budget.csv"):
    ws.config(extra=CONFIG)
    ws.year(
        2023,
        ib={"1930": 1000, "2010": -1000},
        vouchers=[
            ("2023-02-01", [("3010", -500, {1: "100"}), ("1930", 500)]),
            ("2023-04-01", [("1220", 120, {6: "P1"}), ("1930", -120)]),
        ],
    )
    if budget_csv is not None:
        ws.write(f"data/budget/{name}", budget_csv)
    return ws.compute()


def budget_findings(s, name: str = "budget.csv"):
    return [(f.level, f.line, f.where, f.message) for f in s.findings if f.file == f"data/budget/{name}"]


def test_amounts_objects_and_years_in_other_digits_are_named_and_the_rest_is_read(ws):
    s = compute(
        ws,
        "ar;konto;objekt;belopp\n"
        "2023;3010;1:100;400\n"
        "2023;3010;1:100;-٣٠٠.00\n"  # Arabic-Indic digits would be read as −300 kr
        "2023;3010;²:100;50\n"  # superscript two: str.isdigit() said yes, int() raised
        "٢٠٢٣;3010;1:100;50\n"
        "2023;3010;4294967297:100;50\n"
        "2023;²010;1:100;50\n"
        "2023;3010;;100000000000000000\n",
    )
    assert budget_findings(s) == [
        (Level.ERROR, 3, "kolumn belopp", "'-٣٠٠.00' är inget belopp (förväntade ett tal)"),
        (
            Level.ERROR,
            4,
            "kolumn objekt",
            "'²:100' är inget objekt (förväntade dimension:objekt, t.ex. 1:81141)",
        ),
        (Level.ERROR, 5, "kolumn ar", "'٢٠٢٣' är inget årtal (förväntade ÅÅÅÅ)"),
        (
            Level.ERROR,
            6,
            "kolumn objekt",
            "'4294967297:100' är inget objekt (förväntade dimension:objekt, t.ex. 1:81141)",
        ),
        (Level.ERROR, 7, "kolumn konto", "'²010' är inget kontonummer"),
        (Level.ERROR, 8, "kolumn belopp", "beloppet 100000000000000000 är för stort för att räkna med"),
    ]
    assert s.table("driftredovisning").value("100.intakter", "budget") == 400


def test_a_budget_for_an_unknown_project_is_a_warning_with_its_line(ws):
    s = compute(ws, "ar;projekt;belopp\n2023;P1;200\n2023;P2;300\n2023;P9;50\n")
    assert budget_findings(s) == [
        (
            Level.WARNING,
            4,
            "kolumn projekt",
            "projektet 'P9' finns inte i [projekt] i bokslut.toml eller som objekt i dimension 6 i "
            "huvudboken; raden visas som ett eget projekt utan utfall",
        )
    ]
    inv = s.table("investeringsredovisning")
    assert (inv.value("P1", "budget"), inv.value("P2", "budget")) == (200, 300)


def test_a_budget_workbook_that_is_no_spreadsheet_is_named_in_swedish(ws):
    s = compute(ws, "ar;konto;belopp\n2023;3010;400\n", name="budget.xlsx")
    (finding,) = budget_findings(s, "budget.xlsx")
    assert finding[3].startswith("filen är ingen XLSX-fil (den är inte ett zip-arkiv)")
    assert s.table("resultatrakning").value("verksamhetens_intakter", "utfall") == Decimal(500)


def test_a_budget_file_over_the_limit_is_refused(ws):
    ws.config(extra=CONFIG + "[granser]\ntabell_mb = 1\n")
    ws.year(2023, vouchers=[("2023-02-01", [("3010", -500, {1: "100"}), ("1930", 500)])])
    ws.write("data/budget/budget.csv", "ar;konto;belopp\n" + "2023;3010;1\n" * 120_000)
    s = ws.compute()
    (finding,) = [f for f in s.findings if f.file == "data/budget/budget.csv"]
    assert finding.message == (
        "filen är 1,4 MB, större än gränsen 1 MB "
        "(höj den med [granser] tabell_mb i bokslut.toml om filen är rätt)"
    )


def prognos_findings(s):
    return [(f.level, f.line, f.where, f.message) for f in s.findings if f.file == "data/prognos/prognos.csv"]


def test_a_prognos_per_rr_line_names_each_bad_row_and_reads_the_rest(ws):
    ws.config(rapport="delarsrapport", ar=2023, bokslutsdatum="2023-06-30")
    ws.year(
        2023, ib={"1930": 1000, "2010": -1000}, vouchers=[("2023-02-01", [("3010", -500), ("1930", 500)])]
    )
    ws.write(
        "data/prognos/prognos.csv",
        "ar;konto;rad;belopp\n"
        "2023;;Verksamhetens intäkter;900\n"
        "2023;;arets_resultat;100\n"  # a sum: computed, never given
        "2023;;verksamhetens_inkomster;100\n"
        "2023;3010;verksamhetens_intakter;50\n"  # the account already says the line
        "2023;;;70\n",
    )
    s = ws.compute()
    assert [(level, line, where) for level, line, where, _ in prognos_findings(s)] == [
        (Level.ERROR, 3, "kolumn rad"),
        (Level.ERROR, 4, "kolumn rad"),
        (Level.ERROR, 5, "kolumn rad"),
        (Level.ERROR, 6, None),
    ]
    messages = [m for *_, m in prognos_findings(s)]
    assert messages[0].startswith("'arets_resultat' är ingen rad i resultaträkningen som kan budgeteras")
    assert "verksamhetens_intakter, verksamhetens_kostnader" in messages[1]
    assert messages[2] == (
        "raden anger både konto och rad; kontot bestämmer redan raden i resultaträkningen – ange det ena"
    )
    assert messages[3] == "raden anger varken konto, rad, kostnadsslag eller projekt"
    assert s.table("resultatrakning").value("verksamhetens_intakter", "prognos") == 900


def test_a_bad_rad_in_an_xlsx_prognos_names_the_cell(ws, tmp_path):
    from openpyxl import Workbook

    ws.config(rapport="delarsrapport", ar=2023, bokslutsdatum="2023-06-30")
    ws.year(
        2023, ib={"1930": 1000, "2010": -1000}, vouchers=[("2023-02-01", [("3010", -500), ("1930", 500)])]
    )
    wb = Workbook()
    sheet = wb.active
    for row in (["rad", "belopp"], ["skatteintakter", 10], ["skatter", 20]):
        sheet.append(row)
    (ws.root / "data" / "prognos").mkdir(parents=True, exist_ok=True)
    wb.save(ws.root / "data" / "prognos" / "prognos.xlsx")
    s = ws.compute()
    (bad,) = [f for f in s.findings if f.file == "data/prognos/prognos.xlsx"]
    assert bad.where == "A3" and bad.message.startswith("'skatter' är ingen rad i resultaträkningen")
    assert s.table("resultatrakning").value("skatteintakter", "prognos") == 10
