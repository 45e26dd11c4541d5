"""Pensions under the blandmodell from a pension administrator's file (data/pension.csv),
against a hand-made ledger whose pension account 2211 holds the same avsättning.

Every figure below is computed by hand from the file: särskild löneskatt is 24,26 % of a
balance (unless the file gives it), the opening löneskatt of a year is the previous
year's closing löneskatt, and the notes show the balances including it.
"""

from __future__ import annotations

from decimal import Decimal

from bokslut.rounding import round_table

PENSION = """ar;post;avsattning;ansvarsforbindelse
2022;Ingående;800000;10000000
2022;Nyintjänad pension;100000;
2022;Ränte- och basbeloppsuppräkning;20000;300000
2022;Övrig post;;100000
2022;Pensionsutbetalningar;-20000;-800000
2022;Utgående;900000;9600000
2022;Aktualiseringsgrad;95;
2023;Ingående;900000;9600000
2023;Nyintjänad pension;120000;
2023;Ränte- och basbeloppsuppräkning;30000;250000
2023;Ändring av försäkringstekniska grunder;0;0
2023;Sänkning av diskonteringsräntan;50000;
2023;Övrig post;;-50000
2023;Pensionsutbetalningar;-25000;-850000
2023;Utgående;900000;8950000
2023;Särskild löneskatt;;2171000
2023;Aktualiseringsgrad;96;
"""
# The 2023 row "Utgående" is corrected by the tests that need a consistent file.
PENSION_OK = PENSION.replace("2023;Utgående;900000;8950000", "2023;Utgående;1075000;8950000")

# Avsättning incl. löneskatt: 2021-12-31 800 000 × 1,2426 = 994 080; 2022-12-31 900 000 ×
# 1,2426 = 1 118 340; 2023-12-31 1 075 000 × 1,2426 = 1 335 795.
KR = 'enhet = "kr"\n'


def ledger(ws, pension_cost_2023: int = 217_455, *, pension: str = PENSION_OK, unit: str = KR):
    ws.config(extra=unit)
    ws.year(
        2022,
        ib={"1930": 1_994_080, "2011": -1_000_000, "2211": -994_080},
        vouchers=[("2022-12-31", [("5711", 124_260), ("2211", -124_260)])],
        names={"2211": "Avsättning för pensioner"},
    )
    ws.year(
        2023,
        ib={"1930": 1_994_080, "2011": -875_740, "2211": -1_118_340},
        vouchers=[("2023-12-31", [("5711", pension_cost_2023), ("2211", -pension_cost_2023)])],
        names={"2211": "Avsättning för pensioner"},
    )
    ws.write("data/pension.csv", pension)
    return ws.compute()


def shown(s, table_id: str) -> list[tuple]:
    t = s.table(table_id)
    r = round_table(t)
    return [(row.label, *(r.get(row.id, c.id) for c in t.columns)) for row in t.rows]


def d(*v: int | None) -> tuple[Decimal | None, ...]:
    return tuple(None if x is None else Decimal(x) for x in v)


def test_the_avsattning_note_moves_from_opening_to_closing_with_the_loneskatt(ws):
    s = ledger(ws)
    assert [f for f in s.findings if f.level == "error"] == []
    t = s.table("not_avsattningar_pensioner")
    assert t.title == "Avsättningar för pensioner"
    assert [c.label for c in t.columns] == ["2023", "2022"]
    assert shown(s, "not_avsattningar_pensioner") == [
        ("Ingående avsättning", *d(1_118_340, 994_080)),
        ("Nyintjänad pension", *d(120_000, 100_000)),
        ("Ränte- och basbeloppsuppräkning", *d(30_000, 20_000)),
        ("Sänkning av diskonteringsräntan", *d(50_000, None)),
        ("Pensionsutbetalningar", *d(-25_000, -20_000)),
        # 260 795 − 218 340 and 218 340 − 194 080
        ("Förändring av särskild löneskatt", *d(42_455, 24_260)),
        ("Utgående avsättning", *d(1_335_795, 1_118_340)),
        ("varav särskild löneskatt", *d(260_795, 218_340)),
        ("Aktualiseringsgrad, %", *d(96, 95)),
    ]


def test_the_balance_sheet_line_refers_to_the_pension_note_and_ties_to_it(ws):
    s = ledger(ws)
    br = s.table("balansrakning")
    row = br.row("avsattningar_pensioner")
    assert row.note == "not_avsattningar_pensioner"
    assert br.number("avsattningar_pensioner", "utfall") == Decimal("1335795.00")
    assert br.number("avsattningar_pensioner", "utfall_fg") == Decimal("1118340.00")
    note = s.table("not_avsattningar_pensioner")
    assert note.number("utgaende", "utfall") == br.number("avsattningar_pensioner", "utfall")
    # The ledger's provisions note would repeat the pension accounts: it is not made.
    assert s.get("not_avsattningar") is None


def test_in_tkr_the_note_total_is_shown_as_the_balance_sheet_line(ws):
    from bokslut.rounding import round_report

    s = ledger(ws, unit="")
    rounded = round_report({t.id: t for t in s.tables})
    br, note = rounded.rounded["balansrakning"], rounded.rounded["not_avsattningar_pensioner"]
    # 1 335,795 tkr both places; the parts give way so the note adds up.
    assert br.get("avsattningar_pensioner", "utfall") == Decimal(1336)
    assert note.get("utgaende", "utfall") == Decimal(1336)
    t = s.table("not_avsattningar_pensioner")
    parts = ["ingaende", "nyintjanad", "index", "diskonteringsranta", "utbetalningar", "loneskatt"]
    assert sum(note.get(p, "utfall") for p in parts) == Decimal(1336)
    # Ingående 2023 is shown as utgående 2022 (1 118,34 tkr).
    assert note.get("ingaende", "utfall") == note.get("utgaende", "utfall_fg") == Decimal(1118)
    assert t.number("loneskatt", "utfall") == Decimal("42455.00")
    assert [c for c in rounded.conflicts if "pension" in c.table] == []


def test_the_ansvarsforbindelse_note_and_the_line_under_the_balance_sheet(ws):
    s = ledger(ws)
    assert shown(s, "not_ansvarsforbindelse_pensioner") == [
        ("Ingående ansvarsförbindelse", *d(11_928_960, 12_426_000)),
        ("Ränte- och basbeloppsuppräkning", *d(250_000, 300_000)),
        ("Övriga aktuariella förändringar", *d(-50_000, 100_000)),
        ("Pensionsutbetalningar", *d(-850_000, -800_000)),
        # the file's löneskatt 2 171 000 (not 24,26 % = 2 171 270) less 2 328 960; 2 328 960 − 2 426 000
        ("Förändring av särskild löneskatt", *d(-157_960, -97_040)),
        ("Utgående ansvarsförbindelse", *d(11_121_000, 11_928_960)),
        ("varav särskild löneskatt", *d(2_171_000, 2_328_960)),
        ("Aktualiseringsgrad, %", *d(96, 95)),
    ]
    assert shown(s, "ansvarsforbindelser") == [
        (
            "Pensionsförpliktelser som inte har upptagits bland skulderna eller avsättningarna",
            *d(11_121_000, 11_928_960),
        ),
        ("Summa ansvarsförbindelser", *d(11_121_000, 11_928_960)),
    ]
    assert s.table("ansvarsforbindelser").row("pensioner").note == "not_ansvarsforbindelse_pensioner"


def test_equity_including_the_ansvarsforbindelse_is_a_named_value(ws):
    s = ledger(ws)
    # Eget kapital 2023: 875 740 − 217 455 = 658 285; 2022: 1 000 000 − 124 260 = 875 740.
    assert s.values["eget_kapital"] == Decimal("658285.00")
    assert s.values["ansvarsforbindelse_pensioner_ub"] == Decimal("11121000.00")
    assert s.values["ansvarsforbindelse_pensioner_ub_fg"] == Decimal("11928960.00")
    assert s.values["eget_kapital_inklusive_ansvarsforbindelse"] == Decimal("-10462715.00")
    assert s.values["eget_kapital_inklusive_ansvarsforbindelse_fg"] == Decimal("-11053220.00")
    assert s.values["avsattning_pensioner_ub"] == Decimal("1335795.00")


def test_a_closing_avsattning_the_ledger_does_not_hold_is_an_error_naming_both(ws):
    s = ledger(ws, pension_cost_2023=217_000)
    found = [f for f in s.findings if f.code == "pension-avsattning"]
    assert len(found) == 1
    f = found[0]
    assert (f.level, f.file, f.line) == ("error", "data/pension.csv", 16)
    assert "1\u00a0335\u00a0795,00 kr" in f.message  # the file, with löneskatt
    assert "1\u00a0335\u00a0340,00 kr" in f.message  # the ledger's 2211
    assert "2211" in f.message and "2023" in f.message
    # The note shows the file, the balance sheet the ledger: the check says they differ.
    assert s.table("not_avsattningar_pensioner").number("utgaende", "utfall") == Decimal("1335795.00")
    assert s.table("balansrakning").number("avsattningar_pensioner", "utfall") == Decimal("1335340.00")


def test_a_closing_balance_that_is_not_opening_plus_movements_is_an_error(ws):
    s = ledger(ws, pension=PENSION)
    found = [f for f in s.findings if f.code == "pension-summa"]
    assert [(f.file, f.line) for f in found] == [("data/pension.csv", 16)]
    assert "900\u00a0000,00 kr" in found[0].message and "1\u00a0075\u00a0000,00 kr" in found[0].message
    # The note adds up from the posts, not from the stated closing balance.
    assert s.table("not_avsattningar_pensioner").number("utgaende", "utfall") == Decimal("1335795.00")


def test_a_pension_file_with_a_missing_column_is_a_finding_and_the_rest_is_built(ws):
    no_column = "\n".join(";".join(line.split(";")[:3]) for line in PENSION_OK.splitlines())
    s = ledger(ws, pension=no_column + "\n")
    found = [f for f in s.findings if f.code == "kolumn-saknas"]
    assert [(f.level, f.file, f.line) for f in found] == [("error", "data/pension.csv", 1)]
    assert "kolumnen 'ansvarsforbindelse' (eller 'ansvarsforbindelse_tkr') saknas" in found[0].message
    # Nothing else is affected: the statements are there, the provision refers to the ledger's note.
    assert s.get("not_avsattningar_pensioner") is None and s.get("ansvarsforbindelser") is None
    assert s.table("balansrakning").row("avsattningar_pensioner").note == "not_avsattningar"
    assert s.table("not_avsattningar").number("utgaende", "utfall") == Decimal("1335795.00")
    assert s.values["arets_resultat"] == Decimal("-217455.00")
    assert "eget_kapital_inklusive_ansvarsforbindelse" not in s.values


def test_an_unknown_post_is_named_with_its_line_and_left_out(ws):
    s = ledger(ws, pension=PENSION_OK.replace("2023;Övrig post;", "2023;Bonusränta;"))
    found = [f for f in s.findings if f.code == "pension-okand-post"]
    assert [(f.file, f.line) for f in found] == [("data/pension.csv", 14)]
    assert "'Bonusränta' är okänd" in found[0].message
    # Without its −50 000 the ansvarsförbindelse does not reach the stated closing balance.
    assert any(f.code == "pension-summa" for f in s.findings)


def test_without_a_pension_file_nothing_changes(ws):
    s = ledger(ws, pension="")
    assert s.get("not_avsattningar_pensioner") is None
    assert s.table("balansrakning").row("avsattningar_pensioner").note == "not_avsattningar"


def test_the_same_file_as_a_spreadsheet_gives_the_same_notes(ws):
    from openpyxl import Workbook

    expected = shown(ledger(ws), "not_ansvarsforbindelse_pensioner")
    (ws.root / "data" / "pension.csv").unlink()
    wb = Workbook()
    sheet = wb.active
    assert sheet is not None
    for line in PENSION_OK.splitlines():
        sheet.append([int(c) if c.lstrip("-").isdigit() else (c or None) for c in line.split(";")])
    wb.save(ws.root / "data" / "pension.xlsx")
    s = ws.compute()
    assert shown(s, "not_ansvarsforbindelse_pensioner") == expected
    assert s.table("not_avsattningar_pensioner").number("utgaende", "utfall") == Decimal("1335795.00")
