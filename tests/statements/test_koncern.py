"""Sammanställda räkenskaper (LKBR 12 kap.): a kommun, a wholly owned housing company and
half an energy company, consolidated on paper below and asserted cell by cell.

Kommunen (Kommun-Bas, motpart dimension 9), 2023, kronor, debit positive:
  IB  1311 andelar 1 000 000 (#OIB BOST 800 000, ENER 200 000), 1381 lån till BOST
      2 000 000 (#OIB BOST), 1930 3 000 000, 2011 −6 000 000.
  skatt 10 000 000; löner 8 000 000; sells 500 000 to BOST (3011, paid); rents from BOST
  1 200 000 (6011/2411, 1 000 000 paid → owes 200 000); interest 40 000 from BOST (8411);
  buys energy 300 000 from ENER (6211).
  Result 10 000 000 − 8 000 000 + 500 000 − 1 200 000 + 40 000 − 300 000 = 1 040 000.

Exempelbostäder AB (100 %, BAS):
  IB  1110 10 000 000, 1119 −1 000 000, 1930 500 000, 2081 −800 000, 2091 −200 000,
      2150 överavskrivningar −500 000, 2350 −6 000 000, 2360 −2 000 000 (koncern account:
      the kommun's loan).
  rent 1 200 000 from the kommun (1510/3910, 1 000 000 paid), 3 000 000 from others;
  500 000 bought from the kommun (5010/2440, paid); 40 000 interest to the kommun and
  200 000 to the bank (8410); löner 1 000 000 (7010); avskrivning 400 000 (7820/1119);
  överavskrivning 100 000 (8850/2150); skatt 300 000 (8910/2510).
  Result 4 200 000 − 2 540 000 = 1 660 000.

Exempelenergi AB (50 %):
  IB  1210 4 000 000, 1930 400 000, 2081 −400 000, 2091 −1 000 000, 2350 −3 000 000.
  sells 300 000 to the kommun (paid) and 2 000 000 to others; costs 1 000 000 (4010);
  avskrivning 400 000 (7830/1219); skatt 200 000 (8910/2510). Result 700 000.

Consolidated (tax rate 20,6 %):
  Verksamhetens intäkter  0 (kommun, 500 000 to BOST eliminated) + 3 000 000 + ½·2 000 000
                          = 4 000 000
  Verksamhetens kostnader −8 000 000 − ½·300 000 (energy: half is internal) − 1 000 000
                          − ½·1 000 000 = −9 650 000
  Avskrivningar           −400 000 − ½·400 000 = −600 000
  Verksamhetens nettokostnader −6 250 000; Skatteintäkter 10 000 000;
  Verksamhetens resultat 3 750 000; Finansiella kostnader −200 000 (the 40 000 is internal);
  Resultat efter finansiella poster 3 550 000; Skatt −300 000 − ½·200 000 = −400 000;
  Uppskjuten skatt −20,6 % · 100 000 = −20 600; Årets resultat 3 129 400
  = 1 040 000 + (1 660 000 + 79,4 % · 100 000) + ½ · 700 000 (the overview's column).
  Balansräkning: Mark och byggnader 8 600 000; Maskiner ½·3 600 000 = 1 800 000;
  finansiella anläggningstillgångar 0 (shares against equity, the loan against the
  company's 2360); Kassa 4 240 000 + 2 760 000 + ½·1 700 000 = 7 850 000; Summa 18 250 000.
  Årets resultat 3 129 400; Övrigt eget kapital 6 000 000 + 1 000 000 + 79,4 %·500 000
  − 1 000 000 (shares) + ½·1 400 000 = 7 097 000; Summa eget kapital 10 226 400;
  Andra avsättningar (uppskjuten skatt) 20,6 %·600 000 = 123 600; Långfristiga skulder
  6 000 000 + ½·3 000 000 = 7 500 000; Kortfristiga 300 000 + ½·200 000 = 400 000.
  Kassaflöde: 3 129 400 + 600 000 + 20 600 = 3 750 000; kortfristiga skulder +400 000;
  löpande 4 150 000; likvida medel 3 000 000 + 500 000 + ½·400 000 = 3 700 000 → 7 850 000.
"""

from __future__ import annotations

from decimal import Decimal

from bokslut.rounding import round_table

KONCERN = """enhet = "kr"

[dimensioner]
motpart = 9

[[koncern.foretag]]
id = "bostader"
namn = "Exempelbostäder AB"
typ = "aktiebolag"
agarandel = 100
sie = "data/koncern/bostader.se"
motpart = "BOST"

[[koncern.foretag]]
id = "energi"
namn = "Exempelenergi AB"
typ = "aktiebolag"
agarandel = 50
sie = "data/koncern/energi.se"
motpart = "ENER"
"""

B, E, K = {9: "BOST"}, {9: "ENER"}, {9: "KOMMUN"}


def kommun(ws, extra: str = KONCERN, *, rent: int = 1_200_000, more=()):
    ws.config(extra=extra)
    ws.year(
        2023,
        ib={"1311": 1_000_000, "1381": 2_000_000, "1930": 3_000_000, "2011": -6_000_000},
        oib=[("1311", 800_000, B), ("1311", 200_000, E), ("1381", 2_000_000, B)],
        vouchers=[
            ("2023-03-01", [("1930", 10_000_000), ("8011", -10_000_000)]),
            ("2023-03-02", [("5011", 8_000_000), ("1930", -8_000_000)]),
            ("2023-03-03", [("1510", 500_000, B), ("3011", -500_000, B)]),
            ("2023-03-04", [("1930", 500_000), ("1510", -500_000, B)]),
            ("2023-03-05", [("6011", rent, B), ("2411", -rent, B)]),
            ("2023-03-06", [("2411", 1_000_000, B), ("1930", -1_000_000)]),
            ("2023-03-07", [("1930", 40_000), ("8411", -40_000, B)]),
            ("2023-12-31", [("6211", 300_000, E), ("1930", -300_000)]),
            *more,
        ],
    )
    return ws


def bostader(ws, year: int = 2023, extra=()):
    ws.company(
        "data/koncern/bostader.se",
        year,
        name="Exempelbostäder AB",
        ib={
            "1110": 10_000_000,
            "1119": -1_000_000,
            "1930": 500_000,
            "2081": -800_000,
            "2091": -200_000,
            "2150": -500_000,
            "2350": -6_000_000,
            "2360": -2_000_000,
        },
        vouchers=[
            (f"{year}-04-01", [("1510", 1_200_000, K), ("3910", -1_200_000, K)]),
            (f"{year}-04-02", [("1930", 1_000_000), ("1510", -1_000_000, K)]),
            (f"{year}-04-03", [("1930", 3_000_000), ("3010", -3_000_000)]),
            (f"{year}-04-04", [("5010", 500_000, K), ("2440", -500_000, K)]),
            (f"{year}-04-05", [("2440", 500_000, K), ("1930", -500_000)]),
            (f"{year}-04-06", [("8410", 40_000, K), ("1930", -40_000)]),
            (f"{year}-04-07", [("7010", 1_000_000), ("1930", -1_000_000)]),
            (f"{year}-04-08", [("7820", 400_000), ("1119", -400_000)]),
            (f"{year}-04-09", [("8410", 200_000), ("1930", -200_000)]),
            (f"{year}-04-10", [("8850", 100_000), ("2150", -100_000)]),
            (f"{year}-04-11", [("8910", 300_000), ("2510", -300_000)]),
            *extra,
        ],
    )
    return ws


def energi(ws, extra=(), **prev):
    ws.company(
        "data/koncern/energi.se",
        2023,
        name="Exempelenergi AB",
        ib={"1210": 4_000_000, "1930": 400_000, "2081": -400_000, "2091": -1_000_000, "2350": -3_000_000},
        vouchers=[
            ("2023-05-01", [("1510", 300_000, K), ("3010", -300_000, K)]),
            ("2023-05-02", [("1930", 300_000), ("1510", -300_000, K)]),
            ("2023-05-03", [("1930", 2_000_000), ("3010", -2_000_000)]),
            ("2023-05-04", [("4010", 1_000_000), ("1930", -1_000_000)]),
            ("2023-05-05", [("7830", 400_000), ("1219", -400_000)]),
            ("2023-05-06", [("8910", 200_000), ("2510", -200_000)]),
            *extra,
        ],
        **prev,
    )
    return ws


def koncern(ws):
    return energi(bostader(kommun(ws))).compute()


def shown(s, table_id: str) -> list[tuple]:
    t = s.table(table_id)
    r = round_table(t)
    return [(row.label, *(r.get(row.id, c.id) for c in t.columns)) for row in t.rows]


def test_consolidated_income_statement(ws):
    s = koncern(ws)
    assert shown(s, "koncern_resultatrakning") == [
        ("Verksamhetens intäkter", Decimal(4_000_000)),
        ("Verksamhetens kostnader", Decimal(-9_650_000)),
        ("Avskrivningar", Decimal(-600_000)),
        ("Verksamhetens nettokostnader", Decimal(-6_250_000)),
        ("Skatteintäkter", Decimal(10_000_000)),
        ("Verksamhetens resultat", Decimal(3_750_000)),
        ("Finansiella kostnader", Decimal(-200_000)),
        ("Resultat efter finansiella poster", Decimal(3_550_000)),
        ("Skatt", Decimal(-400_000)),
        ("Uppskjuten skatt", Decimal(-20_600)),
        ("Årets resultat", Decimal(3_129_400)),
    ]
    assert s.values["koncern_arets_resultat"] == Decimal(3_129_400)
    assert s.values["arets_resultat"] == Decimal(1_040_000)  # the kommun's own is unaffected


def test_consolidated_balance_sheet(ws):
    s = koncern(ws)
    assert shown(s, "koncern_balansrakning") == [
        ("TILLGÅNGAR", None),
        ("Anläggningstillgångar", None),
        ("Materiella anläggningstillgångar", None),
        ("Mark, byggnader och tekniska anläggningar", Decimal(8_600_000)),
        ("Maskiner och inventarier", Decimal(1_800_000)),
        ("Summa anläggningstillgångar", Decimal(10_400_000)),
        ("Omsättningstillgångar", None),
        ("Kassa och bank", Decimal(7_850_000)),
        ("Summa omsättningstillgångar", Decimal(7_850_000)),
        ("SUMMA TILLGÅNGAR", Decimal(18_250_000)),
        ("Eget kapital", None),
        ("Årets resultat", Decimal(3_129_400)),
        ("Övrigt eget kapital", Decimal(7_097_000)),
        ("Summa eget kapital", Decimal(10_226_400)),
        ("Avsättningar", None),
        ("Andra avsättningar", Decimal(123_600)),
        ("Summa avsättningar", Decimal(123_600)),
        ("Skulder", None),
        ("Långfristiga skulder", Decimal(7_500_000)),
        ("Kortfristiga skulder", Decimal(400_000)),
        ("Summa skulder", Decimal(7_900_000)),
        ("SUMMA EGET KAPITAL, AVSÄTTNINGAR OCH SKULDER", Decimal(18_250_000)),
    ]
    assert s.values["koncern_eget_kapital"] == Decimal(10_226_400)
    assert s.values["koncern_balansomslutning"] == Decimal(18_250_000)


def test_consolidated_cash_flow(ws):
    s = koncern(ws)
    rows = {label: v for label, v in shown(s, "koncern_kassaflodesanalys")}
    assert rows["Årets resultat"] == Decimal(3_129_400)
    assert rows["Justering för av- och nedskrivningar"] == Decimal(600_000)
    assert rows["Justering för gjorda avsättningar"] == Decimal(20_600)
    assert rows["Medel från verksamheten före förändring av rörelsekapital"] == Decimal(3_750_000)
    assert rows["Ökning (+)/minskning (−) kortfristiga skulder"] == Decimal(400_000)
    assert rows["Kassaflöde från den löpande verksamheten"] == Decimal(4_150_000)
    assert rows["Kassaflöde från investeringsverksamheten"] is None  # nothing invested
    assert rows["Kassaflöde från finansieringsverksamheten"] is None
    assert rows["Årets kassaflöde"] == Decimal(4_150_000)
    assert rows["Likvida medel vid årets början"] == Decimal(3_700_000)
    assert rows["Likvida medel vid årets slut"] == Decimal(7_850_000)
    assert s.values["koncern_likvida_medel"] == Decimal(7_850_000)


def test_overview_of_the_koncern(ws):
    s = koncern(ws)
    assert shown(s, "kommunala_koncernen") == [
        (
            "Testförbundet",
            "Kommun",
            Decimal(100),
            Decimal(10_500_000),
            Decimal(1_040_000),
            Decimal(7_040_000),
            Decimal(1_040_000),
            "Kommunen",
        ),
        (
            "Exempelbostäder AB",
            "Aktiebolag",
            Decimal(100),
            Decimal(4_200_000),
            Decimal(1_660_000),
            Decimal(2_660_000),
            Decimal(1_739_400),
            "Proportionell",
        ),
        (
            "Exempelenergi AB",
            "Aktiebolag",
            Decimal(50),
            Decimal(2_300_000),
            Decimal(700_000),
            Decimal(2_100_000),
            Decimal(350_000),
            "Proportionell",
        ),
        ("Elimineringar av interna poster", None, None, None, None, None, Decimal(0), None),
        ("Koncernens resultat", None, None, None, None, None, Decimal(3_129_400), None),
    ]
    assert s.values["koncern_antal_foretag"] == 2


def test_internal_items_match_on_both_sides(ws):
    s = koncern(ws)
    assert shown(s, "koncern_interna_poster") == [
        (
            "Testförbundet – Exempelbostäder AB, balansposter",
            Decimal(1_800_000),
            Decimal(-1_800_000),
            Decimal(0),
        ),
        (
            "Testförbundet – Exempelbostäder AB, resultatposter",
            Decimal(660_000),
            Decimal(-660_000),
            Decimal(0),
        ),
        ("Testförbundet – Exempelenergi AB, resultatposter", Decimal(300_000), Decimal(-300_000), Decimal(0)),
    ]
    assert not [f for f in s.findings if f.code.startswith("koncern")]


def test_no_koncern_no_tables(ws):
    kommun(ws, 'enhet = "kr"\n[dimensioner]\nmotpart = 9\n')
    s = ws.compute()
    assert s.get("koncern_resultatrakning") is None
    assert s.get("kommunala_koncernen") is None
    assert "koncern_arets_resultat" not in s.values


def test_items_between_two_companies_are_eliminated_by_both_shares(ws):
    """Energi (50 %) sells 100 000 to Bostäder (100 %), unpaid. Included: Energi's sale
    ½ · 100 000, Bostäder's cost 100 000; eliminated on each side 1 · ½ · 100 000 = 50 000.
    So the sale is gone and half of the cost stays (bought from the other owners' half):
    Verksamhetens kostnader −9 650 000 − 50 000; the receivable ½ · 100 000 and the debt
    100 000 leave 0 and 50 000: kortfristiga skulder 400 000 + 50 000."""
    kommun(ws)
    energi(ws, extra=[("2023-05-07", [("1510", 100_000, B), ("3010", -100_000, B)])])
    bostader(ws, extra=[("2023-04-12", [("5010", 100_000, E), ("2440", -100_000, E)])])
    s = ws.compute()
    rr = dict((label, v) for label, v in shown(s, "koncern_resultatrakning"))
    assert rr["Verksamhetens intäkter"] == Decimal(4_000_000)
    assert rr["Verksamhetens kostnader"] == Decimal(-9_700_000)
    br = dict((label, v) for label, v in shown(s, "koncern_balansrakning"))
    assert br["Kortfristiga skulder"] == Decimal(450_000)
    assert "Fordringar" not in br
    assert br["SUMMA TILLGÅNGAR"] == br["SUMMA EGET KAPITAL, AVSÄTTNINGAR OCH SKULDER"]
    assert shown(s, "koncern_interna_poster")[-2:] == [
        (
            "Exempelbostäder AB – Exempelenergi AB, balansposter",
            Decimal(-100_000),
            Decimal(100_000),
            Decimal(0),
        ),
        (
            "Exempelbostäder AB – Exempelenergi AB, resultatposter",
            Decimal(100_000),
            Decimal(-100_000),
            Decimal(0),
        ),
    ]


def test_an_edited_company_file_is_read_again(ws):
    s = koncern(ws)
    assert s.values["koncern_arets_resultat"] == Decimal(3_129_400)
    assert list((ws.root / ".bokslut" / "koncern").glob("*.bin"))  # read once, then cached
    path = ws.root / "data/koncern/energi.se"
    text = path.read_text(encoding="cp437")
    # Energi's external sales 2 000 000 → 2 200 000: the koncern's result rises by ½ · 200 000.
    path.write_text(
        text.replace("2000000.00", "2200000.00").replace("-2000000.00", "-2200000.00"), encoding="cp437"
    )
    assert ws.compute().values["koncern_arets_resultat"] == Decimal(3_229_400)


def test_forvarvsanalys_from_the_acquisition_date_equity(ws):
    """The kommun's shares 800 000 in Bostäder (100 % of 1 000 000 at acquisition: an
    undervärde of 200 000) and 200 000 in Energi (50 % of 400 000: neither). The
    consolidation is the same: the shares leave equity in full."""
    kommun(ws)
    ws.write(
        "data/koncern/forvarvsanalys.csv", "foretag;eget_kapital\nbostader;1000000\nenergi;400000\nokand;5\n"
    )
    s = energi(bostader(ws)).compute()
    assert shown(s, "koncern_forvarvsanalys") == [
        ("Exempelbostäder AB", Decimal(800_000), Decimal(1_000_000), Decimal(-200_000)),
        ("Exempelenergi AB", Decimal(200_000), Decimal(200_000), Decimal(0)),
    ]
    [f] = [f for f in s.findings if f.code == "koncern-forvarv"]
    assert (f.file, f.line) == ("data/koncern/forvarvsanalys.csv", 4)
    assert f.message.startswith("'okand' är inget koncernföretag i bokslut.toml")
    assert s.values["koncern_eget_kapital"] == Decimal(10_226_400)


def test_dividends_to_the_kommun_are_eliminated(ws):
    """Bostäder (100 %) pays the kommun a dividend of 100 000; Energi (50 %) pays 100 000, of
    which the kommun's 50 000 is marked KOMMUN on 2091 and the other owner's is not. The
    kommun books 150 000 in finansiella intäkter (8416), so its own result is 1 190 000.
    Eliminated: Bostäder's 100 000 whole; of Energi's, 1 · ½ · 50 000 as an internal item
    and the other ½ · 50 000 as last years' profit: 50 000, back to equity. So the
    consolidated RR and BR are test_koncern's to the krona: the koncern's cash is unchanged
    (+150 000 − 100 000 − ½ · 100 000) and so is its equity (Energi's −½ · 50 000 paid to the
    other owner, +25 000 back from the result). The overview shows the dividends' −150 000."""
    kommun(
        ws,
        more=[
            ("2023-06-01", [("1930", 100_000), ("8416", -100_000, B)]),
            ("2023-06-02", [("1930", 50_000), ("8416", -50_000, E)]),
        ],
    )
    bostader(ws, extra=[("2023-06-01", [("2091", 100_000, K), ("1930", -100_000)])])
    energi(ws, extra=[("2023-06-02", [("2091", 50_000, K), ("2091", 50_000), ("1930", -100_000)])])
    s = ws.compute()
    assert not [f for f in s.findings if f.code.startswith("koncern")]
    assert s.values["arets_resultat"] == Decimal(1_190_000)
    rr = dict(shown(s, "koncern_resultatrakning"))
    assert "Finansiella intäkter" not in rr
    assert rr["Årets resultat"] == Decimal(3_129_400)
    br = dict(shown(s, "koncern_balansrakning"))
    assert br["Kassa och bank"] == Decimal(7_850_000)
    assert br["Övrigt eget kapital"] == Decimal(7_097_000)
    assert br["SUMMA EGET KAPITAL, AVSÄTTNINGAR OCH SKULDER"] == Decimal(18_250_000)
    overview = {row[0]: row[-2] for row in shown(s, "kommunala_koncernen")}
    assert overview["Testförbundet"] == Decimal(1_190_000)
    assert overview["Utdelningar inom koncernen"] == Decimal(-150_000)
    assert overview["Elimineringar av interna poster"] == Decimal(0)
    assert overview["Koncernens resultat"] == Decimal(3_129_400)


def test_an_unmarked_dividend_is_a_mismatch_naming_the_payers_file(ws):
    """Energi books its dividend to the kommun without the KOMMUN object: the kommun's 50 000
    from ENER has no counterpart, a finding on Energi's file."""
    kommun(ws)
    ws.year(
        2023,
        ib={"1311": 1_000_000, "1930": 3_000_000, "2011": -4_000_000},
        oib=[("1311", 800_000, B), ("1311", 200_000, E)],
        vouchers=[("2023-06-02", [("1930", 50_000), ("8416", -50_000, E)])],
    )
    bostader(ws)
    energi(ws, extra=[("2023-06-02", [("2091", 100_000), ("1930", -100_000)])])
    s = ws.compute()
    [f] = [f for f in s.findings if f.code == "koncern-interna-differens" and "Exempelenergi" in f.message]
    assert f.file == "data/koncern/energi.se"
    assert f.message.startswith("interna resultatposter stämmer inte: Testförbundet")


def test_the_pension_note_of_the_koncern(ws):
    """The kommun sets aside 70 000 for pensions (5411/2211), Bostäder 50 000 (7410/2230; the
    blandmodell does not apply to it, LKBR 12:6, so it stands in the balance sheet). The
    consolidated Avsättningar för pensioner 120 000 refers to the note that splits it."""
    kommun(ws, more=[("2023-06-03", [("5411", 70_000), ("2211", -70_000)])])
    bostader(ws, extra=[("2023-04-13", [("7410", 50_000), ("2230", -50_000)])])
    s = energi(ws).compute()
    br = s.table("koncern_balansrakning")
    assert br.row("avsattningar_pensioner").note == "not_koncern_pensioner"
    assert dict(shown(s, "koncern_balansrakning"))[
        "Avsättningar för pensioner och liknande förpliktelser"
    ] == Decimal(120_000)
    assert shown(s, "not_koncern_pensioner") == [
        ("Kommunen", Decimal(70_000)),
        ("Exempelbostäder AB (100 %)", Decimal(50_000)),
        ("Summa", Decimal(120_000)),
    ]
