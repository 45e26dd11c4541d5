"""Kassaflödesanalys: every line from gross flows, ending at the change in likvida medel."""

from __future__ import annotations

from decimal import Decimal

IB = {
    "1220": 1000,
    "1229": -400,
    "1310": 50,
    "1510": 80,
    "1930": 500,
    "2010": -700,
    "2210": -100,
    "2310": -300,
    "2440": -130,
}


def cash_flows(ws, vouchers):
    ws.year(2023, ib=IB, vouchers=vouchers)
    s = ws.compute()
    kfa = s.table("kassaflodesanalys")
    return {r.id: r.values.get("utfall") for r in kfa.rows}, s


def test_each_line(ws):
    v, s = cash_flows(
        ws,
        [
            ("2023-01-15", [("3010", -900), ("1510", 900)]),  # sales on credit
            ("2023-02-15", [("1930", 850), ("1510", -850)]),  # customers pay (fordringar −50 → +50)
            ("2023-03-01", [("5010", 300), ("1930", -300)]),
            ("2023-03-02", [("6410", 100), ("2440", -100)]),  # payable up 100
            ("2023-04-01", [("1220", 250), ("1930", -250)]),  # investment
            (
                "2023-04-02",
                [("1220", -100), ("1229", 80), ("1930", 30), ("3810", -10)],
            ),  # sale, gain 10
            ("2023-05-01", [("7910", 60), ("1229", -60)]),  # depreciation
            ("2023-06-01", [("1310", 20), ("1930", -20)]),  # financial asset bought
            ("2023-07-01", [("1930", 200), ("2310", -200)]),  # new loan
            ("2023-07-02", [("2310", 50), ("1930", -50)]),  # amortisation
            ("2023-08-01", [("5710", 15), ("2210", -15)]),  # provision made
            ("2023-08-02", [("2210", 25), ("1930", -25)]),  # provision used
        ],
    )
    assert v["kf_arets_resultat"] == Decimal(900 + 10 - 300 - 100 - 60 - 15)
    assert v["kf_avskrivningar"] == 60
    assert v["kf_gjorda_avsattningar"] == 15
    assert v["kf_ianspraktagna_avsattningar"] == -25
    assert v["kf_ovriga_justeringar"] == -10  # the gain is not cash
    assert v["kf_fordringar"] == -50
    assert v["kf_kortfristiga_skulder"] == 100
    assert v["kf_inv_materiella"] == -250  # gross: the debit, not the net change
    assert v["kf_fors_materiella"] == 30  # the price received, gain included
    assert v["kf_inv_finansiella"] == -20
    assert v["kf_nya_lan"] == 200
    assert v["kf_amortering"] == -50
    assert v["kf_likvida_borjan"] == 500
    delta = 850 - 300 - 250 + 30 - 20 + 200 - 50 - 25
    assert v["kf_arets_kassaflode"] == delta
    assert v["kf_likvida_slut"] == 500 + delta
    assert s.table("balansrakning").value("kassa_och_bank", "utfall") == 500 + delta


def test_check_names_an_unmapped_balance_account_that_breaks_the_cash_flow(ws):
    ws.config(extra='[kontoplan.rad]\n"1790" = "ingen_rad"\n')
    ws.year(
        2023,
        ib={"1930": 100, "2010": -100},
        vouchers=[("2023-03-01", [("1790", 40), ("1930", -40)])],
    )
    findings = ws.checks()
    codes = {f.code for f in findings}
    assert {"kassaflode-likvida", "br-balanserar-inte", "konto-okand-rad"} <= codes
    unknown = next(f for f in findings if f.code == "konto-okand-rad")
    assert "1790" in unknown.message and "ingen_rad" in unknown.message


def test_likvida_medel_can_include_kortfristiga_placeringar(ws):
    ws.config(extra='[kontoplan]\nlikvida_medel = ["19", "18"]\n')
    ws.year(
        2023,
        ib={"1930": 100, "1810": 50, "2010": -150},
        vouchers=[("2023-03-01", [("1810", 30), ("1930", -30)])],
    )
    kfa = ws.compute().table("kassaflodesanalys")
    assert kfa.value("kf_likvida_borjan", "utfall") == 150
    assert kfa.value("kf_arets_kassaflode", "utfall") == 0
    assert "kortfristiga placeringar" in kfa.footnotes[0]
