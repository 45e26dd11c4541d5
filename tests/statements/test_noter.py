"""Notes: specifications from the ledger, numbered in order of first reference."""

from __future__ import annotations

from decimal import Decimal


def test_fixed_asset_roll_forward_and_useful_life(ws):
    ws.config(extra="[noter.nyttjandeperiod]\n2023 = { maskiner_inventarier = 4.8 }\n")
    ws.year(
        2023,
        ib={"1221": 1000, "1229": -600, "1241": 100, "1249": -20, "1930": 0, "2010": -480},
        vouchers=[
            ("2023-03-01", [("1221", 300), ("1930", -300)]),
            ("2023-12-31", [("1229", 200), ("1221", -200)]),  # scrapped, fully depreciated
            ("2023-12-31", [("7910", 150), ("1229", -150), ("7920", 10), ("1249", -10)]),
        ],
        names={"1221": "Inventarier", "1241": "IT-utrustning"},
    )
    s = ws.compute()
    n = s.table("not_anlaggningstillgangar")
    p = "maskiner_inventarier."
    assert n.value(p + "ib_anskaffning", "utfall") == 1100
    assert n.value(p + "inkop", "utfall") == 300
    assert n.value(p + "utrangering", "utfall") == -200
    assert n.value(p + "ub_anskaffning", "utfall") == 1200
    assert n.value(p + "ib_avskrivning", "utfall") == -620
    assert n.value(p + "avskrivning", "utfall") == -160
    assert n.value(p + "utrangering_avskrivning", "utfall") == 200
    assert n.value(p + "redovisat", "utfall") == s.table("balansrakning").value(
        "maskiner_inventarier", "utfall"
    )
    assert n.value(p + "varav_122", "utfall") == 550
    assert n.value(p + "varav_124", "utfall") == 70
    # An abbreviation keeps its capitals inside the phrase; another name starts in lower case.
    assert n.row(p + "varav_124").label == "varav IT-utrustning"
    assert n.row(p + "varav_122").label == "varav inventarier"
    assert n.value(p + "nyttjandeperiod", "utfall") == Decimal("4.8")


def test_cost_note_shows_costs_positive_with_pension_as_varav(ws):
    ws.year(
        2023,
        vouchers=[("2023-03-01", [("5010", 100), ("5710", 20), ("4610", 30), ("7410", 5), ("1930", -155)])],
    )
    s = ws.compute()
    n = s.table("not_verksamhetens_kostnader")
    assert n.value("personal_total", "utfall") == 120
    assert n.value("varav_pension", "utfall") == 20
    assert n.value("entreprenader_och_konsulttjanster", "utfall") == 35
    assert n.value("summa", "utfall") == -s.table("resultatrakning").value(
        "verksamhetens_kostnader", "utfall"
    )
    assert "positiva" in n.sign_convention


def test_notes_are_numbered_by_first_reference():
    from bokslut.statements import note_numbers
    from bokslut.table import Row, Table

    t1 = Table("rr", "RR", (), (Row("a", "A", note="not_b"), Row("b", "B", note="not_a")))
    notes = [Table("not_a", "A", (), ()), Table("not_b", "B", (), ())]
    assert note_numbers([t1, *notes]) == {"not_b": 1, "not_a": 2}
