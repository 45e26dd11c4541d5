"""A region's ledger in Region-Bas: the same statements, its own groups where the chart differs."""

from __future__ import annotations

import pytest

DIMENSIONS = '[dimensioner]\nverksamhet = 1\n\n[verksamheter]\n"10" = "Sjukhuset"\n'


def region_year(ws, *, typ: str = "region", extra: str = ""):
    ws.config(typ=typ, ar=2024, extra=DIMENSIONS + extra)
    ws.year(
        2024,
        ib={"1930": 5000, "2010": -5000},
        vouchers=[
            ("2024-01-31", [("8010", -1000), ("1930", 1000)]),
            ("2024-02-28", [("5010", 400, {1: "10"}), ("5710", 60, {1: "10"}), ("1930", -460)]),
            ("2024-03-31", [("4410", 150, {1: "10"}), ("1930", -150)]),
            # Aktivering av eget arbete on an investment: Region-Bas 49 (Kommun-Bas has 59).
            ("2024-04-30", [("1120", 90), ("4910", -90, {1: "10"})]),
            ("2024-05-31", [("8540", 12), ("2210", -12)]),  # finansiell del av pensionskostnaden
        ],
        names={"4910": "Aktivering av eget arbete", "8540": "Finansiell del av pensionskostnad"},
    )
    return ws.compute()


def test_a_region_ledger_maps_to_the_statement_lines_and_its_notes(ws):
    s = region_year(ws)
    rr = s.table("resultatrakning")
    assert rr.value("verksamhetens_kostnader", "utfall") == -(400 + 60 + 150 - 90)
    assert rr.value("skatteintakter", "utfall") == 1000
    assert rr.value("finansiella_kostnader", "utfall") == -12
    assert rr.value("arets_resultat", "utfall") == 1000 - 520 - 12
    note = s.table("not_verksamhetens_kostnader")
    # The capitalised own work reduces the personnel costs, as Kommun-Bas 59 does.
    assert note.value("personal_total", "utfall") == 400 + 60 - 90
    assert note.value("varav_pension", "utfall") == 60
    assert note.value("summa", "utfall") == 520
    drift = s.table("driftredovisning")
    assert drift.value("10.personalkostnader", "utfall") == -(400 + 60 - 90)
    assert drift.value("10.ovriga_kostnader", "utfall") == -150
    fin = s.table("not_finansiella_kostnader")
    assert fin.row("8540").label == "Finansiell del av pensionskostnad"
    assert fin.value("8540", "utfall") == 12


@pytest.mark.parametrize(
    ("typ", "extra"), [("kommun", ""), ("region", '[kontoplan]\nbaskontoplan = "kommun-bas"\n')]
)
def test_the_same_ledger_in_kommun_bas_keeps_group_49_among_the_other_costs(ws, typ, extra):
    note = region_year(ws, typ=typ, extra=extra).table("not_verksamhetens_kostnader")
    assert note.value("personal_total", "utfall") == 460
    assert note.value("summa", "utfall") == 520
