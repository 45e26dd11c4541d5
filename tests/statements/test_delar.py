"""Delårsrapport: the closing date cuts both years; budget and prognos for the whole year."""

from __future__ import annotations

from decimal import Decimal

EXTRA = """
[budget]
tecken = "bokforing"

[delarsrapport]
tecken = "bokforing"
"""


def test_cut_same_period_last_year_and_prognos(ws):
    ws.config(rapport="delarsrapport", ar=2020, bokslutsdatum="2020-07-31", extra=EXTRA)
    ws.year(
        2019,
        vouchers=[
            ("2019-03-01", [("3010", -100), ("1930", 100)]),
            ("2019-09-01", [("3010", -900), ("1930", 900)]),  # after the cut: not the same period
        ],
    )
    ws.year(
        2020,
        ib={"1930": 1000, "2010": -1000},
        vouchers=[
            ("2020-07-31", [("3010", -300), ("5010", 120), ("1930", 180)]),
            ("2020-08-01", [("3010", -999), ("1930", 999)]),  # booked after the closing date
        ],
    )
    ws.write("data/budget/b.csv", "kostnadsslag;belopp\nintakter;-700\npersonalkostnader;400\n")
    ws.write("data/prognos/p.csv", "kostnadsslag;belopp\nintakter;-650\npersonalkostnader;380\n")
    s = ws.compute()
    t = s.table("ekonomiskt_resultat")
    assert t.value("intakter", "utfall") == -300  # revenue negative, as configured
    assert t.value("intakter", "utfall_fg") == -100
    assert t.value("personalkostnader", "utfall") == 120
    assert t.value("summa", "budget") == -300
    assert t.value("summa", "prognos") == -270
    assert t.value("intakter", "avvikelse") == Decimal(-50)  # budget − prognos
    assert t.value("summa", "avvikelse") == -30
    assert [c.label for c in t.columns][:2] == ["Budget 2020", "Utfall 200731"]
    br = s.table("balansrakning")
    assert br.value("kassa_och_bank", "utfall") == 1180  # at 2020-07-31
    assert "kassaflodesanalys" not in {x.id for x in s.tables}
    assert all(r.note is None for x in s.tables for r in x.rows)


def test_rr_of_an_interim_report_has_budget_and_prognos_per_account(ws):
    ws.config(rapport="delarsrapport", ar=2020, bokslutsdatum="2020-06-30")
    ws.year(2020, vouchers=[("2020-05-31", [("3010", -300), ("1930", 300)])])
    ws.write("data/budget/b.csv", "konto;belopp\n3010;700\n")
    ws.write("data/prognos/p.csv", "konto;belopp_tkr\n3010;0,65\n")
    rr = ws.compute().table("resultatrakning")
    assert [c.id for c in rr.columns] == ["utfall", "utfall_fg", "budget", "prognos", "avvikelse"]
    assert rr.column("avvikelse").derived == ("prognos", "-", "budget")
    assert rr.value("verksamhetens_intakter", "budget") == 700
    assert rr.value("verksamhetens_intakter", "prognos") == 650
    assert rr.value("verksamhetens_intakter", "avvikelse") == -50
    # No 2019 in the ledger: the same period last year cannot be shown.
    assert rr.value("arets_resultat", "utfall_fg") == "uppgift saknas"


def test_same_period_last_year_from_psaldo_when_last_year_has_no_vouchers(ws):
    """A year known only from #RES in this year's file has whole-year figures; its #PSALDO
    months give the period. Without them the column says "uppgift saknas", never the year."""
    ws.config(rapport="delarsrapport", ar=2020, bokslutsdatum="2020-06-30")
    ws.year(2020, vouchers=[("2020-05-31", [("3010", -300), ("1930", 300)])], res_prev={"3010": -1000})
    rr = ws.compute().table("resultatrakning")
    assert rr.value("verksamhetens_intakter", "utfall_fg") == "uppgift saknas"
    _add_psaldo(ws.root / "data" / "ledger" / "2020.se", [(201905, "3010", -250), (201907, "3010", -750)])
    rr = ws.compute().table("resultatrakning")
    assert rr.value("verksamhetens_intakter", "utfall_fg") == 250  # January–June 2019 only
    assert rr.value("verksamhetens_intakter", "utfall") == 300


def _add_psaldo(path, rows):
    text = path.read_bytes().decode("cp437")
    extra = "".join(f"#PSALDO -1 {p} {a} {{}} {x}.00\n" for p, a, x in rows)
    path.write_bytes(text.replace("#VER", extra + "#VER", 1).encode("cp437"))


BALANSKRAV_2023 = """
[balanskrav]
realisationsvinster_undantag = { "2023" = 50 }
reservering_resultatreserv = { "2023" = 100 }
"""


def _gain_ledger(ws):
    ws.config(rapport="delarsrapport", ar=2023, bokslutsdatum="2023-06-30", extra=BALANSKRAV_2023)
    ws.year(
        2023,
        ib={"1220": 1000, "1930": 1000, "2010": -2000},
        vouchers=[
            ("2023-02-01", [("3010", -500), ("1930", 500)]),
            ("2023-03-01", [("1930", 600), ("1220", -400), ("3810", -200)]),  # a sale at a gain
        ],
    )


def test_the_balanskrav_prognos_starts_from_the_prognos_and_deducts_gains_booked_so_far(ws):
    _gain_ledger(ws)
    ws.write("data/prognos/p.csv", "rad;belopp\nverksamhetens_intakter;1800\nverksamhetens_kostnader;-600\n")
    s = ws.compute()
    bk = s.table("balanskrav_prognos")
    assert [c.id for c in bk.columns] == ["prognos"]
    assert bk.value("bk_arets_resultat", "prognos") == 1200  # 1 800 − 600
    assert bk.value("bk_realisationsvinster", "prognos") == -200  # the gain booked by June
    assert bk.value("bk_rv_undantag", "prognos") == 50  # [balanskrav] for 2023
    assert bk.value("bk_efter_justeringar", "prognos") == 1050
    # 2023 is before the resultatreserv (SFS 2023:643): the reserve is the resultatutjämningsreserv.
    assert bk.value("bk_rur_reservering", "prognos") == -100
    assert bk.value("bk_balanskravsresultat", "prognos") == 950
    assert s.values["balanskravsresultat_prognos"] == 950
    assert s.values["arets_resultat_prognos"] == 1200
    assert "balanskravsutredning" not in {t.id for t in s.tables}


def test_a_prognos_per_account_gives_the_gains_of_the_whole_year(ws):
    _gain_ledger(ws)
    ws.write("data/prognos/p.csv", "konto;belopp\n3010;1500\n3810;300\n5010;-600\n")
    bk = ws.compute().table("balanskrav_prognos")
    assert bk.value("bk_arets_resultat", "prognos") == 1200
    assert bk.value("bk_realisationsvinster", "prognos") == -300
    assert bk.value("bk_balanskravsresultat", "prognos") == 850


def test_a_last_year_known_only_from_res_is_not_shown_as_the_same_period(ws):
    ws.config(rapport="delarsrapport", ar=2020, bokslutsdatum="2020-06-30")
    ws.year(2020, vouchers=[("2020-05-31", [("3010", -300), ("1930", 300)])], res_prev={"3010": -1000})
    s = ws.compute()
    assert s.table("resultatrakning").value("verksamhetens_intakter", "utfall_fg") == "uppgift saknas"
    assert [c.id for c in s.table("ekonomiskt_resultat").columns] == [
        "budget",
        "utfall",
        "prognos",
        "avvikelse",
    ]
    assert "arets_resultat_fg" not in s.values


def test_the_interim_key_ratios_say_which_date_the_comparison_is(ws):
    ws.config(rapport="delarsrapport", ar=2020, bokslutsdatum="2020-06-30")
    ws.year(2019, vouchers=[("2019-05-31", [("3010", -100), ("1930", 100)])])
    ws.year(2020, ib={"1930": 100, "2010": -100}, vouchers=[("2020-05-31", [("3010", -300), ("1930", 300)])])
    nt = ws.compute().table("nyckeltal")
    assert nt.footnotes[-1] == (
        "Jämförelsekolumnen: resultatet avser samma period 2019, soliditet och kassalikviditet "
        "balansräkningen 2019-12-31."
    )


def test_the_result_per_kostnadsslag_without_budget_or_prognos_says_uppgift_saknas(ws):
    ws.config(rapport="delarsrapport", ar=2020, bokslutsdatum="2020-06-30")
    ws.year(2020, vouchers=[("2020-05-31", [("3010", -300), ("1930", 300)])])
    ws.write("data/prognos/p.csv", "kostnadsslag;belopp\nintakter;650\n")
    t = ws.compute().table("ekonomiskt_resultat")
    assert t.value("intakter", "utfall") == 300
    assert t.value("intakter", "prognos") == 650
    assert {r.values["budget"] for r in t.rows} == {"uppgift saknas"}
    assert {r.values["avvikelse"] for r in t.rows} == {"uppgift saknas"}
    assert (
        t.footnotes[-1] == "Budget 2020: uppgift saknas – ingen budget per kostnadsslag finns i underlaget."
    )
