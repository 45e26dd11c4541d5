"""The comparison year of the sammanställda räkenskaper: last year consolidated beside this
year, Bostäder from its own last year's file (``sie_fg``), Energi from the -1 balances of
this year's file (no ``sie_fg``). This year is test_koncern.py's; last year on paper:

Kommunen 2022: IB 1311 andelar 1 000 000 (#OIB BOST 800 000, ENER 200 000), 1930 1 200 000,
  2011 −2 200 000; skatt 9 000 000; löner 7 000 000; energy 200 000 from ENER (6211, paid).
  Result 1 800 000; kassa 3 000 000.
Exempelbostäder AB 2022 (100 %, bostader-2022.se): IB 1110 10 000 000, 2081 −800 000,
  2091 −200 000, 2350 −9 000 000; rents 2 000 000 (3010), löner 1 500 000 (7010),
  avskrivning 300 000 (7820/1119). Result 200 000; kassa 500 000.
Exempelenergi AB (50 %), energi.se's #IB -1: 1210 4 000 000, 1930 100 000, 2081 −400 000,
  2091 −700 000, 2350 −3 000 000; #RES -1: 3010 −1 000 000, 4010 500 000, 8910 200 000
  (result 300 000); closing = this year's #IB (2091 −1 000 000 holds the result, taken
  back out on 8999). Its 200 000 sold to the kommun is not marked in #RES, so neither
  side of it is eliminated: intäkter and kostnader are gross, the result is the same.

Consolidated 2022:
  Verksamhetens intäkter 2 000 000 + ½·1 000 000 = 2 500 000
  Verksamhetens kostnader −7 000 000 − 200 000 − 1 500 000 − ½·500 000 = −8 950 000
  Avskrivningar −300 000; Verksamhetens nettokostnader −6 750 000; Skatteintäkter 9 000 000;
  Verksamhetens resultat 2 250 000 = Resultat efter finansiella poster; Skatt −½·200 000
  = −100 000; Årets resultat 2 150 000 = 1 800 000 + 200 000 + ½·300 000.
  BR: Mark och byggnader 9 700 000; Maskiner ½·4 000 000 = 2 000 000; Kassa 3 000 000
  + 500 000 + ½·400 000 = 3 700 000; Summa 15 400 000. Övrigt eget kapital 2 200 000
  − 1 000 000 (shares) + 1 000 000 + ½·1 100 000 = 2 750 000; Summa eget kapital
  4 900 000; Långfristiga skulder 9 000 000 + ½·3 000 000 = 10 500 000.
"""

from __future__ import annotations

from decimal import Decimal

from .test_koncern import KONCERN, B, E, bostader, energi, kommun, shown

SIE_FG = KONCERN.replace(
    'sie = "data/koncern/bostader.se"\n',
    'sie = "data/koncern/bostader.se"\nsie_fg = "data/koncern/bostader-2022.se"\n',
)


def kommun_2022(ws):
    ws.year(
        2022,
        ib={"1311": 1_000_000, "1930": 1_200_000, "2011": -2_200_000},
        oib=[("1311", 800_000, B), ("1311", 200_000, E)],
        vouchers=[
            ("2022-03-01", [("1930", 9_000_000), ("8011", -9_000_000)]),
            ("2022-03-02", [("5011", 7_000_000), ("1930", -7_000_000)]),
            ("2022-12-31", [("6211", 200_000, E), ("1930", -200_000)]),
        ],
    )


def bostader_2022(ws, year: int = 2022):
    ws.company(
        "data/koncern/bostader-2022.se",
        year,
        name="Exempelbostäder AB",
        ib={"1110": 10_000_000, "2081": -800_000, "2091": -200_000, "2350": -9_000_000},
        vouchers=[
            (f"{year}-04-01", [("1930", 2_000_000), ("3010", -2_000_000)]),
            (f"{year}-04-02", [("7010", 1_500_000), ("1930", -1_500_000)]),
            (f"{year}-04-03", [("7820", 300_000), ("1119", -300_000)]),
        ],
    )


ENERGI_PREV = {
    "ib_prev": {"1210": 4_000_000, "1930": 100_000, "2081": -400_000, "2091": -700_000, "2350": -3_000_000},
    "res_prev": {"3010": -1_000_000, "4010": 500_000, "8910": 200_000},
}


def two_years(ws, extra: str = SIE_FG, energi_prev: dict | None = None):
    kommun(ws, extra)
    kommun_2022(ws)
    bostader(ws)
    bostader_2022(ws)
    energi(ws, **({} if energi_prev is None else energi_prev))
    return ws.compute()


def test_consolidated_income_statement_has_last_year(ws):
    s = two_years(ws, energi_prev=ENERGI_PREV)
    assert [c.label for c in s.table("koncern_resultatrakning").columns] == ["2023", "2022"]
    assert shown(s, "koncern_resultatrakning") == [
        ("Verksamhetens intäkter", Decimal(4_000_000), Decimal(2_500_000)),
        ("Verksamhetens kostnader", Decimal(-9_650_000), Decimal(-8_950_000)),
        ("Avskrivningar", Decimal(-600_000), Decimal(-300_000)),
        ("Verksamhetens nettokostnader", Decimal(-6_250_000), Decimal(-6_750_000)),
        ("Skatteintäkter", Decimal(10_000_000), Decimal(9_000_000)),
        ("Verksamhetens resultat", Decimal(3_750_000), Decimal(2_250_000)),
        ("Finansiella kostnader", Decimal(-200_000), Decimal(0)),
        ("Resultat efter finansiella poster", Decimal(3_550_000), Decimal(2_250_000)),
        ("Skatt", Decimal(-400_000), Decimal(-100_000)),
        ("Uppskjuten skatt", Decimal(-20_600), Decimal(0)),
        ("Årets resultat", Decimal(3_129_400), Decimal(2_150_000)),
    ]
    assert not [f for f in s.findings if f.code.startswith("koncern")]


def test_consolidated_balance_sheet_has_last_year(ws):
    s = two_years(ws, energi_prev=ENERGI_PREV)
    br = {label: rest for label, *rest in shown(s, "koncern_balansrakning")}
    assert br["Mark, byggnader och tekniska anläggningar"] == [Decimal(8_600_000), Decimal(9_700_000)]
    assert br["Maskiner och inventarier"] == [Decimal(1_800_000), Decimal(2_000_000)]
    assert br["Kassa och bank"] == [Decimal(7_850_000), Decimal(3_700_000)]
    assert br["SUMMA TILLGÅNGAR"] == [Decimal(18_250_000), Decimal(15_400_000)]
    assert br["Årets resultat"] == [Decimal(3_129_400), Decimal(2_150_000)]
    assert br["Övrigt eget kapital"] == [Decimal(7_097_000), Decimal(2_750_000)]
    assert br["Summa eget kapital"] == [Decimal(10_226_400), Decimal(4_900_000)]
    assert br["Långfristiga skulder"] == [Decimal(7_500_000), Decimal(10_500_000)]
    assert br["SUMMA EGET KAPITAL, AVSÄTTNINGAR OCH SKULDER"] == [Decimal(18_250_000), Decimal(15_400_000)]


def test_consolidated_cash_flow_has_last_year(ws):
    s = two_years(ws, energi_prev=ENERGI_PREV)
    kfa = {label: rest for label, *rest in shown(s, "koncern_kassaflodesanalys")}
    assert kfa["Årets resultat"] == [Decimal(3_129_400), Decimal(2_150_000)]
    assert kfa["Likvida medel vid årets slut"] == [Decimal(7_850_000), Decimal(3_700_000)]


def test_a_sie_fg_file_for_the_wrong_year_leaves_out_the_comparison_column(ws):
    kommun(ws, SIE_FG)
    kommun_2022(ws)
    bostader(ws)
    bostader_2022(ws, year=2021)
    energi(ws, **ENERGI_PREV)
    s = ws.compute()
    [wrong] = [f for f in s.findings if f.code == "koncern-fel-ar"]
    assert wrong.file == "data/koncern/bostader-2022.se"
    assert wrong.line is not None
    assert wrong.message.startswith(
        "SIE-filen för Exempelbostäder AB gäller räkenskapsåret 2021-01-01–2021-12-31, jämförelseåret "
        "2022-01-01–2022-12-31"
    )
    [missing] = [f for f in s.findings if f.code == "koncern-fg-saknas"]
    assert "Exempelbostäder AB" in missing.message
    # This year is untouched; no comparison column rather than a wrong one.
    assert [c.id for c in s.table("koncern_resultatrakning").columns] == ["utfall"]
    assert s.values["koncern_arets_resultat"] == Decimal(3_129_400)


def test_a_company_without_last_years_balances_and_without_sie_fg(ws):
    s = two_years(ws)  # energi.se has no -1 balances
    [f, _] = [f for f in s.findings if f.code == "koncern-fg-saknas"]
    assert f.file == "data/koncern/energi.se"
    assert "sie_fg saknas" in f.message
    assert [c.id for c in s.table("koncern_balansrakning").columns] == ["utfall"]


def test_a_missing_sie_fg_file_names_its_line_in_bokslut_toml(ws):
    kommun(ws, SIE_FG)
    kommun_2022(ws)
    bostader(ws)
    energi(ws, **ENERGI_PREV)
    s = ws.compute()
    [f] = [f for f in s.findings if f.code == "koncern-sie-saknas"]
    assert (f.file, f.line) == (
        "bokslut.toml",
        ws.toml.splitlines().index('sie_fg = "data/koncern/bostader-2022.se"') + 1,
    )
    assert "jämförelseåret" in f.message


def test_notes_split_the_consolidated_lines_by_part_of_the_koncern(ws):
    """Mark och byggnader: only Bostäder's 10 000 000 − 1 400 000 = 8 600 000 (2022:
    10 000 000 − 300 000); maskiner: Energi's ½ · 3 600 000 (2022: ½ · 4 000 000).
    Långfristiga skulder: Bostäder 6 000 000 (its 2360, the kommun's loan, is internal and
    eliminated inside the company's part), Energi ½ · 3 000 000 (2022: 9 000 000, 1 500 000)."""
    s = two_years(ws, energi_prev=ENERGI_PREV)
    br = s.table("koncern_balansrakning")
    assert br.row("mark_byggnader").note == "not_koncern_materiella"
    assert br.row("langfristiga_skulder").note == "not_koncern_langfristiga_skulder"
    assert shown(s, "not_koncern_materiella") == [
        ("Mark, byggnader och tekniska anläggningar", None, None),
        ("Exempelbostäder AB (100 %)", Decimal(8_600_000), Decimal(9_700_000)),
        ("Summa mark, byggnader och tekniska anläggningar", Decimal(8_600_000), Decimal(9_700_000)),
        ("Maskiner och inventarier", None, None),
        ("Exempelenergi AB (50 %)", Decimal(1_800_000), Decimal(2_000_000)),
        ("Summa maskiner och inventarier", Decimal(1_800_000), Decimal(2_000_000)),
        ("Summa", Decimal(10_400_000), Decimal(11_700_000)),
    ]
    assert shown(s, "not_koncern_langfristiga_skulder") == [
        ("Exempelbostäder AB (100 %)", Decimal(6_000_000), Decimal(9_000_000)),
        ("Exempelenergi AB (50 %)", Decimal(1_500_000), Decimal(1_500_000)),
        ("Summa", Decimal(7_500_000), Decimal(10_500_000)),
    ]
    # No pension line in the consolidated balance sheet: no pension note.
    assert s.get("not_koncern_pensioner") is None
