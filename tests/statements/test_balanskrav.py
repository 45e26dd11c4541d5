"""Balanskravsutredning: realisationsvinster out, exceptions and reserves from bokslut.toml."""

from __future__ import annotations


def test_adjustments(ws):
    ws.config(
        extra="""
[balanskrav]
realisationsvinster_undantag = { "2023" = 30 }
reservering_resultatreserv = { "2023" = 100 }
"""
    )
    ws.year(
        2023,
        ib={"1220": 100, "1930": 0, "2010": -100},
        vouchers=[
            ("2023-02-01", [("3010", -1000), ("1930", 1000)]),
            ("2023-03-01", [("1220", -100), ("1930", 150), ("3810", -50)]),  # gain 50
        ],
        res_prev={"3010": -400, "5010": 300},
    )
    bk = ws.compute().table("balanskravsutredning")
    col = "ar_2023"
    assert bk.value("bk_arets_resultat", col) == 1050
    assert bk.value("bk_realisationsvinster", col) == -50
    assert bk.value("bk_rv_undantag", col) == 30
    assert bk.value("bk_efter_justeringar", col) == 1030
    # 2023 is before the resultatreserv (SFS 2023:643): the reserve is the resultatutjämningsreserv.
    assert bk.value("bk_rur_reservering", col) == -100
    assert bk.row("bk_rur_reservering").label == "Reservering till resultatutjämningsreserv"
    assert bk.value("bk_balanskravsresultat", col) == 930
    # The year before, from the file's #RES -1.
    assert bk.value("bk_arets_resultat", "ar_2022") == 100
    assert [c.label for c in bk.columns] == ["2023", "2022"]
