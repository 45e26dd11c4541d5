"""data/organisation: bad input is a Swedish finding with the file and the line, never a lost row."""

from __future__ import annotations

from decimal import Decimal

from bokslut.rounding import round_table
from bokslut.statements.organisation import Organisation, OrgUnit

CONFIG = "[dimensioner]\nansvar = 2\n"
HEADER = "ansvar;namn;enhet;forvaltning;namnd\n"


def workspace(ws, organisation: str, *, files: dict[str, str] | None = None):
    ws.config(extra=CONFIG)
    ws.year(
        2023,
        vouchers=[
            ("2023-03-01", [("5010", 100_000, {2: "1101"}), ("1930", -100_000)]),
            ("2023-03-02", [("5010", 20_000, {2: "2101"}), ("1930", -20_000)]),
            ("2023-03-03", [("4010", 3_000), ("1930", -3_000)]),  # no ansvar at all
        ],
    )
    ws.write("data/organisation.csv", organisation)
    for rel, text in (files or {}).items():
        ws.write(rel, text)
    return ws.compute()


def found(s, code: str) -> list[tuple[str | None, int | None, str]]:
    return [(f.file, f.line, f.message) for f in s.findings if f.code == code]


def test_an_ansvar_in_two_namnder_is_an_error_naming_both_lines(ws):
    s = workspace(
        ws,
        HEADER + "1101;;Skola;Utbildning;BUN\n2101;;Hemtjänst;Omsorg;SN\n1101;;Skola;Utbildning;SN\n",
    )
    assert found(s, "organisation-tva-namnder") == [
        (
            "data/organisation.csv",
            4,
            "ansvar 1101 står under två platser i organisationen: nämnd 'BUN', förvaltning "
            "'Utbildning', enhet 'Skola' (rad 2) och nämnd 'SN', förvaltning 'Utbildning', "
            "enhet 'Skola' (rad 4); bara rad 2 används",
        )
    ]
    assert [f.level for f in s.findings if f.code == "organisation-tva-namnder"] == ["error"]
    # The first line is used: 1101 stays with BUN.
    assert s.table("driftredovisning_namnd").value("namnd.bun", "utfall") == Decimal(-100_000)


def test_an_unknown_level_is_an_error_on_the_header_line(ws):
    s = workspace(ws, "ansvar;enhet;avdelning;forvaltning;namnd\n1101;Skola;A;Utbildning;BUN\n")
    ((file, line, message),) = found(s, "organisation-okand-niva")
    assert (file, line) == ("data/organisation.csv", 1)
    assert message.startswith("okänd nivå 'avdelning' i organisationen")


def test_a_missing_column_is_an_error_and_no_table_is_made(ws):
    s = workspace(ws, "ansvar;enhet;forvaltning\n1101;Skola;Utbildning\n")
    ((file, line, message),) = found(s, "kolumn-saknas")
    assert (file, line) == ("data/organisation.csv", 1)
    assert message.startswith("kolumnen 'namnd' saknas i rubrikraden")
    assert s.get("driftredovisning_namnd") is None


def test_a_line_without_namnd_is_an_error_and_its_outcome_is_not_lost(ws):
    s = workspace(ws, HEADER + "1101;;Skola;Utbildning;BUN\n2101;;Hemtjänst;Omsorg;\n")
    assert found(s, "organisation-saknas") == [
        ("data/organisation.csv", 3, "raden saknar nämnd; ansvaret hamnar under 'Ej fördelat'")
    ]
    t = s.table("driftredovisning_namnd")
    shown = round_table(t)
    assert [(r.label, shown.get(r.id, "utfall")) for r in t.rows] == [
        ("BUN", Decimal(-100)),
        ("Ej fördelat", Decimal(-23)),
        ("Summa nämnder", Decimal(-123)),
    ]
    ((_, _, message),) = found(s, "organisation-ej-fordelat")
    assert message == (
        "utfall 2023 på ansvar som saknar nämnd i data/organisation.csv: 2:2101 "
        "(\u221220\u00a0000,00 kr), utan ansvar (\u22123\u00a0000,00 kr); summan "
        "\u221223\u00a0000,00 kr visas som 'Ej fördelat'"
    )


def test_budget_and_prognos_rows_for_unknown_ansvar_or_bad_amounts_name_their_line(ws):
    s = workspace(
        ws,
        HEADER + "1101;;Skola;Utbildning;BUN\n2101;;Hemtjänst;Omsorg;SN\n",
        files={"data/budget-ansvar.csv": "ansvar;belopp\n1101;-90000\n7777;-5000\n2101;tjugo\n"},
    )
    assert ("data/budget-ansvar.csv", 4, "'tjugo' är inget belopp (förväntade ett tal)") in [
        (f.file, f.line, f.message) for f in s.findings
    ]
    assert found(s, "organisation-ej-fordelat")[-1] == (
        "data/budget-ansvar.csv",
        3,
        "ansvar '7777' finns inte i data/organisation.csv; beloppet \u22125\u00a0000,00 kr "
        "visas som 'Ej fördelat'",
    )
    t = s.table("driftredovisning_namnd")
    assert t.value("ej_fordelat", "budget") == Decimal(-5000)
    assert t.value("totalt", "budget") == Decimal(-95000)


def test_the_same_ansvar_twice_in_the_same_place_is_a_warning(ws):
    s = workspace(ws, HEADER + "1101;;Skola;Utbildning;BUN\n1101;;Skola;Utbildning;BUN\n")
    assert found(s, "organisation-dubblett") == [
        ("data/organisation.csv", 3, "ansvar 1101 står två gånger (rad 2 och rad 3)")
    ]


def test_an_xlsx_organisation_reports_the_spreadsheet_row(ws):
    from openpyxl import Workbook

    ws.config(extra=CONFIG)
    ws.year(2023, vouchers=[("2023-03-01", [("5010", 100_000, {2: "1101"}), ("1930", -100_000)])])
    wb = Workbook()
    sheet = wb.active
    assert sheet is not None
    for row in (
        ["ansvar", "namn", "enhet", "forvaltning", "namnd"],
        ["1101", "", "Skola", "Utbildning", "BUN"],
        ["1101", "", "Skola", "Utbildning", "KS"],
    ):
        sheet.append(row)
    (ws.root / "data").mkdir(exist_ok=True)
    wb.save(ws.root / "data" / "organisation.xlsx")
    s = ws.compute()
    assert [(f, line) for f, line, _ in found(s, "organisation-tva-namnder")] == [
        ("data/organisation.xlsx", 3)
    ]


def test_the_units_below_a_unit_come_in_the_files_order():
    units = [
        OrgUnit("namnd", "n", "Nämnd", None, 2),
        OrgUnit("forvaltning", "n.b", "B", "n", 2),
        OrgUnit("forvaltning", "n.a", "A", "n", 3),
        OrgUnit("namnd", "m", "Annan nämnd", None, 4),
        OrgUnit("forvaltning", "m.c", "C", "m", 4),
    ]
    org = Organisation("data/organisation.csv", {u.id: u for u in units}, {})
    assert [u.name for u in org.children("n", "forvaltning")] == ["B", "A"]
    assert [u.name for u in org.children(None, "namnd")] == ["Nämnd", "Annan nämnd"]
    assert org.children("n", "enhet") == [] and org.ancestor("m.c", "namnd") == "m"
