"""The BR: lines by kontogrupp, assets as booked, equity and debt negated, equity by year."""

from __future__ import annotations

from decimal import Decimal

IB = {
    "1010": 10,
    "1110": 200,
    "1210": 50,
    "1310": 30,
    "1410": 5,
    "1510": 40,
    "1610": 4,
    "1710": 6,
    "1810": 8,
    "1930": 100,
    "2010": -250,
    "2210": -20,
    "2290": -3,
    "2310": -100,
    "2440": -50,
    "2990": -30,
}


def test_lines_and_signs(ws):
    ws.year(2023, ib=IB, vouchers=[("2023-05-01", [("3010", -12), ("1930", 12)])])
    br = ws.compute().table("balansrakning")
    v = {r.id: r.values.get("utfall") for r in br.rows}
    assert v["immateriella"] == 10
    assert v["mark_byggnader"] == 200
    assert v["maskiner_inventarier"] == 50
    assert v["finansiella_anlaggningar"] == 30
    assert v["summa_anlaggningstillgangar"] == 290
    assert v["forrad"] == 5
    assert v["fordringar"] == 50  # 15–17
    assert v["kortfristiga_placeringar"] == 8
    assert v["kassa_och_bank"] == 112
    assert v["summa_tillgangar"] == 465
    assert v["avsattningar_pensioner"] == 20  # 221–222
    assert v["andra_avsattningar"] == 3  # the rest of 22
    assert v["langfristiga_skulder"] == 100
    assert v["kortfristiga_skulder"] == 80
    # Until 2023: Årets resultat / Övrigt eget kapital
    assert v["ek_arets_resultat"] == 12
    assert v["ek_ovrigt"] == 250
    assert v["summa_eget_kapital"] == 262
    assert v["summa_eget_kapital_och_skulder"] == Decimal(465)


def test_equity_block_from_2024_has_opening_equity_and_resultatreserv(ws):
    ws.config(ar=2024, extra='[kontoplan]\nresultatreserv = ["2050"]\n')
    ws.year(
        2024,
        ib={"1930": 300, "2010": -200, "2050": -100},
        vouchers=[("2024-05-01", [("3010", -12), ("1930", 12)])],
    )
    br = ws.compute().table("balansrakning")
    v = {r.id: r.values.get("utfall") for r in br.rows}
    assert v["ek_ingaende"] == 300
    assert v["ek_ingaende_resultatreserv"] == 100
    assert v["ek_arets_resultat"] == 12
    assert v["summa_eget_kapital"] == 312
    assert br.row("summa_eget_kapital").label == "Eget kapital vid årets slut"
    assert "ek_ovrigt" not in v


def test_previous_year_end_column(ws):
    ws.year(2022, ib={"1930": 10, "2010": -10}, vouchers=[("2022-02-01", [("3010", -5), ("1930", 5)])])
    ws.year(2023, ib={"1930": 15, "2010": -15}, vouchers=[("2023-02-01", [("3010", -7), ("1930", 7)])])
    br = ws.compute().table("balansrakning")
    assert br.value("kassa_och_bank", "utfall") == 22
    assert br.value("kassa_och_bank", "utfall_fg") == 15
    assert br.value("ek_arets_resultat", "utfall_fg") == 5
