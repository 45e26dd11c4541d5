"""Driftredovisning per nämnd: six ansvar in three förvaltningar in two nämnder, rolled up.

Every figure below is worked out by hand from the vouchers and the budget,
prognos and ram files written here; the table is read as the reader sees it
(labels and the numbers shown in tkr).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from bokslut.rounding import round_report, round_table

CONFIG = """
[dimensioner]
ansvar = 2
projekt = 6
"""

ORGANISATION = """ansvar;namn;enhet;forvaltning;namnd
1101;Rektor Norr;Skola Norr;Utbildningsförvaltningen;Barn- och utbildningsnämnden
1102;Lärare Norr;Skola Norr;Utbildningsförvaltningen;Barn- och utbildningsnämnden
1201;Förskola Syd;Förskola;Utbildningsförvaltningen;Barn- och utbildningsnämnden
2101;Hemtjänst;Hemtjänst;Omsorgsförvaltningen;Socialnämnden
2201;IFO;Individ och familj;Socialförvaltningen;Socialnämnden
2202;Försörjningsstöd;Individ och familj;Socialförvaltningen;Socialnämnden
"""

# Report sign (nettokostnad negative), kronor.
BUDGET = """ar;ansvar;belopp
2023;1101;-750000
2023;1102;-2600000
2023;1201;-1400000
2023;2101;-3300000
2023;2201;-850000
2023;2202;-800000
2022;1101;-700000
2022;2101;-3100000
"""

PROGNOS = """ansvar;belopp_tkr
1101;-820
1102;-2550
1201;-1450
2101;-3250
2201;-900
2202;-800
"""


def a(code: str) -> dict[int, str]:
    return {2: code}


def kommun(ws, *, extra: str = "", interim: bool = False, organisation: str = ORGANISATION):
    if interim:
        ws.config(rapport="delarsrapport", bokslutsdatum="2023-08-31", extra=CONFIG + extra)
    else:
        ws.config(extra=CONFIG + extra)
    ws.year(
        2022,
        vouchers=[
            ("2022-05-01", [("4010", 700_000, a("1101")), ("1930", -700_000)]),
            ("2022-05-02", [("5010", 3_000_000, a("2101")), ("1930", -3_000_000)]),
        ],
    )
    ws.year(
        2023,
        vouchers=[
            (
                "2023-03-01",
                [("4010", 1_000_000, a("1101")), ("3010", -200_000, a("1101")), ("1930", -800_000)],
            ),
            ("2023-03-02", [("5010", 2_500_000, a("1102")), ("1930", -2_500_000)]),
            (
                "2023-03-03",
                [("5010", 1_800_000, a("1201")), ("3010", -300_000, a("1201")), ("1930", -1_500_000)],
            ),
            ("2023-03-04", [("5010", 3_200_000, a("2101")), ("1930", -3_200_000)]),
            ("2023-03-05", [("4010", 900_000, a("2201")), ("1930", -900_000)]),
            (
                "2023-03-06",
                [
                    ("4010", 700_000, a("2202")),
                    ("7910", 100_000, a("2202")),
                    ("1930", -700_000),
                    ("1229", -100_000),
                ],
            ),
            ("2023-03-07", [("5010", 50_000, a("9999")), ("1930", -50_000)]),  # an ansvar with no nämnd
            ("2023-03-08", [("8010", -12_000_000), ("1930", 12_000_000)]),  # skatt: not in the table
            ("2023-10-01", [("5010", 400_000, a("1101")), ("1930", -400_000)]),  # after the interim cut
        ],
    )
    ws.write("data/organisation.csv", organisation)
    ws.write("data/budget-ansvar.csv", BUDGET)
    if interim:
        ws.write("data/prognos-ansvar.csv", PROGNOS)
    return ws.compute()


def shown_rows(s) -> list[tuple]:
    """(label, level, every shown number in column order) for each row, as the reader sees it."""
    t = s.table("driftredovisning_namnd")
    r = round_table(t)
    return [(row.label, row.level, *(r.get(row.id, c.id) for c in t.columns)) for row in t.rows]


def d(*values: int) -> tuple[Decimal, ...]:
    return tuple(Decimal(v) for v in values)


# budget, utfall, avvikelse (utfall − budget), budget 2022, utfall 2022, avvikelse 2022 — in tkr.
BUN = d(-4750, -5200, -450, -700, -700, 0)  # with the October voucher of 1101
SN = d(-4950, -4900, 50, -3100, -3000, 100)
HEMTJANST = d(-3300, -3200, 100, -3100, -3000, 100)
EJ = d(0, -50, -50, 0, 0, 0)  # 2022 had nothing unassigned
TOTAL = d(-9700, -10150, -450, -3800, -3700, 100)

LEVELS = {
    "namnd": [
        ("Barn- och utbildningsnämnden", 0, *BUN),
        ("Socialnämnden", 0, *SN),
    ],
    "forvaltning": [
        ("Utbildningsförvaltningen", 1, *BUN),
        ("Barn- och utbildningsnämnden", 0, *BUN),
        ("Omsorgsförvaltningen", 1, *HEMTJANST),
        ("Socialförvaltningen", 1, *d(-1650, -1700, -50, 0, 0, 0)),
        ("Socialnämnden", 0, *SN),
    ],
    "enhet": [
        ("Skola Norr", 2, *d(-3350, -3700, -350, -700, -700, 0)),
        ("Förskola", 2, *d(-1400, -1500, -100, 0, 0, 0)),
        ("Utbildningsförvaltningen", 1, *BUN),
        ("Barn- och utbildningsnämnden", 0, *BUN),
        ("Hemtjänst", 2, *d(-3300, -3200, 100, -3100, -3000, 100)),
        ("Omsorgsförvaltningen", 1, *HEMTJANST),
        ("Individ och familj", 2, *d(-1650, -1700, -50, 0, 0, 0)),
        ("Socialförvaltningen", 1, *d(-1650, -1700, -50, 0, 0, 0)),
        ("Socialnämnden", 0, *SN),
    ],
    "ansvar": [
        ("1101 Rektor Norr", 3, *d(-750, -1200, -450, -700, -700, 0)),
        ("1102 Lärare Norr", 3, *d(-2600, -2500, 100, 0, 0, 0)),
        ("Skola Norr", 2, *d(-3350, -3700, -350, -700, -700, 0)),
        ("1201 Förskola Syd", 3, *d(-1400, -1500, -100, 0, 0, 0)),
        ("Förskola", 2, *d(-1400, -1500, -100, 0, 0, 0)),
        ("Utbildningsförvaltningen", 1, *BUN),
        ("Barn- och utbildningsnämnden", 0, *BUN),
        ("2101 Hemtjänst", 3, *d(-3300, -3200, 100, -3100, -3000, 100)),
        ("Hemtjänst", 2, *d(-3300, -3200, 100, -3100, -3000, 100)),
        ("Omsorgsförvaltningen", 1, *HEMTJANST),
        ("2201 IFO", 3, *d(-850, -900, -50, 0, 0, 0)),
        ("2202 Försörjningsstöd", 3, *d(-800, -800, 0, 0, 0, 0)),
        ("Individ och familj", 2, *d(-1650, -1700, -50, 0, 0, 0)),
        ("Socialförvaltningen", 1, *d(-1650, -1700, -50, 0, 0, 0)),
        ("Socialnämnden", 0, *SN),
    ],
}


@pytest.mark.parametrize("niva", list(LEVELS))
def test_every_level_rolls_up_to_the_namnder_and_the_total(ws, niva):
    s = kommun(ws, extra=f'[driftredovisning]\nniva = "{niva}"\n')
    t = s.table("driftredovisning_namnd")
    assert [c.label for c in t.columns] == [
        "Budget 2023",
        "Utfall 2023",
        "Avvikelse",
        "Budget 2022",
        "Utfall 2022",
        "Avvikelse",
    ]
    assert shown_rows(s) == [
        *LEVELS[niva],
        ("Ej fördelat", 0, *EJ),
        ("Summa nämnder", 0, *TOTAL),
    ]


def test_the_total_is_the_resultatrakning_s_verksamhetens_nettokostnader(ws):
    s = kommun(ws)
    t, rr = s.table("driftredovisning_namnd"), s.table("resultatrakning")
    assert t.value("totalt", "utfall") == rr.value("verksamhetens_nettokostnader", "utfall") == -10_150_000
    assert (
        t.value("totalt", "utfall_fg") == rr.value("verksamhetens_nettokostnader", "utfall_fg") == -3_700_000
    )
    assert [i.reason for i in t.identities] == ["nämndernas nettokostnad är verksamhetens nettokostnader"] * 2
    assert s.values["namnd_socialnamnden_utfall"] == -4_900_000
    assert s.values["namnder_avvikelse"] == -450_000


def test_ledger_outcome_on_an_ansvar_without_namnd_is_shown_and_named(ws):
    s = kommun(ws)
    warned = [f for f in s.findings if f.code == "organisation-ej-fordelat"]
    assert [(f.file, f.message) for f in warned] == [
        (
            "data/organisation.csv",
            "utfall 2023 på ansvar som saknar nämnd i data/organisation.csv: 2:9999 "
            "(\u221250\u00a0000,00 kr); summan \u221250\u00a0000,00 kr visas som 'Ej fördelat'",
        )
    ]


def test_delarsrapport_shows_prognos_per_namnd_rolled_up_from_ansvar(ws):
    s = kommun(ws, interim=True, extra='[driftredovisning]\nniva = "forvaltning"\n')
    t = s.table("driftredovisning_namnd")
    assert [c.label for c in t.columns] == ["Budget 2023", "Utfall 230831", "Prognos 2023", "Avvikelse"]
    # budget, utfall to 31 August (the October voucher is left out), prognos, avvikelse = prognos − budget
    assert shown_rows(s) == [
        ("Utbildningsförvaltningen", 1, *d(-4750, -4800, -4820, -70)),
        ("Barn- och utbildningsnämnden", 0, *d(-4750, -4800, -4820, -70)),
        ("Omsorgsförvaltningen", 1, *d(-3300, -3200, -3250, 50)),
        ("Socialförvaltningen", 1, *d(-1650, -1700, -1700, -50)),
        ("Socialnämnden", 0, *d(-4950, -4900, -4950, 0)),
        ("Ej fördelat", 0, *d(0, -50, 0, 0)),
        ("Summa nämnder", 0, *d(-9700, -9750, -9770, -70)),
    ]


def test_ram_per_namnd_is_the_budget_of_a_namnd_row(ws):
    # Socialnämnden has a ram and no budget per ansvar; Barn- och utbildningsnämnden the reverse.
    ws.write("data/ram.csv", "namnd;belopp_tkr\nSocialnämnden;-5000\nKulturnämnden;-10\n")
    ws.write("data/budget-ansvar.csv", "ansvar;belopp\n1101;-750000\n")
    s = _ram_only(ws)
    t = s.table("driftredovisning_namnd")
    r = round_table(t)
    assert r.get("namnd.socialnamnden", "budget") == -5000
    assert r.get("namnd.barn_och_utbildningsnamnden", "budget") == -750
    assert r.get("totalt", "budget") == -5750
    source = t.row("namnd.socialnamnden").sources["budget"]
    assert (source.filter["ram"], source.description) == (
        ["data/ram.csv"],
        "ram (kommunbidrag) enligt data/ram.csv",
    )
    unknown = [f for f in s.findings if f.code == "ram-okand-namnd"]
    assert [(f.file, f.line) for f in unknown] == [("data/ram.csv", 3)]
    assert "Kulturnämnden" in unknown[0].message


def _ram_only(ws):
    ws.config(extra=CONFIG)
    ws.year(2023, vouchers=[("2023-03-04", [("5010", 3_200_000, a("2101")), ("1930", -3_200_000)])])
    ws.write("data/organisation.csv", ORGANISATION)
    return ws.compute()


def test_ram_that_differs_from_the_budget_per_ansvar_is_a_warning(ws):
    ws.write("data/ram.csv", "namnd;ar;belopp\nSocialnämnden;2023;-5000000\n")
    s = kommun(ws)
    (f,) = [f for f in s.findings if f.code == "ram-budget"]
    assert (f.file, f.line) == ("data/ram.csv", 2)
    assert "skillnad \u221250\u00a0000,00 kr" in f.message
    # The budget per ansvar is what the table shows.
    assert round_table(s.table("driftredovisning_namnd")).get("namnd.socialnamnden", "budget") == -4950


def test_rounding_keeps_every_sum_equal_to_its_shown_parts(ws):
    ws.config(extra=CONFIG + '[driftredovisning]\nniva = "ansvar"\n')
    amounts = {
        "1101": 1_000_400,
        "1102": 2_500_400,
        "1201": 1_800_600,
        "2101": 3_200_400,
        "2201": 900_700,
        "2202": 700_400,
    }
    ws.year(
        2023,
        vouchers=[
            (f"2023-03-{i + 1:02d}", [("4010", x, a(c)), ("1930", -x)])
            for i, (c, x) in enumerate(amounts.items())
        ],
    )
    ws.write("data/organisation.csv", ORGANISATION)
    s = ws.compute()
    t = s.table("driftredovisning_namnd")
    report = round_report({x.id: x for x in s.tables})
    r = report.rounded[t.id]
    by_id = {row.id: row for row in t.rows}
    for row in t.rows:
        exact = row.values["utfall"]
        assert isinstance(exact, Decimal)
        assert abs(r.get(row.id, "utfall") - exact / 1000) < 1  # one step at most
        if row.parts:
            assert r.get(row.id, "utfall") == sum(r.get(p, "utfall") for p in row.parts)
    assert r.get("totalt", "utfall") == Decimal(-10103)  # −10 102,9 tkr, the nearest
    assert report.rounded["resultatrakning"].get("verksamhetens_nettokostnader", "utfall") == -10103
    assert set(by_id) >= {
        "ansvar.1101",
        "enhet.barn_och_utbildningsnamnden.utbildningsforvaltningen.skola_norr",
    }


def test_without_an_organisation_file_there_is_no_table_per_namnd(ws):
    ws.config(extra=CONFIG)
    ws.year(2023, vouchers=[("2023-03-04", [("5010", 100, a("2101")), ("1930", -100)])])
    s = ws.compute()
    assert s.get("driftredovisning_namnd") is None
