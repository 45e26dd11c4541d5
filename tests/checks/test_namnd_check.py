"""`bokslut check`: the nämnder's total is the resultaträkning's verksamhetens nettokostnader."""

from __future__ import annotations

ORGANISATION = "ansvar;enhet;forvaltning;namnd\n1101;Skola;Utbildning;BUN\n2101;Hemtjänst;Omsorg;SN\n"


def kommun(ws, internal_purchase: int):
    ws.config(extra='[dimensioner]\nansvar = 2\n\n[internt]\nkonton = ["32", "48"]\n')
    ws.year(
        2023,
        ib={"1930": 1_000_000, "2010": -1_000_000},
        vouchers=[
            ("2023-03-01", [("5010", 300_000, {2: "1101"}), ("1930", -300_000)]),
            # BUN sells to SN inside the kommun: eliminated from the RR, kept per nämnd.
            (
                "2023-03-02",
                [
                    ("3210", -60_000, {2: "1101"}),
                    ("4810", internal_purchase, {2: "2101"}),
                    ("1930", 60_000 - internal_purchase),
                ],
            ),
        ],
    )
    ws.write("data/organisation.csv", ORGANISATION)
    return [f for f in ws.checks() if f.code == "namnd-nettokostnad"]


def test_internal_items_that_cancel_out_tie_the_namnder_to_the_rr(ws):
    assert kommun(ws, internal_purchase=60_000) == []


def test_internal_items_that_do_not_cancel_out_are_a_finding_naming_the_difference(ws):
    (f,) = kommun(ws, internal_purchase=40_000)
    assert f.level == "warning"
    assert f.where == "driftredovisning_namnd/totalt/utfall"
    assert f.message.startswith(
        "driftredovisningen per nämnd summerar till \u2212280\u00a0000,00 kr men resultaträkningens "
        "verksamhetens nettokostnader är \u2212300\u00a0000,00 kr (skillnad 20\u00a0000,00 kr)"
    )


def test_a_table_per_namnd_that_no_chapter_places_is_a_warning(ws):
    kommun(ws, internal_purchase=60_000)
    ws.chapter("resultatrakning", "balansrakning", "kassaflodesanalys", "balanskravsutredning")
    unplaced = [f.message for f in ws.checks() if f.code == "tabell-ej-placerad"]
    assert unplaced == [
        "driftredovisningen per nämnd finns men står inte i något kapitel – skriv "
        '{{ tabell("driftredovisning_namnd") }} där den ska stå',
        # The year's result is a deficit of 300 000: its återställande is a table too.
        "tabellen över återställande av negativa balanskravsresultat finns men står inte i något "
        'kapitel – skriv {{ tabell("balanskrav_aterstallande") }} där den ska stå',
    ]
    ws.chapter(
        "resultatrakning",
        "balansrakning",
        "kassaflodesanalys",
        "balanskravsutredning",
        "balanskrav_aterstallande",
        "driftredovisning_namnd",
    )
    assert [f for f in ws.checks() if f.code == "tabell-ej-placerad"] == []
