"""The RR: each Kommun-Bas group lands on its line, with the statutory sign."""

from __future__ import annotations

from decimal import Decimal


def test_each_group_maps_to_its_line_with_revenue_positive_costs_negative(ws):
    ws.year(
        2023,
        ib={"1930": 1_000_000, "2010": -1_000_000},
        vouchers=[
            ("2023-02-01", [("3010", -500), ("1930", 500)]),  # Verksamhetens intäkter
            (
                "2023-02-02",
                [("4610", 120), ("5010", 100), ("6010", 30), ("7610", 20), ("1930", -270)],
            ),
            ("2023-03-01", [("7910", 40), ("1229", -40)]),  # Avskrivningar
            ("2023-04-01", [("8010", -300), ("1930", 300)]),  # Skatteintäkter
            (
                "2023-04-02",
                [("8210", -50), ("8310", 10), ("1930", 40)],
            ),  # Generella statsbidrag, net
            ("2023-05-01", [("8410", -7), ("1930", 7)]),
            ("2023-05-02", [("8520", 9), ("1930", -9)]),
            ("2023-06-01", [("8710", -4), ("8810", 1), ("1930", 3)]),  # Extraordinära poster, net
        ],
    )
    rr = ws.compute().table("resultatrakning")
    v = {r.id: r.values["utfall"] for r in rr.rows}
    assert v["verksamhetens_intakter"] == Decimal("500")
    assert v["verksamhetens_kostnader"] == Decimal("-270")
    assert v["avskrivningar"] == Decimal("-40")
    assert v["verksamhetens_nettokostnader"] == Decimal("190")
    assert v["skatteintakter"] == Decimal("300")
    assert v["generella_statsbidrag"] == Decimal("40")
    assert v["verksamhetens_resultat"] == Decimal("530")
    assert v["finansiella_intakter"] == Decimal("7")
    assert v["finansiella_kostnader"] == Decimal("-9")
    assert v["resultat_efter_finansiella_poster"] == Decimal("528")
    assert v["extraordinara_poster"] == Decimal("3")
    assert v["arets_resultat"] == Decimal("531")
    assert "medlemsavgifter" not in v  # a kommun has no member fees: the line is left out


def test_kommunalforbund_shows_group_80_as_medlemsavgifter(ws):
    ws.config(typ="kommunalforbund")
    ws.year(2023, vouchers=[("2023-01-10", [("8010", -810), ("3011", -100), ("1930", 910)])])
    rr = ws.compute().table("resultatrakning")
    assert rr.value("medlemsavgifter", "utfall") == Decimal("810")
    assert [r.id for r in rr.rows if r.id == "skatteintakter"] == []
    assert rr.row("medlemsavgifter").label == "Medlemsavgifter"


def test_internal_items_are_eliminated_from_rr_but_result_is_kept(ws):
    ws.config(extra='[internt]\nkonton = ["32", "48"]\n')
    ws.year(
        2023,
        vouchers=[
            ("2023-01-10", [("3010", -100), ("1930", 100)]),
            ("2023-01-11", [("3210", -60), ("4810", 60)]),  # internal sale and purchase
        ],
    )
    rr = ws.compute().table("resultatrakning")
    assert rr.value("verksamhetens_intakter", "utfall") == Decimal("100")
    assert "verksamhetens_kostnader" not in {r.id for r in rr.rows}  # only internal costs
    assert rr.value("arets_resultat", "utfall") == Decimal("100")


def test_prior_year_column_and_drill_down_filter(ws):
    ws.year(2022, vouchers=[("2022-03-01", [("3010", -40), ("1930", 40)])])
    ws.year(
        2023,
        ib={"1930": 40, "2010": -40},
        vouchers=[("2023-03-01", [("3010", -70.5), ("1930", 70.5)])],
    )
    rr = ws.compute().table("resultatrakning")
    row = rr.row("verksamhetens_intakter")
    assert row.values == {"utfall": Decimal("70.50"), "utfall_fg": Decimal("40.00")}
    src = row.sources["utfall"].filter
    assert src["accounts"] == ["3010"] and src["sign"] == -1
    assert (src["from"], src["to"]) == ("2023-01-01", "2023-12-31")
    assert [c.label for c in rr.columns] == ["2023", "2022"]


def test_internal_counterpart_objects_are_eliminated_but_stay_in_drift(ws):
    ws.config(extra='[dimensioner]\nverksamhet = 1\nmotpart = 9\n\n[internt]\nmotparter = ["INT"]\n')
    ws.year(
        2023,
        vouchers=[
            ("2023-01-10", [("3010", -100, {1: "A"}), ("1930", 100)]),
            ("2023-01-11", [("3010", -40, {1: "A", 9: "INT"}), ("6410", 40, {1: "B", 9: "INT"})]),
        ],
    )
    s = ws.compute()
    assert s.table("resultatrakning").value("verksamhetens_intakter", "utfall") == 100
    drift = s.table("driftredovisning")
    assert drift.value("A.intakter", "utfall") == 140
    assert drift.value("B.ovriga_kostnader", "utfall") == -40
    assert not [f for f in ws.checks() if f.code == "interna-poster"]
