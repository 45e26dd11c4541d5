"""Borgen with the Kommuninvest share, the loan note and operational leasing from data files,
on a hand-made ledger; every shown value computed by hand (amounts in kronor)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from bokslut.rounding import round_table
from bokslut.statements.borgen import KommuninvestYear, capital_share
from bokslut.statements.lan import bucket_of

KR = 'enhet = "kr"\n'


def ledger(ws, *, loan_2023: int = 1_700_000):
    ws.config(extra=KR)
    ws.year(
        2022,
        ib={"1930": 900_000, "2311": -900_000},
        names={"2311": "Lån i banker och kreditinstitut", "2388": "Förutbetalda investeringsbidrag"},
    )
    ws.year(
        2023,
        ib={"1930": 900_000, "2311": -900_000},
        vouchers=[
            (
                "2023-06-30",
                [("1930", loan_2023 - 800_000), ("2311", -(loan_2023 - 900_000)), ("2388", -100_000)],
            )
        ],
        names={"2311": "Lån i banker och kreditinstitut", "2388": "Förutbetalda investeringsbidrag"},
    )
    return ws


def shown(s, table_id: str) -> list[tuple]:
    t = s.table(table_id)
    r = round_table(t)
    return [(row.label, *(r.get(row.id, c.id) for c in t.columns)) for row in t.rows]


def d(*v: int | str | None) -> tuple[Decimal | None, ...]:
    return tuple(None if x is None else Decimal(x) for x in v)


LOANS = """ar;langivare;lan;belopp;ranta;forfallodag
2023;Kommuninvest;K1;800000;2,00;2024-06-30
2023;Kommuninvest;K2;300000;3,00;2026-12-31
2023;Nordea;N1;400000;4,50 %;2028-12-31
2023;SEB;S1;200000;1,5;2029-01-01
2022;Kommuninvest;K0;900000;1,50;2024-06-30
"""


def test_the_loan_note_per_lender_with_average_interest_and_maturities(ws):
    ledger(ws).write("data/lan.csv", LOANS)
    s = ws.compute()
    assert [f for f in s.findings if f.level == "error"] == []
    assert s.table("balansrakning").row("langfristiga_skulder").note == "not_langfristiga_skulder"
    assert shown(s, "not_langfristiga_skulder") == [
        ("Kommuninvest", *d(1_100_000, 900_000)),
        ("Nordea", *d(400_000, None)),
        ("SEB", *d(200_000, None)),
        ("Summa lån", *d(1_700_000, 900_000)),
        ("Förutbetalda investeringsbidrag", *d(100_000, None)),
        ("Summa långfristiga skulder", *d(1_800_000, 900_000)),
        # (800 000 × 2 + 300 000 × 3 + 400 000 × 4,5 + 200 000 × 1,5) / 1 700 000 = 2,7058…
        ("Genomsnittlig ränta på lånen, %", *d("2.71", "1.50")),
        ("Lånens förfallostruktur", None, None),
        # From 2023-12-31: 2024-06-30 within a year, 2026-12-31 in 1–3 years (inclusive),
        # 2028-12-31 in 3–5 years, 2029-01-01 later; from 2022-12-31 2024-06-30 is in 1–3 years.
        ("Förfaller inom 1 år", *d(800_000, 0)),
        ("Förfaller om 1–3 år", *d(300_000, 900_000)),
        ("Förfaller om 3–5 år", *d(400_000, 0)),
        ("Förfaller senare än 5 år", *d(200_000, 0)),
        ("Summa lån efter förfallotid", *d(1_700_000, 900_000)),
    ]
    br = s.table("balansrakning")
    assert br.number("langfristiga_skulder", "utfall") == Decimal("1800000.00")
    assert round(s.values["genomsnittlig_ranta"], 10) == Decimal("2.7058823529")  # 46 / 17


def test_loans_the_ledger_does_not_hold_are_an_error_naming_both(ws):
    ledger(ws, loan_2023=1_600_000).write("data/lan.csv", LOANS)
    s = ws.compute()
    found = [f for f in s.findings if f.code == "lan-summa"]
    assert [(f.level, f.file, f.line) for f in found] == [("error", "data/lan.csv", 2)]
    assert "1\u00a0700\u00a0000,00 kr" in found[0].message and "1\u00a0600\u00a0000,00 kr" in found[0].message
    assert "2311" in found[0].message


def test_maturity_buckets_count_whole_years_from_the_balance_date():
    end = dt.date(2023, 12, 31)
    assert bucket_of(dt.date(2024, 12, 31), end) == "forfall_1"
    assert bucket_of(dt.date(2025, 1, 1), end) == "forfall_3"
    assert bucket_of(dt.date(2026, 12, 31), end) == "forfall_3"
    assert bucket_of(dt.date(2027, 1, 1), end) == "forfall_5"
    assert bucket_of(dt.date(2029, 1, 1), end) == "forfall_over_5"


BORGEN = """ar;namn;kategori;belopp
2023;Bostads AB;Kommunala bolag;50000000
2023;Energi AB;Kommunala bolag;20000000
2023;IK Fram;Föreningar;150000
2022;Bostads AB;Kommunala bolag;55000000
"""
KOMMUNINVEST = (
    ("ar;totala_forpliktelser_tkr;totala_tillgangar_tkr;andelskapital;totalt_andelskapital;andel_procent\n")
    + """2023;612000000;620000000;12345678;15000000000;
2022;500000000;505000000;;;0,08
"""
)


def test_borgen_and_the_kommuninvest_share_of_obligations_and_assets(ws):
    ledger(ws)
    ws.write("data/borgen.csv", BORGEN)
    ws.write("data/kommuninvest.csv", KOMMUNINVEST)
    s = ws.compute()
    assert [f for f in s.findings if f.level == "error"] == []
    assert shown(s, "not_borgensataganden") == [
        ("Kommunala bolag", None, None),
        ("Bostads AB", *d(50_000_000, 55_000_000)),
        ("Energi AB", *d(20_000_000, None)),
        ("Föreningar", None, None),
        ("IK Fram", *d(150_000, None)),
        ("Summa borgensåtaganden", *d(70_150_000, 55_000_000)),
        ("Kommuninvest i Sverige AB, solidarisk borgen", None, None),
        ("Kommuninvests totala förpliktelser", *d(612_000_000_000, 500_000_000_000)),
        ("Kommuninvests totala tillgångar", *d(620_000_000_000, 505_000_000_000)),
        # 12 345 678 / 15 000 000 000 = 0,082304520 %
        ("Kommunens andel av medlemmarnas andelskapital, %", *d("0.0823", "0.0800")),
        # 612 000 000 000 × 12 345 678 / 15 000 000 000 = 503 703 662,40 kr; 0,08 % of 500 000 000 000
        ("Kommunens andel av de totala förpliktelserna", *d(503_703_662, 400_000_000)),
        # 620 000 000 000 × 12 345 678 / 15 000 000 000 = 510 288 024 kr
        ("Kommunens andel av de totala tillgångarna", *d(510_288_024, 404_000_000)),
    ]
    note = s.table("not_borgensataganden")
    assert note.number("ki_andel_forpliktelser", "utfall") == Decimal("503703662.40")
    assert note.number("ki_andel_tillgangar", "utfall") == Decimal("510288024.00")
    assert shown(s, "ansvarsforbindelser") == [
        ("Övriga ansvarsförbindelser (borgensåtaganden)", *d(70_150_000, 55_000_000)),
        ("Summa ansvarsförbindelser", *d(70_150_000, 55_000_000)),
    ]
    assert s.table("ansvarsforbindelser").row("borgen").note == "not_borgensataganden"
    assert s.values["kommuninvest_andel_forpliktelser"] == Decimal("503703662.40")
    assert s.values["borgensataganden_fg"] == Decimal("55000000.00")


def test_the_share_of_capital_formula():
    share = capital_share(12_345_678_00, 15_000_000_000_00)
    assert share == Decimal("0.08230452")
    # 0,5 % of 1 000 000 kr is 5 000 kr; of 3,00 kr it is 1,5 öre, shown half-up as 2 öre.
    k = KommuninvestYear(2023, 1_000_000_00, 300, Decimal("0.5"), "data/kommuninvest.csv", 2)
    assert (k.share_of_obligations, k.share_of_assets) == (5_000_00, 2)


def test_a_kommuninvest_file_without_the_share_is_a_finding(ws):
    ledger(ws)
    ws.write("data/kommuninvest.csv", "totala_forpliktelser;totala_tillgangar\n1000;1000\n")
    s = ws.compute()
    found = [f for f in s.findings if f.file == "data/kommuninvest.csv"]
    assert [(f.level, f.line, f.code) for f in found] == [("error", 1, "kolumn-saknas")]
    assert "andel_procent" in found[0].message
    assert s.get("not_borgensataganden") is None


LEASING = """ar;avtal;inom_1_ar;1_till_5_ar;senare_an_5_ar
2023;Bilar;100000;250000;0
2023;Kopiatorer;20000;30000;
2023;Lokaler;500000;2000000;1500000
2022;Alla avtal;400000;1200000;2000000
"""


def test_operational_leasing_as_a_note_table(ws):
    ledger(ws).write("data/leasing.csv", LEASING)
    s = ws.compute()
    assert [f for f in s.findings if f.level == "error"] == []
    assert shown(s, "not_leasing") == [
        ("Inom 1 år", *d(620_000, 400_000)),
        ("Senare än 1 år men inom 5 år", *d(2_280_000, 1_200_000)),
        ("Senare än 5 år", *d(1_500_000, 2_000_000)),
        ("Summa framtida minimileaseavgifter", *d(4_400_000, 3_600_000)),
    ]
    assert s.values["leasingavgifter"] == Decimal("4400000.00")


def test_a_bad_amount_in_the_leasing_file_names_its_line_and_only_that_row_is_left_out(ws):
    ledger(ws).write("data/leasing.csv", LEASING.replace("20000;30000;", "20000;trettio;"))
    s = ws.compute()
    found = [f for f in s.findings if f.file == "data/leasing.csv"]
    assert [(f.level, f.line, f.where) for f in found] == [("error", 3, "kolumn 1_till_5_ar")]
    assert s.table("not_leasing").number("summa", "utfall") == Decimal(4_350_000)


def test_without_the_files_the_notes_are_the_ledgers(ws):
    ledger(ws)
    s = ws.compute()
    assert s.get("ansvarsforbindelser") is None and s.get("not_leasing") is None
    assert shown(s, "not_langfristiga_skulder") == [
        ("Lån i banker och kreditinstitut", *d(1_700_000, 900_000)),
        ("Förutbetalda investeringsbidrag", *d(100_000, None)),
        ("Summa långfristiga skulder", *d(1_800_000, 900_000)),
    ]
