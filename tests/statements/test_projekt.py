"""Multi-year investment projects over two fiscal years: decided total, accumulated outcome, prognos."""

from __future__ import annotations

from decimal import Decimal

from bokslut.rounding import round_table

CONFIG = "[dimensioner]\nprojekt = 6\n"
PROJECTS = """projekt;namn;totalbudget_tkr;prognos_tkr
P1;Ny skola;1000;1100
P2;Fordon;200;
"""


def two_years(ws, *, projects: str = PROJECTS, interim: bool = False):
    if interim:
        ws.config(rapport="delarsrapport", bokslutsdatum="2023-06-30", extra=CONFIG)
    else:
        ws.config(extra=CONFIG)
    ws.year(
        2022,
        vouchers=[
            ("2022-04-01", [("1220", 400_000, {6: "P1"}), ("1930", -400_000)]),
            ("2022-05-01", [("1220", 70_000, {6: "P9"}), ("1930", -70_000)]),  # not a listed project
            (
                "2022-11-01",
                [("1220", 50_000, {6: "P1"}), ("1930", -50_000)],
            ),  # after the cut of a delårsrapport
        ],
    )
    ws.year(
        2023,
        vouchers=[
            ("2023-02-01", [("1220", 250_000, {6: "P1"}), ("1930", -250_000)]),
            ("2023-03-01", [("1220", 150_000, {6: "P2"}), ("1930", -150_000)]),
            ("2023-03-02", [("1220", -20_000, {6: "P2"}), ("1930", 20_000)]),  # a credit: not an outflow
            ("2023-09-01", [("1220", 100_000, {6: "P1"}), ("1930", -100_000)]),
        ],
    )
    ws.write("data/investeringsprojekt.csv", projects)
    ws.write("data/budget/investeringar.csv", "ar;projekt;belopp\n2023;P1;300000\n2023;P2;150000\n")
    return ws.compute()


def shown(s) -> list[tuple]:
    t = s.table("investeringsprojekt")
    r = round_table(t)
    return [(row.label, *(r.get(row.id, c.id) for c in t.columns)) for row in t.rows]


def d(*v: int) -> tuple[Decimal, ...]:
    return tuple(Decimal(x) for x in v)


def test_decided_total_accumulated_outcome_this_year_and_prognos(ws):
    s = two_years(ws)
    t = s.table("investeringsprojekt")
    assert [c.label for c in t.columns] == [
        "Beslutad totalutgift",
        "Ackumulerat utfall t.o.m. 2023-12-31",
        "Budget 2023",
        "Utfall 2023",
        "Beräknad totalutgift",
        "Avvikelse",
    ]
    # P1: 400 + 50 (2022) + 250 + 100 (2023) = 800 accumulated; P2: 150 debit (the credit is no outflow).
    assert shown(s) == [
        ("Ny skola", *d(1000, 800, 300, 350, 1100, -100)),
        ("Fordon", *d(200, 150, 150, 150, 200, 0)),
        ("Totalt", *d(1200, 950, 450, 500, 1300, -100)),
    ]


def test_in_a_delarsrapport_the_outcome_stops_at_the_closing_date(ws):
    s = two_years(ws, interim=True)
    # Last year counts whole (450), this year to 30 June (250).
    assert shown(s) == [
        ("Ny skola", *d(1000, 700, 300, 250, 1100, -100)),
        ("Fordon", *d(200, 150, 150, 150, 200, 0)),
        ("Totalt", *d(1200, 850, 450, 400, 1300, -100)),
    ]


def test_outcome_beyond_the_prognos_is_a_warning_and_bad_cells_name_their_line(ws):
    s = two_years(
        ws, projects="projekt;namn;totalbudget;prognos\nP1;Ny skola;500000;600000\nP2;Fordon;tvåhundra;\n"
    )
    msgs = [
        (f.file, f.line, f.code, f.message) for f in s.findings if f.file == "data/investeringsprojekt.csv"
    ]
    assert (
        "data/investeringsprojekt.csv",
        2,
        "projekt-over-prognos",
        "projektet P1 har redan kostat 800\u00a0000,00 kr, mer än beräknad totalutgift 600\u00a0000,00 kr",
    ) in msgs
    assert any(line == 3 and "'tvåhundra' är inget belopp" in m for _, line, _, m in msgs)
    assert [r.label for r in s.table("investeringsprojekt").rows] == ["Ny skola", "Totalt"]
